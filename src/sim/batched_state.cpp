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

// Complex arithmetic on split parts: std::complex's operator* checks for NaN/Inf on every product, which blocks
// vectorisation of the loop over the batch.
template <class T>
struct Split {
  T re, im;
};

}  // namespace

template <Real T>
BatchedStateVector<T>::BatchedStateVector(unsigned num_qubits, unsigned batch) : n_(num_qubits), batch_(batch) {
  if (batch == 0) throw ValueError("a batch needs at least one sample");
  if (num_qubits == 0 || num_qubits > 40) throw ValueError("a batched state has 1 to 40 qubits, got " + std::to_string(num_qubits));
  // In double: 2^40 amplitudes × a large batch overflows 64 bits.
  const double want = std::ldexp(double(batch) * double(sizeof(value_type)), static_cast<int>(num_qubits));
  const std::uint64_t bytes = want >= 1.8e19 ? ~std::uint64_t{0} : static_cast<std::uint64_t>(want);
  check_allocation(bytes, "a batch of " + std::to_string(batch) + " states of " + std::to_string(num_qubits) + " qubits");
  amp_ = AlignedBuffer<value_type>((std::size_t{1} << num_qubits) * batch);
  set_zero_state();
}

template <Real T>
void BatchedStateVector<T>::set_zero() {
  std::fill(amp_.begin(), amp_.end(), value_type(0));
}

template <Real T>
void BatchedStateVector<T>::set_zero_state() {
  set_zero();
  for (unsigned b = 0; b < batch_; ++b) amp_[b] = value_type(1);
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
  T* a = reinterpret_cast<T*>(amp_.data());
  std::array<Split<T>, 1024> m{};
  for (std::size_t e = 0; e < dim * dim; ++e) m[e] = {T(matrix[e].real()), T(matrix[e].imag())};
  // Diagonal matrices need no gather.
  bool diagonal = true;
  for (std::size_t r = 0; r < dim && diagonal; ++r)
    for (std::size_t c = 0; c < dim; ++c)
      if (r != c && matrix[r * dim + c] != cplx(0)) diagonal = false;
  parallel_for(g.count, [&](index_t gi) {
    const index_t base = g.base(gi);
    if (diagonal) {
      for (std::size_t j = 0; j < dim; ++j) {
        T* p = a + 2 * (base + g.offset[j]) * B;
        const Split<T> d = m[j * dim + j];
#pragma omp simd
        for (unsigned b = 0; b < B; ++b) {
          const T re = p[2 * b], im = p[2 * b + 1];
          p[2 * b] = d.re * re - d.im * im;
          p[2 * b + 1] = d.re * im + d.im * re;
        }
      }
      return;
    }
    if (dim == 2) {
      T* p0 = a + 2 * (base + g.offset[0]) * B;
      T* p1 = a + 2 * (base + g.offset[1]) * B;
      const Split<T> m00 = m[0], m01 = m[1], m10 = m[2], m11 = m[3];
#pragma omp simd
      for (unsigned b = 0; b < B; ++b) {
        const T r0 = p0[2 * b], i0 = p0[2 * b + 1], r1 = p1[2 * b], i1 = p1[2 * b + 1];
        p0[2 * b] = m00.re * r0 - m00.im * i0 + m01.re * r1 - m01.im * i1;
        p0[2 * b + 1] = m00.re * i0 + m00.im * r0 + m01.re * i1 + m01.im * r1;
        p1[2 * b] = m10.re * r0 - m10.im * i0 + m11.re * r1 - m11.im * i1;
        p1[2 * b + 1] = m10.re * i0 + m10.im * r0 + m11.re * i1 + m11.im * r1;
      }
      return;
    }
    // General k: for each sample gather 2^k amplitudes, multiply, scatter.
    std::array<Split<T>, 32> in{};
    for (unsigned b = 0; b < B; ++b) {
      for (std::size_t j = 0; j < dim; ++j) {
        const T* p = a + 2 * ((base + g.offset[j]) * B + b);
        in[j] = {p[0], p[1]};
      }
      for (std::size_t r = 0; r < dim; ++r) {
        T re = 0, im = 0;
        for (std::size_t c = 0; c < dim; ++c) {
          const Split<T> mc = m[r * dim + c];
          re += mc.re * in[c].re - mc.im * in[c].im;
          im += mc.re * in[c].im + mc.im * in[c].re;
        }
        T* p = a + 2 * ((base + g.offset[r]) * B + b);
        p[0] = re;
        p[1] = im;
      }
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
  T* a = reinterpret_cast<T*>(amp_.data());
  // Matrices as structure of arrays: entry e of sample b at ms[e·B + b], so the batch loop reads them contiguously.
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
      T* p0 = a + 2 * (base + g.offset[0]) * B;
      T* p1 = a + 2 * (base + g.offset[1]) * B;
#pragma omp simd
      for (unsigned b = 0; b < B; ++b) {
        const T r0 = p0[2 * b], i0 = p0[2 * b + 1], r1 = p1[2 * b], i1 = p1[2 * b + 1];
        const T ar = MR[b], ai = MI[b], br = MR[B + b], bi = MI[B + b];
        const T cr = MR[2 * B + b], ci = MI[2 * B + b], dr = MR[3 * B + b], di = MI[3 * B + b];
        p0[2 * b] = ar * r0 - ai * i0 + br * r1 - bi * i1;
        p0[2 * b + 1] = ar * i0 + ai * r0 + br * i1 + bi * r1;
        p1[2 * b] = cr * r0 - ci * i0 + dr * r1 - di * i1;
        p1[2 * b + 1] = cr * i0 + ci * r0 + dr * i1 + di * r1;
      }
      return;
    }
    std::array<Split<T>, 32> in{};
    for (unsigned b = 0; b < B; ++b) {
      for (std::size_t j = 0; j < dim; ++j) {
        const T* p = a + 2 * ((base + g.offset[j]) * B + b);
        in[j] = {p[0], p[1]};
      }
      for (std::size_t r = 0; r < dim; ++r) {
        T re = 0, im = 0;
        for (std::size_t c = 0; c < dim; ++c) {
          const T xr = MR[(r * dim + c) * B + b], xi = MI[(r * dim + c) * B + b];
          re += xr * in[c].re - xi * in[c].im;
          im += xr * in[c].im + xi * in[c].re;
        }
        T* p = a + 2 * ((base + g.offset[r]) * B + b);
        p[0] = re;
        p[1] = im;
      }
    }
  });
}

template <Real T>
void BatchedStateVector<T>::expectation(const PauliMasks& p, std::span<double> out) const {
  if (out.size() != batch_) throw ValueError("expectation output must have one entry per sample");
  if (n_ < 64 && ((p.x | p.z) >> n_) != 0) throw ValueError("Pauli string acts on a qubit beyond the state");
  const unsigned B = batch_;
  const T* a = reinterpret_cast<const T*>(amp_.data());
  // ⟨ψ|P|ψ⟩ = i^{#Y} Σ_i conj(ψ_{i⊕x}) (−1)^{|i∧z|} ψ_i, per sample; summed over i in index order (deterministic).
  std::vector<double> re(B, 0.0), im(B, 0.0);
  for (index_t i = 0; i < size(); ++i) {
    const T* pa = a + 2 * i * B;
    const T* q = a + 2 * (i ^ p.x) * B;
    const double sign = parity(i & p.z) ? -1.0 : 1.0;
    double* __restrict rr = re.data();
    double* __restrict ri = im.data();
#pragma omp simd
    for (unsigned b = 0; b < B; ++b) {
      // conj(q) · pa
      rr[b] += sign * (double(q[2 * b]) * pa[2 * b] + double(q[2 * b + 1]) * pa[2 * b + 1]);
      ri[b] += sign * (double(q[2 * b]) * pa[2 * b + 1] - double(q[2 * b + 1]) * pa[2 * b]);
    }
  }
  const unsigned ny = p.num_y() & 3U;
  for (unsigned b = 0; b < B; ++b) {
    // Re(i^ny · (re + i·im))
    out[b] = ny == 0 ? re[b] : ny == 1 ? -im[b] : ny == 2 ? -re[b] : im[b];
  }
}

template <Real T>
void BatchedStateVector<T>::add_pauli_applied(const BatchedStateVector& src, const PauliMasks& p,
                                              std::span<const double> coeff) {
  if (src.n_ != n_ || src.batch_ != batch_) throw ValueError("batched states differ in shape");
  if (coeff.size() != batch_) throw ValueError("one coefficient per sample is needed");
  const unsigned B = batch_;
  const unsigned ny = p.num_y() & 3U;
  // i^ny as (re, im)
  const double fr = ny == 0 ? 1 : ny == 2 ? -1 : 0, fi = ny == 1 ? 1 : ny == 3 ? -1 : 0;
  T* out = reinterpret_cast<T*>(amp_.data());
  const T* in = reinterpret_cast<const T*>(src.amp_.data());
  for (index_t i = 0; i < size(); ++i) {
    const double sign = parity(i & p.z) ? -1.0 : 1.0;
    const T* s = in + 2 * i * B;
    T* o = out + 2 * (i ^ p.x) * B;
    for (unsigned b = 0; b < B; ++b) {
      const T cr = T(sign * coeff[b] * fr), ci = T(sign * coeff[b] * fi);
      o[2 * b] += cr * s[2 * b] - ci * s[2 * b + 1];
      o[2 * b + 1] += cr * s[2 * b + 1] + ci * s[2 * b];
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
  const T* l = reinterpret_cast<const T*>(bra.amp_.data());
  const T* r = reinterpret_cast<const T*>(ket.amp_.data());
  std::vector<double> acc_re(B, 0.0), acc_im(B, 0.0);
  // Σ_groups Σ_row conj(bra_row) Σ_col M_{row,col} ket_col, per sample, groups in order (deterministic).
  for (index_t gi = 0; gi < g.count; ++gi) {
    const index_t base = g.base(gi);
    for (std::size_t row = 0; row < dim; ++row) {
      const T* lp = l + 2 * (base + g.offset[row]) * B;
      for (std::size_t col = 0; col < dim; ++col) {
        const T* rp = r + 2 * (base + g.offset[col]) * B;
        if (!per_sample) {
          const cplx mc = matrices[row * dim + col];
          if (mc == cplx(0)) continue;
          const double mr = mc.real(), mi = mc.imag();
          double* __restrict ar = acc_re.data();
          double* __restrict ai = acc_im.data();
#pragma omp simd
          for (unsigned b = 0; b < B; ++b) {
            const double kr = mr * rp[2 * b] - mi * rp[2 * b + 1], ki = mr * rp[2 * b + 1] + mi * rp[2 * b];
            ar[b] += double(lp[2 * b]) * kr + double(lp[2 * b + 1]) * ki;
            ai[b] += double(lp[2 * b]) * ki - double(lp[2 * b + 1]) * kr;
          }
        } else {
          for (unsigned b = 0; b < B; ++b) {
            const cplx mc = matrices[b * d2 + row * dim + col];
            const double mr = mc.real(), mi = mc.imag();
            const double kr = mr * rp[2 * b] - mi * rp[2 * b + 1], ki = mr * rp[2 * b + 1] + mi * rp[2 * b];
            acc_re[b] += double(lp[2 * b]) * kr + double(lp[2 * b + 1]) * ki;
            acc_im[b] += double(lp[2 * b]) * ki - double(lp[2 * b + 1]) * kr;
          }
        }
      }
    }
  }
  for (unsigned b = 0; b < B; ++b) out[b] = cplx(acc_re[b], acc_im[b]);
}

template class BatchedStateVector<float>;
template class BatchedStateVector<double>;

}  // namespace qnn
