"""nn.utils.parametrize / parametrizations / spectral_norm / prune / stateless against torch."""
import warnings

import numpy as np
import pytest
import torch
import torch.nn.utils.parametrize  # noqa: F401
import torch.nn.utils.prune  # noqa: F401

import ndgrad


def _copy(tm, nm):
    nm.load_state_dict({k: ndgrad.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})


def _close(a, b, tol=1e-5):
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=tol, atol=tol)


class Sym:
    @staticmethod
    def make(T):
        class Symmetric(T.nn.Module):
            def forward(self, X):
                return X.triu() + X.triu(1).mT

            def right_inverse(self, A):
                return A.triu()
        return Symmetric


@pytest.mark.parametrize("T", [torch, ndgrad])
def test_register_parametrization_structure(T):
    T.manual_seed(0)
    m = T.nn.Linear(3, 3)
    T.nn.utils.parametrize.register_parametrization(m, "weight", Sym.make(T)())
    assert type(m).__name__ == "ParametrizedLinear"
    assert list(m.state_dict()) == ["bias", "parametrizations.weight.original"]
    assert T.nn.utils.parametrize.is_parametrized(m) and T.nn.utils.parametrize.is_parametrized(m, "weight")
    assert not T.nn.utils.parametrize.is_parametrized(m, "bias")
    assert T.nn.utils.parametrize.type_before_parametrizations(m) is T.nn.Linear
    assert repr(m) == ("ParametrizedLinear(\n  in_features=3, out_features=3, bias=True\n  (parametrizations): "
                       "ModuleDict(\n    (weight): ParametrizationList(\n      (0): Symmetric()\n    )\n  )\n)")
    w = m.weight
    assert (w == w.mT).all()
    assert isinstance(m.parametrizations.weight.original, T.nn.Parameter)
    T.nn.utils.parametrize.remove_parametrizations(m, "weight")
    assert type(m) is T.nn.Linear
    assert list(m.state_dict()) == ["bias", "weight"]
    assert (m.weight == m.weight.mT).all()


def test_parametrize_values_grads_and_setter():
    torch.manual_seed(0)
    tm = torch.nn.Linear(4, 4)
    nm = ndgrad.nn.Linear(4, 4)
    _copy(tm, nm)
    torch.nn.utils.parametrize.register_parametrization(tm, "weight", Sym.make(torch)())
    ndgrad.nn.utils.parametrize.register_parametrization(nm, "weight", Sym.make(ndgrad)())
    for k, v in tm.state_dict().items():
        _close(nm.state_dict()[k], v)
    x = np.random.RandomState(0).randn(2, 4).astype(np.float32)
    tm(torch.tensor(x)).pow(2).sum().backward()
    nm(ndgrad.tensor(x)).pow(2).sum().backward()
    _close(nm.parametrizations.weight.original.grad, tm.parametrizations.weight.original.grad)
    a = np.random.RandomState(1).randn(4, 4).astype(np.float32)
    tm.weight = torch.tensor(a)
    nm.weight = ndgrad.tensor(a)
    _close(nm.parametrizations.weight.original, tm.parametrizations.weight.original)
    with ndgrad.nn.utils.parametrize.cached():
        assert nm.weight is nm.weight
    assert nm.weight is not nm.weight
    torch.nn.utils.parametrize.remove_parametrizations(tm, "weight", leave_parametrized=False)
    ndgrad.nn.utils.parametrize.remove_parametrizations(nm, "weight", leave_parametrized=False)
    _close(nm.weight, tm.weight)


@pytest.mark.parametrize("T", [torch, ndgrad])
def test_parametrize_errors(T):
    m = T.nn.Linear(3, 3)
    with pytest.raises(ValueError) as e:
        T.nn.utils.parametrize.register_parametrization(m, "foo", Sym.make(T)())
    assert "does not have a parameter, a buffer, or a parametrized element with name 'foo'" in str(e.value)
    with pytest.raises(ValueError, match="does not have a parametrization on weight"):
        T.nn.utils.parametrize.remove_parametrizations(m, "weight")

    class Bad(T.nn.Module):
        def forward(self, X):
            return X[0]
    with pytest.raises(ValueError, match="may not change the shape"):
        T.nn.utils.parametrize.register_parametrization(m, "weight", Bad())
    T.nn.utils.parametrize.register_parametrization(m, "weight", Bad(), unsafe=True)
    assert tuple(m.weight.shape) == (3,)


def test_weight_norm_parametrization():
    torch.manual_seed(0)
    tm = torch.nn.utils.parametrizations.weight_norm(torch.nn.Linear(5, 3))
    nm = ndgrad.nn.utils.parametrizations.weight_norm(ndgrad.nn.Linear(5, 3))
    assert list(nm.state_dict()) == list(tm.state_dict()) == [
        "bias", "parametrizations.weight.original0", "parametrizations.weight.original1"]
    _copy(tm, nm)
    _close(nm.weight, tm.weight)
    x = np.random.RandomState(0).randn(2, 5).astype(np.float32)
    tm(torch.tensor(x)).sum().backward()
    nm(ndgrad.tensor(x)).sum().backward()
    for i in (0, 1):
        _close(getattr(nm.parametrizations.weight, f"original{i}").grad,
               getattr(tm.parametrizations.weight, f"original{i}").grad)
    assert tuple(nm.parametrizations.weight.original0.shape) == (3, 1)


@pytest.mark.parametrize("mod, dim", [((6, 4), None), ("conv", None), ((6, 4), 1)])
def test_spectral_norm_parametrization(mod, dim):
    torch.manual_seed(0)

    def make(T):
        if mod == "conv":
            return T.nn.ConvTranspose2d(3, 2, 3)
        return T.nn.Linear(*mod)
    kw = {} if dim is None else {"dim": dim}
    tm = torch.nn.utils.parametrizations.spectral_norm(make(torch), n_power_iterations=2, **kw)
    nm = ndgrad.nn.utils.parametrizations.spectral_norm(make(ndgrad), n_power_iterations=2, **kw)
    assert list(nm.state_dict()) == list(tm.state_dict())
    _copy(tm, nm)
    for _ in range(2):  # training mode: the power iteration updates _u/_v
        _close(nm.weight, tm.weight)
    _close(nm.parametrizations.weight[0]._u, tm.parametrizations.weight[0]._u)
    tm.eval()
    nm.eval()
    _close(nm.weight, tm.weight)
    tm.weight.sum().backward()
    nm.weight.sum().backward()
    _close(nm.parametrizations.weight.original.grad, tm.parametrizations.weight.original.grad, 1e-4)


def test_old_spectral_norm():
    torch.manual_seed(0)
    tm = torch.nn.utils.spectral_norm(torch.nn.Linear(5, 4))
    nm = ndgrad.nn.utils.spectral_norm(ndgrad.nn.Linear(5, 4))
    assert list(nm.state_dict()) == list(tm.state_dict()) == ["bias", "weight_orig", "weight_u", "weight_v"]
    _copy(tm, nm)
    x = np.random.RandomState(0).randn(2, 5).astype(np.float32)
    for _ in range(2):
        _close(nm(ndgrad.tensor(x)), tm(torch.tensor(x)))
    _close(nm.weight_u, tm.weight_u)
    with pytest.raises(RuntimeError, match="Cannot register two spectral_norm hooks"):
        ndgrad.nn.utils.spectral_norm(nm)
    torch.nn.utils.remove_spectral_norm(tm)
    ndgrad.nn.utils.remove_spectral_norm(nm)
    assert list(nm.state_dict()) == list(tm.state_dict())
    _close(nm.weight, tm.weight)
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found in"):
        ndgrad.nn.utils.remove_spectral_norm(nm)


@pytest.mark.parametrize("shape, omap", [((4, 4), None), ((4, 4), "cayley"), ((4, 4), "householder"),
                                         ((5, 3), None), ((3, 5), "matrix_exp")])
def test_orthogonal(shape, omap):
    torch.manual_seed(0)
    w = np.random.RandomState(0).randn(*shape).astype(np.float64)
    tm = torch.nn.Linear(shape[1], shape[0]).double()
    nm = ndgrad.nn.Linear(shape[1], shape[0]).double()
    with torch.no_grad():
        tm.weight.copy_(torch.tensor(w))
    with ndgrad.no_grad():
        nm.weight.copy_(ndgrad.tensor(w))
    kw = {} if omap is None else {"orthogonal_map": omap}
    torch.nn.utils.parametrizations.orthogonal(tm, **kw)
    ndgrad.nn.utils.parametrizations.orthogonal(nm, **kw)
    assert list(nm.state_dict()) == list(tm.state_dict())
    q = nm.weight.detach().numpy()
    small = min(shape)
    gram = q.T @ q if shape[0] >= shape[1] else q @ q.T
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-10)
    _close(nm.weight, tm.weight, 1e-6)  # the orthogonalised weight: deterministic in its first k columns
    nm.weight.sum().backward()
    assert nm.parametrizations.weight.original.grad is not None


def test_stateless_functional_call():
    torch.manual_seed(0)
    tm = torch.nn.Linear(3, 2)
    nm = ndgrad.nn.Linear(3, 2)
    _copy(tm, nm)
    w = np.ones((2, 3), np.float32)
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    with pytest.warns(FutureWarning, match="torch.func.functional_call"):
        out = ndgrad.nn.utils.stateless.functional_call(nm, {"weight": ndgrad.tensor(w)}, ndgrad.tensor(x))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = torch.nn.utils.stateless.functional_call(tm, {"weight": torch.tensor(w)}, torch.tensor(x))
    _close(out, ref)
    assert isinstance(nm.weight, ndgrad.nn.Parameter)


# -- prune -------------------------------------------------------------------------------------------
def _pair(shape=(4, 6)):
    torch.manual_seed(0)
    tm = torch.nn.Linear(shape[1], shape[0])
    nm = ndgrad.nn.Linear(shape[1], shape[0])
    _copy(tm, nm)
    return tm, nm


@pytest.mark.parametrize("how", ["identity", "l1", "l1_int", "ln", "ln_inf", "custom", "l1_then_ln",
                                 "ln_then_l1"])
def test_prune_masks_match(how):
    tm, nm = _pair()
    mask = (np.arange(24).reshape(4, 6) % 3 != 0).astype(np.float32)
    for T, m in ((torch, tm), (ndgrad, nm)):
        P = T.nn.utils.prune
        if how == "identity":
            P.identity(m, "weight")
        elif how == "l1":
            P.l1_unstructured(m, "weight", amount=0.3)
        elif how == "l1_int":
            P.l1_unstructured(m, "weight", amount=5)
        elif how == "ln":
            P.ln_structured(m, "weight", amount=0.5, n=2, dim=0)
        elif how == "ln_inf":
            P.ln_structured(m, "weight", amount=2, n=float("inf"), dim=1)
        elif how == "custom":
            P.custom_from_mask(m, "weight", mask=T.tensor(mask))
        elif how == "l1_then_ln":
            P.l1_unstructured(m, "weight", amount=0.3)
            P.ln_structured(m, "weight", amount=1, n=1, dim=0)
        else:
            P.ln_structured(m, "weight", amount=1, n=1, dim=0)
            P.l1_unstructured(m, "weight", amount=4)
        assert P.is_pruned(m)
    assert list(nm.state_dict()) == list(tm.state_dict()) == ["bias", "weight_orig", "weight_mask"]
    _close(nm.weight_mask, tm.weight_mask)
    _close(nm.weight, tm.weight)
    x = np.random.RandomState(0).randn(3, 6).astype(np.float32)
    tm(torch.tensor(x)).sum().backward()
    nm(ndgrad.tensor(x)).sum().backward()
    _close(nm.weight_orig.grad, tm.weight_orig.grad)
    torch.nn.utils.prune.remove(tm, "weight")
    ndgrad.nn.utils.prune.remove(nm, "weight")
    assert list(nm.state_dict()) == list(tm.state_dict()) == ["bias", "weight"]
    assert not ndgrad.nn.utils.prune.is_pruned(nm)
    _close(nm.weight, tm.weight)


def test_prune_random_and_global():
    _, nm = _pair()
    ndgrad.nn.utils.prune.random_unstructured(nm, "weight", amount=0.5)
    assert int((nm.weight_mask == 0).sum()) == 12
    _, nm2 = _pair()
    ndgrad.nn.utils.prune.random_structured(nm2, "weight", amount=2, dim=0)
    assert int((nm2.weight_mask.sum(1) == 0).sum()) == 2
    tms = [_pair()[0], _pair((3, 2))[0]]
    nms = [ndgrad.nn.Linear(6, 4), ndgrad.nn.Linear(2, 3)]
    for t, n in zip(tms, nms):
        _copy(t, n)
    torch.nn.utils.prune.global_unstructured([(m, "weight") for m in tms],
                                             pruning_method=torch.nn.utils.prune.L1Unstructured, amount=10)
    ndgrad.nn.utils.prune.global_unstructured([(m, "weight") for m in nms],
                                              pruning_method=ndgrad.nn.utils.prune.L1Unstructured, amount=10)
    for t, n in zip(tms, nms):
        _close(n.weight_mask, t.weight_mask)


@pytest.mark.parametrize("T", [torch, ndgrad])
def test_prune_errors(T):
    P = T.nn.utils.prune
    m = T.nn.Linear(3, 2)
    with pytest.raises(ValueError, match="should either be a float in the range"):
        P.l1_unstructured(m, "weight", amount=1.5)
    with pytest.raises(TypeError, match="Invalid type for amount"):
        P.l1_unstructured(m, "weight", amount="a")
    with pytest.raises(ValueError, match="should be smaller than the number of parameters to prune=6"):
        P.l1_unstructured(m, "weight", amount=7)
    assert list(m.state_dict()) == ["bias", "weight"]  # the parameter is re-registered last
    with pytest.raises(ValueError, match="Structured pruning can only be applied to multidimensional"):
        P.ln_structured(m, "bias", amount=1, n=2, dim=0)
    with pytest.raises(ValueError, match="has to be pruned before pruning can be removed"):
        P.remove(m, "weight")
