"""ndgrad.func (torch.func) against torch: values, gradients, nesting, vmap semantics, errors."""
import numpy as np
import pytest
import torch

import ndgrad

RS = np.random.RandomState(0)
X = RS.randn(3).astype(np.float32)
M = RS.randn(4, 3).astype(np.float32)


def _np(x):
    return x.detach().numpy()


def _close(a, b, tol=1e-5):
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _close(a[k], b[k], tol)
    elif isinstance(a, (tuple, list)):
        assert type(a) is type(b) and len(a) == len(b)
        for x, y in zip(a, b):
            _close(x, y, tol)
    else:
        np.testing.assert_allclose(_np(a), _np(b), rtol=tol, atol=tol)


def both(fn):
    return fn(torch), fn(ndgrad)


def f_scalar(T):
    return lambda x: (x.sin() * x).sum()


@pytest.mark.parametrize("case", ["grad", "grad_argnums", "grad_and_value", "grad_aux", "grad_grad", "hessian",
                                  "jacrev", "jacfwd", "jacrev_tuple", "jvp", "vjp", "grad_dict", "hessian2"])
def test_transforms_match_torch(case):
    def run(T):
        F = T.func
        x = T.tensor(X)
        m = T.tensor(M)
        if case == "grad":
            return F.grad(f_scalar(T))(x)
        if case == "grad_argnums":
            return F.grad(lambda a, b: (a * b.sin()).sum(), argnums=(0, 1))(x, x * 2)
        if case == "grad_and_value":
            return F.grad_and_value(f_scalar(T))(x)
        if case == "grad_aux":
            return F.grad(lambda a: ((a ** 2).sum(), a.cos()), has_aux=True)(x)
        if case == "grad_grad":
            return F.grad(lambda a: F.grad(lambda b: (b ** 3).sum())(a).sin().sum())(x)
        if case == "hessian":
            return F.hessian(f_scalar(T))(x)
        if case == "jacrev":
            return F.jacrev(lambda a: m @ a.tanh())(x)
        if case == "jacfwd":
            return F.jacfwd(lambda a: (m @ a.tanh(), a.exp()))(x)
        if case == "jacrev_tuple":
            return F.jacrev(lambda a, b: m @ (a * b), argnums=(0, 1))(x, x + 1)
        if case == "jvp":
            return F.jvp(lambda a: m @ a.sin(), (x,), (T.ones(3),))
        if case == "vjp":
            out, fn = F.vjp(lambda a, b: m @ (a * b), x, x.cos())
            return out, fn(T.ones(4))
        if case == "grad_dict":
            return F.grad(lambda d: (d["a"] * d["b"].exp()).sum())({"a": x, "b": x * 0.5})
        if case == "hessian2":
            return F.hessian(lambda a, b: (a * a * b).sum(), argnums=(0, 1))(x, x + 1)
    t, n = both(run)
    _close(n, t)
    for leaf in (n if isinstance(n, tuple) else (n,)):
        if isinstance(leaf, ndgrad.Tensor):
            assert not leaf.requires_grad


def test_grad_flows_through_captured_and_outer():
    res = []
    for T in (torch, ndgrad):
        w = T.tensor(X, requires_grad=True)
        g = T.func.grad(lambda a: (a * w).pow(2).sum())(T.tensor(X))
        assert g.requires_grad
        g.sum().backward()
        x = T.tensor(X, requires_grad=True)
        T.func.grad(lambda a: a.pow(3).sum())(x).sum().backward()
        res.append((w.grad, x.grad))
    _close(res[1], res[0])


def _mlp(T):
    T.manual_seed(0)
    return T.nn.Sequential(T.nn.Linear(3, 4), T.nn.Tanh(), T.nn.Linear(4, 2))


def test_functional_call_grad_vmap_per_sample():
    tm = _mlp(torch)
    nm = _mlp(ndgrad)
    nm.load_state_dict({k: ndgrad.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    xs = RS.randn(5, 3).astype(np.float32)

    def run(T, m):
        params = {k: v.detach() for k, v in m.named_parameters()}

        def loss(p, x):
            return T.func.functional_call(m, p, (x.unsqueeze(0),)).pow(2).sum()
        per_sample = T.func.vmap(T.func.grad(loss), in_dims=(None, 0))(params, T.tensor(xs))
        out = T.func.functional_call(m, (params,), T.tensor(xs))
        return per_sample, out
    t, n = run(torch, tm), run(ndgrad, nm)
    _close(n, t)
    assert all(isinstance(p, ndgrad.nn.Parameter) for p in nm.parameters())
    # gradients reach the replacement tensors, not the module's parameters
    w = ndgrad.tensor(M[:, :3].copy(), requires_grad=True)
    ndgrad.func.functional_call(nm, {"0.weight": w}, (ndgrad.tensor(xs),)).sum().backward()
    assert w.grad is not None and nm[0].weight.grad is None


@pytest.mark.parametrize("case", ["basic", "in_dims", "out_dims", "nested", "tuple_out", "kwargs", "neg"])
def test_vmap_semantics(case):
    def run(T):
        F = T.func
        a = T.tensor(M)
        if case == "basic":
            return F.vmap(T.dot)(a, a)
        if case == "in_dims":
            return F.vmap(lambda x, y: x * y, in_dims=(1, None))(a, T.tensor(X[:1].repeat(4)))
        if case == "out_dims":
            return F.vmap(lambda x: x.outer(x), out_dims=1)(a)
        if case == "nested":
            return F.vmap(F.vmap(lambda x, y: x * y + 1, in_dims=(0, None)), in_dims=(None, 0))(a[0], a[:, 0])
        if case == "tuple_out":
            return F.vmap(lambda x: (x.sum(), x * 2), out_dims=(0, 1))(a)
        if case == "kwargs":
            return F.vmap(lambda x, scale=1.0: x * scale)(a, scale=3.0)
        if case == "neg":
            return F.vmap(lambda x: x.sum(), in_dims=-1)(a)
    t, n = both(run)
    _close(n, t)


def test_vmap_grad_through():
    res = []
    for T in (torch, ndgrad):
        a = T.tensor(M, requires_grad=True)
        T.func.vmap(lambda x: (x.sin() * x).sum())(a).pow(2).sum().backward()
        res.append(a.grad)
    _close(res[1], res[0])


@pytest.mark.parametrize("case", ["size_mismatch", "bad_in_dim", "nontensor", "structure", "no_inputs"])
def test_vmap_errors(case):
    for T in (torch, ndgrad):
        a = T.ones(2, 3)
        with pytest.raises(ValueError) as e:
            if case == "size_mismatch":
                T.func.vmap(lambda x, y: x + y)(a, T.ones(3, 3))
            elif case == "bad_in_dim":
                T.func.vmap(lambda x: x, in_dims=2)(a)
            elif case == "nontensor":
                T.func.vmap(lambda x, y: x, in_dims=(0, 0))(a, 1.0)
            elif case == "structure":
                T.func.vmap(lambda x, y: x, in_dims=(0, 0, 0))(a, a)
            else:
                T.func.vmap(lambda: 1)()
        msg = str(e.value)
        if T is torch:
            ref = msg
    # torch's messages except for the printed structure of pytrees
    if case != "structure":
        assert msg == ref
    else:
        assert "in_dims is not compatible with the structure of `inputs`" in msg


@pytest.mark.parametrize("case", ["nonscalar", "nontensor", "aux", "argnum", "dup"])
def test_grad_errors(case):
    msgs = []
    for T in (torch, ndgrad):
        x = T.ones(3)
        with pytest.raises(RuntimeError) as e:
            if case == "nonscalar":
                T.func.grad(lambda a: a * 2)(x)
            elif case == "nontensor":
                T.func.grad(lambda a: 1.0)(x)
            elif case == "aux":
                T.func.grad(lambda a: a.sum(), has_aux=True)(x)
            elif case == "argnum":
                T.func.grad(lambda a: a.sum(), argnums=3)(x)
            else:
                T.func.grad(lambda a, b: a.sum(), argnums=(0, 0))(x, x)
        msgs.append(str(e.value))
    assert msgs[0] == msgs[1]


def test_functional_call_tied_and_strict():
    for T in (torch, ndgrad):
        class Tied(T.nn.Module):
            def __init__(self):
                super().__init__()
                self.a = T.nn.Linear(2, 2, bias=False)
                self.b = T.nn.Linear(2, 2, bias=False)
                self.b.weight = self.a.weight

            def forward(self, x):
                return self.b(self.a(x))
        m = Tied()
        out = T.func.functional_call(m, {"a.weight": T.eye(2) * 2}, (T.ones(1, 2),))
        assert out.tolist() == [[4.0, 4.0]]
        out = T.func.functional_call(m, {"a.weight": T.eye(2) * 2}, (T.ones(1, 2),), tie_weights=False)
        assert out.tolist() != [[4.0, 4.0]]
        with pytest.raises(ValueError, match=r"functional_call got multiple values for keys \['a.weight', "
                                             r"'b.weight'\], which are tied"):
            T.func.functional_call(m, {"a.weight": T.eye(2), "b.weight": T.ones(2, 2)}, (T.ones(1, 2),))
        with pytest.raises(RuntimeError) as e:
            T.func.functional_call(m, {"c": T.eye(2)}, (T.ones(1, 2),), strict=True)
        assert str(e.value) == ("Error(s) in reparametrizing for Tied:\n\tUnexpected key(s): 'c'.\n\t"
                                "Missing key(s): 'a.weight', 'b.weight'.")
        with pytest.raises(ValueError, match="appeared in multiple dictionaries"):
            T.func.functional_call(m, ({"a.weight": T.eye(2)}, {"a.weight": T.eye(2)}), (T.ones(1, 2),))


def test_stack_module_state_ensemble():
    tms = [torch.nn.Linear(3, 2) for _ in range(3)]
    nms = [ndgrad.nn.Linear(3, 2) for _ in range(3)]
    for t, n in zip(tms, nms):
        n.load_state_dict({k: ndgrad.tensor(v.numpy()) for k, v in t.state_dict().items()})
    xs = RS.randn(4, 3).astype(np.float32)
    res = []
    for T, ms in ((torch, tms), (ndgrad, nms)):
        params, buffers = T.func.stack_module_state(ms)
        assert params["weight"].requires_grad and params["weight"].is_leaf
        base = ms[0]
        out = T.func.vmap(lambda p, b, x: T.func.functional_call(base, (p, b), (x,)),
                          in_dims=(0, 0, None))(params, buffers, T.tensor(xs))
        res.append(out)
    _close(res[1], res[0])
    with pytest.raises(RuntimeError, match="Expected at least one model, got 0"):
        ndgrad.func.stack_module_state([])
