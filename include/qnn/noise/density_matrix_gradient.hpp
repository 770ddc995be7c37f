#pragma once
// Reverse-mode (adjoint) differentiation through a noisy circuit on the density matrix.
//
// The noisy circuit is a chain of linear maps ρ_k = Φ_k(ρ_{k−1}) (gates ρ → UρU†, channels ρ → Σ_i K_i ρ K_i†) and
// f = Tr(O ρ_N). With the Heisenberg-picture adjoints Φ†(λ) = Σ_i K_i† λ K_i (U†λU for a gate), set
// λ_N = O and λ_{k−1} = Φ_k†(λ_k); then for a parameter p of gate k, with D = (∂U/∂p) U†,
//
//   ∂f/∂p = Tr(λ_k ∂ρ_k/∂p) = Tr(λ_k (D ρ_k + ρ_k D†)) = 2 Re Tr(λ_k D ρ_k)
//
// (λ and ρ Hermitian). vec(λ) and vec(ρ) are 2n-qubit vectors, Tr(λ D ρ) = ⟨vec λ| D ⊗ I |vec ρ⟩ is a state-vector
// matrix element on the ket qubits, and a controlled gate's D is its target block restricted to controls = 1. The sweep
// walks back with two density matrices, as the state-vector adjoint walks with two states: ρ is un-computed through
// gates (ρ_{k−1} = U†ρ_kU); channels are not invertible in general, so the forward pass keeps a copy of ρ before each
// channel (memory: one 4^n matrix per channel step). The superoperator of Φ† is S† (S = Σ K ⊗ conj K).
//
// At zero noise this equals the state-vector adjoint gradient; the tests check it against parameter shifts on the
// density matrix and finite differences.
#include <memory>
#include <span>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/pauli.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/diff/batched_adjoint.hpp"
#include "qnn/noise/noise_model.hpp"
#include "qnn/sim/density_matrix.hpp"

namespace qnn {

/// A forward pass of a noisy circuit kept for one backward sweep.
template <Real T>
class NoisyTape {
 public:
  /// Runs the noisy circuit on |0…0⟩⟨0…0| at (θ, x), keeping what the backward sweep needs (nothing with
  /// differentiable = false: then only state() and expectation() may be used).
  NoisyTape(const Circuit& c, const NoiseModel& model, std::span<const double> theta, std::span<const double> x,
            bool differentiable = true);
  NoisyTape(const NoisyTape&) = delete;
  NoisyTape& operator=(const NoisyTape&) = delete;
  NoisyTape(NoisyTape&&) noexcept = default;
  ~NoisyTape();

  /// The output state ρ_N.
  [[nodiscard]] const DensityMatrix<T>& state() const { return rho_; }
  /// Tr(ρ_N O).
  [[nodiscard]] double expectation(const PauliSum& obs) const;
  /// Adds ∂/∂θ and ∂/∂x of Σ_k w_k Tr(ρ_N O_k) to dtheta and dx (empty spans skip them). Runs once: it consumes the
  /// kept state (a second call throws ValueError).
  void backward(std::span<const PauliSum> observables, std::span<const double> weights, const DiffWrt& wrt,
                std::span<double> dtheta, std::span<double> dx);

 private:
  struct Kept;
  Circuit circuit_;  // a copy: the tape may outlive a temporary (folded) circuit
  std::vector<double> theta_, x_, angles_;
  DensityMatrix<T> rho_;
  std::unique_ptr<Kept> kept_;
};

/// NoisyTape for a batch of samples (shared θ, inputs x_b): the samples' vec(ρ_b) are one batched state of 2n qubits
/// (qnn/sim/batched_state.hpp: amplitude-major, sample-minor), so that each gate and channel is one pass over the
/// whole batch instead of one small pass per sample. The same values and gradients as one NoisyTape per sample.
template <Real T>
class BatchedNoisyTape {
 public:
  BatchedNoisyTape(const Circuit& c, const NoiseModel& model, std::span<const double> theta, const BatchInputs& x,
                   unsigned batch, bool differentiable = true);
  BatchedNoisyTape(const BatchedNoisyTape&) = delete;
  BatchedNoisyTape& operator=(const BatchedNoisyTape&) = delete;
  ~BatchedNoisyTape();

  /// Up to this many vectorised qubits (2n, so n ≤ 5) the samples share one batched state; beyond, each sample gets
  /// its own NoisyTape: vec(ρ) alone fills the vector kernels there, and batching would multiply the copies of ρ kept
  /// for the backward sweep by B. `qnn train --noise depolarizing:0.01 --epochs 10`, 1 thread, per-sample tapes
  /// against batched: 4 qubits 0.29-0.30 s against 0.15, 5 qubits 1.67-1.72 against 1.05-1.11, 6 qubits 3.5-4.1
  /// against 3.9-5.1.
  static constexpr unsigned kMaxBatchedQubits = 10;
  /// Samples per tape for callers that cut a batch into fixed chunks (fixed, so that results do not depend on the
  /// thread count): 32 where the samples share a batched state (as the trainer's chunks; default Iris training under
  /// depolarizing:0.01 took 0.77-1.15 s on one thread in chunks of 8, 0.60 in chunks of 32), else 1 (one sample per
  /// parallel task).
  static std::size_t chunk_size(unsigned num_qubits) { return 2 * num_qubits <= kMaxBatchedQubits ? 32 : 1; }
  [[nodiscard]] unsigned batch() const { return batch_; }
  /// out[b] = Tr(ρ_b O).
  void expectation(const PauliSum& obs, std::span<double> out) const;
  /// Adds ∂/∂θ of Σ_b Σ_k w_bk Tr(ρ_b O_k) to dtheta (each angle's samples summed in sample order) and ∂/∂x_b to
  /// dx[b·F …] (B × F); weights are B × K. Empty spans skip them. Runs once, as NoisyTape::backward.
  void backward(std::span<const PauliSum> observables, std::span<const double> weights, const DiffWrt& wrt,
                std::span<double> dtheta, std::span<double> dx);

 private:
  struct Kept;
  Circuit circuit_;
  std::vector<double> theta_, x_;
  unsigned batch_ = 0, features_ = 0;
  std::unique_ptr<Kept> kept_;
};

/// Tr(ρ_N O) of the noisy circuit and its gradient (sizes as adjoint_gradient's).
template <Real T = double>
Gradient density_matrix_gradient(const Circuit& c, const NoiseModel& model, const PauliSum& obs,
                                 std::span<const double> theta, std::span<const double> x = {}, DiffWrt wrt = {});

/// Several observables as one vector–Jacobian product (as adjoint_vjp): one forward and one backward sweep.
template <Real T = double>
VjpResult density_matrix_vjp(const Circuit& c, const NoiseModel& model, std::span<const PauliSum> observables,
                             std::span<const double> theta, std::span<const double> x, const Upstream& upstream,
                             DiffWrt wrt = {});

/// A batch of samples (shared θ, inputs x_b) as adjoint_vjp_batched: BatchedNoisyTapes of chunk_size samples run in
/// parallel and their gradients are summed in chunk order (the result does not depend on the thread count).
template <Real T = double>
BatchedVjpResult density_matrix_vjp_batched(const Circuit& c, const NoiseModel& model,
                                            std::span<const PauliSum> observables, std::span<const double> theta,
                                            const BatchInputs& x, unsigned batch, const BatchedUpstream& upstream,
                                            DiffWrt wrt = {});

}  // namespace qnn
