"""PackedSequence and the nn.utils.rnn functions, and RNN/LSTM/GRU over packed batches, against torch:
values, lengths, batch order, final hidden states and gradients."""
import numpy as np
import pytest
import torch
from torch.nn.utils import rnn as trnn

import ndgrad
from ndgrad.nn.utils import rnn as nrnn

RNG = np.random.default_rng(0)
LIBS = ((torch, trnn), (ndgrad, nrnn))


def _np(t):
    return t.detach().numpy()


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted,lengths", [(True, [5, 3, 3, 1]), (False, [2, 5, 1, 4])])
def test_pack_and_pad_round_trip_match_torch(batch_first, enforce_sorted, lengths):
    x0 = RNG.standard_normal((5, 4, 3) if not batch_first else (4, 5, 3))
    g0 = RNG.standard_normal((sum(lengths), 3))
    res = []
    for lib, rnn in LIBS:
        x = lib.tensor(x0, requires_grad=True)
        p = rnn.pack_padded_sequence(x, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
        (p.data * lib.tensor(g0)).sum().backward()
        padded, lens = rnn.pad_packed_sequence(p, batch_first=batch_first, padding_value=-1.0, total_length=7)
        idx = [None if i is None else i.tolist() for i in (p.sorted_indices, p.unsorted_indices)]
        res.append((_np(p.data), p.batch_sizes.tolist(), idx, _np(padded), lens.tolist(), x.grad.numpy(),
                    str(lens.dtype), str(p.batch_sizes.dtype)))
    for a, b in zip(*res):
        np.testing.assert_array_equal(np.asarray(b), np.asarray(a))


def test_pad_sequence_unpad_and_pack_sequence_match_torch():
    seqs0 = [RNG.standard_normal((n, 2)) for n in (3, 5, 1)]
    res = []
    for lib, rnn in LIBS:
        seqs = [lib.tensor(s) for s in seqs0]
        right = rnn.pad_sequence(seqs, batch_first=True, padding_value=9.0)
        left = rnn.pad_sequence(seqs, padding_side="left")
        packed = rnn.pack_sequence(seqs, enforce_sorted=False)
        back = rnn.unpack_sequence(packed)
        unpadded = rnn.unpad_sequence(right, lib.tensor([3, 5, 1]), batch_first=True)
        res.append([_np(right), _np(left), _np(packed.data), packed.batch_sizes.tolist()]
                   + [_np(t) for t in back] + [_np(t) for t in unpadded])
    for a, b in zip(*res):
        np.testing.assert_array_equal(np.asarray(b), np.asarray(a))


CONFIGS = [("RNN", {"nonlinearity": "relu"}), ("RNN", {"num_layers": 2, "bidirectional": True}),
           ("GRU", {"bidirectional": True}), ("GRU", {"num_layers": 3, "batch_first": True}),
           ("LSTM", {"num_layers": 2, "bidirectional": True}), ("LSTM", {"proj_size": 3, "bidirectional": True}),
           ("LSTM", {"batch_first": True, "bias": False})]


@pytest.mark.parametrize("mode,kwargs", CONFIGS, ids=[f"{m}-{k}" for m, k in CONFIGS])
@pytest.mark.parametrize("with_hx", [False, True])
def test_recurrent_layers_over_packed_batches_match_torch(mode, kwargs, with_hx):
    bf = kwargs.get("batch_first", False)
    lengths = [3, 6, 2, 5]
    x0 = RNG.standard_normal((4, 6, 5) if bf else (6, 4, 5))
    layers = kwargs.get("num_layers", 1) * (2 if kwargs.get("bidirectional") else 1)
    h_size = kwargs.get("proj_size") or 7
    h00, c00 = RNG.standard_normal((layers, 4, h_size)), RNG.standard_normal((layers, 4, 7))
    res = []
    for lib, rnn in LIBS:
        lib.manual_seed(0)
        m = getattr(lib.nn, mode)(5, 7, **kwargs).double()
        if lib is torch:
            state = {k: v.detach().numpy() for k, v in m.state_dict().items()}
        else:
            m.load_state_dict(state)
        x = lib.tensor(x0, requires_grad=True)
        hx = None
        if with_hx:
            hx = (lib.tensor(h00, requires_grad=True), lib.tensor(c00)) if mode == "LSTM" else \
                lib.tensor(h00, requires_grad=True)
        out, hidden = m(rnn.pack_padded_sequence(x, lengths, batch_first=bf, enforce_sorted=False), hx)
        padded, lens = rnn.pad_packed_sequence(out, batch_first=bf)
        hs = hidden if mode == "LSTM" else (hidden,)
        loss = (padded * padded).sum() + sum((h * (k + 2)).sum() for k, h in enumerate(hs))
        loss.backward()
        got = [_np(padded), lens.tolist()] + [_np(h) for h in hs] + [x.grad.numpy()]
        got += [p.grad.numpy() for p in m.parameters()]
        if with_hx:
            got.append((hx[0] if mode == "LSTM" else hx).grad.numpy())
        res.append(got)
    for a, b in zip(*res):
        np.testing.assert_allclose(np.asarray(b), np.asarray(a), rtol=1e-9, atol=1e-12)


def test_packed_output_keeps_batch_sizes_and_indices():
    m = ndgrad.nn.GRU(3, 4)
    p = nrnn.pack_padded_sequence(ndgrad.randn(4, 3, 3), [2, 4, 1], enforce_sorted=False)
    out, h = m(p)
    assert isinstance(out, nrnn.PackedSequence)
    assert out.batch_sizes.tolist() == p.batch_sizes.tolist() == [3, 2, 1, 1]
    assert out.sorted_indices.tolist() == [1, 0, 2] and out.unsorted_indices.tolist() == [1, 0, 2]
    assert tuple(out.data.shape) == (7, 4) and tuple(h.shape) == (1, 3, 4)


@pytest.mark.parametrize("call,exc,msg", [
    (lambda L, R: R.pack_padded_sequence(L.zeros(3, 2), [1, 3]), RuntimeError,
     "`lengths` array must be sorted in decreasing order"),
    (lambda L, R: R.pack_padded_sequence(L.zeros(3, 2), [3, 0], enforce_sorted=False), RuntimeError,
     "Length of all samples has to be greater than 0"),
    (lambda L, R: R.pad_packed_sequence(R.pack_padded_sequence(L.zeros(3, 1), [3]), total_length=2), ValueError,
     "Expected total_length to be at least the length of the longest sequence"),
    (lambda L, R: R.pad_sequence([L.zeros(2)], padding_side="middle"), RuntimeError,
     "Expected padding_side to be one of left or right, but got middle."),
    (lambda L, R: R.pad_sequence([]), RuntimeError, "received an empty list of sequences"),
    (lambda L, R: R.pack_padded_sequence(L.zeros(3, 2, 1), [3, 1, 1]), RuntimeError,
     r"Expected `len\(lengths\)` to be equal to batch_size, but got 3 \(batch_size=2\)"),
    (lambda L, R: L.nn.GRU(2, 3)(R.pack_padded_sequence(L.zeros(3, 2, 2), [3, 1]), L.zeros(1, 2, 4)),
     RuntimeError, r"Expected hidden size \(1, 2, 3\), got \[1, 2, 4\]"),
])
def test_errors_match_torch(call, exc, msg):
    for lib, rnn in LIBS:
        with pytest.raises(exc, match=msg):
            call(lib, rnn)
