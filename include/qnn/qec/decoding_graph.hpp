#pragma once
// The matching graph of a detector error model: one node per detector plus one virtual boundary node, one edge per
// graphlike error class (a mechanism that flips one detector is an edge to the boundary, two detectors an edge between
// them), weighted by the log-likelihood ratio w = log((1 − p)/p) so that the most likely error is the lightest edge set
// with the observed boundary (∂E = fired detectors). MWPM and union-find both decode on it.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "qnn/qec/detector_error_model.hpp"

namespace qnn::qec {

// `dem`'s mechanisms with identical (detectors, observables) merged into one with p = p1(1 − p2) + p2(1 − p1) (the
// probability that an odd number of them happen), in a canonical order; mechanisms with p = 0 or no detectors and no
// observables dropped. Validates the model: ValueError names a detector ≥ num_detectors, an observable ≥
// min(num_observables, 64), an unsorted or repeated index, or a probability outside [0, 1].
std::vector<ErrorMechanism> merge_identical_mechanisms(const DetectorErrorModel& dem);

// log((1 − p)/p), the weight of an error of probability p; clamped to ±100 (p ≈ 4·10⁻⁴⁴) so p = 0 or 1 stays finite.
double log_likelihood_ratio(double p);

struct DecodingEdge {
  std::uint32_t a = 0;  // detector
  std::uint32_t b = 0;  // detector, or DecodingGraph::boundary() for an edge to the boundary
  double probability = 0.0;
  // |log((1 − p)/p)| scaled to an integer (exact comparisons in the matching); p > 1/2 edges are pre-flipped, see
  // DecodingGraph::flipped_detectors.
  std::int64_t weight = 0;
  std::uint64_t observables = 0;  // bit k: the edge flips observable k
};

class DecodingGraph {
 public:
  // Builds the graph from `dem` for decoder `decoder_name` (used in error messages). Mechanisms flipping more than two
  // detectors are decomposed into existing graphlike edges whose detector sets partition theirs and whose observables
  // XOR to theirs (the lightest such decomposition; each part then also happens with the mechanism's probability);
  // ValueError when no decomposition exists. Parallel edges with different observables keep the more likely one.
  DecodingGraph(const DetectorErrorModel& dem, std::string_view decoder_name);

  [[nodiscard]] std::uint32_t num_detectors() const { return num_detectors_; }
  // Index of the virtual boundary node (= num_detectors()).
  [[nodiscard]] std::uint32_t boundary() const { return num_detectors_; }
  [[nodiscard]] const std::vector<DecodingEdge>& edges() const { return edges_; }

  struct Incidence {
    std::uint32_t node;  // the other end
    std::uint32_t edge;  // index into edges()
  };
  // Edges at `node` (a detector or the boundary), compressed-row storage.
  [[nodiscard]] std::span<const Incidence> incident(std::uint32_t node) const {
    return {incidence_.data() + offsets_[node], incidence_.data() + offsets_[node + 1]};
  }

  // An edge with p > 1/2 is more likely present than absent: decoders treat it as already applied (its detectors
  // toggled in every syndrome and its observables in every prediction) and weigh its removal by log(p/(1 − p)) > 0.
  // Sorted detectors of odd multiplicity among those edges' ends, and the XOR of their observables.
  [[nodiscard]] const std::vector<std::uint32_t>& flipped_detectors() const { return flipped_detectors_; }
  [[nodiscard]] std::uint64_t flipped_observables() const { return flipped_observables_; }

  // The defects a decoder matches for one shot: `fired` checked against the graph (a ValueError naming `decoder`
  // for an index out of range), toggled by flipped_detectors() into `scratch` when there are any.
  [[nodiscard]] std::span<const std::uint32_t> defects(std::span<const std::uint32_t> fired, std::string_view decoder,
                                                       std::vector<std::uint32_t>& scratch) const;

  // Integer weight units per unit of log-likelihood ratio.
  [[nodiscard]] double weight_scale() const { return weight_scale_; }

 private:
  std::uint32_t num_detectors_ = 0;
  std::vector<DecodingEdge> edges_;
  std::vector<std::uint32_t> offsets_;
  std::vector<Incidence> incidence_;
  std::vector<std::uint32_t> flipped_detectors_;
  std::uint64_t flipped_observables_ = 0;
  double weight_scale_ = 1.0;
};

// fired ⊕ flipped (both sorted) into `out` (cleared first): the syndrome the decoders match once p > 1/2 edges are
// applied. Allocation-free once `out` has grown.
void toggle_detectors(std::span<const std::uint32_t> fired, std::span<const std::uint32_t> flipped,
                      std::vector<std::uint32_t>& out);

}  // namespace qnn::qec
