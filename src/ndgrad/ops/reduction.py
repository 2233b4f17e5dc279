"""Reductions: sum, mean, nansum/nanmean, prod, var/std (+ _mean), logsumexp, norm, all/any,
count_nonzero.

Backward of a reduction over ``dims`` re-inserts the reduced axes (when ``keepdim=False``) and
broadcasts back with ``expand_reduced`` (one recorded op), so every formula stays differentiable.
Formulas follow torch's ``derivatives.yaml`` / ``FunctionsManual.cpp``, including its conventions at
the awkward points: prod with zeros, std at zero spread, fewer elements than the correction. Forward
passes call the NumPy ufunc reductions (``np.add.reduce`` ...) directly: the ``np.sum``-style
wrappers cost several microseconds per call.

The scans (cumsum/cumprod) live in cumulative.py; the value-selecting reductions (max/min, median,
sort, topk ...) in sorting.py; the vector and matrix norms behind ``norm`` in ndgrad/linalg.py.
"""
import math
import warnings

import numpy as np

from .. import _dtype
from ._core import Node, Tensor, wrap, edge, mode, attach, dims_arg, wrap_dim
from .compare import where
from .cumulative import cumprod, _flip, _shift
from .unary import exp

_add = np.add.reduce  # the ufunc reductions directly: np.sum & co add several microseconds per call
_mul = np.multiply.reduce
_max = np.maximum.reduce

__all__ = ["sum", "mean", "nansum", "nanmean", "prod", "var", "std", "var_mean", "std_mean", "logsumexp",
           "norm", "all", "any", "count_nonzero"]

# torch's ScalarType names, used in its error messages ("... Got Long").
_TYPE_NAMES = {np.dtype(np.float16): "Half", np.dtype(np.float32): "Float", np.dtype(np.float64): "Double",
               np.dtype(np.int8): "Char", np.dtype(np.int16): "Short", np.dtype(np.int32): "Int",
               np.dtype(np.int64): "Long", np.dtype(np.uint8): "Byte", np.dtype(np.bool_): "Bool",
               np.dtype(np.complex64): "ComplexFloat", np.dtype(np.complex128): "ComplexDouble"}


def type_name(np_dtype):
    """torch's name for a dtype in error messages: Float, Long, Bool ..."""
    return _TYPE_NAMES.get(np_dtype, str(np_dtype))


# -- shared helpers ------------------------------------------------------------------------------
def _axes(dim, ndim):
    """None (all axes) or a sorted tuple of non-negative axes.

    ``dim=()`` / ``[]`` means all axes, as in torch. A 0-d tensor accepts dim 0 / -1 and reduces
    nothing (the result is the element itself), so its axes are ``()``.
    """
    if dim is None:
        return None
    if dim.__class__ is int:
        axes = (wrap_dim(dim, ndim),)
    elif isinstance(dim, (tuple, list)):
        if not dim:
            return None
        axes = tuple(sorted(wrap_dim(d, ndim) for d in dim))
        for i in range(1, len(axes)):
            if axes[i] == axes[i - 1]:
                raise RuntimeError(f"dim {axes[i]} appears multiple times in the list of dims")
    else:
        axes = dims_arg(dim, ndim)
    return axes if ndim else ()


def _numel(shape, axes):
    """Number of elements reduced over ``axes`` (all when None)."""
    n = 1
    for a in (range(len(shape)) if axes is None else axes):
        n *= shape[a]
    return n


class ExpandBackward0(Node):
    """Backward of ``expand_reduced``: sum the broadcast gradient over the reduced axes again."""

    __slots__ = ("axes", "keepdim", "shape")

    def backward(self, grad):
        if self.axes is None:
            g = grad.sum()
            return g.reshape(self.shape) if self.shape else g
        return grad.sum(self.axes, keepdim=self.keepdim)


def expand_reduced(grad, shape, axes, keepdim):
    """Broadcast a reduction's gradient back to the input ``shape``.

    One fused op (instead of ``unsqueeze`` per axis + ``expand``): the result is a read-only
    broadcast view of ``grad``, recorded with its own node so it stays differentiable.
    """
    gd = grad._data
    if axes is None:
        kshape = (1,) * len(shape)
    elif keepdim:
        kshape = gd.shape
    else:
        k = list(shape)
        for a in axes:
            k[a] = 1
        kshape = tuple(k)
    out = wrap(broadcast_view(gd, kshape, shape))
    if mode.enabled and grad._rg:
        node = ExpandBackward0(edge(grad))
        node.axes, node.keepdim, node.shape = axes, keepdim, gd.shape
        attach(out, node)
    return out


def broadcast_view(d, kshape, shape):
    """``np.broadcast_to(d.reshape(kshape), shape)`` without its Python overhead (read-only)."""
    if d.shape != kshape:
        d = d.reshape(kshape)
    if kshape == shape:
        return d
    if not d.flags.c_contiguous or d.size == 0 or 0 in shape:
        return np.broadcast_to(d, shape)
    strides = [0] * len(shape)
    step = d.itemsize
    for i in range(len(shape) - 1, -1, -1):
        k = kshape[i]
        if k != 1:
            strides[i] = step
            step *= k
    out = np.ndarray(shape, d.dtype, d, 0, tuple(strides))
    out.flags.writeable = False
    return out


def unsqueeze_reduced(t, axes, ndim, keepdim):
    """Re-insert reduced axes as size-1 dims (torch's ``unsqueeze_multiple``), as one reshape."""
    if keepdim or not ndim:
        return t
    if axes is None:
        return t.reshape((1,) * ndim) if t.ndim == 0 else t
    shape = list(t.shape)
    for ax in axes:
        shape.insert(ax, 1)
    return t.reshape(tuple(shape))


def _as_array(data):
    return data if data.__class__ is np.ndarray else np.asarray(data)


# -- sum / mean / nansum / nanmean ---------------------------------------------------------------
class SumBackward0(Node):
    """Full sum (``x.sum()``)."""

    __slots__ = ("shape",)

    def backward(self, grad):
        return expand_reduced(grad, self.shape, None, False) if self.shape else grad


class SumBackward1(Node):
    """Sum over ``dim``."""

    __slots__ = ("shape", "axes", "keepdim")

    def backward(self, grad):
        return expand_reduced(grad, self.shape, self.axes, self.keepdim)


def _sum_dtype(d, dtype):
    if dtype is not None:
        return _dtype.to_dtype(dtype).np
    if d.dtype.kind in "biu":  # torch sums bool and integer tensors in int64
        return np.int64
    return None


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of all elements, or over ``dim`` (int or tuple); integer and bool inputs sum in int64.

    Example:
        >>> ndgrad.tensor([[1., 2.], [3., 4.]]).sum(dim=0)
        tensor([4., 6.])
    """
    d = input._data
    axes = None if dim is None else _axes(dim, d.ndim)
    np_dt = _sum_dtype(d, dtype) if (dtype is not None or d.dtype.kind in "biu") else None
    data = _add(d, axis=axes, dtype=np_dt, keepdims=keepdim)
    if data.__class__ is not np.ndarray:
        data = np.asarray(data)
    out = wrap(data)
    if mode.enabled and input._rg:
        if dim is None:
            node = SumBackward0(edge(input))
        else:
            node = SumBackward1(edge(input))
            node.axes = axes
            node.keepdim = keepdim
        node.shape = d.shape
        attach(out, node)
        if data.dtype != d.dtype:
            node._in_meta = [(None, d.dtype)]
    return out


class NansumBackward0(Node):
    """``grad * ~isnan(x)``."""

    __slots__ = ("axes", "keepdim")

    def backward(self, grad):
        (x,) = self.saved
        return expand_reduced(grad, tuple(x.shape), self.axes, self.keepdim) * (x == x)


def nansum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum treating NaN as zero (its gradient is 0 at the NaN entries).

    Example:
        >>> ndgrad.nansum(ndgrad.tensor([1., float("nan"), 2.]))
        tensor(3.)
    """
    d = input._data
    axes = _axes(dim, d.ndim)
    np_dt = _sum_dtype(d, dtype)
    if d.dtype.kind in "fc":
        d = np.where(d != d, 0, d)
    data = _add(d, axis=axes, keepdims=keepdim, dtype=np_dt)
    out = wrap(_as_array(data))
    if mode.enabled and input._rg:
        node = NansumBackward0(edge(input))
        node.save(input)
        node.axes = axes
        node.keepdim = keepdim
        attach(out, node)
        if out._data.dtype != input._data.dtype:
            node._in_meta = [(None, input._data.dtype)]
    return out


class MeanBackward0(Node):
    __slots__ = ("shape", "axes", "keepdim", "count")

    def backward(self, grad):
        return expand_reduced(grad / self.count, self.shape, self.axes, self.keepdim)


MeanBackward1 = type("MeanBackward1", (MeanBackward0,), {"__slots__": ()})


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Arithmetic mean; floating (or complex) inputs only, as in torch."""
    d = input._data
    if dtype is None and d.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex "
            f"dtype. Got: {type_name(d.dtype)}")
    axes = None if dim is None else _axes(dim, d.ndim)
    want = d.dtype if dtype is None else _dtype.to_dtype(dtype).np
    # float16 accumulates in float32 (as np.mean and torch do); 0 elements give NaN
    acc = np.float32 if want == np.float16 else want
    n = d.size if axes is None else _numel(d.shape, axes)
    data = _add(d, axis=axes, dtype=acc, keepdims=keepdim) / n
    if data.__class__ is not np.ndarray:
        data = np.asarray(data)
    if data.dtype != want:
        data = data.astype(want)
    out = wrap(data)
    if mode.enabled and input._rg:
        node = (MeanBackward0 if dim is None else MeanBackward1)(edge(input))
        node.shape = d.shape
        node.axes = axes
        node.keepdim = keepdim
        node.count = n
        attach(out, node)
        if data.dtype != d.dtype:
            node._in_meta = [(None, d.dtype)]
    return out


def nanmean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean of the non-NaN elements (torch's composite: nansum / count of non-NaN).

    Example:
        >>> ndgrad.tensor([1., float("nan"), 2.]).nanmean()
        tensor(1.5000)
    """
    d = input._data
    if d.dtype.kind not in "fc":
        raise RuntimeError(
            f"nanmean(): expected input to have floating point or complex dtype but got {type_name(d.dtype)}")
    count = wrap(np.asarray(_add(d == d, axis=_axes(dim, d.ndim), keepdims=keepdim, dtype=d.dtype)))
    return nansum(input, dim, keepdim, dtype=dtype) / count


# -- prod ------------------------------------------------------------------------------------------
class ProdBackward0(Node):
    """Full product: ``grad * result / x`` without zeros, else the zero-safe formula (torch's)."""

    __slots__ = ()

    def backward(self, grad):
        x, result = self.saved
        if x.ndim == 0:
            return grad
        if x._data.dtype.kind == "c":  # grad * conj(d result / d x): the same formulas on conj(x)
            x, result = x.conj(), result.conj()
        zeros = int(np.count_nonzero(x._data == 0))
        if zeros == 0:
            return grad * (result / x)
        if zeros > 1 and not mode.enabled:
            return wrap(np.zeros(x._data.shape, dtype=grad._data.dtype))
        flat = x.reshape(-1)
        return _prod_safe_zeros_backward(grad.reshape(1), flat, 0).reshape(tuple(x.shape))


class ProdBackward1(Node):
    """Product over ``dim``."""

    __slots__ = ("dim", "keepdim")

    def backward(self, grad):
        x, result = self.saved
        if x.ndim == 0:
            return grad
        if x._data.dtype.kind == "c":  # grad * conj(d result / d x): the same formulas on conj(x)
            x, result = x.conj(), result.conj()
        dim = self.dim
        if not self.keepdim:
            grad = grad.unsqueeze(dim)
            result = result.unsqueeze(dim)
        if not (x._data == 0).any():
            return grad * (result / x)
        return _prod_safe_zeros_backward(grad, x, dim)


def _prod_safe_zeros_backward(grad, x, dim):
    """``grad * (exclusive cumprod from the left * exclusive cumprod from the right)``.

    For ``[a, b, c]``: ``[1, a, ab] * [bc, c, 1] = [bc, ac, ab]``: the product of the others, exact
    (and differentiable again) when some entries are zero.
    """
    if x._data.size == 0:
        return grad.expand(tuple(x.shape))
    left = cumprod(_shift(x, dim, 1.0), dim)
    right = _flip(cumprod(_shift(_flip(x, dim), dim, 1.0), dim), dim)
    return grad * (left * right)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of all elements, or over one ``dim``; integer and bool inputs give int64.

    Example:
        >>> ndgrad.tensor([[1., 2.], [3., 4.]]).prod(1)
        tensor([ 2., 12.])
    """
    d = input._data
    if dim is not None and dim.__class__ is not int:
        if isinstance(dim, (tuple, list)):
            raise TypeError(f"prod(): argument 'dim' must be int, not {type(dim).__name__}")
        dim = int(dim)
    np_dt = _sum_dtype(d, dtype)
    if dim is None:
        data = np.asarray(_mul(d, axis=None, dtype=np_dt))
    else:
        ax = wrap_dim(dim, d.ndim)
        if d.ndim:
            data = _mul(d, axis=ax, keepdims=keepdim, dtype=np_dt)
        else:
            data = d.astype(np_dt) if np_dt is not None else d.copy()
    out = wrap(data)
    if mode.enabled and input._rg:
        if dim is None:
            node = ProdBackward0(edge(input))
        else:
            node = ProdBackward1(edge(input))
            node.dim = ax
            node.keepdim = keepdim
        node.save_output(out, input)
        attach(out, node)
        if data.dtype != d.dtype:
            node._in_meta = [(None, d.dtype)]
    return out


# -- variance and standard deviation -----------------------------------------------------------------
def _var_args(name, dim, unbiased, correction):
    """Resolve torch's overloads: ``var(x, True)``, ``var(x, dim, unbiased)``, ``correction=``."""
    if isinstance(dim, bool):  # var(x, unbiased)
        if unbiased is not None:
            raise TypeError(f"{name}(): argument 'dim' must be tuple of ints, not bool")
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}(): pass either 'unbiased' or 'correction', not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    return dim, correction


def _var_data(d, axes, correction, keepdim, name, take_sqrt):
    if d.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    n = _numel(d.shape, axes)
    dof = n - correction
    if dof <= 0:
        warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                      "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=4)
        dof = 0.0
    # 0/0 -> nan and x/0 -> inf as in torch (ndgrad keeps NumPy's FP warnings off)
    dev = d - _add(d, axis=axes, keepdims=True) / n
    sq = (dev * dev.conj()).real if d.dtype.kind == "c" else dev * dev
    data = _add(sq, axis=axes, keepdims=keepdim) / dof
    if take_sqrt:
        data = np.sqrt(data)
    return (data if data.__class__ is np.ndarray else np.asarray(data)), n


def _var_backward(grad, x, axes, correction, keepdim, n):
    """torch's ``var_backward``: ``2 / (n - correction) * grad * (x - mean)``."""
    dof = n - correction
    if axes is None or x.ndim == 0:
        if dof <= 0:
            nan_or_inf = where(x == x.mean(), math.nan, wrap(np.asarray(math.inf, dtype=x._data.dtype)))
            return grad * nan_or_inf
        return (2.0 / dof) * grad * (x - x.mean())
    grad = unsqueeze_reduced(grad, axes, x.ndim, keepdim)
    scale = 2.0 / dof if dof != 0 else math.inf
    return scale * grad * (x - x.mean(axes, keepdim=True))


def _std_grad_var(grad, result):
    """``grad / (2 * std)``, 0 where std == 0 (torch's convention)."""
    return where(result == 0, 0.0, grad / (result * 2))


class VarBackward0(Node):
    __slots__ = ("axes", "correction", "keepdim", "n")

    def backward(self, grad):
        (x,) = self.saved
        return _var_backward(grad, x, self.axes, self.correction, self.keepdim, self.n)


class StdBackward0(VarBackward0):
    __slots__ = ()

    def backward(self, grad):
        x, result = self.saved
        return _var_backward(_std_grad_var(grad, result), x, self.axes, self.correction, self.keepdim, self.n)


def _var_std(input, dim, unbiased, keepdim, correction, name, node_cls):
    dim, correction = _var_args(name, dim, unbiased, correction)
    d = input._data
    axes = _axes(dim, d.ndim)
    data, n = _var_data(d, axes, correction, keepdim, name, node_cls is StdBackward0)
    out = wrap(data)
    if mode.enabled and input._rg:
        node = node_cls(edge(input))
        if node_cls is StdBackward0:
            node.save_output(out, input)
        else:
            node.save(input)
        node.axes, node.correction, node.keepdim, node.n = axes, correction, keepdim, n
        attach(out, node)
        if data.dtype != d.dtype:
            node._in_meta = [(None, d.dtype)]
    return out


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Variance over ``dim`` (all by default), with Bessel's correction unless told otherwise.

    Accepts torch's forms: ``var(x)``, ``var(x, unbiased)``, ``var(x, dim, unbiased, keepdim)`` and
    ``var(x, dim, correction=c, keepdim=...)``.

    Example:
        >>> ndgrad.tensor([1., 2., 3., 4.]).var()
        tensor(1.6667)
    """
    return _var_std(input, dim, unbiased, keepdim, correction, "var", VarBackward0)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Standard deviation (same arguments as ``var``); its gradient is 0 where the result is 0."""
    return _var_std(input, dim, unbiased, keepdim, correction, "std", StdBackward0)


class VarMeanBackward0(Node):
    """Two outputs (var or std, mean): the gradients of both parts add up."""

    __slots__ = ("axes", "correction", "keepdim", "n", "shape")
    num_outputs = 2

    def backward(self, grads):
        g0, gmean = grads
        saved = self.saved
        x = saved[0]
        if len(saved) == 2:  # std_mean: the std output is saved too
            g0 = _std_grad_var(g0, saved[1])
        gx = _var_backward(g0, x, self.axes, self.correction, self.keepdim, self.n)
        return gx + expand_reduced(gmean / self.n, self.shape, self.axes, self.keepdim)


StdMeanBackward0 = type("StdMeanBackward0", (VarMeanBackward0,), {"__slots__": ()})


def _var_std_mean(input, dim, unbiased, keepdim, correction, name, node_cls):
    dim, correction = _var_args(name, dim, unbiased, correction)
    d = input._data
    axes = _axes(dim, d.ndim)
    data, n = _var_data(d, axes, correction, keepdim, name, node_cls is StdMeanBackward0)
    m = _as_array(_add(d, axis=axes, keepdims=keepdim) / n)
    if m.dtype != d.dtype:
        m = m.astype(d.dtype)
    out, mean_out = wrap(data), wrap(m)
    if mode.enabled and input._rg:
        node = node_cls(edge(input))
        if node_cls is StdMeanBackward0:
            node.save_output(out, input)
        else:
            node.save(input)
        node.axes, node.correction, node.keepdim, node.n, node.shape = axes, correction, keepdim, n, d.shape
        node.output_meta = [(data.shape, data.dtype), (m.shape, m.dtype)]
        attach(out, node)
        attach(mean_out, node)
        mean_out._out_nr = 1
    return out, mean_out


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` in one pass, with ``var``'s arguments."""
    return _var_std_mean(input, dim, unbiased, keepdim, correction, "var_mean", VarMeanBackward0)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` in one pass, with ``std``'s arguments."""
    return _var_std_mean(input, dim, unbiased, keepdim, correction, "std_mean", StdMeanBackward0)


# -- logsumexp ------------------------------------------------------------------------------------------
class LogsumexpBackward0(Node):
    """``grad * exp(x - result)``."""

    __slots__ = ("axes", "keepdim")

    def backward(self, grad):
        x, result = self.saved
        n = x.ndim
        w = exp(x - unsqueeze_reduced(result, self.axes, n, self.keepdim))
        if w._data.dtype.kind == "c":
            w = w.conj()
        return unsqueeze_reduced(grad, self.axes, n, self.keepdim) * w


def logsumexp(input, dim, keepdim=False):
    """``log(sum(exp(x), dim))`` computed stably (the maximum is subtracted first).

    Example:
        >>> ndgrad.tensor([0., 0.]).logsumexp(0)
        tensor(0.6931)
    """
    d = input._data
    if d.dtype.kind not in "fc":
        d = d.astype(_dtype.default.np)
    axes = _axes(dim, d.ndim)
    if d.size == 0 or _numel(d.shape, axes) == 0:
        data = np.log(_add(np.exp(d), axis=axes, keepdims=keepdim))
    else:
        m = _max(d, axis=axes, keepdims=True)
        if d.dtype.kind == "f":
            if m.__class__ is not np.ndarray:  # 0-d input
                m = np.asarray(m)
            m[np.isinf(m)] = 0
        s = _add(np.exp(d - m), axis=axes, keepdims=keepdim)
        data = np.log(s) + (m if keepdim else m.reshape(np.shape(s)))
    out = wrap(_as_array(data))
    if mode.enabled and input._rg:
        node = LogsumexpBackward0(edge(input))
        node.save_output(out, input)
        node.axes, node.keepdim = axes, keepdim
        attach(out, node)
    return out


# -- norm ----------------------------------------------------------------------------------------------
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """``torch.norm``: a vector norm (numeric ``p`` or ``'fro'``) or the nuclear norm (``'nuc'``).

    The norms themselves live in ``ndgrad.linalg`` (``vector_norm`` / ``matrix_norm``).

    Example:
        >>> ndgrad.tensor([3., 4.]).norm()
        tensor(5.)
    """
    from .. import linalg
    if out is not None:
        raise NotImplementedError("norm(): the out= argument is not supported by ndgrad")
    if isinstance(p, str):
        if p == "fro" and (dim is None or isinstance(dim, int) or len(dim) <= 2):
            return linalg.vector_norm(input, 2, dim, keepdim, dtype=dtype)
        if dim is None:
            dim = tuple(range(input.ndim))
        return linalg.matrix_norm(input, p, dim, keepdim, dtype=dtype)
    return linalg.vector_norm(input, 2.0 if p is None else p, dim, keepdim, dtype=dtype)


# -- logical reductions and counting ---------------------------------------------------------------------
def _logical_reduce(input, dim, keepdim, fn):
    d = input._data
    data = _as_array(fn(d, axis=_axes(dim, d.ndim), keepdims=keepdim))
    if d.dtype == np.uint8:  # torch keeps uint8 for uint8 inputs
        data = data.astype(np.uint8)
    return wrap(data)


def all(input, dim=None, keepdim=False):
    """True where every element (over ``dim``) is non-zero; a bool tensor (uint8 for uint8 input).

    Example:
        >>> ndgrad.tensor([[1, 0], [2, 3]]).all(dim=1)
        tensor([False,  True])
    """
    return _logical_reduce(input, dim, keepdim, np.logical_and.reduce)


def any(input, dim=None, keepdim=False):
    """True where some element (over ``dim``) is non-zero; a bool tensor (uint8 for uint8 input)."""
    return _logical_reduce(input, dim, keepdim, np.logical_or.reduce)


def count_nonzero(input, dim=None):
    """Number of non-zero elements (over ``dim``, an int or a tuple), as int64.

    Example:
        >>> ndgrad.count_nonzero(ndgrad.tensor([[0., 1.], [2., 3.]]), dim=0)
        tensor([1, 2])
    """
    d = input._data
    axes = _axes(dim, d.ndim)
    if axes == ():
        return wrap((d != 0).astype(np.int64))
    return wrap(np.asarray(np.count_nonzero(d, axis=axes), dtype=np.int64))


def sum_to_size(self, *size):
    """Sum ``self`` down to ``size`` (a shape that broadcasts to ``self``'s): the reverse of expand."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    size = tuple(int(s) for s in size)
    shape = self._data.shape
    lead = len(shape) - len(size)
    if lead < 0 or [1 for s, n in zip(size, shape[lead:]) if s != 1 and s != n]:
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1)
    if not dims:
        return self
    out = sum(self, dims, keepdim=True)
    return out.view(size) if lead else out


# -- methods -------------------------------------------------------------------------------------------------
def _attach():
    Tensor.sum_to_size = sum_to_size
    g = globals()
    for name in __all__:
        setattr(Tensor, name, g[name])


_attach()
