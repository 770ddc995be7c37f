// Trajectories converge to the density matrix within statistical error, and are reproducible and independent of
// the thread count.
#include "qnn/noise/trajectories.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "qnn/core/parallel.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/noise/density_matrix_simulation.hpp"

namespace qnn {
namespace {

// Strong noise of every kind (Pauli and non-Pauli, 1- and 2-qubit, idle), so a wrong Kraus choice shows.
NoiseModel strong_noise() {
  NoiseModel m;
  m.add_gate_noise(depolarizing(0.08), {.gate_qubits = 1});
  m.add_gate_noise(amplitude_damping(0.15), {.gate_qubits = 1});
  m.add_gate_noise(depolarizing2(0.1), {.gate_qubits = 2});
  m.add_gate_noise(generalized_amplitude_damping(0.1, 0.3), {.gates = {GateKind::CX}});
  m.add_gate_noise(thermal_relaxation(1.0, 0.6, 0.1), {.qubits = {2}});
  m.set_idle_noise(phase_damping(0.1));
  return m;
}

Circuit test_circuit() {
  Circuit c(3);
  c.h(0).ry(1, theta(0)).cnot(0, 1).rx(2, theta(1)).cz(1, 2).h(2).cnot(2, 0).ry(0, 0.4);
  return c;
}

TEST(Trajectories, ExpectationConvergesToDensityMatrixWithin4Sigma) {
  const Circuit c = test_circuit();
  const NoiseModel m = strong_noise();
  const std::vector<double> th{0.7, -0.4};
  const DensityMatrix<double> rho = run_density_matrix(c, m, th);
  for (const PauliSum& obs : {PauliSum(Z(0)), PauliSum(Z(0) * Z(1)), PauliSum(X(2)), Z(1) + 0.5 * Y(0) * X(2)}) {
    const TrajectoryEstimate e = expectation_trajectories(c, m, obs, 2000, 12345, th);
    const double exact = expectation(rho, obs);
    EXPECT_GT(e.standard_error, 0.0);
    EXPECT_LT(e.standard_error, 0.03);
    EXPECT_LE(std::abs(e.mean - exact), 4 * e.standard_error)
        << obs.to_string() << ": trajectories " << e.mean << " ± " << e.standard_error << ", density matrix " << exact;
  }
}

TEST(Trajectories, ProbabilitiesAndShotsConverge) {
  const Circuit c = test_circuit();
  const NoiseModel m = strong_noise();
  const std::vector<double> th{0.7, -0.4};
  const std::vector<double> p = run_density_matrix(c, m, th).probabilities();
  const std::uint64_t n = 2000;
  // A trajectory's probability of outcome i lies in [0, 1] with mean p_i, so its variance is at most p_i(1 − p_i).
  const std::vector<double> pt = probabilities_trajectories(c, m, n, 99, th);
  for (std::size_t i = 0; i < p.size(); ++i) EXPECT_NEAR(pt[i], p[i], 4 * std::sqrt(p[i] * (1 - p[i]) / n) + 1e-12) << i;
  // One shot per trajectory is an exact sample of the noisy distribution: multinomial, σ² = p(1−p)/shots.
  const std::vector<index_t> shots = sample_trajectories(c, m, n, n, 5, th);
  ASSERT_EQ(shots.size(), n);
  std::vector<double> freq(p.size(), 0);
  for (index_t s : shots) freq[s] += 1.0 / n;
  for (std::size_t i = 0; i < p.size(); ++i) EXPECT_NEAR(freq[i], p[i], 4 * std::sqrt(p[i] * (1 - p[i]) / n) + 1e-12) << i;
  // Fewer trajectories than shots: shots spread over them, still the requested number.
  EXPECT_EQ(sample_trajectories(c, m, 1001, 10, 5, th).size(), 1001U);
}

TEST(Trajectories, ReproducibleAndIndependentOfThreadCount) {
  const Circuit c = test_circuit();
  const NoiseModel m = strong_noise();
  const std::vector<double> th{0.7, -0.4};
  const int threads = num_threads();
  set_num_threads(1);
  const auto a = expectation_trajectories(c, m, Z(0) * Z(2), 64, 7, th);
  const auto sa = sample_trajectories(c, m, 64, 16, 7, th);
  set_num_threads(2);
  const auto b = expectation_trajectories(c, m, Z(0) * Z(2), 64, 7, th);
  const auto sb = sample_trajectories(c, m, 64, 16, 7, th);
  set_num_threads(threads);
  EXPECT_EQ(a.mean, b.mean);
  EXPECT_EQ(a.standard_error, b.standard_error);
  EXPECT_EQ(sa, sb);
  const auto other_seed = expectation_trajectories(c, m, Z(0) * Z(2), 64, 8, th);
  EXPECT_NE(a.mean, other_seed.mean);
}

TEST(Trajectories, NoiselessTrajectoryIsTheStateVector) {
  const Circuit c = test_circuit();
  const std::vector<double> th{0.7, -0.4};
  const auto e = expectation_trajectories(c, NoiseModel{}, X(0) * Z(1), 3, 1, th);
  EXPECT_NEAR(e.mean, expval(c, X(0) * Z(1), th), 1e-13);
  EXPECT_NEAR(e.standard_error, 0.0, 1e-13);
  EXPECT_THROW(expectation_trajectories(c, NoiseModel{}, Z(0), 0, 1, th), ValueError);
}

}  // namespace
}  // namespace qnn
