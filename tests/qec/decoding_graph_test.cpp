// The decoding graph: merging, weights, hyperedge decomposition, p > 1/2 edges, and the model validation.
#include "qnn/qec/decoding_graph.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "qnn/core/error.hpp"

namespace qnn::qec {
namespace {

TEST(DecodingGraph, MergesIdenticalMechanismsByXorProbability) {
  DetectorErrorModel dem;
  dem.num_detectors = 2;
  dem.num_observables = 1;
  dem.errors = {{0.1, {0, 1}, {}}, {0.2, {0, 1}, {}}, {0.05, {1}, {0}}};
  const auto merged = merge_identical_mechanisms(dem);
  ASSERT_EQ(merged.size(), 2u);
  const DecodingGraph g(dem, "test");
  ASSERT_EQ(g.edges().size(), 2u);
  const DecodingEdge& e = g.edges()[0].b == 1 ? g.edges()[0] : g.edges()[1];
  EXPECT_NEAR(e.probability, 0.1 * 0.8 + 0.2 * 0.9, 1e-15);  // odd number of the two
  // Weights are log((1 − p)/p) in integer units; the boundary edge (p = 0.05) is the heavier one.
  for (const DecodingEdge& edge : g.edges()) {
    EXPECT_NEAR(static_cast<double>(edge.weight) / g.weight_scale(), std::log((1 - edge.probability) / edge.probability),
                1e-5);
  }
  EXPECT_EQ(g.incident(g.boundary()).size(), 1u);
  EXPECT_EQ(g.incident(1).size(), 2u);
}

TEST(DecodingGraph, DecomposesHyperedgesIntoExistingEdges) {
  // Y-like error {0, 1, 2, 3} = {0, 1} ∪ {2, 3}, observables {0} = {0} ⊕ {}; another {1, 2, 3} = {1}∂ ∪ {2, 3}.
  DetectorErrorModel dem;
  dem.num_detectors = 4;
  dem.num_observables = 1;
  dem.errors = {{0.1, {0, 1}, {0}}, {0.1, {2, 3}, {}}, {0.1, {1}, {}}, {0.02, {0, 1, 2, 3}, {0}}, {0.03, {1, 2, 3}, {}}};
  const DecodingGraph g(dem, "test");
  ASSERT_EQ(g.edges().size(), 3u);
  auto p_of = [&](std::uint32_t a, std::uint32_t b) {
    for (const auto& e : g.edges()) {
      if (e.a == a && e.b == b) return e.probability;
    }
    return -1.0;
  };
  auto x = [](double p, double q) { return p * (1 - q) + q * (1 - p); };
  EXPECT_NEAR(p_of(0, 1), x(0.1, 0.02), 1e-15);
  EXPECT_NEAR(p_of(2, 3), x(x(0.1, 0.02), 0.03), 1e-15);
  EXPECT_NEAR(p_of(1, g.boundary()), x(0.1, 0.03), 1e-15);
}

TEST(DecodingGraph, RejectsHyperedgesWhoseObservablesDoNotAddUp) {
  DetectorErrorModel dem;
  dem.num_detectors = 4;
  dem.num_observables = 2;
  dem.errors = {{0.1, {0, 1}, {0}}, {0.1, {2, 3}, {}}, {0.02, {0, 1, 2, 3}, {1}}};
  try {
    DecodingGraph g(dem, "mwpm");
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("{0, 1, 2, 3}"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("lookup"), std::string::npos) << e.what();
  }
}

TEST(DecodingGraph, EdgesAboveOneHalfArePreFlipped) {
  DetectorErrorModel dem;
  dem.num_detectors = 3;
  dem.num_observables = 1;
  dem.errors = {{0.9, {0, 1}, {0}}, {0.7, {1, 2}, {}}, {0.1, {2}, {}}};
  const DecodingGraph g(dem, "test");
  EXPECT_EQ(g.flipped_detectors(), (std::vector<std::uint32_t>{0, 2}));
  EXPECT_EQ(g.flipped_observables(), 1u);
  for (const auto& e : g.edges()) EXPECT_GE(e.weight, 0);
  std::vector<std::uint32_t> out;
  const std::vector<std::uint32_t> fired{1, 2};
  toggle_detectors(fired, g.flipped_detectors(), out);
  EXPECT_EQ(out, (std::vector<std::uint32_t>{0, 1}));
}

TEST(DecodingGraph, ValidatesTheModel) {
  DetectorErrorModel dem;
  dem.num_detectors = 2;
  dem.num_observables = 1;
  dem.errors = {{0.1, {0, 2}, {}}};
  EXPECT_THROW(DecodingGraph(dem, "t"), ValueError);  // detector out of range
  dem.errors = {{0.1, {1, 0}, {}}};
  EXPECT_THROW(DecodingGraph(dem, "t"), ValueError);  // unsorted
  dem.errors = {{1.5, {0}, {}}};
  EXPECT_THROW(DecodingGraph(dem, "t"), ValueError);  // probability
  dem.errors = {{0.1, {0}, {1}}};
  EXPECT_THROW(DecodingGraph(dem, "t"), ValueError);  // observable ≥ num_observables
  dem.num_observables = 65;
  dem.errors.clear();
  EXPECT_THROW(DecodingGraph(dem, "t"), ValueError);
}

}  // namespace
}  // namespace qnn::qec
