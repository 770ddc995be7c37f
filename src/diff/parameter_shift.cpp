#include "qnn/diff/parameter_shift.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/exec/batched.hpp"
#include "qnn/exec/shots.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {

namespace {
constexpr double kPi = std::numbers::pi;
constexpr ShiftTerm kTwoTerm[] = {{0.5, kPi / 2}, {-0.5, -kPi / 2}};
const double kCp = (std::numbers::sqrt2 + 1) / (4 * std::numbers::sqrt2);
const double kCm = (std::numbers::sqrt2 - 1) / (4 * std::numbers::sqrt2);
const ShiftTerm kFourTerm[] = {{kCp, kPi / 2}, {-kCp, -kPi / 2}, {-kCm, 3 * kPi / 2}, {kCm, -3 * kPi / 2}};

// ⟨O⟩ of the circuit at explicit angles (exact, or from shots).
double value_at(const Circuit& c, std::span<const double> angles, const PauliSum& obs, const ShotOptions& so, Rng& rng) {
  StateVector<double> psi(c.num_qubits());
  std::size_t a = 0;
  for (const Operation& op : c.ops()) {
    apply_operation(psi, op, angles.subspan(a, op.params.size()));
    a += op.params.size();
  }
  return so.shots == 0 ? expectation(psi, obs) : estimate_expectation(psi, obs, so.shots, rng);
}
}  // namespace

std::span<const ShiftTerm> shift_rule(GateKind kind) {
  switch (kind) {
    case GateKind::RX: case GateKind::RY: case GateKind::RZ: case GateKind::RXX: case GateKind::RYY:
    case GateKind::RZZ: case GateKind::P: case GateKind::CP: case GateKind::U:
      return kTwoTerm;
    case GateKind::CRX: case GateKind::CRY: case GateKind::CRZ:
      return kFourTerm;
    default:
      return {};
  }
}

namespace {

// One circuit run of a parameter-shift gradient: the unshifted circuit (angle == kNoShift) or angle `angle` moved by
// `shift`.
constexpr std::size_t kNoShift = ~std::size_t{0};
struct ShiftedRun {
  std::size_t angle;
  std::size_t op;
  double shift;
};

// Largest state the shifted circuits are batched for, and the memory one batch may take. Measured (one thread,
// benchmark ansatz, L = n): batched 8-15x faster than one run at a time at n = 4, ~2x at n = 8, no faster at n = 12,
// where one state already fills a vector unit and the per-member matrices of the shifted gates cost more than the
// per-gate overhead they save.
constexpr unsigned kMaxBatchedQubits = 10;
constexpr std::uint64_t kBatchBytes = std::uint64_t{4} << 20;
constexpr unsigned kMaxBatch = 256;

// ⟨O⟩ of every run, in order. The runs of one gradient differ from the unshifted circuit in a single angle each, so
// they run together as one batched state (member b = run b): every gate is one sweep over all of them instead of one
// per run, and only the shifted gates carry per-member matrices. Shot estimates draw from `rng` in run order, as the
// sequential rule does, so a seed gives the same estimates either way.
std::vector<double> run_values(const Circuit& c, const std::vector<double>& angles, std::span<const ShiftedRun> runs,
                               const PauliSum& obs, const ShotOptions& so, Rng& rng) {
  std::vector<double> values(runs.size());
  const unsigned n = c.num_qubits();
  if (n > kMaxBatchedQubits) {
    std::vector<double> shifted = angles;
    for (std::size_t r = 0; r < runs.size(); ++r) {
      if (runs[r].angle != kNoShift) shifted[runs[r].angle] += runs[r].shift;
      values[r] = value_at(c, shifted, obs, so, rng);
      if (runs[r].angle != kNoShift) shifted[runs[r].angle] = angles[runs[r].angle];
    }
    return values;
  }
  const auto& ops = c.ops();
  std::vector<std::size_t> first_angle(ops.size());
  for (std::size_t k = 0, a = 0; k < ops.size(); a += ops[k].params.size(), ++k) first_angle[k] = a;
  const std::uint64_t member_bytes = 2 * sizeof(double) << n;
  const auto max_batch =
      static_cast<std::size_t>(std::clamp<std::uint64_t>(kBatchBytes / member_bytes, 1, kMaxBatch));
  std::vector<double> member(runs.size());
  for (std::size_t r0 = 0; r0 < runs.size(); r0 += max_batch) {
    const std::size_t B = std::min(max_batch, runs.size() - r0);
    const std::span<const ShiftedRun> chunk = runs.subspan(r0, B);
    BatchAngles ba;
    ba.per_sample.assign(ops.size(), false);
    ba.offset.resize(ops.size());
    for (const ShiftedRun& run : chunk)
      if (run.angle != kNoShift) ba.per_sample[run.op] = true;
    for (std::size_t k = 0; k < ops.size(); ++k) {
      const std::size_t np = ops[k].params.size();
      const auto base = angles.begin() + static_cast<std::ptrdiff_t>(first_angle[k]);
      ba.offset[k] = ba.values.size();
      if (!ba.per_sample[k]) {
        ba.values.insert(ba.values.end(), base, base + static_cast<std::ptrdiff_t>(np));
        continue;
      }
      for (const ShiftedRun& run : chunk) {
        const std::size_t at = ba.values.size();
        ba.values.insert(ba.values.end(), base, base + static_cast<std::ptrdiff_t>(np));
        // The unshifted run has op 0 and angle kNoShift: it must not match op 0 (that indexed one before `at`).
        if (run.angle != kNoShift && run.op == k) ba.values[at + (run.angle - first_angle[k])] += run.shift;
      }
    }
    BatchedStateVector<double> psi(n, static_cast<unsigned>(B));
    for (std::size_t k = 0; k < ops.size(); ++k) apply_operation_batched(psi, c, k, ba);
    if (so.shots == 0) {
      expectation_batched(psi, obs, std::span<double>(values).subspan(r0, B));
      continue;
    }
    StateVector<double> one(n);
    for (unsigned b = 0; b < B; ++b) {
      for (index_t i = 0; i < one.size(); ++i) one[i] = psi.amplitude(i, b);
      values[r0 + b] = estimate_expectation(one, obs, so.shots, rng);
    }
  }
  return values;
}

}  // namespace

Gradient parameter_shift_gradient(const Circuit& c, const PauliSum& obs, std::span<const double> theta,
                                  std::span<const double> x, DiffWrt wrt, ShotOptions so) {
  const std::vector<double> angles = bind_angles(c, theta, x);
  if (obs.min_qubits() > c.num_qubits()) throw ValueError("observable acts beyond the circuit's qubits");
  Rng rng(so.seed);
  Gradient g;
  g.theta.assign(wrt.theta ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0, 0.0);
  g.x.assign(wrt.inputs ? x.size() : 0, 0.0);
  // Every run first (the unshifted circuit, then each needed angle's terms), then the chain rule per angle.
  // Extra controls turn any rotation into a controlled one: its generator gains the eigenvalue 0, so it needs the
  // four-term rule whatever its kind.
  struct Needed {
    const Expr* expr;
    std::span<const ShiftTerm> rule;
  };
  std::vector<Needed> needed;
  std::vector<ShiftedRun> runs{{kNoShift, 0, 0.0}};
  std::size_t a = 0;
  for (std::size_t k = 0; k < c.ops().size(); ++k) {
    const Operation& op = c.ops()[k];
    for (std::size_t p = 0; p < op.params.size(); ++p, ++a) {
      const Expr& e = op.params[p];
      if (!wrt.needs(e)) continue;
      std::span<const ShiftTerm> rule = shift_rule(op.kind);
      if (!op.controls.empty() && rule.size() == 2) rule = kFourTerm;
      if (rule.empty()) throw ValueError("gate '" + std::string(op.info().name) + "' has no shift rule");
      needed.push_back({&e, rule});
      for (const ShiftTerm& t : rule) runs.push_back({a, k, t.shift});
    }
  }
  const std::vector<double> values = run_values(c, angles, runs, obs, so, rng);
  g.value = values[0];
  std::size_t r = 1;
  for (const Needed& nd : needed) {
    double d = 0;
    for (const ShiftTerm& t : nd.rule) d += t.coeff * values[r++];
    nd.expr->backprop(theta, x, d, wrt.theta ? std::span<double>(g.theta) : std::span<double>(),
                      wrt.inputs ? std::span<double>(g.x) : std::span<double>());
  }
  wrt.mask(g.theta);
  return g;
}

Gradient spsa_gradient(const Circuit& c, const PauliSum& obs, std::span<const double> theta, std::span<const double> x,
                       double epsilon, Rng& rng, ShotOptions so) {
  if (!(epsilon > 0) || !std::isfinite(epsilon)) throw ValueError("SPSA step must be a positive number");
  const std::size_t P = std::max<std::size_t>(theta.size(), c.num_theta());
  std::vector<double> delta(P), plus(theta.begin(), theta.end()), minus(theta.begin(), theta.end());
  plus.resize(P, 0.0);
  minus.resize(P, 0.0);
  for (std::size_t i = 0; i < P; ++i) {
    delta[i] = (rng() >> 63) ? 1.0 : -1.0;
    plus[i] += epsilon * delta[i];
    minus[i] -= epsilon * delta[i];
  }
  Rng shot_rng(so.seed);
  const double fp = value_at(c, bind_angles(c, plus, x), obs, so, shot_rng);
  const double fm = value_at(c, bind_angles(c, minus, x), obs, so, shot_rng);
  Gradient g;
  g.value = 0.5 * (fp + fm);
  g.theta.resize(P);
  for (std::size_t i = 0; i < P; ++i) g.theta[i] = (fp - fm) / (2 * epsilon * delta[i]);
  return g;
}

}  // namespace qnn
