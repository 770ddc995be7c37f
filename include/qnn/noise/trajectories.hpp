#pragma once
// Monte-Carlo wave-function trajectories: noisy circuits on state vectors, for sizes a density matrix cannot hold.
//
// Per trajectory, each channel ρ → Σ_i K_i ρ K_i† picks one K_i with probability p_i = ‖K_i ψ‖² and continues with
// K_i ψ / √p_i; the average of |ψ⟩⟨ψ| over trajectories is the density matrix, so averages of ⟨O⟩ converge to Tr(ρO)
// with standard error σ/√N. A Pauli channel samples its Pauli string from its fixed probabilities (no norm needed);
// for other channels the p_i come from the reduced density matrix of the channel's qubits (one pass over ψ), then the
// chosen K_i is applied (a second pass).
//
// Trajectory t draws from its own Rng stream (trajectory_rng(seed, t)) and results are combined in trajectory order,
// so every number is reproducible from the seed and independent of the thread count.
#include <cstdint>
#include <span>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/pauli.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/noise/noise_model.hpp"
#include "qnn/sim/state_vector.hpp"

namespace qnn {

/// The random stream of trajectory t.
Rng trajectory_rng(std::uint64_t seed, std::uint64_t trajectory);

/// Run one trajectory of a noisy operation sequence on ψ (which should start normalised) at bound angles.
template <Real T>
void run_trajectory(const Circuit& c, const std::vector<NoisyOperation>& ops, std::span<const double> angles,
                    StateVector<T>& psi, Rng& rng);

/// A mean over trajectories with its standard error (sample standard deviation / √trajectories).
struct TrajectoryEstimate {
  double mean = 0;
  double standard_error = 0;
  std::uint64_t trajectories = 0;
};

/// ⟨O⟩ averaged over `trajectories` trajectories (≥ 1) of the noisy circuit from |0…0⟩.
template <Real T = double>
TrajectoryEstimate expectation_trajectories(const Circuit& c, const NoiseModel& model, const PauliSum& obs,
                                            std::uint64_t trajectories, std::uint64_t seed,
                                            std::span<const double> theta = {}, std::span<const double> x = {});

/// Basis-state probabilities averaged over trajectories (converge to the density matrix's diagonal).
template <Real T = double>
std::vector<double> probabilities_trajectories(const Circuit& c, const NoiseModel& model, std::uint64_t trajectories,
                                               std::uint64_t seed, std::span<const double> theta = {},
                                               std::span<const double> x = {});

/// `shots` basis-state samples of the noisy circuit: shots are spread evenly over `trajectories` trajectories (≤ shots;
/// each samples its final state), in trajectory order.
template <Real T = double>
std::vector<index_t> sample_trajectories(const Circuit& c, const NoiseModel& model, std::uint64_t shots,
                                         std::uint64_t trajectories, std::uint64_t seed,
                                         std::span<const double> theta = {}, std::span<const double> x = {});

}  // namespace qnn
