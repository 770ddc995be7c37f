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
