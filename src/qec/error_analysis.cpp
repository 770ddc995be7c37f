#include "qnn/qec/error_analysis.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <map>
#include <utility>
#include <vector>

#include "qnn/core/error.hpp"

namespace qnn::qec {

namespace {

// Independent probability q whose k anticommuting mechanisms reproduce a depolarising channel's Pauli-twirl
// eigenvalue λ: (1 − 2q)^k = λ. Beyond the channel's fully mixing point (λ < 0) no such q exists; clamp to ½.
double independent_probability(double lambda, int k) {
  if (lambda <= 0.0) return 0.5;
  return 0.5 * (1.0 - std::pow(lambda, 1.0 / k));
}

class BackwardSweep {
 public:
  explicit BackwardSweep(const CliffordCircuit& c)
      : c_(c),
        bits_(std::size_t{c.num_detectors()} + c.num_observables()),
        words_((bits_ + 63) / 64),
        sx_(std::size_t{c.num_qubits()} * words_, 0),
        sz_(std::size_t{c.num_qubits()} * words_, 0),
        meas_(c.num_measurements() * words_, 0) {
    // Which detectors and observables each measurement feeds.
    std::size_t m = 0, d = 0;
    for (const Instruction& op : c.instructions()) {
      if (is_measurement(op.code)) m += op.targets.size();
      if (op.code != OpCode::DETECTOR && op.code != OpCode::OBSERVABLE_INCLUDE) continue;
      const std::size_t bit =
          op.code == OpCode::DETECTOR ? d++ : c.num_detectors() + static_cast<std::size_t>(op.args[0]);
      for (std::uint32_t k : op.targets) meas_[(m - k) * words_ + bit / 64] ^= std::uint64_t{1} << (bit % 64);
    }
  }

  DetectorErrorModel run() {
    std::size_t m = c_.num_measurements();
    const auto& ops = c_.instructions();
    for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
      const Instruction& op = *it;
      const auto& t = op.targets;
      switch (op.code) {
        case OpCode::H:
          for (auto q : t) std::swap_ranges(sx(q), sx(q) + words_, sz(q));
          break;
        case OpCode::S:
        case OpCode::S_DAG:  // X → ±Y after the gate: an X error before it flips what X and Z after it flip
          for (auto q : t) xor_into(sx(q), sz(q));
          break;
        case OpCode::X:
        case OpCode::Y:
        case OpCode::Z:
        case OpCode::TICK:
        case OpCode::DETECTOR:
        case OpCode::OBSERVABLE_INCLUDE: break;
        case OpCode::CX:  // X_c → X_c X_t, Z_t → Z_c Z_t
          for (std::size_t i = t.size(); i >= 2; i -= 2) {
            xor_into(sx(t[i - 2]), sx(t[i - 1]));
            xor_into(sz(t[i - 1]), sz(t[i - 2]));
          }
          break;
        case OpCode::CZ:  // X_a → X_a Z_b
          for (std::size_t i = t.size(); i >= 2; i -= 2) {
            xor_into(sx(t[i - 2]), sz(t[i - 1]));
            xor_into(sx(t[i - 1]), sz(t[i - 2]));
          }
          break;
        case OpCode::SWAP:
          for (std::size_t i = t.size(); i >= 2; i -= 2) {
            std::swap_ranges(sx(t[i - 2]), sx(t[i - 2]) + words_, sx(t[i - 1]));
            std::swap_ranges(sz(t[i - 2]), sz(t[i - 2]) + words_, sz(t[i - 1]));
          }
          break;
        case OpCode::M:
        case OpCode::MX:  // an error that anticommutes with the measured operator flips its result (and stays)
          for (auto q = t.rbegin(); q != t.rend(); ++q) {
            --m;
            xor_into(op.code == OpCode::M ? sx(*q) : sz(*q), &meas_[m * words_]);
          }
          break;
        case OpCode::R:
        case OpCode::RX:  // nothing before a reset reaches past it
          for (auto q : t) {
            std::fill_n(sx(q), words_, 0);
            std::fill_n(sz(q), words_, 0);
          }
          break;
        case OpCode::X_ERROR:
        case OpCode::Z_ERROR:
          for (auto q : t) emit(op.args[0], op.code == OpCode::X_ERROR ? 1U : 3U, q, 0, 0);
          break;
        case OpCode::DEPOLARIZE1: {
          const double q1 = independent_probability(1.0 - 4.0 * op.args[0] / 3.0, 2);
          for (auto q : t)
            for (unsigned k = 1; k < 4; ++k) emit(q1, k, q, 0, 0);
          break;
        }
        case OpCode::DEPOLARIZE2: {
          const double q2 = independent_probability(1.0 - 16.0 * op.args[0] / 15.0, 8);
          for (std::size_t i = 0; i < t.size(); i += 2)
            for (unsigned k = 1; k < 16; ++k) emit(q2, k & 3U, t[i], k >> 2, t[i + 1]);
          break;
        }
      }
    }
    DetectorErrorModel dem;
    dem.num_detectors = c_.num_detectors();
    dem.num_observables = c_.num_observables();
    dem.detector_coordinates = c_.detector_coordinates();
    dem.errors.reserve(merged_.size());
    for (const auto& [key, p] : merged_) {
      ErrorMechanism e;
      e.probability = p;
      for (std::size_t w = 0; w < words_; ++w)
        for (std::uint64_t b = key[w]; b; b &= b - 1) {
          const std::size_t bit = 64 * w + static_cast<std::size_t>(std::countr_zero(b));
          if (bit < c_.num_detectors())
            e.detectors.push_back(static_cast<std::uint32_t>(bit));
          else
            e.observables.push_back(static_cast<std::uint32_t>(bit - c_.num_detectors()));
        }
      dem.errors.push_back(std::move(e));
    }
    // Order by first detector (then by size), which is the order decoders and readers expect to scan.
    std::stable_sort(dem.errors.begin(), dem.errors.end(), [](const ErrorMechanism& a, const ErrorMechanism& b) {
      return a.detectors < b.detectors || (a.detectors == b.detectors && a.observables < b.observables);
    });
    return dem;
  }

 private:
  std::uint64_t* sx(std::uint32_t q) { return &sx_[q * words_]; }
  std::uint64_t* sz(std::uint32_t q) { return &sz_[q * words_]; }
  void xor_into(std::uint64_t* dst, const std::uint64_t* src) const {
    for (std::size_t w = 0; w < words_; ++w) dst[w] ^= src[w];
  }
  // Pauli ka ∈ {0 I, 1 X, 2 Y, 3 Z} on qubit a times kb on b: the union of what each part flips.
  void emit(double p, unsigned ka, std::uint32_t a, unsigned kb, std::uint32_t b) {
    if (p <= 0.0) return;
    key_.assign(words_, 0);
    auto add = [&](unsigned k, std::uint32_t q) {
      if (k == 1 || k == 2) xor_into(key_.data(), sx(q));
      if (k == 2 || k == 3) xor_into(key_.data(), sz(q));
    };
    add(ka, a);
    add(kb, b);
    if (std::all_of(key_.begin(), key_.end(), [](std::uint64_t w) { return w == 0; })) return;
    auto [it, inserted] = merged_.try_emplace(key_, p);
    if (!inserted) it->second = it->second * (1 - p) + p * (1 - it->second);
  }

  const CliffordCircuit& c_;
  std::size_t bits_, words_;
  std::vector<std::uint64_t> sx_, sz_, meas_, key_;
  std::map<std::vector<std::uint64_t>, double> merged_;
};

}  // namespace

DetectorErrorModel detector_error_model(const CliffordCircuit& circuit) {
  if (circuit.num_observables() > 64)
    throw ValueError("a detector error model holds at most 64 observables, the circuit has " +
                     std::to_string(circuit.num_observables()));
  return BackwardSweep(circuit).run();
}

}  // namespace qnn::qec
