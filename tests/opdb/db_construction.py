"""Op database entries: grids, products, scatter-into-view ops, finite differences, integrals and
complex views (ndgrad.ops.construction)."""
import numpy as np

from . import OpInfo, NonContig, Arr

_idx = Arr(np.array([0, 2, 0, 1]), grad=False)

OPS = [
    OpInfo("meshgrid_ij", lambda lib, a, b: lib.meshgrid(a, b, indexing="ij"), [((3,), (4,)), ((), (2,))]),
    OpInfo("meshgrid_xy", lambda lib, a, b, c: lib.meshgrid([a, b, c], indexing="xy"), [((3,), (4,), (2,))]),
    OpInfo("cartesian_prod", lambda lib, a, b: lib.cartesian_prod(a, b), [((3,), (2,))]),
    OpInfo("cartesian_prod_single", lambda lib, a: lib.cartesian_prod(a), [((3,),)]),
    OpInfo("combinations", lambda lib, a: lib.combinations(a), [((4,),), ((1,),)]),
    OpInfo("combinations_r3_repl", lambda lib, a: lib.combinations(a, 3, with_replacement=True), [((3,),)]),
    OpInfo("block_diag", lambda lib, a, b, c: lib.block_diag(a, b, c), [((), (3,), (2, 2)), ((2, 3), (0, 2), (1, 1))]),
    OpInfo("vander", lambda lib, a: lib.vander(a), [((4,),), ((0,),)], grad=False),  # torch's own backward fails (in-place cumprod)
    OpInfo("vander_N_incr", lambda lib, a: lib.vander(a, 3, increasing=True), [((4,),)], grad=False),
    OpInfo("vander_int", lambda lib, a: lib.vander(a, 4), [(Arr(np.array([1, 2, 3])),)], grad=False),
    OpInfo("rot90", lambda lib, a: lib.rot90(a), [((3, 4),), (NonContig((3, 4)),)]),
    OpInfo("rot90_k", lambda lib, a: a.rot90(2, [1, 2]) + lib.rot90(a, -1, (1, 2)).rot90(3, (2, 1)),
           [((2, 3, 3),)]),
    OpInfo("as_strided", lambda lib, a: lib.as_strided(a, (2, 2), (1, 2)), [((3, 4),), ((2, 2),)]),
    OpInfo("as_strided_offset", lambda lib, a: a.as_strided((3, 2), (3, 1), 1), [((4, 3),)]),
    OpInfo("as_strided_overlap", lambda lib, a: lib.as_strided(a, (3, 3), (1, 1)), [((6,),)]),
    OpInfo("as_strided_of_view", lambda lib, a: a[1:].as_strided((2, 2), (2, 1)), [((3, 2),)]),
    OpInfo("view_as_complex", lambda lib, a: lib.view_as_complex(a) * 2, [((3, 2),), ((2, 3, 2),)],
           float32=False, gradgrad=False),
    OpInfo("view_as_real_roundtrip", lambda lib, a: lib.view_as_real(lib.view_as_complex(a) * 3),
           [((3, 2),), ((2,),)], float32=False, gradgrad=False),
    OpInfo("resolve", lambda lib, a: lib.resolve_neg(lib.resolve_conj(a)) * 1.0, [((3,),)]),
    OpInfo("narrow_copy", lambda lib, a: lib.narrow_copy(a, 1, 1, 2), [((3, 4),), (NonContig((3, 4)),)]),
    OpInfo("select_scatter", lambda lib, a, b: lib.select_scatter(a, b, 1, -1), [((3, 4), (3,)), ((2, 3, 4), (2, 4))]),
    OpInfo("slice_scatter", lambda lib, a, b: lib.slice_scatter(a, b, 1, 0, None, 2), [((3, 4), (3, 2))]),
    OpInfo("slice_scatter_default", lambda lib, a, b: a.slice_scatter(b, start=1), [((3, 4), (2, 4))]),
    OpInfo("diagonal_scatter", lambda lib, a, b: lib.diagonal_scatter(a, b), [((3, 4), (3,))]),
    OpInfo("diagonal_scatter_offset", lambda lib, a, b: a.diagonal_scatter(b, 1, 1, 2), [((2, 3, 4), (2, 3))]),
    OpInfo("index_reduce_prod", lambda lib, a, i, s: lib.index_reduce(a, 0, i, s, "prod"),
           [((3, 2), _idx, (4, 2))], low=0.5),
    OpInfo("index_reduce_mean_noself", lambda lib, a, i, s: a.index_reduce(0, i, s, "mean", include_self=False),
           [((3, 2), _idx, (4, 2))]),
    OpInfo("index_reduce_amax", lambda lib, a, i, s: a.index_reduce(1, i, s, "amax"), [((2, 3), _idx, (2, 4))]),
    OpInfo("index_reduce_amin_noself", lambda lib, a, i, s: a.index_reduce(1, i, s, "amin", include_self=False),
           [((2, 3), _idx, (2, 4))]),
    OpInfo("renorm", lambda lib, a: lib.renorm(a, 2, 0, 1.5), [((3, 4),), ((2, 3, 2),)]),
    OpInfo("renorm_p1_dim1", lambda lib, a: a.renorm(1, 1, 2.0), [((3, 4),)]),
    OpInfo("trace", lambda lib, a: lib.trace(a), [((3, 4),), ((3, 3),), (NonContig((3, 4)),)]),
    OpInfo("diff", lambda lib, a: lib.diff(a), [((5,),), ((3, 4),), ((1,),)]),
    OpInfo("diff_n_dim", lambda lib, a: a.diff(2, 0), [((5, 3),), ((1, 3),)]),
    OpInfo("diff_prepend_append", lambda lib, a, p, q: lib.diff(a, 1, -1, p, q), [((3, 4), (3, 1), (3, 2))]),
    OpInfo("gradient", lambda lib, a: lib.gradient(a), [((5,),), ((3, 4),)]),
    OpInfo("gradient_spacing", lambda lib, a: lib.gradient(a, spacing=2.0, dim=1, edge_order=2), [((3, 4),)]),
    OpInfo("gradient_spacing_list", lambda lib, a: lib.gradient(a, spacing=[0.5, 2.0], edge_order=2), [((3, 4),)]),
    OpInfo("gradient_coords", lambda lib, a: lib.gradient(
        a, spacing=(lib.tensor([0.0, 0.5, 2.0, 2.5], dtype=a.dtype),), dim=1), [((3, 4),)]),
    OpInfo("gradient_coords_o2", lambda lib, a: lib.gradient(
        a, spacing=[lib.tensor([0.0, 0.5, 2.0, 2.5, 4.0], dtype=a.dtype)], dim=0, edge_order=2), [((5, 2),)]),
    OpInfo("trapezoid", lambda lib, a: lib.trapezoid(a), [((5,),), ((3, 4),), ((3, 0),)]),
    OpInfo("trapezoid_dx_dim", lambda lib, a: lib.trapezoid(a, dx=0.5, dim=0), [((3, 4),)]),
    OpInfo("trapezoid_x", lambda lib, y, x: lib.trapezoid(y, x), [((3, 4), (4,)), ((3, 4), (3, 4))]),
    OpInfo("trapz", lambda lib, y, x: lib.trapz(y, x, dim=0) + lib.trapz(y, dx=2.0, dim=0), [((3, 4), (3,))]),
    OpInfo("cumulative_trapezoid", lambda lib, a: lib.cumulative_trapezoid(a), [((5,),), ((3, 4),)]),
    OpInfo("cumulative_trapezoid_x", lambda lib, y, x: lib.cumulative_trapezoid(y, x, dim=0),
           [((4, 3), (4,))]),
    OpInfo("cumulative_trapezoid_dx", lambda lib, y: lib.cumulative_trapezoid(y, dx=0.3), [((2, 4),)]),
    OpInfo("addr", lambda lib, a, b, c: lib.addr(a, b, c), [((3, 4), (3,), (4,)), ((4,), (3,), (4,))]),
    OpInfo("addr_beta_alpha", lambda lib, a, b, c: a.addr(b, c, beta=0.5, alpha=-2), [((3, 4), (3,), (4,))]),
    OpInfo("addr_beta0", lambda lib, a, b, c: lib.addr(a, b, c, beta=0), [((3, 4), (3,), (4,))]),
]
