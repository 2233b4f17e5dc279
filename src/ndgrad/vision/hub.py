"""Pretrained checkpoint files: local paths, caches (ndgrad's, then torch's) and verified downloads.

``load_state_dict_from_url`` (torch.hub's function, same arguments) looks for the file named by
the URL in

1. ``$NDGRAD_HOME/checkpoints`` (default ``~/.cache/ndgrad/checkpoints``), then
2. torch's cache ``$TORCH_HOME/hub/checkpoints`` (default ``~/.cache/torch/hub/checkpoints``), so
   weights a PyTorch/torchvision user already downloaded are used as they are,

and downloads it into the first otherwise. Downloads go to a temporary file in the same folder,
are checked against the SHA-256 prefix in the file name (``resnet18-f37072fd.pth``: the hash
starts with ``f37072fd``) when ``check_hash`` is set, and are renamed into place only when
complete, so an interrupted or corrupt download never leaves a file that looks valid. Loading
goes through ``ndgrad.load``: nothing in the file is executed.

Example:
    >>> sd = load_state_dict_from_url("https://download.pytorch.org/models/resnet18-f37072fd.pth",
    ...                               check_hash=True)
"""
import hashlib
import http.client
import io
import os
import re
import sys
import time
import uuid
import zipfile
from urllib.parse import urlparse
from urllib.request import Request, urlopen

__all__ = ["load_state_dict_from_url", "download_url_to_file", "get_dir", "set_dir", "checkpoint_dirs",
           "load_local_state_dict", "HASH_REGEX"]

# matches the sha256 prefix in "<name>-<hash>.<ext>" (torch.hub's pattern)
HASH_REGEX = re.compile(r"-([a-f0-9]*)\.")
READ_DATA_CHUNK = 128 * 1024

_hub_dir = None


def _cache_home():
    return os.path.expanduser(os.getenv("XDG_CACHE_HOME", os.path.join("~", ".cache")))


def get_dir():
    """ndgrad's cache folder: ``set_dir``'s value, else ``$NDGRAD_HOME``, else ``~/.cache/ndgrad``."""
    if _hub_dir is not None:
        return _hub_dir
    return os.path.expanduser(os.getenv("NDGRAD_HOME", os.path.join(_cache_home(), "ndgrad")))


def set_dir(d):
    """Use ``d`` as ndgrad's cache folder (checkpoints go to ``d/checkpoints``)."""
    global _hub_dir
    _hub_dir = os.path.expanduser(os.fspath(d))


def _torch_checkpoint_dir():
    torch_home = os.path.expanduser(os.getenv("TORCH_HOME", os.path.join(_cache_home(), "torch")))
    return os.path.join(torch_home, "hub", "checkpoints")


def checkpoint_dirs():
    """The folders searched for checkpoints, in order: ndgrad's, then torch's."""
    return [os.path.join(get_dir(), "checkpoints"), _torch_checkpoint_dir()]


# -- loading ---------------------------------------------------------------------------------------

def _is_legacy_zip_format(path):
    # torchvision's oldest checkpoints are a zip holding one pickled file (not torch's zip layout)
    if not zipfile.is_zipfile(path):
        return False
    with zipfile.ZipFile(path) as zf:
        infolist = zf.infolist()
    return len(infolist) == 1 and not infolist[0].is_dir()


def _load_file(path, map_location=None, weights_only=True):
    from ..serialization import load
    if _is_legacy_zip_format(path):
        with zipfile.ZipFile(path) as zf:
            data = zf.read(zf.infolist()[0])
        return load(io.BytesIO(data), map_location=map_location, weights_only=weights_only)
    return load(path, map_location=map_location, weights_only=weights_only)


def load_local_state_dict(path, map_location=None, weights_only=True):
    """Load a state dict from a local checkpoint file (the ``weights="path.pth"`` route of the builders).

    A checkpoint that wraps the weights (``{"state_dict": ...}`` or ``{"model": ...}``, as training
    scripts often save) is unwrapped.
    """
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no checkpoint file at {path!r}")
    obj = _load_file(path, map_location, weights_only)
    if isinstance(obj, dict) and not any(hasattr(v, "shape") for v in obj.values()):
        for key in ("state_dict", "model", "model_state_dict"):
            if isinstance(obj.get(key), dict):
                return obj[key]
    return obj


def _not_available_error(url, filename, candidates, reason):
    places = "\n".join(f"  {os.path.join(d, filename)}" for d in candidates)
    return RuntimeError(
        f"ndgrad could not get the checkpoint {filename!r}: downloading {url} failed ({reason}).\n"
        f"It looked for a copy of the file in:\n{places}\n"
        f"To use these weights without network access, download {url} on a machine that has it "
        f"(e.g. `curl -LO {url}`) and copy the file, under the same name, into one of these folders "
        f"(torch's cache is shared with PyTorch/torchvision), or load it from any path with "
        f"`ndgrad.load(path)` or the model builder's `weights='path/to/{filename}'`.")


def load_state_dict_from_url(url, model_dir=None, map_location=None, progress=True, check_hash=False,
                             file_name=None, weights_only=True):
    """Load the checkpoint at ``url``, from a cache if present, else downloaded (torch.hub's function).

    Args:
        url: the checkpoint's URL (``https://``, ``http://`` or ``file://``).
        model_dir: the one folder to cache in and look in; default: ndgrad's cache, then torch's
            (``checkpoint_dirs()``), downloading into ndgrad's.
        map_location: as ``ndgrad.load``.
        progress: show a progress bar on stderr while downloading (tqdm if installed).
        check_hash: verify a download against the SHA-256 prefix in its file name
            (``-<hex>.`` as in ``resnet18-f37072fd.pth``).
        file_name: the cache file name (default: the URL's last path component).
        weights_only: as ``ndgrad.load`` (which never executes code from the file either way).

    Returns:
        The loaded object (a state dict for model checkpoints).

    Raises:
        RuntimeError: the file is in no cache and cannot be downloaded (the message names the
            folders searched and how to place the file by hand), or its hash does not match.
    """
    if model_dir is not None:
        candidates = [os.path.expanduser(os.fspath(model_dir))]
    else:
        candidates = checkpoint_dirs()
    filename = file_name if file_name is not None else os.path.basename(urlparse(url).path)
    if not filename:
        raise ValueError(f"cannot derive a file name from the URL {url!r}; pass file_name=")
    for d in candidates:
        cached_file = os.path.join(d, filename)
        if os.path.isfile(cached_file):
            return _load_file(cached_file, map_location, weights_only)

    target_dir = candidates[0]
    cached_file = os.path.join(target_dir, filename)
    hash_prefix = None
    if check_hash:
        r = HASH_REGEX.search(filename)
        hash_prefix = r.group(1) if r else None
    try:
        os.makedirs(target_dir, exist_ok=True)
    except OSError as e:
        raise _not_available_error(url, filename, candidates, f"cannot create {target_dir}: {e}") from e
    sys.stderr.write(f'Downloading: "{url}" to {cached_file}\n')
    try:
        download_url_to_file(url, cached_file, hash_prefix, progress=progress)
    except _HashMismatch:
        raise
    except (OSError, ValueError, http.client.HTTPException) as e:  # URLError, HTTPError, timeouts, short reads
        raise _not_available_error(url, filename, candidates, f"{type(e).__name__}: {e}") from e
    return _load_file(cached_file, map_location, weights_only)


# -- downloading ------------------------------------------------------------------------------------

class _HashMismatch(RuntimeError):
    pass


class _Progress:
    """tqdm when it is installed, else one stderr line redrawn at most every 0.1 s."""

    def __init__(self, total, enabled, desc):
        self.total, self.enabled, self.desc = total, enabled, desc
        self.done = 0
        self.bar = None
        self._last = 0.0
        if enabled:
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self.bar = tqdm(total=total, unit="B", unit_scale=True, unit_divisor=1024, desc=desc)

    def update(self, n):
        self.done += n
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.update(n)
            return
        now = time.monotonic()
        if now - self._last >= 0.1:
            self._last = now
            self._draw()

    def _draw(self):
        mb = self.done / 2 ** 20
        if self.total:
            line = f"\r{self.desc}: {mb:.1f}/{self.total / 2 ** 20:.1f} MiB ({100 * self.done / self.total:.0f}%)"
        else:
            line = f"\r{self.desc}: {mb:.1f} MiB"
        sys.stderr.write(line)
        sys.stderr.flush()

    def close(self):
        if not self.enabled:
            return
        if self.bar is not None:
            self.bar.close()
        else:
            self._draw()
            sys.stderr.write("\n")
            sys.stderr.flush()


def download_url_to_file(url, dst, hash_prefix=None, progress=True, timeout=60):
    """Download ``url`` to the path ``dst`` atomically, optionally checking a SHA-256 prefix.

    The bytes go to a temporary file next to ``dst`` that is renamed to ``dst`` only once the
    download is complete (and its hash matches); on any error or interruption the temporary file
    is deleted, so ``dst`` either does not exist or holds the whole, verified file.

    Raises:
        RuntimeError: the SHA-256 of the download does not start with ``hash_prefix``.
        OSError: network errors (``urllib.error.URLError``), or fewer bytes than announced.
    """
    dst = os.path.expanduser(os.fspath(dst))
    req = Request(url, headers={"User-Agent": "ndgrad.hub"})
    with urlopen(req, timeout=timeout) as u:
        length = u.headers.get("Content-Length") if getattr(u, "headers", None) is not None else None
        file_size = int(length) if length is not None and length.isdigit() else None
        # a unique name in the destination folder, so the final rename is atomic (same file system)
        tmp_path = f"{dst}.{uuid.uuid4().hex}.partial"
        bar = _Progress(file_size, progress, os.path.basename(dst))
        try:
            sha256 = hashlib.sha256() if hash_prefix is not None else None
            try:
                with open(tmp_path, "xb") as f:
                    while True:
                        buffer = u.read(READ_DATA_CHUNK)
                        if not buffer:
                            break
                        f.write(buffer)
                        if sha256 is not None:
                            sha256.update(buffer)
                        bar.update(len(buffer))
                    f.flush()
                    os.fsync(f.fileno())
            finally:
                bar.close()
            if file_size is not None and bar.done != file_size:
                raise OSError(f"incomplete download: got {bar.done} of {file_size} bytes")
            if sha256 is not None:
                digest = sha256.hexdigest()
                if digest[:len(hash_prefix)] != hash_prefix:
                    raise _HashMismatch(f'invalid hash value (expected "{hash_prefix}", got "{digest}"); the '
                                        f"download from {url} is corrupt or not the published file, and was "
                                        "discarded")
            os.replace(tmp_path, dst)
        finally:
            if os.path.exists(tmp_path):
                os.remove(tmp_path)
