#pragma once
// Adjoint differentiation (Jones & Gacon 2020): one forward pass, then one backward sweep carrying two states,
// gives ∂⟨O⟩/∂θ_i for every weight and ∂⟨O⟩/∂x_j for every input at the cost of a few forward passes, whatever the
// number of parameters.
//
//   ⟨O⟩ = ⟨ψ_N|O|ψ_N⟩,  ψ_k = U_k ψ_{k−1}.  With λ_k = U_{k+1}† ⋯ U_N† O ψ_N:
//   ∂⟨O⟩/∂p = 2 Re ⟨λ_k| ∂U_k/∂p |ψ_{k−1}⟩   for a parameter p of gate k,
//   and the chain rule through each angle expression gives ∂/∂θ_i and ∂/∂x_j.
#include <functional>
#include <span>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/pauli.hpp"
#include "qnn/core/complex.hpp"

namespace qnn {

struct Gradient {
  double value = 0;             // ⟨O⟩
  std::vector<double> theta;    // ∂⟨O⟩/∂θ_i, size circuit.num_theta() (or theta.size() if larger)
  std::vector<double> x;        // ∂⟨O⟩/∂x_j, size x.size(); empty if inputs were not requested
};

/// Which gradients to compute: skipping inputs saves the work on encoding gates.
struct DiffWrt {
  bool theta = true;
  bool inputs = true;
  /// Sparse / partial training: if non-empty, only θ_i with active[i] get a gradient (the others read 0), and angles
  /// that read only frozen weights (and no requested input) cost nothing in the backward sweep.
  std::vector<bool> active = {};

  /// Whether the gradient of an angle expression is needed.
  [[nodiscard]] bool needs(const Expr& e) const {
    if (inputs && e.num_inputs() > 0) return true;
    if (!theta || e.num_theta() == 0) return false;
    if (active.empty()) return true;
    for (unsigned i : e.theta_indices())
      if (i < active.size() && active[i]) return true;
    return false;
  }
  /// Zero the entries of frozen weights (the chain rule may have touched them through a shared expression).
  void mask(std::vector<double>& dtheta) const {
    if (active.empty()) return;
    for (std::size_t i = 0; i < dtheta.size(); ++i)
      if (i >= active.size() || !active[i]) dtheta[i] = 0.0;
  }
};

/// ⟨O⟩ of U(θ, x)|0…0⟩ and its gradient by the adjoint method.
template <Real T = double>
Gradient adjoint_gradient(const Circuit& c, const PauliSum& obs, std::span<const double> theta,
                          std::span<const double> x = {}, DiffWrt wrt = {});

/// Several observables at once, as a vector–Jacobian product: `values[k]` = ⟨O_k⟩, and the returned gradient is that
/// of Σ_k w_k ⟨O_k⟩ where w = upstream(values) (e.g. ∂loss/∂⟨O_k⟩). One forward and one backward sweep in all.
struct VjpResult {
  std::vector<double> values;
  std::vector<double> theta;
  std::vector<double> x;
};
using Upstream = std::function<std::vector<double>(std::span<const double> values)>;

template <Real T = double>
VjpResult adjoint_vjp(const Circuit& c, std::span<const PauliSum> observables, std::span<const double> theta,
                      std::span<const double> x, const Upstream& upstream, DiffWrt wrt = {});

}  // namespace qnn
