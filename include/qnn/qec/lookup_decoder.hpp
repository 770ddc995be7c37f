#pragma once
// Lookup-table decoding for small models: for every syndrome reachable by at most `max_weight()` error mechanisms, the
// most likely such error (least Σ log((1 − p)/p)), and its observable flips. Handles any hypergraph model.
#include <cstdint>
#include <span>
#include <string_view>
#include <unordered_map>

#include "qnn/qec/decoder.hpp"
#include "qnn/qec/detector_error_model.hpp"

namespace qnn::qec {

class LookupDecoder final : public Decoder {
 public:
  static constexpr std::uint32_t kMaxDetectors = 24;
  // Enumerates error combinations of weight 0, 1, 2, … while their count stays ≤ `max_combinations` (the default
  // bounds the table near 50 MB and its construction near a second). ValueError for more than kMaxDetectors detectors.
  explicit LookupDecoder(const DetectorErrorModel& dem, std::uint64_t max_combinations = std::uint64_t{1} << 20);

  // Syndromes no enumerated error explains decode to "no flip" (beyond the p > 1/2 mechanisms taken as present).
  std::uint64_t decode(std::span<const std::uint32_t> fired) override;
  std::string_view name() const override { return "lookup"; }

  // The weight bound the table was built with (= the number of mechanisms when it is exhaustive).
  [[nodiscard]] std::uint32_t max_weight() const { return max_weight_; }
  [[nodiscard]] std::size_t table_size() const { return table_.size(); }

 private:
  struct Entry {
    double cost;
    std::uint64_t observables;
  };
  std::uint32_t num_detectors_ = 0;
  std::uint32_t max_weight_ = 0;
  std::uint32_t base_syndrome_ = 0;   // detectors toggled by the mechanisms with p > 1/2
  std::uint64_t base_observables_ = 0;
  std::unordered_map<std::uint32_t, Entry> table_;
};

}  // namespace qnn::qec
