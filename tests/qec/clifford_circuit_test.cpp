// The circuit text form: round trip and line:column errors; builder validation.
#include "qnn/qec/clifford_circuit.hpp"

#include <gtest/gtest.h>

#include "qnn/core/error.hpp"
#include "qnn/qec/memory_circuit.hpp"

namespace qnn::qec {
namespace {

TEST(CliffordCircuit, TextRoundTrip) {
  const CliffordCircuit c = memory_circuit(rotated_surface_code(3), {.rounds = 2, .p = 0.00123});
  const std::string text = c.to_text();
  const CliffordCircuit back = CliffordCircuit::parse(text);
  EXPECT_EQ(back.to_text(), text);
  EXPECT_EQ(back.num_detectors(), c.num_detectors());
  EXPECT_EQ(back.num_measurements(), c.num_measurements());
  EXPECT_NE(text.find("DEPOLARIZE2(0.00123)"), std::string::npos);
  EXPECT_NE(text.find("DETECTOR(2, 2, 0) rec[-"), std::string::npos);
}

TEST(CliffordCircuit, ParseErrorsNameLineAndColumn) {
  auto message = [](const std::string& text) {
    try {
      CliffordCircuit::parse(text, "c.stim");
    } catch (const ParseError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message("H 0\nFOO 1\n"), "c.stim:2:1: unknown instruction 'FOO'");
  EXPECT_EQ(message("M 0\nDETECTOR rec[-2]\n").rfind("c.stim:2:9: DETECTOR rec[-2] is outside", 0), 0U);
  EXPECT_EQ(message("CX 0 1 2\n").rfind("c.stim:1:3: CX needs an even number", 0), 0U);
  EXPECT_EQ(message("X_ERROR(1.5) 0\n").rfind("c.stim:1:13: X_ERROR probability 1.5 is outside [0, 1]", 0), 0U);
  EXPECT_EQ(message("H 0 x\n"), "c.stim:1:5: malformed target 'x'");
  EXPECT_EQ(message("M 0\nDETECTOR 0\n"), "c.stim:2:10: expected a measurement record target rec[-k], got '0'");
  EXPECT_EQ(message("X_ERROR(0.1 0\n"), "c.stim:1:8: missing ')' after the arguments of X_ERROR");
  EXPECT_EQ(message("# only a comment\n\n  TICK  # and another\n"), "no error");
}

TEST(CliffordCircuit, BuilderValidation) {
  CliffordCircuit c;
  EXPECT_THROW(c.append(OpCode::CZ, {1, 1}), ValueError);
  EXPECT_THROW(c.append(OpCode::DEPOLARIZE1, {0}, {-0.1}), ValueError);
  EXPECT_THROW(c.detector({0}), ValueError);
  c.append(OpCode::M, {3});
  EXPECT_EQ(c.num_qubits(), 4U);
  EXPECT_THROW(c.observable(64, {0}), ValueError);
  c.observable(2, {0});
  EXPECT_EQ(c.num_observables(), 3U);
}

}  // namespace
}  // namespace qnn::qec
