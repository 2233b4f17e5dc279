"""find_unused_parameters=False with a parameter that gets no gradient: the next forward raises
torch's "Expected to have finished reduction" error naming the parameter. Run: mpiexec -n N python ddp_unused.py"""
import sys

import ndgrad as torch
import ndgrad.distributed as dist
from ndgrad import nn
from ndgrad.nn.parallel import DistributedDataParallel as DDP


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.used = nn.Linear(4, 2)
        self.unused = nn.Linear(4, 2)

    def forward(self, x):
        return self.used(x)


dist.init_process_group("mpi")
rank = dist.get_rank()
model = DDP(Net())
model(torch.randn(3, 4)).sum().backward()
try:
    model(torch.randn(3, 4))
except RuntimeError as err:
    sys.stdout.write(f"rank {rank}: RuntimeError: {err}\n")
    sys.stdout.flush()
else:
    raise AssertionError("no error for an unused parameter")
dist.barrier()
