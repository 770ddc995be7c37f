#include "qnn/exec/batched.hpp"

#include <array>
#include <cmath>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {

BatchAngles bind_batch_angles(const Circuit& c, std::span<const double> theta, const BatchInputs& x, unsigned batch) {
  if (x.data.size() != std::size_t{batch} * x.num_features) {
    throw ValueError("batch inputs have " + std::to_string(x.data.size()) + " values, expected " +
                     std::to_string(batch) + " samples × " + std::to_string(x.num_features) + " features");
  }
  if (x.num_features < c.num_inputs()) {
    throw ValueError("the circuit reads " + std::to_string(c.num_inputs()) + " input features but samples have " +
                     std::to_string(x.num_features));
  }
  // Validate θ (and sample 0's inputs) through the single-sample binder: one source of error messages.
  const std::vector<double> first = bind_angles(c, theta, batch ? x.data.first(x.num_features) : x.data);
  for (std::size_t i = 0; i < x.data.size(); ++i)
    if (!std::isfinite(x.data[i])) {
      throw ValueError("input feature " + std::to_string(i % x.num_features) + " of sample " +
                       std::to_string(i / x.num_features) + " is not finite");
    }
  BatchAngles a;
  const auto& ops = c.ops();
  a.per_sample.resize(ops.size());
  a.offset.resize(ops.size());
  std::size_t f = 0;
  for (std::size_t k = 0; k < ops.size(); ++k) {
    const auto& op = ops[k];
    const std::size_t np = op.params.size();
    bool reads_x = false;
    for (const Expr& e : op.params) reads_x = reads_x || e.num_inputs() > 0;
    a.per_sample[k] = reads_x;
    a.offset[k] = a.values.size();
    if (!reads_x) {
      a.values.insert(a.values.end(), first.begin() + static_cast<std::ptrdiff_t>(f),
                      first.begin() + static_cast<std::ptrdiff_t>(f + np));
    } else {
      for (unsigned b = 0; b < batch; ++b) {
        const auto xb = x.data.subspan(b * x.num_features, x.num_features);
        for (const Expr& e : op.params) {
          const double v = e.eval(theta, xb);
          if (!std::isfinite(v)) throw ValueError("an angle evaluates to a non-finite number for sample " + std::to_string(b));
          a.values.push_back(v);
        }
      }
    }
    f += np;
  }
  return a;
}

template <Real T>
void apply_operation_batched(BatchedStateVector<T>& psi, const Circuit& c, std::size_t k, const BatchAngles& angles,
                             bool inverse) {
  const Operation& op = c.ops()[k];
  const std::span<const unsigned> targets = op.targets();
  const std::size_t np = op.params.size();
  // Built-in controls are a view of op.qubits; the 256-byte extra-control list is built only when there are extras
  // (constructing it zero-filled it, and matrices went through zero-filled GateMatrix values: a tenth of a batched
  // step on 4 qubits).
  auto apply = [&](auto&& fn) {
    if (op.controls.empty()) {
      fn(std::span<const unsigned>(op.qubits).first(op.qubits.size() - targets.size()));
    } else {
      const ControlList clist = op.control_list();
      fn(clist.span());
    }
  };
  if (op.kind == GateKind::Unitary) {
    apply([&](std::span<const unsigned> controls) {
      psi.apply_matrix(targets, inverse ? adjoint_matrix(*op.matrix) : *op.matrix, controls);
    });
    return;
  }
  if (!angles.per_sample[k]) {
    const auto ang = std::span<const double>(angles.values).subspan(angles.offset[k], np);
    union Storage {
      Storage() {}
      cplx m[16];
    } s;
    const unsigned dim = gate_matrix_into(op.kind, ang, s.m, inverse);
    apply([&](std::span<const unsigned> controls) {
      psi.apply_matrix(targets, std::span<const cplx>(s.m, std::size_t{dim} * dim), controls);
    });
    return;
  }
  const unsigned B = psi.batch();
  thread_local std::vector<cplx> ms;
  const std::size_t dim = std::size_t{1} << targets.size(), d2 = dim * dim;
  ms.resize(d2 * B + 16);  // gate_matrix_into may use 16 entries from the last sample's start
  for (unsigned b = 0; b < B; ++b) {
    const auto ang = std::span<const double>(angles.values).subspan(angles.offset[k] + b * np, np);
    gate_matrix_into(op.kind, ang, ms.data() + b * d2, inverse);
  }
  apply([&](std::span<const unsigned> controls) {
    psi.apply_matrix_per_sample(targets, std::span<const cplx>(ms.data(), d2 * B), controls);
  });
}

template <Real T>
void run_batched(const Circuit& c, BatchedStateVector<T>& psi, std::span<const double> theta, const BatchInputs& x) {
  if (psi.num_qubits() != c.num_qubits()) throw ValueError("circuit and batched state differ in qubit count");
  const BatchAngles angles = bind_batch_angles(c, theta, x, psi.batch());
  for (std::size_t k = 0; k < c.ops().size(); ++k) apply_operation_batched(psi, c, k, angles);
}

template <Real T>
void expectation_batched(const BatchedStateVector<T>& psi, const PauliSum& obs, std::span<double> out) {
  if (obs.min_qubits() > psi.num_qubits()) throw ValueError("observable acts beyond the state's qubits");
  std::fill(out.begin(), out.end(), 0.0);
  std::vector<double> t(psi.batch());
  for (const auto& term : obs.terms()) {
    if (term.string.factors().empty()) {
      for (auto& v : out) v += term.coeff;  // states are normalised
      continue;
    }
    psi.expectation(term.string.masks(), t);
    for (unsigned b = 0; b < psi.batch(); ++b) out[b] += term.coeff * t[b];
  }
}

#define QNN_INSTANTIATE(T)                                                                                        \
  template void apply_operation_batched<T>(BatchedStateVector<T>&, const Circuit&, std::size_t, const BatchAngles&, \
                                           bool);                                                                  \
  template void run_batched<T>(const Circuit&, BatchedStateVector<T>&, std::span<const double>, const BatchInputs&); \
  template void expectation_batched<T>(const BatchedStateVector<T>&, const PauliSum&, std::span<double>);
QNN_INSTANTIATE(float)
QNN_INSTANTIATE(double)
#undef QNN_INSTANTIATE

}  // namespace qnn
