#pragma once
// Logical error rates by sampling and decoding: shots in chunks of 64·W (threads over chunks, each thread with its own
// frame sampler and decoder, each chunk with its own random stream, so the counts do not depend on the thread
// count), a failure whenever the decoder's predicted observable flips differ from the sampled ones.
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "qnn/qec/clifford_circuit.hpp"
#include "qnn/qec/decoder.hpp"
#include "qnn/qec/detector_error_model.hpp"

namespace qnn::qec {

struct LogicalErrorRate {
  std::uint64_t shots = 0;
  std::uint64_t failures = 0;
  double rate = 0.0;
  double low = 0.0, high = 0.0;  // 95 % Wilson score interval
  double sample_seconds = 0.0;   // thread-seconds spent sampling
  double decode_seconds = 0.0;   // thread-seconds spent decoding
};

/// Wilson score interval for k successes in n trials at normal quantile z (1.96: 95 %):
/// (k + z²/2 ± z √(k(n−k)/n + z²/4)) / (n + z²). Unlike k/n ± z√(p(1−p)/n) it stays inside [0, 1] and is not empty
/// at k = 0.
std::pair<double, double> wilson_interval(std::uint64_t k, std::uint64_t n, double z = 1.96);

using DecoderFactory = std::function<std::unique_ptr<Decoder>(const DetectorErrorModel&)>;

struct ExperimentOptions {
  std::uint64_t shots = 10000;
  std::uint64_t seed = 1;
  /// Shots per chunk = 64 · words_per_chunk.
  std::size_t words_per_chunk = 16;
  /// Called with the number of shots done so far (from any thread, one call at a time).
  std::function<void(std::uint64_t)> progress = {};
};

/// Samples `options.shots` shots of `circuit`, decodes each with a decoder from `factory(dem)` and counts logical
/// failures (any observable predicted wrongly).
LogicalErrorRate run_memory_experiment(const CliffordCircuit& circuit, const DetectorErrorModel& dem,
                                       const DecoderFactory& factory, const ExperimentOptions& options);
/// The same with make_decoder(decoder_name, dem).
LogicalErrorRate run_memory_experiment(const CliffordCircuit& circuit, const DetectorErrorModel& dem,
                                       std::string_view decoder_name, const ExperimentOptions& options);

/// Where two logical-error-rate curves cross (the threshold): the first interval [p_i, p_{i+1}] in which
/// r_large − r_small changes sign from negative (larger code better) to non-negative, interpolated linearly in
/// (log p, log r_large − log r_small). NaN when the curves do not cross in range or a rate is 0.
double curve_crossing(std::span<const double> p, std::span<const double> rate_small, std::span<const double> rate_large);

}  // namespace qnn::qec
