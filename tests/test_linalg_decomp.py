"""torch.linalg decompositions/solvers: errors (types and messages), named tuples, batches, complex."""
import warnings

import numpy as np
import pytest
import torch

import ndgrad
from helpers import check_against_torch, compare_outputs

SING = [[1., 2.], [2., 4.]]
SING3 = np.zeros((2, 3, 3))
SING3[1] = np.eye(3)
SING3[0, 0, 0] = 1

ERRORS = {
    "inv_singular": lambda lib: lib.linalg.inv(lib.tensor(SING, dtype=lib.float64)),
    "inv_singular_batch": lambda lib: lib.linalg.inv(lib.tensor(SING3)),
    "inv_nonsquare": lambda lib: lib.linalg.inv(lib.ones(2, 3)),
    "inv_1d": lambda lib: lib.linalg.inv(lib.ones(3)),
    "inv_int": lambda lib: lib.linalg.inv(lib.eye(2, dtype=lib.int64)),
    "solve_singular": lambda lib: lib.linalg.solve(lib.tensor(SING, dtype=lib.float64), lib.ones(2, dtype=lib.float64)),
    "solve_singular_batch": lambda lib: lib.linalg.solve(lib.tensor(SING3), lib.ones(2, 3, 1, dtype=lib.float64)),
    "solve_dtype": lambda lib: lib.linalg.solve(lib.eye(2, dtype=lib.float64), lib.ones(2)),
    "solve_shape": lambda lib: lib.linalg.solve(lib.eye(2), lib.ones(3)),
    "det_nonsquare": lambda lib: lib.linalg.det(lib.ones(2, 3)),
    "cholesky_not_pd": lambda lib: lib.linalg.cholesky(lib.tensor(SING, dtype=lib.float64)),
    "cholesky_not_pd_batch": lambda lib: lib.linalg.cholesky(-lib.eye(3).expand(2, 3, 3)),
    "cross_len": lambda lib: lib.linalg.cross(lib.ones(2), lib.ones(2)),
    "cross_no_3": lambda lib: lib.cross(lib.ones(2, 2), lib.ones(2, 2)),
    "qr_mode": lambda lib: lib.linalg.qr(lib.ones(2, 3), mode="x"),
    "matrix_power_nonsquare": lambda lib: lib.linalg.matrix_power(lib.ones(2, 3), 2),
    "matrix_power_singular": lambda lib: lib.linalg.matrix_power(lib.tensor(SING), -1),
    "lu_factor_singular": lambda lib: lib.linalg.lu_factor(lib.tensor(SING3)),
    "multi_dot_one": lambda lib: lib.linalg.multi_dot([lib.ones(3)]),
    "eigh_nonsquare": lambda lib: lib.linalg.eigh(lib.ones(2, 3)),
}


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_match_torch(name):
    fn = ERRORS[name]
    with pytest.raises(Exception) as te:
        fn(torch)
    with pytest.raises(Exception) as ne:
        fn(ndgrad)
    assert str(ne.value) == str(te.value)
    assert isinstance(ne.value, RuntimeError)
    if isinstance(te.value, torch.linalg.LinAlgError):
        assert isinstance(ne.value, ndgrad.linalg.LinAlgError)


def test_linalg_error_is_runtime_error():
    assert issubclass(ndgrad.linalg.LinAlgError, RuntimeError)


def test_ex_variants_report_info():
    for lib in (torch, ndgrad):
        a = lib.tensor(SING, dtype=lib.float64)
        assert int(lib.linalg.inv_ex(a).info) == 2
        assert int(lib.linalg.solve_ex(a, lib.ones(2, dtype=lib.float64)).info) == 2
        r = lib.linalg.cholesky_ex(a)
        assert int(r.info) == 2 and str(r.info.dtype) == "torch.int32"
    compare_outputs(ndgrad.linalg.cholesky_ex(ndgrad.tensor(SING)).L, torch.linalg.cholesky_ex(torch.tensor(SING)).L)


@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("call,fields", [
    (lambda lib, a: lib.linalg.slogdet(a), ("sign", "logabsdet")),
    (lambda lib, a: lib.slogdet(a), ("sign", "logabsdet")),
    (lambda lib, a: lib.linalg.qr(a), ("Q", "R")),
    (lambda lib, a: lib.qr(a), ("Q", "R")),
    (lambda lib, a: lib.linalg.eigh(a), ("eigenvalues", "eigenvectors")),
    (lambda lib, a: lib.linalg.eig(a), ("eigenvalues", "eigenvectors")),
    (lambda lib, a: lib.linalg.svd(a), ("U", "S", "Vh")),
    (lambda lib, a: lib.svd(a), ("U", "S", "V")),
    (lambda lib, a: lib.linalg.lstsq(a, a), ("solution", "residuals", "rank", "singular_values")),
    (lambda lib, a: lib.linalg.inv_ex(a), ("inverse", "info")),
    (lambda lib, a: lib.linalg.solve_ex(a, a), ("result", "info")),
    (lambda lib, a: lib.linalg.cholesky_ex(a), ("L", "info")),
    (lambda lib, a: lib.linalg.lu_factor(a), ("LU", "pivots")),
    (lambda lib, a: lib.linalg.lu(a), ("P", "L", "U")),
    (lambda lib, a: lib.lu_unpack(*lib.linalg.lu_factor(a)), ("P", "L", "U")),
    (lambda lib, a: lib.triangular_solve(a, a.triu()), ("solution", "cloned_coefficient")),
])
def test_named_tuples(call, fields):
    a = np.array([[4., 1., 0.], [1., 3., 1.], [0., 1., 2.]])
    t = call(torch, torch.tensor(a))
    n = call(ndgrad, ndgrad.tensor(a))
    assert type(n).__name__ == type(t).__name__
    assert n._fields == tuple(fields) and tuple(type(t)._fields if hasattr(type(t), "_fields") else fields) == fields
    assert repr(n).startswith(f"torch.return_types.{type(t).__name__}(")
    compare_outputs(n, t, rtol=1e-10, atol=1e-12)


def test_batched_shapes():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 3, 4, 4)) + 4 * np.eye(4)
    b = rng.standard_normal((3, 4, 2))
    check_against_torch(lambda lib, x, y: lib.linalg.solve(x, y), a, b)
    check_against_torch(lambda lib, x: lib.linalg.det(x), a)
    check_against_torch(lambda lib, x: lib.linalg.inv(x), a)
    check_against_torch(lambda lib, x: lib.linalg.svdvals(x), a)
    check_against_torch(lambda lib, x: lib.linalg.matrix_exp(x), a * 0.3)
    for lib in (ndgrad,):
        assert tuple(lib.linalg.lstsq(lib.tensor(a), lib.tensor(a)).rank.shape) == (2, 3)
    assert tuple(ndgrad.linalg.lu_factor(ndgrad.tensor(a)).pivots.shape) == (2, 3, 4)


def test_complex_forward():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3)) + 4 * np.eye(3)
    h = a + a.conj().T
    for fn in (lambda lib, x: lib.linalg.det(x), lambda lib, x: lib.linalg.inv(x),
               lambda lib, x: lib.linalg.slogdet(x), lambda lib, x: lib.linalg.qr(x),
               lambda lib, x: lib.linalg.svdvals(x), lambda lib, x: lib.linalg.matrix_exp(x),
               lambda lib, x: lib.linalg.pinv(x), lambda lib, x: lib.linalg.lu_factor(x)):
        compare_outputs(fn(ndgrad, ndgrad.tensor(a)), fn(torch, torch.tensor(a)), rtol=1e-10, atol=1e-12)
    compare_outputs(ndgrad.linalg.eigvalsh(ndgrad.tensor(h)), torch.linalg.eigvalsh(torch.tensor(h)), rtol=1e-10)
    compare_outputs(ndgrad.linalg.cholesky(ndgrad.tensor(h @ h.conj().T)),
                    torch.linalg.cholesky(torch.tensor(h @ h.conj().T)), rtol=1e-10)
    w = ndgrad.linalg.eigvals(ndgrad.tensor(np.array([[0., -1.], [1., 0.]], dtype=np.float32)))
    assert str(w.dtype) == "torch.complex64"


def _complex_grads(fn, *arrays):
    res = []
    for lib in (torch, ndgrad):
        xs = [lib.tensor(a, requires_grad=True) for a in arrays]
        out = fn(lib, *xs)
        w = lib.tensor(np.linspace(0.5, 1.5, out.numel()).reshape(tuple(out.shape)))
        loss = ((out + 1) * w).abs().sum() if out.is_complex() else (out * w).sum()
        gs = lib.autograd.grad(loss, xs, allow_unused=True)
        res.append([np.zeros(a.shape) if g is None else g.detach().numpy() for g, a in zip(gs, arrays)])
    for n, t in zip(res[1], res[0]):
        np.testing.assert_allclose(n, t, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("name,fn", [
    ("inv", lambda lib, x, y: lib.linalg.inv(x)), ("det", lambda lib, x, y: lib.linalg.det(x)),
    ("solve", lambda lib, x, y: lib.linalg.solve(x, y)), ("svdvals", lambda lib, x, y: lib.linalg.svdvals(x)),
    ("matrix_exp", lambda lib, x, y: lib.linalg.matrix_exp(0.3 * x)),
    ("slogdet", lambda lib, x, y: lib.linalg.slogdet(x).logabsdet),
    ("cholesky", lambda lib, x, y: lib.linalg.cholesky(x)),
    ("eigh", lambda lib, x, y: lib.linalg.eigvalsh(x)),
    ("eigh_vectors", lambda lib, x, y: lib.linalg.eigh(x).eigenvectors.abs()),
    ("qr", lambda lib, x, y: lib.linalg.qr(x).R), ("pinv", lambda lib, x, y: lib.linalg.pinv(x)),
])
def test_complex_gradients(name, fn):
    rng = np.random.default_rng(2)
    a = rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3)) + 4 * np.eye(3)
    b = rng.standard_normal((3, 2)) + 1j * rng.standard_normal((3, 2))
    if name.startswith(("cholesky", "eigh")):   # Hermitian (positive definite) input, built in NumPy
        a = a @ a.conj().T + np.eye(3)
    _complex_grads(fn, a, b)


def test_eig_gradient_complex_input():
    rng = np.random.default_rng(5)
    a = rng.standard_normal((3, 3)) + 1j * rng.standard_normal((3, 3))
    _complex_grads(lambda lib, x: lib.linalg.eigvals(x), a)
    _complex_grads(lambda lib, x: lib.linalg.eig(x).eigenvectors.abs(), a)


def test_qr_grad_errors_like_torch():
    for lib in (torch, ndgrad):
        x = lib.tensor(np.ones((3, 2)) + np.eye(3, 2), requires_grad=True)
        with pytest.raises(RuntimeError, match="mode='r'"):
            lib.linalg.qr(x, mode="r")[1].sum().backward()
        with pytest.raises(RuntimeError, match="mode='complete' and nrows > ncols"):
            lib.linalg.qr(x, mode="complete")[0].sum().backward()


def test_svd_compute_uv_false_and_cross_default_dim():
    a = np.random.default_rng(3).standard_normal((4, 3))
    compare_outputs(ndgrad.svd(ndgrad.tensor(a), compute_uv=False), torch.svd(torch.tensor(a), compute_uv=False))
    x = np.random.default_rng(4).standard_normal((2, 3, 3))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare_outputs(ndgrad.cross(ndgrad.tensor(x), ndgrad.tensor(x[::-1].copy())),
                        torch.cross(torch.tensor(x), torch.tensor(x[::-1].copy())))
