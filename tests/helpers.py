"""Shared test helpers: compare ndgrad results with torch's, in one call."""
import numpy as np
import torch

import ndgrad


def flat_tensors(out):
    """The tensors inside an op's result (a tensor, or nested tuples/lists/named tuples)."""
    if isinstance(out, (ndgrad.Tensor, torch.Tensor)):
        return [out]
    if isinstance(out, (tuple, list)):
        res = []
        for o in out:
            res.extend(flat_tensors(o))
        return res
    return []


def to_np(t):
    return t.detach().numpy() if isinstance(t, (torch.Tensor, ndgrad.Tensor)) else np.asarray(t)


def compare_outputs(n_out, t_out, op=None, values=True, rtol=None, atol=None):
    name = getattr(op, "name", "op")
    rtol = rtol if rtol is not None else getattr(op, "rtol", 1e-6)
    atol = atol if atol is not None else getattr(op, "atol", 1e-7)
    if isinstance(t_out, (bool, int, float)):
        assert n_out == t_out, f"{name}: {n_out!r} != torch's {t_out!r}"
        return
    ns, ts = flat_tensors(n_out), flat_tensors(t_out)
    assert len(ns) == len(ts), f"{name}: {len(ns)} output tensors, torch gives {len(ts)}"
    for k, (n, t) in enumerate(zip(ns, ts)):
        assert tuple(n.shape) == tuple(t.shape), f"{name}: output {k} shape {tuple(n.shape)} != torch {tuple(t.shape)}"
        assert str(n.dtype) == str(t.dtype), f"{name}: output {k} dtype {n.dtype} != torch {t.dtype}"
        if values:
            np.testing.assert_allclose(to_np(n), to_np(t), rtol=rtol, atol=atol, equal_nan=True,
                                       err_msg=f"{name}: output {k}")


def cotangents(outs, seed=1):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(tuple(o.shape)).astype(to_np(o).dtype) for o in outs]


def check_against_torch(fn, *arrays, grad=True, rtol=1e-6, atol=1e-7):
    """Run ``fn(lib, *tensors)`` in ndgrad and torch on the same float64 arrays; compare the
    outputs and, with ``grad``, the gradients of every input (tinygrad's helper idea)."""
    def build(lib):
        ts = [lib.tensor(np.array(a)) for a in arrays]
        if grad:
            for t in ts:
                if t.is_floating_point():
                    t.requires_grad_(True)
        return ts
    n_in, t_in = build(ndgrad), build(torch)
    n_out, t_out = fn(ndgrad, *n_in), fn(torch, *t_in)
    compare_outputs(n_out, t_out, rtol=rtol, atol=atol)
    if grad:
        ns = [o for o in flat_tensors(n_out) if o.requires_grad]
        ts = [o for o in flat_tensors(t_out) if o.requires_grad]
        cots = cotangents(ts)
        nd = [t for t in n_in if t.requires_grad]
        td = [t for t in t_in if t.requires_grad]
        tg = torch.autograd.grad(ts, td, [torch.tensor(c) for c in cots], allow_unused=True)
        ng = ndgrad.autograd.grad(ns, nd, [ndgrad.tensor(c) for c in cots], allow_unused=True)
        for k, (a, b) in enumerate(zip(ng, tg)):
            if b is None:
                continue
            np.testing.assert_allclose(to_np(a), to_np(b), rtol=rtol * 10, atol=atol * 10,
                                       err_msg=f"gradient of input {k}")
    return n_out, t_out
