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
from .. import _dtype
from .._dtype import default as _default_dtype

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "UninitializedBuffer", "is_lazy"]

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


# -- lazy (uninitialized) parameters and buffers ----------------------------------------------------
class UninitializedTensorMixin:
    """Behaviour shared by :class:`UninitializedParameter` and :class:`UninitializedBuffer`: an
    empty placeholder (dtype and ``requires_grad`` known, shape not) until :meth:`materialize`
    gives it a shape and turns it into ``cls_to_become``."""

    __slots__ = ()
    cls_to_become = None

    def materialize(self, shape, device=None, dtype=None):
        """Allocate (uninitialised) data of ``shape`` and become a ``cls_to_become`` instance."""
        if isinstance(shape, int):
            shape = (shape,)
        np_dt = self._data.dtype if dtype is None else _dtype.to_dtype(dtype).np
        self._data = np.empty(tuple(int(s) for s in shape), dtype=np_dt)
        self._vc[0] += 1
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError("Can't access the shape of an uninitialized parameter or buffer. This error usually "
                           "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
                           "initialized one. Call `forward` to initialize the parameters before accessing their "
                           "attributes.")

    def share_memory_(self):
        raise RuntimeError("Can't share memory on an uninitialized parameter or buffer. Call `forward` to "
                           "initialize the parameters before calling `module.share_memory()`.")

    def __repr__(self):
        return f"<{self.__class__.__name__}>"

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (self.__class__, (self.requires_grad,))

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = self.__class__(self.requires_grad, dtype=_dtype._FROM_NP[self._data.dtype])
        return memo[id(self)]


def is_lazy(param):
    """Whether ``param`` is an uninitialized (lazy) parameter or buffer."""
    return isinstance(param, UninitializedTensorMixin)


def _placeholder(cls, requires_grad, dtype):
    np_dt = _dtype.to_dtype(dtype).np if dtype is not None else _default_dtype.np
    t = _new(cls)
    t._data = np.empty((0,), dtype=np_dt)
    t._rg = bool(requires_grad)
    t.grad_fn = None
    t._vc = [0]
    return t


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter whose shape is not known yet (used by lazy modules such as ``nn.LazyLinear``);
    ``materialize(shape)`` turns it into a regular :class:`Parameter`.

    Example:
        >>> p = nn.parameter.UninitializedParameter()
        >>> p
        <UninitializedParameter>
        >>> p.materialize((2, 3)); type(p).__name__, p.shape
        ('Parameter', torch.Size([2, 3]))
    """

    __slots__ = ()
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        return _placeholder(cls, requires_grad, dtype)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass


class UninitializedBuffer(UninitializedTensorMixin, Tensor):
    """A buffer whose shape is not known yet; ``materialize(shape)`` turns it into a Tensor."""

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        t = _placeholder(cls, requires_grad, dtype)
        t.persistent = persistent
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass
