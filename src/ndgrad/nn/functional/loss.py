"""Loss functions (torch.nn.functional's), with torch's reductions, weights and special cases.

The common losses are single ops with torch's node names (``MseLossBackward0``,
``NllLossBackward0``, ``BinaryCrossEntropyWithLogitsBackward0`` ...): one pass over the data
forward and one backward, their formulas written with ndgrad ops so they differentiate again.
``cross_entropy`` is ``nll_loss(log_softmax(x))``: the log-softmax subtracts the max, so large
logits never overflow. The rarer losses are compositions of ops and get their gradients for free.

Example:
    >>> logits = ndgrad.tensor([[2.0, 0.5, -1.0]], requires_grad=True)
    >>> F.cross_entropy(logits, ndgrad.tensor([0]))
    tensor(0.2413, grad_fn=<NllLossBackward0>)
"""
import math
import warnings

import numpy as np

from ...ops._core import Node, Tensor, wrap, edge, mode, record, operands, attach, NOEDGE
from ...ops import unary as _u
from ...ops import special_fns as _sf
from ...ops.compare import where
from .activation import log_softmax, logsigmoid
from ._ctc import ctc_loss_per_sample

__all__ = ["l1_loss", "mse_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "nll_loss", "cross_entropy", "kl_div", "poisson_nll_loss",
           "gaussian_nll_loss", "ctc_loss"]  # the margin and embedding losses are in margin_loss.py

NONE, MEAN, SUM = 0, 1, 2
_BCE_EPS = float(np.float32(1e-12))  # torch's EPSILON in binary_cross_entropy_backward, a float

_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                 "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _sname(t):
    return _SCALAR_NAMES.get(t.dtype.name, t.dtype.name)


# -- reduction arguments (torch's _Reduction helpers) ------------------------------------------------
def _get_enum(reduction):
    if reduction == "none":
        return NONE
    if reduction == "mean":
        return MEAN
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.",
                      stacklevel=3)
        return MEAN
    if reduction == "sum":
        return SUM
    raise ValueError(f"{reduction} is not a valid value for reduction")


def legacy_get_string(size_average, reduce, emit_warning=True):
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.",
                      stacklevel=3)
    return ret


def _reduction(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    return _get_enum(reduction)


def _apply_reduction(loss, red):
    if red == MEAN:
        return loss.mean()
    if red == SUM:
        return loss.sum()
    return loss


def _warn_size(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to broadcasting. Please "
                      "ensure they have the same size.", stacklevel=3)


# -- pointwise regression losses as single ops --------------------------------------------------------
class _PointwiseLossBackward(Node):
    """Shared backward: d(loss)/d(input) = deriv(input, target) * upstream (/ numel for mean);
    the target's gradient is minus that (for losses of input - target)."""

    __slots__ = ("reduction", "numel", "param")

    def _scale(self, grad):
        return grad / self.numel if self.reduction == MEAN else grad

    def backward(self, grad):
        x, t = self.saved
        (fx, _), (ft, _) = self.next_functions
        g = self.deriv(x, t) * self._scale(grad)
        return (g if fx is not None else None, -g if ft is not None else None)


class MseLossBackward0(_PointwiseLossBackward):
    __slots__ = ()

    def deriv(self, x, t):
        return (x - t) * 2


class L1LossBackward0(_PointwiseLossBackward):
    __slots__ = ()

    def deriv(self, x, t):
        return (x - t).sign()


class SmoothL1LossBackward0(_PointwiseLossBackward):
    __slots__ = ()

    def deriv(self, x, t):
        z = x - t
        beta = self.param
        return where(z < -beta, -1.0, where(z > beta, 1.0, z / beta))


class HuberLossBackward0(_PointwiseLossBackward):
    __slots__ = ()

    def deriv(self, x, t):
        z = x - t
        delta = self.param
        return where(z < -delta, -delta, where(z > delta, delta, z))


def _pointwise_loss(input, target, elem_np, node_cls, red, param=None):
    a, b, ad, bd = operands(input, target)
    elem = elem_np(ad, bd)
    if elem.__class__ is not np.ndarray:
        elem = np.asarray(elem)
    if red == MEAN:
        data = np.asarray(elem.mean(), dtype=elem.dtype) if elem.size else np.asarray(np.nan, dtype=elem.dtype)
    elif red == SUM:
        data = np.asarray(elem.sum(), dtype=elem.dtype)
    else:
        data = elem
    out = wrap(data)
    if mode.enabled and ((a is not None and a._rg) or (b is not None and b._rg)):
        node = node_cls(edge(a) if a is not None else NOEDGE, edge(b) if b is not None else NOEDGE)
        node.save(a if a is not None else ad, b if b is not None else bd)
        node.reduction = red
        node.numel = elem.size
        node.param = param
        record(node, out, a, b)
    return out


def _weighted(loss_none, weight, input, reduction):
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    weighted = loss_none * weight
    if reduction == "none":
        return weighted
    if reduction == "sum":
        return weighted.sum()
    if reduction == "mean":
        return weighted.sum() / weight.sum()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def _mse_np(a, b):
    d = a - b
    return d * d


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean squared error: reduce((input - target)²)."""
    _warn_size(input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if weight is not None:
        return _weighted(_pointwise_loss(input, target, _mse_np, MseLossBackward0, NONE), weight, input, reduction)
    return _pointwise_loss(input, target, _mse_np, MseLossBackward0, _get_enum(reduction))


def _l1_np(a, b):
    return np.abs(a - b)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean absolute error: reduce(|input - target|)."""
    _warn_size(input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if weight is not None:
        return _weighted(_pointwise_loss(input, target, _l1_np, L1LossBackward0, NONE), weight, input, reduction)
    return _pointwise_loss(input, target, _l1_np, L1LossBackward0, _get_enum(reduction))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """0.5 z² / beta where |z| < beta, |z| - 0.5 beta elsewhere (z = input - target)."""
    _warn_size(input, target)
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return _pointwise_loss(input, target, _l1_np, L1LossBackward0, _get_enum(reduction))

    def elem(a, b):
        z = np.abs(a - b)
        return np.where(z < beta, 0.5 * z * z / beta, z - 0.5 * beta).astype(z.dtype, copy=False)
    return _pointwise_loss(input, target, elem, SmoothL1LossBackward0, _get_enum(reduction), beta)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """0.5 z² where |z| < delta, delta (|z| - 0.5 delta) elsewhere (z = input - target)."""
    _warn_size(input, target)
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")

    def elem(a, b):
        z = np.abs(a - b)
        return np.where(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta)).astype(z.dtype, copy=False)
    if weight is not None:
        if weight.shape != input.shape:
            raise ValueError("Weights and input must have the same size.")
        loss = _pointwise_loss(input, target, elem, HuberLossBackward0, NONE, delta) * weight
        if reduction == "none":
            return loss
        if reduction == "sum":
            return loss.sum()
        if reduction == "mean":
            return loss.mean()
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")
    return _pointwise_loss(input, target, elem, HuberLossBackward0, _get_enum(reduction), delta)


# -- binary cross entropy ----------------------------------------------------------------------------
class BinaryCrossEntropyBackward0(Node):
    """d/dx = w (x - t) / max(x (1 - x), 1e-12); d/dt = w (log(1 - x) - log(x)) (logs clamped at -100)."""

    __slots__ = ("reduction", "numel")

    def backward(self, grad):
        x, t, w = self.saved
        (fx, _), (ft, _) = self.next_functions
        g = grad / self.numel if self.reduction == MEAN else grad
        if w is not None:
            g = g * w
        gx = gt = None
        if fx is not None:
            gx = g * (x - t) / ((1 - x) * x).clamp_min(_BCE_EPS)
        if ft is not None:
            gt = g * (_u.log1p(-x).clamp_min(-100) - _u.log(x).clamp_min(-100))
        return gx, gt


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-w [t log(x) + (1 - t) log(1 - x)], with the logs clamped at -100 as torch does."""
    red = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input size "
                         f"({input.size()}) is deprecated. Please ensure they have the same size.")
    if weight is not None:
        new_size = np.broadcast_shapes(tuple(target.shape), tuple(weight.shape))
        weight = weight.expand(*new_size) if tuple(weight.shape) != new_size else weight
    xd, td = input._data, target._data
    if xd.dtype != td.dtype:
        raise RuntimeError(f"Found dtype {_sname(target)} but expected {_sname(input)}")
    if xd.size and ((xd < 0).any() or (xd > 1).any() or np.isnan(xd).any()):
        raise RuntimeError("all elements of input should be between 0 and 1")
    with np.errstate(divide="ignore"):
        log_x = np.maximum(np.log(xd), -100)
        log_1mx = np.maximum(np.log1p(-xd), -100)
    elem = -(td * log_x + (1 - td) * log_1mx)
    if weight is not None:
        elem = elem * weight._data
    elem = elem.astype(xd.dtype, copy=False)
    data = elem.mean() if red == MEAN else elem.sum() if red == SUM else elem
    out = wrap(np.asarray(data, dtype=xd.dtype))
    if mode.enabled and (input._rg or target._rg):
        node = BinaryCrossEntropyBackward0(edge(input), edge(target))
        node.save(input, target, weight)
        node.reduction = red
        node.numel = elem.size
        record(node, out, input, target)
    return out


class BinaryCrossEntropyWithLogitsBackward0(Node):
    """With L = 1 + (pw - 1) t: d/dx = w (L σ(x) - pw t); d/dt = -w (x + (pw - 1) logσ(x))."""

    __slots__ = ("reduction", "numel")

    def backward(self, grad):
        x, t, w, pw = self.saved
        (fx, _), (ft, _) = self.next_functions
        g = grad / self.numel if self.reduction == MEAN else grad
        if w is not None:
            g = g * w
        gx = gt = None
        if fx is not None:
            s = _u.sigmoid(x)
            gx = g * ((s - t) if pw is None else (((pw - 1) * t + 1) * s - pw * t))
        if ft is not None:
            gt = -g * (x if pw is None else x + (pw - 1) * logsigmoid(x))
        return gx, gt


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """BCE of sigmoid(input), computed from the logits without overflow:
    (1 - t) x - (1 + (pos_weight - 1) t) logσ(x), times ``weight``."""
    red = _reduction(size_average, reduce, reduction)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.size()}) must be the same as input size ({input.size()})")
    xd, td = input._data, target._data
    if td.dtype != xd.dtype:
        td = td.astype(xd.dtype)
    log_sig = np.minimum(xd, 0) - np.log1p(np.exp(-np.abs(xd)))
    if pos_weight is not None:
        lw = (pos_weight._data - 1) * td + 1
        elem = (1 - td) * xd - lw * log_sig
    else:
        elem = (1 - td) * xd - log_sig
    if weight is not None:
        elem = elem * weight._data
    elem = np.asarray(elem, dtype=xd.dtype)
    data = elem.mean() if red == MEAN else elem.sum() if red == SUM else elem
    out = wrap(np.asarray(data, dtype=xd.dtype))
    if mode.enabled and (input._rg or target._rg):
        node = BinaryCrossEntropyWithLogitsBackward0(edge(input), edge(target))
        node.save(input, target, weight, pos_weight)
        node.reduction = red
        node.numel = elem.size
        record(node, out, input, target)
        if red == NONE and elem.shape != xd.shape:  # weight/pos_weight broadcast the result
            node._in_meta = [(xd.shape, None), (td.shape, None)]
    return out


# -- negative log likelihood and cross entropy ------------------------------------------------------
class _NllCtx:
    """What nll_loss and its backward share: the picked class per position, its weight (0 where
    ignored), the reduction and its divisor."""

    __slots__ = ("target", "w", "valid", "reduction", "total", "unbatched", "shape")


def _nll_pick(h, ctx):
    """reduce(-w * h[n, target[n], ...]) for an input-shaped array ``h``."""
    hd = h if not ctx.unbatched else h[None]
    if hd.ndim == 2:
        picked = hd[np.arange(hd.shape[0]), ctx.target]
    else:
        picked = np.take_along_axis(hd, ctx.target[:, None], axis=1)[:, 0]
    losses = -(picked * ctx.w)
    if ctx.reduction == NONE:
        return losses[0] if ctx.unbatched else losses
    s = losses.sum()
    return s / ctx.total if ctx.reduction == MEAN else s


def _nll_scatter_np(g, ctx, dtype):
    """Input-shaped array with -w * g (/ total) at each target position: nll_loss's derivative."""
    shape = ctx.shape if not ctx.unbatched else (1,) + ctx.shape
    out = np.zeros(shape, dtype=dtype)
    gd = g if ctx.reduction == NONE else (g / ctx.total if ctx.reduction == MEAN else g)
    if ctx.reduction == NONE and ctx.unbatched:
        gd = gd[None]
    with np.errstate(invalid="ignore", divide="ignore"):
        vals = np.where(ctx.valid, -(ctx.w * gd), 0).astype(dtype, copy=False)  # ignored targets: no write
    if out.ndim == 2:
        out[np.arange(out.shape[0]), ctx.target] = vals
    else:
        np.put_along_axis(out, ctx.target[:, None], vals[:, None], axis=1)
    return out[0] if ctx.unbatched else out


class NllLossBackward0(Node):
    __slots__ = ("ctx",)

    def backward(self, grad):
        return _nll_backward(grad, self.ctx)


class NllLoss2DBackward0(NllLossBackward0):
    __slots__ = ()


class NllLossBackwardBackward0(Node):
    """The backward scatter is linear in the gradient; its adjoint is nll_loss's pick again."""

    __slots__ = ("ctx",)

    def backward(self, gg):
        return _nll_apply(gg, self.ctx)


def _nll_apply(input, ctx, node_cls=NllLossBackward0):
    data = np.asarray(_nll_pick(input._data, ctx), dtype=input._data.dtype)
    out = wrap(data)
    if mode.enabled and input._rg:
        node = node_cls(edge(input))
        node.ctx = ctx
        attach(out, node)
    return out


def _nll_backward(grad, ctx):
    out = wrap(_nll_scatter_np(grad._data, ctx, grad._data.dtype))
    if mode.enabled and grad._rg:
        node = NllLossBackwardBackward0(edge(grad))
        node.ctx = ctx
        attach(out, node)
        node._in_meta = [(grad._data.shape, None)]
    return out


def _nll_ctx(input, target, weight, ignore_index, red):
    """Validate like torch's nll_loss_nd (in its order) and precompute the picked classes/weights."""
    xd = input._data
    td = target._data if isinstance(target, Tensor) else np.asarray(target)
    if xd.ndim < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {xd.ndim})")
    unbatched = xd.ndim == 1
    if not unbatched and (td.ndim == 0 or xd.shape[0] != td.shape[0]):
        raise ValueError(f"Expected input batch_size ({xd.shape[0]}) to match target batch_size "
                         f"({td.shape[0] if td.ndim else 0}).")
    if unbatched:
        if td.ndim == 1 and td.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {td.shape[0]}")
        if td.ndim > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        n_classes = xd.shape[0]
        tflat = td.reshape(1)
    else:
        if xd.ndim == 2 and td.ndim != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if xd.ndim > 2 and td.shape != xd.shape[:1] + xd.shape[2:]:
            raise RuntimeError(f"Expected target size {list(xd.shape[:1] + xd.shape[2:])}, got {list(td.shape)}")
        n_classes = xd.shape[1]
        tflat = td
    if td.dtype != np.int64 and td.dtype != np.uint8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {_SCALAR_NAMES.get(td.dtype.name, td.dtype.name)}")
    if weight is not None and weight._data.shape != (n_classes,):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes but "
                           f"got weight tensor of shape: {list(weight._data.shape)}")
    tflat = tflat.astype(np.int64, copy=False)
    valid = tflat != ignore_index
    tt = np.where(valid, tflat, 0)
    if tt.size and (tt.min() < 0 or tt.max() >= n_classes):
        bad = tflat[valid & ((tflat < 0) | (tflat >= n_classes))].reshape(-1)[0]
        raise IndexError(f"Target {bad} is out of bounds.")
    dt = xd.dtype
    if weight is not None:
        w = np.where(valid, weight._data.astype(dt)[tt], 0).astype(dt)
    else:
        w = valid.astype(dt)
    ctx = _NllCtx()
    ctx.target, ctx.w, ctx.valid, ctx.reduction, ctx.unbatched, ctx.shape = tt, w, valid, red, unbatched, xd.shape
    ctx.total = w.sum(dtype=np.float64).astype(dt) if red == MEAN else None
    return ctx


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log likelihood of class indices: -w[t] * input[n, t] (input holds log-probabilities).

    Input (N, C) or (C,) or (N, C, d1, ...); target (N,) or () or (N, d1, ...) of class indices.
    ``mean`` divides by the sum of the weights of the non-ignored targets.
    """
    red = _reduction(size_average, reduce, reduction)
    ctx = _nll_ctx(input, target, weight, ignore_index, red)
    with np.errstate(invalid="ignore", divide="ignore"):
        return _nll_apply(input, ctx, NllLoss2DBackward0 if input._data.ndim == 4 else NllLossBackward0)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """Cross entropy between logits ``input`` and ``target`` class indices or class probabilities.

    Input (N, C), (C,) or (N, C, d1, ...). Target: class indices (N,) / () / (N, d1, ...), or
    probabilities with the input's shape. Supports ``weight`` (per class), ``ignore_index``
    (indices only) and ``label_smoothing`` in [0, 1].
    """
    red = _reduction(size_average, reduce, reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    xd = input._data
    class_dim = 0 if xd.ndim == 1 else 1
    if isinstance(target, Tensor) and target.is_floating_point() and target.shape == input.shape:
        return _cross_entropy_probs(input, target, weight, red, label_smoothing, class_dim)
    logp = log_softmax(input, class_dim)
    ctx = _nll_ctx(logp, target, weight, ignore_index, red)
    with np.errstate(invalid="ignore", divide="ignore"):
        nll = _nll_apply(logp, ctx, NllLoss2DBackward0 if xd.ndim == 4 else NllLossBackward0)
    if label_smoothing <= 0.0:
        return nll
    n_classes = xd.shape[class_dim]
    if weight is not None:
        shape = [1] * xd.ndim
        shape[class_dim] = n_classes
        smooth = -(logp * weight.reshape(shape)).sum(class_dim)
    else:
        smooth = -logp.sum(class_dim)
    ignore = target._data != ignore_index
    smooth = smooth * wrap(ignore.astype(xd.dtype))
    if red == MEAN:
        if weight is not None:
            denom = weight._data[target._data[ignore]].sum()
        else:
            denom = ignore.sum()
        ret = smooth.sum() / float(denom)
    elif red == SUM:
        ret = smooth.sum()
    else:
        ret = smooth
    return nll * (1 - label_smoothing) + ret * (label_smoothing / n_classes)


def _cross_entropy_probs(input, target, weight, red, label_smoothing, class_dim):
    xd = input._data
    n_classes = xd.shape[class_dim]
    logp = log_softmax(input, class_dim)
    if label_smoothing > 0:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None:
        shape = [1] * xd.ndim
        shape[class_dim] = n_classes
        prod = prod * weight.reshape(shape)
    if red == MEAN:
        if xd.size == 0:
            return (-prod.sum()) * float("nan")
        return -prod.sum() / (xd.size / n_classes)
    if red == SUM:
        return -prod.sum()
    return -prod.sum(class_dim)


# -- divergences and likelihoods ----------------------------------------------------------------------
def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """KL(target || exp(input)) pointwise: target (log target - input); ``input`` holds log-probabilities.

    ``reduction='batchmean'`` divides the sum by the batch size (the mathematical KL divergence).
    """
    if size_average is not None or reduce is not None:
        red = _get_enum(legacy_get_string(size_average, reduce))
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          stacklevel=2)
        red = SUM if reduction == "batchmean" else _get_enum(reduction)
    if log_target:
        loss = _u.exp(target) * (target - input)
    else:
        loss = _sf.xlogy(target, target) - target * input
    reduced = _apply_reduction(loss, red)
    if reduction == "batchmean" and input.dim() != 0:
        reduced = reduced / input.size()[0]
    return reduced


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    """Poisson negative log likelihood: exp(x) - t x (log_input) or x - t log(x + eps)."""
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not a valid value for reduction")
    if log_input:
        loss = _u.exp(input) - target * input
    else:
        loss = input - target * _u.log(input + eps)
    if full:
        td = target._data
        with np.errstate(divide="ignore", invalid="ignore"):
            stirling = td * np.log(td) - td + 0.5 * np.log(2 * math.pi * td)
        loss = loss + wrap(np.where(td > 1, stirling, 0).astype(loss._data.dtype))
    return _apply_reduction(loss, _get_enum(reduction))


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    """0.5 (log(max(var, eps)) + (input - target)² / max(var, eps)) (+ 0.5 log 2π with ``full``)."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = wrap(np.full(input._data.shape, var, dtype=input._data.dtype))
    elif (var._data < 0).any():
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif input.dim() == var.dim() and sum(y for x, y in zip(input.shape, var.shape) if x != y) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    vd = var._data
    var = var + wrap((np.maximum(vd, eps) - vd).astype(vd.dtype))  # clamp without touching the gradient
    loss = (_u.log(var) + (input - target) ** 2 / var) * 0.5
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _apply_reduction(loss, _get_enum(reduction))


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction="mean", zero_infinity=False):
    """Connectionist Temporal Classification loss.

    Args:
        log_probs: (T, N, C) or (T, C) log-probabilities (``log_softmax`` output).
        targets: (N, S) padded, or the targets of the batch concatenated in 1-d.
        input_lengths, target_lengths: (N,) lengths (tensors or sequences of ints).
        blank: the blank label. ``zero_infinity``: impossible alignments give 0 and no gradient.

    ``mean`` divides each sample's loss by its target length, then averages over the batch.
    """
    red = _get_enum(reduction)
    res, _, tl = ctc_loss_per_sample(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity)
    if zero_infinity:
        res = where(res.isinf(), 0.0, res)
    if red == MEAN:
        lengths = wrap(np.maximum(tl, 1).astype(res._data.dtype))
        return (res / (lengths if res.dim() else lengths.reshape(()))).mean()
    if red == SUM:
        return res.sum()
    return res
