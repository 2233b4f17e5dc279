"""Property tests: broadcasting binary ops and reductions over random shapes, values and gradients
against torch (Hypothesis draws the shapes, a seeded NumPy generator the values)."""
import numpy as np
import torch
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import ndgrad

SETTINGS = settings(max_examples=30, deadline=None)

BINARY = {
    "add": lambda lib, a, b: lib.add(a, b),
    "mul": lambda lib, a, b: a * b,
    "sub": lambda lib, a, b: a - b,
    "div": lambda lib, a, b: a / b,
    "maximum": lambda lib, a, b: lib.maximum(a, b),
}


def values(seed, shape, dtype, away_from_zero=False):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=shape)
    if away_from_zero:
        x = np.where(np.abs(x) < 0.25, 0.25 + np.abs(x), x)
    return x.astype(dtype)


def run(lib, fn, arrays, cotangent_seed):
    ts = [lib.tensor(a, requires_grad=True) for a in arrays]
    out = fn(lib, *ts)
    cot = lib.tensor(values(cotangent_seed, tuple(out.shape), arrays[0].dtype))
    grads = lib.autograd.grad(out, ts, cot)
    return out.detach().numpy(), [g.numpy() for g in grads], [t.shape for t in ts], out.dtype


def compare(fn, arrays, seed, rtol):
    n_out, n_grads, n_shapes, n_dtype = run(ndgrad, fn, arrays, seed)
    t_out, t_grads, t_shapes, t_dtype = run(torch, fn, arrays, seed)
    assert str(n_dtype) == str(t_dtype)
    assert n_out.shape == t_out.shape
    np.testing.assert_allclose(n_out, t_out, rtol=rtol, atol=rtol)
    for ng, tg, shape in zip(n_grads, t_grads, t_shapes):
        assert ng.shape == tuple(shape) and ng.dtype == tg.dtype  # reduced back to the input's shape
        np.testing.assert_allclose(ng, tg, rtol=rtol, atol=rtol)


@SETTINGS
@given(op=st.sampled_from(sorted(BINARY)),
       shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, min_side=1, max_side=4),
       dtype=st.sampled_from([np.float64, np.float32]),
       seed=st.integers(0, 2 ** 32 - 1))
def test_binary_ops_broadcast_like_torch(op, shapes, dtype, seed):
    a_shape, b_shape = shapes.input_shapes
    a = values(seed, a_shape, dtype)
    b = values(seed + 1, b_shape, dtype, away_from_zero=(op == "div"))
    compare(BINARY[op], [a, b], seed + 2, rtol=1e-5 if dtype == np.float32 else 1e-10)


@SETTINGS
@given(shape=hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4),
       data=st.data(),
       reduction=st.sampled_from(["sum", "mean"]),
       keepdim=st.booleans(),
       dtype=st.sampled_from([np.float64, np.float32]),
       seed=st.integers(0, 2 ** 32 - 1))
def test_reductions_over_random_dims_like_torch(shape, data, reduction, keepdim, dtype, seed):
    ndim = len(shape)
    if ndim == 0:
        dims = data.draw(st.sampled_from([None, 0, -1, (), (0,)]))
    else:
        dims = data.draw(st.one_of(
            st.none(),
            st.integers(-ndim, ndim - 1),
            st.lists(st.integers(0, ndim - 1), unique=True, min_size=1, max_size=ndim).map(tuple)))
    x = values(seed, shape, dtype)

    def fn(lib, t):
        method = getattr(t, reduction)
        return method() if dims is None else method(dim=dims, keepdim=keepdim)
    compare(fn, [x], seed + 1, rtol=1e-5 if dtype == np.float32 else 1e-10)


@SETTINGS
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, min_side=1, max_side=3),
       seed=st.integers(0, 2 ** 32 - 1))
def test_composite_expression_like_torch(shapes, seed):
    arrays = [values(seed + k, s, np.float64, away_from_zero=(k == 2)) for k, s in enumerate(shapes.input_shapes)]

    def fn(lib, a, b, c):
        return (lib.maximum(a * b, a - c) / c + b).sum(dim=-1, keepdim=True) if (a * b / c).dim() else a * b / c
    compare(fn, arrays, seed + 5, rtol=1e-10)
