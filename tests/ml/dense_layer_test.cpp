#include "qnn/ml/dense_layer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"

namespace qnn {
namespace {

TEST(DenseLayer, ParsesSpecsAndRejectsBadOnes) {
  const auto l = parse_dense_layers("16:relu,8:tanh,3");
  ASSERT_EQ(l.size(), 3u);
  EXPECT_EQ(l[0], (DenseLayerSpec{16, Activation::ReLU}));
  EXPECT_EQ(l[1], (DenseLayerSpec{8, Activation::Tanh}));
  EXPECT_EQ(l[2], (DenseLayerSpec{3, Activation::Identity}));
  EXPECT_EQ(dense_layers_to_string(l), "16:relu,8:tanh,3");
  EXPECT_TRUE(parse_dense_layers("").empty());
  EXPECT_THROW(parse_dense_layers("0:relu"), ValueError);
  EXPECT_THROW(parse_dense_layers("16:swish"), ValueError);
  EXPECT_THROW(parse_dense_layers("x"), ValueError);
  EXPECT_THROW(parse_dense_layers("4,,4"), ValueError);
}

TEST(DenseLayer, ForwardIsAffineThenActivation) {
  // One layer 2 → 2 with W = [[1, 2], [−1, 0.5]], c = [0.1, −0.2]: a = W x + c, y = tanh(a).
  const DenseStack s(2, {{2, Activation::Tanh}});
  ASSERT_EQ(s.num_weights(), 6u);
  const std::vector<double> w{1, 2, -1, 0.5, 0.1, -0.2}, x{0.3, -0.4};
  const auto y = s.forward(w, x);
  EXPECT_NEAR(y[0], std::tanh(0.3 - 0.8 + 0.1), 1e-15);
  EXPECT_NEAR(y[1], std::tanh(-0.3 - 0.2 - 0.2), 1e-15);
}

TEST(DenseLayer, SoftmaxOutputsSumToOne) {
  std::vector<double> a{1.0, -2.0, 0.5}, y(3);
  apply_activation(Activation::Softmax, a, y);
  EXPECT_NEAR(std::accumulate(y.begin(), y.end(), 0.0), 1.0, 1e-15);
}

TEST(DenseLayer, BackwardMatchesFiniteDifferences) {
  // L = Σ_i r_i y_i for a random r: ∂L/∂w and ∂L/∂x against central differences, every activation.
  const DenseStack s(3, {{4, Activation::ReLU}, {3, Activation::Sigmoid}, {4, Activation::Softmax},
                         {2, Activation::Tanh}, {2, Activation::Identity}});
  Rng rng(11);
  std::vector<double> w(s.num_weights());
  s.initialise(w, rng);
  for (double& v : w) v += rng.uniform(-0.3, 0.3);  // nonzero biases too
  const std::vector<double> x{0.7, -0.2, 1.1}, r{0.9, -1.3};
  auto L = [&](const std::vector<double>& ww, const std::vector<double>& xx) {
    const auto y = s.forward(ww, xx);
    return r[0] * y[0] + r[1] * y[1];
  };
  DenseStack::Trace trace;
  (void)s.forward(w, x, &trace);
  std::vector<double> dw(w.size(), 0.0);
  const auto dx = s.backward(w, trace, r, dw, [](std::size_t) { return false; });
  const double h = 1e-6;
  double scale = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    auto wp = w, wm = w;
    wp[i] += h;
    wm[i] -= h;
    const double fd = (L(wp, x) - L(wm, x)) / (2 * h);
    EXPECT_NEAR(dw[i], fd, 1e-8) << "weight " << i;
    scale += std::abs(fd);
  }
  EXPECT_GT(scale, 1e-2);
  for (std::size_t j = 0; j < x.size(); ++j) {
    auto xp = x, xm = x;
    xp[j] += h;
    xm[j] -= h;
    EXPECT_NEAR(dx[j], (L(w, xp) - L(w, xm)) / (2 * h), 1e-8) << "input " << j;
  }
  // Frozen weights get nothing.
  std::vector<double> dw2(w.size(), 0.0);
  (void)s.backward(w, trace, r, dw2, [](std::size_t i) { return i < 5; });
  for (std::size_t i = 0; i < 5; ++i) EXPECT_EQ(dw2[i], 0.0);
  EXPECT_EQ(dw2[10], dw[10]);
}

TEST(DenseLayer, GlorotInitialisationHasTheIntendedVariance) {
  // 64 → 64 tanh: Var W = 2/128, so the sample variance of 4096 draws is within ±10 % (≈ 4.5σ of its spread).
  const DenseStack s(64, {{64, Activation::Tanh}});
  std::vector<double> w(s.num_weights());
  Rng rng(3);
  s.initialise(w, rng);
  double var = 0;
  for (std::size_t i = 0; i < 64 * 64; ++i) var += w[i] * w[i] / 4096.0;
  EXPECT_NEAR(var, 2.0 / 128, 0.1 * 2.0 / 128);
  for (std::size_t i = 64 * 64; i < w.size(); ++i) EXPECT_EQ(w[i], 0.0);
}

}  // namespace
}  // namespace qnn
