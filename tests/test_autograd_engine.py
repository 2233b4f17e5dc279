"""The backward engine against torch: graph structure, backward/grad arguments and errors,
accumulation, hooks, retain_grad, pruning, deep graphs, determinism and memory release."""
import gc
import sys
import tracemalloc
import warnings

import numpy as np
import pytest
import torch

import ndgrad
from ndgrad.autograd.node import _FREED
from test_tensor import same_error

LIBS = (ndgrad, torch)


def structure(fn, depth=0):
    """A nested description of a grad_fn graph: (class name, ((child, output_nr), ...))."""
    if fn is None:
        return None
    if depth > 8:
        return type(fn).__name__
    return (type(fn).__name__, tuple((structure(f, depth + 1), nr) for f, nr in fn.next_functions))


def leaves(lib, *values, dtype=None):
    return [lib.tensor(v, dtype=dtype if dtype is None else getattr(lib, dtype), requires_grad=True)
            for v in values]


def grads_of(ts):
    return [None if t.grad is None else t.grad.tolist() for t in ts]


# -- graph structure ---------------------------------------------------------------------------------
GRAPHS = [
    lambda lib, a, b, c: (a * b + c).sum(),
    lambda lib, a, b, c: a * 2 + b.exp() - a / b,
    lambda lib, a, b, c: (a * b) * (a + c),
    lambda lib, a, b, c: a[0] * a.sum(),
    lambda lib, a, b, c: (a.double() * 3).float(),
    lambda lib, a, b, c: a * 2,
    lambda lib, a, b, c: a + 1,
    lambda lib, a, b, c: (a - b).abs().mean(),
    lambda lib, a, b, c: lib.maximum(a, b).sum(),
    lambda lib, a, b, c: (a.reshape(2, 1) * b).sum(dim=0),
    lambda lib, a, b, c: a.split(1)[0] * a.split(1)[1],
    lambda lib, a, b, c: a.clone().exp().sin(),
    lambda lib, a, b, c: 1 - a,
    lambda lib, a, b, c: a ** 2,
    lambda lib, a, b, c: 2 * a,
    lambda lib, a, b, c: 1 + a,
]


@pytest.mark.parametrize("graph", GRAPHS)
def test_grad_fn_structure_matches_torch(graph):
    got = []
    for lib in LIBS:
        a, b = leaves(lib, [1., 2.], [3., 4.])
        c = lib.tensor([5., 6.])
        got.append(structure(graph(lib, a, b, c).grad_fn))
    assert got[0] == got[1]


def test_accumulate_grad_node():
    for lib in LIBS:
        a = lib.tensor([1., 2.], requires_grad=True)
        y = a * 3
        acc = y.grad_fn.next_functions[0][0]
        assert type(acc).__name__ == "AccumulateGrad" and acc.variable is a
        assert acc.next_functions == ()
        assert (a * 5).grad_fn.next_functions[0][0] is acc  # one accumulator per leaf while alive
        assert a.grad_fn is None and a.is_leaf and not y.is_leaf
        assert y.grad_fn.name() in ("MulBackward0",)


def test_leaf_that_does_not_require_grad_gives_none_edge():
    for lib in LIBS:
        a = lib.tensor([1., 2.], requires_grad=True)
        c = lib.tensor([5., 6.])
        assert (a * c).grad_fn.next_functions[1] == (None, 0)
        assert (c * a).grad_fn.next_functions[0] == (None, 0)


def test_ops_without_grad_record_nothing():
    a = ndgrad.tensor([1., 2.])
    b = ndgrad.tensor([3., 4.])
    y = (a * b).exp().sum()
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf
    w = ndgrad.tensor([1., 2.], requires_grad=True)
    with ndgrad.no_grad():
        z = w * 2
    assert z.grad_fn is None and not z.requires_grad


# -- backward / grad values ---------------------------------------------------------------------------
def test_backward_with_gradient_argument():
    out = []
    for lib in LIBS:
        a, b = leaves(lib, [2., 3.], [6., 4.])
        q = 3 * a ** 3 - b ** 2
        q.backward(gradient=lib.tensor([1., 0.5]))
        out.append(grads_of([a, b]))
    assert out[0] == out[1] == [[36., 40.5], [-12., -4.]]


def test_backward_scalar_gradient_and_casting():
    out = []
    for lib in LIBS:
        a, = leaves(lib, [2., 3.])
        (a * 2).sum().backward(lib.tensor(3.))
        (a * 2).backward(lib.ones(2, dtype=lib.float64))  # cast to the output's dtype
        (a * 2).backward(lib.ones(2, dtype=lib.int64))
        out.append((a.grad.tolist(), str(a.grad.dtype)))
    assert out[0] == out[1]


def test_autograd_backward_and_grad_variants():
    def run(lib):
        a, b = leaves(lib, [1., 2.], [3., 4.])
        res = []
        lib.autograd.backward([(a * b).sum(), (a * a).sum()])
        res.append(grads_of([a, b]))
        a.grad = b.grad = None
        lib.autograd.backward(tensors=[(a * b).sum()], grad_tensors=[lib.tensor(2.)])
        res.append(grads_of([a, b]))
        lib.autograd.backward((a * b).sum(), inputs=a)
        res.append(grads_of([a, b]))
        res.append([g.tolist() for g in lib.autograd.grad((a * b).sum(), (a, b))])
        res.append([g.tolist() for g in lib.autograd.grad((a * b).sum(), [a, a])])
        res.append([g.tolist() for g in lib.autograd.grad([(a * b).sum(), (a * a).sum()], [a])])
        res.append([g.tolist() for g in lib.autograd.grad(a * 2, a, grad_outputs=lib.tensor([1., 3.]))])
        res.append([g.tolist() for g in lib.autograd.grad([a * 2, (a * 3).sum()], a,
                                                             grad_outputs=[lib.tensor([1., 3.]), None])])
        res.append([g.tolist() for g in lib.autograd.grad(a * 2, a, grad_outputs=lib.ones(2, dtype=lib.float64))])
        res.append([str(g.dtype) for g in lib.autograd.grad(a * 2, a, grad_outputs=lib.ones(2, dtype=lib.float64))])
        res.append([None if g is None else g.tolist()
                    for g in lib.autograd.grad((a * 2).sum(), [a, b], allow_unused=True)])
        res.append([g.tolist() for g in lib.autograd.grad((a * 2).sum(), [a, b], allow_unused=True,
                                                             materialize_grads=True)])
        res.append([g.tolist() for g in lib.autograd.grad(a, a, lib.ones(2))])
        res.append(grads_of([a, b]))  # autograd.grad never touches .grad
        return res
    assert run(ndgrad) == run(torch)


def test_backward_inputs_restricts_accumulation():
    out = []
    for lib in LIBS:
        a, b = leaves(lib, [1., 2.], [3., 4.])
        m = a * b
        m.retain_grad()
        (m * 3).sum().backward(inputs=[a])
        out.append((grads_of([a, b]), grads_of([m])))
    assert out[0] == out[1]
    assert out[0][0] == [[9., 12.], None]


def test_create_graph_double_backward():
    out = []
    for lib in LIBS:
        x, = leaves(lib, [2., -1.])
        y = (x ** 3).sum()
        (gx,) = lib.autograd.grad(y, x, create_graph=True)
        (ggx,) = lib.autograd.grad(gx.sum(), x, create_graph=True)
        (gggx,) = lib.autograd.grad(ggx.sum(), x)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            z = (x.exp() * x).sum()
            z.backward(create_graph=True)
        first = x.grad.clone()
        assert x.grad.requires_grad
        gnorm = (x.grad ** 2).sum()
        x.grad = None
        gnorm.backward()
        out.append([gx.tolist(), gx.requires_grad, ggx.tolist(), gggx.tolist(), first.tolist(), x.grad.tolist()])
    np.testing.assert_allclose(np.array(out[0][4:], dtype=float), np.array(out[1][4:], dtype=float), rtol=1e-6)
    assert out[0][:4] == out[1][:4]


def test_retain_graph_allows_second_backward():
    out = []
    for lib in LIBS:
        x, = leaves(lib, [1., 2.])
        y = (x * x).sum()
        y.backward(retain_graph=True)
        y.backward()
        out.append(x.grad.tolist())
    assert out[0] == out[1] == [4., 8.]


# -- errors ---------------------------------------------------------------------------------------------
def _setup(lib):
    a, b = leaves(lib, [1., 2.], [3., 4.])
    return a, b, lib.tensor([5., 6.])


@pytest.mark.parametrize("expr", [
    lambda lib, a, b, c: (a * b).backward(),
    lambda lib, a, b, c: lib.autograd.grad(a * 2, [a]),
    lambda lib, a, b, c: lib.tensor([1., 2.]).sum().backward(),
    lambda lib, a, b, c: lib.tensor(1.).backward(),
    lambda lib, a, b, c: lib.autograd.grad((a * b).sum(), [c]),
    lambda lib, a, b, c: lib.autograd.grad((a * 2).sum(), [b]),
    lambda lib, a, b, c: lib.autograd.grad((a * 2).sum(), [a, b]),
    lambda lib, a, b, c: lib.autograd.grad(a * 2, [a], grad_outputs=lib.ones(3)),
    lambda lib, a, b, c: (a * 2).backward(lib.ones(3)),
    lambda lib, a, b, c: (a * 2).backward(lib.ones(2, dtype=lib.complex64)),
    lambda lib, a, b, c: (a * 2).sum().backward(inputs=[]),
    lambda lib, a, b, c: (a * 2).sum().backward(inputs=[c]),
    lambda lib, a, b, c: lib.autograd.grad((a * 2).sum(), []),
    lambda lib, a, b, c: lib.autograd.backward([(a * 2), (b * 2).sum()], [lib.ones(2)]),
    lambda lib, a, b, c: lib.autograd.grad([(a * 2).sum(), (b * 2).sum()], [a], [lib.ones(())]),
    lambda lib, a, b, c: lib.autograd.grad((a * 2).sum(), a, lib.tensor([2., 2.])),
    lambda lib, a, b, c: lib.autograd.grad(a * 2, a, grad_outputs=[3.0]),
    lambda lib, a, b, c: lib.autograd.grad([(a * b).sum(), lib.tensor(1.)], [a]),
    lambda lib, a, b, c: lib.autograd.backward([(a * b).sum(), lib.tensor(1.)]),
    lambda lib, a, b, c: lib.autograd.grad((a * 2).sum(), "x"),
    lambda lib, a, b, c: (a.detach() * 2).sum().backward(),
    lambda lib, a, b, c: lib.autograd.grad((a * 2).sum(), a.detach()),
    lambda lib, a, b, c: lib.tensor([1, 2], requires_grad=True),
])
def test_errors_match_torch(expr):
    same_error(lambda lib: expr(lib, *_setup(lib)))


@pytest.mark.parametrize("make", [
    lambda lib, x: (x * x).sum(),
    lambda lib, x: x.exp().sum(),
    lambda lib, x: (x.sin() * x.cos()).sum(),
    lambda lib, x: (x / (x + 1)).mean(),
])
def test_second_backward_through_freed_graph(make):
    def twice(lib):
        x, = leaves(lib, [1., 2.])
        y = make(lib, x)
        y.backward()
        y.backward()
    same_error(twice, prefix_only=True)
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        twice(ndgrad)

    def grad_twice(lib):
        x, = leaves(lib, [1., 2.])
        y = make(lib, x)
        lib.autograd.grad(y, x)
        lib.autograd.grad(y, x)
    same_error(grad_twice, prefix_only=True)


def test_graph_without_saved_tensors_can_run_twice():
    out = []
    for lib in LIBS:
        x, = leaves(lib, [1., 2.])
        y = (x + 1).sum()
        y.backward()
        y.backward()
        out.append(x.grad.tolist())
    assert out[0] == out[1] == [2., 2.]


# -- accumulation -------------------------------------------------------------------------------------
def test_accumulation_across_backward_calls_and_reset():
    out = []
    for lib in LIBS:
        a, = leaves(lib, [1., 2.])
        seq = []
        for k in range(3):
            (a * (k + 1)).sum().backward()
            seq.append(a.grad.tolist())
        g = a.grad
        (a * 10).sum().backward()
        seq.append(g is a.grad)  # accumulated in place into the same tensor
        a.grad = None
        (a * a).sum().backward()
        seq.append(a.grad.tolist())
        a.grad.zero_()
        (a * 2).sum().backward()
        seq.append(a.grad.tolist())
        out.append(seq)
    assert out[0] == out[1]


def test_gradient_sums_over_uses_and_broadcasting():
    out = []
    for lib in LIBS:
        a = lib.tensor([[1.], [2.], [3.]], requires_grad=True)
        b = lib.tensor([1., 2., 3., 4.], requires_grad=True)
        s = lib.tensor(2., requires_grad=True)
        y = (a * b + a * s + b * s) * a
        y.sum().backward()
        out.append(grads_of([a, b, s]) + [tuple(a.grad.shape), tuple(b.grad.shape), tuple(s.grad.shape)])
    assert out[0] == out[1]


def test_float32_gradients_stay_float32():
    for lib in LIBS:
        a = lib.tensor([1., 2.], requires_grad=True)
        b = lib.tensor([1., 2.], dtype=lib.float64, requires_grad=True)
        ((a * b) * 1.5).sum().backward()
        assert str(a.grad.dtype).endswith("float32") and str(b.grad.dtype).endswith("float64")


def test_multi_output_node_gradients():
    out = []
    for lib in LIBS:
        x, = leaves(lib, [1., 2., 3.])
        p, q, r = x.unbind(0)
        (p * 2 + r * 5).backward()
        out.append(x.grad.tolist())
    assert out[0] == out[1] == [2., 0., 5.]


def test_grad_assignment():
    for lib in LIBS:
        a, = leaves(lib, [1., 2.])
        a.grad = lib.tensor([10., 10.])
        (a * 2).sum().backward()
        assert a.grad.tolist() == [12., 12.]


# -- hooks and retain_grad ------------------------------------------------------------------------------
def test_tensor_hooks_leaf_and_non_leaf():
    out = []
    for lib in LIBS:
        log = []
        a, b = leaves(lib, [1., 2.], [3., 4.])
        a.register_hook(lambda g: log.append(("a", g.tolist())))
        h = a.register_hook(lambda g: g * 10)  # replaces the gradient for later hooks and for .grad
        a.register_hook(lambda g: log.append(("a2", g.tolist())))
        y = a * b
        y.register_hook(lambda g: log.append(("y", g.tolist())))
        y.retain_grad()
        y.register_hook(lambda g: g * 2)
        y.sum().backward()
        run1 = (list(log), grads_of([a, b]), y.grad.tolist())
        log.clear()
        h.remove()
        a.grad = b.grad = None
        (a * b).sum().backward()
        out.append((run1, list(log), grads_of([a, b])))
    assert out[0] == out[1]
    assert out[0][0][1] == [[60., 80.], [2., 4.]]


def test_retain_grad_sees_value_after_hooks():
    out = []
    for lib in LIBS:
        c, = leaves(lib, [1., 2.])
        d = c * 3
        d.register_hook(lambda g: g + 100)
        d.retain_grad()  # registered after the hook, and also before it below: torch 2 runs it last
        e = c * 2
        e.retain_grad()
        e.register_hook(lambda g: g * 7)
        (d.sum() + e.sum()).backward()
        out.append((d.grad.tolist(), e.grad.tolist(), c.grad.tolist()))
    assert out[0] == out[1]


def test_retain_grad_accumulates_across_backward_calls():
    out = []
    for lib in LIBS:
        c, = leaves(lib, [1., 2.])
        e = c * 3
        e.retain_grad()
        (e * 2).sum().backward(retain_graph=True)
        (e * 2).sum().backward()
        out.append((e.grad.tolist(), c.grad.tolist()))
    assert out[0] == out[1] == ([4., 4.], [12., 12.])


def test_hooks_with_autograd_grad():
    out = []
    for lib in LIBS:
        w3 = lib.tensor([1.], requires_grad=True)
        w3.register_hook(lambda g: g * 100)
        r1 = lib.autograd.grad((w3 * 2).sum(), [w3])[0].tolist()  # a leaf's grad is taken after its hooks
        w4 = lib.tensor([1.], requires_grad=True)
        m = w4 * 2
        m.register_hook(lambda g: g * 100)
        r2 = [g.tolist() for g in lib.autograd.grad((m * 3).sum(), [m, w4])]  # a non-leaf's before
        out.append((r1, r2))
    assert out[0] == out[1] == ([200.], [[3.], [600.]])


def test_hook_removal_via_handle_context():
    a, = leaves(ndgrad, [1.])
    with a.register_hook(lambda g: g * 0):
        (a * 2).sum().backward()
    assert a.grad.tolist() == [0.]
    a.grad = None
    (a * 2).sum().backward()
    assert a.grad.tolist() == [2.]


def test_hook_call_order_follows_torch():
    out = []
    for lib in LIBS:
        order = []
        x, = leaves(lib, [1., 2.])
        p = x * 2
        p.register_hook(lambda g: order.append("p"))
        q = x * 3
        q.register_hook(lambda g: order.append("q"))
        r = p * q
        r.register_hook(lambda g: order.append("r"))
        s = p + r
        s.register_hook(lambda g: order.append("s"))
        t = q.exp()
        t.register_hook(lambda g: order.append("t"))
        u = (s * t).sin()
        u.register_hook(lambda g: order.append("u"))
        (s.sum() + t.sum() + u.sum()).backward()
        out.append(order)
    assert out[0] == out[1]


# -- pruning -----------------------------------------------------------------------------------------
def _counting_function(lib, calls):
    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            calls.append(1)
            (x,) = ctx.saved_tensors
            return 2 * x * g
    return Square


def test_nothing_upstream_of_unwanted_inputs_runs():
    for lib in LIBS:
        calls, hooks = [], []
        w1, w2 = leaves(lib, [1., 2.], [3., 4.])
        h = _counting_function(lib, calls).apply(w1)
        h.register_hook(lambda g: hooks.append("h"))
        (h * w2).sum().backward(inputs=[w2])
        assert calls == [] and hooks == [] and w1.grad is None and w2.grad.tolist() == [1., 4.]
        lib.autograd.grad((h * w2).sum(), [w2])
        assert calls == [] and hooks == []
        (h * w2).sum().backward()
        assert calls == [1] and hooks == ["h"] and w1.grad.tolist() == [6., 16.]


def test_frozen_leaves_get_no_grad_and_their_branch_is_not_computed():
    for lib in LIBS:
        calls = []
        sq = _counting_function(lib, calls)
        frozen = lib.tensor([1., 2.])                     # requires_grad=False: a frozen parameter
        trained = lib.tensor([3., 4.], requires_grad=True)
        branch = sq.apply(frozen)                         # records nothing: no input requires grad
        assert branch.grad_fn is None and not branch.requires_grad
        (branch * trained).sum().backward()
        assert frozen.grad is None and calls == [] and trained.grad.tolist() == [1., 4.]
        frozen.requires_grad_(True)
        frozen.requires_grad_(False)
        (sq.apply(frozen) * trained).sum().backward()
        assert frozen.grad is None and calls == []


def test_frozen_parameter_in_a_model_like_chain():
    out = []
    for lib in LIBS:
        x = lib.tensor([[1., 2.], [3., 4.]])
        w1 = lib.tensor([[0.5, -1.], [2., 1.]])          # frozen layer
        w2 = lib.tensor([[1., 0.], [-1., 3.]], requires_grad=True)
        hidden = (x * w1).sum(dim=1).exp()
        assert hidden.grad_fn is None
        loss = ((hidden.reshape(2, 1) * w2) ** 2).mean()
        loss.backward()
        out.append((w1.grad, w2.grad.tolist()))
    assert out[0][0] is None and out[1][0] is None
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-6)


# -- deep graphs, determinism ----------------------------------------------------------------------------
def test_chain_of_100000_ops_has_no_recursion_error():
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)  # prove the walk is iterative
    try:
        x = ndgrad.tensor([1.], requires_grad=True)
        y = x
        for _ in range(100_000):
            y = y * 1.0
        y.backward()
        assert x.grad.tolist() == [1.]
        del y
        gc.collect()
    finally:
        sys.setrecursionlimit(limit)


def test_wide_fan_in_accumulation_is_deterministic_and_matches_torch():
    rng = np.random.default_rng(0)
    data = rng.standard_normal((64,)).astype(np.float32)
    weights = rng.standard_normal((200, 64)).astype(np.float32)

    def run(lib):
        x = lib.tensor(data, requires_grad=True)
        terms = [(x * lib.tensor(w)).tanh() for w in weights]
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        total.sum().backward()
        return x.grad.numpy().copy()
    first, second = run(ndgrad), run(ndgrad)
    assert np.array_equal(first, second)  # bitwise reproducible
    np.testing.assert_allclose(first, run(torch), rtol=1e-5, atol=1e-5)


# -- memory ------------------------------------------------------------------------------------------------
def test_saved_tensors_are_freed_after_backward():
    x = ndgrad.tensor([1., 2.], requires_grad=True)
    y = x.sin()
    z = y.cos()
    w = z * y
    loss = w.sum()
    nodes = [y.grad_fn, z.grad_fn, w.grad_fn]
    assert all(n.saved is not _FREED and n.saved for n in nodes)
    loss.backward(retain_graph=True)
    assert all(n.saved is not _FREED for n in nodes)
    loss.backward()
    assert all(n.saved is _FREED for n in nodes)
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        loss.backward()
    x2 = ndgrad.tensor([1., 2.], requires_grad=True)
    l2 = (x2.exp() * x2).sum()
    ndgrad.autograd.grad(l2, x2)
    assert l2.grad_fn.next_functions[0][0].saved is _FREED


def _traced_mb():
    gc.collect()
    return tracemalloc.get_traced_memory()[0] / 2 ** 20


def test_memory_returns_to_baseline():
    n = 1_000_000  # 8 MB per float64 tensor
    tracemalloc.start()
    try:
        x = ndgrad.tensor(np.linspace(0., 1., n), requires_grad=True)
        base = _traced_mb()
        for _ in range(3):
            h = x.sin()
            k = h.cos()       # saves h
            del h             # now only the CosBackward0 node keeps h alive
            loss = (k * x).sum()
            held = _traced_mb()
            assert held - base > 15          # k and h are alive in the graph
            loss.backward()
            after_backward = _traced_mb()
            # h (saved) and every intermediate gradient are gone, although loss and k still exist
            assert after_backward - base < 8 + 8 + 2, (base, held, after_backward)
            del loss, k
            x.grad = None
            assert _traced_mb() - base < 1
        x.grad = None
        assert _traced_mb() - base < 1
    finally:
        tracemalloc.stop()


def test_retained_graph_memory_is_released_with_the_graph():
    tracemalloc.start()
    try:
        x = ndgrad.tensor(np.ones(500_000), requires_grad=True)
        base = _traced_mb()
        loss = (x.exp() * x.sin()).sum()
        loss.backward(retain_graph=True)
        assert _traced_mb() - base > 4  # saved tensors kept for a second backward
        del loss
        x.grad = None
        assert _traced_mb() - base < 1  # no reference cycles keep the graph alive
    finally:
        tracemalloc.stop()


def test_leaf_gradients_never_alias_each_other_or_the_callers_tensors():
    """The engine may take a freshly computed gradient as ``.grad`` without copying; it must copy
    whenever the array is shared."""
    a = ndgrad.randn(3, requires_grad=True)
    b = ndgrad.randn(3, requires_grad=True)
    (a + b).sum().backward()  # one gradient object handed to both leaves
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.add_(1)
    assert np.all(b.grad.numpy() == 1)
    g = ndgrad.ones(3)
    c = ndgrad.randn(3, requires_grad=True)
    c.backward(g)  # the caller's gradient tensor for a leaf root
    assert not np.shares_memory(c.grad.numpy(), g.numpy())
    kept = []
    d = ndgrad.randn(3, requires_grad=True)
    d.register_hook(lambda grad: kept.append(grad))
    (d * 2).sum().backward()
    assert not np.shares_memory(d.grad.numpy(), kept[0].numpy())
    w = ndgrad.randn(4, 3, requires_grad=True)
    x = ndgrad.randn(2, 4)
    (x @ w).sum().backward()  # a fresh matmul result: may be taken, but must be right
    np.testing.assert_allclose(w.grad.numpy(), np.repeat(x.numpy().sum(0)[:, None], 3, 1), rtol=1e-6)
    (x @ w).sum().backward()  # accumulation into it afterwards
    np.testing.assert_allclose(w.grad.numpy(), 2 * np.repeat(x.numpy().sum(0)[:, None], 3, 1), rtol=1e-6)
