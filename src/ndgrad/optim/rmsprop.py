"""RMSprop: divide the gradient by a running root-mean-square of recent gradients."""
import numpy as np

from .._tensor import Tensor
from .optimizer import Optimizer, _real, _scalar_tensor, _zeros_state

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""RMSprop, torch.optim.RMSprop.

    Update rule, for each parameter θ with gradient g (γ = lr, α = alpha, λ = weight_decay,
    μ = momentum)::

        g ← -g                           if maximize
        g ← g + λ θ                      if λ ≠ 0
        v ← α v + (1 - α) g²
        ḡ ← α ḡ + (1 - α) g              if centered, and then  ṽ ← v - ḡ²   (else ṽ ← v)
        b ← μ b + g / (√ṽ + ε);  θ ← θ - γ b          if μ > 0
        θ ← θ - γ g / (√ṽ + ε)                        otherwise

    State per parameter: ``step``, ``square_avg`` (v), ``momentum_buffer`` (b, when μ > 0) and
    ``grad_avg`` (ḡ, when centered).

    Args:
        params: iterable of tensors or of dicts defining parameter groups.
        lr (float): learning rate (default: 1e-2).
        alpha (float): smoothing constant (default: 0.99).
        eps (float): added to the denominator (default: 1e-8).
        weight_decay (float): L2 penalty (default: 0).
        momentum (float): momentum factor (default: 0).
        centered (bool): normalize by an estimate of the gradient's variance (default: False).
        maximize (bool): maximize the objective (default: False).
        capturable, foreach, differentiable: accepted for compatibility (one code path).

    Example:
        >>> opt = ndgrad.optim.RMSprop(model.parameters(), lr=1e-3, momentum=0.9)
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
                 capturable=False, foreach=None, maximize=False, differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                    "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                    "maximize": maximize, "differentiable": differentiable}
        super().__init__(params, defaults)

    def _init_state(self, state, p, group):
        state["step"] = _scalar_tensor()
        state["square_avg"] = _zeros_state(p)
        if group["momentum"] > 0:
            state["momentum_buffer"] = _zeros_state(p)
        if group["centered"]:
            state["grad_avg"] = _zeros_state(p)

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        tmp = self._tmp
        for group in self.param_groups:
            lr, alpha, eps = float(group["lr"]), group["alpha"], group["eps"]
            momentum, centered = group["momentum"], group["centered"]
            for state, d, g in self._updates(group):
                state["step"]._data += 1
                v = state["square_avg"]._data
                if d.dtype.kind == "c":
                    d, g, v = _real(d), _real(g), _real(v)
                s = tmp(d)
                v *= alpha
                v += np.multiply(np.multiply(g, g, out=s), 1 - alpha, out=s)
                if centered:
                    ga = _real(state["grad_avg"]._data)
                    ga += np.multiply(np.subtract(g, ga, out=s), 1 - alpha, out=s)  # ga.lerp_(g, 1 - α)
                    avg = np.sqrt(np.subtract(v, np.multiply(ga, ga, out=s), out=s), out=s)
                else:
                    avg = np.sqrt(v, out=s)
                avg += eps
                if momentum > 0:
                    buf = _real(state["momentum_buffer"]._data)
                    buf *= momentum
                    buf += np.divide(g, avg, out=s)
                    d -= np.multiply(buf, lr, out=s)
                else:
                    d -= np.multiply(np.divide(g, avg, out=s), lr, out=s)
        return loss
