"""torch.distributed's process groups and collectives, on MPI through mpi4py.

Every collective works in place on the tensors' NumPy buffers with mpi4py's buffer interface
(``comm.Allreduce(MPI.IN_PLACE, array)``: no pickling, no copy for contiguous tensors), and bumps the
version counter of each tensor it writes. A non-contiguous tensor is copied into a contiguous buffer
and the result copied back. ``async_op=True`` uses MPI's non-blocking collectives (``Iallreduce`` ...)
and returns a ``Work``.

Example (``mpiexec -n 2 python train.py``):
    >>> import ndgrad as torch, ndgrad.distributed as dist
    >>> dist.init_process_group("mpi")
    >>> t = torch.ones(3) * (dist.get_rank() + 1)
    >>> dist.all_reduce(t)              # tensor([3., 3., 3.]) on both ranks
"""
import warnings
from datetime import timedelta

import numpy as np

from .._tensor import Tensor
from . import _mpi
from .c10d_types import Backend, GroupMember, ProcessGroup, ReduceOp, Work, wait_request

__all__ = ["init_process_group", "destroy_process_group", "is_initialized", "is_available", "is_mpi_available",
           "is_gloo_available", "is_nccl_available", "is_torchelastic_launched", "get_rank", "get_world_size",
           "get_backend", "new_group", "get_process_group_ranks", "get_group_rank", "get_global_rank", "barrier",
           "all_reduce", "broadcast", "all_gather", "all_gather_into_tensor", "reduce", "gather", "scatter",
           "reduce_scatter", "reduce_scatter_tensor", "send", "recv", "isend", "irecv",
           "broadcast_object_list", "all_gather_object", "gather_object"]

_NOT_INIT = ("Default process group has not been initialized, please make sure to call init_process_group.")


class _World:
    """Module state: the default group and every communicator created since ``init_process_group``."""

    def __init__(self):
        self.default = None
        self.groups = []     # ProcessGroups created by new_group
        self.comms = []      # other communicators to free at destroy (DDP's private duplicates)


_world = _World()


# -- availability and initialisation ------------------------------------------------------------------
def is_available():
    """True when a backend can run, i.e. mpi4py is installed (ndgrad's only backend is MPI)."""
    return _mpi.available()


def is_mpi_available():
    return _mpi.available()


def is_gloo_available():
    return False


def is_nccl_available():
    return False


def is_torchelastic_launched():
    return False


def is_initialized():
    return _world.default is not None


def init_process_group(backend=None, init_method=None, timeout=None, world_size=-1, rank=-1, store=None,
                       group_name="", pg_options=None, device_id=None):
    """Join the job started by an MPI launcher (``mpiexec -n 4 python train.py``, ``srun``).

    Rank and world size come from the MPI runtime; ``init_method``/``store`` are not needed (MPI did
    the rendezvous). Also installs a ``sys.excepthook`` that aborts the whole job when any rank dies
    with an uncaught exception, so the other ranks never hang in a collective.

    Args:
        backend (str): ``"mpi"`` (the default; the only backend ndgrad implements).
        timeout (timedelta, optional): if given, blocking collectives and ``Work.wait()`` raise
            RuntimeError when a collective has not completed after that long (MPI itself waits forever).
        world_size, rank (int, optional): checked against the MPI runtime's values when given.

    Example:
        >>> dist.init_process_group(backend="mpi")
        >>> dist.get_rank(), dist.get_world_size()
        (0, 2)
    """
    if _world.default is not None:
        raise ValueError("trying to initialize the default process group twice!")
    name = Backend(backend if backend is not None else Backend.MPI)
    if name == Backend.UNDEFINED:
        name = Backend(Backend.MPI)
    if name != Backend.MPI:
        raise RuntimeError(
            f"ndgrad.distributed implements only the 'mpi' backend (through mpi4py), not {name!r}: call "
            "init_process_group('mpi') and start the processes with an MPI launcher, e.g. "
            "mpiexec -n 4 python train.py")
    if device_id is not None:
        from .._tensor import check_device
        check_device(device_id if not isinstance(device_id, int) else "cuda")
    if timeout is not None and not isinstance(timeout, timedelta):
        raise TypeError(f"Expected timeout argument to be of type datetime.timedelta, got {type(timeout).__name__}")
    MPI = _mpi.mpi()
    world = MPI.COMM_WORLD
    n, me = world.Get_size(), world.Get_rank()
    if (world_size not in (-1, None) and world_size != n) or (rank not in (-1, None) and rank != me):
        warnings.warn(f"For MPI backend, world_size ({world_size}) and rank ({rank}) are ignored since they are "
                      f"assigned by the MPI runtime (world size {n}, rank {me}).", stacklevel=2)
    comm = world.Dup()
    _mpi.install_abort_hook()
    pg = ProcessGroup(comm, range(n), timeout, name=group_name or "0")
    _world.default = pg
    GroupMember.WORLD = pg


def destroy_process_group(group=None):
    """Free the given group's communicator, or every group's when ``group`` is None / the default one.

    MPI itself stays initialised (it cannot be restarted in a process), so ``init_process_group`` may
    be called again afterwards.
    """
    if group is GroupMember.NON_GROUP_MEMBER or (isinstance(group, int) and group == GroupMember.NON_GROUP_MEMBER):
        return
    pg = _world.default if group is None else group
    if pg is None:
        raise AssertionError("Process group cannot be None")
    if pg is _world.default:
        for g in _world.groups:
            _free(g._comm)
        for c in _world.comms:
            _free(c)
        _free(pg._comm)
        _world.groups.clear()
        _world.comms.clear()
        _world.default = None
        GroupMember.WORLD = None
    elif pg in _world.groups:
        _world.groups.remove(pg)
        _free(pg._comm)
    else:
        raise ValueError("Invalid process group specified")


def _free(comm):
    MPI = _mpi.mpi()
    if comm != MPI.COMM_NULL and not MPI.Is_finalized():
        comm.Free()


def _register_comm(comm):
    """Free ``comm`` (a duplicate made by DDP) together with the default group."""
    _world.comms.append(comm)


# -- groups ---------------------------------------------------------------------------------------------
def _default_group():
    pg = _world.default
    if pg is None:
        raise ValueError(_NOT_INIT)
    return pg


def _resolve(group):
    """The ProcessGroup to run on; None for a rank outside ``group`` (NON_GROUP_MEMBER)."""
    if group is None:
        return _default_group()
    if isinstance(group, ProcessGroup):
        if _world.default is None:
            raise ValueError(_NOT_INIT)
        return group
    if isinstance(group, int) and group == GroupMember.NON_GROUP_MEMBER:
        return None
    raise TypeError(f"group must be a ProcessGroup returned by new_group() (or None for the default group), "
                    f"got {type(group).__name__}")


def _warn_not_in_group(op_name):
    pg = _world.default
    warnings.warn(f"Running {op_name} on global rank {-1 if pg is None else pg.rank()} which does not "
                  "belong to the given group.", stacklevel=3)


def get_rank(group=None):
    """This process's rank in ``group`` (the default group when None); -1 outside the group."""
    pg = _resolve(group)
    return -1 if pg is None else pg.rank()


def get_world_size(group=None):
    """The number of processes in ``group``; -1 outside the group."""
    pg = _resolve(group)
    return -1 if pg is None else pg.size()


def get_backend(group=None):
    pg = _resolve(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return Backend(Backend.MPI)


def get_process_group_ranks(group):
    """The global ranks of ``group``'s members, ordered by group rank."""
    pg = _resolve(group)
    if pg is None:
        raise ValueError("Invalid process group specified")
    return list(pg._ranks)


def get_group_rank(group, global_rank):
    pg = _resolve(group)
    if pg is None or global_rank not in pg._group_rank:
        raise ValueError(f"Global rank {global_rank} is not part of group {group}")
    return pg._group_rank[global_rank]


def get_global_rank(group, group_rank):
    pg = _resolve(group)
    if pg is None or not 0 <= group_rank < pg.size():
        raise ValueError(f"Group rank {group_rank} is not part of group {group}")
    return pg._ranks[group_rank]


def new_group(ranks=None, timeout=None, backend=None, pg_options=None, use_local_synchronization=False,
              group_desc=None, device_id=None, sort_ranks=True):
    """A group of some ranks (all by default), backed by an MPI sub-communicator.

    Every rank of the default group must call it with the same ``ranks`` (unless
    ``use_local_synchronization=True``, where only members take part). Ranks outside the group get
    ``GroupMember.NON_GROUP_MEMBER``; collectives on it warn and do nothing there, as in torch.

    Example:
        >>> evens = dist.new_group([0, 2])
        >>> if evens != dist.GroupMember.NON_GROUP_MEMBER:
        ...     dist.all_reduce(t, group=evens)
    """
    world = _default_group()
    if backend is not None and Backend(backend) not in (Backend.MPI, Backend.UNDEFINED):
        raise RuntimeError(f"ndgrad.distributed implements only the 'mpi' backend, not {backend!r}")
    n = world.size()
    if ranks is None or len(ranks) == 0:
        ranks = list(range(n))
    else:
        ranks = [int(r) for r in ranks]
        for r in ranks:
            if not 0 <= r < n:
                raise ValueError(f"new_group: rank {r} is out of range for a world of size {n}")
        if len(set(ranks)) != len(ranks):
            raise ValueError(f"new_group: ranks contain duplicates: {ranks}")
        if sort_ranks:
            ranks = sorted(ranks)
    me = world.rank()
    mpi_group = world._comm.Get_group().Incl(ranks)
    try:
        if use_local_synchronization:
            if me not in ranks:
                return GroupMember.NON_GROUP_MEMBER
            comm = world._comm.Create_group(mpi_group)
        else:
            comm = world._comm.Create(mpi_group)
    finally:
        mpi_group.Free()
    if comm == _mpi.mpi().COMM_NULL:
        return GroupMember.NON_GROUP_MEMBER
    pg = ProcessGroup(comm, ranks, timeout if timeout is not None else world._timeout,
                      name=group_desc or str(len(_world.groups) + 1))
    _world.groups.append(pg)
    return pg


def _root(pg, global_rank, group_rank, what):
    """A collective's root as a rank within ``pg`` from either a global rank or a group rank."""
    if group_rank is not None:
        if global_rank is not None:
            raise ValueError("Can't specify both group_rank and global_rank")
        if not 0 <= group_rank < pg.size():
            raise ValueError(f"Group rank {group_rank} is not part of group {pg}")
        return group_rank
    if global_rank is None:
        global_rank = 0
    r = pg._group_rank.get(global_rank)
    if r is None:
        raise ValueError(f"{what}: global rank {global_rank} is not part of group {pg}")
    return r


# -- buffers --------------------------------------------------------------------------------------------
def _check_single_tensor(t, name):
    if not isinstance(t, Tensor):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type torch.Tensor "
                        f"but got {type(t)} instead.")


def _check_tensor_list(lst, name):
    if not isinstance(lst, list):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type List[torch.Tensor] "
                        f"but got {type(lst)} instead.")
    if not all(isinstance(t, Tensor) for t in lst):
        raise TypeError(f"Invalid function argument. Expected parameter `{name}` of type List[torch.Tensor] "
                        f"but got {type(lst)} with elements of type {[type(t) for t in lst]}.")


def _check_same_dtype(tensors):
    first = None
    for t in tensors:
        dt = t._data.dtype
        if first is None:
            first = dt
        elif dt != first:
            raise ValueError(f"Invalid usage of tensors with different dtypes Found {first.name} and {dt.name}")


def _writable(t, where):
    """(buffer MPI writes into, finish step or None): the tensor's own array when it is contiguous,
    else a contiguous copy that ``finish`` writes back."""
    a = t._data
    if not a.flags.writeable:
        raise RuntimeError(f"{where}: the tensor's memory is read-only (an expanded or broadcast view?); "
                           "pass a contiguous tensor, e.g. t.contiguous() or t.clone()")
    if a.flags.c_contiguous:
        return a, None
    if any(st == 0 and n > 1 for st, n in zip(a.strides, a.shape)):
        raise RuntimeError(f"{where}: unsupported operation: more than one element of the written-to tensor "
                           "refers to a single memory location (an expanded view). Please clone() the tensor "
                           "before performing the operation.")
    buf = np.ascontiguousarray(a)
    return buf, lambda: np.copyto(a, buf)


def _readable(t):
    return np.ascontiguousarray(t._data)


def _chain(*steps):
    steps = [s for s in steps if s is not None]
    if not steps:
        return None
    if len(steps) == 1:
        return steps[0]

    def run():
        for s in steps:
            s()
    return run


def _run(pg, desc, blocking, nonblocking, finish, outputs, async_op):
    """Run a collective: return a Work for ``async_op``, else complete it (honouring the group's timeout)."""
    if async_op:
        return Work(nonblocking(), finish, outputs, pg._timeout, desc)
    if pg._timeout is None:
        blocking()
    else:
        wait_request(nonblocking(), pg._timeout, desc)
    if finish is not None:
        finish()
    return None


def _avg_step(op, buf, size):
    """For ``ReduceOp.AVG`` (reduced as a sum): the division to run once the sum has arrived."""
    if op is ReduceOp.AVG or (isinstance(op, ReduceOp) and op.op is ReduceOp.AVG):
        return lambda: np.divide(buf, size, out=buf, casting="unsafe")
    return None


# -- collectives ----------------------------------------------------------------------------------------
def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` across the group in place; every rank gets the result.

    Example:
        >>> t = torch.tensor([1., 2.]) * (dist.get_rank() + 1)
        >>> dist.all_reduce(t, op=dist.ReduceOp.SUM)   # tensor([3., 6.]) on 2 ranks
    """
    _check_single_tensor(tensor, "tensor")
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("all_reduce")
        return None
    MPI = _mpi.mpi()
    mop = _mpi.op_for(op, tensor._data.dtype, "all_reduce")
    buf, back = _writable(tensor, "all_reduce")
    avg = _avg_step(op, buf, pg.size())
    tensor._bump_version()
    comm = pg._comm
    return _run(pg, "all_reduce", lambda: comm.Allreduce(MPI.IN_PLACE, buf, mop),
                lambda: comm.Iallreduce(MPI.IN_PLACE, buf, mop), _chain(avg, back), [tensor], async_op)


def broadcast(tensor, src=None, group=None, async_op=False, group_src=None):
    """Copy ``tensor`` from rank ``src`` (a global rank) into ``tensor`` on every other rank."""
    _check_single_tensor(tensor, "tensor")
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("broadcast")
        return None
    root = _root(pg, src, group_src, "broadcast")
    if root == pg.rank():
        buf, back = _readable(tensor), None
    else:
        buf, back = _writable(tensor, "broadcast")
        tensor._bump_version()
    comm = pg._comm
    return _run(pg, "broadcast", lambda: comm.Bcast(buf, root), lambda: comm.Ibcast(buf, root), back, [tensor],
                async_op)


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """``tensor_list[i]`` receives rank i's ``tensor`` (all tensors the same shape and dtype)."""
    _check_tensor_list(tensor_list, "tensor_list")
    _check_single_tensor(tensor, "tensor")
    _check_same_dtype([tensor, *tensor_list])
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("all_gather")
        return None
    _check_outputs("all_gather", "tensor_list", tensor_list, pg.size(), tensor)
    send = _readable(tensor)
    recv = np.empty((pg.size(),) + send.shape, dtype=send.dtype)
    for t in tensor_list:
        t._bump_version()

    def finish():
        for t, part in zip(tensor_list, recv):
            np.copyto(t._data, part)
    comm = pg._comm
    return _run(pg, "all_gather", lambda: comm.Allgather(send, recv), lambda: comm.Iallgather(send, recv), finish,
                tensor_list, async_op)


def all_gather_into_tensor(output_tensor, input_tensor, group=None, async_op=False):
    """Gather every rank's ``input_tensor`` into ``output_tensor`` (shape ``[world * n, ...]`` or
    ``[world, n, ...]``), concatenated in rank order."""
    _check_single_tensor(output_tensor, "output_tensor")
    _check_single_tensor(input_tensor, "input_tensor")
    _check_same_dtype([output_tensor, input_tensor])
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("all_gather_into_tensor")
        return None
    if output_tensor.numel() != input_tensor.numel() * pg.size():
        raise ValueError(f"all_gather_into_tensor: output tensor must have world_size ({pg.size()}) times the "
                         f"input's {input_tensor.numel()} elements, got {output_tensor.numel()}")
    send = _readable(input_tensor)
    recv, back = _writable(output_tensor, "all_gather_into_tensor")
    output_tensor._bump_version()
    comm = pg._comm
    return _run(pg, "all_gather_into_tensor", lambda: comm.Allgather(send, recv), lambda: comm.Iallgather(send, recv),
                back, [output_tensor], async_op)


def reduce(tensor, dst=None, op=ReduceOp.SUM, group=None, async_op=False, group_dst=None):
    """Reduce ``tensor`` across the group into rank ``dst`` (a global rank); other ranks' tensors are
    left as they are."""
    _check_single_tensor(tensor, "tensor")
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("reduce")
        return None
    root = _root(pg, dst, group_dst, "reduce")
    MPI = _mpi.mpi()
    mop = _mpi.op_for(op, tensor._data.dtype, "reduce")
    comm = pg._comm
    if root != pg.rank():
        send = _readable(tensor)
        return _run(pg, "reduce", lambda: comm.Reduce(send, None, mop, root),
                    lambda: comm.Ireduce(send, None, mop, root), None, [tensor], async_op)
    buf, back = _writable(tensor, "reduce")
    avg = _avg_step(op, buf, pg.size())
    tensor._bump_version()
    return _run(pg, "reduce", lambda: comm.Reduce(MPI.IN_PLACE, buf, mop, root),
                lambda: comm.Ireduce(MPI.IN_PLACE, buf, mop, root), _chain(avg, back), [tensor], async_op)


def gather(tensor, gather_list=None, dst=None, group=None, async_op=False, group_dst=None):
    """Rank ``dst`` receives every rank's ``tensor`` in ``gather_list`` (None on the other ranks)."""
    _check_single_tensor(tensor, "tensor")
    if gather_list:
        _check_tensor_list(gather_list, "gather_list")
    else:
        gather_list = []
    _check_same_dtype([tensor, *gather_list])
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("gather")
        return None
    root = _root(pg, dst, group_dst, "gather")
    me = pg.rank()
    if root == me:
        if not gather_list:
            raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
    elif gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
    send = _readable(tensor)
    comm = pg._comm
    if root != me:
        return _run(pg, "gather", lambda: comm.Gather(send, None, root), lambda: comm.Igather(send, None, root),
                    None, [], async_op)
    _check_outputs("gather", "gather_list", gather_list, pg.size(), tensor)
    recv = np.empty((pg.size(),) + send.shape, dtype=send.dtype)
    for t in gather_list:
        t._bump_version()

    def finish():
        for t, part in zip(gather_list, recv):
            np.copyto(t._data, part)
    return _run(pg, "gather", lambda: comm.Gather(send, recv, root), lambda: comm.Igather(send, recv, root), finish,
                gather_list, async_op)


def scatter(tensor, scatter_list=None, src=None, group=None, async_op=False, group_src=None):
    """Rank i receives ``scatter_list[i]`` of rank ``src`` into ``tensor``."""
    _check_single_tensor(tensor, "tensor")
    if scatter_list:
        _check_tensor_list(scatter_list, "scatter_list")
    else:
        scatter_list = []
    _check_same_dtype([tensor, *scatter_list])
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("scatter")
        return None
    root = _root(pg, src, group_src, "scatter")
    me = pg.rank()
    send = None
    if root == me:
        if not scatter_list:
            raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
        _check_outputs("scatter", "scatter_list", scatter_list, pg.size(), tensor)
        send = np.stack([t._data for t in scatter_list])
    elif scatter_list:
        raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
    buf, back = _writable(tensor, "scatter")
    tensor._bump_version()
    comm = pg._comm
    return _run(pg, "scatter", lambda: comm.Scatter(send, buf, root), lambda: comm.Iscatter(send, buf, root), back,
                [tensor], async_op)


def reduce_scatter_tensor(output, input, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input`` (``world_size`` times ``output``'s elements) across ranks; rank i gets chunk i."""
    _check_single_tensor(output, "output")
    _check_single_tensor(input, "input")
    _check_same_dtype([output, input])
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("reduce_scatter_tensor")
        return None
    if input.numel() != output.numel() * pg.size():
        raise ValueError(f"reduce_scatter_tensor: input tensor must have world_size ({pg.size()}) times the "
                         f"output's {output.numel()} elements, got {input.numel()}")
    mop = _mpi.op_for(op, output._data.dtype, "reduce_scatter_tensor")
    send = _readable(input)
    return _reduce_scatter(pg, "reduce_scatter_tensor", send, output, op, mop, async_op)


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list[i]`` across ranks into ``output`` of rank i."""
    _check_single_tensor(output, "output")
    _check_tensor_list(input_list, "input_list")
    _check_same_dtype([output, *input_list])
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("reduce_scatter")
        return None
    _check_outputs("reduce_scatter", "input_list", input_list, pg.size(), output)
    mop = _mpi.op_for(op, output._data.dtype, "reduce_scatter")
    send = np.stack([t._data for t in input_list])
    return _reduce_scatter(pg, "reduce_scatter", send, output, op, mop, async_op)


def _reduce_scatter(pg, desc, send, output, op, mop, async_op):
    buf, back = _writable(output, desc)
    avg = _avg_step(op, buf, pg.size())
    output._bump_version()
    comm = pg._comm
    return _run(pg, desc, lambda: comm.Reduce_scatter_block(send, buf, mop),
                lambda: comm.Ireduce_scatter_block(send, buf, mop), _chain(avg, back), [output], async_op)


def barrier(group=None, async_op=False, device_ids=None, timeout=None):
    """Wait until every rank of the group has reached the barrier."""
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("barrier")
        return None
    comm = pg._comm
    if timeout is not None and not async_op:
        wait_request(comm.Ibarrier(), timeout, "barrier")
        return None
    return _run(pg, "barrier", comm.Barrier, comm.Ibarrier, None, [], async_op)


def _check_outputs(where, name, tensors, size, like):
    if len(tensors) != size:
        raise ValueError(f"{where}: {name} must contain world_size ({size}) tensors, got {len(tensors)}")
    for i, t in enumerate(tensors):
        if t._data.shape != like._data.shape:
            raise ValueError(f"{where}: {name}[{i}] has shape {list(t._data.shape)} but the tensor has shape "
                             f"{list(like._data.shape)}; all tensors must have the same shape")
        if not t._data.flags.writeable and name in ("tensor_list", "gather_list"):
            raise RuntimeError(f"{where}: {name}[{i}] is read-only (an expanded view?); pass writable tensors")


# -- point to point -------------------------------------------------------------------------------------
def send(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Send ``tensor`` to rank ``dst`` (blocking)."""
    _check_single_tensor(tensor, "tensor")
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("send")
        return None
    pg._comm.Send(_readable(tensor), _root(pg, dst, group_dst, "send"), tag)
    return None


def recv(tensor, src=None, group=None, tag=0, group_src=None):
    """Receive into ``tensor`` from rank ``src`` (any rank when None); returns the sender's rank."""
    _check_single_tensor(tensor, "tensor")
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("recv")
        return -1
    MPI = _mpi.mpi()
    source = MPI.ANY_SOURCE if src is None and group_src is None else _root(pg, src, group_src, "recv")
    buf, back = _writable(tensor, "recv")
    status = MPI.Status()
    pg._comm.Recv(buf, source, tag, status)
    if back is not None:
        back()
    tensor._bump_version()
    return pg._ranks[status.Get_source()]


def isend(tensor, dst=None, group=None, tag=0, group_dst=None):
    """Non-blocking ``send``: returns a Work (keep ``tensor`` unchanged until ``wait()``)."""
    _check_single_tensor(tensor, "tensor")
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("isend")
        return None
    buf = _readable(tensor)
    return Work(pg._comm.Isend(buf, _root(pg, dst, group_dst, "isend"), tag), None, [tensor], pg._timeout, "isend")


def irecv(tensor, src=None, group=None, tag=0, group_src=None):
    """Non-blocking ``recv`` into ``tensor``: returns a Work."""
    _check_single_tensor(tensor, "tensor")
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("irecv")
        return None
    MPI = _mpi.mpi()
    source = MPI.ANY_SOURCE if src is None and group_src is None else _root(pg, src, group_src, "irecv")
    buf, back = _writable(tensor, "irecv")
    tensor._bump_version()
    return Work(pg._comm.Irecv(buf, source, tag), back, [tensor], pg._timeout, "irecv")


# -- Python objects (pickled, like torch's *_object collectives) -----------------------------------------
def broadcast_object_list(object_list, src=None, group=None, device=None, group_src=None):
    """Replace ``object_list``'s items on every rank by those of rank ``src`` (pickled: trusted peers)."""
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("broadcast_object_list")
        return
    root = _root(pg, src, group_src, "broadcast_object_list")
    items = pg._comm.bcast(list(object_list) if pg.rank() == root else None, root)
    object_list[:] = items


def all_gather_object(object_list, obj, group=None):
    """``object_list[i]`` becomes rank i's ``obj`` (pickled)."""
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("all_gather_object")
        return
    items = pg._comm.allgather(obj)
    if len(object_list) < len(items):
        raise ValueError(f"all_gather_object: object_list must have world_size ({len(items)}) entries, "
                         f"got {len(object_list)}")
    object_list[:len(items)] = items


def gather_object(obj, object_gather_list=None, dst=None, group=None, group_dst=None):
    """Rank ``dst`` receives every rank's ``obj`` in ``object_gather_list`` (pickled)."""
    pg = _resolve(group)
    if pg is None:
        _warn_not_in_group("gather_object")
        return
    root = _root(pg, dst, group_dst, "gather_object")
    items = pg._comm.gather(obj, root)
    if pg.rank() == root:
        if object_gather_list is None or len(object_gather_list) < len(items):
            raise ValueError("Argument ``object_gather_list`` must be specified on destination rank with "
                             f"world_size ({len(items)}) entries.")
        object_gather_list[:len(items)] = items
