// Angle expressions: values and gradients against closed forms and finite differences, bookkeeping, printing.
#include "qnn/circuit/expression.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <functional>
#include <numbers>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"

namespace qnn {
namespace {

constexpr double kPi = std::numbers::pi;

struct Grad {
  std::vector<double> theta, x;
};

Grad backprop(const Expr& e, const std::vector<double>& th, const std::vector<double>& x, double seed = 1.0) {
  Grad g{std::vector<double>(th.size(), 0.0), std::vector<double>(x.size(), 0.0)};
  e.backprop(th, x, seed, g.theta, g.x);
  return g;
}

/// Central finite differences of e.eval with respect to every θ_i and x_j.
Grad finite_diff(const Expr& e, std::vector<double> th, std::vector<double> x, double h = 1e-6) {
  Grad g;
  auto partial = [&](std::vector<double>& v, std::size_t i) {
    const double v0 = v[i];
    v[i] = v0 + h;
    const double fp = e.eval(th, x);
    v[i] = v0 - h;
    const double fm = e.eval(th, x);
    v[i] = v0;
    return (fp - fm) / (2 * h);
  };
  for (std::size_t i = 0; i < th.size(); ++i) g.theta.push_back(partial(th, i));
  for (std::size_t j = 0; j < x.size(); ++j) g.x.push_back(partial(x, j));
  return g;
}

TEST(Expression, ConstantsAndLeaves) {
  const Expr c(2.5);
  EXPECT_TRUE(c.is_constant());
  EXPECT_EQ(c.kind(), Expr::Kind::Const);
  EXPECT_EQ(c.constant_value(), 2.5);
  EXPECT_FALSE(c.has_variables());
  EXPECT_EQ(c.eval({}, {}), 2.5);
  EXPECT_EQ(Expr().eval({}, {}), 0.0);

  const Expr t = theta(3);
  EXPECT_EQ(t.kind(), Expr::Kind::Theta);
  EXPECT_EQ(t.index(), 3U);
  EXPECT_TRUE(t.has_variables());
  EXPECT_EQ(t.num_theta(), 4U);
  EXPECT_EQ(t.num_inputs(), 0U);

  const Expr x = input(5);
  EXPECT_EQ(x.kind(), Expr::Kind::Input);
  EXPECT_EQ(x.index(), 5U);
  EXPECT_EQ(x.num_theta(), 0U);
  EXPECT_EQ(x.num_inputs(), 6U);
}

TEST(Expression, ConstantArithmeticFolds) {
  const Expr e = Expr(2.0) * Expr(3.0) + sin(Expr(kPi / 2));
  EXPECT_TRUE(e.is_constant());
  EXPECT_DOUBLE_EQ(e.constant_value(), 7.0);
  // Identities fold to the variable itself.
  EXPECT_EQ((theta(1) + 0.0).kind(), Expr::Kind::Theta);
  EXPECT_EQ((0.0 + theta(1)).kind(), Expr::Kind::Theta);
  EXPECT_EQ((1.0 * input(0)).kind(), Expr::Kind::Input);
  EXPECT_EQ((input(0) / 1.0).kind(), Expr::Kind::Input);
  EXPECT_EQ((-(-theta(2))).kind(), Expr::Kind::Theta);
  // Multiplying by zero keeps the dependence (num_theta must still cover θ_4).
  EXPECT_EQ((theta(4) * 0.0).num_theta(), 5U);
}

TEST(Expression, AffineInThetaAndInput) {
  const double a = 0.7, b = -0.2;
  const Expr e = a * theta(1) + b;
  const std::vector<double> th{9.0, 1.3};
  EXPECT_DOUBLE_EQ(e.eval(th, {}), a * 1.3 + b);
  EXPECT_EQ(e.num_theta(), 2U);
  EXPECT_EQ(e.num_inputs(), 0U);
  const Grad g = backprop(e, th, {});
  EXPECT_EQ(g.theta[0], 0.0);
  EXPECT_DOUBLE_EQ(g.theta[1], a);

  const Expr f = 1.5 * input(2) - 0.25;
  const std::vector<double> x{0.0, 0.0, -0.8};
  EXPECT_DOUBLE_EQ(f.eval({}, x), 1.5 * -0.8 - 0.25);
  EXPECT_EQ(f.num_inputs(), 3U);
  const Grad gf = backprop(f, {}, x);
  EXPECT_DOUBLE_EQ(gf.x[2], 1.5);
  EXPECT_EQ(gf.x[0], 0.0);
}

TEST(Expression, PiMinusProductEncoding) {
  // (π − x_j)(π − x_k): the ZZ-feature-map angle.
  const Expr e = (kPi - input(0)) * (kPi - input(2));
  const std::vector<double> x{0.4, 7.0, -1.1};
  EXPECT_NEAR(e.eval({}, x), (kPi - 0.4) * (kPi + 1.1), 1e-15);
  const Grad g = backprop(e, {}, x);
  EXPECT_NEAR(g.x[0], -(kPi + 1.1), 1e-15);
  EXPECT_EQ(g.x[1], 0.0);
  EXPECT_NEAR(g.x[2], -(kPi - 0.4), 1e-15);
  // Square of one feature: d/dx (π − x)² = −2(π − x)
  const Expr sq = (kPi - input(0)) * (kPi - input(0));
  const Grad gs = backprop(sq, {}, x);
  EXPECT_NEAR(gs.x[0], -2 * (kPi - 0.4), 1e-14);
}

TEST(Expression, ThetaTimesInput) {
  const Expr e = theta(0) * input(1);
  const std::vector<double> th{0.3}, x{5.0, -2.0};
  EXPECT_DOUBLE_EQ(e.eval(th, x), -0.6);
  const Grad g = backprop(e, th, x, 2.0);  // seed scales both
  EXPECT_DOUBLE_EQ(g.theta[0], 2.0 * -2.0);
  EXPECT_DOUBLE_EQ(g.x[1], 2.0 * 0.3);
  EXPECT_EQ(g.x[0], 0.0);
}

TEST(Expression, ElementaryFunctionsClosedForms) {
  const std::vector<double> th{0.8, 1.7};
  const double t = 0.8, u = 1.7;
  struct Case {
    const char* name;
    Expr e;
    double value;
    double d0;  // ∂/∂θ0
    double d1;  // ∂/∂θ1
  };
  const std::vector<Case> cases = {
      {"sin", sin(theta(0)), std::sin(t), std::cos(t), 0},
      {"cos", cos(theta(0)), std::cos(t), -std::sin(t), 0},
      {"tan", tan(theta(0)), std::tan(t), 1 / (std::cos(t) * std::cos(t)), 0},
      {"exp", exp(theta(0)), std::exp(t), std::exp(t), 0},
      {"log", log(theta(0)), std::log(t), 1 / t, 0},
      {"sqrt", sqrt(theta(0)), std::sqrt(t), 0.5 / std::sqrt(t), 0},
      {"pow const", pow(theta(0), 3.0), t * t * t, 3 * t * t, 0},
      {"pow var", pow(theta(0), theta(1)), std::pow(t, u), u * std::pow(t, u - 1), std::pow(t, u) * std::log(t)},
      {"pow base", pow(2.0, theta(1)), std::pow(2.0, u), 0, std::pow(2.0, u) * std::log(2.0)},
      {"div", theta(0) / theta(1), t / u, 1 / u, -t / (u * u)},
      {"neg", -theta(1), -u, 0, -1},
      {"sub", theta(0) - theta(1), t - u, 1, -1},
      {"chain", sin(theta(0) * theta(1)), std::sin(t * u), u * std::cos(t * u), t * std::cos(t * u)},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_NEAR(c.e.eval(th, {}), c.value, 1e-14);
    const Grad g = backprop(c.e, th, {});
    EXPECT_NEAR(g.theta[0], c.d0, 1e-13);
    EXPECT_NEAR(g.theta[1], c.d1, 1e-13);
  }
}

TEST(Expression, BackpropMatchesFiniteDifferences) {
  const std::vector<double> th{0.61, -0.37, 1.23};
  const std::vector<double> x{0.45, 1.9};
  const std::vector<Expr> exprs = {
      0.7 * theta(0) - 0.2,
      theta(2) * input(1),
      (kPi - input(0)) * (kPi - input(1)),
      sin(theta(0) * input(0)) + cos(theta(1)) * exp(input(1) / 3.0),
      log(1.5 + theta(0) * theta(0)) / sqrt(2.0 + input(0)),
      pow(1.0 + input(1), theta(2)) - tan(theta(1) / 4.0),
      exp(-(theta(0) - input(0)) * (theta(0) - input(0))) * theta(2),
      sqrt(pow(theta(1), 2.0) + pow(input(0), 2.0)),
  };
  for (std::size_t k = 0; k < exprs.size(); ++k) {
    SCOPED_TRACE("expression " + std::to_string(k) + ": " + exprs[k].to_string());
    const Grad g = backprop(exprs[k], th, x);
    const Grad f = finite_diff(exprs[k], th, x);
    for (std::size_t i = 0; i < th.size(); ++i) EXPECT_NEAR(g.theta[i], f.theta[i], 1e-7) << "theta " << i;
    for (std::size_t j = 0; j < x.size(); ++j) EXPECT_NEAR(g.x[j], f.x[j], 1e-7) << "x " << j;
  }
}

TEST(Expression, BackpropAccumulatesAndSkipsEmptySpans) {
  const Expr e = 3.0 * theta(0) + 2.0 * input(0);
  const std::vector<double> th{0.1}, x{0.2};
  std::vector<double> dth{10.0}, dx{20.0};
  e.backprop(th, x, 1.0, dth, dx);
  EXPECT_DOUBLE_EQ(dth[0], 13.0);
  EXPECT_DOUBLE_EQ(dx[0], 22.0);
  e.backprop(th, x, -0.5, dth, {});  // inputs skipped
  EXPECT_DOUBLE_EQ(dth[0], 11.5);
  EXPECT_DOUBLE_EQ(dx[0], 22.0);
  e.backprop(th, x, 1.0, {}, dx);  // weights skipped
  EXPECT_DOUBLE_EQ(dth[0], 11.5);
  EXPECT_DOUBLE_EQ(dx[0], 24.0);
}

TEST(Expression, NumThetaAndNumInputsOfTrees) {
  const Expr e = sin(theta(2) * input(0)) + theta(7) / (1.0 + input(4));
  EXPECT_EQ(e.num_theta(), 8U);
  EXPECT_EQ(e.num_inputs(), 5U);
  EXPECT_TRUE(e.has_variables());
  const Expr only_x = cos(input(1));
  EXPECT_EQ(only_x.num_theta(), 0U);
  EXPECT_EQ(only_x.num_inputs(), 2U);
}

TEST(Expression, UnboundIndexThrows) {
  const std::vector<double> th{1.0, 2.0};
  EXPECT_THROW((void)theta(2).eval(th, {}), ValueError);
  EXPECT_THROW((void)input(0).eval(th, {}), ValueError);
  EXPECT_THROW((void)(theta(0) + input(3)).eval(th, std::vector<double>{1, 2, 3}), ValueError);
  EXPECT_NO_THROW((void)(theta(1) + input(2)).eval(th, std::vector<double>{1, 2, 3}));
  try {
    (void)theta(5).eval(th, {});
    FAIL() << "expected ValueError";
  } catch (const ValueError& err) {
    EXPECT_NE(std::string(err.what()).find("theta[5]"), std::string::npos) << err.what();
  }
}

TEST(Expression, ToString) {
  EXPECT_EQ(theta(0).to_string(), "theta[0]");
  EXPECT_EQ(input(3).to_string(), "x[3]");
  EXPECT_EQ(Expr(0.5).to_string(), "0.5");
  EXPECT_EQ(Expr(0.0).to_string(), "0");
  EXPECT_EQ(Expr(-2.0).to_string(), "-2");
  EXPECT_EQ(Expr(kPi).to_string(), "pi");
  EXPECT_EQ(Expr(-kPi).to_string(), "-pi");
  EXPECT_EQ(Expr(kPi / 2).to_string(), "pi/2");
  EXPECT_EQ(Expr(-3 * kPi / 4).to_string(), "-3*pi/4");
  EXPECT_EQ(Expr(2 * kPi).to_string(), "2*pi");
  EXPECT_EQ((theta(1) + input(0)).to_string(), "theta[1] + x[0]");
  EXPECT_EQ((2.0 * theta(0) + 1.0).to_string(), "(2*theta[0]) + 1");
  EXPECT_EQ(((kPi - input(0)) * (kPi - input(1))).to_string(), "(pi - x[0])*(pi - x[1])");
  EXPECT_EQ(sin(theta(0)).to_string(), "sin(theta[0])");
  EXPECT_EQ(cos(input(1)).to_string(), "cos(x[1])");
  EXPECT_EQ(exp(theta(0)).to_string(), "exp(theta[0])");
  EXPECT_EQ(log(theta(0)).to_string(), "ln(theta[0])");
  EXPECT_EQ(sqrt(theta(0)).to_string(), "sqrt(theta[0])");
  EXPECT_EQ(tan(theta(0)).to_string(), "tan(theta[0])");
  EXPECT_EQ((-theta(0)).to_string(), "-theta[0]");
  EXPECT_EQ(pow(theta(0), 2.0).to_string(), "theta[0]^2");
  EXPECT_EQ((theta(0) / input(0)).to_string(), "theta[0]/x[0]");
  EXPECT_EQ((theta(0) - 0.25).to_string(), "theta[0] - 0.25");
}

TEST(Expression, ToStringNumbersAreShortAndRoundTrip) {
  // Readable: the shortest decimal that reads back as the same double, not 17 significant digits.
  EXPECT_EQ(Expr(0.1).to_string(), "0.1");
  EXPECT_EQ((0.7 * theta(0)).to_string(), "0.7*theta[0]");
  for (double v : {0.1, 0.7, -0.2, 1.0 / 3.0, 1e-20, 6.02214076e23, 2.5e-300, kPi / 3, 3 * kPi / 8}) {
    const std::string s = Expr(v).to_string();
    if (s.find("pi") != std::string::npos) continue;
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
  }
}

}  // namespace
}  // namespace qnn
