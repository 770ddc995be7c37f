#include "qnn/mpi/distributed_state_vector.hpp"

#include <mpi.h>

#include <algorithm>
#include <bit>
#include <string>

#include "qnn/core/error.hpp"

namespace qnn::mpi {

namespace {

// How a gate with targets and controls anywhere in [0, n) runs on one rank: the swaps (global, local) that bring its
// global targets into the slice, the local targets and controls it then acts on, and whether this rank's part of the
// state is outside the controlled subspace (skip: the rank still takes part in the swaps its partners make).
struct LocalPlan {
  bool skip = false;
  std::vector<std::pair<unsigned, unsigned>> swaps;
  std::vector<unsigned> targets;
  std::vector<unsigned> controls;
};

bool rank_bit(int rank, unsigned global_qubit, unsigned L) {
  return ((static_cast<unsigned>(rank) >> (global_qubit - L)) & 1U) != 0;
}

// `exchange`: false when the caller handles global targets without moving them (diagonal gates).
LocalPlan plan_gate(std::span<const unsigned> targets, std::span<const unsigned> controls, unsigned L, int rank,
                    bool exchange) {
  LocalPlan p;
  // A global control that reads 0 on this rank reads 0 on its exchange partners too (they differ only in target
  // bits), so skipping before any exchange keeps every pair in step.
  for (unsigned c : controls) {
    if (c < L) {
      p.controls.push_back(c);
    } else if (!rank_bit(rank, c, L)) {
      p.skip = true;
    }
  }
  p.targets.assign(targets.begin(), targets.end());
  if (p.skip || !exchange) return p;
  std::vector<unsigned> free_qubits;
  // Prefer local qubits the gate does not touch; a local control may move out (it is then resolved like any global
  // control) when there are not enough of them.
  for (int pass = 0; pass < 2; ++pass)
    for (unsigned q = 0; q < L; ++q) {
      const bool is_target = std::find(targets.begin(), targets.end(), q) != targets.end();
      const bool is_control = std::find(p.controls.begin(), p.controls.end(), q) != p.controls.end();
      if (!is_target && (pass == 0 ? !is_control : is_control)) free_qubits.push_back(q);
    }
  std::size_t next = 0;
  for (unsigned& t : p.targets) {
    if (t < L) continue;
    if (next == free_qubits.size()) {
      throw ValueError("a gate on " + std::to_string(targets.size()) + " targets needs at least that many local qubits " +
                       "per rank, but each rank holds " + std::to_string(L) + "; use fewer ranks");
    }
    const unsigned l = free_qubits[next++];
    p.swaps.emplace_back(t, l);
    // A control that moved to the global position of t now reads this rank's bit of t.
    auto it = std::find(p.controls.begin(), p.controls.end(), l);
    if (it != p.controls.end()) {
      p.controls.erase(it);
      if (!rank_bit(rank, t, L)) p.skip = true;
    }
    t = l;
  }
  return p;
}

bool is_diagonal(std::span<const cplx> m, std::size_t dim) {
  for (std::size_t r = 0; r < dim; ++r)
    for (std::size_t c = 0; c < dim; ++c)
      if (r != c && m[r * dim + c] != cplx(0)) return false;
  return true;
}

}  // namespace

template <Real T>
void DistributedStateVector<T>::check_layout(unsigned num_qubits, int ranks) {
  if (ranks < 1 || !std::has_single_bit(static_cast<unsigned>(ranks))) {
    throw ValueError("a distributed state needs a power-of-two number of ranks (1, 2, 4, 8, …), got " +
                     std::to_string(ranks));
  }
  if (num_qubits < 63 && static_cast<std::uint64_t>(ranks) > (std::uint64_t{1} << num_qubits)) {
    throw ValueError(std::to_string(ranks) + " ranks for a " + std::to_string(num_qubits) + "-qubit state of " +
                     std::to_string(std::uint64_t{1} << num_qubits) + " amplitudes: use at most " +
                     std::to_string(std::uint64_t{1} << num_qubits) + " ranks");
  }
}

template <Real T>
DistributedStateVector<T>::DistributedStateVector(unsigned num_qubits)
    : n_(num_qubits),
      rank_(mpi::rank()),
      size_(mpi::size()),
      local_((check_layout(num_qubits, mpi::size()),
              num_qubits - static_cast<unsigned>(std::countr_zero(static_cast<unsigned>(mpi::size()))))) {
  if (rank_ != 0) local_.set_zero();
}

template <Real T>
void DistributedStateVector<T>::set_exchange_chunk(index_t amplitudes) {
  if (amplitudes == 0 || !std::has_single_bit(amplitudes)) {
    throw ValueError("the exchange chunk must be a power of two ≥ 1 amplitudes, got " + std::to_string(amplitudes));
  }
  chunk_ = amplitudes;
}

template <Real T>
void DistributedStateVector<T>::exchange(value_type* send, value_type* recv, index_t count, int partner) const {
  const int bytes = static_cast<int>(count * sizeof(value_type));
  MPI_Sendrecv(send, bytes, MPI_BYTE, partner, 0, recv, bytes, MPI_BYTE, partner, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  bytes_sent_ += static_cast<std::uint64_t>(bytes);
}

template <Real T>
void DistributedStateVector<T>::swap_global_local(unsigned global, unsigned local_qubit) {
  const unsigned L = num_local_qubits();
  const int partner = rank_ ^ (1 << (global - L));
  const index_t v = rank_bit(rank_, global, L) ? 1 : 0;
  // SWAP(g, l) moves amplitude (l = a, g = b) to (l = b, g = a): only the half with a ≠ b moves, and on this rank
  // (g = v) that is the half with l = 1 − v; the partner sends its half with l = v, in the same order.
  const index_t half = index_t{1} << (L - 1);
  const index_t c = std::min(chunk_, half);
  std::vector<value_type> send(c), recv(c);
  value_type* a = local_.data();
  const index_t flip = (1 - v) << local_qubit;
  for (index_t m0 = 0; m0 < half; m0 += c) {
    for (index_t o = 0; o < c; ++o) send[o] = a[insert_zero_bit(m0 + o, local_qubit) | flip];
    exchange(send.data(), recv.data(), c, partner);
    for (index_t o = 0; o < c; ++o) a[insert_zero_bit(m0 + o, local_qubit) | flip] = recv[o];
  }
}

template <Real T>
void DistributedStateVector<T>::apply_matrix(std::span<const unsigned> targets, std::span<const cplx> matrix,
                                             std::span<const unsigned> controls, bool diagonal) {
  const unsigned L = num_local_qubits();
  const bool all_local = std::all_of(targets.begin(), targets.end(), [&](unsigned t) { return t < L; });
  LocalPlan p = plan_gate(targets, controls, L, rank_, /*exchange=*/!all_local && !diagonal);
  if (all_local) {
    if (!p.skip) local_.apply_matrix(targets, matrix, p.controls);
    return;
  }
  if (diagonal) {
    if (p.skip) return;
    // The diagonal restricted to this rank's value of the global targets: entry c over the local targets is entry
    // (global bits | c's bits at the local targets' positions) of the full diagonal.
    const std::size_t dim = std::size_t{1} << targets.size();
    std::size_t fixed = 0;
    std::vector<unsigned> lt, pos;
    for (std::size_t j = 0; j < targets.size(); ++j) {
      if (targets[j] >= L) {
        if (rank_bit(rank_, targets[j], L)) fixed |= std::size_t{1} << j;
      } else {
        lt.push_back(targets[j]);
        pos.push_back(static_cast<unsigned>(j));
      }
    }
    std::vector<cplx> d(std::size_t{1} << lt.size());
    for (std::size_t c = 0; c < d.size(); ++c) {
      std::size_t idx = fixed;
      for (std::size_t i = 0; i < lt.size(); ++i) idx |= ((c >> i) & 1U) << pos[i];
      d[c] = matrix[idx * dim + idx];
    }
    if (!lt.empty()) {
      local_.apply_diagonal(lt, d, p.controls);
    } else if (p.controls.empty()) {
      local_.scale(value_type(d[0]));
    } else {
      // A phase on the subspace where the local controls are 1: diag(1, s) on one of them, controlled on the rest.
      const unsigned t[1] = {p.controls[0]};
      const cplx phase[2] = {1, d[0]};
      local_.apply_diagonal(t, phase, std::span<const unsigned>(p.controls).subspan(1));
    }
    return;
  }
  for (const auto& [g, l] : p.swaps) swap_global_local(g, l);
  if (!p.skip) local_.apply_matrix(p.targets, matrix, p.controls);
  for (auto it = p.swaps.rbegin(); it != p.swaps.rend(); ++it) swap_global_local(it->first, it->second);
}

template <Real T>
void DistributedStateVector<T>::apply_operation(const Operation& op, std::span<const double> angles, bool inverse) {
  const std::span<const unsigned> targets = op.targets();
  const std::vector<unsigned> controls = op.all_controls();
  if (op.kind == GateKind::Unitary) {
    const std::size_t dim = std::size_t{1} << targets.size();
    const bool diag = is_diagonal(*op.matrix, dim);
    if (!inverse) {
      apply_matrix(targets, *op.matrix, controls, diag);
    } else {
      apply_matrix(targets, adjoint_matrix(*op.matrix), controls, diag);
    }
    return;
  }
  const GateMatrix m = inverse ? adjoint(gate_matrix(op.kind, angles)) : gate_matrix(op.kind, angles);
  apply_matrix(targets, m.span(), controls, op.info().has(kDiagonal));
}

template <Real T>
void DistributedStateVector<T>::visit_partner_chunks(const StateVector<T>& src, index_t xg, index_t xh,
                                                     const std::function<void(index_t, const value_type*)>& f) const {
  const index_t size = local_.size();
  const index_t c = std::min(chunk_, size);
  if (xg == 0) {
    for (index_t b = 0; b < size; b += c) f(b, src.data() + (b ^ xh));
    return;
  }
  // At chunk b this rank needs the partner's chunk b ⊕ xh, and the partner (at the same step) needs this rank's.
  std::vector<value_type> send(c), recv(c);
  const int partner = rank_ ^ static_cast<int>(xg);
  for (index_t b = 0; b < size; b += c) {
    std::copy_n(src.data() + (b ^ xh), c, send.data());
    exchange(send.data(), recv.data(), c, partner);
    f(b, recv.data());
  }
}

template <Real T>
double DistributedStateVector<T>::expectation(const PauliMasks& p) const {
  // ⟨ψ|P|ψ⟩ = Σ_i conj(ψ_{i⊕x}) · i^{#Y} · (−1)^{|i∧z|} · ψ_i; for i on rank r, i ⊕ x lives on rank r ⊕ x_global.
  const unsigned L = num_local_qubits();
  const index_t lmask = local_.size() - 1;
  const index_t xl = p.x & lmask, xg = p.x >> L, zl = p.z & lmask, zg = p.z >> L;
  const index_t c = std::min(chunk_, local_.size());
  const index_t xlo = xl & (c - 1), xh = xl & ~(c - 1);
  const value_type* a = local_.data();
  cplx s = 0;
  visit_partner_chunks(local_, xg, xh, [&](index_t b, const value_type* partner) {
    for (index_t o = 0; o < c; ++o) {
      const cplx t = std::conj(cplx(partner[o ^ xlo])) * cplx(a[b + o]);
      s += parity((b + o) & zl) ? -t : t;
    }
  });
  if (parity(static_cast<index_t>(rank_) & zg)) s = -s;
  static constexpr cplx kIPow[4] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
  return (kIPow[p.num_y() % 4] * ordered_sum(s)).real();
}

template <Real T>
void DistributedStateVector<T>::add_pauli_applied(const DistributedStateVector& src, const PauliMasks& p, cplx c) {
  // (P src)_{i'} = i^{#Y} · (−1)^{|i∧z|} · src_i with i = i' ⊕ x: on rank r ⊕ x_global, local index j' ⊕ x_local.
  const unsigned L = num_local_qubits();
  const index_t lmask = local_.size() - 1;
  const index_t xl = p.x & lmask, xg = p.x >> L, zl = p.z & lmask, zg = p.z >> L;
  const index_t ch = std::min(chunk_, local_.size());
  const index_t xlo = xl & (ch - 1), xh = xl & ~(ch - 1);
  static constexpr cplx kIPow[4] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
  cplx f = c * kIPow[p.num_y() % 4];
  if (parity((static_cast<index_t>(rank_) ^ xg) & zg)) f = -f;
  value_type* out = local_.data();
  visit_partner_chunks(src.local_, xg, xh, [&](index_t b, const value_type* partner) {
    for (index_t o = 0; o < ch; ++o) {
      const index_t j = (b + o) ^ xl;
      const cplx v = f * cplx(partner[o ^ xlo]);
      out[b + o] += value_type(parity(j & zl) ? -v : v);
    }
  });
}

template <Real T>
double DistributedStateVector<T>::norm_squared() const {
  return ordered_sum(local_.norm_squared());
}

template <Real T>
cplx DistributedStateVector<T>::inner(const DistributedStateVector& other) const {
  return ordered_sum(local_.inner(other.local_));
}

template <Real T>
cplx DistributedStateVector<T>::matrix_element(DistributedStateVector& bra, std::span<const unsigned> targets,
                                               std::span<const cplx> matrix, std::span<const unsigned> controls,
                                               DistributedStateVector& ket) {
  const unsigned L = ket.num_local_qubits();
  const bool all_local = std::all_of(targets.begin(), targets.end(), [&](unsigned t) { return t < L; });
  const LocalPlan p = plan_gate(targets, controls, L, ket.rank_, /*exchange=*/!all_local);
  for (const auto& [g, l] : p.swaps) {
    bra.swap_global_local(g, l);
    ket.swap_global_local(g, l);
  }
  const cplx m = p.skip ? cplx(0) : StateVector<T>::matrix_element(bra.local_, p.targets, matrix, p.controls, ket.local_);
  for (auto it = p.swaps.rbegin(); it != p.swaps.rend(); ++it) {
    bra.swap_global_local(it->first, it->second);
    ket.swap_global_local(it->first, it->second);
  }
  return ordered_sum(m);
}

template <Real T>
std::vector<index_t> DistributedStateVector<T>::sample(std::uint64_t shots, Rng& rng) const {
  // Inverse-CDF sampling over the concatenation of the slices: the rank totals (in rank order, the same bits on every
  // rank) pick the rank of each shot, and that rank finds the index in its own cumulative sums.
  std::vector<double> cdf = local_.probabilities();
  double mine = 0;
  for (double& c : cdf) {
    mine += c;
    c = mine;
  }
  const std::vector<double> totals = all_gather(std::span<const double>(&mine, 1));
  std::vector<double> before(totals.size());
  double total = 0;
  for (std::size_t r = 0; r < totals.size(); ++r) {
    before[r] = total;
    total += totals[r];
  }
  if (!(total > 0)) throw ValueError("cannot sample from a state of norm zero");
  const unsigned L = num_local_qubits();
  std::vector<std::uint64_t> out(shots, 0);
  for (auto& o : out) {
    const double u = rng.uniform() * total;
    auto r = static_cast<std::size_t>(std::upper_bound(before.begin(), before.end(), u) - before.begin()) - 1;
    while (r > 0 && totals[r] == 0) --r;  // u exactly at the start of an empty slice
    if (static_cast<int>(r) != rank_) continue;
    auto it = std::upper_bound(cdf.begin(), cdf.end(), u - before[r]);
    if (it == cdf.end()) --it;
    o = (static_cast<index_t>(r) << L) | static_cast<index_t>(it - cdf.begin());
  }
  // Exactly one rank holds each shot (the others hold 0), so an integer sum is exact in any order.
  constexpr std::size_t kBlock = std::size_t{1} << 24;
  for (std::size_t s = 0; size_ > 1 && s < out.size(); s += kBlock) {
    const int count = static_cast<int>(std::min(kBlock, out.size() - s));
    MPI_Allreduce(MPI_IN_PLACE, out.data() + s, count, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  }
  return {out.begin(), out.end()};
}

template <Real T>
void DistributedStateVector<T>::gather_to_root(
    const std::function<void(index_t, std::span<const value_type>)>& sink) const {
  const index_t size = local_.size();
  const index_t c = std::min(chunk_, size);
  const int bytes = static_cast<int>(c * sizeof(value_type));
  if (rank_ != 0) {
    for (index_t b = 0; b < size; b += c) MPI_Send(local_.data() + b, bytes, MPI_BYTE, 0, 1, MPI_COMM_WORLD);
    return;
  }
  for (index_t b = 0; b < size; b += c) sink(b, std::span<const value_type>(local_.data() + b, c));
  std::vector<value_type> buf(c);
  for (int r = 1; r < size_; ++r)
    for (index_t b = 0; b < size; b += c) {
      MPI_Recv(buf.data(), bytes, MPI_BYTE, r, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      sink((static_cast<index_t>(r) << num_local_qubits()) + b, buf);
    }
}

template class DistributedStateVector<float>;
template class DistributedStateVector<double>;

}  // namespace qnn::mpi
