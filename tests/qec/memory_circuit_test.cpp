// Memory-experiment circuits: detectors are deterministic without noise (tableau runs with different seeds agree and
// read 0; Pauli frames, which randomise everything a measurement leaves undetermined, never fire them), and the
// noise models put their noise where they say.
#include "qnn/qec/memory_circuit.hpp"

#include <gtest/gtest.h>

#include "qnn/core/error.hpp"
#include "qnn/qec/frame_sampler.hpp"
#include "qnn/qec/tableau.hpp"

namespace qnn::qec {
namespace {

void expect_deterministic(const CliffordCircuit& c) {
  for (std::uint64_t seed : {1U, 2U, 3U}) {
    Rng rng(seed);
    const auto record = tableau_sample(c, rng, /*with_noise=*/false);
    std::vector<std::uint8_t> dets;
    std::uint64_t obs = 0;
    record_parities(c, record, dets, obs);
    EXPECT_EQ(dets, std::vector<std::uint8_t>(c.num_detectors(), 0)) << "seed " << seed;
    EXPECT_EQ(obs, 0U);
  }
  FrameSampler sampler(c.without_noise());
  FrameSamples s;
  Rng rng(4);
  sampler.sample(2, rng, s);
  for (auto w : s.detectors) EXPECT_EQ(w, 0U);
  for (auto w : s.observables) EXPECT_EQ(w, 0U);
}

TEST(MemoryCircuit, DetectorsAreDeterministic) {
  for (Basis b : {Basis::Z, Basis::X}) {
    for (unsigned d : {3U, 5U}) {
      SCOPED_TRACE("surface d=" + std::to_string(d) + (b == Basis::Z ? " Z" : " X"));
      expect_deterministic(memory_circuit(rotated_surface_code(d), {.rounds = 3, .basis = b, .p = 0.01}));
    }
    for (const CssCode& code : {steane_code(), shor_code(), repetition_code(5, b)}) {
      SCOPED_TRACE(code.name + (b == Basis::Z ? " Z" : " X"));
      expect_deterministic(memory_circuit(code, {.rounds = 2, .basis = b, .p = 0.01}));
    }
  }
}

TEST(MemoryCircuit, Counts) {
  const unsigned d = 5, rounds = 4;
  const CliffordCircuit c = memory_circuit(rotated_surface_code(d), {.rounds = rounds, .basis = Basis::Z});
  EXPECT_EQ(c.num_qubits(), 2 * d * d - 1);
  EXPECT_EQ(c.num_measurements(), rounds * (d * d - 1) + d * d);
  EXPECT_EQ(c.num_detectors(), (rounds + 1) * (d * d - 1) / 2);
  EXPECT_EQ(c.num_observables(), 1U);
  const auto coords = c.detector_coordinates();
  EXPECT_EQ(coords.back()[2], rounds);
}

TEST(MemoryCircuit, NoiseModels) {
  auto count = [](const CliffordCircuit& c, OpCode code) {
    std::size_t n = 0;
    for (const auto& op : c.instructions()) n += op.code == code;
    return n;
  };
  const CssCode code = rotated_surface_code(3);
  const auto none = memory_circuit(code, {.rounds = 3, .noise = NoiseModel::None, .p = 0.1});
  EXPECT_EQ(count(none, OpCode::X_ERROR) + count(none, OpCode::DEPOLARIZE1) + count(none, OpCode::DEPOLARIZE2), 0U);
  const auto cap = memory_circuit(code, {.rounds = 3, .noise = NoiseModel::CodeCapacity, .p = 0.1});
  EXPECT_EQ(count(cap, OpCode::X_ERROR), 1U);
  EXPECT_EQ(count(cap, OpCode::Z_ERROR), 1U);
  const auto phen = memory_circuit(code, {.rounds = 3, .noise = NoiseModel::Phenomenological, .p = 0.1});
  EXPECT_EQ(count(phen, OpCode::X_ERROR), 6U);  // data and ancilla flips per round
  EXPECT_EQ(count(phen, OpCode::DEPOLARIZE2), 0U);
  const auto circ = memory_circuit(code, {.rounds = 3, .noise = NoiseModel::CircuitLevel, .p = 0.1});
  EXPECT_EQ(count(circ, OpCode::DEPOLARIZE2), 3U * 4U);
  EXPECT_THROW(memory_circuit(code, {.rounds = 0}), ValueError);
  EXPECT_THROW(memory_circuit(code, {.p = 1.5}), ValueError);
  EXPECT_THROW(parse_noise_model("loud"), ValueError);
}

}  // namespace
}  // namespace qnn::qec
