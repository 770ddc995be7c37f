#pragma once
// Observables as arguments: one (a PauliSum, a PauliString or a string such as "Z0 Z1") or a sequence of them.
#include <vector>

#include <pybind11/pybind11.h>

#include "qnn/circuit/pauli.hpp"

namespace qnn::python {

/// The observables in `obj`, each checked to act only on qubits < num_qubits (ValueError otherwise); `single` is set
/// when `obj` was one observable rather than a sequence.
std::vector<PauliSum> observables_of(const pybind11::handle& obj, unsigned num_qubits, bool* single = nullptr);

}  // namespace qnn::python
