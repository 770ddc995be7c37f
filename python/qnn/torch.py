"""qnn circuits as PyTorch layers.

``QuantumLayer(circuit, observables)`` is a ``torch.nn.Module``: for inputs of shape (B, F) it returns the expectations
<O_k> of the circuit at (theta, x_b), shape (B, K), with theta a trainable ``nn.Parameter``. The forward pass runs
qnn's batched simulator; the backward pass is one batched adjoint sweep (``qnn.vjp_batch``) that gives the gradient with
respect to theta and, when the inputs need one, to x, so the layer trains inside any PyTorch model::

    model = torch.nn.Sequential(torch.nn.Linear(4, 2), QuantumLayer(circuit, ["Z0", "Z1"]), torch.nn.Linear(2, 3))

The simulation runs in double precision on the CPU; tensors on other devices or dtypes are converted on the way in
and the result is returned in the input's dtype and device.
"""
import math

import numpy as np
import torch

from . import _qnn

__all__ = ["QuantumLayer", "QuantumFunction"]


def _numpy(t):
    return np.ascontiguousarray(t.detach().to(device="cpu", dtype=torch.float64).numpy())


class QuantumFunction(torch.autograd.Function):
    """apply(inputs (B x F), weights (P), layer) -> (B x K) expectations, differentiable in inputs and weights."""

    @staticmethod
    def forward(ctx, inputs, weights, layer):
        # Only the gates that can change the observables are simulated, forward and backward (the same values and
        # gradients); cut again on every call, so a circuit changed after the layer was built is read as it is now.
        cone = _qnn.light_cone(layer.circuit, layer.observables)
        values = _qnn.expval_batch(cone.circuit, cone.observables, _numpy(weights), _numpy(inputs))
        ctx.save_for_backward(inputs, weights)
        ctx.cone = cone
        return torch.from_numpy(values).to(device=inputs.device, dtype=inputs.dtype)

    @staticmethod
    def backward(ctx, grad_output):
        inputs, weights = ctx.saved_tensors
        cone = ctx.cone
        want_x, want_w = ctx.needs_input_grad[0], ctx.needs_input_grad[1]
        _, dtheta, dx = _qnn.vjp_batch(cone.circuit, cone.observables, _numpy(weights), _numpy(inputs),
                                       _numpy(grad_output), wrt_inputs=want_x)
        grad_x = grad_w = None
        if want_x:
            grad_x = torch.from_numpy(dx).to(device=inputs.device, dtype=inputs.dtype)
        if want_w:
            grad_w = torch.from_numpy(dtheta[: weights.numel()]).to(device=weights.device, dtype=weights.dtype)
        return grad_x, grad_w, None


class QuantumLayer(torch.nn.Module):
    """A qnn circuit with trainable weights theta and inputs x as a PyTorch layer.

    circuit: a qnn.Circuit whose angles read theta(i) (the layer's weights) and x(j) (the input features).
    observables: one observable or a list (PauliSum, PauliString or text such as "Z0 Z1"); one output column each.
    weights: initial theta (default: uniform in [-pi, pi) drawn from `seed`, or from torch's generator if None).
    """

    def __init__(self, circuit, observables, weights=None, seed=None):
        super().__init__()
        self.circuit = circuit
        if isinstance(observables, (str, _qnn.PauliSum, _qnn.PauliString)):
            observables = [observables]
        self.observables = [o if isinstance(o, _qnn.PauliSum) else _qnn.PauliSum(o) for o in observables]
        n = circuit.num_theta
        if weights is None:
            generator = torch.Generator().manual_seed(seed) if seed is not None else None
            weights = (torch.rand(n, generator=generator, dtype=torch.float64) * 2 - 1) * math.pi
        weights = torch.as_tensor(weights, dtype=torch.float64).reshape(-1)
        if weights.numel() != n:
            raise ValueError(f"weights has {weights.numel()} values, the circuit reads {n}")
        self.weights = torch.nn.Parameter(weights.clone())

    def forward(self, inputs):
        one = inputs.dim() == 1
        x = inputs.unsqueeze(0) if one else inputs
        if x.dim() != 2:
            raise ValueError(f"inputs must be (batch, features) or (features,), got shape {tuple(inputs.shape)}")
        y = QuantumFunction.apply(x, self.weights, self)
        return y.squeeze(0) if one else y

    def extra_repr(self):
        return (f"qubits={self.circuit.num_qubits}, weights={self.circuit.num_theta}, "
                f"inputs={self.circuit.num_inputs}, observables=[{', '.join(map(str, self.observables))}]")
