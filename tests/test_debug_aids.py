"""detect_anomaly and gradcheck/gradgradcheck."""
import warnings

import numpy as np
import pytest

import ndgrad
from ndgrad.autograd import gradcheck, gradgradcheck


def test_detect_anomaly_names_node_and_forward_line():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with ndgrad.autograd.detect_anomaly():
            x = ndgrad.tensor([0.0, 1.0], requires_grad=True)
            y = x.sqrt()  # the forward line the error must show
            with pytest.raises(RuntimeError) as info:
                (y * 0).sum().backward()
    msg = str(info.value)
    assert "SqrtBackward0" in msg
    assert "y = x.sqrt()" in msg and "test_debug_aids.py" in msg


def test_set_detect_anomaly_restores_previous_state():
    assert not ndgrad.autograd.is_anomaly_enabled()
    with ndgrad.autograd.set_detect_anomaly(True):
        assert ndgrad.autograd.is_anomaly_enabled()
    assert not ndgrad.autograd.is_anomaly_enabled()


def test_no_anomaly_check_without_mode():
    x = ndgrad.tensor([0.0, 1.0], requires_grad=True)
    (x.sqrt() * 0).sum().backward()  # NaN gradient, silently, like torch
    assert np.isnan(x.grad.numpy()[0])


def test_gradcheck_passes_and_fails_with_details():
    x = ndgrad.randn(4, dtype=ndgrad.float64, requires_grad=True)
    w = ndgrad.randn(4, dtype=ndgrad.float64, requires_grad=True)
    assert gradcheck(lambda a, b: (a * b).tanh(), (x, w))
    assert gradgradcheck(lambda a, b: (a * b).tanh(), (x, w))

    class WrongGrad(ndgrad.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * a

        @staticmethod
        def backward(ctx, g):
            return g * 3.0  # wrong: should be 2a

    with pytest.raises(RuntimeError, match="input 0") as info:
        gradcheck(WrongGrad.apply, (x,))
    assert "worst element" in str(info.value)
    assert gradcheck(WrongGrad.apply, (x,), raise_exception=False) is False
