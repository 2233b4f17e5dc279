"""Special functions on NumPy arrays: erf, erfc, erfinv, lgamma, digamma, polygamma (Hurwitz zeta).

NumPy has none of these and ndgrad depends on NumPy only, so they are written here, vectorised
(no Python loop over elements; short fixed loops over the whole array at most). Every function
takes a floating array, computes in float64 and returns the input's dtype, so float32 results are
correctly rounded float64 values.

Methods (all well known, chosen for full float64 accuracy):

* erf / erfc: W. J. Cody's rational Chebyshev approximations (Math. Comp. 1969, the SPECFUN
  ``CALERF`` routine), three ranges, with the exp(-x*x) splitting that keeps erfc accurate far into
  the tail (relative error ~1e-16 down to erfc's underflow near x = 26.5).
* erfinv: the rational first guess PyTorch uses, refined by two Halley steps on erf (or on erfc
  when |y| > 0.5, so that 1 - |y| is exact and the tail keeps its relative accuracy).
* lgamma: reduction to [2, 3) with Cephes' rational approximation there (its form ``p * R(p)``
  keeps the zeros at 1 and 2 relatively accurate), Stirling's series from 13 up, and the reflection
  formula for negative arguments.
* digamma: PyTorch's algorithm (recurrence up to x >= 10, asymptotic series, reflection), so results
  agree with torch to the last bits.
* polygamma(n >= 1): (-1)^(n+1) n! zeta(n+1, x) with Cephes' Euler-Maclaurin Hurwitz zeta.
"""
import math
from fractions import Fraction

import numpy as np

__all__ = ["erf", "erfc", "erfinv", "lgamma", "digamma", "polygamma", "zeta"]

_SQRT_PI_INV = 0.56418958354775628695  # 1/sqrt(pi)
_TWO_OVER_SQRT_PI = 1.1283791670955125739  # 2/sqrt(pi)

# -- erf / erfc (Cody) --------------------------------------------------------------------------
_A = (3.16112374387056560e00, 1.13864154151050156e02, 3.77485237685302021e02,
      3.20937758913846947e03, 1.85777706184603153e-1)
_B = (2.36012909523441209e01, 2.44024637934444173e02, 1.28261652607737228e03,
      2.84423683343917062e03)
_C = (5.64188496988670089e-1, 8.88314979438837594e00, 6.61191906371416295e01,
      2.98635138197400131e02, 8.81952221241769090e02, 1.71204761263407058e03,
      2.05107837782607147e03, 1.23033935479799725e03, 2.15311535474403846e-8)
_D = (1.57449261107098347e01, 1.17693950891312499e02, 5.37181101862009858e02,
      1.62138957456669019e03, 3.29079923573345963e03, 4.36261909014324716e03,
      3.43936767414372164e03, 1.23033935480374942e03)
_P = (3.05326634961232344e-1, 3.60344899949804439e-1, 1.25781726111229246e-1,
      1.60837851487422766e-2, 6.58749161529837803e-4, 1.63153871373020978e-2)
_Q = (2.56852019228982242e00, 1.87295284992346725e00, 5.27905102951428412e-1,
      6.05183413124413191e-2, 2.33520497626869185e-3)
_XBIG = 27.3  # erfc(x) underflows to 0 beyond this (Cody's 26.543 stops at the normal range)


def _erf_small(x):
    """erf(x) for |x| <= 0.46875."""
    z = x * x
    num = _A[4] * z
    den = z.copy()
    for i in range(3):
        num += _A[i]
        num *= z
        den += _B[i]
        den *= z
    num += _A[3]
    den += _B[3]
    num *= x
    num /= den
    return num


def _exp_neg_sq(v):
    """exp(-v*v), computed as exp(-s*s) * exp(-(v-s)(v+s)) with s = v truncated to a multiple of
    1/16 (s*s is exact): the rounding error of v*v would otherwise be amplified by exp."""
    s = v * 16.0
    np.trunc(s, out=s)
    s *= 0.0625
    d = v - s
    d *= v + s
    s *= s
    np.negative(s, out=s)
    np.exp(s, out=s)
    np.negative(d, out=d)
    s *= np.exp(d, out=d)
    return s


def _erfc_mid(v):
    """erfc(v) for 0.46875 < v <= 4."""
    num = _C[8] * v
    den = v.copy()
    for i in range(7):
        num += _C[i]
        num *= v
        den += _D[i]
        den *= v
    num += _C[7]
    den += _D[7]
    num /= den
    num *= _exp_neg_sq(v)
    return num


def _erfc_tail(v):
    """erfc(v) for v > 4 (0 beyond underflow)."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        z = v * v
        np.reciprocal(z, out=z)
        num = _P[5] * z
        den = z.copy()
        for i in range(4):
            num += _P[i]
            num *= z
            den += _Q[i]
            den *= z
        num += _P[4]
        den += _Q[4]
        num /= den
        num *= z
        np.subtract(_SQRT_PI_INV, num, out=num)
        num /= v
        num *= _exp_neg_sq(v)
    num[v >= _XBIG] = 0.0
    return num


def _erfc_large(y):
    """erfc(y) for y > 0.46875 (y >= 0, float64)."""
    mid = y <= 4.0
    if mid.all():
        return _erfc_mid(y)
    if not mid.any():
        return _erfc_tail(y)
    out = np.empty_like(y)
    out[mid] = _erfc_mid(y[mid])
    tail = ~mid
    out[tail] = _erfc_tail(y[tail])
    return out


def _as_f64(x):
    """float64 data of ``x`` with at least one dimension (so in-place ``out=`` steps work)."""
    x = np.asarray(x)
    if x.dtype != np.float64:
        x = x.astype(np.float64)
    return x.reshape(1) if x.ndim == 0 else x


def _finish(r, like):
    """``r`` with the shape of ``like`` and its floating dtype (float64 for other inputs)."""
    like = np.asarray(like)
    dt = like.dtype if like.dtype.kind == "f" else np.dtype(np.float64)
    r = np.asarray(r)
    if r.dtype != dt:
        r = r.astype(dt)
    return r.reshape(like.shape) if r.shape != like.shape else r


def erf(x):
    """The error function, elementwise."""
    v = _as_f64(x)
    y = np.abs(v)
    small = y <= 0.46875
    if small.all():
        return _finish(_erf_small(v), x)
    if not small.any():
        e = _erfc_large(y)
        np.subtract(1.0, e, out=e)
        np.copysign(e, v, out=e)
        return _finish(e, x)
    out = np.empty_like(v)
    out[small] = _erf_small(v[small])
    big = ~small
    e = _erfc_large(y[big])
    np.subtract(1.0, e, out=e)
    out[big] = np.copysign(e, v[big], out=e)
    return _finish(out, x)


def erfc(x):
    """The complementary error function 1 - erf(x), accurate in the upper tail."""
    v = _as_f64(x)
    y = np.abs(v)
    small = y <= 0.46875
    if small.all():
        e = _erf_small(v)
        return _finish(np.subtract(1.0, e, out=e), x)
    out = np.empty_like(v)
    if small.any():
        out[small] = 1.0 - _erf_small(v[small])
        big = ~small
        vb = v[big]
        c = _erfc_large(np.abs(vb))
        out[big] = np.where(vb < 0, 2.0 - c, c)
    else:
        c = _erfc_large(y)
        out = np.where(v < 0, 2.0 - c, c)
    return _finish(out, x)


# -- erfinv -------------------------------------------------------------------------------------
_EI_A = (0.886226899, -1.645349621, 0.914624893, -0.140543331)
_EI_B = (-2.118377725, 1.442710462, -0.329097515, 0.012229801)
_EI_C = (-1.970840454, -1.624906493, 3.429567803, 1.641345311)
_EI_D = (3.543889200, 1.637067800)


def _erfinv_guess(a):
    """PyTorch's first guess (about 1e-7 relative) for erfinv(a), a in [0, 1)."""
    x = np.empty_like(a)
    c = a <= 0.7
    if c.any():
        y = a[c]
        z = y * y
        x[c] = y * (((_EI_A[3] * z + _EI_A[2]) * z + _EI_A[1]) * z + _EI_A[0]) / \
            ((((_EI_B[3] * z + _EI_B[2]) * z + _EI_B[1]) * z + _EI_B[0]) * z + 1.0)
    t = ~c
    if t.any():
        z = np.sqrt(-np.log((1.0 - a[t]) / 2.0))
        x[t] = (((_EI_C[3] * z + _EI_C[2]) * z + _EI_C[1]) * z + _EI_C[0]) / ((_EI_D[1] * z + _EI_D[0]) * z + 1.0)
    return x


def _halley(x, f_of):
    """Two Halley steps for erf(x) = target: f' = 2/sqrt(pi) e^(-x^2), f'' = -2x f'."""
    for _ in range(2):
        d = f_of(x)
        d /= _TWO_OVER_SQRT_PI * _exp_neg_sq(x)
        x = x - d / (1.0 + x * d)
    return x


def erfinv(y):
    """The inverse error function on [-1, 1] (+-inf at +-1, nan outside)."""
    v = _as_f64(y)
    a = np.abs(v)
    out = np.full_like(v, np.nan)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        lower = a <= 0.5
        upper = (a > 0.5) & (a < 1.0)
        if lower.any():
            t = a[lower]
            out[lower] = _halley(_erfinv_guess(t), lambda x: erf(x) - t)
        if upper.any():
            # on erfc, with 1 - a exact, so the tail keeps its relative accuracy
            c = 1.0 - a[upper]
            out[upper] = _halley(_erfinv_guess(a[upper]), lambda x: c - erfc(x))
        out[a == 1.0] = np.inf
        np.copysign(out, v, out=out)
    return _finish(out, y)


# -- lgamma ---------------------------------------------------------------------------------------
# Cephes lgam: lgamma(2 + p) = p * B(p) / C(p) for p in [0, 1)
_LG_B = (-1.37825152569120859100E3, -3.88016315134637840924E4, -3.31612992738871184744E5,
         -1.16237097492762307383E6, -1.72173700820839662146E6, -8.53555664245765465627E5)
_LG_C = (-3.51815701436523470549E2, -1.70642106651881159223E4, -2.20528590553854454839E5,
         -1.13933444367982507207E6, -2.53252307177582951285E6, -2.01889141433532773231E6)
_LS2PI = 0.91893853320467274178  # log(sqrt(2*pi))
_LOGPI = 1.14472988584940017414


def _bernoulli(n):
    """Bernoulli numbers B_0 .. B_n as exact Fractions (B_m = -1/(m+1) sum C(m+1, k) B_k)."""
    b = [Fraction(1)]
    for m in range(1, n + 1):
        b.append(-sum(math.comb(m + 1, k) * b[k] for k in range(m)) / (m + 1))
    return b


_BERN = _bernoulli(26)
# Stirling series: lgamma(x) ~ (x-1/2)log x - x + log sqrt(2 pi) + sum B_2k / (2k (2k-1) x^(2k-1))
_STIRLING = tuple(float(_BERN[2 * k] / (2 * k * (2 * k - 1))) for k in range(1, 9))
# Euler-Maclaurin coefficients (2k)! / B_2k of Cephes' zeta
_ZETA_A = tuple(float(Fraction(math.factorial(2 * k)) / _BERN[2 * k]) for k in range(1, 13))


def _lgamma_23(p):
    """lgamma(2 + p) for p in [0, 1)."""
    num = _LG_B[0]
    for c in _LG_B[1:]:
        num = num * p + c
    den = p + _LG_C[0]
    for c in _LG_C[1:]:
        den = den * p + c
    return p * num / den


def _lgamma_series(t):
    """lgamma(2 + t) for |t| <= 0.5: (1 - gamma) t + sum_k (-1)^k (zeta(k) - 1) t^k / k.

    The series is relatively accurate at t = 0, so the zeros of lgamma at 1 and 2 keep full
    relative precision (the rational form has cancellation just below 2)."""
    s = _LG_SERIES[-1]
    for c in _LG_SERIES[-2::-1]:
        s = s * t + c
    return s * t


def _lgamma_pos(x):
    """lgamma for finite x > 0 (float64 array)."""
    out = np.empty_like(x)
    lo = x < 13.0
    if lo.any():
        v = x[lo] if not lo.all() else x
        r = np.empty_like(v)
        m0 = v < 0.5                  # lgamma(v) = lgamma(v + 1) - log(v)
        m1 = (v >= 0.5) & (v < 1.5)   # lgamma(v) = lgamma(2 + t) - log1p(t), t = v - 1
        m2 = (v >= 1.5) & (v < 2.5)   # lgamma(2 + t), t = v - 2
        m3 = v >= 2.5                 # reduce to [2, 3) and add the log of the product
        if m0.any():
            p = v[m0]
            r[m0] = _lgamma_series(p) - np.log1p(p) - np.log(p)
        if m1.any():
            t = v[m1] - 1.0
            r[m1] = _lgamma_series(t) - np.log1p(t)
        if m2.any():
            r[m2] = _lgamma_series(v[m2] - 2.0)
        if m3.any():
            w = v[m3]
            n = np.floor(w) - 2.0
            u = w - n                     # in [2, 3), exact
            prod = np.ones_like(w)
            for k in range(int(n.max())):
                prod *= np.where(n > k, u + k, 1.0)
            r[m3] = _lgamma_23(u - 2.0) + np.log(prod)
        if lo.all():
            return r
        out[lo] = r
    hi = ~lo
    w = x[hi]
    with np.errstate(over="ignore"):
        q = (w - 0.5) * np.log(w) - w + _LS2PI
        z = 1.0 / (w * w)
        s = _STIRLING[-1]
        for c in _STIRLING[-2::-1]:
            s = s * z + c
        out[hi] = q + s / w
    return out


def lgamma(x):
    """log |Gamma(x)|; +inf at the poles (0, -1, -2, ...)."""
    v = _as_f64(x)
    out = np.empty_like(v)
    finite = np.isfinite(v)
    pole = (v <= 0) & (v == np.floor(v))
    pos = finite & (v > 0)
    neg = finite & (v < 0) & ~pole
    if pos.all():
        return _finish(_lgamma_pos(v), x)
    if pos.any():
        out[pos] = _lgamma_pos(v[pos])
    if neg.any():
        w = v[neg]
        tiny = w > -1e-20   # lgamma(w) = -log|w| - gamma w + O(w^2): avoids sin(pi w) of a subnormal
        # reflection: Gamma(w) Gamma(1 - w) = pi / sin(pi w); reduce w by an integer first so
        # sin(pi * r) is exact-ish far from 0
        r = w - np.round(w)
        with np.errstate(divide="ignore"):
            res = _LOGPI - np.log(np.abs(np.sin(math.pi * r))) - _lgamma_pos(1.0 - w)
        if tiny.any():
            res[tiny] = -np.log(-w[tiny])
        out[neg] = res
    out[pole] = np.inf
    inf = np.isinf(v)
    out[inf] = np.inf
    nan = np.isnan(v)
    out[nan] = np.nan
    return _finish(out, x)


# -- digamma (PyTorch's calc_digamma, vectorised) ---------------------------------------------------
_PSI_10 = 2.25175258906672110764
_DG_A = (8.33333333333333333333E-2, -2.10927960927960927961E-2, 7.57575757575757575758E-3,
         -4.16666666666666666667E-3, 3.96825396825396825397E-3, -8.33333333333333333333E-3,
         8.33333333333333333333E-2)


def _digamma_pos(x):
    """digamma for x > 0 (float64 array)."""
    result = np.zeros_like(x)
    x = x.copy()
    with np.errstate(divide="ignore", over="ignore"):
        for _ in range(10):
            m = x < 10.0
            if not m.any():
                break
            result -= np.where(m, 1.0 / x, 0.0)
            x += m
        z = 1.0 / (x * x)
        y = _DG_A[0]
        for c in _DG_A[1:]:
            y = y * z + c
        y = np.where(x < 1.0e17, z * y, 0.0)
        asym = np.log(x) - 0.5 / x - y
    return np.where(x == 10.0, result + _PSI_10, result + asym)


def digamma(x):
    """The logarithmic derivative of Gamma; -inf at +0, +inf at -0, nan at negative integers."""
    v = _as_f64(x)
    out = np.empty_like(v)
    pos = v > 0
    if pos.all():
        return _finish(_digamma_pos(v), x)
    if pos.any():
        out[pos] = _digamma_pos(v[pos])
    neg = v < 0
    if neg.any():
        w = v[neg]
        r = w - np.trunc(w)
        with np.errstate(divide="ignore", invalid="ignore"):
            res = _digamma_pos(1.0 - w) - math.pi / np.tan(math.pi * r)
        res[w == np.trunc(w)] = np.nan
        out[neg] = res
    zero = v == 0
    if zero.any():
        out[zero] = np.copysign(np.inf, -v[zero])
    nan = np.isnan(v)
    out[nan] = np.nan
    return _finish(out, x)


# -- Hurwitz zeta and polygamma ----------------------------------------------------------------------
_MACHEP = 1.11022302462515654042E-16


def zeta(s, q):
    """Hurwitz zeta(s, q) = sum_k (k + q)^-s for s > 1 (Cephes, Euler-Maclaurin), elementwise.

    A negative non-integer ``q`` is summed directly up to ``q + k > 9``; callers reflect large
    negative arguments first (see ``polygamma``)."""
    s = _as_f64(s)
    q = _as_f64(q)
    s, q = np.broadcast_arrays(s, q)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        ok = np.isfinite(q) & (s > 1.0)
        a = np.where(ok, q, 10.0)
        total = np.power(a, -s)
        b = total
        # direct sum until a > 9, at least 9 terms
        i = 0
        while True:
            active = (a <= 9.0) | (i < 9)
            if i >= 9 and not active.any():
                break
            a = np.where(active, a + 1.0, a)
            bb = np.power(a, -s)
            b = np.where(active, bb, b)
            total = total + np.where(active, bb, 0.0)
            i += 1
        w = a
        total = total + np.power(w, 1.0 - s) / (s - 1.0) - 0.5 * b
        fac = np.ones_like(total)
        k = 0.0
        for coef in _ZETA_A:
            fac = fac * (s + k)
            b = b / w
            total = total + fac * b / coef
            k += 1.0
            fac = fac * (s + k)
            b = b / w
            k += 1.0
        total = np.where(np.isposinf(q) & (s > 1.0), 0.0, total)
        total = np.where(np.isnan(q) | np.isneginf(q) | np.isnan(s), np.nan, total)
        total = np.where(s == 1.0, np.inf, total)
        total = np.where(s < 1.0, np.nan, total)
        qpole = (q <= 0) & (q == np.floor(q))
        total = np.where(qpole, np.inf, total)
        total = np.where((q <= 0) & ~qpole & (s != np.floor(s)), np.nan, total)
    return total


def _cot_derivative_poly(n):
    """Coefficients (lowest first) of R_n with d^n/du^n cot(u) = R_n(cot u)."""
    r = np.polynomial.Polynomial([0.0, 1.0])
    m = np.polynomial.Polynomial([-1.0, 0.0, -1.0])   # d(cot u)/du = -(1 + cot^2 u)
    for _ in range(n):
        r = r.deriv() * m
    return r


def polygamma(n, x):
    """The n-th derivative of digamma (n >= 0 an integer)."""
    if n == 0:
        return digamma(x)
    v = _as_f64(x)
    sign = 1.0 if n % 2 else -1.0
    scale = sign * math.factorial(n)
    neg = v < 0
    if not neg.any():
        return _finish(scale * zeta(np.float64(n + 1), v), x)
    w = np.where(neg, 1.0 - v, v)
    r = scale * zeta(np.float64(n + 1), w)
    # reflection: psi_n(1 - x) + (-1)^(n+1) psi_n(x) = (-1)^n pi d^n/dx^n cot(pi x)
    red = v - np.round(v)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        tiny = np.abs(v) < 1e-30       # psi_n(x) ~ (-1)^(n+1) n! / x^(n+1) next to the pole at 0
        c = 1.0 / np.tan(math.pi * np.where(tiny, 0.25, red))
        dcot = math.pi ** n * _cot_derivative_poly(n)(c)
        refl = sign * ((-1.0) ** n * math.pi * dcot - r)
        refl = np.where(tiny, scale / np.power(np.where(tiny, v, 1.0), n + 1), refl)
        refl = np.where(v == np.round(v), sign * np.inf, refl)   # poles (incl. -inf: see below)
        refl = np.where(np.isneginf(v), np.nan, refl)
    return _finish(np.where(neg, refl, r), x)


# (1 - gamma), then (-1)^k (zeta(k) - 1) / k for k = 2..27, with zeta(k) - 1 = zeta(k, 2)
_LG_SERIES = (1.0 - 0.57721566490153286061,) + tuple(
    float(c) for c in ((-1.0) ** np.arange(2, 28) * zeta(np.arange(2, 28, dtype=np.float64), 2.0)
                       / np.arange(2, 28)))
