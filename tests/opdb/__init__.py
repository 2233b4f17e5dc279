"""The op database: one entry per op, driving the generic tests in ``tests/test_op_db.py``.

An entry names the op, a function ``fn(lib, *args)`` that calls it through either library
(``lib`` is ``ndgrad`` or ``torch``; the same code runs on both), and sample inputs. Each sample is
a tuple of argument specs:

* a plain shape tuple -> a random float64 array of that shape (``()`` is a 0-d tensor);
* ``Shape((2, 3))`` -> the tuple itself, passed as an argument (for view/reshape sizes);
* ``NonContig(shape)`` -> a non-contiguous (transposed) array of that shape;
* ``Arr(array, grad=...)`` -> that exact array (integer/bool arrays never require grad);
* anything else (numbers, tuples of ints, None, strings) -> passed through unchanged.

Flags: ``grad`` (first-order gradients are checked), ``gradgrad`` (second order, see the
higher-order tests), ``low``/``high`` (domain of the random inputs), ``skip`` (a reason; the test
is reported as skipped with it). Families live in ``db_<family>.py`` and are gathered in ``ALL``.
"""
import dataclasses
from typing import Any, Callable

import numpy as np


@dataclasses.dataclass
class NonContig:
    shape: tuple


@dataclasses.dataclass
class Arr:
    array: Any
    grad: bool = True


@dataclasses.dataclass
class OpInfo:
    name: str
    fn: Callable
    samples: list
    grad: bool = True
    gradgrad: bool = True
    low: float = -2.0
    high: float = 2.0
    atol: float = 1e-7
    rtol: float = 1e-6
    skip: str = ""
    float32: bool = True   # also run with float32 inputs and check dtypes stay float32
    nondeterministic: bool = False  # random ops: compare shapes/dtypes only

    def __repr__(self):
        return self.name


class Shape(tuple):
    """Marks an int tuple that is an *argument* (e.g. a view shape), not a tensor spec."""


def _families():
    import importlib
    import pkgutil
    import os
    here = os.path.dirname(__file__)
    out = []
    for m in sorted(pkgutil.iter_modules([here]), key=lambda m: m.name):
        if m.name.startswith("db_"):
            mod = importlib.import_module(f"{__name__}.{m.name}")
            out.extend(mod.OPS)
    return out


ALL = _families()


def make_args(op, sample, dtype=np.float64, seed=0):
    """Materialise a sample's specs into NumPy arrays / passthrough values (same for both libs)."""
    rng = np.random.default_rng(seed)
    args = []
    for spec in sample:
        if type(spec) is tuple:
            args.append(("t", rng.uniform(op.low, op.high, size=spec).astype(dtype), True))
        elif isinstance(spec, NonContig):
            shape = spec.shape
            a = rng.uniform(op.low, op.high, size=shape[::-1]).astype(dtype).T
            args.append(("t", a, True))
        elif isinstance(spec, Arr):
            a = np.asarray(spec.array)
            if a.dtype.kind == "f":
                a = a.astype(dtype)
            args.append(("t", a, spec.grad and a.dtype.kind == "f"))
        elif isinstance(spec, Shape):
            args.append(("v", tuple(spec), False))
        else:
            args.append(("v", spec, False))
    return args


def to_lib(lib, args, requires_grad):
    """Build tensors of ``lib`` (ndgrad or torch) from materialised args."""
    out = []
    for kind, v, differentiable in args:
        if kind == "t":
            t = lib.tensor(np.array(v, copy=True))
            if v.ndim >= 2 and not v.flags.c_contiguous:
                t = lib.tensor(np.ascontiguousarray(v.T)).T  # keep it non-contiguous in both libs
            if requires_grad and differentiable:
                t.requires_grad_(True)
            out.append(t)
        else:
            out.append(v)
    return out
