"""States through NumPy: closed-form amplitudes, the little-endian convention, zero-copy views that keep the state
alive."""
import math

import numpy as np
import pytest

import qnn


def test_bell_amplitudes():
    psi = qnn.simulate(qnn.Circuit(2).h(0).cx(0, 1))
    amp = np.asarray(psi)
    s = 1 / math.sqrt(2)
    np.testing.assert_allclose(amp, [s, 0, 0, s], atol=1e-15)
    assert amp.dtype == np.complex128


def test_ghz_amplitudes_and_probabilities():
    n = 5
    c = qnn.Circuit(n).h(0)
    for k in range(n - 1):
        c.cnot(k, k + 1)
    psi = qnn.simulate(c)
    expected = np.zeros(2**n, complex)
    expected[0] = expected[-1] = 1 / math.sqrt(2)
    np.testing.assert_allclose(psi.amplitudes, expected, atol=1e-15)
    np.testing.assert_allclose(psi.probabilities(), np.abs(expected) ** 2, atol=1e-15)
    assert psi.norm_squared() == pytest.approx(1.0, abs=1e-14)


def test_qubit_k_is_bit_k():
    # X on qubit 2 of 3 gives |100> = index 4 (little-endian).
    psi = qnn.simulate(qnn.Circuit(3).x(2))
    assert np.argmax(np.abs(psi.amplitudes)) == 4
    assert psi.probability_one(2) == 1.0 and psi.probability_one(0) == 0.0


def test_amplitudes_are_a_view_that_keeps_the_state_alive():
    psi = qnn.StateVector(3)
    view = psi.amplitudes
    assert np.shares_memory(view, np.asarray(psi))
    view[0] = 0
    view[5] = 1j
    assert psi.probability_one(0) == 1.0  # the write went into the simulator's memory
    del psi
    assert view[5] == 1j  # the view still owns a reference to the state


def test_from_amplitudes_and_inner_product():
    rng = np.random.default_rng(1)
    a = rng.normal(size=8) + 1j * rng.normal(size=8)
    a /= np.linalg.norm(a)
    psi = qnn.StateVector.from_amplitudes(a)
    np.testing.assert_allclose(psi.amplitudes, a)
    phi = qnn.simulate(qnn.Circuit(3).h(1))
    assert psi.inner(phi) == pytest.approx(np.vdot(a, phi.amplitudes))


def test_apply_matrix_matches_the_gate():
    psi = qnn.StateVector(2)
    psi.apply_matrix([1], qnn.gate_matrix("h"))
    np.testing.assert_allclose(psi.amplitudes, qnn.simulate(qnn.Circuit(2).h(1)).amplitudes, atol=1e-15)


def test_sampling_is_seeded_and_follows_the_born_rule():
    psi = qnn.simulate(qnn.Circuit(2).h(0).cx(0, 1))
    shots = psi.sample(4000, seed=3)
    assert shots.dtype == np.uint64 and shots.shape == (4000,)
    assert set(np.unique(shots)) <= {0, 3}
    # Binomial(4000, 1/2): sigma = sqrt(4000)/2 ~ 31.6; 5 sigma.
    assert abs(np.count_nonzero(shots == 3) - 2000) < 5 * 31.7
    np.testing.assert_array_equal(shots, psi.sample(4000, seed=3))


def test_gate_table():
    names = [g.name for g in qnn.gates()]
    assert {"h", "cx", "ry", "rzz", "ccx"} <= set(names)
    ry = qnn.gate_matrix("ry", [0.7])
    np.testing.assert_allclose(ry, [[math.cos(0.35), -math.sin(0.35)], [math.sin(0.35), math.cos(0.35)]], atol=1e-15)
