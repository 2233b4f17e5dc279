"""Dirichlet distribution on the probability simplex."""
import ndgrad as _nd
from . import constraints
from .distribution import Distribution
from .gamma import standard_gamma

__all__ = ["Dirichlet"]


class Dirichlet(Distribution):
    arg_constraints = {"concentration": constraints.independent(constraints.positive, 1)}
    support = constraints.simplex
    has_rsample = True

    def __init__(self, concentration, validate_args=None):
        if concentration.dim() < 1:
            raise ValueError("`concentration` parameter must be at least one-dimensional.")
        self.concentration = concentration
        batch_shape, event_shape = concentration.shape[:-1], concentration.shape[-1:]
        super().__init__(batch_shape, event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        new = self._get_checked_instance(Dirichlet, _instance)
        batch_shape = _nd.Size(batch_shape)
        new.concentration = self.concentration.expand(tuple(batch_shape) + tuple(self.event_shape))
        Distribution.__init__(new, batch_shape, self.event_shape, validate_args=False)
        new._validate_args = self._validate_args
        return new

    def rsample(self, sample_shape=()):
        shape = self._extended_shape(sample_shape)
        g = standard_gamma(self.concentration.expand(shape))
        return g / g.sum(-1, keepdim=True)

    def log_prob(self, value):
        if self._validate_args:
            self._validate_sample(value)
        c = self.concentration
        return (_nd.xlogy(c - 1.0, value).sum(-1) + _nd.lgamma(c.sum(-1)) - _nd.lgamma(c).sum(-1))

    @property
    def mean(self):
        return self.concentration / self.concentration.sum(-1, True)

    @property
    def mode(self):
        c = self.concentration
        cm1 = (c - 1).clamp(min=0.0)
        mode = cm1 / cm1.sum(-1, True)
        mask = (c < 1).all(dim=-1)
        if bool(mask.any()):
            onehot = _nd.nn.functional.one_hot(mode.argmax(dim=-1), c.shape[-1]).to(mode.dtype)
            mode = _nd.where(mask.unsqueeze(-1), onehot, mode)
        return mode

    @property
    def variance(self):
        c = self.concentration
        c0 = c.sum(-1, True)
        return c * (c0 - c) / (c0.pow(2) * (c0 + 1))

    def entropy(self):
        c = self.concentration
        k = c.size(-1)
        a0 = c.sum(-1)
        return (_nd.lgamma(c).sum(-1) - _nd.lgamma(a0) - (k - a0) * _nd.digamma(a0)
                - ((c - 1.0) * _nd.digamma(c)).sum(-1))
