// Parameter-shift against the adjoint method (exact), and against it within statistical error with shots; SPSA is
// unbiased on average.
#include "qnn/diff/parameter_shift.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>

#include "qnn/core/rng.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/exec/shots.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {
namespace {

TEST(ParameterShift, EveryParameterisedGateKindMatchesAdjoint) {
  Rng rng(3);
  for (const GateInfo& g : gate_table()) {
    if (g.num_params == 0 || g.kind == GateKind::Unitary) continue;
    for (int extra_control = 0; extra_control < 2; ++extra_control) {
      const unsigned n = 4;
      Circuit c(n);
      for (unsigned q = 0; q < n; ++q) c.ry(q, input(q)).rx(q, theta(100 + q));
      std::vector<unsigned> qubits;
      for (unsigned q = 0; q < g.num_qubits; ++q) qubits.push_back(q);
      std::vector<Expr> params;
      for (unsigned p = 0; p < g.num_params; ++p) params.push_back(p == 0 ? 0.8 * theta(p) * input(0) - 0.3 : theta(p));
      std::vector<unsigned> extra;
      if (extra_control) extra.push_back(3);
      c.add(g.kind, qubits, params, extra);
      c.cnot(0, 1).cnot(2, 3).h(1);
      std::vector<double> th(104), x(4);
      for (auto& v : th) v = rng.uniform(-3, 3);
      for (auto& v : x) v = rng.uniform(-2, 2);
      const PauliSum obs = Z(0) * Z(1) + 0.5 * (X(2) * Y(3)) + 0.25 * Y(1);
      const auto adj = adjoint_gradient(c, obs, th, x);
      const auto ps = parameter_shift_gradient(c, obs, th, x);
      EXPECT_NEAR(ps.value, adj.value, 1e-12);
      for (std::size_t i = 0; i < th.size(); ++i)
        EXPECT_NEAR(ps.theta[i], adj.theta[i], 1e-9) << g.name << " extra control " << extra_control << " θ" << i;
      for (std::size_t j = 0; j < x.size(); ++j)
        EXPECT_NEAR(ps.x[j], adj.x[j], 1e-9) << g.name << " extra control " << extra_control << " x" << j;
    }
  }
}

// The shifted circuits run as batched states in chunks (at most a few hundred per batch) up to 10 qubits and one by
// one beyond: both paths, and a gradient spread over several chunks, must give the adjoint's answer.
TEST(ParameterShift, BatchedChunksAndSequentialPathAgreeWithAdjoint) {
  Rng rng(11);
  for (unsigned n : {3U, 11U}) {
    Circuit c(n);
    const unsigned layers = n == 3 ? 50 : 1;  // 3 qubits: 300 angles, 601 runs (several chunks)
    unsigned t = 0;
    for (unsigned l = 0; l < layers; ++l) {
      for (unsigned q = 0; q < std::min(n, 3U); ++q) {
        c.ry(q, theta(t++));
        c.crz(q, (q + 1) % n, theta(t++));
      }
    }
    c.rx(n - 1, theta(t++));
    std::vector<double> th(t);
    for (auto& v : th) v = rng.uniform(-3, 3);
    const PauliSum obs = Z(0) * Z(1) + 0.5 * X(n - 1);
    const auto adj = adjoint_gradient(c, obs, th);
    const auto ps = parameter_shift_gradient(c, obs, th);
    EXPECT_NEAR(ps.value, adj.value, 1e-12) << n;
    for (std::size_t i = 0; i < th.size(); ++i) EXPECT_NEAR(ps.theta[i], adj.theta[i], 1e-9) << n << " θ" << i;
  }
}

// With shots the estimates draw from the seeded generator in run order: the same seed gives the same gradient.
TEST(ParameterShift, ShotEstimatesAreReproducible) {
  Circuit c(2);
  c.rx(0, theta(0)).cry(0, 1, theta(1)).rz(1, theta(2));
  const std::vector<double> th{0.3, -0.8, 1.1};
  const auto a = parameter_shift_gradient(c, Z(1) + X(0), th, {}, {}, ShotOptions{500, 5});
  const auto b = parameter_shift_gradient(c, Z(1) + X(0), th, {}, {}, ShotOptions{500, 5});
  EXPECT_EQ(a.theta, b.theta);
  EXPECT_EQ(a.value, b.value);
}

TEST(ParameterShift, RuleShapes) {
  EXPECT_EQ(shift_rule(GateKind::RX).size(), 2U);
  EXPECT_EQ(shift_rule(GateKind::CRY).size(), 4U);
  EXPECT_TRUE(shift_rule(GateKind::H).empty());
}

TEST(Shots, QubitwiseCommutingGroups) {
  const PauliSum obs = Z(0) * Z(1) + Z(0) + X(1) + X(1) * X(2) + Y(0) + 2.0 * PauliString();
  const auto groups = qubitwise_commuting_groups(obs);
  // {Z0Z1, Z0}, {X1, X1X2, Y0}: two groups, the identity needs none.
  ASSERT_EQ(groups.size(), 2U);
  EXPECT_EQ(groups[0].size(), 2U);
  EXPECT_EQ(groups[1].size(), 3U);
}

TEST(Shots, EstimateWithinStatisticalError) {
  Circuit c(3);
  c.ry(0, 0.7).rx(1, -1.2).h(2).cnot(0, 2).ry(1, 0.4).s(2);
  const auto psi = simulate(c);
  const PauliSum obs = Z(0) * Z(1) + 0.5 * X(2) - 0.7 * Y(2) * Z(0) + 0.3 * PauliString();
  const double exact = expectation(psi, obs);
  Rng rng(9);
  const std::uint64_t shots = 20000;
  const double est = estimate_expectation(psi, obs, shots, rng);
  // Each term's estimate has variance ≤ c²/shots; 5σ with the sum of |c|.
  const double sigma = (1 + 0.5 + 0.7) / std::sqrt(double(shots));
  EXPECT_NEAR(est, exact, 5 * sigma);
}

TEST(Shots, HistogramOfShotsReadsTheSameSums) {
  // With more shots than outcomes the terms read a histogram of the shots; the estimate is the one the outcomes give
  // one by one (the same draws: Z strings need no basis change, so sample() with the same seed sees the same state).
  Circuit c(3);
  c.ry(0, 0.7).rx(1, -1.2).h(2).cnot(0, 2).ry(1, 0.4);
  const auto psi = simulate(c);
  const PauliSum obs = Z(0) * Z(2) + 0.5 * Z(1) - 0.25 * (Z(0) * Z(1) * Z(2));
  for (const std::uint64_t shots : {5ULL, 8ULL, 9ULL, 1000ULL}) {  // fewer, as many and more shots than 8 outcomes
    Rng a(41), b(41);
    const double est = estimate_expectation(psi, obs, shots, a);
    const auto outcomes = psi.sample(shots, b);
    double manual = 0;
    for (const auto& term : obs.terms()) {
      std::int64_t sum = 0;
      for (index_t o : outcomes) sum += std::popcount(o & term.string.masks().z) % 2 ? -1 : 1;
      manual += term.coeff * double(sum) / double(shots);
    }
    EXPECT_EQ(est, manual) << shots << " shots";
  }
}

TEST(ParameterShift, WithShotsWithinStatisticalError) {
  Circuit c(2);
  c.rx(0, theta(0)).ry(1, theta(1)).cnot(0, 1).rz(1, theta(2)).ry(0, theta(3));
  const std::vector<double> th{0.3, -0.8, 1.1, 0.5};
  const PauliSum obs = Z(0) + 0.5 * (X(0) * Z(1));
  const auto exact = adjoint_gradient(c, obs, th);
  const std::uint64_t shots = 40000;
  const auto est = parameter_shift_gradient(c, obs, th, {}, {}, ShotOptions{shots, 17});
  // Two shifted estimates of weight ½ each, |c| sum 1.5: σ ≤ 1.5/√(2·shots)·... bounded by 1.5/√shots.
  const double sigma = 1.5 / std::sqrt(double(shots));
  for (std::size_t i = 0; i < th.size(); ++i) EXPECT_NEAR(est.theta[i], exact.theta[i], 5 * sigma) << i;
}

TEST(Spsa, UnbiasedOnAverage) {
  Circuit c(2);
  c.rx(0, theta(0)).ry(1, theta(1)).cnot(0, 1).ry(0, theta(2));
  const std::vector<double> th{0.3, -0.8, 1.1};
  const auto exact = adjoint_gradient(c, Z(0) * Z(1) + X(1), th);
  Rng rng(2);
  std::vector<double> mean(3, 0.0);
  const int draws = 4000;
  for (int d = 0; d < draws; ++d) {
    const auto g = spsa_gradient(c, Z(0) * Z(1) + X(1), th, {}, 1e-3, rng);
    for (int i = 0; i < 3; ++i) mean[i] += g.theta[i] / draws;
  }
  // Each draw's error on component i is Σ_{j≠i} g_j δ_j/δ_i: variance Σ_{j≠i} g_j², so 5σ/√draws.
  for (int i = 0; i < 3; ++i) {
    double var = 0;
    for (int j = 0; j < 3; ++j)
      if (j != i) var += exact.theta[j] * exact.theta[j];
    EXPECT_NEAR(mean[i], exact.theta[i], 5 * std::sqrt(var / draws) + 1e-6) << i;
  }
  EXPECT_THROW(spsa_gradient(c, Z(0), th, {}, 0.0, rng), ValueError);
}

}  // namespace
}  // namespace qnn
