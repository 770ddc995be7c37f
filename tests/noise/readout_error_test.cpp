#include "qnn/noise/readout_error.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"

namespace qnn {
namespace {

std::vector<double> random_distribution(std::size_t size, Rng& rng) {
  std::vector<double> p(size);
  for (double& v : p) v = rng.uniform(0.05, 1.0);
  const double s = std::accumulate(p.begin(), p.end(), 0.0);
  for (double& v : p) v /= s;
  return p;
}

// The full 2^n × 2^n confusion matrix, entry (m, t) = Π_q A_q[m_q][t_q], built entry by entry (an independent check of
// the per-qubit passes).
std::vector<double> dense_confusion(const std::vector<ReadoutError>& errors) {
  const std::size_t n = errors.size(), dim = std::size_t{1} << n;
  std::vector<double> a(dim * dim, 1.0);
  for (std::size_t m = 0; m < dim; ++m)
    for (std::size_t t = 0; t < dim; ++t)
      for (std::size_t q = 0; q < n; ++q) {
        const bool mb = (m >> q) & 1, tb = (t >> q) & 1;
        const double p10 = errors[q].p1_given_0, p01 = errors[q].p0_given_1;
        a[m * dim + t] *= tb ? (mb ? 1 - p01 : p01) : (mb ? p10 : 1 - p10);
      }
  return a;
}

double z_expectation(const std::vector<double>& p, unsigned q) {
  double z = 0;
  for (std::size_t i = 0; i < p.size(); ++i) z += ((i >> q) & 1) ? -p[i] : p[i];
  return z;
}

const std::vector<ReadoutError> kErrors = {{0.02, 0.05}, {0.08, 0.03}, {0.01, 0.12}};

TEST(ReadoutError, MatchesTheDenseKroneckerProduct) {
  Rng rng(3);
  const auto p = random_distribution(8, rng);
  const auto a = dense_confusion(kErrors);
  const auto q = apply_readout_error(p, kErrors);
  for (std::size_t m = 0; m < 8; ++m) {
    double want = 0;
    for (std::size_t t = 0; t < 8; ++t) want += a[m * 8 + t] * p[t];
    EXPECT_NEAR(q[m], want, 1e-15);
  }
  EXPECT_NEAR(std::accumulate(q.begin(), q.end(), 0.0), 1.0, 1e-14);  // A is column-stochastic
}

TEST(ReadoutMitigation, InversionRecoversAKnownConfusionExactly) {
  Rng rng(5);
  const auto p = random_distribution(8, rng);
  const auto q = apply_readout_error(p, kErrors);
  for (auto method : {ReadoutMitigation::Inverse, ReadoutMitigation::Auto, ReadoutMitigation::LeastSquares}) {
    const auto r = mitigate_readout(q, kErrors, method);
    for (std::size_t i = 0; i < 8; ++i) EXPECT_NEAR(r[i], p[i], 1e-10) << "method " << int(method) << " entry " << i;
  }
}

TEST(ReadoutMitigation, ZExpectationMapAgreesWithTheDistribution) {
  Rng rng(6);
  const auto p = random_distribution(8, rng);
  const auto q = apply_readout_error(p, kErrors);
  for (unsigned k = 0; k < 3; ++k) {
    EXPECT_NEAR(z_expectation(q, k), readout_z_expectation(z_expectation(p, k), kErrors[k]), 1e-14);
    EXPECT_NEAR(mitigate_z_expectation(z_expectation(q, k), kErrors[k]), z_expectation(p, k), 1e-14);
  }
}

TEST(ReadoutMitigation, SampledCountsAreMitigatedWithinStatisticalError) {
  // True distribution over 2 qubits, N shots through the readout channel. Each mitigated entry is a linear combination
  // of multinomial frequencies, A⁻¹q̂; its standard deviation is at most Σ_m |A⁻¹_{im}| · max_m √(q_m(1−q_m)/N) ≤
  // 1.5 · 0.5/√N (Σ_m |A⁻¹_{im}| < 1.5 for these rates); σ = 1.5·√(0.5/N) bounds it and the test allows 5σ. The raw
  // readout is biased by more than 8σ on some entry.
  const std::vector<ReadoutError> errors = {{0.05, 0.1}, {0.1, 0.04}};
  const std::vector<double> p = {0.5, 0.1, 0.3, 0.1};
  const std::uint64_t shots = 40000;
  Rng rng(11);
  std::vector<index_t> sampled(shots);
  for (auto& s : sampled) {
    double u = rng.uniform();
    index_t i = 0;
    while (i + 1 < p.size() && u >= p[i]) u -= p[i++];
    s = i;
  }
  const auto read = apply_readout_error(sampled, errors, rng);
  const auto q = counts_to_probabilities(read, 2);
  const auto mitigated = mitigate_readout(q, errors);
  const double sigma = 1.5 * std::sqrt(0.5 / double(shots));
  double raw_bias = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(mitigated[i], p[i], 5 * sigma) << "entry " << i;
    raw_bias = std::max(raw_bias, std::abs(q[i] - p[i]));
  }
  EXPECT_GT(raw_bias, 8 * sigma);
}

TEST(ReadoutError, ShotFlipRatesMatchTheProbabilities) {
  // 20000 shots of |01⟩ (qubit 0 is 1): qubit 0 reads 0 with p(0|1), qubit 1 reads 1 with p(1|0); σ = √(p(1−p)/N).
  const std::vector<ReadoutError> errors = {{0.02, 0.2}, {0.1, 0.3}};
  const std::size_t n = 20000;
  Rng rng(2);
  const auto read = apply_readout_error(std::vector<index_t>(n, 1), errors, rng);
  double flips0 = 0, flips1 = 0;
  for (index_t s : read) {
    flips0 += (s & 1) == 0;
    flips1 += (s & 2) != 0;
  }
  EXPECT_NEAR(flips0 / n, 0.2, 5 * std::sqrt(0.2 * 0.8 / n));
  EXPECT_NEAR(flips1 / n, 0.1, 5 * std::sqrt(0.1 * 0.9 / n));
}

TEST(ReadoutMitigation, LeastSquaresKeepsAValidDistributionAndIsOptimal) {
  // Reading |00⟩ every time with these error rates is impossible without error-free readout: A⁻¹q has negative entries.
  const std::vector<ReadoutError> errors = {{0.05, 0.08}, {0.1, 0.02}};
  const std::vector<double> q = {1.0, 0.0, 0.0, 0.0};
  const auto inv = mitigate_readout(q, errors, ReadoutMitigation::Inverse);
  EXPECT_LT(*std::min_element(inv.begin(), inv.end()), 0.0);
  const auto p = mitigate_readout(q, errors, ReadoutMitigation::Auto);
  EXPECT_NEAR(std::accumulate(p.begin(), p.end(), 0.0), 1.0, 1e-12);
  for (double v : p) EXPECT_GE(v, 0.0);
  // KKT conditions of min ½‖Ap − q‖² on the simplex: the gradient g = Aᵀ(Ap − q) equals one value μ on the support
  // and is ≥ μ off it.
  const auto a = dense_confusion(errors);
  std::vector<double> r(4, 0.0), g(4, 0.0);
  for (std::size_t m = 0; m < 4; ++m) {
    for (std::size_t t = 0; t < 4; ++t) r[m] += a[m * 4 + t] * p[t];
    r[m] -= q[m];
  }
  for (std::size_t t = 0; t < 4; ++t)
    for (std::size_t m = 0; m < 4; ++m) g[t] += a[m * 4 + t] * r[m];
  double mu = 0;
  for (std::size_t t = 0; t < 4; ++t)
    if (p[t] > 1e-9) mu = g[t];
  for (std::size_t t = 0; t < 4; ++t) {
    if (p[t] > 1e-9) EXPECT_NEAR(g[t], mu, 1e-9);
    else EXPECT_GE(g[t], mu - 1e-9);
  }
  // And it fits the data at least as well as projecting A⁻¹q onto the simplex.
  auto residual = [&](const std::vector<double>& x) {
    const auto ax = apply_readout_error(x, errors);
    double s = 0;
    for (std::size_t i = 0; i < 4; ++i) s += (ax[i] - q[i]) * (ax[i] - q[i]);
    return s;
  };
  EXPECT_LE(residual(p), residual(project_to_simplex(inv)) + 1e-14);
}

TEST(ReadoutMitigation, SimplexProjectionClosedForms) {
  const auto a = project_to_simplex(std::vector<double>{0.5, 0.5, -0.2});  // τ = 0: already sums to 1 on the support
  EXPECT_NEAR(a[0], 0.5, 1e-15);
  EXPECT_NEAR(a[1], 0.5, 1e-15);
  EXPECT_EQ(a[2], 0.0);
  const auto b = project_to_simplex(std::vector<double>{2.0, 0.0});  // τ = 1
  EXPECT_NEAR(b[0], 1.0, 1e-15);
  EXPECT_EQ(b[1], 0.0);
  const auto c = project_to_simplex(std::vector<double>{0.1, 0.1, 0.1, 0.1});  // τ = −0.15: shift up uniformly
  for (double v : c) EXPECT_NEAR(v, 0.25, 1e-15);
}

TEST(ReadoutError, RejectsInvalidInput) {
  const std::vector<double> p = {1, 0, 0, 0};
  EXPECT_THROW(apply_readout_error(p, std::vector<ReadoutError>{{-0.1, 0}, {0, 0}}), ValueError);
  EXPECT_THROW(apply_readout_error(p, std::vector<ReadoutError>{{0, 1.5}, {0, 0}}), ValueError);
  EXPECT_THROW(apply_readout_error(p, std::vector<ReadoutError>{{0, 0}}), ValueError);  // size mismatch
  EXPECT_THROW(mitigate_readout(p, std::vector<ReadoutError>{{0.5, 0.5}, {0, 0}}), ValueError);  // singular
  EXPECT_THROW(counts_to_probabilities(std::vector<index_t>{4}, 2), ValueError);
}

}  // namespace
}  // namespace qnn
