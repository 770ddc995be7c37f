#include "qnn/sim/state_vector.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <string>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/pauli.hpp"
#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/diff/finite_difference.hpp"
#include "qnn/exec/simulate.hpp"
#include "sim/dense_reference.hpp"
#include "sim/random_circuits.hpp"

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

// ---------------------------------------------------------------------------------------------------------------------
// Against the dense reference simulator (tests/sim/dense_reference.hpp) with textbook gate matrices.

using dense::cplx;
using dense::Mat;
using dense::Vec;
using testkit::random_circuit;
using testkit::random_state;
using testkit::random_unitary;
using testkit::RandomCircuitOptions;
using testkit::to_state;
using testkit::to_vec;

/// Apply every operation of `c` to a qnn state and to the dense reference, comparing after each one.
template <Real T>
void check_against_dense(const Circuit& c, const Vec& start, double tol) {
  const unsigned n = c.num_qubits();
  StateVector<T> psi = to_state<T>(start);
  Vec ref = start;
  const std::vector<double> angles = bind_angles(c, {}, {});
  std::size_t a = 0;
  for (std::size_t k = 0; k < c.ops().size(); ++k) {
    const Operation& op = c.ops()[k];
    const std::vector<double> ang(angles.begin() + long(a), angles.begin() + long(a + op.params.size()));
    a += op.params.size();
    apply_operation(psi, op, ang);
    ref = dense::apply(testkit::dense_op(n, op, ang), ref);
    const double err = dense::max_diff(to_vec(psi), ref);
    if (!(err <= tol)) {
      std::string q;
      for (unsigned v : op.qubits) q += " " + std::to_string(v);
      q += " | controls";
      for (unsigned v : op.controls) q += " " + std::to_string(v);
      ADD_FAILURE() << "operation " << k << " '" << op.info().name << "' on qubits" << q << " (n = " << n
                    << "): max error " << err;
      return;
    }
  }
  EXPECT_NEAR(psi.norm_squared(), 1.0, sizeof(T) == 8 ? 1e-12 : 1e-5);
}

TEST(StateVector, RandomCircuitsMatchDenseReference) {
  // 1..6 qubits several times each; 7 and 8 once (states of ≥ 6 qubits take the vectorised kernels).
  Rng rng(2024);
  for (unsigned n = 1; n <= 8; ++n) {
    for (int rep = 0; rep < (n <= 6 ? 3 : 1); ++rep) {
      SCOPED_TRACE("n = " + std::to_string(n) + ", rep " + std::to_string(rep));
      RandomCircuitOptions opt;
      opt.passes = 2;
      opt.max_extra_controls = 3;
      const Circuit c = random_circuit(n, rng, opt);
      // every gate kind that fits is there, and unitaries of every size that fits
      std::vector<int> seen(gate_table().size(), 0);
      for (const Operation& op : c.ops()) ++seen[static_cast<std::size_t>(op.kind)];
      for (const GateInfo& g : gate_table())
        if (g.num_qubits <= n && g.kind != GateKind::Unitary) {
          EXPECT_GT(seen[static_cast<std::size_t>(g.kind)], 0) << g.name;
        }
      EXPECT_EQ(seen[static_cast<std::size_t>(GateKind::Unitary)], 2 * int(std::min(n, 3U)));
      const Vec start = random_state(n, rng);
      check_against_dense<double>(c, start, 1e-12);
      Vec zero(std::size_t{1} << n, 0.0);
      zero[0] = 1;
      check_against_dense<double>(c, zero, 1e-12);
      // the whole circuit through run() (which may take other paths, e.g. gate fusion) and simulate()
      StateVector<double> psi = to_state<double>(start);
      run(c, psi);
      const Vec ref = testkit::dense_run(c, start);
      EXPECT_LT(dense::max_diff(to_vec(psi), ref), 1e-12);
      EXPECT_LT(dense::max_diff(to_vec(simulate(c)), testkit::dense_run(c, zero)), 1e-12);
    }
  }
}

TEST(StateVector, FloatPrecisionAgreesWithDense) {
  Rng rng(2025);
  for (unsigned n = 2; n <= 5; ++n) {
    SCOPED_TRACE("n = " + std::to_string(n));
    const Circuit c = random_circuit(n, rng);
    check_against_dense<float>(c, random_state(n, rng), 2e-5);
  }
}

TEST(StateVector, EachGateAloneOnEveryQubitOrdering) {
  // Every gate kind on every ordered choice of its qubits in a 4-qubit register, with and without an extra control.
  Rng rng(2026);
  const unsigned n = 4;
  for (const GateInfo& g : gate_table()) {
    if (g.kind == GateKind::Unitary) continue;
    std::vector<unsigned> q(g.num_qubits);
    // enumerate ordered tuples of distinct qubits
    std::vector<std::vector<unsigned>> tuples;
    std::function<void(unsigned)> rec = [&](unsigned depth) {
      if (depth == g.num_qubits) {
        tuples.push_back(q);
        return;
      }
      for (unsigned v = 0; v < n; ++v) {
        if (std::find(q.begin(), q.begin() + depth, v) != q.begin() + depth) continue;
        q[depth] = v;
        rec(depth + 1);
      }
    };
    rec(0);
    for (const auto& t : tuples) {
      for (bool extra : {false, true}) {
        std::vector<unsigned> controls;
        if (extra)
          for (unsigned v = 0; v < n && controls.empty(); ++v)
            if (std::find(t.begin(), t.end(), v) == t.end()) controls.push_back(v);
        std::vector<Expr> params;
        for (unsigned p = 0; p < g.num_params; ++p) params.push_back(rng.uniform(-3, 3));
        Circuit c(n);
        c.add(g.kind, t, params, controls);
        check_against_dense<double>(c, random_state(n, rng), 1e-13);
        if (::testing::Test::HasFailure()) {
          ADD_FAILURE() << "gate '" << g.name << "'";
          return;
        }
      }
    }
  }
}

TEST(StateVector, LargeStateUsesParallelKernelsCorrectly) {
  // 17 qubits: above kParallelThreshold for 1-, 2- and 3-qubit gates, so the threaded and blocked kernel paths run;
  // compared with the dense enumeration applied gate by gate (no 2^17 × 2^17 matrix).
  const unsigned n = 17;
  Rng rng(2027);
  RandomCircuitOptions opt;
  opt.passes = 1;
  opt.max_extra_controls = 2;
  Circuit c = random_circuit(n, rng, opt);
  // make sure the top qubits (stride ≥ 2^14) are hit by dense 1- and 2-qubit matrices
  c.h(16).ry(14, 0.3).cry(0, 15, 1.1).rxx(13, 16, 0.4).add(GateKind::H, {14}, {}, {2, 9});
  c.unitary({16, 3, 7}, random_unitary(3, rng).a).unitary({0, 15}, random_unitary(2, rng).a);
  c.rz(16, 0.7).rzz(15, 2, -0.3).add(GateKind::P, {14}, {1.2}, {16});
  const Vec start = random_state(n, rng);
  StateVector<double> psi = to_state<double>(start);
  run(c, psi);
  Vec ref = start;
  for (const Operation& op : c.ops()) {
    std::vector<double> ang;
    for (const Expr& e : op.params) ang.push_back(e.eval({}, {}));
    dense::Order order{};
    const Mat m = testkit::op_matrix(op, ang, order);
    dense::apply_gate(ref, op.qubits, m, op.controls, order);
  }
  EXPECT_LT(dense::max_diff(to_vec(psi), ref), 1e-12);
  EXPECT_NEAR(psi.norm_squared(), 1.0, 1e-12);
  // Reductions are bit-identical whatever the thread count, and so is the state.
  const PauliMasks zz = (Z(0) * X(16) * Y(7)).masks();
  const int saved = num_threads();
  set_num_threads(1);
  StateVector<double> one_thread = to_state<double>(start);
  run(c, one_thread);
  const double e1 = psi.expectation(zz), n1 = psi.norm_squared(), p1 = psi.probability_one(16);
  set_num_threads(2);
  const double e2 = psi.expectation(zz), n2 = psi.norm_squared(), p2 = psi.probability_one(16);
  set_num_threads(saved);
  EXPECT_EQ(e1, e2);
  EXPECT_EQ(n1, n2);
  EXPECT_EQ(p1, p2);
  EXPECT_EQ(dense::max_diff(to_vec(one_thread), to_vec(psi)), 0.0);
  // ⟨Z0 X16 Y7⟩ against the dense state
  const std::vector<std::pair<unsigned, char>> f{{0, 'Z'}, {16, 'X'}, {7, 'Y'}};
  Vec pr = ref;
  for (auto [q, l] : f) {
    const unsigned qs[1] = {q};
    dense::apply_gate(pr, qs, dense::pauli(l));
  }
  EXPECT_NEAR(e2, dense::inner(ref, pr).real(), 1e-12);
}

TEST(StateVector, GhzStates) {
  for (unsigned n = 3; n <= 8; ++n) {
    Circuit c(n);
    c.h(0);
    for (unsigned k = 1; k < n; ++k) c.cx(k - 1, k);
    const auto psi = simulate(c);
    const double r = 1 / std::sqrt(2.0);
    const index_t last = (index_t{1} << n) - 1;
    for (index_t i = 0; i <= last; ++i) {
      const cplx expected = (i == 0 || i == last) ? cplx(r) : cplx(0);
      ASSERT_LT(std::abs(cplx(psi[i]) - expected), 1e-15) << "n = " << n << ", index " << i;
    }
    // every Z_k Z_{k+1} is +1 and X^{⊗n} is +1 on a GHZ state
    for (unsigned k = 0; k + 1 < n; ++k) EXPECT_NEAR(psi.expectation((Z(k) * Z(k + 1)).masks()), 1.0, 1e-15);
    EXPECT_NEAR(psi.expectation(PauliMasks{last, 0}), 1.0, 1e-14);
    EXPECT_NEAR(psi.expectation(Z(0).masks()), 0.0, 1e-15);
  }
}

/// The textbook QFT, |j⟩ ↦ (1/√N) Σ_k e^{2πi jk/N} |k⟩, on little-endian qubits: textbook qubit i (the (i+1)-th most
/// significant bit) is qnn qubit n−1−i.
Circuit qft(unsigned n) {
  Circuit c(n);
  for (unsigned i = 0; i < n; ++i) {
    c.h(n - 1 - i);
    for (unsigned j = i + 1; j < n; ++j) c.cp(n - 1 - j, n - 1 - i, std::numbers::pi / double(1U << (j - i)));
  }
  for (unsigned i = 0; i < n / 2; ++i) c.swap(i, n - 1 - i);
  return c;
}

TEST(StateVector, QuantumFourierTransform) {
  for (unsigned n = 3; n <= 4; ++n) {
    const Circuit c = qft(n);
    const index_t N = index_t{1} << n;
    for (index_t j = 0; j < N; ++j) {
      StateVector<double> psi(n);
      psi.set_basis_state(j);
      run(c, psi);
      for (index_t k = 0; k < N; ++k) {
        const cplx expected = std::polar(1 / std::sqrt(double(N)), 2 * std::numbers::pi * double(j * k) / double(N));
        ASSERT_LT(std::abs(cplx(psi[k]) - expected), 1e-14) << "n = " << n << ", j = " << j << ", k = " << k;
      }
    }
  }
}

TEST(StateVector, ProbabilitiesAndProbabilityOne) {
  Rng rng(3);
  for (unsigned n = 1; n <= 6; ++n) {
    const Vec v = random_state(n, rng);
    const auto psi = to_state<double>(v);
    const std::vector<double> p = psi.probabilities();
    ASSERT_EQ(p.size(), v.size());
    double total = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      EXPECT_NEAR(p[i], std::norm(v[i]), 1e-16);
      total += p[i];
    }
    EXPECT_NEAR(total, 1.0, 1e-13);
    for (unsigned q = 0; q < n; ++q) {
      double p1 = 0;
      for (std::size_t i = 0; i < v.size(); ++i)
        if ((i >> q) & 1U) p1 += std::norm(v[i]);
      EXPECT_NEAR(psi.probability_one(q), p1, 1e-14);
    }
    EXPECT_THROW((void)psi.probability_one(n), ValueError);
  }
  // a definite state
  StateVector<double> b(3);
  b.set_basis_state(0b101);
  EXPECT_EQ(b.probability_one(0), 1.0);
  EXPECT_EQ(b.probability_one(1), 0.0);
  EXPECT_EQ(b.probability_one(2), 1.0);
}

TEST(StateVector, SampleFrequenciesFollowProbabilities) {
  Rng state_rng(11);
  Vec v = random_state(3, state_rng);
  v[5] = 0;  // a zero-probability outcome must never be drawn
  double s = dense::norm_squared(v);
  for (cplx& a : v) a /= std::sqrt(s);
  const auto psi = to_state<double>(v);
  const std::uint64_t shots = 20000;
  Rng rng(12345);
  const std::vector<index_t> out = psi.sample(shots, rng);
  ASSERT_EQ(out.size(), shots);
  std::vector<double> counts(8, 0);
  for (index_t i : out) {
    ASSERT_LT(i, 8U);
    counts[i] += 1;
  }
  EXPECT_EQ(counts[5], 0);
  for (std::size_t i = 0; i < 8; ++i) {
    const double p = std::norm(v[i]);
    const double sigma = std::sqrt(double(shots) * p * (1 - p));
    EXPECT_LE(std::abs(counts[i] - double(shots) * p), 5 * sigma + 1e-9) << "outcome " << i << " p = " << p;
  }
  // reproducible from the seed; another seed gives another sequence
  Rng again(12345), other(54321);
  EXPECT_EQ(psi.sample(shots, again), out);
  EXPECT_NE(psi.sample(shots, other), out);
  // an un-normalised state samples from |ψ_i|² / ‖ψ‖²
  const std::vector<cplx> raw{cplx(0, 2), 0, 2, cplx(1, -1)};  // weights 4 : 0 : 4 : 2
  const auto unnormalised = StateVector<double>::from_amplitudes(raw);
  Rng r3(777);
  std::vector<double> c3(4, 0);
  for (index_t i : unnormalised.sample(shots, r3)) c3[i] += 1;
  for (std::size_t i = 0; i < 4; ++i) {
    const double p = std::norm(raw[i]) / 10;
    EXPECT_LE(std::abs(c3[i] - double(shots) * p), 5 * std::sqrt(double(shots) * p * (1 - p)) + 1e-9) << i;
  }
  // a basis state always samples to itself
  StateVector<double> b(4);
  b.set_basis_state(9);
  Rng r2(1);
  for (index_t i : b.sample(100, r2)) EXPECT_EQ(i, 9U);
}

TEST(StateVector, SampleDrawsWhatABinarySearchOfTheSameUniformsFinds) {
  // The guide table is a shortcut to the first i with cdf[i] > u (or the last entry): the outcomes are those of a
  // binary search over the same draws, on random states with runs of zero-probability outcomes, a basis state and
  // the last outcome's, with fewer and more shots than outcomes.
  Rng state_rng(29);
  for (unsigned n : {1U, 3U, 6U, 10U}) {
    for (int shape = 0; shape < 3; ++shape) {
      Vec v = random_state(n, state_rng);
      if (shape == 1)
        for (std::size_t i = 0; i + 1 < v.size(); ++i)
          if (i % 4 != 3) v[i] = 0;  // zero runs, the last outcome possible
      if (shape == 2) {
        std::fill(v.begin(), v.end(), cplx(0));
        v.back() = 1;
      }
      const auto psi = to_state<double>(v);
      std::vector<double> cdf = psi.probabilities();
      double total = 0;
      for (double& c : cdf) c = total += c;
      for (std::uint64_t shots : {std::uint64_t{3}, std::uint64_t{4096}}) {
        Rng a(n * 100 + shape), b(n * 100 + shape);
        const std::vector<index_t> out = psi.sample(shots, a);
        ASSERT_EQ(out.size(), shots);
        for (std::uint64_t s = 0; s < shots; ++s) {
          const double u = b.uniform() * total;
          auto it = std::upper_bound(cdf.begin(), cdf.end(), u);
          if (it == cdf.end()) --it;
          ASSERT_EQ(out[s], static_cast<index_t>(it - cdf.begin()))
              << n << " qubits, shape " << shape << ", shot " << s << " of " << shots;
        }
      }
    }
  }
}

TEST(StateVector, MeasureBellStateCollapsesBothQubits) {
  Circuit bell(2);
  bell.h(0).cnot(0, 1);
  const auto bell_state = simulate(bell);
  const int trials = 400;
  int ones = 0;
  for (int seed = 0; seed < trials; ++seed) {
    StateVector<double> psi = bell_state;
    Rng rng(std::uint64_t(seed) * 7919 + 1);
    const int a = psi.measure(0, rng);
    ASSERT_TRUE(a == 0 || a == 1);
    // collapsed and renormalised: |aa⟩
    const index_t aa = a ? 3 : 0;
    EXPECT_NEAR(std::abs(cplx(psi[aa])), 1.0, 1e-15);
    EXPECT_NEAR(psi.norm_squared(), 1.0, 1e-15);
    const int b = psi.measure(1, rng);
    EXPECT_EQ(a, b) << "seed " << seed;
    ones += a;
  }
  const double sigma = std::sqrt(trials * 0.25);
  EXPECT_LE(std::abs(ones - trials / 2.0), 5 * sigma);
}

TEST(StateVector, MeasureProjectsRandomStates) {
  Rng rng(5);
  for (int t = 0; t < 20; ++t) {
    const unsigned n = 4, q = static_cast<unsigned>(rng.below(n));
    const Vec v = random_state(n, rng);
    StateVector<double> psi = to_state<double>(v);
    const int outcome = psi.measure(q, rng);
    Vec expected = v;
    double p = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (int((i >> q) & 1U) != outcome) expected[i] = 0;
      p += std::norm(expected[i]);
    }
    for (cplx& a : expected) a /= std::sqrt(p);
    EXPECT_LT(dense::max_diff(to_vec(psi), expected), 1e-14);
  }
  // a definite qubit always gives its value
  StateVector<double> b(3);
  b.set_basis_state(0b010);
  for (int t = 0; t < 20; ++t) {
    EXPECT_EQ(b.measure(1, rng), 1);
    EXPECT_EQ(b.measure(0, rng), 0);
  }
}

TEST(StateVector, MeasurementStatisticsOfAnUnevenQubit) {
  // RY(θ)|0⟩ reads 1 with probability sin²(θ/2).
  const double th = 1.1, p1 = std::pow(std::sin(th / 2), 2);
  Circuit c(1);
  c.ry(0, th);
  const auto s = simulate(c);
  const int trials = 2000;
  int ones = 0;
  Rng rng(99);
  for (int t = 0; t < trials; ++t) {
    StateVector<double> psi = s;
    ones += psi.measure(0, rng);
  }
  EXPECT_LE(std::abs(ones - trials * p1), 5 * std::sqrt(trials * p1 * (1 - p1)));
}

TEST(StateVector, ResetLeavesZeroAndKeepsTheOtherQubit) {
  Rng rng(17);
  // Product state |b⟩ ⊗ |a⟩ (qubit 1 in b, qubit 0 in a): resetting qubit 0 gives |b⟩ ⊗ |0⟩ exactly.
  for (int t = 0; t < 20; ++t) {
    const Vec a = random_state(1, rng), b = random_state(1, rng);
    Vec v(4);
    for (std::size_t i = 0; i < 4; ++i) v[i] = b[i >> 1] * a[i & 1];
    StateVector<double> psi = to_state<double>(v);
    psi.reset(0, rng);
    EXPECT_NEAR(psi.probability_one(0), 0.0, 1e-15);
    // the state is |b⟩|0⟩ up to a global phase
    const Vec expected{b[0], 0, b[1], 0};
    EXPECT_NEAR(std::abs(dense::inner(expected, to_vec(psi))), 1.0, 1e-14);
    EXPECT_NEAR(psi.norm_squared(), 1.0, 1e-14);
  }
  // Entangled: the other qubit's reduced state is kept on average. Start from
  // cos(α)|00⟩ + sin(α)|11⟩ ; after resetting qubit 0, qubit 1 reads 1 with probability sin²α and qubit 0 is |0⟩.
  const double alpha = 0.4;
  const int trials = 2000;
  int ones = 0;
  for (int t = 0; t < trials; ++t) {
    StateVector<double> psi(2);
    psi[0] = std::cos(alpha);
    psi[3] = std::sin(alpha);
    psi.reset(0, rng);
    ASSERT_EQ(psi.probability_one(0), 0.0);
    ones += psi.probability_one(1) > 0.5;
  }
  const double p = std::pow(std::sin(alpha), 2);
  EXPECT_LE(std::abs(ones - trials * p), 5 * std::sqrt(trials * p * (1 - p)));
}

/// All Pauli strings on n qubits as (qubit, letter) lists.
std::vector<std::vector<std::pair<unsigned, char>>> all_pauli_strings(unsigned n) {
  std::vector<std::vector<std::pair<unsigned, char>>> out;
  const char letters[4] = {'I', 'X', 'Y', 'Z'};
  for (unsigned code = 0; code < (1U << (2 * n)); ++code) {
    std::vector<std::pair<unsigned, char>> f;
    for (unsigned q = 0; q < n; ++q)
      if (const char l = letters[(code >> (2 * q)) & 3U]; l != 'I') f.emplace_back(q, l);
    out.push_back(f);
  }
  return out;
}

PauliMasks masks_of(const std::vector<std::pair<unsigned, char>>& f) {
  PauliString p;
  for (auto [q, l] : f) p = p * PauliString(l, q);
  return p.masks();
}

TEST(StateVector, PauliExpectationMatchesDense) {
  Rng rng(21);
  for (unsigned n = 1; n <= 3; ++n) {
    const Vec v = random_state(n, rng);
    const auto psi = to_state<double>(v);
    const auto psi_f = to_state<float>(v);
    for (const auto& f : all_pauli_strings(n)) {
      const Vec pv = dense::apply(dense::pauli_string(n, f), v);
      const cplx e = dense::inner(v, pv);
      ASSERT_NEAR(e.imag(), 0.0, 1e-14);
      EXPECT_NEAR(psi.expectation(masks_of(f)), e.real(), 1e-14);
      EXPECT_NEAR(psi_f.expectation(masks_of(f)), e.real(), 1e-5);
    }
  }
  // longer random strings on 6 qubits
  const unsigned n = 6;
  const Vec v = random_state(n, rng);
  const auto psi = to_state<double>(v);
  const auto strings = all_pauli_strings(n);
  for (int t = 0; t < 40; ++t) {
    const auto& f = strings[rng.below(strings.size())];
    const cplx e = dense::inner(v, dense::apply(dense::pauli_string(n, f), v));
    EXPECT_NEAR(psi.expectation(masks_of(f)), e.real(), 1e-14);
  }
  // known values
  StateVector<double> plus(1);
  const cplx r(1 / std::sqrt(2.0));
  plus[0] = r;
  plus[1] = r;
  EXPECT_NEAR(plus.expectation(X(0).masks()), 1.0, 1e-15);
  plus[1] = cplx(0, 1) * r;  // |+i⟩
  EXPECT_NEAR(plus.expectation(Y(0).masks()), 1.0, 1e-15);
  EXPECT_NEAR(plus.expectation(X(0).masks()), 0.0, 1e-15);
  EXPECT_THROW((void)plus.expectation(Z(1).masks()), ValueError);
}

TEST(StateVector, AddPauliAppliedMatchesDense) {
  Rng rng(22);
  const unsigned n = 3;
  for (const auto& f : all_pauli_strings(n)) {
    const Vec src = random_state(n, rng), acc = random_state(n, rng);
    const cplx c(rng.normal(), rng.normal());
    StateVector<double> out = to_state<double>(acc);
    out.add_pauli_applied(to_state<double>(src), masks_of(f), c);
    Vec expected = dense::apply(dense::pauli_string(n, f), src);
    for (std::size_t i = 0; i < expected.size(); ++i) expected[i] = acc[i] + c * expected[i];
    EXPECT_LT(dense::max_diff(to_vec(out), expected), 1e-14);
  }
  StateVector<double> a(2), b(3);
  EXPECT_THROW(a.add_pauli_applied(b, Z(0).masks(), 1.0), ValueError);
}

TEST(StateVector, InnerProduct) {
  Rng rng(23);
  const Vec u = random_state(4, rng), v = random_state(4, rng);
  const auto a = to_state<double>(u), b = to_state<double>(v);
  EXPECT_LT(std::abs(a.inner(b) - dense::inner(u, v)), 1e-15);
  EXPECT_LT(std::abs(b.inner(a) - std::conj(dense::inner(u, v))), 1e-15);  // antilinear in the bra
  EXPECT_NEAR(a.inner(a).real(), 1.0, 1e-14);
  StateVector<double> c(3);
  EXPECT_THROW((void)a.inner(c), ValueError);
}

TEST(StateVector, MatrixElementMatchesDense) {
  Rng rng(24);
  const unsigned n = 5;
  for (int t = 0; t < 30; ++t) {
    const unsigned k = 1 + static_cast<unsigned>(rng.below(3));
    const unsigned nc = static_cast<unsigned>(rng.below(n - k + 1));
    std::vector<unsigned> q = testkit::random_qubits(n, k + nc, rng);
    const std::vector<unsigned> controls(q.begin() + k, q.end());
    q.resize(k);
    Mat m(std::size_t{1} << k);  // any matrix, not necessarily unitary (a derivative)
    for (cplx& e : m.a) e = cplx(rng.normal(), rng.normal());
    const Vec bra = random_state(n, rng), ket = random_state(n, rng);
    const cplx got = StateVector<double>::matrix_element(to_state<double>(bra), q, m.a, controls,
                                                         to_state<double>(ket));
    // C(M): M on the targets where every control is 1, ZERO elsewhere
    const Mat cm = dense::embed(n, q, m, controls, dense::Order::LittleEndian, /*identity_elsewhere=*/false);
    const cplx expected = dense::inner(bra, dense::apply(cm, ket));
    EXPECT_LT(std::abs(got - expected), 1e-13) << "k = " << k << ", controls " << nc;
  }
  StateVector<double> a(2), b(3);
  const unsigned t0[1] = {0};
  const cplx id[4] = {1, 0, 0, 1};
  EXPECT_THROW((void)StateVector<double>::matrix_element(a, t0, id, {}, b), ValueError);
  const unsigned t5[1] = {5};
  EXPECT_THROW((void)StateVector<double>::matrix_element(b, t5, id, {}, b), ValueError);
  const cplx bad[3] = {1, 0, 0};
  EXPECT_THROW((void)StateVector<double>::matrix_element(b, t0, bad, {}, b), ValueError);
}

TEST(StateVector, ApplyDiagonalMatchesDense) {
  Rng rng(25);
  const unsigned n = 5;
  for (int t = 0; t < 20; ++t) {
    const unsigned k = 1 + static_cast<unsigned>(rng.below(3));
    const unsigned nc = static_cast<unsigned>(rng.below(3));
    std::vector<unsigned> q = testkit::random_qubits(n, k + nc, rng);
    const std::vector<unsigned> controls(q.begin() + k, q.end());
    q.resize(k);
    Mat m(std::size_t{1} << k);
    std::vector<cplx> d(m.dim);
    for (std::size_t i = 0; i < m.dim; ++i) m(i, i) = d[i] = std::polar(1.0, rng.uniform(-3, 3));
    const Vec v = random_state(n, rng);
    StateVector<double> psi = to_state<double>(v);
    psi.apply_diagonal(q, d, controls);
    EXPECT_LT(dense::max_diff(to_vec(psi), dense::apply(dense::embed(n, q, m, controls), v)), 1e-14);
  }
}

TEST(StateVector, WideDiagonalAndWideUnitary) {
  // 6-target diagonal (more entries than the kernel's small buffer) and a 4-qubit controlled unitary on 8 qubits.
  Rng rng(26);
  const unsigned n = 8;
  const std::vector<unsigned> q = testkit::random_qubits(n, 8, rng);
  const std::vector<unsigned> targets(q.begin(), q.begin() + 6), controls{q[6]};
  Mat m(64);
  std::vector<cplx> d(64);
  for (std::size_t i = 0; i < 64; ++i) m(i, i) = d[i] = std::polar(1.0, rng.uniform(-3, 3));
  const Vec v = random_state(n, rng);
  StateVector<double> psi = to_state<double>(v);
  psi.apply_diagonal(targets, d, controls);
  Vec ref = dense::apply(dense::embed(n, targets, m, controls), v);
  EXPECT_LT(dense::max_diff(to_vec(psi), ref), 1e-14);
  // the same diagonal as a full matrix through apply_matrix
  StateVector<double> psi2 = to_state<double>(v);
  psi2.apply_matrix(targets, m.a, controls);
  EXPECT_LT(dense::max_diff(to_vec(psi2), ref), 1e-14);
  // a dense 4-qubit unitary with one control, via a circuit
  Circuit c(n);
  c.unitary({q[3], q[0], q[5], q[1]}, random_unitary(4, rng).a, {q[7]});
  c.unitary({q[2], q[4], q[6], q[7], q[0], q[1]}, random_unitary(6, rng).a);
  check_against_dense<double>(c, v, 1e-12);
}

TEST(StateVector, InvalidGatesThrowValueError) {
  StateVector<double> psi(3);
  const cplx x[4] = {0, 1, 1, 0};
  const cplx cx4[16] = {1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0};
  const unsigned q3[1] = {3}, q0[1] = {0}, q00[2] = {0, 0}, q01[2] = {0, 1}, c0[1] = {0}, c9[1] = {9};
  EXPECT_THROW(psi.apply_matrix(q3, x), ValueError);               // qubit out of range
  EXPECT_THROW(psi.apply_matrix(q0, x, c9), ValueError);           // control out of range
  EXPECT_THROW(psi.apply_matrix(q00, cx4), ValueError);            // duplicate target
  EXPECT_THROW(psi.apply_matrix(q0, x, c0), ValueError);           // control = target
  EXPECT_THROW(psi.apply_matrix(q01, x), ValueError);              // 2 targets need a 4×4 matrix
  EXPECT_THROW(psi.apply_matrix(q0, cx4), ValueError);             // 1 target needs a 2×2 matrix
  EXPECT_THROW(psi.apply_matrix({}, x), ValueError);               // no target
  EXPECT_THROW(psi.apply_diagonal(q3, std::vector<cplx>{1, 1}), ValueError);
  EXPECT_THROW(psi.apply_diagonal(q0, std::vector<cplx>{1, 1, 1}), ValueError);
  EXPECT_THROW(psi.apply_diagonal(q00, std::vector<cplx>{1, 1, 1, 1}), ValueError);
  EXPECT_THROW((void)psi.amplitude(8), ValueError);
  EXPECT_THROW(psi.set_basis_state(8), ValueError);
  // nothing was changed by the failed calls
  EXPECT_EQ(psi[0], cplx(1));
  EXPECT_NEAR(psi.norm_squared(), 1.0, 0);
}

TEST(StateVector, HugeStateThrowsResourceErrorNamingTheBytes) {
  try {
    StateVector<double> psi(45);
    FAIL() << "a 45-qubit state was allocated";
  } catch (const ResourceError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("needs"), std::string::npos) << msg;
    // 2^45 amplitudes × 16 bytes = 512 TiB
    EXPECT_TRUE(msg.find("512.0 TiB") != std::string::npos || msg.find("562949953421312") != std::string::npos)
        << msg;
    EXPECT_NE(msg.find("45 qubits"), std::string::npos) << msg;
  }
  try {
    StateVector<float> psi(45);
    FAIL() << "a 45-qubit state was allocated";
  } catch (const ResourceError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("needs"), std::string::npos) << msg;
    EXPECT_TRUE(msg.find("256.0 TiB") != std::string::npos || msg.find("281474976710656") != std::string::npos)
        << msg;
  }
  EXPECT_THROW(StateVector<double>(StateVector<double>::kMaxQubits + 1), ResourceError);
  EXPECT_EQ(StateVector<double>::bytes_needed(45), std::uint64_t{1} << 49);
  EXPECT_EQ(StateVector<float>::bytes_needed(10), 8U * 1024U);
}

TEST(StateVector, FromAmplitudes) {
  const std::vector<cplx> three(3, 0.5), empty;
  EXPECT_THROW((void)StateVector<double>::from_amplitudes(three), ValueError);
  EXPECT_THROW((void)StateVector<double>::from_amplitudes(empty), ValueError);
  const std::vector<cplx> six(6, 0.5);
  EXPECT_THROW((void)StateVector<double>::from_amplitudes(six), ValueError);
  const std::vector<cplx> four{1, 2, 3, cplx(0, 4)};
  const auto s = StateVector<double>::from_amplitudes(four);
  EXPECT_EQ(s.num_qubits(), 2U);
  EXPECT_EQ(s.size(), 4U);
  EXPECT_EQ(s.amplitude(3), cplx(0, 4));  // not renormalised
  EXPECT_EQ(s.norm_squared(), 30.0);
  const std::vector<cplx> one{cplx(0.6, 0.8)};
  EXPECT_EQ(StateVector<double>::from_amplitudes(one).num_qubits(), 0U);
}

TEST(StateVector, NormalizeScaleAndBasisStates) {
  const std::vector<cplx> four{1, 2, 3, cplx(0, 4)};
  auto s = StateVector<double>::from_amplitudes(four);
  s.normalize();
  EXPECT_NEAR(s.norm_squared(), 1.0, 1e-15);
  EXPECT_NEAR(std::abs(s[1] - cplx(2 / std::sqrt(30.0))), 0.0, 1e-15);
  s.scale(cplx(0, 2));
  EXPECT_NEAR(s.norm_squared(), 4.0, 1e-14);
  s.set_zero();
  EXPECT_EQ(s.norm_squared(), 0.0);
  EXPECT_THROW(s.normalize(), ValueError);
  s.set_basis_state(2);
  EXPECT_EQ(s.probabilities(), (std::vector<double>{0, 0, 1, 0}));
  StateVector<float> f(4);
  EXPECT_EQ(f[0], complex<float>(1));
  EXPECT_EQ(f.norm_squared(), 1.0);
}

}  // namespace
}  // namespace qnn
