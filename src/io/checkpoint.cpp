#include "qnn/io/checkpoint.hpp"

#include <cmath>
#include <limits>
#include <string_view>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "qnn/core/error.hpp"
#include "qnn/io/atomic_file.hpp"

namespace qnn {

using nlohmann::json;

namespace {

constexpr const char* kFormat = "qnn-checkpoint";
constexpr int kVersion = 1;

// JSON has no NaN or infinity: they are written as null and read back as `missing`.
json number(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

struct Reader {
  const std::string& source;

  const json& at(const json& j, const char* key) const {
    if (!j.is_object() || !j.contains(key)) throw ValueError(source + ": checkpoint is missing the field '" + key + "'");
    return j.at(key);
  }
  template <class T>
  T get(const json& j, const char* key) const {
    const json& v = at(j, key);
    if constexpr (std::is_integral_v<T> && std::is_unsigned_v<T> && !std::is_same_v<T, bool>) {
      if (!v.is_number_unsigned()) throw ValueError(source + ": checkpoint field '" + key + "' must be a non-negative integer");
    }
    if constexpr (requires { typename T::value_type; } && !std::is_same_v<T, std::string>) {
      // Arrays of unsigned integers (the RNG state, the sample order): nlohmann converts an element −2.38 to an
      // unsigned long by a cast whose result is undefined (found by the model/checkpoint JSON fuzzer).
      using E = typename T::value_type;
      if constexpr (std::is_integral_v<E> && std::is_unsigned_v<E> && !std::is_same_v<E, bool>) {
        if (v.is_array())
          for (const json& e : v)
            if (!e.is_number_unsigned()) {
              throw ValueError(source + ": checkpoint field '" + key + "' must hold non-negative integers");
            }
      }
    }
    try {
      return v.get<T>();
    } catch (const json::exception&) {
      throw ValueError(source + ": checkpoint field '" + key + "' has the wrong type");
    }
  }
  double real(const json& j, const char* key, double missing) const {
    const json& v = at(j, key);
    if (v.is_null()) return missing;
    if (!v.is_number()) throw ValueError(source + ": checkpoint field '" + key + "' must be a number");
    return v.get<double>();
  }
};

json options_json(const TrainOptions& o, double validation_fraction) {
  using GM = QuantumClassifier::GradientMethod;
  const char* method = o.gradient.method == GM::Adjoint          ? "adjoint"
                       : o.gradient.method == GM::ParameterShift ? "parameter-shift"
                       : o.gradient.method == GM::Spsa           ? "spsa"
                                                                 : "finite-diff";
  const char* kinds[] = {"constant", "step", "exponential", "cosine"};
  return {{"epochs", o.epochs},
          {"batch_size", o.batch_size},
          {"learning_rate", o.learning_rate},
          {"seed", o.seed},
          {"gradient", {{"method", method}, {"shots", o.gradient.shots}, {"spsa_epsilon", o.gradient.spsa_epsilon}}},
          {"optimizer", o.optimizer},
          {"schedule",
           {{"kind", kinds[static_cast<int>(o.schedule.kind)]},
            {"step_size", o.schedule.step_size},
            {"gamma", o.schedule.gamma},
            {"min_rate", o.schedule.min_rate},
            {"epochs", o.schedule.epochs}}},
          {"metric", o.metric == MetricApproximation::Full ? "full" : "block-diagonal"},
          {"qng_regularisation", o.qng_regularisation},
          {"qng_metric_samples", o.qng_metric_samples},
          {"epochs_per_layer", o.epochs_per_layer},
          {"patience", o.patience},
          {"validation_fraction", validation_fraction}};
}

TrainOptions options_from(const json& j, const Reader& r, double& validation_fraction) {
  TrainOptions o;
  o.epochs = r.get<unsigned>(j, "epochs");
  o.batch_size = r.get<unsigned>(j, "batch_size");
  o.learning_rate = r.get<double>(j, "learning_rate");
  o.seed = r.get<std::uint64_t>(j, "seed");
  const json& g = r.at(j, "gradient");
  const auto method = r.get<std::string>(g, "method");
  using GM = QuantumClassifier::GradientMethod;
  if (method == "adjoint") o.gradient.method = GM::Adjoint;
  else if (method == "parameter-shift") o.gradient.method = GM::ParameterShift;
  else if (method == "spsa") o.gradient.method = GM::Spsa;
  else if (method == "finite-diff") o.gradient.method = GM::FiniteDifference;
  else throw ValueError(r.source + ": unknown gradient method '" + method + "'");
  o.gradient.shots = r.get<std::uint64_t>(g, "shots");
  o.gradient.spsa_epsilon = r.get<double>(g, "spsa_epsilon");
  o.optimizer = r.get<std::string>(j, "optimizer");
  const json& s = r.at(j, "schedule");
  o.schedule.kind = LearningRateSchedule::parse(r.get<std::string>(s, "kind"));
  o.schedule.step_size = r.get<unsigned>(s, "step_size");
  o.schedule.gamma = r.get<double>(s, "gamma");
  o.schedule.min_rate = r.get<double>(s, "min_rate");
  o.schedule.epochs = r.get<unsigned>(s, "epochs");
  const auto metric = r.get<std::string>(j, "metric");
  if (metric != "full" && metric != "block-diagonal") throw ValueError(r.source + ": unknown metric '" + metric + "'");
  o.metric = metric == "full" ? MetricApproximation::Full : MetricApproximation::BlockDiagonal;
  o.qng_regularisation = r.get<double>(j, "qng_regularisation");
  o.qng_metric_samples = r.get<unsigned>(j, "qng_metric_samples");
  o.epochs_per_layer = r.get<unsigned>(j, "epochs_per_layer");
  o.patience = r.get<unsigned>(j, "patience");
  validation_fraction = r.get<double>(j, "validation_fraction");
  return o;
}

json metrics_json(const EpochMetrics& m) {
  return {{"epoch", m.epoch},
          {"layers", m.layers},
          {"learning_rate", number(m.learning_rate)},
          {"train_loss", number(m.train_loss)},
          {"train_accuracy", number(m.train_accuracy)},
          {"validation_loss", number(m.validation_loss)},
          {"validation_accuracy", number(m.validation_accuracy)},
          {"test_loss", number(m.test_loss)},
          {"test_accuracy", number(m.test_accuracy)},
          {"seconds", number(m.seconds)}};
}

EpochMetrics metrics_from(const json& j, const Reader& r) {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  EpochMetrics m;
  m.epoch = r.get<unsigned>(j, "epoch");
  m.layers = r.get<unsigned>(j, "layers");
  m.learning_rate = r.real(j, "learning_rate", nan);
  m.train_loss = r.real(j, "train_loss", nan);
  m.train_accuracy = r.real(j, "train_accuracy", nan);
  m.validation_loss = r.real(j, "validation_loss", nan);
  m.validation_accuracy = r.real(j, "validation_accuracy", nan);
  m.test_loss = r.real(j, "test_loss", nan);
  m.test_accuracy = r.real(j, "test_accuracy", nan);
  m.seconds = r.real(j, "seconds", 0.0);
  return m;
}

}  // namespace

std::string checkpoint_to_json(const SavedCheckpoint& c) {
  const TrainCheckpoint& s = c.state;
  json history = json::array();
  for (const EpochMetrics& m : s.history) history.push_back(metrics_json(m));
  json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["model"] = json::parse(model_to_json(c.model));
  j["precision"] = c.model.model.config().precision == Precision::Single ? "single" : "double";
  j["options"] = options_json(c.options, c.validation_fraction);
  j["state"] = {{"epochs_done", s.epochs_done},
                {"step", s.step},
                {"rng", s.rng},
                {"order", s.order},
                {"weights", s.weights},
                {"optimizer_state", s.optimizer_state},
                {"history", history},
                {"best_validation_loss", number(s.best_validation_loss)},
                {"best_epoch", s.best_epoch},
                {"best_weights", s.best_weights},
                {"finished", s.finished}};
  return j.dump(1) + "\n";
}

SavedCheckpoint checkpoint_from_json(const std::string& text, const std::string& source) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    // Line and column of the byte nlohmann stopped at.
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i + 1 < e.byte && i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    throw ParseError(source, line, col, "malformed JSON in checkpoint");
  } catch (const json::exception& e) {
    throw ParseError(source, 0, 0, std::string("malformed JSON in checkpoint: ") + e.what());
  }
  const Reader r{source};
  if (!j.is_object() || !j.contains("format") || j.at("format") != json(kFormat)) {
    throw ValueError(source + ": not a qnn checkpoint (no \"format\": \"" + kFormat + "\")");
  }
  const json& version = r.at(j, "version");
  if (!version.is_number_integer() || version.get<long long>() != kVersion) {
    throw ValueError(source + ": checkpoint format version " + version.dump() + " is not supported (this qnn reads " +
                     std::to_string(kVersion) + ")");
  }
  SavedCheckpoint c{model_from_json(r.at(j, "model").dump(), source), {}, {}, 0};
  const auto precision = r.get<std::string>(j, "precision");
  if (precision != "single" && precision != "double") throw ValueError(source + ": precision must be single or double");
  if (precision == "single") {
    ClassifierConfig cfg = c.model.model.config();
    cfg.precision = Precision::Single;
    QuantumClassifier m(cfg, 0);
    m.set_weights(c.model.model.weights());
    m.set_standardizer(c.model.model.standardizer());
    c.model.model = std::move(m);
  }
  c.options = options_from(r.at(j, "options"), r, c.validation_fraction);
  const json& s = r.at(j, "state");
  TrainCheckpoint& t = c.state;
  t.epochs_done = r.get<unsigned>(s, "epochs_done");
  t.step = r.get<std::uint64_t>(s, "step");
  t.rng = r.get<std::array<std::uint64_t, 4>>(s, "rng");
  t.order = r.get<std::vector<std::uint64_t>>(s, "order");
  t.weights = r.get<std::vector<double>>(s, "weights");
  t.optimizer_state = r.get<std::vector<double>>(s, "optimizer_state");
  const json& h = r.at(s, "history");
  if (!h.is_array()) throw ValueError(source + ": checkpoint field 'history' must be an array");
  for (const json& m : h) t.history.push_back(metrics_from(m, r));
  t.best_validation_loss = r.real(s, "best_validation_loss", std::numeric_limits<double>::infinity());
  t.best_epoch = r.get<unsigned>(s, "best_epoch");
  t.best_weights = r.get<std::vector<double>>(s, "best_weights");
  t.finished = r.get<bool>(s, "finished");
  return c;
}

void save_checkpoint(const std::filesystem::path& path, const SavedCheckpoint& c, Durability durability) {
  write_file_atomic(path, checkpoint_to_json(c), durability);
}

SavedCheckpoint load_checkpoint(const std::filesystem::path& path) {
  return checkpoint_from_json(read_file(path), path.string());
}

}  // namespace qnn
