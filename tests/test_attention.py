"""F.scaled_dot_product_attention, F.multi_head_attention_forward and nn.MultiheadAttention
against torch: the same float64 inputs and parameters (copied from torch through state_dict NumPy
arrays) give the same outputs, attention weights and gradients."""
import math
import warnings

import numpy as np
import pytest
import torch

import ndgrad
import ndgrad.nn as nn
import ndgrad.nn.functional as F

RNG = np.random.default_rng(7)
RTOL, ATOL = 1e-10, 1e-12


def _np(t):
    return t.detach().numpy()


def _close(a, b, what, rtol=RTOL, atol=ATOL):
    assert tuple(a.shape) == tuple(b.shape), f"{what}: shape {tuple(a.shape)} != torch {tuple(b.shape)}"
    assert str(a.dtype) == str(b.dtype), f"{what}: dtype {a.dtype} != torch {b.dtype}"
    np.testing.assert_allclose(_np(a), _np(b), rtol=rtol, atol=atol, equal_nan=True, err_msg=what)


def _both(a, requires_grad=True):
    if a is None:
        return None, None
    rg = requires_grad and a.dtype.kind == "f"
    return ndgrad.tensor(a, requires_grad=rg), torch.tensor(a, requires_grad=rg)


def _grads(n_out, t_out, n_wrt, t_wrt, rtol=RTOL * 10, atol=ATOL * 10, names=None, retain_graph=False):
    cot = RNG.standard_normal(tuple(t_out.shape))
    tg = torch.autograd.grad(t_out, t_wrt, torch.tensor(cot, dtype=t_out.dtype), allow_unused=True,
                             retain_graph=retain_graph)
    ng = ndgrad.autograd.grad(n_out, n_wrt, ndgrad.tensor(cot).to(n_out.dtype), allow_unused=True,
                              retain_graph=retain_graph)
    for k, (a, b) in enumerate(zip(ng, tg)):
        what = f"gradient of {names[k] if names else k}"
        if b is None:
            assert a is None or not _np(a).any(), what
            continue
        _close(a, b, what, rtol, atol)


# == scaled_dot_product_attention ========================================================================
def _mask(kind, shape):
    if kind is None:
        return None
    if kind == "bool":
        m = RNG.random(shape) > 0.3
        m[..., 0] = True  # every query keeps a key
        return m
    if kind == "bool_full_row":  # some queries see no key at all: zeros, not NaN (torch's safe softmax)
        m = RNG.random(shape) > 0.3
        m[..., 1, :] = False
        return m
    if kind == "float":
        return RNG.standard_normal(shape)
    if kind == "float_inf":
        m = RNG.standard_normal(shape)
        m[RNG.random(shape) > 0.6] = -np.inf
        m[..., 0] = 0.0
        return m
    raise ValueError(kind)


SDPA_CASES = [
    # (q shape, k shape, v shape, mask kind, mask shape, kwargs)
    ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6), None, None, {}),
    ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6), "bool", (4, 5), {}),
    ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6), "bool", (2, 1, 4, 5), {}),
    ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6), "bool_full_row", (2, 3, 4, 5), {}),
    ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6), "float", (3, 1, 5), {}),
    ((2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6), "float_inf", (4, 5), {}),
    ((2, 3, 5, 8), (2, 3, 5, 8), (2, 3, 5, 6), None, None, {"is_causal": True}),
    ((2, 4, 7, 8), (2, 4, 5, 8), (2, 4, 5, 8), None, None, {"is_causal": True}),  # L > S: top-left aligned
    ((4, 8), (6, 8), (6, 3), None, None, {"is_causal": True, "scale": 0.3}),
    ((6, 4, 8), (6, 5, 8), (6, 5, 2), "float", (6, 4, 5), {"scale": 2.0}),
    ((2, 3, 4, 8), (1, 3, 5, 8), (1, 3, 5, 6), None, None, {}),  # broadcasting batch dims
    ((2, 4, 4, 8), (2, 2, 5, 8), (2, 1, 5, 6), "bool", (4, 5), {"enable_gqa": True}),
]


@pytest.mark.parametrize("qs,ks,vs,mask_kind,mask_shape,kw", SDPA_CASES)
def test_sdpa_matches_torch(qs, ks, vs, mask_kind, mask_shape, kw):
    nq, tq = _both(RNG.standard_normal(qs))
    nk, tk = _both(RNG.standard_normal(ks))
    nv, tv = _both(RNG.standard_normal(vs))
    nm, tm = _both(_mask(mask_kind, mask_shape) if mask_kind else None, requires_grad=mask_kind == "float")
    n_out = F.scaled_dot_product_attention(nq, nk, nv, attn_mask=nm, **kw)
    t_out = torch.nn.functional.scaled_dot_product_attention(tq, tk, tv, attn_mask=tm, **kw)
    _close(n_out, t_out, "output")
    assert not np.isnan(_np(n_out)).any()
    n_wrt = [t for t in (nq, nk, nv, nm) if t is not None and t.requires_grad]
    t_wrt = [t for t in (tq, tk, tv, tm) if t is not None and t.requires_grad]
    _grads(n_out, t_out, n_wrt, t_wrt)


def test_sdpa_float32_and_default_scale():
    q, k, v = (RNG.standard_normal((2, 5, 16)).astype(np.float32) for _ in range(3))
    out = F.scaled_dot_product_attention(ndgrad.tensor(q), ndgrad.tensor(k), ndgrad.tensor(v))
    assert out.dtype == ndgrad.float32
    s = q @ k.transpose(0, 2, 1) / math.sqrt(16)
    w = np.exp(s - s.max(-1, keepdims=True))
    ref = (w / w.sum(-1, keepdims=True)) @ v
    np.testing.assert_allclose(_np(out), ref, rtol=1e-5, atol=1e-6)
    t_out = torch.nn.functional.scaled_dot_product_attention(torch.tensor(q), torch.tensor(k), torch.tensor(v))
    np.testing.assert_allclose(_np(out), _np(t_out), rtol=1e-5, atol=1e-6)


def test_sdpa_bool_mask_equals_float_mask():
    q, k, v = (ndgrad.randn(2, 4, 8, dtype=ndgrad.float64) for _ in range(3))
    m = ndgrad.tensor(RNG.random((4, 4)) > 0.4) | ndgrad.eye(4, dtype=ndgrad.bool)
    fm = ndgrad.zeros(4, 4, dtype=ndgrad.float64).masked_fill(~m, float("-inf"))
    a = F.scaled_dot_product_attention(q, k, v, attn_mask=m)
    b = F.scaled_dot_product_attention(q, k, v, attn_mask=fm)
    np.testing.assert_allclose(_np(a), _np(b), rtol=1e-14)
    c = F.scaled_dot_product_attention(q, k, v, attn_mask=ndgrad.ones(4, 4, dtype=ndgrad.bool).tril())
    d = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    np.testing.assert_allclose(_np(c), _np(d), rtol=1e-14)


def test_sdpa_dropout():
    q, k, v = (ndgrad.randn(3, 6, 8) for _ in range(3))
    ndgrad.manual_seed(0)
    a = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    ndgrad.manual_seed(0)
    b = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5)
    ref = F.scaled_dot_product_attention(q, k, v)
    np.testing.assert_array_equal(_np(a), _np(b))
    assert not np.allclose(_np(a), _np(ref))
    zero = F.scaled_dot_product_attention(q, k, v, dropout_p=1.0)  # every weight dropped
    np.testing.assert_array_equal(_np(zero), np.zeros((3, 6, 8), np.float32))


def test_sdpa_double_backward_matches_torch():
    arrays = [RNG.standard_normal((2, 4, 6)) for _ in range(3)]
    mask = RNG.random((4, 4)) > 0.3
    mask[:, 0] = True
    res = []
    for lib in (torch, ndgrad):
        q, k, v = (lib.tensor(a, requires_grad=True) for a in arrays)
        out = lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=lib.tensor(mask))
        grads = lib.autograd.grad((out * out).sum(), [q, k, v], create_graph=True)
        penalty = sum((g * g).sum() for g in grads)
        res.append(lib.autograd.grad(penalty, [q, k, v]))
    for a, b in zip(res[1], res[0]):
        _close(a, b, "second-order gradient", 1e-8, 1e-10)


def _same_error(fn):
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(Exception) as n_err:
        fn(ndgrad)
    assert type(n_err.value) is type(t_err.value), (n_err.value, t_err.value)
    assert str(n_err.value) == str(t_err.value)


def _sdpa(lib, qs=(2, 3, 4, 8), ks=(2, 3, 5, 8), vs=(2, 3, 5, 6), **kw):
    q, k, v = (lib.ones(s, dtype=lib.float64) for s in (qs, ks, vs))
    return lib.nn.functional.scaled_dot_product_attention(q, k, v, **kw)


SDPA_ERRORS = {
    "key_features": lambda lib: _sdpa(lib, ks=(2, 3, 5, 7)),
    "value_length": lambda lib: _sdpa(lib, vs=(2, 3, 4, 6)),
    "mask_shape": lambda lib: _sdpa(lib, attn_mask=lib.ones(3, 5, dtype=lib.bool)),
    "mask_and_causal": lambda lib: _sdpa(lib, attn_mask=lib.ones(4, 5, dtype=lib.bool), is_causal=True),
    "mask_dtype": lambda lib: _sdpa(lib, attn_mask=lib.ones(4, 5, dtype=lib.int64)),
    "dtypes": lambda lib: lib.nn.functional.scaled_dot_product_attention(
        lib.ones(2, 4, 8, dtype=lib.float64), lib.ones(2, 5, 8), lib.ones(2, 5, 8, dtype=lib.float64)),
    "rank": lambda lib: _sdpa(lib, qs=(8,), ks=(5, 8), vs=(5, 6)),
    "gqa_heads": lambda lib: _sdpa(lib, ks=(2, 2, 5, 8), vs=(2, 2, 5, 6), enable_gqa=True),
    "gqa_rank": lambda lib: _sdpa(lib, qs=(4, 8), ks=(5, 8), vs=(5, 6), enable_gqa=True),
}


@pytest.mark.parametrize("name", list(SDPA_ERRORS))
def test_sdpa_errors_match_torch(name):
    _same_error(SDPA_ERRORS[name])


# == MultiheadAttention ===================================================================================
E, HEADS, L, S, N = 8, 2, 4, 5, 3


def _mha_pair(**kw):
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(E, HEADS, **kw).double()
    nm = nn.MultiheadAttention(E, HEADS, **kw).double()
    nm.load_state_dict({k: v.numpy().copy() for k, v in tm.state_dict().items()})
    return tm, nm


MHA_CASES = [
    # (constructor kwargs, forward options)
    ({}, {}),
    ({"batch_first": True}, {}),
    ({"kdim": 3, "vdim": 5}, {}),
    ({"kdim": 3, "vdim": 5, "batch_first": True}, {"kpm": True, "need_weights": False}),
    ({"add_bias_kv": True}, {"attn_mask": "bool", "kpm": True}),
    ({"add_zero_attn": True}, {"attn_mask": "float"}),
    ({"add_bias_kv": True, "add_zero_attn": True}, {"attn_mask": "3d", "kpm": True}),
    ({"bias": False}, {}),
    ({"bias": False}, {"need_weights": False}),
    ({}, {"average_attn_weights": False}),
    ({}, {"kpm": True}),
    ({}, {"kpm": "float"}),
    ({}, {"attn_mask": "bool"}),
    ({}, {"attn_mask": "float", "need_weights": False}),
    ({}, {"attn_mask": "3d", "need_weights": False, "kpm": True}),
    ({}, {"attn_mask": "3d_bool", "average_attn_weights": False}),
    ({}, {"attn_mask": "causal", "is_causal": True}),
    ({}, {"attn_mask": "causal", "is_causal": True, "need_weights": False, "self": True}),
    ({"batch_first": True}, {"self": True, "attn_mask": "bool", "kpm": True}),
    ({"batch_first": True}, {"shared_kv": True}),
    ({}, {"shared_kv": True, "need_weights": False}),
    ({}, {"unbatched": True}),
    ({}, {"unbatched": True, "kpm": True, "attn_mask": "3d", "average_attn_weights": False}),
    ({"kdim": 6, "vdim": 6}, {"unbatched": True, "need_weights": False}),
]


def _mha_inputs(kw, opts):
    unbatched = opts.get("unbatched", False)
    bf = kw.get("batch_first", False)
    src = L if opts.get("self") else S

    def shape(length, dim):
        if unbatched:
            return (length, dim)
        return (N, length, dim) if bf else (length, N, dim)
    nq, tq = _both(RNG.standard_normal(shape(L, E)))
    if opts.get("self"):
        nk = nv = nq
        tk = tv = tq
    else:
        nk, tk = _both(RNG.standard_normal(shape(S, kw.get("kdim", E))))
        if opts.get("shared_kv"):
            nv, tv = nk, tk
        else:
            nv, tv = _both(RNG.standard_normal(shape(S, kw.get("vdim", E))))
    n_kw, t_kw = {}, {}
    kpm = opts.get("kpm")
    if kpm:
        m = RNG.random((src,) if unbatched else (N, src)) > 0.6
        m[..., 0] = False
        if kpm == "float":
            m = np.where(m, -1e9, 0.0) + RNG.standard_normal(m.shape) * 0.1
        n_kw["key_padding_mask"], t_kw["key_padding_mask"] = _both(m, requires_grad=False)
    am = opts.get("attn_mask")
    if am:
        if am == "bool":
            m = RNG.random((L, src)) > 0.6
            m[:, 0] = False
        elif am == "3d_bool":
            m = RNG.random((N * HEADS, L, src)) > 0.6
            m[..., 0] = False
        elif am == "float":
            m = RNG.standard_normal((L, src))
        elif am == "3d":
            m = RNG.standard_normal(((1 if unbatched else N) * HEADS, L, src))
        else:  # causal, MultiheadAttention's convention: True = not allowed
            m = np.triu(np.ones((L, src), dtype=bool), 1)
        n_kw["attn_mask"], t_kw["attn_mask"] = _both(m, requires_grad=False)
    for key in ("need_weights", "average_attn_weights", "is_causal"):
        if key in opts:
            n_kw[key] = t_kw[key] = opts[key]
    return (nq, nk, nv), (tq, tk, tv), n_kw, t_kw


@pytest.mark.parametrize("kw,opts", MHA_CASES, ids=[f"{k}-{o}" for k, o in MHA_CASES])
def test_multihead_attention_matches_torch(kw, opts):
    tm, nm = _mha_pair(**kw)
    assert list(nm.state_dict()) == list(tm.state_dict())
    assert [tuple(v.shape) for v in nm.state_dict().values()] == [tuple(v.shape) for v in tm.state_dict().values()]
    n_in, t_in, n_kw, t_kw = _mha_inputs(kw, opts)
    with warnings.catch_warnings(record=True) as n_warn:
        warnings.simplefilter("always")
        n_out, n_w = nm(*n_in, **n_kw)
    with warnings.catch_warnings(record=True) as t_warn:
        warnings.simplefilter("always")
        t_out, t_w = tm(*t_in, **t_kw)
    assert [str(w.message) for w in n_warn] == [str(w.message) for w in t_warn]
    _close(n_out, t_out, "attn_output")
    assert (n_w is None) == (t_w is None)
    if t_w is not None:
        _close(n_w, t_w, "attn_output_weights")
    n_params, t_params = list(nm.parameters()), list(tm.parameters())
    names = ["query", "key", "value"] + [n for n, _ in tm.named_parameters()]
    n_wrt = [x for x in n_in] + n_params
    t_wrt = [x for x in t_in] + t_params
    # self-attention passes one tensor three times: ask for it once
    uniq = [i for i, x in enumerate(t_wrt) if all(x is not y for y in t_wrt[:i])]
    _grads(n_out, t_out, [n_wrt[i] for i in uniq], [t_wrt[i] for i in uniq], names=[names[i] for i in uniq],
           retain_graph=True)
    if t_w is not None:
        _grads(n_w, t_w, [n_wrt[i] for i in uniq], [t_wrt[i] for i in uniq], names=[names[i] for i in uniq])


def test_multihead_attention_fully_padded_sequence_like_torch():
    """A sequence whose keys are all padded: NaN with need_weights (torch's softmax), zeros without."""
    tm, nm = _mha_pair()
    x = RNG.standard_normal((L, N, E))
    kpm = np.zeros((N, L), dtype=bool)
    kpm[1] = True
    for need_weights in (True, False):
        t_out, _ = tm(*(torch.tensor(x),) * 3, key_padding_mask=torch.tensor(kpm), need_weights=need_weights)
        n_out, _ = nm(*(ndgrad.tensor(x),) * 3, key_padding_mask=ndgrad.tensor(kpm), need_weights=need_weights)
        _close(n_out, t_out, f"need_weights={need_weights}")


def test_multihead_attention_init_repr_and_parameters():
    ndgrad.manual_seed(0)
    m = nn.MultiheadAttention(64, 8)
    t = torch.nn.MultiheadAttention(64, 8)
    assert repr(m) == repr(t)
    assert type(m.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
    assert isinstance(m.out_proj, nn.Linear)
    assert m.head_dim == 8 and m._qkv_same_embed_dim and m.q_proj_weight is None and m.bias_k is None
    w = _np(m.in_proj_weight)
    bound = math.sqrt(6.0 / (64 + 3 * 64))  # xavier_uniform_ on the packed (3E, E) weight
    assert w.min() >= -bound and w.max() <= bound and w.max() > 0.9 * bound
    assert not _np(m.in_proj_bias).any() and not _np(m.out_proj.bias).any()
    m2 = nn.MultiheadAttention(64, 8, kdim=32, vdim=16, add_bias_kv=True, bias=False)
    t2 = torch.nn.MultiheadAttention(64, 8, kdim=32, vdim=16, add_bias_kv=True, bias=False)
    assert list(m2.state_dict()) == list(t2.state_dict())
    assert m2.in_proj_weight is None and m2.in_proj_bias is None and m2.out_proj.bias is None
    assert tuple(m2.bias_k.shape) == (1, 1, 64) and _np(m2.bias_k).std() > 0
    m2.load_state_dict(t2.state_dict())  # torch's checkpoint loads as is


def test_multihead_attention_dropout_training_only():
    tm, nm = _mha_pair(dropout=0.5)
    x = RNG.standard_normal((L, N, E))
    tm.eval()
    nm.eval()
    _close(nm(*(ndgrad.tensor(x),) * 3)[0], tm(*(torch.tensor(x),) * 3)[0], "eval output")
    nm.train()
    ndgrad.manual_seed(3)
    a, wa = nm(*(ndgrad.tensor(x),) * 3)
    ndgrad.manual_seed(3)
    b, _ = nm(*(ndgrad.tensor(x),) * 3)
    np.testing.assert_array_equal(_np(a), _np(b))
    assert not np.allclose(_np(a), _np(nm.eval()(*(ndgrad.tensor(x),) * 3)[0]))
    assert (_np(wa) == 0).any()  # dropped weights are returned as such, as torch does


def test_multi_head_attention_forward_functional():
    tm, nm = _mha_pair(add_bias_kv=True)
    x = RNG.standard_normal((L, N, E))
    args = lambda lib, m: (*(lib.tensor(x),) * 3, E, HEADS, m.in_proj_weight, m.in_proj_bias, m.bias_k, m.bias_v,
                           False, 0.0, m.out_proj.weight, m.out_proj.bias)
    t_out, t_w = torch.nn.functional.multi_head_attention_forward(*args(torch, tm), training=False)
    n_out, n_w = F.multi_head_attention_forward(*args(ndgrad, nm), training=False)
    _close(n_out, t_out, "output")
    _close(n_w, t_w, "weights")


def test_mha_float32():
    torch.manual_seed(0)
    tm = torch.nn.MultiheadAttention(E, HEADS, batch_first=True)
    nm = nn.MultiheadAttention(E, HEADS, batch_first=True)
    nm.load_state_dict(tm.state_dict())
    x = RNG.standard_normal((N, L, E)).astype(np.float32)
    n_out, n_w = nm(*(ndgrad.tensor(x),) * 3)
    with torch.no_grad():
        t_out, t_w = tm(*(torch.tensor(x),) * 3)
    assert n_out.dtype == ndgrad.float32 and n_w.dtype == ndgrad.float32
    np.testing.assert_allclose(_np(n_out), _np(t_out), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(n_w), _np(t_w), rtol=1e-5, atol=1e-6)


def _mha_call(lib, kw=None, q=(L, N, E), k=(S, N, E), v=(S, N, E), **fkw):
    m = lib.nn.MultiheadAttention(E, HEADS, **(kw or {}))
    return m(lib.ones(q), lib.ones(k), lib.ones(v), **fkw)


MHA_ERRORS = {
    "heads_divide": lambda lib: lib.nn.MultiheadAttention(10, 3),
    "embed_dim_zero": lambda lib: lib.nn.MultiheadAttention(0, 2),
    "query_rank": lambda lib: _mha_call(lib, q=(2, L, N, E)),
    "key_rank": lambda lib: _mha_call(lib, k=(S, E)),
    "unbatched_key_rank": lambda lib: _mha_call(lib, q=(L, E), k=(S, N, E)),
    "embed_dim": lambda lib: _mha_call(lib, q=(L, N, 6)),
    "key_value_shape": lambda lib: _mha_call(lib, v=(L, N, E)),
    "separate_key_value_len": lambda lib: _mha_call(lib, {"kdim": 3}, k=(S, N, 3), v=(L, N, E)),
    "kpm_rank": lambda lib: _mha_call(lib, key_padding_mask=lib.zeros(S, dtype=lib.bool)),
    "kpm_batch": lambda lib: _mha_call(lib, key_padding_mask=lib.zeros(2, S, dtype=lib.bool)),
    "kpm_len": lambda lib: _mha_call(lib, key_padding_mask=lib.zeros(N, 2, dtype=lib.bool)),
    "mask_2d_shape": lambda lib: _mha_call(lib, attn_mask=lib.zeros(L, L, dtype=lib.bool)),
    "mask_3d_shape": lambda lib: _mha_call(lib, attn_mask=lib.zeros(2, L, S)),
    "mask_rank": lambda lib: _mha_call(lib, attn_mask=lib.zeros(1, 1, L, S)),
    "mask_int": lambda lib: _mha_call(lib, attn_mask=lib.zeros(L, S, dtype=lib.int64)),
    "kpm_int": lambda lib: _mha_call(lib, key_padding_mask=lib.zeros(N, S, dtype=lib.int64)),
    "causal_without_mask": lambda lib: _mha_call(lib, is_causal=True),
    "unbatched_3d_mask": lambda lib: _mha_call(lib, q=(L, E), k=(S, E), v=(S, E), attn_mask=lib.zeros(1, L, S)),
}


@pytest.mark.parametrize("name", list(MHA_ERRORS))
def test_mha_errors_match_torch(name):
    _same_error(MHA_ERRORS[name])


def test_sdpa_gradcheck_and_gradgradcheck_with_fully_masked_rows():
    q, k, v = (ndgrad.randn(2, 4, 3, dtype=ndgrad.float64, requires_grad=True) for _ in range(3))
    mask = ndgrad.tensor([[True, False, True, True], [False, False, False, False],
                          [True, True, False, True], [True, True, True, True]])
    fn = lambda q, k, v: F.scaled_dot_product_attention(q, k, v, attn_mask=mask)  # noqa: E731
    assert ndgrad.autograd.gradcheck(fn, (q, k, v))
    assert ndgrad.autograd.gradgradcheck(fn, (q, k, v))
