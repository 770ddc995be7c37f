#pragma once
// A labelled numeric data set, and what a trainer does to one before it sees it: class subsets, seeded stratified
// train/test and train/validation/test splits, and transforms fitted on the training part only (standardisation,
// min-max scaling to an angle range, PCA), image down-sampling and one-hot labels.
#include <cstdint>
#include <numbers>
#include <string>
#include <string_view>
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

/// Three-way stratified split. Each class of n samples gives round(test_fraction · n) samples to the test set and
/// round(validation_fraction · n) to the validation set (fewer if the two would exceed n), chosen by a shuffle seeded with
/// `seed`. With validation_fraction = 0 the train and test sets equal train_test_split's for the same seed.
struct TrainValidationTestSplit {
  Dataset train;
  Dataset validation;
  Dataset test;
  std::vector<std::size_t> train_indices;
  std::vector<std::size_t> validation_indices;
  std::vector<std::size_t> test_indices;
};
TrainValidationTestSplit train_validation_test_split(const Dataset& data, double validation_fraction,
                                                     double test_fraction, std::uint64_t seed);

/// The samples of the listed classes (labels of `data`), relabelled 0 … k−1 in the order listed; class_names become the
/// listed classes' names. Throws ValueError on an unknown or repeated label, or fewer than one class.
Dataset select_classes(const Dataset& data, const std::vector<int>& classes);
/// The same from text: comma-separated items, each a class name of `data`, a label index, or a range of label indices
/// `a-b` (inclusive). Names win over indices, so for digits (class names "0" … "9") "3,5" means the digits 3 and 5.
/// "0-3" on digits is the first four classes. Errors list the class names.
Dataset select_classes(const Dataset& data, std::string_view spec);
/// Just the parsing of `spec` into labels of `data`.
std::vector<int> parse_class_selection(const Dataset& data, std::string_view spec);

/// x_j ← lo + (hi − lo)(x_j − min_j)/(max_j − min_j) with min and max from the training data, so training features span
/// [lo, hi] — by default [0, π], the range over which a rotation angle is one-to-one. Values outside the training
/// range map outside [lo, hi] (no clipping: angles are periodic, and clipping would merge distinct test points). A
/// constant feature maps to (lo + hi)/2.
struct MinMaxScaler {
  std::vector<double> min;
  std::vector<double> max;
  double lo = 0.0;
  double hi = std::numbers::pi;
  static MinMaxScaler fit(const Dataset& data, double lo = 0.0, double hi = std::numbers::pi);
  [[nodiscard]] std::vector<double> transform(const std::vector<double>& x) const;
  void transform_in_place(Dataset& data) const;
};

/// Principal component analysis fitted on (training) data: the k eigenvectors of the sample covariance matrix
/// (1/(n−1) Σ (x − μ)(x − μ)ᵀ) with the largest eigenvalues, found by the Jacobi eigenvalue method. Components are
/// orthonormal, ordered by decreasing explained variance, and signed so that each one's largest-magnitude entry is
/// positive (a deterministic sign, as eigenvectors have none).
struct Pca {
  std::vector<double> mean;                     // per input feature
  std::vector<std::vector<double>> components;  // k × features, orthonormal rows
  std::vector<double> explained_variance;       // k eigenvalues, decreasing
  std::vector<double> explained_variance_ratio;  // each over the total variance (trace of the covariance)
  /// Throws ValueError unless 1 ≤ k ≤ number of features and the data has at least 2 samples.
  static Pca fit(const Dataset& data, std::size_t k);
  /// z = C (x − μ), k values.
  [[nodiscard]] std::vector<double> transform(const std::vector<double>& x) const;
  /// x ≈ μ + Cᵀ z: exact for data that lies in the span of the k components.
  [[nodiscard]] std::vector<double> inverse_transform(const std::vector<double>& z) const;
  /// Replaces the features of `data` by their k components, named "pc1" … "pck".
  void transform_in_place(Dataset& data) const;
};

/// Average pooling of images stored row-major (feature r·width + c is pixel (r, c)): each factor × factor block becomes
/// one pixel, so the 8×8 digits become 4×4 (factor 2, 16 features) or 2×2 (factor 4). Features are named
/// "pool_r_c". Throws ValueError unless num_features = width · height and factor divides both.
Dataset downsample_images(const Dataset& data, unsigned width, unsigned height, unsigned factor);

/// Row i is e_{labels[i]} ∈ {0, 1}^num_classes. Throws ValueError on a label outside [0, num_classes).
std::vector<std::vector<double>> one_hot(const std::vector<int>& labels, std::size_t num_classes);

}  // namespace qnn
