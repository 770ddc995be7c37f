#include "qnn/diff/batched_adjoint.hpp"

#include <array>
#include <string>

#include "qnn/core/error.hpp"
#include "adjoint_step.hpp"

namespace qnn {

template <Real T>
BatchedVjpResult adjoint_vjp_batched(const Circuit& c, std::span<const PauliSum> observables,
                                     std::span<const double> theta, const BatchInputs& x, unsigned batch,
                                     const BatchedUpstream& upstream, DiffWrt wrt) {
  const BatchAngles angles = bind_batch_angles(c, theta, x, batch);
  const unsigned B = batch, K = static_cast<unsigned>(observables.size());
  BatchedStateVector<T> phi(c.num_qubits(), B);
  for (std::size_t k = 0; k < c.ops().size(); ++k) apply_operation_batched(phi, c, k, angles);

  BatchedVjpResult r;
  r.values.assign(std::size_t{B} * K, 0.0);
  std::vector<double> col(B);
  for (unsigned k = 0; k < K; ++k) {
    expectation_batched(phi, observables[k], col);
    for (unsigned b = 0; b < B; ++b) r.values[b * K + k] = col[b];
  }
  const std::vector<double> w = upstream(r.values);
  if (w.size() != r.values.size()) throw ValueError("upstream gradient must have batch × observables entries");

  // λ_b = (Σ_k w_bk O_k) ψ_b
  BatchedStateVector<T> lambda(c.num_qubits(), B);
  lambda.set_zero();
  std::vector<double> coeff(B);
  for (unsigned k = 0; k < K; ++k)
    for (const auto& term : observables[k].terms()) {
      for (unsigned b = 0; b < B; ++b) coeff[b] = term.coeff * w[b * K + k];
      lambda.add_pauli_applied(phi, term.string.masks(), coeff);
    }

  r.theta.assign(wrt.theta ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0, 0.0);
  r.x.assign(wrt.inputs ? x.data.size() : 0, 0.0);
  const std::span<double> dtheta = wrt.theta ? std::span<double>(r.theta) : std::span<double>();
  std::vector<cplx> me(B);
  std::vector<cplx> dms;
  const auto& ops = c.ops();
  for (std::size_t k = ops.size(); k-- > 0;) {
    const Operation& op = ops[k];
    if (!angles.per_sample[k]) {
      // The same gate on every sample: one pass over both batches (U† on each and every parameter's sum).
      kernels::AdjointStep st;
      std::array<unsigned, 3> which{};
      const auto ang = std::span<const double>(angles.values).subspan(angles.offset[k], op.params.size());
      if (detail::make_adjoint_step(op, ang, wrt, st, which)) {
        st.update_lambda = k > 0;
        BatchedStateVector<T>::adjoint_step(phi, lambda, st);
        for (unsigned q = 0; q < st.num_generators; ++q)
          op.params[which[q]].backprop(theta, {}, 2.0 * st.sums[q], dtheta, {});
        continue;
      }
    }
    apply_operation_batched(phi, c, k, angles, /*inverse=*/true);
    const std::size_t np = op.params.size();
    const ControlList clist = op.control_list();
    const std::span<const unsigned> controls = clist.span();
    for (std::size_t p = 0; p < np; ++p) {
      const Expr& e = op.params[p];
      const bool needed = wrt.needs(e);
      if (!needed) continue;
      if (!angles.per_sample[k]) {
        // Shared angle: Σ_b 2 Re⟨λ_b|∂U|φ_b⟩, then one chain-rule step (the angle does not read x).
        const auto ang = std::span<const double>(angles.values).subspan(angles.offset[k], np);
        const GateMatrix d = gate_derivative(op.kind, ang, static_cast<unsigned>(p));
        BatchedStateVector<T>::matrix_element(lambda, op.targets(), d.span(), false, controls, phi, me);
        double g = 0;
        for (unsigned b = 0; b < B; ++b) g += 2.0 * me[b].real();
        e.backprop(theta, {}, g, dtheta, {});
      } else {
        const std::size_t dim = std::size_t{1} << op.targets().size(), d2 = dim * dim;
        dms.resize(d2 * B);
        for (unsigned b = 0; b < B; ++b) {
          const auto ang = std::span<const double>(angles.values).subspan(angles.offset[k] + b * np, np);
          const GateMatrix d = gate_derivative(op.kind, ang, static_cast<unsigned>(p));
          std::copy(d.m.begin(), d.m.begin() + static_cast<std::ptrdiff_t>(d2),
                    dms.begin() + static_cast<std::ptrdiff_t>(b * d2));
        }
        BatchedStateVector<T>::matrix_element(lambda, op.targets(), dms, true, controls, phi, me);
        for (unsigned b = 0; b < B; ++b) {
          const auto xb = x.data.subspan(b * x.num_features, x.num_features);
          const std::span<double> dxb =
              wrt.inputs ? std::span<double>(r.x).subspan(b * x.num_features, x.num_features) : std::span<double>();
          e.backprop(theta, xb, 2.0 * me[b].real(), dtheta, dxb);
        }
      }
    }
    if (k > 0) apply_operation_batched(lambda, c, k, angles, /*inverse=*/true);
  }
  wrt.mask(r.theta);
  return r;
}

template BatchedVjpResult adjoint_vjp_batched<float>(const Circuit&, std::span<const PauliSum>, std::span<const double>,
                                                     const BatchInputs&, unsigned, const BatchedUpstream&, DiffWrt);
template BatchedVjpResult adjoint_vjp_batched<double>(const Circuit&, std::span<const PauliSum>, std::span<const double>,
                                                      const BatchInputs&, unsigned, const BatchedUpstream&, DiffWrt);

}  // namespace qnn
