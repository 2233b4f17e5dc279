"""Value-selecting reductions and sorting: max/min, amax/amin, argmax/argmin, median, sort, argsort,
topk, kthvalue, msort.

Forms with ``dim`` return torch's named tuples (``values``, ``indices``), printed as
``torch.return_types.max(...)``. Gradients flow through the values only:

* an op that picks one element per slice (``max(dim)``, ``median(dim)``, ``sort``, ``topk``,
  ``kthvalue``) sends the gradient back to the picked positions, ``zeros.scatter(dim, indices,
  grad)`` (torch's ``value_selecting_reduction_backward``);
* the whole-tensor ``max()`` / ``min()`` / ``median()`` split the gradient evenly among the
  elements equal to the result, and ``amax`` / ``amin`` evenly among the ties of each slice.

The gather/scatter pair used by those formulas is defined here as two small differentiable ops
(each is the other's backward), so the formulas are differentiable again.
"""
import operator
import sys
import types

import numpy as np

from ._core import Node, Tensor, wrap, edge, mode, attach, wrap_dim
from .compare import where, maximum, minimum
from .reduction import _axes, unsqueeze_reduced

__all__ = ["max", "min", "amax", "amin", "argmax", "argmin", "median", "sort", "argsort", "topk", "kthvalue",
           "msort", "return_types"]

_I64 = np.dtype(np.int64)


# -- torch.return_types ------------------------------------------------------------------------------
return_types = types.ModuleType(
    "ndgrad.return_types", "Named tuples returned by max/min/median/sort/topk/kthvalue (torch.return_types).")
sys.modules.setdefault("ndgrad.return_types", return_types)


class _StructSeq(tuple):
    """A tuple with named fields, printed like torch's ``torch.return_types.*`` structseqs."""

    __slots__ = ()
    _fields = ()

    def __new__(cls, sequence):
        sequence = tuple(sequence)
        if len(sequence) != len(cls._fields):
            raise TypeError(f"torch.return_types.{cls.__name__}() takes a {len(cls._fields)}-sequence "
                            f"({len(sequence)}-sequence given)")
        return tuple.__new__(cls, sequence)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{type(self).__name__}(\n{body})"

    __str__ = __repr__

    def __reduce__(self):
        return (type(self), (tuple(self),))


def _return_type(name, fields=("values", "indices")):
    ns = {"__slots__": (), "_fields": fields, "n_fields": len(fields), "n_sequence_fields": len(fields),
          "n_unnamed_fields": 0, "__module__": "ndgrad.return_types", "__qualname__": name}
    for i, f in enumerate(fields):
        ns[f] = property(operator.itemgetter(i), doc=f"Alias for field number {i}")
    cls = type(name, (_StructSeq,), ns)
    setattr(return_types, name, cls)
    return cls


_max_t = _return_type("max")
_min_t = _return_type("min")
_median_t = _return_type("median")
_sort_t = _return_type("sort")
_topk_t = _return_type("topk")
_kthvalue_t = _return_type("kthvalue")
_new_tuple = tuple.__new__


def _take_along(d, index, ax):
    """``np.take_along_axis(d, index, ax)`` with less Python overhead (no argument checks)."""
    nd = d.ndim
    if nd == 1:
        return d[index]
    ix = []
    for i in range(nd):
        if i == ax:
            ix.append(index)
        else:
            sh = [1] * nd
            sh[i] = d.shape[i]
            ix.append(np.arange(d.shape[i]).reshape(sh))
    return d[tuple(ix)]


# -- differentiable gather / scatter along one dim (the value-selecting backward) --------------------
class GatherBackward0(Node):
    __slots__ = ("dim", "index", "shape")

    def backward(self, grad):
        return _scatter_zeros(grad, self.index, self.dim, self.shape)


def _gather(x, index, dim, out_shape):
    """``x.gather(dim, index)`` for a NumPy ``index`` (same ndim as ``x``), reshaped to ``out_shape``
    (the index shape with the gathered dim possibly dropped)."""
    data = _take_along(x._data, index, dim)
    out = wrap(data.reshape(out_shape) if data.shape != out_shape else data)
    if mode.enabled and x._rg:
        node = GatherBackward0(edge(x))
        node.dim, node.index, node.shape = dim, index, x._data.shape
        attach(out, node)
    return out


class ScatterBackward0(Node):
    __slots__ = ("dim", "index", "shape")

    def backward(self, grad):
        return _gather(grad, self.index, self.dim, self.shape)


def _scatter_zeros(src, index, dim, shape):
    """``zeros(shape).scatter(dim, index, src)`` where ``index`` (same ndim as ``shape``) holds
    distinct positions per slice and ``src`` has its shape, or that shape without ``dim``."""
    sd = src._data
    data = np.zeros(shape, dtype=sd.dtype)
    np.put_along_axis(data, index, sd.reshape(index.shape) if sd.shape != index.shape else sd, dim)
    out = wrap(data)
    if mode.enabled and src._rg:
        node = ScatterBackward0(edge(src))
        node.dim, node.index, node.shape = dim, index, sd.shape
        attach(out, node)
    return out


class _SelectBackward(Node):
    """Base of the value-selecting nodes (torch's ``value_selecting_reduction_backward``): the
    gradient goes to the positions ``index`` (NumPy, same ndim as the input) along ``dim``."""

    __slots__ = ("dim", "index", "shape")

    def backward(self, grad):
        if not self.shape:
            return grad
        return _scatter_zeros(grad, self.index, self.dim, self.shape)


def _select_node(name):
    return type(name, (_SelectBackward,), {"__slots__": ()})


MaxBackward0 = _select_node("MaxBackward0")
MinBackward0 = _select_node("MinBackward0")
MedianBackward1 = _select_node("MedianBackward1")
SortBackward0 = _select_node("SortBackward0")
SortBackward1 = _select_node("SortBackward1")
TopkBackward0 = _select_node("TopkBackward0")
KthvalueBackward0 = _select_node("KthvalueBackward0")


def _record_select(values, input, node_cls, dim, index):
    """Make ``values`` differentiable; ``index`` keeps the reduced dim (keepdim form)."""
    if mode.enabled and input._rg:
        node = node_cls(edge(input))
        node.dim, node.index, node.shape = dim, index, input._data.shape
        attach(values, node)


# -- whole-tensor max / min / median: gradient split evenly among the elements equal to the result ------
class _EvenlyDistributeBackward(Node):
    """torch's ``evenly_distribute_backward``: ``grad / count`` at every element equal to the
    result (every NaN when the result is NaN), 0 elsewhere."""

    __slots__ = ()

    def backward(self, grad):
        x, value = self.saved
        xd, v = x._data, value._data
        mask = np.isnan(xd) if v.dtype.kind in "fc" and np.isnan(v) else xd == v  # a constant
        return where(wrap(mask), grad / int(np.count_nonzero(mask)), 0.0)


MaxBackward1 = type("MaxBackward1", (_EvenlyDistributeBackward,), {"__slots__": ()})
MinBackward1 = type("MinBackward1", (_EvenlyDistributeBackward,), {"__slots__": ()})
MedianBackward0 = type("MedianBackward0", (_EvenlyDistributeBackward,), {"__slots__": ()})


def _whole(input, value, node_cls):
    out = wrap(value)
    if mode.enabled and input._rg:
        node = node_cls(edge(input))
        node.save_output(out, input)
        attach(out, node)
    return out


def _empty_error(name):
    return RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                        "reduction dim with the 'dim' argument.")


def _nonzero_dim(d, ax, name):
    if d.shape[ax] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {ax} to have non-zero size.")


# -- max / min ---------------------------------------------------------------------------------------------
def _minmax(input, dim, keepdim, name, reduce_fn, arg_fn, whole_cls, dim_cls, rtype, binary):
    if dim is None:
        d = input._data
        if d.size == 0:
            raise _empty_error(name)
        return _whole(input, np.asarray(reduce_fn(d, axis=None)), whole_cls)
    if isinstance(dim, Tensor):
        return binary(input, dim)
    d = input._data
    ax = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        values, index = wrap(d.copy()), np.zeros((), _I64)
        out_index = index
    else:
        _nonzero_dim(d, ax, name)
        index = arg_fn(d, axis=ax, keepdims=True)
        if index.dtype != _I64:
            index = index.astype(_I64)
        v = reduce_fn(d, axis=ax, keepdims=keepdim)  # one pass, no gather: the value at ``index``
        values = wrap(v)
        out_index = index if keepdim else index.reshape(v.shape)
    _record_select(values, input, dim_cls, ax, index)
    return _new_tuple(rtype, (values, wrap(out_index)))


def max(input, dim=None, keepdim=False):
    """``max(x)``: the largest element; ``max(x, dim)``: ``(values, indices)`` along ``dim``;
    ``max(x, other)``: the elementwise ``maximum``.

    Example:
        >>> ndgrad.tensor([[1., 5.], [4., 2.]]).max(dim=1)
        torch.return_types.max(
        values=tensor([5., 4.]),
        indices=tensor([1, 0]))
    """
    return _minmax(input, dim, keepdim, "max", np.maximum.reduce, np.ndarray.argmax, MaxBackward1, MaxBackward0,
                   _max_t, maximum)


def min(input, dim=None, keepdim=False):
    """``min(x)``, ``min(x, dim)`` -> ``(values, indices)``, or ``min(x, other)`` (like ``max``)."""
    return _minmax(input, dim, keepdim, "min", np.minimum.reduce, np.ndarray.argmin, MinBackward1, MinBackward0,
                   _min_t, minimum)


# -- amax / amin: gradient split evenly among the ties of each slice ---------------------------------------
class AmaxBackward0(Node):
    """torch's ``scale_grad_by_count``: ``grad / (number of ties) * (x == result)``.

    The weights ``(x == result) / count`` are piecewise constant in ``x`` (zero derivative), so they
    are computed once in NumPy; the formula stays linear in ``grad`` and differentiable."""

    __slots__ = ("axes", "keepdim")

    def backward(self, grad):
        x, result = self.saved
        xd, axes = x._data, self.axes
        r = result._data
        if not self.keepdim and xd.ndim:
            r = r.reshape(_kept_shape(xd.shape, axes))
        mask = xd == r
        count = np.add.reduce(mask, axis=axes, keepdims=True, dtype=grad._data.dtype)
        weights = wrap(mask / count)
        return unsqueeze_reduced(grad, axes, xd.ndim, self.keepdim) * weights


def _kept_shape(shape, axes):
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


AminBackward0 = type("AminBackward0", (AmaxBackward0,), {"__slots__": ()})


def _amaxmin(input, dim, keepdim, name, fn, node_cls):
    d = input._data
    axes = _axes(dim, d.ndim)
    if d.size == 0:
        if axes is None:
            raise _empty_error(name)
        for a in axes:
            _nonzero_dim(d, a, name)
    data = fn(d, axis=axes, keepdims=keepdim)
    if data.__class__ is not np.ndarray:
        data = np.asarray(data)
    out = wrap(data)
    if mode.enabled and input._rg:
        node = node_cls(edge(input))
        node.save_output(out, input)
        node.axes, node.keepdim = axes, keepdim
        attach(out, node)
    return out


def amax(input, dim=(), keepdim=False):
    """Largest value over ``dim`` (all dims by default); ties share the gradient equally."""
    return _amaxmin(input, dim, keepdim, "amax", np.maximum.reduce, AmaxBackward0)


def amin(input, dim=(), keepdim=False):
    """Smallest value over ``dim`` (all dims by default); ties share the gradient equally."""
    return _amaxmin(input, dim, keepdim, "amin", np.minimum.reduce, AminBackward0)


# -- argmax / argmin ---------------------------------------------------------------------------------------
def _arg(input, dim, keepdim, name, fn):
    d = input._data
    if d.dtype == np.bool_:
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if d.size == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        idx = np.asarray(fn(d), dtype=_I64)
        return wrap(idx.reshape((1,) * d.ndim) if keepdim else idx)
    ax = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        return wrap(np.zeros((), _I64))
    _nonzero_dim(d, ax, name)
    idx = fn(d, axis=ax, keepdims=keepdim)
    return wrap(idx if idx.dtype == _I64 else idx.astype(_I64))


def argmax(input, dim=None, keepdim=False):
    """Index of the largest value (of the flattened tensor, or along ``dim``); first one on ties."""
    return _arg(input, dim, keepdim, "argmax", np.ndarray.argmax)


def argmin(input, dim=None, keepdim=False):
    """Index of the smallest value (of the flattened tensor, or along ``dim``); first one on ties."""
    return _arg(input, dim, keepdim, "argmin", np.ndarray.argmin)


# -- sorting --------------------------------------------------------------------------------------------------
def _argsort_np(d, ax, descending):
    """Stable argsort; descending keeps equal elements in their original order and puts NaN first."""
    if not descending:
        return d.argsort(axis=ax, kind="stable")
    rev = (slice(None),) * ax + (slice(None, None, -1),)  # np.flip's view, without its overhead
    r = d[rev].argsort(axis=ax, kind="stable")
    return (d.shape[ax] - 1) - r[rev]


def _sort_dim(d, dim):
    return wrap_dim(dim, d.ndim)


def sort(input, dim=-1, descending=False, stable=None):
    """Sorted values and the permutation that sorts them, along ``dim``.

    ndgrad's sort is always stable (equal elements keep their order); NaN sorts last (first when
    ``descending``), as in torch.

    Example:
        >>> ndgrad.tensor([3., 1., 2.]).sort()
        torch.return_types.sort(
        values=tensor([1., 2., 3.]),
        indices=tensor([1, 2, 0]))
    """
    d = input._data
    ax = _sort_dim(d, dim)
    if d.ndim == 0:
        values, index = wrap(d.copy()), np.zeros((), _I64)
    else:
        index = _argsort_np(d, ax, descending)
        # ascending: np.sort's stable order is argsort's; it is cheaper than gathering
        values = wrap(np.sort(d, axis=ax, kind="stable") if not descending else _take_along(d, index, ax))
    _record_select(values, input, SortBackward0 if stable is None else SortBackward1, ax, index)
    return _new_tuple(_sort_t, (values, wrap(index)))


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim`` (stable)."""
    d = input._data
    ax = _sort_dim(d, dim)
    if d.ndim == 0:
        return wrap(np.zeros((), _I64))
    return wrap(_argsort_np(d, ax, descending))


def msort(input):
    """``sort(input, dim=0).values``."""
    return sort(input, 0)[0]


def topk(input, k, dim=-1, largest=True, sorted=True):
    """The ``k`` largest (or smallest) values along ``dim`` and their indices.

    The values come back in sorted order (also with ``sorted=False``, which torch allows). Which of
    several equal values is picked at the boundary is unspecified, as in torch.
    """
    d = input._data
    ax = _sort_dim(d, dim)
    n = d.shape[ax] if d.ndim else 1
    k = operator.index(k)
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")
    if d.dtype == np.bool_:
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if d.ndim == 0:
        values = wrap(d.copy())  # torch returns the element itself for k = 0 and k = 1
        index = np.zeros((), _I64)
    else:
        if 0 < k < n and n > 32:  # partial selection, then sort only the k candidates
            kth = n - k if largest else k - 1
            part = np.argpartition(d, kth, axis=ax)
            sl = (slice(None),) * ax + ((slice(n - k, None) if largest else slice(0, k)),)
            cand = part[sl]
            order = _argsort_np(_take_along(d, cand, ax), ax, largest)
            index = _take_along(cand, order, ax)
        else:
            index = _argsort_np(d, ax, largest)
            if k < n:
                index = index[(slice(None),) * ax + (slice(0, k),)]
        if index.dtype != _I64:
            index = index.astype(_I64)
        values = wrap(_take_along(d, index, ax))
    _record_select(values, input, TopkBackward0, ax, index)
    return _new_tuple(_topk_t, (values, wrap(index)))


def _kth_select(d, ax, k):
    """Index (keepdims) of the k-th smallest element (0-based) along ``ax``; ties resolved in order."""
    order = d.argsort(axis=ax, kind="stable")
    return order[(slice(None),) * ax + (slice(k, k + 1),)]


def kthvalue(input, k, dim=-1, keepdim=False):
    """The ``k``-th smallest value (1-based) along ``dim`` and its index."""
    d = input._data
    if d.dtype == np.bool_:
        raise NotImplementedError("\"kthvalue_cpu\" not implemented for 'Bool'")
    ax = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        if k != 1:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {ax}")
        index = np.zeros((), _I64)
    else:
        _nonzero_dim(d, ax, "kthvalue")
        if not 1 <= k <= d.shape[ax]:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {ax}")
        index = _kth_select(d, ax, k - 1).astype(_I64, copy=False)
    return _selected(input, ax, index, keepdim, KthvalueBackward0, _kthvalue_t)


def _selected(input, ax, index, keepdim, node_cls, rtype):
    """``(values, indices)`` for one picked position per slice (``index`` in keepdim form)."""
    d = input._data
    if d.ndim == 0:
        values, out_index = wrap(d.copy()), index
    else:
        v = _take_along(d, index, ax)
        out_index = index
        if not keepdim:
            shape = d.shape[:ax] + d.shape[ax + 1:]
            v = v.reshape(shape)
            out_index = index.reshape(shape)
        values = wrap(v)
    _record_select(values, input, node_cls, ax, index)
    return _new_tuple(rtype, (values, wrap(out_index)))


def median(input, dim=None, keepdim=False):
    """The lower median (no averaging of the two middle values, as torch); NaN if any is NaN.

    ``median(x)`` is a 0-d tensor (gradient split evenly among the elements equal to it);
    ``median(x, dim)`` returns ``(values, indices)``.
    """
    d = input._data
    if d.dtype == np.bool_:
        raise NotImplementedError("\"median_cpu\" not implemented for 'Bool'")
    is_float = d.dtype.kind in "fc"
    if dim is None:
        flat = d.reshape(-1)
        if flat.size == 0:
            value = np.asarray(np.nan, dtype=d.dtype) if is_float else np.zeros((), d.dtype)
        elif is_float and np.isnan(flat).any():
            value = np.asarray(np.nan, dtype=d.dtype)
        else:
            k = (flat.size - 1) // 2
            value = np.asarray(np.partition(flat, k)[k])
        return _whole(input, value, MedianBackward0)
    ax = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        index = np.zeros((), _I64)
    else:
        _nonzero_dim(d, ax, "median")
        index = _kth_select(d, ax, (d.shape[ax] - 1) // 2).astype(_I64, copy=False)
        if is_float:
            nan = np.isnan(d)
            has_nan = nan.any(axis=ax, keepdims=True)
            if has_nan.any():  # the median of a slice holding NaN is NaN, at its first NaN
                index = np.where(has_nan, nan.argmax(axis=ax, keepdims=True), index)
    return _selected(input, ax, index, keepdim, MedianBackward1, _median_t)


def _attach():
    g = globals()
    for name in __all__:
        if name != "return_types":
            setattr(Tensor, name, g[name])


_attach()
