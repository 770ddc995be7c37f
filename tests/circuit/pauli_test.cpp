// Pauli strings and sums: construction, masks, parsing (with error columns) and printing.
#include "qnn/circuit/pauli.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "qnn/core/error.hpp"

namespace qnn {
namespace {

std::map<unsigned, char> F(std::initializer_list<std::pair<const unsigned, char>> f) { return f; }

/// The column of the ParseError thrown by parsing `text` (0 if none is thrown).
std::size_t error_column(const std::string& text) {
  try {
    (void)parse_pauli_sum(text);
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 1U);
    return e.column();
  }
  ADD_FAILURE() << "no ParseError for '" << text << "'";
  return 0;
}

TEST(PauliString, FactorsAndMasks) {
  const PauliString p = X(2) * Y(1) * Z(0);
  EXPECT_EQ(p.factors(), F({{0, 'Z'}, {1, 'Y'}, {2, 'X'}}));
  // X on x∖z, Z on z∖x, Y on x∩z
  EXPECT_EQ(p.masks().x, 0b110U);
  EXPECT_EQ(p.masks().z, 0b011U);
  EXPECT_EQ(p.masks().num_y(), 1U);
  EXPECT_EQ(p.min_qubits(), 3U);
  EXPECT_EQ(p.to_string(), "Z0 Y1 X2");

  EXPECT_EQ(X(5).masks(), (PauliMasks{32, 0}));
  EXPECT_EQ(Z(5).masks(), (PauliMasks{0, 32}));
  EXPECT_EQ(Y(5).masks(), (PauliMasks{32, 32}));
  EXPECT_EQ(Y(63).masks(), (PauliMasks{index_t{1} << 63, index_t{1} << 63}));

  const PauliString id('I', 4);
  EXPECT_TRUE(id.factors().empty());
  EXPECT_EQ(id.masks(), PauliMasks{});
  EXPECT_EQ(id.min_qubits(), 0U);
  EXPECT_EQ(id.to_string(), "I");
  EXPECT_EQ(PauliString('z', 1), Z(1));  // lower case accepted
}

TEST(PauliString, InvalidConstructionThrows) {
  EXPECT_THROW(PauliString('Q', 0), ValueError);
  EXPECT_THROW(PauliString('X', 64), ValueError);
  EXPECT_THROW((void)(Z(0) * X(0)), ValueError);
}

TEST(PauliSum, ParsesSumsWithCoefficients) {
  const PauliSum s = parse_pauli_sum("Z0 Z1 + 0.5 X2");
  ASSERT_EQ(s.terms().size(), 2U);
  EXPECT_EQ(s.terms()[0].coeff, 1.0);
  EXPECT_EQ(s.terms()[0].string, Z(0) * Z(1));
  EXPECT_EQ(s.terms()[1].coeff, 0.5);
  EXPECT_EQ(s.terms()[1].string, X(2));
  EXPECT_EQ(s.min_qubits(), 3U);

  const PauliSum neg = parse_pauli_sum("-X3");
  ASSERT_EQ(neg.terms().size(), 1U);
  EXPECT_EQ(neg.terms()[0].coeff, -1.0);
  EXPECT_EQ(neg.terms()[0].string, X(3));

  const PauliSum prod = parse_pauli_sum("2*Y1*Z0");
  ASSERT_EQ(prod.terms().size(), 1U);
  EXPECT_EQ(prod.terms()[0].coeff, 2.0);
  EXPECT_EQ(prod.terms()[0].string, Y(1) * Z(0));
  EXPECT_EQ(prod.terms()[0].string.masks(), (PauliMasks{0b10, 0b11}));

  const PauliSum c = parse_pauli_sum("1.5");
  ASSERT_EQ(c.terms().size(), 1U);
  EXPECT_EQ(c.terms()[0].coeff, 1.5);
  EXPECT_TRUE(c.terms()[0].string.factors().empty());
  EXPECT_EQ(c.min_qubits(), 0U);

  const PauliSum mixed = parse_pauli_sum("  z0 x1 - 0.25 y2 + 3 ");
  ASSERT_EQ(mixed.terms().size(), 3U);
  EXPECT_EQ(mixed.terms()[0].string, Z(0) * X(1));
  EXPECT_EQ(mixed.terms()[1].coeff, -0.25);
  EXPECT_EQ(mixed.terms()[1].string, Y(2));
  EXPECT_EQ(mixed.terms()[2].coeff, 3.0);
  EXPECT_TRUE(mixed.terms()[2].string.factors().empty());

  const PauliSum star = parse_pauli_sum("Z0*Z1 - 2 * X10");
  ASSERT_EQ(star.terms().size(), 2U);
  EXPECT_EQ(star.terms()[0].string, Z(0) * Z(1));
  EXPECT_EQ(star.terms()[1].coeff, -2.0);
  EXPECT_EQ(star.terms()[1].string, X(10));
}

TEST(PauliSum, CaseInsensitive) {
  const PauliSum a = parse_pauli_sum("x0 Y1 z2 + i3");
  const PauliSum b = parse_pauli_sum("X0 y1 Z2 + I3");
  ASSERT_EQ(a.terms().size(), 2U);
  ASSERT_EQ(b.terms().size(), 2U);
  EXPECT_EQ(a.terms()[0].string, X(0) * Y(1) * Z(2));
  EXPECT_EQ(a.terms()[0].string, b.terms()[0].string);
  EXPECT_TRUE(a.terms()[1].string.factors().empty());  // I3 is the identity
}

TEST(PauliSum, ParseErrorsCarryTheColumn) {
  EXPECT_EQ(error_column("Z0 + Q1"), 6U);  // the Q
  EXPECT_EQ(error_column("Z"), 1U);        // a Pauli without its qubit
  EXPECT_EQ(error_column("Z0 Z0"), 4U);    // the second Z0 repeats qubit 0
  EXPECT_EQ(error_column(""), 1U);
  EXPECT_EQ(error_column("   "), 4U);
  EXPECT_EQ(error_column("Z0 +"), 5U);     // a '+' with no term after it
  EXPECT_EQ(error_column("Z0 X"), 4U);
  EXPECT_EQ(error_column("Z0 2 X1"), 4U);  // a number in the middle of a term
  EXPECT_EQ(error_column("X99"), 1U);      // qubit index ≥ 64
  try {
    (void)parse_pauli_sum("Z0 + Q1");
  } catch (const ParseError& e) {
    EXPECT_NE(std::string(e.what()).find(":1:6:"), std::string::npos) << e.what();
  }
}

TEST(PauliSum, ToString) {
  EXPECT_EQ(parse_pauli_sum("Z0 Z1 + 0.5 X2").to_string(), "Z0 Z1 + 0.5 X2");
  EXPECT_EQ(parse_pauli_sum("Z0 - 0.5 X2").to_string(), "Z0 - 0.5 X2");
  EXPECT_EQ(parse_pauli_sum("1.5").to_string(), "1.5");
  EXPECT_EQ(parse_pauli_sum("Z1 Z0").to_string(), "Z0 Z1");  // factors sorted by qubit
  EXPECT_EQ(PauliSum().to_string(), "0");
  EXPECT_EQ(PauliSum(Y(3)).to_string(), "Y3");
  EXPECT_EQ((2.0 * X(0) + PauliSum(Z(1))).to_string(), "2 X0 + Z1");
  // Whatever the printing, it parses back to the same terms.
  for (const char* text : {"-X3", "Z0 Z1 + 0.5 X2 - 0.125 Y4", "1.5 - Z0", "-2*Y1*Z0 + 0.1"}) {
    const PauliSum a = parse_pauli_sum(text);
    const PauliSum b = parse_pauli_sum(a.to_string());
    ASSERT_EQ(a.terms().size(), b.terms().size()) << text;
    for (std::size_t k = 0; k < a.terms().size(); ++k) {
      EXPECT_EQ(a.terms()[k].coeff, b.terms()[k].coeff) << text;
      EXPECT_EQ(a.terms()[k].string, b.terms()[k].string) << text;
    }
  }
}

TEST(PauliSum, Arithmetic) {
  const PauliSum s = 0.5 * Z(0) + 2.0 * (X(1) * Y(2));
  ASSERT_EQ(s.terms().size(), 2U);
  const PauliSum t = s * -3.0;
  EXPECT_EQ(t.terms()[0].coeff, -1.5);
  EXPECT_EQ(t.terms()[1].coeff, -6.0);
  EXPECT_EQ(t.terms()[1].string, X(1) * Y(2));
  EXPECT_EQ(t.min_qubits(), 3U);
  PauliSum u;
  u.add(0.25, Z(7));
  EXPECT_EQ(u.min_qubits(), 8U);
}

}  // namespace
}  // namespace qnn
