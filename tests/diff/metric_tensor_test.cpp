#include "qnn/diff/metric_tensor.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "qnn/core/rng.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {
namespace {

// RX(a) then RY(b) on |0⟩: g = diag(1/4, cos²(a)/4) (the generators' variances; the covariance vanishes).
TEST(MetricTensor, OneQubitClosedForm) {
  Circuit c(1);
  c.rx(0, theta(0)).ry(0, theta(1));
  for (double a : {0.0, 0.4, 1.3, -2.2}) {
    const auto g = metric_tensor(c, std::vector<double>{a, 0.7});
    EXPECT_NEAR(g[0], 0.25, 1e-12);
    EXPECT_NEAR(g[1], 0.0, 1e-12);
    EXPECT_NEAR(g[2], 0.0, 1e-12);
    EXPECT_NEAR(g[3], std::cos(a) * std::cos(a) / 4, 1e-12);
  }
}

// Stokes et al.'s example structure: a layer of RY on two qubits, CNOT, a layer of RZ. The block of the second
// layer is the covariance of (Z0/2, Z1/2) in the state before it; the first block is diag(1/4, 1/4).
TEST(MetricTensor, BlockDiagonalMatchesGeneratorCovariance) {
  Circuit c(2);
  c.ry(0, theta(0)).ry(1, theta(1)).cnot(0, 1).rz(0, theta(2)).rz(1, theta(3));
  const std::vector<double> th{0.3, -1.1, 0.5, 0.9};
  const auto layers = weight_layers(c);
  ASSERT_EQ(layers, (std::vector<unsigned>{0, 0, 1, 1}));
  const auto g = metric_tensor(c, th, {}, MetricApproximation::BlockDiagonal);
  const auto full = metric_tensor(c, th);
  Circuit before(2);
  before.ry(0, th[0]).ry(1, th[1]).cnot(0, 1);
  const auto psi = simulate(before);
  const double z0 = psi.expectation(Z(0).masks()), z1 = psi.expectation(Z(1).masks());
  const double z0z1 = psi.expectation((Z(0) * Z(1)).masks());
  EXPECT_NEAR(g[0 * 4 + 0], 0.25, 1e-12);
  EXPECT_NEAR(g[1 * 4 + 1], 0.25, 1e-12);
  EXPECT_NEAR(g[0 * 4 + 1], 0.0, 1e-12);
  EXPECT_NEAR(g[2 * 4 + 2], (1 - z0 * z0) / 4, 1e-12);
  EXPECT_NEAR(g[3 * 4 + 3], (1 - z1 * z1) / 4, 1e-12);
  EXPECT_NEAR(g[2 * 4 + 3], (z0z1 - z0 * z1) / 4, 1e-12);
  EXPECT_EQ(g[0 * 4 + 2], 0.0);  // dropped coupling
  // The blocks are exact: they agree with the full metric.
  for (int i : {0, 1})
    for (int j : {0, 1}) EXPECT_NEAR(g[i * 4 + j], full[i * 4 + j], 1e-12);
  for (int i : {2, 3})
    for (int j : {2, 3}) EXPECT_NEAR(g[i * 4 + j], full[i * 4 + j], 1e-12);
}

// The metric is the Hessian of the infidelity: 1 − |⟨ψ(θ)|ψ(θ+δ)⟩|² ≈ δᵀ g δ.
TEST(MetricTensor, FullMetricIsFidelityHessian) {
  Rng rng(8);
  Circuit c(3);
  unsigned t = 0;
  for (int l = 0; l < 2; ++l) {
    for (unsigned q = 0; q < 3; ++q) {
      c.ry(q, theta(t));
      c.rz(q, 0.5 * theta(t + 1) + 0.1);
      t += 2;
    }
    c.cnot(0, 1).cnot(1, 2).crx(2, 0, theta(t++));
  }
  std::vector<double> th(t);
  for (auto& v : th) v = rng.uniform(-2, 2);
  const auto g = metric_tensor(c, th);
  const auto psi = simulate(c, th);
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<double> d(t), tp = th;
    for (unsigned i = 0; i < t; ++i) {
      d[i] = 1e-4 * rng.normal();
      tp[i] += d[i];
    }
    const double infid = 1 - std::norm(psi.inner(simulate(c, tp)));
    double q = 0;
    for (unsigned i = 0; i < t; ++i)
      for (unsigned j = 0; j < t; ++j) q += d[i] * g[i * t + j] * d[j];
    EXPECT_NEAR(infid, q, 1e-3 * q + 1e-14);
  }
}

TEST(QngOptimizer, ReachesMinimumOfRotation) {
  // Minimise ⟨Z⟩ after RX(a)RY(b): QNG converges to ⟨Z⟩ = −1.
  Circuit c(1);
  c.rx(0, theta(0)).ry(0, theta(1));
  std::vector<double> th{0.2, 0.1};
  QngOptimizer opt(0.1, 1e-6);
  for (int it = 0; it < 200; ++it) {
    const auto gr = adjoint_gradient(c, Z(0), th);
    opt.step(th, gr.theta, metric_tensor(c, th));
  }
  EXPECT_NEAR(expval(c, Z(0), th), -1.0, 1e-6);
  EXPECT_THROW(QngOptimizer(0.0), ValueError);
}

}  // namespace
}  // namespace qnn
