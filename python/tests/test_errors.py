"""Bad arguments raise Python exceptions (never crash the interpreter), with the command line's messages."""
import math

import numpy as np
import pytest

import qnn


@pytest.fixture
def circuit():
    return qnn.Circuit(2).ry(0, qnn.theta(0)).ry(1, qnn.x(0)).cx(0, 1)


def test_wrong_dtypes(circuit):
    with pytest.raises(TypeError, match="real numbers"):
        qnn.expval(circuit, "Z0", np.array([1 + 1j]), [0.1])
    with pytest.raises(TypeError):
        qnn.expval(circuit, "Z0", ["a"], [0.1])
    with pytest.raises(TypeError):
        qnn.expval(circuit, "Z0", [0.1], object())
    with pytest.raises(TypeError):
        qnn.Dataset([[1.0]], [0.5])  # fractional labels
    with pytest.raises(TypeError):
        circuit.ry(0.5, 1.0)  # a float qubit
    with pytest.raises(TypeError, match="angle 0 must be a number"):
        circuit.ry(0, "a")
    # Integer and float32 arrays are real numbers: converted, not refused.
    assert qnn.expval(circuit, "Z0", np.array([0], dtype=np.int32), np.array([0.0], dtype=np.float32)) == 1.0


def test_wrong_shapes(circuit):
    with pytest.raises(ValueError, match="1-D"):
        qnn.expval(circuit, "Z0", np.zeros((2, 2)), [0.1])
    with pytest.raises(ValueError, match="2-D"):
        qnn.expval_batch(circuit, "Z0", [0.1], np.zeros(3))
    with pytest.raises(ValueError):
        qnn.expval(circuit, "Z0", [], [0.1])  # theta shorter than the circuit needs
    with pytest.raises(ValueError):
        qnn.expval_batch(circuit, "Z0", [0.1], np.zeros((4, 0)))  # no input features
    with pytest.raises(ValueError, match="weights must be 4 x 1"):
        qnn.vjp_batch(circuit, "Z0", [0.1], np.zeros((4, 1)), np.zeros((3, 1)))
    with pytest.raises(ValueError):
        qnn.Dataset(np.zeros((3, 2)), [0, 1])
    with pytest.raises(TypeError, match="takes 2 qubits"):
        circuit.cx(0)


def test_negative_and_out_of_range_sizes(circuit):
    for make in (lambda: qnn.Circuit(-1), lambda: qnn.StateVector(-2), lambda: circuit.h(-1),
                 lambda: qnn.theta(-1), lambda: qnn.Z(-3), lambda: qnn.StateVector(2).sample(-5)):
        with pytest.raises(ValueError, match=">= 0"):
            make()
    with pytest.raises(ValueError):
        circuit.h(2)  # qubit out of range
    with pytest.raises(ValueError, match="acts on qubit 5"):
        qnn.expval(circuit, "Z5", [0.1], [0.2])
    with pytest.raises(ValueError):
        qnn.ClassifierConfig(qubits=-4)
    with pytest.raises(TypeError, match="unexpected keyword"):
        qnn.TrainOptions(epoch=3)


def test_nan_and_inf(circuit):
    with pytest.raises(ValueError):
        qnn.expval(circuit, "Z0", [math.nan], [0.1])
    with pytest.raises(ValueError):
        qnn.expval_batch(circuit, "Z0", [0.1], np.array([[0.1], [math.inf]]))
    with pytest.raises(ValueError):
        qnn.adjoint_gradient(circuit, "Z0", [0.1], [math.nan])
    with pytest.raises(ValueError, match="finite"):
        qnn.Dataset(np.array([[0.0], [math.nan]]), [0, 1])
    with pytest.raises(ValueError):
        qnn.expval(qnn.Circuit(1).rx(0, math.nan), "Z0")


def test_too_large_a_state_is_memory_error():
    with pytest.raises(MemoryError, match="needs"):
        qnn.StateVector(48)


def test_parse_errors_are_qasm_errors_with_the_cli_message(tmp_path, run_cli):
    bad = tmp_path / "bad.qasm"
    bad.write_text('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\nfoo q[0];\n')
    with pytest.raises(qnn.QasmError) as info:
        qnn.qasm.read_file(str(bad))
    assert isinstance(info.value, ValueError)
    assert info.value.line == 4 and info.value.file.endswith("bad.qasm")
    cli = run_cli("draw", bad, check=False)
    assert cli.returncode == 1
    assert cli.stderr.strip() == f"qnn: error: {info.value}"


def test_value_and_io_error_messages_match_the_cli(run_cli, tmp_path):
    with pytest.raises(ValueError) as info:
        qnn.load_dataset("iris:classes=0,7")
    cli = run_cli("train", "--data", "iris:classes=0,7", "--out", tmp_path, "--quiet", check=False)
    assert cli.returncode == 1
    assert cli.stderr.strip() == f"qnn: error: {info.value}"
    with pytest.raises(OSError) as info:  # qnn.IoError
        qnn.load_dataset("no-such-file.csv")
    assert isinstance(info.value, qnn.IoError)
    cli = run_cli("train", "--data", "no-such-file.csv", "--out", tmp_path, "--quiet", check=False)
    assert cli.stderr.strip() == f"qnn: error: {info.value}"


def test_observable_parse_error():
    with pytest.raises(qnn.ParseError, match="column|:1:"):
        qnn.PauliSum("Z0 + + Q1")


def test_callback_exceptions_propagate():
    data = qnn.load_dataset("iris")
    train, _ = qnn.train_test_split(data, 0.2, 7)
    model = qnn.QuantumClassifier(qnn.ClassifierConfig(), 7)

    def stop(metrics):
        raise KeyError("stop here")

    with pytest.raises(KeyError, match="stop here"):
        qnn.train(model, train, options=qnn.TrainOptions(epochs=2), on_epoch=stop)
