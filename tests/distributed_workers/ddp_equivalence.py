"""DDP on N ranks, each on its shard of the batch, must end where one process training on the whole
batch ends (float32, ~1e-5). Also: no_sync accumulation, frozen parameters, find_unused_parameters,
gradient_as_bucket_view, buffer broadcast, state_dict prefix. Run: mpiexec -n N python ddp_equivalence.py
"""
import copy
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import ndgrad as torch  # noqa: E402
import ndgrad.distributed as dist  # noqa: E402
from ndgrad import nn  # noqa: E402
from ndgrad.nn.parallel import DistributedDataParallel as DDP  # noqa: E402
from _common import close, equal, params_close  # noqa: E402

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
N = 12 * world                      # whole batch; each rank gets N / world samples
rng = np.random.default_rng(0)      # same data on every rank
shard = slice(rank * (N // world), (rank + 1) * (N // world))


def mlp():
    return nn.Sequential(nn.Linear(10, 32), nn.Tanh(), nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 3))


class CNN(nn.Module):
    """Conv + BatchNorm (run in eval mode: running statistics, identical on every rank) + pooling."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 8, 3)
        self.fc = nn.Linear(8 * 2 * 2, 4)

    def forward(self, x):
        x = nn.functional.max_pool2d(nn.functional.relu(self.bn1(self.conv1(x))), 2)
        x = nn.functional.relu(self.conv2(x))
        return self.fc(x.flatten(1))


def train(model, x, y, steps, lr=0.1, ddp=None):
    """SGD with momentum on (x, y); ``ddp`` is the wrapper to call when training data-parallel."""
    net = ddp if ddp is not None else model
    opt = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    for _ in range(steps):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()


def equivalence(name, make, x_np, y_np, eval_mode=False, **ddp_kwargs):
    torch.manual_seed(100 + rank)            # different init per rank: DDP must broadcast rank 0's
    model = make()
    if eval_mode:
        model.eval()
    ddp = DDP(model, **ddp_kwargs)
    reference = copy.deepcopy(model)         # rank 0's initial parameters, trained on the whole batch
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    train(reference, x, y, steps=4)
    train(model, x[shard], y[shard], steps=4, ddp=ddp)
    params_close(name, model, reference)
    return ddp


# -- 1. MLP, several bucket sizes (one bucket, a bucket per parameter, default) --------------------------
x_mlp = rng.standard_normal((N, 10)).astype(np.float32)
y_mlp = rng.integers(0, 3, N)
for cap in (None, 1e-6, 1):
    ddp = equivalence(f"mlp bucket_cap_mb={cap}", mlp, x_mlp, y_mlp, bucket_cap_mb=cap)
    if cap == 1e-6:
        equal("one bucket per parameter", len(ddp.reducer.buckets), 6)

# overlap: when the first layer's gradient arrives (the last one backward computes), the buckets of the
# later layers have already been handed to MPI (Iallreduce), while backward was still running
torch.manual_seed(1)
model = mlp()
seen = []
model[0].weight.register_hook(lambda g: seen.append(ddp.reducer._next_bucket))
ddp = DDP(model, bucket_cap_mb=1e-6)
nn.functional.cross_entropy(ddp(torch.from_numpy(x_mlp[shard])), torch.from_numpy(y_mlp[shard])).backward()
equal("buckets launched before backward reached the first layer", seen[0] >= 4, True)
equal("all buckets reduced at the end", ddp.reducer._next_bucket, 0)
ddp = equivalence("mlp gradient_as_bucket_view", mlp, x_mlp, y_mlp, gradient_as_bucket_view=True, bucket_cap_mb=0.001)

# -- 2. small CNN with BatchNorm in eval mode ------------------------------------------------------------
x_cnn = rng.standard_normal((N, 3, 8, 8)).astype(np.float32)
y_cnn = rng.integers(0, 4, N)
ddp = equivalence("cnn", CNN, x_cnn, y_cnn, eval_mode=True)
sd = ddp.state_dict()
equal("state_dict prefix", sorted(sd)[:2], ["module.bn1.bias", "module.bn1.num_batches_tracked"])
equal("module attribute", type(ddp.module).__name__, "CNN")

# -- 3. buffers: broadcast from rank 0 at construction and before each forward ---------------------------
torch.manual_seed(0)
bn_model = nn.Sequential(nn.BatchNorm1d(4), nn.Linear(4, 4))
bn_model[0].running_mean.fill_(float(rank))   # differs per rank before DDP
ddp = DDP(bn_model)
close("buffer broadcast at init", bn_model[0].running_mean.numpy(), np.zeros(4))
ddp(torch.from_numpy(rng.standard_normal((6, 4)).astype(np.float32) + rank)).sum().backward()  # train-mode BN
before = bn_model[0].running_mean.numpy().copy()   # per-rank statistics differ now (by design, as torch)
ddp(torch.ones(2, 4))                               # the next forward broadcasts rank 0's buffers first
gathered = [torch.zeros(4) for _ in range(world)]
dist.all_gather(gathered, torch.from_numpy(before))
after_forward = bn_model[0].running_mean.numpy()
# after the forward each rank updated rank 0's statistics with its own batch (ones): same on all ranks
expect = 0.9 * gathered[0].numpy() + 0.1 * np.ones(4, np.float32)
close("buffers synced before forward", after_forward, expect)

# -- 4. no_sync: two accumulation steps then one synchronised step == whole batch --------------------------
torch.manual_seed(7)
model = mlp()
ddp = DDP(model)
reference = copy.deepcopy(model)
x, y = torch.from_numpy(x_mlp), torch.from_numpy(y_mlp)
half = N // world // 2
mine_x, mine_y = x[shard], y[shard]
with ddp.no_sync():
    nn.functional.cross_entropy(ddp(mine_x[:half]), mine_y[:half], reduction="sum").backward()
local = model[0].weight.grad.numpy().copy()
nn.functional.cross_entropy(ddp(mine_x[half:]), mine_y[half:], reduction="sum").backward()
nn.functional.cross_entropy(reference(x), y, reduction="sum").backward()
for (n, p), (_, q) in zip(model.named_parameters(), reference.named_parameters()):
    close(f"no_sync accumulated grad {n}", p.grad.numpy() * world, q.grad.numpy(), rtol=1e-4, atol=1e-4)
gathered = [torch.zeros(*local.shape) for _ in range(world)]
dist.all_gather(gathered, torch.from_numpy(local))
if world > 1:
    assert not np.allclose(gathered[0].numpy(), gathered[1].numpy()), "no_sync must not communicate"

# -- 5. frozen parameters are skipped (no hook, no bucket), the rest is averaged -------------------------
torch.manual_seed(3)
model = mlp()
model[0].weight.requires_grad_(False)
ddp = DDP(model)
equal("frozen parameter not in the reducer", any(p is model[0].weight for p in ddp.reducer.params), False)
reference = copy.deepcopy(model)
train(reference, x, y, steps=2)
train(model, x[shard], y[shard], steps=2, ddp=ddp)
params_close("frozen", model, reference)
equal("frozen parameter has no grad", model[0].weight.grad is None, True)


# -- 6. find_unused_parameters: a branch used only on rank 0 -----------------------------------------------
class Branchy(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(10, 3)
        self.b = nn.Linear(10, 3)
        self.never = nn.Linear(10, 3)

    def forward(self, x, use_b):
        out = self.a(x)
        return out + self.b(x) if use_b else out


torch.manual_seed(5)
model = Branchy()
ddp = DDP(model, find_unused_parameters=True)
for step in range(2):
    model.zero_grad()
    out = ddp(x[shard], use_b=(rank == 0))
    nn.functional.cross_entropy(out, y[shard], reduction="sum").backward()
equal("never-used parameter keeps grad None", model.never.weight.grad is None, True)
# b is used on rank 0 only: every rank gets rank 0's gradient divided by the world size
grad_b = model.b.weight.grad.numpy()
gathered = [torch.zeros(3, 10) for _ in range(world)]
dist.all_gather(gathered, torch.from_numpy(grad_b))
for g in gathered:
    close("locally unused parameter gets the average", g.numpy(), gathered[0].numpy())

# -- 7. async collectives overlap with computation ------------------------------------------------------
t = torch.ones(1000) * (rank + 1)
work = dist.all_reduce(t, async_op=True)
_ = torch.randn(200, 200) @ torch.randn(200, 200)
work.wait()
close("async all_reduce", t.numpy(), np.full(1000, world * (world + 1) / 2))

# -- 8. DDP over a sub-group: gradients averaged among its members only -----------------------------------
pair = dist.new_group([0, 1])
if rank in (0, 1):
    torch.manual_seed(0)
    lin = nn.Linear(3, 1, bias=False)
    sub = DDP(lin, process_group=pair)
    sub(torch.full((1, 3), float(rank + 1))).sum().backward()
    close("sub-group DDP averages over its members", lin.weight.grad.numpy(), np.full((1, 3), 1.5))
else:
    equal("non-member", pair, dist.GroupMember.NON_GROUP_MEMBER)

dist.barrier()
if rank == 0:
    print(f"DDP OK world={world}", flush=True)
dist.destroy_process_group()
