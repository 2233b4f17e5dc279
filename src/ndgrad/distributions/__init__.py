"""ndgrad.distributions: torch.distributions on ndgrad tensors.

Every density, entropy and KL term is written with differentiable ndgrad ops, so gradients flow to the
parameters; ``rsample`` uses reparametrisation. Samples come from ndgrad's generator (``manual_seed``).

Example:
    >>> import ndgrad as torch
    >>> torch.distributions.Normal(0., 1.).log_prob(torch.tensor(0.))
    tensor(-0.9189)
"""
from . import constraints  # noqa: F401
from .distribution import Distribution
from .normal import Normal
from .uniform import Uniform
from .bernoulli import Bernoulli
from .categorical import Categorical
from .one_hot_categorical import OneHotCategorical
from .exponential import Exponential
from .laplace import Laplace
from .beta import Beta
from .gamma import Gamma
from .dirichlet import Dirichlet
from .poisson import Poisson
from .binomial import Binomial
from .multivariate_normal import MultivariateNormal
from .independent import Independent
from .kl import kl_divergence, register_kl

__all__ = ["Distribution", "Normal", "Uniform", "Bernoulli", "Categorical", "OneHotCategorical", "Exponential",
           "Laplace", "Beta", "Gamma", "Dirichlet", "Poisson", "Binomial", "MultivariateNormal", "Independent",
           "kl_divergence", "register_kl", "constraints"]
