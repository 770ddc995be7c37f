#pragma once
// A detector error model: the independent error mechanisms of a noisy Clifford circuit, each with its probability and
// the detectors (parities of measurements that are deterministic without noise) and logical observables it flips.
// The Pauli-frame sampler derives it from a circuit; the decoders read nothing else.
#include <array>
#include <cstdint>
#include <vector>

namespace qnn::qec {

struct ErrorMechanism {
  double probability = 0.0;
  std::vector<std::uint32_t> detectors;    // sorted, distinct
  std::vector<std::uint32_t> observables;  // sorted, distinct, each < 64
};

struct DetectorErrorModel {
  std::uint32_t num_detectors = 0;
  std::uint32_t num_observables = 0;  // ≤ 64: decoders return the predicted flips as one 64-bit mask
  // Mechanisms may repeat a detector/observable set; decoders merge them (p = p1(1−p2) + p2(1−p1)).
  std::vector<ErrorMechanism> errors;
  // Optional (x, y, t) per detector, for drawing and for decoders that want a geometry; empty when unknown.
  std::vector<std::array<double, 3>> detector_coordinates;
};

}  // namespace qnn::qec
