"""Activation functions (torch.nn.functional's), forward in NumPy and backward side by side.

Each activation that torch implements as one kernel is one op here, with torch's node name
(``GeluBackward0``, ``LeakyReluBackward0`` ...). The backward formulas are written with ndgrad ops,
so they can be differentiated again. Piecewise-linear activations multiply the gradient by a
mask computed from the saved input: the mask is piecewise constant, so it needs no gradient.
``inplace=True`` runs the same op through ndgrad's in-place machinery (version counter, leaf checks).
"""
import math
import warnings

import numpy as np

from ...ops import _core
from ...ops._core import Node, unary, wrap, edge, mode, record, NOEDGE
from ...ops import unary as _u
from ...ops import special_fns as _sf
from ...ops import softmax as _ops_softmax
from ...ops.compare import where

__all__ = ["threshold", "threshold_", "relu", "relu_", "relu6", "hardtanh", "hardtanh_", "hardswish", "elu", "elu_",
           "selu", "selu_", "celu", "celu_", "leaky_relu", "leaky_relu_", "prelu", "rrelu", "rrelu_", "glu", "gelu",
           "logsigmoid", "hardshrink", "softshrink", "tanhshrink", "softsign", "softplus", "softmin", "softmax",
           "log_softmax", "gumbel_softmax", "tanh", "sigmoid", "hardsigmoid", "silu", "mish"]

_ONE_SIXTH = float(np.float32(1.0 / 6.0))
_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                 "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _floating(input, kernel):
    """Activations with a transcendental kernel refuse integer tensors, as torch's CPU kernels do."""
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{_SCALAR_NAMES.get(input.dtype.name, input.dtype.name)}\'')


def _own_counter(fn):
    """Run ``fn`` on the snapshot ``_core.inplace`` makes, after giving that snapshot a version
    counter of its own: the node may save it, and the in-place write bumps ``input``'s counter
    (which ``Tensor.detach`` shares), so a shared counter would fail the saved-tensor check."""
    def run(t, *args):
        if mode.enabled:  # only the recording path runs on a snapshot
            t._vc = [t._vc[0]]
        return fn(t, *args)
    return run


def _inplace(input, fn, *args):
    return _core.inplace(input, _own_counter(fn), *args)


def _maybe_inplace(input, fn, inplace_flag, *args):
    if inplace_flag:
        return _inplace(input, fn, *args)
    return fn(input, *args)


class _ScaleBackward(Node):
    """Backward of ``_scaled``: linear in the gradient; the saved input only shaped the factor."""

    __slots__ = ("factor",)

    def backward(self, gg):
        (fg, _), (fx, _) = self.next_functions
        return (_scaled(gg, None, self.factor) if fg is not None else None,
                gg * 0 if fx is not None else None)


def _scaled(grad, x, factor):
    """grad * factor, for a factor that is piecewise constant in ``x`` (a mask or slopes): one fused
    op whose derivative w.r.t. ``x`` is zero, recorded so gradients of gradients stay connected."""
    out = wrap(grad._data * factor)
    if mode.enabled and (grad._rg or (x is not None and x._rg)):
        node = _ScaleBackward(edge(grad), edge(x) if x is not None else NOEDGE)
        node.factor = factor
        _core.record(node, out, grad, x)
    return out


# -- threshold / relu family ---------------------------------------------------------------------------
class ThresholdBackward0(Node):
    __slots__ = ("threshold",)

    def backward(self, grad):
        return _u.threshold_backward(grad, self.saved[0], self.threshold)


class ThresholdBackward1(ThresholdBackward0):  # torch's name for the in-place variant
    __slots__ = ()


def _threshold(input, threshold, value, node=ThresholdBackward0):
    return unary(input, lambda d: np.where(d > threshold, d, np.asarray(value, dtype=d.dtype)),
                 node, save="input", threshold=threshold)


def threshold(input, threshold, value, inplace=False):
    """y = x if x > threshold else value."""
    if inplace:
        return threshold_(input, threshold, value)
    return _threshold(input, threshold, value)


def threshold_(input, threshold, value):
    return _inplace(input, _threshold, threshold, value, ThresholdBackward1)


def relu(input, inplace=False):
    """max(x, 0)."""
    if inplace:
        return _u.relu_(input)
    return _u.relu(input)


def relu_(input):
    return _u.relu_(input)


class HardtanhBackward0(Node):
    __slots__ = ("min_val", "max_val")

    def backward(self, grad):
        x = self.saved[0]
        d = x._data
        return _scaled(grad, x, ((d > self.min_val) & (d < self.max_val)).astype(d.dtype))


def _hardtanh(input, min_val, max_val):
    return unary(input, lambda d: np.clip(d, min_val, max_val).astype(d.dtype, copy=False), HardtanhBackward0,
                 save="input", min_val=min_val, max_val=max_val)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """clamp(x, min_val, max_val), with zero gradient outside (min_val, max_val)."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(input, _hardtanh, inplace, min_val, max_val)


def hardtanh_(input, min_val=-1.0, max_val=1.0):
    return hardtanh(input, min_val, max_val, inplace=True)


def relu6(input, inplace=False):
    """min(max(x, 0), 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


class HardswishBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        mid = grad * (x / 3.0 + 0.5)
        return where(x <= -3.0, 0.0, where(x < 3.0, mid, grad))


def _hardswish(input):
    _floating(input, "hardswish_cpu")
    return unary(input, lambda d: (d * np.clip(d + 3, 0, 6) / 6).astype(d.dtype, copy=False), HardswishBackward0,
                 save="input")


def hardswish(input, inplace=False):
    """x * relu6(x + 3) / 6."""
    return _maybe_inplace(input, _hardswish, inplace)


class HardsigmoidBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        d = x._data
        # torch multiplies by 1/6 rounded to float32, whatever the dtype
        return _scaled(grad, x, np.where((d > -3.0) & (d < 3.0), _ONE_SIXTH, 0).astype(d.dtype))


def _hardsigmoid(input):
    _floating(input, "hardsigmoid_cpu")
    return unary(input, lambda d: (np.clip(d + 3, 0, 6) / 6).astype(d.dtype, copy=False), HardsigmoidBackward0,
                 save="input")


def hardsigmoid(input, inplace=False):
    """relu6(x + 3) / 6."""
    return _maybe_inplace(input, _hardsigmoid, inplace)


# -- exponential linear units --------------------------------------------------------------------------
class EluBackward0(Node):
    """y = scale * (x if x > 0 else alpha * (exp(x * input_scale) - 1))."""

    __slots__ = ("alpha", "scale", "input_scale")

    def backward(self, grad):
        x = self.saved[0]
        neg = grad * (self.scale * self.alpha * self.input_scale) * _u.exp(x * self.input_scale)
        pos = grad * self.scale if self.scale != 1 else grad
        return where(x > 0, pos, neg)


class CeluBackward0(EluBackward0):
    __slots__ = ()


class EluBackward1(EluBackward0):  # the in-place variants' names in torch
    __slots__ = ()


class CeluBackward1(EluBackward0):
    __slots__ = ()


def _elu_np(alpha, scale, input_scale):
    def fn(d):
        neg = np.expm1(np.minimum(d, 0) * input_scale) * alpha
        out = np.where(d > 0, d, neg)
        if scale != 1:
            out = out * scale
        return out.astype(d.dtype, copy=False)
    return fn


def _elu(input, alpha, scale=1.0, input_scale=1.0, node=EluBackward0):
    _floating(input, "elu_cpu")
    return unary(input, _elu_np(alpha, scale, input_scale), node, save="input", alpha=alpha, scale=scale,
                 input_scale=input_scale)


def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else alpha * (exp(x) - 1)."""
    if inplace:
        return elu_(input, alpha)
    return _elu(input, alpha)


def elu_(input, alpha=1.0):
    return _inplace(input, _elu, alpha, 1.0, 1.0, EluBackward1)


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(input, inplace=False):
    """scale * elu(x, alpha) with the self-normalising constants."""
    if inplace:
        return _inplace(input, _elu, _SELU_ALPHA, _SELU_SCALE, 1.0, EluBackward1)
    return _elu(input, _SELU_ALPHA, _SELU_SCALE)


def selu_(input):
    return selu(input, inplace=True)


def _celu(input, alpha, node=CeluBackward0):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError")
    return _elu(input, alpha, 1.0, 1.0 / alpha, node)


def celu(input, alpha=1.0, inplace=False):
    """max(0, x) + min(0, alpha * (exp(x / alpha) - 1))."""
    if inplace:
        return _inplace(input, _celu, alpha, CeluBackward1)
    return _celu(input, alpha)


def celu_(input, alpha=1.0):
    return celu(input, alpha, inplace=True)


# -- leaky / parametric / randomized ReLU ----------------------------------------------------------------
class LeakyReluBackward0(Node):
    __slots__ = ("negative_slope",)

    def backward(self, grad):
        x = self.saved[0]
        d = x._data
        return _scaled(grad, x, np.where(d > 0, 1, self.negative_slope).astype(d.dtype))


class LeakyReluBackward1(LeakyReluBackward0):
    __slots__ = ()


def _leaky_relu(input, negative_slope, node=None):
    _floating(input, "leaky_relu_cpu")
    return unary(input, lambda d: np.where(d > 0, d, d * negative_slope).astype(d.dtype, copy=False),
                 node or LeakyReluBackward0, save="input", negative_slope=negative_slope)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope * x."""
    if inplace:
        return leaky_relu_(input, negative_slope)
    return _leaky_relu(input, negative_slope)


def leaky_relu_(input, negative_slope=0.01):
    return _inplace(input, _leaky_relu, negative_slope, LeakyReluBackward1)


class PreluKernelBackward0(Node):
    """y = x if x > 0 else w * x, with w broadcast along the channel dimension."""

    __slots__ = ()

    def backward(self, grad):
        x, w = self.saved
        (fx, _), (fw, _) = self.next_functions
        pos = x > 0
        gx = where(pos, grad, grad * w) if fx is not None else None
        gw = where(pos, 0.0, grad * x) if fw is not None else None  # summed to w's shape by the engine
        return gx, gw


def prelu(input, weight):
    """x if x > 0 else weight * x; ``weight`` has one entry or one per channel (dim 1)."""
    xd, wd = input._data, weight._data
    n = wd.size
    channels = xd.shape[1] if xd.ndim >= 2 else 1
    if n != 1 and n != channels:
        raise RuntimeError("Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{n} and channel size = {channels}.")
    if wd.ndim > 1:
        weight = weight.reshape(-1)
    w = weight.reshape([n] + [1] * (xd.ndim - 2)) if (xd.ndim >= 2 and n > 1) else weight.reshape(())
    out = wrap(np.where(xd > 0, xd, xd * w._data).astype(xd.dtype, copy=False))
    if mode.enabled and (input._rg or w._rg):
        node = PreluKernelBackward0(edge(input), edge(w))
        node.save(input, w)
        record(node, out, input, w)
    return out


class RreluWithNoiseBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return _scaled(grad, None, self.saved[0]._data)


class RreluWithNoiseBackward1(RreluWithNoiseBackward0):
    __slots__ = ()


def _rrelu(input, lower, upper, training, node_cls=None):
    _floating(input, "rrelu_with_noise_cpu")
    if not training:
        slope = (lower + upper) / 2
        noise_fn = lambda d: np.where(d > 0, 1, slope).astype(d.dtype)  # noqa: E731
    else:
        from ...ops.creation import _rng
        noise_fn = lambda d: np.where(d > 0, 1, _rng(None).uniform(lower, upper, d.shape)).astype(d.dtype)  # noqa
    d = input._data
    noise = wrap(noise_fn(d))
    out = wrap(d * noise._data)
    if mode.enabled and input._rg:
        node = (node_cls or RreluWithNoiseBackward0)(edge(input))
        node.save(noise)
        _core.attach(out, node)
    return out


def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, inplace=False):
    """Randomized leaky ReLU: slope ~ U(lower, upper) per element in training, (lower+upper)/2 otherwise."""
    if inplace:
        return _inplace(input, _rrelu, lower, upper, training, RreluWithNoiseBackward1)
    return _rrelu(input, lower, upper, training)


def rrelu_(input, lower=1.0 / 8, upper=1.0 / 3, training=False):
    return rrelu(input, lower, upper, training, inplace=True)


# -- smooth activations -----------------------------------------------------------------------------------
class GeluBackward0(Node):
    __slots__ = ("approximate",)

    def backward(self, grad):
        x = self.saved[0]
        if self.approximate == "tanh":
            k = math.sqrt(2.0 / math.pi)
            x2 = x * x
            inner = (x + x2 * x * 0.044715) * k
            t = _u.tanh(inner)
            d_inner = (x2 * (3 * 0.044715) + 1) * k
            return grad * ((t + 1) * 0.5 + x * 0.5 * (1 - t * t) * d_inner)
        cdf = (_sf.erf(x * (1 / math.sqrt(2.0))) + 1) * 0.5
        pdf = _u.exp(x * x * -0.5) * (1 / math.sqrt(2 * math.pi))
        return grad * (cdf + x * pdf)


def _gelu_np(approximate):
    def fn(d):
        if approximate == "tanh":
            k = math.sqrt(2.0 / math.pi)
            return (0.5 * d * (1 + np.tanh(k * (d + 0.044715 * d * d * d)))).astype(d.dtype, copy=False)
        from ...ops._special import erf
        return (d * 0.5 * (1 + erf(d * (1 / math.sqrt(2.0))))).astype(d.dtype, copy=False)
    return fn


def gelu(input, approximate="none"):
    """x * Φ(x) (``approximate='tanh'``: the tanh approximation)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    _floating(input, "GeluKernelImpl")
    return unary(input, _gelu_np(approximate), GeluBackward0, save="input", approximate=approximate)


class SiluBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        s = _u.sigmoid(x)
        return grad * s * (x * (1 - s) + 1)


def _silu(input):
    _floating(input, "silu_cpu")
    return unary(input, lambda d: d * _u._sigmoid_np(d), SiluBackward0, save="input")


def silu(input, inplace=False):
    """x * sigmoid(x) (a.k.a. swish)."""
    return _maybe_inplace(input, _silu, inplace)


def _softplus_np(d, beta=1.0, threshold=20.0):
    bx = d * beta if beta != 1 else d
    sp = np.logaddexp(0, bx)
    if beta != 1:
        sp = sp / beta
    return np.where(bx > threshold, d, sp).astype(d.dtype, copy=False)


class MishBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        x = self.saved[0]
        t = _u.tanh(softplus(x))
        return grad * (t + x * _u.sigmoid(x) * (1 - t * t))


def _mish(input):
    _floating(input, "mish_cpu")
    return unary(input, lambda d: (d * np.tanh(_softplus_np(d))).astype(d.dtype, copy=False), MishBackward0,
                 save="input")


def mish(input, inplace=False):
    """x * tanh(softplus(x))."""
    return _maybe_inplace(input, _mish, inplace)


class SoftplusBackward0(Node):
    __slots__ = ("beta", "threshold")

    def backward(self, grad):
        x = self.saved[0]
        bx = x * self.beta if self.beta != 1 else x
        return where(bx > self.threshold, grad, grad * _u.sigmoid(bx))


def softplus(input, beta=1.0, threshold=20.0):
    """log(1 + exp(beta * x)) / beta, and x where beta * x > threshold (numerically stable)."""
    _floating(input, "softplus_cpu")
    return unary(input, lambda d: _softplus_np(d, beta, threshold), SoftplusBackward0, save="input", beta=beta,
                 threshold=threshold)


class LogSigmoidBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return grad * _u.sigmoid(-self.saved[0])


def logsigmoid(input):
    """log(sigmoid(x)), computed stably as min(x, 0) - log1p(exp(-|x|))."""
    _floating(input, "log_sigmoid_forward_cpu")
    return unary(input, lambda d: (np.minimum(d, 0) - np.log1p(np.exp(-np.abs(d)))).astype(d.dtype, copy=False),
                 LogSigmoidBackward0, save="input")


# -- shrinkage ----------------------------------------------------------------------------------------
class HardshrinkBackward0(Node):
    __slots__ = ("lambd",)

    def backward(self, grad):
        x = self.saved[0]
        d = x._data
        return _scaled(grad, x, ((d > self.lambd) | (d < -self.lambd)).astype(d.dtype))


def hardshrink(input, lambd=0.5):
    """x where |x| > lambd, else 0."""
    return unary(input, lambda d: np.where((d > lambd) | (d < -lambd), d, 0).astype(d.dtype, copy=False),
                 HardshrinkBackward0, save="input", lambd=lambd)


class SoftshrinkBackward0(HardshrinkBackward0):
    __slots__ = ()


def softshrink(input, lambd=0.5):
    """x - lambd where x > lambd, x + lambd where x < -lambd, else 0."""
    if lambd < 0:
        raise RuntimeError("lambda must be in range [0, 3.40282e+38] for input dtype "
                           f"{_SCALAR_NAMES.get(input.dtype.name, input.dtype.name)}, but found {lambd:g}")
    return unary(input, lambda d: np.where(d > lambd, d - lambd, np.where(d < -lambd, d + lambd, 0))
                 .astype(d.dtype, copy=False), SoftshrinkBackward0, save="input", lambd=lambd)


def tanhshrink(input):
    """x - tanh(x)."""
    return input - _u.tanh(input)


def softsign(input):
    """x / (1 + |x|)."""
    return input / (_u.abs(input) + 1)


def tanh(input):
    return _u.tanh(input)


def sigmoid(input):
    return _u.sigmoid(input)


def glu(input, dim=-1):
    """Gated linear unit: a * sigmoid(b), where a and b are the two halves of ``input`` along ``dim``."""
    if input.dim() == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _core.wrap_dim(dim, input.dim())
    n = input.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    a, b = input.chunk(2, d)
    return a * _u.sigmoid(b)


# -- softmax family --------------------------------------------------------------------------------------
def _get_softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                  "as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(x) / sum(exp(x)) along ``dim`` (computed with the max subtracted, so it never overflows)."""
    if dim is None:
        dim = _get_softmax_dim("softmax", input.dim(), _stacklevel)
    return _ops_softmax.softmax(input, dim, dtype)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    """softmax(-x) along ``dim``."""
    if dim is None:
        dim = _get_softmax_dim("softmin", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return _ops_softmax.softmax(-input, dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """log(softmax(x)) along ``dim``, computed as x - max - log(sum(exp(x - max)))."""
    if dim is None:
        dim = _get_softmax_dim("log_softmax", input.dim(), _stacklevel)
    return _ops_softmax.log_softmax(input, dim, dtype)


def gumbel_softmax(logits, tau=1, hard=False, eps=1e-10, dim=-1):
    """Sample from the Gumbel-softmax distribution; ``hard`` returns one-hot samples with the soft
    sample's gradient (straight-through)."""
    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    from ...ops.creation import _rng
    d = logits._data
    gumbels = wrap(-np.log(_rng(None).exponential(1.0, d.shape)).astype(d.dtype))
    y_soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return y_soft
    ax = _core.wrap_dim(dim, d.ndim)
    index = y_soft._data.argmax(axis=ax)
    hard_np = np.zeros_like(y_soft._data)
    np.put_along_axis(hard_np, np.expand_dims(index, ax), 1.0, axis=ax)
    return wrap(hard_np) - y_soft.detach() + y_soft
