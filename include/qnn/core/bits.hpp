#pragma once
// Bit tricks for enumerating amplitude indices. qnn is little-endian: qubit k is bit k of an amplitude index.
#include <bit>
#include <cstdint>

namespace qnn {

using index_t = std::uint64_t;

/// Insert a zero bit at position `bit`: the i-th index whose bit `bit` is 0.
constexpr index_t insert_zero_bit(index_t i, unsigned bit) {
  const index_t low = i & ((index_t{1} << bit) - 1);
  return ((i ^ low) << 1) | low;
}

/// Insert zero bits at the positions in `sorted_bits` (ascending).
template <class Container>
constexpr index_t insert_zero_bits(index_t i, const Container& sorted_bits) {
  for (unsigned b : sorted_bits) i = insert_zero_bit(i, b);
  return i;
}

/// Parity (0 or 1) of the set bits.
constexpr int parity(index_t x) { return std::popcount(x) & 1; }

}  // namespace qnn
