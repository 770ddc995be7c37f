// Properties every decoder must have, checked for each name decoder_names() lists.
#include "qnn/qec/decoder.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <string>
#include <vector>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"
#include "qec/hand_built_models.hpp"
#include "qnn/qec/error_analysis.hpp"
#include "qnn/qec/memory_circuit.hpp"

namespace qnn::qec {
namespace {

using testing::repetition_code_capacity_model;
using testing::rotated_surface_code_model;

class EveryDecoder : public ::testing::TestWithParam<std::string> {};

// Repetition code, every one of the 2^d bit-flip patterns: a pattern of weight ≤ (d − 1)/2 must be corrected. MWPM
// and the lookup table find the most likely error, which for uniform p is the lighter of the pattern and its
// complement, so they fail exactly when the weight exceeds d/2: their logical error rate is the binomial tail
// Σ_{k > d/2} C(d, k) p^k (1 − p)^(d − k).
TEST_P(EveryDecoder, RepetitionCodeCorrectsEveryErrorUpToHalfTheDistance) {
  for (std::uint32_t d : {3u, 5u, 7u, 9u}) {
    const DetectorErrorModel dem = repetition_code_capacity_model(d, 0.1);
    auto decoder = make_decoder(GetParam(), dem);
    EXPECT_EQ(decoder->name(), GetParam());
    std::vector<std::uint32_t> fired;
    for (std::uint32_t pattern = 0; pattern < (1u << d); ++pattern) {
      fired.clear();
      for (std::uint32_t det = 0; det + 1 < d; ++det) {
        if (((pattern >> det) ^ (pattern >> (det + 1))) & 1u) fired.push_back(det);
      }
      const std::uint64_t actual = pattern & 1u;
      const std::uint64_t predicted = decoder->decode(fired);
      const auto weight = static_cast<std::uint32_t>(std::popcount(pattern));
      if (2 * weight < d) {
        EXPECT_EQ(predicted, actual) << GetParam() << " d=" << d << " pattern=" << pattern;
      } else if (GetParam() != "uf") {
        EXPECT_NE(predicted, actual) << GetParam() << " d=" << d << " pattern=" << pattern;
      }
    }
  }
}

TEST_P(EveryDecoder, RejectsOutOfRangeDetectors) {
  auto decoder = make_decoder(GetParam(), repetition_code_capacity_model(5, 0.1));
  const std::vector<std::uint32_t> fired{1, 4};
  EXPECT_THROW(decoder->decode(fired), ValueError);
}

TEST_P(EveryDecoder, NoDetectionEventsMeansNoFlip) {
  auto decoder = make_decoder(GetParam(), rotated_surface_code_model(3, 0.05));
  EXPECT_EQ(decoder->decode({}), 0u);
}

// Circuit distance ≥ 3 handled: in the d = 3 rotated surface code's memory experiment (3 rounds, circuit-level noise,
// p = 0.001) every error mechanism of the detector error model alone — a single fault anywhere in the circuit: data,
// ancilla, hook errors through the CX schedule, measurement and reset flips — is decoded exactly, in both bases.
// Exhaustive over the model's mechanisms (merged ones included, so no two single faults may share a syndrome with
// different observables: that would be a circuit distance of 2).
TEST_P(EveryDecoder, SurfaceCodeCircuitLevelDistanceThreeCorrectsEverySingleFault) {
  for (Basis basis : {Basis::Z, Basis::X}) {
    const CliffordCircuit circuit = memory_circuit(
        rotated_surface_code(3), {.rounds = 3, .basis = basis, .noise = NoiseModel::CircuitLevel, .p = 0.001});
    const DetectorErrorModel dem = detector_error_model(circuit);
    ASSERT_EQ(dem.num_detectors, 16u);  // 4 stabilizers of the memory's basis × (3 rounds + the final data readout)
    ASSERT_GT(dem.errors.size(), 2 * dem.num_detectors);
    auto decoder = make_decoder(GetParam(), dem);
    std::size_t with_logical = 0;
    for (const ErrorMechanism& e : dem.errors) {
      std::uint64_t actual = 0;
      for (std::uint32_t o : e.observables) actual ^= std::uint64_t{1} << o;
      with_logical += actual != 0;
      EXPECT_EQ(decoder->decode(e.detectors), actual)
          << GetParam() << " basis " << (basis == Basis::Z ? "Z" : "X") << ", p = " << e.probability << ", "
          << e.detectors.size() << " detectors";
    }
    EXPECT_GT(with_logical, 0u);  // faults that flip the logical observable are among those checked
  }
}

INSTANTIATE_TEST_SUITE_P(Names, EveryDecoder, ::testing::ValuesIn([] {
                           std::vector<std::string> names;
                           for (auto n : decoder_names()) names.emplace_back(n);
                           return names;
                         }()),
                         [](const auto& param_info) { return param_info.param; });

TEST(MakeDecoder, UnknownNameListsTheAllowedOnes) {
  try {
    make_decoder("bp", repetition_code_capacity_model(3, 0.1));
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("'bp'"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("lookup"), std::string::npos);
  }
}

}  // namespace
}  // namespace qnn::qec
