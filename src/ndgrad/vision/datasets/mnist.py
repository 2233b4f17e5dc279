"""MNIST and Fashion-MNIST from their IDX files (torchvision.datasets.MNIST / FashionMNIST).

``root/MNIST/raw/`` holds the four ``*-ubyte`` files (``download=True`` fetches the ``.gz``
files from torchvision's mirrors, checks their MD5 and unpacks them). ``data`` is a uint8
tensor (N, 28, 28) and ``targets`` an int64 tensor (N,), available without Pillow;
``dataset[i]`` returns ``(PIL image, int)`` as torchvision does (pass ``transform=ToTensor()``).
"""
import os
import sys

import numpy as np

from .utils import NETWORK_ERRORS, check_integrity, download_and_extract_archive
from .vision import VisionDataset

__all__ = ["MNIST", "FashionMNIST", "read_sn3_pascalvincent_tensor", "read_image_file", "read_label_file"]

# IDX type codes -> big-endian NumPy dtypes
SN3_PASCALVINCENT_TYPEMAP = {8: np.dtype(">u1"), 9: np.dtype(">i1"), 11: np.dtype(">i2"), 12: np.dtype(">i4"),
                             13: np.dtype(">f4"), 14: np.dtype(">f8")}


def read_sn3_pascalvincent_tensor(path, strict=True):
    """Read an IDX file (magic ``0x0000TTDD``: type TT, DD dimensions, then big-endian sizes and data)."""
    from ... import from_numpy
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 4:
        raise RuntimeError(f"{path} is not an IDX file: it is {len(data)} bytes long")
    magic = int.from_bytes(data[0:4], "big")
    nd = magic % 256
    ty = magic // 256
    if not 1 <= nd <= 3 or ty not in SN3_PASCALVINCENT_TYPEMAP:
        raise RuntimeError(f"{path} is not an IDX file (magic number {magic:#010x})")
    if len(data) < 4 * (nd + 1):
        raise RuntimeError(f"{path} is truncated: its header is incomplete")
    s = [int.from_bytes(data[4 * (i + 1): 4 * (i + 2)], "big") for i in range(nd)]
    dtype = SN3_PASCALVINCENT_TYPEMAP[ty]
    count = int(np.prod(s))
    offset = 4 * (nd + 1)
    if len(data) - offset < count * dtype.itemsize:
        raise RuntimeError(f"{path} is truncated: {count} values of {dtype.itemsize} bytes announced, "
                           f"{len(data) - offset} bytes present")
    parsed = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
    return from_numpy(parsed.astype(dtype.newbyteorder("="), copy=True).reshape(*s))


def read_label_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    from ... import uint8, int64
    if x.dtype != uint8 or x.ndimension() != 1:
        raise RuntimeError(f"{path} should hold a 1-d uint8 label array, got {x.dtype} {tuple(x.shape)}")
    return x.to(int64)


def read_image_file(path):
    x = read_sn3_pascalvincent_tensor(path, strict=False)
    from ... import uint8
    if x.dtype != uint8 or x.ndimension() != 3:
        raise RuntimeError(f"{path} should hold a 3-d uint8 image array, got {x.dtype} {tuple(x.shape)}")
    return x


class MNIST(VisionDataset):
    """`MNIST <http://yann.lecun.com/exdb/mnist/>`_ handwritten digits (60000 train, 10000 test).

    Args:
        root: folder containing ``MNIST/raw/`` (created by ``download=True``).
        train: the training split (else the test split).
        transform, target_transform: applied to the PIL image / the int label.
        download: fetch and verify the files if they are not there yet.
    """

    mirrors = ["https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        ("train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"),
        ("t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3"),
        ("t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"),
    ]
    training_file = "training.pt"
    test_file = "test.pt"
    classes = ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven",
               "8 - eight", "9 - nine"]

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        super().__init__(root, transform=transform, target_transform=target_transform)
        self.train = train
        if self._check_legacy_exist():
            self.data, self.targets = self._load_legacy_data()
            return
        if download:
            self.download()
        if not self._check_exists():
            raise RuntimeError(f"Dataset not found in {self.raw_folder}. You can use download=True to download it")
        self.data, self.targets = self._load_data()

    @property
    def raw_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "raw")

    @property
    def processed_folder(self):
        return os.path.join(self.root, self.__class__.__name__, "processed")

    @property
    def class_to_idx(self):
        return {_class: i for i, _class in enumerate(self.classes)}

    def _check_legacy_exist(self):
        if not os.path.exists(self.processed_folder):
            return False
        return all(check_integrity(os.path.join(self.processed_folder, f))
                   for f in (self.training_file, self.test_file))

    def _load_legacy_data(self):
        # (data, targets) tuples that old torchvision versions saved with torch.save; ndgrad.load
        # reads them without running code from the file
        from ...serialization import load
        data_file = self.training_file if self.train else self.test_file
        return load(os.path.join(self.processed_folder, data_file))

    def _load_data(self):
        prefix = "train" if self.train else "t10k"
        data = read_image_file(os.path.join(self.raw_folder, f"{prefix}-images-idx3-ubyte"))
        targets = read_label_file(os.path.join(self.raw_folder, f"{prefix}-labels-idx1-ubyte"))
        if data.shape[0] != targets.shape[0]:
            raise RuntimeError(f"{self.raw_folder}: {data.shape[0]} images but {targets.shape[0]} labels")
        return data, targets

    def __getitem__(self, index):
        from ..transforms._functional_pil import require_pil
        Image = require_pil(f"{self.__class__.__name__}[i] (a PIL image, as torchvision)")
        img, target = self.data[index], int(self.targets[index])
        img = Image.fromarray(img.numpy())
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def _check_exists(self):
        return all(check_integrity(os.path.join(self.raw_folder, os.path.splitext(os.path.basename(url))[0]))
                   for url, _ in self.resources)

    def download(self):
        """Download the ``.gz`` files (trying each mirror), verify their MD5 and unpack them."""
        if self._check_exists():
            return
        os.makedirs(self.raw_folder, exist_ok=True)
        for filename, md5 in self.resources:
            errors = []
            for mirror in self.mirrors:
                url = f"{mirror}{filename}"
                try:
                    sys.stderr.write(f"Downloading {url}\n")
                    download_and_extract_archive(url, download_root=self.raw_folder, filename=filename, md5=md5)
                except NETWORK_ERRORS as error:
                    sys.stderr.write(f"Failed to download (trying next):\n{error}\n")
                    errors.append(f"{url}: {error}")
                    continue
                break
            else:
                raise RuntimeError(f"Error downloading {filename}:\n  " + "\n  ".join(errors) +
                                   f"\nPlace the unpacked files in {self.raw_folder} to use them without network "
                                   "access.")

    def extra_repr(self):
        split = "Train" if self.train is True else "Test"
        return f"Split: {split}"


class FashionMNIST(MNIST):
    """`Fashion-MNIST <https://github.com/zalandoresearch/fashion-mnist>`_: 28x28 clothing images, 10 classes.

    Same interface and file layout as ``MNIST`` (under ``root/FashionMNIST/raw/``).
    """

    mirrors = ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"]
    resources = [
        ("train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d"),
        ("train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"),
        ("t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79"),
        ("t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"),
    ]
    classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
               "Ankle boot"]
