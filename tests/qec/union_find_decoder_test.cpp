// Union-find: threshold behaviour on the rotated surface code (code capacity, threshold ≈ 9.9 %), corrects every
// single error at d = 3, and is never better than MWPM beyond statistical noise on the same shots.
#include "qnn/qec/union_find_decoder.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "qec/hand_built_models.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/qec/mwpm_decoder.hpp"

namespace qnn::qec {
namespace {

using testing::count_logical_errors;
using testing::ModelSampler;
using testing::rotated_surface_code_model;

TEST(UnionFindDecoder, SurfaceCodeBelowThresholdImprovesWithDistanceAndAboveWorsens) {
  auto rate = [](std::uint32_t d, double p, std::uint64_t shots) {
    const DetectorErrorModel dem = rotated_surface_code_model(d, p);
    UnionFindDecoder decoder(dem);
    return static_cast<double>(count_logical_errors(decoder, dem, shots, 200 + d)) / static_cast<double>(shots);
  };
  auto sigma = [](double r1, double r2, double n) { return std::sqrt(r1 * (1 - r1) / n + r2 * (1 - r2) / n); };
  constexpr double kLowShots = 20000, kHighShots = 4000;
  const double low3 = rate(3, 0.05, kLowShots), low5 = rate(5, 0.05, kLowShots), low7 = rate(7, 0.05, kLowShots);
  EXPECT_GT(low3 - low5, 4 * sigma(low3, low5, kLowShots)) << low3 << " " << low5;
  EXPECT_GT(low5 - low7, 4 * sigma(low5, low7, kLowShots)) << low5 << " " << low7;
  const double high3 = rate(3, 0.15, kHighShots), high7 = rate(7, 0.15, kHighShots);
  EXPECT_GT(high7 - high3, 4 * sigma(high3, high7, kHighShots)) << high3 << " " << high7;
}

TEST(UnionFindDecoder, SurfaceCodeDistanceThreeCorrectsEverySingleError) {
  const DetectorErrorModel dem = rotated_surface_code_model(3, 0.05);
  UnionFindDecoder decoder(dem);
  for (const auto& e : dem.errors) {
    const std::uint64_t actual = e.observables.empty() ? 0 : 1;
    EXPECT_EQ(decoder.decode(e.detectors), actual);
  }
}

// Paired shots: let b = shots only UF gets right, c = shots only MWPM gets right. MWPM finds the most likely error, so
// b − c must not exceed the noise 3√(b + c) (McNemar); at d = 7, p = 8 % MWPM should in fact win clearly.
TEST(UnionFindDecoder, NeverBeatsMwpmBeyondNoise) {
  for (double p : {0.03, 0.08}) {
    const DetectorErrorModel dem = rotated_surface_code_model(7, p);
    UnionFindDecoder uf(dem);
    MwpmDecoder mwpm(dem);
    ModelSampler sampler(dem);
    Rng rng(77);
    std::vector<std::uint32_t> fired;
    double only_uf = 0, only_mwpm = 0;
    for (int s = 0; s < 20000; ++s) {
      const std::uint64_t actual = sampler.sample(rng, fired);
      const bool uf_ok = uf.decode(fired) == actual, mwpm_ok = mwpm.decode(fired) == actual;
      only_uf += uf_ok && !mwpm_ok;
      only_mwpm += mwpm_ok && !uf_ok;
    }
    EXPECT_LE(only_uf - only_mwpm, 3 * std::sqrt(only_uf + only_mwpm)) << "p=" << p;
    if (p > 0.05) {
      EXPECT_GT(only_mwpm, only_uf) << "p=" << p;
    }
  }
}

}  // namespace
}  // namespace qnn::qec
