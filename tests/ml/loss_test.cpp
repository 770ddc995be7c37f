#include "qnn/ml/loss.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "qnn/core/error.hpp"

namespace qnn {
namespace {

TEST(Softmax, SumsToOneAndPreservesOrder) {
  const std::vector<double> z{0.3, -1.2, 2.5, 0.0};
  const auto p = softmax(z);
  ASSERT_EQ(p.size(), z.size());
  EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0), 1.0, 1e-15);
  for (double v : p) EXPECT_GT(v, 0.0);
  EXPECT_GT(p[2], p[0]);
  EXPECT_GT(p[0], p[3]);
  EXPECT_GT(p[3], p[1]);
  // Closed form for one entry.
  double s = 0;
  for (double v : z) s += std::exp(v);
  EXPECT_NEAR(p[2], std::exp(2.5) / s, 1e-15);
}

TEST(Softmax, StableForHugeLogits) {
  for (double big : {1000.0, -1000.0}) {
    const std::vector<double> z{big, big - 1.0, big - 2.0};
    const auto p = softmax(z);
    double sum = 0;
    for (double v : p) {
      ASSERT_TRUE(std::isfinite(v)) << "logits around " << big;
      sum += v;
    }
    EXPECT_NEAR(sum, 1.0, 1e-15);
    // Shift invariance: same as softmax(0, -1, -2).
    const double e = 1 + std::exp(-1.0) + std::exp(-2.0);
    EXPECT_NEAR(p[0], 1 / e, 1e-14);
    EXPECT_NEAR(p[1], std::exp(-1.0) / e, 1e-14);
    EXPECT_NEAR(p[2], std::exp(-2.0) / e, 1e-14);
  }
  const auto q = softmax(std::vector<double>{1000.0, -1000.0});
  EXPECT_DOUBLE_EQ(q[0], 1.0);
  EXPECT_GE(q[1], 0.0);
  EXPECT_LT(q[1], 1e-300);
}

TEST(SoftmaxCrossEntropy, MatchesClosedForm) {
  const std::vector<double> z{0.5, -0.25, 1.75};
  const double lse = std::log(std::exp(0.5) + std::exp(-0.25) + std::exp(1.75));
  for (int label = 0; label < 3; ++label) {
    EXPECT_NEAR(softmax_cross_entropy(z, label), lse - z[static_cast<std::size_t>(label)], 1e-14) << label;
  }
  // Two equal logits: log 2.
  EXPECT_NEAR(softmax_cross_entropy(std::vector<double>{3.0, 3.0}, 1), std::log(2.0), 1e-15);
  // Huge logits stay finite: −log softmax = 1000 − (−1000) − … ≈ 2000.
  const double huge = softmax_cross_entropy(std::vector<double>{1000.0, -1000.0}, 1);
  EXPECT_TRUE(std::isfinite(huge));
  EXPECT_NEAR(huge, 2000.0, 1e-9);
  EXPECT_NEAR(softmax_cross_entropy(std::vector<double>{1000.0, -1000.0}, 0), 0.0, 1e-300);
}

TEST(SoftmaxCrossEntropy, GradientMatchesFiniteDifferences) {
  const std::vector<double> z{0.4, -1.1, 0.9, 2.2};
  const double h = 1e-6;
  for (int label = 0; label < 4; ++label) {
    std::vector<double> grad(z.size(), 123.0);  // overwritten, not accumulated
    const double loss = softmax_cross_entropy(z, label, grad);
    EXPECT_EQ(loss, softmax_cross_entropy(z, label));
    const auto p = softmax(z);
    double gsum = 0;
    for (std::size_t k = 0; k < z.size(); ++k) {
      auto zp = z, zm = z;
      zp[k] += h;
      zm[k] -= h;
      const double fd = (softmax_cross_entropy(zp, label) - softmax_cross_entropy(zm, label)) / (2 * h);
      EXPECT_NEAR(grad[k], fd, 1e-8) << "label " << label << " k " << k;
      EXPECT_NEAR(grad[k], p[k] - (static_cast<int>(k) == label ? 1.0 : 0.0), 1e-15);
      gsum += grad[k];
    }
    EXPECT_NEAR(gsum, 0.0, 1e-15);
  }
}

TEST(SoftmaxCrossEntropy, BadLabelThrows) {
  const std::vector<double> z{0.0, 1.0, 2.0};
  EXPECT_THROW((void)softmax_cross_entropy(z, -1), ValueError);
  EXPECT_THROW((void)softmax_cross_entropy(z, 3), ValueError);
  EXPECT_THROW((void)softmax_cross_entropy(std::vector<double>{}, 0), ValueError);
  EXPECT_NO_THROW((void)softmax_cross_entropy(z, 2));
}

TEST(ClassificationLoss, ClosedFormsAndGradients) {
  const std::vector<double> z{0.4, -0.3, 0.9};
  // mse: (1/3)[(0.4)² + (−0.3 − 1)² + 0.9²] for label 1; mse-pm1: (1/3)[(1.4)² + (1.3)² + (1.9)²].
  EXPECT_NEAR(classification_loss(LossKind::Mse, z, 1), (0.16 + 1.69 + 0.81) / 3, 1e-15);
  EXPECT_NEAR(classification_loss(LossKind::MsePm1, z, 1), (1.96 + 1.69 + 3.61) / 3, 1e-14);
  // hinge, label 0: max(0, 1 − 0.4 − 0.3) + max(0, 1 − 0.4 + 0.9) = 0.3 + 1.5.
  EXPECT_NEAR(classification_loss(LossKind::Hinge, z, 0), 1.8, 1e-15);
  EXPECT_NEAR(classification_loss(LossKind::Fidelity, z, 2), 0.1, 1e-15);
  EXPECT_EQ(classification_loss(LossKind::CrossEntropy, z, 2), softmax_cross_entropy(z, 2));
  for (LossKind k : {LossKind::CrossEntropy, LossKind::Mse, LossKind::MsePm1, LossKind::Hinge, LossKind::Fidelity}) {
    SCOPED_TRACE(loss_name(k));
    EXPECT_EQ(parse_loss(loss_name(k)), k);
    for (int label = 0; label < 3; ++label) {
      std::vector<double> g(3);
      (void)classification_loss(k, z, label, g);
      for (std::size_t j = 0; j < 3; ++j) {
        auto zp = z, zm = z;
        zp[j] += 1e-6;
        zm[j] -= 1e-6;
        EXPECT_NEAR(g[j], (classification_loss(k, zp, label) - classification_loss(k, zm, label)) / 2e-6, 1e-8);
      }
    }
  }
  EXPECT_THROW(parse_loss("l1"), ValueError);
  EXPECT_THROW(classification_loss(LossKind::Hinge, z, 3), ValueError);
}

}  // namespace
}  // namespace qnn
