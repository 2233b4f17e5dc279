"""The one place that imports mpi4py, plus the glue between NumPy buffers and MPI.

``import mpi4py.MPI`` initialises MPI, so nothing here runs at ``import ndgrad.distributed``: the
module is loaded on the first call that needs MPI (``init_process_group``, a collective, DDP).
"""
import importlib.util
import os
import sys
import time

_MPI = None

INSTALL_HINT = ("install the MPI extra: pip install 'ndgrad[mpi]' (mpi4py and the mpich wheel, which ships "
                "mpiexec and libmpi), or pip install mpi4py with a system MPI")


def available():
    """Whether mpi4py can be imported (checked without importing it, so MPI is not initialised)."""
    return importlib.util.find_spec("mpi4py") is not None


def mpi():
    """The ``mpi4py.MPI`` module (importing it initialises MPI), with a clear error if missing."""
    global _MPI
    if _MPI is None:
        try:
            from mpi4py import MPI
        except ImportError as err:
            raise RuntimeError(f"ndgrad.distributed needs mpi4py for its 'mpi' backend: {INSTALL_HINT} "
                               f"({err})") from err
        _MPI = MPI
    return _MPI


def op_for(op, np_dtype, where):
    """The MPI reduction for a ``ReduceOp`` on arrays of ``np_dtype`` (``AVG`` is reduced as ``SUM``)."""
    from .c10d_types import ReduceOp
    MPI = mpi()
    t = ReduceOp.RedOpType
    code = op.op if isinstance(op, ReduceOp) else op
    if not isinstance(code, t):
        raise TypeError(f"{where}: op must be a ReduceOp (ReduceOp.SUM, AVG, PRODUCT, MIN, MAX, BAND, BOR, BXOR), "
                        f"got {op!r}")
    kind = np_dtype.kind
    if kind == "c" and code in (t.MIN, t.MAX, t.BAND, t.BOR, t.BXOR):
        raise ValueError(f"{where} does not support {code} on complex tensors")
    if code in (t.BAND, t.BOR, t.BXOR) and kind not in "iub":
        raise ValueError(f"{where}: {code} needs an integer or bool tensor, got {np_dtype.name}")
    if code == t.AVG and kind not in "fc":
        raise ValueError(f"{where}: ReduceOp.AVG needs a floating-point or complex tensor, got {np_dtype.name} "
                         "(reduce with ReduceOp.SUM and divide)")
    if code == t.PREMUL_SUM:
        raise ValueError(f"{where}: ReduceOp.PREMUL_SUM is not supported by the mpi backend")
    if kind == "b":  # MPI defines only logical operations on C bool
        return {t.SUM: MPI.LOR, t.MAX: MPI.LOR, t.BOR: MPI.LOR, t.PRODUCT: MPI.LAND, t.MIN: MPI.LAND,
                t.BAND: MPI.LAND, t.BXOR: MPI.LXOR}[code]
    return {t.SUM: MPI.SUM, t.AVG: MPI.SUM, t.PRODUCT: MPI.PROD, t.MIN: MPI.MIN, t.MAX: MPI.MAX,
            t.BAND: MPI.BAND, t.BOR: MPI.BOR, t.BXOR: MPI.BXOR}[code]


# -- abort the whole job when one rank dies -------------------------------------------------------------
_hook_installed = False


def install_abort_hook():
    """Make an uncaught exception on any rank end the whole MPI job instead of hanging the others.

    Without this, a rank that raises goes on to ``MPI_Finalize`` while its peers wait forever in their
    next collective. The hook prints the traceback as usual, then calls ``MPI_Abort``, which makes the
    launcher (mpiexec, srun) kill every rank; the job exits non-zero within a second or so. Set
    ``NDGRAD_DISTRIBUTED_NO_ABORT=1`` to keep Python's default behaviour.
    """
    global _hook_installed
    if _hook_installed or os.environ.get("NDGRAD_DISTRIBUTED_NO_ABORT") == "1":
        return
    previous = sys.excepthook

    def abort_on_uncaught(exc_type, exc, tb):
        try:
            previous(exc_type, exc, tb)
        finally:
            MPI = mpi()
            rank = MPI.COMM_WORLD.Get_rank()
            size = MPI.COMM_WORLD.Get_size()
            if size > 1 and not issubclass(exc_type, KeyboardInterrupt):
                try:
                    sys.stdout.flush()
                    sys.stderr.write(f"ndgrad.distributed: rank {rank} of {size} raised {exc_type.__name__}; "
                                     "aborting the MPI job so that the other ranks do not wait forever\n")
                    sys.stderr.flush()
                    # mpiexec forwards each rank's output through its own pipes; Abort kills the
                    # ranks at once, so give the forwarder a moment to pass the traceback on
                    time.sleep(0.3)
                finally:
                    MPI.COMM_WORLD.Abort(1)

    sys.excepthook = abort_on_uncaught
    _hook_installed = True


def abort(errorcode=1):
    """End every rank of the job now (``MPI_Abort`` on ``COMM_WORLD``)."""
    mpi().COMM_WORLD.Abort(errorcode)
