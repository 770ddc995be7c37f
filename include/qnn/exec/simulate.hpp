#pragma once
// Running circuits on state vectors: bind angles from (θ, x), apply each operation, read observables.
#include <span>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/pauli.hpp"
#include "qnn/sim/state_vector.hpp"

namespace qnn {

/// Every operation's angles at (θ, x), flattened in operation order. Throws ValueError if θ or x is shorter than the
/// circuit needs or holds a NaN/Inf, or if an angle evaluates to a non-finite number.
std::vector<double> bind_angles(const Circuit& c, std::span<const double> theta, std::span<const double> x);

/// Apply one operation (or its inverse) at the given angles.
template <Real T>
void apply_operation(StateVector<T>& psi, const Operation& op, std::span<const double> angles, bool inverse = false);

/// How run() applies a circuit.
struct RunOptions {
  /// fusion_qubits: pick the block size from the state's size (default_fusion_qubits in qnn/exec/fusion.hpp).
  static constexpr unsigned kAuto = ~0U;
  /// Gate fusion block size: kAuto, 0 for none (one pass per operation), or k ≥ 1 to fuse into blocks of ≤ k qubits.
  unsigned fusion_qubits = kAuto;
};

/// ψ ← U(θ, x) ψ. Large states are run gate-fused (the result equals per-operation application to rounding).
template <Real T>
void run(const Circuit& c, StateVector<T>& psi, std::span<const double> theta = {}, std::span<const double> x = {});
/// As above with explicit options (e.g. {.fusion_qubits = 0} to apply one operation at a time).
template <Real T>
void run(const Circuit& c, StateVector<T>& psi, std::span<const double> theta, std::span<const double> x,
         const RunOptions& options);

/// U(θ, x)|0…0⟩.
template <Real T = double>
StateVector<T> simulate(const Circuit& c, std::span<const double> theta = {}, std::span<const double> x = {}) {
  StateVector<T> psi(c.num_qubits());
  run(c, psi, theta, x);
  return psi;
}

/// ⟨ψ|O|ψ⟩ for a weighted sum of Pauli strings.
template <Real T>
double expectation(const StateVector<T>& psi, const PauliSum& obs);

/// out ← O ψ (out must have ψ's size).
template <Real T>
void apply_observable(const StateVector<T>& psi, const PauliSum& obs, StateVector<T>& out);

/// ⟨O⟩ of U(θ, x)|0…0⟩.
template <Real T = double>
double expval(const Circuit& c, const PauliSum& obs, std::span<const double> theta = {},
              std::span<const double> x = {}) {
  return expectation(simulate<T>(c, theta, x), obs);
}

}  // namespace qnn
