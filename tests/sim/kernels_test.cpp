// Every fast kernel against the scalar reference, on every qubit position, both precisions, every instruction set
// this CPU has (an instruction set the CPU lacks is reported as skipped, not passed).
#include "qnn/sim/kernels.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <vector>

#include "qnn/core/parallel.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/sim/state_vector.hpp"
#include "sim/random_circuits.hpp"

namespace qnn {
namespace {

template <Real T>
StateVector<T> random_state(unsigned n, Rng& rng) {
  return testkit::to_state<T>(testkit::random_state(n, rng));
}

std::vector<cplx> random_unitary(unsigned k, Rng& rng) { return testkit::random_unitary(k, rng).a; }

class IsaGuard {
 public:
  explicit IsaGuard(Isa isa) : saved_(active_isa()) { set_active_isa(isa); }
  ~IsaGuard() { set_active_isa(saved_); }
  IsaGuard(const IsaGuard&) = delete;
  IsaGuard& operator=(const IsaGuard&) = delete;

 private:
  Isa saved_;
};

template <Real T>
double max_diff(const StateVector<T>& a, const StateVector<T>& b) {
  double d = 0;
  for (index_t i = 0; i < a.size(); ++i) d = std::max(d, double(std::abs(a[i] - b[i])));
  return d;
}

// The largest amplitude difference after applying `m` on `targets` (controlled on `controls`) to one random state
// with the scalar reference and with `isa`.
template <Real T>
double gap_to_reference(Isa isa, unsigned n, Rng& rng, std::span<const unsigned> targets, std::span<const cplx> m,
                        std::span<const unsigned> controls = {}) {
  auto ref = random_state<T>(n, rng);
  auto fast = ref;
  {
    IsaGuard g(Isa::Reference);
    ref.apply_matrix(targets, m, controls);
  }
  {
    IsaGuard g(isa);
    fast.apply_matrix(targets, m, controls);
  }
  return max_diff(ref, fast);
}

template <Real T>
void check_all_positions(Isa isa, double tol) {
  Rng rng(1234);
  // Above the small-state kernels' sizes: every gate here takes the vector kernels.
  const unsigned n = StateVector<T>::kSmall1qQubits + 1;
  // Every target position for 1-qubit gates, with and without controls below/above.
  for (unsigned k = 1; k <= 3; ++k) {
    for (int trial = 0; trial < (k == 1 ? 40 : 60); ++trial) {
      std::vector<unsigned> qubits(n);
      for (unsigned q = 0; q < n; ++q) qubits[q] = q;
      rng.shuffle(qubits);
      std::vector<unsigned> targets(qubits.begin(), qubits.begin() + k);
      if (k == 1) targets = {static_cast<unsigned>(trial % n)};
      std::vector<unsigned> controls;
      const unsigned nc = static_cast<unsigned>(rng.below(3));
      for (unsigned c = 0; c < nc; ++c) {
        const unsigned q = qubits[(k + c) % n];
        if (std::find(targets.begin(), targets.end(), q) == targets.end()) controls.push_back(q);
      }
      const auto u = random_unitary(k, rng);
      ASSERT_LT(gap_to_reference<T>(isa, n, rng, targets, u, controls), tol)
          << "isa " << isa_name(isa) << " k=" << k << " target0=" << targets[0];
    }
  }
  // Diagonal, permutation-like and 4-, 5-qubit gates.
  for (unsigned k : {1U, 2U, 4U, 5U}) {
    std::vector<unsigned> targets;
    for (unsigned t = 0; t < k; ++t) targets.push_back((3 * t + 1) % n);
    std::vector<cplx> d(std::size_t{1} << k);
    for (auto& x : d) x = std::polar(1.0, rng.uniform(0, 6.28));
    auto ref = random_state<T>(n, rng);
    auto fast = ref;
    {
      IsaGuard g(Isa::Reference);
      ref.apply_diagonal(targets, d);
    }
    {
      IsaGuard g(isa);
      fast.apply_diagonal(targets, d);
    }
    ASSERT_LT(max_diff(ref, fast), tol) << "diagonal k=" << k;
    const auto u = random_unitary(k, rng);
    {
      IsaGuard g(Isa::Reference);
      ref.apply_matrix(targets, u);
    }
    {
      IsaGuard g(isa);
      fast.apply_matrix(targets, u);
    }
    ASSERT_LT(max_diff(ref, fast), tol) << "dense k=" << k;
  }
  // X on every qubit and CNOT on every ordered pair: pure moves.
  const cplx x[4] = {0, 1, 1, 0};
  for (unsigned t = 0; t < n; ++t)
    for (unsigned c = 0; c < n; ++c) {
      auto ref = random_state<T>(n, rng);
      auto fast = ref;
      const unsigned tt[1] = {t}, cc[1] = {c};
      const std::span<const unsigned> ctrl = c == t ? std::span<const unsigned>() : std::span<const unsigned>(cc);
      {
        IsaGuard g(Isa::Reference);
        ref.apply_matrix(tt, x, ctrl);
      }
      {
        IsaGuard g(isa);
        fast.apply_matrix(tt, x, ctrl);
      }
      ASSERT_EQ(max_diff(ref, fast), 0.0) << "X target " << t << " control " << c;
    }
}

// Permutation matrices move amplitudes without arithmetic, and only the streams a permutation changes are touched:
// SWAP on every ordered pair (two of its four streams move), random permutations of 2 and 3 qubits (some with fixed
// points, the identity among them) with and without a control, each against the reference and exactly.
template <Real T>
void check_permutations(Isa isa) {
  Rng rng(2718);
  const unsigned n = 8;
  const cplx swap[16] = {1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1};
  for (unsigned a = 0; a < n; ++a)
    for (unsigned b = 0; b < n; ++b) {
      if (a == b) continue;
      const unsigned pair[2] = {a, b};
      ASSERT_EQ(gap_to_reference<T>(isa, n, rng, pair, swap), 0.0) << "isa " << isa_name(isa) << " swap " << a << ","
                                                                     << b;
    }
  for (int trial = 0; trial < 60; ++trial) {
    const unsigned k = 2 + static_cast<unsigned>(trial % 2);
    std::vector<unsigned> qubits(n);
    for (unsigned q = 0; q < n; ++q) qubits[q] = q;
    rng.shuffle(qubits);
    const std::vector<unsigned> targets(qubits.begin(), qubits.begin() + k);
    std::vector<unsigned> controls;
    if (trial % 3 == 0) controls.push_back(qubits[k]);
    const std::size_t dim = std::size_t{1} << k;
    std::vector<std::size_t> perm(dim);
    for (std::size_t i = 0; i < dim; ++i) perm[i] = i;
    if (trial % 7 != 0) rng.shuffle(perm);  // every 7th: the identity
    std::vector<cplx> m(dim * dim, cplx(0));
    for (std::size_t r = 0; r < dim; ++r) m[r * dim + perm[r]] = 1;
    ASSERT_EQ(gap_to_reference<T>(isa, n, rng, targets, m, controls), 0.0) << "isa " << isa_name(isa) << " trial "
                                                                            << trial;
  }
}

// Two-qubit gates whose streams fall into independent parts: RXX and RYY ({00, 11} and {01, 10}), iSWAP ({01, 10}
// and two fixed streams), and two random 2 x 2 unitaries on {00, 11} and {01, 10}, on every ordered pair of qubits,
// one of them with a control.
template <Real T>
void check_split_gates(Isa isa, double tol) {
  Rng rng(1618);
  const unsigned n = 8;
  for (unsigned a = 0; a < n; ++a)
    for (unsigned b = 0; b < n; ++b) {
      if (a == b) continue;
      const double th = rng.uniform(0, 6.28);
      const cplx c(std::cos(th / 2)), is(0, -std::sin(th / 2)), i(0, 1);
      const std::vector<cplx> rxx = {c, 0, 0, is, 0, c, is, 0, 0, is, c, 0, is, 0, 0, c};
      const std::vector<cplx> ryy = {c, 0, 0, -is, 0, c, is, 0, 0, is, c, 0, -is, 0, 0, c};
      const std::vector<cplx> iswap = {1, 0, 0, 0, 0, 0, i, 0, 0, i, 0, 0, 0, 0, 0, 1};
      const auto u = random_unitary(1, rng), v = random_unitary(1, rng);
      const std::vector<cplx> blocks = {u[0], 0, 0, u[1], 0, v[0], v[1], 0, 0, v[2], v[3], 0, u[2], 0, 0, u[3]};
      std::vector<unsigned> controls;
      if ((a + b) % 3 == 0) {
        unsigned c0 = 0;
        while (c0 == a || c0 == b) ++c0;
        controls.push_back(c0);
      }
      const unsigned pair[2] = {a, b};
      for (const auto* m : {&rxx, &ryy, &iswap, &blocks}) {
        ASSERT_LT(gap_to_reference<T>(isa, n, rng, pair, *m, controls), tol)
            << "isa " << isa_name(isa) << " pair " << a << "," << b << " gate "
            << (m == &rxx ? "rxx" : m == &ryy ? "ryy" : m == &iswap ? "iswap" : "blocks");
      }
    }
}

// Fused 3- and 4-qubit blocks have compile-time kernels for each split of their targets between in-register lanes and
// streams: every target set of 3 and 4 out of 8 qubits (each in a shuffled order, every other one with a control)
// reaches every one of those shapes on every instruction set.
template <Real T>
void check_every_dense_shape(Isa isa, double tol) {
  Rng rng(4321);
  const unsigned n = 8;
  for (unsigned k = 3; k <= 4; ++k)
    for (unsigned set = 0; set < (1U << n); ++set) {
      if (static_cast<unsigned>(std::popcount(set)) != k) continue;
      std::vector<unsigned> targets, others;
      for (unsigned q = 0; q < n; ++q) (set >> q & 1U ? targets : others).push_back(q);
      rng.shuffle(targets);
      std::vector<unsigned> controls;
      if (set % 2 == 1) controls.push_back(others[rng.below(others.size())]);
      const auto u = random_unitary(k, rng);
      ASSERT_LT(gap_to_reference<T>(isa, n, rng, targets, u, controls), tol)
          << "isa " << isa_name(isa) << " k=" << k << " target set " << set;
    }
}

// Small states take the small-state kernels (kernels::apply_1q_small up to StateVector::kSmall1qQubits, 2-qubit
// gates without controls kernels::apply_2q_small up to kSmall2qQubits); the sizes up to one past each bound check
// that both sides of it agree with the reference on every target (every ordered pair of targets), with and without
// controls.
template <Real T>
void check_small_states(Isa isa, double tol) {
  Rng rng(99);
  for (unsigned n = 2; n <= StateVector<T>::kSmall2qQubits + 1; ++n)
    for (unsigned t0 = 0; t0 < n; ++t0)
      for (unsigned t1 = 0; t1 < n; ++t1) {
        if (t1 == t0) continue;
        const std::vector<unsigned> targets{t0, t1};
        const auto u = random_unitary(2, rng);
        ASSERT_LT(gap_to_reference<T>(isa, n, rng, targets, u), tol)
            << "isa " << isa_name(isa) << " n=" << n << " t0=" << t0 << " t1=" << t1;
      }
  for (unsigned n = 1; n <= StateVector<T>::kSmall1qQubits + 1; ++n)
    for (unsigned t = 0; t < n; ++t)
      for (unsigned nc = 0; nc < std::min(n, 3U); ++nc) {
        std::vector<unsigned> others;
        for (unsigned q = 0; q < n; ++q)
          if (q != t) others.push_back(q);
        rng.shuffle(others);
        const std::vector<unsigned> controls(others.begin(), others.begin() + nc);
        const std::vector<unsigned> targets{t};
        const auto u = random_unitary(1, rng);
        ASSERT_LT(gap_to_reference<T>(isa, n, rng, targets, u, controls), tol)
            << "isa " << isa_name(isa) << " n=" << n << " t=" << t << " nc=" << nc;
      }
}

// A state large enough for several chunks on two threads: the group enumeration across chunk boundaries, on every
// qubit position, for 1- and 2-qubit gates with a control.
template <Real T>
void check_chunked_state(Isa isa, double tol) {
  Rng rng(7);
  const unsigned n = 13;  // 16 chunks of a 1-qubit gate: enough to go parallel
  const int saved = num_threads();
  set_num_threads(2);
  auto ref = random_state<T>(n, rng);
  auto fast = ref;
  for (unsigned q = 0; q < n; ++q) {
    const unsigned other = (q + 1) % n, ctrl = (q + n / 2) % n;
    const auto u1 = random_unitary(1, rng), u2 = random_unitary(2, rng);
    const std::vector<unsigned> one{q}, two{other, q}, controls{ctrl};
    {
      IsaGuard g(Isa::Reference);
      ref.apply_matrix(one, u1);
      ref.apply_matrix(two, u2);
      ref.apply_matrix(one, u1, controls);
    }
    {
      IsaGuard g(isa);
      fast.apply_matrix(one, u1);
      fast.apply_matrix(two, u2);
      fast.apply_matrix(one, u1, controls);
    }
    ASSERT_LT(max_diff(ref, fast), tol) << "isa " << isa_name(isa) << " qubit " << q;
  }
  set_num_threads(saved);
}

// Real matrices (H, RY, real fused blocks) take sweeps that drop the imaginary half of the arithmetic: random real
// orthogonal 1- and 2-qubit matrices (products of Givens rotations, a reflection half the time) on every target and
// ordered pair, with 0-2 random controls.
template <Real T>
void check_real_matrices(Isa isa, double tol) {
  Rng rng(99);
  const unsigned n = 8;
  auto orthogonal = [&](unsigned k) {
    const unsigned dim = 1U << k;
    std::vector<double> o(dim * dim, 0.0);
    for (unsigned i = 0; i < dim; ++i) o[i * dim + i] = 1;
    for (unsigned r = 0; r < 3 * dim; ++r) {
      const unsigned a = static_cast<unsigned>(rng.below(dim)), b = (a + 1 + static_cast<unsigned>(rng.below(dim - 1))) % dim;
      const double t = rng.uniform(0, 6.28), c = std::cos(t), s = std::sin(t);
      for (unsigned col = 0; col < dim; ++col) {
        const double x = o[a * dim + col], y = o[b * dim + col];
        o[a * dim + col] = c * x - s * y;
        o[b * dim + col] = s * x + c * y;
      }
    }
    if (rng.below(2)) for (unsigned col = 0; col < dim; ++col) o[col] = -o[col];
    return std::vector<cplx>(o.begin(), o.end());
  };
  for (unsigned a = 0; a < n; ++a)
    for (unsigned b = 0; b < n; ++b) {
      std::vector<unsigned> targets = a == b ? std::vector<unsigned>{a} : std::vector<unsigned>{a, b};
      std::vector<unsigned> controls;
      for (unsigned q = 0, want = static_cast<unsigned>(rng.below(3)); q < n && controls.size() < want; ++q) {
        const unsigned c = static_cast<unsigned>(rng.below(n));
        if (std::find(targets.begin(), targets.end(), c) == targets.end() &&
            std::find(controls.begin(), controls.end(), c) == controls.end())
          controls.push_back(c);
      }
      const auto m = orthogonal(static_cast<unsigned>(targets.size()));
      ASSERT_LT(gap_to_reference<T>(isa, n, rng, targets, m, controls), tol)
          << "isa " << isa_name(isa) << " targets " << a << "," << b << " controls " << controls.size();
    }
}

class KernelIsa : public ::testing::TestWithParam<Isa> {};

// ⟨bra| M_t |ket⟩ of a 1-qubit matrix (kernels::matrix_element_1q) against the Reference ISA's scalar loop: every
// target of 1 to 9 qubits (the t = 0 vector form, runs of one pair at t = 1 in a 1-pair block, two pairs per vector)
// and 14 qubits (two blocks of 2^12 pairs).
template <Real T>
void check_matrix_element_1q(Isa isa, double tol) {
  Rng rng(5);
  for (unsigned n : {1U, 2U, 3U, 5U, 9U, 14U})
    for (unsigned t = 0; t < n; ++t) {
      const auto bra = random_state<T>(n, rng);
      const auto ket = random_state<T>(n, rng);
      const auto m = random_unitary(1, rng);
      const unsigned tq[1] = {t};
      cplx want, got;
      {
        IsaGuard g(Isa::Reference);
        want = StateVector<T>::matrix_element(bra, tq, m, {}, ket);
      }
      {
        IsaGuard g(isa);
        got = StateVector<T>::matrix_element(bra, tq, m, {}, ket);
      }
      ASSERT_LT(std::abs(got - want), tol) << "isa " << isa_name(isa) << " n=" << n << " t=" << t;
      ASSERT_GT(std::abs(want), 1e-6);  // random states: not a vacuous zero
    }
}

// ⟨ψ|P|ψ⟩ and out += c·P src through the vector kernels against the Reference ISA's scalar loops: X masks even and odd
// (partners loaded as they lie or with halves swapped), Z masks with and without qubit 0, Y factors, the identity, on
// 1-6 qubits and on 13 (two blocks of rows, added in order, and the rows' partners in the other block).
template <Real T>
void check_pauli_kernels(Isa isa, double tol) {
  Rng rng(77);
  for (unsigned n : {1U, 2U, 3U, 6U, 13U}) {
    const StateVector<T> psi = random_state<T>(n, rng);
    const StateVector<T> base = random_state<T>(n, rng);
    const index_t all = (index_t{1} << n) - 1;
    std::vector<PauliMasks> strings = {{0, 0}, {0, 1}, {1, 0}, {1, 1}, {all, 0}, {0, all}, {all, all}};
    for (int k = 0; k < 6; ++k) strings.push_back({rng.below(all + 1), rng.below(all + 1)});
    for (const PauliMasks& p : strings) {
      const cplx c(0.3, -0.7);
      double want = 0, got = 0;
      StateVector<T> want_out = base, got_out = base;
      {
        IsaGuard g(Isa::Reference);
        want = psi.expectation(p);
        want_out.add_pauli_applied(psi, p, c);
      }
      {
        IsaGuard g(isa);
        got = psi.expectation(p);
        got_out.add_pauli_applied(psi, p, c);
      }
      ASSERT_NEAR(got, want, tol) << isa_name(isa) << " n=" << n << " x=" << p.x << " z=" << p.z;
      for (index_t i = 0; i < psi.size(); ++i)
        ASSERT_LT(std::abs(cplx(got_out[i]) - cplx(want_out[i])), tol) << "n=" << n << " x=" << p.x << " z=" << p.z;
    }
    // Not vacuous: a Z string's value on a random state is not 0, and the state changed.
    const IsaGuard g(isa);
    ASSERT_GT(std::abs(psi.expectation(PauliMasks{0, 1})), 1e-6);
  }
}

TEST_P(KernelIsa, PauliExpectationAndApplicationMatchReference) {
  if (!isa_supported(GetParam())) GTEST_SKIP() << "CPU lacks " << isa_name(GetParam());
  check_pauli_kernels<double>(GetParam(), 1e-12);
  check_pauli_kernels<float>(GetParam(), 1e-4);
}

TEST_P(KernelIsa, OneQubitMatrixElementMatchesReference) {
  if (!isa_supported(GetParam())) GTEST_SKIP() << "CPU lacks " << isa_name(GetParam());
  check_matrix_element_1q<double>(GetParam(), 1e-13);
  check_matrix_element_1q<float>(GetParam(), 2e-6);
}

TEST_P(KernelIsa, SmallStatesMatchReference) {
  if (!isa_supported(GetParam())) GTEST_SKIP() << "CPU lacks " << isa_name(GetParam());
  check_small_states<double>(GetParam(), 1e-13);
  check_small_states<float>(GetParam(), 2e-6);
}

TEST_P(KernelIsa, ChunkedStateMatchesReference) {
  if (!isa_supported(GetParam())) GTEST_SKIP() << "CPU lacks " << isa_name(GetParam());
  check_chunked_state<double>(GetParam(), 1e-12);
  check_chunked_state<float>(GetParam(), 2e-5);
}

TEST_P(KernelIsa, EveryFusedBlockShapeMatchesReference) {
  if (!isa_supported(GetParam())) GTEST_SKIP() << "CPU lacks " << isa_name(GetParam());
  check_every_dense_shape<double>(GetParam(), 1e-12);
  check_every_dense_shape<float>(GetParam(), 2e-5);
}

TEST_P(KernelIsa, PermutationsMatchReferenceExactly) {
  if (!isa_supported(GetParam())) GTEST_SKIP() << "CPU lacks " << isa_name(GetParam());
  check_permutations<double>(GetParam());
  check_permutations<float>(GetParam());
}

TEST_P(KernelIsa, MatchesReferenceDouble) {
  if (!isa_supported(GetParam())) GTEST_SKIP() << "CPU lacks " << isa_name(GetParam());
  check_all_positions<double>(GetParam(), 1e-13);
}

TEST_P(KernelIsa, MatchesReferenceFloat) {
  if (!isa_supported(GetParam())) GTEST_SKIP() << "CPU lacks " << isa_name(GetParam());
  check_all_positions<float>(GetParam(), 2e-6);
}

INSTANTIATE_TEST_SUITE_P(AllIsas, KernelIsa, ::testing::Values(Isa::Scalar, Isa::Avx2, Isa::Avx512),
                         [](const auto& p) { return std::string(isa_name(p.param)); });

// Gates whose streams are far apart (256 MiB by default) go through staged_sweep; with the threshold at one byte every
// gate with a streamed target does, so the staged sweep meets every shape, mode (dense, diagonal, permutation) and
// qubit position on small states.
// Sets a kernel size threshold for the scope (staged sweeps, split parts) and restores it.
class ThresholdGuard {
 public:
  ThresholdGuard(std::size_t (*get)(), void (*set)(std::size_t), std::size_t value) : set_(set), saved_(get()) {
    set(value);
  }
  ~ThresholdGuard() { set_(saved_); }
  ThresholdGuard(const ThresholdGuard&) = delete;
  ThresholdGuard& operator=(const ThresholdGuard&) = delete;

 private:
  void (*set_)(std::size_t);
  std::size_t saved_;
};

struct StageEverything : ThresholdGuard {
  StageEverything() : ThresholdGuard(kernels::stage_from_bytes, kernels::set_stage_from_bytes, 1) {}
};

TEST_P(KernelIsa, StagedSweepsMatchReference) {
  if (!isa_supported(GetParam())) GTEST_SKIP() << "CPU lacks " << isa_name(GetParam());
  const StageEverything stage;
  check_all_positions<double>(GetParam(), 1e-13);
  check_all_positions<float>(GetParam(), 2e-6);
  check_every_dense_shape<double>(GetParam(), 1e-12);
  check_permutations<double>(GetParam());
  check_chunked_state<double>(GetParam(), 1e-12);
  check_chunked_state<float>(GetParam(), 2e-5);
}

TEST_P(KernelIsa, RealMatricesMatchReference) {
  if (!isa_supported(GetParam())) GTEST_SKIP() << "CPU lacks " << isa_name(GetParam());
  check_real_matrices<double>(GetParam(), 1e-13);
  check_real_matrices<float>(GetParam(), 2e-6);
  const StageEverything stage;
  check_real_matrices<double>(GetParam(), 1e-13);
  check_real_matrices<float>(GetParam(), 2e-6);
}

// A run of gates (StateVector::apply_matrices) goes block by block where consecutive gates lie on low qubits; with
// the block lowered to 64 amplitudes, n = 9 has eight blocks, and n = 16 has four (double) or two (float) at the
// default 256 KiB. Random 1-3-qubit gates
// (dense, real, diagonal, permutations; 0-2 controls), mostly on low qubits, against the reference gate by gate.
template <Real T>
void check_dense_runs(Isa isa, double tol) {
  Rng rng(515);
  for (const unsigned n : {9U, 16U}) {
    const std::size_t saved = kernels::dense_block_bytes();
    if (n == 9) kernels::set_dense_block_bytes(64 * sizeof(complex<T>));
    std::vector<std::vector<unsigned>> targets, controls;
    std::vector<std::vector<cplx>> matrices;
    for (int i = 0; i < 60; ++i) {
      const unsigned k = 1 + static_cast<unsigned>(rng.below(3));
      const unsigned span = rng.below(5) == 0 ? n : n - 3;
      std::vector<unsigned> q(span);
      for (unsigned j = 0; j < span; ++j) q[j] = j;
      rng.shuffle(q);
      targets.emplace_back(q.begin(), q.begin() + k);
      controls.emplace_back(q.begin() + k, q.begin() + k + static_cast<unsigned>(rng.below(3)));
      const std::size_t dim = std::size_t{1} << k;
      std::vector<cplx> m = random_unitary(k, rng);
      switch (i % 4) {
        case 1:  // real
          for (auto& a : m) a = cplx(a.real(), 0);
          break;
        case 2:  // diagonal
          for (std::size_t r = 0; r < dim; ++r)
            for (std::size_t c = 0; c < dim; ++c) m[r * dim + c] = r == c ? std::polar(1.0, rng.uniform(0, 6.28)) : 0;
          break;
        case 3:  // a permutation (a cyclic shift of the basis)
          for (std::size_t r = 0; r < dim; ++r)
            for (std::size_t c = 0; c < dim; ++c) m[r * dim + c] = c == (r + 1) % dim ? 1 : 0;
          break;
        default: break;
      }
      matrices.push_back(std::move(m));
    }
    std::vector<kernels::DenseGate> run;
    for (std::size_t i = 0; i < matrices.size(); ++i) run.push_back({targets[i], matrices[i], controls[i]});
    auto ref = random_state<T>(n, rng);
    auto fast = ref;
    {
      IsaGuard g(Isa::Reference);
      for (const auto& gate : run) ref.apply_matrix(gate.targets, gate.matrix, gate.controls);
    }
    {
      IsaGuard g(isa);
      fast.apply_matrices(run);
    }
    kernels::set_dense_block_bytes(saved);
    ASSERT_LT(max_diff(ref, fast), tol) << "isa " << isa_name(isa) << " n=" << n;
  }
}

// Runs of real 1-qubit gates without controls (an RY layer): consecutive ones on two streamed qubits share one pass
// (real_pair_sweep). Every qubit, the lane qubits (never paired) and repeated qubits (never paired) included; inside
// blocks (n = 9 with 64-amplitude blocks, n = 16's low qubits) and over the whole state (n = 12, n = 16's high qubits).
template <Real T>
void check_real_pairs(Isa isa, double tol) {
  Rng rng(616);
  for (const unsigned n : {9U, 12U, 16U}) {
    const std::size_t saved = kernels::dense_block_bytes();
    if (n == 9) kernels::set_dense_block_bytes(64 * sizeof(complex<T>));
    std::vector<unsigned> qubits;
    for (unsigned q = 0; q < n; ++q) qubits.push_back(q);
    for (unsigned q = n; q-- > 0;) qubits.push_back(q);
    for (int i = 0; i < 3 * static_cast<int>(n); ++i) qubits.push_back(static_cast<unsigned>(rng.below(n)));
    qubits.push_back(qubits.back());
    std::vector<std::vector<cplx>> matrices;
    std::vector<std::vector<unsigned>> targets;
    for (unsigned q : qubits) {
      const double a = rng.uniform(-3, 3);
      // A rotation times a reflection now and then: a general real orthogonal 2x2, not only RY's form.
      const double sgn = rng.below(3) == 0 ? -1 : 1;
      matrices.push_back({std::cos(a), -std::sin(a) * sgn, std::sin(a), std::cos(a) * sgn});
      targets.push_back({q});
    }
    std::vector<kernels::DenseGate> run;
    for (std::size_t i = 0; i < matrices.size(); ++i) run.push_back({targets[i], matrices[i], {}});
    auto ref = random_state<T>(n, rng);
    auto fast = ref;
    {
      IsaGuard g(Isa::Reference);
      for (const auto& gate : run) ref.apply_matrix(gate.targets, gate.matrix, gate.controls);
    }
    StateVector<T> by_threads[2] = {fast, fast};
    for (int t = 0; t < 2; ++t) {
      const int threads = num_threads();
      set_num_threads(t + 1);
      IsaGuard g(isa);
      by_threads[t].apply_matrices(run);
      set_num_threads(threads);
    }
    kernels::set_dense_block_bytes(saved);
    ASSERT_LT(max_diff(ref, by_threads[0]), tol) << "isa " << isa_name(isa) << " n=" << n;
    ASSERT_EQ(max_diff(by_threads[0], by_threads[1]), 0.0) << "isa " << isa_name(isa) << " n=" << n;
  }
}

TEST_P(KernelIsa, DenseRunsMatchReference) {
  if (!isa_supported(GetParam())) GTEST_SKIP() << "CPU lacks " << isa_name(GetParam());
  check_dense_runs<double>(GetParam(), 1e-12);
  check_dense_runs<float>(GetParam(), 2e-5);
  check_real_pairs<double>(GetParam(), 1e-12);
  check_real_pairs<float>(GetParam(), 2e-5);
}

// Independent parts run as separate sweeps from 8 MiB up; with the threshold at zero, on small states too, staged
// and not.
struct SplitEverything : ThresholdGuard {
  SplitEverything() : ThresholdGuard(kernels::split_from_bytes, kernels::set_split_from_bytes, 0) {}
};

TEST_P(KernelIsa, IndependentPartsMatchReference) {
  if (!isa_supported(GetParam())) GTEST_SKIP() << "CPU lacks " << isa_name(GetParam());
  check_split_gates<double>(GetParam(), 1e-13);
  check_split_gates<float>(GetParam(), 2e-6);
  const SplitEverything split;
  check_split_gates<double>(GetParam(), 1e-13);
  check_split_gates<float>(GetParam(), 2e-6);
  check_all_positions<double>(GetParam(), 1e-13);
  check_every_dense_shape<double>(GetParam(), 1e-12);
  check_chunked_state<double>(GetParam(), 1e-12);
  const StageEverything stage;
  check_split_gates<double>(GetParam(), 1e-13);
  check_split_gates<float>(GetParam(), 2e-6);
  check_chunked_state<double>(GetParam(), 1e-12);
}

// kernels::diagonal_pass against its definition, amplitude by amplitude: d(i) = lo[i mod 2^k] · hi[i >> k] applied to
// φ and λ, corr_lo and corr_hi the sums of c(i) = Im(conj(λ_i) φ_i) over the blocks and within each block. Several
// block sizes (one block, the smallest, many), with and without λ; 1 and 2 threads give the same bits.
template <Real T>
void check_diagonal_pass(Isa isa, double tol) {
  Rng rng(515);
  for (const auto& [n, k] : {std::pair{6U, 6U}, std::pair{9U, 3U}, std::pair{14U, 6U}, std::pair{15U, 8U}}) {
    const index_t N = index_t{1} << n, nlo = index_t{1} << k, nhi = N >> k;
    std::vector<cplx> lo(nlo), hi(nhi);
    for (cplx& a : lo) a = std::polar(1.0, rng.uniform(-3, 3));
    for (cplx& a : hi) a = std::polar(1.0, rng.uniform(-3, 3));
    const StateVector<T> phi0 = random_state<T>(n, rng), lam0 = random_state<T>(n, rng);
    std::vector<double> want_lo(nlo, 0.0), want_hi(nhi, 0.0);
    for (index_t i = 0; i < N; ++i) {
      const double c = std::imag(std::conj(cplx(lam0[i])) * cplx(phi0[i]));
      want_lo[i & (nlo - 1)] += c;
      want_hi[i >> k] += c;
    }
    for (const bool with_lambda : {true, false}) {
      SCOPED_TRACE("n=" + std::to_string(n) + " k=" + std::to_string(k) + (with_lambda ? " with λ" : " φ only"));
      std::vector<double> got_lo[2], got_hi[2];
      StateVector<T> phi[2] = {phi0, phi0}, lam[2] = {lam0, lam0};
      for (int t = 0; t < 2; ++t) {
        const int saved = num_threads();
        set_num_threads(t + 1);
        got_lo[t].assign(with_lambda ? nlo : 0, -1.0);
        got_hi[t].assign(with_lambda ? nhi : 0, -1.0);
        kernels::DiagonalPass pass;
        pass.low_qubits = k;
        pass.lo = lo;
        pass.hi = hi;
        pass.corr_lo = got_lo[t];
        pass.corr_hi = got_hi[t];
        kernels::diagonal_pass<T>(isa, phi[t].data(), with_lambda ? lam[t].data() : nullptr, n, pass);
        set_num_threads(saved);
      }
      for (index_t i = 0; i < N; ++i) {
        const cplx d = lo[i & (nlo - 1)] * hi[i >> k];
        ASSERT_LT(std::abs(cplx(phi[0][i]) - d * cplx(phi0[i])), tol) << "phi " << i;
        const cplx l = with_lambda ? d * cplx(lam0[i]) : cplx(lam0[i]);
        ASSERT_LT(std::abs(cplx(lam[0][i]) - l), tol) << "lambda " << i;
      }
      for (index_t j = 0; j < (with_lambda ? nlo : 0); ++j) ASSERT_NEAR(got_lo[0][j], want_lo[j], tol) << "lo " << j;
      for (index_t b = 0; b < (with_lambda ? nhi : 0); ++b) ASSERT_NEAR(got_hi[0][b], want_hi[b], tol) << "hi " << b;
      EXPECT_EQ(got_lo[0], got_lo[1]);
      EXPECT_EQ(got_hi[0], got_hi[1]);
      for (index_t i = 0; i < N; ++i) ASSERT_EQ(phi[0][i], phi[1][i]);
    }
  }
}

TEST_P(KernelIsa, DiagonalPassMatchesDefinition) {
  if (GetParam() == Isa::Reference) GTEST_SKIP() << "the Reference ISA has no diagonal pass (the sweep takes gates)";
  if (!isa_supported(GetParam())) GTEST_SKIP() << "CPU lacks " << isa_name(GetParam());
  check_diagonal_pass<double>(GetParam(), 1e-12);
  check_diagonal_pass<float>(GetParam(), 2e-5);
}

TEST(KernelIsa, BestIsaIsSupported) { EXPECT_TRUE(isa_supported(best_isa())); }

}  // namespace
}  // namespace qnn
