#pragma once
// Union-find decoding (Delfosse & Nickerson, Quantum 5, 595 (2021)) with weighted growth: every cluster with an odd
// number of defects that has not reached the boundary grows along all edges leaving it; an edge of weight w is fully
// grown once the clusters at its ends have together grown w along it (an edge between two odd clusters grows from both
// ends, at twice the rate). Growth is event-driven: each round advances by the least amount that completes an edge, so
// it costs one round per merge, not one per weight unit. Fully grown edges merge clusters (union by size, path
// halving); reaching the boundary neutralises a cluster. Then each cluster is peeled: on a BFS spanning tree rooted at
// its boundary vertex (or any vertex), leaves with a defect pull their tree edge into the correction.
//
// Almost-linear time per shot; less accurate than MWPM (code-capacity threshold ≈ 9.9 % against 10.3 % on the toric
// code) since clusters grow by distance only, not by likelihood of the whole correction.
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "qnn/qec/decoder.hpp"
#include "qnn/qec/decoding_graph.hpp"
#include "qnn/qec/detector_error_model.hpp"

namespace qnn::qec {

class UnionFindDecoder final : public Decoder {
 public:
  // ValueError for a model whose hyperedges do not decompose into graphlike edges (see DecodingGraph).
  explicit UnionFindDecoder(const DetectorErrorModel& dem);

  std::uint64_t decode(std::span<const std::uint32_t> fired) override;
  std::string_view name() const override { return "uf"; }
  [[nodiscard]] const DecodingGraph& graph() const { return graph_; }

 private:
  void touch_node(std::uint32_t v);
  void touch_edge(std::uint32_t e);
  std::uint32_t find(std::uint32_t v);
  void unite(std::uint32_t a, std::uint32_t b);

  DecodingGraph graph_;
  std::uint32_t epoch_ = 0;  // per-shot stamp: node/edge state older than it reads as fresh

  // Per node (detectors; the boundary node is never a cluster member).
  std::vector<std::uint32_t> node_epoch_;
  std::vector<std::uint32_t> parent_;
  std::vector<std::uint32_t> size_;
  std::vector<std::uint8_t> odd_;          // per root: odd number of defects
  std::vector<std::uint8_t> at_boundary_;  // per root: has a fully grown edge to the boundary
  std::vector<std::int32_t> boundary_edge_;  // per root: one such edge
  std::vector<std::int32_t> next_;         // cluster member lists: next member, −1 at the tail
  std::vector<std::uint32_t> tail_;        // per root: last member
  std::vector<std::uint8_t> defect_;       // per node: carries a defect (toggled while peeling)
  std::vector<std::int32_t> tree_edge_;    // per node: the BFS tree edge towards the root, −1 for the root
  std::vector<std::uint32_t> tree_epoch_;

  // Per edge.
  std::vector<std::uint32_t> edge_epoch_;
  std::vector<std::int64_t> support_;
  std::vector<std::uint8_t> grown_;
  std::vector<std::uint8_t> rate_;

  // Per-shot lists, reused.
  std::vector<std::uint32_t> syndrome_;
  std::vector<std::uint32_t> odd_roots_, next_odd_roots_, frontier_, newly_grown_, roots_, order_;
};

}  // namespace qnn::qec
