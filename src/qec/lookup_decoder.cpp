#include "qnn/qec/lookup_decoder.hpp"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/qec/decoding_graph.hpp"

namespace qnn::qec {

LookupDecoder::LookupDecoder(const DetectorErrorModel& dem, std::uint64_t max_combinations)
    : num_detectors_(dem.num_detectors) {
  if (dem.num_detectors > kMaxDetectors) {
    throw ValueError("decoder 'lookup': the model has " + std::to_string(dem.num_detectors) +
                     " detectors, allowed 0.." + std::to_string(kMaxDetectors) + " (use 'mwpm' or 'uf')");
  }
  struct Mechanism {
    std::uint32_t syndrome;
    std::uint64_t observables;
    double cost;  // |log((1 − p)/p)|
  };
  std::vector<Mechanism> mechanisms;
  for (const ErrorMechanism& e : merge_identical_mechanisms(dem)) {
    Mechanism m{0, 0, 0.0};
    for (std::uint32_t d : e.detectors) m.syndrome |= std::uint32_t{1} << d;
    for (std::uint32_t o : e.observables) m.observables |= std::uint64_t{1} << o;
    const double llr = log_likelihood_ratio(e.probability);
    m.cost = std::abs(llr);
    // p > 1/2: the mechanism is taken as present; "removing" it costs log(p/(1 − p)).
    if (llr < 0.0) {
      base_syndrome_ ^= m.syndrome;
      base_observables_ ^= m.observables;
    }
    if (m.syndrome != 0) mechanisms.push_back(m);  // undetectable ones cannot change a decision
  }

  // Largest weight W with Σ_{k ≤ W} C(m, k) ≤ max_combinations.
  const auto m = static_cast<std::uint64_t>(mechanisms.size());
  std::uint64_t total = 1, binom = 1;
  while (max_weight_ < m) {
    const std::uint64_t k = max_weight_ + 1;
    const long double next = static_cast<long double>(binom) * static_cast<long double>(m - k + 1) / k;
    if (static_cast<long double>(total) + next > static_cast<long double>(max_combinations)) break;
    binom = static_cast<std::uint64_t>(std::llround(next));
    total += binom;
    ++max_weight_;
  }

  table_.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(total, std::uint64_t{1} << kMaxDetectors)));
  table_[0] = Entry{0.0, 0};
  // Depth-first over index-increasing combinations: each subset of ≤ W mechanisms is visited once.
  auto visit = [&](auto&& self, std::size_t first, std::uint32_t depth, std::uint32_t syndrome, std::uint64_t obs,
                   double cost) -> void {
    for (std::size_t i = first; i < mechanisms.size(); ++i) {
      const Mechanism& mech = mechanisms[i];
      const std::uint32_t s = syndrome ^ mech.syndrome;
      const std::uint64_t o = obs ^ mech.observables;
      const double c = cost + mech.cost;
      auto [it, inserted] = table_.try_emplace(s, Entry{c, o});
      if (!inserted && c < it->second.cost) it->second = Entry{c, o};
      if (depth + 1 < max_weight_) self(self, i + 1, depth + 1, s, o, c);
    }
  };
  if (max_weight_ > 0) visit(visit, 0, 0, 0, 0, 0.0);
}

std::uint64_t LookupDecoder::decode(std::span<const std::uint32_t> fired) {
  std::uint32_t syndrome = base_syndrome_;
  for (std::uint32_t d : fired) {
    if (d >= num_detectors_) {
      throw ValueError("decoder 'lookup': fired detector " + std::to_string(d) + ", allowed 0.." +
                       std::to_string(static_cast<long long>(num_detectors_) - 1));
    }
    syndrome ^= std::uint32_t{1} << d;
  }
  auto it = table_.find(syndrome);
  return base_observables_ ^ (it == table_.end() ? 0 : it->second.observables);
}

}  // namespace qnn::qec
