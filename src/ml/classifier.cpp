#include "qnn/ml/classifier.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/diff/batched_adjoint.hpp"
#include "qnn/diff/finite_difference.hpp"
#include "qnn/diff/parameter_shift.hpp"
#include "qnn/exec/shots.hpp"
#include "qnn/exec/batched.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/ml/ansatz.hpp"
#include "qnn/ml/loss.hpp"

namespace qnn {

namespace {
Circuit build_circuit(const ClassifierConfig& c) {
  if (c.qubits == 0) throw ValueError("the classifier needs at least 1 qubit, got 0");
  if (c.num_classes < 2) throw ValueError("a classifier needs at least 2 classes, got " + std::to_string(c.num_classes));
  if (c.num_classes > c.qubits) {
    throw ValueError("reading one qubit per class needs at least " + std::to_string(c.num_classes) + " qubits, got " +
                     std::to_string(c.qubits));
  }
  if (c.num_features == 0) throw ValueError("the data set has no features");
  Circuit circ(c.qubits);
  angle_encoding(circ, c.num_features, c.encoding);
  strongly_entangling(circ, c.layers);
  return circ;
}
}  // namespace

QuantumClassifier::QuantumClassifier(const ClassifierConfig& config, std::uint64_t seed)
    : config_(config), circuit_(build_circuit(config)) {
  for (unsigned k = 0; k < config.num_classes; ++k) readout_.emplace_back(Z(k));
  Rng rng(seed);
  weights_.resize(circuit_.num_theta() + 2 * std::size_t{config.num_classes});
  for (unsigned i = 0; i < circuit_.num_theta(); ++i) weights_[i] = rng.uniform(-std::numbers::pi, std::numbers::pi);
  for (unsigned k = 0; k < config.num_classes; ++k) {
    weights_[circuit_.num_theta() + k] = 1.0;
    weights_[circuit_.num_theta() + config.num_classes + k] = 0.0;
  }
  standardizer_.mean.assign(config.num_features, 0.0);
  standardizer_.scale.assign(config.num_features, 1.0);
}

void QuantumClassifier::set_weights(std::vector<double> w) {
  if (w.size() != weights_.size()) {
    throw ValueError("the model has " + std::to_string(weights_.size()) + " weights, got " + std::to_string(w.size()));
  }
  for (double v : w)
    if (!std::isfinite(v)) throw ValueError("model weights must be finite");
  weights_ = std::move(w);
}

void QuantumClassifier::set_trainable(std::vector<bool> mask) {
  if (!mask.empty() && mask.size() != weights_.size()) {
    throw ValueError("the trainable mask has " + std::to_string(mask.size()) + " entries, the model " +
                     std::to_string(weights_.size()) + " weights");
  }
  trainable_ = std::move(mask);
}

std::pair<unsigned, unsigned> QuantumClassifier::layer_weights(unsigned layer) const {
  if (layer >= config_.layers) {
    throw ValueError("layer " + std::to_string(layer) + " out of range: the model has " +
                     std::to_string(config_.layers) + " layers");
  }
  const unsigned per_layer = 3 * config_.qubits;
  return {layer * per_layer, (layer + 1) * per_layer};
}

DiffWrt QuantumClassifier::circuit_wrt() const {
  DiffWrt wrt{.theta = true, .inputs = false};
  if (!trainable_.empty()) wrt.active.assign(trainable_.begin(), trainable_.begin() + circuit_.num_theta());
  return wrt;
}

void QuantumClassifier::set_standardizer(Standardizer st) {
  if (st.mean.size() != config_.num_features || st.scale.size() != config_.num_features) {
    throw ValueError("standardiser has " + std::to_string(st.mean.size()) + " features, the model " +
                     std::to_string(config_.num_features));
  }
  standardizer_ = std::move(st);
}

std::vector<double> QuantumClassifier::prepare(std::span<const double> x) const {
  if (x.size() != config_.num_features) {
    throw ValueError("sample has " + std::to_string(x.size()) + " features, the model expects " +
                     std::to_string(config_.num_features));
  }
  return standardizer_.transform(std::vector<double>(x.begin(), x.end()));
}

std::vector<double> QuantumClassifier::logits(std::span<const double> x) const {
  const std::vector<double> xs = prepare(x);
  return config_.precision == Precision::Single ? logits_impl<float>(xs) : logits_impl<double>(xs);
}

template <Real T>
std::vector<double> QuantumClassifier::logits_impl(std::span<const double> xs) const {
  const unsigned nt = circuit_.num_theta(), C = config_.num_classes;
  const auto psi = simulate<T>(circuit_, std::span<const double>(weights_).first(nt), xs);
  std::vector<double> z(C);
  for (unsigned k = 0; k < C; ++k) z[k] = weights_[nt + k] * expectation(psi, readout_[k]) + weights_[nt + C + k];
  return z;
}

int QuantumClassifier::predict(std::span<const double> x) const {
  const auto z = logits(x);
  return static_cast<int>(std::max_element(z.begin(), z.end()) - z.begin());
}

double QuantumClassifier::loss_and_gradient(std::span<const double> x, int label, std::span<double> grad) const {
  if (grad.size() != weights_.size()) throw ValueError("gradient buffer has the wrong size");
  const std::vector<double> xs = prepare(x);
  return config_.precision == Precision::Single ? loss_and_gradient_impl<float>(xs, label, grad)
                                                : loss_and_gradient_impl<double>(xs, label, grad);
}

template <Real T>
double QuantumClassifier::loss_and_gradient_impl(std::span<const double> xs, int label, std::span<double> grad) const {
  const unsigned nt = circuit_.num_theta(), C = config_.num_classes;
  double loss = 0;
  std::vector<double> dz(C);
  // ∂L/∂⟨Z_k⟩ = ∂L/∂z_k · s_k : the whole readout is one vector–Jacobian product, one backward sweep.
  const VjpResult r = adjoint_vjp<T>(
      circuit_, readout_, std::span<const double>(weights_).first(nt), xs,
      [&](std::span<const double> e) {
        std::vector<double> z(C);
        for (unsigned k = 0; k < C; ++k) z[k] = weights_[nt + k] * e[k] + weights_[nt + C + k];
        loss = softmax_cross_entropy(z, label, dz);
        std::vector<double> w(C);
        for (unsigned k = 0; k < C; ++k) w[k] = dz[k] * weights_[nt + k];
        return w;
      },
      circuit_wrt());
  for (unsigned i = 0; i < nt; ++i) accumulate(grad, i, r.theta[i]);
  for (unsigned k = 0; k < C; ++k) {
    accumulate(grad, nt + k, dz[k] * r.values[k]);
    accumulate(grad, nt + C + k, dz[k]);
  }
  return loss;
}

double QuantumClassifier::loss_and_gradient(std::span<const double> x, int label, std::span<double> grad,
                                            const HardwareOptions& hw, std::uint64_t seed) const {
  if (hw.method == GradientMethod::Adjoint && hw.shots == 0) return loss_and_gradient(x, label, grad);
  if (grad.size() != weights_.size()) throw ValueError("gradient buffer has the wrong size");
  const std::vector<double> xs = prepare(x);
  const unsigned nt = circuit_.num_theta(), C = config_.num_classes;
  const auto th = std::span<const double>(weights_).first(nt);
  Rng rng(seed);
  // Readout ⟨Z_k⟩: exact, or estimated from shots as hardware would (all Z_k commute: one set of shots).
  const auto psi = simulate<double>(circuit_, th, xs);
  std::vector<double> e(C);
  if (hw.shots == 0) {
    for (unsigned k = 0; k < C; ++k) e[k] = expectation(psi, readout_[k]);
  } else {
    for (unsigned k = 0; k < C; ++k) e[k] = estimate_expectation(psi, readout_[k], hw.shots, rng);
  }
  std::vector<double> z(C), dz(C);
  for (unsigned k = 0; k < C; ++k) z[k] = weights_[nt + k] * e[k] + weights_[nt + C + k];
  const double loss = softmax_cross_entropy(z, label, dz);
  // ∂L/∂θ = ∂/∂θ ⟨Σ_k w_k Z_k⟩ with w_k = ∂L/∂z_k · s_k: one observable, so one gradient evaluation.
  PauliSum weighted;
  for (unsigned k = 0; k < C; ++k) weighted = weighted + readout_[k] * (dz[k] * weights_[nt + k]);
  const ShotOptions so{hw.shots, rng()};
  Gradient g;
  switch (hw.method) {
    case GradientMethod::ParameterShift:
      g = parameter_shift_gradient(circuit_, weighted, th, xs, circuit_wrt(), so);
      break;
    case GradientMethod::Spsa:
      g = spsa_gradient(circuit_, weighted, th, xs, hw.spsa_epsilon, rng, so);
      break;
    case GradientMethod::FiniteDifference:
      g = finite_difference_gradient(circuit_, weighted, th, xs, 1e-5);
      break;
    case GradientMethod::Adjoint:
      g = adjoint_gradient<double>(circuit_, weighted, th, xs, circuit_wrt());
      break;
  }
  for (unsigned i = 0; i < nt; ++i) accumulate(grad, i, g.theta[i]);
  for (unsigned k = 0; k < C; ++k) {
    accumulate(grad, nt + k, dz[k] * e[k]);
    accumulate(grad, nt + C + k, dz[k]);
  }
  return loss;
}

std::vector<double> QuantumClassifier::prepare_batch(const Dataset& data, std::span<const std::size_t> indices) const {
  const std::size_t F = config_.num_features;
  std::vector<double> xs;
  xs.reserve(indices.size() * F);
  for (std::size_t i : indices) {
    if (i >= data.num_samples()) throw ValueError("sample index " + std::to_string(i) + " out of range");
    const auto row = prepare(data.features[i]);
    xs.insert(xs.end(), row.begin(), row.end());
  }
  return xs;
}

double QuantumClassifier::batch_loss_and_gradient(const Dataset& data, std::span<const std::size_t> indices,
                                                  std::span<double> grad) const {
  if (grad.size() != weights_.size()) throw ValueError("gradient buffer has the wrong size");
  if (indices.empty()) return 0;
  return config_.precision == Precision::Single ? batch_loss_and_gradient_impl<float>(data, indices, grad)
                                                : batch_loss_and_gradient_impl<double>(data, indices, grad);
}

template <Real T>
double QuantumClassifier::batch_loss_and_gradient_impl(const Dataset& data, std::span<const std::size_t> indices,
                                                       std::span<double> grad) const {
  const unsigned nt = circuit_.num_theta(), C = config_.num_classes;
  const auto B = static_cast<unsigned>(indices.size());
  const std::vector<double> xs = prepare_batch(data, indices);
  double loss = 0;
  std::vector<double> dz(std::size_t{B} * C);
  const BatchedVjpResult r = adjoint_vjp_batched<T>(
      circuit_, readout_, std::span<const double>(weights_).first(nt), BatchInputs{xs, config_.num_features}, B,
      [&](std::span<const double> e) {
        std::vector<double> w(e.size()), z(C);
        for (unsigned b = 0; b < B; ++b) {
          for (unsigned k = 0; k < C; ++k) z[k] = weights_[nt + k] * e[b * C + k] + weights_[nt + C + k];
          loss += softmax_cross_entropy(z, data.labels[indices[b]], std::span<double>(dz).subspan(b * C, C));
          for (unsigned k = 0; k < C; ++k) w[b * C + k] = dz[b * C + k] * weights_[nt + k];
        }
        return w;
      },
      circuit_wrt());
  for (unsigned i = 0; i < nt; ++i) accumulate(grad, i, r.theta[i]);
  for (unsigned b = 0; b < B; ++b)
    for (unsigned k = 0; k < C; ++k) {
      accumulate(grad, nt + k, dz[b * C + k] * r.values[b * C + k]);
      accumulate(grad, nt + C + k, dz[b * C + k]);
    }
  return loss;
}

std::vector<double> QuantumClassifier::batch_logits(const Dataset& data, std::span<const std::size_t> indices) const {
  if (indices.empty()) return {};
  return config_.precision == Precision::Single ? batch_logits_impl<float>(data, indices)
                                                : batch_logits_impl<double>(data, indices);
}

template <Real T>
std::vector<double> QuantumClassifier::batch_logits_impl(const Dataset& data, std::span<const std::size_t> indices) const {
  const unsigned nt = circuit_.num_theta(), C = config_.num_classes;
  const auto B = static_cast<unsigned>(indices.size());
  const std::vector<double> xs = prepare_batch(data, indices);
  BatchedStateVector<T> psi(circuit_.num_qubits(), B);
  run_batched(circuit_, psi, std::span<const double>(weights_).first(nt), BatchInputs{xs, config_.num_features});
  std::vector<double> z(std::size_t{B} * C), e(B);
  for (unsigned k = 0; k < C; ++k) {
    expectation_batched(psi, readout_[k], e);
    for (unsigned b = 0; b < B; ++b) z[b * C + k] = weights_[nt + k] * e[b] + weights_[nt + C + k];
  }
  return z;
}

QuantumClassifier::Score QuantumClassifier::evaluate(const Dataset& data) const {
  const std::size_t n = data.num_samples();
  Score s;
  if (n == 0) return s;
  const unsigned C = config_.num_classes;
  // Fixed chunks (not one per thread), so the sums are the same whatever the thread count.
  constexpr std::size_t kChunk = 32;
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<double> loss(chunks, 0.0), correct(chunks, 0.0);
  parallel_tasks(chunks, [&](std::uint64_t ch) {
    std::vector<std::size_t> idx;
    for (std::size_t i = ch * kChunk; i < std::min(n, (ch + 1) * kChunk); ++i) idx.push_back(i);
    const auto z = batch_logits(data, idx);
    for (std::size_t b = 0; b < idx.size(); ++b) {
      const auto zb = std::span<const double>(z).subspan(b * C, C);
      loss[ch] += softmax_cross_entropy(zb, data.labels[idx[b]]);
      correct[ch] += static_cast<int>(std::max_element(zb.begin(), zb.end()) - zb.begin()) == data.labels[idx[b]];
    }
  }, circuit_.size() * (std::uint64_t{1} << circuit_.num_qubits()) * kChunk);
  for (std::size_t ch = 0; ch < chunks; ++ch) {
    s.loss += loss[ch] / double(n);
    s.accuracy += correct[ch] / double(n);
  }
  return s;
}

}  // namespace qnn
