#include "qnn/ml/synthetic_datasets.hpp"

#include <bit>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"

namespace qnn {

namespace {

void check_noise(double noise) {
  if (!(noise >= 0.0) || !std::isfinite(noise)) {
    throw ValueError("noise must be a finite number ≥ 0, got " + std::to_string(noise));
  }
}

void check_samples(std::size_t n, std::size_t minimum) {
  if (n < minimum) {
    throw ValueError("a generated data set needs at least " + std::to_string(minimum) + " samples, got " +
                     std::to_string(n));
  }
}

Dataset empty(const std::string& name, std::size_t features, std::size_t classes) {
  Dataset d;
  d.name = name;
  for (std::size_t j = 0; j < features; ++j) d.feature_names.push_back("x" + std::to_string(j));
  for (std::size_t c = 0; c < classes; ++c) d.class_names.push_back(std::to_string(c));
  return d;
}

// Noise is drawn after the clean points, and the shuffle last, so a change of noise moves points but not their order.
void finish(Dataset& d, double noise, Rng& rng) {
  if (noise > 0) {
    for (auto& row : d.features)
      for (double& v : row) v += noise * rng.normal();
  }
  std::vector<std::size_t> order(d.num_samples());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  rng.shuffle(order);
  d = d.subset(order);
}

}  // namespace

Dataset make_moons(std::size_t n_samples, double noise, std::uint64_t seed) {
  check_samples(n_samples, 2);
  check_noise(noise);
  Dataset d = empty("moons", 2, 2);
  const std::size_t n_outer = n_samples / 2, n_inner = n_samples - n_outer;
  const auto t_at = [](std::size_t i, std::size_t n) { return n > 1 ? std::numbers::pi * double(i) / double(n - 1) : 0.0; };
  for (std::size_t i = 0; i < n_outer; ++i) {
    const double t = t_at(i, n_outer);
    d.features.push_back({std::cos(t), std::sin(t)});
    d.labels.push_back(0);
  }
  for (std::size_t i = 0; i < n_inner; ++i) {
    const double t = t_at(i, n_inner);
    d.features.push_back({1.0 - std::cos(t), 0.5 - std::sin(t)});
    d.labels.push_back(1);
  }
  Rng rng(seed);
  finish(d, noise, rng);
  return d;
}

Dataset make_circles(std::size_t n_samples, double noise, double factor, std::uint64_t seed) {
  check_samples(n_samples, 2);
  check_noise(noise);
  if (!(factor > 0.0 && factor < 1.0)) {
    throw ValueError("circles: the inner radius factor must be in (0, 1), got " + std::to_string(factor));
  }
  Dataset d = empty("circles", 2, 2);
  const std::size_t n_outer = n_samples / 2, n_inner = n_samples - n_outer;
  for (std::size_t i = 0; i < n_outer; ++i) {
    const double t = 2 * std::numbers::pi * double(i) / double(n_outer);
    d.features.push_back({std::cos(t), std::sin(t)});
    d.labels.push_back(0);
  }
  for (std::size_t i = 0; i < n_inner; ++i) {
    const double t = 2 * std::numbers::pi * double(i) / double(n_inner);
    d.features.push_back({factor * std::cos(t), factor * std::sin(t)});
    d.labels.push_back(1);
  }
  Rng rng(seed);
  finish(d, noise, rng);
  return d;
}

Dataset make_xor(std::size_t n_samples, double noise, std::uint64_t seed) {
  check_samples(n_samples, 4);
  check_noise(noise);
  Dataset d = empty("xor", 2, 2);
  // Corners in the order (+,+), (+,−), (−,−), (−,+): labels 0, 1, 0, 1, so any prefix is balanced to within 1.
  static constexpr double corners[4][2] = {{1, 1}, {1, -1}, {-1, -1}, {-1, 1}};
  for (std::size_t i = 0; i < n_samples; ++i) {
    const auto& c = corners[i % 4];
    d.features.push_back({c[0], c[1]});
    d.labels.push_back(c[0] * c[1] < 0 ? 1 : 0);
  }
  Rng rng(seed);
  finish(d, noise, rng);
  return d;
}

Dataset make_parity(unsigned n_bits, std::size_t n_samples, double noise, std::uint64_t seed) {
  if (n_bits < 1 || n_bits > 62) throw ValueError("parity: bits must be in [1, 62], got " + std::to_string(n_bits));
  check_noise(noise);
  Dataset d = empty("parity" + std::to_string(n_bits), n_bits, 2);
  Rng rng(seed);
  const auto push = [&](std::uint64_t bits) {
    std::vector<double> row(n_bits);
    int parity = 0;
    for (unsigned j = 0; j < n_bits; ++j) {
      const int b = int((bits >> j) & 1U);
      row[j] = b;
      parity ^= b;
    }
    d.features.push_back(std::move(row));
    d.labels.push_back(parity);
  };
  if (n_samples == 0) {
    if (n_bits > 20) throw ValueError("parity: listing all strings needs bits ≤ 20, got " + std::to_string(n_bits));
    for (std::uint64_t s = 0; s < (std::uint64_t{1} << n_bits); ++s) push(s);
  } else {
    check_samples(n_samples, 2);
    const std::uint64_t mask = (std::uint64_t{1} << n_bits) - 1;
    for (std::size_t i = 0; i < n_samples; ++i) {
      // A uniform string, with bit 0 flipped when its parity is not this sample's class: uniform over that class.
      std::uint64_t s = rng() & mask;
      if (int(std::popcount(s) & 1) != int(i % 2)) s ^= 1U;
      push(s);
    }
  }
  finish(d, noise, rng);
  return d;
}

Dataset make_spirals(std::size_t n_samples, unsigned n_classes, double noise, std::uint64_t seed, double turns) {
  if (n_classes < 2) throw ValueError("spirals: needs at least 2 arms, got " + std::to_string(n_classes));
  check_samples(n_samples, n_classes);
  check_noise(noise);
  if (!(turns > 0.0) || !std::isfinite(turns)) throw ValueError("spirals: turns must be > 0, got " + std::to_string(turns));
  Dataset d = empty("spirals", 2, n_classes);
  for (unsigned c = 0; c < n_classes; ++c) {
    const std::size_t n_arm = n_samples / n_classes + (c < n_samples % n_classes ? 1 : 0);
    for (std::size_t i = 0; i < n_arm; ++i) {
      const double t = double(i + 1) / double(n_arm);
      const double angle = 2 * std::numbers::pi * (double(c) / double(n_classes) + turns * t);
      d.features.push_back({t * std::cos(angle), t * std::sin(angle)});
      d.labels.push_back(int(c));
    }
  }
  Rng rng(seed);
  finish(d, noise, rng);
  return d;
}

}  // namespace qnn
