// The seeded generator: reproducibility and the first two moments / uniformity of its distributions.
#include "qnn/core/rng.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

namespace qnn {
namespace {

TEST(Rng, ReproducibleFromSeed) {
  Rng a(42), b(42), c(43);
  std::vector<std::uint64_t> va, vb, vc;
  for (int i = 0; i < 100; ++i) {
    va.push_back(a());
    vb.push_back(b());
    vc.push_back(c());
  }
  EXPECT_EQ(va, vb);
  EXPECT_NE(va, vc);
  // reseed restarts the sequence, and clears a cached normal
  a.reseed(42);
  (void)a.normal();
  a.reseed(42);
  EXPECT_EQ(a(), va[0]);
  Rng d(7), e(7);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(d.uniform(), e.uniform());
    EXPECT_EQ(d.normal(), e.normal());
    EXPECT_EQ(d.below(1000), e.below(1000));
  }
  // distinct consecutive outputs (xoshiro never repeats within a short run)
  std::vector<std::uint64_t> sorted = va;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
}

TEST(Rng, UsableAsUniformRandomBitGenerator) {
  static_assert(Rng::min() == 0);
  static_assert(Rng::max() == ~std::uint64_t{0});
  Rng r(1);
  std::vector<int> v(10);
  std::iota(v.begin(), v.end(), 0);
  std::shuffle(v.begin(), v.end(), r);  // compiles and runs with the standard algorithm
  std::vector<int> s = v;
  std::sort(s.begin(), s.end());
  for (int i = 0; i < 10; ++i) EXPECT_EQ(s[i], i);
}

TEST(Rng, UniformMeanAndVariance) {
  Rng r(2024);
  const int n = 200000;
  double sum = 0, sum2 = 0, lo = 1, hi = 0;
  for (int i = 0; i < n; ++i) {
    const double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
    sum2 += u * u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  // mean: σ² = 1/12; the sample variance of U(0,1) has variance (1/80 − 1/144)/n
  EXPECT_LE(std::abs(mean - 0.5), 5 * std::sqrt(1.0 / 12 / n));
  EXPECT_LE(std::abs(var - 1.0 / 12), 5 * std::sqrt((1.0 / 80 - 1.0 / 144) / n));
  EXPECT_LT(lo, 1e-4);
  EXPECT_GT(hi, 1 - 1e-4);
  // uniform(lo, hi)
  for (int i = 0; i < 1000; ++i) {
    const double u = r.uniform(-3.0, 5.0);
    ASSERT_GE(u, -3.0);
    ASSERT_LT(u, 5.0);
  }
}

TEST(Rng, BelowRangeAndUniformity) {
  Rng r(99);
  for (std::uint64_t n : {1ULL, 2ULL, 3ULL, 7ULL, 1000ULL, (1ULL << 63) + 12345ULL}) {
    for (int i = 0; i < 2000; ++i) ASSERT_LT(r.below(n), n) << "n = " << n;
  }
  EXPECT_EQ(r.below(1), 0U);
  EXPECT_EQ(r.below(0), 0U);
  // chi-square over k = 10 bins with 100000 draws: 9 degrees of freedom, mean 9, σ = √18; accept below 9 + 8σ
  for (std::uint64_t k : {10ULL, 7ULL, 3ULL}) {
    const int n = 100000;
    std::vector<double> counts(k, 0);
    for (int i = 0; i < n; ++i) counts[r.below(k)] += 1;
    const double expected = double(n) / double(k);
    double chi2 = 0;
    for (double c : counts) chi2 += (c - expected) * (c - expected) / expected;
    const double dof = double(k - 1);
    EXPECT_LT(chi2, dof + 8 * std::sqrt(2 * dof)) << "k = " << k;
  }
  // a range that is not a power of two near 2^64 still fills both halves (no modulo bias toward small values)
  const std::uint64_t big = (~std::uint64_t{0} / 3) * 2;
  int upper = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) upper += r.below(big) >= big / 2;
  EXPECT_LE(std::abs(upper - n / 2.0), 5 * std::sqrt(n * 0.25));
}

TEST(Rng, NormalMeanAndVariance) {
  Rng r(31337);
  const int n = 200000;
  double sum = 0, sum2 = 0, sum4 = 0;
  int beyond2 = 0;
  for (int i = 0; i < n; ++i) {
    const double z = r.normal();
    ASSERT_TRUE(std::isfinite(z));
    sum += z;
    sum2 += z * z;
    sum4 += z * z * z * z;
    beyond2 += std::abs(z) > 2;
  }
  const double mean = sum / n, var = sum2 / n - mean * mean;
  EXPECT_LE(std::abs(mean), 5 * std::sqrt(1.0 / n));
  EXPECT_LE(std::abs(var - 1), 5 * std::sqrt(2.0 / n));  // Var(z²) = 2
  EXPECT_LE(std::abs(sum4 / n - 3), 5 * std::sqrt(96.0 / n));  // E z⁴ = 3, Var(z⁴) = 105 − 9
  // tail mass P(|z| > 2) = 0.0455
  const double p = std::erfc(2 / std::sqrt(2.0));
  EXPECT_LE(std::abs(beyond2 - n * p), 5 * std::sqrt(n * p * (1 - p)));
}

TEST(Rng, ShuffleIsAPermutation) {
  Rng r(5);
  std::vector<int> v(1000);
  std::iota(v.begin(), v.end(), 0);
  std::vector<int> w = v;
  r.shuffle(w);
  EXPECT_NE(w, v);
  std::vector<int> s = w;
  std::sort(s.begin(), s.end());
  EXPECT_EQ(s, v);
  // reproducible
  Rng r2(5);
  std::vector<int> w2 = v;
  r2.shuffle(w2);
  EXPECT_EQ(w2, w);
  // every position is equally likely: the first element of a 4-shuffle lands uniformly
  std::vector<double> where(4, 0);
  const int n = 40000;
  for (int t = 0; t < n; ++t) {
    std::vector<int> a{0, 1, 2, 3};
    r.shuffle(a);
    where[std::find(a.begin(), a.end(), 0) - a.begin()] += 1;
  }
  for (double c : where) EXPECT_LE(std::abs(c - n / 4.0), 5 * std::sqrt(n * 0.25 * 0.75));
  // empty and single-element ranges are fine
  std::vector<int> empty, one{7};
  r.shuffle(empty);
  r.shuffle(one);
  EXPECT_EQ(one, std::vector<int>{7});
}

}  // namespace
}  // namespace qnn
