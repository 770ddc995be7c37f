#include "qnn/qec/decoding_graph.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <iterator>
#include <limits>
#include <map>
#include <string>
#include <unordered_map>
#include <utility>

#include "qnn/core/error.hpp"

namespace qnn::qec {

namespace {

std::string index_list(const std::vector<std::uint32_t>& v) {
  std::string s = "{";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "}";
}

void check_indices(const std::vector<std::uint32_t>& v, std::uint32_t limit, const char* what, std::size_t mechanism) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i] >= limit) {
      throw ValueError("detector error model: mechanism " + std::to_string(mechanism) + " has " + what + " " +
                       std::to_string(v[i]) + ", allowed 0.." + std::to_string(static_cast<long long>(limit) - 1));
    }
    if (i > 0 && v[i] <= v[i - 1]) {
      throw ValueError("detector error model: mechanism " + std::to_string(mechanism) + " lists " + what + "s " +
                       index_list(v) + ", which must be sorted and distinct");
    }
  }
}

// Probability that an odd number of two independent events happen.
double xor_probability(double p1, double p2) { return p1 * (1.0 - p2) + p2 * (1.0 - p1); }

std::uint64_t pair_key(std::uint32_t a, std::uint32_t b) { return (std::uint64_t{a} << 32) | b; }

}  // namespace

double log_likelihood_ratio(double p) {
  constexpr double kMax = 100.0;
  if (p <= 0.0) return kMax;
  if (p >= 1.0) return -kMax;
  return std::clamp(std::log1p(-p) - std::log(p), -kMax, kMax);
}

std::vector<ErrorMechanism> merge_identical_mechanisms(const DetectorErrorModel& dem) {
  if (dem.num_observables > 64) {
    throw ValueError("detector error model: num_observables = " + std::to_string(dem.num_observables) +
                     ", allowed 0..64 (decoders return one 64-bit mask)");
  }
  std::map<std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>>, double> merged;
  for (std::size_t m = 0; m < dem.errors.size(); ++m) {
    const ErrorMechanism& e = dem.errors[m];
    if (!(e.probability >= 0.0 && e.probability <= 1.0)) {
      throw ValueError("detector error model: mechanism " + std::to_string(m) + " has probability " +
                       std::to_string(e.probability) + ", allowed [0, 1]");
    }
    check_indices(e.detectors, dem.num_detectors, "detector", m);
    check_indices(e.observables, dem.num_observables, "observable", m);
    if (e.probability == 0.0 || (e.detectors.empty() && e.observables.empty())) continue;
    auto [it, inserted] = merged.try_emplace({e.detectors, e.observables}, e.probability);
    if (!inserted) it->second = xor_probability(it->second, e.probability);
  }
  std::vector<ErrorMechanism> out;
  out.reserve(merged.size());
  for (auto& [key, p] : merged) {
    if (p == 0.0) continue;
    out.push_back(ErrorMechanism{p, key.first, key.second});
  }
  return out;
}

DecodingGraph::DecodingGraph(const DetectorErrorModel& dem, std::string_view decoder_name)
    : num_detectors_(dem.num_detectors) {
  const std::vector<ErrorMechanism> mechanisms = merge_identical_mechanisms(dem);
  const std::uint32_t bnd = num_detectors_;
  auto mask_of = [](const std::vector<std::uint32_t>& obs) {
    std::uint64_t m = 0;
    for (std::uint32_t o : obs) m |= std::uint64_t{1} << o;
    return m;
  };

  // Graphlike classes first: one edge per detector pair (or detector–boundary); of parallel classes that differ in
  // their observables, the more likely one stands for the pair (PyMatching's "smallest weight" merge).
  std::unordered_map<std::uint64_t, std::uint32_t> edge_of;
  for (const ErrorMechanism& e : mechanisms) {
    if (e.detectors.empty() || e.detectors.size() > 2) continue;
    const std::uint32_t a = e.detectors[0];
    const std::uint32_t b = e.detectors.size() == 2 ? e.detectors[1] : bnd;
    auto [it, inserted] = edge_of.try_emplace(pair_key(a, b), static_cast<std::uint32_t>(edges_.size()));
    if (inserted) {
      edges_.push_back(DecodingEdge{a, b, e.probability, 0, mask_of(e.observables)});
    } else if (e.probability > edges_[it->second].probability) {
      edges_[it->second].probability = e.probability;
      edges_[it->second].observables = mask_of(e.observables);
    }
  }

  // Hyperedges: the lightest partition of the detector set into existing edges whose observables XOR to the
  // mechanism's (backtracking over the smallest remaining detector's partners; hyperedges from circuit noise have ≤ 4–6
  // detectors).
  std::vector<std::pair<std::uint32_t, double>> additions;  // (edge, probability to XOR in)
  for (const ErrorMechanism& e : mechanisms) {
    if (e.detectors.size() <= 2) continue;
    const std::size_t n = e.detectors.size();
    auto fail = [&](const std::string& why) {
      throw ValueError("decoder '" + std::string(decoder_name) + "': error mechanism with detectors " +
                       index_list(e.detectors) + " and observables " + index_list(e.observables) + " " + why +
                       "; use the 'lookup' decoder for hypergraph models of ≤ 24 detectors");
    };
    if (n > 24) fail("flips more than 24 detectors, too many to decompose into graphlike edges");
    const std::uint64_t target = mask_of(e.observables);
    std::vector<std::uint32_t> current, best;
    double best_cost = std::numeric_limits<double>::infinity();
    std::size_t budget = 1'000'000;
    // `left`: bit i set while e.detectors[i] is still to be covered.
    auto search = [&](auto&& self, std::uint32_t left, std::uint64_t obs, double cost) -> void {
      if (budget == 0 || cost >= best_cost) return;
      --budget;
      if (left == 0) {
        if (obs == target) {
          best_cost = cost;
          best = current;
        }
        return;
      }
      const int i = std::countr_zero(left);
      const std::uint32_t di = e.detectors[static_cast<std::size_t>(i)];
      auto try_edge = [&](std::uint64_t key, std::uint32_t rest) {
        auto it = edge_of.find(key);
        if (it == edge_of.end()) return;
        const DecodingEdge& edge = edges_[it->second];
        current.push_back(it->second);
        self(self, rest, obs ^ edge.observables, cost + std::max(0.0, log_likelihood_ratio(edge.probability)));
        current.pop_back();
      };
      const std::uint32_t rest = left & ~(std::uint32_t{1} << i);
      for (std::uint32_t r = rest; r != 0; r &= r - 1) {
        const int j = std::countr_zero(r);
        try_edge(pair_key(di, e.detectors[static_cast<std::size_t>(j)]), rest & ~(std::uint32_t{1} << j));
      }
      try_edge(pair_key(di, bnd), rest);
    };
    search(search, static_cast<std::uint32_t>((std::uint64_t{1} << n) - 1), 0, 0.0);
    if (best.empty()) {
      fail(budget == 0 ? "could not be decomposed into graphlike edges within the search budget"
                       : "is not a union of graphlike edges whose observables XOR to its own");
    }
    for (std::uint32_t edge : best) additions.emplace_back(edge, e.probability);
  }
  for (auto [edge, p] : additions) edges_[edge].probability = xor_probability(edges_[edge].probability, p);

  // Integer weights: the largest |llr| maps to 2^20, so path sums of up to ~10^12 edges fit in 63 bits and the
  // rounding error (≤ 2^-21 of the largest weight per edge) is far below any likelihood difference that matters.
  double max_llr = 0.0;
  for (const DecodingEdge& edge : edges_) max_llr = std::max(max_llr, std::abs(log_likelihood_ratio(edge.probability)));
  weight_scale_ = max_llr > 0.0 ? double(1 << 20) / max_llr : 1.0;
  std::vector<std::uint32_t> flip_count(num_detectors_, 0);
  for (DecodingEdge& edge : edges_) {
    const double llr = log_likelihood_ratio(edge.probability);
    edge.weight = std::llround(std::abs(llr) * weight_scale_);
    if (llr < 0.0) {
      flip_count[edge.a] ^= 1;
      if (edge.b != bnd) flip_count[edge.b] ^= 1;
      flipped_observables_ ^= edge.observables;
    }
  }
  for (std::uint32_t d = 0; d < num_detectors_; ++d) {
    if (flip_count[d]) flipped_detectors_.push_back(d);
  }

  // Compressed rows over num_detectors + 1 nodes (the last is the boundary).
  offsets_.assign(std::size_t{num_detectors_} + 2, 0);
  for (const DecodingEdge& edge : edges_) {
    ++offsets_[edge.a + 1];
    ++offsets_[edge.b + 1];
  }
  for (std::size_t i = 1; i < offsets_.size(); ++i) offsets_[i] += offsets_[i - 1];
  incidence_.resize(offsets_.back());
  std::vector<std::uint32_t> fill(offsets_.begin(), offsets_.end() - 1);
  for (std::uint32_t k = 0; k < edges_.size(); ++k) {
    incidence_[fill[edges_[k].a]++] = Incidence{edges_[k].b, k};
    incidence_[fill[edges_[k].b]++] = Incidence{edges_[k].a, k};
  }
}

std::span<const std::uint32_t> DecodingGraph::defects(std::span<const std::uint32_t> fired, std::string_view decoder,
                                                      std::vector<std::uint32_t>& scratch) const {
  for (std::uint32_t d : fired) {
    if (d >= num_detectors_) {
      throw ValueError("decoder '" + std::string(decoder) + "': fired detector " + std::to_string(d) + ", allowed 0.." +
                       std::to_string(static_cast<long long>(num_detectors_) - 1));
    }
  }
  if (flipped_detectors_.empty()) return fired;
  toggle_detectors(fired, flipped_detectors_, scratch);
  return scratch;
}

void toggle_detectors(std::span<const std::uint32_t> fired, std::span<const std::uint32_t> flipped,
                      std::vector<std::uint32_t>& out) {
  out.clear();
  std::set_symmetric_difference(fired.begin(), fired.end(), flipped.begin(), flipped.end(), std::back_inserter(out));
}

}  // namespace qnn::qec
