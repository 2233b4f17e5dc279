"""The last rank raises while the others wait in a collective: the job must end (non-zero) within
seconds instead of hanging. Run: mpiexec -n N python fault_raise.py [ddp]"""
import sys

import ndgrad as torch
import ndgrad.distributed as dist
from ndgrad import nn
from ndgrad.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
if len(sys.argv) > 1 and sys.argv[1] == "ddp":
    # the failure happens inside backward, while the other ranks wait for its gradients
    model = DDP(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)), bucket_cap_mb=1e-6)
    out = model(torch.randn(3, 4))
    if rank == world - 1:
        model.module[0].weight.register_hook(lambda g: 1 / 0)
    out.sum().backward()
else:
    if rank == world - 1:
        raise RuntimeError(f"deliberate failure on rank {rank}")
    dist.all_reduce(torch.ones(3))   # would wait forever for the failed rank
print("unreachable", flush=True)
