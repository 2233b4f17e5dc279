"""safetensors files, read and written natively (the ``safetensors`` package is not needed).

Format (https://github.com/huggingface/safetensors)::

    8 bytes      N, the header length, unsigned little-endian
    N bytes      a UTF-8 JSON object: {"name": {"dtype": "F32", "shape": [2, 3],
                 "data_offsets": [begin, end]}, ..., "__metadata__": {"key": "value"}}
                 (padded with spaces; this writer makes 8 + N a multiple of 8)
    the rest     the tensors' bytes, little-endian and C-contiguous; offsets are relative to here

The reader validates the header as the reference implementation does: a bounded header length,
known dtypes, shapes of non-negative integers whose size matches the byte range, byte ranges
inside the buffer that do not overlap and leave no gap. BF16 tensors load as float32 (exactly;
NumPy has no bfloat16).

Example:
    >>> ndgrad.serialization.save_file({"w": ndgrad.ones(2, 3)}, "model.safetensors")
    >>> ndgrad.serialization.load_file("model.safetensors")["w"].shape
    torch.Size([2, 3])
"""
import json
import os
import struct

import numpy as np

from .._tensor import Tensor
from . import storage as _st

MAX_HEADER_SIZE = 100_000_000   # the reference implementation's limit

_DTYPES = {
    "F64": np.dtype("<f8"), "F32": np.dtype("<f4"), "F16": np.dtype("<f2"), "BF16": np.dtype("<u2"),
    "I64": np.dtype("<i8"), "I32": np.dtype("<i4"), "I16": np.dtype("<i2"), "I8": np.dtype("i1"),
    "U8": np.dtype("u1"), "BOOL": np.dtype("?"), "C64": np.dtype("<c8"),
}
# In the format, but without an ndgrad dtype: refused with a clear message.
_UNSUPPORTED = {"U16": 2, "U32": 4, "U64": 8, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E8M0": 1, "F4": None,
                "F6_E2M3": None, "F6_E3M2": None}
_CODES = {np.dtype(np.float64): "F64", np.dtype(np.float32): "F32", np.dtype(np.float16): "F16",
          np.dtype(np.int64): "I64", np.dtype(np.int32): "I32", np.dtype(np.int16): "I16",
          np.dtype(np.int8): "I8", np.dtype(np.uint8): "U8", np.dtype(np.bool_): "BOOL",
          np.dtype(np.complex64): "C64"}


class SafetensorError(RuntimeError):
    """A safetensors file or object that does not follow the format."""


def is_safetensors(head, file_size):
    """True when the first 9 bytes ``head`` start a safetensors file of ``file_size`` bytes."""
    if len(head) < 9 or head[8:9] != b"{":
        return False
    (n,) = struct.unpack("<Q", head[:8])
    return 2 <= n <= min(MAX_HEADER_SIZE, file_size - 8)


# -- writing --------------------------------------------------------------------------------------

def _array(name, value):
    if isinstance(value, Tensor):
        arr = value._data
    elif isinstance(value, np.ndarray):
        arr = value
    else:
        raise TypeError(f"safetensors: '{name}' must be a tensor, got {type(value).__name__}")
    code = _CODES.get(arr.dtype.newbyteorder("="))
    if code is None:
        raise TypeError(f"safetensors: '{name}' has dtype {arr.dtype}, which safetensors cannot hold")
    arr = np.asarray(arr, dtype=_DTYPES[code])
    return code, arr if arr.flags.c_contiguous else arr.copy(order="C")  # (ascontiguousarray makes 0-d 1-d)


def _serialize(tensors, metadata):
    if not isinstance(tensors, dict):
        raise TypeError(f"safetensors: expected a dict of tensors, got {type(tensors).__name__}")
    header = {}
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                     for k, v in metadata.items()):
            raise TypeError("safetensors: metadata must be a dict of str to str")
        header["__metadata__"] = dict(metadata)
    entries = []
    for name, value in tensors.items():
        if not isinstance(name, str) or name == "__metadata__":
            raise TypeError(f"safetensors: invalid tensor name {name!r}")
        code, arr = _array(name, value)
        entries.append((name, code, arr))
    # Larger elements first, then by name (the reference writer's order): every tensor stays aligned.
    entries.sort(key=lambda e: (-e[2].itemsize, e[0]))
    offset = 0
    for name, code, arr in entries:
        header[name] = {"dtype": code, "shape": list(arr.shape), "data_offsets": [offset, offset + arr.nbytes]}
        offset += arr.nbytes
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)
    return struct.pack("<Q", len(text)) + text, [arr for _, _, arr in entries]


def save(tensors, metadata=None):
    """The safetensors bytes of ``tensors`` (a dict of name to tensor)."""
    head, arrays = _serialize(tensors, metadata)
    return head + b"".join(memoryview(a).cast("B") if a.size else b"" for a in arrays)


def save_file(tensors, filename, metadata=None):
    """Write ``tensors`` (a dict of name to tensor) to ``filename`` in the safetensors format.

    Args:
        tensors: ``{name: tensor}``; non-contiguous tensors are written contiguously.
        filename: a path.
        metadata: optional ``{str: str}`` stored as ``__metadata__``.
    """
    head, arrays = _serialize(tensors, metadata)
    with open(filename, "wb") as f:
        f.write(head)
        for a in arrays:
            if a.size:
                f.write(memoryview(a).cast("B"))


# -- reading --------------------------------------------------------------------------------------

def _no_duplicates(pairs):
    d = {}
    for k, v in pairs:
        if k in d:
            raise SafetensorError(f"safetensors header repeats the key {k!r}")
        d[k] = v
    return d


def parse_header(head8, read_header, file_size):
    """Validate the header; returns ``(metadata, [(name, dtype code, shape, begin, end)], data_start)``."""
    if len(head8) < 8 or file_size < 8:
        raise SafetensorError("not a safetensors file: shorter than its 8-byte header length")
    (n,) = struct.unpack("<Q", head8[:8])
    if n > MAX_HEADER_SIZE:
        raise SafetensorError(f"safetensors header length {n} exceeds the limit of {MAX_HEADER_SIZE} bytes")
    if 8 + n > file_size:
        raise SafetensorError(f"safetensors header length {n} runs past the end of the {file_size}-byte "
                              "file; the file is truncated or corrupt")
    raw = read_header(n)
    try:
        header = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except (UnicodeDecodeError, ValueError) as e:
        if isinstance(e, SafetensorError):
            raise
        raise SafetensorError(f"safetensors header is not valid UTF-8 JSON ({e})") from None
    if not isinstance(header, dict):
        raise SafetensorError("safetensors header must be a JSON object")
    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())):
        raise SafetensorError("safetensors __metadata__ must map strings to strings")
    buffer_len = file_size - 8 - n
    entries = []
    for name, info in header.items():
        if not isinstance(info, dict):
            raise SafetensorError(f"safetensors entry '{name}' must be an object")
        code, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if code in _UNSUPPORTED:
            raise SafetensorError(f"safetensors tensor '{name}' has dtype {code}, which ndgrad does not support")
        if code not in _DTYPES:
            raise SafetensorError(f"safetensors tensor '{name}' has unknown dtype {code!r}")
        if not isinstance(shape, list) or len(shape) > _st.MAX_DIMS or not all(
                type(s) is int and 0 <= s < 1 << 62 for s in shape):
            raise SafetensorError(f"safetensors tensor '{name}' has an invalid shape {shape!r}")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(type(o) is int for o in offsets)):
            raise SafetensorError(f"safetensors tensor '{name}' has invalid data_offsets {offsets!r}")
        begin, end = offsets
        if not 0 <= begin <= end <= buffer_len:
            raise SafetensorError(f"safetensors tensor '{name}' has data_offsets [{begin}, {end}] outside "
                                  f"the {buffer_len}-byte data buffer; the file is truncated or corrupt")
        numel = 1
        for s in shape:
            numel *= s
        if numel * _DTYPES[code].itemsize != end - begin:
            raise SafetensorError(f"safetensors tensor '{name}': shape {shape} of {code} needs "
                                  f"{numel * _DTYPES[code].itemsize} bytes but data_offsets span {end - begin}")
        entries.append((name, code, tuple(shape), begin, end))
    expected = 0
    for name, _, _, begin, end in sorted(entries, key=lambda e: (e[3], e[4])):
        if begin != expected:
            what = "overlaps the previous tensor" if begin < expected else "leaves a gap before it"
            raise SafetensorError(f"safetensors tensor '{name}' at data_offsets [{begin}, {end}] {what}")
        expected = end
    if expected != buffer_len:
        raise SafetensorError(f"safetensors data buffer has {buffer_len} bytes but the tensors cover "
                              f"{expected}; the file is corrupt")
    entries.sort(key=lambda e: (e[3], e[4]))
    return metadata, entries, 8 + n


def _tensor(arr, code, name):
    arr = arr.view(np.ndarray)  # a memmap's subclass would leak into every op's result
    if code == "BF16":
        arr = _st.bfloat16_to_float32(arr, name)
    return _st._tensor(arr.view(arr.dtype.newbyteorder("=")), False)


def load(data):
    """Tensors from safetensors ``data`` (bytes): ``{name: tensor}``."""
    data = memoryview(data).cast("B")
    _, entries, start = parse_header(bytes(data[:8]), lambda n: bytes(data[8:8 + n]), len(data))
    out = {}
    for name, code, shape, begin, end in entries:
        arr = np.frombuffer(bytearray(data[start + begin:start + end]), dtype=_DTYPES[code]).reshape(shape)
        out[name] = _tensor(arr, code, name)
    return out


def load_fileobj(f, path=None, mmap=False):
    """Tensors from the seekable binary file ``f`` (memory-mapped from ``path`` if ``mmap``)."""
    start_pos = f.tell()
    f.seek(0, os.SEEK_END)
    size = f.tell() - start_pos
    f.seek(start_pos)

    def read_header(n):
        return f.read(n)

    _, entries, start = parse_header(f.read(8), read_header, size)
    out = {}
    for name, code, shape, begin, end in entries:
        dtype = _DTYPES[code]
        count = (end - begin) // dtype.itemsize
        if mmap and path is not None and count:
            arr = np.memmap(path, dtype=dtype, mode="c", offset=start_pos + start + begin, shape=(count,))
        else:
            arr = np.empty(count, dtype)
            f.seek(start_pos + start + begin)
            buf = memoryview(arr).cast("B") if count else memoryview(b"")
            if count and f.readinto(buf) != len(buf):
                raise SafetensorError(f"safetensors tensor '{name}' is truncated")
        out[name] = _tensor(arr.reshape(shape), code, name)
    return out


def load_file(filename, device="cpu"):
    """Load a safetensors file: ``{name: tensor}`` in the file's order.

    Args:
        filename: a path.
        device: only "cpu" (ndgrad computes on the CPU).
    """
    from .._tensor import check_device
    check_device(device)
    with open(filename, "rb") as f:
        return load_fileobj(f)


def load_metadata(filename):
    """The ``__metadata__`` dict of a safetensors file (None if it has none)."""
    with open(filename, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        metadata, _, _ = parse_header(f.read(8), f.read, size)
    return metadata
