"""Volumetric (3-D) convolution and pooling built from the 2-D kernels, plus max-unpooling and
power-average (LP) pooling.

Everything here is a composition of differentiable ndgrad ops, so gradients of any order come from
the pieces (no Python loop over pixels or output positions; the loops run over kernel offsets):

* ``conv3d``: the ``kd`` depth-strided slices of the (depth-padded) input are stacked next to the
  channels and the depth folded into the batch, ``(N*Do, G*kd*Cg, H, W)``, so the whole 3-D
  convolution is ONE 2-D convolution whose weight is ``(O, kd*Cg, kh, kw)`` (same groups).
* ``conv_transpose3d``: one 2-D transposed convolution of the depth-folded input with the weight
  ``(Cin, kd*Cout_g, kh, kw)``; each of the ``kd`` output blocks is then spread along depth (zeros
  interleaved for the stride, shifted by its dilated offset) and the blocks are summed.
* ``max_pool3d`` / ``adaptive_max_pool3d``: the 2-D max over (H, W) of every depth plane, then a max
  over the depth offsets of each window chosen by ``gather`` (one winner per output: torch's first
  maximum, or the last NaN), so the gradient reaches a single input element as in torch.
* ``avg_pool3d``: window sums over (H, W) (the 2-D op with divisor 1), summed over the depth
  offsets, divided by torch's divisor (separable: a product of per-axis window lengths).
"""
import numpy as np

from ...ops.conv import ConvParams, conv_apply, constant_pad_nd
from ...ops import pool as _pool
from ...ops.pool import PoolGeometry, pool_out_size
from ...ops.joining import stack
from ...ops.creation import tensor as _tensor, zeros as _zeros
from ...ops.unary import sign as _sign
from .activation import relu as _relu

__all__ = ["max_pool3d", "max_pool3d_with_indices", "avg_pool3d", "adaptive_max_pool3d",
           "adaptive_max_pool3d_with_indices", "max_unpool1d", "max_unpool2d", "max_unpool3d", "lp_pool1d",
           "lp_pool2d", "lp_pool3d"]


# ==== convolution ===============================================================================
def conv3d_apply(x, w, b, stride, padding, dilation, groups):
    """Validated batched 3-D cross-correlation: x (N, C, D, H, W), w (O, C/G, kd, kh, kw)."""
    n, c, d, h, wd = x.shape
    o, cg, kd, kh, kw = w.shape
    (sd, sh, sw), (pd, ph, pw), (dd, dh, dw) = stride, padding, dilation
    if pd:
        x = constant_pad_nd(x, [0, 0, 0, 0, pd, pd])
    dp = d + 2 * pd
    do = (dp - dd * (kd - 1) - 1) // sd + 1
    xt = x.permute(0, 2, 1, 3, 4)                            # (N, Dp, C, H, W)
    span = sd * (do - 1) + 1
    if kd == 1:
        cols = xt[:, 0:span:sd].reshape(n * do, c, h, wd)
    else:
        st = stack([xt[:, a * dd:a * dd + span:sd] for a in range(kd)], 2)   # (N, Do, kd, C, H, W)
        st = st.reshape(n, do, kd, groups, cg, h, wd).permute(0, 1, 3, 2, 4, 5, 6)
        cols = st.reshape(n * do, groups * kd * cg, h, wd)
    w2 = w.permute(0, 2, 1, 3, 4).reshape(o, kd * cg, kh, kw)
    P = ConvParams((sh, sw), (ph, pw), (dh, dw), False, (0, 0), groups, 2)
    y = conv_apply(cols, w2, None, P)
    ho, wo = y.shape[-2], y.shape[-1]
    y = y.reshape(n, do, o, ho, wo).permute(0, 2, 1, 3, 4).contiguous()
    if b is not None:
        y = y + b.reshape(1, o, 1, 1, 1)
    return y


def conv_transpose3d_apply(x, w, b, stride, padding, output_padding, groups, dilation):
    """Validated batched 3-D transposed convolution: x (N, Cin, D, H, W), w (Cin, Cout/G, kd, kh, kw)."""
    n, cin, d, h, wd = x.shape
    _, cog, kd, kh, kw = w.shape
    (sd, sh, sw), (pd, ph, pw), (dd, dh, dw) = stride, padding, dilation
    opd, oph, opw = output_padding
    xf = x.permute(0, 2, 1, 3, 4).reshape(n * d, cin, h, wd)
    w2 = w.permute(0, 2, 1, 3, 4).reshape(cin, kd * cog, kh, kw)
    P = ConvParams((sh, sw), (ph, pw), (dh, dw), True, (oph, opw), groups, 2)
    y = conv_apply(xf, w2, None, P)                          # (N*D, G*kd*Cog, Ho, Wo)
    ho, wo = y.shape[-2], y.shape[-1]
    y = y.reshape(n, d, groups, kd, cog, ho, wo)
    ld = (d - 1) * sd + 1
    if sd > 1:   # interleave sd-1 zero planes after every input plane (the stride along depth)
        y = constant_pad_nd(y.unsqueeze(2), [0] * 10 + [0, sd - 1])
        y = y.reshape(n, d * sd, groups, kd, cog, ho, wo)[:, :ld]
    full = ld + dd * (kd - 1) + opd
    total = None
    for a in range(kd):
        front = a * dd
        part = constant_pad_nd(y[:, :, :, a], [0] * 8 + [front, full - ld - front])
        total = part if total is None else total + part
    out = total[:, pd:full - pd].reshape(n, full - 2 * pd, groups * cog, ho, wo).permute(0, 2, 1, 3, 4)
    out = out.contiguous()
    if b is not None:
        out = out + b.reshape(1, groups * cog, 1, 1, 1)
    return out


# ==== argument parsing for pooling ==============================================================
def _triple(v, fn, what, allow_none=False, tail=None):
    if v is None and allow_none:
        return None
    if isinstance(v, (tuple, list)):
        if len(v) == 0 and allow_none:
            return None
        if len(v) == 1:
            return (int(v[0]),) * 3
        if len(v) != 3:
            if tail is None:
                tail = "either be omitted, a single int, or a tuple of three ints" if allow_none else \
                    "either be a single int, or a tuple of three ints"
            raise RuntimeError(f"{fn}: {what} must {tail}")
        return tuple(int(x) for x in v)
    return (int(v),) * 3


def _check_input_5d(input):
    if input.dim() not in (4, 5) or any(s == 0 for s in input.shape[-4:]):
        raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")


def _check_pool3d(input, k, s, p, d):
    if any(v == 0 for v in s):
        raise RuntimeError("stride should not be zero")
    _check_input_5d(input)
    if any(v <= 0 for v in k):
        raise RuntimeError(f"kernel size should be greater than zero, but got kT: {k[0]} kH: {k[1]} kW: {k[2]}")
    if any(v < 0 for v in s):
        raise RuntimeError(f"stride should be greater than zero, but got dT: {s[0]} dH: {s[1]} dW: {s[2]}")
    if any(v <= 0 for v in d):
        raise RuntimeError(f"dilation should be greater than zero, but got dilationT: {d[0]} dilationH: {d[1]} "
                           f"dilationW: {d[2]}")
    for kk, pp, dd in zip(k, p, d):
        if pp < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {pp}")
        if pp > ((kk - 1) * dd + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                               f"kernel_size={kk} and dilation={dd}")


def _out3(input, k, s, p, d, ceil_mode):
    sizes = input.shape[-3:]
    outs = [pool_out_size(n, kk, ss, pp, dd, ceil_mode) for n, kk, ss, pp, dd in zip(sizes, k, s, p, d)]
    if min(outs) < 1:
        c = input.shape[-4]
        raise RuntimeError(f"Given input size: ({c}x{'x'.join(map(str, sizes))}). Calculated output size: "
                           f"({c}x{'x'.join(map(str, outs))}). Output size is too small")
    return outs


# ==== max over depth offsets ====================================================================
def _depth_max(y2, i2, pos, depth, plane, return_indices, first_inner=None):
    """Max along axis -3 of ``y2`` over the depth positions ``pos`` (K, Do) (out-of-range = padding).

    ``i2`` holds the in-plane flat index of each 2-D maximum; the winner is torch's: the first
    valid maximum in offset order, or the last NaN."""
    valid = (pos >= 0) & (pos < depth)
    posc = np.where(valid, pos, depth)                       # the extra plane `depth` is padding
    if not valid.all():
        fill = -np.inf if y2._data.dtype.kind == "f" else np.iinfo(y2._data.dtype).min
        y2 = constant_pad_nd(y2, [0, 0, 0, 0, 0, 1], fill)
    K, do = pos.shape
    sel = y2.index_select(-3, _tensor(posc.ravel().astype(np.int64)))
    lead = tuple(sel.shape[:-3])
    ho, wo = sel.shape[-2], sel.shape[-1]
    sel = sel.reshape(lead + (K, do, ho, wo))
    v = sel._data
    first = valid.argmax(0)                                  # first valid offset of each window
    win = np.broadcast_to(first[:, None, None], lead + (do, ho, wo)).astype(np.int64)
    cur = np.take_along_axis(v, win[..., None, :, :, :], axis=-4)[..., 0, :, :, :].copy()
    floating = v.dtype.kind == "f"
    for k in range(K):
        vk = v[..., k, :, :, :]
        m = vk > cur
        if floating:
            m |= np.isnan(vk)
        m &= valid[k][:, None, None]
        np.copyto(cur, vk, where=m)
        np.copyto(win, k, where=m)
    out = sel.gather(-4, _tensor(win[..., None, :, :, :])).squeeze(-4)
    if not return_indices:
        return out
    dpos = posc[win, np.arange(do)[:, None, None]]           # depth of each winner
    i2p = i2._data
    if i2p.shape[-3] == depth and not valid.all():
        i2p = np.concatenate([i2p, np.zeros(i2p.shape[:-3] + (1,) + i2p.shape[-2:], i2p.dtype)], -3)
    inner = np.take_along_axis(i2p, dpos, axis=-3)
    if first_inner is not None and floating:
        # a window with nothing above -inf: torch reports its first in-bounds position
        np.copyto(inner, first_inner, where=cur == -np.inf)
    return out, _tensor(dpos * plane + inner)


# ==== max pooling ===============================================================================
def max_pool3d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    k = _triple(kernel_size, "max_pool3d", "kernel_size")
    s = _triple(stride, "max_pool3d", "stride", allow_none=True) or k
    p = _triple(padding, "max_pool3d", "padding")
    d = _triple(dilation, "max_pool3d", "dilation")
    _check_pool3d(input, k, s, p, d)
    do, _, _ = _out3(input, k, s, p, d, ceil_mode)
    dep, h, w = input.shape[-3:]
    geo = PoolGeometry(h, w, k[1:], s[1:], p[1:], d[1:], ceil_mode)
    y2, i2 = _pool.max_pool2d_apply(input, geo, True)
    pos = np.arange(do)[None, :] * s[0] - p[0] + np.arange(k[0])[:, None] * d[0]
    starts = []
    for n_out, ss, pp, dd in ((geo.ho, s[1], p[1], d[1]), (geo.wo, s[2], p[2], d[2])):
        st = np.arange(n_out) * ss - pp
        starts.append(np.where(st < 0, st + (-st + dd - 1) // dd * dd, st))
    first_inner = starts[0][:, None] * w + starts[1][None, :]
    return _depth_max(y2, i2, pos, dep, h * w, return_indices, first_inner)


def max_pool3d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """3-D max pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``; indices are flat in ``D*H*W``.

    Example:
        >>> F.max_pool3d(ndgrad.randn(1, 2, 5, 6, 7), 3, stride=2, padding=1).shape
        torch.Size([1, 2, 3, 3, 4])
    """
    return max_pool3d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def adaptive_max_pool3d_with_indices(input, output_size, return_indices=True):
    if input.dim() not in (4, 5):
        raise RuntimeError(f"adaptive_max_pool3d(): Expected 4D or 5D tensor, but got: {list(input.shape)}")
    for i in range(1, input.dim()):
        if input.shape[i] == 0 and not (input.dim() == 5 and i == 0):
            raise RuntimeError("adaptive_max_pool3d(): Expected input to have non-zero size for non-batch "
                               f"dimensions, but input has sizes {list(input.shape)} with dimension {i} being empty")
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 3:
            raise RuntimeError("adaptive_max_pool3d(): internal error: output_size.size() must be 3")
        sizes = list(output_size)
    else:
        sizes = [output_size] * 3
    dep, h, w = input.shape[-3:]
    do, ho, wo = (n if v is None else int(v) for n, v in zip((dep, h, w), sizes))
    y2, i2 = _pool.adaptive_max_pool2d_apply(input, (ho, wo), True)
    ds, de = _pool.adaptive_windows(dep, do)
    K = int((de - ds).max(initial=1))
    pos = np.minimum(ds[None, :] + np.arange(K)[:, None], de[None, :] - 1)
    return _depth_max(y2, i2, pos, dep, h * w, return_indices)


def adaptive_max_pool3d(input, output_size, return_indices=False):
    """Max over torch's adaptive windows of ``(N, C, D, H, W)``; indices are flat in ``D*H*W``.

    Example:
        >>> F.adaptive_max_pool3d(ndgrad.randn(1, 2, 5, 6, 7), (2, 3, 4)).shape
        torch.Size([1, 2, 2, 3, 4])
    """
    return adaptive_max_pool3d_with_indices(input, output_size, return_indices)


# ==== average pooling ===========================================================================
def _avg_lengths(n, no, k, s, p, include_pad):
    start = np.arange(no) * s - p
    end = np.minimum(start + k, n + p)
    if include_pad:
        return end - start
    return np.minimum(end, n) - np.maximum(start, 0)


def avg_pool3d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """3-D average pooling over ``(N, C, D, H, W)`` or ``(C, D, H, W)``.

    Example:
        >>> F.avg_pool3d(ndgrad.ones(1, 1, 4, 4, 4), 2).shape
        torch.Size([1, 1, 2, 2, 2])
    """
    tail = "be a single int, or a tuple of three ints"
    k = _triple(kernel_size, "avg_pool3d", "kernel_size", tail=tail)
    s = _triple(stride, "avg_pool3d", "stride", allow_none=True,
                tail="be omitted, be a single int, or a tuple of three ints") or k
    p = _triple(padding, "avg_pool3d", "padding", tail=tail)
    if any(v == 0 for v in s):
        raise RuntimeError("stride should not be zero")
    _check_input_5d(input)
    _check_pool3d(input, k, s, p, (1, 1, 1))
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    sizes = input.shape[-3:]
    if any(kk > n + 2 * pp for kk, n, pp in zip(k, sizes, p)):
        raise RuntimeError(f"input image (T: {sizes[0]} H: {sizes[1]} W: {sizes[2]}) smaller than kernel size "
                           f"(kT: {k[0]} kH: {k[1]} kW: {k[2]})")
    outs = _out3(input, k, s, p, (1, 1, 1), ceil_mode)
    dep, h, w = sizes
    geo = PoolGeometry(h, w, k[1:], s[1:], p[1:], (1, 1), ceil_mode)
    y2 = _pool.avg_pool2d_apply(input, geo, ceil_mode, True, 1)           # window sums over (H, W)
    do = outs[0]
    back = max(0, (do - 1) * s[0] + k[0] - dep - p[0])
    if p[0] or back:
        y2 = constant_pad_nd(y2, [0, 0, 0, 0, p[0], back])
    span = s[0] * (do - 1) + 1
    total = None
    for a in range(k[0]):
        part = y2[..., a:a + span:s[0], :, :]
        total = part if total is None else total + part
    if divisor_override:
        return total / divisor_override
    f = [_avg_lengths(n, no, kk, ss, pp, count_include_pad) for n, no, kk, ss, pp in zip(sizes, outs, k, s, p)]
    div = (f[0][:, None, None] * f[1][None, :, None] * f[2][None, None, :]).astype(input._data.dtype)
    return total / _tensor(div)


# ==== max unpooling =============================================================================
def _tuple_n(v, n):
    if isinstance(v, (tuple, list)):
        return tuple(int(x) for x in v) * (n if len(v) == 1 else 1)
    return (int(v),) * n


def _unpool_size(input, kernel, stride, padding, output_size):
    nd = len(kernel)
    sizes = list(input.shape)[-nd:]
    default = [(sizes[i] - 1) * stride[i] + kernel[i] - 2 * padding[i] for i in range(nd)]
    if output_size is None:
        return default
    output_size = list(output_size)
    if len(output_size) == nd + 2:
        output_size = output_size[2:]
    if len(output_size) != nd:
        raise ValueError(f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a "
                         f"length of '{len(output_size)}'")
    for i in range(nd):
        lo, hi = default[i] - stride[i], default[i] + stride[i]
        if not lo < output_size[i] < hi:
            raise ValueError(f'invalid output_size "{tuple(output_size)}" (dim {i} must be between {lo} and {hi})')
    return [int(v) for v in output_size]


_LEGACY = {"int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
           "float32": "Float", "float64": "Double", "float16": "Half"}


def _unpool(input, indices, out_size, nd, label):
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Input to max_unpooling{nd}d should be a {nd + 1}d or {nd + 2}d Tensor, but got a "
                           f"tensor with {input.dim()} dimensions.")
    if indices._data.dtype != np.int64:
        name = _LEGACY.get(indices._data.dtype.name, indices._data.dtype.name)
        raise RuntimeError(f"elements in indices should be type int64 but got: {name}")
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor ({list(input.shape)}) "
                           f"but got indices tensor with shape: {list(indices.shape)}")
    total = int(np.prod(out_size))
    lead = tuple(input.shape[:-nd])
    idx = indices._data.reshape(lead + (-1,))
    bad = (idx < 0) | (idx >= total)
    if bad.any():
        raise RuntimeError(f"Found an invalid max index: {int(idx[bad].ravel()[0])} (output volumes are of size "
                           f"{label})")
    flat = input.reshape(lead + (-1,))
    out = _zeros(lead + (total,), dtype=input.dtype).scatter(-1, _tensor(np.ascontiguousarray(idx)), flat)
    return out.reshape(lead + tuple(out_size))


def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of ``max_pool1d``: values placed at ``indices`` of a zero ``(N, C, L_out)`` tensor.

    Example:
        >>> y, i = F.max_pool1d(ndgrad.arange(4.).view(1, 1, 4), 2, return_indices=True)
        >>> F.max_unpool1d(y, i, 2)
        tensor([[[0., 1., 0., 3.]]])
    """
    k = _tuple_n(kernel_size, 1)
    s = _tuple_n(stride, 1) if stride is not None else k
    p = _tuple_n(padding, 1)
    size = _unpool_size(input, k, s, p, output_size)
    if input.dim() + 1 not in (3, 4):
        raise RuntimeError(f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with "
                           f"{input.dim() + 1} dimensions.")
    out = _unpool(input.unsqueeze(-1), indices.unsqueeze(-1), size + [1], 2, f"{size[0]}x1")
    return out.squeeze(-1)


def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of ``max_pool2d`` (indices flat in the output ``H*W`` plane).

    Example:
        >>> y, i = F.max_pool2d(ndgrad.randn(1, 1, 4, 4), 2, return_indices=True)
        >>> F.max_unpool2d(y, i, 2).shape
        torch.Size([1, 1, 4, 4])
    """
    k = _tuple_n(kernel_size, 2)
    s = _tuple_n(stride, 2) if stride is not None else k
    p = _tuple_n(padding, 2)
    size = _unpool_size(input, k, s, p, output_size)
    return _unpool(input, indices, size, 2, "x".join(map(str, size)))


def max_unpool3d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """Inverse of ``max_pool3d`` (indices flat in the output ``D*H*W`` volume).

    Example:
        >>> y, i = F.max_pool3d(ndgrad.randn(1, 1, 4, 4, 4), 2, return_indices=True)
        >>> F.max_unpool3d(y, i, 2).shape
        torch.Size([1, 1, 4, 4, 4])
    """
    k = _tuple_n(kernel_size, 3)
    s = _tuple_n(stride, 3) if stride is not None else k
    p = _tuple_n(padding, 3)
    size = _unpool_size(input, k, s, p, output_size)
    return _unpool(input, indices, size, 3, "x".join(map(str, size)))


# ==== power-average pooling =====================================================================
def _lp_finish(out, norm_type, count):
    return (_sign(out) * _relu(out.abs())).mul(count).pow(1.0 / norm_type)


def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """``(sum over the window of x**p) ** (1/p)`` over ``(N, C, L)``.

    Example:
        >>> F.lp_pool1d(ndgrad.ones(1, 1, 4), 2, 2)
        tensor([[[1.4142, 1.4142]]])
    """
    from .pooling import avg_pool1d
    out = avg_pool1d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    k = kernel_size[0] if isinstance(kernel_size, (tuple, list)) else kernel_size
    return _lp_finish(out, norm_type, k)


def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """2-D power-average pooling: ``(sum x**p) ** (1/p)`` over each window.

    Example:
        >>> F.lp_pool2d(ndgrad.ones(1, 1, 4, 4), 1, 2)
        tensor([[[[4., 4.],
                  [4., 4.]]]])
    """
    from .pooling import avg_pool2d
    kh, kw = _tuple_n(kernel_size, 2)
    out = avg_pool2d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, norm_type, kh * kw)


def lp_pool3d(input, norm_type, kernel_size, stride=None, ceil_mode=False):
    """3-D power-average pooling over ``(N, C, D, H, W)``.

    Example:
        >>> F.lp_pool3d(ndgrad.ones(1, 1, 2, 2, 2), 1, 2).shape
        torch.Size([1, 1, 1, 1, 1])
    """
    kd, kh, kw = _tuple_n(kernel_size, 3)
    out = avg_pool3d(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return _lp_finish(out, norm_type, kd * kh * kw)
