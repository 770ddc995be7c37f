#include "qnn/noise/readout_error.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "qnn/core/error.hpp"

namespace qnn {

namespace {

using Mat2 = std::array<double, 4>;  // row-major [m00, m01, m10, m11]

// A_q (columns: true bit, rows: bit read).
Mat2 confusion(const ReadoutError& e) {
  return {1 - e.p1_given_0, e.p0_given_1, e.p1_given_0, 1 - e.p0_given_1};
}
Mat2 inverse(const Mat2& m) {
  const double det = m[0] * m[3] - m[1] * m[2];
  return {m[3] / det, -m[1] / det, -m[2] / det, m[0] / det};
}
Mat2 transpose(const Mat2& m) { return {m[0], m[2], m[1], m[3]}; }

// v ← (M_{n−1} ⊗ … ⊗ M_0) v, one 2×2 pass per qubit.
void apply_tensor(std::vector<double>& v, std::span<const Mat2> per_qubit) {
  const index_t size = v.size();
  for (std::size_t q = 0; q < per_qubit.size(); ++q) {
    const Mat2& m = per_qubit[q];
    const index_t bit = index_t{1} << q;
    for (index_t i = 0; i < size / 2; ++i) {
      const index_t i0 = insert_zero_bit(i, static_cast<unsigned>(q)), i1 = i0 | bit;
      const double a = v[i0], b = v[i1];
      v[i0] = m[0] * a + m[1] * b;
      v[i1] = m[2] * a + m[3] * b;
    }
  }
}

void check_sizes(std::size_t size, std::span<const ReadoutError> errors) {
  if (errors.size() >= 63 || size != (index_t{1} << errors.size())) {
    throw ValueError("a distribution over " + std::to_string(errors.size()) + " qubits has 2^" +
                     std::to_string(errors.size()) + " entries, got " + std::to_string(size));
  }
  for (const ReadoutError& e : errors) validate(e);
}

}  // namespace

void validate(const ReadoutError& e) {
  for (double p : {e.p1_given_0, e.p0_given_1}) {
    if (!(p >= 0 && p <= 1)) throw ValueError("readout error probability " + std::to_string(p) + " not in [0, 1]");
  }
  // det A_q = 1 − p(1|0) − p(0|1); near 0 the read bit is independent of the true one and nothing can be recovered.
  if (std::abs(1 - e.p1_given_0 - e.p0_given_1) < 1e-12) {
    throw ValueError("readout error p(1|0) + p(0|1) = 1 makes the readout independent of the state: not invertible");
  }
}

std::vector<double> apply_readout_error(std::span<const double> probabilities, std::span<const ReadoutError> errors) {
  check_sizes(probabilities.size(), errors);
  std::vector<Mat2> m;
  for (const ReadoutError& e : errors) m.push_back(confusion(e));
  std::vector<double> q(probabilities.begin(), probabilities.end());
  apply_tensor(q, m);
  return q;
}

std::vector<index_t> apply_readout_error(std::span<const index_t> shots, std::span<const ReadoutError> errors,
                                         Rng& rng) {
  for (const ReadoutError& e : errors) validate(e);
  std::vector<index_t> out(shots.begin(), shots.end());
  for (index_t& s : out) {
    for (std::size_t q = 0; q < errors.size(); ++q) {
      const index_t bit = index_t{1} << q;
      const double flip = (s & bit) ? errors[q].p0_given_1 : errors[q].p1_given_0;
      if (rng.uniform() < flip) s ^= bit;
    }
  }
  return out;
}

std::vector<double> counts_to_probabilities(std::span<const index_t> shots, unsigned num_qubits) {
  if (num_qubits >= 63) throw ValueError("too many qubits for a distribution: " + std::to_string(num_qubits));
  const index_t size = index_t{1} << num_qubits;
  std::vector<double> p(size, 0.0);
  if (shots.empty()) throw ValueError("no shots to count");
  for (index_t s : shots) {
    if (s >= size) throw ValueError("outcome " + std::to_string(s) + " out of range for " + std::to_string(num_qubits) +
                                    " qubits");
    p[s] += 1.0;
  }
  for (double& v : p) v /= double(shots.size());
  return p;
}

std::vector<double> project_to_simplex(std::span<const double> v) {
  // The projection is max(v_i − τ, 0) with τ chosen so the result sums to 1: sort descending and find the largest k
  // with u_k − (Σ_{j≤k} u_j − 1)/k > 0.
  std::vector<double> u(v.begin(), v.end());
  std::sort(u.begin(), u.end(), std::greater<>());
  double sum = 0, tau = 0;
  for (std::size_t k = 0; k < u.size(); ++k) {
    sum += u[k];
    const double t = (sum - 1) / double(k + 1);
    if (u[k] - t > 0) tau = t;
  }
  std::vector<double> p(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) p[i] = std::max(v[i] - tau, 0.0);
  return p;
}

std::vector<double> mitigate_readout(std::span<const double> measured, std::span<const ReadoutError> errors,
                                     ReadoutMitigation method) {
  check_sizes(measured.size(), errors);
  std::vector<Mat2> a, at, ainv;
  double lipschitz = 1;  // ‖AᵀA‖₂ = Π_q σ_max(A_q)²
  for (const ReadoutError& e : errors) {
    const Mat2 m = confusion(e);
    a.push_back(m);
    at.push_back(transpose(m));
    ainv.push_back(inverse(m));
    // σ_max² = largest eigenvalue of AᵀA = (tr + √(tr² − 4 det²))/2 for a 2×2 matrix.
    const double tr = m[0] * m[0] + m[1] * m[1] + m[2] * m[2] + m[3] * m[3];
    const double det = m[0] * m[3] - m[1] * m[2];
    lipschitz *= 0.5 * (tr + std::sqrt(std::max(tr * tr - 4 * det * det, 0.0)));
  }
  std::vector<double> p(measured.begin(), measured.end());
  apply_tensor(p, ainv);
  if (method == ReadoutMitigation::Inverse) return p;
  const bool valid = std::all_of(p.begin(), p.end(), [](double v) { return v >= 0; });
  if (valid && method == ReadoutMitigation::Auto) return p;

  // min ½‖A p − q‖² over the simplex by accelerated projected gradient (FISTA, step 1/L): the objective is convex, so
  // this converges to the global constrained optimum; starting at the projection of A⁻¹q (the unconstrained optimum)
  // it needs few steps when A is near the identity, as readout confusion is.
  p = project_to_simplex(p);
  std::vector<double> y = p, prev = p, r(p.size());
  double t = 1;
  for (int iter = 0; iter < 5000; ++iter) {
    r = y;
    apply_tensor(r, a);
    for (std::size_t i = 0; i < r.size(); ++i) r[i] -= measured[i];
    apply_tensor(r, at);  // ∇ = Aᵀ(A y − q)
    for (std::size_t i = 0; i < r.size(); ++i) r[i] = y[i] - r[i] / lipschitz;
    p = project_to_simplex(r);
    double change = 0;
    for (std::size_t i = 0; i < p.size(); ++i) change = std::max(change, std::abs(p[i] - prev[i]));
    if (change < 1e-14) break;
    const double t_next = 0.5 * (1 + std::sqrt(1 + 4 * t * t));
    for (std::size_t i = 0; i < p.size(); ++i) y[i] = p[i] + (t - 1) / t_next * (p[i] - prev[i]);
    t = t_next;
    prev = p;
  }
  return p;
}

std::vector<ReadoutError> readout_errors(const NoiseModel& model, unsigned num_qubits) {
  std::vector<ReadoutError> e(num_qubits);
  for (unsigned q = 0; q < num_qubits; ++q) e[q] = model.readout_error(q);
  return e;
}

double readout_z_expectation(double z, const ReadoutError& e) {
  return (e.p0_given_1 - e.p1_given_0) + (1 - e.p1_given_0 - e.p0_given_1) * z;
}

double mitigate_z_expectation(double z_read, const ReadoutError& e) {
  validate(e);
  return (z_read - (e.p0_given_1 - e.p1_given_0)) / (1 - e.p1_given_0 - e.p0_given_1);
}

}  // namespace qnn
