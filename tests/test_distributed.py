"""ndgrad.distributed, DistributedDataParallel and DistributedSampler.

The multi-process tests start real MPI jobs on this machine (``mpiexec -n 2`` and ``-n 3``, more ranks
than cores is fine) running the scripts in ``tests/distributed_workers/``; each script checks its
results on every rank and fails loudly (the whole job aborts with a traceback). They need the optional
``mpi`` extra (mpi4py and the ``mpich`` wheel, which provides ``mpiexec``) and are skipped, with the
reason, without it. Set ``NDGRAD_MPIEXEC`` to use another launcher.

The in-process tests (sampler, errors before initialisation, bucket assignment) run everywhere and
never initialise MPI in the pytest process.
"""
import importlib.util
import os
import shutil
import signal
import subprocess
import sys
import sysconfig
import time

import numpy as np
import pytest

import ndgrad
import ndgrad.distributed as dist
from ndgrad.utils.data.distributed import DistributedSampler

HERE = os.path.dirname(os.path.abspath(__file__))
WORKERS = os.path.join(HERE, "distributed_workers")
SRC = os.path.join(os.path.dirname(HERE), "src")


# -- finding and running mpiexec ----------------------------------------------------------------------
def _find_mpiexec():
    """The launcher that matches mpi4py: $NDGRAD_MPIEXEC, else the one installed next to this Python
    (the mpich wheel puts mpiexec in the environment's scripts directory), else the one on PATH."""
    explicit = os.environ.get("NDGRAD_MPIEXEC")
    if explicit:
        return explicit
    dirs = [os.path.dirname(sys.executable), sysconfig.get_path("scripts")]
    try:
        dirs.append(sysconfig.get_path("scripts", f"{os.name}_user"))
    except KeyError:
        pass
    for d in dirs:
        for name in ("mpiexec", "mpirun"):
            path = os.path.join(d or "", name)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return path
    return shutil.which("mpiexec") or shutil.which("mpirun")


MPIEXEC = _find_mpiexec()
if not importlib.util.find_spec("mpi4py"):
    SKIP = "mpi4py is not installed (install the MPI extra: pip install 'ndgrad[mpi]', i.e. mpi4py and mpich)"
elif MPIEXEC is None:
    SKIP = ("no mpiexec found next to this Python or on PATH (pip install mpich provides one, or set "
            "NDGRAD_MPIEXEC)")
else:
    SKIP = None
needs_mpi = pytest.mark.skipif(SKIP is not None, reason=SKIP or "")


def _launcher_args(n):
    args = [MPIEXEC, "-n", str(n)]
    try:
        version = subprocess.run([MPIEXEC, "--version"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.TimeoutExpired):
        version = ""
    if "Open MPI" in version or "OpenRTE" in version:
        args.append("--oversubscribe")   # Hydra (MPICH) oversubscribes without being asked
    return args


def mpirun(n, script, *args, timeout=120, env_extra=None):
    """Run a worker script on ``n`` ranks; returns (returncode, stdout, stderr, seconds).

    The job runs in its own session so that a hang is killed whole (launcher and ranks)."""
    env = dict(os.environ, **(env_extra or {}))
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env["OMP_NUM_THREADS"] = env["OPENBLAS_NUM_THREADS"] = env["MKL_NUM_THREADS"] = "1"  # ranks share cores
    env.pop("NDGRAD_DISTRIBUTED_NO_ABORT", None)
    cmd = _launcher_args(n) + [sys.executable, os.path.join(WORKERS, script), *args]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        pytest.fail(f"{' '.join(cmd)} hung for {timeout} s\nstdout:\n{out}\nstderr:\n{err}")
    return proc.returncode, out, err, time.monotonic() - start


def run_ok(n, script, *args, env_extra=None):
    rc, out, err, _ = mpirun(n, script, *args, env_extra=env_extra)
    assert rc == 0, f"mpiexec -n {n} {script} failed ({rc})\nstdout:\n{out}\nstderr:\n{err[-6000:]}"
    return out


# -- multi-process tests --------------------------------------------------------------------------------
@needs_mpi
@pytest.mark.parametrize("n", [2, 3])
def test_collectives_match_numpy(n):
    """all_reduce (every op, dtypes, non-contiguous, 0-d, async), broadcast, all_gather, reduce, gather,
    scatter, reduce_scatter, send/recv, object collectives, new_group with non-members, re-init."""
    assert f"COLLECTIVES OK world={n}" in run_ok(n, "collectives.py")


@needs_mpi
@pytest.mark.parametrize("n,progress", [(2, "poll"), (3, "poll"), (2, "thread")])
def test_ddp_matches_single_process_training(n, progress):
    """MLP (several bucket sizes, gradient_as_bucket_view) and a CNN with BatchNorm in eval mode end with
    the parameters of one process trained on the whole batch; no_sync, frozen parameters,
    find_unused_parameters, buffer broadcast, overlap of communication with backward. Both ways of
    progressing the non-blocking reductions: polling from the hooks, and the progress thread."""
    env = {"NDGRAD_DDP_PROGRESS_THREAD": "1" if progress == "thread" else "0"}
    assert f"DDP OK world={n}" in run_ok(n, "ddp_equivalence.py", env_extra=env)


@needs_mpi
@pytest.mark.parametrize("where", ["collective", "ddp"])
def test_failing_rank_ends_the_job_quickly(where):
    """A rank that raises (outside DDP, or inside backward while the others wait for its gradients)
    ends the whole job with its traceback and a non-zero status, instead of hanging the other ranks."""
    args = ("ddp",) if where == "ddp" else ()
    rc, out, err, seconds = mpirun(3, "fault_raise.py", *args, timeout=60)
    assert rc != 0
    assert "unreachable" not in out
    assert ("deliberate failure on rank 2" if where == "collective" else "ZeroDivisionError") in err
    assert "aborting the MPI job" in err
    assert seconds < 30, f"the job took {seconds:.1f} s to end"


@needs_mpi
def test_ddp_detects_different_models_at_construction():
    out = run_ok(3, "ddp_mismatch.py")
    msg = ("RuntimeError: DistributedDataParallel expects the same model on every rank, but parameter '1.weight' "
           "(index 2) has shape [4, 3] and dtype torch.float32 on rank 0, while rank 2 has parameter '1.weight' "
           "with shape [5, 3]")
    assert out.count(msg) == 3, out          # every rank raised the same error, none hangs


@needs_mpi
def test_ddp_unused_parameter_error():
    out = run_ok(2, "ddp_unused.py")
    assert out.count("Expected to have finished reduction in the prior iteration before starting a new one") == 2
    assert "Parameters which did not receive grad for rank 1: unused.weight (index 2), unused.bias (index 3)" in out


# -- in-process tests (no MPI) --------------------------------------------------------------------------
def test_import_does_not_initialise_mpi():
    code = ("import sys, ndgrad, ndgrad.distributed, ndgrad.nn.parallel, ndgrad.utils.data.distributed; "
            "print('mpi4py.MPI' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_errors_before_init_process_group():
    from ndgrad.nn.parallel import DistributedDataParallel
    msg = "Default process group has not been initialized, please make sure to call init_process_group."
    for fn in (dist.get_rank, dist.get_world_size, dist.barrier, lambda: dist.all_reduce(ndgrad.ones(2)),
               lambda: dist.broadcast(ndgrad.ones(2), 0), dist.new_group,
               lambda: DistributedDataParallel(ndgrad.nn.Linear(2, 2))):
        with pytest.raises(ValueError) as info:
            fn()
        assert str(info.value) == msg
    assert dist.is_initialized() is False
    assert dist.is_available() == (importlib.util.find_spec("mpi4py") is not None)


def test_reduce_op_and_backend_names_match_torch():
    import torch.distributed as tdist
    for name in ("SUM", "AVG", "PRODUCT", "MIN", "MAX", "BAND", "BOR", "BXOR"):
        assert repr(getattr(dist.ReduceOp, name)) == repr(getattr(tdist.ReduceOp, name))
    assert dist.Backend("MPI") == tdist.Backend("MPI") == "mpi"
    assert dist.GroupMember.NON_GROUP_MEMBER == tdist.GroupMember.NON_GROUP_MEMBER
    assert dist.GroupMember.WORLD is None and dist.group.WORLD is None


def test_launch_info_from_environment():
    info = dist.launch_info({"PMI_RANK": "2", "PMI_SIZE": "4", "MPI_LOCALRANKID": "0"})
    assert info == (2, 4, 0, "mpiexec (MPICH/Hydra)") and info.distributed
    info = dist.launch_info({"OMPI_COMM_WORLD_RANK": "1", "OMPI_COMM_WORLD_SIZE": "2",
                             "OMPI_COMM_WORLD_LOCAL_RANK": "1"})
    assert info == (1, 2, 1, "mpirun (Open MPI)")
    assert dist.launch_info({"SLURM_PROCID": "3", "SLURM_NTASKS": "8", "SLURM_LOCALID": "1"}).rank == 3
    assert dist.launch_info({"SLURM_PROCID": "0", "SLURM_NTASKS": "1"}).launcher is None
    assert dist.launch_info({}) == (0, 1, 0, None) and not dist.launch_info({}).distributed


def test_bucket_assignment_reverse_order_and_caps():
    from ndgrad.nn.parallel._reducer import assign_buckets
    params = [ndgrad.zeros(n) for n in (100, 10, 300, 5)] + [ndgrad.zeros(7, dtype=ndgrad.float64)]
    order = list(reversed(range(len(params))))
    # caps in bytes: first bucket 50 B, then 1000 B; float64 gets its own bucket
    buckets = assign_buckets(params, order, [50, 1000])
    assert buckets == [[4], [3, 2], [1, 0]]
    assert assign_buckets(params, order, [10 ** 9]) == [[4], [3, 2, 1, 0]]


@pytest.mark.parametrize("n", [0, 1, 5, 10, 11])
@pytest.mark.parametrize("replicas", [1, 2, 3, 4])
@pytest.mark.parametrize("drop_last", [False, True])
def test_distributed_sampler_unshuffled_matches_torch(n, replicas, drop_last):
    from torch.utils.data.distributed import DistributedSampler as TorchSampler
    if n == 0:
        return
    for rank in range(replicas):
        ours = DistributedSampler(range(n), num_replicas=replicas, rank=rank, shuffle=False, drop_last=drop_last)
        theirs = TorchSampler(range(n), num_replicas=replicas, rank=rank, shuffle=False, drop_last=drop_last)
        assert list(ours) == list(theirs)
        assert len(ours) == len(theirs)
        assert (ours.num_samples, ours.total_size) == (theirs.num_samples, theirs.total_size)


def test_distributed_sampler_shuffled_structure():
    n, replicas = 10, 3
    samplers = [DistributedSampler(range(n), num_replicas=replicas, rank=r, seed=5) for r in range(replicas)]
    parts = [list(s) for s in samplers]
    assert all(len(p) == 4 for p in parts)
    # rank-strided subsampling of one permutation (the same on every rank), padded by wrapping around
    merged = [parts[i % replicas][i // replicas] for i in range(12)]
    assert sorted(merged[:n]) == list(range(n))
    assert merged[n:] == merged[:2]
    assert [list(s) for s in samplers] == parts          # deterministic for a seed and epoch
    for s in samplers:
        s.set_epoch(1)
    assert [list(s) for s in samplers] != parts          # a new shuffle each epoch
    dropped = [list(DistributedSampler(range(n), replicas, r, seed=5, drop_last=True)) for r in range(replicas)]
    flat = sorted(i for p in dropped for i in p)
    assert len(flat) == 9 and len(set(flat)) == 9


def test_distributed_sampler_errors_and_loader():
    with pytest.raises(ValueError, match=r"Invalid rank 3, rank should be in the interval \[0, 2\]"):
        DistributedSampler(range(5), num_replicas=3, rank=3)
    with pytest.raises(ValueError, match="Default process group has not been initialized"):
        DistributedSampler(range(5))
    from ndgrad.utils.data import DataLoader, TensorDataset
    ds = TensorDataset(ndgrad.arange(10.))
    loader = DataLoader(ds, batch_size=2, sampler=DistributedSampler(ds, num_replicas=2, rank=1, shuffle=False))
    assert [b[0].tolist() for b in loader] == [[1.0, 3.0], [5.0, 7.0], [9.0]]
    np.testing.assert_array_equal(np.arange(10)[1::2], [1, 3, 5, 7, 9])
