"""utils.data: datasets, samplers, collation and DataLoader, compared with torch where deterministic."""
import collections
import threading
import time
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ndgrad
import ndgrad.utils.data as ndata

LIBS = [(ndgrad, ndata), (torch, tdata)]
X = np.arange(60, dtype=np.float32).reshape(20, 3)
Y = np.arange(20) % 4


def structure(obj):
    """A comparable description of a (nested) batch: tensors become (dtype name, shape, values)."""
    if isinstance(obj, (ndgrad.Tensor, torch.Tensor)):
        return ("tensor", str(obj.dtype), tuple(obj.shape), obj.detach().numpy().tolist())
    if isinstance(obj, np.ndarray):
        return ("ndarray", str(obj.dtype), obj.tolist())
    if isinstance(obj, dict):
        return (type(obj).__name__, {k: structure(v) for k, v in obj.items()})
    if isinstance(obj, tuple) and hasattr(obj, "_fields"):
        return (type(obj).__name__, [structure(v) for v in obj])
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [structure(v) for v in obj])
    return ("value", type(obj).__name__, obj)


def batches(lib_data, dataset, **kwargs):
    return [structure(b) for b in lib_data.DataLoader(dataset, **kwargs)]


def tensor_dataset(lib, lib_data):
    return lib_data.TensorDataset(lib.tensor(X), lib.tensor(Y))


# -- datasets -------------------------------------------------------------------------------------

def test_tensor_dataset_indexing_matches_torch():
    n_ds, t_ds = tensor_dataset(ndgrad, ndata), tensor_dataset(torch, tdata)
    assert len(n_ds) == len(t_ds) == 20
    for idx in [0, 7, -1, slice(2, 5), [1, 3, 3]]:
        assert structure(n_ds[idx]) == structure(t_ds[idx])
    assert structure(n_ds[ndgrad.tensor([4, 2])]) == structure(t_ds[torch.tensor([4, 2])])
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        ndata.TensorDataset(ndgrad.zeros(3), ndgrad.zeros(4))


def test_tensor_dataset_rows_are_views():
    x = ndgrad.zeros(4, 2)
    row, = ndata.TensorDataset(x)[1:2]
    x.add_(1.0)
    assert row.tolist() == [[1.0, 1.0]]
    assert row._version == x._version


def test_subset_concat_stack_chain():
    for lib, d in LIBS:
        ds = tensor_dataset(lib, d)
        sub = d.Subset(ds, [5, 1, 9])
        assert len(sub) == 3 and float(sub[1][0][0]) == 3.0
        cat = d.ConcatDataset([sub, ds])
        assert len(cat) == 23 and float(cat[3][0][0]) == 0.0 and float(cat[-1][0][0]) == 57.0
        assert len(sub + ds) == 23
        with pytest.raises(ValueError, match="absolute value of index should not exceed dataset length"):
            cat[-24]
        st = d.StackDataset(sub, sub)
        assert len(st) == 3 and float(st[0][1][0][0]) == 15.0
        named = d.StackDataset(a=sub, b=sub)
        assert set(named[0]) == {"a", "b"}
        with pytest.raises(ValueError, match="Size mismatch between datasets"):
            d.StackDataset(sub, ds)
        with pytest.raises(ValueError, match="At least one dataset should be passed"):
            d.StackDataset()


def test_stack_dataset_getitems_matches_torch():
    n = ndata.StackDataset(a=tensor_dataset(ndgrad, ndata), b=ndata.Subset(tensor_dataset(ndgrad, ndata), range(20)))
    t = tdata.StackDataset(a=tensor_dataset(torch, tdata), b=tdata.Subset(tensor_dataset(torch, tdata), range(20)))
    assert structure(n.__getitems__([3, 0])) == structure(t.__getitems__([3, 0]))


class Count(ndata.IterableDataset):
    def __init__(self, n, start=0):
        self.n, self.start = n, start

    def __iter__(self):
        return iter(range(self.start, self.start + self.n))

    def __len__(self):
        return self.n


def test_chain_dataset_and_iterable_add():
    chain = Count(3) + Count(2, start=10)
    assert isinstance(chain, ndata.ChainDataset)
    assert list(chain) == [0, 1, 2, 10, 11] and len(chain) == 5
    with pytest.raises(AssertionError, match="ConcatDataset does not support IterableDataset"):
        ndata.ConcatDataset([Count(2)])
    with pytest.raises(NotImplementedError, match="Subclasses of Dataset should implement __getitem__."):
        ndata.Dataset()[0]


@pytest.mark.parametrize("n,lengths", [(10, [3, 7]), (10, [0.5, 0.5]), (11, [0.3, 0.3, 0.4]), (7, [0.2, 0.8]),
                                       (100, [0.33, 0.33, 0.34]), (5, [1.0]), (9, [4, 0, 5])])
def test_random_split_lengths_match_torch(n, lengths):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        n_parts = ndata.random_split(list(range(n)), lengths, generator=ndgrad.Generator().manual_seed(1))
        t_parts = tdata.random_split(list(range(n)), lengths, generator=torch.Generator().manual_seed(1))
    assert [len(p) for p in n_parts] == [len(p) for p in t_parts]
    items = sorted(x for p in n_parts for x in p)
    assert items == list(range(n))
    assert all(isinstance(p, ndata.Subset) for p in n_parts)


def test_random_split_reproducible_and_errors():
    a = ndata.random_split(range(50), [0.6, 0.4], generator=ndgrad.Generator().manual_seed(7))
    b = ndata.random_split(range(50), [0.6, 0.4], generator=ndgrad.Generator().manual_seed(7))
    c = ndata.random_split(range(50), [0.6, 0.4], generator=ndgrad.Generator().manual_seed(8))
    assert a[0].indices == b[0].indices != c[0].indices
    ndgrad.manual_seed(3)
    d = ndata.random_split(range(50), [25, 25])
    ndgrad.manual_seed(3)
    assert ndata.random_split(range(50), [25, 25])[1].indices == d[1].indices
    for _, lib_data in LIBS:
        with pytest.raises(ValueError, match="Sum of input lengths does not equal the length of the input dataset!"):
            lib_data.random_split(range(10), [3, 3])
        with pytest.warns(UserWarning, match="Length of split at index 1 is 0"):
            lib_data.random_split(range(3), [1.0, 0.0])


# -- samplers -------------------------------------------------------------------------------------

def test_sequential_and_batch_sampler_match_torch():
    for drop_last in (False, True):
        for bs in (1, 3, 7, 20, 25):
            n = list(ndata.BatchSampler(ndata.SequentialSampler(range(20)), bs, drop_last))
            t = list(tdata.BatchSampler(tdata.SequentialSampler(range(20)), bs, drop_last))
            assert n == t
            assert len(ndata.BatchSampler(range(20), bs, drop_last)) == len(t)
    for _, d in LIBS:
        with pytest.raises(ValueError, match="batch_size should be a positive integer value, but got batch_size=0"):
            d.BatchSampler(range(3), 0, False)
        with pytest.raises(ValueError, match="drop_last should be a boolean value, but got drop_last=1"):
            d.BatchSampler(range(3), 2, 1)


def test_random_sampler():
    g = ndgrad.Generator().manual_seed(0)
    perm = list(ndata.RandomSampler(range(10), generator=g))
    assert sorted(perm) == list(range(10)) and perm != list(range(10))
    assert perm == list(ndata.RandomSampler(range(10), generator=ndgrad.Generator().manual_seed(0)))
    s = ndata.RandomSampler(range(10), num_samples=25, generator=g)
    draws = list(s)
    assert len(s) == len(draws) == 25 and sorted(draws[:20]) == sorted(list(range(10)) * 2)
    r = ndata.RandomSampler(range(5), replacement=True, num_samples=70, generator=g)
    draws = list(r)
    assert len(draws) == 70 and set(draws) <= set(range(5))
    ndgrad.manual_seed(11)
    a = list(ndata.RandomSampler(range(30)))
    ndgrad.manual_seed(11)
    assert list(ndata.RandomSampler(range(30))) == a
    for _, d in LIBS:
        with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
            d.RandomSampler(range(3), num_samples=0)
        with pytest.raises(TypeError, match="replacement should be a boolean value, but got replacement=1"):
            d.RandomSampler(range(3), replacement=1)


def test_subset_and_weighted_samplers():
    s = ndata.SubsetRandomSampler([3, 8, 5, 1], generator=ndgrad.Generator().manual_seed(2))
    assert sorted(s) == [1, 3, 5, 8] and len(s) == 4
    w = ndata.WeightedRandomSampler([0.0, 1.0, 0.0, 3.0], 200, generator=ndgrad.Generator().manual_seed(2))
    draws = list(w)
    assert len(w) == 200 and set(draws) == {1, 3} and draws.count(3) > draws.count(1)
    w = ndata.WeightedRandomSampler(ndgrad.tensor([1.0, 1.0, 1.0]), 3, replacement=False)
    assert sorted(w) == [0, 1, 2] and w.weights.dtype == ndgrad.float64
    for _, d in LIBS:
        with pytest.raises(ValueError, match="num_samples should be a positive integer value, but got num_samples=0"):
            d.WeightedRandomSampler([1.0], 0)
        with pytest.raises(ValueError, match="replacement should be a boolean value, but got replacement=0"):
            d.WeightedRandomSampler([1.0], 1, replacement=0)
        with pytest.raises(ValueError, match=r"weights should be a 1d sequence but given weights have shape \(1, 2\)"):
            d.WeightedRandomSampler([[1.0, 2.0]], 1)


# -- collation ------------------------------------------------------------------------------------

Point = collections.namedtuple("Point", ["x", "label"])

SAMPLES = {
    "tensors": lambda lib: [(lib.tensor([1.0, 2.0]), lib.tensor(3)), (lib.tensor([4.0, 5.0]), lib.tensor(6))],
    "numbers": lambda lib: [(1.5, 2, True), (2.5, 3, False)],
    "strings": lambda lib: [("a", b"x"), ("b", b"y")],
    "dicts": lambda lib: [{"img": np.ones((2, 2), np.float32), "id": 1, "name": "a"},
                          {"img": np.zeros((2, 2), np.float32), "id": 2, "name": "b"}],
    "namedtuple": lambda lib: [Point(np.array([1, 2]), 0), Point(np.array([3, 4]), 1)],
    "lists": lambda lib: [[1, 2.0, [3]], [4, 5.0, [6]]],
    "numpy_scalars": lambda lib: [(np.float32(1), np.int32(2), np.float64(3), np.bool_(True)),
                                  (np.float32(4), np.int32(5), np.float64(6), np.bool_(False))],
    "numpy_0d": lambda lib: [np.array(1.5), np.array(2.5)],
    "float64_tensors": lambda lib: [lib.tensor([1.0], dtype=lib.float64), lib.tensor([2.0], dtype=lib.float64)],
    "int_arrays": lambda lib: [np.array([1, 2], dtype=np.int32), np.array([3, 4], dtype=np.int32)],
}


@pytest.mark.parametrize("name", list(SAMPLES))
def test_default_collate_matches_torch(name):
    assert structure(ndata.default_collate(SAMPLES[name](ndgrad))) == \
        structure(tdata.default_collate(SAMPLES[name](torch)))


@pytest.mark.parametrize("sample", [np.zeros(3), (np.zeros(2), 1), [np.ones(1, np.float32), "s"],
                                    {"a": np.float64(2.0), "b": [np.int64(1)]}, np.array(["x", "y"]),
                                    Point(np.ones(2), 1), 3.0, "text"])
def test_default_convert_matches_torch(sample):
    assert structure(ndata.default_convert(sample)) == structure(tdata.default_convert(sample))


def test_default_convert_shares_memory():
    a = np.zeros(3)
    t = ndata.default_convert(a)
    a[0] = 5
    assert t.tolist() == [5.0, 0.0, 0.0]


@pytest.mark.parametrize("batch,exc,msg", [
    (lambda lib: [lib.zeros(2), lib.zeros(3)], RuntimeError,
     "stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1"),
    (lambda lib: [np.zeros((2, 1)), np.zeros(2)], RuntimeError,
     "stack expects each tensor to be equal size, but got [2, 1] at entry 0 and [2] at entry 1"),
    (lambda lib: [object()], TypeError,
     "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found <class 'object'>"),
    (lambda lib: [np.array(["a"])], TypeError, "default_collate: batch must contain tensors, numpy arrays, numbers, "
                                               "dicts or lists; found <U1"),
    (lambda lib: [[1, 2], [3]], RuntimeError, "each element in list of batch should be of equal size"),
])
def test_default_collate_errors_match_torch(batch, exc, msg):
    for lib, d in LIBS:
        with pytest.raises(exc) as info:
            d.default_collate(batch(lib))
        assert msg in str(info.value)


# -- DataLoader -----------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs", [dict(), dict(batch_size=6), dict(batch_size=6, drop_last=True),
                                    dict(batch_size=20), dict(batch_size=64), dict(batch_size=None),
                                    dict(batch_size=4, sampler=[3, 1, 4, 1, 5, 9, 2, 6]),
                                    dict(batch_sampler=[[0, 1], [5], [7, 2, 3]]),
                                    dict(batch_size=7, collate_fn=lambda b: len(b))])
def test_dataloader_sequential_matches_torch(kwargs):
    n = batches(ndata, tensor_dataset(ndgrad, ndata), **kwargs)
    t = batches(tdata, tensor_dataset(torch, tdata), **kwargs)
    assert n == t
    assert len(ndata.DataLoader(tensor_dataset(ndgrad, ndata), **kwargs)) == \
        len(tdata.DataLoader(tensor_dataset(torch, tdata), **kwargs))


class Records(ndata.Dataset):
    """A map-style dataset of dict samples built from Python and NumPy values (works for both libraries)."""

    def __init__(self, n=10):
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return {"x": np.full(3, i, dtype=np.float32), "y": i % 3, "w": i / 2, "tag": f"s{i}",
                "pair": (i, np.int64(-i))}


class TRecords(tdata.Dataset):
    __init__, __len__, __getitem__ = Records.__init__, Records.__len__, Records.__getitem__


def test_dataloader_structure_and_dtypes_match_torch():
    for kwargs in [dict(batch_size=4), dict(batch_size=4, drop_last=True), dict(batch_size=None)]:
        assert batches(ndata, Records(), **kwargs) == batches(tdata, TRecords(), **kwargs)


def test_dataloader_tensor_fast_path_equals_generic_collation():
    ds = ndata.TensorDataset(ndgrad.tensor(X), ndgrad.tensor(Y), ndgrad.tensor(Y > 1))
    sub = ndata.Subset(ndata.Subset(ds, list(range(19, -1, -1))), [0, 5, 2, 7, 9, 11, 3])
    for d in (ds, sub):
        fast = batches(ndata, d, batch_size=3)
        slow = batches(ndata, d, batch_size=3, collate_fn=lambda b: ndata.default_collate(b))
        assert fast == slow
    t_ds = tdata.TensorDataset(torch.tensor(X), torch.tensor(Y), torch.tensor(Y > 1))
    t_sub = tdata.Subset(tdata.Subset(t_ds, list(range(19, -1, -1))), [0, 5, 2, 7, 9, 11, 3])
    assert batches(ndata, sub, batch_size=3) == batches(tdata, t_sub, batch_size=3)


def test_dataloader_shuffle_reproducible_with_generator():
    ds = tensor_dataset(ndgrad, ndata)

    def epoch(seed):
        return [y.tolist() for _, y in ndata.DataLoader(ds, batch_size=5, shuffle=True,
                                                        generator=ndgrad.Generator().manual_seed(seed))]

    a, b, c = epoch(0), epoch(0), epoch(1)
    assert a == b and a != c
    assert sorted(sum(a, [])) == sorted(Y.tolist())
    # Successive epochs of one loader differ; the same seed replays the same sequence of epochs.
    loader = ndata.DataLoader(ds, batch_size=5, shuffle=True, generator=ndgrad.Generator().manual_seed(4))
    e1 = [y.tolist() for _, y in loader]
    e2 = [y.tolist() for _, y in loader]
    assert e1 != e2
    loader = ndata.DataLoader(ds, batch_size=5, shuffle=True, generator=ndgrad.Generator().manual_seed(4))
    assert [y.tolist() for _, y in loader] == e1
    # Without a generator, ndgrad.manual_seed makes shuffling reproducible.
    ndgrad.manual_seed(5)
    d1 = [y.tolist() for _, y in ndata.DataLoader(ds, batch_size=5, shuffle=True)]
    ndgrad.manual_seed(5)
    assert [y.tolist() for _, y in ndata.DataLoader(ds, batch_size=5, shuffle=True)] == d1


@pytest.mark.parametrize("kwargs,msg", [
    (dict(batch_sampler=[[0]], batch_size=2), "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                                              "sampler, and drop_last"),
    (dict(batch_sampler=[[0]], shuffle=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], drop_last=True), "batch_sampler option is mutually exclusive"),
    (dict(batch_sampler=[[0]], sampler=[0]), "batch_sampler option is mutually exclusive"),
    (dict(sampler=[0], shuffle=True), "sampler option is mutually exclusive with shuffle"),
    (dict(batch_size=None, drop_last=True), "batch_size=None option disables auto-batching and is mutually exclusive "
                                            "with drop_last"),
    (dict(num_workers=-1), "num_workers option should be non-negative; use num_workers=0 to disable multiprocessing."),
    (dict(timeout=-1), "timeout option should be non-negative"),
    (dict(prefetch_factor=2), "prefetch_factor option could only be specified in multiprocessing"),
    (dict(persistent_workers=True), "persistent_workers option needs num_workers > 0"),
])
def test_dataloader_errors_match_torch(kwargs, msg):
    for lib, d in LIBS:
        with pytest.raises(ValueError) as info:
            d.DataLoader(tensor_dataset(lib, d), **kwargs)
        assert msg in str(info.value)


def test_dataloader_iterable_dataset_errors_and_attribute_lock():
    for lib, d in LIBS:
        ds = Count(5) if lib is ndgrad else TCount(5)
        for kwargs, msg in [(dict(shuffle=True), "expected unspecified shuffle option, but got shuffle=True"),
                            (dict(sampler=[0]), "expected unspecified sampler option"),
                            (dict(batch_sampler=[[0]]), "expected unspecified batch_sampler option")]:
            with pytest.raises(ValueError, match=msg):
                d.DataLoader(ds, **kwargs)
        loader = d.DataLoader(tensor_dataset(lib, d))
        with pytest.raises(ValueError, match="batch_size attribute should not be set after DataLoader is initialized"):
            loader.batch_size = 3
        loader.num_workers = 0  # other attributes can change


class TCount(tdata.IterableDataset):
    __init__, __iter__, __len__ = Count.__init__, Count.__iter__, Count.__len__


@pytest.mark.parametrize("kwargs", [dict(), dict(batch_size=4), dict(batch_size=4, drop_last=True),
                                    dict(batch_size=None), dict(batch_size=5)])
def test_dataloader_iterable_dataset_matches_torch(kwargs):
    n_loader, t_loader = ndata.DataLoader(Count(10), **kwargs), tdata.DataLoader(TCount(10), **kwargs)
    assert [structure(b) for b in n_loader] == [structure(b) for b in t_loader]
    assert len(n_loader) == len(t_loader)


def test_dataloader_iterable_length_warning():
    class Liar(Count):
        def __len__(self):
            return 2

    with pytest.warns(UserWarning, match="was reported to be 2"):
        loader = ndata.DataLoader(Liar(4), batch_size=None)
        len(loader)
        list(loader)


@pytest.mark.parametrize("num_workers", [1, 2, 3])
def test_workers_preserve_order(num_workers):
    class Slow(ndata.Dataset):
        def __len__(self):
            return 23

        def __getitem__(self, i):
            time.sleep(0.002 * ((i * 7) % 5))  # out-of-order completion
            return {"i": i, "x": np.full(2, i, np.float64)}

    ref = batches(ndata, Slow(), batch_size=3)
    got = batches(ndata, Slow(), batch_size=3, num_workers=num_workers, prefetch_factor=3)
    assert got == ref
    shuffled = [b["i"].tolist() for b in ndata.DataLoader(Slow(), batch_size=4, shuffle=True, num_workers=num_workers,
                                                          generator=ndgrad.Generator().manual_seed(9))]
    single = [b["i"].tolist() for b in ndata.DataLoader(Slow(), batch_size=4, shuffle=True,
                                                        generator=ndgrad.Generator().manual_seed(9))]
    assert shuffled == single


def test_worker_init_fn_and_worker_info():
    seen, lock = [], threading.Lock()

    class WhoAmI(ndata.Dataset):
        def __len__(self):
            return 8

        def __getitem__(self, i):
            info = ndata.get_worker_info()
            return info.id

    def init(worker_id):
        info = ndata.get_worker_info()
        with lock:
            seen.append((worker_id, info.id, info.num_workers, isinstance(info.dataset, WhoAmI)))

    assert ndata.get_worker_info() is None
    loader = ndata.DataLoader(WhoAmI(), batch_size=1, num_workers=2, worker_init_fn=init,
                              generator=ndgrad.Generator().manual_seed(0))
    ids = [int(b) for b in loader]
    assert sorted(seen) == [(0, 0, 2, True), (1, 1, 2, True)]
    assert ids == [0, 1, 0, 1, 0, 1, 0, 1]  # batches go to the workers in turn, like torch
    assert ndata.get_worker_info() is None


class Sharded(ndata.IterableDataset):
    """Each worker yields its own share of the stream (torch's documented pattern)."""

    def __init__(self, n):
        self.n = n

    def __iter__(self):
        info = ndata.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


class TSharded(tdata.IterableDataset):
    __init__ = Sharded.__init__

    def __iter__(self):
        info = tdata.get_worker_info()
        if info is None:
            return iter(range(self.n))
        return iter(range(info.id, self.n, info.num_workers))


def test_iterable_workers_round_robin_like_torch():
    """Worker k serves batches k, k + W, ...; an exhausted worker is skipped (torch's order)."""
    got = [b.tolist() for b in ndata.DataLoader(Sharded(13), batch_size=2, num_workers=3)]
    # worker 0: 0 3 6 9 12 | worker 1: 1 4 7 10 | worker 2: 2 5 8 11
    assert got == [[0, 3], [1, 4], [2, 5], [6, 9], [7, 10], [8, 11], [12]]
    replicated = [b.tolist() for b in ndata.DataLoader(Count(3), batch_size=2, num_workers=2)]
    assert replicated == [[0, 1], [0, 1], [2], [2]]  # every worker iterates the whole dataset, as in torch


@pytest.mark.filterwarnings("ignore:This DataLoader will create")
def test_iterable_workers_match_torch_processes():
    n = [b.tolist() for b in ndata.DataLoader(Sharded(13), batch_size=2, num_workers=3)]
    t = [b.tolist() for b in tdata.DataLoader(TSharded(13), batch_size=2, num_workers=3)]
    assert n == t


def test_worker_exception_propagates():
    class Bad(ndata.Dataset):
        def __len__(self):
            return 6

        def __getitem__(self, i):
            if i == 4:
                raise KeyError(f"no sample {i}")
            return i

    for workers in (0, 2):
        loader = iter(ndata.DataLoader(Bad(), batch_size=2, num_workers=workers))
        assert next(loader).tolist() == [0, 1]
        assert next(loader).tolist() == [2, 3]
        with pytest.raises(KeyError, match="no sample 4"):
            next(loader)


def test_worker_init_fn_exception_propagates():
    def init(worker_id):
        raise ValueError("bad init")

    with pytest.raises(ValueError, match="bad init"):
        list(ndata.DataLoader(tensor_dataset(ndgrad, ndata), num_workers=2, worker_init_fn=init))


def test_persistent_workers():
    calls = []
    loader = ndata.DataLoader(tensor_dataset(ndgrad, ndata), batch_size=4, num_workers=2, persistent_workers=True,
                              worker_init_fn=calls.append)
    first = [y.tolist() for _, y in loader]
    it = iter(loader)
    next(it)  # abandon the epoch early
    second = [y.tolist() for _, y in loader]
    assert first == second == [Y[i:i + 4].tolist() for i in range(0, 20, 4)]
    assert sorted(calls) == [0, 1]  # workers started once
    shard = ndata.DataLoader(Sharded(7), batch_size=2, num_workers=2, persistent_workers=True)
    assert [b.tolist() for b in shard] == [b.tolist() for b in shard]


def test_timeout():
    class Sleepy(ndata.Dataset):
        def __len__(self):
            return 2

        def __getitem__(self, i):
            time.sleep(0.5)
            return i

    with pytest.raises(RuntimeError, match="DataLoader timed out after 0.05 seconds"):
        next(iter(ndata.DataLoader(Sleepy(), num_workers=1, timeout=0.05)))


def test_accepted_and_ignored_options():
    loader = ndata.DataLoader(tensor_dataset(ndgrad, ndata), batch_size=8, pin_memory=True, num_workers=2,
                              prefetch_factor=4, persistent_workers=False, in_order=False,
                              multiprocessing_context="spawn")
    assert [y.tolist() for _, y in loader] == [Y[:8].tolist(), Y[8:16].tolist(), Y[16:].tolist()]


def test_training_loop_with_dataloader():
    """A linear model fitted through a shuffled DataLoader: loss decreases, batches have torch's shapes."""
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((64, 3)).astype(np.float32)
    ys = (xs @ np.array([1.0, -2.0, 0.5], np.float32))[:, None]
    ds = ndata.TensorDataset(ndgrad.tensor(xs), ndgrad.tensor(ys))
    w = ndgrad.zeros(3, 1, requires_grad=True)
    opt = ndgrad.optim.SGD([w], lr=0.1)
    loader = ndata.DataLoader(ds, batch_size=16, shuffle=True, generator=ndgrad.Generator().manual_seed(0))
    losses = []
    for _ in range(20):
        for x, y in loader:
            assert x.shape == (16, 3) and y.shape == (16, 1) and x.dtype == ndgrad.float32
            opt.zero_grad()
            loss = (((x.unsqueeze(2) * w.unsqueeze(0)).sum(1) - y) ** 2).mean()
            loss.backward()
            opt.step()
            losses.append(float(loss.detach()))
    assert losses[-1] < 1e-3 * losses[0]


def test_collate_tensors_that_require_grad_records_the_graph():
    grads = []
    for lib, d in LIBS:
        w = lib.tensor(X.astype(np.float64), requires_grad=True)
        x, = next(iter(d.DataLoader(d.TensorDataset(w), batch_size=3, sampler=[4, 1, 4])))
        assert x.requires_grad and x.grad_fn is not None
        (x * x).sum().backward()
        grads.append(w.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1])
