"""Muon: momentum orthogonalised by a Newton–Schulz iteration, for 2-D (matrix) parameters.

torch runs the Newton–Schulz iteration in bfloat16. NumPy has no bfloat16, so the iteration here
works on float64 arrays and rounds every intermediate result to bfloat16 (round-half-to-even).
torch's bfloat16 matmuls accumulate in float32 and round once; rounding the float64 result once
gives the same bfloat16 value except where the float32 accumulation lands on the other side of a
rounding boundary. On small matrices the outputs are usually identical bit for bit; otherwise they
differ by a bfloat16 ulp in a few entries (about 0.4% of an update entry).
"""
import math

import numpy as np

from .._tensor import Tensor, _wrap
from ..ops.compare import _lerp_np
from .optimizer import Optimizer

__all__ = ["Muon"]

# Keller Jordan's quintic coefficients and defaults (https://kellerjordan.github.io/posts/muon/)
EPS = 1e-7
DEFAULT_A = 3.4445
DEFAULT_B = -4.7750
DEFAULT_C = 2.0315
DEFAULT_NS_STEPS = 5


def _to_bf16(x):
    """Round to the nearest bfloat16 value (ties to even) through float32, returned as float64.

    This is torch's conversion of a double tensor to bfloat16 (double → float → bfloat16), and the
    rounding of a float32 result: the low 16 bits of the float32 pattern are rounded away. NaN and
    infinity pass through unchanged.
    """
    f = np.asarray(x, dtype=np.float32)
    bits = f.view(np.uint32).astype(np.uint64)
    lsb = (bits >> 16) & 1
    rounded = ((bits + 0x7FFF + lsb) & 0xFFFF0000).astype(np.uint32).view(np.float32)
    return np.where(np.isfinite(f), rounded, f).astype(np.float64)


def _round_bf16(x):
    """Round float64 values straight to the nearest bfloat16 (ties to even), returned as float64.

    Stands in for a bfloat16 matmul, which accumulates in float32 and rounds once: the float64
    result is closer to that accumulator than a float32 rounding of it would be, and rounding it
    once avoids double-rounding ties.
    """
    d = np.asarray(x, dtype=np.float64)
    bits = d.view(np.uint64)
    lsb = (bits >> np.uint64(45)) & np.uint64(1)
    rounded = ((bits + np.uint64((1 << 44) - 1) + lsb) & np.uint64(~((1 << 45) - 1) & 0xFFFFFFFFFFFFFFFF))
    out = rounded.view(np.float64).astype(np.float32).astype(np.float64)  # beyond the range: inf
    return np.where(np.isfinite(d), out, d)


def _newton_schulz(m, ns_coefficients, ns_steps, eps):
    """Approximately orthogonalise matrix ``m`` (U Vᵀ of its SVD, up to singular values near 1)."""
    if ns_steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if m.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(ns_coefficients) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = (float(v) for v in ns_coefficients)
    x = _to_bf16(m)
    tall = m.shape[0] > m.shape[1]
    if tall:  # iterate on the wide orientation: the Gram matrix is the smaller one
        x = x.T
    norm = _round_bf16(np.sqrt(np.sum(x * x)))
    norm = max(float(norm), float(_to_bf16(eps)))  # clamp(min=eps), both in bfloat16
    x = _to_bf16(x.astype(np.float32) / np.float32(norm))  # bfloat16 division computes in float32
    for _ in range(ns_steps):
        gram = _round_bf16(x @ x.T)
        poly = _round_bf16(b * gram + c * (gram @ gram))
        x = _round_bf16(a * x + poly @ x)
    return x.T if tall else x


def _adjusted_lr(lr, adjust_lr_fn, shape):
    """Scale the lr so orthogonalised updates have comparable RMS across matrix shapes."""
    rows, cols = shape[:2]
    if adjust_lr_fn is None or adjust_lr_fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif adjust_lr_fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio


class Muon(Optimizer):
    r"""Muon (MomentUm Orthogonalized by Newton–Schulz), torch.optim.Muon.

    Update rule, for each 2-D parameter θ (shape A × B) with gradient g (γ = lr, λ = weight_decay,
    μ = momentum)::

        b  ← μ b + (1 - μ) g                      (momentum buffer, starts at 0; a lerp)
        u  ← (1 - μ) g + μ b  if nesterov  else  b
        o  ← NS(u)                                (ns_steps quintic Newton–Schulz steps, bfloat16)
        θ  ← θ (1 - γ λ)                          (decoupled weight decay)
        θ  ← θ - γ' o

    where NS normalises ``u`` by its Frobenius norm (at least ``eps``) and repeats
    ``X ← a X + (b XXᵀ + c (XXᵀ)²) X`` with ``ns_coefficients = (a, b, c)``, and γ' is γ adjusted
    by ``adjust_lr_fn``: ``"original"`` (or None) γ·√max(1, A/B); ``"match_rms_adamw"``
    0.2·γ·√max(A, B).

    State per parameter: ``momentum_buffer``. Muon is meant for the matrices of hidden layers;
    optimize biases, embeddings and other parameters with e.g. AdamW.

    Args:
        params: iterable of 2-D tensors or of dicts defining parameter groups.
        lr (float): learning rate (default: 1e-3).
        weight_decay (float): decoupled weight decay (default: 0.1).
        momentum (float): momentum factor (default: 0.95).
        nesterov (bool): use Nesterov momentum (default: True).
        ns_coefficients (tuple of 3 floats): Newton–Schulz polynomial coefficients
            (default: (3.4445, -4.775, 2.0315)).
        eps (float): lower bound of the norm the update is divided by (default: 1e-7).
        ns_steps (int): number of Newton–Schulz steps, less than 100 (default: 5).
        adjust_lr_fn (str, optional): ``"original"`` or ``"match_rms_adamw"`` (default: None,
            meaning ``"original"``).

    Example:
        >>> hidden = [p for p in model.parameters() if p.ndim == 2]
        >>> opt = ndgrad.optim.Muon(hidden, lr=0.02, momentum=0.95)
        >>> opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    """

    def __init__(self, params, lr=1e-3, weight_decay=0.1, momentum=0.95, nesterov=True,
                 ns_coefficients=(DEFAULT_A, DEFAULT_B, DEFAULT_C), eps=EPS, ns_steps=DEFAULT_NS_STEPS,
                 adjust_lr_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {"lr": lr, "weight_decay": weight_decay, "momentum": momentum, "nesterov": nesterov,
                    "ns_coefficients": ns_coefficients, "eps": eps, "ns_steps": ns_steps,
                    "adjust_lr_fn": adjust_lr_fn}
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError("Muon only supports 2D parameters whereas we found a parameter with size: "
                                     f"{p.size()}")

    def _init_state(self, state, p, group):
        state["momentum_buffer"] = _wrap(np.zeros_like(p._grad._data))

    def step(self, closure=None):
        """Perform one optimization step; ``closure`` re-evaluates the model and returns the loss."""
        loss = self._closure_loss(closure)
        for group in self.param_groups:
            for p in group["params"]:  # checked for the whole group before anything changes
                if p._grad is None:
                    continue
                if p._data.dtype.kind == "c":
                    raise RuntimeError("Muon does not support complex parameters")
                if getattr(p._grad, "is_sparse", False):
                    raise RuntimeError("Muon does not support sparse gradients")
            lr = float(group["lr"])
            wd = group["weight_decay"]
            momentum = group["momentum"]
            nesterov = group["nesterov"]
            coefficients, ns_steps, eps = group["ns_coefficients"], group["ns_steps"], group["eps"]
            adjust = group["adjust_lr_fn"]
            for state, d, g in self._updates(group, weight_decay=0):
                if g.ndim != 2:
                    raise ValueError("Param gradient must be a 2D matrix")
                buf = state["momentum_buffer"]
                b = buf._data
                np.copyto(b, _lerp_np(b, g, np.asarray(1 - momentum, dtype=b.dtype)))
                buf._vc[0] += 1
                u = _lerp_np(g, b, np.asarray(momentum, dtype=g.dtype)) if nesterov else b
                o = _newton_schulz(u, coefficients, ns_steps, eps)
                step_lr = _adjusted_lr(lr, adjust, d.shape)
                d *= np.asarray(1 - lr * wd, dtype=d.dtype)
                d -= (o * step_lr).astype(d.dtype) if d.dtype == np.float64 else \
                    o.astype(d.dtype) * np.asarray(step_lr, dtype=d.dtype)
        return loss
