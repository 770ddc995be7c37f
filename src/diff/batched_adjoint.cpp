#include "qnn/diff/batched_adjoint.hpp"

#include <algorithm>
#include <array>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "adjoint_step.hpp"
#include "diagonal_group.hpp"

namespace qnn {

namespace {

// A permutation run's map and the cycles a pass in one direction follows: src[i] is the row that lands at i
// (forward), rows[starts[c] … starts[c + 1]) the c-th cycle, each row taking the next one's content (the last the
// first's); cycles() of them. They depend on the run's gates alone, not on any angle.
struct RunCycles {
  std::vector<index_t> src, rows, starts;
  [[nodiscard]] index_t cycles() const { return starts.size() - 1; }
};

void build_run_cycles(const Circuit& c, const std::vector<std::size_t>& run, unsigned n, bool backward,
                      RunCycles& rc) {
  const unsigned k = (n + 1) / 2;
  const index_t size = index_t{1} << n, low = (index_t{1} << k) - 1;
  std::vector<index_t> lo, hi, from(size);
  detail::permutation_tables(c, run, /*inverse=*/true, k, lo, hi);  // f⁻¹: the row that lands at i comes from src[i]
  rc.src.resize(size);
  for (index_t i = 0; i < size; ++i) rc.src[i] = lo[i & low] ^ hi[i >> k];
  // Row j takes the content of row from[j]: forward from = src, backward its inverse.
  for (index_t i = 0; i < size; ++i) {
    if (backward) {
      from[rc.src[i]] = i;
    } else {
      from[i] = rc.src[i];
    }
  }
  std::vector<bool> seen(size, false);
  rc.rows.clear();
  rc.starts.clear();
  for (index_t j = 0; j < size; ++j) {
    if (seen[j]) continue;
    rc.starts.push_back(rc.rows.size());
    for (index_t r = j; !seen[r]; r = from[r]) {
      seen[r] = true;
      rc.rows.push_back(r);
    }
  }
  rc.starts.push_back(rc.rows.size());
}

// The cycles of a run, from a small per-thread cache keyed by the run's gates (kind, qubits, controls), n and the
// direction, for states up to 2^12 rows (24 bytes a row): a training step meets the same runs at every call, and
// their decomposition was a few percent of an 8-qubit step. Larger states build them each time, into `scratch`.
const RunCycles& run_cycles(const Circuit& c, const std::vector<std::size_t>& run, unsigned n, bool backward,
                            RunCycles& scratch) {
  if (n > 12) {
    build_run_cycles(c, run, n, backward, scratch);
    return scratch;
  }
  std::vector<std::uint32_t> key{n, backward ? 1U : 0U};
  for (std::size_t j : run) {
    const Operation& op = c.ops()[j];
    key.push_back(static_cast<std::uint32_t>(op.kind));
    key.push_back(static_cast<std::uint32_t>(op.qubits.size()));
    key.insert(key.end(), op.qubits.begin(), op.qubits.end());
    key.push_back(static_cast<std::uint32_t>(op.controls.size()));
    key.insert(key.end(), op.controls.begin(), op.controls.end());
  }
  struct Entry {
    std::vector<std::uint32_t> key;
    RunCycles cycles;
  };
  constexpr std::size_t kEntries = 8;
  thread_local std::vector<Entry> cache;
  thread_local std::size_t next = 0;
  for (const Entry& e : cache)
    if (e.key == key) return e.cycles;
  if (cache.size() < kEntries) {
    cache.emplace_back();
    next = cache.size() - 1;
  }
  Entry& e = cache[next];
  next = (next + 1) % kEntries;
  e.key = std::move(key);
  build_run_cycles(c, run, n, backward, e.cycles);
  return e.cycles;
}

// A permutation run with the diagonal groups next to it in the forward order (`before` just before it, `after` just
// after; either may have no members), as one pass over each state, in place (kernels::batched_permute_phase): a phase
// commutes with a move of rows, to the row's new place, so each row takes both groups' phases on its way through the
// run's map, and a layer boundary of a strongly entangling ansatz (RZ layer, CNOT ring, RZ layer) is one pass
// instead of three. Forward: φ ← D_after·P·D_before φ (members added with their U); backward: φ and λ ←
// D_before†·P†·D_after† (members added with U†), with both groups' gradients: c(i) is taken from the rows as they
// stand before the pass, in `after`'s frame, and reaches `before`'s frame through the map. The run's map is affine
// over GF(2) (diagonal_group.hpp, permutation_tables), and the pass follows its cycles (run_cycles).
template <Real T, class Fn>
void permute_with_phases(const Circuit& c, const std::vector<std::size_t>& run, detail::DiagonalGroup& before,
                         detail::DiagonalGroup& after, BatchedStateVector<T>& phi, BatchedStateVector<T>* lambda,
                         Fn&& gradient) {
  const unsigned n = phi.num_qubits();
  const index_t size = index_t{1} << n;
  const bool backward = lambda != nullptr;
  thread_local RunCycles scratch;
  thread_local std::vector<cplx> d;
  thread_local std::vector<double> corr, corr_before;
  // Kept between calls for small states; past 2^16 rows (4 MiB of tables) given back at the end, not held per thread.
  struct Release {
    bool large;
    ~Release() {
      if (!large) return;
      for (auto* v : {&scratch.src, &scratch.rows, &scratch.starts}) std::vector<index_t>().swap(*v);
      std::vector<cplx>().swap(d);
      std::vector<double>().swap(corr);
      std::vector<double>().swap(corr_before);
    }
  } release{size > (index_t{1} << 16)};
  const RunCycles& rc = run_cycles(c, run, n, backward, scratch);
  const std::vector<index_t>& src = rc.src;
  before.build_tables();
  after.build_tables();
  // Row j takes d[j]·(its source row): forward d[j] = D_after(j)·D_before(src j); backward, along the inverse map,
  // d[src i] = D_after†(i)·D_before†(src i).
  d.resize(size);
  for (index_t i = 0; i < size; ++i) {
    const cplx ph = before.d(src[i]) * after.d(i);
    d[backward ? src[i] : i] = ph;
  }
  const index_t cycles = rc.cycles();
  const std::vector<index_t>& rows = rc.rows;
  const std::vector<index_t>& starts = rc.starts;
  corr.resize(backward ? size : 0);
  kernels::batched_permute_phase<T>(active_isa(), phi.re(), phi.im(), backward ? lambda->re() : nullptr,
                                    backward ? lambda->im() : nullptr, n, phi.batch(), rows.data(), starts.data(),
                                    cycles, d.data(), backward ? corr.data() : nullptr);
  if (!backward) {
    before.clear();
    after.clear();
    return;
  }
  after.finish(corr, gradient);
  corr_before.resize(size);
  for (index_t i = 0; i < size; ++i) corr_before[src[i]] = corr[i];
  before.finish(corr_before, gradient);
}

// The sweep of adjoint_vjp_batched; with per_sample, each sample's θ gradient is kept apart (theta_per_sample): the
// backward pass then takes diagonal groups by themselves with each sample's sums (run_batched_per_sample),
// permutation runs without the groups beside them, one-target gates with shared angles one at a time as
// batched_adjoint_step with per-sample sums, and the others as U† on φ, each sample's ⟨λ_b|∂U|φ_b⟩ and U† on λ.
template <Real T>
BatchedVjpResult vjp_batched(const Circuit& c, std::span<const PauliSum> observables, std::span<const double> theta,
                             const BatchInputs& x, unsigned batch, const BatchedUpstream& upstream, const DiffWrt& wrt,
                             bool per_sample) {
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
  detail::DiagonalGroup group(c.num_qubits()), other(c.num_qubits());
  auto shared_angles = [&](std::size_t j) {
    return std::span<const double>(angles.values).subspan(angles.offset[j], ops[j].params.size());
  };
  // The next op a pass takes after op k (ops.size() if none), forward; and before op k, backward, at or above `low`
  // (ops.size() if none).
  auto next_unit = [&](std::size_t k) {
    std::size_t j = k + 1;
    while (j < ops.size() && sched.taken_elsewhere(j, /*forward=*/true)) ++j;
    return j;
  };
  auto previous_unit = [&](std::size_t k, std::size_t low) {
    std::size_t j = k;
    while (j > low && sched.taken_elsewhere(j - 1, /*forward=*/false)) --j;
    return j > low ? j - 1 : ops.size();
  };
  auto add_members = [&](detail::DiagonalGroup& g, std::size_t anchor, bool forward) {
    for (std::size_t j : sched.members[sched.group[anchor]]) {
      g.add(ops[j], shared_angles(j), !forward && !ops[j].params.empty() && wrt.needs(ops[j].params[0]),
            /*dagger=*/!forward);
    }
  };
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
  auto no_gradient = [](const Operation&, double) {};
  for (std::size_t k = start; k < ops.size(); ++k) {
    if (sched.perm[k] >= 0) {
      const auto& run = sched.runs[sched.perm[k]];
      if (run.front() != k) continue;
      const std::size_t j = next_unit(k);  // the run, and the group after it if one is next
      const bool then_group = j < ops.size() && sched.anchor(j);
      if (then_group) add_members(other, j, /*forward=*/true);
      permute_with_phases<T>(c, run, group, other, phi, nullptr, no_gradient);
      if (then_group) k = j;
    } else if (sched.group[k] >= 0) {
      if (!sched.anchor(k)) continue;
      add_members(group, k, /*forward=*/true);
      const std::size_t j = next_unit(k);
      if (j < ops.size() && sched.perm[j] >= 0) {  // the group, the run after it, and a group after that
        const std::size_t j2 = next_unit(j);
        const bool then_group = j2 < ops.size() && sched.anchor(j2);
        if (then_group) add_members(other, j2, /*forward=*/true);
        permute_with_phases<T>(c, sched.runs[sched.perm[j]], group, other, phi, nullptr, no_gradient);
        k = then_group ? j2 : j;
        continue;
      }
      group.run_batched<T>(phi.re(), phi.im(), nullptr, nullptr, B, no_gradient);
    } else {
      // The next op the pass applies: a real 1-qubit gate there shares this one's pass (apply_pair_batched).
      const std::size_t j = next_unit(k);
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
  const std::size_t P = wrt.theta ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0;
  auto sum_rows = [&] {  // the summed θ gradient from the per-sample rows, in sample order
    for (unsigned b = 0; b < B; ++b)
      for (std::size_t i = 0; i < P; ++i) r.theta[i] += r.theta_per_sample[b * P + i];
  };
  // Per-sample gradients of states past 2 MiB (φ and λ): the per-sample backward pass below takes one pass per
  // rotation (no pairs, no layer boundaries in one pass), each streaming both batched states from beyond the core's
  // cache, where B one-sample sweeps (each state in L1) cost less: on an Intel Xeon with 2 MiB of L2, B = 64, the
  // batched rows took 0.5x the one-sample sweeps' time at 10 qubits, 1.1x at 11 and 2x at 12. The same weights, from
  // these values; the samples in parallel, each row written by its own task.
  if (per_sample && 4 * sizeof(T) * (std::size_t{1} << c.num_qubits()) * B > (std::size_t{1} << 21)) {
    const std::size_t F = x.num_features;
    r.theta.assign(P, 0.0);
    r.theta_per_sample.assign(P * B, 0.0);
    r.x.assign(wrt.inputs ? x.data.size() : 0, 0.0);
    parallel_tasks(
        B,
        [&](std::uint64_t b) {
          const std::span<const double> wb(w.data() + b * K, K);
          const VjpResult one = adjoint_vjp<T>(
              c, observables, theta, x.data.subspan(b * F, F),
              [&](std::span<const double>) { return std::vector<double>(wb.begin(), wb.end()); }, wrt);
          std::copy_n(one.theta.begin(), std::min(P, one.theta.size()), r.theta_per_sample.begin() + b * P);
          if (wrt.inputs) std::copy_n(one.x.begin(), std::min(F, one.x.size()), r.x.begin() + b * F);
        },
        c.size() * (std::uint64_t{1} << c.num_qubits()));
    sum_rows();
    return r;
  }

  // λ_b = (Σ_k w_bk O_k) ψ_b
  BatchedStateVector<T> lambda(c.num_qubits(), B, typename BatchedStateVector<T>::Uninitialized{});
  std::vector<double> coeff(B);
  bool first_term = true;  // written, not added: λ is not zeroed first
  for (unsigned k = 0; k < K; ++k)
    for (const auto& term : observables[k].terms()) {
      for (unsigned b = 0; b < B; ++b) coeff[b] = term.coeff * w[b * K + k];
      if (first_term) {
        lambda.set_pauli_applied(phi, term.string.masks(), coeff);
      } else {
        lambda.add_pauli_applied(phi, term.string.masks(), coeff);
      }
      first_term = false;
    }
  if (first_term) lambda.set_zero();

  r.theta.assign(P, 0.0);
  if (per_sample) r.theta_per_sample.assign(P * B, 0.0);
  r.x.assign(wrt.inputs ? x.data.size() : 0, 0.0);
  const std::span<double> dtheta = wrt.theta ? std::span<double>(r.theta) : std::span<double>();
  // Where sample b's share of the θ gradient goes: its own row, or the sum.
  auto theta_of = [&](unsigned b) {
    return per_sample && wrt.theta ? std::span<double>(r.theta_per_sample).subspan(std::size_t{b} * P, P) : dtheta;
  };
  std::vector<double> sample_sums;
  std::vector<cplx> me(B);
  std::vector<cplx> dms;
  // Nothing before `stop` has a gradient to take (the encoding when the inputs' gradient is not asked for).
  const std::size_t stop = detail::first_needed(ops, sched, [&](const Expr& e) { return wrt.needs(e); });
  auto group_gradient = [&](const Operation& o, double sum) { o.params[0].backprop(theta, {}, 2.0 * sum, dtheta, {}); };
  for (std::size_t k = ops.size(); k-- > stop;) {
    const Operation& op = ops[k];
    if (sched.perm[k] >= 0) {
      if (sched.runs[sched.perm[k]].back() == k) {  // the run, and the group before it if one is next
        const std::size_t a = previous_unit(k, stop);
        const bool then_group = !per_sample && a < ops.size() && sched.anchor(a);
        if (then_group) add_members(group, a, /*forward=*/false);
        permute_with_phases<T>(c, sched.runs[sched.perm[k]], group, other, phi, &lambda, group_gradient);
        if (then_group) k = a;
      }
      continue;
    }
    if (sched.group[k] >= 0) {
      if (!sched.anchor(k)) continue;
      add_members(other, k, /*forward=*/false);
      if (per_sample) {  // the group by itself, each sample's sums apart; its members' angles are shared
        other.run_batched_per_sample<T>(phi.re(), phi.im(), lambda.re(), lambda.im(), B,
                                        [&](const Operation& o, unsigned b, double sum) {
                                          o.params[0].backprop(theta, {}, 2.0 * sum, theta_of(b), {});
                                        });
        continue;
      }
      const std::size_t p = previous_unit(k, stop);
      if (p < ops.size() && sched.perm[p] >= 0) {  // the group, the run before it, a group before that
        const std::size_t a = previous_unit(p, stop);
        const bool then_group = a < ops.size() && sched.anchor(a);
        if (then_group) add_members(group, a, /*forward=*/false);
        permute_with_phases<T>(c, sched.runs[sched.perm[p]], group, other, phi, &lambda, group_gradient);
        k = then_group ? a : p;
        continue;
      }
      other.run_batched<T>(phi.re(), phi.im(), lambda.re(), lambda.im(), B, group_gradient);
      continue;
    }
    if (!angles.per_sample[k]) {
      // The same gate on every sample: one pass over both batches (U† on each and every parameter's sum).
      kernels::AdjointStep st;
      std::array<unsigned, 3> which{};
      const auto ang = std::span<const double>(angles.values).subspan(angles.offset[k], op.params.size());
      if (detail::make_adjoint_step(op, ang, wrt, st, which)) {
        st.update_lambda = k > 0;
        // The next op the sweep takes (j): another such step shares this one's pass where both are RY-like (not on
        // the Reference ISA: the tests compare with its one pass per gate).
        const std::size_t j = previous_unit(k, stop);
        if (fast && !per_sample && j < ops.size() && sched.alone(j) && !angles.per_sample[j]) {
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
        if (per_sample) {
          sample_sums.resize(std::size_t{st.num_generators} * B);
          BatchedStateVector<T>::adjoint_step(phi, lambda, st, sample_sums);
          for (unsigned q = 0; q < st.num_generators; ++q)
            for (unsigned b = 0; b < B; ++b)
              op.params[which[q]].backprop(theta, {}, 2.0 * sample_sums[q * B + b], theta_of(b), {});
          continue;
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
        if (per_sample) {
          for (unsigned b = 0; b < B; ++b) e.backprop(theta, {}, 2.0 * me[b].real(), theta_of(b), {});
          continue;
        }
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
          e.backprop(theta, xb, 2.0 * me[b].real(), theta_of(b), dxb);
        }
      }
    }
    if (k > 0) apply_operation_batched(lambda, c, k, angles, /*inverse=*/true);
  }
  if (per_sample) {
    sum_rows();
    if (!wrt.active.empty())  // frozen weights read 0, as in wrt.mask
      for (unsigned b = 0; b < B; ++b)
        for (std::size_t i = 0; i < P; ++i)
          if (i >= wrt.active.size() || !wrt.active[i]) r.theta_per_sample[b * P + i] = 0.0;
  }
  wrt.mask(r.theta);
  return r;
}

}  // namespace

template <Real T>
BatchedVjpResult adjoint_vjp_batched(const Circuit& c, std::span<const PauliSum> observables,
                                     std::span<const double> theta, const BatchInputs& x, unsigned batch,
                                     const BatchedUpstream& upstream, DiffWrt wrt) {
  return vjp_batched<T>(c, observables, theta, x, batch, upstream, wrt, /*per_sample=*/false);
}

template <Real T>
BatchedVjpResult adjoint_vjp_batched_per_sample(const Circuit& c, std::span<const PauliSum> observables,
                                                std::span<const double> theta, const BatchInputs& x, unsigned batch,
                                                const BatchedUpstream& upstream, DiffWrt wrt) {
  return vjp_batched<T>(c, observables, theta, x, batch, upstream, wrt, /*per_sample=*/true);
}

#define QNN_VJP_BATCHED_INSTANTIATE(T)                                                                                 \
  template BatchedVjpResult adjoint_vjp_batched<T>(const Circuit&, std::span<const PauliSum>, std::span<const double>, \
                                                   const BatchInputs&, unsigned, const BatchedUpstream&, DiffWrt);     \
  template BatchedVjpResult adjoint_vjp_batched_per_sample<T>(const Circuit&, std::span<const PauliSum>,               \
                                                              std::span<const double>, const BatchInputs&, unsigned,   \
                                                              const BatchedUpstream&, DiffWrt);
QNN_VJP_BATCHED_INSTANTIATE(float)
QNN_VJP_BATCHED_INSTANTIATE(double)
#undef QNN_VJP_BATCHED_INSTANTIATE

}  // namespace qnn
