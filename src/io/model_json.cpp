#include "qnn/io/model_json.hpp"

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
  }
  if (!j.is_object() || j.value("format", "") != kFormat) {
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
  if (enc.size() != 1) throw ValueError(source + ": model field 'encoding' must be X, Y or Z");
  c.encoding = parse_rotation_axis(enc[0]);
  if (c.qubits > 30) throw ValueError(source + ": model has " + std::to_string(c.qubits) + " qubits (at most 30)");

  SavedModel m{QuantumClassifier(c, 0), {}, {}, {}};
  m.model.set_weights(field<std::vector<double>>(j, "weights", source));
  const json& js = j.contains("standardizer") ? j["standardizer"] : json::object();
  Standardizer st;
  st.mean = field<std::vector<double>>(js, "mean", source);
  st.scale = field<std::vector<double>>(js, "scale", source);
  for (double s : st.scale)
    if (!(s > 0) || !std::isfinite(s)) throw ValueError(source + ": standardizer scales must be positive");
  m.model.set_standardizer(std::move(st));
  m.class_names = field<std::vector<std::string>>(j, "class_names", source);
  m.feature_names = field<std::vector<std::string>>(j, "feature_names", source);
  if (m.class_names.size() != c.num_classes) throw ValueError(source + ": class_names does not match num_classes");
  if (m.feature_names.size() != c.num_features) throw ValueError(source + ": feature_names does not match num_features");
  if (j.contains("training")) {
    const json& jt = j["training"];
    m.training.data = field<std::string>(jt, "data", source);
    m.training.seed = field<std::uint64_t>(jt, "seed", source);
    m.training.test_fraction = field<double>(jt, "test_fraction", source);
    m.training.epochs = field<unsigned>(jt, "epochs", source);
    m.training.batch_size = field<unsigned>(jt, "batch_size", source);
    m.training.learning_rate = field<double>(jt, "learning_rate", source);
  }
  return m;
}

void save_model(const std::filesystem::path& path, const SavedModel& m) { write_file_atomic(path, model_to_json(m)); }

SavedModel load_model(const std::filesystem::path& path) { return model_from_json(read_file(path), path.string()); }

}  // namespace qnn
