#include "qnn/ml/optimizer.hpp"

#include <cmath>
#include <string>

#include "qnn/core/error.hpp"

namespace qnn {

Adam::Adam(double learning_rate, double beta1, double beta2, double eps)
    : lr_(learning_rate), b1_(beta1), b2_(beta2), eps_(eps) {
  if (!(learning_rate > 0) || !std::isfinite(learning_rate)) {
    throw ValueError("learning rate must be a positive number, got " + std::to_string(learning_rate));
  }
  if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) throw ValueError("Adam betas must be in [0, 1)");
}

void Adam::step(std::span<double> params, std::span<const double> grad) {
  if (params.size() != grad.size()) throw ValueError("gradient and parameters differ in size");
  if (m_.empty()) {
    m_.assign(params.size(), 0.0);
    v_.assign(params.size(), 0.0);
  }
  if (m_.size() != params.size()) throw ValueError("parameter count changed between optimizer steps");
  ++t_;
  const double c1 = 1.0 - std::pow(b1_, double(t_)), c2 = 1.0 - std::pow(b2_, double(t_));
  for (std::size_t i = 0; i < params.size(); ++i) {
    m_[i] = b1_ * m_[i] + (1 - b1_) * grad[i];
    v_[i] = b2_ * v_[i] + (1 - b2_) * grad[i] * grad[i];
    params[i] -= lr_ * (m_[i] / c1) / (std::sqrt(v_[i] / c2) + eps_);
  }
}

}  // namespace qnn
