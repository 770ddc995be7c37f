#pragma once
// Classical layers of a hybrid model: fully connected layers y = act(W x + c) stacked before the circuit (features →
// circuit inputs) or after it (readout values → logits). A stack is data (a list of (units, activation)); its weights
// live in the model's one weight vector, so every optimiser, checkpoint and model file treats them like circuit
// weights. Backward passes give ∂L/∂W, ∂L/∂c and ∂L/∂x from ∂L/∂y, so gradients flow through the stack into whatever
// produced x (the circuit's input gradient flows into the layers before it).
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qnn/core/rng.hpp"

namespace qnn {

enum class Activation : std::uint8_t { Identity, ReLU, Tanh, Sigmoid, Softmax };

/// "linear" (or "identity", "none") | "relu" | "tanh" | "sigmoid" | "softmax"; ValueError listing them otherwise.
Activation parse_activation(std::string_view name);
std::string activation_name(Activation a);

struct DenseLayerSpec {
  unsigned units = 0;
  Activation activation = Activation::Identity;
  bool operator==(const DenseLayerSpec&) const = default;
};

/// "16:relu,8:tanh" → two layers (an entry without ":act" is linear). Empty text → no layers. ValueError naming the
/// bad item otherwise (units must be 1 … 65536).
std::vector<DenseLayerSpec> parse_dense_layers(std::string_view text);
std::string dense_layers_to_string(const std::vector<DenseLayerSpec>& layers);

/// A stack of dense layers from `inputs` values. Layer l has weights W_l (units × fan-in, row-major) then biases c_l,
/// layers in order.
class DenseStack {
 public:
  DenseStack() = default;
  DenseStack(unsigned inputs, std::vector<DenseLayerSpec> layers);

  [[nodiscard]] bool empty() const { return layers_.empty(); }
  [[nodiscard]] unsigned inputs() const { return inputs_; }
  /// Values out of the last layer (inputs() when empty).
  [[nodiscard]] unsigned outputs() const { return layers_.empty() ? inputs_ : layers_.back().units; }
  [[nodiscard]] const std::vector<DenseLayerSpec>& layers() const { return layers_; }
  [[nodiscard]] std::size_t num_weights() const { return num_weights_; }

  /// Glorot-uniform weights (He-uniform before ReLU), zero biases, drawn from rng in layer order.
  void initialise(std::span<double> w, Rng& rng) const;

  /// The values after every layer of one sample: trace[0] = x, trace[l + 1] = output of layer l (and the pre-activation
  /// values, which the backward pass needs).
  struct Trace {
    std::vector<std::vector<double>> values;
    std::vector<std::vector<double>> pre;
  };
  /// Output of the stack for x; fills `trace` when given.
  [[nodiscard]] std::vector<double> forward(std::span<const double> w, std::span<const double> x,
                                            Trace* trace = nullptr) const;
  /// Adds ∂L/∂w to dw (dw[i] skipped where `frozen(i)`) and returns ∂L/∂x, from dy = ∂L/∂(output).
  template <class Frozen>
  std::vector<double> backward(std::span<const double> w, const Trace& trace, std::span<const double> dy,
                               std::span<double> dw, const Frozen& frozen) const;

 private:
  unsigned inputs_ = 0;
  std::vector<DenseLayerSpec> layers_;
  std::size_t num_weights_ = 0;
};

/// y = act(a) elementwise (softmax over the whole vector).
void apply_activation(Activation act, std::span<const double> a, std::span<double> y);
/// ∂L/∂a from ∂L/∂y, given a and y = act(a).
void activation_backward(Activation act, std::span<const double> a, std::span<const double> y,
                         std::span<const double> dy, std::span<double> da);

template <class Frozen>
std::vector<double> DenseStack::backward(std::span<const double> w, const Trace& trace, std::span<const double> dy,
                                         std::span<double> dw, const Frozen& frozen) const {
  std::vector<double> g(dy.begin(), dy.end()), da;
  std::size_t offset = num_weights_;
  for (std::size_t l = layers_.size(); l-- > 0;) {
    const unsigned out = layers_[l].units, in = l == 0 ? inputs_ : layers_[l - 1].units;
    offset -= std::size_t{out} * in + out;
    da.assign(out, 0.0);
    activation_backward(layers_[l].activation, trace.pre[l], trace.values[l + 1], g, da);
    const std::vector<double>& x = trace.values[l];
    std::vector<double> dx(in, 0.0);
    // a = W x + c:  ∂L/∂W_ij = ∂L/∂a_i · x_j,  ∂L/∂c_i = ∂L/∂a_i,  ∂L/∂x_j = Σ_i W_ij ∂L/∂a_i.
    for (unsigned i = 0; i < out; ++i) {
      const std::size_t row = offset + std::size_t{i} * in;
      for (unsigned j = 0; j < in; ++j) {
        if (!frozen(row + j)) dw[row + j] += da[i] * x[j];
        dx[j] += w[row + j] * da[i];
      }
      const std::size_t bias = offset + std::size_t{out} * in + i;
      if (!frozen(bias)) dw[bias] += da[i];
    }
    g = std::move(dx);
  }
  return g;
}

}  // namespace qnn
