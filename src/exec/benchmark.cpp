#include "qnn/exec/benchmark.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <limits>
#include <numbers>
#include <string>
#include <type_traits>

#include "qnn/core/error.hpp"
#include "qnn/core/memory.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/sim/kernels.hpp"
#include "qnn/sim/state_vector.hpp"

namespace qnn {

// The bandwidth sweep, compiled for each instruction set and picked at load time (GCC function multi-versioning), so
// that a cache-resident state is compared with a sweep as wide as the gate kernels' vectors. External linkage: GCC
// emits the ifunc resolver only for those. Unrolled: a one-vector loop body ran at half speed on cache-resident
// buffers depending on where the linker placed it (loop alignment), which made the baseline depend on the binary.
namespace bench_detail {
__attribute__((target_clones("avx512f", "avx2", "default"))) void scale_range(double* a, std::uint64_t n, double s) {
#pragma GCC unroll 8
  for (std::uint64_t i = 0; i < n; ++i) a[i] *= s;
}
__attribute__((target_clones("avx512f", "avx2", "default"))) void scale_range(float* a, std::uint64_t n, float s) {
#pragma GCC unroll 8
  for (std::uint64_t i = 0; i < n; ++i) a[i] *= s;
}
}  // namespace bench_detail

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// A sample of a fast operation batches calls until it lasts this long (the clock's resolution is ~tens of ns).
constexpr double kMinSampleSeconds = 50e-6;
// A first call this long is timed as a sample, not thrown away as a warm-up: a state this large is beyond every cache.
constexpr double kWarmupIsSampleSeconds = 10e-3;

const char* position_name(int p) { return p == 0 ? "low" : p == 1 ? "middle" : "high"; }

struct Context {
  const BenchConfig& cfg;
  const std::function<void(const BenchRow&)>& on_row;
  std::vector<BenchRow>& rows;
  void emit(BenchRow r) {
    if (on_row) on_row(r);
    rows.push_back(std::move(r));
  }
};

template <Real T>
const char* precision_name() {
  return std::is_same_v<T, double> ? "double" : "single";
}

// Amplitudes all 1/√N: a normalised state with no zero or denormal entries, every page touched before timing.
template <Real T>
void fill_uniform(StateVector<T>& psi) {
  const T a = static_cast<T>(1.0 / std::sqrt(static_cast<double>(psi.size())));
  complex<T>* p = psi.data();
  parallel_for(psi.size(), [=](index_t i) { p[i] = complex<T>(a, 0); });
}

template <Real T>
BenchRow base_row(const char* name, unsigned n) {
  BenchRow r;
  r.name = name;
  r.qubits = n;
  r.threads = num_threads();
  r.precision = precision_name<T>();
  r.isa = std::string(isa_name(active_isa()));
  r.bandwidth_fraction = kNaN;
  return r;
}

// One in-place sweep a[i] = 1 · a[i] over `count` reals: the traffic of a gate, the amplitudes kept. The 1 is read
// through a volatile, so the compiler cannot fold the multiplication away.
template <class T>
void unit_sweep(T* a, std::uint64_t count) {
  volatile T one = 1;
  scale_in_place(a, count, T(one));
}

// The memory_bandwidth row, measured on the state's own memory.
template <Real T>
BenchRow bandwidth_row(Context& ctx, StateVector<T>& psi) {
  const unsigned n = psi.num_qubits();
  BenchRow r = base_row<T>("memory_bandwidth", n);
  const std::uint64_t count = 2 * psi.size();
  r.seconds = median_seconds([&] { unit_sweep(reinterpret_cast<T*>(psi.data()), count); }, ctx.cfg.timing,
                             &r.repetitions);
  r.bytes_per_second = double(gate_bytes<T>(n)) / r.seconds;
  r.gates = 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f GB/s", r.bytes_per_second * 1e-9);
  r.gate = buf;
  return r;
}

template <Real T>
void finish(Context& ctx, BenchRow r, double bandwidth) {
  r.bandwidth_fraction = double(r.gates) * double(gate_bytes<T>(r.qubits)) / r.seconds / bandwidth;
  ctx.emit(std::move(r));
}

double time_op(Context& ctx, const std::function<void()>& op, unsigned* samples) {
  return median_seconds(op, ctx.cfg.timing, samples);
}

// Median seconds of `op` and (in *bandwidth) the median in-place bandwidth, from samples that alternate one sweep with
// one run of op: both medians see the same moments of a shared machine. For ops of milliseconds and more (a gate on
// 2^24 amplitudes takes ~10 ms), one call a sample.
template <Real T>
double interleaved_seconds(Context& ctx, StateVector<T>& psi, const std::function<void()>& op, double* bandwidth,
                           unsigned* samples) {
  const TimingOptions& timing = ctx.cfg.timing;
  const unsigned repetitions = std::max(timing.repetitions, 1U);
  const unsigned max_repetitions = std::max(timing.max_repetitions, repetitions);
  T* const a = reinterpret_cast<T*>(psi.data());
  const std::uint64_t count = 2 * psi.size();
  op();  // warm-up
  std::vector<double> op_times, sweep_times;
  const auto start = Clock::now();
  while (op_times.size() < repetitions ||
         (since(start) < timing.min_seconds && op_times.size() < max_repetitions)) {
    if (op_times.size() >= 3 && since(start) >= timing.max_seconds) break;
    auto t0 = Clock::now();
    unit_sweep(a, count);
    sweep_times.push_back(since(t0));
    t0 = Clock::now();
    op();
    op_times.push_back(since(t0));
  }
  if (samples) *samples = static_cast<unsigned>(op_times.size());
  *bandwidth = double(gate_bytes<T>(psi.num_qubits())) / median(sweep_times);
  return median(op_times);
}

// Gate rows: each kind at low, middle and high positions.
template <Real T>
void gate_rows(Context& ctx, StateVector<T>& psi, double bandwidth, const std::vector<GateKind>& kinds,
               const char* name, bool all_positions) {
  const unsigned n = psi.num_qubits();
  Rng rng(ctx.cfg.seed);
  for (GateKind kind : kinds) {
    const GateInfo& info = gate_info(kind);
    std::vector<double> angles(info.num_params);
    for (double& a : angles) a = rng.uniform(0, 2 * std::numbers::pi);
    if (info.num_qubits > n) continue;
    unsigned done[3];
    unsigned ndone = 0;
    for (int p = 0; p < (all_positions ? 3 : 1); ++p) {
      const unsigned q = p == 0 ? 0 : p == 1 ? n / 2 : n - 1;
      if (std::find(done, done + ndone, q) != done + ndone) continue;
      done[ndone++] = q;
      Operation op;
      op.kind = kind;
      op.qubits = bench_gate_qubits(kind, q, n);
      for (double a : angles) op.params.emplace_back(a);
      BenchRow r = base_row<T>(name, n);
      r.gate = std::string(info.name);
      r.target = q;
      r.position = position_name(p);
      r.gate_qubits = op.qubits;
      if (n >= ctx.cfg.interleave_from_qubits) {
        // A large state (24 qubits by default): each gate sample alternates with a bandwidth sweep, and the fraction
        // is against the median of those sweeps. On a shared machine the bandwidth drifts 10-20% over a run, so the
        // block's one sweep made single rows read 0.5-0.8 that measure 0.9-1.0 this way.
        double row_bandwidth = bandwidth;
        r.seconds = interleaved_seconds<T>(ctx, psi, [&] { apply_operation(psi, op, angles); }, &row_bandwidth,
                                           &r.repetitions);
        finish<T>(ctx, std::move(r), row_bandwidth);
        continue;
      }
      r.seconds = time_op(ctx, [&] { apply_operation(psi, op, angles); }, &r.repetitions);
      finish<T>(ctx, std::move(r), bandwidth);
    }
  }
}

template <Real T>
void circuit_row(Context& ctx, StateVector<T>& psi, double bandwidth, const Circuit& c, std::span<const double> theta,
                 const RunOptions& options, BenchRow r) {
  r.gates = static_cast<unsigned>(c.size());
  r.seconds = time_op(ctx, [&] { run(c, psi, theta, {}, options); }, &r.repetitions);
  finish<T>(ctx, std::move(r), bandwidth);
}

// A circuit as run() does it (fused where it fuses) and one pass per gate: the `name` row gets ratio = unfused time ÷
// fused time, the `name`_unfused row follows it.
template <Real T>
void fused_and_unfused_rows(Context& ctx, StateVector<T>& psi, double bandwidth, const Circuit& c,
                            std::span<const double> theta, BenchRow r) {
  BenchRow u = r;
  u.name += "_unfused";
  u.gates = r.gates = static_cast<unsigned>(c.size());
  u.seconds = time_op(ctx, [&] { run(c, psi, theta, {}, RunOptions{.fusion_qubits = 0}); }, &u.repetitions);
  r.seconds = time_op(ctx, [&] { run(c, psi, theta, {}, RunOptions{}); }, &r.repetitions);
  r.ratio = u.seconds / r.seconds;
  finish<T>(ctx, std::move(r), bandwidth);
  finish<T>(ctx, std::move(u), bandwidth);
}

// Every row of one (n, precision): for each thread count, the bandwidth first, then what is compared with it.
template <Real T>
void rows_for_size(Context& ctx, unsigned n, bool small, bool full, const std::vector<GateKind>& kinds) {
  StateVector<T> psi(n);
  fill_uniform(psi);
  Rng rng(ctx.cfg.seed ^ n);
  const Circuit layer = full ? random_gate_layer(n, rng) : Circuit(n);
  const bool random_circuit = full && ctx.cfg.random_circuit_layers > 0 && n <= ctx.cfg.random_circuit_max_qubits;
  Circuit random_layers(n);
  for (unsigned l = 0; random_circuit && l < ctx.cfg.random_circuit_layers; ++l)
    random_layers.append(random_gate_layer(n, rng));
  for (int t : ctx.cfg.threads) {
    set_num_threads(t);
    const BenchRow bw = bandwidth_row(ctx, psi);
    const double bandwidth = bw.bytes_per_second;
    ctx.emit(bw);
    if (small) gate_rows(ctx, psi, bandwidth, {GateKind::H, GateKind::RX, GateKind::RZ}, "small_gate", false);
    if (!full) continue;
    gate_rows(ctx, psi, bandwidth, kinds, "gate", true);
    const bool circuits = ctx.cfg.circuit_max_qubits == 0 || n <= ctx.cfg.circuit_max_qubits;
    if (circuits && ctx.cfg.random_layer) {
      BenchRow r = base_row<T>("random_layer", n);
      r.gate = std::to_string(layer.size()) + " gates";
      circuit_row(ctx, psi, bandwidth, layer, {}, RunOptions{.fusion_qubits = 0}, std::move(r));
    }
    if (circuits && ctx.cfg.ansatz && n >= 2) {
      // One layer is 3n gates; at the bandwidth limit it takes 3n · gate_bytes / bandwidth seconds unfused.
      const double layer_seconds = 3.0 * n * double(gate_bytes<T>(n)) / bandwidth;
      const double fit = std::floor(ctx.cfg.ansatz_budget_seconds / layer_seconds);
      const unsigned layers =
          ctx.cfg.ansatz_layers ? ctx.cfg.ansatz_layers : static_cast<unsigned>(std::clamp(fit, 1.0, double(n)));
      const bool unfused = ctx.cfg.ansatz_layers != 0 || fit >= 1;
      const Circuit c = benchmark_ansatz(n, layers);
      std::vector<double> theta(c.num_theta());
      Rng trng(ctx.cfg.seed + 1);
      for (double& a : theta) a = trng.uniform(0, 2 * std::numbers::pi);
      const std::string what = "ry,rz,cx L=" + std::to_string(layers);
      BenchRow r = base_row<T>("ansatz", n);
      r.gate = what;
      r.layers = layers;
      if (unfused) {
        fused_and_unfused_rows(ctx, psi, bandwidth, c, theta, std::move(r));
      } else {
        circuit_row(ctx, psi, bandwidth, c, theta, RunOptions{}, std::move(r));
      }
    }
    if (circuits && random_circuit) {
      BenchRow r = base_row<T>("random_circuit", n);
      r.layers = ctx.cfg.random_circuit_layers;
      r.gate = std::to_string(random_layers.size()) + " gates L=" + std::to_string(r.layers);
      fused_and_unfused_rows(ctx, psi, bandwidth, random_layers, {}, std::move(r));
    }
  }
}

// Restores the thread count however run_benchmarks leaves.
struct ThreadGuard {
  int saved = num_threads();
  ThreadGuard() = default;
  ThreadGuard(const ThreadGuard&) = delete;
  ThreadGuard& operator=(const ThreadGuard&) = delete;
  ~ThreadGuard() { set_num_threads(saved); }
};

}  // namespace

double BenchRow::ns_per_amplitude() const {
  return seconds_per_gate() * 1e9 / std::ldexp(1.0, static_cast<int>(qubits));
}

BenchConfig quick_bench_config() {
  BenchConfig cfg;
  cfg.quick = true;
  cfg.max_qubits = 24;
  cfg.timing.min_seconds = 0.02;
  cfg.timing.max_seconds = 0.1;
  cfg.circuit_max_qubits = 20;
  cfg.ansatz_budget_seconds = 0.25;
  return cfg;
}

std::vector<unsigned> default_qubit_list(unsigned min_qubits, unsigned max_qubits, bool quick) {
  const std::vector<unsigned> ladder = quick ? std::vector<unsigned>{12, 20, 24} : std::vector<unsigned>{12, 16, 20, 24, 26, 28};
  std::vector<unsigned> out;
  if (min_qubits > max_qubits) return out;
  out.push_back(min_qubits);
  for (unsigned n : ladder)
    if (n > min_qubits && n < max_qubits) out.push_back(n);
  if (max_qubits != min_qubits) out.push_back(max_qubits);
  return out;
}

std::vector<GateKind> default_bench_gates(bool quick) {
  if (quick) {
    return {GateKind::H, GateKind::RX, GateKind::RZ, GateKind::CX, GateKind::SWAP, GateKind::RZZ, GateKind::U};
  }
  std::vector<GateKind> kinds;
  for (const GateInfo& g : gate_table())
    if (g.kind != GateKind::I && g.kind != GateKind::Unitary) kinds.push_back(g.kind);
  return kinds;
}

std::vector<unsigned> bench_gate_qubits(GateKind kind, unsigned q, unsigned num_qubits) {
  const unsigned k = gate_info(kind).num_qubits;
  if (k == 0 || k > num_qubits || q >= num_qubits) {
    throw ValueError("cannot place a " + std::to_string(k) + "-qubit gate at qubit " + std::to_string(q) + " of " +
                     std::to_string(num_qubits));
  }
  std::vector<unsigned> qs;
  const bool below = q + 1 >= k;
  for (unsigned j = 1; j < k; ++j) qs.push_back(below ? q - j : q + j);
  qs.push_back(q);
  return qs;
}

Circuit benchmark_ansatz(unsigned num_qubits, unsigned layers) {
  Circuit c(num_qubits);
  unsigned t = 0;
  for (unsigned l = 0; l < layers; ++l) {
    for (unsigned q = 0; q < num_qubits; ++q) {
      c.ry(q, Expr::theta(t)).rz(q, Expr::theta(t + 1));
      t += 2;
    }
    if (num_qubits > 1)
      for (unsigned q = 0; q < num_qubits; ++q) c.cnot(q, (q + 1) % num_qubits);
  }
  return c;
}

Circuit random_gate_layer(unsigned num_qubits, Rng& rng) {
  std::vector<GateKind> one, two;
  for (const GateInfo& g : gate_table()) {
    if (g.kind == GateKind::I || g.kind == GateKind::Unitary) continue;
    if (g.num_qubits == 1) one.push_back(g.kind);
    if (g.num_qubits == 2) two.push_back(g.kind);
  }
  std::vector<unsigned> order(num_qubits);
  for (unsigned q = 0; q < num_qubits; ++q) order[q] = q;
  for (unsigned i = num_qubits; i > 1; --i) std::swap(order[i - 1], order[rng.below(i)]);  // Fisher–Yates
  Circuit c(num_qubits);
  auto params = [&](GateKind k) {
    std::vector<Expr> p;
    for (unsigned j = 0; j < gate_info(k).num_params; ++j) p.emplace_back(rng.uniform(0, 2 * std::numbers::pi));
    return p;
  };
  for (unsigned i = 0; i < num_qubits;) {
    if (i + 1 < num_qubits && rng.below(2) == 1) {
      const GateKind k = two[rng.below(two.size())];
      c.add(k, {order[i], order[i + 1]}, params(k));
      i += 2;
    } else {
      const GateKind k = one[rng.below(one.size())];
      c.add(k, {order[i]}, params(k));
      i += 1;
    }
  }
  return c;
}

template <Real T>
void scale_in_place(T* a, std::uint64_t count, T s) {
  constexpr std::uint64_t kChunk = 4096;  // reals per task; a multiple of every vector width
  const int threads = num_threads();
  if (threads == 1 || count / 2 < kParallelThreshold) {
    bench_detail::scale_range(a, count, s);
    return;
  }
  const auto chunks = static_cast<std::int64_t>((count + kChunk - 1) / kChunk);
#pragma omp parallel for schedule(static) num_threads(threads)
  for (std::int64_t c = 0; c < chunks; ++c) {
    const std::uint64_t lo = static_cast<std::uint64_t>(c) * kChunk;
    bench_detail::scale_range(a + lo, std::min(kChunk, count - lo), s);
  }
}

namespace {

// Calls of `op` per sample: one cold call first, the warm-up (returned in *first); a long operation's (≥ 10 ms) is
// a sample and sets the batch at one call; a short one's is only the warm-up, since a cold first call of 50 µs kept
// the batch at one call and a 40 ns gate was then timed with the clock's own overhead (RX on 4 qubits read 110-120
// ns, in steps of 10). Otherwise the batch doubles until it lasts kMinSampleSeconds.
std::uint64_t batch_size(const std::function<void()>& op, double* first) {
  const auto w0 = Clock::now();
  op();
  *first = since(w0);
  if (*first >= kWarmupIsSampleSeconds) return 1;
  *first = 0;
  std::uint64_t batch = 1;
  for (;;) {
    const auto t0 = Clock::now();
    for (std::uint64_t i = 0; i < batch; ++i) op();
    if (since(t0) >= kMinSampleSeconds || batch >= (std::uint64_t{1} << 30)) return batch;
    batch *= 2;
  }
}

// Samples until `timing` is satisfied; sample() appends one sample per call and returns the count so far.
template <class Sample>
void sample_until(const TimingOptions& timing, std::size_t have, Sample&& sample) {
  const unsigned repetitions = std::max(timing.repetitions, 1U);
  const unsigned max_repetitions = std::max(timing.max_repetitions, repetitions);
  constexpr std::size_t kMinSamplesOnBudget = 3;
  const auto start = Clock::now();
  for (;;) {
    const double elapsed = since(start);
    const bool enough = have >= repetitions && (elapsed >= timing.min_seconds || have >= max_repetitions);
    const bool over_budget = have >= std::min<std::size_t>(kMinSamplesOnBudget, repetitions) &&
                             elapsed >= timing.max_seconds;
    if (enough || over_budget) break;
    have = sample();
  }
}

double timed_batch(const std::function<void()>& op, std::uint64_t batch) {
  const auto t0 = Clock::now();
  for (std::uint64_t i = 0; i < batch; ++i) op();
  return since(t0) / double(batch);
}

}  // namespace

double median_seconds(const std::function<void()>& op, const TimingOptions& timing, unsigned* samples) {
  std::vector<double> times;
  double first = 0;
  const std::uint64_t batch = batch_size(op, &first);
  if (first > 0) times.push_back(first);
  sample_until(timing, times.size(), [&] {
    times.push_back(timed_batch(op, batch));
    return times.size();
  });
  if (samples) *samples = static_cast<unsigned>(times.size());
  return median(times);
}

std::pair<double, double> alternating_median_seconds(const std::function<void()>& a, const std::function<void()>& b,
                                                     const TimingOptions& timing, unsigned* samples) {
  std::vector<double> ta, tb;
  double fa = 0, fb = 0;
  const std::uint64_t ba = batch_size(a, &fa), bb = batch_size(b, &fb);
  if (fa > 0 && fb > 0) {
    ta.push_back(fa);
    tb.push_back(fb);
  }
  sample_until(timing, ta.size(), [&] {
    ta.push_back(timed_batch(a, ba));
    tb.push_back(timed_batch(b, bb));
    return ta.size();
  });
  if (samples) *samples = static_cast<unsigned>(ta.size());
  return {median(ta), median(tb)};
}

template <Real T>
double measure_bandwidth(T* a, std::uint64_t count, const TimingOptions& timing) {
  const double seconds = median_seconds([&] { unit_sweep(a, count); }, timing);
  return 2.0 * double(count) * sizeof(T) / seconds;
}

void warm_up_cpu(double seconds, int threads) {
  if (!(seconds > 0)) return;
#pragma omp parallel num_threads(std::max(threads, 1))
  {
    const auto t0 = Clock::now();
    volatile double x = 0;
    while (since(t0) < seconds)
      for (int i = 0; i < 4096; ++i) x = x + 1.0;
  }
}

std::vector<BenchRow> run_benchmarks(const BenchConfig& config, const std::function<void(const BenchRow&)>& on_row,
                                     const std::function<void(const std::string&)>& on_note) {
  for (int t : config.threads)
    if (t < 1) throw ValueError("thread count must be at least 1, got " + std::to_string(t));
  std::vector<bool> precisions;  // true: double; in the order given, each once
  for (const std::string& p : config.precisions) {
    bool dbl = false;
    if (p == "double") {
      dbl = true;
    } else if (p != "single" && p != "float") {
      throw ValueError("unknown precision '" + p + "' (expected single or double)");
    }
    if (std::find(precisions.begin(), precisions.end(), dbl) == precisions.end()) precisions.push_back(dbl);
  }
  const std::vector<unsigned> sizes =
      config.qubits.empty() ? default_qubit_list(config.min_qubits, config.max_qubits, config.quick) : config.qubits;
  for (unsigned n : sizes) {
    if (n < 1 || n > StateVector<double>::kMaxQubits) {
      throw ValueError("qubits must be in [1, " + std::to_string(StateVector<double>::kMaxQubits) + "], got " +
                       std::to_string(n));
    }
  }
  const std::vector<GateKind> kinds = config.gates.empty() ? default_bench_gates(config.quick) : config.gates;

  std::vector<BenchRow> rows;
  Context ctx{config, on_row, rows};
  const ThreadGuard guard;
  auto one_size = [&](unsigned n, bool small, bool full) {
    const std::uint64_t avail = available_memory_bytes();
    for (const bool dbl : precisions) {
      const std::uint64_t need = dbl ? StateVector<double>::bytes_needed(n) : StateVector<float>::bytes_needed(n);
      // Leave headroom: the machine may be shared and a state that only just fits would swap or be killed.
      if (avail != 0 && double(need) > 0.8 * double(avail)) {
        if (on_note) {
          on_note("skipping " + std::to_string(n) + " qubits (" + (dbl ? "double" : "single") + "): the state needs " +
                  format_bytes(double(need)) + ", " + format_bytes(double(avail)) + " is available");
        }
        continue;
      }
      if (dbl) {
        rows_for_size<double>(ctx, n, small, full, kinds);
      } else {
        rows_for_size<float>(ctx, n, small, full, kinds);
      }
    }
  };
  // Ascending sizes; a size in both lists gets one bandwidth row and both kinds of rows.
  const std::vector<unsigned> small = config.small_states ? std::vector<unsigned>{4, 8, 10} : std::vector<unsigned>{};
  std::vector<unsigned> all = sizes;
  all.insert(all.end(), small.begin(), small.end());
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  for (unsigned n : all) {
    one_size(n, std::find(small.begin(), small.end(), n) != small.end(),
             std::find(sizes.begin(), sizes.end(), n) != sizes.end());
  }
  return rows;
}

template void scale_in_place<float>(float*, std::uint64_t, float);
template void scale_in_place<double>(double*, std::uint64_t, double);
template double measure_bandwidth<float>(float*, std::uint64_t, const TimingOptions&);
template double measure_bandwidth<double>(double*, std::uint64_t, const TimingOptions&);

}  // namespace qnn
