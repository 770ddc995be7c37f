"""OpenQASM round trips, drawings, and the quantum-kernel SVM against the `qnn kernel` command line."""
import re

import numpy as np
import pytest

import qnn


def test_qasm_round_trip_preserves_the_state():
    c = qnn.Circuit(3).h(0).cx(0, 1).ry(2, 0.3).crz(1, 2, -0.7).u(0, 0.1, 0.2, 0.3)
    for write in (qnn.qasm.write_qasm2, qnn.qasm.write_qasm3):
        back = qnn.qasm.parse(write(c)).circuit()
        np.testing.assert_allclose(qnn.simulate(back).amplitudes, qnn.simulate(c).amplitudes, atol=1e-12)


def test_qasm3_inputs_become_parameters():
    c = qnn.Circuit(1).ry(0, qnn.theta(0))
    program = qnn.qasm.parse(qnn.qasm.write_qasm3(c))
    assert len(program.parameters) == 1
    theta = program.bind_parameters({program.parameters[0]: 0.5})
    assert qnn.expval(program.circuit(), "Z0", theta) == pytest.approx(np.cos(0.5))


def test_sample_counts_of_a_bell_program():
    program = qnn.qasm.parse('OPENQASM 2.0;\ninclude "qelib1.inc";\nqreg q[2];\ncreg c[2];\n'
                             'h q[0];\ncx q[0],q[1];\nmeasure q -> c;\n')
    counts = program.sample_counts(2000, seed=5)
    assert set(counts) <= {"00", "11"} and sum(counts.values()) == 2000
    assert abs(counts["11"] - 1000) < 5 * np.sqrt(2000) / 2  # 5 sigma


def test_draw():
    text = qnn.draw(qnn.Circuit(2).h(0).cx(0, 1))
    assert "H" in text and "●" in text and "⊕" in text


def kernel_split():
    data = qnn.select_classes(qnn.load_dataset("iris"), "1,2")
    train, test = qnn.train_test_split(data, 0.2, 7)
    train, test = (qnn.Standardizer.fit(train).transform(d) for d in (train, test))
    scaler = qnn.MinMaxScaler.fit(train)
    train, test = scaler.transform(train), scaler.transform(test)
    return train, test


def test_fidelity_kernel_properties():
    train, _ = kernel_split()
    kernel = qnn.FidelityKernel(qnn.Encoding("zz", 4, 4))
    x = train.features[:12] / 4
    k = kernel.matrix(x)
    np.testing.assert_array_equal(k, k.T)
    np.testing.assert_allclose(np.diag(k), 1.0, atol=1e-12)
    assert np.linalg.eigvalsh(k).min() > -1e-10  # positive semi-definite
    assert k[2, 7] == pytest.approx(kernel(x[2], x[7]), abs=1e-12)


def test_kernel_svm_reproduces_the_cli(run_cli):
    train, test = kernel_split()
    bandwidth = 1 / 4  # the CLI's automatic bandwidth for the zz map: 1 / features
    kernel = qnn.FidelityKernel(qnn.Encoding("zz", 4, 4))
    gram = kernel.matrix(train.features * bandwidth)
    cross = kernel.matrix(test.features * bandwidth, train.features * bandwidth)
    svm = qnn.KernelSvm(C=1.0)
    svm.fit(gram, train.labels)
    test_acc = qnn.prediction_accuracy(svm.predict(cross), test.labels)
    train_acc = qnn.prediction_accuracy(svm.predict(gram), train.labels)
    out = run_cli("kernel", "--data", "iris", "--classes", "1,2", "--encoding", "zz", "--seed", 7).stdout
    assert f"train accuracy {train_acc:.4f}" in out
    assert f"test accuracy {test_acc:.4f}" in out
    assert f"{svm.num_support_vectors} support vectors" in out
