// The tableau simulator against the state-vector simulator on random Clifford circuits (stabilizers, measurement
// probabilities 0, ½, 1 and post-measurement states), and on a 2000-qubit GHZ state.
#include "qnn/qec/tableau.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "qnn/exec/simulate.hpp"
#include "qnn/sim/state_vector.hpp"

namespace qnn::qec {
namespace {

Circuit random_clifford(unsigned n, unsigned gates, Rng& rng) {
  Circuit c(n);
  for (unsigned g = 0; g < gates; ++g) {
    const auto a = static_cast<unsigned>(rng.below(n));
    auto b = static_cast<unsigned>(rng.below(n - 1));
    if (b >= a) ++b;
    switch (rng.below(9)) {
      case 0: c.h(a); break;
      case 1: c.s(a); break;
      case 2: c.sdg(a); break;
      case 3: c.x(a); break;
      case 4: c.y(a); break;
      case 5: c.z(a); break;
      case 6: c.cx(a, b); break;
      case 7: c.cz(a, b); break;
      default: c.swap(a, b); break;
    }
  }
  return c;
}

// Every stabilizer generator S_i of the tableau satisfies ⟨ψ|S_i|ψ⟩ = +1 (with its sign): n independent ones
// determine the state, so this is the whole state up to a global phase.
void expect_stabilized(const Tableau& t, const StateVector<double>& psi) {
  for (std::uint32_t i = 0; i < t.num_qubits(); ++i) {
    PauliMasks m;
    for (std::uint32_t q = 0; q < t.num_qubits(); ++q) {
      if (t.stabilizer_x(i, q)) m.x |= index_t{1} << q;
      if (t.stabilizer_z(i, q)) m.z |= index_t{1} << q;
    }
    EXPECT_NEAR(psi.expectation(m), t.stabilizer_sign(i) ? -1.0 : 1.0, 1e-9) << t.stabilizer_string(i);
  }
}

TEST(Tableau, RandomCliffordCircuitsMatchStateVector) {
  Rng rng(11);
  for (int trial = 0; trial < 40; ++trial) {
    const unsigned n = 2 + static_cast<unsigned>(rng.below(5));
    const Circuit c = random_clifford(n, 30, rng);
    Tableau t(n);
    apply_circuit(t, c);
    StateVector<double> psi = simulate<double>(c);
    expect_stabilized(t, psi);
    // Measure every qubit in a random order, sometimes in X: the state vector's probability is 0, ½ or 1, the
    // tableau says random exactly when it is ½, and both collapse to the same post-measurement state.
    for (unsigned k = 0; k < n; ++k) {
      const auto q = static_cast<std::uint32_t>(rng.below(n));
      const bool x_basis = rng.below(3) == 0;
      if (x_basis) {
        t.h(q);
        Circuit hq(n);
        hq.h(q);
        run(hq, psi);
      }
      const double p1 = psi.probability_one(q);
      const bool deterministic = t.is_deterministic_z(q);
      if (deterministic)
        EXPECT_TRUE(std::abs(p1) < 1e-9 || std::abs(p1 - 1) < 1e-9) << p1;
      else
        EXPECT_NEAR(p1, 0.5, 1e-9);
      const int outcome = t.measure_z(q, rng);
      if (deterministic) {
        EXPECT_NEAR(p1, outcome, 1e-9);
      }
      for (index_t i = 0; i < psi.size(); ++i)
        if (static_cast<int>((i >> q) & 1U) != outcome) psi[i] = 0;
      psi.normalize();
      if (x_basis) {
        t.h(q);
        Circuit hq(n);
        hq.h(q);
        run(hq, psi);
      }
      expect_stabilized(t, psi);
    }
  }
}

TEST(Tableau, ResetAndXMeasurement) {
  Rng rng(3);
  Tableau t(2);
  t.h(0);
  t.cx(0, 1);
  t.reset_z(0, rng);  // leaves qubit 1 in a random but definite Z state
  EXPECT_TRUE(t.is_deterministic_z(0));
  EXPECT_EQ(t.measure_z(0, rng), 0);
  EXPECT_TRUE(t.is_deterministic_z(1));
  t.reset_x(1, rng);
  EXPECT_EQ(t.measure_x(1, rng), 0);
  EXPECT_FALSE(t.is_deterministic_z(1));
}

TEST(Tableau, NonCliffordGateIsRejected) {
  Circuit c(1);
  c.t(0);
  Tableau t(1);
  EXPECT_THROW(apply_circuit(t, c), ValueError);
}

TEST(Tableau, Ghz2000Qubits) {
  constexpr std::uint32_t n = 2000;
  Rng rng(5);
  for (int shot = 0; shot < 2; ++shot) {
    Tableau t(n);
    t.h(0);
    for (std::uint32_t q = 0; q + 1 < n; ++q) t.cx(q, q + 1);
    EXPECT_FALSE(t.is_deterministic_z(n - 1));
    // Z_0 Z_q stabilizes the GHZ state: after the first (random) outcome, every other one is determined and equal.
    // A determined outcome costs one generator product per destabilizer that anticommutes with Z_q (here up to n of
    // them, O(n²/64) word operations), so every qubit is checked for determinism and every 7th is measured.
    const int first = t.measure_z(n - 1, rng);
    for (std::uint32_t q = 0; q + 1 < n; ++q) {
      ASSERT_TRUE(t.is_deterministic_z(q)) << q;
      if (q % 7 == 0) {
        ASSERT_EQ(t.measure_z(q, rng), first) << q;
      }
    }
  }
}

TEST(Tableau, CircuitRecordAndParities) {
  CliffordCircuit c;
  c.append(OpCode::H, {0}).append(OpCode::CX, {0, 1}).append(OpCode::M, {0, 1});
  c.detector({0, 1});
  c.observable(0, {1});
  Rng rng(9);
  int ones = 0;
  for (int s = 0; s < 200; ++s) {
    const auto record = tableau_sample(c, rng);
    ASSERT_EQ(record.size(), 2U);
    EXPECT_EQ(record[0], record[1]);
    std::vector<std::uint8_t> dets;
    std::uint64_t obs = 0;
    record_parities(c, record, dets, obs);
    EXPECT_EQ(dets, std::vector<std::uint8_t>{0});
    EXPECT_EQ(obs, record[1]);
    ones += record[0];
  }
  // Binomial(200, ½): σ ≈ 7.1; 5σ bound.
  EXPECT_NEAR(ones, 100, 36);
}

}  // namespace
}  // namespace qnn::qec
