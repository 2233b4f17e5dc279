"""QR, symmetric/general eigendecompositions, SVD and what is built on them (pinv, lstsq, rank, cond),
with torch's gradient formulas written in ndgrad ops (differentiable again)."""
import math

import numpy as np

from ._core import Tensor, wrap, mode
from .sorting import _return_type
from .linalg_solve import (emit, check_matrix, eye_like, linalg_solve_triangular, linalg_inv, sum_to)

__all__ = ["qr", "svd", "pinverse"]

_rt_qr = _return_type("qr", ("Q", "R"))
_rt_linalg_qr = _return_type("linalg_qr", ("Q", "R"))
_rt_eigh = _return_type("linalg_eigh", ("eigenvalues", "eigenvectors"))
_rt_eig = _return_type("linalg_eig", ("eigenvalues", "eigenvectors"))
_rt_svd = _return_type("svd", ("U", "S", "V"))
_rt_linalg_svd = _return_type("linalg_svd", ("U", "S", "Vh"))
_rt_lstsq = _return_type("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))


def _real_dtype(dt):
    return np.zeros(0, dt).real.dtype


def _offdiag(x):
    n = x.shape[-1]
    return x * wrap(1.0 - np.eye(n, dtype=_real_dtype(x._data.dtype)))


# == QR ===========================================================================================
def _qr_square_grad(Q, R, gQ, gR):
    """gA for A = QR with Q m x n (m >= n), R n x n."""
    M = 0
    if gR is not None:
        M = R @ gR.mH
    if gQ is not None:
        M = M - gQ.mH @ Q
    if isinstance(M, int):
        return None
    low = M.tril(-1)
    M = low + low.mH + M.diagonal(0, -2, -1).real.to(M.dtype).diag_embed() if M.is_complex() \
        else low + low.mH + M.diagonal(0, -2, -1).diag_embed()
    b = Q @ M if gQ is None else gQ + Q @ M
    return linalg_solve_triangular(R.mH, b, upper=False, left=False)


def _qr_formula(mode_):
    def f(grads, inputs, outs):
        if mode_ == "r":
            raise RuntimeError("The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please "
                               "use linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr.")
        gQ, gR = grads
        Q, R = outs
        m, n = Q.shape[-2], R.shape[-1]
        if mode_ == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
        if m >= n:
            return _qr_square_grad(Q, R, gQ, gR)
        X, Y = R[..., :, :m], R[..., :, m:]
        gX = gR[..., :, :m] if gR is not None else None
        gY = gR[..., :, m:] if gR is not None else None
        gQ2 = gQ
        if gY is not None:
            extra = Q @ (Y @ gY.mH)
            gQ2 = extra if gQ2 is None else gQ2 + extra
        gAX = _qr_square_grad(Q, X, gQ2, gX)
        gAY = Q @ gY if gY is not None else (Q @ Y).mul(0)
        if gAX is None:
            gAX = (Q @ X).mul(0)
        return _cat(gAX, gAY)
    return f


def _cat(a, b):
    from .joining import cat
    return cat([a, b], -1)


def linalg_qr(A, mode="reduced", *, out=None):
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', "
                           "or 'complete'")
    d = check_matrix(A, "linalg.qr", square=False)
    if mode == "r":
        r = np.linalg.qr(d, mode="r") if d.size else np.zeros(d.shape[:-2] + (min(d.shape[-2:]), d.shape[-1]), d.dtype)
        q = np.zeros((0,), d.dtype)
    else:
        q, r = np.linalg.qr(d, mode=mode)
    outs = emit("LinalgQrBackward0", [q.astype(d.dtype, copy=False), r.astype(d.dtype, copy=False)], [A],
                _qr_formula(mode), lambda A: tuple(linalg_qr(A, mode)))
    return _rt_linalg_qr(outs)


def qr(input, some=True, *, out=None):
    return _rt_qr(tuple(linalg_qr(input, "reduced" if some else "complete")))


# == eigh =========================================================================================
def _eigh_formula(grads, inputs, outs):
    gL, gV = grads
    L, V = outs
    if gV is None:
        return (V * gL.unsqueeze(-2).to(V.dtype)) @ V.mH
    VhgV = V.mH @ gV
    VhgV = 0.5 * (VhgV - VhgV.mH)
    E = L.unsqueeze(-2) - L.unsqueeze(-1)
    E = E + eye_like(E.shape[-1], E)
    inner = _offdiag(VhgV / E.to(VhgV.dtype))
    if gL is not None:
        inner = inner + gL.to(inner.dtype).diag_embed()
    return V @ inner @ V.mH


def _eigh(A, UPLO, fn, vectors=True):
    d = check_matrix(A, "linalg.eigh")
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    if vectors or (mode.enabled and A.requires_grad):
        w, v = np.linalg.eigh(d, UPLO=UPLO)
    else:
        w, v = np.linalg.eigvalsh(d, UPLO=UPLO), None
    w = w.astype(_real_dtype(d.dtype), copy=False)
    if v is None:
        return [wrap(w)]
    v = v.astype(d.dtype, copy=False)
    if not vectors:
        return emit("LinalgEighBackward0", [w, v], [A], _eigh_formula, lambda A: tuple(linalg_eigh(A, UPLO)),
                    diff=(0,))[:1]
    return emit("LinalgEighBackward0", [w, v], [A], _eigh_formula, lambda A: tuple(linalg_eigh(A, UPLO)))


def linalg_eigh(A, UPLO="L", *, out=None):
    return _rt_eigh(_eigh(A, UPLO, "linalg.eigh"))


def linalg_eigvalsh(A, UPLO="L", *, out=None):
    return _eigh(A, UPLO, "linalg.eigvalsh", vectors=False)[0]


# == eig (general, complex results) ===============================================================
def _real_part(z):
    from .construction import view_as_real
    return view_as_real(z.contiguous())[..., 0]


def _eig_formula(grads, inputs, outs):
    gL, gV = grads if len(grads) == 2 else (grads[0], None)
    (A,), (L, V) = inputs, outs[:2]
    if gV is not None:
        VhgV = V.mH @ gV
        dg = VhgV._data.diagonal(0, -2, -1)
        if not np.allclose(dg.imag, 0, rtol=1e-2, atol=1e-2):
            raise RuntimeError("linalg_eig_backward: The eigenvectors in the complex case are specified up to "
                               "multiplication by e^{i phi}. The specified loss function depends on this quantity, "
                               "so it is ill-defined.")
        VhgV = VhgV - V.mH @ (V * _real_part(VhgV.diagonal(0, -2, -1)).to(V.dtype).unsqueeze(-2))
        E = (L.unsqueeze(-2) - L.unsqueeze(-1)).conj()
        ret = _offdiag(VhgV / (E + eye_like(E.shape[-1], E)))
        if gL is not None:
            ret = ret + gL.diag_embed()
    else:
        ret = gL.diag_embed()
    from .linalg_solve import linalg_solve
    gA = linalg_solve(V.mH, ret @ V.mH)
    return gA if A.is_complex() else _real_part(gA)


def _complex_of(dt):
    return np.result_type(dt, np.complex64)


def linalg_eig(A, *, out=None):
    d = check_matrix(A, "linalg.eig")
    w, v = np.linalg.eig(d)
    c = _complex_of(d.dtype)
    return _rt_eig(emit("LinalgEigBackward0", [w.astype(c), v.astype(c)], [A], _eig_formula,
                        lambda A: tuple(linalg_eig(A))))


def linalg_eigvals(A, *, out=None):
    d = check_matrix(A, "linalg.eigvals")
    c = _complex_of(d.dtype)
    if not (mode.enabled and A.requires_grad):
        return wrap(np.linalg.eigvals(d).astype(c))
    w, v = np.linalg.eig(d)
    return emit("LinalgEigBackward0", [w.astype(c), v.astype(c)], [A], _eig_formula,
                lambda A: tuple(linalg_eig(A)), diff=(0,))[0]


# == SVD ==========================================================================================
def _svd_formula(full):
    def f(grads, inputs, outs):
        gU, gS, gVh = grads
        U, S, Vh = outs
        k = S.shape[-1]
        m, n = U.shape[-2], Vh.shape[-1]
        if full:
            U, Vh = U[..., :, :k], Vh[..., :k, :]
            gU = gU[..., :, :k] if gU is not None else None
            gVh = gVh[..., :k, :] if gVh is not None else None
        if gU is None and gVh is None:
            return (U * gS.unsqueeze(-2).to(U.dtype)) @ Vh
        Sc = S.to(U.dtype)
        S2 = S * S
        E = S2.unsqueeze(-2) - S2.unsqueeze(-1)
        E = (E + eye_like(k, E)).to(U.dtype)
        inner = 0
        UhgU = VhgV = None
        if gU is not None:
            UhgU = U.mH @ gU
            inner = _offdiag((UhgU - UhgU.mH) / E) * Sc.unsqueeze(-2)
        if gVh is not None:
            V, gV = Vh.mH, gVh.mH
            VhgV = V.mH @ gV
            inner = inner + Sc.unsqueeze(-1) * _offdiag((VhgV - VhgV.mH) / E)
        if gS is not None:
            inner = inner + gS.to(U.dtype).diag_embed()
        if U.is_complex() and UhgU is not None:
            inner = inner + (1j * UhgU.diagonal(0, -2, -1).imag / (2 * S)).diag_embed()
        if m > k and gU is not None:
            gA = (U @ inner + (gU - U @ UhgU) / Sc.unsqueeze(-2)) @ Vh
        elif n > k and gVh is not None:
            gA = U @ (inner @ Vh + ((gV - V @ VhgV) / Sc.unsqueeze(-2)).mH)
        else:
            gA = U @ inner @ Vh
        return gA
    return f


def _svd(A, full_matrices, fn):
    d = check_matrix(A, fn, square=False)
    u, s, vh = np.linalg.svd(d, full_matrices=full_matrices)
    return emit("LinalgSvdBackward0", [u.astype(d.dtype, copy=False), s.astype(_real_dtype(d.dtype), copy=False),
                                       vh.astype(d.dtype, copy=False)], [A], _svd_formula(full_matrices),
                lambda A: tuple(linalg_svd(A, full_matrices)))


def linalg_svd(A, full_matrices=True, *, driver=None, out=None):
    return _rt_linalg_svd(_svd(A, full_matrices, "linalg.svd"))


def linalg_svdvals(A, *, driver=None, out=None):
    d = check_matrix(A, "linalg.svd", square=False)
    if not (mode.enabled and A.requires_grad):
        return wrap(np.linalg.svd(d, compute_uv=False).astype(_real_dtype(d.dtype), copy=False))
    return _svd(A, False, "linalg.svdvals")[1]


def svd(input, some=True, compute_uv=True, *, out=None):
    """torch.svd: returns V (not Vh); with compute_uv=False, U and V are zero-filled."""
    if not compute_uv:
        d = check_matrix(input, "linalg.svd", square=False)
        m, n = d.shape[-2:]
        S = linalg_svdvals(input)
        return _rt_svd((wrap(np.zeros(d.shape[:-2] + (m, m), d.dtype)), S,
                        wrap(np.zeros(d.shape[:-2] + (n, n), d.dtype))))
    U, S, Vh = linalg_svd(input, full_matrices=not some)
    return _rt_svd((U, S, Vh.mH))


# == pinv / lstsq / rank / cond ===================================================================
def _tolerances(smax, atol, rtol, m, n, dt):
    """max(atol, rtol * smax) with torch's defaults."""
    def val(x):
        return x._data if isinstance(x, Tensor) else x
    atol_v, rtol_v = val(atol), val(rtol)
    if rtol_v is None:
        rtol_v = np.finfo(_real_dtype(dt)).eps * max(m, n) if atol_v is None or np.all(np.asarray(atol_v) <= 0) \
            else 0.0
    if atol_v is None:
        atol_v = 0.0
    return np.maximum(np.asarray(atol_v), np.asarray(rtol_v) * smax)


def _pinv_formula(grads, inputs, outs):
    gP = grads[0]
    (A,), (P,) = inputs, outs
    m, n = A.shape[-2:]
    I_m, I_n = eye_like(m, A), eye_like(n, A)
    PH = P.mH
    gPH = gP.mH
    return -(PH @ gP @ PH) + (I_m - A @ P) @ (gPH @ P @ PH) + (PH @ P @ gPH) @ (I_n - P @ A)


def linalg_pinv(A, *, atol=None, rtol=None, hermitian=False, out=None, rcond=None):
    if rcond is not None:
        rtol = rcond
    d0 = A._data
    if d0.ndim < 2 or d0.dtype.kind not in "fc":
        from .reduction import type_name
        raise RuntimeError(f"linalg.pinv({type_name(d0.dtype)}{{[{', '.join(map(str, d0.shape))}]}}): expected a "
                           "tensor with 2 or more dimensions of float, double, cfloat or cdouble types")
    d = check_matrix(A, "linalg.pinv", square=False)
    m, n = d.shape[-2:]
    if d.size == 0:
        res = np.zeros(d.shape[:-2] + (n, m), d.dtype)
    elif hermitian:
        w, v = np.linalg.eigh(d)
        aw = np.abs(w)
        tol = _tolerances(aw.max(-1, keepdims=True), atol, rtol, m, n, d.dtype)
        winv = np.where(aw > tol, 1.0 / np.where(aw > tol, w, 1), 0)
        res = np.matmul(v * winv[..., None, :], np.conj(np.swapaxes(v, -1, -2)))
    else:
        u, s, vh = np.linalg.svd(d, full_matrices=False)
        tol = _tolerances(s[..., :1], atol, rtol, m, n, d.dtype)
        sinv = np.where(s > tol, 1.0 / np.where(s > tol, s, 1), 0)
        res = np.matmul(np.conj(np.swapaxes(vh, -1, -2)) * sinv[..., None, :], np.conj(np.swapaxes(u, -1, -2)))
    res = res.astype(d.dtype, copy=False)
    return emit("LinalgPinvBackward0", [res], [A], _pinv_formula,
                lambda A: linalg_pinv(A, atol=atol, rtol=rtol, hermitian=hermitian))[0]


def pinverse(input, rcond=1e-15):
    return linalg_pinv(input, rtol=rcond)


def linalg_matrix_rank(A, *, atol=None, rtol=None, hermitian=False, tol=None, out=None):
    if tol is not None:
        atol, rtol = tol, 0.0
    d = check_matrix(A, "torch.linalg.matrix_rank", square=False, what="input")
    m, n = d.shape[-2:]
    if d.size == 0:
        return wrap(np.zeros(d.shape[:-2], np.int64))
    s = np.abs(np.linalg.eigvalsh(d)) if hermitian else np.linalg.svd(d, compute_uv=False)
    tol_ = _tolerances(s.max(-1, keepdims=True), atol, rtol, m, n, d.dtype)
    return wrap(np.sum(s > tol_, axis=-1).astype(np.int64))


def linalg_lstsq(A, B, rcond=None, *, driver=None):
    """Least squares with the default CPU driver ('gelsy'): residuals and singular_values are empty."""
    d = check_matrix(A, "torch.linalg.lstsq", square=False)
    b = B._data
    if driver not in (None, "gelsy", "gels", "gelsd", "gelss"):
        raise RuntimeError(f"torch.linalg.lstsq: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    if driver not in (None, "gelsy"):
        raise NotImplementedError(f"ndgrad: linalg.lstsq only implements the default driver 'gelsy' (got {driver!r})")
    if d.dtype != b.dtype:
        raise RuntimeError(f"torch.linalg.lstsq: Expected input and other to have the same dtype, but got "
                           f"input's dtype {_tn(d.dtype)} and other's dtype {_tn(b.dtype)}")
    m, n = d.shape[-2:]
    vec = b.ndim == d.ndim - 1
    if b.ndim < 1 or (b.shape[-1] if vec else b.shape[-2]) != m:
        raise RuntimeError("torch.linalg.lstsq: input.size(-2) should match other.size(-2)")
    rtol = rcond if rcond is not None else np.finfo(_real_dtype(d.dtype)).eps * max(m, n)
    P = linalg_pinv(A, rtol=rtol)
    X = P @ B.unsqueeze(-1) if vec else P @ B
    if vec:
        X = X.squeeze(-1)
    rank = linalg_matrix_rank(A.detach(), rtol=rtol) if d.size else wrap(np.zeros(d.shape[:-2], np.int64))
    empty = X.reshape(-1)[:0]  # torch's (empty) residuals of the gelsy driver are attached to the graph
    return _rt_lstsq((X, empty, rank, wrap(np.zeros((0,), _real_dtype(d.dtype)))))


def _tn(dt):
    from .reduction import type_name
    return type_name(dt)


def linalg_cond(A, p=None, *, out=None):
    from ..linalg import matrix_norm
    d = check_matrix(A, "linalg.cond" if p in (None, 2, -2) else f"linalg.cond(ord={p})", square=p not in (None, 2, -2))
    if p is None or p in (2, -2):
        s = linalg_svdvals(A)
        if p == -2:
            return s[..., -1] / s[..., 0]
        return s[..., 0] / s[..., -1]
    if p not in ("fro", "nuc", math.inf, -math.inf, 1, -1):
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    from .linalg_solve import linalg_inv_ex
    Ainv, info = linalg_inv_ex(A)
    res = matrix_norm(A, p) * matrix_norm(Ainv, p)
    bad = info._data != 0
    if np.any(bad):
        res = res.masked_fill(wrap(bad), float("inf"))
    return res
