"""Matrix products beyond the op database: matmul's rank rules and broadcasting, torch's error
messages, grad_fn names, einsum's forms and errors, double backward, NumPy operands. Every check
runs the same code through ndgrad and torch and compares."""
import numpy as np
import pytest
import torch

import ndgrad
from helpers import compare_outputs

LIBS = (ndgrad, torch)


def _error_of(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        return e
    return None


def check_error(fn, match_message=True):
    te, ne = _error_of(fn, torch), _error_of(fn, ndgrad)
    assert te is not None, "torch did not raise"
    assert ne is not None, f"ndgrad did not raise; torch raised {type(te).__name__}: {te}"
    assert type(ne) is type(te), f"ndgrad raised {type(ne).__name__}: {ne}; torch {type(te).__name__}: {te}"
    if match_message:
        assert str(ne).strip() == str(te).strip(), f"\nndgrad: {ne}\ntorch:  {te}"


def same(fn, rtol=1e-6, atol=1e-7):
    n, t = fn(ndgrad), fn(torch)
    compare_outputs(n, t, rtol=rtol, atol=atol)
    return n, t


def R(lib, *shape, dtype="float64", seed=0):
    data = np.random.default_rng(seed + len(shape)).standard_normal(shape)
    return lib.tensor(data, dtype=getattr(lib, dtype))


# -- matmul: ranks, broadcasting, grad_fn names ------------------------------------------------------------
RANKS = [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3,)), ((3,), (5, 3, 4)),
         ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (1, 3, 4)),
         ((1, 2, 3), (5, 3, 4)), ((6, 5, 2, 3), (5, 3, 4)), ((6, 1, 2, 3), (5, 3, 4)), ((5, 2, 3), (6, 1, 3, 4)),
         ((2, 3, 0), (0, 4)), ((0, 3), (3,)), ((3, 0), (0,))]
# torch computes these two by transposing the problem; its top node is then CloneBackward0, ndgrad's
# UnsafeViewBackward0 (the gradients are the same)
CLONE_IN_TORCH = {((2, 3), (5, 3, 4)), ((1, 2, 3), (5, 3, 4))}


@pytest.mark.parametrize("sa,sb", RANKS, ids=[f"{a}@{b}" for a, b in RANKS])
def test_matmul_ranks_values_grads_and_names(sa, sb):
    def fn(L):
        a, b = R(L, *sa), R(L, *sb, seed=1)
        a.requires_grad_(True)
        b.requires_grad_(True)
        out = a @ b
        cot = L.tensor(np.random.default_rng(2).standard_normal(tuple(out.shape)))
        ga, gb = L.autograd.grad(out, (a, b), cot)
        return out.grad_fn.name(), out, ga, gb
    n, t = fn(ndgrad), fn(torch)
    if (sa, sb) not in CLONE_IN_TORCH:
        assert n[0] == t[0]
    compare_outputs(n[1:], t[1:], rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("sa,sb", RANKS[:14], ids=[f"{a}@{b}" for a, b in RANKS[:14]])
def test_matmul_double_backward(sa, sb):
    def fn(L):
        a, b = R(L, *sa), R(L, *sb, seed=1)
        a.requires_grad_(True)
        b.requires_grad_(True)
        out = a @ b
        w = L.tensor(np.random.default_rng(2).standard_normal(tuple(out.shape)))
        ga, gb = L.autograd.grad((out * out * w).sum(), (a, b), create_graph=True)
        gga, ggb = L.autograd.grad((ga * ga).sum() + (gb * gb).sum(), (a, b))
        return ga, gb, gga, ggb
    same(fn, rtol=1e-9, atol=1e-10)


def test_matmul_non_contiguous_operands():
    def fn(L):
        a = R(L, 4, 3).requires_grad_(True).t()
        b = R(L, 5, 4, seed=3).t()
        c = R(L, 2, 4, 3, seed=4).transpose(-1, -2)
        out = (a @ b @ b.t(), c @ a.t(), c.transpose(-1, -2) @ c, a.t() @ a)
        return out + L.autograd.grad(sum(o.sum() for o in out), a)
    same(fn, rtol=1e-10, atol=1e-12)


def test_matmul_float32_stays_float32():
    def fn(L):
        a = R(L, 5, 2, 3, dtype="float32").requires_grad_(True)
        b = R(L, 3, 4, dtype="float32", seed=1).requires_grad_(True)
        v = R(L, 3, dtype="float32", seed=2).requires_grad_(True)
        out = (a @ b).sum() + (a @ v).sum() + (v @ b).sum() + (v @ v)
        grads = L.autograd.grad(out, (a, b, v))
        assert all(g.dtype == L.float32 for g in grads)
        return (out,) + grads
    same(fn, rtol=1e-5, atol=1e-5)


def test_matmul_integer_tensors():
    same(lambda L: (L.tensor([[1, 2], [3, 4]]) @ L.tensor([[5], [6]]), L.tensor([1, 2]) @ L.tensor([3, 4]),
                    L.tensor([[1, 2]], dtype=L.int32) @ L.tensor([[3], [4]], dtype=L.int32)))


def test_numpy_operands():
    def fn(L):
        t = L.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=L.float64)
        return t @ np.array([[0.5, -1.0], [2.0, 1.0]])
    same(fn)
    # torch raises TypeError for ndarray @ tensor; ndgrad computes it
    t = ndgrad.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ndgrad.float64)
    arr = np.array([[0.5, -1.0], [2.0, 1.0]])
    np.testing.assert_allclose((arr @ t).numpy(), arr @ t.numpy())


def test_matmul_out_argument():
    def fn(L):
        out = L.empty(0, dtype=L.float64)
        r = L.matmul(R(L, 2, 3), R(L, 3, 2, seed=1), out=out)
        assert r is out
        return out
    same(fn)


MATMUL_ERRORS = [
    ("0d", lambda L: L.tensor(2.0) @ L.ones(3)),
    ("0d right", lambda L: L.ones(3) @ L.tensor(2.0)),
    ("mm shapes", lambda L: L.ones(2, 3) @ L.ones(4, 5)),
    ("dot sizes", lambda L: L.ones(3) @ L.ones(4)),
    ("mv sizes", lambda L: L.ones(2, 3) @ L.ones(4)),
    ("vm sizes", lambda L: L.ones(3) @ L.ones(4, 5)),
    ("bmm k", lambda L: L.ones(5, 2, 3) @ L.ones(5, 4, 5)),
    ("batch broadcast", lambda L: L.ones(5, 2, 3) @ L.ones(4, 3, 5)),
    ("batched mv", lambda L: L.ones(5, 2, 3) @ L.ones(4)),
    ("vector batched", lambda L: L.ones(4) @ L.ones(5, 2, 3)),
    ("batched mm fold", lambda L: L.ones(5, 2, 3) @ L.ones(4, 5)),
    ("matrix batched", lambda L: L.ones(2, 3) @ L.ones(5, 4, 5)),
    ("broadcast batch k", lambda L: L.ones(6, 1, 2, 3) @ L.ones(5, 4, 5)),
    ("dtype mm", lambda L: L.ones(2, 3) @ L.ones(3, 4, dtype=L.float64)),
    ("dtype mm long", lambda L: L.ones(2, 3) @ L.ones(3, 4, dtype=L.int64)),
    ("dtype dot", lambda L: L.ones(3) @ L.ones(3, dtype=L.float64)),
    ("dtype mv", lambda L: L.ones(2, 3) @ L.ones(3, dtype=L.float64)),
    ("dtype batched", lambda L: L.ones(5, 2, 3) @ L.ones(5, 3, 2, dtype=L.float64)),
    ("dtype batched mv", lambda L: L.ones(5, 2, 3) @ L.ones(3, dtype=L.float64)),
    ("dtype batched mm", lambda L: L.ones(5, 2, 3) @ L.ones(3, 2, dtype=L.float64)),
    ("bool dot", lambda L: L.ones(3, dtype=L.bool) @ L.ones(3, dtype=L.bool)),
    ("bool mv", lambda L: L.ones(2, 3, dtype=L.bool) @ L.ones(3, dtype=L.bool)),
    ("bool mm", lambda L: L.ones(2, 3, dtype=L.bool) @ L.ones(3, 2, dtype=L.bool)),
    ("bool bmm", lambda L: L.ones(5, 2, 3, dtype=L.bool) @ L.ones(5, 3, 2, dtype=L.bool)),
    ("mm vector", lambda L: L.mm(L.ones(3), L.ones(3, 2))),
    ("mm mat2 vector", lambda L: L.mm(L.ones(2, 3), L.ones(3))),
    ("mm shapes fn", lambda L: L.mm(L.ones(2, 3), L.ones(4, 2))),
    ("bmm 2d", lambda L: L.bmm(L.ones(3, 4), L.ones(2, 4, 5))),
    ("bmm 2d second", lambda L: L.bmm(L.ones(2, 3, 4), L.ones(4, 5))),
    ("bmm batch", lambda L: L.bmm(L.ones(2, 3, 4), L.ones(3, 4, 5))),
    ("bmm dtype", lambda L: L.bmm(L.ones(2, 3, 4), L.ones(2, 4, 5, dtype=L.int64))),
    ("mv vec 2d", lambda L: L.mv(L.ones(2, 3), L.ones(3, 1))),
    ("mv sizes fn", lambda L: L.mv(L.ones(2, 3), L.ones(4))),
    ("dot 2d", lambda L: L.dot(L.ones(3, 1), L.ones(3))),
    ("dot sizes fn", lambda L: L.dot(L.ones(3), L.ones(4))),
    ("vdot sizes", lambda L: L.vdot(L.ones(3), L.ones(4))),
    ("outer 2d", lambda L: L.outer(L.ones(3), L.ones(4, 1))),
    ("inner last dims", lambda L: L.inner(L.ones(2, 3), L.ones(4, 2))),
    ("addmm shapes", lambda L: L.addmm(L.ones(2, 3), L.ones(2, 3), L.ones(4, 3))),
    ("addmm input", lambda L: L.addmm(L.ones(5, 3), L.ones(2, 3), L.ones(3, 3))),
    ("addmm input dtype", lambda L: L.addmm(L.ones(2, 3), L.ones(2, 3), L.ones(3, 3, dtype=L.float64))),
    ("addmm 3d", lambda L: L.addmm(L.ones(3), L.ones(2, 3, 1), L.ones(3, 3))),
    ("addmv sizes", lambda L: L.addmv(L.ones(2), L.ones(2, 3), L.ones(4))),
    ("baddbmm input", lambda L: L.baddbmm(L.ones(1, 3, 4), L.ones(1, 3, 4), L.ones(1, 4, 3))),
    ("tensordot sizes", lambda L: L.tensordot(L.ones(2, 3, 4), L.ones(3, 4, 5), dims=1)),
]


@pytest.mark.parametrize("fn", [e[1] for e in MATMUL_ERRORS], ids=[e[0] for e in MATMUL_ERRORS])
def test_matmul_errors_match_torch(fn):
    check_error(fn)


def test_matmul_operand_types():
    for lib in LIBS:
        with pytest.raises(TypeError):
            lib.ones(2, 2) @ [[1.0, 2.0], [3.0, 4.0]]
        with pytest.raises(TypeError):
            lib.mm(lib.ones(2, 2), 3)


# -- products with an added term ---------------------------------------------------------------------------
def test_addmm_beta_zero_ignores_nan_input():
    same(lambda L: L.addmm(L.tensor([[float("nan")] * 2] * 2), L.ones(2, 3), L.ones(3, 2), beta=0))


def test_addmm_names_and_grads():
    def fn(L):
        b = R(L, 4).requires_grad_(True)
        x = R(L, 2, 3, seed=1).requires_grad_(True)
        w = R(L, 3, 4, seed=2).requires_grad_(True)
        outs = [L.addmm(b, x, w), L.addmm(b, x, w, beta=0.5, alpha=2.0), L.addmm(b, x.t().t(), w.t().t())]
        names = [o.grad_fn.name() for o in outs]
        return names, L.autograd.grad(sum(o.sum() for o in outs), (b, x, w))
    n, t = fn(ndgrad), fn(torch)
    assert n[0] == t[0]
    compare_outputs(n[1], t[1])


def test_inplace_addmm_family():
    def fn(L):
        m = R(L, 2, 4)
        m.addmm_(R(L, 2, 3, seed=1), R(L, 3, 4, seed=2), beta=0.5)
        v = R(L, 2)
        v.addmv_(R(L, 2, 3, seed=3), R(L, 3, seed=4))
        b = R(L, 2, 3, 4)
        b.baddbmm_(R(L, 2, 3, 5, seed=5), R(L, 2, 5, 4, seed=6), alpha=-1)
        s = R(L, 3, 4)
        s.addbmm_(R(L, 2, 3, 5, seed=5), R(L, 2, 5, 4, seed=6))
        return m, v, b, s
    same(fn)


# -- einsum ----------------------------------------------------------------------------------------------------
EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij->ji", [(2, 3)]), ("ij->", [(2, 3)]), ("ii->i", [(3, 3)]), ("ii", [(3, 3)]),
    ("i,j->ij", [(3,), (4,)]), ("...ij,...jk->...ik", [(5, 2, 3), (3, 4)]), ("bij,bjk", [(2, 2, 3), (2, 3, 4)]),
    ("ij,kj", [(2, 3), (4, 3)]), ("Ab,ba", [(2, 3), (3, 2)]), ("ba,Ab", [(3, 2), (2, 3)]), ("ij,ij->ij", [(2, 1), (2, 4)]),
    ("iij->j", [(3, 3, 2)]), ("iji->j", [(3, 2, 3)]), ("i...->...", [(2, 3, 4)]), ("...i,...i->...", [(2, 3, 4), (3, 4)]),
    ("...", [(2, 3)]), ("i...i", [(3, 2, 3)]), ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    ("ijk,ikl->ijl", [(4, 3, 5), (4, 5, 2)]), ("abc,cd->abd", [(8, 10, 12), (12, 6)]), ("->", [()]), ("", [()]),
    ("i,->i", [(3,), ()]), ("ij->j", [(2, 3)]), ("ijk->", [(2, 3, 4)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM, ids=[e[0] or "empty" for e in EINSUM])
def test_einsum_values_and_double_backward(eq, shapes):
    def fn(L):
        ops = [R(L, *s, seed=k).requires_grad_(True) for k, s in enumerate(shapes)]
        out = L.einsum(eq, *ops)
        w = L.tensor(np.random.default_rng(9).standard_normal(tuple(out.shape)))
        grads = L.autograd.grad((out * out * w).sum(), ops, create_graph=True)
        gg = L.autograd.grad(sum((g * g).sum() for g in grads), ops, allow_unused=True)
        gg = [L.zeros_like(o) if g is None else g for g, o in zip(gg, ops)]
        return (out,) + tuple(grads) + tuple(gg)
    same(fn, rtol=1e-9, atol=1e-10)


def test_einsum_call_forms():
    def fn(L):
        a, b = R(L, 2, 3), R(L, 3, 4, seed=1)
        return (L.einsum("ij,jk->ik", a, b), L.einsum("ij,jk->ik", [a, b]), L.einsum("ij,jk->ik", (a, b)),
                L.einsum(a, [0, 1], b, [1, 2], [0, 2]), L.einsum(a, [0, 1], b, [1, 2]),
                L.einsum(R(L, 5, 2, 3), [..., 0, 1], b, [1, 2], [..., 2]), L.einsum("i j , j k -> i k", a, b))
    same(fn)


EINSUM_ERRORS = [
    ("fewer operands", lambda L: L.einsum("ij,jk->ik", L.ones(2, 3))),
    ("more operands", lambda L: L.einsum("ij", L.ones(2, 3), L.ones(3))),
    ("too many subscripts", lambda L: L.einsum("ijk", L.ones(2, 3))),
    ("too many with ellipsis", lambda L: L.einsum("...ijk", L.ones(2, 3))),
    ("invalid subscript", lambda L: L.einsum("i1", L.ones(2, 3))),
    ("repeated output", lambda L: L.einsum("ij->ii", L.ones(2, 3))),
    ("dot in output", lambda L: L.einsum("ij->i.", L.ones(2, 3))),
    ("unknown output", lambda L: L.einsum("ij->k", L.ones(2, 3))),
    ("size mismatch", lambda L: L.einsum("ij,jk->ik", L.ones(2, 3), L.ones(4, 5))),
    ("repeated size mismatch", lambda L: L.einsum("ii->i", L.ones(2, 3))),
    ("ellipsis broadcast", lambda L: L.einsum("...i,...i", L.ones(2, 3, 4), L.ones(5, 3, 4))),
    ("dtype mismatch", lambda L: L.einsum("i,i", L.ones(2), L.ones(2, dtype=L.float64))),
    ("bool", lambda L: L.einsum("ij,jk->ik", L.ones(2, 3, dtype=L.bool), L.ones(3, 4, dtype=L.bool))),
    ("0-d with subscript", lambda L: L.einsum("i->", L.tensor(3.0))),
    ("no arguments", lambda L: L.einsum()),
]


@pytest.mark.parametrize("fn", [e[1] for e in EINSUM_ERRORS], ids=[e[0] for e in EINSUM_ERRORS])
def test_einsum_errors_match_torch(fn):
    check_error(fn)


def test_einsum_integer_operands():
    same(lambda L: L.einsum("ij,jk->ik", L.tensor([[1, 2], [3, 4]]), L.tensor([[1], [-1]])))


# -- tensordot, kron, inner, outer -------------------------------------------------------------------------------
def test_tensordot_kron_inner_outer_grads():
    def fn(L):
        a = R(L, 2, 3, 4).requires_grad_(True)
        b = R(L, 4, 3, 5, seed=1).requires_grad_(True)
        v = R(L, 3, seed=2).requires_grad_(True)
        m = R(L, 2, 3, seed=3).requires_grad_(True)
        outs = [L.tensordot(a, b, dims=([1, 2], [1, 0])), L.tensordot(a, b, dims=1), L.tensordot(v, v, dims=0),
                L.kron(m, v), L.kron(v, m), L.inner(m, m), L.inner(v, m), L.outer(v, m[0]), L.ger(v, v),
                L.vdot(v, v), L.dot(v, v), L.mv(m, v)]
        grads = L.autograd.grad(sum((o * o).sum() for o in outs), (a, b, v, m))
        return tuple(outs) + grads
    same(fn, rtol=1e-10, atol=1e-12)


def test_tensordot_dims_forms():
    same(lambda L: (L.tensordot(R(L, 2, 3), R(L, 3, 2, seed=1), dims=([1], [0])),
                    L.tensordot(R(L, 2, 3), R(L, 3, 2, seed=1), dims=[[0, 1], [1, 0]]),
                    L.tensordot(R(L, 2, 3), R(L, 2, 3, seed=1), dims=([-1, -2], [-1, -2]))))
