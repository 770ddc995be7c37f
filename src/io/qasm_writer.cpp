// OpenQASM 2.0 and 3 writers.
//
// Every operation is first lowered to "primitives": a 1-target or 2-target base gate with a list of controls (a
// multi-qubit Unitary becomes 1-qubit unitaries with controls). Each language then spells a primitive its own way:
// OpenQASM 3 has `ctrl(n) @`, OpenQASM 2 only has the fixed controlled gates of qelib1.inc, so anything else is
// decomposed exactly into cx and uncontrolled 1-qubit gates. OpenQASM 2 readers disagree on the global phase of u1, u3
// and rz (the 2017 spec against Qiskit's convention); decompositions here only use those gates uncontrolled, where a
// phase is global, so the written circuit means the same unitary under either convention.
#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <complex>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/io/qasm.hpp"

namespace qnn::qasm {

namespace {

using K = GateKind;
constexpr double kPi = std::numbers::pi;

/// Numbers that read back as the same double. Multiples of π over a power of two are written as such when that
/// expression evaluates to exactly this double (division by 2^m is exact, so `3*pi/4` means the same whichever way
/// a reader associates it); anything else is the shortest round-trip decimal.
std::string exact_number(double v) {
  if (!std::isfinite(v)) throw ValueError("cannot write the non-finite angle " + std::to_string(v));
  if (v == 0) return "0";
  for (int den : {1, 2, 4, 8, 16}) {
    const double k = std::round(v * den / kPi);
    if (k == 0 || std::abs(k) > 64 || k * kPi / den != v) continue;
    std::string s = k == 1 ? "pi" : k == -1 ? "-pi" : std::to_string(static_cast<long>(k)) + "*pi";
    if (den != 1) s += "/" + std::to_string(den);
    return s;
  }
  char buf[40];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, res.ptr);
  // OpenQASM 2's grammar wants a decimal point before an exponent (`1.0e-05`, not `1e-05`).
  const auto e = s.find('e');
  if (e != std::string::npos && s.find('.') == std::string::npos) s.insert(e, ".0");
  return s;
}

using Mat2 = std::array<cplx, 4>;  // row-major 2×2

Mat2 mat2(const GateMatrix& g) { return {g.m[0], g.m[1], g.m[2], g.m[3]}; }
Mat2 dagger(const Mat2& m) { return {std::conj(m[0]), std::conj(m[2]), std::conj(m[1]), std::conj(m[3])}; }

/// M = e^{iα} U(θ, φ, λ) with qnn's U = [[c, −e^{iλ}s], [e^{iφ}s, e^{i(φ+λ)}c]] (c = cos θ/2, s = sin θ/2). Three
/// entries are matched exactly, the fourth follows from unitarity; the phases come from the larger entries so that a
/// nearly diagonal (or anti-diagonal) matrix does not take its angles from rounding noise.
struct Zyz {
  double alpha, theta, phi, lambda;
};
double wrap(double a) {
  a = std::remainder(a, 2 * kPi);
  return a == -kPi ? kPi : a;
}
Zyz zyz(const Mat2& m) {
  Zyz z{};
  z.theta = 2 * std::atan2(std::abs(m[2]), std::abs(m[0]));
  if (std::abs(m[0]) >= std::abs(m[2])) {
    z.alpha = std::arg(m[0]);
    z.phi = m[2] == cplx(0) ? 0.0 : std::arg(m[2]) - z.alpha;
    z.lambda = std::arg(m[3]) - z.alpha - z.phi;
  } else {
    z.alpha = m[0] == cplx(0) ? 0.0 : std::arg(m[0]);
    z.phi = std::arg(m[2]) - z.alpha;
    z.lambda = std::arg(-m[1]) - z.alpha;
  }
  z.alpha = wrap(z.alpha);
  z.phi = wrap(z.phi);
  z.lambda = wrap(z.lambda);
  return z;
}

/// A square root V of a 2×2 unitary (V² = M): by Cayley–Hamilton, V = (M + sI)/t with s² = det M and
/// t² = tr M + 2s; of the two signs of s the one with the larger |t| keeps t away from 0.
Mat2 sqrt_unitary(const Mat2& m) {
  const cplx det = m[0] * m[3] - m[1] * m[2];
  const cplx tr = m[0] + m[3];
  cplx s = std::sqrt(det);
  if (std::abs(tr - 2.0 * s) > std::abs(tr + 2.0 * s)) s = -s;
  const cplx t = std::sqrt(tr + 2.0 * s);
  return {(m[0] + s) / t, m[1] / t, m[2] / t, (m[3] + s) / t};
}

bool two_target(K base) {
  return base == K::SWAP || base == K::ISWAP || base == K::RXX || base == K::RYY || base == K::RZZ;
}

/// A gate after lowering: a 1-target (I … U) or 2-target (SWAP … RZZ) base kind, its targets and every control.
struct Prim {
  K kind;
  std::vector<unsigned> targets;
  std::vector<unsigned> controls;
  std::vector<Expr> params;
};

/// M (on `target`) applied when every control is |1⟩, as U(θ, φ, λ) plus the phase e^{iα}, which is a phase gate
/// on the controls (global, and dropped, when there are none).
void lower_unitary1(const Mat2& m, unsigned target, const std::vector<unsigned>& controls, std::vector<Prim>& out) {
  const Zyz z = zyz(m);
  out.push_back({K::U, {target}, controls, {z.theta, z.phi, z.lambda}});
  if (!controls.empty() && z.alpha != 0) {
    out.push_back({K::P, {controls.back()}, {controls.begin(), controls.end() - 1}, {z.alpha}});
  }
}

/// A k-qubit unitary as a product of two-level unitaries (each a 1-qubit gate controlled on the values of the other
/// k−1 qubits). Rows are visited in Gray-code order so that the two rows of each step differ in one bit. Gaussian
/// elimination finds G_m ⋯ G_1 U = I, so U = G_1† ⋯ G_m†: G_m† is applied first.
void lower_unitary(const Operation& op, const std::vector<unsigned>& extra_controls, std::vector<Prim>& out) {
  const std::vector<unsigned>& targets = op.qubits;
  const auto k = static_cast<unsigned>(targets.size());
  const std::size_t d = std::size_t{1} << k;
  std::vector<cplx> a(*op.matrix);
  if (k == 1) {
    lower_unitary1({a[0], a[1], a[2], a[3]}, targets[0], extra_controls, out);
    return;
  }
  struct Step {
    std::size_t p, q;  // rows (basis states), differing in one bit
    Mat2 g;            // acting on (row p, row q)
  };
  std::vector<Step> steps;
  auto gray = [](std::size_t i) { return i ^ (i >> 1); };
  auto apply = [&](const Step& s) {
    for (std::size_t c = 0; c < d; ++c) {
      const cplx x = a[s.p * d + c], y = a[s.q * d + c];
      a[s.p * d + c] = s.g[0] * x + s.g[1] * y;
      a[s.q * d + c] = s.g[2] * x + s.g[3] * y;
    }
  };
  for (std::size_t col = 0; col + 1 < d; ++col) {
    const std::size_t c = gray(col);
    for (std::size_t i = d - 1; i > col; --i) {
      const std::size_t p = gray(i - 1), q = gray(i);
      const cplx x = a[p * d + c], y = a[q * d + c];
      // The last step of a column also makes the diagonal entry exactly 1 (not just of modulus 1).
      if (std::abs(y) < 1e-15 && (i != col + 1 || x == cplx(1))) continue;
      const double r = std::hypot(std::abs(x), std::abs(y));
      const Step s{p, q, {std::conj(x) / r, std::conj(y) / r, -y / r, x / r}};
      apply(s);
      steps.push_back(s);
    }
  }
  // What is left is diag(1, …, 1, e^{iδ}) at the last row in Gray order.
  const std::size_t last = gray(d - 1), before = gray(d - 2);
  const cplx phase = a[last * d + last];
  if (phase != cplx(1)) steps.push_back({before, last, {1, 0, 0, std::conj(phase) / std::abs(phase)}});

  for (auto it = steps.rbegin(); it != steps.rend(); ++it) {
    const unsigned bit = static_cast<unsigned>(std::countr_zero(it->p ^ it->q));
    // The 2×2 block in the order (target bit 0, target bit 1), adjoint because the step is undone.
    Mat2 g = dagger(it->g);
    if ((it->p >> bit) & 1U) g = {g[3], g[2], g[1], g[0]};
    std::vector<unsigned> controls = extra_controls;
    std::vector<unsigned> flipped;  // qubits that must be |0⟩: conjugated by X
    for (unsigned j = 0; j < k; ++j) {
      if (j == bit) continue;
      controls.push_back(targets[j]);
      if (((it->p >> j) & 1U) == 0) flipped.push_back(targets[j]);
    }
    for (unsigned f : flipped) out.push_back({K::X, {f}, {}, {}});
    lower_unitary1(g, targets[bit], controls, out);
    for (unsigned f : flipped) out.push_back({K::X, {f}, {}, {}});
  }
}

/// The primitives of one operation; `angle` turns a parameter into the Expr the writer prints (OpenQASM 2 binds it).
template <class AngleFn>
std::vector<Prim> lower(const Operation& op, AngleFn&& angle) {
  std::vector<Prim> out;
  if (op.kind == K::Unitary) {
    lower_unitary(op, op.controls, out);
    return out;
  }
  const GateInfo& info = op.info();
  Prim p{base_kind(op.kind), {}, op.all_controls(), {}};
  p.targets.assign(op.qubits.begin() + info.num_controls, op.qubits.end());
  for (const Expr& e : op.params) p.params.push_back(angle(e));
  out.push_back(std::move(p));
  return out;
}

class Writer {
 public:
  Writer(int version, const Program& program, std::span<const double> theta, std::span<const double> inputs)
      : v3_(version == 3), program_(program), theta_(theta), inputs_(inputs) {}

  std::string write();

 private:
  // ---- names and numbers ----
  void name_registers();
  [[nodiscard]] std::string qubit(unsigned q) const { return qubit_names_.at(q); }
  [[nodiscard]] std::string qubits(const std::vector<unsigned>& qs) const {
    std::string s;
    for (unsigned q : qs) s += (s.empty() ? "" : ", ") + qubit(q);
    return s;
  }
  [[nodiscard]] std::string theta_name(unsigned i) const {
    return i < program_.parameters.size() ? program_.parameters[i] : "theta_" + std::to_string(i);
  }
  static std::string input_name(unsigned j) { return "x_" + std::to_string(j); }
  [[nodiscard]] Expr bind(const Expr& e) const;
  [[nodiscard]] std::string angle(const Expr& e) const;
  [[nodiscard]] std::string condition(const Condition& c) const;

  // ---- statements ----
  void stmt(std::string s) { stmts_.push_back(std::move(s)); }
  void gate(std::string_view name, const std::vector<std::string>& params, const std::vector<unsigned>& qs,
            std::size_t ctrl_modifier = 0);
  void emit(const Prim& p);
  void emit1(K base, unsigned t, const std::vector<unsigned>& controls, const std::vector<Expr>& params);
  void emit2(K base, unsigned a, unsigned b, const std::vector<unsigned>& controls, const std::vector<Expr>& params);
  void controlled_matrix(const Mat2& m, unsigned t, const std::vector<unsigned>& controls);
  void need_definition(K kind);
  void flush(const Instruction& ins);

  bool v3_;
  const Program& program_;
  std::span<const double> theta_, inputs_;
  std::vector<std::string> qubit_names_, bit_names_;
  std::vector<K> definitions_;        // gates written as `gate` definitions, in order of first use
  std::vector<std::string> stmts_;    // the current instruction's statements
  std::string body_;
  std::string where_;                 // the current instruction, for error messages
};

void Writer::name_registers() {
  auto names = [](const std::vector<Register>& regs, unsigned n, const char* fallback, const char* what) {
    std::vector<std::string> out(n);
    if (regs.empty()) {
      for (unsigned i = 0; i < n; ++i) out[i] = std::string(fallback) + "[" + std::to_string(i) + "]";
      return out;
    }
    for (const Register& r : regs) {
      for (unsigned i = 0; i < r.size; ++i) {
        if (r.offset + i >= n) {
          throw ValueError(std::string(what) + " register '" + r.name + "' reaches index " +
                           std::to_string(r.offset + i) + " of only " + std::to_string(n));
        }
        out[r.offset + i] = r.name + "[" + std::to_string(i) + "]";
      }
    }
    for (unsigned i = 0; i < n; ++i) {
      if (out[i].empty()) throw ValueError(std::string(what) + " " + std::to_string(i) + " is in no register");
    }
    return out;
  };
  qubit_names_ = names(program_.qregs, program_.num_qubits, "q", "qubit");
  bit_names_ = names(program_.cregs, program_.num_clbits, "c", "classical bit");
}

Expr Writer::bind(const Expr& e) const {
  if (!e.has_variables()) return e;
  const bool theta_bound = !v3_ || !theta_.empty() || e.num_theta() == 0;
  const bool inputs_bound = !v3_ || !inputs_.empty() || e.num_inputs() == 0;
  try {
    if (theta_bound && inputs_bound) return Expr(e.eval(theta_, inputs_));
    // Partly bound (OpenQASM 3 with weights given, inputs free): check the bound side now, print the rest.
    if (theta_bound && e.num_theta() > theta_.size()) (void)theta(e.num_theta() - 1).eval(theta_, {});
    if (inputs_bound && e.num_inputs() > inputs_.size()) (void)input(e.num_inputs() - 1).eval({}, inputs_);
  } catch (const ValueError& err) {
    throw ValueError(std::string(v3_ ? "OpenQASM 3" : "OpenQASM 2 (which has no free parameters)") + ": " +
                     err.what() + " in " + where_);
  }
  return e;
}

std::string Writer::angle(const Expr& e) const {
  if (!e.has_variables()) return exact_number(e.eval({}, {}));
  Expr::Format f;
  f.number = exact_number;
  f.power = "**";
  f.log = "log";
  f.theta = [this](unsigned i) { return theta_.empty() ? theta_name(i) : exact_number(theta_[i]); };
  f.input = [this](unsigned j) { return inputs_.empty() ? input_name(j) : exact_number(inputs_[j]); };
  return e.to_string(f);
}

std::string Writer::condition(const Condition& c) const {
  std::vector<Register> regs = program_.cregs;
  if (regs.empty() && program_.num_clbits > 0) regs.push_back({"c", 0, program_.num_clbits});
  for (const Register& r : regs) {
    if (r.offset == c.offset && r.size == c.size) {
      return v3_ ? "if (" + r.name + " == " + std::to_string(c.value) + ") " : "if(" + r.name + "==" +
                                                                                   std::to_string(c.value) + ") ";
    }
  }
  if (v3_ && c.size == 1 && c.offset < bit_names_.size()) {
    return "if (" + bit_names_[c.offset] + " == " + std::to_string(c.value) + ") ";
  }
  throw ValueError("cannot write the condition on classical bits [" + std::to_string(c.offset) + ", " +
                   std::to_string(c.offset + c.size) + ") in " + where_ + ": OpenQASM " + (v3_ ? "3" : "2") +
                   " tests a whole classical register" + (v3_ ? " or one bit" : ""));
}

void Writer::gate(std::string_view name, const std::vector<std::string>& params, const std::vector<unsigned>& qs,
                  std::size_t ctrl_modifier) {
  std::string s;
  if (ctrl_modifier == 1) s = "ctrl @ ";
  if (ctrl_modifier > 1) s = "ctrl(" + std::to_string(ctrl_modifier) + ") @ ";
  s += name;
  if (!params.empty()) {
    s += "(";
    for (std::size_t i = 0; i < params.size(); ++i) s += (i ? ", " : "") + params[i];
    s += ")";
  }
  stmt(s + " " + qubits(qs));
}

// Names of uncontrolled and singly controlled gates; empty where the language has none.
std::string_view name0(K k, bool v3) {
  switch (k) {
    case K::I: return "id";
    case K::X: return "x";
    case K::Y: return "y";
    case K::Z: return "z";
    case K::H: return "h";
    case K::S: return "s";
    case K::Sdg: return "sdg";
    case K::T: return "t";
    case K::Tdg: return "tdg";
    case K::SX: return "sx";
    case K::SXdg: return v3 ? "" : "sxdg";  // not in stdgates.inc
    case K::RX: return "rx";
    case K::RY: return "ry";
    case K::RZ: return "rz";
    case K::P: return v3 ? "p" : "u1";      // u1: in every qelib1.inc, old and new
    case K::U: return v3 ? "U" : "u3";      // OpenQASM 3's U has exactly qnn's phase
    default: return "";
  }
}
std::string_view name1(K k, bool v3) {
  switch (k) {
    case K::X: return "cx";
    case K::Y: return "cy";
    case K::Z: return "cz";
    case K::H: return "ch";
    case K::RX: return "crx";
    case K::RY: return "cry";
    case K::RZ: return "crz";
    case K::P: return v3 ? "cp" : "cu1";
    default: return "";
  }
}

void Writer::emit(const Prim& p) {
  if (two_target(p.kind)) {
    emit2(p.kind, p.targets[0], p.targets[1], p.controls, p.params);
  } else {
    emit1(p.kind, p.targets[0], p.controls, p.params);
  }
}

void Writer::emit1(K base, unsigned t, const std::vector<unsigned>& controls, const std::vector<Expr>& params) {
  std::vector<std::string> ps;
  for (const Expr& e : params) ps.push_back(angle(e));
  std::vector<unsigned> qs = controls;
  qs.push_back(t);
  const std::size_t n = controls.size();
  if (!v3_ && n > 0) {
    if (base == K::I) return;  // a controlled identity is the identity
    // Controlled S, S†, T, T† are controlled phases, which qelib1 has.
    double lambda = 0;
    switch (base) {
      case K::S: lambda = kPi / 2; break;
      case K::Sdg: lambda = -kPi / 2; break;
      case K::T: lambda = kPi / 4; break;
      case K::Tdg: lambda = -kPi / 4; break;
      default: break;
    }
    if (lambda != 0) return emit1(K::P, t, controls, {Expr(lambda)});
  }
  const std::string_view n0 = name0(base, v3_), n1 = name1(base, v3_);
  if (n == 0 && !n0.empty()) return gate(n0, ps, qs);
  if (n == 1 && !n1.empty()) return gate(n1, ps, qs);
  if (n == 2 && base == K::X) return gate("ccx", ps, qs);
  if (v3_ && !n0.empty()) return gate(n0, ps, qs, n);
  // No name for it: the numeric matrix (every angle is a number here: OpenQASM 2 binds them all, and the only
  // OpenQASM 3 gate that gets here is the constant √X†).
  std::vector<double> values;
  for (const Expr& e : params) values.push_back(e.eval({}, {}));
  controlled_matrix(mat2(gate_matrix(base, values)), t, controls);
}

void Writer::controlled_matrix(const Mat2& m, unsigned t, const std::vector<unsigned>& controls) {
  const std::size_t n = controls.size();
  const Zyz z = zyz(m);
  if (v3_ || n == 0) {
    std::vector<Prim> prims;
    lower_unitary1(m, t, controls, prims);
    for (const Prim& p : prims) {
      std::vector<std::string> ps;
      for (const Expr& e : p.params) ps.push_back(angle(e));
      std::vector<unsigned> qs = p.controls;
      qs.push_back(p.targets[0]);
      if (p.kind == K::U) {
        gate(name0(K::U, v3_), ps, qs, p.controls.size());
      } else {
        emit1(K::P, p.targets[0], p.controls, p.params);
      }
    }
    return;
  }
  if (n == 1) {
    // M = e^{iβ} Rz(φ) Ry(θ) Rz(λ) with β = α + (φ+λ)/2 (Rz, Ry of determinant 1). With A = Rz(φ)Ry(θ/2),
    // B = Ry(−θ/2)Rz(−(φ+λ)/2), C = Rz((λ−φ)/2): ABC = I and AXBXC = Rz(φ)Ry(θ)Rz(λ), so
    // C; cx; B; cx; A; then the phase e^{iβ} on the control is controlled-M. A, B, C are uncontrolled: their own
    // phases (u3 and u1 conventions differ) are global.
    const unsigned c = controls[0];
    const double half_diff = (z.lambda - z.phi) / 2, half_sum = (z.phi + z.lambda) / 2;
    if (half_diff != 0) gate("u1", {exact_number(half_diff)}, {t});
    gate("cx", {}, {c, t});
    if (z.theta != 0 || half_sum != 0) gate("u3", {exact_number(-z.theta / 2), "0", exact_number(-half_sum)}, {t});
    gate("cx", {}, {c, t});
    if (z.theta != 0 || z.phi != 0) gate("u3", {exact_number(z.theta / 2), exact_number(z.phi), "0"}, {t});
    const double beta = wrap(z.alpha + half_sum);
    if (beta != 0) gate("u1", {exact_number(beta)}, {c});
    return;
  }
  // Barenco et al. (1995), lemma 7.5, with V² = M and c the last control, C' the others:
  // C^n(M) = C_c(V) · C^{n−1}X(C' → c) · C_c(V†) · C^{n−1}X(C' → c) · C^{n−1}(V)(C' → t).
  const Mat2 v = sqrt_unitary(m);
  const unsigned c = controls.back();
  const std::vector<unsigned> rest(controls.begin(), controls.end() - 1);
  controlled_matrix(v, t, {c});
  emit1(K::X, c, rest, {});
  controlled_matrix(dagger(v), t, {c});
  emit1(K::X, c, rest, {});
  controlled_matrix(v, t, rest);
}

void Writer::emit2(K base, unsigned a, unsigned b, const std::vector<unsigned>& controls,
                   const std::vector<Expr>& params) {
  const std::size_t n = controls.size();
  if (n == 0) {
    std::vector<std::string> ps;
    for (const Expr& e : params) ps.push_back(angle(e));
    need_definition(base);
    return gate(gate_info(base).name, ps, {a, b});
  }
  std::vector<unsigned> qs = controls;
  qs.push_back(a);
  qs.push_back(b);
  switch (base) {
    case K::SWAP:
      if (n == 1) return gate("cswap", {}, qs);
      if (v3_) return gate("swap", {}, qs, n);
      {
        // SWAP = CX(b,a) CX(a,b) CX(b,a); only the middle one needs the controls.
        std::vector<unsigned> more = controls;
        more.push_back(a);
        gate("cx", {}, {b, a});
        emit1(K::X, b, more, {});
        gate("cx", {}, {b, a});
      }
      return;
    case K::RZZ:
      // RZZ(θ) = CX(a,b) RZ_b(θ) CX(a,b), exactly (phase included); without the controls the CX pair cancels.
      gate("cx", {}, {a, b});
      emit1(K::RZ, b, controls, params);
      gate("cx", {}, {a, b});
      return;
    case K::RXX:
      // X⊗X = (H⊗H) Z⊗Z (H⊗H).
      gate("h", {}, {a});
      gate("h", {}, {b});
      emit2(K::RZZ, a, b, controls, params);
      gate("h", {}, {a});
      gate("h", {}, {b});
      return;
    case K::RYY:
      // W = H S† maps Y to Z (W Y W† = Z), so RYY = (W†⊗W†) RZZ (W⊗W).
      gate("sdg", {}, {a});
      gate("sdg", {}, {b});
      gate("h", {}, {a});
      gate("h", {}, {b});
      emit2(K::RZZ, a, b, controls, params);
      gate("h", {}, {a});
      gate("h", {}, {b});
      gate("s", {}, {a});
      gate("s", {}, {b});
      return;
    case K::ISWAP:
      // iSWAP = exp(iπ/4 (X⊗X + Y⊗Y)) = RXX(−π/2) RYY(−π/2) (the two commute).
      emit2(K::RXX, a, b, controls, {Expr(-kPi / 2)});
      emit2(K::RYY, a, b, controls, {Expr(-kPi / 2)});
      return;
    default: throw ValueError("internal: not a two-target gate");
  }
}

void Writer::need_definition(K kind) {
  const bool defined = kind == K::ISWAP || kind == K::RYY || (v3_ && (kind == K::RXX || kind == K::RZZ));
  if (defined && std::find(definitions_.begin(), definitions_.end(), kind) == definitions_.end()) {
    definitions_.push_back(kind);
  }
}

// Exact definitions (global phase included, so `ctrl @` on them in another tool is right too).
std::string definition(K kind) {
  switch (kind) {
    case K::RZZ: return "gate rzz(theta) a, b { cx a, b; rz(theta) b; cx a, b; }\n";
    case K::RXX: return "gate rxx(theta) a, b { h a; h b; cx a, b; rz(theta) b; cx a, b; h a; h b; }\n";
    case K::RYY:
      return "gate ryy(theta) a, b { sdg a; sdg b; h a; h b; cx a, b; rz(theta) b; cx a, b; h a; h b; s a; s b; }\n";
    case K::ISWAP: return "gate iswap a, b { s a; s b; h a; cx a, b; cx b, a; h b; }\n";
    default: return "";
  }
}

void Writer::flush(const Instruction& ins) {
  if (stmts_.empty()) return;
  if (!ins.condition) {
    for (const std::string& s : stmts_) body_ += s + ";\n";
  } else if (!v3_ || stmts_.size() == 1) {
    // A gate sequence changes no classical bit, so testing the condition before each statement is the same test.
    const std::string cond = condition(*ins.condition);
    for (const std::string& s : stmts_) body_ += cond + s + ";\n";
  } else {
    body_ += condition(*ins.condition) + "{\n";
    for (const std::string& s : stmts_) body_ += "  " + s + ";\n";
    body_ += "}\n";
  }
  stmts_.clear();
}

std::string Writer::write() {
  name_registers();
  auto check_qubit = [&](unsigned q) {
    if (q >= program_.num_qubits) {
      throw ValueError("qubit " + std::to_string(q) + " of " + where_ + " is outside the program's " +
                       std::to_string(program_.num_qubits) + " qubits");
    }
  };
  unsigned num_theta = static_cast<unsigned>(program_.parameters.size()), num_inputs = 0;
  for (std::size_t i = 0; i < program_.body.size(); ++i) {
    const Instruction& ins = program_.body[i];
    where_ = "instruction " + std::to_string(i + 1);
    if (ins.line != 0) where_ += " (line " + std::to_string(ins.line) + ")";
    switch (ins.kind) {
      case InstructionKind::Gate: {
        for (unsigned q : ins.op.qubits) check_qubit(q);
        for (unsigned q : ins.op.controls) check_qubit(q);
        if (ins.op.kind == K::Unitary && (!ins.op.matrix || ins.op.matrix->size() !=
                                                                 (std::size_t{1} << (2 * ins.op.qubits.size())))) {
          throw ValueError(where_ + ": a unitary operation without a matrix of its size");
        }
        where_ += " '" + std::string(ins.op.info().name) + "' on " + qubits(ins.op.qubits);
        for (const Expr& e : ins.op.params) {
          num_theta = std::max(num_theta, e.num_theta());
          num_inputs = std::max(num_inputs, e.num_inputs());
        }
        for (const Prim& p : lower(ins.op, [&](const Expr& e) { return bind(e); })) emit(p);
        break;
      }
      case InstructionKind::Measure:
        check_qubit(ins.qubit);
        if (ins.clbit >= program_.num_clbits) {
          throw ValueError("classical bit " + std::to_string(ins.clbit) + " of " + where_ + " is outside the " +
                           std::to_string(program_.num_clbits) + " bits");
        }
        stmt(v3_ ? bit_names_[ins.clbit] + " = measure " + qubit(ins.qubit)
                 : "measure " + qubit(ins.qubit) + " -> " + bit_names_[ins.clbit]);
        break;
      case InstructionKind::Reset:
        check_qubit(ins.qubit);
        stmt("reset " + qubit(ins.qubit));
        break;
      case InstructionKind::Barrier: {
        for (unsigned q : ins.qubits) check_qubit(q);
        if (ins.qubits.empty()) break;
        // A barrier changes nothing, so a condition on it (OpenQASM 2 has no syntax for one) is dropped.
        body_ += "barrier " + qubits(ins.qubits) + ";\n";
        continue;
      }
    }
    flush(ins);
  }

  std::string out = v3_ ? "OPENQASM 3.0;\ninclude \"stdgates.inc\";\n" : "OPENQASM 2.0;\ninclude \"qelib1.inc\";\n";
  for (K k : definitions_) out += definition(k);
  if (v3_) {
    if (theta_.empty()) {
      for (unsigned i = 0; i < num_theta; ++i) out += "input float[64] " + theta_name(i) + ";\n";
    }
    if (inputs_.empty()) {
      for (unsigned j = 0; j < num_inputs; ++j) out += "input float[64] " + input_name(j) + ";\n";
    }
  }
  auto declare = [&](const std::vector<Register>& regs, unsigned n, const char* fallback, const char* kind2,
                     const char* kind3) {
    std::vector<Register> rs = regs;
    if (rs.empty() && n > 0) rs.push_back({fallback, 0, n});
    for (const Register& r : rs) {
      out += v3_ ? std::string(kind3) + "[" + std::to_string(r.size) + "] " + r.name + ";\n"
                 : std::string(kind2) + " " + r.name + "[" + std::to_string(r.size) + "];\n";
    }
  };
  declare(program_.qregs, program_.num_qubits, "q", "qreg", "qubit");
  declare(program_.cregs, program_.num_clbits, "c", "creg", "bit");
  return out + body_;
}

}  // namespace

std::string write_qasm2(const Program& program, std::span<const double> theta, std::span<const double> inputs) {
  return Writer(2, program, theta, inputs).write();
}

std::string write_qasm3(const Program& program, std::span<const double> theta, std::span<const double> inputs) {
  return Writer(3, program, theta, inputs).write();
}

}  // namespace qnn::qasm
