"""nn.RNN / nn.LSTM / nn.GRU and their cells against torch.

torch's parameters are copied into ndgrad (state_dict NumPy arrays); the same float64 inputs then
give the same outputs, hidden states and gradients w.r.t. the input, h0/c0 and every parameter.
"""
import warnings

import numpy as np
import pytest
import torch

import ndgrad
import ndgrad.nn as nn

RNG = np.random.default_rng(20240601)
RTOL, ATOL = 1e-10, 1e-12


def _np(t):
    return t.detach().numpy()


def _close(a, b, what, rtol=RTOL, atol=ATOL):
    assert tuple(a.shape) == tuple(b.shape), f"{what}: shape {tuple(a.shape)} != torch {tuple(b.shape)}"
    assert str(a.dtype) == str(b.dtype), f"{what}: dtype {a.dtype} != torch {b.dtype}"
    np.testing.assert_allclose(_np(a), _np(b), rtol=rtol, atol=atol, err_msg=what)


def _pair(lib_name, kind, args, kwargs, dtype=torch.float64):
    """The same module in torch and ndgrad, ndgrad holding torch's parameter values."""
    torch.manual_seed(0)
    tm = getattr(torch.nn, kind)(*args, **kwargs).to(dtype)
    nm = getattr(nn, kind)(*args, **kwargs).to(getattr(ndgrad, str(dtype).split(".")[1]))
    nm.load_state_dict({k: v.detach().numpy().copy() for k, v in tm.state_dict().items()})
    return tm, nm


def _flat(out):
    """output, h_n[, c_n] as a flat list (LSTM returns (output, (h_n, c_n)))."""
    res = []
    for o in out if isinstance(out, tuple) else (out,):
        res.extend(_flat(o) if isinstance(o, tuple) else [o])
    return res


def _compare(tm, nm, arrays, train=False, rtol=RTOL, atol=ATOL, hx_tuple=False):
    """Run both modules on ``arrays`` = [input, h0?, c0?] and compare outputs and all gradients."""
    tm.train(train)
    nm.train(train)
    t_in = [torch.tensor(a, requires_grad=True) for a in arrays]
    n_in = [ndgrad.tensor(a, requires_grad=True) for a in arrays]

    def call(m, ins):
        if len(ins) == 1:
            return m(ins[0])
        return m(ins[0], tuple(ins[1:]) if hx_tuple else ins[1])
    t_out, n_out = _flat(call(tm, t_in)), _flat(call(nm, n_in))
    assert len(t_out) == len(n_out)
    for k, (a, b) in enumerate(zip(n_out, t_out)):
        _close(a, b, f"output {k}", rtol, atol)
    cots = [RNG.standard_normal(tuple(o.shape)) for o in t_out]
    t_wrt = t_in + list(tm.parameters())
    n_wrt = n_in + list(nm.parameters())
    t_grads = torch.autograd.grad(t_out, t_wrt, [torch.tensor(c, dtype=t_out[0].dtype) for c in cots])
    n_grads = ndgrad.autograd.grad(n_out, n_wrt, [ndgrad.tensor(c).to(n_out[0].dtype) for c in cots])
    names = [f"input {i}" for i in range(len(arrays))] + [n for n, _ in tm.named_parameters()]
    for name, a, b in zip(names, n_grads, t_grads):
        _close(a, b, f"gradient of {name}", rtol * 10, atol * 10)
    return t_out, n_out


# -- configurations -----------------------------------------------------------------------------------
CONFIGS = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu"}),
    ("RNN", {"num_layers": 2, "bias": False}),
    ("RNN", {"num_layers": 2, "bidirectional": True, "nonlinearity": "relu"}),
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2}),
    ("LSTM", {"bidirectional": True}),
    ("LSTM", {"num_layers": 3, "bidirectional": True, "bias": False}),
    ("LSTM", {"proj_size": 3}),
    ("LSTM", {"proj_size": 2, "num_layers": 2, "bidirectional": True}),
    ("GRU", {}),
    ("GRU", {"num_layers": 2}),
    ("GRU", {"bidirectional": True, "bias": False}),
    ("GRU", {"num_layers": 2, "bidirectional": True}),
]
IDS = [f"{k}-{'-'.join(f'{a}={b}' for a, b in kw.items()) or 'default'}" for k, kw in CONFIGS]
IN, HID, SEQ, BATCH = 4, 6, 5, 3


def _hidden_arrays(kind, kw, batch, batched=True):
    dirs = 2 if kw.get("bidirectional") else 1
    layers = kw.get("num_layers", 1)
    out_size = kw.get("proj_size") or HID
    lead = (layers * dirs, batch) if batched else (layers * dirs,)
    arrays = [RNG.standard_normal(lead + (out_size,))]
    if kind == "LSTM":
        arrays.append(RNG.standard_normal(lead + (HID,)))
    return arrays


@pytest.mark.parametrize("kind,kw", CONFIGS, ids=IDS)
@pytest.mark.parametrize("layout", ["seq_first", "batch_first", "unbatched"])
@pytest.mark.parametrize("with_h0", [False, True], ids=["no_h0", "h0"])
def test_module_matches_torch(kind, kw, layout, with_h0):
    kw = dict(kw, batch_first=layout == "batch_first")
    tm, nm = _pair(torch, kind, (IN, HID), kw)
    if layout == "unbatched":
        x = RNG.standard_normal((SEQ, IN))
    elif layout == "batch_first":
        x = RNG.standard_normal((BATCH, SEQ, IN))
    else:
        x = RNG.standard_normal((SEQ, BATCH, IN))
    arrays = [x] + (_hidden_arrays(kind, kw, BATCH, layout != "unbatched") if with_h0 else [])
    _compare(tm, nm, arrays, hx_tuple=kind == "LSTM")


@pytest.mark.parametrize("kind,kw", CONFIGS[:: 3], ids=IDS[:: 3])
def test_state_dict_parameters_and_repr_match_torch(kind, kw):
    kw = dict(kw, dropout=0.25) if kw.get("num_layers", 1) > 1 else kw
    tm = getattr(torch.nn, kind)(IN, HID, **kw)
    nm = getattr(nn, kind)(IN, HID, **kw)
    assert list(nm.state_dict()) == list(tm.state_dict())
    assert [tuple(v.shape) for v in nm.state_dict().values()] == [tuple(v.shape) for v in tm.state_dict().values()]
    assert [n for n, _ in nm.named_parameters()] == [n for n, _ in tm.named_parameters()]
    assert nm._flat_weights_names == tm._flat_weights_names
    assert nm._all_weights == tm._all_weights
    assert [[tuple(w.shape) for w in ws] for ws in nm.all_weights] == \
        [[tuple(w.shape) for w in ws] for ws in tm.all_weights]
    assert repr(nm) == repr(tm)
    # torch's checkpoint loads directly, and ndgrad's state goes back into torch
    nm.load_state_dict(tm.state_dict())
    tm.load_state_dict({k: torch.tensor(v.numpy()) for k, v in nm.state_dict().items()})


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_init_is_uniform_in_one_over_sqrt_hidden(kind):
    ndgrad.manual_seed(0)
    m = getattr(nn, kind)(10, 64, num_layers=2, bidirectional=True)
    bound = 1 / np.sqrt(64)
    values = np.concatenate([p.detach().numpy().ravel() for p in m.parameters()])
    assert values.min() >= -bound and values.max() <= bound
    assert values.min() < -0.9 * bound and values.max() > 0.9 * bound  # the whole interval is used
    assert abs(values.mean()) < 0.01
    assert all(p.dtype == ndgrad.float32 and p.requires_grad for p in m.parameters())


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_float32_stays_float32_and_matches(kind):
    tm, nm = _pair(torch, kind, (IN, HID), {"num_layers": 2, "bidirectional": True}, dtype=torch.float32)
    x = RNG.standard_normal((SEQ, BATCH, IN)).astype(np.float32)
    t_out, n_out = _compare(tm, nm, [x], rtol=1e-5, atol=1e-6)
    assert all(o.dtype == ndgrad.float32 for o in n_out)
    xn = ndgrad.tensor(x, requires_grad=True)
    nm(xn)[0].sum().backward()
    assert xn.grad.dtype == ndgrad.float32
    assert all(p.grad.dtype == ndgrad.float32 for p in nm.parameters())


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_eval_mode_ignores_dropout(kind):
    tm, nm = _pair(torch, kind, (IN, HID), {"num_layers": 3, "dropout": 0.5})
    _compare(tm, nm, [RNG.standard_normal((SEQ, BATCH, IN))], train=False)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_training_dropout_between_layers(kind):
    # p=1 zeroes the input of every layer after the first: deterministic, so comparable with torch
    tm, nm = _pair(torch, kind, (IN, HID), {"num_layers": 2, "dropout": 1.0, "bidirectional": True})
    _compare(tm, nm, [RNG.standard_normal((SEQ, BATCH, IN))], train=True)
    # p=0.5: the first layer is untouched, the second sees dropped inputs (training only)
    m = getattr(nn, kind)(IN, HID, num_layers=2, dropout=0.5)
    x = ndgrad.tensor(RNG.standard_normal((SEQ, BATCH, IN)).astype(np.float32))
    m.eval()
    ref = _flat(m(x))
    m.train()
    ndgrad.manual_seed(1)
    a = _flat(m(x))
    ndgrad.manual_seed(1)
    b = _flat(m(x))
    assert not np.allclose(_np(a[0]), _np(ref[0]))
    np.testing.assert_array_equal(_np(a[0]), _np(b[0]))
    np.testing.assert_allclose(_np(a[1][0]), _np(ref[1][0]), rtol=1e-6)  # layer 0's h_n: no dropout before it


@pytest.mark.parametrize("kind,kw", [("RNN", {}), ("RNN", {"nonlinearity": "relu", "num_layers": 2}),
                                     ("LSTM", {"bidirectional": True}), ("LSTM", {"proj_size": 2}),
                                     ("GRU", {"num_layers": 2, "bidirectional": True})])
def test_double_backward_matches_torch(kind, kw):
    """create_graph: the backward re-runs the recurrence with ndgrad ops, so gradients of gradients
    (a gradient penalty here) match torch's."""
    tm, nm = _pair(torch, kind, (IN, HID), kw)
    x = RNG.standard_normal((SEQ, BATCH, IN))
    res = []
    for lib, m in ((torch, tm), (ndgrad, nm)):
        xt = lib.tensor(x, requires_grad=True)
        out = _flat(m(xt))
        loss = sum((o * o).sum() for o in out)
        wrt = [xt] + list(m.parameters())
        grads = lib.autograd.grad(loss, wrt, create_graph=True)
        penalty = sum((g * g).sum() for g in grads)
        res.append(lib.autograd.grad(penalty, wrt))
    for k, (a, b) in enumerate(zip(res[1], res[0])):
        _close(a, b, f"second-order gradient {k}", 1e-8, 1e-10)


def test_gradients_only_where_required():
    tm, nm = _pair(torch, "LSTM", (IN, HID), {"num_layers": 2})
    for m in (tm, nm):
        m.weight_hh_l0.requires_grad_(False)
        m.bias_ih_l1.requires_grad_(False)
    x = RNG.standard_normal((SEQ, BATCH, IN))
    for lib, m in ((torch, tm), (ndgrad, nm)):
        m(lib.tensor(x))[0].sum().backward()
    for (name, tp), np_ in zip(tm.named_parameters(), nm.parameters()):
        if tp.grad is None:
            assert np_.grad is None, name
        else:
            _close(np_.grad, tp.grad, name, 1e-9, 1e-11)


def test_no_graph_without_grad():
    m = nn.GRU(IN, HID, num_layers=2)
    x = ndgrad.randn(SEQ, BATCH, IN)
    with ndgrad.no_grad():
        out, h = m(x)
    assert out.grad_fn is None and not out.requires_grad and h.grad_fn is None
    m.requires_grad_(False)
    out, h = m(x)
    assert not out.requires_grad and not h.requires_grad


def test_output_is_last_hidden_state():
    m = nn.LSTM(IN, HID, num_layers=2, bidirectional=True, batch_first=True)
    out, (h, c) = m(ndgrad.randn(BATCH, SEQ, IN))
    np.testing.assert_allclose(_np(out[:, -1, :HID]), _np(h[2]), rtol=1e-6)   # last layer, forward: time L-1
    np.testing.assert_allclose(_np(out[:, 0, HID:]), _np(h[3]), rtol=1e-6)    # last layer, reverse: time 0


def test_inplace_change_of_a_weight_is_detected():
    m = nn.LSTM(IN, HID)
    out, _ = m(ndgrad.randn(SEQ, BATCH, IN))
    with ndgrad.no_grad():
        m.weight_hh_l0.add_(1.0)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        out.sum().backward()


def test_backward_twice_needs_retain_graph():
    m = nn.GRU(IN, HID)
    out, h = m(ndgrad.randn(SEQ, BATCH, IN))
    loss = out.sum() + h.sum()
    loss.backward(retain_graph=True)
    g = m.weight_hh_l0.grad.clone()
    loss.backward()
    np.testing.assert_allclose(_np(m.weight_hh_l0.grad), 2 * _np(g), rtol=1e-6)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_only_h_n_used_in_loss():
    """Gradients flow when only some outputs are used (the others get no gradient at all)."""
    tm, nm = _pair(torch, "LSTM", (IN, HID), {"num_layers": 2, "bidirectional": True})
    x = RNG.standard_normal((SEQ, BATCH, IN))
    grads = []
    for lib, m in ((torch, tm), (ndgrad, nm)):
        xt = lib.tensor(x, requires_grad=True)
        _, (h, c) = m(xt)
        (c[1] * 2).sum().backward()
        grads.append([xt.grad] + [p.grad for p in m.parameters()])
    for a, b in zip(grads[1], grads[0]):
        _close(a, b, "gradient", 1e-9, 1e-11)


def test_training_step_matches_torch():
    """A few SGD steps of a small sequence classifier stay equal to torch's."""
    tm, nm = _pair(torch, "GRU", (IN, HID), {"batch_first": True})
    torch.manual_seed(1)
    t_head = torch.nn.Linear(HID, 2).double()
    n_head = nn.Linear(HID, 2).double()
    n_head.load_state_dict({k: v.numpy().copy() for k, v in t_head.state_dict().items()})
    t_opt = torch.optim.SGD(list(tm.parameters()) + list(t_head.parameters()), lr=0.5)
    n_opt = ndgrad.optim.SGD(list(nm.parameters()) + list(n_head.parameters()), lr=0.5)
    x = RNG.standard_normal((8, SEQ, IN))
    y = RNG.integers(0, 2, 8)
    for _ in range(3):
        for lib, m, head, opt in ((torch, tm, t_head, t_opt), (ndgrad, nm, n_head, n_opt)):
            opt.zero_grad()
            _, h = m(lib.tensor(x))
            loss = lib.nn.functional.cross_entropy(head(h[-1]), lib.tensor(y))
            loss.backward()
            opt.step()
    for (name, a), b in zip(tm.named_parameters(), nm.parameters()):
        _close(b, a, name, 1e-9, 1e-11)


# -- errors -------------------------------------------------------------------------------------------
def _same_error(fn):
    """fn(lib) raises the same exception type and message in torch and ndgrad."""
    with pytest.raises(Exception) as t_err:
        fn(torch)
    with pytest.raises(Exception) as n_err:
        fn(ndgrad)
    assert type(n_err.value) is type(t_err.value), (n_err.value, t_err.value)
    assert str(n_err.value) == str(t_err.value)


ERROR_CASES = {
    "input_size": lambda lib: lib.nn.LSTM(10, 20)(lib.randn(4, 3, 5)),
    "input_size_gru_batch_first": lambda lib: lib.nn.GRU(10, 20, batch_first=True)(lib.randn(3, 4, 5)),
    "input_rank_rnn": lambda lib: lib.nn.RNN(10, 20)(lib.randn(2, 4, 3, 10)),
    "input_rank_lstm": lambda lib: lib.nn.LSTM(10, 20)(lib.randn(10)),
    "input_rank_gru": lambda lib: lib.nn.GRU(10, 20)(lib.randn(2, 4, 3, 10)),
    "hidden_size": lambda lib: lib.nn.GRU(10, 20, 2)(lib.randn(4, 3, 10), lib.randn(2, 3, 21)),
    "hidden_layers": lambda lib: lib.nn.RNN(10, 20, 2)(lib.randn(4, 3, 10), lib.randn(1, 3, 20)),
    "hidden_batch": lambda lib: lib.nn.RNN(10, 20, bidirectional=True)(lib.randn(4, 3, 10), lib.randn(2, 2, 20)),
    "lstm_h0_size": lambda lib: lib.nn.LSTM(10, 20, 2)(lib.randn(4, 3, 10), (lib.randn(2, 3, 21), lib.randn(2, 3, 20))),
    "lstm_c0_size": lambda lib: lib.nn.LSTM(10, 20, 2)(lib.randn(4, 3, 10), (lib.randn(2, 3, 20), lib.randn(1, 3, 20))),
    "lstm_proj_h0": lambda lib: lib.nn.LSTM(10, 20, proj_size=5)(lib.randn(4, 3, 10),
                                                                 (lib.randn(1, 3, 20), lib.randn(1, 3, 20))),
    "lstm_hx_rank": lambda lib: lib.nn.LSTM(10, 20)(lib.randn(4, 3, 10), (lib.randn(1, 20), lib.randn(1, 3, 20))),
    "lstm_unbatched_hx_rank": lambda lib: lib.nn.LSTM(10, 20)(lib.randn(4, 10), (lib.randn(1, 3, 20),
                                                                                 lib.randn(1, 20))),
    "hx_rank_batched": lambda lib: lib.nn.GRU(10, 20)(lib.randn(4, 3, 10), lib.randn(3, 20)),
    "hx_rank_unbatched": lambda lib: lib.nn.RNN(10, 20)(lib.randn(4, 10), lib.randn(1, 3, 20)),
    "dtype": lambda lib: lib.nn.LSTM(10, 20)(lib.randn(4, 3, 10, dtype=lib.float64)),
    "empty_sequence": lambda lib: lib.nn.GRU(10, 20)(lib.randn(0, 3, 10)),
    "proj_size_rnn": lambda lib: lib.nn.RNN(10, 20, proj_size=3),
    "proj_size_gru": lambda lib: lib.nn.GRU(10, 20, proj_size=3),
    "proj_size_too_big": lambda lib: lib.nn.LSTM(10, 20, proj_size=20),
    "proj_size_negative": lambda lib: lib.nn.LSTM(10, 20, proj_size=-1),
    "nonlinearity": lambda lib: lib.nn.RNN(10, 20, nonlinearity="sigmoid"),
    "dropout_range": lambda lib: lib.nn.GRU(10, 20, dropout=1.5),
    "dropout_bool": lambda lib: lib.nn.GRU(10, 20, dropout=True),
    "hidden_size_zero": lambda lib: lib.nn.LSTM(10, 0),
    "input_size_type": lambda lib: lib.nn.LSTM(10.0, 20),
    "num_layers_zero": lambda lib: lib.nn.GRU(10, 20, num_layers=0),
    "bias_type": lambda lib: lib.nn.RNN(10, 20, bias=1),
    "cell_input_size": lambda lib: lib.nn.LSTMCell(10, 20)(lib.randn(3, 5)),
    "cell_batch": lambda lib: lib.nn.GRUCell(10, 20)(lib.randn(3, 10), lib.randn(2, 20)),
    "cell_hidden_size": lambda lib: lib.nn.RNNCell(10, 20)(lib.randn(3, 10), lib.randn(3, 21)),
    "cell_c_size": lambda lib: lib.nn.LSTMCell(10, 20)(lib.randn(3, 10), (lib.randn(3, 20), lib.randn(3, 21))),
    "cell_input_rank": lambda lib: lib.nn.GRUCell(10, 20)(lib.randn(2, 3, 10)),
    "cell_hidden_rank": lambda lib: lib.nn.RNNCell(10, 20)(lib.randn(3, 10), lib.randn(1, 3, 20)),
    "lstm_cell_hidden_rank": lambda lib: lib.nn.LSTMCell(10, 20)(lib.randn(3, 10), (lib.randn(3, 20),
                                                                                    lib.randn(1, 3, 20))),
    "cell_nonlinearity": lambda lib: lib.nn.RNNCell(10, 20, nonlinearity="sigmoid")(lib.randn(3, 10)),
    "cell_unbatched_hidden": lambda lib: lib.nn.GRUCell(10, 20)(lib.randn(10), lib.randn(3, 20)),
}


@pytest.mark.parametrize("name", list(ERROR_CASES))
def test_errors_match_torch(name):
    _same_error(ERROR_CASES[name])


def test_dropout_with_one_layer_warns_like_torch():
    for lib in (torch, ndgrad):
        with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1, but got "
                                             "dropout=0.5 and num_layers=1"):
            lib.nn.LSTM(10, 20, dropout=0.5)


# -- cells --------------------------------------------------------------------------------------------
CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("RNNCell", {"bias": False}),
         ("LSTMCell", {}), ("LSTMCell", {"bias": False}), ("GRUCell", {}), ("GRUCell", {"bias": False})]


@pytest.mark.parametrize("kind,kw", CELLS, ids=[f"{k}-{kw}" for k, kw in CELLS])
@pytest.mark.parametrize("batched", [True, False], ids=["batched", "unbatched"])
@pytest.mark.parametrize("with_hx", [False, True], ids=["no_hx", "hx"])
def test_cell_matches_torch(kind, kw, batched, with_hx):
    tm, nm = _pair(torch, kind, (IN, HID), kw)
    assert list(nm.state_dict()) == list(tm.state_dict())
    assert repr(nm) == repr(tm)
    lead = (BATCH,) if batched else ()
    arrays = [RNG.standard_normal(lead + (IN,))]
    if with_hx:
        arrays += [RNG.standard_normal(lead + (HID,)) for _ in range(2 if kind == "LSTMCell" else 1)]
    _compare(tm, nm, arrays, hx_tuple=kind == "LSTMCell")


def test_cells_unrolled_equal_the_layer():
    """An LSTMCell/GRUCell loop with the layer's weights gives the layer's output."""
    for kind in ("LSTM", "GRU"):
        layer = getattr(nn, kind)(IN, HID).double()
        cell = getattr(nn, kind + "Cell")(IN, HID).double()
        cell.load_state_dict({k[:-3]: v for k, v in layer.state_dict().items()})
        x = ndgrad.randn(SEQ, BATCH, IN, dtype=ndgrad.float64)
        out = _flat(layer(x))[0]
        state = None
        for t in range(SEQ):
            state = cell(x[t], state)
            h = state[0] if kind == "LSTM" else state
            np.testing.assert_allclose(_np(h), _np(out[t]), rtol=1e-12, atol=1e-14)


def test_noncontiguous_input():
    tm, nm = _pair(torch, "LSTM", (IN, HID), {"batch_first": True, "bidirectional": True})
    x = RNG.standard_normal((SEQ, BATCH, IN))
    tx = torch.tensor(x).transpose(0, 1)
    nx = ndgrad.tensor(x).transpose(0, 1)
    _close(_flat(nm(nx))[0], _flat(tm(tx))[0], "output")


def test_module_api():
    m = nn.LSTM(IN, HID, num_layers=2)
    assert m.mode == "LSTM" and m.input_size == IN and m.hidden_size == HID and m.proj_size == 0
    m.flatten_parameters()  # a no-op, accepted like torch's
    assert m._flat_weights[0] is m.weight_ih_l0
    assert len(m.all_weights) == 2 and m.all_weights[1][1] is m.weight_hh_l1
    r = nn.RNN(IN, HID, 1, "relu")  # nonlinearity is torch's 4th positional argument
    assert r.nonlinearity == "relu" and r.mode == "RNN_RELU"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.GRU(IN, HID, 2, dropout=0.3)


@pytest.mark.parametrize("kind,kw", [("RNN", {"nonlinearity": "relu"}),
                                     ("LSTM", {"proj_size": 2, "bidirectional": True}), ("GRU", {"num_layers": 2})])
def test_gradcheck_and_gradgradcheck(kind, kw):
    """Finite differences agree with the analytic gradients, and with the gradients of gradients."""
    ndgrad.manual_seed(0)
    m = getattr(nn, kind)(3, 4, **kw).double()
    x = ndgrad.randn(4, 2, 3, dtype=ndgrad.float64, requires_grad=True)
    h0 = ndgrad.zeros(m.num_layers * (2 if m.bidirectional else 1), 2, m.proj_size or 4, dtype=ndgrad.float64)
    h0.requires_grad_(True)
    if kind == "LSTM":
        c0 = ndgrad.randn(2, 2, 4, dtype=ndgrad.float64, requires_grad=True)
        inputs, fn = (x, h0, c0), (lambda x, h, c: _flat(m(x, (h, c))))
    else:
        inputs, fn = (x, h0), (lambda x, h: _flat(m(x, h)))
    assert ndgrad.autograd.gradcheck(fn, inputs)
    assert ndgrad.autograd.gradgradcheck(fn, inputs)
