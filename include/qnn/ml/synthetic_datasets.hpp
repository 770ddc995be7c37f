#pragma once
// Generated two-class (or k-class) toy problems, the ones QML papers and tutorials test on. Every generator is seeded
// with qnn's portable Rng, so the same arguments give the same data on every platform; noise is Gaussian with standard
// deviation `noise` added to each coordinate. Samples come shuffled (classes interleaved), labels are 0 … k−1, class
// names their decimal text and feature names "x0", "x1", ….
#include <cstdint>

#include "qnn/ml/dataset.hpp"

namespace qnn {

/// Two interleaving half circles (scikit-learn's make_moons): class 0 on (cos t, sin t), class 1 on
/// (1 − cos t, 1/2 − sin t), t evenly spaced in [0, π]. Shape n_samples × 2; class 0 gets ⌊n/2⌋ samples, class 1 the
/// rest.
Dataset make_moons(std::size_t n_samples, double noise, std::uint64_t seed);

/// Two concentric circles: class 0 (outer) of radius 1, class 1 (inner) of radius `factor` ∈ (0, 1), angles evenly
/// spaced in [0, 2π). Shape n_samples × 2; class 0 gets ⌊n/2⌋ samples, class 1 the rest.
Dataset make_circles(std::size_t n_samples, double noise, double factor, std::uint64_t seed);

/// XOR: points around the four corners (±1, ±1), corners taken in turn; label 1 where the corner's coordinates have
/// opposite signs (x0·x1 < 0 before noise). Shape n_samples × 2; classes differ in size by at most 1 (balanced when
/// n is a multiple of 4).
Dataset make_xor(std::size_t n_samples, double noise, std::uint64_t seed);

/// n-bit parity: features are bits b_0 … b_{n−1} ∈ {0, 1} (plus noise), label b_0 ⊕ … ⊕ b_{n−1}. n_samples = 0 lists
/// all 2^n bit strings once (n ≤ 20); otherwise classes alternate and each sample is a uniformly drawn string of its
/// class's parity (balanced to within 1). Shape n_samples (or 2^n) × n_bits. n_bits = 2 is XOR on {0, 1}².
Dataset make_parity(unsigned n_bits, std::size_t n_samples, double noise, std::uint64_t seed);

/// k interleaved spiral arms: sample i of arm c sits at radius r = t and angle 2π·(c/k + turns·t) with t uniform over
/// (0, 1] in even steps, so the arms wind `turns` times around the origin. Shape n_samples × 2; arms differ in size by
/// at most 1.
Dataset make_spirals(std::size_t n_samples, unsigned n_classes, double noise, std::uint64_t seed, double turns = 1.0);

}  // namespace qnn
