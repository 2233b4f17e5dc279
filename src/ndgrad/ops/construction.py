"""Building and reshaping helpers: grids and products (meshgrid, cartesian_prod, combinations, block_diag), scatter-into-view ops, finite differences and integrals, and complex views."""
from ._core import Tensor

__all__ = []       # top-level functions (also attached as Tensor methods when listed in _METHODS)
_METHODS = []      # names from __all__ that are Tensor methods too


def _attach():
    g = globals()
    for name in _METHODS:
        setattr(Tensor, name, g[name])


_attach()
