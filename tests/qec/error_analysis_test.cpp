// Detector error models from circuits: closed forms for the repetition code, graphlike surface-code models whose
// shortest logical error has weight d (the CNOT order keeps hook errors harmless), and exact depolarising conversion.
#include "qnn/qec/error_analysis.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <deque>
#include <limits>
#include <map>

#include "qnn/qec/memory_circuit.hpp"

namespace qnn::qec {
namespace {

using Key = std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>>;

std::map<Key, double> by_key(const DetectorErrorModel& dem) {
  std::map<Key, double> m;
  for (const auto& e : dem.errors) {
    EXPECT_TRUE(m.emplace(Key{e.detectors, e.observables}, e.probability).second) << "mechanisms not merged";
  }
  return m;
}

TEST(ErrorAnalysis, RepetitionCodeCapacityClosedForm) {
  const std::uint32_t d = 5;
  const double p = 0.07;
  const auto dem = detector_error_model(
      memory_circuit(repetition_code(d), {.rounds = 1, .noise = NoiseModel::CodeCapacity, .p = p}));
  EXPECT_EQ(dem.num_detectors, 2 * (d - 1));
  EXPECT_EQ(dem.num_observables, 1U);
  // Data bit i flips the round-0 checks i−1 and i (the final checks compare the data with round 0: unchanged);
  // bit 0 is the logical Z̄ = Z_0. Phase flips flip nothing and are dropped.
  std::map<Key, double> want;
  for (std::uint32_t i = 0; i < d; ++i) {
    Key k;
    if (i > 0) k.first.push_back(i - 1);
    if (i + 1 < d) k.first.push_back(i);
    if (i == 0) k.second.push_back(0);
    want[k] = p;
  }
  const auto got = by_key(dem);
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [k, prob] : want) {
    ASSERT_TRUE(got.count(k));
    EXPECT_DOUBLE_EQ(got.at(k), prob);
  }
}

TEST(ErrorAnalysis, RepetitionPhenomenologicalClosedForm) {
  const std::uint32_t d = 3, rounds = 3;
  const double p = 0.02;
  const auto dem = detector_error_model(
      memory_circuit(repetition_code(d), {.rounds = rounds, .noise = NoiseModel::Phenomenological, .p = p}));
  const std::uint32_t checks = d - 1;
  auto det = [&](std::uint32_t r, std::uint32_t k) { return r * checks + k; };
  std::map<Key, double> want;
  for (std::uint32_t r = 0; r < rounds; ++r) {
    for (std::uint32_t i = 0; i < d; ++i) {  // data flip before round r: space-like edge in layer r
      Key k;
      if (i > 0) k.first.push_back(det(r, i - 1));
      if (i + 1 < d) k.first.push_back(det(r, i));
      if (i == 0) k.second.push_back(0);
      want[k] = p;
    }
    for (std::uint32_t c = 0; c < checks; ++c) want[Key{{det(r, c), det(r + 1, c)}, {}}] = p;  // time-like edge
  }
  const auto got = by_key(dem);
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [k, prob] : want) {
    ASSERT_TRUE(got.count(k));
    EXPECT_NEAR(got.at(k), prob, 1e-15);
  }
}

TEST(ErrorAnalysis, DepolarizingIsConvertedExactly) {
  // One qubit, DEPOLARIZE1(p), then measured in Z: X and Y flip the result, so it flips with probability 2p/3 exactly.
  // Independent X, Y mechanisms with q each give q(1−q)·2 merged into one: 2q(1−q) = 2p/3 when (1−2q)² = 1 − 4p/3.
  CliffordCircuit c;
  const double p = 0.3;
  c.append(OpCode::R, {0}).append(OpCode::DEPOLARIZE1, {0}, {p}).append(OpCode::M, {0});
  c.detector({0});
  const auto dem = detector_error_model(c);
  ASSERT_EQ(dem.errors.size(), 1U);
  EXPECT_NEAR(dem.errors[0].probability, 2 * p / 3, 1e-12);
  // DEPOLARIZE2 on two qubits measured in Z: the parity of qubit 0 flips for 8 of the 15 Paulis.
  CliffordCircuit c2;
  c2.append(OpCode::R, {0, 1}).append(OpCode::DEPOLARIZE2, {0, 1}, {p}).append(OpCode::M, {0});
  c2.detector({0});
  const auto dem2 = detector_error_model(c2);
  ASSERT_EQ(dem2.errors.size(), 1U);
  EXPECT_NEAR(dem2.errors[0].probability, 8 * p / 15, 1e-12);
}

// Fewest mechanisms whose detectors cancel and whose observable 0 flips, on a graphlike model (breadth-first search
// over (detector or boundary, observable parity)).
std::size_t graphlike_distance(const DetectorErrorModel& dem) {
  const std::uint32_t boundary = dem.num_detectors;
  std::vector<std::vector<std::pair<std::uint32_t, int>>> adj(boundary + 1);
  for (const auto& e : dem.errors) {
    const int flip = !e.observables.empty() && e.observables[0] == 0;
    if (e.detectors.empty()) {
      if (flip) return 1;
      continue;
    }
    const std::uint32_t a = e.detectors[0], b = e.detectors.size() > 1 ? e.detectors[1] : boundary;
    adj[a].push_back({b, flip});
    adj[b].push_back({a, flip});
  }
  std::vector<std::size_t> dist(2 * (boundary + 1), std::numeric_limits<std::size_t>::max());
  std::deque<std::uint32_t> queue{2 * boundary};
  dist[2 * boundary] = 0;
  while (!queue.empty()) {
    const std::uint32_t s = queue.front();
    queue.pop_front();
    for (const auto& [v, f] : adj[s / 2]) {
      const std::uint32_t t = 2 * v + ((s % 2) ^ static_cast<std::uint32_t>(f));
      if (dist[t] == std::numeric_limits<std::size_t>::max()) {
        dist[t] = dist[s] + 1;
        queue.push_back(t);
      }
    }
  }
  return dist[2 * boundary + 1];
}

TEST(ErrorAnalysis, SurfaceCodeCircuitNoiseIsGraphlikeWithFullDistance) {
  for (Basis b : {Basis::Z, Basis::X})
    for (unsigned d : {3U, 5U}) {
      SCOPED_TRACE("d=" + std::to_string(d) + (b == Basis::Z ? " Z" : " X"));
      const auto dem = detector_error_model(
          memory_circuit(rotated_surface_code(d), {.rounds = d, .basis = b, .noise = NoiseModel::CircuitLevel, .p = 0.001}));
      for (const auto& e : dem.errors) EXPECT_LE(e.detectors.size(), 2U);
      EXPECT_EQ(graphlike_distance(dem), d);
    }
}

TEST(ErrorAnalysis, SmallCodesHaveDistanceThree) {
  for (const CssCode& code : {steane_code(), shor_code(), repetition_code(3)}) {
    SCOPED_TRACE(code.name);
    const auto dem = detector_error_model(memory_circuit(code, {.rounds = 1, .noise = NoiseModel::CodeCapacity, .p = 0.01}));
    // Code capacity: each mechanism is one data flip; the lightest undetected logical has weight 3. Brute force over
    // subsets of up to 3 mechanisms.
    const std::size_t m = dem.errors.size();
    std::size_t best = 99;
    auto sig = [&](std::vector<std::size_t> pick) {
      std::map<std::uint32_t, int> count;
      int obs = 0;
      for (auto i : pick) {
        for (auto dd : dem.errors[i].detectors) count[dd] ^= 1;
        obs ^= !dem.errors[i].observables.empty();
      }
      for (auto& [k, v] : count)
        if (v) return false;
      return obs == 1;
    };
    for (std::size_t i = 0; i < m; ++i) {
      if (sig({i})) best = std::min<std::size_t>(best, 1);
      for (std::size_t j = i + 1; j < m; ++j) {
        if (sig({i, j})) best = std::min<std::size_t>(best, 2);
        for (std::size_t k = j + 1; k < m; ++k)
          if (sig({i, j, k})) best = std::min<std::size_t>(best, 3);
      }
    }
    EXPECT_EQ(best, 3U);
  }
}

}  // namespace
}  // namespace qnn::qec
