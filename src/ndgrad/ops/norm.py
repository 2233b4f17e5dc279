"""Normalisation layers as fused ops: batch norm, layer norm, group norm.

Fused because it buys memory and speed: composed from primitives, batch norm would save about five
input-sized intermediates for backward and run about fifteen passes over the data; fused, the node
saves the input plus per-channel statistics, and forward/backward each run a handful of NumPy passes.

Each node (``NativeBatchNormBackward0``, ``NativeLayerNormBackward0``, ``NativeGroupNormBackward0``)
has two backward paths: the fused NumPy formula for the ordinary backward pass, and — when a graph
of the backward is being built (``create_graph=True``) — the same formula written with ndgrad ops,
with the statistics recomputed differentiably from the input, so derivatives of any order work.

All three normalise ``x`` viewed as ``(A, B, L)``: statistics per ``B`` over axes 0 and 2 (batch
norm: ``(N, C, H*W)``) or per ``(A, B)`` over axis 2 (layer and group norm).
"""
import functools

import numpy as np

from ._core import Node, wrap, edge, mode, record
from .pool import parallel_for

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm"]


def _stats(x3, axes_outer):
    """Mean and biased variance of ``x3`` (A, B, L) over axis 2 (and 0 if ``axes_outer``): two-pass,
    as torch computes them, so large means do not cancel the variance away."""
    count = x3.shape[2] * (x3.shape[0] if axes_outer else 1)
    s = x3.sum(axis=2)
    if axes_outer:
        s = s.sum(axis=0)
    mean = s / count
    xc = x3 - (mean[:, None] if axes_outer else mean[:, :, None])
    sq = np.vecdot(xc, xc)
    if axes_outer:
        sq = sq.sum(axis=0)
    return mean, sq / count, xc


def _dt(v, like):
    return np.asarray(v, dtype=getattr(like, "dtype", like))


def _row_sums(x3):
    """Sums over the last axis of ``x3`` (A, B, L). For long rows a matrix-vector product with ones:
    BLAS reads the data once at full SIMD width, several times faster than ``sum(axis=-1)``."""
    if x3.shape[2] >= 64:
        return np.matmul(x3, _ones(x3.shape[2], x3.dtype))
    return x3.sum(axis=2)


@functools.lru_cache(maxsize=32)
def _ones(n, dtype):
    ones = np.ones(n, dtype)
    ones.flags.writeable = False
    return ones


def _per_channel(v, x3):
    """``v`` (one value per channel of ``x3`` (N, C, L)) shaped to combine with ``x3``. NumPy's
    loop for a column broadcast (C, 1) runs at a fraction of the speed of a plain same-shape loop,
    so when the batch reuses it a few times, the values are spelled out as full (C, L) rows."""
    if x3.shape[0] >= 4 and x3.shape[2] >= 16:
        return np.repeat(v, x3.shape[2]).reshape(v.shape[0], x3.shape[2])
    return v[:, None]


# ==== batch norm ================================================================================
class NativeBatchNormBackward0(Node):
    __slots__ = ("mean", "invstd", "training", "eps", "has_w", "has_b")

    def backward(self, grad):
        saved = self.saved
        x = saved[0]
        w = saved[1] if self.has_w else None
        (fx, _), (fw, _), (fb, _) = self.next_functions
        if mode.enabled:
            return _bn_backward_graph(grad, x, w, self, fx is not None, fw is not None, fb is not None)
        g3 = _view3(grad._data)
        x3 = _view3(x._data)
        mean, invstd = self.mean, self.invstd
        dt = x._data.dtype
        n_ch = x3.shape[1]
        m = x3.shape[0] * x3.shape[2]
        gw_a = np.empty(n_ch, dtype=dt)
        gb_a = np.empty(n_ch, dtype=dt)
        out = np.empty(x3.shape, dtype=dt) if fx is not None else None
        wd = None if w is None else w._data
        training = self.training

        def part(a, b):                             # channels [a, b) are independent
            gs, xs = g3[:, a:b], x3[:, a:b]
            sg = _row_sums(gs).sum(axis=0)
            dot = np.vecdot(gs, xs).sum(axis=0) - mean[a:b] * sg   # sum(g * (x - mean)) per channel
            inv = invstd[a:b]
            gw_a[a:b] = dot * inv
            gb_a[a:b] = sg
            if out is None:
                return
            k = inv if wd is None else inv * wd[a:b]
            o = out[:, a:b]
            if training:
                # gx = k*g + b*x + c per channel, evaluated as k*(x*(b/k) + g + c/k): four passes
                # and no temporary (k = 0 only for a zero weight, handled the long way)
                bb = -k * inv * inv * dot / m
                c = -k * sg / m - bb * mean[a:b]
                if np.all(k != 0):
                    np.multiply(xs, _per_channel(bb / k, xs), out=o)
                    o += gs
                    o += _per_channel(c / k, xs)
                    o *= _per_channel(k, xs)
                else:
                    np.multiply(xs, bb[:, None], out=o)
                    o += c[:, None]
                    o += gs * k[:, None]
            else:
                np.multiply(gs, _per_channel(k, gs), out=o)

        parallel_for(part, n_ch, x3.size)
        gx = wrap(out.reshape(x._data.shape)) if fx is not None else None
        gw = wrap(gw_a) if fw is not None else None
        gb = wrap(gb_a) if fb is not None else None
        return gx, gw, gb

def _view3(d):
    return d.reshape(d.shape[0], d.shape[1], -1)


def _bcast(t, nd):
    return t.reshape((1, -1) + (1,) * (nd - 2))


def _bn_backward_graph(grad, x, w, node, fx, fw, fb):
    """The batch-norm backward as ndgrad ops (differentiable again)."""
    nd = x.dim()
    dims = (0,) + tuple(range(2, nd))
    if node.training:
        mean = x.mean(dims, keepdim=True)
        xc = x - mean
        invstd = ((xc * xc).mean(dims, keepdim=True) + node.eps).rsqrt()
    else:
        mean = _bcast(wrap(node.mean.astype(x._data.dtype)), nd)
        xc = x - mean
        invstd = _bcast(wrap(node.invstd.astype(x._data.dtype)), nd)
    xhat = xc * invstd
    gx = gw = gb = None
    if fx:
        k = invstd if w is None else invstd * _bcast(w, nd)
        if node.training:
            gx = k * (grad - grad.mean(dims, keepdim=True) - xhat * (grad * xhat).mean(dims, keepdim=True))
        else:
            gx = grad * k
    if fw:
        gw = (grad * xhat).sum(dims)
    if fb:
        gb = grad.sum(dims)
    return gx, gw, gb


def batch_norm_apply(input, running_mean, running_var, weight, bias, training, momentum, eps):
    """Batch normalisation over all axes but 1; updates the running statistics in place when
    training (running variance with the unbiased batch variance, as torch)."""
    x = input._data
    x3 = _view3(x)
    dt = x.dtype
    n_ch = x3.shape[1]
    use_batch = training or running_mean is None
    out = np.empty(x3.shape, dtype=dt)
    if use_batch:
        mean = np.empty(n_ch, dtype=dt)
        var = np.empty(n_ch, dtype=dt)
    else:
        mean = running_mean._data.astype(dt)       # copies: the node keeps them for backward
        var = running_var._data.astype(dt)
    invstd = np.empty(n_ch, dtype=dt)
    wd = None if weight is None else weight._data
    bd = None if bias is None else bias._data
    eps_ = _dt(eps, dt)

    def part(a, b):                                 # channels [a, b) are independent
        xs, o = x3[:, a:b], out[:, a:b]
        if use_batch:
            count = xs.shape[0] * xs.shape[2]
            mean[a:b] = xs.sum(axis=2).sum(axis=0) / count
            np.subtract(xs, _per_channel(mean[a:b], xs), out=o)   # two-pass variance, as torch
            var[a:b] = np.vecdot(o, o).sum(axis=0) / count
        else:
            np.subtract(xs, _per_channel(mean[a:b], xs), out=o)
        invstd[a:b] = 1.0 / np.sqrt(var[a:b] + eps_)
        scale = invstd[a:b] if wd is None else invstd[a:b] * wd[a:b]
        o *= _per_channel(scale, xs)
        if bd is not None:
            o += _per_channel(bd[a:b], xs)

    parallel_for(part, n_ch, x3.size)
    if training and running_mean is not None:
        m = x3.shape[0] * x3.shape[2]
        rm = running_mean._data
        rv = running_var._data if running_var is not None else None
        rm *= 1 - momentum
        rm += (momentum * mean).astype(rm.dtype, copy=False)
        if rv is not None:
            rv *= 1 - momentum
            rv += (momentum * var * (m / max(m - 1, 1))).astype(rv.dtype, copy=False)
    res = wrap(out.reshape(x.shape))
    if mode.enabled and (input._rg or (weight is not None and weight._rg) or (bias is not None and bias._rg)):
        node = NativeBatchNormBackward0(edge(input), edge(weight) if weight is not None else (None, 0),
                                        edge(bias) if bias is not None else (None, 0))
        node.save(*((input, weight) if weight is not None else (input,)))
        node.mean, node.invstd = mean, invstd
        node.training, node.eps = use_batch, eps
        node.has_w, node.has_b = weight is not None, bias is not None
        record(node, res, input, weight, bias)
    return res


# ==== layer norm and group norm =================================================================
class _GroupedNormBackward(Node):
    """Statistics per row of ``x`` viewed as (A, G, D); affine parameters per channel of
    ``(A, C, L)`` (group norm: C = G * D / L) or per element of the last D (layer norm)."""

    __slots__ = ("mean", "rstd", "eps", "groups", "has_w", "has_b", "kind")

    def backward(self, grad):
        saved = self.saved
        x = saved[0]
        w = saved[1] if self.has_w else None
        (fx, _), (fw, _), (fb, _) = self.next_functions
        if mode.enabled:
            return _grouped_backward_graph(grad, x, w, self, fx is not None, fw is not None, fb is not None)
        xd, gd = x._data, grad._data
        shape = xd.shape
        a, gr = self.groups
        x3 = xd.reshape(a, gr, -1)
        g3 = gd.reshape(a, gr, -1)
        xhat = x3 - self.mean[:, :, None]
        xhat *= self.rstd[:, :, None]
        gx = gw = gb = None
        if self.kind == "layer":
            # affine over the trailing normalized shape: x as (M, D)
            x2, g2 = xhat.reshape(a, -1), g3.reshape(a, -1)
            if fw is not None:
                gw = wrap(np.vecdot(g2, x2, axis=0).reshape(self.wshape))
            if fb is not None:
                gb = wrap(g2.sum(axis=0).reshape(self.wshape))
            gxhat = (g2 * w._data.reshape(-1)).reshape(g3.shape) if w is not None else g3
        else:
            c = shape[1]
            xc3 = xhat.reshape(a, c, -1)
            gc3 = g3.reshape(a, c, -1)
            if fw is not None:
                gw = wrap(np.vecdot(gc3, xc3).sum(axis=0))
            if fb is not None:
                gb = wrap(gc3.sum(axis=2).sum(axis=0))
            gxhat = (gc3 * w._data[:, None]).reshape(g3.shape) if w is not None else g3
        if fx is not None:
            d = x3.shape[2]
            s = gxhat.sum(axis=2) / d
            dot = np.vecdot(gxhat, xhat) / d
            xhat *= dot[:, :, None]
            out = gxhat - xhat
            out -= s[:, :, None]
            out *= self.rstd[:, :, None]
            gx = wrap(out.reshape(shape))
        return gx, gw, gb


class NativeLayerNormBackward0(_GroupedNormBackward):
    __slots__ = ("wshape",)


class NativeGroupNormBackward0(_GroupedNormBackward):
    __slots__ = ()


def _grouped_backward_graph(grad, x, w, node, fx, fw, fb):
    """Layer/group-norm backward as ndgrad ops (differentiable again)."""
    shape = x.shape
    a, gr = node.groups
    x3 = x.reshape(a, gr, -1)
    mean = x3.mean(2, keepdim=True)
    xc = x3 - mean
    rstd = ((xc * xc).mean(2, keepdim=True) + node.eps).rsqrt()
    xhat = (xc * rstd).reshape(shape)
    gx = gw = gb = None
    if node.kind == "layer":
        lead = tuple(range(x.dim() - len(node.wshape)))
        if fw:
            gw = (grad * xhat).sum(lead)
        if fb:
            gb = grad.sum(lead)
        gxhat = grad * w if w is not None else grad
    else:
        dims = (0,) + tuple(range(2, x.dim()))
        if fw:
            gw = (grad * xhat).sum(dims)
        if fb:
            gb = grad.sum(dims)
        gxhat = grad * _bcast(w, x.dim()) if w is not None else grad
    if fx:
        g3 = gxhat.reshape(a, gr, -1)
        xh3 = xhat.reshape(a, gr, -1)
        gx = (rstd * (g3 - g3.mean(2, keepdim=True) - xh3 * (g3 * xh3).mean(2, keepdim=True))).reshape(shape)
    return gx, gw, gb


def _grouped_forward(input, weight, bias, eps, a, gr, kind, wshape=None):
    x = input._data
    x3 = x.reshape(a, gr, -1)
    mean, var, xc = _stats(x3, False)
    rstd = 1.0 / np.sqrt(var + _dt(eps, var))
    xc *= rstd[:, :, None]
    out = xc.reshape(x.shape)
    if kind == "layer":
        if weight is not None:
            out *= weight._data
        if bias is not None:
            out += bias._data
    else:
        oc = out.reshape(x.shape[0], x.shape[1], -1)
        if weight is not None:
            oc *= weight._data[:, None]
        if bias is not None:
            oc += bias._data[:, None]
    res = wrap(out)
    if mode.enabled and (input._rg or (weight is not None and weight._rg) or (bias is not None and bias._rg)):
        cls = NativeLayerNormBackward0 if kind == "layer" else NativeGroupNormBackward0
        node = cls(edge(input), edge(weight) if weight is not None else (None, 0),
                   edge(bias) if bias is not None else (None, 0))
        node.save(*((input, weight) if weight is not None else (input,)))
        node.mean, node.rstd, node.eps, node.groups, node.kind = mean, rstd, eps, (a, gr), kind
        node.has_w, node.has_b = weight is not None, bias is not None
        if kind == "layer":
            node.wshape = wshape
        record(node, res, input, weight, bias)
    return res


def layer_norm_apply(input, normalized_shape, weight, bias, eps):
    """Normalise over the trailing ``normalized_shape`` dims (validated by the caller)."""
    x = input._data
    d = 1
    for s in normalized_shape:
        d *= s
    a = x.size // d if d else 0
    return _grouped_forward(input, weight, bias, eps, a, 1, "layer", tuple(normalized_shape))


def group_norm_apply(input, num_groups, weight, bias, eps):
    """Normalise each of ``num_groups`` channel groups per sample (validated by the caller)."""
    return _grouped_forward(input, weight, bias, eps, input._data.shape[0], num_groups, "group")


# ==== torch-level entry points (torch.batch_norm, ...: torch's argument order) ==================
def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled=True):
    from ..nn.functional.normalization import batch_norm as f
    return f(input, running_mean, running_var, weight, bias, training, momentum, eps)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5, cudnn_enable=True):
    from ..nn.functional.normalization import layer_norm as f
    return f(input, normalized_shape, weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5, cudnn_enabled=True):
    from ..nn.functional.normalization import group_norm as f
    return f(input, num_groups, weight, bias, eps)


def instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps,
                  cudnn_enabled=True):
    from ..nn.functional.normalization import instance_norm as f
    return f(input, running_mean, running_var, weight, bias, use_input_stats, momentum, eps)
