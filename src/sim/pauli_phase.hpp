#pragma once
// Private to the sim layer: the phase a Pauli string's Y factors contribute, shared by the state-vector and
// density-matrix expectations.
#include "qnn/core/complex.hpp"

namespace qnn {

/// i^k for k mod 4.
inline cplx i_power(unsigned k) {
  switch (k & 3U) {
    case 0: return {1, 0};
    case 1: return {0, 1};
    case 2: return {-1, 0};
    default: return {0, -1};
  }
}

}  // namespace qnn
