#pragma once
// Internal to src/diff: a circuit operation as one step of the adjoint sweep's backward pass (kernels::AdjointStep),
// shared by the single-state and the batched sweeps.
#include <array>
#include <span>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/gate.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/sim/kernels.hpp"

namespace qnn::detail {

// A one-target gate (any controls, at most three parameters) becomes one step of kernels::adjoint_steps (or
// batched_adjoint_step): φ ← U†φ, g_p = 2 Re⟨λ|∂U/∂θ_p|φ⟩, λ ← U†λ in one pass over both states instead of three,
// and consecutive steps on low qubits share a pass, block by block. The kernel takes G_p = (∂U/∂θ_p) U† and the state
// before the step: ⟨λ|D_p U†φ⟩ = ⟨λ|G_p φ⟩ needs no second product with U†φ, and for a Pauli rotation G_p = −iP/2
// is real (RY) or diagonal (RZ), which the kernel exploits. Returns false where the op is not such a gate.
inline bool make_adjoint_step(const Operation& op, std::span<const double> ang, const DiffWrt& wrt,
                              kernels::AdjointStep& st, std::array<unsigned, 3>& which) {
  const std::size_t np = op.params.size();
  if (np > 3 || op.kind == GateKind::Unitary || op.targets().size() != 1) return false;
  const ControlList clist = op.control_list();
  if (clist.size > kernels::kMaxAdjointStepControls) return false;
  st = kernels::AdjointStep{};
  st.target = op.targets()[0];
  st.num_controls = static_cast<unsigned>(clist.size);
  for (std::size_t i = 0; i < clist.size; ++i) st.controls[i] = clist.qubits[i];
  const GateMatrix u_dag = adjoint(gate_matrix(op.kind, ang));
  for (unsigned e = 0; e < 4; ++e) st.u_dag[e] = u_dag.m[e];
  // RX, RY, RZ (extra controls or not): U = exp(−iθP/2), so G = (∂U/∂θ)U† = −iP/2 whatever θ, with no derivative
  // matrix (and its sine and cosine) to build and multiply.
  const GateKind base = base_kind(op.kind);
  const bool pauli_rotation = np == 1 && gate_info(op.kind).num_controls == 0 &&
                              (base == GateKind::RX || base == GateKind::RY || base == GateKind::RZ);
  if (pauli_rotation && wrt.needs(op.params[0])) {
    const GateMatrix pm = gate_generator(op.kind);
    for (unsigned e = 0; e < 4; ++e) st.generators[0][e] = cplx(0, -0.5) * pm.m[e];
    which[st.num_generators++] = 0;
    return true;
  }
  for (std::size_t p = 0; p < np && !pauli_rotation; ++p) {
    if (!wrt.needs(op.params[p])) continue;
    const GateMatrix d = gate_derivative(op.kind, ang, static_cast<unsigned>(p));
    auto& g = st.generators[st.num_generators];
    for (unsigned r = 0; r < 2; ++r)
      for (unsigned c = 0; c < 2; ++c) g[r * 2 + c] = d.m[r * 2] * u_dag.m[c] + d.m[r * 2 + 1] * u_dag.m[2 + c];
    which[st.num_generators++] = static_cast<unsigned>(p);
  }
  return true;
}

}  // namespace qnn::detail
