"""All-reduce cost of a ResNet-18-sized gradient across 2 ranks, and its share of a training step.

    python benchmarks/bench_allreduce.py [--batch 4] [--image-size 32] [--repeat 9]

launches itself under ``mpiexec -n 2``, once with MPICH's default progress (a non-blocking collective
advances only inside MPI calls) and once with MPICH's own progress thread
(``MPIR_CVAR_ASYNC_PROGRESS=1``). Each run prints, on rank 0:

* the time of one blocking ``Allreduce`` of a ResNet-18 gradient (11.7M float32, 47 MB);
* the time of a training step (forward, backward, SGD step) of one process without communication, of
  DDP with its default buckets (communication overlapping backward) progressed by DDP's progress
  thread and by polling from the gradient hooks, and of DDP with a single bucket (all communication
  after backward: no overlap), with the share of the step that communication costs in each case.
  The variants train the same model, interleaved step by step, so that they share the machine's load.

The model is ``ndgrad.vision.models.resnet18`` (11.2M parameters with a 10-class head), or an MLP of the
same size when resnet18 cannot run here. Run a worker by hand with
``mpiexec -n 2 python benchmarks/bench_allreduce.py --worker``.
"""
import argparse
import os
import statistics
import subprocess
import sys
import sysconfig
import time

import numpy as np

RESNET18_PARAMS = 11_689_512   # torchvision's resnet18 (1000 classes): 46.8 MB of float32 gradient


def parse():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--worker", action="store_true", help="run as one rank (under mpiexec)")
    p.add_argument("--batch", type=int, default=4, help="samples per rank per step (default 4)")
    p.add_argument("--image-size", type=int, default=32, help="input height/width for resnet18 (default 32)")
    p.add_argument("--repeat", type=int, default=9, help="timed steps per variant (default 9)")
    p.add_argument("--mlp", action="store_true", help="use the MLP even when resnet18 works")
    p.add_argument("-n", type=int, default=2, help="ranks (default 2)")
    p.add_argument("--configs", default="default,mpich-async",
                   help="comma-separated MPI configurations to run: default, mpich-async (default: both)")
    return p.parse_args()


def mpiexec():
    for d in (os.path.dirname(sys.executable), sysconfig.get_path("scripts")):
        path = os.path.join(d, "mpiexec")
        if os.path.exists(path):
            return path
    return os.environ.get("NDGRAD_MPIEXEC", "mpiexec")


CONFIGS = {
    "default": ("MPICH's default progress (inside MPI calls only)", {}),
    "mpich-async": ("MPICH's own progress thread (MPIR_CVAR_ASYNC_PROGRESS=1)", {"MPIR_CVAR_ASYNC_PROGRESS": "1"}),
}


def launch(args):
    here = os.path.abspath(__file__)
    extra = [f"--batch={args.batch}", f"--image-size={args.image_size}", f"--repeat={args.repeat}"]
    extra += ["--mlp"] if args.mlp else []
    for name in args.configs.split(","):
        label, env_extra = CONFIGS[name]
        print(f"\n=== {name}: {label}", flush=True)
        env = dict(os.environ, **env_extra)
        env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // args.n)))  # ranks share cores
        subprocess.run([mpiexec(), "-n", str(args.n), sys.executable, here, "--worker", *extra], env=env,
                       check=True)


def median_time(fn, repeat, barrier):
    times = []
    fn()                                   # warm-up (allocations, first-iteration work)
    for _ in range(repeat):
        barrier()
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def build_model(args, say):
    import ndgrad
    from ndgrad import nn
    if not args.mlp:
        try:
            from ndgrad.vision.models import resnet18
            model = resnet18(num_classes=10)
            x = ndgrad.randn(args.batch, 3, args.image_size, args.image_size)
            nn.functional.cross_entropy(model(x), ndgrad.zeros(args.batch, dtype=ndgrad.int64)).backward()
            model.zero_grad()
            return model, x, f"resnet18 (10 classes), batch {args.batch}x3x{args.image_size}x{args.image_size} per rank"
        except Exception as err:  # noqa: BLE001  (report and fall back)
            say(f"resnet18 unavailable here ({type(err).__name__}: {str(err)[:100]}); using an MLP of the same size")
    model = nn.Sequential(nn.Linear(1024, 2048), nn.ReLU(), nn.Linear(2048, 2048), nn.ReLU(),
                          nn.Linear(2048, 2048), nn.ReLU(), nn.Linear(2048, 512), nn.ReLU(), nn.Linear(512, 10))
    x = ndgrad.randn(args.batch * 8, 1024)
    return model, x, f"MLP 1024-2048-2048-2048-512-10, batch {args.batch * 8} per rank"


def worker(args):
    import ndgrad
    import ndgrad.distributed as dist
    from ndgrad import nn, optim
    from ndgrad.nn.parallel import DistributedDataParallel as DDP
    from mpi4py import MPI

    dist.init_process_group("mpi")
    rank, world = dist.get_rank(), dist.get_world_size()

    def say(*a):
        if rank == 0:
            print(*a, flush=True)

    comm = MPI.COMM_WORLD
    buf = np.ones(RESNET18_PARAMS, dtype=np.float32)
    t_ar = median_time(lambda: comm.Allreduce(MPI.IN_PLACE, buf), args.repeat, comm.Barrier)
    t_iar = median_time(lambda: comm.Iallreduce(MPI.IN_PLACE, buf).Wait(), args.repeat, comm.Barrier)
    mb = buf.nbytes / 1e6
    say(f"{world} ranks, {os.cpu_count()} CPU cores; Allreduce of {RESNET18_PARAMS:,} float32 ({mb:.1f} MB): "
        f"{t_ar * 1e3:.1f} ms blocking, {t_iar * 1e3:.1f} ms Iallreduce+Wait "
        f"(algorithm bandwidth {mb / t_ar / 1e3:.2f} GB/s)")

    ndgrad.manual_seed(0)
    model, x, desc = build_model(args, say)
    n_params = sum(p.numel() for p in model.parameters())
    y = ndgrad.zeros(x.shape[0], dtype=ndgrad.int64)
    say(f"model: {desc}, {n_params:,} parameters ({n_params * 4 / 1e6:.1f} MB of gradient)")
    grads = np.ones(n_params, np.float32)
    t_model_ar = median_time(lambda: comm.Allreduce(MPI.IN_PLACE, grads), args.repeat, comm.Barrier)

    def stepper(net):
        opt = optim.SGD(model.parameters(), lr=1e-3)

        def step():
            opt.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            opt.step()
        return step

    # All variants train the same model, interleaved round by round, so that they see the same machine
    # load (a DDP wrapper's hooks do nothing unless its own forward ran).
    overlap_thread = DDP(model)
    overlap_thread.reducer.use_progress_thread = True
    overlap_poll = DDP(model)
    overlap_poll.reducer.use_progress_thread = False
    single = DDP(model, bucket_cap_mb=1e6)
    n_buckets = len(overlap_poll.reducer.buckets)
    variants = [("one process, no communication", stepper(model)),
                (f"DDP, {n_buckets} buckets, DDP's progress thread", stepper(overlap_thread)),
                (f"DDP, {n_buckets} buckets, polled from the hooks", stepper(overlap_poll)),
                ("DDP, one bucket after backward (no overlap)", stepper(single))]
    times = {name: [] for name, _ in variants}
    for _, fn in variants:
        fn()                                        # warm-up
    for r in range(args.repeat):
        for k in range(len(variants)):
            name, fn = variants[(k + r) % len(variants)]   # rotate the order every round
            comm.Barrier()
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    t_alone = med[variants[0][0]]
    say(f"all-reduce of this model's gradient alone: {t_model_ar * 1e3:.1f} ms")
    say(f"training step (median of {args.repeat}, variants interleaved):")
    say(f"  {variants[0][0]:<50} {t_alone * 1e3:8.1f} ms")
    for name, _ in variants[1:]:
        t = med[name]
        extra = t - t_alone
        say(f"  {name:<50} {t * 1e3:8.1f} ms: communication adds {extra * 1e3:7.1f} ms = "
            f"{max(extra, 0) / t:5.1%} of the step")
    dist.destroy_process_group()


if __name__ == "__main__":
    a = parse()
    if a.worker:
        worker(a)
    else:
        launch(a)
