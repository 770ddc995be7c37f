// Decoding time per shot of each decoder on hand-built rotated-surface-code models (tests/qec/hand_built_models.hpp),
// with the union-find decoder on the same shots as the baseline (counter `vs_uf` = time ÷ UF's time, same process):
//
//   BM_Decode/<decoder>/capacity/d<d>/p0.05    code capacity: d² qubits flip with p, one round of perfect checks
//   BM_Decode/<decoder>/phenom/d<d>/p0.002     phenomenological, d noisy rounds: qubit and outcome flips with p = 0.2 %,
//                                              about the detection-event density of circuit-level noise at p = 0.1 %
//                                              (counter `detection_fraction` = fired detectors ÷ detectors)
//
// Shots are sampled up front (4096 per model) and cycled, so only decoding is timed. Counters: us_per_shot.
//
// QNN_BENCH_QEC_THRESHOLD=1 adds threshold sweeps (one iteration each; counters: rate = logical error rate, sigma = its
// standard error); the threshold is where the curves of different d cross:
//   BM_LogicalErrorRate/<decoder>/capacity/d<d>/p<p>   d = 5, 7, 9, p = 8 … 12 %, 20000 shots per point
//   BM_LogicalErrorRate/<decoder>/phenom/d<d>/p<p>     d = 3, 5, 7 with d noisy rounds, p = 2 … 3.5 %, 4000 shots
#include <benchmark/benchmark.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "qec/hand_built_models.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/qec/decoder.hpp"

namespace {

using qnn::qec::DetectorErrorModel;
using qnn::qec::testing::ModelSampler;
using qnn::qec::testing::rotated_surface_code_model;

struct Shots {
  std::vector<std::uint32_t> detectors;  // all shots' fired detectors, concatenated
  std::vector<std::size_t> offsets;      // shot s: detectors[offsets[s] .. offsets[s + 1])
  std::vector<std::uint64_t> observables;
  double detection_fraction = 0;
};

Shots sample_shots(const DetectorErrorModel& dem, std::size_t count, std::uint64_t seed) {
  Shots shots;
  qnn::Rng rng(seed);
  ModelSampler sampler(dem);
  std::vector<std::uint32_t> fired;
  shots.offsets.push_back(0);
  for (std::size_t s = 0; s < count; ++s) {
    shots.observables.push_back(sampler.sample(rng, fired));
    shots.detectors.insert(shots.detectors.end(), fired.begin(), fired.end());
    shots.offsets.push_back(shots.detectors.size());
  }
  shots.detection_fraction =
      static_cast<double>(shots.detectors.size()) / (static_cast<double>(count) * dem.num_detectors);
  return shots;
}

std::map<std::string, double>& uf_seconds_per_shot() {
  static std::map<std::string, double> m;
  return m;
}

void bm_decode(benchmark::State& state, std::string decoder_name, std::string model, std::uint32_t d, double p) {
  const DetectorErrorModel dem = model == "capacity" ? rotated_surface_code_model(d, p) : rotated_surface_code_model(d, p, d);
  const Shots shots = sample_shots(dem, 4096, 1234 + d);
  auto decoder = qnn::qec::make_decoder(decoder_name, dem);
  std::size_t s = 0, decoded = 0;
  std::uint64_t failures = 0;
  double seconds = 0;
  for (auto _ : state) {
    const auto t0 = std::chrono::steady_clock::now();
    for (int rep = 0; rep < 64; ++rep) {  // 64 shots per timed block: per-shot times are microseconds
      const std::span<const std::uint32_t> fired(shots.detectors.data() + shots.offsets[s],
                                                 shots.offsets[s + 1] - shots.offsets[s]);
      const std::uint64_t predicted = decoder->decode(fired);
      benchmark::DoNotOptimize(predicted);
      failures += predicted != shots.observables[s];
      if (++s == shots.observables.size()) s = 0;
    }
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    decoded += 64;
  }
  const double per_shot = seconds / static_cast<double>(decoded);
  state.counters["us_per_shot"] = per_shot * 1e6;
  state.counters["logical_error_rate"] = static_cast<double>(failures) / static_cast<double>(decoded);
  state.counters["detection_fraction"] = shots.detection_fraction;
  std::ostringstream key;
  key << model << d << "/" << p;
  if (decoder_name == "uf") uf_seconds_per_shot()[key.str()] = per_shot;
  if (auto it = uf_seconds_per_shot().find(key.str()); it != uf_seconds_per_shot().end()) {
    state.counters["vs_uf"] = per_shot / it->second;
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(decoded));
}

void bm_logical_error_rate(benchmark::State& state, std::string decoder_name, std::uint32_t d, double p,
                           std::uint32_t rounds, std::uint64_t shots) {
  const DetectorErrorModel dem = rotated_surface_code_model(d, p, rounds);
  auto decoder = qnn::qec::make_decoder(decoder_name, dem);
  const auto kShots = static_cast<double>(shots);
  std::uint64_t failures = 0;
  for (auto _ : state) failures = qnn::qec::testing::count_logical_errors(*decoder, dem, shots, 99 + d);
  const double rate = static_cast<double>(failures) / kShots;
  state.counters["rate"] = rate;
  state.counters["sigma"] = std::sqrt(rate * (1 - rate) / kShots);
}

std::string format_p(double p) {
  std::ostringstream s;
  s << p;
  return s.str();
}

const bool registered = [] {
  struct Model {
    const char* name;
    double p;
  };
  for (const Model& model : {Model{"capacity", 0.05}, Model{"phenom", 0.002}}) {
    for (std::uint32_t d : {5u, 11u}) {
      for (const char* decoder : {"uf", "mwpm"}) {
        const std::string name = std::string("BM_Decode/") + decoder + "/" + model.name + "/d" + std::to_string(d) +
                                 "/p" + format_p(model.p);
        benchmark::RegisterBenchmark(name.c_str(), bm_decode, std::string(decoder), std::string(model.name), d,
                                     model.p)
            ->UseManualTime()
            ->Unit(benchmark::kMicrosecond);
      }
    }
  }
  // The lookup table on the smallest model it handles: d = 3 phenomenological has 4·4 = 16 detectors.
  benchmark::RegisterBenchmark("BM_Decode/lookup/phenom/d3/p0.002", bm_decode, std::string("lookup"),
                               std::string("phenom"), 3u, 0.002)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("BM_Decode/uf/phenom/d3/p0.002", bm_decode, std::string("uf"), std::string("phenom"),
                               3u, 0.002)
      ->UseManualTime()
      ->Unit(benchmark::kMicrosecond);
  if (const char* sweep = std::getenv("QNN_BENCH_QEC_THRESHOLD"); sweep && std::string(sweep) == "1") {
    for (const char* decoder : {"mwpm", "uf"}) {
      for (std::uint32_t d : {5u, 7u, 9u}) {
        for (double p : {0.08, 0.09, 0.095, 0.1, 0.105, 0.11, 0.12}) {
          const std::string name =
              std::string("BM_LogicalErrorRate/") + decoder + "/capacity/d" + std::to_string(d) + "/p" + format_p(p);
          benchmark::RegisterBenchmark(name.c_str(), bm_logical_error_rate, std::string(decoder), d, p, 0u,
                                       std::uint64_t{20000})
              ->Iterations(1)
              ->Unit(benchmark::kMillisecond);
        }
      }
      for (std::uint32_t d : {3u, 5u, 7u}) {
        for (double p : {0.02, 0.025, 0.03, 0.035}) {
          const std::string name =
              std::string("BM_LogicalErrorRate/") + decoder + "/phenom/d" + std::to_string(d) + "/p" + format_p(p);
          benchmark::RegisterBenchmark(name.c_str(), bm_logical_error_rate, std::string(decoder), d, p, d,
                                       std::uint64_t{4000})
              ->Iterations(1)
              ->Unit(benchmark::kMillisecond);
        }
      }
    }
  }
  return true;
}();

}  // namespace

BENCHMARK_MAIN();
