#include "qnn/sim/batched_state.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"

namespace qnn {

namespace {

// Group enumeration shared by the kernels: the base index of group g has zeros at every target and control bit and
// ones at the controls; offsets[j] adds the target bits of matrix index j.
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

Groups make_groups(unsigned n, std::span<const unsigned> targets, std::span<const unsigned> controls) {
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

// out_b = Σ_c M_{r,c}(b) · in_c(b) over the batch, for one output row: the shared-matrix form.
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

}  // namespace

template <Real T>
BatchedStateVector<T>::BatchedStateVector(unsigned num_qubits, unsigned batch) : n_(num_qubits), batch_(batch) {
  if (batch == 0) throw ValueError("a batch needs at least one sample");
  if (num_qubits == 0 || num_qubits > 40) throw ValueError("a batched state has 1 to 40 qubits, got " + std::to_string(num_qubits));
  // In double: 2^40 amplitudes × a large batch overflows 64 bits.
  const double want = std::ldexp(double(batch) * double(sizeof(value_type)), static_cast<int>(num_qubits));
  const std::uint64_t bytes = want >= 1.8e19 ? ~std::uint64_t{0} : static_cast<std::uint64_t>(want);
  if (allocation_needs_check(bytes)) {
    check_allocation(bytes, "a batch of " + std::to_string(batch) + " states of " + std::to_string(num_qubits) + " qubits");
  }
  re_ = AlignedBuffer<T>((std::size_t{1} << num_qubits) * batch);
  im_ = AlignedBuffer<T>((std::size_t{1} << num_qubits) * batch);
  set_zero_state();
}

template <Real T>
void BatchedStateVector<T>::set_zero() {
  std::fill(re_.begin(), re_.end(), T(0));
  std::fill(im_.begin(), im_.end(), T(0));
}

template <Real T>
void BatchedStateVector<T>::set_zero_state() {
  set_zero();
  for (unsigned b = 0; b < batch_; ++b) re_[b] = T(1);
}

template <Real T>
void BatchedStateVector<T>::check(std::span<const unsigned> targets, std::span<const unsigned> controls,
                                  std::size_t entries, bool per_sample) const {
  if (targets.empty() || targets.size() > 5) throw ValueError("a batched gate acts on 1 to 5 target qubits");
  index_t seen = 0;
  for (auto list : {targets, controls})
    for (unsigned q : list) {
      if (q >= n_) throw ValueError("qubit " + std::to_string(q) + " out of range [0, " + std::to_string(n_) + ")");
      if (seen >> q & 1U) throw ValueError("qubit " + std::to_string(q) + " used twice in one gate");
      seen |= index_t{1} << q;
    }
  const std::size_t dim = std::size_t{1} << targets.size();
  const std::size_t want = dim * dim * (per_sample ? batch_ : 1);
  if (entries != want) {
    throw ValueError("batched gate needs " + std::to_string(want) + " matrix entries, got " + std::to_string(entries));
  }
}

template <Real T>
void BatchedStateVector<T>::apply_matrix(std::span<const unsigned> targets, std::span<const cplx> matrix,
                                         std::span<const unsigned> controls) {
  check(targets, controls, matrix.size(), false);
  const Groups g = make_groups(n_, targets, controls);
  const std::size_t dim = std::size_t{1} << targets.size();
  const unsigned B = batch_;
  T* re = re_.data();
  T* im = im_.data();
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

template <Real T>
void BatchedStateVector<T>::apply_matrix_per_sample(std::span<const unsigned> targets, std::span<const cplx> matrices,
                                                    std::span<const unsigned> controls) {
  check(targets, controls, matrices.size(), true);
  const Groups g = make_groups(n_, targets, controls);
  const std::size_t dim = std::size_t{1} << targets.size(), d2 = dim * dim;
  const unsigned B = batch_;
  T* re = re_.data();
  T* im = im_.data();
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

template <Real T>
void BatchedStateVector<T>::expectation(const PauliMasks& p, std::span<double> out) const {
  if (out.size() != batch_) throw ValueError("expectation output must have one entry per sample");
  if (n_ < 64 && ((p.x | p.z) >> n_) != 0) throw ValueError("Pauli string acts on a qubit beyond the state");
  const unsigned B = batch_;
  const T* re = re_.data();
  const T* im = im_.data();
  // ⟨ψ|P|ψ⟩ = i^{#Y} Σ_i conj(ψ_{i⊕x}) (−1)^{|i∧z|} ψ_i, per sample; summed over i in index order (deterministic).
  std::vector<double> sre(B, 0.0), sim(B, 0.0);
  double* __restrict rr = sre.data();
  double* __restrict ri = sim.data();
  for (index_t i = 0; i < size(); ++i) {
    const T* ar = re + i * B;
    const T* ai = im + i * B;
    const T* qr = re + (i ^ p.x) * B;
    const T* qi = im + (i ^ p.x) * B;
    const double sign = parity(i & p.z) ? -1.0 : 1.0;
#pragma omp simd
    for (unsigned b = 0; b < B; ++b) {
      rr[b] += sign * (double(qr[b]) * ar[b] + double(qi[b]) * ai[b]);
      ri[b] += sign * (double(qr[b]) * ai[b] - double(qi[b]) * ar[b]);
    }
  }
  const unsigned ny = p.num_y() & 3U;
  for (unsigned b = 0; b < B; ++b) out[b] = ny == 0 ? rr[b] : ny == 1 ? -ri[b] : ny == 2 ? -rr[b] : ri[b];
}

template <Real T>
void BatchedStateVector<T>::add_pauli_applied(const BatchedStateVector& src, const PauliMasks& p,
                                              std::span<const double> coeff) {
  if (src.n_ != n_ || src.batch_ != batch_) throw ValueError("batched states differ in shape");
  if (coeff.size() != batch_) throw ValueError("one coefficient per sample is needed");
  const unsigned B = batch_;
  const unsigned ny = p.num_y() & 3U;
  const double fr = ny == 0 ? 1 : ny == 2 ? -1 : 0, fi = ny == 1 ? 1 : ny == 3 ? -1 : 0;  // i^ny
  for (index_t i = 0; i < size(); ++i) {
    const double sign = parity(i & p.z) ? -1.0 : 1.0;
    const T* sr = src.re_.data() + i * B;
    const T* si = src.im_.data() + i * B;
    T* orr = re_.data() + (i ^ p.x) * B;
    T* oi = im_.data() + (i ^ p.x) * B;
    for (unsigned b = 0; b < B; ++b) {
      const T cr = T(sign * coeff[b] * fr), ci = T(sign * coeff[b] * fi);
      orr[b] += cr * sr[b] - ci * si[b];
      oi[b] += cr * si[b] + ci * sr[b];
    }
  }
}

template <Real T>
void BatchedStateVector<T>::matrix_element(const BatchedStateVector& bra, std::span<const unsigned> targets,
                                           std::span<const cplx> matrices, bool per_sample,
                                           std::span<const unsigned> controls, const BatchedStateVector& ket,
                                           std::span<cplx> out) {
  if (bra.n_ != ket.n_ || bra.batch_ != ket.batch_) throw ValueError("batched states differ in shape");
  ket.check(targets, controls, matrices.size(), per_sample);
  if (out.size() != ket.batch_) throw ValueError("matrix_element output must have one entry per sample");
  const Groups g = make_groups(ket.n_, targets, controls);
  const std::size_t dim = std::size_t{1} << targets.size(), d2 = dim * dim;
  const unsigned B = ket.batch_;
  std::vector<double> acc_re(B, 0.0), acc_im(B, 0.0);
  double* __restrict ar = acc_re.data();
  double* __restrict ai = acc_im.data();
  // Σ_groups Σ_row conj(bra_row) Σ_col M_{row,col} ket_col, per sample, groups in order (deterministic).
  for (index_t gi = 0; gi < g.count; ++gi) {
    const index_t base = g.base(gi);
    for (std::size_t row = 0; row < dim; ++row) {
      const T* lr = bra.re_.data() + (base + g.offset[row]) * B;
      const T* li = bra.im_.data() + (base + g.offset[row]) * B;
      for (std::size_t col = 0; col < dim; ++col) {
        const T* kr = ket.re_.data() + (base + g.offset[col]) * B;
        const T* ki = ket.im_.data() + (base + g.offset[col]) * B;
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

template class BatchedStateVector<float>;
template class BatchedStateVector<double>;

}  // namespace qnn
