#pragma once
// Gradients the way hardware computes them: each angle is shifted and the circuit re-run (Mitarai et al. 2018,
// Schuld et al. 2019). Exact with shots = 0, estimated from shots otherwise. Each gate kind carries its own rule:
//   two terms (shift ±π/2, coefficient ½) when the generator has two eigenvalues: RX RY RZ RXX RYY RZZ P CP and each
//   angle of U;
//   four terms for the controlled rotations CRX CRY CRZ, whose generator |1⟩⟨1|⊗σ/2 has eigenvalues {−½, 0, ½}:
//   ∂f = c₊[f(θ+π/2) − f(θ−π/2)] − c₋[f(θ+3π/2) − f(θ−3π/2)],  c± = (√2 ± 1)/(4√2)  (Anselmetti et al. 2021).
// The chain rule through each angle expression then gives ∂/∂θ_i and ∂/∂x_j, as for the adjoint method.
#include <cstdint>
#include <span>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/pauli.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/diff/adjoint.hpp"

namespace qnn {

struct ShiftTerm {
  double coeff;
  double shift;
};

/// The shift rule of a parameterised gate kind (empty for gates without parameters).
std::span<const ShiftTerm> shift_rule(GateKind kind);

struct ShotOptions {
  std::uint64_t shots = 0;  // 0: exact expectations
  std::uint64_t seed = 1;
};

/// ∂⟨O⟩/∂θ and ∂⟨O⟩/∂x by parameter shifts: Σ over angles of |rule| circuit runs.
Gradient parameter_shift_gradient(const Circuit& c, const PauliSum& obs, std::span<const double> theta,
                                  std::span<const double> x = {}, DiffWrt wrt = {}, ShotOptions shots = {});

/// SPSA (Spall 1992): one random direction δ ∈ {±1}^P, two circuit runs, g_i = [f(θ+εδ) − f(θ−εδ)] / (2ε δ_i).
/// An unbiased (to O(ε²)) estimate of ∂⟨O⟩/∂θ whose cost does not grow with P.
Gradient spsa_gradient(const Circuit& c, const PauliSum& obs, std::span<const double> theta,
                       std::span<const double> x, double epsilon, Rng& rng, ShotOptions shots = {});

}  // namespace qnn
