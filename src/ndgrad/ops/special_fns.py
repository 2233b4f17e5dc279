"""Special functions: erf, erfc, erfinv, lgamma, digamma, polygamma, sinc and xlogy.

The NumPy kernels of erf/erfc/erfinv/lgamma/digamma/polygamma are in :mod:`._special`; here are
the differentiable wrappers and their backward formulas, written with ndgrad ops so that they are
differentiable again. Integer and bool inputs give the default float dtype, as in torch.
"""
import math

import numpy as np

from ._core import Node, Tensor, unary, wrap, edge, mode, inplace, ndarray
from .arith import broadcast_errors
from .unary import _float_np, _floating, _make_inplace, exp, sin, cos

__all__ = ["erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "sinc", "xlogy"]

_sinc = _floating(np.sinc)


# -- special functions (implemented in _special.py) --------------------------------------------------
def _special(name):
    def f(d):
        from . import _special as sp
        d = _float_np(d)
        r = getattr(sp, name)(d)
        return r.astype(d.dtype, copy=False)  # float16 is computed in float64 too
    f.__name__ = name
    return f


_erf_np, _erfc_np, _erfinv_np = _special("erf"), _special("erfc"), _special("erfinv")
_lgamma_np, _digamma_np = _special("lgamma"), _special("digamma")
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class ErfBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        return grad * (exp(-(x * x)) * _TWO_OVER_SQRT_PI)


def erf(input):
    return unary(input, _erf_np, ErfBackward0, save="input")


class ErfcBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        return grad * (exp(-(x * x)) * -_TWO_OVER_SQRT_PI)


def erfc(input):
    return unary(input, _erfc_np, ErfcBackward0, save="input")


class ErfinvBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        y = self.saved[0]
        return grad * (exp(y * y) * (math.sqrt(math.pi) / 2))


def erfinv(input):
    return unary(input, _erfinv_np, ErfinvBackward0, save="output")


class LgammaBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * digamma(self.saved[0])


def lgamma(input):
    return unary(input, _lgamma_np, LgammaBackward0, save="input")


class DigammaBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * polygamma(1, self.saved[0])


def digamma(input):
    return unary(input, _digamma_np, DigammaBackward0, save="input")


class PolygammaBackward0(Node):
    __slots__ = ("n",)

    def backward(self, grad):
        return grad * polygamma(self.n + 1, self.saved[0])


def polygamma(n, input):
    """The n-th derivative of digamma (``polygamma(0, x)`` is digamma)."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"polygamma(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    from . import _special as sp

    def fn(d):
        d = _float_np(d)
        return sp.polygamma(n, d).astype(d.dtype, copy=False)
    return unary(input, fn, PolygammaBackward0, save="input", n=n)


def _polygamma_method(self, n):
    return polygamma(n, self)


# -- sinc, xlogy ----------------------------------------------------------------------------------------
class SincBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        from .compare import where
        x = self.saved[0]
        px = x * math.pi
        d = (cos(px) * px - sin(px)) / (px * x)
        return grad * where(x == 0, 0.0, d)


def sinc(input):
    return unary(input, _sinc, SincBackward0, save="input")


class XlogyBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        from .compare import where
        x, y = self.saved
        (fx, _), (fy, _) = self.next_functions
        gx = gy = None
        if fx is not None:   # torch: xlogy(grad, y), zeroed where x == 0 and y <= 0
            gx = where((x == 0) & (y <= 0), 0.0, xlogy(grad, y))
        if fy is not None:
            gy = grad * x / y
        return gx, gy


@broadcast_errors
def xlogy(input, other):
    """x * log(y), defined as 0 where x == 0 (unless y is NaN)."""
    from ._core import operands
    a, b, ad, bd = operands(input, other)
    ad, bd = (_float_np(ad) if isinstance(ad, ndarray) else float(ad),
              _float_np(bd) if isinstance(bd, ndarray) else float(bd))
    data = np.where((ad == 0) & ~np.isnan(bd), 0.0, ad * np.log(bd))
    if isinstance(ad, ndarray):
        data = data.astype(ad.dtype, copy=False)
    elif isinstance(bd, ndarray):
        data = data.astype(bd.dtype, copy=False)
    out = wrap(np.asarray(data))
    if mode.enabled and ((a is not None and a._rg) or (b is not None and b._rg)):
        from ._core import record
        ta = a if a is not None else wrap(np.asarray(ad, dtype=data.dtype))
        tb = b if b is not None else wrap(np.asarray(bd, dtype=data.dtype))
        node = XlogyBackward0(edge(a) if a is not None else (None, 0), edge(b) if b is not None else (None, 0))
        node.save(ta, tb)
        record(node, out, a, b)
    return out


def _attach_methods():
    g = globals()
    for name in __all__:
        if name != "polygamma":
            setattr(Tensor, name, g[name])
    Tensor.polygamma = _polygamma_method
    for name in ["erf", "erfc", "erfinv", "lgamma", "digamma", "sinc", "xlogy"]:
        setattr(Tensor, name + "_", _make_inplace(g[name]))
    Tensor.polygamma_ = lambda self, n: inplace(self, _polygamma_method, n)


_attach_methods()
