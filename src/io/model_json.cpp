#include "qnn/io/model_json.hpp"

#include <cmath>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "qnn/core/error.hpp"
#include "qnn/io/atomic_file.hpp"

namespace qnn {

using nlohmann::json;

namespace {
constexpr const char* kFormat = "qnn-model";
constexpr int kVersion = 1;

// Line and column (1-based) of a byte offset, for JSON parse errors.
std::pair<std::size_t, std::size_t> line_column(const std::string& text, std::size_t byte) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < std::min(byte, text.size()); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

template <class T>
T field(const json& j, const char* name, const std::string& source) {
  if (!j.contains(name)) throw ValueError(source + ": model is missing the field '" + name + "'");
  // nlohmann converts −1 or 2.5 to an unsigned silently (−1 → 4294967295 layers would exhaust memory).
  if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T>) {
    if (!j.at(name).is_number_unsigned()) {
      throw ValueError(source + ": model field '" + name + "' has the wrong type (expected a non-negative integer)");
    }
  }
  try {
    return j.at(name).get<T>();
  } catch (const json::exception&) {
    throw ValueError(source + ": model field '" + name + "' has the wrong type");
  }
}
}  // namespace

std::string model_to_json(const SavedModel& m) {
  const ClassifierConfig& c = m.model.config();
  json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["kind"] = "quantum_classifier";
  j["config"] = {{"qubits", c.qubits},
                 {"layers", c.layers},
                 {"num_features", c.num_features},
                 {"num_classes", c.num_classes},
                 {"encoding", std::string(1, static_cast<char>(c.encoding))},
                 {"ansatz", "strongly_entangling"},
                 {"readout", "Z per class, logits = scale * <Z_k> + bias"}};
  j["class_names"] = m.class_names;
  j["feature_names"] = m.feature_names;
  j["standardizer"] = {{"mean", m.model.standardizer().mean}, {"scale", m.model.standardizer().scale}};
  j["circuit_weights"] = m.model.num_circuit_weights();
  j["weights"] = m.model.weights();
  j["training"] = {{"data", m.training.data},
                   {"seed", m.training.seed},
                   {"test_fraction", m.training.test_fraction},
                   {"epochs", m.training.epochs},
                   {"batch_size", m.training.batch_size},
                   {"learning_rate", m.training.learning_rate}};
  return j.dump(2) + "\n";
}

SavedModel model_from_json(const std::string& text, const std::string& source) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    const auto [line, col] = line_column(text, e.byte > 0 ? e.byte - 1 : 0);
    std::string what = e.what();
    // nlohmann's message is "[json.exception.parse_error.101] parse error at line L, column C: reason"
    const auto colon = what.find(": ");
    throw ParseError(source, line, col, "malformed JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2)));
  } catch (const json::exception& e) {
    // A number too large for a double (1e999) is out_of_range.406 "number overflow parsing '1e999'", with no position:
    // locate the literal's first occurrence.
    std::string what = e.what();
    const auto bracket = what.find("] ");
    if (bracket != std::string::npos) what = what.substr(bracket + 2);
    std::size_t line = 0, col = 0;
    const auto q1 = what.find('\''), q2 = what.rfind('\'');
    if (q1 != std::string::npos && q2 > q1 + 1) {
      const auto at = text.find(what.substr(q1 + 1, q2 - q1 - 1));
      if (at != std::string::npos) std::tie(line, col) = line_column(text, at);
    }
    throw ParseError(source, line, col, "malformed JSON: " + what);
  }
  if (!j.is_object() || !j.contains("format") || j.at("format") != json(kFormat)) {
    throw ValueError(source + ": not a qnn model file (no \"format\": \"qnn-model\")");
  }
  if (field<int>(j, "version", source) != kVersion) {
    throw ValueError(source + ": unsupported model version " + std::to_string(j["version"].get<int>()));
  }
  const json& jc = j.contains("config") ? j["config"] : json::object();
  ClassifierConfig c;
  c.qubits = field<unsigned>(jc, "qubits", source);
  c.layers = field<unsigned>(jc, "layers", source);
  c.num_features = field<unsigned>(jc, "num_features", source);
  c.num_classes = field<unsigned>(jc, "num_classes", source);
  const auto enc = field<std::string>(jc, "encoding", source);
  if (enc.size() != 1 || std::string_view("XYZxyz").find(enc[0]) == std::string_view::npos) {
    throw ValueError(source + ": model field 'encoding' must be X, Y or Z");
  }
  c.encoding = parse_rotation_axis(enc[0]);
  if (c.qubits > 30) throw ValueError(source + ": model has " + std::to_string(c.qubits) + " qubits (at most 30)");

  // Every size is checked against the arrays in the file before the circuit is built, so a corrupt architecture
  // (say 4e9 layers or features) is an error naming the field, not an allocation of the corrupt size.
  std::vector<double> weights = field<std::vector<double>>(j, "weights", source);
  const std::uint64_t needed = 3ULL * c.qubits * c.layers + 2ULL * c.num_classes;
  if (weights.size() != needed) {
    throw ValueError(source + ": model field 'weights' has " + std::to_string(weights.size()) + " values, the " +
                     "architecture (" + std::to_string(c.qubits) + " qubits, " + std::to_string(c.layers) +
                     " layers, " + std::to_string(c.num_classes) + " classes) needs " + std::to_string(needed));
  }
  const json& js = j.contains("standardizer") ? j["standardizer"] : json::object();
  Standardizer st;
  st.mean = field<std::vector<double>>(js, "mean", source);
  st.scale = field<std::vector<double>>(js, "scale", source);
  for (double s : st.scale)
    if (!(s > 0) || !std::isfinite(s)) throw ValueError(source + ": standardizer scales must be positive");
  if (st.mean.size() != c.num_features || st.scale.size() != c.num_features) {
    throw ValueError(source + ": standardizer mean/scale do not match num_features");
  }
  auto class_names = field<std::vector<std::string>>(j, "class_names", source);
  auto feature_names = field<std::vector<std::string>>(j, "feature_names", source);
  if (class_names.size() != c.num_classes) throw ValueError(source + ": class_names does not match num_classes");
  if (feature_names.size() != c.num_features) throw ValueError(source + ": feature_names does not match num_features");
  std::optional<SavedModel> built;
  try {
    built.emplace(SavedModel{QuantumClassifier(c, 0), std::move(class_names), std::move(feature_names), {}});
    built->model.set_weights(std::move(weights));
    built->model.set_standardizer(std::move(st));
  } catch (const ValueError& e) {  // the classifier's own checks (classes vs qubits, finite weights) lack the file name
    throw ValueError(source + ": " + e.what());
  }
  SavedModel& m = *built;
  if (j.contains("training")) {
    const json& jt = j["training"];
    m.training.data = field<std::string>(jt, "data", source);
    m.training.seed = field<std::uint64_t>(jt, "seed", source);
    m.training.test_fraction = field<double>(jt, "test_fraction", source);
    m.training.epochs = field<unsigned>(jt, "epochs", source);
    m.training.batch_size = field<unsigned>(jt, "batch_size", source);
    m.training.learning_rate = field<double>(jt, "learning_rate", source);
  }
  return std::move(*built);
}

void save_model(const std::filesystem::path& path, const SavedModel& m) { write_file_atomic(path, model_to_json(m)); }

SavedModel load_model(const std::filesystem::path& path) { return model_from_json(read_file(path), path.string()); }

}  // namespace qnn
