// The blossom algorithm against brute force: exact minimum-weight perfect matching by dynamic programming over vertex
// subsets (dp[S] = min over the partner j of S's lowest vertex i of w(i, j) + dp[S \ {i, j}]) on random graphs.
#include "qnn/qec/perfect_matching.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cstdint>
#include <limits>
#include <vector>

#include "qnn/core/rng.hpp"

namespace qnn::qec {
namespace {

constexpr std::int64_t kNone = std::numeric_limits<std::int64_t>::max() / 4;

struct Graph {
  std::uint32_t n;
  std::vector<std::vector<std::int64_t>> w;  // kNone: no edge
};

std::int64_t brute_force(const Graph& g) {
  const std::uint32_t full = (1u << g.n) - 1;
  std::vector<std::int64_t> dp(std::size_t{full} + 1, kNone);
  dp[0] = 0;
  for (std::uint32_t s = 1; s <= full; ++s) {
    if (std::popcount(s) % 2) continue;
    const int i = std::countr_zero(s);
    for (std::uint32_t r = s & (s - 1); r; r &= r - 1) {
      const int j = std::countr_zero(r);
      const std::int64_t wij = g.w[i][j];
      const std::uint32_t rest = s & ~(1u << i) & ~(1u << j);
      if (wij == kNone || dp[rest] == kNone) continue;
      dp[s] = std::min(dp[s], wij + dp[rest]);
    }
  }
  return dp[full];
}

Graph random_graph(Rng& rng, std::uint32_t n, double density, std::int64_t max_weight) {
  Graph g{n, std::vector<std::vector<std::int64_t>>(n, std::vector<std::int64_t>(n, kNone))};
  for (std::uint32_t i = 0; i < n; ++i) {
    for (std::uint32_t j = i + 1; j < n; ++j) {
      if (rng.uniform() < density) g.w[i][j] = g.w[j][i] = static_cast<std::int64_t>(rng.below(max_weight + 1));
    }
  }
  return g;
}

// Solves g with `pm` and checks the result is a matching of g; returns its weight, or kNone if it is not perfect.
std::int64_t solve(PerfectMatching& pm, const Graph& g) {
  pm.reset(g.n);
  for (std::uint32_t i = 0; i < g.n; ++i) {
    for (std::uint32_t j = i + 1; j < g.n; ++j) {
      if (g.w[i][j] != kNone) pm.add_edge(i, j, g.w[i][j]);
    }
  }
  const bool perfect = pm.solve();
  std::int64_t total = 0;
  bool all = true;
  for (std::uint32_t v = 0; v < g.n; ++v) {
    const std::int32_t u = pm.mate(v);
    if (u < 0) {
      all = false;
      continue;
    }
    EXPECT_EQ(pm.mate(static_cast<std::uint32_t>(u)), static_cast<std::int32_t>(v));
    EXPECT_NE(g.w[v][static_cast<std::uint32_t>(u)], kNone) << "matched a non-edge";
    if (static_cast<std::uint32_t>(u) > v) total += g.w[v][static_cast<std::uint32_t>(u)];
  }
  EXPECT_EQ(perfect, all);
  return all ? total : kNone;
}

TEST(PerfectMatching, EqualsBruteForceOnRandomGraphs) {
  Rng rng(2024);
  PerfectMatching pm;  // reused across graphs, as the decoder does
  int checked = 0, without_perfect = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    const auto n = static_cast<std::uint32_t>(2 + 2 * rng.below(7));  // 2..14 vertices
    const double density = trial % 3 == 0 ? 1.0 : rng.uniform(0.2, 0.9);
    // Small weight ranges make many ties and many blossoms; large ones exercise the arithmetic.
    const std::int64_t max_weight = trial % 2 ? 3 : 1'000'000;
    const Graph g = random_graph(rng, n, density, max_weight);
    const std::int64_t expected = brute_force(g);
    const std::int64_t got = solve(pm, g);
    if (expected == kNone) {
      ++without_perfect;
      EXPECT_EQ(got, kNone) << "trial " << trial;
    } else {
      EXPECT_EQ(got, expected) << "trial " << trial << " n=" << n;
    }
    ++checked;
  }
  EXPECT_GT(without_perfect, 50);  // the sparse graphs do exercise the no-perfect-matching path
}

// The decoder's graphs: defects with boundary twins; twins joined at weight 0.
TEST(PerfectMatching, BoundaryTwinGraphsEqualBruteForce) {
  Rng rng(7);
  PerfectMatching pm;
  for (int trial = 0; trial < 500; ++trial) {
    const auto k = static_cast<std::uint32_t>(1 + rng.below(7));
    Graph g{2 * k, std::vector<std::vector<std::int64_t>>(2 * k, std::vector<std::int64_t>(2 * k, kNone))};
    for (std::uint32_t i = 0; i < k; ++i) {
      g.w[i][k + i] = g.w[k + i][i] = static_cast<std::int64_t>(rng.below(20));
      for (std::uint32_t j = i + 1; j < k; ++j) {
        g.w[i][j] = g.w[j][i] = static_cast<std::int64_t>(rng.below(20));
        g.w[k + i][k + j] = g.w[k + j][k + i] = 0;
      }
    }
    EXPECT_EQ(solve(pm, g), brute_force(g)) << "trial " << trial;
  }
}

// The optimality certificate the MWPM decoder relies on: an edge u–v left out of a solved graph cannot lower the
// optimum when its weight is ≥ min_weight_not_improving(u, v) (LP duality). Checked against brute force with the edge
// added at every weight 0..max: whenever it lowers the optimum, its weight lies below the bound; and the bound is not
// vacuous (many weights at or above it, on graphs where lighter weights do improve).
TEST(PerfectMatching, DualBoundProvesLeftOutEdgesCannotImprove) {
  Rng rng(31);
  PerfectMatching pm;
  int proven = 0, improving = 0;
  for (int trial = 0; trial < 300; ++trial) {
    const auto n = static_cast<std::uint32_t>(4 + 2 * rng.below(4));  // 4..10 vertices
    Graph g = random_graph(rng, n, 1.0, 30);
    const auto u = static_cast<std::uint32_t>(rng.below(n));
    auto v = static_cast<std::uint32_t>(rng.below(n - 1));
    if (v >= u) ++v;
    g.w[u][v] = g.w[v][u] = kNone;
    const std::int64_t without = solve(pm, g);
    ASSERT_NE(without, kNone);
    const std::int64_t bound = pm.min_weight_not_improving(u, v);
    for (std::int64_t w = 0; w <= 40; ++w) {
      g.w[u][v] = g.w[v][u] = w;
      const std::int64_t with = brute_force(g);
      if (with < without) {
        ++improving;
        EXPECT_LT(w, bound) << "trial " << trial << ": weight " << w << " improves but the bound is " << bound;
      } else if (w >= bound) {
        ++proven;
      }
    }
  }
  EXPECT_GT(proven, 1000);
  EXPECT_GT(improving, 1000);
}

TEST(PerfectMatching, OddCycleNeedsABlossom) {
  // Triangle 0-1-2 with a pendant 3 on vertex 2: the only perfect matchings are {01, 23}.
  PerfectMatching pm;
  pm.reset(4);
  pm.add_edge(0, 1, 5);
  pm.add_edge(1, 2, 1);
  pm.add_edge(0, 2, 1);
  pm.add_edge(2, 3, 9);
  ASSERT_TRUE(pm.solve());
  EXPECT_EQ(pm.mate(0), 1);
  EXPECT_EQ(pm.mate(2), 3);
}

}  // namespace
}  // namespace qnn::qec
