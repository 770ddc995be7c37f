// Adjoint differentiation against closed forms and central finite differences, on circuits with every
// parameterised gate kind of the table, extra controls, and angles that are expressions of weights and inputs.
#include "qnn/diff/adjoint.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/diff/finite_difference.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/sim/kernels.hpp"
#include "diff/diagonal_group.hpp"
#include "sim/random_circuits.hpp"

namespace qnn {
namespace {

using testkit::random_circuit;
using testkit::RandomCircuitOptions;

constexpr double kPi = std::numbers::pi;

/// Angles drawn from the expression shapes a QNN uses, over `nt` weights and `nx` inputs.
std::function<Expr(Rng&)> expression_angles(unsigned nt, unsigned nx) {
  return [nt, nx](Rng& r) -> Expr {
    const auto i = static_cast<unsigned>(r.below(nt));
    const auto j = static_cast<unsigned>(r.below(nx));
    const auto k = static_cast<unsigned>((j + 1 + r.below(nx - 1)) % nx);
    switch (r.below(6)) {
      case 0: return theta(i);
      case 1: return 0.7 * theta(i) - 0.2;
      case 2: return theta(i) * input(j);
      case 3: return (kPi - input(j)) * (kPi - input(k));
      case 4: return sin(theta(i)) + 0.5 * input(j);
      default: return theta(i) * theta((i + 1) % nt) + Expr(r.uniform(-1, 1));
    }
  };
}

/// A random circuit with every gate kind of the table (so every parameterised one), extra controls, unitaries.
Circuit qnn_circuit(unsigned n, unsigned nt, unsigned nx, Rng& rng) {
  RandomCircuitOptions opt;
  opt.passes = 2;
  opt.max_extra_controls = 2;
  opt.angle = expression_angles(nt, nx);
  Circuit c = random_circuit(n, rng, opt);
  // make sure every weight and input is used at least once (so the gradient vectors are fully exercised)
  for (unsigned i = 0; i < nt; ++i) c.ry(i % n, theta(i));
  for (unsigned j = 0; j < nx; ++j) c.rx(j % n, input(j));
  return c;
}

PauliSum mixed_observable() {
  return parse_pauli_sum("0.7 Z0 X1 - 1.3 Y2 + 0.4 X0 Y3 Z1 + 0.25 Z3 - 0.6 X2 X3 + 0.9 Y0 Y1 + 0.1");
}

std::vector<double> random_vector(std::size_t n, Rng& rng, double lo, double hi) {
  std::vector<double> v(n);
  for (double& e : v) e = rng.uniform(lo, hi);
  return v;
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double e : v) m = std::max(m, std::abs(e));
  return m;
}

TEST(AdjointGradient, RxRyClosedFormIsExact) {
  Circuit c(1);
  c.rx(0, theta(0)).ry(0, theta(1));
  for (auto [a, b] : {std::pair{0.3, -1.1}, std::pair{2.0, 0.7}, std::pair{-2.9, 3.1}, std::pair{0.0, 0.0}}) {
    const std::vector<double> th{a, b};
    const Gradient g = adjoint_gradient(c, Z(0), th);
    EXPECT_NEAR(g.value, std::cos(a) * std::cos(b), 1e-14);
    ASSERT_EQ(g.theta.size(), 2U);
    EXPECT_NEAR(g.theta[0], -std::sin(a) * std::cos(b), 1e-14);
    EXPECT_NEAR(g.theta[1], -std::cos(a) * std::sin(b), 1e-14);
    EXPECT_TRUE(g.x.empty());
  }
}

TEST(AdjointGradient, SharedWeightAccumulates) {
  // RX(θ) RX(θ) = RX(2θ): ⟨Z⟩ = cos 2θ, d/dθ = −2 sin 2θ.
  Circuit c(1);
  c.rx(0, theta(0)).rx(0, theta(0));
  const double t = 0.37;
  const Gradient g = adjoint_gradient(c, Z(0), std::vector<double>{t});
  EXPECT_NEAR(g.value, std::cos(2 * t), 1e-14);
  EXPECT_NEAR(g.theta[0], -2 * std::sin(2 * t), 1e-14);
}

TEST(AdjointGradient, ControlledRotationClosedForm) {
  // CRY(θ) with the control in |+⟩: ⟨Z_1⟩ = ½(1 + cos θ); ⟨X_1⟩ = ½ sin θ.
  Circuit c(2);
  c.h(0).cry(0, 1, theta(0));
  const double t = 0.9;
  const std::vector<double> th{t};
  const Gradient gz = adjoint_gradient(c, Z(1), th);
  EXPECT_NEAR(gz.value, 0.5 * (1 + std::cos(t)), 1e-14);
  EXPECT_NEAR(gz.theta[0], -0.5 * std::sin(t), 1e-14);
  const Gradient gx = adjoint_gradient(c, X(1), th);
  EXPECT_NEAR(gx.value, 0.5 * std::sin(t), 1e-14);
  EXPECT_NEAR(gx.theta[0], 0.5 * std::cos(t), 1e-14);
}

TEST(AdjointGradient, MatchesFiniteDifferencesOnRandomCircuits) {
  Rng rng(4242);
  const PauliSum obs = mixed_observable();
  for (unsigned n : {4U, 5U}) {
    for (int rep = 0; rep < 2; ++rep) {
      SCOPED_TRACE("n = " + std::to_string(n) + ", rep " + std::to_string(rep));
      const unsigned nt = 7, nx = 3;
      const Circuit c = qnn_circuit(n, nt, nx, rng);
      // every parameterised kind of the table appears with a variable angle
      for (const GateInfo& g : gate_table()) {
        if (g.num_params == 0 || g.kind == GateKind::Unitary) continue;
        bool found = false;
        for (const Operation& op : c.ops()) found = found || (op.kind == g.kind && op.is_parameterised());
        EXPECT_TRUE(found) << "no parameterised '" << g.name << "' in the circuit";
      }
      bool extra_controls = false;
      for (const Operation& op : c.ops()) extra_controls = extra_controls || (op.is_parameterised() && !op.controls.empty());
      EXPECT_TRUE(extra_controls);

      const std::vector<double> th = random_vector(nt, rng, -kPi, kPi);
      const std::vector<double> x = random_vector(nx, rng, -1, 1);
      const Gradient a = adjoint_gradient(c, obs, th, x);
      const Gradient f = finite_difference_gradient(c, obs, th, x);
      EXPECT_NEAR(a.value, expval(c, obs, th, x), 1e-13);
      EXPECT_NEAR(a.value, f.value, 1e-13);
      ASSERT_EQ(a.theta.size(), nt);
      ASSERT_EQ(a.x.size(), nx);
      for (unsigned i = 0; i < nt; ++i) EXPECT_NEAR(a.theta[i], f.theta[i], 1e-6) << "theta " << i;
      for (unsigned j = 0; j < nx; ++j) EXPECT_NEAR(a.x[j], f.x[j], 1e-6) << "x " << j;
      // the comparison is not vacuous
      EXPECT_GT(max_abs(a.theta), 1e-3);
      EXPECT_GT(max_abs(a.x), 1e-3);
    }
  }
}

TEST(AdjointGradient, EachParameterisedGateKindAlone) {
  // One gate kind at a time (with an extra control and a random entangled input), so a failure names the gate.
  Rng rng(4343);
  const unsigned n = 4;
  const PauliSum obs = mixed_observable();
  for (const GateInfo& g : gate_table()) {
    if (g.num_params == 0 || g.kind == GateKind::Unitary) continue;
    SCOPED_TRACE("gate '" + std::string(g.name) + "'");
    for (bool extra : {false, true}) {
      Circuit c(n);
      // a fixed entangling preamble so the gate acts on a generic state
      c.unitary({0, 1, 2}, testkit::random_unitary(3, rng).a).unitary({3, 1}, testkit::random_unitary(2, rng).a);
      c.h(3);  // make the extra control a superposition
      std::vector<unsigned> q = testkit::random_qubits(n, g.num_qubits + (extra ? 1 : 0), rng);
      std::vector<unsigned> controls(q.begin() + g.num_qubits, q.end());
      q.resize(g.num_qubits);
      std::vector<Expr> params;
      for (unsigned p = 0; p < g.num_params; ++p) params.push_back(0.7 * theta(p) - 0.2 + theta(p) * input(p % 2));
      c.add(g.kind, q, params, controls);
      c.unitary({2, 0}, testkit::random_unitary(2, rng).a);
      const std::vector<double> th = random_vector(g.num_params, rng, -kPi, kPi);
      const std::vector<double> x = random_vector(2, rng, -1, 1);
      const Gradient a = adjoint_gradient(c, obs, th, x);
      const Gradient f = finite_difference_gradient(c, obs, th, x);
      for (unsigned i = 0; i < g.num_params; ++i) EXPECT_NEAR(a.theta[i], f.theta[i], 1e-6) << "theta " << i;
      for (unsigned j = 0; j < 2; ++j) EXPECT_NEAR(a.x[j], f.x[j], 1e-6) << "x " << j;
    }
  }
}

// The gradient of `c` on every instruction set this CPU has, double and float, against the Reference ISA's three-pass
// sweep (tolerances tol and tol_f); with `threads`, 1 and 2 threads must also give the same bits.
void expect_isas_match_reference(const Circuit& c, const PauliSum& obs, std::span<const double> th,
                                 std::span<const double> x, double tol, double tol_f, bool threads) {
  const Isa before = active_isa();
  set_active_isa(Isa::Reference);
  const Gradient ref = adjoint_gradient(c, obs, th, x);
  const Gradient ref_f = adjoint_gradient<float>(c, obs, th, x);
  EXPECT_GT(max_abs(ref.theta), 1e-2);
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
    if (!isa_supported(isa)) continue;
    SCOPED_TRACE(std::string(isa_name(isa)));
    set_active_isa(isa);
    const Gradient a = adjoint_gradient(c, obs, th, x);
    const Gradient f = adjoint_gradient<float>(c, obs, th, x);
    for (std::size_t k = 0; k < th.size(); ++k) {
      EXPECT_NEAR(a.theta[k], ref.theta[k], tol) << "theta " << k;
      EXPECT_NEAR(f.theta[k], ref_f.theta[k], tol_f) << "theta " << k << " (float)";
    }
    for (std::size_t j = 0; j < x.size(); ++j) EXPECT_NEAR(a.x[j], ref.x[j], tol) << "x " << j;
    if (!threads) continue;
    const int saved = num_threads();
    set_num_threads(1);
    const Gradient one = adjoint_gradient(c, obs, th, x);
    set_num_threads(2);
    const Gradient two = adjoint_gradient(c, obs, th, x);
    set_num_threads(saved);
    EXPECT_EQ(one.theta, two.theta);
    EXPECT_EQ(one.x, two.x);
  }
  set_active_isa(before);
}

TEST(AdjointGradient, FusedBackwardStepEqualsReferenceOnEveryIsaAndQubit) {
  // On states the vector kernels handle, a one-target parameterised gate's backward step runs as one fused pass over
  // φ and λ (kernels::adjoint_steps); the Reference ISA takes the three-pass path. Every such gate kind on every
  // target qubit (inside a SIMD register and streamed), with controls inside and outside the register.
  const unsigned n = 7, nt = 6, nx = 2;
  Rng rng(777);
  Circuit c(n);
  for (unsigned q = 0; q < n; ++q) c.h(q);
  c.unitary({0, 3, 6}, testkit::random_unitary(3, rng).a);
  unsigned i = 0;
  for (const GateInfo& g : gate_table()) {
    if (g.num_params == 0 || g.kind == GateKind::Unitary || g.num_targets() != 1) continue;
    for (unsigned t = 0; t < n; ++t) {
      std::vector<unsigned> others;
      for (unsigned o = 0; o < n; ++o)
        if (o != t) others.push_back(o);
      rng.shuffle(others);
      // built-in controls first, then the target t; 0, 1 or 2 extra controls
      std::vector<unsigned> q(others.begin(), others.begin() + g.num_controls);
      q.push_back(t);
      const unsigned extra = t % 3;
      std::vector<unsigned> controls(others.begin() + g.num_controls, others.begin() + g.num_controls + extra);
      std::vector<Expr> params;
      for (unsigned p = 0; p < g.num_params; ++p) params.push_back(theta(i++ % nt) * input(p % nx) + 0.3 * p);
      c.add(g.kind, q, params, controls);
    }
    c.unitary({1, 5}, testkit::random_unitary(2, rng).a);
  }
  const PauliSum obs = parse_pauli_sum("0.7 Z0 X1 - 1.3 Y2 Z6 + 0.4 X5 + 0.2 Z3 Z4");
  const std::vector<double> th = random_vector(nt, rng, -kPi, kPi);
  const std::vector<double> x = random_vector(nx, rng, -1, 1);
  expect_isas_match_reference(c, obs, th, x, 1e-11, 2e-4, /*threads=*/false);
}

// Consecutive one-target gates on low qubits share one pass over both states, block by block (kernels::adjoint_steps);
// gates on higher qubits, and two-target gates between them, take whole passes. Every one-target gate kind, with and
// without parameters and controls, on qubits inside and outside the blocks (the block size lowered so that n = 9 has
// four blocks of 7 qubits in double, two of 8 in float, and n = 12 at the default), against the Reference ISA's
// three-pass sweep; then 1 and 2 threads must give the same bits.
TEST(AdjointGradient, BlockedBackwardStepsEqualReference) {
  struct BlockGuard {
    std::size_t saved = kernels::adjoint_block_bytes();
    ~BlockGuard() { kernels::set_adjoint_block_bytes(saved); }
  } guard;
  for (const unsigned n : {9U, 12U}) {
    SCOPED_TRACE("n = " + std::to_string(n));
    kernels::set_adjoint_block_bytes(n == 9 ? 2048 : guard.saved);
    Rng rng(4242 + n);
    const unsigned nt = 9, nx = 2;
    Circuit c(n);
    for (unsigned q = 0; q < n; ++q) c.h(q);
    unsigned i = 0;
    for (int round = 0; round < 3; ++round) {
      // An RY layer (both directions, a repeated qubit): consecutive RY steps on two streamed qubits share one pass
      // (adjoint_real_pair_sweep), inside the blocks and, on the top qubits, over the whole state.
      for (unsigned q = 0; q < n; ++q) c.ry(round % 2 ? n - 1 - q : q, theta(i++ % nt) * input(q % nx) + 0.1 * q);
      c.ry(n - 1, theta(i++ % nt));
      for (const GateInfo& g : gate_table()) {
        if (g.kind == GateKind::Unitary || g.num_targets() != 1) continue;
        std::vector<unsigned> others(n);
        for (unsigned o = 0; o < n; ++o) others[o] = o;
        rng.shuffle(others);
        // Mostly low qubits (long blocked runs), a high one now and then.
        const unsigned span = rng.below(4) == 0 ? n : n - 3;
        std::vector<unsigned> q;
        for (unsigned o : others)
          if (o < span && q.size() < g.num_controls + 1U) q.push_back(o);
        std::vector<unsigned> controls;
        if (rng.below(4) == 0)
          for (unsigned o : others)
            if (o < span && std::find(q.begin(), q.end(), o) == q.end()) {
              controls.push_back(o);
              break;
            }
        std::vector<Expr> params;
        for (unsigned p = 0; p < g.num_params; ++p) params.push_back(theta(i++ % nt) * input(p % nx) + 0.3 * p);
        c.add(g.kind, q, params, controls);
        if (rng.below(16) == 0) c.rzz(static_cast<unsigned>(rng.below(n - 1)), n - 1, 0.4 + round);
      }
    }
    const PauliSum obs = parse_pauli_sum("0.7 Z0 X1 - 1.3 Y2 + 0.4 X" + std::to_string(n - 1) + " + 0.2 Z3 Z4");
    const std::vector<double> th = random_vector(nt, rng, -kPi, kPi);
    const std::vector<double> x = random_vector(nx, rng, -1, 1);
    expect_isas_match_reference(c, obs, th, x, 1e-10, 2e-3, /*threads=*/true);
  }
}

// Commuting diagonal gates go through the sweep as groups, one pass over both states each
// (src/diff/diagonal_group.hpp): layers that mix every diagonal kind (parameterised or not, with extra controls, on
// low and on high qubits, RZZ across the low/high split, which stays a gate of its own) with RY/RX/H/CNOT between
// them, at n = 9 (k = 6: three high qubits) and n = 17 (k = 7: ten high qubits); the sweep forms groups from 8
// qubits. Against the Reference ISA's per-gate sweep, which forms none; 1 and 2 threads give the same bits.
TEST(AdjointGradient, DiagonalGroupsEqualReference) {
  for (const unsigned n : {9U, 17U}) {
    SCOPED_TRACE("n = " + std::to_string(n));
    const detail::DiagonalGroup probe(n);
    const unsigned k = probe.low_qubits();
    ASSERT_EQ(k, n == 9 ? 6U : 7U);
    Rng rng(9090 + n);
    const unsigned nt = 11, nx = 2;
    Circuit c(n);
    for (unsigned q = 0; q < n; ++q) c.h(q);
    unsigned i = 0;
    auto angle = [&] {
      const unsigned j = i++;
      return theta(j % nt) * (1.0 + 0.5 * (j % 3)) + input(j % nx) * 0.7;
    };
    for (int layer = 0; layer < 3; ++layer) {
      for (unsigned q = 0; q < n; ++q) {
        c.ry(q, angle());
        switch ((q + layer) % 6) {
          case 0: c.rz(q, angle()); break;
          case 1: c.p(q, angle()); break;
          case 2: c.add(GateKind::T, {q}); break;
          case 3: c.add(GateKind::CRZ, {(q + 1) % n, q}, {angle()}); break;
          case 4: c.add(GateKind::CP, {q, (q + 2) % n}, {angle()}); break;
          default: c.add(GateKind::RZ, {q}, {angle()}, {(q + 3) % n}); break;
        }
      }
      for (unsigned q = 0; q + 1 < n; ++q) c.rzz(q, q + 1, angle());  // (k − 1, k) straddles
      c.add(GateKind::CZ, {0, 2}).add(GateKind::S, {1}).add(GateKind::Sdg, {n - 1}).add(GateKind::Z, {3});
      for (unsigned q = 0; q < n; ++q) c.rx(q, angle());
      for (unsigned q = 0; q + 1 < n; ++q) c.cnot(q, q + 1);
    }
    // The schedule forms groups, with gates on low and on high qubits, and leaves the straddling RZZ alone.
    const detail::DiagonalSchedule sched = detail::schedule_diagonal_groups(c, probe);
    ASSERT_GE(sched.members.size(), 3U);
    bool low = false, high = false;
    for (std::size_t op = 0; op < c.size(); ++op) {
      if (sched.group[op] < 0) continue;
      const std::uint64_t m = detail::qubit_mask(c.ops()[op]);
      low = low || (m >> k) == 0;
      high = high || (m & ((std::uint64_t{1} << k) - 1)) == 0;
      EXPECT_FALSE(c.ops()[op].kind == GateKind::RZZ && c.ops()[op].qubits[0] == k - 1);
    }
    EXPECT_TRUE(low);
    EXPECT_TRUE(high);
    const PauliSum obs = parse_pauli_sum("0.7 Z0 X1 - 1.3 Y2 + 0.4 X" + std::to_string(n - 1) + " + 0.2 Z3 Z" +
                                         std::to_string(n - 2));
    const std::vector<double> th = random_vector(nt, rng, -kPi, kPi);
    const std::vector<double> x = random_vector(nx, rng, -1, 1);
    expect_isas_match_reference(c, obs, th, x, 1e-10, 2e-3, /*threads=*/true);
  }
}

// On small states, runs of CX/X/SWAP (no extra controls) move each state once, as one gather or scatter through the
// composed basis map (src/diff/diagonal_group.hpp). A CNOT ring (its map spreads bit 0 over every qubit, its inverse
// does not: the forward pass gathers, the backward sweep scatters), ladders both ways, X and SWAP among them, a CX
// with an extra control (not affine: it ends a run), between layers of RY and RZ groups; n = 8, 13 (the largest that
// takes every run whatever its map) and 15 (above: only maps that keep neighbours close, the others gate by gate).
// Against the Reference ISA's per-gate sweep; 1 and 2 threads give the same bits.
TEST(AdjointGradient, PermutationRunsEqualReference) {
  for (const unsigned n : {8U, 13U, 15U}) {
    SCOPED_TRACE("n = " + std::to_string(n));
    Rng rng(3131 + n);
    const unsigned nt = 7, nx = 2;
    Circuit c(n);
    unsigned i = 0;
    auto angle = [&] {
      const unsigned j = i++;
      return theta(j % nt) * (0.5 + 0.25 * (j % 4)) + input(j % nx) * 0.6;
    };
    for (int layer = 0; layer < 3; ++layer) {
      for (unsigned q = 0; q < n; ++q) c.ry(q, angle()).rz(q, angle());
      switch (layer) {
        case 0:
          for (unsigned q = 0; q < n; ++q) c.cnot(q, (q + 1) % n);
          break;
        case 1:
          for (unsigned q = n - 1; q > 0; --q) c.cnot(q, q - 1);
          c.x(2).swap(1, n - 2).cnot(0, n - 1);
          c.add(GateKind::CX, {3, 4}, {}, {5});
          c.swap(0, 3).x(n - 1);
          break;
        default:
          c.swap(0, n - 1).cnot(n - 1, 2).x(0).cnot(1, 0);
          break;
      }
    }
    const detail::DiagonalSchedule sched = detail::schedule_diagonal_groups(c, detail::DiagonalGroup(n));
    ASSERT_GE(sched.runs.size(), 4U);
    // The ring's map scatters (its inverse does not), so the two directions take different loops.
    std::vector<index_t> lo, hi;
    const unsigned k = (n + 1) / 2;
    EXPECT_EQ(detail::permutation_tables(c, sched.runs[0], /*inverse=*/false, k, lo, hi), n);
    EXPECT_LE(detail::permutation_tables(c, sched.runs[0], /*inverse=*/true, k, lo, hi), k + 1);
    const PauliSum obs = parse_pauli_sum("0.9 Z0 + 0.5 X1 Y" + std::to_string(n - 1) + " - 0.3 Z2 Z4");
    const std::vector<double> th = random_vector(nt, rng, -kPi, kPi);
    const std::vector<double> x = random_vector(nx, rng, -1, 1);
    expect_isas_match_reference(c, obs, th, x, 1e-10, 2e-3, /*threads=*/true);
  }
}

// Without the inputs' gradient the sweep stops at the last gate with a weight's gradient to take: the encoding in
// front (RY and RZ of the inputs, the RZs a diagonal group of their own) is never swept back through. The weights'
// gradient is the same as with the inputs', on every ISA, on 9 qubits (groups and runs) and 5; on 9 qubits the
// weights' layers are Rot-like (RZ·RY·RZ: a group anchored at its last gate and one at its first), and every ISA's
// full gradient matches the Reference ISA's, which takes every gate by itself.
TEST(AdjointGradient, StopsBeforeTheEncodingWithoutInputGradients) {
  for (const unsigned n : {5U, 9U}) {
    SCOPED_TRACE("n = " + std::to_string(n));
    Rng rng(77 + n);
    Circuit c(n);
    for (unsigned q = 0; q < n; ++q) c.ry(q, input(q)).rz(q, input(q) * 0.5);
    unsigned t = 0;
    for (int layer = 0; layer < 2; ++layer) {
      for (unsigned q = 0; q < n; ++q) {
        c.rz(q, theta(t));
        c.ry(q, theta(t + 1));
        c.rz(q, theta(t + 2));
        t += 3;
      }
      for (unsigned q = 0; q < n; ++q) c.cnot(q, (q + 1) % n);
    }
    const PauliSum obs = parse_pauli_sum("Z0 + 0.5 X1 Z2");
    const std::vector<double> th = random_vector(t, rng, -kPi, kPi);
    const std::vector<double> x = random_vector(n, rng, -1, 1);
    const Isa before = active_isa();
    set_active_isa(Isa::Reference);
    const Gradient ref = adjoint_gradient(c, obs, th, x);
    for (Isa isa : {Isa::Reference, Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
      if (!isa_supported(isa)) continue;
      SCOPED_TRACE(std::string(isa_name(isa)));
      set_active_isa(isa);
      const Gradient full = adjoint_gradient(c, obs, th, x);
      const Gradient only = adjoint_gradient(c, obs, th, x, DiffWrt{true, false});
      EXPECT_GT(max_abs(full.x), 1e-2);
      for (std::size_t k = 0; k < th.size(); ++k) EXPECT_NEAR(full.theta[k], ref.theta[k], 1e-11) << "theta " << k;
      for (std::size_t j = 0; j < x.size(); ++j) EXPECT_NEAR(full.x[j], ref.x[j], 1e-11) << "x " << j;
      ASSERT_EQ(only.theta.size(), full.theta.size());
      for (std::size_t k = 0; k < th.size(); ++k) EXPECT_NEAR(only.theta[k], full.theta[k], 1e-12) << "theta " << k;
      EXPECT_NEAR(only.value, full.value, 1e-14);
    }
    set_active_isa(before);
  }
}

TEST(AdjointGradient, DiffWrtSelectsGradients) {
  Rng rng(4444);
  const Circuit c = qnn_circuit(4, 5, 3, rng);
  const PauliSum obs = mixed_observable();
  const std::vector<double> th = random_vector(5, rng, -kPi, kPi), x = random_vector(3, rng, -1, 1);
  const Gradient full = adjoint_gradient(c, obs, th, x);

  const Gradient only_theta = adjoint_gradient(c, obs, th, x, DiffWrt{true, false});
  EXPECT_TRUE(only_theta.x.empty());
  ASSERT_EQ(only_theta.theta.size(), full.theta.size());
  for (std::size_t i = 0; i < th.size(); ++i) EXPECT_NEAR(only_theta.theta[i], full.theta[i], 1e-14);
  EXPECT_EQ(only_theta.value, full.value);

  const Gradient only_x = adjoint_gradient(c, obs, th, x, DiffWrt{false, true});
  EXPECT_TRUE(only_x.theta.empty());
  ASSERT_EQ(only_x.x.size(), full.x.size());
  for (std::size_t j = 0; j < x.size(); ++j) EXPECT_NEAR(only_x.x[j], full.x[j], 1e-14);
}

TEST(AdjointGradient, LongerThetaGetsZeroGradientForUnusedWeights) {
  Circuit c(2);
  c.ry(0, theta(0)).cx(0, 1).rx(1, theta(1));
  const std::vector<double> th{0.4, -0.8, 5.0, 6.0};
  const Gradient g = adjoint_gradient(c, Z(1), th);
  ASSERT_EQ(g.theta.size(), 4U);
  EXPECT_EQ(g.theta[2], 0.0);
  EXPECT_EQ(g.theta[3], 0.0);
  // ⟨Z_1⟩ = cos θ0 cos θ1
  EXPECT_NEAR(g.value, std::cos(0.4) * std::cos(-0.8), 1e-14);
  EXPECT_NEAR(g.theta[0], -std::sin(0.4) * std::cos(-0.8), 1e-14);
  EXPECT_NEAR(g.theta[1], -std::cos(0.4) * std::sin(-0.8), 1e-14);
}

TEST(AdjointGradient, VjpEqualsWeightedSumOfGradients) {
  Rng rng(4545);
  const Circuit c = qnn_circuit(5, 6, 3, rng);
  const std::vector<PauliSum> obs = {parse_pauli_sum("Z0"), parse_pauli_sum("X1 Y2 - 0.5 Z3"),
                                     parse_pauli_sum("Y0 Z4 + 2 X3"), mixed_observable()};
  const std::vector<double> th = random_vector(6, rng, -kPi, kPi), x = random_vector(3, rng, -1, 1);
  std::vector<double> seen_values;
  // an upstream that depends on the values, as a loss does: w_k = 2 (⟨O_k⟩ − target_k)
  const std::vector<double> target{0.3, -0.2, 0.9, 0.1};
  const Upstream upstream = [&](std::span<const double> v) {
    seen_values.assign(v.begin(), v.end());
    std::vector<double> w(v.size());
    for (std::size_t k = 0; k < v.size(); ++k) w[k] = 2 * (v[k] - target[k]);
    return w;
  };
  const VjpResult r = adjoint_vjp(c, std::span<const PauliSum>(obs), th, x, upstream);
  ASSERT_EQ(r.values.size(), obs.size());
  EXPECT_EQ(seen_values, r.values);
  std::vector<double> gt(th.size(), 0.0), gx(x.size(), 0.0);
  for (std::size_t k = 0; k < obs.size(); ++k) {
    const Gradient g = adjoint_gradient(c, obs[k], th, x);
    EXPECT_NEAR(r.values[k], g.value, 1e-14);
    const double w = 2 * (g.value - target[k]);
    for (std::size_t i = 0; i < th.size(); ++i) gt[i] += w * g.theta[i];
    for (std::size_t j = 0; j < x.size(); ++j) gx[j] += w * g.x[j];
  }
  ASSERT_EQ(r.theta.size(), th.size());
  ASSERT_EQ(r.x.size(), x.size());
  for (std::size_t i = 0; i < th.size(); ++i) EXPECT_NEAR(r.theta[i], gt[i], 1e-12) << "theta " << i;
  for (std::size_t j = 0; j < x.size(); ++j) EXPECT_NEAR(r.x[j], gx[j], 1e-12) << "x " << j;
  EXPECT_GT(max_abs(r.theta), 1e-3);

  const VjpResult no_x = adjoint_vjp(c, std::span<const PauliSum>(obs), th, x, upstream, DiffWrt{true, false});
  EXPECT_TRUE(no_x.x.empty());
  for (std::size_t i = 0; i < th.size(); ++i) EXPECT_NEAR(no_x.theta[i], gt[i], 1e-12);

  const Upstream wrong = [](std::span<const double>) { return std::vector<double>{1.0}; };
  EXPECT_THROW((void)adjoint_vjp(c, std::span<const PauliSum>(obs), th, x, wrong), ValueError);
}

TEST(AdjointGradient, FloatPrecisionAgrees) {
  Rng rng(4646);
  const Circuit c = qnn_circuit(4, 5, 3, rng);
  const PauliSum obs = mixed_observable();
  const std::vector<double> th = random_vector(5, rng, -kPi, kPi), x = random_vector(3, rng, -1, 1);
  const Gradient d = adjoint_gradient<double>(c, obs, th, x);
  const Gradient f = adjoint_gradient<float>(c, obs, th, x);
  EXPECT_NEAR(f.value, d.value, 1e-4);
  ASSERT_EQ(f.theta.size(), d.theta.size());
  ASSERT_EQ(f.x.size(), d.x.size());
  for (std::size_t i = 0; i < d.theta.size(); ++i) EXPECT_NEAR(f.theta[i], d.theta[i], 1e-4) << "theta " << i;
  for (std::size_t j = 0; j < d.x.size(); ++j) EXPECT_NEAR(f.x[j], d.x[j], 1e-4) << "x " << j;
}

TEST(AdjointGradient, InvalidInputsThrow) {
  Circuit c(2);
  c.ry(0, theta(0)).rx(1, theta(1) * input(0));
  const std::vector<double> x{0.5};
  EXPECT_THROW((void)adjoint_gradient(c, Z(0), std::vector<double>{std::nan(""), 0.1}, x), ValueError);
  EXPECT_THROW((void)adjoint_gradient(c, Z(0), std::vector<double>{0.1, 0.2}, std::vector<double>{INFINITY}),
               ValueError);
  EXPECT_THROW((void)adjoint_gradient(c, Z(0), std::vector<double>{0.1}, x), ValueError);          // θ too short
  EXPECT_THROW((void)adjoint_gradient(c, Z(0), std::vector<double>{0.1, 0.2}), ValueError);        // x missing
  EXPECT_THROW((void)adjoint_gradient(c, Z(5), std::vector<double>{0.1, 0.2}, x), ValueError);     // qubit 5
  const std::vector<PauliSum> obs{Z(0)};
  const Upstream one = [](std::span<const double>) { return std::vector<double>{1.0}; };
  EXPECT_THROW((void)adjoint_vjp(c, std::span<const PauliSum>(obs), std::vector<double>{std::nan(""), 0.1}, x, one),
               ValueError);
}

}  // namespace
}  // namespace qnn
