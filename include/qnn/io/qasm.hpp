#pragma once
// OpenQASM 2.0 and 3 programs: what the reader produces and the writers consume.
//
// A Program is a flat list of instructions over one global qubit index space and one global classical-bit index space
// (registers are laid out in declaration order: qubit k of the program is bit k of the amplitude index, little-endian,
// as everywhere in qnn). User `gate` definitions are expanded by the reader, so every gate instruction is a qnn
// Operation from the gate table (or a Unitary). OpenQASM 3 `input float` parameters become θ indices: parameter i of
// the program is `theta(i)` in the angle expressions, named `parameters[i]`.
//
//   Program p = qasm::read_file("bell.qasm");
//   if (p.is_unitary_with_terminal_measurements()) { StateVector<double> psi = run(p.unitary_part(), {}); }
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qnn/circuit/circuit.hpp"

namespace qnn::qasm {

struct Register {
  std::string name;
  unsigned offset = 0;  // index of its element 0 in the program's global qubit (or bit) space
  unsigned size = 0;
};

/// `if (creg == value)` in OpenQASM 2; `if (c == value)` / `if (c[i] == 1)` in OpenQASM 3. The condition holds when the
/// classical bits [offset, offset + size) read as a little-endian integer equal `value`.
struct Condition {
  unsigned offset = 0;
  unsigned size = 0;
  std::uint64_t value = 0;
};

enum class InstructionKind : std::uint8_t { Gate, Measure, Reset, Barrier };

struct Instruction {
  InstructionKind kind = InstructionKind::Gate;
  Operation op;                     // Gate: the operation (angles may use theta(i) for OpenQASM 3 inputs)
  unsigned qubit = 0;               // Measure, Reset
  unsigned clbit = 0;               // Measure
  std::vector<unsigned> qubits;     // Barrier
  std::optional<Condition> condition;
  std::size_t line = 0;             // 1-based source line (0 when built in code)
};

struct Program {
  int version = 2;  // 2 or 3: the language it was read from (the writers choose their own)
  unsigned num_qubits = 0;
  unsigned num_clbits = 0;
  std::vector<Register> qregs;
  std::vector<Register> cregs;
  std::vector<Instruction> body;
  /// OpenQASM 3 `input float` names; parameter i is theta(i).
  std::vector<std::string> parameters;

  /// True when every measurement comes after the last gate/reset on its qubit and nothing is conditioned, so the
  /// state before measurement is one state vector (probabilities and expectations exact, shots sampled from it).
  [[nodiscard]] bool is_unitary_with_terminal_measurements() const;
  /// The gates as a Circuit (barriers and terminal measurements dropped). Throws ValueError when the program has a
  /// reset, a condition or a mid-circuit measurement.
  [[nodiscard]] Circuit unitary_part() const;
};

/// Parses OpenQASM 2.0 or 3 (picked from the `OPENQASM` header; a missing header means 2.0). `include "qelib1.inc"`
/// and `include "stdgates.inc"` are built in; other includes are read relative to `include_dir` (empty: refused).
/// Errors are ParseError `file:line:col: what was expected`.
Program parse(std::string_view source, std::string_view file_name = "<input>",
              const std::filesystem::path& include_dir = {});
/// Reads and parses a file; includes are resolved relative to its directory.
Program read_file(const std::filesystem::path& path);

/// A program of a circuit followed by nothing (no measurements): the inverse of unitary_part().
Program from_circuit(const Circuit& circuit);

// ---- running programs (`qnn run`) -----------------------------------------------------------------------------------

/// θ for the program's `input` parameters from name → value; throws ValueError naming a parameter that is missing or a
/// name that is not a parameter.
std::vector<double> bind_parameters(const Program& program, const std::map<std::string, double>& values);

/// Outcome counts of `shots` runs: the bit string over all classical bits (bit 0 rightmost, as Qiskit prints it) →
/// count. A program whose measurements are all terminal is simulated once and sampled; any other (mid-circuit
/// measurement, reset, if) runs shot by shot with collapse. Reproducible from `seed`.
template <Real T>
std::map<std::string, std::uint64_t> sample_counts(const Program& program, std::uint64_t shots,
                                                   std::span<const double> theta, std::uint64_t seed);

/// `bits` as a string of '0'/'1' with bit 0 rightmost.
std::string bit_string(std::uint64_t bits, unsigned width);

/// OpenQASM 2.0 text with every angle bound: θ from `theta`, x from `inputs`. Gates qelib1.inc lacks are written
/// as equivalent qelib1 sequences (or as a `gate` definition); numbers are written so they read back exactly.
std::string write_qasm2(const Program& program, std::span<const double> theta = {},
                        std::span<const double> inputs = {});
/// OpenQASM 3 text. θ indices that are not bound (`theta` empty) become `input float[64] name;` (names from
/// program.parameters, else theta_i); input indices not bound (`inputs` empty) become `input float[64] x_j;`. A
/// trained model is written with its weights bound and its inputs left as `input` parameters.
std::string write_qasm3(const Program& program, std::span<const double> theta = {},
                        std::span<const double> inputs = {});

}  // namespace qnn::qasm
