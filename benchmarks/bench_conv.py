"""ResNet-style layers side by side with torch, forward + backward, as ratios ndgrad/torch:

* Conv2d 3x3, 64 -> 64 channels, 56x56, batch 8 (padding 1)
* the 7x7 stride-2 stem, 3 -> 64 channels, 224x224, batch 8 (padding 3, input needs no grad)
* BatchNorm2d, 64 channels, 56x56, batch 8 (training mode)
* MaxPool2d 3x3 stride 2 padding 1, 64 channels, 112x112, batch 8

Both libraries use the same number of threads (NumPy's BLAS pool size; ``--threads N`` sets both).
Runs are interleaved (ndgrad, torch, ndgrad, ...) and the best of each is kept, so load on a shared
machine affects both sides alike; each timed call starts after a 50 ms pause, so torch's OpenMP
workers, which spin for a while after a parallel region, are asleep again and time neither side.
``--cpu-time`` times with the process CPU clock instead of the wall clock: with ``--threads 1`` on a
busy machine this ignores the time the process spends descheduled.
(On an oversubscribed machine OpenBLAS's worker threads spin and stall, so multi-threaded wall-clock
ratios there say more about the load than about the code.) Goal: every ratio <= 2.0.

    python benchmarks/bench_conv.py [--threads N] [--repeat R] [--cpu-time]
"""
import argparse
import os
import time

import numpy as np
import torch

import ndgrad
from _timing import report


def _blas_threads(n=None):
    """Set (when ``n``) and return the size of NumPy's BLAS thread pool."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:
        return n or int(os.environ.get("OPENBLAS_NUM_THREADS", os.cpu_count() or 1))
    if n:
        threadpool_limits(n, user_api="blas")
    info = [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
    return info[0] if info else (os.cpu_count() or 1)


_SETTLE_S = 0.05


def interleaved(fns, repeat, clock=time.perf_counter):
    """Best time of each callable, running them alternately ``repeat`` times after a warm-up."""
    for f in fns:
        f()
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, f in enumerate(fns):
            # torch's idle OpenMP workers spin for a while after each parallel region; let them go
            # to sleep so that the next call (either library's) is not timed against them
            time.sleep(_SETTLE_S)
            t = clock()
            f()
            best[i] = min(best[i], clock() - t)
    return best


def layer_step(lib, make, x0, input_grad):
    """forward + backward of ``make(lib)`` on ``x0`` with a fixed random upstream gradient."""
    layer = make(lib)
    x = lib.tensor(x0, requires_grad=input_grad)
    with lib.no_grad():
        shape = tuple(layer(x).shape)
    g = lib.tensor(np.random.default_rng(1).standard_normal(shape).astype(np.float32))
    params = list(layer.parameters())

    def run():
        for p in params:
            p.grad = None
        x.grad = None
        layer(x).backward(g)
    return run


CASES = [
    ("Conv2d 3x3 64->64 56x56 b8 fwd+bwd", lambda lib: lib.nn.Conv2d(64, 64, 3, padding=1, bias=False),
     (8, 64, 56, 56), True),
    ("Conv2d 7x7/2 stem 3->64 224x224 b8 fwd+bwd",
     lambda lib: lib.nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False), (8, 3, 224, 224), False),
    ("BatchNorm2d 64ch 56x56 b8 fwd+bwd", lambda lib: lib.nn.BatchNorm2d(64), (8, 64, 56, 56), True),
    ("MaxPool2d 3x3/2 p1 64ch 112x112 b8 fwd+bwd", lambda lib: lib.nn.MaxPool2d(3, 2, 1), (8, 64, 112, 112), True),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--cpu-time", action="store_true", help="process CPU time instead of wall time")
    args = ap.parse_args()
    threads = _blas_threads(args.threads)
    torch.set_num_threads(threads)
    clock = time.process_time if args.cpu_time else time.perf_counter
    print(f"threads: numpy BLAS {threads}, torch {torch.get_num_threads()}; "
          f"{'process CPU' if args.cpu_time else 'wall-clock'} time, best of {args.repeat}")
    rng = np.random.default_rng(0)
    ratios = []
    for name, make, shape, input_grad in CASES:
        x0 = rng.standard_normal(shape).astype(np.float32)
        torch.manual_seed(0)
        fns = [layer_step(ndgrad, make, x0, input_grad), layer_step(torch, make, x0, input_grad)]
        t_nd, t_th = interleaved(fns, args.repeat, clock)
        ratios.append(report(name, t_nd, t_th, goal=2.0))
    print(f"worst ratio {max(ratios):.2f}")


if __name__ == "__main__":
    main()
