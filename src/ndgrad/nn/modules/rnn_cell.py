"""Recurrent cells: RNNCell, LSTMCell, GRUCell — one time step, built from the same step functions
as the layers in rnn.py, on ndgrad ops (so they are differentiable to any order)."""
import math

from ...ops.creation import empty, zeros
from .. import functional as F
from .. import init
from ..parameter import Parameter
from .module import Module
from .rnn import _ND, _gru_step, _lstm_step, _rnn_step

__all__ = ["RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


class RNNCellBase(Module):
    """Parameters and checks shared by RNNCell, LSTMCell and GRUCell: ``weight_ih``
    (chunks*hidden, input), ``weight_hh`` (chunks*hidden, hidden), ``bias_ih``, ``bias_hh``."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        kw = {"device": device, "dtype": dtype}
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(empty((num_chunks * hidden_size, input_size), **kw))
        self.weight_hh = Parameter(empty((num_chunks * hidden_size, hidden_size), **kw))
        if bias:
            self.bias_ih = Parameter(empty(num_chunks * hidden_size, **kw))
            self.bias_hh = Parameter(empty(num_chunks * hidden_size, **kw))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _prepare(self, name, input, hx, what="hidden"):
        """Unbatched inputs get a batch dimension; a missing state is zeros. Returns (input, hx, batched)."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        states = hx if isinstance(hx, (tuple, list)) else (hx,)
        for idx, value in enumerate(states):
            if value is not None and value.dim() not in (1, 2):
                label = f"hx[{idx}]" if isinstance(hx, (tuple, list)) else what
                raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {value.dim()}D instead")
        is_batched = input.dim() == 2
        if not is_batched:
            input = input.unsqueeze(0)
        if input.size(1) != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.size(1)} expected {self.input_size}")
        out = []
        for idx, value in enumerate(states):
            if value is None:
                value = zeros(input.size(0), self.hidden_size, dtype=input.dtype)
            elif not is_batched:
                value = value.unsqueeze(0)
            if value.size(0) != input.size(0):
                raise RuntimeError(f"Input batch size {input.size(0)} doesn't match hidden{idx} batch size "
                                   f"{value.size(0)}")
            if value.size(1) != self.hidden_size:
                raise RuntimeError(f"hidden{idx} has inconsistent hidden_size: got {value.size(1)}, expected "
                                   f"{self.hidden_size}")
            out.append(value)
        return input, out, is_batched


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh) (or relu).

    Example:
        >>> cell = nn.RNNCell(10, 20)
        >>> h = cell(ndgrad.randn(3, 10))
        >>> h.shape
        torch.Size([3, 20])
    """

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, (h,), is_batched = self._prepare("RNNCell", input, hx)
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        gx = F.linear(input, self.weight_ih, self.bias_ih)
        ret, _, _ = _rnn_step(_ND, gx, h, None, self.weight_hh, self.bias_hh, None, self.nonlinearity == "relu")
        return ret if is_batched else ret.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step: returns (h', c') (see :class:`LSTM` for the gate equations).

    Example:
        >>> cell = nn.LSTMCell(10, 20)
        >>> h, c = cell(ndgrad.randn(3, 10))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, (h, c), is_batched = self._prepare("LSTMCell", input, (None, None) if hx is None else hx)
        gx = F.linear(input, self.weight_ih, self.bias_ih)
        h2, c2, _ = _lstm_step(_ND, gx, h, c, self.weight_hh, self.bias_hh, None, False)
        return (h2, c2) if is_batched else (h2.squeeze(0), c2.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step (see :class:`GRU` for the gate equations).

    Example:
        >>> cell = nn.GRUCell(10, 20)
        >>> h = cell(ndgrad.randn(3, 10), ndgrad.randn(3, 20))
    """

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        input, (h,), is_batched = self._prepare("GRUCell", input, hx)
        gx = F.linear(input, self.weight_ih, self.bias_ih)
        ret, _, _ = _gru_step(_ND, gx, h, None, self.weight_hh, self.bias_hh, None, False)
        return ret if is_batched else ret.squeeze(0)
