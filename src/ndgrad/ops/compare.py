"""Comparisons, logical ops, selection (where, maximum, minimum, clamp) and value tests."""
import numpy as np

from .. import _dtype
from ._core import Node, Tensor, binary, operands, wrap, edge, record, mode, inplace, NOEDGE, ndarray, unary

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
           "not_equal", "isclose", "allclose", "equal", "logical_and", "logical_or", "logical_not",
           "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "isnan", "isinf",
           "isfinite", "isposinf", "isneginf", "isreal", "where", "maximum", "minimum", "fmax", "fmin",
           "clamp", "clip", "clamp_min", "clamp_max", "lerp", "addcmul", "addcdiv", "hypot", "atan2",
           "arctan2", "copysign", "heaviside"]


def _cmp(ufunc):
    def op(input, other, *, out=None):
        _, _, ad, bd = operands(input, other)
        return wrap(np.asarray(ufunc(ad, bd)))
    op.__name__ = ufunc.__name__
    return op


eq = _cmp(np.equal)
ne = not_equal = _cmp(np.not_equal)
lt = less = _cmp(np.less)
le = less_equal = _cmp(np.less_equal)
gt = greater = _cmp(np.greater)
ge = greater_equal = _cmp(np.greater_equal)


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    _, _, ad, bd = operands(input, other)
    return wrap(np.asarray(np.isclose(ad, bd, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True if both tensors have the same shape and elements."""
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


def _logical(ufunc):
    def op(input, other):
        _, _, ad, bd = operands(input, other)
        return wrap(np.asarray(ufunc(ad, bd)))
    op.__name__ = ufunc.__name__
    return op


logical_and = _logical(np.logical_and)
logical_or = _logical(np.logical_or)
logical_xor = _logical(np.logical_xor)


def logical_not(input):
    return wrap(np.logical_not(input._data))


def _bitwise(ufunc, name):
    def op(input, other):
        _, _, ad, bd = operands(input, other)
        for d in (ad, bd):
            if isinstance(d, ndarray) and d.dtype.kind not in "iub":
                raise RuntimeError(f"\"{name}_cpu\" not implemented for '{_dtype._FROM_NP[d.dtype].name.capitalize()}'")
        return wrap(np.asarray(ufunc(ad, bd)))
    op.__name__ = name
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")


def bitwise_not(input):
    if input._data.dtype.kind not in "iub":
        raise RuntimeError(f"\"bitwise_not_cpu\" not implemented for '{input.dtype.name.capitalize()}'")
    return wrap(np.invert(input._data))


def isnan(input):
    return wrap(np.isnan(input._data))


def isinf(input):
    return wrap(np.isinf(input._data))


def isfinite(input):
    return wrap(np.isfinite(input._data))


def isposinf(input):
    return wrap(np.isposinf(input._data))


def isneginf(input):
    return wrap(np.isneginf(input._data))


def isreal(input):
    return wrap(np.isreal(input._data))


# -- selection --------------------------------------------------------------------------------------
class WhereBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        (cond,) = self.saved
        (_, _), (fa, _), (fb, _) = self.next_functions
        zero = grad * 0
        return (None,
                where(cond, grad, zero) if fa is not None else None,
                where(cond, zero, grad) if fb is not None else None)


def where(condition, input=None, other=None):
    """Elementwise ``input if condition else other``; ``where(cond)`` is ``nonzero(as_tuple=True)``."""
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        condition = wrap(np.asarray(condition))
    if condition._data.dtype != np.bool_:
        if condition._data.dtype == np.uint8:
            condition = wrap(condition._data.astype(bool))
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{condition.dtype.name.capitalize()}")
    a, b, ad, bd = operands(input, other)
    data = np.where(condition._data, ad, bd)
    if isinstance(ad, ndarray) or isinstance(bd, ndarray):
        want = ad.dtype if isinstance(ad, ndarray) else bd.dtype
        if data.dtype != want:
            data = data.astype(want)
    out = wrap(data)
    if mode.enabled and ((a is not None and a._rg) or (b is not None and b._rg)):
        node = WhereBackward0(NOEDGE, edge(a) if a is not None else NOEDGE, edge(b) if b is not None else NOEDGE)
        node.save(condition)
        record(node, out, condition, a, b)
        node._in_meta = node._in_meta and [(None, None)] + list(node._in_meta[1:])
    return out


class MaximumBackward0(Node):
    """Gradient goes to the larger input; ties split it half and half (torch's rule)."""

    __slots__ = ("is_max",)

    def backward(self, grad):
        a, b = self.saved
        (fa, _), (fb, _) = self.next_functions
        sel = (a > b) if self.is_max else (a < b)
        tie = (a == b)
        wa = sel.to(grad.dtype) + tie.to(grad.dtype) * 0.5
        return (grad * wa if fa is not None else None, grad * (1 - wa) if fb is not None else None)


class MinimumBackward0(MaximumBackward0):
    __slots__ = ()


def maximum(input, other):
    out = binary(input, other, np.maximum, MaximumBackward0)
    if out.grad_fn is not None:
        out.grad_fn.is_max = True
    return out


def minimum(input, other):
    out = binary(input, other, np.minimum, MinimumBackward0)
    if out.grad_fn is not None:
        out.grad_fn.is_max = False
    return out


def fmax(input, other):
    return where(isnan(other) | (input >= other), input, other) if isinstance(other, Tensor) else maximum(input, other)


def fmin(input, other):
    return where(isnan(other) | (input <= other), input, other) if isinstance(other, Tensor) else minimum(input, other)


class ClampBackward1(Node):
    """Gradient passes where min <= x <= max (inclusive, as torch)."""

    __slots__ = ("lo", "hi")

    def backward(self, grad):
        (x,) = self.saved
        mask = None
        if self.lo is not None:
            mask = x >= self.lo
        if self.hi is not None:
            m = x <= self.hi
            mask = m if mask is None else mask & m
        return where(mask, grad, grad * 0)


class ClampBackward0(Node):
    """clamp with tensor bounds: gradient to x inside, to the bound that is active otherwise."""

    __slots__ = ()

    def backward(self, grad):
        x, lo, hi = self.saved
        (fx, _), (flo, _), (fhi, _) = self.next_functions
        zero = grad * 0
        below = (x < lo) if lo is not None else None
        above = (x > hi) if hi is not None else None
        if below is None:
            inside = ~above
        elif above is None:
            inside = ~below
        else:
            inside = ~below & ~above
            below = below & ~above  # lo > hi: the result is hi, so hi gets the gradient
        return (where(inside, grad, zero) if fx is not None else None,
                where(below, grad, zero) if flo is not None else None,
                where(above, grad, zero) if fhi is not None else None)


def clamp(input, min=None, max=None, *, out=None):
    """Limit values to [min, max]; bounds may be numbers or tensors (broadcast)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        lo = min if isinstance(min, Tensor) or min is None else wrap(np.asarray(min, dtype=input._data.dtype))
        hi = max if isinstance(max, Tensor) or max is None else wrap(np.asarray(max, dtype=input._data.dtype))
        d = input._data
        if lo is not None:
            d = np.maximum(d, lo._data)
        if hi is not None:
            d = np.minimum(d, hi._data)
        out_t = wrap(np.asarray(d))
        if mode.enabled and (input._rg or (lo is not None and lo._rg) or (hi is not None and hi._rg)):
            node = ClampBackward0(edge(input), edge(lo) if lo is not None else NOEDGE,
                                  edge(hi) if hi is not None else NOEDGE)
            node.save(input, lo, hi)
            record(node, out_t, input, lo, hi)
        return out_t
    d = input._data
    lo, hi = min, max
    if d.dtype.kind in "iub" and (isinstance(lo, float) or isinstance(hi, float)):
        d = d.astype(_dtype.default.np)
    if lo is not None and hi is not None:
        r = np.minimum(np.maximum(d, lo), hi)
    elif lo is not None:
        r = np.maximum(d, lo)
    else:
        r = np.minimum(d, hi)
    r = np.asarray(r)
    if r.dtype != d.dtype:
        r = r.astype(d.dtype)
    out_t = wrap(r)
    if mode.enabled and input._rg:
        node = ClampBackward1(edge(input))
        node.save(input)
        node.lo, node.hi = lo, hi
        out_t.grad_fn = node
        out_t._rg = True
    return out_t


clip = clamp


def clamp_min(input, min):
    return clamp(input, min=min)


def clamp_max(input, max):
    return clamp(input, max=max)


# -- composite ternary ops (gradients come from their parts) ----------------------------------------
def lerp(input, end, weight):
    """input + weight * (end - input)."""
    return input + weight * (end - input)


def addcmul(input, tensor1, tensor2, *, value=1):
    return input + (tensor1 * tensor2 if value == 1 else tensor1 * tensor2 * value)


def addcdiv(input, tensor1, tensor2, *, value=1):
    if tensor1._data.dtype.kind in "iub" and tensor2._data.dtype.kind in "iub":
        raise RuntimeError("Integer division with addcdiv is no longer supported, and in a future release addcdiv "
                           "will perform a true division of tensor1 and tensor2.")
    return input + (tensor1 / tensor2 if value == 1 else tensor1 / tensor2 * value)


def hypot(input, other):
    from .unary import sqrt
    return sqrt(input * input + other * other)


class Atan2Backward0(Node):
    __slots__ = ()

    def backward(self, grad):
        a, b = self.saved
        (fa, _), (fb, _) = self.next_functions
        denom = a * a + b * b
        return (grad * b / denom if fa is not None else None, grad * -a / denom if fb is not None else None)


def atan2(input, other):
    def fn(a, b):
        if isinstance(a, ndarray) and a.dtype.kind in "iub":
            a = a.astype(_dtype.default.np)
        if isinstance(b, ndarray) and b.dtype.kind in "iub":
            b = b.astype(_dtype.default.np)
        return np.arctan2(a, b)
    return binary(input, other, fn, Atan2Backward0)


arctan2 = atan2


def copysign(input, other):
    from .unary import abs as _abs
    o = other._data if isinstance(other, Tensor) else np.asarray(other)
    sign = wrap(np.where(np.signbit(o), -1.0, 1.0).astype(input._data.dtype if input._data.dtype.kind == "f" else _dtype.default.np))
    return _abs(input) * sign


def heaviside(input, values):
    d = input._data
    return wrap(np.heaviside(d, values._data).astype(np.result_type(d, values._data)))


def _attach():
    g = globals()
    for name in __all__:
        if name in ("where", "equal", "allclose", "isclose"):
            continue
        setattr(Tensor, name, g[name])
    Tensor.where = lambda self, condition, other: where(condition, self, other)
    Tensor.equal = equal
    Tensor.allclose = allclose
    Tensor.isclose = isclose
    Tensor.__eq__ = eq
    Tensor.__ne__ = ne
    Tensor.__lt__ = lt
    Tensor.__le__ = le
    Tensor.__gt__ = gt
    Tensor.__ge__ = ge
    Tensor.__and__ = _bool_or_bitwise(logical_and, bitwise_and)
    Tensor.__or__ = _bool_or_bitwise(logical_or, bitwise_or)
    Tensor.__xor__ = _bool_or_bitwise(logical_xor, bitwise_xor)
    Tensor.__rand__ = Tensor.__and__
    Tensor.__ror__ = Tensor.__or__
    Tensor.__rxor__ = Tensor.__xor__
    Tensor.__invert__ = lambda self: logical_not(self) if self._data.dtype == np.bool_ else bitwise_not(self)
    for name in ("clamp", "clip", "clamp_min", "clamp_max", "lerp", "addcmul", "addcdiv", "maximum",
                 "minimum", "hypot", "atan2", "copysign", "logical_and", "logical_or", "logical_xor",
                 "logical_not", "eq", "ne", "lt", "le", "gt", "ge"):
        fn = g[name]
        setattr(Tensor, name + "_", _make_inplace(fn))


def _bool_or_bitwise(logical, bitwise):
    def op(self, other):
        return bitwise(self, other)
    return op


def _make_inplace(fn):
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + "_"
    return method


_attach()
