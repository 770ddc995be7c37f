// The batched-state kernels (qnn/sim/batched_state.hpp), written once and compiled per instruction set like the
// dense kernel (dense_impl.hpp), inside namespace QNN_KERNEL_NS: the batch loops are plain real arithmetic over
// re[i·B + b] and im[i·B + b], which the compiler vectorises with the width of the translation unit's instruction set
// (SSE2, AVX2+FMA or AVX-512). Built once for the baseline, they ran 2-wide in double whatever the CPU. Arguments are
// checked by BatchedStateVector before they get here.
#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <span>
#include <type_traits>
#include <vector>

#include "qnn/core/bits.hpp"
#include "qnn/core/complex.hpp"
#include "qnn/core/parallel.hpp"

namespace qnn::kernels::QNN_KERNEL_NS {

namespace batched_detail {

// Group enumeration: the base index of group g has zeros at every target and control bit and ones at the controls;
// offset[j] adds the target bits of matrix index j.
struct Groups {
  std::array<unsigned, 64> sorted{};
  unsigned num_sorted = 0;
  index_t ctrl_mask = 0;
  std::array<index_t, 32> offset{};
  index_t count = 0;
  index_t base(index_t g) const {
    for (unsigned s = 0; s < num_sorted; ++s) g = insert_zero_bit(g, sorted[s]);
    return g | ctrl_mask;
  }
};

inline Groups make_groups(unsigned n, std::span<const unsigned> targets, std::span<const unsigned> controls) {
  Groups g;
  for (unsigned t : targets) g.sorted[g.num_sorted++] = t;
  for (unsigned c : controls) {
    g.sorted[g.num_sorted++] = c;
    g.ctrl_mask |= index_t{1} << c;
  }
  std::sort(g.sorted.begin(), g.sorted.begin() + g.num_sorted);
  const std::size_t dim = std::size_t{1} << targets.size();
  for (std::size_t j = 0; j < dim; ++j)
    for (std::size_t b = 0; b < targets.size(); ++b)
      if (j >> b & 1U) g.offset[j] |= index_t{1} << targets[b];
  g.count = (index_t{1} << n) >> g.num_sorted;
  return g;
}

// out_b = Σ_c M_{r,c} · in_c(b) over the batch, for one output row: the shared-matrix form.
template <class T>
void row_shared(T* __restrict orr, T* __restrict oi, const T* const* ir, const T* const* ii, const T* mr,
                const T* mi, std::size_t dim, unsigned B) {
#pragma omp simd
  for (unsigned b = 0; b < B; ++b) {
    T sr = 0, si = 0;
    for (std::size_t c = 0; c < dim; ++c) {
      sr += mr[c] * ir[c][b] - mi[c] * ii[c][b];
      si += mr[c] * ii[c][b] + mi[c] * ir[c][b];
    }
    orr[b] = sr;
    oi[b] = si;
  }
}

// One 2×2 update over the batch. Entry e of sample b's matrix is at mr[e·stride + k] with k = b for per-sample
// matrices (stride B) and k = 0 for one shared matrix (stride 1), so both forms share one vectorised loop.
template <bool PerSample, class T>
void pair_update(T* __restrict r0, T* __restrict i0, T* __restrict r1, T* __restrict i1, const T* mr, const T* mi,
                 unsigned B) {
  const std::size_t stride = PerSample ? B : 1;
#pragma omp simd
  for (unsigned b = 0; b < B; ++b) {
    const std::size_t k = PerSample ? b : 0;
    const T ar = mr[k], ai = mi[k], br = mr[stride + k], bi = mi[stride + k];
    const T cr = mr[2 * stride + k], ci = mi[2 * stride + k], dr = mr[3 * stride + k], di = mi[3 * stride + k];
    const T x0r = r0[b], x0i = i0[b], x1r = r1[b], x1i = i1[b];
    r0[b] = ar * x0r - ai * x0i + br * x1r - bi * x1i;
    i0[b] = ar * x0i + ai * x0r + br * x1i + bi * x1r;
    r1[b] = cr * x0r - ci * x0i + dr * x1r - di * x1i;
    i1[b] = cr * x0i + ci * x0r + dr * x1i + di * x1r;
  }
}

// x ← d·a on one row of B samples, d = dr + i·di (x may be a itself: each value is read before it is written).
template <class T>
[[gnu::always_inline]] inline void phase_row(const T* ar, const T* ai, T* xr, T* xi, unsigned B, T dr, T di) {
#pragma omp simd
  for (unsigned b = 0; b < B; ++b) {
    const T r = ar[b], m = ai[b];
    xr[b] = dr * r - di * m;
    xi[b] = dr * m + di * r;
  }
}

}  // namespace batched_detail

// The same matrix on every sample (row-major dim × dim).
template <class T>
void batched_apply_shared_impl(T* re, T* im, unsigned n, unsigned B, std::span<const unsigned> targets,
                               std::span<const cplx> matrix, std::span<const unsigned> controls) {
  using namespace batched_detail;
  const Groups g = make_groups(n, targets, controls);
  const std::size_t dim = std::size_t{1} << targets.size();
  std::array<T, 1024> mr, mi;  // only the dim² entries used are written
  for (std::size_t e = 0; e < dim * dim; ++e) {
    mr[e] = T(matrix[e].real());
    mi[e] = T(matrix[e].imag());
  }
  bool diagonal = true;
  for (std::size_t r = 0; r < dim && diagonal; ++r)
    for (std::size_t c = 0; c < dim; ++c)
      if (r != c && matrix[r * dim + c] != cplx(0)) diagonal = false;
  bool real = true;
  for (std::size_t e = 0; e < dim * dim; ++e) real = real && matrix[e].imag() == 0;
  // X and the controlled X of CNOT/Toffoli (a third of a strongly entangling layer's gates): exchange the two rows,
  // no arithmetic.
  const bool exchange = dim == 2 && matrix[0] == cplx(0) && matrix[1] == cplx(1) && matrix[2] == cplx(1) &&
                        matrix[3] == cplx(0);
  // One loop per case, each body small enough to inline into the loop, where one body branching over every case was
  // called per group: at 8 qubits and B = 16 (a batched density matrix of 4 qubits, 64 values a group) a complex
  // 1-qubit gate took 2.08-2.14 µs where it took 2.71-2.86, a 4 × 4 matrix 3.8 where 4.6.
  auto rows = [&](index_t base, std::size_t j) {
    return std::pair{re + (base + g.offset[j]) * B, im + (base + g.offset[j]) * B};
  };
  if (exchange) {
    parallel_for(g.count, [&](index_t gi) {
      const index_t base = g.base(gi);
      const auto [r0, i0] = rows(base, 0);
      const auto [r1, i1] = rows(base, 1);
      std::swap_ranges(r0, r0 + B, r1);
      std::swap_ranges(i0, i0 + B, i1);
    });
    return;
  }
  if (diagonal) {
    parallel_for(g.count, [&](index_t gi) {
      const index_t base = g.base(gi);
      for (std::size_t j = 0; j < dim; ++j) {
        const auto [pr, pi] = rows(base, j);
        phase_row(pr, pi, pr, pi, B, mr[j * dim + j], mi[j * dim + j]);
      }
    });
    return;
  }
  if (dim == 2 && real) {
    // RY, H: a real matrix, half the products.
    const T a = mr[0], b = mr[1], c = mr[2], d = mr[3];
    parallel_for(g.count, [&](index_t gi) {
      const index_t base = g.base(gi);
      T* __restrict r0 = re + (base + g.offset[0]) * B;
      T* __restrict i0 = im + (base + g.offset[0]) * B;
      T* __restrict r1 = re + (base + g.offset[1]) * B;
      T* __restrict i1 = im + (base + g.offset[1]) * B;
#pragma omp simd
      for (unsigned k = 0; k < B; ++k) {
        const T x0r = r0[k], x0i = i0[k], x1r = r1[k], x1i = i1[k];
        r0[k] = a * x0r + b * x1r;
        i0[k] = a * x0i + b * x1i;
        r1[k] = c * x0r + d * x1r;
        i1[k] = c * x0i + d * x1i;
      }
    });
    return;
  }
  if (dim == 2) {
    parallel_for(g.count, [&](index_t gi) {
      const index_t base = g.base(gi);
      const auto [r0, i0] = rows(base, 0);
      const auto [r1, i1] = rows(base, 1);
      pair_update<false>(r0, i0, r1, i1, mr.data(), mi.data(), B);
    });
    return;
  }
  if (dim == 4) {
    // A 2-qubit gate or a 1-qubit channel's superoperator on vec(ρ): the four rows in registers, sample by sample.
    // Gathered into a scratch copy as below, such a pass took 31-38 µs at 8 qubits and B = 16, in registers 2.6-5.1
    // (both on a loaded machine).
    parallel_for(g.count, [&](index_t gi) {
      const index_t base = g.base(gi);
      T* __restrict pr[4];
      T* __restrict pi[4];
      for (int j = 0; j < 4; ++j) {
        pr[j] = re + (base + g.offset[j]) * B;
        pi[j] = im + (base + g.offset[j]) * B;
      }
#pragma omp simd
      for (unsigned k = 0; k < B; ++k) {
        const T x0r = pr[0][k], x1r = pr[1][k], x2r = pr[2][k], x3r = pr[3][k];
        const T x0i = pi[0][k], x1i = pi[1][k], x2i = pi[2][k], x3i = pi[3][k];
        T yr[4], yi[4];
        for (int r = 0; r < 4; ++r) {
          const T* ar = &mr[4 * r];
          const T* ai = &mi[4 * r];
          yr[r] = (ar[0] * x0r - ai[0] * x0i) + (ar[1] * x1r - ai[1] * x1i) + (ar[2] * x2r - ai[2] * x2i) +
                  (ar[3] * x3r - ai[3] * x3i);
          yi[r] = (ar[0] * x0i + ai[0] * x0r) + (ar[1] * x1i + ai[1] * x1r) + (ar[2] * x2i + ai[2] * x2r) +
                  (ar[3] * x3i + ai[3] * x3r);
        }
        for (int r = 0; r < 4; ++r) pr[r][k] = yr[r], pi[r][k] = yi[r];
      }
    });
    return;
  }
  // General k: gather the group's rows into a scratch copy, then one output row at a time.
  parallel_for(g.count, [&](index_t gi) {
    const index_t base = g.base(gi);
    thread_local std::vector<T> scratch;
    scratch.resize(2 * dim * B);
    std::array<const T*, 32> ir{}, ii{};
    for (std::size_t j = 0; j < dim; ++j) {
      std::copy_n(re + (base + g.offset[j]) * B, B, scratch.data() + (2 * j) * B);
      std::copy_n(im + (base + g.offset[j]) * B, B, scratch.data() + (2 * j + 1) * B);
      ir[j] = scratch.data() + (2 * j) * B;
      ii[j] = scratch.data() + (2 * j + 1) * B;
    }
    for (std::size_t r = 0; r < dim; ++r) {
      row_shared(re + (base + g.offset[r]) * B, im + (base + g.offset[r]) * B, ir.data(), ii.data(), &mr[r * dim],
                 &mi[r * dim], dim, B);
    }
  });
}

// Sample b gets matrices[b·dim² … (b+1)·dim²).
template <class T>
void batched_apply_per_sample_impl(T* re, T* im, unsigned n, unsigned B, std::span<const unsigned> targets,
                                   std::span<const cplx> matrices, std::span<const unsigned> controls) {
  using namespace batched_detail;
  const Groups g = make_groups(n, targets, controls);
  const std::size_t dim = std::size_t{1} << targets.size(), d2 = dim * dim;
  // Matrices as structure of arrays: entry e of sample b at m[e·B + b], so the batch loop reads them contiguously.
  thread_local std::vector<T> mre, mim;
  mre.resize(d2 * B);
  mim.resize(d2 * B);
  for (unsigned b = 0; b < B; ++b)
    for (std::size_t e = 0; e < d2; ++e) {
      mre[e * B + b] = T(matrices[b * d2 + e].real());
      mim[e * B + b] = T(matrices[b * d2 + e].imag());
    }
  const T* MR = mre.data();
  const T* MI = mim.data();
  parallel_for(g.count, [&](index_t gi) {
    const index_t base = g.base(gi);
    if (dim == 2) {
      pair_update<true>(re + (base + g.offset[0]) * B, im + (base + g.offset[0]) * B, re + (base + g.offset[1]) * B,
                        im + (base + g.offset[1]) * B, MR, MI, B);
      return;
    }
    thread_local std::vector<T> scratch;
    scratch.resize(2 * dim * B);
    for (std::size_t j = 0; j < dim; ++j) {
      std::copy_n(re + (base + g.offset[j]) * B, B, scratch.data() + (2 * j) * B);
      std::copy_n(im + (base + g.offset[j]) * B, B, scratch.data() + (2 * j + 1) * B);
    }
    for (std::size_t r = 0; r < dim; ++r) {
      T* __restrict orr = re + (base + g.offset[r]) * B;
      T* __restrict oi = im + (base + g.offset[r]) * B;
      for (unsigned b = 0; b < B; ++b) {
        T sr = 0, si = 0;
        for (std::size_t c = 0; c < dim; ++c) {
          const T xr = MR[(r * dim + c) * B + b], xi = MI[(r * dim + c) * B + b];
          const T vr = scratch[(2 * c) * B + b], vi = scratch[(2 * c + 1) * B + b];
          sr += xr * vr - xi * vi;
          si += xr * vi + xi * vr;
        }
        orr[b] = sr;
        oi[b] = si;
      }
    }
  });
}

// out[b] = ⟨ψ_b|P|ψ_b⟩ for the Pauli string with X mask x, Z mask z and ny Y factors (mod 4).
template <class T>
void batched_expectation_impl(const T* re, const T* im, unsigned n, unsigned B, index_t x, index_t z, unsigned ny,
                              double* out) {
  // ⟨ψ|P|ψ⟩ = i^{#Y} Σ_i conj(ψ_{i⊕x}) (−1)^{|i∧z|} ψ_i, per sample; summed over i in index order (deterministic).
  thread_local std::vector<double> sre, sim;  // no allocation per call
  sre.assign(B, 0.0);
  sim.assign(B, 0.0);
  double* __restrict rr = sre.data();
  double* __restrict ri = sim.data();
  const index_t size = index_t{1} << n;
  if (x == 0) {  // a Z string (a readout's): Σ_i (−1)^{|i∧z|} |ψ_i|², no imaginary part to sum
    for (index_t i = 0; i < size; ++i) {
      const T* ar = re + i * B;
      const T* ai = im + i * B;
      const double sign = parity(i & z) ? -1.0 : 1.0;
#pragma omp simd
      for (unsigned b = 0; b < B; ++b) rr[b] += sign * (double(ar[b]) * ar[b] + double(ai[b]) * ai[b]);
    }
    for (unsigned b = 0; b < B; ++b) out[b] = rr[b];
    return;
  }
  for (index_t i = 0; i < size; ++i) {
    const T* ar = re + i * B;
    const T* ai = im + i * B;
    const T* qr = re + (i ^ x) * B;
    const T* qi = im + (i ^ x) * B;
    const double sign = parity(i & z) ? -1.0 : 1.0;
#pragma omp simd
    for (unsigned b = 0; b < B; ++b) {
      rr[b] += sign * (double(qr[b]) * ar[b] + double(qi[b]) * ai[b]);
      ri[b] += sign * (double(qr[b]) * ai[b] - double(qi[b]) * ar[b]);
    }
  }
  ny &= 3U;
  for (unsigned b = 0; b < B; ++b) out[b] = ny == 0 ? rr[b] : ny == 1 ? -ri[b] : ny == 2 ? -rr[b] : ri[b];
}

// The signs of row i under `terms` Z strings as one pattern: bit t set where (−1)^{|i∧z_t|} = −1; and the sign bit t
// of pattern p gives.
inline unsigned z_pattern(index_t i, const index_t* z, unsigned terms) {
  unsigned pattern = 0;
  for (unsigned t = 0; t < terms; ++t) pattern |= (parity(i & z[t]) ? 1U : 0U) << t;
  return pattern;
}
inline double pattern_sign(unsigned p, unsigned t) { return (p >> t & 1U) != 0 ? -1.0 : 1.0; }

// kernels::batched_z_expectations.
template <class T>
void batched_z_expectations_impl(const T* re, const T* im, unsigned n, unsigned B, const index_t* z, unsigned terms,
                                 double* out) {
  const unsigned patterns = 1U << terms;
  thread_local std::vector<double> sums;  // [pattern·B + b]; no allocation per call
  sums.assign(std::size_t{patterns} * B, 0.0);
  const index_t size = index_t{1} << n;
  for (index_t i = 0; i < size; ++i) {
    double* __restrict acc = sums.data() + std::size_t{z_pattern(i, z, terms)} * B;
    const T* __restrict ar = re + i * B;
    const T* __restrict ai = im + i * B;
#pragma omp simd
    for (unsigned b = 0; b < B; ++b) acc[b] += double(ar[b]) * ar[b] + double(ai[b]) * ai[b];
  }
  for (unsigned t = 0; t < terms; ++t)
    for (unsigned b = 0; b < B; ++b) {
      double s = 0;
      for (unsigned p = 0; p < patterns; ++p) s += pattern_sign(p, t) * sums[p * B + b];
      out[t * B + b] = s;
    }
}

// kernels::batched_z_weighted: d_b for each of the 2^terms sign patterns first, then one product per value.
template <class T>
void batched_z_weighted_impl(const T* src_re, const T* src_im, T* re, T* im, unsigned n, unsigned B,
                             const index_t* z, unsigned terms, const double* coeff) {
  const unsigned patterns = 1U << terms;
  thread_local std::vector<T> factors;  // [pattern·B + b]
  factors.resize(std::size_t{patterns} * B);
  for (unsigned p = 0; p < patterns; ++p)
    for (unsigned b = 0; b < B; ++b) {
      double d = 0;
      for (unsigned t = 0; t < terms; ++t) d += pattern_sign(p, t) * coeff[t * B + b];
      factors[p * B + b] = T(d);
    }
  const index_t size = index_t{1} << n;
  for (index_t i = 0; i < size; ++i) {
    const T* __restrict d = factors.data() + std::size_t{z_pattern(i, z, terms)} * B;
    const T* __restrict sr = src_re + i * B;
    const T* __restrict si = src_im + i * B;
    T* __restrict orr = re + i * B;
    T* __restrict oi = im + i * B;
#pragma omp simd
    for (unsigned b = 0; b < B; ++b) {
      orr[b] = d[b] * sr[b];
      oi[b] = d[b] * si[b];
    }
  }
}

// ψ_b ← ψ_b + c_b · P src_b.
template <class T>
void batched_add_pauli_impl(const T* src_re, const T* src_im, T* re, T* im, unsigned n, unsigned B, index_t x,
                            index_t z, unsigned ny, const double* coeff, bool accumulate) {
  ny &= 3U;
  const double fr = ny == 0 ? 1 : ny == 2 ? -1 : 0, fi = ny == 1 ? 1 : ny == 3 ? -1 : 0;  // i^ny
  thread_local std::vector<T> factors;  // coeff[b]·i^ny, real and imaginary parts
  factors.resize(2 * std::size_t{B});
  T* const cr = factors.data();
  T* const ci = cr + B;
  for (unsigned b = 0; b < B; ++b) {
    cr[b] = T(coeff[b] * fr);
    ci[b] = T(coeff[b] * fi);
  }
  // A real factor (no Y, or two: a readout's Z strings) skips the imaginary half of the products.
  auto rows = [&]<bool REAL, bool ADD>() {
    const index_t size = index_t{1} << n;
    for (index_t i = 0; i < size; ++i) {
      const T sign = parity(i & z) ? T(-1) : T(1);
      const T* __restrict sr = src_re + i * B;
      const T* __restrict si = src_im + i * B;
      T* __restrict orr = re + (i ^ x) * B;
      T* __restrict oi = im + (i ^ x) * B;
#pragma omp simd
      for (unsigned b = 0; b < B; ++b) {
        const T r = sign * cr[b];
        T vr = r * sr[b], vi = r * si[b];
        if constexpr (!REAL) {
          const T m = sign * ci[b];
          vr -= m * si[b];
          vi += m * sr[b];
        }
        if constexpr (ADD) {
          orr[b] += vr;
          oi[b] += vi;
        } else {
          orr[b] = vr;
          oi[b] = vi;
        }
      }
    }
  };
  const bool real = fi == 0;
  if (real) {
    accumulate ? rows.template operator()<true, true>() : rows.template operator()<true, false>();
  } else {
    accumulate ? rows.template operator()<false, true>() : rows.template operator()<false, false>();
  }
}

// out[b] = ⟨bra_b| C(M_b) |ket_b⟩ with M_b = matrices[b·dim²…] if per_sample, else the one matrix for all.
template <class T>
void batched_matrix_element_impl(const T* bra_re, const T* bra_im, const T* ket_re, const T* ket_im, unsigned n,
                                 unsigned B, std::span<const unsigned> targets, std::span<const cplx> matrices,
                                 bool per_sample, std::span<const unsigned> controls, cplx* out) {
  using namespace batched_detail;
  const Groups g = make_groups(n, targets, controls);
  const std::size_t dim = std::size_t{1} << targets.size(), d2 = dim * dim;
  thread_local std::vector<double> acc_re, acc_im;  // no allocation per call
  acc_re.assign(B, 0.0);
  acc_im.assign(B, 0.0);
  double* __restrict ar = acc_re.data();
  double* __restrict ai = acc_im.data();
  // Σ_groups Σ_row conj(bra_row) Σ_col M_{row,col} ket_col, per sample, groups in order (deterministic).
  for (index_t gi = 0; gi < g.count; ++gi) {
    const index_t base = g.base(gi);
    for (std::size_t row = 0; row < dim; ++row) {
      const T* lr = bra_re + (base + g.offset[row]) * B;
      const T* li = bra_im + (base + g.offset[row]) * B;
      for (std::size_t col = 0; col < dim; ++col) {
        const T* kr = ket_re + (base + g.offset[col]) * B;
        const T* ki = ket_im + (base + g.offset[col]) * B;
        if (!per_sample) {
          const cplx mc = matrices[row * dim + col];
          if (mc == cplx(0)) continue;
          const double mr = mc.real(), mi = mc.imag();
#pragma omp simd
          for (unsigned b = 0; b < B; ++b) {
            const double vr = mr * kr[b] - mi * ki[b], vi = mr * ki[b] + mi * kr[b];
            ar[b] += double(lr[b]) * vr + double(li[b]) * vi;
            ai[b] += double(lr[b]) * vi - double(li[b]) * vr;
          }
        } else {
          for (unsigned b = 0; b < B; ++b) {
            const cplx mc = matrices[b * d2 + row * dim + col];
            const double mr = mc.real(), mi = mc.imag();
            const double vr = mr * kr[b] - mi * ki[b], vi = mr * ki[b] + mi * kr[b];
            ar[b] += double(lr[b]) * vr + double(li[b]) * vi;
            ai[b] += double(lr[b]) * vi - double(li[b]) * vr;
          }
        }
      }
    }
  }
  for (unsigned b = 0; b < B; ++b) out[b] = cplx(ar[b], ai[b]);
}

// One backward step of the batched adjoint sweep (kernels::batched_adjoint_step): the same U on every sample. Per
// group: the correlations C[jo][ji] = Σ_b conj(λ_jo,b) φ_ji,b, then U† on both states, in one pass instead of three
// (apply to φ, matrix element, apply to λ). Every parameter's sum Σ_b Re⟨λ_b|G_p|φ_b⟩ = Re Σ G_p[jo][ji] C[jo][ji] comes
// from the same four correlations. K as in adjoint_sweep: RY's step (real U†, real G) needs the real parts alone and
// half the products; RZ's (diagonal) two correlations; CNOT's exchange only moves rows. corr: [jo·2 + ji][re, im].
// (UPD is a template argument: a store under a run-time condition kept the loop from vectorising at all.) LEAN: the
// generators read no real part of the own-row correlations (RZ's −iZ/2 is imaginary; RY's −iY/2 is off-diagonal),
// which are then not summed: fewer accumulators, none spilled.
template <class T, UKind K, bool GRAD, bool UPD, bool LEAN = false>
void batched_adjoint_groups(T* __restrict pr, T* __restrict pi, T* __restrict lr, T* __restrict li, unsigned B,
                            const batched_detail::Groups& g, index_t g0, index_t g1, const T* ur, const T* ui,
                            double* corr) {
  double acc[8] = {};
  const T u00r = ur[0], u01r = ur[1], u10r = ur[2], u11r = ur[3];
  const T u00i = ui[0], u01i = ui[1], u10i = ui[2], u11i = ui[3];
  for (index_t gi = g0; gi < g1; ++gi) {
    const index_t base = g.base(gi);
    const index_t o0 = (base + g.offset[0]) * B, o1 = (base + g.offset[1]) * B;
    T* __restrict a0r = pr + o0;
    T* __restrict a0i = pi + o0;
    T* __restrict a1r = pr + o1;
    T* __restrict a1i = pi + o1;
    T* __restrict l0r = lr + o0;
    T* __restrict l0i = li + o0;
    T* __restrict l1r = lr + o1;
    T* __restrict l1i = li + o1;
    T c00r = 0, c00i = 0, c01r = 0, c01i = 0, c10r = 0, c10i = 0, c11r = 0, c11i = 0;
#pragma omp simd reduction(+ : c00r, c00i, c01r, c01i, c10r, c10i, c11r, c11i)
    for (unsigned b = 0; b < B; ++b) {
      const T x0r = a0r[b], x0i = a0i[b], x1r = a1r[b], x1i = a1i[b];
      const T y0r = l0r[b], y0i = l0i[b], y1r = l1r[b], y1i = l1i[b];
      if constexpr (GRAD) {
        if constexpr (!LEAN) {
          c00r += y0r * x0r + y0i * x0i;
          c11r += y1r * x1r + y1i * x1i;
        }
        if constexpr (K != UKind::Real) {
          c00i += y0r * x0i - y0i * x0r;
          c11i += y1r * x1i - y1i * x1r;
        }
        if constexpr (K != UKind::Diag) {
          c01r += y0r * x1r + y0i * x1i;
          c10r += y1r * x0r + y1i * x0i;
          if constexpr (K != UKind::Real) {
            c01i += y0r * x1i - y0i * x1r;
            c10i += y1r * x0i - y1i * x0r;
          }
        }
      }
      if constexpr (K == UKind::Exchange) {
        a0r[b] = x1r, a0i[b] = x1i, a1r[b] = x0r, a1i[b] = x0i;
        if constexpr (UPD) l0r[b] = y1r, l0i[b] = y1i, l1r[b] = y0r, l1i[b] = y0i;
      } else if constexpr (K == UKind::Diag) {
        a0r[b] = u00r * x0r - u00i * x0i, a0i[b] = u00r * x0i + u00i * x0r;
        a1r[b] = u11r * x1r - u11i * x1i, a1i[b] = u11r * x1i + u11i * x1r;
        if constexpr (UPD) {
          l0r[b] = u00r * y0r - u00i * y0i, l0i[b] = u00r * y0i + u00i * y0r;
          l1r[b] = u11r * y1r - u11i * y1i, l1i[b] = u11r * y1i + u11i * y1r;
        }
      } else if constexpr (K == UKind::Real) {
        a0r[b] = u00r * x0r + u01r * x1r, a0i[b] = u00r * x0i + u01r * x1i;
        a1r[b] = u10r * x0r + u11r * x1r, a1i[b] = u10r * x0i + u11r * x1i;
        if constexpr (UPD) {
          l0r[b] = u00r * y0r + u01r * y1r, l0i[b] = u00r * y0i + u01r * y1i;
          l1r[b] = u10r * y0r + u11r * y1r, l1i[b] = u10r * y0i + u11r * y1i;
        }
      } else {
        a0r[b] = u00r * x0r - u00i * x0i + u01r * x1r - u01i * x1i;
        a0i[b] = u00r * x0i + u00i * x0r + u01r * x1i + u01i * x1r;
        a1r[b] = u10r * x0r - u10i * x0i + u11r * x1r - u11i * x1i;
        a1i[b] = u10r * x0i + u10i * x0r + u11r * x1i + u11i * x1r;
        if constexpr (UPD) {
          l0r[b] = u00r * y0r - u00i * y0i + u01r * y1r - u01i * y1i;
          l0i[b] = u00r * y0i + u00i * y0r + u01r * y1i + u01i * y1r;
          l1r[b] = u10r * y0r - u10i * y0i + u11r * y1r - u11i * y1i;
          l1i[b] = u10r * y0i + u10i * y0r + u11r * y1i + u11i * y1r;
        }
      }
    }
    acc[0] += c00r, acc[1] += c00i, acc[2] += c01r, acc[3] += c01i;
    acc[4] += c10r, acc[5] += c10i, acc[6] += c11r, acc[7] += c11i;
  }
  for (int e = 0; e < 8; ++e) corr[e] = acc[e];
}

namespace batched_detail {
// One register of T of the instruction set this unit is built for (AVX-512: 64 bytes, AVX2: 32, SSE2: 16), and as
// many doubles.
#if defined(__AVX512F__)
inline constexpr std::size_t kRegisterBytes = 64;
#elif defined(__AVX2__)
inline constexpr std::size_t kRegisterBytes = 32;
#else
inline constexpr std::size_t kRegisterBytes = 16;
#endif
template <class T>
struct Register;
template <>
struct Register<double> {
  typedef double type __attribute__((vector_size(kRegisterBytes)));
  typedef double wide __attribute__((vector_size(kRegisterBytes)));
};
template <>
struct Register<float> {
  typedef float type __attribute__((vector_size(kRegisterBytes)));
  typedef double wide __attribute__((vector_size(2 * kRegisterBytes)));
};
// A register's worth of T from q, and back (through memcpy: any alignment).
template <class V, class T>
V load_register(const T* q) {
  V v;
  std::memcpy(&v, q, sizeof v);
  return v;
}
template <class T, class V>
void store_register(T* q, V v) {
  std::memcpy(q, &v, sizeof v);
}

// The per-sample kernels' shared parts. Their loop: tiles of [g0, g1) whose rows of both states (about 128 KiB) stay
// in cache while every block of samples visits them; in each tile the samples in blocks of one register, then one at
// a time for the tail: block.template operator()<X, XD>(b, t0, t1, load, store), X a register of T (XD as many
// doubles) or T itself (XD double), with load and store for X.
template <class T, class Block>
void for_sample_blocks(unsigned B, index_t g0, index_t g1, Block& block) {
  using V = typename Register<T>::type;
  using VD = typename Register<T>::wide;
  constexpr unsigned W = sizeof(V) / sizeof(T);
  const index_t tile = std::max<index_t>(1, (index_t{1} << 14) / (B * sizeof(T)));
  for (index_t t0 = g0; t0 < g1; t0 += tile) {
    const index_t t1 = std::min(g1, t0 + tile);
    unsigned b = 0;
    for (; b + W <= B; b += W)
      block.template operator()<V, VD>(
          b, t0, t1, [](const T* q) { return load_register<V>(q); }, [](T* q, V v) { store_register(q, v); });
    for (; b < B; ++b)
      block.template operator()<T, double>(b, t0, t1, [](const T* q) { return *q; }, [](T* q, T v) { *q = v; });
  }
}

// A value of X as doubles (XD): per-sample correlations are summed in double.
template <class T, class X, class XD>
XD widen(X v) {
  if constexpr (std::is_same_v<X, T>) {
    return double(v);
  } else {
    return __builtin_convertvector(v, XD);
  }
}

// pc[e·B + b + w] += lane w of acc[e]: a block's correlations added to its samples' (one lane for the tail).
template <class XD, std::size_t E>
void add_sample_sums(double* __restrict pc, unsigned B, unsigned b, const std::array<XD, E>& acc) {
  constexpr unsigned L = sizeof(XD) / sizeof(double);
  for (std::size_t e = 0; e < E; ++e)
    for (unsigned w = 0; w < L; ++w) {
      if constexpr (L == 1) {
        pc[e * B + b] += acc[e];
      } else {
        pc[e * B + b + w] += acc[e][w];
      }
    }
}

// fn(lo, hi, part) over at most 64 super-chunks of [0, count) of fixed bounds (about 2^14 batched amplitudes each),
// each adding `width` per-sample sums to its own zeroed `part`; the parts added in chunk order (the result does not
// depend on the thread count). Returns the sums, valid until the next call on this thread.
template <class Fn>
const double* sum_super_chunks(index_t count, unsigned B, std::size_t width, std::uint64_t work_per_item, Fn&& fn) {
  const index_t supers = std::clamp<index_t>((count * B) >> 14, 1, std::min<index_t>(64, count));
  thread_local std::vector<double> partial;
  partial.assign(supers * width, 0.0);
  double* const part = partial.data();
  parallel_for(
      supers, [&](index_t s) { fn(count * s / supers, count * (s + 1) / supers, part + s * width); },
      (count / supers) * work_per_item);
  for (index_t s = 1; s < supers; ++s)
    for (std::size_t e = 0; e < width; ++e) part[e] += part[s * width + e];
  return part;
}
}  // namespace batched_detail

// batched_adjoint_groups with each sample's correlations kept apart (per-sample gradients): groups [g0, g1),
// pc[e·B + b] (added to) the correlation e of sample b, in the order of batched_adjoint_groups' corr. The samples go
// in blocks of one register, the outer loop: the block's correlations then stay in registers over every group
// (a loop over the batch inside would load and store B of each per group). K as in batched_adjoint_groups, always
// LEAN for Real and Diag (RY's and RZ's generators: two correlations each).
template <class T, UKind K, bool UPD>
void batched_adjoint_groups_per_sample(T* __restrict pr, T* __restrict pi, T* __restrict lr, T* __restrict li,
                                       unsigned B, const batched_detail::Groups& g, index_t g0, index_t g1,
                                       const T* ur, const T* ui, double* __restrict pc) {
  const T u00r = ur[0], u01r = ur[1], u10r = ur[2], u11r = ur[3];
  const T u00i = ui[0], u01i = ui[1], u10i = ui[2], u11i = ui[3];
  // One block of samples [b, b + L) (L = W: vectors; L = 1: the tail), as the same code on either.
  auto block = [&]<class X, class XD>(unsigned b, index_t t0, index_t t1, auto load, auto store) {
    XD c00r{}, c00i{}, c01r{}, c01i{}, c10r{}, c10i{}, c11r{}, c11i{};
    const auto wide = batched_detail::widen<T, X, XD>;
    for (index_t gi = t0; gi < t1; ++gi) {
      const index_t base = g.base(gi);
      const index_t o0 = (base + g.offset[0]) * B + b, o1 = (base + g.offset[1]) * B + b;
      const X x0r = load(pr + o0), x0i = load(pi + o0), x1r = load(pr + o1), x1i = load(pi + o1);
      const X y0r = load(lr + o0), y0i = load(li + o0), y1r = load(lr + o1), y1i = load(li + o1);
      if constexpr (K == UKind::Diag) {
        c00i += wide(y0r * x0i - y0i * x0r);
        c11i += wide(y1r * x1i - y1i * x1r);
        store(pr + o0, u00r * x0r - u00i * x0i), store(pi + o0, u00r * x0i + u00i * x0r);
        store(pr + o1, u11r * x1r - u11i * x1i), store(pi + o1, u11r * x1i + u11i * x1r);
        if constexpr (UPD) {
          store(lr + o0, u00r * y0r - u00i * y0i), store(li + o0, u00r * y0i + u00i * y0r);
          store(lr + o1, u11r * y1r - u11i * y1i), store(li + o1, u11r * y1i + u11i * y1r);
        }
      } else if constexpr (K == UKind::Real) {
        c01r += wide(y0r * x1r + y0i * x1i);
        c10r += wide(y1r * x0r + y1i * x0i);
        store(pr + o0, u00r * x0r + u01r * x1r), store(pi + o0, u00r * x0i + u01r * x1i);
        store(pr + o1, u10r * x0r + u11r * x1r), store(pi + o1, u10r * x0i + u11r * x1i);
        if constexpr (UPD) {
          store(lr + o0, u00r * y0r + u01r * y1r), store(li + o0, u00r * y0i + u01r * y1i);
          store(lr + o1, u10r * y0r + u11r * y1r), store(li + o1, u10r * y0i + u11r * y1i);
        }
      } else {
        c00r += wide(y0r * x0r + y0i * x0i), c00i += wide(y0r * x0i - y0i * x0r);
        c01r += wide(y0r * x1r + y0i * x1i), c01i += wide(y0r * x1i - y0i * x1r);
        c10r += wide(y1r * x0r + y1i * x0i), c10i += wide(y1r * x0i - y1i * x0r);
        c11r += wide(y1r * x1r + y1i * x1i), c11i += wide(y1r * x1i - y1i * x1r);
        store(pr + o0, u00r * x0r - u00i * x0i + u01r * x1r - u01i * x1i);
        store(pi + o0, u00r * x0i + u00i * x0r + u01r * x1i + u01i * x1r);
        store(pr + o1, u10r * x0r - u10i * x0i + u11r * x1r - u11i * x1i);
        store(pi + o1, u10r * x0i + u10i * x0r + u11r * x1i + u11i * x1r);
        if constexpr (UPD) {
          store(lr + o0, u00r * y0r - u00i * y0i + u01r * y1r - u01i * y1i);
          store(li + o0, u00r * y0i + u00i * y0r + u01r * y1i + u01i * y1r);
          store(lr + o1, u10r * y0r - u10i * y0i + u11r * y1r - u11i * y1i);
          store(li + o1, u10r * y0i + u10i * y0r + u11r * y1i + u11i * y1r);
        }
      }
    }
    batched_detail::add_sample_sums(pc, B, b, std::array<XD, 8>{c00r, c00i, c01r, c01i, c10r, c10i, c11r, c11i});
  };
  batched_detail::for_sample_blocks<T>(B, g0, g1, block);
}

// kernels::batched_adjoint_step with per_sample: the groups in at most 64 super-chunks of fixed bounds, each with its
// own 8 × B correlations, added in chunk order (the result does not depend on the thread count); then each sample's
// Re⟨λ_b|G_p|φ_b⟩ and their sum.
template <class T>
void batched_adjoint_step_per_sample(T* phi_re, T* phi_im, T* lam_re, T* lam_im, unsigned B,
                                     const batched_detail::Groups& g, AdjointStep& st, const T* ur, const T* ui,
                                     double* per_sample) {
  using Fn = void (*)(T*, T*, T*, T*, unsigned, const batched_detail::Groups&, index_t, index_t, const T*, const T*,
                      double*);
  // Real and Diag when U† and every generator are (RY-like and RZ-like steps), the generators' own-row (Real) or
  // off-diagonal (Diag) correlations then unused.
  bool real = true, diag = st.u_dag[1] == cplx(0) && st.u_dag[2] == cplx(0);
  for (const cplx& u : st.u_dag) real = real && u.imag() == 0;
  for (unsigned p = 0; p < st.num_generators; ++p) {
    const auto& m = st.generators[p];
    for (const cplx& e : m) real = real && e.imag() == 0;
    real = real && m[0] == cplx(0) && m[3] == cplx(0);
    diag = diag && m[1] == cplx(0) && m[2] == cplx(0) && m[0].real() == 0 && m[3].real() == 0;
  }
  auto pick = [&]<bool UPD>() -> Fn {
    return real   ? batched_adjoint_groups_per_sample<T, UKind::Real, UPD>
           : diag ? batched_adjoint_groups_per_sample<T, UKind::Diag, UPD>
                  : batched_adjoint_groups_per_sample<T, UKind::Dense, UPD>;
  };
  const Fn fn = st.update_lambda ? pick.template operator()<true>() : pick.template operator()<false>();
  const double* const part = batched_detail::sum_super_chunks(
      g.count, B, 8 * std::size_t{B}, std::uint64_t{B} * 4,
      [&](index_t lo, index_t hi, double* sums) { fn(phi_re, phi_im, lam_re, lam_im, B, g, lo, hi, ur, ui, sums); });
  for (unsigned p = 0; p < st.num_generators; ++p) {
    double total = 0;
    for (unsigned b = 0; b < B; ++b) {
      double v = 0;
      for (std::size_t e = 0; e < 4; ++e)
        v += st.generators[p][e].real() * part[2 * e * B + b] - st.generators[p][e].imag() * part[(2 * e + 1) * B + b];
      per_sample[p * B + b] = v;
      total += v;
    }
    st.sums[p] = total;
  }
}

template <class T>
void batched_adjoint_step_impl(T* phi_re, T* phi_im, T* lam_re, T* lam_im, unsigned n, unsigned B,
                               AdjointStep& st, double* per_sample) {
  using namespace batched_detail;
  const unsigned target[1] = {st.target};
  const Groups g = make_groups(n, target, std::span<const unsigned>(st.controls.data(), st.num_controls));
  T ur[4], ui[4];
  bool real = true, diagonal = st.u_dag[1] == cplx(0) && st.u_dag[2] == cplx(0);
  for (int e = 0; e < 4; ++e) {
    ur[e] = T(st.u_dag[e].real());
    ui[e] = T(st.u_dag[e].imag());
    real = real && st.u_dag[e].imag() == 0;
  }
  for (unsigned p = 0; p < st.num_generators; ++p) {
    const auto& m = st.generators[p];
    for (int e = 0; e < 4; ++e) real = real && m[e].imag() == 0;
    diagonal = diagonal && m[1] == cplx(0) && m[2] == cplx(0);
  }
  if (per_sample != nullptr && st.num_generators > 0) {
    batched_adjoint_step_per_sample<T>(phi_re, phi_im, lam_re, lam_im, B, g, st, ur, ui, per_sample);
    return;
  }
  const bool exchange = st.num_generators == 0 && st.u_dag[0] == cplx(0) && st.u_dag[1] == cplx(1) &&
                        st.u_dag[2] == cplx(1) && st.u_dag[3] == cplx(0);
  using Fn = void (*)(T*, T*, T*, T*, unsigned, const Groups&, index_t, index_t, const T*, const T*, double*);
  const bool grad = st.num_generators > 0;
  // LEAN: no generator has a real part on its diagonal (see batched_adjoint_groups).
  bool lean = grad;
  for (unsigned p = 0; p < st.num_generators; ++p)
    lean = lean && st.generators[p][0].real() == 0 && st.generators[p][3].real() == 0;
  auto pick = [&]<bool UPD>() -> Fn {
    if (lean && diagonal) return batched_adjoint_groups<T, UKind::Diag, true, UPD, true>;
    if (lean && real) return batched_adjoint_groups<T, UKind::Real, true, UPD, true>;
    return exchange             ? batched_adjoint_groups<T, UKind::Exchange, false, UPD>
           : diagonal && grad   ? batched_adjoint_groups<T, UKind::Diag, true, UPD>
           : diagonal           ? batched_adjoint_groups<T, UKind::Diag, false, UPD>
           : real && grad       ? batched_adjoint_groups<T, UKind::Real, true, UPD>
           : real               ? batched_adjoint_groups<T, UKind::Real, false, UPD>
           : grad               ? batched_adjoint_groups<T, UKind::Dense, true, UPD>
                                : batched_adjoint_groups<T, UKind::Dense, false, UPD>;
  };
  const Fn fn = st.update_lambda ? pick.template operator()<true>() : pick.template operator()<false>();
  // Fixed chunks of groups, their correlations added in chunk order: independent of the thread count.
  const index_t chunk = std::max<index_t>(1, 2048 / B);
  const index_t chunks = (g.count + chunk - 1) / chunk;
  thread_local std::vector<double> partial;
  partial.assign(chunks * 8, 0.0);
  double* const part = partial.data();
  parallel_for(
      chunks,
      [&](index_t c) {
        fn(phi_re, phi_im, lam_re, lam_im, B, g, c * chunk, std::min(g.count, (c + 1) * chunk), ur, ui, part + c * 8);
      },
      chunk * B * 4);
  double corr[8] = {};
  for (index_t c = 0; c < chunks; ++c)
    for (int e = 0; e < 8; ++e) corr[e] += part[c * 8 + e];
  for (unsigned p = 0; p < st.num_generators; ++p) {
    double s = 0;
    for (int e = 0; e < 4; ++e) s += st.generators[p][e].real() * corr[2 * e] - st.generators[p][e].imag() * corr[2 * e + 1];
    st.sums[p] = s;
  }
}

// The rows of quad g for two gates on the qubits of row offsets oa and ob (powers of two): base(g) has zeros at both
// bits, and the quad is base, base + oa, base + ob, base + oa + ob. Shared by the batched two-gate kernels.
struct Quads {
  unsigned lo, hi;
  Quads(index_t oa, index_t ob)
      : lo(static_cast<unsigned>(std::countr_zero(std::min(oa, ob)))),
        hi(static_cast<unsigned>(std::countr_zero(std::max(oa, ob)))) {}
  [[nodiscard]] index_t base(index_t g) const { return insert_zero_bit(insert_zero_bit(g, lo), hi); }
};

// kernels::batched_real_pair on one plane (real or imaginary parts: real matrices never mix them), quads [g0, g1) of
// rows r0 = base, r1 = base + oa, r2 = base + ob, r3 = base + oa + ob. PA, PB: the matrix is per sample (entry e of
// sample b at m[e·B + b]) rather than shared (at m[e]).
template <class T, bool PA, bool PB>
void batched_real_pair_apply_rows(T* __restrict p, unsigned B, index_t oa, index_t ob, index_t g0, index_t g1,
                                  const T* __restrict ma, const T* __restrict mb) {
  const Quads quads(oa, ob);
  const std::size_t sa = PA ? B : 1, sb = PB ? B : 1;
  for (index_t g = g0; g < g1; ++g) {
    const index_t base = quads.base(g);
    T* __restrict p0 = p + base * B;
    T* __restrict p1 = p + (base + oa) * B;
    T* __restrict p2 = p + (base + ob) * B;
    T* __restrict p3 = p + (base + oa + ob) * B;
#pragma omp simd
    for (unsigned b = 0; b < B; ++b) {
      const std::size_t ka = PA ? b : 0, kb = PB ? b : 0;
      const T a00 = ma[ka], a01 = ma[sa + ka], a10 = ma[2 * sa + ka], a11 = ma[3 * sa + ka];
      const T b00 = mb[kb], b01 = mb[sb + kb], b10 = mb[2 * sb + kb], b11 = mb[3 * sb + kb];
      const T x0 = p0[b], x1 = p1[b], x2 = p2[b], x3 = p3[b];
      const T u0 = a00 * x0 + a01 * x1, u1 = a10 * x0 + a11 * x1, u2 = a00 * x2 + a01 * x3, u3 = a10 * x2 + a11 * x3;
      p0[b] = b00 * u0 + b01 * u2, p2[b] = b10 * u0 + b11 * u2;
      p1[b] = b00 * u1 + b01 * u3, p3[b] = b10 * u1 + b11 * u3;
    }
  }
}

template <class T>
void batched_real_pair_impl(T* re, T* im, unsigned n, unsigned B, unsigned qa, const T* ma, bool pa, unsigned qb,
                            const T* mb, bool pb) {
  using Fn = void (*)(T*, unsigned, index_t, index_t, index_t, index_t, const T*, const T*);
  const Fn fn = pa   ? (pb ? batched_real_pair_apply_rows<T, true, true> : batched_real_pair_apply_rows<T, true, false>)
                : pb ? batched_real_pair_apply_rows<T, false, true>
                     : batched_real_pair_apply_rows<T, false, false>;
  const index_t oa = index_t{1} << qa, ob = index_t{1} << qb;
  const index_t num_quads = (index_t{1} << n) >> 2;
  const index_t chunk = std::max<index_t>(1, 1024 / B);
  parallel_for(
      (num_quads + chunk - 1) / chunk,
      [&](index_t c) {
        const index_t g1 = std::min(num_quads, (c + 1) * chunk);
        fn(re, B, oa, ob, c * chunk, g1, ma, mb);
        fn(im, B, oa, ob, c * chunk, g1, ma, mb);
      },
      chunk * B * 8);
}

// kernels::batched_adjoint_pair: two RY steps (U† a rotation [[c, s], [−s, c]], real generators with a zero
// diagonal, no controls) on rows r0 = base, r1 = base + oa, r2 = base + ob, r3 = base + oa + ob (oa, ob: 2^target of
// the first and the second step), quads [g0, g1), of one plane (the real parts of φ and λ, or the imaginary parts: a
// real U† and real generators never mix them, and eight streams of both planes at once spilled every pointer and
// accumulator). The first step's correlations (pairs (r0, r1), (r2, r3)) and U† on both states, then the second's
// (pairs (r0, r2), (r1, r3)), with every value in registers between them: each row is read and written once for
// both steps. corr (added to): the first step's Σ λ_0·φ_1, Σ λ_1·φ_0, then the second's.
//
// Each U† is applied as three shears (x0 −= t·x1, x1 += σ·x0, x0 −= t·x1, with t the tangent of half the rotation's
// angle and σ its sine): three FMAs per pair of rows where the matrix product takes four, a fifth fewer operations in
// all (the pass is bound by its loads and stores more than by these). The angle is kept within a quarter turn
// (|t| ≤ 1) by applying −U† where c < 0: both states change sign, which the correlations of this step and every later
// one, products of one value from each state, do not see.
template <class T>
void batched_rotation_pair_rows(T* __restrict p, T* __restrict l, unsigned B, index_t oa, index_t ob, index_t g0,
                                index_t g1, T ta, T sa, T tb, T sb, double* corr) {
  using V = typename batched_detail::Register<T>::type;
  using VD = typename batched_detail::Register<T>::wide;
  constexpr unsigned W = sizeof(V) / sizeof(T);
  const unsigned full = B - B % W;
  const Quads quads(oa, ob);
  // The correlations lane by lane, in registers over every quad (a quad's in T, then added in double): a sum over
  // the batch per quad, in the loop, took a quarter of this kernel's time (Intel Xeon, AVX-512, 10 qubits, B = 32).
  VD w1a{}, w1b{}, w2a{}, w2b{};
  double s1a = 0, s1b = 0, s2a = 0, s2b = 0;  // the samples past the last whole register
  const auto load = batched_detail::load_register<V, T>;
  const auto store = batched_detail::store_register<T, V>;
  // Both steps on one value of each of the quad's rows: X a register of T or T itself.
  auto steps = [&](auto& x0, auto& x1, auto& x2, auto& x3, auto& y0, auto& y1, auto& y2, auto& y3, auto& c1a,
                   auto& c1b, auto& c2a, auto& c2b) {
    c1a += y0 * x1 + y2 * x3;
    c1b += y1 * x0 + y3 * x2;
    x0 -= ta * x1, x2 -= ta * x3, y0 -= ta * y1, y2 -= ta * y3;
    x1 += sa * x0, x3 += sa * x2, y1 += sa * y0, y3 += sa * y2;
    x0 -= ta * x1, x2 -= ta * x3, y0 -= ta * y1, y2 -= ta * y3;
    c2a += y0 * x2 + y1 * x3;
    c2b += y2 * x0 + y3 * x1;
    x0 -= tb * x2, x1 -= tb * x3, y0 -= tb * y2, y1 -= tb * y3;
    x2 += sb * x0, x3 += sb * x1, y2 += sb * y0, y3 += sb * y1;
    x0 -= tb * x2, x1 -= tb * x3, y0 -= tb * y2, y1 -= tb * y3;
  };
  for (index_t g = g0; g < g1; ++g) {
    const index_t base = quads.base(g);
    T* __restrict p0 = p + base * B;
    T* __restrict p1 = p + (base + oa) * B;
    T* __restrict p2 = p + (base + ob) * B;
    T* __restrict p3 = p + (base + oa + ob) * B;
    T* __restrict l0 = l + base * B;
    T* __restrict l1 = l + (base + oa) * B;
    T* __restrict l2 = l + (base + ob) * B;
    T* __restrict l3 = l + (base + oa + ob) * B;
    V c1a{}, c1b{}, c2a{}, c2b{};
    for (unsigned b = 0; b < full; b += W) {
      V x0 = load(p0 + b), x1 = load(p1 + b), x2 = load(p2 + b), x3 = load(p3 + b);
      V y0 = load(l0 + b), y1 = load(l1 + b), y2 = load(l2 + b), y3 = load(l3 + b);
      steps(x0, x1, x2, x3, y0, y1, y2, y3, c1a, c1b, c2a, c2b);
      store(p0 + b, x0), store(p1 + b, x1), store(p2 + b, x2), store(p3 + b, x3);
      store(l0 + b, y0), store(l1 + b, y1), store(l2 + b, y2), store(l3 + b, y3);
    }
    const auto wide = batched_detail::widen<T, V, VD>;
    w1a += wide(c1a), w1b += wide(c1b), w2a += wide(c2a), w2b += wide(c2b);
    for (unsigned b = full; b < B; ++b) {
      T t1a = 0, t1b = 0, t2a = 0, t2b = 0;
      steps(p0[b], p1[b], p2[b], p3[b], l0[b], l1[b], l2[b], l3[b], t1a, t1b, t2a, t2b);
      s1a += t1a, s1b += t1b, s2a += t2a, s2b += t2b;
    }
  }
  constexpr unsigned L = sizeof(VD) / sizeof(double);
  for (unsigned w = 0; w < L; ++w) s1a += w1a[w], s1b += w1b[w], s2a += w2a[w], s2b += w2b[w];
  corr[0] += s1a, corr[1] += s1b, corr[2] += s2a, corr[3] += s2b;
}

// batched_rotation_pair_rows with each sample's correlations kept apart: pc[e·B + b] (added to) correlation e of sample
// b, e in the order of corr there. As batched_adjoint_groups_per_sample: the samples in blocks of one register in the
// outer loop, the block's four correlations in registers over a tile of quads whose rows stay in cache while every
// block visits them.
template <class T>
void batched_rotation_pair_rows_per_sample(T* __restrict p, T* __restrict l, unsigned B, index_t oa, index_t ob,
                                           index_t g0, index_t g1, T ta, T sa, T tb, T sb, double* __restrict pc) {
  const Quads quads(oa, ob);
  auto block = [&]<class X, class XD>(unsigned b, index_t t0, index_t t1, auto load, auto store) {
    XD c1a{}, c1b{}, c2a{}, c2b{};
    const auto wide = batched_detail::widen<T, X, XD>;
    for (index_t g = t0; g < t1; ++g) {
      const index_t base = quads.base(g);
      const index_t o0 = base * B + b, o1 = (base + oa) * B + b, o2 = (base + ob) * B + b,
                    o3 = (base + oa + ob) * B + b;
      X x0 = load(p + o0), x1 = load(p + o1), x2 = load(p + o2), x3 = load(p + o3);
      X y0 = load(l + o0), y1 = load(l + o1), y2 = load(l + o2), y3 = load(l + o3);
      c1a += wide(y0 * x1 + y2 * x3);
      c1b += wide(y1 * x0 + y3 * x2);
      x0 -= ta * x1, x2 -= ta * x3, y0 -= ta * y1, y2 -= ta * y3;
      x1 += sa * x0, x3 += sa * x2, y1 += sa * y0, y3 += sa * y2;
      x0 -= ta * x1, x2 -= ta * x3, y0 -= ta * y1, y2 -= ta * y3;
      c2a += wide(y0 * x2 + y1 * x3);
      c2b += wide(y2 * x0 + y3 * x1);
      x0 -= tb * x2, x1 -= tb * x3, y0 -= tb * y2, y1 -= tb * y3;
      x2 += sb * x0, x3 += sb * x1, y2 += sb * y0, y3 += sb * y1;
      x0 -= tb * x2, x1 -= tb * x3, y0 -= tb * y2, y1 -= tb * y3;
      store(p + o0, x0), store(p + o1, x1), store(p + o2, x2), store(p + o3, x3);
      store(l + o0, y0), store(l + o1, y1), store(l + o2, y2), store(l + o3, y3);
    }
    batched_detail::add_sample_sums(pc, B, b, std::array<XD, 4>{c1a, c1b, c2a, c2b});
  };
  batched_detail::for_sample_blocks<T>(B, g0, g1, block);
}

template <class T>
bool batched_adjoint_pair_impl(T* phi_re, T* phi_im, T* lam_re, T* lam_im, unsigned n, unsigned B,
                               AdjointStep& first, AdjointStep& second, double* per_sample) {
  auto ry_like = [](const AdjointStep& st) {
    if (st.num_controls != 0 || st.num_generators == 0) return false;
    for (const cplx& u : st.u_dag)
      if (u.imag() != 0) return false;
    for (unsigned p = 0; p < st.num_generators; ++p) {
      const auto& m = st.generators[p];
      for (const cplx& e : m)
        if (e.imag() != 0) return false;
      if (m[0].real() != 0 || m[3].real() != 0) return false;
    }
    return true;
  };
  if (first.target == second.target || !ry_like(first) || !ry_like(second)) return false;
  // U† = R(φ) = [[cos φ, −sin φ], [sin φ, cos φ]] as shears: t = tan(φ/2) = sin φ / (1 + cos φ), σ = sin φ; −U† where
  // cos φ < 0.
  auto shears = [](const AdjointStep& st, T& t, T& sigma) {
    const cplx* u = st.u_dag.data();
    if (u[0] != u[3] || u[1] != -u[2]) return false;
    double c = u[0].real(), s = -u[1].real();
    if (adjoint_pair_negates(st)) c = -c, s = -s;
    t = static_cast<T>(s / (1.0 + c));
    sigma = static_cast<T>(s);
    return true;
  };
  T ta, sa, tb, sb;
  if (!shears(first, ta, sa) || !shears(second, tb, sb)) return false;
  const index_t oa = index_t{1} << first.target, ob = index_t{1} << second.target;
  const index_t num_quads = (index_t{1} << n) >> 2;
  if (per_sample != nullptr) {
    // Each sample's four correlations (both planes), then its sums: first's rows, then second's.
    const double* const part = batched_detail::sum_super_chunks(
        num_quads, B, 4 * std::size_t{B}, std::uint64_t{B} * 8, [&](index_t q0, index_t q1, double* sums) {
          batched_rotation_pair_rows_per_sample<T>(phi_re, lam_re, B, oa, ob, q0, q1, ta, sa, tb, sb, sums);
          batched_rotation_pair_rows_per_sample<T>(phi_im, lam_im, B, oa, ob, q0, q1, ta, sa, tb, sb, sums);
        });
    double* rows = per_sample;
    for (AdjointStep* st : {&first, &second}) {
      const double* c0 = part + (st == &first ? 0 : 2 * std::size_t{B});
      for (unsigned p = 0; p < st->num_generators; ++p, rows += B) {
        const double g1 = st->generators[p][1].real(), g2 = st->generators[p][2].real();
        double total = 0;
        for (unsigned b = 0; b < B; ++b) total += rows[b] = g1 * c0[b] + g2 * c0[B + b];
        st->sums[p] = total;
      }
    }
    return true;
  }
  // Fixed chunks of quads, their correlations added in chunk order: independent of the thread count.
  const index_t chunk = std::max<index_t>(1, 1024 / B);
  const index_t chunks = (num_quads + chunk - 1) / chunk;
  thread_local std::vector<double> partial;
  partial.assign(chunks * 4, 0.0);
  double* const part = partial.data();
  parallel_for(
      chunks,
      [&](index_t c) {
        const index_t g1 = std::min(num_quads, (c + 1) * chunk);
        batched_rotation_pair_rows<T>(phi_re, lam_re, B, oa, ob, c * chunk, g1, ta, sa, tb, sb, part + c * 4);
        batched_rotation_pair_rows<T>(phi_im, lam_im, B, oa, ob, c * chunk, g1, ta, sa, tb, sb, part + c * 4);
      },
      chunk * B * 8);
  double corr[4] = {};
  for (index_t c = 0; c < chunks; ++c)
    for (int e = 0; e < 4; ++e) corr[e] += part[c * 4 + e];
  for (unsigned p = 0; p < first.num_generators; ++p)
    first.sums[p] = first.generators[p][1].real() * corr[0] + first.generators[p][2].real() * corr[1];
  for (unsigned p = 0; p < second.num_generators; ++p)
    second.sums[p] = second.generators[p][1].real() * corr[2] + second.generators[p][2].real() * corr[3];
  return true;
}

// kernels::batched_diagonal_pass: rows i = hb·2^k + j of B samples, d = lo[j]·hi[hb] on each; c(i) = Σ_b Im(conj λ·φ)
// first. Blocks of rows in fixed super-chunks (at most 8), each with its own low sums, added in chunk order.
template <class T, bool LAM, bool GRAD>
void batched_diagonal_rows(T* __restrict pr, T* __restrict pi, T* __restrict lr, T* __restrict li, unsigned B,
                           const cplx* lo, const cplx* hi, index_t nlo, index_t h0, index_t h1, double* lo_out,
                           double* hi_out) {
  for (index_t hb = h0; hb < h1; ++hb) {
    double hsum = 0;
    for (index_t j = 0; j < nlo; ++j) {
      const cplx d = lo[j] * hi[hb];
      const T dr = static_cast<T>(d.real()), di = static_cast<T>(d.imag());
      const index_t at = (hb * nlo + j) * B;
      T* const ar = pr + at;
      T* const ai = pi + at;
      if constexpr (LAM) {
        T* const br = lr + at;
        T* const bi = li + at;
        if constexpr (GRAD) {
          T c = 0;
#pragma omp simd reduction(+ : c)
          for (unsigned b = 0; b < B; ++b) c += br[b] * ai[b] - bi[b] * ar[b];
          lo_out[j] += static_cast<double>(c);
          hsum += static_cast<double>(c);
        }
        batched_detail::phase_row(br, bi, br, bi, B, dr, di);
      }
      batched_detail::phase_row(ar, ai, ar, ai, B, dr, di);
    }
    if constexpr (GRAD) hi_out[hb] = hsum;
  }
}

template <class T>
void batched_diagonal_pass_impl(T* pr, T* pi, T* lr, T* li, unsigned n, unsigned B, const DiagonalPass& dp) {
  const unsigned k = dp.low_qubits;
  const index_t nlo = index_t{1} << k, nhi = index_t{1} << (n - k);
  const bool grad = !dp.corr_lo.empty() && lr != nullptr;
  const index_t supers = std::min<index_t>(nhi, 8), per = nhi / supers;
  thread_local std::vector<double> partial;
  partial.assign(grad ? supers * nlo : 0, 0.0);
  double* const part = partial.data();
  const cplx* const lo = dp.lo.data();
  const cplx* const hi = dp.hi.data();
  double* const hi_out = dp.corr_hi.data();
  parallel_for(
      supers,
      [&](index_t sc) {
        const index_t h0 = sc * per, h1 = h0 + per;
        if (grad) {
          batched_diagonal_rows<T, true, true>(pr, pi, lr, li, B, lo, hi, nlo, h0, h1, part + sc * nlo, hi_out);
        } else if (lr) {
          batched_diagonal_rows<T, true, false>(pr, pi, lr, li, B, lo, hi, nlo, h0, h1, nullptr, nullptr);
        } else {
          batched_diagonal_rows<T, false, false>(pr, pi, lr, li, B, lo, hi, nlo, h0, h1, nullptr, nullptr);
        }
      },
      per * nlo * B * (lr ? 2 : 1));
  if (!grad) return;
  for (index_t j = 0; j < nlo; ++j) {
    double s = 0;
    for (index_t sc = 0; sc < supers; ++sc) s += part[sc * nlo + j];
    dp.corr_lo[j] = s;
  }
}

// kernels::batched_product_state: row i of sample b is Π_q v_q[bit q of i], from a table of the low k = n/2 qubits'
// products and one of the high qubits', each built by doubling; one write of the state.
template <class T>
void batched_product_state_impl(T* re, T* im, unsigned n, unsigned B, const T* vr, const T* vi) {
  const unsigned k = n / 2;
  thread_local std::vector<T> tabs;
  const std::size_t lo_rows = std::size_t{1} << k, hi_rows = std::size_t{1} << (n - k);
  tabs.resize(2 * (lo_rows + hi_rows) * B);
  T* const lr = tabs.data();
  T* const li = lr + lo_rows * B;
  T* const hr = li + lo_rows * B;
  T* const hi = hr + hi_rows * B;
  auto build = [&](T* __restrict tr, T* __restrict ti, unsigned q0, unsigned bits) {
    for (unsigned b = 0; b < B; ++b) {
      tr[b] = T(1);
      ti[b] = T(0);
    }
    for (unsigned q = 0; q < bits; ++q) {
      const std::size_t h = std::size_t{1} << q;
      const T* const ar = vr + std::size_t{2 * (q0 + q)} * B;
      const T* const ai = vi + std::size_t{2 * (q0 + q)} * B;
      const T* const br = ar + B;
      const T* const bi = ai + B;
      for (std::size_t j = 0; j < h; ++j) {
        T* const xr = tr + j * B;
        T* const xi = ti + j * B;
        T* const yr = tr + (j + h) * B;
        T* const yi = ti + (j + h) * B;
#pragma omp simd
        for (unsigned b = 0; b < B; ++b) {
          const T r = xr[b], m = xi[b];
          yr[b] = r * br[b] - m * bi[b];
          yi[b] = r * bi[b] + m * br[b];
          xr[b] = r * ar[b] - m * ai[b];
          xi[b] = r * ai[b] + m * ar[b];
        }
      }
    }
  };
  build(lr, li, 0, k);
  build(hr, hi, k, n - k);
  parallel_for(
      static_cast<index_t>(hi_rows),
      [=](index_t h) {
        const T* const ur = hr + h * B;
        const T* const ui = hi + h * B;
        for (std::size_t j = 0; j < lo_rows; ++j) {
          const std::size_t at = (h * lo_rows + j) * B;
          T* __restrict const orr = re + at;
          T* __restrict const oi = im + at;
          const T* const xr = lr + j * B;
          const T* const xi = li + j * B;
#pragma omp simd
          for (unsigned b = 0; b < B; ++b) {
            orr[b] = xr[b] * ur[b] - xi[b] * ui[b];
            oi[b] = xr[b] * ui[b] + xi[b] * ur[b];
          }
        }
      },
      static_cast<index_t>(lo_rows * B));
}

// kernels::batched_product_contract: each row block h of λ read once, adding to the low sums (in the chunk's own
// partial) and to h's high sum.
template <class T>
void batched_product_contract_impl(const T* lr, const T* li, unsigned n, unsigned B, unsigned k, const double* alr,
                                   const double* ali, const double* ahr, const double* ahi, double* tlr, double* tli,
                                   double* thr, double* thi) {
  const index_t nlo = index_t{1} << k, nhi = index_t{1} << (n - k);
  // Blocks of rows h in at most 8 fixed super-chunks, each with its own low sums, added in chunk order; each high
  // sum is one block's alone.
  const index_t supers = std::min<index_t>(nhi, 8), per = nhi / supers;
  const std::size_t lo_size = nlo * std::size_t{B};
  thread_local std::vector<double> partial;
  partial.assign(supers * 2 * lo_size, 0.0);
  double* const part = partial.data();
  parallel_for(
      supers,
      [&](index_t sc) {
        double* __restrict pr = part + sc * 2 * lo_size;
        double* __restrict pi = pr + lo_size;
        for (index_t h = sc * per; h < (sc + 1) * per; ++h) {
          double* __restrict hr = thr + h * B;
          double* __restrict hi = thi + h * B;
          const double* __restrict wr = ahr + h * B;
          const double* __restrict wi = ahi + h * B;
          std::fill_n(hr, B, 0.0);
          std::fill_n(hi, B, 0.0);
          for (index_t l = 0; l < nlo; ++l) {
            const T* __restrict xr = lr + (h * nlo + l) * B;
            const T* __restrict xi = li + (h * nlo + l) * B;
            const double* __restrict vr = alr + l * B;
            const double* __restrict vi = ali + l * B;
            double* __restrict sr = pr + l * B;
            double* __restrict si = pi + l * B;
#pragma omp simd
            for (unsigned b = 0; b < B; ++b) {
              const double cr = xr[b], ci = -double(xi[b]);  // conj(λ)
              sr[b] += cr * wr[b] - ci * wi[b];
              si[b] += cr * wi[b] + ci * wr[b];
              hr[b] += cr * vr[b] - ci * vi[b];
              hi[b] += cr * vi[b] + ci * vr[b];
            }
          }
        }
      },
      per * nlo * B);
  for (std::size_t e = 0; e < lo_size; ++e) {
    double r = 0, m = 0;
    for (index_t sc = 0; sc < supers; ++sc) {
      r += part[sc * 2 * lo_size + e];
      m += part[sc * 2 * lo_size + lo_size + e];
    }
    tlr[e] = r;
    tli[e] = m;
  }
}

// kernels::batched_permute_phase: the cycles of the map one after another (threads take whole cycles), each in
// place: its first row saved, then each row filled from the next one (which is read before its own turn comes), the
// last from the saved copy. Each row is read once and written once, with no second state to write into.
template <class T>
void batched_permute_phase_impl(T* pr, T* pi, T* lr, T* li, unsigned n, unsigned B, const index_t* rows,
                                const index_t* starts, index_t cycles, const cplx* d, double* corr) {
  const bool lam = lr != nullptr;
  // x ← ph·a (φ's row), and with λ y ← ph·b (λ's row) and *c_out = Σ_b Im(conj λ·φ) of the rows read.
  auto move = [B, lam](const T* __restrict ar, const T* __restrict ai, const T* __restrict br,
                       const T* __restrict bi, T* __restrict xr, T* __restrict xi, T* __restrict yr,
                       T* __restrict yi, cplx ph, double* c_out) {
    const T dr = static_cast<T>(ph.real()), di = static_cast<T>(ph.imag());
    if (!lam) {
      batched_detail::phase_row(ar, ai, xr, xi, B, dr, di);
      return;
    }
    T c = 0;
#pragma omp simd reduction(+ : c)
    for (unsigned b = 0; b < B; ++b) {
      const T r = ar[b], m = ai[b], s = br[b], t = bi[b];
      c += s * m - t * r;
      xr[b] = dr * r - di * m;
      xi[b] = dr * m + di * r;
      yr[b] = dr * s - di * t;
      yi[b] = dr * t + di * s;
    }
    *c_out = static_cast<double>(c);
  };
  const index_t size = index_t{1} << n;
  parallel_for(
      cycles,
      [=](index_t cy) {
        thread_local std::vector<T> saved;
        saved.resize(4 * std::size_t{B});
        T* const sr = saved.data();
        T* const si = sr + B;
        T* const tr = si + B;
        T* const ti = tr + B;
        const index_t a = starts[cy], e = starts[cy + 1], j0 = rows[a];
        std::copy(pr + j0 * B, pr + (j0 + 1) * B, sr);
        std::copy(pi + j0 * B, pi + (j0 + 1) * B, si);
        if (lam) {
          std::copy(lr + j0 * B, lr + (j0 + 1) * B, tr);
          std::copy(li + j0 * B, li + (j0 + 1) * B, ti);
        }
        for (index_t k = a; k < e; ++k) {
          const index_t j = rows[k], at = j * B;
          const bool last = k + 1 == e;
          const index_t from = last ? j0 : rows[k + 1], f = from * B;
          double c = 0;
          if (last) {
            move(sr, si, tr, ti, pr + at, pi + at, lam ? lr + at : nullptr, lam ? li + at : nullptr, d[j], &c);
          } else {
            move(pr + f, pi + f, lam ? lr + f : nullptr, lam ? li + f : nullptr, pr + at, pi + at,
                 lam ? lr + at : nullptr, lam ? li + at : nullptr, d[j], &c);
          }
          if (lam) corr[from] = c;
        }
      },
      std::max<index_t>(1, size / std::max<index_t>(cycles, 1)) * B * (lam ? 2 : 1));
}

#define QNN_BATCHED_INSTANTIATE(T)                                                                                   \
  template void batched_apply_shared_impl<T>(T*, T*, unsigned, unsigned, std::span<const unsigned>,                \
                                             std::span<const cplx>, std::span<const unsigned>);                     \
  template void batched_apply_per_sample_impl<T>(T*, T*, unsigned, unsigned, std::span<const unsigned>,            \
                                                 std::span<const cplx>, std::span<const unsigned>);                 \
  template void batched_expectation_impl<T>(const T*, const T*, unsigned, unsigned, index_t, index_t, unsigned,    \
                                            double*);                                                               \
  template void batched_add_pauli_impl<T>(const T*, const T*, T*, T*, unsigned, unsigned, index_t, index_t,        \
                                          unsigned, const double*, bool);                                           \
  template void batched_matrix_element_impl<T>(const T*, const T*, const T*, const T*, unsigned, unsigned,         \
                                               std::span<const unsigned>, std::span<const cplx>, bool,              \
                                               std::span<const unsigned>, cplx*);                                  \
  template void batched_adjoint_step_impl<T>(T*, T*, T*, T*, unsigned, unsigned, AdjointStep&, double*);       \
  template bool batched_adjoint_pair_impl<T>(T*, T*, T*, T*, unsigned, unsigned, AdjointStep&, AdjointStep&,     \
                                             double*);                                                          \
  template void batched_real_pair_impl<T>(T*, T*, unsigned, unsigned, unsigned, const T*, bool, unsigned,      \
                                          const T*, bool);                                                      \
  template void batched_diagonal_pass_impl<T>(T*, T*, T*, T*, unsigned, unsigned, const DiagonalPass&);          \
  template void batched_product_state_impl<T>(T*, T*, unsigned, unsigned, const T*, const T*);                  \
  template void batched_z_expectations_impl<T>(const T*, const T*, unsigned, unsigned, const index_t*, unsigned,  \
                                               double*);                                                          \
  template void batched_z_weighted_impl<T>(const T*, const T*, T*, T*, unsigned, unsigned, const index_t*,        \
                                           unsigned, const double*);                                              \
  template void batched_product_contract_impl<T>(const T*, const T*, unsigned, unsigned, unsigned, const double*,  \
                                                 const double*, const double*, const double*, double*, double*,   \
                                                 double*, double*);                                               \
  template void batched_permute_phase_impl<T>(T*, T*, T*, T*, unsigned, unsigned, const index_t*, const index_t*, \
                                              index_t, const cplx*, double*);
QNN_BATCHED_INSTANTIATE(float)
QNN_BATCHED_INSTANTIATE(double)
#undef QNN_BATCHED_INSTANTIATE

}  // namespace qnn::kernels::QNN_KERNEL_NS
