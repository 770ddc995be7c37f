#include "qnn/qec/memory_experiment.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <mutex>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/qec/frame_sampler.hpp"

namespace qnn::qec {

std::pair<double, double> wilson_interval(std::uint64_t k, std::uint64_t n, double z) {
  if (n == 0) return {0.0, 1.0};
  const double kn = static_cast<double>(k), nn = static_cast<double>(n), z2 = z * z;
  const double centre = kn + z2 / 2, half = z * std::sqrt(kn * (nn - kn) / nn + z2 / 4);
  return {std::max(0.0, (centre - half) / (nn + z2)), std::min(1.0, (centre + half) / (nn + z2))};
}

LogicalErrorRate run_memory_experiment(const CliffordCircuit& circuit, const DetectorErrorModel& dem,
                                       const DecoderFactory& factory, const ExperimentOptions& o) {
  if (o.words_per_chunk == 0) throw ValueError("words per chunk must be at least 1");
  if (dem.num_detectors != circuit.num_detectors() || dem.num_observables != circuit.num_observables())
    throw ValueError("the detector error model does not belong to the circuit (" + std::to_string(dem.num_detectors) +
                     " detectors vs " + std::to_string(circuit.num_detectors()) + ")");
  using clock = std::chrono::steady_clock;
  const std::uint64_t chunk_shots = 64 * o.words_per_chunk;
  const std::uint64_t chunks = (o.shots + chunk_shots - 1) / chunk_shots;
  const std::uint64_t workers = std::max<std::uint64_t>(1, std::min<std::uint64_t>(chunks, num_threads()));
  // Shared noiseless reference (one tableau run).
  const std::vector<std::uint8_t> reference = FrameSampler(circuit.without_noise(), 1).reference();

  std::vector<std::uint64_t> failures(workers, 0);
  std::vector<double> sample_s(workers, 0.0), decode_s(workers, 0.0);
  std::atomic<std::uint64_t> done{0};
  std::mutex progress_mutex;
  // Work per chunk in "amplitude updates" for the task threshold: plenty, so chunks always run in parallel.
  parallel_tasks(
      workers,
      [&](std::uint64_t w) {
        FrameSampler sampler(circuit, reference);
        const std::unique_ptr<Decoder> decoder = factory(dem);
        FrameSamples samples;
        std::vector<std::vector<std::uint32_t>> fired;
        std::vector<std::uint64_t> actual;
        for (std::uint64_t chunk = w; chunk < chunks; chunk += workers) {
          // One stream per chunk, a function of (seed, chunk) only.
          Rng rng(o.seed * 0x9e3779b97f4a7c15ULL + chunk);
          const auto t0 = clock::now();
          sampler.sample(o.words_per_chunk, rng, samples);
          samples.per_shot(fired, actual);
          const auto t1 = clock::now();
          const std::uint64_t n = std::min(chunk_shots, o.shots - chunk * chunk_shots);
          for (std::uint64_t s = 0; s < n; ++s) failures[w] += decoder->decode(fired[s]) != actual[s];
          const auto t2 = clock::now();
          sample_s[w] += std::chrono::duration<double>(t1 - t0).count();
          decode_s[w] += std::chrono::duration<double>(t2 - t1).count();
          const std::uint64_t total = done.fetch_add(n) + n;
          if (o.progress) {
            std::lock_guard<std::mutex> lock(progress_mutex);
            o.progress(total);
          }
        }
      },
      kParallelTaskThreshold);
  LogicalErrorRate r;
  r.shots = o.shots;
  for (std::uint64_t w = 0; w < workers; ++w) {
    r.failures += failures[w];
    r.sample_seconds += sample_s[w];
    r.decode_seconds += decode_s[w];
  }
  r.rate = o.shots ? static_cast<double>(r.failures) / static_cast<double>(o.shots) : 0.0;
  std::tie(r.low, r.high) = wilson_interval(r.failures, r.shots);
  return r;
}

LogicalErrorRate run_memory_experiment(const CliffordCircuit& circuit, const DetectorErrorModel& dem,
                                       std::string_view decoder_name, const ExperimentOptions& options) {
  make_decoder(decoder_name, dem);  // fail on the calling thread, before any sampling
  const std::string name(decoder_name);
  return run_memory_experiment(
      circuit, dem, [&](const DetectorErrorModel& m) { return make_decoder(name, m); }, options);
}

double curve_crossing(std::span<const double> p, std::span<const double> small, std::span<const double> large) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  if (p.size() != small.size() || p.size() != large.size()) throw ValueError("curve_crossing: lengths differ");
  for (std::size_t i = 0; i + 1 < p.size(); ++i) {
    if (small[i] <= 0 || large[i] <= 0 || small[i + 1] <= 0 || large[i + 1] <= 0) continue;
    const double g0 = std::log(large[i]) - std::log(small[i]);
    const double g1 = std::log(large[i + 1]) - std::log(small[i + 1]);
    if (g0 < 0 && g1 >= 0) {
      const double t = g0 / (g0 - g1);
      return std::exp(std::log(p[i]) + t * (std::log(p[i + 1]) - std::log(p[i])));
    }
  }
  return nan;
}

}  // namespace qnn::qec
