#pragma once
// A noise model: which channels follow which gates, idle noise per moment, and readout error parameters; and the
// function that turns (Circuit, NoiseModel) into the noisy operation sequence every noisy backend runs.
//
//   NoiseModel m;
//   m.add_gate_noise(depolarizing(1e-3), {.gate_qubits = 1});          // after every 1-qubit gate
//   m.add_gate_noise(depolarizing2(1e-2), {.gates = {GateKind::CX}});  // after every CX, on its two qubits
//   m.set_readout_error({.p1_given_0 = 0.01, .p0_given_1 = 0.03});
//
// How a rule's channel meets a gate: a 1-qubit channel follows the gate on each qubit it touches (controls included;
// only those in the rule's qubit list, if it has one); a k-qubit channel with k > 1 follows a gate on exactly k
// qubits, on the gate's qubits in order (controls first), when all of them are in the rule's qubit list; otherwise the
// rule does not apply to that gate.
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/noise/channel.hpp"

namespace qnn {

/// Which gates a rule follows; every empty field matches everything.
struct GateSelector {
  /// Gate kinds (empty: any kind).
  std::vector<GateKind> gates{};
  /// Qubits (empty: any qubit); see the header comment for how it filters.
  std::vector<unsigned> qubits{};
  /// Only gates on this many qubits, controls included (0: any).
  unsigned gate_qubits = 0;
};

/// Classical readout error of one qubit: the probabilities of reading 1 when it is 0 and 0 when it is 1 (applied and
/// mitigated by qnn/noise/readout_error.hpp).
struct ReadoutError {
  double p1_given_0 = 0;
  double p0_given_1 = 0;
  [[nodiscard]] bool is_zero() const { return p1_given_0 == 0 && p0_given_1 == 0; }
};

struct GateNoiseRule {
  GateSelector selector;
  std::shared_ptr<const Channel> channel;
};

class NoiseModel {
 public:
  /// Appends a rule (rules apply in the order added).
  NoiseModel& add_gate_noise(Channel channel, GateSelector selector = {});
  /// A 1-qubit channel applied, after each moment, to every qubit that no gate of that moment touches. Moments are
  /// the ASAP layering of the circuit (a gate goes one moment after the latest gate on any of its qubits).
  NoiseModel& set_idle_noise(Channel channel);
  /// The same readout error on every qubit (each probability in [0, 1]).
  NoiseModel& set_readout_error(ReadoutError e);
  /// Readout error of one qubit (overrides the all-qubit one).
  NoiseModel& set_readout_error(unsigned qubit, ReadoutError e);

  [[nodiscard]] const std::vector<GateNoiseRule>& gate_rules() const { return rules_; }
  [[nodiscard]] const std::shared_ptr<const Channel>& idle_noise() const { return idle_; }
  [[nodiscard]] ReadoutError readout_error(unsigned qubit) const;
  [[nodiscard]] bool has_readout_error() const;
  /// No gate or idle noise (readout error aside): a noisy run equals a noiseless one.
  [[nodiscard]] bool is_noiseless() const { return rules_.empty() && !idle_; }

  /// A short name for messages ("depolarizing:0.01", "ibm-like", a file's "name").
  std::string name;
  /// One line per rule, the idle noise and the readout error (for `--help`-like listings and the docs).
  [[nodiscard]] std::string description() const;

 private:
  std::vector<GateNoiseRule> rules_;
  std::shared_ptr<const Channel> idle_;
  ReadoutError readout_all_;
  std::vector<std::optional<ReadoutError>> readout_;
};

/// One step of a noisy circuit: a gate of the circuit (its index in c.ops()) or a channel on some qubits.
struct NoisyOperation {
  static constexpr std::size_t kChannel = ~std::size_t{0};
  std::size_t gate = kChannel;
  std::shared_ptr<const Channel> channel;
  std::vector<unsigned> qubits;
  [[nodiscard]] bool is_gate() const { return gate != kChannel; }
};

/// The circuit's gates with the model's channels inserted after them (and idle noise after each moment). Without idle
/// noise the gates keep their order; with it they are emitted moment by moment (gates in one moment commute).
std::vector<NoisyOperation> noisy_operations(const Circuit& c, const NoiseModel& model);

/// Offsets of each operation's first angle in bind_angles' flattened list (size c.size() + 1).
std::vector<std::size_t> angle_offsets(const Circuit& c);

}  // namespace qnn
