"""AdamW: Adam with decoupled weight decay."""
from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    r"""AdamW, torch.optim.AdamW: Adam whose weight decay shrinks the weights directly instead of
    being added to the gradient (so it does not pass through the moment estimates).

    Update rule at step t (γ = lr, λ = weight_decay)::

        g ← -g                           if maximize
        θ ← θ (1 - γ λ)
        m ← β1 m + (1 - β1) g
        v ← β2 v + (1 - β2) g²
        v̂ ← max(v̂, v) if amsgrad else v
        θ ← θ - γ / (1 - β1^t) · m / (√v̂ / √(1 - β2^t) + ε)

    Same arguments and state as :class:`Adam`, with ``weight_decay`` defaulting to 1e-2.

    Example:
        >>> opt = ndgrad.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, *,
                 maximize=False, foreach=None, capturable=False, differentiable=False, fused=None):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
                         capturable=capturable, differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)

    def __setstate__(self, state):
        super().__setstate__(state)
        for group in self.param_groups:
            group["decoupled_weight_decay"] = True
