"""Matrix functions and products of torch.linalg: matrix_power, matrix_exp, cross, vecdot, multi_dot,
vander, tensorinv, tensorsolve (mostly compositions of differentiable ndgrad ops)."""
import math
import warnings

import numpy as np

from ._core import Tensor, wrap, wrap_dim
from .linalg_solve import emit, check_matrix, eye_like, linalg_inv, linalg_solve

__all__ = ["matrix_power", "matrix_exp", "cross", "chain_matmul"]


def _cat(ts, dim):
    from .joining import cat
    return cat(ts, dim)


# == matrix_power =================================================================================
def linalg_matrix_power(A, n, *, out=None):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}")
    d = check_matrix(A, "linalg.matrix_power", float_only=False)
    n = int(n)
    if n == 0:
        eye = eye_like(d.shape[-1], A, d.shape[:-2])
        return eye + A * 0 if A.requires_grad else eye
    if n < 0:
        if d.dtype.kind not in "fc":
            raise RuntimeError(f"linalg.inv: Expected a floating point or complex tensor as input. Got Long")
        A = linalg_inv(A)
        n = -n
    result = None
    z = A
    while n:
        if n & 1:
            result = z if result is None else result @ z
        n >>= 1
        if n:
            z = z @ z
    return result


def matrix_power(input, n):
    return linalg_matrix_power(input, n)


# == matrix_exp ===================================================================================
_PADE13 = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800., 129060195264000.,
           10559470521600., 670442572800., 33522128640., 1323241920., 40840800., 960960., 16380., 182., 1.)
_THETA13 = 5.371920351148152


def _expm_one(a):
    """exp(a) for one square matrix: scaling and squaring with a degree-13 Pade approximant."""
    n = a.shape[-1]
    norm = np.abs(a).sum(0).max() if n else 0.0
    s = max(0, int(math.ceil(math.log2(norm / _THETA13)))) if norm > _THETA13 else 0
    a = a / (2.0 ** s)
    b = _PADE13
    ident = np.eye(n, dtype=a.dtype)
    a2 = a @ a
    a4 = a2 @ a2
    a6 = a4 @ a2
    u = a @ (a6 @ (b[13] * a6 + b[11] * a4 + b[9] * a2) + b[7] * a6 + b[5] * a4 + b[3] * a2 + b[1] * ident)
    v = a6 @ (b[12] * a6 + b[10] * a4 + b[8] * a2) + b[6] * a6 + b[4] * a4 + b[2] * a2 + b[0] * ident
    r = np.linalg.solve(v - u, v + u)
    for _ in range(s):
        r = r @ r
    return r


def _expm_formula(grads, inputs, outs):
    g = grads[0]
    A = inputs[0]
    n = A.shape[-1]
    AH = A.mH
    top = _cat([AH, g], -1)
    bottom = _cat([AH * 0, AH], -1)
    return linalg_matrix_exp(_cat([top, bottom], -2))[..., :n, n:]


def linalg_matrix_exp(A):
    d = check_matrix(A, "linalg.matrix_exp")
    work = d.astype(np.complex128 if d.dtype.kind == "c" else np.float64)
    flat = work.reshape((-1,) + d.shape[-2:])
    res = np.stack([_expm_one(m) for m in flat]) if flat.shape[0] else flat.copy()
    res = res.reshape(d.shape).astype(d.dtype)
    return emit("LinalgMatrixExpBackward0", [res], [A], _expm_formula, lambda A: linalg_matrix_exp(A))[0]


def matrix_exp(input):
    return linalg_matrix_exp(input)


# == cross / vecdot ===============================================================================
def _cross_along(a, b, dim):
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    a, b = a.expand(shape), b.expand(shape)
    x = [a.narrow(dim, i, 1) for i in range(3)]
    y = [b.narrow(dim, i, 1) for i in range(3)]
    return _cat([x[1] * y[2] - x[2] * y[1], x[2] * y[0] - x[0] * y[2], x[0] * y[1] - x[1] * y[0]], dim)


def _check_cross_shapes(a, b, fn):
    if a.ndim != b.ndim:
        raise RuntimeError(f"{fn}: inputs must have the same number of dimensions.")
    try:
        return np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    except ValueError:
        raise RuntimeError(f"{fn}: the size of tensor a must match the size of tensor b at a non-singleton "
                           "dimension") from None


def linalg_cross(input, other, *, dim=-1, out=None):
    _check_cross_shapes(input, other, "linalg.cross")
    d = wrap_dim(dim, input.ndim)
    if input.shape[d] != 3 or other.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {dim} must have length 3. Got {input.shape[d]} and "
                           f"{other.shape[d]}")
    return _cross_along(input, other, d)


def cross(input, other, dim=None, *, out=None):
    if dim is None:
        warnings.warn("Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim "
                      "explicitly or simply use torch.linalg.cross.\nThe default value of dim will change to agree "
                      "with that of linalg.cross in a future release.", UserWarning, stacklevel=2)
        shape = _check_cross_shapes(input, other, "linalg.cross")
        dims = [i for i, s in enumerate(shape) if s == 3]
        if not dims:
            raise RuntimeError("no dimension of size 3 in input")
        dim = dims[0]
    return linalg_cross(input, other, dim=dim)


def linalg_vecdot(x, y, *, dim=-1, out=None):
    return (x.conj() * y).sum(dim)


# == multi_dot / chain_matmul =====================================================================
def _chain(ms):
    """Multiply 2-D tensors in the cheapest order (dynamic programming over the chain)."""
    n = len(ms)
    if n == 1:
        return ms[0]
    if n == 2:
        return ms[0] @ ms[1]
    dims = [ms[0].shape[0]] + [m.shape[1] for m in ms]
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k

    def build(i, j):
        if i == j:
            return ms[i]
        k = split[i][j]
        return build(i, k) @ build(k + 1, j)
    return build(0, n - 1)


def linalg_multi_dot(tensors, *, out=None):
    tensors = list(tensors)
    n = len(tensors)
    if n < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {n}")
    first, last = tensors[0], tensors[-1]
    if first.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the first tensor must be 1D or 2D but got {first.ndim}D")
    if last.ndim not in (1, 2):
        raise RuntimeError(f"multi_dot(): the last tensor must be 1D or 2D but got {last.ndim}D")
    for i, t in enumerate(tensors[1:-1], 1):
        if t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    dt = first.dtype
    for t in tensors[1:]:
        if t.dtype != dt:
            raise RuntimeError(f"multi_dot(): all tensors must have be the same dtype but tensor 0 is {dt} and "
                               f"tensor {tensors.index(t)} {t.dtype}")
    ms = list(tensors)
    if first.ndim == 1:
        ms[0] = first.unsqueeze(0)
    if last.ndim == 1:
        ms[-1] = last.unsqueeze(-1)
    for i in range(n - 1):
        if ms[i].shape[1] != ms[i + 1].shape[0]:
            a, b = ms[i].shape, ms[i + 1].shape
            raise RuntimeError(f"multi_dot(): tensors {i} and {i + 1} with shapes [{a[0]}, {a[1]}] and "
                               f"[{b[0]}, {b[1]}] cannot be multiplied")
    r = _chain(ms)
    if first.ndim == 1:
        r = r.squeeze(0)
    if last.ndim == 1:
        r = r.squeeze(-1)
    return r


def chain_matmul(*matrices, out=None):
    warnings.warn("torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
                  "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple "
                  "parameters.", UserWarning, stacklevel=2)
    if len(matrices) == 1 and isinstance(matrices[0], (list, tuple)):
        matrices = tuple(matrices[0])
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for t in matrices:
        if t.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {t.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        return matrices[0].clone()
    return linalg_multi_dot(matrices)


# == vander / tensorinv / tensorsolve / diagonal ==================================================
def linalg_vander(x, *, N=None):
    if x.ndim < 1:
        raise RuntimeError("N must be greater than 1.")
    n = x.shape[-1] if N is None else int(N)
    if n < 1:
        raise RuntimeError("N must be greater than 1.")
    ones = wrap(np.ones(tuple(x.shape) + (1,), x._data.dtype if x._data.dtype.kind != "b" else np.int64))
    if n == 1:
        return ones
    rep = x.unsqueeze(-1).expand(tuple(x.shape) + (n - 1,))
    return _cat([ones.to(x.dtype) if x._data.dtype.kind != "b" else ones, rep], -1).cumprod(-1)


def linalg_tensorinv(A, ind=2, *, out=None):
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    shape = tuple(A.shape)
    left, right = shape[ind:], shape[:ind]
    pl, pr = math.prod(left), math.prod(right)
    if pl != pr:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
                           f"prod(self.shape[:ind]), but got {pl} != {pr}")
    return linalg_inv(A.reshape(pr, pl)).reshape(left + right)


def linalg_tensorsolve(A, B, dims=None, *, out=None):
    if dims is not None:
        nd = A.ndim
        dims = [wrap_dim(d, nd) for d in dims]
        rest = [i for i in range(nd) if i not in dims]
        A = A.permute(rest + dims)
    res_shape = tuple(A.shape)[B.ndim:]
    nb = math.prod(tuple(B.shape))
    nr = math.prod(res_shape)
    if nb != nr:
        raise RuntimeError(f"Expected self to satisfy the requirement prod(self.shape[other.ndim:]) == "
                           f"prod(self.shape[:other.ndim]), but got {nr} != {nb}")
    return linalg_solve(A.reshape(nb, nr), B.reshape(nb)).reshape(res_shape)


def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    return A.diagonal(offset, dim1, dim2)


def linalg_householder_product(A, tau, *, out=None):
    raise NotImplementedError("ndgrad: linalg.householder_product is not implemented")
