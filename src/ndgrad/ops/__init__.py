"""Differentiable primitives, one module per family. Importing this package attaches every op's
methods and operators to ``Tensor``."""
from . import (arith, compare, convert, creation, indexing, joining, linalg, reduction, shape, softmax,  # noqa: F401
               sorting, unary)

MODULES = (creation, arith, unary, compare, convert, reduction, sorting, shape, joining, indexing, linalg, softmax)
