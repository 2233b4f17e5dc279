"""Parameter and Buffer: the tensors a Module registers when they are assigned to it.

A ``Parameter`` is a leaf tensor that requires grad (by default) and shares its data with the tensor
it was made from; assigning one to a Module attribute registers it in ``module._parameters``.
A ``Buffer`` is a plain tensor marked for ``module._buffers`` (``persistent`` says whether it goes
into the ``state_dict``), as in torch ≥ 2.5.

Example:
    >>> p = nn.Parameter(ndgrad.zeros(2))
    >>> p
    Parameter containing:
    tensor([0., 0.], requires_grad=True)
"""
import numpy as np

from .._tensor import Tensor
from .._dtype import default as _default_dtype

__all__ = ["Parameter", "Buffer"]

_new = object.__new__


class Parameter(Tensor):
    """A Tensor that a Module treats as one of its parameters.

    Args:
        data: the initial value (shared, not copied); an empty float tensor when None.
        requires_grad: whether the parameter requires gradient (default True).
    """

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            arr = np.empty((0,), dtype=_default_dtype.np)
            vc = [0]
        elif isinstance(data, Tensor):
            arr = data._data
            vc = data._vc
        else:
            raise TypeError(f"Parameter(): argument 'data' must be Tensor, not {type(data).__name__}")
        p = _new(cls)
        p._data = arr
        p._rg = False
        p.grad_fn = None
        p._vc = vc
        if requires_grad:
            p.requires_grad_(True)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass  # everything happens in __new__ (Tensor.__init__ is the legacy constructor)

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        result = type(self)(_copy_data(self), self._rg)
        if self._grad is not None:
            result._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self._data, self._rg))


def _copy_data(t):
    c = _new(Tensor)
    c._data = t._data.copy()
    c._rg = False
    c.grad_fn = None
    c._vc = [0]
    return c


def _rebuild_parameter(data, requires_grad):
    t = _new(Tensor)
    t._data = data
    t._rg = False
    t.grad_fn = None
    t._vc = [0]
    return Parameter(t, requires_grad)


class _BufferMeta(type):
    """``isinstance(t, Buffer)`` is true for tensors created by ``Buffer(...)`` (torch's trick)."""

    def __instancecheck__(cls, instance):
        if cls is Buffer:
            return isinstance(instance, Tensor) and getattr(instance, "_is_buffer", False)
        return type.__instancecheck__(cls, instance)


class Buffer(Tensor, metaclass=_BufferMeta):
    """Marks a tensor as a buffer when assigned to a Module (``self.running = nn.Buffer(t)``).

    Args:
        data: the buffer tensor (shared); an empty float tensor when None.
        persistent: whether the buffer is part of the module's ``state_dict``.
    """

    __slots__ = ()

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            data = Tensor(0)
        t = data.detach()
        if data._rg:
            t._rg = True
        t.persistent = persistent
        t._is_buffer = True
        return t
