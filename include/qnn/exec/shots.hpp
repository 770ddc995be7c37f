#pragma once
// Expectations estimated from N measurement shots, as hardware gives them. Terms that commute qubit-wise (on every
// qubit they name the same Pauli or one of them is I) are measured together from one set of shots, after rotating
// each measured qubit into the Z basis (H for X, S†·H for Y).
#include <cstdint>
#include <vector>

#include "qnn/circuit/pauli.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/sim/state_vector.hpp"

namespace qnn {

/// Greedy grouping of the terms of `obs` into qubit-wise commuting groups (indices into obs.terms()).
std::vector<std::vector<std::size_t>> qubitwise_commuting_groups(const PauliSum& obs);

/// An estimate of ⟨ψ|O|ψ⟩ from `shots` shots per commuting group (shots ≥ 1). Identity terms are exact.
template <Real T>
double estimate_expectation(const StateVector<T>& psi, const PauliSum& obs, std::uint64_t shots, Rng& rng);

}  // namespace qnn
