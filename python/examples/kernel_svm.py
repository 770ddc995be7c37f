"""A quantum-kernel SVM on Iris (Havlicek et al. 2019): the ZZ feature map's fidelity kernel k(x, x') = |<phi(x')|phi(x)>|^2
as a precomputed kernel for an SVM. Reproduces `qnn kernel --data iris --encoding zz --seed 7` (the same split,
scaling, kernel matrices and SMO solver), and shows the kernel matrix is an ordinary NumPy array, so any kernel machine
(e.g. scikit-learn's SVC(kernel="precomputed")) could take it instead.
"""
import numpy as np

import qnn

data = qnn.load_dataset("iris")
train, test = qnn.train_test_split(data, test_fraction=0.2, seed=7)
# Every transform is fitted on the training part only: standardise, then min-max to [0, pi].
standardizer = qnn.Standardizer.fit(train)
train, test = standardizer.transform(train), standardizer.transform(test)
scaler = qnn.MinMaxScaler.fit(train)
train, test = scaler.transform(train), scaler.transform(test)
# The ZZ map's pair phases (pi - x_j)(pi - x_k) make distinct samples nearly orthogonal at full scale; a bandwidth of
# 1/features keeps the kernel smooth (the CLI's default for zz).
features = train.num_features
bandwidth = 1.0 / features
x_train, x_test = train.features * bandwidth, test.features * bandwidth

kernel = qnn.FidelityKernel(qnn.Encoding("zz", qubits=features, num_features=features, reps=2, pairs="full"))
gram = kernel.matrix(x_train)  # train x train, exactly symmetric, ones on the diagonal
cross = kernel.matrix(x_test, x_train)  # test x train
off_diagonal = (gram.sum() - np.trace(gram)) / (gram.size - len(gram))
print(f"kernel: {gram.shape[0]} x {gram.shape[1]} train matrix (mean off-diagonal {off_diagonal:.4f}), "
      f"{cross.shape[0]} x {cross.shape[1]} test matrix; smallest eigenvalue {np.linalg.eigvalsh(gram).min():.2e}")

svm = qnn.KernelSvm(C=1.0)
svm.fit(gram, train.labels, num_classes=data.num_classes)
print(f"model: SVM (C 1), {svm.num_machines} one-vs-rest machines, {svm.num_support_vectors} support vectors")
print(f"train accuracy {qnn.prediction_accuracy(svm.predict(gram), train.labels):.4f} ({len(train)} samples)")
print(f"test accuracy {qnn.prediction_accuracy(svm.predict(cross), test.labels):.4f} ({len(test)} samples)")
