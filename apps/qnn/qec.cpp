// qnn qec: logical error rates of a code's memory experiment against the physical error rate, for several distances;
// a table with 95 % intervals on stdout, the threshold estimated where the two largest distances' curves cross, and
// optionally DIR/qec.csv and DIR/qec.svg.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "progress.hpp"
#include "qnn/core/error.hpp"
#include "qnn/io/atomic_file.hpp"
#include "qnn/io/svg_plot.hpp"
#include "qnn/qec/error_analysis.hpp"
#include "qnn/qec/memory_circuit.hpp"
#include "qnn/qec/memory_experiment.hpp"

namespace qnn::cli {

namespace {

struct QecArgs {
  std::string code = "surface";
  std::vector<unsigned> distances = {3, 5};
  std::string noise = "circuit";
  std::string p = "0.001:0.02:10";
  std::uint64_t shots = 10000;
  std::string decoder = "mwpm";
  int rounds = 0;  // 0: d (1 for code capacity)
  std::string basis = "z";
  std::uint64_t seed = 1;
  std::string out;
  bool quiet = false;
};

std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

// "lo:hi:n": n points spaced evenly in log p from lo to hi; otherwise a comma-separated list.
std::vector<double> parse_rates(const std::string& spec) {
  auto number = [&](const std::string& s) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(s, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != s.size() || s.empty()) throw ValueError("--p " + spec + ": '" + s + "' is not a number");
    if (!(v >= 0.0 && v <= 1.0)) throw ValueError("--p " + s + " is outside [0, 1]");
    return v;
  };
  std::vector<double> ps;
  if (spec.find(':') != std::string::npos) {
    const std::size_t a = spec.find(':'), b = spec.find(':', a + 1);
    if (b == std::string::npos) throw ValueError("--p " + spec + ": expected lo:hi:n or a comma-separated list");
    const double lo = number(spec.substr(0, a)), hi = number(spec.substr(a + 1, b - a - 1));
    const std::string ns = spec.substr(b + 1);
    int n = 0;
    try {
      std::size_t used = 0;
      n = std::stoi(ns, &used);
      if (used != ns.size()) n = 0;
    } catch (const std::exception&) {
      n = 0;
    }
    if (n < 1 || n > 1000) throw ValueError("--p " + spec + ": the number of points '" + ns + "' must be in [1, 1000]");
    if (lo <= 0 || hi < lo) throw ValueError("--p " + spec + ": a log-spaced range needs 0 < lo <= hi");
    for (int i = 0; i < n; ++i)
      ps.push_back(n == 1 ? lo : std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * i / (n - 1)));
  } else {
    std::size_t start = 0;
    while (start <= spec.size()) {
      const std::size_t comma = std::min(spec.find(',', start), spec.size());
      ps.push_back(number(spec.substr(start, comma - start)));
      start = comma + 1;
    }
  }
  return ps;
}

struct Row {
  unsigned d = 0, rounds = 0;
  double p = 0;
  std::uint32_t detectors = 0;
  std::size_t mechanisms = 0;
  qec::LogicalErrorRate r;
};

void run_qec(const QecArgs& a) {
  const std::vector<double> ps = parse_rates(a.p);
  const qec::NoiseModel noise = qec::parse_noise_model(a.noise);
  const qec::Basis basis = a.basis == "x" ? qec::Basis::X : qec::Basis::Z;
  if (a.distances.empty()) throw ValueError("--distance needs at least one distance");
  std::vector<qec::CssCode> codes;
  for (unsigned d : a.distances) codes.push_back(qec::make_code(a.code, d, basis));  // validates names and distances
  {
    // Validate the decoder name on the smallest model before any sampling.
    const auto c = qec::memory_circuit(codes.front(), {.rounds = 1, .basis = basis, .noise = noise, .p = ps.front()});
    qec::make_decoder(a.decoder, qec::detector_error_model(c));
  }
  if (!a.out.empty()) ensure_directory(a.out);

  std::printf("%s code, %s noise, %s-basis memory, decoder %s, %llu shots per point (seed %llu)\n", a.code.c_str(),
              a.noise.c_str(), basis == qec::Basis::Z ? "Z" : "X", a.decoder.c_str(),
              static_cast<unsigned long long>(a.shots), static_cast<unsigned long long>(a.seed));
  std::printf("%4s %6s %10s %9s %9s %12s %24s %10s\n", "d", "rounds", "p", "shots", "failures", "P_L", "95% interval",
              "us/decode");
  std::fflush(stdout);

  ProgressBar bar;
  const bool show = bar.enabled() && !a.quiet;
  const double total = static_cast<double>(a.shots) * static_cast<double>(ps.size() * codes.size());
  double finished = 0;
  std::vector<Row> rows;
  for (std::size_t ci = 0; ci < codes.size(); ++ci) {
    const unsigned d = a.distances[ci];
    const unsigned rounds =
        a.rounds > 0 ? static_cast<unsigned>(a.rounds) : (noise == qec::NoiseModel::CodeCapacity ? 1U : d);
    for (double p : ps) {
      const auto circuit = qec::memory_circuit(codes[ci], {.rounds = rounds, .basis = basis, .noise = noise, .p = p});
      const auto dem = qec::detector_error_model(circuit);
      const std::string label = "d=" + std::to_string(d) + " p=" + fmt("%.4g", p);
      qec::ExperimentOptions o{.shots = a.shots, .seed = a.seed};
      if (show) o.progress = [&](std::uint64_t done) { bar.draw(label, (finished + static_cast<double>(done)) / total); };
      Row row{d, rounds, p, dem.num_detectors, dem.errors.size(), qec::run_memory_experiment(circuit, dem, a.decoder, o)};
      finished += static_cast<double>(a.shots);
      bar.clear();
      const double us = row.r.shots ? 1e6 * row.r.decode_seconds / static_cast<double>(row.r.shots) : 0.0;
      std::printf("%4u %6u %10.3e %9llu %9llu %12.4e   [%9.3e, %9.3e] %10.2f\n", d, rounds, p,
                  static_cast<unsigned long long>(row.r.shots), static_cast<unsigned long long>(row.r.failures),
                  row.r.rate, row.r.low, row.r.high, us);
      std::fflush(stdout);
      rows.push_back(row);
    }
  }

  // Threshold: where the curves of the two largest distances cross.
  double threshold = std::nan("");
  std::string threshold_text = "threshold: needs two distances";
  if (codes.size() >= 2) {
    std::vector<std::size_t> order(a.distances.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) { return a.distances[x] < a.distances[y]; });
    const std::size_t small = order[order.size() - 2], large = order.back();
    std::vector<double> rs, rl;
    for (std::size_t i = 0; i < ps.size(); ++i) {
      rs.push_back(rows[small * ps.size() + i].r.rate);
      rl.push_back(rows[large * ps.size() + i].r.rate);
    }
    threshold = qec::curve_crossing(ps, rs, rl);
    const std::string pair = "d=" + std::to_string(a.distances[small]) + " and d=" + std::to_string(a.distances[large]);
    threshold_text = std::isnan(threshold) ? "threshold: the curves of " + pair + " do not cross in the range of p"
                                           : "threshold (crossing of " + pair + "): p = " + fmt("%.4g", threshold);
  }
  std::printf("%s\n", threshold_text.c_str());

  if (a.out.empty()) return;
  std::string csv =
      "code,distance,rounds,basis,noise,p,decoder,shots,failures,logical_error_rate,ci_low,ci_high,detectors,"
      "mechanisms,sample_seconds,decode_seconds\n";
  for (const Row& r : rows) {
    csv += a.code + "," + std::to_string(r.d) + "," + std::to_string(r.rounds) + "," + a.basis + "," + a.noise + "," +
           fmt("%.6g", r.p) + "," + a.decoder + "," + std::to_string(r.r.shots) + "," + std::to_string(r.r.failures) +
           "," + fmt("%.6g", r.r.rate) + "," + fmt("%.6g", r.r.low) + "," + fmt("%.6g", r.r.high) + "," +
           std::to_string(r.detectors) + "," + std::to_string(r.mechanisms) + "," + fmt("%.4f", r.r.sample_seconds) +
           "," + fmt("%.4f", r.r.decode_seconds) + "\n";
  }
  write_file_atomic(std::filesystem::path(a.out) / "qec.csv", csv);

  Chart chart{.title = a.code + " code, " + a.noise + " noise, " + a.decoder +
                       (std::isnan(threshold) ? std::string() : ", threshold p = " + fmt("%.3g", threshold)),
              .x = {.label = "physical error rate p", .log = true},
              .y = {.label = "logical error rate", .log = true}};
  for (std::size_t ci = 0; ci < codes.size(); ++ci) {
    std::vector<double> ys;
    for (std::size_t i = 0; i < ps.size(); ++i) ys.push_back(rows[ci * ps.size() + i].r.rate);
    chart.add("d = " + std::to_string(a.distances[ci]), ps, ys);
  }
  chart.add("P_L = p", ps, ps, /*dashed=*/true);
  if (!std::isnan(threshold)) chart.add("threshold", {threshold, threshold}, {ps.front() * 1e-3, 1.0}, true);
  write_svg(std::filesystem::path(a.out) / "qec.svg", chart);
  std::printf("wrote %s and %s\n", (std::filesystem::path(a.out) / "qec.csv").c_str(),
              (std::filesystem::path(a.out) / "qec.svg").c_str());
}

}  // namespace

void add_qec_command(CLI::App& app) {
  auto args = std::make_shared<QecArgs>();
  CLI::App* cmd = app.add_subcommand(
      "qec", "logical error rates and threshold of a code's memory experiment (sample, decode, count)");
  cmd->add_option("--code", args->code, "repetition, steane, shor or surface (rotated)")->capture_default_str();
  cmd->add_option("--distance", args->distances, "code distances, odd (e.g. 3,5,7)")->delimiter(',')->capture_default_str();
  cmd->add_option("--noise", args->noise, "code-capacity, phenomenological or circuit")->capture_default_str();
  cmd->add_option("--p", args->p, "physical error rates: lo:hi:n (n log-spaced points) or a list 0.01,0.02")
      ->capture_default_str();
  cmd->add_option("--shots", args->shots, "shots per (distance, p)")->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40))->capture_default_str();
  cmd->add_option("--decoder", args->decoder, "mwpm, uf or lookup")->capture_default_str();
  cmd->add_option("--rounds", args->rounds, "syndrome-extraction rounds (default: d; 1 for code capacity)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--basis", args->basis, "memory basis: z or x")->check(CLI::IsMember({"z", "x"}))->capture_default_str();
  cmd->add_option("--seed", args->seed, "random seed")->capture_default_str();
  cmd->add_option("--out", args->out, "directory for qec.csv and qec.svg");
  cmd->add_flag("--quiet", args->quiet, "no progress bar");
  cmd->callback([args] { run_qec(*args); });
}

}  // namespace qnn::cli
