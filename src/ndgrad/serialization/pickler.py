"""A small pickle writer that emits what ``torch.save`` emits, without importing torch.

Python's own ``pickle.Pickler`` cannot write ``GLOBAL torch._utils _rebuild_tensor_v2`` unless it
can import that function, so the ``data.pkl`` of a checkpoint is written here, opcode by opcode.
The output follows ``pickle`` protocol 2 exactly as CPython writes it (memo numbering, batching of
``APPENDS``/``SETITEMS`` by 1000, tuple opcodes), so a state dict saved by ndgrad pickles to the
same bytes as the same state dict saved by torch. Only protocol-2 opcodes are used whatever
``protocol`` says: torch's ``weights_only`` loader understands no others.

What can be saved: tensors (``Parameter`` subclasses as parameters), ``dict``/``OrderedDict`` (with
its attributes, e.g. a state dict's ``_metadata``), ``list``, ``tuple``, ``set``, ``frozenset``,
``str``, ``bytes``, ``bytearray``, ``int``, ``float``, ``complex``, ``bool``, ``None``, ndgrad
``Size``/``dtype``/``device``, and NumPy scalars (saved as the Python number). Other ``dict``,
``list`` and ``tuple`` subclasses (``defaultdict``, named tuples) are saved as the plain container.
Anything else raises ``TypeError`` naming where in the object it was found.
"""
import struct
from collections import OrderedDict

import numpy as np

from .. import _dtype
from .._tensor import Tensor, Size, device as _device

_BATCHSIZE = 1000
_TUPLE_OPS = {1: b"\x85", 2: b"\x86", 3: b"\x87"}  # TUPLE1, TUPLE2, TUPLE3
_pack_I = struct.Struct("<I").pack
_pack_i = struct.Struct("<i").pack
_pack_H = struct.Struct("<H").pack
_pack_d = struct.Struct(">d").pack


class Global:
    """A ``module.name`` reference written as a GLOBAL opcode (memoized by name)."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module = module
        self.name = name


def _is_parameter(t):
    return any(c.__name__ == "Parameter" for c in type(t).__mro__)


class TorchPickler:
    """Writes one object as a protocol-2 pickle in torch's checkpoint dialect.

    Args:
        describe_tensor: ``describe_tensor(array) -> (storage_name, key, numel, offset, size,
            stride)`` (a ``StorageRegistry.describe``).
        legacy: write the pre-1.6 persistent ids, which carry a sixth ``view_metadata`` entry.
        protocol: the number in the PROTO header (2 to 5).
    """

    def __init__(self, describe_tensor=None, legacy=False, protocol=2):
        self.describe_tensor = describe_tensor
        self.legacy = legacy
        self.protocol = protocol
        self.out = bytearray()
        self.memo = {}        # id(obj) -> (index, obj); obj kept alive so ids stay unique
        self.globals = {}     # (module, name) -> index
        self.strings = {}     # str -> index
        self.n = 0            # next memo index
        self.path = ["obj"]   # where we are, for error messages

    def dumps(self, obj):
        self.out += b"\x80" + bytes([self.protocol])
        self.save(obj)
        self.out += b"."
        return bytes(self.out)

    # -- memo -------------------------------------------------------------------------------
    def _put(self):
        i = self.n
        self.n += 1
        self.out += b"q" + bytes([i]) if i < 256 else b"r" + _pack_I(i)
        return i

    def _get(self, i):
        self.out += b"h" + bytes([i]) if i < 256 else b"j" + _pack_I(i)

    def _memoize(self, obj):
        self.memo[id(obj)] = (self._put(), obj)

    # -- atoms ------------------------------------------------------------------------------
    def save_int(self, x):
        out = self.out
        if 0 <= x <= 0xff:
            out += b"K" + bytes([x])
        elif 0 <= x <= 0xffff:
            out += b"M" + _pack_H(x)
        elif -0x80000000 <= x <= 0x7fffffff:
            out += b"J" + _pack_i(x)
        else:
            data = x.to_bytes((x.bit_length() >> 3) + 1, "little", signed=True)
            if x < 0 and len(data) > 1 and data[-1] == 0xff and data[-2] & 0x80:
                data = data[:-1]  # as CPython's encode_long: no redundant sign byte
            out += (b"\x8a" + bytes([len(data)]) if len(data) < 256 else b"\x8b" + _pack_i(len(data))) + data

    def save_str(self, s):
        i = self.strings.get(s)
        if i is not None:
            return self._get(i)
        data = s.encode("utf-8", "surrogatepass")
        self.out += b"X" + _pack_I(len(data)) + data
        self.strings[s] = self._put()

    def save_global(self, module, name):
        i = self.globals.get((module, name))
        if i is not None:
            return self._get(i)
        self.out += b"c" + module.encode() + b"\n" + name.encode() + b"\n"
        self.globals[(module, name)] = self._put()

    # -- dispatch ---------------------------------------------------------------------------
    def save(self, obj):
        t = type(obj)
        if obj is None:
            self.out += b"N"
        elif t is bool:
            self.out += b"\x88" if obj else b"\x89"
        elif t is int:
            self.save_int(obj)
        elif t is float:
            self.out += b"G" + _pack_d(obj)
        elif t is str:
            self.save_str(obj)
        elif t is Global:
            self.save_global(obj.module, obj.name)
        else:
            m = self.memo.get(id(obj))
            if m is not None:
                return self._get(m[0])
            self._save_other(obj, t)

    def _save_other(self, obj, t):
        if t is dict:
            self.save_dict(obj, obj)
        elif t is list:
            self.save_list(obj, obj)
        elif t is tuple:
            self.save_tuple(obj, obj)
        elif isinstance(obj, Tensor):
            self.save_tensor(obj)
        elif isinstance(obj, Size):
            self.save_reduce(Global("torch", "Size"), (tuple(obj),), obj)
        elif isinstance(obj, OrderedDict):
            self.save_ordered_dict(obj)
        elif isinstance(obj, _dtype.dtype):
            self.save_global("torch", obj.name)
        elif isinstance(obj, _device):
            args = (obj.type,) if obj.index is None else (obj.type, obj.index)
            self.save_reduce(Global("torch", "device"), args, obj)
        elif t is set or t is frozenset:
            name = "set" if t is set else "frozenset"
            self.save_reduce(Global("__builtin__", name), (list(obj),), obj)
        elif t is complex:
            self.save_reduce(Global("__builtin__", "complex"), (obj.real, obj.imag), obj)
        elif t is bytes:
            # protocol 2 has no bytes opcode; CPython writes _codecs.encode(str, 'latin1').
            self.save_reduce(Global("_codecs", "encode"), (str(obj, "latin1"), "latin1"), obj)
        elif t is bytearray:
            self.save_reduce(Global("__builtin__", "bytearray"), (bytes(obj),), obj)
        elif isinstance(obj, np.generic) and obj.dtype.kind in "biufc":
            self.save(obj.item())
        elif isinstance(obj, bool):
            self.save(bool(obj))
        elif isinstance(obj, int):
            self.save_int(int(obj))
        elif isinstance(obj, float):
            self.save(float(obj))
        elif isinstance(obj, str):
            self.save_str(str(obj))
        elif isinstance(obj, dict):
            self.save_dict(obj, obj)
        elif isinstance(obj, list):
            self.save_list(obj, obj)
        elif isinstance(obj, tuple):
            self.save_tuple(tuple(obj), obj)
        elif isinstance(obj, np.ndarray):
            raise TypeError(f"ndgrad.save: {self._where()} is a NumPy array; wrap it as a tensor with "
                            "ndgrad.from_numpy(...) so that torch can load it")
        else:
            hint = (" (save model.state_dict() rather than the module)"
                    if hasattr(obj, "state_dict") and callable(getattr(obj, "state_dict")) else "")
            raise TypeError(
                f"ndgrad.save cannot serialize {self._where()} of type {type(obj).__module__}."
                f"{type(obj).__qualname__}: checkpoints hold tensors, dicts, lists, tuples, sets, "
                f"strings, numbers, bools and None{hint}")

    def _where(self):
        return "".join(self.path)

    # -- containers -------------------------------------------------------------------------
    def save_dict(self, obj, memo_obj):
        self.out += b"}"
        self._memoize(memo_obj)
        self._setitems(obj)

    def _setitems(self, obj):
        items = list(obj.items())
        for start in range(0, len(items), _BATCHSIZE):
            batch = items[start:start + _BATCHSIZE]
            if len(batch) > 1:
                self.out += b"("
            for k, v in batch:
                self.save(k)
                self.path.append(f"[{k!r}]")
                self.save(v)
                self.path.pop()
            self.out += b"u" if len(batch) > 1 else b"s"

    def save_list(self, obj, memo_obj):
        self.out += b"]"
        self._memoize(memo_obj)
        self._appends(obj)

    def _appends(self, obj):
        items = list(obj)
        for start in range(0, len(items), _BATCHSIZE):
            batch = items[start:start + _BATCHSIZE]
            if len(batch) > 1:
                self.out += b"("
            for i, v in enumerate(batch, start):
                self.path.append(f"[{i}]")
                self.save(v)
                self.path.pop()
            self.out += b"e" if len(batch) > 1 else b"a"

    def save_tuple(self, obj, memo_obj):
        if not obj:
            self.out += b")"
            return
        n = len(obj)
        if n > 3:
            self.out += b"("
        for i, v in enumerate(obj):
            self.path.append(f"[{i}]")
            self.save(v)
            self.path.pop()
        m = self.memo.get(id(memo_obj))
        if m is not None:
            # The tuple was reached again through one of its items (a recursive structure):
            # drop what was pushed and fetch the memoized copy, as CPython does.
            self.out += b"0" * n if n <= 3 else b"1"
            return self._get(m[0])
        self.out += _TUPLE_OPS[n] if n <= 3 else b"t"
        self._memoize(memo_obj)

    def save_fresh_tuple(self, items):
        """A tuple built here (never shared): same opcodes, a memo slot but no identity."""
        if not items:
            self.out += b")"
            return
        if len(items) > 3:
            self.out += b"("
        for v in items:
            self.save(v)
        self.out += _TUPLE_OPS[len(items)] if len(items) <= 3 else b"t"
        self._put()

    def save_reduce(self, func, args, obj):
        self.save(func)
        self.save_fresh_tuple(args)
        self.out += b"R"
        if obj is not None:
            self._memoize(obj)
        else:
            self._put()

    def save_ordered_dict(self, obj):
        self.save_global("collections", "OrderedDict")
        self.out += b")R"
        self._memoize(obj)
        if obj:
            self._setitems(obj)
        state = getattr(obj, "__dict__", None)
        if state:
            self.path.append(".__dict__")
            self.save(dict(state))
            self.path.pop()
            self.out += b"b"

    def _empty_ordered_dict(self):
        self.save_global("collections", "OrderedDict")
        self.out += b")R"
        self._put()

    # -- tensors ----------------------------------------------------------------------------
    def save_tensor(self, t):
        if self.describe_tensor is None:
            raise TypeError(f"ndgrad.save: {self._where()} is a tensor, which this pickle cannot hold")
        if _is_parameter(t):
            # torch: Parameter.__reduce_ex__ -> _rebuild_parameter(data, requires_grad, OrderedDict())
            self.save_global("torch._utils", "_rebuild_parameter")
            self._tensor_reduce(t._data, False)
            self._put()
            self.out += b"\x88" if t._rg else b"\x89"
            self._empty_ordered_dict()
            self.out += b"\x87"
            self._put()
            self.out += b"R"
            self._memoize(t)
        else:
            self._tensor_reduce(t._data, t._rg)
            self._memoize(t)

    def _tensor_reduce(self, arr, requires_grad):
        name, key, numel, offset, size, stride = self.describe_tensor(arr)
        self.save_global("torch._utils", "_rebuild_tensor_v2")
        self.out += b"("
        pid = ("storage", Global("torch", name), key, "cpu", numel) + ((None,) if self.legacy else ())
        self.save_fresh_tuple(pid)
        self.out += b"Q"
        self.save_int(offset)
        self.save_fresh_tuple(size)
        self.save_fresh_tuple(stride)
        self.out += b"\x88" if requires_grad else b"\x89"
        self._empty_ordered_dict()
        self.out += b"t"
        self._put()
        self.out += b"R"
