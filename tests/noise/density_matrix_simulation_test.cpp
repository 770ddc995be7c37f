// Exact noisy runs: closed forms for small noisy circuits, and a noiseless model equal to the plain run.
#include "qnn/noise/density_matrix_simulation.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "qnn/noise/noise_spec.hpp"

namespace qnn {
namespace {

TEST(DensityMatrixSimulation, NoiselessModelEqualsPlainRun) {
  Circuit c(3);
  c.h(0).cnot(0, 1).ry(2, theta(0)).cz(1, 2);
  const std::vector<double> th{0.3};
  const auto a = run_density_matrix(c, noise_preset("ideal"), th);
  const auto b = simulate_density_matrix<double>(c, th);
  for (index_t i = 0; i < a.vectorised().size(); ++i) EXPECT_EQ(a.vectorised()[i], b.vectorised()[i]);
}

TEST(DensityMatrixSimulation, DepolarizedBellPairClosedForm) {
  // H on 0 then CX(0,1), 1-qubit depolarizing p after every gate on each qubit it touches: qubit 0 is depolarized
  // twice before ... ⟨Z0 Z1⟩ and ⟨X0 X1⟩ follow from Pauli-channel algebra: each depolarizing(p) on a qubit scales
  // every non-identity Pauli on it by (1 − p). After H: ⟨X0⟩ = (1−p). CX maps X0 → X0 X1 and Z1 → Z0 Z1; then each
  // qubit is depolarized once more: ⟨X0 X1⟩ = (1−p)·(1−p)². ⟨Z0 Z1⟩ of the CX output is 1 (Z1 was never disturbed,
  // Z0 Z1 after CX is Z1 before it): (1−p)².
  const double p = 0.1;
  Circuit c(2);
  c.h(0).cnot(0, 1);
  const NoiseModel m = parse_noise_spec("depolarizing:0.1");
  const auto rho = run_density_matrix(c, m);
  EXPECT_NEAR(expectation(rho, X(0) * X(1)), std::pow(1 - p, 3), 1e-14);
  EXPECT_NEAR(expectation(rho, Z(0) * Z(1)), std::pow(1 - p, 2), 1e-14);
  EXPECT_NEAR(rho.trace(), 1.0, 1e-14);
  // Purity of a state of Pauli expectations e_P is (1/4) Σ_P e_P² (I, XX, YY, ZZ here; ⟨YY⟩ = −⟨XX⟩·(1−p)^… is
  // checked only through the purity bound).
  EXPECT_LT(rho.purity(), 1.0);
}

TEST(DensityMatrixSimulation, AmplitudeDampingAfterX) {
  // X then amplitude damping γ (after the 1-qubit gate): P(1) = 1 − γ; with idle phase damping elsewhere untouched.
  Circuit c(2);
  c.x(0).h(1);
  NoiseModel m;
  m.add_gate_noise(amplitude_damping(0.25), {.gates = {GateKind::X}});
  const auto rho = run_density_matrix(c, m);
  const auto p = rho.probabilities();
  EXPECT_NEAR(p[0b01] + p[0b11], 0.75, 1e-14);
  EXPECT_NEAR(expectation(rho, X(1)), 1.0, 1e-14);
}

}  // namespace
}  // namespace qnn
