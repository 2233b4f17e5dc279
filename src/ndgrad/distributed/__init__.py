"""ndgrad.distributed: torch.distributed's process groups and collectives, on MPI (mpi4py).

Install the optional extra (``pip install 'ndgrad[mpi]'``: mpi4py and the ``mpich`` wheel, which ships
``mpiexec``), start one process per worker with an MPI launcher, and train with
``ndgrad.nn.parallel.DistributedDataParallel`` and ``ndgrad.utils.data.distributed.DistributedSampler``:

    $ mpiexec -n 4 python train.py

    >>> import ndgrad as torch, ndgrad.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> model = torch.nn.parallel.DistributedDataParallel(model)

Importing this package does not import mpi4py (which would initialise MPI); that happens in
``init_process_group``.
"""
from .c10d_types import Backend, GroupMember, ProcessGroup, ReduceOp, Work, group  # noqa: F401
from .distributed_c10d import *  # noqa: F401,F403
from .distributed_c10d import __all__ as _c10d_all
from .launch import LaunchInfo, launch_info, is_main_process, init_from_launcher  # noqa: F401
from ._mpi import abort  # noqa: F401

__all__ = ["Backend", "GroupMember", "ProcessGroup", "ReduceOp", "Work", "group", "LaunchInfo", "launch_info",
           "is_main_process", "init_from_launcher", "abort", *_c10d_all]
