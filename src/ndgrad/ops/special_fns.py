"""Special functions: erf, erfc, erfinv, lgamma, digamma, polygamma, sinc and xlogy.

The NumPy kernels of erf/erfc/erfinv/lgamma/digamma/polygamma are in :mod:`._special`; here are
the differentiable wrappers and their backward formulas, written with ndgrad ops so that they are
differentiable again. Integer and bool inputs give the default float dtype, as in torch.
"""
import math

import numpy as np

from ._core import Node, Tensor, unary, binary, wrap, edge, mode, inplace, ndarray
from .arith import broadcast_errors
from .unary import _float_np, _floating, _make_inplace, exp, sin, cos

__all__ = ["erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "sinc", "xlogy", "logaddexp", "logaddexp2",
           "i0", "mvlgamma", "frexp", "ldexp", "nextafter", "gcd", "lcm", "poisson"]

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
        if d._data.dtype.kind == "c":
            d = d.conj()
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


# -- logaddexp, logaddexp2 -------------------------------------------------------------------------------
def _two_tensors(fname, input, other):
    for pos, name, x in ((1, "input", input), (2, "other", other)):
        if not isinstance(x, Tensor):
            raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _need_kind(fname, kinds, *datas):
    from .. import _dtype
    dt = datas[0].dtype
    for d in datas[1:]:
        dt = _dtype.promote_np(dt, d.dtype)
    if dt.kind not in kinds:
        raise NotImplementedError(f'"{fname}_cpu" not implemented for \'{_dtype.SCALAR_NAMES[dt]}\'')


class LogaddexpBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x, y = self.saved
        (fx, _), (fy, _) = self.next_functions
        return (grad / (exp(y - x) + 1) if fx is not None else None,
                grad / (exp(x - y) + 1) if fy is not None else None)


class Logaddexp2Backward0(Node):
    __slots__ = ()

    def backward(self, grad):
        from .unary import exp2
        x, y = self.saved
        (fx, _), (fy, _) = self.next_functions
        return (grad / (exp2(y - x) + 1) if fx is not None else None,
                grad / (exp2(x - y) + 1) if fy is not None else None)


@broadcast_errors
def logaddexp(input, other, *, out=None):
    """log(exp(input) + exp(other)) without overflow."""
    _two_tensors("logaddexp", input, other)
    _need_kind("logaddexp", "f", input._data, other._data)
    return binary(input, other, np.logaddexp, LogaddexpBackward0)


@broadcast_errors
def logaddexp2(input, other, *, out=None):
    """log2(2**input + 2**other) without overflow."""
    _two_tensors("logaddexp2", input, other)
    _need_kind("logaddexp2", "f", input._data, other._data)
    return binary(input, other, np.logaddexp2, Logaddexp2Backward0)


# -- i0 (and the i1 its gradient needs) ---------------------------------------------------------------------
def _i0_np(d):
    d = _float_np(d)
    return np.i0(d.astype(np.float64)).astype(d.dtype, copy=False)


def _i1_np(d):
    """Modified Bessel function of the first kind, order 1: its power series, summed until the terms
    no longer change the sum (all terms have the sign of x, so the sum is stable)."""
    d = _float_np(d)
    x = d.astype(np.float64)
    q = x * x / 4
    term = x / 2
    total = term.copy()
    for k in range(1, 2000):
        term = term * q / (k * (k + 1))
        total = total + term
        with np.errstate(all="ignore"):
            small = ~(np.abs(term) > 1e-17 * np.abs(total)) | ~np.isfinite(total)
        if small.all():
            break
    return total.astype(d.dtype, copy=False)


class I0Backward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * _i1(self.saved[0])


class SpecialI1Backward0(Node):
    __slots__ = ()

    def backward(self, grad):
        from .compare import where
        x, y = self.saved           # d/dx i1(x) = i0(x) - i1(x) / x, which is 1/2 at 0
        zero = x == 0
        return grad * where(zero, 0.5, i0(x) - y / where(zero, 1.0, x))


def i0(input, *, out=None):
    """Modified Bessel function of the first kind, order 0."""
    return unary(input, _i0_np, I0Backward0, save="input")


def _i1(input):
    return unary(input, _i1_np, SpecialI1Backward0, save="both")


# -- mvlgamma, frexp, ldexp ---------------------------------------------------------------------------------
def mvlgamma(input, p):
    """Multivariate log-gamma of dimension ``p``: sum of lgamma(x - i/2) for i < p, plus
    p(p-1)/4 log(pi)."""
    from .creation import arange
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    x = input if input._data.dtype.kind in "fc" else input.to(_default_float())
    shifts = arange(-p * 0.5 + 0.5, 0.5, 0.5, dtype=x.dtype)
    return lgamma(x.unsqueeze(-1) + shifts).sum(-1) + p * (p - 1) * math.log(math.pi) / 4


def _default_float():
    from .. import _dtype
    return _dtype.get_default_dtype()


class FrexpBackward0(Node):
    __slots__ = ("exponent",)

    def backward(self, grad):
        return grad / wrap(np.ldexp(np.ones((), grad._data.dtype), self.exponent).astype(grad._data.dtype))


def frexp(input, *, out=None):
    """(mantissa, exponent) with input = mantissa * 2**exponent and |mantissa| in [0.5, 1)."""
    d = input._data
    if d.dtype.kind != "f":
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    m, e = np.frexp(d)
    e = e.astype(np.int32, copy=False)
    mant = wrap(np.asarray(m, dtype=d.dtype))
    if input._rg and mode.enabled:
        node = FrexpBackward0(edge(input))
        node.exponent = e
        mant.grad_fn = node
        mant._rg = True
    return _frexp_t((mant, wrap(np.asarray(e))))


class LdexpBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        from .arith import pow
        x, e = self.saved
        (fx, _), (fe, _) = self.next_functions
        gx = ge = None
        if fx is not None:
            if e._data.dtype.kind in "iub":   # as torch: 2**e in e's integer dtype (0 for e < 0)
                ed = e._data.astype(np.int64)
                scale = wrap(np.where(ed < 0, 0, np.left_shift(1, np.clip(ed, 0, 62))))
            else:
                scale = pow(2.0, e)
            gx = grad * scale
        if fe is not None:
            ge = grad * x * pow(2.0, e) * math.log(2.0)
        return gx, ge


@broadcast_errors
def ldexp(input, other, *, out=None):
    """input * 2**other."""
    from .arith import mul, pow
    from ..autograd.grad_mode import no_grad
    from ._core import needs_grad, record
    _two_tensors("ldexp", input, other)
    with no_grad():
        r = mul(input, pow(2.0, other))
    if needs_grad(input, other):
        node = LdexpBackward0(edge(input), edge(other))
        node.save(input, other)
        record(node, r, input, other)
    return r


# -- nextafter, gcd, lcm ------------------------------------------------------------------------------------
class NextafterBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        raise RuntimeError("the derivative for 'nextafter' is not implemented.")


@broadcast_errors
def nextafter(input, other, *, out=None):
    """The next floating-point value after ``input`` towards ``other``."""
    _two_tensors("nextafter", input, other)
    _need_kind("nextafter", "f", input._data, other._data)
    return binary(input, other, np.nextafter, NextafterBackward0, save=(False, False))


def _int_binary(name, ufunc):
    @broadcast_errors
    def f(input, other, *, out=None):
        _two_tensors(name, input, other)
        _need_kind(name, "iu", input._data, other._data)
        from ._core import operands
        _, _, ad, bd = operands(input, other)
        return wrap(np.asarray(ufunc(ad, bd)))
    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"Elementwise {'greatest common divisor' if name == 'gcd' else 'least common multiple'} " \
                "of integer tensors."
    return f


gcd = _int_binary("gcd", np.gcd)
lcm = _int_binary("lcm", np.lcm)


# -- poisson ------------------------------------------------------------------------------------------------
class PoissonBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * 0


def poisson(input, generator=None):
    """Samples of Poisson distributions with rates ``input`` (same shape and dtype); gradient 0."""
    from .random import _rng
    d = input._data
    if d.dtype.kind != "f":
        from .. import _dtype
        raise NotImplementedError(f'"poisson_cpu" not implemented for \'{_dtype.SCALAR_NAMES[d.dtype]}\'')
    lam = d.astype(np.float64)
    if (lam < 0).any() or not np.isfinite(lam).all():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    out = wrap(_rng(generator).poisson(lam).astype(d.dtype))
    if input._rg and mode.enabled:
        out.grad_fn = PoissonBackward0(edge(input))
        out._rg = True
    return out


def _make_frexp_type():
    from .sorting import _return_type
    return _return_type("frexp", ("mantissa", "exponent"))


_frexp_t = _make_frexp_type()


def _attach_methods():
    g = globals()
    for name in __all__:
        if name not in ("polygamma", "poisson"):
            setattr(Tensor, name, g[name])
    Tensor.polygamma = _polygamma_method
    for name in ["erf", "erfc", "erfinv", "lgamma", "digamma", "sinc", "xlogy", "i0", "ldexp", "nextafter", "gcd",
                 "lcm"]:
        setattr(Tensor, name + "_", _make_inplace(g[name]))
    Tensor.polygamma_ = lambda self, n: inplace(self, _polygamma_method, n)
    Tensor.mvlgamma_ = lambda self, p: inplace(self, mvlgamma, p)


_attach_methods()
