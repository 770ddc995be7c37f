#pragma once
// The quantum geometric tensor's real part, the Fubini–Study metric of the state |ψ(θ)⟩ = U(θ, x)|0…0⟩:
//   g_ij = Re⟨∂_iψ|∂_jψ⟩ − Re(⟨∂_iψ|ψ⟩⟨ψ|∂_jψ⟩)
// and quantum natural gradient descent (Stokes et al. 2020): θ ← θ − η (g + λI)⁻¹ ∇L.
#include <span>
#include <vector>

#include "qnn/circuit/circuit.hpp"

namespace qnn {

enum class MetricApproximation {
  Full,           // every pair of weights
  BlockDiagonal,  // only pairs of weights in the same layer (see weight_layers); the blocks are exact, the
                  // couplings between layers are dropped
};

/// The P × P metric (row-major) for the weights θ, from P exact derivative states (chain rule through each angle
/// expression). Cost: one forward pass per parameterised angle, P² inner products.
std::vector<double> metric_tensor(const Circuit& c, std::span<const double> theta, std::span<const double> x = {},
                                  MetricApproximation approx = MetricApproximation::Full);

/// Layer index of every weight θ_i used by `c` (for the block-diagonal approximation): a layer ends when any gate acts
/// on a qubit that a parameterised gate of the current layer already touched.
std::vector<unsigned> weight_layers(const Circuit& c);

/// Quantum natural gradient step: solves (g + λI) d = grad by Cholesky and returns θ − η d.
class QngOptimizer {
 public:
  explicit QngOptimizer(double learning_rate = 0.05, double regularisation = 1e-3);
  /// θ ← θ − η (g + λI)⁻¹ grad, with g the P × P metric (row-major).
  void step(std::span<double> theta, std::span<const double> grad, std::span<const double> metric) const;

 private:
  double lr_, lambda_;
};

}  // namespace qnn
