#include "qnn/ml/kernel_classifier.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/ml/linear_algebra.hpp"

namespace qnn {

namespace {

void check_training(const KernelMatrix& gram, std::span<const int> labels, std::size_t num_classes) {
  if (gram.rows != gram.cols || gram.values.size() != gram.rows * gram.cols) {
    throw ValueError("a training kernel matrix must be square, got " + std::to_string(gram.rows) + " × " +
                     std::to_string(gram.cols));
  }
  if (labels.size() != gram.rows) {
    throw ValueError("kernel matrix of " + std::to_string(gram.rows) + " samples but " + std::to_string(labels.size()) +
                     " labels");
  }
  if (num_classes < 2) throw ValueError("a classifier needs at least 2 classes, got " + std::to_string(num_classes));
  for (int y : labels) {
    if (y < 0 || static_cast<std::size_t>(y) >= num_classes) {
      throw ValueError("label " + std::to_string(y) + " outside [0, " + std::to_string(num_classes) + ")");
    }
  }
}

void check_prediction(const KernelMatrix& k, std::size_t n_train) {
  if (n_train == 0) throw ValueError("the kernel classifier is not fitted");
  if (k.cols != n_train || k.values.size() != k.rows * k.cols) {
    throw ValueError("a prediction kernel matrix needs one column per training sample (" + std::to_string(n_train) +
                     "), got " + std::to_string(k.cols));
  }
}

std::vector<int> argmax_rows(const std::vector<double>& scores, std::size_t rows, std::size_t cols) {
  std::vector<int> out(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    const double* row = scores.data() + r * cols;
    out[r] = static_cast<int>(std::max_element(row, row + cols) - row);
  }
  return out;
}

struct BinarySolution {
  std::vector<double> alpha;
  double bias = 0;
};

// Dual: minimise ½ αᵀQα − Σα subject to 0 ≤ α ≤ C and yᵀα = 0, Q_ij = y_i y_j K_ij, with gradient G = Qα − 1.
// A step moves α_i by +y_i t and α_j by −y_j t (so yᵀα is unchanged); along that line the dual changes by
// t (y_i G_i − y_j G_j) + ½ t² (K_ii + K_jj − 2K_ij).
BinarySolution smo(const KernelMatrix& K, const std::vector<int>& y, const SvmOptions& opt) {
  const std::size_t n = y.size();
  const double C = opt.C;
  const double tau = 1e-12;  // curvature floor for a non-positive-definite pair (duplicated samples)
  const std::size_t max_iter = opt.max_iterations ? opt.max_iterations : std::max<std::size_t>(1000000, 100 * n);
  std::vector<double> alpha(n, 0.0), G(n, -1.0);
  // I_up: α_t can move in the direction y_t; I_low: against it. At the optimum max_{I_up} −y G ≤ min_{I_low} −y G.
  const auto in_up = [&](std::size_t t) { return y[t] > 0 ? alpha[t] < C : alpha[t] > 0; };
  const auto in_low = [&](std::size_t t) { return y[t] > 0 ? alpha[t] > 0 : alpha[t] < C; };
  double g_max = 0, g_min = 0;
  for (std::size_t iter = 0; iter < max_iter; ++iter) {
    std::size_t i = n;
    g_max = -std::numeric_limits<double>::infinity();
    for (std::size_t t = 0; t < n; ++t) {
      if (in_up(t) && -y[t] * G[t] >= g_max) {
        g_max = -y[t] * G[t];
        i = t;
      }
    }
    // j: of the violating partners, the one whose step decreases the dual most (second-order selection), b²/a.
    std::size_t j = n;
    g_min = std::numeric_limits<double>::infinity();
    double best = -std::numeric_limits<double>::infinity();
    for (std::size_t t = 0; t < n && i < n; ++t) {
      if (!in_low(t)) continue;
      const double v = -y[t] * G[t];
      g_min = std::min(g_min, v);
      const double b = g_max - v;
      if (b <= 0) continue;
      double a = K(i, i) + K(t, t) - 2 * K(i, t);
      if (a <= 0) a = tau;
      if (b * b / a > best) {
        best = b * b / a;
        j = t;
      }
    }
    if (i == n || j == n || g_max - g_min < opt.tolerance) break;

    double a = K(i, i) + K(j, j) - 2 * K(i, j);
    if (a <= 0) a = tau;
    double t = (g_max + y[j] * G[j]) / a;  // −(y_i G_i − y_j G_j)/a, > 0 for a violating pair
    const double room_i = y[i] > 0 ? C - alpha[i] : alpha[i];
    const double room_j = y[j] > 0 ? alpha[j] : C - alpha[j];
    t = std::min({t, room_i, room_j});
    // Land exactly on a bound when the box stops the step, so "free" never means "1e-17 above zero".
    alpha[i] = t == room_i ? (y[i] > 0 ? C : 0.0) : alpha[i] + y[i] * t;
    alpha[j] = t == room_j ? (y[j] > 0 ? 0.0 : C) : alpha[j] - y[j] * t;
    for (std::size_t k = 0; k < n; ++k) G[k] += y[k] * t * (K(k, i) - K(k, j));
  }
  // Bias: b = −y_t G_t for any free α_t (its margin constraint is tight); averaged over them, or the middle of the
  // feasible interval [max_{I_up} −yG, min_{I_low} −yG] when none is free.
  double sum = 0;
  std::size_t free = 0;
  for (std::size_t t = 0; t < n; ++t) {
    if (alpha[t] > 0 && alpha[t] < C) {
      sum += -y[t] * G[t];
      ++free;
    }
  }
  BinarySolution s;
  s.bias = free ? sum / double(free) : 0.5 * (g_max + g_min);
  if (!std::isfinite(s.bias)) s.bias = 0;
  s.alpha = std::move(alpha);
  return s;
}

}  // namespace

KernelRidgeClassifier::KernelRidgeClassifier(double regularisation) : lambda_(regularisation) {
  if (!(regularisation > 0) || !std::isfinite(regularisation)) {
    throw ValueError("kernel ridge regularisation must be > 0, got " + std::to_string(regularisation));
  }
}

void KernelRidgeClassifier::fit(const KernelMatrix& gram, std::span<const int> labels, std::size_t num_classes) {
  check_training(gram, labels, num_classes);
  const std::size_t n = gram.rows;
  std::vector<double> a = gram.values;
  for (std::size_t i = 0; i < n; ++i) a[i * n + i] += lambda_;
  std::vector<double> targets(n * num_classes, -1.0);
  for (std::size_t i = 0; i < n; ++i) targets[i * num_classes + static_cast<std::size_t>(labels[i])] = 1.0;
  alpha_ = cholesky_solve(a, n, targets, num_classes);
  n_train_ = n;
  classes_ = num_classes;
}

std::vector<double> KernelRidgeClassifier::decision_function(const KernelMatrix& k) const {
  check_prediction(k, n_train_);
  std::vector<double> scores(k.rows * classes_, 0.0);
  for (std::size_t r = 0; r < k.rows; ++r)
    for (std::size_t i = 0; i < n_train_; ++i) {
      const double kv = k(r, i);
      for (std::size_t c = 0; c < classes_; ++c) scores[r * classes_ + c] += kv * alpha_[i * classes_ + c];
    }
  return scores;
}

std::vector<int> KernelRidgeClassifier::predict(const KernelMatrix& k) const {
  return argmax_rows(decision_function(k), k.rows, classes_);
}

KernelSvm::KernelSvm(SvmOptions options) : options_(options) {
  if (!(options.C > 0) || !std::isfinite(options.C)) throw ValueError("SVM C must be > 0, got " + std::to_string(options.C));
  if (!(options.tolerance > 0)) throw ValueError("SVM tolerance must be > 0, got " + std::to_string(options.tolerance));
}

void KernelSvm::fit(const KernelMatrix& gram, std::span<const int> labels, std::size_t num_classes) {
  check_training(gram, labels, num_classes);
  const std::size_t n = gram.rows;
  machines_.clear();
  const std::size_t count = num_classes == 2 ? 1 : num_classes;
  for (std::size_t m = 0; m < count; ++m) {
    const int positive = num_classes == 2 ? 1 : static_cast<int>(m);
    std::vector<int> y(n);
    for (std::size_t i = 0; i < n; ++i) y[i] = labels[i] == positive ? 1 : -1;
    BinarySolution s = smo(gram, y, options_);
    Machine machine;
    machine.coef.resize(n);
    for (std::size_t i = 0; i < n; ++i) machine.coef[i] = y[i] * s.alpha[i];
    machine.bias = s.bias;
    machines_.push_back(std::move(machine));
  }
  n_train_ = n;
  classes_ = num_classes;
}

std::vector<double> KernelSvm::decision_function(const KernelMatrix& k) const {
  check_prediction(k, n_train_);
  const std::size_t m = machines_.size();
  std::vector<double> f(k.rows * m);
  for (std::size_t r = 0; r < k.rows; ++r)
    for (std::size_t c = 0; c < m; ++c) {
      double s = machines_[c].bias;
      for (std::size_t i = 0; i < n_train_; ++i) s += machines_[c].coef[i] * k(r, i);
      f[r * m + c] = s;
    }
  return f;
}

std::vector<int> KernelSvm::predict(const KernelMatrix& k) const {
  const std::vector<double> f = decision_function(k);
  if (machines_.size() == 1) {
    std::vector<int> out(k.rows);
    for (std::size_t r = 0; r < k.rows; ++r) out[r] = f[r] > 0 ? 1 : 0;
    return out;
  }
  return argmax_rows(f, k.rows, machines_.size());
}

std::size_t KernelSvm::num_support_vectors() const {
  std::size_t count = 0;
  for (std::size_t i = 0; i < n_train_; ++i) {
    if (std::any_of(machines_.begin(), machines_.end(), [&](const Machine& m) { return m.coef[i] != 0.0; })) ++count;
  }
  return count;
}

double prediction_accuracy(std::span<const int> predicted, std::span<const int> labels) {
  if (predicted.size() != labels.size()) {
    throw ValueError("prediction_accuracy: " + std::to_string(predicted.size()) + " predictions for " +
                     std::to_string(labels.size()) + " labels");
  }
  if (labels.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::size_t right = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) right += predicted[i] == labels[i];
  return double(right) / double(labels.size());
}

}  // namespace qnn
