"""Convolution (plain and transposed, 1-D and 2-D), im2col/col2im (unfold/fold), constant padding.

Every convolution product is a GEMM over columns gathered from strided views, NCHW throughout (no
layout transposes of activations):

* forward: ``W (G, Og, Cg*kh*kw) @ cols``, where ``cols`` is the im2col of a *chunk* (a block of
  output rows of one sample, or several whole samples when images are small) made by one strided
  copy from an ``as_strided`` window view of the padded input into a reused ~1 MB buffer. The
  copy stays in cache and the GEMM consumes it right away, so the 9x (3x3) im2col never exists
  as a whole; the result lands directly in the NCHW output (bias added per chunk).
  Measured alternatives (single thread, 3x3 64->64 at 56x56): a whole-batch im2col, NHWC im2col,
  accumulating kh*kw or kh shifted-view GEMMs on a flat padded grid, and Winograd F(2x2,3x3) were
  all slower in NumPy: the chunked GEMM is within a few percent of the pure GEMM time.
* input gradient (= transposed convolution): for stride 1, a convolution of the padded gradient
  with the flipped, channel-swapped kernel (the same path); otherwise ``W^T @ grad`` per chunk and
  col2im as ``kh*kw`` strided adds (a loop over kernel offsets, never over pixels).
* weight gradient: ``cols @ grad^T`` per chunk, accumulated; chunks here are at least
  ``_WGRAD_COLS`` columns long since the GEMM reduces over them.

Nothing the size of an im2col is kept for backward: ``ConvolutionBackward0`` saves the input and
the weight and rebuilds the columns chunk by chunk. It runs ``convolution_backward``, itself
recorded (``ConvolutionBackwardBackward0``) with a formula made of ``conv_apply`` and
``convolution_backward``, so derivatives of any order work.
"""
import os

import numpy as np
from numpy.lib.stride_tricks import as_strided

from ._core import Node, wrap, edge, mode, attach, record

__all__ = ["convolution", "conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d", "constant_pad_nd"]


class ConvParams:
    """Validated convolution hyper-parameters, as 2-D tuples (1-D convolutions use H = 1)."""

    __slots__ = ("stride", "padding", "dilation", "transposed", "output_padding", "groups", "nd")

    def __init__(self, stride, padding, dilation, transposed, output_padding, groups, nd):
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.nd = nd

    def key(self):
        return (self.stride, self.padding, self.dilation, self.transposed, self.output_padding, self.groups)


# ==== NumPy kernels (4-D NCHW arrays) ==========================================================
# The columns of one GEMM are built a chunk at a time (a block of output rows of one sample, or a
# block of whole samples for small images) into a buffer of about _CHUNK bytes, so the 9x (for a
# 3x3 kernel) im2col copy stays in cache and is consumed by the GEMM right after it is written.
# With a multi-threaded BLAS, chunks are larger: every GEMM call wakes the BLAS worker threads, and
# on a busy machine many small calls cost far more than the cache misses of a few large ones
# (measured: 3x3 conv fwd+bwd 5.0 s with 1 MB chunks vs 0.9 s with 8 MB at load 13 on 2 cores).
def _blas_threads():
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        v = os.environ.get(var, "")
        if v.isdigit():
            return int(v)
    return os.cpu_count() or 1


_CHUNK = (1 << 20) if _blas_threads() <= 1 else (8 << 20)
_WGRAD_COLS = 2048
_FWD_COLS = 512


def _out_size(n, k, s, p, d):
    return (n + 2 * p - d * (k - 1) - 1) // s + 1


def _padded(x, ph, pw):
    if ph == 0 and pw == 0:
        return x
    n, c, h, w = x.shape
    buf = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=x.dtype)
    buf[:, :, ph:ph + h, pw:pw + w] = x
    return buf


class _Geometry:
    """Shapes of one convolution (viewed as the forward cross-correlation) and its chunking.

    A chunk is ``(first sample, samples, first output row, rows)``: at least ``min_cols`` GEMM
    columns (the weight gradient reduces over them, so it wants long chunks) and otherwise about
    ``_CHUNK`` bytes of im2col.
    """

    __slots__ = ("n", "c", "h", "w", "o", "kh", "kw", "ho", "wo", "g", "cg", "og", "kg", "P", "chunks", "buf_size")

    def __init__(self, n, c, h, w, o, kh, kw, P, itemsize, min_cols=0):
        self.n, self.c, self.h, self.w, self.o, self.kh, self.kw, self.P = n, c, h, w, o, kh, kw, P
        (sh, sw), (ph, pw), (dh, dw) = P.stride, P.padding, P.dilation
        ho, wo = self.ho, self.wo = _out_size(h, kh, sh, ph, dh), _out_size(w, kw, sw, pw, dw)
        self.g = P.groups
        self.cg, self.og = c // self.g, o // self.g
        self.kg = self.cg * kh * kw
        row = max(c * kh * kw * wo * itemsize, 1)          # bytes of columns per output row
        rows = max(_CHUNK // row, -(-min_cols // max(wo, 1)), 1)
        chunks = []
        if rows < ho:
            for i in range(n):
                for r0 in range(0, ho, rows):
                    chunks.append((i, 1, r0, min(rows, ho - r0)))
        else:
            nb = max(1, rows // max(ho, 1))
            for i in range(0, n, nb):
                chunks.append((i, min(nb, n - i), 0, ho))
        self.chunks = chunks
        self.buf_size = c * kh * kw * wo * max((nb * r for _, nb, _, r in chunks), default=0)


def _swap12(src, dst=None, block=64):
    """``dst[g, j, i, ...] = src[g, i, j, ...]`` (swap axes 1 and 2 of a 3-D or 4-D array), copied in
    blocks of ``block`` along axis 1: NumPy's plain transposing copy of a large matrix is ~3x slower
    (each block keeps both sides in cache)."""
    if dst is None:
        dst = np.empty((src.shape[0], src.shape[2], src.shape[1]) + src.shape[3:], dtype=src.dtype)
    m = src.shape[1]
    if src.size < 1 << 16:
        np.copyto(dst, src.swapaxes(1, 2))
        return dst
    for i in range(0, m, block):
        np.copyto(dst[:, :, i:i + block], src[:, i:i + block].swapaxes(1, 2))
    return dst


def _cols(xp, geo, n0, nb, r0, r, buf, flip=False):
    """im2col of one chunk into ``buf``: ``(G, Cg*kh*kw, nb*r*Wo)`` via a single strided copy
    (``flip``: kernel offsets in reverse order, i.e. the columns for a 180-degree rotated kernel)."""
    P = geo.P
    (sh, sw), (dh, dw) = P.stride, P.dilation
    s = xp.strides
    if flip:
        base = xp[n0:, :, sh * r0 + dh * (geo.kh - 1):, dw * (geo.kw - 1):]
        si, sj = -dh * s[2], -dw * s[3]
    else:
        base = xp[n0:, :, sh * r0:]
        si, sj = dh * s[2], dw * s[3]
    src = as_strided(base, (geo.g, geo.cg, geo.kh, geo.kw, nb, r, geo.wo),
                     (geo.cg * s[1], s[1], si, sj, s[0], sh * s[2], sw * s[3]), writeable=False)
    size = geo.c * geo.kh * geo.kw * nb * r * geo.wo
    dst = buf[:size].reshape(src.shape)
    np.copyto(dst, src)
    return dst.reshape(geo.g, geo.kg, nb * r * geo.wo)


def _conv_fwd(x, w, P, bias=None, flip=False):
    """Cross-correlation of ``x`` (N, C, H, W) with ``w`` (O, C/G, kh, kw) -> (N, O, Ho, Wo)
    (``flip``: with the kernel rotated by 180 degrees, i.e. a true convolution)."""
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    geo = _Geometry(n, c, h, wd, o, kh, kw, P, x.itemsize, min_cols=_FWD_COLS)
    g, og, ho, wo = geo.g, geo.og, geo.ho, geo.wo
    (sh, sw), (ph, pw) = P.stride, P.padding
    b3 = None if bias is None else bias.reshape(g, og, 1)
    if kh == 1 and kw == 1 and ph == 0 and pw == 0:
        # 1x1: the input itself (subsampled for a stride) is the column matrix.
        xs = x if (sh, sw) == (1, 1) else x[:, :, ::sh, ::sw][:, :, :ho, :wo]
        out = np.matmul(w.reshape(g, og, cg), np.ascontiguousarray(xs).reshape(n, g, cg, ho * wo))
        if b3 is not None:
            out += b3
        return out.reshape(n, o, ho, wo)
    xp = _padded(x, ph, pw)
    w3 = w.reshape(g, og, geo.kg)
    out = np.empty((n, o, ho * wo), dtype=x.dtype)
    buf = np.empty(geo.buf_size, dtype=x.dtype)
    for n0, nb, r0, r in geo.chunks:
        cols = _cols(xp, geo, n0, nb, r0, r, buf, flip)
        if nb == 1:
            dst = out[n0, :, r0 * wo:(r0 + r) * wo].reshape(g, og, r * wo)
            np.matmul(w3, cols, out=dst)
            if b3 is not None:
                dst += b3
        else:
            res = np.matmul(w3, cols).reshape(o, nb, ho * wo)
            if b3 is not None:
                res += b3.reshape(o, 1, 1)
            out[n0:n0 + nb] = res.transpose(1, 0, 2)
    return out.reshape(n, o, ho, wo)


def _conv_bwd_input(gy, w, h, wd, P, bias=None):
    """Adjoint of ``_conv_fwd`` in its input: (N, O, Ho, Wo) -> (N, C, H, W) (a transposed conv)."""
    n, o, ho, wo = gy.shape
    _, cg, kh, kw = w.shape
    g = P.groups
    og = o // g
    c = cg * g
    (sh, sw), (ph, pw), (dh, dw) = P.stride, P.padding, P.dilation
    if P.stride == (1, 1):
        # A stride-1 transposed convolution is a convolution of the gradient, padded by d*(k-1) - p
        # (cropped where that is negative), with the kernel rotated by 180 degrees and the channel
        # roles swapped. The rotation is done on the column side (negative strides in the window
        # view): copying a flipped weight is a slow gather for wide layers.
        eh, ew = dh * (kh - 1) - ph, dw * (kw - 1) - pw
        if eh < 0 or ew < 0:
            gy = gy[:, :, max(-eh, 0):ho - max(-eh, 0), max(-ew, 0):wo - max(-ew, 0)]
        wf = _swap12(w.reshape(g, og, cg, kh * kw)).reshape(c, og, kh, kw)
        Pf = ConvParams((1, 1), (max(eh, 0), max(ew, 0)), P.dilation, False, (0, 0), g, P.nd)
        return _conv_fwd(gy, wf, Pf, bias, flip=True)
    # W^T @ grad per chunk, then col2im: one strided add per kernel offset.
    geo = _Geometry(n, c, h, wd, o, kh, kw, P, gy.itemsize, min_cols=_FWD_COLS)
    gxp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), dtype=gy.dtype)
    wt = np.ascontiguousarray(w.reshape(g, og, geo.kg).transpose(0, 2, 1))
    we = sw * (wo - 1) + 1
    for n0, nb, r0, r in geo.chunks:
        if nb == 1:
            gch = gy[n0].reshape(g, og, ho * wo)[:, :, r0 * wo:(r0 + r) * wo]
        else:
            gch = gy[n0:n0 + nb].reshape(nb, g, og, ho * wo).transpose(1, 2, 0, 3).reshape(g, og, nb * ho * wo)
        cols = np.matmul(wt, gch).reshape(c, kh, kw, nb, r, wo)
        for i in range(kh):
            for j in range(kw):
                y0 = i * dh + sh * r0
                dst = gxp[n0:n0 + nb, :, y0:y0 + sh * (r - 1) + 1:sh, j * dw:j * dw + we:sw]
                dst += cols[:, i, j].transpose(1, 0, 2, 3)
    gx = gxp if ph == 0 and pw == 0 else np.ascontiguousarray(gxp[:, :, ph:ph + h, pw:pw + wd])
    if bias is not None:
        gx += bias.reshape(1, c, 1, 1)
    return gx


def _conv_bwd_weight(x, gy, kh, kw, P):
    """Adjoint of ``_conv_fwd`` in its weight: -> (O, C/G, kh, kw)."""
    n, c, h, wd = x.shape
    _, o, ho, wo = gy.shape
    geo = _Geometry(n, c, h, wd, o, kh, kw, P, x.itemsize, min_cols=_WGRAD_COLS)
    g, og, cg = geo.g, geo.og, geo.cg
    (sh, sw), (ph, pw) = P.stride, P.padding
    if kh == 1 and kw == 1 and ph == 0 and pw == 0:
        xs = x if (sh, sw) == (1, 1) else np.ascontiguousarray(x[:, :, ::sh, ::sw][:, :, :ho, :wo])
        gw = np.matmul(gy.reshape(n, g, og, ho * wo), xs.reshape(n, g, cg, ho * wo).swapaxes(2, 3))
        return gw.sum(0).reshape(o, cg, 1, 1)
    xp = _padded(x, ph, pw)
    # Orientation: ``cols (K x L) @ grad^T (L x Og)`` is the faster GEMM in OpenBLAS; for wide layers
    # on small images (K*Og much larger than the columns) ``grad @ cols^T`` avoids transposing the
    # large (K x Og) result back.
    wide = og * geo.kg > 2000 * n * ho * wo
    acc = np.zeros((g, og, geo.kg) if wide else (g, geo.kg, og), dtype=x.dtype)
    tmp = np.empty_like(acc)
    buf = np.empty(geo.buf_size, dtype=x.dtype)
    for n0, nb, r0, r in geo.chunks:
        cols = _cols(xp, geo, n0, nb, r0, r, buf)
        if nb == 1:
            gch = gy[n0].reshape(g, og, ho * wo)[:, :, r0 * wo:(r0 + r) * wo]
        else:
            gch = gy[n0:n0 + nb].reshape(nb, g, og, ho * wo).transpose(1, 2, 0, 3).reshape(g, og, nb * ho * wo)
        if wide:
            np.matmul(gch, cols.swapaxes(1, 2), out=tmp)
        else:
            np.matmul(cols, gch.swapaxes(1, 2), out=tmp)
        acc += tmp
    if wide:
        return acc.reshape(o, cg, kh, kw)
    return _swap12(acc).reshape(o, cg, kh, kw)


def _as4d(a, nd):
    return a[:, :, None, :] if nd == 1 else a


def _from4d(a, nd):
    return a[:, :, 0, :] if nd == 1 else a


def _transposed_out_hw(x, w, P):
    (sh, sw), (ph, pw), (dh, dw) = P.stride, P.padding, P.dilation
    oph, opw = P.output_padding
    _, _, kh, kw = w.shape
    h = (x.shape[2] - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    wd = (x.shape[3] - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    return h, wd


# ==== differentiable ops ========================================================================
class ConvolutionBackward0(Node):
    __slots__ = ("params",)

    def backward(self, grad):
        x, w = self.saved
        mask = tuple(fn is not None for fn, _ in self.next_functions)
        if grad._data.dtype.kind == "c":  # bilinear: the gradients pair grad with the conjugated operands
            x, w = x.conj(), w.conj()
        return convolution_backward(grad, x, w, self.params, mask)


class ConvolutionBackwardBackward0(Node):
    """Second derivative of a convolution: the three gradients are bilinear in (grad, input, weight),
    so each of their derivatives is again a convolution or a convolution_backward."""

    __slots__ = ("params", "mask")

    num_outputs = 3

    def backward(self, grads):
        g, x, w = self.saved
        if g._data.dtype.kind == "c":  # bilinear in (g, x, w): pair with the conjugated operands
            g, x, w = g.conj(), x.conj(), w.conj()
        ggx, ggw, ggb = grads
        P = self.params
        mx, mw, mb = self.mask
        (fg, _), (fx, _), (fw, _) = self.next_functions
        rg = rx = rw = None
        if fg is not None:
            if mx:
                rg = conv_apply(ggx, w, None, P)
            if mw:
                t = conv_apply(x, ggw, None, P)
                rg = t if rg is None else rg + t
            if mb:
                shape = (1, -1) + (1,) * (g.ndim - 2)
                t = ggb.reshape(shape).expand(g.shape)
                rg = t if rg is None else rg + t
        if fx is not None and mw:
            rx = convolution_backward(g, x, ggw, P, (True, False, False))[0]
        if fw is not None and mx:
            rw = convolution_backward(g, ggx, w, P, (False, True, False))[1]
        return rg, rx, rw


def conv_apply(input, weight, bias, params):
    """The convolution primitive (``params``: a ``ConvParams``; arguments already validated)."""
    P = params
    nd = P.nd
    x, w = _as4d(input._data, nd), _as4d(weight._data, nd)
    b = None if bias is None else bias._data
    if P.transposed:
        h, wd = _transposed_out_hw(x, w, P)
        y = _conv_bwd_input(x, w, h, wd, P, b)
    else:
        y = _conv_fwd(x, w, P, b)
    out = wrap(_from4d(y, nd))
    if mode.enabled and (input._rg or weight._rg or (bias is not None and bias._rg)):
        node = ConvolutionBackward0(edge(input), edge(weight), edge(bias) if bias is not None else (None, 0))
        node.params = P
        node.save(input, weight)
        record(node, out, input, weight, bias)
    return out


def convolution_backward(grad, input, weight, params, mask):
    """``(grad_input, grad_weight, grad_bias)`` of ``conv_apply``; entries not in ``mask`` are None."""
    P = params
    nd = P.nd
    g, x, w = _as4d(grad._data, nd), _as4d(input._data, nd), _as4d(weight._data, nd)
    kh, kw = w.shape[2], w.shape[3]
    gx = gw = gb = None
    if mask[0]:
        if P.transposed:
            gx = _conv_fwd(g, w, P)
        else:
            gx = _conv_bwd_input(g, w, x.shape[2], x.shape[3], P)
        gx = wrap(_from4d(gx, nd))
    if mask[1]:
        gw = _conv_bwd_weight(g, x, kh, kw, P) if P.transposed else _conv_bwd_weight(x, g, kh, kw, P)
        gw = wrap(_from4d(gw.astype(w.dtype, copy=False), nd))
    if len(mask) > 2 and mask[2]:
        gb = wrap(g.sum(axis=(0, 2, 3)))
    if mode.enabled and (grad._rg or input._rg or weight._rg):
        node = ConvolutionBackwardBackward0(edge(grad), edge(input), edge(weight))
        node.params = P
        node.mask = (mask[0], mask[1], len(mask) > 2 and mask[2])
        node.save(grad, input, weight)
        nb = grad._data.shape[1]
        node.output_meta = [(input._data.shape, input._data.dtype), (weight._data.shape, weight._data.dtype),
                            ((nb,), grad._data.dtype)]
        for k, t in enumerate((gx, gw, gb)):
            if t is not None:
                attach(t, node)
                t._out_nr = k
    return gx, gw, gb


# ==== torch-level entry points (argument checking lives in nn.functional) =======================
def convolution(input, weight, bias, stride, padding, dilation, transposed, output_padding, groups):
    """``torch.convolution``: 1-D or 2-D, plain or transposed, with explicit hyper-parameters."""
    from ..nn.functional import conv as f
    nd = weight.dim() - 2
    if transposed:
        fn = f.conv_transpose1d if nd == 1 else f.conv_transpose2d
        return fn(input, weight, bias, stride, padding, output_padding, groups, dilation)
    fn = f.conv1d if nd == 1 else f.conv2d
    return fn(input, weight, bias, stride, padding, dilation, groups)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    from ..nn.functional.conv import conv1d as f
    return f(input, weight, bias, stride, padding, dilation, groups)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    from ..nn.functional.conv import conv2d as f
    return f(input, weight, bias, stride, padding, dilation, groups)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    from ..nn.functional.conv import conv_transpose1d as f
    return f(input, weight, bias, stride, padding, output_padding, groups, dilation)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    from ..nn.functional.conv import conv_transpose2d as f
    return f(input, weight, bias, stride, padding, output_padding, groups, dilation)


# ==== im2col / col2im (F.unfold / F.fold) =======================================================
class Im2ColBackward0(Node):
    __slots__ = ("hw", "args")

    def backward(self, grad):
        return col2im(grad, self.hw, *self.args)


class Col2ImBackward0(Node):
    __slots__ = ("args",)

    def backward(self, grad):
        return im2col(grad, *self.args)


def _unfold_np(x, kh, kw, P):
    n, c, h, w = x.shape
    (sh, sw), (ph, pw), (dh, dw) = P.stride, P.padding, P.dilation
    ho, wo = _out_size(h, kh, sh, ph, dh), _out_size(w, kw, sw, pw, dw)
    xp = _padded(x, ph, pw)
    s = xp.strides
    src = as_strided(xp, (n, c, kh, kw, ho, wo), (s[0], s[1], dh * s[2], dw * s[3], sh * s[2], sw * s[3]),
                     writeable=False)
    return np.ascontiguousarray(src).reshape(n, c * kh * kw, ho * wo)


def _fold_np(cols, h, w, kh, kw, P):
    n = cols.shape[0]
    c = cols.shape[1] // (kh * kw)
    (sh, sw), (ph, pw), (dh, dw) = P.stride, P.padding, P.dilation
    ho, wo = _out_size(h, kh, sh, ph, dh), _out_size(w, kw, sw, pw, dw)
    cols = cols.reshape(n, c, kh, kw, ho, wo)
    out = np.zeros((n, c, h + 2 * ph, w + 2 * pw), dtype=cols.dtype)
    he, we = sh * (ho - 1) + 1, sw * (wo - 1) + 1
    for i in range(kh):
        for j in range(kw):
            out[:, :, i * dh:i * dh + he:sh, j * dw:j * dw + we:sw] += cols[:, :, i, j]
    return out if ph == 0 and pw == 0 else np.ascontiguousarray(out[:, :, ph:ph + h, pw:pw + w])


def im2col(input, kernel_size, dilation, padding, stride):
    """(N, C, H, W) -> (N, C*kh*kw, L) sliding blocks (``F.unfold``); 2-tuples, already validated."""
    x = input._data
    P = ConvParams(stride, padding, dilation, False, (0, 0), 1, 2)
    cols = _unfold_np(x if x.ndim == 4 else x[None], kernel_size[0], kernel_size[1], P)
    out = wrap(cols if x.ndim == 4 else cols[0])
    if mode.enabled and input._rg:
        node = Im2ColBackward0(edge(input))
        node.hw = x.shape[-2:]
        node.args = (kernel_size, dilation, padding, stride)
        attach(out, node)
    return out


def col2im(input, output_size, kernel_size, dilation, padding, stride):
    """(N, C*kh*kw, L) -> (N, C, H, W), summing overlapping values (``F.fold``)."""
    P = ConvParams(stride, padding, dilation, False, (0, 0), 1, 2)
    cols = input._data
    img = _fold_np(cols if cols.ndim == 3 else cols[None], output_size[0], output_size[1], kernel_size[0],
                   kernel_size[1], P)
    out = wrap(img if cols.ndim == 3 else img[0])
    if mode.enabled and input._rg:
        node = Col2ImBackward0(edge(input))
        node.args = (kernel_size, dilation, padding, stride)
        attach(out, node)
    return out


# ==== padding ===================================================================================
class ConstantPadNdBackward0(Node):
    __slots__ = ("pad",)

    def backward(self, grad):
        return constant_pad_nd(grad, [-p for p in self.pad])


def constant_pad_nd(input, pad, value=0):
    """Pad the last ``len(pad)//2`` dims by ``(left, right)`` pairs, last dim first; negative
    entries crop."""
    x = input._data
    nd = len(pad) // 2
    sl = [slice(None)] * x.ndim
    widths = [(0, 0)] * x.ndim
    shape = list(x.shape)
    for k in range(nd):
        ax = x.ndim - 1 - k
        lo, hi = int(pad[2 * k]), int(pad[2 * k + 1])
        size = shape[ax] + lo + hi
        if size < 0:
            raise RuntimeError(
                f"The input size {shape[ax]}, plus negative padding {lo} and {hi} resulted in a negative "
                f"output size, which is invalid. Check dimension {ax} of your input.")
        sl[ax] = slice(max(-lo, 0), shape[ax] - max(-hi, 0))
        widths[ax] = (max(lo, 0), max(hi, 0))
        shape[ax] = size
    src = x[tuple(sl)]
    if any(w != (0, 0) for w in widths):
        data = np.full(shape, value, dtype=x.dtype)
        dst = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, src.shape))
        data[dst] = src
    else:
        data = src.copy()
    out = wrap(data)
    if mode.enabled and input._rg:
        node = ConstantPadNdBackward0(edge(input))
        node.pad = tuple(int(p) for p in pad)
        attach(out, node)
    return out
