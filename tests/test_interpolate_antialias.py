"""F.interpolate(antialias=True): bilinear, bicubic and lanczos, shrinking and enlarging, with sizes or
scale factors and align_corners, against torch: values, input gradients and node names."""
import numpy as np
import pytest
import torch

import ndgrad

CASES = [((8, 9), (3, 5), None, False), ((7, 7), (12, 4), None, False), ((10, 6), (5, 5), None, True),
         ((9, 9), None, (0.4, 0.7), False), ((9, 9), None, (2.5, 1.5), False), ((16, 5), (4, 5), None, False)]


@pytest.mark.parametrize("mode", ["bilinear", "bicubic", "lanczos"])
@pytest.mark.parametrize("in_hw,size,scale,align", CASES)
def test_antialiased_interpolate_matches_torch(mode, in_hw, size, scale, align):
    if mode == "lanczos" and align:
        align = None
    x0 = np.random.default_rng(1).standard_normal((2, 3) + in_hw)
    got = []
    for lib in (torch, ndgrad):
        x = lib.tensor(x0, requires_grad=True)
        y = lib.nn.functional.interpolate(x, size=size, scale_factor=scale, mode=mode,
                                          align_corners=None if mode == "lanczos" else align, antialias=True)
        w = lib.tensor(np.linspace(-1, 1, y.numel()).reshape(tuple(y.shape)))
        (y * w).sum().backward()
        got.append((y.detach().numpy(), x.grad.numpy(), type(y.grad_fn).__name__))
    np.testing.assert_allclose(got[1][0], got[0][0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[1][1], got[0][1], rtol=1e-10, atol=1e-12)
    assert got[1][2] == got[0][2]


def test_antialiased_interpolate_float32_and_errors_match_torch():
    x0 = np.random.default_rng(2).standard_normal((1, 2, 11, 7)).astype(np.float32)
    outs = [lib.nn.functional.interpolate(lib.tensor(x0), size=(4, 3), mode="bicubic", antialias=True)
            for lib in (torch, ndgrad)]
    assert outs[1].dtype == ndgrad.float32
    np.testing.assert_allclose(outs[1].numpy(), outs[0].numpy(), rtol=1e-5, atol=1e-6)
    for lib in (torch, ndgrad):
        with pytest.raises(ValueError, match="Anti-alias option is restricted to bilinear, bicubic, and lanczos"):
            lib.nn.functional.interpolate(lib.zeros(1, 1, 4), size=2, mode="linear", antialias=True)
        with pytest.raises(ValueError, match="Lanczos mode requires antialias=True"):
            lib.nn.functional.interpolate(lib.zeros(1, 1, 4, 4), size=2, mode="lanczos")
