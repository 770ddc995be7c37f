#pragma once
// Noise models written down: a compact spec for the command line, a JSON file, and named presets.
//
// Compact spec (terms joined by '+'):
//   TERM    := PRESET | CHANNEL[':' ARGS] | 'readout:' ARGS
//   ARGS    := VALUE (',' VALUE)* | KEY '=' VALUE (',' KEY '=' VALUE)*
// A channel term adds the channel after every gate (a 1-qubit channel on each qubit a gate touches; a 2-qubit one
// after every 2-qubit gate). Channels and their parameters, positional in this order:
//   depolarizing p | depolarizing2 p | bit_flip p | phase_flip p | bit_phase_flip p | pauli px,py,pz |
//   amplitude_damping gamma | generalized_amplitude_damping gamma,p_exc | phase_damping lambda |
//   thermal T1,T2,t (alias thermal_relaxation)
//   readout p (both directions) or readout:p1_given_0=…,p0_given_1=…
// e.g. `depolarizing:0.01`, `amplitude_damping:0.02+readout:0.03`, `thermal:T1=50e-6,T2=70e-6,t=50e-9`, `ibm-like`.
//
// JSON file:
//   { "name": "my-device",
//     "gate_noise": [ { "gates": ["cx"], "qubits": [0, 1], "gate_qubits": 2,           (all three optional)
//                       "channel": { "type": "depolarizing2", "p": 0.01 } },
//                     { "channel": { "type": "kraus", "qubits": 1,
//                                    "operators": [ [1, 0, 0, 0.8], [0, 0.6, 0, 0] ] } } ],   (entries: re or [re, im])
//     "idle_noise": { "type": "phase_damping", "lambda": 0.001 },
//     "readout": { "p1_given_0": 0.01, "p0_given_1": 0.03 }     (or a list, one object per qubit) }
// Malformed JSON is a ParseError `file:line:column: …`; a bad value is a ValueError naming its place
// (`file: gate_noise[0].channel: depolarizing: p = 1.5 is outside [0, 1]`).
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "qnn/noise/channel.hpp"
#include "qnn/noise/noise_model.hpp"

namespace qnn {

/// A channel by name from named or positional parameters (an empty key is positional), as the spec and JSON forms
/// give them. Throws ValueError for an unknown channel (listing the known ones) or a missing/unknown parameter.
Channel make_channel(const std::string& name, const std::vector<std::pair<std::string, double>>& args);

/// Parses the compact spec. Throws ValueError naming the bad term.
NoiseModel parse_noise_spec(std::string_view spec);

/// Parses a JSON noise model; `file_name` prefixes the messages.
NoiseModel parse_noise_json(std::string_view text, std::string_view file_name = "<input>");

/// A path to a JSON file (ends in .json or names an existing file) or a compact spec. IoError for an unreadable file.
NoiseModel load_noise_model(const std::string& spec_or_file);

/// Named presets: "ideal", "ibm-like", "ion-like" (their parameters are in docs/noise.md and noise_preset's source).
std::vector<std::string> noise_preset_names();
/// Throws ValueError for an unknown name.
NoiseModel noise_preset(std::string_view name);

}  // namespace qnn
