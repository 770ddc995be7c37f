#include "qnn/noise/noisy_readout.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/exec/benchmark.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/noise/channel.hpp"
#include "qnn/noise/density_matrix_simulation.hpp"
#include "qnn/noise/noise_spec.hpp"

namespace qnn {
namespace {

// The 4-qubit benchmark ansatz (2 layers of RY RZ and a CNOT ring) after an RY encoding of 4 inputs.
Circuit standard_circuit() {
  Circuit c(4);
  for (unsigned q = 0; q < 4; ++q) c.ry(q, input(q));
  c.append(benchmark_ansatz(4, 2));
  return c;
}

std::vector<double> weights() {
  Rng rng(17);
  std::vector<double> th(16);
  for (double& t : th) t = rng.uniform(-1.0, 1.0);
  return th;
}

const std::vector<double> kX = {0.3, -0.6, 1.1, 0.2};
const std::vector<PauliSum> kReadout = {Z(0), Z(1), Z(2), Z(3)};

std::vector<double> values(const BatchedReadout& r, const Circuit& c, std::span<const double> th,
                           std::span<const double> x) {
  return r(c, kReadout, th, BatchInputs{x, x.size()}, 1, {}, DiffWrt{.theta = false, .inputs = false}).values;
}

TEST(NoisyReadout, ReadoutErrorIsTheAffineMapAndItsInversionRecoversTheChannelValues) {
  const Circuit c = standard_circuit();
  const auto th = weights();
  NoiseModel m = parse_noise_spec("depolarizing:0.02");
  m.set_readout_error(0, {.p1_given_0 = 0.02, .p0_given_1 = 0.08});
  m.set_readout_error(2, {.p1_given_0 = 0.1, .p0_given_1 = 0.01});
  const auto rho = run_density_matrix<double>(c, m, th, kX);
  const auto raw = values(noisy_readout<double>(m), c, th, kX);
  const auto fixed = values(noisy_readout<double>(m, parse_mitigation("readout")), c, th, kX);
  for (unsigned k = 0; k < 4; ++k) {
    const double e = expectation(rho, kReadout[k]);
    const ReadoutError re = m.readout_error(k);
    EXPECT_NEAR(raw[k], (re.p0_given_1 - re.p1_given_0) + (1 - re.p1_given_0 - re.p0_given_1) * e, 1e-14);
    EXPECT_NEAR(fixed[k], e, 1e-14);
  }
  EXPECT_GT(std::abs(raw[0] - fixed[0]), 1e-3);  // the readout error matters
}

TEST(NoisyReadout, ZeroNoiseExtrapolationBringsTheStandardCircuitCloserToTheIdealValues) {
  // ⟨Z_k⟩ of the benchmark ansatz under 1-qubit depolarising noise p = 0.01 after every gate: the noisy values decay
  // towards 0; Richardson extrapolation from λ = 1, 3, 5 (global folding) must cut the total error at least 5-fold and
  // never make one value worse.
  const Circuit c = standard_circuit();
  const auto th = weights();
  const NoiseModel m = parse_noise_spec("depolarizing:0.01");
  const auto ideal = simulate<double>(c, th, kX);
  const auto noisy = values(noisy_readout<double>(m), c, th, kX);
  double noisy_error = 0, zne_error = 0;
  for (Extrapolator e : {Extrapolator::Richardson, Extrapolator::Exponential, Extrapolator::Linear}) {
    Mitigation mit = parse_mitigation("zne");
    mit.zne_options.extrapolator = e;
    const auto zne = values(noisy_readout<double>(m, mit), c, th, kX);
    double err = 0;
    for (unsigned k = 0; k < 4; ++k) {
      const double exact = expectation(ideal, kReadout[k]);
      EXPECT_LE(std::abs(zne[k] - exact), std::abs(noisy[k] - exact) + 1e-12) << "extrapolator " << int(e) << " Z" << k;
      err += std::abs(zne[k] - exact);
      if (e == Extrapolator::Richardson) noisy_error += std::abs(noisy[k] - exact);
    }
    if (e == Extrapolator::Richardson) zne_error = err;
  }
  EXPECT_GT(noisy_error, 0.05);  // the noise is visible
  EXPECT_LT(zne_error, noisy_error / 5);
}

TEST(NoisyReadout, GradientOfTheMitigatedValueMatchesFiniteDifferences) {
  // d/dθ and d/dx of Σ_k w_k · (ZNE + readout-mitigated ⟨Z_k⟩) with a readout error and amplitude damping: the
  // extrapolation's weights γ_j carry the gradient through (Σ_j γ_j ∇E(λ_j)).
  const Circuit c = standard_circuit();
  const auto th = weights();
  NoiseModel m = parse_noise_spec("depolarizing:0.01+amplitude_damping:0.01+readout:0.02");
  for (const char* mitigate : {"none", "zne", "zne,readout"}) {
    for (const char* extrap : {"richardson", "exponential"}) {
      Mitigation mit = parse_mitigation(mitigate);
      mit.zne_options.extrapolator = parse_extrapolator(extrap);
      mit.zne_options.scale_factors = {1, 2, 3};
      const BatchedReadout r = noisy_readout<double>(m, mit);
      const std::vector<double> w = {0.7, -0.2, 0.4, 1.0};
      auto f = [&](const std::vector<double>& t, const std::vector<double>& x) {
        const auto v = values(r, c, t, x);
        double s = 0;
        for (unsigned k = 0; k < 4; ++k) s += w[k] * v[k];
        return s;
      };
      const BatchedVjpResult g = r(c, kReadout, th, BatchInputs{kX, 4}, 1,
                                   [&](std::span<const double>) { return w; }, DiffWrt{});
      // Three points fix the three parameters of the exponential model exactly, and on data this close to a line the
      // fit is ill-conditioned (c small, |b| large): its gradients reach ~10², and central differences (error
      // O(h²·f''')) agree to a relative 1e-6 there; the linear methods to 1e-7 absolute.
      const double h = 1e-5;
      auto tol = [&](double fd) { return mit.zne && mit.zne_options.extrapolator == Extrapolator::Exponential
                                             ? 1e-5 * std::max(1.0, std::abs(fd))
                                             : 1e-7; };
      for (std::size_t i = 0; i < th.size(); i += 5) {
        auto up = th, down = th;
        up[i] += h;
        down[i] -= h;
        const double fd = (f(up, kX) - f(down, kX)) / (2 * h);
        EXPECT_NEAR(g.theta[i], fd, tol(fd)) << mitigate << " " << extrap << " θ" << i;
      }
      for (std::size_t j = 0; j < kX.size(); j += 2) {
        auto up = kX, down = kX;
        up[j] += h;
        down[j] -= h;
        const double fd = (f(th, up) - f(th, down)) / (2 * h);
        EXPECT_NEAR(g.x[j], fd, tol(fd)) << mitigate << " " << extrap << " x" << j;
      }
    }
  }
}

TEST(NoisyReadout, SharedWalkThroughGlobalFoldsEqualsSeparateFoldedCircuits) {
  // Values alone (no gradient) of global folds walk one density matrix through the longest fold; the gradient path
  // runs every folded circuit separately. Both must give the same noisy values, partial folds included.
  const Circuit c = standard_circuit();
  const auto th = weights();
  const NoiseModel m = parse_noise_spec("depolarizing:0.02+amplitude_damping:0.01+readout:0.03");
  Mitigation mit = parse_mitigation("zne");
  mit.zne_options.scale_factors = {1, 1.6, 3, 4.3, 5};
  mit.zne_options.extrapolator = Extrapolator::Linear;
  const BatchedReadout r = noisy_readout<double>(m, mit);
  const auto shared = values(r, c, th, kX);
  const auto separate = r(c, kReadout, th, BatchInputs{kX, 4}, 1,
                          [](std::span<const double> v) { return std::vector<double>(v.size(), 0.0); }, DiffWrt{})
                            .values;
  for (unsigned k = 0; k < 4; ++k) EXPECT_NEAR(shared[k], separate[k], 1e-13) << "Z" << k;
}

TEST(NoisyReadout, RejectsWhatItCannotDo) {
  EXPECT_THROW(noisy_readout<double>(NoiseModel{}, parse_mitigation("zne")), ValueError);
  EXPECT_THROW(parse_mitigation("richardson"), ValueError);
  EXPECT_THROW(parse_mitigation("zne,none"), ValueError);
  EXPECT_TRUE(parse_mitigation("zne+readout").readout);
  EXPECT_FALSE(parse_mitigation("none").zne);
  // A two-qubit term under asymmetric readout error.
  NoiseModel m = parse_noise_spec("depolarizing:0.01");
  m.set_readout_error({.p1_given_0 = 0.01, .p0_given_1 = 0.05});
  const std::vector<PauliSum> obs = {Z(0) * Z(1)};
  Circuit c(2);
  c.h(0);
  EXPECT_THROW(noisy_readout<double>(m)(c, obs, {}, BatchInputs{}, 1, {}, DiffWrt{.theta = false, .inputs = false}),
               ValueError);
}

}  // namespace
}  // namespace qnn
