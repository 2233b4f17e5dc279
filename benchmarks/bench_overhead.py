"""Per-op overhead: a chain of 1,000 elementwise ops on a 16-element float32 tensor that requires
grad, forward plus backward, in ndgrad and torch in the same process. Goal: ratio <= 0.7."""
import numpy as np
import torch

import ndgrad
from _timing import best_time, report

N_OPS = 1000


def chain(lib, x0):
    x = lib.tensor(x0, requires_grad=True)
    y = x
    for _ in range(N_OPS // 4):  # four elementwise ops per round: mul, add, tanh, mul
        y = y * 1.01
        y = y + 0.1
        y = y.tanh()
        y = y * x
    y.sum().backward()
    return x.grad


def main():
    torch.set_num_threads(1)
    x0 = np.linspace(-1, 1, 16, dtype=np.float32)
    np.testing.assert_allclose(chain(ndgrad, x0).numpy(), chain(torch, x0).numpy(), rtol=1e-4, atol=1e-6)
    tn = best_time(lambda: chain(ndgrad, x0), repeat=15)
    tt = best_time(lambda: chain(torch, x0), repeat=15)
    report(f"chain of {N_OPS} ops fwd+bwd (16 x f32), per op", tn / N_OPS, tt / N_OPS, unit="us", scale=1e6,
           goal=0.7)


if __name__ == "__main__":
    main()
