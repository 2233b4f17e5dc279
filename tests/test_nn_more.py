"""The torch.nn classes added last: lazy conv / instance norm, fractional max pooling, adaptive
log-softmax, DataParallel, SyncBatchNorm and linear cross entropy, compared with torch."""
import numpy as np
import pytest
import torch

import ndgrad
import ndgrad.nn.functional as NF
import torch.nn.functional as TF


def nd(t, rg=False):
    return ndgrad.tensor(t.detach().numpy(), requires_grad=rg)


def close(a, b, tol=1e-10):
    np.testing.assert_allclose(np.asarray(a.detach().numpy() if hasattr(a, "detach") else a),
                               np.asarray(b.detach().numpy() if hasattr(b, "detach") else b), rtol=tol, atol=tol)


def copy_weights(src, dst):
    dst.load_state_dict({k: nd(v) for k, v in src.state_dict().items()})


def errors_match(f_torch, f_nd):
    with pytest.raises(Exception) as et:
        f_torch()
    with pytest.raises(Exception) as en:
        f_nd()
    assert type(en.value) is type(et.value)
    assert str(en.value) == str(et.value)


def test_all_torch_nn_classes_exist():
    missing = [n for n in dir(torch.nn) if n[0].isupper() and not hasattr(ndgrad.nn, n)]
    assert missing == []
    assert ndgrad.nn.UninitializedParameter is ndgrad.nn.parameter.UninitializedParameter
    for n in ("fractional_max_pool2d", "fractional_max_pool3d", "fractional_max_pool2d_with_indices",
              "fractional_max_pool3d_with_indices", "linear_cross_entropy"):
        assert hasattr(NF, n)


_LAZY_CONVS = [
    ("LazyConv1d", (4, 3), (2, 3, 9)), ("LazyConv2d", (4, 3), (2, 6, 7, 8)), ("LazyConv3d", (4, 2), (3, 5, 5, 6)),
    ("LazyConvTranspose1d", (4, 3), (2, 3, 9)), ("LazyConvTranspose2d", (6, 3), (2, 4, 5, 5)),
    ("LazyConvTranspose3d", (4, 2), (2, 3, 4, 4, 4))]


def _in_channels(name, shape):
    return shape[-len(shape) + (1 if len(shape) - 2 == int(name[-2]) else 0)]


# groups=2 only where the inferred input channels divide by 2
@pytest.mark.parametrize("name,args,shape,kw", [
    (n, a, s, kw) for n, a, s in _LAZY_CONVS for kw in ({}, {"bias": False, "groups": 2, "stride": 2})
    if not (kw.get("groups") == 2 and _in_channels(n, s) % 2)])
def test_lazy_conv(name, args, shape, kw):
    torch.manual_seed(0)
    tm = getattr(torch.nn, name)(*args, **kw).double()
    nm = getattr(ndgrad.nn, name)(*args, **kw, dtype=ndgrad.float64)
    assert repr(nm) == repr(tm)
    assert list(nm.state_dict()) == list(tm.state_dict())
    x = torch.randn(*shape, dtype=torch.float64)
    yt = tm(x)
    xn = nd(x, True)
    yn_shape_check = nm(xn)  # materialise, then copy torch's random weights and compare
    assert repr(nm) == repr(tm) and type(nm).__name__ == type(tm).__name__
    assert nm.weight.shape == tm.weight.shape
    copy_weights(tm, nm)
    x.requires_grad_(True)
    yt = tm(x)
    yn = nm(xn)
    close(yn, yt)
    g = torch.randn_like(yt)
    yt.backward(g)
    yn.backward(nd(g))
    close(xn.grad, x.grad)
    close(nm.weight.grad, tm.weight.grad)
    assert yn_shape_check.shape == tuple(yt.shape)


def test_lazy_conv_errors_and_load():
    errors_match(lambda: torch.nn.LazyConv2d(8, 3, groups=3)(torch.randn(2, 4, 5, 5)),
                 lambda: ndgrad.nn.LazyConv2d(8, 3, groups=3)(ndgrad.randn(2, 4, 5, 5)))
    errors_match(lambda: torch.nn.LazyConv2d(8, 3)(torch.randn(4, 5)),
                 lambda: ndgrad.nn.LazyConv2d(8, 3)(ndgrad.randn(4, 5)))
    tm = torch.nn.Conv1d(3, 5, 2)
    nm = ndgrad.nn.LazyConv1d(5, 2)
    nm.load_state_dict({k: nd(v) for k, v in tm.state_dict().items()})
    assert tuple(nm.weight.shape) == (5, 3, 2)
    x = torch.randn(2, 3, 6)
    close(nm(nd(x)), tm(x), 1e-6)
    assert type(nm) is ndgrad.nn.Conv1d


@pytest.mark.parametrize("d", [1, 2, 3])
@pytest.mark.parametrize("kw", [{}, {"affine": False, "track_running_stats": False}])
def test_lazy_instance_norm(d, kw):
    tm = getattr(torch.nn, f"LazyInstanceNorm{d}d")(**kw, dtype=torch.float64)
    nm = getattr(ndgrad.nn, f"LazyInstanceNorm{d}d")(**kw, dtype=ndgrad.float64)
    assert repr(nm) == repr(tm)
    assert list(nm.state_dict()) == list(tm.state_dict())
    x = torch.randn(2, 3, *[4] * d, dtype=torch.float64, requires_grad=True)
    yt = tm(x)
    xn = nd(x, True)
    yn = nm(xn)
    assert repr(nm) == repr(tm)
    assert list(nm.state_dict()) == list(tm.state_dict())
    close(yn, yt)
    yt.pow(2).sum().backward()
    yn.pow(2).sum().backward()
    close(xn.grad, x.grad)
    for k, v in tm.state_dict().items():
        close(nm.state_dict()[k], v)
    # unbatched: torch reads num_features from dim 1 there too
    errors_match(lambda: getattr(torch.nn, f"LazyInstanceNorm{d}d")()(torch.randn(4, *[5] * d)),
                 lambda: getattr(ndgrad.nn, f"LazyInstanceNorm{d}d")()(ndgrad.randn(4, *[5] * d)))


@pytest.mark.parametrize("shape,k,out", [((2, 3, 9, 11), (3, 2), (5, 6)), ((3, 9, 11), 2, (4, 4)),
                                         ((2, 3, 7, 8, 9), 2, (4, 5, 6)), ((3, 7, 8, 9), (2, 3, 2), (3, 4, 6))])
@pytest.mark.parametrize("dt", [torch.float32, torch.float64])
def test_fractional_max_pool(shape, k, out, dt):
    nd_ = len(out)
    nb = shape[0] if len(shape) == nd_ + 2 else 1
    x = torch.randn(*shape, dtype=dt)
    x.view(-1)[::7] = x.view(-1)[3]  # ties
    x.requires_grad_(True)
    smp = torch.rand(nb, shape[-nd_ - 1], nd_, dtype=dt)
    tf = getattr(TF, f"fractional_max_pool{nd_}d")
    nf = getattr(NF, f"fractional_max_pool{nd_}d")
    yt, it = tf(x, k, output_size=out, return_indices=True, _random_samples=smp)
    xn = nd(x, True)
    yn, iN = nf(xn, k, output_size=out, return_indices=True, _random_samples=nd(smp))
    assert np.array_equal(yn.detach().numpy(), yt.detach().numpy())
    assert np.array_equal(iN.numpy(), it.numpy()) and iN.dtype == ndgrad.int64
    g = torch.randn_like(yt)
    yt.backward(g)
    yn.backward(nd(g))
    close(xn.grad, x.grad, 1e-6)
    # module with output_ratio and the samples as a buffer
    tm = getattr(torch.nn, f"FractionalMaxPool{nd_}d")(k, output_ratio=0.5, _random_samples=smp)
    nm = getattr(ndgrad.nn, f"FractionalMaxPool{nd_}d")(k, output_ratio=0.5, _random_samples=nd(smp))
    assert repr(nm) == repr(tm) and list(nm.state_dict()) == list(tm.state_dict())
    assert np.array_equal(nm(xn).detach().numpy(), tm(x).detach().numpy())
    assert tuple(nf(xn, k, output_size=out).shape) == tuple(yt.shape)  # random samples drawn


def test_fractional_max_pool_errors():
    x = torch.randn(2, 3, 7, 8)
    cases = [((x, 3), {"output_size": (6, 6)}), ((x, 3), {"output_size": (5, 7)}),
             ((torch.randn(2, 0, 7, 8), 3), {"output_size": (5, 5)}),
             ((x, 3), {"output_size": (5, 5), "_random_samples": torch.rand(2, 3, 3)}),
             ((x, 3), {"output_size": (5, 5), "_random_samples": torch.rand(1, 3, 2)}),
             ((x, 3), {"output_size": (5, 5), "_random_samples": torch.rand(2, 2, 2)}),
             ((x, 3), {"output_size": (5, 5), "_random_samples": torch.rand(2, 3, 2, 1)}),
             ((x, 3), {"output_size": (5, 5), "_random_samples": torch.rand(2, 3, 2).double()}),
             ((x, (3, 3, 3)), {"output_size": (5, 5)}), ((x, 3), {"output_size": (5, 5, 5)}), ((x, 3), {})]
    for args, kw in cases:
        nargs = (nd(args[0]),) + args[1:]
        nkw = {k: nd(v) if isinstance(v, torch.Tensor) else v for k, v in kw.items()}
        errors_match(lambda: TF.fractional_max_pool2d(*args, **kw), lambda: NF.fractional_max_pool2d(*nargs, **nkw))
    x3 = torch.randn(2, 3, 5, 7, 8)
    for o in [(5, 5, 5), (3, 6, 6), (3, 5, 7), (3, 5)]:
        errors_match(lambda: TF.fractional_max_pool3d(x3, 3, output_size=o),
                     lambda: NF.fractional_max_pool3d(nd(x3), 3, output_size=o))
    for kw in [{}, {"output_ratio": 1.5}, {"output_ratio": 0.5, "output_size": 3}]:
        errors_match(lambda: torch.nn.FractionalMaxPool2d(2, **kw), lambda: ndgrad.nn.FractionalMaxPool2d(2, **kw))
    errors_match(lambda: torch.nn.FractionalMaxPool3d(0, output_size=2),
                 lambda: ndgrad.nn.FractionalMaxPool3d(0, output_size=2))


@pytest.mark.parametrize("head_bias", [False, True])
def test_adaptive_log_softmax(head_bias):
    torch.manual_seed(0)
    tm = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, cutoffs=[4, 9, 15], div_value=2.0, head_bias=head_bias).double()
    nm = ndgrad.nn.AdaptiveLogSoftmaxWithLoss(16, 20, cutoffs=[4, 9, 15], div_value=2.0, head_bias=head_bias,
                                              dtype=ndgrad.float64)
    assert repr(nm) == repr(tm)
    assert list(nm.state_dict()) == list(tm.state_dict())
    assert [tuple(v.shape) for v in nm.state_dict().values()] == [tuple(v.shape) for v in tm.state_dict().values()]
    copy_weights(tm, nm)
    x = torch.randn(12, 16, dtype=torch.float64, requires_grad=True)
    target = torch.tensor([0, 3, 5, 9, 19, 15, 4, 8, 14, 2, 10, 16])
    ot = tm(x, target)
    xn = nd(x, True)
    on = nm(xn, nd(target))
    assert type(on).__name__ == "_ASMoutput" and on._fields == ("output", "loss")
    close(on.output, ot.output)
    close(on.loss, ot.loss)
    ot.loss.backward()
    on.loss.backward()
    close(xn.grad, x.grad)
    for (k, p), q in zip(tm.named_parameters(), nm.parameters()):
        close(q.grad, p.grad)
    close(nm.log_prob(xn), tm.log_prob(x))
    assert np.array_equal(nm.predict(xn).numpy(), tm.predict(x).numpy())
    on1 = nm(xn[3], nd(target[3]))
    ot1 = tm(x[3], target[3])
    close(on1.output, ot1.output)
    close(on1.loss, ot1.loss)


def test_adaptive_log_softmax_errors():
    for cut in ([], [5, 3], [0, 3], [3, 20], [3, 3]):
        errors_match(lambda: torch.nn.AdaptiveLogSoftmaxWithLoss(8, 20, cut),
                     lambda: ndgrad.nn.AdaptiveLogSoftmaxWithLoss(8, 20, cut))
    tm = torch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3])
    nm = ndgrad.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3])
    x = torch.randn(4, 8)
    for t in (torch.tensor([0, 1, 2]), torch.tensor([0, 1, 2, 12]), torch.zeros(4, 2, dtype=torch.long)):
        errors_match(lambda: tm(x, t), lambda: nm(nd(x), nd(t)))
    errors_match(lambda: tm(x, torch.tensor(1)), lambda: nm(nd(x), ndgrad.tensor(1)))


def test_data_parallel():
    tm = torch.nn.DataParallel(torch.nn.Linear(4, 3))
    nm = ndgrad.nn.DataParallel(ndgrad.nn.Linear(4, 3), device_ids=None)
    assert repr(nm) == repr(tm)
    assert list(nm.state_dict()) == list(tm.state_dict()) == ["module.weight", "module.bias"]
    assert nm.device_ids == tm.device_ids == []
    copy_weights(tm, nm)
    x = torch.randn(5, 4)
    close(nm(nd(x)), tm(x), 1e-6)
    assert ndgrad.nn.parallel.DataParallel is ndgrad.nn.DataParallel
    errors_match(lambda: torch.nn.parallel.data_parallel(torch.nn.Linear(2, 3), torch.randn(4, 2)),
                 lambda: ndgrad.nn.parallel.data_parallel(ndgrad.nn.Linear(2, 3), ndgrad.randn(4, 2)))


def test_sync_batch_norm():
    tm = torch.nn.SyncBatchNorm(4, momentum=None).double()
    nm = ndgrad.nn.SyncBatchNorm(4, momentum=None, dtype=ndgrad.float64)
    assert repr(nm) == repr(tm) and list(nm.state_dict()) == list(tm.state_dict())
    for shape in [(6, 4), (3, 4, 5), (2, 4, 3, 3, 2)]:
        for train in (True, False):
            tm.train(train)
            nm.train(train)
            x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
            xn = nd(x, True)
            yt, yn = tm(x), nm(xn)
            close(yn, yt)
            yt.pow(3).sum().backward()
            yn.pow(3).sum().backward()
            close(xn.grad, x.grad)
            for k, v in tm.state_dict().items():
                close(nm.state_dict()[k], v)
    errors_match(lambda: tm(torch.randn(4)), lambda: nm(ndgrad.randn(4)))
    errors_match(lambda: tm(torch.randn(3, 0)), lambda: nm(ndgrad.randn(3, 0)))


def test_convert_sync_batchnorm():
    def build(nn):
        return nn.Sequential(nn.Conv2d(3, 4, 1), nn.BatchNorm2d(4),
                             nn.Sequential(nn.BatchNorm1d(4, affine=False), nn.BatchNorm3d(2, momentum=0.3)))
    tm, nm = build(torch.nn), build(ndgrad.nn)
    copy_weights(tm, nm)
    nm.eval()
    tm.eval()
    w = nm[1].weight
    rm = nm[1].running_mean
    tc = torch.nn.SyncBatchNorm.convert_sync_batchnorm(tm)
    nc = ndgrad.nn.SyncBatchNorm.convert_sync_batchnorm(nm)
    assert repr(nc) == repr(tc)
    assert list(nc.state_dict()) == list(tc.state_dict())
    assert nc[1].weight is w and nc[1].running_mean is rm and not nc[1].training
    single = ndgrad.nn.SyncBatchNorm.convert_sync_batchnorm(ndgrad.nn.BatchNorm1d(3))
    assert type(single) is ndgrad.nn.SyncBatchNorm


@pytest.mark.parametrize("out_features", [(), (4, 3)])
@pytest.mark.parametrize("bias", [False, True])
@pytest.mark.parametrize("kw", [{}, {"reduction": "sum", "label_smoothing": 0.1}, {"reduction": "none",
                                                                                  "ignore_index": 2}])
def test_linear_cross_entropy(out_features, bias, kw):
    torch.manual_seed(1)
    tm = torch.nn.LinearCrossEntropyLoss(5, 6, out_features=out_features, bias=bias, dtype=torch.float64, **kw)
    nm = ndgrad.nn.LinearCrossEntropyLoss(5, 6, out_features=out_features, bias=bias, dtype=ndgrad.float64, **kw)
    assert repr(nm) == repr(tm) and list(nm.state_dict()) == list(tm.state_dict())
    copy_weights(tm, nm)
    x = torch.randn(7, 5, dtype=torch.float64, requires_grad=True)
    target = torch.randint(0, 6, (7, *out_features))
    xn = nd(x, True)
    lt, ln = tm(x, target), nm(xn, nd(target))
    close(ln, lt)
    lt.sum().backward()
    ln.sum().backward()
    close(xn.grad, x.grad)
    close(nm.linear.weight.grad, tm.linear.weight.grad)
    if "ignore_index" not in kw:  # class probabilities
        probs = torch.randn(7, 6, *out_features, dtype=torch.float64).softmax(1)
        close(nm(xn, nd(probs)), tm(x, probs))


def test_linear_cross_entropy_functional():
    x, w, b = torch.randn(5, dtype=torch.float64), torch.randn(3, 5, dtype=torch.float64), torch.randn(3).double()
    t = torch.tensor(2)
    close(NF.linear_cross_entropy(nd(x), nd(w), nd(t), linear_bias=nd(b)),
          TF.linear_cross_entropy(x, w, t, linear_bias=b))
    opts_t, opts_n = torch.nn.LinearCrossEntropyOptions(batch_chunk_size=2), \
        ndgrad.nn.LinearCrossEntropyOptions(batch_chunk_size=2)
    assert repr(opts_n) == repr(opts_t)
    X = torch.randn(6, 5, dtype=torch.float64)
    T = torch.randint(0, 3, (6,))
    close(NF.linear_cross_entropy(nd(X), nd(w), nd(T), options=opts_n),
          TF.linear_cross_entropy(X, w, T, options=opts_t))
    for kw in [{"acc_policy": "x"}, {"chunking_method": "bad"}, {"batch_chunk_size": 0}]:
        errors_match(lambda: torch.nn.LinearCrossEntropyOptions(**kw),
                     lambda: ndgrad.nn.LinearCrossEntropyOptions(**kw))
    W3 = torch.randn(3, 4, 5, dtype=torch.float64)
    cases = [(torch.randn(2, 2, 5), w, T[:2], {}), (X, torch.randn(5), T, {}), (X, torch.randn(3, 4), T, {}),
             (X, w, T, {"linear_bias": torch.randn(4)}), (x, W3, t, {}),
             (X, w, torch.rand(6, 3), {"ignore_index": 1})]
    for a, b_, c, kw in cases:
        nkw = {k: nd(v) if isinstance(v, torch.Tensor) else v for k, v in kw.items()}
        errors_match(lambda: TF.linear_cross_entropy(a, b_, c, **kw),
                     lambda: NF.linear_cross_entropy(nd(a), nd(b_), nd(c), **nkw))
    for kw in [{"weight": torch.ones(4)}, {"label_smoothing": 1.5}]:
        errors_match(lambda: torch.nn.LinearCrossEntropyLoss(5, 3, **kw),
                     lambda: ndgrad.nn.LinearCrossEntropyLoss(5, 3, **{k: nd(v) if isinstance(v, torch.Tensor)
                                                                      else v for k, v in kw.items()}))
