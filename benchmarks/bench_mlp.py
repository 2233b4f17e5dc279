"""MLP 784-256-256-10 training step (forward, cross-entropy, backward, SGD step) at batch 64 and
512, ndgrad vs torch in the same process, both with their default thread counts. Goal: ratio <= 1.15."""
import numpy as np
import torch

import ndgrad
from _timing import best_time, report


def build(lib, weights):
    model = lib.nn.Sequential(lib.nn.Linear(784, 256), lib.nn.ReLU(), lib.nn.Linear(256, 256), lib.nn.ReLU(),
                              lib.nn.Linear(256, 10))
    with lib.no_grad():
        for p, w in zip(model.parameters(), weights):
            p.copy_(lib.tensor(w))
    return model, lib.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)


def step_fn(lib, model, opt, x, y):
    loss_fn = lib.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def main():
    rng = np.random.default_rng(0)
    ref = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256),
                              torch.nn.ReLU(), torch.nn.Linear(256, 10))
    weights = [p.detach().numpy().copy() for p in ref.parameters()]
    print(f"threads: torch {torch.get_num_threads()}, NumPy/BLAS default")
    for batch in (64, 512):
        x0 = rng.standard_normal((batch, 784)).astype(np.float32)
        y0 = rng.integers(0, 10, batch)
        steps = {}
        for lib in (ndgrad, torch):
            model, opt = build(lib, weights)
            steps[lib.__name__] = step_fn(lib, model, opt, lib.tensor(x0), lib.tensor(y0))
        # same numbers first: one step each from identical weights
        np.testing.assert_allclose(steps["ndgrad"]().item(), steps["torch"]().item(), rtol=1e-4)
        reps = 60 if batch == 64 else 20
        tn = best_time(steps["ndgrad"], repeat=7, number=reps)
        tt = best_time(steps["torch"], repeat=7, number=reps)
        report(f"MLP 784-256-256-10 train step, batch {batch}", tn, tt, goal=1.15)


if __name__ == "__main__":
    main()
