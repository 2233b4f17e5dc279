"""nn hot paths side by side with torch: Module call overhead, a small MLP's training step
(Linear + ReLU + CrossEntropy, forward + backward), and one wide Linear layer."""
import numpy as np
import torch

import ndgrad
from _timing import best_time, report


def mlp(lib, sizes):
    layers = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [lib.nn.Linear(a, b), lib.nn.ReLU()]
    return lib.nn.Sequential(*layers[:-1])


def step(lib, model, x, y, crit):
    def run():
        model.zero_grad()
        loss = crit(model(x), y)
        loss.backward()
    return run


def main():
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    for batch, sizes in [(32, [64, 64, 64, 10]), (128, [784, 256, 128, 10])]:
        x0 = rng.standard_normal((batch, sizes[0])).astype(np.float32)
        y0 = rng.integers(0, sizes[-1], batch)
        times = []
        for lib in (ndgrad, torch):
            model = mlp(lib, sizes)
            times.append(best_time(step(lib, model, lib.tensor(x0), lib.tensor(y0), lib.nn.CrossEntropyLoss()),
                                   repeat=20, number=5))
        report(f"MLP {sizes} batch {batch} train step", *times)
    x0 = rng.standard_normal((4, 16)).astype(np.float32)
    times = []
    for lib in (ndgrad, torch):
        lin = lib.nn.Linear(16, 16)
        x = lib.tensor(x0)
        with lib.no_grad():
            times.append(best_time(lambda: lin(x), repeat=20, number=200))
    report("Linear(16, 16) call, no grad (per call)", *times, unit="us", scale=1e6)
    times = []
    for lib in (ndgrad, torch):
        ident = lib.nn.Identity()
        times.append(best_time(lambda: ident(1), repeat=20, number=2000))
    report("Identity() call overhead (per call)", *times, unit="us", scale=1e6)


if __name__ == "__main__":
    main()
