"""Op database entries: binary arithmetic (ndgrad.ops.arith)."""
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
