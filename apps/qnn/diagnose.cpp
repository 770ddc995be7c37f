// qnn diagnose: will an ansatz train? Gradient variance over random initialisations versus qubit count (barren
// plateaus, global against local cost), and optionally expressibility and entangling capability, as tables and an SVG
// plot (see qnn/ml/diagnostics.hpp for the definitions).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "qnn/core/error.hpp"
#include "qnn/io/atomic_file.hpp"
#include "qnn/io/svg_plot.hpp"
#include "qnn/ml/ansatz.hpp"
#include "qnn/ml/diagnostics.hpp"

namespace qnn::cli {

namespace {

struct DiagnoseArgs {
  std::vector<std::string> ansatze = {"hea-ring"};
  std::string rotation = "ry-rz";
  unsigned min_qubits = 2;
  unsigned max_qubits = 10;
  std::vector<unsigned> layers = {2};
  unsigned samples = 200;
  std::uint64_t seed = 7;
  std::string parameter = "all";
  std::string svg;
  bool expressibility = false;
  bool entanglement = false;
  unsigned expr_qubits = 4;
  unsigned pairs = 2000;
  unsigned bins = 75;
};

void run_diagnose(const DiagnoseArgs& a) {
  if (a.min_qubits > a.max_qubits)
    throw ValueError("--min-qubits " + std::to_string(a.min_qubits) + " is larger than --max-qubits " +
                     std::to_string(a.max_qubits));
  // Fail before minutes of sampling, not after.
  if (!a.svg.empty() && std::filesystem::path(a.svg).has_parent_path())
    ensure_directory(std::filesystem::path(a.svg).parent_path());
  const AnsatzOptions ansatz_options{.rotation = parse_rotation_block(a.rotation)};
  GradientVarianceOptions o;
  o.qubits.clear();
  for (unsigned n = a.min_qubits; n <= a.max_qubits; ++n) o.qubits.push_back(n);
  o.layers = a.layers;
  o.samples = a.samples;
  o.seed = a.seed;
  if (a.parameter == "first") o.parameters = {0};

  std::printf("barren plateaus: Var[dC/dtheta] over %u random initialisations (theta uniform in [0, 2pi), seed %llu),\n"
              "  %s; rotation block %s\n"
              "  global cost C = <Z0 Z1 ... Z(n-1)>, local cost C = (1/n) sum_k <Z_k>\n\n",
              a.samples, static_cast<unsigned long long>(a.seed),
              a.parameter == "first" ? "of the first weight" : "averaged over every weight", a.rotation.c_str());
  std::printf("%-10s %6s %6s %7s %13s %13s\n", "ansatz", "layers", "qubits", "weights", "var_global", "var_local");

  std::vector<GradientVarianceResult> results;
  for (const std::string& name : a.ansatze) {
    results.push_back(gradient_variance(make_ansatz(name, ansatz_options), o));
    for (const GradientVarianceRow& r : results.back().rows)
      std::printf("%-10s %6u %6u %7u %13.4e %13.4e\n", name.c_str(), r.layers, r.qubits, r.num_weights, r.var_global,
                  r.var_local);
  }

  std::printf("\nfit log Var = a + b*n (least squares over n = %u..%u); Var shrinks by exp(b) per qubit\n",
              a.min_qubits, a.max_qubits);
  std::printf("%-10s %6s %18s %9s %18s %9s\n", "ansatz", "layers", "slope_global", "factor", "slope_local", "factor");
  for (const GradientVarianceResult& res : results) {
    for (const GradientVarianceFit& f : res.fits)
      std::printf("%-10s %6u %9.3f +- %5.3f %9.3f %9.3f +- %5.3f %9.3f\n", res.ansatz.c_str(), f.layers,
                  f.global.slope, f.global.slope_stderr, std::exp(f.global.slope), f.local.slope,
                  f.local.slope_stderr, std::exp(f.local.slope));
    if (res.fits.size() < a.layers.size())
      std::printf("%-10s (no fit where fewer than two qubit counts give a positive variance)\n", res.ansatz.c_str());
  }

  if (a.expressibility || a.entanglement) {
    std::printf("\n%u qubits:", a.expr_qubits);
    if (a.expressibility)
      std::printf(" expressibility = KL divergence of fidelities from Haar (%u pairs, %u bins; 0 is Haar-like),",
                  a.pairs, a.bins);
    if (a.entanglement)
      std::printf(" entangling capability = mean Meyer-Wallach Q over %u samples,", a.samples);
    std::printf(" seed %llu\n", static_cast<unsigned long long>(a.seed));
    std::printf("%-10s %6s %7s", "ansatz", "layers", "weights");
    if (a.expressibility) std::printf(" %10s %10s", "kl_haar", "mean_F");
    if (a.entanglement) std::printf(" %10s %10s", "mw_q", "stderr");
    std::printf("\n");
    for (const std::string& name : a.ansatze) {
      const Ansatz ansatz = make_ansatz(name, ansatz_options);
      for (unsigned l : a.layers) {
        const Circuit c = ansatz.circuit(a.expr_qubits, l);
        std::printf("%-10s %6u %7u", name.c_str(), l, c.num_theta());
        if (a.expressibility) {
          const ExpressibilityResult e = expressibility(c, {.pairs = a.pairs, .bins = a.bins, .seed = a.seed});
          std::printf(" %10.4f %10.4f", e.kl, e.mean_fidelity);
        }
        if (a.entanglement) {
          const EntanglingCapabilityResult q = entangling_capability(c, {.samples = a.samples, .seed = a.seed});
          std::printf(" %10.4f %10.4f", q.mean, q.standard_error);
        }
        std::printf("\n");
      }
    }
    if (a.expressibility)
      std::printf("(Haar-random states: mean_F = 1/2^n = %.4f; an idle circuit, F = 1 always: kl_haar = (2^n - 1) "
                  "ln(bins) = %.1f)\n",
                  std::ldexp(1.0, -static_cast<int>(a.expr_qubits)),
                  (std::ldexp(1.0, static_cast<int>(a.expr_qubits)) - 1) * std::log(static_cast<double>(a.bins)));
  }

  if (!a.svg.empty()) {
    Chart chart{.title = "Gradient variance over random initialisations",
                .x = {.label = "qubits"},
                .y = {.label = "Var[∂C/∂θ]", .log = true}};
    for (const GradientVarianceResult& res : results) {
      for (unsigned l : a.layers) {
        std::vector<double> x, g, loc;
        for (const GradientVarianceRow& r : res.rows) {
          if (r.layers != l) continue;
          x.push_back(r.qubits);
          g.push_back(r.var_global);
          loc.push_back(r.var_local);
        }
        const std::string tag = res.ansatz + ", " + std::to_string(l) + (l == 1 ? " layer" : " layers");
        chart.add("global cost, " + tag, x, g);
        chart.add("local cost, " + tag, x, loc, true);
      }
    }
    write_svg(a.svg, chart);
    std::printf("\nwrote %s\n", a.svg.c_str());
  }
}

}  // namespace

void add_diagnose_command(CLI::App& app) {
  auto args = std::make_shared<DiagnoseArgs>();
  CLI::App* cmd = app.add_subcommand(
      "diagnose", "barren plateaus (gradient variance vs qubits, global vs local cost), expressibility, entanglement");
  cmd->add_option("--ansatz", args->ansatze, "ansätze to study, comma-separated (default hea-ring)")
      ->delimiter(',')
      ->check(CLI::IsMember(ansatz_names()));
  cmd->add_option("--rotation", args->rotation,
                  "rotation block of hea-* and ttn: ry, ry-rz (default; two axes, like McClean et al.'s random "
                  "Pauli rotations) or u3")
      ->check(CLI::IsMember({"ry", "ry-rz", "u3"}));
  cmd->add_option("--min-qubits", args->min_qubits, "smallest qubit count (default 2)")->check(CLI::Range(1, 24));
  cmd->add_option("--max-qubits", args->max_qubits, "largest qubit count (default 10)")->check(CLI::Range(1, 24));
  cmd->add_option("--layers", args->layers, "depths, comma-separated (default 2)")
      ->delimiter(',')
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--samples", args->samples, "random initialisations per point (default 200)")
      ->check(CLI::Range(2, 10000000));
  cmd->add_option("--seed", args->seed, "random seed (default 7)");
  cmd->add_option("--parameter", args->parameter,
                  "which gradients: all (variance averaged over every weight, default) or first (θ_0 only)")
      ->check(CLI::IsMember({"all", "first"}));
  cmd->add_option("--svg", args->svg, "write a log-scale plot of the variances to this SVG file (atomically)");
  cmd->add_flag("--expressibility", args->expressibility, "also print the KL divergence of fidelities from Haar");
  cmd->add_flag("--entanglement", args->entanglement, "also print the mean Meyer-Wallach entanglement");
  cmd->add_option("--expr-qubits", args->expr_qubits,
                  "qubits for --expressibility and --entanglement (default 4)")
      ->check(CLI::Range(1, 20));
  cmd->add_option("--pairs", args->pairs, "state pairs for --expressibility (default 2000)")
      ->check(CLI::Range(1, 100000000));
  cmd->add_option("--bins", args->bins, "histogram bins for --expressibility (default 75)")->check(CLI::Range(1, 100000));
  cmd->callback([args] { run_diagnose(*args); });
}

}  // namespace qnn::cli
