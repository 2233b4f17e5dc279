"""Tensor creation: tensor, zeros, ones, arange, random tensors, and the random generator.

Random numbers come from NumPy's PCG64 generator, seeded by ``manual_seed``; the streams are
reproducible within ndgrad but are not the same numbers torch's Mersenne Twister produces.
"""
import math
import numbers

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap, _to_numpy_nested, check_device

__all__ = ["tensor", "as_tensor", "asarray", "from_numpy", "zeros", "ones", "full", "empty",
           "zeros_like", "ones_like", "full_like", "empty_like", "arange", "range", "linspace",
           "logspace", "eye", "rand", "randn", "randint", "randperm", "rand_like", "randn_like",
           "randint_like", "normal", "bernoulli", "multinomial", "manual_seed", "seed", "initial_seed",
           "Generator", "default_generator", "get_rng_state", "set_rng_state", "scalar_tensor",
           "empty_strided", "tril_indices", "triu_indices", "complex", "polar"]

_builtin_range = range


class Generator:
    """torch.Generator: an independent random stream (``manual_seed``, ``seed``, ``initial_seed``)."""

    def __init__(self, device="cpu"):
        check_device(device)
        self._seed = 67280421310721
        self.np = np.random.default_rng(self._seed)
        self.device = device

    def manual_seed(self, seed):
        seed = int(seed)
        if seed < 0:
            seed = seed & 0xFFFF_FFFF_FFFF_FFFF
        self._seed = seed
        self.np = np.random.default_rng(seed)
        return self

    def seed(self):
        s = int.from_bytes(np.random.default_rng().bytes(8), "little") & 0x7FFF_FFFF_FFFF_FFFF
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        import json
        state = json.dumps(self.np.bit_generator.state).encode()
        return _wrap(np.frombuffer(state, dtype=np.uint8).copy())

    def set_state(self, state):
        import json
        self.np.bit_generator.state = json.loads(bytes(state._data.astype(np.uint8)).decode())
        return self


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator (and return it), like torch.manual_seed."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(state):
    default_generator.set_state(state)


def _rng(generator):
    return (generator or default_generator).np


def _finish(data, requires_grad, device=None):
    check_device(device)
    t = _wrap(data)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _np_dtype(dtype, default=None):
    if dtype is None:
        return default if default is not None else _dtype.default.np
    return _dtype.to_dtype(dtype).np


def _size(size):
    """Accept ``zeros(2, 3)``, ``zeros((2, 3))``, ``zeros([2, 3])`` and ``zeros(torch.Size(...))``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(f"size must be a tuple of ints, but got an element of type {type(s).__name__}")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _infer_np(data):
    """NumPy array for ``tensor(data)`` with torch's dtype inference for Python data."""
    if isinstance(data, Tensor):
        return data._data.copy()
    if isinstance(data, np.ndarray):
        if data.dtype.kind not in "biufc":
            raise TypeError(f"can't convert np.ndarray of type {data.dtype}. The only supported types are: "
                            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool.")
        return data.copy()
    if isinstance(data, np.generic):
        return np.array(data)
    nested = _to_numpy_nested(data)
    if isinstance(data, str) or (isinstance(nested, list) and _has_str(nested)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    try:
        arr = np.array(nested)
    except ValueError as e:
        raise ValueError(f"expected sequence of equal-length lists to build a tensor: {e}") from None
    if arr.dtype == object:
        raise TypeError(f"could not convert data of type {type(data).__name__} to a tensor: "
                        "expected numbers or (nested) sequences of numbers of equal length")
    k = arr.dtype.kind
    if k == "f" and not _has_np_floats(data):
        arr = arr.astype(_dtype.default.np)
    elif k == "i" or k == "u":
        arr = arr.astype(np.int64)
    elif k == "c" and not isinstance(data, np.ndarray):
        arr = arr.astype(_dtype.default.value.to_complex().np)
    elif arr.size == 0 and k == "f":
        arr = arr.astype(_dtype.default.np)
    return arr


def _has_str(x):
    return any(isinstance(v, str) or (isinstance(v, list) and _has_str(v)) for v in x)


def _has_np_floats(data):
    """True when the data holds NumPy float64 arrays/tensors (then torch keeps float64)."""
    if isinstance(data, (list, tuple)):
        return any(_has_np_floats(x) for x in data)
    if isinstance(data, Tensor):
        return data._data.dtype == np.float64
    return isinstance(data, (np.ndarray, np.floating)) and data.dtype == np.float64


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """Create a tensor from data (nested lists, numbers, NumPy arrays); always copies.

    Example:
        >>> ndgrad.tensor([[1., 2.], [3., 4.]]).dtype
        torch.float32
    """
    arr = _infer_np(data)
    if dtype is not None:
        arr = arr.astype(_dtype.to_dtype(dtype).np, copy=False)
    return _finish(np.ascontiguousarray(arr) if arr.ndim else arr, requires_grad, device)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array / tensor when no conversion is needed."""
    check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype is _dtype.to_dtype(dtype) else data.to(dtype)
    if isinstance(data, np.ndarray) and data.dtype.kind in "biufc":
        arr = data if dtype is None else data.astype(_dtype.to_dtype(dtype).np, copy=False)
        return _wrap(arr)
    return tensor(data, dtype=dtype)


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    t = tensor(obj, dtype=dtype) if copy else as_tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        t.requires_grad_(True)
    return t


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (writes to one show in the other)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return _wrap(ndarray)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return _finish(np.array(s, dtype=_np_dtype(dtype)), requires_grad, device)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False):
    return _finish(np.zeros(_size(size), dtype=_np_dtype(dtype)), requires_grad, device)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False):
    return _finish(np.ones(_size(size), dtype=_np_dtype(dtype)), requires_grad, device)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False,
          memory_format=None):
    return _finish(np.empty(_size(size), dtype=_np_dtype(dtype)), requires_grad, device)


def empty_strided(size, stride, *, dtype=None, device=None, requires_grad=False):
    return empty(*size, dtype=dtype, device=device, requires_grad=requires_grad)


def _fill_dtype(value):
    if isinstance(value, bool):
        return np.bool_
    if isinstance(value, numbers.Integral):
        return np.int64
    if isinstance(value, complex):
        return _dtype.default.value.to_complex().np
    return _dtype.default.np


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    np_dt = _np_dtype(dtype, _fill_dtype(fill_value))
    return _finish(np.full(_size((size,) if isinstance(size, int) else (size,)), fill_value, dtype=np_dt),
                   requires_grad, device)


def _like_dtype(input, dtype):
    return input._data.dtype if dtype is None else _dtype.to_dtype(dtype).np


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None):
    return _finish(np.zeros(input._data.shape, dtype=_like_dtype(input, dtype)), requires_grad, device)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None):
    return _finish(np.ones(input._data.shape, dtype=_like_dtype(input, dtype)), requires_grad, device)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None):
    return _finish(np.empty(input._data.shape, dtype=_like_dtype(input, dtype)), requires_grad, device)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None):
    return _finish(np.full(input._data.shape, fill_value, dtype=_like_dtype(input, dtype)), requires_grad, device)


def _num(x):
    return x.item() if isinstance(x, (Tensor, np.generic)) else x


def arange(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """Values in [start, end) spaced by ``step``; int64 for integer arguments, else the default float."""
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    is_int = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    np_dt = _np_dtype(dtype, np.int64 if is_int else None)
    n = max(0, math.ceil((end - start) / step))
    if is_int:
        data = np.arange(start, end, step, dtype=np.int64).astype(np_dt, copy=False)
    else:
        data = (start + np.arange(n, dtype=np.float64) * step).astype(np_dt)
    return _finish(data, requires_grad, device)


def range(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated torch.range: like arange but includes ``end``; default float dtype."""
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    data = (start + np.arange(n, dtype=np.float64) * step).astype(_np_dtype(dtype))
    return _finish(data, requires_grad, device)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    start, end = _num(start), _num(end)
    if not isinstance(steps, numbers.Integral) or steps < 0:
        raise RuntimeError("linspace(): number of steps must be non-negative")
    data = np.linspace(start, end, int(steps), dtype=np.float64).astype(_np_dtype(dtype))
    return _finish(data, requires_grad, device)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    data = np.logspace(_num(start), _num(end), int(steps), base=base).astype(_np_dtype(dtype))
    return _finish(data, requires_grad, device)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n must be greater or equal to 0, got {n if n < 0 else m}")
    return _finish(np.eye(n, m, dtype=_np_dtype(dtype)), requires_grad, device)


def _float_dtype(dtype, what):
    np_dt = _np_dtype(dtype)
    if np.dtype(np_dt).kind not in "fc":
        raise RuntimeError(f"\"{what}\" not implemented for '{_dtype._FROM_NP[np.dtype(np_dt)].name.capitalize()}'")
    return np_dt


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """Uniform samples in [0, 1)."""
    np_dt = _float_dtype(dtype, "check_uniform_bounds")
    return _finish(_rng(generator).random(_size(size), dtype=np.float64).astype(np_dt), requires_grad, device)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """Standard normal samples."""
    np_dt = _float_dtype(dtype, "normal_kernel_cpu")
    return _finish(_rng(generator).standard_normal(_size(size)).astype(np_dt), requires_grad, device)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None, requires_grad=False):
    """Integers in [low, high); int64 unless ``dtype`` says otherwise."""
    if size is None:  # randint(high, size)
        if high is None:
            raise TypeError("randint() missing required argument 'size'")
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    data = _rng(generator).integers(low, high, size=_size((size,) if isinstance(size, int) else (size,)))
    return _finish(data.astype(_np_dtype(dtype, np.int64)), requires_grad, device)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    return _finish(_rng(generator).permutation(n).astype(_np_dtype(dtype, np.int64)), requires_grad, device)


def rand_like(input, *, dtype=None, generator=None, device=None, requires_grad=False, memory_format=None):
    return rand(*input.shape, generator=generator, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, generator=None, device=None, requires_grad=False, memory_format=None):
    return randn(*input.shape, generator=generator, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, generator=None, device=None, requires_grad=False):
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), generator=generator, dtype=dtype or input.dtype)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, dtype=None, out=None):
    """Normal samples; ``mean``/``std`` may be tensors (broadcast) or numbers with ``size``."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if size is None:
        size = np.broadcast_shapes(np.shape(m), np.shape(s))
    data = _rng(generator).normal(m, s, size=_size((size,) if isinstance(size, int) else (size,)))
    ref = mean if isinstance(mean, Tensor) else std if isinstance(std, Tensor) else None
    np_dt = ref._data.dtype if ref is not None and dtype is None else _np_dtype(dtype)
    return _wrap(np.asarray(data, dtype=np_dt))


def bernoulli(input, p=None, *, generator=None):
    prob = input._data if p is None else p
    draw = _rng(generator).random(input._data.shape) < prob
    return _wrap(draw.astype(input._data.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None):
    probs = input._data.astype(np.float64)
    if (probs < 0).any() or not np.isfinite(probs).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = probs.reshape(-1, probs.shape[-1])
    rng = _rng(generator)
    out = []
    for row in rows:
        if row.sum() == 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        if not replacement and num_samples > np.count_nonzero(row):
            raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
        out.append(rng.choice(row.size, size=num_samples, replace=replacement, p=row / row.sum()))
    data = np.array(out, dtype=np.int64).reshape(probs.shape[:-1] + (num_samples,))
    return _wrap(data)


def tril_indices(row, col, offset=0, *, dtype=None, device=None):
    r, c = np.tril_indices(row, offset, col)
    return _wrap(np.stack([r, c]).astype(_np_dtype(dtype, np.int64)))


def triu_indices(row, col, offset=0, *, dtype=None, device=None):
    r, c = np.triu_indices(row, offset, col)
    return _wrap(np.stack([r, c]).astype(_np_dtype(dtype, np.int64)))


def complex(real, imag):
    return _wrap(real._data + 1j * imag._data)


def polar(abs, angle):
    return _wrap(abs._data * np.exp(1j * angle._data))
