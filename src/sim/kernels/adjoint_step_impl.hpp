// Steps of the adjoint sweep, each fused into one pass over both states (kernels::adjoint_steps), written once over
// the vector width like dense_impl.hpp and included after it by each instruction set's translation unit.
//
// Per gate k of the backward sweep, with φ = ψ_k and λ = U_{k+1}† … U_N† O ψ_N on entry:
//   g_p = Re ⟨λ| G_p |φ⟩            (G_p = D_p U†, D_p = ∂U/∂θ_p: ⟨λ|D_p|U†φ⟩ without applying D_p to U†φ)
//   φ ← U†φ                         (now ψ_{k−1})
//   λ ← U†λ
// Three separate passes move 6 states' worth of bytes (read+write φ, read both for the inner product, read+write λ);
// this one moves 4 and keeps each amplitude pair in registers between the three steps. For a Pauli rotation
// exp(−iθP/2), G = −iP/2: RY's is real, RZ's diagonal, and the kernel drops the arithmetic that zero imaginary parts
// (RE) or off-diagonal terms (DIAG) would waste.
#include <bit>
#include <cstdint>
#include <span>
#include <vector>

namespace qnn::kernels::QNN_KERNEL_NS {

inline constexpr unsigned kMaxAdjointDerivatives = 3;

// What U† is, for the arithmetic its sweep needs: dense complex, real (RY, X with a control inside the vector), diagonal
// (RZ, phase gates), or an exchange of the two halves (X, CNOT with its control outside the vector: no arithmetic).
enum class UKind : std::uint8_t { Dense, Real, Diag, Exchange };

template <class T, int C>
struct AdjointPlan {
  using vec = typename Simd<T, C>::vec;
  struct Coef {
    vec re, im;
  };
  // Coefficients [j_out][j_in][mask slot] (zeros included) of U† and of each G_p: G·G·NM entries each.
  Coef u[8] = {};
  Coef d[kMaxAdjointDerivatives][8] = {};
  unsigned nd = 0;
  index_t off1 = 0;  // reals from a group's first vector to its second (streamed target)
  index_t fixed = 0, ctrl = 0;
  unsigned sorted[64] = {};
  unsigned n_sorted = 0;
  index_t prefetch = 0;
  index_t groups = 0;  // groups of the whole state
};

// Groups [g0, g1): G = 2 for a streamed target (two vectors a group), G = 1 with the target inside a vector (RMASK is
// its lane bit). K: what U† is (UKind); the generators have the same structure, or less (RY's is real and off-diagonal,
// RZ's diagonal). GRAD: there are generators (a gate without parameters, or none needed, only moves both states).
// LEAN: the correlations the generators do not read are skipped: the real parts of a diagonal step whose generators
// are imaginary (RZ: −iZ/2), the unexchanged own-stream terms of a real step whose generators are off-diagonal
// (RY: −iY/2 is real and off-diagonal).
// `sums[p]` receives Σ Re⟨λ|G_p|φ⟩.
template <class T, int C, unsigned G, unsigned RMASK, UKind K, bool GRAD, bool LEAN = false>
void adjoint_sweep(T* __restrict phi, T* __restrict lam, const AdjointPlan<T, C>& pl, index_t g0, index_t g1,
                   double* sums) {
  constexpr bool DIAG = K == UKind::Diag, RE = K == UKind::Real || K == UKind::Exchange;
  using S = Simd<T, C>;
  using vec = typename S::vec;
  // static: Clang 14 will not read a local constexpr inside the captureless lambda below.
  static constexpr unsigned NM = RMASK ? 2 : 1;
  constexpr unsigned E = G * G * NM;
  vec ure[E], uim[E];
  for (unsigned e = 0; e < E; ++e) {
    ure[e] = pl.u[e].re;
    uim[e] = pl.u[e].im;
  }
  const index_t off[2] = {0, pl.off1};
  const index_t fixed = pl.fixed, ctrl = pl.ctrl, prefetch = pl.prefetch;
  index_t x = g0;
  for (unsigned s = 0; s < pl.n_sorted; ++s) x = insert_zero_bit(x, pl.sorted[s]);

  // out = M·v for the group's G vectors, M given by its lane coefficients.
  auto apply = [](const vec* re, const vec* im, const vec* v, vec* out) {
    if constexpr (K == UKind::Exchange) {
      if constexpr (G == 2) {
        out[0] = v[1];
        out[1] = v[0];
      } else {
        out[0] = S::template perm<int(RMASK)>(v[0]);
      }
      return;
    }
    if constexpr (DIAG) {
      for (unsigned j = 0; j < G; ++j) {
        const unsigned e = (j * G + j) * NM;
        out[j] = re[e] * v[j] + im[e] * S::swap_ri(v[j]);
      }
      return;
    }
    vec p[G][NM], ps[G][NM];
    for (unsigned j = 0; j < G; ++j) {
      p[j][0] = v[j];
      if constexpr (NM == 2) p[j][1] = S::template perm<int(RMASK)>(v[j]);
      if constexpr (!RE)
        for (unsigned ms = 0; ms < NM; ++ms) ps[j][ms] = S::swap_ri(p[j][ms]);
    }
    for (unsigned jo = 0; jo < G; ++jo) {
      vec a{};
      for (unsigned ji = 0; ji < G; ++ji)
        for (unsigned ms = 0; ms < NM; ++ms) {
          const unsigned e = (jo * G + ji) * NM + ms;
          if constexpr (RE) {
            a += re[e] * p[ji][ms];
          } else {
            a += re[e] * p[ji][ms] + im[e] * ps[ji][ms];
          }
        }
      out[jo] = a;
    }
  };

  // The inner products as correlations: a coefficient (re, im) of G_p is the same vector in every group, so
  // Σ_groups λ_jo ∘ (re ∘ v_ji + im ∘ (im, re)v_ji) = re ∘ Σ λ_jo ∘ v_ji + im ∘ Σ λ_jo ∘ (im, re)v_ji. One product per
  // term and group serves every parameter (the coefficients are applied once, at the end): RY's step takes 4 of them,
  // RZ's 2, where applying G_p and then taking the product took 10 and 6.
  vec cr[E] = {}, cx[E] = {};
  auto step = [&](T* bp, T* bl) {
    if (prefetch)
      for (unsigned j = 0; j < G; ++j) {
        __builtin_prefetch(bp + off[j] + prefetch, 1, 3);
        __builtin_prefetch(bl + off[j] + prefetch, 1, 3);
      }
    vec v[G], w[G], l[G];
    for (unsigned j = 0; j < G; ++j) v[j] = S::load(bp + off[j]);
    for (unsigned j = 0; j < G; ++j) l[j] = S::load(bl + off[j]);
    if constexpr (!GRAD) {
    } else if constexpr (DIAG) {
      for (unsigned j = 0; j < G; ++j) {
        const unsigned e = (j * G + j) * NM;
        if constexpr (!LEAN) cr[e] += l[j] * v[j];
        cx[e] += l[j] * S::swap_ri(v[j]);
      }
    } else {
      for (unsigned ji = 0; ji < G; ++ji) {
        vec pv[NM];
        pv[0] = v[ji];
        if constexpr (NM == 2) pv[1] = S::template perm<int(RMASK)>(v[ji]);
        for (unsigned ms = 0; ms < NM; ++ms)
          for (unsigned jo = 0; jo < G; ++jo) {
            const unsigned e = (jo * G + ji) * NM + ms;
            if constexpr (LEAN && RE) {
              if (jo == ji && ms == 0) continue;
            }
            cr[e] += l[jo] * pv[ms];
            if constexpr (!RE) cx[e] += l[jo] * S::swap_ri(pv[ms]);
          }
      }
    }
    apply(ure, uim, v, w);
    for (unsigned j = 0; j < G; ++j) S::store(bp + off[j], w[j]);
    vec z[G];
    apply(ure, uim, l, z);
    for (unsigned j = 0; j < G; ++j) S::store(bl + off[j], z[j]);
  };
  // Runs of consecutive groups (below the lowest fixed bit) step a pointer; the carry trick runs once per run.
  const index_t run = fixed & (~fixed + 1);  // 0: every group consecutive
  if (run != 0 && run < 4) {  // runs too short to pay for their set-up: the carry trick for each group
    for (index_t g = g0; g < g1; ++g) {
      const index_t b = (x | ctrl) * (2 * C);
      step(phi + b, lam + b);
      x = ((x | fixed) + 1) & ~fixed;
    }
  } else {
    index_t g = g0;
    while (g < g1) {
      const index_t len = run ? std::min<index_t>(run - (g & (run - 1)), g1 - g) : g1 - g;
      const index_t base = (x | ctrl) * (2 * C);
      T* bp = phi + base;
      T* bl = lam + base;
      for (index_t r = 0; r < len; ++r, bp += 2 * C, bl += 2 * C) step(bp, bl);
      g += len;
      x = (((x + len - 1) | fixed) + 1) & ~fixed;
    }
  }
  if constexpr (!GRAD) return;
  for (unsigned p = 0; p < pl.nd; ++p) {
    vec t{};
    for (unsigned e = 0; e < E; ++e) {
      if constexpr (DIAG) {
        if (e % (G * NM + NM) != 0) continue;  // the (j, j, no exchange) terms
      }
      t += pl.d[p][e].re * cr[e];
      if constexpr (!RE) t += pl.d[p][e].im * cx[e];
    }
    double s = 0;
    for (int e = 0; e < 2 * C; ++e) s += static_cast<double>(t[e]);
    sums[p] = s;
  }
}

template <class T, int C>
using AdjointFn = void (*)(T*, T*, const AdjointPlan<T, C>&, index_t, index_t, double*);

// The plan and sweep of one step on an n-qubit state.
template <class T, int C>
AdjointFn<T, C> plan_adjoint_step(const AdjointStep& st, unsigned n, AdjointPlan<T, C>& pl) {
  using P = AdjointPlan<T, C>;
  using Coef = typename P::Coef;
  constexpr unsigned lane_bits = C == 1 ? 0 : C == 2 ? 1 : C == 4 ? 2 : 3;
  const unsigned t = st.target;
  // Reset what is read before it is written (the coefficient tables are written for the entries in use): a fresh
  // plan is two kilobytes to zero-fill per step.
  pl.off1 = pl.fixed = pl.ctrl = pl.prefetch = 0;
  pl.n_sorted = 0;
  pl.nd = st.num_generators;
  unsigned lane_ctrl = 0;
  for (unsigned i = 0; i < st.num_controls; ++i) {
    const unsigned c = st.controls[i];
    if (c < lane_bits) {
      lane_ctrl |= 1U << c;
    } else {
      pl.ctrl |= index_t{1} << (c - lane_bits);
      pl.sorted[pl.n_sorted++] = c - lane_bits;
    }
  }
  const bool in_register = t < lane_bits;
  const unsigned G = in_register ? 1 : 2;
  const unsigned rmask = in_register ? 1U << t : 0;
  const unsigned NM = in_register ? 2 : 1;
  if (!in_register) {
    pl.sorted[pl.n_sorted++] = t - lane_bits;
    pl.off1 = index_t{2} << t;
  }
  std::sort(pl.sorted, pl.sorted + pl.n_sorted);
  for (unsigned s = 0; s < pl.n_sorted; ++s) pl.fixed |= index_t{1} << pl.sorted[s];
  pl.groups = (index_t{1} << (n - lane_bits)) >> pl.n_sorted;

  // Lane coefficient of output vector jo, input vector ji, lane exchange slot ms: M[row][col] with the row/column
  // bit from the vector (streamed) or the lane (in-register); identity (U†) or zero (G_p) where a lane's control is 0.
  auto coefs = [&](const cplx* m, bool identity_off_control, Coef* dst) {
    for (unsigned jo = 0; jo < G; ++jo)
      for (unsigned ji = 0; ji < G; ++ji)
        for (unsigned ms = 0; ms < NM; ++ms) {
          const unsigned mask = ms ? rmask : 0;
          Coef c{};
          for (unsigned l = 0; l < unsigned(C); ++l) {
            const unsigned src = l ^ mask;
            cplx a;
            if ((l & lane_ctrl) != lane_ctrl) {
              a = (identity_off_control && jo == ji && mask == 0) ? cplx(1) : cplx(0);
            } else {
              const unsigned row = in_register ? (l >> t & 1U) : jo;
              const unsigned col = in_register ? (src >> t & 1U) : ji;
              a = m[row * 2 + col];
            }
            c.re[2 * l] = static_cast<T>(a.real());
            c.re[2 * l + 1] = static_cast<T>(a.real());
            c.im[2 * l] = static_cast<T>(-a.imag());
            c.im[2 * l + 1] = static_cast<T>(a.imag());
          }
          dst[(jo * G + ji) * NM + ms] = c;
        }
  };
  coefs(st.u_dag.data(), true, pl.u);
  for (unsigned p = 0; p < pl.nd; ++p) coefs(st.generators[p].data(), false, pl.d[p]);

  constexpr std::size_t kPrefetchBytes = 2048;
  constexpr std::size_t kPrefetchFromBytes = std::size_t{8} << 20;
  if ((std::size_t{1} << n) * sizeof(complex<T>) >= kPrefetchFromBytes) pl.prefetch = kPrefetchBytes / sizeof(T);

  auto all = [&](const Coef& c, T re, T im) {
    for (int e = 0; e < 2 * C; e += 2)
      if (c.re[e] != re || c.im[e + 1] != im) return false;
    return true;
  };
  // Diagonal: every coefficient off the j_out = j_in, no-exchange terms is zero on every lane.
  auto off_diagonal_zero = [&](const Coef* cf) {
    for (unsigned jo = 0; jo < G; ++jo)
      for (unsigned ji = 0; ji < G; ++ji)
        for (unsigned ms = 0; ms < NM; ++ms)
          if (!(jo == ji && ms == 0) && !all(cf[(jo * G + ji) * NM + ms], 0, 0)) return false;
    return true;
  };
  auto imaginary_zero = [&](const Coef* cf) {
    for (unsigned e = 0; e < G * G * NM; ++e)
      for (int i = 0; i < 2 * C; ++i)
        if (cf[e].im[i] != T(0)) return false;
    return true;
  };
  // The exchange: the two streams swapped (G = 2), or the target's lanes swapped (G = 1), coefficient 1 on every lane.
  const bool exchange = G == 2 ? all(pl.u[0], 0, 0) && all(pl.u[1], 1, 0) && all(pl.u[2], 1, 0) && all(pl.u[3], 0, 0)
                               : all(pl.u[0], 0, 0) && all(pl.u[1], 1, 0);
  bool diagonal = off_diagonal_zero(pl.u);
  for (unsigned q = 0; q < pl.nd && diagonal; ++q) diagonal = off_diagonal_zero(pl.d[q]);
  bool real = imaginary_zero(pl.u);
  for (unsigned q = 0; q < pl.nd && real; ++q) real = imaginary_zero(pl.d[q]);
  // The correlations no generator reads (LEAN): real parts of the diagonal terms (diagonal step), the own-stream
  // unexchanged terms (real step).
  bool lean = pl.nd > 0;
  for (unsigned q = 0; q < pl.nd && lean; ++q)
    for (unsigned j = 0; j < G; ++j) {
      const Coef& c = pl.d[q][(j * G + j) * NM];
      for (int i = 0; i < 2 * C; ++i) lean = lean && c.re[i] == T(0) && (diagonal || c.im[i] == T(0));
    }
  const UKind kind = exchange && pl.nd == 0 ? UKind::Exchange
                     : diagonal             ? UKind::Diag
                     : real                 ? UKind::Real
                                            : UKind::Dense;

  using Fn = AdjointFn<T, C>;
  auto pick = [&]<unsigned GG, unsigned R>() -> Fn {
    if (pl.nd == 0) {
      switch (kind) {
        case UKind::Exchange: return adjoint_sweep<T, C, GG, R, UKind::Exchange, false>;
        case UKind::Diag: return adjoint_sweep<T, C, GG, R, UKind::Diag, false>;
        case UKind::Real: return adjoint_sweep<T, C, GG, R, UKind::Real, false>;
        case UKind::Dense: return adjoint_sweep<T, C, GG, R, UKind::Dense, false>;
      }
    }
    switch (kind) {
      case UKind::Diag:
        return lean ? adjoint_sweep<T, C, GG, R, UKind::Diag, true, true> : adjoint_sweep<T, C, GG, R, UKind::Diag, true>;
      case UKind::Real:
        return lean ? adjoint_sweep<T, C, GG, R, UKind::Real, true, true> : adjoint_sweep<T, C, GG, R, UKind::Real, true>;
      default: return adjoint_sweep<T, C, GG, R, UKind::Dense, true>;
    }
  };
  Fn fn = pick.template operator()<2, 0>();
  if (in_register) {
    if constexpr (C > 1)
      if (rmask == 1) fn = pick.template operator()<1, 1>();
    if constexpr (C > 2)
      if (rmask == 2) fn = pick.template operator()<1, 2>();
    if constexpr (C > 4)
      if (rmask == 4) fn = pick.template operator()<1, 4>();
  }
  return fn;
}

// Two consecutive RY-like steps in one pass (both Real, LEAN, with a streamed target and no control above the lanes;
// different targets): groups of four vectors of each state, step 1 (plan p1, target bit in p1.off1) on the pairs
// (0, 1), (2, 3), then step 2 (p2) on (0, 2), (1, 3). The same arithmetic as two adjoint_sweep passes, but each
// amplitude of φ and λ is loaded and stored once for both. Measured on the pattern alone, alternating in one process,
// 1 thread, AVX2: 1.3-1.4x at 10-16 qubits, 1.8x at 20.
template <class T, int C>
void adjoint_real_pair_sweep(T* __restrict phi, T* __restrict lam, const AdjointPlan<T, C>& p1,
                             const AdjointPlan<T, C>& p2, index_t g0, index_t g1, double* sums1, double* sums2) {
  using S = Simd<T, C>;
  using vec = typename S::vec;
  const vec a00 = p1.u[0].re, a01 = p1.u[1].re, a10 = p1.u[2].re, a11 = p1.u[3].re;
  const vec b00 = p2.u[0].re, b01 = p2.u[1].re, b10 = p2.u[2].re, b11 = p2.u[3].re;
  const index_t o1 = p1.off1, o2 = p2.off1, fixed = p1.fixed | p2.fixed, prefetch = p1.prefetch;
  vec c1a{}, c1b{}, c2a{}, c2b{};
  auto body = [&](T* const bp, T* const bl) {
    if (prefetch)
      for (index_t o : {index_t{0}, o1, o2, o1 + o2}) {
        __builtin_prefetch(bp + o + prefetch, 1, 3);
        __builtin_prefetch(bl + o + prefetch, 1, 3);
      }
    vec v0 = S::load(bp), v1 = S::load(bp + o1), v2 = S::load(bp + o2), v3 = S::load(bp + o1 + o2);
    vec l0 = S::load(bl), l1 = S::load(bl + o1), l2 = S::load(bl + o2), l3 = S::load(bl + o1 + o2);
    c1a += l0 * v1 + l2 * v3;
    c1b += l1 * v0 + l3 * v2;
    auto rot = [](vec u00, vec u01, vec u10, vec u11, vec& x, vec& y) {
      const vec nx = u00 * x + u01 * y;
      y = u10 * x + u11 * y;
      x = nx;
    };
    rot(a00, a01, a10, a11, v0, v1);
    rot(a00, a01, a10, a11, v2, v3);
    rot(a00, a01, a10, a11, l0, l1);
    rot(a00, a01, a10, a11, l2, l3);
    c2a += l0 * v2 + l1 * v3;
    c2b += l2 * v0 + l3 * v1;
    rot(b00, b01, b10, b11, v0, v2);
    rot(b00, b01, b10, b11, v1, v3);
    rot(b00, b01, b10, b11, l0, l2);
    rot(b00, b01, b10, b11, l1, l3);
    S::store(bp, v0), S::store(bp + o1, v1), S::store(bp + o2, v2), S::store(bp + o1 + o2, v3);
    S::store(bl, l0), S::store(bl + o1, l1), S::store(bl + o2, l2), S::store(bl + o1 + o2, l3);
  };
  for_quads(fixed, g0, g1, [&](index_t x) { body(phi + x * (2 * C), lam + x * (2 * C)); });
  auto finish = [](const AdjointPlan<T, C>& pl, vec ca, vec cb, double* sums) {
    for (unsigned p = 0; p < pl.nd; ++p) {
      const vec t = pl.d[p][1].re * ca + pl.d[p][2].re * cb;
      double sum = 0;
      for (int e = 0; e < 2 * C; ++e) sum += static_cast<double>(t[e]);
      sums[p] = sum;
    }
  };
  finish(p1, c1a, c1b, sums1);
  finish(p2, c2a, c2b, sums2);
}

// Every step in order. A run of steps whose qubits all lie below block_qubits goes block by block: the 2^block_qubits
// amplitudes of both states that a block holds (adjoint_block_bytes() each: 16 KiB together by default, inside L1)
// take every step of the run before the next block is touched, so the run costs one pass over both states instead of
// one per step. The steps are compute-bound from L2 down (n = 12: no faster blocked), but from L3 out a pass is not:
// the benchmark ansatz's gradient, n = 16, 1 thread, 50.6 -> 45.5 ms; n = 20, 2.5 -> 1.76 s. Other steps take the
// whole state each. Sums are added in a fixed order of blocks and chunks: the result does not depend on the thread
// count.
template <class T, int C>
void adjoint_steps_impl(complex<T>* phi, complex<T>* lambda, unsigned n, std::span<AdjointStep> steps) {
  using P = AdjointPlan<T, C>;
  using Fn = AdjointFn<T, C>;
  // Amplitudes a block holds, at least one whole group of vectors of a step on the block's top qubit.
  const unsigned block_qubits =
      std::max<unsigned>(4, static_cast<unsigned>(std::bit_width(adjoint_block_bytes() / sizeof(complex<T>))) - 1);
  T* const p = reinterpret_cast<T*>(phi);
  T* const l = reinterpret_cast<T*>(lambda);
  thread_local std::vector<P> plans;
  thread_local std::vector<Fn> fns;
  plans.resize(steps.size());
  fns.resize(steps.size());
  for (std::size_t s = 0; s < steps.size(); ++s) {
    fns[s] = plan_adjoint_step<T, C>(steps[s], n, plans[s]);
    steps[s].sums = {};
  }
  // The threads below see this thread's tables through these (thread_local names would be their own, empty ones).
  const P* const pls = plans.data();
  const Fn* const fs = fns.data();
  auto local = [&](const AdjointStep& st) {
    unsigned top = st.target;
    for (unsigned i = 0; i < st.num_controls; ++i) top = std::max(top, st.controls[i]);
    return n > block_qubits && top < block_qubits;
  };
  // Steps s and s + 1 that adjoint_real_pair_sweep takes together (both local, or both not).
  const Fn ry_like = adjoint_sweep<T, C, 2, 0, UKind::Real, true, true>;
  auto pairs_with_next = [&](std::size_t k) {
    return k + 1 < steps.size() && fs[k] == ry_like && fs[k + 1] == ry_like && pls[k].n_sorted == 1 &&
           pls[k + 1].n_sorted == 1 && pls[k].fixed != pls[k + 1].fixed && local(steps[k]) == local(steps[k + 1]);
  };
  thread_local std::vector<double> partial;
  std::size_t s = 0;
  while (s < steps.size()) {
    if (!local(steps[s]) && pairs_with_next(s)) {
      // Two steps over the whole state, in fixed chunks of groups of four vectors.
      const P& p1 = pls[s];
      const P& p2 = pls[s + 1];
      constexpr index_t kChunkGroups = 128;
      const index_t groups = p1.groups / 2;
      const index_t chunks = (groups + kChunkGroups - 1) / kChunkGroups;
      constexpr unsigned D = kMaxAdjointDerivatives;
      partial.assign(chunks * 2 * D, 0.0);
      double* const part = partial.data();
      parallel_for(
          chunks,
          [&](index_t c) {
            adjoint_real_pair_sweep<T, C>(p, l, p1, p2, c * kChunkGroups, std::min(groups, (c + 1) * kChunkGroups),
                                          part + c * 2 * D, part + c * 2 * D + D);
          },
          kChunkGroups * C * 8);
      for (index_t c = 0; c < chunks; ++c)
        for (unsigned h = 0; h < 2; ++h)
          for (unsigned q = 0; q < pls[s + h].nd; ++q) steps[s + h].sums[q] += part[(c * 2 + h) * D + q];
      s += 2;
      continue;
    }
    if (!local(steps[s])) {
      // One step over the whole state, in fixed chunks (their sums added in chunk order).
      const P& pl = pls[s];
      constexpr index_t kChunkVectors = 512;
      const index_t G = pl.off1 ? 2 : 1;
      const index_t chunk = std::max<index_t>(1, kChunkVectors / G);
      const index_t chunks = (pl.groups + chunk - 1) / chunk;
      partial.assign(chunks * kMaxAdjointDerivatives, 0.0);
      double* const part = partial.data();
      parallel_for(
          chunks,
          [&](index_t c) {
            fs[s](p, l, pl, c * chunk, std::min(pl.groups, (c + 1) * chunk), part + c * kMaxAdjointDerivatives);
          },
          chunk * C * G * 2);
      for (index_t c = 0; c < chunks; ++c)
        for (unsigned q = 0; q < pl.nd; ++q) steps[s].sums[q] += part[c * kMaxAdjointDerivatives + q];
      ++s;
      continue;
    }
    std::size_t e = s + 1;
    while (e < steps.size() && local(steps[e])) ++e;
    // Steps [s, e) block by block; blocks in fixed super-chunks (at most 64) for the threads, each adding its blocks'
    // sums in order.
    const std::size_t len = e - s;
    thread_local std::vector<unsigned char> paired;
    paired.assign(len, 0);
    for (std::size_t k = 0; k < len; ++k)
      if (s + k + 1 < e && pairs_with_next(s + k)) paired[k++] = 1;
    const unsigned char* const two = paired.data();
    const index_t blocks = index_t{1} << (n - block_qubits);
    const index_t supers = std::min<index_t>(blocks, 64);
    const index_t per = blocks / supers;
    partial.assign(supers * len * kMaxAdjointDerivatives, 0.0);
    double* const part = partial.data();
    parallel_for(
        supers,
        [&](index_t sc) {
          double* const mine = part + sc * len * kMaxAdjointDerivatives;
          double out[kMaxAdjointDerivatives];
          double out2[kMaxAdjointDerivatives];
          for (index_t b = sc * per; b < (sc + 1) * per; ++b)
            for (std::size_t k = 0; k < len; ++k) {
              const P& pl = pls[s + k];
              const index_t gpb = pl.groups >> (n - block_qubits);  // groups a block holds
              if (two[k]) {
                adjoint_real_pair_sweep<T, C>(p, l, pl, pls[s + k + 1], b * gpb / 2, (b + 1) * gpb / 2, out, out2);
                for (unsigned q = 0; q < pl.nd; ++q) mine[k * kMaxAdjointDerivatives + q] += out[q];
                for (unsigned q = 0; q < pls[s + k + 1].nd; ++q) mine[(k + 1) * kMaxAdjointDerivatives + q] += out2[q];
                ++k;
                continue;
              }
              fs[s + k](p, l, pl, b * gpb, (b + 1) * gpb, out);
              for (unsigned q = 0; q < pl.nd; ++q) mine[k * kMaxAdjointDerivatives + q] += out[q];
            }
        },
        per * (index_t{1} << block_qubits) * len);
    for (index_t sc = 0; sc < supers; ++sc)
      for (std::size_t k = 0; k < len; ++k)
        for (unsigned q = 0; q < plans[s + k].nd; ++q)
          steps[s + k].sums[q] += part[(sc * len + k) * kMaxAdjointDerivatives + q];
    s = e;
  }
}

// Blocks [b0, b1) of a diagonal pass (kernels::diagonal_pass), 2^k amplitudes (nv vectors) each: d = lo · hi[b], the
// lo part as lane coefficients (lr, li) that every block shares. LAM: λ is updated too. GRAD: the correlations
// c = Im(conj λ · φ) are taken first, per lane as (λr·φi, λi·φr): summed per vector of a block over the blocks into
// acc, and per block into hi_out (the lanes' signed sum).
template <class T, int C, bool LAM, bool GRAD>
void diagonal_blocks(T* __restrict phi, T* __restrict lam, const typename Simd<T, C>::vec* lr,
                     const typename Simd<T, C>::vec* li, const cplx* hi, index_t nv, index_t b0, index_t b1,
                     typename Simd<T, C>::vec* __restrict acc, double* hi_out) {
  using S = Simd<T, C>;
  using vec = typename S::vec;
  for (index_t b = b0; b < b1; ++b) {
    // (lr + i·li)(hr + i·hi) in lane coefficients, with li's lanes (−im, im): re = lr·hr + li·(hi, −hi),
    // im = lr·(−hi, hi) + li·hr.
    vec hr, hin, his;
    for (int e = 0; e < 2 * C; e += 2) {
      hr[e] = hr[e + 1] = static_cast<T>(hi[b].real());
      hin[e] = his[e + 1] = static_cast<T>(hi[b].imag());
      hin[e + 1] = his[e] = static_cast<T>(-hi[b].imag());
    }
    T* const bp = phi + b * nv * 2 * C;
    T* const bl = LAM ? lam + b * nv * 2 * C : nullptr;
    vec t{};
    for (index_t v = 0; v < nv; ++v) {
      const vec dr = lr[v] * hr + li[v] * hin;
      const vec di = lr[v] * his + li[v] * hr;
      const vec x = S::load(bp + v * 2 * C);
      const vec xs = S::swap_ri(x);
      if constexpr (LAM) {
        const vec y = S::load(bl + v * 2 * C);
        if constexpr (GRAD) {
          const vec q = y * xs;
          acc[v] += q;
          t += q;
        }
        S::store(bl + v * 2 * C, dr * y + di * S::swap_ri(y));
      }
      S::store(bp + v * 2 * C, dr * x + di * xs);
    }
    if constexpr (GRAD) {
      double h = 0;
      for (int e = 0; e < 2 * C; e += 2) h += static_cast<double>(t[e]) - static_cast<double>(t[e + 1]);
      hi_out[b] = h;
    }
  }
}

template <class T, int C>
void diagonal_pass_impl(complex<T>* phi, complex<T>* lambda, unsigned n, const DiagonalPass& dp) {
  using vec = typename Simd<T, C>::vec;
  const unsigned k = dp.low_qubits;
  const index_t nv = (index_t{1} << k) / C;  // vectors a block holds
  const index_t blocks = index_t{1} << (n - k);
  const bool grad = !dp.corr_lo.empty() && lambda != nullptr;
  thread_local std::vector<vec> coef;
  coef.resize(2 * nv);
  for (index_t v = 0; v < nv; ++v)
    for (int l = 0; l < C; ++l) {
      const cplx a = dp.lo[v * C + l];
      coef[v][2 * l] = coef[v][2 * l + 1] = static_cast<T>(a.real());
      coef[nv + v][2 * l] = static_cast<T>(-a.imag());
      coef[nv + v][2 * l + 1] = static_cast<T>(a.imag());
    }
  // Blocks in fixed super-chunks (at most 8), each with its own sums per vector of a block, added in chunk order.
  const index_t supers = std::min<index_t>(blocks, 8);
  const index_t per = blocks / supers;
  thread_local std::vector<vec> acc;
  acc.assign(grad ? supers * nv : 0, vec{});
  // The threads see this thread's tables through these (thread_local names would be their own, empty ones).
  const vec* const lr = coef.data();
  const vec* const li = lr + nv;
  vec* const ac = acc.data();
  T* const p = reinterpret_cast<T*>(phi);
  T* const l = reinterpret_cast<T*>(lambda);
  const cplx* const hi = dp.hi.data();
  double* const hi_out = dp.corr_hi.data();
  parallel_for(
      supers,
      [&](index_t sc) {
        const index_t b0 = sc * per, b1 = b0 + per;
        if (grad) {
          diagonal_blocks<T, C, true, true>(p, l, lr, li, hi, nv, b0, b1, ac + sc * nv, hi_out);
        } else if (l) {
          diagonal_blocks<T, C, true, false>(p, l, lr, li, hi, nv, b0, b1, nullptr, nullptr);
        } else {
          diagonal_blocks<T, C, false, false>(p, l, lr, li, hi, nv, b0, b1, nullptr, nullptr);
        }
      },
      per * nv * C * (l ? 2 : 1));
  if (!grad) return;
  for (index_t v = 0; v < nv; ++v)
    for (int c = 0; c < C; ++c) {
      double s = 0;
      for (index_t sc = 0; sc < supers; ++sc)
        s += static_cast<double>(acc[sc * nv + v][2 * c]) - static_cast<double>(acc[sc * nv + v][2 * c + 1]);
      dp.corr_lo[v * C + c] = s;
    }
}

}  // namespace qnn::kernels::QNN_KERNEL_NS
