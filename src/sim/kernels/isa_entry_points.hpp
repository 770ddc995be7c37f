// The kernels' entry points for one instruction set, written once: each of dense_scalar.cpp, dense_avx2.cpp and
// dense_avx512.cpp defines QNN_KERNEL_NS and QNN_VECTOR_BYTES (16 for scalar/SSE2, 32 for AVX2, 64 for AVX-512) and
// includes this under its own -m flags; dispatch.cpp declares them (QNN_DECLARE_ISA) and picks one at run time.
#include "dense_impl.hpp"
#include "adjoint_step_impl.hpp"
#include "batched_impl.hpp"

namespace qnn::kernels::QNN_KERNEL_NS {

// Complex numbers per vector of this instruction set.
template <Real T>
inline constexpr int kLanes = QNN_VECTOR_BYTES / (2 * int(sizeof(T)));

template <Real T>
void apply_dense(complex<T>* psi, unsigned n, std::span<const unsigned> targets, std::span<const cplx> matrix,
                 std::span<const unsigned> controls) {
  apply_dense_impl<T, kLanes<T>>(psi, n, targets, matrix, controls);
}

template <Real T>
void apply_1q_small(complex<T>* psi, unsigned n, unsigned t, index_t ctrl_mask, unsigned num_controls,
                    const cplx* matrix) {
  apply_1q_small_impl<T>(psi, n, t, ctrl_mask, num_controls, matrix);
}

template <Real T>
void apply_2q_small(complex<T>* psi, unsigned n, unsigned t0, unsigned t1, const cplx* matrix) {
  apply_2q_small_impl<T>(psi, n, t0, t1, matrix);
}

template <Real T>
cplx matrix_element_1q(const complex<T>* bra, const complex<T>* ket, unsigned t, index_t p0, index_t p1,
                       const cplx* matrix) {
  return matrix_element_1q_impl<T>(bra, ket, t, p0, p1, matrix);
}

template <Real T>
cplx pauli_sum(const complex<T>* psi, index_t x, index_t z, index_t r0, index_t r1) {
  return pauli_sum_impl<T>(psi, x, z, r0, r1);
}

template <Real T>
void add_pauli(const complex<T>* src, complex<T>* out, index_t x, index_t z, cplx f, index_t r0, index_t r1) {
  add_pauli_impl<T>(src, out, x, z, f, r0, r1);
}

template <Real T>
void apply_dense_run(complex<T>* psi, unsigned n, std::span<const DenseGate> gates) {
  apply_dense_run_impl<T, kLanes<T>>(psi, n, gates);
}

template <Real T>
void adjoint_steps(complex<T>* phi, complex<T>* lambda, unsigned n, std::span<AdjointStep> steps) {
  adjoint_steps_impl<T, kLanes<T>>(phi, lambda, n, steps);
}

template <Real T>
void diagonal_pass(complex<T>* phi, complex<T>* lambda, unsigned n, const DiagonalPass& pass) {
  diagonal_pass_impl<T, kLanes<T>>(phi, lambda, n, pass);
}

#define QNN_ENTRY_POINTS_INSTANTIATE(T)                                                                          \
  template void apply_dense<T>(complex<T>*, unsigned, std::span<const unsigned>, std::span<const cplx>,         \
                               std::span<const unsigned>);                                                       \
  template void apply_1q_small<T>(complex<T>*, unsigned, unsigned, index_t, unsigned, const cplx*);             \
  template void apply_2q_small<T>(complex<T>*, unsigned, unsigned, unsigned, const cplx*);                      \
  template cplx matrix_element_1q<T>(const complex<T>*, const complex<T>*, unsigned, index_t, index_t, const cplx*); \
  template cplx pauli_sum<T>(const complex<T>*, index_t, index_t, index_t, index_t);                             \
  template void add_pauli<T>(const complex<T>*, complex<T>*, index_t, index_t, cplx, index_t, index_t);         \
  template void apply_dense_run<T>(complex<T>*, unsigned, std::span<const DenseGate>);                          \
  template void adjoint_steps<T>(complex<T>*, complex<T>*, unsigned, std::span<AdjointStep>);                  \
  template void diagonal_pass<T>(complex<T>*, complex<T>*, unsigned, const DiagonalPass&);
QNN_ENTRY_POINTS_INSTANTIATE(float)
QNN_ENTRY_POINTS_INSTANTIATE(double)
#undef QNN_ENTRY_POINTS_INSTANTIATE

}  // namespace qnn::kernels::QNN_KERNEL_NS
