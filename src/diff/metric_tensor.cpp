#include "qnn/diff/metric_tensor.hpp"

#include <cmath>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {

std::vector<unsigned> weight_layers(const Circuit& c) {
  std::vector<unsigned> layer(c.num_theta(), 0);
  unsigned current = 0;
  index_t touched = 0;  // qubits touched by parameterised gates of the current layer
  for (const Operation& op : c.ops()) {
    index_t q = 0;
    for (unsigned b : op.qubits) q |= index_t{1} << b;
    for (unsigned b : op.controls) q |= index_t{1} << b;
    bool has_theta = false;
    for (const Expr& e : op.params) has_theta = has_theta || e.num_theta() > 0;
    if (!has_theta) {
      if (q & touched) {
        ++current;
        touched = 0;
      }
      continue;
    }
    if (q & touched) {
      // Two parameterised gates in a row on one qubit: still one layer only if they commute, which we do not
      // assume; start a new layer.
      ++current;
      touched = 0;
    }
    touched |= q;
    for (const Expr& e : op.params)
      for (unsigned i : e.theta_indices())
        if (layer[i] == 0) layer[i] = current + 1;  // the first layer that uses θ_i wins
  }
  for (auto& l : layer) l = l ? l - 1 : 0;
  return layer;
}

std::vector<double> metric_tensor(const Circuit& c, std::span<const double> theta, std::span<const double> x,
                                  MetricApproximation approx) {
  const std::vector<double> angles = bind_angles(c, theta, x);
  const std::size_t P = std::max<std::size_t>(theta.size(), c.num_theta());
  const unsigned n = c.num_qubits();
  check_allocation(StateVector<double>::bytes_needed(n) * (P + 1), "the metric tensor's " + std::to_string(P) +
                                                                         " derivative states");
  StateVector<double> psi(n);
  run(c, psi, theta, x, RunOptions{.fusion_qubits = 0});
  // |∂_i ψ⟩ = Σ over angles a reading θ_i of (∂a/∂θ_i) |∂_a ψ⟩, and |∂_a ψ⟩ = U_N⋯U_{k+1} (∂U_k/∂a) U_{k−1}⋯U_1|0⟩.
  std::vector<StateVector<double>> dpsi;
  dpsi.reserve(P);
  for (std::size_t i = 0; i < P; ++i) {
    dpsi.emplace_back(n);
    dpsi.back().set_zero();
  }
  const auto& ops = c.ops();
  std::size_t a = 0;
  std::vector<double> seeds(P);
  for (std::size_t k = 0; k < ops.size(); ++k) {
    for (std::size_t p = 0; p < ops[k].params.size(); ++p, ++a) {
      const Expr& e = ops[k].params[p];
      if (e.num_theta() == 0) continue;
      std::fill(seeds.begin(), seeds.end(), 0.0);
      e.backprop(theta, x, 1.0, seeds, {});
      // Build |∂_a ψ⟩.
      StateVector<double> d(n);
      std::size_t b = 0;
      for (std::size_t j = 0; j < k; ++j) {
        apply_operation(d, ops[j], std::span<const double>(angles).subspan(b, ops[j].params.size()));
        b += ops[j].params.size();
      }
      const auto ang = std::span<const double>(angles).subspan(b, ops[k].params.size());
      // ∂U on the controlled subspace, zero elsewhere: project onto the controls first, then apply ∂U there.
      const GateMatrix dm = gate_derivative(ops[k].kind, ang, static_cast<unsigned>(p));
      const auto controls = ops[k].all_controls();
      const auto targets = ops[k].targets();
      StateVector<double> out(n);
      out.set_zero();
      {
        // out = C(∂U) d, zero off the control subspace. C(M) acts as I off that subspace, so
        // C(∂U + I) d − d is ∂U d on it and 0 elsewhere.
        StateVector<double> t1 = d;
        GateMatrix shifted = dm;
        for (unsigned r = 0; r < dm.dim; ++r) shifted(r, r) += 1.0;
        t1.apply_matrix(targets, shifted.span(), controls);
        for (index_t i = 0; i < d.size(); ++i) out[i] = t1[i] - d[i];
      }
      b += ops[k].params.size();
      for (std::size_t j = k + 1; j < ops.size(); ++j) {
        apply_operation(out, ops[j], std::span<const double>(angles).subspan(b, ops[j].params.size()));
        b += ops[j].params.size();
      }
      for (std::size_t i = 0; i < P; ++i)
        if (seeds[i] != 0.0) dpsi[i].add_pauli_applied(out, PauliMasks{}, seeds[i]);
    }
  }
  std::vector<cplx> overlap(P);
  for (std::size_t i = 0; i < P; ++i) overlap[i] = dpsi[i].inner(psi);  // ⟨∂_iψ|ψ⟩
  const std::vector<unsigned> layers = weight_layers(c);
  std::vector<double> g(P * P, 0.0);
  for (std::size_t i = 0; i < P; ++i)
    for (std::size_t j = i; j < P; ++j) {
      if (approx == MetricApproximation::BlockDiagonal && (i >= layers.size() || j >= layers.size() || layers[i] != layers[j]))
        continue;
      const double v = dpsi[i].inner(dpsi[j]).real() - (overlap[i] * std::conj(overlap[j])).real();
      g[i * P + j] = g[j * P + i] = v;
    }
  return g;
}

QngOptimizer::QngOptimizer(double learning_rate, double regularisation) : lr_(learning_rate), lambda_(regularisation) {
  if (!(learning_rate > 0) || !std::isfinite(learning_rate)) throw ValueError("learning rate must be positive");
  if (!(regularisation >= 0) || !std::isfinite(regularisation)) throw ValueError("regularisation must be ≥ 0");
}

void QngOptimizer::step(std::span<double> theta, std::span<const double> grad, std::span<const double> metric) const {
  const std::size_t P = theta.size();
  if (grad.size() != P || metric.size() != P * P) throw ValueError("QNG: metric, gradient and weights differ in size");
  // Cholesky of A = g + λI (symmetric positive semi-definite plus λ: positive definite for λ > 0).
  std::vector<double> L(P * P, 0.0);
  for (std::size_t i = 0; i < P; ++i)
    for (std::size_t j = 0; j <= i; ++j) {
      double s = metric[i * P + j] + (i == j ? lambda_ : 0.0);
      for (std::size_t k = 0; k < j; ++k) s -= L[i * P + k] * L[j * P + k];
      if (i == j) {
        if (!(s > 0)) throw ValueError("QNG: metric is singular; increase the regularisation");
        L[i * P + i] = std::sqrt(s);
      } else {
        L[i * P + j] = s / L[j * P + j];
      }
    }
  std::vector<double> y(P), d(P);
  for (std::size_t i = 0; i < P; ++i) {
    double s = grad[i];
    for (std::size_t k = 0; k < i; ++k) s -= L[i * P + k] * y[k];
    y[i] = s / L[i * P + i];
  }
  for (std::size_t i = P; i-- > 0;) {
    double s = y[i];
    for (std::size_t k = i + 1; k < P; ++k) s -= L[k * P + i] * d[k];
    d[i] = s / L[i * P + i];
  }
  for (std::size_t i = 0; i < P; ++i) theta[i] -= lr_ * d[i];
}

}  // namespace qnn
