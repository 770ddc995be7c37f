#pragma once
// A pure state of n qubits as 2^n complex amplitudes.
//
// Ordering is little-endian: qubit k is bit k of the amplitude index, so |q_{n-1} … q_1 q_0⟩ has index Σ q_k 2^k.
// A k-qubit matrix acting on targets (t_0, …, t_{k-1}) is indexed the same way: bit j of its row/column index is the
// state of qubit t_j. Controls restrict a matrix to the subspace where every control qubit is 1.
#include <cstdint>
#include <span>
#include <vector>

#include "qnn/core/bits.hpp"
#include "qnn/core/complex.hpp"
#include "qnn/core/memory.hpp"
#include "qnn/sim/kernels.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/sim/pauli_masks.hpp"

namespace qnn {

template <Real T>
class StateVector {
 public:
  using real_type = T;
  using value_type = complex<T>;
  /// Index arithmetic is 64-bit; beyond this no machine has the memory anyway.
  static constexpr unsigned kMaxQubits = 50;
  /// Up to these sizes apply_matrix takes a 1-qubit gate (2-qubit gate without controls) through the small-state
  /// kernels, which have none of the vector kernel's set-up.
  static constexpr unsigned kSmall1qQubits = 10;
  static constexpr unsigned kSmall2qQubits = 8;

  /// |0…0⟩ on `num_qubits` qubits. Throws ResourceError, stating the bytes needed, before allocating a state that
  /// cannot fit in available memory.
  explicit StateVector(unsigned num_qubits);

  /// Bytes an n-qubit state of this precision needs.
  static std::uint64_t bytes_needed(unsigned num_qubits);

  /// A state with the given amplitudes (size must be a power of two ≥ 1); not renormalised.
  static StateVector from_amplitudes(std::span<const value_type> amplitudes);

  [[nodiscard]] unsigned num_qubits() const noexcept { return n_; }
  [[nodiscard]] index_t size() const noexcept { return index_t{1} << n_; }
  [[nodiscard]] value_type* data() noexcept { return amp_.data(); }
  [[nodiscard]] const value_type* data() const noexcept { return amp_.data(); }
  [[nodiscard]] std::span<const value_type> amplitudes() const noexcept { return {amp_.data(), amp_.size()}; }
  [[nodiscard]] value_type amplitude(index_t i) const;
  value_type& operator[](index_t i) noexcept { return amp_[i]; }
  const value_type& operator[](index_t i) const noexcept { return amp_[i]; }

  /// Set to the computational basis state |i⟩.
  void set_basis_state(index_t i);
  /// Set every amplitude to zero (a workspace for accumulating Σ c_k P_k |ψ⟩).
  void set_zero();

  // --- gates --------------------------------------------------------------------------------------------------------
  /// Apply a 2^k × 2^k row-major matrix (k = targets.size() ≥ 1) on `targets`, controlled on `controls` (all must be
  /// 1). Qubits must be distinct and < num_qubits(). The matrix is not checked for unitarity.
  void apply_matrix(std::span<const unsigned> targets, std::span<const cplx> matrix,
                    std::span<const unsigned> controls = {});
  /// Apply the gates in order, each as apply_matrix would (kernels::DenseGate: targets, full matrix, controls);
  /// consecutive gates on low qubits share one pass over the state, block by block (kernels::apply_dense_run).
  void apply_matrices(std::span<const kernels::DenseGate> gates);
  /// Apply a diagonal gate given by its 2^k diagonal entries.
  void apply_diagonal(std::span<const unsigned> targets, std::span<const cplx> diagonal,
                      std::span<const unsigned> controls = {});
  /// Multiply every amplitude by s.
  void scale(value_type s);

  // --- measurement --------------------------------------------------------------------------------------------------
  [[nodiscard]] double norm_squared() const;
  /// Divide by the norm; throws ValueError on a zero state.
  void normalize();
  /// |ψ_i|² for every i.
  [[nodiscard]] std::vector<double> probabilities() const;
  /// Probability that `qubit` reads 1.
  [[nodiscard]] double probability_one(unsigned qubit) const;
  /// `shots` basis-state indices drawn from |ψ_i|² (independent of the state; reproducible from the seed).
  [[nodiscard]] std::vector<index_t> sample(std::uint64_t shots, Rng& rng) const;
  /// Measure `qubit` in Z, collapse and renormalise; returns 0 or 1.
  int measure(unsigned qubit, Rng& rng);
  /// Measure `qubit` and flip it to |0⟩ if it read 1.
  void reset(unsigned qubit, Rng& rng);

  // --- observables --------------------------------------------------------------------------------------------------
  /// ⟨ψ|P|ψ⟩ for a Pauli string (real, since P is Hermitian).
  [[nodiscard]] double expectation(const PauliMasks& p) const;
  /// this += c · P|src⟩.
  void add_pauli_applied(const StateVector& src, const PauliMasks& p, cplx c);
  /// ⟨this|other⟩.
  [[nodiscard]] cplx inner(const StateVector& other) const;

  /// ⟨bra| C(M) |ket⟩ where C(M) is `matrix` on `targets` restricted to the subspace where every control is 1 and zero
  /// elsewhere: the derivative of a controlled gate's matrix is exactly such an operator.
  [[nodiscard]] static cplx matrix_element(const StateVector& bra, std::span<const unsigned> targets,
                                           std::span<const cplx> matrix, std::span<const unsigned> controls,
                                           const StateVector& ket);

 private:
  StateVector(unsigned num_qubits, AlignedBuffer<value_type> amp) : n_(num_qubits), amp_(std::move(amp)) {}
  void check_qubits(std::span<const unsigned> targets, std::span<const unsigned> controls) const;

  unsigned n_ = 0;
  AlignedBuffer<value_type> amp_;
};

extern template class StateVector<float>;
extern template class StateVector<double>;

}  // namespace qnn
