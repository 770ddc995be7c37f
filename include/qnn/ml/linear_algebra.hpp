#pragma once
// The small dense linear algebra that classical post-processing needs: a symmetric eigen-solver for PCA (covariance
// matrices of ≤ a few hundred features) and a Cholesky solver for kernel ridge regression. Matrices are row-major
// std::vector<double>; sizes here are far too small for blocking or a BLAS to pay.
#include <cstddef>
#include <span>
#include <vector>

namespace qnn {

/// Eigenvalues (decreasing) and orthonormal eigenvectors of a real symmetric matrix: A · vectors[k] = values[k] ·
/// vectors[k].
struct SymmetricEigen {
  std::vector<double> values;
  std::vector<std::vector<double>> vectors;
};

/// Cyclic Jacobi method: plane rotations zero the off-diagonal entries one pair at a time until they are below 1e-15
/// of the matrix norm. It needs no shifts or deflation and gives eigenvectors orthonormal to rounding even for
/// (near-)repeated eigenvalues, which PCA on pixel data has (constant border pixels give zero eigenvalues). Cost
/// O(n³) per sweep, a handful of sweeps. `a` is n × n row-major; only symmetry to 1e-9 relative is checked.
SymmetricEigen symmetric_eigen(std::span<const double> a, std::size_t n);

/// Solves A X = B for symmetric positive definite A (n × n) and B (n × m), both row-major; returns X (n × m). Throws
/// ValueError if A is not positive definite (a pivot ≤ 0).
std::vector<double> cholesky_solve(std::span<const double> a, std::size_t n, std::span<const double> b, std::size_t m);

}  // namespace qnn
