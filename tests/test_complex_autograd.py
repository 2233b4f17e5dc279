"""Gradients of complex-valued ops follow torch's convention: for a holomorphic f the backward
computes grad_in = grad_out * conj(f'(z)); real inputs of complex results get the real part.

Every case runs the same code through ndgrad and torch and compares the gradients of a real loss
(first order, and for a subset second order with ``create_graph=True``). Real-input versions of the
same ops check that nothing changed for real dtypes.
"""
import warnings

import numpy as np
import pytest
import torch

import ndgrad

_rng = np.random.default_rng(0)


def C(*s):
    return _rng.standard_normal(s) + 1j * _rng.standard_normal(s)


def R(*s):
    return _rng.standard_normal(s)


A, B, W = C(2, 2), C(2, 2), C(2, 2)
POS = np.abs(R(2, 2)) + 0.5

# (name, fn(lib, *tensors), input arrays)
CASES = [
    ("mul", lambda L, a, b: a * b, [A, B]),
    ("mul_scalar", lambda L, a: a * (1 + 2j), [A]),
    ("rmul_scalar", lambda L, a: (1 - 2j) * a, [A]),
    ("mul_real_complex", lambda L, a, b: a * b, [R(2, 2), B]),
    ("mul_real_complex_scalar", lambda L, a: a * (0.5 + 1j), [R(2, 2)]),
    ("mul_inplace", lambda L, a, b: (a * 1).mul_(b), [A, B]),
    ("add_alpha", lambda L, a, b: L.add(a, b, alpha=1 + 1j), [A, B]),
    ("sub_alpha", lambda L, a, b: L.sub(a, b, alpha=2 - 1j), [A, B]),
    ("rsub_alpha", lambda L, a, b: L.rsub(a, b, alpha=2 - 1j), [A, B]),
    ("rsub_scalar", lambda L, a: (1 + 1j) - a, [A]),
    ("div", lambda L, a, b: a / b, [A, B]),
    ("div_scalar", lambda L, a: a / (1 + 2j), [A]),
    ("rdiv_scalar", lambda L, a: (1 + 2j) / a, [A]),
    ("div_real_complex", lambda L, a, b: a / b, [R(2, 2), B]),
    ("div_complex_real", lambda L, a, b: a / b, [A, R(2, 2) + 3]),
    ("div_inplace", lambda L, a, b: (a * 1).div_(b), [A, B]),
    ("pow_int", lambda L, a: a ** 3, [A]),
    ("pow_float", lambda L, a: a ** 2.5, [A]),
    ("pow_complex", lambda L, a: a ** (1.5 + 0.5j), [A]),
    ("pow_neg", lambda L, a: a ** -2, [A]),
    ("pow_real_complex_exp", lambda L, a: a ** (1 + 1j), [POS]),
    ("pow_tensor", lambda L, a, b: a ** b, [A, B]),
    ("pow_tensor_mixed", lambda L, a, b: a ** b, [POS, B]),
    ("rpow_complex_base", lambda L, b: (2 + 1j) ** b, [B]),
    ("rpow_real_base", lambda L, b: 2.0 ** b, [B]),
    ("rpow_negative_base", lambda L, b: (-2.0) ** b, [B]),
    ("square", lambda L, a: L.square(a), [A]),
    ("reciprocal", lambda L, a: L.reciprocal(a), [A]),
    ("sgn", lambda L, a: L.sgn(a), [A]),
    ("angle", lambda L, a: L.angle(a), [A]),
    ("abs", lambda L, a: L.abs(a), [A]),
    ("real_imag", lambda L, a: a.real * a.imag + a.abs(), [A]),
    ("view_as_real", lambda L, a: L.view_as_real(a * a), [A]),
    ("view_as_complex", lambda L, a: L.view_as_complex(a) * (1 + 2j), [R(2, 2, 2)]),
    ("complex", lambda L, a, b: L.complex(a, b) * (1 + 2j), [R(2, 2), R(2, 2)]),
    ("polar", lambda L, a, b: L.polar(a, b) * (1 + 2j), [POS, R(2, 2)]),
    ("to_complex", lambda L, a, b: a.to(L.complex128) * b, [R(2, 2), B]),
    ("complex64", lambda L, a, b: (a.to(L.complex64) * b.to(L.complex64)).exp(), [A, B]),
    ("sum", lambda L, a: (a * a).sum(0), [A]),
    ("mean", lambda L, a: (a * a).mean(), [A]),
    ("prod", lambda L, a: a.prod(), [A]),
    ("prod_dim", lambda L, a: a.prod(1), [C(2, 3)]),
    ("prod_zeros", lambda L, a: a.prod(), [np.array([1 + 1j, 0, 2 - 1j, 0.5j])]),
    ("prod_dim_zero", lambda L, a: a.prod(1), [np.array([[1 + 1j, 0, 2 - 1j], [0.5j, 1, 2]])]),
    ("cumsum", lambda L, a: (a * a).cumsum(1), [C(2, 3)]),
    ("cumprod", lambda L, a: a.cumprod(1), [C(2, 3)]),
    ("cumprod_zero", lambda L, a: a.cumprod(0), [np.array([1 + 1j, 0, 2 - 1j, 0.5j])]),
    ("logsumexp", lambda L, a: L.logsumexp(a, 1), [C(2, 3)]),
    ("var", lambda L, a: a.var(1), [C(2, 3)]),
    ("std", lambda L, a: a.std(), [C(2, 3)]),
    ("vector_norm", lambda L, a: L.linalg.vector_norm(a, 3), [C(2, 3)]),
    ("trace", lambda L, a: (a * a).trace(), [C(3, 3)]),
    ("matmul", lambda L, a, b: a @ b, [C(2, 3), C(3, 2)]),
    ("matmul_transposed", lambda L, a, b: a.T @ b.mT, [C(3, 2), C(2, 3)]),
    ("matmul_3d_2d", lambda L, a, b: a @ b, [C(2, 2, 3), C(3, 2)]),
    ("matmul_3d_1d", lambda L, a, b: a @ b, [C(2, 2, 3), C(3)]),
    ("matmul_1d_3d", lambda L, a, b: a @ b, [C(3), C(2, 3, 2)]),
    ("matmul_1d_2d", lambda L, a, b: a @ b, [C(3), C(3, 2)]),
    ("mm", lambda L, a, b: L.mm(a, b), [C(2, 3), C(3, 2)]),
    ("bmm", lambda L, a, b: L.bmm(a, b), [C(2, 2, 3), C(2, 3, 2)]),
    ("mv", lambda L, a, b: L.mv(a, b), [C(2, 3), C(3)]),
    ("dot", lambda L, a, b: L.dot(a, b), [C(3), C(3)]),
    ("vdot", lambda L, a, b: L.vdot(a, b), [C(3), C(3)]),
    ("inner", lambda L, a, b: L.inner(a, b), [C(2, 3), C(4, 3)]),
    ("outer", lambda L, a, b: L.outer(a, b), [C(2), C(3)]),
    ("einsum", lambda L, a, b: L.einsum("ij,jk->ik", a, b), [C(2, 3), C(3, 2)]),
    ("einsum3", lambda L, a, b, c: L.einsum("ij,jk,k->i", a, b, c), [C(2, 3), C(3, 2), C(2)]),
    ("einsum_diagonal", lambda L, a, b: L.einsum("ii,ij->j", a, b), [C(3, 3), C(3, 2)]),
    ("tensordot", lambda L, a, b: L.tensordot(a, b, dims=1), [C(2, 3), C(3, 2)]),
    ("kron", lambda L, a, b: L.kron(a, b), [C(2, 2), C(2, 3)]),
    ("addmm", lambda L, c, a, b: L.addmm(c, a, b, beta=1 + 1j, alpha=2 - 1j), [C(2, 2), C(2, 3), C(3, 2)]),
    ("addmv", lambda L, c, a, b: L.addmv(c, a, b, beta=1 + 1j, alpha=2 - 1j), [C(2), C(2, 3), C(3)]),
    ("addbmm", lambda L, c, a, b: L.addbmm(c, a, b, beta=1 + 1j, alpha=2 - 1j),
     [C(2, 2), C(2, 2, 3), C(2, 3, 2)]),
    ("baddbmm", lambda L, c, a, b: L.baddbmm(c, a, b, beta=1 + 1j, alpha=2 - 1j),
     [C(2, 2, 2), C(2, 2, 3), C(2, 3, 2)]),
    ("addr", lambda L, c, a, b: L.addr(c, a, b, beta=1 + 1j, alpha=2 - 1j), [C(2, 3), C(2), C(3)]),
    ("multi_dot", lambda L, a, b, c: L.linalg.multi_dot([a, b, c]), [C(2, 3), C(3, 4), C(4, 2)]),
    ("matrix_power", lambda L, a: L.linalg.matrix_power(a, 3), [C(3, 3)]),
    ("linear", lambda L, x, w, b: L.nn.functional.linear(x, w, b), [C(4, 3), C(2, 3), C(2)]),
    ("linear_nobias_3d", lambda L, x, w: L.nn.functional.linear(x, w), [C(2, 4, 3), C(2, 3)]),
    ("linear_1d", lambda L, x, w, b: L.nn.functional.linear(x, w, b), [C(3), C(2, 3), C(2)]),
    ("where", lambda L, a, b: L.where(a.real > 0, a, b), [A, B]),
    ("lerp", lambda L, a, b, w: L.lerp(a, b, w), [A, B, W]),
    ("lerp_scalar", lambda L, a, b: L.lerp(a, b, 0.3), [A, B]),
    ("addcmul", lambda L, a, b, c: L.addcmul(a, b, c, value=1 + 1j), [A, B, W]),
    ("addcdiv", lambda L, a, b, c: L.addcdiv(a, b, c, value=1 + 1j), [A, B, W]),
    ("addcmul_inplace", lambda L, a, b, c: (a * 1).addcmul_(b, c, value=2j), [A, B, W]),
    ("cross", lambda L, a, b: L.linalg.cross(a, b), [C(2, 3), C(2, 3)]),
    ("sinc", lambda L, a: L.sinc(a), [A]),
    ("normalize", lambda L, a: L.nn.functional.normalize(a), [C(2, 3)]),
    ("conv1d", lambda L, x, w: L.nn.functional.conv1d(x, w), [C(1, 2, 5), C(3, 2, 2)]),
    ("conv2d", lambda L, x, w, b: L.nn.functional.conv2d(x, w, b, padding=1), [C(1, 2, 4, 4), C(3, 2, 2, 2), C(3)]),
    ("cov", lambda L, a: L.cov(a), [C(2, 3)]),
    ("corrcoef", lambda L, a: L.corrcoef(a), [C(2, 3)]),
    ("masked_fill", lambda L, a: a.masked_fill(a.real > 0, 1 + 1j) * a, [A]),
    ("gather", lambda L, a: a.gather(1, L.tensor([[1, 0], [0, 0]])) * a, [A]),
    ("cat_stack", lambda L, a, b: L.cat([a, b]) * L.stack([a, b]).sum(0).repeat(2, 1), [A, B]),
    ("diff", lambda L, a: L.diff(a * a, dim=1), [C(2, 3)]),
    ("det", lambda L, a: L.linalg.det(a), [C(3, 3)]),
    ("l1_loss", lambda L, a, b: L.nn.functional.l1_loss(a, b), [A, B]),
]
UNARY = ["exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "sin", "cos", "tan", "asin",
         "acos", "atan", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh", "sigmoid", "neg", "conj"]
for _n in UNARY:
    CASES.append((_n, (lambda n: lambda L, a: getattr(L, n)(a))(_n), [A * 0.7]))
CASES.append(("exp_inplace", lambda L, a: (a * 1).exp_(), [A]))
CASES.append(("tanh_functional", lambda L, a: L.nn.functional.tanh(a), [A]))

SECOND_ORDER = ["mul", "mul_scalar", "mul_real_complex", "div", "div_real_complex", "pow_float", "pow_tensor",
                "rpow_complex_base", "square", "reciprocal", "sgn", "angle", "abs", "complex", "polar", "prod",
                "prod_zeros", "cumprod", "cumprod_zero", "logsumexp", "matmul", "matmul_3d_2d", "mv", "dot", "vdot",
                "einsum", "addmm", "addmv", "baddbmm", "linear", "lerp", "addcmul", "addcdiv", "conv1d", "conv2d",
                "sinc", "exp", "log", "sqrt", "rsqrt", "sin", "tan", "asin", "acosh", "atanh", "tanh", "sigmoid"]


def _loss(y, w):
    if y.is_complex():
        return (y.real * w.real + y.imag * w.imag).sum()
    return (y * w.real).sum()


def _np(g):
    if g is None:
        return None
    if isinstance(g, torch.Tensor):
        return g.detach().numpy(force=True)  # resolves conjugate views and zero tensors
    return g.detach().numpy()


def _grads(L, fn, arrays, second_order):
    ts = [L.tensor(a, requires_grad=True) for a in arrays]
    y = fn(L, *ts)
    wr = np.random.default_rng(5)
    w = L.tensor(wr.standard_normal(tuple(y.shape)) + 1j * wr.standard_normal(tuple(y.shape)))
    gs = L.autograd.grad(_loss(y, w), ts, allow_unused=True, create_graph=second_order)
    out = [_np(g) for g in gs]
    if second_order:
        s = 0
        for g in gs:
            if g is not None and g.requires_grad:
                s = s + ((g * g.conj()).real.sum() if g.is_complex() else (g * g).sum())
        if isinstance(s, int):  # no gradient depends on the inputs (a linear op)
            out += [None] * len(ts)
        else:
            out += [_np(g) for g in L.autograd.grad(s, ts, allow_unused=True)]
    return out


def _compare(name, fn, arrays, second_order=False):
    expected = _grads(torch, fn, arrays, second_order)
    got = _grads(ndgrad, fn, arrays, second_order)
    for k, (t, n) in enumerate(zip(expected, got)):
        if t is None or n is None:
            assert (t is None or not np.any(t)) and (n is None or not np.any(n)), f"{name}: gradient {k}"
            continue
        assert t.dtype == n.dtype, f"{name}: gradient {k} dtype {n.dtype} != torch {t.dtype}"
        np.testing.assert_allclose(n, t, rtol=1e-6, atol=1e-9, err_msg=f"{name}: gradient {k}")


@pytest.mark.parametrize("name,fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_first_order(name, fn, arrays):
    _compare(name, fn, arrays)


_BY_NAME = {c[0]: c for c in CASES}


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_order(name):
    _compare(*_BY_NAME[name], second_order=True)


def _real(arrays):
    return [np.abs(a) + 0.5 if np.iscomplexobj(a) else a for a in arrays]


REAL_CASES = [c for c in CASES if c[0] in (
    "mul", "div", "pow_float", "pow_tensor", "square", "reciprocal", "abs", "prod", "prod_zeros", "cumprod",
    "cumprod_zero", "logsumexp", "matmul", "matmul_3d_2d", "matmul_1d_3d", "mv", "dot", "vdot", "einsum",
    "einsum_diagonal", "kron", "linear", "lerp", "lerp_scalar", "conv2d", "sinc", "normalize", "cov",
    "corrcoef", "exp", "log", "sqrt", "sin", "tanh", "sigmoid", "acosh", "sgn")]


@pytest.mark.parametrize("name,fn,arrays", REAL_CASES, ids=[c[0] for c in REAL_CASES])
def test_real_inputs_unchanged(name, fn, arrays):
    arrays = _real(arrays)
    if name == "acosh":
        arrays = [a + 1 for a in arrays]
    _compare(name, fn, arrays, second_order=True)


def test_real_inputs_real_gradients():
    a = ndgrad.tensor([1.0, 2.0], dtype=ndgrad.float64, requires_grad=True)
    (a * a).sum().backward()
    assert a.grad.dtype == ndgrad.float64
    np.testing.assert_allclose(a.grad.numpy(), [2.0, 4.0])


def test_real_input_of_complex_result_no_warning():
    a = ndgrad.tensor([1.0, 2.0], dtype=ndgrad.float64, requires_grad=True)
    b = ndgrad.tensor([1 + 1j, 2 - 1j], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (a * b).abs().sum().backward()
        (a.to(ndgrad.complex128) * b).abs().sum().backward()
    assert a.grad.dtype == ndgrad.float64


def test_brief_example():
    a0 = np.array([[1 + 2j, 3 - 1j], [0.3 + 0.1j, -1 + 0.5j]])
    b0 = np.array([[0.5 - 1j, 2 + 2j], [1j, 1 - 0.2j]])
    res = []
    for L in (torch, ndgrad):
        a = L.tensor(a0, requires_grad=True)
        b = L.tensor(b0, requires_grad=True)
        (a * b).abs().sum().backward()
        res.append((a.grad.numpy(), b.grad.numpy()))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-12)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-12)


def _copy_slices_case(L):
    a = L.tensor(np.array([1 + 2j, 3 - 1j, 0.5 + 0.5j]), requires_grad=True)
    w = L.tensor(np.array([2.0, -1.0, 0.5]), requires_grad=True)
    y = a * (1 + 1j)
    L.view_as_real(y)[..., 1].mul_(w)  # only the imaginary parts are written
    L.view_as_real(y)[:, 0].copy_(w * 3)  # then only the real parts
    loss = (y * L.tensor([1 - 2j, 0.3 + 1j, 2 + 0.5j])).real.sum() + y.abs().sum()
    ga, gw = L.autograd.grad(loss, (a, w), create_graph=True)
    g2 = L.autograd.grad(ga.abs().sum() + gw.sum(), (a, w))
    return [_np(g) for g in (ga, gw) + tuple(g2)]


def test_inplace_through_view_as_real():
    for t, n in zip(_copy_slices_case(torch), _copy_slices_case(ndgrad)):
        np.testing.assert_allclose(n, t, rtol=1e-10, atol=1e-12)


def test_inplace_complex_view_whole_elements():
    def run(L):
        a = L.tensor(np.array([1 + 2j, 3 - 1j, 0.5 + 0.5j]), requires_grad=True)
        y = a * 2
        y[1:].mul_(1 - 1j)
        (y * L.tensor([1 - 2j, 0.3 + 1j, 2 + 0.5j])).real.sum().backward()
        return a.grad.numpy()
    np.testing.assert_allclose(run(ndgrad), run(torch), rtol=1e-12)
