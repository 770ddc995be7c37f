#pragma once
// The adjoint method over a whole batch at once (amplitude-major, sample-minor states): one forward and one backward
// sweep for B samples, with shared weights θ and per-sample inputs x_b.
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
};

/// `upstream(values)` returns the B × K weights w_bk (e.g. ∂loss_b/∂⟨O_k⟩_b).
using BatchedUpstream = std::function<std::vector<double>(std::span<const double> values)>;

template <Real T = double>
BatchedVjpResult adjoint_vjp_batched(const Circuit& c, std::span<const PauliSum> observables,
                                     std::span<const double> theta, const BatchInputs& x, unsigned batch,
                                     const BatchedUpstream& upstream, DiffWrt wrt = {});

}  // namespace qnn
