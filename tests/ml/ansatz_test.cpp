#include "qnn/ml/ansatz.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "qnn/circuit/pauli.hpp"
#include "qnn/core/error.hpp"
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

// ---- the rest of the library: structure, weight order and a known state for each ----

namespace qnn {
namespace {

constexpr double kPi = 3.14159265358979323846;

// |amplitude| of basis state `index` (phases of X-like rotations are irrelevant here).
double magnitude(const Circuit& c, const std::vector<double>& w, std::uint64_t index) {
  return std::abs(simulate<double>(c, w)[index]);
}

std::vector<std::pair<unsigned, unsigned>> two_qubit_pairs(const Circuit& c, GateKind kind) {
  std::vector<std::pair<unsigned, unsigned>> out;
  for (const Operation& o : c.ops())
    if (o.kind == kind) out.emplace_back(o.qubits[0], o.qubits[1]);
  return out;
}

// Every θ index read, in gate order.
std::vector<unsigned> theta_order(const Circuit& c) {
  std::vector<unsigned> out;
  for (const Operation& o : c.ops())
    for (const Expr& e : o.params)
      if (e.kind() == Expr::Kind::Theta) out.push_back(e.index());
  return out;
}

std::vector<unsigned> iota(unsigned from, unsigned count) {
  std::vector<unsigned> v(count);
  for (unsigned i = 0; i < count; ++i) v[i] = from + i;
  return v;
}

using Pairs = std::vector<std::pair<unsigned, unsigned>>;

TEST(BasicEntangler, StructureAndWeightOrder) {
  Circuit c(4);
  EXPECT_EQ(basic_entangler(c, 2, 3, GateKind::RY), 8u);
  EXPECT_EQ(c.size(), 16u);
  EXPECT_EQ(theta_order(c), iota(3, 8));
  for (unsigned l = 0; l < 2; ++l)
    for (unsigned q = 0; q < 4; ++q) EXPECT_EQ(c.ops()[8 * l + q].kind, GateKind::RY);
  EXPECT_EQ(two_qubit_pairs(c, GateKind::CX), (Pairs{{0, 1}, {1, 2}, {2, 3}, {3, 0}, {0, 1}, {1, 2}, {2, 3}, {3, 0}}));

  Circuit two(2), one(1);
  basic_entangler(two, 1);
  basic_entangler(one, 3);
  EXPECT_EQ(two_qubit_pairs(two, GateKind::CX), (Pairs{{0, 1}}));  // not 0→1 then 1→0
  EXPECT_EQ(one.size(), 3u);
  EXPECT_EQ(one.ops()[0].kind, GateKind::RX);  // PennyLane's default rotation
  Circuit bad(2);
  EXPECT_THROW(basic_entangler(bad, 1, 0, GateKind::H), ValueError);
}

TEST(BasicEntangler, KnownState) {
  // RX(π) flips qubit 0; the ring CNOT 0→1, 1→2, 2→0 then carries it to qubits 1 and 2 and clears qubit 0: |q2 q1 q0⟩
  // = |110⟩, index 6.
  Circuit c(3);
  basic_entangler(c, 1);
  EXPECT_NEAR(magnitude(c, {kPi, 0, 0}, 6), 1.0, 1e-12);
  EXPECT_NEAR(magnitude(c, {0, 0, 0}, 0), 1.0, 1e-12);
}

TEST(HardwareEfficient, WeightCountsForEveryPatternAndBlock) {
  for (RotationBlock r : {RotationBlock::RY, RotationBlock::RYRZ, RotationBlock::U3}) {
    for (Entanglement e : {Entanglement::Linear, Entanglement::Ring, Entanglement::Full}) {
      for (bool final_rotation : {true, false}) {
        for (unsigned n : {1U, 2U, 3U, 5U}) {
          Circuit c(n);
          const HardwareEfficientOptions o{.entanglement = e, .rotation = r, .final_rotation = final_rotation};
          const unsigned used = hardware_efficient(c, 3, o, 2);
          EXPECT_EQ(used, n * rotation_block_size(r) * (3 + (final_rotation ? 1 : 0)));
          EXPECT_EQ(theta_order(c), iota(2, used));
        }
      }
    }
  }
  EXPECT_EQ(rotation_block_size(RotationBlock::RYRZ), 2u);
}

TEST(HardwareEfficient, EntanglingPatterns) {
  auto pairs = [](unsigned n, Entanglement e) {
    Circuit c(n);
    hardware_efficient(c, 1, {.entanglement = e});
    return two_qubit_pairs(c, GateKind::CZ);
  };
  EXPECT_EQ(pairs(4, Entanglement::Linear), (Pairs{{0, 1}, {1, 2}, {2, 3}}));
  EXPECT_EQ(pairs(4, Entanglement::Ring), (Pairs{{0, 1}, {1, 2}, {2, 3}, {3, 0}}));
  EXPECT_EQ(pairs(2, Entanglement::Ring), (Pairs{{0, 1}}));
  EXPECT_EQ(pairs(4, Entanglement::Full), (Pairs{{0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}}));
  EXPECT_TRUE(pairs(1, Entanglement::Full).empty());

  Circuit cx(3);
  hardware_efficient(cx, 1, {.entanglement = Entanglement::Linear, .entangler = GateKind::CX});
  EXPECT_EQ(two_qubit_pairs(cx, GateKind::CX), (Pairs{{0, 1}, {1, 2}}));
  Circuit bad(3);
  EXPECT_THROW(hardware_efficient(bad, 1, {.entangler = GateKind::RZZ}), ValueError);
  EXPECT_THROW(hardware_efficient(bad, 1, {.entangler = GateKind::H}), ValueError);
}

TEST(HardwareEfficient, GateOrderOfTheBlocks) {
  Circuit c(2);
  hardware_efficient(c, 1, {.rotation = RotationBlock::RYRZ, .final_rotation = false});
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c.ops()[0].kind, GateKind::RY);
  EXPECT_EQ(c.ops()[1].kind, GateKind::RZ);
  EXPECT_EQ(c.ops()[1].qubits, std::vector<unsigned>{0});
  EXPECT_EQ(c.ops()[2].kind, GateKind::RY);
  EXPECT_EQ(c.ops()[2].qubits, std::vector<unsigned>{1});
  EXPECT_EQ(c.ops()[4].kind, GateKind::CZ);
  Circuit u(1);
  hardware_efficient(u, 1, {.rotation = RotationBlock::U3});
  ASSERT_EQ(u.size(), 2u);
  EXPECT_EQ(u.ops()[0].kind, GateKind::U);
  EXPECT_EQ(theta_order(u), iota(0, 6));
}

TEST(HardwareEfficient, KnownStates) {
  // Zero weights: every rotation is the identity and CZ does nothing to |0…0⟩.
  Circuit c(3);
  const unsigned nw = hardware_efficient(c, 2, {.rotation = RotationBlock::U3});
  EXPECT_NEAR(magnitude(c, std::vector<double>(nw, 0.0), 0), 1.0, 1e-12);
  // RY(π/2) on both qubits, CZ, then RY(−π/2) on qubit 1 only: CZ|++⟩ = (|0⟩|+⟩ + |1⟩|−⟩)/√2, and RY(−π/2) maps
  // |+⟩ → |0⟩, |−⟩ → |1⟩ on qubit 1: the Bell state (|00⟩ + |11⟩)/√2 up to signs.
  Circuit b(2);
  hardware_efficient(b, 1, {.entanglement = Entanglement::Linear}, 0);
  const std::vector<double> w{kPi / 2, kPi / 2, 0, -kPi / 2};
  const double r = 1 / std::sqrt(2.0);
  EXPECT_NEAR(magnitude(b, w, 0), r, 1e-12);
  EXPECT_NEAR(magnitude(b, w, 3), r, 1e-12);
}

// No gate may touch a qubit after the pooling block that discarded it.
void expect_discarded_qubits_unused(const Circuit& c) {
  std::vector<bool> gone(c.num_qubits(), false);
  for (std::size_t i = 0; i < c.size(); ++i) {
    const Operation& o = c.ops()[i];
    for (unsigned q : o.qubits) EXPECT_FALSE(gone[q]) << "op " << i << " uses discarded qubit " << q;
    if (o.kind == GateKind::CRX) gone[o.qubits[0]] = true;  // the CRX closes a pooling block; its control is dropped
  }
}

TEST(Qcnn, PoolingKeepsTheDocumentedQubits) {
  const std::vector<std::pair<unsigned, std::vector<unsigned>>> cases = {
      {1, {0}}, {2, {0}}, {3, {0}}, {4, {0}}, {5, {0}}, {6, {0}}, {8, {0}}};
  for (const auto& [n, readout] : cases) {
    Circuit c(n);
    EXPECT_EQ(qcnn(c, 1).readout, readout) << n;
    expect_discarded_qubits_unused(c);
  }
  Circuit c8(8);
  EXPECT_EQ(qcnn(c8, 2, {.readout_qubits = 2}).readout, (std::vector<unsigned>{0, 4}));
  expect_discarded_qubits_unused(c8);
  Circuit c7(7);
  EXPECT_EQ(qcnn(c7, 1, {.readout_qubits = 4}).readout, (std::vector<unsigned>{0, 2, 4, 6}));
  Circuit bad(4);
  EXPECT_THROW(qcnn(bad, 1, {.readout_qubits = 0}), ValueError);
}

TEST(Qcnn, WeightCountsSharedAndUnshared) {
  // n = 8, one sweep per level: levels of 8, 4, 2 active qubits.
  Circuit shared(8), own(8);
  EXPECT_EQ(qcnn(shared, 1).num_weights, 3u * (8 + 2));
  // Unshared: brick walls of 4 + 3, 2 + 1 and 1 blocks (8 weights each), pools of 4, 2, 1 pairs (2 each).
  EXPECT_EQ(qcnn(own, 1, {.share_weights = false}).num_weights, (7u + 3 + 1) * 8 + (4u + 2 + 1) * 2);
  EXPECT_EQ(theta_order(own).back(), 101u);
  Circuit two_sweeps(4);
  EXPECT_EQ(qcnn(two_sweeps, 2, {}, 5).num_weights, 2u * (2 * 8 + 2));
  EXPECT_EQ(two_sweeps.num_theta(), 5u + 36);
  Circuit pool_only(4);
  EXPECT_EQ(qcnn(pool_only, 0).num_weights, 4u);
}

TEST(Qcnn, ZeroWeightsFlipOnlyTheDiscardedQubits) {
  // Every rotation is the identity at zero, CNOTs see |0⟩ controls, and each pooling block's X flips its discarded
  // qubit: n = 4 discards 1 and 3, then 2, so the state is |q3 q2 q1 q0⟩ = |1110⟩ (index 14), readout qubit 0 in |0⟩.
  Circuit c(4);
  const NarrowingResult r = qcnn(c, 1);
  EXPECT_NEAR(magnitude(c, std::vector<double>(r.num_weights, 0.0), 14), 1.0, 1e-12);
}

TEST(TreeTensorNetwork, BlocksFormABinaryTreeRootedAtQubitZero) {
  Circuit c5(5);
  const NarrowingResult r = tree_tensor_network(c5, 1);
  EXPECT_EQ(r.readout, std::vector<unsigned>{0});
  EXPECT_EQ(r.num_weights, 4u * 2 + 1);
  EXPECT_EQ(two_qubit_pairs(c5, GateKind::CX), (Pairs{{1, 0}, {3, 2}, {2, 0}, {4, 0}}));
  EXPECT_EQ(theta_order(c5), iota(0, 9));

  Circuit c8(8);
  EXPECT_EQ(tree_tensor_network(c8, 2, RotationBlock::RYRZ, 3).num_weights, 2u * (7 * 2 * 2 + 2));
  EXPECT_EQ(c8.num_theta(), 3u + 60);
  Circuit c1(1);
  EXPECT_EQ(tree_tensor_network(c1, 1).num_weights, 1u);
}

TEST(TreeTensorNetwork, KnownState) {
  // n = 2: RY(t0) q0, RY(t1) q1, CNOT(1 → 0), RY(t2) q0. t1 = π sets q1 and the CNOT copies it to the root: |11⟩.
  Circuit c(2);
  tree_tensor_network(c, 1);
  EXPECT_NEAR(magnitude(c, {0, kPi, 0}, 3), 1.0, 1e-12);
}

TEST(UserAnsatz, LayerFunctionContinuesTheWeights) {
  const Ansatz a = custom_ansatz("zz-layer", [](Circuit& c, unsigned layer, unsigned t) {
    for (unsigned q = 0; q < c.num_qubits(); ++q) c.rx(q, theta(t + q));
    if (layer % 2 == 0) c.rzz(0, 1, theta(t + c.num_qubits()));
    return c.num_qubits() + (layer % 2 == 0 ? 1 : 0);
  });
  EXPECT_EQ(a.name(), "zz-layer");
  EXPECT_EQ(a.num_weights(3, 3), 3u * 3 + 2);
  Circuit c(3);
  const NarrowingResult r = a.apply(c, 3, 10);
  EXPECT_EQ(r.num_weights, 11u);
  EXPECT_EQ(r.readout, (std::vector<unsigned>{0, 1, 2}));
  EXPECT_EQ(theta_order(c), iota(10, 11));
  EXPECT_THROW(custom_ansatz("empty", {}), ValueError);
}

TEST(UserAnsatz, CircuitTemplateIsReindexedPerLayer) {
  Circuit t(2);
  t.ry(0, theta(0)).ry(1, theta(1)).cz(0, 1).rx(0, 0.25).rz(1, input(0));
  const Ansatz a = template_ansatz("mine", t);
  Circuit c(3);
  EXPECT_EQ(a.apply(c, 3, 4).num_weights, 6u);
  EXPECT_EQ(theta_order(c), iota(4, 6));
  EXPECT_EQ(c.size(), 15u);
  EXPECT_DOUBLE_EQ(c.ops()[8].params[0].constant_value(), 0.25);
  EXPECT_EQ(c.ops()[9].params[0].kind(), Expr::Kind::Input);
  EXPECT_EQ(a.num_weights(2, 4), 8u);

  Circuit composite(1);
  composite.ry(0, 2.0 * theta(0));
  try {
    template_ansatz("bad", composite);
    ADD_FAILURE() << "a composite weight expression was accepted";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("LayerFunction"), std::string::npos) << e.what();
  }
  Circuit small(1);
  EXPECT_THROW(a.apply(small, 1), ValueError);
}

TEST(AnsatzFactory, EveryNameBuildsAndCountsConsistently) {
  for (const std::string& name : ansatz_names()) {
    for (RotationBlock r : {RotationBlock::RY, RotationBlock::U3}) {
      const AnsatzOptions o{.rotation = r};
      const Ansatz a = make_ansatz(name, o);
      EXPECT_EQ(a.name(), name);
      for (unsigned n : {1U, 2U, 4U, 5U}) {
        Circuit c(n);
        const NarrowingResult res = a.apply(c, 2, 3);
        EXPECT_EQ(res.num_weights, ansatz_weight_count(name, n, 2, o)) << name << " n=" << n;
        EXPECT_EQ(c.num_theta(), res.num_weights == 0 ? 0 : 3 + res.num_weights) << name;
        EXPECT_FALSE(res.readout.empty());
      }
    }
  }
  EXPECT_EQ(ansatz_weight_count("strong", 4, 3), 36u);
  EXPECT_EQ(ansatz_weight_count("basic", 4, 3), 12u);
  EXPECT_EQ(ansatz_weight_count("hea-ring", 4, 3, {.rotation = RotationBlock::RYRZ}), 32u);
  Circuit tree(4);
  EXPECT_EQ(make_ansatz("ttn").apply(tree, 1).readout, std::vector<unsigned>{0});

  // `strong` is exactly strongly_entangling.
  Circuit direct(3), via(3);
  strongly_entangling(direct, 2, 1);
  make_ansatz("strong").apply(via, 2, 1);
  ASSERT_EQ(direct.size(), via.size());
  for (std::size_t i = 0; i < direct.size(); ++i) EXPECT_EQ(direct.ops()[i].kind, via.ops()[i].kind);
  EXPECT_EQ(theta_order(direct), theta_order(via));
}

TEST(AnsatzFactory, UnknownNamesListTheKnownOnes) {
  for (const char* bad : {"hea", "hea-star", "bogus", ""}) {
    try {
      make_ansatz(bad);
      ADD_FAILURE() << "'" << bad << "' was accepted";
    } catch (const ValueError& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("'" + std::string(bad) + "'"), std::string::npos) << m;
      EXPECT_NE(m.find("basic, strong, hea-linear, hea-ring, hea-full, qcnn, ttn"), std::string::npos) << m;
    }
  }
  EXPECT_EQ(parse_rotation_block("ry-rz"), RotationBlock::RYRZ);
  EXPECT_EQ(rotation_block_name(RotationBlock::U3), "u3");
  EXPECT_THROW(parse_rotation_block("rx"), ValueError);
}

}  // namespace
}  // namespace qnn
