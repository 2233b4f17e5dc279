"""Generic tests driven by the op database: forward values, first-order gradients and float32
dtype preservation, every op against torch on the same inputs."""
import numpy as np
import pytest
import torch

import ndgrad
from opdb import ALL, make_args, to_lib
from helpers import compare_outputs, flat_tensors, cotangents

CASES = [(op, i) for op in ALL for i in range(len(op.samples))]
IDS = [f"{op.name}-{i}" for op, i in CASES]


def _run(lib, op, args, requires_grad):
    tensors = to_lib(lib, args, requires_grad)
    return tensors, op.fn(lib, *tensors)


@pytest.mark.parametrize("op,i", CASES, ids=IDS)
def test_forward_and_grad(op, i):
    if op.skip:
        pytest.skip(op.skip)
    args = make_args(op, op.samples[i])
    want_grad = op.grad and not op.nondeterministic
    t_in, t_out = _run(torch, op, args, want_grad)
    n_in, n_out = _run(ndgrad, op, args, want_grad)
    compare_outputs(n_out, t_out, op, values=not op.nondeterministic)
    if not want_grad:
        return
    t_outs = [o for o in flat_tensors(t_out) if o.requires_grad]
    n_outs = [o for o in flat_tensors(n_out) if o.requires_grad]
    assert len(t_outs) == len(n_outs), f"{op.name}: ndgrad outputs requiring grad differ from torch's"
    if not t_outs:
        return
    t_diff = [t for t in t_in if isinstance(t, torch.Tensor) and t.requires_grad]
    n_diff = [t for t in n_in if isinstance(t, ndgrad.Tensor) and t.requires_grad]
    cots = cotangents(t_outs)
    t_grads = torch.autograd.grad(t_outs, t_diff, [torch.tensor(c) for c in cots], allow_unused=True)
    n_grads = ndgrad.autograd.grad(n_outs, n_diff, [ndgrad.tensor(c) for c in cots], allow_unused=True)
    for k, (ng, tg) in enumerate(zip(n_grads, t_grads)):
        if tg is None:
            assert ng is None or np.all(ng.numpy() == 0), f"{op.name}: input {k} got a gradient, torch gives none"
            continue
        assert ng is not None, f"{op.name}: input {k} got no gradient"
        np.testing.assert_allclose(ng.numpy(), tg.numpy(), rtol=op.rtol * 10, atol=op.atol * 10,
                                   err_msg=f"{op.name}: gradient of input {k}")


@pytest.mark.parametrize("op,i", [(op, 0) for op in ALL], ids=[op.name for op in ALL])
def test_float32_stays_float32(op, i):
    if op.skip:
        pytest.skip(op.skip)
    if not op.float32:
        pytest.skip("op is defined for float64 only in this database entry")
    args = make_args(op, op.samples[i], dtype=np.float32)
    t_in, t_out = _run(torch, op, args, op.grad)
    n_in, n_out = _run(ndgrad, op, args, op.grad)
    for n, t in zip(flat_tensors(n_out), flat_tensors(t_out)):
        assert str(n.dtype) == str(t.dtype), f"{op.name}: output dtype {n.dtype}, torch gives {t.dtype}"
    n_outs = [o for o in flat_tensors(n_out) if o.requires_grad]
    if op.grad and n_outs:
        n_diff = [t for t in n_in if isinstance(t, ndgrad.Tensor) and t.requires_grad]
        grads = ndgrad.autograd.grad(n_outs, n_diff, [ndgrad.ones_like(o) for o in n_outs], allow_unused=True)
        for g, x in zip(grads, n_diff):
            if g is not None:
                assert g.dtype == x.dtype, f"{op.name}: gradient dtype {g.dtype} for a {x.dtype} input"
