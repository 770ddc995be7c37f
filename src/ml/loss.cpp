#include "qnn/ml/loss.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "qnn/core/error.hpp"

namespace qnn {

std::vector<double> softmax(std::span<const double> z) {
  std::vector<double> p(z.size());
  if (z.empty()) return p;
  const double m = *std::max_element(z.begin(), z.end());
  double s = 0;
  for (std::size_t k = 0; k < z.size(); ++k) s += p[k] = std::exp(z[k] - m);
  for (double& v : p) v /= s;
  return p;
}

double softmax_cross_entropy(std::span<const double> z, int label, std::span<double> grad) {
  if (label < 0 || static_cast<std::size_t>(label) >= z.size()) {
    throw ValueError("label " + std::to_string(label) + " out of range for " + std::to_string(z.size()) + " classes");
  }
  const double m = *std::max_element(z.begin(), z.end());
  double s = 0;
  for (double v : z) s += std::exp(v - m);
  const double log_sum = m + std::log(s);
  if (!grad.empty()) {
    for (std::size_t k = 0; k < z.size(); ++k) grad[k] = std::exp(z[k] - log_sum) - (static_cast<int>(k) == label ? 1.0 : 0.0);
  }
  return log_sum - z[static_cast<std::size_t>(label)];
}

}  // namespace qnn

namespace qnn {

LossKind parse_loss(std::string_view name) {
  if (name == "cross-entropy" || name == "ce") return LossKind::CrossEntropy;
  if (name == "mse") return LossKind::Mse;
  if (name == "mse-pm1") return LossKind::MsePm1;
  if (name == "hinge") return LossKind::Hinge;
  if (name == "fidelity") return LossKind::Fidelity;
  throw ValueError("unknown loss '" + std::string(name) + "' (known: cross-entropy, mse, mse-pm1, hinge, fidelity)");
}

std::string loss_name(LossKind kind) {
  switch (kind) {
    case LossKind::CrossEntropy: return "cross-entropy";
    case LossKind::Mse: return "mse";
    case LossKind::MsePm1: return "mse-pm1";
    case LossKind::Hinge: return "hinge";
    case LossKind::Fidelity: return "fidelity";
  }
  return "?";
}

double classification_loss(LossKind kind, std::span<const double> z, int label, std::span<double> grad) {
  if (kind == LossKind::CrossEntropy) return softmax_cross_entropy(z, label, grad);
  const std::size_t C = z.size(), y = static_cast<std::size_t>(label);
  if (label < 0 || y >= C) {
    throw ValueError("label " + std::to_string(label) + " out of range for " + std::to_string(C) + " classes");
  }
  if (!grad.empty()) std::fill(grad.begin(), grad.end(), 0.0);
  double loss = 0;
  switch (kind) {
    case LossKind::Mse:
    case LossKind::MsePm1: {
      const double off = kind == LossKind::Mse ? 0.0 : -1.0;
      for (std::size_t k = 0; k < C; ++k) {
        const double d = z[k] - (k == y ? 1.0 : off);
        loss += d * d / double(C);
        if (!grad.empty()) grad[k] = 2.0 * d / double(C);
      }
      return loss;
    }
    case LossKind::Hinge:
      for (std::size_t k = 0; k < C; ++k) {
        if (k == y) continue;
        const double m = 1.0 - z[y] + z[k];
        if (m > 0) {
          loss += m;
          if (!grad.empty()) {
            grad[k] += 1.0;
            grad[y] -= 1.0;
          }
        }
      }
      return loss;
    case LossKind::Fidelity:
      if (!grad.empty()) grad[y] = -1.0;
      return 1.0 - z[y];
    case LossKind::CrossEntropy:
      break;
  }
  return loss;
}

}  // namespace qnn
