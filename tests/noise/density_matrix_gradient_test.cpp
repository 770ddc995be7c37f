#include "qnn/noise/density_matrix_gradient.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/noise/channel.hpp"
#include "qnn/noise/density_matrix_simulation.hpp"

namespace qnn {
namespace {

// 3 qubits, every θ_i in exactly one Pauli rotation (so the two-term shift rule applies to θ_i directly), inputs
// in encoding angles, controlled and multi-parameter gates.
Circuit test_circuit() {
  Circuit c(3);
  c.ry(0, input(0)).ry(1, 0.5 * input(1) + 0.1).h(2);
  c.rx(0, theta(0)).ry(1, theta(1)).rz(2, theta(2)).cnot(0, 1).rzz(1, 2, theta(3)).crx(2, 0, theta(4));
  c.rx(1, theta(5)).cz(0, 2).ry(2, theta(6));
  return c;
}

NoiseModel test_noise() {
  NoiseModel m;
  m.add_gate_noise(depolarizing(0.04), {.gate_qubits = 1});
  m.add_gate_noise(depolarizing2(0.06), {.gate_qubits = 2});
  m.add_gate_noise(amplitude_damping(0.05));
  m.set_idle_noise(phase_damping(0.02));
  return m;
}

const std::vector<double> kTheta = {0.3, -0.8, 1.2, 0.5, -1.4, 2.0, 0.9};
const std::vector<double> kX = {0.7, -0.4};
const PauliSum kObs = Z(0) + 0.5 * (X(1) * Z(2)) - 0.3 * Y(2);

TEST(DensityMatrixGradient, EqualsTheStateVectorAdjointAtZeroNoise) {
  const Circuit c = test_circuit();
  const Gradient sv = adjoint_gradient<double>(c, kObs, kTheta, kX);
  const Gradient dm = density_matrix_gradient<double>(c, NoiseModel{}, kObs, kTheta, kX);
  EXPECT_NEAR(dm.value, sv.value, 1e-12);
  for (std::size_t i = 0; i < kTheta.size(); ++i) EXPECT_NEAR(dm.theta[i], sv.theta[i], 1e-12) << "theta " << i;
  for (std::size_t j = 0; j < kX.size(); ++j) EXPECT_NEAR(dm.x[j], sv.x[j], 1e-12) << "x " << j;
}

TEST(DensityMatrixGradient, MatchesFiniteDifferencesAndParameterShiftUnderNoise) {
  const Circuit c = test_circuit();
  const NoiseModel m = test_noise();
  const Gradient g = density_matrix_gradient<double>(c, m, kObs, kTheta, kX);
  auto f = [&](const std::vector<double>& th, const std::vector<double>& x) {
    return expval_density_matrix<double>(c, m, kObs, th, x);
  };
  EXPECT_NEAR(g.value, f(kTheta, kX), 1e-13);
  const double h = 1e-5;  // central differences: error O(h²·f''') ≈ 1e-10
  for (std::size_t i = 0; i < kTheta.size(); ++i) {
    auto up = kTheta, down = kTheta;
    up[i] += h;
    down[i] -= h;
    EXPECT_NEAR(g.theta[i], (f(up, kX) - f(down, kX)) / (2 * h), 1e-8) << "finite difference, theta " << i;
    // The noise does not depend on θ, so the two-term rule holds exactly on the noisy circuit (θ_i = 4 is CRX: skip
    // it, its generator has three eigenvalues).
    if (i == 4) continue;
    up[i] = kTheta[i] + std::numbers::pi / 2;
    down[i] = kTheta[i] - std::numbers::pi / 2;
    EXPECT_NEAR(g.theta[i], 0.5 * (f(up, kX) - f(down, kX)), 1e-12) << "parameter shift, theta " << i;
  }
  for (std::size_t j = 0; j < kX.size(); ++j) {
    auto up = kX, down = kX;
    up[j] += h;
    down[j] -= h;
    EXPECT_NEAR(g.x[j], (f(kTheta, up) - f(kTheta, down)) / (2 * h), 1e-8) << "x " << j;
  }
  // The noise changed the gradient (the test is not vacuous).
  const Gradient clean = adjoint_gradient<double>(c, kObs, kTheta, kX);
  double diff = 0;
  for (std::size_t i = 0; i < kTheta.size(); ++i) diff = std::max(diff, std::abs(clean.theta[i] - g.theta[i]));
  EXPECT_GT(diff, 1e-2);
}

// Noise on some gates only: runs of gates without a channel between them (ρ undone gate by gate in the backward
// sweep) and gates followed by several channels (ρ restored from the copy kept after the gate).
TEST(DensityMatrixGradient, MatchesFiniteDifferencesWithNoiseOnSomeGates) {
  const Circuit c = test_circuit();
  NoiseModel m;
  m.add_gate_noise(depolarizing2(0.08), {.gate_qubits = 2});
  m.add_gate_noise(amplitude_damping(0.1), {.gate_qubits = 2});
  m.add_gate_noise(phase_damping(0.05), {.gates = {GateKind::H}});
  const Gradient g = density_matrix_gradient<double>(c, m, kObs, kTheta, kX);
  auto f = [&](const std::vector<double>& th) { return expval_density_matrix<double>(c, m, kObs, th, kX); };
  EXPECT_NEAR(g.value, f(kTheta), 1e-13);
  const double h = 1e-5;
  for (std::size_t i = 0; i < kTheta.size(); ++i) {
    auto up = kTheta, down = kTheta;
    up[i] += h;
    down[i] -= h;
    EXPECT_NEAR(g.theta[i], (f(up) - f(down)) / (2 * h), 1e-8) << "theta " << i;
  }
  const Gradient clean = adjoint_gradient<double>(c, kObs, kTheta, kX);
  double diff = 0;
  for (std::size_t i = 0; i < kTheta.size(); ++i) diff = std::max(diff, std::abs(clean.theta[i] - g.theta[i]));
  EXPECT_GT(diff, 1e-3);
}

TEST(DensityMatrixGradient, SinglePrecisionAgreesToItsRounding) {
  const Circuit c = test_circuit();
  const NoiseModel m = test_noise();
  const Gradient d = density_matrix_gradient<double>(c, m, kObs, kTheta, kX);
  const Gradient s = density_matrix_gradient<float>(c, m, kObs, kTheta, kX);
  for (std::size_t i = 0; i < kTheta.size(); ++i) EXPECT_NEAR(s.theta[i], d.theta[i], 1e-5);
}

TEST(DensityMatrixGradient, BatchEqualsTheSumOfSamples) {
  const Circuit c = test_circuit();
  const NoiseModel m = test_noise();
  const std::vector<PauliSum> obs = {Z(0), Z(1) * Z(2)};
  const std::vector<double> xs = {0.7, -0.4, 1.5, 0.2, -2.0, 0.9};  // 3 samples of 2 features
  // Upstream weights that depend on the values (as a loss's do).
  auto upstream = [](std::span<const double> v) {
    std::vector<double> w(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) w[i] = 0.5 + v[i] * v[i];
    return w;
  };
  const BatchedVjpResult b = density_matrix_vjp_batched<double>(c, m, obs, kTheta, BatchInputs{xs, 2}, 3, upstream);
  std::vector<double> theta_sum(kTheta.size(), 0.0);
  for (unsigned s = 0; s < 3; ++s) {
    const VjpResult r = density_matrix_vjp<double>(c, m, obs, kTheta, std::span<const double>(xs).subspan(s * 2, 2),
                                                   upstream);
    for (std::size_t k = 0; k < 2; ++k) EXPECT_NEAR(b.values[s * 2 + k], r.values[k], 1e-14);
    for (std::size_t j = 0; j < 2; ++j) EXPECT_NEAR(b.x[s * 2 + j], r.x[j], 1e-14);
    for (std::size_t i = 0; i < kTheta.size(); ++i) theta_sum[i] += r.theta[i];
  }
  for (std::size_t i = 0; i < kTheta.size(); ++i) EXPECT_NEAR(b.theta[i], theta_sum[i], 1e-13);
}

// One batched tape over B samples (every vec(ρ_b) in one batched state) against one NoisyTape per sample: values,
// the θ gradient summed over the samples and each sample's x gradient, under both noise models (channels after every
// gate with idle noise; channels after some gates only), with weights that differ per sample and observable.
TEST(DensityMatrixGradient, BatchedTapeEqualsOneTapePerSample) {
  const Circuit c = test_circuit();
  NoiseModel some;
  some.add_gate_noise(depolarizing2(0.08), {.gate_qubits = 2});
  some.add_gate_noise(phase_damping(0.05), {.gates = {GateKind::H}});
  const std::vector<PauliSum> obs = {kObs, Z(1) * Z(2), X(0) + 0.4 * Y(1)};
  const unsigned B = 5;
  const std::vector<double> xs = {0.7, -0.4, 1.5, 0.2, -2.0, 0.9, 0.1, 0.3, 2.5, -1.1};
  std::vector<double> w(B * obs.size());
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = 0.3 + 0.7 * std::sin(1.0 + 2.0 * static_cast<double>(i));
  for (const NoiseModel& m : {test_noise(), some}) {
    BatchedNoisyTape<double> batched(c, m, kTheta, BatchInputs{xs, 2}, B);
    std::vector<double> values(B), dtheta(kTheta.size(), 0.0), dx(xs.size(), 0.0), want_theta(kTheta.size(), 0.0);
    for (std::size_t k = 0; k < obs.size(); ++k) {
      batched.expectation(obs[k], values);
      for (unsigned b = 0; b < B; ++b) {
        const NoisyTape<double> one(c, m, kTheta, std::span<const double>(xs).subspan(b * 2, 2), false);
        EXPECT_NEAR(values[b], one.expectation(obs[k]), 1e-13) << "observable " << k << " sample " << b;
      }
    }
    batched.backward(obs, w, DiffWrt{.theta = true, .inputs = true}, dtheta, dx);
    for (unsigned b = 0; b < B; ++b) {
      NoisyTape<double> one(c, m, kTheta, std::span<const double>(xs).subspan(b * 2, 2));
      std::vector<double> dx_one(2, 0.0);
      one.backward(obs, std::span<const double>(w).subspan(b * obs.size(), obs.size()),
                   DiffWrt{.theta = true, .inputs = true}, want_theta, dx_one);
      for (unsigned f = 0; f < 2; ++f) EXPECT_NEAR(dx[b * 2 + f], dx_one[f], 1e-12) << "x " << f << " sample " << b;
    }
    double scale = 0;
    for (std::size_t i = 0; i < kTheta.size(); ++i) {
      EXPECT_NEAR(dtheta[i], want_theta[i], 1e-12) << "theta " << i;
      scale = std::max(scale, std::abs(want_theta[i]));
    }
    EXPECT_GT(scale, 0.1);  // not vacuous
    EXPECT_THROW(batched.backward(obs, w, {}, dtheta, dx), ValueError);
  }
  // Single precision agrees to its rounding.
  BatchedNoisyTape<float> single(c, test_noise(), kTheta, BatchInputs{xs, 2}, B);
  std::vector<double> values(B);
  single.expectation(kObs, values);
  for (unsigned b = 0; b < B; ++b) {
    const NoisyTape<double> one(c, test_noise(), kTheta, std::span<const double>(xs).subspan(b * 2, 2), false);
    EXPECT_NEAR(values[b], one.expectation(kObs), 1e-5);
  }
}

// Beyond kMaxBatchedQubits each sample has its own tape inside: the weights and input gradients still land on the
// right samples.
TEST(DensityMatrixGradient, LargeBatchedTapeKeepsSamplesApart) {
  const unsigned n = BatchedNoisyTape<double>::kMaxBatchedQubits / 2 + 1;
  Circuit c(n);
  for (unsigned q = 0; q < n; ++q) c.ry(q, input(q % 2) + 0.1 * q);
  for (unsigned q = 0; q + 1 < n; ++q) c.cnot(q, q + 1).rx(q + 1, theta(q));
  NoiseModel m;
  m.add_gate_noise(depolarizing(0.05), {.gate_qubits = 1});
  const std::vector<PauliSum> obs = {Z(n - 1), X(0) * Z(1)};
  const std::vector<double> th = {0.3, -0.5, 0.9, 1.1, -0.2, 0.4, 0.6};
  const std::vector<double> xs = {0.4, -1.0, 1.3, 0.8};  // 2 samples of 2 features
  const std::vector<double> w = {1.0, -0.5, 0.25, 2.0};
  BatchedNoisyTape<double> tape(c, m, th, BatchInputs{xs, 2}, 2);
  std::vector<double> dtheta(th.size(), 0.0), dx(4, 0.0), want_theta(th.size(), 0.0), values(2);
  tape.expectation(obs[0], values);
  tape.backward(obs, w, DiffWrt{.theta = true, .inputs = true}, dtheta, dx);
  for (unsigned b = 0; b < 2; ++b) {
    NoisyTape<double> one(c, m, th, std::span<const double>(xs).subspan(b * 2, 2));
    EXPECT_NEAR(values[b], one.expectation(obs[0]), 1e-14);
    std::vector<double> dx_one(2, 0.0);
    one.backward(obs, std::span<const double>(w).subspan(b * 2, 2), DiffWrt{.theta = true, .inputs = true},
                 want_theta, dx_one);
    for (unsigned f = 0; f < 2; ++f) EXPECT_NEAR(dx[b * 2 + f], dx_one[f], 1e-14);
  }
  for (std::size_t i = 0; i < th.size(); ++i) EXPECT_NEAR(dtheta[i], want_theta[i], 1e-14);
}

TEST(DensityMatrixGradient, ATapeRunsBackwardOnce) {
  const Circuit c = test_circuit();
  NoisyTape<double> tape(c, test_noise(), kTheta, kX);
  std::vector<double> dt(kTheta.size()), dx(kX.size());
  const std::vector<PauliSum> obs = {Z(0)};
  const std::vector<double> w = {1.0};
  tape.backward(obs, w, {}, dt, dx);
  EXPECT_THROW(tape.backward(obs, w, {}, dt, dx), ValueError);
}

}  // namespace
}  // namespace qnn
