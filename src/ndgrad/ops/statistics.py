"""Searching, counting and statistics: unique, bincount, searchsorted/bucketize, histograms, quantiles,
mode, running extrema, covariance and distances.

The non-differentiable searching and counting ops live in ``histograms.py`` and are re-exported
here. The differentiable ones follow torch's formulas:

* ``mode`` / ``nanmedian(dim)`` pick one element per slice (value-selecting backward, as
  ``median``); whole-tensor ``nanmedian`` splits the gradient evenly among the elements equal to it;
* ``quantile`` / ``nanquantile`` are composites (sort, gather, lerp), as in torch, so their
  gradients (of any order) are those of the pieces;
* ``cummax`` / ``cummin`` scatter-add the gradient to the running arg-extremum;
* ``logcumsumexp``'s backward is torch's stable formula (positive and negative parts of ``grad``
  through reversed ``logcumsumexp``), differentiable again;
* ``cov`` / ``corrcoef`` / ``cdist`` / ``dist`` are composites of differentiable ops.
"""
import warnings

import numpy as np

from ._core import Node, Tensor, wrap, edge, attach, wrap_dim
from ._core import mode as _grad_mode
from .compare import where, lerp
from .cumulative import _flip
from .sorting import (_return_type, _select_node, _selected, _whole, _EvenlyDistributeBackward, _nonzero_dim,
                      sort, amax, amin, _I64)
from .reduction import type_name
from . import histograms as _hist
from .histograms import *  # noqa: F401,F403

__all__ = list(_hist.__all__) + ["mode", "nanmedian", "quantile", "nanquantile", "aminmax", "cummax", "cummin",
                                 "logcumsumexp", "cov", "corrcoef", "cdist", "dist"]
_METHODS = list(_hist._METHODS) + ["mode", "nanmedian", "quantile", "nanquantile", "aminmax", "cummax", "cummin",
                                   "logcumsumexp", "cov", "corrcoef", "dist"]

_mode_t = _return_type("mode")
_nanmedian_t = _return_type("nanmedian")
_aminmax_t = _return_type("aminmax", ("min", "max"))
_cummax_t = _return_type("cummax")
_cummin_t = _return_type("cummin")

ModeBackward0 = _select_node("ModeBackward0")
NanmedianBackward1 = _select_node("NanmedianBackward1")
NanmedianBackward0 = type("NanmedianBackward0", (_EvenlyDistributeBackward,), {"__slots__": ()})


def _not_impl(kernel, dt):
    return NotImplementedError(f'"{kernel}" not implemented for \'{type_name(dt)}\'')


# -- mode / nanmedian -----------------------------------------------------------------------------------------
def mode(input, dim=-1, keepdim=False):
    """The most frequent value along ``dim`` and an index of it: the smallest value among equally
    frequent ones, at its last occurrence (as torch's CPU kernel).

    Example:
        >>> ndgrad.tensor([3., 1., 3., 1.]).mode()
        torch.return_types.mode(
        values=tensor(1.),
        indices=tensor(3))
    """
    d = input._data
    ax = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return _selected(input, ax, np.zeros((), _I64), keepdim, ModeBackward0, _mode_t)
    _nonzero_dim(d, ax, "mode")
    moved = np.moveaxis(d, ax, -1)
    n = moved.shape[-1]
    rows = moved.reshape(-1, n)
    order = np.argsort(rows, axis=-1, kind="stable")
    s = np.take_along_axis(rows, order, -1)
    new = np.ones(rows.shape, dtype=bool)
    new[:, 1:] = s[:, 1:] != s[:, :-1]
    j = np.arange(n)
    run = j - np.maximum.accumulate(np.where(new, j, 0), axis=-1) + 1  # length of the run so far
    # the first position reaching the longest run ends the smallest most frequent value; in stable
    # order that run's last element is the value's last occurrence
    best = run.argmax(axis=-1)
    idx = order[np.arange(rows.shape[0]), best].astype(_I64)
    index = np.expand_dims(idx.reshape(moved.shape[:-1]), ax)
    return _selected(input, ax, index, keepdim, ModeBackward0, _mode_t)


def nanmedian(input, dim=None, keepdim=False):
    """The lower median ignoring NaN (NaN only when every element is NaN).

    ``nanmedian(x)`` is a 0-d tensor; ``nanmedian(x, dim)`` returns ``(values, indices)``.
    """
    d = input._data
    if d.dtype == np.bool_:
        raise _not_impl("nanmedian_cpu", d.dtype)
    is_float = d.dtype.kind == "f"
    if dim is None:
        flat = d.reshape(-1)
        if is_float:
            flat = flat[~np.isnan(flat)]
        if flat.size == 0:
            value = np.asarray(np.nan if is_float else 0, dtype=d.dtype)
        else:
            k = (flat.size - 1) // 2
            value = np.asarray(np.partition(flat, k)[k])
        return _whole(input, value, NanmedianBackward0)
    ax = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        index = np.zeros((), _I64)
    else:
        _nonzero_dim(d, ax, "median")
        order = np.argsort(d, axis=ax, kind="stable")  # NaN last
        valid = d.shape[ax] - (np.isnan(d).sum(axis=ax, keepdims=True) if is_float else 0)
        k = np.maximum(valid - 1, 0) // 2
        k = np.broadcast_to(np.asarray(k, _I64), d.shape[:ax] + (1,) + d.shape[ax + 1:])
        index = np.take_along_axis(order, k, ax).astype(_I64, copy=False)
    return _selected(input, ax, index, keepdim, NanmedianBackward1, _nanmedian_t)


# -- quantile / nanquantile -------------------------------------------------------------------------------------
_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(input, q, dim, keepdim, interpolation, ignore_nan, name):
    d = input._data
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, midpoint or nearest, but "
                           f"got {interpolation}")
    scalar_q = not isinstance(q, Tensor)
    if scalar_q:
        qf = float(q)
        if not 0 <= qf <= 1:
            raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {qf}")
        qd = np.asarray([qf], dtype=d.dtype if d.dtype.kind == "f" else np.float32)
    else:
        qd = q._data
    if d.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if qd.ndim > 1:
        raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
    if d.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if qd.dtype != d.dtype:
        raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
    if not ((qd >= 0) & (qd <= 1)).all():
        raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
    qd = qd.reshape(-1)
    if dim is None:
        x = input.reshape(-1)
    else:
        ax = wrap_dim(dim, d.ndim)
        x = input.reshape(1) if d.ndim == 0 else input.movedim(ax, -1)
    srt = sort(x, -1)[0]  # NaN sorts last
    sd = srt._data
    n = sd.shape[-1]
    dt = d.dtype
    if ignore_nan:
        valid = (n - np.isnan(sd).sum(axis=-1, keepdims=True)).astype(dt)
        ranks = qd * (valid - 1)
        ranks = np.where(ranks < 0, dt.type(0), ranks)  # an all-NaN slice: rank 0 (a NaN)
    else:
        ranks = np.broadcast_to(qd * dt.type(n - 1), sd.shape[:-1] + qd.shape)
        ranks = np.where(np.isnan(sd[..., -1:]), dt.type(n - 1), ranks)  # a slice holding NaN gives NaN
    if interpolation == "lower":
        ranks = np.floor(ranks)
    elif interpolation == "higher":
        ranks = np.ceil(ranks)
    elif interpolation == "nearest":
        ranks = np.round(ranks)  # half to even, as torch's round
    below = ranks.astype(_I64)
    out = srt.gather(-1, wrap(below))  # indices repeat across q: the backward must scatter-add
    if interpolation in ("linear", "midpoint"):
        above = np.ceil(ranks).astype(_I64)
        weights = np.full(ranks.shape, 0.5, dt) if interpolation == "midpoint" else (ranks - below).astype(dt)
        out = lerp(out, srt.gather(-1, wrap(above)), wrap(weights))
    out = out.squeeze(-1) if scalar_q else out.movedim(-1, 0)
    if keepdim and d.ndim:
        lead = 0 if scalar_q else 1
        if dim is None:
            out = out.reshape(out.shape[:lead] + (1,) * d.ndim)
        else:
            out = out.unsqueeze(lead + ax)
    return out


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-th quantiles (``q`` a float or a 1-d tensor, in [0, 1]) of ``input`` or along ``dim``.

    A tensor ``q`` puts its dimension first in the result. Slices holding NaN give NaN.

    Example:
        >>> ndgrad.quantile(ndgrad.tensor([1., 2., 4., 5.]), 0.5)
        tensor(3.)
    """
    if out is not None:
        raise NotImplementedError("quantile(): the out= argument is not supported by ndgrad")
    return _quantile(input, q, dim, keepdim, interpolation, False, "quantile")


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``quantile`` ignoring NaN values (NaN only for slices that are all NaN)."""
    if out is not None:
        raise NotImplementedError("nanquantile(): the out= argument is not supported by ndgrad")
    return _quantile(input, q, dim, keepdim, interpolation, True, "nanquantile")


# -- aminmax ------------------------------------------------------------------------------------------------------
def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` of ``input`` (or along ``dim``); ties share the gradient equally, as amin/amax."""
    d = input._data
    if dim is None:
        if d.size == 0:
            raise RuntimeError("aminmax(): cannot compute aminmax over an empty dimension as the operation has no "
                               "identity.")
        dims = ()
    else:
        ax = wrap_dim(dim, d.ndim)
        if d.ndim and d.shape[ax] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {ax} to have non-zero size.")
        dims = ax
    return _aminmax_t((amin(input, dims, keepdim), amax(input, dims, keepdim)))


# -- cummax / cummin ------------------------------------------------------------------------------------------------
class CummaxBackward0(Node):
    """torch's ``cummaxmin_backward``: the gradient scatter-added to the running arg-extremum."""

    __slots__ = ("dim", "index", "shape")

    def backward(self, grad):
        if not self.shape or grad._data.size == 0:
            return grad
        from .creation import zeros
        return zeros(self.shape, dtype=grad.dtype).scatter_add(self.dim, wrap(self.index), grad)


CumminBackward0 = type("CumminBackward0", (CummaxBackward0,), {"__slots__": ()})


def _cum_extreme(input, dim, ufunc, node_cls, rtype):
    d = input._data
    ax = wrap_dim(dim, d.ndim)
    if d.ndim == 0 or d.size == 0:
        values, index = d.copy(), np.zeros(d.shape, _I64)
    else:
        values = ufunc.accumulate(d, axis=ax)  # NaN propagates from its first occurrence
        match = d == values
        if d.dtype.kind in "fc":
            match |= np.isnan(d)  # torch moves the index to every later NaN
        shape = [1] * d.ndim
        shape[ax] = d.shape[ax]
        pos = np.arange(d.shape[ax], dtype=_I64).reshape(shape)
        # the last position so far where the running extreme was reached (ties: the latest)
        index = np.maximum.accumulate(np.where(match, pos, 0), axis=ax)
    out = wrap(values)
    if _grad_mode.enabled and input._rg:
        node = node_cls(edge(input))
        node.dim, node.index, node.shape = ax, index, d.shape
        attach(out, node)
    return rtype((out, wrap(index)))


def cummax(input, dim):
    """Running maximum along ``dim`` and the index where it was (last) reached.

    Example:
        >>> ndgrad.tensor([1., 3., 2., 5.]).cummax(0)
        torch.return_types.cummax(
        values=tensor([1., 3., 3., 5.]),
        indices=tensor([0, 1, 1, 3]))
    """
    return _cum_extreme(input, dim, np.maximum, CummaxBackward0, _cummax_t)


def cummin(input, dim):
    """Running minimum along ``dim`` and the index where it was (last) reached."""
    return _cum_extreme(input, dim, np.minimum, CumminBackward0, _cummin_t)


# -- logcumsumexp ----------------------------------------------------------------------------------------------------
class LogcumsumexpBackward0(Node):
    """``grad_j = sum_{i>=j} grad_i * exp(x_j - out_i)``, computed stably as torch does: the positive
    and negative parts of ``grad`` in log space through a reversed ``logcumsumexp``."""

    __slots__ = ("dim",)

    def backward(self, grad):
        x, out = self.saved
        if grad.ndim == 0 or grad._data.size == 0:
            return grad
        dim = self.dim
        lowest = float(np.finfo(grad._data.dtype).min)
        log_abs = grad.abs().log()
        pos = where(grad > 0, log_abs, lowest)
        neg = where(grad < 0, log_abs, lowest)

        def rev_lcse(t):
            return _flip(logcumsumexp(_flip(t, dim), dim), dim)

        return (rev_lcse(pos - out) + x).exp() - (rev_lcse(neg - out) + x).exp()


def logcumsumexp(input, dim, *, out=None):
    """``log(cumsum(exp(input)))`` along ``dim``, computed without overflow.

    Example:
        >>> ndgrad.tensor([0., 0.]).logcumsumexp(0)
        tensor([0.0000, 0.6931])
    """
    if out is not None:
        raise NotImplementedError("logcumsumexp(): the out= argument is not supported by ndgrad")
    d = input._data
    if d.dtype.kind != "f":
        raise _not_impl("logcumsumexp_out_cpu", d.dtype)
    ax = wrap_dim(dim, d.ndim)
    data = d.copy() if d.ndim == 0 or d.size == 0 else np.logaddexp.accumulate(d, axis=ax)
    res = wrap(data)
    if _grad_mode.enabled and input._rg:
        node = LogcumsumexpBackward0(edge(input))
        node.dim = ax
        node.save_output(res, input)
        attach(res, node)
    return res


# -- cov / corrcoef ----------------------------------------------------------------------------------------------------
def _check_weights(w, name, n_obs, integral):
    wd = w._data
    if wd.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions but got {name} with {wd.ndim} "
                           "dimensions")
    if integral and wd.dtype.kind not in "iu":
        raise RuntimeError(f"cov(): expected {name} to have integral dtype but got {name} with "
                           f"{type_name(wd.dtype)} dtype")
    if not integral and wd.dtype.kind not in "fc":
        raise RuntimeError(f"cov(): expected {name} to have floating point dtype but got {name} with "
                           f"{type_name(wd.dtype)} dtype")
    if wd.size != n_obs:
        raise RuntimeError(f"cov(): expected {name} to have the same numel as there are observations in the input "
                           f"but got {wd.size} != {n_obs}")
    if wd.size and wd.min() < 0:
        raise RuntimeError(f"cov(): {name} cannot be negative")


def cov(input, *, correction=1, fweights=None, aweights=None):
    """Covariance matrix of the variables in the rows of ``input`` (observations in the columns),
    with integer frequency weights ``fweights`` and float observation weights ``aweights``.

    Example:
        >>> ndgrad.cov(ndgrad.tensor([[0., 1., 2.], [2., 1., 0.]]))
        tensor([[ 1., -1.],
                [-1.,  1.]])
    """
    d = input._data
    if d.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an input with {d.ndim} "
                           "dimensions")
    x = input if d.ndim == 2 else input.reshape(1, -1)
    n_obs = x.shape[1]
    w = None
    if fweights is not None:
        _check_weights(fweights, "fweights", n_obs, True)
        w = fweights
    if aweights is not None:
        _check_weights(aweights, "aweights", n_obs, False)
        w = aweights if w is None else w * aweights
    w_sum = n_obs if w is None else w.sum()
    avg = (x if w is None else x * w).sum(1) / w_sum
    if w is not None and correction != 0:
        norm = w_sum - correction * ((w * aweights).sum() / w_sum if aweights is not None else 1)
    else:
        norm = w_sum - correction
    if float(norm.detach().item() if isinstance(norm, Tensor) else norm) <= 0:
        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less than the number of "
                      "observations.", UserWarning, stacklevel=2)
        norm = norm * 0
    xc = x - avg.unsqueeze(1)
    c = xc.mm((xc if w is None else xc * w).t().conj())  # conj: a no-op for real input
    return (c / norm).squeeze()


def corrcoef(input):
    """Pearson correlation coefficients of the rows of ``input`` (``cov`` normalised, clipped to
    [-1, 1])."""
    c = cov(input)
    if c.ndim == 0:
        return c / c
    d = c.diagonal()
    sd = (d.real if d._data.dtype.kind == "c" else d).sqrt()
    c = c / sd.reshape(-1, 1)
    c = c / sd.reshape(1, -1)
    if c._data.dtype.kind == "c":  # torch clips the real and imaginary parts separately
        from .creation import complex as _complex
        return _complex(c.real.clamp(-1, 1), c.imag.clamp(-1, 1))
    return c.clamp(-1, 1)


# -- cdist / dist ---------------------------------------------------------------------------------------------------
_COMPUTE_MODES = ("use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist",
                  "donot_use_mm_for_euclid_dist")


def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """p-norm distances between each row of ``x1`` (``(..., P, M)``) and each row of ``x2``
    (``(..., R, M)``): a ``(..., P, R)`` tensor. ``compute_mode`` is accepted; ndgrad always
    computes the differences directly.

    Example:
        >>> ndgrad.cdist(ndgrad.tensor([[0., 0.]]), ndgrad.tensor([[3., 4.]]))
        tensor([[5.]])
    """
    from .. import linalg
    if compute_mode not in _COMPUTE_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    for name, t in (("X1", x1), ("X2", x2)):
        if t._data.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t._data.ndim}D")
    a, b = x1._data, x2._data
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} X2: {b.shape[-1]}")
    for name, t in (("X1", a), ("X2", b)):
        if t.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {type_name(t.dtype)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {type_name(a.dtype)} but found {type_name(b.dtype)}")
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    if p == 0:  # the count of differing coordinates; torch's gradient is zero (not undefined)
        return diff.sign().abs().sum(-1)
    return linalg.vector_norm(diff, p, dim=-1)


def dist(input, other, p=2):
    """The p-norm of ``input - other`` (broadcast), a 0-d tensor.

    Example:
        >>> ndgrad.dist(ndgrad.tensor([0., 0.]), ndgrad.tensor([3., 4.]))
        tensor(5.)
    """
    from .. import linalg
    diff = input - other
    dd = diff._data
    if dd.dtype.kind not in "fc":
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{type_name(dd.dtype)} instead.")
    return linalg.vector_norm(diff, p)


def _attach():
    g = globals()
    for name in _METHODS:
        setattr(Tensor, name, g[name])


_attach()
