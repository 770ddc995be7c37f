"""The configurable classifier from Python: every ClassifierConfig field, the same training as `qnn train` with the
same options, C++ validation messages as ValueError, and evaluation under a noise model."""
import json

import numpy as np
import pytest

import qnn

EPOCHS = 2  # short runs: every epoch goes through the same code

# Pairs of (Python keywords, the `qnn train` options that mean the same).
HYBRID = (dict(qubits=4, layers=2, hidden="4:tanh", head=[(8, "tanh")], readout="z-all"),
          ["--qubits", 4, "--layers", 2, "--hidden", "4:tanh", "--head", "8:tanh", "--readout", "z-all"])
REUPLOAD_PCA = (dict(qubits=3, layers=2, encoding="angle-y", reupload=True, reupload_scaling="scale",
                     ansatz="hea-ring", rotation="ry-rz", pca_components=3, loss="hinge"),
                ["--qubits", 3, "--layers", 2, "--encoding", "angle-y", "--reupload", "--reupload-scaling", "scale",
                 "--ansatz", "hea-ring", "--rotation", "ry-rz", "--pca", 3, "--loss", "hinge"])


def python_run(keywords, epochs=EPOCHS):
    data = qnn.load_dataset("iris")
    train, test = qnn.train_test_split(data, test_fraction=0.2, seed=7)
    config = qnn.ClassifierConfig(num_features=data.num_features, num_classes=data.num_classes, **keywords)
    model = qnn.QuantumClassifier(config, seed=7)
    model.fit_standardizer(train)  # and the PCA, when the config asks for one
    options = qnn.TrainOptions(epochs=epochs, batch_size=16, learning_rate=0.05, seed=7)
    qnn.train(model, train, test, options=options)
    return model, train, test


@pytest.mark.parametrize("keywords,cli_options", [HYBRID, REUPLOAD_PCA], ids=["hidden-head-z-all", "reupload-pca"])
def test_configured_model_trains_as_the_cli(tmp_path, run_cli, keywords, cli_options):
    model, train, test = python_run(keywords)
    out = tmp_path / "run"
    run_cli("train", "--data", "iris", *cli_options, "--epochs", EPOCHS, "--batch", 16, "--lr", 0.05, "--seed", 7,
            "--out", out, "--quiet")
    saved = json.loads((out / "model.json").read_text())
    summary = json.loads((out / "summary.json").read_text())
    # Bit for bit: the same architecture, initial weights, split, shuffles and arithmetic.
    np.testing.assert_array_equal(model.weights, np.array(saved["weights"]))
    assert model.evaluate(train).accuracy == summary["train_accuracy"]
    assert model.evaluate(test).accuracy == summary["test_accuracy"]
    assert model.evaluate(train).loss == pytest.approx(summary["loss"], rel=1e-15)


def test_config_fields_round_trip_and_repr_rebuilds_them():
    c = qnn.ClassifierConfig(qubits=5, encoding="zz", encoding_reps=2, encoding_pairs="linear", ansatz="hea-full",
                             rotation="u3", readout=["Z0 Z1", "X2"], hidden=[16, "8:relu", (4, "tanh")],
                             head="6:sigmoid", loss="mse", pca_components=2, precision="single")
    assert (c.encoding, c.encoding_reps, c.encoding_pairs) == ("zz", 2, "linear")
    assert (c.ansatz, c.rotation, c.loss, c.pca_components) == ("hea-full", "u3", "mse", 2)
    assert c.readout == "pauli" and c.pauli_readout == ["Z0 Z1", "X2"]
    assert c.hidden == [(16, "linear"), (8, "relu"), (4, "tanh")] and c.head == [(6, "sigmoid")]
    again = eval(repr(c), {"ClassifierConfig": qnn.ClassifierConfig})
    assert repr(again) == repr(c)
    # One letter is the original angle encoding; a kind name replaces Pauli sums.
    c.encoding, c.readout = "x", "z-all"
    assert (c.encoding, c.readout, c.pauli_readout) == ("X", "z-all", [])
    # The CLI's ';'-separated Pauli sums.
    c.readout = "Z0; Z1 Z2"
    assert c.pauli_readout == ["Z0", "Z1 Z2"]


@pytest.mark.parametrize("keywords,message", [
    (dict(loss="cross"), "unknown loss 'cross' (known: cross-entropy, mse, mse-pm1, hinge, fidelity)"),
    (dict(encoding_pairs="ring"), "unknown entanglement 'ring' (available: linear, circular, full)"),
    (dict(reupload_scaling="shift"), "reupload_scaling must be none, scale or affine, got 'shift'"),
])
def test_bad_field_is_a_value_error_with_the_cpp_message(keywords, message):
    with pytest.raises(ValueError) as e:
        qnn.ClassifierConfig(**keywords)
    assert str(e.value) == message


@pytest.mark.parametrize("keywords", [dict(ansatz="wavy"), dict(readout="z-some"), dict(hidden="4:swish"),
                                      dict(head=[(0, "tanh")]), dict(encoding="amplitude-ish")])
def test_unknown_names_are_value_errors(keywords):
    with pytest.raises(ValueError):
        qnn.ClassifierConfig(**keywords)


def test_inconsistent_config_is_a_value_error_from_the_constructor():
    config = qnn.ClassifierConfig(qubits=4, num_classes=3, readout="probabilities", loss="fidelity", head="8:tanh")
    with pytest.raises(ValueError) as e:
        qnn.QuantumClassifier(config)
    assert str(e.value) == "the fidelity loss reads the readout probabilities directly: no head layers"


def test_describe_probabilities_and_shots():
    model, train, test = python_run(HYBRID[0], epochs=1)
    assert "4 qubits" in model.describe() and model.describe() in repr(model)
    assert model.num_circuit_inputs == 4
    p = model.probabilities(test.features)
    z = model.logits(test.features)
    np.testing.assert_allclose(p, np.exp(z) / np.exp(z).sum(axis=1, keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(p.sum(axis=1), 1.0)
    # Shots estimate the readout: seeded, close to exact with many shots, exact with none.
    exact = model.evaluate(test)
    assert model.evaluate(test, shots=0).loss == exact.loss
    a, b = model.evaluate(test, shots=200, seed=3), model.evaluate(test, shots=200, seed=3)
    assert a.loss == b.loss and a.loss != exact.loss
    assert model.evaluate(test, shots=100000, seed=3).loss == pytest.approx(exact.loss, abs=0.02)


@pytest.fixture(scope="module")
def trained():
    return python_run(HYBRID[0], epochs=3)


def test_noiseless_noise_model_gives_the_exact_score(trained):
    model, _, test = trained
    exact = model.evaluate(test)
    zero = model.evaluate(test, noise="depolarizing:0")
    assert zero.accuracy == exact.accuracy
    assert zero.loss == pytest.approx(exact.loss, rel=1e-10)
    assert not model.has_noise  # evaluate(noise=...) leaves the model as it was


def test_noise_costs_loss_and_mitigation_recovers_some(trained):
    model, _, test = trained
    exact = model.evaluate(test)
    noisy = model.evaluate(test, noise="depolarizing:0.05")
    assert noisy.loss > exact.loss + 1e-3 or noisy.accuracy < exact.accuracy
    mitigated = model.evaluate(test, noise="depolarizing:0.05", mitigate="zne")
    assert abs(mitigated.loss - exact.loss) < abs(noisy.loss - exact.loss)
    # A NoiseModel object and set_noise give the same numbers as the spec string.
    assert model.evaluate(test, noise=qnn.NoiseModel("depolarizing:0.05")).loss == noisy.loss
    copy = qnn.QuantumClassifier(model.config, seed=7)
    copy.set_standardizer(model.standardizer)
    copy.weights = model.weights
    copy.set_noise("depolarizing:0.05")
    assert copy.has_noise and copy.evaluate(test).loss == noisy.loss
    copy.set_noise(None)
    assert not copy.has_noise and copy.evaluate(test).loss == exact.loss


def test_noise_argument_errors(trained):
    model, _, test = trained
    with pytest.raises(ValueError, match="nothing to mitigate"):
        model.evaluate(test, mitigate="zne")
    with pytest.raises(ValueError, match="shots cannot be combined with noise"):
        model.evaluate(test, shots=100, noise="depolarizing:0.01")
    with pytest.raises(ValueError):
        model.evaluate(test, noise="depolarizing:0.01", mitigate="magic")
    with pytest.raises(TypeError):
        model.evaluate(test, noise=0.01)


def test_training_under_noise_follows_the_noisy_gradient():
    data = qnn.load_dataset("iris")
    train, _ = qnn.train_test_split(data, 0.2, 7)
    model = qnn.QuantumClassifier(qnn.ClassifierConfig(qubits=4, layers=1), seed=3)
    model.fit_standardizer(train)
    model.set_noise("depolarizing:0.02")
    before = model.evaluate(train)
    qnn.train(model, train, options=qnn.TrainOptions(epochs=1, batch_size=16, learning_rate=0.05, seed=3))
    assert model.evaluate(train).loss < before.loss
    with pytest.raises(ValueError, match="gradient='adjoint'"):
        qnn.train(model, train, options=qnn.TrainOptions(epochs=1, gradient="parameter-shift"))
