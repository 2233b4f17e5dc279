"""Scans: cumsum and cumprod (and the flip / exclusive-shift helpers their formulas are built from).

Formulas follow torch's ``derivatives.yaml`` / ``FunctionsManual.cpp``: cumsum's gradient is the
reversed cumsum of ``grad``; cumprod's is exact with zeros in the input, as torch's
``cumprod_backward``. Integer and bool inputs accumulate in int64.
"""
import numpy as np

from .. import _dtype
from ._core import Node, Tensor, wrap, edge, mode, attach, wrap_dim, inplace
from .compare import where

__all__ = ["cumsum", "cumprod"]


# -- small differentiable helpers (flip, exclusive shift) for the scan and prod formulas ---------
class FlipBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, grad):
        return _flip(grad, self.dim)


def _rev(d, ax):
    """``np.flip(d, ax)`` (a view) without its argument-normalising overhead."""
    return d[(slice(None),) * ax + (slice(None, None, -1),)]


def _flip(x, dim):
    """Reverse ``x`` along ``dim`` (a copy: the result must not alias ``x``'s storage)."""
    out = wrap(_rev(x._data, dim).copy())
    if mode.enabled and x._rg:
        node = FlipBackward0(edge(x))
        node.dim = dim
        attach(out, node)
    return out


class ShiftBackward0(Node):
    """Backward of a shift by one along ``dim``: the opposite shift, filling with zero."""

    __slots__ = ("dim", "step")

    def backward(self, grad):
        return _shift(grad, self.dim, 0.0, -self.step)


def _shift(x, dim, fill, step=1):
    """``[fill, x0, ..., x(n-2)]`` along ``dim`` (step 1) or ``[x1, ..., x(n-1), fill]`` (step -1)."""
    d = x._data
    n = d.shape[dim]
    data = np.empty(d.shape, dtype=d.dtype)
    lead = (slice(None),) * dim
    if step > 0:
        data[lead + (slice(1, None),)] = d[lead + (slice(0, n - 1),)]
        data[lead + (slice(0, 1),)] = fill
    else:
        data[lead + (slice(0, n - 1),)] = d[lead + (slice(1, None),)]
        data[lead + (slice(n - 1, None),)] = fill
    out = wrap(data)
    if mode.enabled and x._rg:
        node = ShiftBackward0(edge(x))
        node.dim = dim
        node.step = step
        attach(out, node)
    return out


# -- cumulative sums and products ------------------------------------------------------------------
class CumsumBackward0(Node):
    """``grad`` summed from the end: ``flip(cumsum(flip(grad)))``."""

    __slots__ = ("dim", "reverse")

    def backward(self, grad):
        return _cumsum(grad, self.dim, None, not self.reverse)


def _scan_dtype(d, dtype):
    if dtype is not None:
        return _dtype.to_dtype(dtype).np
    return np.dtype(np.int64) if d.dtype.kind in "biu" else None


def _cumsum(input, dim, dtype, reverse=False):
    d = input._data
    ax = wrap_dim(dim, d.ndim)
    np_dt = _scan_dtype(d, dtype)
    if d.ndim == 0:
        data = d.astype(np_dt) if np_dt is not None else d.copy()
    elif reverse:
        data = _rev(np.add.accumulate(_rev(d, ax), axis=ax, dtype=np_dt), ax)
    else:
        data = np.add.accumulate(d, axis=ax, dtype=np_dt)
    out = wrap(data)
    if mode.enabled and input._rg:
        node = CumsumBackward0(edge(input))
        node.dim = ax
        node.reverse = reverse
        attach(out, node)
        if data.dtype != d.dtype:
            node._in_meta = [(None, d.dtype)]
    return out


def cumsum(input, dim, *, dtype=None):
    """Cumulative sum along ``dim``; integer and bool inputs accumulate in int64.

    Example:
        >>> ndgrad.tensor([1., 2., 3.]).cumsum(0)
        tensor([1., 3., 6.])
    """
    return _cumsum(input, dim, dtype)


class CumprodBackward0(Node):
    """torch's ``cumprod_backward``.

    Without zeros: ``reverse_cumsum(grad * out) / x``. With zeros, first order uses the O(n) masked
    formula (positions before the first zero as above; the first zero gets
    ``sum_j grad_j * prod_{m<=j, m!=z} x_m``; later positions 0). When a graph of the gradient is
    being built (``create_graph=True``) the O(n^2) formula ``grad_k = sum_{j>=k} grad_j *
    cumprod(x with x_k := 1)_j`` is used instead, because it is differentiable again everywhere.
    """

    __slots__ = ("dim",)

    def backward(self, grad):
        x, out = self.saved
        dim = self.dim
        d = x._data
        if d.ndim == 0 or d.size == 0 or d.shape[dim] == 1:
            return grad
        if d.dtype.kind == "c":  # grad * conj(derivative): the same formulas on conj(x), conj(out)
            x, out = x.conj(), out.conj()
            d = x._data
        is_zero = d == 0
        if not is_zero.any():
            return _cumsum(out * grad, dim, None, True) / x
        if mode.enabled:
            return _cumprod_backward_quadratic(grad, x, dim)
        return wrap(_cumprod_backward_masked(grad._data, d, out._data, is_zero, dim))


def _cumprod_backward_masked(g, x, y, is_zero, dim):
    """O(n) first-order gradient of cumprod with zeros (NumPy; not differentiable again)."""
    dt = np.result_type(g.dtype, x.dtype)
    zc = np.cumsum(is_zero, axis=dim)
    before = zc == 0
    w = np.where(before, y * g, 0)
    rcs = _rev(np.add.accumulate(_rev(w, dim), axis=dim), dim)
    with np.errstate(divide="ignore", invalid="ignore"):
        gi = np.where(before, rcs / np.where(before, x, 1), 0).astype(dt, copy=False)
    at_one = zc == 1
    first = is_zero & at_one
    mid = at_one & ~first
    cp = np.cumprod(np.where(mid, x, 1).astype(dt, copy=False), axis=dim)
    s = np.sum(cp * np.where(at_one, g, 0), axis=dim, keepdims=True)
    n = x.shape[dim]
    lead = (slice(None),) * dim
    prev = np.empty(y.shape, dtype=dt)  # y_{j-1}, with 1 before the first element
    prev[lead + (slice(1, None),)] = y[lead + (slice(0, n - 1),)]
    prev[lead + (slice(0, 1),)] = 1
    return np.where(first, s * prev, gi).astype(dt, copy=False)


def _cumprod_backward_quadratic(grad, x, dim):
    """Differentiable gradient of cumprod for inputs with zeros (O(n^2) memory along ``dim``)."""
    xt = x.movedim(dim, -1)
    gt = grad.movedim(dim, -1)
    n = xt.shape[-1]
    eye = wrap(np.eye(n, dtype=bool))
    upper = wrap(np.triu(np.ones((n, n), dtype=x._data.dtype)))  # [k, j] = j >= k
    rows = where(eye, 1.0, xt.unsqueeze(-2).expand(tuple(xt.shape[:-1]) + (n, n)))  # x with x_k := 1
    c = cumprod(rows, -1)
    gk = (c * (gt.unsqueeze(-2) * upper)).sum(-1)
    return gk.movedim(-1, dim)


def cumprod(input, dim, *, dtype=None):
    """Cumulative product along ``dim``; the gradient is exact with zeros in the input (as torch).

    Example:
        >>> ndgrad.tensor([1., 2., 3.]).cumprod(0)
        tensor([1., 2., 6.])
    """
    d = input._data
    ax = wrap_dim(dim, d.ndim)
    np_dt = _scan_dtype(d, dtype)
    if d.ndim == 0:
        data = d.astype(np_dt) if np_dt is not None else d.copy()
    else:
        data = np.multiply.accumulate(d, axis=ax, dtype=np_dt)
    out = wrap(data)
    if mode.enabled and input._rg:
        node = CumprodBackward0(edge(input))
        node.dim = ax
        node.save_output(out, input)
        attach(out, node)
        if data.dtype != d.dtype:
            node._in_meta = [(None, d.dtype)]
    return out


# -- methods -------------------------------------------------------------------------------------------------
def _inplace_method(fn):
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + "_"
    return method


def _attach():
    g = globals()
    for name in __all__:
        setattr(Tensor, name, g[name])
    Tensor.cumsum_ = _inplace_method(cumsum)
    Tensor.cumprod_ = _inplace_method(cumprod)


_attach()
