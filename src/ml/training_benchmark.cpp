#include "qnn/ml/training_benchmark.hpp"

#include <string>

#include "qnn/core/parallel.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/diff/parameter_shift.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/ml/classifier.hpp"
#include "qnn/sim/kernels.hpp"

namespace qnn {

namespace {

// Results of timed calls land here, so no call can be optimised away.
volatile double g_sink = 0;

BenchRow base_row(const char* name, unsigned n) {
  BenchRow r;
  r.name = name;
  r.qubits = n;
  r.threads = num_threads();
  r.precision = "double";
  r.isa = std::string(isa_name(active_isa()));
  r.bandwidth_fraction = std::numeric_limits<double>::quiet_NaN();
  return r;
}

void gradient_rows(const TrainingBenchConfig& cfg, unsigned n, const std::function<void(const BenchRow&)>& emit) {
  const Circuit c = benchmark_ansatz(n, n);
  const PauliSum obs = Z(0);
  Rng rng(cfg.seed + n);
  std::vector<double> theta(c.num_theta());
  for (double& t : theta) t = rng.uniform(-3.14, 3.14);
  // The baseline the issue names: one unfused forward pass (one sweep per gate) and the expectation.
  StateVector<double> psi(n);
  double sink = 0;
  auto forward_pass = [&] {
    psi.set_zero();
    psi[0] = 1;
    run(c, psi, theta, {}, RunOptions{.fusion_qubits = 0});
    sink += expectation(psi, obs);
  };
  unsigned samples = 0;
  BenchRow adj = base_row("gradient_adjoint", n);
  const auto [forward, adjoint] = alternating_median_seconds(
      forward_pass, [&] { sink += adjoint_gradient(c, obs, theta, {}, DiffWrt{.inputs = false}).value; }, cfg.timing,
      &samples);
  adj.seconds = adjoint;
  adj.repetitions = samples;
  adj.ratio = adj.seconds / forward;
  adj.parameters = c.num_theta();
  adj.gates = static_cast<unsigned>(c.size());
  adj.layers = n;
  adj.gate = "ry,rz,cx L=" + std::to_string(n);
  g_sink = sink;
  emit(adj);
  if (n > cfg.parameter_shift_max_qubits) return;
  BenchRow ps = adj;
  ps.name = "gradient_parameter_shift";
  ps.seconds = median_seconds(
      [&] { sink += parameter_shift_gradient(c, obs, theta, {}, DiffWrt{.inputs = false}).value; }, cfg.timing,
      &samples);
  ps.repetitions = samples;
  ps.ratio = ps.seconds / forward;
  emit(ps);
  g_sink = sink;
}

void step_row(const TrainingBenchConfig& cfg, unsigned n, const std::function<void(const BenchRow&)>& emit) {
  ClassifierConfig mc;
  mc.qubits = n;
  mc.layers = 3;
  mc.num_features = n;
  mc.num_classes = 2;
  const QuantumClassifier model(mc, cfg.seed);
  Dataset data;
  data.class_names = {"0", "1"};
  Rng rng(cfg.seed + 100 + n);
  for (unsigned s = 0; s < cfg.batch; ++s) {
    std::vector<double> x(n);
    for (double& v : x) v = rng.uniform(-2, 2);
    data.features.push_back(std::move(x));
    data.labels.push_back(static_cast<int>(s % 2));
  }
  std::vector<std::size_t> all(cfg.batch);
  for (std::size_t s = 0; s < all.size(); ++s) all[s] = s;
  std::vector<double> grad(model.weights().size());
  double sink = 0;
  // The two alternate, sample by sample: on a shared machine separate runs of each put this ratio anywhere from 9 to
  // 13 at 4 qubits.
  unsigned samples = 0;
  const auto [one_by_one, batched] = alternating_median_seconds(
      [&] {
        for (std::size_t s = 0; s < all.size(); ++s) sink += model.loss_and_gradient(data.features[s], data.labels[s], grad);
      },
      [&] { sink += model.batch_loss_and_gradient(data, all, grad); }, cfg.timing, &samples);
  BenchRow r = base_row("training_step_batched", n);
  r.seconds = batched;
  r.repetitions = samples;
  r.ratio = one_by_one / r.seconds;
  r.batch = cfg.batch;
  r.parameters = static_cast<unsigned>(model.weights().size());
  r.gates = static_cast<unsigned>(model.circuit().size());
  r.layers = mc.layers;
  r.gate = "angle Y + strongly entangling L=3";
  g_sink = sink;
  emit(r);
}

}  // namespace

TrainingBenchConfig quick_training_bench_config() {
  TrainingBenchConfig cfg;
  cfg.gradient_qubits = {8, 12};
  cfg.timing.min_seconds = 0.02;
  cfg.timing.max_seconds = 0.2;
  return cfg;
}

std::vector<BenchRow> run_training_benchmarks(const TrainingBenchConfig& config,
                                              const std::function<void(const BenchRow&)>& on_row) {
  const int saved = num_threads();
  std::vector<BenchRow> rows;
  auto emit = [&](const BenchRow& r) {
    rows.push_back(r);
    if (on_row) on_row(r);
  };
  try {
    for (int t : config.threads) {
      set_num_threads(t);
      for (unsigned n : config.gradient_qubits) gradient_rows(config, n, emit);
      for (unsigned n : config.step_qubits) step_row(config, n, emit);
    }
  } catch (...) {
    set_num_threads(saved);
    throw;
  }
  set_num_threads(saved);
  return rows;
}

}  // namespace qnn
