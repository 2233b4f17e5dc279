"""ndgrad.vision.hub: caches (ndgrad's, then torch's), verified atomic downloads, clear errors.

A real HTTP server (http.server on 127.0.0.1, in a thread) serves checkpoints written with
torch.save; no test touches the network beyond the loopback interface.
"""
import hashlib
import http.server
import io
import os
import socket
import sys
import threading
import zipfile
from enum import Enum

import numpy as np
import pytest
import torch

import ndgrad
from ndgrad.vision import hub
from ndgrad.vision.models import Weights, WeightsEnum


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        server = self.server
        server.requests.append(self.path)
        kind, _, name = self.path.lstrip("/").partition("/")
        data = server.files.get(name)
        if data is None:
            self.send_error(404, "not here")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if kind == "truncated":
            # announce the whole file, send half of it, hang up: a dropped connection
            self.wfile.write(data[:len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(data)


@pytest.fixture
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.files = {}
    httpd.requests = []
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def homes(tmp_path, monkeypatch):
    """Empty ndgrad and torch homes; returns (ndgrad checkpoints dir, torch checkpoints dir)."""
    monkeypatch.setenv("NDGRAD_HOME", str(tmp_path / "ndgrad_home"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    monkeypatch.setattr(hub, "_hub_dir", None)
    return tmp_path / "ndgrad_home" / "checkpoints", tmp_path / "torch_home" / "hub" / "checkpoints"


def _dead_url(name):
    # a port nothing listens on: connection refused, immediately
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return f"http://127.0.0.1:{port}/files/{name}"


def _checkpoint_bytes(seed=0, legacy=False):
    g = torch.Generator().manual_seed(seed)
    sd = {"conv.weight": torch.randn(4, 3, 3, 3, generator=g), "bn.running_mean": torch.randn(4, generator=g),
          "bn.num_batches_tracked": torch.tensor(5)}
    buf = io.BytesIO()
    torch.save(sd, buf, _use_new_zipfile_serialization=not legacy)
    return sd, buf.getvalue()


def _hashed_name(data, stem="tiny"):
    return f"{stem}-{hashlib.sha256(data).hexdigest()[:8]}.pth"


def _assert_same(loaded, sd):
    assert list(loaded) == list(sd)
    for k, v in sd.items():
        np.testing.assert_array_equal(loaded[k].numpy(), v.numpy(), err_msg=k)
        assert str(loaded[k].dtype) == str(v.dtype)


def _files(d):
    return sorted(os.listdir(d)) if os.path.isdir(d) else []


def test_cache_locations(homes, tmp_path, monkeypatch):
    nd_dir, th_dir = homes
    assert hub.checkpoint_dirs() == [str(nd_dir), str(th_dir)]
    assert hub.get_dir() == str(tmp_path / "ndgrad_home")
    monkeypatch.delenv("NDGRAD_HOME")
    monkeypatch.delenv("TORCH_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert hub.checkpoint_dirs() == [str(tmp_path / "xdg" / "ndgrad" / "checkpoints"),
                                     str(tmp_path / "xdg" / "torch" / "hub" / "checkpoints")]
    monkeypatch.delenv("XDG_CACHE_HOME")
    home = os.path.expanduser("~")
    assert hub.checkpoint_dirs() == [os.path.join(home, ".cache", "ndgrad", "checkpoints"),
                                     os.path.join(home, ".cache", "torch", "hub", "checkpoints")]
    hub.set_dir(tmp_path / "custom")
    assert hub.checkpoint_dirs()[0] == str(tmp_path / "custom" / "checkpoints")


def test_download_with_verified_hash_then_cache_hit_without_network(server, homes, capsys):
    nd_dir, th_dir = homes
    sd, data = _checkpoint_bytes()
    name = _hashed_name(data)
    server.files[name] = data
    url = f"{server.base}/files/{name}"
    loaded = hub.load_state_dict_from_url(url, check_hash=True, progress=True)
    _assert_same(loaded, sd)
    assert _files(nd_dir) == [name] and _files(th_dir) == []
    assert (nd_dir / name).read_bytes() == data
    err = capsys.readouterr().err
    assert f'Downloading: "{url}"' in err and name in err
    assert len(server.requests) == 1
    # the server goes away: the cached copy is used, nothing is requested
    server.files.clear()
    again = hub.load_state_dict_from_url(url, check_hash=True)
    _assert_same(again, sd)
    assert len(server.requests) == 1


def test_wrong_hash_is_rejected_and_nothing_is_cached(server, homes):
    nd_dir, _ = homes
    _, data = _checkpoint_bytes()
    name = "tiny-deadbeef.pth"
    server.files[name] = data
    with pytest.raises(RuntimeError, match='invalid hash value \\(expected "deadbeef", got "[0-9a-f]{64}"\\)'):
        hub.load_state_dict_from_url(f"{server.base}/files/{name}", check_hash=True)
    assert _files(nd_dir) == []
    # without check_hash the same file is accepted (torch.hub's behaviour)
    hub.load_state_dict_from_url(f"{server.base}/files/{name}", check_hash=False)
    assert _files(nd_dir) == [name]


def test_torch_cache_is_used_without_download(homes):
    nd_dir, th_dir = homes
    sd, data = _checkpoint_bytes(seed=3)
    name = _hashed_name(data)
    th_dir.mkdir(parents=True)
    (th_dir / name).write_bytes(data)
    loaded = hub.load_state_dict_from_url(_dead_url(name), check_hash=True)
    _assert_same(loaded, sd)
    assert _files(nd_dir) == []  # nothing copied or downloaded


def test_ndgrad_cache_takes_precedence_over_torch_cache(homes):
    nd_dir, th_dir = homes
    sd_nd, data_nd = _checkpoint_bytes(seed=1)
    _, data_th = _checkpoint_bytes(seed=2)
    for d, data in ((nd_dir, data_nd), (th_dir, data_th)):
        d.mkdir(parents=True)
        (d / "w-0123abcd.pth").write_bytes(data)
    _assert_same(hub.load_state_dict_from_url(_dead_url("w-0123abcd.pth")), sd_nd)


def test_interrupted_download_leaves_no_file(server, homes):
    nd_dir, th_dir = homes
    _, data = _checkpoint_bytes()
    name = _hashed_name(data)
    server.files[name] = data
    url = f"{server.base}/truncated/{name}"
    with pytest.raises(RuntimeError) as info:
        hub.load_state_dict_from_url(url, check_hash=True)
    msg = str(info.value)
    assert "incomplete download" in msg and url in msg
    assert str(nd_dir / name) in msg and str(th_dir / name) in msg
    assert _files(nd_dir) == []  # no partial file, under any name


def test_keyboard_interrupt_during_download_leaves_no_file(server, homes, monkeypatch):
    nd_dir, _ = homes
    _, data = _checkpoint_bytes()
    name = _hashed_name(data)
    server.files[name] = data * 1  # one chunk is enough

    def interrupt(self, n):
        raise KeyboardInterrupt

    monkeypatch.setattr(hub._Progress, "update", interrupt)
    with pytest.raises(KeyboardInterrupt):
        hub.load_state_dict_from_url(f"{server.base}/files/{name}")
    assert _files(nd_dir) == []


def test_no_network_error_says_where_it_looked_and_what_to_do(homes):
    nd_dir, th_dir = homes
    url = _dead_url("resnet18-f37072fd.pth")
    with pytest.raises(RuntimeError) as info:
        hub.load_state_dict_from_url(url, check_hash=True)
    msg = str(info.value)
    assert url in msg
    assert str(nd_dir / "resnet18-f37072fd.pth") in msg and str(th_dir / "resnet18-f37072fd.pth") in msg
    assert "copy the file" in msg and "ndgrad.load" in msg
    assert _files(nd_dir) == []


def test_http_error(server, homes):
    with pytest.raises(RuntimeError, match="HTTP Error 404"):
        hub.load_state_dict_from_url(f"{server.base}/files/missing-12345678.pth")


def test_model_dir_file_name_and_map_location(server, tmp_path, homes):
    nd_dir, _ = homes
    sd, data = _checkpoint_bytes()
    server.files["plain.pth"] = data
    target = tmp_path / "mine"
    loaded = hub.load_state_dict_from_url(f"{server.base}/files/plain.pth", model_dir=str(target),
                                          file_name="renamed.pth", map_location="cpu", progress=False)
    _assert_same(loaded, sd)
    assert _files(target) == ["renamed.pth"] and _files(nd_dir) == []
    with pytest.raises(RuntimeError, match="CPU only"):
        hub.load_state_dict_from_url("http://unused/renamed.pth", model_dir=str(target), map_location="cuda:0")


def test_legacy_formats(homes):
    nd_dir, _ = homes
    nd_dir.mkdir(parents=True)
    sd, legacy = _checkpoint_bytes(legacy=True)
    (nd_dir / "old-00000000.pth").write_bytes(legacy)
    _assert_same(hub.load_state_dict_from_url(_dead_url("old-00000000.pth")), sd)
    # torchvision's oldest files: a zip archive holding one legacy pickle
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("resnet_old.pth", legacy)
    (nd_dir / "zipped-00000000.pth").write_bytes(buf.getvalue())
    _assert_same(hub.load_state_dict_from_url(_dead_url("zipped-00000000.pth")), sd)


def test_weights_enum_downloads_with_hash_check(server, homes):
    nd_dir, _ = homes
    sd, data = _checkpoint_bytes(seed=7)
    good, bad = _hashed_name(data, "good"), "bad-0badbad0.pth"
    server.files[good] = data
    server.files[bad] = data
    Tiny = WeightsEnum("Tiny_Weights", {
        "GOOD": Weights(url=f"{server.base}/files/{good}", transforms=None, meta={"categories": None}),
        "BAD": Weights(url=f"{server.base}/files/{bad}", transforms=None, meta={"categories": None}),
    })
    _assert_same(Tiny.GOOD.get_state_dict(progress=False, check_hash=True), sd)
    with pytest.raises(RuntimeError, match="invalid hash value"):
        Tiny.BAD.get_state_dict(progress=False, check_hash=True)
    assert _files(nd_dir) == [good]
    assert isinstance(Tiny.GOOD, Enum)


def test_local_checkpoint_route(tmp_path):
    sd, data = _checkpoint_bytes()
    path = tmp_path / "weights.pth"
    path.write_bytes(data)
    _assert_same(hub.load_local_state_dict(path), sd)
    wrapped = tmp_path / "wrapped.pth"
    torch.save({"epoch": 3, "state_dict": sd}, str(wrapped))
    _assert_same(hub.load_local_state_dict(str(wrapped)), sd)
    with pytest.raises(FileNotFoundError):
        hub.load_local_state_dict(tmp_path / "nope.pth")


def test_progress_line_without_tqdm(server, homes, capsys, monkeypatch):
    import builtins
    real_import = builtins.__import__

    def no_tqdm(name, *args, **kwargs):
        if name == "tqdm":
            raise ImportError("no tqdm here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tqdm)
    _, data = _checkpoint_bytes()
    server.files["p.pth"] = data
    hub.load_state_dict_from_url(f"{server.base}/files/p.pth", progress=True)
    err = capsys.readouterr().err
    assert "p.pth:" in err and "MiB (100%)" in err
    server.files["q.pth"] = data
    hub.load_state_dict_from_url(f"{server.base}/files/q.pth", progress=False)
    assert "MiB" not in capsys.readouterr().err


def test_safe_loading_never_runs_code(homes):
    nd_dir, _ = homes
    nd_dir.mkdir(parents=True)

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned",))

    buf = io.BytesIO()
    torch.save({"x": Evil()}, buf)
    (nd_dir / "evil-00000000.pth").write_bytes(buf.getvalue())
    import pickle
    with pytest.raises(pickle.UnpicklingError):
        hub.load_state_dict_from_url(_dead_url("evil-00000000.pth"))
    assert ndgrad.__name__ == "ndgrad"


def test_progress_uses_tqdm_when_installed(server, homes, monkeypatch):
    import types
    seen = {}

    class FakeTqdm:
        def __init__(self, total=None, **kwargs):
            seen.update(total=total, kwargs=kwargs, done=0, closed=False)

        def update(self, n):
            seen["done"] += n

        def close(self):
            seen["closed"] = True

    monkeypatch.setitem(sys.modules, "tqdm", types.SimpleNamespace(tqdm=FakeTqdm))
    _, data = _checkpoint_bytes()
    server.files["t.pth"] = data
    hub.load_state_dict_from_url(f"{server.base}/files/t.pth", progress=True)
    assert seen["total"] == len(data) and seen["done"] == len(data) and seen["closed"]
    assert seen["kwargs"]["unit"] == "B" and seen["kwargs"]["unit_scale"] is True
