#pragma once
// A stabilizer state of n qubits as an Aaronson–Gottesman tableau (Phys. Rev. A 70, 052328, 2004): n destabilizer
// and n stabilizer generators, each a signed Pauli string stored as bit-packed x and z rows (64 qubits per word).
//
// Layout: row-major (one row = one generator, its qubits packed in words). The product of two generators (AG's
// rowsum, the core of every measurement) is then a word-parallel XOR with the phase from popcounts:
// O(n/64) per product. A gate touches one bit column of every row: O(n) bit operations, which is cheap next to a
// measurement (up to 2n products). The bulk of QEC sampling runs in the Pauli-frame sampler; the tableau gives its
// noiseless reference sample and the naive per-shot baseline.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/qec/clifford_circuit.hpp"

namespace qnn::qec {

class Tableau {
 public:
  /// |0…0⟩ on `num_qubits` qubits (stabilizers Z_k, destabilizers X_k).
  explicit Tableau(std::uint32_t num_qubits);

  [[nodiscard]] std::uint32_t num_qubits() const { return n_; }

  // Clifford gates: each conjugates every generator, P → U P U†.
  void h(std::uint32_t q);
  void s(std::uint32_t q);
  void s_dag(std::uint32_t q);
  void x(std::uint32_t q);
  void y(std::uint32_t q);
  void z(std::uint32_t q);
  void cx(std::uint32_t control, std::uint32_t target);
  void cz(std::uint32_t a, std::uint32_t b);
  void swap(std::uint32_t a, std::uint32_t b);

  /// Whether measuring Z on q has a determined outcome (no stabilizer anticommutes with Z_q).
  [[nodiscard]] bool is_deterministic_z(std::uint32_t q) const;
  /// Measure Z on q (random outcomes drawn from rng), collapse, return 0 or 1.
  int measure_z(std::uint32_t q, Rng& rng);
  int measure_x(std::uint32_t q, Rng& rng);
  void reset_z(std::uint32_t q, Rng& rng);
  void reset_x(std::uint32_t q, Rng& rng);

  /// Stabilizer generator i < n: bit q of its x and z parts, and its sign (true: −).
  [[nodiscard]] bool stabilizer_x(std::uint32_t i, std::uint32_t q) const { return bit(xs_, n_ + i, q); }
  [[nodiscard]] bool stabilizer_z(std::uint32_t i, std::uint32_t q) const { return bit(zs_, n_ + i, q); }
  [[nodiscard]] bool stabilizer_sign(std::uint32_t i) const { return signs_[n_ + i] != 0; }
  /// e.g. "-XZ_Y" (qubit 0 first).
  [[nodiscard]] std::string stabilizer_string(std::uint32_t i) const;

 private:
  [[nodiscard]] bool bit(const std::vector<std::uint64_t>& m, std::uint32_t row, std::uint32_t q) const {
    return (m[std::size_t{row} * words_ + q / 64] >> (q % 64)) & 1U;
  }
  // Generator h ← generator i · generator h (AG's rowsum), phase included.
  void multiply_into(std::uint32_t h, std::uint32_t i);
  void copy_row(std::uint32_t to, std::uint32_t from);
  void clear_row(std::uint32_t row);

  std::uint32_t n_;
  std::size_t words_;
  // Rows 0..n−1 destabilizers, n..2n−1 stabilizers, 2n scratch.
  std::vector<std::uint64_t> xs_, zs_;
  std::vector<std::uint8_t> signs_;
};

/// Applies a qnn Circuit made of Clifford gates (I X Y Z H S Sdg CX CZ SWAP, no extra controls); ValueError naming the
/// first other gate. For cross-checks against the state-vector simulator.
void apply_circuit(Tableau& tableau, const Circuit& circuit);

/// One shot of a circuit on a tableau: its measurement record (0/1 per measurement, in order). With `with_noise`
/// every noise instruction is sampled and its Paulis applied as gates: the naive per-shot simulation that the
/// Pauli-frame sampler replaces; without it, the noiseless reference sample.
std::vector<std::uint8_t> tableau_sample(const CliffordCircuit& circuit, Rng& rng, bool with_noise = true);

/// Detector values (one byte each) and observable flips (bit k for observable k) of a measurement record: the plain
/// parities of the measurements they name.
void record_parities(const CliffordCircuit& circuit, std::span<const std::uint8_t> record,
                     std::vector<std::uint8_t>& detectors, std::uint64_t& observables);

}  // namespace qnn::qec
