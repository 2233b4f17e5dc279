"""In-place random fills (uniform_, normal_, bernoulli_, exponential_, random_): ranges, statistics,
dtypes, reproducibility and torch's leaf rule. torch's exact random streams are not reproduced."""
import numpy as np
import pytest

import ndgrad


def test_ranges_statistics_and_dtype():
    ndgrad.manual_seed(0)
    u = ndgrad.empty(20000).uniform_(2.0, 5.0)
    assert u.dtype == ndgrad.float32 and 2.0 <= u.min().item() and u.max().item() < 5.0
    assert abs(u.mean().item() - 3.5) < 0.05
    n = ndgrad.empty(20000, dtype=ndgrad.float64).normal_(1.0, 2.0)
    assert n.dtype == ndgrad.float64
    assert abs(n.mean().item() - 1.0) < 0.1 and abs(n.std().item() - 2.0) < 0.1
    b = ndgrad.empty(20000).bernoulli_(0.25)
    assert set(np.unique(b.numpy())) <= {0.0, 1.0} and abs(b.mean().item() - 0.25) < 0.02
    e = ndgrad.empty(20000).exponential_(4.0)
    assert e.min().item() >= 0 and abs(e.mean().item() - 0.25) < 0.02
    r = ndgrad.empty(1000, dtype=ndgrad.int64).random_(3, 7)
    assert set(np.unique(r.numpy())) == {3, 4, 5, 6}


def test_reproducible_and_version_bumped():
    ndgrad.manual_seed(5)
    a = ndgrad.empty(6).normal_()
    ndgrad.manual_seed(5)
    b = ndgrad.empty(6).normal_()
    assert ndgrad.equal(a, b) and a._version == 1


def test_leaf_that_requires_grad_is_refused_outside_no_grad():
    w = ndgrad.zeros(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        w.uniform_()
    with ndgrad.no_grad():
        w.uniform_(-1, 1)
    assert w.requires_grad and np.all(np.abs(w.detach().numpy()) <= 1)


def test_integer_tensor_normal_is_an_error():
    with pytest.raises(RuntimeError):
        ndgrad.zeros(3, dtype=ndgrad.int64).normal_()
