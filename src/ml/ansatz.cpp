#include "qnn/ml/ansatz.hpp"

#include <numeric>
#include <utility>

#include "qnn/core/error.hpp"

namespace qnn {

unsigned strongly_entangling(Circuit& c, unsigned layers, unsigned first_theta) {
  const unsigned n = c.num_qubits();
  unsigned t = first_theta;
  for (unsigned l = 0; l < layers; ++l) {
    for (unsigned q = 0; q < n; ++q) {
      c.rz(q, theta(t)).ry(q, theta(t + 1)).rz(q, theta(t + 2));
      t += 3;
    }
    if (n > 1) {
      const unsigned r = l % (n - 1) + 1;
      for (unsigned q = 0; q < n; ++q) c.cnot(q, (q + r) % n);
    }
  }
  return t - first_theta;
}

unsigned basic_entangler(Circuit& c, unsigned layers, unsigned first_theta, GateKind rotation) {
  if (rotation != GateKind::RX && rotation != GateKind::RY && rotation != GateKind::RZ)
    throw ValueError("basic entangler: the rotation must be RX, RY or RZ, got " + std::string(gate_info(rotation).name));
  const unsigned n = c.num_qubits();
  unsigned t = first_theta;
  for (unsigned l = 0; l < layers; ++l) {
    for (unsigned q = 0; q < n; ++q) c.add(rotation, {q}, {theta(t++)});
    if (n == 2) {
      c.cnot(0, 1);
    } else if (n > 2) {
      for (unsigned q = 0; q < n; ++q) c.cnot(q, (q + 1) % n);
    }
  }
  return t - first_theta;
}

unsigned rotation_block_size(RotationBlock r) {
  switch (r) {
    case RotationBlock::RY: return 1;
    case RotationBlock::RYRZ: return 2;
    case RotationBlock::U3: return 3;
  }
  return 0;
}

namespace {

// Appends rotation block r on qubit q with weights from t; advances t.
void rotation(Circuit& c, unsigned q, RotationBlock r, unsigned& t) {
  switch (r) {
    case RotationBlock::RY:
      c.ry(q, theta(t));
      break;
    case RotationBlock::RYRZ:
      c.ry(q, theta(t)).rz(q, theta(t + 1));
      break;
    case RotationBlock::U3:
      c.u(q, theta(t), theta(t + 1), theta(t + 2));
      break;
  }
  t += rotation_block_size(r);
}

std::vector<std::pair<unsigned, unsigned>> entangling_pairs(unsigned n, Entanglement e) {
  std::vector<std::pair<unsigned, unsigned>> pairs;
  if (e == Entanglement::Full) {
    for (unsigned i = 0; i < n; ++i)
      for (unsigned j = i + 1; j < n; ++j) pairs.emplace_back(i, j);
    return pairs;
  }
  for (unsigned i = 0; i + 1 < n; ++i) pairs.emplace_back(i, i + 1);
  // For n = 2 the closing pair would repeat (0, 1).
  if (e == Entanglement::Ring && n > 2) pairs.emplace_back(n - 1, 0);
  return pairs;
}

}  // namespace

unsigned hardware_efficient(Circuit& c, unsigned layers, const HardwareEfficientOptions& options,
                            unsigned first_theta) {
  const GateInfo& ent = gate_info(options.entangler);
  if (ent.num_qubits != 2 || ent.num_params != 0)
    throw ValueError("hardware-efficient ansatz: the entangler must be a two-qubit gate without parameters (cz, cx, …), "
                     "got " + std::string(ent.name));
  const unsigned n = c.num_qubits();
  const auto pairs = entangling_pairs(n, options.entanglement);
  unsigned t = first_theta;
  for (unsigned l = 0; l < layers; ++l) {
    for (unsigned q = 0; q < n; ++q) rotation(c, q, options.rotation, t);
    for (const auto& [a, b] : pairs) c.add(options.entangler, {a, b});
  }
  if (options.final_rotation)
    for (unsigned q = 0; q < n; ++q) rotation(c, q, options.rotation, t);
  return t - first_theta;
}

namespace {

// W(a, b) of the QCNN convolution, weights from t (8).
void convolution_block(Circuit& c, unsigned a, unsigned b, unsigned t) {
  c.u(a, theta(t), theta(t + 1), theta(t + 2)).u(b, theta(t + 3), theta(t + 4), theta(t + 5));
  c.cnot(a, b).ry(a, theta(t + 6)).rz(b, theta(t + 7)).cnot(b, a);
}

// Pools `discard` into `keep`, weights from t (2).
void pooling_block(Circuit& c, unsigned keep, unsigned discard, unsigned t) {
  c.crz(discard, keep, theta(t)).x(discard).crx(discard, keep, theta(t + 1));
}

}  // namespace

NarrowingResult qcnn(Circuit& c, unsigned layers, const QcnnOptions& options, unsigned first_theta) {
  if (options.readout_qubits == 0) throw ValueError("QCNN: readout_qubits must be at least 1");
  std::vector<unsigned> active(c.num_qubits());
  std::iota(active.begin(), active.end(), 0U);
  unsigned t = first_theta;
  constexpr unsigned kConv = 8, kPool = 2;
  while (active.size() > options.readout_qubits && active.size() > 1) {
    const std::size_t m = active.size();
    for (unsigned l = 0; l < layers; ++l) {
      const unsigned shared = t;
      if (options.share_weights) t += kConv;
      for (std::size_t start : {std::size_t{0}, std::size_t{1}}) {
        for (std::size_t i = start; i + 1 < m; i += 2) {
          convolution_block(c, active[i], active[i + 1], options.share_weights ? shared : t);
          if (!options.share_weights) t += kConv;
        }
      }
    }
    const unsigned shared = t;
    if (options.share_weights) t += kPool;
    std::vector<unsigned> kept;
    for (std::size_t i = 0; i < m; i += 2) {
      if (i + 1 < m) {
        pooling_block(c, active[i], active[i + 1], options.share_weights ? shared : t);
        if (!options.share_weights) t += kPool;
      }
      kept.push_back(active[i]);
    }
    active = std::move(kept);
  }
  return {t - first_theta, std::move(active)};
}

NarrowingResult tree_tensor_network(Circuit& c, unsigned layers, RotationBlock r, unsigned first_theta) {
  const unsigned n = c.num_qubits();
  unsigned t = first_theta;
  for (unsigned l = 0; l < layers; ++l) {
    for (unsigned step = 1; step < n; step *= 2) {
      for (unsigned a = 0; a + step < n; a += 2 * step) {
        const unsigned b = a + step;
        rotation(c, a, r, t);
        rotation(c, b, r, t);
        c.cnot(b, a);
      }
    }
    rotation(c, 0, r, t);
  }
  return {t - first_theta, {0}};
}

Ansatz::Ansatz(std::string name, Builder build) : name_(std::move(name)), build_(std::move(build)) {
  if (!build_) throw ValueError("ansatz '" + name_ + "': the builder is empty");
}

NarrowingResult Ansatz::apply(Circuit& c, unsigned layers, unsigned first_theta) const {
  return build_(c, layers, first_theta);
}

unsigned Ansatz::num_weights(unsigned qubits, unsigned layers) const {
  // Building costs microseconds and cannot disagree with apply().
  Circuit scratch(qubits);
  return apply(scratch, layers, 0).num_weights;
}

Circuit Ansatz::circuit(unsigned qubits, unsigned layers) const {
  Circuit c(qubits);
  apply(c, layers, 0);
  return c;
}

namespace {

std::vector<unsigned> all_qubits(const Circuit& c) {
  std::vector<unsigned> q(c.num_qubits());
  std::iota(q.begin(), q.end(), 0U);
  return q;
}

// Wraps a builder that returns only a weight count.
template <class Fn>
Ansatz plain(std::string name, Fn fn) {
  return Ansatz(std::move(name), [fn](Circuit& c, unsigned layers, unsigned first_theta) {
    const unsigned used = fn(c, layers, first_theta);
    return NarrowingResult{used, all_qubits(c)};
  });
}

// θ_i → θ_{i+offset}. Expr keeps its tree private, so only angles whose weights can be replaced whole are accepted.
Expr shift_theta(const Expr& e, unsigned offset, const Operation& op) {
  if (e.kind() == Expr::Kind::Theta) return theta(e.index() + offset);
  if (e.num_theta() == 0) return e;
  throw ValueError("template ansatz: the angle '" + e.to_string() + "' of gate " + std::string(op.info().name) +
                   " combines weights in an expression that cannot be re-indexed; use a bare theta(i) or a "
                   "LayerFunction");
}

}  // namespace

Ansatz custom_ansatz(std::string name, LayerFunction layer) {
  if (!layer) throw ValueError("ansatz '" + name + "': the layer function is empty");
  return plain(std::move(name), [layer](Circuit& c, unsigned layers, unsigned first_theta) {
    unsigned t = first_theta;
    for (unsigned l = 0; l < layers; ++l) t += layer(c, l, t);
    return t - first_theta;
  });
}

Ansatz template_ansatz(std::string name, const Circuit& layer_template) {
  // Fail on a bad template now rather than at the first build.
  for (const Operation& op : layer_template.ops())
    for (const Expr& e : op.params) (void)shift_theta(e, 0, op);
  return plain(std::move(name), [layer_template](Circuit& c, unsigned layers, unsigned first_theta) {
    if (layer_template.num_qubits() > c.num_qubits())
      throw ValueError("template ansatz: the template has " + std::to_string(layer_template.num_qubits()) +
                       " qubits but the circuit only " + std::to_string(c.num_qubits()));
    const unsigned per_layer = layer_template.num_theta();
    for (unsigned l = 0; l < layers; ++l) {
      const unsigned offset = first_theta + l * per_layer;
      for (Operation op : layer_template.ops()) {
        for (Expr& e : op.params) e = shift_theta(e, offset, op);
        c.append(op);
      }
    }
    return layers * per_layer;
  });
}

std::vector<std::string> ansatz_names() {
  return {"basic", "strong", "hea-linear", "hea-ring", "hea-full", "qcnn", "ttn"};
}

Ansatz make_ansatz(std::string_view name, const AnsatzOptions& o) {
  const std::string n(name);
  if (n == "basic")
    return plain(n, [r = o.basic_rotation](Circuit& c, unsigned l, unsigned t) { return basic_entangler(c, l, t, r); });
  if (n == "strong")
    return plain(n, [](Circuit& c, unsigned l, unsigned t) { return strongly_entangling(c, l, t); });
  if (n.starts_with("hea-")) {
    HardwareEfficientOptions h{.rotation = o.rotation};
    const std::string_view kind = name.substr(4);
    bool known = true;
    if (kind == "linear") h.entanglement = Entanglement::Linear;
    else if (kind == "ring") h.entanglement = Entanglement::Ring;
    else if (kind == "full") h.entanglement = Entanglement::Full;
    else known = false;
    if (known)
      return plain(n, [h](Circuit& c, unsigned l, unsigned t) { return hardware_efficient(c, l, h, t); });
  }
  if (n == "qcnn")
    return Ansatz(n, [q = o.qcnn](Circuit& c, unsigned l, unsigned t) { return qcnn(c, l, q, t); });
  if (n == "ttn")
    return Ansatz(n, [r = o.rotation](Circuit& c, unsigned l, unsigned t) { return tree_tensor_network(c, l, r, t); });
  std::string list;
  for (const std::string& s : ansatz_names()) list += (list.empty() ? "" : ", ") + s;
  throw ValueError("unknown ansatz '" + n + "' (known: " + list + ")");
}

unsigned ansatz_weight_count(std::string_view name, unsigned qubits, unsigned layers, const AnsatzOptions& options) {
  return make_ansatz(name, options).num_weights(qubits, layers);
}

RotationBlock parse_rotation_block(std::string_view name) {
  if (name == "ry") return RotationBlock::RY;
  if (name == "ry-rz") return RotationBlock::RYRZ;
  if (name == "u3") return RotationBlock::U3;
  throw ValueError("unknown rotation block '" + std::string(name) + "' (known: ry, ry-rz, u3)");
}

std::string_view rotation_block_name(RotationBlock r) {
  switch (r) {
    case RotationBlock::RY: return "ry";
    case RotationBlock::RYRZ: return "ry-rz";
    case RotationBlock::U3: return "u3";
  }
  return "?";
}

}  // namespace qnn
