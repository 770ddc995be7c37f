#pragma once
#include "qnn/core/bits.hpp"

namespace qnn {

/// A Pauli string as two bit masks (little-endian): X on x∖z, Z on z∖x, Y on x∩z.
/// P|i⟩ = i^{#Y} · (−1)^{popcount(i & z)} · |i ⊕ x⟩.
struct PauliMasks {
  index_t x = 0;
  index_t z = 0;
  [[nodiscard]] unsigned num_y() const { return static_cast<unsigned>(std::popcount(x & z)); }
  friend bool operator==(const PauliMasks&, const PauliMasks&) = default;
};

}  // namespace qnn
