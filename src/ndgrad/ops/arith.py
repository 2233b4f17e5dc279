"""Binary arithmetic: add, sub, mul, div, pow, fmod, remainder and friends.

Each backward formula returns gradients of the broadcast (output) shape; the engine reduces them
to each input's shape. A ``None`` is returned for an input that needs no gradient so that no work
is spent on it (``self.next_functions[i][0] is None``).

The operators (``a + b``) and the in-place methods (``a.add_(b)``) live in :mod:`.operators`, which
repeats the common cases' short paths before falling back to the functions here.
"""
import numbers

import numpy as np

from .. import _dtype
from ._core import Node, Tensor, binary, operands, wrap, edge, record, mode, NOEDGE, ndarray, cj

__all__ = ["add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
           "pow", "float_power", "neg", "negative", "rsub", "fmod", "remainder"]

# torch's ScalarType names, used in its error messages ("Float", "Long", ...)
# C++ type names, used by a few of torch's messages ("float != double")
_CPP_NAMES = {np.dtype(k): v for k, v in [
    (np.float16, "c10::Half"), (np.float32, "float"), (np.float64, "double"), (np.int8, "signed char"),
    (np.int16, "short int"), (np.int32, "int"), (np.int64, "long int"), (np.uint8, "unsigned char"),
    (np.bool_, "bool"), (np.complex64, "c10::complex<float>"), (np.complex128, "c10::complex<double>")]}

_OPERAND = (Tensor, numbers.Number, np.ndarray, np.generic)


tname = _dtype.torch_type_name


def cpp_name(np_dtype):
    return _CPP_NAMES.get(np.dtype(np_dtype), str(np_dtype))


def not_implemented_for(op, np_dtype, exc=NotImplementedError):
    """torch's error for a kernel that has no implementation for a dtype."""
    return exc(f"\"{op}\" not implemented for '{tname(np_dtype)}'")


def broadcast_error(sa, sb):
    """torch's error for shapes that don't broadcast (NumPy raises a ValueError)."""
    n = max(len(sa), len(sb))
    sa = (1,) * (n - len(sa)) + tuple(sa)
    sb = (1,) * (n - len(sb)) + tuple(sb)
    for i in range(n - 1, -1, -1):
        x, y = sa[i], sb[i]
        if x != y and x != 1 and y != 1:
            return RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                                f"non-singleton dimension {i}")
    return None


def _reraise_broadcast(x, y, exc):
    sa = x.shape if isinstance(x, (Tensor, ndarray)) else ()
    sb = y.shape if isinstance(y, (Tensor, ndarray)) else ()
    err = broadcast_error(tuple(sa), tuple(sb))
    if err is None:
        raise exc
    raise err from None


def broadcast_errors(fn):
    """Decorator: NumPy's ValueError for operands that don't broadcast becomes torch's RuntimeError."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ValueError:
            shape = None
            for a in list(args) + list(kwargs.values()):
                if isinstance(a, (Tensor, ndarray)):
                    s = tuple(a.shape)
                    if shape is None:
                        shape = s
                        continue
                    err = broadcast_error(shape, s)
                    if err is not None:
                        raise err from None
                    shape = np.broadcast_shapes(shape, s)
            raise
    return wrapper


def _binary(x, y, fn, node_cls, save=(True, True)):
    try:
        return binary(x, y, fn, node_cls, save)
    except ValueError as e:
        _reraise_broadcast(x, y, e)


def _kind(x):
    """NumPy kind letter of an operand (tensor data, array or Python number)."""
    if isinstance(x, ndarray):
        return x.dtype.kind
    if isinstance(x, bool):
        return "b"
    if isinstance(x, int):
        return "i"
    if isinstance(x, float):
        return "f"
    return "c"


def _dt_of(ad, bd):
    """Result dtype of an op after ``operands`` (one side may be a Python number)."""
    return ad.dtype if isinstance(ad, ndarray) else bd.dtype


class NotImplementedBackward(Node):
    """torch's ``NotImplemented`` node: the op has no derivative (floor_divide, scalar % tensor)."""

    __slots__ = ("op",)

    def backward(self, grad):
        raise RuntimeError(f"derivative for aten::{self.op} is not implemented")


NotImplementedBackward.__name__ = "NotImplemented"


def _not_differentiable(out, op, a, b):
    if mode.enabled and ((a is not None and a._rg) or (b is not None and b._rg)) and out._data.dtype.kind in "fc":
        tensors = [t for t in (a, b) if t is not None]   # one edge per tensor operand, as torch
        node = NotImplementedBackward(*[edge(t) for t in tensors])
        node.op = op
        record(node, out, *tensors)
    return out


# -- add / sub ------------------------------------------------------------------------------------------
class AddBackward0(Node):
    __slots__ = ("alpha",)

    def backward(self, grad):
        (fa, _), (fb, _) = self.next_functions
        alpha = self.alpha
        if alpha.__class__ is complex:
            alpha = alpha.conjugate()
        return (grad if fa is not None else None,
                (grad if alpha == 1 else grad * alpha) if fb is not None else None)


class SubBackward0(AddBackward0):
    __slots__ = ()

    def backward(self, grad):
        (fa, _), (fb, _) = self.next_functions
        alpha = self.alpha
        if alpha.__class__ is complex:
            alpha = alpha.conjugate()
        return (grad if fa is not None else None,
                (-grad if alpha == 1 else grad * -alpha) if fb is not None else None)


class RsubBackward0(AddBackward0):
    """rsub(input, other) = other - alpha * input."""

    __slots__ = ()

    def backward(self, grad):
        (fa, _), (fb, _) = self.next_functions
        return (grad * -cj(self.alpha) if fa is not None else None, grad if fb is not None else None)


class RsubBackward1(AddBackward0):
    """number - alpha * tensor (one edge, as torch)."""

    __slots__ = ()

    def backward(self, grad):
        return grad * -cj(self.alpha)


def _check_alpha(alpha, dt):
    if isinstance(alpha, bool):
        if dt.kind != "b":
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif dt.kind in "iub" and isinstance(alpha, float) or (isinstance(alpha, complex) and dt.kind != "c"):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")


def _check_sub_bool(x, y):
    xb = (x.__class__ is Tensor and x._data.dtype == np.bool_) or isinstance(x, bool)
    yb = (y.__class__ is Tensor and y._data.dtype == np.bool_) or isinstance(y, bool)
    if xb and yb:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if xb or yb:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")


def _add_like(input, other, alpha, ufunc, node_cls):
    a, b, ad, bd = operands(input, other)
    if alpha != 1 or isinstance(alpha, bool):
        dt = _dt_of(ad, bd)
        _check_alpha(alpha, dt)
        if dt.kind == "b":  # bool results: alpha acts as a bool
            bd = np.logical_and(bd, bool(alpha))
        else:
            bd = bd * alpha
            if isinstance(bd, np.generic):
                bd = bd.item()
    try:
        data = ufunc(ad, bd)
    except ValueError as e:
        _reraise_broadcast(ad, bd, e)
    if data.__class__ is not ndarray:
        data = np.asarray(data)
    out = wrap(data)
    if mode.enabled and ((a is not None and a._rg) or (b is not None and b._rg)):
        node = node_cls(edge(a) if a is not None else NOEDGE, edge(b) if b is not None else NOEDGE)
        node.alpha = alpha
        record(node, out, a, b)
    return out


def add(input, other, *, alpha=1, out=None):
    """input + alpha * other, with broadcasting and torch's type promotion.

    Example:
        >>> ndgrad.add(ndgrad.tensor([1., 2.]), ndgrad.tensor([3., 4.]), alpha=2)
        tensor([ 7., 10.])
    """
    if input.__class__ is Tensor and other.__class__ is Tensor and alpha == 1 and out is None \
            and alpha.__class__ is not bool:
        ad, bd = input._data, other._data
        if ad.dtype is bd.dtype:  # the common call: same-dtype tensors
            try:
                data = ad + bd
            except ValueError as e:
                _reraise_broadcast(ad, bd, e)
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
    if input.__class__ is Tensor and other.__class__ is Tensor and alpha == 1 and out is None \
            and alpha.__class__ is not bool:
        ad, bd = input._data, other._data
        if ad.dtype is bd.dtype and ad.dtype.kind != "b":
            try:
                data = ad - bd
            except ValueError as e:
                _reraise_broadcast(ad, bd, e)
            if data.__class__ is not ndarray:
                data = np.asarray(data)
            r = wrap(data)
            if mode.enabled and (input._rg or other._rg):
                node = SubBackward0(edge(input), edge(other))
                node.alpha = 1
                record(node, r, input, other)
            return r
    _check_sub_bool(input, other)
    return _out(_add_like(input, other, alpha, np.subtract, SubBackward0), out)


subtract = sub


@broadcast_errors
def rsub(input, other, *, alpha=1):
    """other - alpha * input (``torch.rsub``)."""
    _check_sub_bool(input, other)
    a, b, ad, bd = operands(input, other)
    if alpha != 1:
        _check_alpha(alpha, _dt_of(ad, bd))
        ad = ad * alpha
    data = np.subtract(bd, ad)
    if data.__class__ is not ndarray:
        data = np.asarray(data)
    out = wrap(data)
    if mode.enabled and ((a is not None and a._rg) or (b is not None and b._rg)):
        if b is None:
            node = RsubBackward1(edge(a))
            node.alpha = alpha
            record(node, out, a)
        else:
            node = RsubBackward0(edge(a) if a is not None else NOEDGE, edge(b))
            node.alpha = alpha
            record(node, out, a, b)
    return out


# -- mul / div ------------------------------------------------------------------------------------------
class MulBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        a, b = self.saved
        (fa, _), (fb, _) = self.next_functions
        if grad._data.dtype.kind == "c":  # torch's convention: grad * conj(d out / d input)
            a, b = cj(a), cj(b)
        return (grad * b if fa is not None else None, grad * a if fb is not None else None)


def mul(input, other, *, out=None):
    """Elementwise product with broadcasting."""
    if input.__class__ is Tensor and other.__class__ is Tensor and out is None:
        ad, bd = input._data, other._data
        if ad.dtype is bd.dtype:
            try:
                data = ad * bd
            except ValueError as e:
                _reraise_broadcast(ad, bd, e)
            if data.__class__ is not ndarray:
                data = np.asarray(data)
            r = wrap(data)
            if mode.enabled and (input._rg or other._rg):
                node = MulBackward0(edge(input), edge(other))
                node.save(input if other._rg else None, other if input._rg else None)
                record(node, r, input, other)
            return r
    return _out(_binary(input, other, np.multiply, MulBackward0), out)


multiply = mul


class DivBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        a, b = self.saved
        (fa, _), (fb, _) = self.next_functions
        if grad._data.dtype.kind == "c":  # conjugated derivatives for complex
            b = cj(b)
            ga = grad / b if fa is not None else None
            gb = -grad * ((cj(a) / b) / b) if fb is not None else None
            return ga, gb
        ga = grad / b if fa is not None else None
        gb = -grad * ((a / b) / b) if fb is not None else None  # torch's form: no overflow of b * b
        return ga, gb


class DivBackward2(Node):
    """Division with a rounding mode: piecewise constant, so the gradient is zero (as torch)."""

    __slots__ = ()

    def backward(self, grad):
        (fa, _), (fb, _) = self.next_functions
        z = grad * 0
        return (z if fa is not None else None, z if fb is not None else None)


def _to_float(d):
    if isinstance(d, ndarray):
        return d if d.dtype.kind in "fc" else d.astype(_dtype.default.np)
    return d if isinstance(d, (float, complex)) else float(d)


def _true_div_np(a, b):
    return np.true_divide(_to_float(a), _to_float(b))


def div(input, other, *, rounding_mode=None, out=None):
    """Division; ``rounding_mode`` None (true division), "trunc" or "floor". Integer inputs give
    the default float dtype for true division, like torch."""
    if rounding_mode is None:
        if input.__class__ is Tensor and other.__class__ is Tensor and out is None:
            ad, bd = input._data, other._data
            if ad.dtype is bd.dtype and ad.dtype.kind == "f":
                try:
                    data = ad / bd
                except ValueError as e:
                    _reraise_broadcast(ad, bd, e)
                if data.__class__ is not ndarray:
                    data = np.asarray(data)
                r = wrap(data)
                if mode.enabled and (input._rg or other._rg):
                    node = DivBackward0(edge(input), edge(other))
                    node.save(input if other._rg else None, other)
                    record(node, r, input, other)
                return r
        return _out(_binary(input, other, _true_div_np, DivBackward0), out)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")
    a, b, ad, bd = operands(input, other)
    try:
        data = _div_rounded(ad, bd, rounding_mode)
    except ValueError as e:
        _reraise_broadcast(ad, bd, e)
    r = wrap(data)
    if mode.enabled and ((a is not None and a._rg) or (b is not None and b._rg)) and data.dtype.kind == "f":
        node = DivBackward2(edge(a) if a is not None else NOEDGE, edge(b) if b is not None else NOEDGE)
        record(node, r, a, b)
    return _out(r, out)


def _div_rounded(ad, bd, rounding_mode):
    """Rounded division of promoted operands (NumPy data or Python numbers)."""
    ka, kb = _kind(ad), _kind(bd)
    if ka in "iub" and kb in "iub":
        dt = _dt_of(ad, bd)
        if dt.kind == "b":
            raise not_implemented_for(f"div_{rounding_mode}_cpu", dt)
        _check_int_zero(bd)
        q, r = np.divmod(ad, bd)  # floor division and remainder with the divisor's sign
        if rounding_mode == "trunc":
            q = q + ((r != 0) & ((np.sign(ad) * np.sign(bd)) < 0))
        return np.asarray(q, dtype=dt)
    if rounding_mode == "trunc":
        return np.asarray(np.trunc(np.true_divide(ad, bd)))
    return np.asarray(np.floor_divide(ad, bd))


def _check_int_zero(b):
    if (b == 0).any() if isinstance(b, ndarray) else b == 0:
        raise RuntimeError("ZeroDivisionError")


divide = div


def true_divide(input, other, *, out=None):
    return div(input, other, out=out)


@broadcast_errors
def floor_divide(input, other, *, out=None):
    """Floor division (``//``). Like torch, it has no derivative (backward raises)."""
    a, b, ad, bd = operands(input, other)
    r = wrap(_div_rounded(ad, bd, "floor"))
    return _out(_not_differentiable(r, "floor_divide", a, b), out)


# -- pow --------------------------------------------------------------------------------------------------
class PowBackward0(Node):
    """Tensor ** number."""

    __slots__ = ("exponent",)

    def backward(self, grad):
        (a,) = self.saved
        e = self.exponent
        if e == 0:
            return grad * 0
        if grad._data.dtype.kind == "c":
            return grad * cj(a ** (e - 1) * e)
        return grad * (a ** (e - 1) * e)


class PowBackward1(Node):
    """Tensor ** tensor."""

    __slots__ = ()

    def backward(self, grad):
        a, b, result = self.saved
        (fa, _), (fb, _) = self.next_functions
        from .compare import where
        ga = gb = None
        if grad._data.dtype.kind == "c":
            return self._complex(grad, a, b, result, fa, fb)
        if fa is not None:
            # d/da a^b = b * a^(b-1); torch defines it as 0 where b == 0
            ga = where(b == 0, 0.0, grad * (b * a ** (b - 1)))
        if fb is not None:
            # d/db a^b = a^b * log(a); 0 where a == 0 and b >= 0 (torch's convention)
            from .unary import log
            gb = where((a == 0) & (b >= 0), 0.0, grad * (result * log(a)))
        return ga, gb

    @staticmethod
    def _complex(grad, a, b, result, fa, fb):
        from .compare import where
        from .unary import log
        ga = gb = None
        if fa is not None:
            ga = where(b == 0, 0.0, grad * cj(b * a ** (b - 1)))
        if fb is not None:
            # torch zeroes it where a == 0 and Re(b) >= 0
            bre = b.real if b._data.dtype.kind == "c" else b
            gb = where((a == 0) & (bre >= 0), 0.0, grad * cj(result * log(a)))
        return ga, gb


class PowBackward2(Node):
    """number ** tensor."""

    __slots__ = ("base",)

    def backward(self, grad):
        b, result = self.saved
        base = self.base
        if result._data.dtype.kind == "c":
            import cmath
            lb = cmath.log(base) if base != 0 else 0.0
            g = grad * cj(result * lb)
            if base == 0:
                from .compare import where
                return where((b.real if b._data.dtype.kind == "c" else b) >= 0, 0.0, g)
            return g
        if base == 0:
            from .compare import where
            return where(b >= 0, 0.0, grad * (result * float(np.log(np.float64(base)))))
        return grad * (result * float(np.log(np.float64(base))))


def _check_pow_ints(ad, bd):
    """torch refuses an integer tensor to a negative integer *number* (not tensor) power."""
    ka, kb = _kind(ad), _kind(bd)
    if ka == "b" and kb == "b":
        raise not_implemented_for("pow", np.bool_)
    if ka in "iub" and kb in "iu" and not isinstance(bd, ndarray) and bd < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")


def _pow_np(ad, bd):
    """np.power, with torch's integer results for negative integer exponents (NumPy raises):
    1 for base 1, +-1 for base -1, 0 otherwise."""
    if _kind(ad) in "iu" and isinstance(bd, ndarray) and bd.dtype.kind in "iu" and (bd < 0).any():
        neg = bd < 0
        r = np.power(ad, np.where(neg, 0, bd))
        odd = (bd % 2) != 0
        fix = np.where(ad == 1, 1, np.where(ad == -1, np.where(odd, -1, 1), 0))
        return np.where(neg, fix, r).astype(r.dtype)
    return np.power(ad, bd)


@broadcast_errors
def pow(input, exponent, *, out=None):
    """input ** exponent; a Tensor or number on either side."""
    if isinstance(input, Tensor) and not isinstance(exponent, Tensor):
        e = exponent.item() if isinstance(exponent, np.generic) else exponent
        a, _, ad, ed = operands(input, e)
        if ad.dtype.kind in "iub":
            _check_pow_ints(ad, ed)
        if ed == 2:
            data = ad * ad
        elif ed == 0.5:
            data = np.sqrt(ad)
        elif ed == 1:
            data = ad.copy()
        else:
            data = np.power(ad, ed)
        if data.__class__ is not ndarray:
            data = np.asarray(data)
        r = wrap(data)
        if mode.enabled and a._rg:
            node = PowBackward0(edge(a))
            node.exponent = e
            node.save(a)
            record(node, r, a)
        return _out(r, out)
    a, b, ad, bd = operands(input, exponent)
    _check_pow_ints(ad, bd)
    data = np.asarray(_pow_np(ad, bd))
    r = wrap(data)
    if mode.enabled and ((a is not None and a._rg) or (b is not None and b._rg)):
        if a is None:
            node = PowBackward2(edge(b))
            node.base = ad
            node.save_output(r, b)
            record(node, r, b)
            return _out(r, out)
        else:
            node = PowBackward1(edge(a), edge(b))
            node.save_output(r, a, b)
        record(node, r, a, b)
    return _out(r, out)


@broadcast_errors
def float_power(input, exponent, *, out=None):
    """pow computed in double precision (float64 result)."""
    x = input.double() if isinstance(input, Tensor) else float(input)
    e = exponent.double() if isinstance(exponent, Tensor) else (float(exponent) if isinstance(x, Tensor) and
                                                               not isinstance(exponent, complex) else exponent)
    return _out(pow(x, e), out)


# -- neg --------------------------------------------------------------------------------------------------
class NegBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return -grad


def neg(input, *, out=None):
    d = input._data
    if d.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are "
                           "trying to invert a mask, use the `~` or `logical_not()` operator instead.")
    r = wrap(np.negative(d) if d.ndim else np.asarray(np.negative(d)))
    if mode.enabled and input._rg:
        r.grad_fn = NegBackward0(edge(input))
        r._rg = True
    return _out(r, out)


negative = neg


# -- fmod / remainder --------------------------------------------------------------------------------------
class FmodBackward0(Node):
    """fmod(tensor, number): d/da = 1."""

    __slots__ = ()

    def backward(self, grad):
        return grad


class FmodBackward1(Node):
    """fmod(tensor, tensor): d/da = 1, d/db = -trunc(a / b)."""

    __slots__ = ()
    rounding = "trunc"

    def backward(self, grad):
        a, b = self.saved
        (fa, _), (fb, _) = self.next_functions
        gb = -grad * div(a, b, rounding_mode=self.rounding) if fb is not None else None
        return (grad if fa is not None else None), gb


class RemainderBackward0(FmodBackward0):
    __slots__ = ()


class RemainderBackward1(FmodBackward1):
    """remainder(tensor, tensor): d/db = -floor(a / b)."""

    __slots__ = ()
    rounding = "floor"


def _mod_like(input, other, ufunc, name, scalar_node, tensor_node):
    a, b, ad, bd = operands(input, other)
    if _kind(ad) in "iub" and _kind(bd) in "iub":
        dt = _dt_of(ad, bd)
        if dt.kind == "b":
            raise not_implemented_for(f"{name}_cpu", dt)
        _check_int_zero(bd)
    data = ufunc(ad, bd)
    if data.__class__ is not ndarray:
        data = np.asarray(data)
    r = wrap(data)
    if mode.enabled and ((a is not None and a._rg) or (b is not None and b._rg)):
        if a is None:  # number % tensor has no derivative in torch
            return _not_differentiable(r, name, a, b)
        if b is None:
            record(scalar_node(edge(a)), r, a)
            return r
        else:
            node = tensor_node(edge(a), edge(b))
            node.save(a, b)
        record(node, r, a, b)
    return r


@broadcast_errors
def fmod(input, other, *, out=None):
    """C-style remainder: the result has the sign of ``input``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"fmod() received an invalid combination of arguments - got ({type(input).__name__}, "
                        f"{type(other).__name__}), but expected one of:\n * (Tensor input, Tensor other, *, Tensor "
                        "out = None)\n * (Tensor input, Number other, *, Tensor out = None)\n")
    return _out(_mod_like(input, other, np.fmod, "fmod", FmodBackward0, FmodBackward1), out)


@broadcast_errors
def remainder(input, other, *, out=None):
    """Python-style modulus: the result has the sign of ``other``."""
    return _out(_mod_like(input, other, np.remainder, "remainder", RemainderBackward0, RemainderBackward1), out)


def _out(result, out):
    """Support torch's ``out=`` argument: write into ``out`` (resizing like torch) and return it."""
    if out is None:
        return result
    if mode.enabled and (result._rg or out._rg):
        raise RuntimeError("out=... arguments don't support automatic differentiation, but one of the "
                           "arguments requires grad.")
    rd = result._data
    if out._data.dtype != rd.dtype and not np.can_cast(rd.dtype, out._data.dtype, "same_kind"):
        raise RuntimeError(f"result type {tname(rd.dtype)} can't be cast to the desired output type "
                           f"{tname(out._data.dtype)}")
    if out._data.shape != rd.shape:
        out._data = np.empty(rd.shape, dtype=out._data.dtype)
    np.copyto(out._data, rd, casting="unsafe")
    out._vc[0] += 1
    return out


for _name in ("add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "floor_divide",
              "pow", "float_power", "neg", "negative", "fmod", "remainder"):
    setattr(Tensor, _name, globals()[_name])
