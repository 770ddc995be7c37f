#include "qnn/noise/noisy_readout.hpp"

#include <cmath>
#include <cstdio>
#include <algorithm>
#include <memory>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/noise/density_matrix_gradient.hpp"
#include "qnn/noise/density_matrix_simulation.hpp"

namespace qnn {

namespace {

// One Pauli term of one observable, with the affine map its measurement applies: read = offset + gain · Tr(ρP).
struct Term {
  std::size_t observable;
  double coeff;
  PauliSum string;  // the bare string (coefficient 1)
  double offset = 0;
  double gain = 1;
};

std::vector<Term> flatten(std::span<const PauliSum> observables, const NoiseModel& model, bool mitigate_readout) {
  std::vector<Term> terms;
  const bool readout = model.has_readout_error() && !mitigate_readout;
  for (std::size_t k = 0; k < observables.size(); ++k) {
    for (const auto& t : observables[k].terms()) {
      Term term{k, t.coeff, PauliSum(t.string)};
      const auto& factors = t.string.factors();
      if (readout && factors.size() == 1) {
        const ReadoutError e = model.readout_error(factors.begin()->first);
        term.offset = e.p0_given_1 - e.p1_given_0;
        term.gain = 1 - e.p1_given_0 - e.p0_given_1;
      } else if (readout && factors.size() > 1) {
        for (const auto& [q, pauli] : factors) {
          const ReadoutError e = model.readout_error(q);
          if (e.p0_given_1 != e.p1_given_0) {
            throw ValueError("readout error on the " + std::to_string(factors.size()) + "-qubit term '" +
                             t.string.to_string() +
                             "' is modelled only for symmetric errors (p(1|0) = p(0|1)); qubit " + std::to_string(q) +
                             " has " + std::to_string(e.p1_given_0) + " and " + std::to_string(e.p0_given_1));
          }
          term.gain *= 1 - 2 * e.p1_given_0;
        }
      }
      terms.push_back(std::move(term));
    }
  }
  return terms;
}

// Global folds of one circuit are prefixes of each other — U, U(U†U), U(U†U)², …, and a partial fold U(U†U)^k L†L
// branches off U(U†U)^k — and without idle noise a noisy circuit's operations are those of its gates in order. So one
// density matrix walks the longest fold and every scale is read off on the way: the values of all scale factors cost
// about max_j λ_j circuit runs instead of Σ_j λ_j (1, 3, 5: 5 instead of 9). Writes e[j·terms + t] = Tr(ρ_j P_t).
template <Real T>
void shared_global_folds(const NoiseModel& model, const Circuit& c, std::span<const double> scales,
                         std::span<const double> theta, std::span<const double> x, const std::vector<Term>& terms,
                         std::span<double> e) {
  const Circuit inv = c.inverse();
  const std::vector<NoisyOperation> ops_u = noisy_operations(c, model), ops_inv = noisy_operations(inv, model);
  const std::vector<double> ang_u = bind_angles(c, theta, x), ang_inv = bind_angles(inv, theta, x);
  const std::size_t d = c.size(), S = scales.size();
  std::vector<std::size_t> full(S), extra(S);
  std::size_t max_full = 0;
  for (std::size_t j = 0; j < S; ++j) {
    const auto s = static_cast<std::size_t>(std::llround((scales[j] - 1) * double(d) / 2));  // achieved: exact
    full[j] = s / d;
    extra[j] = s % d;
    max_full = std::max(max_full, full[j]);
  }
  auto record = [&](const DensityMatrix<T>& rho, std::size_t j) {
    for (std::size_t t = 0; t < terms.size(); ++t) e[j * terms.size() + t] = expectation(rho, terms[t].string);
  };
  DensityMatrix<T> rho(c.num_qubits());
  run_noisy(c, ops_u, ang_u, rho);
  for (std::size_t k = 0;; ++k) {
    for (std::size_t j = 0; j < S; ++j) {
      if (full[j] != k) continue;
      if (extra[j] == 0) {
        record(rho, j);
        continue;
      }
      Circuit partial(c.num_qubits());
      for (std::size_t q = 0; q < extra[j]; ++q) partial.append(inv.ops()[q]);
      for (std::size_t q = d - extra[j]; q < d; ++q) partial.append(c.ops()[q]);
      DensityMatrix<T> branch = rho;
      run(partial, model, branch, theta, x);
      record(branch, j);
    }
    if (k == max_full) break;
    run_noisy(inv, ops_inv, ang_inv, rho);
    run_noisy(c, ops_u, ang_u, rho);
  }
}

template <Real T>
BatchedVjpResult evaluate(const NoiseModel& model, const Mitigation& mit, const Circuit& c,
                          std::span<const PauliSum> observables, std::span<const double> theta, const BatchInputs& x,
                          unsigned batch, const BatchedUpstream& upstream, const DiffWrt& wrt) {
  const std::size_t K = observables.size(), F = x.num_features;
  if (x.data.size() != std::size_t{batch} * F) {
    throw ValueError("a batch of " + std::to_string(batch) + " samples of " + std::to_string(F) + " features needs " +
                     std::to_string(std::size_t{batch} * F) + " inputs, got " + std::to_string(x.data.size()));
  }
  const std::vector<Term> terms = flatten(observables, model, mit.readout);
  const std::size_t nterms = terms.size();
  // The circuits to run: the circuit itself, or one folded circuit per scale factor.
  std::vector<Circuit> circuits;
  std::vector<double> scales;
  if (mit.zne) {
    for (double s : mit.zne_options.scale_factors) {
      scales.push_back(achieved_scale(c, s));
      circuits.push_back(fold(c, s, mit.zne_options.folding));
    }
  } else {
    circuits.push_back(c);
  }
  const std::size_t S = circuits.size();
  const bool differentiate = wrt.theta || wrt.inputs;

  // Forward: a batched tape per (chunk of samples, circuit), in parallel; E[(b·S + j)·nterms + t] = Tr(ρ_{b,j} P_t).
  // Values alone of global folds without idle noise: one walk per sample through the longest fold.
  const std::size_t chunk = BatchedNoisyTape<T>::chunk_size(c.num_qubits());
  const std::size_t chunks = (batch + chunk - 1) / chunk;
  std::vector<std::unique_ptr<BatchedNoisyTape<T>>> tapes(chunks * S);
  std::vector<double> e(std::size_t{batch} * S * nterms);
  const std::uint64_t work = (std::uint64_t{1} << (2 * c.num_qubits())) * (c.size() + 1);
  auto chunk_of = [&](std::size_t ch) {
    const std::size_t first = ch * chunk;
    return std::pair{first, std::min<std::size_t>(batch, first + chunk) - first};
  };
  if (!differentiate && mit.zne && mit.zne_options.folding == Folding::Global && !model.idle_noise()) {
    parallel_tasks(batch, [&](std::uint64_t b) {
      shared_global_folds<T>(model, c, scales, theta, x.data.subspan(b * F, F), terms,
                             std::span<double>(e).subspan(b * S * nterms, S * nterms));
    }, work * S);
  } else {
    parallel_tasks(tapes.size(), [&](std::uint64_t i) {
      const std::size_t ch = i / S, j = i % S;
      const auto [first, count] = chunk_of(ch);
      tapes[i] = std::make_unique<BatchedNoisyTape<T>>(
          circuits[j], model, theta, BatchInputs{x.data.subspan(first * F, count * F), F},
          static_cast<unsigned>(count), differentiate);
      std::vector<double> col(count);
      for (std::size_t t = 0; t < nterms; ++t) {
        tapes[i]->expectation(terms[t].string, col);
        for (std::size_t b = 0; b < count; ++b) e[((first + b) * S + j) * nterms + t] = col[b];
      }
      if (!differentiate) tapes[i].reset();
    }, work * chunk);
  }

  // What is measured per (sample, circuit, observable), then extrapolated over the circuits.
  BatchedVjpResult r;
  r.values.assign(std::size_t{batch} * K, 0.0);
  std::vector<double> gamma(std::size_t{batch} * K * S, 1.0);  // ∂value_bk/∂measured_bjk
  for (unsigned b = 0; b < batch; ++b) {
    std::vector<std::vector<double>> measured(K, std::vector<double>(S, 0.0));
    for (std::size_t j = 0; j < S; ++j)
      for (std::size_t t = 0; t < nterms; ++t) {
        const Term& term = terms[t];
        measured[term.observable][j] += term.coeff * (term.offset + term.gain * e[(b * S + j) * nterms + t]);
      }
    for (std::size_t k = 0; k < K; ++k) {
      if (!mit.zne) {
        r.values[b * K + k] = measured[k][0];
        continue;
      }
      const Extrapolation ex = extrapolate(scales, measured[k], mit.zne_options.extrapolator, mit.zne_options.degree);
      r.values[b * K + k] = ex.value;
      for (std::size_t j = 0; j < S; ++j) gamma[(b * K + k) * S + j] = ex.weights[j];
    }
  }
  if (!differentiate) return r;

  const std::vector<double> w = upstream(r.values);
  if (w.size() != r.values.size()) throw ValueError("batched upstream gradient has the wrong size");
  const std::size_t nt = wrt.theta ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0;
  std::vector<std::vector<double>> dtheta(tapes.size(), std::vector<double>(nt, 0.0));
  std::vector<std::vector<double>> dx(tapes.size());
  std::vector<PauliSum> term_obs;
  for (const Term& t : terms) term_obs.push_back(t.string);
  parallel_tasks(tapes.size(), [&](std::uint64_t i) {
    const std::size_t ch = i / S, j = i % S;
    const auto [first, count] = chunk_of(ch);
    // ∂L/∂Tr(ρ_{b,j} P_t) = w_bk · γ_bkj · c_t · gain_t.
    std::vector<double> u(count * nterms);
    for (std::size_t b = 0; b < count; ++b)
      for (std::size_t t = 0; t < nterms; ++t) {
        const std::size_t k = terms[t].observable, bb = first + b;
        u[b * nterms + t] = w[bb * K + k] * gamma[(bb * K + k) * S + j] * terms[t].coeff * terms[t].gain;
      }
    dx[i].assign(wrt.inputs ? count * F : 0, 0.0);
    tapes[i]->backward(term_obs, u, wrt, dtheta[i], dx[i]);
    tapes[i].reset();
  }, work * chunk);
  r.theta.assign(nt, 0.0);
  r.x.assign(wrt.inputs ? std::size_t{batch} * F : 0, 0.0);
  for (std::size_t i = 0; i < tapes.size(); ++i) {
    const std::size_t first = chunk_of(i / S).first;
    for (std::size_t p = 0; p < nt; ++p) r.theta[p] += dtheta[i][p];
    for (std::size_t f = 0; f < dx[i].size(); ++f) r.x[first * F + f] += dx[i][f];
  }
  wrt.mask(r.theta);
  return r;
}

}  // namespace

Mitigation parse_mitigation(std::string_view text) {
  Mitigation m;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find_first_of(",+", start), text.size());
    const std::string_view item = text.substr(start, end - start);
    if (item == "zne") m.zne = true;
    else if (item == "readout") m.readout = true;
    else if (item != "none" || text != "none") {
      throw ValueError("unknown mitigation '" + std::string(item) + "' (allowed: none, zne, readout, zne,readout)");
    }
    start = end + 1;
  }
  return m;
}

template <Real T>
BatchedReadout noisy_readout(NoiseModel model, Mitigation mitigation) {
  if (mitigation.zne && model.is_noiseless()) {
    throw ValueError("zero-noise extrapolation needs gate or idle noise to amplify; the noise model '" + model.name +
                     "' has none");
  }
  if (mitigation.zne) {
    // Validate the options once, up front (the same checks extrapolate() makes on every call).
    const auto& o = mitigation.zne_options;
    for (double scale : o.scale_factors) {
      if (!std::isfinite(scale) || scale < 1) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", scale);
        throw ValueError(std::string("noise scale factor ") + text + " out of range: must be ≥ 1");
      }
    }
    std::vector<double> probe(o.scale_factors.size(), 0.0);
    extrapolate(o.scale_factors, probe, o.extrapolator, o.degree);
  }
  return [model = std::move(model), mitigation](const Circuit& c, std::span<const PauliSum> observables,
                                                 std::span<const double> theta, const BatchInputs& x, unsigned batch,
                                                 const BatchedUpstream& upstream, const DiffWrt& wrt) {
    return evaluate<T>(model, mitigation, c, observables, theta, x, batch, upstream, wrt);
  };
}

template <Real T>
std::vector<double> noisy_expectations(const Circuit& c, const NoiseModel& model, std::span<const PauliSum> observables,
                                       std::span<const double> theta, std::span<const double> x,
                                       const Mitigation& mitigation) {
  const BatchedReadout run = noisy_readout<T>(model, mitigation);
  return run(c, observables, theta, BatchInputs{x, x.size()}, 1, {}, DiffWrt{.theta = false, .inputs = false}).values;
}

#define QNN_INSTANTIATE(T)                                                                                          \
  template BatchedReadout noisy_readout<T>(NoiseModel, Mitigation);                                                 \
  template std::vector<double> noisy_expectations<T>(const Circuit&, const NoiseModel&, std::span<const PauliSum>, \
                                                     std::span<const double>, std::span<const double>,             \
                                                     const Mitigation&);
QNN_INSTANTIATE(float)
QNN_INSTANTIATE(double)
#undef QNN_INSTANTIATE

}  // namespace qnn
