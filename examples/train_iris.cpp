// Train the default quantum classifier on Iris: standardise, angle-encode, three strongly entangling layers, read
// ⟨Z_k⟩ for class k, softmax cross-entropy, Adam. Usage: train_iris [EPOCHS]
#include <cstdio>
#include <cstdlib>

#include <qnn/io/builtin_datasets.hpp>
#include <qnn/ml/trainer.hpp>

int main(int argc, char** argv) {
  using namespace qnn;
  const Dataset iris = load_dataset("iris");                       // 150 flowers, 4 features, 3 species
  const TrainTestSplit split = train_test_split(iris, 0.2, 7);      // stratified, seeded

  ClassifierConfig config{.qubits = 4, .layers = 3, .num_features = 4, .num_classes = 3};
  QuantumClassifier model(config, /*seed=*/7);
  model.set_standardizer(Standardizer::fit(split.train));          // fitted on training data only

  TrainOptions options;
  options.epochs = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 40;
  train(model, split.train, &split.test, options, [](const EpochMetrics& m) {
    std::printf("epoch %2u  loss %.4f  train %.3f  test %.3f\n", m.epoch, m.train_loss, m.train_accuracy,
                m.test_accuracy);
  });
  std::printf("test accuracy %.4f\n", model.evaluate(split.test).accuracy);
  std::printf("first test flower: predicted %s, true %s\n",
              iris.class_names[model.predict(split.test.features[0])].c_str(),
              iris.class_names[split.test.labels[0]].c_str());
}
