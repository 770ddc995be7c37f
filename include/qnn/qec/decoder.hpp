#pragma once
// Decoders turn the detectors that fired in one shot into a prediction of which logical observables flipped.
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "qnn/qec/detector_error_model.hpp"

namespace qnn::qec {

class Decoder {
 public:
  virtual ~Decoder() = default;
  // `fired`: the indices of the detectors that fired (sorted). Returns the predicted observable flips, bit k for
  // observable k. Not thread-safe: use one decoder per thread.
  virtual std::uint64_t decode(std::span<const std::uint32_t> fired) = 0;
  virtual std::string_view name() const = 0;
};

// "lookup" (small codes), "mwpm" (minimum-weight perfect matching), "uf" (union-find); ValueError for other names or
// a model the decoder cannot handle (e.g. too many detectors for a lookup table).
std::unique_ptr<Decoder> make_decoder(std::string_view name, const DetectorErrorModel& dem);
std::vector<std::string_view> decoder_names();

}  // namespace qnn::qec
