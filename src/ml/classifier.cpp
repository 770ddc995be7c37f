#include "qnn/ml/classifier.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/diff/adjoint.hpp"
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
  const unsigned nt = circuit_.num_theta(), C = config_.num_classes;
  const auto psi = simulate<double>(circuit_, std::span<const double>(weights_).first(nt), xs);
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
  const unsigned nt = circuit_.num_theta(), C = config_.num_classes;
  double loss = 0;
  std::vector<double> dz(C);
  // ∂L/∂⟨Z_k⟩ = ∂L/∂z_k · s_k : the whole readout is one vector–Jacobian product, one backward sweep.
  const VjpResult r = adjoint_vjp<double>(
      circuit_, readout_, std::span<const double>(weights_).first(nt), xs,
      [&](std::span<const double> e) {
        std::vector<double> z(C);
        for (unsigned k = 0; k < C; ++k) z[k] = weights_[nt + k] * e[k] + weights_[nt + C + k];
        loss = softmax_cross_entropy(z, label, dz);
        std::vector<double> w(C);
        for (unsigned k = 0; k < C; ++k) w[k] = dz[k] * weights_[nt + k];
        return w;
      },
      DiffWrt{.theta = true, .inputs = false});
  for (unsigned i = 0; i < nt; ++i) grad[i] += r.theta[i];
  for (unsigned k = 0; k < C; ++k) {
    grad[nt + k] += dz[k] * r.values[k];
    grad[nt + C + k] += dz[k];
  }
  return loss;
}

QuantumClassifier::Score QuantumClassifier::evaluate(const Dataset& data) const {
  const std::size_t n = data.num_samples();
  Score s;
  if (n == 0) return s;
  std::vector<double> loss(n);
  std::vector<int> correct(n);
  parallel_tasks(n, [&](std::uint64_t i) {
    const auto z = logits(data.features[i]);
    loss[i] = softmax_cross_entropy(z, data.labels[i]);
    correct[i] = static_cast<int>(std::max_element(z.begin(), z.end()) - z.begin()) == data.labels[i];
  });
  for (std::size_t i = 0; i < n; ++i) {
    s.loss += loss[i] / double(n);
    s.accuracy += correct[i] / double(n);
  }
  return s;
}

}  // namespace qnn
