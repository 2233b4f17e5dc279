"""Optimizers: trajectories, state dicts, parameter groups and errors, compared with torch."""
import copy
import pickle
import warnings

import numpy as np
import pytest
import torch

import ndgrad

RNG = np.random.default_rng(0)
INIT = {"W1": RNG.standard_normal((4, 8)) * 0.7, "b1": RNG.standard_normal(8) * 0.1,
        "W2": RNG.standard_normal((8, 3)) * 0.5, "b2": np.zeros(3)}
X = RNG.standard_normal((16, 4))
Y = RNG.standard_normal((16, 3))


def mlp_loss(params, x, y):
    """A 4-8-3 tanh MLP with a mean-squared error, built from elementwise ops and sums only, so the
    same code runs in ndgrad and torch."""
    w1, b1, w2, b2 = params
    h = ((x.unsqueeze(2) * w1.unsqueeze(0)).sum(1) + b1).tanh()
    out = (h.unsqueeze(2) * w2.unsqueeze(0)).sum(1) + b2
    return ((out - y) ** 2).mean()


def make_params(lib, dtype="float64"):
    return [lib.tensor(INIT[k].astype(dtype), requires_grad=True) for k in ("W1", "b1", "W2", "b2")]


def train(lib, name, kwargs, steps, dtype="float64", groups=False, params=None, opt=None):
    params = params if params is not None else make_params(lib, dtype)
    x, y = lib.tensor(X.astype(dtype)), lib.tensor(Y.astype(dtype))
    if opt is None:
        arg = params
        if groups:  # the hidden layer with its own lr, the output layer with the defaults
            arg = [{"params": params[:2], "lr": kwargs.get("lr", 0.01) * 0.5}, {"params": params[2:]}]
        opt = getattr(lib.optim, name)(arg, **kwargs)
    for _ in range(steps):
        opt.zero_grad()
        mlp_loss(params, x, y).backward()
        opt.step()
    return [p.detach().numpy().copy() for p in params], opt, params


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.1)),
    ("SGD", dict(lr=0.01, momentum=0.5, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, amsgrad=True)),
    ("Adam", dict(lr=0.01, maximize=True, amsgrad=True, weight_decay=0.05)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.01)),
    ("AdamW", dict(lr=0.01, weight_decay=0.3, amsgrad=True)),
    ("AdamW", dict(lr=0.01, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.005, alpha=0.9, eps=1e-6, momentum=0.9)),
    ("RMSprop", dict(lr=0.005, centered=True, weight_decay=0.01)),
    ("RMSprop", dict(lr=0.005, momentum=0.5, centered=True, maximize=True)),
    ("Adagrad", dict(lr=0.1)),
    ("Adagrad", dict(lr=0.1, lr_decay=0.01, weight_decay=0.01, initial_accumulator_value=0.1, eps=1e-6)),
    ("Adagrad", dict(lr=0.05, maximize=True)),
    ("Adamax", dict(lr=0.01)),
    ("Adamax", dict(lr=0.02, betas=(0.8, 0.95), weight_decay=0.1, eps=1e-5)),
    ("Adamax", dict(lr=0.01, maximize=True)),
    ("NAdam", dict(lr=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, momentum_decay=0.01)),
    ("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    ("NAdam", dict(lr=0.01, maximize=True)),
    ("RAdam", dict(lr=0.01)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1)),
    ("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, betas=(0.9, 0.9))),
    ("RAdam", dict(lr=0.01, maximize=True)),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw in CASES]


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_trajectory_matches_torch_float64(name, kwargs):
    n, _, _ = train(ndgrad, name, kwargs, 100)
    t, _, _ = train(torch, name, kwargs, 100)
    for a, b in zip(n, t):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("name,kwargs", CASES[::3], ids=IDS[::3])
def test_trajectory_matches_torch_float32_and_keeps_dtype(name, kwargs):
    n, opt, params = train(ndgrad, name, kwargs, 30, dtype="float32")
    t, _, _ = train(torch, name, kwargs, 30, dtype="float32")
    for a, b in zip(n, t):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
    for s in opt.state.values():
        for k, v in s.items():
            if k not in ("step", "mu_product"):
                assert v.dtype == ndgrad.float32


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "NAdam", "RAdam"])
def test_param_groups_with_own_lr(name):
    kwargs = {"lr": 0.02, "momentum": 0.9} if name in ("SGD", "RMSprop") else {"lr": 0.02}
    n, n_opt, _ = train(ndgrad, name, kwargs, 50, groups=True)
    t, t_opt, _ = train(torch, name, kwargs, 50, groups=True)
    for a, b in zip(n, t):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)
    assert [g["lr"] for g in n_opt.param_groups] == [g["lr"] for g in t_opt.param_groups]


def state_values(sd):
    return {k: {kk: (vv.detach().numpy() if hasattr(vv, "detach") else vv) for kk, vv in v.items()}
            for k, v in sd["state"].items()}


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_state_dict_layout_matches_torch(name, kwargs):
    _, n_opt, _ = train(ndgrad, name, kwargs, 7, groups=True)
    _, t_opt, _ = train(torch, name, kwargs, 7, groups=True)
    n_sd, t_sd = n_opt.state_dict(), t_opt.state_dict()
    assert list(n_sd) == ["state", "param_groups"]
    assert n_sd["param_groups"] == t_sd["param_groups"]
    assert [list(g) for g in n_sd["param_groups"]] == [list(g) for g in t_sd["param_groups"]]
    assert list(n_sd["state"]) == list(t_sd["state"])
    for k in t_sd["state"]:
        n_s, t_s = n_sd["state"][k], t_sd["state"][k]
        assert list(n_s) == list(t_s), (k, list(n_s), list(t_s))
        for key in t_s:
            assert isinstance(n_s[key], ndgrad.Tensor)
            assert str(n_s[key].dtype) == str(t_s[key].dtype), key
            assert tuple(n_s[key].shape) == tuple(t_s[key].shape), key
            np.testing.assert_allclose(n_s[key].numpy(), t_s[key].numpy(), rtol=1e-9, atol=1e-12, err_msg=key)
    if t_sd["state"] and "step" in t_sd["state"][0]:
        assert float(n_sd["state"][0]["step"]) == 7.0
        assert n_sd["state"][0]["step"].dim() == 0


def test_step_counters_follow_default_dtype():
    p = ndgrad.zeros(2, requires_grad=True)
    p.grad = ndgrad.ones(2)
    old = ndgrad.get_default_dtype()
    try:
        ndgrad.set_default_dtype(ndgrad.float64)
        q = ndgrad.zeros(2, dtype=ndgrad.float32, requires_grad=True)
        q.grad = ndgrad.ones(2, dtype=ndgrad.float32)
        opt = ndgrad.optim.Adam([q])
        opt.step()
        assert opt.state[q]["step"].dtype == ndgrad.float64
    finally:
        ndgrad.set_default_dtype(old)
    opt = ndgrad.optim.Adam([p])
    opt.step()
    assert opt.state[p]["step"].dtype == ndgrad.float32


@pytest.mark.parametrize("name,kwargs", CASES[::2], ids=IDS[::2])
def test_state_dict_roundtrip_resumes_training(name, kwargs):
    full, _, _ = train(ndgrad, name, kwargs, 20)
    _, opt, params = train(ndgrad, name, kwargs, 10)
    sd = copy.deepcopy(opt.state_dict())
    params2 = [ndgrad.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    opt2 = getattr(ndgrad.optim, name)(params2, lr=123.0)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == kwargs.get("lr", opt.defaults["lr"])
    resumed, _, _ = train(ndgrad, name, kwargs, 10, params=params2, opt=opt2)
    for a, b in zip(resumed, full):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,kwargs", [CASES[2], CASES[7], CASES[15], CASES[18], CASES[21], CASES[24],
                                         CASES[28]], ids=[IDS[i] for i in (2, 7, 15, 18, 21, 24, 28)])
def test_load_torch_state_dict_and_continue_like_torch(name, kwargs):
    """A torch optimizer's state dict (tensors converted) loads into ndgrad and both continue alike."""
    _, t_opt, t_params = train(torch, name, kwargs, 10)
    t_sd = t_opt.state_dict()
    n_sd = {"state": {k: {kk: ndgrad.tensor(vv.numpy()) for kk, vv in v.items()} for k, v in t_sd["state"].items()},
            "param_groups": t_sd["param_groups"]}
    n_params = [ndgrad.tensor(p.detach().numpy().copy(), requires_grad=True) for p in t_params]
    n_opt = getattr(ndgrad.optim, name)(n_params)
    n_opt.load_state_dict(n_sd)
    n, _, _ = train(ndgrad, name, kwargs, 15, params=n_params, opt=n_opt)
    t, _, _ = train(torch, name, kwargs, 15, params=t_params, opt=t_opt)
    for a, b in zip(n, t):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)


def test_load_state_dict_copies_and_casts():
    p = ndgrad.zeros(3, dtype=ndgrad.float32, requires_grad=True)
    opt = ndgrad.optim.Adam([p])
    sd = {"state": {0: {"step": ndgrad.tensor(4.0), "exp_avg": ndgrad.ones(3, dtype=ndgrad.float64),
                        "exp_avg_sq": ndgrad.ones(3, dtype=ndgrad.float64)}},
          "param_groups": [dict(opt.state_dict()["param_groups"][0], lr=0.5)]}
    opt.load_state_dict(sd)
    st = opt.state[p]
    assert st["exp_avg"].dtype == ndgrad.float32 and st["step"].dtype == ndgrad.float32
    assert st["exp_avg"] is not sd["state"][0]["exp_avg"]
    assert opt.param_groups[0]["lr"] == 0.5 and opt.param_groups[0]["params"][0] is p


def test_load_state_dict_old_checkpoint_with_python_step():
    p = ndgrad.zeros(3, requires_grad=True)
    opt = ndgrad.optim.NAdam([p])
    group = {k: v for k, v in opt.state_dict()["param_groups"][0].items() if k not in ("maximize", "foreach")}
    opt.load_state_dict({"state": {0: {"step": 3, "mu_product": 0.5, "exp_avg": ndgrad.zeros(3),
                                       "exp_avg_sq": ndgrad.zeros(3)}}, "param_groups": [group]})
    assert isinstance(opt.state[p]["step"], ndgrad.Tensor) and float(opt.state[p]["step"]) == 3.0
    assert isinstance(opt.state[p]["mu_product"], ndgrad.Tensor)
    assert opt.param_groups[0]["maximize"] is False and opt.param_groups[0]["foreach"] is None


def test_load_state_dict_errors():
    for lib in (ndgrad, torch):
        a, b = lib.zeros(2, requires_grad=True), lib.zeros(2, requires_grad=True)
        sd = lib.optim.SGD([a, b]).state_dict()
        with pytest.raises(ValueError, match="loaded state dict has a different number of parameter groups"):
            lib.optim.SGD([{"params": [a]}, {"params": [b]}]).load_state_dict(sd)
        with pytest.raises(ValueError, match="loaded state dict contains a parameter group that doesn't match"):
            lib.optim.SGD([a]).load_state_dict(sd)


def test_state_dict_returns_live_buffers_like_torch():
    p = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    opt = ndgrad.optim.SGD([p], lr=0.1, momentum=0.9)
    p.grad = ndgrad.tensor([1.0, 1.0])
    opt.step()
    sd = opt.state_dict()
    opt.step()
    np.testing.assert_allclose(sd["state"][0]["momentum_buffer"].numpy(), [1.9, 1.9])


def test_sgd_without_momentum_keeps_no_state():
    for lib in (ndgrad, torch):
        _, opt, _ = train(lib, "SGD", dict(lr=0.1), 2)
        assert opt.state_dict()["state"] == {}


def test_adagrad_state_created_at_construction():
    for lib in (ndgrad, torch):
        p = lib.zeros(2, requires_grad=True)
        sd = lib.optim.Adagrad([p], initial_accumulator_value=0.5).state_dict()
        assert list(sd["state"][0]) == ["step", "sum"]
        np.testing.assert_array_equal(sd["state"][0]["sum"].numpy(), [0.5, 0.5])
        assert float(sd["state"][0]["step"]) == 0.0


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam"])
def test_params_without_grad_are_skipped(name):
    a = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    b = ndgrad.tensor([3.0, 4.0], requires_grad=True)
    kwargs = {"momentum": 0.9} if name == "SGD" else {}
    opt = getattr(ndgrad.optim, name)([a, b], lr=0.1, **kwargs)
    (a * a).sum().backward()
    opt.step()
    assert b.tolist() == [3.0, 4.0]
    assert a.tolist() != [1.0, 2.0]
    if name != "Adagrad":
        assert b not in opt.state


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam"])
def test_step_bumps_version_and_keeps_grad(name):
    p = ndgrad.tensor([1.0, -2.0], requires_grad=True)
    opt = getattr(ndgrad.optim, name)([p], lr=0.1, weight_decay=0.1, maximize=True)
    (p * p).sum().backward()
    g_before = p.grad.tolist()
    v = p._version
    opt.step()
    assert p._version == v + 1
    assert p.grad.tolist() == g_before  # weight decay / maximize never modify p.grad


def test_zero_grad():
    for lib in (ndgrad, torch):
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1)
        (p * p).sum().backward()
        g = p.grad
        opt.zero_grad(set_to_none=False)
        assert p.grad is g and p.grad.tolist() == [0.0, 0.0]
        opt.zero_grad()
        assert p.grad is None


def test_closure_returns_loss_and_runs_with_grad():
    for lib in (ndgrad, torch):
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        with lib.no_grad():
            loss = opt.step(closure)
        assert float(loss.detach()) == 5.0
        np.testing.assert_allclose(p.detach().numpy(), [0.8, 1.6])


def test_params_as_generator_dicts_and_names():
    p, q = ndgrad.zeros(2, requires_grad=True), ndgrad.zeros(3, requires_grad=True)
    opt = ndgrad.optim.Adam(x for x in [p, q])
    assert opt.param_groups[0]["params"] == [p, q]
    opt = ndgrad.optim.Adam([("w", p), ("b", q)], lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["w", "b"]
    t_opt = torch.optim.Adam([("w", torch.zeros(2, requires_grad=True)), ("b", torch.zeros(3, requires_grad=True))],
                             lr=0.1)
    assert opt.state_dict()["param_groups"] == t_opt.state_dict()["param_groups"]
    opt = ndgrad.optim.SGD([{"params": p}, {"params": [q], "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    assert [g["momentum"] for g in opt.param_groups] == [0, 0.9]


def test_add_param_group():
    for lib in (ndgrad, torch):
        p, q = lib.zeros(2, requires_grad=True), lib.zeros(2, requires_grad=True)
        opt = lib.optim.SGD([p], lr=0.1, momentum=0.9)
        opt.add_param_group({"params": q, "lr": 0.01})
        assert len(opt.param_groups) == 2
        assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.01
        with pytest.raises(ValueError, match="some parameters appear in more than one parameter group"):
            opt.add_param_group({"params": [p]})
        with pytest.raises(TypeError, match="param_group must be a dict"):
            opt.add_param_group([p])
        with pytest.raises(TypeError, match="optimizer parameters need to be organized in ordered collections"):
            opt.add_param_group({"params": {lib.zeros(1)}})
        with pytest.raises(ValueError, match="all optimizer param groups should be with/without names"):
            opt.add_param_group({"params": [("x", lib.zeros(1, requires_grad=True))]})


def test_duplicate_params_in_group_warn():
    for lib in (ndgrad, torch):
        p = lib.zeros(2, requires_grad=True)
        with pytest.warns(UserWarning, match="optimizer contains a parameter group with duplicate parameters"):
            lib.optim.SGD([p, p], lr=0.1)


OPT_ERRORS = [
    (lambda o, p: o.SGD([p], lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
    (lambda o, p: o.SGD([p], momentum=-1), ValueError, "Invalid momentum value: -1"),
    (lambda o, p: o.SGD([p], weight_decay=-1e-3), ValueError, "Invalid weight_decay value: -0.001"),
    (lambda o, p: o.SGD([p], nesterov=True), ValueError, "Nesterov momentum requires a momentum and zero dampening"),
    (lambda o, p: o.SGD([p], momentum=0.9, dampening=0.1, nesterov=True), ValueError,
     "Nesterov momentum requires a momentum and zero dampening"),
    (lambda o, p: o.Adam([p], lr=-1.0), ValueError, "Invalid learning rate: -1.0"),
    (lambda o, p: o.Adam([p], eps=-1e-8), ValueError, "Invalid epsilon value: -1e-08"),
    (lambda o, p: o.Adam([p], betas=(1.0, 0.999)), ValueError, "Invalid beta parameter at index 0: 1.0"),
    (lambda o, p: o.Adam([p], betas=(0.9, -0.1)), ValueError, "Invalid beta parameter at index 1: -0.1"),
    (lambda o, p: o.Adam([p], weight_decay=-1.0), ValueError, "Invalid weight_decay value: -1.0"),
    (lambda o, p: o.Adam([p], betas=(0, 0.99)), ValueError, "betas must be either both floats or both Tensors"),
    (lambda o, p: o.Adam([p], fused=True, foreach=True), RuntimeError, "`fused` and `foreach` cannot be `True`"),
    (lambda o, p: o.AdamW([p], betas=(0.9, 1.5)), ValueError, "Invalid beta parameter at index 1: 1.5"),
    (lambda o, p: o.RMSprop([p], alpha=-0.5), ValueError, "Invalid alpha value: -0.5"),
    (lambda o, p: o.RMSprop([p], momentum=-0.5), ValueError, "Invalid momentum value: -0.5"),
    (lambda o, p: o.RMSprop([p], eps=-1.0), ValueError, "Invalid epsilon value: -1.0"),
    (lambda o, p: o.Adagrad([p], lr_decay=-1.0), ValueError, "Invalid lr_decay value: -1.0"),
    (lambda o, p: o.Adagrad([p], initial_accumulator_value=-1.0), ValueError,
     "Invalid initial_accumulator_value value: -1.0"),
    (lambda o, p: o.Adamax([p], betas=(0.9, 1.0)), ValueError, "Invalid beta parameter at index 1: 1.0"),
    (lambda o, p: o.NAdam([p], momentum_decay=-1.0), ValueError, "Invalid momentum_decay value: -1.0"),
    (lambda o, p: o.RAdam([p], weight_decay=-1.0), ValueError, "Invalid weight_decay value: -1.0"),
    (lambda o, p: o.Adam(p), TypeError,
     "params argument given to the optimizer should be an iterable of Tensors or dicts, but got torch.FloatTensor"),
    (lambda o, p: o.Adam([]), ValueError, "optimizer got an empty parameter list"),
    (lambda o, p: o.Adam([p, 3]), TypeError, "optimizer can only optimize Tensors, but one of the params is int"),
    (lambda o, p: o.Adam([np.zeros(2)]), TypeError,
     "optimizer can only optimize Tensors, but one of the params is numpy.ndarray"),
    (lambda o, p: o.SGD([p * 2]), ValueError, "can't optimize a non-leaf Tensor"),
    (lambda o, p: o.SGD([{"params": [p]}, {"params": [p]}]), ValueError,
     "some parameters appear in more than one parameter group"),
    (lambda o, p: o.SGD([("a", p), p]), ValueError, "all optimizer params should be with/without names"),
]


@pytest.mark.parametrize("build,exc,msg", OPT_ERRORS)
def test_errors_match_torch(build, exc, msg):
    for lib in (ndgrad, torch):
        p = lib.zeros(2, requires_grad=True)
        with pytest.raises(exc) as info:
            build(lib.optim, p)
        assert msg in str(info.value), (lib.__name__, str(info.value))


def test_required_parameter_error():
    from ndgrad.optim.optimizer import required

    class MyOpt(ndgrad.optim.Optimizer):
        def __init__(self, params, lr=required):
            super().__init__(params, {"lr": lr})

    with pytest.raises(ValueError, match="didn't specify a value of required optimization parameter lr"):
        MyOpt([ndgrad.zeros(1, requires_grad=True)])
    assert MyOpt([{"params": [ndgrad.zeros(1, requires_grad=True)], "lr": 0.1}]).param_groups[0]["lr"] == 0.1


def test_repr_matches_torch():
    for name in ["SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam"]:
        n = getattr(ndgrad.optim, name)([ndgrad.zeros(2, requires_grad=True)], lr=0.5)
        t = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], lr=0.5)
        assert repr(n) == repr(t)


def test_tensor_lr():
    results = []
    for lib in (ndgrad, torch):
        p = lib.tensor([1.0, -2.0], dtype=lib.float64, requires_grad=True)
        opt = lib.optim.Adam([p], lr=lib.tensor(0.1))
        for _ in range(5):
            opt.zero_grad()
            (p * p * p).sum().backward()
            opt.step()
        results.append(p.detach().numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-7)


def test_step_hooks():
    p = ndgrad.zeros(2, requires_grad=True)
    opt = ndgrad.optim.SGD([p], lr=0.1)
    calls = []
    h1 = opt.register_step_pre_hook(lambda o, args, kwargs: calls.append(("pre", o is opt)))
    h2 = opt.register_step_post_hook(lambda o, args, kwargs: calls.append(("post", o is opt)))
    h3 = ndgrad.optim.optimizer.register_optimizer_step_pre_hook(lambda o, a, k: calls.append(("global", 1)))
    opt.step()
    assert calls == [("global", 1), ("pre", True), ("post", True)]
    for h in (h1, h2, h3):
        h.remove()
    opt.step()
    assert len(calls) == 3


def test_state_dict_hooks():
    p = ndgrad.zeros(2, requires_grad=True)
    opt = ndgrad.optim.SGD([p], lr=0.1)
    opt.register_state_dict_post_hook(lambda o, sd: dict(sd, extra=1))
    assert opt.state_dict()["extra"] == 1
    seen = []
    opt.register_load_state_dict_post_hook(lambda o: seen.append(o))
    opt.load_state_dict(opt.state_dict())
    assert seen == [opt]


def test_deepcopy_and_pickle():
    _, opt, params = train(ndgrad, "Adam", dict(lr=0.01), 3)
    for clone in (copy.deepcopy(opt), pickle.loads(pickle.dumps(opt))):
        assert clone.defaults == opt.defaults
        assert len(clone.state) == 4
        (cp,) = [k for k in clone.state if k.shape == params[0].shape]
        np.testing.assert_array_equal(clone.state[cp]["exp_avg"].numpy(), opt.state[params[0]]["exp_avg"].numpy())
        clone.zero_grad()
        clone.step()  # still works: hooks and work buffers are rebuilt


def test_custom_optimizer_written_torch_style():
    """A user optimizer that updates parameters with tensor ops under no_grad, as torch users write."""

    class PlainSGD(ndgrad.optim.Optimizer):
        def __init__(self, params, lr=0.1):
            super().__init__(params, {"lr": lr})

        @ndgrad.no_grad()
        def step(self, closure=None):
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        p.sub_(p.grad * group["lr"])

    p = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    opt = PlainSGD([p])
    calls = []
    opt.register_step_post_hook(lambda *a: calls.append(1))
    (p * p).sum().backward()
    opt.step()
    np.testing.assert_allclose(p.detach().numpy(), [0.8, 1.6])
    assert calls == [1]


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam"])
def test_complex_params_match_torch(name):
    z0 = np.array([1 + 2j, -0.5 + 0.3j, 2 - 1j])
    kwargs = {"lr": 0.05, "momentum": 0.9} if name in ("SGD", "RMSprop") else {"lr": 0.05}
    results = []
    for lib in (ndgrad, torch):
        z = lib.tensor(z0.copy(), requires_grad=True)
        opt = getattr(lib.optim, name)([z], **kwargs)
        for _ in range(20):
            opt.zero_grad()
            z.grad = lib.tensor(np.conj(z.detach().numpy()) * 0 + z.detach().numpy() * (1 - 0.5j))
            opt.step()
        results.append(z.detach().numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-9)


def test_no_warnings_on_ordinary_use():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train(ndgrad, "Adam", dict(lr=0.01), 3)


def test_mlp_module_with_dataloader_and_scheduler_matches_torch():
    """nn.Linear layers (weights copied from torch), a DataLoader and a scheduler: the whole training
    loop follows torch's to float64 precision."""
    nn = pytest.importorskip("ndgrad.nn")
    if not hasattr(nn, "Sequential") or not hasattr(nn, "Linear"):
        pytest.skip("nn.Sequential / nn.Linear not available yet")
    torch.manual_seed(0)
    t_model = torch.nn.Sequential(torch.nn.Linear(4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3)).double()
    n_model = nn.Sequential(nn.Linear(4, 16), nn.Tanh(), nn.Linear(16, 3))
    for n_p, t_p in zip(n_model.parameters(), t_model.parameters()):
        n_p.data = ndgrad.tensor(t_p.detach().numpy().copy())
    results = []
    for lib, model in ((ndgrad, n_model), (torch, t_model)):
        ds = lib.utils.data.TensorDataset(lib.tensor(np.tile(X, (4, 1))), lib.tensor(np.tile(Y, (4, 1))))
        loader = lib.utils.data.DataLoader(ds, batch_size=10)
        opt = lib.optim.AdamW(model.parameters(), lr=0.01, weight_decay=0.05)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.05, total_steps=7 * len(loader))
        for _ in range(7):
            for x, y in loader:
                opt.zero_grad()
                loss = ((model(x) - y) ** 2).mean()
                loss.backward()
                opt.step()
                sched.step()
        results.append([p.detach().numpy().copy() for p in model.parameters()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("name,kwargs", [CASES[1], CASES[7], CASES[16], CASES[18], CASES[25]],
                         ids=[IDS[i] for i in (1, 7, 16, 18, 25)])
def test_checkpoint_interchange_with_torch(name, kwargs, tmp_path):
    """ndgrad.save of an optimizer state dict loads in torch and vice versa; training continues alike."""
    _, n_opt, n_params = train(ndgrad, name, kwargs, 5)
    ndgrad.save(n_opt.state_dict(), tmp_path / "n.pt")
    t_params = [torch.tensor(p.detach().numpy().copy(), requires_grad=True) for p in n_params]
    t_opt = getattr(torch.optim, name)(t_params)
    t_opt.load_state_dict(torch.load(tmp_path / "n.pt"))
    torch.save(t_opt.state_dict(), tmp_path / "t.pt")
    n_opt2 = getattr(ndgrad.optim, name)(n_params)
    n_opt2.load_state_dict(ndgrad.load(tmp_path / "t.pt"))
    n, _, _ = train(ndgrad, name, kwargs, 10, params=n_params, opt=n_opt2)
    t, _, _ = train(torch, name, kwargs, 10, params=t_params, opt=t_opt)
    for a, b in zip(n, t):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-11)


def test_subclass_calling_super_step_runs_hooks_once():
    class LoggedAdam(ndgrad.optim.Adam):
        def step(self, closure=None):
            return super().step(closure)

    p = ndgrad.tensor([1.0], requires_grad=True)
    opt = LoggedAdam([p])
    calls = []
    opt.register_step_pre_hook(lambda *a: calls.append("pre"))
    p.grad = ndgrad.tensor([1.0])
    opt.step()
    assert calls == ["pre"] and float(opt.state[p]["step"]) == 1.0
