// Generic dense k-qubit kernel, written once over the vector width and included by one translation unit per
// instruction set (each compiled with its own -m flags, inside its own namespace QNN_KERNEL_NS).
//
// Amplitudes are interleaved complex (re, im). A vector holds C complex numbers. Targets below log2(C) live inside one
// vector ("in-register" targets, handled by lane permutations); the others are "streamed": the 2^g vectors of a group
// sit at 2^g pointers, one per combination of streamed-target bits. For output vector j_out of a group:
//
//   out[j_out] = Σ_{j_in} Σ_{m ⊆ R} A[j_out][j_in][m] ∘ perm_m(v[j_in])
//
// where perm_m exchanges complex lanes l ↔ l⊕m and the per-lane coefficient A[...][l] is the matrix entry
// M[row(j_out, R-bits of l), col(j_in, R-bits of l ⊕ m)]. Controls below log2(C) become identity coefficients on the
// lanes where they are 0; controls above are fixed bits of the group enumeration. Terms whose coefficient is zero on
// every lane are dropped (a diagonal gate keeps one term per output, a permutation keeps one unit term: no arithmetic).
#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

#include "qnn/core/bits.hpp"
#include "qnn/core/complex.hpp"
#include "qnn/core/parallel.hpp"

namespace qnn::kernels::QNN_KERNEL_NS {

template <class T, int C>
struct Simd {
  typedef T vec __attribute__((vector_size(2 * C * sizeof(T))));
  typedef std::conditional_t<sizeof(T) == 8, std::int64_t, std::int32_t> itype;
  typedef itype ivec __attribute__((vector_size(2 * C * sizeof(T))));

  static vec load(const T* p) {
    vec v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static void store(T* p, vec v) { std::memcpy(p, &v, sizeof v); }

  // Exchange complex lanes l ↔ l ⊕ M.
  template <int M>
  static vec perm(vec v) {
    if constexpr (M == 0) {
      return v;
    } else {
      ivec idx;
      for (int e = 0; e < 2 * C; ++e) idx[e] = static_cast<itype>(2 * ((e / 2) ^ M) + (e & 1));
      return __builtin_shuffle(v, idx);
    }
  }
  static vec perm_dyn(vec v, int m) {
    switch (m) {
      case 0: return v;
      case 1: if constexpr (C > 1) return perm<1>(v); else return v;
      case 2: if constexpr (C > 2) return perm<2>(v); else return v;
      case 3: if constexpr (C > 3) return perm<3>(v); else return v;
      case 4: if constexpr (C > 4) return perm<4>(v); else return v;
      case 5: if constexpr (C > 5) return perm<5>(v); else return v;
      case 6: if constexpr (C > 6) return perm<6>(v); else return v;
      default: if constexpr (C > 7) return perm<7>(v); else return v;
    }
  }
  // (re, im) → (im, re) in every lane.
  static vec swap_ri(vec v) {
    ivec idx;
    for (int e = 0; e < 2 * C; ++e) idx[e] = static_cast<itype>(e ^ 1);
    return __builtin_shuffle(v, idx);
  }
};

struct TermIndex {
  std::uint16_t j_in;
  std::uint8_t mask_slot;
  std::uint8_t unit;  // coefficient is exactly 1 on every lane
};

template <class T, int C>
void apply_dense_impl(complex<T>* psi, unsigned n, std::span<const unsigned> targets, std::span<const cplx> matrix,
                      std::span<const unsigned> controls) {
  using S = Simd<T, C>;
  using vec = typename S::vec;
  constexpr unsigned lane_bits = C == 1 ? 0 : C == 2 ? 1 : C == 4 ? 2 : 3;
  const unsigned k = static_cast<unsigned>(targets.size());
  const std::size_t dim = std::size_t{1} << k;

  // Split targets into in-register (R) and streamed; remember each target's position in the matrix index.
  unsigned r_pos[8], s_pos[8], s_qubit[8];
  unsigned nr = 0, ns = 0;
  int lane_bit_of_target[8];
  for (unsigned t = 0; t < k; ++t) {
    if (targets[t] < lane_bits) {
      r_pos[nr++] = t;
      lane_bit_of_target[t] = static_cast<int>(targets[t]);
    } else {
      s_pos[ns] = t;
      s_qubit[ns++] = targets[t];
      lane_bit_of_target[t] = -1;
    }
  }
  (void)r_pos;
  unsigned lane_ctrl_mask = 0;  // controls inside a vector
  index_t high_ctrl_mask = 0;
  unsigned sorted_high[64];
  unsigned n_sorted = 0;
  for (unsigned c : controls) {
    if (c < lane_bits) {
      lane_ctrl_mask |= 1U << c;
    } else {
      high_ctrl_mask |= index_t{1} << c;
      sorted_high[n_sorted++] = c;
    }
  }
  for (unsigned s = 0; s < ns; ++s) sorted_high[n_sorted++] = s_qubit[s];
  std::sort(sorted_high, sorted_high + n_sorted);

  // The lane permutations that occur: every subset of the in-register target lane bits.
  unsigned r_lane_mask = 0;
  for (unsigned t = 0; t < k; ++t)
    if (lane_bit_of_target[t] >= 0) r_lane_mask |= 1U << lane_bit_of_target[t];
  int masks[8];
  unsigned n_masks = 0;
  for (unsigned m = 0; m < C; ++m)
    if ((m & ~r_lane_mask) == 0) masks[n_masks++] = static_cast<int>(m);

  const unsigned groups_vectors = 1U << ns;
  // Coefficients A[j_out][j_in][mask_slot] as (re, signed im) vector pairs; zero terms are dropped.
  struct Coef {
    vec re, im;
  };
  thread_local std::vector<Coef> coef;
  thread_local std::vector<TermIndex> terms;
  thread_local std::vector<unsigned> term_begin;
  thread_local std::vector<Coef> full;  // every term, zeros included, [j_out][j_in][mask_slot]
  full.clear();
  coef.clear();
  terms.clear();
  term_begin.assign(groups_vectors + 1, 0);

  auto matrix_index = [&](unsigned jv, unsigned lane) {
    // Matrix row/column index from the streamed bits jv and the lane's in-register bits.
    std::size_t idx = 0;
    for (unsigned s = 0; s < ns; ++s)
      if (jv >> s & 1U) idx |= std::size_t{1} << s_pos[s];
    for (unsigned t = 0; t < k; ++t)
      if (lane_bit_of_target[t] >= 0 && (lane >> lane_bit_of_target[t] & 1U)) idx |= std::size_t{1} << t;
    return idx;
  };
  for (unsigned jo = 0; jo < groups_vectors; ++jo) {
    term_begin[jo] = static_cast<unsigned>(terms.size());
    for (unsigned ji = 0; ji < groups_vectors; ++ji) {
      for (unsigned ms = 0; ms < n_masks; ++ms) {
        Coef cf{};
        bool any = false, unit = true;
        for (unsigned l = 0; l < C; ++l) {
          const unsigned src = l ^ static_cast<unsigned>(masks[ms]);
          cplx a;
          if ((l & lane_ctrl_mask) != lane_ctrl_mask) {
            a = (jo == ji && masks[ms] == 0) ? cplx(1) : cplx(0);  // control 0 on this lane: identity
          } else {
            a = matrix[matrix_index(jo, l) * dim + matrix_index(ji, src)];
          }
          cf.re[2 * l] = static_cast<T>(a.real());
          cf.re[2 * l + 1] = static_cast<T>(a.real());
          cf.im[2 * l] = static_cast<T>(-a.imag());
          cf.im[2 * l + 1] = static_cast<T>(a.imag());
          if (a != cplx(0)) any = true;
          if (a != cplx(1)) unit = false;
        }
        full.push_back(cf);
        if (!any) continue;
        terms.push_back({static_cast<std::uint16_t>(ji), static_cast<std::uint8_t>(ms), static_cast<std::uint8_t>(unit)});
        coef.push_back(cf);
      }
    }
  }
  term_begin[groups_vectors] = static_cast<unsigned>(terms.size());

  index_t offset[32];
  for (unsigned j = 0; j < groups_vectors; ++j) {
    offset[j] = 0;
    for (unsigned s = 0; s < ns; ++s)
      if (j >> s & 1U) offset[j] |= index_t{1} << s_qubit[s];
  }

  // Groups: indices with every streamed target and high control bit fixed, stepping C amplitudes at a time. Runs of
  // consecutive groups are contiguous up to the lowest fixed bit.
  const unsigned lowest = n_sorted ? sorted_high[0] : n;
  const index_t run = (index_t{1} << lowest) >> lane_bits;  // vectors per contiguous run
  const index_t total_vectors = (index_t{1} << n) >> lane_bits >> n_sorted;
  const index_t runs = total_vectors / run;
  T* base_ptr = reinterpret_cast<T*>(psi);
  const Coef* cf = coef.data();
  const TermIndex* tm = terms.data();
  const unsigned* tb = term_begin.data();

  // Work is split into blocks of at most kBlock vectors inside one run, so a gate on the highest qubit (one run)
  // still spreads over every thread.
  constexpr index_t kBlock = 512;
  const index_t block = std::min<index_t>(run, kBlock);
  const index_t blocks_per_run = run / block;
  const index_t blocks = runs * blocks_per_run;
  // What the term structure allows: a permutation (one unit term per output: no arithmetic), a diagonal (one term
  // per output, its own input, no lane exchange), or a dense gate.
  bool is_perm = true, is_diag = true;
  for (unsigned jo = 0; jo < groups_vectors; ++jo) {
    const unsigned cnt = tb[jo + 1] - tb[jo];
    if (cnt != 1 || !tm[tb[jo]].unit) is_perm = false;
    if (cnt != 1 || tm[tb[jo]].j_in != jo || masks[tm[tb[jo]].mask_slot] != 0) is_diag = false;
  }
  const Coef* fc = full.data();

  auto body = [&]<unsigned G, unsigned NM>() {
    const unsigned gv = G ? G : groups_vectors;
    const unsigned nm = NM ? NM : n_masks;
    parallel_for(blocks, [&](index_t blk) {
      const index_t r = blk / blocks_per_run, w0 = (blk % blocks_per_run) * block;
      index_t base = r << lowest;
      for (unsigned s = 0; s < n_sorted; ++s) base = insert_zero_bit(base, sorted_high[s]);
      base |= high_ctrl_mask;
      vec v[G ? G : 32];
      vec p[G ? G : 32][NM ? NM : 8];
      vec ps[G ? G : 32][NM ? NM : 8];
      vec out[G ? G : 32];
      // Local copies: stores through base_ptr (T*) may alias the shared coefficient tables, which would force the
      // compiler to reload them on every iteration.
      const bool perm = is_perm, diag = is_diag;
      T* const ptr = base_ptr;
      index_t off[G ? G : 32];
      for (unsigned j = 0; j < gv; ++j) off[j] = offset[j];
      unsigned src_j[G ? G : 32];
      int src_mask[G ? G : 32];
      if (perm)
        for (unsigned jo = 0; jo < gv; ++jo) {
          src_j[jo] = tm[tb[jo]].j_in;
          src_mask[jo] = masks[tm[tb[jo]].mask_slot];
        }
      constexpr unsigned kLocal = G ? G * G * (NM ? NM : 1) : 1;
      vec lre[kLocal], lim[kLocal];
      if constexpr (G != 0) {
        for (unsigned e = 0; e < G * G * nm; ++e) {
          lre[e] = fc[e].re;
          lim[e] = fc[e].im;
        }
      }
      for (index_t w = w0; w < w0 + block; ++w) {
        const index_t b = base + w * C;
        for (unsigned j = 0; j < gv; ++j) v[j] = S::load(ptr + 2 * (b + off[j]));
        if (perm) {
          for (unsigned jo = 0; jo < gv; ++jo) out[jo] = NM == 1 ? v[src_j[jo]] : S::perm_dyn(v[src_j[jo]], src_mask[jo]);
        } else if (diag) {
          for (unsigned jo = 0; jo < gv; ++jo) {
            const Coef& c = cf[tb[jo]];
            out[jo] = c.re * v[jo] + c.im * S::swap_ri(v[jo]);
          }
        } else if (G != 0) {
          // Dense, shape known at compile time: every term, fully unrolled.
          for (unsigned j = 0; j < G; ++j)
            for (unsigned ms = 0; ms < nm; ++ms) {
              p[j][ms] = NM == 1 ? v[j] : S::perm_dyn(v[j], masks[ms]);
              ps[j][ms] = S::swap_ri(p[j][ms]);
            }
          for (unsigned jo = 0; jo < G; ++jo) {
            vec acc{};
            for (unsigned ji = 0; ji < G; ++ji)
              for (unsigned ms = 0; ms < nm; ++ms) {
                const unsigned e = (jo * G + ji) * nm + ms;
                acc += lre[e] * p[ji][ms] + lim[e] * ps[ji][ms];
              }
            out[jo] = acc;
          }
        } else {
          for (unsigned j = 0; j < gv; ++j)
            for (unsigned ms = 0; ms < nm; ++ms) {
              p[j][ms] = S::perm_dyn(v[j], masks[ms]);
              ps[j][ms] = S::swap_ri(p[j][ms]);
            }
          for (unsigned jo = 0; jo < gv; ++jo) {
            vec acc{};
            for (unsigned t = tb[jo]; t < tb[jo + 1]; ++t) {
              const TermIndex ti = tm[t];
              acc += cf[t].re * p[ti.j_in][ti.mask_slot] + cf[t].im * ps[ti.j_in][ti.mask_slot];
            }
            out[jo] = acc;
          }
        }
        for (unsigned jo = 0; jo < gv; ++jo) S::store(ptr + 2 * (b + off[jo]), out[jo]);
      }
    }, block * C * gv);
  };
  // Compile-time shapes for the common cases (1- and 2-qubit gates); a runtime loop for the rest.
  if (groups_vectors == 2 && n_masks == 1) body.template operator()<2, 1>();
  else if (groups_vectors == 1 && n_masks == 2) body.template operator()<1, 2>();
  else if (groups_vectors == 4 && n_masks == 1) body.template operator()<4, 1>();
  else if (groups_vectors == 2 && n_masks == 2) body.template operator()<2, 2>();
  else if (groups_vectors == 1 && n_masks == 4) body.template operator()<1, 4>();
  else body.template operator()<0, 0>();
}

}  // namespace qnn::kernels::QNN_KERNEL_NS
