#include "qnn/ml/diagnostics.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "qnn/circuit/pauli.hpp"
#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/diff/adjoint.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {

namespace {

std::uint64_t mix64(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// One independent stream per sample, named by its coordinates: results do not depend on which thread drew it, or
// on how many samples came before.
Rng sample_rng(std::uint64_t seed, std::uint64_t study, std::uint64_t a, std::uint64_t b, std::uint64_t sample) {
  std::uint64_t h = mix64(seed + 0x9e3779b97f4a7c15ULL);
  for (std::uint64_t v : {study, a, b, sample}) h = mix64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2)));
  return Rng(h);
}

enum Study : std::uint64_t { kGradient = 1, kExpressibility = 2, kEntanglement = 3 };

void draw_theta(const ThetaSampler& sampler, std::span<double> theta, Rng& rng) {
  if (sampler) {
    sampler(theta, rng);
    return;
  }
  for (double& t : theta) t = rng.uniform(0.0, 2 * std::numbers::pi);
}

void require_no_inputs(const Circuit& c, const char* what) {
  if (c.num_inputs() > 0)
    throw ValueError(std::string(what) + ": the circuit reads " + std::to_string(c.num_inputs()) +
                     " input features; diagnostics draw only weights θ (bind or remove the encoding first)");
}

// Coarse-task work estimate for parallel_tasks: amplitude updates of one run.
std::uint64_t run_work(const Circuit& c) { return (std::uint64_t{1} << c.num_qubits()) * (c.size() + 1); }

// fn(begin, end) over fixed chunks of [0, count): a chunk reuses its state vectors, since allocating one (with its
// memory check) costs more than running a small circuit. Every sample still draws from its own stream, so chunking
// and threads leave results unchanged.
template <class Fn>
void for_sample_chunks(std::uint64_t count, std::uint64_t work_per_sample, Fn&& fn) {
  constexpr std::uint64_t kChunk = 32;
  const std::uint64_t chunks = (count + kChunk - 1) / kChunk;
  parallel_tasks(
      chunks, [&](std::uint64_t ch) { fn(ch * kChunk, std::min(count, (ch + 1) * kChunk)); },
      work_per_sample * kChunk);
}

// Unbiased variance of column j of a samples × cols row-major table, two-pass for accuracy.
double column_variance(const std::vector<double>& table, std::size_t samples, std::size_t cols, std::size_t j) {
  double mean = 0;
  for (std::size_t s = 0; s < samples; ++s) mean += table[s * cols + j];
  mean /= static_cast<double>(samples);
  double ss = 0;
  for (std::size_t s = 0; s < samples; ++s) {
    const double d = table[s * cols + j] - mean;
    ss += d * d;
  }
  return ss / static_cast<double>(samples - 1);
}

}  // namespace

LineFit fit_line(std::span<const double> x, std::span<const double> y) {
  if (x.size() != y.size())
    throw ValueError("fit_line: " + std::to_string(x.size()) + " x values but " + std::to_string(y.size()) + " y values");
  if (x.size() < 2) throw ValueError("fit_line: needs at least 2 points, got " + std::to_string(x.size()));
  const auto n = static_cast<double>(x.size());
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i]))
      throw ValueError("fit_line: point " + std::to_string(i) + " is not finite");
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxx += (x[i] - mx) * (x[i] - mx);
    sxy += (x[i] - mx) * (y[i] - my);
  }
  if (sxx == 0) throw ValueError("fit_line: all x values are equal");
  LineFit f;
  f.slope = sxy / sxx;
  f.intercept = my - f.slope * mx;
  if (x.size() > 2) {
    double rss = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      const double r = y[i] - f.intercept - f.slope * x[i];
      rss += r * r;
    }
    f.slope_stderr = std::sqrt(rss / (n - 2) / sxx);
  }
  return f;
}

GradientVarianceResult gradient_variance(const Ansatz& ansatz, const GradientVarianceOptions& o) {
  if (o.qubits.empty()) throw ValueError("gradient variance: no qubit counts given");
  if (o.layers.empty()) throw ValueError("gradient variance: no depths (layers) given");
  if (o.samples < 2) throw ValueError("gradient variance: needs at least 2 samples, got " + std::to_string(o.samples));
  for (unsigned n : o.qubits)
    if (n == 0) throw ValueError("gradient variance: a qubit count must be at least 1");

  GradientVarianceResult result;
  result.ansatz = ansatz.name();
  const DiffWrt wrt{.theta = true, .inputs = false};
  for (unsigned layers : o.layers) {
    for (unsigned n : o.qubits) {
      const Circuit c = ansatz.circuit(n, layers);
      const unsigned nw = c.num_theta();
      if (nw == 0)
        throw ValueError("gradient variance: ansatz " + ansatz.name() + " has no weights on " + std::to_string(n) +
                         " qubits with " + std::to_string(layers) + " layers");
      std::vector<unsigned> params = o.parameters;
      if (params.empty())
        for (unsigned k = 0; k < nw; ++k) params.push_back(k);
      for (unsigned k : params)
        if (k >= nw)
          throw ValueError("gradient variance: parameter " + std::to_string(k) + " out of range: ansatz " +
                           ansatz.name() + " has " + std::to_string(nw) + " weights on " + std::to_string(n) +
                           " qubits with " + std::to_string(layers) + " layers");

      PauliString all_z;
      PauliSum local;
      for (unsigned q = 0; q < n; ++q) {
        all_z = all_z * Z(q);
        local.add(1.0 / n, Z(q));
      }
      const PauliSum global(all_z);

      const std::size_t np = params.size();
      std::vector<double> dg(o.samples * np), dl(o.samples * np);
      parallel_tasks(
          o.samples,
          [&](std::uint64_t s) {
            Rng rng = sample_rng(o.seed, kGradient, n, layers, s);
            std::vector<double> th(nw);
            draw_theta(o.sampler, th, rng);
            const Gradient g = adjoint_gradient<double>(c, global, th, {}, wrt);
            const Gradient l = adjoint_gradient<double>(c, local, th, {}, wrt);
            for (std::size_t j = 0; j < np; ++j) {
              dg[s * np + j] = g.theta[params[j]];
              dl[s * np + j] = l.theta[params[j]];
            }
          },
          4 * run_work(c));

      GradientVarianceRow row{.qubits = n, .layers = layers, .num_weights = nw};
      for (std::size_t j = 0; j < np; ++j) {
        row.var_global += column_variance(dg, o.samples, np, j);
        row.var_local += column_variance(dl, o.samples, np, j);
      }
      row.var_global /= static_cast<double>(np);
      row.var_local /= static_cast<double>(np);
      result.rows.push_back(row);
    }

    // log Var against n over this depth's rows; a zero variance (a weight the cost does not see) has no logarithm.
    std::vector<double> xg, yg, xl, yl;
    for (const GradientVarianceRow& r : result.rows) {
      if (r.layers != layers) continue;
      if (r.var_global > 0) {
        xg.push_back(r.qubits);
        yg.push_back(std::log(r.var_global));
      }
      if (r.var_local > 0) {
        xl.push_back(r.qubits);
        yl.push_back(std::log(r.var_local));
      }
    }
    auto two_distinct = [](const std::vector<double>& v) {
      return !v.empty() && *std::min_element(v.begin(), v.end()) < *std::max_element(v.begin(), v.end());
    };
    if (two_distinct(xg) && two_distinct(xl))
      result.fits.push_back({.layers = layers, .global = fit_line(xg, yg), .local = fit_line(xl, yl)});
  }
  return result;
}

ExpressibilityResult expressibility(const Circuit& c, const ExpressibilityOptions& o) {
  require_no_inputs(c, "expressibility");
  if (o.pairs < 1) throw ValueError("expressibility: needs at least 1 pair");
  if (o.bins < 1) throw ValueError("expressibility: needs at least 1 bin");
  const unsigned nw = c.num_theta();
  std::vector<double> fidelity(o.pairs);
  for_sample_chunks(o.pairs, 2 * run_work(c), [&](std::uint64_t begin, std::uint64_t end) {
    StateVector<double> pa(c.num_qubits()), pb(c.num_qubits());
    std::vector<double> a(nw), b(nw);
    for (std::uint64_t p = begin; p < end; ++p) {
      Rng rng = sample_rng(o.seed, kExpressibility, c.num_qubits(), nw, p);
      draw_theta(o.sampler, a, rng);
      draw_theta(o.sampler, b, rng);
      pa.set_basis_state(0);
      pb.set_basis_state(0);
      run(c, pa, a);
      run(c, pb, b);
      cplx overlap{};
      for (std::uint64_t i = 0; i < pa.size(); ++i) overlap += std::conj(pa[i]) * pb[i];
      fidelity[p] = std::norm(overlap);
    }
  });

  ExpressibilityResult r;
  r.histogram.assign(o.bins, 0.0);
  for (double f : fidelity) {
    const auto bin = static_cast<std::size_t>(std::clamp(f, 0.0, 1.0) * o.bins);
    r.histogram[std::min<std::size_t>(bin, o.bins - 1)] += 1.0;
    r.mean_fidelity += f;
  }
  r.mean_fidelity /= o.pairs;
  const double dim_minus_1 = std::ldexp(1.0, static_cast<int>(c.num_qubits())) - 1;
  for (unsigned i = 0; i < o.bins; ++i) {
    double& p = r.histogram[i];
    p /= o.pairs;
    if (p == 0) continue;
    const double lo = static_cast<double>(i) / o.bins, hi = static_cast<double>(i + 1) / o.bins;
    const double q = std::max(std::pow(1 - lo, dim_minus_1) - std::pow(1 - hi, dim_minus_1), 1e-300);
    r.kl += p * std::log(p / q);
  }
  return r;
}

template <Real T>
double meyer_wallach(const StateVector<T>& psi) {
  const unsigned n = psi.num_qubits();
  if (n == 0) return 0;
  // ρ_k = [[a, c], [c*, b]] with a = Σ_{i_k=0} |ψ_i|², b = Σ_{i_k=1} |ψ_i|², c = Σ_{i_k=0} ψ_i ψ*_{i+2^k};
  // Tr ρ_k² = a² + b² + 2|c|².
  double purity_sum = 0;
  for (unsigned k = 0; k < n; ++k) {
    const std::uint64_t bit = std::uint64_t{1} << k;
    double a = 0, b = 0;
    std::complex<double> cross{};
    for (std::uint64_t i = 0; i < psi.size(); ++i) {
      if (i & bit) continue;
      const std::complex<double> u(psi[i]), v(psi[i | bit]);
      a += std::norm(u);
      b += std::norm(v);
      cross += u * std::conj(v);
    }
    purity_sum += a * a + b * b + 2 * std::norm(cross);
  }
  return std::clamp(2 * (1 - purity_sum / n), 0.0, 1.0);
}

template double meyer_wallach(const StateVector<float>&);
template double meyer_wallach(const StateVector<double>&);

EntanglingCapabilityResult entangling_capability(const Circuit& c, const EntanglingCapabilityOptions& o) {
  require_no_inputs(c, "entangling capability");
  if (o.samples < 1) throw ValueError("entangling capability: needs at least 1 sample");
  const unsigned nw = c.num_theta();
  std::vector<double> q(o.samples);
  const std::uint64_t work = run_work(c) + c.num_qubits() * (std::uint64_t{1} << c.num_qubits());
  for_sample_chunks(o.samples, work, [&](std::uint64_t begin, std::uint64_t end) {
    StateVector<double> psi(c.num_qubits());
    std::vector<double> th(nw);
    for (std::uint64_t s = begin; s < end; ++s) {
      Rng rng = sample_rng(o.seed, kEntanglement, c.num_qubits(), nw, s);
      draw_theta(o.sampler, th, rng);
      psi.set_basis_state(0);
      run(c, psi, th);
      q[s] = meyer_wallach(psi);
    }
  });
  EntanglingCapabilityResult r;
  for (double v : q) r.mean += v;
  r.mean /= o.samples;
  if (o.samples > 1) {
    double ss = 0;
    for (double v : q) ss += (v - r.mean) * (v - r.mean);
    r.standard_error = std::sqrt(ss / (o.samples - 1) / o.samples);
  }
  return r;
}

}  // namespace qnn
