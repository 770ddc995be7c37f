// Gate fusion against per-operation application: random circuits with every gate kind of the table, extra controls and
// user unitaries, fused into blocks of 1–5 qubits, must give the same state; a block covering the whole register must
// be the circuit's unitary; diagonal circuits must fuse into diagonal blocks.
#include "qnn/exec/fusion.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/exec/simulate.hpp"
#include "sim/random_circuits.hpp"

namespace qnn {
namespace {

constexpr RunOptions kNoFusion{.fusion_qubits = 0};

// Random unitaries, qubit lists and states come from the shared test kit.
std::vector<cplx> random_unitary(unsigned k, Rng& rng) { return testkit::random_unitary(k, rng).a; }
using testkit::random_qubits;

struct Options {
  unsigned num_ops = 40;
  bool diagonal_only = false;
  double extra_control_rate = 0.2;
  double unitary_rate = 0.08;
};

/// Random circuit over every gate kind of the table that fits (plus user unitaries on 1–3 qubits); angles are a mix of
/// constants and expressions of 3 weights and 2 inputs.
Circuit random_circuit(unsigned n, Rng& rng, const Options& o = {}) {
  std::vector<GateKind> kinds;
  for (const GateInfo& g : gate_table()) {
    if (g.kind == GateKind::Unitary || g.num_qubits > n) continue;
    if (o.diagonal_only && !g.has(kDiagonal)) continue;
    kinds.push_back(g.kind);
  }
  Circuit c(n);
  for (unsigned k = 0; k < o.num_ops; ++k) {
    if (!o.diagonal_only && rng.uniform() < o.unitary_rate) {
      const auto nt = static_cast<unsigned>(1 + rng.below(std::min(3U, n)));
      std::vector<unsigned> q = random_qubits(n, nt + (nt < n && rng.uniform() < o.extra_control_rate ? 1 : 0), rng);
      std::vector<unsigned> ctrl(q.begin() + nt, q.end());
      q.resize(nt);
      c.unitary(q, random_unitary(nt, rng), ctrl);
      continue;
    }
    const GateInfo& g = gate_info(kinds[rng.below(kinds.size())]);
    unsigned extra = 0;
    while (g.num_qubits + extra < n && extra < 2 && rng.uniform() < o.extra_control_rate) ++extra;
    std::vector<unsigned> q = random_qubits(n, g.num_qubits + extra, rng);
    std::vector<unsigned> ctrl(q.begin() + g.num_qubits, q.end());
    q.resize(g.num_qubits);
    std::vector<Expr> params;
    for (unsigned p = 0; p < g.num_params; ++p) {
      switch (rng.below(3)) {
        case 0: params.emplace_back(rng.uniform(-4, 4)); break;
        case 1: params.push_back(0.5 * theta(static_cast<unsigned>(rng.below(3))) + 0.1); break;
        default:
          params.push_back(theta(static_cast<unsigned>(rng.below(3))) * input(static_cast<unsigned>(rng.below(2))));
      }
    }
    c.add(g.kind, q, params, ctrl);
  }
  return c;
}

const std::vector<double> kTheta = {0.3, -1.7, 2.4};
const std::vector<double> kX = {0.9, -0.4};

template <Real T>
StateVector<T> random_state(unsigned n, Rng& rng) {
  return testkit::to_state<T>(testkit::random_state(n, rng));
}

template <Real T>
double max_diff(const StateVector<T>& a, const StateVector<T>& b) {
  double d = 0;
  for (index_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(cplx(a[i]) - cplx(b[i])));
  return d;
}

/// The circuit's dense unitary, column j = U|j⟩ applied one operation at a time.
std::vector<cplx> dense_unitary(const Circuit& c) {
  const std::size_t dim = std::size_t{1} << c.num_qubits();
  std::vector<cplx> u(dim * dim);
  StateVector<double> psi(c.num_qubits());
  for (std::size_t j = 0; j < dim; ++j) {
    psi.set_basis_state(j);
    run(c, psi, kTheta, kX, kNoFusion);
    for (std::size_t r = 0; r < dim; ++r) u[r * dim + j] = psi[r];
  }
  return u;
}

template <Real T>
void check_fused_equals_unfused(double tol, unsigned trials) {
  Rng rng(2024 + sizeof(T));
  for (unsigned n = 2; n <= 10; ++n) {
    for (unsigned trial = 0; trial < trials; ++trial) {
      Options o;
      o.num_ops = 20 + static_cast<unsigned>(rng.below(40));
      const Circuit c = random_circuit(n, rng, o);
      const std::vector<double> angles = bind_angles(c, kTheta, kX);
      const StateVector<T> start = random_state<T>(n, rng);
      StateVector<T> ref = start;
      run(c, ref, kTheta, kX, kNoFusion);
      for (unsigned k = 1; k <= 5; ++k) {
        SCOPED_TRACE("n=" + std::to_string(n) + " trial=" + std::to_string(trial) + " k=" + std::to_string(k));
        const std::vector<FusedGate> f = fuse(c, angles, k);
        EXPECT_LE(f.size(), c.size());
        for (const FusedGate& g : f) {
          // A block has at most k qubits; only an operation too big for one is emitted with more (as itself).
          if (g.targets.size() + g.controls.size() > k) {
            EXPECT_TRUE(std::any_of(c.ops().begin(), c.ops().end(), [&](const Operation& op) {
              return std::equal(g.targets.begin(), g.targets.end(), op.targets().begin(), op.targets().end()) &&
                     g.controls == op.all_controls();
            }));
          }
          EXPECT_EQ(g.matrix.size(), (std::size_t{1} << g.targets.size()) << g.targets.size());
        }
        StateVector<T> psi = start;
        run_fused(f, psi);
        EXPECT_LE(max_diff(psi, ref), tol);
        StateVector<T> via_run = start;
        run(c, via_run, kTheta, kX, RunOptions{.fusion_qubits = k});
        EXPECT_LE(max_diff(via_run, ref), tol);
      }
    }
  }
}

TEST(Fusion, FusedStateEqualsUnfusedDouble) { check_fused_equals_unfused<double>(1e-12, 6); }

TEST(Fusion, FusedStateEqualsUnfusedFloat) { check_fused_equals_unfused<float>(1e-5, 3); }

TEST(Fusion, FusingReducesPasses) {
  // A layered ansatz (rotations on every qubit, then a CX ladder) must fuse into far fewer passes.
  const unsigned n = 8;
  Circuit c(n);
  for (unsigned layer = 0; layer < 4; ++layer) {
    for (unsigned q = 0; q < n; ++q) c.ry(q, 0.1 * (q + 1)).rz(q, 0.2 * layer);
    for (unsigned q = 0; q + 1 < n; ++q) c.cx(q, q + 1);
  }
  const std::vector<double> angles = bind_angles(c, {}, {});
  for (unsigned k = 2; k <= 4; ++k) {
    const auto f = fuse(c, angles, k);
    EXPECT_LT(f.size() * 3, c.size()) << "k=" << k;
    StateVector<double> a(n), b(n);
    run_fused(f, a);
    run(c, b, {}, {}, kNoFusion);
    EXPECT_LE(max_diff(a, b), 1e-12);
  }
  // Larger blocks never need more passes here.
  EXPECT_LE(fuse(c, angles, 4).size(), fuse(c, angles, 2).size());
}

TEST(Fusion, WholeRegisterBlockIsTheUnitary) {
  Rng rng(7);
  for (unsigned n = 1; n <= 8; ++n) {
    for (unsigned extra = 0; extra <= 2; extra += 2) {
      Options o;
      o.num_ops = 30;
      Circuit c(n);
      for (unsigned q = 0; q < n; ++q) c.h(q);  // touch every qubit
      c.append(random_circuit(n, rng, o));
      const auto f = fuse(c, bind_angles(c, kTheta, kX), n + extra);
      ASSERT_EQ(f.size(), 1U) << "n=" << n;
      std::vector<unsigned> all(n);
      for (unsigned q = 0; q < n; ++q) all[q] = q;
      EXPECT_EQ(f[0].targets, all);
      EXPECT_TRUE(f[0].controls.empty());
      const std::vector<cplx> u = dense_unitary(c);
      ASSERT_EQ(f[0].matrix.size(), u.size());
      double d = 0;
      for (std::size_t i = 0; i < u.size(); ++i) d = std::max(d, std::abs(f[0].matrix[i] - u[i]));
      EXPECT_LE(d, 1e-12) << "n=" << n;
    }
  }
}

TEST(Fusion, BlockSizeIsCapped) {
  Rng rng(13);
  const unsigned n = 12;
  Options o;
  o.num_ops = 80;
  Circuit c(n);
  for (unsigned q = 0; q < n; ++q) c.h(q);
  c.append(random_circuit(n, rng, o));
  const auto f = fuse(c, bind_angles(c, kTheta, kX), 64);
  ASSERT_GE(f.size(), 2U);
  for (const FusedGate& g : f) EXPECT_LE(g.targets.size() + g.controls.size(), kMaxFusionQubits);
  const StateVector<double> start = random_state<double>(n, rng);
  StateVector<double> a = start, b = start;
  run_fused(f, a);
  run(c, b, kTheta, kX, kNoFusion);
  EXPECT_LE(max_diff(a, b), 1e-12);
}

TEST(Fusion, DiagonalCircuitsGiveDiagonalBlocks) {
  Rng rng(11);
  for (unsigned n = 2; n <= 8; ++n) {
    Options o;
    o.diagonal_only = true;
    o.num_ops = 40;
    const Circuit c = random_circuit(n, rng, o);
    const std::vector<double> angles = bind_angles(c, kTheta, kX);
    for (unsigned k = 0; k <= 5; ++k) {
      const auto f = fuse(c, angles, k);
      for (const FusedGate& g : f) EXPECT_TRUE(g.diagonal) << "n=" << n << " k=" << k;
      const StateVector<double> start = random_state<double>(n, rng);
      StateVector<double> a = start, b = start;
      run_fused(f, a);
      run(c, b, kTheta, kX, kNoFusion);
      EXPECT_LE(max_diff(a, b), 1e-12);
    }
  }
  // A single non-diagonal gate is flagged as such.
  Circuit c(2);
  c.rz(0, 0.3).cz(0, 1).h(1);
  for (const FusedGate& g : fuse(c, bind_angles(c, {}, {}), 2)) EXPECT_FALSE(g.diagonal);
}

TEST(Fusion, ZeroBlockSizeKeepsEveryOperation) {
  Rng rng(3);
  const Circuit c = random_circuit(5, rng);
  const std::vector<double> angles = bind_angles(c, kTheta, kX);
  const auto f = fuse(c, angles, 0);
  ASSERT_EQ(f.size(), c.size());
  std::size_t a = 0;
  for (std::size_t i = 0; i < c.size(); ++i) {
    const Operation& op = c.ops()[i];
    EXPECT_EQ(f[i].targets, std::vector<unsigned>(op.targets().begin(), op.targets().end()));
    EXPECT_EQ(f[i].controls, op.all_controls());
    EXPECT_EQ(f[i].matrix, operation_matrix(op, std::span<const double>(angles).subspan(a, op.params.size())));
    a += op.params.size();
  }
}

TEST(Fusion, OversizedGatesKeepTheirControls) {
  Circuit c(4);
  c.h(0).h(1).h(2).ccx(0, 1, 2).x(3).cswap(3, 0, 1).h(2);
  c.add(GateKind::CX, {2, 3}, {}, {0});
  const auto f = fuse(c, bind_angles(c, {}, {}), 2);
  bool saw_ccx = false;
  for (const FusedGate& g : f) {
    EXPECT_LE(g.targets.size(), 2U);
    if (g.controls == std::vector<unsigned>{0, 1} && g.targets == std::vector<unsigned>{2}) saw_ccx = true;
  }
  EXPECT_TRUE(saw_ccx);
  StateVector<double> a(4), b(4);
  run_fused(f, a);
  run(c, b, {}, {}, kNoFusion);
  EXPECT_LE(max_diff(a, b), 1e-12);
}

TEST(Fusion, EmptyCircuitAndAngleCountChecks) {
  const Circuit empty(3);
  EXPECT_TRUE(fuse(empty, {}, 3).empty());
  Circuit c(2);
  c.rx(0, theta(0)).cx(0, 1);
  const std::vector<double> too_many = {0.1, 0.2};
  EXPECT_THROW((void)fuse(c, too_many, 2), ValueError);
  EXPECT_THROW((void)fuse(c, {}, 2), ValueError);
}

TEST(Fusion, DefaultBlockSize) {
  for (unsigned n = 1; n < 10; ++n) EXPECT_EQ(default_fusion_qubits(n), 0U) << n;
  for (unsigned n = 10; n <= 40; ++n) {
    EXPECT_GE(default_fusion_qubits(n), 2U) << n;
    EXPECT_LE(default_fusion_qubits(n), 5U) << n;
  }
}

TEST(Fusion, AutomaticRunMatchesPerOperation) {
  // At 14 qubits run() fuses by default; the result must equal per-operation application.
  Rng rng(5);
  const unsigned n = 14;
  ASSERT_GE(default_fusion_qubits(n), 2U);
  Options o;
  o.num_ops = 60;
  const Circuit c = random_circuit(n, rng, o);
  StateVector<double> a(n), b(n);
  run(c, a, kTheta, kX);
  run(c, b, kTheta, kX, kNoFusion);
  EXPECT_LE(max_diff(a, b), 1e-12);
  const StateVector<float> fa = simulate<float>(c, kTheta, kX);
  StateVector<float> fb(n);
  run(c, fb, kTheta, kX, kNoFusion);
  EXPECT_LE(max_diff(fa, fb), 1e-5);
}

}  // namespace
}  // namespace qnn
