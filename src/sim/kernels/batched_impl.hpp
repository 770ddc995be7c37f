// The batched-state kernels (qnn/sim/batched_state.hpp), written once and compiled per instruction set like the
// dense kernel (dense_impl.hpp), inside namespace QNN_KERNEL_NS: the batch loops are plain real arithmetic over
// re[i·B + b] and im[i·B + b], which the compiler vectorises with the width of the translation unit's instruction set
// (SSE2, AVX2+FMA or AVX-512). Built once for the baseline, they ran 2-wide in double whatever the CPU. Arguments are
// checked by BatchedStateVector before they get here.
#include <algorithm>
#include <array>
#include <span>
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
  // X and the controlled X of CNOT/Toffoli (a third of a strongly entangling layer's gates): exchange the two rows,
  // no arithmetic.
  const bool exchange = dim == 2 && matrix[0] == cplx(0) && matrix[1] == cplx(1) && matrix[2] == cplx(1) &&
                        matrix[3] == cplx(0);
  parallel_for(g.count, [&](index_t gi) {
    const index_t base = g.base(gi);
    if (exchange) {
      std::swap_ranges(re + (base + g.offset[0]) * B, re + (base + g.offset[0]) * B + B, re + (base + g.offset[1]) * B);
      std::swap_ranges(im + (base + g.offset[0]) * B, im + (base + g.offset[0]) * B + B, im + (base + g.offset[1]) * B);
      return;
    }
    if (diagonal) {
      for (std::size_t j = 0; j < dim; ++j) {
        T* __restrict pr = re + (base + g.offset[j]) * B;
        T* __restrict pi = im + (base + g.offset[j]) * B;
        const T dr = mr[j * dim + j], di = mi[j * dim + j];
#pragma omp simd
        for (unsigned b = 0; b < B; ++b) {
          const T xr = pr[b], xi = pi[b];
          pr[b] = dr * xr - di * xi;
          pi[b] = dr * xi + di * xr;
        }
      }
      return;
    }
    if (dim == 2) {
      pair_update<false>(re + (base + g.offset[0]) * B, im + (base + g.offset[0]) * B, re + (base + g.offset[1]) * B,
                         im + (base + g.offset[1]) * B, mr.data(), mi.data(), B);
      return;
    }
    // General k: gather the group's rows into a scratch copy, then one output row at a time.
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

// ψ_b ← ψ_b + c_b · P src_b.
template <class T>
void batched_add_pauli_impl(const T* src_re, const T* src_im, T* re, T* im, unsigned n, unsigned B, index_t x,
                            index_t z, unsigned ny, const double* coeff) {
  ny &= 3U;
  const double fr = ny == 0 ? 1 : ny == 2 ? -1 : 0, fi = ny == 1 ? 1 : ny == 3 ? -1 : 0;  // i^ny
  const index_t size = index_t{1} << n;
  for (index_t i = 0; i < size; ++i) {
    const double sign = parity(i & z) ? -1.0 : 1.0;
    const T* sr = src_re + i * B;
    const T* si = src_im + i * B;
    T* orr = re + (i ^ x) * B;
    T* oi = im + (i ^ x) * B;
#pragma omp simd
    for (unsigned b = 0; b < B; ++b) {
      const T cr = T(sign * coeff[b] * fr), ci = T(sign * coeff[b] * fi);
      orr[b] += cr * sr[b] - ci * si[b];
      oi[b] += cr * si[b] + ci * sr[b];
    }
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

#define QNN_BATCHED_INSTANTIATE(T)                                                                                   \
  template void batched_apply_shared_impl<T>(T*, T*, unsigned, unsigned, std::span<const unsigned>,                \
                                             std::span<const cplx>, std::span<const unsigned>);                     \
  template void batched_apply_per_sample_impl<T>(T*, T*, unsigned, unsigned, std::span<const unsigned>,            \
                                                 std::span<const cplx>, std::span<const unsigned>);                 \
  template void batched_expectation_impl<T>(const T*, const T*, unsigned, unsigned, index_t, index_t, unsigned,    \
                                            double*);                                                               \
  template void batched_add_pauli_impl<T>(const T*, const T*, T*, T*, unsigned, unsigned, index_t, index_t,        \
                                          unsigned, const double*);                                                 \
  template void batched_matrix_element_impl<T>(const T*, const T*, const T*, const T*, unsigned, unsigned,         \
                                               std::span<const unsigned>, std::span<const cplx>, bool,              \
                                               std::span<const unsigned>, cplx*);
QNN_BATCHED_INSTANTIATE(float)
QNN_BATCHED_INSTANTIATE(double)
#undef QNN_BATCHED_INSTANTIATE

}  // namespace qnn::kernels::QNN_KERNEL_NS
