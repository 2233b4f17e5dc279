"""RAdam: Adam with a rectified (variance-aware) adaptive learning rate."""
import math

import numpy as np

from .optimizer import Optimizer, _real, _scalar_tensor, _zeros_state, check_adam_args

__all__ = ["RAdam"]


class RAdam(Optimizer):
    r"""RAdam, torch.optim.RAdam (rectified Adam).

    Update rule at step t, for each parameter θ with gradient g (γ = lr, λ = weight_decay)::

        g   ← -g                                      if maximize
        θ   ← θ (1 - γ λ)  if decoupled_weight_decay  else  g ← g + λ θ   (when λ ≠ 0)
        m   ← β1 m + (1 - β1) g
        v   ← β2 v + (1 - β2) g²
        m̂   ← m / (1 - β1^t)
        ρ∞  ← 2 / (1 - β2) - 1,   ρ_t ← ρ∞ - 2 t β2^t / (1 - β2^t)
        if ρ_t > 5:
            r ← √((ρ_t - 4)(ρ_t - 2) ρ∞ / ((ρ∞ - 4)(ρ∞ - 2) ρ_t))
            θ ← θ - γ m̂ r √(1 - β2^t) / (√v + ε)
        else:
            θ ← θ - γ m̂

    State per parameter: ``step``, ``exp_avg`` (m) and ``exp_avg_sq`` (v).

    Args:
        params: iterable of tensors or of dicts defining parameter groups.
        lr (float): learning rate (default: 1e-3).
        betas (tuple[float, float]): decay rates (default: (0.9, 0.999)).
        eps (float): added to the denominator (default: 1e-8).
        weight_decay (float): weight decay (default: 0).
        decoupled_weight_decay (bool): decay the weights directly, as AdamW (default: False).
        maximize (bool): maximize the objective (default: False).
        foreach, capturable, differentiable: accepted for compatibility (one code path).

    Example:
        >>> opt = ndgrad.optim.RAdam(model.parameters())
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_adam_args(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                    "foreach": foreach, "capturable": capturable,
                    "decoupled_weight_decay": decoupled_weight_decay, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, state, p, group):
        state["step"] = _scalar_tensor()
        state["exp_avg"] = _zeros_state(p)
        state["exp_avg_sq"] = _zeros_state(p)

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        tmp = self._tmp
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, wd = float(group["lr"]), group["eps"], group["weight_decay"]
            decoupled = group["decoupled_weight_decay"]
            rho_inf = 2 / (1 - beta2) - 1
            for state, d, g in self._updates(group, 0 if decoupled else None):
                step = state["step"]._data
                step += 1
                t = float(step)
                if decoupled and wd != 0:
                    d *= 1 - lr * wd
                m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                if d.dtype.kind == "c":
                    d, g, m, v = _real(d), _real(g), _real(m), _real(v)
                s = tmp(d)
                m += np.multiply(np.subtract(g, m, out=s), 1 - beta1, out=s)  # m.lerp_(g, 1 - β1)
                v *= beta2
                v += np.multiply(np.multiply(g, g, out=s), 1 - beta2, out=s)
                bias_correction1 = 1 - beta1 ** t
                bias_correction2 = 1 - beta2 ** t
                rho_t = rho_inf - 2 * t * (beta2 ** t) / bias_correction2
                if rho_t > 5.0:
                    rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
                    denom = np.sqrt(v, out=s)
                    denom += eps
                    scale = lr * rect * bias_correction2 ** 0.5 / bias_correction1
                    d -= np.multiply(np.divide(m, denom, out=s), scale, out=s)
                else:
                    d -= np.multiply(m, lr / bias_correction1, out=s)
        return loss
