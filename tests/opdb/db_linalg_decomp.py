"""Op database entries: decompositions, inverses, solvers and matrix functions (ndgrad.ops.linalg_decomp).

Inputs are made well conditioned inside ``fn`` from the random input (``a + 4 I``, ``a a^T + I``)
so the gradients flow back to it; eigen/singular vectors are compared through sign-invariant
quantities (squares), as they are unique only up to sign."""
from . import OpInfo


def _eye(lib, a):
    return lib.eye(a.shape[-1], dtype=a.dtype)


def _inv(lib, a):       # comfortably invertible
    return a + 4 * _eye(lib, a)


def _spd(lib, a):       # symmetric positive definite
    return a @ a.mT + _eye(lib, a)


def _tri(lib, a, upper=False):
    t = a.triu() if upper else a.tril()
    return t + 3 * _eye(lib, a)


SQ = [((3, 3),), ((2, 3, 3),)]
L = lambda name, fn, samples, **kw: OpInfo(name, fn, samples, **kw)  # noqa: E731

OPS = [
    L("linalg_det", lambda lib, a: lib.linalg.det(_inv(lib, a)), SQ + [((1, 1),)]),
    L("det_method", lambda lib, a: a.det(), [((3, 3),)]),
    L("linalg_slogdet", lambda lib, a: lib.linalg.slogdet(_inv(lib, a)), SQ),
    L("slogdet_neg", lambda lib, a: lib.slogdet(-_inv(lib, a)), [((3, 3),)]),
    L("logdet", lambda lib, a: lib.logdet(_spd(lib, a)), SQ),
    L("linalg_inv", lambda lib, a: lib.linalg.inv(_inv(lib, a)), SQ),
    L("inverse", lambda lib, a: _inv(lib, a).inverse(), [((3, 3),)]),
    L("linalg_inv_ex", lambda lib, a: lib.linalg.inv_ex(_inv(lib, a)), [((3, 3),)]),
    L("linalg_solve", lambda lib, a, b: lib.linalg.solve(_inv(lib, a), b),
      [((3, 3), (3, 2)), ((3, 3), (3,)), ((2, 3, 3), (3, 4)), ((3, 3), (2, 3, 1)), ((2, 3, 3), (2, 3))]),
    L("linalg_solve_left", lambda lib, a, b: lib.linalg.solve(_inv(lib, a), b, left=False), [((3, 3), (2, 3))]),
    L("linalg_solve_ex", lambda lib, a, b: lib.linalg.solve_ex(_inv(lib, a), b), [((3, 3), (3, 2))]),
    L("linalg_solve_triangular", lambda lib, a, b: lib.linalg.solve_triangular(_tri(lib, a, True), b, upper=True),
      [((3, 3), (3, 2)), ((2, 3, 3), (3, 2))]),
    L("linalg_solve_triangular_lower_right",
      lambda lib, a, b: lib.linalg.solve_triangular(_tri(lib, a), b, upper=False, left=False), [((3, 3), (2, 3))]),
    L("linalg_solve_triangular_unit",
      lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=False, unitriangular=True), [((3, 3), (3, 2))]),
    L("triangular_solve", lambda lib, b, a: lib.triangular_solve(b, _tri(lib, a, True)), [((3, 2), (3, 3))]),
    L("triangular_solve_t", lambda lib, b, a: b.triangular_solve(_tri(lib, a), upper=False, transpose=True),
      [((3, 2), (3, 3))]),
    L("linalg_cholesky", lambda lib, a: lib.linalg.cholesky(_spd(lib, a)), SQ),
    L("linalg_cholesky_upper", lambda lib, a: lib.linalg.cholesky(_spd(lib, a), upper=True), [((3, 3),)]),
    L("linalg_cholesky_ex", lambda lib, a: lib.linalg.cholesky_ex(_spd(lib, a)), [((3, 3),)]),
    L("cholesky", lambda lib, a: lib.cholesky(_spd(lib, a), upper=True), [((3, 3),)]),
    L("cholesky_solve", lambda lib, b, a: lib.cholesky_solve(b, _tri(lib, a)), [((3, 2), (3, 3))]),
    L("cholesky_solve_upper", lambda lib, b, a: lib.cholesky_solve(b, _tri(lib, a, True), upper=True),
      [((3, 2), (3, 3))]),
    L("cholesky_inverse", lambda lib, a: lib.cholesky_inverse(_tri(lib, a)), [((3, 3),)]),
    L("linalg_qr", lambda lib, a: lib.linalg.qr(a), [((4, 3),), ((3, 3),), ((3, 5),), ((2, 4, 3),)]),
    L("linalg_qr_complete", lambda lib, a: lib.linalg.qr(a, mode="complete"), [((3, 3),), ((3, 4),)]),
    L("linalg_qr_r", lambda lib, a: lib.linalg.qr(a, mode="r"), [((4, 3),)], grad=False),
    L("qr", lambda lib, a: lib.qr(a), [((4, 3),)]),
    L("linalg_eigh", lambda lib, a: (lambda r: (r[0], r[1] ** 2))(lib.linalg.eigh(a + a.mT)), SQ),
    L("linalg_eigh_upper", lambda lib, a: (lambda r: (r[0], r[1] ** 2))(lib.linalg.eigh(a + a.mT, UPLO="U")),
      [((3, 3),)]),
    L("linalg_eigvalsh", lambda lib, a: lib.linalg.eigvalsh(a + a.mT), SQ),
    L("linalg_svd", lambda lib, a: (lambda r: (r[0] ** 2, r[1], r[2] ** 2))(lib.linalg.svd(a, full_matrices=False)),
      [((4, 3),), ((3, 3),), ((3, 4),), ((2, 4, 3),)]),
    L("linalg_svd_recompose", lambda lib, a: (lambda r: (r[0] * r[1].unsqueeze(-2)) @ r[2])(
        lib.linalg.svd(a, full_matrices=False)), [((4, 3),), ((3, 4),)]),
    L("linalg_svd_full", lambda lib, a: (lambda r: (r[0][..., :, :3] ** 2, r[1]))(lib.linalg.svd(a)),
      [((4, 3),)]),
    L("linalg_svdvals", lambda lib, a: lib.linalg.svdvals(a), [((4, 3),), ((2, 3, 5),)]),
    L("svd", lambda lib, a: (lambda r: (r[0] ** 2, r[1], r[2] ** 2))(lib.svd(a)), [((4, 3),)]),
    L("svd_no_uv", lambda lib, a: lib.svd(a, compute_uv=False), [((4, 3),)]),
    L("linalg_pinv", lambda lib, a: lib.linalg.pinv(a), [((4, 3),), ((3, 4),), ((2, 3, 3),)]),
    L("linalg_pinv_hermitian", lambda lib, a: lib.linalg.pinv(_spd(lib, a), hermitian=True), [((3, 3),)]),
    L("pinverse", lambda lib, a: lib.pinverse(a), [((4, 3),)]),
    L("linalg_lstsq", lambda lib, a, b: lib.linalg.lstsq(a, b), [((4, 3), (4, 2)), ((3, 3), (3, 2)),
                                                              ((2, 4, 3), (2, 4, 2))]),
    L("linalg_matrix_power", lambda lib, a: lib.linalg.matrix_power(a, 3), SQ),
    L("matrix_power_neg", lambda lib, a: lib.matrix_power(_inv(lib, a), -2), [((3, 3),)]),
    L("matrix_power_0", lambda lib, a: a.matrix_power(0), [((3, 3),)], gradgrad=False),
    L("linalg_matrix_exp", lambda lib, a: lib.linalg.matrix_exp(a), SQ + [((4, 4),)]),
    L("matrix_exp_big", lambda lib, a: lib.matrix_exp(4 * a), [((3, 3),)]),
    L("linalg_matrix_rank", lambda lib, a: lib.linalg.matrix_rank(a), [((4, 3),), ((2, 3, 3),)], grad=False),
    L("linalg_cross", lambda lib, a, b: lib.linalg.cross(a, b), [((3,), (3,)), ((4, 3), (1, 3))]),
    L("cross_dim", lambda lib, a, b: lib.cross(a, b, dim=0), [((3, 2), (3, 2))]),
    L("linalg_vecdot", lambda lib, a, b: lib.linalg.vecdot(a, b), [((2, 3), (3,))]),
    L("linalg_multi_dot", lambda lib, a, b, c, d: lib.linalg.multi_dot([a, b, c, d]),
      [((3,), (3, 4), (4, 2), (2,)), ((2, 3), (3, 4), (4, 5), (5, 2))]),
    L("linalg_vander", lambda lib, x: lib.linalg.vander(x), [((3,),), ((2, 4),)]),
    L("linalg_vander_N", lambda lib, x: lib.linalg.vander(x, N=5), [((3,),)]),
    L("linalg_lu_factor", lambda lib, a: lib.linalg.lu_factor(a), [((3, 3),), ((2, 4, 4),)]),
    L("linalg_lu", lambda lib, a: lib.linalg.lu(a), [((3, 3),), ((2, 4, 4),)]),
    L("linalg_lu_rect", lambda lib, a: lib.linalg.lu(a), [((3, 4),), ((4, 2),)], grad=False),
    L("linalg_lu_solve", lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(_inv(lib, a)), b),
      [((3, 3), (3, 2))]),
    L("linalg_lu_solve_adjoint", lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(_inv(lib, a)), b,
                                                                         adjoint=True), [((3, 3), (3, 2))]),
    L("linalg_lu_solve_right", lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(_inv(lib, a)), b,
                                                                       left=False), [((3, 3), (2, 3))]),
    L("lu_unpack", lambda lib, a: lib.lu_unpack(*lib.linalg.lu_factor(a)), [((3, 3),)]),
    L("lu_solve", lambda lib, b, a: lib.lu_solve(b, *lib.linalg.lu_factor(_inv(lib, a))), [((3, 2), (3, 3))]),
    L("linalg_eigvals", lambda lib, a: lib.linalg.eigvals(a + a.mT), [((3, 3),)], grad=False),
    # general eig: first-order gradients through gauge-invariant |.| (second order needs ndgrad's complex
    # mul/conj gradients, which are not torch's yet)
    L("linalg_eigvals_abs", lambda lib, a: lib.linalg.eigvals(a).abs(), [((3, 3),), ((2, 4, 4),)], gradgrad=False),
    L("linalg_eig_abs", lambda lib, a: (lambda r: (r[0].abs(), r[1].abs()))(lib.linalg.eig(a)), [((3, 3),)],
      gradgrad=False),
    L("linalg_cond", lambda lib, a: lib.linalg.cond(_inv(lib, a)), [((3, 3),)]),
    L("linalg_cond_fro", lambda lib, a: lib.linalg.cond(_inv(lib, a), "fro"), [((3, 3),)],
      grad=False),  # torch 2.13's own backward of cond(p='fro') fails (in-place modification of inv_ex output)
    L("linalg_tensorinv", lambda lib, a: lib.linalg.tensorinv(_inv(lib, a).reshape(2, 2, 4), ind=2), [((4, 4),)]),
    L("linalg_tensorsolve", lambda lib, a, b: lib.linalg.tensorsolve(_inv(lib, a).reshape(2, 3, 6), b),
      [((6, 6), (2, 3))]),
    L("linalg_diagonal", lambda lib, a: lib.linalg.diagonal(a, offset=1), [((2, 3, 4),)]),
    L("chain_matmul", lambda lib, a, b, c: lib.chain_matmul(a, b, c), [((2, 3), (3, 4), (4, 2))]),
]
