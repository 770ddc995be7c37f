// Every fast kernel against the scalar reference, on every qubit position, both precisions, every instruction set
// this CPU has (an instruction set the CPU lacks is reported as skipped, not passed).
#include "qnn/sim/kernels.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

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

template <Real T>
void check_all_positions(Isa isa, double tol) {
  Rng rng(1234);
  const unsigned n = 8;
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
      auto ref = random_state<T>(n, rng);
      auto fast = ref;
      {
        IsaGuard g(Isa::Reference);
        ref.apply_matrix(targets, u, controls);
      }
      {
        IsaGuard g(isa);
        fast.apply_matrix(targets, u, controls);
      }
      ASSERT_LT(max_diff(ref, fast), tol) << "isa " << isa_name(isa) << " k=" << k << " target0=" << targets[0];
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

class KernelIsa : public ::testing::TestWithParam<Isa> {};

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

TEST(KernelIsa, BestIsaIsSupported) { EXPECT_TRUE(isa_supported(best_isa())); }

}  // namespace
}  // namespace qnn
