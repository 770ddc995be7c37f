#pragma once
// --noise and --mitigate, shared by train, eval and run: a model's readout (or a circuit's expectation) is
// evaluated (and differentiated) on the noisy density matrix instead of the exact state vector.
#include <algorithm>
#include <exception>
#include <string>

#include <CLI/CLI.hpp>

#include "qnn/ml/classifier.hpp"
#include "qnn/noise/noise_spec.hpp"
#include "qnn/noise/noisy_readout.hpp"

namespace qnn::cli {

struct NoiseArgs {
  std::string noise;             // spec or JSON file; empty: none
  std::string mitigate = "none";
  std::string zne_scales = "1,3,5";
  std::string extrapolation = "richardson";
  std::string folding = "global";
};

inline void add_noise_options(CLI::App* cmd, NoiseArgs& a) {
  cmd->add_option("--noise", a.noise,
                  "noise model: a spec (depolarizing:0.01, amplitude_damping:0.02+readout:0.03, ibm-like, …) or a "
                  "JSON file; the readout is evaluated on the density matrix");
  cmd->add_option("--mitigate", a.mitigate, "error mitigation under --noise: none, zne, readout or zne,readout")
      ->capture_default_str();
  cmd->add_option("--zne-scales", a.zne_scales, "noise scale factors of zero-noise extrapolation (each ≥ 1)")
      ->capture_default_str();
  cmd->add_option("--extrapolation", a.extrapolation, "ZNE extrapolation: linear, polynomial, richardson, exponential")
      ->capture_default_str();
  cmd->add_option("--folding", a.folding, "ZNE folding: global, gates-left, gates-right")->capture_default_str();
}

inline Mitigation mitigation_from(const NoiseArgs& a) {
  Mitigation m = parse_mitigation(a.mitigate);
  m.zne_options.extrapolator = parse_extrapolator(a.extrapolation);
  m.zne_options.folding = parse_folding(a.folding);
  m.zne_options.scale_factors.clear();
  std::size_t start = 0;
  while (start <= a.zne_scales.size()) {
    const std::size_t end = std::min(a.zne_scales.find(',', start), a.zne_scales.size());
    const std::string item = a.zne_scales.substr(start, end - start);
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size()) throw ValueError("--zne-scales: '" + item + "' is not a number");
    m.zne_options.scale_factors.push_back(v);
    start = end + 1;
  }
  return m;
}

/// Plugs the noisy readout into `model` when --noise is given; returns a one-line description ("" without noise).
/// --mitigate without --noise is a usage error; ZNE of a model without gate noise a runtime one.
inline std::string use_noise(QuantumClassifier& model, const NoiseArgs& a) {
  if (a.noise.empty()) {
    if (a.mitigate != "none") throw CLI::ValidationError("--mitigate", "needs --noise MODEL (nothing to mitigate)");
    return "";
  }
  NoiseModel noise = load_noise_model(a.noise);
  if (noise.name.empty()) noise.name = a.noise;
  const Mitigation m = mitigation_from(a);
  const std::string name = noise.name;
  model.set_readout_backend(model.config().precision == Precision::Single ? noisy_readout<float>(std::move(noise), m)
                                                                           : noisy_readout<double>(std::move(noise), m));
  std::string text = "noise: " + name + " (density matrix)";
  if (m.zne || m.readout) {
    text += ", mitigation:";
    if (m.zne) text += " zne (" + a.extrapolation + ", " + a.folding + " folding, scales " + a.zne_scales + ")";
    if (m.readout) text += std::string(m.zne ? " +" : "") + " readout inversion";
  }
  return text;
}

}  // namespace qnn::cli
