"""Op database entries: special functions added to ndgrad.ops.special_fns (logaddexp, i0, mvlgamma,
frexp, ldexp, nextafter, gcd, lcm, poisson)."""
import numpy as np

from . import OpInfo, NonContig, Arr

_ints_a = Arr(np.array([[4, 6, 0], [-12, 7, 9]]))
_ints_b = Arr(np.array([6, -4, 0]))

OPS = [
    OpInfo("logaddexp", lambda lib, a, b: lib.logaddexp(a, b), [((3, 4), (3, 4)), ((3, 4), (4,)), ((), (2,))]),
    OpInfo("logaddexp_method_big", lambda lib, a, b: (a * 400).logaddexp(b * 400), [((5,), (5,))], rtol=1e-5),
    OpInfo("logaddexp2", lambda lib, a, b: lib.logaddexp2(a, b), [((3, 4), (3, 4)), (NonContig((3, 4)), (1, 4))]),
    OpInfo("i0", lambda lib, a: lib.i0(a), [((3, 4),), ((),)], low=-5, high=5),
    OpInfo("i0_method", lambda lib, a: a.i0(), [((6,),)], low=-30, high=30, rtol=1e-5),
    OpInfo("mvlgamma", lambda lib, a: lib.mvlgamma(a, 1), [((3, 4),)], low=0.5, high=4),
    OpInfo("mvlgamma_p3", lambda lib, a: a.mvlgamma(3), [((3, 4),), ((),)], low=1.5, high=4),
    OpInfo("frexp", lambda lib, a: lib.frexp(a), [((3, 4),), ((),)], low=-100, high=100),
    OpInfo("frexp_method", lambda lib, a: a.frexp()[0] * 2, [((5,),)], low=-3, high=3),
    OpInfo("ldexp", lambda lib, a, e: lib.ldexp(a, e), [((3, 4), Arr(np.array([-2, 0, 3, 10])))]),
    OpInfo("ldexp_float_exp", lambda lib, a, e: a.ldexp(e), [((3, 4), (3, 4))]),
    OpInfo("nextafter", lambda lib, a, b: lib.nextafter(a, b), [((3, 4), (3, 4)), ((3, 4), ())], grad=False),
    OpInfo("gcd", lambda lib, a, b: lib.gcd(a, b), [(_ints_a, _ints_b)], grad=False, float32=False),
    OpInfo("lcm", lambda lib, a, b: a.lcm(b), [(_ints_a, _ints_b)], grad=False, float32=False),
    OpInfo("poisson", lambda lib, a: lib.poisson(a), [((3, 4),), ((0,),)], low=0, high=5, nondeterministic=True),
]
