#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace qnn {

/// Adam (Kingma & Ba 2015): per-parameter steps from bias-corrected first and second moments of the gradient.
class Adam {
 public:
  explicit Adam(double learning_rate = 0.01, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8);
  /// params ← params − lr · m̂ / (√v̂ + ε); sizes must stay fixed across calls.
  void step(std::span<double> params, std::span<const double> grad);
  [[nodiscard]] double learning_rate() const { return lr_; }
  void set_learning_rate(double lr) { lr_ = lr; }
  [[nodiscard]] std::uint64_t steps() const { return t_; }

 private:
  double lr_, b1_, b2_, eps_;
  std::uint64_t t_ = 0;
  std::vector<double> m_, v_;
};

}  // namespace qnn
