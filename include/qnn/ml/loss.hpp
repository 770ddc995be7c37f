#pragma once
// Losses of a classifier's outputs z (one value per class) for a sample of class y, each with ∂loss/∂z.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qnn {

/// softmax(z)_k = exp(z_k) / Σ exp(z_j), computed stably.
std::vector<double> softmax(std::span<const double> logits);

/// Cross-entropy −log softmax(z)_label; `grad` (if non-empty) receives ∂loss/∂z = softmax(z) − onehot(label).
double softmax_cross_entropy(std::span<const double> logits, int label, std::span<double> grad = {});

/// cross-entropy: −log softmax(z)_y.
/// mse:      (1/C) Σ_k (z_k − t_k)² with one-hot targets t = e_y.
/// mse-pm1:  the same with ±1 targets (t_k = +1 for k = y, −1 otherwise), the natural scale of ⟨Z⟩ readouts.
/// hinge:    the multi-class margin of Weston & Watkins, Σ_{k≠y} max(0, 1 − z_y + z_k).
/// fidelity: 1 − z_y, where z_k = |⟨k|ψ⟩|² is the fidelity of the readout qubits' state with the target state |k⟩ of
///           class k (state learning; the outputs are probabilities, not logits).
enum class LossKind : std::uint8_t { CrossEntropy, Mse, MsePm1, Hinge, Fidelity };

/// The names above; "ce" is accepted for cross-entropy. ValueError listing them otherwise.
LossKind parse_loss(std::string_view name);
std::string loss_name(LossKind kind);

/// The loss of outputs z for `label`; `grad` (if non-empty) receives ∂loss/∂z. ValueError for a label out of range.
double classification_loss(LossKind kind, std::span<const double> z, int label, std::span<double> grad = {});

}  // namespace qnn
