#pragma once
// Textbook matrices of every named gate, typed in by hand for the tests (never read from qnn's gate table).
//
// Each matrix is the FULL matrix on all of the gate's qubits, controls included, in textbook BIG-endian order over
// the gate's qubit list: qubits (q_0, q_1, …) with q_0 the most significant bit, so CX(control, target) is
// [[1,0,0,0],[0,1,0,0],[0,0,0,1],[0,0,1,0]]. Use dense::embed(n, qubits, M, {}, Order::BigEndian) to place one.
#include <cmath>
#include <functional>
#include <map>
#include <numbers>
#include <string>
#include <vector>

#include "sim/dense_reference.hpp"

namespace qnn::textbook {

using dense::cplx;
using dense::Mat;

struct Gate {
  unsigned num_qubits;
  unsigned num_params;
  std::function<Mat(const std::vector<double>&)> matrix;
};

/// diag(I, M): M controlled on one more (most significant) qubit.
inline Mat controlled(const Mat& m) {
  Mat r = Mat::identity(2 * m.dim);
  for (std::size_t i = 0; i < m.dim; ++i)
    for (std::size_t j = 0; j < m.dim; ++j) r(m.dim + i, m.dim + j) = m(i, j);
  return r;
}

inline Mat rx(double t) {
  const double c = std::cos(t / 2), s = std::sin(t / 2);
  const cplx i(0, 1);
  return {c, -i * s, -i * s, c};
}
inline Mat ry(double t) {
  const double c = std::cos(t / 2), s = std::sin(t / 2);
  return {c, -s, s, c};
}
inline Mat rz(double t) { return {std::exp(cplx(0, -t / 2)), 0, 0, std::exp(cplx(0, t / 2))}; }
inline Mat phase(double l) { return {1, 0, 0, std::exp(cplx(0, l))}; }

/// name (OpenQASM, as in the gate table) → textbook gate.
inline const std::map<std::string, Gate>& gates() {
  static const std::map<std::string, Gate> table = [] {
    using V = std::vector<double>;
    const cplx i(0, 1);
    const double r = 1 / std::sqrt(2.0);
    std::map<std::string, Gate> g;
    g["id"] = {1, 0, [](const V&) { return Mat{1, 0, 0, 1}; }};
    g["x"] = {1, 0, [](const V&) { return Mat{0, 1, 1, 0}; }};
    g["y"] = {1, 0, [i](const V&) { return Mat{0, -i, i, 0}; }};
    g["z"] = {1, 0, [](const V&) { return Mat{1, 0, 0, -1}; }};
    g["h"] = {1, 0, [r](const V&) { return Mat{r, r, r, -r}; }};
    g["s"] = {1, 0, [i](const V&) { return Mat{1, 0, 0, i}; }};
    g["sdg"] = {1, 0, [i](const V&) { return Mat{1, 0, 0, -i}; }};
    g["t"] = {1, 0, [r](const V&) { return Mat{1, 0, 0, cplx(r, r)}; }};
    g["tdg"] = {1, 0, [r](const V&) { return Mat{1, 0, 0, cplx(r, -r)}; }};
    // √X = ½[[1+i, 1−i], [1−i, 1+i]]
    g["sx"] = {1, 0, [](const V&) { return Mat{cplx(0.5, 0.5), cplx(0.5, -0.5), cplx(0.5, -0.5), cplx(0.5, 0.5)}; }};
    g["sxdg"] = {1, 0, [](const V&) { return Mat{cplx(0.5, -0.5), cplx(0.5, 0.5), cplx(0.5, 0.5), cplx(0.5, -0.5)}; }};
    g["rx"] = {1, 1, [](const V& p) { return rx(p[0]); }};
    g["ry"] = {1, 1, [](const V& p) { return ry(p[0]); }};
    g["rz"] = {1, 1, [](const V& p) { return rz(p[0]); }};
    g["p"] = {1, 1, [](const V& p) { return phase(p[0]); }};
    // U(θ, φ, λ) = [[cos(θ/2), −e^{iλ} sin(θ/2)], [e^{iφ} sin(θ/2), e^{i(φ+λ)} cos(θ/2)]]
    g["u"] = {1, 3, [](const V& p) {
                const double c = std::cos(p[0] / 2), s = std::sin(p[0] / 2);
                return Mat{c, -std::exp(cplx(0, p[2])) * s, std::exp(cplx(0, p[1])) * s,
                           std::exp(cplx(0, p[1] + p[2])) * c};
              }};
    g["cx"] = {2, 0, [](const V&) { return Mat{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0}; }};
    g["cy"] = {2, 0, [i](const V&) { return Mat{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, -i, 0, 0, i, 0}; }};
    g["cz"] = {2, 0, [](const V&) { return Mat{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, -1}; }};
    g["ch"] = {2, 0, [r](const V&) { return Mat{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, r, r, 0, 0, r, -r}; }};
    g["swap"] = {2, 0, [](const V&) { return Mat{1, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 1}; }};
    g["iswap"] = {2, 0, [i](const V&) { return Mat{1, 0, 0, 0, 0, 0, i, 0, 0, i, 0, 0, 0, 0, 0, 1}; }};
    g["crx"] = {2, 1, [](const V& p) { return controlled(rx(p[0])); }};
    g["cry"] = {2, 1, [](const V& p) { return controlled(ry(p[0])); }};
    g["crz"] = {2, 1, [](const V& p) { return controlled(rz(p[0])); }};
    g["cp"] = {2, 1, [](const V& p) { return Mat{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, std::exp(cplx(0, p[0]))}; }};
    // RXX(θ) = cos(θ/2) I − i sin(θ/2) X⊗X, etc.
    g["rxx"] = {2, 1, [i](const V& p) {
                  const cplx c = std::cos(p[0] / 2), s = -i * std::sin(p[0] / 2);
                  return Mat{c, 0, 0, s, 0, c, s, 0, 0, s, c, 0, s, 0, 0, c};
                }};
    g["ryy"] = {2, 1, [i](const V& p) {
                  const cplx c = std::cos(p[0] / 2), s = i * std::sin(p[0] / 2);
                  return Mat{c, 0, 0, s, 0, c, -s, 0, 0, -s, c, 0, s, 0, 0, c};
                }};
    g["rzz"] = {2, 1, [](const V& p) {
                  const cplx a = std::exp(cplx(0, -p[0] / 2)), b = std::exp(cplx(0, p[0] / 2));
                  return Mat{a, 0, 0, 0, 0, b, 0, 0, 0, 0, b, 0, 0, 0, 0, a};
                }};
    g["ccx"] = {3, 0, [](const V&) {
                  return Mat{1, 0, 0, 0, 0, 0, 0, 0,  //
                             0, 1, 0, 0, 0, 0, 0, 0,  //
                             0, 0, 1, 0, 0, 0, 0, 0,  //
                             0, 0, 0, 1, 0, 0, 0, 0,  //
                             0, 0, 0, 0, 1, 0, 0, 0,  //
                             0, 0, 0, 0, 0, 1, 0, 0,  //
                             0, 0, 0, 0, 0, 0, 0, 1,  //
                             0, 0, 0, 0, 0, 0, 1, 0};
                }};
    g["cswap"] = {3, 0, [](const V&) {
                    return Mat{1, 0, 0, 0, 0, 0, 0, 0,  //
                               0, 1, 0, 0, 0, 0, 0, 0,  //
                               0, 0, 1, 0, 0, 0, 0, 0,  //
                               0, 0, 0, 1, 0, 0, 0, 0,  //
                               0, 0, 0, 0, 1, 0, 0, 0,  //
                               0, 0, 0, 0, 0, 0, 1, 0,  //
                               0, 0, 0, 0, 0, 1, 0, 0,  //
                               0, 0, 0, 0, 0, 0, 0, 1};
                  }};
    return g;
  }();
  return table;
}

/// The textbook gate of that name, or nullptr.
inline const Gate* find(const std::string& name) {
  auto it = gates().find(name);
  return it == gates().end() ? nullptr : &it->second;
}

}  // namespace qnn::textbook
