#include "qnn/ml/linear_algebra.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"

namespace qnn {
namespace {

std::vector<double> random_symmetric(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<double> a(n * n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j <= i; ++j) a[i * n + j] = a[j * n + i] = rng.normal();
  return a;
}

TEST(SymmetricEigen, DecompositionOfRandomMatrices) {
  for (std::size_t n : {1u, 2u, 5u, 16u, 64u}) {
    const std::vector<double> a = random_symmetric(n, 100 + n);
    const SymmetricEigen e = symmetric_eigen(a, n);
    ASSERT_EQ(e.values.size(), n);
    ASSERT_EQ(e.vectors.size(), n);
    for (std::size_t k = 0; k + 1 < n; ++k) EXPECT_GE(e.values[k], e.values[k + 1]);
    double trace = 0, sum = 0;
    for (std::size_t i = 0; i < n; ++i) trace += a[i * n + i];
    for (double v : e.values) sum += v;
    EXPECT_NEAR(trace, sum, 1e-10 * double(n));
    for (std::size_t k = 0; k < n; ++k) {
      for (std::size_t i = 0; i < n; ++i) {
        double av = 0;
        for (std::size_t j = 0; j < n; ++j) av += a[i * n + j] * e.vectors[k][j];
        ASSERT_NEAR(av, e.values[k] * e.vectors[k][i], 1e-10) << "n " << n << " k " << k;
      }
      for (std::size_t l = 0; l < n; ++l) {
        double dot = 0;
        for (std::size_t i = 0; i < n; ++i) dot += e.vectors[k][i] * e.vectors[l][i];
        ASSERT_NEAR(dot, k == l ? 1.0 : 0.0, 1e-12);
      }
    }
  }
}

TEST(SymmetricEigen, RepeatedEigenvaluesAndDiagonal) {
  // diag(3, 1, 1) rotated: eigenvalues 3, 1, 1 and a still orthonormal basis of the degenerate plane.
  const double s = std::sqrt(0.5);
  const std::vector<double> q = {s, s, 0, -s, s, 0, 0, 0, 1};  // rows: an orthonormal basis
  const double d[3] = {3, 1, 1};
  std::vector<double> a(9, 0.0);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) a[i * 3 + j] += q[k * 3 + i] * d[k] * q[k * 3 + j];
  const SymmetricEigen e = symmetric_eigen(a, 3);
  EXPECT_NEAR(e.values[0], 3, 1e-14);
  EXPECT_NEAR(e.values[1], 1, 1e-14);
  EXPECT_NEAR(e.values[2], 1, 1e-14);
  EXPECT_NEAR(std::abs(e.vectors[0][0]), s, 1e-14);
  EXPECT_NEAR(std::abs(e.vectors[0][1]), s, 1e-14);
  const SymmetricEigen z = symmetric_eigen(std::vector<double>(16, 0.0), 4);
  for (double v : z.values) EXPECT_EQ(v, 0.0);
  EXPECT_THROW((void)symmetric_eigen(std::vector<double>{1, 2, 3, 4}, 2), ValueError);  // not symmetric
  EXPECT_THROW((void)symmetric_eigen(std::vector<double>{1, 2, 3}, 2), ValueError);
}

TEST(CholeskySolve, SolvesPositiveDefiniteSystems) {
  const std::size_t n = 20, m = 3;
  Rng rng(5);
  std::vector<double> g(n * n);
  for (double& v : g) v = rng.normal();
  std::vector<double> a(n * n, 0.0);  // A = GᵀG + I
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t k = 0; k < n; ++k) a[i * n + j] += g[k * n + i] * g[k * n + j];
      if (i == j) a[i * n + j] += 1;
    }
  std::vector<double> b(n * m);
  for (double& v : b) v = rng.normal();
  const std::vector<double> x = cholesky_solve(a, n, b, m);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < m; ++c) {
      double ax = 0;
      for (std::size_t k = 0; k < n; ++k) ax += a[i * n + k] * x[k * m + c];
      EXPECT_NEAR(ax, b[i * m + c], 1e-9);
    }
  EXPECT_THROW((void)cholesky_solve(std::vector<double>{1, 2, 2, 1}, 2, std::vector<double>{1, 1}, 1), ValueError);
}

}  // namespace
}  // namespace qnn
