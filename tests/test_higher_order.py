"""Higher-order use cases against torch: grad of grad, a WGAN-GP gradient penalty, Hessian-vector
products, the Hessian of a small MLP's loss, and autograd.functional."""
import numpy as np
import pytest
import torch

import ndgrad

RNG = np.random.default_rng(7)
W1, B1 = RNG.standard_normal((3, 4)), RNG.standard_normal(4)
W2, B2 = RNG.standard_normal((4, 2)), RNG.standard_normal(2)
X = RNG.standard_normal((5, 3))
Y = RNG.standard_normal((5, 2))


def both(fn):
    return fn(ndgrad), fn(torch)


def close(a, b, tol=1e-9):
    a = a.detach().numpy() if hasattr(a, "detach") else np.asarray(a)
    b = b.detach().numpy() if hasattr(b, "detach") else np.asarray(b)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def test_grad_of_grad():
    def run(lib):
        x = lib.tensor([0.5, -1.5, 2.0], dtype=lib.float64, requires_grad=True)
        y = (x ** 3 * x.sin()).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x, create_graph=True)
        (ggg,) = lib.autograd.grad(gg.sum(), x)
        return g, gg, ggg
    for a, b in zip(*both(run)):
        close(a, b)


def _mlp(lib, params, x):
    w1, b1, w2, b2 = params
    return (x @ w1 + b1).tanh() @ w2 + b2


def _params(lib):
    return [lib.tensor(a, requires_grad=True) for a in (W1, B1, W2, B2)]


def test_gradient_penalty_wgan_gp():
    def run(lib):
        params = _params(lib)
        x = lib.tensor(X, requires_grad=True)
        d = _mlp(lib, params, x).sum(dim=1)
        (gx,) = lib.autograd.grad(d.sum(), x, create_graph=True)
        penalty = ((gx.norm(2, dim=1) - 1) ** 2).mean()
        loss = d.mean() + 10 * penalty
        loss.backward()
        return [loss] + [p.grad for p in params]
    for a, b in zip(*both(run)):
        close(a, b)


def test_hessian_vector_product_by_double_backward():
    v = RNG.standard_normal(W1.shape)

    def run(lib):
        params = _params(lib)
        loss = ((_mlp(lib, params, lib.tensor(X)) - lib.tensor(Y)) ** 2).mean()
        (g,) = lib.autograd.grad(loss, params[0], create_graph=True)
        (hv,) = lib.autograd.grad((g * lib.tensor(v)).sum(), params[0])
        return hv
    close(*both(run))


def test_hessian_of_small_mlp_loss():
    def run(lib):
        def loss_fn(w1):
            return ((_mlp(lib, [w1] + [lib.tensor(a) for a in (B1, W2, B2)], lib.tensor(X)) - lib.tensor(Y)) ** 2).mean()
        return lib.autograd.functional.hessian(loss_fn, lib.tensor(W1))
    n, t = both(run)
    assert tuple(n.shape) == tuple(t.shape) == W1.shape + W1.shape
    close(n, t)


@pytest.mark.parametrize("name", ["vjp", "jvp", "hvp", "vhp"])
def test_functional_products(name):
    x0, v0 = RNG.standard_normal(4), RNG.standard_normal(4)

    def run(lib):
        f = (lambda x: (x.exp() * x).sum()) if name in ("hvp", "vhp") else (lambda x: x.sin() * x ** 2)
        fn = getattr(lib.autograd.functional, name)
        return fn(f, lib.tensor(x0), lib.tensor(v0))
    (no, nv), (to, tv) = both(run)
    close(no, to)
    close(nv, tv)


def test_jacobian_several_inputs_and_outputs():
    a0, b0 = RNG.standard_normal(3), RNG.standard_normal(3)

    def run(lib):
        return lib.autograd.functional.jacobian(lambda a, b: (a * b, a.exp() + b), (lib.tensor(a0), lib.tensor(b0)))
    n, t = both(run)
    for rn, rt in zip(n, t):
        for a, b in zip(rn, rt):
            close(a, b)


def test_create_graph_false_returns_graph_free_gradients():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    (g,) = ndgrad.autograd.grad((x * x).sum(), x)
    assert not g.requires_grad and g.grad_fn is None


def test_second_backward_through_freed_graph_names_retain_graph():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        y.backward()
