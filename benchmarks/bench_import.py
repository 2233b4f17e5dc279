"""Import time of ``import ndgrad`` against ``import torch`` and ``import numpy`` (fresh interpreters,
best of several runs). Goal: ndgrad under 150 ms."""
import os
import subprocess
import sys

from _timing import report


def import_time(module, runs=7):
    # As after `pip install` (which byte-compiles): bytecode caching on, one warm-up import to write
    # it. PYTHONDONTWRITEBYTECODE (set on some machines) would make every run recompile the sources.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=True)
    return min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                    check=True).stdout) for _ in range(runs))


def main():
    tn, tt, tnp = import_time("ndgrad"), import_time("torch", runs=3), import_time("numpy")
    report("import ndgrad vs import torch", tn, tt)
    print(f"{'import numpy alone':<48} {tnp * 1e3:9.1f} ms   (ndgrad adds {(tn - tnp) * 1e3:.1f} ms; goal: "
          f"ndgrad total < 150 ms)")


if __name__ == "__main__":
    main()
