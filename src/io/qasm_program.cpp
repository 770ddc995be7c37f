// Program queries and conversions, and running a program shot by shot for `qnn run`.
#include <algorithm>
#include <string>
#include <utility>

#include "qnn/core/error.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/io/qasm.hpp"

namespace qnn::qasm {

namespace {

// Every qubit an instruction touches (a gate's own qubits and extra controls).
template <class F>
void for_each_qubit(const Instruction& ins, F&& f) {
  switch (ins.kind) {
    case InstructionKind::Gate:
      for (unsigned q : ins.op.qubits) f(q);
      for (unsigned q : ins.op.controls) f(q);
      break;
    case InstructionKind::Measure:
    case InstructionKind::Reset: f(ins.qubit); break;
    case InstructionKind::Barrier: break;
  }
}

bool condition_holds(const Condition& c, const std::vector<char>& bits) {
  std::uint64_t v = 0;
  for (unsigned k = 0; k < c.size && k < 64; ++k) v |= std::uint64_t(bits[c.offset + k] != 0) << k;
  return v == c.value;
}

std::string bits_to_string(const std::vector<char>& bits) {
  std::string s(bits.size(), '0');
  for (std::size_t k = 0; k < bits.size(); ++k) s[bits.size() - 1 - k] = bits[k] ? '1' : '0';
  return s;
}

}  // namespace

bool Program::is_unitary_with_terminal_measurements() const {
  std::vector<bool> measured(num_qubits, false);
  for (const Instruction& ins : body) {
    if (ins.condition || ins.kind == InstructionKind::Reset) return false;
    bool touches_measured = false;
    if (ins.kind == InstructionKind::Gate) for_each_qubit(ins, [&](unsigned q) { touches_measured |= measured[q]; });
    if (touches_measured) return false;
    if (ins.kind == InstructionKind::Measure) measured[ins.qubit] = true;
  }
  return true;
}

Circuit Program::unitary_part() const {
  if (!is_unitary_with_terminal_measurements()) {
    throw ValueError("the program has a mid-circuit measurement, a reset or an if: it has no single state to return "
                     "(run it shot by shot)");
  }
  Circuit c(num_qubits);
  for (const Instruction& ins : body)
    if (ins.kind == InstructionKind::Gate) c.append(ins.op);
  return c;
}

Program from_circuit(const Circuit& circuit) {
  Program p;
  p.version = circuit.num_theta() > 0 || circuit.num_inputs() > 0 ? 3 : 2;
  p.num_qubits = circuit.num_qubits();
  p.qregs.push_back(Register{"q", 0, circuit.num_qubits()});
  for (const Operation& op : circuit.ops()) {
    Instruction ins;
    ins.kind = InstructionKind::Gate;
    ins.op = op;
    p.body.push_back(std::move(ins));
  }
  return p;
}

std::vector<double> bind_parameters(const Program& program, const std::map<std::string, double>& values) {
  for (const auto& [name, value] : values) {
    if (std::find(program.parameters.begin(), program.parameters.end(), name) == program.parameters.end()) {
      std::string known;
      for (const std::string& p : program.parameters) known += (known.empty() ? "" : ", ") + p;
      throw ValueError("'" + name + "' is not an input parameter of the program" +
                       (known.empty() ? std::string(" (it has none)") : " (its inputs: " + known + ")"));
    }
  }
  std::vector<double> theta;
  for (const std::string& p : program.parameters) {
    auto it = values.find(p);
    if (it == values.end()) throw ValueError("input parameter '" + p + "' is not bound (pass --bind " + p + "=VALUE)");
    theta.push_back(it->second);
  }
  return theta;
}

std::string bit_string(std::uint64_t bits, unsigned width) {
  std::string s(width, '0');
  for (unsigned k = 0; k < width && k < 64; ++k) s[width - 1 - k] = ((bits >> k) & 1U) ? '1' : '0';
  return s;
}

template <Real T>
std::map<std::string, std::uint64_t> sample_counts(const Program& program, std::uint64_t shots,
                                                   std::span<const double> theta, std::uint64_t seed) {
  if (program.num_qubits == 0) throw ValueError("the program declares no qubits");
  Rng rng(seed);
  std::map<std::string, std::uint64_t> counts;
  std::vector<char> bits(program.num_clbits, 0);
  if (program.is_unitary_with_terminal_measurements()) {
    // One simulation; each shot is one basis state drawn from |ψ|², read out through the measure list.
    const Circuit c = program.unitary_part();
    const StateVector<T> psi = simulate<T>(c, theta);
    std::vector<std::pair<unsigned, unsigned>> readout;  // (qubit, clbit) in program order: a later write wins
    for (const Instruction& ins : program.body)
      if (ins.kind == InstructionKind::Measure) readout.emplace_back(ins.qubit, ins.clbit);
    for (index_t i : psi.sample(shots, rng)) {
      std::fill(bits.begin(), bits.end(), 0);
      for (const auto& [q, b] : readout) bits[b] = static_cast<char>((i >> q) & 1U);
      ++counts[bits_to_string(bits)];
    }
    return counts;
  }
  // Shot by shot. The unconditioned gates before the first measurement or reset are the same in every shot: they
  // run once (gate-fused) and each shot starts from a copy of that state.
  std::size_t first_random = 0;
  Circuit prefix(program.num_qubits);
  for (; first_random < program.body.size(); ++first_random) {
    const Instruction& ins = program.body[first_random];
    if (ins.condition || ins.kind == InstructionKind::Measure || ins.kind == InstructionKind::Reset) break;
    if (ins.kind == InstructionKind::Gate) prefix.append(ins.op);
  }
  const StateVector<T> start = simulate<T>(prefix, theta);
  // The remaining gates are gathered into one circuit only to bind every angle once.
  Circuit gates(program.num_qubits);
  for (std::size_t k = first_random; k < program.body.size(); ++k)
    if (program.body[k].kind == InstructionKind::Gate) gates.append(program.body[k].op);
  const std::vector<double> angles = bind_angles(gates, theta, {});
  StateVector<T> psi = start;
  for (std::uint64_t s = 0; s < shots; ++s) {
    if (s > 0) psi = start;
    std::fill(bits.begin(), bits.end(), 0);
    std::size_t offset = 0;
    for (std::size_t k = first_random; k < program.body.size(); ++k) {
      const Instruction& ins = program.body[k];
      const std::size_t nangles = ins.kind == InstructionKind::Gate ? ins.op.params.size() : 0;
      const bool active = !ins.condition || condition_holds(*ins.condition, bits);
      if (active) {
        switch (ins.kind) {
          case InstructionKind::Gate:
            apply_operation(psi, ins.op, std::span<const double>(angles).subspan(offset, nangles));
            break;
          case InstructionKind::Measure: bits[ins.clbit] = static_cast<char>(psi.measure(ins.qubit, rng)); break;
          case InstructionKind::Reset: psi.reset(ins.qubit, rng); break;
          case InstructionKind::Barrier: break;
        }
      }
      offset += nangles;
    }
    ++counts[bits_to_string(bits)];
  }
  return counts;
}

template std::map<std::string, std::uint64_t> sample_counts<float>(const Program&, std::uint64_t,
                                                                   std::span<const double>, std::uint64_t);
template std::map<std::string, std::uint64_t> sample_counts<double>(const Program&, std::uint64_t,
                                                                    std::span<const double>, std::uint64_t);

}  // namespace qnn::qasm
