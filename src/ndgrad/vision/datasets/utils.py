"""Download, verify and unpack dataset files (torchvision.datasets.utils), safely.

Downloads go through ``hub.download_url_to_file`` (temporary file + atomic rename) and are checked
against the MD5 sums torchvision publishes before they get their final name; archives are
unpacked member by member, refusing absolute paths, ``..`` and links that would leave the target
folder, and decompressed files are also written under a temporary name first.
"""
import bz2
import gzip
import hashlib
import http.client
import lzma
import os
import shutil
import tarfile
import uuid
import zipfile
from urllib.parse import urlparse

from .. import hub

__all__ = ["calculate_md5", "check_md5", "check_integrity", "download_url", "extract_archive",
           "download_and_extract_archive"]


def calculate_md5(fpath, chunk_size=1024 * 1024):
    md5 = hashlib.md5(usedforsecurity=False)
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            md5.update(chunk)
    return md5.hexdigest()


def check_md5(fpath, md5, **kwargs):
    return md5 == calculate_md5(fpath, **kwargs)


def check_integrity(fpath, md5=None):
    """The file exists and, when ``md5`` is given, has that MD5 sum."""
    if not os.path.isfile(fpath):
        return False
    if md5 is None:
        return True
    return check_md5(fpath, md5)


def download_url(url, root, filename=None, md5=None, progress=True):
    """Download ``url`` to ``root/filename`` unless a verified copy is there.

    Raises:
        RuntimeError: the download's MD5 does not match (nothing is left under ``filename``).
        OSError / http.client.HTTPException: network errors.
    """
    root = os.path.expanduser(root)
    if not filename:
        filename = os.path.basename(urlparse(url).path)
    fpath = os.path.join(root, filename)
    os.makedirs(root, exist_ok=True)
    if check_integrity(fpath, md5):
        return fpath
    tmp = f"{fpath}.{uuid.uuid4().hex}.partial"
    try:
        hub.download_url_to_file(url, tmp, progress=progress)
        if md5 is not None and not check_md5(tmp, md5):
            raise RuntimeError(f"The MD5 of the file downloaded from {url} is {calculate_md5(tmp)}, not {md5}: the "
                               "download is corrupt or not the published file, and was discarded")
        os.replace(tmp, fpath)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return fpath


def _check_member(name, to_path):
    target = os.path.realpath(os.path.join(to_path, name))
    root = os.path.realpath(to_path)
    if os.path.isabs(name) or not (target == root or target.startswith(root + os.sep)):
        raise RuntimeError(f"refusing to extract {name!r}: it would be written outside {to_path}")


def _extract_tar(from_path, to_path, mode):
    with tarfile.open(from_path, mode) as tar:
        members = tar.getmembers()
        for m in members:
            _check_member(m.name, to_path)
            if m.issym() or m.islnk():
                raise RuntimeError(f"refusing to extract the link {m.name!r} from {from_path}")
            if not (m.isfile() or m.isdir()):
                raise RuntimeError(f"refusing to extract the special file {m.name!r} from {from_path}")
        if hasattr(tarfile, "data_filter"):  # Python >= 3.11.4: the standard library's own checks too
            tar.extractall(to_path, members=members, filter="data")
        else:
            tar.extractall(to_path, members=members)


def _extract_zip(from_path, to_path):
    with zipfile.ZipFile(from_path) as zf:
        for name in zf.namelist():
            _check_member(name, to_path)
        zf.extractall(to_path)


_COMPRESSORS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}
_TAR_MODES = {".tar": "r:", ".tar.gz": "r:gz", ".tgz": "r:gz", ".tar.bz2": "r:bz2", ".tbz": "r:bz2",
              ".tar.xz": "r:xz", ".txz": "r:xz"}


def extract_archive(from_path, to_path=None, remove_finished=False):
    """Unpack a tar/zip archive into ``to_path``, or decompress a ``.gz``/``.bz2``/``.xz`` file.

    Returns:
        ``to_path`` (an archive) or the decompressed file's path.
    """
    if to_path is None:
        to_path = os.path.dirname(from_path)
    name = os.path.basename(from_path).lower()
    tar_suffix = next((s for s in sorted(_TAR_MODES, key=len, reverse=True) if name.endswith(s)), None)
    if tar_suffix is not None:
        _extract_tar(from_path, to_path, _TAR_MODES[tar_suffix])
        result = to_path
    elif name.endswith(".zip"):
        _extract_zip(from_path, to_path)
        result = to_path
    else:
        suffix = os.path.splitext(name)[1]
        if suffix not in _COMPRESSORS:
            raise RuntimeError(f"Archive type of {from_path} is not supported")
        result = os.path.join(to_path, os.path.basename(from_path)[:-len(suffix)])
        tmp = f"{result}.{uuid.uuid4().hex}.partial"
        try:
            with _COMPRESSORS[suffix](from_path, "rb") as rf, open(tmp, "wb") as wf:
                shutil.copyfileobj(rf, wf)
            os.replace(tmp, result)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
    if remove_finished:
        os.remove(from_path)
    return result


def download_and_extract_archive(url, download_root, extract_root=None, filename=None, md5=None,
                                 remove_finished=False, progress=True):
    download_root = os.path.expanduser(download_root)
    if extract_root is None:
        extract_root = download_root
    if not filename:
        filename = os.path.basename(urlparse(url).path)
    archive = download_url(url, download_root, filename, md5, progress=progress)
    return extract_archive(archive, extract_root, remove_finished)


NETWORK_ERRORS = (OSError, http.client.HTTPException)
