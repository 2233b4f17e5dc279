"""torch's pre-1.6 checkpoint formats: the pickle stream (read and write) and the tar (read).

Pickle stream (``torch.save(obj, f, _use_new_zipfile_serialization=False)``): five pickles and the
raw storages, one after the other::

    MAGIC_NUMBER, PROTOCOL_VERSION (1001), sys_info {'little_endian': ..., ...}
    the object, with persistent ids ('storage', torch.FloatStorage, key, location, numel, view)
    the sorted list of storage keys
    for each key: numel as int64 little-endian, then numel elements

The tar format (torch < 0.4) holds members ``storages``, ``tensors`` and ``pickle``; torch itself
refuses it with ``weights_only=True``, ndgrad reads it with the same restricted unpickler.
"""
import io
import os
import struct
import tarfile

import numpy as np

from . import storage as _st
from .pickler import TorchPickler
from .unpickler import RestrictedUnpickler, Source, UnpicklingError

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001
_SYS_INFO = {"protocol_version": PROTOCOL_VERSION, "little_endian": True,
             "type_sizes": {"short": 2, "int": 4, "long": 4}}


def _corrupt(msg):
    return RuntimeError(f"ndgrad.load: {msg}")


# -- writing --------------------------------------------------------------------------------------

def prepare(obj, protocol=2):
    """Pickle ``obj`` for the legacy format; returns what ``write`` needs."""
    registry = _st.StorageRegistry(key_fn=lambda n, root: str(1_000_000_000 + n))
    body = TorchPickler(registry.describe, legacy=True, protocol=protocol).dumps(obj)
    return body, sorted(registry.records, key=lambda r: r[0]), protocol


def write(f, prepared):
    """Write a ``prepare``d object to the binary file object ``f`` as a legacy pickle stream."""
    body, records, protocol = prepared
    for header in (MAGIC_NUMBER, PROTOCOL_VERSION, _SYS_INFO):
        f.write(TorchPickler(protocol=protocol).dumps(header))
    f.write(body)
    f.write(TorchPickler(protocol=protocol).dumps([key for key, _, _ in records]))
    for key, data, dtype in records:
        f.write(struct.pack("<q", data.nbytes // dtype.itemsize))
        f.write(memoryview(data).cast("B"))


# -- reading the pickle stream --------------------------------------------------------------------

def load(f, restore_location, weights_only=True, encoding="utf-8"):
    """Load a legacy pickle-stream checkpoint from the seekable binary file ``f``."""
    start = f.tell()
    f.seek(0, os.SEEK_END)
    end = f.tell()
    f.seek(start)

    def unpickle(what, persistent_load=None):
        return RestrictedUnpickler(Source(f, end, what), persistent_load, weights_only, encoding).load()

    try:
        magic = unpickle("the magic number")
    except UnpicklingError as e:
        raise _corrupt(f"not a torch checkpoint (unreadable header: {e})") from None
    if magic != MAGIC_NUMBER:
        raise _corrupt("invalid magic number; this is not a torch checkpoint or it is corrupt")
    version = unpickle("the protocol version")
    if version != PROTOCOL_VERSION:
        raise _corrupt(f"invalid protocol version {version!r} (expected {PROTOCOL_VERSION})")
    sys_info = unpickle("sys_info")
    little = sys_info.get("little_endian", True) if isinstance(sys_info, dict) else True
    storages = {}   # key -> LoadedStorage (roots and views)
    roots = {}      # key -> (array, dtype) of storages whose data follows the pickles

    def persistent_load(pid):
        if type(pid) is not tuple or not pid:
            raise _corrupt(f"invalid persistent id {pid!r}")
        kind = pid[0].decode("ascii", "replace") if isinstance(pid[0], bytes) else pid[0]
        if kind == "module":
            raise UnpicklingError("the checkpoint contains a pickled nn.Module (torch.save(model)); "
                                  "ndgrad loads state dicts only: save model.state_dict() with torch")
        if kind != "storage" or len(pid) != 6:
            raise _corrupt(f"invalid persistent id {pid!r}")
        _, stype, key, location, numel, view = pid
        if not isinstance(stype, _st.StorageType):
            raise _corrupt(f"invalid storage type {stype!r}")
        if isinstance(location, bytes):
            location = location.decode("ascii", "replace")
        if type(numel) is not int or numel < 0 or not isinstance(key, (str, int)):
            raise _corrupt(f"invalid storage entry {pid!r}")
        np_dtype = _st.NP_DTYPES[stype.dtype_name]
        st = storages.get(key)
        if st is None:
            if numel * np_dtype.itemsize > end - f.tell():
                raise _corrupt(f"storage '{key}' declares {numel} elements, more than the file holds; "
                               "the file is truncated or corrupt")
            # Tensors are built while unpickling; the storage data follows the pickle and is read
            # into these arrays afterwards (bfloat16: widened into a float32 array).
            dtype_name = "float32" if stype.dtype_name == "bfloat16" else stype.dtype_name
            arr = np.empty(numel, _st.NP_DTYPES[dtype_name])
            roots[key] = (arr, stype.dtype_name)
            st = storages[key] = restore_location(_st.LoadedStorage(arr, key, dtype_name, location),
                                                  location)
        if view is not None:
            if not (isinstance(view, tuple) and len(view) == 3):
                raise _corrupt(f"invalid storage view {view!r}")
            view_key, offset, size = view
            vst = storages.get(view_key)
            if vst is None:
                if type(offset) is not int or type(size) is not int or not 0 <= offset <= offset + size <= numel:
                    raise _corrupt(f"storage view {view!r} lies outside storage '{key}'")
                vst = storages[view_key] = _st.LoadedStorage(st.array[offset:offset + size], view_key,
                                                            st.dtype_name, location)
            return vst
        return st

    obj = unpickle("the checkpoint pickle", persistent_load)
    keys = unpickle("the storage key list")
    if not isinstance(keys, list):
        raise _corrupt("the storage key list is invalid")
    for key in keys:
        arr, stored_dtype = roots.get(key, (None, None))
        if arr is None:
            raise _corrupt(f"the file lists storage '{key}' that no tensor uses")
        head = f.read(8)
        if len(head) != 8:
            raise _corrupt(f"the data of storage '{key}' is missing; the file is truncated")
        (numel,) = struct.unpack("<q", head)
        if numel != arr.size:
            raise _corrupt(f"storage '{key}' has {numel} elements in the file but the pickle declares "
                           f"{arr.size}; the file is corrupt")
        raw = np.empty(numel, np.uint16) if stored_dtype == "bfloat16" else arr
        _read_into(f, raw, key)
        if not little and raw.itemsize > 1:
            raw.byteswap(inplace=True)
        if raw is not arr:
            arr[...] = _st.bfloat16_to_float32(raw, key)
    return obj


def _read_into(f, arr, key):
    buf = memoryview(arr).cast("B") if arr.size else memoryview(b"")
    got = 0
    while got < len(buf):
        n = f.readinto(buf[got:])
        if not n:
            raise _corrupt(f"the data of storage '{key}' is truncated ({got} of {len(buf)} bytes)")
        got += n


# -- reading the tar format -----------------------------------------------------------------------

def is_tar(f):
    start = f.tell()
    f.seek(257)
    magic = f.read(5)
    f.seek(start)
    return magic == b"ustar"


def load_tar(f, restore_location, weights_only=True, encoding="utf-8"):
    """Load a tar checkpoint (torch < 0.4) from the seekable binary file ``f``."""
    try:
        tar = tarfile.open(fileobj=f, mode="r:")
    except tarfile.TarError as e:
        raise _corrupt(f"cannot read the tar archive ({e})") from None
    with tar:
        def member(name):
            try:
                m = tar.getmember(name)
            except KeyError:
                raise _corrupt(f"the tar checkpoint has no member '{name}'") from None
            if not m.isfile():
                raise _corrupt(f"tar member '{name}' is not a regular file")
            return io.BytesIO(tar.extractfile(m).read())

        def unpickle(src, what, persistent_load=None):
            return RestrictedUnpickler(Source(src, len(src.getbuffer()), what), persistent_load,
                                       weights_only, encoding).load()

        objects = {}
        src = member("storages")
        size = len(src.getbuffer())
        count = unpickle(src, "storages")
        if type(count) is not int or count < 0:
            raise _corrupt("invalid storage count")
        for _ in range(count):
            entry = unpickle(src, "storages")
            if not (isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[2], _st.StorageType)):
                raise _corrupt(f"invalid storage entry {entry!r}")
            key, location, stype = entry
            head = src.read(8)
            if len(head) != 8:
                raise _corrupt(f"storage {key!r} is truncated")
            (numel,) = struct.unpack("<q", head)
            np_dtype = _st.NP_DTYPES[stype.dtype_name]
            if not 0 <= numel * np_dtype.itemsize <= size - src.tell():
                raise _corrupt(f"storage {key!r} declares {numel} elements, more than the file holds")
            arr = np.empty(numel, np_dtype)
            _read_into(src, arr, key)
            dtype_name = stype.dtype_name
            if dtype_name == "bfloat16":
                arr, dtype_name = _st.bfloat16_to_float32(arr, key), "float32"
            objects[key] = restore_location(_st.LoadedStorage(arr, str(key), dtype_name, location),
                                            location)
        views = unpickle(src, "storage views")
        for view in views if isinstance(views, list) else ():
            if not (isinstance(view, tuple) and len(view) == 4):
                raise _corrupt(f"invalid storage view {view!r}")
            target, root_key, offset, numel = view
            root = objects.get(root_key)
            if (root is None or type(offset) is not int or type(numel) is not int
                    or not 0 <= offset <= offset + numel <= root.array.size):
                raise _corrupt(f"invalid storage view {view!r}")
            objects[target] = _st.LoadedStorage(root.array[offset:offset + numel], str(target),
                                                 root.dtype_name, root.location)

        src = member("tensors")
        count = unpickle(src, "tensors")
        if type(count) is not int or count < 0:
            raise _corrupt("invalid tensor count")
        for _ in range(count):
            entry = unpickle(src, "tensors")
            if not (isinstance(entry, tuple) and len(entry) == 3):
                raise _corrupt(f"invalid tensor entry {entry!r}")
            key, storage_id, _ = entry
            st = objects.get(storage_id)
            if not isinstance(st, _st.LoadedStorage):
                raise _corrupt(f"tensor {key!r} refers to unknown storage {storage_id!r}")
            head = src.read(8)
            if len(head) != 8:
                raise _corrupt("tensor metadata is truncated")
            (ndim,) = struct.unpack("<i", head[:4])
            if not 0 <= ndim <= _st.MAX_DIMS:
                raise _corrupt(f"tensor {key!r} has invalid ndim {ndim}")
            meta = src.read(16 * ndim + 8)
            if len(meta) != 16 * ndim + 8:
                raise _corrupt("tensor metadata is truncated")
            values = struct.unpack(f"<{2 * ndim + 1}q", meta)
            objects[key] = _st.rebuild_tensor(st, values[-1], values[:ndim], values[ndim:2 * ndim])

        def persistent_load(saved_id):
            if isinstance(saved_id, tuple):
                raise UnpicklingError("the checkpoint contains a pickled nn.Module; ndgrad loads "
                                      "state dicts only")
            try:
                return objects[int(saved_id)]
            except (KeyError, ValueError):
                raise _corrupt(f"the pickle refers to unknown object {saved_id!r}") from None

        return unpickle(member("pickle"), "pickle", persistent_load)
