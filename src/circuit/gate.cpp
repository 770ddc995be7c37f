#include "qnn/circuit/gate.hpp"

#include <cmath>
#include <numbers>
#include <string>

#include "qnn/core/error.hpp"

namespace qnn {

namespace {
using K = GateKind;
constexpr std::uint32_t D = kDiagonal, Pm = kPermutation, C = kClifford, SI = kSelfInverse, R = kRotation;

constexpr GateInfo kTable[] = {
    {K::I, "id", 1, 0, 0, D | Pm | C | SI, K::I, "identity"},
    {K::X, "x", 1, 0, 0, Pm | C | SI, K::X, "Pauli X (NOT)"},
    {K::Y, "y", 1, 0, 0, C | SI, K::Y, "Pauli Y"},
    {K::Z, "z", 1, 0, 0, D | C | SI, K::Z, "Pauli Z"},
    {K::H, "h", 1, 0, 0, C | SI, K::H, "Hadamard"},
    {K::S, "s", 1, 0, 0, D | C, K::Sdg, "phase S = diag(1, i)"},
    {K::Sdg, "sdg", 1, 0, 0, D | C, K::S, "S† = diag(1, −i)"},
    {K::T, "t", 1, 0, 0, D, K::Tdg, "T = diag(1, e^{iπ/4})"},
    {K::Tdg, "tdg", 1, 0, 0, D, K::T, "T† = diag(1, e^{−iπ/4})"},
    {K::SX, "sx", 1, 0, 0, C, K::SXdg, "√X"},
    {K::SXdg, "sxdg", 1, 0, 0, C, K::SX, "√X†"},
    {K::RX, "rx", 1, 0, 1, R, K::RX, "RX(θ) = exp(−iθX/2)"},
    {K::RY, "ry", 1, 0, 1, R, K::RY, "RY(θ) = exp(−iθY/2)"},
    {K::RZ, "rz", 1, 0, 1, R | D, K::RZ, "RZ(θ) = exp(−iθZ/2)"},
    {K::P, "p", 1, 0, 1, D, K::P, "phase P(λ) = diag(1, e^{iλ})"},
    {K::U, "u", 1, 0, 3, 0, K::U, "U(θ, φ, λ) = RZ(φ) RY(θ) RZ(λ) up to phase (OpenQASM u3)"},
    {K::CX, "cx", 2, 1, 0, Pm | C | SI, K::CX, "controlled X (CNOT): control, target"},
    {K::CY, "cy", 2, 1, 0, C | SI, K::CY, "controlled Y"},
    {K::CZ, "cz", 2, 1, 0, D | C | SI, K::CZ, "controlled Z"},
    {K::CH, "ch", 2, 1, 0, SI, K::CH, "controlled Hadamard"},
    {K::SWAP, "swap", 2, 0, 0, Pm | C | SI, K::SWAP, "swap two qubits"},
    {K::ISWAP, "iswap", 2, 0, 0, C, K::Unitary, "iSWAP: swap with phase i on |01⟩, |10⟩"},
    {K::CRX, "crx", 2, 1, 1, 0, K::CRX, "controlled RX(θ)"},
    {K::CRY, "cry", 2, 1, 1, 0, K::CRY, "controlled RY(θ)"},
    {K::CRZ, "crz", 2, 1, 1, D, K::CRZ, "controlled RZ(θ)"},
    {K::CP, "cp", 2, 1, 1, D, K::CP, "controlled phase CP(λ) = diag(1, 1, 1, e^{iλ})"},
    {K::RXX, "rxx", 2, 0, 1, R, K::RXX, "RXX(θ) = exp(−iθ X⊗X/2)"},
    {K::RYY, "ryy", 2, 0, 1, R, K::RYY, "RYY(θ) = exp(−iθ Y⊗Y/2)"},
    {K::RZZ, "rzz", 2, 0, 1, R | D, K::RZZ, "RZZ(θ) = exp(−iθ Z⊗Z/2)"},
    {K::CCX, "ccx", 3, 2, 0, Pm | SI, K::CCX, "Toffoli: control, control, target"},
    {K::CSWAP, "cswap", 3, 1, 0, Pm | SI, K::CSWAP, "Fredkin: control, target, target"},
    {K::Unitary, "unitary", 0, 0, 0, 0, K::Unitary, "any unitary matrix given by the user"},
};
static_assert(std::size(kTable) == static_cast<std::size_t>(K::Unitary) + 1);

constexpr cplx I1{0, 1};

GateMatrix m2(cplx a, cplx b, cplx c, cplx d) {
  GateMatrix g;
  g.dim = 2;
  g.m[0] = a;
  g.m[1] = b;
  g.m[2] = c;
  g.m[3] = d;
  return g;
}
GateMatrix m4(std::initializer_list<cplx> v) {
  GateMatrix g;
  g.dim = 4;
  std::size_t i = 0;
  for (cplx x : v) g.m[i++] = x;
  return g;
}
GateMatrix diag4(cplx a, cplx b, cplx c, cplx d) { return m4({a, 0, 0, 0, 0, b, 0, 0, 0, 0, c, 0, 0, 0, 0, d}); }

GateMatrix product(const GateMatrix& a, const GateMatrix& b) {
  GateMatrix r;
  r.dim = a.dim;
  for (unsigned i = 0; i < a.dim; ++i)
    for (unsigned j = 0; j < a.dim; ++j) {
      cplx s = 0;
      for (unsigned k = 0; k < a.dim; ++k) s += a(i, k) * b(k, j);
      r(i, j) = s;
    }
  return r;
}


void check_params(K kind, std::span<const double> p) {
  const GateInfo& g = gate_info(kind);
  if (p.size() != g.num_params) {
    throw ValueError("gate '" + std::string(g.name) + "' takes " + std::to_string(g.num_params) +
                     " parameters, got " + std::to_string(p.size()));
  }
}
// A matrix written straight into a caller's buffer (gate_matrix_into): a GateMatrix value zero-fills all 16 entries
// first, a sixth of a 1-qubit gate on a 16-amplitude state (apply_operation uses the buffer form).
unsigned w2(cplx* out, cplx a, cplx b, cplx c, cplx d) {
  out[0] = a;
  out[1] = b;
  out[2] = c;
  out[3] = d;
  return 2;
}
unsigned w4(cplx* out, std::initializer_list<cplx> v) {
  std::size_t i = 0;
  for (cplx x : v) out[i++] = x;
  return 4;
}
unsigned wdiag4(cplx* out, cplx a, cplx b, cplx c, cplx d) {
  return w4(out, {a, 0, 0, 0, 0, b, 0, 0, 0, 0, c, 0, 0, 0, 0, d});
}

unsigned table_matrix_into(GateKind kind, std::span<const double> p, cplx* out);

}  // namespace

GateKind base_kind(GateKind k) {
  switch (k) {
    case K::CX: case K::CCX: return K::X;
    case K::CY: return K::Y;
    case K::CZ: return K::Z;
    case K::CH: return K::H;
    case K::CRX: return K::RX;
    case K::CRY: return K::RY;
    case K::CRZ: return K::RZ;
    case K::CP: return K::P;
    case K::CSWAP: return K::SWAP;
    default: return k;
  }
}

std::span<const GateInfo> gate_table() { return kTable; }

const GateInfo& gate_info(GateKind kind) { return kTable[static_cast<std::size_t>(kind)]; }

const GateInfo* find_gate(std::string_view name) {
  for (const GateInfo& g : kTable)
    if (g.name == name) return &g;
  return nullptr;
}

unsigned gate_matrix_into(GateKind kind, std::span<const double> p, cplx* out, bool dagger) {
  const unsigned dim = table_matrix_into(kind, p, out);
  if (dagger) {
    for (unsigned r = 0; r < dim; ++r)
      for (unsigned c = r; c < dim; ++c) {
        const cplx a = out[r * dim + c], b = out[c * dim + r];
        out[r * dim + c] = std::conj(b);
        out[c * dim + r] = std::conj(a);
      }
  }
  return dim;
}

namespace {
unsigned table_matrix_into(GateKind kind, std::span<const double> p, cplx* out) {
  check_params(kind, p);
  const double r2 = std::numbers::sqrt2 / 2;
  switch (base_kind(kind)) {
    case K::I: return w2(out, 1, 0, 0, 1);
    case K::X: return w2(out, 0, 1, 1, 0);
    case K::Y: return w2(out, 0, -I1, I1, 0);
    case K::Z: return w2(out, 1, 0, 0, -1);
    case K::H: return w2(out, r2, r2, r2, -r2);
    case K::S: return w2(out, 1, 0, 0, I1);
    case K::Sdg: return w2(out, 1, 0, 0, -I1);
    case K::T: return w2(out, 1, 0, 0, std::polar(1.0, std::numbers::pi / 4));
    case K::Tdg: return w2(out, 1, 0, 0, std::polar(1.0, -std::numbers::pi / 4));
    case K::SX: return w2(out, cplx(0.5, 0.5), cplx(0.5, -0.5), cplx(0.5, -0.5), cplx(0.5, 0.5));
    case K::SXdg: return w2(out, cplx(0.5, -0.5), cplx(0.5, 0.5), cplx(0.5, 0.5), cplx(0.5, -0.5));
    case K::RX: {
      const double c = std::cos(p[0] / 2), s = std::sin(p[0] / 2);
      return w2(out, c, -I1 * s, -I1 * s, c);
    }
    case K::RY: {
      const double c = std::cos(p[0] / 2), s = std::sin(p[0] / 2);
      return w2(out, c, -s, s, c);
    }
    case K::RZ: {
      // e^{+iθ/2} is the conjugate of e^{−iθ/2}: one sincos, not two (a third of a small-state RZ's cost).
      const cplx a = std::polar(1.0, -p[0] / 2);
      return w2(out, a, 0, 0, std::conj(a));
    }
    case K::P: return w2(out, 1, 0, 0, std::polar(1.0, p[0]));
    case K::U: {
      const double c = std::cos(p[0] / 2), s = std::sin(p[0] / 2);
      return w2(out, c, -std::polar(s, p[2]), std::polar(s, p[1]), std::polar(c, p[1] + p[2]));
    }
    case K::SWAP: return w4(out, {1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1});
    case K::ISWAP: return w4(out, {1, 0, 0, 0, 0, 0, I1, 0, 0, I1, 0, 0, 0, 0, 0, 1});
    case K::RXX: {
      const cplx c = std::cos(p[0] / 2), s = -I1 * std::sin(p[0] / 2);
      return w4(out, {c, 0, 0, s, 0, c, s, 0, 0, s, c, 0, s, 0, 0, c});
    }
    case K::RYY: {
      const cplx c = std::cos(p[0] / 2), s = I1 * std::sin(p[0] / 2);
      return w4(out, {c, 0, 0, s, 0, c, -s, 0, 0, -s, c, 0, s, 0, 0, c});
    }
    case K::RZZ: {
      const cplx a = std::polar(1.0, -p[0] / 2), b = std::conj(a);
      return wdiag4(out, a, b, b, a);
    }
    default: throw ValueError("gate '" + std::string(gate_info(kind).name) + "' has no fixed matrix");
  }
}
}  // namespace

GateMatrix gate_matrix(GateKind kind, std::span<const double> p) {
  GateMatrix g;
  g.dim = gate_matrix_into(kind, p, g.m.data());
  return g;
}

GateMatrix gate_generator(GateKind kind) {
  switch (base_kind(kind)) {
    case K::RX: return gate_matrix(K::X, {});
    case K::RY: return gate_matrix(K::Y, {});
    case K::RZ: return gate_matrix(K::Z, {});
    case K::P: return m2(0, 0, 0, -2);
    case K::RXX: return m4({0, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0});
    case K::RYY: return m4({0, 0, 0, -1, 0, 0, 1, 0, 0, 1, 0, 0, -1, 0, 0, 0});
    case K::RZZ: return diag4(1, -1, -1, 1);
    default: return {};
  }
}

GateMatrix gate_derivative(GateKind kind, std::span<const double> p, unsigned k) {
  check_params(kind, p);
  if (k >= p.size()) throw ValueError("parameter index out of range");
  if (base_kind(kind) == K::U) {
    const double c = std::cos(p[0] / 2), s = std::sin(p[0] / 2);
    switch (k) {
      case 0: return m2(-s / 2, -std::polar(c / 2, p[2]), std::polar(c / 2, p[1]), -std::polar(s / 2, p[1] + p[2]));
      case 1: return m2(0, 0, I1 * std::polar(s, p[1]), I1 * std::polar(c, p[1] + p[2]));
      default: return m2(0, -I1 * std::polar(s, p[2]), 0, I1 * std::polar(c, p[1] + p[2]));
    }
  }
  // U(θ) = exp(−iθG/2)  ⇒  dU/dθ = (−i/2) G U(θ)
  GateMatrix g = gate_generator(kind);
  GateMatrix u = gate_matrix(kind, p);
  GateMatrix d = product(g, u);
  for (auto& x : d.m) x *= cplx(0, -0.5);
  return d;
}

GateMatrix adjoint(const GateMatrix& m) {
  GateMatrix r;
  r.dim = m.dim;
  for (unsigned i = 0; i < m.dim; ++i)
    for (unsigned j = 0; j < m.dim; ++j) r(i, j) = std::conj(m(j, i));
  return r;
}

}  // namespace qnn
