// DensityMatrix<T>: vec(ρ) layout, unitaries against |ψ⟩⟨ψ| of the state vector, superoperators, reading functions.
#include "qnn/sim/density_matrix.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "qnn/core/error.hpp"

namespace qnn {
namespace {

// A random normalised state (fixed seed).
StateVector<double> random_state(unsigned n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<complex<double>> a(std::size_t{1} << n);
  for (auto& z : a) z = {rng.normal(), rng.normal()};
  auto psi = StateVector<double>::from_amplitudes(a);
  psi.normalize();
  return psi;
}

std::vector<cplx> random_unitary_2x2(Rng& rng) {
  // U(θ, φ, λ) covers SU(2) up to phase.
  const double t = rng.uniform(0, std::numbers::pi), p = rng.uniform(0, 6.28), l = rng.uniform(0, 6.28);
  return {std::cos(t / 2), -std::polar(1.0, l) * std::sin(t / 2), std::polar(1.0, p) * std::sin(t / 2),
          std::polar(1.0, p + l) * std::cos(t / 2)};
}

double max_distance(const DensityMatrix<double>& rho, const StateVector<double>& psi) {
  double d = 0;
  for (index_t r = 0; r < rho.dimension(); ++r)
    for (index_t c = 0; c < rho.dimension(); ++c) d = std::max(d, std::abs(rho.element(r, c) - psi[r] * std::conj(psi[c])));
  return d;
}

TEST(DensityMatrix, StartsInZeroStateWithDocumentedLayout) {
  DensityMatrix<double> rho(3);
  EXPECT_EQ(rho.dimension(), 8U);
  EXPECT_EQ(rho.vectorised().num_qubits(), 6U);
  EXPECT_DOUBLE_EQ(rho.trace(), 1.0);
  EXPECT_DOUBLE_EQ(rho.purity(), 1.0);
  // ρ_{r,c} sits at r + (c << n): put 1 at element (5, 2) and read it back at 5 + 2·8.
  rho.vectorised()[5 + (2 << 3)] = 0.25;
  EXPECT_EQ(rho.element(5, 2), complex<double>(0.25));
  EXPECT_THROW((void)rho.element(8, 0), ValueError);
}

TEST(DensityMatrix, FromStateIsOuterProduct) {
  const auto psi = random_state(3, 11);
  const auto rho = DensityMatrix<double>::from_state(psi);
  EXPECT_LT(max_distance(rho, psi), 1e-15);
  EXPECT_NEAR(rho.trace(), 1.0, 1e-14);
  EXPECT_NEAR(rho.purity(), 1.0, 1e-14);
}

// U ρ U† equals |Uψ⟩⟨Uψ| for dense, controlled and multi-qubit gates, on every qubit, on sizes whose one 4 × 4 pass
// over vec(ρ) for a 1-qubit gate takes the small-state kernel (2n ≤ StateVector::kSmall2qQubits) and the vector
// kernels (beyond).
TEST(DensityMatrix, UnitaryMatchesStateVectorOnEveryQubit) {
  static_assert(StateVector<double>::kSmall2qQubits == 8, "the sizes below straddle the small-kernel bound");
  for (unsigned n : {1U, 2U, 3U, 4U, 5U, 6U}) {
    Rng rng(100 + n);
    auto psi = random_state(n, 7 * n);
    auto rho = DensityMatrix<double>::from_state(psi);
    for (unsigned q = 0; q < n; ++q) {
      const auto u = random_unitary_2x2(rng);
      const unsigned t[1] = {q};
      psi.apply_matrix(t, u);
      rho.apply_matrix(t, u);
      ASSERT_LT(max_distance(rho, psi), 1e-12) << "n=" << n << " q=" << q;
      if (n >= 2) {
        const unsigned c[1] = {(q + 1) % n};
        psi.apply_matrix(t, u, c);
        rho.apply_matrix(t, u, c);
        ASSERT_LT(max_distance(rho, psi), 1e-12) << "controlled, n=" << n << " q=" << q;
        // A 2-qubit gate: u ⊗ u' on (q, q+1).
        const auto v = random_unitary_2x2(rng);
        std::vector<cplx> uv(16);
        for (unsigned r = 0; r < 4; ++r)
          for (unsigned cc = 0; cc < 4; ++cc) uv[r * 4 + cc] = u[(r & 1) * 2 + (cc & 1)] * v[(r >> 1) * 2 + (cc >> 1)];
        const unsigned t2[2] = {q, (q + 1) % n};
        psi.apply_matrix(t2, uv);
        rho.apply_matrix(t2, uv);
        ASSERT_LT(max_distance(rho, psi), 1e-12) << "2-qubit, n=" << n << " q=" << q;
      }
    }
    EXPECT_NEAR(rho.trace(), 1.0, 1e-12);
    EXPECT_NEAR(rho.purity(), 1.0, 1e-12);
  }
}

TEST(DensityMatrix, RejectsQubitsOutsideRho) {
  DensityMatrix<double> rho(2);
  const unsigned bra[1] = {2};  // a valid vector qubit, but not a qubit of ρ
  const cplx x[4] = {0, 1, 1, 0};
  EXPECT_THROW(rho.apply_matrix(bra, x), ValueError);
  const unsigned twice[2] = {1, 1};
  EXPECT_THROW(rho.apply_superoperator(twice, std::vector<cplx>(256)), ValueError);
}

TEST(DensityMatrix, KrausAndSuperoperatorAgree) {
  // Full dephasing of qubit 1 in a 3-qubit state: kills every coherence between its 0 and 1 halves.
  const auto psi = random_state(3, 5);
  auto rho = DensityMatrix<double>::from_state(psi);
  const std::vector<std::vector<cplx>> kraus{{1, 0, 0, 0}, {0, 0, 0, 1}};
  const unsigned q[1] = {1};
  rho.apply_kraus(q, kraus);
  for (index_t r = 0; r < 8; ++r)
    for (index_t c = 0; c < 8; ++c) {
      const cplx want = ((r ^ c) & 2) ? cplx(0) : psi[r] * std::conj(psi[c]);
      EXPECT_NEAR(std::abs(rho.element(r, c) - want), 0.0, 1e-15);
    }
  EXPECT_NEAR(rho.trace(), 1.0, 1e-14);
  EXPECT_LT(rho.purity(), 1.0);
  // The superoperator of that set: S = K0⊗conj(K0) + K1⊗conj(K1) = diag(1, 0, 0, 1) in (ket, bra) order.
  const auto s = superoperator_from_kraus(1, kraus);
  for (unsigned i = 0; i < 16; ++i) EXPECT_EQ(s[i], cplx((i == 0 || i == 15) ? 1 : 0)) << i;
}

TEST(DensityMatrix, PauliExpectationMatchesStateVector) {
  const auto psi = random_state(4, 9);
  const auto rho = DensityMatrix<double>::from_state(psi);
  for (index_t x = 0; x < 16; ++x)
    for (index_t z = 0; z < 16; z += 3) {
      const PauliMasks p{x, z};
      EXPECT_NEAR(rho.expectation(p), psi.expectation(p), 1e-13) << x << " " << z;
    }
}

TEST(DensityMatrix, ProbabilitiesSamplingAndPartialTrace) {
  const auto psi = random_state(3, 3);
  const auto rho = DensityMatrix<double>::from_state(psi);
  const auto p = rho.probabilities(), ps = psi.probabilities();
  for (std::size_t i = 0; i < p.size(); ++i) EXPECT_NEAR(p[i], ps[i], 1e-15);
  // Sampling: each outcome's frequency within 4σ of its probability (σ² = p(1−p)/shots).
  Rng rng(17);
  const std::uint64_t shots = 20000;
  std::vector<double> counts(8, 0);
  for (index_t i : rho.sample(shots, rng)) counts[i] += 1;
  for (std::size_t i = 0; i < 8; ++i) {
    EXPECT_NEAR(counts[i] / shots, p[i], 4 * std::sqrt(p[i] * (1 - p[i]) / shots) + 1e-12) << i;
  }
  // Tr over qubits 0 and 2 of a product state |a⟩|b⟩|c⟩ leaves |b⟩⟨b|; of a Bell pair, I/2.
  StateVector<double> bell(2);
  bell[0] = bell[3] = 1 / std::sqrt(2.0);
  const unsigned keep0[1] = {0};
  const auto red = DensityMatrix<double>::from_state(bell).partial_trace(keep0);
  EXPECT_NEAR(std::abs(red.element(0, 0) - 0.5), 0.0, 1e-15);
  EXPECT_NEAR(std::abs(red.element(1, 1) - 0.5), 0.0, 1e-15);
  EXPECT_NEAR(std::abs(red.element(0, 1)), 0.0, 1e-15);
  // Keeping (2, 0) reorders: result qubit 0 is qubit 2.
  StateVector<double> prod(3);
  prod.set_basis_state(0b100);
  const unsigned keep20[2] = {2, 0};
  const auto red2 = DensityMatrix<double>::from_state(prod).partial_trace(keep20);
  EXPECT_NEAR(red2.element(1, 1).real(), 1.0, 1e-15);
}

TEST(DensityMatrix, RefusesTooLargeWithBytesNeeded) {
  try {
    DensityMatrix<double> rho(30);
    FAIL() << "a 30-qubit density matrix was allocated";
  } catch (const ResourceError& e) {
    EXPECT_NE(std::string(e.what()).find("density matrix of 30 qubits"), std::string::npos) << e.what();
  }
  EXPECT_EQ(DensityMatrix<double>::bytes_needed(10), std::uint64_t{16} << 20);
}

TEST(DensityMatrix, SinglePrecisionAgrees) {
  auto rho = DensityMatrix<float>(3);
  const unsigned t[1] = {1};
  const cplx h[4] = {1 / std::sqrt(2.0), 1 / std::sqrt(2.0), 1 / std::sqrt(2.0), -1 / std::sqrt(2.0)};
  rho.apply_matrix(t, h);
  EXPECT_NEAR(rho.expectation(PauliMasks{2, 0}), 1.0, 1e-6);  // ⟨X1⟩ of |+⟩
  EXPECT_NEAR(rho.trace(), 1.0, 1e-6);
}

}  // namespace
}  // namespace qnn
