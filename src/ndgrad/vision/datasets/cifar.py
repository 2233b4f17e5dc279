"""CIFAR-10 / CIFAR-100 from the pickled "python version" batches (torchvision.datasets.CIFAR10/100).

The batch files are Python pickles. They are read with a restricted unpickler that knows only
what a CIFAR batch contains (containers, strings, numbers and NumPy arrays of numeric dtype):
any other global in the file, e.g. ``os.system``, is refused before anything runs.
"""
import os
import pickle

import numpy as np

from .utils import check_integrity, download_and_extract_archive
from .vision import VisionDataset

__all__ = ["CIFAR10", "CIFAR100", "load_pickled_batch"]


def _reconstruct(subtype, shape, dtype):
    if subtype is not np.ndarray:
        raise pickle.UnpicklingError(f"CIFAR batch: refusing to build an array of type {subtype!r}")
    return np.ndarray.__new__(np.ndarray, shape, _dtype(dtype))


def _dtype(obj, align=False, copy=False):
    dt = np.dtype(obj, align, copy)
    if dt.hasobject:
        raise pickle.UnpicklingError("CIFAR batch: refusing an array of Python objects")
    return dt


def _frombuffer(buf, dtype, shape, order):
    # protocol-5 pickles of arrays
    arr = np.frombuffer(buf, dtype=_dtype(dtype))
    return arr.reshape(shape, order=order).copy()


def _encode(text, encoding="latin1"):
    # protocol-2 pickles written by Python 3 store bytes as _codecs.encode(str, "latin1")
    return text.encode(encoding)


class _BatchUnpickler(pickle.Unpickler):
    _ALLOWED = {
        ("numpy.core.multiarray", "_reconstruct"): _reconstruct,
        ("numpy._core.multiarray", "_reconstruct"): _reconstruct,
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): _dtype,
        ("numpy.core.numeric", "_frombuffer"): _frombuffer,
        ("numpy._core.numeric", "_frombuffer"): _frombuffer,
        ("_codecs", "encode"): _encode,
    }

    def find_class(self, module, name):
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(
                f"refusing to load the global {module}.{name} from a dataset file: CIFAR batches contain only "
                "arrays, lists, strings and numbers (nothing from the file was executed)") from None


def load_pickled_batch(path):
    """Read one CIFAR batch file safely (a dict with ``data`` and ``labels`` / ``fine_labels``)."""
    with open(path, "rb") as f:
        obj = _BatchUnpickler(f, encoding="latin1").load()
    if not isinstance(obj, dict):
        raise RuntimeError(f"{path} is not a CIFAR batch: it holds a {type(obj).__name__}, not a dict")
    # Python 3 pickles (encoding irrelevant) may have bytes keys
    return {k.decode("latin1") if isinstance(k, bytes) else k: v for k, v in obj.items()}


class CIFAR10(VisionDataset):
    """`CIFAR-10 <https://www.cs.toronto.edu/~kriz/cifar.html>`_: 32x32 colour images in 10 classes.

    Args:
        root: folder containing ``cifar-10-batches-py`` (created by ``download=True``).
        train: the training batches (else the test batch).
        transform, target_transform: applied to the PIL image / the int label.
        download: fetch the archive, verify its MD5 and unpack it, unless verified files are there.

    ``data`` is a uint8 ndarray (N, 32, 32, 3) and ``targets`` a list of ints, as in torchvision.
    """

    base_folder = "cifar-10-batches-py"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    filename = "cifar-10-python.tar.gz"
    tgz_md5 = "c58f30108f718f92721af3b95e74349a"
    train_list = [
        ["data_batch_1", "c99cafc152244af753f735de768cd75f"],
        ["data_batch_2", "d4bba439e000b95fd0a9bffe97cbabec"],
        ["data_batch_3", "54ebc095f3ab1f0389bbae665268c751"],
        ["data_batch_4", "634d18415352ddfa80567beed471001a"],
        ["data_batch_5", "482c414d41f54cd18b22e5b47cb7c3cb"],
    ]
    test_list = [
        ["test_batch", "40351d587109b95175f43aff81a1287e"],
    ]
    meta = {
        "filename": "batches.meta",
        "key": "label_names",
        "md5": "5ff9c542aee3614f3951f8cda6e48888",
    }

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if download:
            self.download()
        if not self._check_integrity():
            raise RuntimeError(f"Dataset not found or corrupted in {os.path.join(self.root, self.base_folder)}. "
                               "You can use download=True to download it")
        downloaded_list = self.train_list if self.train else self.test_list
        self.data = []
        self.targets = []
        for file_name, _ in downloaded_list:
            entry = load_pickled_batch(os.path.join(self.root, self.base_folder, file_name))
            self.data.append(np.asarray(entry["data"], dtype=np.uint8))
            self.targets.extend(int(t) for t in (entry["labels"] if "labels" in entry else entry["fine_labels"]))
        self.data = np.vstack(self.data).reshape(-1, 3, 32, 32)
        self.data = self.data.transpose((0, 2, 3, 1))  # HWC, as PIL wants it
        if len(self.targets) != len(self.data):
            raise RuntimeError(f"CIFAR batches hold {len(self.data)} images but {len(self.targets)} labels")
        self._load_meta()

    def _load_meta(self):
        path = os.path.join(self.root, self.base_folder, self.meta["filename"])
        if not check_integrity(path, self.meta["md5"]):
            raise RuntimeError("Dataset metadata file not found or corrupted. You can use download=True to download it")
        self.classes = list(load_pickled_batch(path)[self.meta["key"]])
        self.class_to_idx = {_class: i for i, _class in enumerate(self.classes)}

    def __getitem__(self, index):
        from ..transforms._functional_pil import require_pil
        Image = require_pil(f"{self.__class__.__name__}[i] (a PIL image, as torchvision)")
        img, target = self.data[index], self.targets[index]
        img = Image.fromarray(img)
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def _check_integrity(self):
        for filename, md5 in self.train_list + self.test_list:
            if not check_integrity(os.path.join(self.root, self.base_folder, filename), md5):
                return False
        return True

    def download(self):
        if self._check_integrity():
            return
        download_and_extract_archive(self.url, self.root, filename=self.filename, md5=self.tgz_md5)

    def extra_repr(self):
        split = "Train" if self.train is True else "Test"
        return f"Split: {split}"


class CIFAR100(CIFAR10):
    """`CIFAR-100 <https://www.cs.toronto.edu/~kriz/cifar.html>`_: like ``CIFAR10`` with 100 fine classes."""

    base_folder = "cifar-100-python"
    url = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
    filename = "cifar-100-python.tar.gz"
    tgz_md5 = "eb9058c3a382ffc7106e4002c42a8d85"
    train_list = [
        ["train", "16019d7e3df5f24257cddd939b257f8d"],
    ]
    test_list = [
        ["test", "f0ef6b0ae62326f3e7ffdfab6717acfc"],
    ]
    meta = {
        "filename": "meta",
        "key": "fine_label_names",
        "md5": "7973b15100ade9c7d40fb424638fde48",
    }
