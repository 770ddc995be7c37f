// Channels: trace preservation and complete positivity (Choi matrix PSD) of every named channel at several
// parameters, and each one's closed-form action on |0⟩⟨0| and |+⟩⟨+|.
#include "qnn/noise/channel.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "qnn/core/error.hpp"
#include "qnn/sim/density_matrix.hpp"

namespace qnn {
namespace {

using Matrix = std::vector<cplx>;  // row-major, square

// E(ρ) for a k-qubit ρ (d × d row-major) through the channel's superoperator on a DensityMatrix: exercises the
// superoperator and its index order, not just the Kraus list.
Matrix act(const Channel& ch, const Matrix& rho) {
  const unsigned k = ch.num_qubits();
  const std::size_t d = std::size_t{1} << k;
  DensityMatrix<double> dm(k);
  for (std::size_t r = 0; r < d; ++r)
    for (std::size_t c = 0; c < d; ++c) dm.vectorised()[r + (c << k)] = rho[r * d + c];
  std::vector<unsigned> q(k);
  for (unsigned j = 0; j < k; ++j) q[j] = j;
  dm.apply_superoperator(q, ch.superoperator());
  Matrix out(d * d);
  for (std::size_t r = 0; r < d; ++r)
    for (std::size_t c = 0; c < d; ++c) out[r * d + c] = dm.element(r, c);
  return out;
}

// Cholesky of a Hermitian matrix shifted by ε·I: succeeds iff the matrix is PSD up to ε.
bool is_psd(Matrix a, std::size_t n, double eps = 1e-12) {
  for (std::size_t i = 0; i < n; ++i) a[i * n + i] += eps;
  for (std::size_t j = 0; j < n; ++j) {
    double d = a[j * n + j].real();
    for (std::size_t k = 0; k < j; ++k) d -= std::norm(a[j * n + k]);
    if (d <= 0) return false;
    const double l = std::sqrt(d);
    a[j * n + j] = l;
    for (std::size_t i = j + 1; i < n; ++i) {
      cplx s = a[i * n + j];
      for (std::size_t k = 0; k < j; ++k) s -= a[i * n + k] * std::conj(a[j * n + k]);
      a[i * n + j] = s / l;
    }
  }
  return true;
}

const Matrix kZero{1, 0, 0, 0};
const Matrix kPlus{0.5, 0.5, 0.5, 0.5};
const Matrix kOne{0, 0, 0, 1};

void expect_matrix(const Matrix& got, const Matrix& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(std::abs(got[i] - want[i]), 0.0, 1e-13) << what << " entry " << i;
}

std::vector<std::pair<std::string, Channel>> named_channels() {
  std::vector<std::pair<std::string, Channel>> v;
  for (double p : {0.0, 0.07, 0.5, 1.0}) {
    v.emplace_back("bit_flip", bit_flip(p));
    v.emplace_back("phase_flip", phase_flip(p));
    v.emplace_back("bit_phase_flip", bit_phase_flip(p));
    v.emplace_back("depolarizing", depolarizing(p));
    v.emplace_back("depolarizing2", depolarizing2(p));
    v.emplace_back("amplitude_damping", amplitude_damping(p));
    v.emplace_back("phase_damping", phase_damping(p));
    v.emplace_back("generalized_amplitude_damping", generalized_amplitude_damping(p, 0.3));
    v.emplace_back("pauli", pauli_channel(p / 4, p / 2, p / 4));
  }
  v.emplace_back("thermal_relaxation", thermal_relaxation(50e-6, 70e-6, 50e-9));
  v.emplace_back("thermal_relaxation", thermal_relaxation(50e-6, 100e-6, 20e-6));  // T2 = 2 T1: no pure dephasing
  v.emplace_back("thermal_relaxation", thermal_relaxation(50e-6, 10e-6, 1e-5));
  return v;
}

TEST(Channel, EveryNamedChannelIsTracePreservingAndCompletelyPositive) {
  for (const auto& [name, ch] : named_channels()) {
    const unsigned k = ch.num_qubits();
    const std::size_t d = std::size_t{1} << k, dd = d * d;
    // Σ K†K = I.
    for (std::size_t r = 0; r < d; ++r)
      for (std::size_t c = 0; c < d; ++c) {
        cplx s = 0;
        for (const auto& kr : ch.kraus())
          for (std::size_t j = 0; j < d; ++j) s += std::conj(kr[j * d + r]) * kr[j * d + c];
        EXPECT_NEAR(std::abs(s - cplx(r == c ? 1 : 0)), 0.0, 1e-14) << ch.description();
      }
    // Choi matrix J = Σ_{ij} |i⟩⟨j| ⊗ E(|i⟩⟨j|) (from the superoperator) is PSD, and Tr_out J = I.
    Matrix choi(dd * dd);
    for (std::size_t i = 0; i < d; ++i)
      for (std::size_t j = 0; j < d; ++j) {
        Matrix eij(dd, 0);
        eij[i * d + j] = 1;
        const Matrix out = act(ch, eij);
        for (std::size_t a = 0; a < d; ++a)
          for (std::size_t b = 0; b < d; ++b) choi[(i * d + a) * dd + (j * d + b)] = out[a * d + b];
        cplx tr = 0;
        for (std::size_t a = 0; a < d; ++a) tr += out[a * d + a];
        EXPECT_NEAR(std::abs(tr - cplx(i == j ? 1 : 0)), 0.0, 1e-14) << ch.description();
      }
    EXPECT_TRUE(is_psd(choi, dd)) << ch.description();
    EXPECT_EQ(ch.name(), name);
  }
}

TEST(Channel, CholeskyCatchesANonPositiveMap) {
  // The transpose map is positive but not completely positive: its Choi matrix is the swap, eigenvalue −1. Guards
  // the PSD check above against passing everything.
  Matrix swap(16, 0);
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t j = 0; j < 2; ++j) swap[(i * 2 + j) * 4 + (j * 2 + i)] = 1;
  EXPECT_FALSE(is_psd(swap, 4));
}

TEST(Channel, ClosedFormsOnZeroAndPlus) {
  const double p = 0.12, g = 0.3, pe = 0.2;
  // Pauli channels (parameter = probability of the flip; depolarizing: ρ → (1−p)ρ + p I/2).
  expect_matrix(act(bit_flip(p), kZero), {1 - p, 0, 0, p}, "bit_flip |0>");
  expect_matrix(act(bit_flip(p), kPlus), kPlus, "bit_flip |+>");
  expect_matrix(act(phase_flip(p), kZero), kZero, "phase_flip |0>");
  expect_matrix(act(phase_flip(p), kPlus), {0.5, (1 - 2 * p) / 2, (1 - 2 * p) / 2, 0.5}, "phase_flip |+>");
  expect_matrix(act(bit_phase_flip(p), kZero), {1 - p, 0, 0, p}, "bit_phase_flip |0>");
  expect_matrix(act(bit_phase_flip(p), kPlus), {0.5, (1 - 2 * p) / 2, (1 - 2 * p) / 2, 0.5}, "bit_phase_flip |+>");
  expect_matrix(act(depolarizing(p), kZero), {1 - p / 2, 0, 0, p / 2}, "depolarizing |0>");
  expect_matrix(act(depolarizing(p), kPlus), {0.5, (1 - p) / 2, (1 - p) / 2, 0.5}, "depolarizing |+>");
  const double px = 0.05, py = 0.1, pz = 0.15;
  expect_matrix(act(pauli_channel(px, py, pz), kZero), {1 - px - py, 0, 0, px + py}, "pauli |0>");
  const double off = (1 - 2 * py - 2 * pz) / 2;
  expect_matrix(act(pauli_channel(px, py, pz), kPlus), {0.5, off, off, 0.5}, "pauli |+>");
  // Amplitude damping γ: |1⟩ → |0⟩ with probability γ, coherences × √(1−γ).
  expect_matrix(act(amplitude_damping(g), kZero), kZero, "amplitude_damping |0>");
  const double s = std::sqrt(1 - g) / 2;
  expect_matrix(act(amplitude_damping(g), kPlus), {(1 + g) / 2, s, s, (1 - g) / 2}, "amplitude_damping |+>");
  expect_matrix(act(amplitude_damping(g), kOne), {g, 0, 0, 1 - g}, "amplitude_damping |1>");
  // Generalised amplitude damping: ρ11 → (1−γ)ρ11 + γ p_exc, coherences × √(1−γ).
  expect_matrix(act(generalized_amplitude_damping(g, pe), kZero), {1 - g * pe, 0, 0, g * pe}, "gad |0>");
  const double r11 = (1 - g) / 2 + g * pe;
  expect_matrix(act(generalized_amplitude_damping(g, pe), kPlus), {1 - r11, s, s, r11}, "gad |+>");
  // Phase damping λ: populations kept, coherences × √(1−λ).
  expect_matrix(act(phase_damping(g), kZero), kZero, "phase_damping |0>");
  expect_matrix(act(phase_damping(g), kPlus), {0.5, s, s, 0.5}, "phase_damping |+>");
  // Thermal relaxation: ρ11 × e^{−t/T1}, ρ01 × e^{−t/T2}.
  const double t1 = 50e-6, t2 = 70e-6, t = 3e-6;
  const double e1 = std::exp(-t / t1), e2 = std::exp(-t / t2);
  expect_matrix(act(thermal_relaxation(t1, t2, t), kZero), kZero, "thermal |0>");
  expect_matrix(act(thermal_relaxation(t1, t2, t), kPlus), {1 - e1 / 2, e2 / 2, e2 / 2, e1 / 2}, "thermal |+>");
  expect_matrix(act(thermal_relaxation(t1, t2, t), kOne), {1 - e1, 0, 0, e1}, "thermal |1>");
  // Two-qubit depolarizing on |00⟩⟨00| and |++⟩⟨++|: (1−p)ρ + p I/4.
  for (const Matrix& one : {kZero, kPlus}) {
    Matrix rho(16), want(16);
    for (std::size_t r = 0; r < 4; ++r)
      for (std::size_t c = 0; c < 4; ++c) {
        rho[r * 4 + c] = one[(r & 1) * 2 + (c & 1)] * one[(r >> 1) * 2 + (c >> 1)];
        want[r * 4 + c] = (1 - p) * rho[r * 4 + c] + (r == c ? p / 4 : 0.0);
      }
    expect_matrix(act(depolarizing2(p), rho), want, "depolarizing2");
  }
}

TEST(Channel, PauliChannelsExposeTheirProbabilities) {
  const Channel d = depolarizing(0.2);
  ASSERT_TRUE(d.is_pauli());
  EXPECT_NEAR(d.pauli_probabilities()[0], 0.85, 1e-15);
  for (int i = 1; i < 4; ++i) EXPECT_NEAR(d.pauli_probabilities()[i], 0.05, 1e-15);
  const Channel d2 = depolarizing2(0.16);
  ASSERT_EQ(d2.pauli_probabilities().size(), 16U);
  EXPECT_NEAR(d2.pauli_probabilities()[0], 1 - 0.15, 1e-15);
  EXPECT_NEAR(d2.pauli_probabilities()[3 + 4 * 1], 0.01, 1e-15);  // Z on qubit 0, X on qubit 1
  EXPECT_FALSE(amplitude_damping(0.1).is_pauli());
  EXPECT_FALSE(thermal_relaxation(1, 1, 0.1).is_pauli());
}

TEST(Channel, ValidatesParameters) {
  auto message = [](const std::function<void()>& f) {
    try {
      f();
    } catch (const ValueError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_EQ(message([] { depolarizing(1.5); }), "depolarizing: p = 1.5 is outside [0, 1]");
  EXPECT_EQ(message([] { amplitude_damping(-0.1); }), "amplitude_damping: gamma = -0.1 is outside [0, 1]");
  EXPECT_NE(message([] { bit_flip(std::nan("")); }).find("outside [0, 1]"), std::string::npos);
  EXPECT_NE(message([] { pauli_channel(0.5, 0.4, 0.3); }).find("px + py + pz = 1.2"), std::string::npos);
  EXPECT_NE(message([] { thermal_relaxation(50e-6, 120e-6, 1e-8); }).find("exceeds 2*T1"), std::string::npos);
  EXPECT_NE(message([] { thermal_relaxation(0, 1, 1); }).find("T1 = 0 must be positive"), std::string::npos);
  EXPECT_NE(message([] { thermal_relaxation(1, 1, -1); }).find("t = -1"), std::string::npos);
}

TEST(Channel, UserKrausSetIsCheckedForCompleteness) {
  // Amplitude damping written by hand passes; scaling one operator breaks Σ K†K = I and is reported with its size.
  const double g = 0.36;
  EXPECT_NO_THROW(kraus_channel(1, {{1, 0, 0, 0.8}, {0, std::sqrt(g), 0, 0}}));
  try {
    kraus_channel(1, {{1, 0, 0, 0.8}, {0, 0.5, 0, 0}}, "mine");
    FAIL() << "an incomplete Kraus set was accepted";
  } catch (const ValueError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("mine: the Kraus operators are not trace preserving"), std::string::npos) << m;
    EXPECT_NE(m.find("0.11"), std::string::npos) << m;  // |0.25 + 0.64 − 1| = 0.11
  }
  EXPECT_THROW(kraus_channel(1, {{1, 0, 0}}), ValueError);           // not 2×2
  EXPECT_THROW(kraus_channel(1, {}), ValueError);                    // empty
  EXPECT_NO_THROW(kraus_channel(2, {std::vector<cplx>{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}}));
  EXPECT_EQ(depolarizing(0.01).description(), "depolarizing(p=0.01)");
}

}  // namespace
}  // namespace qnn
