"""Learning-rate schedulers: lr (and momentum) trajectories, state dicts and errors vs torch."""
import math
import warnings

import numpy as np
import pytest
import torch

import ndgrad


def make_optimizer(lib, kind="SGD", lrs=(0.1, 0.02)):
    """An optimizer with one parameter group per lr (parameters have no gradient: steps are no-ops)."""
    groups = [{"params": [lib.zeros(2, requires_grad=True)], "lr": lr} for lr in lrs]
    if kind == "SGD":
        return lib.optim.SGD(groups, lr=lrs[0], momentum=0.9)
    return getattr(lib.optim, kind)(groups, lr=lrs[0])


def trajectory(lib, build, steps, kind="SGD", metrics=None, epochs=None):
    """lrs (and momentum/beta1 values) after construction and after each of ``steps`` steps."""
    opt = make_optimizer(lib, kind)
    sched = build(lib.optim.lr_scheduler, opt)
    lrs, moms = [list(sched.get_last_lr())], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i in range(steps):
            opt.step()
            if metrics is not None:
                sched.step(metrics[i])
            elif epochs is not None:
                sched.step(epochs[i])
            else:
                sched.step()
            lrs.append(list(sched.get_last_lr()))
            moms.append([g["momentum"] if "momentum" in g else g["betas"][0] for g in opt.param_groups])
    return np.array(lrs, dtype=float), np.array(moms, dtype=float), sched, opt


SCHEDULERS = {
    "StepLR": lambda s, o: s.StepLR(o, step_size=7, gamma=0.5),
    "MultiStepLR": lambda s, o: s.MultiStepLR(o, milestones=[3, 10, 10, 25], gamma=0.3),
    "ExponentialLR": lambda s, o: s.ExponentialLR(o, gamma=0.93),
    "CosineAnnealingLR": lambda s, o: s.CosineAnnealingLR(o, T_max=12, eta_min=1e-3),
    "CosineAnnealingLR_T1": lambda s, o: s.CosineAnnealingLR(o, T_max=1),
    "CosineAnnealingWarmRestarts": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=5, T_mult=2, eta_min=1e-4),
    "CosineAnnealingWarmRestarts_T1": lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=4),
    "LambdaLR": lambda s, o: s.LambdaLR(o, lr_lambda=lambda e: 1.0 / (1 + e)),
    "LambdaLR_list": lambda s, o: s.LambdaLR(o, lr_lambda=[lambda e: 0.9 ** e, lambda e: 1 + e % 3]),
    "MultiplicativeLR": lambda s, o: s.MultiplicativeLR(o, lr_lambda=lambda e: 0.95),
    "LinearLR": lambda s, o: s.LinearLR(o, start_factor=0.25, end_factor=0.9, total_iters=8),
    "LinearLR_default": lambda s, o: s.LinearLR(o),
    "ConstantLR": lambda s, o: s.ConstantLR(o, factor=0.5, total_iters=6),
    "PolynomialLR": lambda s, o: s.PolynomialLR(o, total_iters=15, power=2.0),
    "PolynomialLR_default": lambda s, o: s.PolynomialLR(o),
    "OneCycleLR_cos": lambda s, o: s.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=40),
    "OneCycleLR_linear": lambda s, o: s.OneCycleLR(o, max_lr=0.8, epochs=4, steps_per_epoch=10,
                                                   anneal_strategy="linear", pct_start=0.25),
    "OneCycleLR_three_phase": lambda s, o: s.OneCycleLR(o, max_lr=0.3, total_steps=40, three_phase=True,
                                                        div_factor=10.0, final_div_factor=100.0),
    "OneCycleLR_no_momentum": lambda s, o: s.OneCycleLR(o, max_lr=0.3, total_steps=40, cycle_momentum=False),
    "CyclicLR_triangular": lambda s, o: s.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5),
    "CyclicLR_triangular2": lambda s, o: s.CyclicLR(o, base_lr=[0.01, 0.02], max_lr=0.1, step_size_up=4,
                                                    step_size_down=6, mode="triangular2"),
    "CyclicLR_exp_range": lambda s, o: s.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3,
                                                  mode="exp_range", gamma=0.97),
    "SequentialLR": lambda s, o: s.SequentialLR(o, [s.LinearLR(o, start_factor=0.1, total_iters=5),
                                                    s.ExponentialLR(o, gamma=0.9)], milestones=[5]),
    "SequentialLR_three": lambda s, o: s.SequentialLR(o, [s.ConstantLR(o, factor=0.2, total_iters=3),
                                                          s.CosineAnnealingLR(o, T_max=8),
                                                          s.StepLR(o, step_size=3, gamma=0.5)],
                                                      milestones=[4, 12]),
    "ChainedScheduler": lambda s, o: s.ChainedScheduler([s.ConstantLR(o, factor=0.1, total_iters=2),
                                                         s.ExponentialLR(o, gamma=0.9)]),
}


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_lr_trajectory_matches_torch(name):
    steps = 39 if name.startswith("OneCycle") else 40
    n_lrs, n_moms, _, _ = trajectory(ndgrad, SCHEDULERS[name], steps)
    t_lrs, t_moms, _, _ = trajectory(torch, SCHEDULERS[name], steps)
    np.testing.assert_allclose(n_lrs, t_lrs, rtol=1e-13, atol=0)
    np.testing.assert_allclose(n_moms, t_moms, rtol=1e-13, atol=0)


@pytest.mark.parametrize("kind", ["Adam", "AdamW", "NAdam"])
def test_onecycle_cycles_adam_beta1(kind):
    build = SCHEDULERS["OneCycleLR_cos"]
    n_lrs, n_moms, _, n_opt = trajectory(ndgrad, build, 39, kind=kind)
    t_lrs, t_moms, _, t_opt = trajectory(torch, build, 39, kind=kind)
    np.testing.assert_allclose(n_lrs, t_lrs, rtol=1e-13)
    np.testing.assert_allclose(n_moms, t_moms, rtol=1e-13)
    assert n_opt.param_groups[0]["betas"][1] == t_opt.param_groups[0]["betas"][1] == 0.999


def test_onecycle_past_total_steps_raises():
    for lib in (ndgrad, torch):
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=3)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for _ in range(3):
                opt.step()
                sched.step()
            with pytest.raises(ValueError, match="Tried to step 4 times. The specified number of total steps is 3"):
                sched.step()


@pytest.mark.parametrize("kwargs", [
    dict(),
    dict(mode="max", factor=0.5, patience=2),
    dict(patience=1, threshold=0.05, threshold_mode="abs", cooldown=2),
    dict(patience=0, min_lr=[0.05, 0.001], factor=0.2),
    dict(mode="max", threshold_mode="abs", patience=3, eps=1e-3, min_lr=0.019),
])
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    rng = np.random.default_rng(3)
    metrics = list(np.concatenate([np.linspace(1, 0.5, 10), 0.5 + 0.01 * rng.standard_normal(30),
                                   np.linspace(0.5, 0.8, 10)]))
    build = lambda s, o: s.ReduceLROnPlateau(o, **kwargs)  # noqa: E731
    n_lrs, _, n_s, _ = trajectory(ndgrad, build, len(metrics), metrics=metrics)
    t_lrs, _, t_s, _ = trajectory(torch, build, len(metrics), metrics=metrics)
    np.testing.assert_allclose(n_lrs, t_lrs, rtol=1e-13)
    assert (n_s.best, n_s.num_bad_epochs, n_s.cooldown_counter, n_s.last_epoch) == \
        (t_s.best, t_s.num_bad_epochs, t_s.cooldown_counter, t_s.last_epoch)


def test_reduce_lr_on_plateau_accepts_tensor_metric():
    opt = make_optimizer(ndgrad)
    sched = ndgrad.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0)
    sched.step(ndgrad.tensor(1.0))
    sched.step(ndgrad.tensor(2.0))
    assert sched.get_last_lr() == pytest.approx([0.01, 0.002])


@pytest.mark.parametrize("name,epochs", [
    ("StepLR", [0, 3, 7, 8, 14, 20, 21, 2]),
    ("MultiStepLR", [1, 3, 4, 10, 30, 2]),
    ("ExponentialLR", [1, 5, 2, 9]),
    ("CosineAnnealingLR", [1, 6, 12, 13, 3]),
    ("LinearLR", [0, 2, 8, 12, 1]),
    ("ConstantLR", [0, 5, 6, 7, 2]),
    ("PolynomialLR", [1, 5, 15, 20, 3]),
    ("CosineAnnealingWarmRestarts", [0.5, 1.25, 4.9, 5.0, 7.5, 15.2, 36.0, 2]),
])
def test_step_with_epoch_uses_closed_form_like_torch(name, epochs):
    n_lrs, _, _, _ = trajectory(ndgrad, SCHEDULERS[name], len(epochs), epochs=epochs)
    t_lrs, _, _, _ = trajectory(torch, SCHEDULERS[name], len(epochs), epochs=epochs)
    np.testing.assert_allclose(n_lrs, t_lrs, rtol=1e-13)


def test_initial_lr_and_base_lrs():
    for lib in (ndgrad, torch):
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
        assert [g["initial_lr"] for g in opt.param_groups] == [0.1, 0.02]
        assert sched.base_lrs == [0.1, 0.02]
        assert sched.last_epoch == 0 and sched._step_count == 1


@pytest.mark.parametrize("name", ["StepLR", "CosineAnnealingLR", "OneCycleLR_cos", "CyclicLR_triangular2",
                                  "LinearLR", "SequentialLR", "ChainedScheduler", "LambdaLR",
                                  "CosineAnnealingWarmRestarts"])
def test_state_dict_keys_and_resume(name):
    build = SCHEDULERS[name]
    n_full, _, _, _ = trajectory(ndgrad, build, 30)
    t_full, _, _, _ = trajectory(torch, build, 30)
    np.testing.assert_allclose(n_full, t_full, rtol=1e-13)

    # Same keys as torch's state dict.
    _, _, n_sched, _ = trajectory(ndgrad, build, 3)
    _, _, t_sched, _ = trajectory(torch, build, 3)
    n_sd, t_sd = n_sched.state_dict(), t_sched.state_dict()
    assert set(n_sd) == set(t_sd)
    assert n_sd.get("last_epoch") == t_sd.get("last_epoch")

    # Resume: a fresh optimizer/scheduler loading both state dicts continues the same trajectory.
    opt = make_optimizer(ndgrad)
    sched = build(ndgrad.optim.lr_scheduler, opt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(12):
            opt.step()
            sched.step()
        opt_sd, sched_sd = opt.state_dict(), sched.state_dict()
        opt2 = make_optimizer(ndgrad)
        sched2 = build(ndgrad.optim.lr_scheduler, opt2)
        sched2.load_state_dict(sched_sd)
        opt2.load_state_dict(opt_sd)
        lrs = []
        for _ in range(18):
            opt2.step()
            sched2.step()
            lrs.append(sched2.get_last_lr())
    np.testing.assert_allclose(np.array(lrs), n_full[13:], rtol=1e-13)


def test_reduce_lr_on_plateau_state_dict_roundtrip():
    opt = make_optimizer(ndgrad)
    sched = ndgrad.optim.lr_scheduler.ReduceLROnPlateau(opt, mode="max", patience=1)
    for m in [1, 2, 2, 2]:
        sched.step(m)
    sd = sched.state_dict()
    t_sd = torch.optim.lr_scheduler.ReduceLROnPlateau(make_optimizer(torch), mode="max", patience=1).state_dict()
    assert set(sd) == set(t_sd)
    sched2 = ndgrad.optim.lr_scheduler.ReduceLROnPlateau(make_optimizer(ndgrad))
    sched2.load_state_dict(sd)
    assert (sched2.mode, sched2.best, sched2.num_bad_epochs, sched2.mode_worse) == ("max", 2.0, 0, -math.inf)


def test_lambda_state_dict_saves_callable_objects_not_functions():
    class Rate:
        def __init__(self):
            self.factor = 0.5

        def __call__(self, epoch):
            return self.factor ** epoch

    opt = make_optimizer(ndgrad)
    sched = ndgrad.optim.lr_scheduler.LambdaLR(opt, [Rate(), lambda e: 1.0])
    sched.lr_lambdas[0].factor = 0.7
    sd = sched.state_dict()
    assert sd["lr_lambdas"] == [{"factor": 0.7}, None]
    sched2 = ndgrad.optim.lr_scheduler.LambdaLR(make_optimizer(ndgrad), [Rate(), lambda e: 1.0])
    sched2.load_state_dict(sd)
    assert sched2.lr_lambdas[0].factor == 0.7


def test_warnings_like_torch():
    for lib in (ndgrad, torch):
        opt = make_optimizer(lib)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=2)
        with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before `optimizer.step\(\)`"):
            sched.step()
        with pytest.warns(UserWarning, match="please use `get_last_lr\\(\\)`"):
            sched.get_lr()
        opt.step()
        with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
            sched.step(5)
    # No warning in the right order.
    opt = make_optimizer(ndgrad)
    sched = ndgrad.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt.step()
        sched.step()


ERRORS = [
    (lambda s, o: s.StepLR(object(), 2), TypeError, "object is not an Optimizer"),
    (lambda s, o: s.ReduceLROnPlateau(o, factor=1.0), ValueError, "Factor should be < 1.0."),
    (lambda s, o: s.ReduceLROnPlateau(o, mode="median"), ValueError, "mode median is unknown!"),
    (lambda s, o: s.ReduceLROnPlateau(o, threshold_mode="x"), ValueError, "threshold mode x is unknown!"),
    (lambda s, o: s.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs, got 1"),
    (lambda s, o: s.LinearLR(o, start_factor=0), ValueError, "Starting multiplicative factor expected"),
    (lambda s, o: s.LinearLR(o, end_factor=1.5), ValueError, "Ending multiplicative factor expected"),
    (lambda s, o: s.ConstantLR(o, factor=2), ValueError, "Constant multiplicative factor expected"),
    (lambda s, o: s.OneCycleLR(o, max_lr=0.1), ValueError, "You must define either total_steps OR"),
    (lambda s, o: s.OneCycleLR(o, max_lr=0.1, total_steps=0), ValueError, "Expected positive integer total_steps"),
    (lambda s, o: s.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1), ValueError,
     "Expected float between 0 and 1 pct_start"),
    (lambda s, o: s.OneCycleLR(o, max_lr=0.1, total_steps=10, anneal_strategy="exp"), ValueError,
     "anneal_strategy must be one of 'cos' or 'linear'"),
    (lambda s, o: s.OneCycleLR(o, max_lr=[0.1], total_steps=10), ValueError,
     "max_lr must have the same length as optimizer.param_groups"),
    (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=0), ValueError, "Expected positive integer T_0"),
    (lambda s, o: s.CosineAnnealingWarmRestarts(o, T_0=2, T_mult=0), ValueError, "Expected integer T_mult >= 1"),
    (lambda s, o: s.LambdaLR(o, [lambda e: 1.0]), ValueError, "Expected 2 lr_lambdas, but got 1"),
    (lambda s, o: s.MultiplicativeLR(o, 0.5), TypeError, "lr_lambda should be a function, but got float"),
    (lambda s, o: s.SequentialLR(o, [s.StepLR(o, 2), s.StepLR(o, 3)], milestones=[]), ValueError,
     "Sequential Schedulers expects number of schedulers provided to be one more"),
    (lambda s, o: s.SequentialLR(o, [], milestones=[]), ValueError, "expects at least one scheduler"),
    (lambda s, o: s.SequentialLR(o, [s.ReduceLROnPlateau(o)], milestones=[]), ValueError,
     "does not support `ReduceLROnPlateau`"),
    (lambda s, o: s.CyclicLR(o, 0.1, 1.0, mode="nope"), ValueError, "mode is invalid and scale_fn is None"),
    (lambda s, o: s.StepLR(o, 2, last_epoch=3), KeyError, "param 'initial_lr' is not specified"),
]


@pytest.mark.parametrize("build,exc,msg", ERRORS)
def test_errors_match_torch(build, exc, msg):
    for lib in (ndgrad, torch):
        with pytest.raises(exc, match=msg.replace("(", "\\(").replace(")", "\\)").replace("*", "\\*")):
            build(lib.optim.lr_scheduler, make_optimizer(lib))


def test_cycle_momentum_needs_momentum_or_betas():
    for lib in (ndgrad, torch):
        opt = lib.optim.Adagrad([lib.zeros(2, requires_grad=True)])
        with pytest.raises(ValueError, match="optimizer must support momentum or beta1"):
            lib.optim.lr_scheduler.OneCycleLR(opt, max_lr=0.1, total_steps=10)


def test_tensor_lr_updated_in_place():
    p = ndgrad.zeros(2, requires_grad=True)
    lr = ndgrad.tensor(0.1)
    opt = ndgrad.optim.SGD([p], lr=lr)
    sched = ndgrad.optim.lr_scheduler.ExponentialLR(opt, gamma=0.5)
    opt.step()
    sched.step()
    assert opt.param_groups[0]["lr"] is lr
    assert float(lr) == pytest.approx(0.05)
    assert float(sched.get_last_lr()[0]) == pytest.approx(0.05)


def test_scheduler_drives_training_like_torch():
    """SGD + StepLR on a quadratic: the parameters follow torch's to float64 precision."""
    target = np.linspace(-1, 1, 5)
    results = []
    for lib in (ndgrad, torch):
        w = lib.zeros(5, dtype=lib.float64, requires_grad=True)
        t = lib.tensor(target)
        opt = lib.optim.SGD([w], lr=0.3, momentum=0.5)
        sched = lib.optim.lr_scheduler.StepLR(opt, step_size=5, gamma=0.5)
        for _ in range(30):
            opt.zero_grad()
            ((w - t) ** 2).sum().backward()
            opt.step()
            sched.step()
        results.append(w.detach().numpy().copy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12, atol=1e-14)
