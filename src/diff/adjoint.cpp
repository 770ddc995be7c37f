#include "qnn/diff/adjoint.hpp"

#include <array>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/sim/kernels.hpp"
#include "adjoint_step.hpp"

namespace qnn {

namespace {

// The backward sweep shared by both entry points: `phi` holds ψ_N and `lambda` holds O ψ_N on entry.
template <Real T>
void backward_sweep(const Circuit& c, const std::vector<double>& angles, StateVector<T>& phi, StateVector<T>& lambda,
                    std::span<const double> theta, std::span<const double> x, DiffWrt wrt, std::vector<double>& dtheta,
                    std::vector<double>& dx) {
  const auto& ops = c.ops();
  const bool vector_kernels = phi.num_qubits() >= kernels::kMinVectorQubits && active_isa() != Isa::Reference;
  auto backprop = [&](const Expr& e, double g) {
    e.backprop(theta, x, g, wrt.theta ? std::span<double>(dtheta) : std::span<double>(),
               wrt.inputs ? std::span<double>(dx) : std::span<double>());
  };
  // Steps gathered for the kernel, with the op and parameter index each sum belongs to.
  std::vector<kernels::AdjointStep> steps;
  std::vector<std::pair<const Operation*, std::array<unsigned, 3>>> owners;
  auto flush = [&] {
    if (steps.empty()) return;
    kernels::adjoint_steps<T>(active_isa(), phi.data(), lambda.data(), phi.num_qubits(), steps);
    for (std::size_t i = 0; i < steps.size(); ++i)
      for (unsigned q = 0; q < steps[i].num_generators; ++q)
        backprop(owners[i].first->params[owners[i].second[q]], 2.0 * steps[i].sums[q]);
    steps.clear();
    owners.clear();
  };
  std::size_t a = angles.size();
  for (std::size_t k = ops.size(); k-- > 0;) {
    const Operation& op = ops[k];
    const std::size_t np = op.params.size();
    a -= np;
    const std::span<const double> ang = std::span<const double>(angles).subspan(a, np);
    if (vector_kernels) {
      kernels::AdjointStep st;
      std::array<unsigned, 3> which{};
      if (detail::make_adjoint_step(op, ang, wrt, st, which)) {
        st.update_lambda = k > 0;
        steps.push_back(st);
        owners.emplace_back(&op, which);
        continue;
      }
    }
    flush();
    apply_operation(phi, op, ang, /*inverse=*/true);  // φ = ψ_{k−1}
    for (std::size_t p = 0; p < np; ++p) {
      const Expr& e = op.params[p];
      if (!wrt.needs(e)) continue;
      // 2 Re ⟨λ| C(∂U/∂p) |φ⟩, with ∂U/∂p zero on the subspace where a control is 0.
      const GateMatrix d = gate_derivative(op.kind, ang, static_cast<unsigned>(p));
      const ControlList clist = op.control_list();
      const cplx m = StateVector<T>::matrix_element(lambda, op.targets(), d.span(), clist.span(), phi);
      backprop(e, 2.0 * m.real());
    }
    if (k > 0) apply_operation(lambda, op, ang, /*inverse=*/true);
  }
  flush();
}

}  // namespace

template <Real T>
Gradient adjoint_gradient(const Circuit& c, const PauliSum& obs, std::span<const double> theta,
                          std::span<const double> x, DiffWrt wrt) {
  const std::vector<double> angles = bind_angles(c, theta, x);
  StateVector<T> phi(c.num_qubits());
  run(c, phi, theta, x);
  StateVector<T> lambda(c.num_qubits());
  apply_observable(phi, obs, lambda);
  Gradient g;
  g.value = expectation(phi, obs);
  g.theta.assign(wrt.theta ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0, 0.0);
  g.x.assign(wrt.inputs ? x.size() : 0, 0.0);
  backward_sweep(c, angles, phi, lambda, theta, x, wrt, g.theta, g.x);
  wrt.mask(g.theta);
  return g;
}

template <Real T>
VjpResult adjoint_vjp(const Circuit& c, std::span<const PauliSum> observables, std::span<const double> theta,
                      std::span<const double> x, const Upstream& upstream, DiffWrt wrt) {
  const std::vector<double> angles = bind_angles(c, theta, x);
  StateVector<T> phi(c.num_qubits());
  run(c, phi, theta, x);
  VjpResult r;
  r.values.reserve(observables.size());
  for (const PauliSum& o : observables) r.values.push_back(expectation(phi, o));
  const std::vector<double> w = upstream(r.values);
  if (w.size() != observables.size()) {
    throw ValueError("upstream gradient has " + std::to_string(w.size()) + " entries for " +
                     std::to_string(observables.size()) + " observables");
  }
  // λ = (Σ_k w_k O_k) ψ_N : one backward sweep serves every observable.
  PauliSum weighted;
  for (std::size_t k = 0; k < observables.size(); ++k) weighted = weighted + observables[k] * w[k];
  StateVector<T> lambda(c.num_qubits());
  apply_observable(phi, weighted, lambda);
  r.theta.assign(wrt.theta ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0, 0.0);
  r.x.assign(wrt.inputs ? x.size() : 0, 0.0);
  backward_sweep(c, angles, phi, lambda, theta, x, wrt, r.theta, r.x);
  wrt.mask(r.theta);
  return r;
}

template Gradient adjoint_gradient<float>(const Circuit&, const PauliSum&, std::span<const double>,
                                          std::span<const double>, DiffWrt);
template Gradient adjoint_gradient<double>(const Circuit&, const PauliSum&, std::span<const double>,
                                           std::span<const double>, DiffWrt);
template VjpResult adjoint_vjp<float>(const Circuit&, std::span<const PauliSum>, std::span<const double>,
                                      std::span<const double>, const Upstream&, DiffWrt);
template VjpResult adjoint_vjp<double>(const Circuit&, std::span<const PauliSum>, std::span<const double>,
                                       std::span<const double>, const Upstream&, DiffWrt);

}  // namespace qnn
