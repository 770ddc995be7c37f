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
// Version 1: the original model (angle encoding about one axis, strongly entangling layers, Z per class). Version 2:
// every piece of the configurable model (encoding, re-uploading, ansatz, readout, PCA, dense layers, loss, precision).
constexpr int kVersion = 2;

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
  if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T> && !std::is_same_v<T, bool>) {
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

json layers_json(const std::vector<DenseLayerSpec>& layers) {
  json a = json::array();
  for (const DenseLayerSpec& l : layers) a.push_back({{"units", l.units}, {"activation", activation_name(l.activation)}});
  return a;
}

const char* scaling_name(ReuploadScaling s) {
  return s == ReuploadScaling::None ? "none" : s == ReuploadScaling::Scale ? "scale" : "affine";
}

const char* pairs_name(FeaturePairs p) {
  return p == FeaturePairs::Linear ? "linear" : p == FeaturePairs::Circular ? "circular" : "full";
}
}  // namespace

std::string model_to_json(const SavedModel& m) {
  const ClassifierConfig& c = m.model.config();
  json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["kind"] = "quantum_classifier";
  j["config"] = {
      {"qubits", c.qubits},
      {"layers", c.layers},
      {"num_features", c.num_features},
      {"num_classes", c.num_classes},
      {"precision", c.precision == Precision::Single ? "single" : "double"},
      // A single letter X, Y or Z is the original angle encoding (extra features wrap around the qubits).
      {"encoding",
       {{"name", c.encoding_name.empty() ? std::string(1, static_cast<char>(c.encoding)) : c.encoding_name},
        {"reps", c.encoding_reps},
        {"pairs", pairs_name(c.encoding_pairs)},
        {"reupload", c.reupload},
        {"reupload_scaling", scaling_name(c.reupload_scaling)}}},
      {"ansatz", {{"name", c.ansatz}, {"rotation", std::string(rotation_block_name(c.rotation))}}},
      {"readout", {{"kind", readout_name(c.readout)}, {"pauli", c.pauli_readout}}},
      {"pca_components", c.pca_components},
      {"hidden", layers_json(c.hidden)},
      {"head", layers_json(c.head)},
      {"loss", loss_name(c.loss)}};
  j["class_names"] = m.class_names;
  j["feature_names"] = m.feature_names;
  j["standardizer"] = {{"mean", m.model.standardizer().mean}, {"scale", m.model.standardizer().scale}};
  if (c.pca_components > 0) {
    const Pca& p = m.model.pca();
    j["pca"] = {{"mean", p.mean},
                {"components", p.components},
                {"explained_variance", p.explained_variance},
                {"explained_variance_ratio", p.explained_variance_ratio}};
  }
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
  if (!j.contains("version") || !j.at("version").is_number_integer()) {
    throw ValueError(source + ": model field 'version' must be an integer");
  }
  const auto v = j.at("version").get<long long>();
  if (v > kVersion) {
    throw ValueError(source + ": model format version " + std::to_string(v) + " is newer than this qnn reads (up to " +
                     std::to_string(kVersion) + "); update qnn");
  }
  if (v < 1) throw ValueError(source + ": unsupported model format version " + std::to_string(v));
  const json& jc = j.contains("config") ? j["config"] : json::object();
  ClassifierConfig c;
  c.qubits = field<unsigned>(jc, "qubits", source);
  c.layers = field<unsigned>(jc, "layers", source);
  c.num_features = field<unsigned>(jc, "num_features", source);
  c.num_classes = field<unsigned>(jc, "num_classes", source);
  if (c.qubits > 30) throw ValueError(source + ": model has " + std::to_string(c.qubits) + " qubits (at most 30)");
  if (c.layers > 100000) throw ValueError(source + ": model has " + std::to_string(c.layers) + " layers (at most 100000)");
  std::string enc;
  try {
    if (v == 1) {
      enc = field<std::string>(jc, "encoding", source);
    } else {
      const json& je = jc.contains("encoding") ? jc["encoding"] : json::object();
      enc = field<std::string>(je, "name", source);
      c.encoding_reps = field<unsigned>(je, "reps", source);
      c.encoding_pairs = parse_feature_pairs(field<std::string>(je, "pairs", source));
      c.reupload = field<bool>(je, "reupload", source);
      const auto sc = field<std::string>(je, "reupload_scaling", source);
      if (sc != "none" && sc != "scale" && sc != "affine") {
        throw ValueError("model field 'reupload_scaling' must be none, scale or affine, got '" + sc + "'");
      }
      c.reupload_scaling = sc == "none" ? ReuploadScaling::None : sc == "scale" ? ReuploadScaling::Scale
                                                                               : ReuploadScaling::Affine;
      const json& ja = jc.contains("ansatz") ? jc["ansatz"] : json::object();
      c.ansatz = field<std::string>(ja, "name", source);
      (void)make_ansatz(c.ansatz);
      c.rotation = parse_rotation_block(field<std::string>(ja, "rotation", source));
      const json& jr = jc.contains("readout") ? jc["readout"] : json::object();
      c.readout = parse_readout(field<std::string>(jr, "kind", source));
      c.pauli_readout = field<std::vector<std::string>>(jr, "pauli", source);
      c.pca_components = field<unsigned>(jc, "pca_components", source);
      for (const char* part : {"hidden", "head"}) {
        std::vector<DenseLayerSpec> layers;
        const json& jl = jc.contains(part) ? jc[part] : json();
        if (!jl.is_array()) throw ValueError(std::string("model field '") + part + "' must be an array of layers");
        for (const json& l : jl) {
          DenseLayerSpec d;
          d.units = field<unsigned>(l, "units", source);
          if (d.units == 0 || d.units > 65536) throw ValueError("dense layer units must be 1 to 65536");
          d.activation = parse_activation(field<std::string>(l, "activation", source));
          layers.push_back(d);
        }
        (std::string_view(part) == "hidden" ? c.hidden : c.head) = std::move(layers);
      }
      c.loss = parse_loss(field<std::string>(jc, "loss", source));
      const auto precision = field<std::string>(jc, "precision", source);
      if (precision != "single" && precision != "double") throw ValueError("precision must be single or double");
      c.precision = precision == "single" ? Precision::Single : Precision::Double;
    }
  } catch (const ParseError&) {
    throw;
  } catch (const ValueError& e) {
    const std::string what = e.what();
    throw ValueError(what.starts_with(source) ? what : source + ": " + what);
  }
  if (enc.size() == 1 && std::string_view("XYZxyz").find(enc[0]) != std::string_view::npos) {
    c.encoding = parse_rotation_axis(enc[0]);
  } else if (v == 1) {
    throw ValueError(source + ": model field 'encoding' must be X, Y or Z");
  } else {
    c.encoding_name = enc;
  }

  // Every size is checked against the arrays in the file before the circuit is built, so a corrupt architecture
  // (say 4e9 layers or features) is an error naming the field, not an allocation of the corrupt size.
  std::vector<double> weights = field<std::vector<double>>(j, "weights", source);
  if (v == 1) {
    const std::uint64_t needed = 3ULL * c.qubits * c.layers + 2ULL * c.num_classes;
    if (weights.size() != needed) {
      throw ValueError(source + ": model field 'weights' has " + std::to_string(weights.size()) + " values, the " +
                       "architecture (" + std::to_string(c.qubits) + " qubits, " + std::to_string(c.layers) +
                       " layers, " + std::to_string(c.num_classes) + " classes) needs " + std::to_string(needed));
    }
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
  std::optional<Pca> pca;
  if (c.pca_components > 0) {
    const json& jp = j.contains("pca") ? j["pca"] : json::object();
    pca.emplace();
    pca->mean = field<std::vector<double>>(jp, "mean", source);
    pca->components = field<std::vector<std::vector<double>>>(jp, "components", source);
    pca->explained_variance = field<std::vector<double>>(jp, "explained_variance", source);
    pca->explained_variance_ratio = field<std::vector<double>>(jp, "explained_variance_ratio", source);
  }
  std::optional<SavedModel> built;
  try {
    built.emplace(SavedModel{QuantumClassifier(c, 0), std::move(class_names), std::move(feature_names), {}});
    if (built->model.weights().size() != weights.size()) {
      throw ValueError("model field 'weights' has " + std::to_string(weights.size()) + " values, the architecture (" +
                       built->model.describe() + ") needs " + std::to_string(built->model.weights().size()));
    }
    built->model.set_weights(std::move(weights));
    built->model.set_standardizer(std::move(st));
    if (pca) built->model.set_pca(std::move(*pca));
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
