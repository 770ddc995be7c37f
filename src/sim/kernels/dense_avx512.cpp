// The dense kernel for one instruction set; see dense_impl.hpp.
#define QNN_KERNEL_NS avx512
#include "dense_impl.hpp"
#include "adjoint_step_impl.hpp"
#include "batched_impl.hpp"

namespace qnn::kernels::avx512 {

template <Real T>
void apply_dense(complex<T>* psi, unsigned n, std::span<const unsigned> targets, std::span<const cplx> matrix,
                 std::span<const unsigned> controls) {
  // Complex numbers per vector: 16 bytes (scalar/SSE2), 32 bytes (AVX2), 64 bytes (AVX-512).
  constexpr int bytes = 64;
  apply_dense_impl<T, bytes / (2 * int(sizeof(T)))>(psi, n, targets, matrix, controls);
}

template <Real T>
void apply_1q_small(complex<T>* psi, unsigned n, unsigned t, index_t ctrl_mask, unsigned num_controls,
                    const cplx* matrix) {
  apply_1q_small_impl<T>(psi, n, t, ctrl_mask, num_controls, matrix);
}

template void apply_1q_small<float>(complex<float>*, unsigned, unsigned, index_t, unsigned, const cplx*);
template void apply_1q_small<double>(complex<double>*, unsigned, unsigned, index_t, unsigned, const cplx*);
template void apply_dense<float>(complex<float>*, unsigned, std::span<const unsigned>, std::span<const cplx>,
                                 std::span<const unsigned>);
template void apply_dense<double>(complex<double>*, unsigned, std::span<const unsigned>, std::span<const cplx>,
                                  std::span<const unsigned>);

template <Real T>
void apply_dense_run(complex<T>* psi, unsigned n, std::span<const DenseGate> gates) {
  constexpr int bytes = 64;
  apply_dense_run_impl<T, bytes / (2 * int(sizeof(T)))>(psi, n, gates);
}

template void apply_dense_run<float>(complex<float>*, unsigned, std::span<const DenseGate>);
template void apply_dense_run<double>(complex<double>*, unsigned, std::span<const DenseGate>);

template <Real T>
void adjoint_steps(complex<T>* phi, complex<T>* lambda, unsigned n, std::span<AdjointStep> steps) {
  constexpr int bytes = 64;
  adjoint_steps_impl<T, bytes / (2 * int(sizeof(T)))>(phi, lambda, n, steps);
}

template void adjoint_steps<float>(complex<float>*, complex<float>*, unsigned, std::span<AdjointStep>);
template void adjoint_steps<double>(complex<double>*, complex<double>*, unsigned, std::span<AdjointStep>);

}  // namespace qnn::kernels::avx512
