"""NumPy kernels for tensor images (arrays of shape ``(..., C, H, W)``).

The resampling follows ``torch.nn.functional.interpolate`` exactly, since that is what
torchvision's tensor ``resize`` calls: source coordinates ``scale * (dst + 0.5) - 0.5``
(``align_corners=False``), and for ``antialias=True`` PIL's separable filters whose support
widens with the downscaling factor. Each axis becomes one weight matrix, applied as a matmul.
"""
import numpy as np

from ...ops.pool import antialias_matrix

__all__ = ["resize", "max_value", "rgb_to_grayscale", "rgb2hsv", "hsv2rgb", "pad"]


def max_value(np_dtype):
    """The value of "white": 1.0 for floating images, the type's maximum for integer ones."""
    if np.issubdtype(np_dtype, np.floating):
        return 1.0
    if np_dtype == np.bool_:
        return 1
    return int(np.iinfo(np_dtype).max)


# -- interpolation weights ------------------------------------------------------------------------

def _cubic1(x, a):
    return ((a + 2) * x - (a + 3)) * x * x + 1


def _cubic2(x, a):
    return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a


def _weights_aa(in_size, out_size, mode):
    """(out, in) matrix of torch's ``_upsample_{bilinear,bicubic}2d_aa`` weights (PIL's algorithm)."""
    return antialias_matrix(in_size, out_size, mode)


def _weights_plain(in_size, out_size, mode):
    """(out, in) matrix of torch's ``upsample_{bilinear,bicubic}2d`` (align_corners=False) weights."""
    scale = np.float32(in_size / out_size)
    dst = np.arange(out_size, dtype=np.float32)
    src = scale * (dst + np.float32(0.5)) - np.float32(0.5)
    w = np.zeros((out_size, in_size))
    rows = np.arange(out_size)
    if mode == "bilinear":
        src = np.maximum(src, np.float32(0))
        i0 = src.astype(np.int64)
        lam = (src - i0).astype(np.float64)
        i1 = np.minimum(i0 + 1, in_size - 1)
        np.add.at(w, (rows, i0), 1.0 - lam)
        np.add.at(w, (rows, i1), lam)
        return w
    i0 = np.floor(src).astype(np.int64)
    t = (src - i0).astype(np.float64)
    a = -0.75
    coeffs = (_cubic2(t + 1.0, a), _cubic1(t, a), _cubic1(1.0 - t, a), _cubic2(2.0 - t, a))
    for k, c in zip(range(-1, 3), coeffs):
        np.add.at(w, (rows, np.clip(i0 + k, 0, in_size - 1)), c)
    return w


def _nearest_index(in_size, out_size, exact):
    if not exact:
        if out_size == in_size:
            return np.arange(out_size)
        scale = np.float32(in_size) / np.float32(out_size)
        src = np.floor(np.arange(out_size, dtype=np.float32) * scale).astype(np.int64)
    else:
        scale = in_size / out_size
        src = np.floor((np.arange(out_size) + 0.5) * scale).astype(np.int64)
    return np.minimum(src, in_size - 1)


def resize(arr, size, mode, antialias):
    """Resize a float array ``(..., H, W)`` to ``size = (h, w)`` as ``F.interpolate`` does."""
    out_h, out_w = size
    in_h, in_w = arr.shape[-2:]
    if mode in ("nearest", "nearest-exact"):
        exact = mode == "nearest-exact"
        rows = _nearest_index(in_h, out_h, exact)
        cols = _nearest_index(in_w, out_w, exact)
        return arr[..., rows[:, None], cols[None, :]]
    if mode not in ("bilinear", "bicubic"):
        raise ValueError(f"Interpolation mode {mode!r} is unsupported for tensor images; use 'nearest', "
                         "'nearest-exact', 'bilinear' or 'bicubic' (or a PIL image for the others)")
    make = _weights_aa if antialias else _weights_plain
    wh = make(in_h, out_h, mode).astype(arr.dtype)
    ww = make(in_w, out_w, mode).astype(arr.dtype)
    # width first, then height (torch's separable order)
    out = np.matmul(arr, ww.T)
    return np.matmul(wh, out)


# -- colour ----------------------------------------------------------------------------------------

def rgb_to_grayscale(arr):
    """ITU-R 601-2 luma ``0.2989 R + 0.587 G + 0.114 B`` over axis -3, in the input's dtype (truncating)."""
    r, g, b = arr[..., 0, :, :], arr[..., 1, :, :], arr[..., 2, :, :]
    if np.issubdtype(arr.dtype, np.floating):
        l_img = (0.2989 * r + 0.587 * g + 0.114 * b).astype(arr.dtype)
    else:
        f = np.float32
        l_img = (f(0.2989) * r.astype(f) + f(0.587) * g.astype(f) + f(0.114) * b.astype(f)).astype(arr.dtype)
    return l_img[..., None, :, :]


def rgb2hsv(img):
    r, g, b = img[..., 0, :, :], img[..., 1, :, :], img[..., 2, :, :]
    maxc = img.max(axis=-3)
    minc = img.min(axis=-3)
    eqc = maxc == minc
    cr = maxc - minc
    ones = np.ones_like(maxc)
    s = cr / np.where(eqc, ones, maxc)
    cr_divisor = np.where(eqc, ones, cr)
    rc = (maxc - r) / cr_divisor
    gc = (maxc - g) / cr_divisor
    bc = (maxc - b) / cr_divisor
    dt = img.dtype.type
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (dt(2.0) + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (dt(4.0) + gc - rc)
    h = hr + hg + hb
    h = np.fmod(h / dt(6.0) + dt(1.0), dt(1.0))
    return np.stack((h, s, maxc), axis=-3)


def hsv2rgb(img):
    h, s, v = img[..., 0, :, :], img[..., 1, :, :], img[..., 2, :, :]
    dt = img.dtype.type
    i = np.floor(h * dt(6.0))
    f = h * dt(6.0) - i
    i = i.astype(np.int32) % 6
    p = np.clip(v * (dt(1.0) - s), 0.0, 1.0)
    q = np.clip(v * (dt(1.0) - s * f), 0.0, 1.0)
    t = np.clip(v * (dt(1.0) - s * (dt(1.0) - f)), 0.0, 1.0)
    r = np.choose(i, (v, q, p, p, t, v))
    g = np.choose(i, (t, v, v, q, p, p))
    b = np.choose(i, (p, p, t, v, v, q))
    return np.stack((r, g, b), axis=-3).astype(img.dtype)


# -- geometry --------------------------------------------------------------------------------------

def pad(arr, left, top, right, bottom, fill=0, mode="constant"):
    """Pad the last two axes (negative amounts crop, as torchvision's tensor ``pad``)."""
    if min(left, top, right, bottom) < 0:
        h, w = arr.shape[-2:]
        arr = arr[..., max(-top, 0):h - max(-bottom, 0), max(-left, 0):w - max(-right, 0)]
        left, top, right, bottom = (max(v, 0) for v in (left, top, right, bottom))
    widths = [(0, 0)] * (arr.ndim - 2) + [(top, bottom), (left, right)]
    if mode == "constant":
        return np.pad(arr, widths, mode="constant", constant_values=fill)
    np_mode = {"edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}.get(mode)
    if np_mode is None:
        raise ValueError(f"Padding mode should be either constant, edge, reflect or symmetric, got {mode}")
    return np.pad(arr, widths, mode=np_mode)
