"""Pooling against torch: max/avg/adaptive pooling values, indices and gradients (float64), ties and
NaNs, double backward, float32, errors, and the pooling modules."""
import numpy as np
import pytest
import torch

import ndgrad
import ndgrad.nn.functional as F
from helpers import check_against_torch


def _lib_f(lib):
    return F if lib is ndgrad else torch.nn.functional


def _x(shape, seed=0, ties=False):
    rng = np.random.default_rng(seed)
    if ties:
        return rng.integers(0, 3, shape).astype(np.float64)
    return rng.standard_normal(shape)


def _check(fn, x, indices=False):
    """Values, gradient and (optionally) the indices output against torch."""
    outs = check_against_torch(fn, x, rtol=1e-12, atol=1e-12)
    if indices:
        n_out, t_out = outs
        np.testing.assert_array_equal(n_out[1].numpy(), t_out[1].numpy())
        assert n_out[1].dtype == ndgrad.int64
    return outs


MAX2D = [
    ((2, 3, 8, 8), dict(kernel_size=2)),
    ((2, 3, 9, 8), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 3, 9, 8), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((2, 3, 9, 10), dict(kernel_size=(3, 2), stride=(1, 3), padding=(1, 1), dilation=(2, 1), ceil_mode=True)),
    ((2, 3, 9, 10), dict(kernel_size=3, stride=1)),
    ((2, 3, 10, 11), dict(kernel_size=2, stride=3, dilation=2, ceil_mode=True)),
    ((3, 9, 10), dict(kernel_size=3)),                                   # unbatched
    ((1, 1, 5, 5), dict(kernel_size=5)),
    ((1, 2, 7, 7), dict(kernel_size=4, stride=3, padding=2, ceil_mode=True)),
]


@pytest.mark.parametrize("shape,kw", MAX2D, ids=[str(i) for i in range(len(MAX2D))])
@pytest.mark.parametrize("ties", [False, True])
def test_max_pool2d_matches_torch(shape, kw, ties):
    x = _x(shape, ties=ties)
    _check(lambda lib, t: _lib_f(lib).max_pool2d(t, **kw, return_indices=True), x, indices=True)


MAX1D = [
    ((2, 3, 10), dict(kernel_size=3, stride=2, padding=1)),
    ((3, 11), dict(kernel_size=2, ceil_mode=True)),
    ((2, 2, 12), dict(kernel_size=3, dilation=2, stride=1)),
]


@pytest.mark.parametrize("shape,kw", MAX1D, ids=[str(i) for i in range(len(MAX1D))])
def test_max_pool1d_matches_torch(shape, kw):
    _check(lambda lib, t: _lib_f(lib).max_pool1d(t, **kw, return_indices=True), _x(shape, ties=True), indices=True)
    _check(lambda lib, t: _lib_f(lib).max_pool1d(t, **kw), _x(shape))


def test_max_pool_nan_like_torch():
    x = _x((1, 2, 6, 6))
    x[0, 0, 1, 1] = np.nan
    x[0, 1, 4, 2] = np.nan
    x[0, 1, 4, 3] = np.nan
    t = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)
    n = F.max_pool2d(ndgrad.tensor(x), 3, 2, 1, return_indices=True)
    np.testing.assert_array_equal(n[0].numpy(), t[0].numpy())
    np.testing.assert_array_equal(n[1].numpy(), t[1].numpy())


def test_max_pool_grad_fn_names_and_double_backward():
    x = _x((2, 2, 7, 7))
    res = []
    for lib in (torch, ndgrad):
        t = lib.tensor(x, requires_grad=True)
        y = _lib_f(lib).max_pool2d(t, 3, 2, 1)
        assert type(y.grad_fn).__name__ == "MaxPool2DWithIndicesBackward0"
        (g,) = lib.autograd.grad((y * y).sum(), t, create_graph=True)
        assert type(g.grad_fn).__name__ == "MaxPool2DWithIndicesBackwardBackward0"
        (gg,) = lib.autograd.grad((g * g * t).sum(), t)
        res.append(gg.numpy())
    np.testing.assert_allclose(res[1], res[0], rtol=1e-12)


AVG2D = [
    ((2, 3, 8, 8), dict(kernel_size=2)),
    ((2, 3, 9, 8), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 3, 9, 8), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ((2, 3, 9, 8), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((2, 3, 9, 8), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    ((2, 3, 9, 8), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), ceil_mode=True, divisor_override=5)),
    ((2, 3, 10, 7), dict(kernel_size=(2, 4), stride=(3, 2), padding=(1, 2), ceil_mode=True)),
    ((3, 9, 8), dict(kernel_size=3, stride=1)),                          # unbatched
]


@pytest.mark.parametrize("shape,kw", AVG2D, ids=[str(i) for i in range(len(AVG2D))])
def test_avg_pool2d_matches_torch(shape, kw):
    _check(lambda lib, t: _lib_f(lib).avg_pool2d(t, **kw), _x(shape))


@pytest.mark.parametrize("kw", [dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False),
                                dict(kernel_size=2), dict(kernel_size=4, stride=1, padding=2)])
def test_avg_pool1d_matches_torch(kw):
    _check(lambda lib, t: _lib_f(lib).avg_pool1d(t, **kw), _x((2, 3, 10)))


def test_avg_pool_double_backward():
    x = _x((2, 2, 7, 6))
    res = []
    for lib in (torch, ndgrad):
        t = lib.tensor(x, requires_grad=True)
        y = _lib_f(lib).avg_pool2d(t, 3, 2, 1, ceil_mode=True)
        (g,) = lib.autograd.grad((y * y).sum(), t, create_graph=True)
        assert type(g.grad_fn).__name__ == "AvgPool2DBackwardBackward0"
        (gg,) = lib.autograd.grad((g * g).sum(), t)
        res.append(gg.numpy())
    np.testing.assert_allclose(res[1], res[0], rtol=1e-12)


@pytest.mark.parametrize("shape,size", [((2, 3, 9, 8), (4, 3)), ((2, 3, 9, 8), (None, 3)), ((2, 3, 9, 8), 1),
                                        ((2, 3, 8, 8), 4), ((3, 7, 5), (7, 2)), ((1, 2, 5, 6), (8, 9))])
def test_adaptive_avg_pool2d_matches_torch(shape, size):
    n, t = _check(lambda lib, x: _lib_f(lib).adaptive_avg_pool2d(x, size), _x(shape))
    assert type(n.grad_fn).__name__ == type(t.grad_fn).__name__


def test_adaptive_avg_pool1d_3d_match_torch():
    _check(lambda lib, x: _lib_f(lib).adaptive_avg_pool1d(x, 4), _x((2, 3, 9)))
    _check(lambda lib, x: _lib_f(lib).adaptive_avg_pool3d(x, (2, 3, 4)), _x((2, 3, 4, 5, 6)))
    _check(lambda lib, x: _lib_f(lib).adaptive_avg_pool3d(x, 1), _x((2, 3, 4, 5, 6)))


@pytest.mark.parametrize("shape,size", [((2, 3, 9, 8), (4, 3)), ((3, 9, 8), (5, 8)), ((2, 2, 7, 7), 3),
                                        ((1, 2, 4, 5), (6, 7))])
@pytest.mark.parametrize("ties", [False, True])
def test_adaptive_max_pool2d_matches_torch(shape, size, ties):
    _check(lambda lib, x: _lib_f(lib).adaptive_max_pool2d(x, size, return_indices=True), _x(shape, ties=ties),
           indices=True)


def test_adaptive_max_pool1d_matches_torch():
    _check(lambda lib, x: _lib_f(lib).adaptive_max_pool1d(x, 4, return_indices=True), _x((2, 3, 9), ties=True),
           indices=True)


def test_pool_float32_preserved():
    x = ndgrad.randn(2, 3, 9, 9, requires_grad=True)
    for fn in (lambda t: F.max_pool2d(t, 3, 2, 1), lambda t: F.avg_pool2d(t, 3, 2, 1),
               lambda t: F.adaptive_avg_pool2d(t, (4, 3)), lambda t: F.adaptive_max_pool2d(t, (4, 3)),
               lambda t: F.max_pool1d(t[0], 2), lambda t: F.adaptive_avg_pool2d(t, 1)):
        y = fn(x)
        assert y.dtype == ndgrad.float32
        (g,) = ndgrad.autograd.grad(y.sum(), x)
        assert g.dtype == ndgrad.float32


def test_max_pool2d_int_input():
    x = np.random.default_rng(0).integers(-5, 5, (1, 2, 6, 6))
    n = F.max_pool2d(ndgrad.tensor(x), 2)
    t = torch.nn.functional.max_pool2d(torch.tensor(x), 2)
    assert n.dtype == ndgrad.int64
    np.testing.assert_array_equal(n.numpy(), t.numpy())


def _errors(fn):
    out = []
    for lib in (torch, ndgrad):
        try:
            fn(lib, _lib_f(lib))
        except Exception as e:  # noqa: BLE001 - comparing exception types and messages
            out.append((type(e), str(e).split("\n")[0]))
        else:
            out.append(None)
    return out


ERRORS = [
    lambda lib, F_: F_.max_pool2d(lib.randn(2, 3, 8, 8), 3, padding=2),
    lambda lib, F_: F_.max_pool2d(lib.randn(2, 3, 8, 8), 3, padding=2, return_indices=True),
    lambda lib, F_: F_.max_pool2d(lib.randn(2, 3, 8, 8), 0, stride=1),
    lambda lib, F_: F_.max_pool2d(lib.randn(2, 3, 8, 8), 0),
    lambda lib, F_: F_.max_pool2d(lib.randn(2, 3, 8, 8), 3, stride=1, dilation=0),
    lambda lib, F_: F_.max_pool2d(lib.randn(2, 3, 8, 8), (3, 3, 3)),
    lambda lib, F_: F_.max_pool2d(lib.randn(2, 3, 8, 8), 3, stride=(1, 1, 1)),
    lambda lib, F_: F_.max_pool2d(lib.randn(8, 8), 3),
    lambda lib, F_: F_.max_pool2d(lib.randn(2, 0, 8, 8), 3),
    lambda lib, F_: F_.max_pool2d(lib.randn(1, 1, 2, 2), 3),
    lambda lib, F_: F_.max_pool2d(lib.randn(2, 3, 8, 8), 2, stride=-1),
    lambda lib, F_: F_.max_pool2d(lib.randn(2, 3, 8, 8), 2, padding=-1),
    lambda lib, F_: F_.max_pool1d(lib.randn(3, 8), 3, padding=2),
    lambda lib, F_: F_.max_pool1d(lib.randn(3, 8), 0),
    lambda lib, F_: F_.max_pool1d(lib.randn(8), 3),
    lambda lib, F_: F_.max_pool1d(lib.randn(2, 3, 2), 3),
    lambda lib, F_: F_.avg_pool2d(lib.randn(2, 3, 8, 8), 3, padding=2),
    lambda lib, F_: F_.avg_pool2d(lib.randn(1, 1, 2, 2), 3),
    lambda lib, F_: F_.avg_pool2d(lib.randn(2, 3, 8, 8), 3, divisor_override=0),
    lambda lib, F_: F_.avg_pool2d(lib.randn(2, 3, 8, 8), 3, stride=0),
    lambda lib, F_: F_.avg_pool1d(lib.randn(2, 3, 8, 8), 3),
    lambda lib, F_: F_.avg_pool1d(lib.randn(2, 3, 2), 3),
    lambda lib, F_: F_.adaptive_avg_pool2d(lib.randn(8, 8), 3),
    lambda lib, F_: F_.adaptive_avg_pool2d(lib.randn(2, 3, 8, 8), (3, 3, 3)),
    lambda lib, F_: F_.adaptive_avg_pool2d(lib.randn(2, 3, 0, 4), 3),
    lambda lib, F_: F_.adaptive_avg_pool2d(lib.randn(2, 3, 8, 8).long(), 2),
    lambda lib, F_: F_.adaptive_avg_pool1d(lib.randn(2, 3, 8, 8), 3),
    lambda lib, F_: F_.adaptive_avg_pool1d(lib.randn(2, 3, 8), (3, 3)),
    lambda lib, F_: F_.adaptive_max_pool2d(lib.randn(2, 3, 8, 8), (3, 3, 3)),
    lambda lib, F_: F_.adaptive_max_pool2d(lib.randn(8, 8), 3),
    lambda lib, F_: F_.adaptive_max_pool1d(lib.randn(2, 3, 8, 8), 3),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_pool_errors_match_torch(i):
    t_err, n_err = _errors(ERRORS[i])
    assert t_err is not None
    assert n_err == t_err


# ---- modules --------------------------------------------------------------------------------
@pytest.mark.parametrize("spec,shape", [
    ("MaxPool2d(3, 2, 1)", (2, 3, 9, 9)),
    ("MaxPool2d((3, 2), stride=(2, 1), ceil_mode=True)", (2, 3, 9, 9)),
    ("MaxPool1d(2)", (2, 3, 9)),
    ("AvgPool2d(3)", (2, 3, 9, 9)),
    ("AvgPool2d(3, stride=2, padding=1, count_include_pad=False, divisor_override=4)", (2, 3, 9, 9)),
    ("AvgPool1d(3, ceil_mode=True)", (2, 3, 10)),
    ("AdaptiveAvgPool2d((1, 1))", (2, 3, 7, 7)),
    ("AdaptiveAvgPool2d((5, None))", (2, 3, 7, 6)),
    ("AdaptiveAvgPool1d(3)", (2, 3, 7)),
    ("AdaptiveMaxPool2d(2)", (2, 3, 7, 7)),
    ("AdaptiveMaxPool1d(4)", (2, 3, 7)),
])
def test_pool_modules_match_torch(spec, shape):
    tm, nm = eval("torch.nn." + spec), eval("ndgrad.nn." + spec)
    assert repr(nm) == repr(tm)
    x = np.random.default_rng(0).standard_normal(shape)
    np.testing.assert_allclose(nm(ndgrad.tensor(x)).numpy(), tm(torch.tensor(x)).numpy(), rtol=1e-12, atol=1e-12)


def test_pool_module_return_indices():
    x = np.random.default_rng(0).standard_normal((1, 2, 6, 6))
    n = ndgrad.nn.MaxPool2d(2, return_indices=True)(ndgrad.tensor(x))
    t = torch.nn.MaxPool2d(2, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(n[1].numpy(), t[1].numpy())
    n = ndgrad.nn.AdaptiveMaxPool2d(3, return_indices=True)(ndgrad.tensor(x))
    t = torch.nn.AdaptiveMaxPool2d(3, return_indices=True)(torch.tensor(x))
    np.testing.assert_array_equal(n[1].numpy(), t[1].numpy())


def test_pool_threaded_slices_match_torch(monkeypatch):
    """Large inputs run in slices on a thread pool; force that path on small ones."""
    from ndgrad.ops import pool as pool_ops
    monkeypatch.setattr(pool_ops, "_PAR_MIN", 0)
    monkeypatch.setattr(pool_ops, "_THREADS", 3)
    x = _x((2, 5, 9, 8), ties=True)
    _check(lambda lib, t: _lib_f(lib).max_pool2d(t, 3, 2, 1, return_indices=True), x, indices=True)
    _check(lambda lib, t: _lib_f(lib).avg_pool2d(t, 3, 2, 1, ceil_mode=True), _x((2, 5, 9, 8)))
