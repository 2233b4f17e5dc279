"""ndgrad.utils.data: datasets, samplers and the DataLoader (torch.utils.data's API).

Example:
    >>> from ndgrad.utils.data import TensorDataset, DataLoader, random_split
    >>> ds = TensorDataset(ndgrad.randn(1000, 784), ndgrad.randint(0, 10, (1000,)))
    >>> train, val = random_split(ds, [0.9, 0.1], generator=ndgrad.Generator().manual_seed(0))
    >>> for x, y in DataLoader(train, batch_size=64, shuffle=True):
    ...     ...
"""
from .dataset import (Dataset, IterableDataset, TensorDataset, StackDataset, ConcatDataset,  # noqa: F401
                      ChainDataset, Subset, random_split)
from .sampler import (Sampler, SequentialSampler, RandomSampler, SubsetRandomSampler,  # noqa: F401
                      WeightedRandomSampler, BatchSampler)
from .dataloader import DataLoader, get_worker_info  # noqa: F401
from ._collate import default_collate, default_convert  # noqa: F401
from .distributed import DistributedSampler  # noqa: F401

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "StackDataset", "ConcatDataset", "ChainDataset",
           "Subset", "random_split", "Sampler", "SequentialSampler", "RandomSampler", "SubsetRandomSampler",
           "WeightedRandomSampler", "BatchSampler", "DataLoader", "get_worker_info", "default_collate",
           "default_convert", "DistributedSampler"]
