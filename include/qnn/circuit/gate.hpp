#pragma once
// The gate table (Stim's habit): one entry per gate kind, read by the simulators, the differentiator, the CLI help and
// the tests, so a new gate is one entry and is tested everywhere at once.
//
// A gate's qubits are listed controls first, then targets (as in OpenQASM: `cx control, target`). `matrix` is the
// 2^k × 2^k matrix on the k targets only (little-endian: bit j of a row index is target j); the controls restrict it
// to the subspace where every control is 1.
#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "qnn/core/complex.hpp"

namespace qnn {

enum class GateKind : std::uint8_t {
  I, X, Y, Z, H, S, Sdg, T, Tdg, SX, SXdg,
  RX, RY, RZ, P, U,
  CX, CY, CZ, CH, SWAP, ISWAP, CRX, CRY, CRZ, CP,
  RXX, RYY, RZZ,
  CCX, CSWAP,
  Unitary,  // a user matrix on 1 or more qubits (stored in the operation)
};

/// A dense matrix of at most 4×4 (gates in the table act on at most 2 targets).
struct GateMatrix {
  unsigned dim = 0;
  std::array<cplx, 16> m{};
  [[nodiscard]] std::span<const cplx> span() const { return {m.data(), std::size_t{dim} * dim}; }
  cplx& operator()(unsigned r, unsigned c) { return m[r * dim + c]; }
  cplx operator()(unsigned r, unsigned c) const { return m[r * dim + c]; }
};

enum GateFlags : std::uint32_t {
  kDiagonal = 1U << 0,     // matrix is diagonal: no pairing of amplitudes
  kPermutation = 1U << 1,  // matrix permutes basis states (no arithmetic)
  kClifford = 1U << 2,     // maps Pauli strings to Pauli strings
  kSelfInverse = 1U << 3,  // U·U = I
  kRotation = 1U << 4,     // U(θ) = exp(−iθG/2) with G² = I: two-term shift rule with shift π/2
};

struct GateInfo {
  GateKind kind;
  std::string_view name;   // OpenQASM name
  unsigned num_qubits;     // controls + targets (0: variable, for Unitary)
  unsigned num_controls;   // leading qubits that are controls
  unsigned num_params;
  std::uint32_t flags;
  GateKind inverse;        // kind of U† (U(θ)† = U(−θ); U(θ,φ,λ)† = U(−θ,−λ,−φ)); Unitary: use the adjoint matrix
  std::string_view help;

  [[nodiscard]] unsigned num_targets() const { return num_qubits - num_controls; }
  [[nodiscard]] bool has(GateFlags f) const { return (flags & f) != 0; }
};

/// Every gate kind, in enum order.
std::span<const GateInfo> gate_table();
const GateInfo& gate_info(GateKind kind);
/// The entry with this OpenQASM name (lower case: "cx", "rz", …), or nullptr.
const GateInfo* find_gate(std::string_view name);

/// The uncontrolled gate a controlled kind applies to its targets (CX, CCX → X; CRZ → RZ; CSWAP → SWAP; …); any
/// other kind: itself. Its matrix is gate_matrix(kind).
GateKind base_kind(GateKind kind);

/// The matrix of `kind` on its targets at the given parameters (Unitary is not in the table: it throws).
GateMatrix gate_matrix(GateKind kind, std::span<const double> params);
/// The same matrix (its adjoint if `dagger`) written to out[0 … dim²) (out holds at least 16 entries); returns dim.
/// For hot paths that keep the matrix in their own storage.
unsigned gate_matrix_into(GateKind kind, std::span<const double> params, cplx* out, bool dagger = false);
/// ∂matrix/∂params[k].
GateMatrix gate_derivative(GateKind kind, std::span<const double> params, unsigned k);
/// Hermitian G with U(θ) = exp(−iθG/2) up to a global phase that the derivative keeps (kRotation gates and P, CP,
/// whose G = −2|1⟩⟨1| on the target). Empty (dim 0) for gates without one parameter.
GateMatrix gate_generator(GateKind kind);

/// Conjugate transpose.
GateMatrix adjoint(const GateMatrix& m);

}  // namespace qnn
