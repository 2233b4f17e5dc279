"""ndgrad.testing.assert_close / assert_allclose / make_tensor against torch.testing."""
import warnings

import numpy as np
import pytest
import torch

import ndgrad
import ndgrad.testing


def _cases(lib):
    t = lib.tensor
    nan, inf = float("nan"), float("inf")
    return [
        (t([1., 2., 3.]), t([1., 2.1, 3.]), {}),
        (t([1., 2., 3.], dtype=lib.float64), t([1., 2.1, 3.], dtype=lib.float64), {}),
        (t([[1, 2], [3, 4]]), t([[1, 2], [3, 5]]), {}),
        (t([1.]), t([1.], dtype=lib.float64), {}),
        (t([1., 2.]), t([1., 2., 3.]), {}),
        (1.0, 1.1, {}),
        (1, 2, {}),
        ([t(1.), t(2.)], [t(1.), t(2.5)], {}),
        ({"a": t(1.)}, {"a": t(3.)}, {}),
        (t([nan]), t([nan]), {}),
        (t([nan]), t([nan]), {"equal_nan": True}),
        (t([1., 2.]), t([1., 2.5]), {"rtol": 0.3, "atol": 0}),
        (t([1., 2.]), t([1., 2.5]), {"msg": "custom"}),
        (t([True, False]), t([True, True]), {}),
        ([1., 2.], [1., 2.5]),
        ([1., 2.], (1., 2.)),
        (t([0., 1.]), t([1e-6, 1.]), {}),
        (t([1.]), t([1.], dtype=lib.float64), {"check_dtype": False}),
        (t([[1., 2.], [3., 4.]]), t([[1., 2.], [3., inf]]), {}),
        (t(1.), t(0.), {}),
        ([t(1.)], [t(1.), t(2.)], {}),
        ({"a": t(1.)}, {"b": t(1.)}, {}),
        (t([]), t([]), {}),
        (t([1., 2.], dtype=lib.float16), t([1., 2.001], dtype=lib.float16), {}),
        (t([1., 2.], dtype=lib.float16), t([1., 2.01], dtype=lib.float16), {}),
        (t([1, 2]), t([1., 2.]), {}),
        (1.0, nan, {}),
        (True, False, {}),
        (t([1., 2.]), t([1., 2.5]), {"msg": lambda m: "X" + m}),
        (t([[0., 0.], [0., 0.]]), t([[0., 0.], [0., 1e-3]]), {}),
        (t([1., 2.]), t([1., 2.]), {}),
        (t([1., 2.]), t([1.00001, 2.]), {}),
        (t([[1., 2.], [3., 4.]]), t([[1.5, 2.], [3., 4.5]]), {}),
        (t([1, 2, 3]), t([1, 2, 3]), {}),
        (t([10, 20]), t([11, 20]), {"rtol": 0.2, "atol": 0}),
        ([[t([1.])], {"k": t([2.])}], [[t([1.])], {"k": t([2.5])}], {}),
        (np.array([1., 2.]), np.array([1., 2.5]), {}),
        (t([5., 6.]), t([5., 6.2]), {"rtol": 0.1, "atol": 0.0}),
    ]


def _run(lib, mod, case):
    a, e = case[0], case[1]
    kw = case[2] if len(case) > 2 else {}
    try:
        mod.assert_close(a, e, **kw)
    except Exception as exc:  # noqa: BLE001
        return type(exc), str(exc)
    return None


@pytest.mark.parametrize("i", range(len(_cases(torch))))
def test_assert_close_like_torch(i):
    want = _run(torch, torch.testing, _cases(torch)[i])
    got = _run(ndgrad, ndgrad.testing, _cases(ndgrad)[i])
    assert got == want


def test_rtol_without_atol():
    for lib, mod in ((torch, torch.testing), (ndgrad, ndgrad.testing)):
        with pytest.raises(ValueError, match="Both 'rtol' and 'atol' must be either specified or omitted, but got no atol."):
            mod.assert_close(lib.tensor([1.]), lib.tensor([1.]), rtol=0.1)


def test_type_mismatch_is_type_error():
    with pytest.raises(TypeError, match="No comparison pair was able to handle inputs of type"):
        ndgrad.testing.assert_close(ndgrad.tensor([1., 2.]), "ab")


def test_assert_allclose_deprecated():
    with pytest.warns(FutureWarning, match="deprecated"):
        ndgrad.testing.assert_allclose(ndgrad.tensor([1., 2.]), [1., 2.00001])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(AssertionError) as n:
            ndgrad.testing.assert_allclose(ndgrad.tensor([1., 2.]), [1., 2.1])
        with pytest.raises(AssertionError) as t:
            torch.testing.assert_allclose(torch.tensor([1., 2.]), [1., 2.1])
    assert str(n.value) == str(t.value)


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "uint8", "bool", "float16"])
def test_make_tensor(dtype):
    t = ndgrad.testing.make_tensor(3, 4, dtype=getattr(ndgrad, dtype), device="cpu")
    assert tuple(t.shape) == (3, 4) and str(t.dtype) == f"torch.{dtype}"
    if dtype not in ("bool",):
        assert float(t.min()) >= (0 if dtype == "uint8" else -9) and float(t.max()) <= 9
    t = ndgrad.testing.make_tensor((2, 5), dtype=getattr(ndgrad, dtype), device="cpu", exclude_zero=True,
                                   noncontiguous=True)
    assert tuple(t.shape) == (2, 5) and not bool((t == 0).any())
    assert not t.is_contiguous()


def test_make_tensor_options():
    t = ndgrad.testing.make_tensor(100, dtype=ndgrad.float32, device="cpu", low=2, high=3, requires_grad=True)
    assert t.requires_grad and float(t.min()) >= 2 and float(t.max()) <= 3
    with pytest.raises(ValueError):
        ndgrad.testing.make_tensor(2, dtype=ndgrad.float32, device="cpu", low=3, high=2)
    with pytest.raises(TypeError):
        ndgrad.testing.make_tensor(2, device="cpu")
