#pragma once
// Minimum-weight perfect matching decoding. Per shot: the fired detectors ("defects") each get a boundary twin; a
// defect–defect edge weighs the shortest-path distance between them in the decoding graph, a defect–own-twin edge its
// distance to the boundary b_i, twin–twin edges 0. A pair is only worth an edge when d(i, j) < b_i + b_j (else both
// going to the boundary is no worse), and then its shortest path crosses from the ball {x : d(i, x) ≤ b_i} to the ball
// {y : d(j, y) ≤ b_j} along one edge; so each defect runs Dijkstra only out to radius b_i, and
// d(i, j) = min over edges x–y of d(i, x) + w(x, y) + d(j, y) with x, y in the two balls (far cheaper than searching to
// radius b_i + max_j b_j: in a 3D graph, an eighth of the volume). The exact minimum-weight perfect matching of that graph (blossom) is the
// most likely graphlike error; the prediction is the XOR of the observable masks along the matched shortest paths.
//
// Balls out to b_i still cover much of a large graph (d = 11, circuit level: 720 detectors, ~17 defects a shot), so
// each shot first tries radii capped at one edge's weight: only pairs with d(i, j) ≤ r_i + r_j are known, and the
// matching on them is kept when the blossom's duals show that no pair left out (d(i, j) > r_i + r_j) could improve it
// (PerfectMatching::min_weight_not_improving). Sparse shots retry with the cap doubled, up to four edges. Otherwise
// the full balls are built and each connected component of the pair graph is matched on its own. Either way the
// result is an exact minimum-weight matching.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "qnn/qec/decoder.hpp"
#include "qnn/qec/decoding_graph.hpp"
#include "qnn/qec/detector_error_model.hpp"
#include "qnn/qec/perfect_matching.hpp"

namespace qnn::qec {

class MwpmDecoder final : public Decoder {
 public:
  // ValueError for a model whose hyperedges do not decompose into graphlike edges (see DecodingGraph).
  explicit MwpmDecoder(const DetectorErrorModel& dem);

  std::uint64_t decode(std::span<const std::uint32_t> fired) override;
  std::string_view name() const override { return "mwpm"; }
  [[nodiscard]] const DecodingGraph& graph() const { return graph_; }
  // Shots with ≥ 2 defects decoded so far by a capped-radius try (its optimality proven by the matching's duals), and
  // by the full-radius search (the fallback, or the only way when no boundary distance exceeds the cap).
  [[nodiscard]] std::uint64_t local_solves() const { return local_solved_; }
  [[nodiscard]] std::uint64_t full_solves() const { return full_solved_; }

 private:
  static constexpr std::int64_t kInfinity = std::numeric_limits<std::int64_t>::max() / 4;  // unreachable; two of them still add without overflow

  // Fills pair_distance_/pair_observables_ (k × k, i < j) for this shot's defects from Dijkstra balls of radius
  // r_i = min(b_i, radius_cap): every pair with d(i, j) ≤ r_i + r_j and d(i, j) < b_i + b_j gets its exact distance.
  void find_pairs(std::span<const std::uint32_t> defects, std::int64_t radius_cap);
  [[nodiscard]] std::int64_t radius(std::uint32_t detector, std::int64_t cap) const {
    return std::min(boundary_distance_[detector], cap);
  }

  static constexpr std::int64_t kLocalRadiusEdges = 1;
  static constexpr std::int64_t kMaxLocalRadiusEdges = 4;  // the largest capped try, in units of the first cap

  DecodingGraph graph_;
  std::int64_t local_radius_ = 0;  // the first try's radius cap
  std::uint64_t local_solved_ = 0, full_solved_ = 0;
  std::vector<std::int64_t> boundary_distance_;      // per detector
  std::vector<std::uint64_t> boundary_observables_;  // observables along that shortest path

  // Per-shot scratch, reused.
  std::vector<std::uint32_t> syndrome_;
  std::vector<std::int64_t> dist_;
  std::vector<std::uint64_t> path_observables_;
  std::vector<std::uint32_t> visited_epoch_;
  std::uint32_t epoch_ = 0;
  std::vector<std::int32_t> defect_index_;  // per detector: its index among this shot's defects, or −1
  struct BallEntry {
    std::uint32_t node;
    std::uint32_t defect;  // the ball's centre, as an index among the defects
    std::int64_t dist;
    std::uint64_t observables;
    std::int32_t next;  // next entry at the same node, −1 at the end
  };
  std::vector<BallEntry> ball_;              // all balls' nodes, ball by ball
  std::vector<std::size_t> ball_start_;      // ball i: ball_[ball_start_[i] .. ball_start_[i + 1])
  std::vector<std::int32_t> node_head_;      // per node: first entry there (valid when node_epoch_ is this shot's)
  std::vector<std::uint32_t> node_epoch_;
  std::uint32_t shot_epoch_ = 0;
  std::vector<std::uint32_t> member_stamp_;  // per node: member_epoch_ while the node lies in the ball being scanned
  std::uint32_t member_epoch_ = 0;
  std::vector<std::pair<std::int64_t, std::uint32_t>> heap_;
  std::vector<std::int64_t> pair_distance_;      // k × k
  std::vector<std::uint64_t> pair_observables_;  // k × k
  std::vector<std::uint32_t> component_parent_;  // union-find over defects joined by an edge worth having
  std::vector<std::uint32_t> component_start_, component_fill_, component_members_;
  PerfectMatching matching_;
};

}  // namespace qnn::qec
