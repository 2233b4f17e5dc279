"""nn.utils: gradient clipping and parameter/vector conversion against torch."""
import numpy as np
import pytest
import torch

import ndgrad
import ndgrad.nn as nn

RNG = np.random.default_rng(3)


def _np(t):
    return t.detach().numpy()


def _params_with_grads(lib, grads, dtype=None):
    ps = []
    for g in grads:
        p = lib.nn.Parameter(lib.zeros(g.shape, dtype=dtype))
        p.grad = lib.tensor(g, dtype=dtype)
        ps.append(p)
    return ps


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, float("inf"), "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    grads = [RNG.standard_normal((3, 4)), RNG.standard_normal(5), RNG.standard_normal(())]
    res = []
    for lib in (torch, ndgrad):
        ps = _params_with_grads(lib, grads, lib.float64)
        ps.append(lib.nn.Parameter(lib.zeros(2, dtype=lib.float64)))  # no grad: ignored
        total = lib.nn.utils.clip_grad_norm_(ps, max_norm, norm_type=float(norm_type))
        res.append((total, [_np(p.grad) for p in ps[:-1]]))
    assert res[1][0].shape == () and res[1][0].dtype == ndgrad.float64
    np.testing.assert_allclose(_np(res[1][0]), _np(res[0][0]), rtol=1e-12)
    for a, b in zip(res[0][1], res[1][1]):
        np.testing.assert_allclose(b, a, rtol=1e-12)


def test_clip_grad_norm_float32_generator_and_single_tensor():
    grads = [RNG.standard_normal((4, 4)).astype(np.float32)]
    for lib in (torch, ndgrad):
        m = lib.nn.Linear(4, 4)
        m.weight.grad = lib.tensor(grads[0])
        total = lib.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        if lib is torch:
            expect = (_np(total), _np(m.weight.grad))
    assert total.dtype == ndgrad.float32
    np.testing.assert_allclose(_np(total), expect[0], rtol=1e-6)
    np.testing.assert_allclose(_np(m.weight.grad), expect[1], rtol=1e-6)
    p = nn.Parameter(ndgrad.zeros(3))
    p.grad = ndgrad.tensor([3.0, 4.0, 0.0])
    assert float(nn.utils.clip_grad_norm_(p, 1.0)) == pytest.approx(5.0)
    np.testing.assert_allclose(_np(p.grad), [0.6, 0.8, 0.0], rtol=1e-5)
    assert float(nn.utils.clip_grad_norm_([], 1.0)) == 0.0


def test_clip_grad_norm_nonfinite():
    p = nn.Parameter(ndgrad.zeros(2))
    p.grad = ndgrad.tensor([float("inf"), 1.0])
    tp = torch.nn.Parameter(torch.zeros(2))
    tp.grad = torch.tensor([float("inf"), 1.0])
    with pytest.raises(RuntimeError) as t:
        torch.nn.utils.clip_grad_norm_([tp], 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as n:
        nn.utils.clip_grad_norm_([p], 1.0, error_if_nonfinite=True)
    assert str(n.value) == str(t.value)
    total = nn.utils.clip_grad_norm_([p], 1.0)
    assert np.isinf(float(total))


def test_clip_grad_value():
    grads = [RNG.standard_normal((3, 4)) * 3, RNG.standard_normal(5)]
    out = []
    for lib in (torch, ndgrad):
        ps = _params_with_grads(lib, grads, lib.float64)
        assert lib.nn.utils.clip_grad_value_(ps, 0.7) is None
        out.append([_np(p.grad) for p in ps])
    for a, b in zip(*out):
        np.testing.assert_array_equal(b, a)


def test_parameters_to_vector_and_back():
    for lib in (torch, ndgrad):
        lib.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    nm = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 2))
    nm.load_state_dict({k: ndgrad.tensor(v.numpy()) for k, v in tm.state_dict().items()})
    tv = torch.nn.utils.parameters_to_vector(tm.parameters())
    nv = nn.utils.parameters_to_vector(nm.parameters())
    np.testing.assert_array_equal(_np(nv), _np(tv))
    assert nv.requires_grad and nv.shape == (26,)
    cot = RNG.standard_normal(26).astype(np.float32)
    (nv * ndgrad.tensor(cot)).sum().backward()
    (tv * torch.tensor(cot)).sum().backward()
    for (name, p), tp in zip(nm.named_parameters(), tm.parameters()):
        np.testing.assert_array_equal(_np(p.grad), _np(tp.grad), err_msg=name)
    new = ndgrad.arange(26.0)
    w = nm[0].weight
    nn.utils.vector_to_parameters(new, nm.parameters())
    assert nm[0].weight is w
    np.testing.assert_array_equal(_np(nm[0].weight).ravel(), np.arange(12.0))
    np.testing.assert_array_equal(_np(nm[1].bias), [24.0, 25.0])
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        nn.utils.vector_to_parameters([1.0], nm.parameters())


def test_clip_inside_training_step():
    ndgrad.manual_seed(0)
    m = nn.Linear(5, 1)
    (m(ndgrad.randn(8, 5)) * 100).sum().backward()
    total = nn.utils.clip_grad_norm_(m.parameters(), max_norm=1.0)
    after = np.sqrt(sum((_np(p.grad).astype(np.float64) ** 2).sum() for p in m.parameters()))
    assert float(total) > 1 and after == pytest.approx(1.0, rel=1e-4)


@pytest.mark.parametrize("dim", [0, 1, None])
def test_weight_norm_matches_torch(dim):
    x = RNG.standard_normal((5, 3))
    res = []
    for lib in (torch, ndgrad):
        lin = lib.nn.Linear(3, 4).double()
        with lib.no_grad():
            lin.weight.copy_(lib.tensor(np.arange(12.0).reshape(4, 3) / 5 - 1))
            lin.bias.copy_(lib.tensor(np.array([0.5, -0.5, 0.25, 0.0])))
        with pytest.warns(FutureWarning):
            lib.nn.utils.weight_norm(lin, dim=dim)
        keys = list(lin.state_dict())
        out = lin(lib.tensor(x))
        out.sum().backward()
        res.append((keys, _np(out), _np(lin.weight_g.grad), _np(lin.weight_v.grad), tuple(lin.weight_g.shape)))
        lib.nn.utils.remove_weight_norm(lin)
        assert list(lin.state_dict()) == ["weight", "bias"] or list(lin.state_dict()) == ["bias", "weight"]
    assert res[0][0] == res[1][0] and res[0][4] == res[1][4]
    for a, b in zip(res[0][1:4], res[1][1:4]):
        np.testing.assert_allclose(b, a, rtol=1e-10, atol=1e-12)


def test_skip_init():
    m = nn.utils.skip_init(nn.Linear, 3, 2)
    assert isinstance(m, nn.Linear) and m.weight.shape == (2, 3)
    with pytest.raises(RuntimeError, match="Expected a Module"):
        nn.utils.skip_init(int)
