"""Pooling: max, average and adaptive pooling in 1-D and 2-D (argument checks with torch's messages;
the window arithmetic is in ``ndgrad.ops.pool``).

1-D pooling runs as the 2-D op on a height-1 view, as in torch (so its ``grad_fn`` is the
``SqueezeBackward1`` of that view).

Example:
    >>> x = ndgrad.randn(1, 3, 8, 8, requires_grad=True)
    >>> y, idx = F.max_pool2d(x, 2, return_indices=True)
    >>> y.shape, idx.dtype
    (torch.Size([1, 3, 4, 4]), torch.int64)
"""
import numpy as np

from ...ops import pool as _pool
from ...ops.pool import PoolGeometry

__all__ = ["max_pool1d", "max_pool2d", "max_pool1d_with_indices", "max_pool2d_with_indices", "avg_pool1d",
           "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d", "adaptive_max_pool1d",
           "adaptive_max_pool2d", "adaptive_max_pool1d_with_indices", "adaptive_max_pool2d_with_indices",
           "fractional_max_pool2d", "fractional_max_pool2d_with_indices", "fractional_max_pool3d",
           "fractional_max_pool3d_with_indices"]


def _pair(v, fn, what, allow_none=False):
    if v is None and allow_none:
        return None
    if isinstance(v, (tuple, list)):
        if len(v) == 1:
            return (int(v[0]),) * 2
        if len(v) != 2:
            tail = "either be omitted, a single int, or a tuple of two ints" if allow_none else \
                "either be a single int, or a tuple of two ints"
            raise RuntimeError(f"{fn}: {what} must {tail}")
        return (int(v[0]), int(v[1]))
    return (int(v),) * 2


def _single(v, fn, what):
    if isinstance(v, (tuple, list)):
        if len(v) != 1:
            raise RuntimeError(f"{fn}() {what} must be a single int, or a tuple of one int")
        return int(v[0])
    return int(v)


def _check_2d(input, k, s, p, d, fn):
    if s[0] == 0 or s[1] == 0:
        raise RuntimeError("stride should not be zero")
    if input.dim() not in (3, 4):
        if fn == "avg_pool2d" and input.dim() < 3:
            raise IndexError(f"Dimension out of range (expected to be in range of [-{max(input.dim(), 1)}, "
                             f"{max(input.dim(), 1) - 1}], but got -3)")
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    if k[0] <= 0 or k[1] <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {k[0]} kW: {k[1]}")
    if s[0] < 0 or s[1] < 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {s[0]} dW: {s[1]}")
    if d[0] <= 0 or d[1] <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {d[0]} dilationW: {d[1]}")
    if p[0] < 0 or p[1] < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(p)}")
    for kk, pp, dd in zip(k, p, d):
        if pp > ((kk - 1) * dd + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={pp}, "
                               f"kernel_size={kk} and dilation={dd}")
    shape = list(input.shape)
    if shape[-3] == 0 or shape[-2] == 0 or shape[-1] == 0:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, "
                           f"but got:{shape}")


def _geometry(input, k, s, p, d, ceil_mode):
    h, w = input.shape[-2], input.shape[-1]
    geo = PoolGeometry(h, w, k, s, p, d, ceil_mode)
    if geo.ho < 1 or geo.wo < 1:
        raise RuntimeError(f"Given input size: ({input.shape[-3]}x{h}x{w}). Calculated output size: "
                           f"({input.shape[-3]}x{geo.ho}x{geo.wo}). Output size is too small")
    return geo


def max_pool2d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    k = _pair(kernel_size, "max_pool2d", "kernel_size")
    s = _pair(stride, "max_pool2d", "stride", allow_none=True) or k
    if isinstance(stride, (tuple, list)) and len(stride) == 0:
        s = k
    p = _pair(padding, "max_pool2d", "padding")
    d = _pair(dilation, "max_pool2d", "dilation")
    _check_2d(input, k, s, p, d, "max_pool2d")
    geo = _geometry(input, k, s, p, d, ceil_mode)
    return _pool.max_pool2d_apply(input, geo, return_indices)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """2-D max pooling over ``(N, C, H, W)`` or ``(C, H, W)``; ``stride`` defaults to ``kernel_size``.

    With ``return_indices`` also returns the position of each maximum in its flattened ``H*W`` plane.

    Example:
        >>> F.max_pool2d(ndgrad.randn(1, 1, 5, 5), 3, stride=2, padding=1).shape
        torch.Size([1, 1, 3, 3])
    """
    return max_pool2d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _check_1d_max(input, k, s, p, d):
    if input.dim() not in (2, 3) or any(n == 0 for n in input.shape[-2 if input.dim() > 1 else -1:]):
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{list(input.shape)}")
    if k <= 0:
        raise RuntimeError(f"max_pool1d() kernel_size must be greater than zero, but got {k}")
    if s <= 0:
        raise RuntimeError(f"max_pool1d() stride must be greater than zero, but got {s}")
    if p < 0:
        raise RuntimeError(f"max_pool1d() padding must be non-negative, but got {p}")
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding={p} and "
                           f"kernel_size={k}")
    if d <= 0:
        raise RuntimeError(f"max_pool1d() dilation must be greater than zero, but got {d}")


def max_pool1d_with_indices(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                            return_indices=True):
    k = _single(kernel_size, "max_pool1d", "kernel_size")
    s = k if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else \
        _single(stride, "max_pool1d", "stride")
    p = _single(padding, "max_pool1d", "padding")
    d = _single(dilation, "max_pool1d", "dilation")
    _check_1d_max(input, k, s, p, d)
    lo = _pool.pool_out_size(input.shape[-1], k, s, p, d, ceil_mode)
    if lo <= 0:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {lo}")
    x2 = input.unsqueeze(-2)
    geo = _geometry(x2, (1, k), (1, s), (0, p), (1, d), ceil_mode)
    r = _pool.max_pool2d_apply(x2, geo, return_indices)
    if return_indices:
        return r[0].squeeze(-2), r[1].squeeze(-2)
    return r.squeeze(-2)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """1-D max pooling over ``(N, C, L)`` or ``(C, L)``.

    Example:
        >>> F.max_pool1d(ndgrad.arange(6.).view(1, 1, 6), 2)
        tensor([[[1., 3., 5.]]])
    """
    return max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices)


def _avg_common(input, k, s, p, ceil_mode, count_include_pad, divisor_override, fn):
    d = (1, 1)
    _check_2d(input, k, s, p, d, fn)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    geo = _geometry(input, k, s, p, d, ceil_mode)
    return _pool.avg_pool2d_apply(input, geo, ceil_mode, count_include_pad, divisor_override)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """2-D average pooling; ``count_include_pad`` counts zero padding in the divisor, and
    ``divisor_override`` replaces the divisor altogether.

    Example:
        >>> F.avg_pool2d(ndgrad.ones(1, 1, 4, 4), 2)
        tensor([[[[1., 1.],
                  [1., 1.]]]])
    """
    k = _pair(kernel_size, "avg_pool2d", "kernel_size")
    s = _pair(stride, "avg_pool2d", "stride", allow_none=True) or k
    if isinstance(stride, (tuple, list)) and len(stride) == 0:
        s = k
    p = _pair(padding, "avg_pool2d", "padding")
    return _avg_common(input, k, s, p, ceil_mode, count_include_pad, divisor_override, "avg_pool2d")


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """1-D average pooling over ``(N, C, L)`` or ``(C, L)``.

    Example:
        >>> F.avg_pool1d(ndgrad.arange(4.).view(1, 1, 4), 2)
        tensor([[[0.5000, 2.5000]]])
    """
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for argument #1 "
                           "'self' (while checking arguments for avg_pool1d)")
    k = _single(kernel_size, "avg_pool1d", "kernel_size")
    s = k if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) else \
        _single(stride, "avg_pool1d", "stride")
    p = _single(padding, "avg_pool1d", "padding")
    x2 = input.unsqueeze(-2)
    return _avg_common(x2, (1, k), (1, s), (0, p), ceil_mode, count_include_pad, None, "avg_pool1d").squeeze(-2)


# -- adaptive -----------------------------------------------------------------------------------
def _adaptive_size(input, output_size, n, fn):
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != n:
            raise RuntimeError(f"{fn}: output_size must be {n}" if fn != "adaptive_max_pool2d()" else
                               f"{fn}: internal error: output_size.size() must be {n}")
        sizes = list(output_size)
    else:
        sizes = [output_size] * n
    spatial = list(input.shape[-n:])
    return tuple(spatial[i] if s is None else int(s) for i, s in enumerate(sizes))


def _check_adaptive(input, fn, sep=""):
    if input.dim() not in (3, 4):
        raise RuntimeError(f"{fn}: Expected 3D or 4D tensor, but got{sep} {list(input.shape)}")
    for i in range(1, input.dim()):
        if input.shape[i] == 0 and not (input.dim() == 4 and i == 0):
            raise RuntimeError(f"{fn}: Expected input to have non-zero size for non-batch dimensions, but input has "
                               f"sizes {list(input.shape)} with dimension {i} being empty")


def adaptive_avg_pool2d(input, output_size):
    """Average over torch's adaptive windows (``floor(i*H/Ho)`` to ``ceil((i+1)*H/Ho)``); ``None``
    in ``output_size`` keeps that input size.

    Example:
        >>> F.adaptive_avg_pool2d(ndgrad.randn(2, 8, 7, 7), 1).shape
        torch.Size([2, 8, 1, 1])
    """
    _check_adaptive(input, "adaptive_avg_pool2d()")
    if not input.is_floating_point():
        raise NotImplementedError(f"\"adaptive_avg_pool2d\" not implemented for '{_type_name(input)}'")
    ho, wo = _adaptive_size(input, output_size, 2, "adaptive_avg_pool2d")
    if ho == 1 and wo == 1:
        return input.mean((-1, -2), keepdim=True)
    h, w = input.shape[-2], input.shape[-1]
    dt = input._data.dtype
    mats = []
    if ho != h:
        mats.append((-2, _pool.adaptive_avg_matrix(h, ho, dt)))
    if wo != w:
        mats.append((-1, _pool.adaptive_avg_matrix(w, wo, dt)))
    if not mats:
        mats.append((-1, _pool.adaptive_avg_matrix(w, wo, dt)))
    return _pool.separable(input, tuple(mats), _ADAPTIVE_AVG)


_ADAPTIVE_AVG = _pool.separable_pair("AdaptiveAvgPool2D")


def _type_name(t):
    return {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}.get(t._data.dtype.name, t._data.dtype.name)


def adaptive_avg_pool1d(input, output_size):
    """1-D adaptive average pooling over ``(N, C, L)`` or ``(C, L)``.

    Example:
        >>> F.adaptive_avg_pool1d(ndgrad.arange(6.).view(1, 1, 6), 2)
        tensor([[[1., 4.]]])
    """
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for argument #1 "
                           "'self' (while checking arguments for adaptive_avg_pool1d)")
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 1:
            raise RuntimeError(f"adaptive_avg_pool1d() argument 'output_size' should contain one int "
                               f"(got {len(output_size)})")
        output_size = output_size[0]
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, output_size)).squeeze(-2)


_ADAPTIVE_AVG3 = _pool.separable_pair("AdaptiveAvgPool3D")


def adaptive_avg_pool3d(input, output_size):
    """Average over adaptive windows of ``(N, C, D, H, W)`` (or unbatched ``(C, D, H, W)``).

    Example:
        >>> F.adaptive_avg_pool3d(ndgrad.randn(1, 2, 4, 5, 6), (2, 2, 3)).shape
        torch.Size([1, 2, 2, 2, 3])
    """
    if input.dim() not in (4, 5):
        raise RuntimeError(f"adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got {list(input.shape)}")
    if not input.is_floating_point():
        raise NotImplementedError(f"\"adaptive_avg_pool3d\" not implemented for '{_type_name(input)}'")
    size = _adaptive_size(input, output_size, 3, "adaptive_avg_pool3d")
    if size == (1, 1, 1):
        return input.mean((-1, -2, -3), keepdim=True)
    dt = input._data.dtype
    mats = tuple((ax, _pool.adaptive_avg_matrix(input.shape[ax], size[ax + 3], dt)) for ax in (-3, -2, -1))
    return _pool.separable(input, mats, _ADAPTIVE_AVG3)


def adaptive_max_pool2d_with_indices(input, output_size, return_indices=True):
    _check_adaptive(input, "adaptive_max_pool2d()", sep=":")
    size = _adaptive_size(input, output_size, 2, "adaptive_max_pool2d()")
    return _pool.adaptive_max_pool2d_apply(input, size, return_indices)


def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max over torch's adaptive windows; ``return_indices`` gives flat ``H*W`` positions.

    Example:
        >>> F.adaptive_max_pool2d(ndgrad.randn(1, 2, 5, 7), (2, 3)).shape
        torch.Size([1, 2, 2, 3])
    """
    return adaptive_max_pool2d_with_indices(input, output_size, return_indices)


def adaptive_max_pool1d_with_indices(input, output_size, return_indices=True):
    if input.dim() not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {input.dim()}-dimensional tensor for argument #1 "
                           "'self' (while checking arguments for adaptive_max_pool1d)")
    if isinstance(output_size, (tuple, list)):
        if len(output_size) != 1:
            raise RuntimeError(f"adaptive_max_pool1d() argument 'output_size' should contain one int "
                               f"(got {len(output_size)})")
        output_size = output_size[0]
    r = adaptive_max_pool2d_with_indices(input.unsqueeze(-2), (1, output_size), return_indices)
    if return_indices:
        return r[0].squeeze(-2), r[1].squeeze(-2)
    return r.squeeze(-2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    """1-D adaptive max pooling over ``(N, C, L)`` or ``(C, L)``.

    Example:
        >>> F.adaptive_max_pool1d(ndgrad.arange(6.).view(1, 1, 6), 3)
        tensor([[[1., 3., 5.]]])
    """
    return adaptive_max_pool1d_with_indices(input, output_size, return_indices)


# ==== fractional max pooling ====================================================================
# Each (sample, channel) plane draws one number u in [0, 1) per spatial dim (``_random_samples``);
# window i of a dim of size n pooled to m outputs with window k starts at
# ``int((i + u) * a) - int(u * a)`` with ``a = (n - k) / (m - 1)`` (computed in the input's dtype),
# and the last window starts at ``n - k``. The max of each window is gathered (first maximum, or the
# last NaN), so the gradient goes to that single input element, as in torch.

def _fractional_starts(u, n, m, k):
    """Window starts (..., m) from samples u (...) for one spatial dim."""
    starts = np.empty(u.shape + (m,), dtype=np.int64)
    if m > 1:
        alpha = u.dtype.type(n - k) / u.dtype.type(m - 1)
        base = (u * alpha).astype(np.int64)
        for i in range(m - 1):
            starts[..., i] = ((u + u.dtype.type(i)) * alpha).astype(np.int64) - base
    if m > 0:
        starts[..., m - 1] = n - k
    return starts


def _fractional_apply(input, kernel, out_size, samples, sample_order, fn):
    from ..._tensor import _wrap
    nd = len(kernel)
    if samples.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.dim()}")
    batched = input.dim() == nd + 2
    n_batch = input.shape[0] if batched else 1
    planes = input.shape[-nd - 1]
    if samples.shape[2] != nd:
        raise RuntimeError(f"Expect _random_samples.size(2) equals to {nd}; got {samples.shape[2]}.")
    if samples.shape[0] < n_batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != planes:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples._data.dtype != input._data.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    spatial = tuple(input.shape[-nd:])
    x = input._data.reshape((n_batch, planes, -1))
    u = samples._data[:n_batch]
    # flat candidate positions (B, C, *out, K) of every window
    flat = np.zeros((n_batch, planes) + tuple(out_size) + (1,), dtype=np.int64)
    stride = 1
    for d in range(nd - 1, -1, -1):
        st = _fractional_starts(u[:, :, sample_order[d]], spatial[d], out_size[d], kernel[d])
        shape = [n_batch, planes] + [1] * nd
        shape[2 + d] = out_size[d]
        pos = st.reshape(shape)[..., None] + np.arange(kernel[d])      # (B, C, ..., k_d)
        # outer dims vary slowest: candidates in ascending flat order (torch's scan order)
        flat = (stride * pos[..., :, None] + flat[..., None, :]).reshape(flat.shape[:-1] + (-1,))
        stride *= spatial[d]
    cand = flat.reshape(n_batch, planes, -1)
    vals = np.take_along_axis(x, cand, axis=2).reshape(flat.shape)
    best = np.argmax(vals, axis=-1)
    if vals.dtype.kind == "f":
        isnan = np.isnan(vals)
        if isnan.any():
            last_nan = vals.shape[-1] - 1 - np.argmax(isnan[..., ::-1], axis=-1)
            best = np.where(isnan.any(-1), last_nan, best)
    idx = np.take_along_axis(flat, best[..., None], axis=-1)[..., 0]
    idx_t = _wrap(idx.reshape(n_batch, planes, -1))
    out = input.reshape(n_batch, planes, -1).gather(2, idx_t).reshape((n_batch, planes) + tuple(out_size))
    indices = _wrap(idx)
    if not batched:
        out, indices = out.squeeze(0), indices.squeeze(0)
    return out, indices


def _fractional_sizes(input, kernel_size, output_size, output_ratio, nd, fn):
    names = "Int or tuple of Ints" if nd == 2 else "Int or tuple of three Ints"
    kernel = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * nd
    if len(kernel) == 1:
        kernel = kernel * nd
    if len(kernel) != nd:
        raise RuntimeError(f"{fn}: kernel_size must either be a single {names}")
    if output_size is None:
        if output_ratio is None:
            raise ValueError(f"{fn} requires specifying either an output_size or an output_ratio")
        if nd == 2 and isinstance(output_ratio, (tuple, list)) and len(output_ratio) > 2:
            raise ValueError(f"{fn} requires output_ratio to either be a single Int or tuple of Ints.")
        ratio = tuple(output_ratio) if isinstance(output_ratio, (tuple, list)) else (output_ratio,) * nd
        output_size = [int(input.size(d - nd) * ratio[d]) for d in range(nd)]
    out = tuple(output_size) if isinstance(output_size, (tuple, list)) else (output_size,) * nd
    if len(out) == 1:
        out = out * nd
    if len(out) != nd:
        raise RuntimeError(f"{fn}: output_size must either be a single {names}")
    return tuple(int(k) for k in kernel), tuple(int(o) for o in out)


def _fractional_check(input, kernel, out, nd, fn, what):
    if input.dim() not in (nd + 1, nd + 2):
        if nd == 2:
            raise RuntimeError(f"{fn}(): Expected 3D or 4D tensor, but got: {list(input.shape)}")
        raise RuntimeError(f"{fn}(): Expected 4D or 5D tensor, but got: {list(input.shape)}")
    for i in range(1, input.dim()):
        if input.shape[i] == 0:
            raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch dimensions, but got"
                               f"{list(input.shape)} with dimension {i} being empty.")
    # torch: 2-D allows out + k - 1 == size and checks (height, width); 3-D needs out + k - 1 < size and
    # checks (time, width, height)
    order = (0, 1) if nd == 2 else (0, 2, 1)
    for d in order:
        name = what[d]
        if out[d] + kernel[d] - 1 > input.shape[d - nd] - (nd == 3):
            raise RuntimeError(f"{fn}(): pool {name} {kernel[d]} too large relative to input {name} "
                               f"{input.shape[d - nd]}")


def fractional_max_pool2d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    from ...ops.random import rand
    kernel, out = _fractional_sizes(input, kernel_size, output_size, output_ratio, 2, "fractional_max_pool2d")
    if _random_samples is None:
        n_batch = 1 if input.dim() == 3 else input.size(0)
        _random_samples = rand(n_batch, input.size(-3), 2, dtype=input.dtype)
    _fractional_check(input, kernel, out, 2, "fractional_max_pool2d", ("height", "width"))
    # torch's 2-D kernel reads sample 0 for the width and sample 1 for the height
    return _fractional_apply(input, kernel, out, _random_samples, (1, 0), "fractional_max_pool2d")


def fractional_max_pool2d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Fractional max pooling over ``(N, C, H, W)``: pseudo-random window starts (``_random_samples``
    of shape ``(N, C, 2)``, drawn with ``rand`` when not given); ``output_size`` or ``output_ratio``.

    Example:
        >>> F.fractional_max_pool2d(ndgrad.randn(1, 2, 9, 9), 3, output_ratio=0.5).shape
        torch.Size([1, 2, 4, 4])
    """
    out, idx = fractional_max_pool2d_with_indices(input, kernel_size, output_size, output_ratio, True,
                                                  _random_samples)
    return (out, idx) if return_indices else out


def fractional_max_pool3d_with_indices(input, kernel_size, output_size=None, output_ratio=None,
                                       return_indices=False, _random_samples=None):
    from ...ops.random import rand
    kernel, out = _fractional_sizes(input, kernel_size, output_size, output_ratio, 3, "fractional_max_pool3d")
    if _random_samples is None:
        n_batch = 1 if input.dim() == 4 else input.size(0)
        _random_samples = rand(n_batch, input.size(-4), 3, dtype=input.dtype)
    _fractional_check(input, kernel, out, 3, "fractional_max_pool3d_out", ("time", "height", "width"))
    return _fractional_apply(input, kernel, out, _random_samples, (0, 1, 2), "fractional_max_pool3d")


def fractional_max_pool3d(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                          _random_samples=None):
    """Fractional max pooling over ``(N, C, T, H, W)`` (samples ``(N, C, 3)``: time, height, width).

    Example:
        >>> F.fractional_max_pool3d(ndgrad.randn(1, 2, 6, 6, 6), 2, output_size=3).shape
        torch.Size([1, 2, 3, 3, 3])
    """
    out, idx = fractional_max_pool3d_with_indices(input, kernel_size, output_size, output_ratio, True,
                                                  _random_samples)
    return (out, idx) if return_indices else out
