#pragma once
// Detector error models built by hand (no circuit, no sampler), and a sampler that draws errors straight from a model,
// so that the decoders are tested independently of the Pauli-frame simulator. Shared by the qec tests and the decoder
// benchmark.
#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "qnn/core/rng.hpp"
#include "qnn/qec/detector_error_model.hpp"

namespace qnn::qec::testing {

// Distance-d repetition code under code-capacity bit flips: data bit i (0..d−1) flips detectors i−1 and i (the
// parities of neighbouring bits); bits 0 and d−1 end on the two boundaries. Observable 0 = bit 0 (a Z̄ readout).
inline DetectorErrorModel repetition_code_capacity_model(std::uint32_t d, double p) {
  DetectorErrorModel dem;
  dem.num_detectors = d - 1;
  dem.num_observables = 1;
  for (std::uint32_t i = 0; i < d; ++i) {
    ErrorMechanism e{p, {}, {}};
    if (i > 0) e.detectors.push_back(i - 1);
    if (i + 1 < d) e.detectors.push_back(i);
    if (i == 0) e.observables.push_back(0);
    dem.errors.push_back(e);
  }
  return dem;
}

// Rotated surface code of odd distance d, X errors seen by the Z checks. Data qubit (r, c), 0 ≤ r, c < d; the check
// at the corner between rows r, r+1 and columns c, c+1 is named (r, c) with −1 ≤ r, c ≤ d−1 and is a Z check when
// r + c is even. Z checks: all even bulk ones (0 ≤ r, c ≤ d−2) and the weight-2 ones on the top (r = −1) and bottom
// (r = d−1) sides; the left and right sides carry X checks only, so X errors in columns 0 and d−1 are boundary edges.
// X̄ = X on a row runs between the left and right boundaries; it flips Z̄ = Z on column 0, so observable 0 is an X error
// in column 0. `rounds` = 0: code capacity (each qubit flips with p, detectors = the checks). `rounds` = T > 0:
// phenomenological noise: T noisy rounds, each preceded by qubit flips with p and followed by check-outcome flips with
// q = p, then a perfect readout round; detector (check, t) = outcome(t) ⊕ outcome(t − 1), t = 0..T.
inline DetectorErrorModel rotated_surface_code_model(std::uint32_t d, double p, std::uint32_t rounds = 0) {
  const int n = static_cast<int>(d);
  std::vector<int> check_index(static_cast<std::size_t>((n + 1) * (n + 1)), -1);
  auto slot = [&](int r, int c) -> int& { return check_index[static_cast<std::size_t>((r + 1) * (n + 1) + (c + 1))]; };
  int checks = 0;
  std::vector<std::array<double, 2>> check_xy;
  for (int r = -1; r <= n - 1; ++r) {
    for (int c = -1; c <= n - 1; ++c) {
      const bool z = ((r + c) % 2 + 2) % 2 == 0;
      const bool bulk = r >= 0 && r <= n - 2 && c >= 0 && c <= n - 2;
      const bool top_bottom = (r == -1 || r == n - 1) && c >= 0 && c <= n - 2;
      if (z && (bulk || top_bottom)) {
        slot(r, c) = checks++;
        check_xy.push_back({c + 0.5, r + 0.5});
      }
    }
  }
  const std::uint32_t layers = rounds == 0 ? 1 : rounds + 1;
  DetectorErrorModel dem;
  dem.num_detectors = static_cast<std::uint32_t>(checks) * layers;
  dem.num_observables = 1;
  for (std::uint32_t t = 0; t < layers; ++t) {
    for (const auto& xy : check_xy) dem.detector_coordinates.push_back({xy[0], xy[1], double(t)});
  }
  const std::uint32_t data_layers = rounds == 0 ? 1 : rounds;
  for (std::uint32_t t = 0; t < data_layers; ++t) {
    const std::uint32_t offset = t * static_cast<std::uint32_t>(checks);
    for (int r = 0; r < n; ++r) {
      for (int c = 0; c < n; ++c) {
        ErrorMechanism e{p, {}, {}};
        for (auto [dr, dc] : {std::pair{-1, -1}, {-1, 0}, {0, -1}, {0, 0}}) {
          const int k = slot(r + dr, c + dc);
          if (k >= 0) e.detectors.push_back(offset + static_cast<std::uint32_t>(k));
        }
        std::sort(e.detectors.begin(), e.detectors.end());
        if (c == 0) e.observables.push_back(0);
        dem.errors.push_back(e);
      }
    }
  }
  for (std::uint32_t t = 0; t + 1 < layers; ++t) {  // outcome flip in round t: detectors (k, t) and (k, t + 1)
    for (std::uint32_t k = 0; k < static_cast<std::uint32_t>(checks); ++k) {
      dem.errors.push_back(ErrorMechanism{p, {t * checks + k, (t + 1) * checks + k}, {}});
    }
  }
  return dem;
}

// One shot drawn from the model itself: each mechanism happens independently with its probability.
class ModelSampler {
 public:
  explicit ModelSampler(const DetectorErrorModel& dem) : dem_(dem), parity_(dem.num_detectors, 0) {}

  // Fills `fired` (sorted) and returns the observables that actually flipped.
  std::uint64_t sample(Rng& rng, std::vector<std::uint32_t>& fired) {
    std::uint64_t obs = 0;
    touched_.clear();
    for (const ErrorMechanism& e : dem_.errors) {
      if (rng.uniform() >= e.probability) continue;
      for (std::uint32_t d : e.detectors) {
        parity_[d] ^= 1;
        touched_.push_back(d);
      }
      for (std::uint32_t o : e.observables) obs ^= std::uint64_t{1} << o;
    }
    fired.clear();
    for (std::uint32_t d : touched_) {
      if (parity_[d]) fired.push_back(d);
      parity_[d] = 0;
    }
    std::sort(fired.begin(), fired.end());
    return obs;
  }

 private:
  const DetectorErrorModel& dem_;
  std::vector<std::uint8_t> parity_;
  std::vector<std::uint32_t> touched_;
};

}  // namespace qnn::qec::testing

namespace qnn::qec::testing {

// Shots in which `decoder` mispredicts the observables of errors drawn from `dem`.
template <class Decoder>
std::uint64_t count_logical_errors(Decoder& decoder, const DetectorErrorModel& dem, std::uint64_t shots,
                                   std::uint64_t seed) {
  Rng rng(seed);
  ModelSampler sampler(dem);
  std::vector<std::uint32_t> fired;
  std::uint64_t failures = 0;
  for (std::uint64_t s = 0; s < shots; ++s) {
    const std::uint64_t actual = sampler.sample(rng, fired);
    failures += decoder.decode(fired) != actual;
  }
  return failures;
}

}  // namespace qnn::qec::testing
