// qnn run: simulate an OpenQASM 2.0 or 3 file and print counts, probabilities, amplitudes, an expectation value or
// its gradient with respect to the file's `input` parameters.
#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <system_error>

#include "commands.hpp"
#include "qnn/core/error.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/diff/finite_difference.hpp"
#include "qnn/diff/parameter_shift.hpp"
#include "qnn/exec/shots.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/io/qasm.hpp"

namespace qnn::cli {

namespace {

struct RunArgs {
  std::string file;
  std::uint64_t shots = 0;
  bool probabilities = false;
  bool statevector = false;
  std::string expval;
  std::string bind;
  bool gradient = false;
  std::string grad = "adjoint";
  std::uint64_t seed = 1;
  std::string precision = "double";
};

constexpr std::uint64_t kDefaultShots = 1024;

// "a=0.1,b=-2" → {a: 0.1, b: -2}
std::map<std::string, double> parse_bindings(const std::string& text) {
  std::map<std::string, double> values;
  std::size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, end - start);
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) throw ValueError("--bind: expected NAME=VALUE, got '" + item + "'");
    const std::string name = item.substr(0, eq);
    std::string_view v(item);
    v.remove_prefix(eq + 1);
    if (!v.empty() && v.front() == '+') v.remove_prefix(1);
    double x = 0;
    const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || !std::isfinite(x)) {
      throw ValueError("--bind: value of '" + name + "' is not a finite number: '" + std::string(v) + "'");
    }
    if (!values.emplace(name, x).second) throw ValueError("--bind: '" + name + "' is bound twice");
    start = end + 1;
  }
  return values;
}

bool has_measurements(const qasm::Program& p) {
  for (const qasm::Instruction& ins : p.body)
    if (ins.kind == qasm::InstructionKind::Measure) return true;
  return false;
}

// The state before the terminal measurements; refuses programs that have no such single state.
Circuit exact_circuit(const qasm::Program& p, const RunArgs& a, const char* option) {
  if (!p.is_unitary_with_terminal_measurements()) {
    throw ValueError(a.file + ": " + option +
                     " needs one final state, but the program has a mid-circuit measurement, a reset or an if; "
                     "use --shots");
  }
  return p.unitary_part();
}

template <Real T>
void run_program(const qasm::Program& p, const RunArgs& a) {
  if (p.num_qubits == 0) throw ValueError(a.file + ": the program declares no qubits");
  const std::vector<double> theta = qasm::bind_parameters(p, parse_bindings(a.bind));

  if (!a.expval.empty()) {
    const PauliSum obs = parse_pauli_sum(a.expval);
    if (obs.min_qubits() > p.num_qubits) {
      throw ValueError("--expval names qubit " + std::to_string(obs.min_qubits() - 1) + " but the program has " +
                       std::to_string(p.num_qubits) + " qubits");
    }
    const Circuit c = exact_circuit(p, a, a.gradient ? "--gradient" : "--expval");
    if (a.gradient) {
      if (p.parameters.empty()) throw ValueError(a.file + ": --gradient needs `input float` parameters; the program has none");
      if (a.shots > 0 && a.grad != "parameter-shift") {
        throw ValueError("--gradient with --shots needs --grad parameter-shift (the other methods are exact)");
      }
      const DiffWrt wrt{.theta = true, .inputs = false};
      const Gradient g = a.grad == "parameter-shift" ? parameter_shift_gradient(c, obs, theta, {}, wrt, {a.shots, a.seed})
                         : a.grad == "finite-diff"   ? finite_difference_gradient(c, obs, theta)
                                                     : adjoint_gradient<T>(c, obs, theta, {}, wrt);
      for (std::size_t i = 0; i < p.parameters.size(); ++i) {
        std::printf("%s %.15g\n", p.parameters[i].c_str(), i < g.theta.size() ? g.theta[i] : 0.0);
      }
      return;
    }
    const StateVector<T> psi = simulate<T>(c, theta);
    if (a.shots > 0) {
      Rng rng(a.seed);
      std::printf("%.15g\n", estimate_expectation(psi, obs, a.shots, rng));
    } else {
      std::printf("%.15g\n", expectation(psi, obs));
    }
    return;
  }

  if (a.probabilities || a.statevector) {
    const Circuit c = exact_circuit(p, a, a.probabilities ? "--probabilities" : "--statevector");
    const StateVector<T> psi = simulate<T>(c, theta);
    if (a.statevector) {
      for (index_t i = 0; i < psi.size(); ++i) {
        const auto z = psi[i];
        std::printf("%llu %.15g %.15g\n", static_cast<unsigned long long>(i), double(z.real()), double(z.imag()));
      }
      return;
    }
    // Index order is bit-string order: qubit 0 is the least significant bit and the rightmost character.
    const std::vector<double> probs = psi.probabilities();
    for (index_t i = 0; i < probs.size(); ++i)
      if (probs[i] > 1e-12) std::printf("%s %.15g\n", qasm::bit_string(i, p.num_qubits).c_str(), probs[i]);
    return;
  }

  if (p.num_clbits == 0) {
    throw ValueError(a.file + ": the program has no classical bits to count; use --probabilities or --statevector");
  }
  const std::uint64_t shots = a.shots > 0 ? a.shots : kDefaultShots;
  for (const auto& [bits, count] : qasm::sample_counts<T>(p, shots, theta, a.seed)) {
    std::printf("%s %llu\n", bits.c_str(), static_cast<unsigned long long>(count));
  }
}

void run_run(const RunArgs& a) {
  const qasm::Program p = qasm::read_file(a.file);
  RunArgs args = a;
  // Nothing asked: counts when the program measures, probabilities when it does not.
  if (!a.probabilities && !a.statevector && a.expval.empty() && a.shots == 0 && !has_measurements(p)) {
    args.probabilities = true;
  }
  if (a.precision == "single") {
    run_program<float>(p, args);
  } else {
    run_program<double>(p, args);
  }
}

}  // namespace

void add_run_command(CLI::App& app) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      "run", "simulate an OpenQASM 2.0 or 3 file (default: 1024 shots of counts, or probabilities if it measures nothing)");
  cmd->add_option("file", args->file, "OpenQASM file (.qasm)")->required();
  CLI::Option* shots = cmd->add_option("--shots", args->shots,
                                       "shots: print `BITSTRING COUNT` per outcome (classical bit 0 rightmost); with "
                                       "--expval, estimate it from shots")
                           ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  CLI::Option* probs = cmd->add_flag("--probabilities", args->probabilities,
                                     "print `BITSTRING PROBABILITY` of the state before terminal measurements (qubit 0 "
                                     "rightmost)");
  CLI::Option* sv = cmd->add_flag("--statevector", args->statevector, "print `INDEX RE IM` for every amplitude");
  CLI::Option* ev = cmd->add_option("--expval", args->expval, "print the expectation of a Pauli sum, e.g. \"Z0 Z1 + 0.5 X2\"");
  cmd->add_option("--bind", args->bind, "values of OpenQASM 3 input parameters: NAME=VALUE,NAME=VALUE");
  CLI::Option* grad = cmd->add_flag("--gradient", args->gradient,
                                    "with --expval: print `NAME DERIVATIVE` for every input parameter");
  cmd->add_option("--grad", args->grad, "gradient method: adjoint, parameter-shift or finite-diff")
      ->check(CLI::IsMember({"adjoint", "parameter-shift", "finite-diff"}))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "seed of the shots")->capture_default_str();
  cmd->add_option("--precision", args->precision, "precision of the simulated state: single or double")
      ->check(CLI::IsMember({"single", "double"}))
      ->capture_default_str();
  probs->excludes(sv)->excludes(ev)->excludes(shots);
  sv->excludes(ev)->excludes(shots);
  grad->needs(ev);
  cmd->callback([args] { run_run(*args); });
}

}  // namespace qnn::cli
