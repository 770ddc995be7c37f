#pragma once
// Trainable circuits (ansätze). Each builder appends gates to a Circuit, reads its weights as θ_{first_theta},
// θ_{first_theta+1}, … in the order its comment states, and returns how many it used, so several blocks (or an
// encoding and a block) share one weight vector. `Ansatz` wraps any of them — or a user's own — behind one interface,
// and `make_ansatz("hea-ring")` picks one by name.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "qnn/circuit/circuit.hpp"

namespace qnn {

/// Strongly entangling layers (Schuld et al. 2020): in layer l every qubit gets Rot(φ, θ, ω) = RZ(ω) RY(θ) RZ(φ),
/// then CNOT(i → (i + r) mod n) for every i, with range r = (l mod (n − 1)) + 1. Uses 3·n·layers weights starting at
/// θ_{first_theta}; returns the number of weights used.
unsigned strongly_entangling(Circuit& c, unsigned layers, unsigned first_theta = 0);

/// Basic entangler layers (PennyLane's BasicEntanglerLayers): in each layer one `rotation` (RX, RY or RZ) per qubit,
/// weight order qubit 0 … n−1, then a CNOT ring i → i+1 mod n (for n = 2 the single CNOT 0 → 1, since the ring would
/// undo it; none for n = 1). Uses n·layers weights.
unsigned basic_entangler(Circuit& c, unsigned layers, unsigned first_theta = 0, GateKind rotation = GateKind::RX);

/// The single-qubit block of hardware-efficient layers, and its weights in order: RY(a); RY(a) then RZ(b);
/// U3(θ, φ, λ) (OpenQASM's u, weights θ, φ, λ).
enum class RotationBlock { RY, RYRZ, U3 };
/// Which pairs the entangling gates of a hardware-efficient layer act on: linear (i, i+1), ring (linear plus (n−1, 0)
/// for n > 2), full (every i < j).
enum class Entanglement { Linear, Ring, Full };

struct HardwareEfficientOptions {
  Entanglement entanglement = Entanglement::Ring;
  RotationBlock rotation = RotationBlock::RY;
  /// CZ by default: CZs commute, so a local observable's light cone grows by one neighbour per side and layer — the
  /// structure under which Cerezo et al.'s local-cost bound holds. CX is the other choice (a CNOT ladder can carry
  /// an operator across the whole chain in one layer).
  GateKind entangler = GateKind::CZ;
  /// A closing rotation layer after the last entangler (Qiskit's TwoLocal does the same), so no entangler is
  /// directly followed by the measurement.
  bool final_rotation = true;
};

/// Weights of one rotation block (1, 2 or 3).
unsigned rotation_block_size(RotationBlock r);

/// Hardware-efficient layers (Kandala et al. 2017): `layers` times [rotation block on every qubit, qubit-major weight
/// order, then the entangler on every pair of the pattern], then one more rotation layer if final_rotation.
/// Uses n·rotation_block_size·(layers + final_rotation) weights.
unsigned hardware_efficient(Circuit& c, unsigned layers, const HardwareEfficientOptions& options = {},
                            unsigned first_theta = 0);

/// What a block that narrows the register down leaves for readout.
struct NarrowingResult {
  unsigned num_weights = 0;
  /// Qubits still active at the end, ascending (QCNN), or the root alone (tree tensor network).
  std::vector<unsigned> readout;
};

struct QcnnOptions {
  /// Pool until at most this many qubits remain active (≥ 1).
  unsigned readout_qubits = 1;
  /// Every convolution block of one sweep shares its 8 weights (Cong et al.'s translation invariance), and every
  /// pooling block of one level its 2; false gives each block its own.
  bool share_weights = true;
};

/// Quantum convolutional neural network (Cong et al. 2019). Levels repeat while more than readout_qubits qubits are
/// active (a_0 < a_1 < … < a_{m−1}):
///  - convolution, `layers` sweeps, each a brick wall: blocks on (a_0, a_1), (a_2, a_3), … then (a_1, a_2), … ;
///    block W(a, b) = U3(a) U3(b), CNOT(a → b), RY(a), RZ(b), CNOT(b → a) — weights θ_a φ_a λ_a θ_b φ_b λ_b, then
///    the RY's and the RZ's (8);
///  - pooling of pairs (a_{2i}, a_{2i+1}): the discarded a_{2i+1} controls CRZ onto a_{2i}, is flipped, and controls
///    CRX onto a_{2i} (the unitary form of "measure, then rotate the neighbour by the outcome"; 2 weights). a_{m−1}
///    of an odd m has no partner and stays active.
/// So active qubits keep the even positions: 0 … n−1 → 0, 2, 4, … → 0, 4, … → … → 0.
NarrowingResult qcnn(Circuit& c, unsigned layers, const QcnnOptions& options = {}, unsigned first_theta = 0);

/// Tree tensor network (Grant et al. 2018), `layers` trees stacked: level s joins (q, q + 2^s) for q = 0, 2^{s+1},
/// …, as far as q + 2^s < n, with block B(a, b) = rotation(a), rotation(b), CNOT(b → a) (rotation weights of a,
/// then b); after the last level one more rotation on the root, qubit 0. Returns the root as readout.
NarrowingResult tree_tensor_network(Circuit& c, unsigned layers, RotationBlock rotation = RotationBlock::RY,
                                    unsigned first_theta = 0);

/// Any ansatz behind one interface: its name, how to append it, and how many weights n qubits and L layers need
/// (so a model can size its weight vector before building a circuit).
class Ansatz {
 public:
  /// Appends the ansatz to c with weights from first_theta; returns the weights used and the readout qubits.
  using Builder = std::function<NarrowingResult(Circuit& c, unsigned layers, unsigned first_theta)>;

  Ansatz(std::string name, Builder build);

  [[nodiscard]] const std::string& name() const { return name_; }
  /// Appends to c. readout lists every qubit for ansätze that do not narrow the register.
  NarrowingResult apply(Circuit& c, unsigned layers, unsigned first_theta = 0) const;
  /// Weights `layers` layers on `qubits` qubits use.
  [[nodiscard]] unsigned num_weights(unsigned qubits, unsigned layers) const;
  /// A fresh circuit holding only the ansatz (weights from θ_0).
  [[nodiscard]] Circuit circuit(unsigned qubits, unsigned layers) const;

 private:
  std::string name_;
  Builder build_;
};

/// A user's own layer: appends layer number `layer` to c reading weights from first_theta on, returns how many it
/// used. Called once per layer; the weights continue where the previous layer stopped.
using LayerFunction = std::function<unsigned(Circuit& c, unsigned layer, unsigned first_theta)>;
Ansatz custom_ansatz(std::string name, LayerFunction layer);

/// A user's layer given as a circuit: each layer appends `layer_template` with its θ_i read as θ_{offset+i}, where
/// offset advances by layer_template.num_theta() per layer. Its angles may be constants, inputs x_j, bare weights θ_i,
/// or expressions without weights; an angle mixing θ into a larger expression cannot be re-indexed and throws
/// ValueError (write a LayerFunction instead). The template may have fewer qubits than the circuit it is applied to.
Ansatz template_ansatz(std::string name, const Circuit& layer_template);

/// Options of the name-based factory.
struct AnsatzOptions {
  /// Rotation block of hea-* and ttn.
  RotationBlock rotation = RotationBlock::RY;
  /// The rotation of `basic` (RX, RY or RZ).
  GateKind basic_rotation = GateKind::RX;
  QcnnOptions qcnn = {};
};

/// Names make_ansatz accepts, in the order they are documented.
std::vector<std::string> ansatz_names();
/// basic | strong | hea-linear | hea-ring | hea-full | qcnn | ttn. Throws ValueError listing the names otherwise.
Ansatz make_ansatz(std::string_view name, const AnsatzOptions& options = {});
/// Weights `name` needs on `qubits` qubits with `layers` layers (ValueError for an unknown name).
unsigned ansatz_weight_count(std::string_view name, unsigned qubits, unsigned layers, const AnsatzOptions& options = {});

/// "ry" | "ry-rz" | "u3" (ValueError otherwise), and back.
RotationBlock parse_rotation_block(std::string_view name);
std::string_view rotation_block_name(RotationBlock r);

}  // namespace qnn
