"""softmax and log_softmax as fused ops.

Why fused (instead of exp / sum / div from primitives): subtracting the maximum along ``dim``
before exponentiating keeps them finite for any input (``exp(1000.)`` overflows), log_softmax is
computed as ``x - max - log(sum(exp(x - max)))`` without ever forming ``log(softmax)`` (which is
``-inf`` where softmax underflows), and one node instead of five keeps the per-op overhead low.

Their backward passes are fused ops too (torch's ``_softmax_backward_data``), recorded with their
own differentiable nodes (``SoftmaxBackwardDataBackward0``, ``LogSoftmaxBackwardDataBackward0``)
whose formulas are written with ndgrad ops, so softmax is differentiable to any order.
"""
import numpy as np

from .. import _dtype
from ._core import Node, Tensor, wrap, edge, mode, attach, wrap_dim
from .arith import not_implemented_for

__all__ = ["softmax", "log_softmax"]


def _axis(dim, ndim, fn):
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{fn}(): argument 'dim' (position 2) must be int, not {type(dim).__name__}")
    return wrap_dim(int(dim), ndim)


def _prepare(input, dim, dtype, fn):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    axis = _axis(dim, input._data.ndim, fn)
    if dtype is not None:
        input = input.to(_dtype.to_dtype(dtype))
    dt = input._data.dtype
    if dt.kind not in "fc":
        last = axis == input._data.ndim - 1 or input._data.ndim == 0
        raise not_implemented_for(f"{fn}_{'lastdim_' if last else ''}kernel_impl", dt)
    return input, axis if input._data.ndim else None


def _softmax_np(d, axis, log):
    if d.size == 0:
        return d.copy()
    if d.ndim == 0:
        return _softmax_np(d.reshape(1), 0, log).reshape(())
    e = d - d.max(axis=axis, keepdims=True)
    if log:
        s = np.exp(e).sum(axis=axis, keepdims=True)
        e -= np.log(s, out=s)
        return e
    np.exp(e, out=e)
    e /= e.sum(axis=axis, keepdims=True)
    return e


class SoftmaxBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, grad):
        return softmax_backward_data(grad, self.saved[0], self.dim)


class LogSoftmaxBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, grad):
        return log_softmax_backward_data(grad, self.saved[0], self.dim)


def _finish(input, data, node_cls, axis):
    out = wrap(data)
    if mode.enabled and input._rg:
        node = node_cls(edge(input))
        node.dim = axis
        node.save_output(out)
        attach(out, node)
    return out


def softmax(input, dim, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim``, computed with the maximum subtracted (never overflows).

    Example:
        >>> ndgrad.softmax(ndgrad.tensor([1., 2., 3.]), dim=0)
        tensor([0.0900, 0.2447, 0.6652])
    """
    input, axis = _prepare(input, dim, dtype, "softmax")
    return _finish(input, _softmax_np(input._data, axis, False), SoftmaxBackward0, axis)


def log_softmax(input, dim, dtype=None):
    """log(softmax(x)) along ``dim``, computed as x - max - log(sum(exp(x - max))).

    Example:
        >>> ndgrad.log_softmax(ndgrad.tensor([0., 0.]), dim=0)
        tensor([-0.6931, -0.6931])
    """
    input, axis = _prepare(input, dim, dtype, "log_softmax")
    return _finish(input, _softmax_np(input._data, axis, True), LogSoftmaxBackward0, axis)


# -- the fused backward ops and their derivatives ----------------------------------------------------
class SoftmaxBackwardDataBackward0(Node):
    """Derivatives of gi = y * (g - sum(g * y)): d/dg is the same map applied to gg, and
    d/dy = gg * (g - sum(g * y)) - g * sum(gg * y)."""

    __slots__ = ("dim",)

    def backward(self, gg):
        g, y = self.saved
        (fg, _), (fy, _) = self.next_functions
        dim = self.dim
        dg = dy = None
        if fg is not None:
            dg = softmax_backward_data(gg, y, dim)
        if fy is not None:
            dy = gg * (g - _sum(g * y, dim)) - g * _sum(gg * y, dim)
        return dg, dy


class LogSoftmaxBackwardDataBackward0(Node):
    """Derivatives of gi = g - exp(y) * sum(g): d/dg = gg - sum(gg * exp(y)),
    d/dy = -gg * exp(y) * sum(g)."""

    __slots__ = ("dim",)

    def backward(self, gg):
        g, y = self.saved
        (fg, _), (fy, _) = self.next_functions
        dim = self.dim
        ey = y.exp()
        dg = gg - _sum(gg * ey, dim) if fg is not None else None
        dy = -(gg * ey * _sum(g, dim)) if fy is not None else None
        return dg, dy


def _sum(t, dim):
    return t.sum(dim, keepdim=True) if dim is not None else t


def softmax_backward_data(grad, y, dim):
    """y * (grad - sum(grad * y, dim)): softmax's backward as one op."""
    gd, yd = grad._data, y._data
    gy = gd * yd
    if dim is not None:
        gy -= yd * gy.sum(axis=dim, keepdims=True)
    else:
        gy = gy - yd * gy
    out = wrap(np.asarray(gy))
    if mode.enabled and (grad._rg or y._rg):
        node = SoftmaxBackwardDataBackward0(edge(grad), edge(y))
        node.dim = dim
        node.save(grad, y)
        attach(out, node)
    return out


def log_softmax_backward_data(grad, y, dim):
    """grad - exp(y) * sum(grad, dim): log_softmax's backward as one op."""
    gd, yd = grad._data, y._data
    s = gd.sum(axis=dim, keepdims=True) if dim is not None else gd
    out = wrap(np.asarray(gd - np.exp(yd) * s))
    if mode.enabled and (grad._rg or y._rg):
        node = LogSoftmaxBackwardDataBackward0(edge(grad), edge(y))
        node.dim = dim
        node.save(grad, y)
        attach(out, node)
    return out


Tensor.softmax = softmax
Tensor.log_softmax = log_softmax
