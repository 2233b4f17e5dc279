"""Poisson distribution with rate ``rate``."""
import numbers

import ndgrad as _nd
from . import constraints
from .distribution import Distribution
from .utils import broadcast_all

__all__ = ["Poisson"]


class Poisson(Distribution):
    arg_constraints = {"rate": constraints.nonnegative}
    support = constraints.nonnegative_integer

    def __init__(self, rate, validate_args=None):
        (self.rate,) = broadcast_all(rate)
        batch_shape = _nd.Size() if isinstance(rate, numbers.Number) else self.rate.size()
        super().__init__(batch_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(Poisson, batch_shape, _instance, ('rate',))

    @property
    def mean(self):
        return self.rate

    @property
    def mode(self):
        return self.rate.floor()

    @property
    def variance(self):
        return self.rate

    def sample(self, sample_shape=()):
        from ndgrad.ops.random import _rng
        shape = self._extended_shape(sample_shape)
        with _nd.no_grad():
            lam = self.rate.expand(shape).detach().numpy()
            draws = _rng(None).poisson(lam).astype(lam.dtype)
            return _nd.tensor(draws, dtype=self.rate.dtype)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        rate, value = broadcast_all(self.rate, value)
        return _nd.xlogy(value, rate) - rate - _nd.lgamma(value + 1)
