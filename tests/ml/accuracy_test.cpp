// The model library's accuracy table on a reduced budget: each row trains one configuration exactly as `qnn train`
// would (stratified 80/20 split with seed 7, standardiser and PCA fitted on the training part, Adam, batch 16) and
// asserts the held-out test accuracy. scripts/accuracy_table.sh runs the full-budget table; README.md lists both.
// Every row is deterministic (fixed seeds, sums in a fixed order whatever the thread count), so a failure means the
// model or the trainer changed, not bad luck.
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>

#include "qnn/io/builtin_datasets.hpp"
#include "qnn/ml/trainer.hpp"

namespace qnn {
namespace {

struct Row {
  std::string data;
  double bar;
  std::function<void(ClassifierConfig&)> configure;
  unsigned epochs;
  double learning_rate = 0.05;
};

double test_accuracy(const Row& row) {
  const Dataset data = load_dataset(row.data);
  const TrainTestSplit split = train_test_split(data, 0.2, 7);
  ClassifierConfig cfg;
  cfg.num_features = static_cast<unsigned>(data.num_features());
  cfg.num_classes = static_cast<unsigned>(data.num_classes());
  row.configure(cfg);
  QuantumClassifier model(cfg, 7);
  const Standardizer st = Standardizer::fit(split.train);
  model.set_standardizer(st);
  if (cfg.pca_components > 0) {
    Dataset standardised = split.train;
    st.transform_in_place(standardised);
    model.set_pca(Pca::fit(standardised, cfg.pca_components));
  }
  TrainOptions opt;
  opt.epochs = row.epochs;
  opt.learning_rate = row.learning_rate;
  opt.seed = 7;
  (void)train(model, split.train, nullptr, opt);
  return model.evaluate(split.test).accuracy;
}

void expect_row(const Row& row) {
  const auto start = std::chrono::steady_clock::now();
  const double acc = test_accuracy(row);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(acc, row.bar) << row.data;
  std::printf("  %-22s test accuracy %.4f (bar %.2f), %.2f s\n", row.data.c_str(), acc, row.bar, seconds);
}

// Bars as the issue states them; every row here meets its bar on the reduced budget too.
TEST(Accuracy, IrisDefaultModel) {
  expect_row({"iris", 0.93, [](ClassifierConfig& c) { c.qubits = 4, c.layers = 3; }, 40});
}

TEST(Accuracy, DigitsZeroVersusOne) {
  expect_row({"digits:classes=0,1", 0.98, [](ClassifierConfig& c) { c.qubits = 4, c.layers = 2, c.pca_components = 4; },
              10});
}

TEST(Accuracy, DigitsFourClasses) {
  expect_row({"digits:classes=0-3", 0.85, [](ClassifierConfig& c) { c.qubits = 4, c.layers = 2, c.pca_components = 4; },
              10});
}

TEST(Accuracy, BreastCancer) {
  expect_row({"breast_cancer", 0.90, [](ClassifierConfig& c) { c.qubits = 2, c.layers = 3, c.pca_components = 2; }, 30});
}

// Two features on two qubits, re-uploaded before each of 4 layers with trainable affine scaling w·x + b.
TEST(Accuracy, MoonsWithReuploading) {
  expect_row({"moons", 0.90,
              [](ClassifierConfig& c) {
                c.qubits = 2, c.layers = 4, c.encoding_name = "angle-y", c.reupload = true;
                c.reupload_scaling = ReuploadScaling::Affine;
              },
              40});
}

// One qubit: (x0, x1) as RY, RZ re-uploaded before each of 4 Rot layers; P(|0⟩) vs P(|1⟩).
TEST(Accuracy, CirclesOnOneQubit) {
  expect_row({"circles", 0.90,
              [](ClassifierConfig& c) {
                c.qubits = 1, c.layers = 4, c.encoding_name = "dense", c.reupload = true;
                c.reupload_scaling = ReuploadScaling::Affine, c.readout = ReadoutKind::Probabilities;
              },
              60});
}

TEST(Accuracy, Xor) {
  expect_row({"xor", 0.95,
              [](ClassifierConfig& c) {
                c.qubits = 2, c.layers = 3, c.encoding_name = "angle-y", c.reupload = true;
                c.reupload_scaling = ReuploadScaling::Affine;
              },
              40});
}

// Classical → quantum → classical on all ten digits: PCA to 16, dense 6 tanh, 6 qubits × 2 layers, ⟨Z_q⟩ of every
// qubit, dense 16 relu, linear to 10 classes. The full table uses 8 qubits and 30 epochs (0.877); here 6 qubits and 8
// epochs (0.880), the same bar.
TEST(Accuracy, DigitsTenClassesHybrid) {
  expect_row({"digits", 0.85,
              [](ClassifierConfig& c) {
                c.qubits = 6, c.layers = 2, c.pca_components = 16, c.hidden = parse_dense_layers("6:tanh");
                c.readout = ReadoutKind::ZAll, c.head = parse_dense_layers("16:relu");
              },
              8, 0.05});
}

}  // namespace
}  // namespace qnn
