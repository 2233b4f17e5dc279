"""Differentiable primitives, one module per family. Importing this package attaches every op's
methods and operators to ``Tensor``."""
from . import (arith, compare, convert, creation, cumulative, indexing, joining, linalg, random,  # noqa: F401
               reduction, scatter_gather, shape, softmax, sorting, unary)

MODULES = (creation, random, arith, unary, compare, convert, reduction, cumulative, sorting, shape, joining, indexing,
           scatter_gather, linalg, softmax)
