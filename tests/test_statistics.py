"""Searching, counting and statistics ops against torch: named tuples, output dtypes, options, tie
rules, empty inputs and error types/messages (ndgrad.ops.statistics / histograms)."""
import math
import pickle
import warnings

import numpy as np
import pytest
import torch

import ndgrad

NAN = math.nan

# Each case is an expression run with ``L`` bound to ndgrad and to torch; results (tensors, nested
# tuples, named tuples) or raised exceptions (type and message) must agree.
CASES = [
    # unique / unique_consecutive
    "L.unique(L.tensor([5, 3, 9, 1, 3, 7, 7, 2, 100, -4] * 3), sorted=False)",
    "L.unique(L.tensor([[1, 2], [1, 2], [0, 5]]), dim=0, return_inverse=True, return_counts=True)",
    "L.unique(L.tensor([[1, 2], [1, 2], [0, 5]]), dim=1, return_inverse=True, return_counts=True)",
    "L.unique(L.tensor([[1, 2], [1, 2], [0, 5]]), return_inverse=True)",
    "L.unique(L.tensor([[1, 2], [1, 2], [0, 5]]), return_counts=True)",
    "L.unique(L.tensor(3.), return_inverse=True, return_counts=True)",
    "L.unique(L.tensor([]), return_inverse=True, return_counts=True)",
    "L.unique(L.zeros(0, 3), dim=0, return_inverse=True, return_counts=True)",
    "L.unique(L.zeros(2, 0), dim=0, return_inverse=True, return_counts=True)",
    "L.unique(L.tensor([True, False, True]))",
    "L.unique(L.tensor([3., 1., NAN, NAN, 2.]), return_counts=True)",
    "L.unique(L.tensor([[NAN, 1.], [NAN, 1.]]), dim=0)",
    "L.tensor([2, 2, 1], dtype=L.int32).unique(return_inverse=True)",
    "L.unique_consecutive(L.tensor([1, 1, 2, 2, 3, 1, 1, 2]), return_inverse=True, return_counts=True)",
    "L.unique_consecutive(L.tensor([[1, 1], [1, 1], [2, 3], [1, 1]]), dim=0, return_inverse=True, return_counts=True)",
    "L.unique_consecutive(L.tensor([NAN, NAN, 1.]), return_counts=True)",
    "L.tensor([[1., 1.], [2., 2.]]).unique_consecutive()",
    # bincount
    "L.bincount(L.tensor([-1, 2]))",
    "L.bincount(L.tensor([[1, 2]]))",
    "L.bincount(L.tensor([1., 2.]))",
    "L.bincount(L.tensor([True, False]))",
    "L.bincount(L.tensor([1, 2]), minlength=-1)",
    "L.bincount(L.tensor([1, 2]), minlength=5)",
    "L.bincount(L.tensor([1, 2]), weights=L.tensor([1.]))",
    "L.bincount(L.tensor([1, 2], dtype=L.uint8), weights=L.tensor([1., 2.], dtype=L.float16))",
    "L.bincount(L.tensor([1, 2]), weights=L.tensor([True, False]))",
    "L.bincount(L.tensor([1, 1, 3]), weights=L.tensor([1., 2., 3.]))",
    "L.bincount(L.tensor([1, 1, 3]), weights=L.tensor([1., 2., 3.], dtype=L.float64))",
    "L.bincount(L.tensor([1, 1, 3]), weights=L.tensor([1, 2, 3]))",
    "L.bincount(L.tensor([], dtype=L.long))",
    "L.bincount(L.tensor([1, 2], dtype=L.int8))",
    # searchsorted / bucketize
    "L.bucketize(L.tensor([1., 2., 3.]), L.tensor([1, 2]))",
    "L.bucketize(L.tensor([1, 2, 3]), L.tensor([1., 2.]), right=True, out_int32=True)",
    "L.bucketize(3, L.tensor([1., 2.]))",
    "L.bucketize(L.tensor([1.]), L.tensor([[1., 2.]]))",
    "L.bucketize(L.tensor([NAN, 1.]), L.tensor([1., NAN]))",
    "L.searchsorted(L.tensor([[1., 2., 3.], [2., 3., 4.]]), L.tensor([[2.5, 1.], [5., 0.]]), right=True)",
    "L.searchsorted(L.tensor([[1., 2., 3.], [2., 3., 4.]]), L.tensor([2.5, 1.]))",
    "L.searchsorted(L.tensor([1., 2., 3.]), L.tensor([[2.5, 1.], [5., 0.]]))",
    "L.searchsorted(L.tensor([[1., 2., 3.], [2., 3., 4.]]), L.tensor([[2.5, 1.]] * 3))",
    "L.searchsorted(L.tensor([1., 2., 3.]), 2.)",
    "L.searchsorted(L.tensor([[1., 2.]]), 1.)",
    "L.searchsorted(L.tensor([1., 2., 3.]), L.tensor([2.]), side='right', right=False)",
    "L.searchsorted(L.tensor([1., 2., 3.]), L.tensor([2.]), side='left', right=True)",
    "L.searchsorted(L.tensor([1., 2., 3.]), L.tensor([2.]), side='foo')",
    "L.searchsorted(L.tensor([3., 1., 2.]), L.tensor([2., 0.5]), sorter=L.tensor([1, 2, 0]))",
    "L.searchsorted(L.tensor([3., 1., 2.]), L.tensor([2., 0.5]), sorter=L.tensor([1, 2]))",
    "L.searchsorted(L.tensor([3., 1., 2.]), L.tensor([2.]), sorter=L.tensor([1, 2, 0], dtype=L.int32))",
    "L.searchsorted(L.tensor(3.), L.tensor([2.]))",
    "L.searchsorted(L.tensor([1., 2.]), L.tensor(2.))",
    "L.searchsorted(L.tensor([1, 2]), L.tensor([2.]))",
    "L.searchsorted(L.tensor([]), L.tensor([2.]))",
    "L.searchsorted(L.tensor([1., 1., 2., 2., 2., 3., 4., 5., 5.]), L.tensor([[0., 1., 2., 5., 6., 3.5]] * 2), right=True)",
    # histograms
    "L.histc(L.tensor([1, 2]))",
    "L.histc(L.tensor([1., 2.]), bins=0)",
    "L.histc(L.tensor([1., 2.]), bins=3, min=2, max=1)",
    "L.histc(L.tensor([1., 1.]), bins=3)",
    "L.histc(L.tensor([]), bins=3)",
    "L.histc(L.tensor([1., NAN]), bins=3)",
    "L.histc(L.tensor([1., 2.], requires_grad=True), bins=3)",
    "L.histc(L.tensor([1., 2., 3., 4.]), bins=3, min=1, max=4)",
    "L.histc(L.linspace(-1, 1, 101), bins=7, min=-0.9, max=0.8)",
    "L.histc(L.tensor([1., 2.]), bins=3, min=float('inf'), max=float('inf'))",
    "L.histogram(L.linspace(-1, 1, 101), bins=7, range=(-0.9, 0.8))",
    "L.histogram(L.linspace(-1, 1, 101, dtype=L.float64), bins=L.linspace(-0.5, 1, 7, dtype=L.float64))",
    "L.histogram(L.tensor([1., 2., 3., 4.]), bins=L.tensor([0., 2., 5.]), density=True)",
    "L.histogram(L.tensor([1., 1.]), bins=3)",
    "L.histogram(L.tensor([]), bins=3)",
    "L.histogram(L.tensor([1, 2]), bins=3)",
    "L.histogram(L.tensor([1., 2.]), bins=3, range=(3., 1.))",
    "L.histogram(L.tensor([1., 2.]), bins=L.tensor([2., 1.]))",
    "L.histogram(L.tensor([1., 2.]), bins=-1)",
    "L.histogram(L.tensor([1., 2.]), bins=3, weight=L.tensor([1.]))",
    "L.histogram(L.tensor([1., 2.]), 2, range=(0, 1), weight=L.tensor([1, 2]))",
    "L.histogram(L.tensor([1., NAN]), bins=3)",
    "L.histogram(L.tensor([1., 2.]), bins=L.tensor([0., 1., 2.], dtype=L.float64))",
    "L.histogram(L.tensor([1., 2.]), bins=L.tensor([[0., 1., 2.]]))",
    "L.histogram(L.tensor([[1., 2.], [3., 4.]]), bins=3, weight=L.tensor([[1., 2.], [3., 4.]]), density=True)",
    "L.histogramdd(L.tensor([[0., 1.], [1., 0.], [2., 0.], [2., 2.]]), bins=[3, 3], weight=L.tensor([1., 2., 4., 8.]))",
    "L.histogramdd(L.tensor([[0., 1.], [1., 0.], [2., 0.], [2., 2.]]), bins=2, range=[0., 1., 0., 1.], density=True)",
    "L.histogramdd(L.tensor([[0., 1.], [1., 0.], [2., 0.], [2., 2.]]), bins=[L.tensor([0., 1., 2.]), L.tensor([0., 1., 2.])])",
    # isin / unravel_index
    "L.isin(L.tensor([1, 2, 3]), L.tensor([2., 3.5]))",
    "L.isin(L.tensor([1, 2, 3]), 2)",
    "L.isin(2, L.tensor([1, 2]))",
    "L.isin(L.tensor([NAN]), L.tensor([NAN]))",
    "L.isin(L.tensor([1, 2, 3]), L.tensor([[2, 9], [3, 3]]), invert=True)",
    "L.isin(L.tensor([[1, 2], [3, 4]]), L.tensor([4, 1]), assume_unique=True)",
    "L.unravel_index(L.tensor([5, -1]), (2, 4))",
    "L.unravel_index(L.tensor([8]), (2, 4))",
    "L.unravel_index(L.tensor([1.]), (2, 4))",
    "L.unravel_index(L.tensor([True]), (2,))",
    "L.unravel_index(L.tensor(3), 4)",
    "L.unravel_index(L.tensor(3), ())",
    "L.unravel_index(L.tensor([1]), L.Size([2]))",
    "L.unravel_index(L.tensor([1]), 2.)",
    "L.unravel_index(L.tensor([0]), (2, -1))",
    "L.unravel_index(L.tensor([[3, 7], [0, 11]], dtype=L.int32), (3, 4))",
    # mode / nanmedian (ties: the smallest most frequent value, at its last occurrence)
    "L.tensor([3., 1., 3., 2., 1., 3.]).mode()",
    "L.tensor([[1, 2, 2, 1], [5, 5, 3, 3]]).mode()",
    "L.mode(L.tensor([[1., 2., 2.], [3., 3., 1.]]), 0)",
    "L.mode(L.tensor([1., 2., 2., 1.]), keepdim=True)",
    "L.mode(L.tensor([True, False, True]))",
    "L.mode(L.zeros(2, 0), 1)",
    "L.mode(L.zeros(0, 2), 1)",
    "L.mode(L.tensor(3.))",
    "L.nanmedian(L.tensor([NAN] * 3))",
    "L.nanmedian(L.tensor([]))",
    "L.nanmedian(L.tensor([1, 2, 3]))",
    "L.nanmedian(L.zeros(2, 0), 1)",
    "L.tensor([[NAN, NAN, 1.], [NAN, 2., 3.]]).nanmedian(1)",
    "L.tensor([[NAN, NAN], [1., NAN]]).nanmedian(1, keepdim=True)",
    "L.tensor([[NAN, NAN, 1.], [NAN, 2., 3.]]).nanmedian()",
    # quantile / nanquantile
    "L.quantile(L.tensor([[1., 5., 2., 4.], [3., NAN, 0., 1.]]), 0.3, dim=1)",
    "L.nanquantile(L.tensor([[1., 5., 2., 4.], [3., NAN, 0., 1.]]), 0.3, dim=1)",
    "L.quantile(L.tensor([1., 5., 2., 4.]), L.tensor([0.1, 0.5]), dim=0, keepdim=True)",
    "L.quantile(L.tensor([1., 5., 2., 4.]), L.tensor([[0.1, 0.5]]))",
    "L.quantile(L.tensor([1., 5., 2., 4.]), 1.5)",
    "L.quantile(L.tensor([1., 2.]), -0.1)",
    "L.quantile(L.tensor([1., 2.]), L.tensor([0.5, 1.5]))",
    "L.quantile(L.tensor([1., 2.]), L.tensor([]))",
    "L.quantile(L.tensor([1., 5., 2., 4.]), L.tensor([0.5]), interpolation='foo')",
    "L.quantile(L.tensor([1., 5., 2., 4.]), 0.5, interpolation='nearest')",
    "L.quantile(L.tensor([1., 2., 3., 4.]), L.tensor([0.5, 0.166666667, 0.83333333]), interpolation='nearest')",
    "L.quantile(L.tensor([1., 2., 3., 4.], dtype=L.float64), 0.5, interpolation='midpoint')",
    "L.quantile(L.tensor([1., 2., 3., 4.]), 0.4, interpolation='lower')",
    "L.quantile(L.tensor([1., 2., 3., 4.]), 0.4, interpolation='higher')",
    "L.quantile(L.tensor([1, 2]), 0.5)",
    "L.quantile(L.tensor([1., 2.], dtype=L.float16), 0.5)",
    "L.quantile(L.tensor([1., 2.]), L.tensor([0.5], dtype=L.float64))",
    "L.quantile(L.tensor([]), 0.5)",
    "L.quantile(L.zeros(2, 0), 0.5, dim=1)",
    "L.quantile(L.tensor(3.), 0.5)",
    "L.quantile(L.tensor(3.), 0.5, dim=0, keepdim=True)",
    "L.quantile(L.tensor([[1., 5.], [3., NAN]]), 0.5, keepdim=True)",
    "L.nanquantile(L.tensor([NAN, NAN]), 0.5)",
    "L.nanquantile(L.tensor([NAN, NAN]), L.tensor([0., 1.]))",
    # aminmax / cummax / cummin / logcumsumexp
    "L.aminmax(L.tensor([[1., 2.], [3., 0.]]), dim=0)",
    "L.aminmax(L.tensor([[1., 2.], [3., 0.]]), keepdim=True)",
    "L.aminmax(L.tensor([]))",
    "L.aminmax(L.zeros(0, 2), dim=1)",
    "L.aminmax(L.zeros(2, 0), dim=1)",
    "L.aminmax(L.tensor([1., NAN]))",
    "L.aminmax(L.tensor([True, False]))",
    "L.tensor([[4, 2], [1, 3]]).aminmax(dim=-1)",
    "L.cummax(L.tensor([1., 3., 3., 2., NAN, 5.]), 0)",
    "L.cummin(L.tensor([3., 1., 1., 2., NAN, 0.]), 0)",
    "L.cummax(L.tensor([NAN, 1., NAN, 2.]), 0)",
    "L.cummin(L.tensor([[1, 3], [0, 5]]), 1)",
    "L.cummax(L.tensor([]), 0)",
    "L.cummax(L.tensor(2.), 0)",
    "L.cummax(L.tensor([True, False]), 0)",
    "L.cummax(L.tensor([1., 2.]), 1)",
    "L.logcumsumexp(L.tensor([1, 2]), 0)",
    "L.logcumsumexp(L.tensor([-float('inf'), 1.]), 0)",
    "L.logcumsumexp(L.tensor([-float('inf'), -float('inf')]), 0)",
    "L.logcumsumexp(L.tensor(2.), 0)",
    "L.logcumsumexp(L.tensor([1., 2.]), 1)",
    "L.logcumsumexp(L.tensor([1000., 0., -1000.], dtype=L.float64), 0)",
    # cov / corrcoef
    "L.cov(L.tensor([[1, 2, 4], [3, 1, 0]]))",
    "L.cov(L.tensor([1., 2., 4.]))",
    "L.cov(L.tensor([[1., 2., 4.]]), correction=0, fweights=L.tensor([1, 2, 1]), aweights=L.tensor([0.5, 1., 2.]))",
    "L.cov(L.tensor([[1., 2., 4.]]), fweights=L.tensor([1., 2, 1]))",
    "L.cov(L.tensor([[1., 2., 4.]]), fweights=L.tensor([-1, 2, 1]))",
    "L.cov(L.tensor([[1., 2., 4.]]), aweights=L.tensor([-1., 2, 1]))",
    "L.cov(L.tensor([[1., 2., 4.]]), aweights=L.tensor([1, 2, 1]))",
    "L.cov(L.tensor([1., 2., 4.]), fweights=L.tensor([[1, 2, 1]]))",
    "L.cov(L.tensor([1., 2., 4.]), fweights=L.tensor([1, 2]))",
    "L.cov(L.tensor([1., 2., 4.]), aweights=L.tensor([1., 2]))",
    "L.cov(L.tensor([1., 2., 4.], dtype=L.float64), aweights=L.tensor([1., 2, 3]))",
    "L.cov(L.tensor([1, 2, 4]), aweights=L.tensor([1., 2, 3], dtype=L.float64))",
    "L.cov(L.tensor([1, 2, 4]), fweights=L.tensor([1, 2, 3]))",
    "L.cov(L.zeros(2, 2, 2))",
    "L.cov(L.tensor([[1.]]))",
    "L.cov(L.zeros(2, 0))",
    "L.corrcoef(L.tensor([[1, 2, 4], [3, 1, 0]]))",
    "L.corrcoef(L.tensor([1., 2., 4.]))",
    "L.corrcoef(L.tensor([[1., 2., 4.]]))",
    "L.corrcoef(L.tensor([[1., 1., 1.], [1., 2., 3.]]))",
    # cdist / dist
    "L.cdist(L.zeros(3), L.zeros(2, 3))",
    "L.cdist(L.zeros(2, 3), L.zeros(2, 4))",
    "L.cdist(L.zeros(2, 3), L.zeros(2, 3), p=-1)",
    "L.cdist(L.zeros(2, 3, dtype=L.long), L.zeros(2, 3, dtype=L.long))",
    "L.cdist(L.zeros(2, 2, 3), L.zeros(4, 3))",
    "L.cdist(L.zeros(2, 2, 3), L.zeros(3, 4, 3))",
    "L.cdist(L.zeros(2, 3), L.zeros(4, 3), compute_mode='foo')",
    "L.cdist(L.zeros(0, 3), L.zeros(4, 3))",
    "L.cdist(L.tensor([[0., 0.]]), L.tensor([[3., 4.]]), p=0)",
    "L.cdist(L.tensor([[0., 0.]]), L.tensor([[3., 4.]], dtype=L.float64))",
    "L.cdist(L.tensor([[0., 0.]]), L.tensor([[3., 4.]]), p=float('inf'))",
    "L.cdist(L.tensor([[0., 0.], [1., 1.]]), L.tensor([[3., 4.], [1., 2.]]), p=0.5, compute_mode='use_mm_for_euclid_dist')",
    "L.dist(L.zeros(2, 3), L.ones(3), 0)",
    "L.dist(L.zeros(2), L.ones(2, dtype=L.float64), 3)",
    "L.dist(L.zeros(2, dtype=L.long), L.ones(2, dtype=L.long))",
    "L.tensor([1., 2.]).dist(L.tensor([4., 6.]))",
    "L.count_nonzero(L.tensor([[1., 0.], [0., 0.]]), dim=0)",
]


def _run(lib, expr):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return eval(expr, {"L": lib, "NAN": NAN}), None
        except Exception as e:  # noqa: BLE001 - the exception itself is compared
            return None, e


def _assert_same(n, t, expr):
    if isinstance(t, torch.Tensor):
        assert isinstance(n, ndgrad.Tensor), f"{expr}: ndgrad gave {type(n).__name__}"
        assert tuple(n.shape) == tuple(t.shape), f"{expr}: shape {tuple(n.shape)} != {tuple(t.shape)}"
        assert str(n.dtype) == str(t.dtype), f"{expr}: dtype {n.dtype} != {t.dtype}"
        assert n.requires_grad == t.requires_grad, f"{expr}: requires_grad differs"
        np.testing.assert_allclose(n.detach().numpy(), t.detach().numpy(), rtol=1e-6, atol=1e-6, equal_nan=True,
                                   err_msg=expr)
    elif isinstance(t, tuple):
        assert isinstance(n, tuple) and len(n) == len(t), f"{expr}: {n!r} vs torch {t!r}"
        assert type(n).__name__ == type(t).__name__, f"{expr}: {type(n).__name__} vs torch {type(t).__name__}"
        if hasattr(t, "_fields") or hasattr(type(t), "n_fields"):
            names = [f for f in dir(type(t)) if not f.startswith("_") and f not in
                     ("count", "index", "n_fields", "n_sequence_fields", "n_unnamed_fields")]
            for f in names:
                _assert_same(getattr(n, f), getattr(t, f), f"{expr}.{f}")
        for a, b in zip(n, t):
            _assert_same(a, b, expr)
    else:
        assert n == t, f"{expr}: {n!r} != torch {t!r}"


@pytest.mark.parametrize("expr", CASES)
def test_matches_torch(expr):
    t_out, t_err = _run(torch, expr)
    n_out, n_err = _run(ndgrad, expr)
    if t_err is not None:
        assert n_err is not None, f"{expr}: torch raises {type(t_err).__name__}: {t_err}, ndgrad returns {n_out!r}"
        assert type(n_err) is type(t_err), f"{expr}: {type(n_err).__name__}: {n_err} vs torch {type(t_err).__name__}"
        assert str(n_err).split("\n")[0] == str(t_err).split("\n")[0], expr
        return
    assert n_err is None, f"{expr}: ndgrad raises {type(n_err).__name__}: {n_err}"
    _assert_same(n_out, t_out, expr)


def test_named_tuples_print_and_pickle_like_torch():
    for name in ("mode", "nanmedian", "aminmax", "cummax", "cummin", "histogram", "histogramdd"):
        assert hasattr(ndgrad.return_types, name)
    r = ndgrad.aminmax(ndgrad.tensor([[1., 2.], [3., 0.]]), dim=0)
    assert r.min is r[0] and r.max is r[1]
    assert repr(r) == repr(torch.aminmax(torch.tensor([[1., 2.], [3., 0.]]), dim=0))
    h = ndgrad.histogram(ndgrad.tensor([1., 2., 1.]), bins=2)
    assert repr(h) == repr(torch.histogram(torch.tensor([1., 2., 1.]), bins=2))
    assert h.hist is h[0] and h.bin_edges is h[1]
    m = pickle.loads(pickle.dumps(ndgrad.tensor([1., 1., 2.]).mode()))
    assert type(m).__name__ == "mode" and m.values.item() == 1.0 and m.indices.item() == 1


def test_tensor_methods_match_torch():
    from ndgrad.ops import statistics
    for name in statistics._METHODS:
        assert hasattr(torch.Tensor, name), name
        assert hasattr(ndgrad.Tensor, name), name
    for name in statistics.__all__:
        assert hasattr(torch, name) and hasattr(ndgrad, name), name


def test_cov_warns_on_nonpositive_degrees_of_freedom():
    with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
        r = ndgrad.cov(ndgrad.tensor([[1., 2.]]), correction=2)
    assert math.isnan(r.item()) or math.isinf(r.item())


def test_mode_ties_smallest_value_last_index():
    x = np.array([[2., 7., 2., 7., 1., 1.], [4., 4., 4., 0., 0., 0.]])
    n, t = ndgrad.tensor(x).mode(1), torch.tensor(x).mode(1)
    np.testing.assert_array_equal(n.values.numpy(), t.values.numpy())
    np.testing.assert_array_equal(n.indices.numpy(), t.indices.numpy())


@pytest.mark.parametrize("fn", [
    lambda L, x: L.cummax(x, 0).values, lambda L, x: L.cummin(x, 1).values, lambda L, x: L.logcumsumexp(x, 1),
    lambda L, x: L.quantile(x, 0.5, dim=0), lambda L, x: L.nanmedian(x, 1).values, lambda L, x: L.mode(x, 0).values,
    lambda L, x: L.aminmax(x, dim=1).max, lambda L, x: L.cov(x), lambda L, x: L.corrcoef(x),
    lambda L, x: L.cdist(x, x * 2 + 1), lambda L, x: L.dist(x, x.flip(0))])
def test_no_grad_and_float32_gradients(fn):
    x = np.random.default_rng(3).standard_normal((4, 5)).astype(np.float32)
    with ndgrad.no_grad():
        assert not fn(ndgrad, ndgrad.tensor(x, requires_grad=True)).requires_grad
    n_in, t_in = ndgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    fn(ndgrad, n_in).sum().backward()
    fn(torch, t_in).sum().backward()
    assert n_in.grad.dtype == ndgrad.float32
    np.testing.assert_allclose(n_in.grad.numpy(), t_in.grad.numpy(), rtol=1e-4, atol=1e-5)


def test_searchsorted_matches_torch_on_random_data():
    rng = np.random.default_rng(0)
    for _ in range(5):
        b = np.sort(rng.integers(-5, 5, size=(3, 17)).astype(np.float64), axis=-1)
        v = rng.integers(-6, 6, size=(3, 9)).astype(np.float64)
        for right in (False, True):
            n = ndgrad.searchsorted(ndgrad.tensor(b), ndgrad.tensor(v), right=right)
            t = torch.searchsorted(torch.tensor(b), torch.tensor(v), right=right)
            np.testing.assert_array_equal(n.numpy(), t.numpy())


def test_histograms_match_torch_on_random_data():
    rng = np.random.default_rng(1)
    for dt in (np.float32, np.float64):
        x = rng.standard_normal(500).astype(dt)
        for bins in (1, 3, 10, 37):
            n, t = ndgrad.histc(ndgrad.tensor(x), bins), torch.histc(torch.tensor(x), bins)
            np.testing.assert_array_equal(n.numpy(), t.numpy())
            n, t = ndgrad.histogram(ndgrad.tensor(x), bins), torch.histogram(torch.tensor(x), bins)
            np.testing.assert_array_equal(n.hist.numpy(), t.hist.numpy())
            np.testing.assert_array_equal(n.bin_edges.numpy(), t.bin_edges.numpy())
        pts = rng.standard_normal((200, 3)).astype(dt)
        n = ndgrad.histogramdd(ndgrad.tensor(pts), [4, 5, 6], density=True)
        t = torch.histogramdd(torch.tensor(pts), [4, 5, 6], density=True)
        np.testing.assert_allclose(n.hist.numpy(), t.hist.numpy(), rtol=1e-5)
        for a, b in zip(n.bin_edges, t.bin_edges):
            np.testing.assert_array_equal(a.numpy(), b.numpy())
