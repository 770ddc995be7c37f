#pragma once
// The adjoint method over a whole batch at once (amplitude-major, sample-minor states): one forward and one backward
// sweep for B samples, with shared weights θ and per-sample inputs x_b. A batch of at least 64 samples from 10 qubits
// (128 at 9, 256 at 8: at least 2^15 batched amplitudes and 32 samples a chunk) is swept in chunks of even sizes, run
// as parallel tasks; the chunks depend on the qubit count and B alone, so results are the same bits on any number of
// threads.
#include <functional>
#include <span>
#include <vector>

#include "qnn/diff/adjoint.hpp"
#include "qnn/exec/batched.hpp"

namespace qnn {

struct BatchedVjpResult {
  std::vector<double> values;  // B × K, row-major: values[b·K + k] = ⟨O_k⟩ of sample b
  std::vector<double> theta;   // ∂/∂θ of Σ_b Σ_k w_bk ⟨O_k⟩_b
  std::vector<double> x;       // B × F: ∂/∂x_b of the same sum (empty unless inputs were requested)
  /// B × P, row-major, from adjoint_vjp_batched_per_sample only: row b = ∂/∂θ of Σ_k w_bk ⟨O_k⟩_b, sample b's share
  /// of `theta` (which is then the sum of the rows).
  std::vector<double> theta_per_sample;
};

/// `upstream(values)` returns the B × K weights w_bk (e.g. ∂loss_b/∂⟨O_k⟩_b).
using BatchedUpstream = std::function<std::vector<double>(std::span<const double> values)>;

template <Real T = double>
BatchedVjpResult adjoint_vjp_batched(const Circuit& c, std::span<const PauliSum> observables,
                                     std::span<const double> theta, const BatchInputs& x, unsigned batch,
                                     const BatchedUpstream& upstream, DiffWrt wrt = {});

/// ⟨O_k⟩ of every sample (B × K, row-major) from the forward pass of adjoint_vjp_batched alone: the product-state
/// prefix written in one pass, real one-qubit gates in pairs, a layer boundary (diagonal layer, run of CX/X/SWAP,
/// diagonal layer) in one pass. The same values as run_batched and expectation_batched, which apply one gate per pass.
template <Real T = double>
std::vector<double> expval_batched(const Circuit& c, std::span<const PauliSum> observables,
                                   std::span<const double> theta, const BatchInputs& x, unsigned batch);

/// The same with each sample's θ gradient kept apart (BatchedVjpResult::theta_per_sample): per-sample gradient
/// norms and clipping, the spread of a gradient over data (barren plateaus), one sample's Jacobian row per
/// observable (one-hot weights). One sweep for the batch, whose backward pass keeps B sums per parameter instead of one
/// (pairs of RY gates in one pass, as there): 1.5-2.2x the time of adjoint_vjp_batched at 4-10 qubits (B = 64), and
/// 12-13x (4-6 qubits) to 2-2.7x (10) faster than B one-sample sweeps. Past 2 MiB of a chunk's batched states (from
/// 12 qubits) the rows come from one-sample sweeps instead, which cost less there. For the summed gradient use
/// adjoint_vjp_batched.
template <Real T = double>
BatchedVjpResult adjoint_vjp_batched_per_sample(const Circuit& c, std::span<const PauliSum> observables,
                                                std::span<const double> theta, const BatchInputs& x, unsigned batch,
                                                const BatchedUpstream& upstream, DiffWrt wrt = {});

}  // namespace qnn
