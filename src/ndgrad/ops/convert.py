"""Copies and dtype conversions: to, clone, contiguous, float/double/..., copy_, fill_, zero_."""
import numpy as np

from .. import _dtype
from .._tensor import check_device, device as _device_cls
from ._core import Node, Tensor, wrap, edge, mode, needs_grad, attach, NOEDGE

__all__ = ["clone"]


class ToCopyBackward0(Node):
    __slots__ = ("src_dtype",)

    def backward(self, grad):
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
    out = wrap(np.array(input._data, copy=True, order="C"))
    if mode.enabled and input._rg:
        attach(out, CloneBackward0(edge(input)))
    return out


def contiguous(self, memory_format=None):
    if self._data.flags.c_contiguous:
        return self
    return clone(self)


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
    data = np.broadcast_to(src._data, self._data.shape).astype(self._data.dtype, copy=True)
    out = wrap(data)
    if needs_grad(self, src):
        from ._core import record
        record(CopyBackwards(edge(self), edge(src)), out, self, src)
    return out


def _fill_value(self, value):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value._data.ndim} dimensions.")
        return _copy_value(self, value)
    out = wrap(np.full(self._data.shape, value, dtype=self._data.dtype))
    if needs_grad(self):
        attach(out, _FillBackward(edge(self)))
    return out


class _FillBackward(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * 0


_FillBackward.__name__ = "FillBackward0"


def fill_(self, value):
    from ._core import inplace
    return inplace(self, _fill_value, value)


def zero_(self):
    from ._core import inplace
    return inplace(self, _fill_value, 0)


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
