#pragma once
// Running one circuit on a batch of samples at once: shared weights θ, per-sample inputs x_b. Gates whose angles do
// not read x get one matrix for the whole batch; encoding gates get one matrix per sample.
#include <span>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/pauli.hpp"
#include "qnn/sim/batched_state.hpp"

namespace qnn {

/// Inputs of a batch: sample b's features are data[b·num_features … (b+1)·num_features).
struct BatchInputs {
  std::span<const double> data;
  std::size_t num_features = 0;
};

/// Bound angles of a batch: for each operation, either one set of angles (shared) or one per sample.
struct BatchAngles {
  std::vector<bool> per_sample;          // per operation
  std::vector<std::size_t> offset;       // per operation: start in `values`
  std::vector<double> values;            // shared: np values; per-sample: B·np values (sample-major)
};

/// Validates θ and x (sizes, finite values) and evaluates every angle.
BatchAngles bind_batch_angles(const Circuit& c, std::span<const double> theta, const BatchInputs& x, unsigned batch);

/// Apply operation k (or its inverse) to the batch.
template <Real T>
void apply_operation_batched(BatchedStateVector<T>& psi, const Circuit& c, std::size_t k, const BatchAngles& angles,
                             bool inverse = false);

/// Op k's matrices for a batch (their inverses if asked), row-major into `out`: one matrix for every sample where
/// its angles are shared (returns false), else B of them, sample b's at b·dim² (returns true). Targets only: the
/// controls are the op's.
bool batched_operation_matrices(const Circuit& c, std::size_t k, const BatchAngles& angles, unsigned batch,
                                bool inverse, std::vector<cplx>& out);

/// Operations k and then j in one pass over the batch, where both are real 1-qubit gates without controls on
/// different qubits (RY, shared or per sample: a layer of angle encodings, an ansatz's RY half); false, and nothing
/// done, otherwise or on the Reference ISA (which keeps one pass per gate, for the tests to compare).
template <Real T>
bool apply_pair_batched(BatchedStateVector<T>& psi, const Circuit& c, std::size_t k, std::size_t j,
                        const BatchAngles& angles);

/// Whether a product state stays one under the operation: a gate on one qubit without controls.
bool product_gate(const Operation& op);

/// What set_product_state_batched computed, for the gradients of the prefix (batched_adjoint.cpp): the one-qubit
/// state of op prefix[t]'s qubit just before it, and every qubit's at the end, as real and imaginary parts, component
/// s of sample b at [(2t + s)·B + b] and [(2q + s)·B + b].
struct ProductTrace {
  std::vector<double> before_re, before_im;  // prefix.size() × 2 × B
  std::vector<double> final_re, final_im;    // n × 2 × B
};

/// ψ_b ← (the ops at `prefix`, in that order) |0…0⟩ for every sample, whatever ψ held: each a product_gate, so the
/// result is the product state ⊗_q (U_q,b |0⟩), written in one pass (kernels::batched_product_state) where applying
/// the gates to |0…0⟩ would take a pass per gate or pair (a layer of angle encodings and a layer of rotations: ten
/// passes on 8 qubits). An empty prefix writes |0…0⟩. With `trace`, it also records the one-qubit states (ProductTrace).
template <Real T>
void set_product_state_batched(BatchedStateVector<T>& psi, const Circuit& c, std::span<const std::size_t> prefix,
                               const BatchAngles& angles, ProductTrace* trace = nullptr);

/// ψ_b ← U(θ, x_b) ψ_b for every sample.
template <Real T>
void run_batched(const Circuit& c, BatchedStateVector<T>& psi, std::span<const double> theta, const BatchInputs& x);

/// out[b] = ⟨ψ_b|O|ψ_b⟩.
template <Real T>
void expectation_batched(const BatchedStateVector<T>& psi, const PauliSum& obs, std::span<double> out);

}  // namespace qnn
