#pragma once
// Central finite differences: the slow, method-independent cross-check of every other gradient.
#include <span>

#include "qnn/diff/adjoint.hpp"

namespace qnn {

/// ∂⟨O⟩/∂θ_i and ∂⟨O⟩/∂x_j by (f(p + h) − f(p − h)) / 2h; 2·(|θ| + |x|) + 1 circuit runs.
Gradient finite_difference_gradient(const Circuit& c, const PauliSum& obs, std::span<const double> theta,
                                    std::span<const double> x = {}, double h = 1e-6);

}  // namespace qnn
