"""Op database entries: indexing (ndgrad.ops.indexing): getitem, index_put, gather/scatter,
index_* ops, masks, take, nonzero. Index arrays repeat entries where the backward must add up."""
import numpy as np

from . import OpInfo, NonContig, Arr


def I(*v):  # an int64 index tensor
    return Arr(np.array(v, dtype=np.int64))


MASK34 = Arr(np.array([[True, False, True, False], [False, False, False, False], [True, True, False, True]]))
MASK3 = Arr(np.array([True, False, True]))
IDX2 = Arr(np.array([[0, 2, 2, 1], [1, 1, 0, 0], [2, 0, 1, 2]]))      # gather/scatter along dim 0 of (3, 4)
IDX_SMALL = Arr(np.array([[2, 2], [0, 1]]))                           # smaller than self along both dims
IDX_UNIQ = Arr(np.array([[1, 0, 2, 3], [3, 2, 0, 1]]))                # unique along dim 1 (for scatter)

OPS = [
    # -- getitem: basic (views) ------------------------------------------------------------------------
    OpInfo("getitem_basic", lambda lib, a: a[1, 1:3], [((3, 4),), ((3, 4, 2),), (NonContig((3, 4)),)]),
    OpInfo("getitem_int", lambda lib, a: a[-1], [((3, 4),), ((3,),)]),
    OpInfo("getitem_slice", lambda lib, a: a[::2], [((5, 2),), ((0, 2),)]),
    OpInfo("getitem_slice_steps", lambda lib, a: a[1:, ::3], [((3, 7),), (NonContig((4, 5)),)]),
    OpInfo("getitem_slice_out_of_range", lambda lib, a: a[-10:10, 5:], [((3, 4),)]),
    OpInfo("getitem_none_ellipsis", lambda lib, a: a[None, ..., None, 0], [((2, 3, 4),), ((3,),)]),
    OpInfo("getitem_ellipsis", lambda lib, a: a[..., 1:], [((2, 3, 4),), ((3,),)]),
    OpInfo("getitem_0d", lambda lib, a: a[...] * 2 + a[None].sum(), [((),)]),
    OpInfo("getitem_all_ints", lambda lib, a: a[1, 2], [((3, 4),)]),
    OpInfo("getitem_tensor_int", lambda lib, a, i: a[i], [((3, 4), Arr(np.array(2)))]),
    OpInfo("getitem_chain", lambda lib, a: a[1:][0][::2] * 3, [((3, 4),)]),
    # -- getitem: advanced (copies; backward accumulates) ------------------------------------------------
    OpInfo("getitem_list", lambda lib, a: a[[0, 2, 0, -1]], [((3, 4),), ((3,),), (NonContig((3, 4)),)]),
    OpInfo("getitem_tensor", lambda lib, a, i: a[i], [((3, 4), I(1, 1, 1)), ((3, 4), Arr(np.array([[0, 1], [2, 2]]))),
                                                      ((3, 4), Arr(np.zeros(0, dtype=np.int64)))]),
    OpInfo("getitem_int32_index", lambda lib, a, i: a[i.int()], [((3, 4), I(2, 0, 2))]),
    OpInfo("getitem_two_tensors", lambda lib, a, i, j: a[i, j], [((3, 4), I(0, 2, 0), I(3, 1, 3)),
                                                                 ((3, 4), I(1), Arr(np.array([[0, 1], [2, 3]])))]),
    OpInfo("getitem_slice_tensor", lambda lib, a, i: a[1:, i], [((3, 4), I(0, 0, 3)), ((2, 3, 4), I(2, 1))]),
    OpInfo("getitem_tensor_slice_tensor", lambda lib, a, i, j: a[i, :, j], [((3, 2, 4), I(0, 2), I(1, 1))]),
    OpInfo("getitem_int_slice_list", lambda lib, a: a[0, :, [1, 1, 2]], [((2, 3, 4),)]),
    OpInfo("getitem_none_tensor", lambda lib, a, i: a[None, :, i], [((3, 4), I(3, 0))]),
    OpInfo("getitem_ndarray", lambda lib, a: a[np.array([1, 0, 1])], [((3, 4),)]),
    OpInfo("getitem_list_as_tuple", lambda lib, a: a[[[0, 1], [1, 0]]], [((3, 4),)]),
    OpInfo("getitem_mask", lambda lib, a, m: a[m], [((3, 4), MASK34), ((3, 4), MASK3), ((3,), MASK3)]),
    OpInfo("getitem_mask_compare", lambda lib, a: a[a > 0], [((3, 4),), (NonContig((3, 4)),)]),
    OpInfo("getitem_mask_slice", lambda lib, a, m: a[:, m[0]], [((3, 4), MASK34)]),
    OpInfo("getitem_mask_and_tensor", lambda lib, a, m, i: a[m, i], [((3, 4), MASK3, I(1, 3))]),
    OpInfo("getitem_bool_scalar", lambda lib, a: a[True] * 1 + a[False].sum(), [((3, 4),), ((),)]),
    OpInfo("getitem_bool_list", lambda lib, a: a[[True, False, True]], [((3, 4),)]),
    OpInfo("getitem_true_slice_list", lambda lib, a: a[True, :, [0, 1]], [((3, 4, 5),)]),
    # -- index_put -------------------------------------------------------------------------------------
    OpInfo("index_put", lambda lib, a, v, i: a.index_put((i,), v),
           [((3, 4), (2, 4), I(2, 0)), ((3, 4), (4,), I(1)), ((3, 4), (), I(0, 1))]),
    OpInfo("index_put_accumulate", lambda lib, a, v, i: lib.index_put(a, (i,), v, accumulate=True),
           [((3, 4), (3, 4), I(1, 1, 0)), ((3, 4), (1,), I(2, 2))]),
    OpInfo("index_put_two", lambda lib, a, v, i, j: a.index_put([i, j], v, True),
           [((3, 4), (3,), I(0, 0, 2), I(1, 1, 3))]),
    OpInfo("index_put_mask", lambda lib, a, v, m: a.index_put((m,), v),
           [((3, 4), (), MASK34), ((3, 4), (5,), MASK34)]),
    # -- gather / scatter ------------------------------------------------------------------------------
    OpInfo("gather", lambda lib, a, i: a.gather(0, i),
           [((3, 4), IDX2), ((3, 4), Arr(np.array([[2], [0]]))), (NonContig((3, 4)), IDX2)]),
    OpInfo("gather_dim1", lambda lib, a, i: lib.gather(a, -1, i), [((3, 4), IDX_SMALL), ((2, 4), IDX_UNIQ)]),
    OpInfo("gather_0d", lambda lib, a, i: a.gather(0, i), [((), Arr(np.array(0))), ((3,), Arr(np.array(2)))]),
    OpInfo("gather_empty", lambda lib, a, i: a.gather(1, i), [((3, 4), Arr(np.zeros((3, 0), dtype=np.int64)))]),
    OpInfo("scatter", lambda lib, a, i, s: a.scatter(1, i, s),
           [((2, 4), IDX_UNIQ, (2, 4)), ((3, 4), Arr(np.array([[1, 0, 3]])), (1, 3))]),
    OpInfo("scatter_value", lambda lib, a, i: lib.scatter(a, 0, i, 2.5), [((3, 4), IDX2), ((3, 4), IDX_SMALL)]),
    OpInfo("scatter_reduce_legacy", lambda lib, a, i, s: a.scatter(1, i, s, reduce="add"),
           [((3, 4), IDX_SMALL, (2, 2))], grad=False),
    OpInfo("scatter_add", lambda lib, a, i, s: a.scatter_add(0, i, s),
           [((3, 4), IDX2, (3, 4)), ((3, 4), IDX_SMALL, (2, 2)), (NonContig((3, 4)), IDX2, (3, 4))]),
    OpInfo("scatter_add_dim", lambda lib, a, i, s: lib.scatter_add(a, -1, i, s), [((3, 4), IDX_SMALL, (2, 2))]),
    OpInfo("scatter_reduce_sum", lambda lib, a, i, s: a.scatter_reduce(0, i, s, "sum"), [((3, 4), IDX2, (3, 4))]),
    OpInfo("scatter_reduce_sum_noself", lambda lib, a, i, s: a.scatter_reduce(0, i, s, "sum", include_self=False),
           [((3, 4), IDX2, (3, 4))]),
    OpInfo("scatter_reduce_mean", lambda lib, a, i, s: lib.scatter_reduce(a, 0, i, s, "mean"),
           [((3, 4), IDX2, (3, 4))]),
    OpInfo("scatter_reduce_mean_noself", lambda lib, a, i, s: a.scatter_reduce(0, i, s, "mean", include_self=False),
           [((3, 4), IDX2, (3, 4))]),
    OpInfo("scatter_reduce_amax", lambda lib, a, i, s: a.scatter_reduce(0, i, s, "amax"), [((3, 4), IDX2, (3, 4))]),
    OpInfo("scatter_reduce_amin_noself", lambda lib, a, i, s: a.scatter_reduce(0, i, s, "amin", include_self=False),
           [((3, 4), IDX2, (3, 4))]),
    OpInfo("scatter_reduce_prod", lambda lib, a, i, s: a.scatter_reduce(0, i, s, "prod"), [((3, 4), IDX2, (3, 4))],
           low=0.5, high=2.0),
    # -- index_select / index_add / index_copy / index_fill ------------------------------------------------
    OpInfo("index_select", lambda lib, a, i: a.index_select(0, i),
           [((3, 4), I(2, 0, 2)), ((3,), I(1, 1)), (NonContig((3, 4)), I(1)), ((3, 4), Arr(np.array(1)))]),
    OpInfo("index_select_dim", lambda lib, a, i: lib.index_select(a, -1, i), [((3, 4), I(3, 3, 0)), ((3, 4), I())]),
    OpInfo("index_select_0d", lambda lib, a, i: a.index_select(0, i), [((), I(0))]),
    OpInfo("index_add", lambda lib, a, i, s: a.index_add(0, i, s),
           [((3, 4), I(0, 2, 0), (3, 4)), ((3, 4), I(1), (1, 4)), (NonContig((3, 4)), I(2, 2), (2, 4))]),
    OpInfo("index_add_alpha", lambda lib, a, i, s: lib.index_add(a, 1, i, s, alpha=-2.5),
           [((3, 4), I(3, 3), (3, 2))]),
    OpInfo("index_add_0d", lambda lib, a, i, s: a.index_add(0, i, s),
           [((), I(0), ()), ((3, 4), Arr(np.array(1)), (1, 4))]),
    OpInfo("index_copy", lambda lib, a, i, s: a.index_copy(1, i, s),
           [((3, 4), I(3, 0), (3, 2)), ((3, 4), I(1), (3, 1))]),
    OpInfo("index_fill", lambda lib, a, i: a.index_fill(1, i, -1.5), [((3, 4), I(3, 0, 3)), ((3, 4), I(-1))]),
    OpInfo("index_fill_tensor", lambda lib, a, i, v: lib.index_fill(a, 0, i, v), [((3, 4), I(2, 0, 2), ())]),
    # -- masks -------------------------------------------------------------------------------------------
    OpInfo("masked_fill", lambda lib, a, m: a.masked_fill(m, 2.0),
           [((3, 4), MASK34), ((3, 4), Arr(np.array([True, False, False, True]))), ((4,), MASK34),
            (NonContig((3, 4)), MASK34)]),
    OpInfo("masked_fill_tensor", lambda lib, a, m, v: lib.masked_fill(a, m, v), [((3, 4), MASK34, ())]),
    OpInfo("masked_fill_compare", lambda lib, a: a.masked_fill(a < 0, 0.0), [((3, 4),), ((),)]),
    OpInfo("masked_fill_int", lambda lib, a, m: a.masked_fill(m, 2.7), [(Arr(np.arange(12).reshape(3, 4)), MASK34)],
           grad=False),
    OpInfo("masked_select", lambda lib, a, m: a.masked_select(m),
           [((3, 4), MASK34), ((4,), MASK34), ((3, 1), MASK34), ((3, 4), Arr(np.array([True, False, True, True])))]),
    OpInfo("masked_scatter", lambda lib, a, m, s: a.masked_scatter(m, s),
           [((3, 4), MASK34, (8,)), ((3, 4), MASK34, (2, 3)), ((4,), MASK34, (6,))]),
    # -- take / take_along_dim / nonzero ---------------------------------------------------------------------
    OpInfo("take", lambda lib, a, i: a.take(i),
           [((3, 4), Arr(np.array([[0, 11], [-1, 0]]))), ((), Arr(np.array(0))), (NonContig((3, 4)), I(1, 4, 1))]),
    OpInfo("take_along_dim", lambda lib, a, i: lib.take_along_dim(a, i, 1),
           [((3, 4), Arr(np.array([[0], [3], [3]]))), ((3, 4), Arr(np.array([[1, 1, 2]]))),
            ((3, 1), Arr(np.array([[0, 0]])))]),
    OpInfo("take_along_dim_flat", lambda lib, a, i: lib.take_along_dim(a, i), [((3, 4), I(0, 11, 5, 5))]),
    OpInfo("nonzero", lambda lib, m: lib.nonzero(m),
           [(MASK34,), (Arr(np.array(3.0)),), (Arr(np.array(0)),), (Arr(np.zeros((0, 3))),)], grad=False),
    OpInfo("nonzero_tuple", lambda lib, m: m.nonzero(as_tuple=True), [(MASK34,), (Arr(np.array(1)),)], grad=False),
    OpInfo("argwhere", lambda lib, a: lib.argwhere(a > 0), [((3, 4),)], grad=False),
    OpInfo("where_cond_only", lambda lib, a: lib.where(a > 0), [((3, 4),)], grad=False),
]
