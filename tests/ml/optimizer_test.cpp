#include "qnn/ml/optimizer.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <string_view>
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

// Every optimiser reaches the minimiser of the convex quadratic.
TEST(Optimizers, EveryNamedOptimizerMinimisesConvexQuadratic) {
  const Quadratic f;
  const std::vector<double> expected{15.0 / 28, -8.0 / 7, 25.0 / 14};
  for (std::string_view name : optimizer_names()) {
    if (name == "adamw") continue;  // weight decay moves the minimiser (checked below)
    const double lr = name == "sgd" || name == "momentum" || name == "nesterov" ? 0.05 : 0.01;
    auto opt = make_optimizer(name, lr);
    EXPECT_EQ(opt->name(), name == "nesterov" ? "momentum" : std::string(name));
    std::vector<double> p{5.0, 5.0, -5.0};
    for (int it = 0; it < 20000; ++it) {
      // RMSProp's fixed step length ~lr leaves a ~lr-sized orbit; shrink the rate to converge.
      if (name == "rmsprop" && it % 2000 == 1999) opt->set_learning_rate(opt->learning_rate() * 0.5);
      opt->step(p, f.grad(p));
    }
    for (std::size_t i = 0; i < 3; ++i) EXPECT_NEAR(p[i], expected[i], 1e-4) << name << " " << i;
  }
  EXPECT_THROW((void)make_optimizer("adagrad", 0.1), ValueError);
}

// SGD with momentum μ: v ← μv + g, p ← p − ηv (closed form for two steps); Nesterov uses g + μv.
TEST(Optimizers, MomentumClosedForm) {
  Sgd heavy(0.1, 0.9);
  std::vector<double> p{1.0};
  heavy.step(p, std::vector<double>{2.0});  // v = 2, p = 1 − 0.2
  heavy.step(p, std::vector<double>{2.0});  // v = 3.8, p = 0.8 − 0.38
  EXPECT_NEAR(p[0], 0.42, 1e-15);
  Sgd nesterov(0.1, 0.9, true);
  std::vector<double> q{1.0};
  nesterov.step(q, std::vector<double>{2.0});  // v = 2, q = 1 − 0.1·(2 + 1.8)
  EXPECT_NEAR(q[0], 0.62, 1e-15);
}

// AdamW decays weights independently of the gradient: with g = 0 the moments stay 0 and p shrinks by (1 − ηλ).
TEST(Optimizers, AdamWDecaysWeightsDecoupled) {
  Adam adamw(0.1, 0.9, 0.999, 1e-8, 0.5);
  EXPECT_EQ(adamw.name(), "adamw");
  std::vector<double> p{2.0, -4.0};
  adamw.step(p, std::vector<double>{0.0, 0.0});
  EXPECT_NEAR(p[0], 2.0 * 0.95, 1e-15);
  EXPECT_NEAR(p[1], -4.0 * 0.95, 1e-15);
}

// A checkpointed optimiser continues bit for bit.
TEST(Optimizers, StateRoundTripContinuesBitForBit) {
  const Quadratic f;
  for (std::string_view name : optimizer_names()) {
    auto a = make_optimizer(name, 0.02);
    std::vector<double> p{1.0, 2.0, 3.0};
    for (int it = 0; it < 7; ++it) a->step(p, f.grad(p));
    auto b = make_optimizer(name, 0.02);
    b->set_state(a->state());
    EXPECT_EQ(b->steps(), 7U) << name;
    std::vector<double> q = p;
    for (int it = 0; it < 5; ++it) {
      a->step(p, f.grad(p));
      b->step(q, f.grad(q));
    }
    EXPECT_EQ(p, q) << name;
  }
  Adam adam(0.1);
  EXPECT_THROW(adam.set_state(std::vector<double>{1.0, 3.0, 0.5}), ValueError);
  EXPECT_THROW(adam.set_state(std::vector<double>{-1.0, 0.0}), ValueError);
}

TEST(LearningRateSchedule, ClosedForms) {
  LearningRateSchedule s;
  EXPECT_EQ(s.rate(0.1, 7), 0.1);
  s.kind = LearningRateSchedule::Kind::Step;
  s.step_size = 3;
  s.gamma = 0.5;
  EXPECT_DOUBLE_EQ(s.rate(0.1, 2), 0.1);
  EXPECT_DOUBLE_EQ(s.rate(0.1, 3), 0.05);
  EXPECT_DOUBLE_EQ(s.rate(0.1, 7), 0.025);
  s.kind = LearningRateSchedule::Kind::Exponential;
  s.gamma = 0.9;
  EXPECT_DOUBLE_EQ(s.rate(0.1, 2), 0.1 * 0.81);
  s.kind = LearningRateSchedule::Kind::Cosine;
  s.epochs = 10;
  s.min_rate = 0.01;
  EXPECT_DOUBLE_EQ(s.rate(0.1, 0), 0.1);
  EXPECT_NEAR(s.rate(0.1, 5), 0.055, 1e-15);
  EXPECT_NEAR(s.rate(0.1, 10), 0.01, 1e-15);
  EXPECT_EQ(LearningRateSchedule::parse("cosine"), LearningRateSchedule::Kind::Cosine);
  EXPECT_THROW(LearningRateSchedule::parse("linear"), ValueError);
}

// Rosenbrock's valley: f = (1 − x)² + 100 (y − x²)², minimum 0 at (1, 1).
TEST(Lbfgs, MinimisesRosenbrock) {
  auto f = [](std::span<const double> p, std::span<double> g) {
    const double x = p[0], y = p[1];
    g[0] = -2 * (1 - x) - 400 * x * (y - x * x);
    g[1] = 200 * (y - x * x);
    return (1 - x) * (1 - x) + 100 * (y - x * x) * (y - x * x);
  };
  std::vector<double> p{-1.2, 1.0};
  LbfgsOptions o;
  o.max_iterations = 200;
  o.gradient_tolerance = 1e-8;
  const LbfgsResult r = lbfgs_minimize(f, p, o);
  EXPECT_TRUE(r.converged);
  EXPECT_NEAR(p[0], 1.0, 1e-6);
  EXPECT_NEAR(p[1], 1.0, 1e-6);
  EXPECT_LT(r.iterations, 100U);  // gradient descent needs thousands here
}

}  // namespace
}  // namespace qnn
