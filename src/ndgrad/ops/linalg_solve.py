"""Inverses, determinants, linear solvers, Cholesky and LU (torch.linalg semantics), plus the small
machinery the decomposition ops share: a generic multi-output node whose formula is written with
ndgrad ops, so every gradient here is itself differentiable (double backward recomputes the forward
outputs differentiably from the saved inputs)."""
import numpy as np

from ._core import Node, Tensor, wrap, edge, mode, needs_grad, NOEDGE
from .reduction import type_name
from .sorting import _return_type

__all__ = ["det", "logdet", "slogdet", "inverse", "cholesky", "cholesky_solve", "cholesky_inverse",
           "triangular_solve", "lu", "lu_solve", "lu_unpack"]

_rt_slogdet = _return_type("slogdet", ("sign", "logabsdet"))
_rt_linalg_slogdet = _return_type("linalg_slogdet", ("sign", "logabsdet"))
_rt_inv_ex = _return_type("linalg_inv_ex", ("inverse", "info"))
_rt_solve_ex = _return_type("linalg_solve_ex", ("result", "info"))
_rt_chol_ex = _return_type("linalg_cholesky_ex", ("L", "info"))
_rt_tri = _return_type("triangular_solve", ("solution", "cloned_coefficient"))
_rt_lu_factor = _return_type("linalg_lu_factor", ("LU", "pivots"))
_rt_lu_factor_ex = _return_type("linalg_lu_factor_ex", ("LU", "pivots", "info"))
_rt_lu = _return_type("linalg_lu", ("P", "L", "U"))
_rt_lu_unpack = _return_type("lu_unpack", ("P", "L", "U"))


class _LinAlgError(RuntimeError):
    """torch.linalg.LinAlgError: a numerical failure (singular matrix, not positive-definite ...)."""


_LinAlgError.__module__ = "ndgrad._C"   # torch's class is torch._C._LinAlgError
LinAlgError = _LinAlgError


# == shared machinery =============================================================================
class _LinalgNode(Node):
    """A node whose ``formula(grads, inputs, outs)`` is written with ndgrad ops. ``outs`` are the
    saved forward outputs, or (under create_graph) outputs recomputed differentiably."""

    __slots__ = ("formula", "recompute", "n_in")
    materialize_grads = False

    def backward(self, grads):
        if self.num_outputs == 1:
            grads = (grads,)
        inputs = self.saved[:self.n_in]
        if mode.enabled and self.recompute is not None:
            outs = self.recompute(*inputs)
            if not isinstance(outs, tuple):
                outs = (outs,)
        else:
            outs = self.saved[self.n_in:]
        if all(g is None for g in grads):
            return (None,) * self.n_in
        r = self.formula(grads, inputs, outs)
        return r if isinstance(r, tuple) else (r,)


_CLASSES = {}


def _node_cls(name):
    cls = _CLASSES.get(name)
    if cls is None:
        cls = _CLASSES[name] = type(name, (_LinalgNode,), {"__slots__": ()})
    return cls


def emit(name, datas, inputs, formula, recompute=None, diff=None):
    """Wrap NumPy results ``datas`` as tensors; if an input needs grad, record one node ``name``
    producing the outputs listed in ``diff`` (all by default)."""
    outs = [wrap(d if isinstance(d, np.ndarray) else np.asarray(d)) for d in datas]
    if needs_grad(*inputs):
        node = _node_cls(name)(*[edge(x) if isinstance(x, Tensor) else NOEDGE for x in inputs])
        node.save(*inputs, *[o.detach() for o in outs])
        node.n_in = len(inputs)
        node.formula, node.recompute = formula, recompute
        node.num_outputs = len(outs)
        for k in (range(len(outs)) if diff is None else diff):
            o = outs[k]
            o.grad_fn = node
            o._rg = True
            if k:
                o._out_nr = k
    return outs


def sum_to(g, shape):
    """Reduce a broadcast gradient ``g`` to ``shape``."""
    shape = tuple(shape)
    if g is None or tuple(g.shape) == shape:
        return g
    lead = g.ndim - len(shape)
    if lead:
        g = g.sum(tuple(range(lead)))
    dims = tuple(i for i, s in enumerate(shape) if s == 1 and g.shape[i] != 1)
    return g.sum(dims, keepdim=True) if dims else g


def eye_like(n, like, batch=()):
    return wrap(np.broadcast_to(np.eye(n, dtype=like._data.dtype), tuple(batch) + (n, n)).copy())


def check_matrix(A, fn, square=True, what="A", float_only=True):
    d = A._data
    if d.ndim < 2:
        raise RuntimeError(f"{fn}: The input tensor {what} must have at least 2 dimensions.")
    if float_only and d.dtype.kind not in "fc":
        raise RuntimeError(f"{fn}: Expected a floating point or complex tensor as input. Got {type_name(d.dtype)}")
    if square and d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"{fn}: {what} must be batches of square matrices, but they are "
                           f"{d.shape[-2]} by {d.shape[-1]} matrices")
    return d


def _batch_prefix(shape, flat_index):
    if len(shape) <= 2:
        return ""
    return f"(Batch element {flat_index}): "


def _first_bad(info):
    """(flat batch index, value) of the first non-zero info entry, or None."""
    flat = np.asarray(info).reshape(-1)
    nz = np.nonzero(flat)[0]
    return None if nz.size == 0 else (int(nz[0]), int(flat[nz[0]]))


# == LU with partial pivoting (LAPACK getrf's choices) ==============================================
def lu_np(a):
    """Packed LU, 0-based pivot rows (..., k) and info (first zero pivot, 1-based; 0 if none)."""
    a = np.array(a, dtype=a.dtype, copy=True)
    m, n = a.shape[-2:]
    k = min(m, n)
    batch = a.shape[:-2]
    a = a.reshape((-1, m, n))
    nb = a.shape[0]
    piv = np.zeros((nb, k), dtype=np.int64)
    info = np.zeros(nb, dtype=np.int32)
    rows = np.arange(nb)
    for j in range(k):
        col = a[:, j:, j]
        mag = np.abs(col.real) + np.abs(col.imag) if a.dtype.kind == "c" else np.abs(col)
        p = j + np.argmax(mag, axis=1) if m > j else np.full(nb, j)
        piv[:, j] = p
        tmp = a[rows, j].copy()
        a[rows, j] = a[rows, p]
        a[rows, p] = tmp
        d = a[:, j, j]
        zero = d == 0
        info[(info == 0) & zero] = j + 1
        safe = np.where(zero, 1, d)
        a[:, j + 1:, j] /= safe[:, None]
        a[:, j + 1:, j + 1:] -= a[:, j + 1:, j, None] * a[:, j, None, j + 1:]
    return a.reshape(batch + (m, n)), piv.reshape(batch + (k,)), info.reshape(batch)


def perm_from_piv(piv, m):
    """Row permutation ``perm`` with (P^T A)[i] = A[perm[i]], from 0-based LAPACK swaps."""
    batch = piv.shape[:-1]
    pv = piv.reshape((-1, piv.shape[-1]))
    perm = np.tile(np.arange(m), (pv.shape[0], 1))
    rows = np.arange(pv.shape[0])
    for j in range(pv.shape[1]):
        p = pv[:, j]
        tmp = perm[rows, j].copy()
        perm[rows, j] = perm[rows, p]
        perm[rows, p] = tmp
    return perm.reshape(batch + (m,))


def perm_matrix(perm, dtype):
    m = perm.shape[-1]
    P = np.zeros(perm.shape + (m,), dtype=dtype)
    np.put_along_axis(P, perm[..., None], 1, axis=-1)  # P^T[i, perm[i]] = 1
    return np.swapaxes(P, -1, -2).copy()


def tri_solve_np(T, B, upper, unit=False):
    """Solve T X = B by substitution (T triangular; zero diagonals give inf/nan like LAPACK)."""
    n = T.shape[-1]
    shape = np.broadcast_shapes(T.shape[:-2], B.shape[:-2])
    dt = np.result_type(T.dtype, B.dtype)
    T = np.broadcast_to(T, shape + T.shape[-2:])
    X = np.array(np.broadcast_to(B, shape + B.shape[-2:]), dtype=dt, copy=True)
    order = range(n - 1, -1, -1) if upper else range(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        for i in order:
            if upper:
                acc = X[..., i, :] - np.einsum("...j,...jk->...k", T[..., i, i + 1:], X[..., i + 1:, :])
            else:
                acc = X[..., i, :] - np.einsum("...j,...jk->...k", T[..., i, :i], X[..., :i, :])
            X[..., i, :] = acc if unit else acc / T[..., i, i, None]
    return X


def lu_solve_np(LU, piv, B, adjoint=False):
    """Solve A X = B (or A^H X = B) from a packed LU factorisation."""
    n = LU.shape[-1]
    perm = perm_from_piv(piv, n)
    if not adjoint:
        shape = np.broadcast_shapes(LU.shape[:-2], B.shape[:-2])
        Bb = np.broadcast_to(B, shape + B.shape[-2:])
        pb = np.broadcast_to(perm, shape + (n,))
        PB = np.take_along_axis(Bb, pb[..., None], axis=-2)
        Y = tri_solve_np(LU, PB, upper=False, unit=True)
        return tri_solve_np(LU, Y, upper=True)
    LH = np.conj(np.swapaxes(LU, -1, -2))
    Y = tri_solve_np(LH, B, upper=False)
    Z = tri_solve_np(LH, Y, upper=True, unit=True)
    inv = np.argsort(perm, axis=-1)
    shape = np.broadcast_shapes(inv.shape[:-1], Z.shape[:-2])
    return np.take_along_axis(np.broadcast_to(Z, shape + Z.shape[-2:]),
                              np.broadcast_to(inv, shape + (n,))[..., None], axis=-2)


# == determinants =================================================================================
def _det_formula(grads, inputs, outs):
    (g,), (A,), (d,) = grads, inputs, outs
    if mode.enabled:
        return (g * d.conj()).unsqueeze(-1).unsqueeze(-1) * linalg_inv(A).mH
    # plain backward: the cofactor matrix via the SVD works for singular matrices too
    a = A._data
    u, s, vh = np.linalg.svd(a)
    n = s.shape[-1]
    prods = np.stack([np.prod(np.delete(s, i, axis=-1), axis=-1) for i in range(n)], -1) if n else s
    phase = np.linalg.det(u) * np.linalg.det(vh)
    cof = phase[..., None, None] * np.matmul(np.conj(u) * prods[..., None, :], np.conj(vh))  # det(A) A^{-T}
    gd = g._data[..., None, None]
    return wrap((gd * np.conj(cof)).astype(a.dtype, copy=False))


def linalg_det(A, *, out=None):
    d = check_matrix(A, "linalg.det")
    res = np.asarray(np.linalg.det(d)).astype(d.dtype, copy=False) if d.shape[-1] else np.ones(d.shape[:-2], d.dtype)
    return emit("LinalgDetBackward0", [res], [A], _det_formula, lambda A: linalg_det(A))[0]


def det(input):
    return linalg_det(input)


def _slogdet_formula(grads, inputs, outs):
    gs, gl = grads
    (A,), (sign, _) = inputs, outs
    if A._data.dtype.kind == "c":
        g = gl.to(A.dtype) if gl is not None else 0
        if gs is not None:
            g = g - 1j * (sign.conj() * gs).imag
        return g.unsqueeze(-1).unsqueeze(-1) * linalg_inv(A).mH
    if gl is None:
        return None
    return gl.unsqueeze(-1).unsqueeze(-1) * linalg_inv(A).mH


def _slogdet(A, what):
    d = check_matrix(A, what)
    s, l = np.linalg.slogdet(d)
    s = np.asarray(s).astype(d.dtype, copy=False)
    l = np.asarray(l).astype(np.zeros(0, d.dtype).real.dtype, copy=False)
    return emit("LinalgSlogdetBackward0", [s, l], [A], _slogdet_formula, lambda A: tuple(linalg_slogdet(A)))


def linalg_slogdet(A, *, out=None):
    return _rt_linalg_slogdet(_slogdet(A, "linalg.slogdet"))


def slogdet(input):
    return _rt_slogdet(_slogdet(input, "linalg.slogdet"))


def logdet(input):
    sign, lad = _slogdet(input, "logdet")
    if input._data.dtype.kind == "c":
        return sign.log() + lad
    return lad.where(sign >= 0, float("nan"))


# == inverse ======================================================================================
def _inv_formula(grads, inputs, outs):
    g = grads[0]
    Ai = outs[0]
    return -(Ai.mH @ g @ Ai.mH)


def _inv_np(d, fn, check):
    n = d.shape[-1]
    try:
        return np.linalg.inv(d), np.zeros(d.shape[:-2], np.int32)
    except np.linalg.LinAlgError:
        pass
    lu, piv, info = lu_np(d)
    bad = _first_bad(info)
    if check and bad is not None:
        raise LinAlgError(f"{fn}: {_batch_prefix(d.shape, bad[0])}The diagonal element {bad[1]} is zero, the "
                          "inversion could not be completed because the input matrix is singular.")
    eye = np.broadcast_to(np.eye(n, dtype=d.dtype), d.shape)
    return lu_solve_np(lu, piv, eye).astype(d.dtype, copy=False), info


def linalg_inv_ex(A, *, check_errors=False, out=None):
    d = check_matrix(A, "linalg.inv_ex")
    res, info = _inv_np(d, "linalg.inv_ex", check_errors)
    outs = emit("LinalgInvExBackward0", [res, info], [A], _inv_formula,
                lambda A: tuple(linalg_inv_ex(A)), diff=(0,))
    return _rt_inv_ex(outs)


def linalg_inv(A, *, out=None):
    d = check_matrix(A, "linalg.inv")
    res, info = _inv_np(d, "linalg.inv", True)
    return emit("LinalgInvExBackward0", [res, info], [A], _inv_formula,
                lambda A: (linalg_inv(A), None), diff=(0,))[0]


def inverse(input, *, out=None):
    return linalg_inv(input)


# == solve ========================================================================================
def _solve_formula(left, vec):
    def f(grads, inputs, outs):
        g = grads[0]
        A, B = inputs
        X = outs[0]
        gB = linalg_solve(A.mH, g, left=left)
        if vec:
            gA = -(gB.unsqueeze(-1) * X.conj().unsqueeze(-2))
        elif left:
            gA = -(gB @ X.mH)
        else:
            gA = -(X.mH @ gB)
        return sum_to(gA, A.shape), sum_to(gB, B.shape)
    return f


def _solve(A, B, left, check, fn):
    if not isinstance(B, Tensor):
        raise TypeError(f"linalg_solve(): argument 'B' (position 2) must be Tensor, not {type(B).__name__}")
    a = check_matrix(A, fn)
    b = B._data
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
                           f"{type_name(a.dtype)} and B of type {type_name(b.dtype)} instead")
    vec = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    n = a.shape[-1]
    bm = b[..., :, None] if vec else b
    if bm.ndim < 2 or bm.shape[-2 if left else -1] != n:
        rows, cols = (bm.shape[-2], bm.shape[-1]) if bm.ndim >= 2 else (bm.shape[-1], 1)
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {rows}x{cols})")
    am = a if left else np.swapaxes(a, -1, -2)
    bb = bm if left else np.swapaxes(bm, -1, -2)
    try:
        shape = np.broadcast_shapes(am.shape[:-2], bb.shape[:-2])
    except ValueError:
        raise RuntimeError(f"linalg.solve: The size of tensor a ({a.shape[-3] if a.ndim > 2 else 1}) must match "
                           f"the size of tensor b at a non-singleton dimension") from None
    info = np.zeros(shape, np.int32)
    try:
        x = np.linalg.solve(np.broadcast_to(am, shape + am.shape[-2:]), np.broadcast_to(bb, shape + bb.shape[-2:]))
    except np.linalg.LinAlgError:
        lu, piv, linfo = lu_np(np.broadcast_to(am, shape + am.shape[-2:]))
        info = linfo
        bad = _first_bad(info)
        if check and bad is not None:
            raise LinAlgError(f"torch.{fn}: {_batch_prefix(shape + (n, n), bad[0])}The solver failed "
                              "because the input matrix is singular.") from None
        x = lu_solve_np(lu, piv, bb)
    if not left:
        x = np.swapaxes(x, -1, -2)
    if vec:
        x = x[..., 0]
    x = np.ascontiguousarray(x).astype(a.dtype, copy=False)
    return emit("LinalgSolveExBackward0", [x, info], [A, B], _solve_formula(left, vec),
                lambda A, B: (linalg_solve(A, B, left=left), None), diff=(0,))


def linalg_solve(A, B, *, left=True, out=None):
    return _solve(A, B, left, True, "linalg.solve")[0]


def linalg_solve_ex(A, B, *, left=True, check_errors=False, out=None):
    return _rt_solve_ex(_solve(A, B, left, check_errors, "linalg.solve_ex"))


# == triangular solves ============================================================================
def _tri_part(x, upper, unit):
    k = 1 if unit else 0
    return x.triu(k) if upper else x.tril(-k)


def _tri_formula(upper, left, unit):
    def f(grads, inputs, outs):
        g = grads[0]
        A, B = inputs
        X = outs[0]
        gB = linalg_solve_triangular(A.mH, g, upper=not upper, left=left, unitriangular=unit)
        gA = None
        if A.requires_grad:
            gA = _tri_part(-(gB @ X.mH) if left else -(X.mH @ gB), upper, unit)
            gA = sum_to(gA, A.shape)
        return gA, sum_to(gB, B.shape)
    return f


def linalg_solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    a = check_matrix(A, "linalg.solve_triangular")
    b = B._data
    if b.ndim < 2:
        raise RuntimeError("linalg.solve_triangular: The input tensor B must have at least 2 dimensions.")
    if a.dtype != b.dtype:
        raise RuntimeError(f"linalg.solve_triangular: Expected A and B to have the same dtype, but found A of type "
                           f"{type_name(a.dtype)} and B of type {type_name(b.dtype)} instead")
    n = a.shape[-1]
    if b.shape[-2 if left else -1] != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(f"linalg.solve_triangular: Incompatible shapes of A and B for the equation {eq} "
                           f"({n}x{n} and {b.shape[-2]}x{b.shape[-1]})")
    if left:
        x = tri_solve_np(a, b, upper, unitriangular)
    else:
        x = np.swapaxes(tri_solve_np(np.swapaxes(a, -1, -2), np.swapaxes(b, -1, -2), not upper, unitriangular), -1, -2)
    x = np.ascontiguousarray(x).astype(a.dtype, copy=False)
    return emit("LinalgSolveTriangularBackward0", [x], [A, B], _tri_formula(upper, left, unitriangular),
                lambda A, B: linalg_solve_triangular(A, B, upper=upper, left=left, unitriangular=unitriangular))[0]


def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    M = A.mT if transpose else A
    x = linalg_solve_triangular(M, input, upper=upper != bool(transpose), unitriangular=unitriangular)
    return _rt_tri((x, A.clone()))


# == Cholesky =====================================================================================
def _chol_np(d):
    """Lower Cholesky factor and info (order of the first non-positive leading minor, 0 if none)."""
    try:
        return np.linalg.cholesky(d), np.zeros(d.shape[:-2], np.int32)
    except np.linalg.LinAlgError:
        pass
    n = d.shape[-1]
    a = np.tril(np.array(d, copy=True)).reshape((-1, n, n))
    L = np.zeros_like(a)
    info = np.zeros(a.shape[0], np.int32)
    for j in range(n):
        v = a[:, j, j] - np.einsum("bk,bk->b", L[:, j, :j], np.conj(L[:, j, :j]))
        bad = ~(v.real > 0) & (info == 0)
        info[bad] = j + 1
        ok = info == 0
        dj = np.sqrt(np.where(ok, v.real, 1.0))
        L[:, j, j] = np.where(ok, dj, L[:, j, j])
        below = (a[:, j + 1:, j] - np.einsum("bik,bk->bi", L[:, j + 1:, :j], np.conj(L[:, j, :j]))) / dj[:, None]
        L[:, j + 1:, j] = np.where(ok[:, None], below, L[:, j + 1:, j])
    return L.reshape(d.shape), info.reshape(d.shape[:-2])


def _chol_formula(upper):
    def f(grads, inputs, outs):
        gL = grads[0]
        L = outs[0]
        if upper:
            L, gL = L.mH, gL.mH
        M = (L.mH @ gL).tril()
        M = 0.5 * (M + M.tril(-1).mH)
        M = linalg_solve_triangular(L.mH, M, upper=True)
        return linalg_solve_triangular(L, M, upper=False, left=False)
    return f


def _cholesky(A, upper, check, fn):
    d = check_matrix(A, fn)
    L, info = _chol_np(d)
    bad = _first_bad(info)
    if check and bad is not None:
        raise LinAlgError(f"{fn}: {_batch_prefix(d.shape, bad[0])}The factorization could not be completed because "
                          f"the input is not positive-definite (the leading minor of order {bad[1]} is not "
                          "positive-definite).")
    L = L.astype(d.dtype, copy=False)
    if upper:
        L = np.ascontiguousarray(np.conj(np.swapaxes(L, -1, -2)))
    return emit("LinalgCholeskyExBackward0", [L, info], [A], _chol_formula(upper),
                lambda A: tuple(linalg_cholesky_ex(A, upper=upper)), diff=(0,))


def linalg_cholesky(A, *, upper=False, out=None):
    return _cholesky(A, upper, True, "linalg.cholesky")[0]


def linalg_cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    return _rt_chol_ex(_cholesky(A, upper, check_errors, "linalg.cholesky_ex"))


def cholesky(input, upper=False, *, out=None):
    return _cholesky(input, upper, True, "cholesky")[0]


def _chol_solve_formula(upper):
    def f(grads, inputs, outs):
        g = grads[0]
        B, L = inputs
        X = outs[0]
        gB = cholesky_solve(g, L, upper)
        gL = None
        if L.requires_grad:
            common = gB @ X.mH
            common = common + common.mH
            gL = sum_to(-(L @ common) if upper else -(common @ L), L.shape)
        return sum_to(gB, B.shape), gL
    return f


def cholesky_solve(input, input2, upper=False, *, out=None):
    """Solve A X = B given A's Cholesky factor (lower, or upper with ``upper=True``)."""
    b, l = input._data, check_matrix(input2, "cholesky_solve", what="A")
    if b.ndim < 2:
        raise RuntimeError("b should have at least 2 dimensions, but has 1 dimensions instead")
    if upper:
        y = tri_solve_np(np.conj(np.swapaxes(l, -1, -2)), b, upper=False)
        x = tri_solve_np(l, y, upper=True)
    else:
        y = tri_solve_np(l, b, upper=False)
        x = tri_solve_np(np.conj(np.swapaxes(l, -1, -2)), y, upper=True)
    x = x.astype(np.result_type(b.dtype, l.dtype), copy=False)
    return emit("CholeskySolveBackward0", [x], [input, input2], _chol_solve_formula(upper),
                lambda B, L: cholesky_solve(B, L, upper))[0]


def cholesky_inverse(input, upper=False, *, out=None):
    """The inverse of A = L L^H (or U^H U) from its Cholesky factor."""
    d = check_matrix(input, "cholesky_inverse", what="input")
    return cholesky_solve(eye_like(d.shape[-1], input, d.shape[:-2]), input, upper)


# == LU ===========================================================================================
def _lu_core_formula(P, L, U, gL, gU):
    """Gradient of A = P L U (square) from gradients of L and U (either may be None)."""
    M = 0
    if gL is not None:
        M = (L.mH @ gL).tril(-1)
    if gU is not None:
        M = M + (gU @ U.mH).triu()
    M = linalg_solve_triangular(L.mH, M, upper=True, unitriangular=True)
    M = linalg_solve_triangular(U.mH, M, upper=False, left=False)
    return P @ M


def _check_square_lu(L, U):
    if L.shape[-2] != U.shape[-1]:
        raise NotImplementedError("ndgrad: the gradient of the LU decomposition of a non-square matrix is not "
                                  "implemented (only square matrices)")


def _unpack_np(lu, piv, dtype):
    m, n = lu.shape[-2:]
    k = min(m, n)
    L = np.tril(lu[..., :, :k], -1) + np.eye(m, k, dtype=dtype)
    U = np.triu(lu[..., :k, :])
    return perm_matrix(perm_from_piv(piv, m), dtype), L, U


def _lu_factor(A, pivot, check, fn):
    d = check_matrix(A, fn, square=False)
    if not pivot:
        raise RuntimeError(f"{fn.replace('torch.', '')}: LU without pivoting is not implemented on the CPU")
    lu, piv, info = lu_np(d)
    bad = _first_bad(info)
    if check and bad is not None:
        raise RuntimeError(f"torch.linalg.lu_factor: {_batch_prefix(d.shape, bad[0])}U[{bad[1]},{bad[1]}] is zero "
                           "and using it on lu_solve would result in a division by zero. If you still want to "
                           "perform the factorization, consider calling linalg.lu(A, pivot) or "
                           "linalg.lu_factor_ex(A, pivot)")

    def formula(grads, inputs, outs):
        g = grads[0]
        LU = outs[0]
        m, n = LU.shape[-2:]
        L = LU.tril(-1) + eye_like(m, LU)
        U = LU.triu()
        _check_square_lu(L, U)
        P = wrap(perm_matrix(perm_from_piv(outs[1]._data.astype(np.int64) - 1, m), d.dtype))
        return _lu_core_formula(P, L, U, g.tril(-1), g.triu())

    return emit("LinalgLuFactorExBackward0", [lu, (piv + 1).astype(np.int32), info], [A], formula,
                lambda A: tuple(linalg_lu_factor_ex(A)), diff=(0,))


def linalg_lu_factor(A, *, pivot=True, out=None):
    return _rt_lu_factor(_lu_factor(A, pivot, True, "torch.linalg.lu_factor")[:2])


def linalg_lu_factor_ex(A, *, pivot=True, check_errors=False, out=None):
    return _rt_lu_factor_ex(_lu_factor(A, pivot, check_errors, "torch.linalg.lu_factor_ex"))


def linalg_lu(A, *, pivot=True, out=None):
    d = check_matrix(A, "linalg.lu", square=False)
    if not pivot:
        raise RuntimeError("linalg.lu: LU without pivoting is not implemented on the CPU")
    lu, piv, _ = lu_np(d)
    P, L, U = _unpack_np(lu, piv, d.dtype)

    def formula(grads, inputs, outs):
        _, gL, gU = grads
        P, L, U = outs
        _check_square_lu(L, U)
        return _lu_core_formula(P, L, U, gL, gU)

    return _rt_lu(emit("LinalgLuBackward0", [P, L, U], [A], formula, lambda A: tuple(linalg_lu(A)), diff=(1, 2)))


def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True, *, out=None):
    lu = LU_data._data
    m, n = lu.shape[-2:]
    k = min(m, n)
    P = wrap(perm_matrix(perm_from_piv(LU_pivots._data.astype(np.int64) - 1, m), lu.dtype)) if unpack_pivots \
        else wrap(np.zeros((0,), lu.dtype))
    if unpack_data:
        L = LU_data[..., :, :k].tril(-1) + wrap(np.eye(m, k, dtype=lu.dtype))
        U = LU_data[..., :k, :].triu()
    else:
        L = U = wrap(np.zeros((0,), lu.dtype))
    return _rt_lu_unpack((P, L, U))


def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False, out=None):
    lu = check_matrix(LU, "linalg.lu_solve", what="LU")
    b = B._data
    n = lu.shape[-1]
    if b.ndim < 2 or b.shape[-2 if left else -1] != n:
        eq, (r, c) = ("AX = B" if left else "XA = B"), (b.shape[-2:] if b.ndim >= 2 else (b.shape[-1], 1))
        raise RuntimeError(f"linalg.lu_solve: Incompatible shapes of A and B for the equation {eq} ({n}x{n} and {r}x{c})")
    perm_piv = pivots._data.astype(np.int64) - 1
    if left:
        x = lu_solve_np(lu, perm_piv, b, adjoint)
    else:  # X A = B  <=>  A^H X^H = B^H ; X A^H = B <=> A X^H = B^H
        x = np.conj(np.swapaxes(lu_solve_np(lu, perm_piv, np.conj(np.swapaxes(b, -1, -2)), not adjoint), -1, -2))
    x = np.ascontiguousarray(x).astype(np.result_type(lu.dtype, b.dtype), copy=False)

    def formula(grads, inputs, outs):
        g = grads[0]
        LU_, piv, B_ = inputs
        X = outs[0]
        gB = linalg_lu_solve(LU_, piv, g, left=left, adjoint=not adjoint)
        gLU = None
        if LU_.requires_grad:
            if left:
                gA = -(X @ gB.mH) if adjoint else -(gB @ X.mH)
            else:
                gA = -(gB.mH @ X) if adjoint else -(X.mH @ gB)
            n = LU_.shape[-1]
            L = LU_.tril(-1) + eye_like(n, LU_)
            U = LU_.triu()
            P = wrap(perm_matrix(perm_from_piv(piv._data.astype(np.int64) - 1, n), lu.dtype))
            PtgA = P.mT @ gA
            gLU = sum_to((PtgA @ U.mH).tril(-1) + (L.mH @ PtgA).triu(), LU_.shape)
        return gLU, None, sum_to(gB, B_.shape)

    return emit("LinalgLuSolveBackward0", [x], [LU, pivots, B], formula,
                lambda LU_, piv, B_: linalg_lu_solve(LU_, piv, B_, left=left, adjoint=adjoint))[0]


def lu(A, pivot=True, get_infos=False, out=None):
    res = _lu_factor(A, pivot, False, "torch.lu")
    return tuple(res) if get_infos else (res[0], res[1])


def lu_solve(input, LU_data, LU_pivots, *, out=None):
    return linalg_lu_solve(LU_data, LU_pivots, input)
