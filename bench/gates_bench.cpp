// Google Benchmark cases for the gate kernels, each compared with the in-place memory bandwidth measured in the same
// process (qnn/exec/benchmark.hpp has the definitions; `qnn bench` is the user-facing version of the same numbers).
//
//   BM_Bandwidth/<n>/<prec>/t<threads>                the sweep a[i] = s·a[i] over an n-qubit state's bytes
//   BM_Gate/<kind>/<n>/<target>/<prec>/t<threads>     one gate with its last qubit at target 0, n/2 or n−1
//   BM_Ansatz/<n>/<prec>/t<threads>                   run() of the benchmark ansatz, L = n layers (capped, see below)
//
// Times are per iteration, measured by hand around each call (UseManualTime: wall time, as OpenMP threads need).
//
// Counters: bandwidth_fraction = bytes a gate must move (2 · 2^n · bytes per amplitude, per gate) ÷ time ÷ the
// baseline bandwidth; bytes_per_second on BM_Bandwidth. The baseline is measured once per (n, precision, threads) in
// this process, on the same memory the gates then use.
//
// The default set runs in about a minute. Environment variables widen it:
//   QNN_BENCH_QUBITS=12,20,24   QNN_BENCH_THREADS=1     QNN_BENCH_PRECISION=double
//   QNN_BENCH_ALL_GATES_UP_TO=20 (every gate kind up to this n; above it h rx rz cx swap rzz u)
//   QNN_BENCH_ANSATZ_LAYERS=L    (layers of every BM_Ansatz; default n up to 16 qubits, 4 up to 20, then 1: a pass of
//                                 n layers on a large state takes minutes)
//   QNN_BENCH_MIN_TIME=0.1       (seconds per benchmark)
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <numbers>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "qnn/core/parallel.hpp"
#include "qnn/exec/benchmark.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/sim/state_vector.hpp"

namespace {

using namespace qnn;

// Seconds each benchmark runs for: Google Benchmark's default 0.5 s would make the default set take minutes. A
// per-benchmark MinTime wins over --benchmark_min_time, so QNN_BENCH_MIN_TIME sets it instead.
const double kMinTime = [] {
  const char* v = std::getenv("QNN_BENCH_MIN_TIME");
  return v && *v ? std::stod(v) : 0.1;
}();

std::vector<unsigned> env_list(const char* name, std::vector<unsigned> fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  std::vector<unsigned> out;
  std::stringstream ss(v);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(static_cast<unsigned>(std::stoul(item)));
  return out;
}

unsigned env_uint(const char* name, unsigned fallback) {
  const char* v = std::getenv(name);
  return v && *v ? static_cast<unsigned>(std::stoul(v)) : fallback;
}

template <Real T>
const char* prec_name() {
  return sizeof(T) == 8 ? "f64" : "f32";
}

// One state per precision, kept between benchmarks of the same size (benchmarks are registered grouped by size).
template <Real T>
StateVector<T>& state(unsigned n) {
  static std::unique_ptr<StateVector<T>> psi;
  if (!psi || psi->num_qubits() != n) {
    psi.reset();
    psi = std::make_unique<StateVector<T>>(n);
    const T a = static_cast<T>(1.0 / std::sqrt(static_cast<double>(psi->size())));
    complex<T>* p = psi->data();
    parallel_for(psi->size(), [=](index_t i) { p[i] = complex<T>(a, 0); });
  }
  return *psi;
}

// The baseline bandwidth of (n, precision, current threads), measured on first use on the state's memory.
template <Real T>
double baseline(unsigned n) {
  static std::map<std::pair<unsigned, int>, double> cache;
  const auto key = std::make_pair(n, num_threads());
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  StateVector<T>& psi = state<T>(n);
  const double bw = measure_bandwidth<T>(reinterpret_cast<T*>(psi.data()), 2 * psi.size());
  cache[key] = bw;
  return bw;
}

// Times every iteration by hand (UseManualTime), so the totals are known here and the fraction is a plain number.
class Timer {
 public:
  template <class Fn>
  void run(benchmark::State& st, Fn&& fn) {
    for (auto _ : st) {
      const auto t0 = std::chrono::steady_clock::now();
      fn();
      benchmark::ClobberMemory();
      const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      st.SetIterationTime(t);
      total_ += t;
    }
  }
  /// bytes_per_op · iterations / seconds / bandwidth.
  void set_fraction(benchmark::State& st, double bytes_per_op, double bandwidth) const {
    if (total_ > 0) st.counters["bandwidth_fraction"] = bytes_per_op * double(st.iterations()) / total_ / bandwidth;
  }
  [[nodiscard]] double total() const { return total_; }

 private:
  double total_ = 0;
};

template <Real T>
void bm_bandwidth(benchmark::State& st, unsigned n, int threads) {
  set_num_threads(threads);
  StateVector<T>& psi = state<T>(n);
  const double bw = baseline<T>(n);
  const std::uint64_t count = 2 * psi.size();
  volatile T one = 1;
  const T s = one;
  Timer timer;
  timer.run(st, [&] { scale_in_place(reinterpret_cast<T*>(psi.data()), count, s); });
  const double bytes = double(gate_bytes<T>(n));
  if (timer.total() > 0) st.counters["bytes_per_second"] = bytes * double(st.iterations()) / timer.total();
  // This run against the baseline (near 1 unless the machine's load changed between them).
  timer.set_fraction(st, bytes, bw);
}

template <Real T>
void bm_gate(benchmark::State& st, GateKind kind, unsigned n, unsigned q, int threads) {
  set_num_threads(threads);
  StateVector<T>& psi = state<T>(n);
  const double bw = baseline<T>(n);
  Operation op;
  op.kind = kind;
  op.qubits = bench_gate_qubits(kind, q, n);
  std::vector<double> angles;
  Rng rng(20240607);
  for (unsigned j = 0; j < gate_info(kind).num_params; ++j) {
    angles.push_back(rng.uniform(0, 2 * std::numbers::pi));
    op.params.emplace_back(angles.back());
  }
  Timer timer;
  timer.run(st, [&] { apply_operation(psi, op, angles); });
  timer.set_fraction(st, double(gate_bytes<T>(n)), bw);
}

template <Real T>
void bm_ansatz(benchmark::State& st, unsigned n, unsigned layers, int threads) {
  set_num_threads(threads);
  StateVector<T>& psi = state<T>(n);
  const double bw = baseline<T>(n);
  const Circuit c = benchmark_ansatz(n, layers);
  std::vector<double> theta(c.num_theta());
  Rng rng(7);
  for (double& a : theta) a = rng.uniform(0, 2 * std::numbers::pi);
  Timer timer;
  timer.run(st, [&] { run(c, psi, theta); });
  st.counters["gates"] = double(c.size());
  st.counters["layers"] = layers;
  timer.set_fraction(st, double(c.size()) * double(gate_bytes<T>(n)), bw);
}

template <Real T>
void register_size(unsigned n, int threads, const std::vector<GateKind>& kinds, unsigned ansatz_layers) {
  const std::string suffix = "/" + std::string(prec_name<T>()) + "/t" + std::to_string(threads);
  benchmark::RegisterBenchmark(("BM_Bandwidth/" + std::to_string(n) + suffix).c_str(),
                               [=](benchmark::State& st) { bm_bandwidth<T>(st, n, threads); })
      ->UseManualTime()
      ->MinTime(kMinTime)
      ->Unit(benchmark::kMicrosecond);
  for (GateKind kind : kinds) {
    if (gate_info(kind).num_qubits > n) continue;
    std::vector<unsigned> done;
    for (unsigned q : {0U, n / 2, n - 1}) {
      if (std::find(done.begin(), done.end(), q) != done.end()) continue;
      done.push_back(q);
      const std::string name = "BM_Gate/" + std::string(gate_info(kind).name) + "/" + std::to_string(n) + "/" +
                               std::to_string(q) + suffix;
      benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& st) { bm_gate<T>(st, kind, n, q, threads); })
          ->UseManualTime()
          ->MinTime(kMinTime)
          ->Unit(benchmark::kMicrosecond);
    }
  }
  benchmark::RegisterBenchmark(("BM_Ansatz/" + std::to_string(n) + suffix).c_str(),
                               [=](benchmark::State& st) { bm_ansatz<T>(st, n, ansatz_layers, threads); })
      ->UseManualTime()
      ->MinTime(kMinTime)
      ->Unit(benchmark::kMillisecond);
}

void register_all() {
  const std::vector<unsigned> sizes = env_list("QNN_BENCH_QUBITS", {12, 20, 24});
  const std::vector<unsigned> threads = env_list("QNN_BENCH_THREADS", {1});
  const char* prec = std::getenv("QNN_BENCH_PRECISION");
  const std::string precision = prec && *prec ? prec : "double";
  const unsigned all_gates_up_to = env_uint("QNN_BENCH_ALL_GATES_UP_TO", 20);
  const unsigned layer_cap = env_uint("QNN_BENCH_ANSATZ_LAYERS", 0);
  for (unsigned n : sizes) {
    const std::vector<GateKind> kinds = default_bench_gates(n > all_gates_up_to);
    const unsigned layers = layer_cap ? std::min(n, layer_cap) : n <= 16 ? n : n <= 20 ? 4 : 1;
    for (unsigned t : threads) {
      if (precision.find("double") != std::string::npos) register_size<double>(n, int(t), kinds, layers);
      if (precision.find("single") != std::string::npos) register_size<float>(n, int(t), kinds, layers);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
