// qnn bench: gate, layer and ansatz timings against the machine's in-place memory bandwidth, measured in the same run
// (see qnn/exec/benchmark.hpp for what each row means).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#ifdef QNN_WITH_MPI
#include "qnn/mpi/distributed_benchmark.hpp"
#include "qnn/mpi/environment.hpp"
#endif
#include "qnn/core/error.hpp"
#include "qnn/exec/benchmark.hpp"
#include "qnn/io/atomic_file.hpp"
#include "qnn/ml/training_benchmark.hpp"
#include "qnn/sim/kernels.hpp"

namespace qnn::cli {

namespace {

struct BenchArgs {
  unsigned min_qubits = 12;
  unsigned max_qubits = 26;
  bool max_given = false;
  bool min_given = false;
  std::vector<int> threads = {1, 2};
  std::vector<std::string> precisions = {"double", "single"};
  std::string format = "text";
  bool quick = false;
  unsigned repetitions = 5;
  std::string out;
  std::string suite = "all";
  bool mpi = false;
};

// --mpi (docs/mpi.md): gate time by where the target lives on a state split over the ranks, and the bytes exchanged.
void run_mpi_bench(const BenchArgs& a) {
#ifdef QNN_WITH_MPI
  if (!mpi::active()) throw ValueError("--mpi measures a state split over MPI ranks: run it under mpirun, e.g. "
                                      "`mpirun -np 2 qnn bench --mpi`");
  mpi::DistributedBenchConfig cfg;
  if (a.max_given) cfg.max_qubits = a.max_qubits;
  cfg.min_qubits = a.min_qubits == 12 ? std::min(cfg.min_qubits, cfg.max_qubits) : a.min_qubits;
  cfg.repetitions = a.repetitions;
  if (a.quick) cfg.min_qubits = cfg.max_qubits = std::min(cfg.max_qubits, 20U);
  const std::vector<mpi::DistributedBenchRow> rows = mpi::run_distributed_benchmarks(cfg);
  std::printf("# distributed state: ranks split the state by its top qubits; ns/gate is the median of the slowest "
              "rank; ratio is to one process applying H to the top qubit of the whole state\n");
  std::printf("%-16s %-4s %6s %6s %5s %14s %14s %8s\n", "name", "gate", "qubits", "target", "ranks", "ns/gate",
              "bytes_sent", "ratio");
  double base = 0;
  for (const auto& r : rows) {
    if (r.name == "single_process") base = r.seconds_per_gate;
    std::printf("%-16s %-4s %6u %6u %5d %14.0f %14llu %8.3f\n", r.name.c_str(), r.gate.c_str(), r.qubits, r.target,
                r.ranks, r.seconds_per_gate * 1e9, static_cast<unsigned long long>(r.bytes_per_gate),
                r.seconds_per_gate / base);
  }
#else
  (void)a;
  throw ValueError("--mpi needs a qnn built with MPI (install libopenmpi-dev and rebuild); run it under mpirun");
#endif
}

nlohmann::json row_json(const BenchRow& r) {
  nlohmann::json j;
  j["name"] = r.name;
  j["qubits"] = r.qubits;
  j["threads"] = r.threads;
  j["precision"] = r.precision;
  j["isa"] = r.isa;
  j["seconds"] = r.seconds;
  j["repetitions"] = r.repetitions;
  if (r.name == "memory_bandwidth") {
    j["bytes_per_second"] = r.bytes_per_second;
    return j;
  }
  j["gates"] = r.gates;
  j["seconds_per_gate"] = r.seconds_per_gate();
  j["ns_per_amplitude"] = r.ns_per_amplitude();
  j["ns_per_amplitude_pair"] = r.ns_per_pair();
  if (std::isfinite(r.bandwidth_fraction)) j["bandwidth_fraction"] = r.bandwidth_fraction;
  j["gate"] = r.gate;
  if (!r.position.empty()) {
    j["target"] = r.target;
    j["position"] = r.position;
    j["qubit_list"] = r.gate_qubits;
  }
  if (r.layers) j["layers"] = r.layers;
  if (std::isfinite(r.ratio)) j["ratio"] = r.ratio;
  if (r.parameters) j["parameters"] = r.parameters;
  if (r.batch) j["batch"] = r.batch;
  return j;
}

std::string legend() {
  return "# kernels: " + std::string(isa_name(active_isa())) +
         "; bw_fraction = 2 * 2^n * bytes per amplitude per gate / time / bandwidth of a[i] = s*a[i] over the same "
         "bytes (memory_bandwidth row, measured just before); times are medians\n";
}

std::string header_line() {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-16s %-16s %6s %6s %7s %-9s %12s %8s %8s %11s\n", "name", "gate", "qubits", "target",
                "threads", "precision", "ns/gate", "ns/amp", "ns/pair", "bw_fraction");
  return buf;
}

std::string text_line(const BenchRow& r) {
  char target[16] = "-";
  if (!r.position.empty()) std::snprintf(target, sizeof target, "%u", r.target);
  char frac[32] = "-";
  if (std::isfinite(r.bandwidth_fraction)) std::snprintf(frac, sizeof frac, "%.3f", r.bandwidth_fraction);
  const bool bw = r.name == "memory_bandwidth";
  char buf[512];
  // memory_bandwidth: ns/gate is one sweep, i.e. the time a gate would take at the limit.
  std::snprintf(buf, sizeof buf, "%-16s %-16s %6u %6s %7d %-9s %12.1f %8.3f %8.3f %11s\n", r.name.c_str(),
                r.gate.c_str(), r.qubits, target, r.threads, r.precision.c_str(), r.seconds_per_gate() * 1e9,
                bw ? r.seconds * 1e9 / std::ldexp(1.0, static_cast<int>(r.qubits)) : r.ns_per_amplitude(),
                bw ? 2 * r.seconds * 1e9 / std::ldexp(1.0, static_cast<int>(r.qubits)) : r.ns_per_pair(), frac);
  return buf;
}

bool is_training_row(const BenchRow& r) {
  return r.name.starts_with("gradient_") || r.name.starts_with("training_step");
}

std::string training_legend() {
  return "\n# gradient_*: ratio = gradient time / one unfused forward pass of the benchmark ansatz (L = n layers, "
         "P = 2n^2); training_step_batched: ratio = one-sample-at-a-time time / batched time (same work)\n";
}

std::string training_header() {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-25s %6s %7s %-9s %12s %10s %6s %6s\n", "name", "qubits", "threads", "precision",
                "ms", "ratio", "params", "batch");
  return buf;
}

std::string training_line(const BenchRow& r) {
  char buf[256];
  std::snprintf(buf, sizeof buf, "%-25s %6u %7d %-9s %12.3f %10.2f %6u %6s\n", r.name.c_str(), r.qubits, r.threads,
                r.precision.c_str(), r.seconds * 1e3, r.ratio, r.parameters,
                r.batch ? std::to_string(r.batch).c_str() : "-");
  return buf;
}

// Per (qubits, threads, precision): the median bandwidth fraction over the gate rows, and single vs double.
std::string summary(const std::vector<BenchRow>& rows) {
  struct Acc {
    std::vector<double> fractions, seconds;
  };
  std::map<std::tuple<unsigned, int, std::string>, Acc> acc;
  for (const BenchRow& r : rows) {
    if (r.name != "gate") continue;
    Acc& a = acc[{r.qubits, r.threads, r.precision}];
    a.fractions.push_back(r.bandwidth_fraction);
    a.seconds.push_back(r.seconds);
  }
  if (acc.empty()) return {};
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
  };
  std::string s = "\ngate rows, median over kinds and positions:\n";
  char buf[256];
  std::snprintf(buf, sizeof buf, "%6s %7s %-9s %12s %11s %22s\n", "qubits", "threads", "precision", "ns/gate",
                "bw_fraction", "speed-up single/double");
  s += buf;
  for (const auto& [key, a] : acc) {
    const auto& [n, t, p] = key;
    std::string ratio = "-";
    if (p == "single") {
      if (auto it = acc.find({n, t, "double"}); it != acc.end()) {
        std::snprintf(buf, sizeof buf, "%.2f", median(it->second.seconds) / median(a.seconds));
        ratio = buf;
      }
    }
    std::snprintf(buf, sizeof buf, "%6u %7d %-9s %12.1f %11.3f %22s\n", n, t, p.c_str(), median(a.seconds) * 1e9,
                  median(a.fractions), ratio.c_str());
    s += buf;
  }
  std::string fusion;
  for (const BenchRow& r : rows) {
    if ((r.name != "random_circuit" && r.name != "ansatz") || !std::isfinite(r.ratio)) continue;
    std::snprintf(buf, sizeof buf, "%-16s %-22s %6u %7d %-9s %10.3f %10.3f %8.2f\n", r.name.c_str(), r.gate.c_str(),
                  r.qubits, r.threads, r.precision.c_str(), r.seconds, r.seconds * r.ratio, r.ratio);
    fusion += buf;
  }
  if (!fusion.empty()) {
    std::snprintf(buf, sizeof buf, "\nfusion (run() as it fuses by default vs one pass per gate):\n%-16s %-22s %6s %7s %-9s %10s %10s %8s\n",
                  "circuit", "", "qubits", "threads", "precision", "fused s", "unfused s", "speed-up");
    s += buf + fusion;
  }
  return s;
}

void run_bench(const BenchArgs& a) {
  if (a.mpi) {
    run_mpi_bench(a);
    return;
  }
  // --quick stops at 24 qubits unless told otherwise.
  const unsigned max_qubits = a.quick && !a.max_given ? std::max(24U, a.min_qubits) : a.max_qubits;
  if (a.min_qubits > max_qubits) {
    throw CLI::ValidationError("--min-qubits", std::to_string(a.min_qubits) + " is above --max-qubits " +
                                                   std::to_string(max_qubits));
  }
  if (!a.out.empty()) {
    // Fail before a run of minutes, not after it.
    const std::filesystem::path parent = std::filesystem::path(a.out).parent_path();
    ensure_directory(parent.empty() ? std::filesystem::path(".") : parent);
  }
  BenchConfig cfg = a.quick ? quick_bench_config() : BenchConfig{};
  cfg.min_qubits = a.min_qubits;
  cfg.max_qubits = max_qubits;
  cfg.threads = a.threads;
  cfg.precisions = a.precisions;
  cfg.timing.repetitions = a.repetitions;
  TrainingBenchConfig tcfg = a.quick ? quick_training_bench_config() : TrainingBenchConfig{};
  tcfg.threads = a.threads;
  tcfg.timing.repetitions = a.repetitions;
  // An explicit range narrows the training suite's fixed sizes too (it used to ignore it).
  auto in_range = [&](std::vector<unsigned>& sizes) {
    std::erase_if(sizes, [&](unsigned n) {
      return (a.min_given && n < a.min_qubits) || (a.max_given && n > a.max_qubits);
    });
  };
  in_range(tcfg.gradient_qubits);
  in_range(tcfg.step_qubits);
  const bool gates = a.suite != "training", training = a.suite != "gates";
  const bool text = a.format == "text";
  const bool stream = text && a.out.empty();  // a table on stdout grows row by row (a full run takes minutes)
  auto put = [](const std::string& s) {
    std::fputs(s.c_str(), stdout);
    std::fflush(stdout);
  };
  // The first second of work can run at half speed (a frequency ramp): spin it away before the first row.
  warm_up_cpu(1.0, a.threads.empty() ? 1 : *std::max_element(a.threads.begin(), a.threads.end()));
  std::vector<BenchRow> rows;
  if (gates) {
    if (stream) put(legend() + header_line());
    rows = run_benchmarks(
        cfg, [&](const BenchRow& r) { if (stream) put(text_line(r)); },
        [](const std::string& note) { std::fprintf(stderr, "qnn bench: %s\n", note.c_str()); });
    if (stream) put(summary(rows));
  }
  if (training) {
    if (stream) put(training_legend() + training_header());
    const std::vector<BenchRow> trows =
        run_training_benchmarks(tcfg, [&](const BenchRow& r) { if (stream) put(training_line(r)); });
    rows.insert(rows.end(), trows.begin(), trows.end());
  }
  if (stream) return;
  std::string output;
  if (text) {
    std::vector<BenchRow> gate_rows, training_rows;
    for (const BenchRow& r : rows) (is_training_row(r) ? training_rows : gate_rows).push_back(r);
    if (!gate_rows.empty()) {
      output = legend() + header_line();
      for (const BenchRow& r : gate_rows) output += text_line(r);
      output += summary(gate_rows);
    }
    if (!training_rows.empty()) {
      output += training_legend() + training_header();
      for (const BenchRow& r : training_rows) output += training_line(r);
    }
  } else {
    nlohmann::json j = nlohmann::json::array();
    for (const BenchRow& r : rows) j.push_back(row_json(r));
    output = j.dump(2) + "\n";
  }
  if (a.out.empty()) {
    std::fputs(output.c_str(), stdout);
  } else {
    write_file_atomic(a.out, output);
  }
}

}  // namespace

void add_bench_command(CLI::App& app) {
  auto args = std::make_shared<BenchArgs>();
  CLI::App* cmd = app.add_subcommand(
      "bench", "time gates, a random layer and the ansatz against the measured memory bandwidth, and gradients and batched training steps against a forward pass");
  CLI::Option* min_opt =
      cmd->add_option("--min-qubits", args->min_qubits,
                      "smallest state (default 12; the training suite's sizes 4-20 are kept within the range given)")
          ->check(CLI::Range(3, 40));
  CLI::Option* max_opt =
      cmd->add_option("--max-qubits", args->max_qubits, "largest state (default 26, quick 24; 28 measured if asked)")
          ->check(CLI::Range(3, 40));
  cmd->add_option("--threads", args->threads, "thread counts, comma-separated (default 1,2)")
      ->delimiter(',')
      ->check(CLI::Range(1, 1024));
  cmd->add_option("--precision", args->precisions, "single and/or double, comma-separated (default double,single; the training suite runs in double)")
      ->delimiter(',')
      ->check(CLI::IsMember({"single", "double"}));
  cmd->add_option("--format", args->format, "text (a table) or json (an array of rows)")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->add_option("--repetitions", args->repetitions, "minimum samples per median (default 5)")
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--quick", args->quick, "n = 12, 20, 24 and 7 gate kinds: under a minute");
  cmd->add_option("--out", args->out, "write the result to this file (atomically) instead of stdout");
  cmd->add_option("--suite", args->suite,
                  "gates (kernels, layers, ansatz vs bandwidth), training (gradients, batched training step) or all")
      ->check(CLI::IsMember({"all", "gates", "training"}))
      ->capture_default_str();
  cmd->add_flag("--mpi", args->mpi,
                "under mpirun: time a gate on a local and on a global qubit of a distributed state (n = 20..24, "
                "--quick: 20) and the bytes each rank exchanges");
  cmd->callback([args, max_opt, min_opt] {
    args->max_given = max_opt->count() > 0;
    args->min_given = min_opt->count() > 0;
    run_bench(*args);
  });
}

}  // namespace qnn::cli
