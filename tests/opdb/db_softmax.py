"""Op database entries: softmax and log_softmax (ndgrad.ops.softmax)."""
from . import OpInfo, NonContig, Arr

S = [((3, 4), 1), ((3, 4), 0), ((2, 3, 4), 1), ((3, 4), -1), ((5,), 0), ((), 0), ((), -1), ((0, 3), 1),
     ((3, 0), 1), (NonContig((3, 4)), 1), (NonContig((3, 4)), 0)]
EXTREME = Arr([[1000.0, 0.0, -1000.0], [-1e300, 0.0, 1.0], [-80.0, 30.0, 29.0]])

OPS = [
    OpInfo("softmax", lambda lib, a, d: lib.softmax(a, d), S),
    OpInfo("log_softmax", lambda lib, a, d: lib.log_softmax(a, d), S),
    OpInfo("softmax_method", lambda lib, a: a.softmax(-1), [((3, 4),)]),
    OpInfo("log_softmax_method", lambda lib, a: a.log_softmax(dim=0), [((3, 4),)]),
    OpInfo("softmax_kw", lambda lib, a: lib.softmax(a, dim=1), [((3, 4),)]),
    OpInfo("softmax_dtype", lambda lib, a: lib.softmax(a, 1, dtype=lib.float64), [((3, 4),)], float32=False),
    OpInfo("log_softmax_dtype", lambda lib, a: lib.log_softmax(a, 1, lib.float64), [((3, 4),)], float32=False),
    OpInfo("softmax_extreme", lambda lib, a: lib.softmax(a, 1), [(EXTREME,)]),
    OpInfo("log_softmax_extreme", lambda lib, a: lib.log_softmax(a, 1), [(EXTREME,)]),
    OpInfo("softmax_large_scale", lambda lib, a: lib.softmax(a * 50, 1), [((4, 6),)], rtol=1e-5, atol=1e-6),
    OpInfo("log_softmax_large_scale", lambda lib, a: lib.log_softmax(a * 50, 0), [((4, 6),)], rtol=1e-5, atol=1e-6),
    OpInfo("softmax_special", lambda lib, a: (lib.softmax(a, 1), lib.log_softmax(a, 1)),
           [(Arr([[float("inf"), 1.0], [float("-inf"), float("-inf")], [float("nan"), 1.0], [float("-inf"), 1.0]]),)],
           grad=False),
]
