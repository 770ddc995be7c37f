#pragma once
// Data encodings: how classical features x become quantum states |φ(x)⟩. All but amplitude encoding are circuits
// whose angles are expressions over the inputs x_j (input(j)), so one circuit serves every sample, runs batched, and
// differentiates with respect to x. Amplitude encoding writes x itself into the amplitudes; its state-preparation
// circuit has numeric angles computed from one x (a circuit per sample).
//
//   encoding      gates on qubit j / pair (j, k)                               features on n qubits
//   angle-x|y|z   R_X|Y|Z(x_j)                                                 n
//   dense         RY(x_2j) then RZ(x_2j+1)                                      2n
//   basis         RY(π x_j): |0⟩ → |1⟩ for a bit x_j = 1 (no phase, unlike RX)  n
//   zz            Qiskit's ZZFeatureMap (Havlíček et al. 2019), see zz_feature_map   n
//   iqp           PennyLane's IQPEmbedding, see iqp_encoding                    n
//   amplitude     x/‖x‖ zero-padded to 2^n amplitudes                           2^n
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "qnn/circuit/circuit.hpp"
#include "qnn/sim/state_vector.hpp"

namespace qnn {

enum class RotationAxis : char { X = 'X', Y = 'Y', Z = 'Z' };

/// Angle encoding: feature j rotates qubit j mod n about `axis` by angle x_j (features beyond n wrap around and add
/// further rotations, so every feature is used).
void angle_encoding(Circuit& c, unsigned num_features, RotationAxis axis = RotationAxis::Y);

/// 'X' / 'Y' / 'Z' (any case) → axis; throws ValueError otherwise.
RotationAxis parse_rotation_axis(char c);

/// Which feature pairs (j, k), j < k, a ZZ / IQP map couples: linear (j, j+1), circular (linear plus (n−1, 0) for
/// n > 2), full (every pair, in the order (0,1), (0,2), …, (1,2), …). Names as in Qiskit's `entanglement`.
enum class FeaturePairs : std::uint8_t { Linear, Circular, Full };
/// "linear" | "circular" | "full"; throws ValueError listing them otherwise.
FeaturePairs parse_feature_pairs(std::string_view name);

/// Dense angle encoding: qubit j gets RY(x_2j) then RZ(x_2j+1), two features per qubit (an odd last feature gets RY
/// only). Throws ValueError for more than 2n features.
void dense_angle_encoding(Circuit& c, unsigned num_features);

/// Basis encoding of bits: RY(π x_j) on qubit j, which maps x ∈ {0, 1}^n to the basis state |x⟩ exactly (qubit j is
/// bit j of the index). Non-binary features give a rotation between the two, so threshold them first.
void basis_encoding(Circuit& c, unsigned num_features);

/// The ZZ feature map of Havlíček et al., Nature 567, 209 (2019), gate for gate as Qiskit's ZZFeatureMap builds it
/// (so the state equals Qiskit's, global phase included): `reps` times { H on each qubit; P(2 φ_j) on qubit j with
/// φ_j = x_j; for each pair (j, k): CX(j, k) · P(2 φ_jk) on k · CX(j, k) with φ_jk = (π − x_j)(π − x_k) }. Up to a
/// global phase this is U_Φ(x) H^⊗n repeated with U_Φ = exp(−i Σ_j φ_j Z_j − i Σ_jk φ_jk Z_j Z_k), since
/// P(2φ) = e^{iφ} exp(−iφZ). The paper writes +i: that state is the complex conjugate of this one, so every
/// fidelity kernel value is the same. Features on qubits 0 … num_features−1; further qubits stay |0⟩.
void zz_feature_map(Circuit& c, unsigned num_features, unsigned reps = 2, FeaturePairs pairs = FeaturePairs::Full);

/// IQP embedding as PennyLane's IQPEmbedding builds it: `reps` times { H on each qubit; RZ(x_j) on qubit j;
/// RZZ(x_j x_k) on each pair }. It differs from the ZZ map in its angles (x_j and x_j·x_k, not 2x_j and
/// 2(π − x_j)(π − x_k)).
void iqp_encoding(Circuit& c, unsigned num_features, unsigned reps = 1, FeaturePairs pairs = FeaturePairs::Full);

/// x/‖x‖ zero-padded to 2^num_qubits amplitudes. Throws ValueError if x is longer than 2^n, all zero, or not finite.
std::vector<cplx> amplitude_encode(std::span<const double> x, unsigned num_qubits);

/// A circuit that maps |0…0⟩ to the given amplitudes (normalised and zero-padded to 2^num_qubits first), built from
/// uniformly controlled rotations as Möttönen et al., Quantum Inf. Comput. 5, 467 (2005) decompose them: for qubit
/// k = n−1 … 0, RY rotations controlled by the higher qubits set the magnitudes level by level; then uniformly
/// controlled RZ rotations set the phases. Each uniformly controlled rotation with m controls is 2^m single-qubit
/// rotations and 2^m CNOTs (Gray-code order). The angles are numbers computed from these amplitudes, not input(j)
/// expressions: this is one circuit per data point, to export (e.g. as OpenQASM) or run, and it does not
/// differentiate with respect to x. The state is reproduced exactly up to a global phase (to rounding); real vectors
/// need no RZ part and come out with no phase at all.
Circuit amplitude_state_preparation(std::span<const cplx> amplitudes, unsigned num_qubits);
/// The same for real amplitudes (negative entries allowed).
Circuit amplitude_state_preparation(std::span<const double> amplitudes, unsigned num_qubits);

enum class EncodingKind : std::uint8_t { AngleX, AngleY, AngleZ, Dense, Basis, ZZ, IQP, Amplitude, Custom };

/// The names make_encoding accepts: angle-x, angle-y, angle-z, dense, basis, zz, iqp, amplitude.
std::vector<std::string> encoding_names();
/// Name → kind; throws ValueError "unknown encoding 'foo' (available: …)".
EncodingKind parse_encoding(std::string_view name);
std::string encoding_name(EncodingKind kind);

/// How many features `kind` holds on `qubits` qubits: n for angle, basis, zz and iqp, 2n for dense, 2^n for amplitude
/// (saturating at UINT_MAX).
unsigned encoding_capacity(EncodingKind kind, unsigned qubits);
/// The fewest qubits that hold `num_features` features (at least 1).
unsigned min_qubits(EncodingKind kind, unsigned num_features);
/// Throws ValueError "… more features than the encoding can hold …" if num_features > encoding_capacity(kind, qubits).
void check_encoding_capacity(EncodingKind kind, unsigned qubits, unsigned num_features);

struct EncodingOptions {
  /// Repetitions of the whole encoding block; 0 picks the usual default: 2 for zz (as Qiskit), 1 otherwise.
  /// Amplitude encoding has no repetitions (only 0 or 1).
  unsigned reps = 0;
  /// Pairs coupled by zz and iqp (ignored by the others).
  FeaturePairs pairs = FeaturePairs::Full;
};

/// An encoding bound to a qubit count and a feature count: the input-parameterised circuit (all but amplitude) and the
/// state |φ(x)⟩ of one sample.
class Encoding {
 public:
  /// A feature map from any circuit that reads inputs only (no θ weights); it reads circuit.num_inputs() features.
  static Encoding from_circuit(Circuit feature_map, std::string name = "custom");

  [[nodiscard]] EncodingKind kind() const { return kind_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] unsigned num_qubits() const { return qubits_; }
  [[nodiscard]] unsigned num_features() const { return features_; }
  /// False only for amplitude encoding, whose circuit depends on the sample (see amplitude_state_preparation).
  [[nodiscard]] bool has_circuit() const { return kind_ != EncodingKind::Amplitude; }
  /// The input-parameterised circuit; throws ValueError for amplitude encoding.
  [[nodiscard]] const Circuit& circuit() const;
  /// |φ(x)⟩; x must have num_features() values.
  [[nodiscard]] StateVector<double> state(std::span<const double> x) const;

 private:
  friend Encoding make_encoding(std::string_view, unsigned, unsigned, const EncodingOptions&);
  Encoding(EncodingKind kind, std::string name, unsigned qubits, unsigned features, Circuit circuit);
  EncodingKind kind_;
  std::string name_;
  unsigned qubits_;
  unsigned features_;
  Circuit circuit_;
};

/// The one entry point: the encoding called `name` (see encoding_names) of `num_features` features on `qubits`
/// qubits. Throws ValueError for an unknown name (listing the names), 0 qubits or features, or more features than
/// the encoding can hold.
Encoding make_encoding(std::string_view name, unsigned qubits, unsigned num_features, const EncodingOptions& options = {});

// ---- data re-uploading (Pérez-Salinas et al., Quantum 4, 226 (2020)) ----------------------------------------------
// A single encoding caps what a model can express (Schuld, Sweke, Meyer 2021: the model is a Fourier series whose
// frequencies the encoding fixes); repeating it between trainable layers adds frequencies. Trainable scaling lets the
// model pick them.

/// How each re-uploaded feature enters its angle: x_j, θ·x_j, or θ·x_j + θ′ (Pérez-Salinas' w ∘ x + φ).
enum class ReuploadScaling : std::uint8_t { None, Scale, Affine };

/// Appends one encoding block of `kind` (any but amplitude and custom) for `num_features` features, with feature j
/// replaced by θ_{first_theta + j}·x_j (Scale) or θ_{first_theta + j}·x_j + θ_{first_theta + F + j} (Affine, F =
/// num_features; scales first, then offsets). Returns the number of weights used (0, F or 2F). The block is applied
/// options.reps times (default 1, also for zz) with the same weights.
unsigned append_encoding_block(Circuit& c, EncodingKind kind, unsigned num_features,
                               ReuploadScaling scaling = ReuploadScaling::None, unsigned first_theta = 0,
                               const EncodingOptions& options = {.reps = 1});

/// Appends a trainable block for layer `layer` using weights from `first_theta` on; returns how many it used.
using TrainableLayer = std::function<unsigned(Circuit& c, unsigned layer, unsigned first_theta)>;

/// The re-uploading model circuit S(x)·W_0, S(x)·W_1, … : `layers` times an encoding block then a trainable block,
/// weights numbered in circuit order (block scaling weights, then that layer's weights).
Circuit data_reuploading_circuit(unsigned qubits, unsigned num_features, unsigned layers, EncodingKind kind,
                                 ReuploadScaling scaling, const TrainableLayer& trainable_layer);

}  // namespace qnn
