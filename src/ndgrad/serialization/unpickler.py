"""A restricted unpickler: reads checkpoint pickles without ever running code from them.

Python's pickle can call any importable function while loading (``GLOBAL os system`` followed by
``REDUCE`` runs a shell command), which is how malicious checkpoints attack. This unpickler is
written opcode by opcode, like torch's ``weights_only`` loader, and

* resolves ``GLOBAL``/``STACK_GLOBAL`` only through an allow-list of names mapped to ndgrad
  stand-ins (``torch._utils._rebuild_tensor_v2`` builds an ndgrad tensor, ``torch.FloatStorage``
  is a dtype marker, ``collections.OrderedDict`` is itself, ...); any other name raises
  ``pickle.UnpicklingError`` naming the global, before anything from the file has run;
* calls (``REDUCE``, ``NEWOBJ``) and ``BUILD`` only on allow-listed callables and types;
* refuses the opcodes that reach code by other routes (``INST``, ``OBJ``, ``EXT1/2/4``,
  out-of-band buffers) and turns malformed input (truncation, stack underflow, a missing memo
  entry, oversized lengths) into ``UnpicklingError`` instead of a crash.

The allow-list itself (and ``add_safe_globals``) lives in ``allowlist.py``.
"""
import _compat_pickle
import codecs
import pickle
import struct
from collections import Counter, OrderedDict
from pickle import UnpicklingError

import numpy as np

from . import storage as _st
from .allowlist import (PARAMETER, _PendingArray, _build_array, _build_dtype, _callable_ids,
                        _complex, _frozenset, _set, _user_globals, allowed_globals, refusal)

_unpack_I = struct.Struct("<I").unpack
_unpack_i = struct.Struct("<i").unpack
_unpack_H = struct.Struct("<H").unpack
_unpack_Q = struct.Struct("<Q").unpack
_unpack_d = struct.Struct(">d").unpack

MAX_LONG_BYTES = 1 << 16   # a LONG4 beyond this is an attack, not a checkpoint


# -- the unpickler -------------------------------------------------------------------------------

class Source:
    """A file object read with bounds checks: no read may claim more bytes than remain."""

    __slots__ = ("f", "end", "what")

    def __init__(self, f, end, what="pickle"):
        self.f = f
        self.end = end
        self.what = what

    def remaining(self):
        return self.end - self.f.tell()

    def read(self, n):
        if n > self.remaining():
            raise UnpicklingError(f"{self.what} is truncated: an opcode needs {n} bytes but only "
                                  f"{max(self.remaining(), 0)} remain")
        data = self.f.read(n)
        if len(data) != n:
            raise UnpicklingError(f"{self.what} is truncated")
        return data

    def readline(self):
        line = self.f.readline(min(max(self.remaining(), 0), 1 << 16))
        if not line.endswith(b"\n"):
            raise UnpicklingError(f"{self.what} is truncated or corrupt: unterminated text argument")
        return line


# Modules whose globals are how malicious pickles run code: never suggest trusting them.


class RestrictedUnpickler:
    """Loads one pickle from ``source`` (a ``Source``), resolving globals via ``allowed``.

    Args:
        source: the bounded byte source.
        persistent_load: called with each persistent id (the storages of a checkpoint); None
            refuses persistent ids.
        weights_only: True (default) or False (adds NumPy data and argparse.Namespace).
        encoding: how Python 2 ``str`` objects decode ('utf-8' as torch.load, or 'latin1', 'bytes').
    """

    def __init__(self, source, persistent_load=None, weights_only=True, encoding="utf-8"):
        self.src = source
        self.persistent_load = persistent_load
        self.encoding = encoding
        self.allowed = allowed_globals(weights_only)
        self.callables = _callable_ids(self.allowed)
        self.new_classes = {OrderedDict, Counter}
        if not weights_only:
            self.new_classes.add(self.allowed["argparse.Namespace"])
        self.trusted = {id(v) for v in _user_globals.values()}
        for v in _user_globals.values():
            if isinstance(v, type):
                self.new_classes.add(v)

    # -- globals ----------------------------------------------------------------------------
    def find_global(self, module, name):
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        full = f"{module}.{name}"
        try:
            return self.allowed[full]
        except KeyError:
            raise refusal(full) from None

    # -- main loop --------------------------------------------------------------------------
    def load(self):
        self.stack = []
        self.metastack = []
        self.memo = {}
        read = self.src.read
        dispatch = _DISPATCH
        try:
            while True:
                key = read(1)[0]
                op = dispatch.get(key)
                if op is None:
                    raise UnpicklingError(_bad_opcode(key))
                if op is _stop:
                    if len(self.stack) != 1 or self.metastack:
                        raise UnpicklingError("corrupt pickle: unbalanced stack at STOP")
                    return self.stack.pop()
                op(self)
        except IndexError:
            raise UnpicklingError("corrupt pickle: an opcode found too few values on the stack") from None

    def pop_mark(self):
        if not self.metastack:
            raise UnpicklingError("corrupt pickle: no MARK to pop")
        items = self.stack
        self.stack = self.metastack.pop()
        return items

    def text(self):
        return self.src.readline()[:-1]


def _bad_opcode(key):
    names = {pickle.INST[0]: "INST", pickle.OBJ[0]: "OBJ", pickle.EXT1[0]: "EXT1",
             pickle.EXT2[0]: "EXT2", pickle.EXT4[0]: "EXT4", 0x97: "NEXT_BUFFER", 0x98: "READONLY_BUFFER"}
    if key in names:
        return (f"ndgrad.load refused the pickle opcode {names[key]}: it can create arbitrary objects "
                "and is never needed for checkpoints (nothing from this checkpoint was executed)")
    return f"corrupt pickle: unknown opcode 0x{key:02x}"


def _stop(u):
    pass


def _proto(u):
    p = u.src.read(1)[0]
    if p > 5:
        raise UnpicklingError(f"unsupported pickle protocol {p}")


def _frame(u):
    u.src.read(8)  # frames only group opcodes; the bounded source already checks lengths


def _mark(u):
    u.metastack.append(u.stack)
    u.stack = []


def _pop(u):
    if u.stack:
        u.stack.pop()
    else:
        u.pop_mark()


def _pop_mark(u):
    u.pop_mark()


def _dup(u):
    u.stack.append(u.stack[-1])


def _push(value):
    return lambda u: u.stack.append(value)


def _int_text(u):
    data = u.text()
    if data == b"01":
        val = True
    elif data == b"00":
        val = False
    else:
        val = _parse(int, data)
    u.stack.append(val)


def _parse(fn, data):
    try:
        return fn(data.decode("ascii"))
    except (ValueError, UnicodeDecodeError):
        raise UnpicklingError(f"corrupt pickle: invalid number {bytes(data[:40])!r}") from None


def _long_text(u):
    data = u.text()
    u.stack.append(_parse(int, data[:-1] if data.endswith(b"L") else data))


def _float_text(u):
    u.stack.append(_parse(float, u.text()))


def _binint(u):
    u.stack.append(_unpack_i(u.src.read(4))[0])


def _binint1(u):
    u.stack.append(u.src.read(1)[0])


def _binint2(u):
    u.stack.append(_unpack_H(u.src.read(2))[0])


def _long1(u):
    n = u.src.read(1)[0]
    u.stack.append(int.from_bytes(u.src.read(n), "little", signed=True))


def _long4(u):
    n = _unpack_i(u.src.read(4))[0]
    if not 0 <= n <= MAX_LONG_BYTES:
        raise UnpicklingError(f"corrupt pickle: LONG4 of {n} bytes")
    u.stack.append(int.from_bytes(u.src.read(n), "little", signed=True))


def _binfloat(u):
    u.stack.append(_unpack_d(u.src.read(8))[0])


def _py2str(u, data):
    if u.encoding == "bytes":
        return bytes(data)
    try:
        return data.decode(u.encoding)
    except (UnicodeDecodeError, LookupError) as e:
        raise UnpicklingError(f"cannot decode a Python 2 string with encoding {u.encoding!r}: {e}; "
                              "pass encoding='latin1' or encoding='bytes'") from None


def _string(u):
    data = u.text().rstrip()
    if len(data) < 2 or data[0] != data[-1] or data[:1] not in (b"'", b'"'):
        raise UnpicklingError("corrupt pickle: the STRING opcode argument must be quoted")
    u.stack.append(_py2str(u, codecs.escape_decode(data[1:-1])[0]))


def _binstring(u):
    n = _unpack_i(u.src.read(4))[0]
    if n < 0:
        raise UnpicklingError("corrupt pickle: negative BINSTRING length")
    u.stack.append(_py2str(u, u.src.read(n)))


def _short_binstring(u):
    u.stack.append(_py2str(u, u.src.read(u.src.read(1)[0])))


def _decode_utf8(data):
    try:
        return str(data, "utf-8", "surrogatepass")
    except UnicodeDecodeError:
        raise UnpicklingError("corrupt pickle: a string is not valid UTF-8") from None


def _unicode_text(u):
    u.stack.append(str(u.text(), "raw-unicode-escape"))


def _binunicode(u):
    u.stack.append(_decode_utf8(u.src.read(_unpack_I(u.src.read(4))[0])))


def _short_binunicode(u):
    u.stack.append(_decode_utf8(u.src.read(u.src.read(1)[0])))


def _binunicode8(u):
    u.stack.append(_decode_utf8(u.src.read(_unpack_Q(u.src.read(8))[0])))


def _binbytes(u):
    u.stack.append(u.src.read(_unpack_I(u.src.read(4))[0]))


def _short_binbytes(u):
    u.stack.append(u.src.read(u.src.read(1)[0]))


def _binbytes8(u):
    u.stack.append(u.src.read(_unpack_Q(u.src.read(8))[0]))


def _bytearray8(u):
    u.stack.append(bytearray(u.src.read(_unpack_Q(u.src.read(8))[0])))


def _empty_tuple(u):
    u.stack.append(())


def _tuple(u):
    items = tuple(u.pop_mark())  # pop first: u.stack changes
    u.stack.append(items)


def _tuple1(u):
    u.stack[-1] = (u.stack[-1],)


def _tuple2(u):
    if len(u.stack) < 2:
        raise IndexError
    u.stack[-2:] = [(u.stack[-2], u.stack[-1])]


def _tuple3(u):
    if len(u.stack) < 3:
        raise IndexError
    u.stack[-3:] = [(u.stack[-3], u.stack[-2], u.stack[-1])]


def _empty_list(u):
    u.stack.append([])


def _list(u):
    items = u.pop_mark()
    u.stack.append(items)


def _empty_dict(u):
    u.stack.append({})


def _dict(u):
    items = u.pop_mark()
    d = {}
    _fill(d, items)
    u.stack.append(d)


def _fill(d, items):
    if len(items) % 2:
        raise UnpicklingError("corrupt pickle: odd number of items for a dict")
    try:
        for i in range(0, len(items), 2):
            d[items[i]] = items[i + 1]
    except TypeError as e:
        raise UnpicklingError(f"corrupt pickle: {e}") from None


def _empty_set(u):
    u.stack.append(set())


def _append(u):
    value = u.stack.pop()
    target = u.stack[-1]
    if type(target) is not list:
        raise UnpicklingError(f"APPEND is only allowed on lists, got {type(target).__name__}")
    target.append(value)


def _appends(u):
    items = u.pop_mark()
    target = u.stack[-1]
    if type(target) is not list:
        raise UnpicklingError(f"APPENDS is only allowed on lists, got {type(target).__name__}")
    target.extend(items)


def _dict_target(u, op):
    target = u.stack[-1]
    if type(target) not in (dict, OrderedDict, Counter):
        raise UnpicklingError(f"{op} is only allowed on dicts, got {type(target).__name__}")
    return target


def _setitem(u):
    value = u.stack.pop()
    key = u.stack.pop()
    _fill(_dict_target(u, "SETITEM"), [key, value])


def _setitems(u):
    items = u.pop_mark()
    _fill(_dict_target(u, "SETITEMS"), items)


def _additems(u):
    items = u.pop_mark()
    target = u.stack[-1]
    if type(target) is not set:
        raise UnpicklingError(f"ADDITEMS is only allowed on sets, got {type(target).__name__}")
    try:
        target.update(items)
    except TypeError as e:
        raise UnpicklingError(f"corrupt pickle: {e}") from None


def _frozenset_op(u):
    items = u.pop_mark()
    try:
        u.stack.append(frozenset(items))
    except TypeError as e:
        raise UnpicklingError(f"corrupt pickle: {e}") from None


def _global(u):
    module = _decode_name(u.text())
    name = _decode_name(u.text())
    u.stack.append(u.find_global(module, name))


def _decode_name(data):
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnpicklingError("corrupt pickle: a global name is not valid UTF-8") from None


def _stack_global(u):
    name = u.stack.pop()
    module = u.stack.pop()
    if type(name) is not str or type(module) is not str:
        raise UnpicklingError("corrupt pickle: STACK_GLOBAL requires two strings")
    u.stack.append(u.find_global(module, name))


def _reduce(u):
    args = u.stack.pop()
    func = u.stack[-1]
    if id(func) not in u.callables or not callable(func):
        raise UnpicklingError(f"ndgrad.load refused to call {func!r} from the checkpoint: it is not an "
                              "allow-listed function (nothing from this checkpoint was executed)")
    if type(args) is not tuple:
        raise UnpicklingError(f"corrupt pickle: REDUCE arguments must be a tuple, got {type(args).__name__}")
    u.stack[-1] = _call(func, args)


def _call(func, args):
    try:
        return func(*args)
    except TypeError as e:
        name = getattr(func, "__name__", repr(func))
        raise UnpicklingError(f"corrupt pickle: invalid arguments for {name}: {e}") from None


def _newobj(u):
    args = u.stack.pop()
    cls = u.stack[-1]
    if type(args) is not tuple:
        raise UnpicklingError("corrupt pickle: NEWOBJ arguments must be a tuple")
    u.stack[-1] = _new(u, cls, args)


def _newobj_ex(u):
    kwargs = u.stack.pop()
    args = u.stack.pop()
    cls = u.stack[-1]
    if type(args) is not tuple or type(kwargs) is not dict or kwargs:
        raise UnpicklingError("NEWOBJ_EX with keyword arguments is not allowed")
    u.stack[-1] = _new(u, cls, args)


def _new(u, cls, args):
    if cls is PARAMETER:
        return _call(_st.make_parameter, args)
    if isinstance(cls, type) and cls in u.new_classes:
        return cls.__new__(cls, *args)
    if cls in (_set, _frozenset, _complex):
        return _call(cls, args)
    raise UnpicklingError(f"ndgrad.load refused to create an object of type {cls!r} from the "
                          "checkpoint: it is not allow-listed (nothing from this checkpoint was executed)")


def _build(u):
    state = u.stack.pop()
    inst = u.stack[-1]
    t = type(inst)
    if t is OrderedDict or t is Counter:
        if not isinstance(state, dict):
            raise UnpicklingError("corrupt pickle: OrderedDict state must be a dict")
        for k, v in state.items():
            if not isinstance(k, str) or k.startswith("__") or hasattr(t, k):
                raise UnpicklingError(f"refusing to set the attribute {k!r} on an OrderedDict")
            inst.__dict__[k] = v
    elif t is _PendingArray:
        u.stack[-1] = _build_array(state)
    elif t is np.dtype or isinstance(inst, np.dtype):
        u.stack[-1] = _build_dtype(inst, state)
    elif t in u.new_classes or id(t) in u.trusted:
        setstate = getattr(inst, "__setstate__", None)
        if setstate is not None and id(t) in u.trusted:
            setstate(state)
            return
        slotstate = None
        if isinstance(state, tuple) and len(state) == 2:
            state, slotstate = state
        if state:
            if not isinstance(state, dict):
                raise UnpicklingError(f"corrupt pickle: invalid state for {t.__name__}")
            for k, v in state.items():
                if not isinstance(k, str):
                    raise UnpicklingError("corrupt pickle: attribute names must be strings")
                inst.__dict__[k] = v
        if slotstate:
            for k, v in slotstate.items():
                setattr(inst, k, v)
    else:
        raise UnpicklingError(f"ndgrad.load refused BUILD on an object of type {t.__name__}: only "
                              "OrderedDict and allow-listed types may be filled from a checkpoint")


def _persid_text(u):
    _persistent(u, u.text().decode("ascii", "replace"))


def _binpersid(u):
    _persistent(u, u.stack.pop())


def _persistent(u, pid):
    if u.persistent_load is None:
        raise UnpicklingError("unexpected persistent id in this pickle (corrupt checkpoint?)")
    if type(pid) is not tuple and type(pid) is not str and type(pid) is not int:
        raise UnpicklingError(f"persistent id must be a tuple, got {type(pid).__name__}")
    u.stack.append(u.persistent_load(pid))


def _memo_get(u, i):
    try:
        u.stack.append(u.memo[i])
    except KeyError:
        raise UnpicklingError(f"corrupt pickle: memo entry {i} is not defined") from None


def _get(u):
    _memo_get(u, _parse(int, u.text()))


def _binget(u):
    _memo_get(u, u.src.read(1)[0])


def _long_binget(u):
    _memo_get(u, _unpack_I(u.src.read(4))[0])


def _put(u):
    i = _parse(int, u.text())
    if i < 0:
        raise UnpicklingError("corrupt pickle: negative PUT index")
    u.memo[i] = u.stack[-1]


def _binput(u):
    u.memo[u.src.read(1)[0]] = u.stack[-1]


def _long_binput(u):
    u.memo[_unpack_I(u.src.read(4))[0]] = u.stack[-1]


def _memoize(u):
    u.memo[len(u.memo)] = u.stack[-1]


_P = pickle
_DISPATCH = {
    _P.PROTO[0]: _proto, _P.FRAME[0]: _frame, _P.STOP[0]: _stop, _P.MARK[0]: _mark, _P.POP[0]: _pop,
    _P.POP_MARK[0]: _pop_mark, _P.DUP[0]: _dup,
    _P.NONE[0]: _push(None), _P.NEWTRUE[0]: _push(True), _P.NEWFALSE[0]: _push(False),
    _P.INT[0]: _int_text, _P.BININT[0]: _binint, _P.BININT1[0]: _binint1, _P.BININT2[0]: _binint2,
    _P.LONG[0]: _long_text, _P.LONG1[0]: _long1, _P.LONG4[0]: _long4,
    _P.FLOAT[0]: _float_text, _P.BINFLOAT[0]: _binfloat,
    _P.STRING[0]: _string, _P.BINSTRING[0]: _binstring, _P.SHORT_BINSTRING[0]: _short_binstring,
    _P.UNICODE[0]: _unicode_text, _P.BINUNICODE[0]: _binunicode,
    _P.SHORT_BINUNICODE[0]: _short_binunicode, _P.BINUNICODE8[0]: _binunicode8,
    _P.BINBYTES[0]: _binbytes, _P.SHORT_BINBYTES[0]: _short_binbytes, _P.BINBYTES8[0]: _binbytes8,
    _P.BYTEARRAY8[0]: _bytearray8,
    _P.EMPTY_TUPLE[0]: _empty_tuple, _P.TUPLE[0]: _tuple, _P.TUPLE1[0]: _tuple1,
    _P.TUPLE2[0]: _tuple2, _P.TUPLE3[0]: _tuple3,
    _P.EMPTY_LIST[0]: _empty_list, _P.LIST[0]: _list, _P.APPEND[0]: _append, _P.APPENDS[0]: _appends,
    _P.EMPTY_DICT[0]: _empty_dict, _P.DICT[0]: _dict, _P.SETITEM[0]: _setitem,
    _P.SETITEMS[0]: _setitems,
    _P.EMPTY_SET[0]: _empty_set, _P.ADDITEMS[0]: _additems, _P.FROZENSET[0]: _frozenset_op,
    _P.GLOBAL[0]: _global, _P.STACK_GLOBAL[0]: _stack_global, _P.REDUCE[0]: _reduce,
    _P.NEWOBJ[0]: _newobj, _P.NEWOBJ_EX[0]: _newobj_ex, _P.BUILD[0]: _build,
    _P.PERSID[0]: _persid_text, _P.BINPERSID[0]: _binpersid,
    _P.GET[0]: _get, _P.BINGET[0]: _binget, _P.LONG_BINGET[0]: _long_binget,
    _P.PUT[0]: _put, _P.BINPUT[0]: _binput, _P.LONG_BINPUT[0]: _long_binput, _P.MEMOIZE[0]: _memoize,
}


def loads(data, persistent_load=None, weights_only=True, encoding="utf-8", what="pickle"):
    """Unpickle ``data`` (bytes) with the restricted unpickler."""
    import io
    return RestrictedUnpickler(Source(io.BytesIO(data), len(data), what), persistent_load,
                               weights_only, encoding).load()
