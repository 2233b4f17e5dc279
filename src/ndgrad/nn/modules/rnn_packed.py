"""RNN, LSTM and GRU over a PackedSequence (variable-length sequences).

The padded path (``rnn.py``) runs each layer as one fused NumPy op. A packed batch has a different
number of running sequences at each time step, so here every step is run with the same cell
functions over ndgrad ops (``_ND``), on just the rows still running: at step ``t`` the first
``batch_sizes[t]`` rows (the batch is sorted by decreasing length). Autograd records the steps, so
gradients, double backward included, need nothing more.

A sequence's final hidden state is its state after its own last step: in the forward direction the
rows that stop running are set aside as the batch shrinks; in the reverse direction each sequence
starts (from its initial state) at its own last step and all of them end at step 0.
"""
from ...ops.joining import cat, stack
from .. import functional as F
from .rnn import _ND, _STEPS


def run_packed(module, data, batch_sizes, h0, c0):
    """All layers and directions of ``module`` over packed ``data`` (sum(batch_sizes), H_in), with
    h0/c0 (layers*dirs, B, H) in sorted batch order. Returns (output data, h_n, c_n or None)."""
    sizes = [int(n) for n in batch_sizes._data.tolist()]
    starts = [0]
    for n in sizes[:-1]:
        starts.append(starts[-1] + n)
    step = _STEPS[module.mode][0]
    relu = module.mode == "RNN_RELU"
    num_directions = 2 if module.bidirectional else 1
    x = data
    h_n, c_n = [], []
    for layer in range(module.num_layers):
        if layer and module.dropout and module.training:
            x = F.dropout(x, module.dropout, True)
        outs = []
        for direction in range(num_directions):
            k = layer * num_directions + direction
            w_ih, w_hh, b_ih, b_hh, w_hr = module._layer_weights(k)
            xp = F.linear(x, w_ih, b_ih)          # the input projection of every packed row at once
            c_init = None if c0 is None else c0[k]
            run = _reverse if direction == 1 else _forward
            out, h, c = run(step, relu, xp, sizes, starts, h0[k], c_init, w_hh, b_hh, w_hr)
            outs.append(out)
            h_n.append(h)
            c_n.append(c)
        x = outs[0] if num_directions == 1 else cat(outs, 1)
    return x, stack(h_n, 0), (stack(c_n, 0) if c0 is not None else None)


def _forward(step, relu, xp, sizes, starts, h, c, w_hh, b_hh, w_hr):
    outs = []
    done_h, done_c = [], []             # final states of the rows that stopped, last rows first
    for t, n in enumerate(sizes):
        if n < h.shape[0]:
            done_h.append(h[n:])
            h = h[:n]
            if c is not None:
                done_c.append(c[n:])
                c = c[:n]
        h, c, _ = step(_ND, xp[starts[t]:starts[t] + n], h, c, w_hh, b_hh, w_hr, relu)
        outs.append(h)
    h_final = cat([h] + done_h[::-1], 0) if done_h else h
    c_final = None if c is None else (cat([c] + done_c[::-1], 0) if done_c else c)
    return cat(outs, 0), h_final, c_final


def _reverse(step, relu, xp, sizes, starts, h0, c0, w_hh, b_hh, w_hr):
    outs = [None] * len(sizes)
    h = c = None
    for t in range(len(sizes) - 1, -1, -1):
        n = sizes[t]
        have = 0 if h is None else h.shape[0]
        if n > have:                        # rows whose last step is t start here
            h = h0[have:n] if h is None else cat([h, h0[have:n]], 0)
            if c0 is not None:
                c = c0[have:n] if c is None else cat([c, c0[have:n]], 0)
        h, c, _ = step(_ND, xp[starts[t]:starts[t] + n], h, c, w_hh, b_hh, w_hr, relu)
        outs[t] = h
    return cat(outs, 0), h, c
