#include "qnn/qec/frame_sampler.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <utility>

#include "qnn/core/error.hpp"
#include "qnn/qec/tableau.hpp"

namespace qnn::qec {

namespace {

// Calls hit(i) for each i < n independently with probability p. The gaps between hits are geometric,
// P(gap = g) = (1−p)^g p, drawn by inversion as g = ⌊ln(1−u) / ln(1−p)⌋: the cost is one uniform per hit.
template <class Fn>
void for_each_hit(std::uint64_t n, double p, Rng& rng, Fn&& hit) {
  if (p <= 0.0 || n == 0) return;
  if (p >= 1.0) {
    for (std::uint64_t i = 0; i < n; ++i) hit(i);
    return;
  }
  const double log_q = std::log1p(-p);
  std::uint64_t i = 0;
  while (true) {
    const double gap = std::floor(std::log1p(-rng.uniform()) / log_q);
    if (gap >= static_cast<double>(n - i)) return;
    i += static_cast<std::uint64_t>(gap);
    hit(i);
    if (++i >= n) return;
  }
}

// Pauli k ∈ {0 I, 1 X, 2 Y, 3 Z} as (x, z) bits.
constexpr std::uint64_t pauli_x(unsigned k) { return (k == 1 || k == 2) ? 1U : 0U; }
constexpr std::uint64_t pauli_z(unsigned k) { return (k == 2 || k == 3) ? 1U : 0U; }

}  // namespace

void FrameSamples::per_shot(std::vector<std::vector<std::uint32_t>>& fired,
                            std::vector<std::uint64_t>& observable_flips) const {
  const std::size_t shots = num_shots();
  fired.resize(shots);
  for (auto& f : fired) f.clear();
  observable_flips.assign(shots, 0);
  const std::size_t num_det = words ? detectors.size() / words : 0;
  for (std::size_t d = 0; d < num_det; ++d)
    for (std::size_t w = 0; w < words; ++w)
      for (std::uint64_t bits = detectors[d * words + w]; bits; bits &= bits - 1)
        fired[64 * w + static_cast<std::size_t>(std::countr_zero(bits))].push_back(static_cast<std::uint32_t>(d));
  const std::size_t num_obs = words ? observables.size() / words : 0;
  for (std::size_t k = 0; k < num_obs; ++k)
    for (std::size_t w = 0; w < words; ++w)
      for (std::uint64_t bits = observables[k * words + w]; bits; bits &= bits - 1)
        observable_flips[64 * w + static_cast<std::size_t>(std::countr_zero(bits))] |= std::uint64_t{1} << k;
}

FrameSampler::FrameSampler(const CliffordCircuit& circuit, std::uint64_t reference_seed) : circuit_(circuit) {
  Rng rng(reference_seed);
  reference_ = tableau_sample(circuit_, rng, /*with_noise=*/false);
}

FrameSampler::FrameSampler(const CliffordCircuit& circuit, std::vector<std::uint8_t> reference)
    : circuit_(circuit), reference_(std::move(reference)) {
  if (reference_.size() != circuit_.num_measurements())
    throw ValueError("reference record has " + std::to_string(reference_.size()) + " results; the circuit makes " +
                     std::to_string(circuit_.num_measurements()) + " measurements");
}

void FrameSampler::sample(std::size_t words, Rng& rng, FrameSamples& out, bool with_measurements) {
  if (words == 0) throw ValueError("frame sampling needs at least 1 word (64 shots), got 0");
  const std::size_t W = words, n = circuit_.num_qubits();
  const std::uint64_t shots = 64 * W;
  x_.assign(n * W, 0);
  z_.resize(n * W);
  for (auto& w : z_) w = rng();
  record_.resize(circuit_.num_measurements() * W);
  out.words = W;
  out.detectors.assign(std::size_t{circuit_.num_detectors()} * W, 0);
  out.observables.assign(std::size_t{circuit_.num_observables()} * W, 0);
  std::uint64_t* const x = x_.data();
  std::uint64_t* const z = z_.data();
  std::uint64_t* const rec = record_.data();
  auto flip = [&](std::uint64_t* planes, std::uint32_t q, std::uint64_t shot) {
    planes[q * W + shot / 64] ^= std::uint64_t{1} << (shot % 64);
  };

  std::size_t m = 0, d = 0;
  for (const Instruction& op : circuit_.instructions()) {
    const auto& t = op.targets;
    switch (op.code) {
      case OpCode::H:
        for (auto q : t) std::swap_ranges(x + q * W, x + (q + 1) * W, z + q * W);
        break;
      case OpCode::S:
      case OpCode::S_DAG:
        for (auto q : t)
          for (std::size_t w = 0; w < W; ++w) z[q * W + w] ^= x[q * W + w];
        break;
      case OpCode::X:
      case OpCode::Y:
      case OpCode::Z: break;  // Paulis commute with the frame up to a global phase
      case OpCode::CX:
        for (std::size_t i = 0; i < t.size(); i += 2) {
          const std::size_t c = t[i] * W, g = t[i + 1] * W;
          for (std::size_t w = 0; w < W; ++w) {
            x[g + w] ^= x[c + w];
            z[c + w] ^= z[g + w];
          }
        }
        break;
      case OpCode::CZ:
        for (std::size_t i = 0; i < t.size(); i += 2) {
          const std::size_t a = t[i] * W, b = t[i + 1] * W;
          for (std::size_t w = 0; w < W; ++w) {
            z[a + w] ^= x[b + w];
            z[b + w] ^= x[a + w];
          }
        }
        break;
      case OpCode::SWAP:
        for (std::size_t i = 0; i < t.size(); i += 2) {
          const std::size_t a = t[i] * W, b = t[i + 1] * W;
          std::swap_ranges(x + a, x + a + W, x + b);
          std::swap_ranges(z + a, z + a + W, z + b);
        }
        break;
      case OpCode::M:
      case OpCode::MX: {
        std::uint64_t* measured = op.code == OpCode::M ? x : z;
        std::uint64_t* other = op.code == OpCode::M ? z : x;
        for (auto q : t) {
          std::copy_n(measured + q * W, W, rec + (m++) * W);
          for (std::size_t w = 0; w < W; ++w) other[q * W + w] = rng();
        }
        break;
      }
      case OpCode::R:
      case OpCode::RX: {
        std::uint64_t* cleared = op.code == OpCode::R ? x : z;
        std::uint64_t* other = op.code == OpCode::R ? z : x;
        for (auto q : t) {
          std::fill_n(cleared + q * W, W, 0);
          for (std::size_t w = 0; w < W; ++w) other[q * W + w] = rng();
        }
        break;
      }
      case OpCode::X_ERROR:
      case OpCode::Z_ERROR: {
        std::uint64_t* planes = op.code == OpCode::X_ERROR ? x : z;
        for_each_hit(t.size() * shots, op.args[0], rng, [&](std::uint64_t i) { flip(planes, t[i / shots], i % shots); });
        break;
      }
      case OpCode::DEPOLARIZE1:
        for_each_hit(t.size() * shots, op.args[0], rng, [&](std::uint64_t i) {
          const auto k = 1 + static_cast<unsigned>(rng.below(3));
          const std::uint32_t q = t[i / shots];
          const std::uint64_t s = i % shots;
          if (pauli_x(k)) flip(x, q, s);
          if (pauli_z(k)) flip(z, q, s);
        });
        break;
      case OpCode::DEPOLARIZE2:
        for_each_hit(t.size() / 2 * shots, op.args[0], rng, [&](std::uint64_t i) {
          const auto k = 1 + static_cast<unsigned>(rng.below(15));  // (k mod 4, k div 4) ≠ (I, I)
          const std::uint32_t a = t[2 * (i / shots)], b = t[2 * (i / shots) + 1];
          const std::uint64_t s = i % shots;
          if (pauli_x(k & 3U)) flip(x, a, s);
          if (pauli_z(k & 3U)) flip(z, a, s);
          if (pauli_x(k >> 2)) flip(x, b, s);
          if (pauli_z(k >> 2)) flip(z, b, s);
        });
        break;
      case OpCode::DETECTOR:
      case OpCode::OBSERVABLE_INCLUDE: {
        std::uint64_t* dst = op.code == OpCode::DETECTOR ? &out.detectors[(d++) * W]
                                                         : &out.observables[static_cast<std::size_t>(op.args[0]) * W];
        for (std::uint32_t k : t) {
          const std::uint64_t* src = rec + (m - k) * W;
          for (std::size_t w = 0; w < W; ++w) dst[w] ^= src[w];
        }
        break;
      }
      case OpCode::TICK: break;
    }
  }
  if (with_measurements) {
    out.measurements.resize(record_.size());
    for (std::size_t i = 0; i < circuit_.num_measurements(); ++i) {
      const std::uint64_t ref = reference_[i] ? ~std::uint64_t{0} : 0;
      for (std::size_t w = 0; w < W; ++w) out.measurements[i * W + w] = record_[i * W + w] ^ ref;
    }
  } else {
    out.measurements.clear();
  }
}

}  // namespace qnn::qec
