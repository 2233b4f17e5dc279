"""Op database entries: value-selecting reductions and sorting (ndgrad.ops.sorting).

Random inputs have no ties, so indices are well defined. Where torch defines the tie behaviour
(max/min with dim pick the first occurrence; the whole-tensor max/min/median and amax/amin split
the gradient evenly), exact inputs with ties are included.
"""
import math

import numpy as np

from . import OpInfo, NonContig, Arr

TIES = Arr([[3.0, 1.0, 3.0, 2.0], [0.5, 0.5, -1.0, 0.5], [2.0, 4.0, 4.0, 4.0]])
NAN = Arr([[1.0, math.nan, 2.0], [3.0, -1.0, 0.5]])
INTS = Arr(np.array([[5, -2, 3, 9], [4, 0, 6, 1]], dtype=np.int64))
INT32 = Arr(np.array([[5, -2, 3], [4, 0, 6]], dtype=np.int32))
BOOLS = Arr(np.array([[True, False, True], [False, False, True]]))

OPS = [
    # -- max / min -------------------------------------------------------------------------------------
    OpInfo("max", lambda lib, a: a.max(), [((3, 4),), ((),), (TIES,), (NonContig((3, 4)),), (NAN,)]),
    OpInfo("max_dim", lambda lib, a: lib.max(a, 1), [((3, 4),), (TIES,), (NonContig((3, 4)),), ((0, 3),), (NAN,)]),
    OpInfo("max_dim_keepdim", lambda lib, a: a.max(dim=-2, keepdim=True), [((3, 4),), ((2, 3, 4),), (TIES,)]),
    OpInfo("max_0d_dim", lambda lib, a: a.max(0), [((),)]),
    OpInfo("max_binary", lambda lib, a, b: lib.max(a, b), [((3, 4),(3, 4)), ((3, 1), (4,))]),
    OpInfo("max_int", lambda lib, a: a.max(), [(INTS,), (INT32,), (BOOLS,)], grad=False),
    OpInfo("max_int_dim", lambda lib, a: a.max(1), [(INTS,), (INT32,), (BOOLS,)], grad=False),
    OpInfo("min", lambda lib, a: lib.min(a), [((3, 4),), ((),), (TIES,), (NAN,)]),
    OpInfo("min_dim", lambda lib, a: a.min(0), [((3, 4),), (TIES,), (NonContig((3, 4)),), (NAN,)]),
    OpInfo("min_dim_keepdim", lambda lib, a: lib.min(a, -1, True), [((2, 3, 4),), (TIES,)]),
    OpInfo("min_binary", lambda lib, a, b: a.min(b), [((3, 4), (3, 4))]),
    OpInfo("min_int_dim", lambda lib, a: a.min(-1), [(INTS,), (BOOLS,)], grad=False),
    # -- amax / amin -------------------------------------------------------------------------------------
    OpInfo("amax", lambda lib, a: a.amax(), [((3, 4),), ((),), (TIES,)]),
    OpInfo("amax_dim", lambda lib, a: lib.amax(a, 1), [((3, 4),), (TIES,), (NonContig((3, 4)),), ((0, 3),)]),
    OpInfo("amax_dims_keepdim", lambda lib, a: a.amax(dim=(0, -1), keepdim=True), [((2, 3, 4),), (TIES,)]),
    OpInfo("amax_0d_dim", lambda lib, a: a.amax(0), [((),)]),
    OpInfo("amin", lambda lib, a: lib.amin(a), [((3, 4),), (TIES,)]),
    OpInfo("amin_dim", lambda lib, a: a.amin(-1, keepdim=True), [((3, 4),), (TIES,)]),
    OpInfo("amax_int", lambda lib, a: a.amax(0), [(INTS,), (INT32,), (BOOLS,)], grad=False),
    # -- argmax / argmin ---------------------------------------------------------------------------------
    OpInfo("argmax", lambda lib, a: a.argmax(), [((3, 4),), ((),), (TIES,), (INTS,)], grad=False),
    OpInfo("argmax_dim", lambda lib, a: lib.argmax(a, 1), [((3, 4),), (TIES,), (NAN,), (INTS,)], grad=False),
    OpInfo("argmax_keepdim", lambda lib, a: a.argmax(dim=0, keepdim=True), [((3, 4),), (TIES,)], grad=False),
    OpInfo("argmax_none_keepdim", lambda lib, a: a.argmax(keepdim=True), [((3, 4),)], grad=False),
    OpInfo("argmin", lambda lib, a: lib.argmin(a), [((3, 4),), (TIES,)], grad=False),
    OpInfo("argmin_dim", lambda lib, a: a.argmin(-1), [((3, 4),), (TIES,), (INTS,)], grad=False),
    # -- median ------------------------------------------------------------------------------------------
    OpInfo("median", lambda lib, a: a.median(), [((3, 4),), ((3, 5),), ((),), (TIES,), (NAN,)]),
    OpInfo("median_empty", lambda lib, a: a.median(), [((0,),)], grad=False),
    OpInfo("median_dim", lambda lib, a: lib.median(a, 1), [((3, 4),), ((3, 5),), (NonContig((3, 4)),), (NAN,)]),
    OpInfo("median_dim_keepdim", lambda lib, a: a.median(0, keepdim=True), [((3, 4),), ((2, 3, 4),)]),
    OpInfo("median_0d_dim", lambda lib, a: a.median(0), [((),)]),
    OpInfo("median_int", lambda lib, a: a.median(), [(INTS,), (INT32,)], grad=False),
    # -- sort / argsort / msort ----------------------------------------------------------------------------
    OpInfo("sort", lambda lib, a: a.sort(), [((3, 4),), (NonContig((3, 4)),), ((),), ((0, 3),), (NAN,)]),
    OpInfo("sort_dim_desc", lambda lib, a: lib.sort(a, 0, True), [((3, 4),), ((2, 3, 4),), (NAN,)]),
    OpInfo("sort_stable", lambda lib, a: lib.sort(a, stable=True, dim=-1), [((3, 4),), (TIES,)]),
    OpInfo("sort_stable_desc", lambda lib, a: a.sort(stable=True, descending=True), [((3, 4),), (TIES,)]),
    OpInfo("sort_int", lambda lib, a: a.sort(), [(INTS,), (BOOLS,)], grad=False),
    OpInfo("argsort", lambda lib, a: a.argsort(), [((3, 4),), (INTS,)], grad=False),
    OpInfo("argsort_desc", lambda lib, a: lib.argsort(a, 0, descending=True), [((3, 4),)], grad=False),
    OpInfo("argsort_stable", lambda lib, a: lib.argsort(a, stable=True), [(TIES,)], grad=False),
    OpInfo("msort", lambda lib, a: lib.msort(a), [((3, 4),), ((5,),)]),
    # -- topk / kthvalue -------------------------------------------------------------------------------------
    OpInfo("topk", lambda lib, a: a.topk(2), [((3, 4),), (NonContig((3, 4)),), ((2, 3, 5),)]),
    OpInfo("topk_smallest", lambda lib, a: lib.topk(a, 3, dim=0, largest=False), [((4, 3),), ((5, 2, 3),)]),
    OpInfo("topk_large_n", lambda lib, a: a.topk(5, dim=1), [((3, 100),)]),
    OpInfo("topk_large_n_smallest", lambda lib, a: a.topk(4, largest=False), [((2, 80),)]),
    OpInfo("topk_k0", lambda lib, a: a.topk(0), [((3, 4),)]),
    OpInfo("topk_full", lambda lib, a: a.topk(4), [((3, 4),)]),
    OpInfo("topk_0d", lambda lib, a: a.topk(1), [((),)]),
    OpInfo("topk_int", lambda lib, a: a.topk(2), [(INTS,)], grad=False),
    OpInfo("kthvalue", lambda lib, a: a.kthvalue(2), [((3, 4),), (NonContig((3, 4)),), ((2, 3, 5),)]),
    OpInfo("kthvalue_dim_keepdim", lambda lib, a: lib.kthvalue(a, 3, 0, True), [((4, 3),), ((5, 2, 3),)]),
    OpInfo("kthvalue_0d", lambda lib, a: a.kthvalue(1), [((),)]),
    OpInfo("kthvalue_int", lambda lib, a: a.kthvalue(1, dim=1), [(INTS,)], grad=False),
]
