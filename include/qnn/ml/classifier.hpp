#pragma once
// The default QNN classifier: standardise → angle-encode → strongly entangling layers → ⟨Z_k⟩ per class → logits
// z_k = s_k ⟨Z_k⟩ + b_k → softmax. The output scale s_k and bias b_k are classical weights trained with the circuit
// (⟨Z⟩ ∈ [−1, 1] alone cannot make a confident softmax).
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/pauli.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/ml/dataset.hpp"
#include "qnn/ml/encoding.hpp"

namespace qnn {

enum class Precision : std::uint8_t { Single, Double };

struct ClassifierConfig {
  unsigned qubits = 4;
  unsigned layers = 3;
  unsigned num_features = 4;
  unsigned num_classes = 3;
  RotationAxis encoding = RotationAxis::Y;
  Precision precision = Precision::Double;  // of the simulated state; gradients are accumulated in double
};

class QuantumClassifier {
 public:
  /// Builds the circuit and draws initial weights from `seed` (θ uniform in [−π, π), s_k = 1, b_k = 0).
  /// Throws ValueError if qubits is 0, or there are more classes than qubits, or fewer than 2 classes.
  QuantumClassifier(const ClassifierConfig& config, std::uint64_t seed);

  [[nodiscard]] const ClassifierConfig& config() const { return config_; }
  [[nodiscard]] const Circuit& circuit() const { return circuit_; }
  [[nodiscard]] const std::vector<PauliSum>& readout() const { return readout_; }

  /// All trainable weights: [θ (circuit), s (classes), b (classes)].
  [[nodiscard]] std::vector<double>& weights() { return weights_; }
  [[nodiscard]] const std::vector<double>& weights() const { return weights_; }
  /// Replace every weight (size must match).
  void set_weights(std::vector<double> w);
  [[nodiscard]] unsigned num_circuit_weights() const { return circuit_.num_theta(); }

  /// Partial training: only weights with mask[i] get a gradient from the loss_and_gradient functions (the others read
  /// 0, and frozen circuit weights cost nothing in the backward sweep). Empty: every weight is trainable.
  void set_trainable(std::vector<bool> mask);
  [[nodiscard]] const std::vector<bool>& trainable() const { return trainable_; }
  /// [first, last) of the circuit weights of ansatz layer `layer` (θ of layer l are contiguous).
  [[nodiscard]] std::pair<unsigned, unsigned> layer_weights(unsigned layer) const;

  void set_standardizer(Standardizer st);
  [[nodiscard]] const Standardizer& standardizer() const { return standardizer_; }

  /// Logits for one raw (unstandardised) sample.
  [[nodiscard]] std::vector<double> logits(std::span<const double> x) const;
  [[nodiscard]] int predict(std::span<const double> x) const;
  /// Cross-entropy of one sample; adds its gradient w.r.t. weights() to `grad`.
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
  /// Loss and gradient of one sample by a hardware-style method; `seed` drives shots and SPSA directions.
  double loss_and_gradient(std::span<const double> x, int label, std::span<double> grad, const HardwareOptions& hw,
                           std::uint64_t seed) const;

  /// The same for the samples `indices` of `data`, all at once on a batched state (one sweep per gate for the whole
  /// batch); returns the summed loss and adds the summed gradient to `grad`.
  double batch_loss_and_gradient(const Dataset& data, std::span<const std::size_t> indices, std::span<double> grad) const;
  /// Logits of the samples `indices`, row-major (samples × classes), computed on a batched state.
  [[nodiscard]] std::vector<double> batch_logits(const Dataset& data, std::span<const std::size_t> indices) const;

  /// Mean loss and accuracy over a data set (samples evaluated in parallel, summed in order).
  struct Score {
    double loss = 0;
    double accuracy = 0;
  };
  [[nodiscard]] Score evaluate(const Dataset& data) const;

 private:
  [[nodiscard]] std::vector<double> prepare(std::span<const double> x) const;
  template <Real T>
  [[nodiscard]] std::vector<double> logits_impl(std::span<const double> xs) const;
  template <Real T>
  double batch_loss_and_gradient_impl(const Dataset& data, std::span<const std::size_t> indices,
                                      std::span<double> grad) const;
  template <Real T>
  std::vector<double> batch_logits_impl(const Dataset& data, std::span<const std::size_t> indices) const;
  [[nodiscard]] std::vector<double> prepare_batch(const Dataset& data, std::span<const std::size_t> indices) const;
  template <Real T>
  double loss_and_gradient_impl(std::span<const double> xs, int label, std::span<double> grad) const;
  [[nodiscard]] DiffWrt circuit_wrt() const;
  // grad[i] += g unless weight i is frozen.
  void accumulate(std::span<double> grad, std::size_t i, double g) const {
    if (trainable_.empty() || trainable_[i]) grad[i] += g;
  }
  ClassifierConfig config_;
  Circuit circuit_;
  std::vector<bool> trainable_;
  std::vector<PauliSum> readout_;
  std::vector<double> weights_;
  Standardizer standardizer_;
};

}  // namespace qnn
