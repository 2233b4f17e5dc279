"""Elementwise functions of one tensor, forward and backward side by side.

Each formula is written with ndgrad ops, so it is differentiable again (``create_graph=True``).
Ops whose derivative is most cheaply expressed through their output (exp, tanh, sigmoid, sqrt)
save the output; the others save the input.
"""
import math

import numpy as np

from .. import _dtype
from ._core import Node, Tensor, unary, wrap, edge, mode, attach, inplace

__all__ = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin", "cos", "tan",
           "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "asinh", "acosh",
           "atanh", "arcsinh", "arccosh", "arctanh", "sigmoid", "logit", "erf", "erfc", "erfinv",
           "reciprocal", "square", "abs", "absolute", "sign", "sgn", "floor", "ceil", "round", "trunc",
           "fix", "frac", "relu", "nan_to_num", "deg2rad", "rad2deg", "angle", "signbit", "positive",
           "conj", "lgamma", "digamma", "sinc", "xlogy"]


def _float_np(d):
    """Integer inputs to transcendental functions give the default float dtype, like torch."""
    return d if d.dtype.kind in "fc" else d.astype(_dtype.default.np)


def _f(fn):
    return lambda d: fn(_float_np(d))


# -- exponentials and logarithms -----------------------------------------------------------------
class ExpBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * self.saved[0]


def exp(input, *, out=None):
    return unary(input, _f(np.exp), ExpBackward0, save="output")


class Exp2Backward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * self.saved[0] * math.log(2.0)


def exp2(input):
    return unary(input, _f(np.exp2), Exp2Backward0, save="output")


class Expm1Backward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * (self.saved[0] + 1)


def expm1(input):
    return unary(input, _f(np.expm1), Expm1Backward0, save="output")


class LogBackward0(Node):
    __slots__ = ("scale",)

    def backward(self, grad):
        g = grad / self.saved[0]
        return g if self.scale is None else g * self.scale


class Log2Backward0(LogBackward0):
    __slots__ = ()


class Log10Backward0(LogBackward0):
    __slots__ = ()


def log(input):
    return unary(input, _f(np.log), LogBackward0, save="input", scale=None)


def log2(input):
    return unary(input, _f(np.log2), Log2Backward0, save="input", scale=1.0 / math.log(2.0))


def log10(input):
    return unary(input, _f(np.log10), Log10Backward0, save="input", scale=1.0 / math.log(10.0))


class Log1PBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad / (self.saved[0] + 1)


def log1p(input):
    return unary(input, _f(np.log1p), Log1PBackward0, save="input")


class SqrtBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad / (self.saved[0] * 2)


def sqrt(input):
    return unary(input, _f(np.sqrt), SqrtBackward0, save="output")


class RsqrtBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        r = self.saved[0]
        return grad * r * r * r * -0.5


def rsqrt(input):
    return unary(input, lambda d: 1 / np.sqrt(_float_np(d)), RsqrtBackward0, save="output")


# -- trigonometric and hyperbolic -----------------------------------------------------------------
class SinBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * cos(self.saved[0])


def sin(input):
    return unary(input, _f(np.sin), SinBackward0, save="input")


class CosBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * -sin(self.saved[0])


def cos(input):
    return unary(input, _f(np.cos), CosBackward0, save="input")


class TanBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        r = self.saved[0]
        return grad * (r * r + 1)


def tan(input):
    return unary(input, _f(np.tan), TanBackward0, save="output")


class AsinBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        return grad * rsqrt(1 - x * x)


def asin(input):
    return unary(input, _f(np.arcsin), AsinBackward0, save="input")


class AcosBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        return -grad * rsqrt(1 - x * x)


def acos(input):
    return unary(input, _f(np.arccos), AcosBackward0, save="input")


class AtanBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        return grad / (x * x + 1)


def atan(input):
    return unary(input, _f(np.arctan), AtanBackward0, save="input")


class SinhBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * cosh(self.saved[0])


def sinh(input):
    return unary(input, _f(np.sinh), SinhBackward0, save="input")


class CoshBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * sinh(self.saved[0])


def cosh(input):
    return unary(input, _f(np.cosh), CoshBackward0, save="input")


class TanhBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return tanh_backward(grad, self.saved[0])


def tanh(input):
    return unary(input, _f(np.tanh), TanhBackward0, save="output")


class TanhBackwardBackward0(Node):
    """Fused ``grad * (1 - y*y)``: one op instead of three on the backward hot path."""

    __slots__ = ()

    def backward(self, gg):
        grad, y = self.saved
        (fg, _), (fy, _) = self.next_functions
        return (gg * (1 - y * y) if fg is not None else None,
                gg * grad * y * -2 if fy is not None else None)


def tanh_backward(grad, y):
    gd, yd = grad._data, y._data
    out = wrap(gd * (1 - yd * yd))
    if mode.enabled and (grad._rg or y._rg):
        node = TanhBackwardBackward0(edge(grad), edge(y))
        node.save(grad, y)
        attach(out, node)
    return out


class AsinhBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        return grad * rsqrt(x * x + 1)


def asinh(input):
    return unary(input, _f(np.arcsinh), AsinhBackward0, save="input")


class AcoshBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        return grad * rsqrt(x * x - 1)


def acosh(input):
    return unary(input, _f(np.arccosh), AcoshBackward0, save="input")


class AtanhBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        return grad / (1 - x * x)


def atanh(input):
    return unary(input, _f(np.arctanh), AtanhBackward0, save="input")


# -- sigmoid family and special functions ---------------------------------------------------------
class SigmoidBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return sigmoid_backward(grad, self.saved[0])


def _sigmoid_np(d):
    d = _float_np(d)
    # exp(-|x|) never overflows; pick the stable form per sign
    e = np.exp(-np.abs(d))
    return np.where(d >= 0, 1 / (1 + e), e / (1 + e)).astype(d.dtype, copy=False)


def sigmoid(input):
    return unary(input, _sigmoid_np, SigmoidBackward0, save="output")


class SigmoidBackwardBackward0(Node):
    """Fused ``grad * y * (1 - y)``."""

    __slots__ = ()

    def backward(self, gg):
        grad, y = self.saved
        (fg, _), (fy, _) = self.next_functions
        return (gg * y * (1 - y) if fg is not None else None,
                gg * grad * (1 - 2 * y) if fy is not None else None)


def sigmoid_backward(grad, y):
    gd, yd = grad._data, y._data
    out = wrap(gd * yd * (1 - yd))
    if mode.enabled and (grad._rg or y._rg):
        node = SigmoidBackwardBackward0(edge(grad), edge(y))
        node.save(grad, y)
        attach(out, node)
    return out


class LogitBackward0(Node):
    __slots__ = ("eps",)

    def backward(self, grad):
        x = self.saved[0]
        g = grad / (x * (1 - x))
        if self.eps is not None:
            from .compare import where
            g = where((x < self.eps) | (x > 1 - self.eps), 0.0, g)
        return g


def logit(input, eps=None):
    def fn(d):
        d = _float_np(d)
        if eps is not None:
            d = np.clip(d, eps, 1 - eps)
        return np.log(d / (1 - d))
    return unary(input, fn, LogitBackward0, save="input", eps=eps)


def _erf_np(d):
    from ._special import erf as _erf
    return _erf(_float_np(d))


class ErfBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        return grad * exp(-(x * x)) * (2.0 / math.sqrt(math.pi))


def erf(input):
    return unary(input, _erf_np, ErfBackward0, save="input")


class ErfcBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        return grad * exp(-(x * x)) * (-2.0 / math.sqrt(math.pi))


def erfc(input):
    return unary(input, lambda d: 1 - _erf_np(d), ErfcBackward0, save="input")


class ErfinvBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        y = self.saved[0]
        return grad * exp(y * y) * (math.sqrt(math.pi) / 2)


def erfinv(input):
    from ._special import erfinv as _erfinv
    return unary(input, lambda d: _erfinv(_float_np(d)), ErfinvBackward0, save="output")


class LgammaBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * digamma(self.saved[0])


def lgamma(input):
    from ._special import lgamma as _lgamma
    return unary(input, lambda d: _lgamma(_float_np(d)), LgammaBackward0, save="input")


def digamma(input):
    from ._special import digamma as _digamma
    out = unary(input, lambda d: _digamma(_float_np(d)))
    if mode.enabled and input._rg:
        raise NotImplementedError("the derivative of digamma (polygamma(1, x)) is not implemented in ndgrad")
    return out


class ReciprocalBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        r = self.saved[0]
        return -grad * r * r


def reciprocal(input):
    return unary(input, lambda d: 1 / _float_np(d), ReciprocalBackward0, save="output")


class PowBackward0Square(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * 2 * self.saved[0]


PowBackward0Square.__name__ = "PowBackward0"


def square(input):
    d = input._data
    return unary(input, lambda x: x * x if x.dtype != np.bool_ else x.astype(np.int64), PowBackward0Square,
                 save="input")


class AbsBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * sign(self.saved[0])


def abs(input):
    return unary(input, np.abs, AbsBackward0, save="input")


absolute = abs


class SignBackward0(Node):
    """Piecewise-constant functions (sign, floor, ceil, round, trunc): zero gradient."""

    __slots__ = ()

    def backward(self, grad):
        return grad * 0


class FloorBackward0(SignBackward0):
    __slots__ = ()


class CeilBackward0(SignBackward0):
    __slots__ = ()


class RoundBackward0(SignBackward0):
    __slots__ = ()


class TruncBackward0(SignBackward0):
    __slots__ = ()


def sign(input):
    if input._data.dtype == np.bool_:
        return input.clone()
    return unary(input, np.sign, SignBackward0)


sgn = sign


def _keep_int(fn):
    return lambda d: d.copy() if d.dtype.kind in "iub" else fn(d)


def floor(input):
    return unary(input, _keep_int(np.floor), FloorBackward0)


def ceil(input):
    return unary(input, _keep_int(np.ceil), CeilBackward0)


def round(input, *, decimals=0):
    # NumPy rounds half to even, like torch
    return unary(input, _keep_int(lambda d: np.round(d, decimals)), RoundBackward0)


def trunc(input):
    return unary(input, _keep_int(np.trunc), TruncBackward0)


fix = trunc


class FracBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad


def frac(input):
    return unary(input, lambda d: d - np.trunc(d), FracBackward0)


class ReluBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return threshold_backward(grad, self.saved[0], 0)


def relu(input, inplace=False):
    if inplace:
        return relu_(input)
    return unary(input, lambda d: np.maximum(d, 0, dtype=d.dtype) if d.dtype != np.bool_ else d.copy(),
                 ReluBackward0, save="output")


def relu_(input):
    return inplace(input, relu)


class ThresholdBackwardBackward0(Node):
    __slots__ = ("threshold",)

    def backward(self, gg):
        (y,) = self.saved
        return threshold_backward(gg, y, self.threshold), None


def threshold_backward(grad, y, threshold):
    """grad where y > threshold, else 0 (the ReLU backward as one fused op)."""
    gd = grad._data
    out = wrap(np.where(y._data > threshold, gd, np.zeros((), gd.dtype)))
    if mode.enabled and grad._rg:
        node = ThresholdBackwardBackward0(edge(grad), edge(y) if y._rg else (None, 0))
        node.save(y)
        node.threshold = threshold
        attach(out, node)
    return out


class NanToNumBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        from .compare import where
        return where(self.saved[0].isfinite(), grad, 0.0)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None):
    return unary(input, lambda d: np.nan_to_num(d, nan=nan, posinf=posinf, neginf=neginf), NanToNumBackward0,
                 save="input")


class Deg2RadBackward0(Node):
    __slots__ = ("scale",)

    def backward(self, grad):
        return grad * self.scale


def deg2rad(input):
    return unary(input, _f(np.deg2rad), Deg2RadBackward0, scale=math.pi / 180)


def rad2deg(input):
    return unary(input, _f(np.rad2deg), Deg2RadBackward0, scale=180 / math.pi)


def angle(input):
    return unary(input, lambda d: np.angle(d).astype(_float_np(d).dtype) if d.dtype.kind != "c" else np.angle(d),
                 SignBackward0)


def signbit(input):
    return wrap(np.signbit(input._data))


def positive(input):
    return input


def conj(input):
    return input if input._data.dtype.kind != "c" else unary(input, np.conj)


class SincBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        from .compare import where
        x = self.saved[0]
        px = x * math.pi
        d = (cos(px) * px - sin(px)) / (px * x)
        return grad * where(x == 0, 0.0, d)


def sinc(input):
    return unary(input, _f(np.sinc), SincBackward0, save="input")


def xlogy(input, other):
    from .compare import where
    other_t = other if isinstance(other, Tensor) else wrap(np.asarray(other, dtype=_float_np(input._data).dtype))
    return where(input == 0, 0.0, input * log(other_t))


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


def _attach_methods():
    names = [n for n in __all__ if n not in ("xlogy",)]
    g = globals()
    for name in names:
        setattr(Tensor, name, g[name])
    Tensor.xlogy = xlogy
    Tensor.__abs__ = abs
    for name in ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin", "cos",
                 "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
                 "asinh", "acosh", "atanh", "sigmoid", "logit", "erf", "erfc", "erfinv", "reciprocal",
                 "square", "abs", "absolute", "sign", "floor", "ceil", "round", "trunc", "fix", "frac",
                 "relu", "nan_to_num", "deg2rad", "rad2deg", "sgn", "lgamma", "digamma", "sinc"]:
        fn = g[name]
        setattr(Tensor, name + "_", _make_inplace(fn))


def _make_inplace(fn):
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + "_"
    return method


_attach_methods()
