"""Layers and nn.functional against torch: the same weights (copied from torch through state_dict
NumPy arrays), the same float64 inputs, then outputs, input gradients and parameter gradients."""
import math

import numpy as np
import pytest
import torch

import ndgrad
import ndgrad.nn as nn
import ndgrad.nn.functional as F

RNG = np.random.default_rng(1234)


def randn(*shape):
    return RNG.standard_normal(shape)


def copy_weights(tmod, nmod):
    nmod.load_state_dict({k: ndgrad.tensor(v.detach().numpy().copy()) for k, v in tmod.state_dict().items()})


def _np(t):
    return t.detach().numpy()


def check_module(make, *inputs, rtol=1e-9, atol=1e-11, train=False, dtype="double", grad_inputs=True):
    """Build the module in both libraries, copy torch's weights, compare forward and backward."""
    tm, nm = make(torch), make(ndgrad)
    if dtype == "double":
        tm, nm = tm.double(), nm.double()
    copy_weights(tm, nm)
    tm.train(train)
    nm.train(train)

    def wrap(lib, a):
        if isinstance(a, np.ndarray) and a.dtype.kind == "f":
            return lib.tensor(a, requires_grad=grad_inputs)
        return lib.tensor(a) if isinstance(a, np.ndarray) else a
    t_in = [wrap(torch, a) for a in inputs]
    n_in = [wrap(ndgrad, a) for a in inputs]
    t_out, n_out = tm(*t_in), nm(*n_in)
    assert tuple(t_out.shape) == tuple(n_out.shape)
    assert str(t_out.dtype) == str(n_out.dtype)
    np.testing.assert_allclose(_np(n_out), _np(t_out), rtol=rtol, atol=atol)
    if not t_out.requires_grad:
        return tm, nm
    cot = RNG.standard_normal(tuple(t_out.shape))
    t_out.backward(torch.tensor(cot, dtype=t_out.dtype))
    n_out.backward(ndgrad.tensor(cot).to(n_out.dtype))
    for k, (a, b) in enumerate(zip(t_in, n_in)):
        if isinstance(a, torch.Tensor) and a.requires_grad:
            np.testing.assert_allclose(_np(b.grad), _np(a.grad), rtol=rtol * 10, atol=atol * 10,
                                       err_msg=f"input {k} gradient")
    tp, np_ = dict(tm.named_parameters()), dict(nm.named_parameters())
    assert list(tp) == list(np_)
    for name in tp:
        if tp[name].grad is None:
            assert np_[name].grad is None, name
            continue
        np.testing.assert_allclose(_np(np_[name].grad), _np(tp[name].grad), rtol=rtol * 10, atol=atol * 10,
                                   err_msg=f"gradient of {name}")
    return tm, nm


# -- linear family ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4), (4,), (0, 4), (2, 1, 3, 4)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear(shape, bias):
    check_module(lambda lib: lib.nn.Linear(4, 3, bias=bias), randn(*shape))


def test_linear_float32_and_grad_fn_names():
    tm, nm = check_module(lambda lib: lib.nn.Linear(4, 3), randn(5, 4).astype(np.float32), dtype="float",
                          rtol=1e-5, atol=1e-6)
    x = ndgrad.randn(5, 4)
    out = nm(x)
    assert out.dtype == ndgrad.float32 and nm.weight.dtype == ndgrad.float32
    assert out.grad_fn.name() == "AddmmBackward0"
    assert F.linear(x, nm.weight).grad_fn.name() == "MmBackward0"
    out.sum().backward()
    assert nm.weight.grad.dtype == ndgrad.float32


def test_linear_init_bounds():
    ndgrad.manual_seed(0)
    lin = nn.Linear(100, 50)
    bound = 1 / math.sqrt(100)
    w, b = _np(lin.weight), _np(lin.bias)
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.9 * bound and abs(w.std() - bound / math.sqrt(3)) < 0.01
    assert nn.Linear(3, 2, dtype=ndgrad.float64).weight.dtype == ndgrad.float64


def test_linear_errors_match_torch():
    cases = [
        lambda lib: lib.nn.Linear(5, 2)(lib.randn(3, 4)),
        lambda lib: lib.nn.Linear(5, 2)(lib.randn(2, 3, 4)),
        lambda lib: lib.nn.Linear(5, 2)(lib.randn(4)),
        lambda lib: lib.nn.functional.linear(lib.randn(3, 5).double(), lib.randn(2, 5), lib.randn(2)),
        lambda lib: lib.nn.functional.linear(lib.randn(3, 5), lib.randn(2, 5), lib.randn(2).double()),
        lambda lib: lib.nn.functional.linear(lib.randn(3, 5), lib.randn(2, 5).double(), lib.randn(2)),
    ]
    for fn in cases:
        with pytest.raises(RuntimeError) as t:
            fn(torch)
        with pytest.raises(RuntimeError) as n:
            fn(ndgrad)
        assert str(n.value) == str(t.value)


def test_linear_double_backward():
    """Gradient penalty through a Linear + tanh: second derivatives match torch."""
    x0 = randn(4, 3)
    res = []
    for lib in (torch, ndgrad):
        lin = lib.nn.Linear(3, 2).double()
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(np.arange(6.0).reshape(2, 3) / 7))
            lin.bias.copy_(lib.tensor(np.array([0.3, -0.1])))
        x = lib.tensor(x0, requires_grad=True)
        y = lib.tanh(lin(x)).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (g * g).sum().backward()
        res.append((_np(x.grad), _np(lin.weight.grad), _np(lin.bias.grad)))
    for a, b in zip(*res):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


def test_bilinear_identity_flatten():
    check_module(lambda lib: lib.nn.Bilinear(3, 4, 5), randn(6, 3), randn(6, 4))
    check_module(lambda lib: lib.nn.Bilinear(3, 4, 5, bias=False), randn(2, 6, 3), randn(2, 6, 4))
    check_module(lambda lib: lib.nn.Identity(7, unused=True), randn(2, 3))
    check_module(lambda lib: lib.nn.Flatten(), randn(2, 3, 4, 5))
    check_module(lambda lib: lib.nn.Flatten(0, 2), randn(2, 3, 4, 5))
    check_module(lambda lib: lib.nn.Unflatten(1, (2, 3)), randn(4, 6, 2))
    check_module(lambda lib: lib.nn.Unflatten(-1, [2, -1]), randn(4, 6))


# -- activations ---------------------------------------------------------------------------------------------
ACTIVATIONS = [
    lambda m: m.ReLU(), lambda m: m.ReLU6(), lambda m: m.LeakyReLU(), lambda m: m.LeakyReLU(0.2),
    lambda m: m.PReLU(), lambda m: m.PReLU(3, init=0.1), lambda m: m.ELU(), lambda m: m.ELU(0.7),
    lambda m: m.SELU(), lambda m: m.CELU(), lambda m: m.CELU(1.5), lambda m: m.GELU(),
    lambda m: m.GELU(approximate="tanh"), lambda m: m.SiLU(), lambda m: m.Mish(), lambda m: m.Sigmoid(),
    lambda m: m.Tanh(), lambda m: m.Hardtanh(), lambda m: m.Hardtanh(-2.0, 0.5), lambda m: m.Hardswish(),
    lambda m: m.Hardsigmoid(), lambda m: m.Softplus(), lambda m: m.Softplus(beta=2, threshold=3),
    lambda m: m.Softsign(), lambda m: m.Tanhshrink(), lambda m: m.Threshold(0.1, 20.0), lambda m: m.LogSigmoid(),
    lambda m: m.Softmax(dim=1), lambda m: m.LogSoftmax(dim=1), lambda m: m.Softmin(dim=1),
    lambda m: m.Softmax(dim=-1), lambda m: m.Softmax2d(), lambda m: m.GLU(), lambda m: m.GLU(dim=0),
    lambda m: m.Hardshrink(), lambda m: m.Softshrink(0.3), lambda m: m.RReLU(),
]


@pytest.mark.parametrize("k", range(len(ACTIVATIONS)))
def test_activation_modules(k):
    x = randn(2, 3, 4) * 3
    x[0, 0, :2] = [3.0, -3.0]  # the kinks of hardswish/hardsigmoid stay away from exact ties
    check_module(lambda lib: ACTIVATIONS[k](lib.nn), x)


@pytest.mark.parametrize("k", range(len(ACTIVATIONS)))
def test_activation_float32(k):
    x = (randn(2, 3, 4) * 3).astype(np.float32)
    check_module(lambda lib: ACTIVATIONS[k](lib.nn), x, dtype="float", rtol=2e-5, atol=2e-6)


def test_activation_large_inputs_are_stable():
    x = np.array([-1000.0, -50.0, -1.0, 0.0, 1.0, 50.0, 1000.0])
    for name in ["softplus", "logsigmoid", "silu", "mish", "elu", "selu", "gelu", "sigmoid"]:
        t = getattr(torch.nn.functional, name)(torch.tensor(x))
        n = getattr(F, name)(ndgrad.tensor(x))
        np.testing.assert_allclose(_np(n), _np(t), rtol=1e-12, atol=1e-300, err_msg=name)
    big = np.array([[1000.0, 0.0, -1000.0]])
    np.testing.assert_allclose(_np(F.log_softmax(ndgrad.tensor(big), 1)),
                               _np(torch.log_softmax(torch.tensor(big), 1)))


@pytest.mark.parametrize("name,args", [("relu", ()), ("relu6", ()), ("leaky_relu", (0.1,)), ("elu", (1.0,)),
                                       ("selu", ()), ("celu", (1.0,)), ("hardtanh", (-1.0, 1.0)),
                                       ("hardswish", ()), ("hardsigmoid", ()), ("silu", ()), ("mish", ()),
                                       ("threshold", (0.2, -1.0)), ("rrelu", ())])
def test_inplace_functional(name, args):
    x = randn(3, 4)
    res = []
    for lib in (torch, ndgrad):
        leaf = lib.tensor(x, requires_grad=True)
        y = leaf * 1.0
        fn = getattr(lib.nn.functional, name)
        out = fn(y, *args, inplace=True)
        assert out is y
        out.backward(lib.tensor(np.ones_like(x)))
        res.append((_np(out), _np(leaf.grad), y.grad_fn.name()))
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used in an in-place"):
            fn(lib.tensor(x, requires_grad=True), *args, inplace=True)
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-12)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-12)
    assert res[1][2] == res[0][2]


def test_activation_grad_fn_names():
    x = randn(4)
    for name, kw in [("relu", {}), ("gelu", {}), ("leaky_relu", {}), ("elu", {}), ("selu", {}), ("celu", {}),
                     ("hardtanh", {}), ("relu6", {}), ("hardswish", {}), ("hardsigmoid", {}), ("silu", {}),
                     ("mish", {}), ("softplus", {}), ("logsigmoid", {}), ("softshrink", {}),
                     ("hardshrink", {}), ("tanhshrink", {}), ("softsign", {}), ("softmax", {"dim": 0}),
                     ("log_softmax", {"dim": 0}), ("softmin", {"dim": 0}), ("threshold", {"threshold": 0.1,
                                                                                          "value": 0.0})]:
        t = getattr(torch.nn.functional, name)(torch.tensor(x, requires_grad=True), **kw)
        n = getattr(F, name)(ndgrad.tensor(x, requires_grad=True), **kw)
        assert n.grad_fn.name() == t.grad_fn.name(), name


@pytest.mark.parametrize("name", ["gelu", "silu", "mish", "elu", "softplus", "logsigmoid", "leaky_relu",
                                  "hardswish", "tanhshrink", "softsign", "log_softmax", "softmax"])
def test_activation_double_backward(name):
    x0 = randn(3, 4)
    kw = {"dim": 1} if "softmax" in name else {}
    res = []
    for lib in (torch, ndgrad):
        x = lib.tensor(x0, requires_grad=True)
        y = getattr(lib.nn.functional, name)(x, **kw)
        (g,) = lib.autograd.grad((y * lib.tensor(np.linspace(-1, 1, 12).reshape(3, 4))).sum(), x,
                                 create_graph=True)
        (g * g).sum().backward()
        res.append(_np(x.grad))
    np.testing.assert_allclose(res[1], res[0], rtol=1e-9, atol=1e-11)


def test_activation_errors_match_torch():
    cases = [
        (lambda lib: lib.nn.functional.hardtanh(lib.randn(3), 1.0, -1.0), ValueError),
        (lambda lib: lib.nn.functional.gelu(lib.randn(3), approximate="foo"), RuntimeError),
        (lambda lib: lib.nn.functional.glu(lib.randn(3, 3)), RuntimeError),
        (lambda lib: lib.nn.functional.prelu(lib.randn(2, 4), lib.ones(3)), RuntimeError),
        (lambda lib: lib.nn.functional.gelu(lib.arange(3)), NotImplementedError),
        (lambda lib: lib.nn.Hardtanh(1.0, 1.0), AssertionError),
        (lambda lib: lib.nn.Softmax2d()(lib.randn(3)), ValueError),
    ]
    for fn, exc in cases:
        with pytest.raises(exc) as t:
            fn(torch)
        with pytest.raises(exc) as n:
            fn(ndgrad)
        assert str(n.value) == str(t.value)


def test_softmax_implicit_dim_and_dtype():
    x = randn(2, 3)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax has been deprecated"):
        out = F.softmax(ndgrad.tensor(x))
    np.testing.assert_allclose(_np(out), _np(torch.softmax(torch.tensor(x), 1)), rtol=1e-12)
    out = F.log_softmax(ndgrad.tensor(x.astype(np.float32)), 1, dtype=ndgrad.float64)
    assert out.dtype == ndgrad.float64


def test_gumbel_softmax():
    ndgrad.manual_seed(0)
    logits = ndgrad.tensor(randn(5, 4), requires_grad=True)
    y = F.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(_np(y.sum(1)), np.ones(5), rtol=1e-12)
    h = F.gumbel_softmax(logits, hard=True)
    assert set(np.unique(_np(h))) <= {0.0, 1.0} and np.all(_np(h).sum(1) == 1)
    h.sum().backward()
    assert logits.grad is not None


def test_rrelu_training_slopes():
    ndgrad.manual_seed(0)
    x = ndgrad.tensor(-np.ones(10000))
    y = _np(F.rrelu(x, 0.1, 0.3, training=True))
    assert -0.3 <= y.min() and y.max() <= -0.1 and abs(y.mean() + 0.2) < 0.01


# -- dropout -------------------------------------------------------------------------------------------------
def test_dropout_statistics_and_eval():
    ndgrad.manual_seed(0)
    x = ndgrad.ones(200, 500, requires_grad=True)
    drop = nn.Dropout(0.3)
    y = drop(x)
    vals = _np(y)
    assert set(np.unique(vals)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((vals == 0).mean() - 0.3) < 0.01
    assert y.grad_fn.name() == "MulBackward0"
    y.sum().backward()
    np.testing.assert_array_equal(_np(x.grad), vals)
    drop.eval()
    assert drop(x) is x
    assert F.dropout(x, 0.0) is x
    assert float(F.dropout(x, 1.0).abs().sum()) == 0
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got 1.5"):
        F.dropout(x, 1.5)
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1, but got -0.1"):
        nn.Dropout(-0.1)


def test_dropout_inplace():
    x = ndgrad.ones(10, 10)
    y = F.dropout(x, 0.5, inplace=True)
    assert y is x and set(np.unique(_np(x))) <= {0.0, 2.0}


def test_channel_dropout():
    ndgrad.manual_seed(1)
    x = ndgrad.ones(8, 16, 5, 5)
    y = _np(nn.Dropout2d(0.5)(x))
    per_channel = y.reshape(8, 16, -1)
    assert np.all((per_channel == per_channel[:, :, :1]))  # whole channels kept or dropped
    assert 0 < (per_channel[:, :, 0] == 0).mean() < 1
    y1 = _np(F.dropout1d(ndgrad.ones(16, 7), 0.5))  # unbatched (C, L)
    assert np.all(y1 == y1[:, :1])
    y3 = _np(F.dropout3d(ndgrad.ones(4, 3, 2, 2), 0.5))  # unbatched (C, D, H, W)
    assert np.all(y3.reshape(4, -1) == y3.reshape(4, -1)[:, :1])
    with pytest.raises(RuntimeError, match="dropout1d: Expected 2D or 3D input, but received a 4D input"):
        F.dropout1d(x)


def test_alpha_dropout_keeps_statistics():
    ndgrad.manual_seed(2)
    x = ndgrad.randn(400000, dtype=ndgrad.float64)
    y = _np(F.alpha_dropout(x, 0.2, training=True))
    assert abs(y.mean()) < 0.01 and abs(y.std() - 1) < 0.01
    assert F.alpha_dropout(x, 0.2) is x
    z = _np(nn.FeatureAlphaDropout(0.5).train()(ndgrad.randn(4, 6, 3)))
    assert z.shape == (4, 6, 3)


# -- embedding ------------------------------------------------------------------------------------------------
def test_embedding_padding_idx():
    idx = np.array([[1, 0, 3, 1], [4, 0, 0, 2]])
    tm, nm = check_module(lambda lib: lib.nn.Embedding(5, 3, padding_idx=0), idx)
    assert np.all(_np(nm.weight.grad)[0] == 0)
    fresh = nn.Embedding(5, 3, padding_idx=-1)
    assert fresh.padding_idx == 4 and np.all(_np(fresh.weight)[4] == 0)
    assert nm(ndgrad.tensor(idx)).grad_fn.name() == "EmbeddingBackward0"


def test_embedding_options():
    idx = np.array([1, 2, 1, 1, 3])
    check_module(lambda lib: lib.nn.Embedding(5, 3, scale_grad_by_freq=True), idx)
    check_module(lambda lib: lib.nn.Embedding(5, 3), idx.reshape(1, 5, 1))
    for lib in (torch, ndgrad):  # max_norm renormalises the looked-up rows in place
        lib.manual_seed(0)
    tm = torch.nn.Embedding(5, 3, max_norm=1.0).double()
    nm = nn.Embedding(5, 3, max_norm=1.0).double()
    copy_weights(tm, nm)
    t_out = tm(torch.tensor(idx))
    n_out = nm(ndgrad.tensor(idx))
    np.testing.assert_allclose(_np(n_out), _np(t_out), rtol=1e-9)
    np.testing.assert_allclose(_np(nm.weight), _np(tm.weight), rtol=1e-9)


def test_embedding_from_pretrained_and_errors():
    w = ndgrad.tensor(randn(4, 2))
    emb = nn.Embedding.from_pretrained(w)
    assert not emb.weight.requires_grad
    np.testing.assert_array_equal(_np(emb(ndgrad.tensor([3, 0]))), _np(w)[[3, 0]])
    assert nn.Embedding.from_pretrained(w, freeze=False).weight.requires_grad
    cases = [lambda lib: lib.nn.Embedding(4, 2)(lib.tensor([4])),
             lambda lib: lib.nn.Embedding(4, 2)(lib.tensor([1.0]))]
    for fn in cases:
        with pytest.raises(Exception) as t:
            fn(torch)
        with pytest.raises(Exception) as n:
            fn(ndgrad)
        assert n.type is t.type and str(n.value) == str(t.value)
    with pytest.raises(AssertionError, match="Padding_idx must be within num_embeddings"):
        nn.Embedding(4, 2, padding_idx=4)


def test_embedding_double_backward():
    res = []
    for lib in (torch, ndgrad):
        w = lib.tensor(randn(5, 3) if not res else res[0][1], requires_grad=True)
        idx = lib.tensor([0, 2, 2, 4])
        out = lib.nn.functional.embedding(idx, w, padding_idx=2)
        (g,) = lib.autograd.grad((out ** 3).sum(), w, create_graph=True)
        g.sum().backward()
        res.append((_np(w.grad), _np(w)))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-10)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag(mode):
    check_module(lambda lib: lib.nn.EmbeddingBag(6, 3, mode=mode), np.array([[1, 2, 4], [4, 3, 2]]))
    tm = torch.nn.EmbeddingBag(6, 3, mode=mode).double()
    nm = nn.EmbeddingBag(6, 3, mode=mode).double()
    copy_weights(tm, nm)
    flat, offsets = np.array([1, 2, 4, 5, 4, 3, 2]), np.array([0, 2, 2, 5])
    t_out = tm(torch.tensor(flat), torch.tensor(offsets))
    n_out = nm(ndgrad.tensor(flat), ndgrad.tensor(offsets))
    np.testing.assert_allclose(_np(n_out), _np(t_out), rtol=1e-10)
    t_out.sum().backward()
    n_out.sum().backward()
    np.testing.assert_allclose(_np(nm.weight.grad), _np(tm.weight.grad), rtol=1e-10)


def test_embedding_bag_per_sample_weights_and_padding():
    for lib in (torch, ndgrad):
        lib.manual_seed(0)
    tm = torch.nn.EmbeddingBag(6, 3, mode="sum", padding_idx=2).double()
    nm = nn.EmbeddingBag(6, 3, mode="sum", padding_idx=2).double()
    copy_weights(tm, nm)
    flat, offsets, psw = np.array([1, 2, 4, 5]), np.array([0, 2]), randn(4)
    t_out = tm(torch.tensor(flat), torch.tensor(offsets), torch.tensor(psw))
    n_out = nm(ndgrad.tensor(flat), ndgrad.tensor(offsets), ndgrad.tensor(psw))
    np.testing.assert_allclose(_np(n_out), _np(t_out), rtol=1e-10)


# -- nn.functional utilities ------------------------------------------------------------------------------------
def test_one_hot():
    for args in [([0, 2, 1],), ([[0, 2], [1, 1]], 4)]:
        t = torch.nn.functional.one_hot(torch.tensor(args[0]), *args[1:])
        n = F.one_hot(ndgrad.tensor(args[0]), *args[1:])
        assert n.dtype == ndgrad.int64
        np.testing.assert_array_equal(_np(n), _np(t))
    for fn in [lambda lib: lib.nn.functional.one_hot(lib.tensor([0, 5]), 3),
               lambda lib: lib.nn.functional.one_hot(lib.tensor([0.0, 2.0])),
               lambda lib: lib.nn.functional.one_hot(lib.tensor([-1, 2])),
               lambda lib: lib.nn.functional.one_hot(lib.tensor([], dtype=lib.int64))]:
        with pytest.raises(RuntimeError) as t:
            fn(torch)
        with pytest.raises(RuntimeError) as n:
            fn(ndgrad)
        assert str(n.value) == str(t.value)


@pytest.mark.parametrize("fn", [
    lambda lib, a, b: lib.nn.functional.normalize(a),
    lambda lib, a, b: lib.nn.functional.normalize(a, p=1, dim=0),
    lambda lib, a, b: lib.nn.functional.normalize(a, p=3.0, dim=-1),
    lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b),
    lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, dim=0),
    lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b[:1]),
    lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b),
    lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, p=1, keepdim=True),
    lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, p=float("inf")),
    lambda lib, a, b: lib.nn.functional.pdist(a),
    lambda lib, a, b: lib.nn.PairwiseDistance(p=3)(a, b),
    lambda lib, a, b: lib.nn.CosineSimilarity(dim=1)(a, b),
])
def test_distances(fn):
    a, b = randn(4, 5), randn(4, 5)
    ta, tb = torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True)
    na, nb = ndgrad.tensor(a, requires_grad=True), ndgrad.tensor(b, requires_grad=True)
    t, n = fn(torch, ta, tb), fn(ndgrad, na, nb)
    np.testing.assert_allclose(_np(n), _np(t), rtol=1e-10, atol=1e-12)
    cot = randn(*t.shape)
    t.backward(torch.tensor(cot))
    n.backward(ndgrad.tensor(cot))
    np.testing.assert_allclose(_np(na.grad), _np(ta.grad), rtol=1e-9, atol=1e-11)
    if tb.grad is not None:
        np.testing.assert_allclose(_np(nb.grad), _np(tb.grad), rtol=1e-9, atol=1e-11)


def test_normalize_zero_rows():
    x = np.zeros((2, 3))
    x[1] = [1.0, 2.0, 2.0]
    t = torch.tensor(x, requires_grad=True)
    n = ndgrad.tensor(x, requires_grad=True)
    torch.nn.functional.normalize(t).sum().backward()
    F.normalize(n).sum().backward()
    np.testing.assert_allclose(_np(n.grad), _np(t.grad), rtol=1e-10, atol=1e-12)
