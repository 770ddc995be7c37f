#include "qnn/noise/trajectories.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {

namespace {

constexpr unsigned kMaxChannelQubits = 3;
constexpr std::uint64_t kProbabilityChunkBytes = std::uint64_t{64} << 20;
constexpr std::size_t kMaxReduced = std::size_t{1} << (2 * kMaxChannelQubits);
using Reduced = std::array<cplx, kMaxReduced>;

// The reduced density matrix of ψ on `qubits` (k ≤ 3): ρ_{a,b} = Σ_rest ψ_{(a,rest)} conj(ψ_{(b,rest)}), summed per
// fixed block of groups and the blocks in order (thread-count independent).
template <Real T>
Reduced reduced_density_matrix(const StateVector<T>& psi, std::span<const unsigned> qubits) {
  const unsigned k = std::min<unsigned>(static_cast<unsigned>(qubits.size()), kMaxChannelQubits);
  const std::size_t d = std::size_t{1} << k;
  std::array<unsigned, kMaxChannelQubits> sorted{};
  std::copy(qubits.begin(), qubits.end(), sorted.begin());
  std::sort(sorted.begin(), sorted.begin() + k);
  std::array<index_t, 1U << kMaxChannelQubits> offset{};
  for (std::size_t j = 0; j < d; ++j)
    for (unsigned b = 0; b < k; ++b)
      if (j >> b & 1U) offset[j] |= index_t{1} << qubits[b];
  const index_t groups = psi.size() >> k;
  const index_t blocks = (groups + kReduceBlock - 1) / kReduceBlock;
  std::vector<Reduced> partial(blocks);
  const auto* a = psi.data();
  parallel_for(blocks, [&](index_t blk) {
    Reduced r{};
    const index_t lo = blk * kReduceBlock, hi = std::min(groups, lo + kReduceBlock);
    std::array<cplx, 1U << kMaxChannelQubits> v;
    for (index_t g = lo; g < hi; ++g) {
      index_t base = g;
      for (unsigned s = 0; s < k; ++s) base = insert_zero_bit(base, sorted[s]);
      for (std::size_t j = 0; j < d; ++j) v[j] = cplx(a[base | offset[j]]);
      for (std::size_t i = 0; i < d; ++i)
        for (std::size_t j = 0; j < d; ++j) r[i * d + j] += v[i] * std::conj(v[j]);
    }
    partial[blk] = r;
  }, kReduceBlock << k);
  Reduced total{};
  for (const Reduced& p : partial)
    for (std::size_t e = 0; e < d * d; ++e) total[e] += p[e];
  return total;
}

template <Real T>
void apply_channel(StateVector<T>& psi, const Channel& ch, std::span<const unsigned> qubits, Rng& rng) {
  if (ch.is_pauli()) {
    // Mixed-unitary: the Pauli string's probability does not depend on ψ.
    const std::vector<double>& p = ch.pauli_probabilities();
    const double u = rng.uniform();
    double acc = 0;
    std::size_t code = p.size() - 1;
    for (std::size_t i = 0; i < p.size(); ++i) {
      acc += p[i];
      if (u < acc) {
        code = i;
        break;
      }
    }
    while (p[code] == 0 && code > 0) --code;  // rounding at the top end never picks an impossible string
    for (std::size_t j = 0; j < qubits.size(); ++j) {
      const unsigned digit = static_cast<unsigned>(code >> (2 * j) & 3U);
      if (digit == 0) continue;
      const std::vector<cplx> m = pauli_matrix(digit);
      const unsigned q[1] = {qubits[j]};
      psi.apply_matrix(q, m);
    }
    return;
  }
  // p_i = ‖K_i ψ‖² = Tr(K_i ρ_Q K_i†) with ρ_Q the reduced state of the channel's qubits.
  const std::size_t d = std::size_t{1} << qubits.size();
  const Reduced rho = reduced_density_matrix(psi, qubits);
  const auto& kraus = ch.kraus();
  std::vector<double> p(kraus.size());
  double total = 0;
  for (std::size_t i = 0; i < kraus.size(); ++i) {
    const auto& k = kraus[i];
    double s = 0;
    // Tr(K ρ K†) = Σ_{a,b,c} K_{a,b} ρ_{b,c} conj(K_{a,c})
    for (std::size_t a = 0; a < d; ++a)
      for (std::size_t b = 0; b < d; ++b) {
        if (k[a * d + b] == cplx(0)) continue;
        cplx row = 0;
        for (std::size_t c = 0; c < d; ++c) row += rho[b * d + c] * std::conj(k[a * d + c]);
        s += (k[a * d + b] * row).real();
      }
    p[i] = std::max(0.0, s);
    total += p[i];
  }
  const double u = rng.uniform() * total;
  double acc = 0;
  std::size_t pick = kraus.size();
  for (std::size_t i = 0; i < kraus.size(); ++i) {
    acc += p[i];
    if (u < acc && p[i] > 0) {
      pick = i;
      break;
    }
  }
  if (pick == kraus.size()) {  // u landed on the rounding edge: take the last operator that can happen
    pick = static_cast<std::size_t>(std::find_if(p.rbegin(), p.rend(), [](double v) { return v > 0; }).base() - p.begin()) - 1;
  }
  std::vector<cplx> m = kraus[pick];
  const double f = 1.0 / std::sqrt(p[pick]);
  for (cplx& z : m) z *= f;
  psi.apply_matrix(qubits, m);
}

void check_counts(std::uint64_t trajectories) {
  if (trajectories == 0) throw ValueError("the number of trajectories must be at least 1, got 0");
}

// Runs trajectories [0, n) in chunks of `chunk` (one parallel region each: on a loaded machine every fork/join costs
// milliseconds, so chunks are as large as the per-trajectory results' memory allows), calling `each(t, slot, psi, rng)`
// on trajectory t's final state and then `combine(t, slot)` in trajectory order.
template <Real T, class Each, class Combine>
void for_trajectories(const Circuit& c, const NoiseModel& model, std::uint64_t n, std::uint64_t seed,
                      std::span<const double> theta, std::span<const double> x, std::uint64_t chunk, Each&& each,
                      Combine&& combine) {
  const std::vector<double> angles = bind_angles(c, theta, x);
  const std::vector<NoisyOperation> ops = noisy_operations(c, model);
  chunk = std::max<std::uint64_t>(chunk, 1);
  const std::uint64_t work = (std::uint64_t{1} << c.num_qubits()) * (ops.size() + 1);
  for (std::uint64_t t0 = 0; t0 < n; t0 += chunk) {
    const std::uint64_t m = std::min(chunk, n - t0);
    parallel_tasks(m, [&](std::uint64_t i) {
      const std::uint64_t t = t0 + i;
      Rng rng = trajectory_rng(seed, t);
      StateVector<T> psi(c.num_qubits());
      run_trajectory(c, ops, angles, psi, rng);
      each(t, i, psi, rng);
    }, work);
    for (std::uint64_t i = 0; i < m; ++i) combine(t0 + i, i);
  }
}

}  // namespace

Rng trajectory_rng(std::uint64_t seed, std::uint64_t trajectory) {
  // Distinct, well-mixed seeds per trajectory (Rng's constructor runs them through splitmix64 again).
  return Rng(seed * 0x9e3779b97f4a7c15ULL + trajectory * 0xd1b54a32d192ed03ULL + 0x632be59bd9b4e019ULL);
}

template <Real T>
void run_trajectory(const Circuit& c, const std::vector<NoisyOperation>& ops, std::span<const double> angles,
                    StateVector<T>& psi, Rng& rng) {
  if (psi.num_qubits() != c.num_qubits()) {
    throw ValueError("circuit on " + std::to_string(c.num_qubits()) + " qubits run on a state of " +
                     std::to_string(psi.num_qubits()));
  }
  const std::vector<std::size_t> offset = angle_offsets(c);
  for (const NoisyOperation& step : ops) {
    if (step.is_gate()) {
      const Operation& op = c.ops()[step.gate];
      apply_operation(psi, op, angles.subspan(offset[step.gate], op.params.size()));
    } else {
      if (step.channel->num_qubits() > kMaxChannelQubits) {
        throw ValueError("trajectories support channels on at most 3 qubits");
      }
      apply_channel(psi, *step.channel, step.qubits, rng);
    }
  }
}

template <Real T>
TrajectoryEstimate expectation_trajectories(const Circuit& c, const NoiseModel& model, const PauliSum& obs,
                                            std::uint64_t trajectories, std::uint64_t seed,
                                            std::span<const double> theta, std::span<const double> x) {
  check_counts(trajectories);
  if (obs.min_qubits() > c.num_qubits()) {
    throw ValueError("observable '" + obs.to_string() + "' acts on qubit " + std::to_string(obs.min_qubits() - 1) +
                     " of a " + std::to_string(c.num_qubits()) + "-qubit circuit");
  }
  std::vector<double> slot(trajectories);
  double sum = 0, sum2 = 0;
  for_trajectories<T>(
      c, model, trajectories, seed, theta, x, trajectories,
      [&](std::uint64_t, std::uint64_t i, const StateVector<T>& psi, Rng&) { slot[i] = expectation(psi, obs); },
      [&](std::uint64_t, std::uint64_t i) {
        sum += slot[i];
        sum2 += slot[i] * slot[i];
      });
  const double n = double(trajectories), mean = sum / n;
  const double var = trajectories > 1 ? std::max(0.0, (sum2 - n * mean * mean) / (n - 1)) : 0.0;
  return {mean, std::sqrt(var / n), trajectories};
}

template <Real T>
std::vector<double> probabilities_trajectories(const Circuit& c, const NoiseModel& model, std::uint64_t trajectories,
                                               std::uint64_t seed, std::span<const double> theta,
                                               std::span<const double> x) {
  check_counts(trajectories);
  // Per-trajectory probability vectors held at once: at most kProbabilityChunkBytes of them (and one per thread).
  const std::uint64_t per = (std::uint64_t{8} << c.num_qubits());
  const std::uint64_t chunk = std::max<std::uint64_t>(kProbabilityChunkBytes / per, std::uint64_t(std::max(1, num_threads())));
  std::vector<std::vector<double>> slot(std::min(chunk, trajectories));
  std::vector<double> acc(std::size_t{1} << c.num_qubits(), 0.0);
  for_trajectories<T>(
      c, model, trajectories, seed, theta, x, chunk,
      [&](std::uint64_t, std::uint64_t i, const StateVector<T>& psi, Rng&) { slot[i] = psi.probabilities(); },
      [&](std::uint64_t, std::uint64_t i) {
        for (std::size_t j = 0; j < acc.size(); ++j) acc[j] += slot[i][j];
      });
  for (double& v : acc) v /= double(trajectories);
  return acc;
}

template <Real T>
std::vector<index_t> sample_trajectories(const Circuit& c, const NoiseModel& model, std::uint64_t shots,
                                         std::uint64_t trajectories, std::uint64_t seed,
                                         std::span<const double> theta, std::span<const double> x) {
  check_counts(trajectories);
  trajectories = std::min(trajectories, std::max<std::uint64_t>(shots, 1));
  std::vector<std::vector<index_t>> slot(trajectories);
  std::vector<index_t> out;
  out.reserve(shots);
  const std::uint64_t per = shots / trajectories, extra = shots % trajectories;
  for_trajectories<T>(
      c, model, trajectories, seed, theta, x, trajectories,
      [&](std::uint64_t t, std::uint64_t i, const StateVector<T>& psi, Rng& rng) {
        slot[i] = psi.sample(per + (t < extra ? 1 : 0), rng);
      },
      [&](std::uint64_t, std::uint64_t i) { out.insert(out.end(), slot[i].begin(), slot[i].end()); });
  return out;
}

#define QNN_INSTANTIATE(T)                                                                                          \
  template void run_trajectory<T>(const Circuit&, const std::vector<NoisyOperation>&, std::span<const double>,     \
                                  StateVector<T>&, Rng&);                                                          \
  template TrajectoryEstimate expectation_trajectories<T>(const Circuit&, const NoiseModel&, const PauliSum&,      \
                                                          std::uint64_t, std::uint64_t, std::span<const double>,   \
                                                          std::span<const double>);                                \
  template std::vector<double> probabilities_trajectories<T>(const Circuit&, const NoiseModel&, std::uint64_t,     \
                                                             std::uint64_t, std::span<const double>,               \
                                                             std::span<const double>);                             \
  template std::vector<index_t> sample_trajectories<T>(const Circuit&, const NoiseModel&, std::uint64_t,           \
                                                       std::uint64_t, std::uint64_t, std::span<const double>,      \
                                                       std::span<const double>);
QNN_INSTANTIATE(float)
QNN_INSTANTIATE(double)
#undef QNN_INSTANTIATE

}  // namespace qnn
