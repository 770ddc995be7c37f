#include "qnn/exec/simulate.hpp"

#include <array>
#include <cmath>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/exec/fusion.hpp"

namespace qnn {

namespace {
// Automatic fusion skips circuits this short: there is little to merge and fusing costs a little.
constexpr std::size_t kMinOpsToFuse = 4;

void check_finite(std::span<const double> v, const char* name) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (!std::isfinite(v[i])) {
      throw ValueError(std::string(name) + "[" + std::to_string(i) + "] is " + (std::isnan(v[i]) ? "NaN" : "infinite") +
                       "; parameters and inputs must be finite");
    }
}
}  // namespace

std::vector<double> bind_angles(const Circuit& c, std::span<const double> theta, std::span<const double> x) {
  if (theta.size() < c.num_theta()) {
    throw ValueError("the circuit has " + std::to_string(c.num_theta()) + " weights but " +
                     std::to_string(theta.size()) + " were given");
  }
  if (x.size() < c.num_inputs()) {
    throw ValueError("the circuit reads " + std::to_string(c.num_inputs()) + " input features but " +
                     std::to_string(x.size()) + " were given");
  }
  check_finite(theta, "theta");
  check_finite(x, "x");
  std::vector<double> angles;
  for (std::size_t k = 0; k < c.ops().size(); ++k) {
    for (const Expr& e : c.ops()[k].params) {
      const double a = e.eval(theta, x);
      if (!std::isfinite(a)) {
        throw ValueError("angle '" + e.to_string() + "' of operation " + std::to_string(k) + " (" +
                         std::string(c.ops()[k].info().name) + ") evaluates to a non-finite number");
      }
      angles.push_back(a);
    }
  }
  return angles;
}

template <Real T>
void apply_operation(StateVector<T>& psi, const Operation& op, std::span<const double> angles, bool inverse) {
  // Built-in controls are the leading qubits, so without extra controls they are a view of op.qubits; only extra
  // controls are gathered (into a 256-byte list, built only then: constructing it, even empty, zero-filled it).
  const std::span<const unsigned> targets = op.targets();
  const std::span<const unsigned> builtin = std::span<const unsigned>(op.qubits).first(op.qubits.size() - targets.size());
  auto apply = [&](std::span<const cplx> m) {
    if (op.controls.empty()) {
      psi.apply_matrix(targets, m, builtin);
    } else {
      const ControlList clist = op.control_list();
      psi.apply_matrix(targets, m, clist.span());
    }
  };
  if (op.kind == GateKind::Unitary) {
    if (!inverse) {
      apply(*op.matrix);
    } else {
      apply(adjoint_matrix(*op.matrix));
    }
    return;
  }
  // The table gate's matrix in uninitialised storage (a GateMatrix value would zero-fill 16 entries first).
  union Storage {
    Storage() {}
    cplx m[16];
  } s;
  const unsigned dim = gate_matrix_into(op.kind, angles, s.m, inverse);
  apply(std::span<const cplx>(s.m, std::size_t{dim} * dim));
}

template <Real T>
void run(const Circuit& c, StateVector<T>& psi, std::span<const double> theta, std::span<const double> x) {
  run(c, psi, theta, x, RunOptions{});
}

template <Real T>
void run(const Circuit& c, StateVector<T>& psi, std::span<const double> theta, std::span<const double> x,
         const RunOptions& options) {
  if (psi.num_qubits() != c.num_qubits()) {
    throw ValueError("circuit on " + std::to_string(c.num_qubits()) + " qubits run on a state of " +
                     std::to_string(psi.num_qubits()));
  }
  const std::vector<double> angles = bind_angles(c, theta, x);
  // Fusion pays once a state is large enough that each pass over it outweighs fusing (measured: n ≥ 10, see
  // fusion.cpp) and there are gates to merge; an explicit block size is always honoured (tests and benchmarks compare
  // the two paths).
  const bool automatic = options.fusion_qubits == RunOptions::kAuto;
  const unsigned k = automatic ? default_fusion_qubits(c.num_qubits()) : options.fusion_qubits;
  if (k >= 1 && (!automatic || c.size() > kMinOpsToFuse)) {
    run_fused(fuse(c, angles, k), psi);
    return;
  }
  std::size_t a = 0;
  for (const Operation& op : c.ops()) {
    const std::size_t np = op.params.size();
    apply_operation(psi, op, std::span<const double>(angles).subspan(a, np));
    a += np;
  }
}

template <Real T>
double expectation(const StateVector<T>& psi, const PauliSum& obs) {
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
void apply_observable(const StateVector<T>& psi, const PauliSum& obs, StateVector<T>& out) {
  if (obs.min_qubits() > psi.num_qubits()) {
    throw ValueError("observable '" + obs.to_string() + "' acts on qubit " + std::to_string(obs.min_qubits() - 1) +
                     " of a " + std::to_string(psi.num_qubits()) + "-qubit state");
  }
  out.set_zero();
  for (const auto& t : obs.terms()) out.add_pauli_applied(psi, t.string.masks(), t.coeff);
}

#define QNN_INSTANTIATE(T)                                                                                     \
  template void apply_operation<T>(StateVector<T>&, const Operation&, std::span<const double>, bool);         \
  template void run<T>(const Circuit&, StateVector<T>&, std::span<const double>, std::span<const double>);    \
  template void run<T>(const Circuit&, StateVector<T>&, std::span<const double>, std::span<const double>,     \
                       const RunOptions&);                                                                    \
  template double expectation<T>(const StateVector<T>&, const PauliSum&);                                     \
  template void apply_observable<T>(const StateVector<T>&, const PauliSum&, StateVector<T>&);
QNN_INSTANTIATE(float)
QNN_INSTANTIATE(double)
#undef QNN_INSTANTIATE

}  // namespace qnn
