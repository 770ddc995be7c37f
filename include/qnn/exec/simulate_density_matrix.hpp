#pragma once
// Running noiseless circuits on density matrices: the same operations and angle binding as exec/simulate.hpp, each
// gate applied as ρ ← UρU†. Noise is added by the noise layer (qnn/noise/density_matrix_simulation.hpp).
#include <span>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/pauli.hpp"
#include "qnn/sim/density_matrix.hpp"

namespace qnn {

/// ρ ← U ρ U† for one operation (or its inverse) at the given angles.
template <Real T>
void apply_operation(DensityMatrix<T>& rho, const Operation& op, std::span<const double> angles, bool inverse = false);

/// ρ ← U(θ, x) ρ U(θ, x)†, one operation at a time.
template <Real T>
void run(const Circuit& c, DensityMatrix<T>& rho, std::span<const double> theta = {}, std::span<const double> x = {});

/// U(θ, x)|0…0⟩⟨0…0|U(θ, x)†.
template <Real T = double>
DensityMatrix<T> simulate_density_matrix(const Circuit& c, std::span<const double> theta = {},
                                         std::span<const double> x = {}) {
  DensityMatrix<T> rho(c.num_qubits());
  run(c, rho, theta, x);
  return rho;
}

/// Tr(ρO) for a weighted sum of Pauli strings.
template <Real T>
double expectation(const DensityMatrix<T>& rho, const PauliSum& obs);

}  // namespace qnn
