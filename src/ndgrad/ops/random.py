"""Random numbers: the Generator (``manual_seed``, ``seed``, rng state) and random tensors (rand,
randn, randint, randperm, the _like forms, normal, bernoulli, multinomial).

Random numbers come from NumPy's PCG64 generator, seeded by ``manual_seed``; the streams are
reproducible within ndgrad but are not the same numbers torch's Mersenne Twister produces.
"""
import builtins as _b
import math

import numpy as np

from .._tensor import Tensor, _wrap, check_device, device as _device
from .creation import (_INT64_MIN, _finish, _like, _not_implemented, _np_dtype, _shape_arg, _size,
                       _size_kw)

__all__ = ["rand", "randn", "randint", "randperm", "rand_like", "randn_like", "randint_like", "normal",
           "bernoulli", "multinomial", "manual_seed", "seed", "initial_seed", "Generator", "default_generator",
           "get_rng_state", "set_rng_state"]

_UINT64_MAX = (1 << 64) - 1


# -- random generator ------------------------------------------------------------------------------
class Generator:
    """torch.Generator: an independent random stream (``manual_seed``, ``seed``, ``initial_seed``).

    Example:
        >>> g = ndgrad.Generator().manual_seed(0)
        >>> ndgrad.rand(2, generator=g).shape
        torch.Size([2])
    """

    def __init__(self, device="cpu"):
        check_device(device)
        self.device = _device("cpu")
        self._seed = 67280421310721  # torch's default seed
        self.np = np.random.default_rng(self._seed)

    def manual_seed(self, seed):
        """Reset the stream from ``seed`` (an int in [-2**63, 2**64)); returns the generator."""
        seed = _b.int(seed)
        if not _INT64_MIN <= seed <= _UINT64_MAX:
            raise ValueError("Overflow when unpacking long long")
        seed &= _UINT64_MAX  # negative seeds wrap, as in torch
        self._seed = seed
        self.np = np.random.default_rng(seed)
        return self

    def seed(self):
        """Seed from fresh OS entropy and return that seed."""
        s = _b.int.from_bytes(np.random.default_rng().bytes(8), "little") & 0x7FFF_FFFF_FFFF_FFFF
        self.manual_seed(s)
        return s

    def initial_seed(self):
        return self._seed

    def get_state(self):
        """The stream's state as a uint8 tensor (restore it with ``set_state``)."""
        import json
        state = json.dumps({"seed": self._seed, "state": self.np.bit_generator.state}).encode()
        return _wrap(np.frombuffer(state, dtype=np.uint8).copy())

    def set_state(self, new_state):
        import json
        if not isinstance(new_state, Tensor) or new_state._data.dtype != np.uint8:
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        state = json.loads(bytes(new_state._data).decode())
        self._seed = state["seed"]
        self.np = np.random.default_rng()
        self.np.bit_generator.state = state["state"]
        return self


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator and return it (torch.manual_seed).

    Example:
        >>> _ = ndgrad.manual_seed(0); a = ndgrad.rand(3)
        >>> _ = ndgrad.manual_seed(0); bool((ndgrad.rand(3) == a).all())
        True
    """
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


def _rng(generator):
    return (generator or default_generator).np


# -- random tensors --------------------------------------------------------------------------------
def _float_dtype(dtype, what):
    np_dt = np.dtype(_np_dtype(dtype))
    if np_dt.kind not in "fc":
        _not_implemented(what, np_dt)
    return np_dt


def _uniform(rng, shape, np_dt):
    """Uniform [0, 1) samples drawn directly in the target precision (never rounding up to 1)."""
    if np_dt == np.float64 or np_dt == np.float32:
        return rng.random(shape, dtype=np_dt)
    if np_dt == np.float16:  # 11 random bits: k / 2048 is exact in float16
        return (rng.integers(0, 2048, size=shape, dtype=np.int64) * (1.0 / 2048)).astype(np.float16)
    real = np_dt.type(0).real.dtype  # complex: uniform real and imaginary parts
    return (rng.random(shape, dtype=real) + 1j * rng.random(shape, dtype=real)).astype(np_dt)


def _normal(rng, shape, np_dt):
    if np_dt == np.float64 or np_dt == np.float32:
        return rng.standard_normal(shape, dtype=np_dt)
    if np_dt.kind == "c":  # torch: real and imaginary parts each with variance 1/2
        real = np_dt.type(0).real.dtype
        return ((rng.standard_normal(shape, dtype=real) + 1j * rng.standard_normal(shape, dtype=real))
                * math.sqrt(0.5)).astype(np_dt)
    return rng.standard_normal(shape, dtype=np.float32).astype(np_dt)


def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False, **kw):
    """Uniform samples in [0, 1).

    Example:
        >>> ndgrad.rand(2, 3).shape
        torch.Size([2, 3])
    """
    np_dt = _float_dtype(dtype, "check_uniform_bounds")
    return _finish(_uniform(_rng(generator), _size(size, "rand", _size_kw(kw, "rand")), np_dt),
                   requires_grad, device)


def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False, **kw):
    """Standard normal samples (mean 0, variance 1)."""
    np_dt = _float_dtype(dtype, "normal_kernel_cpu")
    return _finish(_normal(_rng(generator), _size(size, "randn", _size_kw(kw, "randn")), np_dt),
                   requires_grad, device)


def _int_arg(v, fname, name, pos):
    if isinstance(v, Tensor) and v._data.ndim == 0 and v._data.dtype.kind in "iu":
        return v._data.item()
    if not isinstance(v, (_b.int, np.integer)) or isinstance(v, _b.bool):
        raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be int, not {type(v).__name__}")
    return _b.int(v)


def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False, pin_memory=False):
    """Integers uniform in [low, high): ``randint(high, size)`` or ``randint(low, high, size)``.

    Example:
        >>> ndgrad.randint(10, (3,)).dtype
        torch.int64
    """
    if size is None:
        if high is None:
            raise TypeError("randint() missing required argument 'size' (pos 2)")
        low, high, size = 0, low, high
    if high is None:
        low, high = 0, low
    low, high = _int_arg(low, "randint", "low", 1), _int_arg(high, "randint", "high", 2)
    shape = _shape_arg(size, "randint", 2)
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    np_dt = np.dtype(_np_dtype(dtype, np.int64))
    data = _rng(generator).integers(low, high, size=shape, dtype=np.int64)
    return _finish(data.astype(np_dt, copy=False), requires_grad, device)


def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False):
    """A random permutation of ``0 .. n-1`` (int64 by default)."""
    n = _int_arg(n, "randperm", "n", 1)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    data = _rng(generator).permutation(n).astype(_np_dtype(dtype, np.int64), copy=False)
    return _finish(data, requires_grad, device)


def rand_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None):
    shape, dt = _like(input, dtype, "rand_like")
    return rand(shape, generator=generator, dtype=dt, requires_grad=requires_grad, device=device)


def randn_like(input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False,
               memory_format=None):
    shape, dt = _like(input, dtype, "randn_like")
    return randn(shape, generator=generator, dtype=dt, requires_grad=requires_grad, device=device)


def randint_like(input, low=0, high=None, *, generator=None, dtype=None, layout=None, device=None,
                 requires_grad=False, memory_format=None):
    shape, dt = _like(input, dtype, "randint_like")
    if high is None:
        low, high = 0, low
    return randint(low, high, shape, generator=generator, dtype=dt, requires_grad=requires_grad,
                   device=device)


def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False):
    """Normal samples; ``mean``/``std`` may be tensors (broadcast together) or numbers with ``size``."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if np.any(np.asarray(s) < 0):
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_b.float(np.min(s)):g}")
    ref = mean if isinstance(mean, Tensor) else std if isinstance(std, Tensor) else None
    if size is None:
        if ref is None:
            raise TypeError("normal() missing required argument 'size'")
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    else:
        shape = _shape_arg(size, "normal")
    np_dt = np.dtype(ref._data.dtype if ref is not None and dtype is None else _np_dtype(dtype))
    draw = _normal(_rng(generator), shape, np_dt if np_dt.kind in "fc" else np.dtype(np.float64))
    return _finish(np.asarray(m + s * draw, dtype=np_dt), requires_grad, device)


def bernoulli(input, p=None, *, generator=None, out=None):
    """0/1 samples with probability ``input`` (or ``p``), in ``input``'s dtype."""
    prob = input._data if p is None else p
    if np.any((np.asarray(prob) < 0) | (np.asarray(prob) > 1)):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    draw = _uniform(_rng(generator), input._data.shape, np.dtype(np.float64)) < prob
    return _wrap(draw.astype(input._data.dtype))


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Indices sampled from the rows of ``input`` (non-negative weights)."""
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


# -- in-place random fills (Tensor.uniform_ ...): values drawn in the tensor's own precision ----------
def _fill_random(self, values):
    """Write freshly drawn values into ``self`` (a data write like torch's: refused on a leaf that
    requires grad while grad mode is on)."""
    from ._core import mode
    if mode.enabled and self._rg and self.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    np.copyto(self._data, values, casting="unsafe")
    self._bump_version()
    return self


def _float_of(self, what):
    d = self._data.dtype
    if d.kind not in "fc":
        _not_implemented(what, d)
    return d


def uniform_(self, from_=0.0, to=1.0, *, generator=None):
    d = _float_of(self, "check_uniform_bounds")
    u = _uniform(_rng(generator), self._data.shape, d)
    return _fill_random(self, u * (to - from_) + from_)


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    d = _float_of(self, "normal_kernel_cpu")
    return _fill_random(self, _normal(_rng(generator), self._data.shape, d) * std + mean)


def bernoulli_(self, p=0.5, *, generator=None):
    prob = p._data if isinstance(p, Tensor) else p
    return _fill_random(self, _uniform(_rng(generator), self._data.shape, np.dtype(np.float64)) < prob)


def exponential_(self, lambd=1.0, *, generator=None):
    return _fill_random(self, _rng(generator).exponential(1.0 / lambd, self._data.shape))


def random_(self, from_=0, to=None, *, generator=None):
    if to is None:
        from_, to = 0, from_ if from_ else (2 ** 24 if self._data.dtype.kind == "f" else np.iinfo(np.int64).max)
    return _fill_random(self, _rng(generator).integers(from_, to, size=self._data.shape))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    d = _float_of(self, "log_normal_cpu")
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={std}")
    return _fill_random(self, np.exp(_normal(_rng(generator), self._data.shape, d) * std + mean))


_C_NAMES = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool"}


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    d = self._data.dtype
    if d.kind not in "fc":
        raise RuntimeError("Cauchy distribution is a continuous probability distribution. dtype must be a floating "
                           f"point but you specified {_C_NAMES.get(d.name, d.name)}")
    u = _uniform(_rng(generator), self._data.shape, d)
    return _fill_random(self, median + sigma * np.tan(np.pi * (u - 0.5)))


def geometric_(self, p, *, generator=None):
    """Number of Bernoulli(p) trials up to the first success (1, 2, ...), in ``self``'s dtype."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    return _fill_random(self, _rng(generator).geometric(p, self._data.shape))


def _bernoulli_method(self, p=None, *, generator=None):
    if p is None and self._data.dtype.kind not in "fc":
        _not_implemented("bernoulli_tensor_cpu_p_", self._data.dtype)
    return bernoulli(self, p, generator=generator)


for _fn in (uniform_, normal_, bernoulli_, exponential_, random_, log_normal_, cauchy_, geometric_):
    setattr(Tensor, _fn.__name__, _fn)
Tensor.bernoulli = _bernoulli_method
Tensor.multinomial = multinomial
