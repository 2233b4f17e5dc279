"""nn.Transformer, TransformerEncoder(Layer) and TransformerDecoder(Layer) against torch: the same
float64 weights (torch's state_dict loaded into ndgrad) give the same outputs and parameter
gradients, with and without masks, batch_first and norm_first both ways; state_dict keys, parameter
counts, repr, errors and initialisation as torch's."""
import math
import warnings

import numpy as np
import pytest
import torch

import ndgrad

RNG = np.random.default_rng(11)
TOL = dict(rtol=1e-9, atol=1e-11)
D, H, FF = 8, 2, 16


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def _np(t):
    return t.detach().numpy()


def _copy_weights(tm, nm):
    sd = {k: ndgrad.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()}
    res = nm.load_state_dict(sd)
    assert not res.missing_keys and not res.unexpected_keys


def _pair(name, *args, **kw):
    tm = getattr(torch.nn, name)(*args, dtype=torch.float64, **kw)
    nm = getattr(ndgrad.nn, name)(*args, dtype=ndgrad.float64, **kw)
    _copy_weights(tm, nm)
    return tm, nm


def _pair_stack(kind, n_layers, final_norm=True, layer_kw=None, **stack_kw):
    layer_kw = dict(dropout=0.0, **(layer_kw or {}))
    out = []
    for lib, dt in ((torch, torch.float64), (ndgrad, ndgrad.float64)):
        layer = getattr(lib.nn, kind + "Layer")(D, H, FF, dtype=dt, **layer_kw)
        norm = lib.nn.LayerNorm(D, dtype=dt) if final_norm else None
        out.append(getattr(lib.nn, kind)(layer, n_layers, norm, **stack_kw))
    _copy_weights(*out)
    return out


def _check_grads(tm, nm, t_out, n_out, extra=()):
    cot = RNG.standard_normal(tuple(t_out.shape))
    t_out.backward(torch.tensor(cot))
    n_out.backward(ndgrad.tensor(cot))
    tps, nps = dict(tm.named_parameters()), dict(nm.named_parameters())
    assert list(tps) == list(nps)
    for k in tps:
        assert nps[k].grad is not None, k
        np.testing.assert_allclose(_np(nps[k].grad), _np(tps[k].grad), err_msg=k, **TOL)
    for tt, nt in extra:
        np.testing.assert_allclose(_np(nt.grad), _np(tt.grad), **TOL)


def _seq(batch_first, n, s, e=D):
    return RNG.standard_normal((n, s, e) if batch_first else (s, n, e))


def _padding(n, s):
    kpm = np.zeros((n, s), bool)
    kpm[0, s - 2:] = True
    if n > 2:
        kpm[2, s - 1:] = True
    return kpm


def _masks(kind, s, t, n, lib):
    """The mask kwargs of one scenario, as lib tensors."""
    causal = lib.nn.Transformer.generate_square_subsequent_mask(t, dtype=lib.float64)
    if kind == "none":
        return {}
    if kind == "causal":
        return {"tgt_mask": causal}
    if kind == "bool":
        m = np.triu(np.ones((t, t), bool), 1)
        sm = RNG.random((s, s)) < 0.3
        np.fill_diagonal(sm, False)
        return {"tgt_mask": lib.tensor(m), "src_mask": lib.tensor(sm)}
    if kind == "padding":
        return {"src_key_padding_mask": lib.tensor(_padding(n, s)), "memory_key_padding_mask": lib.tensor(_padding(n, s)),
                "tgt_key_padding_mask": lib.tensor(_padding(n, t)), "tgt_mask": causal}
    if kind == "float":
        fm = RNG.standard_normal((t, s))
        return {"memory_mask": lib.tensor(fm), "tgt_mask": causal, "tgt_is_causal": True}
    raise ValueError(kind)


def _same_masks(kind, s, t, n):
    state = RNG.bit_generator.state
    tk = _masks(kind, s, t, n, torch)
    RNG.bit_generator.state = state
    nk = _masks(kind, s, t, n, ndgrad)
    return tk, nk


# -- structure ------------------------------------------------------------------------------------
@pytest.mark.parametrize("bias", [True, False])
def test_state_dict_keys_and_counts(bias):
    kw = dict(d_model=D, nhead=H, num_encoder_layers=2, num_decoder_layers=3, dim_feedforward=FF, bias=bias)
    tm, nm = torch.nn.Transformer(**kw), ndgrad.nn.Transformer(**kw)
    assert list(tm.state_dict()) == list(nm.state_dict())
    assert [tuple(v.shape) for v in tm.state_dict().values()] == [tuple(v.shape) for v in nm.state_dict().values()]
    assert sum(p.numel() for p in tm.parameters()) == sum(p.numel() for p in nm.parameters())
    assert repr(tm) == repr(nm)
    assert nm.d_model == D and nm.nhead == H and nm.batch_first is False


def test_layer_submodules_and_repr():
    for name in ("TransformerEncoderLayer", "TransformerDecoderLayer"):
        tl, nl = getattr(torch.nn, name)(D, H, FF), getattr(ndgrad.nn, name)(D, H, FF)
        assert [n for n, _ in tl.named_children()] == [n for n, _ in nl.named_children()]
        assert list(tl.state_dict()) == list(nl.state_dict())
        assert repr(tl) == repr(nl)
        tg = getattr(torch.nn, name)(D, H, activation=torch.nn.GELU(), layer_norm_eps=1e-3, norm_first=True)
        ng = getattr(ndgrad.nn, name)(D, H, activation=ndgrad.nn.GELU(), layer_norm_eps=1e-3, norm_first=True)
        assert repr(tg) == repr(ng)
        assert ng.norm_first is True and ng.norm1.eps == 1e-3


def test_encoder_attributes_and_nested_warning():
    for lib in (torch, ndgrad):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            enc = lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(D, H, FF), 2)
        msgs = [str(x.message) for x in w]
        assert msgs == ["enable_nested_tensor is True, but self.use_nested_tensor is False because "
                        "encoder_layer.self_attn.batch_first was not True(use batch_first for better inference "
                        "performance)"]
        assert enc.num_layers == 2 and enc.norm is None and enc.use_nested_tensor is False
        assert enc.enable_nested_tensor is True and enc.mask_check is True
        enc2 = lib.nn.TransformerEncoder(lib.nn.TransformerEncoderLayer(D, H, FF, batch_first=True), 1,
                                         enable_nested_tensor=False, mask_check=False)
        assert enc2.use_nested_tensor is False and enc2.mask_check is False
        assert enc.layers[0] is not enc.layers[1]
        assert enc.layers[0].linear1.weight is not enc.layers[1].linear1.weight
        np.testing.assert_array_equal(_np(enc.layers[0].linear1.weight), _np(enc.layers[1].linear1.weight))


def test_activation_flags():
    for lib in (torch, ndgrad):
        F = lib.nn.functional
        assert lib.nn.TransformerEncoderLayer(D, H).activation_relu_or_gelu == 1
        assert lib.nn.TransformerEncoderLayer(D, H, activation="gelu").activation_relu_or_gelu == 2
        assert lib.nn.TransformerEncoderLayer(D, H, activation=lib.nn.ReLU()).activation_relu_or_gelu == 1
        assert lib.nn.TransformerEncoderLayer(D, H, activation=F.silu).activation_relu_or_gelu == 0
        assert lib.nn.TransformerDecoderLayer(D, H, activation="gelu").activation is F.gelu


def test_errors_like_torch():
    def err(fn):
        with pytest.raises(Exception) as ei:
            fn()
        return type(ei.value), str(ei.value)

    for make in (lambda lib: lib.nn.Transformer(D, 3), lambda lib: lib.nn.TransformerEncoderLayer(D, 3),
                 lambda lib: lib.nn.TransformerDecoderLayer(D, 3),
                 lambda lib: lib.nn.TransformerEncoderLayer(D, H, activation="tanh"),
                 lambda lib: lib.nn.Transformer(D, H, 1, 1, FF)(lib.randn(3, 2, D), lib.randn(3, 4, D)),
                 lambda lib: lib.nn.Transformer(D, H, 1, 1, FF, batch_first=True)(lib.randn(2, 3, D),
                                                                                  lib.randn(4, 3, D)),
                 lambda lib: lib.nn.Transformer(D, H, 1, 1, FF)(lib.randn(3, 2, D), lib.randn(3, 2, 6))):
        assert err(lambda: make(torch)) == err(lambda: make(ndgrad))


def test_generate_square_subsequent_mask():
    for sz in (1, 4):
        t = torch.nn.Transformer.generate_square_subsequent_mask(sz)
        n = ndgrad.nn.Transformer.generate_square_subsequent_mask(sz)
        assert n.dtype == ndgrad.float32 and tuple(n.shape) == (sz, sz)
        np.testing.assert_array_equal(_np(n), _np(t))
    n = ndgrad.nn.Transformer.generate_square_subsequent_mask(3, dtype=ndgrad.float64)
    assert n.dtype == ndgrad.float64
    assert str(n) == str(torch.nn.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64))


def test_transformer_initialisation():
    m = ndgrad.nn.Transformer(d_model=64, nhead=4, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=256)
    for name, p in m.named_parameters():
        a = _np(p)
        if p.dim() > 1:
            bound = math.sqrt(6.0 / (p.shape[0] + p.shape[1]))
            assert np.abs(a).max() <= bound, name
            assert np.abs(a).max() > 0.9 * bound, name  # xavier, not the Linear default
            assert abs(a.std() - bound / math.sqrt(3)) < 0.1 * bound, name
        elif name.endswith("in_proj_bias") or name.endswith("out_proj.bias"):
            assert (a == 0).all(), name
        elif "norm" in name:
            assert (a == (1 if name.endswith("weight") else 0)).all(), name
    # the layers alone keep MultiheadAttention's / Linear's own initialisation
    layer = ndgrad.nn.TransformerEncoderLayer(64, 4, 256)
    assert np.abs(_np(layer.linear1.weight)).max() <= 1 / math.sqrt(64)


# -- numerics -------------------------------------------------------------------------------------
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("masks", ["none", "causal", "bool", "padding", "float"])
def test_transformer_matches_torch(batch_first, norm_first, masks):
    tm, nm = _pair("Transformer", d_model=D, nhead=H, num_encoder_layers=2, num_decoder_layers=2,
                   dim_feedforward=FF, dropout=0.0, batch_first=batch_first, norm_first=norm_first)
    S, T, N = 5, 4, 3
    src, tgt = _seq(batch_first, N, S), _seq(batch_first, N, T)
    tk, nk = _same_masks(masks, S, T, N)
    ts, tt = torch.tensor(src, requires_grad=True), torch.tensor(tgt, requires_grad=True)
    ns, nt = ndgrad.tensor(src, requires_grad=True), ndgrad.tensor(tgt, requires_grad=True)
    t_out, n_out = tm(ts, tt, **tk), nm(ns, nt, **nk)
    assert tuple(n_out.shape) == tuple(t_out.shape) and n_out.dtype == ndgrad.float64
    np.testing.assert_allclose(_np(n_out), _np(t_out), **TOL)
    _check_grads(tm, nm, t_out, n_out, extra=[(ts, ns), (tt, nt)])
    # eval mode, without autograd (torch may take its fused inference path)
    tm.eval()
    nm.eval()
    with torch.no_grad():
        t_out = tm(torch.tensor(src), torch.tensor(tgt), **tk)
    with ndgrad.no_grad():
        n_out = nm(ndgrad.tensor(src), ndgrad.tensor(tgt), **nk)
    np.testing.assert_allclose(_np(n_out), _np(t_out), **TOL)


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("activation", ["relu", "gelu", "silu"])
def test_encoder_matches_torch(batch_first, norm_first, activation):
    act = {"relu": "relu", "gelu": "gelu"}.get(activation)
    tact = act or torch.nn.functional.silu
    nact = act or ndgrad.nn.functional.silu
    S, N = 6, 4
    src = _seq(batch_first, N, S)
    kpm = _padding(N, S)
    for with_pad in (False, True):
        tl = torch.nn.TransformerEncoderLayer(D, H, FF, 0.0, tact, batch_first=batch_first, norm_first=norm_first,
                                              dtype=torch.float64)
        nl = ndgrad.nn.TransformerEncoderLayer(D, H, FF, 0.0, nact, batch_first=batch_first, norm_first=norm_first,
                                               dtype=ndgrad.float64)
        te, ne = torch.nn.TransformerEncoder(tl, 2, torch.nn.LayerNorm(D, dtype=torch.float64)), \
            ndgrad.nn.TransformerEncoder(nl, 2, ndgrad.nn.LayerNorm(D, dtype=ndgrad.float64))
        _copy_weights(te, ne)
        tk = {"src_key_padding_mask": torch.tensor(kpm)} if with_pad else {}
        nk = {"src_key_padding_mask": ndgrad.tensor(kpm)} if with_pad else {}
        t_out, n_out = te(torch.tensor(src), **tk), ne(ndgrad.tensor(src), **nk)
        np.testing.assert_allclose(_np(n_out), _np(t_out), **TOL)
        _check_grads(te, ne, t_out, n_out)
        te.eval()
        ne.eval()
        with torch.no_grad():
            t_out = te(torch.tensor(src), **tk)
        with ndgrad.no_grad():
            n_out = ne(ndgrad.tensor(src), **nk)
        np.testing.assert_allclose(_np(n_out), _np(t_out), **TOL)


def test_encoder_causal_mask_detection_and_hint():
    te, ne = _pair_stack("TransformerEncoder", 2, enable_nested_tensor=False)
    S, N = 5, 2
    src = _seq(False, N, S)
    tmask = torch.nn.Transformer.generate_square_subsequent_mask(S, dtype=torch.float64)
    nmask = ndgrad.nn.Transformer.generate_square_subsequent_mask(S, dtype=ndgrad.float64)
    for kw in ({}, {"is_causal": True}, {"is_causal": False}):
        t_out = te(torch.tensor(src), mask=tmask, **kw)
        n_out = ne(ndgrad.tensor(src), mask=nmask, **kw)
        np.testing.assert_allclose(_np(n_out), _np(t_out), **TOL)
    from ndgrad.nn.modules.transformer import _detect_is_causal_mask
    assert _detect_is_causal_mask(nmask) is True
    assert _detect_is_causal_mask(nmask, size=4) is False
    assert _detect_is_causal_mask(ndgrad.zeros(S, S)) is False
    assert _detect_is_causal_mask(None, True) is True
    assert _detect_is_causal_mask(nmask, False) is False


def test_is_causal_without_mask_errors_like_torch():
    tl, nl = _pair("TransformerEncoderLayer", D, H, FF, 0.0)
    msgs = []
    for lib, layer in ((torch, tl), (ndgrad, nl)):
        with pytest.raises(RuntimeError) as ei:
            layer(lib.randn(3, 2, D, dtype=lib.float64), is_causal=True)
        msgs.append(str(ei.value))
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_matches_torch(norm_first):
    td, nd = _pair_stack("TransformerDecoder", 2, layer_kw={"norm_first": norm_first, "batch_first": True})
    N, T, S = 3, 4, 6
    tgt, mem = _seq(True, N, T), _seq(True, N, S)
    tmem, nmem = torch.tensor(mem, requires_grad=True), ndgrad.tensor(mem, requires_grad=True)
    kpm = _padding(N, S)
    t_out = td(torch.tensor(tgt), tmem, memory_key_padding_mask=torch.tensor(kpm),
               tgt_mask=torch.nn.Transformer.generate_square_subsequent_mask(T, dtype=torch.float64))
    n_out = nd(ndgrad.tensor(tgt), nmem, memory_key_padding_mask=ndgrad.tensor(kpm),
               tgt_mask=ndgrad.nn.Transformer.generate_square_subsequent_mask(T, dtype=ndgrad.float64))
    np.testing.assert_allclose(_np(n_out), _np(t_out), **TOL)
    _check_grads(td, nd, t_out, n_out, extra=[(tmem, nmem)])


def test_unbatched_and_bias_free():
    tm, nm = _pair("Transformer", d_model=D, nhead=H, num_encoder_layers=1, num_decoder_layers=1,
                   dim_feedforward=FF, dropout=0.0, bias=False)
    src, tgt = RNG.standard_normal((5, D)), RNG.standard_normal((3, D))
    t_out = tm(torch.tensor(src), torch.tensor(tgt))
    n_out = nm(ndgrad.tensor(src), ndgrad.tensor(tgt))
    assert tuple(n_out.shape) == (3, D)
    np.testing.assert_allclose(_np(n_out), _np(t_out), **TOL)
    _check_grads(tm, nm, t_out, n_out)


def test_custom_encoder_decoder():
    enc = ndgrad.nn.Identity()
    dec_layer = ndgrad.nn.TransformerDecoderLayer(D, H, FF)
    dec = ndgrad.nn.TransformerDecoder(dec_layer, 1)
    m = ndgrad.nn.Transformer(D, H, custom_encoder=enc, custom_decoder=dec)
    assert m.encoder is enc and m.decoder is dec
    assert list(m.state_dict()) == ["decoder." + k for k in dec.state_dict()]

    class Enc(ndgrad.nn.Module):
        def forward(self, src, mask=None, src_key_padding_mask=None, is_causal=None):
            return src * 2

    m = ndgrad.nn.Transformer(D, H, custom_encoder=Enc(), num_decoder_layers=1, dim_feedforward=FF)
    assert tuple(m(ndgrad.randn(5, 2, D), ndgrad.randn(3, 2, D)).shape) == (3, 2, D)


def test_training_mode_dropout():
    nm = ndgrad.nn.Transformer(D, H, 1, 1, FF, dropout=0.5)
    src, tgt = ndgrad.randn(5, 2, D), ndgrad.randn(3, 2, D)
    a, b = nm(src, tgt), nm(src, tgt)
    assert not np.allclose(_np(a), _np(b))
    nm.eval()
    np.testing.assert_array_equal(_np(nm(src, tgt)), _np(nm(src, tgt)))


def test_deepcopy_and_state_dict_roundtrip():
    import copy
    nm = ndgrad.nn.Transformer(D, H, 1, 1, FF, dropout=0.0)
    nm2 = copy.deepcopy(nm)
    src, tgt = ndgrad.randn(5, 2, D), ndgrad.randn(3, 2, D)
    np.testing.assert_array_equal(_np(nm(src, tgt)), _np(nm2(src, tgt)))
    nm3 = ndgrad.nn.Transformer(D, H, 1, 1, FF, dropout=0.0)
    nm3.load_state_dict(nm.state_dict())
    np.testing.assert_array_equal(_np(nm(src, tgt)), _np(nm3(src, tgt)))
