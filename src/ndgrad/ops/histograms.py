"""Searching and counting (no gradients): unique / unique_consecutive, bincount, searchsorted /
bucketize, histc / histogram / histogramdd, isin, unravel_index.

Re-exported by ``statistics.py`` (which attaches the Tensor methods). Everything here works on the
NumPy data and returns tensors that do not require grad, as torch's versions do.

* ``searchsorted`` runs torch's binary search (``lower_bound`` / ``upper_bound`` on ``>=`` / ``>``)
  vectorised over all values, so NaN in the boundaries or the values lands where torch puts it.
* The histogram family bins like torch's ``histogramdd`` kernel: ``histc`` by linear interpolation,
  ``histogram(bins=int)`` by interpolation refined against the computed edges, explicit edges by
  binary search; the rightmost edge belongs to the last bin, values outside the range are dropped.
"""
import builtins
import numbers
import operator

import numpy as np

from .. import _dtype
from ._core import Tensor, wrap, wrap_dim, to_tensor
from .creation import _linspace_np
from .sorting import _return_type

__all__ = ["unique", "unique_consecutive", "bincount", "bucketize", "searchsorted", "histc", "histogram",
           "histogramdd", "isin", "unravel_index"]
_METHODS = ["unique", "unique_consecutive", "bincount", "histc", "histogram"]

_I64 = np.dtype(np.int64)
_histogram_t = _return_type("histogram", ("hist", "bin_edges"))
_histogramdd_t = _return_type("histogramdd", ("hist", "bin_edges"))
_C_NAMES = {np.dtype(np.float32): "float", np.dtype(np.float64): "double", np.dtype(np.int64): "long int",
            np.dtype(np.int32): "int", np.dtype(np.float16): "c10::Half", np.dtype(np.bool_): "bool"}


def _not_impl(kernel, dt):
    return NotImplementedError(f'"{kernel}" not implemented for \'{_dtype.torch_type_name(dt)}\'')


# -- unique -------------------------------------------------------------------------------------------------
def _pack(values, inverse, counts, return_inverse, return_counts):
    if not (return_inverse or return_counts):
        return values
    out = [values]
    if return_inverse:
        out.append(inverse)
    if return_counts:
        out.append(counts)
    return tuple(out)


def _rows(d, ax):
    """``d`` with ``ax`` moved first and the rest flattened: one row per slice along ``ax``."""
    moved = np.moveaxis(d, ax, 0)
    return moved, moved.reshape(moved.shape[0], -1)


def _groups(rows, consecutive):
    """(order, is_new) for rows (2-d) or elements (1-d): the order that brings equal entries together
    and a mask of the positions (in that order) that start a new group. NaN never equals NaN."""
    n = rows.shape[0]
    if consecutive:
        order = np.arange(n)
    elif rows.ndim == 1:
        order = np.argsort(rows, kind="stable")
    elif rows.shape[1]:
        order = np.lexsort(rows.T[::-1])
    else:
        order = np.arange(n)
    s = rows[order]
    new = np.ones(n, dtype=bool)
    if n > 1:
        diff = s[1:] != s[:-1]
        new[1:] = diff if diff.ndim == 1 else diff.any(axis=1)
    return order, new


def _unique_impl(input, return_inverse, return_counts, dim, consecutive):
    d = input._data
    if dim is None:
        flat = d.reshape(-1)
        order, new = _groups(flat, consecutive)
        group = np.cumsum(new) - 1
        values = flat[order][new]
        inv = np.empty(flat.shape, _I64)
        inv[order] = group
        counts = np.bincount(group, minlength=values.size).astype(_I64) if flat.size else np.zeros(0, _I64)
        return _pack(wrap(values), wrap(inv.reshape(d.shape)), wrap(counts), return_inverse, return_counts)
    ax = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        raise IndexError(f"Dimension out of range (expected to be in range of [-1, 0], but got {dim})")
    if d.shape[ax] == 0:
        return _pack(wrap(d.copy()), wrap(np.zeros(0, _I64)), wrap(np.zeros(0, _I64)), return_inverse,
                     return_counts)
    if 0 in d.shape:
        raise RuntimeError("There are 0 sized dimensions, and they aren't selected, so unique cannot be applied")
    moved, rows = _rows(d, ax)
    order, new = _groups(rows, consecutive)
    group = np.cumsum(new) - 1
    values = moved[order][new]
    inv = np.empty(rows.shape[0], _I64)
    inv[order] = group
    counts = np.bincount(group).astype(_I64)
    return _pack(wrap(np.ascontiguousarray(np.moveaxis(values, 0, ax))), wrap(inv), wrap(counts),
                 return_inverse, return_counts)


def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct elements of ``input`` (or distinct slices along ``dim``), in ascending order.

    With ``return_inverse`` also the index of each element's value in the result, with
    ``return_counts`` how often each value occurs. ndgrad always sorts (torch's CPU kernel does too).

    Example:
        >>> ndgrad.unique(ndgrad.tensor([3, 1, 3]), return_counts=True)
        (tensor([1, 3]), tensor([1, 2]))
    """
    return _unique_impl(input, return_inverse, return_counts, dim, False)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse each run of equal consecutive elements (or slices along ``dim``) into one."""
    return _unique_impl(input, return_inverse, return_counts, dim, True)


# -- bincount -----------------------------------------------------------------------------------------------
def bincount(input, weights=None, minlength=0):
    """Occurrences of each value in a 1-d tensor of non-negative integers (summed ``weights``).

    Example:
        >>> ndgrad.bincount(ndgrad.tensor([1, 1, 3]))
        tensor([0, 2, 0, 1])
    """
    d = input._data
    if d.dtype.kind not in "iu":
        raise _not_impl("bincount_cpu", d.dtype)
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if d.ndim != 1 or (d.size and d.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if weights is not None:
        w = weights._data
        if w.ndim != 1 or w.shape[0] != d.shape[0]:
            raise RuntimeError("weights should be 1-d and have the same length as input")
        out_dt = np.dtype(np.float32) if w.dtype == np.float32 else np.dtype(np.float64)
        res = np.bincount(d, weights=w.astype(np.float64), minlength=minlength)
        return wrap(res.astype(out_dt))
    return wrap(np.bincount(d, minlength=minlength).astype(_I64))


# -- searchsorted / bucketize -------------------------------------------------------------------------------
def _binary_search(bd, v, right, sorter):
    """torch's lower/upper bound of each value ``v`` in the innermost rows of ``bd``, vectorised."""
    n = bd.shape[-1]
    start = np.zeros(v.shape, _I64)
    end = np.full(v.shape, n, _I64)
    lead = bd.ndim > 1
    while True:
        active = start < end
        if not active.any():
            return start
        mid = start + ((end - start) >> 1)
        pos = np.minimum(mid, n - 1)
        if sorter is not None:
            pos = np.take_along_axis(sorter, pos, -1) if lead else sorter[pos]
        mv = np.take_along_axis(bd, pos, -1) if lead else bd[pos]
        go_right = ~(mv > v) if right else ~(mv >= v)
        start = np.where(active & go_right, mid + 1, start)
        end = np.where(active & ~go_right, mid, end)


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    """Indices at which ``input`` would be inserted into ``sorted_sequence`` (its innermost dim) to
    keep it sorted: the first such place, or the last with ``right=True`` / ``side='right'``.

    Example:
        >>> ndgrad.searchsorted(ndgrad.tensor([1., 2., 3.]), ndgrad.tensor([2., 0.5]))
        tensor([1, 0])
    """
    if out is not None:
        raise NotImplementedError("searchsorted(): the out= argument is not supported by ndgrad")
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left "
                               "while right was True")
        right = side == "right"
    bd = sorted_sequence._data
    scalar = not isinstance(input, Tensor)
    v = np.asarray(input if scalar else input._data)
    if bd.ndim == 0:
        raise RuntimeError("torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
                           "dimension")
    if scalar and bd.ndim != 1:
        raise RuntimeError("torch.searchsorted(): input value can be a scalar only when boundaries tensor dimension "
                           f"is 1, but we got boundaries tensor dim({bd.ndim}) and input value's dim(0) numel(1)")
    if bd.ndim != 1 and (v.ndim != bd.ndim or v.shape[:-1] != bd.shape[:-1]):
        raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions "
                           "of boundaries tensor and input value tensor must match, but we got boundaries tensor "
                           f"{list(bd.shape)} and input value tensor {list(v.shape)}")
    sd = None
    if sorter is not None:
        sd = sorter._data
        if sd.dtype != _I64:
            raise RuntimeError("torch.searchsorted(): sorter must be a tensor of long dtype but got dtype "
                               f"{_dtype.torch_type_name(sd.dtype)}")
        if sd.shape != bd.shape:
            raise RuntimeError("torch.searchsorted(): boundary and sorter must have the same size, but got boundary "
                               f"tensor {list(bd.shape)}and got sorter tensor {list(sd.shape)}")
    if bd.shape[-1] == 0:
        res = np.zeros(v.shape, _I64)
    else:
        res = _binary_search(bd, v, right, sd)
    return wrap(res.astype(np.int32) if out_int32 else res)


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """Index of the bucket of each element: ``boundaries[i-1] < x <= boundaries[i]`` (``right=False``)
    or ``boundaries[i-1] <= x < boundaries[i]`` (``right=True``)."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


# -- histograms ---------------------------------------------------------------------------------------------
def _bin_positions(x, edges, lo, hi, how):
    """Bin index of each value of ``x`` (1-d) for one dimension, -1 for values outside [lo, hi]."""
    n_edges = edges.shape[0]
    inside = (x >= lo) & (x <= hi)
    xs = np.where(inside, x, lo)
    if how == "search":
        pos = np.searchsorted(edges, xs, side="right") - 1
    else:
        with np.errstate(all="ignore"):
            scaled = (xs - lo) * (n_edges - 1) / (hi - lo)
        pos = np.where(np.isfinite(scaled), scaled, 0).astype(_I64)
        if how == "local":
            pmin = np.maximum(pos - 1, 0)
            pmax = np.minimum(pos + 2, n_edges)
            count = np.zeros(pos.shape, _I64)
            for k in range(3):
                idx = pmin + k
                count += (idx < pmax) & (edges[np.minimum(idx, n_edges - 1)] <= xs)
            pos = pmin + count - 1
    pos = np.where(pos >= n_edges - 1, n_edges - 2, pos)
    return np.where(inside, pos, -1)


def _histdd(points, edges, how, weight, density, dt):
    """Counts (or summed weights) of ``points`` (N, D) in the grid spanned by ``edges``."""
    nbins = [e.shape[0] - 1 for e in edges]
    flat = np.zeros(points.shape[0], _I64)
    keep = np.ones(points.shape[0], dtype=bool)
    for k, e in enumerate(edges):
        pos = _bin_positions(points[:, k], e, e[0], e[-1], how)
        keep &= pos >= 0
        flat = flat * nbins[k] + np.maximum(pos, 0)
    total = int(np.prod(nbins))
    w = None if weight is None else weight.reshape(-1)[keep].astype(np.float64)
    hist = np.bincount(flat[keep], weights=w, minlength=total)[:total].astype(dt).reshape(nbins)
    if density:
        hist = hist / hist.sum()
        for k, e in enumerate(edges):
            shape = [1] * len(edges)
            shape[k] = -1
            hist = hist / np.diff(e).reshape(shape)
        hist = hist.astype(dt)
    return hist


def _check_float(d, kernel):
    if d.dtype.kind != "f":
        raise _not_impl(kernel, d.dtype)


def _edges_for(col, bins, rng, k, dt, name="torch.histogramdd"):
    """(edges, how) for dimension ``k``: explicit edges (a tensor) or ``bins`` equal-width bins."""
    if isinstance(bins, Tensor):
        e = bins._data
        if e.ndim != 1:
            raise RuntimeError(f"torch.histogramdd: bins tensor should have one dimension, but got {e.ndim} "
                               f"dimensions in the bins tensor for dimension {k}")
        if e.dtype != dt:
            raise RuntimeError("torch.histogramdd: input tensor and bins tensors should have the same dtype, but got "
                               f"input with dtype {_C_NAMES.get(dt, dt)} and bins for dimension {k} with dtype "
                               f"{_C_NAMES.get(e.dtype, e.dtype)}")
        return e, "search"
    bins = operator.index(bins)
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension {k}")
    if rng is not None:
        lo, hi = float(rng[0]), float(rng[1])
    elif col.size:
        lo, hi = float(col.min()), float(col.max())
    else:
        lo, hi = 0.0, 1.0
    if lo > hi:
        raise RuntimeError(f"torch.histogramdd: min should not exceed max, but got min {_fmt(lo)} max {_fmt(hi)} "
                           f"for dimension {k}")
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histogramdd: dimension {k}'s range [{_fmt(lo)}, {_fmt(hi)}] is not finite")
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return _linspace_np(lo, hi, bins + 1, dt), "local"


def _fmt(v, c_nan=False):
    """A range bound as torch's message prints it (``-nan`` where its C++ formatting does)."""
    if np.isnan(v):
        return "-nan" if c_nan else "nan"
    if np.isinf(v):
        return "inf" if v > 0 else "-inf"
    return str(int(v)) if float(v).is_integer() else repr(float(v))


def _check_weight(d, weight, dims):
    """The weight data, checked against the input ``d`` (points in its innermost dim)."""
    if weight is None:
        return None
    w = weight._data
    if w.dtype != d.dtype:
        raise RuntimeError("torch.histogramdd: if weight tensor is provided, input tensor and weight tensor should "
                           f"have the same dtype, but got input({_C_NAMES.get(d.dtype, d.dtype)}), and "
                           f"weight({_C_NAMES.get(w.dtype, w.dtype)})")
    if w.shape != dims:
        raise RuntimeError("torch.histogramdd: if weight tensor is provided it should have the same shape as the "
                           f"input tensor excluding its innermost dimension, but got input with shape {list(d.shape)} "
                           f"and weight with shape {list(w.shape)}")
    return w


def histogram(input, bins, *, range=None, weight=None, density=False, out=None):
    """Histogram of ``input``: ``bins`` equal-width bins over ``range`` (default: the data's min/max)
    or the edges in the tensor ``bins``. Returns ``(hist, bin_edges)``.

    Example:
        >>> ndgrad.histogram(ndgrad.tensor([1., 2., 1.]), bins=2)
        torch.return_types.histogram(
        hist=tensor([2., 1.]),
        bin_edges=tensor([1.0000, 1.5000, 2.0000]))
    """
    d = input._data
    _check_float(d, "histogramdd")
    flat = d.reshape(-1)
    w = None
    if weight is not None:
        wd = weight._data
        w = _check_weight(flat.reshape(-1, 1), wrap(wd.reshape(-1)) if wd.size == flat.size else weight, flat.shape)
    edges, how = _edges_for(flat, bins, range, 0, d.dtype)
    hist = _histdd(flat.reshape(-1, 1), [edges], how, w, density, d.dtype)
    return _histogram_t((wrap(hist), wrap(edges.copy())))


def histogramdd(input, bins, *, range=None, weight=None, density=False):
    """Multi-dimensional histogram of the points in the innermost dim of ``input`` (``(..., D)``);
    ``bins`` is an int, one int per dimension, or one edges tensor per dimension."""
    d = input._data
    _check_float(d, "histogramdd")
    if d.ndim < 2:
        raise RuntimeError("torch.histogramdd: input tensor should have at least 2 dimensions, but got "
                           f"{d.ndim}")
    D = d.shape[-1]
    points = d.reshape(-1, D)
    if isinstance(bins, numbers.Integral):
        bins = [bins] * D
    bins = list(bins)
    if len(bins) != D:
        raise RuntimeError(f"torch.histogramdd: expected {D} sequences of bin edges for each of the {D} input "
                           f"dimensions, but got {len(bins)} bin sequences")
    w = _check_weight(d, weight, d.shape[:-1])
    edges, hows = [], []
    for k in builtins.range(D):
        rng = None if range is None else (range[2 * k], range[2 * k + 1])
        e, how = _edges_for(points[:, k], bins[k], rng, k, d.dtype)
        edges.append(e)
        hows.append(how)
    how = hows[0] if len(set(hows)) == 1 else "local"
    hist = _histdd(points, edges, how, w, density, d.dtype)
    return _histogramdd_t((wrap(hist), tuple(wrap(e.copy()) for e in edges)))


def histc(input, bins=100, min=0, max=0, *, out=None):
    """Histogram with ``bins`` equal-width bins over [min, max] (the data's range when both are 0);
    elements outside the range are ignored.

    Example:
        >>> ndgrad.histc(ndgrad.tensor([1., 2., 1.]), bins=4, min=0, max=3)
        tensor([0., 2., 1., 0.])
    """
    d = input._data
    _check_float(d, "histogram_cpu")
    bins = operator.index(bins)
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = d.dtype.type(min), d.dtype.type(max)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if lo == hi and d.size:
        lo, hi = d.min(), d.max()
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_fmt(lo, True)}, {_fmt(hi, True)}] is not finite")
    edges = _linspace_np(float(lo), float(hi), bins + 1, d.dtype)
    return wrap(_histdd(d.reshape(-1, 1), [edges], "linear", None, False, d.dtype))


# -- isin / unravel_index -----------------------------------------------------------------------------------
def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Boolean tensor of ``elements``' shape: whether each element occurs in ``test_elements``."""
    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin() received an invalid combination of arguments - expected at least one Tensor")
    e = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    res = np.isin(e, t, invert=invert)
    return wrap(np.asarray(res, dtype=bool))


def unravel_index(indices, shape):
    """Convert flat indices into a tuple of coordinate tensors for an array of ``shape`` (negative and
    too large indices wrap around, as in torch)."""
    indices = to_tensor(indices)
    d = indices._data
    if d.dtype.kind not in "iu":
        raise TypeError(f"expected 'indices' to be integer dtype, but got {_dtype.to_dtype(d.dtype)}")
    if isinstance(shape, numbers.Integral) and not isinstance(shape, bool):
        shape = (int(shape),)
    elif isinstance(shape, (tuple, list)) and all(isinstance(s, numbers.Integral) for s in shape):
        shape = tuple(int(s) for s in shape)
    else:
        raise TypeError(f"expected 'shape' to be int or sequence of ints, but got {type(shape)}")
    if any(s < 0 for s in shape):
        raise ValueError(f"'shape' cannot have negative values, but got {tuple(shape)}")
    rem = d.astype(_I64)
    coords = []
    for s in reversed(shape):
        if s == 0:
            coords.append(np.zeros(rem.shape, _I64))
            continue
        coords.append(np.mod(rem, s))
        rem = np.floor_divide(rem, s)
    return tuple(wrap(c) for c in reversed(coords))
