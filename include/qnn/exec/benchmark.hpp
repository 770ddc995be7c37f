#pragma once
// The gate benchmark shared by `qnn bench` and bench/ (Google Benchmark): every result is a time per gate and the
// fraction of the memory-bandwidth limit it reaches, against an in-place bandwidth measured in the same run.
//
// A gate on an n-qubit state must read and write every amplitude once, so it moves 2 · 2^n · sizeof(complex<T>) bytes
// (read + write, gate_bytes()); the fastest it can run is that traffic divided by the bandwidth of an in-place
// read-modify-write sweep a[i] = s·a[i] over a buffer of the state's size (measure_bandwidth()). bandwidth_fraction =
// gate_bytes / seconds / bytes_per_second: 1 is the limit. Gates whose controls let a kernel skip half the state, and
// fused circuits (several gates per pass), can exceed 1; the fraction is still computed with the per-gate traffic.
//
//   BenchConfig cfg;                       // n = 12, 16, 20, 24, 26; 1 and 2 threads; double and single
//   for (const BenchRow& r : run_benchmarks(cfg)) …
//
// Times are medians over repetitions (a shared machine is noisy), per operation: one gate, one random layer, one
// forward pass of the ansatz, one bandwidth sweep.
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/gate.hpp"
#include "qnn/core/complex.hpp"
#include "qnn/core/rng.hpp"

namespace qnn {

/// One result. Rows (by `name`):
///   memory_bandwidth  the in-place sweep: seconds per sweep, bytes_per_second (no bandwidth_fraction)
///   gate              one gate kind on `targets` (`target` = the qubit at position low 0, middle n/2 or high n−1)
///   small_gate        a 1-qubit gate on a small state (n ≤ 10), all overhead included: see ns_per_pair()
///   random_layer      one layer of random 1- and 2-qubit gates covering every qubit, applied gate by gate
///   ansatz            forward pass of the benchmark ansatz (benchmark_ansatz) as run() does it (fused if it fuses)
///   ansatz_unfused    the same, one pass per gate (RunOptions{.fusion_qubits = 0})
///   random_circuit    random_circuit_layers layers of random 1- and 2-qubit gates as run() does it (fused), with
///                     ratio = random_circuit_unfused seconds ÷ its own (the speed-up fusion gives); the ansatz row
///                     carries the same ratio where ansatz_unfused is measured
///   random_circuit_unfused  the same circuit, one pass per gate
struct BenchRow {
  std::string name;
  unsigned qubits = 0;
  int threads = 1;
  std::string precision;  // "double" or "single"
  std::string isa;        // the gate kernels' instruction set (isa_name)
  /// Median seconds per operation (a gate, a layer, a forward pass, a sweep).
  double seconds = 0;
  /// Gates per operation (1 for gate rows, 0 for memory_bandwidth).
  unsigned gates = 1;
  /// gates · gate_bytes / seconds / bandwidth of the same (qubits, threads, precision); NaN where it does not apply.
  /// Gate rows from BenchConfig::interleave_from_qubits up use the median of bandwidth sweeps alternated with their
  /// own samples.
  double bandwidth_fraction = 0;
  /// memory_bandwidth only (else 0): bytes read + written per second.
  double bytes_per_second = 0;
  /// Gate name ("h", "cx", …) for gate rows; a short description for the others ("ry,rz,cx L=12").
  std::string gate;
  /// The qubit position measured (gate rows), else 0.
  unsigned target = 0;
  /// "low", "middle", "high" for gate rows, else empty.
  std::string position;
  /// Every qubit of the gate, as the operation lists them (controls first; the last is `target`).
  std::vector<unsigned> gate_qubits;
  /// Layers of the ansatz rows (else 0).
  unsigned layers = 0;
  /// Samples the median was taken over.
  unsigned repetitions = 0;
  /// Rows measured against a baseline of the same run (gradient_*, training_step_batched; see
  /// qnn/ml/training_benchmark.hpp; random_circuit and ansatz against their unfused runs): seconds ÷ baseline seconds,
  /// or baseline ÷ seconds where the row says so; else NaN.
  double ratio = std::numeric_limits<double>::quiet_NaN();
  /// Trainable parameters of the circuit (gradient rows), else 0.
  unsigned parameters = 0;
  /// Samples per batch (training_step_batched), else 0.
  unsigned batch = 0;

  [[nodiscard]] double seconds_per_gate() const { return gates ? seconds / gates : seconds; }
  /// Nanoseconds per gate per amplitude.
  [[nodiscard]] double ns_per_amplitude() const;
  /// Nanoseconds per gate per amplitude pair (what a 1-qubit gate updates at once).
  [[nodiscard]] double ns_per_pair() const { return 2 * ns_per_amplitude(); }
};

/// How a measurement samples: at least `repetitions` samples and at least `min_seconds` of them (at most
/// `max_repetitions`), except that a slow operation stops once `max_seconds` have passed and it has 3 samples.
struct TimingOptions {
  unsigned repetitions = 5;
  double min_seconds = 0.05;
  double max_seconds = 1.0;
  unsigned max_repetitions = 200;
};

struct BenchConfig {
  /// State sizes; empty: default_qubit_list(min_qubits, max_qubits, quick).
  std::vector<unsigned> qubits;
  unsigned min_qubits = 12;
  unsigned max_qubits = 26;
  std::vector<int> threads = {1, 2};
  /// "double" and/or "single".
  std::vector<std::string> precisions = {"double", "single"};
  /// Gate kinds of the gate rows; empty: all of gate_table() except I and Unitary (quick: h rx rz cx swap rzz u).
  std::vector<GateKind> gates;
  /// Default sizes 12, 20, 24 and gates h rx rz cx swap rzz u (quick_bench_config() also shortens the timing).
  bool quick = false;
  /// How long each measurement samples (quick: shorter).
  TimingOptions timing;
  /// small_gate rows for n = 4, 8, 10 (each thread count and precision).
  bool small_states = true;
  bool random_layer = true;
  bool ansatz = true;
  /// random_layer and ansatz rows only up to this many qubits (0: no limit; quick: 20, where they take milliseconds).
  unsigned circuit_max_qubits = 0;
  /// Layers of the ansatz; 0: n layers, reduced where one forward pass would take longer than ansatz_budget_seconds
  /// at the bandwidth limit (the row records the layers it ran; at least 1). ansatz_unfused is measured only where
  /// one unfused layer fits that budget (else it is the gate rows again, at seconds per pass).
  unsigned ansatz_layers = 0;
  double ansatz_budget_seconds = 1.0;
  /// random_circuit rows: layers of random_gate_layer, fused and unfused, up to random_circuit_max_qubits (and
  /// circuit_max_qubits); 0 layers: none. 20 layers on 24 qubits take ~10 s per sample on 2 cores.
  unsigned random_circuit_layers = 20;
  unsigned random_circuit_max_qubits = 24;
  std::uint64_t seed = 20240607;
  /// From this many qubits, each gate row alternates its samples with bandwidth sweeps and its fraction is against
  /// their median (a shared machine's bandwidth drifts over a run).
  unsigned interleave_from_qubits = 24;
};

/// Keep `threads` threads busy for `seconds` before the first measurement. Some machines (virtual CPUs behind a
/// frequency governor) run the first second of work at about half speed: without this, the rows measured first (the
/// small states, the 4-qubit training step) came out up to 2x slow. `qnn bench` spins 1 s.
void warm_up_cpu(double seconds, int threads);

/// `qnn bench --quick`: quick sizes and gates, short samples (3 for a gate on 24 qubits), the random layer and the
/// ansatz only up to 20 qubits: well under a minute on two cores.
BenchConfig quick_bench_config();

/// Sizes measured by default: 12, 16, 20, 24, 26, 28 (quick: 12, 20, 24) within [min_qubits, max_qubits], plus the
/// two ends themselves.
std::vector<unsigned> default_qubit_list(unsigned min_qubits, unsigned max_qubits, bool quick);

/// Gate kinds measured by default (every table entry except I and Unitary; quick: h rx rz cx swap rzz u).
std::vector<GateKind> default_bench_gates(bool quick);

/// Run every measurement of `config`, calling `on_row` as each row is ready (rows come grouped per (n, threads,
/// precision), the memory_bandwidth row first) and `on_note` for sizes skipped because they do not fit in memory.
/// The thread count is restored afterwards. Throws ValueError for a bad config.
std::vector<BenchRow> run_benchmarks(const BenchConfig& config,
                                     const std::function<void(const BenchRow&)>& on_row = {},
                                     const std::function<void(const std::string&)>& on_note = {});

// --- building blocks (also used by bench/) -----------------------------------------------------------------------------

/// Bytes one gate must move on an n-qubit state of T: read + write of every amplitude.
template <Real T>
std::uint64_t gate_bytes(unsigned num_qubits) {
  return 2 * (std::uint64_t{1} << num_qubits) * sizeof(complex<T>);
}

/// a[i] = s·a[i] for i < count with qnn's thread count (parallel above kParallelThreshold, like the gate kernels);
/// vectorised for the best instruction set of the CPU.
template <Real T>
void scale_in_place(T* a, std::uint64_t count, T s);

/// Median seconds of one call of `op`, sampled as `timing` says. One untimed warm-up call first (timed as the first
/// sample if it takes ≥ 10 ms: such a state is beyond every cache); fast operations are batched so that a sample lasts
/// ≥ 50 µs. Writes the number of samples to *samples if given.
double median_seconds(const std::function<void()>& op, const TimingOptions& timing, unsigned* samples = nullptr);

/// Median seconds of one call of `a` and of `b`, their samples alternating (a batch of a, then a batch of b, each
/// batched as median_seconds would), so that both medians see the same moments of a shared machine; ratios of the two
/// are what the training rows report. Writes the number of sample pairs to *samples if given.
std::pair<double, double> alternating_median_seconds(const std::function<void()>& a, const std::function<void()>& b,
                                                     const TimingOptions& timing, unsigned* samples = nullptr);

/// Bytes per second (read + written) of scale_in_place over `a` (2 · 2^n reals for an n-qubit state) with the current
/// thread count: the median sample as above.
template <Real T>
double measure_bandwidth(T* a, std::uint64_t count, const TimingOptions& timing = {});

/// The benchmark ansatz: `layers` layers of RY(θ) and RZ(θ) on every qubit, then a CNOT ring q → q+1 mod n (n ≥ 2;
/// on one qubit, no CNOT). 2 · n · layers weights, θ_0 … in gate order.
Circuit benchmark_ansatz(unsigned num_qubits, unsigned layers);

/// A layer of random 1- and 2-qubit gates from the table (fixed angles) that touches every qubit exactly once.
Circuit random_gate_layer(unsigned num_qubits, Rng& rng);

/// The qubits of a gate of `kind` placed at qubit q (its last qubit): the others are q's neighbours, below q where
/// there is room (q−1, q−2), else above (q+1, q+2). The state needs at least as many qubits as the gate.
std::vector<unsigned> bench_gate_qubits(GateKind kind, unsigned q, unsigned num_qubits);

}  // namespace qnn
