#include "qnn/qec/mwpm_decoder.hpp"

#include <algorithm>
#include <functional>
#include <string>

#include "qnn/core/error.hpp"

namespace qnn::qec {

namespace {
using HeapEntry = std::pair<std::int64_t, std::uint32_t>;
constexpr auto kHeapOrder = std::greater<HeapEntry>{};
}  // namespace

MwpmDecoder::MwpmDecoder(const DetectorErrorModel& dem) : graph_(dem, "mwpm") {
  const std::uint32_t nodes = graph_.num_detectors() + 1;
  dist_.assign(nodes, kInfinity);
  path_observables_.assign(nodes, 0);
  visited_epoch_.assign(nodes, 0);
  defect_index_.assign(nodes, -1);
  node_head_.assign(nodes, -1);
  node_epoch_.assign(nodes, 0);
  member_stamp_.assign(nodes, 0);

  // Distance of every detector to the boundary (one Dijkstra from the boundary node), with the observables flipped
  // along the way.
  boundary_distance_.assign(graph_.num_detectors(), kInfinity);
  boundary_observables_.assign(graph_.num_detectors(), 0);
  const std::uint32_t bnd = graph_.boundary();
  dist_[bnd] = 0;
  heap_.push_back({0, bnd});
  while (!heap_.empty()) {
    std::pop_heap(heap_.begin(), heap_.end(), kHeapOrder);
    const auto [d, u] = heap_.back();
    heap_.pop_back();
    if (d > dist_[u]) continue;
    for (const auto& inc : graph_.incident(u)) {
      const std::int64_t nd = d + graph_.edges()[inc.edge].weight;
      if (nd < dist_[inc.node]) {
        dist_[inc.node] = nd;
        path_observables_[inc.node] = path_observables_[u] ^ graph_.edges()[inc.edge].observables;
        heap_.push_back({nd, inc.node});
        std::push_heap(heap_.begin(), heap_.end(), kHeapOrder);
      }
    }
  }
  for (std::uint32_t v = 0; v < graph_.num_detectors(); ++v) {
    boundary_distance_[v] = dist_[v];
    boundary_observables_[v] = path_observables_[v];
  }
  // A fault's two defects are at most one edge apart: balls of one edge's weight find every pair up to two edges apart.
  std::int64_t heaviest = 0;
  for (const DecodingEdge& e : graph_.edges()) heaviest = std::max(heaviest, e.weight);
  local_radius_ = std::max<std::int64_t>(1, kLocalRadiusEdges * heaviest);  // ≥ 1: the retries double it
}

void MwpmDecoder::find_pairs(std::span<const std::uint32_t> defects, std::int64_t radius_cap) {
  const std::size_t k = defects.size();
  pair_distance_.assign(k * k, kInfinity);
  pair_observables_.resize(k * k);
  const std::uint32_t bnd = graph_.boundary();
  const auto& edges = graph_.edges();
  if (++shot_epoch_ == 0) {
    std::fill(node_epoch_.begin(), node_epoch_.end(), 0);
    shot_epoch_ = 1;
  }
  ball_.clear();
  ball_start_.clear();
  for (std::size_t i = 0; i < k; ++i) {
    ball_start_.push_back(ball_.size());
    const std::int64_t radius = this->radius(defects[i], radius_cap);
    if (++epoch_ == 0) {  // wrapped: forget every stamp
      std::fill(visited_epoch_.begin(), visited_epoch_.end(), 0);
      epoch_ = 1;
    }
    const std::uint32_t src = defects[i];
    dist_[src] = 0;
    path_observables_[src] = 0;
    visited_epoch_[src] = epoch_;
    heap_.clear();
    heap_.push_back({0, src});
    while (!heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end(), kHeapOrder);
      const auto [d, u] = heap_.back();
      heap_.pop_back();
      if (d > dist_[u]) continue;
      if (d > radius) break;
      if (node_epoch_[u] != shot_epoch_) {
        node_epoch_[u] = shot_epoch_;
        node_head_[u] = -1;
      }
      ball_.push_back(BallEntry{u, static_cast<std::uint32_t>(i), d, path_observables_[u], node_head_[u]});
      node_head_[u] = static_cast<std::int32_t>(ball_.size() - 1);
      for (const auto& inc : graph_.incident(u)) {
        if (inc.node == bnd) continue;  // paths via the boundary are the twin edges' business
        const std::int64_t nd = d + edges[inc.edge].weight;
        if (visited_epoch_[inc.node] != epoch_ || nd < dist_[inc.node]) {
          visited_epoch_[inc.node] = epoch_;
          dist_[inc.node] = nd;
          path_observables_[inc.node] = path_observables_[u] ^ edges[inc.edge].observables;
          heap_.push_back({nd, inc.node});
          std::push_heap(heap_.begin(), heap_.end(), kHeapOrder);
        }
      }
    }
  }
  ball_start_.push_back(ball_.size());
  auto offer = [&](std::size_t i, std::size_t j, std::int64_t d, std::uint64_t obs) {
    std::int64_t& best = pair_distance_[i * k + j];
    if (d < best) {
      best = d;
      pair_observables_[i * k + j] = obs;
    }
  };
  // With ball radii r_i (b_i, or less when capped), a pair i < j with D = d(i, j) ≤ r_i + r_j is found from ball i
  // alone: either j lies in it (then the whole shortest path does, and D is j's entry), or the path leaves it along an
  // edge x–y with x inside and y outside; then d(j, y) = D − d(i, y) < D − r_i ≤ r_j, so y lies in ball j. A found
  // value is always the length of a real path, so one ≤ r_i + r_j is exact. Only ball i's frontier edges need
  // scanning. Each node's entry list runs from the latest ball to the earliest (entries are pushed at the head), so
  // the walk stops at the first entry of a ball ≤ i.
  for (std::size_t i = 0; i < k; ++i) {
    if (++member_epoch_ == 0) {
      std::fill(member_stamp_.begin(), member_stamp_.end(), 0);
      member_epoch_ = 1;
    }
    for (std::size_t q = ball_start_[i]; q < ball_start_[i + 1]; ++q) member_stamp_[ball_[q].node] = member_epoch_;
    const std::int64_t bi = boundary_distance_[defects[i]];
    for (std::size_t q = ball_start_[i]; q < ball_start_[i + 1]; ++q) {
      const BallEntry x = ball_[q];
      const std::int32_t jx = defect_index_[x.node];
      if (jx > static_cast<std::int32_t>(i)) offer(i, static_cast<std::size_t>(jx), x.dist, x.observables);
      for (const auto& inc : graph_.incident(x.node)) {
        if (inc.node == bnd || node_epoch_[inc.node] != shot_epoch_) continue;  // boundary, or in no ball
        if (member_stamp_[inc.node] == member_epoch_) continue;                 // inside ball i: not its frontier
        const DecodingEdge& e = edges[inc.edge];
        for (std::int32_t r = node_head_[inc.node]; r != -1; r = ball_[static_cast<std::size_t>(r)].next) {
          const BallEntry& y = ball_[static_cast<std::size_t>(r)];
          if (y.defect <= i) break;
          const std::int64_t d = x.dist + e.weight + y.dist;
          if (d < bi + boundary_distance_[defects[y.defect]])
            offer(i, y.defect, d, x.observables ^ e.observables ^ y.observables);
        }
      }
    }
  }
}

std::uint64_t MwpmDecoder::decode(std::span<const std::uint32_t> fired) {
  const std::span<const std::uint32_t> defects = graph_.defects(fired, "mwpm", syndrome_);
  std::uint64_t prediction = graph_.flipped_observables();
  const std::size_t k = defects.size();
  if (k == 0) return prediction;
  if (k == 1) return prediction ^ boundary_observables_[defects[0]];

  for (std::size_t i = 0; i < k; ++i) defect_index_[defects[i]] = static_cast<std::int32_t>(i);
  struct ResetDefectIndex {  // leaves defect_index_ all −1 for the next shot, on every way out
    std::vector<std::int32_t>& index;
    std::span<const std::uint32_t> defects;
    ~ResetDefectIndex() {
      for (std::uint32_t d : defects) index[d] = -1;
    }
  } reset_defect_index{defect_index_, defects};

  // First try: balls capped at one edge's weight (a fault's two defects find each other), one matching of all defects
  // on the pairs known exactly, kept when its duals prove that no pair left out (D > r_i + r_j) could lower the weight:
  // below threshold almost every shot. Pairs with D ≥ b_i + b_j need no proof (both to the boundary is no worse).
  // In sparse shots (≤ 1 defect in 32 detectors: below threshold) a failed proof doubles the cap, up to four edges,
  // before the full search: most of them hold one longer chain. In dense shots the retries would mostly fail too.
  const std::int64_t last_cap = 32 * k <= graph_.num_detectors() ? kMaxLocalRadiusEdges * local_radius_ : local_radius_;
  for (std::int64_t cap = local_radius_; cap <= last_cap; cap *= 2) {
    bool capped = false;
    for (std::size_t i = 0; i < k && !capped; ++i) capped = boundary_distance_[defects[i]] > cap;
    if (!capped) break;  // the full search is no dearer
    find_pairs(defects, cap);
    const auto kk = static_cast<std::uint32_t>(k);
    matching_.reset(2 * kk);
    for (std::uint32_t i = 0; i < kk; ++i) {
      const std::int64_t bi = boundary_distance_[defects[i]], ri = radius(defects[i], cap);
      for (std::uint32_t j = i + 1; j < kk; ++j) {
        const std::int64_t dij = pair_distance_[std::size_t{i} * k + j];
        if (dij <= ri + radius(defects[j], cap) && dij < bi + boundary_distance_[defects[j]])
          matching_.add_edge(i, j, dij);
      }
      if (bi < kInfinity) matching_.add_edge(i, kk + i, bi);
      for (std::uint32_t j = i + 1; j < kk; ++j) matching_.add_edge(kk + i, kk + j, 0);
    }
    bool proven = matching_.solve();
    for (std::uint32_t i = 0; i < kk && proven; ++i) {
      const std::int64_t bi = boundary_distance_[defects[i]], ri = radius(defects[i], cap);
      for (std::uint32_t j = i + 1; j < kk && proven; ++j) {
        const std::int64_t rij = ri + radius(defects[j], cap);
        if (pair_distance_[std::size_t{i} * k + j] <= rij || rij >= bi + boundary_distance_[defects[j]]) continue;
        proven = rij + 1 >= matching_.min_weight_not_improving(i, j);  // D ≥ r_i + r_j + 1 (integer weights)
      }
    }
    if (proven) {
      ++local_solved_;
      for (std::uint32_t i = 0; i < kk; ++i) {
        const auto mu = static_cast<std::uint32_t>(matching_.mate(i));
        if (mu == kk + i) {
          prediction ^= boundary_observables_[defects[i]];
        } else if (mu < kk && mu > i) {
          prediction ^= pair_observables_[std::size_t{i} * k + mu];
        }
      }
      return prediction;
    }
  }
  ++full_solved_;
  find_pairs(defects, kInfinity);

  // Defects joined by an edge worth having fall into connected components; a perfect matching of the whole graph is
  // one per component (twins included: a component's twins pair among themselves at weight 0), so each is matched
  // alone — most components have one or two defects and need no blossom.
  component_parent_.resize(k);
  for (std::size_t i = 0; i < k; ++i) component_parent_[i] = static_cast<std::uint32_t>(i);
  auto find = [&](std::uint32_t v) {
    while (component_parent_[v] != v) v = component_parent_[v] = component_parent_[component_parent_[v]];
    return v;
  };
  auto worth = [&](std::size_t i, std::size_t j) {
    const std::int64_t dij = pair_distance_[i * k + j];
    return dij < kInfinity && dij < boundary_distance_[defects[i]] + boundary_distance_[defects[j]];
  };
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t j = i + 1; j < k; ++j) {
      if (worth(i, j)) {
        const std::uint32_t a = find(static_cast<std::uint32_t>(i)), b = find(static_cast<std::uint32_t>(j));
        if (a != b) component_parent_[std::max(a, b)] = std::min(a, b);
      }
    }
  }
  // Members of each component, grouped by root (counting sort: roots are their components' least index).
  component_start_.assign(k + 1, 0);
  for (std::size_t i = 0; i < k; ++i) ++component_start_[find(static_cast<std::uint32_t>(i)) + 1];
  for (std::size_t i = 0; i < k; ++i) component_start_[i + 1] += component_start_[i];
  component_members_.resize(k);
  component_fill_.assign(component_start_.begin(), component_start_.end() - 1);
  for (std::size_t i = 0; i < k; ++i) {
    component_members_[component_fill_[find(static_cast<std::uint32_t>(i))]++] = static_cast<std::uint32_t>(i);
  }

  for (std::size_t root = 0; root < k; ++root) {
    const std::span<const std::uint32_t> members(component_members_.data() + component_start_[root],
                                                 component_start_[root + 1] - component_start_[root]);
    if (members.empty()) continue;
    if (members.size() == 1) {  // alone: to the boundary, or unexplained when there is none
      prediction ^= boundary_observables_[defects[members[0]]];
      continue;
    }
    if (members.size() == 2) {  // joined by an edge worth having: d(i, j) < b_i + b_j, so they match each other
      prediction ^= pair_observables_[std::size_t{members[0]} * k + members[1]];
      continue;
    }
    // Vertices 0..m−1: the component's defects; m..2m−1: their boundary twins.
    const auto m = static_cast<std::uint32_t>(members.size());
    matching_.reset(2 * m);
    for (std::uint32_t a = 0; a < m; ++a) {
      const std::int64_t ba = boundary_distance_[defects[members[a]]];
      for (std::uint32_t b = a + 1; b < m; ++b) {
        if (worth(members[a], members[b]))
          matching_.add_edge(a, b, pair_distance_[std::size_t{members[a]} * k + members[b]]);
      }
      if (ba < kInfinity) matching_.add_edge(a, m + a, ba);
      for (std::uint32_t b = a + 1; b < m; ++b) matching_.add_edge(m + a, m + b, 0);
    }
    matching_.solve();
    for (std::uint32_t a = 0; a < m; ++a) {
      const std::int32_t mate = matching_.mate(a);
      if (mate < 0) continue;  // no boundary and an odd defect count in its component: nothing explains it
      const auto mu = static_cast<std::uint32_t>(mate);
      if (mu == m + a) {
        prediction ^= boundary_observables_[defects[members[a]]];
      } else if (mu < m && mu > a) {
        prediction ^= pair_observables_[std::size_t{members[a]} * k + members[mu]];
      }
    }
  }
  return prediction;
}

}  // namespace qnn::qec
