"""Adafactor: Adam-like steps whose second moment of a matrix is stored factored (rows and columns)."""
import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import Optimizer, _scalar_tensor

__all__ = ["Adafactor"]


def _lerp_(a, b, w, s):
    """``a ← a + w (b - a)`` in place with torch's two-sided formula, so ``w = 1`` (the first step,
    where 1 - β2 = 1) gives exactly ``b``; ``s`` is a work array shaped like ``a``."""
    np.subtract(b, a, out=s)
    if abs(w) < 0.5:
        s *= w
        a += s
    else:
        s *= 1 - w
        np.subtract(b, s, out=a)


def _sq_mean(g, axis):
    """Mean of g² along ``axis`` (kept), computed as torch does: the squared 2-norm over the size."""
    out = np.linalg.norm(g, axis=axis, keepdims=True)
    out *= out
    out /= g.shape[axis]
    return out


class Adafactor(Optimizer):
    r"""Adafactor, torch.optim.Adafactor (Shazeer & Stern, 2018, without momentum).

    Update rule at step t, for each parameter θ with gradient g (γ = lr, c = beta2_decay,
    λ = weight_decay, (ε1, ε2) = eps, d = d, n = θ.numel())::

        g ← -g                                   if maximize
        β̂ ← t^c;  ρ ← min(γ, 1/√t);  α ← max(ε2, ‖θ‖/√n) ρ
        θ ← θ (1 - γ λ)                          if λ ≠ 0
        for a matrix (or batch of matrices, factored over the last two dims):
            R ← lerp(R, mean of g² along the last dim, β̂)
            C ← lerp(C, mean of g² along the second-to-last dim, β̂)
            v ← R C / max(mean(R), ε1)           (an outer product: rank-1 estimate of g²)
        for a vector or scalar:
            v ← lerp(v, g², β̂)
        u ← g / √max(v, ε1²)
        θ ← θ - α / max(1, ‖u‖ / (√n d)) · u

    ε1 = None means the machine epsilon of the group's first updated parameter (torch keeps that
    value for the rest of the group).

    State per parameter: ``step``, and ``row_var`` (R) with ``col_var`` (C) for parameters with 2 or
    more dimensions, ``variance`` (v) otherwise. Complex parameters are refused, as in torch.

    Args:
        params: iterable of tensors or of dicts defining parameter groups.
        lr (float): unlike Adam's, caps the relative step size ρ (default: 1e-2).
        beta2_decay (float): c ≤ 0, the decay of 1 - β2 over the steps (default: -0.8).
        eps (tuple[float | None, float]): ε1 (floor of the variance, squared) and ε2 (floor of the
            parameter RMS) (default: (None, 1e-3)).
        d (float): clipping threshold of the update's RMS, ≥ 1 (default: 1.0).
        weight_decay (float): decoupled weight decay, as AdamW (default: 0.0).
        maximize (bool): maximize the objective (default: False).
        foreach: accepted for compatibility (one code path).

    Example:
        >>> opt = ndgrad.optim.Adafactor(model.parameters(), lr=1e-2)
    """

    # torch's Adafactor.__setstate__ fills only this flag into loaded groups
    _filled_group_defaults = ("foreach",)

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
                 foreach=None, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize}
        super().__init__(params, defaults)

    def _init_state(self, state, p, group):
        state["step"] = _scalar_tensor()
        grad = p._grad._data
        if grad.ndim > 1:
            # R and C: g² averaged over the last dim and over the second-to-last dim
            state["row_var"] = _wrap(np.zeros(grad.shape[:-1] + (1,), grad.dtype))
            state["col_var"] = _wrap(np.zeros(grad.shape[:-2] + (1,) + grad.shape[-1:], grad.dtype))
        else:
            state["variance"] = _wrap(np.zeros_like(grad))

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        tmp = self._tmp
        for group in self.param_groups:
            lr = group["lr"]
            lr = float(lr) if isinstance(lr, Tensor) else lr
            eps1, eps2 = group["eps"]
            beta2_decay, clip, wd = group["beta2_decay"], group["d"], group["weight_decay"]
            # checked for the whole group first: torch refuses before updating any of it
            if any(p._grad is not None and p.is_complex() for p in group["params"]):
                raise RuntimeError("Adafactor does not support complex parameters")
            for state, d, g in self._updates(group, weight_decay=0):   # decoupled decay, below
                if eps1 is None:
                    eps1 = float(np.finfo(d.dtype).eps)
                step = state["step"]._data
                step += 1
                t = float(step)
                one_minus_beta2 = t ** beta2_decay
                rho = min(lr, 1 / (t ** 0.5))
                n = d.size
                alpha = max(eps2, float(np.linalg.norm(d)) / (n ** 0.5)) * rho
                if wd != 0:
                    d *= 1 - lr * wd
                s, v = tmp(d), tmp(d, 1)
                if g.ndim > 1:
                    row, col = state["row_var"]._data, state["col_var"]._data
                    _lerp_(row, _sq_mean(g, -1), one_minus_beta2, tmp(row, 2))
                    _lerp_(col, _sq_mean(g, -2), one_minus_beta2, tmp(col, 2))
                    np.matmul(row, col, out=v)
                    v /= np.maximum(row.mean(axis=-2, keepdims=True), eps1)
                else:
                    variance = state["variance"]._data
                    _lerp_(variance, np.multiply(g, g, out=s), one_minus_beta2, v)
                    np.copyto(v, variance)  # v is then overwritten; the state keeps the average
                # ε1 is squared because the root is taken next
                update = np.sqrt(np.maximum(v, eps1 * eps1, out=v), out=v)
                np.reciprocal(update, out=update)  # torch's rsqrt, then times g
                update *= g
                denom = max(1.0, float(np.linalg.norm(update)) / ((n ** 0.5) * clip))
                d -= np.multiply(update, alpha / denom, out=s)
        return loss
