#include "qnn/ml/linear_algebra.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "qnn/core/error.hpp"

namespace qnn {

SymmetricEigen symmetric_eigen(std::span<const double> input, std::size_t n) {
  if (input.size() != n * n) {
    throw ValueError("symmetric_eigen: expected " + std::to_string(n * n) + " entries, got " +
                     std::to_string(input.size()));
  }
  std::vector<double> a(input.begin(), input.end());
  double norm2 = 0;
  for (double v : a) norm2 += v * v;
  for (std::size_t p = 0; p < n; ++p)
    for (std::size_t q = p + 1; q < n; ++q) {
      if (std::abs(a[p * n + q] - a[q * n + p]) > 1e-9 * std::sqrt(norm2) + 1e-300) {
        throw ValueError("symmetric_eigen: the matrix is not symmetric at (" + std::to_string(p) + ", " +
                         std::to_string(q) + ")");
      }
    }
  std::vector<double> v(n * n, 0.0);  // columns are the eigenvectors
  for (std::size_t i = 0; i < n; ++i) v[i * n + i] = 1.0;

  const double threshold = 1e-30 * norm2;
  for (int sweep = 0; sweep < 100; ++sweep) {
    double off = 0;
    for (std::size_t p = 0; p < n; ++p)
      for (std::size_t q = p + 1; q < n; ++q) off += a[p * n + q] * a[p * n + q];
    if (off <= threshold) break;
    for (std::size_t p = 0; p < n; ++p) {
      for (std::size_t q = p + 1; q < n; ++q) {
        const double apq = a[p * n + q];
        // Below rounding level a rotation only shuffles noise; zeroing the pair lets the sweep end.
        if (std::abs(apq) <= 1e-18 * std::sqrt(norm2)) {
          a[p * n + q] = a[q * n + p] = 0.0;
          continue;
        }
        // A' = Jᵀ A J with J the rotation by φ in the (p, q) plane; a'_pq = 0 when t = tan φ is the smaller root of
        // t² + 2θt − 1 = 0, θ = (a_qq − a_pp)/(2 a_pq) (the smaller angle keeps the sweep convergent).
        const double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const double t = (theta >= 0 ? 1.0 : -1.0) / (std::abs(theta) + std::sqrt(theta * theta + 1));
        const double c = 1 / std::sqrt(t * t + 1), s = t * c;
        for (std::size_t k = 0; k < n; ++k) {
          const double akp = a[k * n + p], akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (std::size_t k = 0; k < n; ++k) {
          const double apk = a[p * n + k], aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (std::size_t k = 0; k < n; ++k) {
          const double vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Stable, so equal eigenvalues keep the solver's order and the result is reproducible.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t i, std::size_t j) { return a[i * n + i] > a[j * n + j]; });
  SymmetricEigen out;
  for (std::size_t k : order) {
    out.values.push_back(a[k * n + k]);
    std::vector<double> vec(n);
    for (std::size_t i = 0; i < n; ++i) vec[i] = v[i * n + k];
    out.vectors.push_back(std::move(vec));
  }
  return out;
}

std::vector<double> cholesky_solve(std::span<const double> a, std::size_t n, std::span<const double> b, std::size_t m) {
  if (a.size() != n * n || b.size() != n * m) throw ValueError("cholesky_solve: matrix sizes do not match");
  // A = L Lᵀ, then L Y = B and Lᵀ X = Y by substitution.
  std::vector<double> l(n * n, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    double d = a[j * n + j];
    for (std::size_t k = 0; k < j; ++k) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0)) {
      throw ValueError("cholesky_solve: the matrix is not positive definite (pivot " + std::to_string(j) + " is " +
                       std::to_string(d) + ")");
    }
    const double ljj = std::sqrt(d);
    l[j * n + j] = ljj;
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  std::vector<double> x(b.begin(), b.end());
  for (std::size_t c = 0; c < m; ++c) {
    for (std::size_t i = 0; i < n; ++i) {
      double s = x[i * m + c];
      for (std::size_t k = 0; k < i; ++k) s -= l[i * n + k] * x[k * m + c];
      x[i * m + c] = s / l[i * n + i];
    }
    for (std::size_t i = n; i-- > 0;) {
      double s = x[i * m + c];
      for (std::size_t k = i + 1; k < n; ++k) s -= l[k * n + i] * x[k * m + c];
      x[i * m + c] = s / l[i * n + i];
    }
  }
  return x;
}

}  // namespace qnn
