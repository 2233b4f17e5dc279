"""Shape ops. Most are views: they share storage and the version counter with their input
(NumPy views underneath), and record how to rebuild themselves from the base so in-place writes
through them keep the base's graph right (see ``autograd/views.py``)."""
import numpy as np

from ._core import Node, Tensor, wrap, edge, mode, attach, wrap_dim, dims_arg
from ..autograd.views import record_view

__all__ = ["reshape", "view", "flatten", "unflatten", "squeeze", "unsqueeze", "transpose", "swapaxes",
           "swapdims", "permute", "movedim", "moveaxis", "t", "expand", "broadcast_to", "view_as",
           "expand_as", "adjoint", "ravel"]


def make_view(input, data, node, fn, args):
    """Wrap ``data`` (a NumPy view of ``input._data``) as a view tensor of ``input``."""
    out = wrap(data)
    out._vc = input._vc
    if mode.enabled:
        record_view(out, input, fn, args)
        if node is not None and input._rg:
            attach(out, node(edge(input)))
            return out, out.grad_fn
    return out, None


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    return tuple(int(s) for s in shape)


def _infer_shape(shape, numel, what):
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    if neg:
        known = 1
        for s in shape:
            if s != -1:
                known *= s
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = shape[:neg[0]] + (numel // known,) + shape[neg[0] + 1:]
    n = 1
    for s in shape:
        n *= s
    if n != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


class ViewBackward0(Node):
    __slots__ = ("shape",)

    def backward(self, grad):
        return grad.reshape(self.shape)


class UnsafeViewBackward0(ViewBackward0):
    __slots__ = ()


def view(input, *shape):
    """Same data, new shape; RuntimeError if the strides don't allow it (use reshape then)."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)):
        from .convert import to
        return to(input, shape[0])  # view(dtype) is only supported for same-size dtypes in torch
    d = input._data
    shape = _infer_shape(_shape_arg(shape), d.size, "view")
    try:
        data = np.reshape(d, shape, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one dimension spans "
            "across two contiguous subspaces). Use .reshape(...) instead.") from None
    out, node = make_view(input, data, ViewBackward0, view, (shape,))
    if node is not None:
        node.shape = d.shape
    return out


def reshape(input, *shape):
    """A view when the strides allow it, otherwise a copy."""
    d = input._data
    shape = _infer_shape(_shape_arg(shape), d.size, "reshape")
    if shape == d.shape:
        return view(input, shape) if mode.enabled and input._rg else _alias(input)
    try:
        data = np.reshape(d, shape, copy=False)
    except ValueError:
        data = np.reshape(d, shape)  # needs a copy: not a view
        out = wrap(data)
        if mode.enabled and input._rg:
            node = UnsafeViewBackward0(edge(input))
            node.shape = d.shape
            attach(out, node)
        return out
    out, node = make_view(input, data, ViewBackward0, view, (shape,))
    if node is not None:
        node.shape = d.shape
    return out


def _alias(input):
    out = wrap(input._data)
    out._vc = input._vc
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
    return reshape(input, (-1,))


def unflatten(input, dim, sizes):
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    sizes = tuple(sizes)
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    if -1 in sizes:
        sizes = tuple(d.shape[dim] // known if s == -1 else s for s in sizes)
    elif known != d.shape[dim]:
        raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim "
                           f"{dim} ({d.shape[dim]}) in the input tensor")
    return view(input, d.shape[:dim] + sizes + d.shape[dim + 1:]) if d.flags.c_contiguous else \
        reshape(input, d.shape[:dim] + sizes + d.shape[dim + 1:])


class SqueezeBackward0(Node):
    __slots__ = ("shape",)

    def backward(self, grad):
        return grad.reshape(self.shape)


SqueezeBackward1 = type("SqueezeBackward1", (SqueezeBackward0,), {"__slots__": ()})


def squeeze(input, dim=None):
    d = input._data
    if dim is None:
        axes = tuple(i for i, s in enumerate(d.shape) if s == 1)
        cls = SqueezeBackward0
    else:
        axes = tuple(a for a in (dims_arg(dim, d.ndim) if d.ndim else ()) if d.shape[a] == 1)
        if d.ndim == 0:
            wrap_dim(dim if not isinstance(dim, (tuple, list)) else (dim[0] if dim else 0), 0)
        cls = SqueezeBackward1
    data = np.squeeze(d, axis=axes) if axes else d.view()
    out, node = make_view(input, data, cls, squeeze, (dim,))
    if node is not None:
        node.shape = d.shape
    return out


class UnsqueezeBackward0(Node):
    __slots__ = ("dim",)

    def backward(self, grad):
        return grad.squeeze(self.dim)


def unsqueeze(input, dim):
    d = input._data
    dim = wrap_dim(dim, d.ndim + 1)
    out, node = make_view(input, np.expand_dims(d, dim), UnsqueezeBackward0, unsqueeze, (dim,))
    if node is not None:
        node.dim = dim
    return out


class TransposeBackward0(Node):
    __slots__ = ("dims",)

    def backward(self, grad):
        return grad.transpose(*self.dims)


def transpose(input, dim0, dim1):
    d = input._data
    n = d.ndim
    a, b = wrap_dim(dim0, n), wrap_dim(dim1, n)
    data = np.swapaxes(d, a, b) if n else d.view()
    out, node = make_view(input, data, TransposeBackward0, transpose, (a, b))
    if node is not None:
        node.dims = (a, b)
    return out


swapaxes = swapdims = transpose


def t(input):
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    if n < 2:
        return _alias(input) if not (mode.enabled and input._rg) else transpose(input, 0, 0)
    return transpose(input, 0, 1)


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
    out, node = make_view(input, np.transpose(d, axes), PermuteBackward0, permute, (axes,))
    if node is not None:
        node.inverse = tuple(np.argsort(axes).tolist())
    return out


def movedim(input, source, destination):
    d = input._data
    src = [wrap_dim(s, d.ndim) for s in (source if isinstance(source, (tuple, list)) else [source])]
    dst = [wrap_dim(s, d.ndim) for s in (destination if isinstance(destination, (tuple, list)) else [destination])]
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({src} dims) should contain the "
                           f"same number of dims as destination ({dst} dims)")
    order = [i for i in range(d.ndim) if i not in src]
    for dd, s in sorted(zip(dst, src)):
        order.insert(dd, s)
    return permute(input, order)


moveaxis = movedim


class ExpandBackward0(Node):
    __slots__ = ("shape",)

    def backward(self, grad):
        return grad  # the engine sums the broadcast gradient back to ``shape``


def expand(input, *sizes):
    d = input._data
    sizes = _shape_arg(sizes)
    if len(sizes) < d.ndim:
        raise RuntimeError(f"expand(torch.FloatTensor{{{list(d.shape)}}}, size={list(sizes)}): the number of "
                           f"sizes provided ({len(sizes)}) must be greater or equal to the number of dimensions "
                           f"in the tensor ({d.ndim})")
    lead = len(sizes) - d.ndim
    target = list(sizes)
    for i, s in enumerate(d.shape):
        want = sizes[lead + i]
        if want == -1:
            target[lead + i] = s
        elif s != 1 and s != want:
            raise RuntimeError(f"The expanded size of the tensor ({want}) must match the existing size ({s}) at "
                               f"non-singleton dimension {lead + i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                               f"{list(d.shape)}")
    target = tuple(target)
    if target == d.shape:
        data = d.view()
    else:
        data = np.broadcast_to(d, target)
    out, node = make_view(input, data, ExpandBackward0, expand, (target,))
    if node is not None:
        node.shape = d.shape
        node._in_meta = [(d.shape, None)]
    return out


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, size):
    return expand(input, size)


def _attach():
    for name in __all__:
        setattr(Tensor, name, globals()[name])
    Tensor.swapdims = transpose
    Tensor.transpose_ = _inplace_view(transpose)
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
    return method


_attach()
