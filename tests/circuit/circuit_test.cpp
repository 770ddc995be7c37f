// Circuits: validation at the API boundary, parameter bookkeeping, and the inverse circuit.
#include "qnn/circuit/circuit.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/exec/simulate.hpp"
#include "sim/dense_reference.hpp"
#include "sim/random_circuits.hpp"

namespace qnn {
namespace {

using dense::cplx;
using testkit::random_circuit;
using testkit::random_state;
using testkit::random_unitary;
using testkit::RandomCircuitOptions;

template <class Fn>
std::string error_message(Fn&& fn) {
  try {
    fn();
  } catch (const ValueError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected ValueError";
  return {};
}

TEST(Circuit, ZeroQubitsThrows) {
  EXPECT_THROW(Circuit(0), ValueError);
  EXPECT_THROW(Circuit(64), ValueError);
  EXPECT_NO_THROW(Circuit(1));
}

TEST(Circuit, QubitOutOfRangeThrows) {
  Circuit c(3);
  EXPECT_THROW(c.h(3), ValueError);
  EXPECT_THROW(c.cx(0, 7), ValueError);
  EXPECT_THROW(c.add(GateKind::RX, {1}, {0.1}, {3}), ValueError);  // extra control out of range
  EXPECT_THROW(c.unitary({5}, {1, 0, 0, 1}), ValueError);
  const std::string msg = error_message([&] { c.x(9); });
  EXPECT_NE(msg.find("9"), std::string::npos) << msg;
  EXPECT_EQ(c.size(), 0U) << "a rejected gate must not be appended";
}

TEST(Circuit, RepeatedQubitThrows) {
  Circuit c(3);
  EXPECT_THROW(c.cx(1, 1), ValueError);
  EXPECT_THROW(c.ccx(0, 1, 0), ValueError);
  EXPECT_THROW(c.add(GateKind::H, {2}, {}, {2}), ValueError);          // control = target
  EXPECT_THROW(c.add(GateKind::CZ, {0, 1}, {}, {0}), ValueError);      // extra control = built-in control
  EXPECT_THROW(c.add(GateKind::X, {0}, {}, {1, 1}), ValueError);       // repeated extra control
  Rng rng(1);
  EXPECT_THROW(c.unitary({0, 0}, random_unitary(2, rng).a), ValueError);
  EXPECT_THROW(c.unitary({0}, random_unitary(1, rng).a, {0}), ValueError);
  EXPECT_EQ(c.size(), 0U);
}

TEST(Circuit, WrongQubitOrParameterCountThrows) {
  Circuit c(3);
  EXPECT_THROW(c.add(GateKind::RX, {0}), ValueError);
  EXPECT_THROW(c.add(GateKind::RX, {0}, {0.1, 0.2}), ValueError);
  EXPECT_THROW(c.add(GateKind::H, {0}, {0.1}), ValueError);
  EXPECT_THROW(c.add(GateKind::U, {0}, {0.1, 0.2}), ValueError);
  EXPECT_THROW(c.add(GateKind::CX, {0}), ValueError);
  EXPECT_THROW(c.add(GateKind::H, {0, 1}), ValueError);
  EXPECT_THROW(c.add(GateKind::Unitary, {0}), ValueError);  // matrices go through Circuit::unitary
  EXPECT_THROW(c.rx(0, Expr(std::nan(""))), ValueError);
  EXPECT_THROW(c.rx(0, Expr(INFINITY)), ValueError);
  EXPECT_EQ(c.size(), 0U);
}

TEST(Circuit, UnitaryIsValidated) {
  Circuit c(3);
  Rng rng(7);
  // wrong size
  EXPECT_THROW(c.unitary({0}, {1, 0, 0}), ValueError);
  EXPECT_THROW(c.unitary({0, 1}, {1, 0, 0, 1}), ValueError);
  EXPECT_THROW(c.unitary({}, {1}), ValueError);
  // not unitary
  EXPECT_THROW(c.unitary({0}, {1, 1, 0, 1}), ValueError);
  EXPECT_THROW(c.unitary({0}, {2, 0, 0, 2}), ValueError);
  std::vector<cplx> almost = random_unitary(2, rng).a;
  almost[5] += 1e-6;
  EXPECT_THROW(c.unitary({0, 1}, almost), ValueError);
  EXPECT_EQ(c.size(), 0U);
  // good ones
  EXPECT_NO_THROW(c.unitary({2, 0}, random_unitary(2, rng).a, {1}));
  EXPECT_NO_THROW(c.unitary({1, 2, 0}, random_unitary(3, rng).a));
  ASSERT_EQ(c.size(), 2U);
  EXPECT_EQ(c.ops()[0].kind, GateKind::Unitary);
  EXPECT_EQ(c.ops()[0].targets().size(), 2U);
  EXPECT_EQ(c.ops()[0].all_controls(), std::vector<unsigned>{1});
}

TEST(Circuit, OperationTargetsAndControls) {
  Circuit c(5);
  c.add(GateKind::CCX, {3, 1, 4}, {}, {0, 2});
  const Operation& op = c.ops()[0];
  EXPECT_EQ(std::vector<unsigned>(op.targets().begin(), op.targets().end()), std::vector<unsigned>{4});
  EXPECT_EQ(op.all_controls(), (std::vector<unsigned>{3, 1, 0, 2}));
  c.cswap(2, 0, 1);
  const Operation& sw = c.ops()[1];
  EXPECT_EQ(std::vector<unsigned>(sw.targets().begin(), sw.targets().end()), (std::vector<unsigned>{0, 1}));
  EXPECT_EQ(sw.all_controls(), std::vector<unsigned>{2});
}

TEST(Circuit, NumThetaAndNumInputs) {
  Circuit c(2);
  EXPECT_EQ(c.num_theta(), 0U);
  EXPECT_EQ(c.num_inputs(), 0U);
  c.h(0).rx(0, 0.3);
  EXPECT_EQ(c.num_theta(), 0U);
  c.ry(1, theta(4));
  EXPECT_EQ(c.num_theta(), 5U);
  c.rz(0, theta(1) * input(2));
  EXPECT_EQ(c.num_theta(), 5U);
  EXPECT_EQ(c.num_inputs(), 3U);
  c.u(1, theta(0), (std::numbers::pi - input(6)) * (std::numbers::pi - input(0)), 0.1);
  EXPECT_EQ(c.num_inputs(), 7U);
  EXPECT_TRUE(c.ops()[2].is_parameterised());
  EXPECT_FALSE(c.ops()[1].is_parameterised());
  // appending a circuit carries its counts
  Circuit d(2);
  d.append(c);
  EXPECT_EQ(d.size(), c.size());
  EXPECT_EQ(d.num_theta(), 5U);
  EXPECT_EQ(d.num_inputs(), 7U);
  // …but not onto fewer qubits
  Circuit e(1);
  EXPECT_THROW(e.append(c), ValueError);
  // and the inverse uses the same parameters
  EXPECT_EQ(c.inverse().num_theta(), 5U);
  EXPECT_EQ(c.inverse().num_inputs(), 7U);
}

TEST(Circuit, InverseStructure) {
  Circuit c(3);
  c.s(0).t(1).sx(2).u(0, 0.1, 0.2, 0.3).iswap(1, 2).cp(0, 2, theta(0));
  const Circuit inv = c.inverse();
  ASSERT_EQ(inv.size(), c.size());
  EXPECT_EQ(inv.ops()[0].kind, GateKind::CP);
  EXPECT_EQ(inv.ops()[1].kind, GateKind::Unitary);  // iSWAP has no inverse kind: stored as its adjoint matrix
  EXPECT_EQ(inv.ops()[2].kind, GateKind::U);
  EXPECT_EQ(inv.ops()[3].kind, GateKind::SXdg);
  EXPECT_EQ(inv.ops()[4].kind, GateKind::Tdg);
  EXPECT_EQ(inv.ops()[5].kind, GateKind::Sdg);
  const std::vector<double> th{0.77};
  EXPECT_DOUBLE_EQ(inv.ops()[0].params[0].eval(th, {}), -0.77);
  // U(θ, φ, λ)† = U(−θ, −λ, −φ)
  EXPECT_DOUBLE_EQ(inv.ops()[2].params[0].eval({}, {}), -0.1);
  EXPECT_DOUBLE_EQ(inv.ops()[2].params[1].eval({}, {}), -0.3);
  EXPECT_DOUBLE_EQ(inv.ops()[2].params[2].eval({}, {}), -0.2);
}

/// U then U† on a random state returns it, on the given precision.
void check_inverse_round_trip(unsigned n, std::uint64_t seed, const RandomCircuitOptions& opt) {
  Rng rng(seed);
  const Circuit c = random_circuit(n, rng, opt);
  std::vector<double> th(c.num_theta()), x(c.num_inputs());
  for (double& v : th) v = rng.uniform(-2, 2);
  for (double& v : x) v = rng.uniform(-1, 1);
  const dense::Vec psi0 = random_state(n, rng);
  StateVector<double> psi = testkit::to_state<double>(psi0);
  run(c, psi, th, x);
  // the circuit did something
  EXPECT_GT(dense::max_diff(testkit::to_vec(psi), psi0), 1e-3);
  run(c.inverse(), psi, th, x);
  EXPECT_LT(dense::max_diff(testkit::to_vec(psi), psi0), 1e-12);
  // and (U†)† = U
  StateVector<double> a = testkit::to_state<double>(psi0), b = a;
  run(c, a, th, x);
  run(c.inverse().inverse(), b, th, x);
  EXPECT_LT(dense::max_diff(testkit::to_vec(a), testkit::to_vec(b)), 1e-12);
}

TEST(Circuit, InverseUndoesRandomCircuitsWithEveryGate) {
  for (unsigned n = 3; n <= 6; ++n) {
    SCOPED_TRACE("n = " + std::to_string(n));
    RandomCircuitOptions opt;
    opt.passes = 2;
    opt.max_extra_controls = 2;
    check_inverse_round_trip(n, 1000 + n, opt);
  }
}

TEST(Circuit, InverseUndoesCircuitsWithExpressionAngles) {
  RandomCircuitOptions opt;
  opt.angle = [](Rng& r) -> Expr {
    const unsigned i = static_cast<unsigned>(r.below(4)), j = static_cast<unsigned>(r.below(3));
    switch (r.below(3)) {
      case 0: return 0.7 * theta(i) - 0.2;
      case 1: return theta(i) * input(j);
      default: return (std::numbers::pi - input(j)) * (std::numbers::pi - input((j + 1) % 3));
    }
  };
  check_inverse_round_trip(4, 77, opt);
  check_inverse_round_trip(5, 78, opt);
}

TEST(Circuit, InverseMatchesDenseAdjoint) {
  // ⟨φ|U†|ψ⟩ = conj(⟨ψ|U|φ⟩): the inverse is the adjoint, not just some left inverse on one state.
  Rng rng(31);
  const Circuit c = random_circuit(3, rng);
  const dense::Vec psi = random_state(3, rng), phi = random_state(3, rng);
  auto s_psi = testkit::to_state<double>(psi), s_phi = testkit::to_state<double>(phi);
  StateVector<double> u_phi = s_phi, udag_psi = s_psi;
  run(c, u_phi);
  run(c.inverse(), udag_psi);
  const cplx a = s_psi.inner(u_phi), b = s_phi.inner(udag_psi);
  EXPECT_LT(std::abs(a - std::conj(b)), 1e-13);
}

}  // namespace
}  // namespace qnn
