"""Searching, counting and statistics: unique, bincount, searchsorted/bucketize, histograms, quantiles, mode, running extrema, covariance and distances."""
from ._core import Tensor

__all__ = []       # top-level functions (also attached as Tensor methods when listed in _METHODS)
_METHODS = []      # names from __all__ that are Tensor methods too


def _attach():
    g = globals()
    for name in _METHODS:
        setattr(Tensor, name, g[name])


_attach()
