#include "qnn/ml/classifier.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/ml/loss.hpp"

namespace qnn {
namespace {

// A model with random θ, random output scales and biases and a nontrivial standardiser.
QuantumClassifier random_model(const ClassifierConfig& cfg, std::uint64_t seed) {
  QuantumClassifier m(cfg, seed);
  Rng rng(seed + 100);
  std::vector<double> w = m.weights();
  for (std::size_t i = m.num_circuit_weights(); i < w.size(); ++i) w[i] = rng.uniform(-2.0, 2.0);
  m.set_weights(w);
  Standardizer st;
  for (unsigned j = 0; j < cfg.num_features; ++j) {
    st.mean.push_back(rng.uniform(-1.0, 1.0));
    st.scale.push_back(rng.uniform(0.5, 2.0));
  }
  m.set_standardizer(st);
  return m;
}

double loss_at(const QuantumClassifier& m, const std::vector<double>& w, const std::vector<double>& x, int label) {
  QuantumClassifier copy = m;
  copy.set_weights(w);
  return softmax_cross_entropy(copy.logits(x), label);
}

void check_gradient(const ClassifierConfig& cfg, std::uint64_t seed) {
  SCOPED_TRACE("qubits " + std::to_string(cfg.qubits) + " layers " + std::to_string(cfg.layers) + " features " +
               std::to_string(cfg.num_features) + " classes " + std::to_string(cfg.num_classes));
  const QuantumClassifier m = random_model(cfg, seed);
  const std::size_t P = m.weights().size();
  ASSERT_EQ(P, 3u * cfg.qubits * cfg.layers + 2u * cfg.num_classes);
  ASSERT_EQ(m.num_circuit_weights(), 3u * cfg.qubits * cfg.layers);
  Rng rng(seed + 200);
  for (int sample = 0; sample < 2; ++sample) {
    std::vector<double> x(cfg.num_features);
    for (double& v : x) v = rng.uniform(-2.0, 2.0);
    const int label = static_cast<int>(rng.below(cfg.num_classes));

    std::vector<double> grad(P, 0.0);
    const double loss = m.loss_and_gradient(x, label, grad);
    EXPECT_NEAR(loss, softmax_cross_entropy(m.logits(x), label), 1e-12);

    const double h = 1e-5;
    double max_err = 0;
    for (std::size_t p = 0; p < P; ++p) {
      std::vector<double> wp = m.weights(), wm = m.weights();
      wp[p] += h;
      wm[p] -= h;
      const double fd = (loss_at(m, wp, x, label) - loss_at(m, wm, x, label)) / (2 * h);
      EXPECT_NEAR(grad[p], fd, 1e-6) << "weight " << p << (p < m.num_circuit_weights() ? " (θ)" : " (scale/bias)");
      max_err = std::max(max_err, std::abs(grad[p] - fd));
    }
    // Not vacuous: the gradient has real magnitude in every block (θ, scales, biases).
    double g_theta = 0, g_scale = 0, g_bias = 0;
    const std::size_t nt = m.num_circuit_weights(), C = cfg.num_classes;
    for (std::size_t p = 0; p < nt; ++p) g_theta += std::abs(grad[p]);
    for (std::size_t k = 0; k < C; ++k) g_scale += std::abs(grad[nt + k]);
    for (std::size_t k = 0; k < C; ++k) g_bias += std::abs(grad[nt + C + k]);
    EXPECT_GT(g_theta, 1e-3);
    EXPECT_GT(g_scale, 1e-3);
    EXPECT_GT(g_bias, 1e-3);
    // Bias gradient is softmax − onehot, which sums to zero.
    double bias_sum = 0;
    for (std::size_t k = 0; k < C; ++k) bias_sum += grad[nt + C + k];
    EXPECT_NEAR(bias_sum, 0.0, 1e-12);

    // loss_and_gradient accumulates into grad.
    std::vector<double> acc(P, 1.0);
    EXPECT_EQ(m.loss_and_gradient(x, label, acc), loss);
    for (std::size_t p = 0; p < P; ++p) EXPECT_NEAR(acc[p], 1.0 + grad[p], 1e-15);
  }
}

TEST(QuantumClassifier, GradientMatchesFiniteDifferencesThreeClasses) {
  check_gradient({.qubits = 3, .layers = 2, .num_features = 3, .num_classes = 3, .encoding = RotationAxis::Y}, 5);
}

TEST(QuantumClassifier, GradientMatchesFiniteDifferencesTwoClassesWrappedFeatures) {
  check_gradient({.qubits = 3, .layers = 2, .num_features = 5, .num_classes = 2, .encoding = RotationAxis::X}, 9);
}

TEST(QuantumClassifier, InitialWeights) {
  const ClassifierConfig cfg{.qubits = 3, .layers = 2, .num_features = 3, .num_classes = 3};
  const QuantumClassifier a(cfg, 42), b(cfg, 42), c(cfg, 43);
  EXPECT_EQ(a.weights(), b.weights());
  EXPECT_NE(a.weights(), c.weights());
  const std::size_t nt = a.num_circuit_weights();
  for (std::size_t i = 0; i < nt; ++i) {
    EXPECT_GE(a.weights()[i], -std::acos(-1.0));
    EXPECT_LT(a.weights()[i], std::acos(-1.0));
  }
  for (std::size_t k = 0; k < 3; ++k) {
    EXPECT_EQ(a.weights()[nt + k], 1.0);
    EXPECT_EQ(a.weights()[nt + 3 + k], 0.0);
  }
  EXPECT_EQ(a.standardizer().mean, std::vector<double>(3, 0.0));
  EXPECT_EQ(a.standardizer().scale, std::vector<double>(3, 1.0));
  ASSERT_EQ(a.readout().size(), 3u);
  EXPECT_EQ(a.circuit().num_qubits(), 3u);
}

TEST(QuantumClassifier, LogitsAreScaledExpectationsPlusBias) {
  // With unit scales and zero biases every logit is an expectation ⟨Z_k⟩ ∈ [−1, 1]; doubling the scales and adding a
  // bias changes the logits exactly by that affine map.
  const ClassifierConfig cfg{.qubits = 3, .layers = 1, .num_features = 3, .num_classes = 3};
  QuantumClassifier m(cfg, 3);
  const std::vector<double> x{0.2, -0.4, 1.1};
  const auto z = m.logits(x);
  ASSERT_EQ(z.size(), 3u);
  for (double v : z) {
    EXPECT_LE(std::abs(v), 1.0 + 1e-12);
  }
  std::vector<double> w = m.weights();
  const std::size_t nt = m.num_circuit_weights();
  for (std::size_t k = 0; k < 3; ++k) {
    w[nt + k] = 2.0;
    w[nt + 3 + k] = 0.5 * double(k);
  }
  m.set_weights(w);
  const auto z2 = m.logits(x);
  for (std::size_t k = 0; k < 3; ++k) EXPECT_NEAR(z2[k], 2.0 * z[k] + 0.5 * double(k), 1e-12);
  EXPECT_EQ(m.predict(x), static_cast<int>(std::max_element(z2.begin(), z2.end()) - z2.begin()));
}

TEST(QuantumClassifier, StandardizerIsAppliedToRawSamples) {
  const ClassifierConfig cfg{.qubits = 2, .layers = 1, .num_features = 2, .num_classes = 2};
  QuantumClassifier m(cfg, 1);
  const std::vector<double> standardized{0.3, -0.8};
  const auto z_plain = m.logits(standardized);
  m.set_standardizer(Standardizer{{10.0, -5.0}, {2.0, 4.0}});
  const std::vector<double> raw{10.0 + 2.0 * 0.3, -5.0 + 4.0 * -0.8};
  const auto z_raw = m.logits(raw);
  for (std::size_t k = 0; k < 2; ++k) EXPECT_NEAR(z_raw[k], z_plain[k], 1e-12);
}

TEST(QuantumClassifier, EvaluateMatchesPerSampleLossAndAccuracy) {
  const ClassifierConfig cfg{.qubits = 3, .layers = 2, .num_features = 3, .num_classes = 3};
  const QuantumClassifier m = random_model(cfg, 17);
  Dataset d;
  d.feature_names = {"a", "b", "c"};
  d.class_names = {"p", "q", "r"};
  Rng rng(5);
  for (int i = 0; i < 12; ++i) {
    d.features.push_back({rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2)});
    d.labels.push_back(i % 3);
  }
  double loss = 0, acc = 0;
  for (std::size_t i = 0; i < d.num_samples(); ++i) {
    loss += softmax_cross_entropy(m.logits(d.features[i]), d.labels[i]) / 12.0;
    acc += (m.predict(d.features[i]) == d.labels[i]) / 12.0;
  }
  const auto s = m.evaluate(d);
  EXPECT_NEAR(s.loss, loss, 1e-12);
  EXPECT_NEAR(s.accuracy, acc, 1e-12);
  EXPECT_EQ(m.evaluate(Dataset{}).loss, 0.0);
}

TEST(QuantumClassifier, ConstructorErrors) {
  EXPECT_THROW(QuantumClassifier({.qubits = 0, .layers = 1, .num_features = 2, .num_classes = 2}, 1), ValueError);
  EXPECT_THROW(QuantumClassifier({.qubits = 2, .layers = 1, .num_features = 2, .num_classes = 3}, 1), ValueError);
  EXPECT_THROW(QuantumClassifier({.qubits = 2, .layers = 1, .num_features = 2, .num_classes = 1}, 1), ValueError);
  EXPECT_THROW(QuantumClassifier({.qubits = 2, .layers = 1, .num_features = 0, .num_classes = 2}, 1), ValueError);
  EXPECT_NO_THROW(QuantumClassifier({.qubits = 2, .layers = 1, .num_features = 2, .num_classes = 2}, 1));
  try {
    QuantumClassifier({.qubits = 2, .layers = 1, .num_features = 4, .num_classes = 3}, 1);
    ADD_FAILURE() << "no ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("3 qubits"), std::string::npos) << e.what();
  }
}

// The batched path (one batched state for the whole batch) and every hardware-style gradient method against the
// per-sample adjoint path; single precision against double.
TEST(QuantumClassifier, BatchAndHardwareMethodsMatchPerSampleAdjoint) {
  const ClassifierConfig cfg{.qubits = 3, .layers = 2, .num_features = 4, .num_classes = 3};
  const QuantumClassifier m = random_model(cfg, 21);
  Rng rng(4);
  Dataset d;
  d.class_names = {"a", "b", "c"};
  d.feature_names = {"f0", "f1", "f2", "f3"};
  for (int i = 0; i < 11; ++i) {
    d.features.push_back({rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2)});
    d.labels.push_back(i % 3);
  }
  std::vector<std::size_t> idx{3, 0, 7, 10, 5};
  const std::size_t P = m.weights().size();
  std::vector<double> per_sample(P, 0.0), batched(P, 0.0);
  double loss = 0;
  for (std::size_t i : idx) loss += m.loss_and_gradient(d.features[i], d.labels[i], per_sample);
  const double bloss = m.batch_loss_and_gradient(d, idx, batched);
  EXPECT_NEAR(bloss, loss, 1e-12);
  for (std::size_t p = 0; p < P; ++p) EXPECT_NEAR(batched[p], per_sample[p], 1e-12) << p;
  const auto z = m.batch_logits(d, idx);
  for (std::size_t b = 0; b < idx.size(); ++b) {
    const auto zb = m.logits(d.features[idx[b]]);
    for (std::size_t k = 0; k < 3; ++k) EXPECT_NEAR(z[b * 3 + k], zb[k], 1e-12);
  }
  using GM = QuantumClassifier::GradientMethod;
  for (GM method : {GM::Adjoint, GM::ParameterShift, GM::FiniteDifference}) {
    std::vector<double> g(P, 0.0), ref(P, 0.0);
    const double l = m.loss_and_gradient(d.features[2], d.labels[2], g, {method, 0, 0.05}, 1);
    const double lref = m.loss_and_gradient(d.features[2], d.labels[2], ref);
    EXPECT_NEAR(l, lref, 1e-12);
    const double tol = method == GM::FiniteDifference ? 1e-7 : 1e-10;
    for (std::size_t p = 0; p < P; ++p) EXPECT_NEAR(g[p], ref[p], tol) << "method " << int(method) << " weight " << p;
  }
  ClassifierConfig single = cfg;
  single.precision = Precision::Single;
  QuantumClassifier ms(single, 21);
  ms.set_weights(m.weights());
  ms.set_standardizer(m.standardizer());
  std::vector<double> gs(P, 0.0);
  ms.batch_loss_and_gradient(d, idx, gs);
  for (std::size_t p = 0; p < P; ++p) EXPECT_NEAR(gs[p], batched[p], 1e-4) << p;
}

// Partial training: every gradient path gives the full gradient's values on trainable weights and exactly 0 on frozen
// ones (circuit and classical weights alike).
TEST(QuantumClassifier, TrainableMaskFreezesWeightsInEveryGradientPath) {
  const ClassifierConfig cfg{.qubits = 3, .layers = 2, .num_features = 3, .num_classes = 2};
  QuantumClassifier m = random_model(cfg, 5);
  Dataset d;
  d.class_names = {"a", "b"};
  d.feature_names = {"f0", "f1", "f2"};
  Rng rng(8);
  for (int i = 0; i < 6; ++i) {
    d.features.push_back({rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2)});
    d.labels.push_back(i % 2);
  }
  const std::vector<std::size_t> idx{0, 1, 2, 3, 4, 5};
  const std::size_t P = m.weights().size();
  std::vector<double> full(P, 0.0);
  m.batch_loss_and_gradient(d, idx, full);
  const auto [first, last] = m.layer_weights(1);
  EXPECT_EQ(first, 9U);
  EXPECT_EQ(last, 18U);
  std::vector<bool> mask(P, false);
  for (unsigned i = first; i < last; ++i) mask[i] = true;
  mask[P - 1] = true;  // one classical bias
  m.set_trainable(mask);
  auto check = [&](const std::vector<double>& g, double tol, const char* what) {
    for (std::size_t p = 0; p < P; ++p) {
      if (mask[p]) {
        EXPECT_NEAR(g[p], full[p], tol) << what << " weight " << p;
      } else {
        EXPECT_EQ(g[p], 0.0) << what << " weight " << p;
      }
    }
  };
  std::vector<double> batched(P, 0.0), per_sample(P, 0.0), shift(P, 0.0);
  m.batch_loss_and_gradient(d, idx, batched);
  check(batched, 1e-12, "batched");
  using GM = QuantumClassifier::GradientMethod;
  for (std::size_t i : idx) {
    m.loss_and_gradient(d.features[i], d.labels[i], per_sample);
    m.loss_and_gradient(d.features[i], d.labels[i], shift, {GM::ParameterShift, 0, 0.05}, 1);
  }
  check(per_sample, 1e-12, "adjoint");
  check(shift, 1e-10, "parameter-shift");
  EXPECT_THROW(m.set_trainable(std::vector<bool>(3, true)), ValueError);
  EXPECT_THROW((void)m.layer_weights(2), ValueError);
}

TEST(QuantumClassifier, ShapeErrors) {
  const ClassifierConfig cfg{.qubits = 3, .layers = 1, .num_features = 3, .num_classes = 2};
  QuantumClassifier m(cfg, 1);
  EXPECT_THROW((void)m.logits(std::vector<double>{1.0, 2.0}), ValueError);
  EXPECT_THROW((void)m.logits(std::vector<double>{1.0, 2.0, 3.0, 4.0}), ValueError);
  EXPECT_THROW((void)m.predict(std::vector<double>{}), ValueError);
  std::vector<double> grad(m.weights().size() - 1);
  EXPECT_THROW((void)m.loss_and_gradient(std::vector<double>{1, 2, 3}, 0, grad), ValueError);
  std::vector<double> ok(m.weights().size());
  EXPECT_THROW((void)m.loss_and_gradient(std::vector<double>{1, 2}, 0, ok), ValueError);
  EXPECT_THROW((void)m.loss_and_gradient(std::vector<double>{1, 2, 3}, 2, ok), ValueError);  // label out of range
  EXPECT_THROW(m.set_weights(std::vector<double>(m.weights().size() + 1)), ValueError);
  std::vector<double> nan_w = m.weights();
  nan_w[0] = std::nan("");
  EXPECT_THROW(m.set_weights(nan_w), ValueError);
  EXPECT_THROW(m.set_standardizer(Standardizer{{0.0, 0.0}, {1.0, 1.0}}), ValueError);
}

// ---- the configurable model: every readout, loss and classical layer against central finite differences ----------

struct HybridCase {
  std::string name;
  ClassifierConfig cfg;
};

std::vector<HybridCase> hybrid_cases() {
  auto base = [](unsigned qubits, unsigned features, unsigned classes) {
    ClassifierConfig c;
    c.qubits = qubits;
    c.layers = 2;
    c.num_features = features;
    c.num_classes = classes;
    return c;
  };
  std::vector<HybridCase> cases;
  for (LossKind loss : {LossKind::CrossEntropy, LossKind::Mse, LossKind::MsePm1, LossKind::Hinge}) {
    ClassifierConfig c = base(3, 3, 3);
    c.loss = loss;
    cases.push_back({"z/" + loss_name(loss), c});
  }
  {
    ClassifierConfig c = base(3, 3, 3);
    c.readout = ReadoutKind::Pauli;
    c.pauli_readout = {"Z0 Z1", "X2 + 0.5 Y0", "Z2"};
    c.encoding_name = "zz";
    c.ansatz = "hea-ring";
    c.rotation = RotationBlock::RYRZ;
    cases.push_back({"pauli/zz/hea", c});
  }
  {
    ClassifierConfig c = base(3, 3, 4);
    c.readout = ReadoutKind::Probabilities;
    c.loss = LossKind::Fidelity;
    cases.push_back({"probabilities/fidelity", c});
  }
  {
    ClassifierConfig c = base(3, 3, 3);
    c.readout = ReadoutKind::Probabilities;
    c.loss = LossKind::Mse;
    cases.push_back({"probabilities/mse", c});
  }
  {
    ClassifierConfig c = base(3, 3, 2);
    c.readout = ReadoutKind::Parity;
    c.head = {{4, Activation::Tanh}};
    cases.push_back({"parity/head tanh", c});
  }
  {
    // classical → quantum → classical: every activation, PCA, dense encoding.
    ClassifierConfig c = base(3, 5, 3);
    c.pca_components = 4;
    c.hidden = {{5, Activation::ReLU}, {4, Activation::Sigmoid}, {6, Activation::Tanh}};
    c.encoding_name = "dense";
    c.head = {{5, Activation::Softmax}, {4, Activation::Identity}};
    c.loss = LossKind::CrossEntropy;
    cases.push_back({"hybrid/dense/pca", c});
  }
  {
    ClassifierConfig c = base(3, 3, 3);
    c.hidden = {{3, Activation::Tanh}};
    c.loss = LossKind::Hinge;
    c.ansatz = "basic";
    cases.push_back({"hidden/hinge/basic", c});
  }
  {
    // One qubit, two features re-uploaded with affine trainable scaling.
    ClassifierConfig c = base(1, 2, 2);
    c.layers = 3;
    c.encoding_name = "dense";
    c.reupload = true;
    c.reupload_scaling = ReuploadScaling::Affine;
    c.readout = ReadoutKind::Probabilities;
    cases.push_back({"reupload/1 qubit", c});
  }
  {
    ClassifierConfig c = base(4, 4, 2);
    c.ansatz = "qcnn";
    c.encoding_name = "iqp";
    c.loss = LossKind::MsePm1;
    c.hidden = {{4, Activation::Identity}};
    cases.push_back({"qcnn/iqp/hidden", c});
  }
  return cases;
}

QuantumClassifier random_hybrid(const ClassifierConfig& cfg, std::uint64_t seed) {
  QuantumClassifier m(cfg, seed);
  Rng rng(seed + 7);
  std::vector<double> w = m.weights();
  for (std::size_t i = m.num_circuit_weights(); i < w.size(); ++i) w[i] = rng.uniform(-1.0, 1.0);
  m.set_weights(w);
  Standardizer st;
  for (unsigned j = 0; j < cfg.num_features; ++j) {
    st.mean.push_back(rng.uniform(-0.5, 0.5));
    st.scale.push_back(rng.uniform(0.5, 2.0));
  }
  m.set_standardizer(st);
  if (cfg.pca_components > 0) {
    Dataset d;
    for (int i = 0; i < 12; ++i) {
      std::vector<double> row(cfg.num_features);
      for (double& v : row) v = rng.normal();
      d.features.push_back(row);
      d.labels.push_back(0);
    }
    d.class_names = {"a"};
    m.set_pca(Pca::fit(d, cfg.pca_components));
  }
  return m;
}

TEST(QuantumClassifier, HybridGradientMatchesFiniteDifferencesForEveryReadoutAndLoss) {
  for (const HybridCase& hc : hybrid_cases()) {
    SCOPED_TRACE(hc.name);
    const ClassifierConfig& cfg = hc.cfg;
    const QuantumClassifier m = random_hybrid(cfg, 31);
    Rng rng(77);
    Dataset data;
    data.class_names.resize(cfg.num_classes, "c");
    for (int i = 0; i < 3; ++i) {
      std::vector<double> x(cfg.num_features);
      for (double& v : x) v = rng.uniform(-1.5, 1.5);
      data.features.push_back(x);
      data.labels.push_back(static_cast<int>(rng.below(cfg.num_classes)));
    }
    const std::vector<std::size_t> idx{0, 1, 2};
    const std::size_t P = m.weights().size();
    // Batched adjoint (the fast path) and the per-sample adjoint.
    std::vector<double> g_batch(P, 0.0), g_single(P, 0.0), g_shift(P, 0.0);
    const double loss_batch = m.batch_loss_and_gradient(data, idx, g_batch);
    double loss_single = 0;
    for (std::size_t i : idx) loss_single += m.loss_and_gradient(data.features[i], data.labels[i], g_single);
    // Parameter shift (the hardware method) also differentiates the circuit inputs for the hidden layers.
    const QuantumClassifier::HardwareOptions ps{QuantumClassifier::GradientMethod::ParameterShift, 0, 0.05};
    for (std::size_t i : idx) (void)m.loss_and_gradient(data.features[i], data.labels[i], g_shift, ps, 1);
    EXPECT_NEAR(loss_batch, loss_single, 1e-12);

    auto total_loss = [&](const std::vector<double>& w) {
      QuantumClassifier copy = m;
      copy.set_weights(w);
      double l = 0;
      for (std::size_t i : idx) l += classification_loss(cfg.loss, copy.logits(data.features[i]), data.labels[i]);
      return l;
    };
    EXPECT_NEAR(total_loss(m.weights()), loss_batch, 1e-12);
    const double h = 1e-5;
    std::vector<double> fd(P);
    double scale = 0;
    for (std::size_t p = 0; p < P; ++p) {
      std::vector<double> wp = m.weights(), wm = m.weights();
      wp[p] += h;
      wm[p] -= h;
      fd[p] = (total_loss(wp) - total_loss(wm)) / (2 * h);
      scale = std::max(scale, std::abs(fd[p]));
    }
    ASSERT_GT(scale, 1e-3);  // not vacuous
    // ≤ 1e-6 relative to the largest component (central differences err by O(h²) ≈ 1e-10 here).
    double circuit_part = 0, classical_part = 0;
    for (std::size_t p = 0; p < P; ++p) {
      EXPECT_NEAR(g_batch[p], fd[p], 1e-6 * scale) << "weight " << p;
      EXPECT_NEAR(g_single[p], fd[p], 1e-6 * scale) << "weight " << p;
      EXPECT_NEAR(g_shift[p], fd[p], 1e-6 * scale) << "weight " << p;
      (p < m.num_circuit_weights() ? circuit_part : classical_part) += std::abs(fd[p]);
    }
    EXPECT_GT(circuit_part, 1e-4);
    if (!cfg.hidden.empty()) {
      // Gradients reach the first hidden layer through the circuit.
      double first = 0;
      for (std::size_t p = m.num_circuit_weights(); p < m.num_circuit_weights() + cfg.hidden[0].units; ++p)
        first += std::abs(g_batch[p]);
      EXPECT_GT(first, 1e-6);
    }
  }
}

TEST(QuantumClassifier, DefaultConfigurationIsTheOriginalModel) {
  // The original circuit, gate for gate: RY(x_j) on qubit j, then strongly entangling layers; Z_k readout.
  const ClassifierConfig cfg{.qubits = 3, .layers = 2, .num_features = 3, .num_classes = 2};
  const QuantumClassifier m(cfg, 9);
  Circuit expected(3);
  angle_encoding(expected, 3, RotationAxis::Y);
  strongly_entangling(expected, 2);
  ASSERT_EQ(m.circuit().size(), expected.size());
  EXPECT_EQ(m.weights().size(), expected.num_theta() + 4);
  EXPECT_EQ(m.readout().size(), 2u);
  EXPECT_EQ(m.readout()[1].to_string(), PauliSum(Z(1)).to_string());
}

TEST(QuantumClassifier, ProbabilityReadoutSumsToOneAndFidelityLossIsOneMinusOverlap) {
  ClassifierConfig cfg{.qubits = 2, .layers = 1, .num_features = 2, .num_classes = 4};
  cfg.readout = ReadoutKind::Probabilities;
  cfg.loss = LossKind::Fidelity;
  const QuantumClassifier m = random_hybrid(cfg, 3);
  const std::vector<double> x{0.3, -0.7};
  const auto p = m.logits(x);
  double s = 0;
  for (double v : p) s += v;
  EXPECT_NEAR(s, 1.0, 1e-12);  // the projectors |k⟩⟨k| of two qubits sum to I
  // 1 − |⟨k|ψ⟩|² from the state itself.
  const auto psi = simulate<double>(m.circuit(), std::span<const double>(m.weights()).first(m.num_circuit_weights()),
                                    m.circuit_inputs(x));
  std::vector<double> grad(m.weights().size(), 0.0);
  for (int k = 0; k < 4; ++k) {
    EXPECT_NEAR(m.loss_and_gradient(x, k, grad), 1.0 - std::norm(psi[static_cast<std::size_t>(k)]), 1e-12);
  }
}

TEST(QuantumClassifier, ConfigurationErrorsNameTheProblem) {
  auto message = [](const ClassifierConfig& c) {
    try {
      QuantumClassifier m(c, 1);
    } catch (const ValueError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  ClassifierConfig c{.qubits = 2, .layers = 1, .num_features = 5, .num_classes = 2};
  c.encoding_name = "zz";
  EXPECT_NE(message(c).find("more features than the encoding can hold"), std::string::npos) << message(c);
  c.encoding_name = "amplitude";
  EXPECT_NE(message(c).find("amplitude"), std::string::npos);
  c.encoding_name = "foo";
  EXPECT_NE(message(c).find("unknown encoding 'foo'"), std::string::npos);
  c = {.qubits = 2, .layers = 1, .num_features = 2, .num_classes = 2};
  c.ansatz = "bar";
  EXPECT_NE(message(c).find("unknown ansatz 'bar'"), std::string::npos);
  c.ansatz = "strong";
  c.loss = LossKind::Fidelity;
  EXPECT_NE(message(c).find("fidelity"), std::string::npos);
  c.loss = LossKind::CrossEntropy;
  c.readout = ReadoutKind::Parity;
  c.num_classes = 3;
  c.qubits = 3;
  EXPECT_NE(message(c).find("parity"), std::string::npos);
  c = {.qubits = 2, .layers = 1, .num_features = 2, .num_classes = 2};
  c.readout = ReadoutKind::Pauli;
  c.pauli_readout = {"Z5"};
  EXPECT_NE(message(c).find("qubit 5"), std::string::npos);
  c = {.qubits = 2, .layers = 1, .num_features = 2, .num_classes = 2};
  c.pca_components = 3;
  EXPECT_NE(message(c).find("PCA"), std::string::npos);
}

TEST(QuantumClassifier, ShotReadoutConvergesToTheExactScore) {
  // Iris-shaped: z readout estimated from shots. Each ⟨Z⟩ has σ = √((1 − ⟨Z⟩²)/N) ≤ 1/√N; with N = 20000 the logits
  // move by ≤ |s|·0.007, so the loss differs by well under 0.05 (≈ 5σ of its sampling spread).
  const ClassifierConfig cfg{.qubits = 3, .layers = 1, .num_features = 3, .num_classes = 3};
  const QuantumClassifier m = random_hybrid(cfg, 12);
  Dataset data;
  data.class_names = {"a", "b", "c"};
  Rng rng(5);
  for (int i = 0; i < 20; ++i) {
    data.features.push_back({rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)});
    data.labels.push_back(i % 3);
  }
  const auto exact = m.evaluate(data);
  const auto shots = m.evaluate(data, 20000, 3);
  EXPECT_NEAR(shots.loss, exact.loss, 0.05);
  EXPECT_NE(shots.loss, exact.loss);
  const auto again = m.evaluate(data, 20000, 3);
  EXPECT_EQ(again.loss, shots.loss);  // seeded
}

}  // namespace
}  // namespace qnn

namespace qnn {
namespace {

TEST(QuantumClassifier, LightConeReadsWhatTheWholeCircuitReads) {
  // The exact paths simulate the readout's light cone: values and the circuit gradient equal the whole circuit's, and
  // the weights outside the cone (the last RZ of each qubit at least) get exactly 0.
  for (unsigned n : {4U, 6U}) {
    const ClassifierConfig cfg{.qubits = n, .layers = 2, .num_features = n, .num_classes = 2};
    const QuantumClassifier m(cfg, 11);
    const LightCone& cone = m.light_cone();
    EXPECT_GT(cone.dropped(m.circuit()), n);  // the last RZ layer and the last ring at least
    EXPECT_GE(cone.folded, 2U);
    ASSERT_GE(cone.idle_weights.size(), 1U);
    Rng rng(n);
    std::vector<double> x(n);
    for (double& v : x) v = rng.uniform(-2.0, 2.0);
    const std::vector<double> u = m.circuit_inputs(x);
    const std::vector<double> th(m.weights().begin(), m.weights().begin() + m.num_circuit_weights());
    const std::vector<double> z = m.logits(x);  // unit scales, zero biases: z_k = ⟨O_k⟩
    PauliSum weighted;
    const std::vector<double> p = softmax(z);
    for (std::size_t k = 0; k < z.size(); ++k) {
      EXPECT_NEAR(z[k], expval(m.circuit(), m.readout()[k], th, u), 1e-12);
      weighted = weighted + m.readout()[k] * (p[k] - (k == 1 ? 1.0 : 0.0));
    }
    std::vector<double> grad(m.weights().size(), 0.0);
    (void)m.loss_and_gradient(x, 1, grad);
    const Gradient whole = adjoint_gradient(m.circuit(), weighted, th, u);
    for (std::size_t t = 0; t < th.size(); ++t) EXPECT_NEAR(grad[t], whole.theta[t], 1e-12) << "weight " << t;
    for (unsigned t : cone.idle_weights) EXPECT_EQ(grad[t], 0.0) << "idle weight " << t;
  }
}

}  // namespace
}  // namespace qnn
