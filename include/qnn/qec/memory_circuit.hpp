#pragma once
// A memory experiment: prepare a CSS code's logical |0⟩ (Z basis) or |+⟩ (X basis), run rounds of syndrome
// extraction under noise, measure every data qubit in the same basis. Detectors compare each stabilizer of the
// memory's basis with its previous value (the first round with the prepared value, the last with the data
// measurements); observable 0 is the logical operator of that basis read from the data measurements.
#include <string_view>

#include "qnn/qec/clifford_circuit.hpp"
#include "qnn/qec/css_code.hpp"

namespace qnn::qec {

enum class NoiseModel : std::uint8_t {
  None,
  /// Independent X and Z flips (each with p) on every data qubit once, then perfect rounds (Dennis et al. 2002).
  CodeCapacity,
  /// Independent X and Z flips on every data qubit before each round, and each ancilla measurement flipped with p.
  Phenomenological,
  /// DEPOLARIZE1(p) after single-qubit gates and on qubits idle in a layer, DEPOLARIZE2(p) after each CX, flips with
  /// p after each reset and before each measurement.
  CircuitLevel,
};

/// "none", "code-capacity", "phenomenological", "circuit" (ValueError otherwise).
NoiseModel parse_noise_model(std::string_view name);
std::string_view noise_model_name(NoiseModel m);

struct MemoryOptions {
  unsigned rounds = 1;
  Basis basis = Basis::Z;
  NoiseModel noise = NoiseModel::CircuitLevel;
  double p = 0.001;
};

/// Qubits: data 0 … num_data−1, then one ancilla per Z stabilizer, then one per X stabilizer. ValueError for 0 rounds
/// or p outside [0, 1].
CliffordCircuit memory_circuit(const CssCode& code, const MemoryOptions& options);

}  // namespace qnn::qec
