"""Top-level aliases (ops/aliases.py) and the Tensor methods added with them, against torch."""
import numpy as np
import pytest
import torch

import ndgrad

RNG = np.random.default_rng(0)


def _err(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e).split("\n")[0]
    return None


def _same_error(f_nd, f_t):
    assert _err(f_nd) == _err(f_t)


def _run(lib, fn, arrays, grad=True):
    xs = [lib.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    out = fn(lib, *xs)
    outs = out if isinstance(out, tuple) else (out,)
    return xs, outs


def check(fn, *arrays, grad=True, node=True):
    """Same values, dtypes, grad_fn names and first-order gradients in both libraries."""
    xn, on = _run(ndgrad, fn, arrays, grad)
    xt, ot = _run(torch, fn, arrays, grad)
    assert len(on) == len(ot)
    for a, b in zip(on, ot):
        assert str(a.dtype) == str(b.dtype)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-6, atol=1e-8)
        if node:
            assert type(a.grad_fn).__name__ == type(b.grad_fn).__name__
    if grad and any(x.requires_grad for x in xt):
        ws = [RNG.standard_normal(b.shape) for b in ot if b.requires_grad]
        sum(((a * ndgrad.tensor(w)).sum() for a, w in zip([a for a in on if a.requires_grad], ws)),
            ndgrad.tensor(0.)).backward()
        sum(((b * torch.tensor(w)).sum() for b, w in zip([b for b in ot if b.requires_grad], ws)),
            torch.tensor(0.)).backward()
        for a, b in zip(xn, xt):
            if b.requires_grad:
                assert (a.grad is None) == (b.grad is None)
                if b.grad is not None:
                    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6, atol=1e-8)


A = RNG.standard_normal((3, 4))
P = RNG.uniform(0.1, 0.9, (3, 4))


# -- top-level in-place variants --------------------------------------------------------------
@pytest.mark.parametrize("name", ["relu_", "sigmoid_", "exp_", "abs_", "sin_", "neg_", "round_", "tanh_",
                                  "zero_", "frac_", "square_", "negative_"])
def test_inplace_unary(name):
    check(lambda m, x: getattr(m, name)(x * 1), A)


def test_inplace_with_args():
    check(lambda m, x: m.clamp_(x * 1, -0.5, 0.5), A)
    check(lambda m, x: m.fill_(x * 1, 2.0), A)
    check(lambda m, x: m.sqrt_(x * 1), P)
    check(lambda m, x, y: m.xlogy_(x * 1, y), A, P)
    assert ndgrad.relu_ is ndgrad.Tensor.relu_


def test_inplace_leaf_error():
    _same_error(lambda: ndgrad.exp_(ndgrad.ones(2, requires_grad=True)),
                lambda: torch.exp_(torch.ones(2, requires_grad=True)))


# -- functional aliases ----------------------------------------------------------------------------
def test_activations():
    check(lambda m, x: m.selu(x), A)
    check(lambda m, x: m.celu(x, 0.7), A)
    check(lambda m, x: m.threshold(x, 0.1, -2.0), A)
    check(lambda m, x: m.hardshrink(x, 0.3), A)
    check(lambda m, x: x.hardshrink(), A)
    check(lambda m, x, w: m.prelu(x, w), A, np.array([0.25]), node=False)
    check(lambda m, x, w: x.prelu(w), A, np.array([0.25]), node=False)
    check(lambda m, x: m.rrelu(x, 0.1, 0.3, False), A, node=False)
    check(lambda m, x: m.dropout(x, 0.5, False), A, node=False)
    check(lambda m, x: m.alpha_dropout(x, 0.5, False), A, node=False)
    check(lambda m, x: m.selu_(x * 1), A, node=False)


def test_distances_and_losses():
    B, T = RNG.standard_normal((3, 4)), np.array([1., -1., 1.])
    check(lambda m, x, y: m.cosine_similarity(x, y), A, B, node=False)
    check(lambda m, x, y: m.pairwise_distance(x, y), A, B, node=False)
    check(lambda m, x: m.pdist(x), A, node=False)
    check(lambda m, x, y, t: m.cosine_embedding_loss(x, y, t, 0.1, 2), A, B, T, node=False)
    check(lambda m, x, y, t: m.margin_ranking_loss(x[:, 0], y[:, 0], t, 0.2), A, B, T, node=False)
    check(lambda m, x, t: m.hinge_embedding_loss(x[:, 0], t), A, T, node=False)
    check(lambda m, x, y: m.kl_div(x, y, 0), A, P, node=False)
    check(lambda m, x, y: m.kl_div(x, y), A, P, node=False)
    check(lambda m, a, p, n: m.triplet_margin_loss(a, p, n), A, B, P, node=False)
    check(lambda m, x, y: m.poisson_nll_loss(x, y, True, False, 1e-8, 1), A, P, node=False)
    check(lambda m, x, y: m.binary_cross_entropy_with_logits(x, y), A, P, node=False)


def test_embedding_and_pool():
    idx = np.array([0, 2, 1])
    check(lambda m, w, i: m.embedding(w, i), A, idx, node=False)
    check(lambda m, x: m.max_pool1d_with_indices(x.unsqueeze(0), 2), A, node=False)
    check(lambda m, x, y, w: m.bilinear(x, y, w), A, A, RNG.standard_normal((2, 4, 4)), node=False)


def test_norms_and_misc():
    check(lambda m, x: m.frobenius_norm(x, (0, 1)), A, node=False)
    check(lambda m, x: m.nuclear_norm(x), A, node=False)
    check(lambda m, x: m.fill(x, 2.0), A)
    check(lambda m, x: m.detach(x), A, grad=False)
    _same_error(lambda: ndgrad.matrix_rank(ndgrad.ones(2, 2)), lambda: torch.matrix_rank(torch.ones(2, 2)))
    for m in (ndgrad, torch):
        x = m.ones(2)
        assert (m.is_conj(x), m.is_neg(x), m.is_inference(x), m.is_signed(x), m.is_same_size(x, x)) == \
            (False, False, False, True, True)
        assert not m.is_signed(m.zeros(1, dtype=m.uint8))
    assert ndgrad.typename(ndgrad.ones(2)) == torch.typename(torch.ones(2)) == "torch.FloatTensor"
    assert ndgrad.typename(3) == torch.typename(3)


def test_complex_parts():
    z = (RNG.standard_normal(3) + 1j * RNG.standard_normal(3))
    check(lambda m, x: m.real(x), z)
    check(lambda m, x: m.imag(x), z)
    check(lambda m, x: m.conj_physical(x), z)
    check(lambda m, x: m.conj_physical_(x * 1), z, node=False)
    x = ndgrad.ones(2, requires_grad=True)
    assert ndgrad.conj_physical(x) is x


# -- split variants and *_copy ------------------------------------------------------------------
def test_splits():
    check(lambda m, x: m.split_with_sizes(x, [1, 3], 1), A)
    check(lambda m, x: x.split_with_sizes([2, 1]), A)
    check(lambda m, x: m.unsafe_split(x, 2, 1), A)
    check(lambda m, x: m.unsafe_chunk(x, 2, 1), A)
    check(lambda m, x: m.unsafe_split_with_sizes(x, [1, 3], 1), A)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.view_copy(x, (12,)), lambda m, x: m.permute_copy(x, (1, 0)),
    lambda m, x: m.transpose_copy(x, 0, 1), lambda m, x: m.expand_copy(x, (2, 3, 4)),
    lambda m, x: m.select_copy(x, 0, 1), lambda m, x: m.slice_copy(x, 1, 0, 3, 2),
    lambda m, x: m.squeeze_copy(x.unsqueeze(0)), lambda m, x: m.unsqueeze_copy(x, 1),
    lambda m, x: m.diagonal_copy(x), lambda m, x: m.t_copy(x), lambda m, x: m.unbind_copy(x),
    lambda m, x: m.split_copy(x, 2, 1), lambda m, x: m.split_with_sizes_copy(x, [1, 3], 1),
    lambda m, x: m.as_strided_copy(x, (2, 2), (1, 2)), lambda m, x: m.alias_copy(x),
    lambda m, x: m.unfold_copy(x, 1, 2, 1)])
def test_copy_variants(fn):
    check(fn, A)
    out = fn(ndgrad, ndgrad.tensor(A))
    out = out[0] if isinstance(out, tuple) else out
    assert out._data.base is None or not np.shares_memory(out._data, A)


def test_copy_variants_complex_and_detach():
    z = RNG.standard_normal(3) + 1j * RNG.standard_normal(3)
    check(lambda m, x: m.view_as_real_copy(x), z)
    check(lambda m, x: m.view_as_complex_copy(x), RNG.standard_normal((3, 2)), grad=False)
    check(lambda m, x: m.detach_copy(x), A, grad=False)


def test_as_strided_scatter():
    S = RNG.standard_normal((2, 2))
    check(lambda m, x, s: m.as_strided_scatter(x, s, (2, 2), (1, 2), 1), A, S, grad=False)
    check(lambda m, x, s: x.as_strided_scatter(s, (3,), (5,)), A, RNG.standard_normal(3), grad=False)
    # torch 2.13's input gradient fails its own gradcheck (the mask is inverted); ndgrad's is the true
    # one: the upstream gradient where input survives, zero where src was written
    x, s = ndgrad.tensor(A, requires_grad=True), ndgrad.tensor(S, requires_grad=True)
    w = RNG.standard_normal((3, 4))
    (ndgrad.as_strided_scatter(x, s, (2, 2), (1, 2), 1) * ndgrad.tensor(w)).sum().backward()
    written = np.zeros(12, bool)
    written[[1, 3, 2, 4]] = True
    np.testing.assert_allclose(x.grad.numpy(), np.where(written.reshape(3, 4), 0, w))
    np.testing.assert_allclose(s.grad.numpy(), w.reshape(-1)[[1, 3, 2, 4]].reshape(2, 2))
    assert ndgrad.autograd.gradcheck(lambda a, b: ndgrad.as_strided_scatter(a, b, (2, 2), (1, 2), 1),
                                     (ndgrad.tensor(A, requires_grad=True), ndgrad.tensor(S, requires_grad=True)))


# -- Tensor methods ------------------------------------------------------------------------------------
@pytest.mark.parametrize("args", [(1, 3, 2), (0, 2, 1), (1, 4, 1), (1, 0, 3), (-1, 2, 3)])
def test_unfold(args):
    check(lambda m, x: x.unfold(*args), A)
    n, t = ndgrad.tensor(A).unfold(*args), torch.tensor(A).unfold(*args)
    assert n.stride() == t.stride()


def test_unfold_double_backward_and_errors():
    for m in (ndgrad, torch):
        pass
    x = ndgrad.tensor(A, requires_grad=True)
    y = torch.tensor(A, requires_grad=True)
    gn, = ndgrad.autograd.grad(x.unfold(1, 2, 1).pow(2).sum(), x, create_graph=True)
    gt, = torch.autograd.grad(y.unfold(1, 2, 1).pow(2).sum(), y, create_graph=True)
    assert type(gn.grad_fn).__name__ == type(gt.grad_fn).__name__
    np.testing.assert_allclose(gn.detach().numpy(), gt.detach().numpy())
    for args in [(1, 5, 1), (1, 2, 0), (1, -1, 1)]:
        _same_error(lambda: ndgrad.tensor(A).unfold(*args), lambda: torch.tensor(A).unfold(*args))
    np.testing.assert_allclose(ndgrad.tensor(3.).unfold(0, 1, 1).numpy(), torch.tensor(3.).unfold(0, 1, 1).numpy())


def test_reshape_as_sum_to_size():
    check(lambda m, x: x.reshape_as(m.zeros(4, 3)), A)
    check(lambda m, x: x.sum_to_size(1, 4), A)
    check(lambda m, x: x.sum_to_size(4), A)
    check(lambda m, x: x.sum_to_size((3, 1)), A)
    _same_error(lambda: ndgrad.tensor(A).sum_to_size(2, 4), lambda: torch.tensor(A).sum_to_size(2, 4))


def test_put():
    idx = np.array([0, 5, -1])
    src = np.array([1., 2., 3.])
    check(lambda m, x, i, s: x.put(i, s), A, idx, src)
    check(lambda m, x, i, s: m.put(x, i, s, True), A, np.array([0, 0, 3]), src)
    check(lambda m, x, i, s: (x * 1).put_(i, s, accumulate=True), A, np.array([0, 0, 3]), src)
    for i in ([7], [-13]):
        _same_error(lambda: ndgrad.tensor(A).put(ndgrad.tensor(i), ndgrad.tensor([1.])),
                    lambda: torch.tensor(A).put(torch.tensor(i), torch.tensor([1.])))
    _same_error(lambda: ndgrad.tensor(A).put(ndgrad.tensor([0, 1]), ndgrad.tensor([1.])),
                lambda: torch.tensor(A).put(torch.tensor([0, 1]), torch.tensor([1.])))


@pytest.mark.parametrize("shape,wrap", [((7, 3), True), ((7, 3), False), ((3, 7), True), ((3, 3, 3), False)])
def test_fill_diagonal(shape, wrap):
    a = RNG.standard_normal(shape)
    check(lambda m, x: (x * 1).fill_diagonal_(5.0, wrap), a)


def test_fill_diagonal_errors():
    for s in [(3,), (2, 3, 4)]:
        _same_error(lambda: ndgrad.zeros(s).fill_diagonal_(1), lambda: torch.zeros(s).fill_diagonal_(1))


def test_random_fills():
    for m in (ndgrad, torch):
        assert m.zeros(100).log_normal_().min() > 0
        g = m.zeros(100, dtype=m.int64).geometric_(0.5)
        assert g.dtype == m.int64 and g.min() >= 1
        assert m.zeros(5).cauchy_().dtype == m.float32
        assert m.rand(4).bernoulli().dtype == m.float32
        assert m.tensor([1., 2.]).multinomial(3, True).dtype == m.int64
    for f in [lambda m: m.zeros(3, dtype=m.int64).cauchy_(), lambda m: m.zeros(3, dtype=m.int64).log_normal_(),
              lambda m: m.zeros(3).geometric_(1.5), lambda m: m.zeros(3).log_normal_(std=-1),
              lambda m: m.zeros(3, dtype=m.int64).bernoulli()]:
        _same_error(lambda: f(ndgrad), lambda: f(torch))


def test_properties_and_noops():
    for m in (ndgrad, torch):
        x = m.zeros(2, 3)
        assert (x.nbytes, x.itemsize, x.is_pinned(), x.is_shared(), x.dim_order(), x.t().dim_order()) == \
            (24, 4, False, False, (0, 1), (1, 0))
        assert x.share_memory_() is x
        assert x.is_conj() is False and x.is_neg() is False and x.is_inference() is False
        assert x.new(2, 3).shape == (2, 3) and x.new([1, 2]).dtype == m.float32 and x.new().shape == (0,)
        assert x.new_empty_strided((2, 3), (1, 2)).stride() == (1, 2)
    _same_error(lambda: ndgrad.zeros(2).pin_memory(), lambda: torch.zeros(2).pin_memory())


def test_resize():
    for m in (ndgrad, torch):
        x = m.arange(6.)
        assert x.resize_(2, 2).tolist() == [[0., 1.], [2., 3.]]
        assert x.resize_as_(m.zeros(3)).tolist() == [0., 1., 2.]
        assert m.arange(6.).resize_(8).shape == (8,)
    _same_error(lambda: ndgrad.ones(2, requires_grad=True).resize_(3),
                lambda: torch.ones(2, requires_grad=True).resize_(3))


def test_apply_map():
    for m in (ndgrad, torch):
        x = m.tensor([1., 2.])
        assert x.apply_(lambda v: v * 3).tolist() == [3., 6.]
        assert x.map_(m.tensor([1., 1.]), lambda a, b: a - b).tolist() == [2., 5.]
        assert x.map2_(m.tensor([1., 1.]), m.tensor([[2.]]).squeeze(0), lambda a, b, c: a + b * c).tolist() == [4., 7.]
        assert m.zeros(2, dtype=m.int64).apply_(lambda v: v + 1.7).tolist() == [1, 1]
    _same_error(lambda: ndgrad.ones(2, requires_grad=True).apply_(abs),
                lambda: torch.ones(2, requires_grad=True).apply_(abs))


def test_post_accumulate_grad_hook():
    for m in (ndgrad, torch):
        x = m.ones(3, requires_grad=True)
        seen = []
        h = x.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.clone()))
        (x * 2).sum().backward()
        (x * 3).sum().backward()
        assert [s.tolist() for s in seen] == [[2.] * 3, [5.] * 3]
        h.remove()
        (x * 1).sum().backward()
        assert len(seen) == 2
    _same_error(lambda: (ndgrad.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(print),
                lambda: (torch.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(print))
    _same_error(lambda: ndgrad.ones(2).register_post_accumulate_grad_hook(print),
                lambda: torch.ones(2).register_post_accumulate_grad_hook(print))


# -- settings and creation helpers -------------------------------------------------------------------
def test_settings():
    n = ndgrad.get_num_threads()
    try:
        ndgrad.set_num_threads(1)
        assert ndgrad.get_num_threads() == 1
    finally:
        ndgrad.set_num_threads(n)
    assert ndgrad.get_num_interop_threads() >= 1
    try:
        ndgrad.set_deterministic_debug_mode("warn")
        assert (ndgrad.get_deterministic_debug_mode(), ndgrad.are_deterministic_algorithms_enabled(),
                ndgrad.is_deterministic_algorithms_warn_only_enabled()) == (1, True, True)
    finally:
        ndgrad.set_deterministic_debug_mode(0)
    assert not ndgrad.are_deterministic_algorithms_enabled()
    for bad in ("foo", 5):
        _same_error(lambda: ndgrad.set_deterministic_debug_mode(bad), lambda: torch.set_deterministic_debug_mode(bad))
    assert ndgrad.get_float32_matmul_precision() == torch.get_float32_matmul_precision() == "highest"
    assert ndgrad.set_flush_denormal(False) is False
    assert str(ndgrad.get_default_device()) == "cpu"
    ndgrad.set_default_device("cpu")
    with pytest.raises(AssertionError, match="not compiled with CUDA"):
        ndgrad.set_default_device("cuda")
    assert ndgrad.is_warn_always_enabled() is False
    assert ndgrad.is_anomaly_enabled() is False
    ndgrad.set_anomaly_enabled(True)
    try:
        assert ndgrad.is_anomaly_enabled() and ndgrad.autograd.is_anomaly_enabled()
    finally:
        ndgrad.set_anomaly_enabled(False)
    assert ndgrad.is_anomaly_check_nan_enabled() is True
    assert ndgrad.get_autocast_cpu_dtype() == ndgrad.bfloat16 and not ndgrad.is_autocast_enabled()


def test_compile_is_identity():
    def f(x):
        return x * 2
    assert ndgrad.compile(f) is f
    assert ndgrad.compile(mode="reduce-overhead")(f) is f


def test_creation_helpers():
    buf = bytearray(np.arange(4, dtype=np.float32).tobytes())
    for m in (ndgrad, torch):
        t = m.frombuffer(buf, dtype=m.float32, count=2, offset=4)
        assert t.tolist() == [1., 2.]
        e = m.empty_permuted((2, 3, 4), (0, 2, 1))
        assert e.stride() == (12, 1, 3) and e.shape == (2, 3, 4)
    x = ndgrad.arange(3.)
    y = ndgrad.from_dlpack(np.arange(3.))
    assert y.tolist() == [0., 1., 2.]
    z = torch.from_dlpack(x)
    assert z.tolist() == [0., 1., 2.]
    assert ndgrad.from_dlpack(torch.arange(3.)).tolist() == [0., 1., 2.]
    assert ndgrad.from_dlpack(ndgrad.to_dlpack(x)).tolist() == [0., 1., 2.] if hasattr(np, "from_dlpack") else True
