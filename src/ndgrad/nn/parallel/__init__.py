"""ndgrad.nn.parallel: DistributedDataParallel (torch.nn.parallel's multi-process data parallelism) and
DataParallel (which, without an accelerator, just runs the wrapped module, as torch's does).

Importing it does not initialise MPI; constructing a DistributedDataParallel needs
``ndgrad.distributed.init_process_group`` first.
"""
from .distributed import DistributedDataParallel  # noqa: F401
from .data_parallel import DataParallel, data_parallel  # noqa: F401

__all__ = ["DistributedDataParallel", "DataParallel", "data_parallel"]
