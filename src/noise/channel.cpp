#include "qnn/noise/channel.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/sim/density_matrix.hpp"

namespace qnn {

namespace {

constexpr double kCompletenessTolerance = 1e-10;

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

void check_probability(const std::string& channel, const char* name, double v, double hi = 1.0) {
  if (!(v >= 0.0 && v <= hi)) {
    throw ValueError(channel + ": " + name + " = " + number(v) + " is outside [0, " + number(hi) + "]");
  }
}

// Σ_P p_P PρP† with P = ⊗_j σ_{d_j}: Kraus operators √p_P P for the strings of nonzero probability.
std::vector<std::vector<cplx>> pauli_kraus(unsigned k, const std::vector<double>& probs) {
  const std::size_t d = std::size_t{1} << k;
  std::vector<std::vector<cplx>> out;
  std::vector<std::vector<cplx>> sigma;
  for (unsigned s = 0; s < 4; ++s) sigma.push_back(pauli_matrix(s));
  for (std::size_t code = 0; code < probs.size(); ++code) {
    if (probs[code] == 0) continue;
    std::vector<cplx> m(d * d);
    for (std::size_t r = 0; r < d; ++r)
      for (std::size_t c = 0; c < d; ++c) {
        cplx v = std::sqrt(probs[code]);
        for (unsigned j = 0; j < k; ++j) {
          const std::size_t digit = code >> (2 * j) & 3U;
          v *= sigma[digit][(r >> j & 1U) * 2 + (c >> j & 1U)];
        }
        m[r * d + c] = v;
      }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

std::vector<cplx> pauli_matrix(unsigned pauli) {
  switch (pauli) {
    case 0: return {1, 0, 0, 1};
    case 1: return {0, 1, 1, 0};
    case 2: return {0, cplx(0, -1), cplx(0, 1), 0};
    case 3: return {1, 0, 0, -1};
    default: throw ValueError("Pauli index " + std::to_string(pauli) + " is outside [0, 3]");
  }
}

Channel::Channel(std::string name, unsigned num_qubits, std::vector<std::vector<cplx>> kraus,
                 std::vector<Parameter> parameters)
    : name_(std::move(name)), k_(num_qubits), kraus_(std::move(kraus)), params_(std::move(parameters)) {
  if (k_ < 1 || k_ > 3) throw ValueError(name_ + ": a channel acts on 1 to 3 qubits, got " + std::to_string(k_));
  if (kraus_.empty()) throw ValueError(name_ + ": a channel needs at least one Kraus operator");
  const std::size_t d = std::size_t{1} << k_;
  for (std::size_t i = 0; i < kraus_.size(); ++i) {
    if (kraus_[i].size() != d * d) {
      throw ValueError(name_ + ": Kraus operator " + std::to_string(i) + " has " + std::to_string(kraus_[i].size()) +
                       " entries; on " + std::to_string(k_) + " qubits it needs " + std::to_string(d * d));
    }
    for (cplx z : kraus_[i])
      if (!std::isfinite(z.real()) || !std::isfinite(z.imag())) {
        throw ValueError(name_ + ": Kraus operator " + std::to_string(i) + " has a non-finite entry");
      }
  }
  // Trace preservation: Σ_i K_i† K_i = I. (Complete positivity holds for any Kraus form.)
  double deviation = 0;
  for (std::size_t r = 0; r < d; ++r)
    for (std::size_t c = 0; c < d; ++c) {
      cplx s = 0;
      for (const auto& k : kraus_)
        for (std::size_t j = 0; j < d; ++j) s += std::conj(k[j * d + r]) * k[j * d + c];
      deviation = std::max(deviation, std::abs(s - cplx(r == c ? 1.0 : 0.0)));
    }
  if (!(deviation <= kCompletenessTolerance)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g", deviation);
    throw ValueError(name_ + ": the Kraus operators are not trace preserving: sum of K^dagger K deviates from the "
                     "identity by " + std::string(buf) + " (largest entry), allowed 1e-10");
  }
  superop_ = superoperator_from_kraus(k_, kraus_);
}

Channel Channel::from_pauli_probabilities(std::string name, unsigned num_qubits, std::vector<double> probabilities,
                                          std::vector<Parameter> parameters) {
  const std::size_t want = std::size_t{1} << (2 * num_qubits);
  if (probabilities.size() != want) {
    throw ValueError(name + ": a Pauli channel on " + std::to_string(num_qubits) + " qubits needs " +
                     std::to_string(want) + " probabilities, got " + std::to_string(probabilities.size()));
  }
  double total = 0;
  for (double p : probabilities) {
    check_probability(name, "a Pauli probability", p);
    total += p;
  }
  if (std::abs(total - 1.0) > kCompletenessTolerance) {
    throw ValueError(name + ": Pauli probabilities sum to " + number(total) + ", not 1");
  }
  Channel ch(name, num_qubits, pauli_kraus(num_qubits, probabilities), std::move(parameters));
  ch.pauli_ = std::move(probabilities);
  return ch;
}

std::string Channel::description() const {
  std::string s = name_ + "(";
  for (std::size_t i = 0; i < params_.size(); ++i) s += (i ? "," : "") + params_[i].first + "=" + number(params_[i].second);
  return s + ")";
}

Channel bit_flip(double p) {
  check_probability("bit_flip", "p", p);
  return Channel::from_pauli_probabilities("bit_flip", 1, {1 - p, p, 0, 0}, {{"p", p}});
}

Channel phase_flip(double p) {
  check_probability("phase_flip", "p", p);
  return Channel::from_pauli_probabilities("phase_flip", 1, {1 - p, 0, 0, p}, {{"p", p}});
}

Channel bit_phase_flip(double p) {
  check_probability("bit_phase_flip", "p", p);
  return Channel::from_pauli_probabilities("bit_phase_flip", 1, {1 - p, 0, p, 0}, {{"p", p}});
}

Channel depolarizing(double p) {
  // (1−p)ρ + p I/2 = (1 − 3p/4)ρ + (p/4)(XρX + YρY + ZρZ), since Σ_P PρP = 2 Tr(ρ) I over the four Paulis.
  check_probability("depolarizing", "p", p);
  return Channel::from_pauli_probabilities("depolarizing", 1, {1 - 0.75 * p, p / 4, p / 4, p / 4}, {{"p", p}});
}

Channel depolarizing2(double p) {
  // (1−p)ρ + p I/4: each of the 16 two-qubit Pauli strings with p/16 on top of (1 − p) for the identity.
  check_probability("depolarizing2", "p", p);
  std::vector<double> probs(16, p / 16);
  probs[0] = 1 - 15 * p / 16;
  return Channel::from_pauli_probabilities("depolarizing2", 2, std::move(probs), {{"p", p}});
}

Channel pauli_channel(double px, double py, double pz) {
  check_probability("pauli", "px", px);
  check_probability("pauli", "py", py);
  check_probability("pauli", "pz", pz);
  const double pi = 1 - px - py - pz;
  if (pi < -1e-15) {
    throw ValueError("pauli: px + py + pz = " + number(px + py + pz) + " is outside [0, 1]");
  }
  return Channel::from_pauli_probabilities("pauli", 1, {std::max(0.0, pi), px, py, pz},
                                           {{"px", px}, {"py", py}, {"pz", pz}});
}

Channel amplitude_damping(double gamma) {
  check_probability("amplitude_damping", "gamma", gamma);
  return Channel("amplitude_damping", 1, {{1, 0, 0, std::sqrt(1 - gamma)}, {0, std::sqrt(gamma), 0, 0}},
                 {{"gamma", gamma}});
}

Channel generalized_amplitude_damping(double gamma, double excited_population) {
  check_probability("generalized_amplitude_damping", "gamma", gamma);
  check_probability("generalized_amplitude_damping", "p_exc", excited_population);
  const double a = std::sqrt(1 - excited_population), b = std::sqrt(excited_population);
  const double s = std::sqrt(1 - gamma), g = std::sqrt(gamma);
  return Channel("generalized_amplitude_damping", 1,
                 {{a, 0, 0, a * s}, {0, a * g, 0, 0}, {b * s, 0, 0, b}, {0, 0, b * g, 0}},
                 {{"gamma", gamma}, {"p_exc", excited_population}});
}

Channel phase_damping(double lambda) {
  check_probability("phase_damping", "lambda", lambda);
  return Channel("phase_damping", 1, {{1, 0, 0, std::sqrt(1 - lambda)}, {0, 0, 0, std::sqrt(lambda)}},
                 {{"lambda", lambda}});
}

Channel thermal_relaxation(double t1, double t2, double gate_time) {
  const std::string name = "thermal_relaxation";
  if (!(t1 > 0) || !std::isfinite(t1)) throw ValueError(name + ": T1 = " + number(t1) + " must be positive");
  if (!(t2 > 0) || !std::isfinite(t2)) throw ValueError(name + ": T2 = " + number(t2) + " must be positive");
  if (!(gate_time >= 0) || !std::isfinite(gate_time)) {
    throw ValueError(name + ": t = " + number(gate_time) + " must be >= 0");
  }
  if (t2 > 2 * t1) {
    throw ValueError(name + ": T2 = " + number(t2) + " exceeds 2*T1 = " + number(2 * t1) +
                     " (a qubit cannot dephase slower than twice its relaxation time)");
  }
  // Amplitude damping leaves the coherence at e^{−t/(2T1)}; phase damping supplies the rest, e^{−t/T2 + t/(2T1)} ≤ 1.
  const double gamma = -std::expm1(-gate_time / t1);
  const double lambda = std::clamp(-std::expm1(-2 * gate_time / t2 + gate_time / t1), 0.0, 1.0);
  const double s = std::sqrt(1 - gamma), g = std::sqrt(gamma), r = std::sqrt(1 - lambda), l = std::sqrt(lambda);
  // Products of phase damping (P0 = diag(1, r), P1 = diag(0, l)) after amplitude damping (A0 = diag(1, s), A1 = g|0⟩⟨1|);
  // P1·A1 = 0 is dropped.
  std::vector<std::vector<cplx>> k{{1, 0, 0, r * s}, {0, g, 0, 0}};
  if (lambda > 0) k.push_back({0, 0, 0, l * s});
  return Channel(name, 1, std::move(k), {{"T1", t1}, {"T2", t2}, {"t", gate_time}});
}

Channel kraus_channel(unsigned num_qubits, std::vector<std::vector<cplx>> kraus, std::string name) {
  return Channel(std::move(name), num_qubits, std::move(kraus));
}

}  // namespace qnn
