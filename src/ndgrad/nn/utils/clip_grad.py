"""Gradient clipping: rescale (clip_grad_norm_) or clamp (clip_grad_value_) parameters' ``.grad``.

Example:
    >>> loss.backward()
    >>> total = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    >>> optimizer.step()
"""
import warnings

import numpy as np

from ... import _dtype
from ..._tensor import Tensor, _wrap
from ...autograd.grad_mode import no_grad

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _as_list(tensors):
    if isinstance(tensors, Tensor):
        return [tensors]
    return list(tensors)


def _vector_norm_np(d, p):
    a = np.abs(d.astype(np.float64, copy=False))
    if p == float("inf"):
        return a.max() if a.size else 0.0
    if p == float("-inf"):
        return a.min() if a.size else float("inf")
    if p == 0:
        return float(np.count_nonzero(a))
    if p == 1:
        return a.sum()
    if p == 2:
        return np.sqrt((a * a).sum())
    return (a ** p).sum() ** (1.0 / p)


@no_grad()
def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type`` norm of all ``tensors`` together (as if concatenated into one vector)."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if len(tensors) == 0:
        return _wrap(np.asarray(0.0, dtype=_dtype.default.np))
    norms = np.array([_vector_norm_np(t._data, norm_type) for t in tensors])
    total = _vector_norm_np(norms, norm_type)
    out_dt = _dtype.result_np_dtype(tuple(t._data for t in tensors))
    total_norm = _wrap(np.asarray(total, dtype=out_dt))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`")
    return total_norm


@no_grad()
def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients by max_norm / (total_norm + 1e-6) when that is below 1."""
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    if len(grads) == 0:
        return
    total = float(total_norm) if isinstance(total_norm, Tensor) else float(total_norm)
    coef = min(max_norm / (total + 1e-6), 1.0)
    for g in grads:
        np.multiply(g._data, np.asarray(coef, dtype=g._data.dtype), out=g._data)
        g._vc[0] += 1


@no_grad()
def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Rescale the gradients of ``parameters`` so that their total norm is at most ``max_norm``.

    Args:
        parameters: a tensor or an iterable of tensors whose ``.grad`` is clipped in place.
        max_norm: the largest allowed total norm.
        norm_type: the p of the norm (``float('inf')`` for the max-norm).
        error_if_nonfinite: raise if the total norm is nan or inf.

    Returns:
        The total norm before clipping, a 0-d tensor.
    """
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    total_norm = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


@no_grad()
def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element of ``parameters`` into [-clip_value, clip_value] in place."""
    clip_value = float(clip_value)
    for p in _as_list(parameters):
        g = p.grad
        if g is not None:
            np.clip(g._data, -clip_value, clip_value, out=g._data)
            g._vc[0] += 1
