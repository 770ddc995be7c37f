#include "qnn/exec/fusion.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <string>

#include "qnn/core/bits.hpp"
#include "qnn/core/error.hpp"

namespace qnn {

namespace {

using mask_t = std::uint64_t;

constexpr unsigned popcount(mask_t m) { return static_cast<unsigned>(std::popcount(m)); }
// Index of qubit q among the ascending qubits of `m` (q must be in m): its bit in a block's matrix index.
constexpr unsigned position_in(mask_t m, unsigned q) { return popcount(m & ((mask_t{1} << q) - 1)); }

// The ascending qubits of a mask.
std::vector<unsigned> qubits_of(mask_t m) {
  std::vector<unsigned> q;
  q.reserve(popcount(m));
  for (; m; m &= m - 1) q.push_back(static_cast<unsigned>(std::countr_zero(m)));
  return q;
}

bool is_diagonal(std::span<const cplx> m, std::size_t dim) {
  for (std::size_t r = 0; r < dim; ++r)
    for (std::size_t c = 0; c < dim; ++c)
      if (r != c && m[r * dim + c] != cplx(0)) return false;
  return true;
}

// An operation's matrix on its targets without allocating (table gates are at most 4×4).
struct OpMatrix {
  GateMatrix small;
  std::span<const cplx> m;
  OpMatrix(const Operation& op, std::span<const double> angles) {
    if (op.kind == GateKind::Unitary) {
      m = *op.matrix;
    } else {
      small = gate_matrix(op.kind, angles);
      m = small.span();
    }
  }
  OpMatrix(const OpMatrix&) = delete;
  OpMatrix& operator=(const OpMatrix&) = delete;
};

struct Block {
  mask_t mask = 0;
  std::vector<cplx> m;    // 2^|mask| square, over the mask's qubits in ascending order
  std::size_t ops = 0;    // operations fused into it
  std::size_t first = 0;  // its first operation (emitted as itself when it is the only one)
  bool open = true;
};

// Greedy fusion with one open block per disjoint qubit set (the light-cone form of qsim's/Qulacs' greedy fusion).
// Invariant: the circuit so far = (gates emitted, in order) followed by the open blocks, which act on disjoint qubits
// and so commute with each other. A gate that touches open blocks joins them if their union with it fits in k qubits;
// touched blocks that do not fit are emitted first. That keeps the invariant, so the output equals the circuit.
class Fuser {
 public:
  Fuser(const Circuit& c, std::span<const double> angles, unsigned k) : c_(c), angles_(angles), k_(k) {
    owner_.assign(c.num_qubits(), -1);
    std::size_t a = 0;
    offset_.reserve(c.ops().size());
    for (const Operation& op : c.ops()) {
      offset_.push_back(a);
      a += op.params.size();
    }
    if (a != angles.size()) {
      throw ValueError("fusion needs " + std::to_string(a) + " bound angles for this circuit, got " +
                       std::to_string(angles.size()));
    }
  }

  std::vector<FusedGate> run() {
    for (std::size_t i = 0; i < c_.ops().size(); ++i) add(i);
    for (std::size_t b = 0; b < blocks_.size(); ++b)
      if (blocks_[b].open) emit(b);
    return std::move(out_);
  }

 private:
  std::span<const double> angles_of(std::size_t i) const {
    return angles_.subspan(offset_[i], c_.ops()[i].params.size());
  }

  static mask_t mask_of(const Operation& op) {
    mask_t m = 0;
    for (unsigned q : op.qubits) m |= mask_t{1} << q;
    for (unsigned q : op.controls) m |= mask_t{1} << q;
    return m;
  }

  // M ← C(U) · M for a block matrix M on `nq` qubits: U (2^|tpos| square) acts on block bit positions `tpos`, on the
  // rows whose `cpos` bits are all 1. Each column of M is a state of the block's qubits, so this is apply_matrix on
  // every column: dim² · 2^|tpos| work rather than a dim³ product.
  void apply_left(std::vector<cplx>& m, unsigned nq, std::span<const unsigned> tpos, std::span<const cplx> u,
                  std::span<const unsigned> cpos) {
    const std::size_t dim = std::size_t{1} << nq;
    const std::size_t gd = std::size_t{1} << tpos.size();
    std::array<unsigned, 64> sorted;
    std::size_t ns = 0;
    std::size_t ctrl = 0;
    for (unsigned p : tpos) sorted[ns++] = p;
    for (unsigned p : cpos) {
      sorted[ns++] = p;
      ctrl |= std::size_t{1} << p;
    }
    std::sort(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(ns));
    off_.assign(gd, 0);
    for (std::size_t j = 0; j < gd; ++j)
      for (std::size_t b = 0; b < tpos.size(); ++b)
        if (j >> b & 1U) off_[j] |= std::size_t{1} << tpos[b];
    const std::size_t groups = dim >> ns;
    tmp_.resize(gd * dim);
    for (std::size_t g = 0; g < groups; ++g) {
      std::size_t base = g;
      for (std::size_t s = 0; s < ns; ++s) base = insert_zero_bit(base, sorted[s]);
      base |= ctrl;
      // Row r of the group becomes Σ_c U[r][c] · row c: whole rows at a time (contiguous, vectorisable), skipping the
      // zeros of sparse gates. Plain real arithmetic: std::complex's operator* checks for NaN/Inf, never present here.
      std::fill(tmp_.begin(), tmp_.end(), cplx(0));
      for (std::size_t r = 0; r < gd; ++r) {
        double* dst = reinterpret_cast<double*>(tmp_.data() + r * dim);
        for (std::size_t c = 0; c < gd; ++c) {
          const cplx a = u[r * gd + c];
          if (a == cplx(0)) continue;
          const double ar = a.real(), ai = a.imag();
          const double* src = reinterpret_cast<const double*>(m.data() + (base | off_[c]) * dim);
          for (std::size_t col = 0; col < dim; ++col) {
            const double br = src[2 * col], bi = src[2 * col + 1];
            dst[2 * col] += ar * br - ai * bi;
            dst[2 * col + 1] += ar * bi + ai * br;
          }
        }
      }
      for (std::size_t r = 0; r < gd; ++r) {
        std::copy_n(tmp_.data() + r * dim, dim, m.data() + (base | off_[r]) * dim);
      }
    }
  }

  // Widen block `blk` to the qubits `to` ⊇ blk.mask (M ⊗ identity on the new qubits).
  void widen(Block& blk, mask_t to) {
    const mask_t from = blk.mask;
    const std::size_t dim = std::size_t{1} << popcount(to);
    const std::size_t fdim = std::size_t{1} << popcount(from);
    std::array<unsigned, 64> fpos;  // bit positions, within `to`, of the qubits of `from` (ascending)
    std::size_t nf = 0;
    for (mask_t m = from; m; m &= m - 1) fpos[nf++] = position_in(to, static_cast<unsigned>(std::countr_zero(m)));
    std::size_t from_bits = 0;
    for (std::size_t b = 0; b < nf; ++b) from_bits |= std::size_t{1} << fpos[b];
    auto gather = [&](std::size_t i) {
      std::size_t r = 0;
      for (std::size_t b = 0; b < nf; ++b) r |= (i >> fpos[b] & 1U) << b;
      return r;
    };
    const std::size_t extra = (dim - 1) & ~from_bits;
    wide_.assign(dim * dim, cplx(0));
    for (std::size_t r = 0; r < dim; ++r) {
      const std::size_t rg = gather(r);
      // Columns that agree with r on the extra qubits: r's extra bits plus every pattern of the `from` bits.
      for (std::size_t f = 0; f < fdim; ++f) {
        std::size_t c = r & extra;
        for (std::size_t b = 0; b < nf; ++b) c |= (f >> b & 1U) << fpos[b];
        wide_[r * dim + c] = blk.m[rg * fdim + f];
      }
    }
    std::swap(blk.m, wide_);
    blk.mask = to;
  }

  void emit_op(std::size_t i) {
    const Operation& op = c_.ops()[i];
    FusedGate g;
    g.targets.assign(op.targets().begin(), op.targets().end());
    g.controls = op.all_controls();
    const OpMatrix u(op, angles_of(i));
    g.matrix.assign(u.m.begin(), u.m.end());
    g.diagonal = is_diagonal(g.matrix, std::size_t{1} << g.targets.size());
    out_.push_back(std::move(g));
  }

  void emit(std::size_t b) {
    Block& blk = blocks_[b];
    for (mask_t m = blk.mask; m; m &= m - 1) owner_[static_cast<std::size_t>(std::countr_zero(m))] = -1;
    blk.open = false;
    if (blk.ops == 1) {
      emit_op(blk.first);  // a lone gate keeps its own (smaller, controlled) form
    } else {
      FusedGate g;
      g.targets = qubits_of(blk.mask);
      g.diagonal = is_diagonal(blk.m, std::size_t{1} << g.targets.size());
      g.matrix = std::move(blk.m);
      out_.push_back(std::move(g));
    }
    blk.m = {};
  }

  // Multiply operation i into a block whose qubits include the operation's.
  void multiply(Block& blk, std::size_t i) {
    const Operation& op = c_.ops()[i];
    std::array<unsigned, 64> tpos, cpos;
    std::size_t nt = 0, nc = 0;
    for (unsigned q : op.targets()) tpos[nt++] = position_in(blk.mask, q);
    const std::size_t builtin = op.qubits.size() - op.targets().size();
    for (std::size_t j = 0; j < builtin; ++j) cpos[nc++] = position_in(blk.mask, op.qubits[j]);
    for (unsigned q : op.controls) cpos[nc++] = position_in(blk.mask, q);
    const OpMatrix u(op, angles_of(i));
    apply_left(blk.m, popcount(blk.mask), {tpos.data(), nt}, u.m, {cpos.data(), nc});
    if (blk.ops++ == 0) blk.first = i;
  }

  void add(std::size_t i) {
    const Operation& op = c_.ops()[i];
    const mask_t gmask = mask_of(op);
    // The open blocks this gate touches, in creation order.
    std::array<std::size_t, 64> touched;
    std::size_t nt = 0;
    for (mask_t m = gmask; m; m &= m - 1) {
      const int o = owner_[static_cast<std::size_t>(std::countr_zero(m))];
      if (o >= 0 && std::find(touched.begin(), touched.begin() + static_cast<std::ptrdiff_t>(nt),
                              static_cast<std::size_t>(o)) == touched.begin() + static_cast<std::ptrdiff_t>(nt)) {
        touched[nt++] = static_cast<std::size_t>(o);
      }
    }
    const auto tb = touched.begin(), te = touched.begin() + static_cast<std::ptrdiff_t>(nt);
    std::sort(tb, te);

    if (popcount(gmask) > k_) {
      // Too big to fuse: the blocks it overtakes go first, then the gate itself with its controls kept.
      for (auto it = tb; it != te; ++it) emit(*it);
      emit_op(i);
      return;
    }

    // Keep as many touched blocks as fit with the gate, those adding fewest qubits first (each kept block is a pass
    // saved); emit the rest now, before the gate.
    std::stable_sort(tb, te, [&](std::size_t a, std::size_t b) {
      return popcount(blocks_[a].mask & ~gmask) < popcount(blocks_[b].mask & ~gmask);
    });
    mask_t keep_mask = gmask;
    std::array<std::size_t, 64> kept;
    std::size_t nk = 0;
    for (auto it = tb; it != te; ++it) {
      if (popcount(keep_mask | blocks_[*it].mask) <= k_) {
        keep_mask |= blocks_[*it].mask;
        kept[nk++] = *it;
      } else {
        emit(*it);
      }
    }

    std::size_t target = 0;
    if (nk == 0) {
      Block blk;
      blk.mask = gmask;
      const std::size_t dim = std::size_t{1} << popcount(gmask);
      blk.m.assign(dim * dim, cplx(0));
      for (std::size_t d = 0; d < dim; ++d) blk.m[d * dim + d] = 1;
      blocks_.push_back(std::move(blk));
      target = blocks_.size() - 1;
    } else {
      // Merge the kept blocks into the largest, widened to every qubit of the gate (they commute: disjoint qubits).
      const auto kb = kept.begin(), ke = kept.begin() + static_cast<std::ptrdiff_t>(nk);
      target = *std::max_element(kb, ke, [&](std::size_t a, std::size_t b) {
        return popcount(blocks_[a].mask) < popcount(blocks_[b].mask);
      });
      Block& blk = blocks_[target];
      if (blk.mask != keep_mask) widen(blk, keep_mask);
      for (auto it = kb; it != ke; ++it) {
        if (*it == target) continue;
        Block& other = blocks_[*it];
        std::array<unsigned, 64> tpos;
        std::size_t np = 0;
        for (mask_t m = other.mask; m; m &= m - 1) {
          tpos[np++] = position_in(blk.mask, static_cast<unsigned>(std::countr_zero(m)));
        }
        apply_left(blk.m, popcount(blk.mask), {tpos.data(), np}, other.m, {});
        blk.ops += other.ops;
        other.open = false;
        other.m = {};
      }
    }
    Block& blk = blocks_[target];
    for (mask_t m = blk.mask; m; m &= m - 1) {
      owner_[static_cast<std::size_t>(std::countr_zero(m))] = static_cast<int>(target);
    }
    multiply(blk, i);
  }

  const Circuit& c_;
  std::span<const double> angles_;
  unsigned k_;
  std::vector<std::size_t> offset_;
  std::vector<int> owner_;  // the open block holding each qubit, or −1
  std::vector<Block> blocks_;
  std::vector<FusedGate> out_;
  // Scratch reused across gates (fusion runs on every run(), so it should not allocate per gate).
  std::vector<std::size_t> off_;
  std::vector<cplx> tmp_;
  std::vector<cplx> wide_;
};

}  // namespace

std::vector<FusedGate> fuse(const Circuit& c, std::span<const double> angles, unsigned max_qubits) {
  return Fuser(c, angles, std::min(max_qubits, kMaxFusionQubits)).run();
}

// Measured on the 2-core AMD EPYC build machine (AVX2 kernels, 32 MiB L3), run() per operation (k = 0) against
// fused with k = 1..5, fusion time included, double precision, one thread, CPU ms per run (min over rounds; the
// machine was shared). "layered": 10 layers of RX/RY/H·RZ on every qubit + a CX/CZ brick (4 layers for n ≥ 20);
// "sel": strongly_entangling, 3 layers (1 for n ≥ 20).
//
//   circuit  n   ops     k=0      k=1      k=2      k=3      k=4      k=5   passes at k=2
//   layered  8   148    0.082    0.093    0.066    0.097    0.155    0.747   35
//   sel      8    96    0.053    0.045    0.046    0.069    0.189    0.393   24
//   layered 10   175    0.269    0.268    0.149    0.235    0.380    0.908   45
//   sel     10   120    0.186    0.112    0.091    0.145    0.235    0.621   30
//   layered 12   226    1.363    1.059    0.470    1.007    1.079    2.866   55
//   sel     12   144    0.825    0.395    0.281    0.481    0.556    1.199   36
//   layered 16   298    27.82    21.63    8.612    15.27    17.01    22.67   75
//   sel     16   192    17.26    8.022    5.385    8.839    9.540    12.36   48
//   layered 20   146    508.1    356.9    119.9    133.3    133.1    203.7   38
//   sel     20    80    247.9    129.5    66.52    67.50    70.35    90.66   20
//   layered 22   153     1632     1437    432.0    530.0    558.3    682.8   42
//   sel     22    88     1041    495.4    283.2    423.9    365.0    456.7   22
//
// Float gives the same ranking (n = 22 layered: 1094 / 296 / 318 / 361 / 382 ms for k = 0 / 2 / 3 / 4 / 5) with the
// break-even a little later (n = 8: 0.91–0.96×, n = 10: 1.3–1.5×); two threads (wall time) also pick k = 2 except
// sel at n = 20 (k = 3: 60 ms vs 70 ms). Fusion loses below n ≈ 8 (0.5–0.9× at n = 3–7: the state is tiny and the
// per-gate cost is overhead, not memory traffic). k = 2 wins from n = 8 to 22: with these kernels a dense 8×8 or
// larger block costs more arithmetic per amplitude than the passes it saves on two cores. Re-measure (run() with
// RunOptions{.fusion_qubits = k}) on machines with more cores per memory channel, where k = 3–4 may pay.
//
// Re-measured after the 3- and 4-qubit blocks got their own compile-time kernels (inputs outer, accumulators in
// registers: 2-2.5x faster than the general loop they used to take), same machine, one thread, double, median of
// interleaved runs, speed-up over k = 0. "ansatz": the benchmark ansatz (RY, RZ on every qubit, CNOT ring);
// "random": layers of random 1- and 2-qubit gates (qnn/exec/benchmark.hpp).
//
//   circuit  n    k=1    k=2    k=3    k=4
//   ansatz  12   1.32   1.08   0.94   0.54
//   random  12   1.05   1.11   0.79   0.51
//   ansatz  16   1.59   1.36   1.45   1.06
//   random  16   1.01   1.26   1.10   0.78
//   ansatz  20   1.49   1.26   1.63   1.16
//   random  20   1.06   1.34   1.10   0.98
//   ansatz  22   1.56   2.34   2.79   2.12
//   random  22   1.29   1.90   2.20   1.56
//   ansatz  24   1.70   2.26   3.10   2.34
//   random  24   1.03   1.23   2.00   1.79
//
// Once the state outgrows the caches (n = 20 in double is 16 MiB: at the boundary) each pass costs a memory sweep
// and k = 3 halves the passes of k = 2 for a little more arithmetic; below that, arithmetic is the cost and k = 2 is
// the compromise (k = 1 wins on the ansatz, whose 2-qubit blocks are (I ⊗ R)·CNOT, k = 2 on the random circuits and
// on the layered and strongly entangling circuits above). At n = 20 the two circuit families disagree; the layered
// ansätze that QNNs run pick k = 3.
unsigned default_fusion_qubits(unsigned num_qubits) {
  if (num_qubits < 10) return 0;  // overhead-dominated; and break-even for float lies around n = 9
  if (num_qubits < 20) return 2;
  return 3;
}

template <Real T>
void run_fused(const std::vector<FusedGate>& gates, StateVector<T>& psi) {
  // One run for the kernels: consecutive blocks on low qubits then share a pass over the state.
  std::vector<kernels::DenseGate> run;
  run.reserve(gates.size());
  for (const FusedGate& g : gates) run.push_back({g.targets, g.matrix, g.controls});
  psi.apply_matrices(run);
}

template void run_fused<float>(const std::vector<FusedGate>&, StateVector<float>&);
template void run_fused<double>(const std::vector<FusedGate>&, StateVector<double>&);

}  // namespace qnn
