"""Loss functions and loss Modules against torch: values, input (and target) gradients, reductions,
weights, ignore_index, label smoothing, special values, error types and messages."""
import warnings

import numpy as np
import pytest
import torch

import ndgrad
import ndgrad.nn as nn
import ndgrad.nn.functional as F

RNG = np.random.default_rng(7)


def _np(t):
    return t.detach().numpy()


def compare(fn, *arrays, grad_args=None, rtol=1e-10, atol=1e-12, float32=False):
    """Run ``fn(lib, *tensors)`` in both libraries; compare value and gradients of float inputs
    (``grad_args``: indices of the inputs to differentiate, default all floating ones)."""
    def build(lib):
        out = []
        for i, a in enumerate(arrays):
            if isinstance(a, np.ndarray):
                a = a.astype(np.float32) if float32 and a.dtype.kind == "f" else a
                want = a.dtype.kind == "f" and (grad_args is None or i in grad_args)
                out.append(lib.tensor(a, requires_grad=want))
            else:
                out.append(a)
        return out
    t_in, n_in = build(torch), build(ndgrad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_out, n_out = fn(torch, *t_in), fn(ndgrad, *n_in)
    assert tuple(t_out.shape) == tuple(n_out.shape), (t_out.shape, n_out.shape)
    assert str(t_out.dtype) == str(n_out.dtype)
    np.testing.assert_allclose(_np(n_out), _np(t_out), rtol=rtol, atol=atol, equal_nan=True)
    if not t_out.requires_grad:
        return n_out
    cot = RNG.standard_normal(tuple(t_out.shape)).astype(_np(t_out).dtype)
    t_out.backward(torch.tensor(cot))
    n_out.backward(ndgrad.tensor(cot))
    for k, (a, b) in enumerate(zip(t_in, n_in)):
        if isinstance(a, torch.Tensor) and a.requires_grad:
            assert b.grad is not None, f"input {k} got no gradient"
            np.testing.assert_allclose(_np(b.grad), _np(a.grad), rtol=rtol * 10, atol=atol * 10,
                                       err_msg=f"gradient of input {k}", equal_nan=True)
    return n_out


REDUCTIONS = ["mean", "sum", "none"]


# -- regression losses ------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name,kw", [("mse_loss", {}), ("l1_loss", {}), ("smooth_l1_loss", {}),
                                     ("smooth_l1_loss", {"beta": 0.5}), ("smooth_l1_loss", {"beta": 0.0}),
                                     ("huber_loss", {}), ("huber_loss", {"delta": 0.3})])
def test_regression_losses(name, kw, reduction):
    x, y = RNG.standard_normal((4, 5)), RNG.standard_normal((4, 5))
    fn = lambda lib, a, b: getattr(lib.nn.functional, name)(a, b, reduction=reduction, **kw)  # noqa: E731
    out = compare(fn, x, y)
    assert out.grad_fn is not None
    compare(fn, x, y, float32=True, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["mse_loss", "l1_loss", "huber_loss"])
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_regression_losses(name, reduction):
    x, y, w = RNG.standard_normal((3, 4)), RNG.standard_normal((3, 4)), RNG.random((3, 4))
    compare(lambda lib, a, b, c: getattr(lib.nn.functional, name)(a, b, reduction=reduction, weight=c), x, y, w,
            grad_args=(0, 1))


def test_regression_broadcast_warns_and_grad_fn_names():
    x, y = RNG.standard_normal((4, 1)), RNG.standard_normal((4, 3))
    with pytest.warns(UserWarning, match="Using a target size"):
        F.mse_loss(ndgrad.tensor(x), ndgrad.tensor(y))
    compare(lambda lib, a, b: lib.nn.functional.mse_loss(a, b), x, y)
    compare(lambda lib, a, b: lib.nn.functional.l1_loss(a, b, reduction="none"), x, y)
    for name, node in [("mse_loss", "MseLossBackward0"), ("l1_loss", "L1LossBackward0"),
                       ("smooth_l1_loss", "SmoothL1LossBackward0"), ("huber_loss", "HuberLossBackward0"),
                       ("binary_cross_entropy_with_logits", "BinaryCrossEntropyWithLogitsBackward0")]:
        out = getattr(F, name)(ndgrad.zeros(3, requires_grad=True), ndgrad.ones(3))
        assert out.grad_fn.name() == node


def test_regression_edge_cases():
    compare(lambda lib, a, b: lib.nn.functional.mse_loss(a, b), np.zeros((0, 3)), np.zeros((0, 3)))
    compare(lambda lib, a, b: lib.nn.functional.l1_loss(a, b), np.array(2.0), np.array(-1.0))
    with pytest.raises(ValueError, match="is not a valid value for reduction"):
        F.mse_loss(ndgrad.zeros(2), ndgrad.zeros(2), reduction="avg")
    with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
        out = F.mse_loss(ndgrad.ones(2), ndgrad.zeros(2), size_average=False)
    assert float(out) == 2.0


# -- binary cross entropy ---------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce(reduction):
    p = RNG.uniform(0.05, 0.95, (4, 3))
    t = RNG.random((4, 3))
    w = RNG.random((3,))
    compare(lambda lib, a, b: lib.nn.functional.binary_cross_entropy(a, b, reduction=reduction), p, t)
    compare(lambda lib, a, b, c: lib.nn.functional.binary_cross_entropy(a, b, c, reduction=reduction), p, t, w,
            grad_args=(0, 1))
    compare(lambda lib, a, b: lib.nn.functional.binary_cross_entropy(a, b, reduction=reduction), p, t,
            float32=True, rtol=1e-5, atol=1e-6)


def test_bce_clamps_log_at_minus_100():
    p = np.array([0.0, 1.0, 0.5, 1e-50])
    t = np.array([1.0, 0.0, 1.0, 1.0])
    out = compare(lambda lib, a, b: lib.nn.functional.binary_cross_entropy(a, b, reduction="none"), p, t,
                  grad_args=(0,))
    assert _np(out)[0] == 100.0
    with pytest.raises(RuntimeError, match="all elements of input should be between 0 and 1"):
        F.binary_cross_entropy(ndgrad.tensor([1.5]), ndgrad.tensor([1.0]))
    with pytest.raises(ValueError, match="Using a target size"):
        F.binary_cross_entropy(ndgrad.tensor([0.5, 0.5]), ndgrad.tensor([1.0]))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits(reduction):
    x = RNG.standard_normal((4, 3)) * 3
    t = RNG.random((4, 3))
    w = RNG.random((4, 3))
    pw = RNG.random((3,)) * 3
    f = torch.nn.functional
    compare(lambda lib, a, b: lib.nn.functional.binary_cross_entropy_with_logits(a, b, reduction=reduction), x, t)
    compare(lambda lib, a, b, c, d: lib.nn.functional.binary_cross_entropy_with_logits(
        a, b, c, reduction=reduction, pos_weight=d), x, t, w, pw, grad_args=(0, 1))
    compare(lambda lib, a, b, d: lib.nn.functional.binary_cross_entropy_with_logits(
        a, b, reduction=reduction, pos_weight=d), x, t, pw, grad_args=(0, 1), float32=True, rtol=1e-5, atol=1e-6)
    assert f is not None


def test_bce_with_logits_is_stable():
    x = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0])
    t = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    out = compare(lambda lib, a, b: lib.nn.functional.binary_cross_entropy_with_logits(a, b, reduction="none"), x, t)
    assert np.isfinite(_np(out)).all()
    with pytest.raises(ValueError, match=r"Target size \(torch.Size\(\[1\]\)\) must be the same as input size"):
        F.binary_cross_entropy_with_logits(ndgrad.zeros(2), ndgrad.zeros(1))


# -- nll and cross entropy --------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("shape", [(5, 4), (4,), (3, 4, 2), (2, 4, 3, 2), (2, 4, 1, 2, 2)])
def test_nll_and_cross_entropy(shape, weighted, reduction):
    x = RNG.standard_normal(shape) * 2
    c = shape[0] if len(shape) == 1 else shape[1]
    tshape = () if len(shape) == 1 else (shape[0],) + shape[2:]
    t = RNG.integers(0, c, tshape)
    w = RNG.random(c) + 0.1 if weighted else None
    for name in ("nll_loss", "cross_entropy"):
        if weighted:
            compare(lambda lib, a, b, ww: getattr(lib.nn.functional, name)(a, b, weight=ww, reduction=reduction),
                    x, t, w, grad_args=(0,))
        else:
            compare(lambda lib, a, b: getattr(lib.nn.functional, name)(a, b, reduction=reduction), x, t)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_ignore_index_and_label_smoothing(reduction):
    x = RNG.standard_normal((6, 5))
    t = np.array([0, 4, -100, 2, 2, 3])
    w = RNG.random(5) + 0.1
    for kw in [{}, {"label_smoothing": 0.2}]:
        compare(lambda lib, a, b: lib.nn.functional.cross_entropy(a, b, reduction=reduction, **kw), x, t)
        compare(lambda lib, a, b, ww: lib.nn.functional.cross_entropy(a, b, weight=ww, reduction=reduction, **kw),
                x, t, w, grad_args=(0,))
    t2 = np.array([0, 4, 1, 2, 2, 3])
    compare(lambda lib, a, b: lib.nn.functional.cross_entropy(a, b, ignore_index=2, reduction=reduction), x, t2)
    compare(lambda lib, a, b: lib.nn.functional.nll_loss(a, b, ignore_index=4, reduction=reduction), x, t2)
    xk, tk = RNG.standard_normal((2, 3, 4)), np.array([[0, 1, -100, 2], [2, 2, 1, 0]])
    compare(lambda lib, a, b: lib.nn.functional.cross_entropy(a, b, label_smoothing=0.1, reduction=reduction),
            xk, tk)


def test_all_targets_ignored_gives_nan_mean():
    x = RNG.standard_normal((2, 3))
    t = np.array([-100, -100])
    compare(lambda lib, a, b: lib.nn.functional.cross_entropy(a, b), x, t)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_probabilities(reduction):
    x = RNG.standard_normal((4, 5))
    p = RNG.random((4, 5))
    p /= p.sum(1, keepdims=True)
    w = RNG.random(5) + 0.1
    compare(lambda lib, a, b: lib.nn.functional.cross_entropy(a, b, reduction=reduction), x, p)
    compare(lambda lib, a, b: lib.nn.functional.cross_entropy(a, b, reduction=reduction, label_smoothing=0.3), x, p)
    compare(lambda lib, a, b, ww: lib.nn.functional.cross_entropy(a, b, ww, reduction=reduction), x, p, w,
            grad_args=(0, 1))
    xk, pk = RNG.standard_normal((2, 3, 4)), RNG.random((2, 3, 4))
    compare(lambda lib, a, b: lib.nn.functional.cross_entropy(a, b, reduction=reduction), xk, pk)


def test_cross_entropy_float32_stable_and_grad_fn():
    x = np.array([[1000.0, 0.0, -1000.0], [3.0, 2.0, 1.0]], dtype=np.float32)
    t = np.array([2, 0])
    out = compare(lambda lib, a, b: lib.nn.functional.cross_entropy(a, b), x, t, rtol=1e-6, atol=1e-6)
    assert out.dtype == ndgrad.float32 and np.isfinite(_np(out))
    assert out.grad_fn.name() == "NllLossBackward0"
    assert out.grad_fn.next_functions[0][0].name() == "LogSoftmaxBackward0"
    img = F.cross_entropy(ndgrad.zeros(2, 3, 4, 4, requires_grad=True), ndgrad.zeros(2, 4, 4, dtype=ndgrad.int64))
    assert img.grad_fn.name() == "NllLoss2DBackward0"


def test_cross_entropy_double_backward():
    x0 = RNG.standard_normal((3, 4))
    t0 = np.array([1, 0, 3])
    res = []
    for lib in (torch, ndgrad):
        x = lib.tensor(x0, requires_grad=True)
        loss = lib.nn.functional.cross_entropy(x, lib.tensor(t0), label_smoothing=0.1)
        (g,) = lib.autograd.grad(loss, x, create_graph=True)
        (g ** 2).sum().backward()
        res.append(_np(x.grad))
    np.testing.assert_allclose(res[1], res[0], rtol=1e-9, atol=1e-12)


def test_nll_errors_match_torch():
    cases = [
        lambda lib: lib.nn.functional.cross_entropy(lib.randn(3, 5), lib.tensor([0, 1, 7])),
        lambda lib: lib.nn.functional.nll_loss(lib.randn(3, 5), lib.tensor([0, 1, 2, 3])),
        lambda lib: lib.nn.functional.cross_entropy(lib.randn(3, 5, 2), lib.tensor([0, 1, 2])),
        lambda lib: lib.nn.functional.cross_entropy(lib.randn(3, 5), lib.tensor([0.0, 1.0, 2.0])),
        lambda lib: lib.nn.functional.nll_loss(lib.randn(3, 5), lib.tensor([0.0, 1.0, 2.0])),
        lambda lib: lib.nn.functional.cross_entropy(lib.randn(3, 5), lib.tensor([0, 1, 2]), weight=lib.ones(4)),
        lambda lib: lib.nn.functional.cross_entropy(lib.randn(3, 5), lib.randn(3, 4)),
        lambda lib: lib.nn.functional.nll_loss(lib.randn(3, 5), lib.tensor([0, 1, 2]).int()),
        lambda lib: lib.nn.functional.nll_loss(lib.randn(5), lib.tensor([0, 1, 2])),
        lambda lib: lib.nn.functional.nll_loss(lib.tensor(1.), lib.tensor(1)),
        lambda lib: lib.nn.functional.cross_entropy(lib.randn(3, 5), lib.tensor([0, 1, -5])),
    ]
    for fn in cases:
        with pytest.raises(Exception) as t:
            fn(torch)
        with pytest.raises(Exception) as n:
            fn(ndgrad)
        assert n.type is t.type, (n.value, t.value)
        assert str(n.value) == str(t.value)


# -- other losses ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("reduction", REDUCTIONS + ["batchmean"])
@pytest.mark.parametrize("log_target", [False, True])
def test_kl_div(reduction, log_target):
    x = np.log(RNG.dirichlet(np.ones(5), 3))
    p = RNG.dirichlet(np.ones(5), 3)
    p[0, 1] = 0.0
    t = np.log(p + 1e-3) if log_target else p
    compare(lambda lib, a, b: lib.nn.functional.kl_div(a, b, reduction=reduction, log_target=log_target), x, t)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_margin_and_embedding_losses(reduction):
    a, b = RNG.standard_normal((5, 4)), RNG.standard_normal((5, 4))
    y = np.array([1.0, -1.0, 1.0, -1.0, -1.0])
    compare(lambda lib, x1, x2, t: lib.nn.functional.cosine_embedding_loss(x1, x2, t, margin=0.1,
                                                                           reduction=reduction), a, b, y,
            grad_args=(0, 1))
    compare(lambda lib, x1, x2, t: lib.nn.functional.cosine_embedding_loss(x1, x2, t), a[0], b[0], np.array(-1.0),
            grad_args=(0, 1))
    s1, s2 = RNG.standard_normal(5), RNG.standard_normal(5)
    compare(lambda lib, x1, x2, t: lib.nn.functional.margin_ranking_loss(x1, x2, t, margin=0.2, reduction=reduction),
            s1, s2, y, grad_args=(0, 1))
    compare(lambda lib, x, t: lib.nn.functional.hinge_embedding_loss(x, t, margin=0.5, reduction=reduction),
            RNG.standard_normal(5), y, grad_args=(0,))
    compare(lambda lib, x, t: lib.nn.functional.soft_margin_loss(x, t, reduction=reduction), a, np.sign(b),
            grad_args=(0,))
    compare(lambda lib, x, t: lib.nn.functional.multilabel_soft_margin_loss(x, t, reduction=reduction), a,
            (b > 0).astype(float), grad_args=(0,))
    compare(lambda lib, x, t, w: lib.nn.functional.multilabel_soft_margin_loss(x, t, w, reduction=reduction), a,
            (b > 0).astype(float), RNG.random(4), grad_args=(0,))
    compare(lambda lib, x, p, n: lib.nn.functional.triplet_margin_loss(x, p, n, reduction=reduction), a, b,
            RNG.standard_normal((5, 4)))
    compare(lambda lib, x, p, n: lib.nn.functional.triplet_margin_loss(x, p, n, p=1, swap=True, margin=2.0,
                                                                       reduction=reduction), a, b,
            RNG.standard_normal((5, 4)))
    compare(lambda lib, x, p, n: lib.nn.functional.triplet_margin_with_distance_loss(
        x, p, n, distance_function=lambda u, v: 1 - lib.nn.functional.cosine_similarity(u, v),
        reduction=reduction), a, b, RNG.standard_normal((5, 4)))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_multi_margin_losses(reduction):
    x = RNG.standard_normal((4, 5))
    t = np.array([0, 3, 4, 1])
    compare(lambda lib, a, b: lib.nn.functional.multi_margin_loss(a, b, reduction=reduction), x, t)
    compare(lambda lib, a, b, w: lib.nn.functional.multi_margin_loss(a, b, p=2, margin=0.5, weight=w,
                                                                     reduction=reduction), x, t, RNG.random(5),
            grad_args=(0,))
    mt = np.array([[3, 0, -1, 1, 1], [1, 2, 3, 4, 0], [-1, 0, 0, 0, 0], [4, -1, 2, 2, 2]])
    compare(lambda lib, a, b: lib.nn.functional.multilabel_margin_loss(a, b, reduction=reduction), x, mt)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_likelihood_losses(reduction):
    x = RNG.standard_normal((3, 4))
    counts = RNG.poisson(2.0, (3, 4)).astype(float)
    compare(lambda lib, a, b: lib.nn.functional.poisson_nll_loss(a, b, reduction=reduction), x, counts)
    compare(lambda lib, a, b: lib.nn.functional.poisson_nll_loss(a, b, log_input=False, full=True,
                                                                  reduction=reduction), np.exp(x), counts,
            grad_args=(0,))
    var = RNG.random((3, 4)) + 0.1
    compare(lambda lib, a, b, v: lib.nn.functional.gaussian_nll_loss(a, b, v, reduction=reduction), x,
            RNG.standard_normal((3, 4)), var)
    compare(lambda lib, a, b, v: lib.nn.functional.gaussian_nll_loss(a, b, v, full=True, reduction=reduction), x,
            RNG.standard_normal((3, 4)), var[:, 0])


# -- loss modules ----------------------------------------------------------------------------------------------
def test_loss_modules_match_functional_and_torch():
    x = RNG.standard_normal((4, 3))
    t_cls = np.array([0, 2, 1, 2])
    y = RNG.random((4, 3))
    w = RNG.random(3) + 0.5
    cases = [
        ("CrossEntropyLoss", {}, (x, t_cls)),
        ("CrossEntropyLoss", {"label_smoothing": 0.1, "ignore_index": 1}, (x, t_cls)),
        ("NLLLoss", {"reduction": "sum"}, (x, t_cls)),
        ("MSELoss", {}, (x, y)), ("L1Loss", {"reduction": "none"}, (x, y)), ("SmoothL1Loss", {"beta": 0.5}, (x, y)),
        ("HuberLoss", {"delta": 0.5}, (x, y)), ("BCEWithLogitsLoss", {}, (x, y)),
        ("BCELoss", {}, (1 / (1 + np.exp(-x)), y)), ("KLDivLoss", {"reduction": "batchmean"}, (x, y)),
        ("SoftMarginLoss", {}, (x, np.sign(y - 0.5))), ("MultiLabelSoftMarginLoss", {}, (x, (y > 0.5) * 1.0)),
        ("PoissonNLLLoss", {}, (x, y)), ("MultiMarginLoss", {}, (x, t_cls)),
    ]
    for name, kw, arrays in cases:
        compare(lambda lib, *a: getattr(lib.nn, name)(**kw)(*a), *arrays, grad_args=(0,))
    compare(lambda lib, a, b: lib.nn.CrossEntropyLoss(weight=lib.tensor(w))(a, b), x, t_cls)
    compare(lambda lib, a, b: lib.nn.BCEWithLogitsLoss(pos_weight=lib.tensor(w))(a, b), x, y, grad_args=(0,))
    compare(lambda lib, a, b, c: lib.nn.CosineEmbeddingLoss(margin=0.2)(a, b, c), x, y, np.array([1.0, -1, 1, -1]),
            grad_args=(0, 1))
    compare(lambda lib, a, b, c: lib.nn.MarginRankingLoss(0.1)(a, b, c), x[:, 0], y[:, 0], np.array([1.0, -1, 1, -1]),
            grad_args=(0, 1))
    compare(lambda lib, a, b, c: lib.nn.TripletMarginLoss(margin=0.5)(a, b, c), x, y, x[::-1].copy())
    compare(lambda lib, a, b, c: lib.nn.GaussianNLLLoss()(a, b, c), x, y, y + 0.1, grad_args=(0, 2))
    compare(lambda lib, a, b: lib.nn.HingeEmbeddingLoss()(a, b), x, np.sign(y - 0.5), grad_args=(0,))


def test_weighted_loss_buffers_in_state_dict():
    t = torch.nn.CrossEntropyLoss(weight=torch.ones(3))
    n = nn.CrossEntropyLoss(weight=ndgrad.ones(3))
    assert list(t.state_dict()) == list(n.state_dict()) == ["weight"]
    assert list(nn.BCEWithLogitsLoss(pos_weight=ndgrad.ones(2)).state_dict()) == ["pos_weight"]
    n.double()
    assert n.weight.dtype == ndgrad.float64


def test_loss_module_training_loop_decreases():
    ndgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 3))
    x = ndgrad.randn(64, 4)
    y = (x[:, 0] > 0).long() + (x[:, 1] > 0).long()
    crit = nn.CrossEntropyLoss()
    first = None
    for _ in range(100):
        loss = crit(model(x), y)
        model.zero_grad()
        loss.backward()
        with ndgrad.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
        first = first if first is not None else float(loss)
    assert float(loss) < 0.5 * first


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("padded", [True, False])
def test_ctc_loss(reduction, padded):
    t_max, n, c = 12, 4, 5
    logits = RNG.standard_normal((t_max, n, c))
    in_len = np.array([12, 10, 7, 12])
    tg_len = np.array([4, 3, 0, 5])
    tgt = RNG.integers(1, c, (n, 5))
    tgt[0, 1] = tgt[0, 2]  # a repeated label needs a blank in between
    flat = np.concatenate([tgt[b, :tg_len[b]] for b in range(n)])
    targets = tgt if padded else flat
    res = []
    for lib in (torch, ndgrad):
        x = lib.tensor(logits, requires_grad=True)
        lp = x.log_softmax(2)
        loss = lib.nn.functional.ctc_loss(lp, lib.tensor(targets), lib.tensor(in_len), lib.tensor(tg_len),
                                          reduction=reduction)
        cot = lib.tensor(np.linspace(0.5, 1.5, loss.numel()).reshape(loss.shape))
        loss.backward(cot)
        res.append((_np(loss), _np(x.grad)))
    np.testing.assert_allclose(res[1][0], res[0][0], rtol=1e-10)
    np.testing.assert_allclose(res[1][1], res[0][1], rtol=1e-8, atol=1e-10)


def test_ctc_loss_module_unbatched_and_zero_infinity():
    logits = RNG.standard_normal((3, 4))
    res = []
    for lib in (torch, ndgrad):
        lp = lib.tensor(logits, requires_grad=True)
        crit = lib.nn.CTCLoss(blank=0, reduction="sum")
        loss = crit(lp.log_softmax(1), lib.tensor([1, 2]), lib.tensor(3), lib.tensor(2))
        loss.backward()
        # impossible: 3 frames cannot emit 1,1,1 (needs 5)
        inf_loss = lib.nn.CTCLoss(zero_infinity=True, reduction="none")(
            lib.tensor(logits[:, None], requires_grad=True).log_softmax(2), lib.tensor([[1, 1, 1]]),
            lib.tensor([3]), lib.tensor([3]))
        res.append((_np(loss), _np(lp.grad), _np(inf_loss)))
    for a, b in zip(*res):
        np.testing.assert_allclose(b, a, rtol=1e-10)
    lp32 = ndgrad.tensor(logits.astype(np.float32)).log_softmax(1)
    assert F.ctc_loss(lp32, ndgrad.tensor([1]), [3], [1]).dtype == ndgrad.float32
