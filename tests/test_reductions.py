"""Reductions, sorting and norms beyond the op database: named tuples, errors, integer dtypes,
torch's gradient conventions at awkward points (zeros, ties, NaN), second derivatives, in-place
scans. Every check runs the same code through ndgrad and torch and compares."""
import math
import pickle

import numpy as np
import pytest
import torch

import ndgrad
from helpers import check_against_torch, compare_outputs, flat_tensors

LIBS = (ndgrad, torch)


def _both(fn):
    """``fn(lib)`` for ndgrad and torch."""
    return fn(ndgrad), fn(torch)


def _error_of(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        return e
    return None


def check_error(fn, match_message=True):
    """``fn`` raises the same exception type (and message) in ndgrad as in torch."""
    te, ne = _error_of(fn, torch), _error_of(fn, ndgrad)
    assert te is not None, "torch did not raise"
    assert ne is not None, f"ndgrad did not raise; torch raised {type(te).__name__}: {te}"
    assert type(ne) is type(te), f"ndgrad raised {type(ne).__name__}: {ne}; torch {type(te).__name__}: {te}"
    if match_message:
        assert str(ne).strip() == str(te).strip(), f"\nndgrad: {ne}\ntorch:  {te}"


# -- named tuples --------------------------------------------------------------------------------------
NAMED = [
    ("max", lambda lib, x: x.max(1)),
    ("min", lambda lib, x: lib.min(x, dim=0, keepdim=True)),
    ("median", lambda lib, x: x.median(-1)),
    ("sort", lambda lib, x: lib.sort(x, descending=True)),
    ("topk", lambda lib, x: x.topk(2, largest=False)),
    ("kthvalue", lambda lib, x: x.kthvalue(2, 0)),
]


@pytest.mark.parametrize("name,fn", NAMED, ids=[n for n, _ in NAMED])
def test_named_tuple_fields_and_repr(name, fn):
    data = np.array([[1.0, 3.5, 2.0], [2.5, 0.0, 5.0]])
    n_out, t_out = (fn(lib, lib.tensor(data, requires_grad=True)) for lib in LIBS)
    assert type(n_out).__name__ == type(t_out).__name__ == name
    assert isinstance(n_out, tuple) and len(n_out) == 2
    values, indices = n_out
    assert values is n_out.values is n_out[0] and indices is n_out.indices is n_out[-1]
    assert n_out.n_fields == t_out.n_fields == 2
    assert repr(n_out) == repr(t_out)
    assert str(n_out) == str(t_out)
    assert getattr(ndgrad.return_types, name) is type(n_out)
    compare_outputs(n_out, t_out)
    assert indices.dtype == ndgrad.int64 and not indices.requires_grad
    assert values.grad_fn.name() == t_out.values.grad_fn.name()


def test_named_tuple_construct_and_pickle():
    r = ndgrad.tensor([[1.0, 4.0], [3.0, 2.0]]).max(1)
    again = pickle.loads(pickle.dumps(r))
    assert type(again) is type(r)
    assert again.values.tolist() == [4.0, 3.0] and again.indices.tolist() == [1, 0]
    made = ndgrad.return_types.sort((r.values, r.indices))
    assert made.indices is r.indices
    with pytest.raises(TypeError):
        ndgrad.return_types.max((r.values,))
    import ndgrad.return_types as rt  # importable like torch.return_types
    assert rt.topk is ndgrad.return_types.topk


def test_var_mean_returns_plain_tuple():
    x = np.random.default_rng(0).standard_normal((3, 4))
    n, t = _both(lambda lib: lib.var_mean(lib.tensor(x), 1))
    assert type(n) is tuple and type(t) is tuple
    compare_outputs(n, t)


# -- errors -------------------------------------------------------------------------------------------------
X = np.arange(6.0).reshape(2, 3)
ERRORS = {
    "sum_dim_range": lambda lib: lib.tensor(X).sum(2),
    "sum_dup_dims": lambda lib: lib.tensor(X).sum((1, -1)),
    "mean_int": lambda lib: lib.tensor([1, 2]).mean(),
    "mean_dim_range": lambda lib: lib.tensor(X).mean(-3),
    "prod_dim_range": lambda lib: lib.tensor(X).prod(5),
    "var_int": lambda lib: lib.tensor([1, 2]).var(),
    "var_dup_dims": lambda lib: lib.tensor(X).var(dim=(1, -1)),
    "std_dim_range": lambda lib: lib.tensor(X).std(2),
    "nanmean_int": lambda lib: lib.nanmean(lib.tensor([1, 2], dtype=lib.int32)),
    "cumsum_dim_range": lambda lib: lib.tensor(X).cumsum(2),
    "cumsum_0d_dim": lambda lib: lib.tensor(2.0).cumsum(1),
    "cumprod_dim_range": lambda lib: lib.tensor(X).cumprod(-3),
    "logsumexp_dim_range": lambda lib: lib.tensor(X).logsumexp(3),
    "norm_int": lambda lib: lib.tensor([1, 2]).norm(),
    "vector_norm_int": lambda lib: lib.linalg.vector_norm(lib.tensor([[1, 2]], dtype=lib.int32)),
    "vector_norm_inf_empty": lambda lib: lib.linalg.vector_norm(lib.zeros(0), math.inf),
    "vector_norm_neg_inf_empty": lambda lib: lib.linalg.vector_norm(lib.zeros(2, 0), -math.inf, dim=1),
    "vector_norm_neg_empty": lambda lib: lib.linalg.vector_norm(lib.zeros(0), -1),
    "vector_norm_frac_neg_empty": lambda lib: lib.linalg.vector_norm(lib.zeros(0), -0.5),
    "vector_norm_int_dtype": lambda lib: lib.linalg.vector_norm(lib.ones(3), dtype=lib.int64),
    "vector_norm_narrowing": lambda lib: lib.linalg.vector_norm(lib.ones(3, dtype=lib.float64), dtype=lib.float32),
    "matrix_norm_1d": lambda lib: lib.linalg.matrix_norm(lib.ones(3)),
    "matrix_norm_int": lambda lib: lib.linalg.matrix_norm(lib.ones(3, 3, dtype=lib.int64)),
    "matrix_norm_same_dims": lambda lib: lib.linalg.matrix_norm(lib.ones(3, 3), dim=(0, 0)),
    "matrix_norm_3_dims": lambda lib: lib.linalg.matrix_norm(lib.ones(3, 3), dim=(0, 1, 2)),
    "matrix_norm_ord3": lambda lib: lib.linalg.matrix_norm(lib.ones(3, 3), ord=3),
    "matrix_norm_ord_str": lambda lib: lib.linalg.matrix_norm(lib.ones(3, 3), ord="abc"),
    "linalg_norm_3d_ord": lambda lib: lib.linalg.norm(lib.ones(2, 2, 2), ord=2),
    "linalg_norm_dim_len3": lambda lib: lib.linalg.norm(lib.ones(3, 3), dim=(0, 1, 0)),
    "linalg_norm_vector_fro": lambda lib: lib.linalg.norm(lib.ones(3), ord="fro"),
    "linalg_norm_fro_1dim": lambda lib: lib.linalg.norm(lib.ones(3, 3), ord="fro", dim=0),
    "norm_nuc_1dim": lambda lib: lib.norm(lib.ones(3, 3), p="nuc", dim=1),
    "norm_fro_3dims": lambda lib: lib.norm(lib.ones(2, 2, 2), p="fro", dim=(0, 1, 2)),
    "max_empty": lambda lib: lib.tensor([]).max(),
    "min_empty": lambda lib: lib.zeros(2, 0).min(),
    "max_dim_range": lambda lib: lib.tensor(X).max(2),
    "max_zero_size_dim": lambda lib: lib.zeros(0, 3).max(0),
    "min_zero_size_dim": lambda lib: lib.zeros(2, 0).min(1),
    "amax_empty": lambda lib: lib.tensor([]).amax(),
    "amax_zero_size_dim": lambda lib: lib.zeros(2, 0, 3).amax((0, 1)),
    "amin_dim_range": lambda lib: lib.tensor(X).amin(-3),
    "argmax_empty": lambda lib: lib.zeros(0).argmax(),
    "argmax_zero_size_dim": lambda lib: lib.zeros(2, 0).argmax(1),
    "argmin_dim_range": lambda lib: lib.tensor(X).argmin(2),
    "median_zero_size_dim": lambda lib: lib.zeros(0, 3).median(0),
    "median_bool": lambda lib: lib.tensor([True, False]).median(),
    "median_dim_range": lambda lib: lib.tensor(X).median(4),
    "sort_dim_range": lambda lib: lib.tensor(X).sort(2),
    "argsort_dim_range": lambda lib: lib.tensor(X).argsort(-3),
    "topk_too_big": lambda lib: lib.tensor(X).topk(4),
    "topk_negative": lambda lib: lib.tensor(X).topk(-1),
    "topk_bool": lambda lib: lib.tensor([True, False]).topk(1),
    "topk_dim_range": lambda lib: lib.tensor(X).topk(1, dim=2),
    "kthvalue_too_big": lambda lib: lib.tensor(X).kthvalue(4),
    "kthvalue_zero": lambda lib: lib.tensor(X).kthvalue(0, 0),
    "kthvalue_zero_size": lambda lib: lib.zeros(0).kthvalue(1),
    "kthvalue_bool": lambda lib: lib.tensor([True, False]).kthvalue(1),
}

# argument-parser errors: same exception type, torch's message lists its overloads
TYPE_ONLY = {
    "prod_tuple_dim": lambda lib: lib.tensor(X).prod((0, 1)),
    "var_unbiased_and_correction": lambda lib: lib.tensor(X).var(dim=1, unbiased=False, correction=0),
    "vector_norm_str_ord": lambda lib: lib.linalg.vector_norm(lib.tensor(X), ord="fro"),
    "cumsum_no_dim": lambda lib: lib.cumsum(lib.tensor(X)),
    "logsumexp_no_dim": lambda lib: lib.tensor(X).logsumexp(),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_error_type_and_message(name):
    check_error(ERRORS[name])


@pytest.mark.parametrize("name", sorted(TYPE_ONLY))
def test_error_type(name):
    check_error(TYPE_ONLY[name], match_message=False)


def test_argmax_bool_is_refused():
    check_error(lambda lib: lib.tensor([True, False]).argmax())


# -- integer and bool dtypes ----------------------------------------------------------------------------------
INT_DTYPES = ["int64", "int32", "int16", "int8", "uint8", "bool"]
INT_OPS = {
    "sum": lambda lib, x: x.sum(),
    "sum_dim": lambda lib, x: x.sum(1, keepdim=True),
    "sum_dtype": lambda lib, x: x.sum(dtype=lib.float32),
    "nansum": lambda lib, x: lib.nansum(x, 0),
    "prod": lambda lib, x: x.prod(),
    "prod_dim": lambda lib, x: x.prod(0),
    "prod_dtype": lambda lib, x: x.prod(1, dtype=lib.float64),
    "cumsum": lambda lib, x: x.cumsum(1),
    "cumprod": lambda lib, x: x.cumprod(0),
    "cumsum_dtype": lambda lib, x: x.cumsum(0, dtype=lib.float32),
    "mean_dtype": lambda lib, x: x.mean(dtype=lib.float64),
    "all": lambda lib, x: x.all(),
    "any_dim": lambda lib, x: x.any(1),
    "count_nonzero": lambda lib, x: lib.count_nonzero(x, 0),
    "max": lambda lib, x: x.max(),
    "max_dim": lambda lib, x: x.max(1),
    "min_dim": lambda lib, x: x.min(0, keepdim=True),
    "amax": lambda lib, x: x.amax(1),
    "amin": lambda lib, x: x.amin(),
    "sort": lambda lib, x: x.sort(dim=1, descending=True, stable=True),
    "argsort": lambda lib, x: x.argsort(dim=0, stable=True),
    "logsumexp": lambda lib, x: x.logsumexp(1),
}
NON_BOOL = {
    "argmax": lambda lib, x: x.argmax(1),
    "argmin": lambda lib, x: x.argmin(),
    "median": lambda lib, x: x.median(),
    "median_dim": lambda lib, x: x.median(1),
    "kthvalue": lambda lib, x: x.kthvalue(1, 0),
    "topk": lambda lib, x: x.topk(1),
}


@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize("op", sorted(INT_OPS) + sorted(NON_BOOL))
def test_integer_and_bool_dtypes(op, dtype):
    if op in NON_BOOL and dtype == "bool":
        pytest.skip("torch refuses bool here (tested in test_error_type_and_message)")
    fn = INT_OPS.get(op) or NON_BOOL[op]
    data = np.array([[3, 0, 2], [1, 5, 4]]).astype(np.bool_ if dtype == "bool" else dtype)
    n, t = _both(lambda lib: fn(lib, lib.tensor(data)))
    compare_outputs(n, t)
    for o in flat_tensors(n):
        assert not o.requires_grad


def test_float32_stays_float32_forward_and_backward():
    x = np.random.default_rng(1).uniform(0.5, 2.0, (3, 4)).astype(np.float32)
    fns = [lambda lib, a: a.prod(1), lambda lib, a: a.std(), lambda lib, a: a.var(0, correction=0),
           lambda lib, a: a.logsumexp(1), lambda lib, a: a.norm(3), lambda lib, a: a.cumprod(0),
           lambda lib, a: lib.linalg.matrix_norm(a, "nuc"), lambda lib, a: a.max(1).values,
           lambda lib, a: a.amax(0), lambda lib, a: a.median(), lambda lib, a: lib.nanmean(a, 1),
           lambda lib, a: lib.std_mean(a, 1)[0], lambda lib, a: a.topk(2).values]
    for fn in fns:
        a = ndgrad.tensor(x, requires_grad=True)
        out = fn(ndgrad, a)
        assert out.dtype == ndgrad.float32
        (g,) = ndgrad.autograd.grad(out.sum(), a)
        assert g.dtype == ndgrad.float32


# -- gradient conventions -------------------------------------------------------------------------------------
def test_prod_gradient_with_zeros():
    for data in ([2.0, 0.0, 3.0], [0.0, 0.0, 3.0], [[1.0, 0.0], [2.0, 3.0]], [[0.0, 0.0], [2.0, 0.0]]):
        check_against_torch(lambda lib, x: x.prod(), np.array(data))
        check_against_torch(lambda lib, x: x.prod(-1), np.array(data))


def _grad_of_grad(lib, fn, data, seed=3):
    """Second derivative of ``fn`` contracted with random vectors, ZeroTensors turned into zeros."""
    rng = np.random.default_rng(seed)
    x = lib.tensor(np.array(data), requires_grad=True)
    out = fn(lib, x)
    cot = lib.tensor(rng.standard_normal(tuple(out.shape)))
    (g,) = lib.autograd.grad((out * cot).sum(), x, create_graph=True)
    if not g.requires_grad:
        return g.detach().numpy(), np.zeros(np.shape(data))
    (h,) = lib.autograd.grad((g * lib.tensor(rng.standard_normal(np.shape(data)))).sum(), x, allow_unused=True)
    if h is None:
        h = np.zeros(np.shape(data))
    else:
        h = h.numpy(force=True) if lib is torch else h.numpy()
    return g.detach().numpy(), h


SECOND_ORDER = {
    "prod_one_zero": (lambda lib, x: x.prod(), [2.0, 0.0, 3.0, -1.5]),
    "prod_two_zeros": (lambda lib, x: x.prod(), [2.0, 0.0, 3.0, 0.0]),
    "prod_dim_zeros": (lambda lib, x: x.prod(1), [[2.0, 0.0, 3.0], [0.0, 0.0, 1.0], [1.0, 2.0, 3.0]]),
    "cumprod_zeros": (lambda lib, x: x.cumprod(0), [1.5, 0.0, 2.0, 0.0, -1.0, 3.0]),
    "cumprod_zeros_2d": (lambda lib, x: x.cumprod(1), [[1.5, 0.0, 2.0, 0.5], [0.0, 1.0, 0.0, 2.0]]),
    "std_const": (lambda lib, x: x.std(1), [[1.0, 1.0, 1.0], [0.5, 2.0, -1.0]]),
    "norm_p1": (lambda lib, x: x.norm(1, dim=1), [[1.0, -2.0, 0.5], [0.3, 0.0, 2.0]]),
    "norm_inf": (lambda lib, x: x.norm(math.inf), [[1.0, -2.0, 0.5], [0.3, 2.0, 2.0]]),
    "norm_neg_inf": (lambda lib, x: x.norm(-math.inf, dim=0), [[1.0, -2.0, 0.5], [0.3, 2.0, 2.0]]),
    "norm_3": (lambda lib, x: x.norm(3, dim=1), [[1.0, -2.0, 0.5], [0.0, 0.0, 0.0]]),
    "norm_1_5": (lambda lib, x: x.norm(1.5), [[1.0, -2.0, 0.5], [0.3, 0.2, 2.0]]),
    "norm_at_zero": (lambda lib, x: x.norm(dim=1), [[0.0, 0.0, 0.0], [0.3, 0.2, 2.0]]),
    "matrix_norm_1": (lambda lib, x: lib.linalg.matrix_norm(x, 1), [[1.0, -2.0, 0.5], [0.3, 0.7, 2.0]]),
    "matrix_norm_inf": (lambda lib, x: lib.linalg.matrix_norm(x, -math.inf), [[1.0, -2.0], [0.3, 2.0]]),
    "amax_ties": (lambda lib, x: x.amax(1), [[3.0, 1.0, 3.0], [0.5, 0.5, 0.5]]),
    "max_ties": (lambda lib, x: x.max(), [[3.0, 1.0, 3.0], [0.5, 0.5, 0.5]]),
    "median_ties": (lambda lib, x: x.median(), [3.0, 1.0, 3.0, 2.0, 3.0]),
    "logsumexp": (lambda lib, x: x.logsumexp(0), [[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]]),
    "var_mean": (lambda lib, x: lib.stack(lib.var_mean(x, 0)), [[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]]),
    "sort_topk": (lambda lib, x: x.sort(0).values * x.topk(2, 0).values.sum(0), [[1.0, 2.0], [0.5, -1.0], [3.0, 0.0]]),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_order_at_awkward_points(name):
    fn, data = SECOND_ORDER[name]
    if name == "var_mean" and not hasattr(ndgrad, "stack"):
        pytest.skip("ndgrad.stack is not available yet")
    (ng, nh), (tg, th) = _grad_of_grad(ndgrad, fn, data), _grad_of_grad(torch, fn, data)
    np.testing.assert_allclose(ng, tg, rtol=1e-10, atol=1e-12, err_msg="first order")
    np.testing.assert_allclose(nh, th, rtol=1e-10, atol=1e-12, err_msg="second order")


def test_third_order_cumprod_with_zeros():
    def third(lib):
        x = lib.tensor([1.5, 0.0, 2.0, 0.5], dtype=lib.float64, requires_grad=True)
        (g,) = lib.autograd.grad(x.cumprod(0).sum(), x, create_graph=True)
        (h,) = lib.autograd.grad((g * lib.tensor([1.0, -2.0, 0.5, 3.0], dtype=lib.float64)).sum(), x,
                                 create_graph=True)
        (k,) = lib.autograd.grad((h * lib.tensor([0.5, 1.0, -1.0, 2.0], dtype=lib.float64)).sum(), x)
        return k
    n, t = _both(third)
    np.testing.assert_allclose(n.numpy(), t.numpy(), rtol=1e-10, atol=1e-12)


GRAD_CASES = {
    "std_zero_spread": (lambda lib, x: x.std(), [1.0, 1.0, 1.0]),
    "var_single": (lambda lib, x: x.var(), [2.0]),
    "std_single": (lambda lib, x: x.std(), [2.0]),
    "var_dim_single": (lambda lib, x: x.var(1), [[2.0], [3.0]]),
    "var_0d": (lambda lib, x: x.var(), 2.0),
    "norm_zero": (lambda lib, x: x.norm(), [0.0, 0.0]),
    "norm_p3_zero": (lambda lib, x: x.norm(3), [0.0, 0.0]),
    "norm_p_half": (lambda lib, x: x.norm(0.5), [0.0, 1.0, 2.0]),
    "norm_inf_nan": (lambda lib, x: x.norm(math.inf), [math.nan, 1.0, 2.0]),
    "max_ties": (lambda lib, x: x.max(), [3.0, 1.0, 3.0]),
    "min_ties": (lambda lib, x: x.min(), [1.0, 1.0, 3.0, 1.0]),
    "max_nan": (lambda lib, x: x.max(), [math.nan, 1.0, math.nan]),
    "max_dim_ties": (lambda lib, x: x.max(1).values, [[3.0, 1.0, 3.0], [2.0, 2.0, 2.0]]),
    "amax_nan": (lambda lib, x: x.amax(), [math.nan, 1.0, math.nan]),
    "median_nan": (lambda lib, x: x.median(), [math.nan, 1.0, 2.0]),
    "median_dim_nan": (lambda lib, x: x.median(1).values, [[math.nan, 1.0, 2.0, math.nan], [1.0, 2.0, 3.0, 4.0]]),
    "median_even": (lambda lib, x: x.median(), [4.0, 1.0, 3.0, 2.0]),
    "logsumexp_inf": (lambda lib, x: x.logsumexp(0), [math.inf, 1.0]),
    "logsumexp_neg_inf": (lambda lib, x: x.logsumexp(0), [-math.inf, -math.inf]),
    "nansum": (lambda lib, x: x.nansum(), [3.0, math.nan, 3.0]),
    "nanmean": (lambda lib, x: x.nanmean(), [3.0, math.nan, 1.0]),
    "cumprod_single": (lambda lib, x: x.cumprod(1), [[0.0], [2.0]]),
    "sort_nan": (lambda lib, x: x.sort(descending=True).values, [math.nan, 1.0, 2.0]),
    "kthvalue_nan": (lambda lib, x: x.kthvalue(3).values, [math.nan, 1.0, 2.0]),
}


@pytest.mark.filterwarnings("ignore:.*degrees of freedom")
@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_gradient_conventions(name):
    fn, data = GRAD_CASES[name]
    check_against_torch(fn, np.array(data))


def test_svd_norms_are_differentiable_once():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4))
    for ord_ in ("nuc", 2, -2):
        check_against_torch(lambda lib, x: lib.linalg.matrix_norm(x, ord_), a)
    x = ndgrad.tensor(a, requires_grad=True)
    (g,) = ndgrad.autograd.grad(ndgrad.linalg.matrix_norm(x, "nuc"), x, create_graph=True)
    with pytest.raises(RuntimeError, match="differentiable once"):
        ndgrad.autograd.grad((g * g).sum(), x)
    # building the graph is fine when nothing differentiates through the singular values again
    y = ndgrad.tensor(a, requires_grad=True)
    (gy,) = ndgrad.autograd.grad((y * y).sum() + ndgrad.linalg.matrix_norm(y, 2), y, create_graph=True)
    tx = torch.tensor(a, requires_grad=True)
    (tg,) = torch.autograd.grad((tx * tx).sum() + torch.linalg.matrix_norm(tx, 2), tx)
    np.testing.assert_allclose(gy.detach().numpy(), tg.numpy(), rtol=1e-10)


def test_matrix_norms_batched_and_keepdim():
    a = np.random.default_rng(2).standard_normal((2, 3, 4))
    for ord_ in ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf):
        for dim in ((-2, -1), (2, 0), (0, 1)):
            check_against_torch(lambda lib, x: lib.linalg.matrix_norm(x, ord_, dim, keepdim=True), a)
            check_against_torch(lambda lib, x: lib.linalg.norm(x, ord_, dim), a)


def test_empty_matrix_norms():
    for shape in ((0, 3), (3, 0), (2, 0, 3)):
        for ord_ in ("fro", "nuc", 1, 2, math.inf):
            n, t = _both(lambda lib: lib.linalg.matrix_norm(lib.zeros(shape), ord_))
            compare_outputs(n, t)


# -- overloads, methods, in-place -------------------------------------------------------------------------------
def test_var_std_overloads():
    a = np.random.default_rng(4).standard_normal((3, 4))
    calls = [lambda lib, x: x.var(True), lambda lib, x: x.var(False), lambda lib, x: lib.var(x, 1, True),
             lambda lib, x: lib.var(x, 1, False, True), lambda lib, x: x.var(dim=[0, 1], correction=0),
             lambda lib, x: x.std(unbiased=False), lambda lib, x: lib.std(x, (0,), True, True),
             lambda lib, x: lib.std_mean(x, False), lambda lib, x: lib.var_mean(x, 1, True, True),
             lambda lib, x: x.var(1, correction=3), lambda lib, x: x.std(correction=0.5)]
    for fn in calls:
        check_against_torch(fn, a)


def test_max_min_forms():
    a = np.random.default_rng(5).standard_normal((3, 4))
    b = np.random.default_rng(6).standard_normal((3, 4))
    for fn in (lambda lib, x, y: lib.max(x, y), lambda lib, x, y: x.min(y), lambda lib, x, y: lib.max(x, 1, True),
               lambda lib, x, y: x.max(dim=0), lambda lib, x, y: lib.min(x, dim=-1, keepdim=False),
               lambda lib, x, y: x.max(0).values + y.min(0)[0]):
        check_against_torch(fn, a, b)


def test_reductions_are_tensor_methods():
    x = ndgrad.ones(2, 3)
    for name in ("sum", "mean", "nansum", "nanmean", "prod", "var", "std", "logsumexp", "norm", "cumsum",
                 "cumprod", "cumsum_", "cumprod_", "all", "any", "count_nonzero", "max", "min", "amax", "amin",
                 "argmax", "argmin", "median", "sort", "argsort", "topk", "kthvalue", "msort"):
        assert callable(getattr(x, name)), name
    for name in ("sum", "prod", "var_mean", "std_mean", "logsumexp", "norm", "cumsum", "all", "any", "max",
                 "amax", "argmax", "median", "sort", "topk", "kthvalue", "msort", "count_nonzero"):
        assert callable(getattr(ndgrad, name)), name
    assert callable(ndgrad.linalg.vector_norm) and callable(ndgrad.linalg.matrix_norm)


def test_inplace_scans():
    a = np.random.default_rng(7).uniform(0.5, 1.5, (3, 4))
    check_against_torch(lambda lib, x: (x * 1).cumsum_(1), a)
    check_against_torch(lambda lib, x: (x * 2).cumprod_(0), a)
    for dtype in ("int64", "int32"):
        n, t = _both(lambda lib: lib.tensor(np.array([[1, 2], [3, 4]], dtype=dtype)).cumsum_(0))
        compare_outputs(n, t)
    leaf = ndgrad.tensor(a, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable"):
        leaf.cumsum_(0)


def test_inplace_cumsum_through_view_keeps_base_graph():
    def fn(lib, x):
        y = x * 1
        y[0].cumsum_(0)
        return y
    if not hasattr(ndgrad.Tensor, "__getitem__"):
        pytest.skip("indexing is not available yet")
    check_against_torch(fn, np.random.default_rng(8).standard_normal((2, 3)))


def test_sort_is_stable_and_nan_aware():
    data = np.array([3.0, 1.0, math.nan, 3.0, 2.0, 3.0, math.nan, 1.0])
    for kwargs in ({}, {"descending": True}, {"stable": True}, {"stable": True, "descending": True}):
        n, t = _both(lambda lib: lib.tensor(data).sort(**kwargs))
        compare_outputs(n, t)
        assert n.indices.tolist() == t.indices.tolist()


def test_topk_values_against_sort_on_large_inputs():
    rng = np.random.default_rng(9)
    for shape, k, dim in (((4, 500), 7, 1), ((300, 3), 10, 0), ((2, 3, 64), 64, -1)):
        a = rng.standard_normal(shape)
        for largest in (True, False):
            check_against_torch(lambda lib, x: x.topk(k, dim, largest), a)


def test_degrees_of_freedom_warning():
    for lib in LIBS:
        with pytest.warns(UserWarning, match=r"var\(\): degrees of freedom is <= 0"):
            r = lib.tensor([1.0, 2.0]).var(correction=2)
        assert math.isinf(r.item())
        with pytest.warns(UserWarning, match=r"std_mean\(\): degrees of freedom is <= 0"):
            lib.std_mean(lib.tensor([1.0]))


@pytest.mark.filterwarnings("ignore:.*degrees of freedom")
def test_keepdim_argmax_without_dim_and_0d_inputs():
    for fn in (lambda lib, x: x.argmax(keepdim=True), lambda lib, x: x.argmin(0, keepdim=True),
               lambda lib, x: x.max(-1, keepdim=True), lambda lib, x: x.sort(0),
               lambda lib, x: x.topk(0), lambda lib, x: x.kthvalue(1, 0, True), lambda lib, x: x.all(0),
               lambda lib, x: x.count_nonzero(0), lambda lib, x: x.norm(dim=0), lambda lib, x: x.var(0)):
        n, t = _both(lambda lib: fn(lib, lib.tensor(2.5)))
        compare_outputs(n, t)
