"""Convolutions against torch: conv1d/conv2d/conv_transpose1d/2d values and gradients (float64),
float32 dtype preservation, double backward, errors, and the Conv modules."""
import math

import numpy as np
import pytest
import torch

import ndgrad
import ndgrad.nn.functional as F
from ndgrad.ops import conv as conv_ops
from helpers import check_against_torch


def _arrays(*shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


def _lib_f(lib):
    return F if lib is ndgrad else torch.nn.functional


CONV2D = [
    ((2, 3, 8, 8), (4, 3, 3, 3), dict(padding=1)),
    ((2, 3, 8, 8), (4, 3, 3, 3), dict()),
    ((1, 3, 9, 8), (4, 3, 3, 2), dict(stride=2, padding=(1, 0))),
    ((2, 4, 9, 7), (6, 2, 3, 3), dict(groups=2, dilation=2, padding=2)),
    ((2, 4, 9, 7), (4, 1, 3, 3), dict(groups=4, padding=1)),            # depthwise
    ((2, 4, 9, 7), (8, 1, 3, 3), dict(groups=4, padding=1, stride=2)),  # depthwise, multiplier 2
    ((2, 4, 9, 7), (6, 4, 1, 1), dict()),
    ((2, 4, 9, 7), (6, 4, 1, 1), dict(stride=2)),
    ((2, 4, 9, 7), (6, 4, 1, 1), dict(padding=1)),
    ((2, 4, 9, 7), (6, 4, 4, 3), dict(padding="same")),
    ((2, 4, 9, 7), (6, 4, 3, 3), dict(padding="same", dilation=(2, 1))),
    ((2, 4, 9, 7), (6, 4, 3, 3), dict(padding="valid")),
    ((1, 3, 20, 20), (4, 3, 7, 7), dict(stride=2, padding=3)),
    ((1, 3, 20, 19), (4, 3, 5, 5), dict(stride=3, padding=1, dilation=2)),
    ((2, 3, 20, 20), (5, 3, 3, 3), dict(padding=1)),
    ((2, 4, 20, 18), (6, 2, 3, 5), dict(padding=(1, 2), dilation=(2, 1), groups=2)),
    ((2, 3, 30, 4), (4, 3, 3, 3), dict(padding=(1, 5))),
    ((3, 7, 7), (4, 3, 3, 3), dict(padding=1)),                          # unbatched
    ((1, 2, 5, 5), (3, 2, 5, 5), dict()),                                # kernel = input
    ((2, 48, 3, 4), (40, 48, 3, 3), dict(padding=(0, 1))),              # wide layer, tiny image
    ((0, 3, 6, 6), (4, 3, 3, 3), dict(padding=1)),                       # empty batch
]


@pytest.mark.parametrize("xs,ws,kw", CONV2D, ids=[str(i) for i in range(len(CONV2D))])
@pytest.mark.parametrize("bias", [False, True])
def test_conv2d_matches_torch(xs, ws, kw, bias):
    arrays = _arrays(xs, ws, (ws[0],))
    if bias:
        check_against_torch(lambda lib, x, w, b: _lib_f(lib).conv2d(x, w, b, **kw), *arrays, rtol=1e-10, atol=1e-10)
    else:
        check_against_torch(lambda lib, x, w: _lib_f(lib).conv2d(x, w, **kw), *arrays[:2], rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("chunk", [64, 1 << 12])
def test_conv2d_chunked_paths(monkeypatch, chunk):
    """Tiny chunk budgets force the row-block and multi-sample chunking of the im2col GEMMs."""
    monkeypatch.setattr(conv_ops, "_CHUNK", chunk)
    monkeypatch.setattr(conv_ops, "_FWD_COLS", 1)
    monkeypatch.setattr(conv_ops, "_WGRAD_COLS", 1)
    for xs, ws, kw in [((3, 4, 11, 9), (6, 2, 3, 3), dict(padding=1, groups=2)),
                       ((2, 3, 13, 12), (4, 3, 5, 3), dict(stride=2, padding=2))]:
        arrays = _arrays(xs, ws, (ws[0],))
        check_against_torch(lambda lib, x, w, b: _lib_f(lib).conv2d(x, w, b, **kw), *arrays, rtol=1e-10, atol=1e-10)
        g = kw.get("groups", 1)
        wt = _arrays((xs[1], ws[0] // g) + ws[2:], seed=3)[0]
        check_against_torch(lambda lib, x, w: _lib_f(lib).conv_transpose2d(x, w, **kw), arrays[0], wt,
                            rtol=1e-10, atol=1e-10)


CONV1D = [
    ((2, 3, 10), (4, 3, 3), dict(padding=1)),
    ((2, 4, 10), (4, 2, 3), dict(stride=2, groups=2)),
    ((2, 4, 11), (4, 4, 2), dict(padding="same", dilation=3)),
    ((4, 11), (5, 4, 3), dict(stride=3, padding=2)),                     # unbatched
    ((1, 3, 9), (2, 3, 1), dict()),
]


@pytest.mark.parametrize("xs,ws,kw", CONV1D, ids=[str(i) for i in range(len(CONV1D))])
def test_conv1d_matches_torch(xs, ws, kw):
    arrays = _arrays(xs, ws, (ws[0],))
    check_against_torch(lambda lib, x, w, b: _lib_f(lib).conv1d(x, w, b, **kw), *arrays, rtol=1e-10, atol=1e-10)


CONVT2D = [
    ((2, 3, 5, 6), (3, 4, 3, 3), dict()),
    ((2, 3, 5, 6), (3, 4, 3, 3), dict(stride=2, padding=1, output_padding=1)),
    ((2, 4, 5, 6), (4, 3, 3, 2), dict(stride=(2, 3), padding=(1, 2), groups=2, dilation=2, output_padding=(1, 0))),
    ((2, 3, 5, 6), (3, 4, 3, 3), dict(padding=2)),
    ((2, 3, 5, 6), (3, 4, 3, 3), dict(padding=1, dilation=2)),
    ((2, 3, 5, 6), (3, 2, 1, 1), dict(stride=2)),
    ((2, 3, 12, 12), (3, 4, 3, 3), dict(padding=1)),
    ((3, 5, 6), (3, 4, 3, 3), dict(stride=2)),                           # unbatched
]


@pytest.mark.parametrize("xs,ws,kw", CONVT2D, ids=[str(i) for i in range(len(CONVT2D))])
def test_conv_transpose2d_matches_torch(xs, ws, kw):
    arrays = _arrays(xs, ws, (ws[1] * kw.get("groups", 1),))
    check_against_torch(lambda lib, x, w, b: _lib_f(lib).conv_transpose2d(x, w, b, **kw), *arrays,
                        rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("kw", [dict(), dict(stride=3, padding=1, output_padding=2), dict(groups=2, dilation=2)])
def test_conv_transpose1d_matches_torch(kw):
    arrays = _arrays((2, 4, 7), (4, 3, 3), (3 * kw.get("groups", 1),))
    check_against_torch(lambda lib, x, w, b: _lib_f(lib).conv_transpose1d(x, w, b, **kw), *arrays,
                        rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("transposed", [False, True])
@pytest.mark.parametrize("kw", [dict(padding=1), dict(stride=2, padding=1), dict(groups=2, dilation=2)])
def test_conv_double_backward(transposed, kw):
    g = kw.get("groups", 1)
    xs, ws = ((2, 4, 7, 8), (4, 4 // g, 3, 3)) if not transposed else ((2, 4, 7, 8), (4, 3, 3, 3))
    nb = ws[0] if not transposed else ws[1] * g
    arrays = _arrays(xs, ws, (nb,), seed=1)
    results = []
    for lib in (torch, ndgrad):
        x, w, b = [lib.tensor(a, requires_grad=True) for a in arrays]
        f = _lib_f(lib).conv_transpose2d if transposed else _lib_f(lib).conv2d
        y = f(x, w, b, **kw)
        gx, gw, gb = lib.autograd.grad((y * y).sum(), (x, w, b), create_graph=True)
        assert type(gx.grad_fn).__name__ == "ConvolutionBackwardBackward0"
        z = (gx * gx).sum() + gw.sin().sum() + (gb * gb * gb).sum()
        results.append([t.detach().numpy() for t in lib.autograd.grad(z, (x, w, b))])
    for a, b in zip(*results):
        np.testing.assert_allclose(b, a, rtol=1e-9, atol=1e-9)


def test_conv_gradgradcheck():
    x = ndgrad.tensor(_arrays((1, 2, 5, 5))[0], requires_grad=True)
    w = ndgrad.tensor(_arrays((3, 2, 3, 3), seed=2)[0], requires_grad=True)
    assert ndgrad.autograd.gradcheck(lambda x, w: F.conv2d(x, w, stride=2, padding=1), (x, w))
    assert ndgrad.autograd.gradgradcheck(lambda x, w: F.conv2d(x, w, padding=1), (x, w))


def test_conv_float32_preserved():
    x = ndgrad.randn(2, 3, 9, 9, requires_grad=True)
    w = ndgrad.randn(4, 3, 3, 3, requires_grad=True)
    b = ndgrad.randn(4, requires_grad=True)
    for f, ww in ((F.conv2d, w), (F.conv_transpose2d, w.detach().transpose(0, 1).contiguous().requires_grad_())):
        y = f(x, ww, b if f is F.conv2d else None, stride=2, padding=1)
        assert y.dtype == ndgrad.float32
        y.sum().backward()
        assert x.grad.dtype == ndgrad.float32 and ww.grad.dtype == ndgrad.float32
        x.grad = None
    assert b.grad.dtype == ndgrad.float32


def test_conv_float32_close_to_torch():
    xa, wa = [a.astype(np.float32) for a in _arrays((2, 8, 16, 16), (8, 8, 3, 3))]
    y_n = F.conv2d(ndgrad.tensor(xa), ndgrad.tensor(wa), padding=1).numpy()
    y_t = torch.nn.functional.conv2d(torch.tensor(xa), torch.tensor(wa), padding=1).numpy()
    np.testing.assert_allclose(y_n, y_t, rtol=1e-4, atol=1e-4)


def test_conv_grad_fn_names():
    x = ndgrad.randn(1, 2, 5, 5, requires_grad=True)
    assert type(F.conv2d(x, ndgrad.randn(3, 2, 3, 3)).grad_fn).__name__ == "ConvolutionBackward0"
    assert type(F.conv_transpose2d(x, ndgrad.randn(2, 3, 3, 3)).grad_fn).__name__ == "ConvolutionBackward0"
    y = F.conv2d(x, ndgrad.randn(3, 2, 4, 4), padding="same")
    assert type(y.grad_fn.next_functions[0][0]).__name__ == "ConstantPadNdBackward0"


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
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(64, 3, 7, 7)),
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(64, 2, 7, 7), groups=3),
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(6, 2, 3, 3), groups=3),
    lambda lib, F_: F_.conv2d(lib.randn(16, 16), lib.randn(6, 4, 3, 3)),
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(6, 4, 3)),
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(6, 4)),
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(6, 4, 17, 3)),
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(6, 4, 3, 3), stride=0),
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(6, 4, 3, 3), padding=-1),
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(6, 4, 3, 3), dilation=0),
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(6, 4, 3, 3), groups=0),
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(6, 4, 3, 3), padding="same", stride=2),
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(6, 4, 3, 3), padding="foo"),
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(6, 4, 3, 3), bias=lib.randn(5)),
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(6, 4, 3, 3), stride=(1, 2, 3)),
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(6, 4, 3, 3), padding=(1, 2, 3)),
    lambda lib, F_: F_.conv2d(lib.randn(8, 4, 16, 16), lib.randn(6, 4, 3, 3, dtype=lib.float64)),
    lambda lib, F_: F_.conv1d(lib.randn(8, 4, 16, 16), lib.randn(6, 4, 3)),
    lambda lib, F_: F_.conv1d(lib.randn(16, 16), lib.randn(6, 4, 3)),
    lambda lib, F_: F_.conv_transpose2d(lib.randn(8, 4, 16, 16), lib.randn(3, 6, 3, 3)),
    lambda lib, F_: F_.conv_transpose2d(lib.randn(8, 4, 16, 16), lib.randn(4, 6, 3, 3), stride=2, output_padding=2),
    lambda lib, F_: F_.conv_transpose2d(lib.randn(8, 4, 16, 16), lib.randn(4, 6, 3, 3), groups=3),
    lambda lib, F_: F_.conv_transpose2d(lib.randn(8, 4, 16, 16), lib.randn(4, 6, 3, 3), bias=lib.randn(4)),
    lambda lib, F_: F_.conv_transpose2d(lib.randn(8, 4, 16, 16), lib.randn(4, 6, 3, 3), padding="same"),
    lambda lib, F_: F_.conv_transpose1d(lib.randn(8, 4, 16, 16), lib.randn(4, 6, 3)),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_conv_errors_match_torch(i):
    t_err, n_err = _errors(ERRORS[i])
    assert t_err is not None
    assert n_err == t_err


# ---- modules --------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", [
    "Conv2d(3, 4, 3)",
    "Conv2d(3, 4, (3, 5), stride=2, padding=1, dilation=2, bias=False, padding_mode='reflect')",
    "Conv2d(4, 4, 3, padding='same', groups=2)",
    "Conv2d(4, 8, 3, padding=1, groups=4, padding_mode='circular')",
    "Conv2d(3, 4, 3, padding=2, padding_mode='replicate')",
    "Conv1d(2, 3, 3)",
    "Conv1d(2, 4, 3, padding=1, padding_mode='reflect', groups=2)",
    "ConvTranspose1d(2, 3, 3)",
    "ConvTranspose2d(3, 4, 3, stride=2, output_padding=1)",
    "ConvTranspose2d(4, 6, (3, 2), stride=(2, 1), padding=1, groups=2, dilation=2, bias=False)",
])
def test_conv_modules_match_torch(spec):
    tm = eval("torch.nn." + spec)
    nm = eval("ndgrad.nn." + spec)
    assert repr(nm) == repr(tm)
    assert [(k, tuple(v.shape)) for k, v in nm.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in tm.state_dict().items()]
    nm.load_state_dict({k: ndgrad.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    nd = 1 if "1d" in spec else 2
    shape = (2, tm.in_channels) + ((9,) if nd == 1 else (9, 8))
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    yt = tm(torch.tensor(x))
    yn = nm(ndgrad.tensor(x))
    np.testing.assert_allclose(yn.detach().numpy(), yt.detach().numpy(), rtol=1e-4, atol=1e-5)


def test_conv_init_statistics():
    ndgrad.manual_seed(0)
    m = ndgrad.nn.Conv2d(16, 32, 3)
    bound = 1 / math.sqrt(16 * 9)   # kaiming_uniform_(a=sqrt(5)) and the bias both give U(-b, b)
    w = m.weight.detach().numpy()
    b = m.bias.detach().numpy()
    assert np.abs(w).max() <= bound and np.abs(w).max() > 0.9 * bound
    assert np.abs(b).max() <= bound
    assert abs(w.std() - bound / math.sqrt(3)) < 0.05 * bound


def test_conv_transpose_output_size():
    for lib in (torch, ndgrad):
        m = lib.nn.ConvTranspose2d(4, 4, 3, stride=2, padding=1)
        x = lib.randn(1, 4, 6, 6)
        assert tuple(m(x, output_size=[12, 12]).shape) == (1, 4, 12, 12)
        assert tuple(m(x, output_size=[1, 4, 11, 11]).shape) == (1, 4, 11, 11)
        with pytest.raises(ValueError, match="requested an output size of"):
            m(x, output_size=[14, 14])


def test_conv_module_errors():
    for lib in (torch, ndgrad):
        with pytest.raises(ValueError, match="in_channels must be divisible by groups"):
            lib.nn.Conv2d(3, 4, 3, groups=2)
        with pytest.raises(ValueError, match="padding_mode must be one of"):
            lib.nn.Conv2d(3, 4, 3, padding_mode="foo")
        with pytest.raises(ValueError, match="Only \"zeros\" padding mode"):
            lib.nn.ConvTranspose2d(3, 4, 3, padding_mode="reflect")


def test_conv_training_step_reduces_loss():
    ndgrad.manual_seed(0)
    model = ndgrad.nn.Sequential(ndgrad.nn.Conv2d(1, 4, 3, padding=1), ndgrad.nn.ReLU(),
                                 ndgrad.nn.Conv2d(4, 1, 3, padding=1))
    x = ndgrad.randn(4, 1, 8, 8)
    target = x.flip(-1) if hasattr(x, "flip") else x * 0.5
    losses = []
    for _ in range(20):
        model.zero_grad()
        loss = ((model(x) - target) ** 2).mean()
        loss.backward()
        for p in model.parameters():
            p.data = p.data - 0.1 * p.grad
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_unfold_fold_roundtrip_matches_torch():
    arrays = _arrays((2, 3, 7, 6))
    check_against_torch(lambda lib, x: _lib_f(lib).fold(_lib_f(lib).unfold(x, 3, padding=1, stride=2), (7, 6), 3,
                                                        padding=1, stride=2), *arrays, rtol=1e-12, atol=1e-12)
