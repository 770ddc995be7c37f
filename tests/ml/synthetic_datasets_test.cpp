#include "qnn/ml/synthetic_datasets.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "qnn/core/error.hpp"

namespace qnn {
namespace {

std::vector<std::size_t> counts(const Dataset& d) {
  std::vector<std::size_t> n(d.num_classes(), 0);
  for (int y : d.labels) ++n.at(static_cast<std::size_t>(y));
  return n;
}

void expect_shape(const Dataset& d, std::size_t samples, std::size_t features, std::size_t classes) {
  EXPECT_EQ(d.num_samples(), samples) << d.name;
  EXPECT_EQ(d.labels.size(), samples) << d.name;
  EXPECT_EQ(d.num_features(), features) << d.name;
  EXPECT_EQ(d.feature_names.size(), features) << d.name;
  EXPECT_EQ(d.num_classes(), classes) << d.name;
  for (const auto& row : d.features) ASSERT_EQ(row.size(), features) << d.name;
}

TEST(SyntheticDatasets, ShapesAndClassBalance) {
  const Dataset moons = make_moons(101, 0.1, 1);
  expect_shape(moons, 101, 2, 2);
  EXPECT_EQ(counts(moons), (std::vector<std::size_t>{50, 51}));
  const Dataset circles = make_circles(100, 0.05, 0.5, 1);
  expect_shape(circles, 100, 2, 2);
  EXPECT_EQ(counts(circles), (std::vector<std::size_t>{50, 50}));
  const Dataset xr = make_xor(102, 0.1, 1);
  expect_shape(xr, 102, 2, 2);
  EXPECT_EQ(counts(xr), (std::vector<std::size_t>{51, 51}));
  const Dataset spirals = make_spirals(100, 3, 0.0, 1);
  expect_shape(spirals, 100, 2, 3);
  EXPECT_EQ(counts(spirals), (std::vector<std::size_t>{34, 33, 33}));
  const Dataset parity = make_parity(5, 61, 0.0, 1);
  expect_shape(parity, 61, 5, 2);
  EXPECT_EQ(counts(parity), (std::vector<std::size_t>{31, 30}));
  const Dataset all = make_parity(4, 0, 0.0, 1);
  expect_shape(all, 16, 4, 2);
  EXPECT_EQ(counts(all), (std::vector<std::size_t>{8, 8}));
}

TEST(SyntheticDatasets, SeedsReproduceAndDiffer) {
  const auto same = [](const Dataset& a, const Dataset& b) { return a.features == b.features && a.labels == b.labels; };
  EXPECT_TRUE(same(make_moons(50, 0.1, 3), make_moons(50, 0.1, 3)));
  EXPECT_FALSE(same(make_moons(50, 0.1, 3), make_moons(50, 0.1, 4)));
  EXPECT_TRUE(same(make_circles(50, 0.1, 0.5, 3), make_circles(50, 0.1, 0.5, 3)));
  EXPECT_FALSE(same(make_circles(50, 0.1, 0.5, 3), make_circles(50, 0.1, 0.5, 4)));
  EXPECT_TRUE(same(make_xor(50, 0.1, 3), make_xor(50, 0.1, 3)));
  EXPECT_FALSE(same(make_xor(50, 0.1, 3), make_xor(50, 0.1, 4)));
  EXPECT_TRUE(same(make_spirals(50, 2, 0.1, 3), make_spirals(50, 2, 0.1, 3)));
  EXPECT_FALSE(same(make_spirals(50, 2, 0.1, 3), make_spirals(50, 2, 0.1, 4)));
  EXPECT_TRUE(same(make_parity(6, 50, 0.0, 3), make_parity(6, 50, 0.0, 3)));
  EXPECT_FALSE(same(make_parity(6, 50, 0.0, 3), make_parity(6, 50, 0.0, 4)));
  // Classes are interleaved, not in blocks.
  const Dataset m = make_moons(100, 0.0, 2);
  int changes = 0;
  for (std::size_t i = 1; i < m.labels.size(); ++i) changes += m.labels[i] != m.labels[i - 1];
  EXPECT_GT(changes, 20);
}

TEST(SyntheticDatasets, NoiselessGeometry) {
  for (const auto& [x, y] : [] {
         std::vector<std::pair<std::vector<double>, int>> v;
         const Dataset d = make_moons(60, 0.0, 5);
         for (std::size_t i = 0; i < d.num_samples(); ++i) v.emplace_back(d.features[i], d.labels[i]);
         return v;
       }()) {
    // Class 0 on the unit circle's upper half, class 1 on the circle of radius 1 around (1, 1/2), lower half.
    const double cx = y == 0 ? 0.0 : 1.0, cy = y == 0 ? 0.0 : 0.5;
    EXPECT_NEAR(std::hypot(x[0] - cx, x[1] - cy), 1.0, 1e-12);
    EXPECT_TRUE(y == 0 ? x[1] >= -1e-12 : x[1] <= 0.5 + 1e-12);
  }
  const Dataset c = make_circles(40, 0.0, 0.3, 5);
  for (std::size_t i = 0; i < c.num_samples(); ++i) {
    EXPECT_NEAR(std::hypot(c.features[i][0], c.features[i][1]), c.labels[i] == 0 ? 1.0 : 0.3, 1e-12);
  }
  const Dataset x = make_xor(40, 0.0, 5);
  for (std::size_t i = 0; i < x.num_samples(); ++i) {
    EXPECT_EQ(std::abs(x.features[i][0]), 1.0);
    EXPECT_EQ(x.labels[i], x.features[i][0] * x.features[i][1] < 0 ? 1 : 0);
  }
  const Dataset p = make_parity(7, 100, 0.0, 5);
  for (std::size_t i = 0; i < p.num_samples(); ++i) {
    int parity = 0;
    for (double b : p.features[i]) {
      ASSERT_TRUE(b == 0.0 || b == 1.0);
      parity ^= int(b);
    }
    EXPECT_EQ(p.labels[i], parity);
  }
  const Dataset s = make_spirals(90, 3, 0.0, 5, 1.5);
  for (std::size_t i = 0; i < s.num_samples(); ++i) {
    // Radius t and angle 2π(c/3 + 1.5 t): the point rotated back by the arm's offset lies on r = t.
    const double r = std::hypot(s.features[i][0], s.features[i][1]);
    EXPECT_GT(r, 0.0);
    EXPECT_LE(r, 1.0 + 1e-12);
    const double angle = 2 * std::numbers::pi * (s.labels[i] / 3.0 + 1.5 * r);
    EXPECT_NEAR(s.features[i][0], r * std::cos(angle), 1e-12);
    EXPECT_NEAR(s.features[i][1], r * std::sin(angle), 1e-12);
  }
}

TEST(SyntheticDatasets, NoiseHasTheRequestedSpread) {
  // Same seed: the clean points are the same, so the difference is the noise alone.
  const Dataset clean = make_circles(2000, 0.0, 0.5, 8), noisy = make_circles(2000, 0.2, 0.5, 8);
  // The shuffle is drawn after the noise, so the orders differ; compare radii statistics instead.
  double sum2 = 0;
  for (std::size_t i = 0; i < noisy.num_samples(); ++i) {
    const double r = std::hypot(noisy.features[i][0], noisy.features[i][1]);
    const double r0 = noisy.labels[i] == 0 ? 1.0 : 0.5;
    sum2 += (r - r0) * (r - r0);
  }
  // Radial deviation of an isotropic 2-D Gaussian of σ = 0.2 at radius ≫ σ: about σ.
  EXPECT_NEAR(std::sqrt(sum2 / 2000), 0.2, 0.03);
  EXPECT_EQ(clean.num_samples(), noisy.num_samples());
}

TEST(SyntheticDatasets, InvalidArgumentsThrow) {
  EXPECT_THROW((void)make_moons(1, 0.1, 0), ValueError);
  EXPECT_THROW((void)make_moons(10, -0.1, 0), ValueError);
  EXPECT_THROW((void)make_moons(10, std::nan(""), 0), ValueError);
  EXPECT_THROW((void)make_circles(10, 0.1, 1.0, 0), ValueError);
  EXPECT_THROW((void)make_circles(10, 0.1, 0.0, 0), ValueError);
  EXPECT_THROW((void)make_spirals(10, 1, 0.1, 0), ValueError);
  EXPECT_THROW((void)make_parity(0, 10, 0.0, 0), ValueError);
  EXPECT_THROW((void)make_parity(25, 0, 0.0, 0), ValueError);
}

}  // namespace
}  // namespace qnn
