"""Indexing against torch: ``x[key]`` and ``x[key] = v`` in all the forms torch accepts (values,
gradients, grad_fn names, views vs copies), the index ops' in-place variants, and the errors."""
import warnings

import numpy as np
import pytest
import torch

import ndgrad
from helpers import check_against_torch

RNG = np.random.default_rng(0)
X = RNG.standard_normal((3, 4, 5))
X2 = RNG.standard_normal((3, 4))


def _name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def _run_both(fn):
    """``fn(lib)`` in ndgrad and torch: both results, or both exceptions."""
    out = []
    for lib in (ndgrad, torch):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append(fn(lib))
        except Exception as e:  # noqa: BLE001 - the exception itself is what is compared
            out.append(e)
    return out


def assert_same_error(fn, exact=True):
    n, t = _run_both(fn)
    assert isinstance(t, Exception), f"torch raised nothing: {t!r}"
    assert isinstance(n, Exception), f"ndgrad raised nothing (torch: {type(t).__name__}: {t})"
    assert type(n) is type(t) or isinstance(n, type(t)), f"{type(n).__name__}: {n} != torch's {type(t).__name__}: {t}"
    if exact:
        assert str(n) == str(t).split("\nException raised from")[0], f"{n!r} != torch's {t!r}"


# -- getitem ---------------------------------------------------------------------------------------
GETITEM_KEYS = {
    "int": lambda lib: 1,
    "neg_int": lambda lib: -1,
    "int_int": lambda lib: (0, 3),
    "int_slice": lambda lib: (0, slice(1, 3)),
    "slice_int": lambda lib: (slice(1, 3), 0),
    "slice": lambda lib: slice(None),
    "slice_step": lambda lib: slice(None, None, 2),
    "slice_beyond": lambda lib: slice(-10, 10),
    "slice_empty": lambda lib: slice(2, 1),
    "full_slices": lambda lib: (slice(None), slice(0, 100)),
    "ellipsis": lambda lib: Ellipsis,
    "ellipsis_int": lambda lib: (Ellipsis, 1),
    "int_ellipsis_slice": lambda lib: (1, Ellipsis, slice(1, None)),
    "none": lambda lib: None,
    "none_mid": lambda lib: (slice(None), None, 1),
    "int_none": lambda lib: (0, None),
    "none_int": lambda lib: (None, 0),
    "empty_tuple": lambda lib: (),
    "tensor_int0d": lambda lib: lib.tensor(2),
    "slice_with_tensor_bounds": lambda lib: slice(lib.tensor(1), None),
    "np_int": lambda lib: np.int64(1),
    "list": lambda lib: [0, 2, 0],
    "list_neg": lambda lib: [-1, -3],
    "empty_list": lambda lib: [],
    "tensor": lambda lib: lib.tensor([[0, 1], [2, 2]]),
    "int32_tensor": lambda lib: lib.tensor([2, 0], dtype=lib.int32),
    "ndarray": lambda lib: np.array([1, 1]),
    "two_lists": lambda lib: ([0, 2], [1, 3]),
    "broadcast_tensors": lambda lib: (lib.tensor([[0], [2]]), lib.tensor([1, 3, 3])),
    "slice_list": lambda lib: (slice(None), [3, 0, 3]),
    "list_slice_list": lambda lib: ([0, 1], slice(None), [4, 4]),
    "int_slice_list": lambda lib: (0, slice(None), [1, 2]),
    "tensor0d_slice_list": lambda lib: (lib.tensor(1), slice(None), [0, 1]),
    "list_none_list": lambda lib: ([0], None, [0]),
    "none_list": lambda lib: (None, [1, 0]),
    "ellipsis_list": lambda lib: (Ellipsis, [4, 0]),
    "mask": lambda lib: lib.tensor([True, False, True]),
    "mask_2d": lambda lib: lib.tensor(X[:, :, 0] > 0),
    "mask_full": lambda lib: lib.tensor(X > 0),
    "int_mask": lambda lib: (1, lib.tensor([True, False, True, True])),
    "mask_list": lambda lib: (lib.tensor([True, False, True]), [0, 3]),
    "bool_list": lambda lib: [True, False, True],
    "true": lambda lib: True,
    "false": lambda lib: False,
    "true_int": lambda lib: (True, 1),
    "true_slice_list": lambda lib: (True, slice(None), [0, 1]),
    "uint8_mask": lambda lib: lib.tensor([1, 0, 1], dtype=lib.uint8),
    "seq_as_tuple": lambda lib: [[0, 1], [1, 0]],
    "seq_with_slice": lambda lib: [0, slice(1, 3)],
}


@pytest.mark.filterwarnings("ignore:indexing with dtype torch.uint8")
@pytest.mark.parametrize("name", list(GETITEM_KEYS))
def test_getitem_matches_torch(name):
    key = GETITEM_KEYS[name]

    def fn(lib, x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return x[key(lib)]
    n_out, t_out = check_against_torch(fn, X)
    assert _name(n_out) == _name(t_out)
    assert (n_out._base is not None) == (t_out._base is not None), "view vs copy differs from torch"


def test_getitem_0d():
    for key in (Ellipsis, None, (), True, False, (None, None)):
        n_out, t_out = check_against_torch(lambda lib, x: x[key] * 2, np.array(1.5))
    assert_same_error(lambda lib: lib.tensor(1.0)[0])
    assert_same_error(lambda lib: lib.tensor(1.0)[0, ])
    assert_same_error(lambda lib: lib.tensor(1.0)[:])
    assert_same_error(lambda lib: lib.tensor(1.0)[[0]])


def test_getitem_repeated_indices_accumulate():
    idx = [0, 0, 2, 0]
    check_against_torch(lambda lib, x: x[idx] * lib.arange(4.0, dtype=lib.float64)[:, None, None], X)
    check_against_torch(lambda lib, x: x[[1, 1], :, [2, 2]], X)
    n = ndgrad.tensor(X2, requires_grad=True)
    n[[0, 0, 0]].sum().backward()
    assert n.grad.numpy()[0].tolist() == [3.0] * 4


def test_basic_index_is_a_view_of_the_base():
    x = ndgrad.arange(12.0).reshape(3, 4).clone()
    v = x[1, 1:3]
    assert v._base is x and v._version == x._version
    v.mul_(10)
    assert x[1].tolist() == [4.0, 50.0, 60.0, 7.0]
    a = x[[1]]
    a.zero_()
    assert x[1, 0].item() == 4.0  # advanced indexing copied


@pytest.mark.parametrize("make", [
    lambda lib: (lib.zeros(3)[0],),
    lambda lib: (lib.tensor([1.0, 2.0])[lib.tensor([True, True])],),
])
def test_float32_stays_float32(make):
    (out,) = make(ndgrad)
    assert out.dtype == ndgrad.float32


def test_getitem_float32_gradient_dtype():
    x = ndgrad.zeros(3, 4, requires_grad=True)
    (x[1:, [0, 0]].sum() + x[x > -1].sum()).backward()
    assert x.grad.dtype == ndgrad.float32


GETITEM_ERRORS = [
    lambda lib: lib.zeros(3, 4)[3],
    lambda lib: lib.zeros(3, 4)[-4],
    lambda lib: lib.zeros(3, 4)[0, 7],
    lambda lib: lib.zeros(3, 4)[1, 2, 3],
    lambda lib: lib.zeros(3, 4)[[5]],
    lambda lib: lib.zeros(3, 4)[[0], [9]],
    lambda lib: lib.zeros(3, 4)[:, [9]],
    lambda lib: lib.zeros(3, 4, 5)[None, [0], [9]],
    lambda lib: lib.zeros(3, 4)[lib.tensor([-4])],
    lambda lib: lib.zeros(3, 4)[::-1],
    lambda lib: lib.zeros(3, 4)[:, ::-2],
    lambda lib: lib.zeros(3, 4)[::0],
    lambda lib: lib.zeros(3, 4)[2.0],
    lambda lib: lib.zeros(3, 4)[lib.tensor([1.0])],
    lambda lib: lib.zeros(3, 4)[lib.tensor([True, False])],
    lambda lib: lib.zeros(3, 4)[lib.ones(3, 3, dtype=lib.bool)],
    lambda lib: lib.zeros(3, 4)[lib.tensor([0, 1]), lib.tensor([0, 1, 2])],
    lambda lib: lib.zeros(3, 4)[[True, False]],
]


@pytest.mark.parametrize("fn", GETITEM_ERRORS)
def test_getitem_errors_match_torch(fn):
    assert_same_error(fn)


def test_getitem_str_is_a_type_error():
    with pytest.raises(TypeError):
        ndgrad.zeros(3)["a"]


# -- setitem ---------------------------------------------------------------------------------------
SETITEM_CASES = {
    "int_scalar": (lambda lib: 1, lambda lib, v: 2.5),
    "int_tensor": (lambda lib: 1, lambda lib, v: v[0]),
    "slice_tensor_bcast": (lambda lib: (slice(None), 0), lambda lib, v: v[0, :3]),
    "int_slice": (lambda lib: (0, slice(1, 3)), lambda lib, v: v[:1, :2] * 3),
    "ellipsis": (lambda lib: Ellipsis, lambda lib, v: v),
    "full_slice": (lambda lib: slice(None), lambda lib, v: -1.0),
    "leading_ones_value": (lambda lib: 0, lambda lib, v: v[1].reshape(1, 1, 4)),
    "list": (lambda lib: [0, 2], lambda lib, v: v[:2]),
    "repeated_list": (lambda lib: [1, 1], lambda lib, v: v[0]),
    "tensor_scalar": (lambda lib: lib.tensor([2, 0]), lambda lib, v: 7.0),
    "two_lists": (lambda lib: ([0, 2], [1, 3]), lambda lib, v: v[0, :2]),
    "slice_list": (lambda lib: (slice(1, None), [3, 0]), lambda lib, v: v[:2, :2]),
    "int_list": (lambda lib: (1, [0, 3]), lambda lib, v: v[2, 1:3]),
    "mask_scalar": (lambda lib: lib.tensor(X2 > 0), lambda lib, v: 0.0),
    "mask_0d_tensor": (lambda lib: lib.tensor(X2 > 0), lambda lib, v: v[0, 0]),
    "mask_rows": (lambda lib: lib.tensor([True, False, True]), lambda lib, v: v[0]),
    "none": (lambda lib: None, lambda lib, v: v[2]),
    "true": (lambda lib: True, lambda lib, v: 1.5),
    "false": (lambda lib: False, lambda lib, v: 1.5),
}


@pytest.mark.parametrize("name", list(SETITEM_CASES))
def test_setitem_matches_torch(name):
    key_fn, val_fn = SETITEM_CASES[name]

    def fn(lib, x, v):
        y = x * 1.0
        y[key_fn(lib)] = val_fn(lib, v)
        return y * y
    check_against_torch(fn, X2, RNG.standard_normal((3, 4)))


@pytest.mark.parametrize("name", list(SETITEM_CASES))
def test_setitem_grad_fn_names(name):
    key_fn, val_fn = SETITEM_CASES[name]
    names = []
    for lib in (ndgrad, torch):
        x = lib.tensor(X2, requires_grad=True)
        v = lib.tensor(RNG.standard_normal((3, 4)), requires_grad=True)
        y = x.clone()
        y[key_fn(lib)] = val_fn(lib, v)
        names.append(_name(y))
    if names[1] in ("CopySlices", "IndexPutBackward0"):
        assert names[0] == names[1]


@pytest.mark.parametrize("name", list(SETITEM_CASES))
def test_setitem_without_grad(name):
    key_fn, val_fn = SETITEM_CASES[name]
    res = []
    vals = RNG.standard_normal((3, 4))
    for lib in (ndgrad, torch):
        x = lib.tensor(X2)
        v = lib.tensor(vals)
        version = x._version
        x[key_fn(lib)] = val_fn(lib, v)
        res.append((x.numpy().copy(), x._version > version))
    np.testing.assert_array_equal(res[0][0], res[1][0])
    assert res[0][1] == res[1][1]


def test_setitem_value_requires_grad_into_plain_tensor():
    for lib in (ndgrad, torch):
        v = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        z = lib.zeros(2, 3)
        z[1] = v
        assert z.requires_grad and not z.is_leaf and _name(z) == "CopySlices"
        (z * lib.tensor([[1.0], [5.0]])).sum().backward()
        assert v.grad.tolist() == [5.0, 5.0, 5.0]


def test_setitem_dtype_casts_like_torch():
    for value in (1.7, True, -3):
        for dt in ("int64", "bool", "float32"):
            n, t = ndgrad.zeros(3, dtype=getattr(ndgrad, dt)), torch.zeros(3, dtype=getattr(torch, dt))
            n[0] = value
            t[0] = value
            assert n.tolist() == t.tolist()
    n, t = ndgrad.zeros(3, dtype=ndgrad.int64), torch.zeros(3, dtype=torch.int64)
    n[1:] = ndgrad.tensor([1.5, -2.5])
    t[1:] = torch.tensor([1.5, -2.5])
    assert n.tolist() == t.tolist()
    n, t = ndgrad.zeros(3, 4), torch.zeros(3, 4)
    n[n == 0] = ndgrad.tensor(2.0, dtype=ndgrad.float64)  # one-element value, single mask: allowed
    t[t == 0] = torch.tensor(2.0, dtype=torch.float64)
    assert n.tolist() == t.tolist()


SETITEM_ERRORS = [
    lambda lib: lib.zeros(3, 4, requires_grad=True).__setitem__(0, 1.0),
    lambda lib: lib.zeros(3, 4, requires_grad=True).__setitem__([0], 1.0),
    lambda lib: lib.zeros(3, 4).__setitem__(0, lib.ones(2, 4)),
    lambda lib: lib.zeros(3, 4).__setitem__(0, lib.ones(3)),
    lambda lib: lib.zeros(3, 4).__setitem__([0, 1], lib.ones(3, 4)),
    lambda lib: lib.zeros(3, 4).__setitem__([0], lib.ones(4, dtype=lib.float64)),
    lambda lib: lib.zeros(3, 4).__setitem__(lib.tensor([0]), lib.tensor(2)),
    lambda lib: lib.zeros(3, 4).__setitem__(0, [1.0, 2.0, 3.0, 4.0]),
    lambda lib: lib.zeros(3, 4).__setitem__(0, np.ones(4)),
    lambda lib: lib.zeros(3, 4).__setitem__(0, 1 + 2j),
    lambda lib: lib.zeros(3, 4).__setitem__(5, 1.0),
    lambda lib: lib.tensor(1.0).__setitem__(0, 2.0),
    lambda lib: lib.tensor(1.0).__setitem__(slice(None), 2.0),
    lambda lib: lib.tensor(1.0).__setitem__((0,), 2.0),
    lambda lib: lib.zeros(4).expand(3, 4).__setitem__((slice(None), 0), 1.0),
]


@pytest.mark.parametrize("fn", SETITEM_ERRORS)
def test_setitem_errors_match_torch(fn):
    assert_same_error(fn)


def test_setitem_on_expanded_rows_is_allowed():
    for lib in (ndgrad, torch):
        z = lib.zeros(3, 4).expand(2, 3, 4)
        z[0] = 1.0  # no element of z[0] overlaps another one
        assert z.sum().item() == 24.0


# -- index ops: in-place variants, versions, node names ----------------------------------------------
INPLACE = {
    "masked_fill_": (lambda lib, y, s: y.masked_fill_(y > 0, 0.5), "MaskedFillBackward0"),
    "masked_fill_tensor_": (lambda lib, y, s: y.masked_fill_(y > 0, s[0, 0]), "MaskedFillBackward1"),
    "index_add_": (lambda lib, y, s: y.index_add_(0, lib.tensor([2, 2]), s[:2], alpha=2), "IndexAddBackward0"),
    "index_copy_": (lambda lib, y, s: y.index_copy_(1, lib.tensor([3, 0]), s[:, :2]), "IndexCopyBackward0"),
    "index_fill_": (lambda lib, y, s: y.index_fill_(1, lib.tensor([1]), -2.0), "IndexFillBackward0"),
    "scatter_": (lambda lib, y, s: y.scatter_(1, lib.tensor([[1, 0], [2, 3]]), s[:2, :2]), "ScatterBackward0"),
    "scatter_value_": (lambda lib, y, s: y.scatter_(0, lib.tensor([[2, 0, 1, 1]]), 3.0), "ScatterBackward1"),
    "scatter_add_": (lambda lib, y, s: y.scatter_add_(0, lib.tensor([[2, 0, 2, 2]]), s[:1]),
                     "ScatterAddBackward0"),
    "index_put_": (lambda lib, y, s: y.index_put_((lib.tensor([0, 0]),), s[:2], accumulate=True),
                   "IndexPutBackward0"),
    "masked_scatter_": (lambda lib, y, s: y.masked_scatter_(y > 0, s), "MaskedScatterBackward0"),
    "tril_": (lambda lib, y, s: y.tril_(1), "TrilBackward0"),
}


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_index_ops_match_torch(name):
    fn, node = INPLACE[name]

    def run(lib, x, s):
        y = x * 1.0
        r = fn(lib, y, s)
        assert r is y
        assert _name(y) == node
        return y * y
    check_against_torch(run, X2, RNG.standard_normal((3, 4)))


@pytest.mark.parametrize("name", list(INPLACE))
def test_inplace_index_ops_without_grad(name):
    fn, _ = INPLACE[name]
    res = []
    vals = RNG.standard_normal((3, 4))
    for lib in (ndgrad, torch):
        y = lib.tensor(X2)
        s = lib.tensor(vals)
        v = y._version
        fn(lib, y, s)
        res.append((y.numpy().copy(), y._version > v))
    np.testing.assert_allclose(res[0][0], res[1][0])
    assert res[0][1] and res[1][1]


def test_inplace_on_leaf_is_refused():
    for lib in (ndgrad, torch):
        x = lib.zeros(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            x.masked_fill_(x > -1, 1.0)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad"):
            x.index_add_(0, lib.tensor([0]), lib.ones(1))
        with lib.no_grad():
            x.index_fill_(0, lib.tensor([1]), 2.0)
        assert x.tolist() == [0.0, 2.0, 0.0]


INDEX_OP_ERRORS = [
    lambda lib: lib.zeros(3, 4).gather(1, lib.tensor([[0, 5]])),
    lambda lib: lib.zeros(3, 4).gather(1, lib.tensor([[0, -1]])),
    lambda lib: lib.zeros(3, 4).gather(1, lib.tensor([0])),
    lambda lib: lib.zeros(3, 4).gather(1, lib.zeros(1, 1)),
    lambda lib: lib.zeros(3, 4).gather(0, lib.tensor([[1, 2, 3, 0, 0]])),
    lambda lib: lib.zeros(3, 4).scatter(1, lib.tensor([[7]]), lib.ones(1, 1)),
    lambda lib: lib.zeros(3, 4).scatter(1, lib.tensor([[0]]), lib.ones(1, 1, dtype=lib.float64)),
    lambda lib: lib.zeros(3, 4).scatter(1, lib.tensor([[0, 1], [2, 0]]), lib.ones(1, 1)),
    lambda lib: lib.zeros(3, 4).scatter(1, lib.tensor([0, 1]), 1.0),
    lambda lib: lib.zeros(3, 4).scatter(1, lib.tensor([[0]]), lib.ones(1, 1), reduce="max"),
    lambda lib: lib.zeros(3, 4).scatter_add(0, lib.tensor([[3]]), lib.ones(1, 1)),
    lambda lib: lib.zeros(3, 4).scatter_reduce(1, lib.tensor([[0]]), lib.ones(1, 1), "foo"),
    lambda lib: lib.zeros(3, 4).index_select(1, lib.tensor([[1]])),
    lambda lib: lib.zeros(3, 4).index_select(1, lib.tensor([1.0])),
    lambda lib: lib.zeros(3, 4).index_select(1, lib.tensor([4])),
    lambda lib: lib.zeros(3, 4).index_add(0, lib.tensor([1]), lib.ones(1, 4, dtype=lib.float64)),
    lambda lib: lib.zeros(3, 4).index_add(0, lib.tensor([1]), lib.ones(2, 4)),
    lambda lib: lib.zeros(3, 4).index_add(0, lib.tensor([3]), lib.ones(1, 4)),
    lambda lib: lib.zeros(3, 4).index_add(0, lib.tensor([-1]), lib.ones(1, 4)),
    lambda lib: lib.zeros(3, 4).index_add(1, lib.tensor([1]), lib.ones(2, 1)),
    lambda lib: lib.zeros(3, 4).index_add(0, lib.tensor(1), lib.ones(4)),
    lambda lib: lib.zeros(3, 4).index_copy(0, lib.tensor([1]), lib.ones(2, 4)),
    lambda lib: lib.zeros(3, 4).index_copy(0, lib.tensor([3]), lib.ones(1, 4)),
    lambda lib: lib.zeros(3, 4).index_fill(0, lib.tensor([3]), 1.0),
    lambda lib: lib.zeros(3, 4).index_fill(0, lib.tensor([[1]]), 1.0),
    lambda lib: lib.zeros(3, 4).index_fill(0, lib.tensor([1]), lib.ones(1)),
    lambda lib: lib.zeros(3, 4).index_put((lib.tensor([5]),), lib.tensor(1.0)),
    lambda lib: lib.zeros(3, 4).index_put((lib.tensor([0]),), lib.ones(2, 4)),
    lambda lib: lib.zeros(3, 4).index_put((lib.tensor([0]),) * 3, lib.ones(1)),
    lambda lib: lib.zeros(3, 4).index_put((lib.tensor([0]),), lib.ones(4, dtype=lib.float64)),
    lambda lib: lib.zeros(3, 4).masked_fill(lib.tensor([1, 0, 1, 0]), 1.0),
    lambda lib: lib.zeros(3, 4).masked_fill(lib.tensor([True, False]), 1.0),
    lambda lib: lib.zeros(3, 4).masked_fill(lib.zeros(3, 4) == 0, lib.ones(1)),
    lambda lib: lib.zeros(4).masked_fill_(lib.zeros(3, 4) == 0, 1.0),
    lambda lib: lib.zeros(3, 4).masked_select(lib.tensor([1, 0, 1, 0])),
    lambda lib: lib.zeros(3, 4).masked_select(lib.tensor([True, False])),
    lambda lib: lib.zeros(3, 4).masked_scatter(lib.tensor([True, False]), lib.ones(5)),
    lambda lib: lib.zeros(3, 4).masked_scatter(lib.ones(3, 4, dtype=lib.bool), lib.ones(5)),
    lambda lib: lib.zeros(3, 4).take(lib.tensor([12])),
    lambda lib: lib.zeros(3, 4).take(lib.tensor([-13])),
    lambda lib: lib.take_along_dim(lib.zeros(3, 4), lib.tensor([0]), 1),
    lambda lib: lib.take_along_dim(lib.zeros(3, 4), lib.tensor([[0, 1], [2, 0]]), 1),
]


@pytest.mark.parametrize("fn", INDEX_OP_ERRORS)
def test_index_op_errors_match_torch(fn):
    assert_same_error(fn)


def test_scatter_legacy_reduce_is_not_differentiable():
    for lib in (ndgrad, torch):
        x = lib.zeros(3, 4, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            y = x.scatter(1, lib.tensor([[0]]), lib.ones(1, 1), reduce="add")
        assert _name(y) == "NotImplemented"
        with pytest.raises(RuntimeError, match="derivative for aten::scatter is not implemented"):
            y.sum().backward()


def test_scatter_bigger_src_backward_error_like_torch():
    msgs = []
    for lib in (ndgrad, torch):
        x = lib.zeros(3, 4, requires_grad=True)
        src = lib.ones(3, 5, requires_grad=True)
        with pytest.raises(RuntimeError) as e:
            x.scatter_add(1, lib.tensor([[0, 1], [2, 0]]), src).sum().backward()
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_index_select_and_nonzero_dtypes():
    x = ndgrad.tensor([[0.0, 1.5], [2.0, 0.0]])
    assert ndgrad.nonzero(x).dtype == ndgrad.int64
    assert [t.tolist() for t in x.nonzero(as_tuple=True)] == [[0, 1], [1, 0]]
    assert ndgrad.argwhere(x).tolist() == [[0, 1], [1, 0]]
    assert x.index_select(1, ndgrad.tensor([1], dtype=ndgrad.int32)).tolist() == [[1.5], [0.0]]


def test_double_backward_through_indexing():
    def fn(lib, x):
        y = x[[0, 0, 2], 1:] ** 2
        g, = lib.autograd.grad(y.sum(), x, create_graph=True)
        return (g[x > 0] ** 2).sum() + g[1].sum()
    check_against_torch(fn, X2)


def test_getitem_fast_path_is_fast():
    import time
    x = ndgrad.zeros(10, 10)
    t0 = time.perf_counter()
    for _ in range(2000):
        x[3]
        x[1:5]
    per_op = (time.perf_counter() - t0) / 4000
    assert per_op < 50e-6, f"x[i] / x[a:b] take {per_op * 1e6:.1f} us"


NODE_NAMES = {
    "cat": lambda lib, x: lib.cat([x, x]),
    "stack": lambda lib, x: lib.stack([x, x], 1),
    "hstack": lambda lib, x: lib.hstack([x, x]),
    "split": lambda lib, x: x.split(2)[0],
    "split_sizes": lambda lib, x: x.split([1, 2])[1],
    "chunk_empty": lambda lib, x: x[:0].chunk(2)[0],
    "unbind": lambda lib, x: x.unbind(1)[0],
    "tensor_split": lambda lib, x: x.tensor_split(2)[0],
    "narrow": lambda lib, x: x.narrow(1, 1, 2),
    "flip": lambda lib, x: x.flip(0),
    "roll": lambda lib, x: x.roll(1, 0),
    "tril": lambda lib, x: x.tril(),
    "triu": lambda lib, x: x.triu(),
    "diagonal": lambda lib, x: x.diagonal(),
    "diag_1d": lambda lib, x: lib.diag(x[0]),
    "diag_2d": lambda lib, x: lib.diag(x),
    "diag_embed": lambda lib, x: lib.diag_embed(x),
    "repeat": lambda lib, x: x.repeat(2, 1),
    "tile": lambda lib, x: x.tile(2),
    "repeat_interleave_int": lambda lib, x: x.repeat_interleave(2, 0),
    "repeat_interleave_tensor": lambda lib, x: x.repeat_interleave(lib.tensor([1, 2, 0]), 0),
    "reshape_copy": lambda lib, x: x.t().reshape(-1),
    "reshape_alias": lambda lib, x: x.t().reshape(2, 2, 3),
    "atleast_2d": lambda lib, x: lib.atleast_2d(x[0]),
    "gather": lambda lib, x: x.gather(1, lib.tensor([[0], [1], [2]])),
    "scatter": lambda lib, x: x.scatter(1, lib.tensor([[0], [1], [2]]), x),
    "scatter_value": lambda lib, x: x.scatter(1, lib.tensor([[0], [1], [2]]), 1.0),
    "scatter_add": lambda lib, x: x.scatter_add(1, lib.tensor([[0], [1], [2]]), x),
    "scatter_reduce": lambda lib, x: x.scatter_reduce(1, lib.tensor([[0], [1], [2]]), x, "amax"),
    "index_select": lambda lib, x: x.index_select(1, lib.tensor([0, 0])),
    "index_add": lambda lib, x: x.index_add(1, lib.tensor([0]), x[:, :1]),
    "index_copy": lambda lib, x: x.index_copy(1, lib.tensor([0]), x[:, :1]),
    "index_fill": lambda lib, x: x.index_fill(1, lib.tensor([0]), 1.0),
    "index_fill_tensor": lambda lib, x: x.index_fill(1, lib.tensor([0]), x[0, 0]),
    "index_put": lambda lib, x: x.index_put((lib.tensor([0]),), x[0]),
    "masked_fill": lambda lib, x: x.masked_fill(x > 0, 1.0),
    "masked_fill_tensor": lambda lib, x: x.masked_fill(x > 0, x[0, 0]),
    "masked_select": lambda lib, x: x.masked_select(x > 0),
    "masked_scatter": lambda lib, x: x.masked_scatter(x > 0, x),
    "take": lambda lib, x: x.take(lib.tensor([0, 5])),
    "take_along_dim": lambda lib, x: lib.take_along_dim(x, lib.tensor([[0], [1], [2]]), 1),
}


@pytest.mark.parametrize("name", list(NODE_NAMES))
def test_node_names_match_torch(name):
    fn = NODE_NAMES[name]
    n = fn(ndgrad, ndgrad.tensor(X2, requires_grad=True))
    t = fn(torch, torch.tensor(X2, requires_grad=True))
    assert _name(n) == _name(t)
    assert (n._base is not None) == (t._base is not None)
