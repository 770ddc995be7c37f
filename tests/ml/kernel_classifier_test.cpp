#include "qnn/ml/kernel_classifier.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/ml/dataset.hpp"
#include "qnn/ml/synthetic_datasets.hpp"

namespace qnn {
namespace {

// Classical kernels, so the machines are tested apart from any quantum encoding.
KernelMatrix classical_kernel(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b,
                              double gamma /* 0: linear */) {
  KernelMatrix k{a.size(), b.size(), std::vector<double>(a.size() * b.size())};
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = 0; j < b.size(); ++j) {
      double dot = 0, dist = 0;
      for (std::size_t f = 0; f < a[i].size(); ++f) {
        dot += a[i][f] * b[j][f];
        dist += (a[i][f] - b[j][f]) * (a[i][f] - b[j][f]);
      }
      k.values[i * b.size() + j] = gamma > 0 ? std::exp(-gamma * dist) : dot;
    }
  return k;
}

Dataset blobs(std::size_t per_class, std::size_t classes, double spread, std::uint64_t seed) {
  Rng rng(seed);
  Dataset d;
  d.feature_names = {"x0", "x1"};
  for (std::size_t c = 0; c < classes; ++c) {
    d.class_names.push_back(std::to_string(c));
    const double angle = 2 * std::acos(-1.0) * double(c) / double(classes);
    for (std::size_t i = 0; i < per_class; ++i) {
      d.features.push_back({3 * std::cos(angle) + spread * rng.normal(), 3 * std::sin(angle) + spread * rng.normal()});
      d.labels.push_back(static_cast<int>(c));
    }
  }
  return d;
}

TEST(KernelSvm, SeparableDataWithLinearKernelSatisfiesKkt) {
  const Dataset d = blobs(30, 2, 0.5, 1);
  const KernelMatrix gram = classical_kernel(d.features, d.features, 0);
  const double C = 10;
  KernelSvm svm(SvmOptions{.C = C, .tolerance = 1e-6});
  svm.fit(gram, d.labels, 2);
  EXPECT_EQ(prediction_accuracy(svm.predict(gram), d.labels), 1.0);
  ASSERT_EQ(svm.num_machines(), 1u);
  const auto& coef = svm.dual_coefficients(0);  // y_i α_i
  double balance = 0;
  for (std::size_t i = 0; i < coef.size(); ++i) {
    const double y = d.labels[i] == 1 ? 1.0 : -1.0, alpha = coef[i] * y;
    EXPECT_GE(alpha, 0.0);
    EXPECT_LE(alpha, C);
    balance += coef[i];
  }
  EXPECT_NEAR(balance, 0.0, 1e-10);  // Σ y_i α_i = 0
  // Margin conditions: y f(x) ≥ 1 − tol for α = 0, = 1 for free support vectors.
  const auto f = svm.decision_function(gram);
  for (std::size_t i = 0; i < coef.size(); ++i) {
    const double y = d.labels[i] == 1 ? 1.0 : -1.0, alpha = coef[i] * y;
    if (alpha == 0) {
      EXPECT_GE(y * f[i], 1 - 1e-4) << i;
    } else if (alpha < C - 1e-8) {
      EXPECT_NEAR(y * f[i], 1.0, 1e-4) << i;
    }
  }
  EXPECT_GT(svm.num_support_vectors(), 1u);
  EXPECT_LT(svm.num_support_vectors(), 20u);  // well-separated blobs need few
}

TEST(KernelSvm, OneVersusRestOnThreeBlobsWithRbf) {
  const Dataset d = blobs(40, 3, 0.8, 2);
  const TrainTestSplit s = train_test_split(d, 0.3, 3);
  KernelSvm svm;
  svm.fit(classical_kernel(s.train.features, s.train.features, 0.5), s.train.labels, 3);
  EXPECT_EQ(svm.num_machines(), 3u);
  const auto pred = svm.predict(classical_kernel(s.test.features, s.train.features, 0.5));
  EXPECT_GE(prediction_accuracy(pred, s.test.labels), 0.95);
}

TEST(KernelRidgeClassifier, InterpolatesWithSmallRegularisationAndGeneralises) {
  const Dataset d = blobs(40, 3, 0.8, 4);
  const TrainTestSplit s = train_test_split(d, 0.3, 5);
  const KernelMatrix gram = classical_kernel(s.train.features, s.train.features, 0.5);
  KernelRidgeClassifier ridge(1e-8);
  ridge.fit(gram, s.train.labels, 3);
  // (K + λI)α = Y with λ → 0 reproduces the ±1 targets on the training samples.
  const auto scores = ridge.decision_function(gram);
  for (std::size_t i = 0; i < s.train.num_samples(); ++i)
    for (std::size_t c = 0; c < 3; ++c) {
      EXPECT_NEAR(scores[i * 3 + c], s.train.labels[i] == int(c) ? 1.0 : -1.0, 1e-4);
    }
  KernelRidgeClassifier smooth(1e-2);
  smooth.fit(gram, s.train.labels, 3);
  EXPECT_GE(prediction_accuracy(smooth.predict(classical_kernel(s.test.features, s.train.features, 0.5)), s.test.labels),
            0.95);
}

TEST(KernelClassifiers, InvalidInputsThrow) {
  const KernelMatrix gram{2, 2, {1, 0, 0, 1}};
  KernelSvm svm;
  EXPECT_THROW(svm.fit(gram, std::vector<int>{0}, 2), ValueError);
  EXPECT_THROW(svm.fit(gram, std::vector<int>{0, 2}, 2), ValueError);
  EXPECT_THROW(svm.fit(gram, std::vector<int>{0, 0}, 1), ValueError);
  EXPECT_THROW((void)svm.predict(gram), ValueError);  // not fitted
  svm.fit(gram, std::vector<int>{0, 1}, 2);
  EXPECT_THROW((void)svm.predict(KernelMatrix{1, 3, {0, 0, 0}}), ValueError);
  EXPECT_THROW(KernelSvm(SvmOptions{.C = 0}), ValueError);
  EXPECT_THROW(KernelRidgeClassifier(0.0), ValueError);
  EXPECT_THROW((void)prediction_accuracy(std::vector<int>{1}, std::vector<int>{1, 0}), ValueError);
}

// ---- quantum kernels on the toy problems (the bar: ≥ 0.9 test accuracy) ---------------------------------

struct KernelRun {
  double svm = 0;
  double ridge = 0;
};

// The qnn kernel pipeline: split, standardise, min-max to [0, π], bandwidth, ZZ map, both machines.
KernelRun run_zz(const Dataset& d, double bandwidth, std::uint64_t seed) {
  TrainTestSplit s = train_test_split(d, 0.3, seed);
  const Standardizer st = Standardizer::fit(s.train);
  st.transform_in_place(s.train);
  st.transform_in_place(s.test);
  const MinMaxScaler mm = MinMaxScaler::fit(s.train);
  mm.transform_in_place(s.train);
  mm.transform_in_place(s.test);
  for (Dataset* part : {&s.train, &s.test})
    for (auto& row : part->features)
      for (double& v : row) v *= bandwidth;
  const FidelityKernel k(make_encoding("zz", 2, 2));
  const KernelMatrix gram = k.matrix(s.train.features), cross = k.matrix(s.test.features, s.train.features);
  KernelSvm svm(SvmOptions{.C = 10});
  svm.fit(gram, s.train.labels, 2);
  KernelRidgeClassifier ridge(1e-3);
  ridge.fit(gram, s.train.labels, 2);
  return {prediction_accuracy(svm.predict(cross), s.test.labels), prediction_accuracy(ridge.predict(cross), s.test.labels)};
}

TEST(QuantumKernelClassification, ZzMapOnCirclesAndMoons) {
  for (std::uint64_t seed : {1u, 2u}) {
    const KernelRun circles = run_zz(make_circles(200, 0.05, 0.5, seed), 0.5, seed);
    EXPECT_GE(circles.svm, 0.9) << "circles seed " << seed;
    EXPECT_GE(circles.ridge, 0.9) << "circles seed " << seed;
    const KernelRun moons = run_zz(make_moons(200, 0.1, seed), 0.5, seed);
    EXPECT_GE(moons.svm, 0.9) << "moons seed " << seed;
    EXPECT_GE(moons.ridge, 0.9) << "moons seed " << seed;
    const KernelRun xr = run_zz(make_xor(200, 0.2, seed), 0.5, seed);
    EXPECT_GE(xr.svm, 0.95) << "xor seed " << seed;
  }
}

}  // namespace
}  // namespace qnn
