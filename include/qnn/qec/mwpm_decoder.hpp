#pragma once
// Minimum-weight perfect matching decoding. Per shot: the fired detectors ("defects") each get a boundary twin; a
// defect–defect edge weighs the shortest-path distance between them in the decoding graph, a defect–own-twin edge its
// distance to the boundary b_i, twin–twin edges 0. A pair is only worth an edge when d(i, j) < b_i + b_j (else both
// going to the boundary is no worse), and then its shortest path crosses from the ball {x : d(i, x) ≤ b_i} to the ball
// {y : d(j, y) ≤ b_j} along one edge; so each defect runs Dijkstra only out to radius b_i, and
// d(i, j) = min over edges x–y of d(i, x) + w(x, y) + d(j, y) with x, y in the two balls (far cheaper than searching to
// radius b_i + max_j b_j: in a 3D graph, an eighth of the volume). The exact minimum-weight perfect matching of that graph (blossom) is the
// most likely graphlike error; the prediction is the XOR of the observable masks along the matched shortest paths.
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

 private:
  static constexpr std::int64_t kInfinity = std::numeric_limits<std::int64_t>::max() / 4;  // unreachable; two of them still add without overflow

  DecodingGraph graph_;
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
  std::vector<std::pair<std::int64_t, std::uint32_t>> heap_;
  std::vector<std::int64_t> pair_distance_;      // k × k
  std::vector<std::uint64_t> pair_observables_;  // k × k
  PerfectMatching matching_;
};

}  // namespace qnn::qec
