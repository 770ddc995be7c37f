#pragma once
// The QNN classifier: one model type whose pieces are data (ClassifierConfig).
//
//   raw x ─ standardise ─ [PCA, whitened] ─ [hidden dense layers] ─ encoding ─ ansatz ─ readout ⟨O_r⟩ ─ head ─ z ─ loss
//                                                                   (or `layers` × (encoding block, one ansatz layer)
//                                                                    with data re-uploading)
//
// The head is, by default, z_k = s_k ⟨O_k⟩ + b_k with a learned scale s_k and bias b_k per class (⟨Z⟩ ∈ [−1, 1] alone
// cannot make a confident softmax); with head layers it is a dense stack and a final linear layer to the classes; the
// fidelity loss reads the readout (probabilities) directly. The default configuration — angle encoding about Y,
// strongly entangling layers, ⟨Z_k⟩ per class, cross-entropy — is the original model, number for number.
//
// Gradients flow end to end: the head's backward pass gives ∂L/∂⟨O_r⟩, one adjoint sweep (batched over samples) turns
// that into ∂L/∂θ and, when there are hidden layers, ∂L/∂(circuit inputs), which the hidden stack back-propagates.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/light_cone.hpp"
#include "qnn/circuit/pauli.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/diff/batched_adjoint.hpp"
#include "qnn/ml/ansatz.hpp"
#include "qnn/ml/dataset.hpp"
#include "qnn/ml/dense_layer.hpp"
#include "qnn/ml/encoding.hpp"
#include "qnn/ml/loss.hpp"
#include "qnn/ml/readout.hpp"

namespace qnn {

enum class Precision : std::uint8_t { Single, Double };

struct ClassifierConfig {
  unsigned qubits = 4;
  unsigned layers = 3;
  unsigned num_features = 4;  // raw features of a sample
  unsigned num_classes = 3;
  /// The original encoding: R_axis(x_j) on qubit j mod n (features beyond n wrap around). Used when encoding_name is
  /// empty.
  RotationAxis encoding = RotationAxis::Y;
  Precision precision = Precision::Double;  // of the simulated state; gradients are accumulated in double

  /// Any make_encoding name but amplitude (angle-x|y|z, dense, basis, zz, iqp); these hold only their capacity.
  std::string encoding_name{};
  unsigned encoding_reps = 0;  // EncodingOptions::reps (0: 2 for zz, 1 otherwise)
  FeaturePairs encoding_pairs = FeaturePairs::Full;
  /// Data re-uploading: `layers` times (encoding block, one ansatz layer), with trainable feature scaling if asked.
  bool reupload = false;
  ReuploadScaling reupload_scaling = ReuploadScaling::None;
  /// Any make_ansatz name: basic, strong, hea-linear, hea-ring, hea-full, qcnn, ttn.
  std::string ansatz = "strong";
  RotationBlock rotation = RotationBlock::RY;  // of hea-* and ttn
  ReadoutKind readout = ReadoutKind::ZPerClass;
  std::vector<std::string> pauli_readout{};  // ReadoutKind::Pauli: one observable each, e.g. "Z0 Z1"
  /// 0: none; K: the standardised features are projected on their K principal components (fitted on the training
  /// data, set_pca) and whitened (divided by the component's standard deviation).
  unsigned pca_components = 0;
  /// Dense layers before the circuit; the last one's units are the circuit's inputs.
  std::vector<DenseLayerSpec> hidden{};
  /// Dense layers after the readout; a linear layer to the classes follows them.
  std::vector<DenseLayerSpec> head{};
  LossKind loss = LossKind::CrossEntropy;
};

class QuantumClassifier {
 public:
  /// Builds the circuit and draws initial weights from `seed`: θ uniform in [−π, π), then s_k = 1, b_k = 0 (or dense
  /// layers, Glorot/He uniform, hidden before head). ValueError for an inconsistent configuration (0 qubits, fewer
  /// than 2 classes, too few readout qubits, more features than the encoding holds, an unknown name, …).
  QuantumClassifier(const ClassifierConfig& config, std::uint64_t seed);

  [[nodiscard]] const ClassifierConfig& config() const { return config_; }
  [[nodiscard]] const Circuit& circuit() const { return circuit_; }
  [[nodiscard]] const std::vector<PauliSum>& readout() const { return readout_; }
  /// What the exact state-vector paths simulate: the gates that can change the readout, and the readout carried back
  /// through the tail they fold (qnn/circuit/light_cone.hpp). The noisy readout backend takes circuit() and readout().
  [[nodiscard]] const LightCone& light_cone() const { return cone_; }
  /// One line: "4 qubits, angle encoding (RY), 3 strongly entangling layers, …".
  [[nodiscard]] std::string describe() const;

  /// All trainable weights: [θ (circuit), hidden layers, head (s then b, or dense layers)].
  [[nodiscard]] std::vector<double>& weights() { return weights_; }
  [[nodiscard]] const std::vector<double>& weights() const { return weights_; }
  /// Replace every weight (size must match).
  void set_weights(std::vector<double> w);
  [[nodiscard]] unsigned num_circuit_weights() const { return circuit_.num_theta(); }
  /// Values the circuit reads per sample (its encoded inputs).
  [[nodiscard]] unsigned num_circuit_inputs() const { return hidden_.outputs(); }

  /// Partial training: only weights with mask[i] get a gradient from the loss_and_gradient functions (the others read
  /// 0, and frozen circuit weights cost nothing in the backward sweep). Empty: every weight is trainable.
  void set_trainable(std::vector<bool> mask);
  [[nodiscard]] const std::vector<bool>& trainable() const { return trainable_; }
  /// [first, last) of the circuit weights of ansatz layer `layer` (θ of layer l are contiguous). ValueError for
  /// ansätze without stackable layers (qcnn, ttn).
  [[nodiscard]] std::pair<unsigned, unsigned> layer_weights(unsigned layer) const;

  void set_standardizer(Standardizer st);
  [[nodiscard]] const Standardizer& standardizer() const { return standardizer_; }
  /// The PCA of the standardised training features (config.pca_components components over num_features inputs).
  void set_pca(Pca pca);
  [[nodiscard]] const Pca& pca() const { return pca_; }

  /// Standardised (and PCA-reduced) features of a raw sample: the input of the hidden layers.
  [[nodiscard]] std::vector<double> features(std::span<const double> x) const;
  /// What the circuit reads for a raw sample (features through the hidden layers).
  [[nodiscard]] std::vector<double> circuit_inputs(std::span<const double> x) const;

  /// Outputs z for one raw (unstandardised) sample: logits, or the fidelities for the fidelity loss.
  [[nodiscard]] std::vector<double> logits(std::span<const double> x) const;
  /// Class probabilities: softmax(z), or the fidelities normalised to sum 1 for the fidelity loss.
  [[nodiscard]] std::vector<double> probabilities(std::span<const double> x) const;
  [[nodiscard]] int predict(std::span<const double> x) const;
  /// The configured loss of one sample; adds its gradient w.r.t. weights() to `grad`.
  double loss_and_gradient(std::span<const double> x, int label, std::span<double> grad) const;

  /// How the circuit part of the gradient is computed. Adjoint is exact and cheapest; the others are what hardware
  /// can do: parameter-shift (exact or from shots), SPSA (two circuits per step whatever the number of weights,
  /// an unbiased estimate), central finite differences.
  enum class GradientMethod : std::uint8_t { Adjoint, ParameterShift, Spsa, FiniteDifference };
  struct HardwareOptions {
    GradientMethod method = GradientMethod::ParameterShift;
    std::uint64_t shots = 0;  // 0: exact expectations; else readout and shifted circuits estimated from shots
    double spsa_epsilon = 0.05;
  };
  /// Loss and gradient of one sample by a hardware-style method; `seed` drives shots and SPSA directions. With hidden
  /// layers the circuit's input gradient comes from the same method (SPSA gives none: ValueError).
  double loss_and_gradient(std::span<const double> x, int label, std::span<double> grad, const HardwareOptions& hw,
                           std::uint64_t seed) const;

  /// The same for the samples `indices` of `data`, all at once on a batched state (one sweep per gate for the whole
  /// batch); returns the summed loss and adds the summed gradient to `grad`.
  double batch_loss_and_gradient(const Dataset& data, std::span<const std::size_t> indices, std::span<double> grad) const;
  /// Outputs of the samples `indices`, row-major (samples × classes), computed on a batched state.
  [[nodiscard]] std::vector<double> batch_logits(const Dataset& data, std::span<const std::size_t> indices) const;

  /// Mean loss and accuracy over a data set (samples evaluated in parallel, summed in order).
  struct Score {
    double loss = 0;
    double accuracy = 0;
  };
  [[nodiscard]] Score evaluate(const Dataset& data) const;
  /// The same with every readout observable estimated from `shots` shots (sample i draws from a stream seeded by
  /// seed and i, so the score does not depend on the thread count). shots = 0: exact, as evaluate(data).
  [[nodiscard]] Score evaluate(const Dataset& data, std::uint64_t shots, std::uint64_t seed) const;

  /// Where batch_logits, batch_loss_and_gradient and evaluate (without shots) get the readout values and their
  /// vector–Jacobian product; empty: the exact batched state-vector adjoint. Set it to evaluate or train under a noise
  /// model, with or without error mitigation (qnn::noisy_readout in qnn/noise/noisy_readout.hpp has this signature).
  /// The per-sample and hardware-style paths (logits, loss_and_gradient) stay exact.
  using ReadoutBackend = std::function<BatchedVjpResult(const Circuit&, std::span<const PauliSum>,
                                                        std::span<const double>, const BatchInputs&, unsigned,
                                                        const BatchedUpstream&, const DiffWrt&)>;
  void set_readout_backend(ReadoutBackend backend) { readout_backend_ = std::move(backend); }
  [[nodiscard]] bool has_readout_backend() const { return static_cast<bool>(readout_backend_); }

 private:
  [[nodiscard]] std::vector<double> prepare(std::span<const double> x) const { return circuit_inputs(x); }
  template <Real T>
  [[nodiscard]] std::vector<double> logits_impl(std::span<const double> x) const;
  template <Real T>
  double batch_loss_and_gradient_impl(const Dataset& data, std::span<const std::size_t> indices,
                                      std::span<double> grad) const;
  template <Real T>
  std::vector<double> batch_logits_impl(const Dataset& data, std::span<const std::size_t> indices) const;
  template <Real T>
  double loss_and_gradient_impl(std::span<const double> x, int label, std::span<double> grad) const;
  [[nodiscard]] DiffWrt circuit_wrt() const;
  // Readout values e (R) → outputs z (C).
  void head_forward(std::span<const double> e, std::span<double> z, DenseStack::Trace* trace = nullptr) const;
  // Loss of readout values e for `label`; writes ∂L/∂e to de and adds the head's weight gradient to grad.
  double head_loss_backward(std::span<const double> e, int label, std::span<double> de, std::span<double> grad) const;
  // Adds the hidden layers' weight gradient from ∂L/∂(circuit inputs).
  void hidden_backward(const DenseStack::Trace& trace, std::span<const double> du, std::span<double> grad) const;
  [[nodiscard]] std::size_t hidden_offset() const { return circuit_.num_theta(); }
  [[nodiscard]] std::size_t head_offset() const { return circuit_.num_theta() + hidden_.num_weights(); }
  // grad[i] += g unless weight i is frozen.
  void accumulate(std::span<double> grad, std::size_t i, double g) const {
    if (trainable_.empty() || trainable_[i]) grad[i] += g;
  }
  [[nodiscard]] bool frozen(std::size_t i) const { return !trainable_.empty() && !trainable_[i]; }
  ClassifierConfig config_;
  Circuit circuit_;
  std::vector<unsigned> layer_ends_;  // θ count after each ansatz layer (layered ansätze)
  std::vector<bool> trainable_;
  std::vector<PauliSum> readout_;
  LightCone cone_;  // circuit_ and readout_ cut to what the readout sees (exact paths)
  DenseStack hidden_;  // features → circuit inputs
  DenseStack head_;    // readout values → head layers and a final linear layer to the classes
  bool scale_bias_ = false;  // the head is z_k = s_k e_k + b_k (no head layers, one readout per class)
  std::vector<double> weights_;
  Standardizer standardizer_;
  Pca pca_;
  ReadoutBackend readout_backend_;  // empty: exact
};

}  // namespace qnn
