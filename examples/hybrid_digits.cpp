// A hybrid classical → quantum → classical model on the 8×8 digits (10 classes):
//   64 pixels → standardise → PCA to 16 (whitened) → dense 8, tanh → angle-encode on 8 qubits → 2 strongly
//   entangling layers → ⟨Z_q⟩ on every qubit → dense 16, relu → dense 10 → softmax cross-entropy.
// Every weight trains end to end: the adjoint sweep gives ∂L/∂(circuit inputs), which flows into the first dense layer.
// Usage: hybrid_digits [EPOCHS]
#include <cstdio>
#include <cstdlib>

#include <qnn/io/builtin_datasets.hpp>
#include <qnn/ml/trainer.hpp>

int main(int argc, char** argv) {
  using namespace qnn;
  const Dataset digits = load_dataset("digits");
  const TrainTestSplit split = train_test_split(digits, 0.2, 7);

  ClassifierConfig config;
  config.qubits = 8;
  config.layers = 2;
  config.num_features = 64;
  config.num_classes = 10;
  config.pca_components = 16;
  config.hidden = parse_dense_layers("8:tanh");   // features → the 8 values the circuit encodes
  config.encoding_name = "angle-y";
  config.readout = ReadoutKind::ZAll;             // ⟨Z_0⟩ … ⟨Z_7⟩
  config.head = parse_dense_layers("16:relu");    // then a linear layer to the 10 classes
  QuantumClassifier model(config, 7);

  const Standardizer st = Standardizer::fit(split.train);
  Dataset standardised = split.train;
  st.transform_in_place(standardised);
  model.set_standardizer(st);
  model.set_pca(Pca::fit(standardised, 16));      // the principal axes of the training digits

  TrainOptions options;
  options.epochs = argc > 1 ? static_cast<unsigned>(std::atoi(argv[1])) : 30;
  options.learning_rate = 0.02;
  std::printf("%s, %zu weights\n", model.describe().c_str(), model.weights().size());
  train(model, split.train, &split.test, options, [](const EpochMetrics& m) {
    std::printf("epoch %2u  loss %.4f  train %.3f  test %.3f\n", m.epoch, m.train_loss, m.train_accuracy,
                m.test_accuracy);
  });
  std::printf("test accuracy %.4f\n", model.evaluate(split.test).accuracy);
}
