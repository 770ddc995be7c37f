#include "qnn/ml/optimizer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "qnn/core/error.hpp"

namespace qnn {
namespace {

// f(p) = ½ pᵀAp − bᵀp with A symmetric positive definite: a convex quadratic with gradient Ap − b.
struct Quadratic {
  // A = [[4, 1, 0], [1, 3, 0.5], [0, 0.5, 2]], minimiser p* = A⁻¹ b.
  double A[3][3] = {{4, 1, 0}, {1, 3, 0.5}, {0, 0.5, 2}};
  double b[3] = {1, -2, 3};
  std::vector<double> grad(const std::vector<double>& p) const {
    std::vector<double> g(3);
    for (int i = 0; i < 3; ++i) {
      g[i] = -b[i];
      for (int j = 0; j < 3; ++j) g[i] += A[i][j] * p[j];
    }
    return g;
  }
};

TEST(Adam, MinimisesConvexQuadratic) {
  const Quadratic f;
  // Solution of A p = b by Cramer's rule (det A = 21).
  const std::vector<double> expected{15.0 / 28, -8.0 / 7, 25.0 / 14};
  // Check the hand-worked minimiser really solves A p = b.
  for (double gi : f.grad(expected)) ASSERT_NEAR(gi, 0.0, 1e-12);

  Adam adam(0.05);
  std::vector<double> p{5.0, 5.0, -5.0};
  for (int it = 0; it < 5000; ++it) adam.step(p, f.grad(p));
  EXPECT_EQ(adam.steps(), 5000u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(p[i], expected[i], 1e-6) << i;
}

TEST(Adam, FirstStepIsLearningRateTimesSignOfGradient) {
  // Bias correction makes m̂ = g and v̂ = g² after one step, so every parameter moves by lr · g / (|g| + ε).
  const double lr = 0.01;
  Adam adam(lr);
  std::vector<double> p{1.0, -2.0, 0.5, 3.0};
  const std::vector<double> before = p;
  const std::vector<double> g{1e-3, -250.0, 7.0, 0.0};
  adam.step(p, g);
  EXPECT_EQ(adam.steps(), 1u);
  EXPECT_NEAR(p[0] - before[0], -lr, 1e-7);
  EXPECT_NEAR(p[1] - before[1], +lr, 1e-12);
  EXPECT_NEAR(p[2] - before[2], -lr, 1e-10);
  EXPECT_EQ(p[3], before[3]);  // zero gradient: no move
}

TEST(Adam, SecondStepWithSameGradientAlsoMovesByLearningRate) {
  Adam adam(0.1);
  std::vector<double> p{0.0};
  const std::vector<double> g{2.0};
  adam.step(p, g);
  adam.step(p, g);
  EXPECT_NEAR(p[0], -0.2, 1e-8);  // ε = 1e-8 shortens each step by ~lr·ε/|g|
}

TEST(Adam, InvalidArgumentsThrow) {
  EXPECT_THROW(Adam(0.0), ValueError);
  EXPECT_THROW(Adam(-0.1), ValueError);
  EXPECT_THROW(Adam(std::numeric_limits<double>::quiet_NaN()), ValueError);
  EXPECT_THROW(Adam(std::numeric_limits<double>::infinity()), ValueError);
  EXPECT_THROW(Adam(0.1, 1.0), ValueError);
  EXPECT_THROW(Adam(0.1, 0.9, -0.5), ValueError);
  EXPECT_NO_THROW(Adam(1e-3));

  Adam adam(0.1);
  std::vector<double> p{1.0, 2.0};
  EXPECT_THROW(adam.step(p, std::vector<double>{1.0}), ValueError);
  adam.step(p, std::vector<double>{1.0, 1.0});
  std::vector<double> q{1.0, 2.0, 3.0};
  EXPECT_THROW(adam.step(q, std::vector<double>{1.0, 1.0, 1.0}), ValueError);
}

}  // namespace
}  // namespace qnn
