"""Train the QNN classifier on Iris from Python; the same numbers as `qnn train` with the same options and seed 7."""
import qnn

data = qnn.load_dataset("iris")
train, test = qnn.train_test_split(data, test_fraction=0.2, seed=7)
config = qnn.ClassifierConfig(qubits=4, layers=3, num_features=data.num_features, num_classes=data.num_classes)
model = qnn.QuantumClassifier(config, seed=7)
model.fit_standardizer(train)
options = qnn.TrainOptions(epochs=40, batch_size=16, learning_rate=0.05, seed=7)
log = lambda m: print(f"epoch {m.epoch:2d}  loss {m.train_loss:.4f}  train {m.train_accuracy:.4f}  test {m.test_accuracy:.4f}")
qnn.train(model, train, test, options=options, on_epoch=log)
loss, train_accuracy = model.evaluate(train)
print(f"learned: train accuracy {train_accuracy:.4f}, test accuracy {model.evaluate(test).accuracy:.4f}, loss {loss:.4f}")
print("predicted classes of the first five test samples:", model.predict(test.features[:5]), "true:", test.labels[:5])
