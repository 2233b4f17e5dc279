"""Adamax: Adam with the infinity norm in place of the second moment."""
import numpy as np

from .optimizer import Optimizer, _real, _scalar_tensor, _zeros_state, check_adam_args

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""Adamax, torch.optim.Adamax (a variant of Adam based on the infinity norm).

    Update rule at step t, for each parameter θ with gradient g (γ = lr, λ = weight_decay)::

        g ← -g                           if maximize
        g ← g + λ θ                      if λ ≠ 0
        m ← β1 m + (1 - β1) g
        u ← max(β2 u, |g| + ε)
        θ ← θ - γ / (1 - β1^t) · m / u

    State per parameter: ``step``, ``exp_avg`` (m) and ``exp_inf`` (u).

    Args:
        params: iterable of tensors or of dicts defining parameter groups.
        lr (float): learning rate (default: 2e-3).
        betas (tuple[float, float]): decay rates (default: (0.9, 0.999)).
        eps (float): added to |g| (default: 1e-8).
        weight_decay (float): L2 penalty (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach, differentiable, capturable: accepted for compatibility (one code path).

    Example:
        >>> opt = ndgrad.optim.Adamax(model.parameters())
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        check_adam_args(lr, betas, eps, weight_decay)
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, state, p, group):
        state["step"] = _scalar_tensor()
        state["exp_avg"] = _zeros_state(p)
        state["exp_inf"] = _zeros_state(p)

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        tmp = self._tmp
        for group in self.param_groups:
            beta1, beta2 = group["betas"]
            lr, eps = float(group["lr"]), group["eps"]
            for state, d, g in self._updates(group):
                step = state["step"]._data
                step += 1
                m, u = state["exp_avg"]._data, state["exp_inf"]._data
                if d.dtype.kind == "c":
                    d, g, m, u = _real(d), _real(g), _real(m), _real(u)
                s = tmp(d)
                m += np.multiply(np.subtract(g, m, out=s), 1 - beta1, out=s)  # m.lerp_(g, 1 - β1)
                u *= beta2
                norm = np.abs(g, out=s)
                norm += eps
                np.maximum(u, norm, out=u)
                clr = lr / (1 - beta1 ** float(step))
                d -= np.multiply(np.divide(m, u, out=s), clr, out=s)
        return loss
