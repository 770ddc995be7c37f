#pragma once
// The light cone of a circuit's observables: the operations that can change ⟨ψ|O_k|ψ⟩, with the observables carried
// back through a tail of the circuit that only permutes and phases basis states.
//
// A strongly entangling classifier read out in Z ends with a layer of RZ gates and a ring of CNOTs that change no
// expectation it reads: a diagonal gate commutes with every Z string, and a CNOT maps one Z string to another
// (Z_t → Z_c Z_t). light_cone walks back from the end with the set K of gates kept so far (those after the current
// one) and drops a gate g that commutes with K and with the observables (then prefix·g·K reads as prefix·K):
//   - g on qubits that neither K nor the observables touch (the light cone), whatever g is;
//   - g diagonal, where every gate of K on g's qubits is diagonal and the observables are sums of Z strings.
// While the observables are sums of Z strings, a gate on qubits K does not touch that maps Z strings to Z strings (X
// and Y: a sign; CX and CY: Z_t → Z_c Z_t; SWAP: the qubits exchanged; none with extra controls) is folded into them
// (O → g† O g) and dropped too. Every other gate is kept.
//
// ⟨O'_k⟩ on the cone's circuit equals ⟨O_k⟩ on the original for every weight and input, exactly in exact arithmetic
// (the cone applies a subset of the same gates), and each O'_k has the same spectrum, so shots of O'_k on the cone are
// distributed as shots of O_k on the original. A weight used only by dropped gates has a gradient of exactly 0.
// Noise breaks this (a channel before a dropped CNOT is not moved through it), so noisy simulation takes the circuit
// as written.
#include <span>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/pauli.hpp"

namespace qnn {

struct LightCone {
  /// The kept operations, in their order, with the original's weight and input layout (same num_theta, num_inputs).
  Circuit circuit{1};
  /// O'_k: O_k carried back through the folded gates (⟨O'_k⟩ on `circuit` = ⟨O_k⟩ on the original).
  std::vector<PauliSum> observables;
  /// Index in the original circuit of each kept operation.
  std::vector<std::size_t> kept;
  /// Gates of the tail folded into the observables (X, Y, CX, CY, SWAP).
  std::size_t folded = 0;
  /// Weights the original's operations use but no kept operation does: their gradient is exactly 0.
  std::vector<unsigned> idle_weights;

  [[nodiscard]] std::size_t dropped(const Circuit& original) const { return original.size() - kept.size(); }
};

/// The operations of `circuit` that can change any ⟨O_k⟩, and the O'_k to read after them. Observables on qubits the
/// circuit lacks throw ValueError.
LightCone light_cone(const Circuit& circuit, std::span<const PauliSum> observables);

}  // namespace qnn
