#pragma once
// A mixed state of n qubits, ρ (2^n × 2^n), stored as the 2n-qubit vector vec(ρ) (QuEST's habit):
//
//   ρ_{r,c} is amplitude r + (c << n) of a StateVector<T> of 2n qubits,
//
// so qubit q of the row ("ket") index is vector qubit q and qubit q of the column ("bra") index is vector qubit q + n.
// Then UρU† is U on the ket qubits and conj(U) on the bra qubits, and a channel ρ → Σ_i K_i ρ K_i† on qubits Q is the
// superoperator S = Σ_i K_i ⊗ conj(K_i), a dense 2k-qubit matrix on (Q, Q + n): every operation runs on the
// state-vector kernels, with no second kernel family. Row and column indices are little-endian like everywhere else.
#include <cstdint>
#include <span>
#include <vector>

#include "qnn/core/bits.hpp"
#include "qnn/core/complex.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/sim/pauli_masks.hpp"
#include "qnn/sim/state_vector.hpp"

namespace qnn {

template <Real T>
class DensityMatrix {
 public:
  using real_type = T;
  using value_type = complex<T>;
  /// vec(ρ) has 2n qubits, and a state vector at most StateVector::kMaxQubits.
  static constexpr unsigned kMaxQubits = StateVector<T>::kMaxQubits / 2;

  /// |0…0⟩⟨0…0| on `num_qubits` qubits. Throws ResourceError, stating the bytes needed, before allocating a matrix that
  /// cannot fit in available memory.
  explicit DensityMatrix(unsigned num_qubits);
  /// |ψ⟩⟨ψ| (not renormalised).
  static DensityMatrix from_state(const StateVector<T>& psi);
  /// Bytes an n-qubit density matrix of this precision needs: 4^n amplitudes.
  static std::uint64_t bytes_needed(unsigned num_qubits);

  [[nodiscard]] unsigned num_qubits() const noexcept { return n_; }
  /// 2^n: rows (= columns) of ρ.
  [[nodiscard]] index_t dimension() const noexcept { return index_t{1} << n_; }
  /// ρ_{r,c} (bounds-checked).
  [[nodiscard]] value_type element(index_t row, index_t col) const;
  /// vec(ρ) as a 2n-qubit state vector: element (r, c) is entry r + (c << n).
  [[nodiscard]] const StateVector<T>& vectorised() const noexcept { return vec_; }
  [[nodiscard]] StateVector<T>& vectorised() noexcept { return vec_; }

  // --- evolution ----------------------------------------------------------------------------------------------------
  /// ρ ← C(U) ρ C(U)† for a 2^k × 2^k row-major `matrix` on `targets`, controlled on `controls` (StateVector's
  /// conventions). A 1-qubit gate (no controls) is one pass of the 2-qubit superoperator U ⊗ conj(U); bigger gates are
  /// two passes (U on the ket qubits, conj(U) on the bra qubits), since a 4-qubit superoperator costs 16 complex
  /// multiply-adds per amplitude and stops being memory-bound.
  void apply_matrix(std::span<const unsigned> targets, std::span<const cplx> matrix,
                    std::span<const unsigned> controls = {});
  /// ρ ← S(ρ) for a superoperator on k = qubits.size() qubits: a 4^k × 4^k row-major matrix whose row/column index is
  /// ket bits (bit j = qubits[j]) then bra bits (bit k + j = qubits[j] in the column index of ρ), i.e.
  /// S = Σ_i K_i ⊗ conj(K_i) in that order (superoperator_from_kraus builds it).
  void apply_superoperator(std::span<const unsigned> qubits, std::span<const cplx> superop);
  /// ρ ← Σ_i K_i ρ K_i† for 2^k × 2^k row-major Kraus matrices on `qubits` (one pass of their superoperator).
  void apply_kraus(std::span<const unsigned> qubits, std::span<const std::vector<cplx>> kraus);

  // --- reading ------------------------------------------------------------------------------------------------------
  /// Tr ρ (1 for a state; channels keep it).
  [[nodiscard]] double trace() const;
  /// Tr ρ² = Σ_{r,c} |ρ_{r,c}|² (ρ Hermitian): 1 for a pure state, 2^{-n} for the maximally mixed one.
  [[nodiscard]] double purity() const;
  /// The diagonal ρ_{i,i}: probabilities of the computational basis states.
  [[nodiscard]] std::vector<double> probabilities() const;
  /// `shots` basis-state indices drawn from the diagonal (reproducible from the seed).
  [[nodiscard]] std::vector<index_t> sample(std::uint64_t shots, Rng& rng) const;
  /// Tr(ρP) for a Pauli string, without forming P: P|r⟩ = i^{#Y}(−1)^{|r∧z|}|r⊕x⟩, so
  /// Tr(ρP) = i^{#Y} Σ_r (−1)^{|r∧z|} ρ_{r, r⊕x} — one pass over 2^n entries.
  [[nodiscard]] double expectation(const PauliMasks& p) const;
  /// The reduced state of `keep` (qubit j of the result is keep[j]), tracing out the others:
  /// (Tr_B ρ)_{a,a'} = Σ_b ρ_{(a,b),(a',b)}.
  [[nodiscard]] DensityMatrix partial_trace(std::span<const unsigned> keep) const;

 private:
  DensityMatrix(unsigned num_qubits, StateVector<T> vec) : n_(num_qubits), vec_(std::move(vec)) {}
  static StateVector<T> allocate(unsigned num_qubits);

  unsigned n_ = 0;
  StateVector<T> vec_;
};

/// S = Σ_i K_i ⊗ conj(K_i) for Kraus matrices on k qubits, in DensityMatrix::apply_superoperator's index order:
/// S[r_ket + (r_bra << k), c_ket + (c_bra << k)] = Σ_i K_i[r_ket, c_ket] · conj(K_i[r_bra, c_bra]).
std::vector<cplx> superoperator_from_kraus(unsigned num_qubits, std::span<const std::vector<cplx>> kraus);

extern template class DensityMatrix<float>;
extern template class DensityMatrix<double>;

}  // namespace qnn
