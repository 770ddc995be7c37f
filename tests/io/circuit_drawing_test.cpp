#include "qnn/io/circuit_drawing.hpp"

#include <gtest/gtest.h>

#include <numbers>
#include <string>
#include <vector>

namespace qnn {
namespace {

constexpr double kPi = std::numbers::pi;

qasm::Instruction gate(GateKind kind, std::vector<unsigned> qubits, std::vector<unsigned> controls = {},
                       std::vector<Expr> params = {}) {
  qasm::Instruction i;
  i.op.kind = kind;
  i.op.qubits = std::move(qubits);
  i.op.controls = std::move(controls);
  i.op.params = std::move(params);
  return i;
}
qasm::Instruction measure(unsigned q, unsigned c) {
  qasm::Instruction i;
  i.kind = qasm::InstructionKind::Measure;
  i.qubit = q;
  i.clbit = c;
  return i;
}

TEST(CircuitDrawing, BellProgram) {
  qasm::Program p;
  p.num_qubits = 2;
  p.num_clbits = 2;
  p.qregs = {{"q", 0, 2}};
  p.cregs = {{"c", 0, 2}};
  p.body = {gate(GateKind::H, {0}), gate(GateKind::CX, {0, 1}), measure(0, 0), measure(1, 1)};
  EXPECT_EQ(draw(p),
            "q[0]: ─H─●─M─\n"
            "         │\n"
            "q[1]: ───⊕─M─\n");
}

TEST(CircuitDrawing, BellCircuit) {
  Circuit c(2);
  c.h(0).cnot(0, 1);
  EXPECT_EQ(draw(c),
            "q0: ─H─●─\n"
            "       │\n"
            "q1: ───⊕─\n");
}

TEST(CircuitDrawing, ControlsCrossWiresAndDisjointGatesShareColumns) {
  Circuit c(3);
  c.h(0).h(2).cx(0, 2).x(1).crx(1, 2, theta(0)).swap(0, 1).ry(2, kPi / 2).rz(0, -0.123456).cz(0, 2);
  EXPECT_EQ(draw(c),
            "q0: ─H─●─────────────×────RZ(-0.123)─●─\n"
            "       │             │               │\n"
            "q1: ───┼─X───●───────×───────────────┼─\n"
            "       │     │                       │\n"
            "q2: ─H─⊕───RX(θ0)─RY(π/2)────────────●─\n");
}

TEST(CircuitDrawing, AnglesAndTwoQubitGates) {
  Circuit c(2);
  c.ry(0, 2.0 * theta(0) + input(1)).u(1, kPi, -kPi / 4, 1234.5).p(0, theta(3)).rzz(0, 1, 3 * kPi / 4);
  c.add(GateKind::SXdg, {1}, {}, {0}).iswap(0, 1).sdg(0).t(1);
  EXPECT_EQ(draw(c),
            "q0: ──RY((2*θ0) + x1)───P(θ3)─RZZ(3π/4)──●──iSWAP─S†─\n"
            "                                  │      │    │\n"
            "q1: ─U(π,-π/4,1.23e+03)───────RZZ(3π/4)─√X†─iSWAP─T──\n");
  // Narrower than the circuit: blocks of whole columns, one under the other.
  EXPECT_EQ(draw(c, {.width = 30}),
            "q0: ──RY((2*θ0) + x1)───P(θ3)─\n"
            "\n"
            "q1: ─U(π,-π/4,1.23e+03)───────\n"
            "\n"
            "q0: ─RZZ(3π/4)──●──iSWAP─S†─\n"
            "         │      │    │\n"
            "q1: ─RZZ(3π/4)─√X†─iSWAP─T──\n");
}

TEST(CircuitDrawing, ProgramWithRegistersBarrierResetAndCondition) {
  const qasm::Program p = qasm::parse(
      "OPENQASM 3.0;\ninclude \"stdgates.inc\";\ninput float alpha;\nqubit[2] q;\nqubit[1] anc;\nbit[2] c;\n"
      "bit[1] f;\nrx(alpha) q[0];\nbarrier q[0], q[1];\nf[0] = measure q[1];\nreset q[1];\nif (f == 1) x anc[0];\n"
      "c[0] = measure anc[0];\nctrl(2) @ rz(alpha/2) q[0], q[1], anc[0];\n");
  // The conditioned X waits for the measurement of f, and the next measurement waits for the condition.
  EXPECT_EQ(draw(p),
            "q[0]:   ─RX(alpha)─░────────────────────────────●──────\n"
            "                   ░                            │\n"
            "q[1]:   ───────────░─M→f[0]───|0⟩───────────────●──────\n"
            "                                                │\n"
            "anc[0]: ────────────────────X[f==1]─M→c[0]─RZ(alpha/2)─\n");
}

TEST(CircuitDrawing, EveryLineFitsTheWidth) {
  Circuit c(3);
  for (unsigned i = 0; i < 60; ++i) c.rx(i % 3, 0.1 * i).cx(i % 3, (i + 1) % 3);
  for (unsigned width : {30U, 60U, 100U}) {
    const std::string d = draw(c, {.width = width});
    std::size_t start = 0, lines = 0;
    while (start < d.size()) {
      const std::size_t end = d.find('\n', start);
      std::size_t chars = 0;
      for (std::size_t i = start; i < end; ++i) chars += (static_cast<unsigned char>(d[i]) & 0xC0U) != 0x80U;
      EXPECT_LE(chars, width) << d.substr(start, end - start);
      start = end + 1;
      ++lines;
    }
    EXPECT_GT(lines, 6U) << "60 layers should not fit in one block of " << width << " characters";
  }
}

}  // namespace
}  // namespace qnn
