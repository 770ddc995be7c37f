#include "qnn/diff/batched_adjoint.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "adjoint_step.hpp"
#include "diagonal_group.hpp"

namespace qnn {

namespace {

// A run of permutation gates on batched states (diagonal_group.hpp): each row of B samples moves once, through the
// composed map (forward: P, rows read from f⁻¹(i); else P†, from f(i)), into `scratch`, which becomes the state.
template <Real T>
void permute_rows(const Circuit& c, const std::vector<std::size_t>& run, bool forward, BatchedStateVector<T>& psi,
                  BatchedStateVector<T>* scratch, const BatchAngles& angles) {
  if (scratch == nullptr) {  // no room for a scratch state: one gate at a time
    for (std::size_t j = 0; j < run.size(); ++j)
      apply_operation_batched(psi, c, forward ? run[j] : run[run.size() - 1 - j], angles, /*inverse=*/!forward);
    return;
  }
  thread_local std::vector<index_t> lo, hi;
  const unsigned n = psi.num_qubits(), k = (n + 1) / 2, B = psi.batch();
  detail::permutation_tables(c, run, /*inverse=*/forward, k, lo, hi);
  const index_t nlo = index_t{1} << k;
  const std::size_t row = std::size_t{B} * sizeof(T);
  const index_t* const l = lo.data();
  const index_t* const h = hi.data();
  T* const parts[2][2] = {{psi.re(), scratch->re()}, {psi.im(), scratch->im()}};
  for (const auto& part : parts) {
    const T* const in = part[0];
    T* const out = part[1];
    parallel_for(
        index_t{1} << (n - k),
        [=](index_t blk) {
          for (index_t j = 0; j < nlo; ++j)
            std::memcpy(out + (blk * nlo + j) * B, in + (l[j] ^ h[blk]) * B, row);
        },
        nlo * B);
  }
  std::swap(psi, *scratch);
}

// A scratch batch for permutation runs, or none where one would not fit in memory.
template <Real T>
std::optional<BatchedStateVector<T>> scratch_batch(bool wanted, unsigned n, unsigned batch) {
  if (!wanted) return std::nullopt;
  try {
    return BatchedStateVector<T>(n, batch, typename BatchedStateVector<T>::Uninitialized{});
  } catch (const ResourceError&) {
    return std::nullopt;
  }
}

}  // namespace

template <Real T>
BatchedVjpResult adjoint_vjp_batched(const Circuit& c, std::span<const PauliSum> observables,
                                     std::span<const double> theta, const BatchInputs& x, unsigned batch,
                                     const BatchedUpstream& upstream, DiffWrt wrt) {
  const BatchAngles angles = bind_batch_angles(c, theta, x, batch);
  const unsigned B = batch, K = static_cast<unsigned>(observables.size());
  const auto& ops = c.ops();
  // Commuting diagonal gates with shared angles in one pass, runs of CX/X/SWAP as one move of each row, as in the
  // single-state sweep (diagonal_group.hpp); the Reference ISA keeps one pass per gate, for the tests to compare.
  const bool fast = active_isa() != Isa::Reference;
  std::vector<bool> shared(ops.size());
  for (std::size_t k = 0; k < ops.size(); ++k) shared[k] = !angles.per_sample[k];
  const detail::DiagonalSchedule sched =
      fast ? detail::schedule_diagonal_groups(c, detail::DiagonalGroup(c.num_qubits()), &shared)
           : detail::DiagonalSchedule::none(ops.size());
  detail::DiagonalGroup group(c.num_qubits());
  auto shared_angles = [&](std::size_t j) {
    return std::span<const double>(angles.values).subspan(angles.offset[j], ops[j].params.size());
  };
  const bool any_runs = !sched.runs.empty();
  // The forward pass begins with the passes that leave |0…0⟩ a product state (one-qubit gates only: the encoding
  // and, often, the first rotation layer), taken in the order the pass would take them; they are written in one pass
  // instead (set_product_state_batched), and the pass goes on from `start`. Not on the Reference ISA.
  std::vector<std::size_t> prefix;
  std::size_t start = 0;
  if (fast) {
    for (; start < ops.size(); ++start) {
      const std::size_t k = start;
      if (sched.taken_elsewhere(k, /*forward=*/true)) continue;
      const std::span<const std::size_t> unit = sched.perm[k] >= 0    ? sched.runs[sched.perm[k]]
                                                : sched.group[k] >= 0 ? sched.members[sched.group[k]]
                                                                      : std::span<const std::size_t>(&k, 1);
      if (!std::all_of(unit.begin(), unit.end(), [&](std::size_t j) { return product_gate(ops[j]); })) break;
      prefix.insert(prefix.end(), unit.begin(), unit.end());
    }
  }
  BatchedStateVector<T> phi(c.num_qubits(), B, typename BatchedStateVector<T>::Uninitialized{});
  if (fast) {
    set_product_state_batched(phi, c, prefix, angles);
  } else {
    phi.set_zero_state();
  }
  std::optional<BatchedStateVector<T>> scratch = scratch_batch<T>(any_runs, c.num_qubits(), B);
  for (std::size_t k = start; k < ops.size(); ++k) {
    if (sched.perm[k] >= 0) {
      const auto& run = sched.runs[sched.perm[k]];
      if (run.front() == k) permute_rows(c, run, true, phi, scratch ? &*scratch : nullptr, angles);
    } else if (sched.group[k] >= 0) {
      if (!sched.anchor(k)) continue;
      for (std::size_t j : sched.members[sched.group[k]]) group.add(ops[j], shared_angles(j), false, false);
      group.run_batched<T>(phi.re(), phi.im(), nullptr, nullptr, B, [](const Operation&, double) {});
    } else {
      // The next op the pass applies: a real 1-qubit gate there shares this one's pass (apply_pair_batched).
      std::size_t j = k + 1;
      while (j < ops.size() && sched.taken_elsewhere(j, /*forward=*/true)) ++j;
      if (j < ops.size() && sched.alone(j) && apply_pair_batched(phi, c, k, j, angles)) {
        k = j;
        continue;
      }
      apply_operation_batched(phi, c, k, angles);
    }
  }

  BatchedVjpResult r;
  r.values.assign(std::size_t{B} * K, 0.0);
  std::vector<double> col(B);
  for (unsigned k = 0; k < K; ++k) {
    expectation_batched(phi, observables[k], col);
    for (unsigned b = 0; b < B; ++b) r.values[b * K + k] = col[b];
  }
  const std::vector<double> w = upstream(r.values);
  if (w.size() != r.values.size()) throw ValueError("upstream gradient must have batch × observables entries");

  // λ_b = (Σ_k w_bk O_k) ψ_b
  BatchedStateVector<T> lambda(c.num_qubits(), B, typename BatchedStateVector<T>::Uninitialized{});
  lambda.set_zero();
  std::vector<double> coeff(B);
  for (unsigned k = 0; k < K; ++k)
    for (const auto& term : observables[k].terms()) {
      for (unsigned b = 0; b < B; ++b) coeff[b] = term.coeff * w[b * K + k];
      lambda.add_pauli_applied(phi, term.string.masks(), coeff);
    }

  r.theta.assign(wrt.theta ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0, 0.0);
  r.x.assign(wrt.inputs ? x.data.size() : 0, 0.0);
  const std::span<double> dtheta = wrt.theta ? std::span<double>(r.theta) : std::span<double>();
  std::vector<cplx> me(B);
  std::vector<cplx> dms;
  std::optional<BatchedStateVector<T>> scratch_lambda = scratch_batch<T>(any_runs, c.num_qubits(), B);
  // Nothing before `stop` has a gradient to take (the encoding when the inputs' gradient is not asked for).
  const std::size_t stop = detail::first_needed(ops, sched, [&](const Expr& e) { return wrt.needs(e); });
  for (std::size_t k = ops.size(); k-- > stop;) {
    const Operation& op = ops[k];
    if (sched.perm[k] >= 0) {
      if (sched.runs[sched.perm[k]].back() == k) {
        const auto& run = sched.runs[sched.perm[k]];
        permute_rows(c, run, false, phi, scratch ? &*scratch : nullptr, angles);
        permute_rows(c, run, false, lambda, scratch_lambda ? &*scratch_lambda : nullptr, angles);
      }
      continue;
    }
    if (sched.group[k] >= 0) {
      if (!sched.anchor(k)) continue;
      for (std::size_t j : sched.members[sched.group[k]])
        group.add(ops[j], shared_angles(j), !ops[j].params.empty() && wrt.needs(ops[j].params[0]));
      group.run_batched<T>(phi.re(), phi.im(), lambda.re(), lambda.im(), B, [&](const Operation& o, double sum) {
        o.params[0].backprop(theta, {}, 2.0 * sum, dtheta, {});
      });
      continue;
    }
    if (!angles.per_sample[k]) {
      // The same gate on every sample: one pass over both batches (U† on each and every parameter's sum).
      kernels::AdjointStep st;
      std::array<unsigned, 3> which{};
      const auto ang = std::span<const double>(angles.values).subspan(angles.offset[k], op.params.size());
      if (detail::make_adjoint_step(op, ang, wrt, st, which)) {
        st.update_lambda = k > 0;
        // The next op the sweep takes (j − 1): another such step shares this one's pass where both are RY-like (not
        // on the Reference ISA: the tests compare with its one pass per gate).
        std::size_t j = k;
        while (j > stop && sched.taken_elsewhere(j - 1, /*forward=*/false)) --j;
        if (fast && j > stop && sched.alone(j - 1) && !angles.per_sample[j - 1]) {
          --j;
          const Operation& op2 = ops[j];
          kernels::AdjointStep st2;
          std::array<unsigned, 3> which2{};
          const auto ang2 = std::span<const double>(angles.values).subspan(angles.offset[j], op2.params.size());
          if (detail::make_adjoint_step(op2, ang2, wrt, st2, which2) &&
              BatchedStateVector<T>::adjoint_pair(phi, lambda, st, st2)) {
            for (unsigned q = 0; q < st.num_generators; ++q)
              op.params[which[q]].backprop(theta, {}, 2.0 * st.sums[q], dtheta, {});
            for (unsigned q = 0; q < st2.num_generators; ++q)
              op2.params[which2[q]].backprop(theta, {}, 2.0 * st2.sums[q], dtheta, {});
            k = j;  // the loop goes on before op j
            continue;
          }
        }
        BatchedStateVector<T>::adjoint_step(phi, lambda, st);
        for (unsigned q = 0; q < st.num_generators; ++q)
          op.params[which[q]].backprop(theta, {}, 2.0 * st.sums[q], dtheta, {});
        continue;
      }
    }
    apply_operation_batched(phi, c, k, angles, /*inverse=*/true);
    const std::size_t np = op.params.size();
    const ControlList clist = op.control_list();
    const std::span<const unsigned> controls = clist.span();
    for (std::size_t p = 0; p < np; ++p) {
      const Expr& e = op.params[p];
      const bool needed = wrt.needs(e);
      if (!needed) continue;
      if (!angles.per_sample[k]) {
        // Shared angle: Σ_b 2 Re⟨λ_b|∂U|φ_b⟩, then one chain-rule step (the angle does not read x).
        const auto ang = std::span<const double>(angles.values).subspan(angles.offset[k], np);
        const GateMatrix d = gate_derivative(op.kind, ang, static_cast<unsigned>(p));
        BatchedStateVector<T>::matrix_element(lambda, op.targets(), d.span(), false, controls, phi, me);
        double g = 0;
        for (unsigned b = 0; b < B; ++b) g += 2.0 * me[b].real();
        e.backprop(theta, {}, g, dtheta, {});
      } else {
        const std::size_t dim = std::size_t{1} << op.targets().size(), d2 = dim * dim;
        dms.resize(d2 * B);
        for (unsigned b = 0; b < B; ++b) {
          const auto ang = std::span<const double>(angles.values).subspan(angles.offset[k] + b * np, np);
          const GateMatrix d = gate_derivative(op.kind, ang, static_cast<unsigned>(p));
          std::copy(d.m.begin(), d.m.begin() + static_cast<std::ptrdiff_t>(d2),
                    dms.begin() + static_cast<std::ptrdiff_t>(b * d2));
        }
        BatchedStateVector<T>::matrix_element(lambda, op.targets(), dms, true, controls, phi, me);
        for (unsigned b = 0; b < B; ++b) {
          const auto xb = x.data.subspan(b * x.num_features, x.num_features);
          const std::span<double> dxb =
              wrt.inputs ? std::span<double>(r.x).subspan(b * x.num_features, x.num_features) : std::span<double>();
          e.backprop(theta, xb, 2.0 * me[b].real(), dtheta, dxb);
        }
      }
    }
    if (k > 0) apply_operation_batched(lambda, c, k, angles, /*inverse=*/true);
  }
  wrt.mask(r.theta);
  return r;
}

template BatchedVjpResult adjoint_vjp_batched<float>(const Circuit&, std::span<const PauliSum>, std::span<const double>,
                                                     const BatchInputs&, unsigned, const BatchedUpstream&, DiffWrt);
template BatchedVjpResult adjoint_vjp_batched<double>(const Circuit&, std::span<const PauliSum>, std::span<const double>,
                                                      const BatchInputs&, unsigned, const BatchedUpstream&, DiffWrt);

}  // namespace qnn
