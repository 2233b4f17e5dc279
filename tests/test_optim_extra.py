"""Adadelta, Rprop, ASGD, LBFGS and Adafactor: trajectories, state dicts and errors, compared with torch."""
import copy
import re

import numpy as np
import pytest
import torch

import ndgrad
from test_optim import INIT, X, Y, make_params, mlp_loss, train

LIBS = (ndgrad, torch)

# Adafactor with a tiny eps1 (and lr ≥ 0.02 here) lets near-zero gradient entries make O(1) updates,
# so its runs amplify last-bit differences (of the autograds, of norm reductions) to 1e-6 within 100
# steps, even when fed the same gradients; the configurations below stay out of that regime.
CASES = [
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.5, eps=1e-4)),
    ("Adadelta", dict(rho=0.95, weight_decay=0.1)),
    ("Adadelta", dict(lr=0.3, weight_decay=0.05, maximize=True)),
    ("Rprop", dict()),
    ("Rprop", dict(lr=0.001, etas=(0.3, 1.5), step_sizes=(1e-4, 0.05))),
    ("Rprop", dict(lr=0.05, etas=(0.7, 1.1), step_sizes=(0.01, 1))),
    ("Rprop", dict(lr=0.001, step_sizes=(1e-6, 0.01), maximize=True)),
    ("ASGD", dict()),
    ("ASGD", dict(lr=0.05, t0=20, lambd=1e-2, alpha=0.5)),
    ("ASGD", dict(lr=0.1, t0=0, lambd=0.1, alpha=1.0, weight_decay=0.05)),
    ("ASGD", dict(lr=0.005, t0=10, weight_decay=0.01, maximize=True)),
    ("Adafactor", dict()),
    ("Adafactor", dict(lr=0.01, weight_decay=0.1)),
    ("Adafactor", dict(beta2_decay=-0.5, eps=(1e-3, 1e-2), d=2.0)),
    ("Adafactor", dict(lr=0.02, weight_decay=0.5, eps=(1e-3, 1e-3))),
    ("Adafactor", dict(lr=0.005, eps=(1e-8, 1e-3), weight_decay=0.01, maximize=True)),
]
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items())}" for n, kw in CASES]
NAMES = ["Adadelta", "Rprop", "ASGD", "Adafactor"]


def close(ours, theirs, rtol=1e-9, atol=1e-11):
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_trajectory_matches_torch_float64(name, kwargs):
    n, _, _ = train(ndgrad, name, kwargs, 100)
    t, _, _ = train(torch, name, kwargs, 100)
    close(n, t)
    assert max(np.abs(a - INIT[k]).max() for a, k in zip(t, ("W1", "b1", "W2", "b2"))) > 1e-2  # it did move


@pytest.mark.parametrize("name,kwargs", CASES[::2], ids=IDS[::2])
def test_trajectory_matches_torch_float32_and_keeps_dtype(name, kwargs):
    n, opt, _ = train(ndgrad, name, kwargs, 30, dtype="float32")
    t, _, _ = train(torch, name, kwargs, 30, dtype="float32")
    for a in n:
        assert a.dtype == np.float32
    close(n, t, rtol=1e-4, atol=1e-5)
    for s in opt.state.values():
        for k, v in s.items():
            assert v.dtype == (ndgrad.float32 if k not in ("step", "eta", "mu") else ndgrad.get_default_dtype())


@pytest.mark.parametrize("name", NAMES)
def test_param_groups_with_own_lr(name):
    n, n_opt, _ = train(ndgrad, name, {"lr": 0.02}, 50, groups=True)
    t, t_opt, _ = train(torch, name, {"lr": 0.02}, 50, groups=True)
    close(n, t)
    assert [g["lr"] for g in n_opt.param_groups] == [g["lr"] for g in t_opt.param_groups] == [0.01, 0.02]


@pytest.mark.parametrize("name,kwargs", CASES, ids=IDS)
def test_state_dict_layout_matches_torch(name, kwargs):
    _, n_opt, _ = train(ndgrad, name, kwargs, 7, groups=True)
    _, t_opt, _ = train(torch, name, kwargs, 7, groups=True)
    n_sd, t_sd = n_opt.state_dict(), t_opt.state_dict()
    assert list(n_sd) == ["state", "param_groups"]
    assert n_sd["param_groups"] == t_sd["param_groups"]
    assert [list(g) for g in n_sd["param_groups"]] == [list(g) for g in t_sd["param_groups"]]
    assert list(n_sd["state"]) == list(t_sd["state"]) == [0, 1, 2, 3]
    for k in t_sd["state"]:
        n_s, t_s = n_sd["state"][k], t_sd["state"][k]
        assert list(n_s) == list(t_s), (k, list(n_s), list(t_s))
        for key in t_s:
            assert isinstance(n_s[key], ndgrad.Tensor)
            assert str(n_s[key].dtype) == str(t_s[key].dtype), key
            assert tuple(n_s[key].shape) == tuple(t_s[key].shape), key
            np.testing.assert_allclose(n_s[key].numpy(), t_s[key].numpy(), rtol=1e-9, atol=1e-12, err_msg=key)
    assert float(n_sd["state"][0]["step"]) == 7.0 and n_sd["state"][0]["step"].dim() == 0


def test_state_keys_per_optimizer():
    """The buffers each optimizer keeps, in torch's order; Adafactor factors matrices only."""
    expected = {"Adadelta": ["step", "square_avg", "acc_delta"], "Rprop": ["step", "prev", "step_size"],
                "ASGD": ["step", "eta", "mu", "ax"]}
    for lib in LIBS:
        for name, keys in expected.items():
            _, opt, params = train(lib, name, {}, 2)
            assert [list(opt.state[p]) for p in params] == [keys] * 4
        _, opt, params = train(lib, "Adafactor", {}, 2)
        assert [list(opt.state[p]) for p in params] == [["step", "row_var", "col_var"], ["step", "variance"]] * 2
        assert [tuple(opt.state[params[0]][k].shape) for k in ("row_var", "col_var")] == [(4, 1), (1, 8)]


@pytest.mark.parametrize("name", NAMES)
def test_repr_matches_torch(name):
    n = getattr(ndgrad.optim, name)([ndgrad.zeros(2, requires_grad=True)], lr=0.5)
    t = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], lr=0.5)
    assert repr(n) == repr(t)


@pytest.mark.parametrize("name,kwargs", CASES[1::2], ids=IDS[1::2])
def test_state_dict_roundtrip_resumes_training(name, kwargs):
    full, _, _ = train(ndgrad, name, kwargs, 20)
    _, opt, params = train(ndgrad, name, kwargs, 10)
    sd = copy.deepcopy(opt.state_dict())
    params2 = [ndgrad.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    opt2 = getattr(ndgrad.optim, name)(params2, lr=123.0)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == kwargs.get("lr", opt.defaults["lr"])
    resumed, _, _ = train(ndgrad, name, kwargs, 10, params=params2, opt=opt2)
    close(resumed, full, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name,kwargs", CASES[::3], ids=IDS[::3])
def test_load_torch_state_dict_and_continue_like_torch(name, kwargs):
    _, t_opt, t_params = train(torch, name, kwargs, 10)
    t_sd = t_opt.state_dict()
    n_sd = {"state": {k: {kk: ndgrad.tensor(vv.numpy()) for kk, vv in v.items()} for k, v in t_sd["state"].items()},
            "param_groups": t_sd["param_groups"]}
    n_params = [ndgrad.tensor(p.detach().numpy().copy(), requires_grad=True) for p in t_params]
    n_opt = getattr(ndgrad.optim, name)(n_params)
    n_opt.load_state_dict(n_sd)
    t_opt.load_state_dict(t_sd)
    assert [list(g) for g in n_opt.param_groups] == [list(g) for g in t_opt.param_groups]
    n, _, _ = train(ndgrad, name, kwargs, 15, params=n_params, opt=n_opt)
    t, _, _ = train(torch, name, kwargs, 15, params=t_params, opt=t_opt)
    close(n, t)


def test_asgd_eta_and_mu_follow_torch_rounding_and_averaging():
    """eta and mu live in float32 0-d tensors (the default scalar dtype), float64 once loaded into a
    float64 model; ax averages from step t0 on."""
    kwargs = dict(lr=0.05, t0=5, lambd=1e-3, alpha=0.6)
    states = []
    for lib in LIBS:
        _, opt, params = train(lib, "ASGD", kwargs, 12)
        s = opt.state[params[0]]
        assert s["eta"].dtype == lib.float32 and s["mu"].dtype == lib.float32
        states.append({k: s[k].detach().numpy().copy() for k in s})
        np.testing.assert_array_equal(float(s["mu"]), np.float32(1 / 7))
        opt.load_state_dict(opt.state_dict())
        assert opt.state[params[0]]["eta"].dtype == lib.float64  # cast to the parameter's dtype, as torch
    for k in states[1]:
        np.testing.assert_allclose(states[0][k], states[1][k], rtol=1e-12, atol=1e-14, err_msg=k)


def test_asgd_old_checkpoint_with_python_scalars():
    p = ndgrad.zeros(3, requires_grad=True)
    opt = ndgrad.optim.ASGD([p])
    group = opt.state_dict()["param_groups"][0]
    opt.load_state_dict({"state": {0: {"step": 3, "eta": 0.01, "mu": 1.0, "ax": ndgrad.zeros(3)}},
                         "param_groups": [group]})
    for key in ("step", "eta", "mu"):
        assert isinstance(opt.state[p][key], ndgrad.Tensor) and opt.state[p][key].dim() == 0


def test_adafactor_factors_matrices_and_batches_like_torch():
    """A 3-d parameter (factored over its last two dims), a matrix, a vector and a 0-d scalar."""
    rng = np.random.default_rng(5)
    inits = [rng.standard_normal(s) for s in [(2, 3, 4), (5, 2), (3,), ()]]
    targets = [rng.standard_normal(s) for s in [(2, 3, 4), (5, 2), (3,), ()]]
    for kwargs in [dict(), dict(lr=0.05, weight_decay=0.1, d=1.5), dict(eps=(1e-12, 0.1), beta2_decay=-0.3)]:
        results = []
        for lib in LIBS:
            params = [lib.tensor(a, requires_grad=True) for a in inits]
            opt = lib.optim.Adafactor(params, **kwargs)
            for _ in range(40):
                opt.zero_grad()
                loss = sum((((p - lib.tensor(t)) ** 2) * (1 + i)).sum()
                           for i, (p, t) in enumerate(zip(params, targets)))
                loss.backward()
                opt.step()
            results.append(([p.detach().numpy().copy() for p in params],
                            [{k: v.numpy().copy() for k, v in opt.state[p].items()} for p in params]))
        close(results[0][0], results[1][0], rtol=1e-10, atol=1e-12)
        for n_s, t_s in zip(results[0][1], results[1][1]):
            assert list(n_s) == list(t_s)
            for k in t_s:
                assert n_s[k].shape == t_s[k].shape
                np.testing.assert_allclose(n_s[k], t_s[k], rtol=1e-10, atol=1e-14)
    assert [list(s) for s in results[0][1]] == [["step", "row_var", "col_var"]] * 2 + [["step", "variance"]] * 2


def test_adafactor_eps1_default_is_machine_epsilon_of_first_param():
    """eps1=None takes finfo(dtype).eps of the group's first updated parameter (torch's quirk): a
    float64 parameter after a float32 one uses float32's epsilon as floor."""
    results = []
    for lib in LIBS:
        a = lib.tensor(np.ones(3, np.float32), requires_grad=True)
        b = lib.tensor(np.zeros(4), requires_grad=True)
        opt = lib.optim.Adafactor([a, b])
        a.grad = lib.ones(3, dtype=lib.float32)
        b.grad = lib.tensor([1e-5, 0.0, -1e-9, 3.0], dtype=lib.float64)
        opt.step()
        results.append(b.detach().numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12)


@pytest.mark.parametrize("name", ["Adadelta", "Rprop", "ASGD"])
def test_complex_params_match_torch(name):
    z0 = np.array([1 + 2j, -0.5 + 0.3j, 2 - 1j])
    results = []
    for lib in LIBS:
        z = lib.tensor(z0.copy(), requires_grad=True)
        opt = getattr(lib.optim, name)([z], lr=0.05)
        for _ in range(20):
            opt.zero_grad()
            z.grad = lib.tensor(z.detach().numpy() * (1 - 0.5j) - 0.3)
            opt.step()
        results.append(z.detach().numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-9)


@pytest.mark.parametrize("name", NAMES)
def test_params_without_grad_are_skipped_and_grad_is_kept(name):
    a = ndgrad.tensor([1.0, -2.0], requires_grad=True)
    b = ndgrad.tensor([3.0, 4.0], requires_grad=True)
    kwargs = {"weight_decay": 0.1} if name != "Rprop" else {}
    opt = getattr(ndgrad.optim, name)([a, b], lr=0.1, maximize=True, **kwargs)
    (a * a).sum().backward()
    g_before, v = a.grad.tolist(), a._version
    opt.step()
    assert b.tolist() == [3.0, 4.0] and b not in opt.state
    assert a.tolist() != [1.0, -2.0] and a._version == v + 1
    assert a.grad.tolist() == g_before  # weight decay / maximize never modify p.grad


def test_step_counters_follow_default_dtype():
    old = ndgrad.get_default_dtype()
    try:
        ndgrad.set_default_dtype(ndgrad.float64)
        for name in NAMES:
            q = ndgrad.zeros(2, dtype=ndgrad.float32, requires_grad=True)
            q.grad = ndgrad.ones(2, dtype=ndgrad.float32)
            opt = getattr(ndgrad.optim, name)([q])
            opt.step()
            assert opt.state[q]["step"].dtype == ndgrad.float64
    finally:
        ndgrad.set_default_dtype(old)


OPT_ERRORS = [
    (lambda o, p: o.Adadelta([p], lr=-0.1), ValueError, "Invalid learning rate: -0.1"),
    (lambda o, p: o.Adadelta([p], rho=1.5), ValueError, "Invalid rho value: 1.5"),
    (lambda o, p: o.Adadelta([p], rho=-0.1), ValueError, "Invalid rho value: -0.1"),
    (lambda o, p: o.Adadelta([p], eps=-1.0), ValueError, "Invalid epsilon value: -1.0"),
    (lambda o, p: o.Adadelta([p], weight_decay=-1e-3), ValueError, "Invalid weight_decay value: -0.001"),
    (lambda o, p: o.Rprop([p], lr=-1.0), ValueError, "Invalid learning rate: -1.0"),
    (lambda o, p: o.Rprop([p], etas=(1.0, 1.2)), ValueError, "Invalid eta values: 1.0, 1.2"),
    (lambda o, p: o.Rprop([p], etas=(0.5, 1.0)), ValueError, "Invalid eta values: 0.5, 1.0"),
    (lambda o, p: o.Rprop([p], etas=(0.0, 2)), ValueError, "Invalid eta values: 0.0, 2"),
    (lambda o, p: o.ASGD([p], lr=-0.5), ValueError, "Invalid learning rate: -0.5"),
    (lambda o, p: o.ASGD([p], weight_decay=-0.5), ValueError, "Invalid weight_decay value: -0.5"),
    (lambda o, p: o.Adafactor([p], lr=-0.5), ValueError, "Learning rate should be >= 0 but is: -0.5"),
    (lambda o, p: o.Adafactor([p], beta2_decay=0.5), ValueError, "beta2_decay should be <= 0 but is: 0.5"),
    (lambda o, p: o.Adafactor([p], eps=(-1.0, 1e-3)), ValueError, "epsilon1 should be >= 0 but is: -1.0"),
    (lambda o, p: o.Adafactor([p], eps=(None, -1e-3)), ValueError, "epsilon2 should be >= 0 but is: -0.001"),
    (lambda o, p: o.Adafactor([p], d=0.5), ValueError, "Clipping threshold d should be >= 1 but is: 0.5"),
    (lambda o, p: o.Adafactor([p], weight_decay=-0.1), ValueError, "weight_decay should be >= 0 but is: -0.1"),
    (lambda o, p: o.Adafactor([p], capturable=True), TypeError, "unexpected keyword argument 'capturable'"),
    (lambda o, p: o.LBFGS([p], lr=-1), ValueError, "Invalid learning rate: -1"),
    (lambda o, p: o.LBFGS([{"params": [p]}, {"params": [p * 1]}]), ValueError, "can't optimize a non-leaf Tensor"),
    (lambda o, p: o.LBFGS([{"params": [p]}, {"params": [p.detach().clone().requires_grad_()]}]), ValueError,
     "LBFGS doesn't support per-parameter options (parameter groups)"),
    (lambda o, p: o.LBFGS([p], foreach=True), TypeError, "unexpected keyword argument 'foreach'"),
    (lambda o, p: o.LBFGS([]), ValueError, "optimizer got an empty parameter list"),
    (lambda o, p: o.LBFGS([p]).step(), TypeError, "step() missing 1 required positional argument: 'closure'"),
]


@pytest.mark.parametrize("build,exc,msg", OPT_ERRORS)
def test_errors_match_torch(build, exc, msg):
    for lib in LIBS:
        p = lib.zeros(2, requires_grad=True)
        with pytest.raises(exc, match=re.escape(msg)):
            build(lib.optim, p)


def test_flags_accepted_and_stored_like_torch():
    for name, flags in [("Adadelta", dict(foreach=False, capturable=False, differentiable=False)),
                        ("Rprop", dict(foreach=True, capturable=False, differentiable=False)),
                        ("ASGD", dict(foreach=False, capturable=False, differentiable=False)),
                        ("Adafactor", dict(foreach=False))]:
        groups = [getattr(lib.optim, name)([lib.zeros(2, requires_grad=True)], **flags).param_groups[0]
                  for lib in LIBS]
        assert {k: v for k, v in groups[0].items() if k != "params"} == \
            {k: v for k, v in groups[1].items() if k != "params"}


def test_adafactor_refuses_complex_params_before_updating():
    for lib in LIBS:
        a = lib.tensor([1.0, 2.0], requires_grad=True)
        z = lib.tensor([1 + 1j], requires_grad=True)
        opt = lib.optim.Adafactor([a, z])
        a.grad, z.grad = lib.ones(2), lib.ones(1, dtype=z.dtype)
        with pytest.raises(RuntimeError, match="Adafactor does not support complex parameters"):
            opt.step()
        assert a.tolist() == [1.0, 2.0]


def test_load_state_dict_adds_no_group_flags_torch_does_not():
    """Loading fills missing flags into groups as each torch optimizer does: LBFGS none, Adafactor
    ``foreach`` only (torch adds ``differentiable`` to ``defaults`` only)."""
    for name, missing in [("LBFGS", "line_search_fn"), ("Adafactor", "foreach"), ("ASGD", "capturable")]:
        groups, defaults = [], []
        for lib in LIBS:
            opt = getattr(lib.optim, name)([lib.zeros(2, requires_grad=True)])
            sd = opt.state_dict()
            del sd["param_groups"][0][missing]
            opt.load_state_dict(sd)
            groups.append(sorted(opt.param_groups[0]))
            defaults.append(opt.defaults)
        assert groups[0] == groups[1] and defaults[0] == defaults[1]


# -- LBFGS -------------------------------------------------------------------------------------

def train_lbfgs(lib, kwargs, steps, dtype="float64", params=None, opt=None):
    """``steps`` calls of ``opt.step(closure)`` on the MLP; returns the parameters, the optimizer,
    the parameter tensors and the losses step returned."""
    params = params if params is not None else make_params(lib, dtype)
    x, y = lib.tensor(X.astype(dtype)), lib.tensor(Y.astype(dtype))
    opt = opt if opt is not None else lib.optim.LBFGS(params, **kwargs)

    def closure():
        opt.zero_grad()
        loss = mlp_loss(params, x, y)
        loss.backward()
        return loss

    losses = [float(opt.step(closure).detach()) for _ in range(steps)]
    return [p.detach().numpy().copy() for p in params], opt, params, losses


LBFGS_CASES = [
    (dict(), 3),
    (dict(lr=0.5, max_iter=5), 10),
    (dict(lr=0.1, history_size=2, max_iter=3), 10),
    (dict(lr=0.3, max_iter=10, history_size=5, tolerance_change=1e-5), 3),
    (dict(line_search_fn="strong_wolfe"), 3),
    (dict(line_search_fn="strong_wolfe", history_size=3, max_iter=7), 3),
    (dict(line_search_fn="strong_wolfe", max_iter=4, max_eval=6), 10),
    (dict(line_search_fn="strong_wolfe", lr=0.2, max_iter=15, history_size=4), 2),
]
LBFGS_IDS = [f"{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}-x{n}" for kw, n in LBFGS_CASES]


def lbfgs_counters(opt):
    s = opt.state[opt.param_groups[0]["params"][0]]
    return s["func_evals"], s["n_iter"]


@pytest.mark.parametrize("kwargs,steps", LBFGS_CASES, ids=LBFGS_IDS)
def test_lbfgs_trajectory_matches_torch_float64(kwargs, steps):
    n, n_opt, _, n_losses = train_lbfgs(ndgrad, kwargs, steps)
    t, t_opt, _, t_losses = train_lbfgs(torch, kwargs, steps)
    close(n, t)
    np.testing.assert_allclose(n_losses, t_losses, rtol=1e-9)
    assert lbfgs_counters(n_opt) == lbfgs_counters(t_opt)  # same iterations and closure calls
    assert t_losses[-1] < 0.5 * t_losses[0]


@pytest.mark.parametrize("kwargs", [kw for kw, _ in LBFGS_CASES[::3]], ids=LBFGS_IDS[::3])
def test_lbfgs_float32_keeps_dtype(kwargs):
    n, n_opt, _, n_losses = train_lbfgs(ndgrad, kwargs, 1, dtype="float32")
    t, t_opt, _, t_losses = train_lbfgs(torch, kwargs, 1, dtype="float32")
    close(n, t, rtol=2e-3, atol=2e-4)
    assert all(a.dtype == np.float32 for a in n)
    s = n_opt.state_dict()["state"][0]
    for key in ("d", "prev_flat_grad"):
        assert s[key].dtype == ndgrad.float32
    assert all(v.dtype == ndgrad.float32 for v in s["old_dirs"] + s["old_stps"] + s["ro"])


def rosenbrock(arrays):
    """Value and gradient of the Rosenbrock function of the arrays' concatenated entries (NumPy)."""
    x = np.concatenate([a.ravel() for a in arrays])
    f = np.sum(100 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)
    g = np.zeros_like(x)
    g[:-1] += -400 * x[:-1] * (x[1:] - x[:-1] ** 2) - 2 * (1 - x[:-1])
    g[1:] += 200 * (x[1:] - x[:-1] ** 2)
    return f, np.split(g, np.cumsum([a.size for a in arrays])[:-1])


def run_numpy_objective(lib, objective, inits, kwargs, steps):
    """LBFGS on ``objective`` (arrays -> value, gradients, in NumPy): the gradients handed to
    ndgrad and torch are the same, so only the optimizers' own arithmetic can differ."""
    params = [lib.tensor(np.array(a, dtype=np.float64), requires_grad=True) for a in inits]
    opt = lib.optim.LBFGS(params, **kwargs)

    def closure():
        opt.zero_grad()
        f, grads = objective([p.detach().numpy() for p in params])
        for p, g in zip(params, grads):
            p.grad = lib.tensor(np.reshape(g, p.shape))
        return lib.tensor(f)

    losses = [float(opt.step(closure)) for _ in range(steps)]
    return [p.detach().numpy().copy() for p in params], losses, lbfgs_counters(opt)


def elementwise(f, df):
    return lambda arrays: (float(sum(np.sum(f(a)) for a in arrays)), [df(a) for a in arrays])


ROSEN_INIT = [np.random.default_rng(1).standard_normal((3, 4)) * 0.5, np.random.default_rng(2).standard_normal(5) * 0.5]
OBJECTIVES = [  # (objective, initial arrays, LBFGS arguments, steps)
    (rosenbrock, ROSEN_INIT, dict(line_search_fn="strong_wolfe"), 1),
    (rosenbrock, ROSEN_INIT, dict(line_search_fn="strong_wolfe", history_size=3, max_iter=7), 3),
    (rosenbrock, ROSEN_INIT, dict(lr=0.1, history_size=2, max_iter=3), 30),
    (rosenbrock, ROSEN_INIT, dict(lr=0.5, max_iter=5), 3),
    # a first trial far too long: Armijo fails inside the zoom, the old low end becomes the high one
    (rosenbrock, ROSEN_INIT, dict(line_search_fn="strong_wolfe", lr=100, max_iter=10), 3),
    # |x| never meets the curvature condition: the zoom runs until the bracket is tiny
    (elementwise(np.abs, np.sign), [[0.3]], dict(line_search_fn="strong_wolfe", max_iter=100), 2),
    (elementwise(np.abs, np.sign), [[2.0, -1.5, 0.7]], dict(line_search_fn="strong_wolfe", lr=3, max_iter=50), 2),
    # trials at the bracket's ends: moved 10% inside after insufficient progress
    (elementwise(lambda x: np.sin(3 * x) + 0.1 * x ** 2, lambda x: 3 * np.cos(3 * x) + 0.2 * x), [[0.3]],
     dict(line_search_fn="strong_wolfe", lr=50, max_iter=10), 2),
    # cubics without a real minimizer: the bracket's middle is tried
    (elementwise(lambda x: x ** 4 - 3 * x ** 2 + x, lambda x: 4 * x ** 3 - 6 * x + 1), [[2.0, -1.5, 0.7]],
     dict(line_search_fn="strong_wolfe", lr=0.01, max_iter=10), 2),
]


@pytest.mark.parametrize("objective,inits,kwargs,steps", OBJECTIVES)
def test_lbfgs_with_the_same_gradients_as_torch(objective, inits, kwargs, steps):
    """Rosenbrock and 1-d functions chosen to reach every branch of the strong Wolfe search."""
    n = run_numpy_objective(ndgrad, objective, inits, kwargs, steps)
    t = run_numpy_objective(torch, objective, inits, kwargs, steps)
    close(n[0], t[0])
    np.testing.assert_allclose(n[1], t[1], rtol=1e-9)
    assert n[2] == t[2]  # same iterations and closure calls


def lbfgs_kinds(v, lib):
    """A state value's structure: tensors as (dtype, shape), Python numbers by type, lists itemwise."""
    if isinstance(v, lib.Tensor):
        return ("tensor", str(v.dtype), tuple(v.shape))
    if isinstance(v, list):
        return [lbfgs_kinds(x, lib) for x in v]
    return type(v).__name__


@pytest.mark.parametrize("kwargs", [dict(), dict(line_search_fn="strong_wolfe", history_size=3, max_iter=7),
                                    dict(lr=0.1, history_size=2, max_iter=3)])
@pytest.mark.parametrize("steps", [1, 2])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_lbfgs_state_dict_layout_matches_torch(kwargs, steps, dtype):
    _, n_opt, _, _ = train_lbfgs(ndgrad, kwargs, steps, dtype)
    _, t_opt, _, _ = train_lbfgs(torch, kwargs, steps, dtype)
    n_sd, t_sd = n_opt.state_dict(), t_opt.state_dict()
    assert n_sd["param_groups"] == t_sd["param_groups"]
    assert [list(g) for g in n_sd["param_groups"]] == [list(g) for g in t_sd["param_groups"]]
    assert list(n_sd["state"]) == list(t_sd["state"]) == [0]  # all state under the first parameter
    n_s, t_s = n_sd["state"][0], t_sd["state"][0]
    assert list(n_s) == list(t_s)
    for key in t_s:
        assert lbfgs_kinds(n_s[key], ndgrad) == lbfgs_kinds(t_s[key], torch), key
    assert (n_s["func_evals"], n_s["n_iter"]) == (t_s["func_evals"], t_s["n_iter"])
    if dtype == "float64":  # float32 runs drift apart over the iterations (see the float32 test)
        np.testing.assert_allclose(n_s["d"].numpy(), t_s["d"].numpy(), rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(n_s["prev_loss"], t_s["prev_loss"], rtol=1e-9)


def test_lbfgs_repr_and_defaults_match_torch():
    n = ndgrad.optim.LBFGS([ndgrad.zeros(2, requires_grad=True)], max_iter=8, line_search_fn="strong_wolfe")
    t = torch.optim.LBFGS([torch.zeros(2, requires_grad=True)], max_iter=8, line_search_fn="strong_wolfe")
    assert repr(n) == repr(t) and n.defaults == t.defaults and n.defaults["max_eval"] == 10


@pytest.mark.parametrize("kwargs", [dict(lr=0.5, max_iter=5), dict(line_search_fn="strong_wolfe", max_iter=4)])
def test_lbfgs_state_dict_roundtrip_resumes_training(kwargs):
    full, _, _, _ = train_lbfgs(ndgrad, kwargs, 6)
    _, opt, params, _ = train_lbfgs(ndgrad, kwargs, 3)
    sd = copy.deepcopy(opt.state_dict())
    params2 = [ndgrad.tensor(p.detach().numpy().copy(), requires_grad=True) for p in params]
    opt2 = ndgrad.optim.LBFGS(params2, lr=123.0)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[0]["lr"] == kwargs.get("lr", 1)
    resumed, _, _, _ = train_lbfgs(ndgrad, kwargs, 3, params=params2, opt=opt2)
    close(resumed, full, rtol=1e-12, atol=1e-14)
    clone = copy.deepcopy(opt2)  # a deep copy keeps working (its parameters are its group's)
    train_lbfgs(ndgrad, kwargs, 1, params=clone.param_groups[0]["params"], opt=clone)


@pytest.mark.parametrize("kwargs", [dict(lr=0.5, max_iter=5), dict(line_search_fn="strong_wolfe", history_size=3,
                                                                    max_iter=7)])
def test_lbfgs_load_torch_state_dict_and_continue_like_torch(kwargs):
    _, t_opt, t_params, _ = train_lbfgs(torch, kwargs, 2)

    def convert(v):
        if isinstance(v, torch.Tensor):
            return ndgrad.tensor(v.numpy())
        return [convert(x) for x in v] if isinstance(v, list) else v

    t_sd = t_opt.state_dict()
    n_sd = {"state": {k: {kk: convert(vv) for kk, vv in v.items()} for k, v in t_sd["state"].items()},
            "param_groups": t_sd["param_groups"]}
    n_params = [ndgrad.tensor(p.detach().numpy().copy(), requires_grad=True) for p in t_params]
    n_opt = ndgrad.optim.LBFGS(n_params)
    n_opt.load_state_dict(n_sd)
    n, _, _, n_losses = train_lbfgs(ndgrad, kwargs, 2, params=n_params, opt=n_opt)
    t, _, _, t_losses = train_lbfgs(torch, kwargs, 2, params=t_params, opt=t_opt)
    close(n, t)
    assert lbfgs_counters(n_opt) == lbfgs_counters(t_opt)


def test_lbfgs_checkpoint_interchange_with_torch(tmp_path):
    """State with lists of tensors and None entries survives ndgrad.save -> torch.load and back."""
    kwargs = dict(line_search_fn="strong_wolfe", history_size=4, max_iter=5)
    _, n_opt, n_params, _ = train_lbfgs(ndgrad, kwargs, 2)
    ndgrad.save(n_opt.state_dict(), tmp_path / "n.pt")
    t_params = [torch.tensor(p.detach().numpy().copy(), requires_grad=True) for p in n_params]
    t_opt = torch.optim.LBFGS(t_params)
    t_opt.load_state_dict(torch.load(tmp_path / "n.pt"))
    torch.save(t_opt.state_dict(), tmp_path / "t.pt")
    n_opt2 = ndgrad.optim.LBFGS(n_params)
    n_opt2.load_state_dict(ndgrad.load(tmp_path / "t.pt"))
    n, _, _, _ = train_lbfgs(ndgrad, kwargs, 2, params=n_params, opt=n_opt2)
    t, _, _, _ = train_lbfgs(torch, kwargs, 2, params=t_params, opt=t_opt)
    close(n, t)


def test_lbfgs_stops_at_once_when_gradient_is_small():
    for lib in LIBS:
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        opt = lib.optim.LBFGS([p], tolerance_grad=1e-3)
        calls = []

        def closure():
            calls.append(1)
            opt.zero_grad()
            loss = (p * 1e-4).sum()
            loss.backward()
            return loss

        loss = opt.step(closure)
        assert float(loss.detach()) == pytest.approx(3e-4) and len(calls) == 1
        assert dict(opt.state[p]) == {"func_evals": 1, "n_iter": 0} and p.tolist() == [1.0, 2.0]


def test_lbfgs_complex_params_match_torch():
    z0 = np.array([1 + 2j, -0.5 + 0.3j, 2 - 1j])
    results = []
    for lib in LIBS:
        z = lib.tensor(z0.copy(), requires_grad=True)
        w = lib.tensor([0.5, -1.0], dtype=lib.float64, requires_grad=True)
        opt = lib.optim.LBFGS([z, w], line_search_fn="strong_wolfe", max_iter=6)

        def closure():
            opt.zero_grad()
            loss = ((z - (1 - 1j)).abs() ** 2).sum() + ((w - 3) ** 4).sum()
            loss.backward()
            return loss

        for _ in range(2):
            opt.step(closure)
        results.append((z.detach().numpy().copy(), w.detach().numpy().copy(), lbfgs_counters(opt)))
    close(results[0][:2], results[1][:2])
    assert results[0][2] == results[1][2]


def test_lbfgs_bad_line_search_and_extra_group_errors():
    for lib in LIBS:
        p = lib.tensor([1.0, 2.0], requires_grad=True)

        def closure():
            opt.zero_grad()
            loss = (p * p).sum()
            loss.backward()
            return loss

        opt = lib.optim.LBFGS([p], line_search_fn="backtracking")
        with pytest.raises(RuntimeError, match="only 'strong_wolfe' is supported"):
            opt.step(closure)
        opt = lib.optim.LBFGS([p])
        opt.add_param_group({"params": [lib.zeros(1, requires_grad=True)]})
        with pytest.raises(AssertionError, match="Expected exactly one param_group, but got 2"):
            opt.step(closure)


def test_lbfgs_step_hooks_run_once_per_step_and_closure_runs_with_grad():
    counts = []
    for lib in LIBS:
        p = lib.tensor([1.0, -2.0], requires_grad=True)
        opt = lib.optim.LBFGS([p], max_iter=4)
        calls, grad_modes = [], []
        opt.register_step_pre_hook(lambda *a: calls.append("pre"))
        opt.register_step_post_hook(lambda *a: calls.append("post"))

        def closure():
            grad_modes.append(lib.is_grad_enabled())
            opt.zero_grad()
            loss = ((p - 3) ** 2 * lib.tensor([1.0, 4.0])).sum()
            loss.backward()
            return loss

        with lib.no_grad():
            opt.step(closure)
        assert calls == ["pre", "post"] and len(grad_modes) >= 2 and all(grad_modes)
        assert p._version > 0
        counts.append((len(grad_modes), p.tolist()))
    assert counts[0][0] == counts[1][0]
    np.testing.assert_allclose(counts[0][1], counts[1][1], rtol=1e-6)
