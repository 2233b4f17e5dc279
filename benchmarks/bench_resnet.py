"""ResNet-18 at batch 8, 224x224, ndgrad vs torch in the same run (same weights, same data):

* training step (forward, cross-entropy, backward, SGD step)            goal: ratio <= 2.0
* frozen-backbone fine-tune step (only fc trainable)                   goal: ratio <= 1.5, and
  <= 1.15 x ndgrad's own forward time: freezing must prune the backward
* peak resident memory of a process doing the training step            goal: ratio <= 1.0
  (each library measured in a fresh subprocess: import, model, two steps)

    python benchmarks/bench_resnet.py [--batch 8] [--size 224] [--repeat 3]
"""
import argparse
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))  # torch_models: torchvision's ResNet in torch


def build(lib_name, seed=0, copy_weights=True):
    """(lib, model) with identical weights in both libraries (torch's init, copied into ndgrad).
    Without ``copy_weights`` ndgrad's model uses its own init and torch is never imported."""
    if lib_name == "ndgrad" and not copy_weights:
        import ndgrad
        from ndgrad.vision.models import resnet18
        return ndgrad, resnet18()
    import torch
    from torch_models import TORCH_BUILDERS
    torch.manual_seed(seed)
    ref = TORCH_BUILDERS["resnet18"]()
    if lib_name == "torch":
        return torch, ref
    import ndgrad
    from ndgrad.vision.models import resnet18
    model = resnet18()
    model.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    return ndgrad, model


def make_step(lib, model, x, y, frozen):
    nn = lib.nn
    if frozen:
        for p in model.parameters():
            p.requires_grad = False
        model.fc = nn.Linear(512, 10)
    opt = lib.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.01, momentum=0.9)

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    def forward():
        return model(x)
    return step, forward


def peak_rss_mib(lib_name, batch, size):
    """Peak RSS (MiB) of a fresh process that imports the library (only that one), builds ResNet-18
    and runs 2 training steps."""
    # VmHWM (the peak RSS of this process image): getrusage's ru_maxrss would include the parent's
    # peak from before the exec on Linux.
    code = (f"import sys; sys.path.insert(0, {HERE!r}); import bench_resnet as b; import numpy as np; "
            f"lib, m = b.build({lib_name!r}, copy_weights=False); rng = np.random.default_rng(0); "
            f"x = lib.tensor(rng.standard_normal(({batch}, 3, {size}, {size})).astype(np.float32)); "
            f"y = lib.tensor(rng.integers(0, 1000, {batch})); s, _ = b.make_step(lib, m, x, y, False); s(); s(); "
            "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return int(out.split()[-1]) / 1024


def main():
    from _timing import best_time, report
    parser = argparse.ArgumentParser()
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import torch
    print(f"ResNet-18, batch {args.batch}, {args.size}x{args.size}; torch threads {torch.get_num_threads()}")
    rng = np.random.default_rng(0)
    x0 = rng.standard_normal((args.batch, 3, args.size, args.size)).astype(np.float32)
    y0 = rng.integers(0, 1000, args.batch)
    times = {}
    for frozen in (False, True):
        for name in ("ndgrad", "torch"):
            lib, model = build(name)
            x, y = lib.tensor(x0), lib.tensor(y0 if not frozen else y0 % 10)
            step, forward = make_step(lib, model, x, y, frozen)
            times[(name, frozen, "step")] = best_time(step, repeat=args.repeat)
            if frozen:
                times[(name, frozen, "forward")] = best_time(forward, repeat=args.repeat)
    report("training step (fwd + bwd + SGD)", times[("ndgrad", False, "step")], times[("torch", False, "step")],
           unit="s", scale=1, goal=2.0)
    report("frozen-backbone fine-tune step (only fc)", times[("ndgrad", True, "step")],
           times[("torch", True, "step")], unit="s", scale=1, goal=1.5)
    own = times[("ndgrad", True, "step")] / times[("ndgrad", True, "forward")]
    ref = times[("torch", True, "step")] / times[("torch", True, "forward")]
    print(f"{'frozen step / forward (pruned backward)':<48} ndgrad {own:9.2f} x    torch {ref:9.2f} x    "
          f"goal: ndgrad <= 1.15{'  ok' if own <= 1.15 else '  ABOVE GOAL'}")
    rss_n, rss_t = peak_rss_mib("ndgrad", args.batch, args.size), peak_rss_mib("torch", args.batch, args.size)
    report("peak RSS of a training-step process", rss_n, rss_t, unit="MiB", scale=1, goal=1.0)


if __name__ == "__main__":
    main()
