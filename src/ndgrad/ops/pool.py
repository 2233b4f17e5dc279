"""Pooling and resampling: max/avg pooling, adaptive pooling, index padding and interpolation.

Window ops run as one vectorised pass per kernel offset over strided views of a padded input, never
a Python loop over pixels. NumPy's ufuncs are several times slower when the innermost axis is
strided, so for a horizontal stride ``s > 1`` the padded input is first split into its ``s`` column
phases (``xp[..., b::s]``, contiguous); every kernel offset is then a view with unit inner stride.

Backward passes are the adjoint loops (strided adds into the phases), recorded as ops themselves
(``MaxPool2DWithIndicesBackwardBackward0``, ``AvgPool2DBackwardBackward0``, ...), so derivatives of
any order work. Resampling that is linear and separable (bilinear/bicubic interpolation, adaptive
average pooling) is a small matrix applied along each spatial axis: a GEMM, with the transposed
matrices for the backward. Nearest-neighbour resampling and reflect/replicate/circular padding are
gathers along axes whose adjoint is a scatter-add (``np.add.at``, in output order like torch).
"""
import numpy as np

import os
import threading

from ._core import Node, wrap, edge, mode, attach

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "adaptive_avg_pool1d", "adaptive_max_pool1d",
           "pixel_shuffle", "pixel_unshuffle"]


# ==== threads ===================================================================================
# NumPy's ufuncs run on one core while torch spreads pooling and normalisation over its intra-op
# threads. They release the GIL, so independent slices (batch planes, channels) of these memory-bound
# kernels run in parallel on a small thread pool sized like the BLAS pool.
def _thread_count():
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        v = os.environ.get(var, "")
        if v.isdigit():
            return max(int(v), 1)
    return min(os.cpu_count() or 1, 8)


_THREADS = _thread_count()
_PAR_MIN = 1 << 18          # elements: below this, splitting costs more than it saves
_pool = None
_pool_lock = threading.Lock()


def _reset_after_fork():
    # a forked child (DataLoader workers) inherits the executor but not its threads
    global _pool, _pool_lock
    _pool = None
    _pool_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


def parallel_for(fn, n, size):
    """Call ``fn(start, stop)`` on contiguous parts of ``range(n)``, in parallel when the work
    (``size`` elements) is large and more than one thread is configured. Returns nothing."""
    parts = min(_THREADS, n)
    if parts <= 1 or size < _PAR_MIN:
        fn(0, n)
        return
    global _pool
    if _pool is None:
        with _pool_lock:
            if _pool is None:
                from concurrent.futures import ThreadPoolExecutor
                _pool = ThreadPoolExecutor(_THREADS - 1, thread_name_prefix="ndgrad")
    bounds = [n * i // parts for i in range(parts + 1)]
    futures = [_pool.submit(fn, bounds[i], bounds[i + 1]) for i in range(1, parts)]
    fn(bounds[0], bounds[1])
    for f in futures:
        f.result()


# ==== window geometry ===========================================================================
def pool_out_size(n, k, s, p, d, ceil_mode):
    """torch's pooling_output_shape (the last window must start inside the input or left padding)."""
    num = n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
    out = num // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1
    return out


class PoolGeometry:
    """A 2-D pooling window: kernel, stride, padding, dilation (pairs) and the in/out sizes."""

    __slots__ = ("kernel", "stride", "padding", "dilation", "h", "w", "ho", "wo", "hx", "wx")

    def __init__(self, h, w, kernel, stride, padding, dilation, ceil_mode):
        self.kernel, self.stride, self.padding, self.dilation = kernel, stride, padding, dilation
        self.h, self.w = h, w
        self.ho = pool_out_size(h, kernel[0], stride[0], padding[0], dilation[0], ceil_mode)
        self.wo = pool_out_size(w, kernel[1], stride[1], padding[1], dilation[1], ceil_mode)
        # extent of the padded input the windows touch (ceil mode may reach past the padding)
        self.hx = max(padding[0] + h, (self.ho - 1) * stride[0] + dilation[0] * (kernel[0] - 1) + 1)
        self.wx = max(padding[1] + w, (self.wo - 1) * stride[1] + dilation[1] * (kernel[1] - 1) + 1)

    def pad(self, x, fill):
        n, c = x.shape[:2]
        ph, pw = self.padding
        if ph == 0 and pw == 0 and self.hx == self.h and self.wx == self.w:
            return x
        xp = np.full((n, c, self.hx, self.wx), fill, dtype=x.dtype)
        xp[:, :, ph:ph + self.h, pw:pw + self.w] = x
        return xp

    def crop(self, gp):
        ph, pw = self.padding
        if gp.shape[2] == self.h and gp.shape[3] == self.w:
            return gp
        return np.ascontiguousarray(gp[:, :, ph:ph + self.h, pw:pw + self.w])

    def phases(self, xp):
        """The column phases of a padded array (itself when the horizontal stride is 1)."""
        sw = self.stride[1]
        if sw == 1:
            return [xp]
        used = {(j * self.dilation[1]) % sw for j in range(self.kernel[1])}
        return [np.ascontiguousarray(xp[..., b::sw]) if b in used else None for b in range(sw)]

    def views(self, phases):
        """``(k, view)`` for each kernel offset in row-major order: (N, C, Ho, Wo) views."""
        (kh, kw), (sh, sw), (dh, dw) = self.kernel, self.stride, self.dilation
        he = sh * (self.ho - 1) + 1
        k = 0
        for i in range(kh):
            for j in range(kw):
                col = j * dw
                ph = phases[col % sw]
                c0 = col // sw
                yield k, ph[:, :, i * dh:i * dh + he:sh, c0:c0 + self.wo]
                k += 1

    def zero_phases(self, n, c, dtype):
        sw = self.stride[1]
        if sw == 1:
            return [np.zeros((n, c, self.hx, self.wx), dtype=dtype)]
        return [np.zeros((n, c, self.hx, len(range(b, self.wx, sw))), dtype=dtype) for b in range(sw)]

    def assemble(self, phases):
        """Interleave gradient phases back into the padded layout and crop the padding."""
        sw = self.stride[1]
        if sw == 1:
            return self.crop(phases[0])
        n, c = phases[0].shape[:2]
        gp = np.empty((n, c, self.hx, self.wx), dtype=phases[0].dtype)
        for b, ph in enumerate(phases):
            gp[..., b::sw] = ph
        return self.crop(gp)


def _as4d(x):
    """Any leading dims collapsed into one batch axis: (B, 1, H, W) (pooling is per plane)."""
    return x.reshape((-1, 1) + x.shape[-2:])


def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


# ==== max pooling ===============================================================================
class MaxPool2DWithIndicesBackward0(Node):
    __slots__ = ("geo", "arg")

    def backward(self, grad):
        return _max_scatter(grad, self.arg, self.geo)


class MaxPool2DWithIndicesBackwardBackward0(Node):
    __slots__ = ("geo", "arg")

    def backward(self, grad):
        return _max_gather(grad, self.arg, self.geo)


def max_pool2d_apply(input, geo, return_indices=False):
    """Max over each window of a 4-D input; the node keeps only the winning kernel offset per
    output (uint8), not the input."""
    x = input._data
    lead = x.shape[:-2]
    x = _as4d(x)
    nk = geo.kernel[0] * geo.kernel[1]
    need_arg = return_indices or (mode.enabled and input._rg)
    adt = np.uint8 if nk <= 256 else np.int32
    out = np.empty((x.shape[0], 1, geo.ho, geo.wo), dtype=x.dtype)
    arg = np.empty(out.shape, dtype=adt) if need_arg else None

    def part(a, b):
        xs = x[a:b]
        nan = xs.dtype.kind == "f" and bool(np.isnan(xs).any())
        views = geo.views(geo.phases(geo.pad(xs, _lowest(xs.dtype))))
        o = out[a:b]
        _, v0 = next(views)
        np.copyto(o, v0)
        if arg is not None:
            ar = arg[a:b]
            ar[...] = 0
            mask = np.empty(o.shape, dtype=bool)
            step = np.empty(o.shape, dtype=adt)
        for k, v in views:
            # torch takes a value when it is greater than the running maximum (or NaN): the first
            # maximum wins ties. Branch-free updates: a masked copy with a random mask is ~10x slower.
            if arg is not None:
                np.greater(v, o, out=mask)
                if nan:
                    mask |= np.isnan(v)
                # offsets come in increasing order, so "set to k where mask" is a maximum with k*mask
                np.multiply(mask, adt(k), out=step)
                np.maximum(ar, step, out=ar)
            np.maximum(o, v, out=o)

    parallel_for(part, x.shape[0], x.size)
    res = wrap(out.reshape(lead + out.shape[2:]))
    if mode.enabled and input._rg:
        node = MaxPool2DWithIndicesBackward0(edge(input))
        node.geo = geo
        node.arg = arg
        attach(res, node)
    if return_indices:
        return res, wrap(_flat_indices(arg, geo).reshape(res._data.shape))
    return res


def _flat_indices(arg, geo):
    """torch's indices: the position of each maximum in its (H*W) input plane."""
    kw = geo.kernel[1]
    (sh, sw), (ph, pw), (dh, dw) = geo.stride, geo.padding, geo.dilation
    ki, kj = np.divmod(arg.astype(np.int64), kw)
    rows = (np.arange(geo.ho, dtype=np.int64) * sh - ph)[:, None] + ki * dh
    cols = np.arange(geo.wo, dtype=np.int64) * sw - pw + kj * dw
    return rows * geo.w + cols


def _max_scatter(grad, arg, geo):
    """Send each output gradient to its window's maximum (summing where windows overlap)."""
    g = grad._data
    lead = g.shape[:-2]
    g = _as4d(g)
    gin = np.empty((g.shape[0], 1, geo.h, geo.w), dtype=g.dtype)

    def part(a, b):
        gs, ar = g[a:b], arg[a:b]
        phases = geo.zero_phases(b - a, 1, g.dtype)
        mask = np.empty(gs.shape, dtype=bool)
        tmp = np.empty_like(gs)
        for k, v in geo.views(phases):
            np.equal(ar, k, out=mask)
            np.multiply(gs, mask, out=tmp)
            v += tmp
        gin[a:b] = geo.assemble(phases)

    parallel_for(part, g.shape[0], gin.size)
    out = wrap(gin.reshape(lead + (geo.h, geo.w)))
    if mode.enabled and grad._rg:
        node = MaxPool2DWithIndicesBackwardBackward0(edge(grad))
        node.geo = geo
        node.arg = arg
        attach(out, node)
    return out


def _max_gather(gg, arg, geo):
    """Adjoint of ``_max_scatter``: read each output's maximum position from ``gg``."""
    d = gg._data
    lead = d.shape[:-2]
    out = np.zeros(arg.shape, dtype=d.dtype)
    for k, v in geo.views(geo.phases(geo.pad(_as4d(d), 0))):
        np.copyto(out, v, where=arg == k)
    res = wrap(out.reshape(lead + out.shape[2:]))
    if mode.enabled and gg._rg:
        node = MaxPool2DWithIndicesBackward0(edge(gg))
        node.geo = geo
        node.arg = arg
        attach(res, node)
    return res


# ==== average pooling ===========================================================================
class AvgPool2DBackward0(Node):
    __slots__ = ("geo", "div")

    def backward(self, grad):
        return _avg_spread(grad, self.geo, self.div)


class AvgPool2DBackwardBackward0(Node):
    __slots__ = ("geo", "div")

    def backward(self, grad):
        return _avg_sum(grad, self.geo, self.div)


def _avg_divisor(geo, ceil_mode, count_include_pad, divisor_override, dtype):
    """torch's divisor per output position (separable: rows x columns), or the override."""
    if divisor_override:
        return dtype.type(divisor_override)
    sizes = []
    for n, no, k, s, p in ((geo.h, geo.ho, geo.kernel[0], geo.stride[0], geo.padding[0]),
                           (geo.w, geo.wo, geo.kernel[1], geo.stride[1], geo.padding[1])):
        start = np.arange(no) * s - p
        end = np.minimum(start + k, n + p)
        size = end - start
        if not count_include_pad:
            size = np.minimum(end, n) - np.maximum(start, 0)
        sizes.append(np.maximum(size, 1))
    return (sizes[0][:, None] * sizes[1][None, :]).astype(dtype)


def avg_pool2d_apply(input, geo, ceil_mode, count_include_pad, divisor_override):
    x = input._data
    div = _avg_divisor(geo, ceil_mode, count_include_pad, divisor_override, x.dtype)
    res = wrap(_avg_sum_np(x, geo, div))
    if mode.enabled and input._rg:
        node = AvgPool2DBackward0(edge(input))
        node.geo = geo
        node.div = div
        attach(res, node)
    return res


def _avg_sum_np(x, geo, div):
    lead = x.shape[:-2]
    x = _as4d(x)
    out = np.empty((x.shape[0], 1, geo.ho, geo.wo), dtype=x.dtype)

    def part(a, b):
        o = out[a:b]
        views = geo.views(geo.phases(geo.pad(x[a:b], 0)))
        _, v0 = next(views)
        np.copyto(o, v0)
        for _, v in views:
            o += v
        if o.dtype.kind == "f":
            o /= div
        else:  # integer pooling divides with truncation, as torch's integer kernels do
            o[...] = np.sign(o) * (np.abs(o) // div)

    parallel_for(part, x.shape[0], x.size)
    return out.reshape(lead + out.shape[2:])


def _avg_sum(gg, geo, div):
    res = wrap(_avg_sum_np(gg._data, geo, div))
    if mode.enabled and gg._rg:
        node = AvgPool2DBackward0(edge(gg))
        node.geo = geo
        node.div = div
        attach(res, node)
    return res


def _avg_spread(grad, geo, div):
    lead = grad._data.shape[:-2]
    g = _as4d(grad._data)
    gin = np.empty((g.shape[0], 1, geo.h, geo.w), dtype=g.dtype)

    def part(a, b):
        gs = g[a:b] / div
        phases = geo.zero_phases(b - a, 1, g.dtype)
        for _, v in geo.views(phases):
            v += gs
        gin[a:b] = geo.assemble(phases)

    parallel_for(part, g.shape[0], gin.size)
    out = wrap(gin.reshape(lead + (geo.h, geo.w)))
    if mode.enabled and grad._rg:
        node = AvgPool2DBackwardBackward0(edge(grad))
        node.geo = geo
        node.div = div
        attach(out, node)
    return out


# ==== adaptive max pooling ======================================================================
def adaptive_windows(n, no):
    """torch's adaptive window bounds: [floor(i*n/no), ceil((i+1)*n/no))."""
    i = np.arange(no)
    return (i * n) // no, -((-(i + 1) * n) // no)


class AdaptiveMaxPool2DBackward0(Node):
    __slots__ = ("idx", "in_shape")

    def backward(self, grad):
        return _index_scatter(grad, self.idx, self.in_shape, AdaptiveMaxPool2DBackwardBackward0)


class AdaptiveMaxPool2DBackwardBackward0(Node):
    __slots__ = ("idx", "in_shape")

    def backward(self, grad):
        return _index_gather(grad, self.idx, self.in_shape, AdaptiveMaxPool2DBackward0)


def adaptive_max_pool2d_apply(input, output_size, return_indices=False):
    """Max over torch's adaptive windows of a 4-D input; one pass per offset within the largest window."""
    x = input._data
    in_shape = x.shape
    x = _as4d(x)
    n, c, h, w = x.shape
    ho, wo = output_size
    hs, he = adaptive_windows(h, ho)
    ws, we = adaptive_windows(w, wo)
    kh, kw = int((he - hs).max(initial=0)), int((we - ws).max(initial=0))
    nan = x.dtype.kind == "f" and bool(np.isnan(x).any())
    out = idx = None
    mask = np.empty((n, c, ho, wo), dtype=bool)
    for a in range(kh):
        rows = np.minimum(hs + a, he - 1)       # short windows repeat their last row: no effect on max
        xr = x[:, :, rows]
        for b in range(kw):
            cols = np.minimum(ws + b, we - 1)
            v = xr[:, :, :, cols]
            pos = rows[:, None] * w + cols[None, :]
            if out is None:
                out = v
                idx = np.broadcast_to(pos, v.shape).copy()
                continue
            np.greater(v, out, out=mask)
            if nan:
                mask |= np.isnan(v)
            np.copyto(out, v, where=mask)
            np.copyto(idx, pos, where=mask)
    if out is None:
        out = np.empty((n, c, ho, wo), dtype=x.dtype)
        idx = np.zeros((n, c, ho, wo), dtype=np.int64)
    out_shape = in_shape[:-2] + (ho, wo)
    idx = idx.reshape(out_shape)
    res = wrap(out.reshape(out_shape))
    if mode.enabled and input._rg:
        node = AdaptiveMaxPool2DBackward0(edge(input))
        node.idx = idx
        node.in_shape = in_shape
        attach(res, node)
    return (res, wrap(idx)) if return_indices else res


def _plane_flat(idx, in_shape):
    h, w = in_shape[-2:]
    planes = idx.size // max(idx.shape[-1] * idx.shape[-2], 1)
    offs = (np.arange(planes, dtype=np.int64) * (h * w)).reshape(idx.shape[:-2] + (1, 1))
    return (idx + offs).ravel()


def _index_scatter(grad, idx, in_shape, node_cls):
    """Add each output gradient at its recorded input position (plane-flat ``idx``)."""
    g = grad._data
    acc = np.zeros(int(np.prod(in_shape)), dtype=g.dtype)
    np.add.at(acc, _plane_flat(idx, in_shape), g.ravel())
    out = wrap(acc.reshape(in_shape))
    if mode.enabled and grad._rg:
        node = node_cls(edge(grad))
        node.idx = idx
        node.in_shape = in_shape
        attach(out, node)
    return out


def _index_gather(gg, idx, in_shape, node_cls):
    d = gg._data
    out = wrap(d.reshape(-1)[_plane_flat(idx, in_shape)].reshape(idx.shape))
    if mode.enabled and gg._rg:
        node = node_cls(edge(gg))
        node.idx = idx
        node.in_shape = in_shape
        attach(out, node)
    return out


# ==== gathers along axes (nearest resampling, reflect/replicate/circular padding) ===============
class _AxisGatherBackward(Node):
    """Backward of a gather along axes: scatter-add back (the next class is its own backward)."""

    __slots__ = ("indices", "in_shape", "pair")

    def backward(self, grad):
        return axis_scatter(grad, self.indices, self.in_shape, self.pair)


class _AxisScatterBackward(Node):
    __slots__ = ("indices", "in_shape", "pair")

    def backward(self, grad):
        return axis_gather(grad, self.indices, self.pair)


def node_pair(name):
    """Node classes named like torch's for a gather op and for its backward op."""
    return (type(f"{name}Backward0", (_AxisGatherBackward,), {"__slots__": ()}),
            type(f"{name}BackwardBackward0", (_AxisScatterBackward,), {"__slots__": ()}))


def axis_gather(input, indices, pair):
    """``input`` gathered along axes: ``indices`` is ``((axis, index array), ...)``."""
    x = input._data
    data = x
    for ax, idx in indices:
        data = np.take(data, idx, axis=ax)
    out = wrap(np.ascontiguousarray(data))
    if mode.enabled and input._rg:
        node = pair[0](edge(input))
        node.indices = indices
        node.in_shape = x.shape
        node.pair = pair
        attach(out, node)
    return out


def axis_scatter(grad, indices, in_shape, pair):
    """Adjoint of ``axis_gather``: gradient entries taken from the same source are summed, in output
    order (as torch's backward kernels accumulate)."""
    g = grad._data
    for ax, idx in reversed(indices):
        shape = list(g.shape)
        shape[ax] = in_shape[ax]
        acc = np.zeros(shape, dtype=g.dtype)
        np.add.at(np.moveaxis(acc, ax, 0), idx, np.moveaxis(g, ax, 0))
        g = acc
    out = wrap(g)
    if mode.enabled and grad._rg:
        node = pair[1](edge(grad))
        node.indices = indices
        node.in_shape = in_shape
        node.pair = pair
        attach(out, node)
    return out


_PAD_PAIRS = {}


def index_pad(input, pad, mode_):
    """Reflect / replicate / circular padding of the last ``len(pad)//2`` dims (validated)."""
    x = input._data
    nd = len(pad) // 2
    npmode = {"reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode_]
    indices = []
    for k in range(nd):
        ax = x.ndim - 1 - k
        lo, hi = int(pad[2 * k]), int(pad[2 * k + 1])
        idx = np.arange(x.shape[ax])
        if lo < 0 or hi < 0:
            idx = idx[max(-lo, 0):x.shape[ax] - max(-hi, 0)]
        indices.append((ax, np.pad(idx, (max(lo, 0), max(hi, 0)), mode=npmode)))
    indices = tuple(sorted(indices))
    key = (mode_, nd)
    pair = _PAD_PAIRS.get(key)
    if pair is None:
        if mode_ == "circular":
            pair = _PAD_PAIRS[key] = node_pair("Copy")  # torch builds circular padding from slices
            pair[0].__name__ = pair[0].__qualname__ = "CopySlices"
        else:
            pair = _PAD_PAIRS[key] = node_pair(
                f"{'ReflectionPad' if mode_ == 'reflect' else 'ReplicationPad'}{nd}D")
    return axis_gather(input, indices, pair)


# ==== separable linear resampling (interpolation, adaptive average pooling) =====================
class _SeparableBackward(Node):
    __slots__ = ("mats", "pair")

    def backward(self, grad):
        return separable(grad, tuple((ax, a.T) for ax, a in self.mats), (self.pair[1], self.pair[0]))


def separable_pair(name):
    return (type(f"{name}Backward0", (_SeparableBackward,), {"__slots__": ()}),
            type(f"{name}BackwardBackward0", (_SeparableBackward,), {"__slots__": ()}))


def _apply_axis(y, ax, a):
    """Multiply axis ``ax`` (negative) of ``y`` by the matrix ``a`` (out x in): one GEMM."""
    if ax == -1:
        return np.matmul(y, a.T)
    shape = y.shape
    nd = y.ndim
    axp = nd + ax
    rest = 1
    for s in shape[axp + 1:]:
        rest *= s
    r = np.matmul(a, y.reshape(shape[:axp] + (shape[axp], rest)))
    return r.reshape(shape[:axp] + (a.shape[0],) + shape[axp + 1:])


def separable(input, mats, pair):
    """Apply ``(axis, matrix)`` maps along spatial axes of ``input``; differentiable (the backward
    applies the transposed matrices)."""
    y = input._data
    for ax, a in mats:
        y = _apply_axis(y, ax, a.astype(y.dtype, copy=False))
    out = wrap(np.ascontiguousarray(y))
    if mode.enabled and input._rg:
        node = pair[0](edge(input))
        node.mats = mats
        node.pair = pair
        attach(out, node)
    return out


def adaptive_avg_matrix(n, no, dtype):
    """Row ``i`` averages torch's adaptive window ``i``."""
    s, e = adaptive_windows(n, no)
    cols = np.arange(n)
    m = ((cols[None, :] >= s[:, None]) & (cols[None, :] < e[:, None])).astype(dtype)
    return m / (e - s).astype(dtype)[:, None]


# -- interpolation weights (torch's UpSample.h index arithmetic, in the input's precision) -------
def _scale(n_in, n_out, align_corners, scale, dt):
    if align_corners:
        return dt((n_in - 1) / (n_out - 1)) if n_out > 1 else dt(0)
    if scale is not None and scale > 0:
        return dt(1.0 / scale)
    return dt(n_in / n_out)


def nearest_indices(n_in, n_out, scale, exact):
    """Source index per output position for 'nearest' (floor) and 'nearest-exact' (round half up)."""
    o = np.arange(n_out)
    if not exact:
        if n_out == n_in:
            return o
        if n_out == 2 * n_in:
            return o >> 1
    s = _scale(n_in, n_out, False, scale, np.float32)
    pos = ((o.astype(np.float32) + np.float32(0.5)) * s) if exact else (o.astype(np.float32) * s)
    return np.minimum(np.floor(pos).astype(np.int64), n_in - 1)


# Antialiased resampling (torch's ``_upsample_*_aa``, PIL's algorithm): when shrinking, the filter is
# stretched by the scale so every input pixel contributes; each row is normalised to sum to 1.
def _aa_triangle(x):
    return np.where(x < 1.0, 1.0 - x, 0.0)


def _aa_cubic(x):
    a = -0.5   # PIL's bicubic (the plain bicubic mode uses -0.75)
    return np.where(x < 1.0, ((a + 2) * x - (a + 3)) * x * x + 1,
                    np.where(x < 2.0, ((a * x - 5 * a) * x + 8 * a) * x - 4 * a, 0.0))


def _aa_lanczos(x):
    return np.where(x < 3.0, np.sinc(x) * np.sinc(x / 3.0), 0.0)


_AA_FILTERS = {"bilinear": (_aa_triangle, 2), "bicubic": (_aa_cubic, 4), "lanczos": (_aa_lanczos, 6)}


def antialias_matrix(n_in, n_out, mode, align_corners=False, scale=None, dtype=np.float64):
    """(n_out, n_in) weights of antialiased ``mode`` resampling (bilinear, bicubic, lanczos)."""
    filt, interp_size = _AA_FILTERS[mode]
    s = float(_scale(n_in, n_out, align_corners, scale, np.float64))
    support = interp_size * 0.5 * s if s >= 1.0 else interp_size * 0.5
    invscale = 1.0 / s if s >= 1.0 else 1.0
    m = np.zeros((n_out, n_in))
    for i in range(n_out):
        center = s * (i + 0.5)
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), n_in)
        w = filt(np.abs((np.arange(lo, hi) - center + 0.5) * invscale))
        total = w.sum()
        m[i, lo:hi] = w / total if total != 0 else w
    return m.astype(dtype, copy=False)


def linear_matrix(n_in, n_out, align_corners, scale, dtype):
    dt = np.dtype(dtype).type
    m = np.zeros((n_out, n_in), dtype=dtype)
    o = np.arange(n_out)
    if n_in == n_out:
        m[o, o] = 1
        return m
    s = _scale(n_in, n_out, align_corners, scale, dt)
    if align_corners:
        src = s * o.astype(dtype)
    else:
        src = np.maximum(s * (o.astype(dtype) + dt(0.5)) - dt(0.5), dt(0))
    i0 = src.astype(np.int64)
    i1 = i0 + (i0 < n_in - 1)
    l1 = np.clip(src - i0.astype(dtype), 0, 1).astype(dtype)
    np.add.at(m, (o, i0), dt(1) - l1)
    np.add.at(m, (o, i1), l1)
    return m


def cubic_matrix(n_in, n_out, align_corners, scale, dtype):
    dt = np.dtype(dtype).type
    a = dt(-0.75)
    m = np.zeros((n_out, n_in), dtype=dtype)
    o = np.arange(n_out)
    if n_in == n_out:
        m[o, o] = 1
        return m
    s = _scale(n_in, n_out, align_corners, scale, dt)
    src = s * o.astype(dtype) if align_corners else s * (o.astype(dtype) + dt(0.5)) - dt(0.5)
    i = np.floor(src)
    t = (src - i).astype(dtype)

    def cc1(x):
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def cc2(x):
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    one = dt(1)
    coeffs = (cc2(t + one), cc1(t), cc1(one - t), cc2((one - t) + one))
    base = i.astype(np.int64) - 1
    for k in range(4):
        np.add.at(m, (o, np.clip(base + k, 0, n_in - 1)), coeffs[k])
    return m


# ==== pixel shuffle =============================================================================
class PixelShuffleBackward0(Node):
    __slots__ = ("r",)

    def backward(self, grad):
        return unshuffle_pixels(grad, self.r)


class PixelUnshuffleBackward0(Node):
    __slots__ = ("r",)

    def backward(self, grad):
        return shuffle_pixels(grad, self.r)


def _shuffle(input, r, up, node_cls):
    x = input._data
    lead = x.shape[:-3]
    c, h, w = x.shape[-3:]
    nl = len(lead)
    if up:
        v = x.reshape(lead + (c // (r * r), r, r, h, w))
        perm = tuple(range(nl)) + (nl, nl + 3, nl + 1, nl + 4, nl + 2)
        shape = lead + (c // (r * r), h * r, w * r)
    else:
        v = x.reshape(lead + (c, h // r, r, w // r, r))
        perm = tuple(range(nl)) + (nl, nl + 2, nl + 4, nl + 1, nl + 3)
        shape = lead + (c * r * r, h // r, w // r)
    out = wrap(np.ascontiguousarray(v.transpose(perm)).reshape(shape))
    if mode.enabled and input._rg:
        node = node_cls(edge(input))
        node.r = r
        attach(out, node)
    return out


def shuffle_pixels(input, r):
    """``(*, C*r*r, H, W) -> (*, C, H*r, W*r)`` (validated by the caller)."""
    return _shuffle(input, r, True, PixelShuffleBackward0)


def unshuffle_pixels(input, r):
    """``(*, C, H*r, W*r) -> (*, C*r*r, H, W)`` (validated by the caller)."""
    return _shuffle(input, r, False, PixelUnshuffleBackward0)


# ==== torch-level entry points (torch.max_pool2d, ...; checks live in nn.functional) ============
def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    from ..nn.functional.pooling import max_pool1d as f
    return f(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    from ..nn.functional.pooling import max_pool2d as f
    return f(input, kernel_size, stride or None, padding, dilation, ceil_mode)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    from ..nn.functional.pooling import avg_pool1d as f
    return f(input, kernel_size, stride, padding, ceil_mode, count_include_pad)


def adaptive_avg_pool1d(input, output_size):
    from ..nn.functional.pooling import adaptive_avg_pool1d as f
    return f(input, output_size)


def adaptive_max_pool1d(input, output_size):
    """Returns ``(values, indices)`` like ``torch.adaptive_max_pool1d``."""
    from ..nn.functional.pooling import adaptive_max_pool1d as f
    return f(input, output_size, return_indices=True)


def pixel_shuffle(input, upscale_factor):
    from ..nn.functional.vision import pixel_shuffle as f
    return f(input, upscale_factor)


def pixel_unshuffle(input, downscale_factor):
    from ..nn.functional.vision import pixel_unshuffle as f
    return f(input, downscale_factor)

