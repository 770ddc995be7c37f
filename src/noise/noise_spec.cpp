#include "qnn/noise/noise_spec.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

#include <nlohmann/json.hpp>

#include "qnn/core/error.hpp"

namespace qnn {

namespace {

using json = nlohmann::json;
using Args = std::vector<std::pair<std::string, double>>;

struct ChannelSignature {
  const char* name;
  std::vector<const char*> params;
};

// Each channel's parameter names in positional order (the spec grammar in noise_spec.hpp).
const std::vector<ChannelSignature>& signatures() {
  static const std::vector<ChannelSignature> s{
      {"depolarizing", {"p"}},
      {"depolarizing2", {"p"}},
      {"bit_flip", {"p"}},
      {"phase_flip", {"p"}},
      {"bit_phase_flip", {"p"}},
      {"pauli", {"px", "py", "pz"}},
      {"amplitude_damping", {"gamma"}},
      {"generalized_amplitude_damping", {"gamma", "p_exc"}},
      {"phase_damping", {"lambda"}},
      {"thermal_relaxation", {"T1", "T2", "t"}},
  };
  return s;
}

std::string canonical_name(std::string name) {
  if (name == "depolarising") return "depolarizing";
  if (name == "depolarising2") return "depolarizing2";
  if (name == "thermal") return "thermal_relaxation";
  return name;
}

std::string known_channels() {
  std::string s;
  for (const auto& sig : signatures()) s += (s.empty() ? "" : ", ") + std::string(sig.name);
  return s + ", kraus (JSON only)";
}

std::pair<std::size_t, std::size_t> line_column(std::string_view text, std::size_t offset) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

double parse_number(std::string_view v, const std::string& context) {
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  double x = 0;
  const auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
  if (v.empty() || ec != std::errc() || ptr != v.data() + v.size() || !std::isfinite(x)) {
    throw ValueError(context + ": '" + std::string(v) + "' is not a finite number");
  }
  return x;
}

// "0.01" or "a=1,b=2" or "1,2,3".
Args parse_args(std::string_view text, const std::string& context) {
  Args args;
  if (text.empty()) return args;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, end - start);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      args.emplace_back("", parse_number(item, context));
    } else {
      args.emplace_back(std::string(item.substr(0, eq)), parse_number(item.substr(eq + 1), context));
    }
    start = end + 1;
  }
  return args;
}

// Positional or named arguments → values in the signature's order.
std::vector<double> bind_args(const ChannelSignature& sig, const Args& args) {
  const std::string name = sig.name;
  std::vector<std::optional<double>> v(sig.params.size());
  std::size_t positional = 0;
  for (const auto& [key, value] : args) {
    std::size_t slot = 0;
    if (key.empty()) {
      slot = positional++;
      if (slot >= v.size()) {
        throw ValueError(name + ": takes " + std::to_string(v.size()) + " parameter(s), got more");
      }
    } else {
      // A named copy: Clang 14 cannot capture a structured binding in a lambda (the fuzz build uses Clang).
      const std::string& wanted = key;
      auto it = std::find_if(sig.params.begin(), sig.params.end(), [&](const char* p) { return wanted == p; });
      if (it == sig.params.end()) {
        std::string allowed;
        for (const char* p : sig.params) allowed += (allowed.empty() ? "" : ", ") + std::string(p);
        throw ValueError(name + ": unknown parameter '" + key + "' (parameters: " + allowed + ")");
      }
      slot = static_cast<std::size_t>(it - sig.params.begin());
    }
    if (v[slot]) throw ValueError(name + ": parameter '" + sig.params[slot] + "' given twice");
    v[slot] = value;
  }
  std::vector<double> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!v[i]) throw ValueError(name + ": missing parameter '" + sig.params[i] + "'");
    out.push_back(*v[i]);
  }
  return out;
}

// A channel term's rule: 2-qubit channels follow 2-qubit gates; 1-qubit channels every gate, per qubit.
void add_channel_rule(NoiseModel& m, Channel ch) {
  const unsigned k = ch.num_qubits();
  m.add_gate_noise(std::move(ch), GateSelector{.gate_qubits = k == 1 ? 0U : k});
}

ReadoutError readout_from_args(const Args& args) {
  if (args.size() == 1 && args[0].first.empty()) return {args[0].second, args[0].second};
  ReadoutError e;
  bool seen[2] = {false, false};
  for (const auto& [key, value] : args) {
    if (key == "p1_given_0" || key == "p10") {
      e.p1_given_0 = value;
      seen[0] = true;
    } else if (key == "p0_given_1" || key == "p01") {
      e.p0_given_1 = value;
      seen[1] = true;
    } else {
      throw ValueError("readout: expected one probability or p1_given_0=…,p0_given_1=…, got '" + key + "'");
    }
  }
  if (!seen[0] && !seen[1]) throw ValueError("readout: missing probabilities");
  return e;
}

// ---- JSON -----------------------------------------------------------------------------------------------------------

std::string kind_name(const json& j) {
  switch (j.type()) {
    case json::value_t::object: return "an object";
    case json::value_t::array: return "a list";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::null: return "null";
    default: return "a number";
  }
}

double json_number(const json& j, const std::string& where) {
  if (!j.is_number()) throw ValueError(where + ": expected a number, got " + kind_name(j));
  return j.get<double>();
}

void check_keys(const json& j, const std::string& where, std::initializer_list<const char*> allowed) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (std::none_of(allowed.begin(), allowed.end(), [&](const char* a) { return it.key() == a; })) {
      std::string list;
      for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      throw ValueError(where + ": unknown key '" + it.key() + "' (allowed: " + list + ")");
    }
  }
}

Channel channel_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) throw ValueError(where + ": expected an object, got " + kind_name(j));
  if (!j.contains("type") || !j["type"].is_string()) throw ValueError(where + ": needs \"type\": \"CHANNEL\"");
  const std::string type = canonical_name(j["type"].get<std::string>());
  try {
    if (type == "kraus") {
      check_keys(j, where, {"type", "qubits", "operators", "name"});
      const unsigned k = j.contains("qubits") ? static_cast<unsigned>(json_number(j["qubits"], where + ".qubits")) : 1;
      if (!j.contains("operators") || !j["operators"].is_array()) {
        throw ValueError(where + ": a kraus channel needs \"operators\": a list of row-major matrices");
      }
      std::vector<std::vector<cplx>> ops;
      for (std::size_t i = 0; i < j["operators"].size(); ++i) {
        const json& m = j["operators"][i];
        const std::string mw = where + ".operators[" + std::to_string(i) + "]";
        if (!m.is_array()) throw ValueError(mw + ": expected a list of entries, got " + kind_name(m));
        std::vector<cplx> op;
        for (std::size_t e = 0; e < m.size(); ++e) {
          const json& z = m[e];
          const std::string ew = mw + "[" + std::to_string(e) + "]";
          if (z.is_array()) {
            if (z.size() != 2) throw ValueError(ew + ": a complex entry is [re, im]");
            op.emplace_back(json_number(z[0], ew), json_number(z[1], ew));
          } else {
            op.emplace_back(json_number(z, ew), 0.0);
          }
        }
        ops.push_back(std::move(op));
      }
      return kraus_channel(k, std::move(ops), j.contains("name") && j["name"].is_string() ? j["name"].get<std::string>() : "kraus");
    }
    Args args;
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.key() == "type") continue;
      args.emplace_back(it.key(), json_number(it.value(), where + "." + it.key()));
    }
    return make_channel(type, args);
  } catch (const ParseError&) {
    throw;
  } catch (const ValueError& e) {
    const std::string what = e.what();
    if (what.rfind(where, 0) == 0) throw;
    throw ValueError(where + ": " + what);
  }
}

std::vector<unsigned> json_qubits(const json& j, const std::string& where) {
  if (!j.is_array()) throw ValueError(where + ": expected a list of qubit indices, got " + kind_name(j));
  std::vector<unsigned> q;
  for (const json& v : j) {
    if (!v.is_number_integer() || v.get<long long>() < 0) throw ValueError(where + ": qubits are integers >= 0");
    q.push_back(v.get<unsigned>());
  }
  return q;
}

ReadoutError readout_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) throw ValueError(where + ": expected an object, got " + kind_name(j));
  check_keys(j, where, {"p1_given_0", "p0_given_1"});
  ReadoutError e;
  if (j.contains("p1_given_0")) e.p1_given_0 = json_number(j["p1_given_0"], where + ".p1_given_0");
  if (j.contains("p0_given_1")) e.p0_given_1 = json_number(j["p0_given_1"], where + ".p0_given_1");
  return e;
}

}  // namespace

Channel make_channel(const std::string& raw_name, const std::vector<std::pair<std::string, double>>& args) {
  const std::string name = canonical_name(raw_name);
  const auto& sigs = signatures();
  auto it = std::find_if(sigs.begin(), sigs.end(), [&](const ChannelSignature& s) { return name == s.name; });
  if (it == sigs.end()) throw ValueError("unknown channel '" + raw_name + "' (channels: " + known_channels() + ")");
  const std::vector<double> v = bind_args(*it, args);
  if (name == "depolarizing") return depolarizing(v[0]);
  if (name == "depolarizing2") return depolarizing2(v[0]);
  if (name == "bit_flip") return bit_flip(v[0]);
  if (name == "phase_flip") return phase_flip(v[0]);
  if (name == "bit_phase_flip") return bit_phase_flip(v[0]);
  if (name == "pauli") return pauli_channel(v[0], v[1], v[2]);
  if (name == "amplitude_damping") return amplitude_damping(v[0]);
  if (name == "generalized_amplitude_damping") return generalized_amplitude_damping(v[0], v[1]);
  if (name == "phase_damping") return phase_damping(v[0]);
  return thermal_relaxation(v[0], v[1], v[2]);
}

NoiseModel parse_noise_spec(std::string_view spec) {
  if (spec.empty()) throw ValueError("empty noise spec (try depolarizing:0.01 or " + noise_preset_names()[1] + ")");
  NoiseModel m;
  m.name = std::string(spec);
  // Terms are joined by '+'; a '+' followed by a digit or sign belongs to a number's exponent (1e+3).
  std::size_t start = 0;
  while (start <= spec.size()) {
    std::size_t end = start;
    while (end < spec.size() && !(spec[end] == '+' && end + 1 < spec.size() && std::isalpha(static_cast<unsigned char>(spec[end + 1])))) {
      ++end;
    }
    const std::string term(spec.substr(start, end - start));
    start = end + 1;
    if (term.empty()) throw ValueError("noise spec '" + std::string(spec) + "': empty term");
    const std::size_t colon = term.find(':');
    const std::string head = term.substr(0, colon);
    const std::string_view rest = colon == std::string::npos ? std::string_view{} : std::string_view(term).substr(colon + 1);
    const auto presets = noise_preset_names();
    if (colon == std::string::npos && std::find(presets.begin(), presets.end(), head) != presets.end()) {
      const NoiseModel p = noise_preset(head);
      for (const GateNoiseRule& r : p.gate_rules()) m.add_gate_noise(*r.channel, r.selector);
      if (p.idle_noise()) m.set_idle_noise(*p.idle_noise());
      if (p.has_readout_error()) m.set_readout_error(p.readout_error(0));
      continue;
    }
    if (head == "readout") {
      m.set_readout_error(readout_from_args(parse_args(rest, "readout")));
      continue;
    }
    if (colon == std::string::npos) {
      throw ValueError("noise spec term '" + term + "' is neither a preset (" + presets[0] + ", " + presets[1] + ", " +
                       presets[2] + ") nor CHANNEL:PARAMETERS");
    }
    add_channel_rule(m, make_channel(head, parse_args(rest, head)));
  }
  return m;
}

NoiseModel parse_noise_json(std::string_view text, std::string_view file_name) {
  const std::string file(file_name);
  json j;
  try {
    j = json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    const auto [line, col] = line_column(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    const auto colon = what.find(": ");
    throw ParseError(file, line, col, "malformed JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2)));
  } catch (const json::exception& e) {
    throw ParseError(file, 1, 1, std::string("malformed JSON: ") + e.what());
  }
  if (!j.is_object()) throw ValueError(file + ": a noise model is a JSON object, got " + kind_name(j));
  check_keys(j, file, {"name", "gate_noise", "idle_noise", "readout", "description"});
  NoiseModel m;
  m.name = j.contains("name") && j["name"].is_string() ? j["name"].get<std::string>() : file;
  if (j.contains("gate_noise")) {
    const json& rules = j["gate_noise"];
    if (!rules.is_array()) throw ValueError(file + ": gate_noise: expected a list, got " + kind_name(rules));
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const std::string where = file + ": gate_noise[" + std::to_string(i) + "]";
      const json& r = rules[i];
      if (!r.is_object()) throw ValueError(where + ": expected an object, got " + kind_name(r));
      check_keys(r, where, {"gates", "qubits", "gate_qubits", "channel"});
      if (!r.contains("channel")) throw ValueError(where + ": needs a \"channel\"");
      GateSelector s;
      if (r.contains("gates")) {
        if (!r["gates"].is_array()) throw ValueError(where + ".gates: expected a list of gate names");
        for (const json& g : r["gates"]) {
          const std::string gname = g.is_string() ? g.get<std::string>() : "";
          const GateInfo* info = find_gate(gname);
          if (info == nullptr) throw ValueError(where + ".gates: unknown gate '" + gname + "' (see `qnn gates`)");
          s.gates.push_back(info->kind);
        }
      }
      if (r.contains("qubits")) s.qubits = json_qubits(r["qubits"], where + ".qubits");
      if (r.contains("gate_qubits")) s.gate_qubits = static_cast<unsigned>(json_number(r["gate_qubits"], where + ".gate_qubits"));
      Channel ch = channel_from_json(r["channel"], where + ".channel");
      try {
        m.add_gate_noise(std::move(ch), std::move(s));
      } catch (const ValueError& e) {
        throw ValueError(where + ": " + e.what());
      }
    }
  }
  if (j.contains("idle_noise")) {
    Channel ch = channel_from_json(j["idle_noise"], file + ": idle_noise");
    try {
      m.set_idle_noise(std::move(ch));
    } catch (const ValueError& e) {
      throw ValueError(file + ": idle_noise: " + e.what());
    }
  }
  if (j.contains("readout")) {
    const json& r = j["readout"];
    try {
      if (r.is_array()) {
        for (std::size_t q = 0; q < r.size(); ++q) {
          m.set_readout_error(static_cast<unsigned>(q), readout_from_json(r[q], file + ": readout[" + std::to_string(q) + "]"));
        }
      } else {
        m.set_readout_error(readout_from_json(r, file + ": readout"));
      }
    } catch (const ValueError& e) {
      const std::string what = e.what();
      if (what.rfind(file + ": ", 0) == 0) throw;
      throw ValueError(file + ": " + what);
    }
  }
  return m;
}

NoiseModel load_noise_model(const std::string& spec_or_file) {
  const std::filesystem::path path(spec_or_file);
  std::error_code ec;
  const bool is_file = path.extension() == ".json" || std::filesystem::is_regular_file(path, ec);
  if (!is_file) return parse_noise_spec(spec_or_file);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read noise model " + spec_or_file + ": " + std::generic_category().message(errno));
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_noise_json(ss.str(), spec_or_file);
}

std::vector<std::string> noise_preset_names() { return {"ideal", "ibm-like", "ion-like"}; }

NoiseModel noise_preset(std::string_view name) {
  NoiseModel m;
  m.name = std::string(name);
  if (name == "ideal") return m;
  if (name == "ibm-like") {
    // A superconducting transmon device of the 2020s: T1 = 100 µs, T2 = 80 µs, 35 ns single-qubit gates with 0.1 %
    // depolarising error, 300 ns two-qubit gates with 1 % two-qubit depolarising error, 1 % / 3 % readout error
    // (decay during readout makes reading 0 for a 1 the likelier mistake).
    m.add_gate_noise(depolarizing(1e-3), {.gate_qubits = 1});
    m.add_gate_noise(thermal_relaxation(100e-6, 80e-6, 35e-9), {.gate_qubits = 1});
    m.add_gate_noise(depolarizing2(1e-2), {.gate_qubits = 2});
    m.add_gate_noise(thermal_relaxation(100e-6, 80e-6, 300e-9), {.gate_qubits = 2});
    m.set_readout_error({.p1_given_0 = 0.01, .p0_given_1 = 0.03});
    return m;
  }
  if (name == "ion-like") {
    // A trapped-ion device: long coherence (relaxation negligible per gate), 0.02 % single-qubit and 0.5 % two-qubit
    // (Mølmer–Sørensen) depolarising error, slow gates dominated by dephasing (0.01 % phase damping per gate on every
    // idle qubit), 0.3 % symmetric readout error.
    m.add_gate_noise(depolarizing(2e-4), {.gate_qubits = 1});
    m.add_gate_noise(depolarizing2(5e-3), {.gate_qubits = 2});
    m.set_idle_noise(phase_damping(1e-4));
    m.set_readout_error({.p1_given_0 = 0.003, .p0_given_1 = 0.003});
    return m;
  }
  std::string list;
  for (const auto& n : noise_preset_names()) list += (list.empty() ? "" : ", ") + n;
  throw ValueError("unknown noise preset '" + std::string(name) + "' (presets: " + list + ")");
}

}  // namespace qnn
