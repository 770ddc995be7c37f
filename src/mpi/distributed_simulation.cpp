#include "qnn/mpi/distributed_simulation.hpp"

#include <bit>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn::mpi {

void check_distributable(const Circuit& c, int ranks) {
  DistributedStateVector<double>::check_layout(c.num_qubits(), ranks);
  const unsigned L = c.num_qubits() - static_cast<unsigned>(std::countr_zero(static_cast<unsigned>(ranks)));
  for (const Operation& op : c.ops()) {
    if (op.targets().size() > L) {
      throw ValueError("operation " + std::string(op.info().name) + " has " + std::to_string(op.targets().size()) +
                       " targets but each of the " + std::to_string(ranks) + " ranks holds only " + std::to_string(L) +
                       " local qubits; use at most " +
                       std::to_string(std::uint64_t{1} << (c.num_qubits() - op.targets().size())) +
                       " ranks");
    }
  }
}

template <Real T>
void run(const Circuit& c, DistributedStateVector<T>& psi, std::span<const double> theta, std::span<const double> x) {
  if (psi.num_qubits() != c.num_qubits()) {
    throw ValueError("circuit on " + std::to_string(c.num_qubits()) + " qubits run on a state of " +
                     std::to_string(psi.num_qubits()));
  }
  const std::vector<double> angles = bind_angles(c, theta, x);
  std::size_t a = 0;
  for (const Operation& op : c.ops()) {
    const std::size_t np = op.params.size();
    psi.apply_operation(op, std::span<const double>(angles).subspan(a, np));
    a += np;
  }
}

template <Real T>
double expectation(const DistributedStateVector<T>& psi, const PauliSum& obs) {
  if (obs.min_qubits() > psi.num_qubits()) {
    throw ValueError("observable '" + obs.to_string() + "' acts on qubit " + std::to_string(obs.min_qubits() - 1) +
                     " of a " + std::to_string(psi.num_qubits()) + "-qubit state");
  }
  double e = 0;
  for (const auto& t : obs.terms()) {
    e += t.coeff * (t.string.factors().empty() ? psi.norm_squared() : psi.expectation(t.string.masks()));
  }
  return e;
}

template <Real T>
void apply_observable(const DistributedStateVector<T>& psi, const PauliSum& obs, DistributedStateVector<T>& out) {
  out.set_zero();
  for (const auto& t : obs.terms()) out.add_pauli_applied(psi, t.string.masks(), t.coeff);
}

template <Real T>
Gradient distributed_adjoint_gradient(const Circuit& c, const PauliSum& obs, std::span<const double> theta,
                          std::span<const double> x, DiffWrt wrt) {
  // As qnn::adjoint_gradient: ∂⟨O⟩/∂p = 2 Re ⟨λ_k| ∂U_k/∂p |ψ_{k−1}⟩ with λ_k = U_{k+1}† ⋯ U_N† O ψ_N, sweeping back.
  const std::vector<double> angles = bind_angles(c, theta, x);
  DistributedStateVector<T> phi = simulate_distributed<T>(c, theta, x);
  DistributedStateVector<T> lambda(c.num_qubits());
  apply_observable(phi, obs, lambda);
  Gradient g;
  g.value = expectation(phi, obs);
  g.theta.assign(wrt.theta ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0, 0.0);
  g.x.assign(wrt.inputs ? x.size() : 0, 0.0);
  std::size_t a = angles.size();
  const auto& ops = c.ops();
  for (std::size_t k = ops.size(); k-- > 0;) {
    const Operation& op = ops[k];
    const std::size_t np = op.params.size();
    a -= np;
    const std::span<const double> ang = std::span<const double>(angles).subspan(a, np);
    phi.apply_operation(op, ang, /*inverse=*/true);  // φ = ψ_{k−1}
    for (std::size_t p = 0; p < np; ++p) {
      const Expr& e = op.params[p];
      if (!wrt.needs(e)) continue;
      const GateMatrix d = gate_derivative(op.kind, ang, static_cast<unsigned>(p));
      const std::vector<unsigned> controls = op.all_controls();
      const cplx m = DistributedStateVector<T>::matrix_element(lambda, op.targets(), d.span(), controls, phi);
      e.backprop(theta, x, 2.0 * m.real(), wrt.theta ? std::span<double>(g.theta) : std::span<double>(),
                 wrt.inputs ? std::span<double>(g.x) : std::span<double>());
    }
    if (k > 0) lambda.apply_operation(op, ang, /*inverse=*/true);
  }
  wrt.mask(g.theta);
  return g;
}

template void run<float>(const Circuit&, DistributedStateVector<float>&, std::span<const double>, std::span<const double>);
template void run<double>(const Circuit&, DistributedStateVector<double>&, std::span<const double>,
                          std::span<const double>);
template double expectation<float>(const DistributedStateVector<float>&, const PauliSum&);
template double expectation<double>(const DistributedStateVector<double>&, const PauliSum&);
template void apply_observable<float>(const DistributedStateVector<float>&, const PauliSum&,
                                      DistributedStateVector<float>&);
template void apply_observable<double>(const DistributedStateVector<double>&, const PauliSum&,
                                       DistributedStateVector<double>&);
template Gradient distributed_adjoint_gradient<float>(const Circuit&, const PauliSum&, std::span<const double>,
                                          std::span<const double>, DiffWrt);
template Gradient distributed_adjoint_gradient<double>(const Circuit&, const PauliSum&, std::span<const double>,
                                           std::span<const double>, DiffWrt);

}  // namespace qnn::mpi
