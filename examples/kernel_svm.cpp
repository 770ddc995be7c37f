// A quantum kernel support vector machine on two interleaving moons: the ZZ feature map turns each point into a
// state |φ(x)⟩, the fidelity |⟨φ(x′)|φ(x)⟩|² is the kernel, and a classical SVM trains on the Gram matrix.
#include <cstdio>
#include <numbers>

#include <qnn/ml/dataset.hpp>
#include <qnn/ml/kernel_classifier.hpp>
#include <qnn/ml/synthetic_datasets.hpp>

int main() {
  using namespace qnn;
  const Dataset moons = make_moons(200, 0.1, /*seed=*/0);
  TrainTestSplit split = train_test_split(moons, 0.2, 7);
  // Scale each feature to [0, π] on the training part: a rotation angle is one-to-one over that range.
  const MinMaxScaler scaler = MinMaxScaler::fit(split.train, 0.0, std::numbers::pi);
  scaler.transform_in_place(split.train);
  scaler.transform_in_place(split.test);

  const FidelityKernel kernel(make_encoding("zz", /*qubits=*/2, /*features=*/2));
  KernelSvm svm(SvmOptions{.C = 1.0});
  svm.fit(kernel.matrix(split.train.features), split.train.labels, 2);
  const std::vector<int> predicted = svm.predict(kernel.matrix(split.test.features, split.train.features));
  std::printf("quantum kernel SVM on moons: %zu support vectors, test accuracy %.4f\n", svm.num_support_vectors(),
              prediction_accuracy(predicted, split.test.labels));
}
