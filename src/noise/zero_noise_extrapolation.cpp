#include "qnn/noise/zero_noise_extrapolation.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string>

#include "qnn/core/error.hpp"

namespace qnn {

namespace {

std::string number(double v) {
  std::string s = std::to_string(v);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

std::size_t fold_count(const Circuit& c, double scale) {
  if (!std::isfinite(scale) || scale < 1) {
    throw ValueError("noise scale factor " + number(scale) + " out of range: must be ≥ 1");
  }
  if (c.size() == 0) throw ValueError("cannot fold an empty circuit: it has no gates to amplify the noise of");
  if (scale > 1001) throw ValueError("noise scale factor " + number(scale) + " out of range: at most 1001");
  return static_cast<std::size_t>(std::llround(double(c.size()) * (scale - 1) / 2));
}

Operation inverse_of(const Operation& op, unsigned num_qubits) {
  Circuit one(num_qubits);
  one.append(op);
  return one.inverse().ops().front();
}

// Solve the small dense system A x = b (row-major n × n) by Gaussian elimination with partial pivoting; false if
// singular to working precision.
bool solve(std::vector<double> a, std::vector<double>& b, std::size_t n) {
  double scale = 0;
  for (double v : a) scale = std::max(scale, std::abs(v));
  for (std::size_t col = 0; col < n; ++col) {
    std::size_t piv = col;
    for (std::size_t r = col + 1; r < n; ++r)
      if (std::abs(a[r * n + col]) > std::abs(a[piv * n + col])) piv = r;
    if (std::abs(a[piv * n + col]) <= 1e-13 * scale) return false;
    if (piv != col) {
      for (std::size_t k = 0; k < n; ++k) std::swap(a[col * n + k], a[piv * n + k]);
      std::swap(b[col], b[piv]);
    }
    for (std::size_t r = col + 1; r < n; ++r) {
      const double f = a[r * n + col] / a[col * n + col];
      for (std::size_t k = col; k < n; ++k) a[r * n + k] -= f * a[col * n + k];
      b[r] -= f * b[col];
    }
  }
  for (std::size_t col = n; col-- > 0;) {
    for (std::size_t k = col + 1; k < n; ++k) b[col] -= a[col * n + k] * b[k];
    b[col] /= a[col * n + col];
  }
  return true;
}

// Least-squares polynomial of `degree` through the points, evaluated at 0: E(0) = e₀ᵀ(VᵀV)⁻¹VᵀE with the Vandermonde
// matrix V_jk = λ_j^k, so γ = V (VᵀV)⁻¹ e₀. Scales are divided by their largest value first (conditioning).
Extrapolation polynomial_fit(std::span<const double> scales, std::span<const double> values, unsigned degree) {
  const std::size_t m = scales.size(), p = degree + 1;
  double smax = 0;
  for (double s : scales) smax = std::max(smax, std::abs(s));
  std::vector<double> v(m * p), vtv(p * p, 0.0), e0(p, 0.0);
  for (std::size_t j = 0; j < m; ++j) {
    double pw = 1;
    for (std::size_t k = 0; k < p; ++k, pw *= scales[j] / smax) v[j * p + k] = pw;
  }
  for (std::size_t r = 0; r < p; ++r)
    for (std::size_t c = 0; c < p; ++c)
      for (std::size_t j = 0; j < m; ++j) vtv[r * p + c] += v[j * p + r] * v[j * p + c];
  e0[0] = 1;
  if (!solve(vtv, e0, p)) throw ValueError("the scale factors do not determine a polynomial of degree " + std::to_string(degree));
  Extrapolation r;
  r.weights.assign(m, 0.0);
  for (std::size_t j = 0; j < m; ++j) {
    for (std::size_t k = 0; k < p; ++k) r.weights[j] += v[j * p + k] * e0[k];
    r.value += r.weights[j] * values[j];
  }
  return r;
}

Extrapolation richardson(std::span<const double> scales, std::span<const double> values) {
  Extrapolation r;
  for (std::size_t j = 0; j < scales.size(); ++j) {
    double g = 1;
    for (std::size_t i = 0; i < scales.size(); ++i)
      if (i != j) g *= scales[i] / (scales[i] - scales[j]);
    r.weights.push_back(g);
    r.value += g * values[j];
  }
  return r;
}

// Exponential model E(λ) = a + b e^{−cλ}.
struct ExpFit {
  double a = 0, b = 0, c = 0, sse = std::numeric_limits<double>::infinity();
};

// For fixed c the model is linear in (a, b): the 2-parameter least squares in closed form (variable projection).
ExpFit fit_ab(std::span<const double> s, std::span<const double> e, double c) {
  const auto m = double(s.size());
  double su = 0, suu = 0, se = 0, sue = 0;
  for (std::size_t j = 0; j < s.size(); ++j) {
    const double u = std::exp(-c * s[j]);
    su += u;
    suu += u * u;
    se += e[j];
    sue += u * e[j];
  }
  ExpFit f;
  f.c = c;
  const double det = m * suu - su * su;
  if (std::abs(det) < 1e-300) return f;
  f.b = (m * sue - su * se) / det;
  f.a = (se - f.b * su) / m;
  f.sse = 0;
  for (std::size_t j = 0; j < s.size(); ++j) {
    const double r = f.a + f.b * std::exp(-c * s[j]) - e[j];
    f.sse += r * r;
  }
  return f;
}

Extrapolation exponential(std::span<const double> scales, std::span<const double> values) {
  // c is searched on [c_lo, c_hi] relative to the spread of the scales: a decay much slower than the data can resolve
  // is a line, a much faster one a constant; both bounds keep the fit (and E(0)) finite.
  const auto [smin, smax] = std::minmax_element(scales.begin(), scales.end());
  const double spread = *smax - *smin;
  const double c_lo = 1e-3 / spread, c_hi = 30 / spread;
  // Coarse log-spaced scan, then golden-section search on log c around the best point, then Gauss–Newton on (a, b, c).
  ExpFit best;
  constexpr int kGrid = 120;
  int best_i = 0;
  for (int i = 0; i <= kGrid; ++i) {
    const ExpFit f = fit_ab(scales, values, c_lo * std::pow(c_hi / c_lo, double(i) / kGrid));
    if (f.sse < best.sse) best = f, best_i = i;
  }
  double lo = std::log(c_lo) + std::log(c_hi / c_lo) * std::max(0, best_i - 1) / kGrid;
  double hi = std::log(c_lo) + std::log(c_hi / c_lo) * std::min(kGrid, best_i + 1) / kGrid;
  const double golden = (std::sqrt(5.0) - 1) / 2;
  for (int it = 0; it < 100 && hi - lo > 1e-13; ++it) {
    const double x1 = hi - golden * (hi - lo), x2 = lo + golden * (hi - lo);
    if (fit_ab(scales, values, std::exp(x1)).sse < fit_ab(scales, values, std::exp(x2)).sse) hi = x2;
    else lo = x1;
  }
  const ExpFit g = fit_ab(scales, values, std::exp(0.5 * (lo + hi)));
  if (g.sse < best.sse) best = g;

  const std::size_t m = scales.size();
  auto residuals = [&](const ExpFit& f, std::vector<double>& r) {
    double sse = 0;
    for (std::size_t j = 0; j < m; ++j) {
      r[j] = f.a + f.b * std::exp(-f.c * scales[j]) - values[j];
      sse += r[j] * r[j];
    }
    return sse;
  };
  std::vector<double> r(m);
  const bool c_at_bound = best.c <= c_lo * 1.0001 || best.c >= c_hi * 0.9999;
  if (!c_at_bound) {
    // Newton on the stationarity condition Σ_j r_j ∇f_j = 0 (Hessian M below, with the residual term, so it converges
    // quadratically even when the data are off the model), falling back to a Gauss–Newton step when Newton's does
    // not lower the residual. Variable projection has put us close to the optimum already.
    for (int it = 0; it < 50; ++it) {
      residuals(best, r);
      std::vector<double> jtj(9, 0.0), hess_full(9, 0.0), grad_sse(3, 0.0);
      for (std::size_t j = 0; j < m; ++j) {
        const double u = std::exp(-best.c * scales[j]), s = scales[j];
        const std::array<double, 3> grad = {1, u, -best.b * s * u};
        const std::array<double, 9> hess = {0, 0, 0, 0, 0, -s * u, 0, -s * u, best.b * s * s * u};
        for (int a = 0; a < 3; ++a) {
          grad_sse[a] -= grad[a] * r[j];
          for (int b = 0; b < 3; ++b) {
            jtj[a * 3 + b] += grad[a] * grad[b];
            hess_full[a * 3 + b] += grad[a] * grad[b] + r[j] * hess[a * 3 + b];
          }
        }
      }
      bool moved = false;
      for (const auto* h : {&hess_full, &jtj}) {
        std::vector<double> step = grad_sse;
        if (!solve(*h, step, 3)) continue;
        ExpFit next{best.a + step[0], best.b + step[1], std::clamp(best.c + step[2], c_lo, c_hi)};
        std::vector<double> rn(m);
        next.sse = residuals(next, rn);
        if (next.sse <= best.sse) {
          const double size = std::abs(step[0]) + std::abs(step[1]) + std::abs(step[2]);
          best = next;
          moved = size > 1e-15 * (1 + std::abs(best.a) + std::abs(best.b) + best.c);
          break;
        }
      }
      if (!moved) break;
    }
  }

  Extrapolation out;
  out.value = best.a + best.b;
  // γ_j = ∂(a + b)/∂E_j at the optimum. Stationarity Σ_j r_j ∇f_j = 0 with r_j = f_j(p) − E_j gives, by the
  // implicit-function theorem, dp/dE_j = M⁻¹ ∇f_j with M = Σ_j (∇f_j ∇f_jᵀ + r_j ∇²f_j). A c pinned at its bound
  // is held fixed (only a and b move).
  residuals(best, r);
  const std::size_t np = c_at_bound ? 2 : 3;
  std::vector<double> mm(np * np, 0.0), dir = {1.0, 1.0, 0.0};
  dir.resize(np);
  for (std::size_t j = 0; j < m; ++j) {
    const double u = std::exp(-best.c * scales[j]), s = scales[j];
    const std::array<double, 3> grad = {1, u, -best.b * s * u};
    const std::array<double, 9> hess = {0, 0, 0, 0, 0, -s * u, 0, -s * u, best.b * s * s * u};
    for (std::size_t a = 0; a < np; ++a)
      for (std::size_t b = 0; b < np; ++b) mm[a * np + b] += grad[a] * grad[b] + r[j] * hess[a * 3 + b];
  }
  // M is symmetric, so (1,1,0)ᵀ M⁻¹ ∇f_j = wᵀ∇f_j with M w = (1,1,0).
  if (solve(mm, dir, np)) {
    for (std::size_t j = 0; j < m; ++j) {
      const double u = std::exp(-best.c * scales[j]);
      const std::array<double, 3> grad = {1, u, -best.b * scales[j] * u};
      double gamma = 0;
      for (std::size_t a = 0; a < np; ++a) gamma += dir[a] * grad[a];
      out.weights.push_back(gamma);
    }
  } else {
    // Degenerate fit (data constant in λ: b = 0 and c undetermined): E(0) equals every E_j, and any weights summing
    // to 1 give the right gradient; the least-squares line's are used.
    out.weights = polynomial_fit(scales, values, 1).weights;
  }
  return out;
}

}  // namespace

Folding parse_folding(std::string_view name) {
  if (name == "global") return Folding::Global;
  if (name == "gates-left") return Folding::GatesFromLeft;
  if (name == "gates-right") return Folding::GatesFromRight;
  throw ValueError("unknown folding '" + std::string(name) + "' (allowed: global, gates-left, gates-right)");
}

Extrapolator parse_extrapolator(std::string_view name) {
  if (name == "linear") return Extrapolator::Linear;
  if (name == "polynomial") return Extrapolator::Polynomial;
  if (name == "richardson") return Extrapolator::Richardson;
  if (name == "exponential") return Extrapolator::Exponential;
  throw ValueError("unknown extrapolation '" + std::string(name) +
                   "' (allowed: linear, polynomial, richardson, exponential)");
}

double achieved_scale(const Circuit& c, double scale) {
  return 1 + 2 * double(fold_count(c, scale)) / double(c.size());
}

Circuit fold(const Circuit& c, double scale, Folding folding) {
  const std::size_t s = fold_count(c, scale), d = c.size();
  const std::size_t full = s / d, extra = s % d;
  const unsigned n = c.num_qubits();
  Circuit out(n);
  if (folding == Folding::Global) {
    out.append(c);
    const Circuit inv = c.inverse();
    for (std::size_t k = 0; k < full; ++k) out.append(inv).append(c);
    // L†L for the last `extra` gates: their inverses are the first `extra` operations of U†.
    for (std::size_t k = 0; k < extra; ++k) out.append(inv.ops()[k]);
    for (std::size_t k = d - extra; k < d; ++k) out.append(c.ops()[k]);
    return out;
  }
  for (std::size_t g = 0; g < d; ++g) {
    const Operation& op = c.ops()[g];
    const bool more = folding == Folding::GatesFromLeft ? g < extra : g >= d - extra;
    const std::size_t folds = full + (more ? 1 : 0);
    out.append(op);
    if (folds == 0) continue;
    const Operation inv = inverse_of(op, n);
    for (std::size_t k = 0; k < folds; ++k) out.append(inv).append(op);
  }
  return out;
}

Extrapolation extrapolate(std::span<const double> scales, std::span<const double> values, Extrapolator method,
                          unsigned degree) {
  if (scales.size() != values.size()) {
    throw ValueError("extrapolation got " + std::to_string(scales.size()) + " scale factors and " +
                     std::to_string(values.size()) + " values");
  }
  for (std::size_t j = 0; j < scales.size(); ++j) {
    if (!std::isfinite(scales[j]) || !std::isfinite(values[j])) throw ValueError("extrapolation points must be finite");
    for (std::size_t i = 0; i < j; ++i)
      if (scales[i] == scales[j]) throw ValueError("scale factor " + number(scales[j]) + " appears twice");
  }
  const std::size_t need = method == Extrapolator::Exponential ? 3
                           : method == Extrapolator::Polynomial ? std::size_t{degree} + 1
                                                                  : 2;
  if (scales.size() < need) {
    throw ValueError("this extrapolation needs at least " + std::to_string(need) + " scale factors, got " +
                     std::to_string(scales.size()));
  }
  switch (method) {
    case Extrapolator::Linear:
      return polynomial_fit(scales, values, 1);
    case Extrapolator::Polynomial:
      return polynomial_fit(scales, values, degree);
    case Extrapolator::Richardson:
      return richardson(scales, values);
    case Extrapolator::Exponential:
      return exponential(scales, values);
  }
  return {};
}

ZneResult zero_noise_extrapolate(const Circuit& c, const BatchExecutor& execute, const ZneOptions& options) {
  std::vector<Circuit> circuits;
  ZneResult r;
  for (double s : options.scale_factors) {
    r.scales.push_back(achieved_scale(c, s));
    circuits.push_back(fold(c, s, options.folding));
  }
  r.noisy = execute(circuits);
  if (r.noisy.size() != circuits.size()) throw ValueError("the executor returned the wrong number of results");
  const std::size_t obs = r.noisy.empty() ? 0 : r.noisy[0].size();
  for (std::size_t k = 0; k < obs; ++k) {
    std::vector<double> e;
    for (const auto& row : r.noisy) {
      if (row.size() != obs) throw ValueError("the executor returned a different number of values per circuit");
      e.push_back(row[k]);
    }
    Extrapolation x = extrapolate(r.scales, e, options.extrapolator, options.degree);
    r.values.push_back(x.value);
    r.weights.push_back(std::move(x.weights));
  }
  return r;
}

ZneResult zero_noise_extrapolate(const Circuit& c, const Executor& execute, const ZneOptions& options) {
  return zero_noise_extrapolate(
      c,
      BatchExecutor([&](std::span<const Circuit> circuits) {
        std::vector<std::vector<double>> out;
        for (const Circuit& ci : circuits) out.push_back(execute(ci));
        return out;
      }),
      options);
}

}  // namespace qnn
