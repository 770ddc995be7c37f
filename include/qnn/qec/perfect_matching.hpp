#pragma once
// Minimum-weight perfect matching on a general graph: Edmonds' primal-dual blossom algorithm in its O(n³) form
// (Gabow/Lawler bookkeeping of least-slack edges per blossom), run as a maximum-weight maximum-cardinality matching on
// w' = 2(C − w), C > max w, which among the perfect matchings maximises Σw' = n·C − 2Σw, i.e. minimises Σw. Integer
// weights keep it exact: with even w' every slack of an edge between two outer (S) vertices is even, so the dual
// step δ = slack/2 stays integral.
//
// MWPM decoding calls it once per shot on a few tens of vertices; all buffers are reused between calls.
#include <cstdint>
#include <vector>

namespace qnn::qec {

class PerfectMatching {
 public:
  // Clears the graph and sets its vertex count.
  void reset(std::uint32_t num_vertices);
  // An undirected edge u–v (u ≠ v) of weight w ≥ 0.
  void add_edge(std::uint32_t u, std::uint32_t v, std::int64_t w);
  // Computes a maximum-cardinality matching of least total weight; true when it is perfect.
  bool solve();
  // The vertex matched to v after solve(), or −1.
  [[nodiscard]] std::int32_t mate(std::uint32_t v) const {
    return mate_[v] < 0 ? -1 : endpoint_[static_cast<std::size_t>(mate_[v])];
  }
  [[nodiscard]] std::uint32_t num_vertices() const { return static_cast<std::uint32_t>(n_); }
  // Optimality certificate after solve() found a perfect matching: an edge u–v of weight w that was not in the graph
  // would not change the optimum if u_u + u_v ≥ 4(C − w) (the dual feasibility of its w' = 2(C − w), blossom duals
  // ≥ 0 only adding to the left). So it suffices that w ≥ min_weight_not_improving(u, v).
  [[nodiscard]] std::int64_t min_weight_not_improving(std::uint32_t u, std::uint32_t v) const {
    return offset_ - (dual_[u] + dual_[v]) / 4;
  }

 private:
  // Edge k has endpoints endpoint_[2k] and endpoint_[2k + 1]; an "endpoint" p names one end, p ^ 1 the other.
  std::int64_t slack(int k) const;
  template <class Fn>
  void for_each_leaf(int b, Fn&& fn);
  void assign_label(int w, int t, int p);
  int scan_blossom(int v, int w);
  void add_blossom(int base, int k);
  void expand_blossom(int b, bool end_of_stage);
  void augment_blossom(int b, int v);
  void augment_matching(int k);

  int n_ = 0;
  std::int64_t offset_ = 0;  // C of the last solve()
  std::vector<int> endpoint_;
  std::vector<std::int64_t> weight_;  // w' per edge
  std::vector<int> neighbour_offset_, neighbour_end_;  // compressed rows of the remote endpoints at each vertex

  // Vertices are 0..n−1, blossoms n..2n−1.
  std::vector<int> mate_;          // per vertex: remote endpoint of its matched edge, or −1
  std::vector<int> label_;         // per vertex/top-level blossom: 0 free, 1 S (outer), 2 T (inner); bit 4: scanned
  std::vector<int> label_end_;     // the endpoint through which the label was assigned (−1 for a tree root)
  std::vector<int> in_blossom_;    // per vertex: its top-level blossom
  std::vector<int> parent_;        // per vertex/blossom: the blossom directly containing it, or −1
  std::vector<std::vector<int>> children_;  // per blossom: sub-blossoms around the odd cycle, base child first
  // Per blossom: endps[i] joins children[i] and children[i + 1]; endpoint_[endps[i]] lies in children[i].
  std::vector<std::vector<int>> endps_;
  std::vector<int> base_;          // per vertex/blossom: base vertex (−1 for an unused blossom slot)
  std::vector<int> best_edge_;     // least-slack edge to a different S-blossom (or, for free vertices, to an S vertex)
  std::vector<std::vector<int>> blossom_best_edges_;  // per S-blossom: least-slack edge to each neighbouring S-blossom
  std::vector<char> has_best_edges_;
  std::vector<int> unused_blossoms_;
  std::vector<std::int64_t> dual_;  // per vertex u_v, per blossom z_B
  std::vector<char> allowed_;       // per edge: known tight
  std::vector<int> queue_;          // S vertices whose edges are still to be scanned
  std::vector<int> scratch_path_, best_edge_to_, touched_;
};

}  // namespace qnn::qec
