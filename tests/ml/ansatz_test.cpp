#include "qnn/ml/ansatz.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "qnn/circuit/pauli.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {
namespace {

// Walks the circuit layer by layer and checks Rot(φ, θ, ω) on every qubit with consecutive weights, then the CNOT ring
// of range (l mod (n − 1)) + 1.
void check_structure(unsigned n, unsigned layers, unsigned first_theta) {
  SCOPED_TRACE("n=" + std::to_string(n) + " layers=" + std::to_string(layers));
  Circuit c(n);
  const unsigned used = strongly_entangling(c, layers, first_theta);
  EXPECT_EQ(used, 3 * n * layers);
  EXPECT_EQ(c.num_theta(), layers == 0 ? 0 : first_theta + 3 * n * layers);
  const unsigned cnots_per_layer = n > 1 ? n : 0;
  ASSERT_EQ(c.size(), std::size_t{layers} * (3 * n + cnots_per_layer));

  std::size_t op = 0;
  unsigned t = first_theta;
  for (unsigned l = 0; l < layers; ++l) {
    for (unsigned q = 0; q < n; ++q) {
      const GateKind expected[3] = {GateKind::RZ, GateKind::RY, GateKind::RZ};
      for (GateKind k : expected) {
        const Operation& o = c.ops()[op++];
        EXPECT_EQ(o.kind, k);
        ASSERT_EQ(o.qubits, std::vector<unsigned>{q});
        ASSERT_EQ(o.params.size(), 1u);
        EXPECT_EQ(o.params[0].kind(), Expr::Kind::Theta);
        EXPECT_EQ(o.params[0].index(), t++);
      }
    }
    if (n > 1) {
      const unsigned r = l % (n - 1) + 1;
      for (unsigned q = 0; q < n; ++q) {
        const Operation& o = c.ops()[op++];
        EXPECT_EQ(o.kind, GateKind::CX);
        EXPECT_EQ(o.qubits, (std::vector<unsigned>{q, (q + r) % n})) << "layer " << l << " range " << r;
      }
    }
  }
}

TEST(StronglyEntangling, WeightCountAndStructure) {
  check_structure(1, 3, 0);
  check_structure(2, 3, 0);
  check_structure(3, 2, 0);
  check_structure(4, 5, 0);
  check_structure(4, 3, 7);  // weights start at θ_7
  check_structure(3, 0, 0);
}

TEST(StronglyEntangling, RangesCycleThroughOneToNMinusOne) {
  // n = 4, 5 layers: ranges 1, 2, 3, 1, 2 (the first CNOT of each layer is 0 → r).
  Circuit c(4);
  strongly_entangling(c, 5);
  std::vector<unsigned> first_targets;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const Operation& o = c.ops()[i];
    if (o.kind == GateKind::CX && o.qubits[0] == 0) first_targets.push_back(o.qubits[1]);
  }
  EXPECT_EQ(first_targets, (std::vector<unsigned>{1, 2, 3, 1, 2}));
}

TEST(StronglyEntangling, GateOrderAndCnotDirectionOnAKnownState) {
  // 2 qubits, 1 layer: only θ_1 (the RY of qubit 0) is π/2, so Rot gives |+⟩ on qubit 0. CNOT(0→1) makes the Bell
  // state (|00⟩ + |11⟩)/√2 and CNOT(1→0) then maps |11⟩ → |q1=1, q0=0⟩: qubit 1 ends in |+⟩, qubit 0 in |0⟩, i.e.
  // amplitudes 1/√2 at indices 0 and 2 (qubit k is bit k).
  Circuit c(2);
  const unsigned nw = strongly_entangling(c, 1);
  std::vector<double> w(nw, 0.0);
  w[1] = std::acos(-1.0) / 2;
  const auto psi = simulate<double>(c, w);
  const double r = 1 / std::sqrt(2.0);
  EXPECT_NEAR(std::abs(psi[0]), r, 1e-12);
  EXPECT_NEAR(std::abs(psi[1]), 0.0, 1e-12);
  EXPECT_NEAR(std::abs(psi[2]), r, 1e-12);
  EXPECT_NEAR(std::abs(psi[3]), 0.0, 1e-12);
  EXPECT_NEAR(expectation(psi, PauliSum(Z(0))), 1.0, 1e-12);
  EXPECT_NEAR(expectation(psi, PauliSum(X(1))), 1.0, 1e-12);
}

}  // namespace
}  // namespace qnn
