#pragma once
// Classical kernel machines on a precomputed kernel matrix (scikit-learn's kernel="precomputed" pattern), so a
// quantum kernel (qnn/ml/quantum_kernel.hpp) or any classical one plugs in. Fit on the train × train Gram matrix;
// predict from a test × train matrix whose columns are the training samples in the same order.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "qnn/ml/quantum_kernel.hpp"

namespace qnn {

/// Kernel ridge classification: one regression per class onto ±1 targets (+1 for the class, −1 otherwise),
/// α = (K + λI)⁻¹ Y by Cholesky; the score of class c at x is Σ_i k(x, x_i) α_ic and the prediction the best score.
class KernelRidgeClassifier {
 public:
  /// λ > 0 (it also makes K + λI positive definite when K is only semi-definite).
  explicit KernelRidgeClassifier(double regularisation = 1e-3);
  /// gram: n × n; labels in [0, num_classes), num_classes ≥ 2.
  void fit(const KernelMatrix& gram, std::span<const int> labels, std::size_t num_classes);
  /// Scores, rows × classes, row-major.
  [[nodiscard]] std::vector<double> decision_function(const KernelMatrix& k) const;
  [[nodiscard]] std::vector<int> predict(const KernelMatrix& k) const;

 private:
  double lambda_;
  std::size_t n_train_ = 0;
  std::size_t classes_ = 0;
  std::vector<double> alpha_;  // n_train × classes
};

struct SvmOptions {
  /// Box constraint 0 ≤ α_i ≤ C: larger C fits the training data harder.
  double C = 1.0;
  /// Stop when the largest KKT violation (the maximal-violating-pair gap) is below this.
  double tolerance = 1e-4;
  /// SMO steps per binary machine; 0: max(10⁶, 100 n).
  std::size_t max_iterations = 0;
};

/// Soft-margin support vector machine trained by sequential minimal optimisation (Platt 1998) with second-order
/// working-set selection (Fan, Chen & Lin, JMLR 6, 2005): each step moves the pair (i, j) that violates the KKT
/// conditions most along the line that keeps Σ y_i α_i = 0, by the exact minimiser of the dual clipped to the box.
/// Two classes: one machine (class 1 positive). More: one machine per class against the rest, and the prediction is
/// the class with the largest decision value.
class KernelSvm {
 public:
  explicit KernelSvm(SvmOptions options = {});
  void fit(const KernelMatrix& gram, std::span<const int> labels, std::size_t num_classes);
  /// Decision values f(x) = Σ_i y_i α_i k(x, x_i) + b: rows × machines (1 machine for two classes).
  [[nodiscard]] std::vector<double> decision_function(const KernelMatrix& k) const;
  [[nodiscard]] std::vector<int> predict(const KernelMatrix& k) const;
  /// Training samples with α > 0 in any machine.
  [[nodiscard]] std::size_t num_support_vectors() const;
  [[nodiscard]] std::size_t num_machines() const { return machines_.size(); }
  /// The dual coefficients y_i α_i and bias of machine m (for tests and inspection).
  [[nodiscard]] const std::vector<double>& dual_coefficients(std::size_t m) const { return machines_.at(m).coef; }
  [[nodiscard]] double bias(std::size_t m) const { return machines_.at(m).bias; }

 private:
  struct Machine {
    std::vector<double> coef;  // y_i α_i
    double bias = 0;
  };
  SvmOptions options_;
  std::size_t n_train_ = 0;
  std::size_t classes_ = 0;
  std::vector<Machine> machines_;
};

/// Fraction of predictions equal to the labels (NaN for none).
double prediction_accuracy(std::span<const int> predicted, std::span<const int> labels);

}  // namespace qnn
