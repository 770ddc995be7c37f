// The gate table against textbook matrices typed in by hand (tests/sim/textbook_gates.hpp), and the algebraic facts
// the simulators and differentiators rely on: unitarity, derivatives, generators, inverses and flags.
#include "qnn/circuit/gate.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <set>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"
#include "sim/dense_reference.hpp"
#include "sim/textbook_gates.hpp"

namespace qnn {
namespace {

using dense::cplx;
using dense::Mat;
using dense::Order;

Mat to_mat(const GateMatrix& g) { return Mat::from(g.span()); }

std::vector<double> random_params(const GateInfo& g, Rng& rng) {
  std::vector<double> p(g.num_params);
  for (double& v : p) v = rng.uniform(-std::numbers::pi, std::numbers::pi);
  return p;
}

std::vector<unsigned> iota(unsigned n, unsigned from = 0) {
  std::vector<unsigned> v;
  for (unsigned i = from; i < n; ++i) v.push_back(i);
  return v;
}

/// The table's gate on all its qubits (controls + targets), as a little-endian matrix over the gate's qubit list:
/// the base matrix on the targets, applied where every built-in control is 1.
Mat table_full(const GateInfo& g, const std::vector<double>& p) {
  const std::vector<unsigned> controls = iota(g.num_controls);
  const std::vector<unsigned> targets = iota(g.num_qubits, g.num_controls);
  return dense::embed(g.num_qubits, targets, to_mat(gate_matrix(g.kind, p)), controls, Order::LittleEndian);
}

/// The textbook gate on the same qubits, converted from big-endian to the same little-endian layout.
Mat textbook_full(const GateInfo& g, const std::vector<double>& p) {
  const textbook::Gate* t = textbook::find(std::string(g.name));
  if (t == nullptr) throw std::runtime_error("no textbook matrix");
  return dense::embed(g.num_qubits, iota(g.num_qubits), t->matrix(p), {}, Order::BigEndian);
}

template <class Fn>
void for_each_gate(Fn&& fn) {
  for (const GateInfo& g : gate_table()) {
    if (g.kind == GateKind::Unitary) continue;
    SCOPED_TRACE("gate '" + std::string(g.name) + "'");
    fn(g);
  }
}

/// exp(A) by scaling and squaring with a Taylor series (for the tiny matrices here).
Mat expm(const Mat& a) {
  double norm = 0;
  for (const cplx& v : a.a) norm += std::abs(v);
  int s = 0;
  while (norm > 0.5) {
    norm /= 2;
    ++s;
  }
  const Mat x = cplx(std::ldexp(1.0, -s)) * a;
  Mat term = Mat::identity(a.dim), sum = Mat::identity(a.dim);
  for (int k = 1; k <= 30; ++k) {
    term = cplx(1.0 / k) * (term * x);
    sum = sum + term;
  }
  for (int i = 0; i < s; ++i) sum = sum * sum;
  return sum;
}

bool is_diagonal(const Mat& m) {
  for (std::size_t r = 0; r < m.dim; ++r)
    for (std::size_t c = 0; c < m.dim; ++c)
      if (r != c && m(r, c) != cplx(0)) return false;
  return true;
}

bool is_permutation(const Mat& m) {
  for (std::size_t r = 0; r < m.dim; ++r) {
    int ones_in_row = 0, ones_in_col = 0;
    for (std::size_t c = 0; c < m.dim; ++c) {
      if (m(r, c) != cplx(0) && m(r, c) != cplx(1)) return false;
      ones_in_row += m(r, c) == cplx(1);
      ones_in_col += m(c, r) == cplx(1);
    }
    if (ones_in_row != 1 || ones_in_col != 1) return false;
  }
  return true;
}

/// Whether Q (Hermitian unitary on q qubits) is ± a Pauli string.
bool is_signed_pauli(const Mat& m, unsigned q) {
  const char letters[4] = {'I', 'X', 'Y', 'Z'};
  const std::size_t d = m.dim;
  for (unsigned code = 0; code < (1U << (2 * q)); ++code) {
    std::vector<std::pair<unsigned, char>> f;
    for (unsigned j = 0; j < q; ++j) f.emplace_back(j, letters[(code >> (2 * j)) & 3U]);
    const Mat s = dense::pauli_string(q, f);
    cplx tr = 0;  // tr(S† M)/d
    for (std::size_t r = 0; r < d; ++r)
      for (std::size_t c = 0; c < d; ++c) tr += std::conj(s(r, c)) * m(r, c);
    tr /= double(d);
    if (std::abs(std::abs(tr.real()) - 1) < 1e-12 && std::abs(tr.imag()) < 1e-12) return true;
  }
  return false;
}

/// Clifford: U maps every X_j and Z_j to ± a Pauli string under conjugation.
bool is_clifford(const Mat& u, unsigned q) {
  const Mat ud = dense::adjoint(u);
  for (unsigned j = 0; j < q; ++j)
    for (char p : {'X', 'Z'}) {
      const std::vector<std::pair<unsigned, char>> f{{j, p}};
      if (!is_signed_pauli(u * dense::pauli_string(q, f) * ud, q)) return false;
    }
  return true;
}

TEST(GateTable, EveryGateHasATextbookMatrix) {
  std::set<std::string> names;
  for_each_gate([&](const GateInfo& g) {
    const textbook::Gate* t = textbook::find(std::string(g.name));
    ASSERT_NE(t, nullptr) << "gate '" << g.name << "' has no textbook matrix in the test's map; add one";
    EXPECT_EQ(t->num_qubits, g.num_qubits);
    EXPECT_EQ(t->num_params, g.num_params);
    EXPECT_LE(g.num_controls, g.num_qubits);
    EXPECT_LE(g.num_targets(), 2U) << "GateMatrix holds at most 4x4";
    names.insert(std::string(g.name));
  });
  EXPECT_EQ(names.size(), gate_table().size() - 1) << "gate names must be unique";
}

TEST(GateTable, TableOrderMatchesEnumAndFindGateRoundTrips) {
  const auto table = gate_table();
  ASSERT_EQ(table.size(), static_cast<std::size_t>(GateKind::Unitary) + 1);
  for (std::size_t k = 0; k < table.size(); ++k) {
    const GateInfo& g = table[k];
    EXPECT_EQ(static_cast<std::size_t>(g.kind), k);
    EXPECT_EQ(&gate_info(g.kind), &g);
    EXPECT_EQ(find_gate(g.name), &g) << g.name;
    EXPECT_FALSE(g.help.empty()) << g.name;
  }
  EXPECT_EQ(find_gate("cx")->kind, GateKind::CX);
  EXPECT_EQ(find_gate("id")->kind, GateKind::I);
  EXPECT_EQ(find_gate("no_such_gate"), nullptr);
  EXPECT_EQ(find_gate(""), nullptr);
}

TEST(GateTable, MatricesEqualTextbookAtRandomParameters) {
  Rng rng(101);
  for_each_gate([&](const GateInfo& g) {
    ASSERT_NE(textbook::find(std::string(g.name)), nullptr);
    const int trials = g.num_params ? 8 : 1;
    for (int t = 0; t < trials; ++t) {
      const std::vector<double> p = random_params(g, rng);
      const GateMatrix m = gate_matrix(g.kind, p);
      ASSERT_EQ(m.dim, 1U << g.num_targets());
      EXPECT_LT(dense::max_diff(table_full(g, p), textbook_full(g, p)), 1e-14);
    }
  });
}

TEST(GateTable, SpecialAnglesMatchKnownGates) {
  // Cross-checks between entries at special angles (independent of the textbook map).
  const double pi = std::numbers::pi;
  auto m = [](GateKind k, std::vector<double> p = {}) { return to_mat(gate_matrix(k, p)); };
  EXPECT_LT(dense::max_diff(m(GateKind::P, {pi / 2}), m(GateKind::S)), 1e-15);
  EXPECT_LT(dense::max_diff(m(GateKind::P, {pi / 4}), m(GateKind::T)), 1e-15);
  EXPECT_LT(dense::max_diff(m(GateKind::P, {-pi / 4}), m(GateKind::Tdg)), 1e-15);
  EXPECT_LT(dense::max_diff(m(GateKind::SX) * m(GateKind::SX), m(GateKind::X)), 1e-15);
  EXPECT_LT(dense::max_diff(m(GateKind::T) * m(GateKind::T), m(GateKind::S)), 1e-15);
  EXPECT_LT(dense::max_diff(m(GateKind::S) * m(GateKind::S), m(GateKind::Z)), 1e-15);
  // U(θ, φ, λ) = e^{i(φ+λ)/2} RZ(φ) RY(θ) RZ(λ)
  const double th = 0.7, ph = -1.3, la = 2.1;
  const Mat rhs = std::exp(cplx(0, (ph + la) / 2)) * (m(GateKind::RZ, {ph}) * m(GateKind::RY, {th}) * m(GateKind::RZ, {la}));
  EXPECT_LT(dense::max_diff(m(GateKind::U, {th, ph, la}), rhs), 1e-14);
  // U(π/2, 0, π) = H
  EXPECT_LT(dense::max_diff(m(GateKind::U, {pi / 2, 0, pi}), m(GateKind::H)), 1e-15);
  // RX(π) = −iX
  EXPECT_LT(dense::max_diff(m(GateKind::RX, {pi}), cplx(0, -1) * m(GateKind::X)), 1e-15);
}

TEST(GateTable, EveryMatrixIsUnitary) {
  Rng rng(102);
  for_each_gate([&](const GateInfo& g) {
    for (int t = 0; t < 4; ++t) {
      const Mat u = to_mat(gate_matrix(g.kind, random_params(g, rng)));
      EXPECT_LT(dense::max_diff(dense::adjoint(u) * u, Mat::identity(u.dim)), 1e-14);
      EXPECT_LT(dense::max_diff(u * dense::adjoint(u), Mat::identity(u.dim)), 1e-14);
    }
  });
}

TEST(GateTable, WrongParameterCountOrUnitaryThrows) {
  const std::vector<double> none, one{0.1}, two{0.1, 0.2};
  EXPECT_THROW((void)gate_matrix(GateKind::RX, none), ValueError);
  EXPECT_THROW((void)gate_matrix(GateKind::RX, two), ValueError);
  EXPECT_THROW((void)gate_matrix(GateKind::H, one), ValueError);
  EXPECT_THROW((void)gate_matrix(GateKind::U, two), ValueError);
  EXPECT_THROW((void)gate_matrix(GateKind::Unitary, none), ValueError);
  EXPECT_THROW((void)gate_derivative(GateKind::RX, one, 1), ValueError);
  EXPECT_THROW((void)gate_derivative(GateKind::H, none, 0), ValueError);
}

TEST(GateTable, DerivativesMatchCentralFiniteDifferences) {
  Rng rng(103);
  const double h = 1e-5;
  int checked = 0;
  for_each_gate([&](const GateInfo& g) {
    for (int t = 0; t < 4; ++t) {
      const std::vector<double> p = random_params(g, rng);
      for (unsigned k = 0; k < g.num_params; ++k) {
        std::vector<double> pp = p, pm = p;
        pp[k] += h;
        pm[k] -= h;
        const Mat fd = cplx(1 / (2 * h)) * (to_mat(gate_matrix(g.kind, pp)) - to_mat(gate_matrix(g.kind, pm)));
        const Mat d = to_mat(gate_derivative(g.kind, p, k));
        EXPECT_LT(dense::max_diff(d, fd), 1e-7) << "parameter " << k;
        ++checked;
      }
    }
  });
  EXPECT_GT(checked, 0);
}

TEST(GateTable, GeneratorsAreConsistent) {
  Rng rng(104);
  int with_generator = 0;
  for_each_gate([&](const GateInfo& g) {
    const GateMatrix gen = gate_generator(g.kind);
    if (g.num_params != 1) {
      EXPECT_EQ(gen.dim, 0U) << "only one-parameter gates have a generator";
      return;
    }
    if (g.has(kRotation)) {
      ASSERT_NE(gen.dim, 0U) << "a kRotation gate needs a generator";
    }
    if (gen.dim == 0) return;
    ++with_generator;
    ASSERT_EQ(gen.dim, 1U << g.num_targets());
    const Mat G = to_mat(gen);
    EXPECT_LT(dense::max_diff(G, dense::adjoint(G)), 1e-15) << "generator must be Hermitian";
    if (g.has(kRotation)) {
      EXPECT_LT(dense::max_diff(G * G, Mat::identity(G.dim)), 1e-15) << "kRotation needs G² = I";
    }
    for (int t = 0; t < 4; ++t) {
      const std::vector<double> p = random_params(g, rng);
      const Mat U = to_mat(gate_matrix(g.kind, p));
      // dU/dθ = −(i/2) G U
      const Mat expected = cplx(0, -0.5) * (G * U);
      EXPECT_LT(dense::max_diff(to_mat(gate_derivative(g.kind, p, 0)), expected), 1e-14);
      // and, integrated from U(0) = I: U(θ) = exp(−iθG/2)
      EXPECT_LT(dense::max_diff(U, expm(cplx(0, -p[0] / 2) * G)), 1e-13);
      if (g.has(kRotation)) {
        // the two-term parameter-shift rule for expectation values: f(θ) = ⟨ψ|U(θ)† A U(θ)|ψ⟩ has
        // f'(θ) = (f(θ + π/2) − f(θ − π/2)) / 2 for any state ψ and Hermitian A.
        const std::size_t d = U.dim;
        std::vector<cplx> psi(d);
        for (cplx& v : psi) v = cplx(rng.normal(), rng.normal());
        Mat A(d);
        for (std::size_t r = 0; r < d; ++r)
          for (std::size_t c = r; c < d; ++c) {
            A(r, c) = r == c ? cplx(rng.normal()) : cplx(rng.normal(), rng.normal());
            A(c, r) = std::conj(A(r, c));
          }
        auto f = [&](const Mat& u1, const Mat& u2) {  // ⟨ψ|u1† A u2|ψ⟩
          const dense::Vec a = dense::apply(u1, psi), b = dense::apply(A * u2, psi);
          return dense::inner(a, b);
        };
        auto value = [&](double th) {
          const Mat u = to_mat(gate_matrix(g.kind, std::vector<double>{th}));
          return f(u, u).real();
        };
        const Mat dU = to_mat(gate_derivative(g.kind, p, 0));
        const double exact = 2 * f(U, dU).real();
        const double shift = (value(p[0] + std::numbers::pi / 2) - value(p[0] - std::numbers::pi / 2)) / 2;
        EXPECT_NEAR(shift, exact, 1e-12);
      }
    }
  });
  EXPECT_GE(with_generator, 11);
}

TEST(GateTable, InverseKindUndoesTheGate) {
  Rng rng(105);
  for_each_gate([&](const GateInfo& g) {
    const GateInfo& inv = gate_info(g.inverse);
    for (int t = 0; t < 4; ++t) {
      const std::vector<double> p = random_params(g, rng);
      const Mat u = to_mat(gate_matrix(g.kind, p));
      Mat ui;
      if (g.inverse == GateKind::Unitary) {
        ui = dense::adjoint(u);  // "use the adjoint matrix"
      } else {
        EXPECT_EQ(inv.num_qubits, g.num_qubits);
        EXPECT_EQ(inv.num_controls, g.num_controls);
        ASSERT_EQ(inv.num_params, g.num_params);
        std::vector<double> q;
        if (g.kind == GateKind::U) {
          q = {-p[0], -p[2], -p[1]};  // U(θ,φ,λ)† = U(−θ,−λ,−φ)
        } else {
          for (double v : p) q.push_back(-v);
        }
        ui = to_mat(gate_matrix(g.inverse, q));
        // the inverse kind's inverse is the gate again
        EXPECT_EQ(inv.inverse, g.kind);
      }
      EXPECT_LT(dense::max_diff(ui * u, Mat::identity(u.dim)), 1e-14);
      EXPECT_LT(dense::max_diff(u * ui, Mat::identity(u.dim)), 1e-14);
    }
  });
}

TEST(GateTable, FlagsDescribeTheMatrices) {
  Rng rng(106);
  for_each_gate([&](const GateInfo& g) {
    for (int t = 0; t < 3; ++t) {
      const std::vector<double> p = random_params(g, rng);
      const Mat u = to_mat(gate_matrix(g.kind, p));
      // Both directions: a flag is set exactly when the property holds (at generic parameters).
      EXPECT_EQ(g.has(kDiagonal), is_diagonal(u));
      EXPECT_EQ(g.has(kPermutation), is_permutation(u));
      EXPECT_EQ(g.has(kSelfInverse), dense::max_diff(u * u, Mat::identity(u.dim)) < 1e-14);
      const Mat full = table_full(g, p);
      EXPECT_EQ(g.has(kClifford), is_clifford(full, g.num_qubits));
    }
  });
}

TEST(GateTable, CliffordCheckerIsDiscriminating) {
  // The test's own Clifford checker: H and S are Clifford, T is not; CNOT is, Toffoli is not.
  const cplx i(0, 1);
  const double r = 1 / std::sqrt(2.0);
  EXPECT_TRUE(is_clifford(Mat{r, r, r, -r}, 1));
  EXPECT_TRUE(is_clifford(Mat{1, 0, 0, i}, 1));
  EXPECT_FALSE(is_clifford(Mat{1, 0, 0, cplx(r, r)}, 1));
  EXPECT_TRUE(is_clifford(textbook::find("cx")->matrix({}), 2));
  EXPECT_FALSE(is_clifford(textbook::find("ccx")->matrix({}), 3));
}

TEST(GateTable, AdjointIsConjugateTranspose) {
  Rng rng(107);
  const GateMatrix u = gate_matrix(GateKind::U, std::vector<double>{0.3, 1.2, -0.4});
  const GateMatrix a = adjoint(u);
  ASSERT_EQ(a.dim, 2U);
  for (unsigned r = 0; r < 2; ++r)
    for (unsigned c = 0; c < 2; ++c) EXPECT_EQ(a(r, c), std::conj(u(c, r)));
  const GateMatrix v = gate_matrix(GateKind::RYY, std::vector<double>{rng.uniform()});
  EXPECT_EQ(dense::max_diff(to_mat(adjoint(v)), dense::adjoint(to_mat(v))), 0.0);
}

}  // namespace
}  // namespace qnn
