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
#include <bit>
#include <cstring>
#include <utility>
#include <span>
#include <type_traits>
#include <vector>

#include "qnn/core/bits.hpp"
#include "qnn/core/complex.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/sim/kernels.hpp"

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
#if defined(__clang__)
      // Clang lacks GCC's __builtin_shuffle; element moves with constant indices fold into the same shuffles.
      vec r;
      for (int e = 0; e < 2 * C; ++e) r[e] = v[2 * ((e / 2) ^ M) + (e & 1)];
      return r;
#else
      ivec idx;
      for (int e = 0; e < 2 * C; ++e) idx[e] = static_cast<itype>(2 * ((e / 2) ^ M) + (e & 1));
      return __builtin_shuffle(v, idx);
#endif
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
#if defined(__clang__)
    vec r;
    for (int e = 0; e < 2 * C; ++e) r[e] = v[e ^ 1];
    return r;
#else
    ivec idx;
    for (int e = 0; e < 2 * C; ++e) idx[e] = static_cast<itype>(e ^ 1);
    return __builtin_shuffle(v, idx);
#endif
  }
};

// The ms-th subset of `mask`, subsets in increasing order: the lane exchanges that in-register targets `mask` need.
constexpr int subset_at(unsigned mask, unsigned ms) {
  unsigned found = 0;
  for (unsigned m = 0; m < 8; ++m) {
    if ((m & ~mask) != 0) continue;
    if (found == ms) return static_cast<int>(m);
    ++found;
  }
  return 0;
}

// Whether a term mask (bit (j_out·G + j_in)·NM + ms) uses lane-exchange slot ms.
constexpr bool slot_used(unsigned tm, unsigned g, unsigned nm, unsigned ms) {
  for (unsigned jo = 0; jo < g; ++jo)
    for (unsigned ji = 0; ji < g; ++ji)
      if (tm >> ((jo * g + ji) * nm + ms) & 1U) return true;
  return false;
}

struct TermIndex {
  std::uint16_t j_in;
  std::uint8_t mask_slot;
  std::uint8_t unit;  // coefficient is exactly 1 on every lane
};

enum class Mode : std::uint8_t { Dense, Diagonal, Permutation };

// Everything a sweep needs, built once per gate. Groups are numbered by the free bits of the vector index (the
// amplitude index without its in-register bits): streamed targets and high controls are fixed bits.
template <class T, int C>
struct Plan {
  using vec = typename Simd<T, C>::vec;
  struct Coef {
    vec re, im;
  };
  unsigned gv = 1, nm = 1;
  int masks[8] = {};
  index_t off[32] = {};      // reals from a group's first vector to vector j (streamed bits j)
  index_t fixed = 0;         // vector-index bits that a group does not enumerate
  index_t ctrl = 0;          // of which these are 1
  unsigned sorted[64] = {};  // fixed vector-index bits, ascending
  unsigned n_sorted = 0;
  const Coef* full = nullptr;  // [j_out][j_in][mask slot], zeros included
  const Coef* cf = nullptr;    // nonzero terms only, grouped by j_out (tb[j_out] … tb[j_out + 1])
  const TermIndex* tm = nullptr;
  const unsigned* tb = nullptr;
  index_t src_off[32] = {};  // permutation: output j reads the vector at src_off[j], exchanging lanes src_mask[j]
  int src_mask[32] = {};
  index_t prefetch = 0;  // reals ahead of each stream to prefetch; 0: none (the state is cache-resident)
  unsigned src_j[32] = {};  // permutation: output j reads stream src_j[j] (staged sweeps)
  T* stage = nullptr;       // staged sweeps: the buffer that streams 1… of each group were copied to
  index_t stage_stride = 0;  // reals from one stream's part of that buffer to the next
  unsigned used = ~0U;       // dense: the terms with a nonzero coefficient (bit (j_out·gv + j_in)·nm + ms), up to 32
};

// Applies the gate to groups [g0, g1). The next group's vector index comes from the carry trick
// x ← ((x | fixed) + 1) & ~fixed (the fixed bits pass the carry on), so a gate whose fixed bits are low (a target on
// qubit 1, a control next to it) costs no per-run set-up, and one on a high qubit walks its two streams in lockstep.
// G (vectors per group), RMASK (in-register target lanes) and M are compile-time for the common shapes; G = 0 is the
// general loop over the term lists. RE: every coefficient is real (H, RY, real fused blocks): the (im, re) exchanges
// and half the products drop out. TM: the terms with any nonzero coefficient (bit (j_out·G + j_in)·NM + ms); the
// others are skipped, and so is a lane exchange no kept term uses (iSWAP, RXX on qubits 0 and 1 keep half the terms).
template <class T, int C, Mode M, unsigned G, unsigned RMASK, bool ST, bool RE = false, unsigned TM = ~0U>
void sweep(T* __restrict ptr, const Plan<T, C>& pl, index_t g0, index_t g1) {
  using S = Simd<T, C>;
  using vec = typename S::vec;
  constexpr unsigned NM = 1U << std::popcount(RMASK);
  constexpr unsigned GA = G ? G : 32;
  const unsigned gv = G ? G : pl.gv;
  const unsigned nm = G ? NM : pl.nm;
  // Local copies: stores through ptr (T*) may alias the plan's tables, which would force a reload per group.
  index_t off[GA];
  for (unsigned j = 0; j < gv; ++j) off[j] = pl.off[j];
  const index_t fixed = pl.fixed, ctrl = pl.ctrl;
  const index_t prefetch = pl.prefetch;
  index_t x = g0;
  for (unsigned s = 0; s < pl.n_sorted; ++s) x = insert_zero_bit(x, pl.sorted[s]);
  // Stream j of the group at b: b + off[j]; staged (ST), streams 1… are in the stage buffer instead, each stream's
  // vectors consecutive (stream 0, always at b, keeps its part unused).
  [[maybe_unused]] T* sb = pl.stage;
  [[maybe_unused]] const index_t sstride = pl.stage_stride;
  unsigned src_j[GA];
  if constexpr (ST && M == Mode::Permutation)
    for (unsigned j = 0; j < gv; ++j) src_j[j] = pl.src_j[j];
  const unsigned prefetch_streams = ST ? 1 : gv;
  // Where stream j of the group at b is, and the step to the next group (the carry trick, and the stage buffer).
  auto at = [&](T* b, unsigned j) -> T* {
    if constexpr (ST) {
      return j == 0 ? b + off[0] : sb + j * sstride;
    } else {
      return b + off[j];
    }
  };
  // Every group of [g0, g1) in order, body(b) with b the group's first amplitude. Groups below the lowest fixed bit
  // are consecutive vectors: the carry trick runs once per run of them, and the inner loop only steps a pointer
  // (the per-group index arithmetic was half the instructions of an H sweep in L1/L2). Runs of 1-2 groups (a target or
  // control on the lowest streamed qubits) keep the carry trick per group: a run's set-up cost more than it saved.
  auto for_groups = [&](auto&& body) {
    const index_t run = fixed & (~fixed + 1);  // 0: no fixed bit, every group consecutive
    if (run != 0 && run < 4) {  // runs too short to pay for their set-up: the carry trick for each group
      for (index_t g = g0; g < g1; ++g) {
        body(ptr + (x | ctrl) * (2 * C));
        if constexpr (ST) sb += 2 * C;
        x = ((x | fixed) + 1) & ~fixed;
      }
      return;
    }
    index_t g = g0;
    while (g < g1) {
      const index_t len = run ? std::min<index_t>(run - (g & (run - 1)), g1 - g) : g1 - g;
      T* b = ptr + (x | ctrl) * (2 * C);
      for (index_t r = 0; r < len; ++r, b += 2 * C) {
        body(b);
        if constexpr (ST) sb += 2 * C;
      }
      g += len;
      x = (((x + len - 1) | fixed) + 1) & ~fixed;
    }
  };

  if constexpr (M == Mode::Permutation) {
    index_t soff[GA];
    int smask[GA];
    for (unsigned j = 0; j < gv; ++j) {
      soff[j] = pl.src_off[j];
      smask[j] = pl.src_mask[j];
    }
    const bool lanes = pl.nm > 1;  // RMASK is not a template argument here
    vec out[GA];
    for_groups([&](T* const b) {
      if (prefetch)
        for (unsigned j = 0; j < prefetch_streams; ++j) __builtin_prefetch(b + off[j] + prefetch, 1, 3);
      for (unsigned j = 0; j < gv; ++j) out[j] = S::load(ST ? at(b, src_j[j]) : b + soff[j]);
      if (lanes)
        for (unsigned j = 0; j < gv; ++j) out[j] = S::perm_dyn(out[j], smask[j]);
      for (unsigned j = 0; j < gv; ++j) S::store(at(b, j), out[j]);
    });
  } else if constexpr (M == Mode::Diagonal) {
    vec dre[GA], dim[GA];
    for (unsigned j = 0; j < gv; ++j) {
      dre[j] = pl.cf[pl.tb[j]].re;
      dim[j] = pl.cf[pl.tb[j]].im;
    }
    for_groups([&](T* const b) {
      if (prefetch)
        for (unsigned j = 0; j < prefetch_streams; ++j) __builtin_prefetch(b + off[j] + prefetch, 1, 3);
      vec out[GA];
      for (unsigned j = 0; j < gv; ++j) {
        const vec v = S::load(at(b, j));
        out[j] = dre[j] * v + dim[j] * S::swap_ri(v);
      }
      for (unsigned j = 0; j < gv; ++j) S::store(at(b, j), out[j]);
    });
  } else if constexpr (G != 0 && G * NM >= 8) {
    // Dense and compute-bound (fused 3- and 4-qubit blocks: 8-16 complex multiply-adds per amplitude). Inputs outer,
    // outputs inner: each input vector is loaded and lane-exchanged once and the accumulators stay in registers, so a
    // term costs its two coefficient loads and two FMAs. The output-outer order of the small shapes below kept every
    // input live at once, spilled them, and ran 2.5-3x slower than this. OB outputs per pass over the inputs bounds
    // the live registers (AVX2 has 16); a gate with more outputs passes over its inputs again, so its results wait
    // in `out` until every input has been read.
    constexpr unsigned OB = G < 8 ? G : 8;
    using Coef = typename Plan<T, C>::Coef;
    const Coef* __restrict const full = pl.full;
    for_groups([&](T* const b) {
      if (prefetch)
        for (unsigned j = 0; j < prefetch_streams; ++j) __builtin_prefetch(b + off[j] + prefetch, 1, 3);
      vec out[G];
      for (unsigned o0 = 0; o0 < G; o0 += OB) {
        vec acc[OB] = {};
        for (unsigned ji = 0; ji < G; ++ji) {
          const vec v = S::load(at(b, ji));
          [&]<std::size_t... I>(std::index_sequence<I...>) {
            (
                [&] {
                  const vec p = S::template perm<subset_at(RMASK, I)>(v);
                  const vec ps = S::swap_ri(p);
#pragma GCC unroll 16
                  for (unsigned jo = 0; jo < OB; ++jo) {
                    const Coef& c = full[((o0 + jo) * G + ji) * NM + I];
                    acc[jo] += c.re * p + c.im * ps;
                  }
                }(),
                ...);
          }(std::make_index_sequence<NM>{});
        }
        for (unsigned jo = 0; jo < OB; ++jo) out[o0 + jo] = acc[jo];
      }
      for (unsigned j = 0; j < gv; ++j) S::store(at(b, j), out[j]);
    });
  } else if constexpr (G != 0) {
    // Dense, shape known at compile time: every term (zeros included), fully unrolled, lane exchanges constant.
    vec lre[G * G * NM], lim[G * G * NM];
    for (unsigned e = 0; e < G * G * NM; ++e) {
      lre[e] = pl.full[e].re;
      lim[e] = pl.full[e].im;
    }
    for_groups([&](T* const b) {
      if (prefetch)
        for (unsigned j = 0; j < prefetch_streams; ++j) __builtin_prefetch(b + off[j] + prefetch, 1, 3);
      vec p[G][NM], ps[G][NM];
      for (unsigned j = 0; j < G; ++j) {
        const vec v = S::load(at(b, j));
        [&]<std::size_t... I>(std::index_sequence<I...>) {
          ((p[j][I] = slot_used(TM, G, NM, I) ? S::template perm<subset_at(RMASK, I)>(v) : vec{}), ...);
        }(std::make_index_sequence<NM>{});
        if constexpr (!RE)
          for (unsigned ms = 0; ms < NM; ++ms) ps[j][ms] = S::swap_ri(p[j][ms]);
      }
      vec out[G];
      for (unsigned jo = 0; jo < G; ++jo) {
        vec acc{};
        for (unsigned ji = 0; ji < G; ++ji)
#pragma GCC unroll 8
          for (unsigned ms = 0; ms < NM; ++ms) {
            const unsigned e = (jo * G + ji) * NM + ms;
            if (!(TM >> e & 1U)) continue;
            if constexpr (RE) {
              acc += lre[e] * p[ji][ms];
            } else {
              acc += lre[e] * p[ji][ms] + lim[e] * ps[ji][ms];
            }
          }
        out[jo] = acc;
      }
      for (unsigned j = 0; j < gv; ++j) S::store(at(b, j), out[j]);
    });
  } else {
    const auto* cf = pl.cf;
    const TermIndex* tm = pl.tm;
    const unsigned* tb = pl.tb;
    int masks[8];
    for (unsigned ms = 0; ms < nm; ++ms) masks[ms] = pl.masks[ms];
    vec p[32][8], ps[32][8], out[32];
    for_groups([&](T* const b) {
      if (prefetch)
        for (unsigned j = 0; j < prefetch_streams; ++j) __builtin_prefetch(b + off[j] + prefetch, 1, 3);
      for (unsigned j = 0; j < gv; ++j) {
        const vec v = S::load(at(b, j));
        for (unsigned ms = 0; ms < nm; ++ms) {
          p[j][ms] = S::perm_dyn(v, masks[ms]);
          ps[j][ms] = S::swap_ri(p[j][ms]);
        }
      }
      for (unsigned jo = 0; jo < gv; ++jo) {
        vec acc{};
        for (unsigned t = tb[jo]; t < tb[jo + 1]; ++t) {
          const TermIndex ti = tm[t];
          acc += cf[t].re * p[ti.j_in][ti.mask_slot] + cf[t].im * ps[ti.j_in][ti.mask_slot];
        }
        out[jo] = acc;
      }
      for (unsigned j = 0; j < gv; ++j) S::store(at(b, j), out[j]);
    });
  }
}

template <class T, int C>
using SweepFn = void (*)(T*, const Plan<T, C>&, index_t, index_t);

// The compiled sweep for a gate's shape: compile-time shapes for 1- and 2-qubit gates, the general loop otherwise.
template <class T, int C, bool ST>
SweepFn<T, C> pick_sweep(Mode mode, unsigned gv, unsigned r_lane_mask, bool real, unsigned used) {
  switch (mode) {
    case Mode::Permutation:
      if (gv == 1) return sweep<T, C, Mode::Permutation, 1, 0, ST>;
      if (gv == 2) return sweep<T, C, Mode::Permutation, 2, 0, ST>;
      if (gv == 4) return sweep<T, C, Mode::Permutation, 4, 0, ST>;
      return sweep<T, C, Mode::Permutation, 0, 0, ST>;
    case Mode::Diagonal:
      if (gv == 1) return sweep<T, C, Mode::Diagonal, 1, 0, ST>;
      if (gv == 2) return sweep<T, C, Mode::Diagonal, 2, 0, ST>;
      if (gv == 4) return sweep<T, C, Mode::Diagonal, 4, 0, ST>;
      return sweep<T, C, Mode::Diagonal, 0, 0, ST>;
    case Mode::Dense: break;
  }
  SweepFn<T, C> fn = sweep<T, C, Mode::Dense, 0, 0, ST>;
  // Real 1- and 2-qubit matrices (H, RY; RY·CNOT blocks): half the arithmetic of the complex form.
  auto real_lanes = [&]<unsigned G, unsigned R>() {
    if constexpr (R < unsigned(C)) {
      if (gv == G && r_lane_mask == R) fn = sweep<T, C, Mode::Dense, G, R, ST, true>;
    }
  };
  // SWAP, iSWAP, RXX, RYY on qubits 0 and 1: half the terms. Both qubits inside the vector (single precision): the
  // identity and the exchange of both lane bits; qubit 0 inside, qubit 1 streamed (double): each output vector takes
  // its own stream unexchanged and the other exchanged.
  auto sparse = [&]<unsigned G, unsigned R, unsigned TM>() {
    if constexpr (R < unsigned(C)) {
      if (gv == G && r_lane_mask == R && used == TM)
        fn = real ? sweep<T, C, Mode::Dense, G, R, ST, true, TM> : sweep<T, C, Mode::Dense, G, R, ST, false, TM>;
    }
  };
  sparse.template operator()<1, 3, 0b1001U>();
  sparse.template operator()<2, 1, 0b01101001U>();
  if (fn != sweep<T, C, Mode::Dense, 0, 0, ST>) return fn;
  if (real) {
    real_lanes.template operator()<2, 0>();
    real_lanes.template operator()<1, 1>();
    real_lanes.template operator()<1, 2>();
    real_lanes.template operator()<1, 3>();  // SWAP inside one vector (single precision)
    real_lanes.template operator()<1, 4>();
    real_lanes.template operator()<4, 0>();
    real_lanes.template operator()<2, 1>();
    real_lanes.template operator()<2, 2>();
    if (fn != sweep<T, C, Mode::Dense, 0, 0, ST>) return fn;
  }
  auto with_lanes = [&]<unsigned G, unsigned R>() {
    if constexpr (R < unsigned(C)) {
      if (gv == G && r_lane_mask == R) fn = sweep<T, C, Mode::Dense, G, R, ST>;
    }
  };
  // Fused blocks (3 and 4 qubits, qnn/exec/fusion.hpp): the general loop below ran them 5-6x slower than these.
  with_lanes.template operator()<16, 0>();
  with_lanes.template operator()<8, 0>();
  with_lanes.template operator()<8, 1>();
  with_lanes.template operator()<4, 1>();
  with_lanes.template operator()<4, 2>();
  with_lanes.template operator()<4, 3>();
  with_lanes.template operator()<2, 3>();
  with_lanes.template operator()<4, 0>();
  with_lanes.template operator()<2, 0>();
  with_lanes.template operator()<2, 1>();
  with_lanes.template operator()<2, 2>();
  with_lanes.template operator()<2, 4>();
  with_lanes.template operator()<1, 1>();
  with_lanes.template operator()<1, 2>();
  with_lanes.template operator()<1, 3>();
  with_lanes.template operator()<1, 4>();
  with_lanes.template operator()<1, 5>();
  with_lanes.template operator()<1, 6>();
  return fn;
}

// A sweep for gates whose streams are 256 MiB apart or a multiple of it. On the AMD Zen CPUs we measure on, two lines
// whose virtual addresses agree in bits 12-27 cannot both sit in L1 (its way predictor tags lines by a hash of those
// bits), so a butterfly over two such streams displaces each line before it is written: 0.40-0.45 of the in-place
// bandwidth on the highest qubit of 26 in double, 0.18-0.21 with four streams (SWAP or RZZ on the two highest
// qubits), while 256 MiB + 4 KiB apart runs at full speed. It is the virtual address: 4 KiB pages touched in random
// order, which scatters the physical ones, alias the same. Here streams 1… of a few groups are first copied, one
// stream at a time, into a small buffer whose lines collide with nothing; the sweep (ST) then reads and writes stream
// 0 in place and the others in the buffer, and the buffer is copied back one stream at a time. Each line is displaced
// only once it is done with; memory traffic is unchanged and the copies stay in L1 and L2. n = 26, double, one
// thread, fraction of the in-place bandwidth measured alternately in one process: H, RZ on qubit 24 or 25 from
// 0.34-0.50 to 0.82-0.96; SWAP(24, 25), four streams when it still moved all of them, from 0.16-0.21 to 0.68-0.84;
// RZZ(24, 25), diagonal, scaled one stream at a time, from 0.16-0.23 to 0.84-0.92 (it now runs as four one-stream
// parts, apply_dense_impl: 0.97-0.98).
// Copying stream 0 as well was slower (its lines are displaced between the copy in and the copy out), and so were
// non-temporal stores (0.70-0.84 with two streams, about 0.2 with four).
template <class T, int C>
void staged_sweep(SweepFn<T, C> fn, bool diagonal, T* ptr, const Plan<T, C>& pl, index_t g0, index_t g1) {
  using S = Simd<T, C>;
  // Vectors per stage (all streams together) and how far ahead the copies prefetch: 64 vectors (2 KiB per stream of
  // a 1-qubit gate in AVX2 double) and 4x the in-place sweep's distance (8 KiB) measured best of 16-256 vectors and
  // 0-4x. Stream 0 keeps the sweep's own prefetch (doubling it lost 5-20%).
  constexpr unsigned kStageVectors = 64;
  constexpr index_t kStagePrefetchFactor = 4;
  constexpr index_t V = 2 * C;  // reals per vector
  alignas(64) T buf[kStageVectors * V];
  index_t base[kStageVectors];
  const unsigned gv = pl.gv;
  // A power of two (a permutation may have compacted gv to 3, 5, …), so that a stage starting at a multiple of it
  // never crosses a fixed bit below it.
  const index_t per = std::bit_floor(std::max<index_t>(1, kStageVectors / gv));
  const index_t fixed = pl.fixed, ctrl = pl.ctrl, prefetch = pl.prefetch * kStagePrefetchFactor;
  Plan<T, C> local = pl;
  local.stage = buf;
  local.stage_stride = per * V;
  // No fixed bit below the stage: a stage's groups are consecutive vectors in every stream (a gate on high qubits with
  // no low control), and the copies are plain block copies.
  const index_t low_fixed = fixed ? (fixed & (~fixed + 1)) : ~index_t{0};  // groups up to here are consecutive
  const bool consecutive = low_fixed >= per;
  constexpr index_t kLine = 64 / sizeof(T);  // reals per cache line
  // Four vectors per step (the copies were a third of the staged sweep's instructions one vector at a time).
  auto copy = [&](T* __restrict dst, const T* __restrict src, index_t len, index_t ahead) {
    constexpr index_t U = 4 * V;
    index_t i = 0;
    for (; i + U <= len; i += U) {
      if (ahead)
        for (index_t l = 0; l < U; l += kLine) __builtin_prefetch(src + i + l + ahead, 0, 3);
      const auto a = S::load(src + i), b = S::load(src + i + V), c = S::load(src + i + 2 * V),
                 d = S::load(src + i + 3 * V);
      S::store(dst + i, a);
      S::store(dst + i + V, b);
      S::store(dst + i + 2 * V, c);
      S::store(dst + i + 3 * V, d);
    }
    for (; i < len; i += V) S::store(dst + i, S::load(src + i));
  };
  // A diagonal gate scales each stream in place: its stages are as long as the chunk (no buffer to fill).
  const index_t step =
      diagonal && consecutive ? std::max(per, std::min<index_t>(std::bit_floor(g1 - g0), low_fixed)) : per;
  for (index_t g = g0; g < g1; g += step) {
    const index_t cnt = std::min(step, g1 - g);
    index_t x = g;
    for (unsigned s = 0; s < pl.n_sorted; ++s) x = insert_zero_bit(x, pl.sorted[s]);
    if (consecutive && diagonal) {
      // A diagonal gate needs no stream together with another: each stream's block is scaled in place, one stream
      // after the other, which is the staging without the copies.
      const index_t b0 = (x | ctrl) * V, len = cnt * V;
      for (unsigned j = 0; j < gv; ++j) {
        const auto dre = pl.cf[pl.tb[j]].re, dim = pl.cf[pl.tb[j]].im;
        T* const a = ptr + b0 + pl.off[j];
        for (index_t i = 0; i < len; i += V) {
          if (pl.prefetch && i % kLine == 0) __builtin_prefetch(a + i + prefetch, 1, 3);
          const auto v = S::load(a + i);
          S::store(a + i, dre * v + dim * S::swap_ri(v));
        }
      }
      continue;
    }
    if (consecutive) {
      const index_t b0 = (x | ctrl) * V, len = cnt * V;
      for (unsigned j = 1; j < gv; ++j) copy(buf + j * per * V, ptr + b0 + pl.off[j], len, prefetch);
      fn(ptr, local, g, g + cnt);
      for (unsigned j = 1; j < gv; ++j) copy(ptr + b0 + pl.off[j], buf + j * per * V, len, 0);
      continue;
    }
    for (index_t k = 0; k < cnt; ++k) {
      base[k] = (x | ctrl) * V;
      x = ((x | fixed) + 1) & ~fixed;
    }
    for (unsigned j = 1; j < gv; ++j) {
      const T* const src = ptr + pl.off[j];
      T* const dst = buf + j * per * V;
      for (index_t k = 0; k < cnt; ++k) {
        if (prefetch) __builtin_prefetch(src + base[k] + prefetch, 0, 3);
        S::store(dst + k * V, S::load(src + base[k]));
      }
    }
    fn(ptr, local, g, g + cnt);
    for (unsigned j = 1; j < gv; ++j) {
      T* const dst = ptr + pl.off[j];
      const T* const src = buf + j * per * V;
      for (index_t k = 0; k < cnt; ++k) S::store(dst + base[k], S::load(src + k * V));
    }
  }
}

// Stream j of q is left as it is: its one term is itself, with coefficient 1 on every lane.
template <class T, int C>
bool fixed_stream(const Plan<T, C>& q, unsigned j) {
  const unsigned t = q.tb[j];
  return q.tb[j + 1] - t == 1 && q.tm[t].unit && q.tm[t].j_in == j && q.masks[q.tm[t].mask_slot] == 0;
}

// The tables a plan points into (apply_dense_impl keeps one set per thread, apply_dense_run_impl one per gate).
template <class T, int C>
struct PlanTables {
  std::vector<typename Plan<T, C>::Coef> full, coef;
  std::vector<TermIndex> terms;
  std::vector<unsigned> term_begin;
};

// A gate's plan: groups, streams, lane exchanges and coefficients, pointing into `tab`. Returns the lane mask of the
// in-register targets.
template <class T, int C>
unsigned build_plan(std::span<const unsigned> targets, std::span<const cplx> matrix, std::span<const unsigned> controls,
                    Plan<T, C>& pl, PlanTables<T, C>& tab) {
  using Coef = typename Plan<T, C>::Coef;
  constexpr unsigned lane_bits = C == 1 ? 0 : C == 2 ? 1 : C == 4 ? 2 : 3;
  const unsigned k = static_cast<unsigned>(targets.size());
  const std::size_t dim = std::size_t{1} << k;
  // Reset what is read before it is written (the arrays are written for the entries in use): assigning a fresh Plan
  // zero-filled and copied a kilobyte per gate, a third of a small gate's set-up.
  pl.fixed = pl.ctrl = 0;
  pl.n_sorted = 0;
  pl.prefetch = 0;
  pl.stage = nullptr;
  pl.stage_stride = 0;
  pl.used = ~0U;

  // Split targets into in-register and streamed; remember each target's position in the matrix index.
  unsigned s_pos[8], s_qubit[8];
  unsigned ns = 0;
  int lane_bit_of_target[8];
  for (unsigned t = 0; t < k; ++t) {
    if (targets[t] < lane_bits) {
      lane_bit_of_target[t] = static_cast<int>(targets[t]);
    } else {
      s_pos[ns] = t;
      s_qubit[ns++] = targets[t];
      lane_bit_of_target[t] = -1;
    }
  }
  unsigned lane_ctrl_mask = 0;  // controls inside a vector
  for (unsigned c : controls) {
    if (c < lane_bits) {
      lane_ctrl_mask |= 1U << c;
    } else {
      pl.ctrl |= index_t{1} << (c - lane_bits);
      pl.sorted[pl.n_sorted++] = c - lane_bits;
    }
  }
  for (unsigned s = 0; s < ns; ++s) pl.sorted[pl.n_sorted++] = s_qubit[s] - lane_bits;
  std::sort(pl.sorted, pl.sorted + pl.n_sorted);
  for (unsigned s = 0; s < pl.n_sorted; ++s) pl.fixed |= index_t{1} << pl.sorted[s];

  // The lane permutations that occur: every subset of the in-register target lane bits.
  unsigned r_lane_mask = 0;
  for (unsigned t = 0; t < k; ++t)
    if (lane_bit_of_target[t] >= 0) r_lane_mask |= 1U << lane_bit_of_target[t];
  pl.nm = 0;
  for (unsigned m = 0; m < C; ++m)
    if ((m & ~r_lane_mask) == 0) pl.masks[pl.nm++] = static_cast<int>(m);

  const unsigned gv = pl.gv = 1U << ns;
  for (unsigned j = 0; j < gv; ++j) {
    index_t o = 0;
    for (unsigned s = 0; s < ns; ++s)
      if (j >> s & 1U) o |= index_t{1} << s_qubit[s];
    pl.off[j] = 2 * o;  // reals
  }

  // Coefficients A[j_out][j_in][mask_slot] as (re, signed im) vector pairs; zero terms are dropped from the term lists.
  std::vector<Coef>& coef = tab.coef;
  std::vector<TermIndex>& terms = tab.terms;
  std::vector<unsigned>& term_begin = tab.term_begin;
  std::vector<Coef>& full = tab.full;
  full.clear();
  coef.clear();
  terms.clear();
  term_begin.assign(gv + 1, 0);

  auto matrix_index = [&](unsigned jv, unsigned lane) {
    // Matrix row/column index from the streamed bits jv and the lane's in-register bits.
    std::size_t idx = 0;
    for (unsigned s = 0; s < ns; ++s)
      if (jv >> s & 1U) idx |= std::size_t{1} << s_pos[s];
    for (unsigned t = 0; t < k; ++t)
      if (lane_bit_of_target[t] >= 0 && (lane >> lane_bit_of_target[t] & 1U)) idx |= std::size_t{1} << t;
    return idx;
  };
  for (unsigned jo = 0; jo < gv; ++jo) {
    term_begin[jo] = static_cast<unsigned>(terms.size());
    for (unsigned ji = 0; ji < gv; ++ji) {
      for (unsigned ms = 0; ms < pl.nm; ++ms) {
        Coef c{};
        bool any = false, unit = true;
        for (unsigned l = 0; l < C; ++l) {
          const unsigned src = l ^ static_cast<unsigned>(pl.masks[ms]);
          cplx a;
          if ((l & lane_ctrl_mask) != lane_ctrl_mask) {
            a = (jo == ji && pl.masks[ms] == 0) ? cplx(1) : cplx(0);  // control 0 on this lane: identity
          } else {
            a = matrix[matrix_index(jo, l) * dim + matrix_index(ji, src)];
          }
          c.re[2 * l] = static_cast<T>(a.real());
          c.re[2 * l + 1] = static_cast<T>(a.real());
          c.im[2 * l] = static_cast<T>(-a.imag());
          c.im[2 * l + 1] = static_cast<T>(a.imag());
          if (a != cplx(0)) any = true;
          if (a != cplx(1)) unit = false;
        }
        full.push_back(c);
        if (!any) continue;
        terms.push_back({static_cast<std::uint16_t>(ji), static_cast<std::uint8_t>(ms), static_cast<std::uint8_t>(unit)});
        coef.push_back(c);
      }
    }
  }
  term_begin[gv] = static_cast<unsigned>(terms.size());
  pl.full = full.data();
  pl.cf = coef.data();
  pl.tm = terms.data();
  pl.tb = term_begin.data();
  return r_lane_mask;
}

// Mode, stream compaction (a permutation reads and writes only the streams it moves), prefetch and the sweep for a
// built plan; nullptr for the identity (nothing to do).
template <class T, int C>
SweepFn<T, C> prepare_sweep(Plan<T, C>& pq, unsigned r_lane_mask, std::size_t state_bytes, Mode& mode, bool& real) {
  const unsigned nv = pq.gv;
  bool is_perm = true, is_diag = true;
  for (unsigned jo = 0; jo < nv; ++jo) {
    const unsigned cnt = pq.tb[jo + 1] - pq.tb[jo];
    if (cnt != 1 || !pq.tm[pq.tb[jo]].unit) is_perm = false;
    if (cnt != 1 || pq.tm[pq.tb[jo]].j_in != jo || pq.masks[pq.tm[pq.tb[jo]].mask_slot] != 0) is_diag = false;
  }
  if (is_perm) {
    for (unsigned jo = 0; jo < nv; ++jo) {
      pq.src_j[jo] = pq.tm[pq.tb[jo]].j_in;
      pq.src_off[jo] = pq.off[pq.src_j[jo]];
      pq.src_mask[jo] = pq.masks[pq.tm[pq.tb[jo]].mask_slot];
    }
    // Only the streams a permutation changes are read and written: SWAP moves two of its four (half the bytes), a
    // fused block of CNOTs often fewer. A fixed stream's source is itself, so the moving ones are closed under src_j.
    // Compacted in place: moving[m] >= m, so entry m is written only after every entry it is read from.
    unsigned moving[32], pos[32], nm = 0;
    for (unsigned j = 0; j < nv; ++j)
      if (!fixed_stream(pq, j)) {
        pos[j] = nm;
        moving[nm++] = j;
      }
    if (nm == 0) return nullptr;  // the identity
    for (unsigned m = 0; m < nm; ++m) {
      const unsigned j = moving[m];
      pq.off[m] = pq.off[j];
      pq.src_off[m] = pq.src_off[j];
      pq.src_mask[m] = pq.src_mask[j];
      pq.src_j[m] = pos[pq.src_j[j]];
    }
    pq.gv = nm;
  }
  // Software prefetch on every stream of a state beyond the caches. The hardware prefetcher alone left a gate at
  // 0.7–0.8 of the in-place bandwidth on the lowest and highest qubits (the loop body is several times longer than
  // the bandwidth sweep's, so fewer misses are in flight); 2 KiB ahead brought both to ≥ 1 (n = 24, AVX2, medians of
  // interleaved runs). 1 KiB was not enough for float; 4–8 KiB was no better than 2.
  constexpr std::size_t kPrefetchBytes = 2048;
  constexpr std::size_t kPrefetchFromBytes = std::size_t{8} << 20;
  if (state_bytes >= kPrefetchFromBytes) pq.prefetch = kPrefetchBytes / sizeof(T);
  mode = is_perm ? Mode::Permutation : is_diag ? Mode::Diagonal : Mode::Dense;
  const unsigned streams = pq.gv;  // nv, or fewer for a permutation
  real = mode == Mode::Dense;
  for (unsigned e = 0; real && e < pq.gv * pq.gv * pq.nm; ++e)
    for (int i = 0; i < 2 * C; ++i) real = real && pq.full[e].im[i] == T(0);
  pq.used = 0;
  for (unsigned e = 0; mode == Mode::Dense && e < std::min(32U, pq.gv * pq.gv * pq.nm); ++e)
    for (int i = 0; i < 2 * C; ++i)
      if (pq.full[e].re[i] != T(0) || pq.full[e].im[i] != T(0)) pq.used |= 1U << e;
  return pick_sweep<T, C, false>(mode, streams, r_lane_mask, real, pq.used);
}

template <class T, int C>
void apply_dense_impl(complex<T>* psi, unsigned n, std::span<const unsigned> targets, std::span<const cplx> matrix,
                      std::span<const unsigned> controls) {
  using P = Plan<T, C>;
  using Coef = typename P::Coef;
  constexpr unsigned lane_bits = C == 1 ? 0 : C == 2 ? 1 : C == 4 ? 2 : 3;
  // Per thread, like its tables (the threads below read it through `run`'s reference): a fresh Plan is a kilobyte to
  // zero-fill per gate.
  thread_local P pl;
  thread_local PlanTables<T, C> tables;
  const unsigned r_lane_mask = build_plan<T, C>(targets, matrix, controls, pl, tables);
  const unsigned gv = pl.gv;

  // What the term structure allows: a permutation (one unit term per output: no arithmetic), a diagonal (one term
  // per output, its own input, no lane exchange), or a dense gate. `run` sweeps the streams of `pl` (all of the
  // gate's, or one independent part of them, below).
  const std::size_t state_bytes = (std::size_t{1} << n) * sizeof(complex<T>);
  // (Takes the plan by reference: it is a kilobyte, and each gate runs one.)
  auto run = [&](P& pq) {
    Mode mode;
    bool real;
    const SweepFn<T, C> fn = prepare_sweep<T, C>(pq, r_lane_mask, state_bytes, mode, real);
    if (!fn) return;  // the identity
    const unsigned streams = pq.gv;  // nv, or fewer for a permutation

    // Streams 256 MiB apart or more (a target on qubit >= 24 in double, >= 25 in single) go through staged_sweep.
    const std::size_t stage_bytes = stage_from_bytes();
    bool stage = false;
    for (unsigned j = 1; j < streams; ++j) {
      const index_t d = pq.off[j] > pq.off[0] ? pq.off[j] - pq.off[0] : pq.off[0] - pq.off[j];
      if (d * sizeof(T) >= stage_bytes) stage = true;
    }
    const SweepFn<T, C> staged_fn = stage ? pick_sweep<T, C, true>(mode, streams, r_lane_mask, real, pq.used) : nullptr;

    // Chunks of groups for the threads: a gate on the highest qubit still spreads over every thread.
    // (Staged sweeps take 8x longer chunks: a diagonal gate's in-place bursts get longer, the copies are unchanged.)
    const index_t kChunkVectors = stage ? 4096 : 512;
    const index_t groups = (index_t{1} << (n - lane_bits)) >> pq.n_sorted;
    const index_t chunk = std::bit_floor(std::max<index_t>(1, kChunkVectors / streams));  // stages stay aligned
    const index_t chunks = (groups + chunk - 1) / chunk;
    T* const ptr = reinterpret_cast<T*>(psi);
    auto sweep_range = [&](index_t g0, index_t g1) {
      if (stage) {
        staged_sweep<T, C>(staged_fn, mode == Mode::Diagonal, ptr, pq, g0, g1);
      } else {
        fn(ptr, pq, g0, g1);
      }
    };
    if (chunks == 1) {
      sweep_range(0, groups);
      return;
    }
    parallel_for(
        chunks, [&](index_t c) { sweep_range(c * chunk, std::min(groups, (c + 1) * chunk)); }, chunk * C * streams);
  };

  // A dense gate whose streams fall into independent parts (RXX, RYY: {00, 11} and {01, 10}; iSWAP: {01, 10} and two
  // fixed streams) runs as one sweep per part, and a part that is the identity not at all: iSWAP moves half the
  // bytes, and each sweep has two streams instead of four, a quarter of the arithmetic in half the passes' worth of
  // bytes each. Only on states beyond the caches, where a sweep's set-up is nothing next to its bytes.
  if (gv >= 4 && state_bytes >= split_from_bytes()) {
    unsigned parent[32];
    for (unsigned j = 0; j < gv; ++j) parent[j] = j;
    auto root = [&](unsigned a) {
      while (parent[a] != a) a = parent[a] = parent[parent[a]];
      return a;
    };
    for (unsigned jo = 0; jo < gv; ++jo)
      for (unsigned t = pl.tb[jo]; t < pl.tb[jo + 1]; ++t) parent[root(jo)] = root(pl.tm[t].j_in);
    unsigned parts = 0, members[32] = {};
    for (unsigned j = 0; j < gv; ++j) {
      parts += root(j) == j;
      ++members[root(j)];
    }
    bool fixed_part = false;  // a part that the gate leaves as it is
    for (unsigned j = 0; j < gv; ++j) fixed_part = fixed_part || (members[j] == 1 && fixed_stream(pl, j));
    // Split where it saves bytes (a fixed part) or where the streams are far enough apart to be staged (each part
    // then has fewer streams to stage; a diagonal gate's parts have one stream each, which never collides). Elsewhere
    // one sweep over every stream moves the same bytes in one pass instead of several (RZZ on middle qubits lost
    // 10-20% as four one-stream passes).
    bool far = false;
    for (unsigned j = 1; j < gv; ++j) far = far || pl.off[j] * sizeof(T) >= stage_from_bytes();
    if (parts > 1 && (fixed_part || far)) {
      thread_local std::vector<Coef> sfull, scoef;
      thread_local std::vector<TermIndex> sterms;
      thread_local std::vector<unsigned> sbegin;
      for (unsigned r = 0; r < gv; ++r) {
        if (root(r) != r) continue;
        unsigned member[32], pos[32], m = 0;
        for (unsigned j = 0; j < gv; ++j)
          if (root(j) == r) {
            pos[j] = m;
            member[m++] = j;
          }
        if (m == 1 && fixed_stream(pl, r)) continue;  // a stream by itself, left as it is
        P sp = pl;
        sp.gv = m;
        sfull.clear();
        scoef.clear();
        sterms.clear();
        sbegin.assign(m + 1, 0);
        for (unsigned a = 0; a < m; ++a) {
          sp.off[a] = pl.off[member[a]];
          for (unsigned b = 0; b < m; ++b)
            for (unsigned ms = 0; ms < pl.nm; ++ms) sfull.push_back(pl.full[(member[a] * gv + member[b]) * pl.nm + ms]);
          sbegin[a] = static_cast<unsigned>(sterms.size());
          for (unsigned t = pl.tb[member[a]]; t < pl.tb[member[a] + 1]; ++t) {
            TermIndex ti = pl.tm[t];
            ti.j_in = static_cast<std::uint16_t>(pos[ti.j_in]);
            sterms.push_back(ti);
            scoef.push_back(pl.cf[t]);
          }
        }
        sbegin[m] = static_cast<unsigned>(sterms.size());
        sp.full = sfull.data();
        sp.cf = scoef.data();
        sp.tm = sterms.data();
        sp.tb = sbegin.data();
        run(sp);
      }
      return;
    }
  }
  run(pl);
}

// Two real 1-qubit gates in one pass: A on qubit a, then B on qubit b (a ≠ b, both streamed: at or above the lane
// bits), over groups [g0, g1) of four vectors (the group's vector index has zeros at both qubits' vector bits; oa, ob:
// reals from a group's first vector to the ones with bit a, bit b set). The two passes of RY, RY (a layer of angle
// encodings, the RY half of every ansatz layer whose RZs went into a diagonal group) each moved the state through the
// cache once; this moves it once for both, with the same arithmetic (8 products a vector). Measured on the pattern
// alone, alternating in one process, 1 thread, AVX2: 1.7x at 10-16 qubits, 1.9x at 20.
template <class T, int C>
struct RealPair {
  using vec = typename Simd<T, C>::vec;
  vec a[4], b[4];      // row-major 2x2, each entry on every lane
  index_t oa = 0, ob = 0;
  index_t fixed = 0;   // the two vector-index bits
  index_t prefetch = 0;
  index_t groups = 0;  // of the whole state
};

// Groups [g0, g1) of four vectors whose vector index has zeros at the two bits of `fixed`: body(x) with x the vector
// index of each group's first vector, in order. Groups below the lower bit are consecutive vectors; the carry trick
// x ← ((x | fixed) + 1) & ~fixed runs once per run of them (as sweep's for_groups). Shared by the two-gate sweeps;
// always inlined: left to the compiler, the 12-qubit benchmark gradient measured 1.35x slower (alternating runs).
template <class Body>
[[gnu::always_inline]] inline void for_quads(index_t fixed, index_t g0, index_t g1, Body&& body) {
  const unsigned lo = static_cast<unsigned>(std::countr_zero(fixed));
  const unsigned hi = static_cast<unsigned>(std::bit_width(fixed)) - 1;
  index_t x = insert_zero_bit(insert_zero_bit(g0, lo), hi);
  const index_t run = fixed & (~fixed + 1);
  index_t g = g0;
  while (g < g1) {
    const index_t len = std::min<index_t>(run - (g & (run - 1)), g1 - g);
    for (index_t r = 0; r < len; ++r) body(x + r);
    g += len;
    x = (((x + len - 1) | fixed) + 1) & ~fixed;
  }
}

template <class T, int C>
void real_pair_sweep(T* __restrict ptr, const RealPair<T, C>& pp, index_t g0, index_t g1) {
  using S = Simd<T, C>;
  using vec = typename S::vec;
  const vec a00 = pp.a[0], a01 = pp.a[1], a10 = pp.a[2], a11 = pp.a[3];
  const vec b00 = pp.b[0], b01 = pp.b[1], b10 = pp.b[2], b11 = pp.b[3];
  const index_t oa = pp.oa, ob = pp.ob, fixed = pp.fixed, prefetch = pp.prefetch;
  auto body = [&](T* const p) {
    if (prefetch) {
      __builtin_prefetch(p + prefetch, 1, 3);
      __builtin_prefetch(p + oa + prefetch, 1, 3);
      __builtin_prefetch(p + ob + prefetch, 1, 3);
      __builtin_prefetch(p + oa + ob + prefetch, 1, 3);
    }
    const vec v0 = S::load(p), v1 = S::load(p + oa), v2 = S::load(p + ob), v3 = S::load(p + oa + ob);
    const vec y0 = a00 * v0 + a01 * v1, y1 = a10 * v0 + a11 * v1;
    const vec y2 = a00 * v2 + a01 * v3, y3 = a10 * v2 + a11 * v3;
    S::store(p, b00 * y0 + b01 * y2);
    S::store(p + ob, b10 * y0 + b11 * y2);
    S::store(p + oa, b00 * y1 + b01 * y3);
    S::store(p + oa + ob, b10 * y1 + b11 * y3);
  };
  for_quads(fixed, g0, g1, [&](index_t x) { body(ptr + x * (2 * C)); });
}

// Whether gates g and h can share real_pair_sweep: one target each, streamed, different, no controls, real matrices.
// Fills `pp` (but for its prefetch) when they can.
template <class T, int C>
bool real_pair(const DenseGate& g, const DenseGate& h, unsigned n, RealPair<T, C>& pp) {
  constexpr unsigned lane_bits = C == 1 ? 0 : C == 2 ? 1 : C == 4 ? 2 : 3;
  if (g.targets.size() != 1 || h.targets.size() != 1 || !g.controls.empty() || !h.controls.empty()) return false;
  const unsigned qa = g.targets[0], qb = h.targets[0];
  if (qa == qb || qa < lane_bits || qb < lane_bits || qa >= n || qb >= n) return false;
  for (int e = 0; e < 4; ++e)
    if (g.matrix[e].imag() != 0 || h.matrix[e].imag() != 0) return false;
  // Streams far enough apart to be staged (apply_dense_impl) keep their own sweeps.
  const index_t far = std::max(index_t{2} << qa, index_t{2} << qb);
  if (far * sizeof(T) >= stage_from_bytes()) return false;
  for (int e = 0; e < 4; ++e)
    for (int l = 0; l < 2 * C; ++l) {
      pp.a[e][l] = static_cast<T>(g.matrix[e].real());
      pp.b[e][l] = static_cast<T>(h.matrix[e].real());
    }
  pp.oa = index_t{2} << qa;
  pp.ob = index_t{2} << qb;
  pp.fixed = (index_t{1} << (qa - lane_bits)) | (index_t{1} << (qb - lane_bits));
  pp.groups = index_t{1} << (n - lane_bits - 2);
  constexpr std::size_t kPrefetchBytes = 2048;
  constexpr std::size_t kPrefetchFromBytes = std::size_t{8} << 20;
  pp.prefetch = (std::size_t{1} << n) * sizeof(complex<T>) >= kPrefetchFromBytes ? kPrefetchBytes / sizeof(T) : 0;
  return true;
}

// Gates in order. A run of gates whose qubits all lie below the block size goes block by block: the 2^b amplitudes a
// block holds (dense_block_bytes(), 256 KiB) take every gate of the run before the next block is touched, so the run
// costs one pass over the state instead of one per gate (the sweeps are the same; each gets the groups inside the
// block). Other gates take apply_dense_impl, whole-state passes with its staging and splitting. Fused blocks are
// compute-bound from L2 out, so this gains little: the benchmark ansatz's fused forward pass, one thread, n = 16
// 20.1 -> 18.8 ms, n = 20 485 -> 421 ms (16 KiB blocks: 447 ms).
template <class T, int C>
void apply_dense_run_impl(complex<T>* psi, unsigned n, std::span<const DenseGate> gates) {
  using P = Plan<T, C>;
  using RP = RealPair<T, C>;
  constexpr unsigned lane_bits = C == 1 ? 0 : C == 2 ? 1 : C == 4 ? 2 : 3;
  const unsigned block_qubits = std::max<unsigned>(
      lane_bits + 5, static_cast<unsigned>(std::bit_width(dense_block_bytes() / sizeof(complex<T>))) - 1);
  auto local = [&](const DenseGate& g) {
    unsigned top = 0;
    for (unsigned q : g.targets) top = std::max(top, q);
    for (unsigned q : g.controls) top = std::max(top, q);
    return n > block_qubits && top < block_qubits;
  };
  thread_local std::vector<PlanTables<T, C>> tables;
  thread_local std::vector<P> plans;
  thread_local std::vector<SweepFn<T, C>> fns;
  thread_local std::vector<RP> pairs;  // pairs[k]: gates k and k + 1 of a local run, where fns[k + 1] is a marker
  thread_local std::vector<unsigned char> paired;
  const std::size_t state_bytes = (std::size_t{1} << n) * sizeof(complex<T>);
  T* const ptr = reinterpret_cast<T*>(psi);
  std::size_t s = 0;
  RP whole;
  while (s < gates.size()) {
    if (!local(gates[s])) {
      if (s + 1 < gates.size() && !local(gates[s + 1]) && real_pair<T, C>(gates[s], gates[s + 1], n, whole)) {
        // Fixed chunks of groups for the threads, as apply_dense_impl's.
        constexpr index_t kChunkGroups = 128;
        const index_t chunks = (whole.groups + kChunkGroups - 1) / kChunkGroups;
        const RP* const pp = &whole;
        parallel_for(
            chunks,
            [&](index_t c) {
              real_pair_sweep<T, C>(ptr, *pp, c * kChunkGroups, std::min(pp->groups, (c + 1) * kChunkGroups));
            },
            kChunkGroups * C * 4);
        s += 2;
        continue;
      }
      apply_dense_impl<T, C>(psi, n, gates[s].targets, gates[s].matrix, gates[s].controls);
      ++s;
      continue;
    }
    std::size_t e = s + 1;
    while (e < gates.size() && local(gates[e])) ++e;
    const std::size_t len = e - s;
    if (tables.size() < len) tables.resize(len);  // plans point into these: sized before any is built
    plans.resize(len);
    fns.resize(len);
    pairs.resize(len);
    paired.assign(len, 0);
    for (std::size_t k = 0; k < len; ++k) {
      if (k + 1 < len && real_pair<T, C>(gates[s + k], gates[s + k + 1], n, pairs[k])) {
        paired[k] = 1;
        ++k;
        continue;
      }
      const DenseGate& g = gates[s + k];
      const unsigned r = build_plan<T, C>(g.targets, g.matrix, g.controls, plans[k], tables[k]);
      Mode mode;
      bool real;
      fns[k] = prepare_sweep<T, C>(plans[k], r, state_bytes, mode, real);  // nullptr: the identity
    }
    // The threads see this thread's tables through these (thread_local names would be their own).
    const P* const pls = plans.data();
    const SweepFn<T, C>* const fs = fns.data();
    const RP* const pps = pairs.data();
    const unsigned char* const two = paired.data();
    const index_t blocks = index_t{1} << (n - block_qubits);
    const index_t pair_groups = index_t{1} << (block_qubits - lane_bits - 2);  // pair groups a block holds
    parallel_for(
        blocks,
        [&](index_t b) {
          for (std::size_t k = 0; k < len; ++k) {
            if (two[k]) {
              real_pair_sweep<T, C>(ptr, pps[k], b * pair_groups, (b + 1) * pair_groups);
              ++k;
              continue;
            }
            if (!fs[k]) continue;
            const P& pl = pls[k];
            const index_t gpb = (index_t{1} << (block_qubits - lane_bits)) >> pl.n_sorted;  // groups a block holds
            fs[k](ptr, pl, b * gpb, (b + 1) * gpb);
          }
        },
        (index_t{1} << block_qubits) * len);
    s = e;
  }
}

// A 1-qubit gate on a state below the vector kernels' size (kernels::apply_1q_small): at 16 amplitudes a gate is all overhead, and
// std::complex's operator* (a NaN check on every product) was most of it. One amplitude is one (re, im) vector and
// m·x = (m_re, m_re)·x + (−m_im, m_im)·(x_im, x_re), the vector kernels' form. Pairs (i, i + 2^t) with every control
// bit 1 are enumerated by the carry trick i ← ((i | fixed) + 1) & ~fixed.
// The two-pair vectors below are 32 bytes in double: wider than the scalar (SSE2) build's registers, which GCC notes
// as an ABI change for the lambdas that return them (reported where the TU instantiates them, at its end, so the note
// is off for the rest of the TU). They are local and inlined; no ABI crosses a boundary.
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wpsabi"
#endif
// Two complex numbers of T in one vector (re, im, re, im), the small-state kernels' unit: swap4 exchanges each
// number's parts, halves the two numbers; factor(a, b) the lanes that multiply the two by a and b,
// (a, b)∘x = r·x + i·swap4(x); load and store through memcpy (any alignment).
template <class T>
struct Vec4 {
  typedef T type __attribute__((vector_size(4 * sizeof(T))));
  struct Factor {
    type r, i;
    [[nodiscard]] type operator()(type x) const { return r * x + i * swap4(x); }
  };
  static type swap4(type v) { return type{v[1], v[0], v[3], v[2]}; }
  static type halves(type v) { return type{v[2], v[3], v[0], v[1]}; }
  static Factor factor(cplx a, cplx b) {
    return {type{T(a.real()), T(a.real()), T(b.real()), T(b.real())},
            type{T(-a.imag()), T(a.imag()), T(-b.imag()), T(b.imag())}};
  }
  static type load(const T* q) {
    type v;
    std::memcpy(&v, q, sizeof v);
    return v;
  }
  static void store(T* q, type v) { std::memcpy(q, &v, sizeof v); }
  // conj(y)·a = (y_re a_re + y_im a_im, y_re a_im − y_im a_re): acc_re and acc_im hold the sums of y·a and
  // y·swap4(a); this is Σ conj(y)·a, the lanes of the first summed and of the second differenced.
  static void add_conj_product(type y, type a, type& acc_re, type& acc_im) {
    acc_re += y * a;
    acc_im += y * swap4(a);
  }
  static cplx conj_sum(type acc_re, type acc_im) {
    return {double(acc_re[0]) + double(acc_re[1]) + double(acc_re[2]) + double(acc_re[3]),
            double(acc_im[0]) - double(acc_im[1]) + double(acc_im[2]) - double(acc_im[3])};
  }
};

template <class T>
void apply_1q_small_impl(complex<T>* psi, unsigned n, unsigned t, index_t ctrl_mask, unsigned num_controls,
                         const cplx* m) {
  typedef T v2 __attribute__((vector_size(2 * sizeof(T))));
  auto re = [&](int e) { return v2{T(m[e].real()), T(m[e].real())}; };
  auto im = [&](int e) { return v2{T(-m[e].imag()), T(m[e].imag())}; };
  auto swap = [](v2 x) { return v2{x[1], x[0]}; };
  const v2 r00 = re(0), r01 = re(1), r10 = re(2), r11 = re(3), i00 = im(0), i01 = im(1), i10 = im(2), i11 = im(3);
  T* const a = reinterpret_cast<T*>(psi);
  const index_t fixed = (index_t{1} << t) | ctrl_mask;
  const index_t count = (index_t{1} << n) >> (1 + num_controls);
  const index_t stride = index_t{2} << t;  // reals
  if (t == 0) {
    // The pair (i, i + 1) is one vector [x0, x1]: y = D∘x + O∘[x1, x0] with D = (m00, m11), O = (m01, m10).
    using V4 = Vec4<T>;
    using v4 = typename V4::type;
    const typename V4::Factor D = V4::factor(m[0], m[3]), O = V4::factor(m[1], m[2]);
    auto apply = [&](T* p) {
      const v4 x = V4::load(p);
      V4::store(p, D(x) + O(V4::halves(x)));
    };
    if (ctrl_mask == 0) {  // the pairs are consecutive vectors
      for (index_t c = 0; c < count; ++c) apply(a + 4 * c);
      return;
    }
    index_t i = 0;
    for (index_t c = 0; c < count; ++c) {
      apply(a + 2 * (i | ctrl_mask));
      i = ((i | fixed) + 1) & ~fixed;
    }
    return;
  }
  if ((ctrl_mask & 1U) == 0 && count >= 2) {
    // Amplitudes i and i + 1 (bit 0 clear) belong to two different pairs with the same control bits: both in one
    // vector of two complex numbers, half the loop trips (the loop was half of a 16-amplitude gate's instructions).
    using V4 = Vec4<T>;
    using v4 = typename V4::type;
    const typename V4::Factor M00 = V4::factor(m[0], m[0]), M01 = V4::factor(m[1], m[1]);
    const typename V4::Factor M10 = V4::factor(m[2], m[2]), M11 = V4::factor(m[3], m[3]);
    const index_t fixed2 = fixed | 1U;
    index_t i = 0;
    for (index_t c = 0; c < count / 2; ++c) {
      T* const p0 = a + 2 * (i | ctrl_mask);
      T* const p1 = p0 + stride;
      const v4 x0 = V4::load(p0), x1 = V4::load(p1);
      V4::store(p0, M00(x0) + M01(x1));
      V4::store(p1, M10(x0) + M11(x1));
      i = ((i | fixed2) + 1) & ~fixed2;
    }
    return;
  }
  index_t i = 0;
  for (index_t c = 0; c < count; ++c) {
    T* const p0 = a + 2 * (i | ctrl_mask);
    T* const p1 = p0 + stride;
    v2 x0, x1;
    std::memcpy(&x0, p0, sizeof x0);
    std::memcpy(&x1, p1, sizeof x1);
    const v2 s0 = swap(x0), s1 = swap(x1);
    const v2 y0 = (r00 * x0 + i00 * s0) + (r01 * x1 + i01 * s1);
    const v2 y1 = (r10 * x0 + i10 * s0) + (r11 * x1 + i11 * s1);
    std::memcpy(p0, &y0, sizeof y0);
    std::memcpy(p1, &y1, sizeof y1);
    i = ((i | fixed) + 1) & ~fixed;
  }
}

// A 2-qubit gate without controls on a small state (kernels::apply_2q_small), in apply_1q_small_impl's form: the
// four amplitudes base, base + 2^t0, base + 2^t1, base + 2^t0 + 2^t1 (matrix indices 0 to 3: t0 is the low bit) of
// each group, out_r = Σ_c (m_rc,re, m_rc,re)·x_c + (−m_rc,im, m_rc,im)·(x_c,im, x_c,re). V holds W complex numbers:
// W = 2 (groups g and g + 1, adjacent amplitudes when neither target is qubit 0) took 0.33-0.35 µs at n = 8 where one
// group per vector took 0.49.
template <class T, int W>
void two_qubit_groups(T* a, unsigned n, unsigned t0, unsigned t1, const cplx* m) {
  typedef T V __attribute__((vector_size(2 * W * sizeof(T))));
  auto swap = [](V x) {
    V y;
    for (int w = 0; w < 2 * W; w += 2) y[w] = x[w + 1], y[w + 1] = x[w];
    return y;
  };
  V R[16], I[16];
  for (int e = 0; e < 16; ++e)
    for (int w = 0; w < 2 * W; w += 2) {
      R[e][w] = R[e][w + 1] = T(m[e].real());
      I[e][w] = T(-m[e].imag()), I[e][w + 1] = T(m[e].imag());
    }
  const unsigned lo = std::min(t0, t1), hi = std::max(t0, t1);
  const index_t o1 = index_t{2} << t0, o2 = index_t{2} << t1;  // in reals
  const index_t count = (index_t{1} << n) >> 2;
  for (index_t g = 0; g < count; g += W) {
    T* const p = a + 2 * insert_zero_bit(insert_zero_bit(g, lo), hi);
    V x[4], sx[4], y[4];
    std::memcpy(&x[0], p, sizeof(V));
    std::memcpy(&x[1], p + o1, sizeof(V));
    std::memcpy(&x[2], p + o2, sizeof(V));
    std::memcpy(&x[3], p + o1 + o2, sizeof(V));
    for (int c = 0; c < 4; ++c) sx[c] = swap(x[c]);
    for (int r = 0; r < 4; ++r)
      y[r] = (R[4 * r] * x[0] + I[4 * r] * sx[0]) + (R[4 * r + 1] * x[1] + I[4 * r + 1] * sx[1]) +
             ((R[4 * r + 2] * x[2] + I[4 * r + 2] * sx[2]) + (R[4 * r + 3] * x[3] + I[4 * r + 3] * sx[3]));
    std::memcpy(p, &y[0], sizeof(V));
    std::memcpy(p + o1, &y[1], sizeof(V));
    std::memcpy(p + o2, &y[2], sizeof(V));
    std::memcpy(p + o1 + o2, &y[3], sizeof(V));
  }
}

// The same with qubit 0 a target (t0 = 0 < t1 = h): amplitudes 0 and 1 of a group are adjacent, one vector x01, and
// 2 and 3 another, x23. Each 2 × 2 block [[p, q], [r, s]] of the matrix acts on such a vector as
// (p, s)∘x + (q, r)∘(halves swapped), as apply_1q_small_impl does on qubit 0 (0.34-0.35 µs at n = 8 where one
// amplitude per vector took 0.64).
template <class T>
void two_qubit_groups_low(T* a, unsigned n, unsigned h, const cplx* m) {
  using V4 = Vec4<T>;
  using v4 = typename V4::type;
  // (c0, c1)∘x for entries c0 = m[e0], c1 = m[e1].
  auto lanes = [&](int e0, int e1) { return V4::factor(m[e0], m[e1]); };
  // Rows 0-1 (top) and 2-3 (bottom): the diagonal and off-diagonal lanes of each column block.
  const auto td0 = lanes(0, 5), to0 = lanes(1, 4), td1 = lanes(2, 7), to1 = lanes(3, 6);
  const auto bd0 = lanes(8, 13), bo0 = lanes(9, 12), bd1 = lanes(10, 15), bo1 = lanes(11, 14);
  const index_t o2 = index_t{2} << h;  // in reals
  const index_t count = (index_t{1} << n) >> 2;
  for (index_t g = 0; g < count; ++g) {
    T* const p = a + 2 * insert_zero_bit(insert_zero_bit(g, 0), h);
    const v4 x01 = V4::load(p), x23 = V4::load(p + o2);
    const v4 h01 = V4::halves(x01), h23 = V4::halves(x23);
    V4::store(p, (td0(x01) + to0(h01)) + (td1(x23) + to1(h23)));
    V4::store(p + o2, (bd0(x01) + bo0(h01)) + (bd1(x23) + bo1(h23)));
  }
}

template <class T>
void apply_2q_small_impl(complex<T>* psi, unsigned n, unsigned t0, unsigned t1, const cplx* m) {
  T* const a = reinterpret_cast<T*>(psi);
  if (std::min(t0, t1) > 0 && n > 2) {
    two_qubit_groups<T, 2>(a, n, t0, t1, m);
  } else if (t0 == 0) {
    two_qubit_groups_low<T>(a, n, t1, m);
  } else {
    // Qubit 0 is t1: the matrix with the two index bits swapped, so that it is t0.
    cplx swapped[16];
    auto sw = [](int j) { return ((j & 1) << 1) | ((j >> 1) & 1); };
    for (int r = 0; r < 4; ++r)
      for (int c = 0; c < 4; ++c) swapped[4 * r + c] = m[4 * sw(r) + sw(c)];
    two_qubit_groups_low<T>(a, n, t0, swapped);
  }
}

// kernels::matrix_element_1q: Σ over pairs j in [p0, p1) (amplitudes i0 = j + (j >> t << t), i1 = i0 + 2^t) of
// conj(l0)(m00 r0 + m01 r1) + conj(l1)(m10 r0 + m11 r1), two pairs per vector in apply_1q_small_impl's arithmetic
// (t = 0: one pair per vector, its two amplitudes side by side). conj(y)·a = (y_re a_re + y_im a_im,
// y_re a_im − y_im a_re): the lanes of y·a summed, and of y·swap(a) differenced.
template <class T>
cplx matrix_element_1q_impl(const complex<T>* bra, const complex<T>* ket, unsigned t, index_t p0, index_t p1,
                            const cplx* m) {
  using V4 = Vec4<T>;
  using v4 = typename V4::type;
  const T* l = reinterpret_cast<const T*>(bra);
  const T* r = reinterpret_cast<const T*>(ket);
  v4 acc_re{}, acc_im{};
  if (t == 0) {
    const typename V4::Factor D = V4::factor(m[0], m[3]), O = V4::factor(m[1], m[2]);
    for (index_t j = p0; j < p1; ++j) {
      const v4 x = V4::load(r + 4 * j);
      V4::add_conj_product(V4::load(l + 4 * j), D(x) + O(V4::halves(x)), acc_re, acc_im);
    }
  } else {
    const typename V4::Factor M00 = V4::factor(m[0], m[0]), M01 = V4::factor(m[1], m[1]);
    const typename V4::Factor M10 = V4::factor(m[2], m[2]), M11 = V4::factor(m[3], m[3]);
    // Pairs j and j + 1 (j even) are neighbours in one run of 2^t ≥ 2 pairs: amplitudes i0 and i0 + 1 (p0 and p1 are
    // even).
    const index_t stride = index_t{1} << t;
    for (index_t j = p0; j < p1; j += 2) {
      const index_t i0 = j + ((j >> t) << t);
      const v4 x0 = V4::load(r + 2 * i0), x1 = V4::load(r + 2 * (i0 + stride));
      const v4 y0 = V4::load(l + 2 * i0), y1 = V4::load(l + 2 * (i0 + stride));
      const v4 a0 = M00(x0) + M01(x1), a1 = M10(x0) + M11(x1);
      acc_re += y0 * a0 + y1 * a1;  // add_conj_product of both pairs, summed before they are added
      acc_im += y0 * V4::swap4(a0) + y1 * V4::swap4(a1);
    }
  }
  return V4::conj_sum(acc_re, acc_im);
}

// Rows of a Pauli string's partners and signs, for kernels::pauli_sum and add_pauli: rows i and i + 1 (i even) meet
// rows i⊕x and (i + 1)⊕x, which are p and p + 1 (p = i⊕x) where x is even and p and p − 1 where it is odd (then the
// pair loaded from p − 1 swaps halves). The signs (−1)^{|i∧z|} of rows in runs of 8 (i a multiple of 8): the run's
// high bits' sign, without a branch (a branch on a parity mispredicts half the time: it took 3-8 ns a row), times a
// table of the low three bits' signs, two rows per vector.
template <class T>
struct PauliRows {
  using V4 = Vec4<T>;
  using v4 = typename V4::type;
  index_t x, z;
  v4 low[4];  // signs of rows 8m + 2u and 8m + 2u + 1 from z's bits 0-2
  PauliRows(index_t x_mask, index_t z_mask) : x(x_mask), z(z_mask) {
    for (unsigned u = 0; u < 4; ++u) {
      const T s0 = sign(2 * u), s1 = sign(2 * u + 1);
      low[u] = v4{s0, s0, s1, s1};
    }
  }
  [[nodiscard]] T sign(index_t i) const { return T(1) - T(2) * T(std::popcount(i & z) & 1); }
  // The partners of rows i and i + 1 of `a` (interleaved re, im), in row order.
  [[nodiscard]] v4 partners(const T* a, index_t i) const {
    const index_t p = i ^ x;
    return (x & 1U) != 0 ? V4::halves(V4::load(a + 2 * (p - 1))) : V4::load(a + 2 * p);
  }
  // fn(i, signs of rows i and i + 1) over rows [r0, r1), both even: runs of 8 where they fit.
  template <class Fn>
  void for_pairs(index_t r0, index_t r1, Fn&& fn) const {
    index_t i = r0;
    if ((r0 & 7U) == 0) {
      for (; i + 8 <= r1; i += 8) {
        const T high = sign(i & ~index_t{7} & z);
        const v4 h{high, high, high, high};
        fn(i, h * low[0], 0);
        fn(i + 2, h * low[1], 1);
        fn(i + 4, h * low[2], 2);
        fn(i + 6, h * low[3], 3);
      }
    }
    for (; i < r1; i += 2) {
      const T s0 = sign(i), s1 = sign(i + 1);
      fn(i, v4{s0, s0, s1, s1}, 0);
    }
  }
};

// kernels::pauli_sum: Σ over rows i in [r0, r1) (both even) of conj(ψ_{i⊕x}) (−1)^{|i∧z|} ψ_i, two rows per vector
// (Vec4::add_conj_product, as matrix_element_1q), four sums apart
// (one per pair of a run of 8 rows) so that their additions do not wait on each other.
template <class T>
cplx pauli_sum_impl(const complex<T>* psi, index_t x, index_t z, index_t r0, index_t r1) {
  using V4 = Vec4<T>;
  using v4 = typename V4::type;
  const PauliRows<T> rows(x, z);
  const T* a = reinterpret_cast<const T*>(psi);
  v4 acc_re[4] = {}, acc_im[4] = {};
  rows.for_pairs(r0, r1, [&](index_t i, v4 s, unsigned u) {
    V4::add_conj_product(rows.partners(a, i), s * V4::load(a + 2 * i), acc_re[u], acc_im[u]);
  });
  return V4::conj_sum((acc_re[0] + acc_re[1]) + (acc_re[2] + acc_re[3]),
                      (acc_im[0] + acc_im[1]) + (acc_im[2] + acc_im[3]));
}

// kernels::add_pauli: out_o += f (−1)^{|(o⊕x)∧z|} src_{o⊕x} over rows o in [r0, r1) (both even), that is
// g (−1)^{|o∧z|} src_{o⊕x} with g = f (−1)^{|x∧z|}: each output row written once, two per vector.
template <class T>
void add_pauli_impl(const complex<T>* src, complex<T>* out, index_t x, index_t z, cplx f, index_t r0, index_t r1) {
  using V4 = Vec4<T>;
  using v4 = typename V4::type;
  const PauliRows<T> rows(x, z);
  const cplx g = parity(x & z) ? -f : f;
  const typename V4::Factor G = V4::factor(g, g);
  const T* a = reinterpret_cast<const T*>(src);
  T* o = reinterpret_cast<T*>(out);
  rows.for_pairs(r0, r1, [&](index_t i, v4 s, unsigned) {
    V4::store(o + 2 * i, V4::load(o + 2 * i) + s * G(rows.partners(a, i)));
  });
}

}  // namespace qnn::kernels::QNN_KERNEL_NS
