#include "qnn/sim/density_matrix.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/memory.hpp"
#include "qnn/core/parallel.hpp"
#include "pauli_phase.hpp"

namespace qnn {

namespace {

// Qubit lists of one operation, shifted onto the bra half without allocating.
struct QubitList {
  std::array<unsigned, 64> q{};
  std::size_t size = 0;
  [[nodiscard]] std::span<const unsigned> span() const { return {q.data(), size}; }
  void push(unsigned v) { q[size++] = v; }
};

// A qubit ≥ n is a valid vector qubit (a bra qubit), so ρ's qubit range is checked here, before the kernels see it.
void check_qubits(unsigned n, std::span<const unsigned> a, std::span<const unsigned> b = {}) {
  if (a.empty()) throw ValueError("an operation on a density matrix needs at least one qubit");
  index_t seen = 0;
  for (const auto qubits : {a, b})
    for (unsigned q : qubits) {
      if (q >= n) throw ValueError("qubit " + std::to_string(q) + " out of range [0, " + std::to_string(n) + ")");
      if (seen >> q & 1U) throw ValueError("qubit " + std::to_string(q) + " used twice in one operation");
      seen |= index_t{1} << q;
    }
}

}  // namespace

std::vector<cplx> superoperator_from_kraus(unsigned num_qubits, std::span<const std::vector<cplx>> kraus) {
  const std::size_t d = std::size_t{1} << num_qubits, sd = d * d;
  std::vector<cplx> s(sd * sd, cplx(0));
  for (const std::vector<cplx>& k : kraus) {
    if (k.size() != sd) {
      throw ValueError("a Kraus operator on " + std::to_string(num_qubits) + " qubits needs " + std::to_string(sd) +
                       " entries, got " + std::to_string(k.size()));
    }
    for (std::size_t rk = 0; rk < d; ++rk)
      for (std::size_t rb = 0; rb < d; ++rb)
        for (std::size_t ck = 0; ck < d; ++ck)
          for (std::size_t cb = 0; cb < d; ++cb)
            s[(rk + rb * d) * sd + ck + cb * d] += k[rk * d + ck] * std::conj(k[rb * d + cb]);
  }
  return s;
}

template <Real T>
std::uint64_t DensityMatrix<T>::bytes_needed(unsigned num_qubits) {
  return StateVector<T>::bytes_needed(2 * num_qubits);
}

template <Real T>
StateVector<T> DensityMatrix<T>::allocate(unsigned num_qubits) {
  if (num_qubits > kMaxQubits || allocation_needs_check(bytes_needed(num_qubits))) {
    const std::string what = "a density matrix of " + std::to_string(num_qubits) + " qubits (" +
                             (sizeof(T) == 8 ? "double" : "single") + " precision)";
    if (num_qubits > kMaxQubits) {
      throw ResourceError(what + " needs " + format_bytes(double(bytes_needed(num_qubits))) + "; at most " +
                          std::to_string(kMaxQubits) + " qubits are supported (use trajectories)");
    }
    check_allocation(bytes_needed(num_qubits), what);
  }
  return StateVector<T>(2 * num_qubits);
}

template <Real T>
DensityMatrix<T>::DensityMatrix(unsigned num_qubits) : n_(num_qubits), vec_(allocate(num_qubits)) {}

template <Real T>
DensityMatrix<T> DensityMatrix<T>::from_state(const StateVector<T>& psi) {
  const unsigned n = psi.num_qubits();
  DensityMatrix rho(n, allocate(n));
  const value_type* a = psi.data();
  value_type* v = rho.vec_.data();
  const index_t dim = index_t{1} << n;
  // ρ_{r,c} = ψ_r conj(ψ_c); column c is a contiguous run of 2^n entries.
  parallel_for(dim, [=](index_t c) {
    const value_type cc = std::conj(a[c]);
    for (index_t r = 0; r < dim; ++r) v[r + (c << n)] = a[r] * cc;
  }, dim);
  return rho;
}

template <Real T>
typename DensityMatrix<T>::value_type DensityMatrix<T>::element(index_t row, index_t col) const {
  if (row >= dimension() || col >= dimension()) {
    throw ValueError("density-matrix element (" + std::to_string(row) + ", " + std::to_string(col) +
                     ") out of range [0, " + std::to_string(dimension()) + ")");
  }
  return vec_[row + (col << n_)];
}

template <Real T>
void DensityMatrix<T>::apply_matrix(std::span<const unsigned> targets, std::span<const cplx> matrix,
                                    std::span<const unsigned> controls) {
  check_qubits(n_, targets, controls);
  const std::size_t k = targets.size(), d = std::size_t{1} << k;
  if (matrix.size() != d * d) {
    throw ValueError("a gate on " + std::to_string(k) + " qubits needs a " + std::to_string(d) + "x" +
                     std::to_string(d) + " matrix, got " + std::to_string(matrix.size()) + " entries");
  }
  if (k == 1 && controls.empty()) {
    // One pass: S[rk + 2 rb, ck + 2 cb] = U[rk, ck] · conj(U[rb, cb]) on (t, t + n).
    std::array<cplx, 16> s;
    for (unsigned rk = 0; rk < 2; ++rk)
      for (unsigned rb = 0; rb < 2; ++rb)
        for (unsigned ck = 0; ck < 2; ++ck)
          for (unsigned cb = 0; cb < 2; ++cb) s[(rk + 2 * rb) * 4 + ck + 2 * cb] = matrix[rk * 2 + ck] * std::conj(matrix[rb * 2 + cb]);
    const unsigned q[2] = {targets[0], targets[0] + n_};
    vec_.apply_matrix(q, s);
    return;
  }
  vec_.apply_matrix(targets, matrix, controls);
  QubitList bt, bc;
  for (unsigned t : targets) bt.push(t + n_);
  for (unsigned c : controls) bc.push(c + n_);
  std::array<cplx, 16> small;
  std::vector<cplx> large;
  std::span<const cplx> conj_m;
  if (matrix.size() <= small.size()) {
    std::transform(matrix.begin(), matrix.end(), small.begin(), [](cplx z) { return std::conj(z); });
    conj_m = std::span<const cplx>(small.data(), matrix.size());
  } else {
    large.resize(matrix.size());
    std::transform(matrix.begin(), matrix.end(), large.begin(), [](cplx z) { return std::conj(z); });
    conj_m = large;
  }
  vec_.apply_matrix(bt.span(), conj_m, bc.span());
}

template <Real T>
void DensityMatrix<T>::apply_superoperator(std::span<const unsigned> qubits, std::span<const cplx> superop) {
  check_qubits(n_, qubits);
  const std::size_t k = qubits.size(), sd = std::size_t{1} << (2 * k);
  if (superop.size() != sd * sd) {
    throw ValueError("a superoperator on " + std::to_string(k) + " qubits needs " + std::to_string(sd) + "x" +
                     std::to_string(sd) + " entries, got " + std::to_string(superop.size()));
  }
  QubitList q;
  for (unsigned t : qubits) q.push(t);
  for (unsigned t : qubits) q.push(t + n_);
  vec_.apply_matrix(q.span(), superop);
}

template <Real T>
void DensityMatrix<T>::apply_kraus(std::span<const unsigned> qubits, std::span<const std::vector<cplx>> kraus) {
  check_qubits(n_, qubits);
  apply_superoperator(qubits, superoperator_from_kraus(static_cast<unsigned>(qubits.size()), kraus));
}

template <Real T>
double DensityMatrix<T>::trace() const {
  const value_type* v = vec_.data();
  const index_t step = dimension() + 1;  // ρ_{r,r} sits at r + (r << n) = r (2^n + 1)
  return parallel_sum<double>(dimension(), [=](index_t r) { return double(v[r * step].real()); });
}

template <Real T>
double DensityMatrix<T>::purity() const {
  return vec_.norm_squared();
}

template <Real T>
std::vector<double> DensityMatrix<T>::probabilities() const {
  std::vector<double> p(dimension());
  const value_type* v = vec_.data();
  const index_t step = dimension() + 1;
  // Rounding can leave a diagonal entry a hair below zero; a probability cannot be.
  for (index_t r = 0; r < dimension(); ++r) p[r] = std::max(0.0, double(v[r * step].real()));
  return p;
}

template <Real T>
std::vector<index_t> DensityMatrix<T>::sample(std::uint64_t shots, Rng& rng) const {
  std::vector<double> cdf = probabilities();
  double total = 0;
  for (double& c : cdf) {
    total += c;
    c = total;
  }
  if (!(total > 0)) throw ValueError("cannot sample from a density matrix of trace zero");
  std::vector<index_t> out(shots);
  for (auto& o : out) {
    auto it = std::upper_bound(cdf.begin(), cdf.end(), rng.uniform() * total);
    if (it == cdf.end()) --it;
    o = static_cast<index_t>(it - cdf.begin());
  }
  return out;
}

template <Real T>
double DensityMatrix<T>::expectation(const PauliMasks& p) const {
  if (n_ < 64 && ((p.x | p.z) >> n_) != 0) {
    throw ValueError("Pauli string acts on a qubit beyond the density matrix's " + std::to_string(n_));
  }
  const value_type* v = vec_.data();
  const index_t x = p.x, z = p.z;
  const unsigned n = n_;
  const cplx s = parallel_sum<cplx>(dimension(), [=](index_t r) {
    const cplx e(v[r + ((r ^ x) << n)]);
    return parity(r & z) ? -e : e;
  });
  return (i_power(p.num_y()) * s).real();
}

template <Real T>
DensityMatrix<T> DensityMatrix<T>::partial_trace(std::span<const unsigned> keep) const {
  if (!keep.empty()) check_qubits(n_, keep);
  const auto m = static_cast<unsigned>(keep.size());
  std::vector<unsigned> traced;
  for (unsigned q = 0; q < n_; ++q)
    if (std::find(keep.begin(), keep.end(), q) == keep.end()) traced.push_back(q);
  // Spread the bits of a (over `keep`) and b (over `traced`) into a full n-qubit index.
  auto spread = [](index_t bits, const auto& positions) {
    index_t i = 0;
    for (std::size_t j = 0; j < positions.size(); ++j) i |= (bits >> j & 1U) << positions[j];
    return i;
  };
  DensityMatrix out(m);
  const index_t dk = index_t{1} << m, db = index_t{1} << traced.size();
  for (index_t a = 0; a < dk; ++a)
    for (index_t ap = 0; ap < dk; ++ap) {
      const index_t ra = spread(a, keep), ca = spread(ap, keep);
      cplx s = 0;
      for (index_t b = 0; b < db; ++b) {
        const index_t e = spread(b, traced);
        s += cplx(vec_[(ra | e) + ((ca | e) << n_)]);
      }
      out.vec_[a + (ap << m)] = value_type(s);
    }
  return out;
}

template class DensityMatrix<float>;
template class DensityMatrix<double>;

}  // namespace qnn
