#pragma once
// Readout observables of a circuit evaluated on a noisy device model (exact density matrix), optionally
// error-mitigated, with gradients: the noisy counterpart of adjoint_vjp_batched, with the same signature, so a model
// that evaluates its readout through adjoint_vjp_batched can evaluate and train under noise instead.
//
// What a measurement of a Pauli term P on qubits S returns: the circuit's noisy Tr(ρP), then the readout error. Each
// measured bit is flipped independently, so a one-qubit term reads a + b·Tr(ρP) with a = p(0|1) − p(1|0),
// b = 1 − p(1|0) − p(0|1); a longer term reads Π_{k∈S} b_k · Tr(ρP) when every a_k = 0 (symmetric errors). Readout
// mitigation inverts that affine map (exactly what confusion-matrix inversion gives for these marginals).
// Zero-noise extrapolation folds the circuit to each scale factor, evaluates every folded circuit and extrapolates each
// value; its gradient is Σ_j γ_j ∇E(λ_j) (qnn/noise/zero_noise_extrapolation.hpp).
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "qnn/diff/batched_adjoint.hpp"
#include "qnn/noise/noise_model.hpp"
#include "qnn/noise/zero_noise_extrapolation.hpp"

namespace qnn {

struct Mitigation {
  bool readout = false;  // invert the readout error
  bool zne = false;      // zero-noise extrapolation
  ZneOptions zne_options;
};

/// "none", "readout", "zne", or both joined by ',' or '+' ("zne,readout"). ValueError naming the allowed values.
Mitigation parse_mitigation(std::string_view text);

/// adjoint_vjp_batched's signature: values (B × K) of the observables for each sample, and the gradient of
/// Σ_bk w_bk value_bk (w = upstream(values)). With wrt.theta and wrt.inputs both false, upstream is not called and
/// only the values are computed.
using BatchedReadout = std::function<BatchedVjpResult(const Circuit& c, std::span<const PauliSum> observables,
                                                      std::span<const double> theta, const BatchInputs& x,
                                                      unsigned batch, const BatchedUpstream& upstream,
                                                      const DiffWrt& wrt)>;

/// The observables under `model` (gate and idle noise on the density matrix, then its readout error), mitigated as
/// asked. ValueError if ZNE is asked of a model without gate or idle noise (nothing to extrapolate), or if the model's
/// readout error meets an observable it cannot be applied to (a multi-qubit term with asymmetric errors).
template <Real T = double>
BatchedReadout noisy_readout(NoiseModel model, Mitigation mitigation = {});

/// One circuit, one sample: the values of noisy_readout's observables (a convenience for tests and `qnn run`).
template <Real T = double>
std::vector<double> noisy_expectations(const Circuit& c, const NoiseModel& model, std::span<const PauliSum> observables,
                                       std::span<const double> theta = {}, std::span<const double> x = {},
                                       const Mitigation& mitigation = {});

}  // namespace qnn
