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
from .compare import where, isnan, maximum, minimum
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


# -- differentiable gather / scatter along one dim (the value-selecting backward) --------------------
class GatherBackward0(Node):
    __slots__ = ("dim", "index", "shape")

    def backward(self, grad):
        return _scatter_zeros(grad, self.index, self.dim, self.shape)


def _gather(x, index, dim):
    """``x.gather(dim, index)`` for a NumPy ``index`` (same ndim as ``x``)."""
    out = wrap(np.take_along_axis(x._data, index, dim))
    if mode.enabled and x._rg:
        node = GatherBackward0(edge(x))
        node.dim, node.index, node.shape = dim, index, x._data.shape
        attach(out, node)
        node._in_meta = [(x._data.shape, None)] if out._data.shape != x._data.shape else None
    return out


class ScatterBackward0(Node):
    __slots__ = ("dim", "index")

    def backward(self, grad):
        return _gather(grad, self.index, self.dim)


def _scatter_zeros(src, index, dim, shape):
    """``zeros(shape).scatter(dim, index, src)``; ``index`` holds distinct positions per slice."""
    data = np.zeros(shape, dtype=src._data.dtype)
    np.put_along_axis(data, index, src._data, dim)
    out = wrap(data)
    if mode.enabled and src._rg:
        node = ScatterBackward0(edge(src))
        node.dim, node.index = dim, index
        attach(out, node)
        if src._data.shape != shape:
            node._in_meta = [(src._data.shape, None)]
    return out


def _value_selecting_backward(grad, dim, index, shape, keepdim):
    """Gradient of values picked at ``index`` along ``dim`` from a tensor of ``shape``."""
    if not shape:
        return grad
    if not keepdim:
        grad = grad.unsqueeze(dim)
        index = np.expand_dims(index, dim)
    return _scatter_zeros(grad, index, dim, shape)


class _SelectBackward(Node):
    """Base of the value-selecting nodes: saved ``index`` (NumPy), ``dim``, input ``shape``."""

    __slots__ = ("dim", "index", "shape", "keepdim")

    def backward(self, grad):
        return _value_selecting_backward(grad, self.dim, self.index, self.shape, self.keepdim)


def _select_node(name):
    return type(name, (_SelectBackward,), {"__slots__": ()})


MaxBackward0 = _select_node("MaxBackward0")
MinBackward0 = _select_node("MinBackward0")
MedianBackward1 = _select_node("MedianBackward1")
SortBackward0 = _select_node("SortBackward0")
SortBackward1 = _select_node("SortBackward1")
TopkBackward0 = _select_node("TopkBackward0")
KthvalueBackward0 = _select_node("KthvalueBackward0")


def _record_select(values, input, node_cls, dim, index, keepdim):
    if mode.enabled and input._rg and values._data.dtype.kind in "fc":
        node = node_cls(edge(input))
        node.dim, node.index, node.shape, node.keepdim = dim, index, input._data.shape, keepdim
        attach(values, node)
        if values._data.shape != input._data.shape:
            node._in_meta = [(input._data.shape, None)]


# -- whole-tensor max / min / median: gradient split evenly among the elements equal to the result ------
class _EvenlyDistributeBackward(Node):
    """torch's ``evenly_distribute_backward``: ``grad / count`` at every element equal to the
    result (every NaN when the result is NaN), 0 elsewhere."""

    __slots__ = ()

    def backward(self, grad):
        x, value = self.saved
        v = value._data
        mask = isnan(x) if v.dtype.kind in "fc" and np.isnan(v) else x == value
        count = int(np.count_nonzero(mask._data))
        return where(mask, grad / count, 0.0)


MaxBackward1 = type("MaxBackward1", (_EvenlyDistributeBackward,), {"__slots__": ()})
MinBackward1 = type("MinBackward1", (_EvenlyDistributeBackward,), {"__slots__": ()})
MedianBackward0 = type("MedianBackward0", (_EvenlyDistributeBackward,), {"__slots__": ()})


def _whole(input, value, node_cls):
    out = wrap(value)
    if mode.enabled and input._rg:
        node = node_cls(edge(input))
        node.save_output(out, input)
        attach(out, node)
        if input._data.ndim:
            node._in_meta = [(input._data.shape, None)]
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
        return _whole(input, np.asarray(reduce_fn(d)), whole_cls)
    if isinstance(dim, Tensor):
        return binary(input, dim)
    d = input._data
    ax = wrap_dim(dim, d.ndim)
    if d.ndim == 0:
        values, index = wrap(d.copy()), np.zeros((), _I64)
    else:
        _nonzero_dim(d, ax, name)
        index = arg_fn(d, axis=ax, keepdims=True)
        if index.dtype != _I64:
            index = index.astype(_I64)
        v = np.take_along_axis(d, index, ax)
        if not keepdim:
            v = v.squeeze(ax)
            index = index.squeeze(ax)
        values = wrap(v)
    _record_select(values, input, dim_cls, ax, index, keepdim)
    return _new_tuple(rtype, (values, wrap(index)))


def max(input, dim=None, keepdim=False):
    """``max(x)``: the largest element; ``max(x, dim)``: ``(values, indices)`` along ``dim``;
    ``max(x, other)``: the elementwise ``maximum``.

    Example:
        >>> ndgrad.tensor([[1., 5.], [4., 2.]]).max(dim=1)
        torch.return_types.max(
        values=tensor([5., 4.]),
        indices=tensor([1, 0]))
    """
    return _minmax(input, dim, keepdim, "max", np.max, np.argmax, MaxBackward1, MaxBackward0, _max_t, maximum)


def min(input, dim=None, keepdim=False):
    """``min(x)``, ``min(x, dim)`` -> ``(values, indices)``, or ``min(x, other)`` (like ``max``)."""
    return _minmax(input, dim, keepdim, "min", np.min, np.argmin, MinBackward1, MinBackward0, _min_t, minimum)


# -- amax / amin: gradient split evenly among the ties of each slice ---------------------------------------
class AmaxBackward0(Node):
    """torch's ``scale_grad_by_count``: ``grad / (number of ties) * (x == result)``."""

    __slots__ = ("axes", "keepdim")

    def backward(self, grad):
        x, result = self.saved
        n = x.ndim
        axes = self.axes
        mask = unsqueeze_reduced(result, axes, n, self.keepdim) == x
        count = mask.sum(axes, keepdim=True, dtype=grad.dtype) if axes else mask.sum(dtype=grad.dtype)
        return (unsqueeze_reduced(grad, axes, n, self.keepdim) / count) * mask


AminBackward0 = type("AminBackward0", (AmaxBackward0,), {"__slots__": ()})


def _amaxmin(input, dim, keepdim, name, fn, node_cls):
    d = input._data
    axes = _axes(dim, d.ndim)
    if d.size == 0:
        if axes is None:
            raise _empty_error(name)
        for a in axes:
            _nonzero_dim(d, a, name)
    data = np.asarray(fn(d, axis=axes, keepdims=keepdim))
    out = wrap(data)
    if mode.enabled and input._rg:
        node = node_cls(edge(input))
        node.save_output(out, input)
        node.axes, node.keepdim = axes, keepdim
        attach(out, node)
    return out


def amax(input, dim=(), keepdim=False):
    """Largest value over ``dim`` (all dims by default); ties share the gradient equally."""
    return _amaxmin(input, dim, keepdim, "amax", np.amax, AmaxBackward0)


def amin(input, dim=(), keepdim=False):
    """Smallest value over ``dim`` (all dims by default); ties share the gradient equally."""
    return _amaxmin(input, dim, keepdim, "amin", np.amin, AminBackward0)


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
    return _arg(input, dim, keepdim, "argmax", np.argmax)


def argmin(input, dim=None, keepdim=False):
    """Index of the smallest value (of the flattened tensor, or along ``dim``); first one on ties."""
    return _arg(input, dim, keepdim, "argmin", np.argmin)


# -- sorting --------------------------------------------------------------------------------------------------
def _argsort_np(d, ax, descending):
    """Stable argsort; descending keeps equal elements in their original order and puts NaN first."""
    if not descending:
        return np.argsort(d, axis=ax, kind="stable")
    r = np.argsort(np.flip(d, ax), axis=ax, kind="stable")
    return (d.shape[ax] - 1) - np.flip(r, ax)


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
        values = wrap(np.take_along_axis(d, index, ax))
    _record_select(values, input, SortBackward0 if stable is None else SortBackward1, ax, index, True)
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
            order = _argsort_np(np.take_along_axis(d, cand, ax), ax, largest)
            index = np.take_along_axis(cand, order, ax)
        else:
            index = _argsort_np(d, ax, largest)
            if k < n:
                index = index[(slice(None),) * ax + (slice(0, k),)]
        if index.dtype != _I64:
            index = index.astype(_I64)
        values = wrap(np.take_along_axis(d, index, ax))
    _record_select(values, input, TopkBackward0, ax, index, True)
    return _new_tuple(_topk_t, (values, wrap(index)))


def _kth_select(d, ax, k):
    """Index (keepdims) of the k-th smallest element (0-based) along ``ax``; ties resolved in order."""
    order = np.argsort(d, axis=ax, kind="stable")
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
        values, index = wrap(d.copy()), np.zeros((), _I64)
    else:
        _nonzero_dim(d, ax, "kthvalue")
        if not 1 <= k <= d.shape[ax]:
            raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {ax}")
        index = _kth_select(d, ax, k - 1).astype(_I64, copy=False)
        v = np.take_along_axis(d, index, ax)
        if not keepdim:
            v = v.squeeze(ax)
            index = index.squeeze(ax)
        values = wrap(v)
    _record_select(values, input, KthvalueBackward0, ax, index, keepdim)
    return _new_tuple(_kthvalue_t, (values, wrap(index)))


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
        values, index = wrap(d.copy()), np.zeros((), _I64)
    else:
        _nonzero_dim(d, ax, "median")
        index = _kth_select(d, ax, (d.shape[ax] - 1) // 2).astype(_I64, copy=False)
        if is_float:
            nan = np.isnan(d)
            has_nan = nan.any(axis=ax, keepdims=True)
            if has_nan.any():  # the median of a slice holding NaN is NaN, at its first NaN
                index = np.where(has_nan, np.argmax(nan, axis=ax, keepdims=True), index)
        v = np.take_along_axis(d, index, ax)
        if not keepdim:
            v = v.squeeze(ax)
            index = index.squeeze(ax)
        values = wrap(v)
    _record_select(values, input, MedianBackward1, ax, index, keepdim)
    return _new_tuple(_median_t, (values, wrap(index)))


def _attach():
    g = globals()
    for name in __all__:
        if name != "return_types":
            setattr(Tensor, name, g[name])


_attach()
