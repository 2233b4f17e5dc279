"""DataLoader: iterate over a dataset in (shuffled) batches, optionally with worker threads.

Same arguments, defaults, errors and batching as torch.utils.data.DataLoader. The differences
are in how work is parallelised: ``num_workers > 0`` runs the dataset fetches and the collation
in a pool of *threads* (NumPy releases the GIL in its kernels, and file/image decoding usually
does too), still yielding batches in sampler order. Each worker gets ``worker_init_fn(worker_id)``
and a ``get_worker_info()`` with its id, the number of workers, a seed and the dataset, so
iterable datasets can shard themselves as in torch. Worker threads share the process's random
generators (torch's worker processes reseed theirs). ``pin_memory``, ``pin_memory_device``,
``multiprocessing_context`` and ``in_order`` are accepted; ``in_order=False`` still delivers in order.
"""
import itertools
import math
import queue
import threading
import warnings

import numpy as np

from ..._tensor import Tensor, _wrap
from .dataset import IterableDataset, Subset, TensorDataset
from .sampler import BatchSampler, RandomSampler, Sampler, SequentialSampler, _fresh_seed
from ._collate import default_collate, default_convert

__all__ = ["DataLoader", "get_worker_info", "default_collate", "default_convert", "WorkerInfo"]

_worker_local = threading.local()


class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker: ``id``, ``num_workers``, ``seed``,
    ``dataset`` (shared with the main thread) and ``worker_method`` (``"thread"``)."""

    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)

    def __repr__(self):
        items = ", ".join(f"{k}={v!r}" for k, v in self.__dict__.items() if k != "dataset")
        return f"WorkerInfo({items})"


def get_worker_info():
    """Information about the current DataLoader worker, or None outside workers.

    Example (sharding an iterable dataset between workers)::

        def __iter__(self):
            info = get_worker_info()
            start = 0 if info is None else info.id
            step = 1 if info is None else info.num_workers
            return iter(self.items[start::step])
    """
    return getattr(_worker_local, "info", None)


class _DatasetKind:
    Map = 0
    Iterable = 1


class _InfiniteConstantSampler(Sampler):
    """The 'sampler' of iterable datasets: indices are meaningless, only their number counts."""

    def __iter__(self):
        while True:
            yield None


def _tensor_source(dataset):
    """(tensors, index map) when ``dataset`` is a plain TensorDataset, possibly inside plain Subsets.

    Then a whole batch is one fancy-indexing per tensor: the same values, dtypes and structure that
    fetching each sample and ``default_collate`` would give, without the per-sample Python work.
    """
    maps = []
    while type(dataset) is Subset:
        maps.append(dataset.indices)
        dataset = dataset.dataset
    if type(dataset) is not TensorDataset or any(t._rg or not isinstance(t, Tensor) for t in dataset.tensors):
        return None
    return dataset.tensors, maps


class _MapDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset = dataset
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.fast = _tensor_source(dataset) if auto_collation and collate_fn is default_collate else None

    def fetch(self, index):
        if self.auto_collation:
            if self.fast is not None and len(index):
                tensors, maps = self.fast
                rows = index
                for m in maps:
                    rows = [m[i] for i in rows]
                idx = np.asarray(rows)
                if idx.dtype.kind in "iu" and idx.ndim == 1:
                    return [_wrap(t._data[idx]) for t in tensors]
            getitems = getattr(self.dataset, "__getitems__", None)
            data = getitems(index) if getitems else [self.dataset[i] for i in index]
        else:
            data = self.dataset[index]
        return self.collate_fn(data)


class _IterableDatasetFetcher:
    def __init__(self, dataset, auto_collation, collate_fn, drop_last):
        self.dataset_iter = iter(dataset)
        self.auto_collation = auto_collation
        self.collate_fn = collate_fn
        self.drop_last = drop_last
        self.ended = False

    def fetch(self, index):
        if self.ended:
            raise StopIteration
        if self.auto_collation:
            data = []
            for _ in index:
                try:
                    data.append(next(self.dataset_iter))
                except StopIteration:
                    self.ended = True
                    break
            if len(data) == 0 or (self.drop_last and len(data) < len(index)):
                raise StopIteration
        else:
            data = next(self.dataset_iter)
        return self.collate_fn(data)


def _create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last):
    cls = _MapDatasetFetcher if kind == _DatasetKind.Map else _IterableDatasetFetcher
    return cls(dataset, auto_collation, collate_fn, drop_last)


class DataLoader:
    """Combine a dataset and a sampler; iterate over batches of samples.

    Args:
        dataset (Dataset): map-style or iterable dataset.
        batch_size (int or None): samples per batch; None disables automatic batching (default: 1).
        shuffle (bool): reshuffle at every epoch (map-style datasets; default: False).
        sampler (Sampler or Iterable): the order of the indices (exclusive with ``shuffle``).
        batch_sampler (Sampler or Iterable): yields lists of indices (exclusive with ``batch_size``,
            ``shuffle``, ``sampler`` and ``drop_last``).
        num_workers (int): worker threads for loading (0: load in the main thread; default: 0).
        collate_fn (Callable): merges a list of samples into a batch (default: ``default_collate``).
        pin_memory (bool): accepted, without effect (ndgrad computes on the CPU).
        drop_last (bool): drop the last incomplete batch (default: False).
        timeout (float): seconds to wait for a batch from the workers (0: forever).
        worker_init_fn (Callable): called as ``worker_init_fn(worker_id)`` in each worker.
        generator (Generator): random stream for ``shuffle`` (and worker seeds).
        prefetch_factor (int): batches loaded in advance per worker (default: 2 with workers).
        persistent_workers (bool): keep the worker threads between epochs (default: False).

    Example:
        >>> ds = TensorDataset(ndgrad.randn(100, 3), ndgrad.arange(100))
        >>> loader = DataLoader(ds, batch_size=32, shuffle=True, generator=ndgrad.Generator().manual_seed(0))
        >>> for x, y in loader:
        ...     x.shape   # torch.Size([32, 3]) (the last batch has 4 rows)
    """

    _initialized = False

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 "
                             "to enable multiprocessing, otherwise set prefetch_factor to None.")
        if num_workers > 0 and prefetch_factor is None:
            prefetch_factor = 2
        elif prefetch_factor is not None and prefetch_factor < 0:
            raise ValueError("prefetch_factor option should be non-negative")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        if multiprocessing_context is not None and num_workers == 0:
            raise ValueError("multiprocessing_context can only be used with multi-process loading (num_workers > 0), "
                             f"but got num_workers={num_workers}")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.pin_memory_device = pin_memory_device
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.in_order = in_order

        if isinstance(dataset, IterableDataset):
            self._dataset_kind = _DatasetKind.Iterable
            if shuffle not in {False, None}:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                                 f"shuffle={shuffle}")
            if sampler is not None:
                raise ValueError(f"DataLoader with IterableDataset: expected unspecified sampler option, but got "
                                 f"sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified batch_sampler option, but "
                                 f"got batch_sampler={batch_sampler}")
        else:
            shuffle = bool(shuffle)
            self._dataset_kind = _DatasetKind.Map

        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with drop_last")

        if sampler is None:
            if self._dataset_kind == _DatasetKind.Iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)

        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self.persistent_workers = persistent_workers
        self._IterableDataset_len_called = None
        self._iterator = None
        self._initialized = True

    def __setattr__(self, attr, val):
        if self._initialized and attr in ("batch_size", "batch_sampler", "sampler", "drop_last", "dataset",
                                          "persistent_workers"):
            raise ValueError(f"{attr} attribute should not be set after {self.__class__.__name__} is initialized")
        super().__setattr__(attr, val)

    def _get_iterator(self):
        if self.num_workers == 0:
            return _SingleProcessDataLoaderIter(self)
        return _ThreadedDataLoaderIter(self)

    def __iter__(self):
        if self.persistent_workers and self.num_workers > 0:
            if self._iterator is None:
                self._iterator = self._get_iterator()
            else:
                self._iterator._reset(self)
            return self._iterator
        return self._get_iterator()

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation else self.sampler

    def __len__(self):
        if self._dataset_kind == _DatasetKind.Iterable:
            length = self._IterableDataset_len_called = len(self.dataset)
            if self.batch_size is not None:
                length = length // self.batch_size if self.drop_last else math.ceil(length / self.batch_size)
            return length
        return len(self._index_sampler)


class _BaseDataLoaderIter:
    def __init__(self, loader):
        self._dataset = loader.dataset
        self._dataset_kind = loader._dataset_kind
        self._IterableDataset_len_called = loader._IterableDataset_len_called
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._index_sampler = loader._index_sampler
        self._num_workers = loader.num_workers
        self._timeout = loader.timeout
        self._collate_fn = loader.collate_fn
        self._sampler_iter = iter(self._index_sampler)
        # Drawn every epoch like torch does (so generator streams advance the same way); the seed of
        # worker k is base_seed + k.
        self._base_seed = _fresh_seed(loader.generator)
        self._persistent_workers = loader.persistent_workers
        self._num_yielded = 0

    def __iter__(self):
        return self

    def _reset(self, loader, first_iter=False):
        self._sampler_iter = iter(self._index_sampler)
        self._num_yielded = 0
        self._IterableDataset_len_called = loader._IterableDataset_len_called

    def _next_index(self):
        return next(self._sampler_iter)

    def _next_data(self):
        raise NotImplementedError

    def __next__(self):
        data = self._next_data()
        self._num_yielded += 1
        if (self._dataset_kind == _DatasetKind.Iterable and self._IterableDataset_len_called is not None
                and self._num_yielded > self._IterableDataset_len_called):
            msg = (f"Length of IterableDataset {self._dataset} was reported to be {self._IterableDataset_len_called}"
                   f"(when accessing len(dataloader)), but {self._num_yielded} samples have been fetched. ")
            if self._num_workers > 0:
                msg += ("For multiprocessing data-loading, this could be caused by not properly configuring the "
                        "IterableDataset replica at each worker. Please see "
                        "https://pytorch.org/docs/stable/data.html#torch.utils.data.IterableDataset for examples.")
            warnings.warn(msg, stacklevel=2)
        return data

    def __len__(self):
        return len(self._index_sampler)


class _SingleProcessDataLoaderIter(_BaseDataLoaderIter):
    def __init__(self, loader):
        super().__init__(loader)
        self._dataset_fetcher = _create_fetcher(self._dataset_kind, self._dataset, self._auto_collation,
                                                self._collate_fn, self._drop_last)

    def _next_data(self):
        index = self._next_index()
        return self._dataset_fetcher.fetch(index)


class _IterableEnd:
    """A worker's reply when its copy of an iterable dataset is exhausted."""

    def __init__(self, worker_id):
        self.worker_id = worker_id


class _WorkerError:
    """An exception raised in a worker, re-raised in the main thread when its batch is due."""

    def __init__(self, exc):
        self.exc = exc


def _worker_loop(worker_id, num_workers, seed, dataset, kind, auto_collation, collate_fn, drop_last, init_fn,
                 tasks, results):
    _worker_local.info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset,
                                    worker_method="thread")
    init_error = None
    if init_fn is not None:
        try:
            init_fn(worker_id)
        except Exception as e:  # noqa: BLE001  (reported with the first batch)
            init_error = _WorkerError(e)
    fetcher, fetcher_epoch, ended = None, None, False
    while True:
        task = tasks.get()
        if task is None:
            return
        epoch, idx, index = task
        if epoch != fetcher_epoch:  # a new epoch (persistent workers): start the dataset afresh
            fetcher, fetcher_epoch, ended = None, epoch, False
        if ended:
            continue  # the main thread skips batches sent to a worker whose stream has ended
        if init_error is not None:
            results.put((epoch, idx, init_error))
            continue
        try:
            if fetcher is None:
                fetcher = _create_fetcher(kind, dataset, auto_collation, collate_fn, drop_last)
            data = fetcher.fetch(index)
        except StopIteration:
            if kind != _DatasetKind.Iterable:
                data = _WorkerError(RuntimeError("a map-style dataset raised StopIteration"))
            else:
                ended = True
                data = _IterableEnd(worker_id)
        except Exception as e:  # noqa: BLE001
            data = _WorkerError(e)
        results.put((epoch, idx, data))


class _ThreadedDataLoaderIter(_BaseDataLoaderIter):
    """Batches fetched by worker threads; each worker has its own task queue (batch k goes to the next
    active worker in turn, as in torch) and results are reordered to the sampler's order."""

    def __init__(self, loader):
        super().__init__(loader)
        n = self._num_workers
        self._prefetch_factor = loader.prefetch_factor
        self._task_queues = [queue.Queue() for _ in range(n)]
        self._results = queue.Queue()
        self._epoch = 0
        self._workers = []
        for i in range(n):
            t = threading.Thread(
                target=_worker_loop, daemon=True, name=f"ndgrad-DataLoader-worker-{i}",
                args=(i, n, self._base_seed + i, self._dataset, self._dataset_kind, self._auto_collation,
                      self._collate_fn, self._drop_last, loader.worker_init_fn, self._task_queues[i], self._results))
            t.start()
            self._workers.append(t)
        self._shutdown = False
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        super()._reset(loader, first_iter)
        if not first_iter:
            self._epoch += 1
            for q in self._task_queues:  # work of an abandoned epoch is no longer wanted
                while True:
                    try:
                        q.get_nowait()
                    except queue.Empty:
                        break
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info = {}   # batch index -> (worker_id,) while pending, (worker_id, data) when early
        self._workers_status = [True] * self._num_workers
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        for _ in range(self._prefetch_factor * self._num_workers):
            self._try_put_index()

    def _try_put_index(self):
        try:
            index = self._next_index()
        except StopIteration:
            return
        for _ in range(self._num_workers):
            worker_id = next(self._worker_cycle)
            if self._workers_status[worker_id]:
                break
        else:
            return  # every worker's stream has ended
        self._task_queues[worker_id].put((self._epoch, self._send_idx, index))
        self._task_info[self._send_idx] = (worker_id,)
        self._send_idx += 1

    def _get_result(self):
        try:
            return self._results.get(timeout=self._timeout if self._timeout > 0 else None)
        except queue.Empty:
            raise RuntimeError(f"DataLoader timed out after {self._timeout} seconds") from None

    def _next_data(self):
        while True:
            # Skip batches that went to workers whose (iterable) stream has since ended.
            while self._rcvd_idx < self._send_idx:
                info = self._task_info.get(self._rcvd_idx)
                if info is not None and (len(info) == 2 or self._workers_status[info[0]]):
                    break
                self._task_info.pop(self._rcvd_idx, None)
                self._rcvd_idx += 1
            else:
                if not self._persistent_workers:
                    self._shutdown_workers()
                raise StopIteration
            info = self._task_info[self._rcvd_idx]
            if len(info) == 2:
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._process(info[1])
            epoch, idx, data = self._get_result()
            if epoch != self._epoch:
                continue  # left over from an epoch that was abandoned early
            if isinstance(data, _IterableEnd):
                self._workers_status[data.worker_id] = False
                self._try_put_index()
                continue
            if idx != self._rcvd_idx:
                self._task_info[idx] += (data,)
                continue
            del self._task_info[idx]
            self._rcvd_idx += 1
            return self._process(data)

    def _process(self, data):
        self._try_put_index()
        if isinstance(data, _WorkerError):
            raise data.exc
        return data

    def _shutdown_workers(self):
        if self._shutdown:
            return
        self._shutdown = True
        for q in self._task_queues:
            while True:  # drop pending work so the thread sees the sentinel promptly
                try:
                    q.get_nowait()
                except queue.Empty:
                    break
            q.put(None)

    def __del__(self):
        try:
            self._shutdown_workers()
        except Exception:  # noqa: BLE001  (interpreter shutdown)
            pass
