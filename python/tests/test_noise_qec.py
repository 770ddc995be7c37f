"""Noise and QEC from Python: closed forms of simple channels, trajectories against the exact density matrix, and
memory experiments whose failures follow from the noise."""
import math

import pytest

import qnn


def test_bit_flip_closed_form():
    # RX(a) then a bit flip with p: <Z> = (1 - 2p) cos a; depolarizing p: <Z> = (1 - p) cos a.
    a = 0.7
    c = qnn.Circuit(1).rx(0, qnn.theta(0))
    assert qnn.expval_density_matrix(c, qnn.NoiseModel("bit_flip:0.1"), "Z0", [a]) == pytest.approx(0.8 * math.cos(a))
    assert qnn.expval_density_matrix(c, qnn.NoiseModel("depolarizing:0.2"), "Z0", [a]) == pytest.approx(
        0.8 * math.cos(a))
    assert qnn.NoiseModel("depolarizing:0.2").is_noiseless is False


def test_trajectories_agree_with_the_density_matrix():
    c = qnn.Circuit(2).h(0).cx(0, 1).ry(1, 0.4)
    noise = qnn.NoiseModel("amplitude_damping:0.1")
    exact = qnn.expval_density_matrix(c, noise, "Z0 Z1")
    mean, stderr = qnn.expval_trajectories(c, noise, "Z0 Z1", trajectories=2000, seed=3)
    assert abs(mean - exact) < 5 * stderr + 1e-12
    assert (mean, stderr) == qnn.expval_trajectories(c, noise, "Z0 Z1", trajectories=2000, seed=3)
    shots = qnn.sample_noisy(c, noise, shots=100, trajectories=10, seed=1)
    assert len(shots) == 100 and shots.max() < 4


def test_bad_noise_spec_raises():
    with pytest.raises(ValueError):
        qnn.NoiseModel("depolarizing:1.5")


def test_memory_experiment():
    clean = qnn.qec.memory_experiment("repetition", 3, rounds=2, noise="none", p=0.0, decoder="mwpm", shots=640)
    assert clean.failures == 0 and clean.shots == 640
    noisy = qnn.qec.memory_experiment("repetition", 3, rounds=1, noise="code-capacity", p=0.2, decoder="lookup",
                                      shots=6400, seed=2)
    # Distance 3 under i.i.d. flips fails when 2 or 3 of the 3 data qubits flip: 3p^2(1-p) + p^3 = 0.104.
    sigma = math.sqrt(0.104 * 0.896 / 6400)
    assert abs(noisy.rate - 0.104) < 5 * sigma
    assert noisy.low <= noisy.rate <= noisy.high
    with pytest.raises(ValueError):
        qnn.qec.memory_experiment("surface", 4)  # even distance
