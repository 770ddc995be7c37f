// One step of the adjoint sweep, fused into one pass over both states (kernels::adjoint_step_1q), written once over
// the vector width like dense_impl.hpp and included after it by each instruction set's translation unit.
//
// Per gate k of the backward sweep, with φ = ψ_k and λ = U_{k+1}† … U_N† O ψ_N on entry:
//   φ ← U†φ                         (now ψ_{k−1})
//   g_p = Re ⟨λ| D_p |φ⟩            (D_p = ∂U/∂θ_p, zero where a control is 0)
//   λ ← U†λ
// Three separate passes move 6 states' worth of bytes (read+write φ, read both for the inner product, read+write λ);
// this one moves 4 and keeps each amplitude pair in registers between the three steps.
#include <cstdint>
#include <span>
#include <vector>

namespace qnn::kernels::QNN_KERNEL_NS {

inline constexpr unsigned kMaxAdjointDerivatives = 3;

template <class T, int C>
struct AdjointPlan {
  using vec = typename Simd<T, C>::vec;
  struct Coef {
    vec re, im;
  };
  // Coefficients [j_out][j_in][mask slot] (zeros included) of U† and of each D_p: G·G·NM entries each.
  Coef u[8] = {};
  Coef d[kMaxAdjointDerivatives][8] = {};
  unsigned nd = 0;
  bool update_lambda = true;
  index_t off1 = 0;  // reals from a group's first vector to its second (streamed target)
  index_t fixed = 0, ctrl = 0;
  unsigned sorted[64] = {};
  unsigned n_sorted = 0;
  index_t prefetch = 0;
};

// Groups [g0, g1): G = 2 for a streamed target (two vectors a group), G = 1 with the target inside a vector (RMASK is
// its lane bit). DIAG: U† and every D_p are diagonal (RZ, phase, their controlled forms): only the j_out = j_in,
// no-exchange terms are nonzero, half the arithmetic of the dense form. `sums[p]` receives Σ Re⟨λ|D_p|φ⟩.
template <class T, int C, unsigned G, unsigned RMASK, bool DIAG>
void adjoint_sweep(T* __restrict phi, T* __restrict lam, const AdjointPlan<T, C>& pl, index_t g0, index_t g1,
                   double* sums) {
  using S = Simd<T, C>;
  using vec = typename S::vec;
  // static: Clang 14 will not read a local constexpr inside the captureless lambda below.
  static constexpr unsigned NM = RMASK ? 2 : 1;
  constexpr unsigned E = G * G * NM;
  vec ure[E], uim[E], dre[kMaxAdjointDerivatives][E], dim[kMaxAdjointDerivatives][E];
  for (unsigned e = 0; e < E; ++e) {
    ure[e] = pl.u[e].re;
    uim[e] = pl.u[e].im;
  }
  const unsigned nd = pl.nd;
  for (unsigned p = 0; p < nd; ++p)
    for (unsigned e = 0; e < E; ++e) {
      dre[p][e] = pl.d[p][e].re;
      dim[p][e] = pl.d[p][e].im;
    }
  const index_t off[2] = {0, pl.off1};
  const index_t fixed = pl.fixed, ctrl = pl.ctrl, prefetch = pl.prefetch;
  const bool update = pl.update_lambda;
  index_t x = g0;
  for (unsigned s = 0; s < pl.n_sorted; ++s) x = insert_zero_bit(x, pl.sorted[s]);
  vec acc[kMaxAdjointDerivatives] = {};

  // out = M·v for the group's G vectors, M given by its lane coefficients.
  auto apply = [](const vec* re, const vec* im, const vec* v, vec* out) {
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
      for (unsigned ms = 0; ms < NM; ++ms) ps[j][ms] = S::swap_ri(p[j][ms]);
    }
    for (unsigned jo = 0; jo < G; ++jo) {
      vec a{};
      for (unsigned ji = 0; ji < G; ++ji)
        for (unsigned ms = 0; ms < NM; ++ms) {
          const unsigned e = (jo * G + ji) * NM + ms;
          a += re[e] * p[ji][ms] + im[e] * ps[ji][ms];
        }
      out[jo] = a;
    }
  };

  for (index_t g = g0; g < g1; ++g) {
    const index_t base = (x | ctrl) * (2 * C);
    T* const bp = phi + base;
    T* const bl = lam + base;
    if (prefetch)
      for (unsigned j = 0; j < G; ++j) {
        __builtin_prefetch(bp + off[j] + prefetch, 1, 3);
        __builtin_prefetch(bl + off[j] + prefetch, 1, 3);
      }
    vec v[G], w[G], l[G];
    for (unsigned j = 0; j < G; ++j) v[j] = S::load(bp + off[j]);
    apply(ure, uim, v, w);
    for (unsigned j = 0; j < G; ++j) S::store(bp + off[j], w[j]);
    for (unsigned j = 0; j < G; ++j) l[j] = S::load(bl + off[j]);
    for (unsigned p = 0; p < nd; ++p) {
      vec y[G];
      apply(dre[p], dim[p], w, y);
      for (unsigned j = 0; j < G; ++j) acc[p] += l[j] * y[j];
    }
    if (update) {
      vec z[G];
      apply(ure, uim, l, z);
      for (unsigned j = 0; j < G; ++j) S::store(bl + off[j], z[j]);
    }
    x = ((x | fixed) + 1) & ~fixed;
  }
  for (unsigned p = 0; p < nd; ++p) {
    double s = 0;
    for (int e = 0; e < 2 * C; ++e) s += static_cast<double>(acc[p][e]);
    sums[p] = s;
  }
}

template <class T, int C>
void adjoint_step_1q_impl(complex<T>* phi, complex<T>* lambda, unsigned n, unsigned t,
                          std::span<const unsigned> controls, const cplx* u_dag, std::span<const cplx* const> derivs,
                          bool update_lambda, double* out) {
  using P = AdjointPlan<T, C>;
  using Coef = typename P::Coef;
  constexpr unsigned lane_bits = C == 1 ? 0 : C == 2 ? 1 : C == 4 ? 2 : 3;
  P pl;
  pl.nd = static_cast<unsigned>(derivs.size());
  pl.update_lambda = update_lambda;
  unsigned lane_ctrl = 0;
  for (unsigned c : controls) {
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

  // Lane coefficient of output vector jo, input vector ji, lane exchange slot ms: M[row][col] with the row/column
  // bit from the vector (streamed) or the lane (in-register); identity (U†) or zero (D_p) where a lane's control is 0.
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
  coefs(u_dag, true, pl.u);
  for (unsigned p = 0; p < pl.nd; ++p) coefs(derivs[p], false, pl.d[p]);

  constexpr std::size_t kPrefetchBytes = 2048;
  constexpr std::size_t kPrefetchFromBytes = std::size_t{8} << 20;
  if ((std::size_t{1} << n) * sizeof(complex<T>) >= kPrefetchFromBytes) pl.prefetch = kPrefetchBytes / sizeof(T);

  // Diagonal: every coefficient off the j_out = j_in, no-exchange terms is zero on every lane.
  auto off_diagonal_zero = [&](const Coef* cf) {
    for (unsigned jo = 0; jo < G; ++jo)
      for (unsigned ji = 0; ji < G; ++ji)
        for (unsigned ms = 0; ms < NM; ++ms) {
          if (jo == ji && ms == 0) continue;
          const Coef& c = cf[(jo * G + ji) * NM + ms];
          for (int e = 0; e < 2 * C; ++e)
            if (c.re[e] != T(0) || c.im[e] != T(0)) return false;
        }
    return true;
  };
  bool diagonal = off_diagonal_zero(pl.u);
  for (unsigned q = 0; q < pl.nd && diagonal; ++q) diagonal = off_diagonal_zero(pl.d[q]);

  using Fn = void (*)(T*, T*, const P&, index_t, index_t, double*);
  Fn fn = diagonal ? adjoint_sweep<T, C, 2, 0, true> : adjoint_sweep<T, C, 2, 0, false>;
  if (in_register) {
    if constexpr (C > 1)
      if (rmask == 1) fn = diagonal ? adjoint_sweep<T, C, 1, 1, true> : adjoint_sweep<T, C, 1, 1, false>;
    if constexpr (C > 2)
      if (rmask == 2) fn = diagonal ? adjoint_sweep<T, C, 1, 2, true> : adjoint_sweep<T, C, 1, 2, false>;
    if constexpr (C > 4)
      if (rmask == 4) fn = diagonal ? adjoint_sweep<T, C, 1, 4, true> : adjoint_sweep<T, C, 1, 4, false>;
  }

  // Fixed chunks, their sums added in chunk order: the result does not depend on the thread count.
  constexpr index_t kChunkVectors = 512;
  const index_t groups = (index_t{1} << (n - lane_bits)) >> pl.n_sorted;
  const index_t chunk = std::max<index_t>(1, kChunkVectors / G);
  const index_t chunks = (groups + chunk - 1) / chunk;
  T* const p = reinterpret_cast<T*>(phi);
  T* const l = reinterpret_cast<T*>(lambda);
  for (unsigned q = 0; q < pl.nd; ++q) out[q] = 0;
  if (chunks == 1) {
    fn(p, l, pl, 0, groups, out);
    return;
  }
  thread_local std::vector<double> partial;
  partial.assign(chunks * kMaxAdjointDerivatives, 0.0);
  double* const part = partial.data();
  parallel_for(
      chunks,
      [&](index_t c) {
        fn(p, l, pl, c * chunk, std::min(groups, (c + 1) * chunk), part + c * kMaxAdjointDerivatives);
      },
      chunk * C * G * 2);
  for (index_t c = 0; c < chunks; ++c)
    for (unsigned q = 0; q < pl.nd; ++q) out[q] += part[c * kMaxAdjointDerivatives + q];
}

}  // namespace qnn::kernels::QNN_KERNEL_NS
