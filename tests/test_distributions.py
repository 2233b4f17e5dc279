"""ndgrad.distributions against torch.distributions: values, gradients, shapes, validation, KL."""
import numpy as np
import pytest
import torch

import ndgrad

D, TD = None, torch.distributions


def _D():
    return ndgrad.distributions


def _pair(arr, grad=True):
    a = np.asarray(arr, dtype=np.float64)
    return (ndgrad.tensor(a, requires_grad=grad), torch.tensor(a, requires_grad=grad))


RS = np.random.RandomState(0)
POS = RS.uniform(0.5, 2.0, (3,))
POS2 = RS.uniform(0.5, 2.0, (3,))
PROB = RS.uniform(0.1, 0.9, (3,))
SIMPLEX = RS.dirichlet(np.ones(4), size=2)
A = RS.randn(3, 3)
COV = A @ A.T + 3 * np.eye(3)
LOC3 = RS.randn(3)

# name -> (params (list of arrays), ctor kwargs names, value array)
CASES = {
    "Normal": ([RS.randn(3), POS], ("loc", "scale"), RS.randn(3)),
    "Uniform": ([-POS, POS2], ("low", "high"), RS.uniform(-0.4, 0.4, 3)),
    "Bernoulli": ([PROB], ("probs",), np.array([0., 1., 1.])),
    "Bernoulli_logits": ([RS.randn(3)], ("logits",), np.array([0., 1., 0.])),
    "Categorical": ([SIMPLEX], ("probs",), np.array([1, 3])),
    "Categorical_logits": ([RS.randn(2, 4)], ("logits",), np.array([0, 2])),
    "OneHotCategorical": ([SIMPLEX], ("probs",), np.eye(4)[[1, 3]]),
    "Exponential": ([POS], ("rate",), POS2),
    "Laplace": ([RS.randn(3), POS], ("loc", "scale"), RS.randn(3)),
    "Beta": ([POS, POS2], ("concentration1", "concentration0"), PROB),
    "Gamma": ([POS, POS2], ("concentration", "rate"), POS2 + 0.3),
    "Dirichlet": ([SIMPLEX * 3 + 0.5], ("concentration",), SIMPLEX),
    "Poisson": ([POS * 2], ("rate",), np.array([0., 2., 5.])),
    "Binomial": ([np.array([5., 5., 5.]), PROB], ("total_count", "probs"), np.array([0., 3., 5.])),
    "Binomial_logits": ([np.array([4., 4., 4.]), RS.randn(3)], ("total_count", "logits"), np.array([1., 4., 2.])),
    "MVN_cov": ([LOC3, COV], ("loc", "covariance_matrix"), RS.randn(2, 3)),
    "MVN_prec": ([LOC3, np.linalg.inv(COV)], ("loc", "precision_matrix"), RS.randn(2, 3)),
    "MVN_tril": ([LOC3, np.linalg.cholesky(COV)], ("loc", "scale_tril"), RS.randn(2, 3)),
}
NO_GRAD_PARAM = {"total_count"}


def _build(name, lib):
    params, names, value = CASES[name]
    cls = name.split("_")[0].replace("MVN", "MultivariateNormal")
    mod = _D() if lib == "nd" else TD
    ps = []
    for p, n in zip(params, names):
        nd_t, t_t = _pair(p, grad=n not in NO_GRAD_PARAM)
        ps.append(nd_t if lib == "nd" else t_t)
    return getattr(mod, cls)(**dict(zip(names, ps))), ps


def _value(name, lib):
    v = CASES[name][2]
    if name.startswith("Categorical"):
        return (ndgrad.tensor(v) if lib == "nd" else torch.tensor(v))
    return (ndgrad.tensor(v, dtype=ndgrad.float64) if lib == "nd" else torch.tensor(v, dtype=torch.float64))


def _check(n_out, t_out, n_params, t_params, rtol=1e-7, atol=1e-9):
    assert tuple(n_out.shape) == tuple(t_out.shape)
    np.testing.assert_allclose(n_out.detach().numpy(), t_out.detach().numpy(), rtol=rtol, atol=atol)
    if not t_out.requires_grad:
        return
    g = np.random.RandomState(1).randn(*t_out.shape) if t_out.dim() else np.array(1.0)
    nps = [p for p in n_params if p.requires_grad]
    tps = [p for p in t_params if p.requires_grad]
    try:
        tg = torch.autograd.grad(t_out, tps, torch.tensor(g), allow_unused=True)
    except NotImplementedError:  # e.g. igamma's derivative in its first argument
        return
    ng = ndgrad.autograd.grad(n_out, nps, ndgrad.tensor(g), allow_unused=True)
    for a, b in zip(ng, tg):
        if b is None:
            continue
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("what", ["log_prob", "entropy", "mean", "variance", "stddev", "mode", "cdf", "icdf"])
def test_values_and_grads(name, what):
    nd_d, nd_p = _build(name, "nd")
    t_d, t_p = _build(name, "torch")
    assert tuple(nd_d.batch_shape) == tuple(t_d.batch_shape)
    assert tuple(nd_d.event_shape) == tuple(t_d.event_shape)
    if what in ("log_prob", "cdf", "icdf"):
        try:
            t_out = getattr(t_d, what)(_value(name, "torch") if what != "icdf" else torch.tensor(PROB))
        except NotImplementedError:   # torch has no such method for this family: neither has ndgrad
            with pytest.raises(NotImplementedError):
                getattr(nd_d, what)(_value(name, "nd") if what != "icdf" else ndgrad.tensor(PROB))
            return
        n_out = getattr(nd_d, what)(_value(name, "nd") if what != "icdf" else ndgrad.tensor(PROB))
    else:
        try:
            t_out = getattr(t_d, what)
            t_out = t_out() if callable(t_out) else t_out
        except NotImplementedError:   # torch has no such property for this family: neither has ndgrad
            with pytest.raises(NotImplementedError):
                n_out = getattr(nd_d, what)
                n_out() if callable(n_out) else n_out
            return
        n_out = getattr(nd_d, what)
        n_out = n_out() if callable(n_out) else n_out
    if what == "mode" or not t_out.is_floating_point():
        np.testing.assert_array_equal(n_out.detach().numpy(), t_out.detach().numpy())
        return
    if torch.isnan(t_out).any():
        np.testing.assert_array_equal(np.isnan(n_out.detach().numpy()), torch.isnan(t_out).numpy())
        return
    _check(n_out, t_out, nd_p, t_p)


@pytest.mark.parametrize("name", list(CASES))
def test_sample_shapes_and_expand(name):
    ndgrad.manual_seed(0)
    nd_d, _ = _build(name, "nd")
    t_d, _ = _build(name, "torch")
    for shape in [(), (5,), (2, 3)]:
        s, ts = nd_d.sample(shape), t_d.sample(shape)
        assert tuple(s.shape) == tuple(ts.shape)
        assert str(s.dtype) == str(ts.dtype)
        assert not s.requires_grad
        if t_d.has_rsample:
            r = nd_d.rsample(shape)
            assert tuple(r.shape) == tuple(ts.shape) and r.requires_grad
    bs = (4,) + tuple(t_d.batch_shape)
    e, te = nd_d.expand(bs), t_d.expand(bs)
    assert tuple(e.batch_shape) == tuple(te.batch_shape) and tuple(e.event_shape) == tuple(te.event_shape)
    v, tv = _value(name, "nd"), _value(name, "torch")
    if name.startswith("MVN"):
        v, tv = v[:1], tv[:1]
    np.testing.assert_allclose(e.log_prob(v).detach().numpy(), te.log_prob(tv).detach().numpy(), rtol=1e-7)
    assert repr(nd_d) == repr(t_d).replace("torch.", "torch.")


STATS = {  # name, params, expected mean, variance (analytic)
    "Normal": (dict(loc=1.5, scale=2.0), 1.5, 4.0),
    "Uniform": (dict(low=-1.0, high=3.0), 1.0, 16 / 12),
    "Bernoulli": (dict(probs=0.3), 0.3, 0.21),
    "Exponential": (dict(rate=2.0), 0.5, 0.25),
    "Laplace": (dict(loc=0.5, scale=1.5), 0.5, 4.5),
    "Gamma": (dict(concentration=3.0, rate=2.0), 1.5, 0.75),
    "Beta": (dict(concentration1=2.0, concentration0=3.0), 0.4, 0.04),
    "Poisson": (dict(rate=4.0), 4.0, 4.0),
    "Binomial": (dict(total_count=10, probs=0.3), 3.0, 2.1),
}


@pytest.mark.parametrize("name", list(STATS))
def test_sample_statistics(name):
    ndgrad.manual_seed(123)
    kw, mean, var = STATS[name]
    d = getattr(_D(), name)(**{k: ndgrad.tensor(v) for k, v in kw.items()})
    s = d.sample((40000,)).double().numpy()
    assert abs(s.mean() - mean) < 5 * np.sqrt(var / 40000)
    assert abs(s.var() - var) < 0.05 * var
    ndgrad.manual_seed(7)
    a = d.sample((3,))
    ndgrad.manual_seed(7)
    assert np.array_equal(a.numpy(), d.sample((3,)).numpy())


def test_categorical_dirichlet_mvn_statistics():
    ndgrad.manual_seed(0)
    p = np.array([0.1, 0.2, 0.7])
    s = _D().Categorical(probs=ndgrad.tensor(p)).sample((30000,)).numpy()
    np.testing.assert_allclose(np.bincount(s, minlength=3) / 30000, p, atol=0.015)
    c = np.array([1.0, 2.0, 3.0])
    s = _D().Dirichlet(ndgrad.tensor(c)).sample((30000,)).numpy()
    np.testing.assert_allclose(s.mean(0), c / 6, atol=0.01)
    s = _D().MultivariateNormal(ndgrad.tensor(LOC3), ndgrad.tensor(COV)).sample((40000,)).numpy()
    np.testing.assert_allclose(np.cov(s.T), COV, atol=0.25)
    np.testing.assert_allclose(s.mean(0), LOC3, atol=0.05)


def test_rsample_reparametrisation_grads():
    loc, scale = _pair([0.3, -1.0])[0], _pair([1.5, 0.5])[0]
    ndgrad.manual_seed(3)
    x = _D().Normal(loc, scale).rsample((4,))
    ndgrad.manual_seed(3)
    eps = ndgrad.randn(4, 2, dtype=ndgrad.float64)
    x.sum().backward()
    np.testing.assert_allclose(loc.grad.numpy(), [4, 4])
    np.testing.assert_allclose(scale.grad.numpy(), eps.sum(0).numpy())
    rate = ndgrad.tensor([2.0], dtype=ndgrad.float64, requires_grad=True)
    x = _D().Exponential(rate).rsample((5,))
    x.sum().backward()
    np.testing.assert_allclose(rate.grad.numpy(), [-(x.detach() * 1 / 2.0).sum().item()])
    # gamma: d x / d rate = -x / rate; d x / d alpha by implicit differentiation (checked by finite differences
    # of the CDF's inverse at fixed u): E[dx/dalpha] = d E[x]/d alpha = 1/rate
    c = ndgrad.tensor(3.0, dtype=ndgrad.float64, requires_grad=True)
    r = ndgrad.tensor(2.0, dtype=ndgrad.float64, requires_grad=True)
    ndgrad.manual_seed(0)
    x = _D().Gamma(c, r).rsample((20000,))
    x.mean().backward()
    assert abs(c.grad.item() - 0.5) < 0.02
    np.testing.assert_allclose(r.grad.item(), -(x.detach() / 2.0).mean().item(), rtol=1e-10)
    c = ndgrad.tensor([2.0, 3.0], dtype=ndgrad.float64, requires_grad=True)
    x = _D().Dirichlet(c).rsample((20000,))
    x[:, 0].mean().backward()   # d/dc (c0 / (c0 + c1)) = (c1, -c0) / 25
    np.testing.assert_allclose(c.grad.numpy(), [3 / 25, -2 / 25], atol=0.01)


def _err(fn):
    with pytest.raises(ValueError) as e:
        fn()
    return str(e.value)


@pytest.mark.parametrize("case", [
    lambda m, T: m.Normal(T([float("nan"), 0.]), T([1., 1.])),
    lambda m, T: m.Normal(T([0., 0.]), T([1., -1.])),
    lambda m, T: m.Exponential(T([1., 2., 3.])).log_prob(T([-1., 1., 2.])),
    lambda m, T: m.Normal(T([0., 0.]), T([1., 1.])).log_prob(T([1., 2., 3.])),
    lambda m, T: m.Normal(T([0., 0.]), T([1., 1.])).log_prob([1.]),
    lambda m, T: m.Bernoulli(probs=T([0.5, 1.5])),
    lambda m, T: m.Bernoulli(probs=T([0.5, 0.5])).log_prob(T([0.5, 1.])),
    lambda m, T: m.Bernoulli(),
    lambda m, T: m.Categorical(probs=T([0.2, -0.3])),
    lambda m, T: m.Categorical(logits=T([0.2, 0.3])).log_prob(T([2.])),
    lambda m, T: m.Uniform(T([0., 2.]), T([1., 1.])),
    lambda m, T: m.Uniform(T([0.]), T([1.])).log_prob(T([1.5])),
    lambda m, T: m.Gamma(T([1.]), T([0.])),
    lambda m, T: m.Beta(T([-1., 2.]), T([1., 1.])),
    lambda m, T: m.Dirichlet(T([1., 2.])).log_prob(T([0.5, 0.6])),
    lambda m, T: m.Dirichlet(T(1.)),
    lambda m, T: m.Poisson(T([1.])).log_prob(T([1.5])),
    lambda m, T: m.Binomial(T([3.]), T([0.5])).log_prob(T([4.])),
    lambda m, T: m.MultivariateNormal(T([0., 0.]), T([[1., 2.], [2., 1.]])),
    lambda m, T: m.MultivariateNormal(T([0., 0.]), scale_tril=T([[1., 1.], [0., 1.]])),
    lambda m, T: m.MultivariateNormal(T([0., 0.])),
    lambda m, T: m.MultivariateNormal(T(0.), T([[1.]])),
    lambda m, T: m.Laplace(T([0., 1.]), T([1., 1.])).log_prob(T([[1.], [2.]]).expand(2, 3)),
    lambda m, T: m.MultivariateNormal(T([0., 0.]), T([[1., 0.], [0., 1.]])).log_prob(T([1., 2., 3.])),
    lambda m, T: m.Independent(m.Normal(T([0.]), T([1.])), 2),
])
def test_validation_errors(case):
    got = _err(lambda: case(_D(), ndgrad.tensor))
    want = _err(lambda: case(TD, torch.tensor))
    assert got == want


def test_validate_args_off():
    d = _D().Normal(ndgrad.tensor([0.]), ndgrad.tensor([-1.]), validate_args=False)
    assert d.log_prob(ndgrad.tensor([0.])).shape == (1,)
    assert _D().Exponential(ndgrad.tensor([1.]), validate_args=False).log_prob(ndgrad.tensor([-1.])).item() == 1


def test_independent_and_enumerate():
    for lib, m in (("nd", _D()), ("t", TD)):
        pass
    loc, tloc = _pair(RS.randn(2, 3))
    scale, tscale = _pair(POS)
    d = _D().Independent(_D().Normal(loc, scale), 1)
    td = TD.Independent(TD.Normal(tloc, tscale), 1)
    assert d.batch_shape == (2,) and d.event_shape == (3,) and repr(d) == repr(td)
    v = RS.randn(2, 3)
    _check(d.log_prob(ndgrad.tensor(v)), td.log_prob(torch.tensor(v)), [loc, scale], [tloc, tscale])
    _check(d.entropy(), td.entropy(), [loc, scale], [tloc, tscale])
    e = d.expand((4, 2))
    assert e.batch_shape == (4, 2) and e.event_shape == (3,)
    for name in ("Bernoulli", "Categorical", "OneHotCategorical", "Binomial"):
        nd_d, _ = _build(name, "nd")
        t_d, _ = _build(name, "torch")
        for ex in (True, False):
            np.testing.assert_array_equal(nd_d.enumerate_support(ex).numpy(), t_d.enumerate_support(ex).numpy())


KL_PAIRS = [("Normal", "Normal"), ("Bernoulli", "Bernoulli"), ("Bernoulli_logits", "Bernoulli"),
            ("Beta", "Beta"), ("Binomial", "Binomial"), ("Categorical", "Categorical_logits"),
            ("OneHotCategorical", "OneHotCategorical"), ("Dirichlet", "Dirichlet"), ("Exponential", "Exponential"),
            ("Gamma", "Gamma"), ("Laplace", "Laplace"), ("MVN_cov", "MVN_tril"), ("MVN_prec", "MVN_cov"),
            ("Poisson", "Poisson"), ("Uniform", "Uniform"), ("Exponential", "Gamma"), ("Gamma", "Exponential"),
            ("Uniform", "Normal"), ("Exponential", "Normal")]


def _variant(name):
    """A second parameter set for the same family (so KL(p || q) != 0)."""
    params, names, value = CASES[name]
    new = []
    for p, n in zip(params, names):
        if n == "total_count":
            new.append(p)
        elif n in ("probs",) and p.ndim == 2:
            new.append(np.roll(p, 1, axis=-1))
        elif n == "probs":
            new.append(1 - p)
        elif n == "low":
            new.append(p - 1)
        elif n == "high":
            new.append(p + 1)
        elif n in ("covariance_matrix", "scale_tril", "precision_matrix"):
            new.append(p)
        elif n in ("loc", "logits"):
            new.append(p + 0.7)
        else:
            new.append(p * 1.3 + 0.1)
    return new


@pytest.mark.parametrize("pq", KL_PAIRS, ids=["-".join(p) for p in KL_PAIRS])
def test_kl(pq):
    pn, qn = pq
    nd_p, np_ = _build(pn, "nd")
    t_p, tp_ = _build(pn, "torch")
    qparams = _variant(qn)
    names = CASES[qn][1]
    qcls = qn.split("_")[0].replace("MVN", "MultivariateNormal")
    nq = [ndgrad.tensor(a, requires_grad=n not in NO_GRAD_PARAM) for a, n in zip(qparams, names)]
    tq = [torch.tensor(a, requires_grad=n not in NO_GRAD_PARAM) for a, n in zip(qparams, names)]
    nd_q = getattr(_D(), qcls)(**dict(zip(names, nq)))
    t_q = getattr(TD, qcls)(**dict(zip(names, tq)))
    n_out = _D().kl_divergence(nd_p, nd_q)
    t_out = TD.kl_divergence(t_p, t_q)
    if torch.isinf(t_out).any():
        np.testing.assert_array_equal(n_out.detach().numpy(), t_out.detach().numpy())
        return
    _check(n_out, t_out, np_ + nq, tp_ + tq)


def test_kl_special_cases():
    T = ndgrad.tensor
    u = _D().kl_divergence(_D().Uniform(T([0., 0.]), T([1., 2.])), _D().Uniform(T([0., 0.5]), T([2., 3.])))
    assert u[0].item() == pytest.approx(np.log(2)) and u[1].item() == float("inf")
    b = _D().kl_divergence(_D().Bernoulli(T([0., 0.5])), _D().Bernoulli(T([0.5, 1.])))
    tb = TD.kl_divergence(TD.Bernoulli(torch.tensor([0., 0.5])), TD.Bernoulli(torch.tensor([0.5, 1.])))
    np.testing.assert_allclose(b.numpy(), tb.numpy(), rtol=1e-6)
    with pytest.raises(NotImplementedError, match="No KL"):
        _D().kl_divergence(_D().Poisson(T([1.])), _D().Normal(T([0.]), T([1.])))

    class MyNormal(_D().Normal):
        pass

    @_D().register_kl(MyNormal, MyNormal)
    def _kl(p, q):
        return ndgrad.zeros(())

    assert _D().kl_divergence(MyNormal(0., 1.), MyNormal(1., 1.)).item() == 0
    assert _D().kl_divergence(MyNormal(0., 1.), _D().Normal(1., 1.)).item() == pytest.approx(0.5)
    ind = _D().kl_divergence(_D().Independent(_D().Normal(T([0., 1.]), T([1., 2.])), 1),
                             _D().Independent(_D().Normal(T([1., 1.]), T([1., 1.])), 1))
    tind = TD.kl_divergence(TD.Independent(TD.Normal(torch.tensor([0., 1.]), torch.tensor([1., 2.])), 1),
                            TD.Independent(TD.Normal(torch.tensor([1., 1.]), torch.tensor([1., 1.])), 1))
    assert ind.shape == () and ind.item() == pytest.approx(tind.item(), rel=1e-6)


def test_lazy_submodule_and_constraints():
    import ndgrad.distributions as dist
    assert ndgrad.distributions is dist
    c = dist.constraints
    for name in ("real", "positive", "nonnegative", "unit_interval", "simplex", "boolean", "lower_cholesky",
                 "nonnegative_integer", "real_vector"):
        assert repr(getattr(c, name)) == repr(getattr(TD.constraints, name))
    assert repr(c.interval(0, 1)) == repr(TD.constraints.interval(0, 1))
    assert repr(c.integer_interval(0, 3)) == repr(TD.constraints.integer_interval(0, 3))
    assert c.simplex.check(ndgrad.tensor([0.3, 0.7])).item()
    assert not c.positive.check(ndgrad.tensor(0.)).item()
    assert dist.Normal(0., 1.).batch_shape == ndgrad.Size()
