"""LocalResponseNorm / CrossMapLRN2d / F.local_response_norm, ChannelShuffle / F.channel_shuffle,
and the lazy modules (LazyLinear, LazyBatchNorm1d/2d/3d, UninitializedParameter/Buffer) against
torch: values and gradients in float64, errors, repr, state_dict and class changes."""
import copy
import pickle

import numpy as np
import pytest
import torch

import ndgrad

RNG = np.random.default_rng(5)
TOL = dict(rtol=1e-10, atol=1e-12)


def _np(t):
    return t.detach().numpy()


def _err(fn):
    with pytest.raises(Exception) as ei:
        fn()
    return type(ei.value), str(ei.value)


def _value_and_grad(f_t, f_n, x):
    tx, nx = torch.tensor(x, requires_grad=True), ndgrad.tensor(x, requires_grad=True)
    to, no = f_t(tx), f_n(nx)
    assert tuple(no.shape) == tuple(to.shape)
    np.testing.assert_allclose(_np(no), _np(to), **TOL)
    g = RNG.standard_normal(tuple(to.shape))
    to.backward(torch.tensor(g))
    no.backward(ndgrad.tensor(g))
    np.testing.assert_allclose(_np(nx.grad), _np(tx.grad), **TOL)
    return to, no


# -- local response norm -----------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(2, 7, 3), (2, 7, 3, 4), (2, 3, 2, 2, 3), (1, 1, 4), (2, 5, 2, 1, 1, 2)])
@pytest.mark.parametrize("size", [1, 2, 3, 5, 9])
def test_local_response_norm(shape, size):
    args = (size, 0.3, 0.75, 1.5)
    _value_and_grad(lambda x: torch.nn.functional.local_response_norm(x, *args),
                    lambda x: ndgrad.nn.functional.local_response_norm(x, *args), RNG.standard_normal(shape))
    _value_and_grad(torch.nn.LocalResponseNorm(size), ndgrad.nn.LocalResponseNorm(size), RNG.standard_normal(shape))


def test_local_response_norm_second_order_and_misc():
    x = RNG.standard_normal((2, 4, 3))
    tx, nx = torch.tensor(x, requires_grad=True), ndgrad.tensor(x, requires_grad=True)
    (tg,) = torch.autograd.grad(torch.nn.functional.local_response_norm(tx, 3, 0.5).pow(2).sum(), tx,
                                create_graph=True)
    (ng,) = ndgrad.autograd.grad(ndgrad.nn.functional.local_response_norm(nx, 3, 0.5).pow(2).sum(), nx,
                                 create_graph=True)
    np.testing.assert_allclose(_np(ng), _np(tg), **TOL)
    (tgg,) = torch.autograd.grad(tg.sum(), tx)
    (ngg,) = ndgrad.autograd.grad(ng.sum(), nx)
    np.testing.assert_allclose(_np(ngg), _np(tgg), rtol=1e-9, atol=1e-11)
    for lib in (torch, ndgrad):
        assert lib.nn.functional.local_response_norm(lib.zeros(2, 0, 3), 2).shape == (2, 0, 3)
    assert _err(lambda: torch.nn.functional.local_response_norm(torch.randn(2, 3), 2)) == \
        _err(lambda: ndgrad.nn.functional.local_response_norm(ndgrad.randn(2, 3), 2))
    assert repr(torch.nn.LocalResponseNorm(2)) == repr(ndgrad.nn.LocalResponseNorm(2))
    assert repr(torch.nn.LocalResponseNorm(3, 1e-3, 0.5, 2.0)) == repr(ndgrad.nn.LocalResponseNorm(3, 1e-3, 0.5, 2.0))
    y = ndgrad.nn.LocalResponseNorm(2)(ndgrad.randn(2, 3, 4).float())
    assert y.dtype == ndgrad.float32


@pytest.mark.parametrize("size", [2, 3, 4, 5, 9])
@pytest.mark.parametrize("channels", [1, 3, 7])
def test_cross_map_lrn2d(size, channels):
    x = RNG.standard_normal((2, channels, 3, 2))
    _, no = _value_and_grad(torch.nn.CrossMapLRN2d(size, 0.3, 0.75, 1.5), ndgrad.nn.CrossMapLRN2d(size, 0.3, 0.75, 1.5),
                            x)
    assert type(no.grad_fn).__name__ == "CrossMapLRN2dBackward"


def test_cross_map_lrn2d_errors_and_repr():
    assert repr(torch.nn.CrossMapLRN2d(3)) == repr(ndgrad.nn.CrossMapLRN2d(3))
    assert _err(lambda: torch.nn.CrossMapLRN2d(3)(torch.randn(2, 3, 4))) == \
        _err(lambda: ndgrad.nn.CrossMapLRN2d(3)(ndgrad.randn(2, 3, 4)))
    # size 1: torch's backward fails with its narrow() message; the forward works
    x = RNG.standard_normal((1, 4, 2, 2))
    msgs = []
    for lib in (torch, ndgrad):
        t = lib.tensor(x, requires_grad=True)
        y = lib.nn.CrossMapLRN2d(1)(t)
        msgs.append(_err(lambda: y.sum().backward()))
    assert msgs[0] == msgs[1]


# -- channel shuffle ---------------------------------------------------------------------------
@pytest.mark.parametrize("shape,groups", [((2, 6, 3, 2), 3), ((2, 6, 3), 2), ((1, 4, 2, 2, 2), 4), ((3, 5, 1), 1),
                                          ((2, 6, 3), 6)])
def test_channel_shuffle(shape, groups):
    x = RNG.standard_normal(shape)
    _, no = _value_and_grad(lambda t: torch.nn.functional.channel_shuffle(t, groups),
                            lambda t: ndgrad.nn.functional.channel_shuffle(t, groups), x)
    assert type(no.grad_fn).__name__ == "ChannelShuffleBackward0"
    _value_and_grad(torch.nn.ChannelShuffle(groups), ndgrad.nn.ChannelShuffle(groups), x)


def test_channel_shuffle_double_backward_ints_and_errors():
    x = RNG.standard_normal((2, 6, 2))
    g = RNG.standard_normal((2, 6, 2))
    tx, nx = torch.tensor(x, requires_grad=True), ndgrad.tensor(x, requires_grad=True)
    tg, ng = torch.tensor(g, requires_grad=True), ndgrad.tensor(g, requires_grad=True)
    (tgx,) = torch.autograd.grad(torch.nn.functional.channel_shuffle(tx, 2), tx, tg, create_graph=True)
    (ngx,) = ndgrad.autograd.grad(ndgrad.nn.functional.channel_shuffle(nx, 2), nx, ng, create_graph=True)
    np.testing.assert_array_equal(_np(ngx), _np(tgx))
    (tgg,) = torch.autograd.grad((tgx * tgx).sum(), tg)
    (ngg,) = ndgrad.autograd.grad((ngx * ngx).sum(), ng)
    np.testing.assert_allclose(_np(ngg), _np(tgg), **TOL)
    xi = np.arange(12).reshape(1, 6, 2)
    np.testing.assert_array_equal(_np(ndgrad.nn.functional.channel_shuffle(ndgrad.tensor(xi), 3)),
                                  _np(torch.nn.functional.channel_shuffle(torch.tensor(xi), 3)))
    for args in [((1, 6, 2), 4), ((6,), 2), ((2, 6), 3), ((1, 6, 2), 0), ((1, 6, 2), -2), ((1, 6, 2), 2.0)]:
        shape, groups = args
        assert _err(lambda: torch.nn.functional.channel_shuffle(torch.randn(shape), groups)) == \
            _err(lambda: ndgrad.nn.functional.channel_shuffle(ndgrad.randn(shape), groups))
    for lib in (torch, ndgrad):
        assert lib.nn.functional.channel_shuffle(lib.zeros(2, 0, 3), 2).shape == (2, 0, 3)
    assert repr(torch.nn.ChannelShuffle(3)) == repr(ndgrad.nn.ChannelShuffle(3)) == "ChannelShuffle(groups=3)"
    assert ndgrad.nn.ChannelShuffle(3).groups == 3


# -- lazy modules ------------------------------------------------------------------------------
def test_uninitialized_parameter_and_buffer():
    for lib in (torch, ndgrad):
        P, B = lib.nn.parameter.UninitializedParameter, lib.nn.parameter.UninitializedBuffer
        p, b = P(), B()
        assert repr(p) == "<UninitializedParameter>" and repr(b) == "<UninitializedBuffer>"
        assert p.requires_grad and not b.requires_grad and p.dtype == lib.float32
        assert P(dtype=lib.float64).dtype == lib.float64 and P(requires_grad=False).requires_grad is False
        assert isinstance(p, lib.nn.Parameter) and lib.nn.parameter.is_lazy(p) and lib.nn.parameter.is_lazy(b)
        p.materialize((2, 3))
        b.materialize((4,))
        assert type(p) is lib.nn.Parameter and tuple(p.shape) == (2, 3) and p.requires_grad
        assert type(b) is lib.Tensor and tuple(b.shape) == (4,)
        assert not lib.nn.parameter.is_lazy(p)
    assert _err(lambda: torch.nn.parameter.UninitializedParameter().shape) == \
        _err(lambda: ndgrad.nn.parameter.UninitializedParameter().shape)


def _lazy_linear_story(lib):
    out = []
    m = lib.nn.LazyLinear(3)
    out += [repr(m), repr(m.weight), list(m.state_dict()), type(m.state_dict()["weight"]).__name__,
            m.has_uninitialized_params(), m.in_features, type(m).__name__]
    y = m(lib.randn(4, 5))
    out += [type(m).__name__, repr(m), m.in_features, tuple(y.shape), tuple(m.weight.shape), type(m.weight).__name__,
            hasattr(m, "_initialize_hook"), list(m.state_dict())]
    m2 = lib.nn.LazyLinear(3)
    m2.load_state_dict(m.state_dict())
    out += [type(m2).__name__, m2.in_features, tuple(m2.weight.shape)]
    m2(lib.randn(2, 5))
    out += [type(m2).__name__, m2.in_features]
    m3 = lib.nn.LazyLinear(3, bias=False)
    out += [repr(m3), m3.bias, list(m3.state_dict())]
    m4 = lib.nn.LazyLinear(3, dtype=lib.float64)
    m4(lib.randn(2, 4, dtype=lib.float64))
    out += [str(m4.weight.dtype), str(lib.nn.LazyLinear(3).double().weight.dtype)]
    m5 = copy.deepcopy(lib.nn.LazyLinear(3))
    out += [repr(m5), repr(m5.weight)]
    m6 = pickle.loads(pickle.dumps(lib.nn.LazyLinear(3)))
    m6(lib.randn(2, 4))
    out += [repr(m6)]
    seq = lib.nn.Sequential(lib.nn.LazyLinear(3), lib.nn.ReLU(), lib.nn.LazyLinear(2))
    seq(lib.randn(2, 6))
    out += [repr(seq), sum(p.numel() for p in seq.parameters())]
    out += [_err(lambda: lib.nn.Linear(4, 3).load_state_dict(lib.nn.LazyLinear(3).state_dict()))]
    m7 = lib.nn.LazyLinear(3)
    m7(lib.randn(5))
    out += [repr(m7)]
    return out


def test_lazy_linear_like_torch():
    assert _lazy_linear_story(torch) == _lazy_linear_story(ndgrad)


def test_lazy_linear_initialisation_and_training():
    m = ndgrad.nn.LazyLinear(8)
    x = ndgrad.randn(16, 50)
    m(x).sum().backward()
    assert type(m) is ndgrad.nn.Linear
    assert np.abs(_np(m.weight)).max() <= 1 / np.sqrt(50) and np.abs(_np(m.weight)).max() > 0.05
    assert m.weight.grad is not None and tuple(m.weight.grad.shape) == (8, 50)
    tm = torch.nn.Linear(50, 8, dtype=torch.float64)
    m = ndgrad.nn.LazyLinear(8, dtype=ndgrad.float64)
    m.load_state_dict({k: ndgrad.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    xx = RNG.standard_normal((3, 50))
    np.testing.assert_allclose(_np(m(ndgrad.tensor(xx))), _np(tm(torch.tensor(xx))), **TOL)


def _lazy_bn_story(lib):
    out = []
    b = lib.nn.LazyBatchNorm2d()
    out += [repr(b), list(b.state_dict()), int(b.num_batches_tracked), type(b.running_mean).__name__,
            repr(b.running_mean), b.has_uninitialized_params()]
    b(lib.randn(2, 4, 3, 3))
    out += [repr(b), type(b).__name__, tuple(b.running_mean.shape), _np(b.weight).tolist(), _np(b.bias).tolist(),
            int(b.num_batches_tracked), _np(b.running_var).shape]
    b = lib.nn.LazyBatchNorm1d(affine=False, track_running_stats=False)
    out += [repr(b), list(b.state_dict()), b.has_uninitialized_params()]
    b(lib.randn(3, 4))
    out += [repr(b), type(b).__name__]
    b = lib.nn.LazyBatchNorm1d(eps=1e-3, momentum=None, bias=False)
    out += [repr(b), list(b.state_dict())]
    b(lib.randn(5, 2, 3))
    out += [repr(b), list(b.state_dict())]
    b = lib.nn.LazyBatchNorm3d(affine=False)
    b(lib.randn(2, 3, 2, 2, 2))
    out += [repr(b), list(b.state_dict())]
    out += [_err(lambda: lib.nn.LazyBatchNorm2d()(lib.randn(2, 3, 4)))[0].__name__]
    return out


def test_lazy_batchnorm_like_torch():
    assert _lazy_bn_story(torch) == _lazy_bn_story(ndgrad)


def test_lazy_batchnorm_values():
    x = RNG.standard_normal((6, 3, 4, 4))
    tb, nb = torch.nn.LazyBatchNorm2d(dtype=torch.float64), ndgrad.nn.LazyBatchNorm2d(dtype=ndgrad.float64)
    _value_and_grad(tb, nb, x)
    for k, v in tb.state_dict().items():
        np.testing.assert_allclose(_np(nb.state_dict()[k]), v.numpy(), **TOL)
    # loading a checkpoint into a lazy batch norm materialises it
    nb2 = ndgrad.nn.LazyBatchNorm2d(dtype=ndgrad.float64)
    nb2.load_state_dict(nb.state_dict())
    assert tuple(nb2.running_mean.shape) == (3,)
    nb2.eval()
    tb.eval()
    np.testing.assert_allclose(_np(nb2(ndgrad.tensor(x))), _np(tb(torch.tensor(x))), **TOL)
    assert type(nb2) is ndgrad.nn.BatchNorm2d
