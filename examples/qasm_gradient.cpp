// Read an OpenQASM 3 circuit with `input` parameters and compute ⟨Z0 Z1⟩ and its gradient with respect to every
// input, by the adjoint method and by parameter shifts (the two must agree). Usage: qasm_gradient [FILE.qasm]
#include <cstdio>

#include <qnn/circuit/pauli.hpp>
#include <qnn/diff/adjoint.hpp>
#include <qnn/diff/parameter_shift.hpp>
#include <qnn/exec/simulate.hpp>
#include <qnn/io/qasm.hpp>

int main(int argc, char** argv) {
  using namespace qnn;
  const char* text = R"(OPENQASM 3.0;
include "stdgates.inc";
input float a;
input float b;
qubit[2] q;
ry(a) q[0];
rx(b) q[1];
cx q[0], q[1];
ry(a * b) q[1];
)";
  const qasm::Program program = argc > 1 ? qasm::read_file(argv[1]) : qasm::parse(text, "example.qasm");
  const Circuit circuit = program.unitary_part();  // input parameters become the weights θ_i
  std::vector<double> theta(program.parameters.size());
  for (std::size_t i = 0; i < theta.size(); ++i) theta[i] = 0.3 + 0.4 * double(i);

  const PauliSum zz = parse_pauli_sum("Z0 Z1");
  const Gradient adjoint = adjoint_gradient(circuit, zz, theta);
  const Gradient shift = parameter_shift_gradient(circuit, zz, theta);
  std::printf("<Z0 Z1> = %.10f\n", expval(circuit, zz, theta));
  for (std::size_t i = 0; i < theta.size(); ++i) {
    std::printf("d/d%s = %+.10f (adjoint)  %+.10f (parameter shift)\n", program.parameters[i].c_str(),
                adjoint.theta[i], shift.theta[i]);
  }
}
