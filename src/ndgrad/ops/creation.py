"""Tensor creation: tensor, zeros, ones, full, empty (and the _like forms), arange, linspace, eye.

dtype inference follows torch: Python floats give the default dtype (float32), ints int64, bools
bool, complex numbers the default complex dtype; NumPy arrays, NumPy scalars and tensors keep
their dtype, and a list mixing them is promoted with torch's rules.

The random generator and random tensors (rand, randn, normal ...) are in random.py.
"""
import builtins as _b
import math
import numbers
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap, _to_numpy_nested, check_device
from ..autograd.node import Node

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty",
           "zeros_like", "ones_like", "full_like", "empty_like", "arange", "range", "linspace",
           "logspace", "eye", "scalar_tensor", "empty_strided", "tril_indices", "triu_indices", "complex",
           "polar"]

_INT64_MIN = -(1 << 63)


# -- shared argument handling ----------------------------------------------------------------------
def _finish(data, requires_grad, device=None):
    if device is not None:
        check_device(device)
    t = _wrap(data)
    if requires_grad:
        if data.dtype.kind not in "fc":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t._rg = True
    return t


def _np_dtype(dtype, default=None):
    if dtype is None:
        return default if default is not None else _dtype.default.np
    if dtype.__class__ is _dtype.dtype:
        return dtype.np
    return _dtype.to_dtype(dtype).np


def _size(args, fname, size_kw=None):
    """The shape from ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])``, ``f(Size)`` or ``f(size=...)``."""
    if size_kw is not None:
        if args:
            raise TypeError(f"{fname}() got multiple values for argument 'size'")
        args = (size_kw,)
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = args[0]
    elif not args:
        raise TypeError(f"{fname}() missing 1 required positional arguments: \"size\"")
    for s in args:
        if s.__class__ is not _b.int:
            break
    else:  # the common case: plain Python ints
        for s in args:
            if s < 0:
                _negative(args, fname)
        return tuple(args)
    out = []
    for s in args:
        if isinstance(s, (tuple, list)):
            raise TypeError(f"{fname}() takes 1 positional argument but {len(args)} were given")
        if isinstance(s, Tensor):
            if s._data.ndim or s._data.dtype.kind not in "iub":
                raise TypeError(f"{fname}(): argument 'size' must be tuple of ints, but found element of "
                                "type Tensor")
            s = s._data.item()
        elif not isinstance(s, (_b.int, np.integer)):
            raise TypeError(f"{fname}(): argument 'size' (position 1) must be tuple of ints, not "
                            f"{type(s).__name__}")
        out.append(_b.int(s))
    for s in out:
        if s < 0:
            _negative(out, fname)
    return tuple(out)


def _negative(size, fname):
    if fname == "zeros":
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    raise RuntimeError(f"Trying to create tensor with negative dimension {min(size)}: {list(size)}")


def _shape_arg(size, fname, pos=1):
    """A ``size`` argument that must be a sequence (``full``, ``randint``, ``normal``)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"{fname}(): argument 'size' (position {pos}) must be tuple of ints, not "
                        f"{type(size).__name__}")
    return _size((size,), fname)


def _check_tensor(input, fname):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")


# -- tensor(): data to array with torch's dtype inference ------------------------------------------
def _check_np_dtype(dt):
    if dt.kind not in "biufc" or dt not in _dtype._FROM_NP:
        _dtype.from_numpy_dtype(dt)  # raises torch's "can't convert np.ndarray of type ..." TypeError


def _infer_np(data, raw=False):
    """A new NumPy array for ``tensor(data)``, with torch's dtype inference for Python data.

    With ``raw`` (a dtype was requested) Python numbers stay in int64 / float64 / complex128 so that
    the final cast rounds only once, as torch converts each number straight to the requested type.
    """
    if isinstance(data, Tensor):
        return np.array(data._data, copy=True, order="K")
    if isinstance(data, np.ndarray):
        _check_np_dtype(data.dtype)
        return np.array(data, copy=True, order="K")  # torch keeps the array's memory layout
    if isinstance(data, np.generic):
        _check_np_dtype(data.dtype)
        return np.array(data)
    cls = data.__class__
    if cls is _b.float:
        return np.array(data, dtype=np.float64 if raw else _dtype.default.np)
    if cls is _b.int:
        _check_int_range(data)
        return np.array(data, dtype=np.int64)
    if cls is _b.bool:
        return np.array(data)
    if isinstance(data, str):
        raise TypeError("new(): invalid data type 'str'")
    if not isinstance(data, (list, tuple, _b.range, numbers.Number)):
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    typed = isinstance(data, (list, tuple)) and _has_typed(data)
    nested = _to_numpy_nested(data) if typed else data
    try:
        arr = np.array(nested)
    except (ValueError, TypeError, OverflowError):
        _diagnose(data)
        raise
    kind = arr.dtype.kind
    if kind == "O" or kind == "U" or kind == "S":
        # only a float list with an int beyond int64 is valid here: torch converts it to float
        has_complex = _diagnose(data)
        arr = np.array(nested, dtype=np.complex128 if has_complex else np.float64)
        kind = arr.dtype.kind
    if typed:
        return arr if raw else arr.astype(_typed_dtype(data), copy=False)
    if kind == "f":
        if arr.size and np.abs(arr).max() >= 2.0 ** 63:  # NumPy turns [1, 2**63] into floats
            _diagnose(data)
        return arr if raw else arr.astype(_dtype.default.np, copy=False)
    if kind == "i":
        return arr.astype(np.int64, copy=False)
    if kind == "u":  # NumPy chose uint64: some int was >= 2**63
        raise ValueError("Overflow when unpacking long long")
    if kind == "c":
        return arr if raw else arr.astype(_dtype.default.value.to_complex().np, copy=False)
    return arr


def _check_convertible(arr, np_dt):
    """torch's checks when Python numbers are converted to a requested dtype."""
    if arr.dtype.kind == "c" and np_dt.kind != "c":
        raise TypeError("must be real number, not complex")
    if np_dt.kind not in "iu" or arr.size == 0 or arr.dtype.kind not in "iuf":
        return
    info = np.iinfo(np_dt)
    lo, hi = arr.min().item(), arr.max().item()
    if np_dt.kind == "u" and arr.dtype.kind in "iu":
        bad = hi > info.max or -lo > info.max  # small negative ints wrap around, as in C
    else:
        bad = hi > info.max or lo < info.min
    if bad:
        raise RuntimeError(f"value cannot be converted to type {np_dt.name} without overflow")


def _check_int_range(v):
    if not _INT64_MIN <= v < (1 << 63):
        raise ValueError("Overflow when unpacking long long")


_PLAIN = frozenset((_b.float, _b.int, _b.bool, _b.complex))
_SEQ = frozenset((list, tuple))


def _has_typed(data):
    """True when a (nested) list holds NumPy arrays/scalars or tensors, whose dtypes count.

    Runs of plain Python numbers are checked at C speed (``set(map(type, ...))``)."""
    stack = [data]
    while stack:
        x = stack.pop()
        types = _b.set(map(type, x))
        if types <= _PLAIN:
            continue
        for t in types - _PLAIN:
            if t not in _SEQ and t is not _b.range and (
                    issubclass(t, (np.ndarray, np.generic, Tensor)) or not issubclass(t, (str, numbers.Number))):
                return True
        if types & _SEQ:
            stack.extend(v for v in x if type(v) in _SEQ)
    return False


def _scalar_np_dtype(v):
    """torch's dtype for one element of a list (before promotion across the list)."""
    if isinstance(v, Tensor):
        return v._data.dtype
    if isinstance(v, (np.ndarray, np.generic)):
        return v.dtype
    if isinstance(v, _b.bool):
        return np.dtype(np.bool_)
    if isinstance(v, _b.int):
        return np.dtype(np.int64)
    if isinstance(v, _b.complex):
        return _dtype.default.value.to_complex().np
    return _dtype.default.np


def _typed_dtype(data):
    """Promote the dtypes of every element of a list holding NumPy values or tensors."""
    result = None
    stack = [data]
    while stack:
        x = stack.pop()
        for v in x:
            if isinstance(v, (list, tuple)):
                stack.append(v)
                continue
            d = _scalar_np_dtype(v)
            _check_np_dtype(d)
            result = d if result is None else _dtype.promote_np(result, d)
    return result if result is not None else _dtype.default.np


def _is_seq(x):
    return isinstance(x, (list, tuple, _b.range)) or (isinstance(x, (np.ndarray, Tensor)) and x.ndim > 0)


def _diagnose(data):
    """Raise torch's error for data NumPy could not turn into a regular array."""
    sizes = []
    x = data
    while _is_seq(x):  # torch reads the shape from the first element at each depth
        sizes.append(len(x))
        if len(x) == 0:
            break
        x = x[0]
    if isinstance(x, str):
        raise ValueError("too many dimensions 'str'")
    is_int, is_complex, big = True, False, False
    stack = [data]
    while stack:  # element types, as torch's dtype inference sees them
        v = stack.pop()
        if _is_seq(v):
            stack.extend(v)
        elif isinstance(v, str):
            continue  # judged by the store pass
        elif isinstance(v, (_b.float, _b.complex, np.floating, np.complexfloating)):
            is_int = False
            is_complex = is_complex or isinstance(v, (_b.complex, np.complexfloating))
        elif isinstance(v, _b.int) and not isinstance(v, _b.bool):
            big = big or not _INT64_MIN <= v < (1 << 63)
        elif not isinstance(v, (numbers.Number, np.generic, Tensor, np.ndarray)):
            raise RuntimeError(f"Could not infer dtype of {type(v).__name__}")
    stack = [(data, 0)]
    while stack:  # the store pass: every sequence must have the size its depth requires
        v, dim = stack.pop()
        if dim == len(sizes):
            if isinstance(v, str):
                raise TypeError("new(): invalid data type 'str'")
            if _is_seq(v):
                if is_int:
                    raise TypeError(f"'{type(v).__name__}' object cannot be interpreted as an integer")
                raise TypeError(f"must be real number, not {type(v).__name__}")
            continue
        if isinstance(v, str):
            raise TypeError("new(): invalid data type 'str'")
        if not _is_seq(v):
            raise TypeError("not a sequence")
        if len(v) != sizes[dim]:
            raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(v)})")
        stack.extend((item, dim + 1) for item in reversed(list(v)))
    if big and is_int:
        raise ValueError("Overflow when unpacking long long")
    return is_complex


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Create a tensor from data (nested lists, numbers, NumPy arrays); always copies.

    Example:
        >>> ndgrad.tensor([[1., 2.], [3., 4.]]).dtype
        torch.float32
        >>> ndgrad.tensor([1, 2]).dtype
        torch.int64
    """
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                      "or sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    if dtype is None:
        return _finish(_infer_np(data), requires_grad, device)
    np_dt = np.dtype(_np_dtype(dtype))
    arr = _infer_np(data, raw=True)
    if not isinstance(data, (np.ndarray, Tensor)):
        _check_convertible(arr, np_dt)
    return _finish(arr.astype(np_dt, copy=False), requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array / tensor when no conversion is needed.

    Example:
        >>> a = np.array([1., 2.]); t = ndgrad.as_tensor(a); a[0] = 5.
        >>> t
        tensor([5., 2.], dtype=torch.float64)
    """
    check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or data._data.dtype == _np_dtype(dtype) else data.to(dtype)
    if isinstance(data, np.ndarray) and data.dtype.kind in "biufc" and data.dtype in _dtype._FROM_NP:
        return _wrap(data if dtype is None else data.astype(_np_dtype(dtype), copy=False))
    return tensor(data, dtype=dtype)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """torch.asarray: shares memory like ``as_tensor`` unless ``copy=True``."""
    if copy:
        t = tensor(obj.detach() if isinstance(obj, Tensor) else obj, dtype=dtype, device=device)
    else:
        t = as_tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (writes to one show in the other).

    Example:
        >>> a = np.zeros(2); t = ndgrad.from_numpy(a); t.add_(1); a
        array([1., 1.])
    """
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _check_np_dtype(ndarray.dtype)
    return _wrap(ndarray)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    if isinstance(s, Tensor):
        s = s.item()
    return _finish(np.array(s, dtype=_np_dtype(dtype)), requires_grad, device)


# -- filled tensors --------------------------------------------------------------------------------
def zeros(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          **kw):
    """A tensor of zeros: ``zeros(2, 3)``, ``zeros((2, 3))``, ``zeros(size=(2, 3))``.

    Example:
        >>> ndgrad.zeros(2, dtype=ndgrad.int64)
        tensor([0, 0])
    """
    return _finish(np.zeros(_size(size, "zeros", _size_kw(kw, "zeros")), dtype=_np_dtype(dtype)),
                   requires_grad, device)


def ones(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False, **kw):
    """A tensor of ones (same size forms as ``zeros``)."""
    return _finish(np.ones(_size(size, "ones", _size_kw(kw, "ones")), dtype=_np_dtype(dtype)),
                   requires_grad, device)


def empty(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
          memory_format=None, **kw):
    """An uninitialised tensor (same size forms as ``zeros``)."""
    return _finish(np.empty(_size(size, "empty", _size_kw(kw, "empty")), dtype=_np_dtype(dtype)),
                   requires_grad, device)


def _size_kw(kw, fname):
    if not kw:
        return None
    if _b.set(kw) != {"size"}:
        name = next(k for k in kw if k != "size")
        raise TypeError(f"{fname}() got an unexpected keyword argument '{name}'")
    return kw["size"]


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor with the given element strides."""
    size, stride = _shape_arg(size, "empty_strided"), tuple(_b.int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    np_dt = np.dtype(_np_dtype(dtype))
    n = 1 + _b.sum((s - 1) * st for s, st in zip(size, stride)) if all(size) else 0
    buf = np.empty(n, dtype=np_dt)
    data = np.lib.stride_tricks.as_strided(buf, size, tuple(st * np_dt.itemsize for st in stride))
    return _finish(data, requires_grad, device)


def _fill_dtype(value):
    """torch.full's dtype for a fill value: bool, int64, default complex or default float."""
    if isinstance(value, _b.bool):
        return np.dtype(np.bool_)
    if isinstance(value, (_b.int, np.integer)):
        return np.dtype(np.int64)
    if isinstance(value, (_b.complex, np.complexfloating)):
        return _dtype.default.value.to_complex().np
    return _dtype.default.np


def _fill_number(value, fname):
    """A fill value as a Python number (0-d tensors that need no grad are accepted, as in torch)."""
    if isinstance(value, Tensor):
        if value._data.ndim == 0 and not value._rg:
            return value._data.item()
    elif isinstance(value, (numbers.Number, np.generic)):
        return value
    raise TypeError(f"{fname}(): argument 'fill_value' (position 2) must be Number, not {type(value).__name__}")


def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False):
    """A tensor of ``size`` filled with ``fill_value``; dtype from the value (bool, int64, float).

    Example:
        >>> ndgrad.full((2,), 7)
        tensor([7, 7])
    """
    fill_value = _fill_number(fill_value, "full")
    np_dt = _np_dtype(dtype, _fill_dtype(fill_value))
    return _finish(np.full(_shape_arg(size, "full"), fill_value, dtype=np_dt), requires_grad, device)


def _like(input, dtype, fname):
    _check_tensor(input, fname)
    return input._data.shape, (input._data.dtype if dtype is None else _np_dtype(dtype))


def zeros_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    shape, dt = _like(input, dtype, "zeros_like")
    return _finish(np.zeros(shape, dtype=dt), requires_grad, device)


def ones_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    shape, dt = _like(input, dtype, "ones_like")
    return _finish(np.ones(shape, dtype=dt), requires_grad, device)


def empty_like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
    shape, dt = _like(input, dtype, "empty_like")
    return _finish(np.empty(shape, dtype=dt), requires_grad, device)


def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    shape, dt = _like(input, dtype, "full_like")
    return _finish(np.full(shape, _fill_number(fill_value, "full_like"), dtype=dt), requires_grad, device)


# -- ranges ----------------------------------------------------------------------------------------
def _num(x, fname, arg):
    if isinstance(x, Tensor):
        return x._data.item()
    if isinstance(x, np.generic):
        return x.item()
    if not isinstance(x, numbers.Number):
        raise TypeError(f"{fname}(): argument '{arg}' must be Number, not {type(x).__name__}")
    return x


def _not_implemented(what, np_dt):
    raise NotImplementedError(f"\"{what}\" not implemented for '{_dtype.SCALAR_NAMES[np.dtype(np_dt)]}'")


def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Values in [start, end) spaced by ``step``: int64 for integer arguments, else the default float.

    Example:
        >>> ndgrad.arange(0, 1, 0.25)
        tensor([0.0000, 0.2500, 0.5000, 0.7500])
    """
    if end is None:
        start, end = 0, start
    start, end, step = _num(start, "arange", "start"), _num(end, "arange", "end"), _num(step, "arange", "step")
    is_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    np_dt = np.dtype(_np_dtype(dtype, np.int64 if is_int else None))
    if np_dt.kind == "b":
        _not_implemented("arange_cpu", np_dt)
    if not (math.isfinite(start) and math.isfinite(end)):
        raise RuntimeError(f"unsupported range: {start} -> {end}")
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (step > 0 and end < start) or (step < 0 and end > start):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if is_int:
        n = max(0, -((start - end) // step))
    else:
        n = max(0, math.ceil((_b.float(end) - _b.float(start)) / _b.float(step)))
    if n > 2 ** 62:
        raise RuntimeError("invalid size, possible overflow?")
    if np_dt.kind in "iu":  # torch steps in the integer type (a step below 1 becomes 0)
        istart, istep = _b.int(start), _b.int(step)
        if istep == 0:
            raise ValueError("step must be nonzero")
        data = (istart + np.arange(n, dtype=np.int64) * istep).astype(np_dt, copy=False)
    elif is_int:
        data = np.arange(start, start + n * step, step, dtype=np.int64)[:n].astype(np_dt)
    else:  # torch accumulates in double: start + i * step
        data = (start + np.arange(n, dtype=np.float64) * step).astype(np_dt)
    return _finish(data, requires_grad, device)


def range(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """Deprecated torch.range: like arange but includes ``end``; default float dtype."""
    warnings.warn("torch.range is deprecated and will be removed in a future release because its behavior "
                  "is inconsistent with Python's range builtin. Instead, use torch.arange, which produces "
                  "values in [start, end).", UserWarning, stacklevel=2)
    if end is None:
        start, end = 0, start
    start, end, step = _num(start, "range", "start"), _num(end, "range", "end"), _num(step, "range", "step")
    n = _b.int(math.floor((end - start) / step)) + 1
    data = (start + np.arange(max(n, 0), dtype=np.float64) * step).astype(_np_dtype(dtype))
    return _finish(data, requires_grad, device)


def _steps_arg(steps, fname):
    if isinstance(steps, Tensor) and steps._data.ndim == 0 and steps._data.dtype.kind in "iu":
        steps = steps._data.item()
    if not isinstance(steps, (_b.int, np.integer)) or isinstance(steps, _b.bool):
        raise TypeError(f"{fname}(): argument 'steps' (position 3) must be int, not {type(steps).__name__}")
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _b.int(steps)


def _linspace_np(start, end, steps, np_dt):
    """torch's linspace kernel: the first half counts up from ``start``, the second half down from
    ``end`` (so both ends are exact). torch computes ``start + step * i`` in the output type (in
    double for integer outputs) with a fused multiply-add; a wider type emulates the single rounding,
    which reproduces torch's float32 values bit for bit (and float64's nearly always)."""
    if steps == 1:
        return np.array([start]).astype(np_dt)
    idx = np.arange(steps)
    half = steps // 2
    down = steps - idx[half:] - 1
    if np_dt.kind == "c":
        s, e = np_dt.type(start), np_dt.type(end)
        step = (e - s) / np_dt.type(steps - 1)
        return np.concatenate((s + step * idx[:half], e - step * down)).astype(np_dt)
    if np_dt == np.float16:  # Half arithmetic rounds after every operation
        f16 = np.float16
        s, e = f16(start), f16(end)
        step = f16(np.float32(e) - np.float32(s)) / f16(steps - 1)
        up = s + (step * idx[:half].astype(f16))
        return np.concatenate((up, e - step * down.astype(f16))).astype(np_dt)
    calc = np.dtype(np.float64) if np_dt.kind in "iu" or np_dt == np.float64 else np.dtype(np.float32)
    wide = np.longdouble if calc == np.float64 else np.float64
    s, e = calc.type(start), calc.type(end)
    step = (e - s) / calc.type(steps - 1)
    ws, we, wstep = wide(s), wide(e), wide(step)
    out = np.concatenate((ws + wstep * idx[:half].astype(wide), we - wstep * down.astype(wide)))
    return out.astype(calc).astype(np_dt, copy=False)


def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """``steps`` values evenly spaced from ``start`` to ``end`` inclusive (default float dtype).

    Example:
        >>> ndgrad.linspace(0, 1, 5)
        tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    start, end = _num(start, "linspace", "start"), _num(end, "linspace", "end")
    steps = _steps_arg(steps, "linspace")
    is_complex = isinstance(start, _b.complex) or isinstance(end, _b.complex)
    np_dt = np.dtype(_np_dtype(dtype, _dtype.default.value.to_complex().np if is_complex else None))
    if np_dt.kind == "b":
        _not_implemented("linspace_cpu", np_dt)
    if np_dt.kind in "iu":
        start, end = _b.int(start), _b.int(end)
    return _finish(_linspace_np(start, end, steps, np_dt), requires_grad, device)


def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False):
    """``base ** linspace(start, end, steps)``.

    Example:
        >>> ndgrad.logspace(0, 2, 3)
        tensor([  1.,  10., 100.])
    """
    start, end = _num(start, "logspace", "start"), _num(end, "logspace", "end")
    steps = _steps_arg(steps, "logspace")
    np_dt = np.dtype(_np_dtype(dtype))
    if np_dt.kind == "b":
        _not_implemented("logspace_cpu", np_dt)
    exps = _linspace_np(start, end, steps, np.dtype(np.float64))
    return _finish(np.power(_b.float(base), exps).astype(np_dt), requires_grad, device)


def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The ``n`` x ``m`` identity matrix (``m`` defaults to ``n``)."""
    vals = []
    for name, v in (("n", n), ("m", m)):
        if isinstance(v, Tensor) and v._data.ndim == 0 and v._data.dtype.kind in "iu":
            v = v._data.item()
        if v is not None and (not isinstance(v, (_b.int, np.integer)) or isinstance(v, _b.bool)):
            raise TypeError(f"eye(): argument '{name}' (position {len(vals) + 1}) must be int, not "
                            f"{type(v).__name__}")
        if v is not None and v < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {v}")
        vals.append(v)
    return _finish(np.eye(vals[0], vals[1], dtype=_np_dtype(dtype)), requires_grad, device)


# -- index helpers and complex construction --------------------------------------------------------
def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    r, c = np.tril_indices(row, offset, col)
    return _finish(np.stack([r, c]).astype(_np_dtype(dtype, np.int64)), False, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    r, c = np.triu_indices(row, offset, col)
    return _finish(np.stack([r, c]).astype(_np_dtype(dtype, np.int64)), False, device)


def _check_complex_parts(a, b):
    if a._data.dtype.kind != "f" or b._data.dtype.kind != "f":
        raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but got "
                           f"{_dtype.SCALAR_NAMES[a._data.dtype]} and {_dtype.SCALAR_NAMES[b._data.dtype]}")


def complex(real, imag, *, out=None):
    """A complex tensor from real and imaginary parts."""
    _check_complex_parts(real, imag)
    if real._data.dtype != imag._data.dtype:
        raise RuntimeError(f"Expected object of scalar type {_dtype.SCALAR_NAMES[real._data.dtype]} but got "
                           f"scalar type {_dtype.SCALAR_NAMES[imag._data.dtype]} for second argument")
    dt = _dtype.promote_np(real._data.dtype, imag._data.dtype)
    r = _wrap((real._data + 1j * imag._data).astype(np.result_type(dt, np.complex64)))
    _record_parts(ComplexBackward0, r, real, imag)
    return _finish_out(r, out)


def polar(abs, angle, *, out=None):
    """``abs * (cos(angle) + i sin(angle))``."""
    _check_complex_parts(abs, angle)
    dt = _dtype.promote_np(abs._data.dtype, angle._data.dtype)
    r = _wrap((abs._data * np.exp(1j * angle._data)).astype(np.result_type(dt, np.complex64)))
    _record_parts(PolarBackward0, r, abs, angle)
    return _finish_out(r, out)


def _finish_out(r, out):
    if out is None:
        return r
    from .arith import _out
    return _out(r, out)


def _record_parts(node_cls, r, a, b):
    from ._core import edge, record, mode
    if mode.enabled and (a._rg or b._rg):
        node = node_cls(edge(a), edge(b))
        node.save(a, b)
        record(node, r, a, b)


class ComplexBackward0(Node):
    """out = real + i imag: the real inputs get the real and imaginary parts of the gradient."""

    __slots__ = ()

    def backward(self, grad):
        (fr, _), (fi, _) = self.next_functions
        return (grad.real if fr is not None else None, grad.imag if fi is not None else None)


class PolarBackward0(Node):
    """out = abs * u with u = exp(i angle): grad_abs = Re(conj(u) g), grad_angle = abs * Im(conj(u) g)."""

    __slots__ = ()

    def backward(self, grad):
        r, theta = self.saved
        (fr, _), (ft, _) = self.next_functions
        gu = grad * complex(theta.cos(), theta.sin()).conj()
        return (gu.real if fr is not None else None, r * gu.imag if ft is not None else None)


# -- Tensor.new_* ----------------------------------------------------------------------------------
def _new_dtype(self, dtype):
    return self._data.dtype if dtype is None else _np_dtype(dtype)


def _new_tensor(self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False):
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() "
                      "or sourceTensor.detach().clone().requires_grad_(True), rather than "
                      "tensor.new_tensor(sourceTensor).", UserWarning, stacklevel=2)
    np_dt = np.dtype(_new_dtype(self, dtype))
    arr = _infer_np(data, raw=True)
    if not isinstance(data, (np.ndarray, Tensor)):
        _check_convertible(arr, np_dt)
    return _finish(arr.astype(np_dt, copy=False), requires_grad, device)


def _new_filled(npfn, fname):
    def method(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False, **kw):
        return _finish(npfn(_size(size, fname, _size_kw(kw, fname)), dtype=_new_dtype(self, dtype)),
                       requires_grad, device)
    method.__name__ = fname
    method.__doc__ = f"A tensor like ``{fname[4:]}(*size)`` with this tensor's dtype unless ``dtype`` is given."
    return method


def _new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None,
              pin_memory=False):
    fill_value = _fill_number(fill_value, "new_full")
    return _finish(np.full(_shape_arg(size, "new_full"), fill_value, dtype=_new_dtype(self, dtype)),
                   requires_grad, device)


Tensor.new_tensor = _new_tensor
Tensor.new_zeros = _new_filled(np.zeros, "new_zeros")
Tensor.new_ones = _new_filled(np.ones, "new_ones")
Tensor.new_empty = _new_filled(np.empty, "new_empty")
Tensor.new_full = _new_full


def _new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False, layout=None,
                       pin_memory=False):
    return empty_strided(size, stride, dtype=self.dtype if dtype is None else dtype, device=device,
                         requires_grad=requires_grad)


Tensor.new_empty_strided = _new_empty_strided


# -- names that moved to random.py -----------------------------------------------------------------
_MOVED_TO_RANDOM = frozenset(("_rng", "rand", "randn", "randint", "randperm", "rand_like", "randn_like",
                              "randint_like", "normal", "bernoulli", "multinomial", "manual_seed", "seed",
                              "initial_seed", "Generator", "default_generator", "get_rng_state", "set_rng_state"))


def __getattr__(name):
    """``from .creation import _rng`` (or another name that moved to random.py) keeps working."""
    if name in _MOVED_TO_RANDOM:
        from . import random
        return getattr(random, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
