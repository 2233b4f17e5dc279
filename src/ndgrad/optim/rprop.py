"""Rprop: resilient backpropagation, per-coordinate step sizes driven by gradient sign changes only."""
import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import Optimizer, _real, _scalar_tensor, _zeros_state

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""Rprop, torch.optim.Rprop.

    Update rule, for each coordinate of a parameter θ with gradient g (η₋, η₊ = etas,
    [Γmin, Γmax] = step_sizes; the step sizes Γ start at lr)::

        g ← -g                                   if maximize
        Γ ← clamp(Γ · η₊, Γmin, Γmax)            if g · g_prev > 0
        Γ ← clamp(Γ · η₋, Γmin, Γmax);  g ← 0    if g · g_prev < 0
        θ ← θ - sign(g) Γ;  g_prev ← g

    Only the gradient's sign is used, so Rprop suits full-batch training, not mini-batches.

    State per parameter: ``step``, ``prev`` (g_prev) and ``step_size`` (Γ).

    Args:
        params: iterable of tensors or of dicts defining parameter groups.
        lr (float): initial step size (default: 1e-2).
        etas (tuple[float, float]): multiplicative decrease and increase factors, with
            0 < η₋ < 1 < η₊ (default: (0.5, 1.2)).
        step_sizes (tuple[float, float]): minimal and maximal step size (default: (1e-6, 50)).
        maximize (bool): maximize the objective (default: False).
        capturable, foreach, differentiable: accepted for compatibility (one code path).

    Example:
        >>> opt = ndgrad.optim.Rprop(model.parameters(), lr=0.01)
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False,
                 foreach=None, maximize=False, differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, state, p, group):
        state["step"] = _scalar_tensor()
        state["prev"] = _zeros_state(p)
        lr = float(group["lr"])
        # a complex parameter is two real ones: the imaginary part starts at lr too
        state["step_size"] = _wrap(np.full_like(p._data, complex(lr, lr) if p.is_complex() else lr))

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        tmp = self._tmp
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            step_min, step_max = group["step_sizes"]
            for state, d, g in self._updates(group):
                state["step"]._data += 1
                prev, step_size = state["prev"]._data, state["step_size"]._data
                if d.dtype.kind == "c":
                    d, g, prev, step_size = _real(d), _real(g), _real(prev), _real(step_size)
                s = tmp(d)
                np.multiply(g, prev, out=s)
                grew, flipped = s > 0, s < 0
                # factor: η₊ where the sign held, η₋ where it flipped, 1 where either gradient is 0
                s.fill(1)
                s[grew] = etaplus
                s[flipped] = etaminus
                step_size *= s
                np.clip(step_size, step_min, step_max, out=step_size)
                # after a sign flip the coordinate rests this step and the flip is forgotten
                np.copyto(prev, g)
                prev[flipped] = 0
                d -= np.multiply(np.sign(prev, out=s), step_size, out=s)
        return loss
