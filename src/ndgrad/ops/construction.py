"""Building and reshaping helpers: grids and products (meshgrid, cartesian_prod, combinations, block_diag), scatter-into-view ops, finite differences and integrals, and complex views.

Most functions here are compositions of differentiable ndgrad ops (so their gradients, and the
gradients of those gradients, come for free). The exceptions are the views (``as_strided``,
``view_as_real``, ``view_as_complex``), which share memory with their input like torch's, and the
``*_scatter`` family, whose node sends the gradient of the written region to ``src`` and the rest
to ``input``. Finite differences and integrals (diff, gradient, trapezoid ...) live in
:mod:`._calculus` and are re-exported from here.
"""
import itertools
import warnings

import numpy as np

from .. import _dtype
from ..autograd import grad_mode as _gm
from ._core import Node, Tensor, wrap, edge, wrap_dim, needs_grad, record, inplace
from .shape import make_view, index_basic
from ._calculus import diff, gradient, trapezoid, trapz, cumulative_trapezoid, trace, renorm, addr, vander

__all__ = ["meshgrid", "cartesian_prod", "combinations", "block_diag", "vander", "rot90", "as_strided",
           "view_as_real", "view_as_complex", "resolve_conj", "resolve_neg", "is_nonzero", "narrow_copy",
           "select_scatter", "slice_scatter", "diagonal_scatter", "index_reduce", "renorm", "trace", "diff",
           "gradient", "trapezoid", "trapz", "cumulative_trapezoid", "addr"]
# names from __all__ that are Tensor methods too, plus the in-place variants torch has
_METHODS = ["rot90", "as_strided", "resolve_conj", "resolve_neg", "is_nonzero", "narrow_copy", "select_scatter",
            "slice_scatter", "diagonal_scatter", "index_reduce", "renorm", "trace", "diff", "addr",
            "index_reduce_", "renorm_", "addr_", "as_strided_"]


def _tensors_arg(tensors):
    """``f(a, b)`` or ``f([a, b])``: the tensors as a list."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        return list(tensors[0])
    return list(tensors)


# -- grids and products ------------------------------------------------------------------------------
def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 0-d/1-d tensors: output ``i`` is tensor ``i`` expanded (a view) over
    the grid. ``indexing='ij'`` (default) or ``'xy'`` (first two grid dims swapped)."""
    tensors = _tensors_arg(tensors)
    if indexing is None:
        warnings.warn("torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
                      UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for i, t in enumerate(tensors):
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {t}")
        if t._data.dtype != tensors[0]._data.dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    sizes = [t._data.size for t in tensors]
    pos = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        pos[0], pos[1] = 1, 0
    grid = [0] * len(tensors)
    for i, p in enumerate(pos):
        grid[p] = sizes[i]
    out = []
    for i, t in enumerate(tensors):
        shape = [1] * len(tensors)
        shape[pos[i]] = -1
        out.append(t.reshape(shape).expand(*grid))
    return tuple(out)


def _check_1d(t):
    if t._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")


def cartesian_prod(*tensors):
    """All tuples of one element of each 1-d tensor, as rows (a single tensor comes back as is)."""
    tensors = _tensors_arg(tensors)
    for t in tensors:
        _check_1d(t)
    if len(tensors) == 1:
        return tensors[0]
    from .joining import stack
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.flatten() for g in grids], dim=1)


def combinations(input, r=2, with_replacement=False):
    """The length-``r`` combinations of a 1-d tensor's elements, one per row (like itertools)."""
    _check_1d(input)
    r = int(r)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return wrap(np.empty(0, dtype=input._data.dtype))
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.array(list(gen(range(input._data.shape[0]), r)), dtype=np.int64).reshape(-1, r)
    from .scatter_gather import index_select
    return index_select(input, 0, wrap(idx.reshape(-1))).reshape(idx.shape[0], r)


def block_diag(*tensors):
    """A block-diagonal matrix of the inputs (0-d is 1x1, 1-d is a row); dtypes are promoted."""
    from .creation import zeros
    from .joining import cat
    mats = []
    for i, t in enumerate(tensors):
        nd = t._data.ndim
        if nd > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer dimensions. Input {i} has "
                               f"{nd} dimensions")
        mats.append(t.reshape(1, 1) if nd == 0 else (t.reshape(1, -1) if nd == 1 else t))
    if not mats:
        return zeros(1, 0)
    np_dt = mats[0]._data.dtype
    for m in mats[1:]:
        np_dt = _dtype.promote_np(np_dt, m._data.dtype)
    dt = _dtype.from_numpy_dtype(np_dt)
    total = sum(m._data.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        r, c = m._data.shape
        pieces = [zeros(r, left, dtype=dt), m.to(dt), zeros(r, total - left - c, dtype=dt)]
        rows.append(cat(pieces, 1))
        left += c
    return cat(rows, 0)


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane ``dims`` (from the first towards the second)."""
    dims = list(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = (wrap_dim(dims[0], nd), wrap_dim(dims[1], nd)) if dims[0] != dims[1] else (0, 0)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}")
    k = int(k) % 4
    from .joining import flip
    if k == 1:
        return flip(input, (d1,)).transpose(d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return flip(input, (d0,)).transpose(d0, d1)
    return input.clone()


# -- views: as_strided, view_as_real, view_as_complex -------------------------------------------------
def _root(d):
    while isinstance(d.base, np.ndarray):
        d = d.base
    return d


def _strided_view(d, size, stride, offset):
    """A NumPy view of ``d``'s storage (its root array) with torch geometry in elements."""
    root = _root(d)
    item = d.itemsize
    numel = int(np.prod(size, dtype=np.int64)) if size else 1
    need = 0 if numel == 0 else (offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1) * item
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if need > root.nbytes:
        raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and "
                           f"itemsize {item} requiring a storage size of {need} are out of bounds for storage of "
                           f"size {root.nbytes}")
    if numel == 0:
        return np.empty(size, dtype=d.dtype)
    return _view_of_root(root, d.dtype, size, tuple(s * item for s in stride), offset * item)


def _view_of_root(root, dtype, shape, byte_strides, byte_offset):
    """A NumPy view of the storage ``root`` (its ``.base``, so storage offsets stay measurable)."""
    if not (root.flags.c_contiguous or root.flags.f_contiguous):
        raise NotImplementedError("ndgrad needs the tensor's storage to be one contiguous block for this view")
    return np.ndarray(shape, dtype, buffer=root, offset=byte_offset, strides=byte_strides)


def _byte_offset(d):
    return d.__array_interface__["data"][0] - _root(d).__array_interface__["data"][0]


def _storage_offset(d):
    return (d.__array_interface__["data"][0] - _root(d).__array_interface__["data"][0]) // d.itemsize


def _as_strided_replay(t, size, stride, rel):
    # rebuild the view from a tensor laid out like the original input: offsets relative to it
    return as_strided(t, size, stride, _storage_offset(t._data) + rel)


def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s storage with the given sizes, strides and storage offset (in elements)."""
    from ..autograd.views import AsStridedBackward0
    size = tuple(int(s) for s in size)
    stride = tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: "
                           f"{list(stride)}")
    if any(s < 0 for s in size):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: {list(size)}")
    d = input._data
    own = _storage_offset(d)
    offset = own if storage_offset is None else int(storage_offset)
    data = _strided_view(d, size, stride, offset)
    out, node = make_view(input, data, AsStridedBackward0, _as_strided_replay, (size, stride, offset - own))
    if node is not None:
        item = d.itemsize
        node.base_geometry = (d.shape, tuple(s // item for s in d.strides), own)
        node.view_geometry = (size, stride, offset)
        node.dtype = d.dtype
    return out


def as_strided_(self, size, stride, storage_offset=None):
    """In place: ``self`` takes the geometry of ``as_strided(self, ...)``."""
    r = as_strided(self, size, stride, storage_offset)
    self._data = r._data
    if r.grad_fn is not None:
        self.grad_fn = r.grad_fn
    return self


_REAL_OF = {np.dtype(np.complex64): np.dtype(np.float32), np.dtype(np.complex128): np.dtype(np.float64)}
_COMPLEX_OF = {v: k for k, v in _REAL_OF.items()}


class ViewAsRealBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        if grad._data.strides[-1] != grad._data.itemsize:
            grad = grad.contiguous()
        return view_as_complex(grad)


class ViewAsComplexBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return view_as_real(grad)


def view_as_real(input):
    """A complex tensor seen as real numbers with a trailing dim of 2 (real, imaginary): a view."""
    d = input._data
    if d.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    rdt = _REAL_OF[d.dtype]
    if d.size == 0:
        data = np.empty(d.shape + (2,), dtype=rdt)
    else:
        # the real parts (a NumPy view, any strides) widened by the imaginary part next to each
        data = np.lib.stride_tricks.as_strided(d.real, d.shape + (2,), d.strides + (rdt.itemsize,))
    out, _ = make_view(input, data, ViewAsRealBackward0, _view_as_real_replay, ())
    return out


def _view_as_real_replay(t):
    return view_as_real(t)


def _view_as_complex_replay(t):
    return view_as_complex(t)


def view_as_complex(input):
    """A real tensor whose last dim has size 2 seen as complex numbers: a view without that dim."""
    d = input._data
    if d.dtype not in _COMPLEX_OF:
        raise RuntimeError(f"view_as_complex is only supported for half, float and double tensors, but got a tensor "
                           f"of scalar type: {_dtype.SCALAR_NAMES[d.dtype]}")
    if d.ndim == 0 or d.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    item = d.itemsize
    if d.strides[-1] != item:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    if any(s % (2 * item) for s, n in zip(d.strides[:-1], d.shape[:-1]) if n > 1):
        raise RuntimeError("Tensor must have a stride divisible by 2 for all but last dimension")
    if _storage_offset(d) % 2:
        raise RuntimeError("Tensor must have a storage offset divisible by 2")
    cdt = _COMPLEX_OF[d.dtype]
    data = _complex_view(d, cdt)
    out, _ = make_view(input, data, ViewAsComplexBackward0, _view_as_complex_replay, ())
    return out


def _complex_view(d, cdt):
    # ``d[..., 0]`` with the complex dtype: same start, strides of the leading dims
    if d.size == 0:
        return np.empty(d.shape[:-1], dtype=cdt)
    return _view_of_root(_root(d), cdt, d.shape[:-1], d.strides[:-1], _byte_offset(d))


def resolve_conj(input):
    """ndgrad has no lazy conjugation: the tensor itself."""
    return input


def resolve_neg(input):
    """ndgrad has no lazy negation: the tensor itself."""
    return input


def is_nonzero(input):
    """The truth value of a one-element tensor."""
    n = input._data.size
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()).item())


def narrow_copy(input, dim, start, length):
    """``narrow`` as a new tensor (not a view)."""
    return input.narrow(dim, start, length).clone()


# -- scatter-into-view ops ----------------------------------------------------------------------------
class _ScatterIntoView(Node):
    """``src`` written into a copy of ``input`` at the region ``view(.)`` selects: the region's
    gradient goes to ``src``, the rest to ``input``."""

    __slots__ = ("view", "args", "src_shape")

    def backward(self, grad):
        (fi, _), (fs, _) = self.next_functions
        gi = gs = None
        if fi is not None:
            from .creation import zeros
            gi = _scatter_into_view(grad, zeros(self.src_shape, dtype=grad.dtype), type(self), self.view, self.args)
        if fs is not None:
            gs = self.view(grad, *self.args).clone()
        return gi, gs


SelectScatterBackward0 = type("SelectScatterBackward0", (_ScatterIntoView,), {"__slots__": ()})
SliceScatterBackward0 = type("SliceScatterBackward0", (_ScatterIntoView,), {"__slots__": ()})
DiagonalScatterBackward0 = type("DiagonalScatterBackward0", (_ScatterIntoView,), {"__slots__": ()})


def _scatter_into_view(input, src, cls, view, args):
    out_d = input._data.copy()
    with _gm.no_grad():
        region = view(wrap(out_d), *args)._data
    if region.shape != src._data.shape:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src._data.shape)}, slice size = {list(region.shape)}")
    np.copyto(region, src._data, casting="unsafe")
    out = wrap(out_d)
    if needs_grad(input, src):
        node = cls(edge(input), edge(src))
        node.view, node.args, node.src_shape = view, args, src._data.shape
        record(node, out, input)
        if src._data.dtype != out_d.dtype:
            node._in_meta = [(None, None), (src._data.shape, src._data.dtype)]
    return out


def _select(t, dim, index):
    return t.select(dim, index)


def _diag(t, offset, dim1, dim2):
    return t.diagonal(offset, dim1, dim2)


def select_scatter(input, src, dim, index):
    """A copy of ``input`` with ``src`` written at ``index`` along ``dim``."""
    nd = input._data.ndim
    if nd == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    return _scatter_into_view(input, src, SelectScatterBackward0, _select, (wrap_dim(dim, nd), int(index)))


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` with ``src`` written at ``start:end:step`` along ``dim``."""
    nd = input._data.ndim
    dim = wrap_dim(dim, max(nd, 1))
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    key = (slice(None),) * dim + (slice(start, end, step),)
    return _scatter_into_view(input, src, SliceScatterBackward0, index_basic, (key,))


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of ``input`` with ``src`` written on its (``dim1``, ``dim2``) diagonal at ``offset``."""
    return _scatter_into_view(input, src, DiagonalScatterBackward0, _diag, (int(offset), dim1, dim2))


def index_reduce(input, dim, index, source, reduce, *, include_self=True):
    """Reduce slices of ``source`` into a copy of ``input`` at ``index`` along ``dim`` with
    ``reduce`` in prod, mean, amax, amin (``include_self=False`` ignores ``input`` there)."""
    if reduce not in ("prod", "mean", "amax", "amin"):
        raise RuntimeError(f"index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got {reduce}.")
    from .scatter_gather import scatter_reduce
    sd, idx = source._data, index._data
    if idx.ndim > 1:
        raise IndexError("index_reduce_(): Index is supposed to be a vector")
    if idx.dtype.kind not in "iu":
        raise IndexError("index_reduce_(): Expected dtype int32/int64 for index but got: "
                         f"{_dtype.SCALAR_NAMES[idx.dtype]}")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError("index_reduce_(): self (" + _dtype.SCALAR_NAMES[input._data.dtype] + ") and source (" +
                           _dtype.SCALAR_NAMES[sd.dtype] + ") must have the same scalar type")
    nd = max(sd.ndim, 1)
    dim = wrap_dim(dim, max(input._data.ndim, 1))
    n_src = sd.shape[dim] if sd.ndim else 1
    if idx.size != n_src:
        raise RuntimeError(f"index_reduce_(): Number of indices ({idx.size}) should be equal to source.size(dim) "
                           f"({n_src})")
    shape = [1] * nd
    shape[dim] = -1
    full = np.broadcast_to(idx.astype(np.int64).reshape(shape), sd.shape if sd.ndim else (1,))
    return scatter_reduce(input, dim, wrap(np.ascontiguousarray(full)), source, reduce, include_self=include_self)


def index_reduce_(self, dim, index, source, reduce, *, include_self=True):
    return inplace(self, index_reduce, dim, index, source, reduce, include_self=include_self)


def renorm_(self, p, dim, maxnorm):
    return inplace(self, renorm, p, dim, maxnorm)


def addr_(self, vec1, vec2, *, beta=1, alpha=1):
    return inplace(self, addr, vec1, vec2, beta=beta, alpha=alpha)


def _attach():
    g = globals()
    for name in _METHODS:
        setattr(Tensor, name, g[name])


_attach()
