#include "qnn/diff/adjoint.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/exec/fusion.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/sim/kernels.hpp"
#include "adjoint_step.hpp"
#include "diagonal_group.hpp"

namespace qnn {

namespace {

// The forward pass runs the gates between groups fused from this many qubits on, as run() would (passes there are
// memory-bound); below, one by one, where fused blocks only add arithmetic (n = 12, alternating in one process: fused
// segments 1.06-1.10x slower; n = 16: 1.06x faster).
constexpr unsigned kFuseSegmentsFrom = 16;

// Groups and runs (diagonal_group.hpp) from 8 qubits: below, their set-up costs more than the passes they save (the
// one-sample training loop of a 3-layer strongly entangling classifier, alternating in one process: 0.87x at 6
// qubits, 0.96x at 7, 1.04x at 8, 1.22x at 10).
constexpr unsigned kMinGroupQubits = 8;

detail::DiagonalSchedule schedule(const Circuit& c) {
  if (c.num_qubits() < kMinGroupQubits) return detail::DiagonalSchedule::none(c.size());
  return detail::schedule_diagonal_groups(c, detail::DiagonalGroup(c.num_qubits()));
}

bool use_vector_kernels(unsigned n) { return n >= kernels::kMinVectorQubits && active_isa() != Isa::Reference; }

// One block of permute(): whole amplitudes (memcpy: one 16-byte move in double, where assignment moved the two halves
// apart), through restrict pointers (a copy could otherwise alias a capture, reloaded per amplitude).
template <Real T>
void permute_block(const complex<T>* __restrict in, complex<T>* __restrict out, const index_t* __restrict l,
                   index_t base, index_t nlo, index_t blk, bool scatter) {
  if (scatter) {
    const complex<T>* const src = in + blk * nlo;
    for (index_t j = 0; j < nlo; ++j) std::memcpy(out + (l[j] ^ base), src + j, sizeof(complex<T>));
  } else {
    complex<T>* const dst = out + blk * nlo;
    for (index_t j = 0; j < nlo; ++j) std::memcpy(dst + j, in + (l[j] ^ base), sizeof(complex<T>));
  }
}

// A scratch state for permutation runs, or none where one would not fit in memory (the runs then go gate by gate).
template <Real T>
std::optional<StateVector<T>> scratch_state(bool wanted, unsigned n) {
  if (!wanted) return std::nullopt;
  try {
    return StateVector<T>(n);
  } catch (const ResourceError&) {
    return std::nullopt;
  }
}

// A run of permutation gates on one or two states (diagonal_group.hpp), each moved once into its scratch, which then
// becomes the state. P ψ reads (Pψ)[i] = ψ[f⁻¹(i)] (f: the gates in order), P†ψ reads ψ[f(i)]; each can also be
// written as a scatter through the other map. Whichever of the two maps keeps neighbouring indices closer goes
// through the low bits of the loop: a CNOT ladder's f spreads bit 0 over every qubit, its f⁻¹ only onto the next.
template <Real T>
void permute(const Circuit& c, const std::vector<std::size_t>& run, bool forward, StateVector<T>& a,
             StateVector<T>* a_scratch, StateVector<T>* b = nullptr, StateVector<T>* b_scratch = nullptr) {
  thread_local std::vector<index_t> glo, ghi, slo, shi;
  const unsigned n = a.num_qubits(), k = (n + 1) / 2;
  // gather: out[i] = in[g(i)] with g = f⁻¹ (forward) or f; scatter: out[g⁻¹(y)] = in[y].
  const unsigned gather_spread = detail::permutation_tables(c, run, /*inverse=*/forward, k, glo, ghi);
  const unsigned scatter_spread = detail::permutation_tables(c, run, /*inverse=*/!forward, k, slo, shi);
  const bool scatter = scatter_spread < gather_spread;
  if (a_scratch == nullptr || (n > detail::kMaxPermutationQubits && std::min(gather_spread, scatter_spread) > k + 2)) {
    // No room for a scratch state, or beyond L2 a map that scatters neighbours (it would miss the cache on every
    // amplitude): one gate at a time.
    const auto& ops = c.ops();
    for (std::size_t j = 0; j < run.size(); ++j) {
      const Operation& op = ops[forward ? run[j] : run[run.size() - 1 - j]];
      apply_operation(a, op, {}, /*inverse=*/!forward);
      if (b) apply_operation(*b, op, {}, /*inverse=*/!forward);
    }
    return;
  }
  const index_t* const l = scatter ? slo.data() : glo.data();
  const index_t* const h = scatter ? shi.data() : ghi.data();
  const index_t nlo = index_t{1} << k;
  for (int s = 0; s < 2; ++s) {
    StateVector<T>* const psi = s == 0 ? &a : b;
    StateVector<T>* const out_sv = s == 0 ? a_scratch : b_scratch;
    if (psi == nullptr) break;
    const complex<T>* const in = psi->data();
    complex<T>* const out = out_sv->data();
    parallel_for(
        index_t{1} << (n - k),
        [in, out, l, h, nlo, scatter](index_t blk) { permute_block(in, out, l, h[blk], nlo, blk, scatter); },
        nlo);
    std::swap(*psi, *out_sv);
  }
}

// The forward pass: U|0…0⟩ gate by gate, each diagonal group of `sched` in one pass at its anchor (where the
// kernels run; otherwise, and where no group forms, run()'s fused blocks).
template <Real T>
void forward(const Circuit& c, const std::vector<double>& angles, const detail::DiagonalSchedule& sched,
             StateVector<T>& phi, std::span<const double> theta, std::span<const double> x) {
  if (!use_vector_kernels(phi.num_qubits()) || (sched.members.empty() && sched.runs.empty())) {
    run(c, phi, theta, x);
    return;
  }
  const auto& ops = c.ops();
  detail::DiagonalGroup group(phi.num_qubits());
  const std::vector<std::size_t> first = detail::angle_offsets(ops);
  const unsigned fq = phi.num_qubits() >= kFuseSegmentsFrom ? default_fusion_qubits(phi.num_qubits()) : 0;
  Circuit segment(phi.num_qubits());
  std::vector<double> segment_angles;
  // Unfused, the gates between groups still go to the kernels as one run (apply_dense_run): consecutive gates on low
  // qubits then share a pass over the state. Their matrices and extra controls, stored where the run can point.
  std::vector<kernels::DenseGate> run_gates;
  std::vector<cplx> mats;
  std::vector<ControlList> ctrls;
  if (fq == 0) {
    std::size_t entries = 0, extra = 0;
    for (const Operation& op : ops) {
      entries += std::size_t{1} << (2 * op.targets().size());
      extra += op.controls.empty() ? 0 : 1;
    }
    mats.reserve(entries);
    ctrls.reserve(extra);
  }
  auto flush = [&] {
    if (!run_gates.empty()) phi.apply_matrices(run_gates);
    run_gates.clear();
    if (segment.size() == 0) return;
    run_fused(fuse(segment, segment_angles, fq), phi);
    segment = Circuit(phi.num_qubits());
    segment_angles.clear();
  };
  std::optional<StateVector<T>> scratch = scratch_state<T>(!sched.runs.empty(), phi.num_qubits());
  for (std::size_t k = 0; k < ops.size(); ++k) {
    const Operation& op = ops[k];
    const std::span<const double> ang = std::span<const double>(angles).subspan(first[k], op.params.size());
    if (sched.perm[k] >= 0) {
      const auto& run = sched.runs[sched.perm[k]];
      if (run.front() != k) continue;  // applied with its run
      flush();
      permute(c, run, /*forward=*/true, phi, scratch ? &*scratch : nullptr);
      continue;
    }
    if (sched.group[k] < 0) {
      if (fq > 0) {
        segment.append(op);
        segment_angles.insert(segment_angles.end(), ang.begin(), ang.end());
        continue;
      }
      const std::size_t at = mats.size(), nt = op.targets().size();
      if (op.kind == GateKind::Unitary) {
        mats.insert(mats.end(), op.matrix->begin(), op.matrix->end());
      } else {
        mats.resize(at + (std::size_t{1} << (2 * nt)));
        gate_matrix_into(op.kind, ang, mats.data() + at);
      }
      std::span<const unsigned> controls = std::span<const unsigned>(op.qubits).first(op.qubits.size() - nt);
      if (!op.controls.empty()) {
        ctrls.push_back(op.control_list());
        controls = ctrls.back().span();
      }
      run_gates.push_back({op.targets(), std::span<const cplx>(mats.data() + at, mats.size() - at), controls});
    } else if (sched.anchor(k)) {
      flush();
      for (std::size_t j : sched.members[sched.group[k]])
        group.add(ops[j], std::span<const double>(angles).subspan(first[j], ops[j].params.size()), false, false);
      group.run<T>(phi.data(), static_cast<complex<T>*>(nullptr), [](const Operation&, double) {});
    }
  }
  flush();
}

// The backward sweep shared by both entry points: `phi` holds ψ_N and `lambda` holds O ψ_N on entry.
template <Real T>
void backward_sweep(const Circuit& c, const std::vector<double>& angles, const detail::DiagonalSchedule& sched,
                    StateVector<T>& phi, StateVector<T>& lambda, std::span<const double> theta,
                    std::span<const double> x, DiffWrt wrt, std::vector<double>& dtheta, std::vector<double>& dx) {
  const auto& ops = c.ops();
  const bool vector_kernels = use_vector_kernels(phi.num_qubits());
  auto backprop = [&](const Expr& e, double g) {
    e.backprop(theta, x, g, wrt.theta ? std::span<double>(dtheta) : std::span<double>(),
               wrt.inputs ? std::span<double>(dx) : std::span<double>());
  };
  // Steps gathered for the kernel, with the op and parameter index each sum belongs to.
  std::vector<kernels::AdjointStep> steps;
  std::vector<std::pair<const Operation*, std::array<unsigned, 3>>> owners;
  auto flush = [&] {
    if (steps.empty()) return;
    kernels::adjoint_steps<T>(active_isa(), phi.data(), lambda.data(), phi.num_qubits(), steps);
    for (std::size_t i = 0; i < steps.size(); ++i)
      for (unsigned q = 0; q < steps[i].num_generators; ++q)
        backprop(owners[i].first->params[owners[i].second[q]], 2.0 * steps[i].sums[q]);
    steps.clear();
    owners.clear();
  };
  const std::vector<std::size_t> first = detail::angle_offsets(ops);
  detail::DiagonalGroup group(phi.num_qubits());
  std::optional<StateVector<T>> scratch_phi = scratch_state<T>(vector_kernels && !sched.runs.empty(), phi.num_qubits());
  std::optional<StateVector<T>> scratch_lambda = scratch_phi ? scratch_state<T>(true, phi.num_qubits()) : std::nullopt;
  // Nothing before `stop` has a gradient to take (encoding gates when the inputs' gradient is not asked for).
  const detail::DiagonalSchedule none = detail::DiagonalSchedule::none(vector_kernels ? 0 : ops.size());
  const std::size_t stop =
      detail::first_needed(ops, vector_kernels ? sched : none, [&](const Expr& e) { return wrt.needs(e); });
  for (std::size_t k = ops.size(); k-- > stop;) {
    const Operation& op = ops[k];
    const std::size_t np = op.params.size();
    const std::span<const double> ang = std::span<const double>(angles).subspan(first[k], np);
    if (vector_kernels && sched.perm[k] >= 0) {
      const auto& run = sched.runs[sched.perm[k]];
      if (run.back() != k) continue;  // applied with its run
      flush();
      // Both scratch states, or neither (gate by gate).
      permute(c, run, /*forward=*/false, phi, scratch_lambda ? &*scratch_phi : nullptr, &lambda,
              scratch_lambda ? &*scratch_lambda : nullptr);
      continue;
    }
    if (vector_kernels && sched.group[k] >= 0) {
      if (!sched.anchor(k)) continue;  // taken with its group
      flush();
      for (std::size_t j : sched.members[sched.group[k]]) {
        const Operation& o = ops[j];
        group.add(o, std::span<const double>(angles).subspan(first[j], o.params.size()),
                  !o.params.empty() && wrt.needs(o.params[0]));
      }
      group.run<T>(phi.data(), lambda.data(),
                   [&](const Operation& o, double sum) { backprop(o.params[0], 2.0 * sum); });
      continue;
    }
    if (vector_kernels) {
      kernels::AdjointStep st;
      std::array<unsigned, 3> which{};
      if (detail::make_adjoint_step(op, ang, wrt, st, which)) {
        steps.push_back(st);
        owners.emplace_back(&op, which);
        continue;
      }
    }
    flush();
    apply_operation(phi, op, ang, /*inverse=*/true);  // φ = ψ_{k−1}
    for (std::size_t p = 0; p < np; ++p) {
      const Expr& e = op.params[p];
      if (!wrt.needs(e)) continue;
      // 2 Re ⟨λ| C(∂U/∂p) |φ⟩, with ∂U/∂p zero on the subspace where a control is 0.
      const GateMatrix d = gate_derivative(op.kind, ang, static_cast<unsigned>(p));
      const ControlList clist = op.control_list();
      const cplx m = StateVector<T>::matrix_element(lambda, op.targets(), d.span(), clist.span(), phi);
      backprop(e, 2.0 * m.real());
    }
    if (k > 0) apply_operation(lambda, op, ang, /*inverse=*/true);
  }
  flush();
}

}  // namespace

template <Real T>
Gradient adjoint_gradient(const Circuit& c, const PauliSum& obs, std::span<const double> theta,
                          std::span<const double> x, DiffWrt wrt) {
  const std::vector<double> angles = bind_angles(c, theta, x);
  const detail::DiagonalSchedule sched = schedule(c);
  StateVector<T> phi(c.num_qubits());
  forward(c, angles, sched, phi, theta, x);
  StateVector<T> lambda(c.num_qubits());
  apply_observable(phi, obs, lambda);
  Gradient g;
  g.value = expectation(phi, obs);
  g.theta.assign(wrt.theta ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0, 0.0);
  g.x.assign(wrt.inputs ? x.size() : 0, 0.0);
  backward_sweep(c, angles, sched, phi, lambda, theta, x, wrt, g.theta, g.x);
  wrt.mask(g.theta);
  return g;
}

template <Real T>
VjpResult adjoint_vjp(const Circuit& c, std::span<const PauliSum> observables, std::span<const double> theta,
                      std::span<const double> x, const Upstream& upstream, DiffWrt wrt) {
  const std::vector<double> angles = bind_angles(c, theta, x);
  const detail::DiagonalSchedule sched = schedule(c);
  StateVector<T> phi(c.num_qubits());
  forward(c, angles, sched, phi, theta, x);
  VjpResult r;
  r.values.reserve(observables.size());
  for (const PauliSum& o : observables) r.values.push_back(expectation(phi, o));
  const std::vector<double> w = upstream(r.values);
  if (w.size() != observables.size()) {
    throw ValueError("upstream gradient has " + std::to_string(w.size()) + " entries for " +
                     std::to_string(observables.size()) + " observables");
  }
  // λ = (Σ_k w_k O_k) ψ_N : one backward sweep serves every observable.
  PauliSum weighted;
  for (std::size_t k = 0; k < observables.size(); ++k) weighted = weighted + observables[k] * w[k];
  StateVector<T> lambda(c.num_qubits());
  apply_observable(phi, weighted, lambda);
  r.theta.assign(wrt.theta ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0, 0.0);
  r.x.assign(wrt.inputs ? x.size() : 0, 0.0);
  backward_sweep(c, angles, sched, phi, lambda, theta, x, wrt, r.theta, r.x);
  wrt.mask(r.theta);
  return r;
}

template Gradient adjoint_gradient<float>(const Circuit&, const PauliSum&, std::span<const double>,
                                          std::span<const double>, DiffWrt);
template Gradient adjoint_gradient<double>(const Circuit&, const PauliSum&, std::span<const double>,
                                           std::span<const double>, DiffWrt);
template VjpResult adjoint_vjp<float>(const Circuit&, std::span<const PauliSum>, std::span<const double>,
                                      std::span<const double>, const Upstream&, DiffWrt);
template VjpResult adjoint_vjp<double>(const Circuit&, std::span<const PauliSum>, std::span<const double>,
                                       std::span<const double>, const Upstream&, DiffWrt);

}  // namespace qnn
