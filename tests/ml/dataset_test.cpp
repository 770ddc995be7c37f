#include "qnn/ml/dataset.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "qnn/core/error.hpp"

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

}  // namespace
}  // namespace qnn
