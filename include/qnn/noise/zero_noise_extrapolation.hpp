#pragma once
// Zero-noise extrapolation (Temme, Bravyi & Gambetta 2017; Giurgica-Tiron et al. 2020): run the circuit at amplified
// noise λ ≥ 1 and extrapolate the expectation values back to λ = 0.
//
// Noise is amplified by unitary folding, which leaves the ideal circuit unchanged (U U† U = U) while its noisy version
// runs more gates. With d gates and s = round(d (λ − 1)/2) single-gate folds the achieved scale is λ' = 1 + 2s/d:
//   global folding   U (U†U)^k  L†L          k = ⌊s/d⌋ full folds, L = the last s mod d gates of U;
//   gate folding     G → G (G†G)^m per gate  every gate m = ⌊s/d⌋ times, and s mod d gates (from the left or the
//                                            right) once more.
//
// Extrapolation through the points (λ_j, E_j):
//   linear        least-squares line, E(0) = its intercept;
//   polynomial    least-squares polynomial of a given degree < number of points;
//   richardson    the polynomial of degree m − 1 through all m points: E(0) = Σ_j γ_j E_j,
//                 γ_j = Π_{i≠j} λ_i / (λ_i − λ_j);
//   exponential   E(λ) = a + b e^{−cλ} fitted by least squares (c > 0), E(0) = a + b.
// Every extrapolated value is a differentiable function of the E_j: the result carries γ_j = ∂E(0)/∂E_j, so the
// gradient of the mitigated value is Σ_j γ_j ∇E(λ_j). For the linear methods γ is exact (E(0) is linear in E); for
// the exponential fit it comes from the implicit-function theorem at the optimum (exact to first order).
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qnn/circuit/circuit.hpp"

namespace qnn {

enum class Folding : std::uint8_t { Global, GatesFromLeft, GatesFromRight };
enum class Extrapolator : std::uint8_t { Linear, Polynomial, Richardson, Exponential };

/// "global" | "gates-left" | "gates-right"; "linear" | "polynomial" | "richardson" | "exponential". ValueError listing
/// the allowed names otherwise.
Folding parse_folding(std::string_view name);
Extrapolator parse_extrapolator(std::string_view name);

/// The scale 1 + 2s/d that folding `c` to `scale` achieves (s = round(d (scale − 1)/2)). ValueError for scale < 1, a
/// non-finite scale or an empty circuit.
double achieved_scale(const Circuit& c, double scale);

/// The folded circuit (same qubits, same θ and x indices; inverse gates carry negated angle expressions).
Circuit fold(const Circuit& c, double scale, Folding folding = Folding::Global);

struct Extrapolation {
  double value = 0;            // E(0)
  std::vector<double> weights;  // γ_j = ∂E(0)/∂E_j
};

/// Extrapolate the points (scales[j], values[j]) to zero. `degree` is the polynomial degree for Polynomial (ignored
/// otherwise). Needs ≥ 2 points (linear), degree + 1 (polynomial), ≥ 2 (richardson), ≥ 3 (exponential), all scales
/// distinct and finite; ValueError otherwise.
Extrapolation extrapolate(std::span<const double> scales, std::span<const double> values, Extrapolator method,
                          unsigned degree = 2);

struct ZneOptions {
  std::vector<double> scale_factors = {1, 3, 5};
  Folding folding = Folding::Global;
  Extrapolator extrapolator = Extrapolator::Richardson;
  unsigned degree = 2;  // Polynomial only
};

/// One zero-noise estimate per observable.
struct ZneResult {
  std::vector<double> values;                 // extrapolated, per observable
  std::vector<double> scales;                 // achieved scales, per point
  std::vector<std::vector<double>> noisy;     // [point][observable]: the values at each scale
  std::vector<std::vector<double>> weights;   // [observable][point]: γ_j of that observable's extrapolation
};

/// Runs a batch of circuits (that differ only in folding) and returns, per circuit, one value per observable.
/// A batch executor can share work between them (e.g. global folds are prefixes of each other).
using BatchExecutor = std::function<std::vector<std::vector<double>>(std::span<const Circuit> circuits)>;
/// Runs one circuit and returns one value per observable.
using Executor = std::function<std::vector<double>(const Circuit& circuit)>;

/// Fold, execute, extrapolate.
ZneResult zero_noise_extrapolate(const Circuit& c, const BatchExecutor& execute, const ZneOptions& options = {});
ZneResult zero_noise_extrapolate(const Circuit& c, const Executor& execute, const ZneOptions& options = {});

}  // namespace qnn
