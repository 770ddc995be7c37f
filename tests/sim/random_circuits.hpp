#pragma once
// Random states, unitaries and circuits for the tests, plus each operation's dense matrix from the TEXTBOOK table
// (tests/sim/textbook_gates.hpp), so a circuit can be replayed on the dense reference simulator.
#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/sim/state_vector.hpp"
#include "sim/dense_reference.hpp"
#include "sim/textbook_gates.hpp"

namespace qnn::testkit {

using dense::cplx;
using dense::Mat;
using dense::Vec;

/// A normalised random state of n qubits (complex Gaussian amplitudes).
inline Vec random_state(unsigned n, Rng& rng) {
  Vec v(std::size_t{1} << n);
  double s = 0;
  for (cplx& a : v) {
    a = cplx(rng.normal(), rng.normal());
    s += std::norm(a);
  }
  for (cplx& a : v) a /= std::sqrt(s);
  return v;
}

/// A Haar-ish random 2^k × 2^k unitary: Gram–Schmidt (twice) on complex Gaussian columns.
inline Mat random_unitary(unsigned k, Rng& rng) {
  const std::size_t d = std::size_t{1} << k;
  Mat m(d);
  for (cplx& a : m.a) a = cplx(rng.normal(), rng.normal());
  for (std::size_t c = 0; c < d; ++c) {
    for (int pass = 0; pass < 2; ++pass) {
      for (std::size_t p = 0; p < c; ++p) {
        cplx dot = 0;
        for (std::size_t r = 0; r < d; ++r) dot += std::conj(m(r, p)) * m(r, c);
        for (std::size_t r = 0; r < d; ++r) m(r, c) -= dot * m(r, p);
      }
    }
    double nrm = 0;
    for (std::size_t r = 0; r < d; ++r) nrm += std::norm(m(r, c));
    nrm = std::sqrt(nrm);
    for (std::size_t r = 0; r < d; ++r) m(r, c) /= nrm;
  }
  return m;
}

template <Real T>
StateVector<T> to_state(const Vec& v) {
  std::vector<complex<T>> a(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) a[i] = complex<T>(v[i]);
  return StateVector<T>::from_amplitudes(a);
}

template <Real T>
Vec to_vec(const StateVector<T>& s) {
  Vec v(s.size());
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = cplx(s[i]);
  return v;
}

/// `count` distinct qubits of [0, n) in random order.
inline std::vector<unsigned> random_qubits(unsigned n, unsigned count, Rng& rng) {
  std::vector<unsigned> q(n);
  for (unsigned i = 0; i < n; ++i) q[i] = i;
  rng.shuffle(q);
  q.resize(count);
  return q;
}

struct RandomCircuitOptions {
  /// Repeats of the pass over the gate table (each pass adds every gate kind that fits once).
  unsigned passes = 2;
  /// Most extra controls to add to a gate.
  unsigned max_extra_controls = 2;
  /// Add user unitaries on 1, 2 and 3 targets (those that fit).
  bool unitaries = true;
  /// Only gate kinds with parameters (plus unitaries if enabled) — else every kind.
  bool only_parameterised = false;
  /// Angle of parameter p of a gate (default: a random constant in [−π, π)).
  std::function<Expr(Rng&)> angle;
};

/// A random circuit on n qubits with every gate kind of the table (except Unitary) that fits, each on a random
/// ordering of distinct qubits with 0..max_extra_controls random extra controls, interleaved with random unitaries.
inline Circuit random_circuit(unsigned n, Rng& rng, const RandomCircuitOptions& opt = {}) {
  Circuit c(n);
  std::vector<GateKind> kinds;
  for (const GateInfo& g : gate_table()) {
    if (g.kind == GateKind::Unitary || g.num_qubits > n) continue;
    if (opt.only_parameterised && g.num_params == 0) continue;
    kinds.push_back(g.kind);
  }
  for (unsigned pass = 0; pass < opt.passes; ++pass) {
    rng.shuffle(kinds);
    for (GateKind k : kinds) {
      const GateInfo& g = gate_info(k);
      const unsigned room = n - g.num_qubits;
      const unsigned extra = static_cast<unsigned>(rng.below(std::min(room, opt.max_extra_controls) + 1));
      std::vector<unsigned> q = random_qubits(n, g.num_qubits + extra, rng);
      std::vector<unsigned> controls(q.begin() + g.num_qubits, q.end());
      q.resize(g.num_qubits);
      std::vector<Expr> params;
      for (unsigned p = 0; p < g.num_params; ++p)
        params.push_back(opt.angle ? opt.angle(rng) : Expr(rng.uniform(-std::numbers::pi, std::numbers::pi)));
      c.add(k, q, params, controls);
    }
    if (opt.unitaries) {
      for (unsigned k = 1; k <= std::min(3U, n); ++k) {
        const unsigned room = n - k;
        const unsigned extra = static_cast<unsigned>(rng.below(std::min(room, opt.max_extra_controls) + 1));
        std::vector<unsigned> q = random_qubits(n, k + extra, rng);
        std::vector<unsigned> controls(q.begin() + k, q.end());
        q.resize(k);
        c.unitary(q, random_unitary(k, rng).a, controls);
      }
    }
  }
  return c;
}

/// The textbook matrix (big-endian over op.qubits) of a table operation at bound angles, or the user matrix
/// (little-endian over op.qubits) of a Unitary; `order` says which.
inline Mat op_matrix(const Operation& op, const std::vector<double>& angles, dense::Order& order) {
  if (op.kind == GateKind::Unitary) {
    order = dense::Order::LittleEndian;
    return Mat::from(*op.matrix);
  }
  const std::string name(gate_info(op.kind).name);
  const textbook::Gate* g = textbook::find(name);
  if (g == nullptr) throw std::runtime_error("no textbook matrix for gate '" + name + "'");
  order = dense::Order::BigEndian;
  return g->matrix(angles);
}

/// The full 2^n × 2^n matrix of one operation at bound angles, from the textbook.
inline Mat dense_op(unsigned n, const Operation& op, const std::vector<double>& angles) {
  dense::Order order{};
  const Mat m = op_matrix(op, angles, order);
  return dense::embed(n, op.qubits, m, op.controls, order);
}

/// Run `c` on the dense reference from `psi`, with angles evaluated at (θ, x).
inline Vec dense_run(const Circuit& c, Vec psi, std::span<const double> theta = {}, std::span<const double> x = {}) {
  for (const Operation& op : c.ops()) {
    std::vector<double> angles;
    for (const Expr& e : op.params) angles.push_back(e.eval(theta, x));
    psi = dense::apply(dense_op(c.num_qubits(), op, angles), psi);
  }
  return psi;
}

}  // namespace qnn::testkit
