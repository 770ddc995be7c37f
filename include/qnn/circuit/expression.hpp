#pragma once
// Gate angles as expressions over trainable weights θ_i and input features x_j, so one circuit serves every sample.
// `a*θ_i + b`, `a*x_j + b` and the products an encoding needs, e.g. (π − x_j)(π − x_k), are all Expr trees; they
// evaluate to a number and back-propagate d(angle)/dθ and d(angle)/dx for the chain rule of every gradient method.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace qnn {

class Expr {
 public:
  enum class Kind : std::uint8_t { Const, Theta, Input, Add, Sub, Mul, Div, Neg, Pow, Sin, Cos, Tan, Exp, Log, Sqrt };

  /// A constant (implicit, so `c.rx(0, 0.5)` works).
  Expr(double value = 0.0);  // NOLINT(google-explicit-constructor)

  /// Trainable weight θ_i.
  static Expr theta(unsigned i);
  /// Input feature x_j.
  static Expr input(unsigned j);

  [[nodiscard]] Kind kind() const;
  [[nodiscard]] bool is_constant() const { return kind() == Kind::Const; }
  /// The value of a constant, or the index of θ_i / x_j.
  [[nodiscard]] double constant_value() const;
  [[nodiscard]] unsigned index() const;
  /// True if the expression depends on any θ or x.
  [[nodiscard]] bool has_variables() const;
  /// 1 + the largest θ index used (0 if none); likewise for inputs.
  [[nodiscard]] unsigned num_theta() const;
  [[nodiscard]] unsigned num_inputs() const;
  /// The distinct θ indices the expression reads, ascending.
  [[nodiscard]] std::vector<unsigned> theta_indices() const;

  /// Value at (θ, x). Indices beyond the spans throw ValueError.
  [[nodiscard]] double eval(std::span<const double> theta, std::span<const double> x) const;
  /// Add seed · ∂expr/∂θ_i to dtheta[i] and seed · ∂expr/∂x_j to dx[j] (either span may be empty to skip it).
  void backprop(std::span<const double> theta, std::span<const double> x, double seed, std::span<double> dtheta,
                std::span<double> dx) const;

  /// Readable form using `theta[i]` and `x[j]`, with `pi` for π, parenthesised so it parses back (OpenQASM style).
  [[nodiscard]] std::string to_string() const;

  /// How to_string(Format) spells the leaves and operators. OpenQASM 2 and 3 differ (`^`/`ln` against `**`/`log`),
  /// a writer names its parameters, prints bound ones as numbers, and needs numbers that read back exactly; a drawing
  /// wants 3 significant digits and `θ0`. Empty functions keep the defaults of to_string().
  struct Format {
    std::function<std::string(unsigned)> theta;  // default `theta[i]`
    std::function<std::string(unsigned)> input;   // default `x[j]`
    std::function<std::string(double)> number;   // default: shortest round-trip decimal, or a multiple of pi
    std::string_view power = "^";
    std::string_view log = "ln";
  };
  /// The same form with the spelling of `format`. A leaf whose text is not a single token (`-2`, `3*pi/4`) is
  /// parenthesised wherever it is an operand, so the text parses back to the same tree.
  [[nodiscard]] std::string to_string(const Format& format) const;

  friend Expr operator+(const Expr& a, const Expr& b);
  friend Expr operator-(const Expr& a, const Expr& b);
  friend Expr operator*(const Expr& a, const Expr& b);
  friend Expr operator/(const Expr& a, const Expr& b);
  friend Expr operator-(const Expr& a);
  friend Expr pow(const Expr& a, const Expr& b);
  friend Expr sin(const Expr& a);
  friend Expr cos(const Expr& a);
  friend Expr tan(const Expr& a);
  friend Expr exp(const Expr& a);
  friend Expr log(const Expr& a);
  friend Expr sqrt(const Expr& a);

  struct Node;

 private:
  explicit Expr(std::shared_ptr<const Node> node) : node_(std::move(node)) {}
  static Expr unary(Kind k, const Expr& a);
  static Expr binary(Kind k, const Expr& a, const Expr& b);
  std::shared_ptr<const Node> node_;
};

/// Shorthands: theta(i), input(j).
inline Expr theta(unsigned i) { return Expr::theta(i); }
inline Expr input(unsigned j) { return Expr::input(j); }

}  // namespace qnn
