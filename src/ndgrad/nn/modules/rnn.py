"""Recurrent layers: RNN (tanh / relu), LSTM (with optional projections), GRU, and their cells.

Parameters, their names (``weight_ih_l0``, ``bias_hh_l1_reverse``, ``weight_hr_l0`` ...), shapes,
initialisation (U(-1/√hidden, 1/√hidden)), gate order (LSTM: i, f, g, o; GRU: r, z, n), input and
hidden-state layouts and error messages are torch's.

How a layer runs. The input projection ``x W_ihᵀ + b_ih`` of every time step is one matrix product;
only the recurrent part loops over time. That loop is one recorded op per layer and direction
(``RnnLayerBackward0``): the forward runs on NumPy arrays and keeps the gate activations, the
backward is back-propagation through time on NumPy arrays, and the weight gradients of all steps
are again one matrix product each. A graph of ~15 ndgrad ops per time step would cost several
times more in Python overhead, forward and backward, for the same numbers.

The recurrence and its backward are written once, over a small array namespace (``_NP`` for NumPy,
``_ND`` for ndgrad tensors). When a gradient graph is requested (``create_graph=True``: Hessians,
gradient penalties) the backward re-runs the forward with ndgrad ops from the saved inputs and then
the same back-propagation with ndgrad ops, so the gradients are differentiable again, as torch's.
The cells (``RNNCell``, ``LSTMCell``, ``GRUCell``, in rnn_cell.py) are the same step functions on ndgrad ops.

Example:
    >>> rnn = nn.LSTM(10, 20, num_layers=2)
    >>> output, (h_n, c_n) = rnn(ndgrad.randn(5, 3, 10))
    >>> output.shape, h_n.shape
    (torch.Size([5, 3, 20]), torch.Size([2, 3, 20]))
"""
import math
import numbers
import warnings

import numpy as np

from ...ops._core import Node, Tensor, wrap, edge, mode, NOEDGE
from ...ops.creation import empty, zeros
from ...ops.joining import cat, stack
from ...ops.linalg import matmul, _mm
from ...ops.unary import _sigmoid_np, sigmoid, tanh, relu
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU"]


# == the array namespaces the recurrence is written over ============================================
class _NP:
    """NumPy arrays: the fast path (no graph is recorded inside the loop)."""

    tanh = staticmethod(np.tanh)
    sigmoid = staticmethod(_sigmoid_np)

    @staticmethod
    def relu(x):
        return np.maximum(x, 0)

    @staticmethod
    def weight(w):
        # linear() takes the weight transposed: BLAS multiplies by a contiguous (in, out) matrix
        # about twice as fast as by the transposed view of an (out, in) one
        return None if w is None else np.ascontiguousarray(w.T)

    @staticmethod
    def linear(x, w_t, b):
        y = x @ w_t
        if b is not None:
            y += b
        return y

    @staticmethod
    def mm(a, b):
        return a @ b

    @staticmethod
    def tmm(a, b):
        return a.T @ b

    @staticmethod
    def cat(xs):
        return np.concatenate(xs, -1)

    stack = staticmethod(np.stack)

    @staticmethod
    def positive(x):
        return x > 0

    @staticmethod
    def lstm_gates(g, hs):
        a = _sigmoid_np(g)  # a fresh array: the cell gate's slice is overwritten with its tanh
        np.tanh(g[:, 2 * hs:3 * hs], out=a[:, 2 * hs:3 * hs])
        return a[:, :hs], a[:, hs:2 * hs], a[:, 2 * hs:3 * hs], a[:, 3 * hs:]


class _ND:
    """ndgrad tensors: every step is recorded (cells, and backward with ``create_graph``)."""

    tanh = staticmethod(tanh)
    sigmoid = staticmethod(sigmoid)
    relu = staticmethod(relu)
    linear = staticmethod(F.linear)
    mm = staticmethod(matmul)

    @staticmethod
    def weight(w):
        return w

    @staticmethod
    def tmm(a, b):
        return _mm(a, b, True, False)

    @staticmethod
    def cat(xs):
        return cat(xs, -1)

    stack = staticmethod(stack)

    @staticmethod
    def positive(x):
        return (x > 0).to(x.dtype)

    @staticmethod
    def lstm_gates(g, hs):
        i, f, c, o = g.chunk(4, 1)
        return i.sigmoid(), f.sigmoid(), c.tanh(), o.sigmoid()


# == one time step of each cell, and its backward ====================================================
# ``gx`` is the step's input projection x W_ihᵀ + b_ih. Each step returns the new hidden state, the
# new cell state (LSTM) and what its backward needs.
#
# Back-propagation through time only has to be sequential where the recurrence is: the products of
# saved activations that the chain rule needs (σ' = s(1 - s), tanh' = 1 - t², the other factor of
# each product) are formed for all time steps at once before the loop (``_*_prepare``), so that a
# step of the loop is a handful of operations (``_*_step_backward``).
def _rnn_step(ns, gx, h, c, w_hh, b_hh, w_hr, relu):
    pre = gx + ns.linear(h, w_hh, b_hh)
    h2 = ns.relu(pre) if relu else ns.tanh(pre)
    return h2, None, (h2,)


def _rnn_prepare(ns, saved, h_prev, relu):
    h = ns.stack([s[0] for s in saved])
    return (ns.positive(h) if relu else 1 - h * h,)


def _rnn_step_backward(ns, prep, t, dh, dc, w_hh, w_hr):
    d = dh * prep[0][t]
    return d, d, ns.mm(d, w_hh), None


def _lstm_step(ns, gx, h, c, w_hh, b_hh, w_hr, relu):
    hs = c.shape[-1]
    i, f, g, o = ns.lstm_gates(gx + ns.linear(h, w_hh, b_hh), hs)
    c2 = f * c + i * g
    tc = ns.tanh(c2)
    hf = o * tc
    h2 = ns.linear(hf, w_hr, None) if w_hr is not None else hf
    return h2, c2, (i, f, g, o, c, tc, hf)


def _lstm_prepare(ns, saved, h_prev, relu):
    i, f, g, o, c, tc, hf = (ns.stack([s[k] for s in saved]) for k in range(7))
    # d(pre-activation of i, f, g) = dc * (these); d(pre-activation of o) = dh * (that); dc += dh * o tanh'(c)
    return i * (1 - i) * g, f * (1 - f) * c, (1 - g * g) * i, o * (1 - o) * tc, o * (1 - tc * tc), f, hf


def _lstm_step_backward(ns, prep, t, dh, dc, w_hh, w_hr):
    mi, mf, mg, mo, mc, f, _ = prep
    dhf = ns.mm(dh, w_hr) if w_hr is not None else dh
    dc = dc + dhf * mc[t]
    d = ns.cat([dc * mi[t], dc * mf[t], dc * mg[t], dhf * mo[t]])
    return d, d, ns.mm(d, w_hh), dc * f[t]


def _gru_step(ns, gx, h, c, w_hh, b_hh, w_hr, relu):
    hs = h.shape[-1]
    gh = ns.linear(h, w_hh, b_hh)
    rz = ns.sigmoid(gx[:, :2 * hs] + gh[:, :2 * hs])
    r, z = rz[:, :hs], rz[:, hs:]
    ghn = gh[:, 2 * hs:]
    n = ns.tanh(gx[:, 2 * hs:] + r * ghn)
    h2 = (h - n) * z + n  # torch's order of operations: (1 - z) * n + z * h
    return h2, None, (r, z, n, ghn)


def _gru_prepare(ns, saved, h_prev, relu):
    r, z, n, ghn = (ns.stack([s[k] for s in saved]) for k in range(4))
    hp = ns.stack(h_prev)
    # d(pre-activation of n) = dh * (1 - z) tanh'; of r = that * ghn σ'(r); of z = dh * (h - n) σ'(z)
    return (1 - z) * (1 - n * n), ghn * r * (1 - r), (hp - n) * z * (1 - z), r, z


def _gru_step_backward(ns, prep, t, dh, dc, w_hh, w_hr):
    mn, mr, mz, r, z = prep
    dn = dh * mn[t]
    d_gh = ns.cat([dn * mr[t], dh * mz[t], dn * r[t]])  # the n gate's hidden part is scaled by r
    return dn, d_gh, dh * z[t] + ns.mm(d_gh, w_hh), None


_STEPS = {"RNN_TANH": (_rnn_step, _rnn_prepare, _rnn_step_backward),
          "RNN_RELU": (_rnn_step, _rnn_prepare, _rnn_step_backward),
          "LSTM": (_lstm_step, _lstm_prepare, _lstm_step_backward),
          "GRU": (_gru_step, _gru_prepare, _gru_step_backward)}


# == a whole layer in one direction ===================================================================
def _recurrence(ns, mode_name, xp, h, c, w_hh, b_hh, w_hr, reverse, keep):
    """Run the cell over the time steps of ``xp`` (L, N, G); outputs are indexed by time."""
    step = _STEPS[mode_name][0]
    relu = mode_name == "RNN_RELU"
    n_steps = xp.shape[0]
    w_hh, w_hr = ns.weight(w_hh), ns.weight(w_hr)
    outs = [None] * n_steps
    saved = [None] * n_steps if keep else None
    h_prev = [None] * n_steps if keep else None
    for t in (range(n_steps - 1, -1, -1) if reverse else range(n_steps)):
        if keep:
            h_prev[t] = h
        h, c, s = step(ns, xp[t], h, c, w_hh, b_hh, w_hr, relu)
        outs[t] = h
        if keep:
            saved[t] = s
    return outs, h, c, (saved, h_prev)


def _recurrence_backward(ns, mode_name, state, g_out, g_h, g_c, w_hh, w_hr, reverse, need_w):
    """Back-propagation through time. Returns the gradients of (xp, h0, c0, w_hh, b_hh, w_hr)."""
    _, prepare, back = _STEPS[mode_name]
    saved, h_prev = state
    n_steps = len(saved)
    prep = prepare(ns, saved, h_prev, mode_name == "RNN_RELU")
    d_x = [None] * n_steps
    d_h = [None] * n_steps
    d_proj = [None] * n_steps if w_hr is not None else None
    dh_next, dc = g_h, g_c
    for t in (range(n_steps) if reverse else range(n_steps - 1, -1, -1)):
        dh = g_out[t] + dh_next
        if d_proj is not None:
            d_proj[t] = dh
        d_x[t], d_h[t], dh_next, dc = back(ns, prep, t, dh, dc, w_hh, w_hr)
    d_hidden = ns.stack(d_h)  # gradient of the recurrent pre-activations h W_hhᵀ + b_hh
    if d_h[0] is d_x[0]:
        d_xp = d_hidden
    else:  # GRU: r and z get the same gradient, the n gate its own (not scaled by r)
        hs = d_x[0].shape[-1]
        d_xp = ns.cat([d_hidden[:, :, :2 * hs], ns.stack(d_x)])
    d_w_hh = d_b_hh = d_w_hr = None
    if need_w:
        # the weights are shared by all steps: one product over the stacked steps each
        d_b_hh = d_hidden.sum((0, 1))
        hp = ns.stack(h_prev)
        d_w_hh = ns.tmm(d_hidden.reshape(-1, d_hidden.shape[-1]), hp.reshape(-1, hp.shape[-1]))
        if d_proj is not None:
            dhs, hfs = ns.stack(d_proj), prep[-1]
            d_w_hr = ns.tmm(dhs.reshape(-1, dhs.shape[-1]), hfs.reshape(-1, hfs.shape[-1]))
    return d_xp, dh_next, dc, d_w_hh, d_b_hh, d_w_hr


class RnnLayerBackward0(Node):
    """One layer and direction of an RNN/LSTM/GRU. Inputs: (xp, h0, c0, w_hh, b_hh, w_hr), where xp
    is the input projection of all time steps; outputs: (output, h_n[, c_n])."""

    __slots__ = ("mode_name", "reverse")
    materialize_grads = False

    def backward(self, grads):
        xp, h0, c0, w_hh, b_hh, w_hr, state = self.saved
        g_out = grads[0]
        g_h = grads[1]
        g_c = grads[2] if len(grads) > 2 else None
        need = [fn is not None for fn, _ in self.next_functions]
        need_w = need[3] or need[4] or need[5]
        hs = h0._data.shape[-1]
        g_out = g_out if g_out is not None else wrap(np.zeros(xp._data.shape[:2] + (hs,), dtype=xp._data.dtype))
        g_h = g_h if g_h is not None else wrap(np.zeros_like(h0._data))
        if c0 is not None and g_c is None:
            g_c = wrap(np.zeros_like(c0._data))
        if mode.enabled:
            # create_graph: rebuild the forward from the saved inputs with ndgrad ops, then run the
            # same back-propagation with ndgrad ops, so that the gradients have a graph
            ns = _ND
            _, _, _, state = _recurrence(ns, self.mode_name, xp, h0, c0, w_hh, b_hh, w_hr, self.reverse, True)
        else:
            ns = _NP
            w_hh = w_hh._data
            w_hr = None if w_hr is None else w_hr._data
            g_out, g_h = g_out._data, g_h._data
            g_c = None if g_c is None else g_c._data
        res = _recurrence_backward(ns, self.mode_name, state, g_out, g_h, g_c, w_hh, w_hr, self.reverse, need_w)
        res = [r if n else None for r, n in zip(res, need)]
        if ns is _NP:
            res = [None if r is None else wrap(np.asarray(r)) for r in res]
        return tuple(res)


def _rnn_layer(mode_name, xp, h0, c0, w_hh, b_hh, w_hr, reverse):
    """Run one layer in one direction over the projected input ``xp`` (L, N, G) as one recorded op.
    Returns (output (L, N, H_out), h_n (N, H_out), c_n (N, H) or None)."""
    inputs = (xp, h0, c0, w_hh, b_hh, w_hr)
    grad = mode.enabled and any(t is not None and t._rg for t in inputs)
    xd, bd = xp._data, None if b_hh is None else b_hh._data
    if bd is not None and mode_name != "GRU":
        xd, bd = xd + bd, None  # added once for all steps (GRU's b_hn sits inside r * (...))
    outs, h, c, state = _recurrence(_NP, mode_name, xd, h0._data, None if c0 is None else c0._data, w_hh._data, bd,
                                    None if w_hr is None else w_hr._data, reverse, grad)
    results = [wrap(np.stack(outs)), wrap(h.copy())]
    if c0 is not None:
        results.append(wrap(c.copy()))
    if grad:
        node = RnnLayerBackward0(*[edge(t) if t is not None else NOEDGE for t in inputs])
        node.mode_name = mode_name
        node.reverse = reverse
        node.save(*inputs, state)
        node.num_outputs = len(results)
        node.output_meta = [(r._data.shape, r._data.dtype) for r in results]
        for k, r in enumerate(results):
            r.grad_fn = node
            r._rg = True
            if k:
                r._out_nr = k
    return results + [None] * (3 - len(results))


# == modules ===========================================================================================
class RNNBase(Module):
    """The shared machinery of RNN, LSTM and GRU (torch.nn.RNNBase): parameters, checks, the stack of
    layers and directions.

    Args:
        mode: ``"RNN_TANH"``, ``"RNN_RELU"``, ``"LSTM"`` or ``"GRU"``.
        input_size: features of the input.
        hidden_size: features of the hidden state.
        num_layers: stacked recurrent layers (default 1).
        bias: whether the layers have ``b_ih`` and ``b_hh`` (default True).
        batch_first: inputs and outputs are (N, L, H) instead of (L, N, H) (default False).
        dropout: dropout probability on the outputs of every layer but the last (training only).
        bidirectional: add a reverse-direction layer next to each layer (default False).
        proj_size: LSTM only: project the hidden state to this size (default 0: no projection).
    """

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                     "bidirectional", "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=2)
        if not isinstance(bias, bool):
            raise TypeError(f"bias should be of type bool, got: {type(bias).__name__}")
        if not isinstance(batch_first, bool):
            raise TypeError(f"batch_first should be of type bool, got: {type(batch_first).__name__}")
        if not isinstance(input_size, int):
            raise TypeError(f"input_size should be of type int, got: {type(input_size).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        gate_size = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}.get(mode)
        if gate_size is None:
            raise ValueError("Unrecognized RNN mode: " + mode)
        gate_size *= hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        kw = {"device": device, "dtype": dtype}
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                suffix = "_reverse" if direction == 1 else ""
                params = [("weight_ih_l{}{}", (gate_size, layer_input_size)),
                          ("weight_hh_l{}{}", (gate_size, real_hidden_size))]
                if bias:
                    params += [("bias_ih_l{}{}", (gate_size,)), ("bias_hh_l{}{}", (gate_size,))]
                if proj_size > 0:
                    params += [("weight_hr_l{}{}", (proj_size, hidden_size))]
                names = []
                for fmt, shape in params:
                    name = fmt.format(layer, suffix)
                    setattr(self, name, Parameter(empty(shape, **kw)))
                    names.append(name)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n) if hasattr(self, n) else None for n in self._flat_weights_names]

    @property
    def all_weights(self):
        """The parameters of each layer and direction, as lists in torch's order."""
        return [[getattr(self, w) for w in weights] for weights in self._all_weights]

    def flatten_parameters(self):
        """A no-op (torch packs the weights for cuDNN here)."""

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    # -- torch's argument checks --------------------------------------------------------------------
    def check_input(self, input, batch_sizes):
        w_dtype = self._flat_weights[0].dtype
        if input.dtype != w_dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({w_dtype}). Convert "
                             f"input: input.to({w_dtype}), or convert model: model.to({input.dtype})")
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(f"input must have {expected_input_dim} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, size)

    def check_hidden_size(self, hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        if tuple(hx.size()) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.size())))

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden, self.get_expected_hidden_size(input, batch_sizes))

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx.index_select(1, permutation)

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # -- the computation ------------------------------------------------------------------------------
    def _prepare(self, input, name):
        """Validate the input's rank; return (input as (L, N, H_in) or batch_first, is_batched)."""
        if input.dim() not in (2, 3):
            sfx = " tensor" if name == "RNN" else ""
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D{sfx} instead")
        is_batched = input.dim() == 3
        if not is_batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
        return input, is_batched

    def _layer_weights(self, k):
        """(w_ih, w_hh, b_ih, b_hh, w_hr) of layer-direction ``k`` (None where absent)."""
        ws = self.all_weights[k]
        b_ih, b_hh = (ws[2], ws[3]) if self.bias else (None, None)
        return ws[0], ws[1], b_ih, b_hh, ws[-1] if self.proj_size > 0 else None

    def _forward_packed(self, packed, hx):
        """forward() for a PackedSequence: the output is packed like the input, the hidden state is
        in the caller's batch order."""
        from ..utils.rnn import PackedSequence
        from .rnn_packed import run_packed
        data, batch_sizes, sorted_indices, unsorted_indices = packed
        lstm = self.mode == "LSTM"
        if hx is None:
            shape = (self.num_layers * (2 if self.bidirectional else 1), int(batch_sizes[0]))
            real_size = self.proj_size if self.proj_size > 0 else self.hidden_size
            h0 = zeros(*shape, real_size, dtype=data.dtype)
            hx = (h0, zeros(*shape, self.hidden_size, dtype=data.dtype)) if lstm else h0
        else:
            hx = self.permute_hidden(hx, sorted_indices)
        self.check_forward_args(data, hx, batch_sizes)
        out, h_n, c_n = run_packed(self, data, batch_sizes, *(hx if lstm else (hx, None)))
        hidden = (h_n, c_n) if lstm else h_n
        return PackedSequence(out, batch_sizes, sorted_indices, unsorted_indices), \
            self.permute_hidden(hidden, unsorted_indices)

    def _zeros_hidden(self, input, size):
        n = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return zeros(self.num_layers * num_directions, n, size, dtype=input.dtype)

    def _run(self, input, h0, c0):
        """All layers and directions. ``input`` (L, N, H_in) or (N, L, H_in); h0/c0 (layers*dirs, N, H)."""
        x = input.transpose(0, 1) if self.batch_first else input
        if x.size(0) == 0:
            raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
        num_directions = 2 if self.bidirectional else 1
        h_n, c_n = [], []
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:
                x = F.dropout(x, self.dropout, True)
            outs = []
            for direction in range(num_directions):
                k = layer * num_directions + direction
                w_ih, w_hh, b_ih, b_hh, w_hr = self._layer_weights(k)
                xp = F.linear(x, w_ih, b_ih)  # the input projection of every time step at once
                out, h, c = _rnn_layer(self.mode, xp, h0[k], None if c0 is None else c0[k], w_hh, b_hh, w_hr,
                                       direction == 1)
                outs.append(out)
                h_n.append(h)
                c_n.append(c)
            x = outs[0] if num_directions == 1 else cat(outs, 2)
        output = x.transpose(0, 1) if self.batch_first else x
        return output, stack(h_n, 0), (stack(c_n, 0) if c0 is not None else None)


def _is_packed(x):
    return type(x).__name__ == "PackedSequence" or (not isinstance(x, Tensor) and hasattr(x, "batch_sizes"))


class RNN(RNNBase):
    """Elman RNN: h_t = tanh(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh) (or relu).

    Args:
        input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
        dropout=0.0, bidirectional=False (torch's positional order).

    Inputs: ``input`` (L, N, H_in) ((N, L, H_in) with batch_first, or unbatched (L, H_in)) and
    optional ``hx`` (D*num_layers, N, H_out). Outputs: ``output`` (L, N, D*H_out) and ``h_n``.

    Example:
        >>> rnn = nn.RNN(10, 20, 2)
        >>> output, h_n = rnn(ndgrad.randn(5, 3, 10), ndgrad.randn(2, 3, 20))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx=None):
        if _is_packed(input):
            return self._forward_packed(input, hx)
        input, is_batched = self._prepare(input, "RNN")
        if hx is not None:
            if not is_batched:
                if hx.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")
                hx = hx.unsqueeze(1)
            elif hx.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
        else:
            hx = self._zeros_hidden(input, self.hidden_size)
        self.check_forward_args(input, hx, None)
        output, h_n, _ = self._run(input, hx, None)
        if not is_batched:
            output = output.squeeze(0 if self.batch_first else 1)
            h_n = h_n.squeeze(1)
        return output, h_n


class LSTM(RNNBase):
    """Long short-term memory, gates (i, f, g, o):

        i, f, o = σ(W_i· x + b_i· + W_h· h + b_h·),  g = tanh(W_ig x + b_ig + W_hg h + b_hg)
        c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c')   (h' = W_hr h' with ``proj_size > 0``)

    Args:
        input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
        bidirectional=False, proj_size=0.

    Inputs: ``input`` and optional ``(h_0, c_0)``; outputs ``output, (h_n, c_n)``.

    Example:
        >>> lstm = nn.LSTM(10, 20, batch_first=True)
        >>> out, (h, c) = lstm(ndgrad.randn(3, 5, 10))
        >>> out.shape
        torch.Size([3, 5, 20])
    """

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def get_expected_cell_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        num_directions = 2 if self.bidirectional else 1
        return (self.num_layers * num_directions, mini_batch, self.hidden_size)

    def check_forward_args(self, input, hidden, batch_sizes):
        self.check_input(input, batch_sizes)
        self.check_hidden_size(hidden[0], self.get_expected_hidden_size(input, batch_sizes),
                               "Expected hidden[0] size {}, got {}")
        self.check_hidden_size(hidden[1], self.get_expected_cell_size(input, batch_sizes),
                               "Expected hidden[1] size {}, got {}")

    def permute_hidden(self, hx, permutation):
        if permutation is None:
            return hx
        return hx[0].index_select(1, permutation), hx[1].index_select(1, permutation)

    def forward(self, input, hx=None):
        if _is_packed(input):
            return self._forward_packed(input, hx)
        input, is_batched = self._prepare(input, "LSTM")
        real_hidden_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        if hx is None:
            hx = (self._zeros_hidden(input, real_hidden_size), self._zeros_hidden(input, self.hidden_size))
        else:
            if is_batched:
                if hx[0].dim() != 3 or hx[1].dim() != 3:
                    raise RuntimeError("For batched 3-D input, hx and cx should also be 3-D but got "
                                       f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
            else:
                if hx[0].dim() != 2 or hx[1].dim() != 2:
                    raise RuntimeError("For unbatched 2-D input, hx and cx should also be 2-D but got "
                                       f"({hx[0].dim()}-D, {hx[1].dim()}-D) tensors")
                hx = (hx[0].unsqueeze(1), hx[1].unsqueeze(1))
        self.check_forward_args(input, hx, None)
        output, h_n, c_n = self._run(input, hx[0], hx[1])
        if not is_batched:
            output = output.squeeze(0 if self.batch_first else 1)
            h_n, c_n = h_n.squeeze(1), c_n.squeeze(1)
        return output, (h_n, c_n)


class GRU(RNNBase):
    """Gated recurrent unit, gates (r, z, n):

        r = σ(W_ir x + b_ir + W_hr h + b_hr),  z = σ(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),  h' = (1 - z) ⊙ n + z ⊙ h

    Args:
        input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
        bidirectional=False.

    Example:
        >>> gru = nn.GRU(10, 20, 2, bidirectional=True)
        >>> out, h_n = gru(ndgrad.randn(5, 3, 10))
        >>> out.shape, h_n.shape
        (torch.Size([5, 3, 40]), torch.Size([4, 3, 20]))
    """

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        if _is_packed(input):
            return self._forward_packed(input, hx)
        input, is_batched = self._prepare(input, "GRU")
        if hx is not None:
            if not is_batched:
                if hx.dim() != 2:
                    raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {hx.dim()}-D tensor")
                hx = hx.unsqueeze(1)
            elif hx.dim() != 3:
                raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {hx.dim()}-D tensor")
        else:
            hx = self._zeros_hidden(input, self.hidden_size)
        self.check_forward_args(input, hx, None)
        output, h_n, _ = self._run(input, hx, None)
        if not is_batched:
            output = output.squeeze(0 if self.batch_first else 1)
            h_n = h_n.squeeze(1)
        return output, h_n
