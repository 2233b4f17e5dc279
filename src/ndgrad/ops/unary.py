"""Elementwise functions of one tensor, forward and backward side by side.

Each formula is written with ndgrad ops, so it is differentiable again (``create_graph=True``).
Ops whose derivative is most cheaply expressed through their output (exp, tanh, sigmoid, sqrt)
save the output; the others save the input. Integer and bool inputs of transcendental functions
give the default float dtype, as in torch; rounding functions keep integer dtypes.
"""
import math

import numpy as np

from .. import _dtype
from ._core import Node, Tensor, unary, wrap, edge, mode, attach, inplace
from .arith import not_implemented_for

__all__ = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin", "cos", "tan",
           "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "asinh", "acosh",
           "atanh", "arcsinh", "arccosh", "arctanh", "sigmoid", "logit",
           "reciprocal", "square", "abs", "absolute", "sign", "sgn", "floor", "ceil", "round", "trunc",
           "fix", "frac", "relu", "nan_to_num", "deg2rad", "rad2deg", "angle", "signbit", "positive",
           "conj"]


def _float_np(d):
    """Integer inputs to transcendental functions give the default float dtype, like torch."""
    return d if d.dtype.kind in "fc" else d.astype(_dtype.default.np)


def _floating(fn):
    """``fn`` on the data, computed in the default float dtype for integer/bool data."""
    def f(d):
        if d.dtype.kind not in "fc":
            d = d.astype(_dtype.default.np)
        return fn(d)
    return f


_exp, _exp2, _expm1 = _floating(np.exp), _floating(np.exp2), _floating(np.expm1)
_log, _log2, _log10, _log1p = _floating(np.log), _floating(np.log2), _floating(np.log10), _floating(np.log1p)
_sqrt = _floating(np.sqrt)
_sin, _cos, _tan = _floating(np.sin), _floating(np.cos), _floating(np.tan)
_asin, _acos, _atan = _floating(np.arcsin), _floating(np.arccos), _floating(np.arctan)
_sinh, _cosh, _tanh = _floating(np.sinh), _floating(np.cosh), _floating(np.tanh)
_asinh, _acosh, _atanh = _floating(np.arcsinh), _floating(np.arccosh), _floating(np.arctanh)
_deg2rad, _rad2deg = _floating(np.deg2rad), _floating(np.rad2deg)


def _mulc(grad, d):
    """grad * conj(d): torch's convention for the gradient of a holomorphic function (d = f'(z))."""
    if d._data.dtype.kind == "c":
        return grad * d.conj()
    return grad * d


def _divc(grad, d):
    """grad / conj(d)."""
    if d._data.dtype.kind == "c":
        return grad / d.conj()
    return grad / d


# -- exponentials and logarithms -----------------------------------------------------------------
class ExpBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return _mulc(grad, self.saved[0])


def exp(input):
    return unary(input, _exp, ExpBackward0, save="output")


class Exp2Backward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return _mulc(grad, self.saved[0] * math.log(2.0))


def exp2(input):
    return unary(input, _exp2, Exp2Backward0, save="output")


class Expm1Backward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return _mulc(grad, self.saved[0] + 1)


def expm1(input):
    return unary(input, _expm1, Expm1Backward0, save="output")


class LogBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return _divc(grad, self.saved[0])


class Log2Backward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return _divc(grad, self.saved[0] * math.log(2.0))


class Log10Backward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return _divc(grad, self.saved[0] * math.log(10.0))


def log(input):
    return unary(input, _log, LogBackward0, save="input")


def log2(input):
    return unary(input, _log2, Log2Backward0, save="input")


def log10(input):
    return unary(input, _log10, Log10Backward0, save="input")


class Log1PBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return _divc(grad, self.saved[0] + 1)


def log1p(input):
    return unary(input, _log1p, Log1PBackward0, save="input")


class SqrtBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return _divc(grad, self.saved[0] * 2)


def sqrt(input):
    return unary(input, _sqrt, SqrtBackward0, save="output")


class RsqrtBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        r = self.saved[0]
        return _mulc(grad, r * r * r * -0.5)


def _rsqrt_np(d):
    r = np.sqrt(_float_np(d))
    return np.reciprocal(r, out=r) if r.ndim else np.reciprocal(r)


def rsqrt(input):
    return unary(input, _rsqrt_np, RsqrtBackward0, save="output")


# -- trigonometric and hyperbolic -----------------------------------------------------------------
class SinBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return _mulc(grad, cos(self.saved[0]))


def sin(input):
    return unary(input, _sin, SinBackward0, save="input")


class CosBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return _mulc(grad, -sin(self.saved[0]))


def cos(input):
    return unary(input, _cos, CosBackward0, save="input")


class TanBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        r = self.saved[0]
        return _mulc(grad, r * r + 1)


def tan(input):
    return unary(input, _tan, TanBackward0, save="output")


class AsinBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        return _mulc(grad, rsqrt(1 - x * x))


def asin(input):
    return unary(input, _asin, AsinBackward0, save="input")


class AcosBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        return _mulc(grad, -rsqrt(1 - x * x))


def acos(input):
    return unary(input, _acos, AcosBackward0, save="input")


class AtanBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        return _divc(grad, x * x + 1)


def atan(input):
    return unary(input, _atan, AtanBackward0, save="input")


class SinhBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return _mulc(grad, cosh(self.saved[0]))


def sinh(input):
    return unary(input, _sinh, SinhBackward0, save="input")


class CoshBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return _mulc(grad, sinh(self.saved[0]))


def cosh(input):
    return unary(input, _cosh, CoshBackward0, save="input")


class TanhBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return tanh_backward(grad, self.saved[0])


def tanh(input):
    return unary(input, _tanh, TanhBackward0, save="output")


class TanhBackwardBackward0(Node):
    """Fused ``grad * (1 - y*y)``: one op instead of three on the backward hot path."""

    __slots__ = ()

    def backward(self, gg):
        grad, y = self.saved
        (fg, _), (fy, _) = self.next_functions
        return (gg * (1 - y * y) if fg is not None else None,
                gg * grad * y * -2 if fy is not None else None)


def tanh_backward(grad, y):
    if y._data.dtype.kind == "c":
        return grad * (1 - y * y).conj()
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
        return _mulc(grad, rsqrt(x * x + 1))


def asinh(input):
    return unary(input, _asinh, AsinhBackward0, save="input")


class AcoshBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        if x._data.dtype.kind == "c":  # the branch of sqrt(z - 1) * sqrt(z + 1), as the function's
            return grad / ((x - 1).sqrt() * (x + 1).sqrt()).conj()
        return grad * rsqrt(x * x - 1)


def acosh(input):
    return unary(input, _acosh, AcoshBackward0, save="input")


class AtanhBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        return _divc(grad, 1 - x * x)


def atanh(input):
    return unary(input, _atanh, AtanhBackward0, save="input")


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh


# -- sigmoid family ---------------------------------------------------------------------------------
class SigmoidBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return sigmoid_backward(grad, self.saved[0])


def _sigmoid_np(d):
    # 1 / (1 + exp(-x)): exp overflows to inf for very negative x and the result is then 0, as in
    # torch; relative accuracy holds wherever the result is a normal number
    t = np.negative(_float_np(d))
    if not t.ndim:
        return np.asarray(1 / (1 + np.exp(t)))
    np.exp(t, out=t)
    t += 1
    return np.reciprocal(t, out=t)


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
    if y._data.dtype.kind == "c":
        return grad * (y * (1 - y)).conj()
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
    """log(p / (1 - p)); with ``eps``, p is first clamped to [eps, 1 - eps]."""
    def fn(d):
        d = _float_np(d)
        if eps is not None:
            d = np.clip(d, eps, 1 - eps)
        return np.log(d / (1 - d))
    return unary(input, fn, LogitBackward0, save="input", eps=eps)


# -- reciprocal, square, abs, sign ---------------------------------------------------------------------
class ReciprocalBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        r = self.saved[0]
        return _mulc(grad, -(r * r))


def _reciprocal_np(d):
    d = _float_np(d)
    return np.reciprocal(d) if d.dtype.kind != "c" else 1 / d


def reciprocal(input):
    return unary(input, _reciprocal_np, ReciprocalBackward0, save="output")


class PowBackward0Square(Node):
    __slots__ = ()

    def backward(self, grad):
        return _mulc(grad, self.saved[0] * 2)


PowBackward0Square.__name__ = "PowBackward0"


def _square_np(d):
    if d.dtype == np.bool_:
        d = d.astype(np.int64)
    return d * d


def square(input):
    """input * input (torch records it as pow(input, 2): grad_fn PowBackward0)."""
    return unary(input, _square_np, PowBackward0Square, save="input")


class AbsBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        if x._data.dtype.kind == "c":
            return grad * sgn(x)  # x / |x| (0 at 0), differentiable again
        return grad * sign(x)  # sign(0) = 0: the gradient of |x| at 0 is 0, as in torch


def abs(input):
    if input._data.dtype == np.bool_:
        raise not_implemented_for("abs_cpu", np.bool_)
    return unary(input, np.abs, AbsBackward0, save="input")


absolute = abs


class SignBackward0(Node):
    """Piecewise-constant functions (sign, floor, ceil, round, trunc): zero gradient."""

    __slots__ = ()

    def backward(self, grad):
        return grad * 0


class SgnBackward0(SignBackward0):
    """Zero for real input; for complex z (s = z/|z|): (grad - s * Re(conj(s) * grad)) / |z|, 0 at z = 0."""

    __slots__ = ()

    def backward(self, grad):
        if not self.saved:
            return grad * 0
        x, s = self.saved
        from .compare import where
        a = abs(x)
        g = (grad - s * (s.conj() * grad).real) / where(a == 0, 1.0, a)
        return where(a == 0, 0.0, g)


class FloorBackward0(SignBackward0):
    __slots__ = ()


class CeilBackward0(SignBackward0):
    __slots__ = ()


class RoundBackward0(SignBackward0):
    __slots__ = ()


class RoundBackward1(SignBackward0):
    __slots__ = ()


class TruncBackward0(SignBackward0):
    __slots__ = ()


def _sign_np(d):
    return d.copy() if d.dtype == np.bool_ else np.sign(d)


def sign(input):
    return unary(input, _sign_np, SignBackward0)


def sgn(input):
    """sign for real tensors (x / |x| for complex ones)."""
    if input._data.dtype.kind == "c":
        def fn(d):
            a = np.abs(d)
            return np.where(a == 0, 0, d / np.where(a == 0, 1, a)).astype(d.dtype)
        return unary(input, fn, SgnBackward0, save="both")
    return unary(input, _sign_np, SgnBackward0)


def _rounding(fn, kernel, input):
    dt = input._data.dtype
    if dt == np.bool_:
        raise not_implemented_for(kernel, dt)
    return (lambda d: d.copy()) if dt.kind in "iu" else fn


def floor(input):
    return unary(input, _rounding(np.floor, "floor_vml_cpu", input), FloorBackward0)


def ceil(input):
    return unary(input, _rounding(np.ceil, "ceil_vml_cpu", input), CeilBackward0)


def trunc(input):
    return unary(input, _rounding(np.trunc, "trunc_vml_cpu", input), TruncBackward0)


fix = trunc


def round(input, *, decimals=0):
    """Round half to even (NumPy and torch agree); ``decimals`` rounds to that many digits."""
    if decimals == 0:
        return unary(input, _rounding(np.round, "round_vml_cpu", input), RoundBackward0)
    dt = input._data.dtype
    if dt.kind in "iub":
        raise not_implemented_for("round_cpu", dt)

    def fn(d):
        # torch: decimals > 0 -> round(x * 10^d) / 10^d; decimals < 0 -> round(x / 10^-d) * 10^-d
        if decimals > 0:
            ten = np.asarray(10.0 ** decimals, dtype=d.dtype)
            return np.round(d * ten) / ten
        ten = np.asarray(10.0 ** -decimals, dtype=d.dtype)
        return np.round(d / ten) * ten
    return unary(input, fn, RoundBackward1)


class FracBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad


def frac(input):
    dt = input._data.dtype
    if dt.kind not in "fc":
        raise not_implemented_for("frac_cpu", dt)
    return unary(input, lambda d: d - np.trunc(d), FracBackward0)


# -- relu (the activation's fused backward lives here) --------------------------------------------
class ReluBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return threshold_backward(grad, self.saved[0], 0)


def _relu_np(d):
    return np.maximum(d, 0, dtype=d.dtype) if d.ndim else np.asarray(np.maximum(d, 0, dtype=d.dtype))


def relu(input, inplace=False):
    if input._data.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    if inplace:
        return relu_(input)
    return unary(input, _relu_np, ReluBackward0, save="output")


def relu_(input):
    """In-place ReLU in one pass. Its backward needs only the result, so unlike the generic in-place
    path no snapshot of the input is taken; views (whose base must be rebased) use the generic path."""
    d = input._data
    if d.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    if input._base is not None or not d.ndim or 0 in d.strides:
        return inplace(input, relu)
    if not (mode.enabled and input._rg):
        np.maximum(d, 0, out=d)
        input._bump_version()
        return input
    input._check_inplace()
    node = ReluBackward0(edge(input))  # the edge to the input's history, taken before the write
    np.maximum(d, 0, out=d)
    input._bump_version()
    node.save_output(input)
    input.grad_fn = node
    if input._out_nr:
        input._out_nr = 0
    return input


class ThresholdBackwardBackward0(Node):
    """d/dgrad is the same mask; d/dy is zero (the mask is piecewise constant in y), as in torch."""

    __slots__ = ("threshold",)

    def backward(self, gg):
        (y,) = self.saved
        (fg, _), (fy, _) = self.next_functions
        return (threshold_backward(gg, y, self.threshold) if fg is not None else None,
                gg * 0 if fy is not None else None)


_INT_OF = {np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64, np.dtype(np.float16): np.int16}


def threshold_backward(grad, y, threshold):
    """grad where y > threshold, else 0 (the ReLU backward as one fused op)."""
    gd = grad._data
    keep = y._data > threshold
    bits = _INT_OF.get(gd.dtype)
    if bits is not None and gd.ndim and gd.shape == keep.shape:
        # Branch-free and exact: AND the gradient's bits with an all-ones/all-zeros word per element.
        # np.where on an unpredictable mask is ~5-12x slower; a multiply would turn inf*0 into nan.
        word = keep.astype(bits)
        np.negative(word, out=word)
        word &= gd.view(bits)
        out = wrap(word.view(gd.dtype))
    else:
        out = wrap(np.where(keep, gd, 0).astype(gd.dtype, copy=False))
    if mode.enabled and (grad._rg or y._rg):
        node = ThresholdBackwardBackward0(edge(grad), edge(y))
        node.save(y)
        node.threshold = threshold
        attach(out, node)
    return out


# -- nan_to_num, conversions, misc -------------------------------------------------------------------
class NanToNumBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        from .compare import where
        return where(self.saved[0].isfinite(), grad, 0.0)


def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN by ``nan`` and +-inf by ``posinf``/``neginf`` (default: the dtype's extremes)."""
    def fn(d):
        if d.dtype.kind not in "fc":
            return d.copy()
        return np.nan_to_num(d, nan=nan, posinf=posinf, neginf=neginf)
    r = unary(input, fn, NanToNumBackward0, save="input")
    if out is not None:
        from .arith import _out
        return _out(r, out)
    return r


class Deg2RadBackward0(Node):
    __slots__ = ()
    scale = math.pi / 180

    def backward(self, grad):
        return grad * self.scale


class Rad2DegBackward0(Deg2RadBackward0):
    __slots__ = ()
    scale = 180 / math.pi


def deg2rad(input):
    return unary(input, _deg2rad, Deg2RadBackward0)


def rad2deg(input):
    return unary(input, _rad2deg, Rad2DegBackward0)


class AngleBackward0(SignBackward0):
    """Zero for real input; for complex z: grad * i * z / |z|^2 (0 at z = 0)."""

    __slots__ = ()

    def backward(self, grad):
        if not self.saved:
            return grad * 0
        x = self.saved[0]
        from .compare import where
        a2 = (x * x.conj()).real
        return where(a2 == 0, 0.0, grad * (x * 1j) / where(a2 == 0, 1.0, a2))


def angle(input):
    def fn(d):
        if d.dtype.kind == "c":
            return np.angle(d)
        d = _float_np(d)
        return np.where(np.isnan(d), d, np.where(d < 0, np.asarray(math.pi, d.dtype), np.zeros((), d.dtype)))
    if input._data.dtype.kind == "c":
        return unary(input, fn, AngleBackward0, save="input")
    return unary(input, fn, AngleBackward0)


def signbit(input):
    return wrap(np.asarray(np.signbit(input._data)))


def positive(input):
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


class ConjBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad.conj()


def conj(input):
    return input if input._data.dtype.kind != "c" else unary(input, np.conj, ConjBackward0)


class ConjPhysicalBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return conj_physical(grad)


def conj_physical(input):
    """The conjugate as a new tensor (ndgrad's conj() computes values too; only the node name differs)."""
    return input if input._data.dtype.kind != "c" else unary(input, np.conj, ConjPhysicalBackward0)


def conj_physical_(input):
    if input._data.dtype.kind != "c":
        input._check_inplace()
        return input
    return inplace(input, conj_physical)


def _attach_methods():
    Tensor.conj_physical, Tensor.conj_physical_ = conj_physical, conj_physical_
    g = globals()
    for name in __all__:
        setattr(Tensor, name, g[name])
    Tensor.__abs__ = abs
    for name in ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin", "cos",
                 "tan", "asin", "acos", "atan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
                 "asinh", "acosh", "atanh", "arcsinh", "arccosh", "arctanh", "sigmoid", "logit",
                 "reciprocal", "square", "abs", "absolute", "sign", "sgn", "floor", "ceil", "round",
                 "trunc", "fix", "frac", "relu", "nan_to_num", "deg2rad", "rad2deg"]:
        setattr(Tensor, name + "_", _make_inplace(g[name]))


def _make_inplace(fn):
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + "_"
    return method


_attach_methods()
