"""Volumetric (3-D) convolution and pooling, max-unpooling and LP pooling against torch: values,
indices and gradients (float64), second-order gradients, errors and module reprs / state_dicts."""
import warnings

import numpy as np
import pytest
import torch

import ndgrad
import ndgrad.nn.functional as F
from helpers import check_against_torch

TOL = dict(rtol=1e-10, atol=1e-10)


def _f(lib):
    return F if lib is ndgrad else torch.nn.functional


def _x(shape, seed=0, ties=False):
    rng = np.random.default_rng(seed)
    if ties:
        return rng.integers(0, 3, shape).astype(np.float64)
    return rng.standard_normal(shape)


def _same_error(fn):
    """``fn(lib)`` raises the same exception type and message in ndgrad and torch."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as te:
            fn(torch)
        with pytest.raises(type(te.value)) as ne:
            fn(ndgrad)
    assert str(ne.value) == str(te.value)


def _check_indices(outs):
    n_out, t_out = outs
    np.testing.assert_array_equal(n_out[1].numpy(), t_out[1].numpy())
    assert n_out[1].dtype == ndgrad.int64


# ==== conv3d ====================================================================================
CONV3D = [
    ((2, 4, 5, 6, 7), (6, 4, 3, 3, 3), dict()),
    ((2, 4, 5, 6, 7), (6, 4, 3, 2, 3), dict(stride=2, padding=1)),
    ((2, 4, 7, 6, 8), (6, 2, 3, 2, 3), dict(stride=(2, 1, 3), padding=(2, 1, 0), dilation=(2, 1, 2), groups=2)),
    ((1, 4, 5, 5, 5), (4, 1, 2, 3, 1), dict(groups=4, padding=(1, 0, 2))),
    ((2, 4, 5, 6, 7), (6, 2, 3, 3, 3), dict(padding="same", groups=2)),
    ((2, 3, 5, 6, 7), (2, 3, 2, 3, 2), dict(padding="same", dilation=(1, 2, 1))),
    ((2, 3, 5, 6, 7), (2, 3, 1, 1, 1), dict(stride=2)),
    ((2, 3, 5, 6, 7), (2, 3, 3, 3, 3), dict(padding="valid")),
    ((3, 5, 6, 7), (2, 3, 3, 2, 2), dict(padding=1)),                       # unbatched
]


@pytest.mark.parametrize("xs,ws,kw", CONV3D)
@pytest.mark.parametrize("bias", [True, False])
def test_conv3d(xs, ws, kw, bias):
    arrays = [_x(xs), _x(ws, 1)] + ([_x((ws[0],), 2)] if bias else [])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        check_against_torch(lambda lib, *t: _f(lib).conv3d(*t, **kw), *arrays, **TOL)
        check_against_torch(lambda lib, *t: lib.conv3d(*t, **kw), *arrays, **TOL)


CONVT3D = [
    ((2, 4, 3, 4, 5), (4, 3, 3, 3, 3), dict()),
    ((2, 4, 3, 4, 5), (4, 3, 3, 2, 3), dict(stride=2, padding=1, output_padding=1)),
    ((2, 4, 3, 4, 5), (4, 3, 3, 2, 3), dict(stride=(2, 1, 3), padding=(1, 1, 0), dilation=(2, 1, 2), groups=2,
                                            output_padding=(1, 0, 2))),
    ((1, 4, 2, 3, 3), (4, 1, 1, 2, 2), dict(groups=4, stride=(3, 2, 1))),
    ((4, 3, 4, 5), (4, 2, 2, 2, 2), dict(stride=2)),                         # unbatched
]


@pytest.mark.parametrize("xs,ws,kw", CONVT3D)
@pytest.mark.parametrize("bias", [True, False])
def test_conv_transpose3d(xs, ws, kw, bias):
    nout = ws[1] * kw.get("groups", 1)
    arrays = [_x(xs), _x(ws, 1)] + ([_x((nout,), 2)] if bias else [])
    check_against_torch(lambda lib, *t: _f(lib).conv_transpose3d(*t, **kw), *arrays, **TOL)
    check_against_torch(lambda lib, *t: lib.conv_transpose3d(*t, **kw), *arrays, **TOL)


def _second_order(fn, arrays):
    """d/d(inputs) of <grad(fn), v>: ndgrad vs torch (double backward through the composition)."""
    res = []
    for lib in (ndgrad, torch):
        ts = [lib.tensor(a, requires_grad=True) for a in arrays]
        y = fn(lib, *ts)
        v = lib.tensor(_x(tuple(y.shape), 7))
        gs = lib.autograd.grad(y, ts, v, create_graph=True)
        s = sum(((g * g).sum() for g in gs), lib.tensor(0.0, dtype=lib.float64))
        res.append([None if g is None else g.detach().numpy() for g in lib.autograd.grad(s, ts, allow_unused=True)])
    for a, b in zip(*res):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


def test_conv3d_double_backward():
    _second_order(lambda lib, x, w, b: _f(lib).conv3d(x, w, b, stride=(1, 2, 1), padding=1, groups=2),
                  [_x((2, 4, 4, 5, 4)), _x((4, 2, 2, 3, 2), 1), _x((4,), 2)])
    _second_order(lambda lib, x, w: _f(lib).conv_transpose3d(x, w, stride=2, padding=1, output_padding=1),
                  [_x((1, 2, 3, 3, 2)), _x((2, 3, 3, 2, 2), 1)])


def test_conv3d_gradcheck():
    x = ndgrad.tensor(_x((1, 2, 3, 4, 3)), requires_grad=True)
    w = ndgrad.tensor(_x((2, 1, 2, 2, 2), 1), requires_grad=True)
    b = ndgrad.tensor(_x((2,), 2), requires_grad=True)
    fn = lambda x, w, b: F.conv3d(x, w, b, stride=(2, 1, 1), padding=(1, 0, 1), dilation=(1, 2, 1), groups=2)  # noqa
    assert ndgrad.autograd.gradcheck(fn, (x, w, b))
    assert ndgrad.autograd.gradgradcheck(fn, (x, w, b))
    fnt = lambda x, w, b: F.conv_transpose3d(x, w.transpose(0, 1), b, stride=2, groups=1)  # noqa
    w2 = ndgrad.tensor(_x((2, 2, 2, 2, 2), 1), requires_grad=True)
    assert ndgrad.autograd.gradgradcheck(fnt, (x, w2, b))


@pytest.mark.parametrize("fn", [
    lambda lib: _f(lib).conv3d(lib.randn(1, 2, 4, 4), lib.randn(3, 2, 2, 2, 2)),
    lambda lib: _f(lib).conv3d(lib.randn(1, 1, 2, 4, 4), lib.randn(3, 2, 2, 2, 2)),
    lambda lib: _f(lib).conv3d(lib.randn(1, 2, 2, 4, 4), lib.randn(3, 2, 3, 2, 2)),
    lambda lib: _f(lib).conv3d(lib.randn(1, 2, 4, 4, 4), lib.randn(3, 2, 2, 2, 2), stride=(1, 2)),
    lambda lib: _f(lib).conv3d(lib.randn(1, 2, 4, 4, 4), lib.randn(3, 2, 2, 2, 2), stride=2, padding="same"),
    lambda lib: _f(lib).conv3d(lib.randn(1, 2, 4, 4, 4), lib.randn(3, 2, 2, 2, 2), bias=lib.randn(2)),
    lambda lib: _f(lib).conv3d(lib.randn(1, 4, 4, 4, 4), lib.randn(3, 2, 2, 2, 2), groups=2),
    lambda lib: _f(lib).conv3d(lib.randn(1, 2, 4, 4, 4), lib.randn(3, 2, 2, 2, 2), padding=-1),
    lambda lib: _f(lib).conv_transpose3d(lib.randn(1, 2, 4, 4, 4), lib.randn(2, 3, 2, 2, 2), stride=2,
                                         output_padding=2),
    lambda lib: _f(lib).conv_transpose3d(lib.randn(1, 3, 4, 4, 4), lib.randn(2, 3, 2, 2, 2)),
    lambda lib: _f(lib).conv_transpose3d(lib.randn(1, 2, 4, 4, 4), lib.randn(2, 3, 2, 2, 2), padding="same"),
])
def test_conv3d_errors(fn):
    _same_error(fn)


# ==== max_pool3d ================================================================================
MAX3D = [
    ((2, 3, 6, 7, 8), dict(kernel_size=2)),
    ((2, 3, 6, 7, 8), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 3, 7, 7, 8), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((2, 3, 7, 6, 9), dict(kernel_size=(3, 2, 3), stride=(2, 1, 2), padding=(1, 1, 0), dilation=(2, 1, 1),
                           ceil_mode=True)),
    ((2, 3, 8, 7, 6), dict(kernel_size=2, stride=3, dilation=2, ceil_mode=True)),
    ((2, 3, 5, 5, 5), dict(kernel_size=(1, 3, 2), stride=1)),
    ((3, 5, 6, 7), dict(kernel_size=3, padding=1, stride=(1, 2, 2))),           # unbatched
]


@pytest.mark.parametrize("shape,kw", MAX3D)
@pytest.mark.parametrize("ties", [False, True])
def test_max_pool3d(shape, kw, ties):
    x = _x(shape, 3, ties)
    outs = check_against_torch(lambda lib, t: _f(lib).max_pool3d(t, return_indices=True, **kw), x, **TOL)
    _check_indices(outs)
    check_against_torch(lambda lib, t: _f(lib).max_pool3d(t, **kw), x, **TOL)
    check_against_torch(lambda lib, t: lib.max_pool3d(t, kw["kernel_size"], kw.get("stride", ()),
                                                      kw.get("padding", 0), kw.get("dilation", 1),
                                                      kw.get("ceil_mode", False)), x, **TOL)


def test_max_pool3d_nan_and_inf():
    x = _x((1, 2, 4, 4, 4), 5)
    x[0, 0, 1, 1, 1] = np.nan
    x[0, 0, 2, 2, 2] = np.nan
    x[0, 1, :2] = -np.inf
    for kw in (dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1)):
        outs = check_against_torch(lambda lib, t: _f(lib).max_pool3d(t, return_indices=True, **kw), x, grad=False)
        _check_indices(outs)


def test_max_pool3d_double_backward():
    _second_order(lambda lib, x: _f(lib).max_pool3d(x, 3, stride=2, padding=1) ** 2, [_x((2, 2, 5, 6, 5))])
    x = ndgrad.tensor(_x((1, 2, 4, 5, 4)), requires_grad=True)
    assert ndgrad.autograd.gradgradcheck(lambda t: F.max_pool3d(t, 2, stride=1), (x,))


@pytest.mark.parametrize("fn", [
    lambda lib: _f(lib).max_pool3d(lib.randn(1, 2, 4, 4, 4), 2, padding=2),
    lambda lib: _f(lib).max_pool3d(lib.randn(4, 4), 2),
    lambda lib: _f(lib).max_pool3d(lib.randn(1, 2, 4, 4, 4), 5),
    lambda lib: _f(lib).max_pool3d(lib.randn(1, 2, 4, 4, 4), 2, stride=0),
    lambda lib: _f(lib).max_pool3d(lib.randn(1, 2, 4, 4, 4), (2, 2)),
    lambda lib: _f(lib).max_pool3d(lib.randn(1, 2, 4, 4, 4), 2, dilation=0),
])
def test_max_pool3d_errors(fn):
    _same_error(fn)


# ==== avg_pool3d ================================================================================
AVG3D = [
    ((2, 3, 6, 7, 8), dict(kernel_size=2)),
    ((2, 3, 6, 7, 8), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 3, 7, 7, 8), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((2, 3, 7, 6, 9), dict(kernel_size=(3, 2, 3), stride=(2, 1, 2), padding=(1, 1, 0), ceil_mode=True)),
    ((2, 3, 8, 7, 6), dict(kernel_size=2, stride=3, ceil_mode=True)),
    ((3, 5, 6, 7), dict(kernel_size=(2, 3, 3), padding=1, stride=(1, 2, 2))),   # unbatched
]


@pytest.mark.parametrize("shape,kw", AVG3D)
@pytest.mark.parametrize("count_include_pad", [True, False])
@pytest.mark.parametrize("divisor_override", [None, 3])
def test_avg_pool3d(shape, kw, count_include_pad, divisor_override):
    check_against_torch(lambda lib, t: _f(lib).avg_pool3d(t, count_include_pad=count_include_pad,
                                                          divisor_override=divisor_override, **kw),
                        _x(shape, 4), **TOL)


def test_avg_pool3d_double_backward():
    _second_order(lambda lib, x: _f(lib).avg_pool3d(x, 3, stride=2, padding=1, count_include_pad=False) ** 2,
                  [_x((2, 2, 5, 6, 5))])


@pytest.mark.parametrize("fn", [
    lambda lib: _f(lib).avg_pool3d(lib.randn(1, 2, 4, 4, 4), 2, padding=2),
    lambda lib: _f(lib).avg_pool3d(lib.randn(1, 2, 4, 4, 4), 5),
    lambda lib: _f(lib).avg_pool3d(lib.randn(4, 4), 2),
    lambda lib: _f(lib).avg_pool3d(lib.randn(1, 2, 4, 4, 4), 2, divisor_override=0),
    lambda lib: _f(lib).avg_pool3d(lib.randn(1, 2, 4, 4, 4), (2, 2)),
    lambda lib: _f(lib).avg_pool3d(lib.randn(1, 2, 4, 4, 4), 2, stride=0),
])
def test_avg_pool3d_errors(fn):
    _same_error(fn)


# ==== adaptive_max_pool3d =======================================================================
@pytest.mark.parametrize("shape,size", [
    ((2, 3, 6, 7, 8), 2), ((2, 3, 6, 7, 8), (3, 4, 5)), ((2, 3, 6, 7, 8), (6, None, 3)),
    ((2, 3, 5, 7, 6), (4, 3, 7)), ((3, 5, 6, 7), (2, 1, 3)), ((1, 2, 3, 3, 3), 1)])
@pytest.mark.parametrize("ties", [False, True])
def test_adaptive_max_pool3d(shape, size, ties):
    x = _x(shape, 6, ties)
    outs = check_against_torch(lambda lib, t: _f(lib).adaptive_max_pool3d(t, size, return_indices=True), x,
                               **TOL)
    _check_indices(outs)


@pytest.mark.parametrize("fn", [
    lambda lib: _f(lib).adaptive_max_pool3d(lib.randn(4, 4), 2),
    lambda lib: _f(lib).adaptive_max_pool3d(lib.randn(1, 2, 4, 4, 4), (2, 2)),
    lambda lib: _f(lib).adaptive_max_pool3d(lib.randn(1, 0, 2, 2, 2), 2),
])
def test_adaptive_max_pool3d_errors(fn):
    _same_error(fn)


# ==== max_unpool ================================================================================
@pytest.mark.parametrize("nd,shape,kw,out", [
    (1, (2, 3, 9), dict(kernel_size=2), None),
    (1, (3, 9), dict(kernel_size=3, stride=2, padding=1), (9,)),
    (2, (2, 3, 7, 8), dict(kernel_size=2), (7, 8)),
    (2, (2, 3, 7, 8), dict(kernel_size=3, stride=2, padding=1), (7, 8)),
    (2, (2, 3, 7, 7), dict(kernel_size=3, stride=2, padding=1), None),
    (2, (3, 6, 6), dict(kernel_size=(2, 3), stride=(2, 1)), [1, 3, 6, 6]),
    (3, (2, 2, 5, 6, 4), dict(kernel_size=2), None),
    (3, (2, 2, 5, 6, 7), dict(kernel_size=3, stride=2, padding=1), (5, 6, 7)),
])
def test_max_unpool(nd, shape, kw, out):
    def fn(lib, t):
        f = _f(lib)
        y, i = getattr(f, f"max_pool{nd}d")(t, return_indices=True, **kw)
        args = {k: v for k, v in kw.items() if k in ("stride", "padding")}
        size = out if out is None or len(out) != nd + 2 else out[-nd:]
        return getattr(f, f"max_unpool{nd}d")(y, i, kw["kernel_size"], output_size=size, **args)
    check_against_torch(fn, _x(shape, 8), **TOL)


@pytest.mark.parametrize("fn", [
    lambda lib: _f(lib).max_unpool2d(lib.randn(1, 1, 2, 2), lib.tensor([[[[0, 1], [2, 99]]]]), 2),
    lambda lib: _f(lib).max_unpool3d(lib.randn(1, 1, 2, 2, 2), lib.full((1, 1, 2, 2, 2), 99), 2),
    lambda lib: _f(lib).max_unpool1d(lib.randn(1, 1, 2), lib.tensor([[[0, 99]]]), 2),
    lambda lib: _f(lib).max_unpool2d(lib.randn(1, 1, 2, 2), lib.zeros(1, 1, 2, 2, dtype=lib.long), 2,
                                     output_size=(9, 9)),
    lambda lib: _f(lib).max_unpool2d(lib.randn(1, 1, 2, 2), lib.zeros(1, 1, 2, 2, dtype=lib.long), 2,
                                     output_size=(9,)),
    lambda lib: _f(lib).max_unpool2d(lib.randn(1, 1, 2, 2), lib.zeros(1, 1, 2, 3, dtype=lib.long), 2),
    lambda lib: _f(lib).max_unpool2d(lib.randn(1, 1, 2, 2), lib.zeros(1, 1, 2, 2, dtype=lib.int32), 2),
    lambda lib: _f(lib).max_unpool2d(lib.randn(2, 2), lib.zeros(2, 2, dtype=lib.long), 2),
    lambda lib: _f(lib).max_unpool3d(lib.randn(2, 2, 2), lib.zeros(2, 2, 2, dtype=lib.long), 2),
])
def test_max_unpool_errors(fn):
    _same_error(fn)


# ==== lp_pool ===================================================================================
@pytest.mark.parametrize("nd,shape,kw", [
    (1, (2, 3, 9), dict(norm_type=2, kernel_size=3)),
    (1, (2, 3, 9), dict(norm_type=1.5, kernel_size=2, stride=1, ceil_mode=True)),
    (2, (2, 3, 7, 8), dict(norm_type=2, kernel_size=2)),
    (2, (2, 3, 7, 8), dict(norm_type=3, kernel_size=(3, 2), stride=(2, 1), ceil_mode=True)),
    (3, (2, 2, 5, 6, 4), dict(norm_type=2, kernel_size=2)),
    (3, (2, 2, 5, 6, 7), dict(norm_type=1.5, kernel_size=(2, 3, 2), stride=(1, 2, 2), ceil_mode=True)),
])
def test_lp_pool(nd, shape, kw):
    x = np.abs(_x(shape, 9)) + 0.1
    check_against_torch(lambda lib, t: getattr(_f(lib), f"lp_pool{nd}d")(t, **kw), x, **TOL)
    name = f"LPPool{nd}d"
    check_against_torch(lambda lib, t: getattr(lib.nn, name)(**kw)(t), x, **TOL)


# ==== modules ===================================================================================
def _modules(lib):
    nn = lib.nn
    return [nn.Conv3d(4, 6, 3), nn.Conv3d(4, 6, (1, 2, 3), stride=2, padding=(0, 1, 1), dilation=2, groups=2,
                                                 bias=False),
            nn.Conv3d(4, 6, 3, padding="same", padding_mode="reflect"), nn.Conv3d(2, 2, 3, padding=1,
                                                                                   padding_mode="circular"),
            nn.Conv3d(2, 2, 2, padding=1, padding_mode="replicate"),
            nn.ConvTranspose3d(4, 6, 3), nn.ConvTranspose3d(4, 6, (1, 2, 3), stride=2, padding=1, output_padding=1,
                                                            groups=2, bias=False, dilation=2),
            nn.MaxPool3d(2), nn.MaxPool3d((2, 3, 2), stride=1, padding=1, dilation=1, ceil_mode=True),
            nn.AvgPool3d(2), nn.AvgPool3d(3, 2, 1, ceil_mode=True, count_include_pad=False, divisor_override=2),
            nn.AdaptiveMaxPool3d((2, 3, None)), nn.AdaptiveAvgPool3d(2),
            nn.MaxUnpool1d(2), nn.MaxUnpool2d((2, 3), 1), nn.MaxUnpool3d(2, padding=1),
            nn.LPPool1d(2, 3), nn.LPPool2d(1.5, (2, 3), 2), nn.LPPool3d(2, 2, ceil_mode=True)]


def test_module_reprs_and_state_dicts():
    for nm, tm in zip(_modules(ndgrad), _modules(torch)):
        assert repr(nm) == repr(tm)
        assert list(nm.state_dict().keys()) == list(tm.state_dict().keys())
        for k, v in nm.state_dict().items():
            assert tuple(v.shape) == tuple(tm.state_dict()[k].shape)


def test_conv3d_modules_forward():
    x = _x((2, 4, 5, 6, 7))
    for nm, tm in zip(_modules(ndgrad)[:7], _modules(torch)[:7]):
        if nm.in_channels != 4:
            continue
        nm.load_state_dict({k: ndgrad.tensor(v.detach().numpy()) for k, v in tm.double().state_dict().items()})
        nm.double()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yn, yt = nm(ndgrad.tensor(x)), tm(torch.tensor(x))
        np.testing.assert_allclose(yn.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-10)
    x2 = _x((1, 2, 4, 5, 3))
    for i in (3, 4):
        nm, tm = _modules(ndgrad)[i], _modules(torch)[i]
        nm.load_state_dict({k: ndgrad.tensor(v.detach().numpy()) for k, v in tm.double().state_dict().items()})
        nm.double()
        np.testing.assert_allclose(nm(ndgrad.tensor(x2)).detach().numpy(), tm(torch.tensor(x2)).detach().numpy(),
                                   rtol=1e-10, atol=1e-10)


def test_conv3d_init_statistics():
    ndgrad.manual_seed(0)
    m = ndgrad.nn.Conv3d(8, 16, 3)
    bound = 1 / np.sqrt(8 * 27)
    w = m.weight.detach().numpy()
    assert w.shape == (16, 8, 3, 3, 3) and np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(m.bias.detach().numpy()).max() <= bound


def test_conv_transpose3d_output_size():
    tm = torch.nn.ConvTranspose3d(2, 3, 3, stride=2, padding=1).double()
    nm = ndgrad.nn.ConvTranspose3d(2, 3, 3, stride=2, padding=1).double()
    nm.load_state_dict({k: ndgrad.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    x = _x((1, 2, 3, 4, 3))
    for size in ([5, 8, 6], [1, 3, 6, 7, 5]):
        yn, yt = nm(ndgrad.tensor(x), output_size=size), tm(torch.tensor(x), output_size=size)
        np.testing.assert_allclose(yn.detach().numpy(), yt.detach().numpy(), rtol=1e-10, atol=1e-10)
    _same_error(lambda lib: (nm if lib is ndgrad else tm)(lib.tensor(x), output_size=[9, 9, 9]))


def test_pool_modules_forward():
    x = _x((2, 3, 6, 7, 5), 11)
    for lib_pair in [(ndgrad.nn.MaxPool3d(3, 2, 1, return_indices=True), torch.nn.MaxPool3d(3, 2, 1, return_indices=True)),
                     (ndgrad.nn.AdaptiveMaxPool3d(2, return_indices=True), torch.nn.AdaptiveMaxPool3d(2, return_indices=True))]:
        (yn, inn), (yt, it) = lib_pair[0](ndgrad.tensor(x)), lib_pair[1](torch.tensor(x))
        np.testing.assert_allclose(yn.numpy(), yt.numpy())
        np.testing.assert_array_equal(inn.numpy(), it.numpy())
    yn = ndgrad.nn.AvgPool3d(2, ceil_mode=True)(ndgrad.tensor(x))
    yt = torch.nn.AvgPool3d(2, ceil_mode=True)(torch.tensor(x))
    np.testing.assert_allclose(yn.numpy(), yt.numpy(), rtol=1e-12)
    # unpool round trip through the modules
    y, i = ndgrad.nn.MaxPool3d(2, return_indices=True)(ndgrad.tensor(x))
    yt, it = torch.nn.MaxPool3d(2, return_indices=True)(torch.tensor(x))
    np.testing.assert_allclose(ndgrad.nn.MaxUnpool3d(2)(y, i, output_size=[6, 7, 5]).numpy(),
                               torch.nn.MaxUnpool3d(2)(yt, it, output_size=[6, 7, 5]).numpy())
