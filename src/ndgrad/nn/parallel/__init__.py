"""ndgrad.nn.parallel: DistributedDataParallel (torch.nn.parallel's multi-process data parallelism).

Importing it does not initialise MPI; constructing a DistributedDataParallel needs
``ndgrad.distributed.init_process_group`` first.
"""
from .distributed import DistributedDataParallel  # noqa: F401

__all__ = ["DistributedDataParallel"]
