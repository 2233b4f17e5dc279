"""torch's zip checkpoint format (``torch.save`` since 1.6): writer and reader.

Layout of a checkpoint written to ``model.pt`` (records in this order, all stored uncompressed)::

    model/data.pkl                 the object, pickled (protocol 2) with persistent ids
                                   ('storage', torch.FloatStorage, '<key>', 'cpu', numel)
    model/.format_version          b"1"
    model/.storage_alignment       b"64"
    model/byteorder                b"little"
    model/data/<key>               each storage's raw bytes, keys "0", "1", ... in first-use order
    model/version                  b"3\\n"
    model/.data/serialization_id   40 random digits

The folder is the file's name without its extension ("archive" for file objects). torch writes
with miniz: every local header carries an extra field ``FB`` of ``Z`` padding so that the record's
data starts at a multiple of 64 bytes, general-purpose flag bit 3 (sizes in a data descriptor after
the data, none for empty records), no timestamps, and a zip64 end-of-central-directory record even
for small files. ``ZipWriter`` reproduces that byte for byte, so torch's loader (including its
offset arithmetic for ``mmap=True``) reads ndgrad's files exactly as its own.
"""
import io
import os
import secrets
import struct
import zipfile
import zlib

import numpy as np

from . import storage as _st
from .pickler import TorchPickler
from .unpickler import RestrictedUnpickler, Source

ALIGNMENT = 64
_ZIP64_LIMIT = 0xFFFFFFFF  # records or offsets at or beyond this need zip64 fields (tests lower it)
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")


def _padding(offset, name_len, size, alignment=ALIGNMENT):
    """Bytes of ``Z`` padding miniz/torch put in the ``FB`` extra field (getPadding in torch)."""
    start = offset + 30 + name_len + 4
    if size >= _ZIP64_LIMIT or offset >= _ZIP64_LIMIT:
        start += 20
    mod = start % alignment
    return 0 if mod == 0 else alignment - mod


class ZipWriter:
    """Writes a zip archive sequentially (no seeking), laid out like torch's miniz writer."""

    def __init__(self, f, archive_name):
        self.f = f
        self.prefix = archive_name + "/"
        self.offset = 0
        self.entries = []  # (name bytes, crc, size, header offset, flags)

    def _write(self, data):
        self.f.write(data)
        self.offset += len(data)

    def write_record(self, name, data):
        """Add ``data`` (bytes or a flat uint8 array) as record ``<archive>/<name>``."""
        name_b = (self.prefix + name).encode("utf-8")
        view = memoryview(data).cast("B") if not isinstance(data, (bytes, bytearray)) else memoryview(data)
        size = view.nbytes
        header_offset = self.offset
        zip64 = size >= _ZIP64_LIMIT or header_offset >= _ZIP64_LIMIT
        pad = _padding(header_offset, len(name_b), size)
        extra = b""
        if zip64:
            extra += struct.pack("<HHQQ", 1, 16, size, size)
        extra += b"FB" + struct.pack("<H", pad) + b"Z" * pad
        flags = 0x0808 if size else 0x0800
        sz32 = 0xFFFFFFFF if zip64 else 0
        self._write(_LOCAL.pack(0x04034B50, 0, flags, 0, 0, 0, 0, sz32, sz32, len(name_b), len(extra)))
        self._write(name_b)
        self._write(extra)
        crc = 0
        if size:
            self._write(view)
            crc = zlib.crc32(view)
            if zip64:
                self._write(struct.pack("<IIQQ", 0x08074B50, crc, size, size))
            else:
                self._write(struct.pack("<IIII", 0x08074B50, crc, size, size))
        self.entries.append((name_b, crc, size, header_offset, flags))

    def close(self):
        cd_start = self.offset
        for name_b, crc, size, header_offset, flags in self.entries:
            extra = b""
            size32, off32 = size, header_offset
            if size >= _ZIP64_LIMIT:
                extra += struct.pack("<QQ", size, size)
                size32 = 0xFFFFFFFF
            if header_offset >= _ZIP64_LIMIT:
                extra += struct.pack("<Q", header_offset)
                off32 = 0xFFFFFFFF
            if extra:
                extra = struct.pack("<HH", 1, len(extra)) + extra
            self._write(_CENTRAL.pack(0x02014B50, 0, 0, flags, 0, 0, 0, crc, size32, size32,
                                      len(name_b), len(extra), 0, 0, 0, 0, off32))
            self._write(name_b)
            self._write(extra)
        cd_size = self.offset - cd_start
        n = len(self.entries)
        eocd64 = self.offset
        self._write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 0x002D, 0, 0, n, n, cd_size, cd_start))
        self._write(struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1))
        self._write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, min(n, 0xFFFF), min(n, 0xFFFF),
                                min(cd_size, 0xFFFFFFFF), min(cd_start, 0xFFFFFFFF), 0))


def serialization_id():
    """40 random decimal digits, like the id torch's writer records."""
    return "".join(str(secrets.randbelow(10)) for _ in range(40))


def prepare(obj, protocol=2):
    """Pickle ``obj``; returns ``(data_pkl, storage records)`` for ``write`` (nothing written yet,
    so an object that cannot be saved leaves no half-written file behind)."""
    registry = _st.StorageRegistry()
    data_pkl = TorchPickler(registry.describe, protocol=protocol).dumps(obj)
    return data_pkl, registry.records


def write(f, prepared, archive_name="archive", byteorder_record=True):
    """Write a ``prepare``d checkpoint to the binary file object ``f`` in torch's zip format."""
    data_pkl, records = prepared
    w = ZipWriter(f, archive_name)
    w.write_record("data.pkl", data_pkl)
    w.write_record(".format_version", b"1")
    w.write_record(".storage_alignment", str(ALIGNMENT).encode())
    if byteorder_record:
        w.write_record("byteorder", b"little")
    for key, data, _ in records:
        w.write_record(f"data/{key}", data)
    w.write_record("version", b"3\n")
    w.write_record(".data/serialization_id", serialization_id().encode())
    w.close()


# -- reading --------------------------------------------------------------------------------------

def _corrupt(msg):
    return RuntimeError(f"ndgrad.load: {msg}")


class ZipReader:
    """Reads records of a torch zip checkpoint, with clear errors for damaged archives."""

    def __init__(self, f, path=None):
        self.f = f
        self.path = path
        try:
            self.zf = zipfile.ZipFile(f)
        except zipfile.BadZipFile as e:
            raise _corrupt(f"the file is not a valid zip archive ({e}); it may be truncated or "
                           "corrupt") from None
        except (OSError, ValueError, EOFError, OverflowError, struct.error) as e:
            raise _corrupt(f"cannot read the zip archive ({e}); it may be truncated or corrupt") from None
        infos = self.zf.infolist()
        if not infos:
            raise _corrupt("the zip archive is empty")
        f.seek(0, os.SEEK_END)
        size = f.tell()
        for i in infos:
            if not 0 <= i.header_offset < size or i.file_size < 0:
                raise _corrupt(f"the zip directory entry of '{i.filename}' points outside the file; "
                               "the file is corrupt")
        first = infos[0].filename
        self.prefix = first.split("/", 1)[0] + "/" if "/" in first else ""
        self.infos = {i.filename: i for i in infos}

    def has(self, name):
        return self.prefix + name in self.infos

    def info(self, name):
        info = self.infos.get(self.prefix + name)
        if info is None:
            raise _corrupt(f"the checkpoint has no record '{self.prefix}{name}'; it is truncated, "
                           "corrupt or not a torch checkpoint")
        return info

    def read(self, name, limit=None):
        info = self.info(name)
        if limit is not None and info.file_size > limit:
            raise _corrupt(f"record '{info.filename}' is implausibly large ({info.file_size} bytes)")
        try:
            return self.zf.read(info)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, OverflowError,
                struct.error, NotImplementedError) as e:
            raise _corrupt(f"cannot read record '{info.filename}' ({e}); the file is truncated or "
                           "corrupt") from None

    def data_offset(self, info):
        """Where a stored record's bytes start in the file (after its local header)."""
        self.f.seek(info.header_offset)
        header = self.f.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise _corrupt(f"the local header of record '{info.filename}' is damaged")
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        return info.header_offset + 30 + name_len + extra_len

    def read_storage(self, name, nbytes, np_dtype, mmap_path=None):
        """The first ``nbytes`` of record ``name`` as a flat, writable array of ``np_dtype``."""
        info = self.info(name)
        if info.file_size < nbytes:
            raise _corrupt(f"storage record '{info.filename}' holds {info.file_size} bytes but the "
                           f"checkpoint declares {nbytes}; the file is truncated or corrupt")
        count = nbytes // np_dtype.itemsize
        if nbytes == 0:
            return np.empty(0, np_dtype)
        stored = info.compress_type == zipfile.ZIP_STORED
        if stored:
            start = self.data_offset(info)
            self.f.seek(0, os.SEEK_END)
            if start + nbytes > self.f.tell():
                raise _corrupt(f"storage record '{info.filename}' runs past the end of the file; "
                               "the file is truncated")
            if mmap_path is not None:
                # Copy-on-write, like torch's mmap: in-place ops never write to the file.
                return np.memmap(mmap_path, dtype=np_dtype, mode="c", offset=start,
                                 shape=(count,)).view(np.ndarray)
            arr = np.empty(count, np_dtype)
            self.f.seek(start)
            buf = memoryview(arr).cast("B")
            got = 0
            while got < nbytes:
                n = self.f.readinto(buf[got:])
                if not n:
                    raise _corrupt(f"storage record '{info.filename}' is truncated")
                got += n
            if info.file_size == nbytes and zlib.crc32(buf) != info.CRC:
                raise _corrupt(f"storage record '{info.filename}' fails its CRC-32 check; the file "
                               "is corrupt")
            return arr
        data = self.read(name)
        arr = np.empty(count, np_dtype)
        memoryview(arr).cast("B")[:] = data[:nbytes]
        return arr


def load(f, path, restore_location, weights_only=True, mmap=False, encoding="utf-8"):
    """Load a torch zip checkpoint from the seekable binary file ``f`` (``path`` if it is a file)."""
    z = ZipReader(f, path)
    if not z.has("data.pkl"):
        if z.has("constants.pkl") or z.has("code/"):
            raise RuntimeError("ndgrad.load: this is a TorchScript archive (torch.jit.save), which "
                               "ndgrad cannot load; save a state_dict with torch.save instead")
        z.info("data.pkl")
    byteorder = "little"
    if z.has("byteorder"):
        byteorder = z.read("byteorder", limit=16).decode("ascii", "replace")
        if byteorder not in ("little", "big"):
            raise _corrupt(f"unknown byte order record {byteorder!r}")
    mmap_path = path if (mmap and path is not None and byteorder == "little") else None
    storages = {}

    def persistent_load(pid):
        if type(pid) is not tuple or len(pid) != 5 or pid[0] not in ("storage", b"storage"):
            raise _corrupt(f"invalid persistent id {pid!r} in data.pkl")
        _, stype, key, location, numel = pid
        if not isinstance(stype, _st.StorageType):
            raise _corrupt(f"invalid storage type {stype!r} in data.pkl")
        if isinstance(key, bytes):
            key = key.decode("ascii", "replace")
        if isinstance(location, bytes):
            location = location.decode("ascii", "replace")
        if not isinstance(key, str) or "/" in key or ".." in key or not isinstance(location, str):
            raise _corrupt(f"invalid storage key {key!r} in data.pkl")
        if type(numel) is not int or numel < 0:
            raise _corrupt(f"invalid storage size {numel!r} for storage '{key}'")
        st = storages.get(key)
        if st is not None:
            if st.dtype_name != stype.dtype_name and stype.dtype_name != "bfloat16":
                return _st.LoadedStorage(st.typed(stype.dtype_name), key, stype.dtype_name, location)
            return st
        np_dtype = _st.NP_DTYPES[stype.dtype_name]
        nbytes = numel * np_dtype.itemsize
        arr = z.read_storage(f"data/{key}", nbytes, np_dtype, mmap_path)
        if byteorder == "big" and np_dtype.itemsize > 1:
            arr = arr.byteswap()
        dtype_name = stype.dtype_name
        if dtype_name == "bfloat16":
            arr = _st.bfloat16_to_float32(arr, key)
            dtype_name = "float32"
        st = restore_location(_st.LoadedStorage(arr, key, dtype_name, location), location)
        storages[key] = st
        return st

    data = z.read("data.pkl")
    obj = RestrictedUnpickler(Source(io.BytesIO(data), len(data), "data.pkl"), persistent_load,
                              weights_only, encoding).load()
    return obj
