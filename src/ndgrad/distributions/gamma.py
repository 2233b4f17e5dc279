"""Gamma distribution (shape ``concentration``, inverse scale ``rate``) and the standard-gamma sampler."""
import numbers

import numpy as np

import ndgrad as _nd
from ndgrad.autograd import Function
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all, finfo

__all__ = ["Gamma"]


def _dsample_dalpha(x, a):
    """Implicit reparametrisation gradient d x / d alpha of a standard gamma sample x ~ Gamma(a, 1).

    From F(x; a) = u held fixed: dx/da = -(dF/da) / pdf(x; a); dF/da by a central difference."""
    from ndgrad.ops._special_more import gammainc
    a = np.asarray(a, dtype=np.float64)
    x = np.asarray(x, dtype=np.float64)
    h = 1e-5 * np.maximum(a, 1.0)
    dF = (gammainc(a + h, x) - gammainc(a - h, x)) / (2 * h)
    lg = _nd.lgamma(_nd.tensor(a, dtype=_nd.float64)).numpy()
    log_pdf = (a - 1) * np.log(x) - x - lg
    return -dF / np.exp(log_pdf)


class _StandardGamma(Function):
    @staticmethod
    def forward(ctx, alpha):
        from ndgrad.ops.random import _rng
        a = alpha.detach().numpy()
        dt = a.dtype
        x = _rng(None).standard_gamma(a.astype(np.float64)).astype(dt)
        x = np.maximum(x, np.finfo(dt).tiny)
        out = _nd.tensor(x, dtype=alpha.dtype)
        ctx.save_for_backward(alpha, out)
        return out

    @staticmethod
    def backward(ctx, grad):
        alpha, x = ctx.saved_tensors
        d = _dsample_dalpha(x.detach().numpy(), alpha.detach().numpy())
        return grad * _nd.tensor(d, dtype=alpha.dtype)


def standard_gamma(alpha):
    """Gamma(alpha, 1) samples; differentiable with respect to ``alpha`` (implicit reparametrisation)."""
    return _StandardGamma.apply(alpha)


class Gamma(Distribution):
    arg_constraints = {"concentration": constraints.positive, "rate": constraints.positive}
    support = constraints.nonnegative
    has_rsample = True
    _mean_carrier_measure = 0

    def __init__(self, concentration, rate, validate_args=None):
        self.concentration, self.rate = broadcast_all(concentration, rate)
        if isinstance(concentration, numbers.Number) and isinstance(rate, numbers.Number):
            batch_shape = _nd.Size()
        else:
            batch_shape = self.concentration.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Gamma, batch_shape, _instance, ('concentration', 'rate'))

    @property
    def mean(self):
        return self.concentration / self.rate

    @property
    def mode(self):
        return ((self.concentration - 1) / self.rate).clamp(min=0)

    @property
    def variance(self):
        return self.concentration / self.rate.pow(2)

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        value = standard_gamma(self.concentration.expand(shape)) / self.rate.expand(shape)
        tiny = float(finfo(value.dtype).tiny)
        return value.clamp(min=tiny) if bool((value < tiny).any()) else value

    def log_prob(self, value):
        value = _nd.as_tensor(value, dtype=self.rate.dtype)
        if self._validate_args:
            self._validate_sample(value)
        c, r = self.concentration, self.rate
        return _nd.xlogy(c, r) + _nd.xlogy(c - 1, value) - r * value - _nd.lgamma(c)

    def entropy(self):
        c = self.concentration
        return c - _nd.log(self.rate) + _nd.lgamma(c) + (1.0 - c) * _nd.digamma(c)

    def cdf(self, value):
        if self._validate_args:
            self._validate_sample(value)
        return _nd.special.gammainc(self.concentration, self.rate * value)
