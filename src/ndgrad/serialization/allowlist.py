"""The allow-list of the restricted unpickler: which globals a checkpoint may name, and what
each one loads as.

torch's names map to ndgrad stand-ins: ``torch._utils._rebuild_tensor_v2`` builds an ndgrad tensor
from a storage (``storage.py``), ``torch.FloatStorage`` is a dtype marker, ``torch.Size`` is
``ndgrad.Size``, ``collections.OrderedDict`` is itself; ``builtins.set``/``complex``/``bytearray``
and ``_codecs.encode`` (protocol 2's bytes) are wrapped so that they only accept plain data.
``weights_only=False`` adds NumPy scalars, dtypes and numeric arrays and ``argparse.Namespace``;
``add_safe_globals`` adds what a user trusts. Nothing else is ever resolved.
"""
from collections import Counter, OrderedDict
from pickle import UnpicklingError

import numpy as np

from .._tensor import Size, device as _device
from . import storage as _st


# -- stand-ins for torch's globals ---------------------------------------------------------------

class _Marker:
    """A named, read-only placeholder for a torch class (``torch.Tensor``, ``Parameter``)."""

    __slots__ = ("name",)

    def __init__(self, name):
        object.__setattr__(self, "name", name)

    def __setattr__(self, key, value):
        raise AttributeError("read-only")

    def __repr__(self):
        return self.name


TENSOR = _Marker("torch.Tensor")
PARAMETER = _Marker("torch.nn.parameter.Parameter")


def _make_device(type, index=None):
    if not isinstance(type, str) or not (index is None or isinstance(index, int)):
        raise UnpicklingError(f"torch.device({type!r}, {index!r}): invalid arguments")
    try:
        return _device(type, index)
    except RuntimeError as e:
        raise UnpicklingError(f"torch.device({type!r}): {e}") from None


def _make_size(dims=()):
    if not isinstance(dims, (tuple, list)) or not all(type(d) is int for d in dims):
        raise UnpicklingError(f"torch.Size expects a tuple of ints, got {dims!r}")
    return Size(dims)


def _encode(s, encoding="utf-8"):
    """``_codecs.encode``: how protocol 2 pickles bytes (``encode(text, 'latin1')``)."""
    if not isinstance(s, str) or encoding not in ("latin1", "latin-1", "utf-8", "utf8", "ascii"):
        raise UnpicklingError(f"_codecs.encode({type(s).__name__}, {encoding!r}) is not allowed")
    return s.encode(encoding)


def _bytes(*args):
    if not args:
        return b""
    if len(args) == 1 and isinstance(args[0], (bytes, bytearray)):
        return bytes(args[0])
    if len(args) == 2 and isinstance(args[0], str) and isinstance(args[1], str):
        return _encode(*args)
    raise UnpicklingError("bytes(...) is only allowed on bytes or (str, encoding)")


def _bytearray(*args):
    return bytearray(_bytes(*args))


def _complex(real=0.0, imag=0.0):
    if not isinstance(real, (int, float)) or not isinstance(imag, (int, float)):
        raise UnpicklingError("complex(...) is only allowed on two numbers")
    return complex(real, imag)


def _set(items=()):
    return set(_iterable(items))


def _frozenset(items=()):
    return frozenset(_iterable(items))


def _iterable(items):
    if not isinstance(items, (list, tuple, set, frozenset)):
        raise UnpicklingError(f"set(...) expects a list, got {type(items).__name__}")
    return items


def _get_layout(name):
    if not isinstance(name, str):
        raise UnpicklingError("torch.serialization._get_layout expects a string")
    return name


def _rebuild_from_type_v2(func, new_type, args, state):
    """``torch._tensor._rebuild_from_type_v2``: a tensor with Python attributes (not restored)."""
    if func not in _REBUILDERS:
        raise UnpicklingError(f"_rebuild_from_type_v2 with unexpected function {func!r}")
    if not isinstance(args, tuple):
        raise UnpicklingError("_rebuild_from_type_v2 expects an argument tuple")
    t = func(*args)
    if new_type is PARAMETER:
        return _st.make_parameter(t, t.requires_grad)
    if new_type is not TENSOR:
        raise UnpicklingError(f"_rebuild_from_type_v2 for type {new_type!r} is not supported")
    return t


_REBUILDERS = (_st.rebuild_tensor_v2, _st.rebuild_tensor, _st.rebuild_tensor_v3,
               _st.rebuild_parameter, _st.rebuild_parameter_with_state)


# -- NumPy objects (weights_only=False only) --------------------------------------------------

def _np_dtype(spec, align=False, copy=False):
    if not isinstance(spec, str) or len(spec) > 8:
        raise UnpicklingError(f"numpy.dtype({spec!r}) is not allowed")
    try:
        d = np.dtype(spec)
    except TypeError:
        raise UnpicklingError(f"numpy.dtype({spec!r}) is not a valid dtype") from None
    if d.kind not in "biufc" or d.fields is not None or d.subdtype is not None:
        raise UnpicklingError(f"numpy.dtype({spec!r}): only numeric dtypes may be loaded")
    return d


def _np_scalar(dtype, data=None):
    if not isinstance(dtype, np.dtype) or dtype.kind not in "biufc":
        raise UnpicklingError("numpy scalar with a non-numeric dtype")
    if not isinstance(data, bytes) or len(data) != dtype.itemsize:
        raise UnpicklingError("numpy scalar data has the wrong length")
    return np.frombuffer(data, dtype=dtype, count=1)[0]


class _PendingArray:
    """``numpy.core.multiarray._reconstruct(ndarray, ...)``: an array waiting for its BUILD state."""

    __slots__ = ()


def _np_reconstruct(cls, shape=(0,), typecode=b"b"):
    if cls is not np.ndarray:
        raise UnpicklingError(f"numpy _reconstruct of {cls!r} is not allowed")
    return _PendingArray()


def _build_array(state):
    if not (isinstance(state, tuple) and len(state) == 5):
        raise UnpicklingError("numpy array state must be a 5-tuple")
    _, shape, dtype, is_fortran, raw = state
    if not isinstance(dtype, np.dtype) or dtype.kind not in "biufc":
        raise UnpicklingError("numpy array with a non-numeric dtype (object arrays are refused)")
    shape = _st._ints(shape, "shape", "numpy array")
    n = 1
    for s in shape:
        n *= s
    if isinstance(raw, str):
        raw = raw.encode("latin1")
    if not isinstance(raw, (bytes, bytearray)) or len(raw) != n * dtype.itemsize:
        raise UnpicklingError(f"numpy array data has {len(raw) if hasattr(raw, '__len__') else '?'} "
                              f"bytes, expected {n * dtype.itemsize}")
    return np.frombuffer(bytearray(raw), dtype=dtype).reshape(shape, order="F" if is_fortran else "C")


def _build_dtype(inst, state):
    if not isinstance(state, tuple) or len(state) < 2 or state[1] not in ("<", ">", "|", "="):
        raise UnpicklingError("invalid numpy dtype state")
    return inst.newbyteorder(state[1]) if state[1] in "<>" else inst


# -- the allow-list ------------------------------------------------------------------------------

# torch names ndgrad recognises but cannot load: refused with a specific message.
_UNSUPPORTED = {
    "torch._utils._rebuild_sparse_tensor": "sparse tensors",
    "torch._utils._rebuild_sparse_csr_tensor": "sparse tensors",
    "torch._utils._rebuild_qtensor": "quantized tensors",
    "torch._utils._rebuild_wrapper_subclass": "tensor subclasses",
    "torch._utils._rebuild_meta_tensor_no_storage": "meta tensors",
    "torch._utils._rebuild_device_tensor_from_numpy": "device tensors saved through NumPy",
    "torch._utils._rebuild_device_tensor_from_cpu_tensor": "device tensors",
    "torch._utils._rebuild_nested_tensor": "nested tensors",
    "torch._utils._rebuild_xla_tensor": "XLA tensors",
    "torch._utils._rebuild_mlc_tensor": "MLC tensors",
}

_user_globals = {}


def _base_globals():
    g = {
        "collections.OrderedDict": OrderedDict,
        "collections.Counter": Counter,
        "torch._utils._rebuild_tensor": _st.rebuild_tensor,
        "torch._utils._rebuild_tensor_v2": _st.rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": _st.rebuild_tensor_v3,
        "torch._utils._rebuild_parameter": _st.rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _st.rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.Tensor": TENSOR,
        "torch._tensor.Tensor": TENSOR,
        "torch.nn.parameter.Parameter": PARAMETER,
        "torch.Size": _make_size,
        "torch.device": _make_device,
        "torch.serialization._get_layout": _get_layout,
        "torch.storage.UntypedStorage": _st.UNTYPED,
        "torch.UntypedStorage": _st.UNTYPED,
        "_codecs.encode": _encode,
        "builtins.set": _set,
        "builtins.frozenset": _frozenset,
        "builtins.complex": _complex,
        "builtins.bytearray": _bytearray,
        "builtins.bytes": _bytes,
    }
    for name in _st.TORCH_DTYPE_NAMES:
        g[f"torch.{name}"] = _st.torch_dtype(name)
    for module in ("torch", "torch.cuda"):
        for name, dtype_name in _st.STORAGE_DTYPES.items():
            g[f"{module}.{name}"] = _st.StorageType(name, dtype_name)
    # Legacy tensor type objects (the tar format records them as a tensor's original type).
    for name in ("FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor",
                 "IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"):
        g[f"torch.{name}"] = _Marker(f"torch.{name}")
        g[f"torch.cuda.{name}"] = _Marker(f"torch.cuda.{name}")
    return g


_BASE = None
_EXTRA = {
    "numpy.dtype": _np_dtype,
    "numpy.core.multiarray.scalar": _np_scalar,
    "numpy._core.multiarray.scalar": _np_scalar,
    "numpy.core.multiarray._reconstruct": _np_reconstruct,
    "numpy._core.multiarray._reconstruct": _np_reconstruct,
    "numpy.ndarray": np.ndarray,
}


def _namespace():
    import argparse
    return argparse.Namespace


def allowed_globals(weights_only=True):
    """The names a checkpoint may reference, mapped to what they load as."""
    global _BASE
    if _BASE is None:
        _BASE = _base_globals()
    g = dict(_BASE)
    if not weights_only:
        g.update(_EXTRA)
        g["argparse.Namespace"] = _namespace()
    g.update(_user_globals)
    return g


def add_safe_globals(safe_globals):
    """Trust more globals when loading (torch.serialization.add_safe_globals).

    Each entry is a class or function, or a ``(obj, "module.name")`` pair naming it as it appears in
    the checkpoint. Trusted classes may be created (``NEWOBJ``/``REDUCE``) and filled (``BUILD``).

    Example:
        >>> ndgrad.serialization.add_safe_globals([MyConfig])
    """
    for entry in safe_globals:
        if isinstance(entry, tuple):
            obj, name = entry
        else:
            obj, name = entry, f"{entry.__module__}.{entry.__qualname__}"
        _user_globals[name] = obj


def get_safe_globals():
    return list(_user_globals.values())


def clear_safe_globals():
    _user_globals.clear()


class safe_globals:
    """Context manager: ``add_safe_globals`` for the duration of a ``with`` block."""

    def __init__(self, safe_globals):
        self.safe_globals = safe_globals

    def __enter__(self):
        self._saved = dict(_user_globals)
        add_safe_globals(self.safe_globals)

    def __exit__(self, *exc):
        _user_globals.clear()
        _user_globals.update(self._saved)


def _callable_ids(g):
    """ids of the allowed values REDUCE may call (np.ndarray only through _reconstruct)."""
    return {id(v) for v in g.values() if callable(v) and v is not np.ndarray}


_DANGEROUS = {"os", "posix", "nt", "subprocess", "builtins", "sys", "shutil", "socket", "importlib",
              "runpy", "pickle", "_pickle", "marshal", "ctypes", "code", "codeop", "pty", "webbrowser",
              "operator", "functools", "types", "inspect", "io", "_io", "pathlib", "tempfile",
              "multiprocessing", "asyncio", "threading", "signal", "platform", "copyreg", "pdb",
              "timeit", "shelve", "dill", "pip", "setuptools", "urllib", "http"}


def refusal(full):
    kind = _UNSUPPORTED.get(full)
    if kind is not None:
        return UnpicklingError(f"the checkpoint contains {kind} ('{full}'), which ndgrad does not support")
    module = full.split(".", 1)[0]
    if module == "torch":
        hint = ("; it is a torch object ndgrad cannot rebuild (a whole model saved with "
                "torch.save(model)? save model.state_dict() instead)")
    elif module == "numpy" and full in _EXTRA:
        hint = "; NumPy scalars and arrays load with weights_only=False"
    elif module in _DANGEROUS:
        hint = ("; a checkpoint naming it is typical of a malicious file (it can run commands or "
                "code), so do not trust this file")
    else:
        hint = ("; if you trust the file and it is a plain data class, allow it with "
                "ndgrad.serialization.add_safe_globals([...])")
    return UnpicklingError(
        f"ndgrad.load refused to load the global '{full}' named in the checkpoint: only tensors, "
        "containers and an allow-list of plain data types may be unpickled, so that loading never "
        f"runs code from the file (nothing from this checkpoint was executed){hint}")
