#pragma once
// A noisy Clifford circuit with detectors and logical observables: the input of the tableau simulator, the Pauli-frame
// sampler and the detector-error-model extraction. Its text form follows Stim's circuit format:
//
//   R 0 1 2
//   X_ERROR(0.01) 0 1 2
//   CX 0 1
//   M 0 1
//   DETECTOR(0.5, 0, 0) rec[-1] rec[-2]
//   OBSERVABLE_INCLUDE(0) rec[-1]
//
// A detector is a parity of measurement results that is deterministic without noise; an observable is a parity whose
// flips the decoders predict. Both name measurements by look-back (rec[-k]: the k-th most recent measurement).
#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace qnn::qec {

enum class OpCode : std::uint8_t {
  // Clifford gates (single-qubit: each target; two-qubit: consecutive target pairs).
  H, S, S_DAG, X, Y, Z, CX, CZ, SWAP,
  // Measurement in Z / X (result appended to the record) and reset to |0⟩ / |+⟩.
  M, MX, R, RX,
  // Pauli noise with probability args[0]: X_ERROR / Z_ERROR flip each target; DEPOLARIZE1 applies X, Y or Z (each p/3)
  // to each target; DEPOLARIZE2 one of the 15 non-identity two-qubit Paulis (each p/15) to each target pair.
  X_ERROR, Z_ERROR, DEPOLARIZE1, DEPOLARIZE2,
  // DETECTOR(coords…) rec[-k]…: targets are the look-backs k ≥ 1. OBSERVABLE_INCLUDE(index) rec[-k]…: args[0] = index.
  DETECTOR, OBSERVABLE_INCLUDE,
  // Marks the end of a layer of simultaneous operations (no effect on any simulation).
  TICK,
};

/// Name as written in the text form ("CX", "DEPOLARIZE1", …).
std::string_view opcode_name(OpCode code);

struct Instruction {
  OpCode code = OpCode::TICK;
  std::vector<double> args = {};            // noise probability, detector coordinates or observable index
  std::vector<std::uint32_t> targets = {};  // qubits, or measurement look-backs (k for rec[-k])
};

class CliffordCircuit {
 public:
  CliffordCircuit() = default;

  /// Appends an instruction after validating it (ValueError naming the instruction and the bad value: a probability
  /// outside [0, 1], an odd number of two-qubit targets or a pair on one qubit, a look-back before the first
  /// measurement or of 0, an observable index ≥ 64).
  CliffordCircuit& append(OpCode code, std::initializer_list<std::uint32_t> targets, std::vector<double> args = {});
  CliffordCircuit& append(OpCode code, std::vector<std::uint32_t> targets, std::vector<double> args = {});
  /// A detector over absolute measurement indices (converted to look-backs), with optional coordinates.
  CliffordCircuit& detector(const std::vector<std::uint64_t>& measurements, std::vector<double> coords = {});
  /// Adds the given absolute measurement indices to observable `index`.
  CliffordCircuit& observable(std::uint32_t index, const std::vector<std::uint64_t>& measurements);
  CliffordCircuit& tick() { return append(OpCode::TICK, std::vector<std::uint32_t>{}); }

  [[nodiscard]] const std::vector<Instruction>& instructions() const { return ops_; }
  [[nodiscard]] std::uint32_t num_qubits() const { return num_qubits_; }
  [[nodiscard]] std::uint64_t num_measurements() const { return num_measurements_; }
  [[nodiscard]] std::uint32_t num_detectors() const { return num_detectors_; }
  [[nodiscard]] std::uint32_t num_observables() const { return num_observables_; }
  /// (x, y, t) of each detector (missing coordinates are 0).
  [[nodiscard]] std::vector<std::array<double, 3>> detector_coordinates() const;
  /// The same circuit with every noise instruction removed.
  [[nodiscard]] CliffordCircuit without_noise() const;

  /// Text form, one instruction per line; parse(to_text()) gives the same circuit.
  [[nodiscard]] std::string to_text() const;
  /// Reads the text form; ParseError "file:line:column: what" for unknown instructions, malformed arguments or
  /// targets, and anything append() rejects.
  static CliffordCircuit parse(std::string_view text, const std::string& file = "<circuit>");

 private:
  std::vector<Instruction> ops_;
  std::uint32_t num_qubits_ = 0;
  std::uint64_t num_measurements_ = 0;
  std::uint32_t num_detectors_ = 0;
  std::uint32_t num_observables_ = 0;
};

/// Arity class of an opcode.
bool is_two_qubit(OpCode code);
bool is_noise(OpCode code);
bool is_measurement(OpCode code);

}  // namespace qnn::qec
