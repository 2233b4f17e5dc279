"""Proof on real data: scikit-learn's handwritten digits (1,797 8x8 images, 10 classes).

* an MLP with Adam and a small CNN (Conv2d + BatchNorm2d + MaxPool2d + AdaptiveAvgPool2d) with
  SGD + Nesterov and a cosine schedule each reach >= 95% held-out accuracy;
* the same CNN, same initial weights, same batches, trained 50 steps in ndgrad and in torch, ends
  with parameters equal to ~1e-4 (float32).
"""
import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

import ndgrad


@pytest.fixture(scope="module")
def digits():
    d = load_digits()
    x = (d.data / 16.0).astype(np.float32)
    y = d.target.astype(np.int64)
    perm = np.random.default_rng(0).permutation(len(y))
    x, y = x[perm], y[perm]
    return x[:1437], y[:1437], x[1437:], y[1437:]


def mlp(lib):
    nn = lib.nn
    return nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))


def cnn(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(32, 10))


def accuracy(model, x, y):
    model.eval()
    with ndgrad.no_grad():
        pred = model(ndgrad.tensor(x)).argmax(1).numpy()
    return float((pred == y).mean())


def train(model, opt, x, y, epochs, batch, sched=None, per_step=False):
    from ndgrad.utils.data import DataLoader, TensorDataset
    loader = DataLoader(TensorDataset(ndgrad.tensor(x), ndgrad.tensor(y)), batch_size=batch, shuffle=True,
                        generator=ndgrad.Generator().manual_seed(0))
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            ndgrad.nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
            if sched is not None and per_step:
                sched.step()


def test_mlp_with_adam_reaches_95_percent(digits):
    xtr, ytr, xte, yte = digits
    ndgrad.manual_seed(0)
    model = mlp(ndgrad)
    train(model, ndgrad.optim.Adam(model.parameters(), lr=1e-3), xtr, ytr, epochs=25, batch=32)
    assert accuracy(model, xte, yte) >= 0.95


def test_cnn_with_nesterov_sgd_and_cosine_schedule_reaches_95_percent(digits):
    xtr, ytr, xte, yte = digits
    ndgrad.manual_seed(0)
    model = cnn(ndgrad)
    epochs, batch = 20, 32
    opt = ndgrad.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4)
    steps = epochs * -(-len(ytr) // batch)
    sched = ndgrad.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=steps)
    train(model, opt, xtr.reshape(-1, 1, 8, 8), ytr, epochs, batch, sched, per_step=True)
    assert accuracy(model, xte.reshape(-1, 1, 8, 8), yte) >= 0.95


def test_cnn_50_steps_match_torch(digits):
    xtr, ytr, _, _ = digits
    torch.manual_seed(0)
    ref = cnn(torch)
    model = cnn(ndgrad)
    model.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    opts = [lib.optim.SGD(m.parameters(), lr=0.05, momentum=0.9, nesterov=True) for lib, m in
            ((ndgrad, model), (torch, ref))]
    scheds = [lib.optim.lr_scheduler.CosineAnnealingLR(o, T_max=50) for lib, o in zip((ndgrad, torch), opts)]
    rng = np.random.default_rng(1)
    for _ in range(50):
        idx = rng.choice(len(ytr), 32, replace=False)
        xb, yb = xtr[idx].reshape(-1, 1, 8, 8), ytr[idx]
        for lib, m, o, s in ((ndgrad, model, opts[0], scheds[0]), (torch, ref, opts[1], scheds[1])):
            o.zero_grad()
            lib.nn.functional.cross_entropy(m(lib.tensor(xb)), lib.tensor(yb)).backward()
            o.step()
            s.step()
    for (name, p), (_, q) in zip(model.state_dict().items(), ref.state_dict().items()):
        np.testing.assert_allclose(p.numpy(), q.numpy(), rtol=1e-4, atol=1e-4, err_msg=name)
