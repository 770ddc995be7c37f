#include "qnn/ml/encoding.hpp"

#include <cctype>
#include <string>

#include "qnn/core/error.hpp"

namespace qnn {

void angle_encoding(Circuit& c, unsigned num_features, RotationAxis axis) {
  const GateKind kind = axis == RotationAxis::X ? GateKind::RX : axis == RotationAxis::Y ? GateKind::RY : GateKind::RZ;
  for (unsigned j = 0; j < num_features; ++j) c.add(kind, {j % c.num_qubits()}, {input(j)});
}

RotationAxis parse_rotation_axis(char ch) {
  switch (std::toupper(static_cast<unsigned char>(ch))) {
    case 'X': return RotationAxis::X;
    case 'Y': return RotationAxis::Y;
    case 'Z': return RotationAxis::Z;
    default: throw ValueError(std::string("rotation axis must be X, Y or Z, got '") + ch + "'");
  }
}

}  // namespace qnn
