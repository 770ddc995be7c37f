#pragma once
// Data encodings: how classical features become rotation angles.
#include "qnn/circuit/circuit.hpp"

namespace qnn {

enum class RotationAxis : char { X = 'X', Y = 'Y', Z = 'Z' };

/// Angle encoding: feature j rotates qubit j mod n about `axis` by angle x_j (features beyond n wrap around and add
/// further rotations, so every feature is used).
void angle_encoding(Circuit& c, unsigned num_features, RotationAxis axis = RotationAxis::Y);

/// 'X' / 'Y' / 'Z' (any case) → axis; throws ValueError otherwise.
RotationAxis parse_rotation_axis(char c);

}  // namespace qnn
