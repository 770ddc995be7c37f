#pragma once
// Internal to src/diff: commuting diagonal gates of the adjoint sweep taken together (kernels::diagonal_pass).
//
// A layer of n RZ gates costs the per-gate sweep n passes over both states. Diagonal gates commute with each other,
// and with any gate on other qubits, so the sweep may take them as one group: the group's diagonal d is the product
// of theirs, and for a diagonal generator G = i·diag(h) (every diagonal unitary's: G = (∂U/∂θ)U† of a phase is
// imaginary) the gradient is Re⟨λ|G|φ⟩ = −Σ_i h(i) c(i) with c(i) = Im(conj(λ_i) φ_i). A phase on both states leaves
// c as it is, so every gate of the group reads the same c, taken once, in the pass that applies d† to both states.
// h depends on a gate's few qubits only: with the state split into blocks of 2^k amplitudes, a gate on low qubits
// (all < k) needs c summed over the blocks (2^k sums), one on high qubits (all ≥ k) c summed within each block
// (2^(n−k) sums). A gate with qubits on both sides of k is left to the per-gate sweep.
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <span>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/circuit/gate.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/sim/kernels.hpp"

namespace qnn::detail {

/// The qubits an operation touches (its own and extra controls), as a mask; n ≤ 64.
inline std::uint64_t qubit_mask(const Operation& op) {
  std::uint64_t m = 0;
  for (unsigned q : op.qubits) m |= std::uint64_t{1} << q;
  for (unsigned q : op.controls) m |= std::uint64_t{1} << q;
  return m;
}

/// A table gate with a diagonal matrix and at most one parameter (RZ, P, Z, S, T, CZ, CRZ, CP, RZZ, …), on at most four
/// qubits with its controls.
inline bool groupable_diagonal(const Operation& op) {
  return op.kind != GateKind::Unitary && gate_info(op.kind).has(kDiagonal) && op.params.size() <= 1 &&
         op.qubits.size() + op.controls.size() <= 4;
}

class DiagonalGroup {
 public:
  /// Blocks of 2^k amplitudes with k = n − 10 (the per-block table then has at most 1024 entries), at least 6.
  explicit DiagonalGroup(unsigned n) : n_(n), k_(std::min(n, std::max(6U, n > 10 ? n - 10 : 0U))) {}

  [[nodiscard]] unsigned low_qubits() const { return k_; }
  /// Whether the gate's qubits lie all below k or all at or above it.
  [[nodiscard]] bool fits(const Operation& op) const {
    const std::uint64_t m = qubit_mask(op), low = (std::uint64_t{1} << k_) - 1;
    return (m & low) == 0 || (m & ~low) == 0;
  }

  /// Adds a groupable gate that fits, at angles `ang`: its U† (its U if not `dagger`, for a forward pass); its
  /// gradient is asked for if `grad`.
  void add(const Operation& op, std::span<const double> ang, bool grad, bool dagger = true) {
    Member& mb = members_.emplace_back();  // in place: a member is half a kilobyte
    mb.op = &op;
    mb.grad = grad && !op.params.empty();
    const ControlList cl = op.control_list();
    const auto ts = op.targets();
    for (std::size_t i = 0; i < cl.size; ++i) mb.support[mb.bits++] = cl.qubits[i];
    for (unsigned t : ts) mb.support[mb.bits++] = t;
    mb.high = mb.support[0] >= k_;
    if (mb.high)
      for (unsigned b = 0; b < mb.bits; ++b) mb.support[b] -= k_;
    const GateMatrix u = gate_matrix(op.kind, ang);
    GateMatrix d;
    if (mb.grad) d = gate_derivative(op.kind, ang, 0);
    const unsigned nc = static_cast<unsigned>(cl.size);
    const unsigned all_controls = (1U << nc) - 1;
    for (unsigned p = 0; p < (1U << mb.bits); ++p) {
      if ((p & all_controls) != all_controls) {
        mb.u_dag[p] = 1;
        mb.h[p] = 0;
        continue;
      }
      const unsigned t = p >> nc;
      const cplx ut = u(t, t);
      mb.u_dag[p] = dagger ? std::conj(ut) : ut;
      mb.h[p] = mb.grad ? (d(t, t) * std::conj(ut)).imag() : 0.0;
    }
  }

  /// The group's pass over φ and λ (λ may be null: φ only, no gradients), as kernels::diagonal_pass; then
  /// `gradient(op, Re⟨λ|G|φ⟩)` for each member whose gradient was asked for, in the order they were added.
  template <Real T, class Fn>
  void run(complex<T>* phi, complex<T>* lambda, Fn&& gradient) {
    run_with([&](const kernels::DiagonalPass& pass) { kernels::diagonal_pass<T>(active_isa(), phi, lambda, n_, pass); },
             gradient);
  }
  /// The same on batched states (kernels::batched_diagonal_pass: every sample gets the group's phases; the gradient
  /// sums over the batch).
  template <Real T, class Fn>
  void run_batched(T* phi_re, T* phi_im, T* lam_re, T* lam_im, unsigned batch, Fn&& gradient) {
    run_with(
        [&](const kernels::DiagonalPass& pass) {
          kernels::batched_diagonal_pass<T>(active_isa(), phi_re, phi_im, lam_re, lam_im, n_, batch, pass);
        },
        gradient);
  }

 private:
  template <class Kernel, class Fn>
  void run_with(Kernel&& kernel, Fn&& gradient) {
    const index_t nlo = index_t{1} << k_, nhi = index_t{1} << (n_ - k_);
    build_table(lo_, k_, false);
    build_table(hi_, n_ - k_, true);
    bool any_grad = false;
    for (const Member& mb : members_) any_grad = any_grad || mb.grad;
    corr_lo_.assign(any_grad ? nlo : 0, 0.0);
    corr_hi_.assign(any_grad ? nhi : 0, 0.0);
    kernels::DiagonalPass pass;
    pass.low_qubits = k_;
    pass.lo = lo_;
    pass.hi = hi_;
    pass.corr_lo = corr_lo_;
    pass.corr_hi = corr_hi_;
    kernel(pass);
    gradients(gradient);
  }

 public:
  /// Per-sample gradients on batched states: `gradient(op, b, Re⟨λ_b|G|φ_b⟩)` for each member whose gradient was asked
  /// for and each sample b, then the group's pass on φ and λ. Each sample's c_b(i) = Im(conj(λ_bi) φ_bi) is summed
  /// over the blocks and within them (2^k + 2^(n−k) sums per sample) in a pass that only reads, before the phases,
  /// which leave c as it is.
  template <Real T, class Fn>
  void run_batched_per_sample(T* phi_re, T* phi_im, T* lam_re, T* lam_im, unsigned batch, Fn&& gradient) {
    const index_t nlo = index_t{1} << k_, nhi = index_t{1} << (n_ - k_);
    const std::size_t B = batch;
    corr_lo_.assign(nlo * B, 0.0);
    corr_hi_.assign(nhi * B, 0.0);
    for (index_t hb = 0; hb < nhi; ++hb) {
      double* __restrict ch = corr_hi_.data() + hb * B;
      for (index_t j = 0; j < nlo; ++j) {
        const std::size_t at = (hb * nlo + j) * B;
        const T* __restrict pr = phi_re + at;
        const T* __restrict pi = phi_im + at;
        const T* __restrict lr = lam_re + at;
        const T* __restrict li = lam_im + at;
        double* __restrict cl = corr_lo_.data() + j * B;
#pragma omp simd
        for (std::size_t b = 0; b < B; ++b) {
          const double c = double(lr[b] * pi[b] - li[b] * pr[b]);
          cl[b] += c;
          ch[b] += c;
        }
      }
    }
    std::vector<double> sums(B);
    for (const Member& mb : members_) {
      if (!mb.grad) continue;
      const std::vector<double>& c = mb.high ? corr_hi_ : corr_lo_;
      const index_t rows = static_cast<index_t>(c.size() / B);
      std::fill(sums.begin(), sums.end(), 0.0);
      for (index_t j = 0; j < rows; ++j) {
        const double h = mb.h[mb.pattern(j)];
        if (h == 0) continue;
        const double* __restrict cj = c.data() + j * B;
        double* __restrict out = sums.data();
#pragma omp simd
        for (std::size_t b = 0; b < B; ++b) out[b] -= h * cj[b];
      }
      for (std::size_t b = 0; b < B; ++b) gradient(*mb.op, static_cast<unsigned>(b), sums[b]);
    }
    build_table(lo_, k_, false);
    build_table(hi_, n_ - k_, true);
    kernels::DiagonalPass pass;
    pass.low_qubits = k_;
    pass.lo = lo_;
    pass.hi = hi_;
    kernels::batched_diagonal_pass<T>(active_isa(), phi_re, phi_im, lam_re, lam_im, n_, batch, pass);
    members_.clear();
  }

 private:
  template <class Fn>
  void gradients(Fn&& gradient) {
    for (const Member& mb : members_) {
      if (!mb.grad) continue;
      const std::vector<double>& c = mb.high ? corr_hi_ : corr_lo_;
      double s = 0;
      for (index_t j = 0; j < static_cast<index_t>(c.size()); ++j) s -= mb.h[mb.pattern(j)] * c[j];
      gradient(*mb.op, s);
    }
    members_.clear();
  }

 public:
  /// For a pass of another kind that applies the group's diagonal (a permutation run's, batched_adjoint.cpp): builds
  /// the tables, after which d(i) is the diagonal's entry at index i.
  void build_tables() {
    build_table(lo_, k_, false);
    build_table(hi_, n_ - k_, true);
  }
  [[nodiscard]] cplx d(index_t i) const { return lo_[i & ((index_t{1} << k_) - 1)] * hi_[i >> k_]; }
  /// Drops the members (after a pass that took no gradients).
  void clear() { members_.clear(); }
  /// After such a pass took c(i) = Im(conj(λ_i) φ_i) at every index i of this group's frame: `gradient(op,
  /// Re⟨λ|G|φ⟩)` for each member whose gradient was asked for, as run() gives them; the members are cleared.
  template <class Fn>
  void finish(std::span<const double> c, Fn&& gradient) {
    const index_t nlo = index_t{1} << k_, nhi = index_t{1} << (n_ - k_);
    corr_lo_.assign(nlo, 0.0);
    corr_hi_.assign(nhi, 0.0);
    for (index_t hb = 0; hb < nhi; ++hb) {
      double hs = 0;
      for (index_t j = 0; j < nlo; ++j) {
        corr_lo_[j] += c[hb * nlo + j];
        hs += c[hb * nlo + j];
      }
      corr_hi_[hb] = hs;
    }
    gradients(gradient);
  }

 private:
  // The lo (high = false) or hi table of 2^bits entries: the product of every member's diagonal there. One-qubit
  // members (RZ, P, S, T: most of a layer) fold into two phases per qubit first, and the table is built from those by
  // doubling, 2^bits products in all where each member took 2^bits (with std::complex's NaN-checked products, a tenth
  // of a 12-qubit gradient); members on more qubits multiply in after.
  void build_table(std::vector<cplx>& tab, unsigned bits, bool high) const {
    auto mul = [](cplx a, cplx b) {
      return cplx(a.real() * b.real() - a.imag() * b.imag(), a.real() * b.imag() + a.imag() * b.real());
    };
    std::array<cplx, 64> p0, p1;
    p0.fill(cplx(1));
    p1.fill(cplx(1));
    for (const Member& mb : members_)
      if (mb.high == high && mb.bits == 1) {
        p0[mb.support[0]] = mul(p0[mb.support[0]], mb.u_dag[0]);
        p1[mb.support[0]] = mul(p1[mb.support[0]], mb.u_dag[1]);
      }
    tab.resize(std::size_t{1} << bits);
    tab[0] = cplx(1);
    for (unsigned b = 0; b < bits; ++b) {
      const std::size_t h = std::size_t{1} << b;
      for (std::size_t j = 0; j < h; ++j) {
        tab[j + h] = mul(tab[j], p1[b]);
        tab[j] = mul(tab[j], p0[b]);
      }
    }
    for (const Member& mb : members_)
      if (mb.high == high && mb.bits > 1)
        for (index_t j = 0; j < static_cast<index_t>(tab.size()); ++j) tab[j] = mul(tab[j], mb.u_dag[mb.pattern(j)]);
  }

  struct Member {
    const Operation* op = nullptr;
    bool grad = false, high = false;
    unsigned bits = 0;
    std::array<unsigned, 4> support{};  // controls, then targets; relative to k if high
    std::array<cplx, 16> u_dag{};       // U†'s (or U's) diagonal by the support's bits (bit m: support[m])
    std::array<double, 16> h{};         // G = i·diag(h), zero where a control is 0
    [[nodiscard]] unsigned pattern(index_t j) const {
      unsigned p = 0;
      for (unsigned m = 0; m < bits; ++m) p |= static_cast<unsigned>((j >> support[m]) & 1U) << m;
      return p;
    }
  };
  unsigned n_, k_;
  std::vector<Member> members_;
  std::vector<cplx> lo_, hi_;
  std::vector<double> corr_lo_, corr_hi_;
};

/// Which diagonal gates of a circuit go together. Scanning back from the last op, a groupable gate that fits starts a
/// group and takes the earlier ones that commute with every op between (the qubits of every op passed over are
/// blocked); a group of fewer than 3 gates is not worth its pass and is dropped. A group is applied where its latest
/// gate (its anchor, members[g][0]) stands: in a forward pass the earlier members wait for it, in the backward sweep
/// the later ones are taken early. Then, for what is left, the same scanning forward: a group anchored at its earliest
/// gate. The reordered circuit is the same unitary.
///
/// Gates that only permute basis states (CX, X, SWAP, without extra controls) and stand next to each other once the
/// groups are moved are taken together too: a CNOT ring of n gates moves half of each state n times, and the run
/// moves each state once, as a gather or scatter through the composed map. Affine over GF(2), the map splits as
/// map(i) = lo[i mod 2^k] ⊕ hi[i >> k] (permutation_tables). The sweep takes a run that way where the state stays in
/// L2 (kMaxPermutationQubits) or the map keeps neighbouring amplitudes close (a ladder's does); otherwise gate by gate.
struct DiagonalSchedule {
  std::vector<int> group;                         // per op: its group, or −1
  std::vector<std::vector<std::size_t>> members;  // per group: op indices, anchor first
  std::vector<int> perm;                          // per op: its permutation run, or −1
  std::vector<std::vector<std::size_t>> runs;     // per run: op indices, ascending
  [[nodiscard]] bool anchor(std::size_t k) const { return group[k] >= 0 && members[group[k]][0] == k; }
  /// Whether a pass in this direction takes op k with others rather than where it stands: a group member that is not
  /// the anchor, or a permutation gate that is not its run's first (forward) or last (backward).
  [[nodiscard]] bool taken_elsewhere(std::size_t k, bool forward) const {
    if (group[k] >= 0) return !anchor(k);
    if (perm[k] < 0) return false;
    return (forward ? runs[perm[k]].front() : runs[perm[k]].back()) != k;
  }
  /// Whether op k is neither in a group nor in a permutation run.
  [[nodiscard]] bool alone(std::size_t k) const { return group[k] < 0 && perm[k] < 0; }
  /// No groups and no runs: every op by itself.
  static DiagonalSchedule none(std::size_t num_ops) {
    DiagonalSchedule s;
    s.group.assign(num_ops, -1);
    s.perm.assign(num_ops, -1);
    return s;
  }
};

inline constexpr unsigned kMaxPermutationQubits = 13;

/// Where the backward sweep can stop: the first position (an op, or the anchor its group is applied at) that has a
/// gradient to take; nothing before it does, so neither state needs to go further back (ops.size() if none).
template <class Needs>
std::size_t first_needed(const std::vector<Operation>& ops, const DiagonalSchedule& s, Needs&& needs) {
  std::size_t first = ops.size();
  for (std::size_t k = 0; k < ops.size(); ++k) {
    bool any = false;
    for (const Expr& e : ops[k].params) any = any || needs(e);
    if (!any) continue;
    const std::size_t at = s.group[k] < 0 ? k : s.members[s.group[k]][0];
    first = std::min(first, at);
  }
  return first;
}

/// Where each op's angles start in bind_angles' flattened list (one entry per op, and the total).
inline std::vector<std::size_t> angle_offsets(const std::vector<Operation>& ops) {
  std::vector<std::size_t> first(ops.size() + 1, 0);
  for (std::size_t k = 0; k < ops.size(); ++k) first[k + 1] = first[k] + ops[k].params.size();
  return first;
}

/// A gate whose action is x ↦ Ax ⊕ b on basis indices (CX, X, SWAP; no extra controls).
inline bool affine_permutation(const Operation& op) {
  return op.controls.empty() && (op.kind == GateKind::CX || op.kind == GateKind::X || op.kind == GateKind::SWAP);
}

/// The basis index the gate maps x to (CX: control qubits[0], target qubits[1]).
inline index_t permute_index(const Operation& op, index_t x) {
  switch (op.kind) {
    case GateKind::X: return x ^ (index_t{1} << op.qubits[0]);
    case GateKind::CX: return x ^ (((x >> op.qubits[0]) & 1U) << op.qubits[1]);
    default: {  // SWAP
      const index_t d = ((x >> op.qubits[0]) ^ (x >> op.qubits[1])) & 1U;
      return x ^ (d << op.qubits[0]) ^ (d << op.qubits[1]);
    }
  }
}

/// The composed map of a run of affine permutation gates, or its inverse (the gates, each its own inverse, in reverse),
/// as tables: map(i) = lo[i mod 2^k] ⊕ hi[i >> k], built from the images of the basis bits. Returns the highest bit
/// that an index below 2^k maps onto, a measure of how far the map scatters neighbouring amplitudes.
inline unsigned permutation_tables(const Circuit& c, const std::vector<std::size_t>& run, bool inverse, unsigned k,
                                   std::vector<index_t>& lo, std::vector<index_t>& hi) {
  const auto& ops = c.ops();
  auto map = [&](index_t x) {
    if (inverse) {
      for (std::size_t j = run.size(); j-- > 0;) x = permute_index(ops[run[j]], x);
    } else {
      for (std::size_t j : run) x = permute_index(ops[j], x);
    }
    return x;
  };
  const unsigned n = c.num_qubits();
  const index_t m0 = map(0);
  std::array<index_t, 64> col{};
  index_t spread = 0;
  for (unsigned j = 0; j < n; ++j) {
    col[j] = map(index_t{1} << j) ^ m0;
    if (j < k) spread |= col[j];
  }
  lo.resize(index_t{1} << k);
  hi.resize(index_t{1} << (n - k));
  lo[0] = 0;
  for (index_t j = 1; j < static_cast<index_t>(lo.size()); ++j)
    lo[j] = lo[j & (j - 1)] ^ col[static_cast<unsigned>(std::countr_zero(j))];
  hi[0] = m0;
  for (index_t b = 1; b < static_cast<index_t>(hi.size()); ++b)
    hi[b] = hi[b & (b - 1)] ^ col[k + static_cast<unsigned>(std::countr_zero(b))];
  return static_cast<unsigned>(std::bit_width(spread));
}

/// `shared`, if given, marks the ops a group may take (the batched sweep: gates whose angles do not read the inputs).
inline DiagonalSchedule schedule_diagonal_groups(const Circuit& c, const DiagonalGroup& g,
                                                 const std::vector<bool>* shared = nullptr) {
  const auto& ops = c.ops();
  const unsigned n = c.num_qubits();
  const std::uint64_t all_qubits = n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
  DiagonalSchedule s;
  s.group.assign(ops.size(), -1);
  std::vector<std::size_t> members;
  auto eligible = [&](std::size_t j) {
    return groupable_diagonal(ops[j]) && g.fits(ops[j]) && (shared == nullptr || (*shared)[j]);
  };
  // A group anchored at op k, taking the ops that can move to it: earlier ones (dir = −1, moved forward) or later ones
  // (dir = +1, moved back), each commuting with every op it passes (the qubits of an op passed over are blocked).
  auto form = [&](std::size_t k, int dir) {
    if (s.group[k] >= 0 || !eligible(k)) return;
    members.assign(1, k);
    std::uint64_t blocked = 0;
    for (std::size_t d = 1; d <= 8 * std::size_t{n} && blocked != all_qubits; ++d) {
      if (dir < 0 ? d > k : k + d >= ops.size()) break;
      const std::size_t j = dir < 0 ? k - d : k + d;
      if (s.group[j] >= 0) continue;
      const std::uint64_t m = qubit_mask(ops[j]);
      if ((m & blocked) == 0 && eligible(j)) {
        members.push_back(j);
      } else {
        blocked |= m;
      }
    }
    if (members.size() < 3) return;
    for (std::size_t j : members) s.group[j] = static_cast<int>(s.members.size());
    s.members.push_back(members);
  };
  for (std::size_t k = ops.size(); k-- > 0;) form(k, -1);
  // Then the other way, for what is left. A layer of Rot = RZ·RY·RZ gates needs both: its last RZs move forward to
  // the last one, its first RZs back to the first. (The first groups' gates are diagonal, so these moves commute with
  // them wherever they went.)
  for (std::size_t k = 0; k < ops.size(); ++k) form(k, +1);
  // Runs of permutation gates in the reordered circuit (the groups' other members moved to their anchors), two or
  // more gates each.
  s.perm.assign(ops.size(), -1);
  std::vector<std::size_t> run;
  auto close = [&] {
    if (run.size() >= 2) {
      for (std::size_t j : run) s.perm[j] = static_cast<int>(s.runs.size());
      s.runs.push_back(run);
    }
    run.clear();
  };
  for (std::size_t k = 0; k < ops.size(); ++k) {
    if (s.group[k] >= 0 && !s.anchor(k)) continue;  // moved to its anchor
    if (s.group[k] < 0 && affine_permutation(ops[k])) {
      run.push_back(k);
    } else {
      close();
    }
  }
  close();
  return s;
}

}  // namespace qnn::detail
