#include "qnn/ml/encoding.hpp"

#include <algorithm>
#include <bit>
#include <cctype>
#include <climits>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>

#include "qnn/core/error.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {

namespace {

// What feature j reads: input(j) itself, or a trainable rescaling of it (re-uploading).
using FeatureExpr = std::function<Expr(unsigned)>;

Expr plain_feature(unsigned j) { return input(j); }

void check_fits(const Circuit& c, EncodingKind kind, unsigned num_features) {
  check_encoding_capacity(kind, c.num_qubits(), num_features);
}

void angle_block(Circuit& c, unsigned num_features, GateKind kind, const FeatureExpr& f) {
  for (unsigned j = 0; j < num_features; ++j) c.add(kind, {j % c.num_qubits()}, {f(j)});
}

void dense_block(Circuit& c, unsigned num_features, const FeatureExpr& f) {
  for (unsigned j = 0; j < num_features; ++j) c.add(j % 2 == 0 ? GateKind::RY : GateKind::RZ, {j / 2}, {f(j)});
}

void basis_block(Circuit& c, unsigned num_features, const FeatureExpr& f) {
  for (unsigned j = 0; j < num_features; ++j) c.ry(j, std::numbers::pi * f(j));
}

std::vector<std::pair<unsigned, unsigned>> feature_pairs(unsigned n, FeaturePairs pairs) {
  std::vector<std::pair<unsigned, unsigned>> out;
  if (pairs == FeaturePairs::Full) {
    for (unsigned j = 0; j < n; ++j)
      for (unsigned k = j + 1; k < n; ++k) out.emplace_back(j, k);
    return out;
  }
  for (unsigned j = 0; j + 1 < n; ++j) out.emplace_back(j, j + 1);
  // Qiskit's circular entanglement closes the chain with (n−1, 0); for two qubits that pair is (0, 1) again.
  if (pairs == FeaturePairs::Circular && n > 2) out.emplace_back(n - 1, 0);
  return out;
}

void zz_block(Circuit& c, unsigned num_features, FeaturePairs pairs, const FeatureExpr& f) {
  for (unsigned j = 0; j < num_features; ++j) c.h(j);
  for (unsigned j = 0; j < num_features; ++j) c.p(j, 2.0 * f(j));
  for (auto [j, k] : feature_pairs(num_features, pairs)) {
    c.cx(j, k);
    c.p(k, 2.0 * ((std::numbers::pi - f(j)) * (std::numbers::pi - f(k))));
    c.cx(j, k);
  }
}

void iqp_block(Circuit& c, unsigned num_features, FeaturePairs pairs, const FeatureExpr& f) {
  for (unsigned j = 0; j < num_features; ++j) c.h(j);
  for (unsigned j = 0; j < num_features; ++j) c.rz(j, f(j));
  for (auto [j, k] : feature_pairs(num_features, pairs)) c.rzz(j, k, f(j) * f(k));
}

void append_block(Circuit& c, EncodingKind kind, unsigned num_features, FeaturePairs pairs, const FeatureExpr& f) {
  switch (kind) {
    case EncodingKind::AngleX: return angle_block(c, num_features, GateKind::RX, f);
    case EncodingKind::AngleY: return angle_block(c, num_features, GateKind::RY, f);
    case EncodingKind::AngleZ: return angle_block(c, num_features, GateKind::RZ, f);
    case EncodingKind::Dense: return dense_block(c, num_features, f);
    case EncodingKind::Basis: return basis_block(c, num_features, f);
    case EncodingKind::ZZ: return zz_block(c, num_features, pairs, f);
    case EncodingKind::IQP: return iqp_block(c, num_features, pairs, f);
    case EncodingKind::Amplitude:
    case EncodingKind::Custom: break;
  }
  throw ValueError("the " + encoding_name(kind) + " encoding is not an input-parameterised circuit block");
}

unsigned default_reps(EncodingKind kind) { return kind == EncodingKind::ZZ ? 2 : 1; }

// ---- amplitude state preparation ----------------------------------------------------------------------------------

// A rotation R_a(α_c) on `target` for each basis state |c⟩ of `controls` (control b is bit b of c), as Möttönen et al.
// decompose it: R(θ′_0) CX(p_0) R(θ′_1) CX(p_1) … with p_i the bit in which Gray codes g(i) and g(i+1) differ
// (cyclically). For controls |c⟩ the CNOTs act as X^{c_p}, and X R_a(θ) X = R_a(−θ) for a = Y, Z; pushing the X's to
// the end (they cancel over a full Gray cycle) leaves R_a(Σ_i (−1)^{c·g(i)} θ′_i). So α = M θ′ with
// M_ci = (−1)^{popcount(c & g(i))}, a permuted Walsh–Hadamard matrix with MᵀM = 2^m I: θ′ = Mᵀα / 2^m.
void uniformly_controlled_rotation(Circuit& circ, GateKind kind, unsigned target, const std::vector<unsigned>& controls,
                                   const std::vector<double>& alpha) {
  if (std::all_of(alpha.begin(), alpha.end(), [](double a) { return std::abs(a) < 1e-15; })) return;
  const std::size_t m = controls.size(), L = std::size_t{1} << m;
  if (m == 0) {
    circ.add(kind, {target}, {alpha[0]});
    return;
  }
  for (std::size_t i = 0; i < L; ++i) {
    const std::size_t gray = i ^ (i >> 1);
    double theta = 0;
    for (std::size_t c = 0; c < L; ++c) theta += (std::popcount(c & gray) % 2 ? -alpha[c] : alpha[c]);
    circ.add(kind, {target}, {theta / double(L)});
    const auto flip = i + 1 == L ? m - 1 : static_cast<std::size_t>(std::countr_zero(i + 1));
    circ.cx(controls[flip], target);
  }
}

// Magnitudes top-down: at level k (target qubit k, controls k+1 … n−1) block c = i >> (k+1) splits its norm between
// q_k = 0 and q_k = 1 by RY(2 atan2(‖upper‖, ‖lower‖)). `leaf` holds |a_i|, or the signed a_i of a real vector: at
// level 0 atan2 of the two signed children reproduces their signs too.
void magnitude_levels(Circuit& circ, unsigned n, const std::vector<double>& leaf) {
  // norms[k + 1][c]: norm of block c at level k (norms[0] = the leaves).
  std::vector<std::vector<double>> norms(n + 1);
  norms[0] = leaf;
  for (unsigned k = 0; k < n; ++k) {
    const auto& below = norms[k];
    std::vector<double> level(below.size() / 2);
    for (std::size_t c = 0; c < level.size(); ++c) level[c] = std::hypot(below[2 * c], below[2 * c + 1]);
    norms[k + 1] = std::move(level);
  }
  for (unsigned k = n; k-- > 0;) {
    const auto& children = norms[k];
    std::vector<double> alpha(children.size() / 2);
    for (std::size_t c = 0; c < alpha.size(); ++c) alpha[c] = 2 * std::atan2(children[2 * c + 1], children[2 * c]);
    std::vector<unsigned> controls;
    for (unsigned q = k + 1; q < n; ++q) controls.push_back(q);
    uniformly_controlled_rotation(circ, GateKind::RY, k, controls, alpha);
  }
}

// Phases: node phase Φ = mean of its children's, and RZ(β) with β = Φ_upper − Φ_lower gives the children
// Φ ∓ β/2 = their own phases. Telescoping from the root, leaf i ends with arg a_i − Φ_root: a global phase off.
void phase_levels(Circuit& circ, unsigned n, const std::vector<double>& leaf_phase) {
  std::vector<double> phase = leaf_phase;
  for (unsigned k = 0; k < n; ++k) {
    std::vector<double> beta(phase.size() / 2), parent(phase.size() / 2);
    for (std::size_t c = 0; c < beta.size(); ++c) {
      beta[c] = phase[2 * c + 1] - phase[2 * c];
      parent[c] = 0.5 * (phase[2 * c + 1] + phase[2 * c]);
    }
    std::vector<unsigned> controls;
    for (unsigned q = k + 1; q < n; ++q) controls.push_back(q);
    uniformly_controlled_rotation(circ, GateKind::RZ, k, controls, beta);
    phase = std::move(parent);
  }
}

std::vector<cplx> normalised_padded(std::span<const cplx> a, unsigned num_qubits) {
  if (num_qubits > 30) throw ValueError("amplitude encoding supports at most 30 qubits, got " + std::to_string(num_qubits));
  const std::size_t dim = std::size_t{1} << num_qubits;
  if (a.size() > dim) {
    throw ValueError(std::to_string(a.size()) + " amplitudes on " + std::to_string(num_qubits) +
                     " qubits: more features than the encoding can hold (at most " + std::to_string(dim) + ")");
  }
  double norm2 = 0;
  for (const cplx& v : a) {
    if (!std::isfinite(v.real()) || !std::isfinite(v.imag())) throw ValueError("amplitude encoding: non-finite value");
    norm2 += std::norm(v);
  }
  if (!(norm2 > 0)) throw ValueError("amplitude encoding: an all-zero vector has no direction to encode");
  const double inv = 1 / std::sqrt(norm2);
  std::vector<cplx> out(dim, cplx(0));
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = a[i] * inv;
  return out;
}

}  // namespace

void angle_encoding(Circuit& c, unsigned num_features, RotationAxis axis) {
  const GateKind kind = axis == RotationAxis::X ? GateKind::RX : axis == RotationAxis::Y ? GateKind::RY : GateKind::RZ;
  angle_block(c, num_features, kind, plain_feature);
}

RotationAxis parse_rotation_axis(char ch) {
  switch (std::toupper(static_cast<unsigned char>(ch))) {
    case 'X': return RotationAxis::X;
    case 'Y': return RotationAxis::Y;
    case 'Z': return RotationAxis::Z;
    default: throw ValueError(std::string("rotation axis must be X, Y or Z, got '") + ch + "'");
  }
}

FeaturePairs parse_feature_pairs(std::string_view name) {
  if (name == "linear") return FeaturePairs::Linear;
  if (name == "circular") return FeaturePairs::Circular;
  if (name == "full") return FeaturePairs::Full;
  throw ValueError("unknown entanglement '" + std::string(name) + "' (available: linear, circular, full)");
}

void dense_angle_encoding(Circuit& c, unsigned num_features) {
  check_fits(c, EncodingKind::Dense, num_features);
  dense_block(c, num_features, plain_feature);
}

void basis_encoding(Circuit& c, unsigned num_features) {
  check_fits(c, EncodingKind::Basis, num_features);
  basis_block(c, num_features, plain_feature);
}

void zz_feature_map(Circuit& c, unsigned num_features, unsigned reps, FeaturePairs pairs) {
  check_fits(c, EncodingKind::ZZ, num_features);
  for (unsigned r = 0; r < reps; ++r) zz_block(c, num_features, pairs, plain_feature);
}

void iqp_encoding(Circuit& c, unsigned num_features, unsigned reps, FeaturePairs pairs) {
  check_fits(c, EncodingKind::IQP, num_features);
  for (unsigned r = 0; r < reps; ++r) iqp_block(c, num_features, pairs, plain_feature);
}

std::vector<cplx> amplitude_encode(std::span<const double> x, unsigned num_qubits) {
  std::vector<cplx> a(x.begin(), x.end());
  return normalised_padded(a, num_qubits);
}

Circuit amplitude_state_preparation(std::span<const cplx> amplitudes, unsigned num_qubits) {
  const std::vector<cplx> a = normalised_padded(amplitudes, num_qubits);
  Circuit circ(num_qubits);
  std::vector<double> magnitude(a.size()), phase(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    magnitude[i] = std::abs(a[i]);
    phase[i] = magnitude[i] > 0 ? std::arg(a[i]) : 0.0;
  }
  magnitude_levels(circ, num_qubits, magnitude);
  phase_levels(circ, num_qubits, phase);
  return circ;
}

Circuit amplitude_state_preparation(std::span<const double> amplitudes, unsigned num_qubits) {
  const std::vector<cplx> a = amplitude_encode(amplitudes, num_qubits);
  Circuit circ(num_qubits);
  std::vector<double> signed_leaf(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) signed_leaf[i] = a[i].real();
  magnitude_levels(circ, num_qubits, signed_leaf);
  return circ;
}

// ---- the named encodings ------------------------------------------------------------------------------------------

namespace {
struct NamedKind {
  const char* name;
  EncodingKind kind;
};
constexpr NamedKind kNamedKinds[] = {
    {"angle-x", EncodingKind::AngleX}, {"angle-y", EncodingKind::AngleY}, {"angle-z", EncodingKind::AngleZ},
    {"dense", EncodingKind::Dense},    {"basis", EncodingKind::Basis},    {"zz", EncodingKind::ZZ},
    {"iqp", EncodingKind::IQP},        {"amplitude", EncodingKind::Amplitude},
};
}  // namespace

std::vector<std::string> encoding_names() {
  std::vector<std::string> names;
  for (const auto& nk : kNamedKinds) names.emplace_back(nk.name);
  return names;
}

EncodingKind parse_encoding(std::string_view name) {
  for (const auto& nk : kNamedKinds)
    if (name == nk.name) return nk.kind;
  std::string list;
  for (const auto& nk : kNamedKinds) list += (list.empty() ? "" : ", ") + std::string(nk.name);
  throw ValueError("unknown encoding '" + std::string(name) + "' (available: " + list + ")");
}

std::string encoding_name(EncodingKind kind) {
  for (const auto& nk : kNamedKinds)
    if (kind == nk.kind) return nk.name;
  return "custom";
}

unsigned encoding_capacity(EncodingKind kind, unsigned qubits) {
  switch (kind) {
    case EncodingKind::Dense: return qubits > UINT_MAX / 2 ? UINT_MAX : 2 * qubits;
    case EncodingKind::Amplitude: return qubits >= 32 ? UINT_MAX : 1U << qubits;
    case EncodingKind::Custom: return UINT_MAX;
    default: return qubits;
  }
}

unsigned min_qubits(EncodingKind kind, unsigned num_features) {
  unsigned n = 1;
  while (encoding_capacity(kind, n) < num_features) ++n;
  return n;
}

void check_encoding_capacity(EncodingKind kind, unsigned qubits, unsigned num_features) {
  const unsigned cap = encoding_capacity(kind, qubits);
  if (num_features <= cap) return;
  throw ValueError(std::to_string(num_features) + " features on " + std::to_string(qubits) + " qubits: more features "
                   "than the encoding can hold (" + encoding_name(kind) + " holds at most " + std::to_string(cap) +
                   "; use at least " + std::to_string(min_qubits(kind, num_features)) +
                   " qubits or fewer features, e.g. PCA)");
}

Encoding::Encoding(EncodingKind kind, std::string name, unsigned qubits, unsigned features, Circuit circuit)
    : kind_(kind), name_(std::move(name)), qubits_(qubits), features_(features), circuit_(std::move(circuit)) {}

Encoding Encoding::from_circuit(Circuit feature_map, std::string name) {
  if (feature_map.num_theta() > 0) {
    throw ValueError("a feature map must read inputs only, but this circuit reads " +
                     std::to_string(feature_map.num_theta()) + " trainable weights");
  }
  const unsigned q = feature_map.num_qubits(), f = feature_map.num_inputs();
  return {EncodingKind::Custom, std::move(name), q, f, std::move(feature_map)};
}

const Circuit& Encoding::circuit() const {
  if (!has_circuit()) {
    throw ValueError("amplitude encoding has no input-parameterised circuit (amplitude_state_preparation builds one "
                     "per sample)");
  }
  return circuit_;
}

StateVector<double> Encoding::state(std::span<const double> x) const {
  if (x.size() != features_) {
    throw ValueError("the " + name_ + " encoding reads " + std::to_string(features_) + " features, got " +
                     std::to_string(x.size()));
  }
  if (kind_ == EncodingKind::Amplitude) {
    const std::vector<cplx> a = amplitude_encode(x, qubits_);
    return StateVector<double>::from_amplitudes(a);
  }
  return simulate<double>(circuit_, {}, x);
}

Encoding make_encoding(std::string_view name, unsigned qubits, unsigned num_features, const EncodingOptions& options) {
  const EncodingKind kind = parse_encoding(name);
  if (qubits == 0) throw ValueError("an encoding needs at least 1 qubit");
  if (num_features == 0) throw ValueError("an encoding needs at least 1 feature");
  check_encoding_capacity(kind, qubits, num_features);
  const unsigned reps = options.reps == 0 ? default_reps(kind) : options.reps;
  Circuit c(qubits);
  if (kind == EncodingKind::Amplitude) {
    if (reps != 1) throw ValueError("amplitude encoding cannot be repeated (reps " + std::to_string(reps) + ")");
    if (qubits > 30) throw ValueError("amplitude encoding supports at most 30 qubits, got " + std::to_string(qubits));
  } else {
    for (unsigned r = 0; r < reps; ++r) append_block(c, kind, num_features, options.pairs, plain_feature);
  }
  return {kind, std::string(name), qubits, num_features, std::move(c)};
}

unsigned append_encoding_block(Circuit& c, EncodingKind kind, unsigned num_features, ReuploadScaling scaling,
                               unsigned first_theta, const EncodingOptions& options) {
  check_fits(c, kind, num_features);
  const unsigned used = scaling == ReuploadScaling::None ? 0 : scaling == ReuploadScaling::Scale ? num_features
                                                                                                  : 2 * num_features;
  const FeatureExpr feature = [&](unsigned j) -> Expr {
    switch (scaling) {
      case ReuploadScaling::None: return input(j);
      case ReuploadScaling::Scale: return theta(first_theta + j) * input(j);
      case ReuploadScaling::Affine: return theta(first_theta + j) * input(j) + theta(first_theta + num_features + j);
    }
    return input(j);
  };
  const unsigned reps = options.reps == 0 ? 1 : options.reps;
  for (unsigned r = 0; r < reps; ++r) append_block(c, kind, num_features, options.pairs, feature);
  return used;
}

Circuit data_reuploading_circuit(unsigned qubits, unsigned num_features, unsigned layers, EncodingKind kind,
                                 ReuploadScaling scaling, const TrainableLayer& trainable_layer) {
  if (layers == 0) throw ValueError("data re-uploading needs at least 1 layer");
  Circuit c(qubits);
  unsigned next = 0;
  for (unsigned l = 0; l < layers; ++l) {
    next += append_encoding_block(c, kind, num_features, scaling, next);
    if (trainable_layer) next += trainable_layer(c, l, next);
  }
  return c;
}

}  // namespace qnn
