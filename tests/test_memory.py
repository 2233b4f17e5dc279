"""Saved buffers are released during backward, and a training loop does not grow in memory."""
import gc
import tracemalloc

import numpy as np

import ndgrad


def _graph(x):
    y = x
    for _ in range(20):
        y = (y * 1.001).tanh()
    return y.sum()


def test_backward_frees_saved_buffers():
    x = ndgrad.randn(256, 256, requires_grad=True)
    tracemalloc.start()
    loss = _graph(x)
    before, _ = tracemalloc.get_traced_memory()
    loss.backward()
    gc.collect()
    after, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    one = 256 * 256 * 4
    # 20 tanh outputs (+ mul inputs) were alive before; after backward only x.grad remains
    assert before > 15 * one
    assert after - 0 < before - 10 * one


def test_retain_graph_keeps_buffers_until_released():
    x = ndgrad.randn(64, requires_grad=True)
    loss = _graph(x)
    loss.backward(retain_graph=True)
    loss.backward()  # works twice
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.grad.numpy() / 2)


def test_training_loop_memory_is_flat():
    w = ndgrad.randn(32, 32, requires_grad=True)
    x = ndgrad.randn(16, 32)

    def step():
        loss = ((x @ w).tanh() ** 2).mean()
        loss.backward()
        with ndgrad.no_grad():
            w.sub_(0.01 * w.grad)
        w.grad = None

    for _ in range(200):
        step()
    gc.collect()
    tracemalloc.start()
    for _ in range(2000):
        step()
    gc.collect()
    first, _ = tracemalloc.get_traced_memory()
    for _ in range(8000):
        step()
    gc.collect()
    second, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert second - first < 64 * 1024, f"memory grew by {second - first} bytes over 8000 steps"


def test_create_graph_keeps_only_what_second_backward_needs():
    x = ndgrad.randn(128, 128, requires_grad=True)
    y = (x.exp() * 2).sum()
    (g,) = ndgrad.autograd.grad(y, x, create_graph=True)
    # the first-order graph's own saved buffers stay (retain_graph defaults to create_graph), and
    # the gradient's graph references them; after the second backward everything is released
    (gg,) = ndgrad.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 2 * np.exp(x.detach().numpy()), rtol=1e-5)
