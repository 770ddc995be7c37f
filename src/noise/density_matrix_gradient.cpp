#include "qnn/noise/density_matrix_gradient.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>

#include "qnn/core/error.hpp"
#include "qnn/core/parallel.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/exec/simulate_density_matrix.hpp"
#include "qnn/sim/batched_state.hpp"

namespace qnn {

template <Real T>
struct NoisyTape<T>::Kept {
  std::vector<NoisyOperation> ops;
  std::vector<std::size_t> offsets;
  std::vector<DensityMatrix<T>> before_channel;  // ρ before each channel step, in order
  bool consumed = false;
};

namespace {

// The nonzero entries of a term coeff·P of a PauliSum on n qubits, column by column: fn(row, col, value) for
// P_{row, col}, row = col ⊕ x, value = coeff · i^{#Y} (−1)^{|col ∧ z|}. In vec layout (ρ_{r,c} at r + (c << n)) the
// entry sits at row + (col << n), and Tr(ρ P) = Σ value · ρ_{col, row}.
template <class Term, class Fn>
void for_each_pauli_entry(const Term& term, unsigned n, Fn&& fn) {
  const PauliMasks m = term.string.masks();
  static constexpr cplx kIPow[4] = {{1, 0}, {0, 1}, {-1, 0}, {0, -1}};
  const cplx phase = term.coeff * kIPow[m.num_y() % 4];
  for (index_t c = 0; c < (index_t{1} << n); ++c) fn(c ^ m.x, c, parity(c & m.z) ? -phase : phase);
}

// vec(Σ_k w_k O_k).
template <Real T>
void set_observable(DensityMatrix<T>& lam, std::span<const PauliSum> obs, std::span<const double> w) {
  StateVector<T>& v = lam.vectorised();
  v.set_zero();
  const unsigned n = lam.num_qubits();
  for (std::size_t k = 0; k < obs.size(); ++k)
    for (const auto& term : obs[k].terms())
      for_each_pauli_entry(term, n, [&](index_t row, index_t col, cplx value) {
        v[row + (col << n)] += complex<T>(w[k] * value);
      });
}

// Whether the copy of ρ before noisy step i (a channel) is kept for the backward sweep: where a gate comes just
// before it (after a channel ρ is never read again).
bool kept_before(std::span<const NoisyOperation> ops, std::size_t i) { return i > 0 && ops[i - 1].is_gate(); }

// Row-major a · b for square matrices of dimension `dim`.
GateMatrix multiply(const GateMatrix& a, const GateMatrix& b) {
  GateMatrix r;
  r.dim = a.dim;
  for (unsigned i = 0; i < a.dim; ++i)
    for (unsigned j = 0; j < a.dim; ++j) {
      cplx s = 0;
      for (unsigned k = 0; k < a.dim; ++k) s += a(i, k) * b(k, j);
      r(i, j) = s;
    }
  return r;
}

std::vector<cplx> conjugate_transpose(std::span<const cplx> m) { return adjoint_matrix(m); }

}  // namespace

template <Real T>
NoisyTape<T>::NoisyTape(const Circuit& c, const NoiseModel& model, std::span<const double> theta,
                        std::span<const double> x, bool differentiable)
    : circuit_(c), theta_(theta.begin(), theta.end()), x_(x.begin(), x.end()), rho_(c.num_qubits()),
      kept_(std::make_unique<Kept>()) {
  angles_ = bind_angles(c, theta, x);
  kept_->consumed = !differentiable;
  kept_->ops = noisy_operations(c, model);
  kept_->offsets = angle_offsets(c);
  const auto& ops = kept_->ops;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const NoisyOperation& step = ops[i];
    if (step.is_gate()) {
      const Operation& op = c.ops()[step.gate];
      apply_operation(rho_, op, std::span<const double>(angles_).subspan(kept_->offsets[step.gate], op.params.size()));
    } else {
      if (differentiable && kept_before(ops, i)) kept_->before_channel.push_back(rho_);
      rho_.apply_superoperator(step.qubits, step.channel->superoperator());
    }
  }
}

template <Real T>
NoisyTape<T>::~NoisyTape() = default;

template <Real T>
double NoisyTape<T>::expectation(const PauliSum& obs) const {
  return qnn::expectation(rho_, obs);
}

template <Real T>
void NoisyTape<T>::backward(std::span<const PauliSum> observables, std::span<const double> weights,
                            const DiffWrt& wrt, std::span<double> dtheta, std::span<double> dx) {
  if (!kept_ || kept_->consumed) throw ValueError("a noisy tape's backward sweep runs once, and only on a differentiable tape");
  if (weights.size() != observables.size()) {
    throw ValueError("upstream gradient has " + std::to_string(weights.size()) + " entries for " +
                     std::to_string(observables.size()) + " observables");
  }
  kept_->consumed = true;
  const Circuit& c = circuit_;
  DensityMatrix<T>& rho = rho_;
  DensityMatrix<T> lam(c.num_qubits());
  set_observable(lam, observables, weights);
  std::size_t snapshot = kept_->before_channel.size();
  const auto& ops = kept_->ops;
  for (std::size_t i = ops.size(); i-- > 0;) {
    const NoisyOperation& step = ops[i];
    if (!step.is_gate()) {
      // λ ← Φ†(λ) (superoperator S†), and ρ ← the kept ρ before the channel where a gate comes before it (elsewhere ρ
      // is next read after an earlier channel's restore, or never).
      if (i > 0) {
        const std::vector<cplx> sdag = conjugate_transpose(step.channel->superoperator());
        lam.apply_superoperator(step.qubits, sdag);
      }
      if (kept_before(ops, i)) rho = std::move(kept_->before_channel[--snapshot]);
      continue;
    }
    const Operation& op = c.ops()[step.gate];
    const std::size_t np = op.params.size();
    const auto ang = std::span<const double>(angles_).subspan(kept_->offsets[step.gate], np);
    if (np > 0 && op.kind != GateKind::Unitary) {
      const GateMatrix u_dag = adjoint(gate_matrix(op.kind, ang));
      const ControlList clist = op.control_list();
      for (std::size_t p = 0; p < np; ++p) {
        if (!wrt.needs(op.params[p])) continue;
        // 2 Re Tr(λ D ρ) with D = (∂U/∂p) U† on the ket qubits.
        const GateMatrix d = multiply(gate_derivative(op.kind, ang, static_cast<unsigned>(p)), u_dag);
        const cplx m = StateVector<T>::matrix_element(lam.vectorised(), op.targets(), d.span(), clist.span(),
                                                      rho.vectorised());
        op.params[p].backprop(theta_, x_, 2.0 * m.real(), wrt.theta ? dtheta : std::span<double>(),
                              wrt.inputs ? dx : std::span<double>());
      }
    }
    if (i > 0) {
      // Before a channel ρ is restored from its copy: undoing the gate there would be thrown away.
      if (ops[i - 1].is_gate()) apply_operation(rho, op, ang, /*inverse=*/true);
      apply_operation(lam, op, ang, /*inverse=*/true);
    }
  }
  kept_->before_channel.clear();
}

namespace {

// Op k of c (or its inverse) on a batch of vec(ρ) (2n qubits): U on the ket qubits, conj(U) on the bra qubits
// (+ n), controls likewise; each sample its own U where the angle reads x.
template <Real T>
void apply_dm_operation(BatchedStateVector<T>& v, const Circuit& c, std::size_t k, const BatchAngles& angles,
                        bool inverse) {
  const Operation& op = c.ops()[k];
  const unsigned n = c.num_qubits();
  const std::span<const unsigned> targets = op.targets();
  const ControlList clist = op.control_list();
  ControlList bra_t, bra_c;  // the bra half's targets and controls
  for (unsigned t : targets) bra_t.qubits[bra_t.size++] = t + n;
  for (unsigned q : clist.span()) bra_c.qubits[bra_c.size++] = q + n;
  thread_local std::vector<cplx> m, mc;
  const bool per_sample = batched_operation_matrices(c, k, angles, v.batch(), inverse, m);
  mc.resize(m.size());
  std::transform(m.begin(), m.end(), mc.begin(), [](cplx z) { return std::conj(z); });
  if (per_sample) {
    v.apply_matrix_per_sample(targets, m, clist.span());
    v.apply_matrix_per_sample(bra_t.span(), mc, bra_c.span());
  } else {
    v.apply_matrix(targets, m, clist.span());
    v.apply_matrix(bra_t.span(), mc, bra_c.span());
  }
}

// A channel's superoperator S (or S†) on a batch of vec(ρ): qubits q…, then q + n….
template <Real T>
void apply_dm_channel(BatchedStateVector<T>& v, unsigned n, const NoisyOperation& step, bool adjoint) {
  ControlList q;
  for (unsigned t : step.qubits) q.qubits[q.size++] = t;
  for (unsigned t : step.qubits) q.qubits[q.size++] = t + n;
  if (adjoint) {
    v.apply_matrix(q.span(), conjugate_transpose(step.channel->superoperator()));
  } else {
    v.apply_matrix(q.span(), step.channel->superoperator());
  }
}

}  // namespace

template <Real T>
struct BatchedNoisyTape<T>::Kept {
  std::vector<std::unique_ptr<NoisyTape<T>>> singles;  // one tape per sample, where vec(ρ) is large
  std::vector<NoisyOperation> ops;
  BatchAngles angles;
  std::optional<BatchedStateVector<T>> rho;
  // ρ before each channel that directly follows a gate, one after the other (real plane, imaginary plane) in one
  // buffer: one allocation per tape, which the allocator's cache hands to the next tape, where a state per copy
  // (32 KiB planes at 4 qubits and B = 16, below that cache) page-faulted every copy in again (about 12% of noisy
  // Iris training in the kernel's page-fault paths; 0.685 -> 0.579 s with one buffer).
  AlignedBuffer<T> copies;
  std::size_t num_copies = 0;
  bool consumed = false;
  [[nodiscard]] std::size_t plane() const { return static_cast<std::size_t>(rho->size()) * rho->batch(); }
  void keep() {
    T* at = copies.data() + 2 * num_copies++ * plane();
    std::memcpy(at, rho->re(), plane() * sizeof(T));
    std::memcpy(at + plane(), rho->im(), plane() * sizeof(T));
  }
  void restore() {
    const T* at = copies.data() + 2 * --num_copies * plane();
    std::memcpy(rho->re(), at, plane() * sizeof(T));
    std::memcpy(rho->im(), at + plane(), plane() * sizeof(T));
  }
};

template <Real T>
BatchedNoisyTape<T>::BatchedNoisyTape(const Circuit& c, const NoiseModel& model, std::span<const double> theta,
                                      const BatchInputs& x, unsigned batch, bool differentiable)
    : circuit_(c), theta_(theta.begin(), theta.end()), x_(x.data.begin(), x.data.end()), batch_(batch),
      features_(static_cast<unsigned>(x.num_features)), kept_(std::make_unique<Kept>()) {
  Kept& kp = *kept_;
  kp.angles = bind_batch_angles(c, theta, x, batch);
  kp.consumed = !differentiable;
  const unsigned n = c.num_qubits();
  if (2 * n > kMaxBatchedQubits) {
    for (unsigned b = 0; b < batch; ++b)
      kp.singles.push_back(std::make_unique<NoisyTape<T>>(c, model, theta, x.data.subspan(b * features_, features_),
                                                          differentiable));
    return;
  }
  kp.ops = noisy_operations(c, model);
  kp.rho.emplace(2 * n, batch);  // |0…0⟩⟨0…0|: vec index 0
  if (differentiable) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < kp.ops.size(); ++i) count += !kp.ops[i].is_gate() && kept_before(kp.ops, i);
    kp.copies = AlignedBuffer<T>(2 * count * kp.plane());
  }
  for (std::size_t i = 0; i < kp.ops.size(); ++i) {
    const NoisyOperation& step = kp.ops[i];
    if (step.is_gate()) {
      apply_dm_operation(*kp.rho, circuit_, step.gate, kp.angles, false);
    } else {
      if (differentiable && kept_before(kp.ops, i)) kp.keep();
      apply_dm_channel(*kp.rho, n, step, false);
    }
  }
}

template <Real T>
BatchedNoisyTape<T>::~BatchedNoisyTape() = default;

template <Real T>
void BatchedNoisyTape<T>::expectation(const PauliSum& obs, std::span<double> out) const {
  if (out.size() != batch_) throw ValueError("expectation output must have one entry per sample");
  if (!kept_->singles.empty()) {
    for (unsigned b = 0; b < batch_; ++b) out[b] = kept_->singles[b]->expectation(obs);
    return;
  }
  const unsigned n = circuit_.num_qubits(), B = batch_;
  if (obs.min_qubits() > n) throw ValueError("observable acts beyond the density matrix's qubits");
  std::fill(out.begin(), out.end(), 0.0);
  const T* re = kept_->rho->re();
  const T* im = kept_->rho->im();
  // Tr(ρ_b P) = Σ value · ρ_b{col, row}, the real part (ρ and P Hermitian).
  for (const auto& term : obs.terms())
    for_each_pauli_entry(term, n, [&](index_t row, index_t col, cplx value) {
      const index_t i = col + (row << n);
      for (unsigned b = 0; b < B; ++b) out[b] += value.real() * re[i * B + b] - value.imag() * im[i * B + b];
    });
}

template <Real T>
void BatchedNoisyTape<T>::backward(std::span<const PauliSum> observables, std::span<const double> weights,
                                   const DiffWrt& wrt, std::span<double> dtheta, std::span<double> dx) {
  if (!kept_ || kept_->consumed)
    throw ValueError("a noisy tape's backward sweep runs once, and only on a differentiable tape");
  const unsigned B = batch_, n = circuit_.num_qubits();
  const std::size_t K = observables.size(), F = features_;
  if (weights.size() != std::size_t{B} * K) {
    throw ValueError("upstream gradient has " + std::to_string(weights.size()) + " entries for " + std::to_string(B) +
                     " samples x " + std::to_string(K) + " observables");
  }
  if (!dx.empty() && dx.size() != std::size_t{B} * F) throw ValueError("input gradient must be batch x features");
  Kept& kp = *kept_;
  kp.consumed = true;
  if (!kp.singles.empty()) {
    for (unsigned b = 0; b < B; ++b)
      kp.singles[b]->backward(observables, weights.subspan(b * K, K), wrt, dtheta,
                              dx.empty() ? dx : dx.subspan(b * F, F));
    kp.singles.clear();
    return;
  }
  const Circuit& c = circuit_;
  BatchedStateVector<T>& rho = *kp.rho;
  // vec(λ_b) = vec(Σ_k w_bk O_k).
  BatchedStateVector<T> lam(2 * n, B, typename BatchedStateVector<T>::Uninitialized{});
  lam.set_zero();
  T* const lre = lam.re();
  T* const lim = lam.im();
  for (std::size_t k = 0; k < K; ++k)
    for (const auto& term : observables[k].terms())
      for_each_pauli_entry(term, n, [&](index_t row, index_t col, cplx value) {
        const index_t i = row + (col << n);
        for (unsigned b = 0; b < B; ++b) {
          lre[i * B + b] += static_cast<T>(weights[b * K + k] * value.real());
          lim[i * B + b] += static_cast<T>(weights[b * K + k] * value.imag());
        }
      });
  const auto& ops = kp.ops;
  std::vector<cplx> me(B), ds;
  for (std::size_t i = ops.size(); i-- > 0;) {
    const NoisyOperation& step = ops[i];
    if (!step.is_gate()) {
      if (i > 0) apply_dm_channel(lam, n, step, true);
      if (kept_before(ops, i)) kp.restore();
      continue;
    }
    const std::size_t k = step.gate;
    const Operation& op = c.ops()[k];
    const std::size_t np = op.params.size();
    if (np > 0 && op.kind != GateKind::Unitary) {
      const ControlList clist = op.control_list();
      const bool per = kp.angles.per_sample[k];
      for (std::size_t p = 0; p < np; ++p) {
        const Expr& e = op.params[p];
        if (!wrt.needs(e)) continue;
        // 2 Re Tr(λ_b D_b ρ_b), D = (∂U/∂p) U† on the ket qubits.
        const unsigned count = per ? B : 1;
        std::size_t d2 = 0;
        for (unsigned b = 0; b < count; ++b) {
          const auto ang = std::span<const double>(kp.angles.values).subspan(kp.angles.offset[k] + b * np, np);
          const GateMatrix d = multiply(gate_derivative(op.kind, ang, static_cast<unsigned>(p)),
                                        adjoint(gate_matrix(op.kind, ang)));
          d2 = std::size_t{d.dim} * d.dim;
          ds.resize(d2 * count);
          std::copy(d.m.begin(), d.m.begin() + static_cast<std::ptrdiff_t>(d2),
                    ds.begin() + static_cast<std::ptrdiff_t>(b * d2));
        }
        BatchedStateVector<T>::matrix_element(lam, op.targets(), ds, per, clist.span(), rho, me);
        if (per) {
          for (unsigned b = 0; b < B; ++b)
            e.backprop(theta_, std::span<const double>(x_).subspan(b * F, F), 2.0 * me[b].real(),
                       wrt.theta ? dtheta : std::span<double>(),
                       wrt.inputs && !dx.empty() ? dx.subspan(b * F, F) : std::span<double>());
        } else {
          double sum = 0;
          for (unsigned b = 0; b < B; ++b) sum += 2.0 * me[b].real();
          e.backprop(theta_, {}, sum, wrt.theta ? dtheta : std::span<double>(), {});
        }
      }
    }
    if (i > 0) {
      if (ops[i - 1].is_gate()) apply_dm_operation(rho, c, k, kp.angles, true);
      apply_dm_operation(lam, c, k, kp.angles, true);
    }
  }
  kp.copies = AlignedBuffer<T>();
}

template <Real T>
Gradient density_matrix_gradient(const Circuit& c, const NoiseModel& model, const PauliSum& obs,
                                 std::span<const double> theta, std::span<const double> x, DiffWrt wrt) {
  NoisyTape<T> tape(c, model, theta, x);
  Gradient g;
  g.value = tape.expectation(obs);
  g.theta.assign(wrt.theta ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0, 0.0);
  g.x.assign(wrt.inputs ? x.size() : 0, 0.0);
  const double one = 1.0;
  tape.backward(std::span<const PauliSum>(&obs, 1), std::span<const double>(&one, 1), wrt, g.theta, g.x);
  wrt.mask(g.theta);
  return g;
}

template <Real T>
VjpResult density_matrix_vjp(const Circuit& c, const NoiseModel& model, std::span<const PauliSum> observables,
                             std::span<const double> theta, std::span<const double> x, const Upstream& upstream,
                             DiffWrt wrt) {
  NoisyTape<T> tape(c, model, theta, x);
  VjpResult r;
  for (const PauliSum& o : observables) r.values.push_back(tape.expectation(o));
  const std::vector<double> w = upstream(r.values);
  r.theta.assign(wrt.theta ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0, 0.0);
  r.x.assign(wrt.inputs ? x.size() : 0, 0.0);
  tape.backward(observables, w, wrt, r.theta, r.x);
  wrt.mask(r.theta);
  return r;
}

template <Real T>
BatchedVjpResult density_matrix_vjp_batched(const Circuit& c, const NoiseModel& model,
                                            std::span<const PauliSum> observables, std::span<const double> theta,
                                            const BatchInputs& x, unsigned batch, const BatchedUpstream& upstream,
                                            DiffWrt wrt) {
  const std::size_t K = observables.size(), F = x.num_features;
  if (x.data.size() != std::size_t{batch} * F) {
    throw ValueError("a batch of " + std::to_string(batch) + " samples of " + std::to_string(F) + " features needs " +
                     std::to_string(std::size_t{batch} * F) + " inputs, got " + std::to_string(x.data.size()));
  }
  // Forward: batched tapes of fixed chunks of samples (in parallel); the upstream weights need every value first.
  const std::size_t chunk = BatchedNoisyTape<T>::chunk_size(c.num_qubits()), chunks = (batch + chunk - 1) / chunk;
  auto chunk_of = [&](std::size_t ch) {
    const std::size_t first = ch * chunk;
    return std::pair{first, std::min<std::size_t>(batch, first + chunk) - first};
  };
  std::vector<std::unique_ptr<BatchedNoisyTape<T>>> tapes(chunks);
  BatchedVjpResult r;
  r.values.assign(std::size_t{batch} * K, 0.0);
  const std::uint64_t work = (std::uint64_t{1} << (2 * c.num_qubits())) * (c.size() + 1) * chunk;
  parallel_tasks(chunks, [&](std::uint64_t ch) {
    const auto [first, count] = chunk_of(ch);
    tapes[ch] = std::make_unique<BatchedNoisyTape<T>>(
        c, model, theta, BatchInputs{x.data.subspan(first * F, count * F), F}, static_cast<unsigned>(count));
    std::vector<double> col(count);
    for (std::size_t k = 0; k < K; ++k) {
      tapes[ch]->expectation(observables[k], col);
      for (std::size_t b = 0; b < count; ++b) r.values[(first + b) * K + k] = col[b];
    }
  }, work);
  const std::vector<double> w = upstream(r.values);
  if (w.size() != r.values.size()) throw ValueError("batched upstream gradient has the wrong size");
  const std::size_t nt = wrt.theta ? std::max<std::size_t>(theta.size(), c.num_theta()) : 0;
  std::vector<std::vector<double>> dtheta(chunks, std::vector<double>(nt, 0.0));
  r.x.assign(wrt.inputs ? std::size_t{batch} * F : 0, 0.0);
  parallel_tasks(chunks, [&](std::uint64_t ch) {
    const auto [first, count] = chunk_of(ch);
    tapes[ch]->backward(observables, std::span<const double>(w).subspan(first * K, count * K), wrt, dtheta[ch],
                        wrt.inputs ? std::span<double>(r.x).subspan(first * F, count * F) : std::span<double>());
    tapes[ch].reset();
  }, work);
  r.theta.assign(nt, 0.0);
  for (std::size_t ch = 0; ch < chunks; ++ch)
    for (std::size_t i = 0; i < nt; ++i) r.theta[i] += dtheta[ch][i];
  wrt.mask(r.theta);
  return r;
}

#define QNN_INSTANTIATE(T)                                                                                         \
  template class NoisyTape<T>;                                                                                     \
  template class BatchedNoisyTape<T>;                                                                              \
  template Gradient density_matrix_gradient<T>(const Circuit&, const NoiseModel&, const PauliSum&,                 \
                                               std::span<const double>, std::span<const double>, DiffWrt);         \
  template VjpResult density_matrix_vjp<T>(const Circuit&, const NoiseModel&, std::span<const PauliSum>,           \
                                           std::span<const double>, std::span<const double>, const Upstream&,      \
                                           DiffWrt);                                                               \
  template BatchedVjpResult density_matrix_vjp_batched<T>(const Circuit&, const NoiseModel&,                       \
                                                          std::span<const PauliSum>, std::span<const double>,      \
                                                          const BatchInputs&, unsigned, const BatchedUpstream&,    \
                                                          DiffWrt);
QNN_INSTANTIATE(float)
QNN_INSTANTIATE(double)
#undef QNN_INSTANTIATE

}  // namespace qnn
