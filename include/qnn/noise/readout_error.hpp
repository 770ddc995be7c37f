#pragma once
// Readout (measurement) error and its mitigation.
//
// Each qubit's readout is an independent classical channel: the true bit t is read as m with probability
// A_q[m][t], the qubit's 2×2 confusion matrix (columns: true bit, rows: the bit read; each column sums to 1):
//
//   A_q = | 1 − p(1|0)    p(0|1)   |
//         |   p(1|0)    1 − p(0|1) |
//
// The whole readout is A = A_{n−1} ⊗ … ⊗ A_0 acting on the distribution over the 2^n outcomes (qubit k is bit k of an
// outcome index, as everywhere in qnn). A is never formed: applying it, its transpose or its inverse is one 2×2 pass
// per qubit, O(n·2^n). Mitigation inverts it (A⁻¹ = ⊗ A_q⁻¹); where sampling noise makes A⁻¹q leave the simplex (a
// negative "probability"), a constrained least-squares fit min ‖A p − q‖₂ over probability vectors p takes over.
#include <cstdint>
#include <span>
#include <vector>

#include "qnn/core/bits.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/noise/noise_model.hpp"  // ReadoutError: p(1|0), p(0|1) of one qubit

namespace qnn {

/// Throws ValueError unless both probabilities are in [0, 1] and the confusion matrix is invertible
/// (p(1|0) + p(0|1) ≠ 1, i.e. the readout still carries information).
void validate(const ReadoutError& e);

/// q = A p: the distribution read out when the true distribution is p (p.size() = 2^errors.size()).
std::vector<double> apply_readout_error(std::span<const double> probabilities, std::span<const ReadoutError> errors);

/// Each shot's bits flipped independently with its qubit's probabilities (outcome indices, qubit k = bit k).
std::vector<index_t> apply_readout_error(std::span<const index_t> shots, std::span<const ReadoutError> errors,
                                         Rng& rng);

/// Relative frequencies of outcome indices over 2^num_qubits outcomes.
std::vector<double> counts_to_probabilities(std::span<const index_t> shots, unsigned num_qubits);

enum class ReadoutMitigation : std::uint8_t {
  Inverse,       // A⁻¹ q exactly: unbiased, but may have negative entries (a quasi-probability)
  LeastSquares,  // argmin ‖A p − q‖₂ over the probability simplex (always a valid distribution)
  Auto,          // Inverse when it is a distribution, else LeastSquares
};

/// An estimate of the true distribution from the read-out one. Throws ValueError on a size mismatch or an invalid
/// error (see validate).
std::vector<double> mitigate_readout(std::span<const double> measured, std::span<const ReadoutError> errors,
                                     ReadoutMitigation method = ReadoutMitigation::Auto);

/// The per-qubit readout errors a noise model stores, for qubits 0 … num_qubits−1.
std::vector<ReadoutError> readout_errors(const NoiseModel& model, unsigned num_qubits);

/// Euclidean projection onto the probability simplex {p ≥ 0, Σ p = 1} (Held et al. 1974 / Duchi et al. 2008).
std::vector<double> project_to_simplex(std::span<const double> v);

/// ⟨Z_q⟩ as read out, from the true ⟨Z_q⟩: z_read = (p(0|1) − p(1|0)) + (1 − p(1|0) − p(0|1)) · z, an affine map.
double readout_z_expectation(double z, const ReadoutError& e);
/// Its inverse: the mitigated ⟨Z_q⟩ from the read-out one (exactly what A⁻¹ gives for a one-qubit marginal; linear in
/// z_read, so a gradient passes through it as a factor 1/(1 − p(1|0) − p(0|1))).
double mitigate_z_expectation(double z_read, const ReadoutError& e);

}  // namespace qnn
