"""NAdam: Adam with Nesterov momentum."""
import numpy as np

from .optimizer import Optimizer, _real, _scalar_tensor, _zeros_state, check_adam_args

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""NAdam, torch.optim.NAdam (Adam with Nesterov momentum and a momentum schedule).

    Update rule at step t, for each parameter θ with gradient g (γ = lr, λ = weight_decay,
    ψ = momentum_decay)::

        g   ← -g                                      if maximize
        θ   ← θ (1 - γ λ)  if decoupled_weight_decay  else  g ← g + λ θ   (when λ ≠ 0)
        μ_t ← β1 (1 - ½ · 0.96^(t ψ)),   μ_{t+1} ← β1 (1 - ½ · 0.96^((t + 1) ψ))
        Π   ← Π μ_t                                   (the running product of the μ's)
        m   ← β1 m + (1 - β1) g
        v   ← β2 v + (1 - β2) g²
        D   ← √(v / (1 - β2^t)) + ε
        θ   ← θ - γ (1 - μ_t) / (1 - Π) · g / D - γ μ_{t+1} / (1 - Π μ_{t+1}) · m / D

    State per parameter: ``step``, ``mu_product`` (Π, a 0-d tensor updated in its own precision like
    torch's), ``exp_avg`` (m) and ``exp_avg_sq`` (v).

    Args:
        params: iterable of tensors or of dicts defining parameter groups.
        lr (float): learning rate (default: 2e-3).
        betas (tuple[float, float]): decay rates (default: (0.9, 0.999)).
        eps (float): added to the denominator (default: 1e-8).
        weight_decay (float): weight decay (default: 0).
        momentum_decay (float): ψ (default: 4e-3).
        decoupled_weight_decay (bool): decay the weights directly, as AdamW (default: False).
        maximize (bool): maximize the objective (default: False).
        foreach, capturable, differentiable: accepted for compatibility (one code path).

    Example:
        >>> opt = ndgrad.optim.NAdam(model.parameters())
    """

    _scalar_state = ("step", "mu_product")

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):
        check_adam_args(lr, betas, eps, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                    "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, state, p, group):
        state["step"] = _scalar_tensor()
        state["mu_product"] = _scalar_tensor(1.0)
        state["exp_avg"] = _zeros_state(p)
        state["exp_avg_sq"] = _zeros_state(p)

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        tmp = self._tmp
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps, wd = float(group["lr"]), group["eps"], group["weight_decay"]
            psi, decoupled = group["momentum_decay"], group["decoupled_weight_decay"]
            for state, d, g in self._updates(group, 0 if decoupled else None):
                step = state["step"]._data
                step += 1
                t = float(step)
                if decoupled and wd != 0:
                    d *= 1 - lr * wd
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (t * psi)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((t + 1) * psi)))
                mu_prod = state["mu_product"]._data
                mu_prod *= mu
                mu_prod = float(mu_prod)
                m, v = state["exp_avg"]._data, state["exp_avg_sq"]._data
                if d.dtype.kind == "c":
                    d, g, m, v = _real(d), _real(g), _real(m), _real(v)
                s, s2 = tmp(d), tmp(d, 1)
                m += np.multiply(np.subtract(g, m, out=s), 1 - beta1, out=s)  # m.lerp_(g, 1 - β1)
                v *= beta2
                v += np.multiply(np.multiply(g, g, out=s), 1 - beta2, out=s)
                denom = np.sqrt(np.divide(v, 1 - beta2 ** t, out=s), out=s)
                denom += eps
                d += np.multiply(np.divide(g, denom, out=s2), -lr * (1.0 - mu) / (1.0 - mu_prod), out=s2)
                d += np.multiply(np.divide(m, denom, out=s2), (-lr * mu_next) / (1.0 - mu_prod * mu_next),
                                 out=s2)
        return loss
