#include "qnn/circuit/circuit.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "qnn/core/error.hpp"

namespace qnn {

std::span<const unsigned> Operation::targets() const {
  const unsigned nc = kind == GateKind::Unitary ? 0 : info().num_controls;
  return std::span<const unsigned>(qubits).subspan(nc);
}

std::vector<unsigned> Operation::all_controls() const {
  const unsigned nc = kind == GateKind::Unitary ? 0 : info().num_controls;
  std::vector<unsigned> c(qubits.begin(), qubits.begin() + nc);
  c.insert(c.end(), controls.begin(), controls.end());
  return c;
}

ControlList Operation::control_list() const {
  ControlList c;
  const std::size_t builtin = qubits.size() - targets().size();
  for (std::size_t k = 0; k < builtin; ++k) c.qubits[c.size++] = qubits[k];
  for (unsigned q : controls) c.qubits[c.size++] = q;
  return c;
}

bool Operation::is_parameterised() const {
  return std::any_of(params.begin(), params.end(), [](const Expr& e) { return e.has_variables(); });
}

Circuit::Circuit(unsigned num_qubits) : n_(num_qubits) {
  if (num_qubits == 0) throw ValueError("a circuit needs at least 1 qubit, got 0");
  if (num_qubits > 63) throw ValueError("a circuit has at most 63 qubits, got " + std::to_string(num_qubits));
}

void Circuit::validate(const Operation& op) const {
  const GateInfo& g = op.info();
  const std::string name(g.name);
  if (op.kind != GateKind::Unitary && op.qubits.size() != g.num_qubits) {
    throw ValueError("gate '" + name + "' acts on " + std::to_string(g.num_qubits) + " qubits, got " +
                     std::to_string(op.qubits.size()));
  }
  if (op.params.size() != g.num_params) {
    throw ValueError("gate '" + name + "' takes " + std::to_string(g.num_params) + " parameters, got " +
                     std::to_string(op.params.size()));
  }
  std::vector<bool> used(n_, false);
  auto check = [&](unsigned q) {
    if (q >= n_) {
      throw ValueError("gate '" + name + "': qubit " + std::to_string(q) + " out of range [0, " + std::to_string(n_) +
                       ")");
    }
    if (used[q]) throw ValueError("gate '" + name + "': qubit " + std::to_string(q) + " used twice");
    used[q] = true;
  };
  for (unsigned q : op.qubits) check(q);
  for (unsigned q : op.controls) check(q);
  for (const Expr& e : op.params)
    if (e.is_constant() && !std::isfinite(e.constant_value()))
      throw ValueError("gate '" + name + "': angle is not a finite number");
}

Circuit& Circuit::add(GateKind kind, std::vector<unsigned> qubits, std::vector<Expr> params,
                      std::vector<unsigned> extra_controls) {
  if (kind == GateKind::Unitary) throw ValueError("use Circuit::unitary to add a matrix gate");
  Operation op;
  op.kind = kind;
  op.qubits = std::move(qubits);
  op.params = std::move(params);
  op.controls = std::move(extra_controls);
  return append(op);
}

Circuit& Circuit::unitary(std::vector<unsigned> targets, std::vector<cplx> matrix, std::vector<unsigned> controls) {
  if (targets.empty()) throw ValueError("gate 'unitary' needs at least one target qubit");
  if (targets.size() > 10) throw ValueError("gate 'unitary' acts on at most 10 qubits");
  const std::size_t dim = std::size_t{1} << targets.size();
  if (matrix.size() != dim * dim) {
    throw ValueError("gate 'unitary' on " + std::to_string(targets.size()) + " qubits needs " +
                     std::to_string(dim * dim) + " matrix entries, got " + std::to_string(matrix.size()));
  }
  // U†U = I to 1e-10
  double worst = 0;
  for (std::size_t r = 0; r < dim; ++r)
    for (std::size_t c = 0; c < dim; ++c) {
      cplx s = 0;
      for (std::size_t k = 0; k < dim; ++k) s += std::conj(matrix[k * dim + r]) * matrix[k * dim + c];
      worst = std::max(worst, std::abs(s - cplx(r == c ? 1.0 : 0.0)));
    }
  if (!(worst <= 1e-10)) throw ValueError("gate 'unitary': matrix is not unitary (|U†U − I| = " + std::to_string(worst) + ")");
  Operation op;
  op.kind = GateKind::Unitary;
  op.qubits = std::move(targets);
  op.controls = std::move(controls);
  op.matrix = std::make_shared<const std::vector<cplx>>(std::move(matrix));
  return append(op);
}

Circuit& Circuit::append(const Operation& op) {
  validate(op);
  if (op.kind == GateKind::Unitary &&
      (!op.matrix || op.matrix->size() != (std::size_t{1} << (2 * op.qubits.size())))) {
    throw ValueError("gate 'unitary': matrix size does not match its qubits");
  }
  for (const Expr& e : op.params) {
    num_theta_ = std::max(num_theta_, e.num_theta());
    num_inputs_ = std::max(num_inputs_, e.num_inputs());
  }
  ops_.push_back(op);
  return *this;
}

Circuit& Circuit::declare_parameters(unsigned num_theta, unsigned num_inputs) {
  num_theta_ = std::max(num_theta_, num_theta);
  num_inputs_ = std::max(num_inputs_, num_inputs);
  return *this;
}

Circuit& Circuit::append(const Circuit& other) {
  if (other.n_ > n_) {
    throw ValueError("cannot append a circuit on " + std::to_string(other.n_) + " qubits to one on " +
                     std::to_string(n_));
  }
  for (const Operation& op : other.ops_) append(op);
  return declare_parameters(other.num_theta_, other.num_inputs_);
}

Circuit Circuit::inverse() const {
  Circuit inv(n_);
  for (auto it = ops_.rbegin(); it != ops_.rend(); ++it) {
    Operation op = *it;
    const GateInfo& g = op.info();
    if (op.kind == GateKind::Unitary || g.inverse == GateKind::Unitary) {
      // No inverse kind in the table: store the adjoint matrix.
      std::vector<cplx> a = adjoint_matrix(operation_matrix(op, {}));
      Operation u;
      u.kind = GateKind::Unitary;
      u.qubits.assign(op.targets().begin(), op.targets().end());
      u.controls = op.all_controls();
      u.matrix = std::make_shared<const std::vector<cplx>>(std::move(a));
      inv.append(u);
      continue;
    }
    op.kind = g.inverse;
    if (it->kind == GateKind::U) {
      op.params = {-it->params[0], -it->params[2], -it->params[1]};
    } else {
      for (Expr& e : op.params) e = -e;
    }
    inv.append(op);
  }
  inv.declare_parameters(num_theta_, num_inputs_);
  return inv;
}

GateMatrix operation_matrix_small(const Operation& op, std::span<const double> angles) {
  if (op.kind != GateKind::Unitary) return gate_matrix(op.kind, angles);
  GateMatrix g;
  if (op.matrix->size() > g.m.size()) throw ValueError("unitary too large for a small matrix");
  g.dim = static_cast<unsigned>(std::lround(std::sqrt(double(op.matrix->size()))));
  std::copy(op.matrix->begin(), op.matrix->end(), g.m.begin());
  return g;
}

std::vector<cplx> adjoint_matrix(std::span<const cplx> m) {
  const auto dim = static_cast<std::size_t>(std::lround(std::sqrt(double(m.size()))));
  std::vector<cplx> a(m.size());
  for (std::size_t r = 0; r < dim; ++r)
    for (std::size_t c = 0; c < dim; ++c) a[r * dim + c] = std::conj(m[c * dim + r]);
  return a;
}

std::vector<cplx> operation_matrix(const Operation& op, std::span<const double> angles) {
  if (op.kind == GateKind::Unitary) return *op.matrix;
  const GateMatrix g = gate_matrix(op.kind, angles);
  const auto s = g.span();
  return {s.begin(), s.end()};
}

}  // namespace qnn
