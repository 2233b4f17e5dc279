"""Op database entries: comparisons, logical ops, selection (where, maximum, minimum, clamp) and the
ternary elementwise ops (ndgrad.ops.compare)."""
import math

import numpy as np

from . import OpInfo, NonContig, Arr

B = [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (2, 3)), ((2, 3), ()), ((0, 3), (3,)), (NonContig((3, 4)), (3, 4))]
INF, NAN = math.inf, math.nan
# exact values with ties (gradients split at ties) and NaN
TIES_A = Arr([1.0, 2.0, 3.0, -1.0, 0.5])
TIES_B = Arr([1.0, 1.0, 4.0, -1.0, 0.25])
WITH_NAN = Arr([1.0, NAN, 2.0, INF, -INF])
INTS = Arr(np.array([[1, -2, 3], [4, 0, 6]], dtype=np.int64))
INTS2 = Arr(np.array([[1, 2, 3]], dtype=np.int64))
BOOLS = Arr(np.array([[True, False, True], [False, False, True]]))
BOOLS2 = Arr(np.array([True, True, False]))
UINT8 = Arr(np.array([[1, 0, 3], [4, 250, 6]], dtype=np.uint8))
CLAMP_X = Arr([-2.0, -1.0, -0.5, 0.0, 1.0, 2.0])   # hits both bounds exactly


def _cmp(name):
    return [
        OpInfo(name, lambda lib, a, b: getattr(lib, name)(a, b), B, grad=False),
        OpInfo(name + "_ties", lambda lib, a, b: getattr(a, name)(b), [(TIES_A, TIES_B), (WITH_NAN, WITH_NAN)],
               grad=False),
        OpInfo(name + "_scalar", lambda lib, a: getattr(lib, name)(a, 0.5), [((3, 4),), (INTS,)], grad=False),
    ]


OPS = [
    *_cmp("eq"), *_cmp("ne"), *_cmp("lt"), *_cmp("le"), *_cmp("gt"), *_cmp("ge"),
    OpInfo("cmp_operators", lambda lib, a, b: (a == b, a != b, a < b, a <= b, a > b, a >= b, a == 1.0, 2 < a),
           [(TIES_A, TIES_B), ((3, 1), (4,))], grad=False),
    OpInfo("cmp_aliases", lambda lib, a, b: (lib.greater(a, b), lib.less_equal(a, b), lib.not_equal(a, b)),
           B[:2], grad=False),
    OpInfo("cmp_int_float", lambda lib, a, b: (a < b, a == b), [(INTS, (3,)), (INTS2, INTS)], grad=False),
    OpInfo("isclose", lambda lib, a, b: lib.isclose(a, b), [(TIES_A, TIES_B), (WITH_NAN, WITH_NAN)], grad=False),
    OpInfo("isclose_tols", lambda lib, a, b: lib.isclose(a, a + b * 1e-4, rtol=1e-3, atol=0.0), B[:2], grad=False),
    OpInfo("isclose_equal_nan", lambda lib, a: lib.isclose(a, a, equal_nan=True), [(WITH_NAN,)], grad=False),
    OpInfo("isclose_int", lambda lib, a: lib.isclose(a, a + 1, atol=1), [(INTS,)], grad=False),
    OpInfo("logical", lambda lib, a, b: (lib.logical_and(a, b), lib.logical_or(a, b), lib.logical_xor(a, b),
                                         lib.logical_not(a)),
           [(BOOLS, BOOLS2), ((3, 4), (4,)), (INTS, BOOLS2)], grad=False),
    OpInfo("bool_operators", lambda lib, a, b: (a & b, a | b, a ^ b, ~a, a & True, False | a),
           [(BOOLS, BOOLS2)], grad=False),
    OpInfo("int_bitwise", lambda lib, a, b: (a & b, a | b, a ^ b, ~a, a & 6, lib.bitwise_and(a, b)),
           [(INTS, INTS2), (UINT8, UINT8)], grad=False),
    OpInfo("value_tests", lambda lib, a: (lib.isnan(a), lib.isinf(a), lib.isfinite(a), lib.isposinf(a),
                                          lib.isneginf(a), a.isnan()),
           [(WITH_NAN,), ((),), (INTS,)], grad=False),
    # where
    OpInfo("where", lambda lib, c, a, b: lib.where(c > 0, a, b), [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), ()),
                                                                    ((2, 3), (), (2, 3)), ((0, 3), (3,), (3,)),
                                                                    (NonContig((3, 4)), (3, 4), NonContig((3, 4)))]),
    OpInfo("where_scalar_other", lambda lib, c, a: lib.where(c > 0, a, 0.0), [((3, 4), (3, 4)), ((3, 4), ())]),
    OpInfo("where_scalar_input", lambda lib, c, a: lib.where(c > 0, 2.5, a), [((3, 4), (4,))]),
    OpInfo("where_method", lambda lib, c, a, b: a.where(c > 0, b), [((3, 4), (3, 4), (4,))]),
    OpInfo("where_promotes", lambda lib, c, a, b: lib.where(c, a, b), [(BOOLS, INTS, (2, 3)), (BOOLS2, INTS2, 2.5)],
           grad=False),
    OpInfo("where_scalars", lambda lib, c: (lib.where(c, 1.0, 0.0), lib.where(c, 1, 0), lib.where(c, 1, 0.5)),
           [(BOOLS,)], grad=False),
    # maximum / minimum: ties split the gradient
    OpInfo("maximum", lambda lib, a, b: lib.maximum(a, b), B + [(TIES_A, TIES_B)]),
    OpInfo("minimum", lambda lib, a, b: lib.minimum(a, b), B + [(TIES_A, TIES_B)]),
    OpInfo("maximum_method", lambda lib, a, b: a.maximum(b), [(TIES_A, TIES_B)]),
    OpInfo("maximum_nan", lambda lib, a, b: (lib.maximum(a, b), lib.minimum(a, b)), [(WITH_NAN, TIES_A)]),
    OpInfo("maximum_int", lambda lib, a, b: (lib.maximum(a, b), lib.minimum(a, b)), [(INTS, INTS2), (INTS, (3,))],
           grad=False),
    OpInfo("fmax_fmin", lambda lib, a, b: (lib.fmax(a, b), lib.fmin(a, b)), [(WITH_NAN, TIES_A)], grad=False),
    # clamp: inclusive bounds, number and tensor bounds
    OpInfo("clamp", lambda lib, a: lib.clamp(a, -1.0, 1.0), [(CLAMP_X,), ((3, 4),), ((),), ((0, 2),),
                                                              (NonContig((3, 4)),)]),
    OpInfo("clamp_min_only", lambda lib, a: lib.clamp(a, min=-1.0), [(CLAMP_X,)]),
    OpInfo("clamp_max_only", lambda lib, a: a.clamp(max=1.0), [(CLAMP_X,)]),
    OpInfo("clamp_crossed", lambda lib, a: lib.clamp(a, 1.0, -1.0), [(CLAMP_X,)]),
    OpInfo("clip", lambda lib, a: lib.clip(a, -1.0, 1.0), [(CLAMP_X,)]),
    OpInfo("clip_method", lambda lib, a: a.clip(min=-0.5), [(CLAMP_X,)]),
    OpInfo("clamp_min", lambda lib, a: lib.clamp_min(a, -1.0), [(CLAMP_X,)]),
    OpInfo("clamp_max", lambda lib, a: lib.clamp_max(a, 1.0), [(CLAMP_X,)]),
    OpInfo("clamp_tensor", lambda lib, a, lo, hi: lib.clamp(a, lo, hi),
           [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), ()), (CLAMP_X, Arr([-1.0] * 6), Arr([1.0, 1.0, -0.5, 1.0, 0.0, 2.0]))],
           low=-2.0, high=2.0),
    OpInfo("clamp_tensor_crossed", lambda lib, a, lo, hi: lib.clamp(a, lo, hi),
           [(Arr([1.0, 2.0, 3.0, 2.0, 0.5]), Arr([2.0, 2.0, 2.0, 1.0, 1.0]), Arr([1.0, 2.5, 2.5, 2.0, 2.0]))]),
    OpInfo("clamp_tensor_min", lambda lib, a, lo: lib.clamp(a, min=lo), [((3, 4), (4,)), (CLAMP_X, Arr([0.0] * 6))]),
    OpInfo("clamp_tensor_max", lambda lib, a, hi: a.clamp(max=hi), [((3, 4), (3, 1))]),
    OpInfo("clamp_min_tensor", lambda lib, a, lo: lib.clamp_min(a, lo), [((3, 4), (4,))]),
    OpInfo("clamp_max_tensor", lambda lib, a, hi: lib.clamp_max(a, hi), [((3, 4), (4,))]),
    OpInfo("clamp_inplace", lambda lib, a: (a * 1).clamp_(-0.5, 0.5), [((3, 4),)]),
    OpInfo("clamp_int", lambda lib, a: (lib.clamp(a, 0, 3), lib.clamp(a, 0.5, 2.5), lib.clamp(a, min=1)),
           [(INTS,), (UINT8,)], grad=False),
    OpInfo("clamp_bool", lambda lib, a: lib.clamp(a, 0, 1), [(BOOLS,)], grad=False),
    OpInfo("clamp_nan", lambda lib, a: lib.clamp(a, -1.0, 1.0), [(WITH_NAN,)], grad=False),
    # lerp, addcmul, addcdiv
    OpInfo("lerp", lambda lib, a, b: lib.lerp(a, b, 0.3), B),
    OpInfo("lerp_high_weight", lambda lib, a, b: a.lerp(b, 0.8), B[:2]),
    OpInfo("lerp_tensor_weight", lambda lib, a, b, w: lib.lerp(a, b, w), [((3, 4), (3, 4), (3, 4)),
                                                                          ((3, 1), (4,), ())], low=-1.0, high=1.0),
    OpInfo("lerp_inplace", lambda lib, a, b: (a * 1).lerp_(b, 0.25), [((3, 4), (4,))]),
    OpInfo("addcmul", lambda lib, a, b, c: lib.addcmul(a, b, c), [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), ()),
                                                                  ((0, 3), (3,), (0, 1))]),
    OpInfo("addcmul_value", lambda lib, a, b, c: lib.addcmul(a, b, c, value=-0.5), [((3, 4), (4,), (3, 1))]),
    OpInfo("addcmul_method_inplace", lambda lib, a, b, c: (a * 1).addcmul_(b, c, value=2), [((3, 4), (4,), (3, 1))]),
    OpInfo("addcdiv", lambda lib, a, b, c: lib.addcdiv(a, b, c, value=0.5), [((3, 4), (3, 4), (3, 4)),
                                                                             ((3, 1), (4,), ())], low=0.5, high=2.0),
    OpInfo("addcdiv_inplace", lambda lib, a, b, c: (a * 1).addcdiv_(b, c), [((3, 4), (4,), (3, 1))], low=0.5,
           high=2.0),
    OpInfo("addcmul_int", lambda lib, a: (lib.addcmul(a, a, a), lib.addcmul(a, a, a, value=2)), [(INTS,)],
           grad=False),
    OpInfo("addcmul_promotes", lambda lib, a, b: lib.addcmul(a, b, b), [((2, 3), INTS)]),
    # hypot, atan2, copysign
    OpInfo("hypot", lambda lib, a, b: lib.hypot(a, b), B[:4]),
    OpInfo("hypot_large", lambda lib, a, b: lib.hypot(a * 1e200, b * 1e200), [((3,), (3,))], rtol=1e-6),
    OpInfo("atan2", lambda lib, a, b: lib.atan2(a, b), B),
    OpInfo("arctan2_method", lambda lib, a, b: a.arctan2(b), B[:1]),
    OpInfo("atan2_int", lambda lib, a, b: lib.atan2(a, b), [(INTS, INTS2)], grad=False),
    OpInfo("copysign", lambda lib, a, b: lib.copysign(a, b), [((3, 4), (3, 4)), ((3, 1), (4,))], gradgrad=False),
    OpInfo("copysign_scalar", lambda lib, a: lib.copysign(a, -1.0), [((3, 4),)], gradgrad=False),
]
