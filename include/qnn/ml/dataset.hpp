#pragma once
// A labelled numeric data set, and what a trainer does to one before it sees it: a seeded stratified train/test split
// and feature standardisation fitted on the training part only.
#include <cstdint>
#include <string>
#include <vector>

namespace qnn {

struct Dataset {
  std::string name;
  std::vector<std::string> feature_names;     // "x0", "x1", … when the file has none
  std::vector<std::string> class_names;       // index = label
  std::vector<std::vector<double>> features;  // samples × features
  std::vector<int> labels;                    // 0 … classes−1

  [[nodiscard]] std::size_t num_samples() const { return features.size(); }
  [[nodiscard]] std::size_t num_features() const { return features.empty() ? feature_names.size() : features[0].size(); }
  [[nodiscard]] std::size_t num_classes() const { return class_names.size(); }
  /// The samples at `indices`, in that order.
  [[nodiscard]] Dataset subset(const std::vector<std::size_t>& indices) const;
};

struct TrainTestSplit {
  Dataset train;
  Dataset test;
  std::vector<std::size_t> train_indices;
  std::vector<std::size_t> test_indices;
};

/// Stratified split: each class contributes round(test_fraction · its count) samples to the test set, chosen by a
/// shuffle seeded with `seed`; the same (data, fraction, seed) always gives the same split on every platform.
TrainTestSplit train_test_split(const Dataset& data, double test_fraction, std::uint64_t seed);

/// x ← (x − mean) / std per feature, with mean and std from the training data (std 0 → 1).
struct Standardizer {
  std::vector<double> mean;
  std::vector<double> scale;
  static Standardizer fit(const Dataset& data);
  [[nodiscard]] std::vector<double> transform(const std::vector<double>& x) const;
  void transform_in_place(Dataset& data) const;
};

}  // namespace qnn
