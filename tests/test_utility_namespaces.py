"""ndgrad.utils.checkpoint, ndgrad.random, ndgrad.backends, ndgrad.autograd.graph, ndgrad.amp."""
import warnings

import numpy as np
import pytest
import torch

import ndgrad


def _mlp(lib, dropout):
    layers = [lib.nn.Linear(4, 8), lib.nn.Tanh()]
    if dropout:
        layers.append(lib.nn.Dropout(0.5))
    layers += [lib.nn.Linear(8, 8), lib.nn.ReLU(), lib.nn.Linear(8, 3)]
    return lib.nn.Sequential(*layers)


def _pair(dropout=False):
    nd_model = _mlp(ndgrad, dropout)
    t_model = _mlp(torch, dropout)
    with torch.no_grad():
        for pn, pt in zip(nd_model.parameters(), t_model.parameters()):
            pt.copy_(torch.from_numpy(pn.detach().numpy().copy()))
    return nd_model, t_model


def _grads(model):
    return [p.grad.numpy().copy() for p in model.parameters()]


X = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)


# -- checkpoint ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("reentrant", [True, False])
@pytest.mark.parametrize("input_grad", [True, False])
def test_checkpoint_matches_torch(reentrant, input_grad):
    nd_model, t_model = _pair()
    xn = ndgrad.tensor(X, requires_grad=input_grad)
    xt = torch.tensor(X, requires_grad=input_grad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yn = ndgrad.utils.checkpoint.checkpoint(nd_model, xn, use_reentrant=reentrant)
        yt = torch.utils.checkpoint.checkpoint(t_model, xt, use_reentrant=reentrant)
    assert yn.requires_grad == yt.requires_grad
    np.testing.assert_allclose(yn.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    if not yt.requires_grad:
        return
    (yn ** 2).sum().backward()
    (yt ** 2).sum().backward()
    for gn, gt in zip(_grads(nd_model), _grads(t_model)):
        np.testing.assert_allclose(gn, gt, rtol=1e-5, atol=1e-6)
    if input_grad:
        np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_dropout_equals_plain(reentrant):
    model = _mlp(ndgrad, dropout=True)
    x = ndgrad.tensor(X, requires_grad=True)
    ndgrad.manual_seed(3)
    (model(x) ** 2).sum().backward()
    ref = _grads(model) + [x.grad.numpy().copy()]
    model.zero_grad()
    x.grad = None
    ndgrad.manual_seed(3)
    y = ndgrad.utils.checkpoint.checkpoint(model, x, use_reentrant=reentrant)
    after_forward = ndgrad.rand(4).numpy()
    ndgrad.manual_seed(3)
    model(x)
    expected_next = ndgrad.rand(4).numpy()
    np.testing.assert_array_equal(after_forward, expected_next)
    state = ndgrad.random.get_rng_state()
    (y ** 2).sum().backward()
    # the recomputation restored the forward RNG state inside fork_rng: the stream outside is unchanged
    assert bool((ndgrad.random.get_rng_state() == state).all())
    for a, b in zip(_grads(model) + [x.grad.numpy()], ref):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)


def test_checkpoint_warning_without_use_reentrant():
    x = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.warns(UserWarning, match="use_reentrant parameter should be passed explicitly"):
        y = ndgrad.utils.checkpoint.checkpoint(lambda t: t.sin(), x)
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.cos([1.0, 2.0]).astype(np.float32), rtol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ndgrad.utils.checkpoint.checkpoint(lambda t: t.sin(), x, use_reentrant=False)


def test_checkpoint_kwargs_and_multiple_outputs():
    a = ndgrad.tensor([1.0, 2.0], requires_grad=True)
    b = ndgrad.tensor([3.0, 4.0], requires_grad=True)
    p, q = ndgrad.utils.checkpoint.checkpoint(lambda u, v, scale=1.0: (u * v * scale, u.exp()), a, b,
                                              use_reentrant=False, scale=2.0)
    (p.sum() + q.sum()).backward()
    np.testing.assert_allclose(a.grad.numpy(), [6.0 + np.e, 8.0 + np.e ** 2], rtol=1e-6)
    np.testing.assert_allclose(b.grad.numpy(), [2.0, 4.0], rtol=1e-6)
    with pytest.raises(ValueError):
        ndgrad.utils.checkpoint.checkpoint(lambda u: u, a, use_reentrant=True, scale=2.0)


@pytest.mark.parametrize("reentrant", [True, False])
def test_checkpoint_sequential_matches_torch(reentrant):
    nd_model, t_model = _pair()
    xn = ndgrad.tensor(X, requires_grad=True)
    xt = torch.tensor(X, requires_grad=True)
    yn = ndgrad.utils.checkpoint.checkpoint_sequential(nd_model, 2, xn, use_reentrant=reentrant)
    yt = torch.utils.checkpoint.checkpoint_sequential(t_model, 2, xt, use_reentrant=reentrant)
    np.testing.assert_allclose(yn.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    yn.sum().backward()
    yt.sum().backward()
    for gn, gt in zip(_grads(nd_model), _grads(t_model)):
        np.testing.assert_allclose(gn, gt, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(xn.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    with pytest.warns(UserWarning, match="checkpoint_sequential: the use_reentrant"):
        ndgrad.utils.checkpoint.checkpoint_sequential(nd_model, 2, xn)


# -- random ---------------------------------------------------------------------------------------------
def test_random_namespace():
    r = ndgrad.random
    assert r.manual_seed(5) is ndgrad.default_generator
    assert r.initial_seed() == 5
    state = r.get_rng_state()
    assert state.dtype == ndgrad.uint8 and state.dim() == 1
    a = ndgrad.rand(3)
    r.set_rng_state(state)
    assert bool((ndgrad.rand(3) == a).all())
    r.set_rng_state(state)
    with r.fork_rng():
        ndgrad.rand(10)
    assert bool((ndgrad.rand(3) == a).all())
    with r.fork_rng(enabled=False):
        ndgrad.rand(1)
    s = r.seed()
    assert isinstance(s, int) and r.initial_seed() == s
    with pytest.raises(TypeError):
        r.set_rng_state([1, 2])
    assert set(["manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state", "fork_rng"]) <= set(dir(r))


# -- backends -------------------------------------------------------------------------------------------
def test_backends_defaults_and_settable():
    b = ndgrad.backends
    for name in ("benchmark", "deterministic", "enabled", "allow_tf32"):
        assert getattr(b.cudnn, name) == getattr(torch.backends.cudnn, name)
    assert b.cuda.matmul.allow_tf32 == torch.backends.cuda.matmul.allow_tf32
    assert not b.cudnn.is_available() and not b.mps.is_available() and not b.cuda.is_available()
    assert b.mkldnn.is_available() in (True, False)
    assert b.cpu.get_cpu_capability() in ("DEFAULT", "AVX2", "AVX512", "VSX", "ZVECTOR", "SVE256")
    old = b.cudnn.benchmark
    b.cudnn.benchmark = True
    b.cuda.matmul.allow_tf32 = True
    try:
        import ndgrad.backends.cudnn as cudnn
        assert cudnn.benchmark is True and ndgrad.backends.cuda.matmul.allow_tf32 is True
        with b.cudnn.flags(enabled=False):
            assert b.cudnn.enabled is False
        assert b.cudnn.enabled is True
    finally:
        b.cudnn.benchmark = old
        b.cuda.matmul.allow_tf32 = False


# -- saved tensor hooks ---------------------------------------------------------------------------------
def _hooked_run(lib, x_np):
    calls = {"pack": 0, "unpack": 0, "seen": []}

    def pack(t):
        calls["pack"] += 1
        calls["seen"].append(t.detach().numpy().copy())
        return t.detach().clone()

    def unpack(t):
        calls["unpack"] += 1
        return t

    w = lib.tensor(x_np, requires_grad=True)
    with lib.autograd.graph.saved_tensors_hooks(pack, unpack):
        y = (w * w).exp().sum() + (w.sin() * 2.0).sum()
    packs = calls["pack"]
    y.backward()
    return calls, packs, w.grad.numpy()


def test_saved_tensors_hooks_match_torch():
    x = np.array([0.1, -0.5, 0.7], dtype=np.float32)
    cn, pn, gn = _hooked_run(ndgrad, x)
    ct, pt, gt = _hooked_run(torch, x)
    assert pn == pt and cn["pack"] == ct["pack"] and cn["unpack"] == ct["unpack"]
    np.testing.assert_allclose(gn, gt, rtol=1e-6)
    # the hooks saw the same values (compare as multisets: torch and ndgrad may order them differently)
    key = sorted(tuple(np.round(a, 5).ravel()) for a in cn["seen"])
    assert key == sorted(tuple(np.round(a, 5).ravel()) for a in ct["seen"])


def test_saved_tensors_hooks_custom_function_and_retain_graph():
    unpacks = []

    class Square(ndgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = ndgrad.tensor([1.0, 3.0], requires_grad=True)
    with ndgrad.autograd.graph.saved_tensors_hooks(lambda t: t.detach().numpy().copy(),
                                                    lambda a: unpacks.append(1) or ndgrad.tensor(a)):
        y = Square.apply(x).sum()
    y.backward(retain_graph=True)
    y.backward()
    assert len(unpacks) == 2
    np.testing.assert_allclose(x.grad.numpy(), [4.0, 12.0])
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_save_on_cpu_and_disable():
    x = np.array([[0.2, 0.4], [1.5, -1.0]], dtype=np.float32)
    res = []
    for lib in (ndgrad, torch):
        w = lib.tensor(x, requires_grad=True)
        with lib.autograd.graph.save_on_cpu():
            y = (w @ w).tanh().sum()
        y.backward()
        res.append(w.grad.numpy())
    np.testing.assert_allclose(res[0], res[1], rtol=1e-6)
    with ndgrad.autograd.graph.disable_saved_tensors_hooks("no hooks here"):
        with pytest.raises(RuntimeError, match="no hooks here"):
            with ndgrad.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
                pass
    with ndgrad.autograd.graph.saved_tensors_hooks(lambda t: t, lambda t: t):
        pass
    assert ndgrad.autograd.graph.Node is ndgrad.autograd.Node
    # nothing active any more: saving is the plain path again
    w = ndgrad.tensor([1.0], requires_grad=True)
    assert (w * w).grad_fn._versions is not None and isinstance((w * w).grad_fn.saved, tuple)


def test_saved_tensors_hooks_nested_innermost_wins():
    outer, inner = [], []
    w = ndgrad.tensor([2.0], requires_grad=True)
    with ndgrad.autograd.graph.saved_tensors_hooks(lambda t: outer.append(1) or t, lambda t: t):
        with ndgrad.autograd.graph.saved_tensors_hooks(lambda t: inner.append(1) or t, lambda t: t):
            y = w.exp()
    y.backward()
    assert inner == [1] and outer == []
    np.testing.assert_allclose(w.grad.numpy(), np.exp([2.0]).astype(np.float32))


# -- amp ------------------------------------------------------------------------------------------------
def test_autocast_context_and_decorator():
    x = ndgrad.ones(2, 2)
    with pytest.warns(UserWarning, match="keep their dtypes"):
        with ndgrad.autocast("cpu"):
            assert (x @ x).dtype == ndgrad.float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ndgrad.autocast("cpu", dtype=ndgrad.bfloat16, enabled=False):
            pass
        with ndgrad.amp.autocast(device_type="cpu", dtype=ndgrad.float32, cache_enabled=False):
            pass

        @ndgrad.autocast("cpu", enabled=False)
        def f(a):
            return a + 1
    assert f(x).dtype == ndgrad.float32
    with pytest.raises(ValueError, match="device_type"):
        ndgrad.autocast(0)


def _train(lib, enabled, steps, inject_inf_at=(), growth_interval=2):
    model = lib.nn.Linear(3, 2)
    with (torch.no_grad() if lib is torch else ndgrad.no_grad()):
        model.weight.copy_(lib.tensor(np.arange(6, dtype=np.float32).reshape(2, 3) / 10))
        model.bias.copy_(lib.tensor([0.1, -0.2]))
    opt = lib.optim.SGD(model.parameters(), lr=0.1)
    scaler = lib.amp.GradScaler("cpu", init_scale=1024.0, growth_interval=growth_interval, enabled=enabled)
    scales = []
    for i in range(steps):
        opt.zero_grad()
        loss = (model(lib.tensor(X[:, :3])) ** 2).mean()
        if i in inject_inf_at:
            loss = loss * float("inf")
        scaler.scale(loss).backward()
        scaler.unscale_(opt)
        scaler.step(opt)
        scaler.update()
        scales.append(scaler.get_scale())
    return model.weight.detach().numpy().copy(), scales, scaler


@pytest.mark.parametrize("enabled", [True, False])
def test_grad_scaler_matches_torch(enabled):
    wn, sn, scn = _train(ndgrad, enabled, 6, inject_inf_at=(2,))
    wt, st, sct = _train(torch, enabled, 6, inject_inf_at=(2,))
    np.testing.assert_allclose(wn, wt, rtol=1e-5, atol=1e-7)
    assert sn == st
    assert scn.state_dict() == sct.state_dict()
    assert scn.is_enabled() == sct.is_enabled() == enabled


def test_grad_scaler_disabled_is_noop_and_errors():
    loss = ndgrad.tensor(2.0, requires_grad=True)
    s = ndgrad.amp.GradScaler("cpu", enabled=False)
    assert s.scale(loss) is loss and s.get_scale() == 1.0 and s.state_dict() == {}
    with pytest.warns(UserWarning, match="CUDA is not available"):
        assert not ndgrad.amp.GradScaler().is_enabled()
    s = ndgrad.amp.GradScaler("cpu")
    w = ndgrad.nn.Parameter(ndgrad.ones(2))
    opt = ndgrad.optim.SGD([w], lr=1.0)
    s.scale((w * 3).sum()).backward()
    s.unscale_(opt)
    np.testing.assert_allclose(w.grad.numpy(), [3.0, 3.0])
    with pytest.raises(RuntimeError, match="already been called"):
        s.unscale_(opt)
    s.step(opt)
    with pytest.raises(RuntimeError, match="step\\(\\) has already been called"):
        s.step(opt)
    s.update()
    np.testing.assert_allclose(w.detach().numpy(), [-2.0, -2.0])
    s.update(new_scale=8.0)
    assert s.get_scale() == 8.0
