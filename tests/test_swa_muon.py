"""optim.swa_utils (AveragedModel, SWALR, update_bn, averaging functions) and optim.Muon, compared with torch."""
import re
import warnings

import numpy as np
import pytest
import torch
import torch.utils.data as tdata

import ndgrad
import ndgrad.utils.data as ndata

LIBS = (ndgrad, torch)


def _copy_weights(src_torch, dst_nd):
    """Load torch's weights into the ndgrad twin (same architecture, same state-dict keys)."""
    sd = {k: ndgrad.tensor(v.detach().numpy().copy()) for k, v in src_torch.state_dict().items()}
    dst_nd.load_state_dict(sd)


def _sd_np(module):
    return {k: v.detach().numpy().copy() for k, v in module.state_dict().items()}


def _small_net(lib, dtype):
    nn = lib.nn
    return nn.Sequential(nn.Linear(4, 5), nn.BatchNorm1d(5), nn.Tanh(), nn.Linear(5, 2)).to(getattr(lib, dtype))


def _perturb(lib, model, k):
    """Deterministic, different weights per call, the same for both libraries; also runs a train-mode
    forward so the BatchNorm running statistics (buffers) change."""
    rng = np.random.default_rng(100 + k)
    with lib.no_grad():
        for p in model.parameters():
            p.copy_(lib.tensor(rng.standard_normal(tuple(p.shape)), dtype=p.dtype))
    x = lib.tensor(rng.standard_normal((6, 4)), dtype=next(model.parameters()).dtype)
    model.train()
    model(x)


AVG_CASES = [
    ("swa", False), ("swa", True),
    ("swa_multi", False), ("swa_multi", True),
    ("ema_multi", False), ("ema_multi", True),
    ("ema_avg_fn", False), ("ema_avg_fn", True),
    ("swa_avg_fn", False),
    ("custom_avg_fn", False),
]


def _averaged(lib, model, kind, use_buffers):
    su = lib.optim.swa_utils
    if kind == "swa":
        return su.AveragedModel(model, use_buffers=use_buffers)
    if kind == "swa_multi":
        return su.AveragedModel(model, multi_avg_fn=su.get_swa_multi_avg_fn(), use_buffers=use_buffers)
    if kind == "ema_multi":
        return su.AveragedModel(model, multi_avg_fn=su.get_ema_multi_avg_fn(0.8), use_buffers=use_buffers)
    if kind == "ema_avg_fn":
        return su.AveragedModel(model, avg_fn=su.get_ema_avg_fn(0.7), use_buffers=use_buffers)
    if kind == "swa_avg_fn":
        return su.AveragedModel(model, avg_fn=su.get_swa_avg_fn(), use_buffers=use_buffers)
    return su.AveragedModel(model, avg_fn=lambda a, c, n: 0.5 * a + 0.5 * c + n * 0.01, use_buffers=use_buffers)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("kind,use_buffers", AVG_CASES)
def test_averaged_model_matches_torch(kind, use_buffers, dtype):
    if kind == "swa_multi" and use_buffers:
        # torch's SWA multi_avg_fn cannot average integer buffers (num_batches_tracked): addcdiv refuses
        for lib in LIBS:
            model = _small_net(lib, dtype)
            avg = _averaged(lib, model, kind, use_buffers)
            avg.update_parameters(model)
            with pytest.raises(RuntimeError, match="Integer division with addcdiv is no longer supported"):
                avg.update_parameters(model)
        return
    results = []
    for lib in LIBS:
        lib.manual_seed(0)
        model = _small_net(lib, dtype)
        avg = _averaged(lib, model, kind, use_buffers)
        snapshots = []
        for k in range(5):
            _perturb(lib, model, k)
            avg.update_parameters(model)
            snapshots.append(_sd_np(avg))
        results.append((snapshots, avg))
    (nd_snaps, nd_avg), (t_snaps, t_avg) = results
    rtol, atol = (1e-12, 1e-13) if dtype == "float64" else (1e-6, 1e-6)
    for a, b in zip(nd_snaps, t_snaps):
        assert list(a) == list(b)
        for key in a:
            assert a[key].dtype == b[key].dtype, key
            np.testing.assert_allclose(a[key], b[key], rtol=rtol, atol=atol, err_msg=key)
    assert int(nd_avg.n_averaged) == int(t_avg.n_averaged) == 5
    # the averaged model runs the averaged weights
    x = np.random.default_rng(7).standard_normal((3, 4))
    nd_avg.eval(), t_avg.eval()
    np.testing.assert_allclose(nd_avg(ndgrad.tensor(x, dtype=getattr(ndgrad, dtype))).detach().numpy(),
                               t_avg(torch.tensor(x, dtype=getattr(torch, dtype))).detach().numpy(),
                               rtol=rtol * 10, atol=atol * 10)


def test_averaged_model_state_dict_layout_and_copy():
    outs = []
    for lib in LIBS:
        lib.manual_seed(0)
        model = _small_net(lib, "float32")
        avg = lib.optim.swa_utils.AveragedModel(model)
        sd = avg.state_dict()
        outs.append((list(sd), sd["n_averaged"].dtype, tuple(sd["n_averaged"].shape), repr(avg)))
        # a deep copy: changing the model does not change the averaged copy
        with lib.no_grad():
            model[0].weight.add_(1.0)
        assert not lib.equal(avg.module[0].weight, model[0].weight)
        assert avg.module is not model
    assert outs[0][0] == outs[1][0]
    assert outs[0][0][0] == "n_averaged" and outs[0][0][1] == "module.0.weight"
    assert str(outs[0][1]) == str(outs[1][1]) == "torch.int64"
    assert outs[0][2] == outs[1][2] == ()
    assert outs[0][3] == outs[1][3]


def test_averaged_model_load_state_dict_round_trip():
    ndgrad.manual_seed(0)
    model = _small_net(ndgrad, "float64")
    avg = ndgrad.optim.swa_utils.AveragedModel(model)
    for k in range(3):
        _perturb(ndgrad, model, k)
        avg.update_parameters(model)
    other = ndgrad.optim.swa_utils.AveragedModel(_small_net(ndgrad, "float64"))
    other.load_state_dict(avg.state_dict())
    assert int(other.n_averaged) == 3
    for (k, a), b in zip(avg.state_dict().items(), other.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy(), err_msg=k)


def test_averaged_model_first_update_copies_and_buffers_follow():
    for lib in LIBS:
        lib.manual_seed(0)
        model = _small_net(lib, "float64")
        avg = lib.optim.swa_utils.AveragedModel(model)
        _perturb(lib, model, 0)
        avg.update_parameters(model)
        for a, b in zip(avg.module.state_dict().values(), model.state_dict().values()):
            assert lib.equal(a, b)
        assert avg.module[0].weight.requires_grad


def test_averaged_model_errors():
    for lib in LIBS:
        su = lib.optim.swa_utils
        model = lib.nn.Linear(2, 2)
        with pytest.raises(AssertionError, match="Only one of avg_fn and multi_avg_fn should be provided"):
            su.AveragedModel(model, avg_fn=su.get_swa_avg_fn(), multi_avg_fn=su.get_swa_multi_avg_fn())
        for fn in (su.get_ema_multi_avg_fn, su.get_ema_avg_fn):
            with pytest.raises(ValueError, match=re.escape(
                    "Invalid decay value 1.5 provided. Please provide a value in [0,1] range.")):
                fn(1.5)
        # buffers are copied with strict zip: a model with fewer buffers fails the same way
        avg = su.AveragedModel(lib.nn.BatchNorm1d(3))
        with pytest.raises(ValueError, match="zip"):
            avg.update_parameters(lib.nn.BatchNorm1d(3, track_running_stats=False))


def test_swa_utils_namespace():
    assert sorted(ndgrad.optim.swa_utils.__all__) == sorted(torch.optim.swa_utils.__all__)
    for name in torch.optim.swa_utils.__all__:
        assert hasattr(ndgrad.optim.swa_utils, name)
    import ndgrad.optim.swa_utils as su  # noqa: F401  (importable as a module too)
    assert "swa_utils" in ndgrad.optim.__all__ and "Muon" in ndgrad.optim.__all__


# -- SWALR ------------------------------------------------------------------------------------------
SWALR_CASES = [
    (dict(swa_lr=0.05), None),
    (dict(swa_lr=0.05, anneal_epochs=3, anneal_strategy="linear"), None),
    (dict(swa_lr=0.5, anneal_epochs=0), None),
    (dict(swa_lr=[0.01, 0.2], anneal_epochs=4, anneal_strategy="cos"), None),
    (dict(swa_lr=0.02, anneal_epochs=5, anneal_strategy="linear"), "step"),   # after a StepLR phase
    (dict(swa_lr=0.3, anneal_epochs=1), None),
    (dict(swa_lr=0.05, anneal_epochs=6), "multiplicative"),                  # stacked with another
]


def _swalr_run(lib, kwargs, other, steps=14):
    w = lib.zeros(2, 2, requires_grad=True)
    b = lib.zeros(2, requires_grad=True)
    opt = lib.optim.SGD([{"params": [w]}, {"params": [b], "lr": 0.3}], lr=0.1)
    lrs = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if other == "step":
            pre = lib.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
            for _ in range(5):
                opt.step()
                pre.step()
                lrs.append(pre.get_last_lr())
        sched = lib.optim.swa_utils.SWALR(opt, **kwargs)
        lrs.append(sched.get_last_lr())
        extra = lib.optim.lr_scheduler.MultiplicativeLR(opt, lambda e: 0.9) if other == "multiplicative" else None
        for _ in range(steps):
            opt.step()
            sched.step()
            if extra is not None:
                extra.step()
            lrs.append(sched.get_last_lr())
    return lrs, sched, opt


@pytest.mark.parametrize("kwargs,other", SWALR_CASES)
def test_swalr_lr_sequence_matches_torch(kwargs, other):
    n, n_sched, n_opt = _swalr_run(ndgrad, kwargs, other)
    t, t_sched, t_opt = _swalr_run(torch, kwargs, other)
    np.testing.assert_allclose(np.array(n, dtype=float), np.array(t, dtype=float), rtol=1e-14, atol=1e-15)
    assert [g["swa_lr"] for g in n_opt.param_groups] == [g["swa_lr"] for g in t_opt.param_groups]
    n_sd, t_sd = n_sched.state_dict(), t_sched.state_dict()
    assert sorted(n_sd) == sorted(t_sd)
    for k in ("anneal_epochs", "_anneal_strategy", "last_epoch", "_step_count", "base_lrs"):
        assert n_sd[k] == t_sd[k], k


def test_swalr_state_dict_round_trip_and_errors():
    lrs, sched, opt = _swalr_run(ndgrad, dict(swa_lr=0.05, anneal_epochs=4, anneal_strategy="linear"), None, 2)
    sd = sched.state_dict()
    assert "anneal_func" not in sd and "optimizer" not in sd
    w = ndgrad.zeros(2, requires_grad=True)
    opt2 = ndgrad.optim.SGD([{"params": [w]}, {"params": [ndgrad.zeros(1, requires_grad=True)]}], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s2 = ndgrad.optim.swa_utils.SWALR(opt2, swa_lr=1.0)
    s2.load_state_dict(sd)
    assert s2._anneal_strategy == "linear" and s2.anneal_func(0.25) == 0.25
    for lib in LIBS:
        opt = lib.optim.SGD([lib.zeros(2, requires_grad=True)], lr=0.1)
        with pytest.raises(ValueError, match=re.escape(
                "anneal_strategy must be one of 'cos' or 'linear', instead got exp")):
            lib.optim.swa_utils.SWALR(opt, swa_lr=0.1, anneal_strategy="exp")
        with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0, got -1"):
            lib.optim.swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=-1)
        with pytest.raises(ValueError, match="anneal_epochs must be equal or greater than 0, got 2.0"):
            lib.optim.swa_utils.SWALR(opt, swa_lr=0.1, anneal_epochs=2.0)
        with pytest.raises(ValueError, match=re.escape(
                "swa_lr must have the same length as optimizer.param_groups. swa_lr has 2 values, "
                "param_groups has 1.")):
            lib.optim.swa_utils.SWALR(opt, swa_lr=[0.1, 0.2])


# -- update_bn --------------------------------------------------------------------------------------
def _cnn(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(3, 4, 3, padding=1), nn.BatchNorm2d(4, momentum=0.3), nn.ReLU(),
        nn.Conv2d(4, 6, 3, stride=2), nn.BatchNorm2d(6), nn.ReLU(),
        nn.Flatten(), nn.Linear(6 * 3 * 3, 5), nn.BatchNorm1d(5, momentum=0.05), nn.Linear(5, 2))


@pytest.mark.parametrize("batch_kind", ["tuple", "tensor"])
@pytest.mark.parametrize("was_training", [False, True])
def test_update_bn_matches_torch(batch_kind, was_training):
    rng = np.random.default_rng(3)
    xs = rng.standard_normal((22, 3, 8, 8))
    ys = rng.integers(0, 2, 22)
    torch.manual_seed(0)
    t_model = _cnn(torch).double()
    n_model = _cnn(ndgrad).double()
    _copy_weights(t_model, n_model)
    # give the running statistics non-default values first: update_bn must reset them
    with torch.no_grad():
        t_model.train()
        t_model(torch.tensor(xs[:5]) * 3 + 1)
    _copy_weights(t_model, n_model)

    if batch_kind == "tuple":
        t_loader = tdata.DataLoader(tdata.TensorDataset(torch.tensor(xs), torch.tensor(ys)), batch_size=5)
        n_loader = ndata.DataLoader(ndata.TensorDataset(ndgrad.tensor(xs), ndgrad.tensor(ys)), batch_size=5)
    else:
        t_loader = [torch.tensor(xs[i:i + 5]) for i in range(0, 22, 5)]
        n_loader = [ndgrad.tensor(xs[i:i + 5]) for i in range(0, 22, 5)]
    for model in (t_model, n_model):
        model.train(was_training)
    torch.optim.swa_utils.update_bn(t_loader, t_model)
    ndgrad.optim.swa_utils.update_bn(n_loader, n_model)

    t_sd, n_sd = _sd_np(t_model), _sd_np(n_model)
    assert list(t_sd) == list(n_sd)
    for k in t_sd:
        np.testing.assert_allclose(n_sd[k], t_sd[k], rtol=1e-10, atol=1e-12, err_msg=k)
    assert int(n_model[1].num_batches_tracked) == 5
    assert [m.momentum for m in n_model.modules() if isinstance(m, ndgrad.nn.BatchNorm2d)] == [0.3, 0.1]
    assert n_model[8].momentum == 0.05
    assert n_model.training == was_training
    assert all(m.training == was_training for m in n_model.modules())
    # running statistics are the plain average of the per-batch statistics (cumulative average)
    feats = torch.tensor(xs)
    batch_means = [t_model[0](feats[i:i + 5]).mean(dim=(0, 2, 3)).detach().numpy() for i in range(0, 22, 5)]
    np.testing.assert_allclose(n_sd["1.running_mean"], np.mean(batch_means, axis=0), rtol=1e-10)


def test_update_bn_on_averaged_model_and_without_bn():
    rng = np.random.default_rng(4)
    xs = rng.standard_normal((12, 3, 8, 8))
    outs = []
    t_ref = None
    for lib in (torch, ndgrad):
        lib.manual_seed(0)
        model = _cnn(lib).double()
        if lib is torch:
            t_ref = model
        else:
            _copy_weights(t_ref, model)
        avg = lib.optim.swa_utils.AveragedModel(model)
        avg.update_parameters(model)
        loader = [(lib.tensor(xs[i:i + 4]), 0) for i in range(0, 12, 4)]
        lib.optim.swa_utils.update_bn(loader, avg)
        outs.append(_sd_np(avg))
        # no BatchNorm: nothing happens, the loader is not even iterated
        lin = lib.nn.Linear(2, 2)
        lib.optim.swa_utils.update_bn(iter(()), lin)
    for k in outs[1]:
        np.testing.assert_allclose(outs[0][k], outs[1][k], rtol=1e-10, atol=1e-12, err_msg=k)


# -- Muon -------------------------------------------------------------------------------------------
_rng = np.random.default_rng(0)
MX = _rng.standard_normal((5, 8))
MY = _rng.standard_normal((3, 8))
MW1 = _rng.standard_normal((6, 5)) * 0.5
MW2 = _rng.standard_normal((3, 6)) * 0.5

MUON_CASES = [
    dict(),
    dict(lr=0.02),
    dict(lr=0.05, nesterov=False, weight_decay=0.0),
    dict(lr=0.02, ns_steps=3, ns_coefficients=(2.0, -1.5, 0.5), eps=1e-5, adjust_lr_fn="original"),
    dict(lr=0.03, momentum=0.0),
    dict(lr=0.01, momentum=0.9, weight_decay=0.5, adjust_lr_fn="match_rms_adamw"),
    dict(lr=0.04, momentum=0.8, nesterov=False, ns_steps=4),
]
MUON_IDS = ["-".join(f"{k}={v}" for k, v in kw.items()) or "default" for kw in MUON_CASES]


def _muon_train(lib, kw, steps=60, dtype="float64", groups=False):
    dt = getattr(lib, dtype)
    ps = [lib.tensor(MW1, dtype=dt, requires_grad=True), lib.tensor(MW2, dtype=dt, requires_grad=True)]
    x, y = lib.tensor(MX, dtype=dt), lib.tensor(MY, dtype=dt)
    if groups:
        opt = lib.optim.Muon([{"params": [ps[0]]}, {"params": [ps[1]], "lr": 0.005, "nesterov": False}], **kw)
    else:
        opt = lib.optim.Muon(ps, **kw)
    for _ in range(steps):
        opt.zero_grad()
        loss = ((ps[1] @ lib.tanh(ps[0] @ x) - y) ** 2).mean()
        loss.backward()
        opt.step()
    return [p.detach().numpy() for p in ps], opt


# torch runs Newton–Schulz in bfloat16, accumulating matmuls in float32; ndgrad emulates the
# bfloat16 roundings from float64 results, which agrees bit for bit except at rare rounding ties
# (one bfloat16 ulp, ~0.4% of an update entry), so trajectories are compared at a tolerance well
# below an update's size: most configurations here agree to 1e-15.
MUON_ATOL = 5e-4


@pytest.mark.parametrize("kw", MUON_CASES, ids=MUON_IDS)
def test_muon_trajectory_matches_torch_float64(kw):
    n, n_opt = _muon_train(ndgrad, kw)
    t, t_opt = _muon_train(torch, kw)
    for a, b in zip(n, t):
        assert a.dtype == np.float64
        np.testing.assert_allclose(a, b, rtol=0, atol=MUON_ATOL)
    assert max(np.abs(a - w).max() for a, w in zip(t, (MW1, MW2))) > 3e-2  # it did move
    for pn, pt in zip(n_opt.param_groups[0]["params"], t_opt.param_groups[0]["params"]):
        np.testing.assert_allclose(n_opt.state[pn]["momentum_buffer"].numpy(),
                                   t_opt.state[pt]["momentum_buffer"].numpy(), rtol=0, atol=MUON_ATOL * 10)


def test_muon_trajectory_exact_where_no_ties():
    for kw in (dict(lr=0.02), dict(lr=0.05, nesterov=False, weight_decay=0.0), dict(lr=0.03, momentum=0.0)):
        n, _ = _muon_train(ndgrad, kw)
        t, _ = _muon_train(torch, kw)
        for a, b in zip(n, t):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("kw", MUON_CASES[1:4], ids=MUON_IDS[1:4])
def test_muon_float32_and_param_groups(kw):
    n, n_opt = _muon_train(ndgrad, kw, steps=30, dtype="float32")
    t, _ = _muon_train(torch, kw, steps=30, dtype="float32")
    for a, b in zip(n, t):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=0, atol=MUON_ATOL)
    for s in n_opt.state.values():
        assert s["momentum_buffer"].dtype == ndgrad.float32
    n, _ = _muon_train(ndgrad, kw, steps=30, groups=True)
    t, _ = _muon_train(torch, kw, steps=30, groups=True)
    for a, b in zip(n, t):
        np.testing.assert_allclose(a, b, rtol=0, atol=MUON_ATOL)


def test_newton_schulz_bitwise_on_small_matrices():
    from torch.optim._muon import _zeropower_via_newtonschulz as torch_ns

    from ndgrad.optim.muon import _newton_schulz
    rng = np.random.default_rng(1)
    for shape in [(4, 6), (8, 3), (16, 16), (1, 5), (5, 1)]:
        for scale in (1e-3, 1.0, 100.0):
            g = rng.standard_normal(shape) * scale
            coef = (3.4445, -4.775, 2.0315)
            ref = torch_ns(torch.tensor(g), coef, 5, 1e-7).float().numpy()
            if max(shape) <= 8:
                np.testing.assert_array_equal(_newton_schulz(g, coef, 5, 1e-7), ref)
            else:  # larger sums: float32 accumulation order can flip a rounding, then NS spreads it
                np.testing.assert_allclose(_newton_schulz(g, coef, 5, 1e-7), ref, rtol=0, atol=8e-3)
            # other coefficients: within a few bfloat16 ulps (float32 accumulation order differs)
            coef = (2.0, -1.5, 0.5)
            ref = torch_ns(torch.tensor(g), coef, 2, 1e-7).float().numpy()
            np.testing.assert_allclose(_newton_schulz(g, coef, 2, 1e-7), ref, rtol=0, atol=4e-3)
    # a zero update stays zero (the norm is clamped to eps)
    assert not _newton_schulz(np.zeros((3, 4)), (3.4445, -4.775, 2.0315), 5, 1e-7).any()


def test_muon_state_dict_layout_and_round_trip():
    outs = []
    for lib in LIBS:
        _, opt = _muon_train(lib, dict(lr=0.02, adjust_lr_fn="match_rms_adamw"), steps=3)
        sd = opt.state_dict()
        outs.append(sd)
        assert repr(opt).startswith("Muon (")
    n_sd, t_sd = outs
    assert n_sd["param_groups"] == t_sd["param_groups"]
    assert list(n_sd["state"]) == list(t_sd["state"]) == [0, 1]
    for k in n_sd["state"]:
        assert list(n_sd["state"][k]) == list(t_sd["state"][k]) == ["momentum_buffer"]
        np.testing.assert_allclose(n_sd["state"][k]["momentum_buffer"].numpy(),
                                   t_sd["state"][k]["momentum_buffer"].numpy(), rtol=1e-12)
    assert repr(_muon_train(ndgrad, {}, 0)[1]) == repr(_muon_train(torch, {}, 0)[1])
    # round trip: a fresh optimizer loaded with the state continues identically
    n_a, opt_a = _muon_train(ndgrad, dict(lr=0.02), steps=3)
    ps = [ndgrad.tensor(a, requires_grad=True) for a in n_a]
    opt_b = ndgrad.optim.Muon(ps, lr=0.5)
    opt_b.load_state_dict(opt_a.state_dict())
    assert opt_b.param_groups[0]["lr"] == 0.02
    assert opt_b.defaults["differentiable"] is False
    for p_a, p_b in zip(opt_a.param_groups[0]["params"], ps):
        p_a.grad = ndgrad.ones_like(p_a)
        p_b.grad = ndgrad.ones_like(p_b)
    opt_a.step()
    opt_b.step()
    for p_a, p_b in zip(opt_a.param_groups[0]["params"], ps):
        np.testing.assert_array_equal(p_a.detach().numpy(), p_b.detach().numpy())


def test_muon_signature_and_defaults():
    import inspect
    n_sig = inspect.signature(ndgrad.optim.Muon)
    t_sig = inspect.signature(torch.optim.Muon)
    assert list(n_sig.parameters) == list(t_sig.parameters)
    for name in t_sig.parameters:
        assert n_sig.parameters[name].default == t_sig.parameters[name].default, name
    w = [ndgrad.zeros(2, 3, requires_grad=True)]
    assert ndgrad.optim.Muon(w).defaults == torch.optim.Muon([torch.zeros(2, 3, requires_grad=True)]).defaults


def test_muon_errors_match_torch():
    for lib in LIBS:
        with pytest.raises(ValueError, match=re.escape(
                "Muon only supports 2D parameters whereas we found a parameter with size: torch.Size([3])")):
            lib.optim.Muon([lib.zeros(2, 2, requires_grad=True), lib.zeros(3, requires_grad=True)])
        with pytest.raises(ValueError, match=re.escape(
                "Muon only supports 2D parameters whereas we found a parameter with size: torch.Size([2, 2, 2])")):
            lib.optim.Muon([{"params": [lib.zeros(2, 2, 2, requires_grad=True)]}])
        w = [lib.zeros(2, 2, requires_grad=True)]
        for kwargs, msg in ((dict(lr=-1.0), "Learning rate should be >= 0 but is: -1.0"),
                            (dict(momentum=-0.5), "momentum should be >= 0 but is: -0.5"),
                            (dict(weight_decay=-0.1), "weight decay should be >= 0 but is: -0.1"),
                            (dict(adjust_lr_fn="foo"), "Adjust learning rate function foo is not supported")):
            with pytest.raises(ValueError, match=re.escape(msg)):
                lib.optim.Muon(w, **kwargs)
        with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
            lib.optim.Muon([])
        for kwargs, msg in ((dict(ns_steps=100), "Number of steps must be less than 100 for computational efficiency"),
                            (dict(ns_coefficients=(1.0, 2.0)), "Coefficients must be a tuple of exactly 3 values")):
            p = lib.ones(2, 3, requires_grad=True)
            opt = lib.optim.Muon([p], **kwargs)
            p.grad = lib.ones(2, 3)
            with pytest.raises(ValueError, match=re.escape(msg)):
                opt.step()
        p = lib.ones(2, 3, dtype=lib.complex64, requires_grad=True)
        opt = lib.optim.Muon([p])
        p.grad = lib.ones(2, 3, dtype=lib.complex64)
        with pytest.raises(RuntimeError, match="Muon does not support complex parameters"):
            opt.step()


def test_muon_skips_params_without_grad_and_closure():
    for lib in LIBS:
        a = lib.ones(2, 3, requires_grad=True)
        b = lib.ones(3, 2, requires_grad=True)
        opt = lib.optim.Muon([a, b], lr=0.1)

        def closure():
            opt.zero_grad()
            loss = (a * 2).sum()
            loss.backward()
            return loss

        loss = opt.step(closure)
        assert float(loss.detach()) == 12.0
        assert lib.equal(b, lib.ones(3, 2))
        assert len(opt.state) == 1
        assert not lib.equal(a, lib.ones(2, 3))
