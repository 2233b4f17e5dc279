"""The objects torch.distributed's functions take and return: ReduceOp, Backend, ProcessGroup, Work.

A ``ProcessGroup`` wraps an MPI communicator (a duplicate of ``COMM_WORLD`` for the default group, a
sub-communicator for ``new_group``), so ndgrad's traffic never mixes with the user's own mpi4py calls.
A ``Work`` wraps a non-blocking MPI request (``Iallreduce`` ...) and the bookkeeping to run once it has
completed (copy a temporary buffer back into a non-contiguous tensor, divide for ``AVG``).
"""
import enum
import time
from datetime import timedelta

__all__ = ["ReduceOp", "Backend", "ProcessGroup", "Work", "GroupMember", "group"]


class _RedOpType(enum.Enum):
    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8

    def __repr__(self):
        return f"<RedOpType.{self.name}: {self.value}>"

    def __str__(self):
        return f"RedOpType.{self.name}"


_RedOpType.__name__ = _RedOpType.__qualname__ = "RedOpType"


class ReduceOp:
    """The reduction of ``all_reduce``/``reduce``: ``ReduceOp.SUM``, ``AVG``, ``PRODUCT``, ``MIN``, ``MAX``,
    ``BAND``, ``BOR``, ``BXOR`` (as in torch, the attributes are ``ReduceOp.RedOpType`` members).

    Example:
        >>> dist.all_reduce(t, op=dist.ReduceOp.MAX)
    """

    RedOpType = _RedOpType
    SUM = _RedOpType.SUM
    AVG = _RedOpType.AVG
    PRODUCT = _RedOpType.PRODUCT
    MIN = _RedOpType.MIN
    MAX = _RedOpType.MAX
    BAND = _RedOpType.BAND
    BOR = _RedOpType.BOR
    BXOR = _RedOpType.BXOR
    PREMUL_SUM = _RedOpType.PREMUL_SUM

    __slots__ = ("op",)

    def __init__(self, op=_RedOpType.SUM):
        if isinstance(op, ReduceOp):
            op = op.op
        if not isinstance(op, _RedOpType):
            raise TypeError(f"ReduceOp(): expected a ReduceOp.RedOpType, got {op!r}")
        self.op = op

    def __eq__(self, other):
        other = other.op if isinstance(other, ReduceOp) else other
        return self.op == other

    def __hash__(self):
        return hash(self.op)

    def __repr__(self):
        return repr(self.op)


class Backend(str):
    """A backend name: ndgrad implements ``"mpi"`` (through mpi4py); the other names exist so that code
    mentioning them reads, and fails with a clear message when asked to run."""

    UNDEFINED = "undefined"
    GLOO = "gloo"
    NCCL = "nccl"
    UCC = "ucc"
    MPI = "mpi"
    XCCL = "xccl"

    def __new__(cls, name):
        if not isinstance(name, str):
            raise ValueError(f"Backend constructor parameter must be string-ish, but got: {type(name).__name__}")
        return str.__new__(cls, name.lower())


class ProcessGroup:
    """A set of ranks that run collectives together, backed by one MPI communicator.

    ``rank()`` and ``size()`` are this process's rank in the group and the group's size; collectives
    that take a ``src``/``dst`` interpret it as a *global* rank (``group_src``/``group_dst`` for a
    rank within the group), as in torch.
    """

    def __init__(self, comm, ranks, timeout=None, name=""):
        self._comm = comm
        self._ranks = list(ranks)                      # global rank of each group rank
        self._group_rank = {g: i for i, g in enumerate(self._ranks)}
        self._rank = comm.Get_rank()
        self._size = comm.Get_size()
        self._timeout = timeout
        self.group_name = name

    def rank(self):
        return self._rank

    def size(self):
        return self._size

    def name(self):
        return Backend.MPI

    @property
    def group_desc(self):
        return self.group_name

    def __repr__(self):
        return f"<ndgrad.distributed.ProcessGroup mpi rank {self._rank} of {self._size} (global ranks {self._ranks})>"


class _GroupMember:
    """``GroupMember.WORLD`` (the default group, None before ``init_process_group``) and
    ``GroupMember.NON_GROUP_MEMBER`` (what ``new_group`` returns on ranks outside the group)."""

    NON_GROUP_MEMBER = -100

    def __init__(self):
        self.WORLD = None


GroupMember = _GroupMember()
group = GroupMember  # torch.distributed.group.WORLD


class Work:
    """The handle an ``async_op=True`` collective returns.

    ``wait()`` blocks until the operation has completed (and the tensors hold the result);
    ``is_completed()`` tests without blocking (and, with MPI, drives the communication forward).
    """

    __slots__ = ("_req", "_finish", "_done", "_timeout", "_outputs", "_desc")

    def __init__(self, req, finish=None, outputs=(), timeout=None, desc="collective"):
        self._req = req
        self._finish = finish
        self._done = False
        self._timeout = timeout
        self._outputs = list(outputs)
        self._desc = desc

    def _complete(self):
        self._done = True
        self._req = None
        fn, self._finish = self._finish, None
        if fn is not None:
            fn()

    def is_completed(self):
        if not self._done and self._req.Test():
            self._complete()
        return self._done

    def wait(self, timeout=None):
        """Block until complete; ``timeout`` (a ``timedelta``, default the group's) raises RuntimeError."""
        if not self._done:
            wait_request(self._req, timeout if timeout is not None else self._timeout, self._desc)
            self._complete()
        return True

    def is_success(self):
        return self._done

    def exception(self):
        return None

    def result(self):
        """The output tensors (after ``wait()``)."""
        return self._outputs

    def synchronize(self):
        self.wait()

    def get_future(self):
        raise NotImplementedError("ndgrad.distributed.Work.get_future: futures are not implemented; use wait()")

    def __repr__(self):
        return f"<ndgrad.distributed.Work {self._desc} {'completed' if self._done else 'pending'}>"


def wait_request(req, timeout, desc):
    """``req.Wait()``, or a polling wait that raises after ``timeout`` (MPI itself never times out)."""
    if timeout is None:
        req.Wait()
        return
    seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else float(timeout)
    deadline = time.monotonic() + seconds
    pause = 0.0
    while not req.Test():
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"ndgrad.distributed: {desc} timed out after {seconds:g} s (timeout={timeout}): another rank "
                "has not joined it (it may have crashed, or be running a different collective). MPI cannot "
                "cancel a collective: end the job (an uncaught exception aborts it).")
        time.sleep(pause)
        pause = min(0.001, pause + 0.0001)
