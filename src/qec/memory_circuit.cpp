#include "qnn/qec/memory_circuit.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>
#include <vector>

#include "qnn/core/error.hpp"

namespace qnn::qec {

NoiseModel parse_noise_model(std::string_view name) {
  if (name == "none") return NoiseModel::None;
  if (name == "code-capacity") return NoiseModel::CodeCapacity;
  if (name == "phenomenological") return NoiseModel::Phenomenological;
  if (name == "circuit") return NoiseModel::CircuitLevel;
  throw ValueError("unknown noise model '" + std::string(name) +
                   "' (known: none, code-capacity, phenomenological, circuit)");
}

std::string_view noise_model_name(NoiseModel m) {
  switch (m) {
    case NoiseModel::None: return "none";
    case NoiseModel::CodeCapacity: return "code-capacity";
    case NoiseModel::Phenomenological: return "phenomenological";
    case NoiseModel::CircuitLevel: return "circuit";
  }
  return "?";
}

namespace {

using Targets = std::vector<std::uint32_t>;

class MemoryBuilder {
 public:
  MemoryBuilder(const CssCode& code, const MemoryOptions& o) : code_(code), o_(o) {
    const auto nz = static_cast<std::uint32_t>(code.z_stabilizers.size());
    const auto nx = static_cast<std::uint32_t>(code.x_stabilizers.size());
    n_ = code.num_data + nz + nx;
    for (std::uint32_t q = 0; q < code.num_data; ++q) data_.push_back(q);
    for (std::uint32_t k = 0; k < nz; ++k) z_anc_.push_back(code.num_data + k);
    for (std::uint32_t k = 0; k < nx; ++k) x_anc_.push_back(code.num_data + nz + k);
    anc_ = z_anc_;
    anc_.insert(anc_.end(), x_anc_.begin(), x_anc_.end());
    layers_ = cnot_layers();
  }

  CliffordCircuit build() {
    const bool zb = o_.basis == Basis::Z;
    const double p = o_.p;
    const bool circuit_noise = o_.noise == NoiseModel::CircuitLevel && p > 0;
    c_.append(zb ? OpCode::R : OpCode::RX, data_);
    if (circuit_noise) c_.append(zb ? OpCode::X_ERROR : OpCode::Z_ERROR, data_, {p});
    c_.tick();

    const auto& checks = zb ? code_.z_stabilizers : code_.x_stabilizers;
    const std::size_t first_check = zb ? 0 : z_anc_.size();  // offset of these checks in anc_ (= in each round's record)
    std::vector<std::uint64_t> previous;  // measurement index of each check in the last round
    for (unsigned r = 0; r < o_.rounds; ++r) {
      const bool data_noise = (o_.noise == NoiseModel::CodeCapacity && r == 0) || o_.noise == NoiseModel::Phenomenological;
      if (data_noise && p > 0) {
        c_.append(OpCode::X_ERROR, data_, {p});
        c_.append(OpCode::Z_ERROR, data_, {p});
      }
      const std::uint64_t base = round(r == 0);
      std::vector<std::uint64_t> current;
      for (std::size_t k = 0; k < checks.size(); ++k) {
        current.push_back(base + first_check + k);
        std::vector<std::uint64_t> parity = {current.back()};
        if (r > 0) parity.push_back(previous[k]);
        c_.detector(parity, {checks[k].coords[0], checks[k].coords[1], static_cast<double>(r)});
      }
      previous = std::move(current);
    }

    if (circuit_noise) c_.append(zb ? OpCode::X_ERROR : OpCode::Z_ERROR, data_, {p});
    const std::uint64_t data_base = c_.num_measurements();
    c_.append(zb ? OpCode::M : OpCode::MX, data_);
    for (std::size_t k = 0; k < checks.size(); ++k) {
      std::vector<std::uint64_t> parity;
      for (std::int32_t q : checks[k].qubits)
        if (q != Stabilizer::kIdle) parity.push_back(data_base + static_cast<std::uint64_t>(q));
      if (o_.rounds > 0) parity.push_back(previous[k]);
      c_.detector(parity, {checks[k].coords[0], checks[k].coords[1], static_cast<double>(o_.rounds)});
    }
    std::vector<std::uint64_t> logical;
    for (std::uint32_t q : zb ? code_.logical_z : code_.logical_x) logical.push_back(data_base + q);
    c_.observable(0, logical);
    return std::move(c_);
  }

 private:
  // One round of syndrome extraction; returns the measurement index of its first ancilla result. A round's ancilla
  // reset shares its time step with the previous round's measurement (measure-and-reset), so the data qubits idle
  // through it only once, except before the first round.
  std::uint64_t round(bool first) {
    const double p = o_.p;
    const bool noisy = o_.noise == NoiseModel::CircuitLevel && p > 0;
    c_.append(OpCode::R, anc_);
    if (noisy) {
      c_.append(OpCode::X_ERROR, anc_, {p});
      if (first) c_.append(OpCode::DEPOLARIZE1, data_, {p});
    }
    c_.tick();
    if (!x_anc_.empty()) hadamard_layer(noisy);
    for (const auto& layer : layers_) {
      c_.append(OpCode::CX, layer);
      if (noisy) {
        c_.append(OpCode::DEPOLARIZE2, layer, {p});
        idle(layer);
      }
      c_.tick();
    }
    if (!x_anc_.empty()) hadamard_layer(noisy);
    if (noisy || (o_.noise == NoiseModel::Phenomenological && p > 0)) c_.append(OpCode::X_ERROR, anc_, {p});
    const std::uint64_t base = c_.num_measurements();
    c_.append(OpCode::M, anc_);
    if (noisy) c_.append(OpCode::DEPOLARIZE1, data_, {p});
    c_.tick();
    return base;
  }

  void hadamard_layer(bool noisy) {
    c_.append(OpCode::H, x_anc_);
    if (noisy) {
      c_.append(OpCode::DEPOLARIZE1, x_anc_, {o_.p});
      idle(x_anc_);
    }
    c_.tick();
  }

  // DEPOLARIZE1 on every qubit the layer leaves alone.
  void idle(const Targets& busy) {
    std::vector<bool> used(n_, false);
    for (auto q : busy) used[q] = true;
    Targets rest;
    for (std::uint32_t q = 0; q < n_; ++q)
      if (!used[q]) rest.push_back(q);
    if (!rest.empty()) c_.append(OpCode::DEPOLARIZE1, rest, {o_.p});
  }

  // CX pairs (control, target) per layer: Z checks copy data parity onto their ancilla (CX data→ancilla), X checks
  // spread the ancilla's |+⟩ onto the data (CX ancilla→data).
  std::vector<Targets> cnot_layers() const {
    std::vector<Targets> layers;
    auto pair = [](const Stabilizer& s, std::uint32_t anc, bool x_type, std::size_t step) {
      const auto d = static_cast<std::uint32_t>(s.qubits[step]);
      return x_type ? std::pair{anc, d} : std::pair{d, anc};
    };
    if (code_.interleaved) {
      std::size_t steps = 0;
      for (const auto* list : {&code_.z_stabilizers, &code_.x_stabilizers})
        for (const auto& s : *list) steps = std::max(steps, s.qubits.size());
      layers.resize(steps);
      for (std::size_t k = 0; k < steps; ++k)
        for (int type = 0; type < 2; ++type) {
          const auto& list = type ? code_.x_stabilizers : code_.z_stabilizers;
          const auto& anc = type ? x_anc_ : z_anc_;
          for (std::size_t i = 0; i < list.size(); ++i)
            if (k < list[i].qubits.size() && list[i].qubits[k] != Stabilizer::kIdle) {
              const auto [a, b] = pair(list[i], anc[i], type == 1, k);
              layers[k].push_back(a);
              layers[k].push_back(b);
            }
        }
      return layers;
    }
    // Z checks first, then X checks (within one type every order commutes); each CX goes to the first layer after
    // the last one that used either of its qubits.
    std::vector<std::size_t> free_from(n_, 0);
    std::size_t type_start = 0;
    for (int type = 0; type < 2; ++type) {
      const auto& list = type ? code_.x_stabilizers : code_.z_stabilizers;
      const auto& anc = type ? x_anc_ : z_anc_;
      for (std::size_t i = 0; i < list.size(); ++i)
        for (std::size_t k = 0; k < list[i].qubits.size(); ++k) {
          if (list[i].qubits[k] == Stabilizer::kIdle) continue;
          const auto [a, b] = pair(list[i], anc[i], type == 1, k);
          const std::size_t layer = std::max({free_from[a], free_from[b], type_start});
          if (layers.size() <= layer) layers.resize(layer + 1);
          layers[layer].push_back(a);
          layers[layer].push_back(b);
          free_from[a] = free_from[b] = layer + 1;
        }
      type_start = layers.size();
    }
    return layers;
  }

  const CssCode& code_;
  MemoryOptions o_;
  std::uint32_t n_ = 0;
  Targets data_, z_anc_, x_anc_, anc_;
  std::vector<Targets> layers_;
  CliffordCircuit c_;
};

}  // namespace

CliffordCircuit memory_circuit(const CssCode& code, const MemoryOptions& options) {
  if (options.rounds == 0) throw ValueError("a memory experiment needs at least 1 round, got 0");
  if (!(options.p >= 0.0 && options.p <= 1.0)) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%g", options.p);
    throw ValueError(std::string("physical error rate p = ") + buf + " is outside [0, 1]");
  }
  return MemoryBuilder(code, options).build();
}

}  // namespace qnn::qec
