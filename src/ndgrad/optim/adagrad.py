"""Adagrad: per-coordinate learning rates from the accumulated squared gradients."""
import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import Optimizer, _real, _scalar_tensor

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad, torch.optim.Adagrad.

    Update rule at step t, for each parameter θ with gradient g (γ = lr, η = lr_decay,
    λ = weight_decay)::

        g ← -g                           if maximize
        g ← g + λ θ                      if λ ≠ 0
        γ̃ ← γ / (1 + (t - 1) η)
        s ← s + g²
        θ ← θ - γ̃ g / (√s + ε)

    State per parameter (created with the optimizer, as in torch): ``step`` and ``sum`` (s, filled
    with ``initial_accumulator_value``).

    Args:
        params: iterable of tensors or of dicts defining parameter groups.
        lr (float): learning rate (default: 1e-2).
        lr_decay (float): learning rate decay (default: 0).
        weight_decay (float): L2 penalty (default: 0).
        initial_accumulator_value (float): starting value of the sums of squares (default: 0).
        eps (float): added to the denominator (default: 1e-10).
        maximize (bool): maximize the objective (default: False).
        foreach, differentiable, fused: accepted for compatibility (one code path).

    Example:
        >>> opt = ndgrad.optim.Adagrad(model.parameters(), lr=0.1)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        for group in self.param_groups:     # torch makes Adagrad's state at construction
            for p in group["params"]:
                self._init_state(self.state[p], p, group)

    def _init_state(self, state, p, group):
        state["step"] = _scalar_tensor()
        value = group["initial_accumulator_value"]
        if p._data.dtype.kind == "c":
            value = complex(value, value)
        state["sum"] = _wrap(np.full_like(p._data, value))

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        tmp = self._tmp
        for group in self.param_groups:
            lr, lr_decay, eps = float(group["lr"]), group["lr_decay"], group["eps"]
            for state, d, g in self._updates(group):
                step = state["step"]._data
                step += 1
                clr = lr / (1 + (float(step) - 1) * lr_decay)
                acc = state["sum"]._data
                if d.dtype.kind == "c":
                    d, g, acc = _real(d), _real(g), _real(acc)
                s = tmp(d)
                acc += np.multiply(g, g, out=s)
                std = np.sqrt(acc, out=s)
                std += eps
                d -= np.multiply(np.divide(g, std, out=s), clr, out=s)
        return loss
