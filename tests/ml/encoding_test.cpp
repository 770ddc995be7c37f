#include "qnn/ml/encoding.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <bit>
#include <numbers>
#include <tuple>
#include <string>
#include <utility>
#include <vector>

#include "qnn/circuit/pauli.hpp"
#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/exec/simulate.hpp"

namespace qnn {
namespace {

TEST(AngleEncoding, OneRotationPerFeatureWrappingAroundQubits) {
  Circuit c(2);
  angle_encoding(c, 5, RotationAxis::X);
  ASSERT_EQ(c.size(), 5u);
  EXPECT_EQ(c.num_inputs(), 5u);
  EXPECT_EQ(c.num_theta(), 0u);
  for (unsigned j = 0; j < 5; ++j) {
    const Operation& o = c.ops()[j];
    EXPECT_EQ(o.kind, GateKind::RX);
    EXPECT_EQ(o.qubits, std::vector<unsigned>{j % 2}) << "feature " << j;
    ASSERT_EQ(o.params.size(), 1u);
    EXPECT_EQ(o.params[0].kind(), Expr::Kind::Input);
    EXPECT_EQ(o.params[0].index(), j);
  }
}

TEST(AngleEncoding, AxisSelectsGate) {
  const std::pair<RotationAxis, GateKind> cases[] = {
      {RotationAxis::X, GateKind::RX}, {RotationAxis::Y, GateKind::RY}, {RotationAxis::Z, GateKind::RZ}};
  for (const auto& [axis, kind] : cases) {
    Circuit c(3);
    angle_encoding(c, 2, axis);
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c.ops()[0].kind, kind);
    EXPECT_EQ(c.ops()[1].kind, kind);
    EXPECT_EQ(c.ops()[1].qubits, std::vector<unsigned>{1});
  }
  Circuit d(2);
  angle_encoding(d, 1);  // default axis: Y
  EXPECT_EQ(d.ops()[0].kind, GateKind::RY);
}

TEST(AngleEncoding, RyEncodingGivesCosineExpectation) {
  Circuit c(1);
  angle_encoding(c, 1, RotationAxis::Y);
  for (double x : {-2.5, -0.7, 0.0, 0.3, 1.0, std::acos(-1.0) / 2, 2.9}) {
    const std::vector<double> in{x};
    const auto psi = simulate<double>(c, {}, in);
    EXPECT_NEAR(expectation(psi, PauliSum(Z(0))), std::cos(x), 1e-12) << "x = " << x;
    EXPECT_NEAR(expectation(psi, PauliSum(X(0))), std::sin(x), 1e-12) << "x = " << x;
  }
}

TEST(AngleEncoding, WrappedFeaturesAddUp) {
  // Two features on one qubit: RY(x1) RY(x0) = RY(x0 + x1), so ⟨Z⟩ = cos(x0 + x1).
  Circuit c(1);
  angle_encoding(c, 2, RotationAxis::Y);
  const std::vector<double> in{0.4, 0.9};
  EXPECT_NEAR(expval(c, PauliSum(Z(0)), {}, in), std::cos(1.3), 1e-12);
}

TEST(ParseRotationAxis, AcceptsAnyCaseRejectsOthers) {
  EXPECT_EQ(parse_rotation_axis('X'), RotationAxis::X);
  EXPECT_EQ(parse_rotation_axis('y'), RotationAxis::Y);
  EXPECT_EQ(parse_rotation_axis('z'), RotationAxis::Z);
  EXPECT_THROW((void)parse_rotation_axis('W'), ValueError);
  EXPECT_THROW((void)parse_rotation_axis('1'), ValueError);
}

// ---- helpers --------------------------------------------------------------------------------------------------------

constexpr double kPi = std::numbers::pi;
const cplx I(0, 1);

std::vector<cplx> amplitudes_of(const StateVector<double>& psi) {
  return {psi.amplitudes().begin(), psi.amplitudes().end()};
}

std::vector<cplx> run_state(const Circuit& c, const std::vector<double>& x, const std::vector<double>& theta = {}) {
  return amplitudes_of(simulate<double>(c, theta, x));
}

void expect_states_equal(const std::vector<cplx>& got, const std::vector<cplx>& want, double tol,
                         const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_NEAR(std::abs(got[i] - want[i]), 0.0, tol) << what << ", amplitude " << i << ": " << got[i] << " vs " << want[i];
  }
}

// Equal up to a global phase: align the phase on the largest amplitude, then compare.
void expect_states_equal_up_to_phase(const std::vector<cplx>& got, const std::vector<cplx>& want, double tol,
                                     const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  std::size_t big = 0;
  for (std::size_t i = 0; i < want.size(); ++i)
    if (std::abs(want[i]) > std::abs(want[big])) big = i;
  ASSERT_GT(std::abs(got[big]), 0.0) << what;
  const cplx phase = want[big] / got[big] * std::abs(got[big]) / std::abs(want[big]);
  std::vector<cplx> aligned(got.size());
  for (std::size_t i = 0; i < got.size(); ++i) aligned[i] = got[i] * phase;
  expect_states_equal(aligned, want, tol, what);
}

// ---- dense, basis -------------------------------------------------------------------------------------------------

TEST(DenseAngleEncoding, TwoFeaturesPerQubitClosedForm) {
  Circuit c(2);
  dense_angle_encoding(c, 3);
  EXPECT_EQ(c.num_inputs(), 3u);
  const std::vector<double> x{0.7, -1.1, 2.3};
  // Qubit 0: RZ(x1) RY(x0)|0⟩ = e^{−i x1/2} cos(x0/2)|0⟩ + e^{i x1/2} sin(x0/2)|1⟩; qubit 1: RY(x2)|0⟩.
  const cplx q0[2] = {std::exp(-I * x[1] / 2.0) * std::cos(x[0] / 2), std::exp(I * x[1] / 2.0) * std::sin(x[0] / 2)};
  const double q1[2] = {std::cos(x[2] / 2), std::sin(x[2] / 2)};
  std::vector<cplx> want(4);
  for (int i = 0; i < 4; ++i) want[i] = q0[i & 1] * q1[i >> 1];
  expect_states_equal(run_state(c, x), want, 1e-14, "dense");
  Circuit small(2);
  EXPECT_THROW(dense_angle_encoding(small, 5), ValueError);
}

TEST(BasisEncoding, BitsBecomeTheBasisStateWithoutPhase) {
  Circuit c(4);
  basis_encoding(c, 4);
  for (unsigned bits = 0; bits < 16; ++bits) {
    std::vector<double> x(4);
    for (unsigned j = 0; j < 4; ++j) x[j] = (bits >> j) & 1U;
    const auto psi = run_state(c, x);
    for (unsigned i = 0; i < 16; ++i) EXPECT_NEAR(std::abs(psi[i] - (i == bits ? 1.0 : 0.0)), 0.0, 1e-15) << bits;
  }
}

// ---- ZZ and IQP feature maps --------------------------------------------------------------------------------------

// (U H⊗H)^reps |00⟩ on two qubits with U = diag(e^{i d(z)}), written out amplitude by amplitude.
std::vector<cplx> two_qubit_phase_map(const std::vector<double>& d, unsigned reps) {
  std::vector<cplx> psi{1, 0, 0, 0};
  for (unsigned r = 0; r < reps; ++r) {
    std::vector<cplx> h(4, 0.0);
    for (int out = 0; out < 4; ++out)
      for (int in = 0; in < 4; ++in) {
        const int sign = (std::popcount(unsigned(out & in)) % 2) ? -1 : 1;
        h[out] += 0.5 * sign * psi[in];
      }
    for (int z = 0; z < 4; ++z) psi[z] = h[z] * std::exp(I * d[z]);
  }
  return psi;
}

TEST(ZZFeatureMap, TwoQubitsMatchHandComputedState) {
  const std::vector<double> x{0.4, -1.3};
  const double phi01 = (kPi - x[0]) * (kPi - x[1]);
  // Qiskit's gates: P(2x_j) adds 2x_j where z_j = 1; CX·P(2φ)·CX adds 2φ where z_0 ⊕ z_1 = 1.
  std::vector<double> d(4);
  for (int z = 0; z < 4; ++z) {
    const int z0 = z & 1, z1 = z >> 1;
    d[z] = 2 * x[0] * z0 + 2 * x[1] * z1 + 2 * phi01 * (z0 ^ z1);
  }
  for (unsigned reps : {1u, 2u, 3u}) {
    Circuit c(2);
    zz_feature_map(c, 2, reps);
    EXPECT_EQ(c.num_inputs(), 2u);
    EXPECT_EQ(c.num_theta(), 0u);
    expect_states_equal(run_state(c, x), two_qubit_phase_map(d, reps), 1e-13, "zz reps " + std::to_string(reps));
  }
  // Up to a global phase the diagonal is exp(−i(x0 Z0 + x1 Z1 + φ01 Z0 Z1)).
  std::vector<double> textbook(4);
  for (int z = 0; z < 4; ++z) {
    const double s0 = (z & 1) ? -1 : 1, s1 = (z >> 1) ? -1 : 1;
    textbook[z] = -(x[0] * s0 + x[1] * s1 + phi01 * s0 * s1);
  }
  Circuit c(2);
  zz_feature_map(c, 2, 2);
  expect_states_equal_up_to_phase(run_state(c, x), two_qubit_phase_map(textbook, 2), 1e-13, "zz textbook form");
}

TEST(ZZFeatureMap, PairPatterns) {
  const auto cx_count = [](const Circuit& c) {
    std::size_t n = 0;
    for (const auto& op : c.ops()) n += op.kind == GateKind::CX;
    return n;
  };
  Circuit full(4), linear(4), circular(4);
  zz_feature_map(full, 4, 1, FeaturePairs::Full);
  zz_feature_map(linear, 4, 1, FeaturePairs::Linear);
  zz_feature_map(circular, 4, 1, FeaturePairs::Circular);
  EXPECT_EQ(cx_count(full), 2u * 6);
  EXPECT_EQ(cx_count(linear), 2u * 3);
  EXPECT_EQ(cx_count(circular), 2u * 4);
  EXPECT_EQ(full.size(), 4u + 4 + 3 * 6);
  EXPECT_EQ(parse_feature_pairs("circular"), FeaturePairs::Circular);
  EXPECT_THROW((void)parse_feature_pairs("ring"), ValueError);
}

TEST(IqpEncoding, TwoQubitsMatchHandComputedState) {
  const std::vector<double> x{0.9, 0.35};
  // RZ(x_j) gives −x_j/2 to z_j = 0 and +x_j/2 to z_j = 1; RZZ(x0 x1) gives ∓x0 x1/2 for even/odd parity.
  std::vector<double> d(4);
  for (int z = 0; z < 4; ++z) {
    const double s0 = (z & 1) ? 1 : -1, s1 = (z >> 1) ? 1 : -1;
    d[z] = 0.5 * (x[0] * s0 + x[1] * s1) + 0.5 * x[0] * x[1] * -(s0 * s1);
  }
  for (unsigned reps : {1u, 2u}) {
    Circuit c(2);
    iqp_encoding(c, 2, reps);
    expect_states_equal(run_state(c, x), two_qubit_phase_map(d, reps), 1e-13, "iqp reps " + std::to_string(reps));
  }
}

// ---- amplitude encoding -------------------------------------------------------------------------------------------

TEST(AmplitudeEncoding, NormalisesAndPads) {
  const auto a = amplitude_encode(std::vector<double>{3, 0, -4}, 2);
  ASSERT_EQ(a.size(), 4u);
  EXPECT_NEAR(a[0].real(), 0.6, 1e-15);
  EXPECT_NEAR(a[2].real(), -0.8, 1e-15);
  EXPECT_EQ(a[3], cplx(0));
  EXPECT_THROW((void)amplitude_encode(std::vector<double>{1, 2, 3, 4, 5}, 2), ValueError);
  EXPECT_THROW((void)amplitude_encode(std::vector<double>{0, 0}, 1), ValueError);
  EXPECT_THROW((void)amplitude_encode(std::vector<double>{1, std::nan("")}, 1), ValueError);
}

void expect_numeric_rotation_circuit(const Circuit& c) {
  EXPECT_EQ(c.num_inputs(), 0u);
  EXPECT_EQ(c.num_theta(), 0u);
  for (const auto& op : c.ops()) {
    EXPECT_TRUE(op.kind == GateKind::RY || op.kind == GateKind::RZ || op.kind == GateKind::CX) << op.info().name;
  }
}

TEST(AmplitudeStatePreparation, ReproducesRandomRealVectorsExactly) {
  Rng rng(21);
  for (const auto& [len, n] : std::vector<std::pair<std::size_t, unsigned>>{{1, 1}, {2, 1}, {3, 2}, {4, 2}, {5, 3},
                                                                             {8, 3}, {13, 4}, {16, 4}, {32, 5}, {40, 6}}) {
    std::vector<double> x(len);
    for (double& v : x) v = rng.normal();
    const Circuit c = amplitude_state_preparation(x, n);
    expect_numeric_rotation_circuit(c);
    const auto want = amplitude_encode(x, n);
    // Real vectors: signs included, no global phase at all.
    expect_states_equal(run_state(c, {}), want, 1e-12, "real length " + std::to_string(len));
  }
  // Sparse and sign-only vectors (zero blocks give atan2(0, 0)).
  for (const std::vector<double>& x : {std::vector<double>{0, 0, 0, 1}, std::vector<double>{0, -1}, std::vector<double>{
                                           1, 0, 0, 0, 0, 0, 0, -1}}) {
    const unsigned n = x.size() == 2 ? 1 : x.size() == 4 ? 2 : 3;
    expect_states_equal(run_state(amplitude_state_preparation(x, n), {}), amplitude_encode(x, n), 1e-12, "sparse");
  }
}

TEST(AmplitudeStatePreparation, ReproducesRandomComplexVectorsUpToGlobalPhase) {
  Rng rng(22);
  for (const auto& [len, n] : std::vector<std::pair<std::size_t, unsigned>>{{1, 1}, {2, 1}, {3, 2}, {4, 2}, {7, 3},
                                                                             {16, 4}, {20, 5}, {64, 6}}) {
    std::vector<cplx> a(len);
    for (cplx& v : a) v = cplx(rng.normal(), rng.normal());
    const Circuit c = amplitude_state_preparation(a, n);
    expect_numeric_rotation_circuit(c);
    std::vector<cplx> want(std::size_t{1} << n, 0.0);
    double norm = 0;
    for (const cplx& v : a) norm += std::norm(v);
    for (std::size_t i = 0; i < len; ++i) want[i] = a[i] / std::sqrt(norm);
    expect_states_equal_up_to_phase(run_state(c, {}), want, 1e-12, "complex length " + std::to_string(len));
  }
  // A uniformly controlled rotation with m controls costs 2^m rotations and 2^m CNOTs: 2^n − 1 RY and 2^n − 2 CX.
  std::vector<cplx> a(16);
  for (cplx& v : a) v = cplx(rng.normal(), rng.normal());
  const Circuit c = amplitude_state_preparation(a, 4);
  std::size_t ry = 0, rz = 0, cx = 0;
  for (const auto& op : c.ops()) (op.kind == GateKind::RY ? ry : op.kind == GateKind::RZ ? rz : cx)++;
  EXPECT_EQ(ry, 15u);
  EXPECT_EQ(rz, 15u);
  EXPECT_EQ(cx, 2u * 14);
}

// ---- named encodings and capacity ---------------------------------------------------------------------------------

TEST(MakeEncoding, NamesCapacitiesAndErrors) {
  EXPECT_EQ(encoding_names(),
            (std::vector<std::string>{"angle-x", "angle-y", "angle-z", "dense", "basis", "zz", "iqp", "amplitude"}));
  for (const auto& name : encoding_names()) EXPECT_EQ(encoding_name(parse_encoding(name)), name);
  try {
    (void)parse_encoding("fourier");
    ADD_FAILURE() << "no error";
  } catch (const ValueError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("'fourier'"), std::string::npos) << what;
    EXPECT_NE(what.find("angle-x, angle-y, angle-z, dense, basis, zz, iqp, amplitude"), std::string::npos) << what;
  }
  EXPECT_EQ(encoding_capacity(EncodingKind::AngleY, 5), 5u);
  EXPECT_EQ(encoding_capacity(EncodingKind::Dense, 5), 10u);
  EXPECT_EQ(encoding_capacity(EncodingKind::ZZ, 5), 5u);
  EXPECT_EQ(encoding_capacity(EncodingKind::Amplitude, 5), 32u);
  EXPECT_EQ(min_qubits(EncodingKind::Amplitude, 64), 6u);
  EXPECT_EQ(min_qubits(EncodingKind::Amplitude, 65), 7u);
  EXPECT_EQ(min_qubits(EncodingKind::Dense, 13), 7u);
  EXPECT_EQ(min_qubits(EncodingKind::IQP, 4), 4u);
  for (const auto& [name, q, f] : std::vector<std::tuple<std::string, unsigned, unsigned>>{
           {"angle-x", 3, 4}, {"dense", 3, 7}, {"basis", 2, 3}, {"zz", 4, 13}, {"iqp", 1, 2}, {"amplitude", 3, 9}}) {
    try {
      (void)make_encoding(name, q, f);
      ADD_FAILURE() << name << " accepted " << f << " features on " << q << " qubits";
    } catch (const ValueError& e) {
      EXPECT_NE(std::string(e.what()).find("more features than the encoding can hold"), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW((void)make_encoding("zz", 0, 1), ValueError);
  EXPECT_THROW((void)make_encoding("zz", 2, 0), ValueError);
  EXPECT_THROW((void)make_encoding("amplitude", 2, 4, {.reps = 2}), ValueError);
}

TEST(MakeEncoding, BuildsTheNamedCircuits) {
  const std::vector<double> x{0.3, -0.8, 1.7};
  const Encoding zz = make_encoding("zz", 3, 3);
  EXPECT_EQ(zz.kind(), EncodingKind::ZZ);
  EXPECT_EQ(zz.num_qubits(), 3u);
  EXPECT_EQ(zz.num_features(), 3u);
  Circuit ref(3);
  zz_feature_map(ref, 3, 2);  // the default: two repetitions, as Qiskit
  expect_states_equal(amplitudes_of(zz.state(x)), run_state(ref, x), 1e-14, "zz default");
  const Encoding zz1 = make_encoding("zz", 3, 3, {.reps = 1, .pairs = FeaturePairs::Linear});
  Circuit ref1(3);
  zz_feature_map(ref1, 3, 1, FeaturePairs::Linear);
  expect_states_equal(amplitudes_of(zz1.state(x)), run_state(ref1, x), 1e-14, "zz linear");
  const Encoding ay = make_encoding("angle-y", 4, 3);  // fewer features than qubits: the rest stay |0⟩
  EXPECT_EQ(ay.circuit().size(), 3u);
  const Encoding amp = make_encoding("amplitude", 2, 3);
  EXPECT_FALSE(amp.has_circuit());
  EXPECT_THROW((void)amp.circuit(), ValueError);
  expect_states_equal(amplitudes_of(amp.state(x)), amplitude_encode(x, 2), 0.0, "amplitude");
  EXPECT_THROW((void)zz.state(std::vector<double>{1, 2}), ValueError);
  // A user circuit reading inputs only is an encoding; one with weights is not.
  Circuit custom(2);
  custom.h(0).cry(0, 1, input(0)).rz(1, input(1) * input(0));
  const Encoding e = Encoding::from_circuit(custom, "mine");
  EXPECT_EQ(e.kind(), EncodingKind::Custom);
  EXPECT_EQ(e.num_features(), 2u);
  EXPECT_EQ(e.name(), "mine");
  Circuit weighted(1);
  weighted.ry(0, theta(0) * input(0));
  EXPECT_THROW((void)Encoding::from_circuit(weighted), ValueError);
}

// ---- data re-uploading --------------------------------------------------------------------------------------------

TEST(DataReuploading, ScaledBlocksEqualEncodingRescaledFeatures) {
  const std::vector<double> x{0.5, -1.2}, w{1.5, -0.3}, b{0.2, 0.9};
  for (EncodingKind kind : {EncodingKind::AngleX, EncodingKind::Dense, EncodingKind::ZZ, EncodingKind::IQP}) {
    Circuit scaled(2), affine(2), plain(2);
    EXPECT_EQ(append_encoding_block(scaled, kind, 2, ReuploadScaling::Scale, 0), 2u);
    EXPECT_EQ(append_encoding_block(affine, kind, 2, ReuploadScaling::Affine, 0), 4u);
    EXPECT_EQ(append_encoding_block(plain, kind, 2), 0u);
    EXPECT_EQ(scaled.num_theta(), 2u);
    EXPECT_EQ(affine.num_theta(), 4u);
    const std::vector<double> wx{w[0] * x[0], w[1] * x[1]}, wxb{wx[0] + b[0], wx[1] + b[1]};
    const std::string what = encoding_name(kind);
    expect_states_equal(run_state(scaled, x, w), run_state(plain, wx), 1e-13, what + " scale");
    expect_states_equal(run_state(affine, x, {w[0], w[1], b[0], b[1]}), run_state(plain, wxb), 1e-13, what + " affine");
  }
  Circuit c(1);
  EXPECT_THROW((void)append_encoding_block(c, EncodingKind::Amplitude, 1), ValueError);
  EXPECT_THROW((void)append_encoding_block(c, EncodingKind::AngleY, 2), ValueError);
}

TEST(DataReuploading, LayersAlternateEncodingAndTrainableBlocks) {
  // One qubit, RY encoding, trainable RY(θ_l): RY(θ1) RY(x) RY(θ0) RY(x)|0⟩ = RY(2x + θ0 + θ1)|0⟩.
  const TrainableLayer ry_layer = [](Circuit& c, unsigned, unsigned first) {
    c.ry(0, theta(first));
    return 1U;
  };
  const Circuit c = data_reuploading_circuit(1, 1, 2, EncodingKind::AngleY, ReuploadScaling::None, ry_layer);
  EXPECT_EQ(c.size(), 4u);
  EXPECT_EQ(c.num_theta(), 2u);
  const double x = 0.7, t0 = 0.2, t1 = -0.5;
  EXPECT_NEAR(expval(c, PauliSum(Z(0)), std::vector<double>{t0, t1}, std::vector<double>{x}), std::cos(2 * x + t0 + t1),
              1e-13);
  // With scaling, weights are numbered in circuit order: block 0 scale, layer 0, block 1 scale, layer 1.
  const Circuit s = data_reuploading_circuit(1, 1, 2, EncodingKind::AngleY, ReuploadScaling::Scale, ry_layer);
  EXPECT_EQ(s.num_theta(), 4u);
  const std::vector<double> w{2.0, t0, 0.5, t1};
  EXPECT_NEAR(expval(s, PauliSum(Z(0)), w, std::vector<double>{x}), std::cos(2.0 * x + t0 + 0.5 * x + t1), 1e-13);
  EXPECT_THROW((void)data_reuploading_circuit(1, 1, 0, EncodingKind::AngleY, ReuploadScaling::None, ry_layer),
               ValueError);
}

}  // namespace
}  // namespace qnn
