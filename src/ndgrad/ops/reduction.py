"""Reductions: sum, mean (more are added alongside: prod, max/min, var/std, norms, cumulative ops).

Backward of a reduction over ``dims`` re-inserts the reduced axes (when ``keepdim=False``) and
broadcasts with ``expand``, so every formula stays differentiable.
"""
import numpy as np

from .. import _dtype
from ._core import Node, Tensor, wrap, edge, mode, attach, dims_arg

__all__ = ["sum", "mean"]


def _axes(dim, ndim):
    """None (all axes) or a tuple of non-negative axes; ``dim=()`` / ``[]`` means all, as in torch."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return None
    return dims_arg(dim, ndim)


def expand_reduced(grad, shape, axes, keepdim):
    """Broadcast a reduction's gradient back to the input ``shape``."""
    if axes is None:
        if grad.ndim:
            grad = grad.reshape(())
        return grad.expand(shape) if shape else grad
    if not keepdim:
        for ax in axes:
            grad = grad.unsqueeze(ax)
    return grad.expand(shape)


class SumBackward0(Node):
    """Full sum (``x.sum()``)."""

    __slots__ = ("shape",)

    def backward(self, grad):
        return grad.expand(self.shape) if self.shape else grad


class SumBackward1(Node):
    """Sum over ``dim``."""

    __slots__ = ("shape", "axes", "keepdim")

    def backward(self, grad):
        return expand_reduced(grad, self.shape, self.axes, self.keepdim)


def _sum_dtype(d, dtype):
    if dtype is not None:
        return _dtype.to_dtype(dtype).np
    if d.dtype.kind in "biu":  # torch sums bool and integer tensors in int64
        return np.int64
    return None


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of all elements, or over ``dim`` (int or tuple)."""
    d = input._data
    axes = _axes(dim, d.ndim)
    np_dt = _sum_dtype(d, dtype)
    data = np.sum(d, axis=axes, keepdims=keepdim, dtype=np_dt)
    if data.__class__ is not np.ndarray:
        data = np.asarray(data)
    out = wrap(data)
    if mode.enabled and input._rg:
        if dim is None:
            node = SumBackward0(edge(input))
        else:
            node = SumBackward1(edge(input))
            node.axes = axes
            node.keepdim = keepdim
        node.shape = d.shape
        attach(out, node)
        if data.dtype != d.dtype:
            node._in_meta = [(None, d.dtype)]
    return out


class MeanBackward0(Node):
    __slots__ = ("shape", "axes", "keepdim", "count")

    def backward(self, grad):
        return expand_reduced(grad / self.count, self.shape, self.axes, self.keepdim)


MeanBackward1 = type("MeanBackward1", (MeanBackward0,), {"__slots__": ()})


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Arithmetic mean; floating (or complex) inputs only, as in torch."""
    d = input._data
    if dtype is None and d.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex "
            f"dtype. Got: {input.dtype.name.capitalize()}")
    axes = _axes(dim, d.ndim)
    np_dt = None if dtype is None else _dtype.to_dtype(dtype).np
    if d.size == 0 or (axes is not None and any(d.shape[a] == 0 for a in axes)):
        with np.errstate(invalid="ignore", divide="ignore"):
            data = np.mean(d, axis=axes, keepdims=keepdim, dtype=np_dt)
    else:
        data = np.mean(d, axis=axes, keepdims=keepdim, dtype=np_dt)
    if data.__class__ is not np.ndarray:
        data = np.asarray(data)
    if data.dtype != (np_dt or d.dtype):
        data = data.astype(np_dt or d.dtype)
    out = wrap(data)
    if mode.enabled and input._rg:
        node = (MeanBackward0 if dim is None else MeanBackward1)(edge(input))
        node.shape = d.shape
        node.axes = axes
        node.keepdim = keepdim
        node.count = d.size // max(data.size, 1) if d.size else 0
        attach(out, node)
    return out


Tensor.sum = sum
Tensor.mean = mean
