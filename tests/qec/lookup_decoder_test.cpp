// The lookup table: most likely error on a hypergraph model, the weight bound, the size limit.
#include "qnn/qec/lookup_decoder.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "qnn/core/error.hpp"

namespace qnn::qec {
namespace {

// A hypergraph no matching decoder accepts: the three-detector mechanism is the likeliest explanation of {0, 1, 2}.
TEST(LookupDecoder, DecodesHyperedgesByLikelihood) {
  DetectorErrorModel dem;
  dem.num_detectors = 3;
  dem.num_observables = 2;
  dem.errors = {{0.2, {0, 1, 2}, {0}}, {0.05, {0}, {1}}, {0.05, {1}, {}}, {0.05, {2}, {}}};
  LookupDecoder decoder(dem);
  EXPECT_EQ(decoder.decode(std::vector<std::uint32_t>{0, 1, 2}), 1u);  // 0.2 beats 0.05³
  EXPECT_EQ(decoder.decode(std::vector<std::uint32_t>{0}), 2u);
  // {1, 2}: 0.05² (observables 0) against 0.2·0.05 via {0,1,2} ⊕ {0} (observables 0 ⊕ 1): the latter is likelier.
  EXPECT_EQ(decoder.decode(std::vector<std::uint32_t>{1, 2}), 3u);
  EXPECT_EQ(decoder.max_weight(), 4u);
  EXPECT_EQ(decoder.table_size(), 8u);
}

TEST(LookupDecoder, WeightBoundFollowsTheCombinationBudget) {
  DetectorErrorModel dem;
  dem.num_detectors = 20;
  dem.num_observables = 1;
  for (std::uint32_t i = 0; i < 20; ++i) dem.errors.push_back({0.01, {i}, {}});
  // 1 + 20 + 190 = 211 ≤ 300 < 211 + 1140.
  EXPECT_EQ(LookupDecoder(dem, 300).max_weight(), 2u);
}

TEST(LookupDecoder, RejectsLargeModels) {
  DetectorErrorModel dem;
  dem.num_detectors = LookupDecoder::kMaxDetectors + 1;
  EXPECT_THROW(LookupDecoder{dem}, ValueError);
}

}  // namespace
}  // namespace qnn::qec
