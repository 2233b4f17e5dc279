"""Connectionist Temporal Classification loss: torch's ``_ctc_loss`` kernel in NumPy.

The forward runs the alpha recursion in log space over the blank-extended targets, one time step
at a time and vectorised over the batch and target positions; the backward runs the beta
recursion and forms torch's gradient ``exp(lp) - exp(log(Σ αβ) + nll - lp)``. That gradient
assumes ``log_probs`` come from ``log_softmax`` (the ``exp(lp)`` term cancels through its
backward), exactly as torch computes it. Like torch's, the kernel is once differentiable: a second
derivative raises.
"""
import numpy as np

from ...ops._core import Node, Tensor, wrap, edge, mode, attach

__all__ = ["ctc_loss_per_sample"]

_NEG_INF = -np.inf


def _lse(*arrays):
    """Elementwise log(sum(exp(a))) of arrays that may hold -inf."""
    m = arrays[0]
    for a in arrays[1:]:
        m = np.maximum(m, a)
    safe = np.where(np.isfinite(m), m, 0)
    with np.errstate(divide="ignore"):
        return np.log(sum(np.exp(a - safe) for a in arrays)) + safe


class _Ctc:
    """The batch as padded arrays: extended labels, valid positions, the skip-transition mask."""

    def __init__(self, lp, targets, input_lengths, target_lengths, blank):
        t_max, n, c = lp.shape
        self.lp, self.blank = lp, blank
        self.in_len = input_lengths
        self.tg_len = target_lengths
        l_max = int(target_lengths.max()) if n else 0
        s_max = 2 * l_max + 1
        labels = np.full((n, max(l_max, 1)), blank, dtype=np.int64)
        if targets.ndim == 2:
            for b in range(n):
                labels[b, :target_lengths[b]] = targets[b, :target_lengths[b]]
        else:
            start = 0
            for b in range(n):
                labels[b, :target_lengths[b]] = targets[start:start + target_lengths[b]]
                start += target_lengths[b]
        ext = np.full((n, s_max), blank, dtype=np.int64)
        ext[:, 1::2] = labels[:, :l_max]
        self.ext = ext
        pos = np.arange(s_max)
        self.valid = pos[None, :] <= 2 * target_lengths[:, None]
        skip = np.zeros((n, s_max), dtype=bool)
        skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
        self.skip = skip  # s may also come from s - 2
        lp_ext = np.take_along_axis(lp, np.broadcast_to(ext[None], (t_max, n, s_max)), axis=2)
        self.lp_ext = np.where(self.valid[None], lp_ext, _NEG_INF)

    def alpha(self):
        t_max, n, s_max = self.lp_ext.shape
        alpha = np.full((t_max, n, s_max), _NEG_INF)
        if t_max == 0:
            return alpha
        alpha[0, :, 0] = self.lp_ext[0, :, 0]
        if s_max > 1:
            alpha[0, :, 1] = self.lp_ext[0, :, 1]
        for t in range(1, t_max):
            prev = alpha[t - 1]
            s1 = np.concatenate([np.full((n, 1), _NEG_INF), prev[:, :-1]], axis=1)
            s2 = np.concatenate([np.full((n, 2), _NEG_INF), prev[:, :-2]], axis=1)[:, :s_max]
            s2 = np.where(self.skip, s2, _NEG_INF)
            alpha[t] = self.lp_ext[t] + _lse(prev, s1, s2)
        return alpha

    def nll(self, alpha):
        n = alpha.shape[1]
        rows = np.arange(n)
        last_t = np.maximum(self.in_len - 1, 0)
        end = 2 * self.tg_len
        a_end = alpha[last_t, rows, end]
        a_prev = np.where(self.tg_len > 0, alpha[last_t, rows, np.maximum(end - 1, 0)], _NEG_INF)
        ll = _lse(a_end, a_prev)
        ll = np.where(self.in_len > 0, ll, np.where(self.tg_len == 0, 0.0, _NEG_INF))
        return -ll

    def beta(self):
        t_max, n, s_max = self.lp_ext.shape
        beta = np.full((t_max, n, s_max), _NEG_INF)
        rows = np.arange(n)
        end = 2 * self.tg_len
        skip_next = np.zeros((n, s_max), dtype=bool)
        skip_next[:, :-2] = self.skip[:, 2:]  # s may go on to s + 2
        for t in range(t_max - 1, -1, -1):
            nxt = beta[t + 1] if t + 1 < t_max else np.full((n, s_max), _NEG_INF)
            s1 = np.concatenate([nxt[:, 1:], np.full((n, 1), _NEG_INF)], axis=1)
            s2 = np.concatenate([nxt[:, 2:], np.full((n, 2), _NEG_INF)], axis=1)
            s2 = np.where(skip_next, s2, _NEG_INF)
            rec = self.lp_ext[t] + _lse(nxt, s1, s2)
            init = np.full((n, s_max), _NEG_INF)
            init[rows, end] = self.lp_ext[t, rows, end]
            has_prev = self.tg_len > 0
            init[rows[has_prev], end[has_prev] - 1] = self.lp_ext[t, rows[has_prev], end[has_prev] - 1]
            first = (t == self.in_len - 1)[:, None]
            inside = (t < self.in_len - 1)[:, None]
            beta[t] = np.where(first, init, np.where(inside, rec, _NEG_INF))
        return beta

    def grad(self, alpha, beta, nll, zero_infinity):
        t_max, n, c = self.lp.shape
        ab = alpha + beta
        m = ab.max(axis=2, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        e = np.exp(ab - m)
        acc = np.zeros((t_max, n, c))
        rows = np.arange(n)
        for s in range(ab.shape[2]):
            acc[:, rows, self.ext[:, s]] += e[:, :, s]
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            lcab = np.log(acc) + m
            g = np.exp(self.lp) - np.exp(lcab + nll[None, :, None] - self.lp)
        g = np.where((np.arange(t_max)[:, None] < self.in_len[None, :])[:, :, None], g, 0.0)
        if zero_infinity:
            g = np.where(np.isinf(nll)[None, :, None], 0.0, g)
        return g


class CtcLossBackward0(Node):
    __slots__ = ("ctc", "alpha", "nll_np", "zero_infinity", "unbatched")

    def backward(self, grad):
        ctc = self.ctc
        g = ctc.grad(self.alpha, ctc.beta(), self.nll_np, self.zero_infinity)
        gd = grad._data if not self.unbatched else grad._data.reshape(1)
        out = g * gd[None, :, None]
        if self.unbatched:
            out = out[:, 0]
        result = wrap(out.astype(grad._data.dtype, copy=False))
        if mode.enabled and (grad._rg or self.next_functions[0][0] is not None):
            attach(result, CtcLossBackwardBackward0(edge(grad)))
        return result


class CtcLossBackwardBackward0(Node):
    __slots__ = ()

    def backward(self, gg):
        raise RuntimeError("derivative for _ctc_loss_backward is not implemented")


def _lengths(x, name):
    arr = x._data if isinstance(x, Tensor) else np.asarray(x)
    if arr.dtype.kind not in "iu":
        raise RuntimeError(f"{name} must be integral")
    return arr.astype(np.int64).reshape(-1)


def ctc_loss_per_sample(log_probs, targets, input_lengths, target_lengths, blank, zero_infinity):
    """The negative log likelihood of each sample (shape (N,), or () unbatched), with its node."""
    lp = log_probs._data
    unbatched = lp.ndim == 2
    if lp.ndim not in (2, 3):
        raise RuntimeError(f"ctc_loss expects log_probs to be 2-D (unbatched) or 3-D, got {lp.ndim}-D")
    lp3 = lp[:, None, :] if unbatched else lp
    t_max, n, c = lp3.shape
    if not 0 <= blank < c:
        raise RuntimeError("blank must be in label range")
    td = targets._data if isinstance(targets, Tensor) else np.asarray(targets)
    if unbatched:
        td = td.reshape(1, -1)
    il, tl = _lengths(input_lengths, "input_lengths"), _lengths(target_lengths, "target_lengths")
    if il.shape[0] != n:
        raise RuntimeError(f"input_lengths must be of size batch_size, but got {il.shape[0]} and {n}")
    if tl.shape[0] != n:
        raise RuntimeError(f"target_lengths must be of size batch_size, but got {tl.shape[0]} and {n}")
    for b in range(n):
        if il[b] > t_max:
            raise RuntimeError(f"Expected input_lengths to have value at most {t_max}, but got value {il[b]} "
                               "(while checking arguments for ctc_loss_cpu)")
    ctc = _Ctc(lp3.astype(np.float64), td.astype(np.int64), il, tl, blank)
    alpha = ctc.alpha()
    nll = ctc.nll(alpha)
    out_np = nll[0] if unbatched else nll
    out = wrap(np.asarray(out_np, dtype=lp.dtype))
    if mode.enabled and log_probs._rg:
        node = CtcLossBackward0(edge(log_probs))
        node.ctc, node.alpha, node.nll_np = ctc, alpha, nll
        node.zero_infinity, node.unbatched = zero_infinity, unbatched
        attach(out, node)
        node._in_meta = [(lp.shape, None)]
    return out, il, tl
