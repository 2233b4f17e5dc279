"""Storages: the bridge between torch's ``(storage, offset, size, stride)`` tensors and NumPy arrays.

A torch checkpoint stores each *storage* (a flat buffer) once, and describes every tensor as a view
of one: an element offset, a shape and element strides. ndgrad keeps a tensor's data in a NumPy
array, and views share memory through NumPy's ``base`` chain, so:

* saving: the outermost NumPy array of a tensor's ``base`` chain (its *root*) is the storage. Two
  tensors with the same root (``t``, ``t.view(...)``, ``t.t()``, ``t.expand(...)``) are written as
  one storage, each with its own offset and strides (``StorageRegistry``);
* loading: each storage becomes one flat NumPy array and every tensor a strided view of it
  (``rebuild_tensor``), after checking that the view stays inside the storage, so tensors that
  shared storage in torch share memory in ndgrad too.
"""
import warnings

import numpy as np

from .. import _dtype
from .._tensor import Tensor, device as _device

# torch's legacy storage class names (what ``torch.save`` writes) and the dtype each one holds.
STORAGE_DTYPES = {
    "FloatStorage": "float32", "DoubleStorage": "float64", "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16", "LongStorage": "int64", "IntStorage": "int32",
    "ShortStorage": "int16", "CharStorage": "int8", "ByteStorage": "uint8", "BoolStorage": "bool",
    "ComplexFloatStorage": "complex64", "ComplexDoubleStorage": "complex128",
}
# Storage names torch knows but ndgrad cannot hold (quantized integer storages).
UNSUPPORTED_STORAGES = ("QInt8Storage", "QUInt8Storage", "QInt32Storage", "QUInt4x2Storage",
                        "QUInt2x4Storage")

_NP = {"float32": np.float32, "float64": np.float64, "float16": np.float16, "int64": np.int64,
       "int32": np.int32, "int16": np.int16, "int8": np.int8, "uint8": np.uint8, "bool": np.bool_,
       "complex64": np.complex64, "complex128": np.complex128,
       "bfloat16": np.uint16}  # bfloat16 is read as its raw bits, then widened to float32
NP_DTYPES = {k: np.dtype(v) for k, v in _NP.items()}
STORAGE_NAMES = {NP_DTYPES[d]: name for name, d in STORAGE_DTYPES.items() if d != "bfloat16"}

# Every dtype name torch pickles as ``GLOBAL torch <name>``; those ndgrad lacks load as markers and
# only fail when a tensor of that dtype is built.
TORCH_DTYPE_NAMES = tuple(STORAGE_DTYPES.values()) + (
    "uint16", "uint32", "uint64", "complex32", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz",
    "float8_e5m2fnuz", "float8_e8m0fnu", "float4_e2m1fn_x2", "qint8", "quint8", "qint32",
    "quint4x2", "quint2x4", "bits1x8", "bits2x4", "bits4x2", "bits8", "bits16",
    *(f"int{n}" for n in range(1, 8)), *(f"uint{n}" for n in range(1, 8)))

MAX_DIMS = 64          # NumPy's limit on the number of dimensions
_MAX_EXTENT = 1 << 62  # no dimension, stride or offset in a real checkpoint comes near this


class UnsupportedDtype:
    """A torch dtype ndgrad has no NumPy equivalent for (``torch.uint16``, float8, ...)."""

    __slots__ = ("name",)

    def __init__(self, name):
        object.__setattr__(self, "name", name)

    def __setattr__(self, key, value):
        raise AttributeError("read-only")

    def __repr__(self):
        return f"torch.{self.name}"

    def __eq__(self, other):
        return isinstance(other, UnsupportedDtype) and other.name == self.name

    def __hash__(self):
        return hash(("UnsupportedDtype", self.name))


def torch_dtype(name):
    """The ndgrad object standing for ``torch.<name>`` in a loaded checkpoint."""
    if name == "bfloat16":
        return _dtype.bfloat16
    d = _dtype._BY_NAME.get(name)
    return d if d is not None else UnsupportedDtype(name)


class StorageType:
    """What ``GLOBAL torch FloatStorage`` unpickles to: a read-only marker holding the dtype name."""

    __slots__ = ("name", "dtype_name")

    def __init__(self, name, dtype_name):
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "dtype_name", dtype_name)

    def __setattr__(self, key, value):
        raise AttributeError("read-only")

    def __repr__(self):
        return f"torch.{self.name}"


UNTYPED = StorageType("UntypedStorage", "uint8")


class LoadedStorage:
    """One storage read from a checkpoint: a flat NumPy array (the root of its tensors' views).

    This is what a ``map_location`` callable receives as its ``storage`` argument; returning it
    (``lambda storage, loc: storage``) or calling ``.cpu()`` keeps it on the CPU.
    """

    __slots__ = ("array", "key", "dtype_name", "location", "_typed")

    def __init__(self, array, key, dtype_name, location="cpu"):
        self.array = array
        self.key = key
        self.dtype_name = dtype_name
        self.location = location
        self._typed = None

    @property
    def dtype(self):
        return torch_dtype(self.dtype_name)

    @property
    def device(self):
        return _device("cpu")

    def size(self):
        return self.array.size

    def nbytes(self):
        return self.array.nbytes

    def cpu(self):
        return self

    def cuda(self, *args, **kwargs):
        raise RuntimeError("ndgrad computes on the CPU only: a map_location callable cannot move "
                           "storages to CUDA; return the storage unchanged (or use map_location='cpu')")

    def typed(self, dtype_name):
        """This (untyped, uint8) storage reinterpreted as ``dtype_name`` (cached: views share it)."""
        if self._typed is None:
            self._typed = {}
        arr = self._typed.get(dtype_name)
        if arr is None:
            np_dtype = NP_DTYPES[dtype_name]
            if self.array.nbytes % np_dtype.itemsize:
                raise RuntimeError(f"storage '{self.key}' holds {self.array.nbytes} bytes, not a whole "
                                   f"number of {dtype_name} elements: the checkpoint is corrupt")
            arr = self.array.view(np_dtype)
            if dtype_name == "bfloat16":
                arr = bfloat16_to_float32(arr, self.key)
            self._typed[dtype_name] = arr
        return arr

    def __repr__(self):
        return f"<storage '{self.key}': {self.array.size} x {self.dtype_name}>"


def bfloat16_to_float32(raw, key):
    """Widen raw bfloat16 bits (uint16) to float32, exactly; NumPy has no bfloat16 type."""
    warnings.warn("the checkpoint holds bfloat16 tensors; ndgrad has no bfloat16 (NumPy lacks it) and "
                  "loads them as float32 (exact: every bfloat16 value is a float32 value)", UserWarning,
                  stacklevel=3)
    out = np.empty(raw.shape, dtype=np.float32)
    out.view(np.uint32)[...] = raw.astype(np.uint32) << 16
    return out


def _ints(value, what, where):
    if not isinstance(value, (tuple, list)):
        raise RuntimeError(f"{where}: {what} must be a tuple of ints, got {type(value).__name__}")
    if len(value) > MAX_DIMS:
        raise RuntimeError(f"{where}: {what} has {len(value)} dimensions (at most {MAX_DIMS} supported)")
    for v in value:
        if type(v) is not int and type(v) is not bool:
            raise RuntimeError(f"{where}: {what} {tuple(value)!r} contains a non-integer {v!r}")
        if not 0 <= v < _MAX_EXTENT:
            raise RuntimeError(f"{where}: {what} {tuple(value)!r} has the out-of-range entry {v}")
    return tuple(int(v) for v in value)


def storage_view(storage_array, key, dtype_name, storage_offset, size, stride):
    """A NumPy view of ``storage_array`` after checking it lies inside the storage."""
    where = f"tensor in storage '{key}'"
    size = _ints(size, "size", where)
    stride = _ints(stride, "stride", where)
    if len(stride) != len(size):
        raise RuntimeError(f"{where}: size {size} and stride {stride} have different lengths")
    if type(storage_offset) is not int or not 0 <= storage_offset < _MAX_EXTENT:
        raise RuntimeError(f"{where}: invalid storage offset {storage_offset!r}")
    numel = 1
    for s in size:
        numel *= s
    itemsize = storage_array.itemsize
    if numel == 0:
        return np.empty(size, dtype=storage_array.dtype)
    last = storage_offset + sum((n - 1) * st for n, st in zip(size, stride))
    if last >= storage_array.size:
        raise RuntimeError(
            f"{where}: a tensor of size {list(size)}, stride {list(stride)} and storage offset "
            f"{storage_offset} reaches element {last}, but the storage holds {storage_array.size} "
            f"{dtype_name} elements: the checkpoint is corrupt")
    # A stride only matters where the size exceeds 1 (there it is bounded by the storage); where it
    # does not, an absurd one is dropped rather than overflow NumPy's byte strides.
    strides = tuple(st * itemsize if n > 1 or st < _MAX_EXTENT // 16 else 0 for n, st in zip(size, stride))
    return np.ndarray(size, dtype=storage_array.dtype, buffer=storage_array,
                      offset=storage_offset * itemsize, strides=strides)


def _tensor(arr, requires_grad):
    t = Tensor.__new__(Tensor)
    t._data = arr
    t._rg = False
    t.grad_fn = None
    t._vc = [0]
    if requires_grad:
        if arr.dtype.kind not in "fc":
            raise RuntimeError(f"checkpoint marks a {arr.dtype} tensor as requiring grad; only floating "
                               "point and complex tensors can require gradients (corrupt file?)")
        t._rg = True
    return t


def _check_storage(storage, fn):
    if not isinstance(storage, LoadedStorage):
        raise RuntimeError(f"{fn}: expected a storage as first argument, got {type(storage).__name__} "
                           "(corrupt or unsupported checkpoint)")


def _rebuild(storage, storage_offset, size, stride, requires_grad, dtype_name=None):
    if dtype_name is None:
        dtype_name = storage.dtype_name
        arr = storage.array
    else:
        arr = storage.typed(dtype_name)
    view = storage_view(arr, storage.key, dtype_name, storage_offset, size, stride)
    return _tensor(view, bool(requires_grad))


def rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None,
                      metadata=None):
    """``torch._utils._rebuild_tensor_v2``: a tensor viewing ``storage`` (hooks/metadata ignored)."""
    _check_storage(storage, "_rebuild_tensor_v2")
    return _rebuild(storage, storage_offset, size, stride, requires_grad)


def rebuild_tensor(storage, storage_offset, size, stride):
    """``torch._utils._rebuild_tensor`` (checkpoints from torch < 1.0)."""
    _check_storage(storage, "_rebuild_tensor")
    return _rebuild(storage, storage_offset, size, stride, False)


def rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype,
                      metadata=None):
    """``torch._utils._rebuild_tensor_v3``: untyped storage plus a dtype (torch's newer dtypes)."""
    _check_storage(storage, "_rebuild_tensor_v3")
    if isinstance(dtype, UnsupportedDtype):
        raise RuntimeError(f"the checkpoint holds a tensor of dtype {dtype!r}, which ndgrad does not "
                           "support (NumPy-backed dtypes: float16/32/64, bfloat16 as float32, "
                           "int8/16/32/64, uint8, bool, complex64/128)")
    name = "bfloat16" if dtype is _dtype.bfloat16 else getattr(dtype, "name", None)
    if name not in NP_DTYPES:
        raise RuntimeError(f"_rebuild_tensor_v3: invalid dtype {dtype!r} (corrupt checkpoint?)")
    if storage.dtype_name != "uint8":
        raise RuntimeError("_rebuild_tensor_v3 expects an untyped storage (corrupt checkpoint?)")
    return _rebuild(storage, storage_offset, size, stride, requires_grad, name)


def make_parameter(data, requires_grad=True):
    """An ``ndgrad.nn.Parameter`` around ``data`` (a plain tensor if ndgrad.nn is unavailable)."""
    if not isinstance(data, Tensor):
        raise RuntimeError(f"_rebuild_parameter: expected a tensor, got {type(data).__name__}")
    try:
        from ..nn.parameter import Parameter
    except Exception:  # ndgrad.nn not importable: the tensor itself still loads
        Parameter = None
    if isinstance(Parameter, type) and issubclass(Parameter, Tensor):
        try:
            return Parameter(data, requires_grad=bool(requires_grad))
        except Exception:
            pass
    t = data.detach()
    if requires_grad:
        t.requires_grad_(True)
    return t


def rebuild_parameter(data, requires_grad, backward_hooks=None):
    """``torch._utils._rebuild_parameter``."""
    return make_parameter(data, requires_grad)


def rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    """``torch._utils._rebuild_parameter_with_state``; the Python attributes in ``state`` are not
    restored (setting arbitrary attributes from a file could shadow methods)."""
    return make_parameter(data, requires_grad)


# -- saving -------------------------------------------------------------------------------------

def root_array(arr):
    """The outermost NumPy array of ``arr``'s base chain: the memory block torch would call its storage.

    ``np.lib.stride_tricks.as_strided`` (behind ``expand``) puts a non-array holder between a view
    and its base; the chain continues through any such object's ``base``.
    """
    root = arr
    while True:
        base = root.base
        if not isinstance(base, np.ndarray):
            base = getattr(base, "base", None)
            if not isinstance(base, np.ndarray):
                return root
        root = base


def _contiguous_strides(shape):
    strides, acc = [], 1
    for n in reversed(shape):
        strides.append(acc)
        acc *= max(n, 1)
    return tuple(reversed(strides))


class StorageRegistry:
    """Assigns storages to the tensors of one ``save`` call.

    ``describe(arr)`` returns ``(storage_name, key, numel, offset, size, stride)`` for a tensor's
    array; ``records`` lists ``(key, data, dtype)`` with ``data`` a flat uint8 array, in key order.
    Arrays with the same root share one storage. A view whose layout torch cannot express in that
    storage (negative strides, a dtype different from the storage's first view, misaligned bytes)
    gets a private contiguous copy instead (torch raises for mixed dtypes; ndgrad keeps the values).
    """

    def __init__(self, key_fn=None):
        self._roots = {}   # id(root) -> (root, key, dtype, storage_name, numel, lo)
        self.records = []  # [(key, flat uint8 array, storage dtype)]
        self._key_fn = key_fn or (lambda n, root: str(n))

    def _add_root(self, root, dtype):
        key = self._key_fn(len(self.records), root)
        data = root.ravel(order="K").view(np.uint8) if root.size else np.empty(0, np.uint8)
        numel = root.nbytes // dtype.itemsize
        lo = root.__array_interface__["data"][0] if root.size else 0
        entry = (root, key, dtype, STORAGE_NAMES[dtype], numel, lo)
        self._roots[id(root)] = entry
        self.records.append((key, data, dtype))
        return entry

    def _private(self, arr):
        dtype = arr.dtype.newbyteorder("=")
        copy = np.array(arr, dtype=dtype, order="C", copy=True)
        _, key, _, name, numel, _ = self._add_root(copy, dtype)
        return name, key, numel, 0, tuple(arr.shape), _contiguous_strides(arr.shape)

    def describe(self, arr):
        dtype = arr.dtype
        if dtype.newbyteorder("=") not in STORAGE_NAMES:
            raise TypeError(f"cannot save an array of dtype {dtype} in a torch checkpoint")
        if arr.size == 0:
            _, key, _, name, numel, _ = self._add_root(np.empty(0, dtype.newbyteorder("=")),
                                                       dtype.newbyteorder("="))
            strides = arr.strides
            if any(st < 0 or st % dtype.itemsize for st in strides):
                strides = _contiguous_strides(arr.shape)
            else:
                strides = tuple(st // dtype.itemsize for st in strides)
            return name, key, 0, 0, tuple(arr.shape), strides
        root = root_array(arr)
        entry = self._roots.get(id(root))
        itemsize = dtype.itemsize
        if entry is None:
            if (not dtype.isnative or not (root.flags.c_contiguous or root.flags.f_contiguous)
                    or root.nbytes % itemsize):
                return self._private(arr)
            entry = self._add_root(root, dtype)
        root, key, sdtype, name, numel, lo = entry
        if sdtype != dtype:
            return self._private(arr)
        offset = arr.__array_interface__["data"][0] - lo
        strides = arr.strides
        if offset % itemsize or any(s < 0 or s % itemsize for s in strides):
            return self._private(arr)
        return name, key, numel, offset // itemsize, tuple(arr.shape), tuple(s // itemsize for s in strides)
