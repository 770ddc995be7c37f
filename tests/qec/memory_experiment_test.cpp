// Sampling + decoding end to end: the repetition code under code-capacity bit flips has the exact binomial logical
// error rate; the surface code below threshold improves with distance; the Wilson interval and the curve crossing.
#include "qnn/qec/memory_experiment.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/qec/error_analysis.hpp"
#include "qnn/qec/memory_circuit.hpp"

namespace qnn::qec {
namespace {

double binomial_tail(unsigned d, double p) {
  // P_L = Σ_{k > d/2} C(d, k) p^k (1 − p)^{d−k}: a majority of the d bits flipped.
  double sum = 0;
  for (unsigned k = d / 2 + 1; k <= d; ++k) {
    double c = 1;
    for (unsigned j = 0; j < k; ++j) c = c * (d - j) / (j + 1);
    sum += c * std::pow(p, k) * std::pow(1 - p, d - k);
  }
  return sum;
}

TEST(MemoryExperiment, RepetitionCodeMatchesBinomial) {
  for (unsigned d : {3U, 5U}) {
    for (double p : {0.05, 0.2}) {
      const auto c = memory_circuit(repetition_code(d), {.rounds = 1, .noise = NoiseModel::CodeCapacity, .p = p});
      const auto dem = detector_error_model(c);
      const auto r = run_memory_experiment(c, dem, "lookup", {.shots = 40000, .seed = 3});
      const double want = binomial_tail(d, p), sigma = std::sqrt(want * (1 - want) / 40000);
      EXPECT_NEAR(r.rate, want, 4 * sigma) << "d=" << d << " p=" << p;
      EXPECT_LE(r.low, r.rate);
      EXPECT_GE(r.high, r.rate);
    }
  }
}

TEST(MemoryExperiment, SurfaceCodeImprovesWithDistanceOnlyBelowThreshold) {
  // Code capacity, independent bit flips: threshold ≈ 10 % (MWPM) and ≈ 9.9 % (union-find). At p = 3 % the d = 5 code
  // fails less often than d = 3 (MWPM: 0.0057 against 0.0136); at p = 20 % more often (0.36 against 0.31). Each
  // difference must exceed 3σ of the difference of two binomial estimates (it is 5σ and 8σ here).
  constexpr std::uint64_t shots = 8192;
  for (const char* decoder : {"mwpm", "uf"}) {
    for (double p : {0.03, 0.2}) {
      std::vector<double> rate;
      for (unsigned d : {3U, 5U}) {
        const auto c = memory_circuit(rotated_surface_code(d), {.rounds = 1, .noise = NoiseModel::CodeCapacity, .p = p});
        const auto r = run_memory_experiment(c, detector_error_model(c), decoder, {.shots = shots, .seed = d});
        rate.push_back(r.rate);
      }
      SCOPED_TRACE(std::string(decoder) + " p=" + std::to_string(p));
      const double sigma =
          std::sqrt((rate[0] * (1 - rate[0]) + rate[1] * (1 - rate[1])) / static_cast<double>(shots));
      if (p < 0.1)
        EXPECT_LT(rate[1] + 3 * sigma, rate[0]);
      else
        EXPECT_GT(rate[1] - 3 * sigma, rate[0]);
    }
  }
}

TEST(MemoryExperiment, CountsDoNotDependOnThreads) {
  const auto c = memory_circuit(repetition_code(3), {.rounds = 2, .noise = NoiseModel::CircuitLevel, .p = 0.03});
  const auto dem = detector_error_model(c);
  const int before = num_threads();
  set_num_threads(1);
  const auto one = run_memory_experiment(c, dem, "lookup", {.shots = 5000, .seed = 9, .words_per_chunk = 2});
  set_num_threads(2);
  const auto two = run_memory_experiment(c, dem, "lookup", {.shots = 5000, .seed = 9, .words_per_chunk = 2});
  set_num_threads(before);
  EXPECT_EQ(one.failures, two.failures);
  EXPECT_GT(one.failures, 0U);
}

TEST(MemoryExperiment, UnknownDecoderFailsBeforeSampling) {
  const auto c = memory_circuit(repetition_code(3), {.rounds = 1});
  EXPECT_THROW(run_memory_experiment(c, detector_error_model(c), "nope", {}), ValueError);
}

TEST(MemoryExperiment, WilsonInterval) {
  const auto [lo0, hi0] = wilson_interval(0, 100);
  EXPECT_EQ(lo0, 0.0);
  EXPECT_NEAR(hi0, 3.8415 / (100 + 3.8415), 1e-4);  // z²/(n + z²) at k = 0
  const auto [lo, hi] = wilson_interval(50, 100);
  EXPECT_NEAR(0.5 - lo, hi - 0.5, 1e-12);  // symmetric at k = n/2
  EXPECT_NEAR(hi - lo, 2 * 1.96 * 0.05 * 100 / (100 + 1.96 * 1.96) * std::sqrt(1 + 1.96 * 1.96 / 100), 1e-9);
}

TEST(MemoryExperiment, CurveCrossing) {
  // r_small = p, r_large = p²/0.01: equal at p = 0.01.
  const std::vector<double> p = {0.002, 0.005, 0.008, 0.02, 0.05};
  std::vector<double> small, large;
  for (double x : p) {
    small.push_back(x);
    large.push_back(x * x / 0.01);
  }
  EXPECT_NEAR(curve_crossing(p, small, large), 0.01, 1e-12);  // exact: linear in log–log
  EXPECT_TRUE(std::isnan(curve_crossing(p, large, small)));
}

}  // namespace
}  // namespace qnn::qec
