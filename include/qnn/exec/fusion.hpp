#pragma once
// Gate fusion (qsim's habit): merge runs of gates into dense blocks of at most k qubits, so a large, memory-bound
// state is streamed once per block instead of once per gate.
//
//   const std::vector<double> angles = bind_angles(c, theta, x);
//   const std::vector<FusedGate> blocks = fuse(c, angles, default_fusion_qubits(c.num_qubits()));
//   run_fused(blocks, psi);   // same state as run(c, psi, theta, x) to rounding
//
// Fusion works on numbers: the circuit's angles must already be bound, so a circuit is fused once per (θ, x).
#include <span>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/sim/state_vector.hpp"

namespace qnn {

/// One gate of a fused circuit: a dense matrix on `targets`, controlled on `controls` (all must be |1⟩).
struct FusedGate {
  /// The block's qubits (ascending for fused blocks; as the operation lists them for a gate too big to fuse).
  std::vector<unsigned> targets;
  /// Row-major 2^k × 2^k on the k targets, little-endian: bit j of a row index is the state of targets[j].
  std::vector<cplx> matrix;
  /// Controls kept as controls: only a gate with more qubits (controls included) than the block limit has any.
  std::vector<unsigned> controls;
  /// Every off-diagonal entry is exactly 0 (the kernels find this from the matrix too and take the diagonal sweep).
  bool diagonal = false;
};

/// The largest block fuse() builds (a 2^10 × 2^10 matrix is 16 MiB); a larger max_qubits is treated as this.
inline constexpr unsigned kMaxFusionQubits = 10;

/// Fuse `c` at bound angles (`angles` = bind_angles(c, θ, x), flattened in operation order) into blocks of at most
/// `max_qubits` qubits. A controlled gate joins a block as the larger matrix it is (controls included); a gate with
/// more qubits than `max_qubits` is emitted on its own with its controls kept. The product of the returned gates, in
/// order, is the circuit's unitary (to rounding), and there are never more of them than operations. max_qubits = 0
/// turns every operation into a FusedGate of its own.
std::vector<FusedGate> fuse(const Circuit& c, std::span<const double> angles, unsigned max_qubits);

/// The block size run() uses for an n-qubit state: 0 where fusion does not pay (small states, where a gate's cost is
/// its overhead rather than memory traffic), else the k measured fastest (see fusion.cpp).
unsigned default_fusion_qubits(unsigned num_qubits);

/// Apply fused gates in order.
template <Real T>
void run_fused(const std::vector<FusedGate>& gates, StateVector<T>& psi);

}  // namespace qnn
