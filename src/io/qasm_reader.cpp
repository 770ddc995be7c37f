// The OpenQASM 2.0 / 3 reader: a tokenizer, a recursive-descent parser and a gate expander in one pass.
//
// Every gate call is expanded on the spot into qnn Operations, so the Program holds only table gates (plus extra
// controls). A gate expands to (operations, global phase): the phase is dropped at top level, but `ctrl @` turns it
// into a controlled phase on the controls, which is why OpenQASM 3's stdgates phases are kept exactly.
//
// Hostile input is expected (the reader is fuzzed): every recursion (expression nesting, gate definitions calling
// gates, includes) is bounded, symbolic expressions are bounded in size, and the number of emitted operations is
// capped, so no file can exhaust the stack or memory or run for hours.
#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <numbers>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "qnn/core/error.hpp"
#include "qnn/io/atomic_file.hpp"
#include "qnn/io/qasm.hpp"

namespace qnn::qasm {

namespace {

constexpr unsigned kMaxNesting = 200;                    // expression parentheses, gate-call depth
constexpr unsigned kMaxIncludes = 64;                    // include files per program (stops self-inclusion)
constexpr std::size_t kMaxOperations = 2'000'000;        // emitted instructions after expansion (~0.5 GB)
constexpr std::uint64_t kMaxBits = 1'000'000;            // qubits (and, separately, classical bits) in all registers
constexpr double kMaxExprCost = 10'000;                  // nodes of a symbolic angle expression
constexpr double kPi = std::numbers::pi;

// ---- tokens ------------------------------------------------------------------------------------------------------

enum class Tok : std::uint8_t { End, Ident, Int, Real, String, Sym };

struct Loc {
  const std::string* file = nullptr;
  std::size_t line = 0;
  std::size_t col = 0;
};

struct Token {
  Tok kind = Tok::End;
  std::string_view text;
  Loc loc;
};

[[noreturn]] void fail(const Loc& at, const std::string& what) {
  throw ParseError(at.file ? *at.file : std::string("<input>"), at.line, at.col, what);
}

std::string describe(const Token& t) {
  switch (t.kind) {
    case Tok::End: return "end of file";
    case Tok::String: return "string \"" + std::string(t.text) + "\"";
    default: return "'" + std::string(t.text) + "'";
  }
}

bool ident_start(unsigned char c) { return std::isalpha(c) != 0 || c == '_' || c >= 0x80; }
bool ident_char(unsigned char c) { return std::isalnum(c) != 0 || c == '_' || c >= 0x80; }

std::string printable(unsigned char c) {
  if (c >= 0x20 && c < 0x7f) return std::string("'") + static_cast<char>(c) + "'";
  static const char* hex = "0123456789abcdef";
  return std::string("byte 0x") + hex[c >> 4] + hex[c & 15];
}

// Columns count characters, not bytes: UTF-8 continuation bytes (OpenQASM 3 allows θ, π) do not advance them.
std::vector<Token> tokenize(std::string_view src, const std::string* file) {
  std::vector<Token> out;
  std::size_t i = 0, line = 1, col = 1;
  const std::size_t n = src.size();
  auto advance = [&](std::size_t count) {
    for (std::size_t k = 0; k < count && i < n; ++k, ++i) {
      const auto c = static_cast<unsigned char>(src[i]);
      if (c == '\n') {
        ++line;
        col = 1;
      } else if ((c & 0xC0) != 0x80) {
        ++col;
      }
    }
  };
  if (src.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 byte-order mark
  while (i < n) {
    const auto c = static_cast<unsigned char>(src[i]);
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') {
      advance(1);
      continue;
    }
    const Loc here{file, line, col};
    if (c == '/' && i + 1 < n && src[i + 1] == '/') {
      while (i < n && src[i] != '\n') advance(1);
      continue;
    }
    if (c == '/' && i + 1 < n && src[i + 1] == '*') {
      advance(2);
      while (i < n && !(src[i] == '*' && i + 1 < n && src[i + 1] == '/')) advance(1);
      if (i >= n) fail(here, "unterminated /* comment");
      advance(2);
      continue;
    }
    const std::size_t start = i;
    Tok kind = Tok::Sym;
    if (ident_start(c)) {
      while (i < n && ident_char(static_cast<unsigned char>(src[i]))) advance(1);
      kind = Tok::Ident;
    } else if (std::isdigit(c) != 0 || (c == '.' && i + 1 < n && std::isdigit(static_cast<unsigned char>(src[i + 1])))) {
      kind = Tok::Int;
      while (i < n && std::isdigit(static_cast<unsigned char>(src[i])) != 0) advance(1);
      if (i < n && src[i] == '.') {
        kind = Tok::Real;
        advance(1);
        while (i < n && std::isdigit(static_cast<unsigned char>(src[i])) != 0) advance(1);
      }
      if (i < n && (src[i] == 'e' || src[i] == 'E')) {
        std::size_t j = i + 1;
        if (j < n && (src[j] == '+' || src[j] == '-')) ++j;
        if (j < n && std::isdigit(static_cast<unsigned char>(src[j])) != 0) {
          kind = Tok::Real;
          advance(j - i);
          while (i < n && std::isdigit(static_cast<unsigned char>(src[i])) != 0) advance(1);
        }
      }
      if (i < n && ident_char(static_cast<unsigned char>(src[i]))) {
        fail(Loc{file, line, col}, "unexpected " + printable(static_cast<unsigned char>(src[i])) + " after number");
      }
    } else if (c == '"' || c == '\'') {
      advance(1);
      while (i < n && src[i] != static_cast<char>(c) && src[i] != '\n') advance(1);
      if (i >= n || src[i] != static_cast<char>(c)) fail(here, "unterminated string");
      out.push_back({Tok::String, src.substr(start + 1, i - start - 1), here});
      advance(1);
      continue;
    } else {
      static constexpr std::string_view two[] = {"->", "==", "!=", "<=", ">=", "**", "&&", "||", "<<", ">>", "++", "+=",
                                                 "-=", "*=", "/="};
      std::size_t len = 0;
      for (std::string_view t : two)
        if (src.substr(i, 2) == t) len = 2;
      if (len == 0) {
        if (std::string_view(";,()[]{}+-*/^@=<>!~%&|:.$#").find(static_cast<char>(c)) == std::string_view::npos) {
          fail(here, "unexpected " + printable(c));
        }
        len = 1;
      }
      advance(len);
    }
    out.push_back({kind, src.substr(start, i - start), here});
  }
  out.push_back({Tok::End, {}, Loc{file, line, col}});
  return out;
}

// ---- expressions -------------------------------------------------------------------------------------------------

struct ExprAst {
  enum class Op : std::uint8_t { Num, Name, Neg, Add, Sub, Mul, Div, Pow, Func };
  Op op = Op::Num;
  double value = 0;
  std::string name;  // Name, Func
  Loc loc;
  std::unique_ptr<ExprAst> a, b;
};
using ExprPtr = std::unique_ptr<ExprAst>;

// An angle with a bound on the size of its tree: symbolic expressions passed through many gate definitions could
// otherwise grow exponentially (a+a at each level) and make evaluation, or its recursion, unbounded.
struct Value {
  Expr e;
  double cost = 1;
};

// ---- gates -------------------------------------------------------------------------------------------------------

using K = GateKind;

// Collects a gate's expansion: operations in order plus a global phase (kept for `ctrl @`).
struct Sink {
  std::vector<Operation>& ops;
  Expr& phase;
  void op(K kind, std::vector<unsigned> qubits, std::vector<Expr> params = {}, std::vector<unsigned> controls = {}) {
    Operation o;
    o.kind = kind;
    o.qubits = std::move(qubits);
    o.params = std::move(params);
    o.controls = std::move(controls);
    ops.push_back(std::move(o));
  }
  void add_phase(const Expr& p) { phase = phase + p; }
};

struct LibGate {
  std::string_view name;
  unsigned num_params;
  unsigned num_qubits;
  void (*expand)(const Expr* p, const unsigned* q, Sink& s);
};

// OpenQASM 2 qelib1.inc. Global phases do not matter in OpenQASM 2 (a gate cannot be controlled), so gates map onto
// the table's exact matrices; the controlled gates are exact including phase.
const LibGate kQelib1[] = {
    {"u3", 3, 1, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::U, {q[0]}, {p[0], p[1], p[2]}); }},
    {"u2", 2, 1, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::U, {q[0]}, {kPi / 2, p[0], p[1]}); }},
    {"u1", 1, 1, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::P, {q[0]}, {p[0]}); }},
    {"cx", 0, 2, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::CX, {q[0], q[1]}); }},
    {"id", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::I, {q[0]}); }},
    {"u0", 1, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::I, {q[0]}); }},
    {"u", 3, 1, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::U, {q[0]}, {p[0], p[1], p[2]}); }},
    {"p", 1, 1, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::P, {q[0]}, {p[0]}); }},
    {"x", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::X, {q[0]}); }},
    {"y", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::Y, {q[0]}); }},
    {"z", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::Z, {q[0]}); }},
    {"h", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::H, {q[0]}); }},
    {"s", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::S, {q[0]}); }},
    {"sdg", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::Sdg, {q[0]}); }},
    {"t", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::T, {q[0]}); }},
    {"tdg", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::Tdg, {q[0]}); }},
    {"rx", 1, 1, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::RX, {q[0]}, {p[0]}); }},
    {"ry", 1, 1, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::RY, {q[0]}, {p[0]}); }},
    {"rz", 1, 1, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::RZ, {q[0]}, {p[0]}); }},
    {"sx", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::SX, {q[0]}); }},
    {"sxdg", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::SXdg, {q[0]}); }},
    {"cz", 0, 2, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::CZ, {q[0], q[1]}); }},
    {"cy", 0, 2, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::CY, {q[0], q[1]}); }},
    {"swap", 0, 2, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::SWAP, {q[0], q[1]}); }},
    {"ch", 0, 2, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::CH, {q[0], q[1]}); }},
    {"ccx", 0, 3, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::CCX, {q[0], q[1], q[2]}); }},
    {"cswap", 0, 3, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::CSWAP, {q[0], q[1], q[2]}); }},
    {"crx", 1, 2, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::CRX, {q[0], q[1]}, {p[0]}); }},
    {"cry", 1, 2, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::CRY, {q[0], q[1]}, {p[0]}); }},
    {"crz", 1, 2, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::CRZ, {q[0], q[1]}, {p[0]}); }},
    {"cu1", 1, 2, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::CP, {q[0], q[1]}, {p[0]}); }},
    {"cp", 1, 2, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::CP, {q[0], q[1]}, {p[0]}); }},
    {"cu3", 3, 2, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::U, {q[1]}, {p[0], p[1], p[2]}, {q[0]}); }},
    {"csx", 0, 2, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::SX, {q[1]}, {}, {q[0]}); }},
    // cu(θ, φ, λ, γ): controlled e^{iγ} U(θ, φ, λ); the phase lands on the control.
    {"cu", 4, 2, [](const Expr* p, const unsigned* q, Sink& s) {
       s.op(K::P, {q[0]}, {p[3]});
       s.op(K::U, {q[1]}, {p[0], p[1], p[2]}, {q[0]});
     }},
    {"rxx", 1, 2, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::RXX, {q[0], q[1]}, {p[0]}); }},
    {"rzz", 1, 2, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::RZZ, {q[0], q[1]}, {p[0]}); }},
    // The relative-phase Toffolis are not Toffolis: expanded exactly as qelib1.inc defines them (u2(0,π) = H,
    // u1(±π/4) = T, T†).
    {"rccx", 0, 3, [](const Expr*, const unsigned* q, Sink& s) {
       const unsigned a = q[0], b = q[1], c = q[2];
       s.op(K::H, {c});
       s.op(K::T, {c});
       s.op(K::CX, {b, c});
       s.op(K::Tdg, {c});
       s.op(K::CX, {a, c});
       s.op(K::T, {c});
       s.op(K::CX, {b, c});
       s.op(K::Tdg, {c});
       s.op(K::H, {c});
     }},
    {"rc3x", 0, 4, [](const Expr*, const unsigned* q, Sink& s) {
       const unsigned a = q[0], b = q[1], c = q[2], d = q[3];
       s.op(K::H, {d});
       s.op(K::T, {d});
       s.op(K::CX, {c, d});
       s.op(K::Tdg, {d});
       s.op(K::H, {d});
       s.op(K::CX, {a, d});
       s.op(K::T, {d});
       s.op(K::CX, {b, d});
       s.op(K::Tdg, {d});
       s.op(K::CX, {a, d});
       s.op(K::T, {d});
       s.op(K::CX, {b, d});
       s.op(K::Tdg, {d});
       s.op(K::H, {d});
       s.op(K::T, {d});
       s.op(K::CX, {c, d});
       s.op(K::Tdg, {d});
       s.op(K::H, {d});
     }},
    {"c3x", 0, 4, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::X, {q[3]}, {}, {q[0], q[1], q[2]}); }},
    // qelib1's c3sqrtx is c3x with π/8 rotations: H·P(π/2)·H = SX exactly.
    {"c3sqrtx", 0, 4, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::SX, {q[3]}, {}, {q[0], q[1], q[2]}); }},
    {"c4x", 0, 5, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::X, {q[4]}, {}, {q[0], q[1], q[2], q[3]}); }},
};

// OpenQASM 3 stdgates.inc, with its global phases: they become relative phases under `ctrl @`. u2 and u3 carry
// gphase(−(φ+λ)/2), which makes them Rz(φ)Ry(θ)Rz(λ), their OpenQASM 2 meaning.
const LibGate kStdgates[] = {
    {"p", 1, 1, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::P, {q[0]}, {p[0]}); }},
    {"phase", 1, 1, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::P, {q[0]}, {p[0]}); }},
    {"x", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::X, {q[0]}); }},
    {"y", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::Y, {q[0]}); }},
    {"z", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::Z, {q[0]}); }},
    {"h", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::H, {q[0]}); }},
    {"s", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::S, {q[0]}); }},
    {"sdg", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::Sdg, {q[0]}); }},
    {"t", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::T, {q[0]}); }},
    {"tdg", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::Tdg, {q[0]}); }},
    {"sx", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::SX, {q[0]}); }},
    {"rx", 1, 1, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::RX, {q[0]}, {p[0]}); }},
    {"ry", 1, 1, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::RY, {q[0]}, {p[0]}); }},
    {"rz", 1, 1, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::RZ, {q[0]}, {p[0]}); }},
    {"cx", 0, 2, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::CX, {q[0], q[1]}); }},
    {"CX", 0, 2, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::CX, {q[0], q[1]}); }},
    {"cy", 0, 2, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::CY, {q[0], q[1]}); }},
    {"cz", 0, 2, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::CZ, {q[0], q[1]}); }},
    {"cp", 1, 2, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::CP, {q[0], q[1]}, {p[0]}); }},
    {"cphase", 1, 2, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::CP, {q[0], q[1]}, {p[0]}); }},
    {"crx", 1, 2, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::CRX, {q[0], q[1]}, {p[0]}); }},
    {"cry", 1, 2, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::CRY, {q[0], q[1]}, {p[0]}); }},
    {"crz", 1, 2, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::CRZ, {q[0], q[1]}, {p[0]}); }},
    {"ch", 0, 2, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::CH, {q[0], q[1]}); }},
    {"swap", 0, 2, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::SWAP, {q[0], q[1]}); }},
    {"ccx", 0, 3, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::CCX, {q[0], q[1], q[2]}); }},
    {"cswap", 0, 3, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::CSWAP, {q[0], q[1], q[2]}); }},
    {"cu", 4, 2, [](const Expr* p, const unsigned* q, Sink& s) {
       s.op(K::P, {q[0]}, {p[3]});
       s.op(K::U, {q[1]}, {p[0], p[1], p[2]}, {q[0]});
     }},
    {"id", 0, 1, [](const Expr*, const unsigned* q, Sink& s) { s.op(K::I, {q[0]}); }},
    {"u1", 1, 1, [](const Expr* p, const unsigned* q, Sink& s) { s.op(K::P, {q[0]}, {p[0]}); }},
    {"u2", 2, 1, [](const Expr* p, const unsigned* q, Sink& s) {
       s.add_phase(-(p[0] + p[1]) / 2.0);
       s.op(K::U, {q[0]}, {kPi / 2, p[0], p[1]});
     }},
    {"u3", 3, 1, [](const Expr* p, const unsigned* q, Sink& s) {
       s.add_phase(-(p[1] + p[2]) / 2.0);
       s.op(K::U, {q[0]}, {p[0], p[1], p[2]});
     }},
};

// Control qubits folded into the table's controlled kinds where one exists (X + 1 control = CX), so programs read
// back as the gates their authors wrote.
void absorb_controls(Operation& op) {
  while (!op.controls.empty()) {
    K next = op.kind;
    switch (op.kind) {
      case K::X: next = K::CX; break;
      case K::CX: next = K::CCX; break;
      case K::Y: next = K::CY; break;
      case K::Z: next = K::CZ; break;
      case K::H: next = K::CH; break;
      case K::RX: next = K::CRX; break;
      case K::RY: next = K::CRY; break;
      case K::RZ: next = K::CRZ; break;
      case K::P: next = K::CP; break;
      case K::SWAP: next = K::CSWAP; break;
      default: return;
    }
    op.kind = next;
    op.qubits.insert(op.qubits.begin(), op.controls.back());
    op.controls.pop_back();
  }
}

// U† in place (the table's inverse kinds; U(θ,φ,λ)† = U(−θ,−λ,−φ); matrices are conjugate-transposed).
void invert(Operation& op) {
  const GateInfo& g = op.info();
  if (op.kind == K::Unitary || g.inverse == K::Unitary) {
    std::vector<double> angles;
    for (const Expr& e : op.params) angles.push_back(e.constant_value());
    auto a = adjoint_matrix(operation_matrix(op, angles));
    std::vector<unsigned> targets(op.targets().begin(), op.targets().end());
    op.controls = op.all_controls();
    op.qubits = std::move(targets);
    op.kind = K::Unitary;
    op.params.clear();
    op.matrix = std::make_shared<const std::vector<cplx>>(std::move(a));
    return;
  }
  const K original = op.kind;
  op.kind = g.inverse;
  if (original == K::U) {
    op.params = {-op.params[0], -op.params[2], -op.params[1]};
  } else {
    for (Expr& e : op.params) e = -e;
  }
}

// ---- the parser --------------------------------------------------------------------------------------------------

struct Modifier {
  enum class Kind : std::uint8_t { Ctrl, NegCtrl, Inv, Pow };
  Kind kind = Kind::Inv;
  unsigned count = 0;  // Ctrl, NegCtrl: number of control qubits
  double exponent = 1;  // Pow
  Loc loc;
};

struct UserGate;

// A resolved callee: a user definition, a library gate, or a language built-in.
struct Callee {
  enum class Kind : std::uint8_t { User, Lib, U, CX, GPhase };
  Kind kind = Kind::Lib;
  const UserGate* user = nullptr;
  const LibGate* lib = nullptr;
  unsigned num_params = 0;
  unsigned num_qubits = 0;
};

struct BodyCall {
  Loc loc;
  Callee callee;  // resolved where the body is written: a later definition of the same name does not change it
  std::string name;
  std::vector<Modifier> mods;
  std::vector<ExprPtr> params;
  std::vector<unsigned> args;  // indices of the definition's qubit arguments
};

struct UserGate {
  std::string name;
  std::vector<std::string> params;
  std::vector<std::string> qubits;
  std::vector<BodyCall> body;
};

struct Symbol {
  enum class Kind : std::uint8_t { QReg, CReg, Gate, Input, Const };
  Kind kind;
  std::size_t index;  // into qregs / cregs / gates / parameters / consts
  Loc loc;
};

class Parser {
 public:
  Parser(std::string_view source, std::string file, std::filesystem::path include_dir)
      : include_dir_(std::move(include_dir)) {
    names_.push_back(std::move(file));
    toks_ = tokenize(source, &names_.back());
  }

  Program run() {
    header();
    while (peek().kind != Tok::End) statement(std::nullopt);
    prog_.version = version_;
    return std::move(prog_);
  }

 private:
  // ---- token access ----
  const Token& peek(std::size_t k = 0) const { return toks_[std::min(pos_ + k, toks_.size() - 1)]; }
  const Token& next() {
    const Token& t = toks_[pos_];
    if (pos_ + 1 < toks_.size()) ++pos_;
    return t;
  }
  bool is(std::string_view sym, std::size_t k = 0) const {
    const Token& t = peek(k);
    return (t.kind == Tok::Sym || t.kind == Tok::Ident) && t.text == sym;
  }
  bool accept(std::string_view sym) {
    if (!is(sym)) return false;
    next();
    return true;
  }
  const Token& expect(std::string_view sym, std::string_view context) {
    if (!is(sym)) fail(peek().loc, "expected '" + std::string(sym) + "' " + std::string(context) + ", found " + describe(peek()));
    return next();
  }
  const Token& expect_ident(std::string_view what) {
    if (peek().kind != Tok::Ident) fail(peek().loc, "expected " + std::string(what) + ", found " + describe(peek()));
    return next();
  }
  void expect_semicolon() { expect(";", "at the end of the statement"); }

  [[noreturn]] void unsupported(const Token& t, const std::string& what) const {
    fail(t.loc, what + " is not supported in qnn's OpenQASM 3 subset");
  }

  // ---- header and includes ----
  void header() {
    if (!is("OPENQASM")) return;  // no header: OpenQASM 2.0
    const Token& kw = next();
    const Token& v = next();
    if (v.kind != Tok::Int && v.kind != Tok::Real) fail(v.loc, "expected a version number after OPENQASM, found " + describe(v));
    if (v.text == "2.0" || v.text == "2") {
      version_ = 2;
    } else if (v.text == "3" || v.text == "3.0" || v.text == "3.1") {
      version_ = 3;
    } else {
      fail(v.loc, "unsupported OpenQASM version " + std::string(v.text) + " (qnn reads 2.0 and 3)");
    }
    (void)kw;
    expect_semicolon();
  }

  void include_statement() {
    const Token& kw = next();
    const Token& f = next();
    if (f.kind != Tok::String) fail(f.loc, "expected a file name in quotes after include, found " + describe(f));
    expect_semicolon();
    const std::string name(f.text);
    if (name == "qelib1.inc" || name == "stdgates.inc") {
      if ((name == "qelib1.inc") != (version_ == 2)) {
        fail(f.loc, "\"" + name + "\" is the OpenQASM " + (version_ == 2 ? "3" : "2") + " library; this is OpenQASM " +
                        std::to_string(version_) + " (use \"" + (version_ == 2 ? "qelib1.inc" : "stdgates.inc") + "\")");
      }
      return;  // built in
    }
    (void)kw;
    if (include_dir_.empty()) fail(f.loc, "cannot include \"" + name + "\": includes are read only from files");
    if (++includes_ > kMaxIncludes) fail(f.loc, "more than " + std::to_string(kMaxIncludes) + " includes (a cycle?)");
    const std::filesystem::path path = include_dir_ / name;
    // qnn::read_file, not an ifstream: an ifstream opens a directory and reads it as an empty file. A device or FIFO
    // (/dev/zero, /dev/stdin) would be read without end or block: an include must be a regular file.
    std::error_code ec;
    const auto type = std::filesystem::status(path, ec).type();
    if (type != std::filesystem::file_type::regular && type != std::filesystem::file_type::directory &&
        type != std::filesystem::file_type::not_found && !ec) {
      fail(f.loc, "cannot read included file \"" + path.string() + "\": not a regular file");
    }
    std::string text;
    try {
      text = ::qnn::read_file(path);
    } catch (const IoError& e) {
      // e says "cannot read PATH: REASON"; the place to show is the include statement.
      const std::string what = e.what(), prefix = "cannot read " + path.string() + ": ";
      fail(f.loc, "cannot read included file \"" + path.string() + "\": " +
                      (what.starts_with(prefix) ? what.substr(prefix.size()) : what));
    }
    sources_.push_back(std::move(text));
    names_.push_back(path.string());
    std::vector<Token> inc = tokenize(sources_.back(), &names_.back());
    inc.pop_back();  // its End token
    toks_.insert(toks_.begin() + static_cast<std::ptrdiff_t>(pos_), inc.begin(), inc.end());
  }

  // ---- symbols ----
  void declare(const Token& name, Symbol::Kind kind, std::size_t index) {
    const std::string key(name.text);
    if (auto it = symbols_.find(key); it != symbols_.end()) {
      fail(name.loc, "'" + key + "' is already declared (line " + std::to_string(it->second.loc.line) + ")");
    }
    if (key == "pi" || key == "π" || key == "tau" || key == "τ" || key == "euler" || key == "ℇ" || key == "U" ||
        key == "CX" || key == "gphase" || key == "measure" || key == "reset" || key == "barrier") {
      fail(name.loc, "'" + key + "' is a reserved name");
    }
    symbols_.emplace(key, Symbol{kind, index, name.loc});
  }
  const Symbol* lookup(std::string_view name) const {
    auto it = symbols_.find(std::string(name));
    return it == symbols_.end() ? nullptr : &it->second;
  }

  // ---- statements ----
  void statement(const std::optional<Condition>& cond) {
    const Token& t = peek();
    if (t.kind != Tok::Ident) {
      if (t.kind == Tok::Sym && t.text == "@") unsupported(t, "an annotation");
      if (t.kind == Tok::Sym && t.text == "#") unsupported(t, "a pragma");
      fail(t.loc, "expected a statement, found " + describe(t));
    }
    const std::string_view w = t.text;
    if (w == "OPENQASM") fail(t.loc, "OPENQASM must be the first statement");
    if (cond && (w == "include" || w == "qreg" || w == "creg" || w == "gate" || w == "opaque" || w == "if" ||
                 w == "qubit" || w == "bit" || w == "input" || w == "const")) {
      fail(t.loc, "'" + std::string(w) + "' cannot be conditioned by if");
    }
    if (w == "include") return include_statement();
    if (w == "qreg" || w == "creg") return register_v2();
    if (w == "gate") return gate_definition();
    if (w == "opaque") {
      next();
      const Token& name = expect_ident("a gate name after opaque");
      fail(t.loc, "opaque gate '" + std::string(name.text) +
                      "' has no definition, so qnn cannot simulate it (define it with `gate` instead)");
    }
    if (w == "measure") return measure_arrow(cond);
    if (w == "reset") return reset_statement(cond);
    if (w == "barrier") return barrier_statement(cond);
    if (w == "if") return if_statement();
    if (version_ == 3) {
      if (w == "qubit") return qubit_declaration();
      if (w == "bit") return bit_declaration();
      if (w == "input") return input_declaration();
      if (w == "const") return const_declaration(true);
      if (w == "float" || w == "angle" || w == "int" || w == "uint" || w == "bool") return const_declaration(false);
      static constexpr std::string_view kUnsupported[] = {
          "for",   "while",  "def",    "box",     "delay",   "duration", "stretch", "let",      "return",
          "break", "continue", "extern", "cal",   "defcal",  "defcalgrammar", "switch", "end", "output",
          "else",  "array",  "complex", "pragma", "case",    "default",  "durationof", "sizeof"};
      for (std::string_view k : kUnsupported)
        if (w == k) unsupported(t, "'" + std::string(w) + "'");
      if (const Symbol* s = lookup(w); s && s->kind == Symbol::Kind::CReg && !is("(", 1)) return assignment(cond);
      if (const Symbol* s = lookup(w); s && (s->kind == Symbol::Kind::Const || s->kind == Symbol::Kind::Input)) {
        unsupported(t, "assigning to a variable");
      }
    }
    gate_call_statement(cond);
  }

  // qreg q[n]; creg c[n];
  void register_v2() {
    const Token& kw = next();
    const Token& name = expect_ident("a register name");
    expect("[", "after the register name");
    const std::uint64_t size = integer_expr("register size");
    expect("]", "after the register size");
    expect_semicolon();
    add_register(kw.text == "qreg", name, size, kw.loc);
  }

  void add_register(bool quantum, const Token& name, std::uint64_t size, const Loc& at) {
    if (size == 0) fail(at, "register '" + std::string(name.text) + "' must have at least one element");
    unsigned& total = quantum ? prog_.num_qubits : prog_.num_clbits;
    if (size > kMaxBits || total + size > kMaxBits) {
      fail(at, std::string("more than ") + std::to_string(kMaxBits) + (quantum ? " qubits" : " classical bits") +
                   " in all registers");
    }
    auto& regs = quantum ? prog_.qregs : prog_.cregs;
    declare(name, quantum ? Symbol::Kind::QReg : Symbol::Kind::CReg, regs.size());
    regs.push_back(Register{std::string(name.text), total, static_cast<unsigned>(size)});
    total += static_cast<unsigned>(size);
  }

  // qubit q; qubit[n] q;  (OpenQASM 3)
  void qubit_declaration() {
    const Token& kw = next();
    std::uint64_t size = 1;
    if (accept("[")) {
      size = integer_expr("register size");
      expect("]", "after the register size");
    }
    const Token& name = expect_ident("a qubit register name");
    expect_semicolon();
    add_register(true, name, size, kw.loc);
  }

  void bit_declaration() {
    const Token& kw = next();
    std::uint64_t size = 1;
    if (accept("[")) {
      size = integer_expr("register size");
      expect("]", "after the register size");
    }
    const Token& name = expect_ident("a bit register name");
    if (is("=")) {
      // `bit c = measure q;` declares and measures.
      add_register(false, name, size, kw.loc);
      next();
      if (!is("measure")) unsupported(peek(), "initialising bits with anything but measure");
      measure_into(whole_register_bits(name), std::nullopt);
      return;
    }
    expect_semicolon();
    add_register(false, name, size, kw.loc);
  }

  std::vector<unsigned> whole_register_bits(const Token& name) {
    const Register& r = prog_.cregs[lookup(name.text)->index];
    std::vector<unsigned> bits(r.size);
    for (unsigned k = 0; k < r.size; ++k) bits[k] = r.offset + k;
    return bits;
  }

  // The type of an input/const/float declaration: float, float[64], angle[20], int, uint[8], bool.
  void scalar_type(const Token& type) {
    if (type.text != "float" && type.text != "angle" && type.text != "int" && type.text != "uint" &&
        type.text != "bool") {
      unsupported(type, "the type '" + std::string(type.text) + "'");
    }
    if (accept("[")) {
      (void)integer_expr("type width");
      expect("]", "after the type width");
    }
  }

  void input_declaration() {
    next();
    const Token& type = expect_ident("a type after input");
    if (type.text != "float" && type.text != "angle") unsupported(type, "input of type '" + std::string(type.text) + "'");
    scalar_type(type);
    const Token& name = expect_ident("a parameter name");
    expect_semicolon();
    declare(name, Symbol::Kind::Input, prog_.parameters.size());
    prog_.parameters.emplace_back(name.text);
  }

  // const float x = expr;  float x = expr;  (a value that never changes afterwards)
  void const_declaration(bool is_const) {
    if (is_const) next();
    const Token& type = expect_ident("a type");
    scalar_type(type);
    const Token& name = expect_ident("a variable name");
    if (!is("=")) unsupported(peek(), "a variable without an initial value");
    next();
    ExprPtr e = expression(0);
    Value v = evaluate(*e, nullptr, {});
    if (is_const && v.e.has_variables()) fail(e->loc, "a const must not depend on input parameters");
    if (type.text == "int" || type.text == "uint") {
      if (!v.e.is_constant()) fail(e->loc, "an integer must be a constant");
      v.e = Expr(std::trunc(v.e.constant_value()));
    }
    expect_semicolon();
    declare(name, Symbol::Kind::Const, consts_.size());
    consts_.push_back(std::move(v));
  }

  // gate name(params) a, b { body }
  void gate_definition() {
    const Token& kw = next();
    const Token& name = expect_ident("a gate name after gate");
    UserGate g;
    g.name = std::string(name.text);
    if (accept("(")) {
      if (!is(")")) {
        do {
          const Token& p = expect_ident("a parameter name");
          for (const auto& existing : g.params)
            if (existing == p.text) fail(p.loc, "parameter '" + existing + "' is declared twice");
          g.params.emplace_back(p.text);
        } while (accept(","));
      }
      expect(")", "after the gate's parameters");
    }
    do {
      const Token& q = expect_ident("a qubit argument name");
      for (const auto& existing : g.qubits)
        if (existing == q.text) fail(q.loc, "qubit argument '" + existing + "' is declared twice");
      for (const auto& existing : g.params)
        if (existing == q.text) fail(q.loc, "'" + existing + "' is both a parameter and a qubit argument");
      g.qubits.emplace_back(q.text);
    } while (accept(","));
    expect("{", "to open the gate body");
    while (!is("}")) {
      if (peek().kind == Tok::End) fail(peek().loc, "expected '}' to close the body of gate '" + g.name + "'");
      body_statement(g);
    }
    next();
    (void)kw;
    if (const Symbol* s = lookup(name.text); s && s->kind == Symbol::Kind::Gate) {
      fail(name.loc, "gate '" + g.name + "' is already defined (line " + std::to_string(s->loc.line) + ")");
    }
    declare(name, Symbol::Kind::Gate, gates_.size());
    gates_.push_back(std::make_unique<UserGate>(std::move(g)));
  }

  void body_statement(UserGate& g) {
    const Token& t = peek();
    if (t.kind != Tok::Ident) fail(t.loc, "expected a gate call in the body of gate '" + g.name + "', found " + describe(t));
    if (t.text == "barrier") {  // no effect on a state
      next();
      while (!is(";") && peek().kind != Tok::End) next();
      expect_semicolon();
      return;
    }
    if (t.text == "measure" || t.text == "reset" || t.text == "if" || t.text == "gate" || t.text == "qreg" ||
        t.text == "creg" || t.text == "qubit" || t.text == "bit") {
      fail(t.loc, "'" + std::string(t.text) + "' is not allowed in a gate body");
    }
    BodyCall call;
    call.loc = t.loc;
    call.mods = modifiers();
    const Token& name = expect_ident("a gate name");
    call.name = std::string(name.text);
    call.loc = name.loc;
    const Callee callee = resolve(name);
    call.callee = callee;
    if (accept("(")) {
      if (!is(")")) {
        do call.params.push_back(expression(0));
        while (accept(","));
      }
      expect(")", "after the gate's parameters");
    }
    for (const ExprPtr& p : call.params) check_names(*p, &g);
    unsigned controls = 0;
    for (const Modifier& m : call.mods) controls += m.count;
    if (!(callee.kind == Callee::Kind::GPhase && controls == 0 && is(";"))) {
      do {
        const Token& a = expect_ident("a qubit argument");
        auto it = std::find(g.qubits.begin(), g.qubits.end(), a.text);
        if (it == g.qubits.end()) fail(a.loc, "'" + std::string(a.text) + "' is not a qubit argument of gate '" + g.name + "'");
        if (is("[")) fail(peek().loc, "qubit arguments of a gate cannot be indexed");
        const auto idx = static_cast<unsigned>(it - g.qubits.begin());
        if (std::find(call.args.begin(), call.args.end(), idx) != call.args.end()) {
          fail(a.loc, "qubit '" + std::string(a.text) + "' is used twice in one gate");
        }
        call.args.push_back(idx);
      } while (accept(","));
    }
    expect_semicolon();
    check_arity(callee, call.name, call.loc, call.params.size(), call.args.size(), controls);
    g.body.push_back(std::move(call));
  }

  // ctrl @, ctrl(2) @, negctrl @, inv @, pow(k) @  (OpenQASM 3)
  std::vector<Modifier> modifiers() {
    std::vector<Modifier> mods;
    while (peek().kind == Tok::Ident && (is("ctrl") || is("negctrl") || is("inv") || is("pow")) &&
           (is("@", 1) || (version_ == 3 && is("(", 1)))) {
      const Token& t = next();
      if (version_ != 3) fail(t.loc, "gate modifiers (" + std::string(t.text) + " @) need OpenQASM 3");
      Modifier m;
      m.loc = t.loc;
      if (t.text == "inv") {
        m.kind = Modifier::Kind::Inv;
      } else if (t.text == "pow") {
        m.kind = Modifier::Kind::Pow;
        expect("(", "after pow");
        ExprPtr e = expression(0);
        const Value v = evaluate(*e, nullptr, {});
        if (!v.e.is_constant() || !std::isfinite(v.e.constant_value())) fail(e->loc, "pow needs a constant exponent");
        m.exponent = v.e.constant_value();
        expect(")", "after the exponent");
      } else {
        m.kind = t.text == "ctrl" ? Modifier::Kind::Ctrl : Modifier::Kind::NegCtrl;
        m.count = 1;
        if (accept("(")) {
          const std::uint64_t n = integer_expr("number of controls");
          if (n == 0 || n > 60) fail(t.loc, "the number of controls must be between 1 and 60");
          m.count = static_cast<unsigned>(n);
          expect(")", "after the number of controls");
        }
      }
      expect("@", "after the gate modifier");
      mods.push_back(m);
    }
    return mods;
  }

  Callee resolve(const Token& name) const {
    Callee c;
    if (const Symbol* s = lookup(name.text); s && s->kind == Symbol::Kind::Gate) {
      c.kind = Callee::Kind::User;
      c.user = gates_[s->index].get();
      c.num_params = static_cast<unsigned>(c.user->params.size());
      c.num_qubits = static_cast<unsigned>(c.user->qubits.size());
      return c;
    }
    if (name.text == "U") {
      c.kind = Callee::Kind::U;
      c.num_params = 3;
      c.num_qubits = 1;
      return c;
    }
    if (name.text == "CX" && version_ == 2) {
      c.kind = Callee::Kind::CX;
      c.num_qubits = 2;
      return c;
    }
    if (name.text == "gphase" && version_ == 3) {
      c.kind = Callee::Kind::GPhase;
      c.num_params = 1;
      return c;
    }
    const std::span<const LibGate> lib = version_ == 2 ? std::span<const LibGate>(kQelib1) : std::span<const LibGate>(kStdgates);
    for (const LibGate& g : lib) {
      if (g.name == name.text) {
        c.kind = Callee::Kind::Lib;
        c.lib = &g;
        c.num_params = g.num_params;
        c.num_qubits = g.num_qubits;
        return c;
      }
    }
    if (const Symbol* s = lookup(name.text)) {
      fail(name.loc, "'" + std::string(name.text) + "' is a " +
                         (s->kind == Symbol::Kind::QReg ? "quantum register" : s->kind == Symbol::Kind::CReg ? "classical register" : "variable") +
                         ", not a gate");
    }
    fail(name.loc, "unknown gate '" + std::string(name.text) + "'");
  }

  static void check_arity(const Callee& c, const std::string& name, const Loc& at, std::size_t params,
                          std::size_t qubits, unsigned controls) {
    if (params != c.num_params) {
      fail(at, "gate '" + name + "' takes " + std::to_string(c.num_params) + " parameter" + (c.num_params == 1 ? "" : "s") +
                   ", got " + std::to_string(params));
    }
    if (qubits != c.num_qubits + controls) {
      std::string want = std::to_string(c.num_qubits + controls);
      if (controls > 0) want += " (" + std::to_string(controls) + " control" + (controls == 1 ? "" : "s") + " + " + std::to_string(c.num_qubits) + ")";
      fail(at, "gate '" + name + "' acts on " + want + " qubit" + (c.num_qubits + controls == 1 ? "" : "s") + ", got " +
                   std::to_string(qubits));
    }
  }

  // A top-level gate call: modifiers, name, parameters, then qubit or register arguments (registers broadcast).
  void gate_call_statement(const std::optional<Condition>& cond) {
    const Token& first = peek();
    std::vector<Modifier> mods = modifiers();
    const Token& name = expect_ident("a gate name");
    const Callee callee = resolve(name);
    std::vector<ExprPtr> param_ast;
    if (accept("(")) {
      if (!is(")")) {
        do param_ast.push_back(expression(0));
        while (accept(","));
      }
      expect(")", "after the gate's parameters");
    }
    std::vector<Value> params;
    for (const ExprPtr& p : param_ast) params.push_back(evaluate(*p, nullptr, {}));
    unsigned controls = 0;
    for (const Modifier& m : mods) controls += m.count;
    std::vector<std::vector<unsigned>> args;
    std::vector<Loc> arg_locs;
    if (!(callee.kind == Callee::Kind::GPhase && controls == 0 && is(";"))) {
      do {
        arg_locs.push_back(peek().loc);
        args.push_back(qubit_operand());
      } while (accept(","));
    }
    expect_semicolon();
    const std::string gate_name(name.text);
    check_arity(callee, gate_name, name.loc, params.size(), args.size(), controls);
    for (std::size_t k = 0; k < params.size(); ++k) check_finite(params[k], param_ast[k]->loc);
    const std::size_t shots = broadcast_size(args, arg_locs);
    std::vector<unsigned> qubits(args.size());
    for (std::size_t i = 0; i < shots; ++i) {
      for (std::size_t k = 0; k < args.size(); ++k) {
        qubits[k] = args[k].size() == 1 ? args[k][0] : args[k][i];
        for (std::size_t j = 0; j < k; ++j)
          if (qubits[j] == qubits[k]) fail(arg_locs[k], "qubit " + qubit_name(qubits[k]) + " is used twice in one gate");
      }
      std::vector<Operation> ops;
      Expr phase(0.0);
      expand(callee, gate_name, mods, params, qubits, 0, ops, phase, first.loc);
      for (Operation& op : ops) emit_gate(std::move(op), cond, first.loc);
    }
  }

  // The number of gates a broadcast statement stands for: registers of one size n give n, single qubits repeat.
  static std::size_t broadcast_size(const std::vector<std::vector<unsigned>>& args, const std::vector<Loc>& locs) {
    std::size_t n = 1;
    std::size_t first = 0;
    for (std::size_t k = 0; k < args.size(); ++k) {
      if (args[k].size() == 1) continue;
      if (n == 1) {
        n = args[k].size();
        first = k;
      } else if (args[k].size() != n) {
        fail(locs[k], "registers of different sizes in one statement (" + std::to_string(n) + " at argument " +
                          std::to_string(first + 1) + ", " + std::to_string(args[k].size()) + " here)");
      }
    }
    return n;
  }

  std::string qubit_name(unsigned q) const {
    for (const Register& r : prog_.qregs)
      if (q >= r.offset && q < r.offset + r.size) return r.name + "[" + std::to_string(q - r.offset) + "]";
    return std::to_string(q);
  }

  // `q` (all of a register) or `q[i]`: the global indices.
  std::vector<unsigned> qubit_operand() { return operand(true); }
  std::vector<unsigned> bit_operand() { return operand(false); }

  std::vector<unsigned> operand(bool quantum) {
    const Token& name = peek();
    if (name.kind == Tok::Sym && name.text == "$") unsupported(name, "a physical qubit ($n)");
    expect_ident(quantum ? "a qubit or quantum register" : "a bit or classical register");
    const Symbol* s = lookup(name.text);
    const Symbol::Kind want = quantum ? Symbol::Kind::QReg : Symbol::Kind::CReg;
    if (s == nullptr || s->kind != want) {
      fail(name.loc, std::string(s == nullptr ? "undeclared " : "'" + std::string(name.text) + "' is not a ") +
                         (quantum ? "quantum register" : "classical register") +
                         (s == nullptr ? " '" + std::string(name.text) + "'" : ""));
    }
    const Register& r = quantum ? prog_.qregs[s->index] : prog_.cregs[s->index];
    if (accept("[")) {
      const Loc at = peek().loc;
      const std::uint64_t i = integer_expr("index");
      if (is(":") || is(",")) unsupported(peek(), "an index range or list");
      expect("]", "after the index");
      if (i >= r.size) {
        fail(at, "index " + std::to_string(i) + " out of range for register '" + r.name + "' of size " + std::to_string(r.size));
      }
      return {r.offset + static_cast<unsigned>(i)};
    }
    std::vector<unsigned> all(r.size);
    for (unsigned k = 0; k < r.size; ++k) all[k] = r.offset + k;
    return all;
  }

  // measure q -> c;  measure q[0] -> c[1];
  void measure_arrow(const std::optional<Condition>& cond) {
    const Token& kw = next();
    const Loc qloc = peek().loc;
    std::vector<unsigned> qs = qubit_operand();
    if (!is("->")) {
      if (version_ == 3 && is(";")) unsupported(peek(), "measure without a target bit");
      expect("->", "after the measured qubits");
    }
    next();
    const Loc cloc = peek().loc;
    std::vector<unsigned> cs = bit_operand();
    expect_semicolon();
    add_measurements(qs, cs, qloc, cloc, cond, kw.loc);
  }

  void add_measurements(const std::vector<unsigned>& qs, const std::vector<unsigned>& cs, const Loc& qloc,
                        const Loc& cloc, const std::optional<Condition>& cond, const Loc& at) {
    if (qs.size() != cs.size()) {
      fail(qs.size() == 1 || cs.size() == 1 ? (qs.size() == 1 ? cloc : qloc) : cloc,
           "measure of " + std::to_string(qs.size()) + " qubit" + (qs.size() == 1 ? "" : "s") + " into " +
               std::to_string(cs.size()) + " bit" + (cs.size() == 1 ? "" : "s") + ": sizes must match");
    }
    for (std::size_t k = 0; k < qs.size(); ++k) {
      Instruction ins;
      ins.kind = InstructionKind::Measure;
      ins.qubit = qs[k];
      ins.clbit = cs[k];
      ins.condition = cond;
      ins.line = at.line;
      push(std::move(ins), at);
    }
  }

  // c = measure q;  c[0] = measure q[0];  (OpenQASM 3)
  void assignment(const std::optional<Condition>& cond) {
    const Token& target = peek();
    const Loc cloc = target.loc;
    std::vector<unsigned> cs = bit_operand();
    if (!is("=")) unsupported(peek().kind == Tok::End ? target : peek(), "this assignment");
    next();
    if (!is("measure")) unsupported(peek(), "assigning anything but measure to bits");
    measure_into_checked(cs, cloc, cond);
  }

  void measure_into(const std::vector<unsigned>& cs, const std::optional<Condition>& cond) {
    measure_into_checked(cs, peek().loc, cond);
  }

  void measure_into_checked(const std::vector<unsigned>& cs, const Loc& cloc, const std::optional<Condition>& cond) {
    const Token& kw = next();  // measure
    const Loc qloc = peek().loc;
    std::vector<unsigned> qs = qubit_operand();
    expect_semicolon();
    add_measurements(qs, cs, qloc, cloc, cond, kw.loc);
  }

  void reset_statement(const std::optional<Condition>& cond) {
    const Token& kw = next();
    std::vector<std::vector<unsigned>> all;
    do all.push_back(qubit_operand());
    while (version_ == 3 && accept(","));
    expect_semicolon();
    for (const auto& qs : all) {
      for (unsigned q : qs) {
        Instruction ins;
        ins.kind = InstructionKind::Reset;
        ins.qubit = q;
        ins.condition = cond;
        ins.line = kw.loc.line;
        push(std::move(ins), kw.loc);
      }
    }
  }

  void barrier_statement(const std::optional<Condition>& cond) {
    const Token& kw = next();
    Instruction ins;
    ins.kind = InstructionKind::Barrier;
    if (version_ == 3 && is(";")) {
      for (unsigned q = 0; q < prog_.num_qubits; ++q) ins.qubits.push_back(q);
    } else {
      do {
        for (unsigned q : qubit_operand())
          if (std::find(ins.qubits.begin(), ins.qubits.end(), q) == ins.qubits.end()) ins.qubits.push_back(q);
      } while (accept(","));
    }
    expect_semicolon();
    ins.condition = cond;
    ins.line = kw.loc.line;
    push(std::move(ins), kw.loc);
  }

  // if (c == n) op;   OpenQASM 3 also: if (c[i] == 1), if (c[i]), if (!c[i]), and a { block }.
  void if_statement() {
    const Token& kw = next();
    expect("(", "after if");
    bool negate = false;
    if (version_ == 3 && accept("!")) negate = true;
    const Token& reg = expect_ident("a classical register");
    const Symbol* s = lookup(reg.text);
    if (s == nullptr || s->kind != Symbol::Kind::CReg) {
      fail(reg.loc, s == nullptr ? "undeclared classical register '" + std::string(reg.text) + "'"
                                 : "'" + std::string(reg.text) + "' is not a classical register");
    }
    const Register& r = prog_.cregs[s->index];
    Condition cond{r.offset, r.size, 0};
    if (is("[")) {
      if (version_ == 2) fail(peek().loc, "OpenQASM 2 conditions compare a whole register: if (creg == n)");
      next();
      const Loc at = peek().loc;
      const std::uint64_t i = integer_expr("bit index");
      expect("]", "after the bit index");
      if (i >= r.size) fail(at, "index " + std::to_string(i) + " out of range for register '" + r.name + "' of size " + std::to_string(r.size));
      cond = Condition{r.offset + static_cast<unsigned>(i), 1, 1};
    }
    if (negate || (version_ == 3 && cond.size == 1 && is(")"))) {
      cond.value = negate ? 0 : 1;
      if (cond.size != 1) fail(reg.loc, "a register used as a condition must be a single bit; compare it with ==");
    } else {
      expect("==", "in the condition (qnn reads `if (creg == value)`)");
      const Loc at = peek().loc;
      const std::uint64_t v = integer_expr("the compared value");
      if (cond.size > 64) fail(reg.loc, "conditions on registers of more than 64 bits are not supported");
      if (cond.size < 64 && v >> cond.size != 0) {
        fail(at, "value " + std::to_string(v) + " does not fit in register '" + r.name + "' of " + std::to_string(r.size) + " bits");
      }
      cond.value = v;
    }
    expect(")", "after the condition");
    (void)kw;
    if (is("if")) fail(peek().loc, "nested if is not supported");
    if (version_ == 3 && accept("{")) {
      while (!is("}")) {
        if (peek().kind == Tok::End) fail(peek().loc, "expected '}' to close the if block");
        if (is("if")) fail(peek().loc, "nested if is not supported");
        statement(cond);
      }
      next();
    } else {
      statement(cond);
    }
    if (version_ == 3 && is("else")) unsupported(peek(), "'else'");
  }

  // ---- expansion ----
  void emit_gate(Operation op, const std::optional<Condition>& cond, const Loc& at) {
    Instruction ins;
    ins.kind = InstructionKind::Gate;
    ins.op = std::move(op);
    ins.condition = cond;
    ins.line = at.line;
    push(std::move(ins), at);
  }

  void push(Instruction ins, const Loc& at) {
    if (prog_.body.size() >= kMaxOperations) {
      fail(at, "the program expands to more than " + std::to_string(kMaxOperations) + " operations");
    }
    prog_.body.push_back(std::move(ins));
  }

  void check_budget(std::size_t pending, const Loc& at) const {
    if (prog_.body.size() + pending > kMaxOperations) {
      fail(at, "the program expands to more than " + std::to_string(kMaxOperations) + " operations");
    }
  }

  void expand(const Callee& callee, const std::string& name, std::span<const Modifier> mods, std::span<const Value> params,
              std::span<const unsigned> qubits, unsigned depth, std::vector<Operation>& out, Expr& phase, const Loc& at) {
    if (depth > kMaxNesting) fail(at, "gate definitions nest deeper than " + std::to_string(kMaxNesting) + " levels");
    if (mods.empty()) return expand_base(callee, name, params, qubits, depth, out, phase, at);
    const Modifier& m = mods.front();
    const std::size_t start = out.size();
    Expr inner_phase(0.0);
    const unsigned nc = m.count;
    expand(callee, name, mods.subspan(1), params, qubits.subspan(nc), depth, out, inner_phase, at);
    switch (m.kind) {
      case Modifier::Kind::Ctrl:
      case Modifier::Kind::NegCtrl: {
        const std::vector<unsigned> cs(qubits.begin(), qubits.begin() + nc);
        for (std::size_t k = start; k < out.size(); ++k) {
          Operation& op = out[k];
          op.controls.insert(op.controls.begin(), cs.begin(), cs.end());
          absorb_controls(op);
        }
        // e^{iα} on the subspace where every control is 1: a (multi-)controlled phase on the last control.
        if (!(inner_phase.is_constant() && inner_phase.constant_value() == 0.0)) {
          Operation p;
          p.kind = K::P;
          p.qubits = {cs.back()};
          p.params = {inner_phase};
          p.controls.assign(cs.begin(), cs.end() - 1);
          absorb_controls(p);
          out.push_back(std::move(p));
        }
        if (m.kind == Modifier::Kind::NegCtrl) {
          std::vector<Operation> flips;
          for (unsigned c : cs) {
            Operation x;
            x.kind = K::X;
            x.qubits = {c};
            flips.push_back(x);
          }
          out.insert(out.begin() + static_cast<std::ptrdiff_t>(start), flips.begin(), flips.end());
          out.insert(out.end(), flips.begin(), flips.end());
        }
        return;
      }
      case Modifier::Kind::Inv:
        std::reverse(out.begin() + static_cast<std::ptrdiff_t>(start), out.end());
        for (std::size_t k = start; k < out.size(); ++k) invert(out[k]);
        phase = phase - inner_phase;
        return;
      case Modifier::Kind::Pow:
        apply_pow(m, out, start, inner_phase, at);
        phase = phase + inner_phase;
        return;
    }
  }

  void apply_pow(const Modifier& m, std::vector<Operation>& out, std::size_t start, Expr& ph, const Loc& at) {
    double k = m.exponent;
    if (k == std::round(k)) {
      if (k < 0) {
        std::reverse(out.begin() + static_cast<std::ptrdiff_t>(start), out.end());
        for (std::size_t i = start; i < out.size(); ++i) invert(out[i]);
        k = -k;
        ph = -ph;
      }
      const std::size_t len = out.size() - start;
      if (k == 0) {
        out.resize(start);
        ph = Expr(0.0);
        return;
      }
      if (len == 0) {
        ph = ph * k;
        return;
      }
      if (k * static_cast<double>(len) > static_cast<double>(kMaxOperations)) check_budget(kMaxOperations + 1, m.loc);
      check_budget(out.size() + static_cast<std::size_t>(k - 1) * len, m.loc);
      for (std::size_t r = 1; r < static_cast<std::size_t>(k); ++r)
        for (std::size_t i = 0; i < len; ++i) out.push_back(out[start + i]);
      ph = ph * k;
      return;
    }
    // Fractional powers of one gate with a continuous family: the principal root, U(θ)^k = U(kθ).
    if (out.size() - start != 1) fail(m.loc, "pow with a non-integer exponent is supported only on a single phase or rotation gate");
    Operation& op = out[start];
    auto scaled_phase = [&](double lambda) {
      op.params = {Expr(lambda * k)};
    };
    switch (op.kind) {
      case K::RX: case K::RY: case K::RZ: case K::P: case K::CP: case K::CRX: case K::CRY: case K::CRZ:
      case K::RXX: case K::RYY: case K::RZZ:
        op.params[0] = op.params[0] * k;
        break;
      case K::Z: op.kind = K::P; scaled_phase(kPi); break;
      case K::S: op.kind = K::P; scaled_phase(kPi / 2); break;
      case K::Sdg: op.kind = K::P; scaled_phase(-kPi / 2); break;
      case K::T: op.kind = K::P; scaled_phase(kPi / 4); break;
      case K::Tdg: op.kind = K::P; scaled_phase(-kPi / 4); break;
      case K::CZ: op.kind = K::CP; scaled_phase(kPi); break;
      case K::X: case K::CX: case K::CCX: {
        // X^k = H P(kπ) H, exact (k = ½ gives SX).
        Operation h;
        h.kind = K::H;
        h.qubits = {op.targets().back()};
        std::vector<unsigned> controls = op.all_controls();
        op.kind = K::P;
        op.qubits = {h.qubits[0]};
        op.controls = std::move(controls);
        scaled_phase(kPi);
        absorb_controls(op);
        out.insert(out.begin() + static_cast<std::ptrdiff_t>(start), h);
        out.push_back(h);
        break;
      }
      default:
        fail(at, "pow with a non-integer exponent is supported only on phase, rotation and X gates, not '" +
                     std::string(op.info().name) + "'");
    }
    ph = ph * k;
  }

  void expand_base(const Callee& callee, const std::string& name, std::span<const Value> params,
                   std::span<const unsigned> qubits, unsigned depth, std::vector<Operation>& out, Expr& phase,
                   const Loc& at) {
    Sink sink{out, phase};
    std::vector<Expr> p;
    p.reserve(params.size());
    for (const Value& v : params) p.push_back(v.e);
    switch (callee.kind) {
      case Callee::Kind::U: sink.op(K::U, {qubits[0]}, {p[0], p[1], p[2]}); return;
      case Callee::Kind::CX: sink.op(K::CX, {qubits[0], qubits[1]}); return;
      case Callee::Kind::GPhase: sink.add_phase(p[0]); return;
      case Callee::Kind::Lib: callee.lib->expand(p.data(), qubits.data(), sink); return;
      case Callee::Kind::User: break;
    }
    const UserGate& g = *callee.user;
    check_budget(out.size() + g.body.size(), at);
    std::vector<unsigned> q;
    std::vector<Value> args;
    for (const BodyCall& call : g.body) {
      const Callee& inner = call.callee;
      args.clear();
      for (const ExprPtr& e : call.params) {
        Value v = evaluate(*e, &g, params);
        check_finite(v, at, name);
        args.push_back(std::move(v));
      }
      q.clear();
      for (unsigned a : call.args) q.push_back(qubits[a]);
      expand(inner, call.name, call.mods, args, q, depth + 1, out, phase, at);
    }
  }

  static void check_finite(const Value& v, const Loc& at, const std::string& gate = {}) {
    if (v.e.is_constant() && !std::isfinite(v.e.constant_value())) {
      fail(at, "angle is not a finite number" + (gate.empty() ? std::string() : " (in gate '" + gate + "')"));
    }
  }

  // ---- expressions ----
  // Precedence climbing: + - < * / < unary − < ^ (right-associative), so -2^2 = −4 as in OpenQASM 2.
  ExprPtr expression(unsigned depth) {
    if (depth > kMaxNesting) fail(peek().loc, "expression nested deeper than " + std::to_string(kMaxNesting) + " levels");
    ExprPtr lhs = term(depth);
    while (is("+") || is("-")) {
      const Token& op = next();
      auto n = std::make_unique<ExprAst>();
      n->op = op.text == "+" ? ExprAst::Op::Add : ExprAst::Op::Sub;
      n->loc = lhs->loc;  // errors in a binary expression point at its start
      n->a = std::move(lhs);
      n->b = term(depth);
      lhs = std::move(n);
    }
    return lhs;
  }

  ExprPtr term(unsigned depth) {
    ExprPtr lhs = unary(depth);
    while (is("*") || is("/")) {
      const Token& op = next();
      auto n = std::make_unique<ExprAst>();
      n->op = op.text == "*" ? ExprAst::Op::Mul : ExprAst::Op::Div;
      n->loc = lhs->loc;
      n->a = std::move(lhs);
      n->b = unary(depth);
      lhs = std::move(n);
    }
    return lhs;
  }

  ExprPtr unary(unsigned depth) {
    if (depth > kMaxNesting) fail(peek().loc, "expression nested deeper than " + std::to_string(kMaxNesting) + " levels");
    if (is("-") || is("+")) {
      const Token& op = next();
      ExprPtr inner = unary(depth + 1);
      if (op.text == "+") return inner;
      auto n = std::make_unique<ExprAst>();
      n->op = ExprAst::Op::Neg;
      n->loc = op.loc;
      n->a = std::move(inner);
      return n;
    }
    ExprPtr base = primary(depth);
    if (is("^") || is("**")) {
      next();
      auto n = std::make_unique<ExprAst>();
      n->op = ExprAst::Op::Pow;
      n->loc = base->loc;
      n->a = std::move(base);
      n->b = unary(depth + 1);
      return n;
    }
    return base;
  }

  ExprPtr primary(unsigned depth) {
    const Token& t = next();
    auto n = std::make_unique<ExprAst>();
    n->loc = t.loc;
    if (t.kind == Tok::Int || t.kind == Tok::Real) {
      n->op = ExprAst::Op::Num;
      n->value = parse_real(t);
      return n;
    }
    if (t.kind == Tok::Sym && t.text == "(") {
      ExprPtr inner = expression(depth + 1);
      expect(")", "to close the parenthesis");
      return inner;
    }
    if (t.kind == Tok::Ident) {
      static constexpr std::string_view kFunctions[] = {"sin", "cos", "tan", "exp", "ln", "sqrt", "log", "arcsin", "arccos", "arctan"};
      for (std::string_view f : kFunctions) {
        if (t.text == f && is("(")) {
          next();
          n->op = ExprAst::Op::Func;
          n->name = std::string(f);
          n->a = expression(depth + 1);
          expect(")", "after the function argument");
          return n;
        }
      }
      n->op = ExprAst::Op::Name;
      n->name = std::string(t.text);
      return n;
    }
    fail(t.loc, "expected a number, a name or '(' in an expression, found " + describe(t));
  }

  static double parse_real(const Token& t) {
    // from_chars needs a leading digit (".5")
    return parse_real_text(t.text.front() == '.' ? "0" + std::string(t.text) : std::string(t.text), t);
  }
  static double parse_real_text(const std::string& s, const Token& t) {
    double v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range) {
      // Underflow reads as 0 harmlessly; overflow is an error.
      if (s.find_first_of("123456789") == std::string::npos || s.find("e-") != std::string::npos ||
          s.find("E-") != std::string::npos) {
        return 0.0;
      }
      fail(t.loc, "number " + s + " is too large");
    }
    if (ec != std::errc() || ptr != s.data() + s.size()) fail(t.loc, "malformed number " + s);
    return v;
  }

  // Walks an expression in a gate body at definition time, so unknown names are reported where they are written.
  void check_names(const ExprAst& e, const UserGate* g) const {
    if (e.op == ExprAst::Op::Name) (void)lookup_value(e, g, {}, true);
    if (e.a) check_names(*e.a, g);
    if (e.b) check_names(*e.b, g);
  }

  Value lookup_value(const ExprAst& e, const UserGate* g, std::span<const Value> params, bool check_only) const {
    const std::string& nm = e.name;
    if (g != nullptr) {
      auto it = std::find(g->params.begin(), g->params.end(), nm);
      if (it != g->params.end()) {
        if (check_only) return Value{};
        return params[static_cast<std::size_t>(it - g->params.begin())];
      }
    }
    if (nm == "pi" || nm == "π") return Value{Expr(kPi)};
    if (version_ == 3 && (nm == "tau" || nm == "τ")) return Value{Expr(2 * kPi)};
    if (version_ == 3 && (nm == "euler" || nm == "ℇ")) return Value{Expr(std::numbers::e)};
    if (const Symbol* s = lookup(nm)) {
      if (s->kind == Symbol::Kind::Const) return consts_[s->index];
      if (s->kind == Symbol::Kind::Input) {
        if (g != nullptr) fail(e.loc, "input parameter '" + nm + "' cannot be used inside a gate definition; pass it as a parameter");
        return Value{Expr::theta(static_cast<unsigned>(s->index))};
      }
      fail(e.loc, "'" + nm + "' is a " + (s->kind == Symbol::Kind::Gate ? "gate" : "register") + ", not a number");
    }
    if (g != nullptr) fail(e.loc, "unknown parameter '" + nm + "' in gate '" + g->name + "'");
    fail(e.loc, "unknown name '" + nm + "' in expression");
  }

  Value evaluate(const ExprAst& e, const UserGate* g, std::span<const Value> params) const {
    Value r;
    switch (e.op) {
      case ExprAst::Op::Num: return Value{Expr(e.value)};
      case ExprAst::Op::Name: return lookup_value(e, g, params, false);
      case ExprAst::Op::Neg: {
        Value a = evaluate(*e.a, g, params);
        r = Value{-a.e, a.cost + 1};
        break;
      }
      case ExprAst::Op::Func: {
        Value a = evaluate(*e.a, g, params);
        r.cost = a.cost + 1;
        const std::string& f = e.name;
        if (f == "sin") r.e = sin(a.e);
        else if (f == "cos") r.e = cos(a.e);
        else if (f == "tan") r.e = tan(a.e);
        else if (f == "exp") r.e = exp(a.e);
        else if (f == "ln" || f == "log") r.e = log(a.e);
        else if (f == "sqrt") r.e = sqrt(a.e);
        else {
          if (!a.e.is_constant()) fail(e.loc, f + " of an input parameter is not supported (only of constants)");
          const double x = a.e.constant_value();
          r.e = Expr(f == "arcsin" ? std::asin(x) : f == "arccos" ? std::acos(x) : std::atan(x));
        }
        break;
      }
      default: {
        Value a = evaluate(*e.a, g, params);
        Value b = evaluate(*e.b, g, params);
        r.cost = a.cost + b.cost + 1;
        switch (e.op) {
          case ExprAst::Op::Add: r.e = a.e + b.e; break;
          case ExprAst::Op::Sub: r.e = a.e - b.e; break;
          case ExprAst::Op::Mul: r.e = a.e * b.e; break;
          case ExprAst::Op::Div: r.e = a.e / b.e; break;
          default: r.e = pow(a.e, b.e); break;
        }
      }
    }
    if (r.e.is_constant()) r.cost = 1;
    if (r.cost > kMaxExprCost) fail(e.loc, "expression too large (more than " + std::to_string(static_cast<long>(kMaxExprCost)) + " terms after expansion)");
    return r;
  }

  // A non-negative integer-valued constant expression (sizes, indices, compared values).
  std::uint64_t integer_expr(std::string_view what) {
    const Token& t = peek();
    if (t.kind == Tok::Int && (version_ == 2 || is("]", 1) || is(")", 1) || is(";", 1))) {
      next();
      std::uint64_t v = 0;
      const auto [ptr, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), v);
      if (ec != std::errc() || ptr != t.text.data() + t.text.size()) fail(t.loc, "number " + std::string(t.text) + " is too large");
      return v;
    }
    if (version_ == 2) fail(t.loc, "expected an integer " + std::string(what) + ", found " + describe(t));
    ExprPtr e = expression(0);
    const Value v = evaluate(*e, nullptr, {});
    if (!v.e.is_constant()) fail(e->loc, "expected a constant integer " + std::string(what));
    const double d = v.e.constant_value();
    if (!(d >= 0) || d != std::floor(d) || d >= 1.8e19) fail(e->loc, "expected a non-negative integer " + std::string(what));
    return static_cast<std::uint64_t>(d);
  }

  std::filesystem::path include_dir_;
  std::deque<std::string> sources_;  // included files' text (tokens point into it)
  std::deque<std::string> names_;    // file names (tokens point at them)
  std::vector<Token> toks_;
  std::size_t pos_ = 0;
  unsigned includes_ = 0;
  int version_ = 2;
  Program prog_;
  std::map<std::string, Symbol> symbols_;
  std::vector<std::unique_ptr<UserGate>> gates_;
  std::vector<Value> consts_;
};

}  // namespace

Program parse(std::string_view source, std::string_view file_name, const std::filesystem::path& include_dir) {
  Parser p(source, std::string(file_name), include_dir);
  return p.run();
}

Program read_file(const std::filesystem::path& path) {
  // qnn::read_file refuses a directory by name (an ifstream opens one and reads nothing: "declares no qubits").
  const std::string text = ::qnn::read_file(path);
  std::filesystem::path dir = path.parent_path();
  if (dir.empty()) dir = ".";
  return parse(text, path.string(), dir);
}

}  // namespace qnn::qasm
