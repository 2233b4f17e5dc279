"""``ndgrad.special``: torch.special's functions.

Functions that already exist as top-level ops (erf, lgamma, digamma, polygamma, i0, sinc, xlogy,
logsumexp, softmax ...) are those ops under their torch.special names. The others have their
NumPy kernels in :mod:`ndgrad.ops._special_more` (and :mod:`ndgrad.ops._special`) and their
gradients as torch defines them, written with ndgrad ops so that they can be differentiated
again. Like torch, the Bessel functions of the first/second kind, the modified Bessel functions
``modified_bessel_*`` / ``scaled_modified_bessel_*`` and the orthogonal polynomials are not
differentiable (their results never require grad), and the derivatives of ``zeta`` with respect
to ``x`` and of ``gammainc`` / ``gammaincc`` with respect to ``input`` raise NotImplementedError
when they are needed.
"""
import math

import numpy as np

from .ops import _special_more as _sm
from .ops import _special as _sp
from .ops._core import Node, Tensor, unary, binary, wrap, edge, mode, operands, record
from .ops.arith import not_implemented_for, broadcast_errors
from .ops.unary import (_float_np, sigmoid, logit as _logit, exp2, expm1, log1p, exp, log,  # noqa: F401
                        RoundBackward1, sign)
from .ops.special_fns import (erf, erfc, erfinv, lgamma, digamma, polygamma as _polygamma, i0, sinc,  # noqa: F401
                              xlogy, mvlgamma, SpecialI1Backward0)
from .ops.reduction import logsumexp as _logsumexp
from .ops import softmax as _softmax_mod

__all__ = ["airy_ai", "bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "chebyshev_polynomial_t",
           "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w", "digamma", "entr", "erf",
           "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1", "gammainc", "gammaincc", "gammaln",
           "hermite_polynomial_h", "hermite_polynomial_he", "i0", "i0e", "i1", "i1e", "laguerre_polynomial_l",
           "legendre_polynomial_p", "log1p", "log_ndtr", "log_softmax", "logit", "logsumexp", "modified_bessel_i0",
           "modified_bessel_i1", "modified_bessel_k0", "modified_bessel_k1", "multigammaln", "ndtr", "ndtri",
           "polygamma", "psi", "round", "scaled_modified_bessel_k0", "scaled_modified_bessel_k1",
           "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
           "shifted_chebyshev_polynomial_w", "sinc", "softmax", "spherical_bessel_j0", "xlog1py", "xlogy", "zeta"]

_SQRT_2PI = math.sqrt(2.0 * math.pi)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


# -- helpers ----------------------------------------------------------------------------------------------
def _need_tensor(fname, input, name="input", pos=1):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be Tensor, not {type(input).__name__}")


def _kernel(kernel, cpu_name, half_ok):
    """A data function: float64 kernel, result in the input's floating dtype (default float for integers)."""
    def f(d):
        d = _float_np(d)
        if d.dtype.kind == "c" or (d.dtype.itemsize < 4 and not half_ok):
            raise not_implemented_for(cpu_name, d.dtype)
        return np.asarray(kernel(d)).astype(d.dtype, copy=False)
    return f


def _nondiff_unary(name, kernel, half_ok=False):
    """A torch.special function without a derivative: its result never requires grad."""
    fname = "special_" + name
    fn = _kernel(kernel, name + "_cpu", half_ok)

    def op(input, *, out=None):
        _need_tensor(fname, input)
        return wrap(fn(input._data))
    op.__name__ = op.__qualname__ = name
    return op


def _invalid_combination(fname, a, b):
    return TypeError(
        f"{fname}() received an invalid combination of arguments - got ({type(a).__name__}, {type(b).__name__}), "
        "but expected one of:\n * (Tensor input, Tensor other, *, Tensor out = None)\n"
        " * (Number self, Tensor other, *, Tensor out = None)\n * (Tensor input, Number other, *, Tensor out = None)\n")


def _binary_data(fname, a, b):
    """Promoted floating NumPy data of two operands (tensor/number), and the result dtype."""
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise _invalid_combination(fname, a, b)
    ta, tb, ad, bd = operands(a, b)
    if ta is not None:
        dt = _float_np(np.asarray(ad)).dtype
    else:
        dt = _float_np(np.asarray(bd)).dtype
    return ta, tb, np.asarray(ad, dtype=dt), np.asarray(bd, dtype=dt), dt


# -- aliases of existing ops ----------------------------------------------------------------------------------
def expit(input, *, out=None):
    """The logistic sigmoid 1 / (1 + exp(-x))."""
    return sigmoid(input)


def logit(input, eps=None, *, out=None):
    """log(p / (1 - p)), with p clamped to [eps, 1 - eps] when ``eps`` is given."""
    return _logit(input, eps)


def gammaln(input, *, out=None):
    """log |Gamma(x)|."""
    return lgamma(input)


psi = digamma


def polygamma(n, input, *, out=None):
    return _polygamma(n, input)


def multigammaln(input, p, *, out=None):
    """The multivariate log-gamma function of dimension ``p``."""
    return mvlgamma(input, p)


def logsumexp(input, dim, keepdim=False, *, out=None):
    return _logsumexp(input, dim, keepdim)


def softmax(input, dim, *, dtype=None):
    return _softmax_mod.softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    return _softmax_mod.log_softmax(input, dim, dtype=dtype)


def round(input, *, decimals=0, out=None):  # noqa: A001
    """Round half to even (to ``decimals`` digits)."""
    from .ops import unary as _u
    dt = input._data.dtype
    if dt.kind not in "fc":
        raise not_implemented_for("round_vml_cpu" if decimals == 0 else "round_cpu", dt)
    if decimals != 0:
        return _u.round(input, decimals=decimals)
    return unary(input, np.round, RoundBackward1)


def ndtr(input, *, out=None):
    """The standard normal CDF, computed as torch does: (1 + erf(x / sqrt(2))) / 2."""
    _need_tensor("special_ndtr", input)
    x = input if input._data.dtype.kind in "fc" else input.to(_default_float())
    return (1 + erf(x * math.sqrt(0.5))) * 0.5


def _default_float():
    from . import _dtype
    return _dtype.get_default_dtype()


# -- erfcx, ndtri, log_ndtr -----------------------------------------------------------------------------------
class SpecialErfcxBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x, result = self.saved
        return grad * (2.0 * x * result - _TWO_OVER_SQRT_PI)


def erfcx(input, *, out=None):
    """The scaled complementary error function exp(x^2) erfc(x)."""
    _need_tensor("special_erfcx", input)
    return unary(input, _kernel(_sm.erfcx, "erfcx_cpu", False), SpecialErfcxBackward0, save="both")


class SpecialNdtriBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        result = self.saved[0]
        return grad * (_SQRT_2PI * exp(result * result * 0.5))


def ndtri(input, *, out=None):
    """The inverse of the standard normal CDF."""
    _need_tensor("special_ndtri", input)
    return unary(input, _kernel(_sm.ndtri, "ndtri_cpu", False), SpecialNdtriBackward0, save="output")


class SpecialLogNdtrBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x, result = self.saved
        return grad / _SQRT_2PI * exp(-(result + x * x / 2))


def log_ndtr(input, *, out=None):
    """log of the standard normal CDF, accurate far into both tails."""
    _need_tensor("special_log_ndtr", input)
    return unary(input, _kernel(_sm.log_ndtr, "log_ndtr_cpu", False), SpecialLogNdtrBackward0, save="both")


# -- i0e, i1, i1e --------------------------------------------------------------------------------------------------
class SpecialI0EBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x, result = self.saved
        return grad * (i1e(x) - sign(x) * result)


def i0e(input, *, out=None):
    """exp(-|x|) I0(x)."""
    _need_tensor("special_i0e", input)
    return unary(input, _kernel(lambda d: _sm.bessel_i(0, d, True), "i0e_cpu", True), SpecialI0EBackward0,
                 save="both")


def i1(input, *, out=None):
    """The modified Bessel function of the first kind, order 1."""
    _need_tensor("special_i1", input)
    return unary(input, _kernel(lambda d: _sm.bessel_i(1, d, False), "i1_cpu", True), SpecialI1Backward0,
                 save="both")


class SpecialI1EBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        from .ops.compare import where
        x, result = self.saved
        zero = x == 0
        safe = where(zero, 1.0, x)
        return grad * where(zero, 0.5, i0e(x) - result * (sign(x) + 1 / safe))


def i1e(input, *, out=None):
    """exp(-|x|) I1(x)."""
    _need_tensor("special_i1e", input)
    return unary(input, _kernel(lambda d: _sm.bessel_i(1, d, True), "i1e_cpu", True), SpecialI1EBackward0,
                 save="both")


# -- entr, xlog1py ---------------------------------------------------------------------------------------------------
class SpecialEntrBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        return grad * -(1 + log(x))


def _entr_np(d):
    with np.errstate(all="ignore"):
        r = np.where(d > 0, -d * np.log(d), np.where(d == 0, 0.0, -np.inf))
    return np.where(np.isnan(d), np.nan, r).astype(d.dtype, copy=False)


def entr(input, *, out=None):
    """-x log(x) for x > 0, 0 at 0 and -inf for x < 0."""
    _need_tensor("special_entr", input)
    return unary(input, _kernel(_entr_np, "entr_cpu", True), SpecialEntrBackward0, save="input")


class SpecialXlog1PyBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        from .ops.compare import where
        x, y = self.saved
        (fx, _), (fy, _) = self.next_functions
        gx = gy = None
        if fx is not None:
            gx = where((x == 0) & (y <= -1), 0.0, xlog1py(grad, y))
        if fy is not None:
            gy = grad * x / (y + 1)
        return gx, gy


@broadcast_errors
def xlog1py(input, other, *, out=None):
    """x * log1p(y), defined as 0 where x == 0 (unless y is NaN)."""
    ta, tb, ad, bd, dt = _binary_data("special_xlog1py", input, other)
    with np.errstate(all="ignore"):
        data = np.where((ad == 0) & ~np.isnan(bd), 0.0, ad * np.log1p(bd)).astype(dt, copy=False)
    res = wrap(np.asarray(data))
    if mode.enabled and ((ta is not None and ta._rg) or (tb is not None and tb._rg)):
        sa = ta if ta is not None else wrap(ad)
        sb = tb if tb is not None else wrap(bd)
        node = SpecialXlog1PyBackward0(edge(ta) if ta is not None else (None, 0),
                                       edge(tb) if tb is not None else (None, 0))
        node.save(sa, sb)
        record(node, res, ta, tb)
    return res


# -- zeta, gammainc, gammaincc ---------------------------------------------------------------------------------------
class SpecialZetaBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x, q = self.saved
        (fx, _), (fq, _) = self.next_functions
        if fx is not None:
            raise NotImplementedError("the derivative for 'zeta' is not implemented.")
        return None, grad * -x * zeta(x + 1.0, q)


@broadcast_errors
def zeta(input, other, *, out=None):
    """The Hurwitz zeta function sum_k (k + other)^-input."""
    ta, tb, ad, bd, dt = _binary_data("special_zeta", input, other)
    if dt.itemsize < 4:
        raise not_implemented_for("zeta_cpu", dt)
    data = np.asarray(_sp.zeta(ad, bd)).reshape(np.broadcast_shapes(ad.shape, bd.shape))
    data = np.where(np.isposinf(bd) & (ad != 1.0), np.nan, data).astype(dt, copy=False)   # as torch
    res = wrap(data)
    if mode.enabled and ((ta is not None and ta._rg) or (tb is not None and tb._rg)):
        sa = ta if ta is not None else wrap(ad)
        sb = tb if tb is not None else wrap(bd)
        node = SpecialZetaBackward0(edge(ta) if ta is not None else (None, 0),
                                    edge(tb) if tb is not None else (None, 0))
        node.save(sa, sb)
        record(node, res, ta, tb)
    return res


def _igamma_grad(a, x):
    """d/dx P(a, x) = x^(a-1) e^-x / Gamma(a)."""
    return exp((a - 1) * log(x) - x - lgamma(a))


class IgammaBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        a, x = self.saved
        (fa, _), (fx, _) = self.next_functions
        if fa is not None:
            raise NotImplementedError("the derivative for 'igamma: input' is not implemented.")
        return None, grad * _igamma_grad(a, x)


class IgammacBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        a, x = self.saved
        (fa, _), (fx, _) = self.next_functions
        if fa is not None:
            raise NotImplementedError("the derivative for 'igammac: input' is not implemented.")
        return None, -grad * _igamma_grad(a, x)


def _igamma(fname, kname, upper, node_cls, input, other):
    _need_tensor(fname, input)
    _need_tensor(fname, other, "other", 2)
    ta, tb, ad, bd = operands(input, other)
    if ad.dtype.kind != "f":
        raise not_implemented_for(kname, ad.dtype)

    def fn(a, x):
        return _sm.gammainc(a, x, upper).reshape(np.broadcast_shapes(a.shape, x.shape)).astype(a.dtype, copy=False)
    return binary(input, other, fn, node_cls)


@broadcast_errors
def gammainc(input, other, *, out=None):
    """The regularised lower incomplete gamma function P(input, other)."""
    return _igamma("special_gammainc", "igamma_cpu", False, IgammaBackward0, input, other)


@broadcast_errors
def gammaincc(input, other, *, out=None):
    """The regularised upper incomplete gamma function Q(input, other)."""
    return _igamma("special_gammaincc", "igammac_cpu", True, IgammacBackward0, input, other)


# -- functions without derivatives --------------------------------------------------------------------------------------
bessel_j0 = _nondiff_unary("bessel_j0", lambda d: _sm.bessel_j(0, d))
bessel_j1 = _nondiff_unary("bessel_j1", lambda d: _sm.bessel_j(1, d))
bessel_y0 = _nondiff_unary("bessel_y0", lambda d: _sm.bessel_y(0, d))
bessel_y1 = _nondiff_unary("bessel_y1", lambda d: _sm.bessel_y(1, d))
modified_bessel_i0 = _nondiff_unary("modified_bessel_i0", lambda d: _sm.bessel_i(0, d, False))
modified_bessel_i1 = _nondiff_unary("modified_bessel_i1", lambda d: _sm.bessel_i(1, d, False))
modified_bessel_k0 = _nondiff_unary("modified_bessel_k0", lambda d: _sm.bessel_k(0, d, False))
modified_bessel_k1 = _nondiff_unary("modified_bessel_k1", lambda d: _sm.bessel_k(1, d, False))
scaled_modified_bessel_k0 = _nondiff_unary("scaled_modified_bessel_k0", lambda d: _sm.bessel_k(0, d, True))
scaled_modified_bessel_k1 = _nondiff_unary("scaled_modified_bessel_k1", lambda d: _sm.bessel_k(1, d, True))
spherical_bessel_j0 = _nondiff_unary("spherical_bessel_j0", _sm.spherical_bessel_j0)


def airy_ai(input, *, out=None):
    """The Airy function Ai: not implemented in ndgrad."""
    raise NotImplementedError("ndgrad.special.airy_ai is not implemented (no NumPy kernel for the Airy function yet)")


def _polynomial(name):
    kind = name.replace("_polynomial", "")
    fname = "special_" + name

    @broadcast_errors
    def op(input, n, *, out=None):
        if not isinstance(input, Tensor) and not isinstance(n, Tensor):
            raise TypeError(
                f"{fname}() received an invalid combination of arguments - got ({type(input).__name__}, "
                f"{type(n).__name__}), but expected one of:\n * (Tensor input, Tensor n, *, Tensor out = None)\n"
                " * (Number x, Tensor n, *, Tensor out = None)\n * (Tensor x, Number n, *, Tensor out = None)\n")
        _, _, xd, nd, dt = _binary_data(fname, input, n)
        if dt.itemsize < 4 or dt.kind != "f":
            raise not_implemented_for(name + "_cpu", dt)
        return wrap(np.asarray(_sm.polynomial(kind, xd, nd)).reshape(np.broadcast_shapes(xd.shape, nd.shape))
                    .astype(dt, copy=False))
    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"torch.special.{name}(input, n): the polynomial of degree n at input (not differentiable)."
    return op


for _name in ("chebyshev_polynomial_t", "chebyshev_polynomial_u", "chebyshev_polynomial_v", "chebyshev_polynomial_w",
              "shifted_chebyshev_polynomial_t", "shifted_chebyshev_polynomial_u", "shifted_chebyshev_polynomial_v",
              "shifted_chebyshev_polynomial_w", "hermite_polynomial_h", "hermite_polynomial_he",
              "laguerre_polynomial_l", "legendre_polynomial_p"):
    globals()[_name] = _polynomial(_name)
del _name
