"""Tensor printing: ndgrad's repr/str must be character for character torch's, built from the same data."""
import numpy as np
import pytest
import torch

import ndgrad

RNG = np.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _restore_print_and_dtype():
    yield
    for lib in (ndgrad, torch):
        lib.set_printoptions(profile="default")
        lib.set_default_dtype(lib.float32)


def both(array, requires_grad=False):
    n, t = ndgrad.tensor(array), torch.tensor(array)
    if requires_grad:
        n.requires_grad_(True)
        t.requires_grad_(True)
    return n, t


def assert_same_repr(n, t):
    assert repr(n) == repr(t), f"\nndgrad:\n{n!r}\ntorch:\n{t!r}"
    assert str(n) == str(t)


f32 = np.float32
VALUES = {
    "floats": np.array([2., 3.], dtype=f32),
    "fixed": np.array([1.5, -2.25, 3.0], dtype=f32),
    "decimals": np.array([0.1, 0.2, 1.0 / 3], dtype=f32),
    "ratio_sci": np.array([0.1, 100000.0], dtype=f32),
    "small_sci": np.array([1e-5, 1.0], dtype=f32),
    "big_sci": np.array([1e9, 1.0], dtype=f32),
    "big_int_mode": np.array([123456789.0, 1.0], dtype=np.float64),
    "just_below_sci": np.array([1.0, 999.0], dtype=f32),
    "just_above_sci": np.array([1.0, 1001.0], dtype=f32),
    "nonfinite": np.array([np.nan, np.inf, -np.inf, 1.0], dtype=f32),
    "nan_zero": np.array([np.nan, 0.], dtype=f32),
    "nan_frac": np.array([np.nan, 1.5], dtype=f32),
    "only_nan": np.array([np.nan, np.nan], dtype=f32),
    "zeros": np.zeros(4, dtype=f32),
    "signed_zero": np.array([-0.0, 0.0], dtype=f32),
    "negative_ints": np.array([-1., -20., 300.], dtype=f32),
    "scalar_float": np.array(3.5, dtype=f32),
    "scalar_int_mode": np.array(-7.0, dtype=f32),
    "scalar_sci": np.array(1.5e-7, dtype=f32),
    "scalar_nan": np.array(np.nan, dtype=f32),
    "scalar_int": np.array(3),
    "scalar_bool": np.array(True),
    "bools": np.array([True, False, True]),
    "bool_matrix": np.array([[True, False], [False, True]]),
    "ints": np.array([1, -20, 300]),
    "int_matrix": np.arange(12).reshape(3, 4) - 5,
    "int32": np.array([1, 2], dtype=np.int32),
    "int16": np.array([-1, 2], dtype=np.int16),
    "int8": np.array([-1, 2], dtype=np.int8),
    "uint8": np.array([1, 255], dtype=np.uint8),
    "float16": np.array([1.5, 2.], dtype=np.float16),
    "float16_sci": np.array([1e-4, 60000.], dtype=np.float16),
    "float64": np.array([1.5, 2.], dtype=np.float64),
    "float64_many_digits": np.array([np.pi, np.e, -1 / 7]),
    "complex64": np.array([1 + 2j, -3.5 - 0.5j], dtype=np.complex64),
    "complex128": np.array([1 + 2j, -3.5 - 0.5j, 0.25j], dtype=np.complex128),
    "complex_sci": np.array([1e-6 + 2j, 1e5 - 1j], dtype=np.complex64),
    "matrix": RNG.standard_normal((3, 4)).astype(f32),
    "column": RNG.standard_normal((4, 1)).astype(f32),
    "cube": RNG.standard_normal((2, 3, 4)).astype(f32),
    "four_d": RNG.standard_normal((2, 2, 3, 2)).astype(f32),
    "five_d": np.arange(32, dtype=f32).reshape(2, 2, 2, 2, 2),
    "wraps": RNG.standard_normal(40).astype(f32),
    "wide_matrix": RNG.standard_normal((3, 30)).astype(f32),
    "wide_ints": np.arange(60) * 1000,
    "summarised_vector": RNG.standard_normal(2000).astype(f32),
    "summarised_matrix": RNG.standard_normal((100, 100)).astype(f32),
    "summarised_3d": (RNG.standard_normal((10, 10, 20)) * 1e5).astype(f32),
    "summarised_narrow": RNG.standard_normal((2000, 1)).astype(f32),
    "summarised_ints": np.arange(2000),
    "summarised_bools": RNG.random(1500) > 0.5,
    "just_at_threshold": np.arange(1000, dtype=f32),
    "int_valued_3d": np.arange(24).reshape(2, 3, 4) * 1000.0,
    "tiny_matrix": (RNG.standard_normal((4, 4)) * 1e-6).astype(f32),
    "mixed_magnitudes": np.array([[1e-3, 1.0], [10.0, 1e3]], dtype=f32),
}


@pytest.mark.parametrize("name", list(VALUES))
def test_repr_matches_torch(name):
    assert_same_repr(*both(VALUES[name]))


@pytest.mark.parametrize("shape", [(0,), (0, 3), (3, 0), (2, 0, 3), (0, 0)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32, np.bool_, np.float16])
def test_empty_tensors(shape, dtype):
    assert_same_repr(*both(np.zeros(shape, dtype=dtype)))


def test_empty_tensor_strings():
    assert repr(ndgrad.tensor([])) == "tensor([])"
    assert repr(ndgrad.zeros(0, 3)) == "tensor([], size=(0, 3))"
    assert repr(ndgrad.zeros(0, dtype=ndgrad.int64)) == "tensor([], dtype=torch.int64)"


def test_exact_strings():
    assert repr(ndgrad.tensor([2., 3.])) == "tensor([2., 3.])"
    assert repr(ndgrad.tensor([2., 3.], requires_grad=True)) == "tensor([2., 3.], requires_grad=True)"
    assert repr(ndgrad.tensor([1.5, 2.])) == "tensor([1.5000, 2.0000])"
    assert repr(ndgrad.tensor([1, 2], dtype=ndgrad.int32)) == "tensor([1, 2], dtype=torch.int32)"
    assert repr(ndgrad.tensor([True, False])) == "tensor([ True, False])"
    assert repr(ndgrad.tensor(3)) == "tensor(3)"
    assert repr(ndgrad.tensor([1.5], dtype=ndgrad.float16)) == "tensor([1.5000], dtype=torch.float16)"
    assert repr(ndgrad.tensor([[1., 2.], [3., 4.]])) == "tensor([[1., 2.],\n        [3., 4.]])"
    a = ndgrad.tensor([2., 3.], requires_grad=True)
    assert repr(a * a) == "tensor([4., 9.], grad_fn=<MulBackward0>)"


def test_three_d_blocks_are_separated_by_blank_lines():
    s = repr(ndgrad.zeros(2, 2, 2))
    assert s == ("tensor([[[0., 0.],\n         [0., 0.]],\n\n        [[0., 0.],\n         [0., 0.]]])")


@pytest.mark.parametrize("name", ["floats", "fixed", "matrix", "cube", "scalar_float", "wraps", "complex64",
                                  "summarised_matrix", "float64", "float16"])
def test_requires_grad_suffix(name):
    assert_same_repr(*both(VALUES[name], requires_grad=True))


@pytest.mark.parametrize("op", [
    lambda x: x * 2, lambda x: x + 1, lambda x: x - x, lambda x: x / 3, lambda x: -x, lambda x: x.sum(),
    lambda x: x.exp(), lambda x: x ** 2, lambda x: x.mean(), lambda x: x.double(), lambda x: x.clone(),
    lambda x: x.reshape(-1), lambda x: x.sum() * 1e-9,
])
@pytest.mark.parametrize("name", ["floats", "matrix", "wide_matrix", "wraps"])
def test_grad_fn_suffix(op, name):
    n, t = both(VALUES[name], requires_grad=True)
    assert_same_repr(op(n), op(t))


def test_suffix_wraps_to_next_line():
    # a last line close to 80 characters pushes the suffixes onto their own lines, as in torch
    for k in range(1, 12):
        data = np.arange(k * 7, dtype=np.float64) / 7.0
        assert_same_repr(*both(data, requires_grad=True))
        n, t = both(data)
        assert_same_repr(n.to(ndgrad.float16), t.to(torch.float16))


@pytest.mark.parametrize("options", [
    dict(precision=2), dict(precision=0), dict(precision=8), dict(sci_mode=True), dict(sci_mode=False),
    dict(linewidth=40), dict(linewidth=200), dict(threshold=5), dict(threshold=5, edgeitems=1),
    dict(threshold=5, edgeitems=0), dict(edgeitems=2, threshold=10), dict(profile="short"), dict(profile="full"),
])
@pytest.mark.parametrize("name", ["fixed", "matrix", "cube", "wraps", "summarised_ints", "summarised_vector",
                                  "summarised_3d", "nonfinite", "big_sci", "bools", "scalar_float",
                                  "complex128", "float16"])
def test_set_printoptions(options, name):
    ndgrad.set_printoptions(**options)
    torch.set_printoptions(**options)
    assert_same_repr(*both(VALUES[name]))


def test_printoptions_context_and_get():
    with ndgrad.printoptions(precision=2):
        assert repr(ndgrad.tensor([1.12345])) == "tensor([1.12])"
        assert ndgrad.get_printoptions()["precision"] == 2
    assert repr(ndgrad.tensor([1.12345])) == "tensor([1.1235])"
    assert ndgrad.get_printoptions() == torch._tensor_str.get_printoptions()


@pytest.mark.parametrize("name", ["floats", "float64", "float16", "complex128", "complex64", "ints",
                                  "zeros"])
def test_default_dtype_float64_changes_suffixes(name):
    ndgrad.set_default_dtype(ndgrad.float64)
    torch.set_default_dtype(torch.float64)
    assert_same_repr(*both(VALUES[name]))
    if VALUES[name].dtype.kind != "c":
        assert_same_repr(*both(VALUES[name].astype(np.float32)))
    assert_same_repr(ndgrad.tensor([]), torch.tensor([]))
    assert_same_repr(ndgrad.zeros(0, dtype=ndgrad.float32), torch.zeros(0, dtype=torch.float32))


def test_random_tensors_match():
    rng = np.random.default_rng(7)
    for _ in range(60):
        ndim = int(rng.integers(0, 4))
        shape = tuple(int(s) for s in rng.integers(1, 6, size=ndim))
        scale = 10.0 ** rng.integers(-6, 9)
        data = (rng.standard_normal(shape) * scale)
        if rng.random() < 0.3:
            data = np.round(data)
        dtype = [np.float32, np.float64, np.float16][int(rng.integers(0, 3))]
        with np.errstate(over="ignore"):
            assert_same_repr(*both(data.astype(dtype)))


def test_format_and_str():
    n, t = both(np.array(2.5, dtype=np.float32))
    assert f"{n:.2f}" == f"{t:.2f}" == "2.50"
    assert f"{n}" == f"{t}"
    n, t = both(np.array([1.5, 2.0], dtype=np.float32))
    assert f"{n}" == f"{t}"
    with pytest.raises(TypeError):
        format(n, ".2f")
