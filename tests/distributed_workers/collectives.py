"""Every collective against the NumPy computation of what it should produce.

Each rank's input is a deterministic function of its rank, so every rank can compute the expected
result locally. Run: mpiexec -n N python collectives.py
"""
import os
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import ndgrad as torch  # noqa: E402
import ndgrad.distributed as dist  # noqa: E402
from _common import close, equal  # noqa: E402


def expect_error(kind, fragment, fn):
    try:
        fn()
    except kind as err:
        if fragment not in str(err):
            raise AssertionError(f"expected {kind.__name__} mentioning {fragment!r}, got: {err}") from err
        return
    raise AssertionError(f"expected {kind.__name__} mentioning {fragment!r}, nothing was raised")


# before init: torch's error
expect_error(ValueError, "Default process group has not been initialized, please make sure to call "
             "init_process_group.", lambda: dist.all_reduce(torch.ones(2)))
expect_error(ValueError, "Default process group has not been initialized", dist.get_rank)
equal("is_initialized before", dist.is_initialized(), False)
expect_error(RuntimeError, "only the 'mpi' backend", lambda: dist.init_process_group("nccl"))

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
equal("is_initialized", dist.is_initialized(), True)
equal("backend", dist.get_backend(), "mpi")
equal("launch_info", tuple(dist.launch_info())[:2], (rank, world))
equal("is_main_process", dist.is_main_process(), rank == 0)
expect_error(ValueError, "trying to initialize the default process group twice!", dist.init_process_group)


def data(r, shape=(2, 3), dtype=np.float32):
    """Rank r's input."""
    return (np.arange(np.prod(shape)).reshape(shape) * (r + 1) + r).astype(dtype)


everyone = np.stack([data(r) for r in range(world)])

# -- all_reduce: every op, dtypes, non-contiguous, 0-d, async -------------------------------------------
R = dist.ReduceOp
for op, fn in ((R.SUM, np.sum), (R.PRODUCT, np.prod), (R.MIN, np.min), (R.MAX, np.max), (R.AVG, np.mean)):
    for dt in (np.float32, np.float64, np.int64, np.int32):
        if op is R.AVG and dt in (np.int64, np.int32):
            expect_error(ValueError, "ReduceOp.AVG needs a floating-point",
                         lambda: dist.all_reduce(torch.from_numpy(data(rank, dtype=dt)), op=op))
            continue
        t = torch.from_numpy(data(rank, dtype=dt))
        v = t._version
        dist.all_reduce(t, op=op)
        close(f"all_reduce {op} {np.dtype(dt).name}", t.numpy(), fn(np.stack([data(r, dtype=dt) for r in range(world)]),
                                                                      axis=0).astype(dt))
        equal("all_reduce bumps the version", t._version, v + 1)
        equal("all_reduce keeps the dtype", t.numpy().dtype, np.dtype(dt))
for op, fn in ((R.BAND, np.bitwise_and.reduce), (R.BOR, np.bitwise_or.reduce), (R.BXOR, np.bitwise_xor.reduce)):
    t = torch.from_numpy(data(rank, dtype=np.int64))
    dist.all_reduce(t, op=op)
    close(f"all_reduce {op}", t.numpy(), fn(np.stack([data(r, dtype=np.int64) for r in range(world)]), axis=0))
b = torch.tensor([rank == 0, True, False])
dist.all_reduce(b)                        # bool SUM is a logical or
equal("bool all_reduce", b.tolist(), [True, True, False])
h = torch.from_numpy(data(rank, dtype=np.float16))
dist.all_reduce(h)
close("float16 all_reduce", h.numpy(), everyone.astype(np.float16).sum(0), rtol=1e-3)
c = torch.from_numpy(data(rank).astype(np.complex64) * (1 + 1j))
dist.all_reduce(c)
close("complex all_reduce", c.numpy(), everyone.sum(0) * (1 + 1j))
expect_error(ValueError, "does not support", lambda: dist.all_reduce(c, op=R.MAX))

base = torch.from_numpy(data(rank, shape=(3, 4)))
view = base.t()                           # non-contiguous view: copied in and out
dist.all_reduce(view)
close("non-contiguous all_reduce", base.numpy(), np.stack([data(r, shape=(3, 4)) for r in range(world)]).sum(0))
cols = torch.from_numpy(data(rank, shape=(4, 4)))
dist.all_reduce(cols[:, 1], op=R.MAX)     # strided column of a bigger tensor: the rest untouched
want = data(rank, shape=(4, 4))
want[:, 1] = np.stack([data(r, shape=(4, 4)) for r in range(world)]).max(0)[:, 1]
close("strided column all_reduce", cols.numpy(), want)
expect_error(RuntimeError, "single memory location", lambda: dist.all_reduce(torch.ones(3).expand(2, 3)))

s = torch.tensor(float(rank))
dist.all_reduce(s)
close("0-d all_reduce", s.item(), sum(range(world)))
p = torch.ones(3, requires_grad=True)     # a leaf that requires grad (as DDP's parameters)
dist.all_reduce(p)
close("all_reduce on a leaf requiring grad", p.detach().numpy(), np.full(3, world))

t = torch.from_numpy(data(rank))
work = dist.all_reduce(t, op=R.AVG, async_op=True)
equal("Work type", type(work).__name__, "Work")
work.wait()
equal("is_completed", work.is_completed(), True)
close("async AVG", t.numpy(), everyone.mean(0))
t = torch.from_numpy(data(rank, shape=(100000,)))
work = dist.all_reduce(t, async_op=True)
while not work.is_completed():
    pass
close("async polled", t.numpy(), np.stack([data(r, shape=(100000,)) for r in range(world)]).sum(0))
expect_error(TypeError, "must be a ReduceOp", lambda: dist.all_reduce(torch.ones(1), op="sum"))
expect_error(TypeError, "Expected parameter `tensor` of type torch.Tensor", lambda: dist.all_reduce(np.ones(2)))

# -- broadcast, all_gather, reduce, gather, scatter, reduce_scatter ------------------------------------
for src in range(world):
    t = torch.from_numpy(data(rank))
    dist.broadcast(t, src=src)
    close(f"broadcast from {src}", t.numpy(), data(src))
t = torch.from_numpy(data(rank)).t()
dist.broadcast(t, src=world - 1, async_op=True).wait()
close("async non-contiguous broadcast", t.numpy(), data(world - 1).T)

outs = [torch.zeros(2, 3) for _ in range(world)]
dist.all_gather(outs, torch.from_numpy(data(rank)))
for r in range(world):
    close(f"all_gather[{r}]", outs[r].numpy(), data(r))
outs = [torch.zeros(3, 2).t() for _ in range(world)]   # non-contiguous outputs
dist.all_gather(outs, torch.from_numpy(data(rank)), async_op=True).wait()
close("async all_gather", np.stack([o.numpy() for o in outs]), everyone)
expect_error(ValueError, "world_size", lambda: dist.all_gather([torch.zeros(2, 3)] * (world + 1),
                                                             torch.zeros(2, 3)))
flat = torch.zeros(world * 2, 3)
dist.all_gather_into_tensor(flat, torch.from_numpy(data(rank)))
close("all_gather_into_tensor", flat.numpy(), everyone.reshape(world * 2, 3))

for dst in range(world):
    t = torch.from_numpy(data(rank))
    dist.reduce(t, dst=dst, op=R.MAX)
    close(f"reduce to {dst}", t.numpy(), everyone.max(0) if rank == dst else data(rank))

dst = world - 1
gl = [torch.zeros(2, 3) for _ in range(world)] if rank == dst else None
dist.gather(torch.from_numpy(data(rank)), gl, dst=dst)
if rank == dst:
    close("gather", np.stack([g.numpy() for g in gl]), everyone)
if rank != dst:
    expect_error(ValueError, "must NOT be specified on non-destination ranks",
                 lambda: dist.gather(torch.zeros(2, 3), [torch.zeros(2, 3)] * world, dst=dst))
else:
    expect_error(ValueError, "must be specified on destination rank", lambda: dist.gather(torch.zeros(2, 3), None,
                                                                                          dst=dst))

t = torch.zeros(2, 3)
dist.scatter(t, [torch.from_numpy(data(r) * 10) for r in range(world)] if rank == 0 else None, src=0)
close("scatter", t.numpy(), data(rank) * 10)

out = torch.zeros(2, 3)
dist.reduce_scatter_tensor(out, torch.from_numpy(np.concatenate([data(rank) + k for k in range(world)])))
close("reduce_scatter_tensor", out.numpy(), (everyone + rank).sum(0))
out = torch.zeros(2, 3)
dist.reduce_scatter(out, [torch.from_numpy(data(rank) * (k + 1)) for k in range(world)], op=R.AVG)
close("reduce_scatter AVG", out.numpy(), everyone.mean(0) * (rank + 1))

# -- point to point, objects -------------------------------------------------------------------------------
if world > 1:
    if rank == 0:
        dist.send(torch.from_numpy(data(0)), dst=1)
        w = dist.irecv(buf := torch.zeros(2, 3), src=1)
        w.wait()
        close("irecv", buf.numpy(), data(1))
    elif rank == 1:
        buf = torch.zeros(2, 3)
        equal("recv returns the sender", dist.recv(buf), 0)
        close("recv", buf.numpy(), data(0))
        dist.isend(torch.from_numpy(data(1)), dst=0).wait()
objs = [None, None] if rank else [{"lr": 0.1}, "resnet18"]
dist.broadcast_object_list(objs, src=0)
equal("broadcast_object_list", objs, [{"lr": 0.1}, "resnet18"])
gathered = [None] * world
dist.all_gather_object(gathered, ("rank", rank))
equal("all_gather_object", gathered, [("rank", r) for r in range(world)])

# -- groups --------------------------------------------------------------------------------------------
odd_even = [r for r in range(world) if r % 2 == 0]
g = dist.new_group(odd_even)
if rank in odd_even:
    equal("group rank", dist.get_rank(g), odd_even.index(rank))
    equal("group size", dist.get_world_size(g), len(odd_even))
    equal("group ranks", dist.get_process_group_ranks(g), odd_even)
    t = torch.from_numpy(data(rank))
    dist.all_reduce(t, group=g)
    close("all_reduce in a group", t.numpy(), np.stack([data(r) for r in odd_even]).sum(0))
    src = odd_even[-1]                                     # a global rank, as in torch
    t = torch.from_numpy(data(rank))
    dist.broadcast(t, src=src, group=g)
    close("broadcast in a group (global src)", t.numpy(), data(src))
    t = torch.from_numpy(data(rank))
    dist.broadcast(t, group=g, group_src=0)
    close("broadcast in a group (group_src)", t.numpy(), data(odd_even[0]))
    if world > 2:
        expect_error(ValueError, "not part of group", lambda: dist.broadcast(torch.zeros(1), src=1, group=g))
else:
    equal("non-member sentinel", g, dist.GroupMember.NON_GROUP_MEMBER)
    equal("non-member rank", dist.get_rank(g), -1)
    equal("non-member size", dist.get_world_size(g), -1)
    t = torch.ones(2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        equal("collective on a non-member returns None", dist.all_reduce(t, group=g), None)
    equal("non-member warning", "does not belong to the given group" in str(caught[0].message), True)
    close("non-member tensor unchanged", t.numpy(), np.ones(2))
dist.barrier()
dist.barrier(async_op=True).wait()

# destroy, then initialise again (MPI stays initialised)
dist.destroy_process_group()
equal("destroyed", dist.is_initialized(), False)
dist.init_process_group("mpi")
t = torch.ones(1)
dist.all_reduce(t)
close("after re-init", t.item(), world)
dist.destroy_process_group()
if rank == 0:
    print(f"COLLECTIVES OK world={world}", flush=True)
