#include "qnn/ml/diagnostics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {
namespace {

constexpr double kPi = std::numbers::pi;

TEST(FitLine, ExactLineAndErrors) {
  const std::vector<double> x{2, 3, 4, 5}, y{1.0, 0.5, 0.0, -0.5};
  const LineFit f = fit_line(x, y);
  EXPECT_NEAR(f.slope, -0.5, 1e-14);
  EXPECT_NEAR(f.intercept, 2.0, 1e-14);
  EXPECT_NEAR(f.slope_stderr, 0.0, 1e-12);
  const std::vector<double> noisy{1.0, 0.6, 0.0, -0.5};
  EXPECT_GT(fit_line(x, noisy).slope_stderr, 0.0);
  const std::vector<double> one{1}, same{3, 3};
  EXPECT_THROW(fit_line(one, one), ValueError);
  EXPECT_THROW(fit_line(same, same), ValueError);
  EXPECT_THROW(fit_line(x, one), ValueError);
  const std::vector<double> bad{1, std::nan(""), 2, 3};
  EXPECT_THROW(fit_line(x, bad), ValueError);
}

TEST(MeyerWallach, ClosedForms) {
  // Product states: every reduced state is pure.
  Circuit product(4);
  for (unsigned q = 0; q < 4; ++q) product.ry(q, 0.3 + q).rz(q, 1.1 * q);
  EXPECT_NEAR(meyer_wallach(simulate<double>(product)), 0.0, 1e-12);
  EXPECT_NEAR(meyer_wallach(StateVector<double>(3)), 0.0, 1e-12);
  // GHZ: every qubit is maximally mixed, Q = 1.
  for (unsigned n : {2U, 3U, 5U}) {
    Circuit ghz(n);
    ghz.h(0);
    for (unsigned q = 1; q < n; ++q) ghz.cnot(0, q);
    EXPECT_NEAR(meyer_wallach(simulate<double>(ghz)), 1.0, 1e-12) << n;
    EXPECT_NEAR(meyer_wallach(simulate<float>(ghz)), 1.0, 1e-6) << n;
  }
  // W state (|001⟩ + |010⟩ + |100⟩)/√3: ρ_k = diag(2/3, 1/3), Tr ρ_k² = 5/9, Q = 8/9.
  std::vector<std::complex<double>> w(8);
  w[1] = w[2] = w[4] = 1 / std::sqrt(3.0);
  EXPECT_NEAR(meyer_wallach(StateVector<double>::from_amplitudes(w)), 8.0 / 9, 1e-12);
  // A Bell pair next to a product qubit: (1 + 1 + 0)/3 of the maximum.
  Circuit bell(3);
  bell.h(0).cnot(0, 1).ry(2, 0.7);
  EXPECT_NEAR(meyer_wallach(simulate<double>(bell)), 2.0 / 3, 1e-12);
}

TEST(EntanglingCapability, ProductAnsatzAndFixedGhz) {
  Circuit rotations(3);
  for (unsigned q = 0; q < 3; ++q) rotations.ry(q, theta(2 * q)).rz(q, theta(2 * q + 1));
  const EntanglingCapabilityResult p = entangling_capability(rotations, {.samples = 200});
  EXPECT_NEAR(p.mean, 0.0, 1e-12);
  Circuit ghz(3);
  ghz.h(0).cnot(0, 1).cnot(1, 2);
  const EntanglingCapabilityResult g = entangling_capability(ghz, {.samples = 10});
  EXPECT_NEAR(g.mean, 1.0, 1e-12);
  EXPECT_NEAR(g.standard_error, 0.0, 1e-12);
  // Random states of a deep circuit approach the Haar mean (N − 2)/(N + 1) = 2/3 for n = 3.
  const EntanglingCapabilityResult deep =
      entangling_capability(make_ansatz("strong").circuit(3, 6), {.samples = 400, .seed = 3});
  EXPECT_NEAR(deep.mean, 2.0 / 3, 0.05);
  Circuit encoded(1);
  encoded.ry(0, input(0));
  EXPECT_THROW(entangling_capability(encoded), ValueError);
}

// θ, φ, λ of U3 such that U3|0⟩ is uniform on the Bloch sphere: cos θ uniform in [−1, 1].
void haar_u3(std::span<double> t, Rng& rng) {
  t[0] = std::acos(1 - 2 * rng.uniform());
  t[1] = rng.uniform(0, 2 * kPi);
  t[2] = rng.uniform(0, 2 * kPi);
}

TEST(Expressibility, HaarLikeSingleQubitIsNearZeroAndIdleIsLnBins) {
  Circuit u3(1);
  u3.u(0, theta(0), theta(1), theta(2));
  const ExpressibilityResult haar = expressibility(u3, {.pairs = 5000, .bins = 75, .sampler = haar_u3});
  // The finite-sample bias alone is about (75 − 1)/(2·5000) = 0.0074.
  EXPECT_LT(haar.kl, 0.03);
  EXPECT_NEAR(haar.mean_fidelity, 0.5, 0.02);
  double total = 0;
  for (double h : haar.histogram) total += h;
  EXPECT_NEAR(total, 1.0, 1e-12);
  EXPECT_EQ(haar.histogram.size(), 75u);

  // Uniform angles over-sample the poles: a little less Haar-like (0.0175 against 0.0078 here; 0.0115 against 0 in
  // the limit of many pairs), and far from idle.
  const ExpressibilityResult uniform = expressibility(u3, {.pairs = 5000});
  EXPECT_GT(uniform.kl, haar.kl + 0.005);
  EXPECT_LT(uniform.kl, 0.05);

  // An idle circuit (RZ on |0⟩ is only a phase) gives F = 1 every time: all the mass in the last bin, whose Haar
  // probability for one qubit is 1/75, so KL = ln 75 (Sim et al.'s idle value).
  Circuit idle(1);
  idle.rz(0, theta(0));
  const ExpressibilityResult e = expressibility(idle, {.pairs = 500});
  EXPECT_NEAR(e.kl, std::log(75.0), 1e-9);
  EXPECT_NEAR(e.mean_fidelity, 1.0, 1e-12);
  // With more qubits the Haar mass near F = 1 vanishes and the idle divergence grows.
  Circuit idle3(3);
  for (unsigned q = 0; q < 3; ++q) idle3.rz(q, theta(q));
  EXPECT_GT(expressibility(idle3, {.pairs = 100}).kl, 20.0);
  EXPECT_THROW(expressibility(idle, {.pairs = 0}), ValueError);
}

TEST(Expressibility, DeeperHardwareEfficientCircuitsAreMoreExpressive) {
  const Ansatz hea = make_ansatz("hea-ring", {.rotation = RotationBlock::RYRZ});
  const double shallow = expressibility(hea.circuit(3, 1), {.pairs = 1500}).kl;
  const double deep = expressibility(hea.circuit(3, 6), {.pairs = 1500}).kl;
  EXPECT_LT(deep, shallow);
  EXPECT_LT(deep, 0.1);
}

TEST(GradientVariance, OneRotationLayerMatchesTheClosedForm) {
  // hea with no entangling layer is RY(θ_k) on each qubit: C_G = Π cos θ_k, ∂C_G/∂θ_0 = −sin θ_0 Π_{k>0} cos θ_k,
  // Var = 2^{−n}; C_L = (1/n) Σ cos θ_k, Var ∂C_L/∂θ_0 = 1/(2n²).
  GradientVarianceOptions o{.qubits = {1, 2, 3, 4}, .layers = {0}, .samples = 1500, .parameters = {0}};
  const GradientVarianceResult r = gradient_variance(make_ansatz("hea-linear"), o);
  ASSERT_EQ(r.rows.size(), 4u);
  for (const GradientVarianceRow& row : r.rows) {
    const double n = row.qubits;
    EXPECT_NEAR(row.var_global / std::pow(2.0, -n), 1.0, 0.15) << row.qubits;
    EXPECT_NEAR(row.var_local / (1 / (2 * n * n)), 1.0, 0.1) << row.qubits;
  }
  ASSERT_EQ(r.fits.size(), 1u);
  EXPECT_NEAR(r.fits[0].global.slope, -std::log(2.0), 0.08);
}

TEST(GradientVariance, GlobalCostDecaysExponentiallyLocalCostSlower) {
  // From n = 4 on: below that the local cost's 1/n² normalisation alone falls as fast as 2^{−n} (both lose a factor
  // 4 from n = 2 to 4). Measured over seeds 1–12: global slope −0.58 … −0.72, local −0.30 … −0.32.
  GradientVarianceOptions o{.qubits = {4, 6, 8, 10}, .layers = {2}, .samples = 60, .seed = 11};
  const GradientVarianceResult r = gradient_variance(make_ansatz("hea-ring"), o);
  ASSERT_EQ(r.fits.size(), 1u);
  const GradientVarianceFit& f = r.fits[0];
  EXPECT_LT(f.global.slope, -0.5);
  EXPECT_LT(f.global.slope + 3 * f.global.slope_stderr, 0.0);
  EXPECT_GT(f.local.slope, -0.45);
  EXPECT_GT(f.local.slope, f.global.slope + 0.2);
  // The variances themselves: the global one loses about 2^{-6} from 4 to 10 qubits, the local one a few times less.
  EXPECT_LT(r.rows.back().var_global, r.rows.front().var_global / 20);
  EXPECT_GT(r.rows.back().var_local, r.rows.back().var_global);
}

TEST(GradientVariance, ReproducibleWhateverTheThreadCount) {
  GradientVarianceOptions o{.qubits = {3, 6}, .layers = {1, 2}, .samples = 40, .seed = 5};
  const Ansatz a = make_ansatz("basic");
  const int threads = num_threads();
  set_num_threads(1);
  const GradientVarianceResult one = gradient_variance(a, o);
  set_num_threads(2);
  const GradientVarianceResult two = gradient_variance(a, o);
  set_num_threads(threads);
  ASSERT_EQ(one.rows.size(), 4u);
  ASSERT_EQ(two.rows.size(), 4u);
  for (std::size_t i = 0; i < one.rows.size(); ++i) {
    EXPECT_EQ(one.rows[i].var_global, two.rows[i].var_global);
    EXPECT_EQ(one.rows[i].var_local, two.rows[i].var_local);
  }
  EXPECT_EQ(one.rows[0].layers, 1u);
  EXPECT_EQ(one.rows[1].qubits, 6u);
  o.seed = 6;
  EXPECT_NE(gradient_variance(a, o).rows[0].var_global, one.rows[0].var_global);
}

TEST(GradientVariance, RefusesBadOptions) {
  const Ansatz a = make_ansatz("hea-ring");
  EXPECT_THROW(gradient_variance(a, {.qubits = {}}), ValueError);
  EXPECT_THROW(gradient_variance(a, {.layers = {}}), ValueError);
  EXPECT_THROW(gradient_variance(a, {.samples = 1}), ValueError);
  EXPECT_THROW(gradient_variance(a, {.qubits = {0}}), ValueError);
  try {
    gradient_variance(a, {.qubits = {2}, .layers = {1}, .parameters = {99}});
    ADD_FAILURE() << "parameter 99 accepted";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("parameter 99"), std::string::npos) << e.what();
  }
  EXPECT_THROW(gradient_variance(make_ansatz("qcnn"), {.qubits = {1}}), ValueError);  // no weights on one qubit
}

}  // namespace
}  // namespace qnn
