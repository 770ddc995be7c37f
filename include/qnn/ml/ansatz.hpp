#pragma once
// Trainable entangling circuits.
#include "qnn/circuit/circuit.hpp"

namespace qnn {

/// Strongly entangling layers (Schuld et al. 2020): in layer l every qubit gets Rot(φ, θ, ω) = RZ(ω) RY(θ) RZ(φ),
/// then CNOT(i → (i + r) mod n) for every i, with range r = (l mod (n − 1)) + 1. Uses 3·n·layers weights starting at
/// θ_{first_theta}; returns the number of weights used.
unsigned strongly_entangling(Circuit& c, unsigned layers, unsigned first_theta = 0);

}  // namespace qnn
