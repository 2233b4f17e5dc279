"""nn.init: torch's gains, fans, bounds and deterministic initialisers; random ones by their
statistics (ndgrad's generator is not torch's, so the samples differ by design)."""
import math

import numpy as np
import pytest
import torch

import ndgrad
import ndgrad.nn as nn
from ndgrad.nn import init


def _np(t):
    return t.detach().numpy()


@pytest.mark.parametrize("args", [("linear",), ("conv2d",), ("conv_transpose3d",), ("sigmoid",), ("tanh",),
                                  ("relu",), ("leaky_relu",), ("leaky_relu", 0.2), ("leaky_relu", 3),
                                  ("selu",)])
def test_calculate_gain_matches_torch(args):
    assert init.calculate_gain(*args) == torch.nn.init.calculate_gain(*args)


def test_calculate_gain_errors():
    for args in [("softmax",), ("leaky_relu", True), ("leaky_relu", "x")]:
        with pytest.raises(ValueError) as t:
            torch.nn.init.calculate_gain(*args)
        with pytest.raises(ValueError) as n:
            init.calculate_gain(*args)
        assert str(n.value) == str(t.value)


@pytest.mark.parametrize("shape", [(3, 4), (8, 3, 5), (16, 4, 3, 3), (2, 3, 1, 2, 2)])
def test_fan_in_fan_out(shape):
    assert init._calculate_fan_in_and_fan_out(ndgrad.empty(*shape)) == \
        torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))
    with pytest.raises(ValueError, match="Fan in and fan out can not be computed for tensor with fewer than 2"):
        init._calculate_fan_in_and_fan_out(ndgrad.empty(3))


def test_in_place_no_grad_and_returns_tensor():
    w = nn.Parameter(ndgrad.empty(20, 30))
    v = w._version
    for fn in [init.uniform_, init.normal_, init.xavier_uniform_, init.xavier_normal_, init.kaiming_uniform_,
               init.kaiming_normal_, init.trunc_normal_, init.orthogonal_, init.zeros_, init.ones_, init.eye_,
               lambda t: init.constant_(t, 0.3), lambda t: init.sparse_(t, 0.5)]:
        assert fn(w) is w
        assert w.grad_fn is None and w.requires_grad and w.dtype == ndgrad.float32
    assert w._version > v
    with ndgrad.no_grad():
        pass
    view = ndgrad.zeros(4, 6)[:, :3]
    init.ones_(view)


def test_deterministic_initialisers():
    for shape in [(3, 5), (5, 3)]:
        np.testing.assert_array_equal(_np(init.eye_(ndgrad.empty(*shape))), torch.nn.init.eye_(torch.empty(*shape)))
    for shape, groups in [((4, 4, 3), 1), ((6, 2, 3, 3), 2), ((2, 3, 3, 3, 3), 1), ((3, 5, 2, 4), 1)]:
        np.testing.assert_array_equal(_np(init.dirac_(ndgrad.empty(*shape), groups)),
                                      torch.nn.init.dirac_(torch.empty(*shape), groups))
    assert _np(init.constant_(ndgrad.empty(2, 2), 0.5)).tolist() == [[0.5, 0.5], [0.5, 0.5]]
    assert float(init.zeros_(ndgrad.ones(3)).sum()) == 0 and float(init.ones_(ndgrad.zeros(3)).sum()) == 3
    with pytest.raises(ValueError, match="Only tensors with 2 dimensions are supported"):
        init.eye_(ndgrad.empty(2, 2, 2))
    with pytest.raises(ValueError, match="Only tensors with 3, 4, or 5 dimensions are supported"):
        init.dirac_(ndgrad.empty(2, 2))


def test_uniform_normal_statistics():
    ndgrad.manual_seed(0)
    t = ndgrad.empty(200, 500)
    d = _np(init.uniform_(t, -2.0, 3.0))
    assert d.min() >= -2 and d.max() < 3 and abs(d.mean() - 0.5) < 0.02
    d = _np(init.normal_(t, 1.0, 2.0))
    assert abs(d.mean() - 1.0) < 0.02 and abs(d.std() - 2.0) < 0.02
    t64 = ndgrad.empty(10, dtype=ndgrad.float64)
    assert init.normal_(t64).dtype == ndgrad.float64


@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
@pytest.mark.parametrize("nonlinearity,a", [("relu", 0), ("leaky_relu", 0), ("leaky_relu", math.sqrt(5)),
                                            ("tanh", 0)])
def test_kaiming(mode, nonlinearity, a):
    ndgrad.manual_seed(1)
    t = ndgrad.empty(300, 100, 3)
    fan = 300 if mode == "fan_out" else 300
    fan = 100 * 3 if mode == "fan_in" else 300 * 3
    gain = init.calculate_gain(nonlinearity, a)
    std = gain / math.sqrt(fan)
    d = _np(init.kaiming_uniform_(t, a=a, mode=mode, nonlinearity=nonlinearity))
    bound = math.sqrt(3.0) * std
    assert np.abs(d).max() <= bound * (1 + 1e-6) and np.abs(d).max() > 0.99 * bound
    assert abs(d.std() - std) < 0.03 * std
    d = _np(init.kaiming_normal_(t, a=a, mode=mode, nonlinearity=nonlinearity))
    assert abs(d.std() - std) < 0.03 * std
    with pytest.raises(ValueError, match=r"Mode fan_avg not supported, please use one of \['fan_in', 'fan_out'\]"):
        init.kaiming_uniform_(t, mode="fan_avg")


def test_xavier():
    ndgrad.manual_seed(2)
    t = ndgrad.empty(300, 200)
    std = 2.0 * math.sqrt(2.0 / 500)
    d = _np(init.xavier_uniform_(t, gain=2.0))
    assert np.abs(d).max() <= math.sqrt(3) * std * (1 + 1e-6) and abs(d.std() - std) < 0.03 * std
    d = _np(init.xavier_normal_(t, gain=2.0))
    assert abs(d.std() - std) < 0.03 * std


def test_zero_element_warning():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        init.kaiming_uniform_(ndgrad.empty(0, 3))


def test_trunc_normal():
    ndgrad.manual_seed(3)
    t = ndgrad.empty(100000)
    d = _np(init.trunc_normal_(t, mean=0.0, std=1.0, a=-1.0, b=2.0))
    assert d.min() >= -1.0 and d.max() <= 2.0
    ref = torch.nn.init.trunc_normal_(torch.empty(100000, dtype=torch.float64), 0.0, 1.0, -1.0, 2.0).numpy()
    assert abs(d.mean() - ref.mean()) < 0.02 and abs(d.std() - ref.std()) < 0.02
    d = _np(init.trunc_normal_(t, mean=0.0, std=1.0, a=1.5, b=1.6))  # narrow interval: other sampler
    assert d.min() >= 1.5 and d.max() <= 1.6
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        init.trunc_normal_(ndgrad.empty(3), mean=10.0)


@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 2, 3)])
def test_orthogonal(shape):
    t = init.orthogonal_(ndgrad.empty(*shape), gain=2.0)
    q = _np(t).reshape(shape[0], -1).astype(np.float64) / 2.0
    if shape[0] <= q.shape[1]:
        np.testing.assert_allclose(q @ q.T, np.eye(shape[0]), atol=1e-5)
    else:
        np.testing.assert_allclose(q.T @ q, np.eye(q.shape[1]), atol=1e-5)
    with pytest.raises(ValueError, match="Only tensors with 2 or more dimensions are supported"):
        init.orthogonal_(ndgrad.empty(3))


def test_sparse():
    t = init.sparse_(ndgrad.empty(10, 7), sparsity=0.3)
    zeros = (_np(t) == 0).sum(0)
    assert np.all(zeros >= 3)


def test_deprecated_aliases():
    with pytest.warns(FutureWarning, match="`nn.init.normal` is now deprecated in favor of `nn.init.normal_`"):
        init.normal(ndgrad.empty(3))


def test_layer_default_inits_follow_torch_distributions():
    ndgrad.manual_seed(4)
    emb = nn.Embedding(1000, 64)
    assert abs(float(emb.weight.std()) - 1.0) < 0.02
    assert float(nn.PReLU(3, init=0.1).weight.sum()) == pytest.approx(0.3)
    bl = nn.Bilinear(10, 20, 30)
    assert float(bl.weight.abs().max()) <= 1 / math.sqrt(10)
