"""Copies and dtype conversions: to, clone, contiguous, float/double/..., copy_, fill_, zero_."""
import numpy as np

from .. import _dtype
from .._tensor import check_device, device as _device_cls
from .._tensor_str import set_printoptions, get_printoptions, printoptions
from ._core import Node, Tensor, wrap, edge, mode, needs_grad, attach

# The print options are re-exported here so that ``ndgrad/__init__.py``'s star import of this module
# publishes them as ``ndgrad.set_printoptions`` (printing is conversion to text).
__all__ = ["clone"]


class ToCopyBackward0(Node):
    __slots__ = ("src_dtype",)

    def backward(self, grad):
        if grad._data.dtype.kind == "c" and not self.src_dtype.is_complex:
            grad = grad.real  # real source of a complex copy: the real part, without a cast warning
        return grad.to(self.src_dtype)


def _to_dtype(self, np_dt, copy=False):
    if self._data.dtype == np_dt and not copy:
        return self
    out = wrap(self._data.astype(np_dt))
    if mode.enabled and self._rg:
        if np.dtype(np_dt).kind not in "fc":
            return out  # integer results are not differentiable (torch detaches them too)
        node = ToCopyBackward0(edge(self))
        node.src_dtype = _dtype._FROM_NP[self._data.dtype]
        attach(out, node)
    return out


def to(self, *args, dtype=None, device=None, non_blocking=False, copy=False, memory_format=None):
    """``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)``."""
    for a in args:
        if isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (str, _device_cls)):
            device = a
        elif a is not None:
            dtype = a
    check_device(device)
    if dtype is None:
        return self.clone() if copy else self
    np_dt = dtype if isinstance(dtype, np.dtype) else _dtype.to_dtype(dtype).np
    return _to_dtype(self, np_dt, copy)


class CloneBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad


def clone(input, *, memory_format=None):
    """A copy with its own storage; like torch's default ``preserve_format``, the copy keeps the
    input's dimension order in memory (a transposed tensor's clone is transposed too)."""
    order = "C" if memory_format is not None and str(memory_format) == "torch.contiguous_format" else "K"
    return _clone(input, order)


def _clone(input, order):
    out = wrap(np.array(input._data, copy=True, order=order))
    if mode.enabled and input._rg:
        attach(out, CloneBackward0(edge(input)))
    return out


def contiguous(self, memory_format=None):
    """``self`` if it is C-contiguous, else a C-contiguous copy (grad_fn CloneBackward0)."""
    if self._data.flags.c_contiguous:
        return self
    return _clone(self, "C")


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast) into ``self``; differentiable w.r.t. ``src``."""
    from ._core import inplace
    if not isinstance(src, Tensor):
        src = wrap(np.asarray(src))
    return inplace(self, _copy_value, src)


class CopyBackwards(Node):
    __slots__ = ()

    def backward(self, grad):
        return (grad * 0 if self.next_functions[0][0] is not None else None,
                grad if self.next_functions[1][0] is not None else None)


def _copy_value(self, src):
    _check_expandable(src._data.shape, self._data.shape)
    data = np.broadcast_to(src._data, self._data.shape).astype(self._data.dtype, copy=True)
    out = wrap(data)
    if needs_grad(self, src):
        from ._core import record
        record(CopyBackwards(edge(self), edge(src)), out, self, src)
    return out


def _check_expandable(src, dst):
    """torch's error when ``src`` cannot be broadcast to ``dst`` (copy_ does not grow ``self``)."""
    if src == dst:
        return
    n = len(dst)
    if len(src) > n:
        raise RuntimeError(f"output with shape {list(dst)} doesn't match the broadcast shape "
                           f"{list(np.broadcast_shapes(src, dst)) if _broadcastable(src, dst) else list(src)}")
    for i in range(1, len(src) + 1):
        a, b = dst[-i], src[-i]
        if b != a and b != 1:
            raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b ({b}) at "
                               f"non-singleton dimension {n - i}")


def _broadcastable(a, b):
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


def _fill_value(self, value, node_cls):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value._data.ndim} dimensions.")
        out = wrap(np.full(self._data.shape, value._data, dtype=self._data.dtype))
        if needs_grad(self, value):
            from ._core import record
            record(FillBackward3(edge(self), edge(value)), out, self, value)
        return out
    out = wrap(np.full(self._data.shape, value, dtype=self._data.dtype))
    if needs_grad(self):
        attach(out, node_cls(edge(self)))
    return out


class FillBackward2(Node):
    """``fill_(number)``: the old values are overwritten, so no gradient flows to them."""

    __slots__ = ()

    def backward(self, grad):
        return grad * 0


class FillBackward3(Node):
    """``fill_(0-d tensor)``: the value's gradient is the sum of the output's gradient."""

    __slots__ = ()

    def backward(self, grad):
        return (grad * 0 if self.next_functions[0][0] is not None else None,
                grad.sum() if self.next_functions[1][0] is not None else None)


class ZeroBackward0(FillBackward2):
    __slots__ = ()


def fill_(self, value):
    """Fill ``self`` with a number or a 0-d tensor, in place."""
    from ._core import inplace
    return inplace(self, _fill_value, value, FillBackward2)


def zero_(self):
    """Fill ``self`` with zeros, in place."""
    from ._core import inplace
    return inplace(self, _fill_value, 0, ZeroBackward0)


def _caster(np_dt):
    def method(self, memory_format=None):
        return _to_dtype(self, np.dtype(np_dt))
    return method


Tensor.to = to
Tensor.clone = clone
Tensor.contiguous = contiguous
Tensor.copy_ = copy_
Tensor.fill_ = fill_
Tensor.zero_ = zero_
Tensor.float = _caster(np.float32)
Tensor.double = _caster(np.float64)
Tensor.half = _caster(np.float16)
Tensor.long = _caster(np.int64)
Tensor.int = _caster(np.int32)
Tensor.short = _caster(np.int16)
Tensor.char = _caster(np.int8)
Tensor.byte = _caster(np.uint8)
Tensor.bool = _caster(np.bool_)
Tensor.type_as = lambda self, other: _to_dtype(self, other._data.dtype)
