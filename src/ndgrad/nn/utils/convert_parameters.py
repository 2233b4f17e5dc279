"""Flatten parameters into one vector and back (for second-order methods, evolution strategies ...).

Example:
    >>> vec = nn.utils.parameters_to_vector(model.parameters())
    >>> nn.utils.vector_to_parameters(vec * 0.5, model.parameters())
"""
import numpy as np

from ..._tensor import Tensor, _wrap
from ...autograd.node import Node
from ...ops._core import edge, mode, attach

__all__ = ["parameters_to_vector", "vector_to_parameters"]


class CatBackward0(Node):
    """Backward of the flattening concatenation: each parameter gets its slice, reshaped."""

    __slots__ = ("sizes", "shapes")

    def backward(self, grad):
        out = []
        start = 0
        for n, shape in zip(self.sizes, self.shapes):
            out.append(grad[start:start + n].reshape(shape))
            start += n
        return tuple(out)


def parameters_to_vector(parameters):
    """One 1-d tensor holding every parameter flattened, in order (differentiable, like torch.cat)."""
    params = list(parameters)
    if not params:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    for p in params:
        if not isinstance(p, Tensor):
            raise TypeError(f"expected torch.Tensor, but got: {type(p).__name__}")
    data = np.concatenate([p._data.reshape(-1) for p in params])
    out = _wrap(data)
    if mode.enabled and any(p._rg for p in params):
        node = CatBackward0(*[edge(p) for p in params])
        node.sizes = [p._data.size for p in params]
        node.shapes = [p._data.shape for p in params]
        attach(out, node)
        node._in_meta = [(p._data.shape, None if p._data.dtype == data.dtype else p._data.dtype) for p in params]
    return out


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-d ``vec`` into the parameters' ``.data`` (sharing its memory)."""
    if not isinstance(vec, Tensor):
        from ..modules.module import typename
        raise TypeError(f"expected torch.Tensor, but got: {typename(vec)}")
    pointer = 0
    vd = vec._data
    for param in parameters:
        n = param.numel()
        param.data = _wrap(vd[pointer:pointer + n].reshape(param._data.shape))
        pointer += n
