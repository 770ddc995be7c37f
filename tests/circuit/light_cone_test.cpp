// The light cone of a circuit's observables: closed forms for what is dropped and folded, and on random circuits the
// cone's expectations and adjoint gradients (weights and inputs) against the whole circuit's.
#include "qnn/circuit/light_cone.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/exec/simulate.hpp"
#include "sim/random_circuits.hpp"

namespace qnn {
namespace {

constexpr double kPi = std::numbers::pi;

std::vector<double> random_vector(std::size_t n, Rng& rng) {
  std::vector<double> v(n);
  for (double& e : v) e = rng.uniform(-kPi, kPi);
  return v;
}

TEST(LightCone, TrailingCnotFoldsIntoTheObservableAndDiagonalGatesDrop) {
  // RY(θ0) on 0, CX(0, 1), RZ(θ1) on 1: ⟨Z1⟩ = cos θ0. The RZ commutes with Z1 (dropped), the CX maps Z1 to Z0 Z1.
  Circuit c(2);
  c.ry(0, theta(0)).cx(0, 1).rz(1, theta(1));
  const LightCone cone = light_cone(c, std::vector<PauliSum>{Z(1)});
  ASSERT_EQ(cone.kept, (std::vector<std::size_t>{0}));
  EXPECT_EQ(cone.folded, 1U);
  EXPECT_EQ(cone.dropped(c), 2U);
  ASSERT_EQ(cone.observables.size(), 1U);
  EXPECT_EQ(cone.observables[0].to_string(), (1.0 * (Z(0) * Z(1))).to_string());
  EXPECT_EQ(cone.idle_weights, (std::vector<unsigned>{1}));
  // The cone keeps the whole weight layout, though θ1 appears in none of its gates.
  EXPECT_EQ(cone.circuit.num_theta(), 2U);
  for (double t : {0.3, 1.9, -2.4}) {
    const std::vector<double> th{t, 0.8};
    EXPECT_NEAR(expval(cone.circuit, cone.observables[0], th), std::cos(t), 1e-14);
  }
}

TEST(LightCone, XYAndSwapFoldWithSignsAndMovedQubits) {
  // X on 0 then SWAP(0, 2) then Y on 1: Z2 ← SWAP → Z0 ← X → −Z0; Z1 ← Y → −Z1.
  Circuit c(3);
  c.rx(0, theta(0)).rx(1, theta(1)).x(0).swap(0, 2).y(1);
  const LightCone cone = light_cone(c, std::vector<PauliSum>{Z(2), Z(1), 0.5 * (Z(1) * Z(2))});
  EXPECT_EQ(cone.folded, 3U);
  ASSERT_EQ(cone.kept, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(cone.observables[0].to_string(), (-1.0 * Z(0)).to_string());
  EXPECT_EQ(cone.observables[1].to_string(), (-1.0 * Z(1)).to_string());
  EXPECT_EQ(cone.observables[2].to_string(), (0.5 * (Z(0) * Z(1))).to_string());
  const std::vector<double> th{0.4, -1.2};
  EXPECT_NEAR(expval(cone.circuit, cone.observables[0], th), -std::cos(0.4), 1e-14);
  EXPECT_NEAR(expval(cone.circuit, cone.observables[2], th), 0.5 * std::cos(0.4) * std::cos(-1.2), 1e-14);
}

TEST(LightCone, GatesOutsideTheConeDropForAnyObservable) {
  // X0 sees only what reaches qubit 0: the RY on 2 and the CX(2, 3) never do; the CX(1, 0) after H does not fold (X0
  // is no Z string) but brings in qubit 1, so RX(θ1) on 1 before it stays.
  Circuit c(4);
  c.rx(1, theta(1)).ry(2, theta(2)).cx(2, 3).h(0).cx(1, 0).rz(2, theta(0));
  const LightCone cone = light_cone(c, std::vector<PauliSum>{X(0)});
  EXPECT_EQ(cone.folded, 0U);
  EXPECT_EQ(cone.kept, (std::vector<std::size_t>{0, 3, 4}));
  EXPECT_EQ(cone.idle_weights, (std::vector<unsigned>{0, 2}));
  EXPECT_EQ(cone.observables[0].to_string(), X(0).to_string());
}

TEST(LightCone, ControlledFoldablesAndNonDiagonalUnitariesStay) {
  // A CX with an extra control maps Z strings to non-Pauli operators: kept, and everything before it on its qubits.
  Circuit c(3);
  c.ry(0, theta(0)).ry(1, theta(1)).ry(2, theta(2)).add(GateKind::CX, {0, 1}, {}, {2});
  const LightCone cone = light_cone(c, std::vector<PauliSum>{Z(1)});
  EXPECT_EQ(cone.folded, 0U);
  EXPECT_EQ(cone.kept.size(), 4U);
  // A diagonal user matrix drops like a table gate; a dense one does not.
  Circuit d(1);
  d.ry(0, theta(0)).unitary({0}, {cplx{0, 1}, 0, 0, cplx{std::cos(1.0), std::sin(1.0)}});
  EXPECT_EQ(light_cone(d, std::vector<PauliSum>{Z(0)}).kept.size(), 1U);
  Circuit e(1);
  const double h = 1 / std::sqrt(2.0);
  e.ry(0, theta(0)).unitary({0}, {h, h, h, -h});
  EXPECT_EQ(light_cone(e, std::vector<PauliSum>{Z(0)}).kept.size(), 2U);
}

TEST(LightCone, ObservableOnMissingQubitThrows) {
  Circuit c(2);
  c.h(0);
  EXPECT_THROW((void)light_cone(c, std::vector<PauliSum>{Z(3)}), ValueError);
}

// Random circuits that mix diagonal gates, gates that fold (with and without extra controls) and any other kind, on
// few qubits of five, so the cones are partial: the cone's values and gradients against the whole circuit's, for Z
// strings and for mixed observables.
Circuit sparse_random_circuit(unsigned n, unsigned nt, unsigned nx, Rng& rng) {
  Circuit c(n);
  std::vector<GateKind> kinds;
  for (const GateInfo& g : gate_table())
    if (g.kind != GateKind::Unitary && g.num_qubits <= 2) kinds.push_back(g.kind);
  for (unsigned i = 0; i < 24; ++i) {
    const GateKind k = kinds[rng.below(kinds.size())];
    const GateInfo& g = gate_info(k);
    const unsigned extra = rng.below(5) == 0 ? 1 : 0;
    std::vector<unsigned> q = testkit::random_qubits(n, g.num_qubits + extra, rng);
    std::vector<unsigned> controls(q.begin() + g.num_qubits, q.end());
    q.resize(g.num_qubits);
    std::vector<Expr> params;
    for (unsigned p = 0; p < g.num_params; ++p) {
      params.push_back(rng.below(3) == 0 ? 0.5 * input(static_cast<unsigned>(rng.below(nx))) + theta(0)
                                         : theta(static_cast<unsigned>(rng.below(nt))));
    }
    c.add(k, q, params, controls);
  }
  return c;
}

TEST(LightCone, RandomCircuitsKeepValuesAndGradients) {
  Rng rng(2024);
  const unsigned n = 5, nt = 12, nx = 3;
  std::size_t dropped = 0, folded = 0, idle = 0;
  for (unsigned trial = 0; trial < 60; ++trial) {
    const Circuit c = sparse_random_circuit(n, nt, nx, rng);
    std::vector<PauliSum> obs;
    if (trial % 3 == 2) {
      obs.push_back(parse_pauli_sum("0.7 Z0 X1 - 1.3 Y2 + 0.4 Z3"));
    } else {
      PauliSum o;
      o.add(rng.uniform(-1, 1), Z(static_cast<unsigned>(rng.below(n))));
      o.add(rng.uniform(-1, 1), Z(static_cast<unsigned>(rng.below(4))) * Z(4));
      obs.push_back(o);
      obs.push_back(1.0 * Z(static_cast<unsigned>(rng.below(4))));
    }
    const LightCone cone = light_cone(c, obs);
    ASSERT_EQ(cone.observables.size(), obs.size());
    ASSERT_EQ(cone.circuit.num_theta(), c.num_theta());
    ASSERT_EQ(cone.circuit.num_inputs(), c.num_inputs());
    dropped += cone.dropped(c);
    folded += cone.folded;
    idle += cone.idle_weights.size();
    const std::vector<double> th = random_vector(c.num_theta(), rng), x = random_vector(c.num_inputs(), rng);
    for (std::size_t k = 0; k < obs.size(); ++k) {
      const Gradient whole = adjoint_gradient(c, obs[k], th, x);
      const Gradient cut = adjoint_gradient(cone.circuit, cone.observables[k], th, x);
      const std::string where = "trial " + std::to_string(trial) + " observable " + std::to_string(k);
      EXPECT_NEAR(cut.value, whole.value, 1e-12) << where;
      for (std::size_t t = 0; t < th.size(); ++t) EXPECT_NEAR(cut.theta[t], whole.theta[t], 1e-12) << where;
      for (std::size_t j = 0; j < x.size(); ++j) EXPECT_NEAR(cut.x[j], whole.x[j], 1e-12) << where;
      for (unsigned t : cone.idle_weights) EXPECT_NEAR(whole.theta[t], 0.0, 1e-12) << where << " weight " << t;
    }
  }
  // Not vacuous: the cones dropped and folded gates and found idle weights.
  EXPECT_GT(dropped, 100U);
  EXPECT_GT(folded, 10U);
  EXPECT_GT(idle, 10U);
}

}  // namespace
}  // namespace qnn
