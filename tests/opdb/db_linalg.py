"""Op database entries: matrix products and einsum (ndgrad.ops.linalg)."""
import numpy as np

from . import OpInfo, NonContig, Arr

# every rank combination torch's matmul accepts, with broadcast batch dims and empty dims
MATMUL = [((2, 3), (3, 4)), ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((5, 2, 3), (3,)), ((3,), (5, 3, 4)),
          ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)), ((5, 2, 3), (1, 3, 4)),
          ((1, 2, 3), (5, 3, 4)), ((6, 5, 2, 3), (5, 3, 4)), ((6, 1, 2, 3), (5, 3, 4)), ((5, 2, 3), (6, 1, 3, 4)),
          ((4, 1, 2, 3), (3,)), ((2, 3, 0), (0, 4)), ((0, 3), (3,)), ((0, 3), (3, 2)), ((2, 0), (0, 3)),
          (NonContig((3, 4)), (4, 2)), ((2, 3), NonContig((3, 4))), (NonContig((3, 4)), NonContig((4, 3)))]
INTS = Arr(np.array([[1, -2, 3], [4, 0, 6]], dtype=np.int64))
INTS_T = Arr(np.array([[1, 2], [0, 1], [3, -1]], dtype=np.int64))


def _e(name, eq, shapes, **kw):
    return OpInfo("einsum_" + name, lambda lib, *xs: lib.einsum(eq, *xs), [tuple(shapes)], **kw)


OPS = [
    OpInfo("matmul", lambda lib, a, b: lib.matmul(a, b), MATMUL),
    OpInfo("matmul_operator", lambda lib, a, b: a @ b, MATMUL[:9]),
    OpInfo("matmul_method", lambda lib, a, b: a.matmul(b), MATMUL[:4]),
    OpInfo("matmul_transposed_batch", lambda lib, a, b: a @ b.transpose(-1, -2), [((5, 2, 3), (5, 4, 3)),
                                                                                  ((5, 2, 3), (4, 3))]),
    OpInfo("matmul_int", lambda lib, a, b: a @ b, [(INTS, INTS_T)], grad=False),
    OpInfo("mm", lambda lib, a, b: lib.mm(a, b), [((2, 3), (3, 4)), ((0, 3), (3, 2)), (NonContig((3, 4)), (4, 2))]),
    OpInfo("mm_method", lambda lib, a, b: a.mm(b), [((2, 3), (3, 4))]),
    OpInfo("bmm", lambda lib, a, b: lib.bmm(a, b), [((2, 2, 3), (2, 3, 4)), ((0, 2, 3), (0, 3, 4))]),
    OpInfo("bmm_method", lambda lib, a, b: a.bmm(b), [((2, 2, 3), (2, 3, 4))]),
    OpInfo("mv", lambda lib, a, b: lib.mv(a, b), [((2, 3), (3,)), (NonContig((3, 4)), (4,))]),
    OpInfo("dot", lambda lib, a, b: lib.dot(a, b), [((3,), (3,)), ((0,), (0,))]),
    OpInfo("vdot", lambda lib, a, b: lib.vdot(a, b), [((3,), (3,))]),
    OpInfo("outer", lambda lib, a, b: lib.outer(a, b), [((3,), (4,)), ((0,), (2,))]),
    OpInfo("ger", lambda lib, a, b: a.ger(b), [((3,), (4,))]),
    OpInfo("inner", lambda lib, a, b: lib.inner(a, b), [((2, 3), (4, 3)), ((3,), (3,)), ((), (2, 3))]),
    OpInfo("addmm", lambda lib, i, a, b: lib.addmm(i, a, b), [((2, 4), (2, 3), (3, 4)), ((4,), (2, 3), (3, 4)),
                                                              ((), (2, 3), (3, 4)), ((1, 4), (2, 3), NonContig((3, 4)))]),
    OpInfo("addmm_scaled", lambda lib, i, a, b: lib.addmm(i, a, b, beta=0.5, alpha=-2.0), [((2, 4), (2, 3), (3, 4))]),
    OpInfo("addmm_beta0", lambda lib, i, a, b: lib.addmm(i, a, b, beta=0), [((4,), (2, 3), (3, 4))]),
    OpInfo("addmm_method", lambda lib, i, a, b: i.addmm(a, b, alpha=3), [((2, 4), (2, 3), (3, 4))]),
    OpInfo("addmm_inplace", lambda lib, i, a, b: (i * 1).addmm_(a, b), [((2, 4), (2, 3), (3, 4))]),
    OpInfo("addmv", lambda lib, i, a, b: lib.addmv(i, a, b, beta=2.0, alpha=0.5), [((2,), (2, 3), (3,)),
                                                                                   ((), (2, 3), (3,))]),
    OpInfo("baddbmm", lambda lib, i, a, b: lib.baddbmm(i, a, b, beta=2.0, alpha=0.5), [((2, 3, 4), (2, 3, 5), (2, 5, 4)),
                                                                                       ((3, 4), (2, 3, 5), (2, 5, 4))]),
    OpInfo("addbmm", lambda lib, i, a, b: lib.addbmm(i, a, b, beta=2.0, alpha=0.5), [((3, 4), (2, 3, 5), (2, 5, 4)),
                                                                                     ((4,), (2, 3, 5), (2, 5, 4))]),
    OpInfo("tensordot", lambda lib, a, b: lib.tensordot(a, b), [((2, 3, 4), (3, 4, 5))]),
    OpInfo("tensordot_dims", lambda lib, a, b: lib.tensordot(a, b, dims=([1, 2], [1, 0])), [((2, 3, 4), (4, 3, 5))]),
    OpInfo("tensordot_1", lambda lib, a, b: lib.tensordot(a, b, dims=1), [((2, 3, 4), (4, 5))]),
    OpInfo("tensordot_0", lambda lib, a, b: lib.tensordot(a, b, dims=0), [((2, 3), (3,))]),
    OpInfo("kron", lambda lib, a, b: lib.kron(a, b), [((2, 3), (2, 2)), ((2, 3), (4,)), ((3,), (2, 2))]),
    _e("matmul", "ij,jk->ik", [(2, 3), (3, 4)]),
    _e("transpose", "ij->ji", [(2, 3)]),
    _e("sum_all", "ij->", [(2, 3)]),
    _e("sum_dim", "ij->i", [(2, 3)]),
    _e("diag", "ii->i", [(3, 3)]),
    _e("trace", "ii", [(3, 3)]),
    _e("diag_3", "iij->j", [(3, 3, 2)]),
    _e("outer", "i,j->ij", [(3,), (4,)]),
    _e("dot", "i,i->", [(3,), (3,)]),
    _e("implicit", "ij,kj", [(2, 3), (4, 3)]),
    _e("implicit_batch", "bij,bjk", [(2, 2, 3), (2, 3, 4)]),
    _e("implicit_case", "Ab,ba", [(2, 3), (3, 2)]),
    _e("ellipsis", "...ij,...jk->...ik", [(5, 2, 3), (3, 4)]),
    _e("ellipsis_bcast", "...ij,...jk->...ik", [(5, 2, 3), (1, 3, 4)]),
    _e("ellipsis_sum", "i...->...", [(2, 3, 4)]),
    _e("ellipsis_mid", "i...j,j->...i", [(2, 3, 4), (4,)]),
    _e("ellipsis_implicit", "...i,...i", [(2, 3, 4), (3, 4)]),
    _e("size1_bcast", "ij,ij->ij", [(2, 1), (2, 4)]),
    _e("three", "ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),
    _e("large", "abc,cd->abd", [(8, 10, 12), (12, 6)]),
    _e("spaces", "i j , j k -> i k", [(2, 3), (3, 4)]),
    OpInfo("einsum_list", lambda lib, a, b: lib.einsum("ij,jk->ik", [a, b]), [((2, 3), (3, 4))]),
    OpInfo("einsum_sublist", lambda lib, a, b: lib.einsum(a, [0, 1], b, [1, 2], [0, 2]), [((2, 3), (3, 4))]),
    OpInfo("einsum_sublist_ellipsis", lambda lib, a, b: lib.einsum(a, [..., 0, 1], b, [1, 2]),
           [((5, 2, 3), (3, 4))]),
    OpInfo("einsum_int", lambda lib, a, b: lib.einsum("ij,jk->ik", a, b), [(INTS, INTS_T)], grad=False),
]
