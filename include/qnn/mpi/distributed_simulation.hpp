#pragma once
// Circuits, observables and adjoint gradients on a DistributedStateVector: the same mathematics as qnn/exec/simulate
// and qnn/diff/adjoint, one operation at a time (no fusion: a fused block would mix local and global qubits), with
// every sum reduced over ranks in rank order. Every function is collective.
#include <span>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/pauli.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/mpi/distributed_state_vector.hpp"

namespace qnn::mpi {

/// Throws ValueError (on every rank) when the circuit cannot run on `ranks` ranks: the rank count is not a power of
/// two, exceeds the amplitudes, or leaves fewer local qubits than an operation has targets.
void check_distributable(const Circuit& c, int ranks);

/// ψ ← U(θ, x) ψ.
template <Real T>
void run(const Circuit& c, DistributedStateVector<T>& psi, std::span<const double> theta = {},
         std::span<const double> x = {});

/// U(θ, x)|0…0⟩ over the ranks of MPI_COMM_WORLD.
template <Real T>
DistributedStateVector<T> simulate_distributed(const Circuit& c, std::span<const double> theta = {},
                                               std::span<const double> x = {}) {
  check_distributable(c, mpi::size());
  DistributedStateVector<T> psi(c.num_qubits());
  run(c, psi, theta, x);
  return psi;
}

/// ⟨ψ|O|ψ⟩ (the same bits on every rank).
template <Real T>
double expectation(const DistributedStateVector<T>& psi, const PauliSum& obs);

/// out ← O ψ.
template <Real T>
void apply_observable(const DistributedStateVector<T>& psi, const PauliSum& obs, DistributedStateVector<T>& out);

/// ⟨O⟩ of U(θ, x)|0…0⟩ and its gradient by the adjoint method, with φ and λ both distributed.
template <Real T>
Gradient distributed_adjoint_gradient(const Circuit& c, const PauliSum& obs, std::span<const double> theta,
                          std::span<const double> x = {}, DiffWrt wrt = {});

}  // namespace qnn::mpi
