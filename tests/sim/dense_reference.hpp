#pragma once
// A tiny dense reference simulator for the tests, independent of qnn's kernels: a gate becomes its full
// 2^n × 2^n matrix, built by enumerating basis states, and is multiplied onto a plain std::vector of amplitudes.
//
// Conventions (qnn's): qubit k of the n-qubit register is bit k of a basis index (little-endian). A small matrix acts
// on an ordered list of qubits; its row/column index is read either little-endian (bit j = state of qubits[j], qnn's
// convention for gate matrices) or big-endian (qubits[0] is the most significant bit, the textbook convention in
// which e.g. CNOT = [[1,0,0,0],[0,1,0,0],[0,0,0,1],[0,0,1,0]] with qubits = (control, target)).
#include <cmath>
#include <complex>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <vector>

namespace qnn::dense {

using cplx = std::complex<double>;
using Vec = std::vector<cplx>;

/// A square complex matrix, row-major.
struct Mat {
  std::size_t dim = 0;
  std::vector<cplx> a;

  Mat() = default;
  explicit Mat(std::size_t d) : dim(d), a(d * d) {}
  /// From row-major entries (dim = √size).
  Mat(std::initializer_list<cplx> entries) : a(entries) {
    dim = static_cast<std::size_t>(std::lround(std::sqrt(double(a.size()))));
    if (dim * dim != a.size()) throw std::invalid_argument("Mat: entry count is not a square");
  }
  static Mat from(std::span<const cplx> entries) {
    Mat m;
    m.a.assign(entries.begin(), entries.end());
    m.dim = static_cast<std::size_t>(std::lround(std::sqrt(double(m.a.size()))));
    if (m.dim * m.dim != m.a.size()) throw std::invalid_argument("Mat: entry count is not a square");
    return m;
  }
  static Mat identity(std::size_t d) {
    Mat m(d);
    for (std::size_t i = 0; i < d; ++i) m(i, i) = 1;
    return m;
  }
  cplx& operator()(std::size_t r, std::size_t c) { return a[r * dim + c]; }
  cplx operator()(std::size_t r, std::size_t c) const { return a[r * dim + c]; }
};

enum class Order { LittleEndian, BigEndian };

inline Mat operator*(const Mat& x, const Mat& y) {
  if (x.dim != y.dim) throw std::invalid_argument("Mat: dimension mismatch");
  Mat r(x.dim);
  for (std::size_t i = 0; i < x.dim; ++i)
    for (std::size_t k = 0; k < x.dim; ++k) {
      const cplx xik = x(i, k);
      if (xik == cplx(0)) continue;
      for (std::size_t j = 0; j < x.dim; ++j) r(i, j) += xik * y(k, j);
    }
  return r;
}

inline Mat operator*(cplx s, Mat m) {
  for (cplx& v : m.a) v *= s;
  return m;
}

inline Mat operator+(Mat x, const Mat& y) {
  for (std::size_t i = 0; i < x.a.size(); ++i) x.a[i] += y.a.at(i);
  return x;
}

inline Mat operator-(Mat x, const Mat& y) {
  for (std::size_t i = 0; i < x.a.size(); ++i) x.a[i] -= y.a.at(i);
  return x;
}

inline Mat adjoint(const Mat& m) {
  Mat r(m.dim);
  for (std::size_t i = 0; i < m.dim; ++i)
    for (std::size_t j = 0; j < m.dim; ++j) r(i, j) = std::conj(m(j, i));
  return r;
}

/// max_ij |x_ij − y_ij| (infinite if the shapes differ).
inline double max_diff(const Mat& x, const Mat& y) {
  if (x.dim != y.dim) return INFINITY;
  double d = 0;
  for (std::size_t i = 0; i < x.a.size(); ++i) d = std::max(d, std::abs(x.a[i] - y.a[i]));
  return d;
}

inline double max_diff(std::span<const cplx> x, std::span<const cplx> y) {
  if (x.size() != y.size()) return INFINITY;
  double d = 0;
  for (std::size_t i = 0; i < x.size(); ++i) d = std::max(d, std::abs(x[i] - y[i]));
  return d;
}

/// Kronecker product a ⊗ b (textbook, big-endian: a acts on the more significant qubits).
inline Mat kron(const Mat& x, const Mat& y) {
  Mat r(x.dim * y.dim);
  for (std::size_t i = 0; i < x.dim; ++i)
    for (std::size_t j = 0; j < x.dim; ++j)
      for (std::size_t k = 0; k < y.dim; ++k)
        for (std::size_t l = 0; l < y.dim; ++l) r(i * y.dim + k, j * y.dim + l) = x(i, j) * y(k, l);
  return r;
}

/// The local index of basis state `global` on `qubits` (bit order per `order`).
inline std::size_t local_index(std::uint64_t global, std::span<const unsigned> qubits, Order order) {
  const std::size_t k = qubits.size();
  std::size_t l = 0;
  for (std::size_t j = 0; j < k; ++j) {
    const std::size_t bit = order == Order::LittleEndian ? j : k - 1 - j;
    l |= static_cast<std::size_t>((global >> qubits[j]) & 1U) << bit;
  }
  return l;
}

/// `global` with the bits of `qubits` replaced by local index `l`.
inline std::uint64_t with_local_index(std::uint64_t global, std::span<const unsigned> qubits, Order order,
                                      std::size_t l) {
  const std::size_t k = qubits.size();
  for (std::size_t j = 0; j < k; ++j) {
    const std::size_t bit = order == Order::LittleEndian ? j : k - 1 - j;
    const std::uint64_t q = std::uint64_t{1} << qubits[j];
    global = ((l >> bit) & 1U) ? (global | q) : (global & ~q);
  }
  return global;
}

inline bool controls_set(std::uint64_t i, std::span<const unsigned> controls) {
  for (unsigned c : controls)
    if (((i >> c) & 1U) == 0) return false;
  return true;
}

/// The full 2^n × 2^n matrix of `m` acting on `qubits` (read per `order`), applied only where every qubit in
/// `controls` is 1. Elsewhere the operator is the identity, or zero if `identity_elsewhere` is false (the "C(M)"
/// operator of StateVector::matrix_element). Built column by column: for each input basis state |c⟩, its image.
inline Mat embed(unsigned n, std::span<const unsigned> qubits, const Mat& m, std::span<const unsigned> controls = {},
                 Order order = Order::LittleEndian, bool identity_elsewhere = true) {
  if (m.dim != (std::size_t{1} << qubits.size())) throw std::invalid_argument("embed: matrix size vs qubits");
  const std::size_t N = std::size_t{1} << n;
  Mat u(N);
  for (std::uint64_t c = 0; c < N; ++c) {
    if (!controls_set(c, controls)) {
      if (identity_elsewhere) u(c, c) = 1;
      continue;
    }
    const std::size_t lc = local_index(c, qubits, order);
    for (std::size_t lr = 0; lr < m.dim; ++lr) u(with_local_index(c, qubits, order, lr), c) += m(lr, lc);
  }
  return u;
}

inline Vec apply(const Mat& u, const Vec& psi) {
  if (u.dim != psi.size()) throw std::invalid_argument("apply: size mismatch");
  Vec out(psi.size());
  for (std::size_t r = 0; r < u.dim; ++r) {
    cplx s = 0;
    for (std::size_t c = 0; c < u.dim; ++c) s += u(r, c) * psi[c];
    out[r] = s;
  }
  return out;
}

/// ψ ← (gate embedded) ψ without forming the 2^n × 2^n matrix (same enumeration, for states too big for `embed`).
inline void apply_gate(Vec& psi, std::span<const unsigned> qubits, const Mat& m, std::span<const unsigned> controls = {},
                       Order order = Order::LittleEndian) {
  Vec out(psi.size(), cplx(0));
  for (std::uint64_t c = 0; c < psi.size(); ++c) {
    if (psi[c] == cplx(0)) continue;
    if (!controls_set(c, controls)) {
      out[c] += psi[c];
      continue;
    }
    const std::size_t lc = local_index(c, qubits, order);
    for (std::size_t lr = 0; lr < m.dim; ++lr) out[with_local_index(c, qubits, order, lr)] += m(lr, lc) * psi[c];
  }
  psi.swap(out);
}

inline cplx inner(const Vec& a, const Vec& b) {
  cplx s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += std::conj(a[i]) * b[i];
  return s;
}

inline double norm_squared(const Vec& a) { return inner(a, a).real(); }

/// Textbook single-qubit Paulis.
inline Mat pauli(char p) {
  const cplx i(0, 1);
  switch (p) {
    case 'I': return {1, 0, 0, 1};
    case 'X': return {0, 1, 1, 0};
    case 'Y': return {0, -i, i, 0};
    case 'Z': return {1, 0, 0, -1};
    default: throw std::invalid_argument("pauli: unknown letter");
  }
}

/// The dense 2^n × 2^n matrix of a Pauli string given as (qubit, letter) pairs.
template <class Factors>
Mat pauli_string(unsigned n, const Factors& factors) {
  Mat p = Mat::identity(std::size_t{1} << n);
  for (const auto& [q, letter] : factors) {
    const unsigned qs[1] = {q};
    p = embed(n, qs, pauli(letter)) * p;
  }
  return p;
}

}  // namespace qnn::dense
