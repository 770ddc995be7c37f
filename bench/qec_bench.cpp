// Google Benchmark cases for QEC sampling and decoding: the rotated surface code's Z-memory experiment with d rounds
// under circuit-level noise p = 0.001 (the benchmark), d = 5 and 11.
//
//   BM_TableauPerShot/<d>     the naive baseline: one noisy tableau simulation per shot (noise applied as gates)
//   BM_FrameSampler/<d>       Pauli-frame sampling, 1024 shots per call (detectors + observables, bit-packed)
//   BM_Decode/<decoder>/<d>   decoding pre-sampled shots, one decode() per shot
//
// Counters: shots_per_second (frame and tableau), us_per_shot (decode), and ratios to the naive tableau baseline
// measured in the same process (speedup_vs_tableau; decode_vs_tableau = decode time ÷ one tableau shot), since the
// machine is shared and only ratios are comparable between runs.
//
//   build/<dir>/bench/qec_bench --benchmark_filter=. [--benchmark_repetitions=5 --benchmark_report_aggregates_only]
#include <benchmark/benchmark.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "qnn/core/rng.hpp"
#include "qnn/qec/decoder.hpp"
#include "qnn/qec/error_analysis.hpp"
#include "qnn/qec/frame_sampler.hpp"
#include "qnn/qec/memory_circuit.hpp"
#include "qnn/qec/tableau.hpp"

namespace {

using namespace qnn;
using namespace qnn::qec;

const CliffordCircuit& circuit(unsigned d) {
  static std::map<unsigned, CliffordCircuit> cache;
  auto it = cache.find(d);
  if (it == cache.end())
    it = cache.emplace(d, memory_circuit(rotated_surface_code(d), {.rounds = d, .basis = Basis::Z,
                                                                   .noise = NoiseModel::CircuitLevel, .p = 0.001}))
             .first;
  return it->second;
}

// Seconds per shot of the naive baseline, per distance (filled by BM_TableauPerShot, which runs first).
std::map<unsigned, double>& tableau_seconds() {
  static std::map<unsigned, double> m;
  return m;
}

void BM_TableauPerShot(benchmark::State& state) {
  const auto d = static_cast<unsigned>(state.range(0));
  const CliffordCircuit& c = circuit(d);
  Rng rng(1);
  std::uint64_t shots = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    benchmark::DoNotOptimize(tableau_sample(c, rng));
    ++shots;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  tableau_seconds()[d] = s / static_cast<double>(shots);
  state.counters["shots_per_second"] = benchmark::Counter(static_cast<double>(shots), benchmark::Counter::kIsRate);
}

void BM_FrameSampler(benchmark::State& state) {
  const auto d = static_cast<unsigned>(state.range(0));
  FrameSampler sampler(circuit(d));
  FrameSamples samples;
  Rng rng(2);
  constexpr std::size_t kWords = 16;
  std::uint64_t shots = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    sampler.sample(kWords, rng, samples);
    benchmark::DoNotOptimize(samples.detectors.data());
    shots += 64 * kWords;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  state.counters["shots_per_second"] = benchmark::Counter(static_cast<double>(shots), benchmark::Counter::kIsRate);
  if (tableau_seconds().count(d))
    state.counters["speedup_vs_tableau"] = tableau_seconds()[d] / (s / static_cast<double>(shots));
}

void BM_Decode(benchmark::State& state, std::string decoder_name) {
  const auto d = static_cast<unsigned>(state.range(0));
  const CliffordCircuit& c = circuit(d);
  const DetectorErrorModel dem = detector_error_model(c);
  std::unique_ptr<Decoder> decoder;
  try {
    decoder = make_decoder(decoder_name, dem);
  } catch (const std::exception& e) {
    state.SkipWithError(e.what());
    return;
  }
  FrameSampler sampler(c);
  FrameSamples samples;
  Rng rng(3);
  sampler.sample(64, rng, samples);  // 4096 shots, decoded round-robin
  std::vector<std::vector<std::uint32_t>> fired;
  std::vector<std::uint64_t> actual;
  samples.per_shot(fired, actual);
  std::size_t i = 0, failures = 0, shots = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    failures += decoder->decode(fired[i]) != actual[i];
    i = (i + 1) % fired.size();
    ++shots;
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / static_cast<double>(shots);
  state.counters["us_per_shot"] = 1e6 * s;
  state.counters["failure_rate"] = static_cast<double>(failures) / static_cast<double>(shots);
  if (tableau_seconds().count(d)) state.counters["decode_vs_tableau"] = s / tableau_seconds()[d];
}

const bool registered = [] {
  for (int d : {5, 11}) benchmark::RegisterBenchmark("BM_TableauPerShot", BM_TableauPerShot)->Arg(d)->MinTime(0.5);
  for (int d : {5, 11}) benchmark::RegisterBenchmark("BM_FrameSampler", BM_FrameSampler)->Arg(d)->MinTime(0.5);
  for (std::string_view name : decoder_names())
    for (int d : {5, 11})
      benchmark::RegisterBenchmark(("BM_Decode/" + std::string(name)).c_str(), BM_Decode, std::string(name))
          ->Arg(d)
          ->MinTime(0.5);
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
