"""torch.nn.utils.parametrizations: weight_norm, spectral_norm and orthogonal, registered with
``nn.utils.parametrize`` (state_dict keys ``parametrizations.<name>.original`` / ``original0``...).
"""
import numpy as np
from ..._tensor import Tensor
from ...autograd import grad_mode as _gm
from ..modules.module import Module
from . import parametrize
from .weight_norm import norm_except_dim, _weight_norm

__all__ = ["orthogonal", "spectral_norm", "weight_norm"]

_ORTH_MAPS = ("matrix_exp", "cayley", "householder")


def _normalize(x, eps):
    """``x / max(||x||, eps)`` for a vector (F.normalize with dim=0)."""
    return x / x.norm().clamp_min(eps)


def _is_orthogonal(q):
    import ndgrad
    n, k = q.shape[-2], q.shape[-1]
    eye = ndgrad.eye(k, dtype=q.dtype)
    eps = 10.0 * n * float(np.finfo(q._data.dtype).eps)
    return bool(ndgrad.allclose(q.mH @ q, eye, atol=eps))


def _make_orthogonal(a):
    """The Q of a QR decomposition of ``a`` whose R has a positive diagonal."""
    import ndgrad
    q, r = ndgrad.linalg.qr(a)
    d = r.diagonal(dim1=-2, dim2=-1)
    return q * d.sgn().unsqueeze(-2) if d.is_complex() else q * d.sign().unsqueeze(-2)


def _householder_product(A, tau):
    """``H_1 ... H_k`` (first k columns), ``H_i = I - tau_i v_i v_i^H`` with ``v_i`` the i-th column
    of ``A`` below the diagonal and a unit i-th entry (torch.linalg.householder_product), built
    from differentiable ops."""
    import ndgrad
    n, k = A.shape[-2], A.shape[-1]
    eye = ndgrad.eye(n, dtype=A.dtype)
    rows = np.arange(n)
    Q = eye
    for i in range(k):
        below = ndgrad.tensor((rows > i).astype(np.float64)).to(A.dtype)
        unit = ndgrad.tensor((rows == i).astype(np.float64)).to(A.dtype)
        v = A[..., :, i] * below + unit
        H = eye - tau[..., i].unsqueeze(-1).unsqueeze(-1) * (v.unsqueeze(-1) @ v.conj().unsqueeze(-2))
        Q = Q @ H
    return Q[..., :k]


class _Orthogonal(Module):
    def __init__(self, weight, orthogonal_map, *, use_trivialization=True):
        super().__init__()
        if weight.is_complex() and orthogonal_map == "householder":
            raise ValueError("The householder parametrization does not support complex tensors.")
        self.shape = weight.shape
        self.orthogonal_map = orthogonal_map
        if use_trivialization:
            self.register_buffer("base", None)

    def forward(self, X):
        import ndgrad
        n, k = X.shape[-2], X.shape[-1]
        transposed = n < k
        if transposed:
            X = X.mT
            n, k = k, n
        if self.orthogonal_map in ("matrix_exp", "cayley"):
            X = X.tril()
            if n != k:
                pad = ndgrad.zeros(*X.shape[:-2], n, n - k, dtype=X.dtype)
                X = ndgrad.cat([X, pad], dim=-1)
            A = X - X.mH
            if self.orthogonal_map == "matrix_exp":
                Q = ndgrad.linalg.matrix_exp(A)
            else:
                eye = ndgrad.eye(n, dtype=A.dtype)
                Q = ndgrad.linalg.solve(eye - 0.5 * A, eye + 0.5 * A)
            if n != k:
                Q = Q[..., :k]
        else:
            A = X.tril(diagonal=-1)
            tau = 2.0 / (1.0 + (A * A).sum(dim=-2))
            Q = _householder_product(A, tau)
            Q = Q * X.diagonal(dim1=-2, dim2=-1).int().unsqueeze(-2)
        if "base" in self._buffers:
            Q = self.base @ Q
        if transposed:
            Q = Q.mT
        return Q

    def right_inverse(self, Q):
        import ndgrad
        with _gm.no_grad():
            if Q.shape != self.shape:
                raise ValueError(f"Expected a matrix or batch of matrices of shape {self.shape}. Got a tensor of "
                                 f"shape {Q.shape}.")
            q_init = Q
            n, k = Q.shape[-2], Q.shape[-1]
            transpose = n < k
            if transpose:
                Q = Q.mT
                n, k = k, n
            if "base" not in self._buffers:
                if self.orthogonal_map in ("matrix_exp", "cayley"):
                    raise NotImplementedError("It is not possible to assign to the matrix exponential or the Cayley "
                                              "parametrizations when use_trivialization=False.")
                raise NotImplementedError("ndgrad: orthogonal(..., use_trivialization=False) with the householder "
                                          "map needs geqrf, which is not implemented")
            if n == k:
                Q = Q.clone() if _is_orthogonal(Q) else _make_orthogonal(Q)
            else:
                extra = ndgrad.randn(*(tuple(Q.shape[:-2]) + (n, n - k)), dtype=Q.dtype)
                Q = _make_orthogonal(ndgrad.cat([Q, extra], dim=-1))
            self.base = Q
            neg_id = ndgrad.zeros_like(q_init)
            neg_id.diagonal(dim1=-2, dim2=-1).fill_(-1.0)
            return neg_id


def orthogonal(module, name="weight", orthogonal_map=None, *, use_trivialization=True):
    """Constrain ``module.<name>`` (a matrix or batch of matrices) to be orthogonal/unitary."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if weight.ndim < 2:
        raise ValueError(f"Expected a matrix or batch of matrices. Got a tensor of {weight.ndim} dimensions.")
    if orthogonal_map is None:
        orthogonal_map = "matrix_exp" if weight.shape[-2] == weight.shape[-1] or weight.is_complex() \
            else "householder"
    if orthogonal_map not in _ORTH_MAPS:
        raise ValueError('orthogonal_map has to be one of "matrix_exp", "cayley", "householder". '
                         f"Got: {orthogonal_map}")
    orth = _Orthogonal(weight, orthogonal_map, use_trivialization=use_trivialization)
    parametrize.register_parametrization(module, name, orth, unsafe=True)
    return module


class _WeightNorm(Module):
    def __init__(self, dim=0):
        super().__init__()
        if dim is None:
            dim = -1
        self.dim = dim

    def forward(self, weight_g, weight_v):
        return _weight_norm(weight_v, weight_g, self.dim)

    def right_inverse(self, weight):
        return norm_except_dim(weight, 2, self.dim), weight


def _weight_norm_compat_hook(state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                             error_msgs):
    g_key, v_key = f"{prefix}weight_g", f"{prefix}weight_v"
    if g_key in state_dict and v_key in state_dict:
        state_dict[f"{prefix}parametrizations.weight.original0"] = state_dict.pop(g_key)
        state_dict[f"{prefix}parametrizations.weight.original1"] = state_dict.pop(v_key)


def weight_norm(module, name="weight", dim=0):
    """``module.<name> = g * v / ||v||`` with ``g`` = ``parametrizations.<name>.original0`` and
    ``v`` = ``original1`` (norm over every dim but ``dim``; ``dim=None``: the whole tensor)."""
    parametrize.register_parametrization(module, name, _WeightNorm(dim), unsafe=True)
    try:
        module._register_load_state_dict_pre_hook(_weight_norm_compat_hook)
    except Exception:  # pragma: no cover - hook signature differences are not fatal
        pass
    return module


class _SpectralNorm(Module):
    def __init__(self, weight, n_power_iterations=1, dim=0, eps=1e-12):
        super().__init__()
        ndim = weight.ndim
        if dim >= ndim or dim < -ndim:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{ndim}, {ndim - 1}] but got "
                             f"{dim})")
        if n_power_iterations <= 0:
            raise ValueError(f"Expected n_power_iterations to be positive, but got "
                             f"n_power_iterations={n_power_iterations}")
        self.dim = dim if dim >= 0 else dim + ndim
        self.eps = eps
        if ndim > 1:
            self.n_power_iterations = n_power_iterations
            with _gm.no_grad():
                mat = self._reshape_weight_to_matrix(weight)
                h, w = mat.shape
                u = mat.new_empty(h).normal_(0, 1)
                v = mat.new_empty(w).normal_(0, 1)
                self.register_buffer("_u", _normalize(u, self.eps))
                self.register_buffer("_v", _normalize(v, self.eps))
            self._power_method(mat, 15)

    def _reshape_weight_to_matrix(self, weight):
        if self.dim != 0:
            weight = weight.permute(self.dim, *(d for d in range(weight.dim()) if d != self.dim))
        return weight.flatten(1)

    def _power_method(self, mat, n_power_iterations):
        with _gm.no_grad():
            for _ in range(n_power_iterations):
                self._u.copy_(_normalize(mat.mv(self._v), self.eps))
                self._v.copy_(_normalize(mat.mH.mv(self._u), self.eps))

    def forward(self, weight):
        if weight.ndim == 1:
            return weight / weight.norm().clamp_min(self.eps)
        mat = self._reshape_weight_to_matrix(weight)
        if self.training:
            self._power_method(mat, self.n_power_iterations)
        u = self._u.clone()
        v = self._v.clone()
        sigma = (u.conj() * mat.mv(v)).sum()
        return weight / sigma

    def right_inverse(self, value):
        return value


def spectral_norm(module, name="weight", n_power_iterations=1, eps=1e-12, dim=None):
    """Divide ``module.<name>`` by its largest singular value, estimated by power iteration (the
    ``_u`` / ``_v`` buffers of ``parametrizations.<name>.0``, updated in training mode)."""
    weight = getattr(module, name, None)
    if not isinstance(weight, Tensor):
        raise ValueError(f"Module '{module}' has no parameter or buffer with name '{name}'")
    if dim is None:
        from ..modules.conv import ConvTranspose1d, ConvTranspose2d
        kinds = (ConvTranspose1d, ConvTranspose2d)
        try:
            from ..modules.conv import ConvTranspose3d
            kinds = kinds + (ConvTranspose3d,)
        except ImportError:
            pass
        dim = 1 if isinstance(module, kinds) else 0
    parametrize.register_parametrization(module, name, _SpectralNorm(weight, n_power_iterations, dim, eps))
    return module
