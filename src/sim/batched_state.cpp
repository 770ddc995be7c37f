#include "qnn/sim/batched_state.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/sim/kernels.hpp"

namespace qnn {

template <Real T>
BatchedStateVector<T>::BatchedStateVector(unsigned num_qubits, unsigned batch)
    : BatchedStateVector(num_qubits, batch, Uninitialized{}) {
  set_zero_state();
}

template <Real T>
BatchedStateVector<T>::BatchedStateVector(unsigned num_qubits, unsigned batch, Uninitialized)
    : n_(num_qubits), batch_(batch) {
  if (batch == 0) throw ValueError("a batch needs at least one sample");
  if (num_qubits == 0 || num_qubits > 40) throw ValueError("a batched state has 1 to 40 qubits, got " + std::to_string(num_qubits));
  // In double: 2^40 amplitudes × a large batch overflows 64 bits.
  const double want = std::ldexp(double(batch) * double(sizeof(value_type)), static_cast<int>(num_qubits));
  const std::uint64_t bytes = want >= 1.8e19 ? ~std::uint64_t{0} : static_cast<std::uint64_t>(want);
  if (allocation_needs_check(bytes)) {
    check_allocation(bytes, "a batch of " + std::to_string(batch) + " states of " + std::to_string(num_qubits) + " qubits");
  }
  re_ = AlignedBuffer<T>((std::size_t{1} << num_qubits) * batch);
  im_ = AlignedBuffer<T>((std::size_t{1} << num_qubits) * batch);
}

template <Real T>
void BatchedStateVector<T>::set_zero() {
  std::fill(re_.begin(), re_.end(), T(0));
  std::fill(im_.begin(), im_.end(), T(0));
}

template <Real T>
void BatchedStateVector<T>::set_zero_state() {
  set_zero();
  for (unsigned b = 0; b < batch_; ++b) re_[b] = T(1);
}

template <Real T>
void BatchedStateVector<T>::check(std::span<const unsigned> targets, std::span<const unsigned> controls,
                                  std::size_t entries, bool per_sample) const {
  if (targets.empty() || targets.size() > 5) throw ValueError("a batched gate acts on 1 to 5 target qubits");
  index_t seen = 0;
  for (auto list : {targets, controls})
    for (unsigned q : list) {
      if (q >= n_) throw ValueError("qubit " + std::to_string(q) + " out of range [0, " + std::to_string(n_) + ")");
      if (seen >> q & 1U) throw ValueError("qubit " + std::to_string(q) + " used twice in one gate");
      seen |= index_t{1} << q;
    }
  const std::size_t dim = std::size_t{1} << targets.size();
  const std::size_t want = dim * dim * (per_sample ? batch_ : 1);
  if (entries != want) {
    throw ValueError("batched gate needs " + std::to_string(want) + " matrix entries, got " + std::to_string(entries));
  }
}

template <Real T>
void BatchedStateVector<T>::apply_matrix(std::span<const unsigned> targets, std::span<const cplx> matrix,
                                         std::span<const unsigned> controls) {
  check(targets, controls, matrix.size(), false);
  kernels::batched_apply<T>(active_isa(), re_.data(), im_.data(), n_, batch_, targets, matrix, false, controls);
}

template <Real T>
void BatchedStateVector<T>::apply_matrix_per_sample(std::span<const unsigned> targets, std::span<const cplx> matrices,
                                                    std::span<const unsigned> controls) {
  check(targets, controls, matrices.size(), true);
  kernels::batched_apply<T>(active_isa(), re_.data(), im_.data(), n_, batch_, targets, matrices, true, controls);
}

template <Real T>
void BatchedStateVector<T>::expectation(const PauliMasks& p, std::span<double> out) const {
  if (out.size() != batch_) throw ValueError("expectation output must have one entry per sample");
  if (n_ < 64 && ((p.x | p.z) >> n_) != 0) throw ValueError("Pauli string acts on a qubit beyond the state");
  kernels::batched_expectation<T>(active_isa(), re_.data(), im_.data(), n_, batch_, p.x, p.z, p.num_y(), out.data());
}

template <Real T>
void BatchedStateVector<T>::add_pauli_applied(const BatchedStateVector& src, const PauliMasks& p,
                                              std::span<const double> coeff) {
  pauli_applied(src, p, coeff, true);
}

template <Real T>
void BatchedStateVector<T>::set_pauli_applied(const BatchedStateVector& src, const PauliMasks& p,
                                              std::span<const double> coeff) {
  pauli_applied(src, p, coeff, false);
}

template <Real T>
void BatchedStateVector<T>::pauli_applied(const BatchedStateVector& src, const PauliMasks& p,
                                          std::span<const double> coeff, bool accumulate) {
  if (src.n_ != n_ || src.batch_ != batch_) throw ValueError("batched states differ in shape");
  if (coeff.size() != batch_) throw ValueError("one coefficient per sample is needed");
  if (n_ < 64 && ((p.x | p.z) >> n_) != 0) throw ValueError("Pauli string acts on a qubit beyond the state");
  if (&src == this) throw ValueError("a Pauli string applied to a batched state needs another state to write");
  kernels::batched_add_pauli<T>(active_isa(), src.re_.data(), src.im_.data(), re_.data(), im_.data(), n_, batch_, p.x,
                                p.z, p.num_y(), coeff.data(), accumulate);
}

template <Real T>
void BatchedStateVector<T>::matrix_element(const BatchedStateVector& bra, std::span<const unsigned> targets,
                                           std::span<const cplx> matrices, bool per_sample,
                                           std::span<const unsigned> controls, const BatchedStateVector& ket,
                                           std::span<cplx> out) {
  if (bra.n_ != ket.n_ || bra.batch_ != ket.batch_) throw ValueError("batched states differ in shape");
  ket.check(targets, controls, matrices.size(), per_sample);
  if (out.size() != ket.batch_) throw ValueError("matrix_element output must have one entry per sample");
  kernels::batched_matrix_element<T>(active_isa(), bra.re_.data(), bra.im_.data(), ket.re_.data(), ket.im_.data(),
                                     ket.n_, ket.batch_, targets, matrices, per_sample, controls, out.data());
}

template <Real T>
void BatchedStateVector<T>::adjoint_step(BatchedStateVector& phi, BatchedStateVector& lambda,
                                         kernels::AdjointStep& step, std::span<double> per_sample) {
  if (phi.n_ != lambda.n_ || phi.batch_ != lambda.batch_) throw ValueError("batched states differ in shape");
  if (step.num_controls > step.controls.size() || step.num_generators > step.generators.size())
    throw ValueError("adjoint step has too many controls or generators");
  if (!per_sample.empty() && per_sample.size() != std::size_t{step.num_generators} * phi.batch_)
    throw ValueError("per-sample adjoint sums need generators × batch entries");
  const unsigned target[1] = {step.target};
  phi.check(target, std::span<const unsigned>(step.controls.data(), step.num_controls), 4, false);
  kernels::batched_adjoint_step<T>(active_isa(), phi.re_.data(), phi.im_.data(), lambda.re_.data(),
                                   lambda.im_.data(), phi.n_, phi.batch_, step,
                                   per_sample.empty() ? nullptr : per_sample.data());
}

template <Real T>
bool BatchedStateVector<T>::adjoint_pair(BatchedStateVector& phi, BatchedStateVector& lambda,
                                         kernels::AdjointStep& first, kernels::AdjointStep& second,
                                         std::span<double> per_sample) {
  if (phi.n_ != lambda.n_ || phi.batch_ != lambda.batch_) throw ValueError("batched states differ in shape");
  for (const kernels::AdjointStep* st : {&first, &second}) {
    if (st->num_controls > st->controls.size() || st->num_generators > st->generators.size())
      throw ValueError("adjoint step has too many controls or generators");
    const unsigned target[1] = {st->target};
    phi.check(target, std::span<const unsigned>(st->controls.data(), st->num_controls), 4, false);
  }
  if (!per_sample.empty() &&
      per_sample.size() < std::size_t{first.num_generators + second.num_generators} * phi.batch_)
    throw ValueError("per-sample sums need (generators of both steps) x batch entries");
  if (phi.n_ < 2) return false;
  return kernels::batched_adjoint_pair<T>(active_isa(), phi.re_.data(), phi.im_.data(), lambda.re_.data(),
                                          lambda.im_.data(), phi.n_, phi.batch_, first, second,
                                          per_sample.empty() ? nullptr : per_sample.data());
}

template class BatchedStateVector<float>;
template class BatchedStateVector<double>;

}  // namespace qnn
