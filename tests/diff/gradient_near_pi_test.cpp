// Gradients at angles k·π ± 1e-12, where sin and cos sit on their zeros and a careless shift rule or generator could
// divide 0 by 0: for every parameterised gate kind in the table, the adjoint and parameter-shift gradients must be
// finite and agree with central finite differences.
//
// Tolerance: with h = 1e-5 the central difference has truncation error h²/6·|f'''| ≲ 1e-10 (⟨O⟩ is a trigonometric
// polynomial in the angles, |f'''| ≤ 4 for these observable weights) and rounding error ε/h ≈ 1e-11; 1e-7 leaves room
// while still catching a wrong sign, a lost factor or a NaN. Parameter shifts are exact: they match adjoint to 1e-12.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/gate.hpp"
#include "qnn/circuit/pauli.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/diff/finite_difference.hpp"
#include "qnn/diff/parameter_shift.hpp"

namespace qnn {
namespace {

TEST(GradientNearPi, EveryParameterisedGateIsFiniteAndMatchesFiniteDifferences) {
  const PauliSum obs = parse_pauli_sum("Z0 + 0.5 X1 - 0.25 Y2 + 0.5 Z0 Z1 Y2");
  unsigned kinds_checked = 0;
  for (const GateInfo& g : gate_table()) {
    if (g.kind == GateKind::Unitary || g.num_params == 0) continue;
    ++kinds_checked;
    for (int k = -2; k <= 2; ++k) {
      for (double offset : {-1e-12, 0.0, 1e-12}) {
        const double angle = k * std::numbers::pi + offset;
        // A generic state before the gate (so no derivative vanishes by symmetry alone), the gate on qubits 0..,
        // then a fixed entangler so every qubit feeds the observable. θ_0.. are the gate's parameters, each at `angle`
        // except that the others of a multi-parameter gate sit at angle/2 + 0.3 (so all of U3's terms matter).
        Circuit c(3);
        c.add(GateKind::RY, {0}, {Expr(0.7)})
            .add(GateKind::RX, {1}, {Expr(-1.1)})
            .add(GateKind::RY, {2}, {Expr(0.4)})
            .add(GateKind::CX, {0, 2});
        std::vector<unsigned> qubits;
        for (unsigned q = 0; q < g.num_qubits; ++q) qubits.push_back(q);
        std::vector<Expr> params;
        std::vector<double> theta;
        for (unsigned p = 0; p < g.num_params; ++p) {
          params.push_back(Expr::theta(p));
          theta.push_back(p == 0 ? angle : angle / 2 + 0.3);
        }
        c.add(g.kind, qubits, params).add(GateKind::CX, {1, 2}).add(GateKind::H, {1});

        const std::string where = std::string(g.name) + " at " + std::to_string(k) + "π" +
                                  (offset < 0 ? " − 1e-12" : offset > 0 ? " + 1e-12" : "");
        const Gradient adj = adjoint_gradient(c, obs, theta);
        const Gradient ps = parameter_shift_gradient(c, obs, theta);
        const Gradient fd = finite_difference_gradient(c, obs, theta, {}, 1e-5);
        ASSERT_TRUE(std::isfinite(adj.value)) << where;
        for (unsigned p = 0; p < g.num_params; ++p) {
          ASSERT_TRUE(std::isfinite(adj.theta[p])) << where << ", parameter " << p;
          ASSERT_TRUE(std::isfinite(ps.theta[p])) << where << ", parameter " << p;
          EXPECT_NEAR(adj.theta[p], fd.theta[p], 1e-7) << where << ", parameter " << p;
          EXPECT_NEAR(ps.theta[p], adj.theta[p], 1e-12) << where << ", parameter " << p;
        }
      }
    }
  }
  EXPECT_GE(kinds_checked, 12u);  // RX RY RZ P U CRX CRY CRZ CP RXX RYY RZZ at least
}

}  // namespace
}  // namespace qnn
