"""Normalisation against torch: batch/layer/group/instance norm values and gradients (float64),
running statistics, eval mode, double backward, float32, errors, and the norm modules."""
import numpy as np
import pytest
import torch

import ndgrad
import ndgrad.nn.functional as F
from helpers import check_against_torch


def _lib_f(lib):
    return F if lib is ndgrad else torch.nn.functional


def _arrays(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) * 2 + 1 for s in shapes]


@pytest.mark.parametrize("shape", [(4, 3, 5, 6), (6, 3), (4, 3, 7), (2, 3, 2, 2, 3), (1, 3, 5)])
@pytest.mark.parametrize("affine", [False, True])
def test_batch_norm_training_matches_torch(shape, affine):
    c = shape[1]
    x, w, b = _arrays(shape, (c,), (c,))
    if affine:
        check_against_torch(lambda lib, x, w, b: _lib_f(lib).batch_norm(x, None, None, w, b, training=True),
                            x, w, b, rtol=1e-10, atol=1e-10)
    else:
        check_against_torch(lambda lib, x: _lib_f(lib).batch_norm(x, None, None, training=True), x,
                            rtol=1e-10, atol=1e-10)


def test_batch_norm_weight_only_and_bias_only():
    x, w = _arrays((4, 3, 5), (3,))
    check_against_torch(lambda lib, x, w: _lib_f(lib).batch_norm(x, None, None, w, None, True), x, w,
                        rtol=1e-10, atol=1e-10)
    check_against_torch(lambda lib, x, b: _lib_f(lib).batch_norm(x, None, None, None, b, True), x, w,
                        rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("momentum", [0.1, 0.5])
def test_batch_norm_running_stats(momentum):
    x, rm, rv = _arrays((4, 3, 5, 6), (3,), (3,))
    rv = np.abs(rv) + 0.5
    out = []
    for lib in (torch, ndgrad):
        rmt, rvt = lib.tensor(rm.copy()), lib.tensor(rv.copy())
        y = _lib_f(lib).batch_norm(lib.tensor(x), rmt, rvt, training=True, momentum=momentum)
        out.append((y.numpy(), rmt.numpy(), rvt.numpy()))
    for a, b in zip(*out):
        np.testing.assert_allclose(b, a, rtol=1e-12, atol=1e-12)


def test_batch_norm_eval_matches_torch():
    x, rm, rv, w, b = _arrays((4, 3, 5, 6), (3,), (3,), (3,), (3,))
    rv = np.abs(rv) + 0.5
    check_against_torch(lambda lib, x, w, b: _lib_f(lib).batch_norm(x, lib.tensor(rm), lib.tensor(rv), w, b,
                                                                   training=False, eps=1e-3),
                        x, w, b, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_double_backward(training):
    x, rm, rv, w, b = _arrays((4, 3, 5), (3,), (3,), (3,), (3,))
    rv = np.abs(rv) + 0.5
    res = []
    for lib in (torch, ndgrad):
        xt, wt, bt = [lib.tensor(a, requires_grad=True) for a in (x, w, b)]
        y = _lib_f(lib).batch_norm(xt, lib.tensor(rm), lib.tensor(rv), wt, bt, training=training)
        assert type(y.grad_fn).__name__ == "NativeBatchNormBackward0"
        gx, gw, gb = lib.autograd.grad((y * y * y).sum(), (xt, wt, bt), create_graph=True)
        z = (gx * gx).sum() + (gw * gw).sum() + (gb * gb).sum()
        res.append([g.detach().numpy() for g in lib.autograd.grad(z, (xt, wt, bt))])
    for a, b in zip(*res):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("shape,ns", [((2, 5, 6), (6,)), ((2, 3, 5, 6), (5, 6)), ((4, 7), (7,))])
@pytest.mark.parametrize("affine", ["none", "weight", "both"])
def test_layer_norm_matches_torch(shape, ns, affine):
    x, w, b = _arrays(shape, ns, ns)
    if affine == "none":
        check_against_torch(lambda lib, x: _lib_f(lib).layer_norm(x, ns), x, rtol=1e-10, atol=1e-10)
    elif affine == "weight":
        check_against_torch(lambda lib, x, w: _lib_f(lib).layer_norm(x, ns, w), x, w, rtol=1e-10, atol=1e-10)
    else:
        check_against_torch(lambda lib, x, w, b: _lib_f(lib).layer_norm(x, ns, w, b, eps=1e-3), x, w, b,
                            rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("shape,groups", [((3, 6, 4, 5), 3), ((3, 6, 4, 5), 1), ((3, 6, 4, 5), 6), ((2, 4, 7), 2),
                                          ((2, 4), 2)])
def test_group_norm_matches_torch(shape, groups):
    x, w, b = _arrays(shape, (shape[1],), (shape[1],))
    check_against_torch(lambda lib, x, w, b: _lib_f(lib).group_norm(x, groups, w, b), x, w, b,
                        rtol=1e-10, atol=1e-10)
    check_against_torch(lambda lib, x: _lib_f(lib).group_norm(x, groups), x, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("kind", ["layer", "group"])
def test_layer_group_norm_double_backward(kind):
    x, w, b = _arrays((3, 4, 5), (4, 5) if kind == "layer" else (4,), (4, 5) if kind == "layer" else (4,))
    res = []
    for lib in (torch, ndgrad):
        xt, wt, bt = [lib.tensor(a, requires_grad=True) for a in (x, w, b)]
        f = _lib_f(lib)
        y = f.layer_norm(xt, (4, 5), wt, bt) if kind == "layer" else f.group_norm(xt, 2, wt, bt)
        gx, gw, gb = lib.autograd.grad((y * y * y).sum(), (xt, wt, bt), create_graph=True)
        z = (gx * gx).sum() + (gw * gw).sum() + (gb * gb).sum()
        res.append([g.detach().numpy() for g in lib.autograd.grad(z, (xt, wt, bt))])
    for a, b in zip(*res):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-9)


def test_instance_norm_matches_torch():
    x, w, b, rm, rv = _arrays((3, 4, 5, 6), (4,), (4,), (4,), (4,))
    rv = np.abs(rv) + 0.5
    check_against_torch(lambda lib, x, w, b: _lib_f(lib).instance_norm(x, weight=w, bias=b), x, w, b,
                        rtol=1e-10, atol=1e-10)
    out = []
    for lib in (torch, ndgrad):
        rmt, rvt = lib.tensor(rm.copy()), lib.tensor(rv.copy())
        y = _lib_f(lib).instance_norm(lib.tensor(x), rmt, rvt, momentum=0.3)
        y2 = _lib_f(lib).instance_norm(lib.tensor(x), rmt, rvt, use_input_stats=False)
        out.append((y.numpy(), y2.numpy(), rmt.numpy(), rvt.numpy()))
    for a, b in zip(*out):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


def test_rms_norm_matches_torch():
    x, w = _arrays((2, 3, 4), (3, 4))
    check_against_torch(lambda lib, x, w: _lib_f(lib).rms_norm(x, (3, 4), w, eps=1e-6), x, w, rtol=1e-10, atol=1e-10)


def test_norm_float32_preserved():
    x = ndgrad.randn(4, 6, 5, 5, requires_grad=True)
    w = ndgrad.randn(6, requires_grad=True)
    b = ndgrad.randn(6, requires_grad=True)
    rm, rv = ndgrad.zeros(6), ndgrad.ones(6)
    for y in (F.batch_norm(x, rm, rv, w, b, training=True), F.batch_norm(x, rm, rv, w, b, training=False),
              F.group_norm(x, 3, w, b), F.instance_norm(x, weight=w, bias=b),
              F.layer_norm(x, (5, 5))):
        assert y.dtype == ndgrad.float32
        grads = ndgrad.autograd.grad(y.sum() + (y * y).sum(), (x, w, b), allow_unused=True)
        assert all(g is None or g.dtype == ndgrad.float32 for g in grads)
    assert rm.dtype == ndgrad.float32 and rv.dtype == ndgrad.float32


def test_norm_float32_close_to_torch():
    x = (np.random.default_rng(0).standard_normal((8, 16, 10, 10)) * 3 + 5).astype(np.float32)
    n = F.batch_norm(ndgrad.tensor(x), None, None, training=True).numpy()
    t = torch.nn.functional.batch_norm(torch.tensor(x), None, None, training=True).numpy()
    np.testing.assert_allclose(n, t, rtol=1e-4, atol=1e-4)


def _errors(fn):
    out = []
    for lib in (torch, ndgrad):
        try:
            fn(lib, _lib_f(lib))
        except Exception as e:  # noqa: BLE001 - comparing exception types and messages
            out.append((type(e), str(e).split("\n")[0]))
        else:
            out.append(None)
    return out


ERRORS = [
    lambda lib, F_: F_.batch_norm(lib.randn(8, 4, 3, 3), lib.zeros(3), lib.ones(3), training=True),
    lambda lib, F_: F_.batch_norm(lib.randn(1, 4), lib.zeros(4), lib.ones(4), training=True),
    lambda lib, F_: F_.batch_norm(lib.randn(1, 4, 1), None, None, training=True),
    lambda lib, F_: F_.batch_norm(lib.randn(8, 4, 3, 3), None, None, training=False),
    lambda lib, F_: F_.batch_norm(lib.randn(8, 4, 3, 3), None, None, training=True, eps=0.0),
    lambda lib, F_: F_.layer_norm(lib.randn(8, 4, 16, 16), (15,)),
    lambda lib, F_: F_.layer_norm(lib.randn(8, 4, 16, 16), (16,), weight=lib.ones(15)),
    lambda lib, F_: F_.layer_norm(lib.randn(8, 4, 16, 16), (16,), bias=lib.ones(15)),
    lambda lib, F_: F_.group_norm(lib.randn(8, 4, 16, 16), 3),
    lambda lib, F_: F_.group_norm(lib.randn(8, 4, 16, 16), 2, weight=lib.ones(3)),
    lambda lib, F_: F_.group_norm(lib.randn(1, 4), 4),
    lambda lib, F_: F_.instance_norm(lib.randn(2, 3, 1)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_norm_errors_match_torch(i):
    t_err, n_err = _errors(ERRORS[i])
    assert t_err is not None
    assert n_err == t_err


# ---- modules --------------------------------------------------------------------------------
MODULES = [
    ("BatchNorm2d(3)", (4, 3, 5, 5)),
    ("BatchNorm2d(3, momentum=None)", (4, 3, 5, 5)),
    ("BatchNorm2d(3, affine=False)", (4, 3, 5, 5)),
    ("BatchNorm2d(3, track_running_stats=False)", (4, 3, 5, 5)),
    ("BatchNorm2d(3, bias=False)", (4, 3, 5, 5)),
    ("BatchNorm1d(3)", (6, 3)),
    ("BatchNorm1d(3, eps=1e-3, momentum=0.3)", (4, 3, 7)),
    ("BatchNorm3d(3)", (2, 3, 2, 3, 3)),
    ("LayerNorm(5)", (2, 3, 5)),
    ("LayerNorm([3, 5], elementwise_affine=False)", (2, 3, 5)),
    ("LayerNorm(5, bias=False)", (2, 3, 5)),
    ("GroupNorm(2, 4)", (3, 4, 5, 5)),
    ("GroupNorm(2, 4, affine=False)", (3, 4, 5)),
    ("InstanceNorm1d(3)", (2, 3, 7)),
    ("InstanceNorm2d(3, affine=True)", (2, 3, 5, 5)),
    ("InstanceNorm2d(3, track_running_stats=True)", (2, 3, 5, 5)),
    ("InstanceNorm2d(3)", (3, 5, 5)),
    ("RMSNorm(5)", (2, 3, 5)),
]


@pytest.mark.parametrize("spec,shape", MODULES, ids=[m[0] for m in MODULES])
def test_norm_modules_match_torch(spec, shape):
    tm, nm = eval("torch.nn." + spec), eval("ndgrad.nn." + spec)
    assert repr(nm) == repr(tm)
    tsd, nsd = tm.state_dict(), nm.state_dict()
    assert [(k, tuple(v.shape), str(v.dtype)) for k, v in nsd.items()] == \
        [(k, tuple(v.shape), str(v.dtype)) for k, v in tsd.items()]
    rng = np.random.default_rng(0)
    for k, v in tm.named_parameters():
        with torch.no_grad():
            v.copy_(torch.tensor(rng.standard_normal(tuple(v.shape)), dtype=v.dtype))
    nm.load_state_dict({k: ndgrad.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    for step in range(3):  # training steps update the running statistics identically
        x = rng.standard_normal(shape).astype(np.float32)
        yt, yn = tm(torch.tensor(x)), nm(ndgrad.tensor(x))
        np.testing.assert_allclose(yn.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-4)
    for (k, a), (_, b) in zip(nm.state_dict().items(), tm.state_dict().items()):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)
    tm.eval()
    nm.eval()
    x = rng.standard_normal(shape).astype(np.float32)
    np.testing.assert_allclose(nm(ndgrad.tensor(x)).detach().numpy(), tm(torch.tensor(x)).detach().numpy(),
                               rtol=1e-4, atol=1e-4)


def test_batch_norm_num_batches_tracked_and_old_checkpoints():
    bn = ndgrad.nn.BatchNorm2d(3)
    assert bn.num_batches_tracked.dtype == ndgrad.int64
    bn(ndgrad.randn(2, 3, 4, 4))
    bn(ndgrad.randn(2, 3, 4, 4))
    assert bn.num_batches_tracked.item() == 2
    sd = dict(ndgrad.nn.BatchNorm2d(3).state_dict())
    del sd["num_batches_tracked"]
    sd = type(ndgrad.nn.BatchNorm2d(3).state_dict())(sd)
    sd._metadata = {"": {"version": 1}}
    bn.load_state_dict(sd)   # a version-1 checkpoint without num_batches_tracked still loads
    bn.eval()
    before = bn.running_mean.numpy().copy()
    bn(ndgrad.randn(2, 3, 4, 4))
    np.testing.assert_array_equal(bn.running_mean.numpy(), before)


def test_batch_norm_module_input_dim_errors():
    for lib in (torch, ndgrad):
        with pytest.raises(ValueError, match="expected 4D input"):
            lib.nn.BatchNorm2d(3)(lib.randn(3, 4, 4))
        with pytest.raises(ValueError, match="expected 2D or 3D input"):
            lib.nn.BatchNorm1d(3)(lib.randn(2, 3, 4, 4))
        with pytest.raises(ValueError, match=r"num_channels \(4\) must be divisible by num_groups \(3\)"):
            lib.nn.GroupNorm(3, 4)


def test_batch_norm_zero_weight_gradient():
    x, w = _arrays((4, 3, 5), (3,))
    w[1] = 0.0
    check_against_torch(lambda lib, x, w: (_lib_f(lib).batch_norm(x, None, None, w, None, True) ** 3), x, w,
                        rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_threaded_channels_match_torch(monkeypatch, training):
    """Large inputs are normalised a block of channels per thread; force that path on small ones."""
    from ndgrad.ops import pool as pool_ops
    monkeypatch.setattr(pool_ops, "_PAR_MIN", 0)
    monkeypatch.setattr(pool_ops, "_THREADS", 3)
    x, w, b, rm, rv = _arrays((4, 7, 5), (7,), (7,), (7,), (7,))
    rv = np.abs(rv) + 0.5
    check_against_torch(lambda lib, x, w, b: _lib_f(lib).batch_norm(x, lib.tensor(rm), lib.tensor(rv), w, b,
                                                                   training=training),
                        x, w, b, rtol=1e-10, atol=1e-10)
