// MWPM: exact most likely graphlike error (against the lookup table's exhaustive search), and the threshold behaviour
// of the rotated surface code under code-capacity noise (threshold ≈ 10.3 % for MWPM).
#include "qnn/qec/mwpm_decoder.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "qec/hand_built_models.hpp"
#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/qec/lookup_decoder.hpp"

namespace qnn::qec {
namespace {

using testing::count_logical_errors;
using testing::rotated_surface_code_model;

// Every syndrome of a small 3D (phenomenological, one noisy round) surface-code graph with random, tie-free edge
// probabilities — including some above 1/2 — decodes to the same observables as the exhaustive lookup table, which
// finds the most likely error by enumeration.
TEST(MwpmDecoder, EqualsExhaustiveLookupOnEverySyndrome) {
  Rng rng(11);
  for (int trial = 0; trial < 4; ++trial) {
    DetectorErrorModel dem = rotated_surface_code_model(3, 0.1, 1);  // 8 detectors, 13 mechanisms
    for (auto& e : dem.errors) e.probability = rng.uniform(0.01, 0.3);
    if (trial >= 2) dem.errors[static_cast<std::size_t>(trial)].probability = 0.8;  // p > 1/2: pre-flipped
    LookupDecoder lookup(dem);
    ASSERT_EQ(lookup.max_weight(), merge_identical_mechanisms(dem).size());  // exhaustive
    MwpmDecoder mwpm(dem);
    std::vector<std::uint32_t> fired;
    for (std::uint32_t syndrome = 0; syndrome < (1u << dem.num_detectors); ++syndrome) {
      fired.clear();
      for (std::uint32_t d = 0; d < dem.num_detectors; ++d) {
        if (syndrome >> d & 1u) fired.push_back(d);
      }
      EXPECT_EQ(mwpm.decode(fired), lookup.decode(fired)) << "trial " << trial << " syndrome " << syndrome;
    }
  }
}

// Below threshold (p = 5 %) the logical error rate falls with distance; above (p = 15 %) it rises. Shot counts give
// every compared pair a gap of more than 4σ (σ² = Σ r(1 − r)/N) at these fixed seeds.
TEST(MwpmDecoder, SurfaceCodeBelowThresholdImprovesWithDistanceAndAboveWorsens) {
  auto rate = [](std::uint32_t d, double p, std::uint64_t shots) {
    const DetectorErrorModel dem = rotated_surface_code_model(d, p);
    MwpmDecoder decoder(dem);
    return static_cast<double>(count_logical_errors(decoder, dem, shots, 100 + d)) / static_cast<double>(shots);
  };
  auto sigma = [](double r1, double r2, double n) { return std::sqrt(r1 * (1 - r1) / n + r2 * (1 - r2) / n); };
  constexpr double kLowShots = 20000, kHighShots = 4000;
  const double low3 = rate(3, 0.05, kLowShots), low5 = rate(5, 0.05, kLowShots), low7 = rate(7, 0.05, kLowShots);
  EXPECT_GT(low3 - low5, 4 * sigma(low3, low5, kLowShots)) << low3 << " " << low5;
  EXPECT_GT(low5 - low7, 4 * sigma(low5, low7, kLowShots)) << low5 << " " << low7;
  const double high3 = rate(3, 0.15, kHighShots), high7 = rate(7, 0.15, kHighShots);
  EXPECT_GT(high7 - high3, 4 * sigma(high3, high7, kHighShots)) << high3 << " " << high7;
}

// d = 3 corrects every single error: all 9 one-qubit errors are decoded exactly.
TEST(MwpmDecoder, SurfaceCodeDistanceThreeCorrectsEverySingleError) {
  const DetectorErrorModel dem = rotated_surface_code_model(3, 0.05);
  MwpmDecoder decoder(dem);
  for (const auto& e : dem.errors) {
    const std::uint64_t actual = e.observables.empty() ? 0 : 1;
    EXPECT_EQ(decoder.decode(e.detectors), actual);
  }
}

TEST(MwpmDecoder, RejectsHyperedgesThatDoNotDecompose) {
  DetectorErrorModel dem;
  dem.num_detectors = 3;
  dem.num_observables = 1;
  dem.errors = {{0.1, {0, 1}, {}}, {0.1, {0, 1, 2}, {}}};  // {2} alone is no edge
  EXPECT_THROW(MwpmDecoder{dem}, ValueError);
}

}  // namespace
}  // namespace qnn::qec
