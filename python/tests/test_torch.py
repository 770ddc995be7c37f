"""qnn.torch.QuantumLayer: its backward pass (qnn's batched adjoint) against torch's numerical gradcheck, and a qnn
circuit training inside a PyTorch model. Skipped when torch is not installed."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import qnn  # noqa: E402
from qnn.torch import QuantumLayer  # noqa: E402


def circuit():
    c = qnn.Circuit(2).ry(0, qnn.x(0)).ry(1, qnn.x(1))
    c.rx(0, qnn.theta(0)).ry(1, qnn.theta(1)).cx(0, 1).rz(1, qnn.theta(2)).ry(0, qnn.theta(3))
    return c


def test_forward_equals_expval_batch():
    layer = QuantumLayer(circuit(), ["Z0", "Z1"], seed=1)
    x = torch.rand(6, 2, dtype=torch.float64)
    y = layer(x)
    expect = qnn.expval_batch(circuit(), ["Z0", "Z1"], layer.weights.detach().numpy(), x.numpy())
    np.testing.assert_allclose(y.detach().numpy(), expect, atol=1e-14)


def test_backward_passes_gradcheck():
    layer = QuantumLayer(circuit(), ["Z0", "Z0 Z1"], seed=2)
    x = torch.rand(4, 2, dtype=torch.float64, requires_grad=True)
    fn = qnn.torch.QuantumFunction.apply
    assert torch.autograd.gradcheck(lambda xs, w: fn(xs, w, layer), (x, layer.weights), eps=1e-6, atol=1e-6)


def test_trains_inside_a_torch_model():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 2, dtype=torch.float64),
                                QuantumLayer(circuit(), ["Z0", "Z1"], seed=3))
    x = torch.rand(32, 3, dtype=torch.float64)
    target = torch.stack([torch.cos(x[:, 0]), -torch.sin(x[:, 1])], dim=1) * 0.8
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    losses = []
    for _ in range(40):
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), target)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.5 * losses[0]
