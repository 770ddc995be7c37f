#pragma once
// The one parallel-for policy of qnn (qsim's habit): loops below a size threshold stay serial, since thread start-up
// costs more than a small state's arithmetic. Reductions are summed over fixed-size blocks in block order, so a result
// is bit-identical whatever the thread count.
#include <algorithm>
#include <cstdint>
#include <exception>
#include <mutex>
#include <vector>

namespace qnn {

/// Threads used by qnn's loops (default: QNN_THREADS, else OpenMP's default).
int num_threads();
/// Set the thread count (n ≥ 1).
void set_num_threads(int n);

/// Loops over fewer items than this run on one thread.
///
/// Measured crossover (a 1-qubit dense gate on the middle qubit, 1 thread against the same work split over 2 threads
/// in one OpenMP region, AVX2 kernels, 2-core AMD EPYC VM, medians of 101 interleaved samples): 2 threads first win at
/// 2^12 amplitudes in double (1.22×; 0.89× at 2^11) and at 2^13 in single (1.21–1.41×; 0.88× at 2^12), i.e. at about
/// 64 KiB of state either way. 2^13 amplitudes is the precision-independent threshold that never loses there (double
/// gains 1.42× at 2^13). Cheaper loops (set_zero, norms) break even a little later; they share the threshold.
inline constexpr std::uint64_t kParallelThreshold = std::uint64_t{1} << 13;
/// Coarse tasks below this much total work (amplitude updates) stay serial: measured on 2 cores, waking a second
/// thread for a few tens of microseconds of work loses, and loses badly when the machine is busy.
inline constexpr std::uint64_t kParallelTaskThreshold = std::uint64_t{1} << 17;
/// Block size of deterministic reductions.
inline constexpr std::uint64_t kReduceBlock = std::uint64_t{1} << 12;

namespace detail {
inline thread_local int serial_depth = 0;
}  // namespace detail

/// Within its scope (when `active`), qnn's loops started on this thread run on it alone: for a caller that knows its
/// loops are too short to split, such as a batched sweep over a small state, whose hundreds of short passes each lose
/// to waking a thread, though each alone would pass the thresholds below.
class SerialScope {
 public:
  explicit SerialScope(bool active = true) : active_(active) {
    if (active_) ++detail::serial_depth;
  }
  ~SerialScope() {
    if (active_) --detail::serial_depth;
  }
  SerialScope(const SerialScope&) = delete;
  SerialScope& operator=(const SerialScope&) = delete;

 private:
  bool active_;
};

/// Whether loops started here run on this thread alone (one thread set, or inside a SerialScope).
inline bool serial_here() { return detail::serial_depth > 0 || num_threads() == 1; }

/// fn(i) for i in [0, n); `work_per_item` (amplitudes an item touches) lets a loop over blocks decide like a loop
/// over amplitudes.
template <class Fn>
void parallel_for(std::uint64_t n, Fn&& fn, std::uint64_t work_per_item = 1) {
  if (n < 2 || n * work_per_item < kParallelThreshold || serial_here()) {
    for (std::uint64_t i = 0; i < n; ++i) fn(i);
    return;
  }
  const auto sn = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static) num_threads(num_threads())
  for (std::int64_t i = 0; i < sn; ++i) fn(static_cast<std::uint64_t>(i));
}

/// fn(i) for i in [0, n) where each call is a coarse task (a chunk of a batch, a circuit of a sweep): parallel as
/// soon as there are two big enough. The first exception a task throws is rethrown on the calling thread.
/// `work_per_task` (in amplitude updates, roughly) keeps tiny tasks serial: waking threads costs microseconds.
template <class Fn>
void parallel_tasks(std::uint64_t n, Fn&& fn, std::uint64_t work_per_task = kParallelTaskThreshold) {
  if (n < 2 || serial_here() || n * work_per_task < kParallelTaskThreshold) {
    for (std::uint64_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::exception_ptr error;
  std::mutex m;
  const auto sn = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(dynamic, 1) num_threads(static_cast<int>(std::min<std::uint64_t>(n, num_threads())))
  for (std::int64_t i = 0; i < sn; ++i) {
    try {
      fn(static_cast<std::uint64_t>(i));
    } catch (...) {
      std::lock_guard<std::mutex> lock(m);
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

/// Σ_{i<n} fn(i), summed per block of kReduceBlock items, blocks summed in order.
template <class R, class Fn>
R parallel_sum(std::uint64_t n, Fn&& fn) {
  auto block_sum = [&](std::uint64_t b) {
    R s{};
    const std::uint64_t lo = b * kReduceBlock, hi = std::min(n, lo + kReduceBlock);
    for (std::uint64_t i = lo; i < hi; ++i) s += fn(i);
    return s;
  };
  const std::uint64_t blocks = (n + kReduceBlock - 1) / kReduceBlock;
  if (blocks <= 1) return blocks ? block_sum(0) : R{};
  std::vector<R> partial(blocks);
  if (n < kParallelThreshold || serial_here()) {
    for (std::uint64_t b = 0; b < blocks; ++b) partial[b] = block_sum(b);
  } else {
    const auto sb = static_cast<std::int64_t>(blocks);
#pragma omp parallel for schedule(static) num_threads(num_threads())
    for (std::int64_t b = 0; b < sb; ++b) partial[static_cast<std::uint64_t>(b)] = block_sum(static_cast<std::uint64_t>(b));
  }
  R s{};
  for (const R& p : partial) s += p;
  return s;
}

}  // namespace qnn
