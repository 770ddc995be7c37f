#pragma once
// Exact noisy simulation: a circuit and a noise model run on a density matrix (n ≲ 13 qubits: 4^n amplitudes).
//
//   DensityMatrix<double> rho = run_density_matrix(c, parse_noise_spec("depolarizing:0.01"), theta, x);
//   double e = expectation(rho, Z(0));
#include <span>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/pauli.hpp"
#include "qnn/exec/simulate_density_matrix.hpp"
#include "qnn/noise/noise_model.hpp"
#include "qnn/sim/density_matrix.hpp"

namespace qnn {

/// Apply a noisy operation sequence (noisy_operations(c, model)) at bound angles (bind_angles(c, θ, x)).
template <Real T>
void run_noisy(const Circuit& c, const std::vector<NoisyOperation>& ops, std::span<const double> angles,
               DensityMatrix<T>& rho);

/// ρ ← the noisy circuit applied to ρ.
template <Real T>
void run(const Circuit& c, const NoiseModel& model, DensityMatrix<T>& rho, std::span<const double> theta = {},
         std::span<const double> x = {});

/// The noisy circuit applied to |0…0⟩⟨0…0|. Throws ResourceError, with the bytes needed, for a matrix that cannot fit.
template <Real T = double>
DensityMatrix<T> run_density_matrix(const Circuit& c, const NoiseModel& model, std::span<const double> theta = {},
                                    std::span<const double> x = {}) {
  DensityMatrix<T> rho(c.num_qubits());
  run(c, model, rho, theta, x);
  return rho;
}

/// Tr(ρ O) of the noisy circuit's output.
template <Real T = double>
double expval_density_matrix(const Circuit& c, const NoiseModel& model, const PauliSum& obs,
                             std::span<const double> theta = {}, std::span<const double> x = {}) {
  return expectation(run_density_matrix<T>(c, model, theta, x), obs);
}

}  // namespace qnn
