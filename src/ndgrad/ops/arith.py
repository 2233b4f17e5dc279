"""Binary arithmetic: add, sub, mul, div, pow and friends, with their operators.

Each backward formula returns gradients of the broadcast (output) shape; the engine reduces them
to each input's shape. A ``None`` is returned for an input that needs no gradient so that no work
is spent on it (``self.next_functions[i][0] is None``).
"""
import numpy as np

from .. import _dtype
from ._core import Node, Tensor, binary, operands, wrap, edge, record, mode, inplace, NOEDGE, ndarray

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
           "pow", "float_power", "neg", "negative", "rsub", "fmod", "remainder"]


class AddBackward0(Node):
    __slots__ = ("alpha",)

    def backward(self, grad):
        (fa, _), (fb, _) = self.next_functions
        alpha = self.alpha
        return (grad if fa is not None else None,
                (grad if alpha == 1 else grad * alpha) if fb is not None else None)


class SubBackward0(AddBackward0):
    __slots__ = ()

    def backward(self, grad):
        (fa, _), (fb, _) = self.next_functions
        alpha = self.alpha
        return (grad if fa is not None else None,
                (-grad if alpha == 1 else grad * -alpha) if fb is not None else None)


class RsubBackward1(AddBackward0):
    __slots__ = ()

    def backward(self, grad):  # out = other - alpha * self
        (fa, _), (fb, _) = self.next_functions
        return (grad * -self.alpha if fa is not None else None, grad if fb is not None else None)


def _add_like(input, other, alpha, ufunc, node_cls):
    a, b, ad, bd = operands(input, other)
    if alpha != 1:
        if isinstance(bd, ndarray) and bd.dtype.kind in "biu" and isinstance(alpha, float):
            raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
        bd = bd * alpha
    data = ufunc(ad, bd)
    if data.__class__ is not ndarray:
        data = np.asarray(data)
    out = wrap(data)
    if mode.enabled and ((a is not None and a._rg) or (b is not None and b._rg)):
        node = node_cls(edge(a) if a is not None else NOEDGE, edge(b) if b is not None else NOEDGE)
        node.alpha = alpha
        record(node, out, a, b)
    return out


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, with broadcasting and torch's type promotion."""
    oc = other.__class__
    if input.__class__ is Tensor and alpha == 1 and out is None and (
            oc is Tensor and input._data.dtype is other._data.dtype or oc is float and input._data.dtype.kind == "f"):
        # fast path for the most common calls: same-dtype tensors, float tensor + Python float
        if oc is float:
            data = input._data + other
            if data.__class__ is not ndarray:
                data = np.asarray(data)
            r = wrap(data)
            if input._rg and mode.enabled:
                node = AddBackward0(edge(input), NOEDGE)
                node.alpha = 1
                r.grad_fn = node
                r._rg = True
            return r
        data = input._data + other._data
        if data.__class__ is not ndarray:
            data = np.asarray(data)
        r = wrap(data)
        if mode.enabled and (input._rg or other._rg):
            node = AddBackward0(edge(input), edge(other))
            node.alpha = 1
            record(node, r, input, other)
        return r
    return _out(_add_like(input, other, alpha, np.add, AddBackward0), out)


def sub(input, other, *, alpha=1, out=None):
    """input - alpha * other."""
    if _is_bool(input) and _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    return _out(_add_like(input, other, alpha, np.subtract, SubBackward0), out)


subtract = sub


def rsub(input, other, *, alpha=1):
    """other - alpha * input (torch.rsub)."""
    a, b, ad, bd = operands(input, other)
    data = np.asarray(bd - ad * alpha)
    out = wrap(data)
    if mode.enabled and ((a is not None and a._rg) or (b is not None and b._rg)):
        node = RsubBackward1(edge(a) if a is not None else NOEDGE, edge(b) if b is not None else NOEDGE)
        node.alpha = alpha
        record(node, out, a, b)
    return out


class MulBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        a, b = self.saved
        (fa, _), (fb, _) = self.next_functions
        return (grad * b if fa is not None else None, grad * a if fb is not None else None)


def mul(input, other, *, out=None):
    """Elementwise product with broadcasting."""
    r = binary(input, other, np.multiply, MulBackward0)
    return r if out is None else _out(r, out)


multiply = mul


class DivBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        a, b = self.saved
        (fa, _), (fb, _) = self.next_functions
        ga = grad / b if fa is not None else None
        gb = -grad * a / (b * b) if fb is not None else None
        return ga, gb


class DivBackward1(Node):
    """Division with rounding: piecewise constant, so the gradient is zero (as torch)."""

    __slots__ = ()

    def backward(self, grad):
        (fa, _), (fb, _) = self.next_functions
        z = grad * 0
        return (z if fa is not None else None, z if fb is not None else None)


def _true_div_np(a, b):
    return np.true_divide(_to_float(a), _to_float(b))


def div(input, other, *, rounding_mode=None, out=None):
    """Division; ``rounding_mode`` None (true division), "trunc" or "floor". Integer inputs give
    the default float dtype for true division, like torch."""
    if rounding_mode is None:
        return _out(binary(input, other, _true_div_np, DivBackward0), out)
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")
    fn = _div_trunc if rounding_mode == "trunc" else _div_floor
    return _out(binary(input, other, fn, DivBackward1, save=(False, False)), out)


def _to_float(d):
    if isinstance(d, ndarray):
        return d if d.dtype.kind in "fc" else d.astype(_dtype.default.np)
    return d if isinstance(d, (float, complex)) else float(d)


def _div_trunc(a, b):
    if isinstance(a, ndarray) and a.dtype.kind in "iub" and (not isinstance(b, ndarray) or b.dtype.kind in "iub"):
        _check_int_zero(b)
        q = np.abs(a) // np.abs(b)
        return np.where(np.sign(a) * np.sign(b) < 0, -q, q).astype(np.result_type(a, b))
    return np.trunc(np.true_divide(a, b))


def _div_floor(a, b):
    if isinstance(a, ndarray) and a.dtype.kind in "iub":
        _check_int_zero(b)
    return np.floor_divide(a, b)


def _check_int_zero(b):
    if (isinstance(b, ndarray) and b.dtype.kind in "iub" and (b == 0).any()) or (not isinstance(b, ndarray) and b == 0):
        raise ZeroDivisionError("ZeroDivisionError")


divide = div


def true_divide(input, other):
    return div(input, other)


def floor_divide(input, other):
    return div(input, other, rounding_mode="floor")


class PowBackward0(Node):
    """Tensor ** number."""

    __slots__ = ("exponent",)

    def backward(self, grad):
        (a,) = self.saved
        e = self.exponent
        if e == 0:
            return (grad * 0, None)
        return (grad * e * a ** (e - 1), None)


class PowBackward1(Node):
    """Tensor ** tensor (also number ** tensor)."""

    __slots__ = ()

    def backward(self, grad):
        a, b, result = self.saved
        (fa, _), (fb, _) = self.next_functions
        ga = gb = None
        if fa is not None:
            # d/da a^b = b * a^(b-1); torch defines it as 0 where b == 0
            ga = grad * b * a ** (b - 1)
            ga = _masked_zero(ga, b, 0)
        if fb is not None:
            # d/db a^b = a^b * log(a); 0 where a == 0 and b >= 0 (torch's convention)
            from .unary import log
            from .compare import where
            if isinstance(a, Tensor):
                gb = grad * result * log(a)
            else:
                with np.errstate(divide="ignore"):
                    gb = grad * result * float(np.log(a))
            if isinstance(a, Tensor):
                gb = where((a == 0) & (b >= 0), 0.0, gb) if isinstance(b, Tensor) else where(a == 0, 0.0, gb)
            elif a == 0:
                gb = where(b >= 0, 0.0, gb)
        return ga, gb


def _masked_zero(g, b, value):
    if isinstance(b, Tensor):
        from .compare import where
        return where(b == value, 0.0, g)
    return g * 0 if b == value else g


def pow(input, exponent, *, out=None):
    """input ** exponent; a Tensor or number on either side."""
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        e = exponent.item() if isinstance(exponent, np.generic) else exponent
        a, _, ad, ed = operands(input, e)
        if ad.dtype.kind in "iu" and isinstance(ed, int) and ed < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if ed == 2:
            data = ad * ad
        elif ed == 0.5:
            data = np.sqrt(ad)
        else:
            data = np.power(ad, ed)
        if data.__class__ is not ndarray:
            data = np.asarray(data)
        r = wrap(data)
        if mode.enabled and a._rg:
            node = PowBackward0(edge(a), NOEDGE)
            node.exponent = e
            node.save(a)
            record(node, r, a)
        return _out(r, out)
    a, b, ad, bd = operands(input, exponent)
    if isinstance(ad, ndarray) and ad.dtype.kind in "iu" and isinstance(bd, ndarray) and bd.dtype.kind in "iu" \
            and (bd < 0).any():
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    data = np.asarray(np.power(ad, bd))
    r = wrap(data)
    if mode.enabled and ((a is not None and a._rg) or (b is not None and b._rg)):
        node = PowBackward1(edge(a) if a is not None else NOEDGE, edge(b) if b is not None else NOEDGE)
        node.save_output(r, a if a is not None else ad, b if b is not None else bd)
        record(node, r, a, b)
    return _out(r, out)


def float_power(input, exponent):
    x = input.double() if isinstance(input, Tensor) else float(input)
    e = exponent.double() if isinstance(exponent, Tensor) else exponent
    return pow(x, e)


class NegBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return -grad


def neg(input, *, out=None):
    if input._data.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    r = wrap(np.negative(input._data))
    if mode.enabled and input._rg:
        r.grad_fn = NegBackward0(edge(input))
        r._rg = True
    return _out(r, out)


negative = neg


class FmodBackward0(Node):
    """fmod/remainder: d/da = 1, d/db = -trunc(a/b) (fmod) or -floor(a/b) (remainder)."""

    __slots__ = ("rounding",)

    def backward(self, grad):
        a, b = self.saved
        (fa, _), (fb, _) = self.next_functions
        gb = None
        if fb is not None:
            gb = -grad * div(a, b, rounding_mode=self.rounding)
        return (grad if fa is not None else None), gb


class RemainderBackward0(FmodBackward0):
    __slots__ = ()


def fmod(input, other, *, out=None):
    r = binary(input, other, np.fmod, FmodBackward0)
    if r.grad_fn is not None:
        r.grad_fn.rounding = "trunc"
    return _out(r, out)


def remainder(input, other, *, out=None):
    if not isinstance(input, Tensor):
        input = wrap(np.asarray(input))
    r = binary(input, other, np.remainder, RemainderBackward0)
    if r.grad_fn is not None:
        r.grad_fn.rounding = "floor"
    return _out(r, out)


def _is_bool(x):
    return (isinstance(x, Tensor) and x._data.dtype == np.bool_) or isinstance(x, bool)


def _out(result, out):
    """Support torch's ``out=`` argument: write into ``out`` (resizing like torch) and return it."""
    if out is None:
        return result
    if mode.enabled and (result._rg or out._rg):
        raise RuntimeError("out=... arguments don't support automatic differentiation, but one of the "
                           "arguments requires grad.")
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, dtype=out._data.dtype)
    np.copyto(out._data, result._data, casting="unsafe")
    out._vc[0] += 1
    return out


# -- operators and methods ---------------------------------------------------------------------
def _rsub(self, other):
    return rsub(self, other)


def _rdiv(self, other):
    return div(other, self)


def _rpow(self, other):
    return pow(other, self)


def _rfloordiv(self, other):
    return div(other, self, rounding_mode="floor")


def _rmod(self, other):
    return remainder(other, self)


def _radd(self, other):
    return add(other, self)


def _rmul(self, other):
    return mul(other, self)


Tensor.add = add
Tensor.__add__ = add
Tensor.__radd__ = _radd
Tensor.sub = sub
Tensor.subtract = sub
Tensor.__sub__ = sub
Tensor.__rsub__ = _rsub
Tensor.mul = mul
Tensor.multiply = mul
Tensor.__mul__ = mul
Tensor.__rmul__ = _rmul
Tensor.div = div
Tensor.divide = div
Tensor.true_divide = true_divide
Tensor.__truediv__ = div
Tensor.__rtruediv__ = _rdiv
Tensor.floor_divide = floor_divide
Tensor.__floordiv__ = floor_divide
Tensor.__rfloordiv__ = _rfloordiv
Tensor.pow = pow
Tensor.__pow__ = pow
Tensor.__rpow__ = _rpow
Tensor.float_power = float_power
Tensor.neg = neg
Tensor.negative = neg
Tensor.__neg__ = neg
Tensor.__pos__ = lambda self: self
Tensor.fmod = fmod
Tensor.remainder = remainder
Tensor.__mod__ = remainder
Tensor.__rmod__ = _rmod


def _inplace_method(fn):
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + "_"
    return method


for _name, _fn in [("add", add), ("sub", sub), ("subtract", sub), ("mul", mul), ("multiply", mul),
                   ("div", div), ("divide", div), ("true_divide", true_divide),
                   ("floor_divide", floor_divide), ("pow", pow), ("neg", neg), ("negative", neg),
                   ("fmod", fmod), ("remainder", remainder)]:
    setattr(Tensor, _name + "_", _inplace_method(_fn))
Tensor.__iadd__ = Tensor.add_
Tensor.__isub__ = Tensor.sub_
Tensor.__imul__ = Tensor.mul_
Tensor.__itruediv__ = Tensor.div_
Tensor.__ifloordiv__ = Tensor.floor_divide_
Tensor.__ipow__ = Tensor.pow_
Tensor.__imod__ = Tensor.remainder_
