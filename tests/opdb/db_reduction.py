"""Op database entries: reductions and scans (ndgrad.ops.reduction, ndgrad.linalg norms)."""
import math

import numpy as np

from . import OpInfo, NonContig, Arr

INF = math.inf

# exact inputs with zeros (prod / cumprod), ties, zero rows (norms at 0) and NaN
ONE_ZERO = Arr([[1.5, 0.0, -2.0, 0.5], [0.7, 1.2, -1.1, 2.0], [0.0, 0.0, 3.0, 1.0]])
ZEROS_ROW = Arr([[0.0, 0.0, 0.0], [1.0, -2.0, 2.0], [3.0, 0.0, -4.0]])
CONST_ROW = Arr([[1.0, 1.0, 1.0], [0.5, -1.0, 2.0]])
SCAN_ZEROS = Arr([[1.5, 0.0, -2.0, 0.5, 3.0], [0.0, 1.2, 0.0, 2.0, -1.0], [0.7, 1.1, -0.9, 1.3, 0.0]])
WITH_NAN = Arr([[1.0, np.nan, 2.0], [3.0, -1.0, 0.5]])
INTS = Arr(np.array([[1, -2, 3], [4, 0, 6]], dtype=np.int64))
INT32 = Arr(np.array([[1, -2, 3], [4, 0, 6]], dtype=np.int32))
BOOLS = Arr(np.array([[True, False, True], [True, True, True]]))
UINT8 = Arr(np.array([[1, 0, 3], [4, 5, 6]], dtype=np.uint8))
INF_TIES = Arr([[3.0, -3.0, 1.0], [1.0, 2.0, -0.5]])

# torch returns a ZeroTensor as the second derivative of these norms (sgn / amax formulas), which
# test_op_db_higher.py cannot turn into NumPy; their second order is checked in test_reductions.py.
ZERO_2ND = True

OPS = [
    # -- sum / mean / nansum / nanmean ---------------------------------------------------------------
    OpInfo("sum", lambda lib, a: a.sum(), [((3, 4),), ((),), ((0, 3),), (NonContig((3, 4)),)]),
    OpInfo("sum_dim", lambda lib, a: lib.sum(a, 1), [((3, 4),), (NonContig((3, 4)),), ((2, 0),)]),
    OpInfo("sum_dims_keepdim", lambda lib, a: a.sum(dim=(0, -1), keepdim=True), [((2, 3, 4),), ((3, 4),)]),
    OpInfo("sum_neg_dim", lambda lib, a: a.sum(-2), [((2, 3, 4),)]),
    OpInfo("sum_0d_dim", lambda lib, a: a.sum(0), [((),)]),
    OpInfo("sum_0d_dim_keepdim", lambda lib, a: a.sum(-1, keepdim=True), [((),)]),
    OpInfo("sum_empty_dims", lambda lib, a: a.sum(dim=[]), [((2, 3),)]),
    OpInfo("sum_dtype", lambda lib, a: a.sum(1, dtype=lib.float64), [((3, 4),)], float32=False),
    OpInfo("sum_int", lambda lib, a: a.sum(), [(INTS,), (INT32,), (BOOLS,), (UINT8,)], grad=False),
    OpInfo("sum_int_dim", lambda lib, a: a.sum(0), [(INTS,), (INT32,), (BOOLS,)], grad=False),
    OpInfo("mean", lambda lib, a: a.mean(), [((3, 4),), ((),), (NonContig((3, 4)),)]),
    OpInfo("mean_dim", lambda lib, a: lib.mean(a, (0, 2), keepdim=True), [((2, 3, 4),)]),
    OpInfo("mean_0d_dim", lambda lib, a: a.mean(0), [((),)]),
    OpInfo("mean_dtype", lambda lib, a: a.mean(1, dtype=lib.float64), [((3, 4),)], float32=False),
    OpInfo("mean_int_dtype", lambda lib, a: a.mean(dtype=lib.float32), [(INTS,)], grad=False),
    OpInfo("mean_empty", lambda lib, a: a.mean(0), [((0, 3),)], grad=False),
    OpInfo("nansum", lambda lib, a: lib.nansum(a), [((3, 4),), (WITH_NAN,)]),
    OpInfo("nansum_dim", lambda lib, a: a.nansum(1, keepdim=True), [(WITH_NAN,), ((2, 3),)]),
    OpInfo("nansum_int", lambda lib, a: lib.nansum(a, 0), [(INTS,), (BOOLS,)], grad=False),
    OpInfo("nanmean", lambda lib, a: lib.nanmean(a), [((3, 4),), (WITH_NAN,)]),
    OpInfo("nanmean_dim", lambda lib, a: a.nanmean(1), [(WITH_NAN,), ((2, 3),)]),
    # -- prod -------------------------------------------------------------------------------------------
    OpInfo("prod", lambda lib, a: a.prod(), [((3, 4),), ((),), (NonContig((3, 4)),), ((0, 2),)],
           low=0.5, high=1.5),
    OpInfo("prod_zeros", lambda lib, a: a.prod(), [(ONE_ZERO,), (Arr([2.0, 0.0, 3.0, -1.5]),),
                                                   (Arr([0.0, 0.0, 3.0]),)]),
    OpInfo("prod_dim", lambda lib, a: lib.prod(a, 1), [((3, 4),), (ONE_ZERO,), (NonContig((3, 4)),), ((2, 0),)],
           low=0.5, high=1.5),
    OpInfo("prod_dim_keepdim", lambda lib, a: a.prod(-1, keepdim=True), [((3, 4),), (ONE_ZERO,)]),
    OpInfo("prod_dim0", lambda lib, a: a.prod(0), [(ONE_ZERO,), ((3, 4),)]),
    OpInfo("prod_0d_dim", lambda lib, a: a.prod(0), [((),)]),
    OpInfo("prod_dtype", lambda lib, a: a.prod(1, dtype=lib.float64), [((3, 4),)], float32=False),
    OpInfo("prod_int", lambda lib, a: a.prod(), [(INTS,), (INT32,), (BOOLS,), (UINT8,)], grad=False),
    OpInfo("prod_int_dim", lambda lib, a: a.prod(1), [(INTS,), (INT32,), (BOOLS,)], grad=False),
    # -- var / std ----------------------------------------------------------------------------------------
    OpInfo("var", lambda lib, a: a.var(), [((3, 4),), (NonContig((3, 4)),), ((5,),)]),
    OpInfo("var_dim", lambda lib, a: a.var(1), [((3, 4),), ((2, 3, 4),)]),
    OpInfo("var_unbiased_false", lambda lib, a: a.var(False), [((3, 4),)]),
    OpInfo("var_dim_unbiased_keepdim", lambda lib, a: lib.var(a, 1, False, True), [((3, 4),)]),
    OpInfo("var_correction", lambda lib, a: a.var(dim=(0, -1), correction=2, keepdim=True), [((3, 2, 4),)]),
    OpInfo("var_correction_float", lambda lib, a: lib.var(a, dim=None, correction=1.5), [((3, 4),)]),
    OpInfo("var_neg_dim", lambda lib, a: a.var(-1, keepdim=True), [((3, 4),), (CONST_ROW,)]),
    OpInfo("var_0d", lambda lib, a: a.var(correction=0), [((),)]),
    OpInfo("std", lambda lib, a: a.std(), [((3, 4),), (NonContig((3, 4)),)]),
    OpInfo("std_dim", lambda lib, a: lib.std(a, 0), [((3, 4),), ((2, 3, 4),)]),
    OpInfo("std_const_row", lambda lib, a: a.std(1), [(CONST_ROW,)]),
    OpInfo("std_correction", lambda lib, a: a.std(dim=1, correction=0, keepdim=True), [((3, 4),), (CONST_ROW,)]),
    OpInfo("std_unbiased", lambda lib, a: lib.std(a, 1, True), [((3, 4),)]),
    OpInfo("var_mean", lambda lib, a: lib.var_mean(a, 1), [((3, 4),), ((2, 3, 4),)]),
    OpInfo("var_mean_all", lambda lib, a: lib.var_mean(a, correction=0), [((3, 4),)]),
    OpInfo("var_mean_unbiased", lambda lib, a: lib.var_mean(a, False), [((3, 4),)]),
    OpInfo("std_mean", lambda lib, a: lib.std_mean(a, (0, 1), keepdim=True), [((3, 4),), ((2, 3, 4),)]),
    OpInfo("std_mean_mean_only", lambda lib, a: lib.std_mean(a, 1)[1], [((3, 4),)]),
    OpInfo("std_mean_std_only", lambda lib, a: lib.std_mean(a, 1)[0], [((3, 4),)]),
    # -- logsumexp ---------------------------------------------------------------------------------------
    OpInfo("logsumexp", lambda lib, a: lib.logsumexp(a, 1), [((3, 4),), (NonContig((3, 4)),), ((2, 3, 4),)],
           low=-5, high=5),
    OpInfo("logsumexp_dims", lambda lib, a: a.logsumexp((0, 1), keepdim=True), [((3, 4),), ((2, 3, 4),)]),
    OpInfo("logsumexp_large", lambda lib, a: a.logsumexp(-1), [(Arr([[1000.0, 1000.5, 999.0], [-1e3, -1e3, -999.]]),)]),
    OpInfo("logsumexp_inf", lambda lib, a: a.logsumexp(1), [(Arr([[-INF, -INF], [INF, 1.0], [-INF, 2.0]]),)],
           grad=False),
    OpInfo("logsumexp_0d", lambda lib, a: a.logsumexp(0), [((),)]),
    OpInfo("logsumexp_empty", lambda lib, a: a.logsumexp(1), [((2, 0),)], grad=False),
    OpInfo("logsumexp_int", lambda lib, a: a.logsumexp(1), [(INTS,)], grad=False),
    # -- norms (torch.norm and torch.linalg) ---------------------------------------------------------------
    OpInfo("norm", lambda lib, a: a.norm(), [((3, 4),), (NonContig((3, 4)),), ((),), ((0, 2),)]),
    OpInfo("norm_at_zero", lambda lib, a: a.norm(dim=1), [(ZEROS_ROW,)]),
    OpInfo("norm_all_zero", lambda lib, a: lib.norm(a), [(Arr(np.zeros((2, 3))),)]),
    OpInfo("norm_p1", lambda lib, a: lib.norm(a, 1, dim=1), [((3, 4),), (ZEROS_ROW,)], gradgrad=ZERO_2ND),
    OpInfo("norm_p3", lambda lib, a: a.norm(3, dim=-1, keepdim=True), [((3, 4),), (ZEROS_ROW,)]),
    OpInfo("norm_p1_5", lambda lib, a: a.norm(1.5, dim=0), [((3, 4),), (ZEROS_ROW,)]),
    OpInfo("norm_p0_5", lambda lib, a: a.norm(0.5), [((3, 4),)]),
    OpInfo("norm_p0", lambda lib, a: a.norm(0, dim=1), [(ZEROS_ROW,)]),
    OpInfo("norm_inf", lambda lib, a: a.norm(INF, dim=1), [((3, 4),), (INF_TIES,)], gradgrad=ZERO_2ND),
    OpInfo("norm_neg_inf", lambda lib, a: a.norm(-INF), [((3, 4),)], gradgrad=ZERO_2ND),
    OpInfo("norm_fro_dims", lambda lib, a: lib.norm(a, "fro", dim=(0, 2)), [((2, 3, 4),)]),
    OpInfo("norm_nuc", lambda lib, a: lib.norm(a, "nuc"), [((3, 4),)], gradgrad=False),
    OpInfo("norm_dtype", lambda lib, a: a.norm(dtype=lib.float64), [((3, 4),)], float32=False),
    OpInfo("vector_norm", lambda lib, a: lib.linalg.vector_norm(a), [((3, 4),), (ZEROS_ROW,), ((),)]),
    OpInfo("vector_norm_ord_dim", lambda lib, a: lib.linalg.vector_norm(a, ord=3, dim=(0, 1), keepdim=True),
           [((2, 3, 4),)]),
    OpInfo("vector_norm_neg_ord", lambda lib, a: lib.linalg.vector_norm(a, -2, dim=1), [((3, 4),)], low=0.5, high=2.0),
    OpInfo("vector_norm_inf_ties", lambda lib, a: lib.linalg.vector_norm(a, INF),
           [(Arr([[2.0, -2.0], [1.0, 2.0]]),)], gradgrad=ZERO_2ND),
    OpInfo("linalg_norm", lambda lib, a: lib.linalg.norm(a), [((3, 4),), ((2, 3, 4),)]),
    OpInfo("linalg_norm_vec_ord", lambda lib, a: lib.linalg.norm(a, 1), [((5,),)], gradgrad=ZERO_2ND),
    OpInfo("linalg_norm_dim", lambda lib, a: lib.linalg.norm(a, dim=1, keepdim=True), [((3, 4),)]),
    OpInfo("linalg_norm_mat_inf", lambda lib, a: lib.linalg.norm(a, INF), [((3, 4),)], gradgrad=ZERO_2ND),
    OpInfo("linalg_norm_mat_dims", lambda lib, a: lib.linalg.norm(a, 1, dim=(2, 0)), [((3, 2, 4),)], gradgrad=ZERO_2ND),
    OpInfo("matrix_norm_fro", lambda lib, a: lib.linalg.matrix_norm(a), [((3, 4),), ((2, 3, 4),)]),
    OpInfo("matrix_norm_1", lambda lib, a: lib.linalg.matrix_norm(a, 1), [((3, 4),), ((2, 3, 4),)], gradgrad=ZERO_2ND),
    OpInfo("matrix_norm_neg1", lambda lib, a: lib.linalg.matrix_norm(a, -1, keepdim=True), [((3, 4),), ((2, 3, 4),)],
           gradgrad=ZERO_2ND),
    OpInfo("matrix_norm_inf", lambda lib, a: lib.linalg.matrix_norm(a, INF, dim=(0, 2)), [((3, 2, 4),)],
           gradgrad=ZERO_2ND),
    OpInfo("matrix_norm_neg_inf", lambda lib, a: lib.linalg.matrix_norm(a, -INF), [((3, 4),)], gradgrad=ZERO_2ND),
    OpInfo("matrix_norm_2", lambda lib, a: lib.linalg.matrix_norm(a, 2), [((3, 4),), ((2, 4, 3),)], gradgrad=False),
    OpInfo("matrix_norm_neg2", lambda lib, a: lib.linalg.matrix_norm(a, -2, keepdim=True), [((3, 4),)],
           gradgrad=False),
    OpInfo("matrix_norm_nuc", lambda lib, a: lib.linalg.matrix_norm(a, "nuc", dim=(-1, 0)), [((3, 2, 4),)],
           gradgrad=False),
    OpInfo("matrix_norm_empty", lambda lib, a: lib.linalg.matrix_norm(a, 1), [((0, 3),), ((2, 0, 3),)],
           gradgrad=ZERO_2ND),
    # -- cumulative ops -------------------------------------------------------------------------------------
    OpInfo("cumsum", lambda lib, a: a.cumsum(1), [((3, 4),), (NonContig((3, 4)),), ((0, 3),)]),
    OpInfo("cumsum_neg_dim", lambda lib, a: lib.cumsum(a, dim=-2), [((2, 3, 4),)]),
    OpInfo("cumsum_0d", lambda lib, a: a.cumsum(0), [((),)]),
    OpInfo("cumsum_dtype", lambda lib, a: a.cumsum(0, dtype=lib.float64), [((3, 4),)], float32=False),
    OpInfo("cumsum_int", lambda lib, a: a.cumsum(1), [(INTS,), (INT32,), (BOOLS,), (UINT8,)], grad=False),
    OpInfo("cumprod", lambda lib, a: a.cumprod(1), [((3, 4),), (NonContig((3, 4)),), ((2, 3, 4),)],
           low=0.5, high=1.5),
    OpInfo("cumprod_zeros", lambda lib, a: a.cumprod(1), [(SCAN_ZEROS,), (ONE_ZERO,)]),
    OpInfo("cumprod_zeros_dim0", lambda lib, a: lib.cumprod(a, 0), [(SCAN_ZEROS,)]),
    OpInfo("cumprod_0d", lambda lib, a: a.cumprod(-1), [((),)]),
    OpInfo("cumprod_int", lambda lib, a: a.cumprod(0), [(INTS,), (BOOLS,)], grad=False),
    OpInfo("cumsum_inplace", lambda lib, a: (a * 1).cumsum_(1), [((3, 4),)]),
    OpInfo("cumprod_inplace", lambda lib, a: (a * 1).cumprod_(0), [((3, 4),), (SCAN_ZEROS,)]),
    # -- logical reductions and counting ------------------------------------------------------------------
    OpInfo("all", lambda lib, a: a.all(), [(BOOLS,), (INTS,), (UINT8,), (ONE_ZERO,), ((),)], grad=False),
    OpInfo("all_dim", lambda lib, a: lib.all(a, 1), [(BOOLS,), (INTS,), (UINT8,), (ONE_ZERO,)], grad=False),
    OpInfo("all_dims_keepdim", lambda lib, a: a.all(dim=(0, 1), keepdim=True), [(BOOLS,), (ONE_ZERO,)], grad=False),
    OpInfo("any", lambda lib, a: lib.any(a), [(BOOLS,), (INTS,), (UINT8,), (Arr(np.zeros((2, 3))),), ((0, 2),)],
           grad=False),
    OpInfo("any_dim", lambda lib, a: a.any(-1, keepdim=True), [(BOOLS,), (UINT8,), (ONE_ZERO,)], grad=False),
    OpInfo("any_0d_dim", lambda lib, a: a.any(0), [((),)], grad=False),
    OpInfo("count_nonzero", lambda lib, a: lib.count_nonzero(a), [(ONE_ZERO,), (BOOLS,), (INTS,)], grad=False),
    OpInfo("count_nonzero_dim", lambda lib, a: a.count_nonzero(dim=0), [(ONE_ZERO,), (INTS,)], grad=False),
    OpInfo("count_nonzero_dims", lambda lib, a: lib.count_nonzero(a, (0, 1)), [(ONE_ZERO,)], grad=False),
]
