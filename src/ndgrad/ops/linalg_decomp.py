"""Matrix decompositions, determinants, inverses and solvers (torch.linalg and their top-level aliases), with torch's gradient formulas.

The implementations live in ``linalg_solve`` (inverse, det, solve, Cholesky, LU), ``linalg_spectral``
(QR, eigh, eig, SVD, pinv, lstsq) and ``linalg_misc`` (matrix_power, matrix_exp, cross, multi_dot ...);
this module exports the top-level names and Tensor methods. ``ndgrad.linalg`` exports the
``linalg_<name>`` functions as ``ndgrad.linalg.<name>``.
"""
from ._core import Tensor
from .linalg_solve import (  # noqa: F401
    LinAlgError, det, logdet, slogdet, inverse, cholesky, cholesky_solve, cholesky_inverse, triangular_solve, lu,
    lu_solve, lu_unpack, linalg_det, linalg_slogdet, linalg_inv, linalg_inv_ex, linalg_solve, linalg_solve_ex,
    linalg_solve_triangular, linalg_cholesky, linalg_cholesky_ex, linalg_lu_factor, linalg_lu_factor_ex, linalg_lu,
    linalg_lu_solve)
from .linalg_spectral import (  # noqa: F401
    qr, svd, pinverse, linalg_qr, linalg_eigh, linalg_eigvalsh, linalg_eig, linalg_eigvals, linalg_svd,
    linalg_svdvals, linalg_pinv, linalg_lstsq, linalg_matrix_rank, linalg_cond)
from .linalg_misc import (  # noqa: F401
    matrix_power, matrix_exp, cross, chain_matmul, linalg_matrix_power, linalg_matrix_exp, linalg_cross,
    linalg_vecdot, linalg_multi_dot, linalg_vander, linalg_tensorinv, linalg_tensorsolve, linalg_diagonal,
    linalg_householder_product)

__all__ = ["det", "logdet", "slogdet", "inverse", "cholesky", "cholesky_solve", "cholesky_inverse",
           "triangular_solve", "lu", "lu_solve", "lu_unpack", "qr", "svd", "pinverse", "matrix_power", "matrix_exp",
           "cross", "chain_matmul"]
_METHODS = ["det", "logdet", "slogdet", "inverse", "cholesky", "cholesky_solve", "cholesky_inverse",
            "triangular_solve", "lu", "lu_solve", "qr", "svd", "pinverse", "matrix_power", "matrix_exp", "cross"]


def _attach():
    g = globals()
    for name in _METHODS:
        setattr(Tensor, name, g[name])


_attach()
