// MWPM: exact most likely graphlike error (against the lookup table's exhaustive search), and the threshold behaviour
// of the rotated surface code under code-capacity noise (threshold ≈ 10.3 % for MWPM).
#include "qnn/qec/mwpm_decoder.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "qec/hand_built_models.hpp"
#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/qec/lookup_decoder.hpp"
#include "qnn/qec/perfect_matching.hpp"

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

// The decoder's shortcuts — Dijkstra balls capped at one edge's weight with the matching's duals proving the result,
// else balls out to the boundary distance, pairs only where d(i, j) < b_i + b_j, components matched apart — against the
// textbook construction: all-pairs shortest paths (Floyd–Warshall through detectors only; the boundary enters as each
// defect's twin at distance b_i) and one perfect matching of every defect pair and twin. Tie-free random edge
// probabilities on a 3D (phenomenological, d = 7, 7 rounds, 192 detectors) graph; syndromes from shots at densities
// where the capped first try, its retries with larger caps (sparse shots) and the fallback all occur.
TEST(MwpmDecoder, EqualsAllPairsMatchingOnRandomShots) {
  Rng rng(5);
  DetectorErrorModel dem = rotated_surface_code_model(7, 0.1, 7);
  for (auto& e : dem.errors) e.probability = rng.uniform(0.002, 0.04);
  const DecodingGraph graph(dem, "reference");
  ASSERT_TRUE(graph.flipped_detectors().empty());
  const std::uint32_t n = graph.num_detectors();
  constexpr std::int64_t kInf = std::int64_t{1} << 50;
  std::vector<std::int64_t> dist(std::size_t{n} * n, kInf), to_boundary(n, kInf);
  std::vector<std::uint64_t> obs(std::size_t{n} * n);  // value-initialised: 0
  std::vector<std::uint64_t> boundary_obs(n);
  for (std::uint32_t v = 0; v < n; ++v) dist[std::size_t{v} * n + v] = 0;
  std::vector<std::pair<std::int64_t, std::uint64_t>> boundary_edge(n, {kInf, 0});
  for (const DecodingEdge& e : graph.edges()) {
    if (e.b == graph.boundary()) {
      boundary_edge[e.a] = std::min(boundary_edge[e.a], std::pair{e.weight, e.observables});
      continue;
    }
    for (auto [u, v] : {std::pair{e.a, e.b}, std::pair{e.b, e.a}}) {
      if (e.weight < dist[std::size_t{u} * n + v]) {
        dist[std::size_t{u} * n + v] = e.weight;
        obs[std::size_t{u} * n + v] = e.observables;
      }
    }
  }
  for (std::uint32_t m = 0; m < n; ++m) {
    for (std::uint32_t u = 0; u < n; ++u) {
      for (std::uint32_t v = 0; v < n; ++v) {
        const std::int64_t via = dist[std::size_t{u} * n + m] + dist[std::size_t{m} * n + v];
        if (via < dist[std::size_t{u} * n + v]) {
          dist[std::size_t{u} * n + v] = via;
          obs[std::size_t{u} * n + v] = obs[std::size_t{u} * n + m] ^ obs[std::size_t{m} * n + v];
        }
      }
    }
  }
  for (std::uint32_t u = 0; u < n; ++u) {  // the last step of a shortest path to the boundary is a boundary edge
    for (std::uint32_t v = 0; v < n; ++v) {
      if (boundary_edge[v].first < kInf && dist[std::size_t{u} * n + v] + boundary_edge[v].first < to_boundary[u]) {
        to_boundary[u] = dist[std::size_t{u} * n + v] + boundary_edge[v].first;
        boundary_obs[u] = obs[std::size_t{u} * n + v] ^ boundary_edge[v].second;
      }
    }
  }
  auto reference = [&](const std::vector<std::uint32_t>& defects) {
    const auto k = static_cast<std::uint32_t>(defects.size());
    PerfectMatching matching;
    matching.reset(2 * k);
    for (std::uint32_t i = 0; i < k; ++i) {
      for (std::uint32_t j = i + 1; j < k; ++j) matching.add_edge(i, j, dist[std::size_t{defects[i]} * n + defects[j]]);
      matching.add_edge(i, k + i, to_boundary[defects[i]]);
      for (std::uint32_t j = i + 1; j < k; ++j) matching.add_edge(k + i, k + j, 0);
    }
    EXPECT_TRUE(matching.solve());
    std::uint64_t prediction = 0;
    for (std::uint32_t i = 0; i < k; ++i) {
      const auto m = static_cast<std::uint32_t>(matching.mate(i));
      if (m == k + i) prediction ^= boundary_obs[defects[i]];
      if (m < k && m > i) prediction ^= obs[std::size_t{defects[i]} * n + defects[m]];
    }
    return prediction;
  };

  MwpmDecoder decoder(dem);
  testing::ModelSampler sampler(dem);
  std::vector<std::uint32_t> fired;
  for (int shot = 0; shot < 1500; ++shot) {
    if (shot % 2) {
      sampler.sample(rng, fired);
    } else {  // 2–6 defects anywhere: sparse, often far apart, so the first cap fails and larger ones are tried
      fired.clear();
      const auto count = static_cast<std::size_t>(2 + rng.below(5));
      while (fired.size() < count) {
        const auto d = static_cast<std::uint32_t>(rng.below(n));
        if (std::find(fired.begin(), fired.end(), d) == fired.end()) fired.push_back(d);
      }
      std::sort(fired.begin(), fired.end());
    }
    ASSERT_EQ(decoder.decode(fired), reference(fired)) << "shot " << shot << ", " << fired.size() << " defects";
  }
  EXPECT_GT(decoder.local_solves(), 100u);
  EXPECT_GT(decoder.full_solves(), 100u);
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
