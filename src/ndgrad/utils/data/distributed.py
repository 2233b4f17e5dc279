"""DistributedSampler: each process of a data-parallel job visits its own share of the dataset.

The structure is torch's: the index list (shuffled with ``seed + epoch`` when ``shuffle``) is padded by
wrapping around (or its tail dropped with ``drop_last``) to a multiple of the number of replicas, then
rank ``r`` takes ``indices[r:total_size:num_replicas]``. Unshuffled, the indices are exactly torch's;
shuffled, the permutation comes from ndgrad's generator (a different stream from torch's), the same on
every rank for the same seed and epoch.
"""
import math

from ...ops.random import Generator, randperm
from .sampler import Sampler

__all__ = ["DistributedSampler"]


class DistributedSampler(Sampler):
    """Restrict a DataLoader to this process's share of a map-style dataset.

    Args:
        dataset: the dataset (its ``len`` is used).
        num_replicas (int, optional): number of processes (default: the default group's world size).
        rank (int, optional): this process's rank (default: the default group's rank).
        shuffle (bool): shuffle the indices, differently each epoch (see ``set_epoch``). Default True.
        seed (int): shuffling seed; must be the same on every rank. Default 0.
        drop_last (bool): drop the tail so that every rank gets the same number of samples, instead of
            padding with indices from the start. Default False.

    Example:
        >>> sampler = DistributedSampler(train_set)
        >>> loader = DataLoader(train_set, batch_size=64, sampler=sampler)
        >>> for epoch in range(epochs):
        ...     sampler.set_epoch(epoch)    # a new shuffle each epoch
        ...     for x, y in loader: ...
    """

    def __init__(self, dataset, num_replicas=None, rank=None, shuffle=True, seed=0, drop_last=False):
        if num_replicas is None or rank is None:
            from ... import distributed as dist
            if not dist.is_available():
                raise RuntimeError("Requires distributed package to be available")
            if num_replicas is None:
                num_replicas = dist.get_world_size()
            if rank is None:
                rank = dist.get_rank()
        if rank >= num_replicas or rank < 0:
            raise ValueError(f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]")
        self.dataset = dataset
        self.num_replicas = num_replicas
        self.rank = rank
        self.epoch = 0
        self.drop_last = drop_last
        n = len(dataset)
        if drop_last and n % num_replicas != 0:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas
        self.shuffle = shuffle
        self.seed = seed

    def __iter__(self):
        n = len(self.dataset)
        if self.shuffle:
            g = Generator()
            g.manual_seed(self.seed + self.epoch)
            indices = randperm(n, generator=g).tolist()
        else:
            indices = list(range(n))
        if not self.drop_last:
            padding = self.total_size - len(indices)
            if padding <= len(indices):
                indices += indices[:padding]
            else:
                indices += (indices * math.ceil(padding / len(indices)))[:padding]
        else:
            indices = indices[:self.total_size]
        return iter(indices[self.rank:self.total_size:self.num_replicas])

    def __len__(self):
        return self.num_samples

    def set_epoch(self, epoch):
        """Set the epoch, which seeds the shuffle together with ``seed``: call it before each epoch."""
        self.epoch = epoch
