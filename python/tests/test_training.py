"""Training from Python is the C++ training: the same seed gives the same weights and scores as `qnn train`."""
import json

import numpy as np
import pytest

import qnn

EPOCHS = 3  # a short run keeps the test fast; every epoch goes through the same code


def python_run(epochs, seen=None):
    data = qnn.load_dataset("iris")
    train, test = qnn.train_test_split(data, test_fraction=0.2, seed=7)
    config = qnn.ClassifierConfig(qubits=4, layers=3, num_features=data.num_features, num_classes=data.num_classes)
    model = qnn.QuantumClassifier(config, seed=7)
    model.fit_standardizer(train)
    options = qnn.TrainOptions(epochs=epochs, batch_size=16, learning_rate=0.05, seed=7)
    result = qnn.train(model, train, test, options=options, on_epoch=seen.append if seen is not None else None)
    return model, train, test, result


def test_same_seed_same_weights_and_scores_as_the_cli(tmp_path, run_cli):
    seen = []
    model, train, test, result = python_run(EPOCHS, seen)
    out = tmp_path / "run"
    run_cli("train", "--data", "iris", "--qubits", 4, "--layers", 3, "--epochs", EPOCHS, "--batch", 16, "--lr", 0.05,
            "--seed", 7, "--out", out, "--quiet")
    saved = json.loads((out / "model.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    # Bit for bit: the same split, initial weights, shuffles and arithmetic.
    np.testing.assert_array_equal(model.weights, np.array(saved["weights"]))
    train_score, test_score = model.evaluate(train), model.evaluate(test)
    assert train_score.accuracy == summary["train_accuracy"]
    assert test_score.accuracy == summary["test_accuracy"]
    assert train_score.loss == pytest.approx(summary["loss"], rel=1e-15)
    # The callback saw every epoch once, in order, with the history's numbers.
    assert [m.epoch for m in seen] == list(range(1, EPOCHS + 1))
    assert [m.train_loss for m in seen] == [m.train_loss for m in result.history]


def test_predict_and_logits_agree_with_evaluate():
    model, train, test, _ = python_run(1)
    z = model.logits(test.features)
    assert z.shape == (len(test), test.num_classes)
    predicted = model.predict(test.features)
    np.testing.assert_array_equal(predicted, z.argmax(axis=1))
    assert np.mean(predicted == test.labels) == pytest.approx(model.evaluate(test).accuracy)
    # One sample (1-D) gives one row.
    np.testing.assert_allclose(model.logits(test.features[0]), z[:1])


def test_loss_and_gradient_matches_finite_differences():
    data = qnn.load_dataset("iris")
    train, _ = qnn.train_test_split(data, 0.2, 7)
    model = qnn.QuantumClassifier(qnn.ClassifierConfig(qubits=4, layers=1), seed=3)
    model.fit_standardizer(train)
    idx = np.arange(8)
    loss, grad = model.loss_and_gradient(train, idx)
    w0 = model.weights
    for i in (0, 5, len(w0) - 1):  # a circuit weight, another, and a classical bias
        e = np.zeros_like(w0)
        e[i] = 1e-5
        model.weights = w0 + e
        up, _ = model.loss_and_gradient(train, idx)
        model.weights = w0 - e
        down, _ = model.loss_and_gradient(train, idx)
        assert grad[i] == pytest.approx((up - down) / 2e-5, abs=1e-7)
    model.weights = w0
    assert model.loss_and_gradient(train, idx)[0] == loss
