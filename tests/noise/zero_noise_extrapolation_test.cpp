#include "qnn/noise/zero_noise_extrapolation.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {
namespace {

// A small circuit with every kind of gate folding meets: parameterised 1- and 2-qubit rotations (inverse = negated
// expression), U (inverse swaps φ and λ), a fixed Clifford, a controlled gate and a user unitary (adjoint matrix).
Circuit test_circuit() {
  Circuit c(3);
  c.h(0).ry(1, theta(0)).cnot(0, 1).rz(2, 0.5 * theta(1) + 0.2).u(2, theta(2), 0.3, theta(0));
  c.crx(1, 2, theta(1)).rzz(0, 2, theta(2) - 0.4).s(1);
  const double r = std::sqrt(0.5);
  c.unitary({0}, {cplx(r, 0), cplx(0, r), cplx(0, r), cplx(r, 0)});
  return c;
}

void expect_same_state(const Circuit& a, const Circuit& b, std::span<const double> th) {
  const auto pa = simulate<double>(a, th), pb = simulate<double>(b, th);
  for (index_t i = 0; i < pa.size(); ++i) EXPECT_LT(std::abs(pa[i] - pb[i]), 1e-12) << "amplitude " << i;
}

TEST(Folding, LeavesTheIdealCircuitUnchangedAndScalesTheGateCount) {
  const Circuit c = test_circuit();
  const std::vector<double> th = {0.7, -1.1, 2.3};
  const double d = double(c.size());
  for (Folding f : {Folding::Global, Folding::GatesFromLeft, Folding::GatesFromRight}) {
    for (double scale : {1.0, 1.5, 2.2, 3.0, 4.6, 5.0}) {
      const Circuit folded = fold(c, scale, f);
      const double achieved = achieved_scale(c, scale);
      EXPECT_NEAR(double(folded.size()), achieved * d, 1e-9) << "scale " << scale;
      EXPECT_LE(std::abs(achieved - scale), 1.0 / d + 1e-12);  // within one fold of the request
      EXPECT_EQ(folded.num_theta(), c.num_theta());
      expect_same_state(c, folded, th);
    }
  }
  EXPECT_DOUBLE_EQ(achieved_scale(c, 3), 3.0);  // integer odd scales are exact
}

TEST(Folding, GlobalFoldIsUUdaggerU) {
  Circuit c(2);
  c.rx(0, theta(0)).cz(0, 1);
  const Circuit f = fold(c, 3, Folding::Global);
  ASSERT_EQ(f.size(), 6U);
  const std::vector<GateKind> kinds = {GateKind::RX, GateKind::CZ, GateKind::CZ, GateKind::RX, GateKind::RX,
                                       GateKind::CZ};
  for (std::size_t k = 0; k < 6; ++k) EXPECT_EQ(f.ops()[k].kind, kinds[k]) << k;
  EXPECT_DOUBLE_EQ(f.ops()[3].params[0].eval(std::vector<double>{0.4}, {}), -0.4);  // RX(−θ) in U†
  // Per-gate folding from the left at λ = 2 folds the first gate only: RX RX† RX CZ.
  const Circuit g = fold(c, 2, Folding::GatesFromLeft);
  ASSERT_EQ(g.size(), 4U);
  EXPECT_EQ(g.ops()[3].kind, GateKind::CZ);
}

TEST(Folding, GradientOfAFoldedCircuitEqualsTheOriginal) {
  // The folded circuit is the same function of θ (its inverse gates read −θ), so its gradient is the same: what makes
  // a gradient of the zero-noise estimate possible with any differentiator.
  const Circuit c = test_circuit();
  const std::vector<double> th = {0.7, -1.1, 2.3};
  const PauliSum obs = Z(0) * Z(1) + 0.5 * X(2);
  const Gradient g0 = adjoint_gradient<double>(c, obs, th);
  const Gradient g1 = adjoint_gradient<double>(fold(c, 3.4, Folding::GatesFromRight), obs, th);
  for (std::size_t i = 0; i < th.size(); ++i) EXPECT_NEAR(g0.theta[i], g1.theta[i], 1e-11);
}

TEST(Extrapolation, RichardsonIsExactForPolynomialsOfDegreeBelowThePoints) {
  const std::vector<double> s = {1, 3, 5};
  auto e = [](double l) { return 0.3 - 0.2 * l + 0.05 * l * l; };
  const Extrapolation r = extrapolate(s, std::vector<double>{e(1), e(3), e(5)}, Extrapolator::Richardson);
  EXPECT_NEAR(r.value, 0.3, 1e-13);
  // γ_j = Π_{i≠j} λ_i/(λ_i − λ_j): (3·5)/(2·4), (1·5)/(−2·2), (1·3)/(−4·−2).
  EXPECT_NEAR(r.weights[0], 15.0 / 8, 1e-14);
  EXPECT_NEAR(r.weights[1], -5.0 / 4, 1e-14);
  EXPECT_NEAR(r.weights[2], 3.0 / 8, 1e-14);
  // A cubic through 4 points.
  const std::vector<double> s4 = {1, 1.5, 2, 3};
  std::vector<double> e4;
  for (double l : s4) e4.push_back(1 - l + 0.5 * l * l - 0.1 * l * l * l);
  EXPECT_NEAR(extrapolate(s4, e4, Extrapolator::Richardson).value, 1.0, 1e-12);
}

TEST(Extrapolation, LinearAndPolynomialFitsAreExactOnTheirModels) {
  const std::vector<double> s = {1, 2, 3, 4};
  std::vector<double> lin, quad;
  for (double l : s) {
    lin.push_back(0.9 - 0.1 * l);
    quad.push_back(0.9 - 0.1 * l + 0.02 * l * l);
  }
  EXPECT_NEAR(extrapolate(s, lin, Extrapolator::Linear).value, 0.9, 1e-13);
  EXPECT_NEAR(extrapolate(s, quad, Extrapolator::Polynomial, 2).value, 0.9, 1e-12);
  // Weights of any fit that reproduces constants sum to 1.
  double sum = 0;
  for (double w : extrapolate(s, quad, Extrapolator::Linear).weights) sum += w;
  EXPECT_NEAR(sum, 1.0, 1e-13);
}

TEST(Extrapolation, ExponentialFitRecoversAnExponentialExactly) {
  for (const std::vector<double>& s : {std::vector<double>{1, 3, 5}, std::vector<double>{1, 1.5, 2, 2.5, 3}}) {
    std::vector<double> e;
    for (double l : s) e.push_back(0.1 + 0.7 * std::exp(-0.3 * l));
    EXPECT_NEAR(extrapolate(s, e, Extrapolator::Exponential).value, 0.8, 1e-9);
  }
  // A decaying expectation value under depolarising noise, E = E₀ (1 − p)^{gλ} = E₀ e^{−cλ}: a = 0.
  const std::vector<double> s = {1, 2, 3};
  std::vector<double> e;
  for (double l : s) e.push_back(-0.6 * std::pow(0.97, 12 * l));
  EXPECT_NEAR(extrapolate(s, e, Extrapolator::Exponential).value, -0.6, 1e-9);
}

TEST(Extrapolation, WeightsAreTheGradientOfTheExtrapolatedValue) {
  // Data off every model (so the exponential fit has residuals and the implicit-function weights are tested in full).
  const std::vector<double> s = {1, 2, 3, 4, 5};
  const std::vector<double> e = {0.62, 0.41, 0.305, 0.21, 0.18};
  for (Extrapolator m : {Extrapolator::Linear, Extrapolator::Polynomial, Extrapolator::Richardson,
                         Extrapolator::Exponential}) {
    const Extrapolation r = extrapolate(s, e, m, 2);
    for (std::size_t j = 0; j < s.size(); ++j) {
      const double h = 1e-4;  // central differences: truncation error O(h²) ≈ 1e-8
      std::vector<double> up = e, down = e;
      up[j] += h;
      down[j] -= h;
      const double fd = (extrapolate(s, up, m, 2).value - extrapolate(s, down, m, 2).value) / (2 * h);
      EXPECT_NEAR(r.weights[j], fd, 1e-5) << "method " << int(m) << " point " << j;
    }
  }
}

TEST(ZeroNoiseExtrapolation, AnyExecutorAnalyticDecayIsExtrapolatedExactly) {
  // An executor whose noise grows with the gate count: E(λ) = a + b e^{−cλ} with λ = gates / d. The pipeline (fold,
  // run, extrapolate) must return a + b for the exponential model, and the achieved scales.
  const Circuit c = test_circuit();
  const double d = double(c.size());
  const Executor exec = [&](const Circuit& folded) {
    const double l = double(folded.size()) / d;
    return std::vector<double>{0.05 + 0.9 * std::exp(-0.25 * l), -0.3 * std::exp(-0.1 * l)};
  };
  ZneOptions o;
  o.scale_factors = {1, 2, 3, 4};
  o.extrapolator = Extrapolator::Exponential;
  o.folding = Folding::GatesFromLeft;
  const ZneResult r = zero_noise_extrapolate(c, exec, o);
  ASSERT_EQ(r.values.size(), 2U);
  EXPECT_NEAR(r.values[0], 0.95, 1e-9);
  EXPECT_NEAR(r.values[1], -0.3, 1e-9);
  ASSERT_EQ(r.scales.size(), 4U);
  for (std::size_t j = 0; j < 4; ++j) EXPECT_NEAR(r.scales[j], achieved_scale(c, o.scale_factors[j]), 0);
}

TEST(ZeroNoiseExtrapolation, RejectsBadInput) {
  const Circuit c = test_circuit();
  EXPECT_THROW(fold(c, 0.5), ValueError);
  EXPECT_THROW(fold(c, std::nan("")), ValueError);
  EXPECT_THROW(fold(Circuit(2), 3), ValueError);
  const std::vector<double> s2 = {1, 3}, e2 = {0.5, 0.4};
  EXPECT_THROW(extrapolate(s2, e2, Extrapolator::Exponential), ValueError);
  EXPECT_THROW(extrapolate(s2, e2, Extrapolator::Polynomial, 2), ValueError);
  EXPECT_THROW(extrapolate(std::vector<double>{1, 1}, e2, Extrapolator::Linear), ValueError);
  EXPECT_THROW(parse_extrapolator("cubic"), ValueError);
  EXPECT_THROW(parse_folding("random"), ValueError);
  EXPECT_EQ(parse_extrapolator("richardson"), Extrapolator::Richardson);
}

}  // namespace
}  // namespace qnn
