// The classifier's readout backend hook with the noisy density-matrix readout (qnn/noise/noisy_readout.hpp).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "qnn/core/rng.hpp"
#include "qnn/ml/classifier.hpp"
#include "qnn/noise/noise_spec.hpp"
#include "qnn/noise/noisy_readout.hpp"

namespace qnn {
namespace {

Dataset small_data() {
  Dataset d;
  d.class_names = {"a", "b", "c"};
  d.feature_names = {"f0", "f1", "f2"};
  Rng rng(4);
  for (int i = 0; i < 6; ++i) {
    d.features.push_back({rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)});
    d.labels.push_back(i % 3);
  }
  return d;
}

QuantumClassifier small_model() {
  ClassifierConfig cfg;
  cfg.qubits = 3;
  cfg.layers = 2;
  cfg.num_features = 3;
  cfg.num_classes = 3;
  return QuantumClassifier(cfg, 11);
}

const std::vector<std::size_t> kAll = {0, 1, 2, 3, 4, 5};

TEST(ClassifierUnderNoise, ANoiselessModelReproducesTheExactReadout) {
  const Dataset d = small_data();
  const QuantumClassifier exact = small_model();
  QuantumClassifier dm = small_model();
  dm.set_readout_backend(noisy_readout<double>(NoiseModel{}));
  const auto z0 = exact.batch_logits(d, kAll), z1 = dm.batch_logits(d, kAll);
  for (std::size_t i = 0; i < z0.size(); ++i) EXPECT_NEAR(z0[i], z1[i], 1e-12);
  std::vector<double> g0(exact.weights().size(), 0.0), g1(g0.size(), 0.0);
  EXPECT_NEAR(exact.batch_loss_and_gradient(d, kAll, g0), dm.batch_loss_and_gradient(d, kAll, g1), 1e-12);
  for (std::size_t i = 0; i < g0.size(); ++i) EXPECT_NEAR(g0[i], g1[i], 1e-11) << "weight " << i;
}

TEST(ClassifierUnderNoise, NoisyLossGradientMatchesFiniteDifferences) {
  // Training under noise with ZNE: the loss of the mitigated readout and its gradient (through the density matrix and
  // the extrapolation weights) agree with central differences of the same loss.
  const Dataset d = small_data();
  QuantumClassifier m = small_model();
  m.set_readout_backend(noisy_readout<double>(parse_noise_spec("depolarizing:0.03+readout:0.02"),
                                              parse_mitigation("zne")));
  std::vector<double> g(m.weights().size(), 0.0), scratch(g.size());
  const double loss = m.batch_loss_and_gradient(d, kAll, g);
  EXPECT_TRUE(std::isfinite(loss));
  const double h = 1e-5;
  for (std::size_t i = 0; i < g.size(); i += 4) {
    QuantumClassifier up = m, down = m;
    up.weights()[i] += h;
    down.weights()[i] -= h;
    const double fd = (up.batch_loss_and_gradient(d, kAll, scratch) - down.batch_loss_and_gradient(d, kAll, scratch)) /
                      (2 * h);
    EXPECT_NEAR(g[i], fd, 1e-7) << "weight " << i;
  }
  // And noise changes the model's outputs.
  const auto clean = small_model().batch_logits(d, kAll);
  QuantumClassifier noisy = small_model();
  noisy.set_readout_backend(noisy_readout<double>(parse_noise_spec("depolarizing:0.03")));
  const auto z = noisy.batch_logits(d, kAll);
  double diff = 0;
  for (std::size_t i = 0; i < z.size(); ++i) diff = std::max(diff, std::abs(z[i] - clean[i]));
  EXPECT_GT(diff, 1e-2);
}

}  // namespace
}  // namespace qnn
