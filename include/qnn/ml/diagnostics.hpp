#pragma once
// Will a circuit train, and what can it reach? Three diagnostics over random weights, all seeded and reproducible
// (each sample draws from its own stream, and sums run in sample order, so the thread count never changes a result):
//
//  - barren plateaus (McClean et al. 2018; Cerezo et al. 2021): the variance over random θ of ∂C/∂θ_k, versus qubit
//    count and depth, for a global and a local cost. Exponential decay in n means gradients vanish below shot noise;
//  - expressibility (Sim et al. 2019): how far the distribution of fidelities between random states of the circuit
//    is from that of Haar-random states (KL divergence; 0 is Haar-like, large is a narrow family);
//  - entangling capability (Sim et al. 2019): the mean Meyer–Wallach measure over random θ.
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/ml/ansatz.hpp"
#include "qnn/sim/state_vector.hpp"

namespace qnn {

/// Fills θ with one random draw. The default everywhere is θ_i uniform in [0, 2π), independently.
using ThetaSampler = std::function<void(std::span<double> theta, Rng& rng)>;

/// y ≈ intercept + slope·x by least squares; slope_stderr is the slope's standard error from the residuals (0 for
/// two points).
struct LineFit {
  double intercept = 0;
  double slope = 0;
  double slope_stderr = 0;
};
/// Throws ValueError for fewer than two points, mismatched sizes, non-finite values or all x equal.
LineFit fit_line(std::span<const double> x, std::span<const double> y);

/// The two costs of the barren-plateau study, both Pauli observables so the adjoint method gives every ∂/∂θ_k:
///  - global C_G = ⟨Z_0 Z_1 ⋯ Z_{n−1}⟩: every qubit matters at once (for one layer of random RY on |0…0⟩,
///    Var ∂C_G/∂θ_0 = 2^{−n} exactly, slope −ln 2);
///  - local C_L = (1/n) Σ_k ⟨Z_k⟩ (Cerezo et al.'s normalisation): a sum of one-qubit terms, whose gradient variance
///    falls only polynomially at depths logarithmic in n.
/// (The projector cost 1 − |⟨0|ψ⟩|² behaves like C_G but is a sum of 2^n Pauli strings.) CNOTs map Z-strings to
/// Z-strings of other weights (Z_c Z_t ↦ Z_t), so on an ansatz that ends in a CNOT layer (basic, strong) the parity
/// C_G acts on fewer qubits than it names; compare global and local costs on ansätze ending in rotations (hea-*).
struct GradientVarianceOptions {
  std::vector<unsigned> qubits = {2, 3, 4, 5, 6, 7, 8};
  std::vector<unsigned> layers = {2};
  /// Random initialisations per (qubits, layers).
  unsigned samples = 200;
  std::uint64_t seed = 7;
  /// θ indices whose gradient variances are averaged. Empty: every weight — the adjoint sweep yields all of them
  /// at no extra cost, and averaging cuts the noise of the estimate. {0} is McClean et al.'s single-parameter choice.
  std::vector<unsigned> parameters = {};
  ThetaSampler sampler = {};
};

struct GradientVarianceRow {
  unsigned qubits = 0;
  unsigned layers = 0;
  unsigned num_weights = 0;
  /// Unbiased sample variance of ∂C/∂θ_k over the initialisations, averaged over the chosen k.
  double var_global = 0;
  double var_local = 0;
};

struct GradientVarianceFit {
  unsigned layers = 0;
  /// log Var = a + b·n (natural log) over the qubit counts of this depth; b is the decay rate per qubit.
  LineFit global;
  LineFit local;
};

struct GradientVarianceResult {
  std::string ansatz;
  std::vector<GradientVarianceRow> rows;  // depth-major, then qubits, in the order the options list them
  std::vector<GradientVarianceFit> fits;  // one per depth (needs ≥ 2 qubit counts with a positive variance)
};

/// The barren-plateau study of one ansatz. Throws ValueError for empty qubit/layer lists, fewer than 2 samples, or a
/// parameter index the ansatz does not have.
GradientVarianceResult gradient_variance(const Ansatz& ansatz, const GradientVarianceOptions& options);

/// Sim et al. use 75 bins and 5000 pairs; the KL estimate has a positive bias of about (bins − 1)/(2·pairs) from
/// the finite sample.
struct ExpressibilityOptions {
  unsigned pairs = 5000;
  unsigned bins = 75;
  std::uint64_t seed = 7;
  ThetaSampler sampler = {};
};

struct ExpressibilityResult {
  /// D_KL(P_circuit ‖ P_Haar) over the histogram (natural log).
  double kl = 0;
  /// Mean fidelity (Haar: 1/N).
  double mean_fidelity = 0;
  std::vector<double> histogram;  // fraction of pairs per bin
};

/// Fidelities F = |⟨ψ(θ)|ψ(θ')⟩|² of `pairs` independent pairs, binned on [0, 1] into `bins` equal bins, against
/// the Haar probability of each bin, ∫ (N−1)(1−F)^{N−2} dF = (1−a)^{N−1} − (1−b)^{N−1}, N = 2^n. An empty bin adds
/// nothing; a Haar probability that underflows is floored at 1e-300 so the divergence stays finite. The circuit must
/// read no inputs.
ExpressibilityResult expressibility(const Circuit& c, const ExpressibilityOptions& options = {});

/// Meyer–Wallach Q = 2 (1 − (1/n) Σ_k Tr ρ_k²): 0 for product states, 1 for GHZ, in [0, 1].
template <Real T>
double meyer_wallach(const StateVector<T>& psi);

struct EntanglingCapabilityOptions {
  unsigned samples = 1000;
  std::uint64_t seed = 7;
  ThetaSampler sampler = {};
};

struct EntanglingCapabilityResult {
  double mean = 0;            // mean Q over the samples
  double standard_error = 0;  // of the mean
};

/// Mean Meyer–Wallach measure of U(θ)|0…0⟩ over random θ (the circuit must read no inputs).
EntanglingCapabilityResult entangling_capability(const Circuit& c, const EntanglingCapabilityOptions& options = {});

}  // namespace qnn
