"""Joining and splitting: cat, stack, split, chunk, unbind, narrow, and the ops that rearrange or
copy whole tensors: flip, roll, tril/triu, diagonal, diag, diag_embed, repeat, repeat_interleave, tile.

split / chunk / unbind return views of their input from one multi-output node (SplitBackward0,
SplitWithSizesBackward0, UnbindBackward0) whose backward concatenates (or stacks) the outputs'
gradients, zeros standing in for outputs that got none. Like torch, those views refuse in-place
modification while autograd is recording (their view function raises torch's error).
"""
import numpy as np

from .. import _dtype
from ._core import Node, Tensor, wrap, edge, record, attach, mode, wrap_dim, inplace
from ..autograd.views import record_view
from .shape import make_view, index_basic, SliceBackward0, reshape, unsqueeze, expand, flatten, atleast_1d, \
    atleast_2d, atleast_3d

__all__ = ["cat", "concat", "concatenate", "stack", "hstack", "vstack", "dstack", "column_stack", "row_stack",
           "split", "chunk", "unbind", "tensor_split", "hsplit", "vsplit", "dsplit", "narrow", "flip", "fliplr",
           "flipud", "roll", "tril", "triu", "diagonal", "diag", "diag_embed", "diagflat", "repeat_interleave",
           "tile", "split_with_sizes", "unsafe_split", "unsafe_split_with_sizes", "unsafe_chunk"]

_FULL = slice(None)
_as_strided = np.lib.stride_tricks.as_strided


# == cat / stack ================================================================================
def _tensor_list(tensors, fname):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return tensors


class CatBackward0(Node):
    __slots__ = ("dim", "sizes")

    def backward(self, grad):
        out = []
        off = 0
        dim = self.dim
        for (fn, _), size in zip(self.next_functions, self.sizes):
            if size is None:  # a skipped legacy empty 1-d input
                out.append(wrap(np.zeros(0, dtype=grad._data.dtype)) if fn is not None else None)
                continue
            out.append(narrow(grad, dim, off, size) if fn is not None else None)
            off += size
        return tuple(out)


def cat(tensors, dim=0, *, out=None):
    """Concatenate along ``dim``; dtypes are promoted; 1-d empty tensors are skipped (legacy rule).

    Example:
        >>> ndgrad.cat([ndgrad.zeros(2, 3), ndgrad.ones(1, 3)]).shape
        torch.Size([3, 3])
    """
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    datas = [t._data for t in tensors]
    keep = []
    for i, x in enumerate(datas):
        if x.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
        if not (x.ndim == 1 and x.shape[0] == 0):
            keep.append(i)
    np_dt = datas[0].dtype
    for x in datas[1:]:
        if x.dtype != np_dt:
            np_dt = _dtype.promote_np(np_dt, x.dtype)
    if keep:
        ref = datas[keep[0]]
        nd = ref.ndim
        dim = wrap_dim(dim, nd)
        for i in keep:
            x = datas[i]
            if x.ndim != nd:
                raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {x.ndim}")
            for k in range(nd):
                if k != dim and x.shape[k] != ref.shape[k]:
                    raise RuntimeError(f"Sizes of tensors must match except in dimension {dim}. Expected size "
                                       f"{ref.shape[k]} but got size {x.shape[k]} for tensor number {i} in the list.")
        arrays = datas if len(keep) == len(datas) else [datas[i] for i in keep]
        if all(x.dtype is np_dt for x in arrays):
            data = np.concatenate(arrays, axis=dim)
        else:
            data = np.concatenate(arrays, axis=dim, dtype=np_dt, casting="unsafe")
    else:
        dim = wrap_dim(dim, 1)
        data = np.zeros(0, dtype=np_dt)
    r = wrap(data)
    if mode.enabled and data.dtype.kind in "fc":
        for t in tensors:
            if t._rg:
                node = CatBackward0(*[edge(t) for t in tensors])
                node.dim = dim
                node.sizes = [x.shape[dim] if i in keep else None for i, x in enumerate(datas)] if \
                    len(keep) != len(datas) else [x.shape[dim] for x in datas]
                record(node, r, *tensors)
                break
    if out is not None:
        from .arith import _out
        return _out(r, out)
    return r


def concat(tensors, dim=0, *, out=None):
    return cat(tensors, dim, out=out)


def concatenate(tensors, axis=0, *, dim=None, out=None):
    return cat(tensors, axis if dim is None else dim, out=out)


class StackBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, grad):
        return unbind(grad, self.dim)


def stack(tensors, dim=0, *, out=None):
    """Join equally shaped tensors along a new dimension ``dim``."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    datas = [t._data for t in tensors]
    shape = datas[0].shape
    np_dt = datas[0].dtype
    for i, x in enumerate(datas):
        if x.shape != shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 and "
                               f"{list(x.shape)} at entry {i}")
        if x.dtype != np_dt:
            np_dt = _dtype.promote_np(np_dt, x.dtype)
    dim = wrap_dim(dim, len(shape) + 1)
    data = np.stack(datas, axis=dim, dtype=np_dt, casting="unsafe")
    r = wrap(data)
    if mode.enabled and data.dtype.kind in "fc":
        for t in tensors:
            if t._rg:
                node = StackBackward0(*[edge(t) for t in tensors])
                node.dim = dim
                record(node, r, *tensors)
                break
    if out is not None:
        from .arith import _out
        return _out(r, out)
    return r


def hstack(tensors, *, out=None):
    ts = atleast_1d(tuple(_tensor_list(tensors, "hstack")))
    return cat(ts, 0 if ts and ts[0]._data.ndim == 1 else 1, out=out)


def vstack(tensors, *, out=None):
    return cat(atleast_2d(tuple(_tensor_list(tensors, "vstack"))), 0, out=out)


row_stack = vstack


def dstack(tensors, *, out=None):
    return cat(atleast_3d(tuple(_tensor_list(tensors, "dstack"))), 2, out=out)


def column_stack(tensors, *, out=None):
    ts = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in _tensor_list(tensors, "column_stack")]
    return cat(ts, 1, out=out)


# == split / chunk / unbind =====================================================================
def _multi_output_inplace(t, name, k):
    """The view function of split/unbind outputs: torch refuses in-place writes through them."""
    raise RuntimeError(f"Output {k} of {name} is a view and is being modified inplace. This view is the output of "
                       "a function that returns multiple views. Such functions do not allow the output views to be "
                       "modified inplace. You should replace the inplace operation by an out-of-place one.")


_multi_output_inplace.multi_output_view = True   # autograd/views.py: such views cannot be regenerated


def _multi_views(input, datas, node_cls, name, dim):
    """Wrap NumPy views of ``input`` as the outputs of one multi-output node."""
    node = None
    if input._rg and mode.enabled:
        node = node_cls(edge(input))
        node.dim = dim
        node.num_outputs = len(datas)
        node.output_meta = [(x.shape, x.dtype) for x in datas]
    outs = []
    vc = input._vc
    for k, data in enumerate(datas):
        out = wrap(data)
        out._vc = vc
        record_view(out, input, _multi_output_inplace, (name, k))
        if node is not None:
            out.grad_fn = node
            out._rg = True
            if k:
                out._out_nr = k
        outs.append(out)
    return tuple(outs)


class SplitBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, grads):
        if isinstance(grads, Tensor):  # a single output: the engine passes its gradient alone
            return grads
        return cat(list(grads), self.dim)


class SplitWithSizesBackward0(SplitBackward0):
    __slots__ = ()


class UnbindBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, grads):
        if isinstance(grads, Tensor):
            return grads.unsqueeze(self.dim)
        return stack(list(grads), self.dim)


def _split_sizes(input, dim, sizes, cls, name):
    d = input._data
    datas = []
    off = 0
    pre = (_FULL,) * dim
    for s in sizes:
        datas.append(d[pre + (slice(off, off + s),)])
        off += s
    return _multi_views(input, datas, cls, name, dim)


def split(tensor, split_size_or_sections, dim=0):
    """Split into pieces of ``split_size`` (the last may be smaller) or of the listed sizes (views).

    Example:
        >>> [t.tolist() for t in ndgrad.arange(5).split([2, 3])]
        [[0, 1], [2, 3, 4]]
    """
    d = tensor._data
    if d.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    dim = wrap_dim(dim, d.ndim)
    n = d.shape[dim]
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        if any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                               f"split_sizes={sizes}")
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                               f"dimension {dim}), but got split_sizes={sizes}")
        return _split_sizes(tensor, dim, sizes, SplitWithSizesBackward0, "SplitWithSizes")
    s = int(split_size_or_sections)
    if s < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={s}")
    if s == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    num = max((n + s - 1) // s, 1) if s else 1
    sizes = [s] * (num - 1) + [n - s * (num - 1)]
    return _split_sizes(tensor, dim, sizes, SplitBackward0, "Split")


def split_with_sizes(input, split_sizes, dim=0):
    return split(input, list(split_sizes), dim)


class UnsafeSplitBackward0(SplitBackward0):
    __slots__ = ()


class UnsafeSplitWithSizesBackward0(SplitBackward0):
    __slots__ = ()


def _as_unsafe(outs):
    """The unsafe_* variants are split's pieces under the node name torch gives them."""
    node = outs[0].grad_fn if outs else None
    if node is not None:
        node.__class__ = (UnsafeSplitWithSizesBackward0 if type(node) is SplitWithSizesBackward0
                          else UnsafeSplitBackward0)
    return outs


def unsafe_split(input, split_size, dim=0):
    return _as_unsafe(split(input, split_size, dim))


def unsafe_split_with_sizes(input, split_sizes, dim=0):
    return _as_unsafe(split(input, list(split_sizes), dim))


def unsafe_chunk(input, chunks, dim=0):
    return _as_unsafe(chunk(input, chunks, dim))


def fill_diagonal_(self, fill_value, wrap=False):
    """Write ``fill_value`` on the main diagonal (all dims equal, or a tall matrix: with ``wrap``, the
    diagonal restarts every ``ncols + 1`` rows), in place through diagonal views."""
    shape = self._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and any(n != shape[0] for n in shape):
        raise RuntimeError("all dimensions of input must be of equal length")
    if len(shape) > 2:
        d = self
        while d.dim() > 1:
            d = d.diagonal(0, 0, -1)
        d.fill_(fill_value)
        return self
    rows, cols = shape
    step = cols + 1 if wrap else rows
    for start in range(0, rows if wrap else 1, step):
        self.narrow(0, start, min(cols, rows - start)).diagonal().fill_(fill_value)
    return self


def _split_method(self, split_size, dim=0):
    return split(self, split_size, dim)


def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces of equal size (the last may be smaller; fewer if too small)."""
    chunks = int(chunks)
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = input._data
    if d.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    dim = wrap_dim(dim, d.ndim)
    n = d.shape[dim]
    size = (n + chunks - 1) // chunks
    if size == 0 and n == 0:
        return split(input, [0] * chunks, dim)
    return split(input, size, dim)


def unbind(input, dim=0):
    """The slices along ``dim`` as a tuple of views (without that dim)."""
    d = input._data
    if d.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    dim = wrap_dim(dim, d.ndim)
    pre = (_FULL,) * dim
    datas = [d[pre + (i, Ellipsis)] for i in range(d.shape[dim])]
    return _multi_views(input, datas, UnbindBackward0, "Unbind", dim)


def tensor_split(input, indices_or_sections, dim=0):
    """Split at the given indices, or into ``sections`` nearly equal pieces (narrow views)."""
    d = input._data
    if d.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    dim = wrap_dim(dim, d.ndim)
    n = d.shape[dim]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios._data.dtype != np.int64:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to have type long, but it's "
                               f"{ios.dtype}")
        if ios._data.ndim > 1:
            raise RuntimeError(f"tensor_split expected tensor_indices_or_sections to be a zero-dimensional or "
                               f"one-dimensional tensor, but got a tensor with {ios._data.ndim} dims")
        ios = int(ios._data) if ios._data.ndim == 0 else ios._data.tolist()
    if isinstance(ios, (list, tuple)):
        bounds = [0] + [int(i) for i in ios] + [n]
        starts = []
        for a, b in zip(bounds[:-1], bounds[1:]):
            a = min(max(a + n if a < 0 else a, 0), n)
            b = min(max(b + n if b < 0 else b, 0), n)
            starts.append((a, max(b - a, 0)))
    else:
        sections = int(ios)
        if sections <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
        q, r = divmod(n, sections)
        starts = []
        off = 0
        for i in range(sections):
            size = q + 1 if i < r else q
            starts.append((off, size))
            off += size
    pre = (_FULL,) * dim
    return tuple(index_basic(input, pre + (slice(a, a + s),), SliceBackward0) for a, s in starts)


def _split_like(input, ios, dim, fname, min_dim):
    d = input._data
    if d.ndim < min_dim:
        raise RuntimeError(f"torch.{fname} requires a tensor with at least {min_dim} dimension, but got a tensor "
                           f"with {d.ndim} dimensions!")
    if isinstance(ios, (int, np.integer)) and d.shape[dim] % ios:
        raise RuntimeError(f"torch.{fname} attempted to split along dimension {dim}, but the size of the dimension "
                           f"{d.shape[dim]} is not divisible by the split_size {ios}!")
    return tensor_split(input, ios, dim)


def hsplit(input, indices_or_sections):
    return _split_like(input, indices_or_sections, 1 if input._data.ndim > 1 else 0, "hsplit", 1)


def vsplit(input, indices_or_sections):
    return _split_like(input, indices_or_sections, 0, "vsplit", 2)


def dsplit(input, indices_or_sections):
    return _split_like(input, indices_or_sections, 2, "dsplit", 3)


def narrow(input, dim, start, length):
    """The view ``input[..., start:start + length, ...]`` along ``dim``."""
    d = input._data
    if d.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, d.ndim)
    start, length = int(start), int(length)
    n = d.shape[dim]
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if not -n <= start <= n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    if start < 0:
        start += n
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return index_basic(input, (_FULL,) * dim + (slice(start, start + length, 1),), SliceBackward0)


# == flip / roll / tril / triu ==================================================================
class FlipBackward0(Node):
    __slots__ = ("dims",)

    def backward(self, grad):
        return flip(grad, self.dims)


def flip(input, *dims):
    """A copy with the order of elements reversed along ``dims``."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    d = input._data
    axes = tuple(wrap_dim(x, d.ndim) for x in dims)
    if len(set(axes)) != len(axes):
        for i, a in enumerate(axes):
            if a in axes[:i]:
                raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
    data = np.flip(d, axes).copy() if axes and d.ndim else d.copy()
    r = wrap(data)
    if input._rg and mode.enabled:
        node = FlipBackward0(edge(input))
        node.dims = axes
        attach(r, node)
    return r


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class RollBackward0(Node):
    __slots__ = ("shifts", "dims")

    def backward(self, grad):
        return roll(grad, tuple(-s for s in self.shifts), self.dims)


def roll(input, shifts, dims=None):
    """Rotate elements by ``shifts`` along ``dims`` (the flattened tensor when ``dims`` is None)."""
    shifts = tuple(int(s) for s in shifts) if isinstance(shifts, (tuple, list)) else (int(shifts),)
    dims = tuple(dims) if isinstance(dims, (tuple, list)) else (() if dims is None else (dims,))
    d = input._data
    if not dims:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        data = np.roll(d.reshape(-1), shifts[0]).reshape(d.shape) if d.ndim else d.copy()
    else:
        if len(shifts) != len(dims):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
        dims = tuple(wrap_dim(x, d.ndim) for x in dims)
        data = np.roll(d, shifts, axis=dims) if d.ndim else d.copy()
    r = wrap(data)
    if input._rg and mode.enabled:
        node = RollBackward0(edge(input))
        node.shifts, node.dims = shifts, dims if dims else None
        attach(r, node)
    return r


class TrilBackward0(Node):
    __slots__ = ("diagonal",)

    def backward(self, grad):
        return tril(grad, self.diagonal)


class TriuBackward0(Node):
    __slots__ = ("diagonal",)

    def backward(self, grad):
        return triu(grad, self.diagonal)


def _tri(input, diagonal, np_fn, cls, name):
    d = input._data
    if d.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions")
    diagonal = int(diagonal)
    r = wrap(np_fn(d, diagonal))
    if input._rg and mode.enabled:
        node = cls(edge(input))
        node.diagonal = diagonal
        attach(r, node)
    return r


def tril(input, diagonal=0):
    """The lower triangle (on and below ``diagonal``) of the last two dims; the rest zeroed."""
    return _tri(input, diagonal, np.tril, TrilBackward0, "tril")


def triu(input, diagonal=0):
    """The upper triangle (on and above ``diagonal``) of the last two dims; the rest zeroed."""
    return _tri(input, diagonal, np.triu, TriuBackward0, "triu")


# == diagonal / diag / diag_embed ===============================================================
def _diag_view(d, offset, dim1, dim2):
    """A writable NumPy view of the diagonal of ``d`` (torch's layout: the diagonal dim last)."""
    if offset >= 0:
        sub = d[(_FULL,) * dim2 + (slice(offset, None),)]
    else:
        sub = d[(_FULL,) * dim1 + (slice(-offset, None),)]
    n = min(sub.shape[dim1], sub.shape[dim2])
    keep = [i for i in range(d.ndim) if i != dim1 and i != dim2]
    shape = tuple(sub.shape[i] for i in keep) + (n,)
    strides = tuple(sub.strides[i] for i in keep) + (sub.strides[dim1] + sub.strides[dim2],)
    return _as_strided(sub, shape, strides)


def _diag_dims(ndim, dim1, dim2):
    a, b = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if a == b:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return a, b


class DiagonalBackward0(Node):
    __slots__ = ("shape", "offset", "dim1", "dim2")

    def backward(self, grad):
        return _diagonal_backward(grad, self.shape, self.offset, self.dim1, self.dim2)


DiagonalCopyBackward = type("DiagonalBackward0_copy", (DiagonalBackward0,), {"__slots__": ()})


class DiagonalBackwardBackward0(Node):
    __slots__ = ("offset", "dim1", "dim2")

    def backward(self, grad):
        return diagonal(grad, self.offset, self.dim1, self.dim2)


def _diagonal_backward(grad, shape, offset, dim1, dim2):
    """zeros(shape) with ``grad`` on the diagonal (differentiable: its backward is ``diagonal``)."""
    z = np.zeros(shape, dtype=grad._data.dtype)
    _diag_view(z, offset, dim1, dim2)[...] = grad._data
    r = wrap(z)
    if grad._rg and mode.enabled:
        node = DiagonalBackwardBackward0(edge(grad))
        node.offset, node.dim1, node.dim2 = offset, dim1, dim2
        attach(r, node)
    return r


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the (``dim1``, ``dim2``) planes as the last dim: a view."""
    d = input._data
    dim1, dim2 = _diag_dims(d.ndim, dim1, dim2)
    offset = int(offset)
    out, node = make_view(input, _diag_view(d, offset, dim1, dim2), DiagonalBackward0, diagonal,
                          (offset, dim1, dim2))
    if node is not None:
        node.shape, node.offset, node.dim1, node.dim2 = d.shape, offset, dim1, dim2
    return out


class DiagEmbedBackward0(Node):
    __slots__ = ("offset", "dim1", "dim2")

    def backward(self, grad):
        return diagonal(grad, self.offset, self.dim1, self.dim2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose (``dim1``, ``dim2``) diagonals (at ``offset``) hold ``input``'s last dim."""
    d = input._data
    nd = d.ndim + 1
    dim1, dim2 = _diag_dims(nd, dim1, dim2)
    offset = int(offset)
    n = (d.shape[-1] if d.ndim else 1) + abs(offset)
    batch = iter(d.shape[:-1])
    shape = tuple(n if i in (dim1, dim2) else next(batch) for i in range(nd))
    z = np.zeros(shape, dtype=d.dtype)
    _diag_view(z, offset, dim1, dim2)[...] = d
    r = wrap(z)
    if input._rg and mode.enabled:
        node = DiagEmbedBackward0(edge(input))
        node.offset, node.dim1, node.dim2 = offset, dim1, dim2
        attach(r, node)
    return r


def diag(input, diagonal=0):
    """1-d input: a square matrix with it on the ``diagonal``; 2-d input: that diagonal (a copy)."""
    d = input._data
    if d.ndim == 1:
        return diag_embed(input, diagonal, 0, 1)
    if d.ndim != 2:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {d.ndim}D")
    offset = int(diagonal)
    r = wrap(_diag_view(d, offset, 0, 1).copy())
    if input._rg and mode.enabled:
        node = DiagonalCopyBackward(edge(input))
        node.shape, node.offset, node.dim1, node.dim2 = d.shape, offset, 0, 1
        attach(r, node)
    return r


def diagflat(input, offset=0):
    return diag_embed(reshape(input, (-1,)), offset, 0, 1)


# == repeat / tile / repeat_interleave ==========================================================
class RepeatBackward0(Node):
    __slots__ = ("repeats", "shape")

    def backward(self, grad):
        reps = self.repeats
        shape = self.shape
        padded = (1,) * (len(reps) - len(shape)) + tuple(shape)
        inter = []
        for r, s in zip(reps, padded):
            inter += [r, s]
        g = grad.reshape(tuple(inter))
        if reps:
            g = g.sum(dim=tuple(range(0, 2 * len(reps), 2)))
        return g.reshape(shape)


def repeat(input, *sizes):
    """Tile ``input`` ``sizes[i]`` times along each dim (extra leading sizes add dims)."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = sizes[0]
    sizes = tuple(int(s) for s in sizes)
    d = input._data
    if len(sizes) < d.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           "tensor")
    padded = (1,) * (len(sizes) - d.ndim) + d.shape
    if any(s < 0 for s in sizes):
        target = [r * s for r, s in zip(sizes, padded)]
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(target)}: {target}")
    data = np.tile(d.reshape(padded), sizes) if sizes else d.copy()
    r = wrap(data)
    if input._rg and mode.enabled:
        node = RepeatBackward0(edge(input))
        node.repeats, node.shape = sizes, d.shape
        attach(r, node)
    return r


def tile(input, *dims):
    """Like ``repeat``, with missing leading ``dims`` taken as 1."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = dims[0]
    dims = tuple(int(s) for s in dims)
    n = input._data.ndim
    if len(dims) < n:
        dims = (1,) * (n - len(dims)) + dims
    return repeat(input, dims)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element (along ``dim``, or of the flattened tensor) ``repeats`` times.

    ``repeat_interleave(repeats)`` with a 1-d int tensor gives ``[0]*r0 + [1]*r1 + ...``.
    """
    if repeats is None:
        r = input._data
        if r.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        if r.dtype.kind not in "iu":
            raise NotImplementedError(f'"repeat_interleave_cpu" not implemented for '
                                      f"'{_dtype.SCALAR_NAMES[r.dtype]}'")
        r = r.reshape(-1)
        if (r < 0).any():
            raise RuntimeError("repeats can not be negative")
        return wrap(np.repeat(np.arange(r.size, dtype=r.dtype), r))
    if dim is None:
        input = flatten(input)
        dim = 0
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    if isinstance(repeats, Tensor):
        r = repeats._data
        if r.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if r.dtype.kind not in "iu":
            raise NotImplementedError(f'"repeat_interleave_cpu" not implemented for '
                                      f"'{_dtype.SCALAR_NAMES[r.dtype]}'")
        r = r.reshape(-1)
        n = d.shape[dim] if d.ndim else 1
        if r.size == 1:
            r = np.full(n, r[0], dtype=np.int64)
        elif r.size != n:
            raise RuntimeError(f"repeats must have the same size as input along dim, but got repeats.size(0) = "
                               f"{r.size} and input.size({dim}) = {n}")
        if (r < 0).any():
            raise RuntimeError("repeats can not be negative")
        from .scatter_gather import index_select
        return index_select(input, dim, wrap(np.repeat(np.arange(n, dtype=np.int64), r)))
    repeats = int(repeats)
    if repeats < 0:
        raise RuntimeError("Repeats must be non-negative")
    if d.ndim == 0:
        input = reshape(input, (1,))
    u = unsqueeze(input, dim + 1)
    shape = list(u._data.shape)
    shape[dim + 1] = repeats
    return flatten(expand(u, shape).contiguous(), dim, dim + 1)


def _tri_inplace(fn):
    def method(self, diagonal=0):
        return inplace(self, fn, diagonal)
    method.__name__ = fn.__name__ + "_"
    return method


def _attach():
    for name in ("chunk", "unbind", "tensor_split", "hsplit", "vsplit", "dsplit", "narrow", "flip", "fliplr",
                 "flipud", "roll", "tril", "triu", "diagonal", "diag", "diag_embed", "diagflat",
                 "repeat_interleave", "tile", "split_with_sizes", "unsafe_split", "unsafe_split_with_sizes",
                 "unsafe_chunk", "fill_diagonal_"):
        setattr(Tensor, name, globals()[name])
    Tensor.split = _split_method
    Tensor.repeat = repeat
    Tensor.tril_ = _tri_inplace(tril)
    Tensor.triu_ = _tri_inplace(triu)


_attach()
