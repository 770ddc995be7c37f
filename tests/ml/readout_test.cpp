#include "qnn/ml/readout.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {
namespace {

// A fixed entangled 3-qubit state with no zero amplitudes.
StateVector<double> sample_state() {
  Circuit c(3);
  c.ry(0, 0.7).ry(1, -1.1).ry(2, 2.0).cnot(0, 1).rx(2, 0.4).cnot(1, 2).rz(0, 0.3).ry(0, 0.9);
  return simulate<double>(c);
}

TEST(Readout, ProbabilitiesAreMarginalsOfBasisStates) {
  const auto psi = sample_state();
  const std::vector<unsigned> qubits{0, 1, 2};
  // Three classes on ⌈log₂ 3⌉ = 2 qubits: P(k) = Σ_{q2} |ψ_{k + 4 q2}|².
  const auto obs = readout_observables(ReadoutKind::Probabilities, 3, qubits, 3);
  ASSERT_EQ(obs.size(), 3u);
  for (unsigned k = 0; k < 3; ++k) {
    const double p = std::norm(psi[k]) + std::norm(psi[k + 4]);
    EXPECT_NEAR(expectation(psi, obs[k]), p, 1e-14);
  }
  // A full projector is one amplitude.
  EXPECT_NEAR(expectation(psi, basis_projector(qubits, 5)), std::norm(psi[5]), 1e-14);
}

TEST(Readout, ParityAndZ) {
  const auto psi = sample_state();
  const std::vector<unsigned> qubits{0, 1, 2};
  const auto par = readout_observables(ReadoutKind::Parity, 2, qubits, 3);
  double even = 0;
  for (unsigned i = 0; i < 8; ++i)
    if (__builtin_popcount(i) % 2 == 0) even += std::norm(psi[i]);
  EXPECT_NEAR(expectation(psi, par[0]), even, 1e-14);
  EXPECT_NEAR(expectation(psi, par[1]), 1 - even, 1e-14);
  const auto z = readout_observables(ReadoutKind::ZPerClass, 2, qubits, 3);
  ASSERT_EQ(z.size(), 2u);
  EXPECT_EQ(z[1].to_string(), PauliSum(Z(1)).to_string());
  EXPECT_EQ(readout_observables(ReadoutKind::ZAll, 2, qubits, 3).size(), 3u);
  const auto p = readout_observables(ReadoutKind::Pauli, 2, qubits, 3, {"Z0 Z1", "X2"});
  EXPECT_NEAR(expectation(psi, p[0]), expectation(psi, PauliSum(Z(0) * Z(1))), 1e-15);
}

TEST(Readout, Errors) {
  const std::vector<unsigned> two{0, 1};
  EXPECT_THROW(readout_observables(ReadoutKind::ZPerClass, 3, two, 2), ValueError);
  EXPECT_THROW(readout_observables(ReadoutKind::Parity, 3, two, 2), ValueError);
  EXPECT_THROW(readout_observables(ReadoutKind::Pauli, 2, two, 2, {"Z2"}), ValueError);
  EXPECT_THROW(readout_observables(ReadoutKind::Pauli, 2, two, 2, {}), ValueError);
  EXPECT_THROW(parse_readout("foo"), ValueError);
  EXPECT_EQ(parse_readout("probs"), ReadoutKind::Probabilities);
  EXPECT_EQ(readout_qubits_needed(ReadoutKind::Probabilities, 10), 4u);
  EXPECT_EQ(readout_qubits_needed(ReadoutKind::Probabilities, 2), 1u);
}

}  // namespace
}  // namespace qnn
