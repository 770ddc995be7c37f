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
#include "qnn/exec/batched.hpp"
#include "qnn/exec/shots.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {

namespace {

void check_config(const ClassifierConfig& c) {
  if (c.qubits == 0) throw ValueError("the classifier needs at least 1 qubit, got 0");
  if (c.qubits > 30) throw ValueError("the classifier supports at most 30 qubits, got " + std::to_string(c.qubits));
  if (c.num_classes < 2) throw ValueError("a classifier needs at least 2 classes, got " + std::to_string(c.num_classes));
  if (c.num_features == 0) throw ValueError("the data set has no features");
  if (c.pca_components > c.num_features) {
    throw ValueError("PCA to " + std::to_string(c.pca_components) + " components needs at least as many features, the " +
                     "data has " + std::to_string(c.num_features));
  }
  if (c.reupload && c.layers == 0) throw ValueError("data re-uploading needs at least 1 layer");
  // Far beyond any trainable depth; an absurd count (a typo, a corrupted model.json) would otherwise build a circuit
  // until memory runs out.
  if (c.layers > 10000) throw ValueError("the classifier supports at most 10000 layers, got " + std::to_string(c.layers));
}

EncodingKind axis_kind(RotationAxis a) {
  return a == RotationAxis::X ? EncodingKind::AngleX : a == RotationAxis::Y ? EncodingKind::AngleY : EncodingKind::AngleZ;
}

bool layered(const std::string& ansatz) { return ansatz != "qcnn" && ansatz != "ttn"; }

}  // namespace

QuantumClassifier::QuantumClassifier(const ClassifierConfig& config, std::uint64_t seed)
    : config_(config), circuit_(config.qubits == 0 ? 1 : config.qubits) {
  check_config(config);
  const unsigned n = config.qubits, C = config.num_classes;
  hidden_ = DenseStack(config.pca_components > 0 ? config.pca_components : config.num_features, config.hidden);
  const unsigned E = hidden_.outputs();  // circuit inputs

  // Encoding and ansatz.
  const bool legacy = config.encoding_name.empty();
  const EncodingKind kind = legacy ? axis_kind(config.encoding) : parse_encoding(config.encoding_name);
  if (kind == EncodingKind::Amplitude || kind == EncodingKind::Custom) {
    throw ValueError("the classifier needs an encoding circuit over its inputs; '" + config.encoding_name +
                     "' has none (use angle-x|y|z, dense, basis, zz or iqp)");
  }
  if (!legacy || config.reupload) check_encoding_capacity(kind, n, E);
  EncodingOptions eo{.reps = config.encoding_reps, .pairs = config.encoding_pairs};
  if (eo.reps == 0) eo.reps = kind == EncodingKind::ZZ ? 2 : 1;
  AnsatzOptions ao{.rotation = config.rotation};
  ao.qcnn.readout_qubits = std::max(1U, readout_qubits_needed(config.readout, C));
  const Ansatz ansatz = make_ansatz(config.ansatz, ao);
  std::vector<unsigned> readout_qubits;
  if (!config.reupload) {
    if (legacy) {
      angle_encoding(circuit_, E, config.encoding);
    } else {
      append_encoding_block(circuit_, kind, E, ReuploadScaling::None, 0, eo);
    }
    readout_qubits = ansatz.apply(circuit_, config.layers, 0).readout;
    if (layered(config.ansatz))
      for (unsigned l = 0; l < config.layers; ++l) layer_ends_.push_back(ansatz.num_weights(n, l + 1));
  } else {
    // S(x)·W_0, S(x)·W_1, …: each block's scaling weights, then its ansatz layer (Pérez-Salinas et al. 2020).
    unsigned next = 0;
    for (unsigned l = 0; l < config.layers; ++l) {
      next += append_encoding_block(circuit_, kind, E, config.reupload_scaling, next, eo);
      const NarrowingResult r = ansatz.apply(circuit_, 1, next);
      next += r.num_weights;
      readout_qubits = r.readout;
      layer_ends_.push_back(next);
    }
  }
  readout_ = readout_observables(config.readout, C, readout_qubits, n, config.pauli_readout);
  const auto R = static_cast<unsigned>(readout_.size());
  cone_ = qnn::light_cone(circuit_, readout_);

  // Head.
  if (config.loss == LossKind::Fidelity) {
    if (config.readout != ReadoutKind::Probabilities && config.readout != ReadoutKind::Parity) {
      throw ValueError("the fidelity loss compares the readout qubits' state with the class's basis state: it needs "
                       "the probabilities (or parity) readout, not " + readout_name(config.readout));
    }
    if (!config.head.empty()) throw ValueError("the fidelity loss reads the readout probabilities directly: no head layers");
  } else if (config.head.empty() && R == C) {
    scale_bias_ = true;
  } else {
    std::vector<DenseLayerSpec> layers = config.head;
    layers.push_back({C, Activation::Identity});
    head_ = DenseStack(R, std::move(layers));
  }

  Rng rng(seed);
  const unsigned nt = circuit_.num_theta();
  weights_.resize(nt + hidden_.num_weights() + (scale_bias_ ? 2 * std::size_t{C} : head_.num_weights()));
  for (unsigned i = 0; i < nt; ++i) weights_[i] = rng.uniform(-std::numbers::pi, std::numbers::pi);
  if (scale_bias_) {
    for (unsigned k = 0; k < C; ++k) {
      weights_[head_offset() + k] = 1.0;
      weights_[head_offset() + C + k] = 0.0;
    }
  }
  hidden_.initialise(std::span<double>(weights_).subspan(hidden_offset(), hidden_.num_weights()), rng);
  head_.initialise(std::span<double>(weights_).subspan(head_offset(), head_.num_weights()), rng);
  standardizer_.mean.assign(config.num_features, 0.0);
  standardizer_.scale.assign(config.num_features, 1.0);
  if (config.pca_components > 0) {
    pca_.mean.assign(config.num_features, 0.0);
    for (unsigned k = 0; k < config.pca_components; ++k) {
      pca_.components.emplace_back(config.num_features, 0.0);
      pca_.components[k][k] = 1.0;
    }
    pca_.explained_variance.assign(config.pca_components, 1.0);
    pca_.explained_variance_ratio.assign(config.pca_components, 0.0);
  }
}

std::string QuantumClassifier::describe() const {
  const ClassifierConfig& c = config_;
  std::string s = std::to_string(c.qubits) + " qubits, ";
  if (c.encoding_name.empty()) {
    s += std::string("angle encoding (R") + static_cast<char>(c.encoding) + ")";
  } else {
    s += c.encoding_name + " encoding";
    if (c.encoding_reps > 1) s += " (" + std::to_string(c.encoding_reps) + " reps)";
  }
  if (c.reupload) {
    s += ", re-uploaded before each of " + std::to_string(c.layers) + " " + c.ansatz + " layers";
    if (c.reupload_scaling != ReuploadScaling::None)
      s += c.reupload_scaling == ReuploadScaling::Scale ? " (trainable scaling)" : " (trainable affine scaling)";
  } else if (c.ansatz == "strong") {
    s += ", " + std::to_string(c.layers) + " strongly entangling layers";
  } else {
    s += ", " + std::to_string(c.layers) + " " + c.ansatz + " layers";
  }
  const bool plain = c.readout == ReadoutKind::ZPerClass && c.loss == LossKind::CrossEntropy && c.hidden.empty() &&
                     c.head.empty() && c.pca_components == 0;
  if (plain) return s;
  if (c.pca_components > 0) s = "PCA to " + std::to_string(c.pca_components) + ", " + s;
  if (!c.hidden.empty()) s = "dense " + dense_layers_to_string(c.hidden) + " -> " + s;
  s += ", " + readout_name(c.readout) + " readout";
  if (c.readout == ReadoutKind::Pauli) {
    std::string list;
    for (const std::string& p : c.pauli_readout) list += (list.empty() ? "" : "; ") + p;
    s += " (" + list + ")";
  }
  if (!c.head.empty()) s += " -> dense " + dense_layers_to_string(c.head);
  s += ", " + loss_name(c.loss) + " loss";
  return s;
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
  if (layer_ends_.empty()) {
    throw ValueError("the " + config_.ansatz + " ansatz has no stackable layers (layer-wise training needs strong, "
                     "basic or hea-*)");
  }
  return {layer == 0 ? 0 : layer_ends_[layer - 1], layer_ends_[layer]};
}

DiffWrt QuantumClassifier::circuit_wrt() const {
  DiffWrt wrt{.theta = true, .inputs = !hidden_.empty()};
  if (!trainable_.empty()) wrt.active.assign(trainable_.begin(), trainable_.begin() + circuit_.num_theta());
  return wrt;
}

void QuantumClassifier::set_standardizer(Standardizer st) {
  if (st.mean.size() != config_.num_features || st.scale.size() != config_.num_features) {
    throw ValueError("standardiser has " + std::to_string(st.mean.size()) + " features, the model " +
                     std::to_string(config_.num_features));
  }
  for (std::size_t j = 0; j < st.mean.size(); ++j) {
    if (!std::isfinite(st.mean[j]) || !std::isfinite(st.scale[j]) || !(st.scale[j] > 0)) {
      throw ValueError("standardiser of feature " + std::to_string(j) + " must have a finite mean and a finite scale > 0");
    }
  }
  standardizer_ = std::move(st);
}

void QuantumClassifier::set_pca(Pca pca) {
  const std::size_t K = config_.pca_components, F = config_.num_features;
  bool ok = K > 0 && pca.mean.size() == F && pca.components.size() == K && pca.explained_variance.size() == K;
  for (const auto& row : pca.components) ok = ok && row.size() == F;
  if (!ok) {
    throw ValueError("the PCA does not fit the model (" + std::to_string(K) + " components of " + std::to_string(F) +
                     " features expected)");
  }
  pca_ = std::move(pca);
}

std::vector<double> QuantumClassifier::features(std::span<const double> x) const {
  if (x.size() != config_.num_features) {
    throw ValueError("sample has " + std::to_string(x.size()) + " features, the model expects " +
                     std::to_string(config_.num_features));
  }
  std::vector<double> s = standardizer_.transform(std::vector<double>(x.begin(), x.end()));
  if (config_.pca_components == 0) return s;
  // Whitened components z_k / √λ_k: unit variance on the training data, the scale rotation angles want.
  std::vector<double> z = pca_.transform(s);
  for (std::size_t k = 0; k < z.size(); ++k)
    if (pca_.explained_variance[k] > 1e-12) z[k] /= std::sqrt(pca_.explained_variance[k]);
  return z;
}

std::vector<double> QuantumClassifier::circuit_inputs(std::span<const double> x) const {
  std::vector<double> f = features(x);
  if (hidden_.empty()) return f;
  return hidden_.forward(std::span<const double>(weights_).subspan(hidden_offset(), hidden_.num_weights()), f);
}

void QuantumClassifier::head_forward(std::span<const double> e, std::span<double> z, DenseStack::Trace* trace) const {
  const unsigned C = config_.num_classes;
  const std::size_t ho = head_offset();
  if (config_.loss == LossKind::Fidelity) {
    std::copy(e.begin(), e.end(), z.begin());
  } else if (scale_bias_) {
    for (unsigned k = 0; k < C; ++k) z[k] = weights_[ho + k] * e[k] + weights_[ho + C + k];
  } else {
    const auto out = head_.forward(std::span<const double>(weights_).subspan(ho, head_.num_weights()), e, trace);
    std::copy(out.begin(), out.end(), z.begin());
  }
}

double QuantumClassifier::head_loss_backward(std::span<const double> e, int label, std::span<double> de,
                                             std::span<double> grad) const {
  const unsigned C = config_.num_classes;
  const std::size_t ho = head_offset();
  std::vector<double> z(C), dz(C);
  DenseStack::Trace trace;
  head_forward(e, z, &trace);
  const double loss = classification_loss(config_.loss, z, label, dz);
  if (config_.loss == LossKind::Fidelity) {
    std::copy(dz.begin(), dz.end(), de.begin());
  } else if (scale_bias_) {
    // z_k = s_k e_k + b_k:  ∂L/∂e_k = ∂L/∂z_k · s_k,  ∂L/∂s_k = ∂L/∂z_k · e_k,  ∂L/∂b_k = ∂L/∂z_k.
    for (unsigned k = 0; k < C; ++k) {
      de[k] = dz[k] * weights_[ho + k];
      accumulate(grad, ho + k, dz[k] * e[k]);
      accumulate(grad, ho + C + k, dz[k]);
    }
  } else {
    const auto d = head_.backward(std::span<const double>(weights_).subspan(ho, head_.num_weights()), trace, dz,
                                  grad.subspan(ho, head_.num_weights()),
                                  [&](std::size_t i) { return frozen(ho + i); });
    std::copy(d.begin(), d.end(), de.begin());
  }
  return loss;
}

void QuantumClassifier::hidden_backward(const DenseStack::Trace& trace, std::span<const double> du,
                                        std::span<double> grad) const {
  const std::size_t off = hidden_offset();
  (void)hidden_.backward(std::span<const double>(weights_).subspan(off, hidden_.num_weights()), trace, du,
                         grad.subspan(off, hidden_.num_weights()), [&](std::size_t i) { return frozen(off + i); });
}

std::vector<double> QuantumClassifier::logits(std::span<const double> x) const {
  return config_.precision == Precision::Single ? logits_impl<float>(x) : logits_impl<double>(x);
}

template <Real T>
std::vector<double> QuantumClassifier::logits_impl(std::span<const double> x) const {
  const std::vector<double> u = prepare(x);
  const auto psi = simulate<T>(cone_.circuit, std::span<const double>(weights_).first(circuit_.num_theta()), u);
  std::vector<double> e(readout_.size()), z(config_.num_classes);
  for (std::size_t r = 0; r < readout_.size(); ++r) e[r] = expectation(psi, cone_.observables[r]);
  head_forward(e, z);
  return z;
}

std::vector<double> QuantumClassifier::probabilities(std::span<const double> x) const {
  const std::vector<double> z = logits(x);
  if (config_.loss != LossKind::Fidelity) return softmax(z);
  std::vector<double> p(z.size());
  double s = 0;
  for (std::size_t k = 0; k < z.size(); ++k) s += p[k] = std::max(z[k], 0.0);
  for (double& v : p) v = s > 0 ? v / s : 1.0 / double(p.size());
  return p;
}

int QuantumClassifier::predict(std::span<const double> x) const {
  const auto z = logits(x);
  return static_cast<int>(std::max_element(z.begin(), z.end()) - z.begin());
}

double QuantumClassifier::loss_and_gradient(std::span<const double> x, int label, std::span<double> grad) const {
  if (grad.size() != weights_.size()) throw ValueError("gradient buffer has the wrong size");
  return config_.precision == Precision::Single ? loss_and_gradient_impl<float>(x, label, grad)
                                                : loss_and_gradient_impl<double>(x, label, grad);
}

template <Real T>
double QuantumClassifier::loss_and_gradient_impl(std::span<const double> x, int label, std::span<double> grad) const {
  const unsigned nt = circuit_.num_theta();
  const std::vector<double> f = features(x);
  DenseStack::Trace trace;
  const std::vector<double> u =
      hidden_.empty() ? f
                      : hidden_.forward(std::span<const double>(weights_).subspan(hidden_offset(), hidden_.num_weights()),
                                        f, &trace);
  double loss = 0;
  // The whole readout is one vector–Jacobian product, one backward sweep: upstream weights ∂L/∂⟨O_r⟩.
  const VjpResult r = adjoint_vjp<T>(
      cone_.circuit, cone_.observables, std::span<const double>(weights_).first(nt), u,
      [&](std::span<const double> e) {
        std::vector<double> de(e.size());
        loss = head_loss_backward(e, label, de, grad);
        return de;
      },
      circuit_wrt());
  for (unsigned i = 0; i < nt; ++i) accumulate(grad, i, r.theta[i]);
  if (!hidden_.empty()) hidden_backward(trace, r.x, grad);
  return loss;
}

double QuantumClassifier::loss_and_gradient(std::span<const double> x, int label, std::span<double> grad,
                                            const HardwareOptions& hw, std::uint64_t seed) const {
  if (hw.method == GradientMethod::Adjoint && hw.shots == 0) return loss_and_gradient(x, label, grad);
  if (grad.size() != weights_.size()) throw ValueError("gradient buffer has the wrong size");
  if (hw.method == GradientMethod::Spsa && !hidden_.empty()) {
    throw ValueError("SPSA estimates no gradient with respect to the circuit inputs, which the hidden layers need; "
                     "use adjoint, parameter-shift or finite-diff gradients");
  }
  const unsigned nt = circuit_.num_theta();
  const auto R = readout_.size();
  const auto th = std::span<const double>(weights_).first(nt);
  const std::vector<double> f = features(x);
  DenseStack::Trace trace;
  const std::vector<double> u =
      hidden_.empty() ? f
                      : hidden_.forward(std::span<const double>(weights_).subspan(hidden_offset(), hidden_.num_weights()),
                                        f, &trace);
  Rng rng(seed);
  // Readout: exact, or estimated from shots as hardware would (commuting terms share one set of shots).
  const Circuit& circuit = cone_.circuit;
  const std::vector<PauliSum>& readout = cone_.observables;
  const auto psi = simulate<double>(circuit, th, u);
  std::vector<double> e(R), de(R);
  for (std::size_t r = 0; r < R; ++r) {
    e[r] = hw.shots == 0 ? expectation(psi, readout[r]) : estimate_expectation(psi, readout[r], hw.shots, rng);
  }
  const double loss = head_loss_backward(e, label, de, grad);
  // ∂L/∂θ = ∂/∂θ ⟨Σ_r w_r O_r⟩ with w_r = ∂L/∂e_r: one observable, so one gradient evaluation.
  PauliSum weighted;
  for (std::size_t r = 0; r < R; ++r) weighted = weighted + readout[r] * de[r];
  const ShotOptions so{hw.shots, rng()};
  Gradient g;
  switch (hw.method) {
    case GradientMethod::ParameterShift:
      g = parameter_shift_gradient(circuit, weighted, th, u, circuit_wrt(), so);
      break;
    case GradientMethod::Spsa:
      g = spsa_gradient(circuit, weighted, th, u, hw.spsa_epsilon, rng, so);
      break;
    case GradientMethod::FiniteDifference:
      g = finite_difference_gradient(circuit, weighted, th, u, 1e-5);
      break;
    case GradientMethod::Adjoint:
      g = adjoint_gradient<double>(circuit, weighted, th, u, circuit_wrt());
      break;
  }
  for (unsigned i = 0; i < nt; ++i) accumulate(grad, i, g.theta[i]);
  if (!hidden_.empty()) hidden_backward(trace, g.x, grad);
  return loss;
}

double QuantumClassifier::batch_loss_and_gradient(const Dataset& data, std::span<const std::size_t> indices,
                                                  std::span<double> grad) const {
  if (grad.size() != weights_.size()) throw ValueError("gradient buffer has the wrong size");
  if (indices.empty()) return 0;
  for (std::size_t i : indices)
    if (i >= data.num_samples()) throw ValueError("sample index " + std::to_string(i) + " out of range");
  return config_.precision == Precision::Single ? batch_loss_and_gradient_impl<float>(data, indices, grad)
                                                : batch_loss_and_gradient_impl<double>(data, indices, grad);
}

template <Real T>
double QuantumClassifier::batch_loss_and_gradient_impl(const Dataset& data, std::span<const std::size_t> indices,
                                                       std::span<double> grad) const {
  const unsigned nt = circuit_.num_theta(), E = num_circuit_inputs();
  const auto B = static_cast<unsigned>(indices.size());
  const auto R = static_cast<unsigned>(readout_.size());
  // Circuit inputs of the batch, row-major (B × E), with the hidden layers' traces for their backward pass.
  std::vector<double> us;
  us.reserve(std::size_t{B} * E);
  std::vector<DenseStack::Trace> traces(hidden_.empty() ? 0 : B);
  for (unsigned b = 0; b < B; ++b) {
    const std::vector<double> f = features(data.features[indices[b]]);
    if (hidden_.empty()) {
      us.insert(us.end(), f.begin(), f.end());
    } else {
      const auto u = hidden_.forward(std::span<const double>(weights_).subspan(hidden_offset(), hidden_.num_weights()),
                                     f, &traces[b]);
      us.insert(us.end(), u.begin(), u.end());
    }
  }
  double loss = 0;
  const BatchedUpstream upstream = [&](std::span<const double> e) {
    std::vector<double> de(e.size());
    for (unsigned b = 0; b < B; ++b) {
      loss += head_loss_backward(e.subspan(std::size_t{b} * R, R), data.labels[indices[b]],
                                 std::span<double>(de).subspan(std::size_t{b} * R, R), grad);
    }
    return de;
  };
  const auto th = std::span<const double>(weights_).first(nt);
  const BatchedVjpResult r =
      readout_backend_ ? readout_backend_(circuit_, readout_, th, BatchInputs{us, E}, B, upstream, circuit_wrt())
                       : adjoint_vjp_batched<T>(cone_.circuit, cone_.observables, th, BatchInputs{us, E}, B, upstream,
                                                circuit_wrt());
  for (unsigned i = 0; i < nt; ++i) accumulate(grad, i, r.theta[i]);
  for (unsigned b = 0; b < B && !hidden_.empty(); ++b)
    hidden_backward(traces[b], std::span<const double>(r.x).subspan(std::size_t{b} * E, E), grad);
  return loss;
}

std::vector<double> QuantumClassifier::batch_logits(const Dataset& data, std::span<const std::size_t> indices) const {
  if (indices.empty()) return {};
  for (std::size_t i : indices)
    if (i >= data.num_samples()) throw ValueError("sample index " + std::to_string(i) + " out of range");
  return config_.precision == Precision::Single ? batch_logits_impl<float>(data, indices)
                                                : batch_logits_impl<double>(data, indices);
}

template <Real T>
std::vector<double> QuantumClassifier::batch_logits_impl(const Dataset& data, std::span<const std::size_t> indices) const {
  const unsigned nt = circuit_.num_theta(), C = config_.num_classes, E = num_circuit_inputs();
  const auto B = static_cast<unsigned>(indices.size());
  const auto R = static_cast<unsigned>(readout_.size());
  std::vector<double> us;
  us.reserve(std::size_t{B} * E);
  for (std::size_t i : indices) {
    const auto u = prepare(data.features[i]);
    us.insert(us.end(), u.begin(), u.end());
  }
  std::vector<double> e(std::size_t{B} * R), z(std::size_t{B} * C);
  if (readout_backend_) {
    e = readout_backend_(circuit_, readout_, std::span<const double>(weights_).first(nt), BatchInputs{us, E}, B, {},
                         DiffWrt{.theta = false, .inputs = false})
            .values;
  } else {
    e = expval_batched<T>(cone_.circuit, cone_.observables, std::span<const double>(weights_).first(nt),
                          BatchInputs{us, E}, B);
  }
  for (unsigned b = 0; b < B; ++b) {
    head_forward(std::span<const double>(e).subspan(std::size_t{b} * R, R),
                 std::span<double>(z).subspan(std::size_t{b} * C, C));
  }
  return z;
}

QuantumClassifier::Score QuantumClassifier::evaluate(const Dataset& data) const { return evaluate(data, 0, 0); }

QuantumClassifier::Score QuantumClassifier::evaluate(const Dataset& data, std::uint64_t shots, std::uint64_t seed) const {
  const std::size_t n = data.num_samples();
  Score s;
  if (n == 0) return s;
  const unsigned C = config_.num_classes;
  const auto R = readout_.size();
  // Fixed chunks (not one per thread), so the sums are the same whatever the thread count.
  constexpr std::size_t kChunk = 32;
  const std::size_t chunks = (n + kChunk - 1) / kChunk;
  std::vector<double> loss(chunks, 0.0), correct(chunks, 0.0);
  parallel_tasks(chunks, [&](std::uint64_t ch) {
    std::vector<std::size_t> idx;
    for (std::size_t i = ch * kChunk; i < std::min(n, (ch + 1) * kChunk); ++i) idx.push_back(i);
    std::vector<double> z;
    if (shots == 0) {
      z = batch_logits(data, idx);
    } else {
      // Each readout observable estimated from `shots` shots of the sample's state, as hardware would.
      z.resize(idx.size() * C);
      std::vector<double> e(R);
      for (std::size_t b = 0; b < idx.size(); ++b) {
        const auto psi = simulate<double>(cone_.circuit,
                                          std::span<const double>(weights_).first(circuit_.num_theta()),
                                          prepare(data.features[idx[b]]));
        Rng rng(seed ^ (0x9e3779b97f4a7c15ULL * (idx[b] + 1)));
        for (std::size_t r = 0; r < R; ++r) e[r] = estimate_expectation(psi, cone_.observables[r], shots, rng);
        head_forward(e, std::span<double>(z).subspan(b * C, C));
      }
    }
    for (std::size_t b = 0; b < idx.size(); ++b) {
      const auto zb = std::span<const double>(z).subspan(b * C, C);
      loss[ch] += classification_loss(config_.loss, zb, data.labels[idx[b]]);
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
