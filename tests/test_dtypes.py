"""dtypes: names, attributes, torch's type promotion, and the default dtype, compared with torch."""
import itertools
import pickle

import numpy as np
import pytest
import torch

import ndgrad

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64", "complex64",
         "complex128"]


@pytest.fixture(autouse=True)
def _restore_default_dtype():
    yield
    ndgrad.set_default_dtype(ndgrad.float32)
    torch.set_default_dtype(torch.float32)


def nd(name):
    return getattr(ndgrad, name)


def th(name):
    return getattr(torch, name)


@pytest.mark.parametrize("name", NAMES + ["float", "double", "half", "long", "int", "short", "cfloat", "cdouble"])
def test_names_and_attributes(name):
    n, t = nd(name), th(name)
    assert repr(n) == repr(t) and str(n) == str(t)
    assert n.is_floating_point == t.is_floating_point
    assert n.is_complex == t.is_complex
    assert n.is_signed == t.is_signed
    assert n.itemsize == t.itemsize
    assert pickle.loads(pickle.dumps(n)) is n


def test_aliases_are_the_same_objects():
    assert ndgrad.float is ndgrad.float32 and ndgrad.double is ndgrad.float64 and ndgrad.half is ndgrad.float16
    assert ndgrad.long is ndgrad.int64 and ndgrad.int is ndgrad.int32 and ndgrad.short is ndgrad.int16
    assert ndgrad.cfloat is ndgrad.complex64 and ndgrad.cdouble is ndgrad.complex128
    assert ndgrad.zeros(2).dtype is ndgrad.float32
    assert ndgrad.float32.to_complex() is ndgrad.complex64 and ndgrad.complex128.to_real() is ndgrad.float64


def test_bfloat16_fails_clearly():
    assert repr(ndgrad.bfloat16) == "torch.bfloat16"
    with pytest.raises(TypeError, match="bfloat16"):
        ndgrad.zeros(2, dtype=ndgrad.bfloat16)


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_promote_types(a, b):
    assert repr(ndgrad.promote_types(nd(a), nd(b))) == repr(torch.promote_types(th(a), th(b)))


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_can_cast(a, b):
    assert ndgrad.can_cast(nd(a), nd(b)) == torch.can_cast(th(a), th(b))


SCALARS = [True, 2, 2.5, 1j]


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape", [(2,), ()])
@pytest.mark.parametrize("scalar", SCALARS)
def test_result_type_tensor_and_scalar(name, shape, scalar):
    if name == "float16" and isinstance(scalar, complex):
        pytest.skip("torch gives complex32, which NumPy (and so ndgrad) does not have")
    n = ndgrad.zeros(shape, dtype=nd(name))
    t = torch.zeros(shape, dtype=th(name))
    assert repr(ndgrad.result_type(n, scalar)) == repr(torch.result_type(t, scalar))
    assert repr(ndgrad.result_type(scalar, n)) == repr(torch.result_type(scalar, t))


@pytest.mark.parametrize("a,b", list(itertools.product(NAMES, NAMES)))
def test_result_type_tensors_of_different_dims(a, b):
    for sa, sb in [((2,), (2,)), ((2,), ()), ((), (2,)), ((), ())]:
        if {a, b} & {"float16"} and {a, b} & {"complex64", "complex128"} and (sa == () or sb == ()):
            continue  # complex32 in torch
        n = ndgrad.result_type(ndgrad.zeros(sa, dtype=nd(a)), ndgrad.zeros(sb, dtype=nd(b)))
        t = torch.result_type(torch.zeros(sa, dtype=th(a)), torch.zeros(sb, dtype=th(b)))
        assert repr(n) == repr(t), (a, sa, b, sb)


@pytest.mark.parametrize("s1,s2", list(itertools.product(SCALARS, SCALARS)))
def test_result_type_scalars(s1, s2):
    assert repr(ndgrad.result_type(s1, s2)) == repr(torch.result_type(s1, s2))


@pytest.mark.parametrize("a,b", [("int64", "float32"), ("int32", "float16"), ("uint8", "int8"), ("bool", "int32"),
                                 ("int64", "float64"), ("float16", "float32"), ("bool", "float16")])
def test_binary_ops_promote_like_torch(a, b):
    for sa, sb in [((2,), (2,)), ((2,), ()), ((), (2,))]:
        n = ndgrad.ones(sa, dtype=nd(a)) + ndgrad.ones(sb, dtype=nd(b))
        t = torch.ones(sa, dtype=th(a)) + torch.ones(sb, dtype=th(b))
        assert repr(n.dtype) == repr(t.dtype)
        n = ndgrad.ones(sa, dtype=nd(a)) * ndgrad.ones(sb, dtype=nd(b))
        t = torch.ones(sa, dtype=th(a)) * torch.ones(sb, dtype=th(b))
        assert repr(n.dtype) == repr(t.dtype)


def test_shell_unsigned_dtypes():
    """uint16/32/64 exist (from NumPy data) but refuse promotion with other dtypes, as in torch."""
    a = ndgrad.from_numpy(np.array([1, 2], dtype=np.uint16))
    assert repr(a.dtype) == "torch.uint16"
    assert repr(a) == repr(torch.from_numpy(np.array([1, 2], dtype=np.uint16)))
    with pytest.raises(RuntimeError, match="Promotion for uint16, uint32, uint64 types is not supported"):
        ndgrad.promote_types(a.dtype, ndgrad.int8)
    with pytest.raises(RuntimeError, match="attempted to promote UInt16 and Char"):
        torch.promote_types(torch.uint16, torch.int8)


def test_default_dtype():
    assert ndgrad.get_default_dtype() is ndgrad.float32
    with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
        ndgrad.set_default_dtype(ndgrad.int32)
    with pytest.raises(TypeError, match="only floating-point types are supported as the default type"):
        torch.set_default_dtype(torch.int32)


@pytest.mark.parametrize("default", ["float64", "float16", "float32"])
@pytest.mark.parametrize("expr", [
    lambda lib: lib.tensor([1.5]),
    lambda lib: lib.tensor(1.5),
    lambda lib: lib.tensor([1, 2]),
    lambda lib: lib.tensor([]),
    lambda lib: lib.zeros(2),
    lambda lib: lib.ones(2, 2),
    lambda lib: lib.full((2,), 1.5),
    lambda lib: lib.full((2,), 3),
    lambda lib: lib.arange(3),
    lambda lib: lib.arange(0., 1., 0.5),
    lambda lib: lib.linspace(0, 1, 3),
    lambda lib: lib.eye(2),
    lambda lib: lib.rand(2),
    lambda lib: lib.randn(2),
    lambda lib: lib.empty(2),
    lambda lib: lib.scalar_tensor(2),
    lambda lib: lib.tensor([1, 2]) * 1.5,
    lambda lib: lib.tensor([1, 2]) / lib.tensor([2, 2]),
    lambda lib: lib.tensor([1, 2], dtype=lib.int32) + 0.5,
    lambda lib: lib.tensor([1., 2.], dtype=lib.float32) * 2.5,
    lambda lib: lib.tensor(np.array([1., 2.])),
    lambda lib: lib.tensor([1j]),
])
def test_default_dtype_drives_inference(default, expr):
    ndgrad.set_default_dtype(nd(default))
    torch.set_default_dtype(th(default))
    if expr(torch).dtype == torch.complex32:
        pytest.skip("torch gives complex32, which NumPy (and so ndgrad) does not have")
    assert ndgrad.get_default_dtype() is nd(default)
    assert repr(expr(ndgrad).dtype) == repr(expr(torch).dtype)
