#include "qnn/exec/simulate_density_matrix.hpp"

#include <optional>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {

template <Real T>
void apply_operation(DensityMatrix<T>& rho, const Operation& op, std::span<const double> angles, bool inverse) {
  const std::span<const unsigned> targets = op.targets();
  std::optional<ControlList> clist;
  std::span<const unsigned> controls = std::span<const unsigned>(op.qubits).first(op.qubits.size() - targets.size());
  if (!op.controls.empty()) controls = clist.emplace(op.control_list()).span();
  if (op.kind == GateKind::Unitary) {
    rho.apply_matrix(targets, inverse ? std::span<const cplx>(adjoint_matrix(*op.matrix)) : std::span<const cplx>(*op.matrix),
                     controls);
    return;
  }
  const GateMatrix m = inverse ? adjoint(gate_matrix(op.kind, angles)) : gate_matrix(op.kind, angles);
  rho.apply_matrix(targets, m.span(), controls);
}

template <Real T>
void run(const Circuit& c, DensityMatrix<T>& rho, std::span<const double> theta, std::span<const double> x) {
  if (rho.num_qubits() != c.num_qubits()) {
    throw ValueError("circuit on " + std::to_string(c.num_qubits()) + " qubits run on a density matrix of " +
                     std::to_string(rho.num_qubits()));
  }
  const std::vector<double> angles = bind_angles(c, theta, x);
  std::size_t a = 0;
  for (const Operation& op : c.ops()) {
    const std::size_t np = op.params.size();
    apply_operation(rho, op, std::span<const double>(angles).subspan(a, np));
    a += np;
  }
}

template <Real T>
double expectation(const DensityMatrix<T>& rho, const PauliSum& obs) {
  if (obs.min_qubits() > rho.num_qubits()) {
    throw ValueError("observable '" + obs.to_string() + "' acts on qubit " + std::to_string(obs.min_qubits() - 1) +
                     " of a " + std::to_string(rho.num_qubits()) + "-qubit density matrix");
  }
  double e = 0;
  for (const auto& t : obs.terms()) {
    e += t.coeff * (t.string.factors().empty() ? rho.trace() : rho.expectation(t.string.masks()));
  }
  return e;
}

#define QNN_INSTANTIATE(T)                                                                                   \
  template void apply_operation<T>(DensityMatrix<T>&, const Operation&, std::span<const double>, bool);     \
  template void run<T>(const Circuit&, DensityMatrix<T>&, std::span<const double>, std::span<const double>); \
  template double expectation<T>(const DensityMatrix<T>&, const PauliSum&);
QNN_INSTANTIATE(float)
QNN_INSTANTIATE(double)
#undef QNN_INSTANTIATE

}  // namespace qnn
