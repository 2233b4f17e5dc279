"""Comparisons, logical and bitwise ops, selection (where, maximum, minimum, clamp), value tests,
and the ternary elementwise ops (lerp, addcmul, addcdiv) with hypot and atan2."""
import numbers
import warnings

import numpy as np

from .. import _dtype
from ._core import Node, Tensor, operands, wrap, edge, record, mode, inplace, NOEDGE, ndarray
from .arith import tname, cpp_name, not_implemented_for, broadcast_errors, _OPERAND, _out, _binary

__all__ = ["eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal", "less", "less_equal",
           "not_equal", "isclose", "allclose", "equal", "logical_and", "logical_or", "logical_not",
           "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_left_shift",
           "bitwise_right_shift", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "isreal", "where",
           "maximum", "minimum", "fmax", "fmin", "clamp", "clip", "clamp_min", "clamp_max", "lerp", "addcmul",
           "addcdiv", "hypot", "atan2", "arctan2", "copysign", "heaviside"]


def _arr(x):
    return x if x.__class__ is ndarray else np.asarray(x)


def _need_tensor(fn, x, pos, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}")


# -- comparisons ------------------------------------------------------------------------------------
def _cmp(ufunc, name):
    def op(input, other, *, out=None):
        if input.__class__ is Tensor and other.__class__ is Tensor:
            ad, bd = input._data, other._data
            if ad.dtype is not bd.dtype:
                _, _, ad, bd = operands(input, other)
        else:
            if not isinstance(other, _OPERAND) or not isinstance(input, _OPERAND):
                raise TypeError(
                    f"{name}() received an invalid combination of arguments - got ({type(input).__name__}, "
                    f"{type(other).__name__}), but expected one of:\n * (Tensor input, Tensor other, *, Tensor out "
                    f"= None)\n * (Tensor input, Number other, *, Tensor out = None)\n")
            _, _, ad, bd = operands(input, other)
        try:
            r = wrap(_arr(ufunc(ad, bd)))
        except ValueError as e:
            from .arith import _reraise_broadcast
            _reraise_broadcast(ad, bd, e)
        return r if out is None else _out(r, out)
    op.__name__ = name
    return op


eq = _cmp(np.equal, "eq")
ne = not_equal = _cmp(np.not_equal, "ne")
lt = less = _cmp(np.less, "lt")
le = less_equal = _cmp(np.less_equal, "le")
gt = greater = _cmp(np.greater, "gt")
ge = greater_equal = _cmp(np.greater_equal, "ge")


def _eq_operator(fn, other_result):
    """``t == x`` for an x that is neither a tensor nor a number is False (True for ``!=``), as in
    torch; the ordering operators return NotImplemented (Python raises its TypeError)."""
    def op(self, other):
        if other.__class__ is not Tensor and not isinstance(other, _OPERAND):
            return other_result
        return fn(self, other)
    op.__name__ = fn.__name__
    return op


@broadcast_errors
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input - other| <= atol + rtol * |other| elementwise (equal infinities are close)."""
    _need_tensor("isclose", input, 1, "input")
    _need_tensor("isclose", other, 2, "other")
    ad, bd = input._data, other._data
    if ad.dtype != bd.dtype:
        raise RuntimeError(f"{tname(ad.dtype)} did not match {tname(bd.dtype)}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")
    if ad.dtype == np.bool_ or (rtol == 0 and atol == 0):
        r = ad == bd
        if equal_nan and ad.dtype.kind in "fc":
            r = r | (np.isnan(ad) & np.isnan(bd))
        return wrap(_arr(r))
    if ad.dtype.kind in "iu":  # torch computes |a - b| without wrap-around
        ad, bd = ad.astype(np.float64), bd.astype(np.float64)
    return wrap(_arr(np.isclose(ad, bd, rtol=rtol, atol=atol, equal_nan=equal_nan)))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when every element of ``input`` is close to ``other`` (see ``isclose``)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input, other):
    """True if both tensors have the same shape and elements."""
    _need_tensor("equal", input, 1, "input")
    _need_tensor("equal", other, 2, "other")
    return input._data.shape == other._data.shape and bool(np.array_equal(input._data, other._data))


# -- logical and bitwise ---------------------------------------------------------------------------------
def _logical(ufunc, name):
    @broadcast_errors
    def op(input, other, *, out=None):
        _need_tensor(name, input, 1, "input")
        _need_tensor(name, other, 2, "other")
        r = wrap(_arr(ufunc(input._data, other._data)))
        return r if out is None else _out(r, out)
    op.__name__ = name
    return op


logical_and = _logical(np.logical_and, "logical_and")
logical_or = _logical(np.logical_or, "logical_or")
logical_xor = _logical(np.logical_xor, "logical_xor")


def logical_not(input, *, out=None):
    r = wrap(_arr(np.logical_not(input._data)))
    return r if out is None else _out(r, out)


def _bitwise(ufunc, name):
    @broadcast_errors
    def op(input, other):
        _, _, ad, bd = operands(input, other)
        dt = ad.dtype if isinstance(ad, ndarray) else bd.dtype
        if dt.kind not in "iub":
            raise not_implemented_for(f"{name}_cpu", dt)
        return wrap(_arr(ufunc(ad, bd)))
    op.__name__ = name
    return op


bitwise_and = _bitwise(np.bitwise_and, "bitwise_and")
bitwise_or = _bitwise(np.bitwise_or, "bitwise_or")
bitwise_xor = _bitwise(np.bitwise_xor, "bitwise_xor")
bitwise_left_shift = _bitwise(np.left_shift, "lshift")
bitwise_right_shift = _bitwise(np.right_shift, "rshift")


def bitwise_not(input):
    dt = input._data.dtype
    if dt.kind not in "iub":
        raise not_implemented_for("bitwise_not_cpu", dt)
    return wrap(_arr(np.invert(input._data)))


def _invert(self):
    if self._data.dtype.kind not in "iub":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
    return wrap(_arr(np.invert(self._data)))


def _value_test(ufunc):
    def op(input):
        return wrap(_arr(ufunc(input._data)))
    op.__name__ = ufunc.__name__
    return op


isnan = _value_test(np.isnan)
isinf = _value_test(np.isinf)
isfinite = _value_test(np.isfinite)
isposinf = _value_test(np.isposinf)
isneginf = _value_test(np.isneginf)
isreal = _value_test(np.isreal)


# -- where ----------------------------------------------------------------------------------------------
class WhereBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        (cond,) = self.saved
        (fa, _), (fb, _) = self.next_functions
        return (where(cond, grad, 0.0) if fa is not None else None,
                where(cond, 0.0, grad) if fb is not None else None)


def _scalar(x):
    return x.item() if isinstance(x, np.generic) else x


@broadcast_errors
def where(condition, input=None, other=None, *, out=None):
    """Elementwise ``input if condition else other``; ``where(cond)`` is ``nonzero(as_tuple=True)``.

    Example:
        >>> x = ndgrad.tensor([-1., 2.])
        >>> ndgrad.where(x > 0, x, 0.)
        tensor([0., 2.])
    """
    if input is None and other is None:
        from .indexing import nonzero
        return nonzero(condition, as_tuple=True)
    if not isinstance(condition, Tensor):
        condition = wrap(np.asarray(condition))
    cd = condition._data
    if cd.dtype != np.bool_:
        if cd.dtype == np.uint8:
            warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and will be "
                          "removed in a future version of PyTorch. Use a boolean condition instead.", UserWarning)
            cd = cd.astype(bool)
        else:
            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{tname(cd.dtype)}")
    a = input if isinstance(input, Tensor) else None
    b = other if isinstance(other, Tensor) else None
    if a is not None and b is not None:
        ad, bd = a._data, b._data
        if ad.dtype is not bd.dtype:
            dt = _dtype.result_np_dtype((ad, bd))
            ad, bd = ad.astype(dt, copy=False), bd.astype(dt, copy=False)
        else:
            dt = ad.dtype
    else:
        if a is None and b is None:
            ad, bd = _scalar(input), _scalar(other)
            dt = _dtype.result_np_dtype((ad, bd))
        else:
            _, _, ad, bd = operands(input, other)
            dt = ad.dtype if isinstance(ad, ndarray) else bd.dtype
        if not isinstance(ad, ndarray):
            ad = np.asarray(ad, dtype=dt)
        if not isinstance(bd, ndarray):
            bd = np.asarray(bd, dtype=dt)
    data = np.where(cd, ad, bd)
    r = wrap(data)
    if mode.enabled and ((a is not None and a._rg) or (b is not None and b._rg)):
        node = WhereBackward0(edge(a) if a is not None else NOEDGE, edge(b) if b is not None else NOEDGE)
        node.save(condition if condition._data is cd else wrap(cd))
        record(node, r, a, b)
    return r if out is None else _out(r, out)


# -- maximum / minimum ----------------------------------------------------------------------------------
class MaximumBackward0(Node):
    """Gradient goes to the larger input; ties split it half and half (torch's rule)."""

    __slots__ = ()

    def backward(self, grad):
        a, b = self.saved
        (fa, _), (fb, _) = self.next_functions
        half = where(a == b, grad * 0.5, grad)
        return (where(a < b, 0.0, half) if fa is not None else None,
                where(a > b, 0.0, half) if fb is not None else None)


class MinimumBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        a, b = self.saved
        (fa, _), (fb, _) = self.next_functions
        half = where(a == b, grad * 0.5, grad)
        return (where(a > b, 0.0, half) if fa is not None else None,
                where(a < b, 0.0, half) if fb is not None else None)


def maximum(input, other, *, out=None):
    """Elementwise maximum (NaN propagates)."""
    _need_tensor("maximum", input, 1, "input")
    _need_tensor("maximum", other, 2, "other")
    r = _binary(input, other, np.maximum, MaximumBackward0)
    return r if out is None else _out(r, out)


def minimum(input, other, *, out=None):
    """Elementwise minimum (NaN propagates)."""
    _need_tensor("minimum", input, 1, "input")
    _need_tensor("minimum", other, 2, "other")
    r = _binary(input, other, np.minimum, MinimumBackward0)
    return r if out is None else _out(r, out)


@broadcast_errors
def fmax(input, other):
    """Elementwise maximum that ignores NaN (NaN only where both are NaN)."""
    return where(isnan(other) | (input >= other), input, other)


@broadcast_errors
def fmin(input, other):
    """Elementwise minimum that ignores NaN (NaN only where both are NaN)."""
    return where(isnan(other) | (input <= other), input, other)


# -- clamp ----------------------------------------------------------------------------------------------
class ClampBackward1(Node):
    """clamp with number bounds: the gradient passes where min <= x <= max (inclusive, as torch)."""

    __slots__ = ("lo", "hi")

    def backward(self, grad):
        (x,) = self.saved
        lo, hi = self.lo, self.hi
        if lo is None:
            mask = x <= hi
        elif hi is None:
            mask = x >= lo
        else:
            mask = (x >= lo) & (x <= hi)
        return where(mask, grad, 0.0)


class ClampMinBackward0(ClampBackward1):
    __slots__ = ()


class ClampMaxBackward0(ClampBackward1):
    __slots__ = ()


class ClampBackward0(Node):
    """clamp with tensor bounds (torch's clamp_backward / clamp_backward_min_max)."""

    __slots__ = ()

    def backward(self, grad):
        x, lo, hi = self.saved
        (fx, _), (flo, _), (fhi, _) = self.next_functions
        gx = glo = ghi = None
        if fx is not None:
            gx = where((x >= lo) & (x <= hi), grad, 0.0)
        if flo is not None:
            glo = where((x < lo) & (lo < hi), grad, 0.0)
        if fhi is not None:
            ghi = where((x > hi) | (hi < lo), grad, 0.0)
        return gx, glo, ghi


class ClampMinBackward1(Node):
    __slots__ = ()

    def backward(self, grad):
        x, lo = self.saved
        (fx, _), (flo, _) = self.next_functions
        return (where(x >= lo, grad, 0.0) if fx is not None else None,
                where(x < lo, grad, 0.0) if flo is not None else None)


class ClampMaxBackward1(Node):
    __slots__ = ()

    def backward(self, grad):
        x, hi = self.saved
        (fx, _), (fhi, _) = self.next_functions
        return (where(x <= hi, grad, 0.0) if fx is not None else None,
                where(x > hi, grad, 0.0) if fhi is not None else None)


def _bound_data(v, dt):
    if v is None:
        return None
    if isinstance(v, Tensor):
        d = v._data
        return d if d.dtype == dt else d.astype(dt)
    return _scalar(v)


@broadcast_errors
def _clamp(input, min, max, scalar_nodes, tensor_node):
    d = input._data
    parts = [d]
    for v in (min, max):
        if v is not None:
            parts.append(v._data if isinstance(v, Tensor) else _scalar(v))
    dt = _dtype.result_np_dtype(parts)
    if d.dtype != dt:
        d = d.astype(dt)
    lo, hi = _bound_data(min, dt), _bound_data(max, dt)
    if lo is not None and not isinstance(lo, ndarray):
        lo = np.asarray(lo, dtype=dt)  # keep NumPy from promoting (and int bounds from overflowing)
    if hi is not None and not isinstance(hi, ndarray):
        hi = np.asarray(hi, dtype=dt)
    if lo is not None:
        d = np.maximum(d, lo)
    if hi is not None:
        d = np.minimum(d, hi)
    out = wrap(_arr(d))
    tmin, tmax = isinstance(min, Tensor), isinstance(max, Tensor)
    if not mode.enabled or not (input._rg or (tmin and min._rg) or (tmax and max._rg)) or dt.kind not in "fc":
        return out
    if not tmin and not tmax:
        node = scalar_nodes(edge(input))
        node.lo, node.hi = _scalar(min), _scalar(max)
        node.save(input)
        record(node, out, input)
        return out
    if tensor_node is ClampBackward0:
        lo_t = min if tmin else (wrap(np.asarray(-np.inf if min is None else min, dtype=dt)))
        hi_t = max if tmax else (wrap(np.asarray(np.inf if max is None else max, dtype=dt)))
        node = ClampBackward0(edge(input), edge(min) if tmin else NOEDGE, edge(max) if tmax else NOEDGE)
        node.save(input, lo_t, hi_t)
        record(node, out, input, min if tmin else None, max if tmax else None)
        return out
    bound = min if tmin else max
    node = tensor_node(edge(input), edge(bound))
    node.save(input, bound)
    record(node, out, input, bound)
    return out


def clamp(input, min=None, max=None, *, out=None):
    """Limit values to [min, max]; bounds may be numbers or tensors (broadcast). Where min > max
    the result is max, as in torch.

    Example:
        >>> ndgrad.clamp(ndgrad.tensor([-2., 0.5, 3.]), min=-1, max=1)
        tensor([-1.0000,  0.5000,  1.0000])
    """
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    r = _clamp(input, min, max, ClampBackward1, ClampBackward0)
    return r if out is None else _out(r, out)


clip = clamp


def clamp_min(input, min):
    if min is None:
        raise TypeError("clamp_min(): argument 'min' must be Number or Tensor, not NoneType")
    return _clamp(input, min, None, ClampMinBackward0, ClampMinBackward1)


def clamp_max(input, max):
    if max is None:
        raise TypeError("clamp_max(): argument 'max' must be Number or Tensor, not NoneType")
    return _clamp(input, None, max, ClampMaxBackward0, ClampMaxBackward1)


# -- lerp, addcmul, addcdiv ----------------------------------------------------------------------------
class LerpBackward0(Node):
    """lerp with a number weight."""

    __slots__ = ("weight",)

    def backward(self, grad):
        (fs, _), (fe, _) = self.next_functions
        w = self.weight
        if w.__class__ is complex:
            w = w.conjugate()
        return (grad * (1 - w) if fs is not None else None, grad * w if fe is not None else None)


class LerpBackward1(Node):
    """lerp with a tensor weight."""

    __slots__ = ()

    def backward(self, grad):
        s, e, w = self.saved
        (fs, _), (fe, _), (fw, _) = self.next_functions
        if grad._data.dtype.kind == "c":  # grad * conj(derivative)
            s, e, w = s.conj(), e.conj(), w.conj()
        return (grad * (1 - w) if fs is not None else None,
                grad * w if fe is not None else None,
                grad * (e - s) if fw is not None else None)


def _lerp_np(s, e, w):
    # torch's formula: exact at both ends (w = 0 gives start, w = 1 gives end)
    diff = e - s
    return np.where(np.abs(w) < 0.5, s + w * diff, e - diff * (1 - w))


@broadcast_errors
def lerp(input, end, weight, *, out=None):
    """input + weight * (end - input)."""
    _need_tensor("lerp", input, 1, "input")
    _need_tensor("lerp", end, 2, "end")
    sd, ed = input._data, end._data
    if sd.dtype.kind not in "fc":
        raise not_implemented_for("lerp_kernel_scalar" if not isinstance(weight, Tensor) else
                                  "lerp_kernel_tensor", sd.dtype)
    if ed.dtype != sd.dtype:
        raise RuntimeError(f"expected dtype {cpp_name(sd.dtype)} for `end` but got dtype {cpp_name(ed.dtype)}")
    wt = isinstance(weight, Tensor)
    if wt:
        wd = weight._data
        if wd.dtype != sd.dtype and wd.ndim:
            raise RuntimeError(f"expected dtype {cpp_name(sd.dtype)} for `weight` but got dtype {cpp_name(wd.dtype)}")
        wd = wd.astype(sd.dtype, copy=False)
    else:
        wd = np.asarray(_scalar(weight), dtype=sd.dtype)
    data = _lerp_np(sd, ed, wd)
    r = wrap(_arr(data))
    if mode.enabled and (input._rg or end._rg or (wt and weight._rg)):
        if wt:
            node = LerpBackward1(edge(input), edge(end), edge(weight))
            node.save(input, end, weight)
            record(node, r, input, end, weight)
        else:
            node = LerpBackward0(edge(input), edge(end))
            node.weight = _scalar(weight)
            record(node, r, input, end)
    return r if out is None else _out(r, out)


class AddcmulBackward0(Node):
    __slots__ = ("value",)

    def backward(self, grad):
        t1, t2 = self.saved
        (fs, _), (f1, _), (f2, _) = self.next_functions
        v = self.value
        if grad._data.dtype.kind == "c":  # grad * conj(derivative)
            t1, t2, v = t1.conj(), t2.conj(), (v.conjugate() if v.__class__ is complex else v)
        g = grad if v == 1 else grad * v
        return (grad if fs is not None else None, g * t2 if f1 is not None else None,
                g * t1 if f2 is not None else None)


class AddcdivBackward0(Node):
    __slots__ = ("value",)

    def backward(self, grad):
        t1, t2 = self.saved
        (fs, _), (f1, _), (f2, _) = self.next_functions
        v = self.value
        if grad._data.dtype.kind == "c":  # grad * conj(derivative)
            t1, t2, v = t1.conj(), t2.conj(), (v.conjugate() if v.__class__ is complex else v)
        g = grad if v == 1 else grad * v
        return (grad if fs is not None else None, g / t2 if f1 is not None else None,
                -g * t1 / (t2 * t2) if f2 is not None else None)


_ADDCDIV_INT = ("Integer division with addcdiv is no longer supported, and in a future  release addcdiv will "
                "perform a true division of tensor1 and tensor2. The historic addcdiv behavior can be "
                "implemented as (input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer "
                "inputs and as (input + value * tensor1 / tensor2) for float inputs. The future addcdiv "
                "behavior is just the latter implementation: (input + value * tensor1 / tensor2), for all "
                "dtypes.")


@broadcast_errors
def _addc(input, tensor1, tensor2, value, is_div, node_cls):
    name = "addcdiv" if is_div else "addcmul"
    _need_tensor(name, input, 1, "input")
    _need_tensor(name, tensor1, 2, "tensor1")
    _need_tensor(name, tensor2, 3, "tensor2")
    sd, d1, d2 = input._data, tensor1._data, tensor2._data
    if is_div and d1.dtype.kind in "iub" and d2.dtype.kind in "iub":
        raise RuntimeError(_ADDCDIV_INT)
    if sd.dtype is d1.dtype and sd.dtype is d2.dtype:
        dt = sd.dtype
    else:
        dt = _dtype.result_np_dtype((sd, d1, d2))
        sd, d1, d2 = sd.astype(dt, copy=False), d1.astype(dt, copy=False), d2.astype(dt, copy=False)
    value = _scalar(value)
    if dt.kind in "iu":
        value = int(value)
    elif dt.kind == "b":
        value = bool(value)
    prod = d1 / d2 if is_div else d1 * d2
    if value != 1:
        prod = prod * np.asarray(value, dtype=dt)
    data = _arr(sd + prod)
    r = wrap(data)
    if mode.enabled and (input._rg or tensor1._rg or tensor2._rg):
        node = node_cls(edge(input), edge(tensor1), edge(tensor2))
        node.value = value
        node.save(tensor1, tensor2)
        record(node, r, input, tensor1, tensor2)
    return r


def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 * tensor2."""
    r = _addc(input, tensor1, tensor2, value, False, AddcmulBackward0)
    return r if out is None else _out(r, out)


def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """input + value * tensor1 / tensor2."""
    r = _addc(input, tensor1, tensor2, value, True, AddcdivBackward0)
    return r if out is None else _out(r, out)


def _fits(target, *shapes):
    """The shapes broadcast together to exactly ``target`` (an in-place result keeps self's shape)."""
    try:
        return np.broadcast_shapes(target, *shapes) == target
    except ValueError:
        return False


def _no_graph_same_float(self, *tensors):
    """True when an in-place update can write straight into ``self``: no graph is recorded, all
    tensors share self's floating dtype (the optimizer case) and broadcast to self's shape."""
    d = self._data
    if d.dtype.kind != "f":
        return False
    rg = self._rg
    for t in tensors:
        if t.__class__ is not Tensor or t._data.dtype is not d.dtype:
            return False
        rg = rg or t._rg
    if rg and mode.enabled:
        return False
    return _fits(d.shape, *[t._data.shape for t in tensors])


def addcmul_(self, tensor1, tensor2, *, value=1):
    if isinstance(value, (int, float)) and _no_graph_same_float(self, tensor1, tensor2):
        t = tensor1._data * tensor2._data
        if value != 1:
            t *= value
        np.add(self._data, t, out=self._data)
        self._bump_version()
        return self
    return inplace(self, addcmul, tensor1, tensor2, value=value)


def addcdiv_(self, tensor1, tensor2, *, value=1):
    if isinstance(value, (int, float)) and _no_graph_same_float(self, tensor1, tensor2):
        t = tensor1._data / tensor2._data
        if value != 1:
            t *= value
        np.add(self._data, t, out=self._data)
        self._bump_version()
        return self
    return inplace(self, addcdiv, tensor1, tensor2, value=value)


def lerp_(self, end, weight):
    if isinstance(weight, (int, float)) and _no_graph_same_float(self, end):
        d = self._data
        np.copyto(d, _lerp_np(d, end._data, np.asarray(weight, dtype=d.dtype)))
        self._bump_version()
        return self
    return inplace(self, lerp, end, weight)


# -- hypot, atan2, copysign, heaviside --------------------------------------------------------------------
class HypotBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        a, b, result = self.saved
        (fa, _), (fb, _) = self.next_functions
        return (grad * a / result if fa is not None else None, grad * b / result if fb is not None else None)


@broadcast_errors
def hypot(input, other, *, out=None):
    """sqrt(input^2 + other^2) without intermediate overflow."""
    _need_tensor("hypot", input, 1, "input")
    _need_tensor("hypot", other, 2, "other")
    a, b, ad, bd = operands(input, other)
    if ad.dtype.kind not in "f":
        raise not_implemented_for("hypot_cpu", ad.dtype)
    r = wrap(_arr(np.hypot(ad, bd)))
    if mode.enabled and (a._rg or b._rg):
        node = HypotBackward0(edge(a), edge(b))
        node.save_output(r, a, b)
        record(node, r, a, b)
    return r if out is None else _out(r, out)


class Atan2Backward0(Node):
    __slots__ = ()

    def backward(self, grad):
        a, b = self.saved
        (fa, _), (fb, _) = self.next_functions
        denom = a * a + b * b
        return (grad * b / denom if fa is not None else None, grad * -a / denom if fb is not None else None)


def _atan2_np(a, b):
    if a.dtype.kind in "iub":
        a = a.astype(_dtype.default.np)
        b = b.astype(_dtype.default.np)
    return np.arctan2(a, b)


def atan2(input, other, *, out=None):
    """The angle of the point (other, input), in (-pi, pi]."""
    _need_tensor("atan2", input, 1, "input")
    _need_tensor("atan2", other, 2, "other")
    r = _binary(input, other, _atan2_np, Atan2Backward0)
    return r if out is None else _out(r, out)


arctan2 = atan2


class CopysignBackward0(Node):
    """d/dinput = result / input (0 where input == 0); other gets a zero gradient (torch's rule)."""

    __slots__ = ()

    def backward(self, grad):
        x, result = self.saved
        (fx, _), (fo, _) = self.next_functions
        gx = where(x == 0, 0.0, grad * (result / x)) if fx is not None else None
        return gx, (grad * 0 if fo is not None else None)


def _copysign_np(a, b):
    if a.dtype.kind in "iub":
        a = a.astype(_dtype.default.np)
    return np.copysign(a, b)


@broadcast_errors
def copysign(input, other, *, out=None):
    """|input| with the sign of ``other`` (a tensor or a number)."""
    a, b, ad, bd = operands(input, other)
    r = wrap(_arr(_copysign_np(ad, bd)))
    if mode.enabled and ((a is not None and a._rg) or (b is not None and b._rg)):
        node = CopysignBackward0(edge(a), edge(b) if b is not None else NOEDGE)
        node.save_output(r, a)
        record(node, r, a, b)
    return r if out is None else _out(r, out)


@broadcast_errors
def heaviside(input, values):
    d = input._data
    return wrap(_arr(np.heaviside(d, values._data).astype(np.result_type(d, values._data))))


def _make_inplace(fn):
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + "_"
    return method


def _bool_operator(fn, reflected=False):
    def op(self, other):
        if other.__class__ is not Tensor and not isinstance(other, (numbers.Number, np.ndarray, np.generic)):
            return NotImplemented
        return fn(other, self) if reflected else fn(self, other)
    op.__name__ = fn.__name__
    return op


def _attach():
    g = globals()
    for name in __all__:
        if name in ("where",):
            continue
        setattr(Tensor, name, g[name])
    Tensor.where = lambda self, condition, other: where(condition, self, other)
    Tensor.__eq__ = _eq_operator(eq, False)
    Tensor.__ne__ = _eq_operator(ne, True)
    Tensor.__lt__ = _eq_operator(lt, NotImplemented)
    Tensor.__le__ = _eq_operator(le, NotImplemented)
    Tensor.__gt__ = _eq_operator(gt, NotImplemented)
    Tensor.__ge__ = _eq_operator(ge, NotImplemented)
    Tensor.__and__ = _bool_operator(bitwise_and)
    Tensor.__or__ = _bool_operator(bitwise_or)
    Tensor.__xor__ = _bool_operator(bitwise_xor)
    Tensor.__rand__ = _bool_operator(bitwise_and, reflected=True)
    Tensor.__ror__ = _bool_operator(bitwise_or, reflected=True)
    Tensor.__rxor__ = _bool_operator(bitwise_xor, reflected=True)
    Tensor.__lshift__ = _bool_operator(bitwise_left_shift)
    Tensor.__rshift__ = _bool_operator(bitwise_right_shift)
    Tensor.__invert__ = _invert
    Tensor.__iand__ = lambda self, other: Tensor.bitwise_and_(self, other)
    Tensor.__ior__ = lambda self, other: Tensor.bitwise_or_(self, other)
    Tensor.__ixor__ = lambda self, other: Tensor.bitwise_xor_(self, other)
    for name in ("clamp", "clip", "clamp_min", "clamp_max", "hypot", "atan2", "arctan2", "copysign",
                 "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and", "bitwise_or",
                 "bitwise_xor", "bitwise_not", "eq", "ne", "lt", "le", "gt", "ge", "greater", "greater_equal",
                 "less", "less_equal", "not_equal", "heaviside"):
        setattr(Tensor, name + "_", _make_inplace(g[name]))
    Tensor.addcmul_ = addcmul_
    Tensor.addcdiv_ = addcdiv_
    Tensor.lerp_ = lerp_


_attach()
