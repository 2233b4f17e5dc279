"""``ndgrad.testing``: assert_close, assert_allclose and make_tensor as in torch.testing."""
import collections.abc
import math
import warnings

import numpy as np

from . import _dtype
from ._tensor import Tensor

__all__ = ["assert_close", "assert_allclose", "make_tensor"]

# (rtol, atol) per dtype, as torch.testing.assert_close
_DEFAULT_TOL = {"float16": (1e-3, 1e-5), "bfloat16": (1.6e-2, 1e-5), "float32": (1.3e-6, 1e-5),
                "float64": (1e-7, 1e-7), "complex32": (1e-3, 1e-5), "complex64": (1.3e-6, 1e-5),
                "complex128": (1e-7, 1e-7)}


class _Failure(Exception):
    def __init__(self, exc_type, message):
        super().__init__(message)
        self.exc_type = exc_type
        self.message = message


def _dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def _tolerances(dtype_name, rtol, atol):
    if (rtol is None) != (atol is None):
        raise ValueError(f"Both 'rtol' and 'atol' must be either specified or omitted, "
                         f"but got no {'rtol' if rtol is None else 'atol'}.")
    if rtol is not None:
        return rtol, atol
    return _DEFAULT_TOL.get(dtype_name, (0.0, 0.0))


def _isclose(a, e, rtol, atol, equal_nan):
    with np.errstate(all="ignore"):
        if a.dtype.kind in "biu":
            a64, e64 = a.astype(np.float64), e.astype(np.float64)
            return (a == e) | (np.abs(a64 - e64) <= atol + rtol * np.abs(e64))
        close = (a == e) | (np.isfinite(a) & np.isfinite(e) & (np.abs(a - e) <= atol + rtol * np.abs(e)))
        if equal_nan:
            close |= np.isnan(a) & np.isnan(e)
    return close


def _fmt(v):
    return repr(v.item() if hasattr(v, "item") else v)


def _scalar_msg(actual, expected, rtol, atol, kind="Scalars"):
    equal = rtol == 0 and atol == 0
    with np.errstate(all="ignore"):
        abs_diff = abs(actual - expected)
        if isinstance(abs_diff, (int, np.integer)) and not isinstance(abs_diff, bool):
            rel_diff = float(np.float64(abs_diff) / np.float64(abs(expected)))
        else:
            rel_diff = float(np.float64(abs_diff) / np.float64(abs(expected)))
    msg = f"{kind} are not {'equal' if equal else 'close'}!\n\nExpected {expected} but got {actual}.\n"
    msg += f"Absolute difference: {abs_diff}" + ("" if equal else f" (up to {atol} allowed)") + "\n"
    msg += f"Relative difference: {rel_diff}" + ("" if equal else f" (up to {rtol} allowed)")
    return msg


def _tensor_msg(a, e, mismatches, rtol, atol):
    equal = rtol == 0 and atol == 0
    total = a.size
    n = int(mismatches.sum())
    with np.errstate(all="ignore"):
        if a.dtype == np.bool_:
            a, e = a.astype(np.int64), e.astype(np.int64)
        if a.dtype.kind in "iu":
            abs_diff = np.abs(a.astype(np.int64) - e.astype(np.int64))
            rel_diff = abs_diff.astype(_dtype.default.np) / np.abs(e).astype(_dtype.default.np)
        else:
            abs_diff = np.abs(a - e)
            rel_diff = abs_diff / np.abs(e)
            if abs_diff.dtype.kind == "c" or a.dtype.kind == "c":
                abs_diff, rel_diff = abs_diff.real, rel_diff.real

    def greatest(diff):
        d = np.where(mismatches, diff, 0)
        flat = d.reshape(-1)
        nan = np.isnan(flat) if flat.dtype.kind == "f" else np.zeros(flat.shape, bool)
        i = int(np.argmax(nan)) if nan.any() else int(np.argmax(flat))
        idx = np.unravel_index(i, d.shape) if d.ndim else ()
        return flat[i].item(), tuple(int(k) for k in idx)
    ga, ia = greatest(abs_diff)
    gr, ir = greatest(rel_diff)
    msg = f"Tensor-likes are not {'equal' if equal else 'close'}!\n\n"
    msg += f"Mismatched elements: {n} / {total} ({n / total:.1%})\n"
    msg += f"Greatest absolute difference: {ga} at index {ia}" + ("" if equal else f" (up to {atol} allowed)") + "\n"
    msg += f"Greatest relative difference: {gr} at index {ir}" + ("" if equal else f" (up to {rtol} allowed)")
    return msg


def _is_scalar(x):
    return isinstance(x, (bool, int, float, complex, np.generic))


def _as_tensor(x):
    if isinstance(x, Tensor):
        return x
    from .ops.creation import tensor
    return tensor(np.asarray(x)) if isinstance(x, np.ndarray) else None


def _compare_tensors(actual, expected, rtol, atol, equal_nan, check_dtype, check_stride):
    if actual.shape != expected.shape:
        raise _Failure(AssertionError, f"The values for attribute 'shape' do not match: "
                                       f"{actual.shape} != {expected.shape}.")
    if check_dtype and actual.dtype != expected.dtype:
        raise _Failure(AssertionError, f"The values for attribute 'dtype' do not match: "
                                       f"{actual.dtype} != {expected.dtype}.")
    if check_stride and actual.stride() != expected.stride():
        raise _Failure(AssertionError, f"The values for attribute 'stride()' do not match: "
                                       f"{actual.stride()} != {expected.stride()}.")
    a = actual.detach().numpy()
    e = expected.detach().numpy()
    if a.dtype != e.dtype:
        dt = _dtype.result_np_dtype((a, e))
        a, e = a.astype(dt), e.astype(dt)
    name = np.dtype(a.dtype).name
    rtol, atol = _tolerances(name, rtol, atol)
    if a.size == 0:
        return
    mismatches = ~_isclose(a, e, rtol, atol, equal_nan)
    if not mismatches.any():
        return
    if a.ndim == 0:
        raise _Failure(AssertionError, _scalar_msg(a.item(), e.item(), rtol, atol))
    raise _Failure(AssertionError, _tensor_msg(a, e, mismatches, rtol, atol))


def _compare_scalars(actual, expected, rtol, atol, equal_nan, check_dtype):
    if isinstance(actual, bool) and isinstance(expected, bool):
        if actual is not expected:
            raise _Failure(AssertionError, f"Booleans mismatch: {actual} is not {expected}")
        return
    a, e = np.asarray(actual), np.asarray(expected)
    # Python numbers compare as 64-bit values
    kinds = {"b": np.int64, "i": np.int64, "u": np.int64, "f": np.float64, "c": np.complex128}
    a = a.astype(kinds[a.dtype.kind]) if isinstance(actual, (bool, int, float, complex)) else a
    e = e.astype(kinds[e.dtype.kind]) if isinstance(expected, (bool, int, float, complex)) else e
    if check_dtype and a.dtype != e.dtype:
        raise _Failure(AssertionError, f"The values for attribute 'dtype' do not match: "
                                       f"{_dtype.torch_type_name(a.dtype)} != {_dtype.torch_type_name(e.dtype)}.")
    dt = np.result_type(a, e)
    a, e = a.astype(dt), e.astype(dt)
    rtol, atol = _tolerances(np.dtype(dt).name, rtol, atol)
    if not _isclose(a, e, rtol, atol, equal_nan):
        raise _Failure(AssertionError, _scalar_msg(actual, expected, rtol, atol))


def _compare(actual, expected, path, opts):
    """Compare recursively; raise _Failure (with the item path in ``path``)."""
    if isinstance(actual, str) or isinstance(expected, str):
        raise _Failure(TypeError, f"No comparison pair was able to handle inputs of type {type(actual)} and "
                                  f"{type(expected)}.")
    ta, te = _as_tensor(actual), _as_tensor(expected)
    if ta is not None and te is not None:
        try:
            _compare_tensors(ta, te, *opts)
        except _Failure as f:
            f.path = path
            raise
        return
    if _is_scalar(actual) and _is_scalar(expected):
        try:
            _compare_scalars(actual, expected, opts[0], opts[1], opts[2], opts[3])
        except _Failure as f:
            f.path = path
            raise
        return
    if isinstance(actual, collections.abc.Sequence) and isinstance(expected, collections.abc.Sequence):
        if len(actual) != len(expected):
            f = _Failure(AssertionError, f"The length of the sequences mismatch: {len(actual)} != {len(expected)}")
            f.path = path
            raise f
        for i, (x, y) in enumerate(zip(actual, expected)):
            _compare(x, y, path + [i], opts)
        return
    if isinstance(actual, collections.abc.Mapping) and isinstance(expected, collections.abc.Mapping):
        ka, ke = set(actual.keys()), set(expected.keys())
        if ka != ke:
            missing = ke - ka
            extra = ka - ke
            f = _Failure(AssertionError, f"The keys of the mappings do not match:\n"
                                         f"Missing keys in the actual mapping: {sorted(missing)}\n"
                                         f"Additional keys in the actual mapping: {sorted(extra)}")
            f.path = path
            raise f
        for k in sorted(ka, key=str) if not all(isinstance(k, str) for k in ka) else list(actual.keys()):
            _compare(actual[k], expected[k], path + [k], opts)
        return
    raise _Failure(TypeError, f"No comparison pair was able to handle inputs of type {type(actual)} and "
                              f"{type(expected)}.")


def assert_close(actual, expected, *, allow_subclasses=True, rtol=None, atol=None, equal_nan=False,
                 check_device=True, check_dtype=True, check_layout=True, check_stride=False, msg=None):
    """Raise AssertionError unless ``actual`` and ``expected`` are close, exactly as torch.testing.assert_close.

    Tensors (and NumPy arrays), Python scalars and nested sequences / mappings of them are compared
    elementwise with |actual - expected| <= atol + rtol * |expected|; default tolerances depend on
    the dtype (0 for integers and bool, i.e. equality).
    """
    if (rtol is None) != (atol is None):
        _tolerances(None, rtol, atol)
    try:
        _compare(actual, expected, [], (rtol, atol, equal_nan, check_dtype, check_stride))
    except _Failure as f:
        if f.exc_type is not AssertionError:
            raise f.exc_type(f.message) from None
        text = f.message
        if callable(msg):
            text = msg(text)
        elif msg is not None:
            text = str(msg)
        elif getattr(f, "path", None):
            text += "\n\nThe failure occurred for item " + "".join(f"[{p!r}]" for p in f.path)
        raise AssertionError(text) from None


_OLD_TOL = {"float16": (1e-3, 1e-3), "float32": (1e-4, 1e-5), "float64": (1e-5, 1e-8)}


def assert_allclose(actual, expected, rtol=None, atol=None, equal_nan=True, msg=""):
    """Deprecated torch.testing.assert_allclose: a FutureWarning, then assert_close with the old
    defaults (``expected`` converted to ``actual``'s dtype, dtypes not checked)."""
    warnings.warn("`torch.testing.assert_allclose()` is deprecated since 1.12 and will be removed in a future release. "
                  "Please use `torch.testing.assert_close()` instead. You can find detailed upgrade instructions in "
                  "https://github.com/pytorch/pytorch/issues/61844.", FutureWarning, stacklevel=2)
    from .ops.creation import tensor
    if not isinstance(actual, Tensor):
        actual = tensor(actual)
    if not isinstance(expected, Tensor):
        expected = tensor(np.asarray(expected)).to(actual.dtype)
    if rtol is None and atol is None:
        dt = _dtype.result_np_dtype((actual._data, expected._data)).name
        rtol, atol = _OLD_TOL.get(dt, (0.0, 0.0))
    assert_close(actual, expected, rtol=rtol, atol=atol, equal_nan=equal_nan, check_device=True,
                 check_dtype=False, check_stride=False, msg=msg or None)


def make_tensor(*shape, dtype, device=None, low=None, high=None, requires_grad=False, noncontiguous=False,
                exclude_zero=False, memory_format=None):
    """A tensor of ``shape`` with random values in [low, high) (defaults: -9 and 9, or the dtype's range)."""
    from .ops.creation import tensor
    from .ops import random as _random
    if len(shape) == 1 and isinstance(shape[0], collections.abc.Sequence):
        shape = tuple(shape[0])
    shape = tuple(int(s) for s in shape)
    np_dt = _dtype.to_np(dtype) if hasattr(_dtype, "to_np") else dtype.np
    if low is not None and high is not None and low > high:
        raise ValueError(f"`low` must be less than or equal to `high`, but got {low} > {high}")
    for name, v in (("low", low), ("high", high)):
        if v is not None and isinstance(v, float) and math.isnan(v):
            raise ValueError(f"`{name}` cannot be NaN, but got {name}={v}")
    if requires_grad and np.dtype(np_dt).kind not in "fc":
        raise ValueError(f"make_tensor(): requires_grad=True is not supported for dtype {dtype}")
    rng = _random._rng(None) if hasattr(_random, "_rng") else np.random.default_rng()
    kind = np.dtype(np_dt).kind
    if kind == "b":
        data = rng.integers(0, 2, size=shape).astype(bool)
    elif kind in "iu":
        info = np.iinfo(np_dt)
        lo = max(int(math.ceil(low)) if low is not None else -9, int(info.min))
        hi = min(int(math.ceil(high)) if high is not None else 10, int(info.max))
        if kind == "u" and low is None:
            lo = 0
        data = rng.integers(lo, max(hi, lo + 1), size=shape).astype(np_dt)
    else:
        finfo = np.finfo(np.float32 if np.dtype(np_dt).itemsize < 4 else np_dt)
        lo = max(low if low is not None else -9.0, float(finfo.min))
        hi = min(high if high is not None else 9.0, float(finfo.max))
        if kind == "c":
            data = (rng.uniform(lo, hi, size=shape) + 1j * rng.uniform(lo, hi, size=shape)).astype(np_dt)
        else:
            data = rng.uniform(lo, hi, size=shape).astype(np_dt)
    if exclude_zero:
        if kind == "b":
            data = np.ones(shape, bool)
        elif kind in "iu":
            data = np.where(data == 0, 1, data).astype(np_dt)
        else:
            tiny = np.finfo(np.float32 if np.dtype(np_dt).itemsize < 4 else np_dt).tiny
            data = np.where(data == 0, tiny, data).astype(np_dt)
    t = tensor(np.ascontiguousarray(data))
    if noncontiguous and t.numel() > 1:
        big = np.repeat(data[..., None], 2, axis=-1)
        from ._tensor import _wrap
        t = _wrap(big)[..., 0]
    if requires_grad:
        t.requires_grad_(True)
    return t
