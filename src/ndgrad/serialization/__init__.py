"""Checkpoints: ``ndgrad.save`` / ``ndgrad.load`` in PyTorch's own file formats, without PyTorch.

* ``save`` writes torch's zip format (what ``torch.save`` writes since 1.6), byte-compatible with
  torch's writer, so ``torch.load(f, weights_only=True)`` reads it back exactly: dtypes, shapes,
  strides, storage offsets, shared storage of views, parameters and ``requires_grad``.
* ``load`` reads torch's zip format, the legacy pickle stream (``_use_new_zipfile_serialization=
  False``) and tar formats, and safetensors files (recognised by content), into ndgrad tensors.
  Loading is safe: a restricted unpickler (``unpickler.py``) never runs code from the file, and
  every tensor's offset, size and stride are checked against its storage.
* ``save_file`` / ``load_file`` read and write safetensors files (``safetensors.py``).

Example:
    >>> ndgrad.save(model.state_dict(), "model.pt")        # torch.load("model.pt") reads it
    >>> model.load_state_dict(ndgrad.load("resnet18.pth"))  # a checkpoint written by torch.save
"""
import io
import os
import pickle

from .._tensor import device as _device
from . import legacy, safetensors, storage, zip_format
from .safetensors import load_file, load_metadata, save_file
from .storage import LoadedStorage
from .allowlist import add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals

__all__ = ["save", "load", "save_file", "load_file", "load_metadata", "add_safe_globals",
           "clear_safe_globals", "get_safe_globals", "safe_globals"]


def save(obj, f, pickle_module=None, pickle_protocol=2, _use_new_zipfile_serialization=True,
         _disable_byteorder_record=False):
    """Save ``obj`` to ``f`` in PyTorch's checkpoint format (``torch.save``).

    Args:
        obj: tensors, parameters, state dicts (``OrderedDict``), optimizer state dicts, and nested
            dicts/lists/tuples of tensors, numbers, strings, bools and None.
        f: a path (str or ``os.PathLike``) or a writable binary file object.
        pickle_module: accepted for torch compatibility; only Python's ``pickle`` (or None).
        pickle_protocol: the protocol recorded in the pickle header (2 to 5). The opcodes are
            protocol 2's whatever the number: torch's ``weights_only`` loader reads no others.
        _use_new_zipfile_serialization: False writes the legacy (pre-1.6) pickle stream.
        _disable_byteorder_record: leave out the ``byteorder`` record, as torch does.

    Tensors that view the same NumPy memory (``t``, ``t.view(...)``, ``t.t()``) are saved as one
    storage, so torch loads them sharing storage too.

    Example:
        >>> ndgrad.save({"w": ndgrad.ones(2, 3)}, "ckpt.pt")
    """
    if pickle_module is not None and pickle_module is not pickle:
        raise TypeError("ndgrad.save writes its own pickles; pickle_module must be None or pickle")
    if type(pickle_protocol) is not int or not 2 <= pickle_protocol <= 5:
        raise ValueError(f"ndgrad.save supports pickle_protocol 2 to 5, got {pickle_protocol!r}")
    if _use_new_zipfile_serialization:
        prepared = zip_format.prepare(obj, pickle_protocol)

        def write(fileobj, name):
            zip_format.write(fileobj, prepared, name, not _disable_byteorder_record)
    else:
        prepared = legacy.prepare(obj, pickle_protocol)

        def write(fileobj, name):
            legacy.write(fileobj, prepared)
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        name = os.path.splitext(os.path.basename(path))[0] or "archive"
        with open(path, "wb") as fileobj:
            write(fileobj, name)
    elif hasattr(f, "write"):
        write(f, "archive")
        if hasattr(f, "flush"):
            f.flush()
    else:
        raise TypeError(f"ndgrad.save: f must be a path or a writable binary file object, got "
                        f"{type(f).__name__}")


def _check_cpu(target, what):
    text = target.decode() if isinstance(target, bytes) else str(target)
    try:
        dev = _device(text)
    except (RuntimeError, ValueError):
        raise RuntimeError(f"ndgrad.load: invalid {what} {target!r}") from None
    if dev.type != "cpu":
        raise RuntimeError(f"ndgrad computes on the CPU only; {what} {text!r} is not available "
                           "(use map_location='cpu' or leave it unset)")


def _device_like(obj):
    return isinstance(obj, (str, bytes, _device)) or (
        isinstance(getattr(obj, "type", None), str) and not callable(obj))


def _restore_location(map_location):
    """``restore(storage, location) -> storage`` for a ``map_location`` argument.

    ndgrad has only a CPU: storages saved from any device ('cuda:0', 'mps') load onto the CPU when
    ``map_location`` is None; an explicit target other than the CPU is an error.
    """
    if map_location is None:
        return lambda st, location: st
    if _device_like(map_location):
        _check_cpu(map_location, "map_location")
        return lambda st, location: st
    if isinstance(map_location, dict):
        for src, dst in map_location.items():
            if not _device_like(dst):
                raise TypeError(f"ndgrad.load: map_location maps {src!r} to {dst!r}, which is not a device")

        def restore(st, location):
            target = map_location.get(location)
            if target is not None:
                _check_cpu(target, f"map_location target for '{location}'")
            return st
        return restore
    if callable(map_location):
        def restore(st, location):
            result = map_location(st, location)
            if result is None or result is st:
                return st
            if isinstance(result, LoadedStorage):
                return result
            raise TypeError(f"ndgrad.load: the map_location callable returned {type(result).__name__}; "
                            "it must return the storage it was given (or None)")
        return restore
    raise TypeError(f"ndgrad.load: unsupported map_location {map_location!r}")


def _detect(f, size):
    start = f.tell()
    head = f.read(512)
    f.seek(start)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return "zip"
    if safetensors.is_safetensors(head, size):
        return "safetensors"
    if head[257:262] == b"ustar":
        return "tar"
    if head[:1] == b"\x80":
        return "legacy"
    if not head:
        raise RuntimeError("ndgrad.load: the file is empty")
    raise pickle.UnpicklingError(
        f"ndgrad.load: unrecognised file format (starts with {head[:8]!r}); expected a torch "
        "checkpoint (zip or legacy pickle), or a safetensors file")


def load(f, map_location=None, pickle_module=None, *, weights_only=True, mmap=None, **pickle_load_args):
    """Load a checkpoint written by ``torch.save``, ``ndgrad.save`` or safetensors (``torch.load``).

    Args:
        f: a path (str or ``os.PathLike``) or a readable binary file object.
        map_location: None, 'cpu', a device, a ``{saved: target}`` dict or a callable
            ``(storage, location) -> storage``. ndgrad computes on the CPU, so storages saved on
            a GPU load onto the CPU; asking for any other target is an error.
        pickle_module: accepted for torch compatibility; only Python's ``pickle`` (or None).
        weights_only: True (the default, as in torch) loads tensors, containers and plain data
            only. False additionally accepts NumPy scalars, dtypes and numeric arrays and
            ``argparse.Namespace`` (common in old training checkpoints); ndgrad never unpickles
            arbitrary classes or functions, whatever this flag says (see ``add_safe_globals``).
        mmap: map storages from the file (copy-on-write ``np.memmap``: in-place changes never
            reach the file) instead of reading them. Applies to zip checkpoints and safetensors
            files given as a path or a real file; otherwise (file-like buffers, the legacy
            formats, big-endian checkpoints) the data is read as usual.
        **pickle_load_args: ``encoding`` for Python 2 strings ('utf-8' by default, 'latin1', 'bytes').

    Returns:
        The saved object with ndgrad tensors in place of torch's (``OrderedDict`` preserved).

    Raises:
        pickle.UnpicklingError: the file names a global outside the allow-list (nothing from it
            was executed) or its pickle is corrupt.
        RuntimeError: the file is truncated or corrupt (missing records, short storages, tensors
            reaching outside their storage, wrong magic number).

    Example:
        >>> state = ndgrad.load("resnet18.pth", map_location="cpu")
    """
    if pickle_module is not None and pickle_module is not pickle:
        raise TypeError("ndgrad.load uses its own restricted unpickler; pickle_module must be None or pickle")
    encoding = pickle_load_args.pop("encoding", "utf-8")
    if pickle_load_args:
        raise TypeError(f"ndgrad.load got unexpected arguments {sorted(pickle_load_args)}")
    weights_only = True if weights_only is None else bool(weights_only)
    restore = _restore_location(map_location)
    if isinstance(f, (str, os.PathLike)):
        path = os.fspath(f)
        with open(path, "rb") as fileobj:
            return _load(fileobj, path, restore, weights_only, bool(mmap), encoding)
    if not hasattr(f, "read"):
        raise TypeError(f"ndgrad.load: f must be a path or a readable binary file object, got {type(f).__name__}")
    path = None
    seekable = getattr(f, "seekable", lambda: False)()
    if not seekable:
        f = io.BytesIO(f.read())
    elif mmap and isinstance(getattr(f, "name", None), str) and f.tell() == 0 and os.path.isfile(f.name):
        path = f.name
    return _load(f, path, restore, weights_only, bool(mmap), encoding)


def _load(f, path, restore, weights_only, mmap, encoding):
    start = f.tell()
    size = f.seek(0, os.SEEK_END) - start
    f.seek(start)
    kind = _detect(f, size)
    if kind == "zip":
        obj = zip_format.load(f, path, restore, weights_only, mmap, encoding)
    elif kind == "safetensors":
        return safetensors.load_fileobj(f, path if start == 0 else None, mmap)
    elif kind == "tar":
        obj = legacy.load_tar(f, restore, weights_only, encoding)
    else:
        obj = legacy.load(f, restore, weights_only, encoding)
    if isinstance(obj, LoadedStorage):  # a bare storage was saved: give its data as a 1-d tensor
        obj = storage._tensor(obj.array, False)
    return obj
