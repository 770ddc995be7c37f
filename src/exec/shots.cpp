#include "qnn/exec/shots.hpp"

#include <string>

#include "qnn/core/error.hpp"

namespace qnn {

std::vector<std::vector<std::size_t>> qubitwise_commuting_groups(const PauliSum& obs) {
  std::vector<std::vector<std::size_t>> groups;
  std::vector<std::map<unsigned, char>> basis;  // the Pauli each group measures on each qubit
  for (std::size_t t = 0; t < obs.terms().size(); ++t) {
    const auto& f = obs.terms()[t].string.factors();
    if (f.empty()) continue;
    bool placed = false;
    for (std::size_t g = 0; g < groups.size() && !placed; ++g) {
      bool fits = true;
      for (auto [q, p] : f) {
        auto it = basis[g].find(q);
        if (it != basis[g].end() && it->second != p) {
          fits = false;
          break;
        }
      }
      if (fits) {
        groups[g].push_back(t);
        for (auto [q, p] : f) basis[g][q] = p;
        placed = true;
      }
    }
    if (!placed) {
      groups.push_back({t});
      basis.emplace_back(f.begin(), f.end());
    }
  }
  return groups;
}

template <Real T>
double estimate_expectation(const StateVector<T>& psi, const PauliSum& obs, std::uint64_t shots, Rng& rng) {
  if (shots == 0) throw ValueError("shots must be at least 1");
  if (obs.min_qubits() > psi.num_qubits()) throw ValueError("observable acts beyond the state's qubits");
  double e = 0;
  for (const auto& term : obs.terms())
    if (term.string.factors().empty()) e += term.coeff;
  const double r2 = std::sqrt(0.5);
  const cplx h[4] = {r2, r2, r2, -r2};
  const cplx hsdg[4] = {r2, cplx(0, -r2), r2, cplx(0, r2)};  // H·S†: maps the Y eigenbasis to Z
  for (const auto& group : qubitwise_commuting_groups(obs)) {
    StateVector<T> rotated = psi;
    std::map<unsigned, char> basis;
    for (std::size_t t : group)
      for (auto [q, p] : obs.terms()[t].string.factors()) basis[q] = p;
    for (auto [q, p] : basis) {
      const unsigned tq[1] = {q};
      if (p == 'X') rotated.apply_matrix(tq, h);
      if (p == 'Y') rotated.apply_matrix(tq, hsdg);
    }
    const auto outcomes = rotated.sample(shots, rng);
    // Where the state has fewer outcomes than there are shots, the terms read a histogram of the shots (2^n counts
    // each instead of `shots` outcomes; the same integer sums): parameter-shift training of Iris with 1000 shots spent
    // a third of its time reading outcomes.
    const index_t dim = rotated.size();
    std::vector<std::int64_t> counts;
    if (dim <= shots) {
      counts.assign(dim, 0);
      for (index_t o : outcomes) ++counts[o];
    }
    for (std::size_t t : group) {
      const index_t mask = obs.terms()[t].string.masks().x | obs.terms()[t].string.masks().z;
      std::int64_t sum = 0;
      if (counts.empty()) {
        for (index_t o : outcomes) sum += parity(o & mask) ? -1 : 1;
      } else {
        for (index_t i = 0; i < dim; ++i) sum += parity(i & mask) ? -counts[i] : counts[i];
      }
      e += obs.terms()[t].coeff * double(sum) / double(shots);
    }
  }
  return e;
}

template double estimate_expectation<float>(const StateVector<float>&, const PauliSum&, std::uint64_t, Rng&);
template double estimate_expectation<double>(const StateVector<double>&, const PauliSum&, std::uint64_t, Rng&);

}  // namespace qnn
