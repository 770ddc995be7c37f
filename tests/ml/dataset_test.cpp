#include "qnn/ml/dataset.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"

namespace qnn {
namespace {

// Classes of uneven size (7, 13, 5) with feature 0 = the sample index, so a split sample can be traced back.
Dataset uneven_dataset() {
  Dataset d;
  d.name = "uneven";
  d.feature_names = {"index", "wave", "constant"};
  d.class_names = {"a", "b", "c"};
  const int counts[3] = {7, 13, 5};
  int idx = 0;
  for (int round = 0; round < 13; ++round) {
    for (int c = 0; c < 3; ++c) {
      if (round >= counts[c]) continue;
      d.features.push_back({double(idx), std::sin(0.7 * idx) * 10 + 3, 42.0});
      d.labels.push_back(c);
      ++idx;
    }
  }
  return d;
}

std::vector<std::size_t> class_counts(const Dataset& d) {
  std::vector<std::size_t> n(d.num_classes());
  for (int y : d.labels) ++n[static_cast<std::size_t>(y)];
  return n;
}

TEST(TrainTestSplit, StratifiedDisjointAndCovering) {
  const Dataset d = uneven_dataset();
  ASSERT_EQ(d.num_samples(), 25u);
  ASSERT_EQ(class_counts(d), (std::vector<std::size_t>{7, 13, 5}));
  for (double fraction : {0.3, 0.2, 0.5}) {
    const TrainTestSplit s = train_test_split(d, fraction, 11);
    const auto total = class_counts(d), test = class_counts(s.test), train = class_counts(s.train);
    for (std::size_t c = 0; c < 3; ++c) {
      const auto expected = static_cast<std::size_t>(std::lround(fraction * double(total[c])));
      EXPECT_EQ(test[c], expected) << "fraction " << fraction << " class " << c;
      EXPECT_EQ(train[c], total[c] - expected) << "fraction " << fraction << " class " << c;
    }
    // Disjoint and covering: every index exactly once over train ∪ test.
    std::vector<std::size_t> all = s.train_indices;
    all.insert(all.end(), s.test_indices.begin(), s.test_indices.end());
    std::sort(all.begin(), all.end());
    std::vector<std::size_t> expected_all(d.num_samples());
    for (std::size_t i = 0; i < expected_all.size(); ++i) expected_all[i] = i;
    EXPECT_EQ(all, expected_all);
    // The subsets hold the samples their index lists name, with their labels.
    ASSERT_EQ(s.train.num_samples(), s.train_indices.size());
    ASSERT_EQ(s.test.num_samples(), s.test_indices.size());
    for (std::size_t k = 0; k < s.test_indices.size(); ++k) {
      EXPECT_EQ(s.test.features[k], d.features[s.test_indices[k]]);
      EXPECT_EQ(s.test.labels[k], d.labels[s.test_indices[k]]);
    }
    for (std::size_t k = 0; k < s.train_indices.size(); ++k) {
      EXPECT_EQ(s.train.features[k], d.features[s.train_indices[k]]);
      EXPECT_EQ(s.train.labels[k], d.labels[s.train_indices[k]]);
    }
    EXPECT_EQ(s.train.class_names, d.class_names);
    EXPECT_EQ(s.test.feature_names, d.feature_names);
  }
  // Concrete rounding: 0.3·7 = 2.1 → 2, 0.3·13 = 3.9 → 4, 0.3·5 = 1.5 → 2 (half away from zero).
  EXPECT_EQ(class_counts(train_test_split(d, 0.3, 1).test), (std::vector<std::size_t>{2, 4, 2}));
}

TEST(TrainTestSplit, DeterministicForSeedAndDiffersAcrossSeeds) {
  const Dataset d = uneven_dataset();
  const TrainTestSplit a = train_test_split(d, 0.3, 7), b = train_test_split(d, 0.3, 7);
  EXPECT_EQ(a.train_indices, b.train_indices);
  EXPECT_EQ(a.test_indices, b.test_indices);
  const TrainTestSplit c = train_test_split(d, 0.3, 8);
  const std::set<std::size_t> ta(a.test_indices.begin(), a.test_indices.end());
  const std::set<std::size_t> tc(c.test_indices.begin(), c.test_indices.end());
  EXPECT_NE(ta, tc) << "seeds 7 and 8 chose the same test samples";
  EXPECT_NE(a.train_indices, c.train_indices);
}

TEST(TrainTestSplit, ZeroFractionKeepsEverythingForTraining) {
  const Dataset d = uneven_dataset();
  const TrainTestSplit s = train_test_split(d, 0.0, 3);
  EXPECT_EQ(s.test.num_samples(), 0u);
  EXPECT_EQ(s.train.num_samples(), d.num_samples());
}

TEST(TrainTestSplit, InvalidInputsThrow) {
  const Dataset d = uneven_dataset();
  EXPECT_THROW((void)train_test_split(d, 1.0, 1), ValueError);
  EXPECT_THROW((void)train_test_split(d, -0.1, 1), ValueError);
  EXPECT_THROW((void)train_test_split(d, std::nan(""), 1), ValueError);
  Dataset bad = d;
  bad.labels[3] = 3;
  EXPECT_THROW((void)train_test_split(bad, 0.2, 1), ValueError);
  EXPECT_THROW((void)d.subset({0, 25}), ValueError);
}

TEST(Standardizer, ZeroMeanUnitStdOnFittedData) {
  Dataset d = uneven_dataset();
  const Standardizer st = Standardizer::fit(d);
  ASSERT_EQ(st.mean.size(), 3u);
  ASSERT_EQ(st.scale.size(), 3u);
  EXPECT_NEAR(st.mean[0], 12.0, 1e-12);   // mean of 0 … 24
  EXPECT_NEAR(st.scale[0], std::sqrt((25.0 * 25.0 - 1) / 12), 1e-12);  // population std of 0 … 24
  EXPECT_EQ(st.mean[2], 42.0);
  EXPECT_EQ(st.scale[2], 1.0);  // constant feature: scale 1, not a division by zero

  st.transform_in_place(d);
  const double n = double(d.num_samples());
  for (std::size_t j = 0; j < 2; ++j) {
    double mean = 0, var = 0;
    for (const auto& row : d.features) mean += row[j] / n;
    for (const auto& row : d.features) var += (row[j] - mean) * (row[j] - mean) / n;
    EXPECT_NEAR(mean, 0.0, 1e-12) << "feature " << j;
    EXPECT_NEAR(std::sqrt(var), 1.0, 1e-12) << "feature " << j;
  }
  for (const auto& row : d.features) EXPECT_EQ(row[2], 0.0);  // constant feature → all zero, finite
}

TEST(Standardizer, TransformUsesFittedStatisticsAndChecksSize) {
  Standardizer st;
  st.mean = {1.0, -2.0};
  st.scale = {2.0, 0.5};
  EXPECT_EQ(st.transform({3.0, -1.0}), (std::vector<double>{1.0, 2.0}));
  EXPECT_THROW((void)st.transform({1.0}), ValueError);
}

// ---- three-way split --------------------------------------------------------------------------------------------

// Values near the double limit: (x − mean)² overflows, the standard deviation does not. Data {0, 0, 0, 1.2e308}:
// mean 3e307, std = sqrt(3·(3e307)² + (9e307)²)/2 = 3e307·sqrt(12)/2 = 3e307·√3.
TEST(Standardizer, FeaturesNearDoubleLimitGiveFiniteScale) {
  Dataset d;
  d.feature_names = {"big"};
  d.class_names = {"a", "b"};
  d.features = {{0.0}, {0.0}, {0.0}, {1.2e308}};
  d.labels = {0, 1, 0, 1};
  const Standardizer st = Standardizer::fit(d);
  EXPECT_NEAR(st.mean[0] / 3e307, 1.0, 1e-15);
  EXPECT_NEAR(st.scale[0] / (3e307 * std::sqrt(3.0)), 1.0, 1e-14);
  const std::vector<double> y = st.transform({1.2e308});
  EXPECT_NEAR(y[0], std::sqrt(3.0), 1e-14);
}

// A difference of two values beyond the double range cannot be standardised: a clear error naming the feature.
TEST(Standardizer, OverflowingSpreadIsAnErrorNamingTheFeature) {
  Dataset d;
  d.feature_names = {"wild"};
  d.class_names = {"a", "b"};
  d.features = {{1.7e308}, {-1.7e308}, {-1.7e308}, {-1.7e308}, {-1.7e308}, {-1.7e308}};
  d.labels = {0, 1, 0, 1, 0, 1};
  try {
    (void)Standardizer::fit(d);
    ADD_FAILURE() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("'wild'"), std::string::npos) << e.what();
  }
}

TEST(TrainValidationTestSplit, StratifiedProportionsDisjointCovering) {
  const Dataset d = uneven_dataset();  // classes of 7, 13, 5
  const TrainValidationTestSplit s = train_validation_test_split(d, 0.2, 0.3, 5);
  const auto total = class_counts(d), val = class_counts(s.validation), test = class_counts(s.test),
             train = class_counts(s.train);
  for (std::size_t c = 0; c < 3; ++c) {
    EXPECT_EQ(test[c], static_cast<std::size_t>(std::lround(0.3 * double(total[c])))) << c;
    EXPECT_EQ(val[c], static_cast<std::size_t>(std::lround(0.2 * double(total[c])))) << c;
    EXPECT_EQ(train[c] + val[c] + test[c], total[c]) << c;
  }
  std::vector<std::size_t> all = s.train_indices;
  all.insert(all.end(), s.validation_indices.begin(), s.validation_indices.end());
  all.insert(all.end(), s.test_indices.begin(), s.test_indices.end());
  std::sort(all.begin(), all.end());
  for (std::size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], i);
  ASSERT_EQ(all.size(), d.num_samples());
  for (std::size_t k = 0; k < s.validation_indices.size(); ++k) {
    EXPECT_EQ(s.validation.features[k], d.features[s.validation_indices[k]]);
  }
  // Larger data: the fractions hold to rounding per class.
  Dataset big;
  big.class_names = {"a", "b"};
  for (int i = 0; i < 1000; ++i) {
    big.features.push_back({double(i)});
    big.labels.push_back(i % 5 == 0 ? 1 : 0);  // 800 / 200
  }
  const TrainValidationTestSplit b = train_validation_test_split(big, 0.1, 0.25, 9);
  EXPECT_EQ(b.test.num_samples(), 250u);       // 200 + 50
  EXPECT_EQ(b.validation.num_samples(), 100u);  // 80 + 20
  EXPECT_EQ(class_counts(b.validation), (std::vector<std::size_t>{80, 20}));
  EXPECT_EQ(b.train.num_samples() + b.validation.num_samples() + b.test.num_samples(), 1000u);
}

TEST(TrainValidationTestSplit, ZeroValidationMatchesTrainTestSplit) {
  const Dataset d = uneven_dataset();
  for (std::uint64_t seed : {1u, 2u, 77u}) {
    const TrainTestSplit a = train_test_split(d, 0.3, seed);
    const TrainValidationTestSplit b = train_validation_test_split(d, 0.0, 0.3, seed);
    EXPECT_EQ(a.train_indices, b.train_indices);
    EXPECT_EQ(a.test_indices, b.test_indices);
    EXPECT_TRUE(b.validation_indices.empty());
  }
  EXPECT_THROW((void)train_validation_test_split(d, 0.5, 0.5, 1), ValueError);
  EXPECT_THROW((void)train_validation_test_split(d, -0.1, 0.2, 1), ValueError);
}

// ---- class subsets ------------------------------------------------------------------------------------------------

TEST(SelectClasses, RemapsLabelsInListedOrderAndKeepsNames) {
  const Dataset d = uneven_dataset();  // a: 7, b: 13, c: 5
  const Dataset s = select_classes(d, std::vector<int>{2, 0});
  EXPECT_EQ(s.class_names, (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(s.num_samples(), 12u);
  EXPECT_EQ(class_counts(s), (std::vector<std::size_t>{5, 7}));
  EXPECT_EQ(s.feature_names, d.feature_names);
  // Samples keep their order and features; feature 0 is the original index.
  std::size_t k = 0;
  for (std::size_t i = 0; i < d.num_samples(); ++i) {
    if (d.labels[i] == 1) continue;
    ASSERT_LT(k, s.num_samples());
    EXPECT_EQ(s.features[k], d.features[i]);
    EXPECT_EQ(s.labels[k], d.labels[i] == 2 ? 0 : 1);
    ++k;
  }
  EXPECT_THROW((void)select_classes(d, std::vector<int>{0, 0}), ValueError);
  EXPECT_THROW((void)select_classes(d, std::vector<int>{3}), ValueError);
  EXPECT_THROW((void)select_classes(d, std::vector<int>{}), ValueError);
}

TEST(SelectClasses, ParsesNamesIndicesAndRanges) {
  const Dataset d = uneven_dataset();
  EXPECT_EQ(parse_class_selection(d, "a,c"), (std::vector<int>{0, 2}));
  EXPECT_EQ(parse_class_selection(d, "2, 1"), (std::vector<int>{2, 1}));
  EXPECT_EQ(parse_class_selection(d, "0-2"), (std::vector<int>{0, 1, 2}));
  EXPECT_EQ(select_classes(d, "b").num_samples(), 13u);
  // Names win over indices: with classes named "1" and "0", "1" is the class named "1" (label 0).
  Dataset swapped = d;
  swapped.class_names = {"1", "0", "2"};
  EXPECT_EQ(parse_class_selection(swapped, "1"), (std::vector<int>{0}));
  for (const char* bad : {"d", "3", "-1", "2-0", "0-9", "", "a,,b"}) {
    try {
      (void)parse_class_selection(d, bad);
      ADD_FAILURE() << "'" << bad << "' accepted";
    } catch (const ValueError& e) {
      if (std::string(bad).size() == 1 && bad[0] == 'd') {
        EXPECT_NE(std::string(e.what()).find("a, b, c"), std::string::npos) << e.what();
      }
    }
  }
}

// ---- min-max scaling ----------------------------------------------------------------------------------------------

TEST(MinMaxScaler, MapsTrainingRangeToAngles) {
  Dataset d = uneven_dataset();
  const MinMaxScaler m = MinMaxScaler::fit(d);
  EXPECT_EQ(m.lo, 0.0);
  EXPECT_EQ(m.hi, std::acos(-1.0));
  m.transform_in_place(d);
  for (std::size_t j = 0; j < 2; ++j) {
    double lo = 1e9, hi = -1e9;
    for (const auto& row : d.features) {
      lo = std::min(lo, row[j]);
      hi = std::max(hi, row[j]);
    }
    EXPECT_NEAR(lo, 0.0, 1e-15);
    EXPECT_NEAR(hi, std::acos(-1.0), 1e-15);
  }
  for (const auto& row : d.features) EXPECT_NEAR(row[2], std::acos(-1.0) / 2, 1e-15);  // constant → middle
  // Feature 0 is 0 … 24: 12 ↦ π/2, and values outside the training range are not clipped.
  const MinMaxScaler m2 = MinMaxScaler::fit(uneven_dataset(), -1.0, 1.0);
  EXPECT_NEAR(m2.transform({12.0, 0.0, 42.0})[0], 0.0, 1e-15);
  EXPECT_NEAR(m2.transform({48.0, 0.0, 42.0})[0], 3.0, 1e-15);
  EXPECT_THROW((void)m2.transform({1.0}), ValueError);
  EXPECT_THROW((void)MinMaxScaler::fit(d, 1.0, 1.0), ValueError);
}

// ---- PCA ----------------------------------------------------------------------------------------------------------

// n samples of rank-k data in `f` dimensions: x = μ + Σ_c z_c·b_c with fixed random directions b_c and scales
// decreasing in c, so the principal variances are well separated.
Dataset low_rank_dataset(std::size_t n, std::size_t f, std::size_t k, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::vector<double>> basis(k, std::vector<double>(f));
  for (auto& b : basis)
    for (double& v : b) v = rng.normal();
  std::vector<double> mu(f);
  for (double& v : mu) v = rng.uniform(-3, 3);
  Dataset d;
  d.class_names = {"only"};
  for (std::size_t j = 0; j < f; ++j) d.feature_names.push_back("f" + std::to_string(j));
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> x = mu;
    for (std::size_t c = 0; c < k; ++c) {
      const double z = rng.normal() * double(4 * (k - c));
      for (std::size_t j = 0; j < f; ++j) x[j] += z * basis[c][j];
    }
    d.features.push_back(std::move(x));
    d.labels.push_back(0);
  }
  return d;
}

TEST(Pca, OrthonormalOrderedComponentsReconstructRankKData) {
  const std::size_t f = 12, k = 3;
  const Dataset d = low_rank_dataset(200, f, k, 4);
  const Pca p = Pca::fit(d, k);
  ASSERT_EQ(p.components.size(), k);
  for (std::size_t a = 0; a < k; ++a) {
    ASSERT_EQ(p.components[a].size(), f);
    for (std::size_t b = 0; b < k; ++b) {
      double dot = 0;
      for (std::size_t j = 0; j < f; ++j) dot += p.components[a][j] * p.components[b][j];
      EXPECT_NEAR(dot, a == b ? 1.0 : 0.0, 1e-12) << a << "," << b;
    }
    // Deterministic sign: the largest-magnitude entry is positive.
    const auto largest = *std::max_element(p.components[a].begin(), p.components[a].end(),
                                           [](double x, double y) { return std::abs(x) < std::abs(y); });
    EXPECT_GT(largest, 0.0);
  }
  for (std::size_t c = 0; c + 1 < k; ++c) EXPECT_GT(p.explained_variance[c], p.explained_variance[c + 1]);
  double ratio = 0;
  for (double r : p.explained_variance_ratio) ratio += r;
  EXPECT_NEAR(ratio, 1.0, 1e-10);  // rank k: k components explain everything
  for (const auto& x : d.features) {
    const auto back = p.inverse_transform(p.transform(x));
    for (std::size_t j = 0; j < f; ++j) ASSERT_NEAR(back[j], x[j], 1e-9 * (1 + std::abs(x[j])));
  }
  // Projections are centred, uncorrelated and have the explained variances.
  Dataset z = d;
  p.transform_in_place(z);
  EXPECT_EQ(z.feature_names, (std::vector<std::string>{"pc1", "pc2", "pc3"}));
  for (std::size_t a = 0; a < k; ++a) {
    double mean = 0, var = 0, cov01 = 0;
    for (const auto& row : z.features) mean += row[a] / 200.0;
    for (const auto& row : z.features) var += row[a] * row[a] / 199.0;
    for (const auto& row : z.features) cov01 += row[a] * row[(a + 1) % k] / 199.0;
    EXPECT_NEAR(mean, 0.0, 1e-9);
    EXPECT_NEAR(var, p.explained_variance[a], 1e-9 * p.explained_variance[a]);
    EXPECT_NEAR(cov01, 0.0, 1e-9 * p.explained_variance[0]);
  }
  // More components than the rank: the extra variances are (numerically) zero.
  const Pca all = Pca::fit(d, f);
  for (std::size_t c = k; c < f; ++c) EXPECT_NEAR(all.explained_variance[c], 0.0, 1e-9 * all.explained_variance[0]);
  EXPECT_THROW((void)Pca::fit(d, 0), ValueError);
  EXPECT_THROW((void)Pca::fit(d, f + 1), ValueError);
}

TEST(Pca, TwoDimensionalClosedForm) {
  // Points on the line y = x with spread 1 along it and 0.1 across: the first component is (1, 1)/√2.
  Dataset d;
  d.class_names = {"c"};
  const double s = std::sqrt(0.5);
  for (int i = -5; i <= 5; ++i) {
    for (int sign : {-1, 1}) {
      const double along = i, across = 0.1 * sign;
      d.features.push_back({s * (along - across) + 1, s * (along + across) - 2});
      d.labels.push_back(0);
    }
  }
  const Pca p = Pca::fit(d, 2);
  EXPECT_NEAR(p.mean[0], 1.0, 1e-12);
  EXPECT_NEAR(p.mean[1], -2.0, 1e-12);
  EXPECT_NEAR(p.components[0][0], s, 1e-12);
  EXPECT_NEAR(p.components[0][1], s, 1e-12);
  EXPECT_NEAR(std::abs(p.components[1][0]), s, 1e-12);
  EXPECT_NEAR(p.explained_variance[0], 2 * 110.0 / 21.0, 1e-10);  // Σ i² over −5…5, twice, over n − 1
  EXPECT_NEAR(p.explained_variance[1], 22 * 0.01 / 21.0, 1e-12);
}

// ---- images -------------------------------------------------------------------------------------------------------

TEST(DownsampleImages, AveragePoolsBlocks) {
  Dataset d;
  d.name = "img";
  d.class_names = {"x", "y"};
  std::vector<double> img(64);
  for (unsigned r = 0; r < 8; ++r)
    for (unsigned c = 0; c < 8; ++c) img[r * 8 + c] = 10.0 * r + c;
  d.features = {img, std::vector<double>(64, 3.0)};
  d.labels = {1, 0};
  d.feature_names.assign(64, "p");
  const Dataset h = downsample_images(d, 8, 8, 2);
  ASSERT_EQ(h.num_features(), 16u);
  EXPECT_EQ(h.labels, d.labels);
  EXPECT_EQ(h.class_names, d.class_names);
  EXPECT_EQ(h.feature_names[5], "pool_1_1");
  // Block (R, C) averages rows 2R, 2R+1 and columns 2C, 2C+1: 10·(2R + ½) + 2C + ½.
  for (unsigned r = 0; r < 4; ++r)
    for (unsigned c = 0; c < 4; ++c) EXPECT_NEAR(h.features[0][r * 4 + c], 10.0 * (2 * r + 0.5) + 2 * c + 0.5, 1e-12);
  for (double v : h.features[1]) EXPECT_EQ(v, 3.0);
  const Dataset q = downsample_images(d, 8, 8, 4);
  ASSERT_EQ(q.num_features(), 4u);
  EXPECT_NEAR(q.features[0][3], 10.0 * 5.5 + 5.5, 1e-12);
  EXPECT_THROW((void)downsample_images(d, 8, 8, 3), ValueError);
  EXPECT_THROW((void)downsample_images(d, 4, 8, 2), ValueError);
  EXPECT_THROW((void)downsample_images(d, 8, 8, 0), ValueError);
}

TEST(OneHot, RowsAreUnitVectors) {
  const auto y = one_hot({2, 0, 1}, 3);
  EXPECT_EQ(y, (std::vector<std::vector<double>>{{0, 0, 1}, {1, 0, 0}, {0, 1, 0}}));
  EXPECT_THROW((void)one_hot({3}, 3), ValueError);
  EXPECT_THROW((void)one_hot({-1}, 3), ValueError);
}

}  // namespace
}  // namespace qnn
