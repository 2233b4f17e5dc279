"""dtype objects with torch's names, and torch's type-promotion rules.

Every tensor's data is a NumPy array; its NumPy dtype is the source of truth. The objects here give
those dtypes torch's names (``ndgrad.float32`` prints as ``torch.float32`` so that output reads the
same as PyTorch's) and implement torch's promotion, which differs from NumPy's in three places:

* categories: a 0-d tensor or Python scalar only changes the result dtype when it belongs to a
  higher category (bool < integer < floating) than the dimensioned operands;
* integer/bool combined with a float *scalar* gives the default float dtype (float32), not float64;
* true division of integers gives the default float dtype.
"""
import numpy as np

__all__ = [
    "dtype", "float16", "half", "float32", "float", "float64", "double", "bfloat16",
    "int8", "int16", "short", "int32", "int", "int64", "long", "uint8", "uint16", "uint32", "uint64", "bool",
    "complex64", "complex128", "cfloat", "cdouble",
    "get_default_dtype", "set_default_dtype", "promote_types", "result_type", "can_cast",
    "is_floating_point", "is_complex",
]


class dtype:
    """A tensor element type, named as in torch (``ndgrad.float32`` ...)."""

    __slots__ = ("name", "np", "is_floating_point", "is_complex", "is_signed", "itemsize", "_kind")

    def __init__(self, name, np_dtype, kind):
        self.name = name
        self.np = np.dtype(np_dtype)
        self._kind = kind  # 0 bool, 1 integer, 2 floating, 3 complex: torch's promotion categories
        self.is_floating_point = kind == 2
        self.is_complex = kind == 3
        self.is_signed = kind != 0 and self.np.kind != "u"
        self.itemsize = self.np.itemsize

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_dtype_by_name, (self.name,))

    def to_real(self):
        return {"complex64": float32, "complex128": float64}.get(self.name, self)

    def to_complex(self):
        return {"float32": complex64, "float64": complex128, "float16": complex64}.get(self.name, self)


float16 = half = dtype("float16", np.float16, 2)
float32 = float = dtype("float32", np.float32, 2)
float64 = double = dtype("float64", np.float64, 2)
int8 = dtype("int8", np.int8, 1)
int16 = short = dtype("int16", np.int16, 1)
int32 = int = dtype("int32", np.int32, 1)
int64 = long = dtype("int64", np.int64, 1)
uint8 = dtype("uint8", np.uint8, 1)
# torch has these as "shell" dtypes: tensors can hold them (e.g. 16-bit images from NumPy), but
# promotion with any other dtype is refused and most arithmetic is not implemented for them.
uint16 = dtype("uint16", np.uint16, 1)
uint32 = dtype("uint32", np.uint32, 1)
uint64 = dtype("uint64", np.uint64, 1)
bool = dtype("bool", np.bool_, 0)
complex64 = cfloat = dtype("complex64", np.complex64, 3)
complex128 = cdouble = dtype("complex128", np.complex128, 3)


class _BFloat16Unsupported:
    """NumPy has no bfloat16; the name exists so code that mentions it fails with a clear message."""

    name = "bfloat16"
    is_floating_point = True

    def __repr__(self):
        return "torch.bfloat16"

    def __getattr__(self, item):
        raise TypeError("ndgrad does not support bfloat16: NumPy has no bfloat16 type; use float32")


bfloat16 = _BFloat16Unsupported()

_ALL = (float16, float32, float64, int8, int16, int32, int64, uint8, uint16, uint32, uint64, bool, complex64,
        complex128)
_SHELL = frozenset(d.np for d in (uint16, uint32, uint64))

# torch's ScalarType names, used in its error messages ("... not implemented for 'Long'").
SCALAR_NAMES = {np.dtype(k): v for k, v in [
    ("float16", "Half"), ("float32", "Float"), ("float64", "Double"), ("int8", "Char"), ("int16", "Short"),
    ("int32", "Int"), ("int64", "Long"), ("uint8", "Byte"), ("uint16", "UInt16"), ("uint32", "UInt32"),
    ("uint64", "UInt64"), ("bool", "Bool"), ("complex64", "ComplexFloat"), ("complex128", "ComplexDouble")]}
_FROM_NP = {d.np: d for d in _ALL}
_BY_NAME = {d.name: d for d in _ALL}
_BY_NAME.update(half=float16, float=float32, double=float64, short=int16, int=int32, long=int64,
                cfloat=complex64, cdouble=complex128)


def _dtype_by_name(name):
    return _BY_NAME[name]


class _DefaultDtype:
    """Holds the default floating dtype (float32 unless ``set_default_dtype`` says otherwise)."""

    __slots__ = ("value", "np")

    def __init__(self):
        self.value = float32
        self.np = float32.np


default = _DefaultDtype()


def get_default_dtype():
    """Return the default floating point dtype (``ndgrad.float32`` unless changed)."""
    return default.value


def set_default_dtype(d):
    """Set the default floating dtype used by ``tensor([1.5])``, ``zeros`` ... (float16/32/64 only)."""
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    default.value = d
    default.np = d.np


def from_numpy_dtype(np_dtype):
    """Map a NumPy dtype to the ndgrad dtype; TypeError for kinds torch has no dtype for."""
    d = _FROM_NP.get(np.dtype(np_dtype))
    if d is None:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only supported "
            "types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, "
            "uint16, uint8, and bool.")
    return d


def to_dtype(d):
    """Accept an ndgrad dtype, a Python type (float, int, bool), a NumPy dtype or a name."""
    if isinstance(d, dtype):
        return d
    if d is None:
        return default.value
    if d is builtin_float:
        return float64
    if d is builtin_int:
        return int64
    if d is builtin_bool:
        return bool
    if d is builtin_complex:
        return complex128
    if isinstance(d, str) and d in _BY_NAME:
        return _BY_NAME[d]
    if isinstance(d, _BFloat16Unsupported):
        d.np  # raises the explanatory TypeError
    try:
        return from_numpy_dtype(d)
    except TypeError:
        raise TypeError(f"expected a dtype such as ndgrad.float32, got {d!r}") from None


import builtins as _builtins  # noqa: E402  (the names float/int/bool above shadow the builtins)

builtin_float, builtin_int, builtin_bool, builtin_complex = (
    _builtins.float, _builtins.int, _builtins.bool, _builtins.complex)


_PROMOTED = {}


def promote_np(a, b):
    """torch's promotion of two NumPy dtypes (NumPy's own rules differ across categories).

    Within a category (bool, integer, floating, complex) torch and NumPy agree (int8 + uint8 ->
    int16, float16 + float32 -> float32). Across categories torch keeps the higher category's dtype
    (int64 + float16 -> float16, int32 + float32 -> float32, where NumPy widens to float64), except
    that complex with a wider float widens the complex (complex64 + float64 -> complex128).
    """
    if a == b:
        return a
    r = _PROMOTED.get((a, b))
    if r is None:
        if a in _SHELL or b in _SHELL:
            raise RuntimeError("Promotion for uint16, uint32, uint64 types is not supported, attempted to "
                               f"promote {SCALAR_NAMES[a]} and {SCALAR_NAMES[b]}")
        da, db = _FROM_NP[a], _FROM_NP[b]
        if da._kind < db._kind:
            da, db = db, da
        if da._kind == db._kind or (da._kind == 3 and db._kind == 2):
            r = np.promote_types(da.np, db.np)
        else:
            r = da.np
        _PROMOTED[(a, b)] = r
    return r


def promote_types(a, b):
    """torch.promote_types: the smallest dtype both ``a`` and ``b`` can be cast to.

    Example:
        >>> ndgrad.promote_types(ndgrad.int32, ndgrad.float16)
        torch.float16
    """
    a, b = to_dtype(a), to_dtype(b)
    if a is b:
        return a
    return _FROM_NP[promote_np(a.np, b.np)]


def is_floating_point(t):
    return t.dtype.is_floating_point


def is_complex(t):
    return t.dtype.is_complex


def can_cast(from_, to):
    """torch.can_cast: False when casting would drop a category (float -> int, int -> bool ...)."""
    return to_dtype(from_)._kind <= to_dtype(to)._kind


def _scalar_kind(x):
    if isinstance(x, builtin_bool):
        return 0
    if isinstance(x, builtin_int):
        return 1
    if isinstance(x, builtin_float):
        return 2
    if isinstance(x, builtin_complex):
        return 3
    raise TypeError(f"expected a Tensor or a Python number, got {type(x).__name__}")


def _default_for_kind(kind):
    return (bool, int64, default.value, default.value.to_complex())[kind]


def result_np_dtype(operands):
    """torch.result_type over tensors' NumPy arrays and Python scalars, as a NumPy dtype.

    ``operands`` holds NumPy arrays (tensors' data) and Python numbers. Dimensioned arrays win over
    0-d arrays, which win over scalars, unless the weaker group has a higher category.
    """
    dims, zeros, scalars = None, None, None
    for x in operands:
        if isinstance(x, np.ndarray):
            if x.ndim:
                dims = x.dtype if dims is None else promote_np(dims, x.dtype)
            else:
                zeros = x.dtype if zeros is None else promote_np(zeros, x.dtype)
        else:
            k = _scalar_kind(x)
            scalars = k if scalars is None else max(scalars, k)
    result = dims
    for group in (zeros, scalars):
        if group is None:
            continue
        if isinstance(group, np.dtype):
            gkind, gdtype = _FROM_NP[group]._kind, group
        else:
            gkind, gdtype = group, None
        if result is None:
            result = gdtype if gdtype is not None else _default_for_kind(gkind).np
        else:
            rkind = _FROM_NP[result]._kind
            if gkind <= rkind:
                continue
            if gkind == 3 and rkind == 2:  # complex with floating keeps the float's precision
                result = np.promote_types(result, np.complex64)
            else:
                result = gdtype if gdtype is not None else _default_for_kind(gkind).np
    return result


def result_type(a, b):
    """torch.result_type(tensor_or_scalar, tensor_or_scalar) -> dtype."""
    ops = [x._data if hasattr(x, "_data") else x for x in (a, b)]
    return _FROM_NP[result_np_dtype(ops)]


_TORCH_TYPE_NAMES = {np.dtype(k): v for k, v in [
    (np.float16, "Half"), (np.float32, "Float"), (np.float64, "Double"), (np.int8, "Char"),
    (np.int16, "Short"), (np.int32, "Int"), (np.int64, "Long"), (np.uint8, "Byte"),
    (np.bool_, "Bool"), (np.complex64, "ComplexFloat"), (np.complex128, "ComplexDouble")]}


def torch_type_name(np_dtype):
    """torch's name of a dtype in error messages: ``Float``, ``Long``, ``Bool`` ..."""
    return _TORCH_TYPE_NAMES.get(np.dtype(np_dtype), str(np_dtype))
