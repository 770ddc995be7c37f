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
}

std::uint64_t MwpmDecoder::decode(std::span<const std::uint32_t> fired) {
  const std::uint32_t num_detectors = graph_.num_detectors();
  for (std::uint32_t d : fired) {
    if (d >= num_detectors) {
      throw ValueError("decoder 'mwpm': fired detector " + std::to_string(d) + ", allowed 0.." +
                       std::to_string(static_cast<long long>(num_detectors) - 1));
    }
  }
  std::span<const std::uint32_t> defects = fired;
  if (!graph_.flipped_detectors().empty()) {
    toggle_detectors(fired, graph_.flipped_detectors(), syndrome_);
    defects = syndrome_;
  }
  std::uint64_t prediction = graph_.flipped_observables();
  const std::size_t k = defects.size();
  if (k == 0) return prediction;
  if (k == 1) return prediction ^ boundary_observables_[defects[0]];

  for (std::size_t i = 0; i < k; ++i) defect_index_[defects[i]] = static_cast<std::int32_t>(i);
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
    const std::int64_t radius = boundary_distance_[defects[i]];
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
  for (std::size_t i = 0; i < k; ++i) {
    for (std::size_t q = ball_start_[i]; q < ball_start_[i + 1]; ++q) {
      const BallEntry x = ball_[q];
      const std::int32_t jx = defect_index_[x.node];
      if (jx > static_cast<std::int32_t>(i)) offer(i, static_cast<std::size_t>(jx), x.dist, x.observables);
      for (const auto& inc : graph_.incident(x.node)) {
        if (inc.node == bnd || node_epoch_[inc.node] != shot_epoch_) continue;
        const DecodingEdge& e = edges[inc.edge];
        for (std::int32_t r = node_head_[inc.node]; r != -1; r = ball_[static_cast<std::size_t>(r)].next) {
          const BallEntry& y = ball_[static_cast<std::size_t>(r)];
          if (y.defect <= i) continue;
          offer(i, y.defect, x.dist + e.weight + y.dist, x.observables ^ e.observables ^ y.observables);
        }
      }
    }
  }

  // Vertices 0..k−1: defects; k..2k−1: their boundary twins.
  const auto kk = static_cast<std::uint32_t>(k);
  matching_.reset(2 * kk);
  for (std::uint32_t i = 0; i < kk; ++i) {
    const std::int64_t bi = boundary_distance_[defects[i]];
    for (std::uint32_t j = i + 1; j < kk; ++j) {
      const std::int64_t dij = pair_distance_[std::size_t{i} * k + j];
      if (dij < kInfinity && dij < bi + boundary_distance_[defects[j]]) matching_.add_edge(i, j, dij);
    }
    if (bi < kInfinity) matching_.add_edge(i, kk + i, bi);
    for (std::uint32_t j = i + 1; j < kk; ++j) matching_.add_edge(kk + i, kk + j, 0);
  }
  matching_.solve();
  for (std::uint32_t i = 0; i < kk; ++i) {
    const std::int32_t m = matching_.mate(i);
    if (m < 0) continue;  // no boundary and an odd defect count in its component: nothing explains it
    const auto mu = static_cast<std::uint32_t>(m);
    if (mu == kk + i) {
      prediction ^= boundary_observables_[defects[i]];
    } else if (mu < kk && mu > i) {
      prediction ^= pair_observables_[std::size_t{i} * k + mu];
    }
  }
  for (std::size_t i = 0; i < k; ++i) defect_index_[defects[i]] = -1;
  return prediction;
}

}  // namespace qnn::qec
