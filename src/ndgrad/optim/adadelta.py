"""Adadelta: steps scaled by the ratio of running RMS of past updates to that of past gradients."""
import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _real, _scalar_tensor, _zeros_state

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta, torch.optim.Adadelta.

    Update rule, for each parameter θ with gradient g (γ = lr, ρ = rho, λ = weight_decay)::

        g ← -g                           if maximize
        g ← g + λ θ                      if λ ≠ 0
        v ← ρ v + (1 - ρ) g²
        Δ ← √(u + ε) / √(v + ε) · g
        u ← ρ u + (1 - ρ) Δ²
        θ ← θ - γ Δ

    State per parameter: ``step``, ``square_avg`` (v) and ``acc_delta`` (u).

    Args:
        params: iterable of tensors or of dicts defining parameter groups.
        lr (float): scale applied to Δ before it is subtracted (default: 1.0).
        rho (float): decay rate of both running averages (default: 0.9).
        eps (float): added inside both square roots (default: 1e-6).
        weight_decay (float): L2 penalty (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach, capturable, differentiable: accepted for compatibility (one code path).

    Example:
        >>> opt = ndgrad.optim.Adadelta(model.parameters())
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
                 maximize=False, differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "capturable": capturable, "foreach": foreach, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, state, p, group):
        state["step"] = _scalar_tensor()
        state["square_avg"] = _zeros_state(p)
        state["acc_delta"] = _zeros_state(p)

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        tmp = self._tmp
        for group in self.param_groups:
            lr, rho, eps = float(group["lr"]), group["rho"], group["eps"]
            for state, d, g in self._updates(group):
                state["step"]._data += 1
                v, u = state["square_avg"]._data, state["acc_delta"]._data
                if d.dtype.kind == "c":
                    d, g, v, u = _real(d), _real(g), _real(v), _real(u)
                s, delta = tmp(d), tmp(d, 1)
                v *= rho
                v += np.multiply(np.multiply(g, g, out=s), 1 - rho, out=s)
                std = np.sqrt(np.add(v, eps, out=s), out=s)
                np.sqrt(np.add(u, eps, out=delta), out=delta)
                delta /= std
                delta *= g
                u *= rho
                u += np.multiply(np.multiply(delta, delta, out=s), 1 - rho, out=s)
                d -= np.multiply(delta, lr, out=s)
        return loss
