#include "qnn/ml/encoding.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <utility>
#include <vector>

#include "qnn/circuit/pauli.hpp"
#include "qnn/core/error.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {
namespace {

TEST(AngleEncoding, OneRotationPerFeatureWrappingAroundQubits) {
  Circuit c(2);
  angle_encoding(c, 5, RotationAxis::X);
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c.num_inputs(), 5u);
  EXPECT_EQ(c.num_theta(), 0u);
  for (unsigned j = 0; j < 5; ++j) {
    const Operation& o = c.ops()[j];
    EXPECT_EQ(o.kind, GateKind::RX);
    EXPECT_EQ(o.qubits, std::vector<unsigned>{j % 2}) << "feature " << j;
    ASSERT_EQ(o.params.size(), 1u);
    EXPECT_EQ(o.params[0].kind(), Expr::Kind::Input);
    EXPECT_EQ(o.params[0].index(), j);
  }
}

TEST(AngleEncoding, AxisSelectsGate) {
  const std::pair<RotationAxis, GateKind> cases[] = {
      {RotationAxis::X, GateKind::RX}, {RotationAxis::Y, GateKind::RY}, {RotationAxis::Z, GateKind::RZ}};
  for (const auto& [axis, kind] : cases) {
    Circuit c(3);
    angle_encoding(c, 2, axis);
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c.ops()[0].kind, kind);
    EXPECT_EQ(c.ops()[1].kind, kind);
    EXPECT_EQ(c.ops()[1].qubits, std::vector<unsigned>{1});
  }
  Circuit d(2);
  angle_encoding(d, 1);  // default axis: Y
  EXPECT_EQ(d.ops()[0].kind, GateKind::RY);
}

TEST(AngleEncoding, RyEncodingGivesCosineExpectation) {
  Circuit c(1);
  angle_encoding(c, 1, RotationAxis::Y);
  for (double x : {-2.5, -0.7, 0.0, 0.3, 1.0, std::acos(-1.0) / 2, 2.9}) {
    const std::vector<double> in{x};
    const auto psi = simulate<double>(c, {}, in);
    EXPECT_NEAR(expectation(psi, PauliSum(Z(0))), std::cos(x), 1e-12) << "x = " << x;
    EXPECT_NEAR(expectation(psi, PauliSum(X(0))), std::sin(x), 1e-12) << "x = " << x;
  }
}

TEST(AngleEncoding, WrappedFeaturesAddUp) {
  // Two features on one qubit: RY(x1) RY(x0) = RY(x0 + x1), so ⟨Z⟩ = cos(x0 + x1).
  Circuit c(1);
  angle_encoding(c, 2, RotationAxis::Y);
  const std::vector<double> in{0.4, 0.9};
  EXPECT_NEAR(expval(c, PauliSum(Z(0)), {}, in), std::cos(1.3), 1e-12);
}

TEST(ParseRotationAxis, AcceptsAnyCaseRejectsOthers) {
  EXPECT_EQ(parse_rotation_axis('X'), RotationAxis::X);
  EXPECT_EQ(parse_rotation_axis('y'), RotationAxis::Y);
  EXPECT_EQ(parse_rotation_axis('z'), RotationAxis::Z);
  EXPECT_THROW((void)parse_rotation_axis('W'), ValueError);
  EXPECT_THROW((void)parse_rotation_axis('1'), ValueError);
}

}  // namespace
}  // namespace qnn
