#include "qnn/qec/union_find_decoder.hpp"

#include <algorithm>
#include <limits>
#include <string>
#include <utility>

#include "qnn/core/error.hpp"

namespace qnn::qec {

UnionFindDecoder::UnionFindDecoder(const DetectorErrorModel& dem) : graph_(dem, "uf") {
  const std::size_t nodes = graph_.num_detectors();
  node_epoch_.assign(nodes, 0);
  parent_.assign(nodes, 0);
  size_.assign(nodes, 0);
  odd_.assign(nodes, 0);
  at_boundary_.assign(nodes, 0);
  boundary_edge_.assign(nodes, -1);
  next_.assign(nodes, -1);
  tail_.assign(nodes, 0);
  defect_.assign(nodes, 0);
  tree_edge_.assign(nodes, -1);
  tree_epoch_.assign(nodes, 0);
  const std::size_t m = graph_.edges().size();
  edge_epoch_.assign(m, 0);
  support_.assign(m, 0);
  grown_.assign(m, 0);
  rate_.assign(m, 0);
}

// A node first met in this shot: a singleton cluster without defects.
void UnionFindDecoder::touch_node(std::uint32_t v) {
  if (node_epoch_[v] == epoch_) return;
  node_epoch_[v] = epoch_;
  parent_[v] = v;
  size_[v] = 1;
  odd_[v] = 0;
  at_boundary_[v] = 0;
  boundary_edge_[v] = -1;
  next_[v] = -1;
  tail_[v] = v;
  defect_[v] = 0;
}

void UnionFindDecoder::touch_edge(std::uint32_t e) {
  if (edge_epoch_[e] == epoch_) return;
  edge_epoch_[e] = epoch_;
  support_[e] = 0;
  grown_[e] = 0;
  rate_[e] = 0;
}

std::uint32_t UnionFindDecoder::find(std::uint32_t v) {
  while (parent_[v] != v) {
    parent_[v] = parent_[parent_[v]];  // path halving
    v = parent_[v];
  }
  return v;
}

void UnionFindDecoder::unite(std::uint32_t a, std::uint32_t b) {
  a = find(a);
  b = find(b);
  if (a == b) return;
  if (size_[a] < size_[b]) std::swap(a, b);
  parent_[b] = a;
  size_[a] += size_[b];
  odd_[a] ^= odd_[b];
  if (!at_boundary_[a] && at_boundary_[b]) {
    at_boundary_[a] = 1;
    boundary_edge_[a] = boundary_edge_[b];
  }
  next_[tail_[a]] = static_cast<std::int32_t>(b);  // append b's member list
  tail_[a] = tail_[b];
}

std::uint64_t UnionFindDecoder::decode(std::span<const std::uint32_t> fired) {
  const std::span<const std::uint32_t> defects = graph_.defects(fired, "uf", syndrome_);
  std::uint64_t prediction = graph_.flipped_observables();
  if (defects.empty()) return prediction;
  if (++epoch_ == 0) {  // wrapped: forget every stamp
    std::fill(node_epoch_.begin(), node_epoch_.end(), 0);
    std::fill(edge_epoch_.begin(), edge_epoch_.end(), 0);
    std::fill(tree_epoch_.begin(), tree_epoch_.end(), 0);
    epoch_ = 1;
  }
  const std::uint32_t bnd = graph_.boundary();
  const auto& edges = graph_.edges();

  odd_roots_.clear();
  for (std::uint32_t d : defects) {
    touch_node(d);
    odd_[d] = 1;
    defect_[d] = 1;
    odd_roots_.push_back(d);
  }

  // Growth: rounds until no cluster is odd and away from the boundary (or the odd ones have nowhere left to grow).
  for (;;) {
    // The clusters still odd: every odd cluster contains a cluster that was odd last round.
    next_odd_roots_.clear();
    for (std::uint32_t r : odd_roots_) {
      r = find(r);
      if (odd_[r] && !at_boundary_[r]) next_odd_roots_.push_back(r);
    }
    std::sort(next_odd_roots_.begin(), next_odd_roots_.end());
    next_odd_roots_.erase(std::unique(next_odd_roots_.begin(), next_odd_roots_.end()), next_odd_roots_.end());
    std::swap(odd_roots_, next_odd_roots_);
    if (odd_roots_.empty()) break;

    // Edges leaving odd clusters, each counted once per odd cluster at its ends (its growth rate).
    frontier_.clear();
    for (std::uint32_t r : odd_roots_) {
      for (std::int32_t v = static_cast<std::int32_t>(r); v != -1; v = next_[v]) {
        for (const auto& inc : graph_.incident(static_cast<std::uint32_t>(v))) {
          touch_edge(inc.edge);
          if (grown_[inc.edge]) continue;
          if (inc.node != bnd) {
            touch_node(inc.node);
            if (find(inc.node) == r) continue;  // inside the cluster: growing it changes nothing
          }
          if (rate_[inc.edge]++ == 0) frontier_.push_back(inc.edge);
        }
      }
    }
    if (frontier_.empty()) break;  // odd clusters with no boundary and nothing left to reach
    std::int64_t step = std::numeric_limits<std::int64_t>::max();
    for (std::uint32_t e : frontier_) {
      const std::int64_t left = edges[e].weight - support_[e];
      step = std::min(step, (left + rate_[e] - 1) / rate_[e]);  // ⌈left / rate⌉
    }
    newly_grown_.clear();
    for (std::uint32_t e : frontier_) {
      support_[e] += step * rate_[e];
      rate_[e] = 0;
      if (support_[e] >= edges[e].weight) {
        grown_[e] = 1;
        newly_grown_.push_back(e);
      }
    }
    for (std::uint32_t e : newly_grown_) {
      const DecodingEdge& edge = edges[e];
      if (edge.b == bnd) {
        const std::uint32_t r = find(edge.a);
        if (!at_boundary_[r]) {
          at_boundary_[r] = 1;
          boundary_edge_[r] = static_cast<std::int32_t>(e);
        }
      } else {
        unite(edge.a, edge.b);
      }
    }
  }

  // Peeling: each cluster holding a defect, on a BFS tree of its grown edges rooted at its boundary vertex (if any).
  roots_.clear();
  for (std::uint32_t d : defects) roots_.push_back(find(d));
  std::sort(roots_.begin(), roots_.end());
  roots_.erase(std::unique(roots_.begin(), roots_.end()), roots_.end());
  for (std::uint32_t r : roots_) {
    const std::uint32_t start = at_boundary_[r] ? edges[static_cast<std::size_t>(boundary_edge_[r])].a : r;
    order_.clear();
    order_.push_back(start);
    tree_edge_[start] = -1;
    tree_epoch_[start] = epoch_;
    for (std::size_t head = 0; head < order_.size(); ++head) {
      const std::uint32_t u = order_[head];
      for (const auto& inc : graph_.incident(u)) {
        if (inc.node == bnd || edge_epoch_[inc.edge] != epoch_ || !grown_[inc.edge]) continue;
        if (tree_epoch_[inc.node] == epoch_) continue;
        tree_epoch_[inc.node] = epoch_;
        tree_edge_[inc.node] = static_cast<std::int32_t>(inc.edge);
        order_.push_back(inc.node);
      }
    }
    for (std::size_t idx = order_.size(); idx-- > 1;) {
      const std::uint32_t v = order_[idx];
      if (!defect_[v]) continue;
      const DecodingEdge& edge = edges[static_cast<std::size_t>(tree_edge_[v])];
      prediction ^= edge.observables;
      defect_[v] = 0;
      defect_[edge.a == v ? edge.b : edge.a] ^= 1;
    }
    if (defect_[start] && at_boundary_[r]) {
      prediction ^= edges[static_cast<std::size_t>(boundary_edge_[r])].observables;
    }
    defect_[start] = 0;
  }
  return prediction;
}

}  // namespace qnn::qec
