#include "qnn/diff/batched_adjoint.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <string>
#include <tuple>

#include "qnn/core/error.hpp"
#include "qnn/core/memory.hpp"
#include "qnn/core/parallel.hpp"
#include "adjoint_step.hpp"
#include "diagonal_group.hpp"

namespace qnn {

namespace {

// A permutation run's map and the cycles a pass in one direction follows: src[i] is the row that lands at i
// (forward), rows[starts[c] … starts[c + 1]) the c-th cycle, each row taking the next one's content (the last the
// first's); cycles() of them. They depend on the run's gates alone, not on any angle.
struct RunCycles {
  std::vector<index_t> src, rows, starts;
  [[nodiscard]] index_t cycles() const { return starts.size() - 1; }
};

void build_run_cycles(const Circuit& c, const std::vector<std::size_t>& run, unsigned n, bool backward,
                      RunCycles& rc) {
  const unsigned k = (n + 1) / 2;
  const index_t size = index_t{1} << n, low = (index_t{1} << k) - 1;
  std::vector<index_t> lo, hi, from(size);
  detail::permutation_tables(c, run, /*inverse=*/true, k, lo, hi);  // f⁻¹: the row that lands at i comes from src[i]
  rc.src.resize(size);
  for (index_t i = 0; i < size; ++i) rc.src[i] = lo[i & low] ^ hi[i >> k];
  // Row j takes the content of row from[j]: forward from = src, backward its inverse.
  for (index_t i = 0; i < size; ++i) {
    if (backward) {
      from[rc.src[i]] = i;
    } else {
      from[i] = rc.src[i];
    }
  }
  std::vector<bool> seen(size, false);
  rc.rows.clear();
  rc.starts.clear();
  for (index_t j = 0; j < size; ++j) {
    if (seen[j]) continue;
    rc.starts.push_back(rc.rows.size());
    for (index_t r = j; !seen[r]; r = from[r]) {
      seen[r] = true;
      rc.rows.push_back(r);
    }
  }
  rc.starts.push_back(rc.rows.size());
}

// The cycles of a run, from a small per-thread cache keyed by the run's gates (kind, qubits, controls), n and the
// direction, for states up to 2^12 rows (24 bytes a row): a training step meets the same runs at every call, and
// their decomposition was a few percent of an 8-qubit step. Larger states build them each time, into `scratch`.
const RunCycles& run_cycles(const Circuit& c, const std::vector<std::size_t>& run, unsigned n, bool backward,
                            RunCycles& scratch) {
  if (n > 12) {
    build_run_cycles(c, run, n, backward, scratch);
    return scratch;
  }
  thread_local std::vector<std::uint32_t> key;  // reused: no allocation per call
  key.assign({n, backward ? 1U : 0U});
  for (std::size_t j : run) {
    const Operation& op = c.ops()[j];
    key.push_back(static_cast<std::uint32_t>(op.kind));
    key.push_back(static_cast<std::uint32_t>(op.qubits.size()));
    key.insert(key.end(), op.qubits.begin(), op.qubits.end());
    key.push_back(static_cast<std::uint32_t>(op.controls.size()));
    key.insert(key.end(), op.controls.begin(), op.controls.end());
  }
  struct Entry {
    std::vector<std::uint32_t> key;
    RunCycles cycles;
  };
  constexpr std::size_t kEntries = 8;
  thread_local std::vector<Entry> cache;
  thread_local std::size_t next = 0;
  for (const Entry& e : cache)
    if (e.key == key) return e.cycles;
  if (cache.size() < kEntries) {
    cache.emplace_back();
    next = cache.size() - 1;
  }
  Entry& e = cache[next];
  next = (next + 1) % kEntries;
  e.key = key;
  build_run_cycles(c, run, n, backward, e.cycles);
  return e.cycles;
}

// A permutation run with the diagonal groups next to it in the forward order (`before` just before it, `after` just
// after; either may have no members), as one pass over each state, in place (kernels::batched_permute_phase): a phase
// commutes with a move of rows, to the row's new place, so each row takes both groups' phases on its way through the
// run's map, and a layer boundary of a strongly entangling ansatz (RZ layer, CNOT ring, RZ layer) is one pass
// instead of three. Forward: φ ← D_after·P·D_before φ (members added with their U); backward: φ and λ ←
// D_before†·P†·D_after† (members added with U†), with both groups' gradients: c(i) is taken from the rows as they
// stand before the pass, in `after`'s frame, and reaches `before`'s frame through the map. The run's map is affine
// over GF(2) (diagonal_group.hpp, permutation_tables), and the pass follows its cycles (run_cycles).
template <Real T, class Fn>
void permute_with_phases(const Circuit& c, const std::vector<std::size_t>& run, detail::DiagonalGroup& before,
                         detail::DiagonalGroup& after, BatchedStateVector<T>& phi, BatchedStateVector<T>* lambda,
                         Fn&& gradient) {
  const unsigned n = phi.num_qubits();
  const index_t size = index_t{1} << n;
  const bool backward = lambda != nullptr;
  thread_local RunCycles scratch;
  thread_local std::vector<cplx> d;
  thread_local std::vector<double> corr, corr_before;
  // Kept between calls for small states; past 2^16 rows (4 MiB of tables) given back at the end, not held per thread.
  struct Release {
    bool large;
    ~Release() {
      if (!large) return;
      for (auto* v : {&scratch.src, &scratch.rows, &scratch.starts}) std::vector<index_t>().swap(*v);
      std::vector<cplx>().swap(d);
      std::vector<double>().swap(corr);
      std::vector<double>().swap(corr_before);
    }
  } release{size > (index_t{1} << 16)};
  const RunCycles& rc = run_cycles(c, run, n, backward, scratch);
  const std::vector<index_t>& src = rc.src;
  before.build_tables();
  after.build_tables();
  // Row j takes d[j]·(its source row): forward d[j] = D_after(j)·D_before(src j); backward, along the inverse map,
  // d[src i] = D_after†(i)·D_before†(src i).
  d.resize(size);
  for (index_t i = 0; i < size; ++i) {
    const cplx ph = before.d(src[i]) * after.d(i);
    d[backward ? src[i] : i] = ph;
  }
  const index_t cycles = rc.cycles();
  const std::vector<index_t>& rows = rc.rows;
  const std::vector<index_t>& starts = rc.starts;
  corr.resize(backward ? size : 0);
  kernels::batched_permute_phase<T>(active_isa(), phi.re(), phi.im(), backward ? lambda->re() : nullptr,
                                    backward ? lambda->im() : nullptr, n, phi.batch(), rows.data(), starts.data(),
                                    cycles, d.data(), backward ? corr.data() : nullptr);
  if (!backward) {
    before.clear();
    after.clear();
    return;
  }
  after.finish(corr, gradient);
  corr_before.resize(size);
  for (index_t i = 0; i < size; ++i) corr_before[src[i]] = corr[i];
  before.finish(corr_before, gradient);
}

// The gradients of a product-state prefix (one-qubit gates only: the ops before the backward sweep's end), from λ as
// the sweep leaves it there (times `sign`: the paired rotations may have negated both states) and the prefix's
// one-qubit states (`trace`), instead of sweeping φ and λ back through it. A gate g on qubit q: the prefix's gates on
// the other qubits commute with it and leave |0…0⟩ a product of their final states a_p, so
//   ⟨λ_g|∂U_g|φ_g−1⟩ = Σ_s m_q[s]·(A_g ∂U_g f_g)[s],  m_q[s] = Σ_{i: bit q of i = s} conj(λ_i) Π_{p≠q} a_p[bit p of i],
// with f_g the state of q before g and A_g the prefix's gates on q after it. m_q for every qubit: conj(λ) contracted
// with the product of the a_p over each half of the qubits in one read of λ (kernels::batched_product_contract),
// then, within the half, with every a_p but q's. `gradient(op, p, g)` gets g[b] = 2 Re⟨λ_g|∂U_g/∂param_p|φ_g−1⟩ of
// each sample.
template <Real T, class Fn>
void product_prefix_gradients(const Circuit& c, std::span<const std::size_t> prefix, const ProductTrace& trace,
                              const BatchAngles& angles, const BatchedStateVector<T>& lambda, double sign,
                              const DiffWrt& wrt, Fn&& gradient) {
  const unsigned n = lambda.num_qubits(), B = lambda.batch(), k = n / 2;
  const std::size_t nlo = std::size_t{1} << k, nhi = std::size_t{1} << (n - k);
  using Planes = std::vector<double>;  // complex [j·B + b] as re and im arrays
  // Component s of qubit q's final state: B samples, real and imaginary parts.
  auto a_re = [&](unsigned q, unsigned s) { return trace.final_re.data() + (2 * std::size_t{q} + s) * B; };
  auto a_im = [&](unsigned q, unsigned s) { return trace.final_im.data() + (2 * std::size_t{q} + s) * B; };
  // Π of a_p over `bits` qubits from `first`, at every index of those bits, by doubling.
  auto weights = [&](unsigned first, unsigned bits, Planes& wr, Planes& wi) {
    wr.assign((std::size_t{1} << bits) * B, 0.0);
    wi.assign(wr.size(), 0.0);
    std::fill_n(wr.begin(), B, 1.0);
    for (unsigned p = 0; p < bits; ++p) {
      const std::size_t h = std::size_t{1} << p;
      const double* __restrict a0r = a_re(first + p, 0);
      const double* __restrict a0i = a_im(first + p, 0);
      const double* __restrict a1r = a_re(first + p, 1);
      const double* __restrict a1i = a_im(first + p, 1);
      for (std::size_t j = 0; j < h; ++j) {
        double* __restrict xr = wr.data() + j * B;
        double* __restrict xi = wi.data() + j * B;
        double* __restrict yr = wr.data() + (j + h) * B;
        double* __restrict yi = wi.data() + (j + h) * B;
#pragma omp simd
        for (unsigned b = 0; b < B; ++b) {
          const double r = xr[b], m = xi[b];
          yr[b] = r * a1r[b] - m * a1i[b], yi[b] = r * a1i[b] + m * a1r[b];
          xr[b] = r * a0r[b] - m * a0i[b], xi[b] = r * a0i[b] + m * a0r[b];
        }
      }
    }
  };
  Planes alr, ali, ahr, ahi, tlr(nlo * B), tli(nlo * B), thr(nhi * B), thi(nhi * B);
  weights(0, k, alr, ali);
  weights(k, n - k, ahr, ahi);
  kernels::batched_product_contract<T>(active_isa(), lambda.re(), lambda.im(), n, B, k, alr.data(),
                                       ali.data(), ahr.data(), ahi.data(), tlr.data(), tli.data(), thr.data(),
                                       thi.data());
  // m_q of every qubit, at [(2q + s)·B + b]: within each half, by halving (a tensor over some qubits contracted with
  // the weights of one part of them leaves the other part's tensor), about 2·2^bits products per half where
  // contracting every other qubit for each q took bits·2^bits.
  Planes mqr(2 * std::size_t{n} * B), mqi(2 * std::size_t{n} * B);
  std::function<void(const Planes&, const Planes&, unsigned, unsigned)> leave_one_out =
      [&](const Planes& tr, const Planes& ti, unsigned first, unsigned bits) {
        if (bits == 0) return;
        if (bits == 1) {
          std::copy_n(tr.begin(), 2 * B, mqr.begin() + static_cast<std::ptrdiff_t>(2 * std::size_t{first} * B));
          std::copy_n(ti.begin(), 2 * B, mqi.begin() + static_cast<std::ptrdiff_t>(2 * std::size_t{first} * B));
          return;
        }
        const unsigned lo_bits = bits / 2, hi_bits = bits - lo_bits;
        const std::size_t nl = std::size_t{1} << lo_bits, nh = std::size_t{1} << hi_bits;
        for (const bool keep_low : {true, false}) {
          Planes wr, wi;
          if (keep_low) {
            weights(first + lo_bits, hi_bits, wr, wi);
          } else {
            weights(first, lo_bits, wr, wi);
          }
          Planes ur((keep_low ? nl : nh) * B, 0.0), ui(ur.size(), 0.0);
          for (std::size_t jh = 0; jh < nh; ++jh)
            for (std::size_t jl = 0; jl < nl; ++jl) {
              const std::size_t w = keep_low ? jh : jl, o = keep_low ? jl : jh;
              const double* __restrict xr = tr.data() + (jh * nl + jl) * B;
              const double* __restrict xi = ti.data() + (jh * nl + jl) * B;
              const double* __restrict vr = wr.data() + w * B;
              const double* __restrict vi = wi.data() + w * B;
              double* __restrict yr = ur.data() + o * B;
              double* __restrict yi = ui.data() + o * B;
#pragma omp simd
              for (unsigned b = 0; b < B; ++b) {
                yr[b] += xr[b] * vr[b] - xi[b] * vi[b];
                yi[b] += xr[b] * vi[b] + xi[b] * vr[b];
              }
            }
          if (keep_low) {
            leave_one_out(ur, ui, first, lo_bits);
          } else {
            leave_one_out(ur, ui, first + lo_bits, hi_bits);
          }
        }
      };
  leave_one_out(tlr, tli, 0, k);
  leave_one_out(thr, thi, k, n - k);
  const auto& ops = c.ops();
  // r = (r0, r1): m_q, then m_q^T A_g going back through q's ops.
  Planes r0r(B), r0i(B), r1r(B), r1i(B), g(B);
  cplx u[16], d[16];
  for (unsigned q = 0; q < n; ++q) {
    // The prefix's ops on q, and the earliest that has a gradient to take.
    std::vector<std::size_t> on_q;
    for (std::size_t t = 0; t < prefix.size(); ++t)
      if (ops[prefix[t]].qubits[0] == q) on_q.push_back(t);
    std::size_t first = on_q.size();
    for (std::size_t j = 0; j < on_q.size() && first == on_q.size(); ++j)
      for (const Expr& e : ops[prefix[on_q[j]]].params)
        if (wrt.needs(e)) first = j;
    if (first == on_q.size()) continue;
    for (unsigned b = 0; b < B; ++b) {
      r0r[b] = sign * mqr[2 * std::size_t{q} * B + b], r0i[b] = sign * mqi[2 * std::size_t{q} * B + b];
      r1r[b] = sign * mqr[(2 * std::size_t{q} + 1) * B + b], r1i[b] = sign * mqi[(2 * std::size_t{q} + 1) * B + b];
    }
    // Back through q's ops: each parameter's 2 Re(r^T ∂U f), then r^T ← r^T U.
    for (std::size_t j = on_q.size(); j-- > first;) {
      const std::size_t t = on_q[j], at = prefix[t];
      const Operation& op = ops[at];
      const std::size_t np = op.params.size();
      const bool per = angles.per_sample[at];
      auto angles_of = [&](unsigned b) {
        return std::span<const double>(angles.values).subspan(angles.offset[at] + (per ? b * np : 0), np);
      };
      const double* const f0r = trace.before_re.data() + 2 * t * B;
      const double* const f0i = trace.before_im.data() + 2 * t * B;
      const double* const f1r = f0r + B;
      const double* const f1i = f0i + B;
      // g[b] = 2 Re(r^T M f) over samples [b0, b1) with one matrix M (vectorised where M is shared).
      auto bilinear = [&](const cplx* m, unsigned b0, unsigned b1) {
        const double m0r = m[0].real(), m0i = m[0].imag(), m1r = m[1].real(), m1i = m[1].imag();
        const double m2r = m[2].real(), m2i = m[2].imag(), m3r = m[3].real(), m3i = m[3].imag();
#pragma omp simd
        for (unsigned b = b0; b < b1; ++b) {
          const double pr = m0r * f0r[b] - m0i * f0i[b] + m1r * f1r[b] - m1i * f1i[b];
          const double pi = m0r * f0i[b] + m0i * f0r[b] + m1r * f1i[b] + m1i * f1r[b];
          const double qr = m2r * f0r[b] - m2i * f0i[b] + m3r * f1r[b] - m3i * f1i[b];
          const double qi = m2r * f0i[b] + m2i * f0r[b] + m3r * f1i[b] + m3i * f1r[b];
          g[b] = 2.0 * (r0r[b] * pr - r0i[b] * pi + r1r[b] * qr - r1i[b] * qi);
        }
      };
      // r^T ← r^T M over samples [b0, b1).
      auto advance = [&](const cplx* m, unsigned b0, unsigned b1) {
        const double m0r = m[0].real(), m0i = m[0].imag(), m1r = m[1].real(), m1i = m[1].imag();
        const double m2r = m[2].real(), m2i = m[2].imag(), m3r = m[3].real(), m3i = m[3].imag();
#pragma omp simd
        for (unsigned b = b0; b < b1; ++b) {
          const double ar = r0r[b] * m0r - r0i[b] * m0i + r1r[b] * m2r - r1i[b] * m2i;
          const double ai = r0r[b] * m0i + r0i[b] * m0r + r1r[b] * m2i + r1i[b] * m2r;
          const double er = r0r[b] * m1r - r0i[b] * m1i + r1r[b] * m3r - r1i[b] * m3i;
          const double ei = r0r[b] * m1i + r0i[b] * m1r + r1r[b] * m3i + r1i[b] * m3r;
          r0r[b] = ar, r0i[b] = ai, r1r[b] = er, r1i[b] = ei;
        }
      };
      for (std::size_t p = 0; p < np; ++p) {
        if (!wrt.needs(op.params[p])) continue;
        for (unsigned b = 0; b < (per ? B : 1); ++b) {
          const GateMatrix dm = gate_derivative(op.kind, angles_of(b), static_cast<unsigned>(p));
          std::copy_n(dm.m.begin(), 4, d);
          bilinear(d, b, per ? b + 1 : B);
        }
        gradient(op, p, std::span<const double>(g));
      }
      if (j == first) break;
      for (unsigned b = 0; b < (per ? B : 1); ++b) {
        if (op.kind == GateKind::Unitary) {
          std::copy_n(op.matrix->begin(), 4, u);
        } else {
          gate_matrix_into(op.kind, angles_of(b), u);
        }
        advance(u, b, per ? b + 1 : B);
      }
    }
  }
}

// What every chunk of a batch shares: the order of the passes (commuting diagonal gates with shared angles in one
// pass, runs of CX/X/SWAP as one move of each row, as in the single-state sweep, diagonal_group.hpp), which depends on
// the circuit and on which angles read x but not on the samples, and the product-state prefix. The Reference ISA keeps
// one pass per gate, for the tests to compare.
struct SweepPlan {
  bool fast = false;
  detail::DiagonalSchedule sched;
  // The forward pass begins with the passes that leave |0…0⟩ a product state (one-qubit gates only: the encoding
  // and, often, the first rotation layer), taken in the order the pass would take them; they are written in one pass
  // instead (set_product_state_batched), and the pass goes on from `start`. Not on the Reference ISA.
  std::vector<std::size_t> prefix;
  std::size_t start = 0;
  // When the prefix is exactly the ops before `start`, the backward sweep ends there and the prefix's gradients come
  // from product_prefix_gradients (so not in expval_batched, which has no backward sweep); from 8 qubits, below which
  // the passes it saves cost less than its own set-up (B = 64: the step 1.2x slower with it at 4 qubits, no faster at
  // 6; 1.02x faster at 8, 1.1-1.15x at 10).
  bool product_layer = false;
  // A readout of Z strings alone, at most kernels::kMaxZTerms terms (the identity's among them; a classifier's ⟨Z_k⟩
  // per class): its values in one pass and λ in one (kernels::batched_z_expectations, batched_z_weighted), where each
  // term took a pass of its own. Per term: its mask, observable and coefficient.
  bool z_readout = false;
  std::vector<index_t> z_masks;
  std::vector<unsigned> z_observable;
  std::vector<double> z_coeff;
  std::vector<index_t> z_value_masks;  // the masks but the identity's (0), whose ⟨I⟩ = 1 is not summed
};

SweepPlan plan_sweep(const Circuit& c, std::span<const PauliSum> observables, const BatchAngles& angles,
                     bool with_backward) {
  const auto& ops = c.ops();
  SweepPlan plan;
  plan.fast = active_isa() != Isa::Reference;
  plan.z_readout = plan.fast;
  for (unsigned k = 0; k < observables.size(); ++k) {
    if (observables[k].min_qubits() > c.num_qubits()) throw ValueError("observable acts beyond the state's qubits");
    for (const auto& term : observables[k].terms()) {
      const PauliMasks m = term.string.masks();
      plan.z_readout = plan.z_readout && m.x == 0;
      plan.z_masks.push_back(m.z);
      plan.z_observable.push_back(k);
      plan.z_coeff.push_back(term.coeff);
    }
  }
  plan.z_readout = plan.z_readout && !plan.z_masks.empty() && plan.z_masks.size() <= kernels::kMaxZTerms;
  for (index_t z : plan.z_masks)
    if (z != 0) plan.z_value_masks.push_back(z);
  std::vector<bool> shared(ops.size());
  for (std::size_t k = 0; k < ops.size(); ++k) shared[k] = !angles.per_sample[k];
  plan.sched = plan.fast ? detail::schedule_diagonal_groups(c, detail::DiagonalGroup(c.num_qubits()), &shared)
                         : detail::DiagonalSchedule::none(ops.size());
  if (!plan.fast) return plan;
  const detail::DiagonalSchedule& sched = plan.sched;
  std::size_t& start = plan.start;
  for (; start < ops.size(); ++start) {
    const std::size_t k = start;
    if (sched.taken_elsewhere(k, /*forward=*/true)) continue;
    const std::span<const std::size_t> unit = sched.perm[k] >= 0    ? sched.runs[sched.perm[k]]
                                              : sched.group[k] >= 0 ? sched.members[sched.group[k]]
                                                                    : std::span<const std::size_t>(&k, 1);
    if (!std::all_of(unit.begin(), unit.end(), [&](std::size_t j) { return product_gate(ops[j]); })) break;
    plan.prefix.insert(plan.prefix.end(), unit.begin(), unit.end());
  }
  plan.product_layer = with_backward && c.num_qubits() >= 8 && start > 0 && plan.prefix.size() == start &&
                       std::all_of(plan.prefix.begin(), plan.prefix.end(), [&](std::size_t j) { return j < start; });
  return plan;
}

// The angles of samples [b0, b0 + count) of a bound batch.
BatchAngles slice_angles(const Circuit& c, const BatchAngles& a, unsigned b0, unsigned count) {
  BatchAngles s;
  s.per_sample = a.per_sample;
  s.offset.resize(a.offset.size());
  for (std::size_t k = 0; k < a.offset.size(); ++k) {
    const std::size_t np = c.ops()[k].params.size(), per = a.per_sample[k] ? 1 : 0;
    s.offset[k] = s.values.size();
    const auto from = a.values.begin() + static_cast<std::ptrdiff_t>(a.offset[k] + per * b0 * np);
    s.values.insert(s.values.end(), from, from + static_cast<std::ptrdiff_t>(per ? count * np : np));
  }
  return s;
}

// The sweep of adjoint_vjp_batched over one chunk of samples: the forward pass and the values at construction, the
// backward pass in backward(). With per_sample, each sample's θ gradient is kept apart (theta_per_sample): the
// backward pass then takes diagonal groups by themselves with each sample's sums (run_batched_per_sample),
// permutation runs without the groups beside them, one-target gates with shared angles one at a time as
// batched_adjoint_step with per-sample sums, and the others as U† on φ, each sample's ⟨λ_b|∂U|φ_b⟩ and U† on λ.
template <Real T>
class ChunkSweep {
 public:
  ChunkSweep(const Circuit& c, std::span<const PauliSum> observables, std::span<const double> theta,
             const BatchInputs& x, BatchAngles angles, unsigned batch, const DiffWrt& wrt, bool per_sample,
             const SweepPlan& plan)
      : c_(c),
        observables_(observables),
        theta_(theta),
        x_(x),
        angles_(std::move(angles)),
        B_(batch),
        wrt_(wrt),
        per_sample_(per_sample),
        plan_(plan),
        group_(c.num_qubits()),
        other_(c.num_qubits()),
        phi_(c.num_qubits(), batch, typename BatchedStateVector<T>::Uninitialized{}) {
    forward();
  }

  /// ⟨O_k⟩ of every sample, B × K row-major.
  [[nodiscard]] const std::vector<double>& values() const { return values_; }

  /// The backward pass for the weights w (B × K, this chunk's rows): the θ gradient (and its per-sample rows, and the
  /// x gradient) into r, whose values are this chunk's.
  void backward(std::span<const double> w, BatchedVjpResult& r);

 private:
  void forward();
  [[nodiscard]] std::span<const double> shared_angles(std::size_t j) const {
    return std::span<const double>(angles_.values).subspan(angles_.offset[j], c_.ops()[j].params.size());
  }
  // The next op a pass takes after op k (ops.size() if none), forward; and before op k, backward, at or above `low`
  // (ops.size() if none).
  [[nodiscard]] std::size_t next_unit(std::size_t k) const {
    std::size_t j = k + 1;
    while (j < c_.ops().size() && plan_.sched.taken_elsewhere(j, /*forward=*/true)) ++j;
    return j;
  }
  [[nodiscard]] std::size_t previous_unit(std::size_t k, std::size_t low) const {
    std::size_t j = k;
    while (j > low && plan_.sched.taken_elsewhere(j - 1, /*forward=*/false)) --j;
    return j > low ? j - 1 : c_.ops().size();
  }
  void add_members(detail::DiagonalGroup& g, std::size_t anchor, bool forward) const {
    const auto& ops = c_.ops();
    for (std::size_t j : plan_.sched.members[plan_.sched.group[anchor]]) {
      g.add(ops[j], shared_angles(j), !forward && !ops[j].params.empty() && wrt_.needs(ops[j].params[0]),
            /*dagger=*/!forward);
    }
  }

  const Circuit& c_;
  std::span<const PauliSum> observables_;
  std::span<const double> theta_;
  BatchInputs x_;
  BatchAngles angles_;
  unsigned B_;
  const DiffWrt& wrt_;
  bool per_sample_;
  const SweepPlan& plan_;
  detail::DiagonalGroup group_, other_;
  ProductTrace trace_;
  BatchedStateVector<T> phi_;
  std::vector<double> values_;
};

template <Real T>
void ChunkSweep<T>::forward() {
  const Circuit& c = c_;
  const auto& ops = c.ops();
  const auto& sched = plan_.sched;
  const auto& angles = angles_;
  const unsigned B = B_, K = static_cast<unsigned>(observables_.size());
  const std::size_t start = plan_.start;
  detail::DiagonalGroup &group = group_, &other = other_;
  BatchedStateVector<T>& phi = phi_;
  if (plan_.fast) {
    set_product_state_batched(phi, c, plan_.prefix, angles, plan_.product_layer ? &trace_ : nullptr);
  } else {
    phi.set_zero_state();
  }
  auto no_gradient = [](const Operation&, double) {};
  for (std::size_t k = start; k < ops.size(); ++k) {
    if (sched.perm[k] >= 0) {
      const auto& run = sched.runs[sched.perm[k]];
      if (run.front() != k) continue;
      const std::size_t j = next_unit(k);  // the run, and the group after it if one is next
      const bool then_group = j < ops.size() && sched.anchor(j);
      if (then_group) add_members(other, j, /*forward=*/true);
      permute_with_phases<T>(c, run, group, other, phi, nullptr, no_gradient);
      if (then_group) k = j;
    } else if (sched.group[k] >= 0) {
      if (!sched.anchor(k)) continue;
      add_members(group, k, /*forward=*/true);
      const std::size_t j = next_unit(k);
      if (j < ops.size() && sched.perm[j] >= 0) {  // the group, the run after it, and a group after that
        const std::size_t j2 = next_unit(j);
        const bool then_group = j2 < ops.size() && sched.anchor(j2);
        if (then_group) add_members(other, j2, /*forward=*/true);
        permute_with_phases<T>(c, sched.runs[sched.perm[j]], group, other, phi, nullptr, no_gradient);
        k = then_group ? j2 : j;
        continue;
      }
      group.run_batched<T>(phi.re(), phi.im(), nullptr, nullptr, B, no_gradient);
    } else {
      // The next op the pass applies: a real 1-qubit gate there shares this one's pass (apply_pair_batched).
      const std::size_t j = next_unit(k);
      if (j < ops.size() && sched.alone(j) && apply_pair_batched(phi, c, k, j, angles)) {
        k = j;
        continue;
      }
      apply_operation_batched(phi, c, k, angles);
    }
  }

  values_.assign(std::size_t{B} * K, 0.0);
  if (plan_.z_readout) {  // the terms but the identity's (⟨I⟩ = 1 exactly) in one pass, then each in term order
    const std::vector<index_t>& masks = plan_.z_value_masks;
    std::vector<double> e(masks.size() * B);
    if (!masks.empty())
      kernels::batched_z_expectations<T>(active_isa(), phi.re(), phi.im(), c.num_qubits(), B, masks.data(),
                                         static_cast<unsigned>(masks.size()), e.data());
    std::size_t m = 0;
    for (std::size_t t = 0; t < plan_.z_masks.size(); ++t) {
      double* const out = values_.data() + plan_.z_observable[t];
      const double ct = plan_.z_coeff[t];
      if (plan_.z_masks[t] == 0) {
        for (unsigned b = 0; b < B; ++b) out[b * K] += ct;
      } else {
        for (unsigned b = 0; b < B; ++b) out[b * K] += ct * e[m * B + b];
        ++m;
      }
    }
    return;
  }
  std::vector<double> col(B);
  for (unsigned k = 0; k < K; ++k) {
    expectation_batched(phi, observables_[k], col);
    for (unsigned b = 0; b < B; ++b) values_[b * K + k] = col[b];
  }
}

template <Real T>
void ChunkSweep<T>::backward(std::span<const double> w, BatchedVjpResult& r) {
  const Circuit& c = c_;
  const auto& ops = c.ops();
  const auto& sched = plan_.sched;
  const auto& angles = angles_;
  const auto& prefix = plan_.prefix;
  const unsigned B = B_, K = static_cast<unsigned>(observables_.size());
  const std::size_t start = plan_.start;
  const bool fast = plan_.fast, product_layer = plan_.product_layer, per_sample = per_sample_;
  const DiffWrt& wrt = wrt_;
  const std::span<const PauliSum> observables = observables_;
  const std::span<const double> theta = theta_;
  const BatchInputs& x = x_;
  const ProductTrace& trace = trace_;
  detail::DiagonalGroup &group = group_, &other = other_;
  BatchedStateVector<T>& phi = phi_;
  const std::size_t P = wrt.theta ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0;
  auto sum_rows = [&] {  // the summed θ gradient from the per-sample rows, in sample order
    for (unsigned b = 0; b < B; ++b)
      for (std::size_t i = 0; i < P; ++i) r.theta[i] += r.theta_per_sample[b * P + i];
  };
  // Per-sample gradients of states past 2 MiB (this chunk's φ and λ; from 12 qubits in chunks of 32): the per-sample
  // backward pass below takes one pass per rotation (no pairs, no layer boundaries in one pass), each streaming both
  // batched states from beyond the core's cache, where B one-sample sweeps (each state in L1) cost less: on an Intel
  // Xeon with 2 MiB of L2, B = 64, the batched rows took 0.5x the one-sample sweeps' time at 10 qubits, 1.1x at 11 and
  // 2x at 12. The same weights, from these values; the samples in parallel, each row written by its own task.
  if (per_sample && 4 * sizeof(T) * (std::size_t{1} << c.num_qubits()) * B > (std::size_t{1} << 21)) {
    const std::size_t F = x.num_features;
    r.theta.assign(P, 0.0);
    r.theta_per_sample.assign(P * B, 0.0);
    r.x.assign(wrt.inputs ? x.data.size() : 0, 0.0);
    parallel_tasks(
        B,
        [&](std::uint64_t b) {
          const std::span<const double> wb(w.data() + b * K, K);
          const VjpResult one = adjoint_vjp<T>(
              c, observables, theta, x.data.subspan(b * F, F),
              [&](std::span<const double>) { return std::vector<double>(wb.begin(), wb.end()); }, wrt);
          std::copy_n(one.theta.begin(), std::min(P, one.theta.size()), r.theta_per_sample.begin() + b * P);
          if (wrt.inputs) std::copy_n(one.x.begin(), std::min(F, one.x.size()), r.x.begin() + b * F);
        },
        c.size() * (std::uint64_t{1} << c.num_qubits()));
    sum_rows();
    return;
  }

  // λ_b = (Σ_k w_bk O_k) ψ_b
  BatchedStateVector<T> lambda(c.num_qubits(), B, typename BatchedStateVector<T>::Uninitialized{});
  std::vector<double> coeff(B);
  if (plan_.z_readout) {
    const std::size_t terms = plan_.z_masks.size();
    coeff.resize(terms * B);
    for (std::size_t t = 0; t < terms; ++t)
      for (unsigned b = 0; b < B; ++b) coeff[t * B + b] = plan_.z_coeff[t] * w[b * K + plan_.z_observable[t]];
    kernels::batched_z_weighted<T>(active_isa(), phi.re(), phi.im(), lambda.re(), lambda.im(), c.num_qubits(), B,
                                   plan_.z_masks.data(), static_cast<unsigned>(terms), coeff.data());
  } else {
    bool first_term = true;  // written, not added: λ is not zeroed first
    for (unsigned k = 0; k < K; ++k)
      for (const auto& term : observables[k].terms()) {
        for (unsigned b = 0; b < B; ++b) coeff[b] = term.coeff * w[b * K + k];
        if (first_term) {
          lambda.set_pauli_applied(phi, term.string.masks(), coeff);
        } else {
          lambda.add_pauli_applied(phi, term.string.masks(), coeff);
        }
        first_term = false;
      }
    if (first_term) lambda.set_zero();
  }

  r.theta.assign(P, 0.0);
  if (per_sample) r.theta_per_sample.assign(P * B, 0.0);
  r.x.assign(wrt.inputs ? x.data.size() : 0, 0.0);
  const std::span<double> dtheta = wrt.theta ? std::span<double>(r.theta) : std::span<double>();
  // Where sample b's share of the θ gradient goes: its own row, or the sum.
  auto theta_of = [&](unsigned b) {
    return per_sample && wrt.theta ? std::span<double>(r.theta_per_sample).subspan(std::size_t{b} * P, P) : dtheta;
  };
  // Sample b's share v of the gradient of an angle e that reads x_b: into θ (its row, or the sum) and into x_b's.
  auto backprop_sample = [&](const Expr& e, unsigned b, double v) {
    const std::size_t F = x.num_features;
    e.backprop(theta, x.data.subspan(b * F, F), v, theta_of(b),
               wrt.inputs ? std::span<double>(r.x).subspan(b * F, F) : std::span<double>());
  };
  // The shares v(b) of a shared angle e (reading no x): each into its sample's row, or their sum, in sample order.
  auto backprop_shared = [&](const Expr& e, auto&& v) {
    if (per_sample) {
      for (unsigned b = 0; b < B; ++b) e.backprop(theta, {}, v(b), theta_of(b), {});
      return;
    }
    double sum = 0;
    for (unsigned b = 0; b < B; ++b) sum += v(b);
    e.backprop(theta, {}, sum, dtheta, {});
  };
  std::vector<double> sample_sums;
  std::vector<cplx> me(B);
  std::vector<cplx> dms;
  // Nothing before `stop` has a gradient to take (the encoding when the inputs' gradient is not asked for).
  const std::size_t stop = detail::first_needed(ops, sched, [&](const Expr& e) { return wrt.needs(e); });
  // Where the backward sweep ends: `stop`, or the product prefix's end.
  const std::size_t low = product_layer ? std::max(stop, start) : stop;
  // The sign both states carry (batched_adjoint_pair applies −U† for a rotation with a negative cosine, to both).
  double sign = 1;
  auto group_gradient = [&](const Operation& o, double sum) { o.params[0].backprop(theta, {}, 2.0 * sum, dtheta, {}); };
  for (std::size_t k = ops.size(); k-- > low;) {
    const Operation& op = ops[k];
    if (sched.perm[k] >= 0) {
      if (sched.runs[sched.perm[k]].back() == k) {  // the run, and the group before it if one is next
        const std::size_t a = previous_unit(k, low);
        const bool then_group = !per_sample && a < ops.size() && sched.anchor(a);
        if (then_group) add_members(group, a, /*forward=*/false);
        permute_with_phases<T>(c, sched.runs[sched.perm[k]], group, other, phi, &lambda, group_gradient);
        if (then_group) k = a;
      }
      continue;
    }
    if (sched.group[k] >= 0) {
      if (!sched.anchor(k)) continue;
      add_members(other, k, /*forward=*/false);
      if (per_sample) {  // the group by itself, each sample's sums apart; its members' angles are shared
        other.run_batched_per_sample<T>(phi.re(), phi.im(), lambda.re(), lambda.im(), B,
                                        [&](const Operation& o, unsigned b, double sum) {
                                          o.params[0].backprop(theta, {}, 2.0 * sum, theta_of(b), {});
                                        });
        continue;
      }
      const std::size_t p = previous_unit(k, low);
      if (p < ops.size() && sched.perm[p] >= 0) {  // the group, the run before it, a group before that
        const std::size_t a = previous_unit(p, low);
        const bool then_group = a < ops.size() && sched.anchor(a);
        if (then_group) add_members(group, a, /*forward=*/false);
        permute_with_phases<T>(c, sched.runs[sched.perm[p]], group, other, phi, &lambda, group_gradient);
        k = then_group ? a : p;
        continue;
      }
      other.run_batched<T>(phi.re(), phi.im(), lambda.re(), lambda.im(), B, group_gradient);
      continue;
    }
    if (!angles.per_sample[k]) {
      // The same gate on every sample: one pass over both batches (U† on each and every parameter's sum).
      kernels::AdjointStep st;
      std::array<unsigned, 3> which{};
      const auto ang = std::span<const double>(angles.values).subspan(angles.offset[k], op.params.size());
      if (detail::make_adjoint_step(op, ang, wrt, st, which)) {
        st.update_lambda = k > 0;
        // The next op the sweep takes (j): another such step shares this one's pass where both are RY-like (not on
        // the Reference ISA: the tests compare with its one pass per gate).
        const std::size_t j = previous_unit(k, low);
        if (fast && j < ops.size() && sched.alone(j) && !angles.per_sample[j]) {
          const Operation& op2 = ops[j];
          kernels::AdjointStep st2;
          std::array<unsigned, 3> which2{};
          const auto ang2 = std::span<const double>(angles.values).subspan(angles.offset[j], op2.params.size());
          if (per_sample) sample_sums.resize(std::size_t{st.num_generators + 3} * B);  // room for st2's rows
          if (detail::make_adjoint_step(op2, ang2, wrt, st2, which2) &&
              BatchedStateVector<T>::adjoint_pair(phi, lambda, st, st2,
                                                  per_sample ? std::span<double>(sample_sums)
                                                             : std::span<double>())) {
            if (kernels::adjoint_pair_negates(st) != kernels::adjoint_pair_negates(st2)) sign = -sign;
            if (per_sample) {  // rows: st's generators, then st2's
              const double* row = sample_sums.data();
              for (const auto& [o, s, wh] : {std::tuple{&op, &st, &which}, std::tuple{&op2, &st2, &which2}})
                for (unsigned q = 0; q < s->num_generators; ++q, row += B)
                  backprop_shared(o->params[(*wh)[q]], [&](unsigned b) { return 2.0 * row[b]; });
            } else {
              for (unsigned q = 0; q < st.num_generators; ++q)
                op.params[which[q]].backprop(theta, {}, 2.0 * st.sums[q], dtheta, {});
              for (unsigned q = 0; q < st2.num_generators; ++q)
                op2.params[which2[q]].backprop(theta, {}, 2.0 * st2.sums[q], dtheta, {});
            }
            k = j;  // the loop goes on before op j
            continue;
          }
        }
        if (per_sample) {
          sample_sums.resize(std::size_t{st.num_generators} * B);
          BatchedStateVector<T>::adjoint_step(phi, lambda, st, sample_sums);
          for (unsigned q = 0; q < st.num_generators; ++q)
            backprop_shared(op.params[which[q]], [&](unsigned b) { return 2.0 * sample_sums[q * B + b]; });
          continue;
        }
        BatchedStateVector<T>::adjoint_step(phi, lambda, st);
        for (unsigned q = 0; q < st.num_generators; ++q)
          op.params[which[q]].backprop(theta, {}, 2.0 * st.sums[q], dtheta, {});
        continue;
      }
    }
    apply_operation_batched(phi, c, k, angles, /*inverse=*/true);
    const std::size_t np = op.params.size();
    const ControlList clist = op.control_list();
    const std::span<const unsigned> controls = clist.span();
    for (std::size_t p = 0; p < np; ++p) {
      const Expr& e = op.params[p];
      const bool needed = wrt.needs(e);
      if (!needed) continue;
      if (!angles.per_sample[k]) {
        // Shared angle: Σ_b 2 Re⟨λ_b|∂U|φ_b⟩, then one chain-rule step (the angle does not read x).
        const auto ang = std::span<const double>(angles.values).subspan(angles.offset[k], np);
        const GateMatrix d = gate_derivative(op.kind, ang, static_cast<unsigned>(p));
        BatchedStateVector<T>::matrix_element(lambda, op.targets(), d.span(), false, controls, phi, me);
        backprop_shared(e, [&](unsigned b) { return 2.0 * me[b].real(); });
      } else {
        const std::size_t dim = std::size_t{1} << op.targets().size(), d2 = dim * dim;
        dms.resize(d2 * B);
        for (unsigned b = 0; b < B; ++b) {
          const auto ang = std::span<const double>(angles.values).subspan(angles.offset[k] + b * np, np);
          const GateMatrix d = gate_derivative(op.kind, ang, static_cast<unsigned>(p));
          std::copy(d.m.begin(), d.m.begin() + static_cast<std::ptrdiff_t>(d2),
                    dms.begin() + static_cast<std::ptrdiff_t>(b * d2));
        }
        BatchedStateVector<T>::matrix_element(lambda, op.targets(), dms, true, controls, phi, me);
        for (unsigned b = 0; b < B; ++b) backprop_sample(e, b, 2.0 * me[b].real());
      }
    }
    if (k > 0) apply_operation_batched(lambda, c, k, angles, /*inverse=*/true);
  }
  if (product_layer && stop < start) {
    product_prefix_gradients<T>(c, prefix, trace, angles, lambda, sign, wrt,
                                [&](const Operation& op, std::size_t p, std::span<const double> g) {
                                  const Expr& e = op.params[p];
                                  if (angles.per_sample[static_cast<std::size_t>(&op - ops.data())]) {
                                    for (unsigned b = 0; b < B; ++b) backprop_sample(e, b, g[b]);
                                  } else {
                                    backprop_shared(e, [&](unsigned b) { return g[b]; });
                                  }
                                });
  }
  if (per_sample) {
    sum_rows();
    if (!wrt.active.empty())  // frozen weights read 0, as in wrt.mask
      for (unsigned b = 0; b < B; ++b)
        for (std::size_t i = 0; i < P; ++i)
          if (i >= wrt.active.size() || !wrt.active[i]) r.theta_per_sample[b * P + i] = 0.0;
  }
  wrt.mask(r.theta);
}

// The fewest samples a chunk of a batched sweep of n qubits holds: a batch of B samples is swept in B / this many
// chunks (at least one) of even sizes (B = 100 at 10 qubits: 34, 33 and 33), run as parallel tasks: each chunk's
// passes on one thread, one start of the threads for the forward pass and one for the backward pass where one pass
// at a time took hundreds. Fixed by n and B, not by the thread count, so a result is the same bits on any number of
// threads. At least 2^15 batched amplitudes and 32 samples per chunk: below either, one thread's passes cost more in
// chunks than whole. Intel Xeon, 2 cores, the classifier's step
// (3 strongly entangling layers), B = 64, medians: at 10 qubits chunks of 32 took 1.36 ms on one thread against 1.44
// whole, 0.98 ms on two; chunks of 16, 1.85 ms on one; at 8 qubits chunks of 32 took 0.36 ms on one thread against
// 0.32 whole.
unsigned chunk_samples(unsigned n) {
  constexpr unsigned kMinSamplesLog2 = 5, kMinAmplitudesLog2 = 15;
  return 1U << std::max(kMinSamplesLog2, kMinAmplitudesLog2 - std::min(n, kMinAmplitudesLog2));
}

template <Real T>
BatchedVjpResult vjp_batched(const Circuit& c, std::span<const PauliSum> observables, std::span<const double> theta,
                             const BatchInputs& x, unsigned batch, const BatchedUpstream& upstream, const DiffWrt& wrt,
                             bool per_sample) {
  BatchAngles angles = bind_batch_angles(c, theta, x, batch);
  const unsigned B = batch, K = static_cast<unsigned>(observables.size());
  BatchedVjpResult r;
  if (B == 0) {  // nothing to simulate: no values, a gradient of zeros
    r.theta.assign(wrt.theta && upstream ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0, 0.0);
    return r;
  }
  const SweepPlan plan = plan_sweep(c, observables, angles, static_cast<bool>(upstream));
  const unsigned C = chunk_samples(c.num_qubits());
  const unsigned chunks = std::max(1U, B / C), base = B / chunks, longer = B % chunks;
  // Chunk k: samples [first(k), first(k + 1)), the first `longer` chunks one sample longer.
  auto first = [&](unsigned k) { return k * base + std::min(k, longer); };
  const std::size_t F = x.num_features;
  if (chunks > 1) {
    // Every chunk's φ lives until the backward pass, and their λ are allocated together: the whole batch's states,
    // checked before any is allocated, where each chunk's own check would see only its share.
    const std::uint64_t bytes = (upstream ? 2U : 1U) * std::uint64_t{B} * 2 * sizeof(T) << c.num_qubits();
    if (allocation_needs_check(bytes)) {
      check_allocation(bytes, "the batched states of " + std::to_string(B) + " samples of " +
                                  std::to_string(c.num_qubits()) + " qubits");
    }
  }
  std::vector<std::optional<ChunkSweep<T>>> sweeps(chunks);
  // One chunk: below 2^17 batched amplitudes every pass stays on this thread: one batched step (B samples, one call,
  // the classifier's circuit) on 2 threads against 1, Intel Xeon, 2 cores, medians alternating: 0.79x at 2^12
  // amplitudes (6 qubits, B = 64), 0.81-0.83x at 2^14, 0.98-0.99x at 2^16, 1.45x at 2^18 (12 qubits) and 1.56x at
  // 2^20. Each pass alone passes parallel_for's threshold from 2^12; a sweep of a hundred short ones loses to waking
  // the threads each time. Several chunks: each on one thread, the chunks in parallel.
  const bool serial_passes = chunks > 1 || (std::uint64_t{1} << c.num_qubits()) * B < (std::uint64_t{1} << 17);
  const std::uint64_t work = c.size() * (std::uint64_t{1} << c.num_qubits()) * C;
  auto each_chunk = [&](auto&& fn) {
    if (chunks == 1) {
      const SerialScope serial(serial_passes);
      fn(0U, 0U, B);
      return;
    }
    parallel_tasks(
        chunks,
        [&](std::uint64_t k) {
          const SerialScope serial;
          const auto j = static_cast<unsigned>(k);
          fn(j, first(j), first(j + 1) - first(j));
        },
        work);
  };
  each_chunk([&](unsigned k, unsigned b0, unsigned count) {
    const BatchInputs xs{x.data.subspan(std::size_t{b0} * F, std::size_t{count} * F), F};
    // One chunk takes the batch's angles; more take their own slices.
    BatchAngles own = chunks == 1 ? std::move(angles) : slice_angles(c, angles, b0, count);
    sweeps[k].emplace(c, observables, theta, xs, std::move(own), count, wrt, per_sample, plan);
  });
  r.values.reserve(std::size_t{B} * K);
  for (const auto& s : sweeps) r.values.insert(r.values.end(), s->values().begin(), s->values().end());
  if (!upstream) return r;  // expval_batched: the values only
  const std::vector<double> w = upstream(r.values);
  if (w.size() != r.values.size()) throw ValueError("upstream gradient must have batch × observables entries");
  if (chunks == 1) {
    each_chunk([&](unsigned, unsigned, unsigned) { sweeps[0]->backward(w, r); });
    return r;
  }
  std::vector<BatchedVjpResult> parts(chunks);
  each_chunk([&](unsigned k, unsigned b0, unsigned count) {
    sweeps[k]->backward(std::span<const double>(w).subspan(std::size_t{b0} * K, std::size_t{count} * K), parts[k]);
    sweeps[k].reset();  // its states, as soon as they are done with
  });
  // The chunks' results in chunk order: the θ gradient summed, the per-sample rows and x gradients side by side.
  r.theta.assign(parts[0].theta.size(), 0.0);
  for (const BatchedVjpResult& p : parts) {
    for (std::size_t i = 0; i < r.theta.size(); ++i) r.theta[i] += p.theta[i];
    r.theta_per_sample.insert(r.theta_per_sample.end(), p.theta_per_sample.begin(), p.theta_per_sample.end());
    r.x.insert(r.x.end(), p.x.begin(), p.x.end());
  }
  return r;
}

}  // namespace

template <Real T>
BatchedVjpResult adjoint_vjp_batched(const Circuit& c, std::span<const PauliSum> observables,
                                     std::span<const double> theta, const BatchInputs& x, unsigned batch,
                                     const BatchedUpstream& upstream, DiffWrt wrt) {
  return vjp_batched<T>(c, observables, theta, x, batch, upstream, wrt, /*per_sample=*/false);
}

template <Real T>
BatchedVjpResult adjoint_vjp_batched_per_sample(const Circuit& c, std::span<const PauliSum> observables,
                                                std::span<const double> theta, const BatchInputs& x, unsigned batch,
                                                const BatchedUpstream& upstream, DiffWrt wrt) {
  return vjp_batched<T>(c, observables, theta, x, batch, upstream, wrt, /*per_sample=*/true);
}

template <Real T>
std::vector<double> expval_batched(const Circuit& c, std::span<const PauliSum> observables,
                                   std::span<const double> theta, const BatchInputs& x, unsigned batch) {
  return vjp_batched<T>(c, observables, theta, x, batch, {}, DiffWrt{.theta = false, .inputs = false},
                        /*per_sample=*/false)
      .values;
}

#define QNN_VJP_BATCHED_INSTANTIATE(T)                                                                                 \
  template BatchedVjpResult adjoint_vjp_batched<T>(const Circuit&, std::span<const PauliSum>, std::span<const double>, \
                                                   const BatchInputs&, unsigned, const BatchedUpstream&, DiffWrt);     \
  template BatchedVjpResult adjoint_vjp_batched_per_sample<T>(const Circuit&, std::span<const PauliSum>,               \
                                                              std::span<const double>, const BatchInputs&, unsigned,   \
                                                              const BatchedUpstream&, DiffWrt);                \
  template std::vector<double> expval_batched<T>(const Circuit&, std::span<const PauliSum>, std::span<const double>,  \
                                                 const BatchInputs&, unsigned);
QNN_VJP_BATCHED_INSTANTIATE(float)
QNN_VJP_BATCHED_INSTANTIATE(double)
#undef QNN_VJP_BATCHED_INSTANTIATE

}  // namespace qnn
