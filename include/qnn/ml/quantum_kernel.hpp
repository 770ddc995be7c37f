#pragma once
// Quantum kernels (Havlíček et al. 2019; Schuld & Killoran 2019): an encoding maps x to |φ(x)⟩, and the fidelity
// k(x, x′) = |⟨φ(x′)|φ(x)⟩|² is a kernel — the Gram matrix of feature vectors |φ⟩⟨φ| under the Hilbert–Schmidt inner
// product, so it is symmetric, positive semi-definite, with k(x, x) = 1. A classical kernel machine
// (qnn/ml/kernel_classifier.hpp) then trains on the matrix; no quantum gradients are involved.
//
//   FidelityKernel k(make_encoding("zz", 2, 2));
//   KernelMatrix gram = k.matrix(train.features);             // train × train
//   KernelMatrix cross = k.matrix(test.features, train.features);  // test × train
#include <span>
#include <vector>

#include "qnn/ml/encoding.hpp"

namespace qnn {

/// A dense row-major matrix of kernel values.
struct KernelMatrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> values;
  [[nodiscard]] double operator()(std::size_t i, std::size_t j) const { return values[i * cols + j]; }
};

class FidelityKernel {
 public:
  /// Any encoding: a named one, or Encoding::from_circuit of a circuit that reads inputs only.
  explicit FidelityKernel(Encoding encoding);

  [[nodiscard]] const Encoding& encoding() const { return encoding_; }

  /// k(x, y) = |⟨φ(y)|φ(x)⟩|² from two single-state simulations (the reference the batched path is tested against).
  [[nodiscard]] double operator()(std::span<const double> x, std::span<const double> y) const;

  /// |φ(x_s)⟩ of every sample, sample-major: amplitude i of sample s at [s · 2^n + i]. Circuit encodings run batched
  /// (run_batched over chunks of samples: one pass per gate for a whole chunk); amplitude encoding writes the
  /// normalised vectors directly.
  [[nodiscard]] std::vector<cplx> states(const std::vector<std::vector<double>>& samples) const;

  /// Gram matrix K_ij = k(x_i, x_j) of one set: every state prepared once, then the N(N+1)/2 inner products; exactly
  /// symmetric.
  [[nodiscard]] KernelMatrix matrix(const std::vector<std::vector<double>>& samples) const;
  /// K_ij = k(a_i, b_j) between two sets (e.g. test rows against training columns, what a kernel machine predicts
  /// from).
  [[nodiscard]] KernelMatrix matrix(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b) const;

 private:
  Encoding encoding_;
};

}  // namespace qnn
