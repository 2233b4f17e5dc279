"""ndgrad.linalg: torch.linalg's norms (``vector_norm``, ``matrix_norm``, ``norm``).

Loaded on first access (``ndgrad.linalg``). Vector norms and the ``'fro'``, ``±1`` and ``±inf``
matrix norms are built from differentiable reductions, so they are differentiable to any order.
The singular-value norms (``'nuc'``, ``±2``) differentiate once: their backward,
``U diag(grad) Vh``, is recorded with a node that refuses a second differentiation with respect to
the matrix (an explicit error rather than a silently wrong Hessian).

Decompositions, inverses and solvers (det, inv, solve, cholesky, qr, eigh, svd, pinv, lstsq, lu ...)
come from ``ndgrad.ops.linalg_decomp``; ``matmul`` from ``ndgrad.ops.linalg``.
``linalg.svdvals`` is differentiable to any order; the singular-value matrix norms keep their own
once-differentiable node (below).

Example:
    >>> import ndgrad as torch
    >>> torch.linalg.vector_norm(torch.tensor([3., 4.]))
    tensor(5.)
"""
import math

import numpy as np

from . import _dtype
from .ops._core import Node, wrap, edge, mode, attach, wrap_dim
from .ops.compare import where
from .ops.reduction import type_name, _axes, _numel, unsqueeze_reduced
from .ops.unary import abs as _abs

_add = np.add.reduce

__all__ = ["vector_norm", "matrix_norm", "norm"]


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The ``ord``-norm of ``x`` seen as a vector (over ``dim``; all elements by default).

    ``ord``: any number, ``inf`` (max of ``|x|``), ``-inf`` (min), ``0`` (count of non-zeros).
    The gradient of the 2-norm is 0 at ``x = 0`` (torch's convention).

    Example:
        >>> ndgrad.linalg.vector_norm(ndgrad.tensor([[3., 4.], [6., 8.]]), dim=1)
        tensor([ 5., 10.])
    """
    if out is not None:
        raise NotImplementedError("linalg.vector_norm: the out= argument is not supported by ndgrad")
    if dtype is not None:
        want = _dtype.to_dtype(dtype)
        if not (want.is_floating_point or want.is_complex):
            raise RuntimeError(f"linalg.vector_norm: dtype should be floating point or complex, but got "
                               f"{type_name(want.np)}")
        src = x._data.dtype
        if src.kind in "fc" and not np.can_cast(src, want.np, "safe"):
            raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({type_name(src)}) should be "
                               f"convertible without narrowing to the specified dtype ({type_name(want.np)})")
    return _vector_norm(x, ord, dim, keepdim, dtype=dtype)


def _matrix_dims(A, dim, what="linalg.matrix_norm"):
    d = A._data
    if d.ndim < 2:
        raise RuntimeError(f"{what}: The input tensor A must have at least 2 dimensions.")
    if d.dtype.kind not in "fc":
        raise RuntimeError(f"{what}: Expected a floating point or complex tensor as input. Got {type_name(d.dtype)}")
    dims = tuple(dim) if isinstance(dim, (tuple, list)) else (dim,)
    if len(dims) != 2:
        raise RuntimeError(f"{what}: dim must be a 2-tuple. Got {' '.join(str(v) for v in dims)}")
    d0, d1 = wrap_dim(dims[0], d.ndim), wrap_dim(dims[1], d.ndim)
    if d0 == d1:
        raise RuntimeError(f"{what}: dims must be different. Got ({dims[0]}, {dims[1]})")
    return d0, d1


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """A matrix norm of ``A`` (or of each matrix in a batch) over the two dims ``dim``.

    ``ord``: ``'fro'`` (default), ``'nuc'`` (sum of singular values), ``inf`` / ``-inf`` (max/min
    row sum of ``|A|``), ``1`` / ``-1`` (max/min column sum), ``2`` / ``-2`` (largest/smallest
    singular value).

    Example:
        >>> ndgrad.linalg.matrix_norm(ndgrad.tensor([[1., -2.], [3., 4.]]), ord=1)
        tensor(6.)
    """
    if out is not None:
        raise NotImplementedError("linalg.matrix_norm: the out= argument is not supported by ndgrad")
    d0, d1 = _matrix_dims(A, dim)
    if dtype is not None:
        A = A.to(dtype)
    shape = A._data.shape
    empty = shape[d0] == 0 or shape[d1] == 0
    if isinstance(ord, str):
        if ord == "fro":
            return _vector_norm(A, 2, (d0, d1), keepdim)
        if ord != "nuc":
            raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
        if empty:
            return _vector_norm(A, 2, (d0, d1), keepdim)
        return _keep(_svdvals(A.movedim((d0, d1), (-2, -1))).sum(-1), d0, d1, keepdim)
    p = float(ord)
    if abs(p) == 2.0:
        if empty and p > 0:
            return _vector_norm(A, 2, (d0, d1), keepdim)
        sv = _svdvals(A.movedim((d0, d1), (-2, -1)))
        return _keep(sv.amax(-1) if p > 0 else sv.amin(-1), d0, d1, keepdim)
    if abs(p) not in (1.0, math.inf):
        raise RuntimeError(f"linalg.matrix_norm: Order {_fmt_number(ord)} not supported.")
    if empty and p > 0:
        return _vector_norm(A, 2, (d0, d1), keepdim)
    if math.isinf(p):  # row sums: reduce dim1 first
        d0, d1 = d1, d0
    if not keepdim and d0 < d1:
        d1 -= 1
    s = _abs(A).sum(d0, keepdim=keepdim)
    return s.amax(d1, keepdim=keepdim) if p > 0 else s.amin(d1, keepdim=keepdim)


def _keep(result, d0, d1, keepdim):
    if not keepdim:
        return result
    lo, hi = (d0, d1) if d0 < d1 else (d1, d0)
    return result.unsqueeze(lo).unsqueeze(hi)


def norm(A, ord=None, dim=None, keepdim=False, *, out=None, dtype=None):
    """``torch.linalg.norm``: a vector norm or a matrix norm depending on ``ord`` and ``dim``.

    With ``dim=None`` and ``ord=None`` the 2-norm of all elements; with ``ord`` and no ``dim`` the
    input must be 1-D (vector norm) or 2-D (matrix norm); a 1-element ``dim`` gives vector norms,
    a 2-element ``dim`` matrix norms.

    Example:
        >>> ndgrad.linalg.norm(ndgrad.tensor([[1., 2.], [2., 4.]]))
        tensor(5.)
    """
    if out is not None:
        raise NotImplementedError("linalg.norm: the out= argument is not supported by ndgrad")
    if dim is not None:
        dim = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dim) not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dim)}")
    elif ord is not None:
        if A.ndim not in (1, 2):
            raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                               f"Got {A.ndim}D.")
        dim = tuple(range(A.ndim))
    if ord is None:
        return vector_norm(A, 2, dim, keepdim, dtype=dtype)
    if isinstance(ord, str) or len(dim) == 2:
        return matrix_norm(A, ord, dim, keepdim, dtype=dtype)
    return vector_norm(A, ord, dim, keepdim, dtype=dtype)


# -- vector norms ---------------------------------------------------------------------------------------
def _sign(x):
    """sign(x) as a constant (its derivative is 0), with torch's sign(NaN) = 0."""
    s = np.sign(x._data)
    if s.dtype.kind == "f":
        s[s != s] = 0
    return wrap(s)


class LinalgVectorNormBackward0(Node):
    """torch's ``norm_backward`` for every order (0 gradient at 0 for the 2-norm)."""

    __slots__ = ("ord", "axes", "keepdim")

    def backward(self, grad):
        x, norm = self.saved
        p = self.ord
        axes = self.axes
        n = x.ndim
        if not self.keepdim and n:
            grad = unsqueeze_reduced(grad, axes, n, False)
            norm = unsqueeze_reduced(norm, axes, n, False)
        if p == 0.0:
            return None
        if p == 1.0:
            return _sign(x) * grad
        # The masks are applied after dividing by the norm, as torch does: at 0 the first derivative
        # is 0 and the (undefined) second derivative comes out NaN, as in torch.
        if p == 2.0:
            return grad * where(norm == 0, 0.0, x / norm)
        if math.isinf(p):
            # sign(x) * (|x| == norm or NaN) / count: piecewise constant in x, so computed once in NumPy
            xd = x._data
            ad = np.abs(xd)
            mask = (ad == norm._data) | (ad != ad)
            count = _add(mask, axis=axes, keepdims=True, dtype=grad._data.dtype)
            return grad * wrap(_sign(x)._data * (mask / count))
        ax = _abs(x)
        if p < 1.0:
            scaled = _sign(x) * where(x == 0, 0.0, ax ** (p - 1))
            return scaled * grad * norm ** (1 - p)
        scaled = _sign(x) * ax ** (p - 1) if p < 2.0 else x * ax ** (p - 2)
        return scaled * where(norm == 0, 0.0, grad / norm ** (p - 1))


def _vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """The vector norm without ``vector_norm``'s dtype-argument checks."""
    if isinstance(ord, str):
        raise TypeError("linalg_vector_norm(): argument 'ord' must be Number, not str")
    d = x._data
    if d.dtype.kind not in "fc":
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {type_name(d.dtype)}")
    if dtype is not None:
        x = x.to(dtype)
        d = x._data
    p = float(ord)
    axes = _axes(dim, d.ndim)
    if (p < 0 or math.isinf(p)) and (d.size == 0 or _numel(d.shape, axes) == 0):
        _empty_norm_error(d, p, ord, dim)
    a = np.abs(d) if (d.dtype.kind == "c" or p != 2.0) else None
    if p == 2.0:
        sq = d * d if a is None else a * a
        data = np.sqrt(_add(sq, axis=axes, keepdims=keepdim))
    elif p == 1.0:
        data = _add(a, axis=axes, keepdims=keepdim)
    elif p == math.inf:
        data = np.maximum.reduce(a, axis=axes, keepdims=keepdim)
    elif p == -math.inf:
        data = np.minimum.reduce(a, axis=axes, keepdims=keepdim)
    elif p == 0.0:
        data = _add(d != 0, axis=axes, keepdims=keepdim, dtype=a.dtype)
    else:
        data = _add(a ** p, axis=axes, keepdims=keepdim) ** (1.0 / p)
    if data.__class__ is not np.ndarray:
        data = np.asarray(data)
    want = a.dtype if a is not None else d.dtype
    if data.dtype != want:
        data = data.astype(want)
    out = wrap(data)
    if mode.enabled and x._rg:
        node = LinalgVectorNormBackward0(edge(x))
        node.save_output(out, x)
        node.ord, node.axes, node.keepdim = p, axes, keepdim
        attach(out, node)
    return out


def _empty_norm_error(d, p, ord, dim):
    p_txt = ("inf" if p > 0 else "-inf") if math.isinf(p) else _fmt_number(ord)
    if dim is None or (isinstance(dim, (tuple, list)) and not dim):
        where_ = "on an empty tensor because the operation"
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        first = next(v for v in dims if d.shape[wrap_dim(v, d.ndim)] == 0)
        # torch's wording, missing space included
        where_ = f"on the dimension {first}because this dimension is empty and the operation"
    raise RuntimeError(f"linalg.vector_norm cannot compute the {p_txt} norm {where_} does not have an identity")


def _fmt_number(v):
    return str(int(v)) if float(v).is_integer() else str(v)


# -- singular values, differentiable once ----------------------------------------------------------------
class LinalgSvdBackward0(Node):
    """``grad_A = U diag(grad_S) Vh`` (the singular vectors are saved, as NumPy arrays)."""

    __slots__ = ("u", "vh")

    def backward(self, grad):
        (a,) = self.saved
        return _svdvals_backward(grad, self.u, self.vh, a)


class LinalgSvdBackwardBackward0(Node):
    """Second differentiation of the singular values: linear in ``grad_S``; the dependence on ``A``
    (through the singular vectors) is not implemented and raises instead of being dropped."""

    __slots__ = ("u", "vh")

    def backward(self, gg):
        (fg, _), (fa, _) = self.next_functions
        if fa is not None:
            raise RuntimeError(
                "ndgrad: the second derivative of singular values (linalg.matrix_norm / linalg.norm with "
                "ord='nuc', 2 or -2) with respect to the matrix is not implemented; these norms are "
                "differentiable once. Use ord='fro' for a norm that is differentiable twice.")
        g = gg._data
        return wrap(np.einsum("...ik,...ij,...kj->...k", self.u, g, self.vh)) if fg is not None else None, None


def _svdvals_backward(grad, u, vh, a):
    gd = grad._data
    out = wrap(np.matmul(u * gd[..., None, :], vh))
    if mode.enabled and (grad._rg or a._rg):
        node = LinalgSvdBackwardBackward0(edge(grad), edge(a))
        node.u, node.vh = u, vh
        attach(out, node)
    return out


def _svdvals(A):
    """Singular values of the matrices in the last two dims of ``A``, in descending order."""
    d = A._data
    if mode.enabled and A._rg:
        u, s, vh = np.linalg.svd(d, full_matrices=False)
        out = wrap(s)
        node = LinalgSvdBackward0(edge(A))
        node.save(A)
        node.u, node.vh = u, vh
        attach(out, node)
        return out
    return wrap(np.linalg.svd(d, compute_uv=False))


# -- decompositions, inverses and solvers (ndgrad.ops.linalg_decomp) ----------------------------------------
from .ops.linalg_decomp import (  # noqa: E402
    LinAlgError, linalg_det as det, linalg_slogdet as slogdet, linalg_inv as inv, linalg_inv_ex as inv_ex,
    linalg_solve as solve, linalg_solve_ex as solve_ex, linalg_solve_triangular as solve_triangular,
    linalg_cholesky as cholesky, linalg_cholesky_ex as cholesky_ex, linalg_qr as qr, linalg_eigh as eigh,
    linalg_eigvalsh as eigvalsh, linalg_eig as eig, linalg_eigvals as eigvals, linalg_svd as svd,
    linalg_svdvals as svdvals, linalg_pinv as pinv, linalg_lstsq as lstsq, linalg_matrix_power as matrix_power,
    linalg_matrix_exp as matrix_exp, linalg_matrix_rank as matrix_rank, linalg_cross as cross,
    linalg_vecdot as vecdot, linalg_multi_dot as multi_dot, linalg_vander as vander, linalg_lu_factor as lu_factor,
    linalg_lu_factor_ex as lu_factor_ex, linalg_lu as lu, linalg_lu_solve as lu_solve, linalg_cond as cond,
    linalg_tensorinv as tensorinv, linalg_tensorsolve as tensorsolve, linalg_diagonal as diagonal,
    linalg_householder_product as householder_product)

__all__ += ["LinAlgError", "det", "slogdet", "inv", "inv_ex", "solve", "solve_ex", "solve_triangular", "cholesky",
            "cholesky_ex", "qr", "eigh", "eigvalsh", "eig", "eigvals", "svd", "svdvals", "pinv", "lstsq",
            "matrix_power", "matrix_exp", "matrix_rank", "cross", "vecdot", "multi_dot", "vander", "lu_factor",
            "lu_factor_ex", "lu", "lu_solve", "cond", "tensorinv", "tensorsolve", "diagonal", "householder_product",
            "matmul"]


def __getattr__(name):
    """``matmul`` and other torch.linalg names defined in ``ndgrad.ops.linalg`` as ``linalg_<name>``."""
    if not name.startswith("_"):
        from .ops import linalg as _ops_linalg
        for candidate in ("linalg_" + name, "matmul" if name == "matmul" else None):
            fn = getattr(_ops_linalg, candidate, None) if candidate else None
            if fn is not None:
                return fn
    raise AttributeError(f"module 'ndgrad.linalg' has no attribute '{name}'")
