"""Op database entries: searching, counting and statistics (ndgrad.ops.statistics / histograms).

Counting and searching ops have no gradient (``grad=False``); mode, nanmedian, quantile,
aminmax, the running extrema, logcumsumexp, cov/corrcoef and the distances are checked to first
and (except cdist, whose double backward torch does not implement) second order.
"""
import math

import numpy as np

from . import OpInfo, NonContig, Arr

NAN = math.nan
TIES = Arr([[3.0, 1.0, 3.0, 2.0], [0.5, 0.5, -1.0, 0.5], [2.0, 4.0, 4.0, 4.0]])
MODE_TIES = Arr([[1.0, 2.0, 2.0, 1.0, 3.0], [3.0, 3.0, 1.0, 1.0, 1.0], [0.5, -1.0, 0.5, -1.0, 2.0]])
WITH_NAN = Arr([[1.0, NAN, 2.0, 0.5], [3.0, -1.0, 0.5, 1.5], [NAN, NAN, NAN, 1.0]])
ALL_NAN = Arr([[NAN, NAN, NAN], [2.0, NAN, 1.0]])
INTS = Arr(np.array([[5, -2, 3, 5], [4, 0, 0, 1], [2, 2, 7, 7]], dtype=np.int64))
BOOLS = Arr(np.array([[True, False, True], [False, False, True]]))
COUNTS = Arr(np.array([1, 1, 3, 0, 7, 3, 3], dtype=np.int64))
UINT8_COUNTS = Arr(np.array([2, 0, 2], dtype=np.uint8))
REPEATS = Arr(np.array([[3, 1, 3, 2], [1, 1, 2, 2], [3, 1, 3, 2]], dtype=np.int64))
RUNS = Arr(np.array([1, 1, 2, 2, 3, 1, 1, 2], dtype=np.int64))
SORTED = Arr([-1.5, -0.5, 0.0, 0.0, 0.5, 1.5])
SORTED_2D = Arr([[-1.0, 0.0, 1.0, 1.0], [-0.5, -0.5, 0.25, 2.0], [0.0, 0.1, 0.2, 0.3]])
Q = Arr([0.0, 0.25, 0.5, 0.9, 1.0], grad=False)
FWEIGHTS = Arr(np.array([1, 2, 1, 3, 1], dtype=np.int64))
AWEIGHTS = Arr([0.5, 1.0, 2.0, 0.25, 1.5])
SAME_ROWS = Arr([[0.0, 1.0, 2.0], [1.0, -1.0, 0.5]])
EDGES = Arr([-2.0, -0.5, 0.0, 1.5, 2.0], grad=False)


def _q(lib, a, q, **kw):
    return lib.quantile(a, q, **kw)


OPS = [
    # -- unique / unique_consecutive ------------------------------------------------------------------------
    OpInfo("unique", lambda lib, a: lib.unique(a), [(REPEATS,), (TIES,), (BOOLS,), (WITH_NAN,)], grad=False),
    OpInfo("unique_inverse_counts", lambda lib, a: a.unique(return_inverse=True, return_counts=True),
           [(REPEATS,), (TIES,), ((),)], grad=False),
    OpInfo("unique_counts", lambda lib, a: lib.unique(a, sorted=False, return_counts=True), [(REPEATS,)], grad=False),
    OpInfo("unique_dim", lambda lib, a: lib.unique(a, dim=0, return_inverse=True, return_counts=True),
           [(REPEATS,), (TIES,), ((0, 3),)], grad=False),
    OpInfo("unique_dim1", lambda lib, a: a.unique(dim=1, return_inverse=True), [(REPEATS,), (INTS,)], grad=False),
    OpInfo("unique_consecutive", lambda lib, a: lib.unique_consecutive(a, return_inverse=True, return_counts=True),
           [(RUNS,), (REPEATS,), (TIES,)], grad=False),
    OpInfo("unique_consecutive_dim", lambda lib, a: a.unique_consecutive(dim=0, return_counts=True),
           [(REPEATS,), (Arr(np.array([[1, 2], [1, 2], [0, 0], [1, 2]])),)], grad=False),
    # -- bincount / searchsorted / bucketize ------------------------------------------------------------------
    OpInfo("bincount", lambda lib, a: lib.bincount(a), [(COUNTS,), (UINT8_COUNTS,)], grad=False),
    OpInfo("bincount_minlength", lambda lib, a: a.bincount(minlength=10), [(COUNTS,)], grad=False),
    OpInfo("bincount_weights", lambda lib, a, w: lib.bincount(a, w), [(COUNTS, (7,))], grad=False),
    OpInfo("searchsorted", lambda lib, s, v: lib.searchsorted(s, v), [(SORTED, (3, 4)), (SORTED, ())],
           grad=False),
    OpInfo("searchsorted_right", lambda lib, s, v: lib.searchsorted(s, v, right=True), [(SORTED, (7,))],
           grad=False),
    OpInfo("searchsorted_side_int32", lambda lib, s, v: lib.searchsorted(s, v, side="right", out_int32=True),
           [(SORTED, (2, 5))], grad=False),
    OpInfo("searchsorted_nd", lambda lib, s, v: lib.searchsorted(s, v), [(SORTED_2D, (3, 6))], grad=False),
    OpInfo("searchsorted_sorter", lambda lib, s, v: lib.searchsorted(s, v, sorter=s.argsort()),
           [((6,), (4,)), ((3, 5), (3, 2))], grad=False),
    OpInfo("searchsorted_scalar", lambda lib, s: lib.searchsorted(s, 0.1), [(SORTED,)], grad=False),
    OpInfo("bucketize", lambda lib, v, b: lib.bucketize(v, b), [((3, 4), SORTED), ((), SORTED)], grad=False),
    OpInfo("bucketize_right", lambda lib, v, b: lib.bucketize(v, b, right=True, out_int32=True),
           [((3, 4), SORTED), (INTS, SORTED)], grad=False),
    # -- histograms -----------------------------------------------------------------------------------------------
    OpInfo("histc", lambda lib, a: lib.histc(a, bins=7), [((50,),), ((4, 5),), (TIES,)], grad=False),
    OpInfo("histc_range", lambda lib, a: a.histc(5, min=-1, max=1.5), [((50,),), (TIES,)], grad=False),
    OpInfo("histogram", lambda lib, a: lib.histogram(a, bins=6), [((40,),), ((3, 7),), (TIES,)], grad=False),
    OpInfo("histogram_range_density", lambda lib, a: a.histogram(4, range=(-1.0, 1.0), density=True),
           [((40,),)], grad=False),
    OpInfo("histogram_weight", lambda lib, a, w: lib.histogram(a, 5, weight=w), [((30,), (30,))], grad=False),
    OpInfo("histogram_edges", lambda lib, a, e: lib.histogram(a, e), [((40,), EDGES)], grad=False),
    OpInfo("histogram_edges_density", lambda lib, a, e: lib.histogram(a, bins=e, density=True), [((40,), EDGES)],
           grad=False),
    OpInfo("histogramdd", lambda lib, a: lib.histogramdd(a, bins=[3, 4]), [((30, 2),)], grad=False),
    OpInfo("histogramdd_weight_density", lambda lib, a, w: lib.histogramdd(a, 3, weight=w, density=True),
           [((20, 3), (20,))], grad=False),
    OpInfo("histogramdd_range", lambda lib, a: lib.histogramdd(a, [2, 3], range=[-1.0, 1.0, 0.0, 2.0]),
           [((25, 2),)], grad=False),
    # -- isin / unravel_index ---------------------------------------------------------------------------------------
    OpInfo("isin", lambda lib, a, b: lib.isin(a, b), [(REPEATS, COUNTS), (TIES, Arr([1.0, 4.0, -1.0]))],
           grad=False),
    OpInfo("isin_invert", lambda lib, a, b: lib.isin(a, b, invert=True, assume_unique=False), [(REPEATS, COUNTS)],
           grad=False),
    OpInfo("isin_scalar", lambda lib, a: lib.isin(a, 3), [(REPEATS,)], grad=False),
    OpInfo("unravel_index", lambda lib, i: lib.unravel_index(i, (3, 4)), [(COUNTS,), (REPEATS,)], grad=False),
    OpInfo("unravel_index_3d", lambda lib, i: lib.unravel_index(i, (2, 1, 4)), [(COUNTS,)], grad=False),
    # -- mode / nanmedian ---------------------------------------------------------------------------------------------
    OpInfo("mode", lambda lib, a: a.mode(), [(MODE_TIES,), ((3, 4),), ((),), (NonContig((3, 4)),)]),
    OpInfo("mode_dim_keepdim", lambda lib, a: lib.mode(a, 0, keepdim=True), [(MODE_TIES,), ((2, 3, 4),)]),
    OpInfo("mode_int", lambda lib, a: lib.mode(a, 1), [(INTS,), (BOOLS,), (REPEATS,)], grad=False),
    OpInfo("nanmedian", lambda lib, a: a.nanmedian(), [((3, 4),), (WITH_NAN,), (ALL_NAN,), (TIES,), ((),)]),
    OpInfo("nanmedian_dim", lambda lib, a: lib.nanmedian(a, 1), [((3, 4),), (WITH_NAN,), (ALL_NAN,), ((3, 5),)]),
    OpInfo("nanmedian_dim_keepdim", lambda lib, a: a.nanmedian(0, keepdim=True), [((3, 4),), (WITH_NAN,)]),
    OpInfo("nanmedian_int", lambda lib, a: a.nanmedian(), [(INTS,)], grad=False),
    # -- quantile / nanquantile -------------------------------------------------------------------------------------------
    OpInfo("quantile", lambda lib, a: lib.quantile(a, 0.3), [((3, 4),), ((5,),), ((),), (TIES,)]),
    OpInfo("quantile_dim", lambda lib, a: a.quantile(0.7, dim=1), [((3, 4),), (NonContig((3, 4)),), (WITH_NAN,)]),
    OpInfo("quantile_dim_keepdim", lambda lib, a: lib.quantile(a, 0.5, 0, True), [((3, 4),), ((2, 3, 4),)]),
    OpInfo("quantile_q_tensor", lambda lib, a, q: lib.quantile(a, q, dim=-1), [((3, 6), Q), ((7,), Q)]),
    OpInfo("quantile_q_tensor_keepdim", lambda lib, a, q: a.quantile(q, 1, keepdim=True), [((2, 6, 3), Q)]),
    OpInfo("quantile_q_tensor_all", lambda lib, a, q: lib.quantile(a, q, keepdim=True), [((3, 4), Q)]),
    OpInfo("quantile_lower", lambda lib, a, q: _q(lib, a, q, dim=1, interpolation="lower"), [((3, 6), Q)]),
    OpInfo("quantile_higher", lambda lib, a, q: _q(lib, a, q, dim=1, interpolation="higher"), [((3, 6), Q)]),
    OpInfo("quantile_midpoint", lambda lib, a, q: _q(lib, a, q, dim=1, interpolation="midpoint"), [((3, 6), Q)]),
    OpInfo("quantile_nearest", lambda lib, a, q: _q(lib, a, q, dim=1, interpolation="nearest"),
           [((3, 6), Q), ((3, 5), Arr([0.125, 0.375, 0.5, 0.625], grad=False))]),
    OpInfo("nanquantile", lambda lib, a: lib.nanquantile(a, 0.4, dim=1), [(WITH_NAN,), ((3, 4),), (ALL_NAN,)]),
    OpInfo("nanquantile_all", lambda lib, a: a.nanquantile(0.25), [(WITH_NAN,), ((3, 4),)]),
    OpInfo("nanquantile_q_tensor", lambda lib, a, q: lib.nanquantile(a, q, dim=0, interpolation="midpoint"),
           [(WITH_NAN, Q)]),
    # -- aminmax ------------------------------------------------------------------------------------------------------------
    OpInfo("aminmax", lambda lib, a: lib.aminmax(a), [((3, 4),), (TIES,), ((),)]),
    OpInfo("aminmax_dim", lambda lib, a: a.aminmax(dim=1), [((3, 4),), (TIES,), (NonContig((3, 4)),)]),
    OpInfo("aminmax_keepdim", lambda lib, a: lib.aminmax(a, dim=0, keepdim=True), [((3, 4),), (TIES,)]),
    OpInfo("aminmax_all_keepdim", lambda lib, a: lib.aminmax(a, keepdim=True), [((3, 4),)]),
    OpInfo("aminmax_int", lambda lib, a: lib.aminmax(a, dim=1), [(INTS,), (BOOLS,)], grad=False),
    # -- cummax / cummin / logcumsumexp ----------------------------------------------------------------------------------------
    OpInfo("cummax", lambda lib, a: a.cummax(1), [((3, 4),), (TIES,), (NonContig((3, 4)),)]),
    OpInfo("cummax_empty", lambda lib, a: a.cummax(1), [((0, 3),)], grad=False),
    OpInfo("cummax_dim0", lambda lib, a: lib.cummax(a, 0), [((4, 3),), (TIES,), (WITH_NAN,), ((),)]),
    OpInfo("cummin", lambda lib, a: lib.cummin(a, -1), [((3, 4),), (TIES,), (WITH_NAN,), ((2, 3, 4),)]),
    OpInfo("cummax_int", lambda lib, a: a.cummax(1), [(INTS,), (BOOLS,)], grad=False),
    OpInfo("cummin_int", lambda lib, a: a.cummin(0), [(INTS,), (BOOLS,)], grad=False),
    OpInfo("logcumsumexp", lambda lib, a: a.logcumsumexp(1), [((3, 4),), (NonContig((3, 4)),), ((2, 3, 4),)]),
    OpInfo("logcumsumexp_dim0", lambda lib, a: lib.logcumsumexp(a, 0), [((5, 2),), ((),), ((0, 3),)]),
    OpInfo("logcumsumexp_wide", lambda lib, a: lib.logcumsumexp(a * 60, -1), [((2, 6),)]),
    # -- cov / corrcoef ------------------------------------------------------------------------------------------------------------
    OpInfo("cov", lambda lib, a: lib.cov(a), [((3, 5),), ((5,),), (NonContig((3, 5)),), (INTS,)]),
    OpInfo("cov_correction", lambda lib, a: a.cov(correction=0), [((3, 5),), ((2, 5),)]),
    OpInfo("cov_correction2", lambda lib, a: lib.cov(a, correction=2), [((3, 5),)]),
    OpInfo("cov_fweights", lambda lib, a, f: lib.cov(a, fweights=f), [((3, 5), FWEIGHTS)]),
    OpInfo("cov_aweights", lambda lib, a, w: lib.cov(a, aweights=w), [((3, 5), AWEIGHTS)]),
    OpInfo("cov_both_weights", lambda lib, a, f, w: lib.cov(a, correction=3, fweights=f, aweights=w),
           [((2, 5), FWEIGHTS, AWEIGHTS)]),
    OpInfo("corrcoef", lambda lib, a: lib.corrcoef(a), [((3, 5),), ((5,),), (INTS,)]),
    # -- cdist / dist ---------------------------------------------------------------------------------------------------------------
    OpInfo("cdist", lambda lib, a, b: lib.cdist(a, b), [((3, 4), (5, 4)), ((2, 3, 4), (2, 5, 4)),
                                                          ((2, 3, 4), (5, 4)), ((0, 4), (2, 4))], gradgrad=False),
    OpInfo("cdist_p1", lambda lib, a, b: lib.cdist(a, b, p=1), [((3, 4), (5, 4))], gradgrad=False),
    OpInfo("cdist_p3", lambda lib, a, b: lib.cdist(a, b, 3.0, "donot_use_mm_for_euclid_dist"),
           [((3, 4), (5, 4))], gradgrad=False),
    OpInfo("cdist_pinf", lambda lib, a, b: lib.cdist(a, b, p=math.inf), [((3, 4), (5, 4))], gradgrad=False),
    OpInfo("cdist_p0", lambda lib, a, b: lib.cdist(a, b, p=0), [((3, 4), (5, 4))], gradgrad=False),
    OpInfo("cdist_same_rows", lambda lib, a: lib.cdist(a, a), [(SAME_ROWS,)], gradgrad=False),
    OpInfo("dist", lambda lib, a, b: lib.dist(a, b), [((3, 4), (3, 4)), ((3, 4), (4,)), ((), ())]),
    OpInfo("dist_p", lambda lib, a, b: a.dist(b, 3), [((3, 4), (3, 4))]),
    OpInfo("dist_p1", lambda lib, a, b: lib.dist(a, b, p=1), [((3, 4), (3, 4))]),
    OpInfo("dist_pinf", lambda lib, a, b: lib.dist(a, b, math.inf), [((3, 4), (3, 4))]),
    OpInfo("dist_p0", lambda lib, a, b: lib.dist(a, b, 0), [((3, 4), (3, 4))], grad=False),  # torch: no grad
]
