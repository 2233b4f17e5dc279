"""Second- (and, on a representative set, third-) order gradients of every op in the op database,
compared with torch: double backward through each op's backward formula (create_graph=True)."""
import numpy as np
import pytest
import torch

import ndgrad
from opdb import ALL, make_args, to_lib
from helpers import flat_tensors, cotangents

GG = [op for op in ALL if op.grad and op.gradgrad and not op.skip and not op.nondeterministic]
THIRD_ORDER = {"mul", "div", "pow_scalar", "exp", "tanh", "sigmoid", "log", "sin", "matmul", "softmax",
               "sum_dim", "mean", "logsumexp", "prod", "cat", "getitem_basic", "sqrt", "atan2"}


def _nth_grads(lib, op, args, order):
    """Gradients of order 1..order of <op(x), cot>, each contracted with a fixed random vector."""
    tensors = to_lib(lib, args, True)
    out = op.fn(lib, *tensors)
    outs = [o for o in flat_tensors(out) if o.requires_grad]
    diff = [t for t in tensors if isinstance(t, lib.Tensor) and t.requires_grad]
    if not outs or not diff:
        return None
    cots = [lib.tensor(c) for c in cotangents(outs)]
    results = []
    scalar = sum((o * c).sum() for o, c in zip(outs, cots))
    for k in range(order):
        gs = lib.autograd.grad(scalar, diff, create_graph=True, allow_unused=True)
        # force=True also materialises torch's ZeroTensor results (e.g. second derivative of a 1-norm)
        results.append([None if g is None else g.detach().numpy(force=True).copy() for g in gs])
        live = [g for g in gs if g is not None and g.requires_grad]
        if not live:
            break
        rng = np.random.default_rng(100 + k)
        scalar = sum((g * lib.tensor(rng.standard_normal(tuple(g.shape)))).sum() for g in live)
    return results


def _compare(op, n_res, t_res):
    for k, (nk, tk) in enumerate(zip(n_res, t_res)):
        for i, (a, b) in enumerate(zip(nk, tk)):
            if b is None:
                assert a is None or np.allclose(a, 0), f"{op.name}: order {k + 1} input {i}: torch gives none"
                continue
            if a is None:
                a = np.zeros_like(b)  # ndgrad's graph may end where torch's keeps a zero
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6, err_msg=f"{op.name}: order {k + 1}, input {i}")


@pytest.mark.parametrize("op", GG, ids=[op.name for op in GG])
def test_second_order_matches_torch(op):
    args = make_args(op, op.samples[0])
    t_res = _nth_grads(torch, op, args, 2)
    n_res = _nth_grads(ndgrad, op, args, 2)
    if t_res is None:
        assert n_res is None
        return
    assert n_res is not None, f"{op.name}: no differentiable outputs in ndgrad"
    if len(t_res) == 2 and len(n_res) == 1:
        n_res.append([None] * len(n_res[0]))  # ndgrad's first gradient no longer requires grad
    _compare(op, n_res, t_res)


THIRD = [op for op in GG if op.name in THIRD_ORDER]


@pytest.mark.parametrize("op", THIRD, ids=[op.name for op in THIRD])
def test_third_order_matches_torch(op):
    args = make_args(op, op.samples[0])
    t_res = _nth_grads(torch, op, args, 3)
    n_res = _nth_grads(ndgrad, op, args, 3)
    while len(n_res) < len(t_res):
        n_res.append([None] * len(n_res[0]))
    _compare(op, n_res, t_res)
