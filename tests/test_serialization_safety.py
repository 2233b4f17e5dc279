"""Loading is safe: malicious pickles are refused without running, damaged files fail clearly.

Every test here feeds ``ndgrad.load`` a file that must not load. The contract: a
``pickle.UnpicklingError`` (the file asks for something that is not allowed, or its pickle is
malformed) or a ``RuntimeError`` (the checkpoint structure is damaged), with a message naming the
problem, raised quickly and without allocating what the file claims; never code execution, never
a NumPy error, MemoryError or crash.
"""
import argparse
import collections
import io
import os
import pickle
import struct
import subprocess
import time
import zipfile

import numpy as np
import pytest

import ndgrad
from ndgrad.serialization import safetensors as st
from ndgrad.serialization.pickler import TorchPickler

SAFE_ERRORS = (RuntimeError, pickle.UnpicklingError)


def make_zip(pkl, records=None, prefix="archive"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr(f"{prefix}/data.pkl", pkl)
        for name, data in (records or {}).items():
            z.writestr(f"{prefix}/{name}", data)
    return buf.getvalue()


def load_bytes(data, **kw):
    return ndgrad.load(io.BytesIO(data), **kw)


def saved(obj, **kw):
    buf = io.BytesIO()
    ndgrad.save(obj, buf, **kw)
    return buf.getvalue()


# -- malicious pickles ---------------------------------------------------------------------------

@pytest.fixture
def marker(tmp_path):
    path = tmp_path / "pwned"
    yield path
    assert not path.exists(), "code from the checkpoint was executed"


def payloads(marker):
    m = str(marker)

    class System:
        def __reduce__(self):
            return (os.system, (f"touch {m}",))

    class Popen:
        def __reduce__(self):
            return (subprocess.Popen, (["touch", m],))

    class Eval:
        def __reduce__(self):
            return (eval, (f"open({m!r}, 'w').close()",))

    class Exec:
        def __reduce__(self):
            return (exec, (f"open({m!r}, 'w').close()",))

    class Import:
        def __reduce__(self):
            return (__import__, ("os",))

    return {"os.system": System(), "subprocess.Popen": Popen(), "eval": Eval(), "exec": Exec(),
            "__import__": Import()}


NAMES = {"os.system": "system", "subprocess.Popen": "subprocess.Popen", "eval": "builtins.eval",
         "exec": "builtins.exec", "__import__": "builtins.__import__"}


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
@pytest.mark.parametrize("kind", list(NAMES))
def test_reduce_payloads_are_refused_in_zip(marker, kind, protocol):
    obj = collections.OrderedDict(weight=[1.0, 2.0], payload=payloads(marker)[kind])
    data = make_zip(pickle.dumps(obj, protocol=protocol))
    with pytest.raises(pickle.UnpicklingError, match=NAMES[kind]) as info:
        load_bytes(data)
    assert "nothing from this checkpoint was executed" in str(info.value)
    with pytest.raises(pickle.UnpicklingError, match=NAMES[kind]):
        load_bytes(data, weights_only=False)   # weights_only=False never allows code either


@pytest.mark.parametrize("kind", list(NAMES))
def test_reduce_payloads_are_refused_in_legacy_format(marker, kind):
    payload = payloads(marker)[kind]
    head = b"".join(pickle.dumps(x, protocol=2) for x in (0x1950A86A20F9469CFC6C, 1001, {"little_endian": True}))
    for data in (pickle.dumps(payload, protocol=2),                          # instead of the magic
                 head + pickle.dumps({"a": payload}, protocol=2) + pickle.dumps([], protocol=2)):
        with pytest.raises(SAFE_ERRORS, match=NAMES[kind]):
            load_bytes(data)


def test_payload_after_valid_tensors_is_refused(marker):
    good = saved({"w": ndgrad.ones(3)})
    z = zipfile.ZipFile(io.BytesIO(good))
    pkl = z.read("archive/data.pkl")
    evil = pickle.dumps(payloads(marker)["os.system"], protocol=2)[2:-1]   # without PROTO/STOP
    # {'w': tensor, 'x': payload}: splice the payload in before the final SETITEMS
    assert pkl.endswith(b"s.")
    spliced = pkl[:-2] + b"sX\x01\x00\x00\x00x" + evil + b"s."
    records = {n.split("/", 1)[1]: z.read(n) for n in z.namelist() if not n.endswith("data.pkl")}
    with pytest.raises(pickle.UnpicklingError, match="system"):
        load_bytes(make_zip(spliced, records))


@pytest.mark.parametrize("pkl, match", [
    (b"(S'touch pwned'\nios\nsystem\n.", "INST"),
    (b"(ccollections\nOrderedDict\no.", "OBJ"),
    (b"\x80\x02\x82\x01.", "EXT1"),
    (b"\x80\x02\x83\x01\x00.", "EXT2"),
    (b"\x80\x05\x97.", "NEXT_BUFFER"),
    (b"\x80\x02cbuiltins\ngetattr\n.", "builtins.getattr"),
    (b"\x80\x02c__builtin__\nexecfile\n.", "execfile"),
    (b"\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x8c\x06system\x93.", "os.system"),
    (b"\x80\x02cnumpy\nload\n.", "numpy.load"),
    (b"\x80\x02ctorch.nn.modules.linear\nLinear\n.", "state_dict"),
    (b"\x80\x02]q\x00)R.", "refused to call"),                      # REDUCE on a list
    (b"\x80\x02ctorch\nFloatStorage\n}b.", "BUILD"),                 # BUILD on a marker
    (b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n)\x81.", "create an object"),   # NEWOBJ on a function
    (b"\x80\x02ccollections\nOrderedDict\n)R}X\x04\x00\x00\x00keysK\x01sb.", "attribute 'keys'"),
    (b"\x80\x02ccollections\nOrderedDict\n)R}X\t\x00\x00\x00__class__K\x01sb.", "__class__"),
    (b"\x80\x02]K\x01K\x02s.", "SETITEM is only allowed on dicts"),
    (b"\x80\x02}K\x01a.", "APPEND is only allowed on lists"),
    (b"\x80\x02ctorch._utils\n_rebuild_sparse_tensor\n.", "sparse"),
    (b"\x80\x02c_codecs\nencode\nX\x01\x00\x00\x00aX\x05\x00\x00\x00rot13\x86R.", "rot13"),
    (b"\x80\x02cbuiltins\nbytearray\nJ\x00\x00\x00\x7f\x85R.", "bytes"),   # bytearray(2**31)
])
def test_forbidden_opcodes_and_calls(pkl, match):
    with pytest.raises(pickle.UnpicklingError, match=match):
        load_bytes(make_zip(pkl))


@pytest.mark.parametrize("pkl", [
    b"\x80\x02",                                   # no STOP
    b"\x80\x02X\xff\xff\xff\xffabc.",              # string longer than the data
    b"\x80\x02\x8b\xff\xff\xff\x7f.",              # LONG4 of 2 GiB
    b"\x80\x02\x8d\xff\xff\xff\xff\xff\xff\xff\x7f.",   # BINUNICODE8 of 2**63 bytes
    b"\x80\x02h\x05.",                             # memo entry never stored
    b"\x80\x02t.",                                 # TUPLE without MARK
    b"\x80\x02\x85.",                              # TUPLE1 on an empty stack
    b"\x80\x02R.",                                 # REDUCE on an empty stack
    b"\x80\x02K\x01K\x02.",                        # two values left at STOP
    b"\x80\x02\xff.",                              # unknown opcode
    b"\x80\x02ctorch\n",                           # truncated GLOBAL
    b"\x80\x02ccollections\nOrderedDict\nK\x01R.",  # REDUCE arguments not a tuple
    b"\x80\x02ctorch._utils\n_rebuild_tensor_v2\n)R.",   # rebuild with no arguments
    b"\x80\x02X\x07\x00\x00\x00storageQ.",         # persistent id that is not a tuple
    b"\x80\x02(X\x06\x00\x00\x00moduleK\x00tQ.",   # persistent id of a module
    b"\x80\x02(X\x07\x00\x00\x00storageK\x00X\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x01tQ.",
])
def test_malformed_pickles(pkl):
    start = time.perf_counter()
    with pytest.raises(SAFE_ERRORS):
        load_bytes(make_zip(pkl))
    assert time.perf_counter() - start < 1.0


def test_weights_only_false_allows_plain_data_only():
    obj = {"acc": np.float64(0.5), "n": np.int64(3), "arr": np.arange(4, dtype=np.int32),
           "args": argparse.Namespace(lr=0.1, name="x")}
    data = make_zip(pickle.dumps(obj, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="numpy|argparse"):
        load_bytes(data)
    out = load_bytes(data, weights_only=False)
    assert out["acc"] == 0.5 and out["n"] == 3 and out["arr"].tolist() == [0, 1, 2, 3]
    assert out["args"].lr == 0.1 and out["args"].name == "x"
    objarr = make_zip(pickle.dumps(np.array([1, "a"], dtype=object), protocol=2))
    with pytest.raises(pickle.UnpicklingError):
        load_bytes(objarr, weights_only=False)


class TrustedConfig:
    def __init__(self, depth=1):
        self.depth = depth


def test_add_safe_globals():
    data = make_zip(pickle.dumps({"cfg": TrustedConfig(3)}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="TrustedConfig"):
        load_bytes(data)
    with ndgrad.serialization.safe_globals([TrustedConfig]):
        assert load_bytes(data)["cfg"].depth == 3
    with pytest.raises(pickle.UnpicklingError, match="TrustedConfig"):
        load_bytes(data)


# -- damaged checkpoints -------------------------------------------------------------------------

def _checkpoint_pickle(offset=0, size=(4,), stride=(1,), numel=4, key="0", dtype_name="FloatStorage"):
    """data.pkl for one tensor with the given (possibly impossible) layout."""
    return TorchPickler(lambda arr: (dtype_name, key, numel, offset, size, stride)).dumps(
        {"t": ndgrad.zeros(1)})


def _ckpt(pkl, data=np.arange(4, dtype=np.float32).tobytes(), key="0"):
    return make_zip(pkl, {f"data/{key}": data} if data is not None else {})


def test_hand_built_checkpoint_loads():
    out = load_bytes(_ckpt(_checkpoint_pickle(offset=1, size=(3,), stride=(1,))))
    assert out["t"].tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("layout, match", [
    (dict(offset=4, size=(1,)), "reaches element 4"),
    (dict(offset=2, size=(3,)), "reaches element 4"),
    (dict(size=(2, 2), stride=(3, 1)), "reaches element 4"),
    (dict(size=(2 ** 40, 2 ** 40), stride=(2 ** 40, 1)), "storage holds 4"),
    (dict(size=(2 ** 70,)), "out-of-range"),
    (dict(size=(-1,)), "out-of-range"),
    (dict(size=(2,), stride=(-1,)), "out-of-range"),
    (dict(size=(2, 2), stride=(1,)), "different lengths"),
    (dict(size=(2.5,)), "non-integer"),
    (dict(size=(1,) * 70, stride=(1,) * 70), "dimensions"),
    (dict(offset=-1), "storage offset"),
    (dict(numel=10 ** 15), "declares"),
    (dict(numel=5), "holds 16 bytes"),
    (dict(key="../../etc/passwd"), "invalid storage key"),
    (dict(dtype_name="QInt8Storage"), "QInt8Storage"),
])
def test_tensor_layout_is_bounds_checked(layout, match):
    start = time.perf_counter()
    with pytest.raises(SAFE_ERRORS, match=match):
        load_bytes(_ckpt(_checkpoint_pickle(**layout)))
    assert time.perf_counter() - start < 1.0


def test_zero_size_tensor_with_any_offset_loads():
    out = load_bytes(_ckpt(_checkpoint_pickle(offset=100, size=(0, 3), stride=(3, 1))))
    assert tuple(out["t"].shape) == (0, 3)


def test_missing_storage_record():
    with pytest.raises(RuntimeError, match="no record 'archive/data/0'"):
        load_bytes(_ckpt(_checkpoint_pickle(), data=None))


def test_missing_data_pkl_and_torchscript():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/version", b"3\n")
    with pytest.raises(RuntimeError, match="data.pkl"):
        load_bytes(buf.getvalue())
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("m/constants.pkl", b"")
    with pytest.raises(RuntimeError, match="TorchScript"):
        load_bytes(buf.getvalue())


def test_bad_byteorder_record():
    data = make_zip(_checkpoint_pickle(), {"data/0": bytes(16), "byteorder": b"middle"})
    with pytest.raises(RuntimeError, match="byte order"):
        load_bytes(data)


def test_crc_mismatch_is_detected():
    data = bytearray(saved({"w": ndgrad.arange(16, dtype=ndgrad.float32)}))
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("archive/data/0")
    name_len, extra_len = struct.unpack("<HH", data[info.header_offset + 26:info.header_offset + 30])
    data[info.header_offset + 30 + name_len + extra_len + 5] ^= 0xFF
    with pytest.raises(RuntimeError, match="CRC"):
        load_bytes(bytes(data))


def test_truncated_zip_checkpoints():
    data = saved(collections.OrderedDict(w=ndgrad.ones(64, 3), b=ndgrad.zeros(3), n=ndgrad.tensor(5)))
    for cut in list(range(0, len(data), max(1, len(data) // 60))) + [len(data) - 1, len(data) - 22]:
        with pytest.raises(SAFE_ERRORS):
            load_bytes(data[:cut])


def test_truncated_legacy_checkpoints():
    data = saved({"w": ndgrad.ones(64, 3), "b": ndgrad.zeros(3)}, _use_new_zipfile_serialization=False)
    for cut in range(1, len(data), max(1, len(data) // 60)):
        with pytest.raises(SAFE_ERRORS):
            load_bytes(data[:cut])


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_random_corruption_never_escapes(legacy):
    base = saved(collections.OrderedDict(w=ndgrad.ones(8, 3), i=ndgrad.arange(5), s="x", n=[1, 2.0]),
                 _use_new_zipfile_serialization=not legacy)
    rng = np.random.default_rng(0)
    for _ in range(300):
        data = bytearray(base)
        for pos in rng.integers(0, len(data), size=rng.integers(1, 4)):
            data[pos] = rng.integers(0, 256)
        try:
            load_bytes(bytes(data))
        except SAFE_ERRORS:
            pass


def test_legacy_header_checks():
    good = saved({"w": ndgrad.ones(3)}, _use_new_zipfile_serialization=False)
    magic = pickle.dumps(0x1950A86A20F9469CFC6C, protocol=2)
    with pytest.raises(RuntimeError, match="magic number"):
        load_bytes(pickle.dumps(12345, protocol=2) + good[len(magic):])
    version = pickle.dumps(1001, protocol=2)
    with pytest.raises(RuntimeError, match="protocol version"):
        load_bytes(magic + pickle.dumps(999, protocol=2) + good[len(magic) + len(version):])


def test_legacy_storage_size_mismatch():
    data = bytearray(saved({"w": ndgrad.ones(3)}, _use_new_zipfile_serialization=False))
    pos = len(data) - 12 - 8          # the int64 element count before the 3 floats
    assert struct.unpack("<q", data[pos:pos + 8])[0] == 3
    data[pos:pos + 8] = struct.pack("<q", 4)
    with pytest.raises(RuntimeError, match="4 elements in the file"):
        load_bytes(bytes(data))


@pytest.mark.parametrize("data, match", [
    (b"", "empty"),
    (b"hello world, not a checkpoint", "unrecognised"),
    (b"PK\x03\x04" + bytes(100), "zip"),
    (b"\x80\x02K\x01.", "magic number"),
])
def test_not_a_checkpoint(data, match):
    with pytest.raises(SAFE_ERRORS, match=match):
        load_bytes(data)


# -- safetensors headers -----------------------------------------------------------------------

def st_bytes(header, data=b"", header_len=None):
    import json
    text = json.dumps(header).encode() if isinstance(header, dict) else header
    n = len(text) if header_len is None else header_len
    return struct.pack("<Q", n) + text + data


F32_2 = {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}


@pytest.mark.parametrize("data, match", [
    (b"\x01\x00", "shorter than"),
    (st_bytes({"a": F32_2}, bytes(8), header_len=2 ** 40), "exceeds the limit"),
    (st_bytes({"a": F32_2}, bytes(8), header_len=10 ** 6), "past the end"),
    (st_bytes(b"{not json", b""), "JSON"),
    (st_bytes(b"[1, 2]", b""), "JSON object"),
    (st_bytes({"a": {"dtype": "F99", "shape": [2], "data_offsets": [0, 8]}}, bytes(8)), "unknown dtype"),
    (st_bytes({"a": {"dtype": "U16", "shape": [2], "data_offsets": [0, 4]}}, bytes(4)), "does not support"),
    (st_bytes({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 12]}}, bytes(8)), "outside"),
    (st_bytes({"a": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}, bytes(8)), "needs 12 bytes"),
    (st_bytes({"a": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}, bytes(8)), "invalid shape"),
    (st_bytes({"a": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}, bytes(8)), "outside"),
    (st_bytes({"a": F32_2, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}, bytes(12)), "overlaps"),
    (st_bytes({"a": F32_2, "b": {"dtype": "F32", "shape": [1], "data_offsets": [12, 16]}}, bytes(16)), "gap"),
    (st_bytes({"a": F32_2}, bytes(12)), "cover"),
    (st_bytes(b'{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "a": {}}', bytes(4)), "repeats"),
    (st_bytes({"__metadata__": {"k": 1}, "a": F32_2}, bytes(8)), "__metadata__"),
    (st_bytes({"a": {"dtype": "F32", "shape": [2 ** 40, 2 ** 40], "data_offsets": [0, 8]}}, bytes(8)), "needs"),
])
def test_safetensors_header_validation(data, match):
    with pytest.raises(st.SafetensorError, match=match):
        st.load(data)


def test_safetensors_damage_through_ndgrad_load(tmp_path):
    path = tmp_path / "x.safetensors"
    st.save_file({"a": ndgrad.ones(4), "b": ndgrad.zeros(2, dtype=ndgrad.int64)}, path)
    good = path.read_bytes()
    path.write_bytes(good[:-3])
    with pytest.raises(RuntimeError, match="cover|truncated"):
        ndgrad.load(path)
    with pytest.raises(RuntimeError):
        st.load_file(path)
