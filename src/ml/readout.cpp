#include "qnn/ml/readout.hpp"

#include <bit>

#include "qnn/core/error.hpp"

namespace qnn {

ReadoutKind parse_readout(std::string_view name) {
  if (name == "z" || name == "z-per-class") return ReadoutKind::ZPerClass;
  if (name == "z-all") return ReadoutKind::ZAll;
  if (name == "pauli") return ReadoutKind::Pauli;
  if (name == "probabilities" || name == "probs") return ReadoutKind::Probabilities;
  if (name == "parity") return ReadoutKind::Parity;
  throw ValueError("unknown readout '" + std::string(name) +
                   "' (known: z-per-class, z-all, probabilities, parity, or Pauli sums such as \"Z0 Z1; X2\")");
}

std::string readout_name(ReadoutKind kind) {
  switch (kind) {
    case ReadoutKind::ZPerClass: return "z-per-class";
    case ReadoutKind::Pauli: return "pauli";
    case ReadoutKind::Probabilities: return "probabilities";
    case ReadoutKind::Parity: return "parity";
    case ReadoutKind::ZAll: return "z-all";
  }
  return "?";
}

unsigned readout_qubits_needed(ReadoutKind kind, unsigned classes) {
  switch (kind) {
    case ReadoutKind::ZPerClass: return classes;
    case ReadoutKind::Probabilities: return std::max(1U, static_cast<unsigned>(std::bit_width(classes - 1U)));
    case ReadoutKind::Parity:
    case ReadoutKind::ZAll: return 1;
    case ReadoutKind::Pauli: return 0;
  }
  return 0;
}

PauliSum basis_projector(std::span<const unsigned> qubits, std::uint64_t k) {
  // Π_j (I + s_j Z_j)/2 with s_j = (−1)^{k_j} expands to 2^−m Σ_S (Π_{j∈S} s_j) Z_S over subsets S of the qubits.
  const std::size_t m = qubits.size();
  PauliSum p;
  const double norm = 1.0 / double(std::uint64_t{1} << m);
  for (std::uint64_t s = 0; s < (std::uint64_t{1} << m); ++s) {
    PauliString z;
    double sign = 1;
    for (std::size_t j = 0; j < m; ++j) {
      if (((s >> j) & 1U) == 0) continue;
      z = z * Z(qubits[j]);
      if ((k >> j) & 1U) sign = -sign;
    }
    p.add(sign * norm, z);
  }
  return p;
}

std::vector<PauliSum> readout_observables(ReadoutKind kind, unsigned classes, std::span<const unsigned> qubits,
                                          unsigned num_qubits, const std::vector<std::string>& pauli) {
  const unsigned need = readout_qubits_needed(kind, classes);
  if (qubits.size() < need) {
    if (kind == ReadoutKind::ZPerClass) {
      throw ValueError("reading one qubit per class needs at least " + std::to_string(need) + " qubits, got " +
                       std::to_string(qubits.size()));
    }
    throw ValueError("the " + readout_name(kind) + " readout of " + std::to_string(classes) + " classes needs " +
                     std::to_string(need) + " readout qubits, got " + std::to_string(qubits.size()));
  }
  std::vector<PauliSum> obs;
  switch (kind) {
    case ReadoutKind::ZPerClass:
      for (unsigned k = 0; k < classes; ++k) obs.emplace_back(Z(qubits[k]));
      break;
    case ReadoutKind::ZAll:
      for (unsigned q : qubits) obs.emplace_back(Z(q));
      break;
    case ReadoutKind::Probabilities:
      for (unsigned k = 0; k < classes; ++k) obs.push_back(basis_projector(qubits.first(need), k));
      break;
    case ReadoutKind::Parity: {
      if (classes != 2) throw ValueError("the parity readout is for 2 classes, got " + std::to_string(classes));
      PauliString zz;
      for (unsigned q : qubits) zz = zz * Z(q);
      obs.push_back(0.5 * PauliString() + 0.5 * zz);
      obs.push_back(0.5 * PauliString() + (-0.5) * zz);
      break;
    }
    case ReadoutKind::Pauli:
      if (pauli.empty()) throw ValueError("the pauli readout needs at least one Pauli sum, e.g. \"Z0 Z1\"");
      for (const std::string& text : pauli) {
        PauliSum p = parse_pauli_sum(text);
        if (p.min_qubits() > num_qubits) {
          throw ValueError("readout '" + text + "' acts on qubit " + std::to_string(p.min_qubits() - 1) +
                           " but the circuit has " + std::to_string(num_qubits) + " qubits (0 to " +
                           std::to_string(num_qubits - 1) + ")");
        }
        obs.push_back(std::move(p));
      }
      break;
  }
  return obs;
}

}  // namespace qnn
