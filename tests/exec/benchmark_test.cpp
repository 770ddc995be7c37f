// The benchmark's rows, not its timings: a tiny configuration must produce every kind of row with positive times and
// finite, positive bandwidth fractions measured against a bandwidth row of the same (qubits, threads, precision).
#include "qnn/exec/benchmark.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {
namespace {

BenchConfig tiny() {
  BenchConfig cfg;
  cfg.min_qubits = 6;
  cfg.max_qubits = 8;
  cfg.threads = {1};
  cfg.precisions = {"double", "single"};
  cfg.timing = {.repetitions = 1, .min_seconds = 0, .max_seconds = 0, .max_repetitions = 1};
  cfg.gates = {GateKind::H, GateKind::RX, GateKind::CX, GateKind::CCX};
  cfg.small_states = true;
  return cfg;
}

TEST(Benchmark, RowsHaveTheRequiredStructure) {
  const BenchConfig cfg = tiny();
  std::size_t streamed = 0;
  const std::vector<BenchRow> rows = run_benchmarks(cfg, [&](const BenchRow&) { ++streamed; });
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(streamed, rows.size());

  std::set<std::string> names;
  std::set<std::tuple<unsigned, int, std::string>> bandwidth_seen;
  for (const BenchRow& r : rows) {
    names.insert(r.name);
    SCOPED_TRACE(r.name + " " + r.gate + " n=" + std::to_string(r.qubits) + " " + r.precision);
    EXPECT_GT(r.seconds, 0.0);
    EXPECT_TRUE(std::isfinite(r.seconds));
    EXPECT_EQ(r.threads, 1);
    EXPECT_TRUE(r.precision == "double" || r.precision == "single");
    EXPECT_FALSE(r.isa.empty());
    EXPECT_GE(r.repetitions, 1U);
    const auto key = std::make_tuple(r.qubits, r.threads, r.precision);
    if (r.name == "memory_bandwidth") {
      EXPECT_GT(r.bytes_per_second, 0.0);
      EXPECT_TRUE(std::isfinite(r.bytes_per_second));
      EXPECT_TRUE(std::isnan(r.bandwidth_fraction));
      bandwidth_seen.insert(key);
      continue;
    }
    // Every other row is compared with a bandwidth measured before it, for the same state.
    EXPECT_TRUE(bandwidth_seen.count(key)) << "no memory_bandwidth row precedes it";
    EXPECT_TRUE(std::isfinite(r.bandwidth_fraction));
    EXPECT_GT(r.bandwidth_fraction, 0.0);
    EXPECT_GE(r.gates, 1U);
    EXPECT_GT(r.ns_per_amplitude(), 0.0);
    EXPECT_DOUBLE_EQ(r.ns_per_pair(), 2 * r.ns_per_amplitude());
    if (r.name == "gate" || r.name == "small_gate") {
      EXPECT_EQ(r.gates, 1U);
      ASSERT_FALSE(r.gate_qubits.empty());
      EXPECT_EQ(r.gate_qubits.back(), r.target);
      EXPECT_NE(find_gate(r.gate), nullptr) << r.gate;
      EXPECT_TRUE(r.position == "low" || r.position == "middle" || r.position == "high");
    }
  }
  EXPECT_EQ(names, (std::set<std::string>{"memory_bandwidth", "gate", "small_gate", "random_layer", "ansatz",
                                          "ansatz_unfused", "random_circuit", "random_circuit_unfused"}));
  // The fused rows carry their speed-up over the unfused row that follows them, for the same circuit.
  for (std::size_t i = 0; i + 1 < rows.size(); ++i) {
    const BenchRow& r = rows[i];
    if (r.name != "random_circuit" && r.name != "ansatz") continue;
    const BenchRow& u = rows[i + 1];
    ASSERT_EQ(u.name, r.name + "_unfused");
    EXPECT_EQ(u.gates, r.gates);
    EXPECT_EQ(u.qubits, r.qubits);
    EXPECT_DOUBLE_EQ(r.ratio, u.seconds / r.seconds);
    if (r.name == "random_circuit") {
      EXPECT_EQ(r.layers, cfg.random_circuit_layers);
    }
  }
  // Sizes: the small-state rows (4, 8, 10) and the range's two ends; both precisions of each.
  for (unsigned n : {4U, 6U, 8U, 10U})
    for (const char* p : {"double", "single"})
      EXPECT_TRUE(bandwidth_seen.count({n, 1, p})) << n << " " << p;
  // Each gate kind at low, middle and high positions on the 8-qubit state.
  for (const char* g : {"h", "rx", "cx", "ccx"}) {
    std::set<unsigned> targets;
    for (const BenchRow& r : rows)
      if (r.name == "gate" && r.gate == g && r.qubits == 8 && r.precision == "double") targets.insert(r.target);
    EXPECT_EQ(targets, (std::set<unsigned>{0, 4, 7})) << g;
  }
}

TEST(Benchmark, RestoresTheThreadCount) {
  const int before = num_threads();
  BenchConfig cfg = tiny();
  cfg.threads = {1, 2};
  cfg.small_states = false;
  cfg.precisions = {"single"};
  cfg.gates = {GateKind::H};
  cfg.random_layer = false;
  cfg.ansatz = false;
  const std::vector<BenchRow> rows = run_benchmarks(cfg);
  EXPECT_EQ(num_threads(), before);
  std::set<int> threads;
  for (const BenchRow& r : rows) threads.insert(r.threads);
  EXPECT_EQ(threads, (std::set<int>{1, 2}));
}

// Gate rows of large states alternate their samples with bandwidth sweeps (here from 6 qubits): every gate row still
// has its time and a positive, finite fraction, on each thread count and precision.
TEST(Benchmark, InterleavedGateRowsHaveFractions) {
  BenchConfig cfg = tiny();
  cfg.interleave_from_qubits = 6;
  cfg.threads = {1, 2};
  cfg.small_states = false;
  cfg.random_layer = false;
  cfg.ansatz = false;
  cfg.timing = {.repetitions = 3, .min_seconds = 0, .max_seconds = 1, .max_repetitions = 3};
  const std::vector<BenchRow> rows = run_benchmarks(cfg);
  unsigned gate_rows = 0;
  for (const BenchRow& r : rows) {
    if (r.name != "gate") continue;
    ++gate_rows;
    EXPECT_GT(r.seconds, 0) << r.gate;
    EXPECT_EQ(r.repetitions, 3U) << r.gate;
    EXPECT_TRUE(std::isfinite(r.bandwidth_fraction) && r.bandwidth_fraction > 0) << r.gate;
  }
  EXPECT_GT(gate_rows, 0U);
}

TEST(Benchmark, RejectsBadConfigs) {
  BenchConfig cfg = tiny();
  cfg.precisions = {"half"};
  EXPECT_THROW(run_benchmarks(cfg), ValueError);
  cfg = tiny();
  cfg.threads = {0};
  EXPECT_THROW(run_benchmarks(cfg), ValueError);
}

TEST(Benchmark, MedianSecondsSamplesAsAsked) {
  int calls = 0;
  unsigned samples = 0;
  const double t = median_seconds([&] { ++calls; }, TimingOptions{.repetitions = 7, .min_seconds = 0}, &samples);
  EXPECT_GT(t, 0.0);
  EXPECT_LT(t, 1e-3);
  EXPECT_GE(samples, 7U);
  EXPECT_GT(calls, 7);  // a warm-up, and fast calls are batched

  // A slow first call (cold code, a lazily bound symbol) is only the warm-up: the fast calls after it are still
  // batched (it once kept the batch at one call, and the clock's overhead was timed with each call).
  int cold_calls = 0;
  median_seconds(
      [&] {
        if (cold_calls++ == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
      },
      TimingOptions{.repetitions = 5, .min_seconds = 0});
  EXPECT_GT(cold_calls, 100);

  // Two operations sampled alternately: as many samples of each, both batched, each median its own.
  int a_calls = 0, b_calls = 0;
  unsigned pairs = 0;
  const auto [ta, tb] = alternating_median_seconds(
      [&] { ++a_calls; },
      [&] {
        ++b_calls;
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      },
      TimingOptions{.repetitions = 4, .min_seconds = 0}, &pairs);
  EXPECT_GE(pairs, 4U);
  EXPECT_GT(a_calls, 100);      // a fast call is batched
  EXPECT_GE(tb, 100e-6);        // a sleep of 100 µs lasts at least that
  EXPECT_LT(ta, tb);

  // The bandwidth sweep keeps the data (s = 1) and reports a positive rate.
  std::vector<double> a(1 << 12, 0.5);
  const double bw = measure_bandwidth(a.data(), a.size(), TimingOptions{.repetitions = 3, .min_seconds = 0});
  EXPECT_GT(bw, 0.0);
  EXPECT_TRUE(std::all_of(a.begin(), a.end(), [](double v) { return v == 0.5; }));
  scale_in_place(a.data(), a.size(), 2.0);
  EXPECT_TRUE(std::all_of(a.begin(), a.end(), [](double v) { return v == 1.0; }));
}

TEST(Benchmark, QubitListsAndGatePlacement) {
  EXPECT_EQ(default_qubit_list(12, 26, false), (std::vector<unsigned>{12, 16, 20, 24, 26}));
  EXPECT_EQ(default_qubit_list(12, 28, false), (std::vector<unsigned>{12, 16, 20, 24, 26, 28}));
  EXPECT_EQ(default_qubit_list(12, 24, true), (std::vector<unsigned>{12, 20, 24}));
  EXPECT_EQ(default_qubit_list(6, 8, false), (std::vector<unsigned>{6, 8}));
  EXPECT_EQ(default_qubit_list(7, 7, false), (std::vector<unsigned>{7}));

  // The placed qubit is the gate's last (its target); the others are its neighbours.
  EXPECT_EQ(bench_gate_qubits(GateKind::H, 5, 10), (std::vector<unsigned>{5}));
  EXPECT_EQ(bench_gate_qubits(GateKind::CX, 0, 10), (std::vector<unsigned>{1, 0}));
  EXPECT_EQ(bench_gate_qubits(GateKind::CX, 9, 10), (std::vector<unsigned>{8, 9}));
  EXPECT_EQ(bench_gate_qubits(GateKind::CCX, 0, 10), (std::vector<unsigned>{1, 2, 0}));
  EXPECT_EQ(bench_gate_qubits(GateKind::CCX, 9, 10), (std::vector<unsigned>{8, 7, 9}));
  EXPECT_THROW(bench_gate_qubits(GateKind::CCX, 0, 2), ValueError);

  const std::vector<GateKind> all = default_bench_gates(false);
  EXPECT_EQ(all.size(), gate_table().size() - 2);  // every kind but I and Unitary
  EXPECT_EQ(std::count(all.begin(), all.end(), GateKind::I), 0);
  EXPECT_EQ(default_bench_gates(true).size(), 7U);
}

TEST(Benchmark, AnsatzAndRandomLayerShapes) {
  const Circuit c = benchmark_ansatz(5, 3);
  EXPECT_EQ(c.size(), 3U * 3 * 5);  // per layer: RY and RZ on 5 qubits, 5 CNOTs
  EXPECT_EQ(c.num_theta(), 2U * 5 * 3);
  EXPECT_EQ(c.ops()[10].kind, GateKind::CX);
  EXPECT_EQ(c.ops()[14].qubits, (std::vector<unsigned>{4, 0}));  // the ring closes

  Rng rng(3);
  const Circuit layer = random_gate_layer(9, rng);
  std::vector<int> touched(9, 0);
  for (const Operation& op : layer.ops()) {
    EXPECT_LE(op.qubits.size(), 2U);
    for (unsigned q : op.qubits) ++touched[q];
  }
  EXPECT_EQ(touched, std::vector<int>(9, 1));
}

}  // namespace
}  // namespace qnn
