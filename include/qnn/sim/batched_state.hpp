#pragma once
// B pure states of n qubits stored amplitude-major, sample-minor, as two real planes: Re ψ_b[i] at re[i·B + b] and
// Im ψ_b[i] at im[i·B + b]. Every gate's inner loop then runs over the batch on plain reals, contiguous and
// vectorisable whatever qubit it acts on (interleaved complex numbers defeat the vectoriser there), and each sample may
// carry its own matrix (its own encoding angles). QNN circuits are small (2–16 qubits), where per-gate overhead, not arithmetic,
// dominates a loop over samples: batching pays that overhead once per gate instead of once per gate and sample.
#include <span>
#include <vector>

#include "qnn/core/bits.hpp"
#include "qnn/core/complex.hpp"
#include "qnn/core/memory.hpp"
#include "qnn/sim/kernels.hpp"
#include "qnn/sim/pauli_masks.hpp"

namespace qnn {

template <Real T>
class BatchedStateVector {
 public:
  using value_type = complex<T>;

  /// B copies of |0…0⟩. Throws ResourceError (stating the bytes) if it cannot fit.
  BatchedStateVector(unsigned num_qubits, unsigned batch);
  struct Uninitialized {};
  /// The storage only, its amplitudes unspecified until written: for a state that a pass overwrites whole (a scratch
  /// state, a product state), where zeroing first would cost a pass of its own.
  BatchedStateVector(unsigned num_qubits, unsigned batch, Uninitialized);

  [[nodiscard]] unsigned num_qubits() const noexcept { return n_; }
  [[nodiscard]] unsigned batch() const noexcept { return batch_; }
  [[nodiscard]] index_t size() const noexcept { return index_t{1} << n_; }
  /// ψ_b[i].
  [[nodiscard]] value_type amplitude(index_t i, unsigned b) const {
    return {re_[i * batch_ + b], im_[i * batch_ + b]};
  }

  /// The real and imaginary parts, re[i·B + b] and im[i·B + b], for kernels that take the layout as it is.
  [[nodiscard]] T* re() noexcept { return re_.data(); }
  [[nodiscard]] T* im() noexcept { return im_.data(); }
  [[nodiscard]] const T* re() const noexcept { return re_.data(); }
  [[nodiscard]] const T* im() const noexcept { return im_.data(); }

  /// Every sample back to |0…0⟩.
  void set_zero_state();
  void set_zero();

  /// The same 2^k × 2^k matrix on every sample.
  void apply_matrix(std::span<const unsigned> targets, std::span<const cplx> matrix,
                    std::span<const unsigned> controls = {});
  /// Sample b gets matrices[b·dim² … (b+1)·dim²).
  void apply_matrix_per_sample(std::span<const unsigned> targets, std::span<const cplx> matrices,
                               std::span<const unsigned> controls = {});

  /// out[b] = ⟨ψ_b|P|ψ_b⟩.
  void expectation(const PauliMasks& p, std::span<double> out) const;
  /// ψ_b ← ψ_b + c_b · P src_b.
  void add_pauli_applied(const BatchedStateVector& src, const PauliMasks& p, std::span<const double> coeff);
  /// ψ_b ← c_b · P src_b, whatever ψ held (the first term of a sum, without zeroing ψ first).
  void set_pauli_applied(const BatchedStateVector& src, const PauliMasks& p, std::span<const double> coeff);

  /// out[b] = ⟨bra_b| C(M_b) |ket_b⟩ with M_b = matrices[b·dim²…] if per_sample, else the one matrix for all.
  static void matrix_element(const BatchedStateVector& bra, std::span<const unsigned> targets,
                             std::span<const cplx> matrices, bool per_sample, std::span<const unsigned> controls,
                             const BatchedStateVector& ket, std::span<cplx> out);

  /// One backward step of the adjoint sweep with the same gate on every sample (kernels::batched_adjoint_step):
  /// step.sums[p] = Σ_b Re⟨λ_b|G_p|φ_b⟩, then U† on φ and (if step.update_lambda) on λ, in one pass.
  /// With `per_sample` (num_generators × B entries), each sample's term is written there too, at [p·B + b].
  static void adjoint_step(BatchedStateVector& phi, BatchedStateVector& lambda, kernels::AdjointStep& step,
                           std::span<double> per_sample = {});
  /// Two consecutive such steps, `first` then `second`, in one pass (kernels::batched_adjoint_pair) when both are
  /// RY-like; false (nothing done) otherwise. Both update λ; φ and λ may both come out negated (see the kernel).
  /// With `per_sample` ((first.num_generators + second.num_generators) × B entries), each sample's terms are written
  /// there too: first's generator p at [p·B + b], then second's rows.
  static bool adjoint_pair(BatchedStateVector& phi, BatchedStateVector& lambda, kernels::AdjointStep& first,
                           kernels::AdjointStep& second, std::span<double> per_sample = {});

 private:
  void pauli_applied(const BatchedStateVector& src, const PauliMasks& p, std::span<const double> coeff,
                     bool accumulate);
  void check(std::span<const unsigned> targets, std::span<const unsigned> controls, std::size_t matrix_entries,
             bool per_sample) const;
  unsigned n_;
  unsigned batch_;
  AlignedBuffer<T> re_;
  AlignedBuffer<T> im_;
};

extern template class BatchedStateVector<float>;
extern template class BatchedStateVector<double>;

}  // namespace qnn
