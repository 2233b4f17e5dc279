"""Op database entries: binary arithmetic (ndgrad.ops.arith)."""
import numpy as np

from . import OpInfo, NonContig, Arr

BINARY_SAMPLES = [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (2, 3)), ((2, 3), ()), ((0, 3), (3,)),
                  (NonContig((3, 4)), (3, 4))]

OPS = [
    OpInfo("add", lambda lib, a, b: lib.add(a, b), BINARY_SAMPLES),
    OpInfo("add_alpha", lambda lib, a, b: lib.add(a, b, alpha=2.5), BINARY_SAMPLES[:3]),
    OpInfo("add_scalar", lambda lib, a: a + 1.5, [((3, 4),), ((),)]),
    OpInfo("sub", lambda lib, a, b: a - b, BINARY_SAMPLES),
    OpInfo("sub_alpha", lambda lib, a, b: lib.sub(a, b, alpha=-2), BINARY_SAMPLES[:3]),
    OpInfo("rsub_scalar", lambda lib, a: 2.0 - a, [((3, 4),)]),
    OpInfo("mul", lambda lib, a, b: a * b, BINARY_SAMPLES),
    OpInfo("mul_scalar", lambda lib, a: a * 3.0, [((3, 4),), ((),)]),
    OpInfo("div", lambda lib, a, b: a / b, BINARY_SAMPLES, low=0.5, high=2.0),
    OpInfo("rdiv_scalar", lambda lib, a: 2.0 / a, [((3, 4),)], low=0.5, high=2.0),
    OpInfo("div_trunc", lambda lib, a, b: lib.div(a, b, rounding_mode="trunc"), BINARY_SAMPLES[:3], low=0.5, high=3.0),
    OpInfo("div_floor", lambda lib, a, b: lib.div(a, b, rounding_mode="floor"), BINARY_SAMPLES[:3], low=0.5, high=3.0),
    OpInfo("floor_divide", lambda lib, a, b: a // b, BINARY_SAMPLES[:2], low=0.5, high=3.0, grad=False),
    OpInfo("pow_scalar", lambda lib, a: a ** 3, [((3, 4),), ((),), (NonContig((3, 4)),)]),
    OpInfo("pow_frac", lambda lib, a: a ** 2.5, [((3, 4),)], low=0.5, high=2.0),
    OpInfo("pow_tensor", lambda lib, a, b: a ** b, BINARY_SAMPLES[:3], low=0.5, high=2.0),
    OpInfo("rpow", lambda lib, a: 2.0 ** a, [((3, 4),)]),
    OpInfo("neg", lambda lib, a: -a, [((3, 4),), ((),)]),
    OpInfo("fmod", lambda lib, a, b: lib.fmod(a, b), BINARY_SAMPLES[:3], low=0.5, high=3.0),
    OpInfo("remainder", lambda lib, a, b: lib.remainder(a, b), BINARY_SAMPLES[:3], low=0.5, high=3.0),
    OpInfo("true_divide", lambda lib, a, b: lib.true_divide(a, b), BINARY_SAMPLES[:2], low=0.5, high=2.0),
    OpInfo("int_div_gives_float", lambda lib, a, b: a / b,
           [(Arr([[1, 2], [3, 4]]), Arr([2, 3]))], grad=False),
]

INTS = Arr(np.array([[7, -7, 3], [-4, 0, 6]], dtype=np.int64))
INTS_B = Arr(np.array([[2, 3, -2]], dtype=np.int64))
INT32 = Arr(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.int32))
UINT8 = Arr(np.array([[1, 2, 250]], dtype=np.uint8))
INT8 = Arr(np.array([[-1, 2, 100]], dtype=np.int8))
BOOLS = Arr(np.array([[True, False, True]]))
BOOLS_B = Arr(np.array([[True], [False]]))
ZERO_BASE = Arr([0.0, 0.0, 0.0, 2.0, -1.5])
ZERO_EXP = Arr([0.0, 2.0, -1.0, 0.0, 2.0])

INPLACE_SAMPLES = [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 4), ()), (NonContig((3, 4)), (3, 1))]

OPS += [
    # promotion: int with float scalar -> float32, int / int -> float32, mixed categories, uint8/int8
    OpInfo("promote_int_scalar", lambda lib, a: (a * 2.5, a + 1, a - 1, a / 2, 2.5 * a, a ** 2, a // 2, 1 - a),
           [(INTS,), (INT32,), (UINT8,)], grad=False),
    OpInfo("promote_int_tensors", lambda lib, a, b: (a + b, a * b, a - b, a / b, a // b, a % b),
           [(INTS, INTS_B), (INT32, INTS_B), (UINT8, INT8), (UINT8, INTS_B)], grad=False),
    OpInfo("promote_int_float", lambda lib, a, b: (a + b, b * a, a / b, b / a),
           [(INTS, (3,)), (UINT8, ()), (BOOLS, (2, 3))], grad=False),
    OpInfo("promote_0d", lambda lib, a, b: (a + b, a * b), [((2, 3), Arr(np.float64(1.5))), (INTS, Arr(np.float64(2.5)))],
           grad=False, float32=False),
    OpInfo("bool_arith", lambda lib, a, b: (a + b, a * b, a + 1, a * 1.5, a / b), [(BOOLS, BOOLS_B)], grad=False),
    OpInfo("int_division_modes", lambda lib, a, b: (lib.div(a, b, rounding_mode="trunc"), lib.div(a, b, rounding_mode="floor"),
                                                    lib.floor_divide(a, b), lib.remainder(a, b), lib.fmod(a, b)),
           [(INTS, INTS_B)], grad=False),
    OpInfo("int_scalar_division_modes", lambda lib, a: (lib.div(a, -2, rounding_mode="trunc"),
                                                        lib.div(-7, a + 10, rounding_mode="trunc"), a % -3, lib.fmod(a, -3),
                                                        7 % (a + 10), 7 // (a + 10)),
           [(INTS,)], grad=False),
    OpInfo("float_division_modes", lambda lib, a, b: (a // b, a % b, lib.fmod(a, b)),
           [(Arr([[7.5, -7.5, 3.0, -0.0]]), Arr([[2.0, 2.0, -2.0, 3.0]]))], grad=False),
    # pow at 0 base / 0 exponent: torch's gradient conventions
    OpInfo("pow_zero_base", lambda lib, a, b: a ** b, [(ZERO_BASE, ZERO_EXP)], gradgrad=False),
    OpInfo("pow_zero_exponent", lambda lib, a: a ** 0, [((3, 4),), (ZERO_BASE,)]),
    OpInfo("pow_scalar_zero_base", lambda lib, b: lib.pow(0.0, b), [(Arr([0.0, 2.0, 0.5]),)], gradgrad=False),
    OpInfo("pow_int_tensor", lambda lib, a, b: (a ** b, 2 ** b, a ** 3, lib.pow(a, 0)), [(INTS_B, Arr(np.array([[3, 0, 2]])))],
           grad=False),
    OpInfo("pow_sqrt", lambda lib, a: a ** 0.5, [((3, 4),)], low=0.5, high=2.0),
    OpInfo("pow_neg", lambda lib, a: a ** -2, [((3, 4),)], low=0.5, high=2.0),
    OpInfo("pow_method", lambda lib, a, b: a.pow(b), BINARY_SAMPLES[:2], low=0.5, high=2.0),
    OpInfo("float_power", lambda lib, a: lib.float_power(a, 2), [((3, 4),)], float32=False),
    OpInfo("float_power_tensor", lambda lib, a, b: lib.float_power(a, b), [((3, 4), (4,))], low=0.5, high=2.0,
           float32=False),
    OpInfo("rsub", lambda lib, a, b: lib.rsub(a, b), BINARY_SAMPLES[:3]),
    OpInfo("rsub_alpha", lambda lib, a, b: lib.rsub(a, b, alpha=2), BINARY_SAMPLES[:2]),
    OpInfo("remainder_scalar", lambda lib, a: a % 1.5, [((3, 4),)], low=-3.0, high=3.0),
    OpInfo("fmod_scalar", lambda lib, a: lib.fmod(a, -1.5), [((3, 4),)], low=-3.0, high=3.0),
    OpInfo("mul_bcast", lambda lib, a, b: lib.multiply(a, b), BINARY_SAMPLES),
    OpInfo("div_methods", lambda lib, a, b: (a.div(b), a.divide(b), a.true_divide(b)), BINARY_SAMPLES[:2],
           low=0.5, high=2.0),
    OpInfo("sub_methods", lambda lib, a, b: (a.sub(b), a.subtract(b, alpha=2)), BINARY_SAMPLES[:2]),
    # in-place variants on non-leaves (the graph goes through them)
    OpInfo("add_inplace", lambda lib, a, b: (a * 1).add_(b, alpha=2), INPLACE_SAMPLES),
    OpInfo("sub_inplace", lambda lib, a, b: (a * 1).sub_(b), INPLACE_SAMPLES),
    OpInfo("mul_inplace", lambda lib, a, b: (a * 1).mul_(b), INPLACE_SAMPLES),
    OpInfo("div_inplace", lambda lib, a, b: (a * 1).div_(b), INPLACE_SAMPLES, low=0.5, high=2.0),
    OpInfo("pow_inplace", lambda lib, a: (a * 1).pow_(3), [((3, 4),)]),
    OpInfo("neg_inplace", lambda lib, a: (a * 1).neg_(), [((3, 4),)]),
    OpInfo("iadd_operators", lambda lib, a, b: _iops(a * 1, b), INPLACE_SAMPLES, low=0.5, high=2.0),
]


def _iops(x, y):
    x += y
    x *= y
    x -= 0.5
    x /= y
    return x
