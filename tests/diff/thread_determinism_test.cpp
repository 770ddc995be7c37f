// Results must not depend on the thread count (README, "Determinism:"): every parallel reduction in qnn sums fixed-size
// blocks in block order (core/parallel.hpp), so values and gradients are bit-identical for 1, 2 or 3 threads. The
// sizes here are above the parallel threshold (2^13 amplitudes), so the threaded paths really run; 3 threads split the
// blocks unevenly.
#include <gtest/gtest.h>

#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/pauli.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/diff/batched_adjoint.hpp"
#include "qnn/exec/batched.hpp"

namespace qnn {
namespace {

// Restores the thread count however the test ends.
struct ThreadCount {
  int saved = num_threads();
  ~ThreadCount() { set_num_threads(saved); }
};

// An encoding of F features and `layers` entangling layers over θ, with θ·x products (per-sample angles).
Circuit layered_circuit(unsigned n, unsigned layers) {
  Circuit c(n);
  unsigned t = 0;
  for (unsigned q = 0; q < n; ++q) c.ry(q, Expr::input(q % 3));
  for (unsigned l = 0; l < layers; ++l) {
    for (unsigned q = 0; q < n; ++q) {
      c.rz(q, Expr::theta(t++));
      c.rx(q, Expr::theta(t++) * Expr::input(q % 3));
    }
    for (unsigned q = 0; q + 1 < n; ++q) c.cx(q, q + 1);
    c.rzz(0, n - 1, Expr::theta(t++));
    c.crx(n - 1, 0, Expr::theta(t++));
  }
  return c;
}

// One batch (8 qubits, 64 samples: 2^14 batched amplitudes) and one swept in chunks run as parallel tasks (10 qubits,
// 100 samples: chunks of 34, 33 and 33), each the same bits on 1, 2 and 3 threads.
TEST(ThreadDeterminism, BatchedValuesAndGradientsAreBitIdentical) {
  ThreadCount guard;
  for (const auto& [n, B] : {std::pair{8U, 64U}, std::pair{10U, 100U}}) {
    SCOPED_TRACE("n = " + std::to_string(n) + ", B = " + std::to_string(B));
    const unsigned F = 3;
    const Circuit c = layered_circuit(n, 2);
    Rng rng(5);
    std::vector<double> th(c.num_theta()), xs(B * F);
    for (double& v : th) v = rng.uniform(-3, 3);
    for (double& v : xs) v = rng.uniform(-2, 2);
    const std::vector<PauliSum> obs{Z(0), 0.5 * (X(1) * Y(2)) + Z(7), Z(3) * Z(4)};
    auto upstream = [](std::span<const double> v) {
      std::vector<double> w(v.size());
      for (std::size_t i = 0; i < v.size(); ++i) w[i] = 0.1 * double(i % 7) - v[i];
      return w;
    };
    std::vector<BatchedVjpResult> results;
    for (int threads : {1, 2, 3}) {
      set_num_threads(threads);
      results.push_back(adjoint_vjp_batched<double>(c, obs, th, {xs, F}, B, upstream, DiffWrt{true, true}));
      results.push_back(
          adjoint_vjp_batched_per_sample<double>(c, obs, th, {xs, F}, B, upstream, DiffWrt{true, true}));
    }
    for (std::size_t r = 2; r < results.size(); ++r) {  // summed, per-sample; each against its own at 1 thread
      const int threads = static_cast<int>(r / 2) + 1;
      EXPECT_EQ(results[r].values, results[r % 2].values) << threads << " threads";
      EXPECT_EQ(results[r].theta, results[r % 2].theta) << threads << " threads";
      EXPECT_EQ(results[r].x, results[r % 2].x) << threads << " threads";
      EXPECT_EQ(results[r].theta_per_sample, results[r % 2].theta_per_sample) << threads << " threads";
    }
    EXPECT_EQ(results[0].values.size(), std::size_t{B} * obs.size());
    EXPECT_EQ(results[0].x.size(), std::size_t{B} * F);
    EXPECT_EQ(results[1].theta_per_sample.size(), results[1].theta.size() * B);
  }
}

TEST(ThreadDeterminism, SingleStateAdjointIsBitIdentical) {
  ThreadCount guard;
  const unsigned n = 14;  // 2^14 amplitudes: the kernels and the expectation reductions run threaded
  const Circuit c = layered_circuit(n, 1);
  Rng rng(9);
  std::vector<double> th(c.num_theta());
  for (double& v : th) v = rng.uniform(-3, 3);
  const std::vector<double> x{0.3, -1.2, 0.8};
  const PauliSum obs = parse_pauli_sum("Z0 Z13 + 0.25 X5 - Y7 X8");
  std::vector<Gradient> results;
  for (int threads : {1, 2, 3}) {
    set_num_threads(threads);
    results.push_back(adjoint_gradient<double>(c, obs, th, x));
  }
  for (std::size_t r = 1; r < results.size(); ++r) {
    EXPECT_EQ(results[r].value, results[0].value) << r + 1 << " threads";
    EXPECT_EQ(results[r].theta, results[0].theta) << r + 1 << " threads";
    EXPECT_EQ(results[r].x, results[0].x) << r + 1 << " threads";
  }
}

}  // namespace
}  // namespace qnn
