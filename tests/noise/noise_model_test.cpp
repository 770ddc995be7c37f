// Noise models: which channels follow which gates, idle noise per moment, the compact spec, JSON files and presets.
#include "qnn/noise/noise_model.hpp"

#include <gtest/gtest.h>

#include <functional>

#include "qnn/core/error.hpp"
#include "qnn/noise/noise_spec.hpp"

namespace qnn {
namespace {

// "g0 c[0] c[1] g1 …": gate steps as g<index>, channels as <name>[q,…].
std::string trace(const std::vector<NoisyOperation>& ops) {
  std::string s;
  for (const auto& op : ops) {
    if (!s.empty()) s += " ";
    if (op.is_gate()) {
      s += "g" + std::to_string(op.gate);
    } else {
      s += op.channel->name().substr(0, 3) + "[";
      for (std::size_t i = 0; i < op.qubits.size(); ++i) s += (i ? "," : "") + std::to_string(op.qubits[i]);
      s += "]";
    }
  }
  return s;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

TEST(NoiseModel, RulesFollowGatesByKindQubitAndArity) {
  Circuit c(3);
  c.h(0).cnot(0, 1).x(2).cz(1, 2);
  NoiseModel m;
  m.add_gate_noise(bit_flip(0.1));                                          // every gate, each qubit
  m.add_gate_noise(depolarizing2(0.1), {.gates = {GateKind::CX}});          // only CX, on its pair
  m.add_gate_noise(phase_damping(0.1), {.qubits = {2}});                    // any gate, only on qubit 2
  m.add_gate_noise(amplitude_damping(0.1), {.gate_qubits = 1});             // 1-qubit gates only
  EXPECT_EQ(trace(noisy_operations(c, m)),
            "g0 bit[0] amp[0] g1 bit[0] bit[1] dep[0,1] g2 bit[2] pha[2] amp[2] g3 bit[1] bit[2] pha[2]");
  EXPECT_THROW(m.add_gate_noise(depolarizing2(0.1), {.gate_qubits = 1}), ValueError);
}

TEST(NoiseModel, IdleNoiseFollowsEachMoment) {
  // Moments: {h0, h2}, {cx01}. Idle: qubit 1 in moment 0, qubit 2 in moment 1.
  Circuit c(3);
  c.h(0).cnot(0, 1).h(2);
  NoiseModel m;
  m.set_idle_noise(phase_damping(0.01));
  EXPECT_EQ(trace(noisy_operations(c, m)), "g0 g2 pha[1] g1 pha[2]");
  EXPECT_THROW(m.set_idle_noise(depolarizing2(0.1)), ValueError);
}

TEST(NoiseModel, ReadoutErrorPerQubitOverridesTheDefault) {
  NoiseModel m;
  EXPECT_FALSE(m.has_readout_error());
  m.set_readout_error({.p1_given_0 = 0.01, .p0_given_1 = 0.02});
  m.set_readout_error(2, {.p1_given_0 = 0.1, .p0_given_1 = 0.2});
  EXPECT_TRUE(m.has_readout_error());
  EXPECT_EQ(m.readout_error(0).p0_given_1, 0.02);
  EXPECT_EQ(m.readout_error(2).p1_given_0, 0.1);
  EXPECT_EQ(m.readout_error(7).p1_given_0, 0.01);
  EXPECT_THROW(m.set_readout_error({.p1_given_0 = 1.5, .p0_given_1 = 0}), ValueError);
}

TEST(NoiseSpec, CompactSpecs) {
  const NoiseModel d = parse_noise_spec("depolarizing:0.01");
  ASSERT_EQ(d.gate_rules().size(), 1U);
  EXPECT_EQ(d.gate_rules()[0].channel->description(), "depolarizing(p=0.01)");
  EXPECT_FALSE(d.has_readout_error());

  const NoiseModel t = parse_noise_spec("thermal:T1=50e-6,T2=70e-6,t=50e-9");
  EXPECT_EQ(t.gate_rules()[0].channel->description(), "thermal_relaxation(T1=5e-05,T2=7e-05,t=5e-08)");
  EXPECT_EQ(parse_noise_spec("thermal:5e+1,7e+1,1").gate_rules()[0].channel->description(),
            "thermal_relaxation(T1=50,T2=70,t=1)");

  const NoiseModel m = parse_noise_spec("amplitude_damping:0.02+depolarizing2:0.05+readout:p1_given_0=0.01,p0_given_1=0.03");
  ASSERT_EQ(m.gate_rules().size(), 2U);
  EXPECT_EQ(m.gate_rules()[1].selector.gate_qubits, 2U);
  EXPECT_EQ(m.readout_error(4).p0_given_1, 0.03);
  EXPECT_EQ(parse_noise_spec("readout:0.02").readout_error(0).p1_given_0, 0.02);
  EXPECT_EQ(parse_noise_spec("pauli:py=0.1,px=0.2,pz=0").gate_rules()[0].channel->description(),
            "pauli(px=0.2,py=0.1,pz=0)");
}

TEST(NoiseSpec, ErrorsNameTheProblem) {
  EXPECT_NE(error_of([] { parse_noise_spec("depolarizing:1.5"); }).find("p = 1.5 is outside [0, 1]"), std::string::npos);
  const std::string unknown = error_of([] { parse_noise_spec("dephasing:0.1"); });
  EXPECT_NE(unknown.find("unknown channel 'dephasing'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("phase_damping"), std::string::npos) << unknown;  // lists the known ones
  EXPECT_NE(error_of([] { parse_noise_spec("depolarizing:abc"); }).find("'abc' is not a finite number"), std::string::npos);
  EXPECT_NE(error_of([] { parse_noise_spec("thermal:T1=1,T2=1"); }).find("missing parameter 't'"), std::string::npos);
  EXPECT_NE(error_of([] { parse_noise_spec("depolarizing:q=0.1"); }).find("unknown parameter 'q'"), std::string::npos);
  EXPECT_NE(error_of([] { parse_noise_spec("depolarizing:0.1,0.2"); }).find("takes 1 parameter"), std::string::npos);
  EXPECT_NE(error_of([] { parse_noise_spec("noisy"); }).find("neither a preset"), std::string::npos);
  EXPECT_NE(error_of([] { parse_noise_spec(""); }).find("empty noise spec"), std::string::npos);
}

TEST(NoiseSpec, JsonModel) {
  const std::string text = R"({
  "name": "two-rule device",
  "gate_noise": [
    {"gates": ["cx"], "qubits": [0, 1], "channel": {"type": "depolarizing2", "p": 0.02}},
    {"gate_qubits": 1, "channel": {"type": "kraus", "operators": [[1, 0, 0, 0.8], [0, 0.6, 0, 0]]}},
    {"channel": {"type": "kraus", "operators": [[[0, 1], 0, 0, [0, 1]]], "name": "phase_i"}}
  ],
  "idle_noise": {"type": "thermal", "T1": 1e-4, "T2": 8e-5, "t": 3.5e-8},
  "readout": [{"p1_given_0": 0.01, "p0_given_1": 0.02}, {"p1_given_0": 0.03}]
})";
  const NoiseModel m = parse_noise_json(text, "dev.json");
  EXPECT_EQ(m.name, "two-rule device");
  ASSERT_EQ(m.gate_rules().size(), 3U);
  EXPECT_EQ(m.gate_rules()[0].selector.gates, std::vector<GateKind>{GateKind::CX});
  EXPECT_EQ(m.gate_rules()[1].channel->kraus().size(), 2U);
  EXPECT_EQ(m.gate_rules()[2].channel->kraus()[0][0], cplx(0, 1));
  EXPECT_EQ(m.gate_rules()[2].channel->name(), "phase_i");
  ASSERT_TRUE(m.idle_noise());
  EXPECT_EQ(m.idle_noise()->name(), "thermal_relaxation");
  EXPECT_EQ(m.readout_error(1).p1_given_0, 0.03);
  EXPECT_EQ(m.readout_error(1).p0_given_1, 0.0);
}

TEST(NoiseSpec, JsonErrorsCarryLineColumnOrPlace) {
  // Missing comma at the end of line 2: the parser reports the unexpected key on line 3, at its last character
  // (column 14; nlohmann's position is where it stopped reading).
  try {
    parse_noise_json("{\n  \"name\": \"x\"\n  \"gate_noise\": []\n}", "bad.json");
    FAIL() << "malformed JSON was accepted";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 3U);
    EXPECT_EQ(e.column(), 14U);
    EXPECT_NE(std::string(e.what()).find("bad.json:3:14: malformed JSON"), std::string::npos) << e.what();
  }
  EXPECT_EQ(error_of([] { parse_noise_json(R"({"gate_noise": [{"channel": {"type": "depolarizing", "p": 1.5}}]})", "f.json"); }),
            "f.json: gate_noise[0].channel: depolarizing: p = 1.5 is outside [0, 1]");
  EXPECT_NE(error_of([] { parse_noise_json(R"({"gate_noise": [{"gates": ["foo"], "channel": {"type": "bit_flip", "p": 0}}]})", "f.json"); })
                .find("unknown gate 'foo'"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_noise_json(R"({"gate_nois": []})", "f.json"); }).find("unknown key 'gate_nois'"),
            std::string::npos);
  EXPECT_NE(error_of([] { parse_noise_json(R"({"idle_noise": {"type": "kraus", "operators": [[1, 0, 0, 0.5]]}})", "f.json"); })
                .find("f.json: idle_noise: kraus: the Kraus operators are not trace preserving"),
            std::string::npos);
}

TEST(NoiseSpec, PresetsAreDefinedAndUsableInSpecs) {
  for (const std::string& name : noise_preset_names()) EXPECT_NO_THROW(noise_preset(name)) << name;
  const NoiseModel ibm = parse_noise_spec("ibm-like");
  EXPECT_EQ(ibm.gate_rules().size(), 4U);
  EXPECT_EQ(ibm.readout_error(0).p0_given_1, 0.03);
  EXPECT_TRUE(noise_preset("ideal").is_noiseless());
  EXPECT_TRUE(noise_preset("ion-like").idle_noise());
  EXPECT_NE(error_of([] { noise_preset("ibm"); }).find("presets: ideal, ibm-like, ion-like"), std::string::npos);
}

}  // namespace
}  // namespace qnn
