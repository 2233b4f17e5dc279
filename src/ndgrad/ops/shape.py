"""Shape ops. Most are views: they share storage and the version counter with their input
(NumPy views underneath), and record how to rebuild themselves from the base so in-place writes
through them keep the base's graph right (see ``autograd/views.py``).

Basic indexing (``select``, ``narrow``, ``x[0, 1:3]``) lives here too: one NumPy basic index is one
view, and its backward writes the gradient into zeros at the same place (``index_basic_backward``,
itself differentiable: its backward is the same index again).
"""
import numpy as np

from .. import _dtype
from ._core import Node, Tensor, wrap, edge, mode, attach, wrap_dim
from ..autograd.views import record_view

__all__ = ["reshape", "view", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose", "swapaxes",
           "swapdims", "permute", "movedim", "moveaxis", "t", "expand", "broadcast_to", "view_as",
           "expand_as", "adjoint", "ravel", "select", "atleast_1d", "atleast_2d", "atleast_3d",
           "broadcast_tensors", "broadcast_shapes"]

ndarray = np.ndarray
_as_strided = np.lib.stride_tricks.as_strided


def make_view(input, data, node, fn, args):
    """Wrap ``data`` (a NumPy view of ``input._data``) as a view tensor of ``input``.

    ``node`` is the backward class (or None), ``fn(t, *args)`` rebuilds the view from ``t``.
    Returns ``(view, grad_fn or None)`` so the caller can set the node's attributes.
    """
    out = wrap(data)
    out._vc = input._vc
    record_view(out, input, fn, args)
    if node is not None and input._rg and mode.enabled:
        n = node(edge(input))
        out.grad_fn = n
        out._rg = True
        return out, n
    return out, None


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    for s in shape:
        if s.__class__ is not int:
            return tuple(int(s) for s in shape)  # NumPy ints, 1-element tensors
    return tuple(shape)


def _infer_shape(shape, numel):
    if -1 not in shape:  # the common case: every size given
        n = 1
        for s in shape:
            if s < 0:
                break
            n *= s
        else:
            if n != numel:
                raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
            return shape
    neg = -1
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if neg >= 0:
                raise RuntimeError("only one dimension can be inferred")
            neg = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
        else:
            known *= s
    if neg >= 0:
        if known == 0:
            if numel == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {list(shape)} because the unspecified "
                    "dimension size -1 can be any value and is ambiguous")
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        if numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        return shape[:neg] + (numel // known,) + shape[neg + 1:]
    if known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


_LEGACY = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor", "int64": "LongTensor",
           "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor",
           "bool": "BoolTensor", "complex64": "ComplexFloatTensor", "complex128": "ComplexDoubleTensor"}


def legacy_type_name(np_dtype):
    """torch's legacy tensor type name (``torch.FloatTensor``) used in some error messages."""
    return "torch." + _LEGACY.get(np.dtype(np_dtype).name, "Tensor")


# -- view / reshape ----------------------------------------------------------------------------
class ViewBackward0(Node):
    __slots__ = ("shape",)

    def backward(self, grad):
        return grad.reshape(self.shape)


class UnsafeViewBackward0(ViewBackward0):
    __slots__ = ()


class ReshapeAliasBackward0(ViewBackward0):
    __slots__ = ()


def _reshape_view(d, shape):
    """``d`` reshaped without copying, or None when that needs a copy."""
    r = d.reshape(shape)
    b = r.base
    if b is d or (b is not None and b is d.base):
        return r
    return None


def _replay_reshape(t, shape):
    # Rebuilding a view from its base (or applying it to a gradient of any layout): reshape is
    # a view whenever the original view was one, and still works on a differently strided tensor.
    return reshape(t, shape)


def view(input, *shape):
    """Same data, new shape; RuntimeError if the strides don't allow it (use reshape then).

    ``x.view(dtype)`` reinterprets the bytes with another dtype (not differentiable).
    """
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int, np.integer)):
        return _view_dtype(input, shape[0])
    d = input._data
    shape = _infer_shape(_shape_arg(shape), d.size)
    data = _reshape_view(d, shape)
    if data is None:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one dimension spans "
            "across two contiguous subspaces). Use .reshape(...) instead.")
    out, node = make_view(input, data, ViewBackward0, _replay_reshape, (shape,))
    if node is not None:
        node.shape = d.shape
    return out


def _view_dtype(input, dtype):
    np_dt = _dtype.to_dtype(dtype).np
    d = input._data
    if np_dt.itemsize != d.dtype.itemsize:
        names = f"{_dtype.SCALAR_NAMES[d.dtype]} as {_dtype.SCALAR_NAMES[np_dt]} (different element sizes)"
        if d.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 to view {names}")
        if d.strides[-1] != d.itemsize:
            raise RuntimeError(f"self.stride(-1) must be 1 to view {names}, but got {d.strides[-1] // d.itemsize}")
        try:
            data = d.view(np_dt)
        except ValueError:
            raise RuntimeError(
                f"self.size(-1) must be divisible by {max(np_dt.itemsize // d.itemsize, 1)} to view {names}, but "
                f"got {d.shape[-1]}") from None
    else:
        data = d.view(np_dt)
    out = wrap(data)
    out._vc = input._vc
    return out


def reshape(input, *shape):
    """A view when the strides allow it, otherwise a copy.

    Example:
        >>> ndgrad.arange(6).reshape(2, -1).shape
        torch.Size([2, 3])
    """
    d = input._data
    shape = _infer_shape(_shape_arg(shape), d.size)
    data = _reshape_view(d, shape)
    if data is None:
        out = wrap(np.reshape(d, shape))  # needs a copy: not a view
        if input._rg and mode.enabled:
            node = UnsafeViewBackward0(edge(input))
            node.shape = d.shape
            attach(out, node)
        return out
    cls = ViewBackward0 if d.flags.c_contiguous else ReshapeAliasBackward0
    out, node = make_view(input, data, cls, _replay_reshape, (shape,))
    if node is not None:
        node.shape = d.shape
    return out


def view_as(input, other):
    return view(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    d = input._data
    if d.ndim == 0:
        return reshape(input, (1,))
    s = wrap_dim(start_dim, d.ndim)
    e = wrap_dim(end_dim, d.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for x in d.shape[s:e + 1]:
        n *= x
    return reshape(input, d.shape[:s] + (n,) + d.shape[e + 1:])


def ravel(input):
    return view(input.contiguous(), (-1,))


def unflatten(input, dim, sizes):
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    sizes = tuple(int(s) for s in sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = d.shape[dim]
    if sizes.count(-1) > 1:
        raise RuntimeError("unflatten got an unexpected error:\nonly one dimension can be inferred")
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    if -1 in sizes:
        if known == 0 or n % known:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
                               f"{dim} ({n}) in the input tensor")
        sizes = tuple(n // known if s == -1 else s for s in sizes)
    elif known != n:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
                           f"{dim} ({n}) in the input tensor")
    return view(input, d.shape[:dim] + sizes + d.shape[dim + 1:])  # splitting one dim is always a view


# -- squeeze / unsqueeze -----------------------------------------------------------------------
class SqueezeBackward0(Node):
    __slots__ = ("shape",)

    def backward(self, grad):
        return grad.reshape(self.shape)


class SqueezeBackward1(SqueezeBackward0):
    __slots__ = ()


class SqueezeBackward2(SqueezeBackward0):
    __slots__ = ()


def squeeze(input, dim=None):
    """Remove size-1 dims (all of them, or those among ``dim``: an int or a tuple of ints)."""
    d = input._data
    n = d.ndim
    shape = d.shape
    if dim is None:
        axes = tuple(i for i, s in enumerate(shape) if s == 1)
        cls = SqueezeBackward0
    elif isinstance(dim, (tuple, list)):
        wrapped = [wrap_dim(x, n) for x in dim]
        seen = set()
        for w in wrapped:
            if w in seen:
                raise RuntimeError(f"dim {w} appears multiple times in the list of dims")
            seen.add(w)
        axes = tuple(sorted(a for a in wrapped if n and shape[a] == 1))
        cls = SqueezeBackward2
    else:
        a = wrap_dim(dim, n)
        axes = (a,) if n and shape[a] == 1 else ()
        cls = SqueezeBackward1
    data = d.reshape(tuple(s for i, s in enumerate(shape) if i not in axes)) if axes else d.view()
    out, node = make_view(input, data, cls, squeeze, (dim,))
    if node is not None:
        node.shape = shape
    return out


class UnsqueezeBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, grad):
        return grad.squeeze(self.dim)


def unsqueeze(input, dim):
    d = input._data
    dim = wrap_dim(dim, d.ndim + 1)
    out, node = make_view(input, d.reshape(d.shape[:dim] + (1,) + d.shape[dim:]), UnsqueezeBackward0, unsqueeze,
                          (dim,))
    if node is not None:
        node.dim = dim
    return out


# -- transposes --------------------------------------------------------------------------------
class TransposeBackward0(Node):
    __slots__ = ("dims",)

    def backward(self, grad):
        return grad.transpose(*self.dims)


class TBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad.t()


def transpose(input, dim0, dim1):
    d = input._data
    n = d.ndim
    a, b = wrap_dim(dim0, n), wrap_dim(dim1, n)
    data = d.swapaxes(a, b) if n else d.view()
    out, node = make_view(input, data, TransposeBackward0, transpose, (a, b))
    if node is not None:
        node.dims = (a, b)
    return out


swapaxes = swapdims = transpose


def t(input):
    d = input._data
    n = d.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    out, _ = make_view(input, d.T if n == 2 else d.view(), TBackward0, t, ())
    return out


def adjoint(input):
    return transpose(input, -2, -1)


class PermuteBackward0(Node):
    __slots__ = ("inverse",)

    def backward(self, grad):
        return grad.permute(self.inverse)


def permute(input, *dims):
    d = input._data
    dims = _shape_arg(dims)
    if len(dims) != d.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the "
                           f"length of the desired ordering of dimensions i.e. input.dim() = {d.ndim} is not "
                           f"equal to len(dims) = {len(dims)}")
    axes = tuple(wrap_dim(x, d.ndim) for x in dims)
    if len(set(axes)) != len(axes):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    out, node = make_view(input, d.transpose(axes), PermuteBackward0, permute, (axes,))
    if node is not None:
        inv = [0] * len(axes)
        for i, a in enumerate(axes):
            inv[a] = i
        node.inverse = tuple(inv)
    return out


def movedim(input, source, destination):
    n = input._data.ndim
    src_in = list(source) if isinstance(source, (tuple, list)) else [source]
    dst_in = list(destination) if isinstance(destination, (tuple, list)) else [destination]
    if len(src_in) != len(dst_in):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src_in} dims) should contain "
                           f"the same number of dims as destination ({dst_in} dims)")
    src = [wrap_dim(s, n) for s in src_in]
    dst = [wrap_dim(s, n) for s in dst_in]
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({src_in})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({dst_in})")
    order = [-1] * n
    for s, dd in zip(src, dst):
        order[dd] = s
    rest = iter(i for i in range(n) if i not in src)
    order = [o if o >= 0 else next(rest) for o in order]
    return permute(input, order)


moveaxis = movedim


# -- expand ------------------------------------------------------------------------------------
class ExpandBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad  # the engine sums the broadcast gradient back to the input's shape (_in_meta)


def expand(input, *sizes):
    d = input._data
    sizes = _shape_arg(sizes)
    if len(sizes) < d.ndim:
        raise RuntimeError(f"expand({legacy_type_name(d.dtype)}{{{list(d.shape)}}}, size={list(sizes)}): the "
                           f"number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({d.ndim})")
    lead = len(sizes) - d.ndim
    target = list(sizes)
    strides = [0] * len(sizes)
    for i in range(lead):
        if sizes[i] < 0:
            if sizes[i] == -1:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                                   f"non-existing dimension {i}")
            raise RuntimeError(f"Trying to create tensor with negative dimension {sizes[i]}: {list(sizes)}")
    for i, s in enumerate(d.shape):
        want = sizes[lead + i]
        if want == -1 or want == s:
            target[lead + i] = s
            strides[lead + i] = d.strides[i]
        elif s != 1:
            raise RuntimeError(f"The expanded size of the tensor ({want}) must match the existing size ({s}) at "
                               f"non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(d.shape)}")
        elif want < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {want}: {list(sizes)}")
    target = tuple(target)
    if target == d.shape:
        data = d.view()
    elif d.flags.c_contiguous:
        # a strided view over d's buffer (not np.broadcast_to): writable, as torch's expanded tensors are
        data = ndarray(target, d.dtype, d, 0, tuple(strides))
    else:
        data = _as_strided(d, target, tuple(strides))
    out, node = make_view(input, data, ExpandBackward0, expand, (target,))
    if node is not None and target != d.shape:
        node._in_meta = [(d.shape, None)]
    return out


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, size):
    return expand(input, size)


def broadcast_shapes(*shapes):
    """The broadcast shape of ``shapes`` (torch.broadcast_shapes), as a Size."""
    from .._tensor import Size
    norm = [(int(s),) if isinstance(s, (int, np.integer)) else tuple(int(x) for x in s) for s in shapes]
    result = []
    for i, shape in enumerate(norm):
        for k in range(1, len(shape) + 1):
            n = shape[-k]
            if k > len(result):
                result.insert(0, n)
            elif result[-k] == 1:
                result[-k] = n
            elif n != 1 and n != result[-k]:
                raise RuntimeError(f"Attempting to broadcast a dimension of length {n} at {-k}! Mismatching argument "
                                   f"at index {i} had {shape}; but expected shape should be broadcastable to {result}")
    return Size(result)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    shape = broadcast_shape_of([t._data.shape for t in tensors])
    return tuple(expand(t, shape) for t in tensors)


def broadcast_shape_of(shapes):
    """Broadcast shape with torch's error for the first incompatible pair of sizes."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        pass
    out = list(shapes[0])
    for s in shapes[1:]:
        n = max(len(out), len(s))
        a = [1] * (n - len(out)) + list(out)
        b = [1] * (n - len(s)) + list(s)
        for i in range(n - 1, -1, -1):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                raise RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                                   f"non-singleton dimension {i}")
            a[i] = max(a[i], b[i]) if a[i] != 1 else b[i]
        out = a
    return tuple(out)


# -- atleast_nd --------------------------------------------------------------------------------
def _atleast(fn, tensors):
    if len(tensors) == 1:
        x = tensors[0]
        if isinstance(x, (tuple, list)):
            return tuple(fn(t) for t in x)
        return fn(x)
    return tuple(fn(t) for t in tensors)


def _at1(x):
    return reshape(x, (1,)) if x._data.ndim == 0 else x


def _at2(x):
    n = x._data.ndim
    return reshape(x, (1, 1)) if n == 0 else unsqueeze(x, 0) if n == 1 else x


def _at3(x):
    n = x._data.ndim
    if n == 0:
        return reshape(x, (1, 1, 1))
    if n == 1:
        return unsqueeze(unsqueeze(x, 0), -1)
    return unsqueeze(x, -1) if n == 2 else x


def atleast_1d(*tensors):
    return _atleast(_at1, tensors)


def atleast_2d(*tensors):
    return _atleast(_at2, tensors)


def atleast_3d(*tensors):
    return _atleast(_at3, tensors)


# -- basic indexing: select, slice, alias ------------------------------------------------------
class BasicIndexBackward(Node):
    """Backward of one NumPy basic index (ints, slices, None): write grad into zeros there."""

    __slots__ = ("shape", "key")

    def backward(self, grad):
        return index_basic_backward(grad, self.shape, self.key)


class SelectBackward0(BasicIndexBackward):
    __slots__ = ()


class SliceBackward0(BasicIndexBackward):
    __slots__ = ()


class AliasBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad


UnsqueezeIndexBackward = type("UnsqueezeBackward0", (BasicIndexBackward,), {"__slots__": ()})


def index_basic(input, key, cls=SliceBackward0):
    """``input[key]`` for a tuple ``key`` of ints, slices and None (a view); ``cls`` names the node."""
    d = input._data
    data = d[key]
    if data.__class__ is not ndarray:  # every dim selected: keep a 0-d view, not a NumPy scalar
        data = d[key + (Ellipsis,)]
    out = wrap(data)
    out._vc = input._vc
    record_view(out, input, index_basic, (key,))
    if input._rg and mode.enabled:
        if cls is AliasBackward0:
            node = AliasBackward0(edge(input))
        else:
            node = cls(edge(input))
            node.shape = d.shape
            node.key = key
        out.grad_fn = node
        out._rg = True
    return out


class BasicIndexBackwardBackward0(Node):
    __slots__ = ("key",)

    def backward(self, grad):
        return index_basic(grad, self.key)


def index_basic_backward(grad, shape, key):
    """zeros(shape) with ``grad`` written at ``key`` (differentiable: its backward is ``[key]``)."""
    g = grad._data
    z = np.zeros(shape, dtype=g.dtype)
    z[key] = g
    out = wrap(z)
    if grad._rg and mode.enabled:
        node = BasicIndexBackwardBackward0(edge(grad))
        node.key = key
        attach(out, node)
    return out


def select(input, dim, index):
    """``input`` indexed with ``index`` along ``dim`` (a view without that dim)."""
    d = input._data
    n = d.ndim
    if n == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    dim = wrap_dim(dim, n)
    index = int(index)
    size = d.shape[dim]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(d.shape)} at "
                         f"dimension {dim}")
    if index < 0:
        index += size
    return index_basic(input, (slice(None),) * dim + (index,), SelectBackward0)


# -- unfold: sliding windows along one dim (a strided view) -------------------------------------
class UnfoldBackward0(Node):
    __slots__ = ("shape", "dim", "size", "step")

    def backward(self, grad):
        return unfold_backward(grad, self.shape, self.dim, self.size, self.step)


class UnfoldBackwardBackward0(Node):
    __slots__ = ("dim", "size", "step")

    def backward(self, grad):
        return unfold(grad, self.dim, self.size, self.step)


def _unfold_data(d, dim, size, step):
    n = d.shape[dim]
    count = (n - size) // step + 1
    shape = d.shape[:dim] + (count,) + d.shape[dim + 1:] + (size,)
    strides = d.strides[:dim] + (d.strides[dim] * step,) + d.strides[dim + 1:] + (d.strides[dim],)
    return _as_strided(d, shape, strides, writeable=d.flags.writeable)


def unfold(input, dimension, size, step):
    """All windows of ``size`` elements along ``dimension``, ``step`` apart, as a new last dim (a view)."""
    d = input._data
    ndim = d.ndim
    dim = wrap_dim(dimension, max(ndim, 1))
    size, step = int(size), int(step)
    n = d.shape[dim] if ndim else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {dim} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    if ndim == 0:
        data = d.reshape(1)[:size]
    else:
        data = _unfold_data(d, dim, size, step)
    out, node = make_view(input, data, UnfoldBackward0, unfold, (dim, size, step))
    if node is not None:
        node.shape, node.dim, node.size, node.step = d.shape, dim, size, step
    return out


def unfold_backward(grad, shape, dim, size, step):
    """Sum each window's gradient back onto the elements it covers (differentiable: unfold again)."""
    g = grad._data
    z = np.zeros(shape, dtype=g.dtype)
    if len(shape) == 0:
        z[...] = g.sum()
    else:
        count = g.shape[dim]
        pre = (slice(None),) * dim
        for k in range(size):
            z[pre + (slice(k, k + step * (count - 1) + 1, step),)] += g[..., k]
    out = wrap(z)
    if grad._rg and mode.enabled:
        node = UnfoldBackwardBackward0(edge(grad))
        node.dim, node.size, node.step = dim, size, step
        attach(out, node)
    return out


def reshape_as(input, other):
    return reshape(input, other._data.shape)


def _attach():
    Tensor.unfold = unfold
    Tensor.reshape_as = reshape_as
    for name in __all__:
        if name not in ("broadcast_tensors", "broadcast_shapes", "atleast_1d", "atleast_2d", "atleast_3d"):
            setattr(Tensor, name, globals()[name])
    Tensor.swapdims = transpose
    Tensor.transpose_ = _inplace_view(transpose)
    Tensor.swapdims_ = _inplace_view(transpose)
    Tensor.swapaxes_ = _inplace_view(transpose)
    Tensor.t_ = _inplace_view(t)
    Tensor.squeeze_ = _inplace_view(squeeze)
    Tensor.unsqueeze_ = _inplace_view(unsqueeze)


def _inplace_view(fn):
    """``x.t_()`` and friends: rebind x to the view's metadata (no data change)."""
    def method(self, *args):
        r = fn(self, *args)
        self._data = r._data
        if r.grad_fn is not None:
            self.grad_fn = r.grad_fn
        return self
    method.__name__ = fn.__name__ + "_"
    return method


_attach()
