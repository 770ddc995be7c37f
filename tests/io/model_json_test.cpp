#include "qnn/io/model_json.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "qnn/core/error.hpp"
#include "qnn/core/rng.hpp"
#include "qnn/io/atomic_file.hpp"

namespace qnn {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

bool bit_identical(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

// A trained-looking model: random weights with awkward doubles (1/3, a subnormal, −0, huge and tiny exponents) and a
// standardiser with non-representable decimals.
SavedModel sample_model(unsigned qubits = 3, unsigned layers = 2, unsigned features = 3, unsigned classes = 3) {
  ClassifierConfig cfg;
  cfg.qubits = qubits;
  cfg.layers = layers;
  cfg.num_features = features;
  cfg.num_classes = classes;
  cfg.encoding = RotationAxis::X;
  SavedModel m{QuantumClassifier(cfg, 11), {}, {}, {}};
  Rng rng(3);
  std::vector<double> w = m.model.weights();
  for (double& v : w) v = rng.uniform(-4.0, 4.0);
  w[0] = 1.0 / 3.0;
  w[1] = 4.9e-320;  // subnormal
  w[2] = -0.0;
  w[3] = 1.2345678901234567e-200;
  w[w.size() - 1] = -9.87654321098765e150;
  m.model.set_weights(w);
  Standardizer st;
  for (unsigned j = 0; j < features; ++j) {
    st.mean.push_back(rng.uniform(-10, 10));
    st.scale.push_back(0.1 + rng.uniform());
  }
  m.model.set_standardizer(st);
  for (unsigned k = 0; k < classes; ++k) m.class_names.push_back("class \"" + std::to_string(k) + "\" é");
  for (unsigned j = 0; j < features; ++j) m.feature_names.push_back("f" + std::to_string(j));
  m.training = TrainingInfo{"data/some file.csv", 0xFFFFFFFFFFFFFFF1ULL, 0.25, 17, 9, 0.0123};
  return m;
}

TEST(ModelJson, RoundTripIsBitIdentical) {
  const SavedModel m = sample_model();
  const std::string text = model_to_json(m);
  const SavedModel r = model_from_json(text, "mem.json");

  EXPECT_TRUE(bit_identical(r.model.weights(), m.model.weights()));
  EXPECT_TRUE(std::signbit(r.model.weights()[2]));  // −0 stays −0
  EXPECT_TRUE(bit_identical(r.model.standardizer().mean, m.model.standardizer().mean));
  EXPECT_TRUE(bit_identical(r.model.standardizer().scale, m.model.standardizer().scale));
  EXPECT_EQ(r.class_names, m.class_names);
  EXPECT_EQ(r.feature_names, m.feature_names);
  const ClassifierConfig &a = r.model.config(), &b = m.model.config();
  EXPECT_EQ(a.qubits, b.qubits);
  EXPECT_EQ(a.layers, b.layers);
  EXPECT_EQ(a.num_features, b.num_features);
  EXPECT_EQ(a.num_classes, b.num_classes);
  EXPECT_EQ(a.encoding, b.encoding);
  EXPECT_EQ(r.training.data, m.training.data);
  EXPECT_EQ(r.training.seed, m.training.seed);
  EXPECT_EQ(r.training.test_fraction, m.training.test_fraction);
  EXPECT_EQ(r.training.epochs, m.training.epochs);
  EXPECT_EQ(r.training.batch_size, m.training.batch_size);
  EXPECT_EQ(r.training.learning_rate, m.training.learning_rate);

  // Identical predictions: logits are bit-identical (weights with big exponents make them large but finite).
  SavedModel m2 = sample_model();
  std::vector<double> w = m2.model.weights();
  w.back() = 0.75;  // keep logits moderate so the comparison is about rounding, not overflow
  m2.model.set_weights(w);
  const SavedModel r2 = model_from_json(model_to_json(m2), "mem.json");
  Rng rng(9);
  for (int i = 0; i < 5; ++i) {
    const std::vector<double> x{rng.uniform(-10, 10), rng.uniform(-10, 10), rng.uniform(-10, 10)};
    EXPECT_TRUE(bit_identical(r2.model.logits(x), m2.model.logits(x)));
  }
  // Writing the reloaded model gives the same text.
  EXPECT_EQ(model_to_json(r), text);
}

TEST(ModelJson, DocumentLayout) {
  const SavedModel m = sample_model();
  const json j = json::parse(model_to_json(m));
  EXPECT_EQ(j.at("format"), "qnn-model");
  EXPECT_EQ(j.at("version"), 2);
  EXPECT_EQ(j.at("circuit_weights"), m.model.num_circuit_weights());
  EXPECT_EQ(j.at("weights").size(), m.model.weights().size());
  EXPECT_EQ(j.at("config").at("encoding").at("name"), "X");
  EXPECT_EQ(j.at("config").at("ansatz").at("name"), "strong");
  EXPECT_EQ(j.at("config").at("readout").at("kind"), "z-per-class");
  EXPECT_EQ(j.at("config").at("loss"), "cross-entropy");
  EXPECT_EQ(j.at("training").at("seed").get<std::uint64_t>(), 0xFFFFFFFFFFFFFFF1ULL);
}

// Expects ParseError at (line, column) for `text`.
void expect_parse_error(const std::string& text, std::size_t line, std::size_t column) {
  try {
    (void)model_from_json(text, "bad.json");
    ADD_FAILURE() << "no ParseError for:\n" << text;
  } catch (const ParseError& e) {
    EXPECT_EQ(e.file(), "bad.json");
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.column(), column) << e.what();
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("bad.json:" + std::to_string(line) + ":" + std::to_string(column) + ": malformed JSON", 0), 0u)
        << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << "message must be one line: " << what;
  }
}

TEST(ModelJson, MalformedJsonReportsLineAndColumn) {
  // Line 3, column 16 holds the stray 'x'.
  expect_parse_error("{\n  \"format\": \"qnn-model\",\n  \"version\": 1 x\n}\n", 3, 16);
  // A missing comma: the unexpected token is the next key, "version" in columns 3–11 of line 3 (nlohmann reports
  // the last character it read, the closing quote).
  try {
    (void)model_from_json("{\n  \"format\": \"qnn-model\"\n  \"version\": 1\n}\n", "bad.json");
    ADD_FAILURE() << "no ParseError";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), 3u) << e.what();
    EXPECT_GE(e.column(), 3u) << e.what();
    EXPECT_LE(e.column(), 11u) << e.what();
  }
  // Truncated file: the error is at the end (line 2, after "[1, 2").
  expect_parse_error("{\n\"weights\": [1, 2", 2, 17);
  // Empty input.
  expect_parse_error("", 1, 1);
  // A number too large for a double is a parse error at the number (nlohmann throws out_of_range for it).
  std::string text = model_to_json(sample_model());
  const auto weights_at = text.find("\"weights\": [");
  ASSERT_NE(weights_at, std::string::npos);
  const auto first_value = text.find_first_of("-0123456789", weights_at);
  const auto end_value = text.find_first_of(",\n", first_value);
  text.replace(first_value, end_value - first_value, "1e999");
  const std::string before = text.substr(0, first_value);
  const auto line = static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n')) + 1;
  const std::size_t column = first_value - before.rfind('\n');
  try {
    (void)model_from_json(text, "big.json");
    ADD_FAILURE() << "no ParseError for 1e999";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.line(), line) << e.what();
    EXPECT_EQ(e.column(), column) << e.what();
    EXPECT_NE(std::string(e.what()).find("1e999"), std::string::npos) << e.what();
  }
}

// Expects ValueError whose message contains every string of `needles`.
void expect_value_error(const std::string& text, const std::vector<std::string>& needles) {
  try {
    (void)model_from_json(text, "m.json");
    ADD_FAILURE() << "no ValueError for:\n" << text;
  } catch (const ValueError& e) {
    const std::string what = e.what();
    for (const auto& n : needles) EXPECT_NE(what.find(n), std::string::npos) << "'" << n << "' not in: " << what;
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
  }
}

// The JSON of the sample model, edited by `edit`.
std::string edited(const std::function<void(json&)>& edit) {
  json j = json::parse(model_to_json(sample_model()));
  edit(j);
  return j.dump(2);
}

TEST(ModelJson, MissingFieldsAreNamed) {
  expect_value_error(edited([](json& j) { j.erase("weights"); }), {"m.json", "'weights'", "missing"});
  expect_value_error(edited([](json& j) { j.erase("version"); }), {"m.json", "'version'"});
  expect_value_error(edited([](json& j) { j["config"].erase("qubits"); }), {"m.json", "'qubits'"});
  expect_value_error(edited([](json& j) { j.erase("config"); }), {"m.json", "'qubits'"});
  expect_value_error(edited([](json& j) { j["standardizer"].erase("scale"); }), {"m.json", "'scale'"});
  expect_value_error(edited([](json& j) { j.erase("class_names"); }), {"m.json", "'class_names'"});
  expect_value_error(edited([](json& j) { j["training"].erase("seed"); }), {"m.json", "'seed'"});
  // The training block as a whole is optional.
  EXPECT_NO_THROW((void)model_from_json(edited([](json& j) { j.erase("training"); }), "m.json"));
}

TEST(ModelJson, WrongTypesAreNamed) {
  expect_value_error(edited([](json& j) { j["config"]["qubits"] = "four"; }), {"m.json", "'qubits'", "type"});
  expect_value_error(edited([](json& j) { j["config"]["layers"] = -1; }), {"m.json", "'layers'"});
  expect_value_error(edited([](json& j) { j["config"]["layers"] = 2.5; }), {"m.json", "'layers'"});
  expect_value_error(edited([](json& j) { j["weights"] = "none"; }), {"m.json", "'weights'", "type"});
  expect_value_error(edited([](json& j) { j["weights"][4] = nullptr; }), {"m.json", "'weights'", "type"});
  expect_value_error(edited([](json& j) { j["standardizer"]["mean"] = json::object(); }), {"m.json", "'mean'"});
  expect_value_error(edited([](json& j) { j["class_names"] = {1, 2, 3}; }), {"m.json", "'class_names'"});
  expect_value_error(edited([](json& j) { j["config"]["encoding"]["name"] = "XY"; }), {"m.json", "encoding 'XY'"});
  expect_value_error(edited([](json& j) { j["config"]["encoding"]["name"] = "amplitude"; }), {"m.json", "amplitude"});
  expect_value_error(edited([](json& j) { j["config"]["encoding"] = "W"; }), {"m.json", "'name'"});
  expect_value_error(edited([](json& j) { j["config"]["ansatz"]["name"] = "foo"; }), {"m.json", "ansatz 'foo'"});
  expect_value_error(edited([](json& j) { j["config"]["loss"] = "l1"; }), {"m.json", "loss 'l1'"});
  expect_value_error(edited([](json& j) { j["config"]["hidden"] = {{{"units", 0}, {"activation", "relu"}}}; }),
                     {"m.json", "units"});
  expect_value_error(edited([](json& j) { j["standardizer"]["scale"][0] = 0.0; }), {"m.json", "scale"});
}

TEST(ModelJson, WrongCountsAreNamed) {
  expect_value_error(edited([](json& j) { j["weights"].erase(j["weights"].size() - 1); }), {"m.json", "'weights'"});
  expect_value_error(edited([](json& j) { j["weights"].push_back(1.0); }), {"m.json", "'weights'"});
  expect_value_error(edited([](json& j) { j["standardizer"]["mean"].push_back(1.0); }), {"m.json", "standardizer"});
  expect_value_error(edited([](json& j) { j["class_names"].erase(0); }), {"m.json", "class_names"});
  expect_value_error(edited([](json& j) { j["feature_names"].push_back("extra"); }), {"m.json", "feature_names"});
  // An absurd architecture is rejected from the weight count alone, before any circuit is built.
  expect_value_error(edited([](json& j) { j["config"]["layers"] = 4000000000u; }), {"m.json", "layers"});
  expect_value_error(edited([](json& j) { j["config"]["qubits"] = 31; }), {"m.json", "qubits"});
  expect_value_error(edited([](json& j) { j["config"]["num_classes"] = 1; }), {"m.json"});
  // Counts that match but an architecture the classifier rejects (3 classes on 2 qubits; 3·2·3 + 2·3 = 24 weights as
  // in the sample): the classifier's message, prefixed with the file name.
  expect_value_error(edited([](json& j) {
                       j["config"]["qubits"] = 2;
                       j["config"]["layers"] = 3;
                     }),
                     {"m.json: ", "3 qubits"});

}

TEST(ModelJson, VersionOneFilesStillRead) {
  // A version-1 document as qnn wrote it: the encoding a letter, no ansatz/readout/loss/layers fields.
  const SavedModel m = sample_model();
  json j = json::parse(model_to_json(m));
  j["version"] = 1;
  json c = j["config"];
  j["config"] = {{"qubits", c["qubits"]},
                 {"layers", c["layers"]},
                 {"num_features", c["num_features"]},
                 {"num_classes", c["num_classes"]},
                 {"encoding", "X"},
                 {"ansatz", "strongly_entangling"},
                 {"readout", "Z per class, logits = scale * <Z_k> + bias"}};
  const SavedModel r = model_from_json(j.dump(2), "v1.json");
  EXPECT_EQ(r.model.config().encoding, RotationAxis::X);
  EXPECT_TRUE(bit_identical(r.model.weights(), m.model.weights()));
  const std::vector<double> x{0.5, -1.5, 2.0};
  EXPECT_TRUE(bit_identical(r.model.logits(x), m.model.logits(x)));
}

TEST(ModelJson, HybridModelRoundTripsEveryPiece) {
  ClassifierConfig cfg;
  cfg.qubits = 3;
  cfg.layers = 2;
  cfg.num_features = 5;
  cfg.num_classes = 4;
  cfg.encoding_name = "zz";
  cfg.encoding_reps = 1;
  cfg.encoding_pairs = FeaturePairs::Linear;
  cfg.reupload = true;
  cfg.reupload_scaling = ReuploadScaling::Affine;
  cfg.ansatz = "hea-ring";
  cfg.rotation = RotationBlock::U3;
  cfg.readout = ReadoutKind::Pauli;
  cfg.pauli_readout = {"Z0 Z1", "0.5 X2 + Y0", "Z2"};
  cfg.pca_components = 4;
  cfg.hidden = {{6, Activation::ReLU}, {3, Activation::Tanh}};
  cfg.head = {{5, Activation::Sigmoid}};
  cfg.loss = LossKind::Hinge;
  cfg.precision = Precision::Single;
  SavedModel m{QuantumClassifier(cfg, 5), {"a", "b", "c", "d"}, {"p", "q", "r", "s", "t"}, {}};
  Dataset d;
  Rng rng(8);
  for (int i = 0; i < 10; ++i) {
    d.features.push_back({rng.normal(), rng.normal(), rng.normal(), rng.normal(), rng.normal()});
    d.labels.push_back(0);
  }
  d.class_names = {"a"};
  m.model.set_pca(Pca::fit(d, 4));
  const std::string text = model_to_json(m);
  const SavedModel r = model_from_json(text, "hybrid.json");
  const ClassifierConfig& rc = r.model.config();
  EXPECT_EQ(rc.encoding_name, "zz");
  EXPECT_EQ(rc.encoding_reps, 1u);
  EXPECT_EQ(rc.encoding_pairs, FeaturePairs::Linear);
  EXPECT_TRUE(rc.reupload);
  EXPECT_EQ(rc.reupload_scaling, ReuploadScaling::Affine);
  EXPECT_EQ(rc.ansatz, "hea-ring");
  EXPECT_EQ(rc.rotation, RotationBlock::U3);
  EXPECT_EQ(rc.readout, ReadoutKind::Pauli);
  EXPECT_EQ(rc.pauli_readout, cfg.pauli_readout);
  EXPECT_EQ(rc.pca_components, 4u);
  EXPECT_EQ(rc.hidden, cfg.hidden);
  EXPECT_EQ(rc.head, cfg.head);
  EXPECT_EQ(rc.loss, LossKind::Hinge);
  EXPECT_EQ(rc.precision, Precision::Single);
  EXPECT_TRUE(bit_identical(r.model.weights(), m.model.weights()));
  const std::vector<double> x{0.1, 0.2, -0.3, 0.4, 1.5};
  EXPECT_TRUE(bit_identical(r.model.logits(x), m.model.logits(x)));
  EXPECT_EQ(model_to_json(r), text);
  // A PCA of the wrong shape is named.
  json j = json::parse(text);
  j["pca"]["components"].erase(0);
  expect_value_error(j.dump(), {"m.json", "PCA"});
}

TEST(ModelJson, NonQnnJsonIsRejected) {
  expect_value_error("[1, 2, 3]", {"m.json", "not a qnn model", "format"});
  expect_value_error("{\"name\": \"something else\"}", {"m.json", "not a qnn model"});
  expect_value_error("{\"format\": 3}", {"m.json", "not a qnn model"});
  expect_value_error("42", {"m.json", "not a qnn model"});
  expect_value_error(edited([](json& j) { j["version"] = 3; }), {"m.json", "version 3", "newer", "update qnn"});
  expect_value_error(edited([](json& j) { j["version"] = 0; }), {"m.json", "version 0"});
  expect_value_error(edited([](json& j) { j["version"] = "1"; }), {"m.json", "'version'"});
}

class ModelFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("qnn_model_json_test." + std::to_string(::getpid()) + "." + std::to_string(counter++));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir_)) names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }
  fs::path dir_;
};

TEST_F(ModelFileTest, SaveAndLoad) {
  const SavedModel m = sample_model();
  const fs::path p = dir_ / "model.json";
  save_model(p, m);
  EXPECT_EQ(entries(), std::vector<std::string>{"model.json"});  // no temporary files left
  EXPECT_EQ(read_file(p), model_to_json(m));
  const SavedModel r = load_model(p);
  EXPECT_TRUE(bit_identical(r.model.weights(), m.model.weights()));

  // Overwriting replaces the file whole, again with nothing left behind.
  const SavedModel small = sample_model(2, 1, 2, 2);
  save_model(p, small);
  EXPECT_EQ(entries(), std::vector<std::string>{"model.json"});
  EXPECT_EQ(load_model(p).model.weights().size(), small.model.weights().size());
}

TEST_F(ModelFileTest, SaveFailureLeavesOldFile) {
  const SavedModel m = sample_model();
  const fs::path blocker = dir_ / "file";
  std::ofstream(blocker) << "not a directory";
  EXPECT_THROW(save_model(blocker / "model.json", m), IoError);
  EXPECT_EQ(entries(), std::vector<std::string>{"file"});
}

TEST_F(ModelFileTest, LoadErrors) {
  try {
    (void)load_model(dir_ / "missing.json");
    ADD_FAILURE() << "no IoError";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("missing.json"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)load_model(dir_), IoError);  // a directory
  const fs::path bad = dir_ / "bad.json";
  std::ofstream(bad) << "{\n  \"format\": \"qnn-model\",\n  oops\n}\n";
  try {
    (void)load_model(bad);
    ADD_FAILURE() << "no ParseError";
  } catch (const ParseError& e) {
    EXPECT_EQ(e.file(), bad.string());
    EXPECT_EQ(e.line(), 3u);
    EXPECT_EQ(e.column(), 3u);
  }
}

}  // namespace
}  // namespace qnn
