#include "qnn/ml/dataset.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/ml/linear_algebra.hpp"

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
  for (std::size_t j = 0; j < f; ++j) {
    double std_dev = std::sqrt(var[j]);
    if (!std::isfinite(std_dev)) {
      // (x − mean)² overflowed (features near 1e308): std = s · sqrt(Σ ((x − mean)/s)² / n) with s = max |x − mean|
      // is the same value without squaring, so such data standardise instead of giving an infinite scale (which
      // model.json cannot hold). Ordinary data keep the plain formula, bit for bit.
      double s = 0;
      for (const auto& row : data.features) s = std::max(s, std::abs(row[j] - st.mean[j]));
      double sum = 0;
      for (const auto& row : data.features) sum += (row[j] - st.mean[j]) / s * ((row[j] - st.mean[j]) / s) / n;
      std_dev = s * std::sqrt(sum);
    }
    if (!std::isfinite(st.mean[j]) || !std::isfinite(std_dev)) {
      const std::string name = j < data.feature_names.size() ? data.feature_names[j] : "x" + std::to_string(j);
      throw ValueError("feature '" + name + "' spreads beyond the double range (a difference of two values " +
                       "overflows); rescale it");
    }
    st.scale[j] = var[j] > 1e-24 ? std_dev : 1.0;
  }
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

TrainValidationTestSplit train_validation_test_split(const Dataset& data, double validation_fraction,
                                                     double test_fraction, std::uint64_t seed) {
  const auto in_unit = [](double f) { return f >= 0.0 && f < 1.0; };
  if (!in_unit(test_fraction) || !in_unit(validation_fraction) || !(validation_fraction + test_fraction < 1.0)) {
    throw ValueError("validation and test fractions must be ≥ 0 with a sum below 1, got " +
                     std::to_string(validation_fraction) + " and " + std::to_string(test_fraction));
  }
  // The same random draws as train_test_split (class shuffles, then the train and test shuffles), so a zero validation
  // fraction reproduces its split exactly.
  Rng rng(seed);
  std::vector<std::vector<std::size_t>> by_class(data.num_classes());
  for (std::size_t i = 0; i < data.num_samples(); ++i) {
    const int y = data.labels[i];
    if (y < 0 || static_cast<std::size_t>(y) >= by_class.size()) throw ValueError("label out of range");
    by_class[static_cast<std::size_t>(y)].push_back(i);
  }
  TrainValidationTestSplit s;
  for (auto& members : by_class) {
    rng.shuffle(members);
    const std::size_t n = members.size();
    const auto n_test = std::min(n, static_cast<std::size_t>(std::lround(test_fraction * double(n))));
    const auto n_val = std::min(n - n_test, static_cast<std::size_t>(std::lround(validation_fraction * double(n))));
    for (std::size_t k = 0; k < n; ++k) {
      (k < n_test ? s.test_indices : k < n_test + n_val ? s.validation_indices : s.train_indices).push_back(members[k]);
    }
  }
  rng.shuffle(s.train_indices);
  rng.shuffle(s.test_indices);
  rng.shuffle(s.validation_indices);
  s.train = data.subset(s.train_indices);
  s.validation = data.subset(s.validation_indices);
  s.test = data.subset(s.test_indices);
  return s;
}

Dataset select_classes(const Dataset& data, const std::vector<int>& classes) {
  if (classes.empty()) throw ValueError("select at least one class");
  std::vector<int> new_label(data.num_classes(), -1);
  Dataset d;
  d.name = data.name;
  d.feature_names = data.feature_names;
  for (std::size_t k = 0; k < classes.size(); ++k) {
    const int c = classes[k];
    if (c < 0 || static_cast<std::size_t>(c) >= data.num_classes()) {
      throw ValueError("class " + std::to_string(c) + " out of range: " + data.name + " has " +
                       std::to_string(data.num_classes()) + " classes");
    }
    if (new_label[static_cast<std::size_t>(c)] >= 0) {
      throw ValueError("class '" + data.class_names[static_cast<std::size_t>(c)] + "' selected twice");
    }
    new_label[static_cast<std::size_t>(c)] = static_cast<int>(k);
    d.class_names.push_back(data.class_names[static_cast<std::size_t>(c)]);
  }
  for (std::size_t i = 0; i < data.num_samples(); ++i) {
    const int y = data.labels[i];
    if (y < 0 || static_cast<std::size_t>(y) >= new_label.size()) throw ValueError("label out of range");
    if (new_label[static_cast<std::size_t>(y)] < 0) continue;
    d.features.push_back(data.features[i]);
    d.labels.push_back(new_label[static_cast<std::size_t>(y)]);
  }
  return d;
}

namespace {

std::optional<int> parse_index(std::string_view s) {
  int v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

std::vector<int> parse_class_selection(const Dataset& data, std::string_view spec) {
  std::string names;
  for (const auto& n : data.class_names) names += (names.empty() ? "" : ", ") + n;
  const auto bad = [&](std::string_view item) {
    return ValueError("unknown class '" + std::string(item) + "' in '" + std::string(spec) + "' (" + data.name +
                      " classes: " + names + "; or label indices 0-" + std::to_string(data.num_classes() - 1) + ")");
  };
  std::vector<int> out;
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string_view item = trimmed(spec.substr(start, comma - start));
    start = comma + 1;
    if (item.empty()) throw ValueError("empty class in '" + std::string(spec) + "'");
    const auto named = std::find(data.class_names.begin(), data.class_names.end(), item);
    if (named != data.class_names.end()) {
      out.push_back(static_cast<int>(named - data.class_names.begin()));
      continue;
    }
    const auto in_range = [&](std::optional<int> v) { return v && *v >= 0 && std::size_t(*v) < data.num_classes(); };
    if (const auto idx = parse_index(item); idx) {
      if (!in_range(idx)) throw bad(item);
      out.push_back(*idx);
      continue;
    }
    const std::size_t dash = item.find('-');
    if (dash == std::string_view::npos) throw bad(item);
    const auto lo = parse_index(trimmed(item.substr(0, dash))), hi = parse_index(trimmed(item.substr(dash + 1)));
    if (!in_range(lo) || !in_range(hi) || *lo > *hi) throw bad(item);
    for (int c = *lo; c <= *hi; ++c) out.push_back(c);
  }
  return out;
}

Dataset select_classes(const Dataset& data, std::string_view spec) {
  return select_classes(data, parse_class_selection(data, spec));
}

MinMaxScaler MinMaxScaler::fit(const Dataset& data, double lo, double hi) {
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi)) {
    throw ValueError("min-max range must be finite with lo < hi, got [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "]");
  }
  if (data.num_samples() == 0) throw ValueError("min-max scaling needs at least one sample");
  MinMaxScaler m;
  m.lo = lo;
  m.hi = hi;
  m.min = data.features.front();
  m.max = data.features.front();
  for (const auto& row : data.features) {
    for (std::size_t j = 0; j < row.size(); ++j) {
      m.min[j] = std::min(m.min[j], row[j]);
      m.max[j] = std::max(m.max[j], row[j]);
    }
  }
  return m;
}

std::vector<double> MinMaxScaler::transform(const std::vector<double>& x) const {
  if (x.size() != min.size()) {
    throw ValueError("sample has " + std::to_string(x.size()) + " features, the min-max scaler " +
                     std::to_string(min.size()));
  }
  std::vector<double> y(x.size());
  for (std::size_t j = 0; j < x.size(); ++j) {
    const double span = max[j] - min[j];
    y[j] = span > 0 ? lo + (hi - lo) * (x[j] - min[j]) / span : 0.5 * (lo + hi);
  }
  return y;
}

void MinMaxScaler::transform_in_place(Dataset& data) const {
  for (auto& row : data.features) row = transform(row);
}

Pca Pca::fit(const Dataset& data, std::size_t k) {
  const std::size_t f = data.num_features(), n = data.num_samples();
  if (k < 1 || k > f) {
    throw ValueError("PCA: the number of components must be in [1, " + std::to_string(f) + "], got " + std::to_string(k));
  }
  if (n < 2) throw ValueError("PCA needs at least 2 samples, got " + std::to_string(n));
  Pca p;
  p.mean.assign(f, 0.0);
  for (const auto& row : data.features)
    for (std::size_t j = 0; j < f; ++j) p.mean[j] += row[j];
  for (double& m : p.mean) m /= double(n);
  std::vector<double> cov(f * f, 0.0);
  std::vector<double> centred(f);
  for (const auto& row : data.features) {
    for (std::size_t j = 0; j < f; ++j) centred[j] = row[j] - p.mean[j];
    for (std::size_t a = 0; a < f; ++a)
      for (std::size_t b = a; b < f; ++b) cov[a * f + b] += centred[a] * centred[b];
  }
  for (std::size_t a = 0; a < f; ++a)
    for (std::size_t b = a; b < f; ++b) cov[b * f + a] = cov[a * f + b] /= double(n - 1);
  double total = 0;
  for (std::size_t j = 0; j < f; ++j) total += cov[j * f + j];
  SymmetricEigen eig = symmetric_eigen(cov, f);
  for (std::size_t c = 0; c < k; ++c) {
    std::vector<double>& v = eig.vectors[c];
    const auto largest = std::max_element(v.begin(), v.end(), [](double x, double y) { return std::abs(x) < std::abs(y); });
    if (*largest < 0)
      for (double& x : v) x = -x;
    // Rounding can leave tiny negative eigenvalues of a rank-deficient covariance; a variance is ≥ 0.
    const double var = std::max(eig.values[c], 0.0);
    p.components.push_back(std::move(v));
    p.explained_variance.push_back(var);
    p.explained_variance_ratio.push_back(total > 0 ? var / total : 0.0);
  }
  return p;
}

std::vector<double> Pca::transform(const std::vector<double>& x) const {
  if (x.size() != mean.size()) {
    throw ValueError("sample has " + std::to_string(x.size()) + " features, the PCA " + std::to_string(mean.size()));
  }
  std::vector<double> z(components.size(), 0.0);
  for (std::size_t c = 0; c < components.size(); ++c)
    for (std::size_t j = 0; j < x.size(); ++j) z[c] += components[c][j] * (x[j] - mean[j]);
  return z;
}

std::vector<double> Pca::inverse_transform(const std::vector<double>& z) const {
  if (z.size() != components.size()) {
    throw ValueError("PCA inverse: expected " + std::to_string(components.size()) + " components, got " +
                     std::to_string(z.size()));
  }
  std::vector<double> x = mean;
  for (std::size_t c = 0; c < components.size(); ++c)
    for (std::size_t j = 0; j < x.size(); ++j) x[j] += components[c][j] * z[c];
  return x;
}

void Pca::transform_in_place(Dataset& data) const {
  for (auto& row : data.features) row = transform(row);
  data.feature_names.clear();
  for (std::size_t c = 0; c < components.size(); ++c) data.feature_names.push_back("pc" + std::to_string(c + 1));
}

Dataset downsample_images(const Dataset& data, unsigned width, unsigned height, unsigned factor) {
  if (std::size_t(width) * height != data.num_features()) {
    throw ValueError("a " + std::to_string(width) + "×" + std::to_string(height) + " image has " +
                     std::to_string(std::size_t(width) * height) + " pixels, but " + data.name + " has " +
                     std::to_string(data.num_features()) + " features");
  }
  if (factor < 1 || width % factor != 0 || height % factor != 0) {
    throw ValueError("pooling factor " + std::to_string(factor) + " must divide the image size " +
                     std::to_string(width) + "×" + std::to_string(height));
  }
  const unsigned w = width / factor, h = height / factor;
  Dataset d;
  d.name = data.name;
  d.class_names = data.class_names;
  d.labels = data.labels;
  for (unsigned r = 0; r < h; ++r)
    for (unsigned c = 0; c < w; ++c) d.feature_names.push_back("pool_" + std::to_string(r) + "_" + std::to_string(c));
  const double inv_area = 1.0 / double(factor * factor);
  d.features.reserve(data.num_samples());
  for (const auto& row : data.features) {
    std::vector<double> out(std::size_t(w) * h, 0.0);
    for (unsigned r = 0; r < height; ++r)
      for (unsigned c = 0; c < width; ++c) out[(r / factor) * w + c / factor] += row[r * width + c] * inv_area;
    d.features.push_back(std::move(out));
  }
  return d;
}

std::vector<std::vector<double>> one_hot(const std::vector<int>& labels, std::size_t num_classes) {
  std::vector<std::vector<double>> out;
  out.reserve(labels.size());
  for (int y : labels) {
    if (y < 0 || static_cast<std::size_t>(y) >= num_classes) {
      throw ValueError("label " + std::to_string(y) + " outside [0, " + std::to_string(num_classes) + ")");
    }
    std::vector<double> row(num_classes, 0.0);
    row[static_cast<std::size_t>(y)] = 1.0;
    out.push_back(std::move(row));
  }
  return out;
}

}  // namespace qnn
