"""Stochastic gradient descent, with momentum, dampening, Nesterov momentum and weight decay."""
import numpy as np

from .._tensor import _wrap
from .optimizer import Optimizer

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""Stochastic gradient descent (optionally with momentum), torch.optim.SGD.

    Update rule, for each parameter θ with gradient g (μ = momentum, τ = dampening, λ = weight_decay,
    γ = lr)::

        g ← -g                    if maximize
        g ← g + λ θ               if λ ≠ 0
        b ← g                     at the first step (if μ ≠ 0)
        b ← μ b + (1 - τ) g       afterwards
        g ← g + μ b  if nesterov  else  g ← b
        θ ← θ - γ g

    State per parameter: ``momentum_buffer`` (only when ``momentum != 0``).

    Args:
        params: iterable of tensors or of dicts defining parameter groups.
        lr (float): learning rate (default: 1e-3).
        momentum (float): momentum factor (default: 0).
        dampening (float): dampening for momentum (default: 0).
        weight_decay (float): L2 penalty (default: 0).
        nesterov (bool): use Nesterov momentum (default: False).
        maximize (bool): maximize the objective instead of minimizing (default: False).
        foreach, differentiable, fused: accepted for compatibility; ndgrad has a single code path.

    Example:
        >>> opt = ndgrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):
        if hasattr(lr, "numel") and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening, "weight_decay": weight_decay,
                    "nesterov": nesterov, "maximize": maximize, "foreach": foreach,
                    "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def _init_state(self, state, p, group):
        pass    # the momentum buffer starts as the first gradient, made in step()

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            momentum, dampening = group["momentum"], group["dampening"]
            nesterov = group["nesterov"]
            for state, d, g in self._updates(group, stateful=momentum != 0):
                if momentum != 0:
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        b = np.array(g, copy=True)
                        state["momentum_buffer"] = _wrap(b)
                    else:
                        b = buf._data
                        b *= momentum
                        if dampening != 0:
                            b += np.multiply(g, 1 - dampening, out=self._tmp(b))
                        else:
                            b += g
                    if nesterov:
                        g = np.add(g, np.multiply(b, momentum, out=self._tmp(d)), out=self._tmp(d))
                    else:
                        g = b
                d -= np.multiply(g, lr, out=self._tmp(d))
        return loss
