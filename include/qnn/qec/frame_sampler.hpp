#pragma once
// Pauli-frame sampling of a noisy Clifford circuit, 64 shots per machine word.
//
// A Clifford circuit with Pauli noise maps each shot's state to P·|ψ_ref⟩, with |ψ_ref⟩ the noiseless state and P a
// Pauli "frame" that the gates conjugate (H swaps a qubit's X and Z bits, CX copies X forward and Z backward, …).
// So one noiseless reference run on the tableau fixes the reference measurement results, and every shot only tracks
// its frame: a Z-basis result is the reference result XOR the frame's X bit. Frames are stored as bit-planes (for
// each qubit, an X word and a Z word hold 64 shots), so a gate is one XOR/swap per word for 64 shots, and noise of
// probability p is drawn with geometric skips between hits (cost ∝ p, not ∝ shots). After a measurement or reset the
// frame's Z bit (X bit for MX/RX) is randomised: on an eigenstate of the measured operator it is harmless, and it makes
// later measurements that anticommute with it random, as they must be (and the first ones, from |0…0⟩ with Z random).
//
// Detector and observable samples are the frame parts of their parities: the flip relative to the noiseless value.
#include <cstdint>
#include <span>
#include <vector>

#include "qnn/core/rng.hpp"
#include "qnn/qec/clifford_circuit.hpp"

namespace qnn::qec {

/// Bit-packed samples: plane k holds `words` words, bit s of word w = shot 64·w + s.
struct FrameSamples {
  std::size_t words = 0;
  std::vector<std::uint64_t> detectors;     // num_detectors planes
  std::vector<std::uint64_t> observables;   // num_observables planes
  std::vector<std::uint64_t> measurements;  // num_measurements planes (only when asked for)

  [[nodiscard]] std::size_t num_shots() const { return 64 * words; }
  [[nodiscard]] bool detector(std::size_t d, std::size_t shot) const { return (detectors[d * words + shot / 64] >> (shot % 64)) & 1U; }
  [[nodiscard]] bool observable(std::size_t k, std::size_t shot) const { return (observables[k * words + shot / 64] >> (shot % 64)) & 1U; }
  [[nodiscard]] bool measurement(std::size_t m, std::size_t shot) const { return (measurements[m * words + shot / 64] >> (shot % 64)) & 1U; }
  /// Per shot: the sorted indices of the detectors that fired (fired[s]), and the observable flips as a bit mask.
  void per_shot(std::vector<std::vector<std::uint32_t>>& fired, std::vector<std::uint64_t>& observable_flips) const;
};

class FrameSampler {
 public:
  /// Takes the noiseless reference run from a tableau simulation seeded with `reference_seed`.
  explicit FrameSampler(const CliffordCircuit& circuit, std::uint64_t reference_seed = 1);
  /// Reuses a reference record (from another sampler of the same circuit: threads share one reference).
  FrameSampler(const CliffordCircuit& circuit, std::vector<std::uint8_t> reference);

  /// Samples 64·words shots. `with_measurements`: also fill samples.measurements (reference XOR frame).
  void sample(std::size_t words, Rng& rng, FrameSamples& samples, bool with_measurements = false);

  [[nodiscard]] const std::vector<std::uint8_t>& reference() const { return reference_; }
  [[nodiscard]] const CliffordCircuit& circuit() const { return circuit_; }

 private:
  CliffordCircuit circuit_;
  std::vector<std::uint8_t> reference_;
  std::vector<std::uint64_t> x_, z_, record_;  // frame planes per qubit; frame flips per measurement
};

}  // namespace qnn::qec
