"""Op database entries: elementwise functions of one tensor (ndgrad.ops.unary)."""
import math

import numpy as np

from . import OpInfo, NonContig, Arr

# general samples: a matrix, 0-d, 0-size, non-contiguous
S = [((3, 4),), ((),), ((0, 3),), (NonContig((3, 4)),)]
INTS = Arr(np.array([[1, -2, 3], [4, 0, 6]], dtype=np.int64))
UINT8 = Arr(np.array([[1, 0, 3], [4, 250, 6]], dtype=np.uint8))
BOOLS = Arr(np.array([True, False, True]))
SMALL_INTS = Arr(np.array([[1, 2, 3], [4, 1, 2]], dtype=np.int32))
INF, NAN = math.inf, math.nan

# torch's second derivative of these is a ZeroTensor, which test_op_db_higher cannot turn into NumPy
# (the zero second derivative is checked in test_elementwise.py)
ZERO_2ND = False
# torch gives sgn's first derivative as a ZeroTensor too (checked in test_elementwise.py)
ZERO_1ST = False
# torch raises NotImplementedError for the derivative of asinh_/acosh_/atanh_; ndgrad differentiates
# them (test_elementwise.py checks against the out-of-place op)
NO_INPLACE_GRAD = False


def _u(name, low=-2.0, high=2.0, samples=S, inplace_grad=True, **kw):
    """torch.<name>(x), Tensor.<name>() and the in-place Tensor.<name>_() on a non-leaf."""
    ikw = dict(kw, grad=False) if not inplace_grad else kw
    return [
        OpInfo(name, lambda lib, a: getattr(lib, name)(a), samples, low=low, high=high, **kw),
        OpInfo(name + "_method", lambda lib, a: getattr(a, name)(), samples[:1], low=low, high=high, **kw),
        OpInfo(name + "_inplace", lambda lib, a: getattr(a * 1, name + "_")(), samples[:1], low=low, high=high,
               **ikw),
    ]


OPS = [
    *_u("exp"), *_u("exp2"), *_u("expm1"),
    *_u("log", 0.5, 2.0), *_u("log2", 0.5, 2.0), *_u("log10", 0.5, 2.0), *_u("log1p", -0.5, 2.0),
    *_u("sqrt", 0.5, 2.0), *_u("rsqrt", 0.5, 2.0),
    *_u("sin"), *_u("cos"), *_u("tan", -1.2, 1.2), *_u("asin", -0.9, 0.9), *_u("acos", -0.9, 0.9), *_u("atan"),
    *_u("sinh"), *_u("cosh"), *_u("tanh"), *_u("asinh", inplace_grad=NO_INPLACE_GRAD),
    *_u("acosh", 1.2, 3.0, inplace_grad=NO_INPLACE_GRAD), *_u("atanh", -0.9, 0.9, inplace_grad=NO_INPLACE_GRAD),
    *_u("sigmoid", -6.0, 6.0), *_u("logit", 0.1, 0.9), *_u("erf", -3.0, 3.0), *_u("erfc", -3.0, 3.0),
    *_u("erfinv", -0.95, 0.95), *_u("reciprocal", 0.5, 2.0), *_u("square"),
    *_u("abs", gradgrad=ZERO_2ND), *_u("sign"), *_u("sgn", grad=ZERO_1ST), *_u("floor"), *_u("ceil"),
    *_u("round"), *_u("trunc"), *_u("frac"), *_u("fix"),
    *_u("lgamma", 0.3, 5.0), *_u("digamma", 0.3, 5.0), *_u("deg2rad"), *_u("rad2deg"), *_u("sinc"),
    *_u("relu"), *_u("nan_to_num"),
    OpInfo("neg", lambda lib, a: lib.neg(a), S),
    OpInfo("negative", lambda lib, a: a.negative(), S[:1]),
    OpInfo("positive", lambda lib, a: lib.positive(a), S[:1]),
    OpInfo("arcsin_alias", lambda lib, a: lib.arcsin(a), S[:1], low=-0.9, high=0.9),
    OpInfo("arctanh_alias", lambda lib, a: a.arctanh(), S[:1], low=-0.9, high=0.9),
    OpInfo("absolute_alias", lambda lib, a: lib.absolute(a), S[:1], gradgrad=ZERO_2ND),
    OpInfo("abs_operator", lambda lib, a: abs(a), S[:1], gradgrad=ZERO_2ND),
    # special points where torch defines the gradient
    OpInfo("abs_at_zero", lambda lib, a: lib.abs(a), [(Arr([-1.5, 0.0, 2.0, -0.0]),)], gradgrad=ZERO_2ND),
    OpInfo("relu_at_zero", lambda lib, a: lib.relu(a), [(Arr([-1.5, 0.0, 2.0]),)]),
    OpInfo("sqrt_at_zero", lambda lib, a: lib.sqrt(a), [(Arr([0.0, 1.0, 4.0]),)], gradgrad=False),
    OpInfo("sign_at_zero", lambda lib, a: lib.sign(a), [(Arr([-1.5, 0.0, 2.0]),)]),
    OpInfo("sinc_at_zero", lambda lib, a: lib.sinc(a), [(Arr([0.0, 0.5, -1.5]),)], gradgrad=False),
    OpInfo("round_half_even", lambda lib, a: lib.round(a), [(Arr([0.5, 1.5, 2.5, -0.5, -1.5]),)]),
    OpInfo("round_decimals", lambda lib, a: lib.round(a, decimals=2), S[:2]),
    OpInfo("round_neg_decimals", lambda lib, a: lib.round(a * 100, decimals=-1), S[:1]),
    OpInfo("logit_eps", lambda lib, a: lib.logit(a, eps=0.2), S[:2], low=0.0, high=1.0),
    OpInfo("logit_eps_method", lambda lib, a: a.logit(0.25), S[:1], low=0.0, high=1.0),
    OpInfo("sigmoid_tails", lambda lib, a: lib.sigmoid(a), [(Arr([-30.0, -5.0, 0.0, 5.0, 30.0]),)]),
    OpInfo("erf_tails", lambda lib, a: lib.erf(a), [(Arr([-6.0, -0.3, 0.0, 0.46875, 0.47, 4.0, 4.1, 10.0]),)]),
    OpInfo("erfc_tails", lambda lib, a: lib.erfc(a), [(Arr([-6.0, -0.3, 0.0, 0.5, 4.0, 9.0, 26.0]),)],
           rtol=1e-9),
    OpInfo("erfinv_tails", lambda lib, a: lib.erfinv(a), [(Arr([-0.999999, -0.7, 0.0, 0.5, 0.99, 1 - 1e-12]),)],
           rtol=1e-9),
    OpInfo("lgamma_negative", lambda lib, a: lib.lgamma(a), [(Arr([-2.5, -0.5, 0.3, 1.0, 2.0, 7.5, 30.0]),)]),
    OpInfo("digamma_negative", lambda lib, a: lib.digamma(a), [(Arr([-2.5, -0.5, 0.3, 1.0, 2.0, 7.5, 30.0]),)]),
    OpInfo("polygamma_1", lambda lib, a: lib.polygamma(1, a), S[:2], low=0.3, high=5.0),
    OpInfo("polygamma_2", lambda lib, a: lib.polygamma(2, a), S[:1], low=0.3, high=5.0, rtol=1e-5),
    OpInfo("polygamma_method", lambda lib, a: a.polygamma(1), S[:1], low=0.3, high=5.0),
    OpInfo("nan_to_num_values", lambda lib, a: lib.nan_to_num(a), [(Arr([NAN, INF, -INF, 1.5]),)]),
    OpInfo("nan_to_num_args", lambda lib, a: lib.nan_to_num(a, nan=1.0, posinf=2.0, neginf=-3.0),
           [(Arr([NAN, INF, -INF, 1.5]),)]),
    OpInfo("special_values", lambda lib, a: (lib.exp(a), lib.log(a), lib.sqrt(a), lib.tanh(a), lib.sigmoid(a)),
           [(Arr([0.0, -0.0, INF, -INF, NAN, -1.0]),)], grad=False),
    # integer and bool inputs: transcendental functions give float32, rounding keeps the dtype
    OpInfo("exp_int", lambda lib, a: (lib.exp(a), lib.sqrt(a), lib.sigmoid(a), lib.erf(a), lib.tanh(a)),
           [(INTS,), (UINT8,), (BOOLS,)], grad=False),
    OpInfo("log_int", lambda lib, a: (lib.log1p(a), lib.lgamma(a), lib.digamma(a)), [(SMALL_INTS,)], grad=False),
    OpInfo("rounding_int", lambda lib, a: (lib.floor(a), lib.ceil(a), lib.round(a), lib.trunc(a), lib.sign(a)),
           [(INTS,), (UINT8,)], grad=False),
    OpInfo("abs_int", lambda lib, a: (lib.abs(a), lib.neg(a), lib.square(a), lib.relu(a)),
           [(INTS,), (UINT8,)], grad=False),
    OpInfo("bool_unary", lambda lib, a: (lib.sign(a), lib.square(a), lib.exp(a), lib.nan_to_num(a)), [(BOOLS,)],
           grad=False),
]
