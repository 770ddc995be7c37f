#include "qnn/circuit/expression.hpp"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <vector>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "qnn/core/error.hpp"

namespace qnn {

struct Expr::Node {
  Kind kind = Kind::Const;
  double value = 0;  // Const
  unsigned index = 0;  // Theta / Input
  unsigned max_theta = 0;  // 1 + largest θ index below this node
  unsigned max_input = 0;
  std::shared_ptr<const Node> a, b;
};

namespace {
using Node = Expr::Node;
using Kind = Expr::Kind;

std::shared_ptr<const Node> leaf(Kind k, double v, unsigned idx) {
  auto n = std::make_shared<Node>();
  n->kind = k;
  n->value = v;
  n->index = idx;
  if (k == Kind::Theta) n->max_theta = idx + 1;
  if (k == Kind::Input) n->max_input = idx + 1;
  return n;
}

double apply_unary(Kind k, double a) {
  switch (k) {
    case Kind::Neg: return -a;
    case Kind::Sin: return std::sin(a);
    case Kind::Cos: return std::cos(a);
    case Kind::Tan: return std::tan(a);
    case Kind::Exp: return std::exp(a);
    case Kind::Log: return std::log(a);
    case Kind::Sqrt: return std::sqrt(a);
    default: return a;
  }
}
double apply_binary(Kind k, double a, double b) {
  switch (k) {
    case Kind::Add: return a + b;
    case Kind::Sub: return a - b;
    case Kind::Mul: return a * b;
    case Kind::Div: return a / b;
    case Kind::Pow: return std::pow(a, b);
    default: return 0;
  }
}

double eval_node(const Node& n, std::span<const double> th, std::span<const double> x) {
  switch (n.kind) {
    case Kind::Const: return n.value;
    case Kind::Theta:
      if (n.index >= th.size())
        throw ValueError("parameter theta[" + std::to_string(n.index) + "] is not bound (" +
                         std::to_string(th.size()) + " weights given)");
      return th[n.index];
    case Kind::Input:
      if (n.index >= x.size())
        throw ValueError("input x[" + std::to_string(n.index) + "] is not bound (" + std::to_string(x.size()) +
                         " features given)");
      return x[n.index];
    case Kind::Add: case Kind::Sub: case Kind::Mul: case Kind::Div: case Kind::Pow:
      return apply_binary(n.kind, eval_node(*n.a, th, x), eval_node(*n.b, th, x));
    default: return apply_unary(n.kind, eval_node(*n.a, th, x));
  }
}

void backprop_node(const Node& n, std::span<const double> th, std::span<const double> x, double seed,
                   std::span<double> dth, std::span<double> dx) {
  if (seed == 0.0 || (n.max_theta == 0 && n.max_input == 0)) return;
  switch (n.kind) {
    case Kind::Const: return;
    case Kind::Theta:
      if (n.index < dth.size()) dth[n.index] += seed;
      return;
    case Kind::Input:
      if (n.index < dx.size()) dx[n.index] += seed;
      return;
    case Kind::Add:
      backprop_node(*n.a, th, x, seed, dth, dx);
      backprop_node(*n.b, th, x, seed, dth, dx);
      return;
    case Kind::Sub:
      backprop_node(*n.a, th, x, seed, dth, dx);
      backprop_node(*n.b, th, x, -seed, dth, dx);
      return;
    case Kind::Mul: {
      const double a = eval_node(*n.a, th, x), b = eval_node(*n.b, th, x);
      backprop_node(*n.a, th, x, seed * b, dth, dx);
      backprop_node(*n.b, th, x, seed * a, dth, dx);
      return;
    }
    case Kind::Div: {
      const double a = eval_node(*n.a, th, x), b = eval_node(*n.b, th, x);
      backprop_node(*n.a, th, x, seed / b, dth, dx);
      backprop_node(*n.b, th, x, -seed * a / (b * b), dth, dx);
      return;
    }
    case Kind::Pow: {
      const double a = eval_node(*n.a, th, x), b = eval_node(*n.b, th, x);
      backprop_node(*n.a, th, x, seed * b * std::pow(a, b - 1), dth, dx);
      if (n.b->max_theta || n.b->max_input) backprop_node(*n.b, th, x, seed * std::pow(a, b) * std::log(a), dth, dx);
      return;
    }
    default: {
      const double a = eval_node(*n.a, th, x);
      double d = 0;
      switch (n.kind) {
        case Kind::Neg: d = -1; break;
        case Kind::Sin: d = std::cos(a); break;
        case Kind::Cos: d = -std::sin(a); break;
        case Kind::Tan: d = 1.0 / (std::cos(a) * std::cos(a)); break;
        case Kind::Exp: d = std::exp(a); break;
        case Kind::Log: d = 1.0 / a; break;
        case Kind::Sqrt: d = 0.5 / std::sqrt(a); break;
        default: break;
      }
      backprop_node(*n.a, th, x, seed * d, dth, dx);
    }
  }
}

std::string number(double v) {
  const double pi = std::numbers::pi;
  if (v == 0) return "0";
  for (int den : {1, 2, 4, 8}) {
    const double r = v * den / pi;
    if (std::abs(r - std::round(r)) < 1e-15 * std::abs(r) + 1e-300 && std::abs(std::round(r)) <= 64 && std::round(r) != 0) {
      const long k = std::lround(r);
      std::string s = k == 1 ? "pi" : k == -1 ? "-pi" : std::to_string(k) + "*pi";
      if (den != 1) s += "/" + std::to_string(den);
      return s;
    }
  }
  // Shortest decimal that reads back as the same double ("0.1", not "0.10000000000000001").
  char buf[40];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

const char* fname(Kind k) {
  switch (k) {
    case Kind::Sin: return "sin";
    case Kind::Cos: return "cos";
    case Kind::Tan: return "tan";
    case Kind::Exp: return "exp";
    case Kind::Sqrt: return "sqrt";
    default: return "";
  }
}

// A leaf as an operand: `-2` after `*` or `3*pi/4` after `/` would regroup when read back, so anything that is not a
// single token gets parentheses.
std::string operand(std::string s) {
  bool token = !s.empty() && s.front() != '-' && s.front() != '+';
  for (std::size_t i = 0; token && i < s.size(); ++i) {
    const char c = s[i];
    const bool exponent_sign = (c == '-' || c == '+') && i > 0 && (s[i - 1] == 'e' || s[i - 1] == 'E');
    token = std::string_view(" */^()+-").find(c) == std::string_view::npos || exponent_sign;
  }
  return token ? s : "(" + s + ")";
}

std::string print(const Node& n, const Expr::Format& f) {
  switch (n.kind) {
    case Kind::Const: return operand(f.number ? f.number(n.value) : number(n.value));
    case Kind::Theta: return operand(f.theta ? f.theta(n.index) : "theta[" + std::to_string(n.index) + "]");
    case Kind::Input: return operand(f.input ? f.input(n.index) : "x[" + std::to_string(n.index) + "]");
    case Kind::Add: return "(" + print(*n.a, f) + " + " + print(*n.b, f) + ")";
    case Kind::Sub: return "(" + print(*n.a, f) + " - " + print(*n.b, f) + ")";
    case Kind::Mul: return "(" + print(*n.a, f) + "*" + print(*n.b, f) + ")";
    case Kind::Div: return "(" + print(*n.a, f) + "/" + print(*n.b, f) + ")";
    case Kind::Pow: return "(" + print(*n.a, f) + std::string(f.power) + print(*n.b, f) + ")";
    case Kind::Neg: return "(-" + print(*n.a, f) + ")";
    case Kind::Log: return std::string(f.log) + "(" + print(*n.a, f) + ")";
    default: return std::string(fname(n.kind)) + "(" + print(*n.a, f) + ")";
  }
}
}  // namespace

Expr::Expr(double value) : node_(leaf(Kind::Const, value, 0)) {}
Expr Expr::theta(unsigned i) { return Expr(leaf(Kind::Theta, 0, i)); }
Expr Expr::input(unsigned j) { return Expr(leaf(Kind::Input, 0, j)); }

Expr::Kind Expr::kind() const { return node_->kind; }
double Expr::constant_value() const { return node_->value; }
unsigned Expr::index() const { return node_->index; }
bool Expr::has_variables() const { return node_->max_theta != 0 || node_->max_input != 0; }
unsigned Expr::num_theta() const { return node_->max_theta; }
unsigned Expr::num_inputs() const { return node_->max_input; }

std::vector<unsigned> Expr::theta_indices() const {
  std::vector<unsigned> out;
  std::vector<const Node*> stack{node_.get()};
  while (!stack.empty()) {
    const Node* n = stack.back();
    stack.pop_back();
    if (n->max_theta == 0) continue;
    if (n->kind == Kind::Theta) out.push_back(n->index);
    if (n->a) stack.push_back(n->a.get());
    if (n->b) stack.push_back(n->b.get());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double Expr::eval(std::span<const double> theta, std::span<const double> x) const {
  if (node_->kind == Kind::Const) return node_->value;
  return eval_node(*node_, theta, x);
}

void Expr::backprop(std::span<const double> theta, std::span<const double> x, double seed, std::span<double> dtheta,
                    std::span<double> dx) const {
  backprop_node(*node_, theta, x, seed, dtheta, dx);
}

std::string Expr::to_string() const { return to_string(Format{}); }

std::string Expr::to_string(const Format& format) const {
  std::string s = print(*node_, format);
  if (s.size() > 1 && s.front() == '(' && s.back() == ')') {
    // Drop one pair of outer parentheses if they enclose the whole expression.
    int depth = 0;
    bool whole = true;
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
      depth += s[i] == '(' ? 1 : s[i] == ')' ? -1 : 0;
      if (depth == 0) {
        whole = false;
        break;
      }
    }
    if (whole) s = s.substr(1, s.size() - 2);
  }
  return s;
}

Expr Expr::unary(Kind k, const Expr& a) {
  if (a.is_constant()) return Expr(apply_unary(k, a.constant_value()));
  auto n = std::make_shared<Node>();
  n->kind = k;
  n->a = a.node_;
  n->max_theta = a.node_->max_theta;
  n->max_input = a.node_->max_input;
  return Expr(std::move(n));
}

Expr Expr::binary(Kind k, const Expr& a, const Expr& b) {
  if (a.is_constant() && b.is_constant()) return Expr(apply_binary(k, a.constant_value(), b.constant_value()));
  // Fold the identities that building circuits produces all the time.
  if (k == Kind::Add && a.is_constant() && a.constant_value() == 0) return b;
  if ((k == Kind::Add || k == Kind::Sub) && b.is_constant() && b.constant_value() == 0) return a;
  if (k == Kind::Mul && a.is_constant() && a.constant_value() == 1) return b;
  if ((k == Kind::Mul || k == Kind::Div) && b.is_constant() && b.constant_value() == 1) return a;
  auto n = std::make_shared<Node>();
  n->kind = k;
  n->a = a.node_;
  n->b = b.node_;
  n->max_theta = std::max(a.node_->max_theta, b.node_->max_theta);
  n->max_input = std::max(a.node_->max_input, b.node_->max_input);
  return Expr(std::move(n));
}

Expr operator+(const Expr& a, const Expr& b) { return Expr::binary(Expr::Kind::Add, a, b); }
Expr operator-(const Expr& a, const Expr& b) { return Expr::binary(Expr::Kind::Sub, a, b); }
Expr operator*(const Expr& a, const Expr& b) { return Expr::binary(Expr::Kind::Mul, a, b); }
Expr operator/(const Expr& a, const Expr& b) { return Expr::binary(Expr::Kind::Div, a, b); }
Expr operator-(const Expr& a) {
  if (a.kind() == Expr::Kind::Neg) return Expr(a.node_->a);
  return Expr::unary(Expr::Kind::Neg, a);
}
Expr pow(const Expr& a, const Expr& b) { return Expr::binary(Expr::Kind::Pow, a, b); }
Expr sin(const Expr& a) { return Expr::unary(Expr::Kind::Sin, a); }
Expr cos(const Expr& a) { return Expr::unary(Expr::Kind::Cos, a); }
Expr tan(const Expr& a) { return Expr::unary(Expr::Kind::Tan, a); }
Expr exp(const Expr& a) { return Expr::unary(Expr::Kind::Exp, a); }
Expr log(const Expr& a) { return Expr::unary(Expr::Kind::Log, a); }
Expr sqrt(const Expr& a) { return Expr::unary(Expr::Kind::Sqrt, a); }

}  // namespace qnn
