#include "qnn/exec/batched.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/exec/simulate.hpp"
#include "qnn/sim/kernels.hpp"

namespace qnn {

BatchAngles bind_batch_angles(const Circuit& c, std::span<const double> theta, const BatchInputs& x, unsigned batch) {
  if (x.data.size() != std::size_t{batch} * x.num_features) {
    throw ValueError("batch inputs have " + std::to_string(x.data.size()) + " values, expected " +
                     std::to_string(batch) + " samples × " + std::to_string(x.num_features) + " features");
  }
  if (x.num_features < c.num_inputs()) {
    throw ValueError("the circuit reads " + std::to_string(c.num_inputs()) + " input features but samples have " +
                     std::to_string(x.num_features));
  }
  // Validate θ (and sample 0's inputs) through the single-sample binder: one source of error messages. An empty
  // batch has no sample 0: θ is checked with zero inputs.
  const std::vector<double> no_sample(batch ? 0 : x.num_features, 0.0);
  const std::vector<double> first =
      bind_angles(c, theta, batch ? x.data.first(x.num_features) : std::span<const double>(no_sample));
  for (std::size_t i = 0; i < x.data.size(); ++i)
    if (!std::isfinite(x.data[i])) {
      throw ValueError("input feature " + std::to_string(i % x.num_features) + " of sample " +
                       std::to_string(i / x.num_features) + " is not finite");
    }
  BatchAngles a;
  const auto& ops = c.ops();
  a.per_sample.resize(ops.size());
  a.offset.resize(ops.size());
  std::size_t f = 0;
  for (std::size_t k = 0; k < ops.size(); ++k) {
    const auto& op = ops[k];
    const std::size_t np = op.params.size();
    bool reads_x = false;
    for (const Expr& e : op.params) reads_x = reads_x || e.num_inputs() > 0;
    a.per_sample[k] = reads_x;
    a.offset[k] = a.values.size();
    if (!reads_x) {
      a.values.insert(a.values.end(), first.begin() + static_cast<std::ptrdiff_t>(f),
                      first.begin() + static_cast<std::ptrdiff_t>(f + np));
    } else {
      for (unsigned b = 0; b < batch; ++b) {
        const auto xb = x.data.subspan(b * x.num_features, x.num_features);
        for (const Expr& e : op.params) {
          const double v = e.eval(theta, xb);
          if (!std::isfinite(v)) throw ValueError("an angle evaluates to a non-finite number for sample " + std::to_string(b));
          a.values.push_back(v);
        }
      }
    }
    f += np;
  }
  return a;
}

template <Real T>
void apply_operation_batched(BatchedStateVector<T>& psi, const Circuit& c, std::size_t k, const BatchAngles& angles,
                             bool inverse) {
  const Operation& op = c.ops()[k];
  const std::span<const unsigned> targets = op.targets();
  // Built-in controls are a view of op.qubits; the 256-byte extra-control list is built only when there are extras
  // (constructing it zero-filled it, and matrices went through zero-filled GateMatrix values: a tenth of a batched
  // step on 4 qubits).
  auto apply = [&](auto&& fn) {
    if (op.controls.empty()) {
      fn(std::span<const unsigned>(op.qubits).first(op.qubits.size() - targets.size()));
    } else {
      const ControlList clist = op.control_list();
      fn(clist.span());
    }
  };
  thread_local std::vector<cplx> ms;
  const bool per_sample = batched_operation_matrices(c, k, angles, psi.batch(), inverse, ms);
  apply([&](std::span<const unsigned> controls) {
    if (per_sample) {
      psi.apply_matrix_per_sample(targets, ms, controls);
    } else {
      psi.apply_matrix(targets, ms, controls);
    }
  });
}

bool batched_operation_matrices(const Circuit& c, std::size_t k, const BatchAngles& angles, unsigned batch,
                                bool inverse, std::vector<cplx>& out) {
  const Operation& op = c.ops()[k];
  if (op.kind == GateKind::Unitary) {
    if (inverse) {
      out = adjoint_matrix(*op.matrix);
    } else {
      out.assign(op.matrix->begin(), op.matrix->end());
    }
    return false;
  }
  const bool per_sample = angles.per_sample[k];
  const unsigned count = per_sample ? batch : 1;
  const std::size_t np = op.params.size(), dim = std::size_t{1} << op.targets().size(), d2 = dim * dim;
  out.resize(d2 * count + 16);  // gate_matrix_into may use 16 entries from the last sample's start
  for (unsigned b = 0; b < count; ++b) {
    const auto ang = std::span<const double>(angles.values).subspan(angles.offset[k] + b * np, np);
    gate_matrix_into(op.kind, ang, out.data() + b * d2, inverse);
  }
  out.resize(d2 * count);
  return per_sample;
}

template <Real T>
bool apply_pair_batched(BatchedStateVector<T>& psi, const Circuit& c, std::size_t k, std::size_t j,
                        const BatchAngles& angles) {
  const Operation& a = c.ops()[k];
  const Operation& b = c.ops()[j];
  auto one_qubit = [](const Operation& op) {
    return op.kind != GateKind::Unitary && op.qubits.size() == 1 && op.controls.empty();
  };
  if (active_isa() == Isa::Reference || !one_qubit(a) || !one_qubit(b) || a.qubits[0] == b.qubits[0]) return false;
  const unsigned B = psi.batch();
  thread_local std::vector<T> ma, mb;
  // The matrices as real entries, entry e of sample s at m[e·B + s] (per sample) or m[e] (shared); false where an
  // entry is not real.
  auto real_matrix = [&](const Operation& op, std::size_t at, std::vector<T>& m) {
    const std::size_t np = op.params.size();
    const bool per = angles.per_sample[at];
    const unsigned count = per ? B : 1;
    m.resize(4 * std::size_t{count});
    cplx g[16];
    for (unsigned s = 0; s < count; ++s) {
      const auto ang = std::span<const double>(angles.values).subspan(angles.offset[at] + s * np, np);
      if (gate_matrix_into(op.kind, ang, g) != 2) return false;
      for (int e = 0; e < 4; ++e) {
        if (g[e].imag() != 0) return false;
        m[e * std::size_t{count} + s] = static_cast<T>(g[e].real());
      }
    }
    return true;
  };
  if (!real_matrix(a, k, ma) || !real_matrix(b, j, mb)) return false;
  kernels::batched_real_pair<T>(active_isa(), psi.re(), psi.im(), psi.num_qubits(), B, a.qubits[0], ma.data(),
                                angles.per_sample[k], b.qubits[0], mb.data(), angles.per_sample[j]);
  return true;
}

bool product_gate(const Operation& op) { return op.qubits.size() == 1 && op.controls.empty(); }

template <Real T>
void set_product_state_batched(BatchedStateVector<T>& psi, const Circuit& c, std::span<const std::size_t> prefix,
                               const BatchAngles& angles, ProductTrace* trace) {
  const unsigned n = psi.num_qubits(), B = psi.batch();
  if (c.num_qubits() != n) throw ValueError("circuit and batched state differ in qubit count");
  // vr, vi[(2q + s)·B + b]: component s of qubit q's one-qubit state in sample b (real and imaginary parts), from |0⟩
  // through its gates in order; split so that the update of a gate is one vectorisable loop over the batch.
  thread_local std::vector<double> wr, wi, mr, mi;
  wr.assign(2 * std::size_t{n} * B, 0.0);
  wi.assign(wr.size(), 0.0);
  for (unsigned q = 0; q < n; ++q) std::fill_n(wr.begin() + 2 * std::ptrdiff_t{q} * B, B, 1.0);
  cplx m[16];
  if (trace != nullptr) {
    trace->before_re.resize(prefix.size() * 2 * B);
    trace->before_im.resize(prefix.size() * 2 * B);
  }
  for (std::size_t t = 0; t < prefix.size(); ++t) {
    const Operation& op = c.ops().at(prefix[t]);
    const std::size_t k = prefix[t];
    if (!product_gate(op)) throw ValueError("a product-state prefix takes one-qubit gates without controls only");
    double* const v0r = wr.data() + 2 * std::size_t{op.qubits[0]} * B;
    double* const v0i = wi.data() + 2 * std::size_t{op.qubits[0]} * B;
    double* const v1r = v0r + B;
    double* const v1i = v0i + B;
    if (trace != nullptr) {
      std::copy_n(v0r, 2 * B, trace->before_re.begin() + static_cast<std::ptrdiff_t>(2 * t * B));
      std::copy_n(v0i, 2 * B, trace->before_im.begin() + static_cast<std::ptrdiff_t>(2 * t * B));
    }
    const std::size_t np = op.params.size();
    const bool per = angles.per_sample[k] && op.kind != GateKind::Unitary;
    mr.resize(4 * (per ? B : 1));
    mi.resize(mr.size());
    for (unsigned b = 0; b < (per ? B : 1); ++b) {
      if (op.kind == GateKind::Unitary) {
        std::copy(op.matrix->begin(), op.matrix->begin() + 4, m);
      } else {
        const auto ang = std::span<const double>(angles.values).subspan(angles.offset[k] + (per ? b * np : 0), np);
        gate_matrix_into(op.kind, ang, m);
      }
      for (std::size_t e = 0; e < 4; ++e) {
        mr[e * (per ? B : 1) + b] = m[e].real();
        mi[e * (per ? B : 1) + b] = m[e].imag();
      }
    }
    // v ← M v for every sample: M shared (scalars) or per sample (entry e of sample b at m[e·B + b]).
    auto update = [&](auto re, auto im) {
#pragma omp simd
      for (unsigned b = 0; b < B; ++b) {
        const double m0r = re(0, b), m1r = re(1, b), m2r = re(2, b), m3r = re(3, b);
        const double m0i = im(0, b), m1i = im(1, b), m2i = im(2, b), m3i = im(3, b);
        const double r0 = v0r[b], i0 = v0i[b], r1 = v1r[b], i1 = v1i[b];
        v0r[b] = m0r * r0 - m0i * i0 + m1r * r1 - m1i * i1;
        v0i[b] = m0r * i0 + m0i * r0 + m1r * i1 + m1i * r1;
        v1r[b] = m2r * r0 - m2i * i0 + m3r * r1 - m3i * i1;
        v1i[b] = m2r * i0 + m2i * r0 + m3r * i1 + m3i * r1;
      }
    };
    if (per) {
      const double* const pr = mr.data();
      const double* const pi = mi.data();
      update([=](std::size_t e, unsigned b) { return pr[e * B + b]; },
             [=](std::size_t e, unsigned b) { return pi[e * B + b]; });
    } else {
      const std::array<double, 4> sr{mr[0], mr[1], mr[2], mr[3]}, si{mi[0], mi[1], mi[2], mi[3]};
      update([&](std::size_t e, unsigned) { return sr[e]; }, [&](std::size_t e, unsigned) { return si[e]; });
    }
  }
  if (trace != nullptr) {
    trace->final_re = wr;
    trace->final_im = wi;
  }
  thread_local std::vector<T> vr, vi;
  vr.resize(wr.size());
  vi.resize(wr.size());
  for (std::size_t e = 0; e < wr.size(); ++e) {
    vr[e] = static_cast<T>(wr[e]);
    vi[e] = static_cast<T>(wi[e]);
  }
  kernels::batched_product_state<T>(active_isa(), psi.re(), psi.im(), n, B, vr.data(), vi.data());
}

template <Real T>
void run_batched(const Circuit& c, BatchedStateVector<T>& psi, std::span<const double> theta, const BatchInputs& x) {
  if (psi.num_qubits() != c.num_qubits()) throw ValueError("circuit and batched state differ in qubit count");
  const BatchAngles angles = bind_batch_angles(c, theta, x, psi.batch());
  for (std::size_t k = 0; k < c.ops().size(); ++k) {
    if (k + 1 < c.ops().size() && apply_pair_batched(psi, c, k, k + 1, angles)) {
      ++k;
      continue;
    }
    apply_operation_batched(psi, c, k, angles);
  }
}

template <Real T>
void expectation_batched(const BatchedStateVector<T>& psi, const PauliSum& obs, std::span<double> out) {
  if (obs.min_qubits() > psi.num_qubits()) throw ValueError("observable acts beyond the state's qubits");
  std::fill(out.begin(), out.end(), 0.0);
  std::vector<double> t(psi.batch());
  for (const auto& term : obs.terms()) {
    if (term.string.factors().empty()) {
      for (auto& v : out) v += term.coeff;  // states are normalised
      continue;
    }
    psi.expectation(term.string.masks(), t);
    for (unsigned b = 0; b < psi.batch(); ++b) out[b] += term.coeff * t[b];
  }
}

#define QNN_INSTANTIATE(T)                                                                                        \
  template void apply_operation_batched<T>(BatchedStateVector<T>&, const Circuit&, std::size_t, const BatchAngles&, \
                                           bool);                                                                  \
  template bool apply_pair_batched<T>(BatchedStateVector<T>&, const Circuit&, std::size_t, std::size_t,              \
                                      const BatchAngles&);                                                             \
  template void set_product_state_batched<T>(BatchedStateVector<T>&, const Circuit&, std::span<const std::size_t>,  \
                                             const BatchAngles&, ProductTrace*);                                  \
  template void run_batched<T>(const Circuit&, BatchedStateVector<T>&, std::span<const double>, const BatchInputs&); \
  template void expectation_batched<T>(const BatchedStateVector<T>&, const PauliSum&, std::span<double>);
QNN_INSTANTIATE(float)
QNN_INSTANTIATE(double)
#undef QNN_INSTANTIATE

}  // namespace qnn
