"""grid_sample (4-D; bilinear / nearest; zeros / border / reflection; align_corners) and affine_grid
(2-D and 3-D) against torch: values and gradients w.r.t. input, grid and theta (float64), errors."""
import warnings

import numpy as np
import pytest
import torch

import ndgrad
import ndgrad.nn.functional as F
from helpers import check_against_torch

TOL = dict(rtol=1e-10, atol=1e-10)


def _f(lib):
    return F if lib is ndgrad else torch.nn.functional


def _same_error(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as te:
            fn(torch)
        with pytest.raises(type(te.value)) as ne:
            fn(ndgrad)
    assert str(ne.value) == str(te.value)


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
@pytest.mark.parametrize("padding_mode", ["zeros", "border", "reflection"])
@pytest.mark.parametrize("align_corners", [True, False])
@pytest.mark.parametrize("xs,gs", [((2, 3, 5, 6), (2, 4, 7)), ((1, 2, 1, 4), (1, 3, 3)), ((2, 1, 6, 5), (2, 1, 9))])
def test_grid_sample(mode, padding_mode, align_corners, xs, gs):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs)
    g = rng.uniform(-1.4, 1.4, gs + (2,))           # includes points outside [-1, 1]
    check_against_torch(lambda lib, a, b: _f(lib).grid_sample(a, b, mode, padding_mode, align_corners), x, g, **TOL)


def test_grid_sample_default_warns_and_float32():
    rng = np.random.default_rng(1)
    x, g = rng.standard_normal((1, 2, 4, 4)), rng.uniform(-1, 1, (1, 3, 3, 2))
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        yn = F.grid_sample(ndgrad.tensor(x), ndgrad.tensor(g))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yt = torch.nn.functional.grid_sample(torch.tensor(x), torch.tensor(g))
    np.testing.assert_allclose(yn.numpy(), yt.numpy(), rtol=1e-12)
    yn = F.grid_sample(ndgrad.tensor(x).float(), ndgrad.tensor(g).float(), align_corners=True)
    yt = torch.nn.functional.grid_sample(torch.tensor(x).float(), torch.tensor(g).float(), align_corners=True)
    assert yn.dtype == ndgrad.float32
    np.testing.assert_allclose(yn.numpy(), yt.numpy(), rtol=1e-5, atol=1e-6)


def test_grid_sample_double_backward():
    rng = np.random.default_rng(2)
    x = ndgrad.tensor(rng.standard_normal((1, 2, 4, 5)), requires_grad=True)
    g = ndgrad.tensor(rng.uniform(-0.9, 0.9, (1, 3, 2, 2)), requires_grad=True)
    for pm in ("zeros", "border", "reflection"):
        fn = lambda a, b: F.grid_sample(a, b, "bilinear", pm, False)  # noqa: E731
        assert ndgrad.autograd.gradcheck(fn, (x, g))
        assert ndgrad.autograd.gradgradcheck(fn, (x, g))


@pytest.mark.parametrize("fn", [
    lambda lib: _f(lib).grid_sample(lib.randn(1, 1, 3, 3), lib.randn(1, 2, 2, 2), mode="foo"),
    lambda lib: _f(lib).grid_sample(lib.randn(1, 1, 3, 3), lib.randn(1, 2, 2, 2), padding_mode="foo"),
    lambda lib: _f(lib).grid_sample(lib.randn(1, 1, 3, 3), lib.randn(1, 2, 2, 3), align_corners=False),
    lambda lib: _f(lib).grid_sample(lib.randn(1, 1, 3, 3), lib.randn(2, 2, 2, 2), align_corners=False),
    lambda lib: _f(lib).grid_sample(lib.randn(1, 1, 3, 3), lib.randn(1, 2, 2, 2, 2), align_corners=False),
    lambda lib: _f(lib).grid_sample(lib.randn(1, 3, 3), lib.randn(1, 2, 2), align_corners=False),
    lambda lib: _f(lib).grid_sample(lib.randn(1, 1, 0, 3), lib.randn(1, 2, 2, 2), align_corners=False),
    lambda lib: _f(lib).affine_grid(lib.randn(1, 2, 3), (1, 1, 3, 3, 3), align_corners=False),
    lambda lib: _f(lib).affine_grid(lib.randn(1, 3, 4), (1, 1, 3, 3), align_corners=False),
    lambda lib: _f(lib).affine_grid(lib.randn(1, 2, 3), (1, 1, 3), align_corners=False),
    lambda lib: _f(lib).affine_grid(lib.zeros(1, 2, 3, dtype=lib.long), (1, 1, 3, 3), align_corners=False),
    lambda lib: _f(lib).affine_grid(lib.randn(1, 2, 3), (1, 1, 0, 3), align_corners=False),
    lambda lib: _f(lib).affine_grid(lib.randn(2, 2, 3), (1, 1, 2, 3), align_corners=False),
])
def test_errors(fn):
    _same_error(fn)


@pytest.mark.parametrize("size", [(2, 3, 4, 5), (2, 1, 1, 3), (2, 3, 4, 5, 3), (2, 1, 1, 2, 1), (1, 1, 6, 2)])
@pytest.mark.parametrize("align_corners", [True, False])
def test_affine_grid(size, align_corners):
    nd = len(size) - 2
    theta = np.random.default_rng(3).standard_normal((size[0], nd, nd + 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_against_torch(lambda lib, t: _f(lib).affine_grid(t, size, align_corners), theta, **TOL)


def test_affine_grid_then_grid_sample():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3, 6, 7))
    theta = np.array([[[0.9, -0.2, 0.1], [0.3, 1.1, -0.2]], [[1.2, 0.1, 0.0], [0.0, 0.8, 0.3]]])

    def fn(lib, a, t):
        grid = _f(lib).affine_grid(t, (2, 3, 5, 4), align_corners=False)
        return _f(lib).grid_sample(a, grid, "bilinear", "border", False)
    check_against_torch(fn, x, theta, **TOL)
