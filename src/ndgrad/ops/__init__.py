"""Differentiable primitives, one module per family. Importing this package attaches every op's
methods and operators to ``Tensor``."""
from . import (arith, operators, compare, convert, creation, cumulative, indexing, joining, linalg, random,  # noqa: F401
               reduction, scatter_gather, shape, softmax, sorting, unary, special_fns, linalg_decomp, statistics,
               construction)
from . import aliases  # noqa: F401,E402  (last: aliases the methods the modules above attach)

MODULES = (creation, random, arith, operators, unary, special_fns, compare, convert, reduction, cumulative, sorting,
           shape, joining, indexing, scatter_gather, linalg, softmax, linalg_decomp, statistics, construction)
