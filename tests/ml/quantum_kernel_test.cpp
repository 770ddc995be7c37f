#include "qnn/ml/quantum_kernel.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/ml/linear_algebra.hpp"

namespace qnn {
namespace {

std::vector<std::vector<double>> random_samples(std::size_t n, std::size_t f, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::vector<double>> x(n, std::vector<double>(f));
  for (auto& row : x)
    for (double& v : row) v = rng.uniform(-1.5, 1.5);
  return x;
}

void expect_valid_gram(const KernelMatrix& k, const std::string& what) {
  ASSERT_EQ(k.rows, k.cols) << what;
  for (std::size_t i = 0; i < k.rows; ++i) {
    EXPECT_NEAR(k(i, i), 1.0, 1e-12) << what;
    for (std::size_t j = 0; j < k.cols; ++j) {
      EXPECT_EQ(k(i, j), k(j, i)) << what;  // exactly symmetric
      EXPECT_GE(k(i, j), 0.0) << what;
      EXPECT_LE(k(i, j), 1.0 + 1e-12) << what;
    }
  }
  // Positive semi-definite: a Gram matrix of the vectors |φ⟩⟨φ|. (Jacobi is O(n³) a sweep: small matrices only.)
  if (k.rows <= 64) {
    const SymmetricEigen e = symmetric_eigen(k.values, k.rows);
    EXPECT_GE(e.values.back(), -1e-10) << what;
  }
}

TEST(FidelityKernel, MatrixEqualsPairwiseSingleStateFidelities) {
  const auto x = random_samples(12, 3, 1), y = random_samples(5, 3, 2);
  for (const char* name : {"angle-x", "dense", "basis", "zz", "iqp", "amplitude"}) {
    const FidelityKernel k(make_encoding(name, name == std::string("dense") ? 2 : 3, 3));
    const KernelMatrix gram = k.matrix(x);
    expect_valid_gram(gram, name);
    const KernelMatrix cross = k.matrix(y, x);
    ASSERT_EQ(cross.rows, 5u);
    ASSERT_EQ(cross.cols, 12u);
    for (std::size_t i = 0; i < x.size(); ++i) {
      for (std::size_t j = 0; j < x.size(); ++j) {
        // Reference: two independent single-state simulations and an explicit inner product.
        const StateVector<double> a = k.encoding().state(x[i]), b = k.encoding().state(x[j]);
        EXPECT_NEAR(gram(i, j), std::norm(b.inner(a)), 1e-12) << name << " " << i << "," << j;
        EXPECT_NEAR(gram(i, j), k(x[i], x[j]), 1e-12) << name;
      }
    }
    for (std::size_t i = 0; i < y.size(); ++i)
      for (std::size_t j = 0; j < x.size(); ++j) EXPECT_NEAR(cross(i, j), k(y[i], x[j]), 1e-12) << name;
  }
}

TEST(FidelityKernel, BatchedStatesMatchSimulationAcrossChunks) {
  // More samples than one batch (256) so the chunked path is exercised.
  const auto x = random_samples(300, 2, 3);
  const FidelityKernel k(make_encoding("zz", 2, 2));
  const std::vector<cplx> psi = k.states(x);
  ASSERT_EQ(psi.size(), 300u * 4);
  for (std::size_t s : {0u, 1u, 255u, 256u, 299u}) {
    const StateVector<double> ref = simulate<double>(k.encoding().circuit(), {}, x[s]);
    for (std::size_t i = 0; i < 4; ++i) EXPECT_NEAR(std::abs(psi[s * 4 + i] - ref.amplitude(i)), 0.0, 1e-14) << s;
  }
  expect_valid_gram(k.matrix(x), "zz 300");
}

TEST(FidelityKernel, ClosedFormForAngleEncoding) {
  // RY(x)|0⟩ per qubit: k(x, y) = Π_j cos²((x_j − y_j)/2).
  const FidelityKernel k(make_encoding("angle-y", 2, 2));
  const std::vector<double> x{0.3, -1.0}, y{1.1, 0.4};
  const double want = std::pow(std::cos((0.3 - 1.1) / 2), 2) * std::pow(std::cos((-1.0 - 0.4) / 2), 2);
  EXPECT_NEAR(k(x, y), want, 1e-14);
  EXPECT_NEAR(k.matrix({x}, {y})(0, 0), want, 1e-14);
}

TEST(FidelityKernel, CustomFeatureMapsAndErrors) {
  Circuit c(2);
  c.h(0).h(1).crz(0, 1, input(0)).ry(0, input(1)).rzz(0, 1, input(0) * input(1));
  const FidelityKernel k(Encoding::from_circuit(c));
  expect_valid_gram(k.matrix(random_samples(8, 2, 4)), "custom");
  Circuit weighted(1);
  weighted.ry(0, input(0)).rx(0, theta(0));
  EXPECT_THROW((void)Encoding::from_circuit(weighted), ValueError);
  const FidelityKernel zz(make_encoding("zz", 2, 2));
  EXPECT_THROW((void)zz.matrix({{1.0, 2.0, 3.0}}), ValueError);
  const KernelMatrix empty = zz.matrix(std::vector<std::vector<double>>{});
  EXPECT_EQ(empty.rows, 0u);
}

}  // namespace
}  // namespace qnn
