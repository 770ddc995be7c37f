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
#include "mpi_ranks.hpp"
#include "noise_options.hpp"
#include "qnn/core/error.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/diff/finite_difference.hpp"
#include "qnn/diff/parameter_shift.hpp"
#include "qnn/exec/shots.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/io/qasm.hpp"
#include "qnn/noise/density_matrix_simulation.hpp"
#include "qnn/noise/readout_error.hpp"
#include "qnn/noise/trajectories.hpp"
#ifdef QNN_WITH_MPI
#include "qnn/mpi/distributed_simulation.hpp"
#endif

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
  NoiseArgs noise;
  std::uint64_t trajectories = 0;  // --noise: Monte-Carlo trajectories instead of the density matrix (0: automatic)
  bool distributed = false;  // split the state over the MPI ranks (automatic under mpirun with ≥ 2 ranks)
};

constexpr std::uint64_t kDefaultShots = 1024;
// Above this many qubits --noise runs trajectories (a 13-qubit density matrix is 1 GiB in double precision).
constexpr unsigned kMaxDensityMatrixQubits = 13;
constexpr std::uint64_t kDefaultTrajectories = 1000;

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

// Counts of noisy shots (basis-state indices) over the program's classical bits, after the model's readout error.
void print_noisy_counts(const qasm::Program& p, const NoiseModel& model, std::vector<index_t> samples, Rng& rng) {
  if (p.num_clbits == 0) {
    throw ValueError("the program has no classical bits to count; use --probabilities");
  }
  if (model.has_readout_error()) samples = apply_readout_error(samples, readout_errors(model, p.num_qubits), rng);
  std::map<std::string, std::uint64_t> counts;
  for (index_t s : samples) {
    std::uint64_t bits = 0;
    for (const qasm::Instruction& ins : p.body)
      if (ins.kind == qasm::InstructionKind::Measure) {
        bits = (bits & ~(std::uint64_t{1} << ins.clbit)) | (std::uint64_t{s >> ins.qubit & 1U} << ins.clbit);
      }
    ++counts[qasm::bit_string(bits, p.num_clbits)];
  }
  for (const auto& [bits, count] : counts) std::printf("%s %llu\n", bits.c_str(), static_cast<unsigned long long>(count));
}

// The observable as read out through the model's readout error, as the density-matrix path reads it: a readout flip
// of qubit q turns ⟨Z_q⟩ into (p(0|1) − p(1|0)) + (1 − p(1|0) − p(0|1))⟨Z_q⟩ (affine), and a symmetric flip p multiplies
// a multi-qubit parity by Π_q (1 − 2p_q). Per-trajectory values of the result average to the read-out expectation,
// so the standard error stays right.
PauliSum read_out_observable(const PauliSum& obs, const NoiseModel& model) {
  if (!model.has_readout_error()) return obs;
  PauliSum out;
  for (const auto& t : obs.terms()) {
    const auto& f = t.string.factors();
    if (f.size() == 1) {
      const ReadoutError e = model.readout_error(f.begin()->first);
      out.add(t.coeff * (1 - e.p1_given_0 - e.p0_given_1), t.string);
      if (e.p0_given_1 != e.p1_given_0) out.add(t.coeff * (e.p0_given_1 - e.p1_given_0), PauliString());
      continue;
    }
    double scale = 1;
    for (const auto& [q, pauli] : f) {
      const ReadoutError e = model.readout_error(q);
      if (e.p1_given_0 != e.p0_given_1) {
        throw ValueError("readout error on the multi-qubit term '" + t.string.to_string() +
                         "' is modelled only for symmetric errors (p(1|0) = p(0|1))");
      }
      scale *= 1 - 2 * e.p1_given_0;
    }
    out.add(t.coeff * scale, t.string);
  }
  return out;
}

// --noise with Monte-Carlo trajectories (asked for, or above kMaxDensityMatrixQubits): --expval prints the mean and
// its standard error, --probabilities the trajectory average (through the readout error), --shots counts.
template <Real T>
void run_noisy_trajectories(const qasm::Program& p, const RunArgs& a, const std::vector<double>& theta,
                            const NoiseModel& model, const Mitigation& m) {
  if (m.zne || m.readout) {
    throw ValueError("--mitigate runs on the density matrix: drop --trajectories (density matrices go up to " +
                     std::to_string(kMaxDensityMatrixQubits) + " qubits)");
  }
  if (a.gradient) throw ValueError("--gradient under --noise needs the density matrix: drop --trajectories");
  const std::uint64_t n = a.trajectories > 0 ? a.trajectories : kDefaultTrajectories;
  if (!a.expval.empty()) {
    if (a.shots > 0) throw ValueError("--expval under --noise is exact per trajectory: drop --shots");
    const PauliSum obs = parse_pauli_sum(a.expval, p.num_qubits);  // names the qubit count if out of range
    const TrajectoryEstimate e = expectation_trajectories<T>(exact_circuit(p, a, "--expval"), model,
                                                             read_out_observable(obs, model), n, a.seed, theta);
    std::printf("%.15g %.3g\n", e.mean, e.standard_error);
    return;
  }
  const Circuit c = exact_circuit(p, a, a.shots > 0 ? "--shots under --noise" : "--probabilities under --noise");
  if (a.shots > 0) {
    Rng rng = trajectory_rng(a.seed, ~std::uint64_t{0});  // the readout flips' own stream
    print_noisy_counts(p, model, sample_trajectories<T>(c, model, a.shots, n, a.seed, theta), rng);
    return;
  }
  std::vector<double> probs = probabilities_trajectories<T>(c, model, n, a.seed, theta);
  if (model.has_readout_error()) probs = apply_readout_error(probs, readout_errors(model, p.num_qubits));
  for (index_t i = 0; i < probs.size(); ++i)
    if (probs[i] > 1e-12) std::printf("%s %.15g\n", qasm::bit_string(i, p.num_qubits).c_str(), probs[i]);
}

// --noise: the circuit on the noisy density matrix. --expval (and --gradient, through the density matrix, of the
// mitigated value) and --probabilities (the read-out distribution: the diagonal of ρ through the readout error, or
// with --mitigate readout its confusion-matrix inversion).
template <Real T>
void run_noisy_program(const qasm::Program& p, const RunArgs& a, const std::vector<double>& theta) {
  NoiseModel model = load_noise_model(a.noise.noise);
  const Mitigation m = mitigation_from(a.noise);
  if (a.statevector) throw ValueError("--statevector has no meaning under --noise (the state is mixed); use --probabilities");
  if (a.trajectories > 0 || p.num_qubits > kMaxDensityMatrixQubits) {
    run_noisy_trajectories<T>(p, a, theta, model, m);
    return;
  }
  if (a.shots > 0 && !a.expval.empty()) {
    throw ValueError("--noise evaluates --expval exactly on the density matrix: drop --shots");
  }
  if (a.shots > 0) {
    if (m.zne || m.readout) throw ValueError("--mitigate applies to --expval and --probabilities, not to counts");
    const DensityMatrix<T> rho = run_density_matrix<T>(exact_circuit(p, a, "--shots under --noise"), model, theta);
    Rng rng(a.seed);
    print_noisy_counts(p, model, rho.sample(a.shots, rng), rng);
    return;
  }
  if (!a.expval.empty()) {
    const PauliSum obs = parse_pauli_sum(a.expval, p.num_qubits);
    const Circuit c = exact_circuit(p, a, a.gradient ? "--gradient" : "--expval");
    if (a.gradient && a.grad != "adjoint") throw ValueError("--gradient under --noise uses --grad adjoint");
    if (a.gradient && p.parameters.empty()) {
      throw ValueError(a.file + ": --gradient needs `input float` parameters; the program has none");
    }
    const BatchedReadout readout = noisy_readout<T>(std::move(model), m);
    const std::vector<PauliSum> observables = {obs};
    const BatchedVjpResult r =
        readout(c, observables, theta, BatchInputs{{}, 0}, 1, [](std::span<const double>) { return std::vector<double>{1.0}; },
                DiffWrt{.theta = a.gradient, .inputs = false});
    if (!a.gradient) {
      std::printf("%.15g\n", r.values[0]);
      return;
    }
    for (std::size_t i = 0; i < p.parameters.size(); ++i) {
      std::printf("%s %.15g\n", p.parameters[i].c_str(), i < r.theta.size() ? r.theta[i] : 0.0);
    }
    return;
  }
  if (m.zne) throw ValueError("--mitigate zne extrapolates expectation values: use it with --expval");
  const Circuit c = exact_circuit(p, a, "--probabilities under --noise");
  const DensityMatrix<T> rho = run_density_matrix<T>(c, model, theta);
  std::vector<double> probs = rho.probabilities();
  if (model.has_readout_error()) {
    const std::vector<ReadoutError> errors = readout_errors(model, p.num_qubits);
    probs = apply_readout_error(probs, errors);
    if (m.readout) probs = mitigate_readout(probs, errors);
  }
  for (index_t i = 0; i < probs.size(); ++i)
    if (std::abs(probs[i]) > 1e-12) std::printf("%s %.15g\n", qasm::bit_string(i, p.num_qubits).c_str(), probs[i]);
}

// The state split over the MPI ranks by its top qubits (docs/mpi.md): --expval (and its adjoint --gradient),
// --statevector and --probabilities streamed to rank 0, and counts of terminal measurements.
template <Real T>
void run_distributed(const qasm::Program& p, const RunArgs& a, const std::vector<double>& theta) {
#ifdef QNN_WITH_MPI
  if (!a.noise.noise.empty()) throw ValueError("--noise does not run on a distributed state; run it without mpirun");
  const char* what = !a.expval.empty() ? (a.gradient ? "--gradient" : "--expval")
                     : a.statevector   ? "--statevector"
                     : a.probabilities ? "--probabilities"
                                       : "--shots";
  const Circuit c = exact_circuit(p, a, what);
  mpi::check_distributable(c, mpi::size());
  if (!a.expval.empty()) {
    const PauliSum obs = parse_pauli_sum(a.expval, p.num_qubits);
    if (a.shots > 0) throw ValueError("--expval on a distributed state is exact: drop --shots");
    if (a.gradient) {
      if (p.parameters.empty()) throw ValueError(a.file + ": --gradient needs `input float` parameters; the program has none");
      if (a.grad != "adjoint") throw ValueError("--gradient on a distributed state uses --grad adjoint");
      const Gradient g = mpi::distributed_adjoint_gradient<T>(c, obs, theta, {}, DiffWrt{.theta = true, .inputs = false});
      for (std::size_t i = 0; i < p.parameters.size(); ++i) {
        std::printf("%s %.15g\n", p.parameters[i].c_str(), i < g.theta.size() ? g.theta[i] : 0.0);
      }
      return;
    }
    const mpi::DistributedStateVector<T> psi = mpi::simulate_distributed<T>(c, theta);
    std::printf("%.15g\n", mpi::expectation(psi, obs));
    return;
  }
  if (!a.probabilities && !a.statevector && p.num_clbits == 0) {
    throw ValueError(a.file + ": the program has no classical bits to count; use --probabilities or --statevector");
  }
  const mpi::DistributedStateVector<T> psi = mpi::simulate_distributed<T>(c, theta);
  if (a.statevector || a.probabilities) {
    psi.gather_to_root([&](index_t first, std::span<const complex<T>> amps) {
      for (std::size_t j = 0; j < amps.size(); ++j) {
        const index_t i = first + j;
        if (a.statevector) {
          std::printf("%llu %.15g %.15g\n", static_cast<unsigned long long>(i), double(amps[j].real()),
                      double(amps[j].imag()));
        } else if (const double pr = double(std::norm(amps[j])); pr > 1e-12) {
          std::printf("%s %.15g\n", qasm::bit_string(i, p.num_qubits).c_str(), pr);
        }
      }
    });
    return;
  }
  Rng rng(a.seed);
  std::map<std::string, std::uint64_t> counts;
  for (index_t s : psi.sample(a.shots > 0 ? a.shots : kDefaultShots, rng)) {
    std::uint64_t bits = 0;
    for (const qasm::Instruction& ins : p.body)
      if (ins.kind == qasm::InstructionKind::Measure) {
        bits = (bits & ~(std::uint64_t{1} << ins.clbit)) | (std::uint64_t{s >> ins.qubit & 1U} << ins.clbit);
      }
    ++counts[qasm::bit_string(bits, p.num_clbits)];
  }
  for (const auto& [bits, count] : counts) std::printf("%s %llu\n", bits.c_str(), static_cast<unsigned long long>(count));
#else
  (void)p, (void)a, (void)theta;
  throw ValueError("--distributed needs a qnn built with MPI (install libopenmpi-dev and rebuild)");
#endif
}

template <Real T>
void run_program(const qasm::Program& p, const RunArgs& a) {
  if (p.num_qubits == 0) throw ValueError(a.file + ": the program declares no qubits");
  const std::vector<double> theta = qasm::bind_parameters(p, parse_bindings(a.bind));
  if (a.distributed || num_ranks() > 1) {
    run_distributed<T>(p, a, theta);
    return;
  }
  if (!a.noise.noise.empty()) {
    run_noisy_program<T>(p, a, theta);
    return;
  }

  if (!a.expval.empty()) {
    const PauliSum obs = parse_pauli_sum(a.expval, p.num_qubits);
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
  if (a.noise.noise.empty() && a.noise.mitigate != "none") {
    throw CLI::ValidationError("--mitigate", "needs --noise MODEL (nothing to mitigate)");
  }
  // Under noise the default output is the read-out distribution.
  if (!a.noise.noise.empty() && !a.probabilities && !a.statevector && a.expval.empty() && a.shots == 0) {
    args.probabilities = true;
  }
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
  add_noise_options(cmd, args->noise);
  cmd->add_option("--trajectories", args->trajectories,
                  "with --noise: average N Monte-Carlo trajectories on state vectors instead of the density matrix "
                  "(automatic above 13 qubits, 1000 trajectories); --expval then prints `MEAN STANDARD_ERROR`")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32))
      ->needs(cmd->get_option("--noise"));
  cmd->add_flag("--distributed", args->distributed,
               "split the state over the MPI ranks by its top qubits (the default under mpirun with 2 or more ranks; "
               "a power-of-two rank count)");
  cmd->callback([args] { run_run(*args); });
}

}  // namespace qnn::cli
