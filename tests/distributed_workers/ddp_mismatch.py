"""A rank whose model differs: DDP's constructor raises the same clear error on every rank.
Run: mpiexec -n N python ddp_mismatch.py"""
import sys

import ndgrad.distributed as dist
from ndgrad import nn
from ndgrad.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
hidden = 5 if rank == world - 1 else 4
model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, hidden), nn.Linear(hidden, 2))
try:
    DDP(model)
except RuntimeError as err:
    sys.stdout.write(f"rank {rank}: RuntimeError: {err}\n")
    sys.stdout.flush()
else:
    raise AssertionError("DDP accepted different models")
dist.barrier()
