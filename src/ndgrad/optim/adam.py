"""Adam (and, with decoupled weight decay, AdamW)."""
import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _real, _scalar_tensor, _zeros_state, check_adam_args

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""Adam, torch.optim.Adam.

    Update rule at step t, for each parameter θ with gradient g (γ = lr, λ = weight_decay)::

        g   ← -g                           if maximize
        θ   ← θ (1 - γ λ)                  if decoupled_weight_decay  (AdamW)
        g   ← g + λ θ                      otherwise, if λ ≠ 0
        m   ← β1 m + (1 - β1) g
        v   ← β2 v + (1 - β2) g²
        v̂   ← max(v̂, v) if amsgrad else v
        θ   ← θ - γ / (1 - β1^t) · m / (√v̂ / √(1 - β2^t) + ε)

    State per parameter: ``step`` (0-d float tensor), ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with
    amsgrad, ``max_exp_avg_sq``.

    Args:
        params: iterable of tensors or of dicts defining parameter groups.
        lr (float): learning rate (default: 1e-3).
        betas (tuple[float, float]): decay rates of the moment estimates (default: (0.9, 0.999)).
        eps (float): added to the denominator for numerical stability (default: 1e-8).
        weight_decay (float): weight decay (default: 0).
        amsgrad (bool): use the AMSGrad variant (default: False).
        maximize (bool): maximize the objective (default: False).
        decoupled_weight_decay (bool): decay the weights directly, as AdamW (default: False).
        foreach, capturable, differentiable, fused: accepted for compatibility (one code path).

    Example:
        >>> opt = ndgrad.optim.Adam(model.parameters(), lr=1e-3)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None,
                 decoupled_weight_decay=False):
        if isinstance(lr, Tensor) and foreach and not capturable:
            raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        check_adam_args(lr, betas, eps, weight_decay)
        if not ((isinstance(betas[0], float) and isinstance(betas[1], float))
                or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach, "capturable": capturable,
                    "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def _init_state(self, state, p, group):
        state["step"] = _scalar_tensor()
        state["exp_avg"] = _zeros_state(p)
        state["exp_avg_sq"] = _zeros_state(p)
        if group["amsgrad"]:
            state["max_exp_avg_sq"] = _zeros_state(p)

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        tmp = self._tmp
        for group in self.param_groups:
            beta1, beta2 = float(group["betas"][0]), float(group["betas"][1])
            lr, eps, wd = float(group["lr"]), group["eps"], group["weight_decay"]
            amsgrad, decoupled = group["amsgrad"], group["decoupled_weight_decay"]
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
                m += np.multiply(np.subtract(g, m, out=s), 1 - beta1, out=s)   # m.lerp_(g, 1 - β1)
                v *= beta2
                v += np.multiply(np.multiply(g, g, out=s), 1 - beta2, out=s)
                if amsgrad:
                    vmax = _real(state["max_exp_avg_sq"]._data)
                    np.maximum(vmax, v, out=vmax)
                    v = vmax
                step_size = lr / (1 - beta1 ** t)
                denom = np.sqrt(v, out=s)
                denom /= (1 - beta2 ** t) ** 0.5
                denom += eps
                d -= np.multiply(np.divide(m, denom, out=s), step_size, out=s)
        return loss
