"""Was this process started by an MPI launcher, and as which rank? (Read from the environment, so it
works before ``init_process_group`` and without initialising MPI.)

Scripts and ``ndgrad finetune`` use it to decide whether to set up data parallelism at all:

    >>> info = dist.launch_info()
    >>> if info.distributed:
    ...     dist.init_process_group("mpi")
    >>> if dist.is_main_process():
    ...     print("only once per job")
"""
import os
from typing import NamedTuple, Optional

__all__ = ["LaunchInfo", "launch_info", "is_main_process", "init_from_launcher"]

# (launcher, rank variable, size variable, local rank variable), most specific first
_LAUNCHERS = (
    ("mpiexec (MPICH/Hydra)", "PMI_RANK", "PMI_SIZE", "MPI_LOCALRANKID"),
    ("mpirun (Open MPI)", "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_LOCAL_RANK"),
    ("mpiexec (PMIx)", "PMIX_RANK", "PMIX_SIZE", "PMIX_LOCAL_RANK"),
    ("mpirun (MVAPICH)", "MV2_COMM_WORLD_RANK", "MV2_COMM_WORLD_SIZE", "MV2_COMM_WORLD_LOCAL_RANK"),
    ("srun (Slurm)", "SLURM_PROCID", "SLURM_NTASKS", "SLURM_LOCALID"),
)


class LaunchInfo(NamedTuple):
    """What the launcher says about this process: ``launcher`` is None when not started by one."""

    rank: int
    world_size: int
    local_rank: int
    launcher: Optional[str]

    @property
    def distributed(self):
        """True when there are several processes to train with."""
        return self.world_size > 1


def launch_info(environ=None):
    """Rank, world size and local rank from the launcher's environment variables.

    Recognises MPICH/Hydra ``mpiexec``, Open MPI ``mpirun``, PMIx, MVAPICH and Slurm ``srun``. Once
    ``init_process_group`` has run, the process group's values are returned instead.

    Example:
        >>> dist.launch_info()            # python train.py
        LaunchInfo(rank=0, world_size=1, local_rank=0, launcher=None)
    """
    from .distributed_c10d import _world
    env = os.environ if environ is None else environ
    found = None
    for name, rank_var, size_var, local_var in _LAUNCHERS:
        if rank_var in env and size_var in env:
            try:
                found = (int(env[rank_var]), int(env[size_var]), int(env.get(local_var, env[rank_var])), name)
            except ValueError:
                continue
            if name.startswith("srun") and found[1] == 1:
                found = None  # a plain Slurm allocation running one task: not a parallel launch
                continue
            break
    pg = _world.default
    if pg is not None and environ is None:
        local = found[2] if found is not None else pg.rank()
        return LaunchInfo(pg.rank(), pg.size(), local, found[3] if found is not None else "mpi")
    if found is None:
        return LaunchInfo(0, 1, 0, None)
    return LaunchInfo(*found)


def is_main_process():
    """True on rank 0 (or when not distributed): the process that prints, saves and plots."""
    from .distributed_c10d import _world
    pg = _world.default
    if pg is not None:
        return pg.rank() == 0
    return launch_info().rank == 0


def init_from_launcher(backend="mpi", **kwargs):
    """``init_process_group(backend)`` when started by a launcher with several processes; returns the
    ``LaunchInfo`` (and does nothing for a plain single-process run)."""
    from .distributed_c10d import init_process_group, is_initialized
    info = launch_info()
    if info.distributed and not is_initialized():
        init_process_group(backend, **kwargs)
        info = launch_info()
    return info
