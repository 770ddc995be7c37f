"""qnn: quantum neural networks on a fast state-vector simulator.

The C++ library through pybind11: circuits whose angles are expressions over trainable weights ``theta(i)`` and inputs
``x(j)``, state vectors as zero-copy NumPy views, exact expectations (single and batched over a NumPy batch of
inputs), adjoint / parameter-shift / finite-difference gradients, OpenQASM 2/3 in and out, data sets, the QNN
classifier and its trainer, quantum kernels with kernel SVM / ridge. Qubit k is bit k of an amplitude index
(little-endian). The GIL is released while the simulator runs.

    >>> import qnn
    >>> c = qnn.Circuit(2).h(0).cx(0, 1)
    >>> qnn.expval(c, "Z0 Z1")
    1.0

PyTorch: ``qnn.torch.QuantumLayer`` (imported on demand, needs torch).
"""
from . import _qnn
from ._qnn import *  # noqa: F401,F403  (the public names of the extension)
from ._qnn import qasm, qec, ParseError, QasmError, IoError  # noqa: F401

__version__ = _qnn.__version__

# The extension's classes report module "qnn" (they are used as qnn.X).
for _name in dir(_qnn):
    _obj = getattr(_qnn, _name)
    if isinstance(_obj, type) and getattr(_obj, "__module__", "") == "qnn._qnn":
        try:
            _obj.__module__ = "qnn"
        except (AttributeError, TypeError):
            pass
del _name, _obj


def __getattr__(name):
    # `qnn.torch` without importing torch for users who never touch it.
    if name == "torch":
        import importlib

        return importlib.import_module(".torch", __name__)
    raise AttributeError(f"module 'qnn' has no attribute {name!r}")
