// The batched engine against the one-sample engine: same states, expectations and gradients for every sample.
#include "qnn/diff/batched_adjoint.hpp"

#include <gtest/gtest.h>

#include "diff/adjoint_step.hpp"
#include "diff/diagonal_group.hpp"

#include <numbers>

#include "qnn/core/rng.hpp"
#include "qnn/exec/batched.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/sim/kernels.hpp"

namespace qnn {
namespace {

// The batched kernels are compiled once per instruction set: every check below runs on each one this CPU has.
std::vector<Isa> isas() {
  std::vector<Isa> v;
  for (Isa i : {Isa::Scalar, Isa::Avx2, Isa::Avx512})
    if (isa_supported(i)) v.push_back(i);
  return v;
}

class IsaGuard {
 public:
  explicit IsaGuard(Isa isa) : saved_(active_isa()) { set_active_isa(isa); }
  ~IsaGuard() { set_active_isa(saved_); }
  IsaGuard(const IsaGuard&) = delete;
  IsaGuard& operator=(const IsaGuard&) = delete;

 private:
  Isa saved_;
};

// A circuit with every parameterised gate kind, angles over θ and x (including products θ·x and (π − x_j)(π − x_k)),
// fixed gates, an extra control and a user unitary.
Circuit mixed_circuit(unsigned n, Rng& rng) {
  Circuit c(n);
  unsigned t = 0;
  for (unsigned j = 0; j < 3; ++j) c.ry(j % n, input(j));
  c.rz(0, (std::numbers::pi - input(0)) * (std::numbers::pi - input(1)));
  for (const GateInfo& g : gate_table()) {
    if (g.kind == GateKind::Unitary || g.num_qubits > n) continue;
    std::vector<unsigned> q(n);
    for (unsigned i = 0; i < n; ++i) q[i] = i;
    rng.shuffle(q);
    std::vector<unsigned> qubits(q.begin(), q.begin() + g.num_qubits);
    std::vector<Expr> params;
    for (unsigned p = 0; p < g.num_params; ++p) {
      if (p == 0 && (t % 3) == 1) params.push_back(theta(t) * input(t % 3));
      else params.push_back(0.7 * theta(t) - 0.2);
      ++t;
    }
    c.add(g.kind, qubits, params);
  }
  c.add(GateKind::RY, {1}, {theta(t++)}, {0, 2});  // extra controls
  const double s = std::sqrt(0.5);
  c.unitary({2, 0}, {s, 0, 0, s, 0, s, s, 0, 0, s, -s, 0, s, 0, 0, -s});
  return c;
}

// mixed_circuit(n) with θ uniform in [−3, 3] and B × F inputs uniform in [−2, 2], drawn from `seed`.
struct MixedProblem {
  MixedProblem(unsigned n, unsigned B, unsigned F, std::uint64_t seed) : rng(seed), circuit(mixed_circuit(n, rng)) {
    theta.resize(circuit.num_theta());
    for (auto& v : theta) v = rng.uniform(-3, 3);
    inputs.resize(std::size_t{B} * F);
    for (auto& v : inputs) v = rng.uniform(-2, 2);
  }
  Rng rng;
  Circuit circuit;
  std::vector<double> theta, inputs;
};

// Shared gates take one fused pass over both batches (BatchedStateVector::adjoint_step), per-sample ones three; the
// one-sample engine takes its own paths (three passes below 6 qubits, kernels::adjoint_steps from 6). Batches shorter
// than a vector and longer than several.
class BatchedAdjointShapes : public ::testing::TestWithParam<std::pair<unsigned, unsigned>> {};

TEST_P(BatchedAdjointShapes, MatchesPerSampleAdjoint) {
  const auto [n, B] = GetParam();
  const unsigned F = 3;
  const MixedProblem m(n, B, F, 11 + n);
  const Circuit& c = m.circuit;
  const std::vector<double>& th = m.theta;
  const std::vector<double>& xs = m.inputs;
  const std::vector<PauliSum> obs{Z(0), 0.5 * (X(1) * Y(2)) + Z(3), Y(0) * Z(1)};
  // Upstream weights that depend on the sample and observable.
  // Upstream weights that depend on the sample and observable (bounded: 2099 samples are summed).
  auto weight = [](std::size_t i, double v) { return 0.3 + 0.1 * double(i % 11) + v; };
  auto weights = [&](std::span<const double> v) {
    std::vector<double> w(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) w[i] = weight(i, v[i]);
    return w;
  };
  for (Isa isa : isas()) {
    SCOPED_TRACE(std::string(isa_name(isa)));
    const IsaGuard guard(isa);
    const auto r = adjoint_vjp_batched<double>(c, obs, th, {xs, F}, B, weights, DiffWrt{true, true});
    std::vector<double> dtheta(th.size(), 0.0), scale(th.size(), 0.0);  // scale: Σ_b |sample b's share|
    double largest = 0;  // of the last sample's input gradients: the comparison is not of zeros
    for (unsigned b = 0; b < B; ++b) {
      const std::span<const double> xb(xs.data() + b * F, F);
      const auto one = adjoint_vjp<double>(
          c, obs, th, xb,
          [&](std::span<const double> v) {
            std::vector<double> w(v.size());
            for (std::size_t k = 0; k < v.size(); ++k) w[k] = weight(b * obs.size() + k, v[k]);
            return w;
          },
          DiffWrt{true, true});
      for (std::size_t k = 0; k < obs.size(); ++k) EXPECT_NEAR(r.values[b * obs.size() + k], one.values[k], 1e-12);
      for (unsigned j = 0; j < F; ++j) EXPECT_NEAR(r.x[b * F + j], one.x[j], 1e-11) << "sample " << b << " x" << j;
      for (std::size_t i = 0; i < th.size(); ++i) dtheta[i] += one.theta[i], scale[i] += std::abs(one.theta[i]);
      if (b + 1 == B)
        for (double v : one.x) largest = std::max(largest, std::abs(v));
    }
    // Sums of up to 2099 shares in different orders: within 1e-14 of their magnitudes' sum (and 1e-12).
    for (std::size_t i = 0; i < th.size(); ++i)
      EXPECT_NEAR(r.theta[i], dtheta[i], 1e-12 + 1e-14 * scale[i]) << "theta " << i;
    EXPECT_GT(largest, 0.01);
  }
}

// Per-sample gradients: each row against the one-sample sweep of that sample, their sum against the summed batched
// sweep (which takes the paired and fused passes the per-sample sweep does not), with and without frozen weights.
TEST_P(BatchedAdjointShapes, PerSampleGradientsMatchOneSampleSweeps) {
  const auto [n, B] = GetParam();
  const unsigned F = 3;
  const MixedProblem m(n, B, F, 29 + n);
  const Circuit& c = m.circuit;
  const std::vector<double>& th = m.theta;
  const std::vector<double>& xs = m.inputs;
  const std::vector<PauliSum> obs{Z(0), 0.5 * (X(1) * Y(2)) + Z(3)};
  const std::size_t K = obs.size(), P = th.size();
  auto weight = [](std::size_t i, double v) { return 0.2 - 0.15 * double(i % 5) + v; };
  std::vector<bool> active(P);
  for (std::size_t i = 0; i < P; ++i) active[i] = i % 3 != 1;
  for (const bool partial : {false, true}) {
    DiffWrt wrt{true, true};
    if (partial) wrt.active = active;
    for (Isa isa : isas()) {
      SCOPED_TRACE(std::string(isa_name(isa)) + (partial ? " partial" : ""));
      const IsaGuard guard(isa);
      auto upstream = [&](std::span<const double> v) {
        std::vector<double> w(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) w[i] = weight(i, v[i]);
        return w;
      };
      const auto r = adjoint_vjp_batched_per_sample<double>(c, obs, th, {xs, F}, B, upstream, wrt);
      const auto summed = adjoint_vjp_batched<double>(c, obs, th, {xs, F}, B, upstream, wrt);
      ASSERT_EQ(r.theta_per_sample.size(), B * P);
      EXPECT_TRUE(summed.theta_per_sample.empty());
      for (unsigned b = 0; b < B; ++b) {
        const auto one = adjoint_vjp<double>(
            c, obs, th, std::span<const double>(xs.data() + b * F, F),
            [&](std::span<const double> v) {
              std::vector<double> w(v.size());
              for (std::size_t k = 0; k < v.size(); ++k) w[k] = weight(b * K + k, v[k]);
              return w;
            },
            wrt);
        for (std::size_t k = 0; k < K; ++k) EXPECT_NEAR(r.values[b * K + k], one.values[k], 1e-12);
        for (unsigned j = 0; j < F; ++j) EXPECT_NEAR(r.x[b * F + j], one.x[j], 1e-11) << "sample " << b;
        for (std::size_t i = 0; i < P; ++i)
          EXPECT_NEAR(r.theta_per_sample[b * P + i], one.theta[i], 1e-11) << "sample " << b << " theta " << i;
      }
      for (std::size_t i = 0; i < P; ++i) {
        EXPECT_NEAR(r.theta[i], summed.theta[i], 1e-10) << "theta " << i;
        if (partial && !active[i]) {
          EXPECT_EQ(r.theta[i], 0.0);
        }
      }
    }
  }
  // Single precision: the same rows, to float accuracy.
  const auto upstream = [&](std::span<const double> v) {
    std::vector<double> w(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) w[i] = weight(i, v[i]);
    return w;
  };
  const auto d = adjoint_vjp_batched_per_sample<double>(c, obs, th, {xs, F}, B, upstream, DiffWrt{true, false});
  const auto f = adjoint_vjp_batched_per_sample<float>(c, obs, th, {xs, F}, B, upstream, DiffWrt{true, false});
  ASSERT_EQ(f.theta_per_sample.size(), d.theta_per_sample.size());
  for (std::size_t i = 0; i < d.theta_per_sample.size(); ++i)
    EXPECT_NEAR(f.theta_per_sample[i], d.theta_per_sample[i], 2e-4) << i;
}

// Past 2 MiB of batched states the per-sample rows come from one-sample sweeps with the batch's weights: their sum
// against the summed batched sweep, and the values and input gradients against it.
TEST(BatchedAdjoint, PerSampleGradientsOfLargeStatesMatchSummedSweep) {
  const unsigned n = 12, B = 17, F = 3;  // 2^12 · 17 amplitudes · 2 states · 16 bytes: 2.1 MiB
  const MixedProblem m(n, B, F, 71);
  const Circuit& c = m.circuit;
  const std::vector<double>& th = m.theta;
  const std::vector<double>& xs = m.inputs;
  const std::vector<PauliSum> obs{Z(0) * Z(11), X(5) + 0.5 * Y(2)};
  auto upstream = [](std::span<const double> v) {
    std::vector<double> w(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) w[i] = 0.4 - 0.1 * double(i % 4) - v[i];
    return w;
  };
  const auto r = adjoint_vjp_batched_per_sample<double>(c, obs, th, {xs, F}, B, upstream, DiffWrt{true, true});
  const auto summed = adjoint_vjp_batched<double>(c, obs, th, {xs, F}, B, upstream, DiffWrt{true, true});
  const std::size_t P = th.size();
  ASSERT_EQ(r.theta_per_sample.size(), B * P);
  for (std::size_t i = 0; i < r.values.size(); ++i) EXPECT_NEAR(r.values[i], summed.values[i], 1e-12);
  for (std::size_t i = 0; i < r.x.size(); ++i) EXPECT_NEAR(r.x[i], summed.x[i], 1e-11);
  for (std::size_t i = 0; i < P; ++i) {
    double sum = 0;
    for (unsigned b = 0; b < B; ++b) sum += r.theta_per_sample[b * P + i];
    EXPECT_EQ(r.theta[i], sum);
    EXPECT_NEAR(r.theta[i], summed.theta[i], 1e-10) << "theta " << i;
  }
}

// The cycles of a permutation run are kept per thread between calls (eight runs, keyed by their gates): circuits
// whose runs differ only in their qubits, taken in turn more often than the cache holds, each against the Reference
// ISA's gate-by-gate sweep.
TEST(BatchedAdjoint, PermutationRunCacheTellsRunsApart) {
  const unsigned n = 6, B = 5, F = 2;
  std::vector<Circuit> circuits;
  for (unsigned m = 1; m < n; ++m)
    for (unsigned dir = 0; dir < 2; ++dir) {
      Circuit c(n);
      unsigned t = 0;
      for (unsigned q = 0; q < n; ++q) c.ry(q, input(q % F) + theta(t++));
      for (unsigned q = 0; q < n; ++q) c.cnot(dir == 0 ? q : (q + m) % n, dir == 0 ? (q + m) % n : q);
      for (unsigned q = 0; q < n; ++q) c.ry(q, theta(t++));
      circuits.push_back(std::move(c));
    }
  Rng rng(404);
  std::vector<double> xs(B * F);
  for (auto& v : xs) v = rng.uniform(-2, 2);
  const std::vector<PauliSum> obs{Z(0) * Z(3), X(1)};
  auto weights = [](std::span<const double> v) {
    std::vector<double> w(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) w[i] = 0.5 - v[i];
    return w;
  };
  std::vector<std::vector<double>> th(circuits.size()), ref(circuits.size());
  for (std::size_t i = 0; i < circuits.size(); ++i) {
    th[i].resize(circuits[i].num_theta());
    for (auto& v : th[i]) v = rng.uniform(-3, 3);
    const IsaGuard guard(Isa::Reference);
    ref[i] = adjoint_vjp_batched<double>(circuits[i], obs, th[i], {xs, F}, B, weights).theta;
  }
  for (int round = 0; round < 2; ++round)
    for (std::size_t i = 0; i < circuits.size(); ++i) {
      const auto r = adjoint_vjp_batched<double>(circuits[i], obs, th[i], {xs, F}, B, weights);
      for (std::size_t j = 0; j < th[i].size(); ++j)
        EXPECT_NEAR(r.theta[j], ref[i][j], 1e-11) << "circuit " << i << " round " << round << " theta " << j;
    }
}

// The gradients of the product-state prefix (the encoding and the first rotation layer) come from a contraction of
// λ with the prefix's one-qubit states where the backward sweep would sweep through it, and λ carries the sign of the
// paired rotations that were applied negated. Against the Reference ISA's gate-by-gate sweep: an angle encoding, a
// first layer of U (three parameters), RX and a fixed user matrix, then layers of rotations and CNOT rings with angles
// over two turns (negative cosines included), summed and per-sample, inputs' gradients asked for or not.
TEST(BatchedAdjoint, ProductPrefixGradientsEqualReference) {
  for (const unsigned n : {8U, 9U}) {  // from 8 qubits (below, the sweep goes back through the prefix)
    const unsigned B = 7, F = 3;
    Circuit c(n);
    unsigned t = 0;
    for (unsigned q = 0; q < n; ++q) c.ry(q, input(q % F) * (0.8 + 0.1 * q));
    for (unsigned q = 0; q < n; ++q) {
      c.add(GateKind::U, {q}, {theta(t), theta(t + 1), 0.5 * theta(t + 2) + input(q % F)});
      c.rx(q, theta(t + 3));
      t += 4;
    }
    const double h = std::sqrt(0.5);
    c.unitary({1}, {h, h, h, -h});
    for (int layer = 0; layer < 3; ++layer) {
      for (unsigned q = 0; q < n; ++q, t += 3) c.rz(q, theta(t)).ry(q, theta(t + 1)).rz(q, theta(t + 2));
      for (unsigned q = 0; q < n; ++q) c.cnot(q, (q + 1 + layer) % n);
    }
    Rng rng(77 + n);
    std::vector<double> th(c.num_theta()), xs(B * F);
    for (auto& v : th) v = rng.uniform(-6.2, 6.2);  // RY(θ)† has a negative cosine for |θ| > π
    for (auto& v : xs) v = rng.uniform(-2, 2);
    const std::vector<PauliSum> obs{Z(0), 0.5 * (X(1) * Z(2)) + Y(n - 1)};
    auto weights = [](std::span<const double> v) {
      std::vector<double> w(v.size());
      for (std::size_t i = 0; i < v.size(); ++i) w[i] = 0.3 + 0.07 * double(i) - v[i];
      return w;
    };
    for (const bool inputs : {true, false}) {
      SCOPED_TRACE("n " + std::to_string(n) + (inputs ? " with inputs" : ""));
      const DiffWrt wrt{true, inputs};
      BatchedVjpResult ref, ref_rows;
      {
        const IsaGuard guard(Isa::Reference);
        ref = adjoint_vjp_batched<double>(c, obs, th, {xs, F}, B, weights, wrt);
        ref_rows = adjoint_vjp_batched_per_sample<double>(c, obs, th, {xs, F}, B, weights, wrt);
      }
      for (Isa isa : isas()) {
        SCOPED_TRACE(std::string(isa_name(isa)));
        const IsaGuard guard(isa);
        const auto r = adjoint_vjp_batched<double>(c, obs, th, {xs, F}, B, weights, wrt);
        for (std::size_t i = 0; i < th.size(); ++i) EXPECT_NEAR(r.theta[i], ref.theta[i], 1e-11) << "theta " << i;
        ASSERT_EQ(r.x.size(), ref.x.size());
        for (std::size_t i = 0; i < r.x.size(); ++i) EXPECT_NEAR(r.x[i], ref.x[i], 1e-11) << "x " << i;
        const auto rows = adjoint_vjp_batched_per_sample<double>(c, obs, th, {xs, F}, B, weights, wrt);
        for (std::size_t i = 0; i < rows.theta_per_sample.size(); ++i)
          EXPECT_NEAR(rows.theta_per_sample[i], ref_rows.theta_per_sample[i], 1e-11) << "row entry " << i;
        const auto f = adjoint_vjp_batched<float>(c, obs, th, {xs, F}, B, weights, wrt);
        for (std::size_t i = 0; i < th.size(); ++i) EXPECT_NEAR(f.theta[i], ref.theta[i], 2e-3) << "theta " << i;
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, BatchedAdjointShapes,
                         ::testing::Values(std::pair{4U, 5U}, std::pair{6U, 17U}, std::pair{7U, 64U},
                                           // in chunks (65 and 65 samples; 35 and 35; 1050 and 1049), swept apart
                                           // and merged
                                           std::pair{9U, 130U}, std::pair{11U, 70U}, std::pair{5U, 2099U}),
                         [](const auto& p) {
                           return "n" + std::to_string(p.param.first) + "_B" + std::to_string(p.param.second);
                         });

// The batched sweep takes commuting diagonal gates with shared angles as one pass and runs of CX/X/SWAP as one move
// of each row (src/diff/diagonal_group.hpp); a diagonal gate whose angle reads the inputs stays a gate of its own.
// Against the Reference ISA, whose batched sweep takes every gate by itself.
TEST(BatchedAdjoint, DiagonalGroupsAndPermutationRunsEqualReference) {
  const unsigned n = 7, B = 9, F = 2;
  Rng rng(2024);
  Circuit c(n);
  unsigned t = 0;
  for (int layer = 0; layer < 3; ++layer) {
    for (unsigned q = 0; q < n; ++q) c.ry(q, input(q % F) * (1.0 + 0.1 * q));
    c.rz(2, input(1) + theta(t++));  // per sample: not in a group
    for (unsigned q = 0; q < n; ++q) {
      c.rz(q, theta(t));
      c.ry(q, theta(t + 1));
      c.rz(q, 0.5 * theta(t + 2));
      t += 3;
    }
    c.add(GateKind::CP, {0, 3}, {theta(t)});
    c.add(GateKind::CRZ, {4, 5}, {theta(t + 1)});
    c.add(GateKind::S, {6});
    t += 2;
    for (unsigned q = 0; q < n; ++q) c.cnot(q, (q + 1) % n);
    c.swap(1, 5).x(3);
    for (unsigned q = 0; q < n; ++q) c.rz(q, theta(t++));  // a group right after the run: the three in one pass
  }
  std::vector<bool> shared(c.size());
  for (std::size_t k = 0; k < c.size(); ++k)
    shared[k] = c.ops()[k].params.empty() || c.ops()[k].params[0].num_inputs() == 0;
  const detail::DiagonalSchedule sched = detail::schedule_diagonal_groups(c, detail::DiagonalGroup(n), &shared);
  ASSERT_GE(sched.members.size(), 3U);
  ASSERT_GE(sched.runs.size(), 3U);
  for (std::size_t k = 0; k < c.size(); ++k) {
    if (!shared[k]) {
      EXPECT_LT(sched.group[k], 0) << "op " << k;
    }
  }
  std::vector<double> th(c.num_theta());
  for (auto& v : th) v = rng.uniform(-3, 3);
  std::vector<double> xs(B * F);
  for (auto& v : xs) v = rng.uniform(-2, 2);
  const std::vector<PauliSum> obs{Z(0), 0.5 * (X(1) * Y(2)) + Z(6)};
  auto weights = [](std::span<const double> v) {
    std::vector<double> w(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) w[i] = 0.4 - 0.05 * double(i) + v[i];
    return w;
  };
  BatchedVjpResult ref, ref_rows;
  {
    const IsaGuard guard(Isa::Reference);
    ref = adjoint_vjp_batched<double>(c, obs, th, {xs, F}, B, weights, DiffWrt{true, true});
    ref_rows = adjoint_vjp_batched_per_sample<double>(c, obs, th, {xs, F}, B, weights, DiffWrt{true, true});
  }
  for (Isa isa : isas()) {
    SCOPED_TRACE(std::string(isa_name(isa)));
    const IsaGuard guard(isa);
    const auto r = adjoint_vjp_batched<double>(c, obs, th, {xs, F}, B, weights, DiffWrt{true, true});
    for (std::size_t i = 0; i < r.values.size(); ++i) EXPECT_NEAR(r.values[i], ref.values[i], 1e-12);
    for (std::size_t i = 0; i < th.size(); ++i) EXPECT_NEAR(r.theta[i], ref.theta[i], 1e-11) << "theta " << i;
    for (std::size_t i = 0; i < r.x.size(); ++i) EXPECT_NEAR(r.x[i], ref.x[i], 1e-11) << "x " << i;
    const auto f = adjoint_vjp_batched<float>(c, obs, th, {xs, F}, B, weights, DiffWrt{true, true});
    for (std::size_t i = 0; i < th.size(); ++i) EXPECT_NEAR(f.theta[i], ref.theta[i], 2e-3) << "theta " << i;
    // Per-sample rows: the groups' per-sample sums (low and high members, CP and CRZ among them) against the
    // Reference ISA's gate-by-gate steps.
    const auto rows = adjoint_vjp_batched_per_sample<double>(c, obs, th, {xs, F}, B, weights, DiffWrt{true, true});
    ASSERT_EQ(rows.theta_per_sample.size(), ref_rows.theta_per_sample.size());
    for (std::size_t i = 0; i < rows.theta_per_sample.size(); ++i)
      EXPECT_NEAR(rows.theta_per_sample[i], ref_rows.theta_per_sample[i], 1e-11) << "row entry " << i;
    for (std::size_t i = 0; i < th.size(); ++i) EXPECT_NEAR(rows.theta[i], ref.theta[i], 1e-11) << "theta " << i;
  }
}

TEST(BatchedState, RunMatchesPerSampleStates) {
  Rng rng(5);
  const unsigned n = 5, B = 7, F = 3;
  const Circuit c = mixed_circuit(n, rng);
  std::vector<double> th(c.num_theta());
  for (auto& v : th) v = rng.uniform(-3, 3);
  std::vector<double> xs(B * F);
  for (auto& v : xs) v = rng.uniform(-2, 2);
  for (Isa isa : isas()) {
    SCOPED_TRACE(std::string(isa_name(isa)));
    const IsaGuard guard(isa);
    BatchedStateVector<double> psi(n, B);
    run_batched(c, psi, th, {xs, F});
    for (unsigned b = 0; b < B; ++b) {
      const auto one = simulate<double>(c, th, std::span<const double>(xs.data() + b * F, F));
      for (index_t i = 0; i < one.size(); ++i) EXPECT_NEAR(std::abs(psi.amplitude(i, b) - one[i]), 0.0, 1e-13);
    }
    BatchedStateVector<float> psif(n, B);
    run_batched(c, psif, th, {xs, F});
    for (unsigned b = 0; b < B; ++b) {
      const auto one = simulate<double>(c, th, std::span<const double>(xs.data() + b * F, F));
      for (index_t i = 0; i < one.size(); ++i) EXPECT_NEAR(std::abs(cplx(psif.amplitude(i, b)) - one[i]), 0.0, 2e-6);
    }
  }
}

// expval_batched (the sweep's forward pass: product prefix, pairs, fused layer boundaries) against one gate per pass
// (run_batched) and the expectations of that state, on the mixed circuit and on a classifier-shaped one (angle
// encoding, Rot layers, CNOT rings) whose prefix, pairs and boundaries the fast pass takes; every ISA, both precisions.
TEST(BatchedAdjoint, ExpvalBatchedMatchesOneGatePerPass) {
  Rng rng(91);
  const unsigned B = 9, F = 8;
  Circuit strong(8);
  unsigned t = 0;
  for (unsigned q = 0; q < 8; ++q) strong.ry(q, input(q));
  for (unsigned l = 0; l < 2; ++l) {
    for (unsigned q = 0; q < 8; ++q) strong.rz(q, theta(t)).ry(q, theta(t + 1)).rz(q, theta(t + 2)), t += 3;
    for (unsigned q = 0; q < 8; ++q) strong.cx(q, (q + l + 1) % 8);
  }
  const std::vector<PauliSum> obs = {Z(0), parse_pauli_sum("0.5 Z1 Z2 - X3 + 0.25 Y4 Z0")};
  for (const Circuit& c : {mixed_circuit(5, rng), strong}) {
    std::vector<double> th(c.num_theta()), xs(std::size_t{B} * F);
    for (auto& v : th) v = rng.uniform(-3, 3);
    for (auto& v : xs) v = rng.uniform(-2, 2);
    std::vector<Isa> all = isas();
    all.push_back(Isa::Reference);
    for (Isa isa : all) {
      SCOPED_TRACE(std::string(isa_name(isa)) + ", " + std::to_string(c.num_qubits()) + " qubits");
      const IsaGuard guard(isa);
      BatchedStateVector<double> psi(c.num_qubits(), B);
      run_batched(c, psi, th, {xs, F});
      const std::vector<double> e = expval_batched<double>(c, obs, th, {xs, F}, B);
      const std::vector<double> ef = expval_batched<float>(c, obs, th, {xs, F}, B);
      ASSERT_EQ(e.size(), std::size_t{B} * obs.size());
      std::vector<double> col(B);
      for (std::size_t k = 0; k < obs.size(); ++k) {
        expectation_batched(psi, obs[k], col);
        for (unsigned b = 0; b < B; ++b) {
          EXPECT_NEAR(e[b * obs.size() + k], col[b], 1e-12) << "sample " << b << " observable " << k;
          EXPECT_NEAR(ef[b * obs.size() + k], col[b], 1e-5) << "sample " << b << " observable " << k;
        }
      }
    }
  }
}

// Two real 1-qubit gates in one pass (apply_pair_batched): per-sample and shared matrices in every combination give
// the states of one gate at a time; complex matrices, one qubit twice and controls are refused and change nothing.
TEST(BatchedState, RealPairsMatchOneGateAtATime) {
  Rng rng(77);
  const unsigned n = 6, B = 9, F = 2;
  Circuit c(n);
  for (unsigned q = 0; q < n; ++q) c.h(q);
  c.ry(0, input(0)).ry(3, input(1) * theta(0));   // per sample, per sample
  c.ry(5, theta(1)).ry(1, theta(2));              // shared, shared
  c.ry(2, input(0)).ry(4, theta(3));              // per sample, shared
  c.ry(4, theta(4)).ry(2, input(1));              // shared, per sample
  c.rx(1, theta(5)).ry(2, theta(6));              // refused: complex
  c.ry(3, theta(7)).ry(3, theta(8));              // refused: one qubit twice
  c.cry(0, 1, theta(0)).ry(2, theta(1));          // refused: a control
  std::vector<double> th(c.num_theta()), xs(B * F);
  for (auto& v : th) v = rng.uniform(-3, 3);
  for (auto& v : xs) v = rng.uniform(-2, 2);
  const BatchAngles angles = bind_batch_angles(c, th, {xs, F}, B);
  for (Isa isa : isas()) {
    SCOPED_TRACE(std::string(isa_name(isa)));
    const IsaGuard guard(isa);
    BatchedStateVector<double> paired(n, B), single(n, B);
    for (std::size_t k = 0; k < n; ++k) {
      apply_operation_batched(paired, c, k, angles);
      apply_operation_batched(single, c, k, angles);
    }
    for (std::size_t k = n; k < c.size(); k += 2) {
      const BatchedStateVector<double> before = paired;
      const bool took = apply_pair_batched(paired, c, k, k + 1, angles);
      EXPECT_EQ(took, k < n + 8) << "ops " << k << ", " << k + 1;
      if (!took) {
        for (index_t i = 0; i < (index_t{1} << n); ++i)
          for (unsigned b = 0; b < B; ++b) ASSERT_EQ(paired.amplitude(i, b), before.amplitude(i, b));
        apply_operation_batched(paired, c, k, angles);
        apply_operation_batched(paired, c, k + 1, angles);
      }
      apply_operation_batched(single, c, k, angles);
      apply_operation_batched(single, c, k + 1, angles);
      for (index_t i = 0; i < (index_t{1} << n); ++i)
        for (unsigned b = 0; b < B; ++b)
          ASSERT_NEAR(std::abs(paired.amplitude(i, b) - single.amplitude(i, b)), 0.0, 1e-14) << "ops " << k;
    }
  }
}

// Two RY steps of the backward sweep in one pass (BatchedStateVector::adjoint_pair) against two adjoint_step calls:
// the same sums and states, whichever target is lower; an RX step (complex U†) or one target twice is refused.
TEST(BatchedState, AdjointPairMatchesTwoSteps) {
  Rng rng(78);
  const unsigned n = 7, B = 6, F = 1;
  Circuit prep(n);
  for (unsigned q = 0; q < n; ++q) prep.ry(q, input(0) * (0.3 + q)).rz(q, theta(q)).cx(q, (q + 1) % n);
  std::vector<double> th(n), xs(B * F);
  for (auto& v : th) v = rng.uniform(-3, 3);
  for (auto& v : xs) v = rng.uniform(-2, 2);
  for (Isa isa : isas()) {
    SCOPED_TRACE(std::string(isa_name(isa)));
    const IsaGuard guard(isa);
    BatchedStateVector<double> phi(n, B), lam(n, B);
    run_batched(prep, phi, th, {xs, F});
    Circuit other = prep;
    for (unsigned q = 0; q < n; ++q) other.rx(q, input(0) + 0.2 * q).ry(q, theta(q));
    run_batched(other, lam, th, {xs, F});
    // Angles past ±π too: U† with a negative cosine is applied as −U†, and both states come out negated.
    for (const auto& [a, b] : {std::pair{0.7, -1.9}, std::pair{-0.4, 1.1}, std::pair{4.0, -2.5}, std::pair{-5.5, 3.3},
                               std::pair{9.0, -7.0}}) {
      const double sign = (std::cos(a / 2) < 0 ? -1.0 : 1.0) * (std::cos(b / 2) < 0 ? -1.0 : 1.0);
      for (const auto& [qa, qb] : {std::pair{5U, 1U}, std::pair{1U, 5U}, std::pair{0U, 6U}}) {
        Circuit two(n);
        two.ry(qa, theta(0)).ry(qb, theta(1));
        const std::vector<double> angles{a, b};
        kernels::AdjointStep s1, s2, t1, t2;
        std::array<unsigned, 3> w{};
        const std::span<const double> all(angles);
        ASSERT_TRUE(detail::make_adjoint_step(two.ops()[0], all.first(1), DiffWrt{}, s1, w));
        ASSERT_TRUE(detail::make_adjoint_step(two.ops()[1], all.last(1), DiffWrt{}, s2, w));
        t1 = s1, t2 = s2;
        BatchedStateVector<double> p1 = phi, l1 = lam, p2 = phi, l2 = lam;
        ASSERT_TRUE(BatchedStateVector<double>::adjoint_pair(p1, l1, s1, s2));
        BatchedStateVector<double>::adjoint_step(p2, l2, t1);
        BatchedStateVector<double>::adjoint_step(p2, l2, t2);
        EXPECT_NEAR(s1.sums[0], t1.sums[0], 1e-12);
        EXPECT_NEAR(s2.sums[0], t2.sums[0], 1e-12);
        EXPECT_GT(std::abs(t1.sums[0]) + std::abs(t2.sums[0]), 1e-3);  // not trivially zero
        for (index_t i = 0; i < (index_t{1} << n); ++i)
          for (unsigned b2 = 0; b2 < B; ++b2) {
            ASSERT_NEAR(std::abs(p1.amplitude(i, b2) - sign * p2.amplitude(i, b2)), 0.0, 1e-14);
            ASSERT_NEAR(std::abs(l1.amplitude(i, b2) - sign * l2.amplitude(i, b2)), 0.0, 1e-14);
          }
      }
    }
    Circuit bad(n);
    bad.rx(2, theta(0)).ry(3, theta(1)).ry(3, theta(0));
    const std::vector<double> angles{0.3, 0.9};
    kernels::AdjointStep rx, ry3, ry3b;
    std::array<unsigned, 3> w{};
    const std::span<const double> all(angles);
    ASSERT_TRUE(detail::make_adjoint_step(bad.ops()[0], all.first(1), DiffWrt{}, rx, w));
    ASSERT_TRUE(detail::make_adjoint_step(bad.ops()[1], all.last(1), DiffWrt{}, ry3, w));
    ASSERT_TRUE(detail::make_adjoint_step(bad.ops()[2], all.first(1), DiffWrt{}, ry3b, w));
    EXPECT_FALSE(BatchedStateVector<double>::adjoint_pair(phi, lam, rx, ry3));
    EXPECT_FALSE(BatchedStateVector<double>::adjoint_pair(phi, lam, ry3, ry3b));
  }
}

// The product state of a prefix of one-qubit gates (set_product_state_batched) against the gates applied to |0…0⟩
// one at a time: every one-qubit gate kind and a user matrix, shared and per-sample angles, several gates on one qubit,
// an untouched qubit, n odd and even, float and double; whatever the state held before. A gate with a control, or on
// two qubits, is refused.
template <class T>
void check_product_state(unsigned n, double tol) {
  Rng rng(91 + n);
  const unsigned B = 5, F = 2;
  Circuit c(n);
  const std::vector<cplx> hadamard_like{cplx(0.6, 0), cplx(0, 0.8), cplx(0, 0.8), cplx(0.6, 0)};
  for (unsigned q = 0; q + 1 < n; ++q) c.ry(q, input(q % F));
  c.h(0).rz(0, theta(0)).rx(n / 2, input(1) * theta(1)).u(n > 2 ? 2 : 0, theta(2), input(0), theta(3));
  const unsigned a = n > 1 ? n - 2 : 0;
  c.s(0).t(a).sx(0).y(a).p(0, theta(4)).sdg(n / 2).tdg(0).z(a).x(0).sxdg(n / 2);
  c.unitary({n > 1 ? 1U : 0U}, hadamard_like);
  std::vector<std::size_t> prefix(c.size());
  for (std::size_t k = 0; k < prefix.size(); ++k) prefix[k] = k;
  std::vector<double> th(c.num_theta()), xs(B * F);
  for (auto& v : th) v = rng.uniform(-3, 3);
  for (auto& v : xs) v = rng.uniform(-2, 2);
  const BatchAngles angles = bind_batch_angles(c, th, {xs, F}, B);
  for (Isa isa : isas()) {
    SCOPED_TRACE(std::string(isa_name(isa)) + ", n = " + std::to_string(n));
    const IsaGuard guard(isa);
    BatchedStateVector<T> gates(n, B), product(n, B);
    for (std::size_t k = 0; k < c.size(); ++k) apply_operation_batched(gates, c, k, angles);
    run_batched(c, product, th, {xs, F});  // something else in the state first
    set_product_state_batched(product, c, prefix, angles);
    for (index_t i = 0; i < (index_t{1} << n); ++i)
      for (unsigned b = 0; b < B; ++b)
        ASSERT_NEAR(std::abs(product.amplitude(i, b) - gates.amplitude(i, b)), 0.0, tol) << "i " << i << " b " << b;
    set_product_state_batched(product, c, {}, angles);
    for (index_t i = 0; i < (index_t{1} << n); ++i)
      for (unsigned b = 0; b < B; ++b) ASSERT_EQ(product.amplitude(i, b), (complex<T>(i == 0 ? 1 : 0, 0)));
  }
}

TEST(BatchedState, ProductStateMatchesGates) {
  for (unsigned n : {1U, 2U, 5U, 8U}) {
    check_product_state<double>(n, 1e-14);
    check_product_state<float>(n, 5e-6);
  }
  Circuit c(3);
  c.ry(0, theta(0)).cx(0, 1).crz(1, 2, theta(1));
  std::vector<double> th{0.3, 0.4};
  const BatchAngles angles = bind_batch_angles(c, th, {}, 2);
  BatchedStateVector<double> psi(3, 2);
  const std::vector<std::size_t> two{0, 1}, controlled{2};
  EXPECT_THROW(set_product_state_batched(psi, c, two, angles), ValueError);
  EXPECT_THROW(set_product_state_batched(psi, c, controlled, angles), ValueError);
}

// ψ ← c·P src (set_pauli_applied) against zeroing and adding, for strings with X, Y and Z; whatever ψ held before.
// A readout's Z strings in one pass (values, and λ = Σ_t c_t Z_t ψ) against one pass per term: 1-4 terms, the
// identity's among them, batches of 19 samples (two registers and a tail) and 8, every ISA, double and float.
TEST(BatchedState, ZStringsInOnePassEqualOnePassPerTerm) {
  Rng rng(57);
  const unsigned n = 5, F = 1;
  Circuit c(n);
  for (unsigned q = 0; q < n; ++q) c.ry(q, input(0) * (0.4 + q)).rz(q, theta(q)).cx(q, (q + 1) % n);
  const std::vector<index_t> all = {0b00011, 0, 0b10100, 0b01000};
  for (const unsigned B : {19U, 8U}) {
    std::vector<double> th(n), xs(B * F), coeff(all.size() * B);
    for (auto& v : th) v = rng.uniform(-3, 3);
    for (auto& v : xs) v = rng.uniform(-2, 2);
    for (auto& v : coeff) v = rng.uniform(-1, 1);
    for (Isa isa : isas()) {
      SCOPED_TRACE(std::string(isa_name(isa)) + " B = " + std::to_string(B));
      const IsaGuard guard(isa);
      auto check = [&]<class T>(T tol) {
        BatchedStateVector<T> psi(n, B), one(n, B), each(n, B);
        run_batched(c, psi, th, {xs, F});
        for (unsigned terms = 1; terms <= all.size(); ++terms) {
          std::vector<double> e(terms * B), t(B);
          kernels::batched_z_expectations<T>(isa, psi.re(), psi.im(), n, B, all.data(), terms, e.data());
          one = psi;  // overwritten whole
          kernels::batched_z_weighted<T>(isa, psi.re(), psi.im(), one.re(), one.im(), n, B, all.data(), terms,
                                         coeff.data());
          each.set_zero();
          for (unsigned k = 0; k < terms; ++k) {
            psi.expectation(PauliMasks{0, all[k]}, t);
            for (unsigned b = 0; b < B; ++b) EXPECT_NEAR(e[k * B + b], t[b], tol) << "term " << k << " sample " << b;
            each.add_pauli_applied(psi, PauliMasks{0, all[k]}, std::span<const double>(coeff).subspan(k * B, B));
          }
          for (index_t i = 0; i < (index_t{1} << n); ++i)
            for (unsigned b = 0; b < B; ++b)
              ASSERT_LT(std::abs(one.amplitude(i, b) - each.amplitude(i, b)), tol) << terms << " terms, row " << i;
        }
      };
      check.template operator()<double>(1e-14);
      check.template operator()<float>(2e-6F);
    }
  }
  EXPECT_THROW(kernels::batched_z_expectations<double>(active_isa(), nullptr, nullptr, 1, 1, all.data(), 5, nullptr),
               ValueError);
}

TEST(BatchedState, SetPauliAppliedOverwrites) {
  Rng rng(93);
  const unsigned n = 5, B = 6, F = 1;
  Circuit c(n);
  for (unsigned q = 0; q < n; ++q) c.ry(q, input(0) * (0.4 + q)).rz(q, theta(q)).cx(q, (q + 1) % n);
  std::vector<double> th(n), xs(B * F), coeff(B);
  for (auto& v : th) v = rng.uniform(-3, 3);
  for (auto& v : xs) v = rng.uniform(-2, 2);
  for (auto& v : coeff) v = rng.uniform(-1, 1);
  for (Isa isa : isas()) {
    SCOPED_TRACE(std::string(isa_name(isa)));
    const IsaGuard guard(isa);
    BatchedStateVector<double> psi(n, B), set(n, B), added(n, B);
    run_batched(c, psi, th, {xs, F});
    for (const PauliString& p : {X(1) * Y(3), Z(0) * Z(4), Y(2), PauliString()}) {
      const PauliMasks m = p.masks();
      set = psi;  // not zero
      set.set_pauli_applied(psi, m, coeff);
      added.set_zero();
      added.add_pauli_applied(psi, m, coeff);
      for (index_t i = 0; i < (index_t{1} << n); ++i)
        for (unsigned b = 0; b < B; ++b) ASSERT_EQ(set.amplitude(i, b), added.amplitude(i, b));
    }
    EXPECT_THROW(psi.set_pauli_applied(psi, PauliMasks{}, coeff), ValueError);
  }
}

// Past 2^16 rows the permutation pass gives its per-row tables back after each call (batched_adjoint.cpp): a
// 17-qubit ladder ansatz, twice in a row, against the one-sample adjoint summed over the batch.
TEST(BatchedAdjoint, LargeStatePermutationRunsMatchPerSample) {
  const unsigned n = 17, B = 2, F = 1;
  Circuit c(n);
  unsigned t = 0;
  for (unsigned q = 0; q < n; ++q) c.ry(q, input(0) * (0.1 + 0.05 * q));
  for (int layer = 0; layer < 2; ++layer) {
    for (unsigned q = 0; q < n; ++q) c.rz(q, theta(t++));
    for (unsigned q = 0; q < n; ++q) c.ry(q, theta(t++));
    for (unsigned q = 0; q + 1 < n; ++q) c.cnot(q, q + 1);
    for (unsigned q = 0; q < n; ++q) c.rz(q, theta(t++));
  }
  Rng rng(3);
  std::vector<double> th(c.num_theta()), xs{0.7, -1.3};
  for (auto& v : th) v = rng.uniform(-3, 3);
  const std::vector<PauliSum> obs{Z(0) + 0.5 * Z(n - 1)};
  auto ones = [](std::span<const double> v) { return std::vector<double>(v.size(), 1.0); };
  std::vector<double> sum(th.size(), 0.0);
  for (unsigned b = 0; b < B; ++b) {
    const Gradient g = adjoint_gradient<double>(c, obs[0], th, std::span<const double>(xs).subspan(b, 1),
                                                DiffWrt{true, false});
    for (std::size_t i = 0; i < th.size(); ++i) sum[i] += g.theta[i];
  }
  for (int call = 0; call < 2; ++call) {
    const BatchedVjpResult r = adjoint_vjp_batched<double>(c, obs, th, {xs, F}, B, ones, DiffWrt{true, false});
    for (std::size_t i = 0; i < th.size(); ++i) ASSERT_NEAR(r.theta[i], sum[i], 1e-10) << "call " << call << " θ" << i;
  }
}

TEST(BatchedState, RejectsBadShapes) {
  Circuit c(2);
  c.ry(0, input(0)).rx(1, theta(0));
  std::vector<double> th{0.1}, xs{0.1, 0.2, 0.3};
  BatchedStateVector<double> psi(2, 2);
  EXPECT_THROW(run_batched(c, psi, th, {xs, 1}), ValueError);  // 3 values for 2 samples × 1 feature
  std::vector<double> bad{0.1, std::numeric_limits<double>::quiet_NaN()};
  EXPECT_THROW(run_batched(c, psi, th, {bad, 1}), ValueError);
  EXPECT_THROW(BatchedStateVector<double>(2, 0), ValueError);
  EXPECT_THROW(BatchedStateVector<double>(40, 1 << 20), ResourceError);
}

// An empty batch has nothing to simulate: no values and a zero gradient, where sample 0's missing inputs used to be
// reported as "the circuit reads 1 input features but 0 were given". θ and the feature count are still checked.
// A batch swept in chunks is checked against the memory as a whole before any chunk allocates: 10 qubits, 64 samples
// (two chunks of 32: each φ and λ 512 KiB, 2 MiB in all) under a limit of 1.5 MiB, which each chunk's own
// allocations pass.
TEST(BatchedAdjoint, ChunkedBatchIsCheckedAsAWhole) {
  const unsigned n = 10, B = 64, F = 1;
  Circuit c(n);
  for (unsigned q = 0; q < n; ++q) c.ry(q, input(0)).rz(q, theta(q));
  const std::vector<double> th(n, 0.3), xs(B * F, 0.2);
  const std::vector<PauliSum> obs{Z(0)};
  auto upstream = [](std::span<const double> v) { return std::vector<double>(v.size(), 1.0); };
  const char* saved = std::getenv("QNN_MEMORY_LIMIT");
  const std::string restore = saved != nullptr ? saved : "";
  setenv("QNN_MEMORY_LIMIT", "1572864", 1);
  try {
    adjoint_vjp_batched<double>(c, obs, th, {xs, F}, B, upstream);
    ADD_FAILURE() << "no ResourceError";
  } catch (const ResourceError& e) {
    EXPECT_NE(std::string(e.what()).find("the batched states of 64 samples of 10 qubits needs 2.0 MiB"),
              std::string::npos)
        << e.what();
  }
  // Values alone (one state per chunk, 1 MiB) fit.
  EXPECT_EQ(expval_batched<double>(c, obs, th, {xs, F}, B).size(), std::size_t{B});
  if (saved != nullptr) {
    setenv("QNN_MEMORY_LIMIT", restore.c_str(), 1);
  } else {
    unsetenv("QNN_MEMORY_LIMIT");
  }
}

TEST(BatchedAdjoint, EmptyBatchGivesEmptyResults) {
  Circuit c(2);
  c.ry(0, input(0)).ry(1, input(1)).cnot(0, 1).rx(1, theta(0)).rz(0, theta(1));
  const std::vector<PauliSum> obs{Z(1), X(0)};
  const std::vector<double> th{0.3, -0.2};
  bool called = false;
  const BatchedUpstream up = [&](std::span<const double> e) {
    called = true;
    return std::vector<double>(e.size(), 1.0);
  };
  for (bool per_sample : {false, true}) {
    const BatchedVjpResult r = per_sample ? adjoint_vjp_batched_per_sample<double>(c, obs, th, {{}, 2}, 0, up)
                                          : adjoint_vjp_batched<double>(c, obs, th, {{}, 2}, 0, up);
    EXPECT_TRUE(r.values.empty());
    EXPECT_EQ(r.theta, std::vector<double>(2, 0.0));
    EXPECT_TRUE(r.x.empty());
    EXPECT_TRUE(r.theta_per_sample.empty());
  }
  EXPECT_FALSE(called);
  EXPECT_TRUE(expval_batched<double>(c, obs, th, {{}, 2}, 0).empty());
  const std::vector<double> nan_theta{0.3, std::numeric_limits<double>::quiet_NaN()};
  EXPECT_THROW(adjoint_vjp_batched<double>(c, obs, nan_theta, {{}, 2}, 0, up), ValueError);
  EXPECT_THROW(expval_batched<double>(c, obs, th, {{}, 1}, 0), ValueError);  // samples of 1 feature, 2 read
}

}  // namespace
}  // namespace qnn
