"""autograd.Function: forward/backward, setup_context, ctx API, node names, double backward."""
import numpy as np
import pytest
import torch

import ndgrad


def make_exp(lib):
    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, grad):
            (y,) = ctx.saved_tensors
            return grad * y
    return Exp


def make_scale_setup_context(lib):
    class Scale(lib.autograd.Function):
        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.k, None
    return Scale


def test_custom_exp_matches_torch_including_double_backward():
    x0 = np.array([0.3, -1.2, 2.0])
    res = {}
    for lib in (ndgrad, torch):
        x = lib.tensor(x0, requires_grad=True)
        y = make_exp(lib).apply(x)
        assert type(y.grad_fn).__name__ == "ExpBackward"
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        res[lib.__name__] = (y.detach().numpy(), g.detach().numpy(), gg.numpy())
    for a, b in zip(res["ndgrad"], res["torch"]):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_setup_context_style_and_non_tensor_args():
    for lib in (ndgrad, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = make_scale_setup_context(lib).apply(x, 3.0)
        y.sum().backward()
        assert x.grad.tolist() == [3.0, 3.0]


def test_needs_input_grad_and_non_differentiable_outputs():
    seen = {}
    for lib in (ndgrad, torch):
        class SortAndIdx(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, w):
                ctx.mark_non_differentiable(idx := lib.tensor([1, 0]))
                ctx.save_for_backward(w)
                return x * w, idx

            @staticmethod
            def backward(ctx, g, g_idx):
                seen[lib.__name__] = tuple(ctx.needs_input_grad)
                (w,) = ctx.saved_tensors
                return g * w, None

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        w = lib.tensor([3.0, 4.0])
        out, idx = SortAndIdx.apply(x, w)
        assert not idx.requires_grad
        out.sum().backward()
        assert x.grad.tolist() == [3.0, 4.0]
    assert seen["ndgrad"] == seen["torch"] == (True, False)


def test_mark_dirty_in_place_function():
    for lib in (ndgrad, torch):
        class AddOneInplace(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                x.add_(1)
                ctx.mark_dirty(x)
                return x

            @staticmethod
            def backward(ctx, g):
                return g

        a = lib.tensor([1.0, 2.0], requires_grad=True)
        b = a * 2
        c = AddOneInplace.apply(b)
        assert c is b
        assert b._version == 2  # add_ plus mark_dirty, as torch counts
        (c * c).sum().backward()
        np.testing.assert_allclose(a.grad.numpy(), [12.0, 20.0])


def test_wrong_number_of_gradients_is_an_error():
    class Bad(ndgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            return x + y

        @staticmethod
        def backward(ctx, g):
            return g

    x = ndgrad.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="incorrect number of gradients"):
        Bad.apply(x, x).backward()


def test_once_differentiable_refuses_double_backward():
    class Square(ndgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @ndgrad.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 2 * x

    x = ndgrad.tensor([3.0], requires_grad=True)
    v = ndgrad.tensor([1.0], requires_grad=True)  # as in torch, the error needs a grad input that requires grad
    (g,) = ndgrad.autograd.grad(Square.apply(x), x, v, create_graph=True)
    assert g.item() == 6.0
    with pytest.raises(RuntimeError, match="once_differentiable"):
        g.sum().backward()


def test_materialize_grads_false_passes_none():
    got = []

    class Two(ndgrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 1, x * 2

        @staticmethod
        def backward(ctx, g1, g2):
            got.append((g1 is None, g2 is None))
            return g1 if g1 is not None else g2 * 2

    x = ndgrad.tensor([1.0], requires_grad=True)
    a, b = Two.apply(x)
    b.sum().backward()
    assert got == [(True, False)]
    assert x.grad.item() == 2.0
