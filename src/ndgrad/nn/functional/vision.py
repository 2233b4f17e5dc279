"""Padding, resampling and sliding blocks: pad, interpolate (and the upsample aliases), unfold, fold,
pixel_shuffle / pixel_unshuffle, grid_sample and affine_grid.

Example:
    >>> x = ndgrad.randn(1, 3, 4, 4)
    >>> F.pad(x, (1, 1, 2, 2), mode="reflect").shape
    torch.Size([1, 3, 8, 6])
    >>> F.interpolate(x, scale_factor=2, mode="bilinear").shape
    torch.Size([1, 3, 8, 8])
"""
import math
import numbers
import warnings

import numpy as np

from ...ops import conv as _conv
from ...ops import pool as _pool

__all__ = ["pad", "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "unfold", "fold",
           "pixel_shuffle", "pixel_unshuffle", "grid_sample", "affine_grid"]


# ==== pad =======================================================================================
def pad(input, pad, mode="constant", value=None):
    """Pad the last ``len(pad) // 2`` dims, last dim first: ``(left, right, top, bottom, ...)``.

    ``mode`` is ``"constant"`` (any number of dims; negative values crop), ``"reflect"``,
    ``"replicate"`` or ``"circular"`` (the last 1, 2 or 3 dims of a batched or unbatched input).

    Example:
        >>> F.pad(ndgrad.arange(3.), (2, 1), mode="reflect")
        tensor([2., 1., 0., 1., 2., 1.])
    """
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = input.dim()
    if len(pad) // 2 > nd:
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {nd}")
    if mode == "constant":
        return _conv.constant_pad_nd(input, pad, 0 if value is None else value)
    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f"Padding mode \"{mode}\" doesn't take in value argument")
    k = len(pad) // 2
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {nd}D input tensor.")
    shape = list(input.shape)
    if mode in ("reflect", "replicate"):
        if any(s == 0 for s in shape[nd - k - 1 if nd == k + 2 else 0:][1 if nd == k + 2 else 0:]):
            dims = {1: "2D or 3D", 2: "3D or 4D", 3: "4D or 5D"}[k]
            raise RuntimeError(f"Expected {dims} (batch mode) tensor with possibly 0 batch size and other non-zero "
                               f"dimensions for input, but got: {shape}")
    for i in range(k):
        ax = nd - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        if mode == "reflect" and (lo >= shape[ax] or hi >= shape[ax]):
            raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding input "
                               f"dimension, but got: padding ({lo}, {hi}) at dimension {ax} of input {shape}")
        if mode == "circular" and (lo > shape[ax] or hi > shape[ax]):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if shape[ax] + lo + hi < 0 or (lo < 0 and -lo > shape[ax]) or (hi < 0 and -hi > shape[ax]):
            raise RuntimeError("narrow(): length must be non-negative.")
    return _pool.index_pad(input, pad, mode)


# ==== interpolate ===============================================================================
_NEAREST = {(m, d): _pool.node_pair(f"UpsampleNearest{'Exact' if m == 'nearest-exact' else ''}{d}D")
            for m in ("nearest", "nearest-exact") for d in (1, 2, 3)}
_LINEAR = {"linear": _pool.separable_pair("UpsampleLinear1D"),
           "bilinear": _pool.separable_pair("UpsampleBilinear2D"),
           "bicubic": _pool.separable_pair("UpsampleBicubic2D"),
           "trilinear": _pool.separable_pair("UpsampleTrilinear3D")}
_LINEAR_DIM = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
_ANTIALIASED = {"bilinear": _pool.separable_pair("UpsampleBilinear2DAa"),
                "bicubic": _pool.separable_pair("UpsampleBicubic2DAa"),
                "lanczos": _pool.separable_pair("UpsampleLanczos2DAa")}
_AREA = {1: _pool.separable_pair("AdaptiveAvgPool1D"), 2: _pool.separable_pair("AdaptiveAvgPool2D"),
         3: _pool.separable_pair("AdaptiveAvgPool3D")}


def _check_size_types(size):
    vals = size if isinstance(size, (list, tuple)) else [size]
    if not all(isinstance(v, numbers.Integral) for v in vals):
        raise TypeError("expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, int], "
                        f"but got size with types {[type(v) for v in vals]}")


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resample the spatial dims to ``size`` or by ``scale_factor``.

    Modes: ``nearest``, ``nearest-exact``, ``linear`` (3-D input), ``bilinear``/``bicubic`` (4-D),
    ``trilinear`` (5-D) and ``area`` (adaptive average pooling), with torch's index arithmetic.

    Example:
        >>> F.interpolate(ndgrad.arange(4.).view(1, 1, 4), size=2, mode="linear", align_corners=True)
        tensor([[[0., 3.]]])
    """
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: "
                             "linear | bilinear | bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    dim = input.dim() - 2
    spatial = list(input.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        _check_size_types(size)
        if isinstance(size, (list, tuple)):
            if len(size) != dim:
                raise ValueError("Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {spatial} and output size of {size}. Please provide "
                                 "input tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) "
                                 "format.")
            output_size = [int(s) for s in size]
        else:
            output_size = [int(size)] * dim
        scale_factors = None
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != dim:
                raise ValueError("Input and scale_factor must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {spatial} and scale_factor of shape "
                                 f"{scale_factor}. Please provide input tensor in (N, C, d1, d2, ...,dK) format and "
                                 "scale_factor in (s1, s2, ...,sK) format.")
            scale_factors = [float(s) for s in scale_factor]
        else:
            scale_factors = [float(scale_factor)] * dim
        output_size = None
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor is not None and recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and output_size is None:
        recompute_scale_factor = True
    if recompute_scale_factor is not None and recompute_scale_factor:
        output_size = [math.floor(float(spatial[i]) * scale_factors[i]) for i in range(dim)]
        scale_factors = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and input.dim() == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a "
                         "4-D tensor as input")
    if mode == "lanczos":
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    if output_size is None:
        output_size = [int(spatial[i] * scale_factors[i]) for i in range(dim)]
    scales = scale_factors or [None] * dim

    known = ("nearest", "nearest-exact", "area", "linear", "bilinear", "bicubic", "trilinear", "lanczos")
    if mode not in known or dim not in (1, 2, 3):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) "
                                  "for the modes: nearest | linear | bilinear | bicubic | trilinear | lanczos | area "
                                  f"| nearest-exact (got {mode})")
    if mode in _LINEAR_DIM and _LINEAR_DIM[mode] != dim:
        need = {1: "3D", 2: "4D", 3: "5D"}[_LINEAR_DIM[mode]]
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs {need} input")
    if any(s <= 0 for s in spatial) or any(s <= 0 for s in output_size):
        names = ["D", "H", "W"][3 - dim:]
        ins = ", ".join(f"{n}: {s}" for n, s in zip(names, spatial))
        outs = ", ".join(f"{n}: {s}" for n, s in zip(names, output_size))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({ins}) output ({outs})")

    axes = list(range(-dim, 0))
    dt = input._data.dtype
    if mode in ("nearest", "nearest-exact"):
        indices = tuple((ax, _pool.nearest_indices(spatial[i], output_size[i], scales[i], mode == "nearest-exact"))
                        for i, ax in enumerate(axes))
        return _pool.axis_gather(input, indices, _NEAREST[(mode, dim)])
    if mode == "area":
        mats = tuple((ax, _pool.adaptive_avg_matrix(spatial[i], output_size[i], dt)) for i, ax in enumerate(axes))
        if dim == 2:
            from .pooling import adaptive_avg_pool2d
            return adaptive_avg_pool2d(input, tuple(output_size))
        if dim == 1:
            return _pool.separable(input.unsqueeze(-2), ((-1, mats[0][1]),), _AREA[2]).squeeze(-2)
        return _pool.separable(input, mats, _AREA[3])
    if antialias:
        mats = tuple((ax, _pool.antialias_matrix(spatial[i], output_size[i], mode, align_corners, scales[i], dt))
                     for i, ax in enumerate(axes))
        return _pool.separable(input, mats, _ANTIALIASED[mode])
    build = _pool.cubic_matrix if mode == "bicubic" else _pool.linear_matrix
    mats = tuple((ax, build(spatial[i], output_size[i], align_corners, scales[i], dt)) for i, ax in enumerate(axes))
    return _pool.separable(input, mats, _LINEAR[mode])


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    """Deprecated alias of ``interpolate`` (warns, like torch)."""
    warnings.warn("nn.functional.upsample is deprecated. Use nn.functional.interpolate instead.", stacklevel=2)
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='nearest')``."""
    warnings.warn("nn.functional.upsample_nearest is deprecated. Use nn.functional.interpolate instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    """Deprecated: ``interpolate(..., mode='bilinear', align_corners=True)``."""
    warnings.warn("nn.functional.upsample_bilinear is deprecated. Use nn.functional.interpolate instead.",
                  stacklevel=2)
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ==== unfold / fold =============================================================================
def _pair_arg(v, name, fn):
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
        return (int(v[0]), int(v[1]))
    return (int(v), int(v))


def _check_block_args(k, d, p, s):
    if k[0] <= 0 or k[1] <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kernel_height: {k[0]} kernel_width: "
                           f"{k[1]}")
    if d[0] <= 0 or d[1] <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilation_height: {d[0]} dilation_width: "
                           f"{d[1]}")
    if p[0] < 0 or p[1] < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {p[0]} pad_width: {p[1]}")
    if s[0] <= 0 or s[1] <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {s[0]} stride_width: {s[1]}")


def _blocks(n, k, d, p, s):
    return (n + 2 * p - (d * (k - 1) + 1)) // s + 1


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """Extract sliding ``kernel_size`` blocks: ``(N, C, H, W) -> (N, C*kh*kw, L)`` (im2col).

    Example:
        >>> F.unfold(ndgrad.randn(1, 2, 4, 4), 2).shape
        torch.Size([1, 8, 9])
    """
    k = _pair_arg(kernel_size, "kernel_size", "unfold")
    d = _pair_arg(dilation, "dilation", "unfold")
    p = _pair_arg(padding, "padding", "unfold")
    s = _pair_arg(stride, "stride", "unfold")
    _check_block_args(k, d, p, s)
    if input.dim() not in (3, 4) or any(x == 0 for x in input.shape[-3:]):
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and non-zero dimensions "
                           f"for input, but got: {list(input.shape)}")
    h, w = input.shape[-2], input.shape[-1]
    bh, bw = _blocks(h, k[0], d[0], p[0], s[0]), _blocks(w, k[1], d[1], p[1], s[1])
    if bh < 1 or bw < 1:
        raise RuntimeError(f"Given input with spatial size ({h}, {w}), kernel_size=({k[0]}, {k[1]}), dilation=({d[0]}, "
                           f"{d[1]}), padding=({p[0]}, {p[1]}), calculated shape of the array of sliding blocks as "
                           f"({bh}, {bw}), but its components must be at least one.")
    return _conv.im2col(input, k, d, p, s)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """Sum sliding blocks back into an image: ``(N, C*kh*kw, L) -> (N, C, H, W)`` (col2im).

    Example:
        >>> F.fold(ndgrad.ones(1, 4, 9), (4, 4), 2)[0, 0]
        tensor([[1., 2., 2., 1.],
                [2., 4., 4., 2.],
                [2., 4., 4., 2.],
                [1., 2., 2., 1.]])
    """
    o = _pair_arg(output_size, "output_size", "fold")
    k = _pair_arg(kernel_size, "kernel_size", "fold")
    d = _pair_arg(dilation, "dilation", "fold")
    p = _pair_arg(padding, "padding", "fold")
    s = _pair_arg(stride, "stride", "fold")
    _check_block_args(k, d, p, s)
    if input.dim() not in (2, 3) or any(x == 0 for x in input.shape[-2:]):
        raise RuntimeError("Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {list(input.shape)}")
    c = input.shape[-2]
    if c % (k[0] * k[1]):
        raise RuntimeError(f"Expected size of input's dimension {input.dim() - 2} to be divisible by the product of "
                           f"kernel_size, but got input.size({input.dim() - 2})={c} and kernel_size=({k[0]}, {k[1]}).")
    bh, bw = _blocks(o[0], k[0], d[0], p[0], s[0]), _blocks(o[1], k[1], d[1], p[1], s[1])
    if bh < 1 or bw < 1:
        raise RuntimeError(f"Given output_size=({o[0]}, {o[1]}), kernel_size=({k[0]}, {k[1]}), dilation=({d[0]}, "
                           f"{d[1]}), padding=({p[0]}, {p[1]}), calculated shape of the array of sliding blocks as "
                           f"({bh}, {bw}), but its components must be at least one.")
    if input.shape[-1] != bh * bw:
        raise RuntimeError(f"Given output_size=({o[0]}, {o[1]}), kernel_size=({k[0]}, {k[1]}), dilation=({d[0]}, "
                           f"{d[1]}), padding=({p[0]}, {p[1]}), stride=({s[0]}, {s[1]}), expected size of input's "
                           f"dimension {input.dim() - 1} to match the calculated number of sliding blocks {bh} * {bw} "
                           f"= {bh * bw}, but got input.size({input.dim() - 1})={input.shape[-1]}.")
    return _conv.col2im(input, o, k, d, p, s)


# ==== pixel shuffle =============================================================================
def pixel_shuffle(input, upscale_factor):
    """``(*, C*r*r, H, W) -> (*, C, H*r, W*r)``.

    Example:
        >>> F.pixel_shuffle(ndgrad.randn(1, 8, 3, 3), 2).shape
        torch.Size([1, 2, 6, 6])
    """
    r = int(upscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_shuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    *lead, c, h, w = input.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    return _pool.shuffle_pixels(input, r)


def pixel_unshuffle(input, downscale_factor):
    """``(*, C, H*r, W*r) -> (*, C*r*r, H, W)``.

    Example:
        >>> F.pixel_unshuffle(ndgrad.randn(1, 2, 6, 6), 2).shape
        torch.Size([1, 8, 3, 3])
    """
    r = int(downscale_factor)
    if input.dim() < 3:
        raise RuntimeError(f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with "
                           f"{input.dim()} dimension(s)")
    *lead, c, h, w = input.shape
    if h % r or w % r:
        which = "height" if h % r else "width"
        size, idx = (h, -2) if h % r else (w, -1)
        raise RuntimeError(f"pixel_unshuffle expects {which} to be divisible by downscale_factor, but "
                           f"input.size({idx})={size} is not divisible by {r}")
    return _pool.unshuffle_pixels(input, r)


# ==== grid_sample / affine_grid =================================================================
# grid_sample is composed of differentiable ops: the sampling positions (an affine map of the grid,
# then clamping or reflection for the padding mode) and the corner weights carry the gradient w.r.t.
# the grid; the corner values are a ``gather`` from the flattened input (its gradient a scatter-add).
# The integer corners (floor / rounding) are constants, as in torch.
_ALIGN_WARNING = ("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                  "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                  "grid_sample for details.")


def _source_coords(coord, size, padding_mode, align_corners):
    """Normalised [-1, 1] coordinates -> pixel coordinates of the input, with torch's padding modes."""
    from ...ops.compare import where
    from ...ops.creation import tensor as _tensor
    if align_corners:
        x = coord * ((size - 1) / 2) + (size - 1) / 2
    else:
        x = coord * (size / 2) + (size - 1) / 2
    if padding_mode == "border":
        x = x.clamp(0, size - 1)
    elif padding_mode == "reflection":
        lo2, hi2 = (0, 2 * (size - 1)) if align_corners else (-1, 2 * size - 1)
        if lo2 == hi2:
            x = x * 0
        else:
            low, span = lo2 / 2, (hi2 - lo2) / 2
            a = (x - low).abs()
            flips = np.floor(a._data / span)
            extra = a.fmod(span)
            x = where(_tensor(flips % 2 == 0), extra + low, (span - extra) + low)
        x = x.clamp(0, size - 1)
    return x


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Sample ``input`` (N, C, H, W) at the normalised positions ``grid`` (N, Ho, Wo, 2) (x, y in
    [-1, 1]) -> (N, C, Ho, Wo). ``mode``: ``"bilinear"`` or ``"nearest"``; ``padding_mode``:
    ``"zeros"``, ``"border"`` or ``"reflection"``. Differentiable in ``input`` and (bilinear) ``grid``.

    Example:
        >>> F.grid_sample(ndgrad.randn(1, 3, 8, 8), ndgrad.zeros(1, 4, 5, 2), align_corners=False).shape
        torch.Size([1, 3, 4, 5])
    """
    from ...ops.compare import where
    from ...ops.creation import tensor as _tensor
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError("nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING)
        align_corners = False
    ishape, gshape = list(input.shape), list(grid.shape)
    if input.dim() == 0 or grid.dim() == 0 or ishape[0] != gshape[0]:
        raise RuntimeError("grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {ishape} and grid with sizes {gshape}")
    if gshape[-1] != input.dim() - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {input.dim() - 2} in last dimension, but "
                           f"got grid with sizes {gshape}")
    for i in range(2, input.dim()):
        if ishape[i] <= 0:
            raise RuntimeError("grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               f"sizes {ishape} with dimension {i} being empty")
    if input.dim() != 4 or grid.dim() != 4:
        if input.dim() == 5 and grid.dim() == 5:
            raise NotImplementedError("grid_sample of 5-D (volumetric) inputs is not implemented in ndgrad "
                                      "(4-D inputs are)")
        raise RuntimeError(f"grid_sampler(): expected 4D input and grid with same number of dimensions, but got "
                           f"input with sizes {ishape} and grid with sizes {gshape}")
    if mode == "bicubic":
        raise NotImplementedError("grid_sample(mode='bicubic') is not implemented in ndgrad (bilinear and "
                                  "nearest are)")
    if grid.dtype != input.dtype:
        grid = grid.to(input.dtype)
    n, c, h, w = ishape
    ho, wo = gshape[1], gshape[2]
    ix = _source_coords(grid[..., 0], w, padding_mode, align_corners)      # (N, Ho, Wo)
    iy = _source_coords(grid[..., 1], h, padding_mode, align_corners)
    flat = input.reshape(n, c, h * w)
    dt = input._data.dtype

    def corner(xc, yc):
        ok = (xc >= 0) & (xc < w) & (yc >= 0) & (yc < h)
        idx = (np.clip(yc, 0, h - 1) * w + np.clip(xc, 0, w - 1)).astype(np.int64).reshape(n, 1, ho * wo)
        vals = flat.gather(2, _tensor(np.ascontiguousarray(np.broadcast_to(idx, (n, c, ho * wo)))))
        return vals.reshape(n, c, ho, wo) * _tensor(ok.astype(dt).reshape(n, 1, ho, wo))

    if mode == "nearest":
        xn, yn = np.rint(ix._data), np.rint(iy._data)
        out = corner(xn, yn)
        if grid.requires_grad:   # torch's nearest mode gives the grid a zero gradient
            none = _tensor(np.zeros(gshape, dtype=bool))
            out = out + where(none, grid, 0.0).sum(-1).unsqueeze(1)
        return out
    x0, y0 = np.floor(ix._data), np.floor(iy._data)
    wx1 = ix - _tensor(x0)
    wy1 = iy - _tensor(y0)
    wx0, wy0 = 1 - wx1, 1 - wy1
    out = None
    for yc, wy in ((y0, wy0), (y0 + 1, wy1)):
        for xc, wx in ((x0, wx0), (x0 + 1, wx1)):
            term = corner(xc, yc) * (wy * wx).unsqueeze(1)
            out = term if out is None else out + term
    return out


def _neg_one_to_one(steps, align_corners, dtype):
    if steps <= 1:
        return np.zeros(max(steps, 0), dtype=dtype)
    from ...ops.creation import linspace
    r = linspace(-1, 1, steps, dtype=dtype)._data
    return r if align_corners else r * ((steps - 1) / steps)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid of a batch of affine maps: ``theta`` (N, 2, 3) with ``size`` (N, C, H, W) ->
    (N, H, W, 2), or (N, 3, 4) with (N, C, D, H, W) -> (N, D, H, W, 3); for ``grid_sample``.

    Example:
        >>> theta = ndgrad.tensor([[[1., 0., 0.], [0., 1., 0.]]])
        >>> F.affine_grid(theta, (1, 3, 4, 5), align_corners=False).shape
        torch.Size([1, 4, 5, 2])
    """
    from ...ops.creation import tensor as _tensor
    if align_corners is None:
        warnings.warn(_ALIGN_WARNING)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(size)
    if len(size) == 4:
        if theta.dim() != 3 or theta.shape[-2] != 2 or theta.shape[-1] != 3:
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                             f"{theta.shape}.")
    elif len(size) == 5:
        if theta.dim() != 3 or theta.shape[-2] != 3 or theta.shape[-1] != 4:
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got "
                             f"{theta.shape}.")
    else:
        raise NotImplementedError("affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    spatial = size[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.")
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    nd = len(spatial)
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{size[0]}, {nd + 1}] "
                           f"but got: [{theta.shape[0]}, {nd + 1}].")
    dt = theta._data.dtype
    # base[..., :nd] = (x, y[, z]) normalised coordinates (x along the last axis), base[..., nd] = 1
    base = np.ones(tuple(spatial) + (nd + 1,), dtype=dt)
    for k in range(nd):
        ax = nd - 1 - k                                   # x <- last spatial axis, y <- the one before, ...
        shape = [1] * nd
        shape[ax] = spatial[ax]
        base[..., k] = _neg_one_to_one(spatial[ax], align_corners, dt).reshape(shape)
    pts = _tensor(base.reshape(1, -1, nd + 1))
    grid = pts.matmul(theta.transpose(1, 2))
    return grid.reshape((size[0],) + tuple(spatial) + (nd,))
