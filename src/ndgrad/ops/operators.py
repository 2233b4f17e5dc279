"""Python operators (``a + b``, ``-a``, ``a += b``) and in-place methods (``a.add_(b)``) for the
arithmetic ops of :mod:`.arith`.

They are the hot path of every model and optimizer, so the common cases (two tensors of one dtype;
a floating tensor with a Python number; no graph for in-place updates) take a short path before the
general one in :mod:`.arith` (promotion, scalars, errors). This module only attaches ``Tensor``
methods; it has no public functions of its own.
"""
import numbers

import numpy as np

from ._core import Tensor, wrap, edge, record, attach, mode, inplace, NOEDGE, ndarray
from .arith import (_OPERAND, _reraise_broadcast, _add_like, _binary, AddBackward0, SubBackward0, RsubBackward1,
                    MulBackward0, DivBackward0, add, sub, rsub, mul, div, floor_divide, pow, float_power, neg,
                    fmod, remainder)

__all__ = []


# -- operators --------------------------------------------------------------------------------------------
# The operators are the hot path: ``a + b`` repeats add's same-dtype fast path (no extra call), and a
# floating tensor with a Python number (``y * 1.01``) skips promotion (the tensor's dtype wins). Anything
# that is neither a tensor nor a number makes the operator return NotImplemented, so Python raises its
# usual TypeError.
def __add__(self, other):
    oc = other.__class__
    if oc is Tensor:
        ad, bd = self._data, other._data
        if ad.dtype is bd.dtype:
            try:
                data = ad + bd
            except ValueError as e:
                _reraise_broadcast(ad, bd, e)
            if data.__class__ is not ndarray:
                data = np.asarray(data)
            r = wrap(data)
            if mode.enabled and (self._rg or other._rg):
                node = AddBackward0(edge(self), edge(other))
                node.alpha = 1
                record(node, r, self, other)
            return r
    elif oc is float or oc is int:
        ad = self._data
        if ad.dtype.kind == "f":
            data = ad + other
            r = wrap(data if data.__class__ is ndarray else np.asarray(data))
            if mode.enabled and self._rg:
                node = AddBackward0(edge(self), NOEDGE)
                node.alpha = 1
                attach(r, node)
            return r
    elif not isinstance(other, _OPERAND):
        return NotImplemented
    return _add_like(self, other, 1, np.add, AddBackward0)


def __sub__(self, other):
    oc = other.__class__
    if oc is float or oc is int:
        ad = self._data
        if ad.dtype.kind == "f":
            data = ad - other
            r = wrap(data if data.__class__ is ndarray else np.asarray(data))
            if mode.enabled and self._rg:
                node = SubBackward0(edge(self), NOEDGE)
                node.alpha = 1
                attach(r, node)
            return r
    elif oc is not Tensor and not isinstance(other, _OPERAND):
        return NotImplemented
    return sub(self, other)


def __mul__(self, other):
    oc = other.__class__
    if oc is Tensor:
        return mul(self, other)  # arith.mul has the same-dtype fast path
    elif oc is float or oc is int:
        ad = self._data
        if ad.dtype.kind == "f":
            data = ad * other
            r = wrap(data if data.__class__ is ndarray else np.asarray(data))
            if mode.enabled and self._rg:
                node = MulBackward0(edge(self), NOEDGE)
                node.save(None, other)
                attach(r, node)
            return r
    elif not isinstance(other, _OPERAND):
        return NotImplemented
    return _binary(self, other, np.multiply, MulBackward0)


def __truediv__(self, other):
    oc = other.__class__
    if oc is float or oc is int:
        ad = self._data
        if ad.dtype.kind == "f":
            data = ad / other
            r = wrap(data if data.__class__ is ndarray else np.asarray(data))
            if mode.enabled and self._rg:
                node = DivBackward0(edge(self), NOEDGE)
                node.save(None, other)
                attach(r, node)
            return r
    elif oc is not Tensor and not isinstance(other, _OPERAND):
        return NotImplemented
    return div(self, other)


def _operator(fn, reflected=False):
    if reflected:
        def op(self, other):
            if not isinstance(other, _OPERAND):
                return NotImplemented
            return fn(other, self)
    else:
        def op(self, other):
            if other.__class__ is not Tensor and not isinstance(other, _OPERAND):
                return NotImplemented
            return fn(self, other)
    op.__name__ = fn.__name__
    return op


def _rtruediv(self, other):
    """number / tensor: torch computes ``reciprocal(tensor) * number`` (grad_fn MulBackward0)."""
    if not isinstance(other, _OPERAND):
        return NotImplemented
    if isinstance(other, (numbers.Number, np.generic)):
        from .unary import reciprocal
        return __mul__(reciprocal(self), other.item() if isinstance(other, np.generic) else other)
    return div(other, self)


def _rsub(self, other):
    oc = other.__class__
    if oc is float or oc is int:
        ad = self._data
        if ad.dtype.kind == "f":
            data = other - ad
            r = wrap(data if data.__class__ is ndarray else np.asarray(data))
            if mode.enabled and self._rg:
                node = RsubBackward1(edge(self))
                node.alpha = 1
                attach(r, node)
            return r
    elif not isinstance(other, _OPERAND):
        return NotImplemented
    return rsub(self, other)


def _radd(self, other):
    """number + tensor: same as tensor + number (torch records add(tensor, number))."""
    if other.__class__ is float or other.__class__ is int or isinstance(other, numbers.Number):
        return __add__(self, other)
    if not isinstance(other, _OPERAND):
        return NotImplemented
    return add(other, self)


def _rmul(self, other):
    if other.__class__ is float or other.__class__ is int or isinstance(other, numbers.Number):
        return __mul__(self, other)
    if not isinstance(other, _OPERAND):
        return NotImplemented
    return mul(other, self)


Tensor.__add__ = __add__
Tensor.__radd__ = _radd
Tensor.__sub__ = __sub__
Tensor.__rsub__ = _rsub
Tensor.__mul__ = __mul__
Tensor.__rmul__ = _rmul
Tensor.__truediv__ = __truediv__
Tensor.__rtruediv__ = _rtruediv
Tensor.__floordiv__ = _operator(floor_divide)
Tensor.__rfloordiv__ = _operator(floor_divide, reflected=True)
Tensor.__pow__ = _operator(pow)
Tensor.__rpow__ = _operator(pow, reflected=True)
Tensor.__mod__ = _operator(remainder)
Tensor.__rmod__ = _operator(remainder, reflected=True)
Tensor.__neg__ = neg
Tensor.__pos__ = lambda self: self


# -- in-place variants --------------------------------------------------------------------------------------
def _fast_inplace(self, other, ufunc):
    """``self op= other`` straight into self's storage when no graph is involved and the result
    dtype is self's (an optimizer's updates); returns None when the general path must run."""
    if mode.enabled and (self._rg or (other.__class__ is Tensor and other._rg)):
        return None
    d = self._data
    if d.dtype.kind != "f":
        return None
    if other.__class__ is Tensor:
        od = other._data
        if od.dtype is not d.dtype:
            return None
    elif other.__class__ is float or other.__class__ is int:
        od = other
    else:
        return None
    try:
        ufunc(d, od, out=d)
    except ValueError:  # shapes that don't broadcast to self's: the general path raises torch's error
        return None
    self._bump_version()
    return self


def add_(self, other, *, alpha=1):
    if alpha == 1 and not isinstance(alpha, bool):
        r = _fast_inplace(self, other, np.add)
        if r is not None:
            return r
    elif other.__class__ is Tensor and not (mode.enabled and (self._rg or other._rg)) \
            and self._data.dtype.kind == "f" and other._data.dtype is self._data.dtype \
            and isinstance(alpha, (int, float)) and not isinstance(alpha, bool):
        r = _fast_inplace(self, wrap(other._data * alpha), np.add)
        if r is not None:
            return r
    return inplace(self, add, other, alpha=alpha)


def sub_(self, other, *, alpha=1):
    if alpha == 1:
        r = _fast_inplace(self, other, np.subtract)
        if r is not None:
            return r
    return inplace(self, sub, other, alpha=alpha)


def mul_(self, other):
    r = _fast_inplace(self, other, np.multiply)
    if r is not None:
        return r
    return inplace(self, mul, other)


def div_(self, other, *, rounding_mode=None):
    if rounding_mode is None:
        r = _fast_inplace(self, other, np.true_divide)
        if r is not None:
            return r
    return inplace(self, div, other, rounding_mode=rounding_mode)


def _inplace_method(fn):
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + "_"
    return method


Tensor.add_ = add_
Tensor.sub_ = Tensor.subtract_ = sub_
Tensor.mul_ = Tensor.multiply_ = mul_
Tensor.div_ = Tensor.divide_ = Tensor.true_divide_ = div_
for _name, _fn in [("floor_divide", floor_divide), ("pow", pow), ("neg", neg), ("negative", neg),
                   ("fmod", fmod), ("remainder", remainder), ("float_power", float_power)]:
    setattr(Tensor, _name + "_", _inplace_method(_fn))


def _iop(method):
    def op(self, other):
        if other.__class__ is not Tensor and not isinstance(other, _OPERAND):
            return NotImplemented
        return method(self, other)
    op.__name__ = method.__name__
    return op


Tensor.__iadd__ = _iop(add_)
Tensor.__isub__ = _iop(sub_)
Tensor.__imul__ = _iop(mul_)
Tensor.__itruediv__ = _iop(div_)
Tensor.__ifloordiv__ = _iop(Tensor.floor_divide_)
Tensor.__ipow__ = _iop(Tensor.pow_)
Tensor.__imod__ = _iop(Tensor.remainder_)
