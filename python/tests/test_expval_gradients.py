"""Expectations against closed forms, batched against single runs, and every gradient method against central finite
differences of expval (an independent computation)."""
import math

import numpy as np
import pytest

import qnn
from qnn import theta, x


def test_expval_closed_forms():
    # RX(a) then RY(b) on |0>: <Z> = cos a cos b; <X> = sin b; Bell state: <Z0 Z1> = 1, <X0 X1> = 1, <Z0> = 0.
    a, b = 0.3, -1.1
    c = qnn.Circuit(1).rx(0, theta(0)).ry(0, theta(1))
    assert qnn.expval(c, qnn.Z(0), [a, b]) == pytest.approx(math.cos(a) * math.cos(b), abs=1e-14)
    assert qnn.expval(c, "X0", [0.0, b]) == pytest.approx(math.sin(b), abs=1e-14)
    bell = qnn.Circuit(2).h(0).cx(0, 1)
    np.testing.assert_allclose(qnn.expval(bell, ["Z0 Z1", qnn.X(0) * qnn.X(1), "Z0"]), [1, 1, 0], atol=1e-14)
    # A weighted sum is linear: <0.5 Z0 Z1 - 2 X0 X1> = -1.5.
    assert qnn.expval(bell, 0.5 * (qnn.Z(0) * qnn.Z(1)) - 2 * (qnn.X(0) * qnn.X(1))) == pytest.approx(-1.5)


def test_expressions_over_inputs():
    # RY(2 x0 + theta0) on |0>: <Z> = cos(2 x0 + theta0).
    c = qnn.Circuit(1).ry(0, 2 * x(0) + theta(0))
    assert qnn.expval(c, "Z0", [0.25], [0.4]) == pytest.approx(math.cos(1.05), abs=1e-14)
    e = qnn.cos(x(0)) * theta(1) - 1
    assert e.eval([0.0, 3.0], [0.5]) == pytest.approx(3 * math.cos(0.5) - 1)


def model_circuit(n=3):
    c = qnn.Circuit(n)
    for q in range(n):
        c.ry(q, x(q))
    k = 0
    for _ in range(2):
        for q in range(n):
            c.rx(q, theta(k)).rz(q, theta(k + 1))
            k += 2
        for q in range(n):
            c.crx(q, (q + 1) % n, theta(k))
            k += 1
    return c


def test_batched_expectations_equal_single_runs():
    c = model_circuit()
    rng = np.random.default_rng(5)
    th = rng.uniform(-np.pi, np.pi, c.num_theta)
    xs = rng.uniform(0, np.pi, (70, 3))  # more than one chunk of the batch
    obs = ["Z0", "Z1 Z2", qnn.X(0)]
    batch = qnn.expval_batch(c, obs, th, xs)
    assert batch.shape == (70, 3)
    single = np.array([qnn.expval(c, obs, th, row) for row in xs])
    np.testing.assert_allclose(batch, single, atol=1e-12)


def central_differences(c, obs, th, xs, h=1e-5):
    g = np.zeros_like(th)
    for i in range(len(th)):
        e = np.zeros_like(th)
        e[i] = h
        g[i] = (qnn.expval(c, obs, th + e, xs) - qnn.expval(c, obs, th - e, xs)) / (2 * h)
    return g


def test_gradients_equal_finite_differences():
    c = model_circuit()
    rng = np.random.default_rng(2)
    th = rng.uniform(-np.pi, np.pi, c.num_theta)
    xs = rng.uniform(0, np.pi, 3)
    obs = qnn.PauliSum("Z0 Z1 + 0.5 X2")
    fd = central_differences(c, obs, th, xs)
    adj = qnn.adjoint_gradient(c, obs, th, xs)
    assert adj.value == pytest.approx(qnn.expval(c, obs, th, xs), abs=1e-14)
    # Central differences err by O(h^2) ~ 1e-10 and rounding ~ 1e-16/h ~ 1e-11.
    np.testing.assert_allclose(adj.theta, fd, atol=1e-8)
    ps = qnn.parameter_shift_gradient(c, obs, th, xs)
    np.testing.assert_allclose(ps.theta, adj.theta, atol=1e-12)  # shift rules are exact
    np.testing.assert_allclose(qnn.finite_difference_gradient(c, obs, th, xs).theta, adj.theta, atol=1e-7)
    # d/dx through the encoding angles.
    fdx = np.array([(qnn.expval(c, obs, th, xs + h) - qnn.expval(c, obs, th, xs - h)) / 2e-5
                    for h in np.eye(3) * 1e-5])
    np.testing.assert_allclose(adj.x, fdx, atol=1e-8)


def test_batched_vjp_equals_a_sum_of_single_gradients():
    c = model_circuit()
    rng = np.random.default_rng(9)
    th = rng.uniform(-np.pi, np.pi, c.num_theta)
    xs = rng.uniform(0, np.pi, (5, 3))
    obs = ["Z0", "Z1"]
    w = rng.normal(size=(5, 2))
    values, dtheta, dx = qnn.vjp_batch(c, obs, th, xs, w)
    np.testing.assert_allclose(values, qnn.expval_batch(c, obs, th, xs), atol=1e-12)
    expect_theta = np.zeros_like(th)
    for b in range(5):
        for k in range(2):
            g = qnn.adjoint_gradient(c, obs[k], th, xs[b])
            expect_theta += w[b, k] * g.theta
            np.testing.assert_allclose(dx[b], sum(w[b, j] * qnn.adjoint_gradient(c, obs[j], th, xs[b]).x
                                                  for j in range(2)), atol=1e-12)
    np.testing.assert_allclose(dtheta, expect_theta, atol=1e-12)


def test_batched_vjp_per_sample_rows_are_single_gradients():
    c = model_circuit()
    rng = np.random.default_rng(11)
    th = rng.uniform(-np.pi, np.pi, c.num_theta)
    xs = rng.uniform(0, np.pi, (6, 3))
    obs = ["Z0", "Z1"]
    w = rng.normal(size=(6, 2))
    values, rows, dx = qnn.vjp_batch(c, obs, th, xs, w, per_sample=True)
    assert rows.shape == (6, c.num_theta)
    for b in range(6):
        expect = sum(w[b, k] * qnn.adjoint_gradient(c, obs[k], th, xs[b]).theta for k in range(2))
        np.testing.assert_allclose(rows[b], expect, atol=1e-12)
    _, summed, _ = qnn.vjp_batch(c, obs, th, xs, w)
    np.testing.assert_allclose(rows.sum(axis=0), summed, atol=1e-12)


def test_shot_estimate_within_five_sigma():
    psi = qnn.simulate(qnn.Circuit(1).ry(0, 1.0))
    exact = math.cos(1.0)
    shots = 10000
    sigma = math.sqrt((1 - exact**2) / shots)
    assert abs(psi.estimate_expectation("Z0", shots, seed=4) - exact) < 5 * sigma


def test_light_cone_folds_the_cnot_ring_and_keeps_values_and_gradients():
    # RY(theta0) on 0, CX(0, 1), RZ(theta1) on 1: <Z1> = cos(theta0). The RZ drops, the CX folds Z1 into Z0 Z1.
    c = qnn.Circuit(2).ry(0, theta(0)).cx(0, 1).rz(1, theta(1))
    cone = qnn.light_cone(c, "Z1")
    assert cone.kept == [0] and cone.folded == 1 and cone.idle_weights == [1]
    assert str(cone.observables[0]) == str(qnn.PauliSum(qnn.Z(0) * qnn.Z(1)))
    assert cone.circuit.num_theta == 2
    assert qnn.expval(cone.circuit, cone.observables[0], [0.7, 0.2]) == pytest.approx(math.cos(0.7), abs=1e-14)
    # A strongly entangling model read out in Z: values, weight and input gradients of the cone equal the whole's.
    n = 4
    m = qnn.Circuit(n)
    for q in range(n):
        m.ry(q, x(q))
    k = 0
    for layer in range(2):
        for q in range(n):
            m.rz(q, theta(k)).ry(q, theta(k + 1)).rz(q, theta(k + 2))
            k += 3
        for q in range(n):
            m.cx(q, (q + layer + 1) % n)
    obs = ["Z0", "Z1"]
    cone = qnn.light_cone(m, obs)
    assert len(cone.kept) < len(m) and cone.folded > 0 and len(cone.idle_weights) >= 2
    rng = np.random.default_rng(3)
    th, xs, w = rng.uniform(-3, 3, k), rng.uniform(-2, 2, (5, n)), rng.uniform(-1, 1, (5, 2))
    whole = qnn.vjp_batch(m, obs, th, xs, w)
    cut = qnn.vjp_batch(cone.circuit, cone.observables, th, xs, w)
    for a, b in zip(whole, cut):
        np.testing.assert_allclose(b, a, atol=1e-12)
    assert np.all(cut[1][cone.idle_weights] == 0)


def test_empty_batch_gives_empty_results():
    c = qnn.Circuit(2).ry(0, qnn.theta(0)).ry(1, qnn.x(0)).cx(0, 1)
    values = qnn.expval_batch(c, "Z0", [0.1], np.zeros((0, 1)))
    assert values.shape == (0, 1)
    v, g_theta, g_x = qnn.vjp_batch(c, "Z0", [0.1], np.zeros((0, 1)), np.zeros((0, 1)))
    assert v.shape == (0, 1) and g_x.shape == (0, 1)
    np.testing.assert_array_equal(g_theta, [0.0])
    with pytest.raises(ValueError):
        qnn.expval_batch(c, "Z0", [float("nan")], np.zeros((0, 1)))  # θ is checked all the same
