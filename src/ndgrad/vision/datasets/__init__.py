"""Datasets with torchvision's classes and file layouts: ImageFolder, MNIST, FashionMNIST, CIFAR10/100.

Downloads (``download=True``) are verified against torchvision's MD5 sums and written atomically;
pickled CIFAR batches are read without executing anything from the file.

Example:
    >>> from ndgrad.vision import datasets, transforms as T
    >>> train = datasets.MNIST("data", train=True, download=True, transform=T.ToTensor())
    >>> loader = ndgrad.utils.data.DataLoader(train, batch_size=64, shuffle=True)
"""
from .vision import VisionDataset, StandardTransform  # noqa: F401
from .folder import DatasetFolder, ImageFolder  # noqa: F401
from .mnist import MNIST, FashionMNIST  # noqa: F401
from .cifar import CIFAR10, CIFAR100  # noqa: F401
from . import utils  # noqa: F401

__all__ = ["VisionDataset", "DatasetFolder", "ImageFolder", "MNIST", "FashionMNIST", "CIFAR10", "CIFAR100"]
