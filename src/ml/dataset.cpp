#include "qnn/ml/dataset.hpp"

#include <cmath>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"

namespace qnn {

Dataset Dataset::subset(const std::vector<std::size_t>& indices) const {
  Dataset d;
  d.name = name;
  d.feature_names = feature_names;
  d.class_names = class_names;
  d.features.reserve(indices.size());
  d.labels.reserve(indices.size());
  for (std::size_t i : indices) {
    if (i >= features.size()) throw ValueError("sample index " + std::to_string(i) + " out of range");
    d.features.push_back(features[i]);
    d.labels.push_back(labels[i]);
  }
  return d;
}

TrainTestSplit train_test_split(const Dataset& data, double test_fraction, std::uint64_t seed) {
  if (!(test_fraction >= 0.0 && test_fraction < 1.0)) {
    throw ValueError("test fraction must be in [0, 1), got " + std::to_string(test_fraction));
  }
  Rng rng(seed);
  std::vector<std::vector<std::size_t>> by_class(data.num_classes());
  for (std::size_t i = 0; i < data.num_samples(); ++i) {
    const int y = data.labels[i];
    if (y < 0 || static_cast<std::size_t>(y) >= by_class.size()) throw ValueError("label out of range");
    by_class[static_cast<std::size_t>(y)].push_back(i);
  }
  TrainTestSplit s;
  for (auto& members : by_class) {
    rng.shuffle(members);
    const auto n_test = static_cast<std::size_t>(std::lround(test_fraction * double(members.size())));
    for (std::size_t k = 0; k < members.size(); ++k) (k < n_test ? s.test_indices : s.train_indices).push_back(members[k]);
  }
  // Interleave classes so a mini-batch drawn in order is not one class.
  rng.shuffle(s.train_indices);
  rng.shuffle(s.test_indices);
  s.train = data.subset(s.train_indices);
  s.test = data.subset(s.test_indices);
  return s;
}

Standardizer Standardizer::fit(const Dataset& data) {
  const std::size_t f = data.num_features();
  Standardizer st;
  st.mean.assign(f, 0.0);
  st.scale.assign(f, 1.0);
  const double n = double(data.num_samples());
  if (n == 0) return st;
  for (const auto& row : data.features)
    for (std::size_t j = 0; j < f; ++j) st.mean[j] += row[j] / n;
  std::vector<double> var(f, 0.0);
  for (const auto& row : data.features)
    for (std::size_t j = 0; j < f; ++j) var[j] += (row[j] - st.mean[j]) * (row[j] - st.mean[j]) / n;
  for (std::size_t j = 0; j < f; ++j) st.scale[j] = var[j] > 1e-24 ? std::sqrt(var[j]) : 1.0;
  return st;
}

std::vector<double> Standardizer::transform(const std::vector<double>& x) const {
  if (x.size() != mean.size()) {
    throw ValueError("sample has " + std::to_string(x.size()) + " features, the standardiser " +
                     std::to_string(mean.size()));
  }
  std::vector<double> y(x.size());
  for (std::size_t j = 0; j < x.size(); ++j) y[j] = (x[j] - mean[j]) / scale[j];
  return y;
}

void Standardizer::transform_in_place(Dataset& data) const {
  for (auto& row : data.features) row = transform(row);
}

}  // namespace qnn
