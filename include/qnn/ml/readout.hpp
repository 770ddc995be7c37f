#pragma once
// What a classifier measures at the end of its circuit: R observables whose expectations (exact, or estimated from
// shots) feed the classical head. Every readout is a list of Pauli sums, so one adjoint sweep differentiates all of
// them (qnn/diff/batched_adjoint.hpp), and shots estimate them as hardware would (qnn/exec/shots.hpp).
//
//   readout        observables                                                        R
//   z-per-class    Z on the k-th readout qubit for class k                            classes
//   z-all          Z on every readout qubit (for a head: R = readout qubits)          readout qubits
//   pauli          the user's Pauli sums, e.g. "Z0 Z1" and "X2"                       as given
//   probabilities  the projector |k⟩⟨k| on the first m = ⌈log₂ C⌉ readout qubits      classes
//                  (a marginal: P(k) = Σ over the other qubits), as Π_j (I + (−1)^{k_j} Z_j)/2
//   parity         P(even) = (I + Z…Z)/2 and P(odd) = (I − Z…Z)/2 over the readout     2
//                  qubits (2 classes)
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qnn/circuit/pauli.hpp"

namespace qnn {

enum class ReadoutKind : std::uint8_t { ZPerClass, Pauli, Probabilities, Parity, ZAll };

/// "z" (or "z-per-class") | "z-all" | "pauli" | "probabilities" (or "probs") | "parity"; ValueError listing them otherwise.
ReadoutKind parse_readout(std::string_view name);
std::string readout_name(ReadoutKind kind);

/// How many readout qubits the kind needs for `classes` classes (0 for pauli, whose sums name their qubits).
unsigned readout_qubits_needed(ReadoutKind kind, unsigned classes);

/// The observables of a readout. `qubits` are the readout qubits in order (all qubits for most ansätze; the qubits a
/// QCNN or tree leaves), `num_qubits` the register size, `pauli` the sums of ReadoutKind::Pauli. ValueError when
/// there are too few readout qubits, parity is asked for other than 2 classes, or a Pauli sum names a qubit outside
/// the register (ParseError for malformed Pauli text).
std::vector<PauliSum> readout_observables(ReadoutKind kind, unsigned classes, std::span<const unsigned> qubits,
                                          unsigned num_qubits, const std::vector<std::string>& pauli = {});

/// |k⟩⟨k| on `qubits` (bit j of k is the state of qubits[j]) as 2^m Pauli-Z terms.
PauliSum basis_projector(std::span<const unsigned> qubits, std::uint64_t k);

}  // namespace qnn
