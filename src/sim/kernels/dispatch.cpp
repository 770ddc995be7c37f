#include <atomic>
#include <cstdlib>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/sim/kernels.hpp"

namespace qnn {

namespace kernels {
#define QNN_DECLARE_ISA(ns)                                                                                      \
  namespace ns {                                                                                                 \
  template <Real T>                                                                                              \
  void apply_dense(complex<T>* psi, unsigned n, std::span<const unsigned> targets, std::span<const cplx> matrix, \
                   std::span<const unsigned> controls);                                                          \
  template <Real T>                                                                                              \
  void apply_1q_small(complex<T>* psi, unsigned n, unsigned t, index_t ctrl_mask, unsigned num_controls,         \
                      const cplx* matrix);                                                                       \
  template <Real T>                                                                                              \
  void apply_2q_small(complex<T>* psi, unsigned n, unsigned t0, unsigned t1, const cplx* matrix);               \
  template <Real T>                                                                                              \
  cplx matrix_element_1q(const complex<T>* bra, const complex<T>* ket, unsigned t, index_t p0, index_t p1,      \
                         const cplx* matrix);                                                                    \
  template <Real T>                                                                                              \
  cplx pauli_sum(const complex<T>* psi, index_t x, index_t z, index_t r0, index_t r1);                           \
  template <Real T>                                                                                              \
  void add_pauli(const complex<T>* src, complex<T>* out, index_t x, index_t z, cplx f, index_t r0, index_t r1); \
  template <Real T>                                                                                              \
  void apply_dense_run(complex<T>* psi, unsigned n, std::span<const DenseGate> gates);                           \
  template <Real T>                                                                                              \
  void adjoint_steps(complex<T>* phi, complex<T>* lambda, unsigned n, std::span<AdjointStep> steps);             \
  template <Real T>                                                                                              \
  void diagonal_pass(complex<T>* phi, complex<T>* lambda, unsigned n, const DiagonalPass& pass);                 \
  template <class T>                                                                                             \
  void batched_apply_shared_impl(T* re, T* im, unsigned n, unsigned B, std::span<const unsigned> targets,        \
                                 std::span<const cplx> matrix, std::span<const unsigned> controls);              \
  template <class T>                                                                                             \
  void batched_apply_per_sample_impl(T* re, T* im, unsigned n, unsigned B, std::span<const unsigned> targets,    \
                                     std::span<const cplx> matrices, std::span<const unsigned> controls);        \
  template <class T>                                                                                             \
  void batched_expectation_impl(const T* re, const T* im, unsigned n, unsigned B, index_t x, index_t z,          \
                                unsigned ny, double* out);                                                       \
  template <class T>                                                                                             \
  void batched_add_pauli_impl(const T* src_re, const T* src_im, T* re, T* im, unsigned n, unsigned B, index_t x, \
                              index_t z, unsigned ny, const double* coeff, bool accumulate);                     \
  template <class T>                                                                                             \
  void batched_matrix_element_impl(const T* bra_re, const T* bra_im, const T* ket_re, const T* ket_im,           \
                                   unsigned n, unsigned B, std::span<const unsigned> targets,                    \
                                   std::span<const cplx> matrices, bool per_sample,                              \
                                   std::span<const unsigned> controls, cplx* out);                               \
  template <class T>                                                                                             \
  void batched_diagonal_pass_impl(T* pr, T* pi, T* lr, T* li, unsigned n, unsigned B, const DiagonalPass& dp);  \
  template <class T>                                                                                             \
  void batched_adjoint_step_impl(T* phi_re, T* phi_im, T* lam_re, T* lam_im, unsigned n, unsigned B,             \
                                 AdjointStep& step, double* per_sample);                                         \
  template <class T>                                                                                             \
  void batched_real_pair_impl(T* re, T* im, unsigned n, unsigned B, unsigned qa, const T* ma, bool pa,           \
                              unsigned qb, const T* mb, bool pb);                                                \
  template <class T>                                                                                             \
  bool batched_adjoint_pair_impl(T* phi_re, T* phi_im, T* lam_re, T* lam_im, unsigned n, unsigned B,             \
                                 AdjointStep& first, AdjointStep& second, double* per_sample);                   \
  template <class T>                                                                                             \
  void batched_product_state_impl(T* re, T* im, unsigned n, unsigned B, const T* vr, const T* vi);               \
  template <class T>                                                                                             \
  void batched_z_expectations_impl(const T* re, const T* im, unsigned n, unsigned B, const index_t* z,           \
                                   unsigned terms, double* out);                                                 \
  template <class T>                                                                                             \
  void batched_z_weighted_impl(const T* src_re, const T* src_im, T* re, T* im, unsigned n, unsigned B,           \
                               const index_t* z, unsigned terms, const double* coeff);                           \
  template <class T>                                                                                             \
  void batched_product_contract_impl(const T* lr, const T* li, unsigned n, unsigned B, unsigned k,               \
                                     const double* alr, const double* ali, const double* ahr, const double* ahi, \
                                     double* tlr, double* tli, double* thr, double* thi);                         \
  template <class T>                                                                                             \
  void batched_permute_phase_impl(T* pr, T* pi, T* lr, T* li, unsigned n, unsigned B, const index_t* rows,     \
                                  const index_t* starts, index_t cycles, const cplx* d, double* corr);          \
  }
namespace {
std::atomic<std::size_t> g_stage_from_bytes{std::size_t{256} << 20};
std::atomic<std::size_t> g_split_from_bytes{std::size_t{8} << 20};
std::atomic<std::size_t> g_adjoint_block_bytes{std::size_t{8} << 10};
std::atomic<std::size_t> g_dense_block_bytes{std::size_t{256} << 10};
}  // namespace
std::size_t stage_from_bytes() { return g_stage_from_bytes.load(std::memory_order_relaxed); }
void set_stage_from_bytes(std::size_t bytes) { g_stage_from_bytes.store(bytes, std::memory_order_relaxed); }
std::size_t split_from_bytes() { return g_split_from_bytes.load(std::memory_order_relaxed); }
void set_split_from_bytes(std::size_t bytes) { g_split_from_bytes.store(bytes, std::memory_order_relaxed); }
std::size_t dense_block_bytes() { return g_dense_block_bytes.load(std::memory_order_relaxed); }
void set_dense_block_bytes(std::size_t bytes) { g_dense_block_bytes.store(bytes, std::memory_order_relaxed); }
std::size_t adjoint_block_bytes() { return g_adjoint_block_bytes.load(std::memory_order_relaxed); }
void set_adjoint_block_bytes(std::size_t bytes) { g_adjoint_block_bytes.store(bytes, std::memory_order_relaxed); }

QNN_DECLARE_ISA(scalar)
QNN_DECLARE_ISA(avx2)
QNN_DECLARE_ISA(avx512)
#undef QNN_DECLARE_ISA
}  // namespace kernels

std::string_view isa_name(Isa isa) {
  switch (isa) {
    case Isa::Reference: return "reference";
    case Isa::Scalar: return "scalar";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "?";
}

bool isa_supported(Isa isa) {
  switch (isa) {
    case Isa::Reference:
    case Isa::Scalar: return true;
    case Isa::Avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case Isa::Avx512: return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
  }
  return false;
}

Isa best_isa() {
  if (isa_supported(Isa::Avx512)) return Isa::Avx512;
  if (isa_supported(Isa::Avx2)) return Isa::Avx2;
  return Isa::Scalar;
}

namespace {
Isa initial_isa() {
  if (const char* env = std::getenv("QNN_ISA")) {
    for (Isa i : {Isa::Reference, Isa::Scalar, Isa::Avx2, Isa::Avx512})
      if (isa_name(i) == env && isa_supported(i)) return i;
  }
  return best_isa();
}
std::atomic<Isa>& isa_setting() {
  static std::atomic<Isa> isa{initial_isa()};
  return isa;
}
}  // namespace

Isa active_isa() { return isa_setting().load(std::memory_order_relaxed); }

void set_active_isa(Isa isa) {
  if (!isa_supported(isa)) throw ValueError("this CPU does not support " + std::string(isa_name(isa)));
  isa_setting().store(isa, std::memory_order_relaxed);
}

namespace kernels {

template <Real T>
void apply_dense(Isa isa, complex<T>* psi, unsigned n, std::span<const unsigned> targets, std::span<const cplx> matrix,
                 std::span<const unsigned> controls) {
  switch (isa) {
    case Isa::Avx512: return avx512::apply_dense<T>(psi, n, targets, matrix, controls);
    case Isa::Avx2: return avx2::apply_dense<T>(psi, n, targets, matrix, controls);
    default: return scalar::apply_dense<T>(psi, n, targets, matrix, controls);
  }
}

template <Real T>
void apply_1q_small(Isa isa, complex<T>* psi, unsigned n, unsigned t, index_t ctrl_mask, unsigned num_controls,
                    const cplx* matrix) {
  switch (isa) {
    case Isa::Avx512: return avx512::apply_1q_small<T>(psi, n, t, ctrl_mask, num_controls, matrix);
    case Isa::Avx2: return avx2::apply_1q_small<T>(psi, n, t, ctrl_mask, num_controls, matrix);
    default: return scalar::apply_1q_small<T>(psi, n, t, ctrl_mask, num_controls, matrix);
  }
}

template <Real T>
void apply_2q_small(Isa isa, complex<T>* psi, unsigned n, unsigned t0, unsigned t1, const cplx* matrix) {
  switch (isa) {
    case Isa::Avx512: return avx512::apply_2q_small<T>(psi, n, t0, t1, matrix);
    case Isa::Avx2: return avx2::apply_2q_small<T>(psi, n, t0, t1, matrix);
    default: return scalar::apply_2q_small<T>(psi, n, t0, t1, matrix);
  }
}

template <Real T>
cplx pauli_sum(Isa isa, const complex<T>* psi, index_t x, index_t z, index_t r0, index_t r1) {
  switch (isa) {
    case Isa::Avx512: return avx512::pauli_sum<T>(psi, x, z, r0, r1);
    case Isa::Avx2: return avx2::pauli_sum<T>(psi, x, z, r0, r1);
    default: return scalar::pauli_sum<T>(psi, x, z, r0, r1);
  }
}

template <Real T>
void add_pauli(Isa isa, const complex<T>* src, complex<T>* out, index_t x, index_t z, cplx f, index_t r0, index_t r1) {
  switch (isa) {
    case Isa::Avx512: return avx512::add_pauli<T>(src, out, x, z, f, r0, r1);
    case Isa::Avx2: return avx2::add_pauli<T>(src, out, x, z, f, r0, r1);
    default: return scalar::add_pauli<T>(src, out, x, z, f, r0, r1);
  }
}

template <Real T>
cplx matrix_element_1q(Isa isa, const complex<T>* bra, const complex<T>* ket, unsigned t, index_t p0, index_t p1,
                       const cplx* matrix) {
  switch (isa) {
    case Isa::Avx512: return avx512::matrix_element_1q<T>(bra, ket, t, p0, p1, matrix);
    case Isa::Avx2: return avx2::matrix_element_1q<T>(bra, ket, t, p0, p1, matrix);
    default: return scalar::matrix_element_1q<T>(bra, ket, t, p0, p1, matrix);
  }
}

template <Real T>
void apply_dense_run(Isa isa, complex<T>* psi, unsigned n, std::span<const DenseGate> gates) {
  switch (isa) {
    case Isa::Avx512: return avx512::apply_dense_run<T>(psi, n, gates);
    case Isa::Avx2: return avx2::apply_dense_run<T>(psi, n, gates);
    default: return scalar::apply_dense_run<T>(psi, n, gates);
  }
}

template <Real T>
void adjoint_steps(Isa isa, complex<T>* phi, complex<T>* lambda, unsigned n, std::span<AdjointStep> steps) {
  switch (isa) {
    case Isa::Avx512: return avx512::adjoint_steps<T>(phi, lambda, n, steps);
    case Isa::Avx2: return avx2::adjoint_steps<T>(phi, lambda, n, steps);
    default: return scalar::adjoint_steps<T>(phi, lambda, n, steps);
  }
}

template <Real T>
void diagonal_pass(Isa isa, complex<T>* phi, complex<T>* lambda, unsigned n, const DiagonalPass& pass) {
  switch (isa) {
    case Isa::Avx512: return avx512::diagonal_pass<T>(phi, lambda, n, pass);
    case Isa::Avx2: return avx2::diagonal_pass<T>(phi, lambda, n, pass);
    default: return scalar::diagonal_pass<T>(phi, lambda, n, pass);
  }
}

// The batched kernels: Reference has none of its own and takes the scalar build.
#define QNN_BATCHED_DISPATCH(fn, ...)                  \
  switch (isa) {                                       \
    case Isa::Avx512: return avx512::fn<T>(__VA_ARGS__); \
    case Isa::Avx2: return avx2::fn<T>(__VA_ARGS__);     \
    default: return scalar::fn<T>(__VA_ARGS__);          \
  }

template <Real T>
void batched_apply(Isa isa, T* re, T* im, unsigned n, unsigned B, std::span<const unsigned> targets,
                   std::span<const cplx> matrices, bool per_sample, std::span<const unsigned> controls) {
  if (per_sample) {
    QNN_BATCHED_DISPATCH(batched_apply_per_sample_impl, re, im, n, B, targets, matrices, controls)
  }
  QNN_BATCHED_DISPATCH(batched_apply_shared_impl, re, im, n, B, targets, matrices, controls)
}

template <Real T>
void batched_expectation(Isa isa, const T* re, const T* im, unsigned n, unsigned B, index_t x, index_t z,
                         unsigned ny, double* out) {
  QNN_BATCHED_DISPATCH(batched_expectation_impl, re, im, n, B, x, z, ny, out)
}

template <Real T>
void batched_add_pauli(Isa isa, const T* src_re, const T* src_im, T* re, T* im, unsigned n, unsigned B, index_t x,
                       index_t z, unsigned ny, const double* coeff, bool accumulate) {
  QNN_BATCHED_DISPATCH(batched_add_pauli_impl, src_re, src_im, re, im, n, B, x, z, ny, coeff, accumulate)
}

template <Real T>
void batched_matrix_element(Isa isa, const T* bra_re, const T* bra_im, const T* ket_re, const T* ket_im, unsigned n,
                            unsigned B, std::span<const unsigned> targets, std::span<const cplx> matrices,
                            bool per_sample, std::span<const unsigned> controls, cplx* out) {
  QNN_BATCHED_DISPATCH(batched_matrix_element_impl, bra_re, bra_im, ket_re, ket_im, n, B, targets, matrices,
                       per_sample, controls, out)
}

template <Real T>
void batched_adjoint_step(Isa isa, T* phi_re, T* phi_im, T* lam_re, T* lam_im, unsigned n, unsigned B,
                          AdjointStep& step, double* per_sample) {
  QNN_BATCHED_DISPATCH(batched_adjoint_step_impl, phi_re, phi_im, lam_re, lam_im, n, B, step, per_sample)
}
template <Real T>
void batched_real_pair(Isa isa, T* re, T* im, unsigned n, unsigned B, unsigned qa, const T* ma, bool per_sample_a,
                       unsigned qb, const T* mb, bool per_sample_b) {
  QNN_BATCHED_DISPATCH(batched_real_pair_impl, re, im, n, B, qa, ma, per_sample_a, qb, mb, per_sample_b)
}
template <Real T>
bool batched_adjoint_pair(Isa isa, T* phi_re, T* phi_im, T* lam_re, T* lam_im, unsigned n, unsigned B,
                          AdjointStep& first, AdjointStep& second, double* per_sample) {
  QNN_BATCHED_DISPATCH(batched_adjoint_pair_impl, phi_re, phi_im, lam_re, lam_im, n, B, first, second, per_sample)
}
template <Real T>
void batched_diagonal_pass(Isa isa, T* phi_re, T* phi_im, T* lam_re, T* lam_im, unsigned n, unsigned B,
                           const DiagonalPass& pass) {
  QNN_BATCHED_DISPATCH(batched_diagonal_pass_impl, phi_re, phi_im, lam_re, lam_im, n, B, pass)
}
template <Real T>
void batched_product_state(Isa isa, T* re, T* im, unsigned n, unsigned B, const T* vr, const T* vi) {
  QNN_BATCHED_DISPATCH(batched_product_state_impl, re, im, n, B, vr, vi)
}
template <Real T>
void batched_z_expectations(Isa isa, const T* re, const T* im, unsigned n, unsigned B, const index_t* z,
                            unsigned terms, double* out) {
  if (terms > kMaxZTerms) throw ValueError("batched_z_expectations takes at most 4 terms");
  QNN_BATCHED_DISPATCH(batched_z_expectations_impl, re, im, n, B, z, terms, out)
}
template <Real T>
void batched_z_weighted(Isa isa, const T* src_re, const T* src_im, T* re, T* im, unsigned n, unsigned B,
                        const index_t* z, unsigned terms, const double* coeff) {
  if (terms > kMaxZTerms) throw ValueError("batched_z_weighted takes at most 4 terms");
  QNN_BATCHED_DISPATCH(batched_z_weighted_impl, src_re, src_im, re, im, n, B, z, terms, coeff)
}
template <Real T>
void batched_product_contract(Isa isa, const T* lam_re, const T* lam_im, unsigned n, unsigned B, unsigned k,
                              const double* al_re, const double* al_im, const double* ah_re, const double* ah_im,
                              double* tlo_re, double* tlo_im, double* thi_re, double* thi_im) {
  QNN_BATCHED_DISPATCH(batched_product_contract_impl, lam_re, lam_im, n, B, k, al_re, al_im, ah_re, ah_im, tlo_re,
                       tlo_im, thi_re, thi_im)
}
template <Real T>
void batched_permute_phase(Isa isa, T* phi_re, T* phi_im, T* lam_re, T* lam_im, unsigned n, unsigned B,
                           const index_t* cycle_rows, const index_t* cycle_starts, index_t num_cycles, const cplx* d,
                           double* corr) {
  QNN_BATCHED_DISPATCH(batched_permute_phase_impl, phi_re, phi_im, lam_re, lam_im, n, B, cycle_rows, cycle_starts,
                       num_cycles, d, corr)
}
#undef QNN_BATCHED_DISPATCH

#define QNN_BATCHED_DISPATCH_INSTANTIATE(T)                                                                         \
  template void batched_apply<T>(Isa, T*, T*, unsigned, unsigned, std::span<const unsigned>, std::span<const cplx>, \
                                 bool, std::span<const unsigned>);                                                  \
  template void batched_expectation<T>(Isa, const T*, const T*, unsigned, unsigned, index_t, index_t, unsigned,     \
                                       double*);                                                                    \
  template void batched_add_pauli<T>(Isa, const T*, const T*, T*, T*, unsigned, unsigned, index_t, index_t,         \
                                     unsigned, const double*, bool);                                                \
  template void batched_matrix_element<T>(Isa, const T*, const T*, const T*, const T*, unsigned, unsigned,          \
                                          std::span<const unsigned>, std::span<const cplx>, bool,                   \
                                          std::span<const unsigned>, cplx*);                                        \
  template void batched_adjoint_step<T>(Isa, T*, T*, T*, T*, unsigned, unsigned, AdjointStep&, double*);          \
  template bool batched_adjoint_pair<T>(Isa, T*, T*, T*, T*, unsigned, unsigned, AdjointStep&, AdjointStep&,      \
                                        double*);                                                                \
  template void batched_real_pair<T>(Isa, T*, T*, unsigned, unsigned, unsigned, const T*, bool, unsigned, const T*, \
                                     bool);                                                                         \
  template void batched_diagonal_pass<T>(Isa, T*, T*, T*, T*, unsigned, unsigned, const DiagonalPass&);           \
  template void batched_product_state<T>(Isa, T*, T*, unsigned, unsigned, const T*, const T*);                    \
  template void batched_z_expectations<T>(Isa, const T*, const T*, unsigned, unsigned, const index_t*, unsigned,   \
                                          double*);                                                                 \
  template void batched_z_weighted<T>(Isa, const T*, const T*, T*, T*, unsigned, unsigned, const index_t*,         \
                                      unsigned, const double*);                                                     \
  template void batched_product_contract<T>(Isa, const T*, const T*, unsigned, unsigned, unsigned, const double*,  \
                                            const double*, const double*, const double*, double*, double*,         \
                                            double*, double*);                                                     \
  template void batched_permute_phase<T>(Isa, T*, T*, T*, T*, unsigned, unsigned, const index_t*, const index_t*,  \
                                         index_t, const cplx*, double*);
QNN_BATCHED_DISPATCH_INSTANTIATE(float)
QNN_BATCHED_DISPATCH_INSTANTIATE(double)
#undef QNN_BATCHED_DISPATCH_INSTANTIATE

template void apply_dense_run<float>(Isa, complex<float>*, unsigned, std::span<const DenseGate>);
template void apply_dense_run<double>(Isa, complex<double>*, unsigned, std::span<const DenseGate>);
template void adjoint_steps<float>(Isa, complex<float>*, complex<float>*, unsigned, std::span<AdjointStep>);
template void adjoint_steps<double>(Isa, complex<double>*, complex<double>*, unsigned, std::span<AdjointStep>);
template void diagonal_pass<float>(Isa, complex<float>*, complex<float>*, unsigned, const DiagonalPass&);
template void diagonal_pass<double>(Isa, complex<double>*, complex<double>*, unsigned, const DiagonalPass&);
template void apply_1q_small<float>(Isa, complex<float>*, unsigned, unsigned, index_t, unsigned, const cplx*);
template void apply_1q_small<double>(Isa, complex<double>*, unsigned, unsigned, index_t, unsigned, const cplx*);
template void apply_2q_small<float>(Isa, complex<float>*, unsigned, unsigned, unsigned, const cplx*);
template void apply_2q_small<double>(Isa, complex<double>*, unsigned, unsigned, unsigned, const cplx*);
template cplx pauli_sum<float>(Isa, const complex<float>*, index_t, index_t, index_t, index_t);
template cplx pauli_sum<double>(Isa, const complex<double>*, index_t, index_t, index_t, index_t);
template void add_pauli<float>(Isa, const complex<float>*, complex<float>*, index_t, index_t, cplx, index_t, index_t);
template void add_pauli<double>(Isa, const complex<double>*, complex<double>*, index_t, index_t, cplx, index_t,
                                index_t);
template cplx matrix_element_1q<float>(Isa, const complex<float>*, const complex<float>*, unsigned, index_t, index_t,
                                       const cplx*);
template cplx matrix_element_1q<double>(Isa, const complex<double>*, const complex<double>*, unsigned, index_t,
                                        index_t, const cplx*);
template void apply_dense<float>(Isa, complex<float>*, unsigned, std::span<const unsigned>, std::span<const cplx>,
                                 std::span<const unsigned>);
template void apply_dense<double>(Isa, complex<double>*, unsigned, std::span<const unsigned>, std::span<const cplx>,
                                  std::span<const unsigned>);

}  // namespace kernels
}  // namespace qnn
