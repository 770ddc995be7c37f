#include "qnn/ml/dense_layer.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "qnn/core/error.hpp"

namespace qnn {

Activation parse_activation(std::string_view name) {
  if (name == "linear" || name == "identity" || name == "none") return Activation::Identity;
  if (name == "relu") return Activation::ReLU;
  if (name == "tanh") return Activation::Tanh;
  if (name == "sigmoid") return Activation::Sigmoid;
  if (name == "softmax") return Activation::Softmax;
  throw ValueError("unknown activation '" + std::string(name) + "' (known: linear, relu, tanh, sigmoid, softmax)");
}

std::string activation_name(Activation a) {
  switch (a) {
    case Activation::Identity: return "linear";
    case Activation::ReLU: return "relu";
    case Activation::Tanh: return "tanh";
    case Activation::Sigmoid: return "sigmoid";
    case Activation::Softmax: return "softmax";
  }
  return "?";
}

std::vector<DenseLayerSpec> parse_dense_layers(std::string_view text) {
  std::vector<DenseLayerSpec> layers;
  if (text.empty()) return layers;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, end - start);
    const std::size_t colon = item.find(':');
    const std::string_view units = item.substr(0, colon);
    DenseLayerSpec s;
    const auto r = std::from_chars(units.data(), units.data() + units.size(), s.units);
    if (r.ec != std::errc() || r.ptr != units.data() + units.size() || s.units == 0 || s.units > 65536) {
      throw ValueError("dense layer '" + std::string(item) + "': expected UNITS[:ACTIVATION] with 1 to 65536 units, "
                       "e.g. 16:relu");
    }
    if (colon != std::string_view::npos) s.activation = parse_activation(item.substr(colon + 1));
    layers.push_back(s);
    start = end + 1;
  }
  return layers;
}

std::string dense_layers_to_string(const std::vector<DenseLayerSpec>& layers) {
  std::string s;
  for (const DenseLayerSpec& l : layers) {
    s += (s.empty() ? "" : ",") + std::to_string(l.units);
    if (l.activation != Activation::Identity) s += ":" + activation_name(l.activation);
  }
  return s;
}

DenseStack::DenseStack(unsigned inputs, std::vector<DenseLayerSpec> layers) : inputs_(inputs), layers_(std::move(layers)) {
  unsigned in = inputs;
  for (const DenseLayerSpec& l : layers_) {
    if (l.units == 0) throw ValueError("a dense layer needs at least 1 unit");
    num_weights_ += std::size_t{l.units} * in + l.units;
    in = l.units;
  }
}

void DenseStack::initialise(std::span<double> w, Rng& rng) const {
  std::size_t offset = 0;
  unsigned in = inputs_;
  for (const DenseLayerSpec& l : layers_) {
    // Glorot: Var W = 2/(fan_in + fan_out) keeps activations and gradients of tanh/sigmoid layers at unit scale;
    // He: Var W = 2/fan_in for ReLU, which zeroes half its inputs. Uniform on [−a, a] has variance a²/3.
    const double var = l.activation == Activation::ReLU ? 2.0 / in : 2.0 / (in + l.units);
    const double a = std::sqrt(3.0 * var);
    for (std::size_t i = 0; i < std::size_t{l.units} * in; ++i) w[offset + i] = rng.uniform(-a, a);
    offset += std::size_t{l.units} * in;
    for (unsigned i = 0; i < l.units; ++i) w[offset + i] = 0.0;
    offset += l.units;
    in = l.units;
  }
}

void apply_activation(Activation act, std::span<const double> a, std::span<double> y) {
  switch (act) {
    case Activation::Identity:
      std::copy(a.begin(), a.end(), y.begin());
      return;
    case Activation::ReLU:
      for (std::size_t i = 0; i < a.size(); ++i) y[i] = a[i] > 0 ? a[i] : 0.0;
      return;
    case Activation::Tanh:
      for (std::size_t i = 0; i < a.size(); ++i) y[i] = std::tanh(a[i]);
      return;
    case Activation::Sigmoid:
      for (std::size_t i = 0; i < a.size(); ++i) y[i] = 1.0 / (1.0 + std::exp(-a[i]));
      return;
    case Activation::Softmax: {
      const double m = *std::max_element(a.begin(), a.end());
      double s = 0;
      for (std::size_t i = 0; i < a.size(); ++i) s += y[i] = std::exp(a[i] - m);
      for (std::size_t i = 0; i < a.size(); ++i) y[i] /= s;
      return;
    }
  }
}

void activation_backward(Activation act, std::span<const double> a, std::span<const double> y,
                         std::span<const double> dy, std::span<double> da) {
  switch (act) {
    case Activation::Identity:
      std::copy(dy.begin(), dy.end(), da.begin());
      return;
    case Activation::ReLU:
      for (std::size_t i = 0; i < a.size(); ++i) da[i] = a[i] > 0 ? dy[i] : 0.0;
      return;
    case Activation::Tanh:  // tanh′ = 1 − tanh²
      for (std::size_t i = 0; i < a.size(); ++i) da[i] = dy[i] * (1.0 - y[i] * y[i]);
      return;
    case Activation::Sigmoid:  // σ′ = σ(1 − σ)
      for (std::size_t i = 0; i < a.size(); ++i) da[i] = dy[i] * y[i] * (1.0 - y[i]);
      return;
    case Activation::Softmax: {  // ∂y_i/∂a_j = y_i(δ_ij − y_j)  ⇒  ∂L/∂a_j = y_j (∂L/∂y_j − Σ_i y_i ∂L/∂y_i)
      double s = 0;
      for (std::size_t i = 0; i < a.size(); ++i) s += y[i] * dy[i];
      for (std::size_t j = 0; j < a.size(); ++j) da[j] = y[j] * (dy[j] - s);
      return;
    }
  }
}

std::vector<double> DenseStack::forward(std::span<const double> w, std::span<const double> x, Trace* trace) const {
  std::vector<double> h(x.begin(), x.end());
  if (trace != nullptr) {
    trace->values.assign(1, h);
    trace->pre.clear();
  }
  std::size_t offset = 0;
  unsigned in = inputs_;
  for (const DenseLayerSpec& l : layers_) {
    std::vector<double> a(l.units), y(l.units);
    for (unsigned i = 0; i < l.units; ++i) {
      double s = w[offset + std::size_t{l.units} * in + i];
      const std::size_t row = offset + std::size_t{i} * in;
      for (unsigned j = 0; j < in; ++j) s += w[row + j] * h[j];
      a[i] = s;
    }
    apply_activation(l.activation, a, y);
    offset += std::size_t{l.units} * in + l.units;
    in = l.units;
    if (trace != nullptr) {
      trace->pre.push_back(std::move(a));
      trace->values.push_back(y);
    }
    h = std::move(y);
  }
  return h;
}

}  // namespace qnn
