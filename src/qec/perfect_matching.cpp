#include "qnn/qec/perfect_matching.hpp"

#include <algorithm>
#include <limits>
#include <utility>

namespace qnn::qec {

// Notation: S = outer, T = inner labels of the alternating forest grown from the exposed vertices; a top-level blossom
// carries the label of the whole odd cycle it stands for. Duals: u_v per vertex, z_B per blossom; edge k = (i, j) has
// slack u_i + u_j − 2w'_k (blossom duals cancel for edges inside a blossom and are not needed outside). The four dual
// steps of a stage: δ2 = least slack of an S–free edge, δ3 = half the least slack of an S–S edge between different
// blossoms, δ4 = least z of a T-blossom (then it is expanded), δ1 = least u_v (no augmenting path is left).

void PerfectMatching::reset(std::uint32_t num_vertices) {
  n_ = static_cast<int>(num_vertices);
  endpoint_.clear();
  weight_.clear();
}

void PerfectMatching::add_edge(std::uint32_t u, std::uint32_t v, std::int64_t w) {
  endpoint_.push_back(static_cast<int>(u));
  endpoint_.push_back(static_cast<int>(v));
  weight_.push_back(w);
}

std::int64_t PerfectMatching::slack(int k) const {
  return dual_[static_cast<std::size_t>(endpoint_[2 * static_cast<std::size_t>(k)])] +
         dual_[static_cast<std::size_t>(endpoint_[2 * static_cast<std::size_t>(k) + 1])] - 2 * weight_[static_cast<std::size_t>(k)];
}

template <class Fn>
void PerfectMatching::for_each_leaf(int b, Fn&& fn) {
  if (b < n_) {
    fn(b);
    return;
  }
  for (int c : children_[static_cast<std::size_t>(b)]) for_each_leaf(c, fn);
}

void PerfectMatching::assign_label(int w, int t, int p) {
  const int b = in_blossom_[w];
  label_[w] = label_[b] = t;
  label_end_[w] = label_end_[b] = p;
  best_edge_[w] = best_edge_[b] = -1;
  if (t == 1) {
    for_each_leaf(b, [&](int v) { queue_.push_back(v); });
  } else {
    // A T-blossom's base is matched; its mate becomes S.
    const int base = base_[b];
    assign_label(endpoint_[mate_[base]], 1, mate_[base] ^ 1);
  }
}

// Walks up from the S-blossoms of v and w alternately; returns the base of their lowest common blossom, or −1 when
// they lie in different trees (then edge v–w closes an augmenting path).
int PerfectMatching::scan_blossom(int v, int w) {
  scratch_path_.clear();
  int base = -1;
  while (v != -1 || w != -1) {
    int b = in_blossom_[v];
    if (label_[b] & 4) {
      base = base_[b];
      break;
    }
    scratch_path_.push_back(b);
    label_[b] = 5;
    if (label_end_[b] == -1) {
      v = -1;
    } else {
      v = endpoint_[label_end_[b]];  // in the T-blossom above
      b = in_blossom_[v];
      v = endpoint_[label_end_[b]];  // in the S-blossom above that
    }
    if (w != -1) std::swap(v, w);
  }
  for (int b : scratch_path_) label_[b] = 1;
  return base;
}

// Edge k between two S-blossoms of one tree closes an odd cycle through `base`: contract it into a new S-blossom.
void PerfectMatching::add_blossom(int base, int k) {
  int v = endpoint_[2 * k], w = endpoint_[2 * k + 1];
  const int bb = in_blossom_[base];
  int bv = in_blossom_[v], bw = in_blossom_[w];
  const int b = unused_blossoms_.back();
  unused_blossoms_.pop_back();
  base_[b] = base;
  parent_[b] = -1;
  parent_[bb] = b;
  std::vector<int>& path = children_[b];
  std::vector<int>& endps = endps_[b];
  path.clear();
  endps.clear();
  while (bv != bb) {
    parent_[bv] = b;
    path.push_back(bv);
    endps.push_back(label_end_[bv]);
    v = endpoint_[label_end_[bv]];
    bv = in_blossom_[v];
  }
  path.push_back(bb);
  std::reverse(path.begin(), path.end());
  std::reverse(endps.begin(), endps.end());
  endps.push_back(2 * k);
  while (bw != bb) {
    parent_[bw] = b;
    path.push_back(bw);
    endps.push_back(label_end_[bw] ^ 1);
    w = endpoint_[label_end_[bw]];
    bw = in_blossom_[w];
  }
  label_[b] = 1;
  label_end_[b] = label_end_[bb];
  dual_[b] = 0;
  for_each_leaf(b, [&](int x) {
    if (label_[in_blossom_[x]] == 2) queue_.push_back(x);  // former T vertices are S now: scan them
    in_blossom_[x] = b;
  });

  // Least-slack edges from the new blossom to each neighbouring S-blossom, from the children's lists (or their
  // vertices' edges where a child has no list).
  touched_.clear();
  auto consider = [&](int kk) {
    int i = endpoint_[2 * kk], j = endpoint_[2 * kk + 1];
    if (in_blossom_[j] == b) std::swap(i, j);
    const int bj = in_blossom_[j];
    if (bj == b || label_[bj] != 1) return;
    int& best = best_edge_to_[bj];
    if (best == -1) touched_.push_back(bj);
    if (best == -1 || slack(kk) < slack(best)) best = kk;
  };
  for (int child : path) {
    if (has_best_edges_[child]) {
      for (int kk : blossom_best_edges_[child]) consider(kk);
    } else {
      for_each_leaf(child, [&](int x) {
        for (int q = neighbour_offset_[x]; q < neighbour_offset_[x + 1]; ++q) consider(neighbour_end_[q] >> 1);
      });
    }
    has_best_edges_[child] = 0;
    blossom_best_edges_[child].clear();
    best_edge_[child] = -1;
  }
  std::vector<int>& list = blossom_best_edges_[b];
  list.clear();
  best_edge_[b] = -1;
  for (int bj : touched_) {
    const int kk = best_edge_to_[bj];
    best_edge_to_[bj] = -1;
    list.push_back(kk);
    if (best_edge_[b] == -1 || slack(kk) < slack(best_edge_[b])) best_edge_[b] = kk;
  }
  has_best_edges_[b] = 1;
}

void PerfectMatching::expand_blossom(int b, bool end_of_stage) {
  for (int s : children_[b]) {
    parent_[s] = -1;
    if (s < n_) {
      in_blossom_[s] = s;
    } else if (end_of_stage && dual_[s] == 0) {
      expand_blossom(s, end_of_stage);
    } else {
      for_each_leaf(s, [&](int v) { in_blossom_[v] = s; });
    }
  }
  if (!end_of_stage && label_[b] == 2) {
    // A T-blossom at z = 0 in mid-stage: the children on the even-length path from the entry child to the base child
    // take alternate T/S labels; the others become free unless one of their vertices was reached already.
    const std::vector<int>& ch = children_[b];
    const std::vector<int>& ep = endps_[b];
    const int len = static_cast<int>(ch.size());
    const int entry_vertex = endpoint_[label_end_[b] ^ 1];
    const int entry_child = in_blossom_[entry_vertex];
    const int i = static_cast<int>(std::find(ch.begin(), ch.end(), entry_child) - ch.begin());
    const bool forward = (i & 1) != 0;  // the path i → 0 of even length: backward when i is even
    int j = i;
    int x = entry_vertex;
    int le = label_end_[b];
    while (j != 0) {
      int matched = 0, partner = 0, next_edge = 0;
      if (forward) {
        matched = ep[j];  // children j – j+1, endpoint_[matched] in child j
        partner = endpoint_[matched ^ 1];
        next_edge = ep[(j + 1) % len];
      } else {
        matched = ep[j - 1];  // children j−1 – j, endpoint_[matched] in child j−1
        partner = endpoint_[matched];
        next_edge = ep[j - 2];
      }
      label_[x] = 0;
      label_[partner] = 0;
      assign_label(x, 2, le);
      allowed_[matched >> 1] = 1;
      allowed_[next_edge >> 1] = 1;
      if (forward) {
        x = endpoint_[next_edge ^ 1];
        le = next_edge;
        j = (j + 2) % len;
      } else {
        x = endpoint_[next_edge];
        le = next_edge ^ 1;
        j -= 2;
      }
    }
    // The base child keeps its matched edge to the S-blossom below: label it T without relabelling that mate.
    const int bv = ch[0];
    label_[x] = label_[bv] = 2;
    label_end_[x] = label_end_[bv] = le;
    best_edge_[bv] = -1;
    for (int step = 1; step < len; ++step) {
      const int idx = forward ? step : len - step;  // the children off the path, from the base's side
      const int c = ch[idx];
      if (c == entry_child) break;
      if (label_[c] == 1) continue;
      int reached = -1;
      for_each_leaf(c, [&](int v) {
        if (reached == -1 && label_[v] != 0) reached = v;
      });
      if (reached != -1) {
        label_[reached] = 0;
        label_[endpoint_[mate_[base_[c]]]] = 0;
        assign_label(reached, 2, label_end_[reached]);
      }
    }
  }
  label_[b] = label_end_[b] = -1;
  children_[b].clear();
  endps_[b].clear();
  base_[b] = -1;
  blossom_best_edges_[b].clear();
  has_best_edges_[b] = 0;
  best_edge_[b] = -1;
  unused_blossoms_.push_back(b);
}

// Re-matches inside blossom b so that vertex v becomes its base: flip the even alternating path from v's child to the
// base child.
void PerfectMatching::augment_blossom(int b, int v) {
  int t = v;
  while (parent_[t] != b) t = parent_[t];
  if (t >= n_) augment_blossom(t, v);
  std::vector<int>& ch = children_[b];
  std::vector<int>& ep = endps_[b];
  const int len = static_cast<int>(ch.size());
  const int i = static_cast<int>(std::find(ch.begin(), ch.end(), t) - ch.begin());
  auto match = [&](int p) {  // edge p/2 becomes matched; both its ends become bases of their children
    const int a = endpoint_[p], c = endpoint_[p ^ 1];
    for (int end : {a, c}) {
      int sub = end;
      while (parent_[sub] != b) sub = parent_[sub];
      if (sub >= n_) augment_blossom(sub, end);
    }
    mate_[a] = p ^ 1;
    mate_[c] = p;
  };
  if (i & 1) {
    // Forward i → i+1 → … → len ≡ 0: edges i+1, i+3, …, len−1 become matched.
    for (int j = i + 1; j < len; j += 2) match(ep[j]);
  } else {
    // Backward i → i−1 → … → 0: edges i−2, i−4, …, 0 become matched.
    for (int j = i - 2; j >= 0; j -= 2) match(ep[j]);
  }
  std::rotate(ch.begin(), ch.begin() + i, ch.end());
  std::rotate(ep.begin(), ep.begin() + i, ep.end());
  base_[b] = v;
}

// Edge k joins two S-vertices in different trees: flip the matching along root – … – v – w – … – root.
void PerfectMatching::augment_matching(int k) {
  for (auto [s0, p0] : {std::pair{endpoint_[2 * k], 2 * k + 1}, std::pair{endpoint_[2 * k + 1], 2 * k}}) {
    int s = s0, p = p0;
    for (;;) {
      const int bs = in_blossom_[s];
      if (bs >= n_) augment_blossom(bs, s);
      mate_[s] = p;
      if (label_end_[bs] == -1) break;  // reached the exposed root
      const int t = endpoint_[label_end_[bs]];
      const int bt = in_blossom_[t];
      s = endpoint_[label_end_[bt]];
      const int j = endpoint_[label_end_[bt] ^ 1];
      if (bt >= n_) augment_blossom(bt, j);
      mate_[j] = label_end_[bt];
      p = label_end_[bt] ^ 1;
    }
  }
}

bool PerfectMatching::solve() {
  const int n = n_;
  const int m = static_cast<int>(weight_.size());
  const auto n2 = static_cast<std::size_t>(2 * n);
  // w' = 2(C − w) with C = max w + 1: positive, even.
  std::int64_t c = 0;
  for (std::int64_t w : weight_) c = std::max(c, w);
  c += 1;
  offset_ = c;
  std::int64_t max_weight = 0;
  for (std::int64_t& w : weight_) {
    w = 2 * (c - w);
    max_weight = std::max(max_weight, w);
  }

  neighbour_offset_.assign(static_cast<std::size_t>(n) + 1, 0);
  for (int e : endpoint_) ++neighbour_offset_[static_cast<std::size_t>(e) + 1];
  for (int v = 0; v < n; ++v) neighbour_offset_[v + 1] += neighbour_offset_[v];
  neighbour_end_.resize(endpoint_.size());
  {
    touched_.assign(neighbour_offset_.begin(), neighbour_offset_.end() - 1);
    for (int k = 0; k < m; ++k) {
      neighbour_end_[touched_[endpoint_[2 * k]]++] = 2 * k + 1;
      neighbour_end_[touched_[endpoint_[2 * k + 1]]++] = 2 * k;
    }
  }

  mate_.assign(static_cast<std::size_t>(n), -1);
  label_.assign(n2, 0);
  label_end_.assign(n2, -1);
  in_blossom_.resize(static_cast<std::size_t>(n));
  for (int v = 0; v < n; ++v) in_blossom_[v] = v;
  parent_.assign(n2, -1);
  if (children_.size() < n2) {
    children_.resize(n2);
    endps_.resize(n2);
    blossom_best_edges_.resize(n2);
  }
  for (std::size_t b = 0; b < n2; ++b) {
    children_[b].clear();
    endps_[b].clear();
    blossom_best_edges_[b].clear();
  }
  base_.resize(n2);
  for (int b = 0; b < 2 * n; ++b) base_[b] = b < n ? b : -1;
  best_edge_.assign(n2, -1);
  best_edge_to_.assign(n2, -1);
  has_best_edges_.assign(n2, 0);
  unused_blossoms_.clear();
  for (int b = 2 * n - 1; b >= n; --b) unused_blossoms_.push_back(b);
  dual_.resize(n2);
  for (int b = 0; b < 2 * n; ++b) dual_[b] = b < n ? max_weight : 0;
  allowed_.assign(static_cast<std::size_t>(m), 0);

  for (int stage = 0; stage < n; ++stage) {
    std::fill(label_.begin(), label_.end(), 0);
    std::fill(best_edge_.begin(), best_edge_.end(), -1);
    for (int b = n; b < 2 * n; ++b) {
      blossom_best_edges_[b].clear();
      has_best_edges_[b] = 0;
    }
    std::fill(allowed_.begin(), allowed_.end(), 0);
    queue_.clear();
    for (int v = 0; v < n; ++v) {
      if (mate_[v] == -1 && label_[in_blossom_[v]] == 0) assign_label(v, 1, -1);
    }
    bool augmented = false;
    for (;;) {
      while (!queue_.empty() && !augmented) {
        const int v = queue_.back();
        queue_.pop_back();
        for (int q = neighbour_offset_[v]; q < neighbour_offset_[v + 1]; ++q) {
          const int p = neighbour_end_[q];
          const int k = p >> 1;
          const int w = endpoint_[p];
          if (in_blossom_[v] == in_blossom_[w]) continue;
          std::int64_t kslack = 0;
          if (!allowed_[k]) {
            kslack = slack(k);
            if (kslack <= 0) allowed_[k] = 1;
          }
          if (allowed_[k]) {
            if (label_[in_blossom_[w]] == 0) {
              assign_label(w, 2, p ^ 1);
            } else if (label_[in_blossom_[w]] == 1) {
              const int base = scan_blossom(v, w);
              if (base >= 0) {
                add_blossom(base, k);
              } else {
                augment_matching(k);
                augmented = true;
                break;
              }
            } else if (label_[w] == 0) {
              label_[w] = 2;  // a vertex inside a T-blossom, reached through a tight edge
              label_end_[w] = p ^ 1;
            }
          } else if (label_[in_blossom_[w]] == 1) {
            const int b = in_blossom_[v];
            if (best_edge_[b] == -1 || kslack < slack(best_edge_[b])) best_edge_[b] = k;
          } else if (label_[w] == 0) {
            if (best_edge_[w] == -1 || kslack < slack(best_edge_[w])) best_edge_[w] = k;
          }
        }
      }
      if (augmented) break;

      int delta_type = -1, delta_edge = -1, delta_blossom = -1;
      std::int64_t delta = 0;
      for (int v = 0; v < n; ++v) {
        if (label_[in_blossom_[v]] == 0 && best_edge_[v] != -1) {
          const std::int64_t d = slack(best_edge_[v]);
          if (delta_type == -1 || d < delta) {
            delta = d;
            delta_type = 2;
            delta_edge = best_edge_[v];
          }
        }
      }
      for (int b = 0; b < 2 * n; ++b) {
        if (parent_[b] == -1 && label_[b] == 1 && best_edge_[b] != -1) {
          const std::int64_t d = slack(best_edge_[b]) / 2;
          if (delta_type == -1 || d < delta) {
            delta = d;
            delta_type = 3;
            delta_edge = best_edge_[b];
          }
        }
      }
      for (int b = n; b < 2 * n; ++b) {
        if (base_[b] >= 0 && parent_[b] == -1 && label_[b] == 2 && (delta_type == -1 || dual_[b] < delta)) {
          delta = dual_[b];
          delta_type = 4;
          delta_blossom = b;
        }
      }
      if (delta_type == -1) {
        // No augmenting path is left: the matching has maximum cardinality.
        delta_type = 1;
        delta = std::numeric_limits<std::int64_t>::max();
        for (int v = 0; v < n; ++v) delta = std::min(delta, dual_[v]);
        delta = std::max<std::int64_t>(0, n > 0 ? delta : 0);
      }

      for (int v = 0; v < n; ++v) {
        const int l = label_[in_blossom_[v]];
        if (l == 1) dual_[v] -= delta;
        else if (l == 2) dual_[v] += delta;
      }
      for (int b = n; b < 2 * n; ++b) {
        if (base_[b] >= 0 && parent_[b] == -1) {
          if (label_[b] == 1) dual_[b] += delta;
          else if (label_[b] == 2) dual_[b] -= delta;
        }
      }

      if (delta_type == 1) break;
      if (delta_type == 2) {
        allowed_[delta_edge] = 1;
        int i = endpoint_[2 * delta_edge], j = endpoint_[2 * delta_edge + 1];
        if (label_[in_blossom_[i]] == 0) std::swap(i, j);
        queue_.push_back(i);
      } else if (delta_type == 3) {
        allowed_[delta_edge] = 1;
        queue_.push_back(endpoint_[2 * delta_edge]);
      } else {
        expand_blossom(delta_blossom, false);
      }
    }
    if (!augmented) break;
    // End of stage: S-blossoms whose dual fell to zero are no longer needed.
    for (int b = n; b < 2 * n; ++b) {
      if (parent_[b] == -1 && base_[b] >= 0 && label_[b] == 1 && dual_[b] == 0) expand_blossom(b, true);
    }
  }

  // Restore the caller's weights (w = C − w'/2) so that a second solve() sees the same graph.
  for (std::int64_t& w : weight_) w = c - w / 2;
  for (int v = 0; v < n; ++v) {
    if (mate_[v] == -1) return false;
  }
  return true;
}

}  // namespace qnn::qec
