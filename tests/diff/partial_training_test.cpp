// Sparse / partial training: only active weights get a gradient, and it equals the full gradient's entries.
#include <gtest/gtest.h>

#include "qnn/core/rng.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/diff/batched_adjoint.hpp"
#include "qnn/diff/parameter_shift.hpp"

namespace qnn {
namespace {

TEST(PartialTraining, ActiveSubsetMatchesFullGradientAndZeroesFrozen) {
  Circuit c(3);
  unsigned t = 0;
  for (int l = 0; l < 2; ++l) {
    for (unsigned q = 0; q < 3; ++q) {
      c.ry(q, theta(t));
      c.rz(q, 0.5 * theta(t + 1) + theta(t));  // an angle reading two weights
      t += 2;
    }
    c.cnot(0, 1).cnot(1, 2).crx(2, 0, theta(t++));
  }
  Rng rng(6);
  std::vector<double> th(t);
  for (auto& v : th) v = rng.uniform(-2, 2);
  const PauliSum obs = Z(0) * Z(2) + 0.4 * X(1);
  DiffWrt wrt;
  wrt.inputs = false;
  wrt.active.assign(t, false);
  for (unsigned i = 0; i < t; i += 3) wrt.active[i] = true;  // every third weight trains
  const auto full = adjoint_gradient(c, obs, th);
  const auto part = adjoint_gradient(c, obs, th, {}, wrt);
  const auto ps = parameter_shift_gradient(c, obs, th, {}, wrt);
  std::vector<PauliSum> obs_list{obs};
  const auto batched = adjoint_vjp_batched<double>(
      c, obs_list, th, BatchInputs{{}, 0}, 1, [](std::span<const double> v) { return std::vector<double>(v.size(), 1.0); },
      wrt);
  for (unsigned i = 0; i < t; ++i) {
    const double want = wrt.active[i] ? full.theta[i] : 0.0;
    EXPECT_NEAR(part.theta[i], want, 1e-13) << i;
    EXPECT_NEAR(ps.theta[i], want, 1e-9) << i;
    EXPECT_NEAR(batched.theta[i], want, 1e-12) << i;
  }
  EXPECT_TRUE(wrt.needs(theta(0)));
  EXPECT_FALSE(wrt.needs(theta(1)));
  EXPECT_TRUE(wrt.needs(theta(1) + theta(3)));
}

}  // namespace
}  // namespace qnn
