"""F.pad, F.interpolate, F.unfold/F.fold, pixel shuffle and the padding/upsampling modules against
torch: values, gradients (float64), grad_fn names, float32, double backward and errors."""
import numpy as np
import pytest
import torch

import ndgrad
import ndgrad.nn.functional as F
from helpers import check_against_torch


def _lib_f(lib):
    return F if lib is ndgrad else torch.nn.functional


def _x(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


def _check(fn, x, rtol=1e-12, atol=1e-12):
    n, t = check_against_torch(fn, x, rtol=rtol, atol=atol)
    assert type(n.grad_fn).__name__ == type(t.grad_fn).__name__
    return n, t


PADS = [((2, 3, 5, 6), (1, 2, 3, 1)), ((2, 3, 6), (2, 3)), ((3, 6), (2, 3)), ((2, 3, 4, 5), (-1, 2, 1, 1)),
        ((2, 3, 4, 5, 4), (1, 1, 2, 0, 1, 2)), ((3, 4, 5), (0, 0, 3, 2))]


@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
@pytest.mark.parametrize("shape,pad", PADS, ids=[str(i) for i in range(len(PADS))])
def test_pad_matches_torch(mode, shape, pad):
    _check(lambda lib, x: _lib_f(lib).pad(x, pad, mode=mode), _x(shape))


def test_constant_pad_any_dims_value_and_crop():
    _check(lambda lib, x: _lib_f(lib).pad(x, (1, 1, 1, 1, 1, 1, 1, 1), value=2.5), _x((2, 3, 4, 5)))
    _check(lambda lib, x: _lib_f(lib).pad(x, (-1, -1, 0, 2)), _x((2, 3, 4, 5)))
    n = F.pad(ndgrad.tensor(np.arange(6).reshape(2, 3)), (1, 1), value=7)
    t = torch.nn.functional.pad(torch.tensor(np.arange(6).reshape(2, 3)), (1, 1), value=7)
    assert n.dtype == ndgrad.int64
    np.testing.assert_array_equal(n.numpy(), t.numpy())


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
def test_pad_double_backward(mode):
    x = _x((2, 2, 4, 5))
    res = []
    for lib in (torch, ndgrad):
        t = lib.tensor(x, requires_grad=True)
        y = _lib_f(lib).pad(t, (2, 1, 1, 3), mode=mode)
        (g,) = lib.autograd.grad((y * y * y).sum(), t, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), t)
        res.append(gg.numpy())
    np.testing.assert_allclose(res[1], res[0], rtol=1e-12)


INTERP = [
    ((2, 3, 5, 6), dict(scale_factor=2, mode="nearest")),
    ((2, 3, 5, 6), dict(size=(7, 4), mode="nearest")),
    ((2, 3, 5, 6), dict(scale_factor=(1.7, 0.6), mode="nearest")),
    ((2, 3, 5, 6), dict(scale_factor=1.7, mode="nearest", recompute_scale_factor=True)),
    ((2, 3, 7), dict(size=3, mode="nearest")),
    ((2, 3, 4, 5, 3), dict(size=(3, 7, 5), mode="nearest")),
    ((2, 3, 5, 6), dict(scale_factor=2, mode="nearest-exact")),
    ((2, 3, 5, 6), dict(scale_factor=(1.7, 0.6), mode="nearest-exact")),
    ((2, 3, 7), dict(size=3, mode="nearest-exact")),
    ((2, 3, 5, 6), dict(scale_factor=2, mode="bilinear")),
    ((2, 3, 5, 6), dict(scale_factor=2, mode="bilinear", align_corners=True)),
    ((2, 3, 5, 6), dict(size=(3, 9), mode="bilinear")),
    ((2, 3, 5, 6), dict(size=(3, 9), mode="bilinear", align_corners=True)),
    ((2, 3, 5, 6), dict(scale_factor=(1.3, 0.7), mode="bilinear")),
    ((2, 3, 5, 6), dict(scale_factor=2, mode="bicubic")),
    ((2, 3, 5, 6), dict(size=(3, 9), mode="bicubic", align_corners=True)),
    ((2, 3, 7), dict(size=11, mode="linear")),
    ((2, 3, 7), dict(scale_factor=0.5, mode="linear", align_corners=True)),
    ((2, 3, 4, 5, 3), dict(size=(3, 7, 5), mode="trilinear")),
    ((2, 3, 9, 6), dict(size=(4, 4), mode="area")),
    ((2, 3, 9, 6), dict(scale_factor=0.5, mode="area")),
    ((2, 3, 9), dict(size=4, mode="area")),
    ((2, 3, 4, 5, 6), dict(size=(2, 3, 4), mode="area")),
    ((2, 3, 5, 6), dict(size=(5, 6), mode="bilinear")),
]


@pytest.mark.parametrize("shape,kw", INTERP, ids=[str(i) for i in range(len(INTERP))])
def test_interpolate_matches_torch(shape, kw):
    _check(lambda lib, x: _lib_f(lib).interpolate(x, **kw), _x(shape))


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
def test_interpolate_float32_matches_torch(mode):
    x = _x((2, 3, 5, 6)).astype(np.float32)
    kw = dict(scale_factor=1.5, mode=mode)
    n = F.interpolate(ndgrad.tensor(x, requires_grad=True), **kw)
    t = torch.nn.functional.interpolate(torch.tensor(x), **kw)
    assert n.dtype == ndgrad.float32
    np.testing.assert_allclose(n.detach().numpy(), t.numpy(), rtol=1e-5, atol=1e-6)
    (g,) = ndgrad.autograd.grad(n.sum(), n.grad_fn.next_functions[0][0].variable)
    assert g.dtype == ndgrad.float32


def test_interpolate_double_backward():
    x = _x((1, 2, 4, 5))
    for kw in (dict(scale_factor=2, mode="bilinear"), dict(scale_factor=2, mode="nearest")):
        res = []
        for lib in (torch, ndgrad):
            t = lib.tensor(x, requires_grad=True)
            y = _lib_f(lib).interpolate(t, **kw)
            (g,) = lib.autograd.grad((y * y * y).sum(), t, create_graph=True)
            (gg,) = lib.autograd.grad((g * g).sum(), t)
            res.append(gg.numpy())
        np.testing.assert_allclose(res[1], res[0], rtol=1e-12)


UNFOLD = [((2, 3, 6, 7), dict(kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))),
          ((3, 6, 7), dict(kernel_size=3)), ((1, 2, 5, 5), dict(kernel_size=5))]


@pytest.mark.parametrize("shape,kw", UNFOLD, ids=[str(i) for i in range(len(UNFOLD))])
def test_unfold_matches_torch(shape, kw):
    _check(lambda lib, x: _lib_f(lib).unfold(x, **kw), _x(shape))


@pytest.mark.parametrize("shape,kw", [((2, 12, 12), dict(output_size=(4, 5), kernel_size=2)),
                                      ((2, 18, 20), dict(output_size=(6, 7), kernel_size=(2, 3), dilation=(1, 2),
                                                         padding=1, stride=(2, 1))),
                                      ((12, 12), dict(output_size=(4, 5), kernel_size=2))])
def test_fold_matches_torch(shape, kw):
    _check(lambda lib, x: _lib_f(lib).fold(x, **kw), _x(shape))


def test_pixel_shuffle_matches_torch():
    _check(lambda lib, x: _lib_f(lib).pixel_shuffle(x, 2), _x((2, 8, 3, 4)))
    _check(lambda lib, x: _lib_f(lib).pixel_unshuffle(x, 2), _x((2, 2, 4, 6)))
    _check(lambda lib, x: _lib_f(lib).pixel_shuffle(x, 3), _x((9, 2, 2)))


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
    lambda lib, F_: F_.pad(lib.randn(2, 3, 4, 5), (1, 2, 3)),
    lambda lib, F_: F_.pad(lib.randn(2, 3, 4, 5), (20, 20), mode="reflect"),
    lambda lib, F_: F_.pad(lib.randn(2, 3, 4, 5), (5, 5, 1, 1), mode="reflect"),
    lambda lib, F_: F_.pad(lib.randn(2, 3, 4, 5), (1, 1, 4, 1), mode="reflect"),
    lambda lib, F_: F_.pad(lib.randn(2, 3, 4, 5), (6, 6, 1, 1), mode="circular"),
    lambda lib, F_: F_.pad(lib.randn(2, 3, 4, 5), (1, 1, 1, 1, 1, 1, 1, 1), mode="reflect"),
    lambda lib, F_: F_.pad(lib.randn(5), (1, 1), mode="reflect"),
    lambda lib, F_: F_.pad(lib.randn(2, 3, 4, 5), (1, 1), mode="foo"),
    lambda lib, F_: F_.pad(lib.randn(2, 3, 4, 5), (1, 1), value=2, mode="reflect"),
    lambda lib, F_: F_.pad(lib.randn(2, 3, 4, 5), (1,) * 10),
    lambda lib, F_: F_.pad(lib.randn(2, 3, 0, 5), (1, 1, 1, 1), mode="reflect"),
    lambda lib, F_: F_.interpolate(lib.randn(2, 3, 4, 5), scale_factor=2, mode="nearest", align_corners=True),
    lambda lib, F_: F_.interpolate(lib.randn(2, 3, 4, 5), size=3, scale_factor=2),
    lambda lib, F_: F_.interpolate(lib.randn(2, 3, 4, 5)),
    lambda lib, F_: F_.interpolate(lib.randn(3, 4, 5), scale_factor=2, mode="bilinear"),
    lambda lib, F_: F_.interpolate(lib.randn(2, 3, 4, 5), scale_factor=2, mode="linear"),
    lambda lib, F_: F_.interpolate(lib.randn(2, 3, 4, 5), scale_factor=2, mode="foo"),
    lambda lib, F_: F_.interpolate(lib.randn(2, 3, 4, 5), size=(3, 4, 5)),
    lambda lib, F_: F_.interpolate(lib.randn(2, 3, 4, 5), scale_factor=(2, 3, 4)),
    lambda lib, F_: F_.interpolate(lib.randn(2, 3, 4, 5), size=(3, 4), recompute_scale_factor=True),
    lambda lib, F_: F_.interpolate(lib.randn(2, 3, 4, 5), scale_factor=2, antialias=True),
    lambda lib, F_: F_.interpolate(lib.randn(2, 3, 4, 5), size=0),
    lambda lib, F_: F_.interpolate(lib.randn(2, 3, 4, 5), size=(3.5, 4)),
    lambda lib, F_: F_.unfold(lib.randn(2, 3, 4, 5), (2, 2, 2)),
    lambda lib, F_: F_.unfold(lib.randn(2, 3, 4, 5), 2, stride=0),
    lambda lib, F_: F_.unfold(lib.randn(2, 3, 4, 5), 6),
    lambda lib, F_: F_.fold(lib.randn(2, 12, 10), (4, 4), 2),
    lambda lib, F_: F_.fold(lib.randn(2, 13, 9), (4, 4), 2),
    lambda lib, F_: F_.fold(lib.randn(2, 2, 12, 9), (4, 4), 2),
]


@pytest.mark.parametrize("i", range(len(ERRORS)))
def test_vision_errors_match_torch(i):
    t_err, n_err = _errors(ERRORS[i])
    assert t_err is not None
    assert n_err == t_err


MODULES = [
    ("ZeroPad2d(1)", (2, 3, 4, 5)), ("ZeroPad2d((1, 2, 0, 3))", (2, 3, 4, 5)), ("ZeroPad1d(2)", (2, 3, 4)),
    ("ConstantPad1d(2, 3.5)", (2, 3, 4)), ("ConstantPad2d((3, 0, 2, 1), 3.5)", (2, 3, 4, 5)),
    ("ConstantPad3d(1, -1.0)", (2, 3, 4, 5)),
    ("ReflectionPad1d(2)", (2, 3, 4)), ("ReflectionPad2d((1, 2, 3, 0))", (2, 3, 4, 5)),
    ("ReplicationPad1d((3, 1))", (2, 3, 4)), ("ReplicationPad2d(2)", (2, 3, 4, 5)),
    ("CircularPad1d(2)", (2, 3, 4)), ("CircularPad2d(1)", (2, 3, 4, 5)),
    ("Upsample(scale_factor=2, mode='bilinear')", (2, 3, 4, 5)), ("Upsample(size=(3, 7))", (2, 3, 4, 5)),
    ("Upsample(scale_factor=(2, 1.5), mode='bicubic', align_corners=True)", (2, 3, 4, 5)),
    ("UpsamplingNearest2d(scale_factor=2)", (2, 3, 4, 5)), ("UpsamplingBilinear2d(size=4)", (2, 3, 4, 5)),
    ("Fold(output_size=(4, 5), kernel_size=(2, 2))", (2, 12, 12)), ("Unfold(2, padding=1)", (2, 3, 4, 5)),
    ("PixelShuffle(2)", (2, 8, 3, 3)), ("PixelUnshuffle(2)", (2, 2, 4, 6)),
]


@pytest.mark.parametrize("spec,shape", MODULES, ids=[m[0] for m in MODULES])
def test_vision_modules_match_torch(spec, shape):
    tm, nm = eval("torch.nn." + spec), eval("ndgrad.nn." + spec)
    assert repr(nm) == repr(tm)
    x = _x(shape)
    np.testing.assert_allclose(nm(ndgrad.tensor(x)).numpy(), tm(torch.tensor(x)).numpy(), rtol=1e-12, atol=1e-12)


def test_torch_level_entry_points():
    """ndgrad.ops.{conv,pool,norm} define torch's top-level functions with torch's signatures
    (torch.conv2d, torch.max_pool2d, torch.batch_norm, ...), ready to be exported as ndgrad.*."""
    from ndgrad.ops import conv, norm, pool
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 4, 6, 6)), rng.standard_normal((3, 4, 3, 3))
    cases = [
        (conv, "conv2d", (x, w), dict(padding=1)),
        (conv, "convolution", (x, rng.standard_normal((4, 3, 3, 3)), None, [2, 2], [1, 1], [1, 1], True, [1, 1], 1),
         {}),
        (pool, "max_pool2d", (x, 3, 2, 1), {}),
        (pool, "max_pool1d", (x[0], 2), {}),
        (pool, "avg_pool1d", (x[0], 3), dict(stride=2, ceil_mode=True)),
        (pool, "adaptive_avg_pool1d", (x[0], 4), {}),
        (pool, "adaptive_max_pool1d", (x[0], 4), {}),
        (pool, "pixel_shuffle", (x, 2), {}),
        (norm, "batch_norm", (x, None, None, None, None, True, 0.1, 1e-5, False), {}),
        (norm, "layer_norm", (x, (6,)), {}),
        (norm, "group_norm", (x, 2), {}),
        (norm, "instance_norm", (x, None, None, None, None, True, 0.1, 1e-5, False), {}),
    ]
    for mod, name, args, kw in cases:
        def conv_args(lib):
            return [lib.tensor(a) if isinstance(a, np.ndarray) else a for a in args]
        a = getattr(mod, name)(*conv_args(ndgrad), **kw)
        b = getattr(torch, name)(*conv_args(torch), **kw)
        a, b = (a[0], b[0]) if isinstance(b, tuple) else (a, b)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12, atol=1e-12, err_msg=name)
