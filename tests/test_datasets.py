"""ndgrad.vision.datasets on small files the tests write: folders of images, IDX files, CIFAR pickles.

Downloads are served by a local HTTP server (tests/test_hub.py's fixture) with MD5 sums computed
here, since the real files are not fetched.
"""
import gzip
import hashlib
import io
import os
import pickle
import struct
import tarfile

import numpy as np
import pytest

import ndgrad
from ndgrad.vision import datasets, transforms as T
from ndgrad.vision.datasets import utils as dutils
from ndgrad.vision.datasets.cifar import load_pickled_batch
from test_hub import server  # noqa: F401  (the HTTP server fixture)

PIL = pytest.importorskip("PIL")
from PIL import Image  # noqa: E402


def md5(data):
    return hashlib.md5(data).hexdigest()


# ---- ImageFolder / DatasetFolder ------------------------------------------------------------------

@pytest.fixture
def image_tree(tmp_path):
    rng = np.random.default_rng(0)
    root = tmp_path / "imgs"
    files = {"cat": ["b.png", "a.jpg", "sub/c.PNG"], "dog": ["x.bmp"], "zebra": ["z.png"]}
    arrays = {}
    for cls, names in files.items():
        for name in names:
            path = root / cls / name
            path.parent.mkdir(parents=True, exist_ok=True)
            arr = rng.integers(0, 256, (6, 5, 3), dtype=np.uint8)
            fmt = {"jpg": "JPEG", "png": "PNG", "bmp": "BMP"}[name.rsplit(".", 1)[1].lower()]
            Image.fromarray(arr).save(path, format=fmt)
            arrays[str(path)] = arr
    (root / "dog" / "notes.txt").write_text("not an image")
    (root / "README").write_text("a file at the top is not a class")
    return root, arrays


def test_image_folder(image_tree):
    root, arrays = image_tree
    ds = datasets.ImageFolder(str(root))
    assert ds.classes == ["cat", "dog", "zebra"]
    assert ds.class_to_idx == {"cat": 0, "dog": 1, "zebra": 2}
    rel = [(os.path.relpath(p, root), t) for p, t in ds.samples]
    assert rel == [("cat/a.jpg", 0), ("cat/b.png", 0), ("cat/sub/c.PNG", 0), ("dog/x.bmp", 1), ("zebra/z.png", 2)]
    assert ds.targets == [0, 0, 0, 1, 2] and ds.imgs is ds.samples and len(ds) == 5
    img, target = ds[1]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (5, 6) and target == 0
    np.testing.assert_array_equal(np.asarray(img), arrays[ds.samples[1][0]])  # PNG is lossless
    tds = datasets.ImageFolder(str(root), transform=T.ToTensor(), target_transform=lambda t: t * 10)
    x, t = tds[3]
    assert x.shape == (3, 6, 5) and x.dtype == ndgrad.float32 and t == 10
    loader = ndgrad.utils.data.DataLoader(tds, batch_size=2, shuffle=False)
    xb, tb = next(iter(loader))
    assert xb.shape == (2, 3, 6, 5) and tb.tolist() == [0, 0]
    text = repr(tds)
    assert text.startswith("Dataset ImageFolder\n    Number of datapoints: 5\n    Root location: ")
    assert "    StandardTransform\nTransform: ToTensor()\nTarget transform: " in text  # torchvision's layout
    only_png = datasets.ImageFolder(str(root), is_valid_file=lambda p: p.endswith((".png", ".bmp")))
    assert [os.path.basename(p) for p, _ in only_png.samples] == ["b.png", "x.bmp", "z.png"]
    assert only_png.classes == ["cat", "dog", "zebra"]


def test_image_folder_errors(tmp_path, image_tree):
    root, _ = image_tree
    (root / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="Found no valid file for the classes empty. Supported extensions are: "
                                                 ".jpg, .jpeg"):
        datasets.ImageFolder(str(root))
    ds = datasets.ImageFolder(str(root), allow_empty=True)
    assert ds.classes == ["cat", "dog", "empty", "zebra"] and len(ds) == 5
    (tmp_path / "flat").mkdir()
    with pytest.raises(FileNotFoundError, match="Couldn't find any class folder in"):
        datasets.ImageFolder(str(tmp_path / "flat"))
    with pytest.raises(ValueError, match="Both extensions and is_valid_file cannot be None or not None"):
        datasets.DatasetFolder(str(root), loader=np.load)


def test_dataset_folder_with_custom_loader(tmp_path):
    for cls, n in (("a", 2), ("b", 1)):
        (tmp_path / cls).mkdir()
        for i in range(n):
            np.save(tmp_path / cls / f"{i}.npy", np.full((2,), i + 10 * len(cls)))
    ds = datasets.DatasetFolder(str(tmp_path), loader=np.load, extensions=".npy")
    assert len(ds) == 3 and ds.targets == [0, 0, 1]
    sample, target = ds[1]
    assert sample.tolist() == [11, 11] and target == 0


# ---- MNIST / FashionMNIST -------------------------------------------------------------------------

def idx_bytes(arr):
    code = {np.uint8: 8, np.int8: 9, np.int16: 11, np.int32: 12, np.float32: 13, np.float64: 14}[arr.dtype.type]
    header = struct.pack(">I", code * 256 + arr.ndim) + b"".join(struct.pack(">I", s) for s in arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def mnist_arrays(seed=0, n_train=7, n_test=3):
    rng = np.random.default_rng(seed)
    return {
        "train-images-idx3-ubyte": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte": rng.integers(0, 10, n_train, dtype=np.uint8),
        "t10k-images-idx3-ubyte": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def write_raw(root, cls_name, arrays):
    raw = root / cls_name / "raw"
    raw.mkdir(parents=True)
    for name, arr in arrays.items():
        (raw / name).write_bytes(idx_bytes(arr))
    return raw


@pytest.mark.parametrize("cls", [datasets.MNIST, datasets.FashionMNIST])
def test_mnist_reads_idx_files(tmp_path, cls):
    arrays = mnist_arrays()
    write_raw(tmp_path, cls.__name__, arrays)
    train = cls(str(tmp_path), train=True)
    test = cls(str(tmp_path), train=False, transform=T.ToTensor())
    assert len(train) == 7 and len(test) == 3
    assert train.data.dtype == ndgrad.uint8 and tuple(train.data.shape) == (7, 28, 28)
    assert train.targets.dtype == ndgrad.int64
    np.testing.assert_array_equal(train.data.numpy(), arrays["train-images-idx3-ubyte"])
    np.testing.assert_array_equal(test.targets.numpy(), arrays["t10k-labels-idx1-ubyte"])
    img, target = train[2]
    assert isinstance(img, Image.Image) and img.mode == "L" and img.size == (28, 28)
    np.testing.assert_array_equal(np.asarray(img), arrays["train-images-idx3-ubyte"][2])
    assert target == int(arrays["train-labels-idx1-ubyte"][2]) and isinstance(target, int)
    x, _ = test[0]
    assert x.shape == (1, 28, 28)
    np.testing.assert_allclose(x.numpy()[0], arrays["t10k-images-idx3-ubyte"][0] / np.float32(255))
    assert len(cls.classes) == 10 and train.class_to_idx[cls.classes[3]] == 3
    assert "Split: Test" in repr(test)


def test_mnist_errors(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found in .*MNIST.raw. You can use download=True"):
        datasets.MNIST(str(tmp_path))
    arrays = mnist_arrays()
    raw = write_raw(tmp_path, "MNIST", arrays)
    (raw / "train-images-idx3-ubyte").write_bytes(idx_bytes(arrays["train-images-idx3-ubyte"])[:500])
    with pytest.raises(RuntimeError, match="is truncated"):
        datasets.MNIST(str(tmp_path))
    (raw / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x99\x03" + b"\x00" * 20)
    with pytest.raises(RuntimeError, match="is not an IDX file"):
        datasets.MNIST(str(tmp_path))


def test_mnist_legacy_processed_files(tmp_path):
    torch = pytest.importorskip("torch")
    processed = tmp_path / "MNIST" / "processed"
    processed.mkdir(parents=True)
    data = torch.randint(0, 256, (4, 28, 28), dtype=torch.uint8)
    targets = torch.tensor([1, 2, 3, 4])
    torch.save((data, targets), str(processed / "training.pt"))
    torch.save((data[:2], targets[:2]), str(processed / "test.pt"))
    ds = datasets.MNIST(str(tmp_path))
    np.testing.assert_array_equal(ds.data.numpy(), data.numpy())
    assert ds.targets.tolist() == [1, 2, 3, 4] and len(datasets.MNIST(str(tmp_path), train=False)) == 2


def _gz_resources(arrays):
    files, resources = {}, []
    for name, arr in arrays.items():
        gz = gzip.compress(idx_bytes(arr))
        files[name + ".gz"] = gz
        resources.append((name + ".gz", md5(gz)))
    return files, resources


def test_mnist_download_verifies_md5_and_tries_mirrors(tmp_path, server):  # noqa: F811
    arrays = mnist_arrays(seed=4)
    files, resources = _gz_resources(arrays)
    server.files.update(files)

    class LocalMNIST(datasets.MNIST):
        pass

    LocalMNIST.mirrors = ["http://127.0.0.1:9/nothing/", f"{server.base}/files/"]  # the first one is dead
    LocalMNIST.resources = resources
    ds = LocalMNIST(str(tmp_path), download=True)
    np.testing.assert_array_equal(ds.data.numpy(), arrays["train-images-idx3-ubyte"])
    raw = tmp_path / "LocalMNIST" / "raw"
    assert sorted(os.listdir(raw)) == sorted(list(arrays) + list(files))
    n = len(server.requests)
    LocalMNIST(str(tmp_path), download=True)  # already there: no request
    assert len(server.requests) == n


def test_mnist_download_with_wrong_md5_leaves_nothing(tmp_path, server):  # noqa: F811
    files, resources = _gz_resources(mnist_arrays())
    server.files.update(files)

    class BadMNIST(datasets.MNIST):
        mirrors = [f"{server.base}/files/"]

    BadMNIST.resources = [(name, "0" * 32) for name, _ in resources]
    with pytest.raises(RuntimeError, match="The MD5 of the file downloaded from .* is [0-9a-f]{32}, not 0{32}"):
        BadMNIST(str(tmp_path), download=True)
    assert os.listdir(tmp_path / "BadMNIST" / "raw") == []


def test_mnist_download_without_network(tmp_path):
    class OfflineMNIST(datasets.MNIST):
        mirrors = ["http://127.0.0.1:9/a/", "http://127.0.0.1:9/b/"]

    with pytest.raises(RuntimeError, match="Error downloading train-images-idx3-ubyte.gz:(.|\n)*127.0.0.1:9/a/"
                                           "(.|\n)*Place the unpacked files in"):
        OfflineMNIST(str(tmp_path), download=True)


# ---- CIFAR ----------------------------------------------------------------------------------------

def cifar_tree(root, cls, n_per_batch=3, seed=0, protocol=2):
    rng = np.random.default_rng(seed)
    folder = root / cls.base_folder
    folder.mkdir(parents=True)
    label_key = "labels" if cls is datasets.CIFAR10 else "fine_labels"
    n_classes = 10 if cls is datasets.CIFAR10 else 100
    written = {}
    for name, _ in cls.train_list + cls.test_list:
        data = rng.integers(0, 256, (n_per_batch, 3072), dtype=np.uint8)
        labels = rng.integers(0, n_classes, n_per_batch).tolist()
        blob = pickle.dumps({"batch_label": f"batch {name}", label_key: labels, "data": data,
                             "filenames": [f"{i}.png" for i in range(n_per_batch)]}, protocol=protocol)
        (folder / name).write_bytes(blob)
        written[name] = (data, labels, md5(blob))
    meta_key = cls.meta["key"]
    meta_blob = pickle.dumps({meta_key: [f"class{i}" for i in range(n_classes)], "num_cases_per_batch": 3},
                             protocol=protocol)
    (folder / cls.meta["filename"]).write_bytes(meta_blob)

    class Local(cls):
        train_list = [[name, written[name][2]] for name, _ in cls.train_list]
        test_list = [[name, written[name][2]] for name, _ in cls.test_list]
        meta = {**cls.meta, "md5": md5(meta_blob)}

    return Local, written


@pytest.mark.parametrize("cls", [datasets.CIFAR10, datasets.CIFAR100])
@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_cifar_reads_pickled_batches(tmp_path, cls, protocol):
    Local, written = cifar_tree(tmp_path, cls, protocol=protocol)
    train = Local(str(tmp_path), train=True)
    test = Local(str(tmp_path), train=False, transform=T.ToTensor())
    n_train = 3 * len(cls.train_list)
    assert train.data.shape == (n_train, 32, 32, 3) and train.data.dtype == np.uint8
    first = cls.train_list[0][0]
    np.testing.assert_array_equal(train.data[0], written[first][0][0].reshape(3, 32, 32).transpose(1, 2, 0))
    assert train.targets[:3] == written[first][1]
    img, target = train[1]
    assert isinstance(img, Image.Image) and img.mode == "RGB" and img.size == (32, 32)
    assert target == written[first][1][1]
    x, _ = test[0]
    assert x.shape == (3, 32, 32)
    assert train.classes[:2] == ["class0", "class1"] and train.class_to_idx["class1"] == 1
    assert len(test) == 3


def test_cifar_integrity_check(tmp_path):
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        datasets.CIFAR10(str(tmp_path))
    # generated batches do not have the published MD5 sums
    cifar_tree(tmp_path, datasets.CIFAR10)
    with pytest.raises(RuntimeError, match="Dataset not found or corrupted"):
        datasets.CIFAR10(str(tmp_path))


def test_cifar_batches_never_run_code(tmp_path):
    class Evil:
        def __reduce__(self):
            return (os.system, ("echo pwned > " + str(tmp_path / "pwned"),))

    path = tmp_path / "data_batch_1"
    path.write_bytes(pickle.dumps({"data": Evil(), "labels": [1]}, protocol=2))
    with pytest.raises(pickle.UnpicklingError, match="refusing to load the global (posix|nt|os).system"):
        load_pickled_batch(str(path))
    assert not (tmp_path / "pwned").exists()
    path.write_bytes(pickle.dumps({"data": np.array([object()], dtype=object)}, protocol=2))
    with pytest.raises(pickle.UnpicklingError):
        load_pickled_batch(str(path))


def test_cifar_download_and_safe_extraction(tmp_path, server):  # noqa: F811
    staging = tmp_path / "staging"
    Local, written = cifar_tree(staging, datasets.CIFAR10)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        tar.add(staging / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    archive = buf.getvalue()
    server.files["cifar-10-python.tar.gz"] = archive

    class Downloadable(Local):
        url = f"{server.base}/files/cifar-10-python.tar.gz"
        tgz_md5 = md5(archive)

    root = tmp_path / "root"
    ds = Downloadable(str(root), download=True)
    assert len(ds) == 15 and sorted(os.listdir(root)) == ["cifar-10-batches-py", "cifar-10-python.tar.gz"]
    # a malicious archive: a member escaping the target folder
    evil = io.BytesIO()
    with tarfile.open(fileobj=evil, mode="w:gz") as tar:
        info = tarfile.TarInfo("../escaped.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"bad"))
    (tmp_path / "evil.tar.gz").write_bytes(evil.getvalue())
    with pytest.raises(RuntimeError, match="refusing to extract '../escaped.txt'"):
        dutils.extract_archive(str(tmp_path / "evil.tar.gz"), str(tmp_path / "out"))
    assert not (tmp_path / "escaped.txt").exists()


def test_download_url_and_extract_helpers(tmp_path, server):  # noqa: F811
    payload = b"hello " * 1000
    server.files["h.txt.gz"] = gzip.compress(payload)
    path = dutils.download_url(f"{server.base}/files/h.txt.gz", str(tmp_path), md5=md5(server.files["h.txt.gz"]))
    assert dutils.check_integrity(path, md5(server.files["h.txt.gz"])) and not dutils.check_integrity(path, "0" * 32)
    out = dutils.extract_archive(path)
    assert open(out, "rb").read() == payload and out.endswith("h.txt")
    with pytest.raises(RuntimeError, match="Archive type of .* is not supported"):
        dutils.extract_archive(str(tmp_path / "x.rar"))
