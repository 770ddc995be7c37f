#include "qnn/circuit/light_cone.hpp"

#include <algorithm>
#include <bit>
#include <string>

#include "qnn/core/error.hpp"

namespace qnn {

namespace {

index_t bit(unsigned q) { return index_t{1} << q; }  // a circuit has at most 63 qubits

index_t qubit_mask(const Operation& op) {
  index_t m = 0;
  for (unsigned q : op.qubits) m |= bit(q);
  for (unsigned q : op.controls) m |= bit(q);
  return m;
}

bool diagonal(const Operation& op) {
  if (op.kind != GateKind::Unitary) return op.info().has(kDiagonal);
  const std::vector<cplx>& m = *op.matrix;
  const std::size_t d = std::size_t{1} << op.qubits.size();
  for (std::size_t r = 0; r < d; ++r)
    for (std::size_t c = 0; c < d; ++c)
      if (r != c && m[r * d + c] != cplx{0, 0}) return false;
  return true;
}

// A Z string as a mask with a sign; the observables while every term is one.
struct ZTerm {
  double coeff;
  index_t z;
};

// Fold a gate that maps Z strings to Z strings into every term; false (nothing changed) for any other gate.
bool fold(const Operation& op, std::vector<std::vector<ZTerm>>& obs) {
  if (!op.controls.empty()) return false;
  switch (op.kind) {
    case GateKind::X:
    case GateKind::Y:  // X Z X = Y Z Y = −Z
      for (auto& terms : obs)
        for (ZTerm& t : terms)
          if (t.z & bit(op.qubits[0])) t.coeff = -t.coeff;
      return true;
    case GateKind::CX:
    case GateKind::CY: {  // CX† Z_t CX = Z_c Z_t; Z_c unchanged (CY the same: Y Z Y = −Z on the |1⟩ branch)
      const index_t c = bit(op.qubits[0]), t = bit(op.qubits[1]);
      for (auto& terms : obs)
        for (ZTerm& term : terms)
          if (term.z & t) term.z ^= c;
      return true;
    }
    case GateKind::SWAP: {
      const index_t a = bit(op.qubits[0]), b = bit(op.qubits[1]);
      for (auto& terms : obs)
        for (ZTerm& t : terms)
          if (((t.z & a) != 0) != ((t.z & b) != 0)) t.z ^= a | b;
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

LightCone light_cone(const Circuit& circuit, std::span<const PauliSum> observables) {
  const unsigned n = circuit.num_qubits();
  for (const PauliSum& o : observables) {
    if (o.min_qubits() > n) {
      throw ValueError("observable " + o.to_string() + " names qubit " + std::to_string(o.min_qubits() - 1) +
                       ": the circuit has " + std::to_string(n) + " qubits");
    }
  }
  const std::vector<Operation>& ops = circuit.ops();
  LightCone cone;
  cone.circuit = Circuit(n);
  // Observables as Z strings while the walk folds the tail; any term with X or Y skips that phase.
  bool all_z = true;
  std::vector<std::vector<ZTerm>> zobs(observables.size());
  index_t support = 0;
  for (std::size_t k = 0; k < observables.size(); ++k) {
    for (const PauliSum::Term& t : observables[k].terms()) {
      const PauliMasks m = t.string.masks();
      all_z = all_z && m.x == 0;
      zobs[k].push_back({t.coeff, m.z});
      support |= m.x | m.z;
    }
  }
  // Backward over the operations, keeping the set K of kept later ones. A gate g is dropped when it commutes with every
  // gate of K and with the observables (then prefix·g·K reads as prefix·K), folded when it commutes with K and maps
  // the Z strings to Z strings (prefix·g·K reads as prefix·K with O → g† O g), and kept otherwise.
  std::vector<bool> keep(ops.size(), false);
  index_t kept_mask = 0;     // qubits of K
  index_t nondiag_mask = 0;  // qubits of K's non-diagonal gates
  for (std::size_t i = ops.size(); i > 0; --i) {
    const Operation& op = ops[i - 1];
    const index_t q = qubit_mask(op);
    // Disjoint from K and from the observables.
    if ((q & (support | kept_mask)) == 0) continue;
    // Diagonal, where K is diagonal too and the observables are Z strings.
    if (all_z && (q & nondiag_mask) == 0 && diagonal(op)) continue;
    if (all_z && (q & kept_mask) == 0 && fold(op, zobs)) {
      ++cone.folded;
      support = 0;
      for (const auto& terms : zobs)
        for (const ZTerm& t : terms) support |= t.z;
      continue;
    }
    keep[i - 1] = true;
    kept_mask |= q;
    if (!diagonal(op)) nondiag_mask |= q;
  }

  std::vector<bool> used(circuit.num_theta(), false), reached(circuit.num_theta(), false);
  for (std::size_t j = 0; j < ops.size(); ++j) {
    for (const Expr& e : ops[j].params)
      for (unsigned t : e.theta_indices()) (keep[j] ? reached : used)[t] = true;
    if (!keep[j]) continue;
    cone.circuit.append(ops[j]);
    cone.kept.push_back(j);
  }
  cone.circuit.declare_parameters(circuit.num_theta(), circuit.num_inputs());
  for (unsigned t = 0; t < circuit.num_theta(); ++t)
    if (used[t] && !reached[t]) cone.idle_weights.push_back(t);

  if (!all_z || cone.folded == 0) {
    cone.observables.assign(observables.begin(), observables.end());
    return cone;
  }
  for (const auto& terms : zobs) {
    PauliSum o;
    for (const ZTerm& t : terms) {
      PauliString s;
      for (index_t z = t.z; z != 0; z &= z - 1) s = s * Z(static_cast<unsigned>(std::countr_zero(z)));
      o.add(t.coeff, s);
    }
    cone.observables.push_back(std::move(o));
  }
  return cone;
}

}  // namespace qnn
