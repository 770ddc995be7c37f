#pragma once
#include <span>
#include <vector>

namespace qnn {

/// softmax(z)_k = exp(z_k) / Σ exp(z_j), computed stably.
std::vector<double> softmax(std::span<const double> logits);

/// Cross-entropy −log softmax(z)_label; `grad` (if non-empty) receives ∂loss/∂z = softmax(z) − onehot(label).
double softmax_cross_entropy(std::span<const double> logits, int label, std::span<double> grad = {});

}  // namespace qnn
