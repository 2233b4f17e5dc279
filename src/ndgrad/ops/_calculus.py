"""Finite differences and integrals (diff, gradient, trapezoid, trapz, cumulative_trapezoid) and a
few matrix builders (trace, renorm, addr, vander), re-exported by :mod:`.construction`.

Everything is a composition of differentiable ndgrad ops (narrow, cat, sum, cumsum, mul ...), so
first- and higher-order gradients follow from those ops' own formulas.
"""
import numbers

import numpy as np

from .. import _dtype
from ._core import Tensor, wrap, wrap_dim

__all__ = ["diff", "gradient", "trapezoid", "trapz", "cumulative_trapezoid", "trace", "renorm", "addr", "vander"]


def _cat(ts, dim):
    from .joining import cat
    return cat(ts, dim)


def _float(t):
    return t if t._data.dtype.kind in "fc" else t.to(_dtype.get_default_dtype())


# -- diff ------------------------------------------------------------------------------------------------
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim`` (``prepend``/``append`` are joined first); bool
    tensors use exclusive or."""
    d = input._data
    if d.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    n = int(n)
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    dim = wrap_dim(dim, d.ndim)
    parts = []
    for extra in (prepend, append):
        if extra is not None and not isinstance(extra, Tensor):
            raise TypeError("diff(): argument 'prepend'/'append' must be Tensor")
        if extra is not None and extra._data.ndim != d.ndim:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    if prepend is not None:
        parts.append(prepend)
    parts.append(input)
    if append is not None:
        parts.append(append)
    x = _cat(parts, dim) if len(parts) > 1 else input
    for _ in range(n):
        size = x._data.shape[dim]
        if size == 0:
            break
        hi, lo = x.narrow(dim, 1, size - 1), x.narrow(dim, 0, size - 1)
        if x._data.dtype == np.bool_:
            from .compare import logical_xor
            x = logical_xor(hi, lo)
        else:
            x = hi - lo
    return x if n else x.clone()


# -- gradient (finite differences, second order accurate inside) --------------------------------------
def _spacings(spacing, dims, ndim):
    """One spacing per differentiated dim: a Python number or a 1-d coordinates tensor."""
    if isinstance(spacing, (list, tuple)):
        sp = list(spacing)
        if len(sp) == 1 and len(dims) > 1 and not isinstance(sp[0], Tensor):
            sp = sp * len(dims)
        if len(sp) != len(dims):
            raise RuntimeError(f"torch.gradient expected spacing to be unspecified, a scalar or it's spacing and "
                               f"dim arguments to have the same length, but got a spacing argument of length "
                               f"{len(sp)} and a dim argument of length {len(dims)}.")
        return sp
    if isinstance(spacing, Tensor) and spacing._data.ndim > 0:
        raise RuntimeError("torch.gradient expected spacing to be a scalar, a list of scalars or a list of tensors")
    if isinstance(spacing, Tensor):
        spacing = spacing.item()
    return [spacing] * len(dims)


def _along(t, dim, ndim):
    """A 1-d tensor shaped to broadcast along ``dim`` of an ``ndim``-d tensor."""
    shape = [1] * ndim
    shape[dim] = -1
    return t.reshape(shape)


def _gradient_dim(f, dim, h, edge_order):
    n = f._data.shape[dim]
    nd = f._data.ndim

    def at(start, length=1):
        return f.narrow(dim, start, length)

    if isinstance(h, Tensor):          # coordinates: non-uniform spacing
        x = h
        if x._data.ndim != 1 or x._data.shape[0] != n:
            raise RuntimeError(f"torch.gradient expected each tensor to be on the same device and the size of "
                               f"each coordinate tensor to match the input size along its dim ({n})")
        x = _float(x) if x._data.dtype.kind not in "fc" else x
        dx = x[1:] - x[:-1]
        hl, hr = _along(dx[:-1], dim, nd), _along(dx[1:], dim, nd)
        a = -hr / (hl * (hl + hr))
        b = (hr - hl) / (hl * hr)
        c = hl / (hr * (hl + hr))
        inner = a * at(0, n - 2) + b * at(1, n - 2) + c * at(2, n - 2)
        if edge_order == 1:
            left = (at(1) - at(0)) / dx[0]
            right = (at(n - 1) - at(n - 2)) / dx[-1]
        else:
            d1, d2 = dx[0], dx[1]
            left = (-(2 * d1 + d2) / (d1 * (d1 + d2)) * at(0) + (d1 + d2) / (d1 * d2) * at(1)
                    - d1 / (d2 * (d1 + d2)) * at(2))
            d1, d2 = dx[-2], dx[-1]
            right = (d2 / (d1 * (d1 + d2)) * at(n - 3) - (d2 + d1) / (d1 * d2) * at(n - 2)
                     + (2 * d2 + d1) / (d2 * (d1 + d2)) * at(n - 1))
    else:
        inner = (at(2, n - 2) - at(0, n - 2)) / (2 * h)
        if edge_order == 1:
            left = (at(1) - at(0)) / h
            right = (at(n - 1) - at(n - 2)) / h
        else:
            left = (-1.5 * at(0) + 2 * at(1) - 0.5 * at(2)) / h
            right = (0.5 * at(n - 3) - 2 * at(n - 2) + 1.5 * at(n - 1)) / h
    return _cat([left, inner, right], dim)


def gradient(input, *, spacing=1, dim=None, edge_order=1):
    """Estimated derivative of ``input`` along each of ``dim`` (all dims by default): central
    differences inside, one-sided differences of order ``edge_order`` (1 or 2) at the ends.
    ``spacing``: a number, one number per dim, or one coordinates tensor per dim. A tuple."""
    if edge_order not in (1, 2):
        raise RuntimeError("torch.gradient only supports edge_order=1 and edge_order=2.")
    nd = input._data.ndim
    if dim is None:
        dims = list(range(nd))
    elif isinstance(dim, (list, tuple)):
        dims = [wrap_dim(x, nd) for x in dim]
    else:
        dims = [wrap_dim(dim, nd)]
    for dd in dims:
        if input._data.shape[dd] < edge_order + 1:
            raise RuntimeError("torch.gradient expected each dimension size to be at least edge_order+1")
    sp = _spacings(spacing, dims, nd)
    f = _float(input)
    out = []
    for dd, h in zip(dims, sp):
        if isinstance(h, Tensor) and h._data.ndim == 0:
            h = h.item()
        out.append(_gradient_dim(f, dd, h, edge_order))
    return tuple(out)


# -- integrals -----------------------------------------------------------------------------------------
def _pieces(y, x, dx, dim, fname):
    """(width of each interval, sum of its two ends) along ``dim``; width may be a number."""
    d = y._data
    nd = d.ndim
    dim = wrap_dim(dim, nd)
    n = d.shape[dim]
    ends = y.narrow(dim, min(n, 1), max(n - 1, 0)) + y.narrow(dim, 0, max(n - 1, 0))
    if x is not None:
        if isinstance(x, numbers.Number):
            return x, ends, dim
        xd = x._data
        if xd.ndim == 1:
            if xd.shape[0] != n:
                raise RuntimeError(f"{fname}: There must be one `x` value for each sample point")
            w = _along(x[1:] - x[:-1], dim, nd)
        else:
            xdim = wrap_dim(dim - nd if dim >= 0 else dim, xd.ndim) if xd.ndim else 0
            m = xd.shape[xdim]
            w = x.narrow(xdim, min(m, 1), max(m - 1, 0)) - x.narrow(xdim, 0, max(m - 1, 0))
        return w, ends, dim
    return (1 if dx is None else dx), ends, dim


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """Integral of ``y`` along ``dim`` by the trapezoidal rule, with sample points ``x`` or
    spacing ``dx`` (1 by default)."""
    if x is not None and dx is not None:
        raise RuntimeError("trapezoid: cannot pass both x and dx")
    w, ends, dim = _pieces(y, x, dx, dim, "trapezoid")
    if y._data.shape[dim] == 0:      # torch: plain zeros, outside autograd
        return wrap(np.zeros(y._data.shape[:dim] + y._data.shape[dim + 1:], dtype=ends._data.dtype))
    if isinstance(w, Tensor):
        return (w * ends).sum(dim) / 2
    return (ends.sum(dim) * w) / 2


def trapz(y, x=None, *, dx=None, dim=-1):
    """Alias of :func:`trapezoid`."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """Running trapezoidal integral of ``y`` along ``dim`` (one element shorter than ``y`` there)."""
    if x is not None and dx is not None:
        raise RuntimeError("cumulative_trapezoid: cannot pass both x and dx")
    w, ends, dim = _pieces(y, x, dx, dim, "cumulative_trapezoid")
    return (w * ends / 2).cumsum(dim) if isinstance(w, Tensor) else (ends * (w / 2)).cumsum(dim)


# -- trace, renorm, addr, vander ------------------------------------------------------------------------
def trace(input):
    """Sum of the main diagonal of a matrix (integer inputs sum in int64)."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    return input.diagonal().sum()


def renorm(input, p, dim, maxnorm):
    """Each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled down to norm ``maxnorm``."""
    from ..linalg import vector_norm
    from .compare import where
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    nd = input._data.ndim
    dim = wrap_dim(dim, max(nd, 1))
    other = tuple(i for i in range(nd) if i != dim)
    norm = vector_norm(input, p, other, keepdim=True)
    factor = where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    return input * factor.to(input.dtype)


def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None):
    """``beta * input + alpha * outer(vec1, vec2)`` (``input`` is ignored when ``beta`` is 0)."""
    from .linalg import outer
    for name, v in (("vec1", vec1), ("vec2", vec2)):
        if v._data.ndim != 1:
            raise RuntimeError(f"addr: Expected 1-D argument {name}, but got {v._data.ndim}-D")
    np_dt = _dtype.promote_np(_dtype.promote_np(input._data.dtype, vec1._data.dtype), vec2._data.dtype)
    if np_dt.kind in "iub":
        for name, s in (("beta", beta), ("alpha", alpha)):
            if isinstance(s, float) or isinstance(s, complex):
                raise RuntimeError(f"For integral input tensors, argument {name} must not be a floating point number.")
    shape = (vec1._data.shape[0], vec2._data.shape[0])
    o = outer(vec1, vec2)
    if np_dt == np.bool_:
        from .compare import logical_or
        res = o if alpha else wrap(np.zeros(shape, dtype=bool))
        if beta:
            res = logical_or(input, res)
        res = res.expand(*shape) if tuple(res.shape) != shape else res
        return res.clone()
    if alpha != 1:
        o = o * alpha
    if beta == 0:
        res = o + input * 0 if np.isfinite(input._data).all() else o + wrap(np.zeros((), dtype=np_dt))
    else:
        res = o + (input if beta == 1 else input * beta)
    if tuple(res.shape) != shape:
        raise RuntimeError(f"The expanded size of the tensor ({shape[-1]}) must match the existing size "
                           f"({input._data.shape[-1]}) at non-singleton dimension 1.  Target sizes: "
                           f"{list(shape)}.  Tensor sizes: {list(input._data.shape)}")
    return res


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-d tensor: columns ``x**(N-1), ..., x, 1`` (reversed with
    ``increasing``); integer and bool inputs give int64."""
    from .creation import ones
    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._data.shape[0]
    N = n if N is None else int(N)
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    xs = x if x._data.dtype.kind in "fc" else x.to(_dtype.int64)
    cols = [ones(n, min(N, 1), dtype=xs.dtype)]
    if N > 1:
        cols.append(xs.unsqueeze(1).expand(n, N - 1).cumprod(1))
    res = _cat(cols, 1) if len(cols) > 1 else cols[0]
    return res if increasing else res.flip(1)
