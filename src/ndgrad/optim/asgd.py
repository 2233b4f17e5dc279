"""ASGD: averaged stochastic gradient descent (Polyak-Ruppert averaging of the SGD iterates)."""
import numpy as np

from .. import _dtype
from .._tensor import Tensor
from .optimizer import Optimizer, _real, _scalar_tensor, _zeros_state

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""Averaged SGD, torch.optim.ASGD.

    Update rule at step t, for each parameter θ with gradient g (γ = lr, λ = lambd, α = alpha,
    ω = weight_decay; η and μ start at γ and 1)::

        g ← -g                           if maximize
        g ← g + ω θ                      if ω ≠ 0
        θ ← θ (1 - λ η) - η g
        a ← θ                            if μ = 1,  else  a ← a + μ (θ - a)
        η ← γ / (1 + λ γ t)^α
        μ ← 1 / max(1, t - t0)

    The parameters follow plain (decaying-rate) SGD; the average ``a`` is kept in the state for the
    caller to read. ``eta`` and ``mu`` are stored, like ``step``, as 0-d tensors of the scalar dtype
    (float32 unless float64 is the default), and the update reads them back from there, so their
    rounding is torch's.

    State per parameter: ``step``, ``eta`` (η), ``mu`` (μ) and ``ax`` (a).

    Args:
        params: iterable of tensors or of dicts defining parameter groups.
        lr (float): learning rate (default: 1e-2).
        lambd (float): decay term (default: 1e-4).
        alpha (float): power of the η decay (default: 0.75).
        t0 (float): step at which averaging starts (default: 1e6).
        weight_decay (float): L2 penalty (default: 0).
        maximize (bool): maximize the objective (default: False).
        foreach, differentiable, capturable: accepted for compatibility (one code path).

    Example:
        >>> opt = ndgrad.optim.ASGD(model.parameters(), lr=0.05, t0=100)
    """

    _scalar_state = ("step", "eta", "mu")

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
                 maximize=False, differentiable=False, capturable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    def _init_state(self, state, p, group):
        state["step"] = _scalar_tensor()
        state["eta"] = _scalar_tensor(float(group["lr"]))
        state["mu"] = _scalar_tensor(1.0)
        state["ax"] = _zeros_state(p)

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        tmp = self._tmp
        for group in self.param_groups:
            lr, lambd, alpha, t0 = float(group["lr"]), group["lambd"], group["alpha"], group["t0"]
            for state, d, g in self._updates(group):
                step, eta_t, mu_t = state["step"]._data, state["eta"]._data, state["mu"]._data
                ax = state["ax"]._data
                if d.dtype.kind == "c":
                    d, g, ax = _real(d), _real(g), _real(ax)
                step += 1
                eta, mu = float(eta_t), float(mu_t)
                s = tmp(d)
                d *= 1 - lambd * eta
                d -= np.multiply(g, eta, out=s)
                if mu != 1:
                    ax += np.multiply(np.subtract(d, ax, out=s), mu, out=s)
                else:
                    np.copyto(ax, d)
                t = float(step)
                # torch makes the new values tensors of the default dtype, then copies them into the
                # stored ones: rounded to the default dtype first, then to the stored dtype
                eta_t[...] = np.array(lr / ((1 + lambd * lr * t) ** alpha), _dtype.default.np)
                mu_t[...] = np.array(1 / max(1, t - t0), _dtype.default.np)
        return loss
