"""Margin and embedding losses (torch.nn.functional's): cosine-embedding, margin-ranking, hinge,
soft-margin, multi-label / multi-class margin and triplet losses. They are compositions of ndgrad
ops, so their gradients (of any order) come from their parts."""
import numpy as np

from ...ops import unary as _u
from ...ops._core import wrap
from .activation import logsigmoid
from .misc import pairwise_distance
from .loss import NONE, _apply_reduction, _get_enum, _reduction, legacy_get_string

__all__ = ["cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss", "soft_margin_loss",
           "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss", "triplet_margin_loss",
           "triplet_margin_with_distance_loss"]

def cosine_embedding_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """1 - cos(x1, x2) where target is 1; max(0, cos(x1, x2) - margin) where target is -1."""
    red = _reduction(size_average, reduce, reduction)
    targ_dim = target.dim()
    if targ_dim not in (0, 1):
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if targ_dim == 1:
        if input1.dim() != 2 or input2.dim() != 2:
            raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes "
                               f"{list(input1.shape)} and {list(input2.shape)}.")
    elif input1.dim() != 1 or input2.dim() != 1:
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes "
                           f"{list(input1.shape)} and {list(input2.shape)}.")
    eps = 1e-12
    prod_sum = (input1 * input2).sum(targ_dim)
    mag1 = (input1 * input1).sum(targ_dim) + eps
    mag2 = (input2 * input2).sum(targ_dim) + eps
    cos = prod_sum / _u.sqrt(mag1 * mag2)
    td = target._data
    pos = (1 - cos) * wrap((td == 1).astype(cos._data.dtype))
    neg = (cos - margin).clamp_min(0) * wrap((td == -1).astype(cos._data.dtype))
    return _apply_reduction(pos + neg, red)


def margin_ranking_loss(input1, input2, target, margin=0, size_average=None, reduce=None, reduction="mean"):
    """max(0, -target * (input1 - input2) + margin)."""
    red = _reduction(size_average, reduce, reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
                           f"input1: {input1.size()}, input2: {input2.size()}, target: {target.size()} ")
    return _apply_reduction((-target * (input1 - input2) + margin).clamp_min(0), red)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    """x where target is 1, max(0, margin - x) where target is -1."""
    red = _reduction(size_average, reduce, reduction)
    td = target._data
    dt = input._data.dtype
    out_margin = (margin - input).clamp_min(0) * wrap((td != 1).astype(dt))
    out_self = input * wrap((td != -1).astype(dt))
    return _apply_reduction(out_margin + out_self, red)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """log(1 + exp(-target * input))."""
    red = _reduction(size_average, reduce, reduction)
    return _apply_reduction(_u.log1p(_u.exp(-input * target)), red)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """Mean over classes of the binary cross entropy of sigmoid(input) with ``target`` in {0, 1}."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    class_dim = input.dim() - 1
    loss = loss.sum(class_dim) / input.size(class_dim)
    if reduction == "none":
        return loss
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    raise ValueError(reduction + " is not valid")


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, size_average=None, reduce=None,
                      reduction="mean"):
    """Σ_{i≠y} max(0, margin - x[y] + x[i])^p / C (times weight[y]), per sample."""
    red = _reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    x = input if input.dim() == 2 else input.reshape(1, -1)
    td = target._data.reshape(-1)
    n, c = x.shape
    if td.size and (td.min() < 0 or td.max() >= c):
        raise RuntimeError("target out of range")
    onehot = np.zeros((n, c), dtype=x._data.dtype)
    onehot[np.arange(n), td] = 1
    mask = wrap(onehot)
    xy = (x * mask).sum(1, keepdim=True)
    z = (x - xy + margin).clamp_min(0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * wrap(weight._data[td][:, None].astype(x._data.dtype)) if not weight._rg \
            else z * _rows(weight, td).unsqueeze(1)
    z = z * wrap(1 - onehot)
    loss = z.sum(1) / c
    if input.dim() != 2 and red == NONE:
        loss = loss.reshape(())
    return _apply_reduction(loss, red)


def _rows(weight, idx):
    from .misc import _gather_rows
    return _gather_rows(weight.reshape(-1, 1), idx).reshape(-1)


def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    """Σ_{j in targets} Σ_{i not in targets} max(0, 1 - (x[j] - x[i])) / C; targets end at the first -1."""
    red = _reduction(size_average, reduce, reduction)
    x = input if input.dim() == 2 else input.reshape(1, -1)
    td = target._data.reshape(x.shape)
    n, c = x.shape
    is_target = np.zeros((n, c), dtype=bool)
    for r in range(n):
        for j in td[r]:
            if j < 0:
                break
            is_target[r, j] = True
    dt = x._data.dtype
    # pairwise hinge over (target j, non-target i): 1 - x[j] + x[i]
    pair = (x.unsqueeze(1) - x.unsqueeze(2) + 1).clamp_min(0)  # [n, j, i] = 1 - x[j] + x[i]
    mask = wrap((is_target[:, :, None] & ~is_target[:, None, :]).astype(dt))
    loss = (pair * mask).sum((1, 2)) / c
    if input.dim() != 2 and red == NONE:
        loss = loss.reshape(())
    return _apply_reduction(loss, red)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    """max(0, margin + d(a, p) - d(a, n)) with d the pairwise p-norm distance."""
    red = _reduction(size_average, reduce, reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.dim(), positive.dim(), negative.dim()
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")
    dist_pos = pairwise_distance(anchor, positive, p, eps)
    dist_neg = pairwise_distance(anchor, negative, p, eps)
    if swap:
        from ...ops.compare import minimum
        dist_neg = minimum(dist_neg, pairwise_distance(positive, negative, p, eps))
    return _apply_reduction((dist_pos - dist_neg + margin).clamp_min(0), red)


def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin=1.0,
                                      swap=False, reduction="mean"):
    """triplet_margin_loss with any ``distance_function(x1, x2)`` (default: pairwise_distance)."""
    if reduction not in ("mean", "sum", "none"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    a_dim, p_dim, n_dim = anchor.ndim, positive.ndim, negative.ndim
    if not (a_dim == p_dim and p_dim == n_dim):
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {a_dim}D, positive {p_dim}D, and negative {n_dim}D inputs")
    if distance_function is None:
        distance_function = pairwise_distance
    dist_pos = distance_function(anchor, positive)
    dist_neg = distance_function(anchor, negative)
    if swap:
        from ...ops.compare import minimum
        dist_neg = minimum(dist_neg, distance_function(positive, negative))
    loss = (dist_pos - dist_neg + margin).clamp_min(0)
    return _apply_reduction(loss, _get_enum(reduction))
