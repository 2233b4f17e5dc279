"""``ndgrad.signal.windows``: torch.signal.windows' window functions (scipy-style ``M`` / ``sym``).

Values are evaluated in double precision and rounded once to the requested dtype (float32 by default,
float64 allowed, as torch). ``sym=False`` gives the periodic window: the symmetric one of length ``M + 1``
without its last point.
"""
import math
from collections.abc import Iterable

import numpy as np

from .. import _dtype
from .._tensor import _wrap, strided, check_device

__all__ = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine", "general_hamming",
           "hamming", "hann", "kaiser", "nuttall"]


def _checks(name, M, dtype, layout):
    if M < 0:
        raise ValueError(f"{name} requires non-negative window length, got M={M}")
    if layout is not None and layout is not strided:
        raise ValueError(f"{name} is implemented for strided tensors only, got: {layout}")
    np_dt = _dtype.default.np if dtype is None else dtype.np
    if np_dt not in (np.float32, np.float64):
        raise ValueError(f"{name} expects float32 or float64 dtypes, got: {dtype}")
    return np_dt


def _window(name, M, sym, dtype, layout, device, requires_grad, body):
    """Checks, M = 0 / 1, then ``body(k, n)`` on ``k = 0 .. n - 1`` (float64) with ``n`` the symmetric
    length; periodic windows drop the last point."""
    check_device(device)
    np_dt = _checks(name, M, dtype, layout)
    if M == 0:
        data = np.empty(0, np_dt)
    elif M == 1:
        data = np.ones(1, np_dt)
    else:
        n = M if sym else M + 1
        data = np.asarray(body(np.arange(n, dtype=np.float64), n))[:M].astype(np_dt)
    t = _wrap(data)
    t._rg = bool(requires_grad)
    return t


def _linspace(start, end, steps, np_dt):
    """torch's CPU linspace: the first half counted up from ``start``, the second down from ``end``."""
    start, end = np_dt.type(start), np_dt.type(end)
    step = (end - start) / np_dt.type(steps - 1)
    i = np.arange(steps)
    half = steps // 2
    return np.where(i < half, start + step * i.astype(np_dt), end - step * (steps - i - 1).astype(np_dt))


def exponential(M, *, center=None, tau=1.0, sym=True, dtype=None, layout=strided, device=None,
                requires_grad=False):
    """``exp(-|k - center| / tau)``, centred by default."""
    if sym and center is not None:
        raise ValueError("Center must be None for symmetric windows")
    if tau <= 0:
        raise ValueError(f"Tau must be positive, got: {tau} instead.")

    def body(k, n):
        c = (n - 1) / 2.0 if center is None else center
        return np.exp(-np.abs(k - c) / tau)
    return _window("exponential", M, sym, dtype, layout, device, requires_grad, body)


def cosine(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """``sin(pi (k + 1/2) / N)``."""
    return _window("cosine", M, sym, dtype, layout, device, requires_grad,
                   lambda k, n: np.sin(math.pi * (k + 0.5) / n))


def gaussian(M, *, std=1.0, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """``exp(-(k - (N - 1) / 2)^2 / (2 std^2))``."""
    if std <= 0:
        raise ValueError(f"Standard deviation must be positive, got: {std} instead.")
    np_dt = _checks("gaussian", M, dtype, layout)

    def body(k, n):   # scaled positions by a linspace in the requested dtype, squared in it too
        c = 1 / (std * math.sqrt(2))
        lo, hi = -(n - 1) / 2.0 * c, (-(n - 1) / 2.0 + (M - 1)) * c
        x = _linspace(lo, hi, M, np_dt)
        return np.exp(-(x * x))
    return _window("gaussian", M, sym, dtype, layout, device, requires_grad, body)


def kaiser(M, *, beta=12.0, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """``I0(beta sqrt(1 - ((k - a) / a)^2)) / I0(beta)`` with ``a = (N - 1) / 2``."""
    if beta < 0:
        raise ValueError(f"beta must be non-negative, got: {beta} instead.")

    def body(k, n):
        a = (n - 1) / 2.0
        return np.i0(beta * np.sqrt(np.clip(1 - ((k - a) / a) ** 2, 0, None))) / np.i0(beta)
    return _window("kaiser", M, sym, dtype, layout, device, requires_grad, body)


def general_cosine(M, *, a, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """``sum_i (-1)^i a_i cos(2 pi i k / (N - 1))``."""
    if not isinstance(a, Iterable):
        raise TypeError("Coefficients must be a list/tuple")
    a = list(a)
    if not a:
        raise ValueError("Coefficients cannot be empty")

    def body(k, n):
        x = 2 * math.pi * k / (n - 1)
        return sum((-1) ** i * float(c) * np.cos(i * x) for i, c in enumerate(a))
    return _window("general_cosine", M, sym, dtype, layout, device, requires_grad, body)


def general_hamming(M, *, alpha=0.54, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """``alpha - (1 - alpha) cos(2 pi k / (N - 1))``."""
    return general_cosine(M, a=[alpha, 1.0 - alpha], sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def hamming(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    return general_hamming(M, sym=sym, dtype=dtype, layout=layout, device=device, requires_grad=requires_grad)


def hann(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    return general_hamming(M, alpha=0.5, sym=sym, dtype=dtype, layout=layout, device=device,
                           requires_grad=requires_grad)


def blackman(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    return general_cosine(M, a=[0.42, 0.5, 0.08], sym=sym, dtype=dtype, layout=layout, device=device,
                          requires_grad=requires_grad)


def nuttall(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    return general_cosine(M, a=[0.3635819, 0.4891775, 0.1365995, 0.0106411], sym=sym, dtype=dtype, layout=layout,
                          device=device, requires_grad=requires_grad)


def bartlett(M, *, sym=True, dtype=None, layout=strided, device=None, requires_grad=False):
    """``1 - |2 k / (N - 1) - 1|``."""
    return _window("bartlett", M, sym, dtype, layout, device, requires_grad,
                   lambda k, n: 1 - np.abs(2 * k / (n - 1) - 1))
