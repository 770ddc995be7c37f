// The Pauli-frame sampler: random outcomes and correlations of a reference-free circuit, noise rates from geometric
// skipping, detector rates against the detector error model, and agreement with naive per-shot tableau sampling.
#include "qnn/qec/frame_sampler.hpp"

#include <gtest/gtest.h>

#include <cmath>

#include "qnn/qec/error_analysis.hpp"
#include "qnn/qec/memory_circuit.hpp"
#include "qnn/qec/tableau.hpp"

namespace qnn::qec {
namespace {

TEST(FrameSampler, RandomOutcomesAndCorrelations) {
  CliffordCircuit c;
  c.append(OpCode::H, {0}).append(OpCode::CX, {0, 1}).append(OpCode::M, {0, 1}).append(OpCode::MX, {2});
  FrameSampler sampler(c);
  FrameSamples s;
  Rng rng(1);
  sampler.sample(64, rng, s, /*with_measurements=*/true);
  std::size_t ones0 = 0, ones2 = 0;
  for (std::size_t shot = 0; shot < s.num_shots(); ++shot) {
    ASSERT_EQ(s.measurement(0, shot), s.measurement(1, shot));  // Bell pair: equal results
    ones0 += s.measurement(0, shot);
    ones2 += s.measurement(2, shot);
  }
  // Each ½ over 4096 shots: σ = 32; 5σ bounds.
  EXPECT_NEAR(static_cast<double>(ones0), 2048, 160);
  EXPECT_NEAR(static_cast<double>(ones2), 2048, 160);
}

TEST(FrameSampler, NoiseRates) {
  for (double p : {0.0, 0.002, 0.3, 1.0}) {
    CliffordCircuit c;
    c.append(OpCode::R, {0, 1, 2, 3}).append(OpCode::X_ERROR, {0, 1, 2, 3}, {p}).append(OpCode::M, {0, 1, 2, 3});
    for (std::uint64_t m = 0; m < 4; ++m) c.detector({m});
    FrameSampler sampler(c);
    FrameSamples s;
    Rng rng(7);
    sampler.sample(128, rng, s);
    const double n = static_cast<double>(s.num_shots());
    for (std::size_t d = 0; d < 4; ++d) {
      std::size_t fired = 0;
      for (std::size_t shot = 0; shot < s.num_shots(); ++shot) fired += s.detector(d, shot);
      const double sigma = std::sqrt(p * (1 - p) / n);
      EXPECT_NEAR(static_cast<double>(fired) / n, p, 5 * sigma + 1e-12) << "p=" << p << " qubit " << d;
    }
  }
}

// P(detector fires) = ½(1 − Π_e (1 − 2 p_e)) over the independent mechanisms e that flip it.
std::vector<double> predicted_rates(const DetectorErrorModel& dem) {
  std::vector<double> prod(dem.num_detectors + dem.num_observables, 1.0);
  for (const auto& e : dem.errors) {
    for (auto d : e.detectors) prod[d] *= 1 - 2 * e.probability;
    for (auto k : e.observables) prod[dem.num_detectors + k] *= 1 - 2 * e.probability;
  }
  for (auto& v : prod) v = 0.5 * (1 - v);
  return prod;
}

TEST(FrameSampler, DetectorRatesMatchDetectorErrorModel) {
  const CliffordCircuit c = memory_circuit(rotated_surface_code(3), {.rounds = 3, .noise = NoiseModel::CircuitLevel, .p = 0.01});
  const auto rates = predicted_rates(detector_error_model(c));
  FrameSampler sampler(c);
  FrameSamples s;
  Rng rng(2);
  sampler.sample(512, rng, s);  // 32768 shots
  const double n = static_cast<double>(s.num_shots());
  for (std::uint32_t d = 0; d < c.num_detectors() + 1; ++d) {
    std::size_t fired = 0;
    for (std::size_t shot = 0; shot < s.num_shots(); ++shot)
      fired += d < c.num_detectors() ? s.detector(d, shot) : s.observable(0, shot);
    const double r = rates[d], sigma = std::sqrt(r * (1 - r) / n);
    EXPECT_NEAR(static_cast<double>(fired) / n, r, 5 * sigma) << "detector " << d;
  }
}

TEST(FrameSampler, AgreesWithPerShotTableauSampling) {
  const CliffordCircuit c = memory_circuit(repetition_code(3), {.rounds = 2, .noise = NoiseModel::CircuitLevel, .p = 0.04});
  const std::size_t tableau_shots = 4000;
  Rng rng(3);
  std::vector<double> tab(c.num_detectors() + 1, 0.0);
  std::vector<std::uint8_t> dets, ref_dets;
  std::uint64_t obs = 0, ref_obs = 0;
  const auto ref = tableau_sample(c, rng, false);
  record_parities(c, ref, ref_dets, ref_obs);
  for (std::size_t s = 0; s < tableau_shots; ++s) {
    record_parities(c, tableau_sample(c, rng), dets, obs);
    for (std::size_t d = 0; d < dets.size(); ++d) tab[d] += dets[d] ^ ref_dets[d];
    tab.back() += static_cast<double>((obs ^ ref_obs) & 1U);
  }
  FrameSampler sampler(c);
  FrameSamples fs;
  sampler.sample(640, rng, fs);
  const double n = static_cast<double>(fs.num_shots());
  for (std::size_t d = 0; d < tab.size(); ++d) {
    std::size_t fired = 0;
    for (std::size_t shot = 0; shot < fs.num_shots(); ++shot)
      fired += d < c.num_detectors() ? fs.detector(d, shot) : fs.observable(0, shot);
    const double a = tab[d] / tableau_shots, b = static_cast<double>(fired) / n;
    const double r = 0.5 * (a + b), sigma = std::sqrt(r * (1 - r) * (1.0 / tableau_shots + 1.0 / n));
    EXPECT_NEAR(a, b, 5 * sigma + 1e-9) << "detector " << d;
  }
}

TEST(FrameSampler, PerShotLists) {
  FrameSamples s;
  s.words = 1;
  s.detectors = {0b101, 0b100};
  s.observables = {0b001};
  std::vector<std::vector<std::uint32_t>> fired;
  std::vector<std::uint64_t> obs;
  s.per_shot(fired, obs);
  ASSERT_EQ(fired.size(), 64U);
  EXPECT_EQ(fired[0], std::vector<std::uint32_t>{0});
  EXPECT_TRUE(fired[1].empty());
  EXPECT_EQ(fired[2], (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(obs[0], 1U);
  EXPECT_EQ(obs[2], 0U);
}

}  // namespace
}  // namespace qnn::qec
