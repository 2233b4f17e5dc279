"""Indexing along one dim by an index tensor: gather, scatter / scatter_add / scatter_reduce,
index_select / index_add / index_copy / index_fill, take, take_along_dim.

The pairs are each other's backward: gather's gradient is scatter_add, index_select's is index_add,
take's is ``index_put`` with ``accumulate=True`` (repeated indices add up).

``x[...]``, ``index_put`` and the mask ops are in indexing.py.
"""
import numpy as np

from ._core import Node, Tensor, wrap, edge, record, attach, mode, wrap_dim, needs_grad, NOEDGE
from .indexing import _FULL, _sname, _check_scalar_fits, _index_put_op, _inplace_fn
from .shape import broadcast_shape_of, expand

__all__ = ["gather", "scatter", "scatter_add", "scatter_reduce", "index_select", "index_add", "index_copy",
           "index_fill", "take", "take_along_dim", "put"]


# == gather / scatter ===========================================================================
def _index_arg(index, fname, kinds="int32/int64"):
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' must be Tensor, not {type(index).__name__}")
    a = index._data
    if a.dtype.kind not in "iu" or a.dtype == np.uint8:
        raise RuntimeError(f"{fname}(): Expected dtype {kinds} for index")
    return a


def _grid(idx, dim):
    g = list(np.indices(idx.shape, sparse=True))
    g[dim] = idx
    return tuple(g)


def _check_bounds(a, size, dim, exc=RuntimeError, prefix=""):
    if a.size and (a.min() < 0 or a.max() >= size):
        bad = a[(a < 0) | (a >= size)].flat[0]
        raise exc(f"{prefix}index {bad} is out of bounds for dimension {dim} with size {size}")


def _scatter_prep(input, dim, index, src, fname):
    """Validate a gather/scatter call; returns (data as >=1-d, dim, index as >=1-d, src as >=1-d)."""
    d = input._data
    a = _index_arg(index, fname, "int64" if fname != "gather" else "int32/int64")
    nd = max(d.ndim, 1)
    if max(a.ndim, 1) != nd:
        raise RuntimeError(f"Index tensor must have the same number of dimensions as "
                           f"{'input' if fname == 'gather' else 'self'} tensor")
    dim = wrap_dim(dim, d.ndim)
    d1 = d.reshape(1) if d.ndim == 0 else d
    a1 = a.reshape(1) if a.ndim == 0 else a
    s1 = None
    if src is not None:
        s = src._data
        if max(s.ndim, 1) != nd:
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
        s1 = s.reshape(1) if s.ndim == 0 else s
    for k in range(nd):
        if (k != dim and a1.shape[k] > d1.shape[k]) or (s1 is not None and a1.shape[k] > s1.shape[k]):
            if src is None:
                raise RuntimeError(f"Size does not match at dimension {k} expected index {list(a.shape)} to be no "
                                   f"larger than self {list(d.shape)} apart from dimension {dim}")
            raise RuntimeError(f"Expected index {list(a.shape)} to be no larger than self {list(d.shape)} apart from "
                               f"dimension {dim} and to be no larger size than src {list(src._data.shape)}")
    _check_bounds(a1, d1.shape[dim], dim)
    if s1 is not None and s1.shape != a1.shape:
        s1 = s1[tuple(slice(0, n) for n in a1.shape)]
    return d1, dim, a1, s1


class GatherBackward0(Node):
    __slots__ = ("dim", "index", "shape")

    def backward(self, grad):
        zeros = wrap(np.zeros(self.shape, dtype=grad._data.dtype))
        return scatter_add(zeros, self.dim, self.index, grad)


def gather(input, dim, index, *, sparse_grad=False):
    """``out[i][j] = input[index[i][j]][j]`` for dim 0 (and likewise for other dims).

    Example:
        >>> ndgrad.tensor([[1., 2.], [3., 4.]]).gather(1, ndgrad.tensor([[1], [0]]))
        tensor([[2.],
                [3.]])
    """
    d1, dim, a1, _ = _scatter_prep(input, dim, index, None, "gather")
    out = wrap(d1[_grid(a1, dim)].reshape(index._data.shape))
    if input._rg and mode.enabled:
        node = GatherBackward0(edge(input))
        node.dim, node.index, node.shape = dim, index, input._data.shape
        attach(out, node)
    return out


class ScatterBackward0(Node):
    __slots__ = ("dim", "index")

    def backward(self, grad):
        (fs, _), (fv, _) = self.next_functions
        return (scatter(grad, self.dim, self.index, 0) if fs is not None else None,
                gather(grad, self.dim, self.index) if fv is not None else None)


class ScatterBackward1(Node):
    __slots__ = ("dim", "index")

    def backward(self, grad):
        return scatter(grad, self.dim, self.index, 0)


class ScatterAddBackward0(Node):
    __slots__ = ("dim", "index")

    def backward(self, grad):
        (fs, _), (fv, _) = self.next_functions
        return (grad if fs is not None else None,
                gather(grad, self.dim, self.index) if fv is not None else None)


class _ScatterReduceLegacy(Node):
    __slots__ = ()

    def backward(self, grad):
        raise RuntimeError("derivative for aten::scatter is not implemented")


_ScatterReduceLegacy.__name__ = _ScatterReduceLegacy.__qualname__ = "NotImplemented"


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """Write ``src`` (a tensor) or ``value`` (a number) into a copy of ``input`` at ``index`` along
    ``dim``; ``reduce="add"``/``"multiply"`` combines instead (not differentiable, as in torch)."""
    if src is None and value is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    if src is None or not isinstance(src, Tensor):
        value = src if src is not None else value
        src = None
        if isinstance(value, Tensor):
            value = value.item()
    elif src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    d1, dim, a1, s1 = _scatter_prep(input, dim, index, src, "scatter")
    out = d1.copy()
    g = _grid(a1, dim)
    v = s1 if src is not None else value
    if reduce is None:
        out[g] = v
    elif reduce == "add":
        np.add.at(out, g, v)
    else:
        np.multiply.at(out, g, v)
    r = wrap(out.reshape(input._data.shape))
    if needs_grad(input, src):
        if reduce is not None:
            node = _ScatterReduceLegacy(edge(input), edge(src) if src is not None else NOEDGE)
        elif src is not None:
            node = ScatterBackward0(edge(input), edge(src))
        else:
            node = ScatterBackward1(edge(input))
        node.dim = dim
        node.index = index
        if src is not None:
            record(node, r, input, src)
        else:
            attach(r, node)
    return r


def scatter_add(input, dim, index, src):
    """A copy of ``input`` with ``src`` added at ``index`` along ``dim`` (repeated indices add up)."""
    if src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    d1, dim, a1, s1 = _scatter_prep(input, dim, index, src, "scatter")
    out = d1.copy()
    np.add.at(out, _grid(a1, dim), s1)
    r = wrap(out.reshape(input._data.shape))
    if needs_grad(input, src):
        node = ScatterAddBackward0(edge(input), edge(src))
        node.dim = dim
        node.index = index
        record(node, r, input, src)
    return r


class ScatterReduceBackward0(Node):
    """torch's scatter_reduce_backward for sum, mean, amax/amin and prod (without zeros)."""

    __slots__ = ("dim", "index", "reduce", "include_self")

    def backward(self, grad):
        from .compare import where
        inp, src, result = self.saved
        (fs, _), (fv, _) = self.next_functions
        dim, index = self.dim, self.index
        scattered = wrap(_scattered_mask(inp._data.shape, dim, index._data))
        red = self.reduce
        if red == "sum":
            gs, gv = grad, gather(grad, dim, index)
        elif red == "mean":
            n = _scatter_counts(inp._data.shape, dim, index._data, self.include_self, grad._data.dtype)
            gs = grad / n
            gv = gather(gs, dim, index)
        elif red == "prod":
            if (inp._data == 0).any() or (src._data == 0).any():
                raise NotImplementedError("ndgrad: scatter_reduce(reduce='prod') backward with zeros in the "
                                          "input or src is not implemented")
            gr = grad * result
            gs = gr / inp
            gv = gather(gr, dim, index) / src
        else:  # amax / amin: the gradient is split evenly between ties
            value = gather(result, dim, index)
            self_is = (inp == result)
            if not self.include_self:
                self_is = self_is & ~scattered
            self_is = self_is.to(grad.dtype)
            src_is = (src == value).to(grad.dtype)
            n = scatter_add(self_is, dim, index, src_is)
            gd = grad / n
            gs = self_is * gd
            gv = src_is * gather(gd, dim, index)
        if not self.include_self:
            gs = where(scattered, grad * 0, gs)
        return (gs if fs is not None else None), (gv if fv is not None else None)


def _scattered_mask(shape, dim, a):
    m = np.zeros(shape if shape else (1,), dtype=bool)
    a1 = a.reshape(1) if a.ndim == 0 else a
    m[_grid(a1, dim)] = True
    return m.reshape(shape)


def _scatter_counts(shape, dim, a, include_self, np_dtype):
    n = np.full(shape if shape else (1,), 1 if include_self else 0, dtype=np_dtype)
    a1 = a.reshape(1) if a.ndim == 0 else a
    np.add.at(n, _grid(a1, dim), 1)
    return wrap(np.maximum(n, 1).reshape(shape))


_REDUCE_UFUNC = {"sum": np.add, "prod": np.multiply, "mean": np.add, "amax": np.maximum, "amin": np.minimum}


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """Reduce ``src`` into a copy of ``input`` at ``index`` along ``dim`` with ``reduce`` in
    "sum", "prod", "mean", "amax", "amin"; ``include_self=False`` ignores ``input`` where scattered."""
    reduce = {"max": "amax", "min": "amin"}.get(reduce, reduce)
    if reduce not in _REDUCE_UFUNC:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    if src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    d1, dim, a1, s1 = _scatter_prep(input, dim, index, src, "scatter")
    g = _grid(a1, dim)
    out = d1.copy()
    dt = out.dtype
    if not include_self:
        if reduce in ("sum", "mean"):
            init = 0
        elif reduce == "prod":
            init = 1
        elif dt.kind == "f":
            init = -np.inf if reduce == "amax" else np.inf
        else:
            info = np.iinfo(dt) if dt.kind in "iu" else None
            init = (info.min if reduce == "amax" else info.max) if info else (reduce == "amin")
        out[g] = init
    _REDUCE_UFUNC[reduce].at(out, g, s1)
    if reduce == "mean":
        n = np.full(out.shape, 1 if include_self else 0, dtype=np.int64)
        np.add.at(n, g, 1)
        n = np.maximum(n, 1)
        out = out / n if dt.kind in "fc" else np.floor_divide(out, n)
        out = out.astype(dt, copy=False)
    r = wrap(out.reshape(input._data.shape))
    if needs_grad(input, src):
        node = ScatterReduceBackward0(edge(input), edge(src))
        node.dim, node.index, node.reduce, node.include_self = dim, index, reduce, include_self
        node.save_output(r, input, src)
        record(node, r, input, src)
    return r


# == index_select / index_add / index_copy / index_fill =========================================
def _vector_index(index, fname, err=IndexError):
    a = index._data
    if a.ndim > 1:
        raise err(f"{fname}(): Index is supposed to be a vector, but got dim: {a.ndim} with type: "
                  f"{_sname(a.dtype)} and size: {list(a.shape)}")
    return a.reshape(-1)


class IndexSelectBackward0(Node):
    __slots__ = ("dim", "index", "shape")

    def backward(self, grad):
        zeros = wrap(np.zeros(self.shape, dtype=grad._data.dtype))
        if not self.shape:
            return index_add(zeros.reshape(1), 0, self.index, grad.reshape(-1)).reshape(())
        return index_add(zeros, self.dim, self.index, grad)


def index_select(input, dim, index):
    """The slices of ``input`` along ``dim`` at the positions in ``index`` (a 1-d int tensor).

    Example:
        >>> ndgrad.arange(6.).reshape(2, 3).index_select(1, ndgrad.tensor([2, 0]))
        tensor([[2., 0.],
                [5., 3.]])
    """
    d = input._data
    a = index._data
    if a.dtype.kind not in "iu" or a.dtype == np.uint8:
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if a.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    dim = wrap_dim(dim, d.ndim)
    a = a.reshape(-1)
    if d.ndim == 0:
        if a.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {a.size} value(s)")
        d1 = d.reshape(1)
    else:
        d1 = d
    size = d1.shape[dim]
    if a.size and (a.min() < 0 or a.max() >= size):
        bad = a[(a < 0) | (a >= size)].flat[0]
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={size}")
    data = np.take(d1, a, axis=dim)
    out = wrap(data.reshape(()) if d.ndim == 0 else data)
    if input._rg and mode.enabled:
        node = IndexSelectBackward0(edge(input))
        node.dim, node.index, node.shape = dim, index, d.shape
        attach(out, node)
    return out


def _index_func_check(input, dim, index, source, fname):
    """Shared checks of index_add / index_copy; returns (dim, flat index, dim key)."""
    d = input._data
    s = source._data
    dim = wrap_dim(dim, d.ndim)
    if index._data.dtype.kind not in "iu" or index._data.dtype == np.uint8:
        if fname == "index_copy_":
            raise RuntimeError(f"{fname}(): Expected a long tensor for index, but got {_sname(index._data.dtype)}")
        raise RuntimeError(f"{fname}(): Expected dtype int32/int64 for index but got: {_sname(index._data.dtype)}")
    a = _vector_index(index, fname)
    if s.dtype != d.dtype:
        if fname == "index_copy_":
            raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but got (self) "
                               f"{_sname(d.dtype)} and (source) {_sname(s.dtype)}")
        raise RuntimeError(f"{fname}(): self ({_sname(d.dtype)}) and source ({_sname(s.dtype)}) must have the same "
                           "scalar type")
    if fname == "index_copy_" and s.ndim and d.ndim and s.ndim != d.ndim:
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their dimensionality must "
                         f"match. Source dimensionality ({s.ndim}), destination dimensionality ({d.ndim})")
    if dim != 0 and dim >= s.ndim:
        raise RuntimeError(f"{fname}(): Indexing dim {dim} is out of bounds of the source tensor with dim {s.ndim}")
    ssize = s.shape[dim] if s.ndim else 1
    if a.size != ssize:
        if fname == "index_copy_":
            raise IndexError(f"index_copy_(): Number of indices ({a.size}) should be equal to source.size(dim) "
                             f"({ssize})")
        raise RuntimeError(f"{fname}(): Number of indices ({a.size}) should be equal to source.size(dim): ({ssize}), "
                           f"for dim: {dim}")
    ds, ss = list(d.shape), list(s.shape)
    if s.ndim and d.ndim:
        del ds[dim], ss[dim]
    if ds != ss:
        raise RuntimeError(f"source tensor shape must match self tensor shape, excluding the specified dimension. "
                           f"Got self.shape = {list(d.shape)} source.shape = {list(s.shape)}")
    size = d.shape[dim] if d.ndim else 1
    if fname == "index_copy_":
        _check_bounds(a, size, dim, IndexError, "index_copy_(): ")
    else:
        _check_bounds(a, size, dim)
    return dim, a, (_FULL,) * dim + (a,)


class IndexAddBackward0(Node):
    __slots__ = ("dim", "index", "alpha", "src_shape")

    def backward(self, grad):
        (fs, _), (fv, _) = self.next_functions
        gv = None
        if fv is not None:
            gv = _select_for_source(grad, self.dim, self.index, self.src_shape)
            if self.alpha != 1:
                gv = gv * self.alpha
        return (grad if fs is not None else None), gv


def _select_for_source(grad, dim, index, src_shape):
    if not grad._data.ndim:
        return grad.reshape(src_shape)
    g = index_select(grad, dim, index)
    return g.reshape(src_shape) if tuple(g._data.shape) != tuple(src_shape) else g


def index_add(input, dim, index, source, *, alpha=1):
    """A copy of ``input`` with ``alpha * source`` added at ``index`` along ``dim`` (repeats add up)."""
    dim, a, key = _index_func_check(input, dim, index, source, "index_add_")
    out = input._data.copy()
    s = source._data
    if alpha != 1:
        s = s * np.asarray(alpha, dtype=s.dtype)
    if out.ndim == 0:
        out += s.reshape(())
    else:
        np.add.at(out, key, s.reshape(out[key].shape) if s.ndim == 0 else s)
    r = wrap(out)
    if needs_grad(input, source):
        node = IndexAddBackward0(edge(input), edge(source))
        node.dim, node.index, node.alpha, node.src_shape = dim, index, alpha, s.shape
        attach(r, node)
    return r


class IndexCopyBackward0(Node):
    __slots__ = ("dim", "index", "src_shape")

    def backward(self, grad):
        (fs, _), (fv, _) = self.next_functions
        return (index_fill(grad, self.dim, self.index, 0) if fs is not None else None,
                _select_for_source(grad, self.dim, self.index, self.src_shape) if fv is not None else None)


def index_copy(input, dim, index, source):
    """A copy of ``input`` with the slices at ``index`` along ``dim`` replaced by ``source``."""
    dim, a, key = _index_func_check(input, dim, index, source, "index_copy_")
    out = input._data.copy()
    s = source._data
    if out.ndim == 0:
        out[...] = s.reshape(())
    else:
        out[key] = s.reshape(out[key].shape) if s.ndim == 0 else s
    r = wrap(out)
    if needs_grad(input, source):
        node = IndexCopyBackward0(edge(input), edge(source))
        node.dim, node.index, node.src_shape = dim, index, s.shape
        attach(r, node)
    return r


class IndexFillBackward0(Node):
    __slots__ = ("dim", "index")

    def backward(self, grad):
        return index_fill(grad, self.dim, self.index, 0)


class IndexFillBackward1(Node):
    __slots__ = ("dim", "index")

    def backward(self, grad):
        (fs, _), (fv, _) = self.next_functions
        gv = None
        if fv is not None:
            uniq = wrap(np.unique(self.index._data.reshape(-1) % max(grad._data.shape[self.dim] if grad._data.ndim
                                                                      else 1, 1)))
            gv = index_select(grad, self.dim, uniq).sum() if grad._data.ndim else grad.sum()
        return (index_fill(grad, self.dim, self.index, 0) if fs is not None else None), gv


def index_fill(input, dim, index, value):
    """A copy of ``input`` with the slices at ``index`` along ``dim`` set to ``value`` (a number
    or a 0-d tensor)."""
    d = input._data
    if index._data.dtype != np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if index._data.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    vt = isinstance(value, Tensor)
    if vt and value._data.ndim:
        raise RuntimeError(f"index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                           f"{value._data.ndim} dimension(s).")
    dim = wrap_dim(dim, d.ndim)
    a = index._data.reshape(-1)
    size = d.shape[dim] if d.ndim else 1
    if a.size and (a.min() < -size or a.max() >= size):
        bad = a[(a < -size) | (a >= size)].flat[0]
        raise IndexError(f"index {bad} is out of bounds for dimension {dim} with size {size}")
    out = d.copy()
    v = value._data if vt else value
    if not vt:
        _check_scalar_fits(value, d.dtype)
    if d.ndim == 0:
        if a.size:
            out[...] = v
    else:
        out[(_FULL,) * dim + (a,)] = v
    r = wrap(out)
    if needs_grad(input, value if vt else None):
        node = IndexFillBackward1(edge(input), edge(value)) if vt else IndexFillBackward0(edge(input))
        node.dim, node.index = dim, index
        if vt:
            record(node, r, input, value)
        else:
            attach(r, node)
    return r


# == take / take_along_dim ======================================================================
class TakeBackward0(Node):
    __slots__ = ("index", "shape")

    def backward(self, grad):
        n = 1
        for s in self.shape:
            n *= s
        zeros = wrap(np.zeros(n, dtype=grad._data.dtype))
        g = _index_put_op(zeros, (self.index._data.reshape(-1),), grad.reshape(-1), True)
        return g.reshape(self.shape)


def take(input, index):
    """``input`` seen as 1-d, indexed by ``index`` (the result has ``index``'s shape)."""
    d = input._data
    a = index._data
    if a.dtype != np.int64:
        raise RuntimeError(f"take(): Expected a long tensor for index, but got {_sname(a.dtype)}")
    n = d.size
    if a.size and (a.min() < -n or a.max() >= n):
        bad = a[(a < -n) | (a >= n)].flat[0]
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    out = wrap(d.reshape(-1)[a])
    if input._rg and mode.enabled:
        node = TakeBackward0(edge(input))
        node.index, node.shape = index, d.shape
        attach(out, node)
    return out


class PutBackward0(Node):
    __slots__ = ("index", "accumulate", "source_shape")

    def backward(self, grad):
        gi = gs = None
        if self.next_functions[0][0] is not None:
            gi = grad if self.accumulate else put(grad, self.index, grad.new_zeros(self.source_shape))
        if self.next_functions[1][0] is not None:
            gs = take(grad, self.index).reshape(self.source_shape)
        return gi, gs


def put(input, index, source, accumulate=False):
    """``input`` seen as 1-d with ``source`` written (or added) at ``index``: a new tensor."""
    d, a, src = input._data, index._data, source._data
    if a.dtype != np.int64:
        raise RuntimeError(f"put_(): Expected a long tensor for index, but got {_sname(a.dtype)}")
    if src.dtype != d.dtype:
        raise RuntimeError(f"put_(): self and source expected to have the same dtype, but got self.dtype = "
                           f"{_sname(d.dtype)} and source.dtype = {_sname(src.dtype)}")
    if a.size != src.size:
        raise IndexError(f"put_(): Expected source and index to have the same number of elements, but got "
                         f"source.numel() = {src.size}, index.numel() = {a.size}")
    n = d.size
    if a.size and (a.min() < -n or a.max() >= n):
        bad = a[(a < -n) | (a >= n)].flat[0]
        raise IndexError(f"out of range: tried to access index {bad} on a tensor of {n} elements.")
    flat = d.reshape(-1).copy()
    idx = a.reshape(-1)
    if accumulate:
        np.add.at(flat, idx, src.reshape(-1))
    else:
        flat[idx] = src.reshape(-1)
    out = wrap(flat.reshape(d.shape))
    if needs_grad(input, source):
        node = PutBackward0(edge(input), edge(source))
        node.index, node.accumulate, node.source_shape = index, bool(accumulate), src.shape
        record(node, out, input, source)
    return out


def take_along_dim(input, indices, dim=None):
    """Values of ``input`` at ``indices`` along ``dim`` (broadcast elsewhere); flattened if None."""
    if indices._data.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{_sname(indices._data.dtype)}")
    if dim is None:
        return gather(input.reshape(-1), 0, indices.reshape(-1))
    d, a = input._data, indices._data
    if d.ndim != a.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {d.ndim} dimensions for input, and {a.ndim} dimensions for indices")
    dim = wrap_dim(dim, d.ndim)
    ds, as_ = list(d.shape), list(a.shape)
    ds[dim] = as_[dim] = 1
    b = list(broadcast_shape_of([tuple(ds), tuple(as_)]))
    bi, ba = list(b), list(b)
    bi[dim], ba[dim] = d.shape[dim], a.shape[dim]
    if tuple(bi) != d.shape:
        input = expand(input, bi)
    if tuple(ba) != a.shape:
        indices = expand(indices, ba)
    return gather(input, dim, indices)


# == Tensor methods =============================================================================
def _attach():
    g = globals()
    for name in __all__:
        setattr(Tensor, name, g[name])
    for fn in (scatter, scatter_add, scatter_reduce, index_add, index_copy, index_fill, put):
        setattr(Tensor, fn.__name__ + "_", _inplace_fn(fn))


_attach()
