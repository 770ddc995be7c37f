#include "qnn/sim/state_vector.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "pauli_phase.hpp"
#include "qnn/sim/kernels.hpp"

namespace qnn {

namespace {

// The qubits a gate touches, sorted, and the mask of its controls: what every kernel's index enumeration needs.
struct Layout {
  std::array<unsigned, 64> sorted{};
  unsigned num_sorted = 0;
  index_t ctrl_mask = 0;
  index_t base(index_t i) const {
    for (unsigned s = 0; s < num_sorted; ++s) i = insert_zero_bit(i, sorted[s]);
    return i | ctrl_mask;
  }
};

Layout make_layout(std::span<const unsigned> targets, std::span<const unsigned> controls) {
  Layout l;
  for (unsigned t : targets) l.sorted[l.num_sorted++] = t;
  for (unsigned c : controls) {
    l.sorted[l.num_sorted++] = c;
    l.ctrl_mask |= index_t{1} << c;
  }
  std::sort(l.sorted.begin(), l.sorted.begin() + l.num_sorted);
  return l;
}

[[noreturn, gnu::cold, gnu::noinline]] void throw_bad_qubits(unsigned n, std::span<const unsigned> targets,
                                                            std::span<const unsigned> controls) {
  if (targets.empty()) throw ValueError("a gate needs at least one target qubit");
  index_t seen = 0;
  for (const auto qubits : {targets, controls})
    for (unsigned q : qubits) {
      if (q >= n) throw ValueError("qubit " + std::to_string(q) + " out of range [0, " + std::to_string(n) + ")");
      if (seen & (index_t{1} << q)) throw ValueError("qubit " + std::to_string(q) + " used twice in one gate");
      seen |= index_t{1} << q;
    }
  throw ValueError("invalid gate qubits");
}

// Σ of block(lo, hi) over [0, n) in fixed blocks of kReduceBlock items (each touching `amplitudes_per_item`
// amplitudes), the blocks in parallel and added in order: the same bits on any thread count. For the vector kernels
// that sum one block each (kernels::matrix_element_1q, pauli_sum).
template <class Block>
cplx ordered_block_sum(index_t n, std::uint64_t amplitudes_per_item, Block&& block) {
  const index_t blocks = (n + kReduceBlock - 1) / kReduceBlock;
  auto bounds = [&](index_t b) { return std::pair{b * kReduceBlock, std::min<index_t>(n, (b + 1) * kReduceBlock)}; };
  if (blocks == 1) return block(index_t{0}, n);
  std::vector<cplx> part(blocks);
  parallel_for(
      blocks,
      [&](index_t b) {
        const auto [lo, hi] = bounds(b);
        part[b] = block(lo, hi);
      },
      amplitudes_per_item * kReduceBlock);
  cplx sum = 0;
  for (const cplx& p : part) sum += p;
  return sum;
}

}  // namespace

template <Real T>
std::uint64_t StateVector<T>::bytes_needed(unsigned num_qubits) {
  if (num_qubits >= 64) return ~std::uint64_t{0};
  const std::uint64_t n = std::uint64_t{1} << num_qubits;
  if (n > (~std::uint64_t{0}) / sizeof(value_type)) return ~std::uint64_t{0};
  return n * sizeof(value_type);
}

template <Real T>
StateVector<T>::StateVector(unsigned num_qubits) : n_(num_qubits) {
  if (num_qubits > kMaxQubits || allocation_needs_check(bytes_needed(num_qubits))) {
    const std::string what = "a state vector of " + std::to_string(num_qubits) + " qubits (" +
                             (sizeof(T) == 8 ? "double" : "single") + " precision)";
    if (num_qubits > kMaxQubits) {
      throw ResourceError(what + " needs " + format_bytes(double(bytes_needed(num_qubits))) +
                          "; at most " + std::to_string(kMaxQubits) + " qubits are supported");
    }
    check_allocation(bytes_needed(num_qubits), what);
  }
  amp_ = AlignedBuffer<value_type>(std::size_t{1} << num_qubits);
  set_basis_state(0);
}

template <Real T>
StateVector<T> StateVector<T>::from_amplitudes(std::span<const value_type> amplitudes) {
  const std::size_t size = amplitudes.size();
  if (size == 0 || (size & (size - 1)) != 0) {
    throw ValueError("a state vector needs a power-of-two number of amplitudes, got " + std::to_string(size));
  }
  const auto n = static_cast<unsigned>(std::countr_zero(size));
  AlignedBuffer<value_type> buf(size);
  std::copy(amplitudes.begin(), amplitudes.end(), buf.begin());
  return StateVector(n, std::move(buf));
}

template <Real T>
typename StateVector<T>::value_type StateVector<T>::amplitude(index_t i) const {
  if (i >= size()) {
    throw ValueError("basis index " + std::to_string(i) + " out of range [0, " + std::to_string(size()) + ")");
  }
  return amp_[i];
}

template <Real T>
void StateVector<T>::set_basis_state(index_t i) {
  if (i >= size()) {
    throw ValueError("basis index " + std::to_string(i) + " out of range [0, " + std::to_string(size()) + ")");
  }
  set_zero();
  amp_[i] = value_type(1);
}

template <Real T>
void StateVector<T>::set_zero() {
  value_type* a = amp_.data();
  parallel_for(size(), [a](index_t i) { a[i] = value_type(0); });
}

template <Real T>
void StateVector<T>::check_qubits(std::span<const unsigned> targets, std::span<const unsigned> controls) const {
  // Every gate passes here: one pass over the qubits; the message (and its strings) is built only on failure.
  if (targets.size() == 1 && controls.empty()) {  // the common case, a tenth of a small-state gate in the loop below
    if (targets[0] >= n_) throw_bad_qubits(n_, targets, controls);
    return;
  }
  index_t seen = 0;
  bool ok = !targets.empty();
  for (const auto qubits : {targets, controls})
    for (unsigned q : qubits) {
      const index_t bit = q < n_ ? index_t{1} << q : 0;
      ok = ok && bit != 0 && (seen & bit) == 0;
      seen |= bit;
    }
  if (!ok) throw_bad_qubits(n_, targets, controls);
}

template <Real T>
void StateVector<T>::apply_matrix(std::span<const unsigned> targets, std::span<const cplx> matrix,
                                  std::span<const unsigned> controls) {
  check_qubits(targets, controls);
  const unsigned k = static_cast<unsigned>(targets.size());
  const std::size_t dim = std::size_t{1} << k;
  if (matrix.size() != dim * dim) {
    throw ValueError("a gate on " + std::to_string(k) + " qubits needs a " + std::to_string(dim) + "x" +
                     std::to_string(dim) + " matrix, got " + std::to_string(matrix.size()) + " entries");
  }
  if (const Isa isa = active_isa(); isa != Isa::Reference) {
    // Small states: a gate is mostly apply_dense's set-up there (kernels::apply_1q_small, apply_2q_small). One gate,
    // double, AVX-512, medians: 1 qubit at n = 8 114 ns against apply_dense's 253-334, at 10 470 against 600-630,
    // at 12 even; 2 qubits at n = 6 125 ns against 315-530, at 8 333-350 against 630-940, at 10 (one vector per
    // group then) 1.9 µs against 1.3.
    if (k == 1 && n_ <= kSmall1qQubits) {
      index_t ctrl_mask = 0;
      for (unsigned c : controls) ctrl_mask |= index_t{1} << c;
      kernels::apply_1q_small<T>(isa, amp_.data(), n_, targets[0], ctrl_mask,
                                 static_cast<unsigned>(controls.size()), matrix.data());
      return;
    }
    if (k == 2 && controls.empty() && n_ <= kSmall2qQubits) {
      kernels::apply_2q_small<T>(isa, amp_.data(), n_, targets[0], targets[1], matrix.data());
      return;
    }
    if (n_ >= kernels::kMinVectorQubits && k <= kernels::kMaxDenseQubits) {
      kernels::apply_dense<T>(isa, amp_.data(), n_, targets, matrix, controls);
      return;
    }
  }
  // Reference path (and tiny states): a diagonal matrix needs no pairing of amplitudes.
  bool diagonal = true;
  for (std::size_t r = 0; r < dim && diagonal; ++r)
    for (std::size_t c = 0; c < dim; ++c)
      if (r != c && matrix[r * dim + c] != cplx(0)) {
        diagonal = false;
        break;
      }
  if (diagonal) {
    std::vector<cplx> d(dim);
    for (std::size_t r = 0; r < dim; ++r) d[r] = matrix[r * dim + r];
    apply_diagonal(targets, d, controls);
    return;
  }

  value_type* a = amp_.data();
  const Layout lay = make_layout(targets, controls);
  const index_t count = size() >> lay.num_sorted;

  if (k == 1) {
    const value_type m00(matrix[0]), m01(matrix[1]), m10(matrix[2]), m11(matrix[3]);
    const index_t stride = index_t{1} << targets[0];
    auto pair = [=](index_t i0) {
      const value_type x0 = a[i0], x1 = a[i0 + stride];
      a[i0] = m00 * x0 + m01 * x1;
      a[i0 + stride] = m10 * x0 + m11 * x1;
    };
    if (controls.empty()) {
      // Blocked form: the inner loop runs over contiguous amplitudes, which compilers vectorise.
      const index_t blocks = size() / (2 * stride);
      if (stride >= kParallelThreshold || blocks < 2) {
        for (index_t b = 0; b < blocks; ++b) {
          const index_t base = b * 2 * stride;
          parallel_for(stride, [&](index_t j) { pair(base + j); });
        }
      } else {
        parallel_for(blocks, [&](index_t b) {
          const index_t base = b * 2 * stride;
          for (index_t j = 0; j < stride; ++j) pair(base + j);
        });
      }
    } else {
      parallel_for(count, [&](index_t i) { pair(lay.base(i)); });
    }
    return;
  }

  if (k == 2) {
    std::array<value_type, 16> m;
    for (std::size_t e = 0; e < 16; ++e) m[e] = value_type(matrix[e]);
    const index_t o1 = index_t{1} << targets[0], o2 = index_t{1} << targets[1], o3 = o1 | o2;
    parallel_for(count, [&](index_t i) {
      const index_t b = lay.base(i);
      const value_type x0 = a[b], x1 = a[b | o1], x2 = a[b | o2], x3 = a[b | o3];
      a[b] = m[0] * x0 + m[1] * x1 + m[2] * x2 + m[3] * x3;
      a[b | o1] = m[4] * x0 + m[5] * x1 + m[6] * x2 + m[7] * x3;
      a[b | o2] = m[8] * x0 + m[9] * x1 + m[10] * x2 + m[11] * x3;
      a[b | o3] = m[12] * x0 + m[13] * x1 + m[14] * x2 + m[15] * x3;
    });
    return;
  }

  // General k: gather the 2^k amplitudes of each group, multiply, scatter.
  std::vector<value_type> m(matrix.begin(), matrix.end());
  std::vector<index_t> offset(dim, 0);
  for (std::size_t j = 0; j < dim; ++j)
    for (unsigned b = 0; b < k; ++b)
      if (j >> b & 1U) offset[j] |= index_t{1} << targets[b];
  auto group = [&](index_t i, value_type* in) {
    const index_t b = lay.base(i);
    for (std::size_t j = 0; j < dim; ++j) in[j] = a[b | offset[j]];
    for (std::size_t r = 0; r < dim; ++r) {
      value_type s(0);
      for (std::size_t c = 0; c < dim; ++c) s += m[r * dim + c] * in[c];
      a[b | offset[r]] = s;
    }
  };
  if (count < kParallelThreshold || num_threads() == 1) {
    std::vector<value_type> in(dim);
    for (index_t i = 0; i < count; ++i) group(i, in.data());
  } else {
    const auto sc = static_cast<std::int64_t>(count);
#pragma omp parallel num_threads(num_threads())
    {
      std::vector<value_type> in(dim);
#pragma omp for schedule(static)
      for (std::int64_t i = 0; i < sc; ++i) group(static_cast<index_t>(i), in.data());
    }
  }
}

template <Real T>
void StateVector<T>::apply_matrices(std::span<const kernels::DenseGate> gates) {
  const Isa isa = active_isa();
  bool vector = isa != Isa::Reference && n_ >= kernels::kMinVectorQubits;
  for (const kernels::DenseGate& g : gates) {
    check_qubits(g.targets, g.controls);
    const std::size_t dim = std::size_t{1} << g.targets.size();
    if (g.matrix.size() != dim * dim) {
      throw ValueError("a gate on " + std::to_string(g.targets.size()) + " qubits needs a " + std::to_string(dim) +
                       "x" + std::to_string(dim) + " matrix, got " + std::to_string(g.matrix.size()) + " entries");
    }
    vector = vector && g.targets.size() <= kernels::kMaxDenseQubits;
  }
  if (vector) {
    kernels::apply_dense_run<T>(isa, amp_.data(), n_, gates);
    return;
  }
  for (const kernels::DenseGate& g : gates) apply_matrix(g.targets, g.matrix, g.controls);
}

template <Real T>
void StateVector<T>::apply_diagonal(std::span<const unsigned> targets, std::span<const cplx> diagonal,
                                    std::span<const unsigned> controls) {
  check_qubits(targets, controls);
  const unsigned k = static_cast<unsigned>(targets.size());
  const std::size_t dim = std::size_t{1} << k;
  if (diagonal.size() != dim) {
    throw ValueError("a diagonal gate on " + std::to_string(k) + " qubits needs " + std::to_string(dim) +
                     " entries, got " + std::to_string(diagonal.size()));
  }
  if (const Isa isa = active_isa(); isa != Isa::Reference && n_ >= kernels::kMinVectorQubits &&
                                    k <= kernels::kMaxDenseQubits) {
    std::array<cplx, 1024> m;  // zero only the dim² entries used, not 16 KiB per gate
    std::fill_n(m.begin(), dim * dim, cplx(0));
    for (std::size_t j = 0; j < dim; ++j) m[j * dim + j] = diagonal[j];
    kernels::apply_dense<T>(isa, amp_.data(), n_, targets, std::span<const cplx>(m.data(), dim * dim), controls);
    return;
  }
  value_type* a = amp_.data();
  std::array<value_type, 32> dsmall{};
  std::vector<value_type> dlarge;
  const value_type* d = dsmall.data();
  if (dim <= dsmall.size()) {
    for (std::size_t j = 0; j < dim; ++j) dsmall[j] = value_type(diagonal[j]);
  } else {
    dlarge.assign(diagonal.begin(), diagonal.end());
    d = dlarge.data();
  }
  index_t ctrl_mask = 0;
  for (unsigned c : controls) ctrl_mask |= index_t{1} << c;
  if (k == 1) {
    const unsigned t = targets[0];
    const value_type d0 = d[0], d1 = d[1];
    parallel_for(size(), [=](index_t i) {
      if ((i & ctrl_mask) == ctrl_mask) a[i] *= (i >> t & 1U) ? d1 : d0;
    });
    return;
  }
  std::array<unsigned, 64> t{};
  std::copy(targets.begin(), targets.end(), t.begin());
  parallel_for(size(), [=](index_t i) {
    if ((i & ctrl_mask) != ctrl_mask) return;
    std::size_t j = 0;
    for (unsigned b = 0; b < k; ++b) j |= static_cast<std::size_t>(i >> t[b] & 1U) << b;
    a[i] *= d[j];
  });
}

template <Real T>
void StateVector<T>::scale(value_type s) {
  value_type* a = amp_.data();
  parallel_for(size(), [=](index_t i) { a[i] *= s; });
}

template <Real T>
double StateVector<T>::norm_squared() const {
  const value_type* a = amp_.data();
  return parallel_sum<double>(size(), [a](index_t i) { return double(std::norm(a[i])); });
}

template <Real T>
void StateVector<T>::normalize() {
  const double n2 = norm_squared();
  if (!(n2 > 0) || !std::isfinite(n2)) throw ValueError("cannot normalise a state of norm² " + std::to_string(n2));
  scale(value_type(T(1.0 / std::sqrt(n2))));
}

template <Real T>
std::vector<double> StateVector<T>::probabilities() const {
  std::vector<double> p(size());
  const value_type* a = amp_.data();
  double* out = p.data();
  parallel_for(size(), [=](index_t i) { out[i] = double(std::norm(a[i])); });
  return p;
}

template <Real T>
double StateVector<T>::probability_one(unsigned qubit) const {
  if (qubit >= n_) throw ValueError("qubit " + std::to_string(qubit) + " out of range [0, " + std::to_string(n_) + ")");
  const value_type* a = amp_.data();
  const index_t bit = index_t{1} << qubit;
  return parallel_sum<double>(size() / 2, [=](index_t i) { return double(std::norm(a[insert_zero_bit(i, qubit) | bit])); });
}

template <Real T>
std::vector<index_t> StateVector<T>::sample(std::uint64_t shots, Rng& rng) const {
  // Inverse-CDF sampling: one cumulative sweep, then per shot the first i with cdf[i] > u (zero-probability entries
  // that share a cumulative value are passed over), or the last entry. A guide table (Chen and Asau) finds it: bucket
  // j of m covers u in [j·total/m, (j+1)·total/m), guide[j] is the first i with cdf[i] > j·total/m, and a short scan
  // from there (back past any rounding of the bucket, then forward) lands on the index a binary search would: the same
  // outcomes from the same draws (parameter-shift training of Iris with 1000 shots: 5.9 s with the search, 3.2 s).
  std::vector<double> cdf = probabilities();
  double total = 0;
  for (double& c : cdf) {
    total += c;
    c = total;
  }
  if (!(total > 0)) throw ValueError("cannot sample from a state of norm zero");
  const std::size_t d = cdf.size();
  const std::size_t m = std::max<std::uint64_t>(1, 4 * std::min<std::uint64_t>(shots, d));
  std::vector<std::size_t> guide(m);
  for (std::size_t j = 0, i = 0; j < m; ++j) {
    const double lo = total * double(j) / double(m);
    while (i + 1 < d && cdf[i] <= lo) ++i;
    guide[j] = i;
  }
  std::vector<index_t> out(shots);
  for (auto& o : out) {
    const double r = rng.uniform(), u = r * total;
    std::size_t k = guide[std::min(m - 1, static_cast<std::size_t>(r * double(m)))];
    while (k > 0 && cdf[k - 1] > u) --k;
    while (k + 1 < d && cdf[k] <= u) ++k;
    o = static_cast<index_t>(k);
  }
  return out;
}

template <Real T>
int StateVector<T>::measure(unsigned qubit, Rng& rng) {
  const double p1 = probability_one(qubit);
  const double n2 = norm_squared();
  const int outcome = rng.uniform() * n2 < p1 ? 1 : 0;
  const double p = outcome ? p1 : n2 - p1;
  const T f = T(1.0 / std::sqrt(p));
  value_type* a = amp_.data();
  parallel_for(size(), [=](index_t i) {
    if (static_cast<int>(i >> qubit & 1U) == outcome) a[i] *= f;
    else a[i] = value_type(0);
  });
  return outcome;
}

template <Real T>
void StateVector<T>::reset(unsigned qubit, Rng& rng) {
  if (measure(qubit, rng) == 1) {
    const unsigned t[1] = {qubit};
    const cplx x[4] = {0, 1, 1, 0};
    apply_matrix(t, x);
  }
}

template <Real T>
double StateVector<T>::expectation(const PauliMasks& p) const {
  if (n_ < 64 && ((p.x | p.z) >> n_) != 0) throw ValueError("Pauli string acts on a qubit beyond the state's " + std::to_string(n_));
  const value_type* a = amp_.data();
  const index_t x = p.x, z = p.z;
  // ⟨ψ|P|ψ⟩ = i^{#Y} Σ_i conj(ψ_{i⊕x}) (−1)^{|i∧z|} ψ_i; the vector kernel in fixed blocks of rows added in order
  // (the scalar loop below took 3-8 ns a row, std::complex's product checking for NaN and nothing vectorised).
  if (n_ >= 1 && active_isa() != Isa::Reference) {
    const Isa isa = active_isa();
    const cplx sum = ordered_block_sum(
        size(), 1, [&](index_t lo, index_t hi) { return kernels::pauli_sum<T>(isa, a, x, z, lo, hi); });
    return (i_power(p.num_y()) * sum).real();
  }
  const cplx s = parallel_sum<cplx>(size(), [=](index_t i) {
    const cplx v = cplx(std::conj(a[i ^ x])) * cplx(a[i]);
    return parity(i & z) ? -v : v;
  });
  return (i_power(p.num_y()) * s).real();
}

template <Real T>
void StateVector<T>::add_pauli_applied(const StateVector& src, const PauliMasks& p, cplx c) {
  if (src.n_ != n_) throw ValueError("state sizes differ");
  if (n_ < 64 && ((p.x | p.z) >> n_) != 0) {
    throw ValueError("Pauli string acts on a qubit beyond the state's " + std::to_string(n_));
  }
  if (&src == this && p.x != 0) {
    throw ValueError("add_pauli_applied with an X or Y factor needs a separate source state");
  }
  const cplx fc = i_power(p.num_y()) * c;
  const value_type f(fc);
  value_type* out = amp_.data();
  const value_type* in = src.amp_.data();
  const index_t x = p.x, z = p.z;
  if (n_ >= 1 && active_isa() != Isa::Reference) {  // the vector kernel, each block of output rows by one task
    const Isa isa = active_isa();
    const index_t blocks = (size() + kReduceBlock - 1) / kReduceBlock;
    parallel_for(blocks, [&](index_t b) {
      const index_t r1 = std::min<index_t>(size(), (b + 1) * kReduceBlock);
      kernels::add_pauli<T>(isa, in, out, x, z, fc, b * kReduceBlock, r1);
    }, kReduceBlock);
    return;
  }
  parallel_for(size(), [=](index_t i) {
    const value_type v = f * in[i];
    out[i ^ x] += parity(i & z) ? -v : v;
  });
}

template <Real T>
cplx StateVector<T>::inner(const StateVector& other) const {
  if (other.n_ != n_) throw ValueError("state sizes differ");
  const value_type* a = amp_.data();
  const value_type* b = other.amp_.data();
  return parallel_sum<cplx>(size(), [=](index_t i) { return cplx(std::conj(a[i])) * cplx(b[i]); });
}

template <Real T>
cplx StateVector<T>::matrix_element(const StateVector& bra, std::span<const unsigned> targets,
                                    std::span<const cplx> matrix, std::span<const unsigned> controls,
                                    const StateVector& ket) {
  if (bra.n_ != ket.n_) throw ValueError("state sizes differ");
  ket.check_qubits(targets, controls);
  const unsigned k = static_cast<unsigned>(targets.size());
  const std::size_t dim = std::size_t{1} << k;
  if (matrix.size() != dim * dim) throw ValueError("matrix size does not match the number of targets");
  if (k == 1 && controls.empty() && active_isa() != Isa::Reference) {
    // The adjoint sweep's hot case (and the density-matrix gradient's): the vector kernel, in fixed blocks of pairs
    // added in order. At 6 qubits of ρ (4096 amplitudes) the scalar loop below was a quarter of noisy training.
    const Isa isa = active_isa();
    const unsigned t = targets[0];
    return ordered_block_sum(ket.size() / 2, 2, [&](index_t lo, index_t hi) {
      return kernels::matrix_element_1q<T>(isa, bra.amp_.data(), ket.amp_.data(), t, lo, hi, matrix.data());
    });
  }
  if (k == 1 && controls.empty()) {
    // The Reference ISA: a blocked pass over both states with split real arithmetic (std::complex's operator*
    // checks for NaN on every product and does not vectorise).
    const T* l = reinterpret_cast<const T*>(bra.amp_.data());
    const T* r = reinterpret_cast<const T*>(ket.amp_.data());
    const double m00r = matrix[0].real(), m00i = matrix[0].imag(), m01r = matrix[1].real(), m01i = matrix[1].imag();
    const double m10r = matrix[2].real(), m10i = matrix[2].imag(), m11r = matrix[3].real(), m11i = matrix[3].imag();
    const index_t stride = index_t{1} << targets[0];
    const index_t pairs = ket.size() / 2;
    // Σ over pairs (i0, i1) of conj(l0)(m00 r0 + m01 r1) + conj(l1)(m10 r0 + m11 r1), in fixed blocks.
    const unsigned t = targets[0];
    auto pair_sum = [=](index_t j) {
      const index_t i0 = insert_zero_bit(j, t), i1 = i0 + stride;
      const double r0r = r[2 * i0], r0i = r[2 * i0 + 1], r1r = r[2 * i1], r1i = r[2 * i1 + 1];
      const double a0r = m00r * r0r - m00i * r0i + m01r * r1r - m01i * r1i;
      const double a0i = m00r * r0i + m00i * r0r + m01r * r1i + m01i * r1r;
      const double a1r = m10r * r0r - m10i * r0i + m11r * r1r - m11i * r1i;
      const double a1i = m10r * r0i + m10i * r0r + m11r * r1i + m11i * r1r;
      const double l0r = l[2 * i0], l0i = l[2 * i0 + 1], l1r = l[2 * i1], l1i = l[2 * i1 + 1];
      return cplx(l0r * a0r + l0i * a0i + l1r * a1r + l1i * a1i, l0r * a0i - l0i * a0r + l1r * a1i - l1i * a1r);
    };
    return parallel_sum<cplx>(pairs, pair_sum);
  }
  const Layout lay = make_layout(targets, controls);
  const index_t count = ket.size() >> lay.num_sorted;
  std::vector<index_t> offset(dim, 0);
  for (std::size_t j = 0; j < dim; ++j)
    for (unsigned b = 0; b < k; ++b)
      if (j >> b & 1U) offset[j] |= index_t{1} << targets[b];
  const value_type* l = bra.amp_.data();
  const value_type* r = ket.amp_.data();
  // Σ_groups Σ_j conj(bra_j) Σ_c M_jc ket_c
  return parallel_sum<cplx>(count, [&](index_t i) {
    const index_t b = lay.base(i);
    cplx s = 0;
    for (std::size_t row = 0; row < dim; ++row) {
      cplx mv = 0;
      for (std::size_t c = 0; c < dim; ++c) mv += matrix[row * dim + c] * cplx(r[b | offset[c]]);
      s += cplx(std::conj(l[b | offset[row]])) * mv;
    }
    return s;
  });
}

template class StateVector<float>;
template class StateVector<double>;

}  // namespace qnn
