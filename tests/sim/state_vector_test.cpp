#include "qnn/sim/state_vector.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/pauli.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/diff/finite_difference.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {
namespace {

TEST(StateVector, BellState) {
  Circuit c(2);
  c.h(0).cnot(0, 1);
  auto psi = simulate(c);
  const double r = 1 / std::sqrt(2.0);
  EXPECT_NEAR(psi[0].real(), r, 1e-15);
  EXPECT_NEAR(std::abs(psi[1]), 0, 1e-15);
  EXPECT_NEAR(std::abs(psi[2]), 0, 1e-15);
  EXPECT_NEAR(psi[3].real(), r, 1e-15);
}

TEST(Adjoint, RxRyClosedForm) {
  Circuit c(1);
  c.rx(0, theta(0)).ry(0, theta(1));
  const double a = 0.3, b = -1.1;
  std::vector<double> th{a, b};
  auto g = adjoint_gradient(c, Z(0), th);
  EXPECT_NEAR(g.value, std::cos(a) * std::cos(b), 1e-14);
  EXPECT_NEAR(g.theta[0], -std::sin(a) * std::cos(b), 1e-14);
  EXPECT_NEAR(g.theta[1], -std::cos(a) * std::sin(b), 1e-14);
  auto f = finite_difference_gradient(c, Z(0), th);
  EXPECT_NEAR(f.theta[0], g.theta[0], 1e-8);
}

}  // namespace
}  // namespace qnn
