#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <numbers>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/io/qasm.hpp"

namespace qnn::qasm {
namespace {

constexpr double kPi = std::numbers::pi;

// The writer's input, built here so that these tests do not depend on the reader.
Program program_of(const Circuit& c, bool measure_all = false) {
  Program p;
  p.num_qubits = c.num_qubits();
  for (const Operation& op : c.ops()) {
    Instruction ins;
    ins.op = op;
    p.body.push_back(ins);
  }
  if (measure_all) {
    p.num_clbits = c.num_qubits();
    for (unsigned q = 0; q < c.num_qubits(); ++q) {
      Instruction m;
      m.kind = InstructionKind::Measure;
      m.qubit = m.clbit = q;
      p.body.push_back(m);
    }
  }
  return p;
}

Operation make_op(GateKind kind, std::vector<unsigned> qubits, std::vector<unsigned> controls = {},
                  std::vector<Expr> params = {}) {
  Operation o;
  o.kind = kind;
  o.qubits = std::move(qubits);
  o.controls = std::move(controls);
  o.params = std::move(params);
  return o;
}

template <class F>
void expect_value_error(F&& f, const std::vector<std::string>& fragments) {
  try {
    f();
    ADD_FAILURE() << "expected ValueError";
  } catch (const ValueError& e) {
    for (const std::string& s : fragments) EXPECT_NE(std::string(e.what()).find(s), std::string::npos) << e.what();
  }
}

TEST(QasmWriter, BellCircuitBothVersions) {
  Circuit c(2);
  c.h(0).cx(0, 1);
  const Program p = program_of(c, true);
  EXPECT_EQ(write_qasm2(p),
            "OPENQASM 2.0;\n"
            "include \"qelib1.inc\";\n"
            "qreg q[2];\n"
            "creg c[2];\n"
            "h q[0];\n"
            "cx q[0], q[1];\n"
            "measure q[0] -> c[0];\n"
            "measure q[1] -> c[1];\n");
  EXPECT_EQ(write_qasm3(p),
            "OPENQASM 3.0;\n"
            "include \"stdgates.inc\";\n"
            "qubit[2] q;\n"
            "bit[2] c;\n"
            "h q[0];\n"
            "cx q[0], q[1];\n"
            "c[0] = measure q[0];\n"
            "c[1] = measure q[1];\n");
}

TEST(QasmWriter, BoundNumbersReadBackExactly) {
  Circuit c(1);
  c.rz(0, 0.1).rz(0, kPi / 2).rz(0, 1e-5).rz(0, 3 * kPi / 4).ry(0, theta(0)).u(0, 0.1, 0.2, 0.3).p(0, -kPi / 4);
  c.rx(0, 1.0 / 3.0);
  const std::vector<double> th{-0.7};
  EXPECT_EQ(write_qasm2(program_of(c), th),
            "OPENQASM 2.0;\n"
            "include \"qelib1.inc\";\n"
            "qreg q[1];\n"
            "rz(0.1) q[0];\n"
            "rz(pi/2) q[0];\n"
            "rz(1.0e-05) q[0];\n"
            "rz(3*pi/4) q[0];\n"
            "ry(-0.7) q[0];\n"
            "u3(0.1, 0.2, 0.3) q[0];\n"
            "u1(-pi/4) q[0];\n"
            "rx(0.3333333333333333) q[0];\n");
}

TEST(QasmWriter, Qasm3KeepsUnboundParametersAsInputs) {
  Circuit c(2);
  c.ry(0, input(0)).rz(1, 2.0 * theta(0) + 0.5).cx(0, 1).rx(0, pow(theta(1), 2.0)).p(1, log(input(1)));
  c.ry(1, theta(0) * input(0));
  const Program p = program_of(c);
  EXPECT_EQ(write_qasm3(p),
            "OPENQASM 3.0;\n"
            "include \"stdgates.inc\";\n"
            "input float[64] theta_0;\n"
            "input float[64] theta_1;\n"
            "input float[64] x_0;\n"
            "input float[64] x_1;\n"
            "qubit[2] q;\n"
            "ry(x_0) q[0];\n"
            "rz((2*theta_0) + 0.5) q[1];\n"
            "cx q[0], q[1];\n"
            "rx(theta_1**2) q[0];\n"
            "p(log(x_1)) q[1];\n"
            "ry(theta_0*x_0) q[1];\n");
  // A trained model: weights bound, inputs left free.
  const std::vector<double> th{0.25, -1.5};
  EXPECT_EQ(write_qasm3(p, th),
            "OPENQASM 3.0;\n"
            "include \"stdgates.inc\";\n"
            "input float[64] x_0;\n"
            "input float[64] x_1;\n"
            "qubit[2] q;\n"
            "ry(x_0) q[0];\n"
            "rz(1) q[1];\n"
            "cx q[0], q[1];\n"
            "rx(2.25) q[0];\n"
            "p(log(x_1)) q[1];\n"
            "ry(0.25*x_0) q[1];\n");
}

TEST(QasmWriter, Qasm3UsesProgramParameterNames) {
  Circuit c(1);
  c.rx(0, theta(0) - 0.25).rz(0, -theta(1));
  Program p = program_of(c);
  p.parameters = {"alpha", "beta"};
  const std::string text = write_qasm3(p);
  EXPECT_NE(text.find("input float[64] alpha;\ninput float[64] beta;\n"), std::string::npos) << text;
  EXPECT_NE(text.find("rx(alpha - 0.25) q[0];\nrz(-beta) q[0];\n"), std::string::npos) << text;
}

TEST(QasmWriter, UnboundAnglesAreNamedInTheError) {
  Circuit c(2);
  c.ry(0, input(0)).rz(1, theta(2));
  expect_value_error([&] { (void)write_qasm2(program_of(c)); }, {"OpenQASM 2", "x[0]", "ry"});
  const std::vector<double> x{0.5};
  expect_value_error([&] { (void)write_qasm2(program_of(c), {}, x); }, {"theta[2]", "rz", "q[1]"});
  const std::vector<double> short_theta{0.1};
  expect_value_error([&] { (void)write_qasm3(program_of(c), short_theta); }, {"theta[2]"});
}

TEST(QasmWriter, RegistersConditionsResetAndBarrier) {
  Program p;
  p.num_qubits = 3;
  p.num_clbits = 1;
  p.qregs = {{"a", 0, 1}, {"b", 1, 2}};
  p.cregs = {{"m", 0, 1}};
  auto gate = [](Operation o) {
    Instruction i;
    i.op = std::move(o);
    return i;
  };
  p.body.push_back(gate(make_op(GateKind::H, {0})));
  Instruction m;
  m.kind = InstructionKind::Measure;
  m.qubit = 0;
  m.clbit = 0;
  p.body.push_back(m);
  Instruction x = gate(make_op(GateKind::X, {1}));
  x.condition = Condition{0, 1, 1};
  p.body.push_back(x);
  Instruction r;
  r.kind = InstructionKind::Reset;
  r.qubit = 0;
  p.body.push_back(r);
  Instruction b;
  b.kind = InstructionKind::Barrier;
  b.qubits = {0, 1};
  p.body.push_back(b);
  // RZZ with an extra control is three statements: OpenQASM 2 conditions each, OpenQASM 3 makes a block.
  Instruction rzz = gate(make_op(GateKind::RZZ, {1, 2}, {0}, {Expr(0.5)}));
  rzz.condition = Condition{0, 1, 0};
  p.body.push_back(rzz);

  EXPECT_EQ(write_qasm2(p),
            "OPENQASM 2.0;\n"
            "include \"qelib1.inc\";\n"
            "qreg a[1];\n"
            "qreg b[2];\n"
            "creg m[1];\n"
            "h a[0];\n"
            "measure a[0] -> m[0];\n"
            "if(m==1) x b[0];\n"
            "reset a[0];\n"
            "barrier a[0], b[0];\n"
            "if(m==0) cx b[0], b[1];\n"
            "if(m==0) crz(0.5) a[0], b[1];\n"
            "if(m==0) cx b[0], b[1];\n");
  EXPECT_EQ(write_qasm3(p),
            "OPENQASM 3.0;\n"
            "include \"stdgates.inc\";\n"
            "qubit[1] a;\n"
            "qubit[2] b;\n"
            "bit[1] m;\n"
            "h a[0];\n"
            "m[0] = measure a[0];\n"
            "if (m == 1) x b[0];\n"
            "reset a[0];\n"
            "barrier a[0], b[0];\n"
            "if (m == 0) {\n"
            "  cx b[0], b[1];\n"
            "  crz(0.5) a[0], b[1];\n"
            "  cx b[0], b[1];\n"
            "}\n");

  // A condition on part of a register has no OpenQASM 2 spelling.
  p.num_clbits = 2;
  p.cregs = {{"m", 0, 2}};
  expect_value_error([&] { (void)write_qasm2(p); }, {"classical bits [0, 1)", "whole classical register"});
  EXPECT_NE(write_qasm3(p).find("if (m[0] == 1) x b[0];"), std::string::npos);
}

TEST(QasmWriter, GatesOutsideTheLibrariesAreDefinedOrDecomposed) {
  Circuit c(3);
  c.iswap(0, 1).ryy(1, 2, 0.5).rxx(0, 2, 0.25).rzz(0, 1, 1.5).sxdg(2);
  const std::string q2 = write_qasm2(program_of(c));
  EXPECT_EQ(q2,
            "OPENQASM 2.0;\n"
            "include \"qelib1.inc\";\n"
            "gate iswap a, b { s a; s b; h a; cx a, b; cx b, a; h b; }\n"
            "gate ryy(theta) a, b { sdg a; sdg b; h a; h b; cx a, b; rz(theta) b; cx a, b; h a; h b; s a; s b; }\n"
            "qreg q[3];\n"
            "iswap q[0], q[1];\n"
            "ryy(0.5) q[1], q[2];\n"
            "rxx(0.25) q[0], q[2];\n"
            "rzz(1.5) q[0], q[1];\n"
            "sxdg q[2];\n");
  const std::string q3 = write_qasm3(program_of(c));
  for (const char* def : {"gate iswap a, b {", "gate ryy(theta) a, b {", "gate rxx(theta) a, b {",
                          "gate rzz(theta) a, b {"}) {
    EXPECT_NE(q3.find(def), std::string::npos) << def << "\n" << q3;
  }
  EXPECT_EQ(q3.find("sxdg"), std::string::npos) << "stdgates.inc has no sxdg:\n" << q3;
}

TEST(QasmWriter, ExtraControls) {
  Circuit c(4);
  c.add(GateKind::RY, {3}, {0.5}, {0, 1});
  c.add(GateKind::X, {1}, {}, {0});
  c.add(GateKind::CX, {1, 2}, {}, {0});
  c.add(GateKind::X, {3}, {}, {0, 1, 2});
  const std::string q3 = write_qasm3(program_of(c));
  EXPECT_NE(q3.find("ctrl(2) @ ry(0.5) q[0], q[1], q[3];\n"
                    "cx q[0], q[1];\n"
                    "ccx q[1], q[0], q[2];\n"
                    "ctrl(3) @ x q[0], q[1], q[2], q[3];\n"),
            std::string::npos)
      << q3;
  const std::string q2 = write_qasm2(program_of(c));
  EXPECT_NE(q2.find("cx q[0], q[1];\nccx q[1], q[0], q[2];\n"), std::string::npos) << q2;
  EXPECT_EQ(q2.find("ctrl"), std::string::npos) << q2;
}

TEST(QasmWriter, QubitOutsideTheProgramIsAnError) {
  Program p;
  p.num_qubits = 1;
  Instruction i;
  i.op = make_op(GateKind::CX, {0, 1});
  p.body.push_back(i);
  expect_value_error([&] { (void)write_qasm2(p); }, {"qubit 1", "instruction 1"});
}

// ---- round trips: write → read gives the same unitary ----

using Matrix = std::vector<cplx>;  // column-major: column i is U|i⟩

Matrix unitary_of(const Circuit& c, std::span<const double> theta = {}, std::span<const double> x = {}) {
  const std::size_t d = std::size_t{1} << c.num_qubits();
  Matrix u(d * d);
  for (std::size_t i = 0; i < d; ++i) {
    StateVector<double> psi(c.num_qubits());
    psi.set_basis_state(i);
    run(c, psi, theta, x, RunOptions{.fusion_qubits = 0});
    for (std::size_t r = 0; r < d; ++r) u[i * d + r] = psi[r];
  }
  return u;
}

/// max |B − e^{iφ}A| over the entries, with the phase taken from A's largest entry.
double distance_up_to_phase(const Matrix& a, const Matrix& b) {
  std::size_t k = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::abs(a[i]) > std::abs(a[k])) k = i;
  const cplx phase = b[k] / a[k] / std::abs(b[k] / a[k]);
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(b[i] - phase * a[i]));
  return d;
}

std::vector<cplx> random_unitary(unsigned k, Rng& rng) {
  const std::size_t d = std::size_t{1} << k;
  std::vector<std::vector<cplx>> cols(d, std::vector<cplx>(d));
  for (std::size_t j = 0; j < d; ++j) {
    for (auto& v : cols[j]) v = {rng.uniform(-1, 1), rng.uniform(-1, 1)};
    for (std::size_t i = 0; i < j; ++i) {  // Gram–Schmidt
      cplx dot = 0;
      for (std::size_t r = 0; r < d; ++r) dot += std::conj(cols[i][r]) * cols[j][r];
      for (std::size_t r = 0; r < d; ++r) cols[j][r] -= dot * cols[i][r];
    }
    double norm = 0;
    for (const cplx& v : cols[j]) norm += std::norm(v);
    for (auto& v : cols[j]) v /= std::sqrt(norm);
  }
  std::vector<cplx> m(d * d);
  for (std::size_t r = 0; r < d; ++r)
    for (std::size_t j = 0; j < d; ++j) m[r * d + j] = cols[j][r];
  return m;
}

/// Random distinct qubits.
std::vector<unsigned> pick(unsigned count, unsigned n, Rng& rng) {
  std::vector<unsigned> all(n);
  for (unsigned i = 0; i < n; ++i) all[i] = i;
  for (unsigned i = 0; i < count; ++i) std::swap(all[i], all[i + rng.below(n - i)]);
  return {all.begin(), all.begin() + count};
}

void expect_round_trip(const Circuit& c, const std::string& what) {
  const Matrix want = unitary_of(c);
  for (int version : {2, 3}) {
    const std::string text = version == 2 ? write_qasm2(program_of(c)) : write_qasm3(program_of(c));
    Program back;
    try {
      back = parse(text, "written.qasm");
    } catch (const Error& e) {
      ADD_FAILURE() << what << ", OpenQASM " << version << ": " << e.what() << "\n" << text;
      continue;
    }
    ASSERT_EQ(back.num_qubits, c.num_qubits());
    EXPECT_LE(distance_up_to_phase(want, unitary_of(back.unitary_part())), 1e-12)
        << what << ", OpenQASM " << version << ":\n" << text;
  }
}

TEST(QasmRoundTrip, EveryGateKindWithAndWithoutExtraControls) {
  Rng rng(61);
  for (const GateInfo& g : gate_table()) {
    if (g.kind == GateKind::Unitary) continue;
    for (unsigned extra : {0U, 1U, 2U}) {
      const unsigned n = g.num_qubits + extra + 1;  // one idle qubit among them
      const std::vector<unsigned> qs = pick(g.num_qubits + extra, n, rng);
      std::vector<Expr> params;
      for (unsigned k = 0; k < g.num_params; ++k) params.emplace_back(rng.uniform(-kPi, kPi));
      Circuit c(n);
      // A non-trivial state on every qubit first, so a wrong phase on a control shows.
      for (unsigned q = 0; q < n; ++q) c.u(q, rng.uniform(0, kPi), rng.uniform(-kPi, kPi), rng.uniform(-kPi, kPi));
      c.add(g.kind, {qs.begin(), qs.begin() + g.num_qubits}, params, {qs.begin() + g.num_qubits, qs.end()});
      expect_round_trip(c, std::string(g.name) + " with " + std::to_string(extra) + " extra controls");
    }
  }
}

TEST(QasmRoundTrip, UnitaryOperations) {
  Rng rng(5);
  for (unsigned k : {1U, 2U, 3U}) {
    for (unsigned extra : {0U, 1U, 2U}) {
      if (k == 3 && extra == 2) continue;  // keeps the test quick: 3 + 2 controls writes thousands of gates
      const unsigned n = k + extra + 1;
      const std::vector<unsigned> qs = pick(k + extra, n, rng);
      Circuit c(n);
      c.unitary({qs.begin(), qs.begin() + k}, random_unitary(k, rng), {qs.begin() + k, qs.end()});
      expect_round_trip(c, "a " + std::to_string(k) + "-qubit unitary with " + std::to_string(extra) +
                               " extra controls");
    }
  }
  // Permutations and diagonal matrices hit the exact-zero branches of the decomposition.
  Circuit perm(3);
  std::vector<cplx> m(64, 0);
  const unsigned image[8] = {3, 6, 0, 1, 7, 2, 5, 4};
  for (unsigned i = 0; i < 8; ++i) m[image[i] * 8 + i] = std::polar(1.0, 0.3 * i);
  perm.unitary({2, 0, 1}, m);
  expect_round_trip(perm, "a 3-qubit phased permutation");
}

TEST(QasmRoundTrip, RandomCircuits) {
  Rng rng(99);
  for (int trial = 0; trial < 20; ++trial) {
    const unsigned n = 4;
    Circuit c(n);
    for (int g = 0; g < 12; ++g) {
      const GateInfo& info = gate_table()[rng.below(gate_table().size() - 1)];
      const unsigned extra = static_cast<unsigned>(rng.below(n - info.num_qubits + 1));
      const std::vector<unsigned> qs = pick(info.num_qubits + extra, n, rng);
      std::vector<Expr> params;
      for (unsigned k = 0; k < info.num_params; ++k) params.emplace_back(rng.uniform(-4, 4));
      c.add(info.kind, {qs.begin(), qs.begin() + info.num_qubits}, params, {qs.begin() + info.num_qubits, qs.end()});
    }
    expect_round_trip(c, "random circuit " + std::to_string(trial));
  }
}

TEST(QasmRoundTrip, Qasm3InputsBindToTheSameUnitary) {
  Circuit c(3);
  c.ry(0, input(0)).ry(1, input(1)).rz(2, 2.0 * theta(0) + 0.5).crx(0, 2, theta(1) * input(0));
  c.add(GateKind::RYY, {1, 2}, {sin(theta(2)) - pow(input(1), 2.0)}, {0});
  c.rx(1, sqrt(exp(theta(0) * theta(0))) / 3.0 + log(2.0 + cos(input(1))) - tan(theta(2)));
  const std::vector<double> th{0.3, -1.1, 0.7}, x{0.9, -0.4};
  const Matrix want = unitary_of(c, th, x);

  // Everything free: the inputs come back as parameters theta_0.., x_0.. in that order.
  const Program free = parse(write_qasm3(program_of(c)));
  EXPECT_EQ(free.parameters, (std::vector<std::string>{"theta_0", "theta_1", "theta_2", "x_0", "x_1"}));
  const std::vector<double> all{0.3, -1.1, 0.7, 0.9, -0.4};
  EXPECT_LE(distance_up_to_phase(want, unitary_of(free.unitary_part(), all)), 1e-12);

  // Weights bound, inputs free.
  const Program model = parse(write_qasm3(program_of(c), th));
  EXPECT_EQ(model.parameters, (std::vector<std::string>{"x_0", "x_1"}));
  EXPECT_LE(distance_up_to_phase(want, unitary_of(model.unitary_part(), x)), 1e-12);

  // All bound, in both versions.
  EXPECT_LE(distance_up_to_phase(want, unitary_of(parse(write_qasm3(program_of(c), th, x)).unitary_part())), 1e-12);
  EXPECT_LE(distance_up_to_phase(want, unitary_of(parse(write_qasm2(program_of(c), th, x)).unitary_part())), 1e-12);
}

TEST(QasmRoundTrip, AnglesReadBackBitForBit) {
  Rng rng(3);
  Circuit c(1);
  std::vector<double> angles{0.1, kPi, -kPi / 2, 3 * kPi / 8, 1e-300, -2.5e17, 1.0 / 3.0};
  for (int i = 0; i < 20; ++i) angles.push_back(rng.uniform(-10, 10));
  for (double a : angles) c.rz(0, a);
  for (int version : {2, 3}) {
    const Program back = parse(version == 2 ? write_qasm2(program_of(c)) : write_qasm3(program_of(c)));
    ASSERT_EQ(back.body.size(), angles.size());
    for (std::size_t i = 0; i < angles.size(); ++i) {
      EXPECT_EQ(back.body[i].op.params.at(0).eval({}, {}), angles[i]) << "OpenQASM " << version << ", angle " << i;
    }
  }
}

TEST(QasmRoundTrip, ClassicalStructureSurvives) {
  const std::string source =
      "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\nqreg r[1];\ncreg c[2];\ncreg d[1];\n"
      "h q[0];\nmeasure q[0] -> c[0];\nif(c==1) x r[0];\nreset q[0];\nbarrier q[0], r[0];\n"
      "if(d==0) cswap q[0], q[1], r[0];\nmeasure r[0] -> d[0];\n";
  const Program a = parse(source);
  for (int version : {2, 3}) {
    const std::string text = version == 2 ? write_qasm2(a) : write_qasm3(a);
    const Program b = parse(text);
    ASSERT_EQ(b.qregs.size(), 2U) << text;
    EXPECT_EQ(b.qregs[1].name, "r");
    ASSERT_EQ(b.cregs.size(), 2U) << text;
    ASSERT_EQ(b.body.size(), a.body.size()) << text;
    for (std::size_t i = 0; i < a.body.size(); ++i) {
      EXPECT_EQ(b.body[i].kind, a.body[i].kind) << i;
      EXPECT_EQ(b.body[i].qubit, a.body[i].qubit) << i;
      EXPECT_EQ(b.body[i].clbit, a.body[i].clbit) << i;
      EXPECT_EQ(b.body[i].qubits, a.body[i].qubits) << i;
      ASSERT_EQ(b.body[i].condition.has_value(), a.body[i].condition.has_value()) << i;
      if (a.body[i].condition) {
        EXPECT_EQ(b.body[i].condition->offset, a.body[i].condition->offset);
        EXPECT_EQ(b.body[i].condition->size, a.body[i].condition->size);
        EXPECT_EQ(b.body[i].condition->value, a.body[i].condition->value);
      }
    }
    // Writing what was read gives the same text again.
    EXPECT_EQ(version == 2 ? write_qasm2(b) : write_qasm3(b), text);
  }
}

}  // namespace
}  // namespace qnn::qasm
