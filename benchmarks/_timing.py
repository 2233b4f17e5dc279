"""Side-by-side timing helpers: best-of-N wall time, and a ratio line ndgrad/torch."""
import time


def best_time(fn, repeat=7, number=1, warmup=1):
    """Best wall-clock seconds per call over ``repeat`` runs of ``number`` calls (after warm-up)."""
    for _ in range(warmup):
        fn()
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best = min(best, (time.perf_counter() - start) / number)
    return best


def report(name, t_ndgrad, t_torch, unit="ms", scale=1e3, goal=None):
    ratio = t_ndgrad / t_torch
    verdict = "" if goal is None else ("  ok" if ratio <= goal else f"  ABOVE GOAL {goal}")
    print(f"{name:<48} ndgrad {t_ndgrad * scale:9.3f} {unit}  torch {t_torch * scale:9.3f} {unit}  "
          f"ratio {ratio:5.2f}{verdict}", flush=True)
    return ratio
