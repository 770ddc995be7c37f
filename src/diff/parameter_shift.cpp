#include "qnn/diff/parameter_shift.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "qnn/core/error.hpp"
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

Gradient parameter_shift_gradient(const Circuit& c, const PauliSum& obs, std::span<const double> theta,
                                  std::span<const double> x, DiffWrt wrt, ShotOptions so) {
  std::vector<double> angles = bind_angles(c, theta, x);
  Rng rng(so.seed);
  Gradient g;
  g.value = value_at(c, angles, obs, so, rng);
  g.theta.assign(wrt.theta ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0, 0.0);
  g.x.assign(wrt.inputs ? x.size() : 0, 0.0);
  // Extra controls turn any rotation into a controlled one: its generator gains the eigenvalue 0, so it needs the
  // four-term rule whatever its kind.
  std::size_t a = 0;
  for (const Operation& op : c.ops()) {
    for (std::size_t p = 0; p < op.params.size(); ++p, ++a) {
      const Expr& e = op.params[p];
      const bool needed = wrt.needs(e);
      if (!needed) continue;
      std::span<const ShiftTerm> rule = shift_rule(op.kind);
      if (!op.controls.empty() && rule.size() == 2) rule = kFourTerm;
      if (rule.empty()) throw ValueError("gate '" + std::string(op.info().name) + "' has no shift rule");
      const double a0 = angles[a];
      double d = 0;
      for (const ShiftTerm& t : rule) {
        angles[a] = a0 + t.shift;
        d += t.coeff * value_at(c, angles, obs, so, rng);
      }
      angles[a] = a0;
      e.backprop(theta, x, d, wrt.theta ? std::span<double>(g.theta) : std::span<double>(),
                 wrt.inputs ? std::span<double>(g.x) : std::span<double>());
    }
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
