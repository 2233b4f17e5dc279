"""DDP's gradient reducer: buckets, per-parameter hooks, non-blocking all-reduces, finalisation.

How a synchronised backward pass goes:

1. At construction the parameters that require grad are grouped into buckets, in *reverse*
   registration order (the order in which backward produces their gradients), one dtype per bucket,
   each up to ``bucket_cap`` bytes (the first one 1 MiB, as torch, so communication starts early).
   Each bucket owns one flat NumPy buffer.
2. A hook on each parameter (``Tensor.register_hook`` on a leaf runs just before AccumulateGrad) copies
   the parameter's gradient, accumulated with what ``.grad`` already holds (``no_sync`` steps), into
   its slot of the bucket buffer. When a bucket's last slot is filled, ``Iallreduce`` starts on the
   buffer while backward goes on computing the next layers' gradients (overlap). Buckets are
   launched strictly in bucket order, so every rank issues its collectives in the same order (MPI
   matches collectives by order).
   MPICH advances a non-blocking collective only inside MPI calls, so something must keep calling
   MPI while NumPy computes: a background thread blocked in ``MPI_Wait`` on the in-flight requests
   (mpi4py releases the GIL there) when the node has a spare core per rank, else the hooks poll
   with ``Testall`` (``NDGRAD_DDP_PROGRESS_THREAD=1/0`` forces either).
3. The hook of the last parameter to become ready waits for all buckets, divides by the world size
   and writes the averages into ``.grad`` (for itself through the hook's return value, since its
   own accumulation runs right after the hook). No end-of-backward callback from the engine is needed.

An iteration whose hooks fired but did not all fire (a parameter that got no gradient) is detected
at the next forward with torch's error; ``find_unused_parameters=True`` walks the output's graph
after forward and marks the parameters it cannot reach as ready (with zero gradients).
"""
import os
import queue
import threading
import weakref

import numpy as np

from ..._tensor import Tensor, _wrap
from ...autograd.node import AccumulateGrad
from ...distributed import _mpi
from ...distributed.c10d_types import wait_request

DEFAULT_FIRST_BUCKET_BYTES = 1024 * 1024


class _Bucket:
    __slots__ = ("index", "flat", "members", "pending", "req")

    def __init__(self, index, dtype, members, numel):
        self.index = index
        self.flat = np.zeros(numel, dtype=dtype)
        self.members = members          # parameter indices in this bucket, in slot order
        self.pending = len(members)
        self.req = None


def assign_buckets(params, order, limits):
    """Group parameter indices (visited in ``order``) into per-dtype buckets of at most ``limits[k]``
    bytes for the k-th bucket of a dtype (the last limit repeats); a bucket closes once it reaches its
    limit, as torch's ``_compute_bucket_assignment_by_size``."""
    open_ = {}   # dtype -> (indices, bytes, limit index)
    done = []
    for i in order:
        a = params[i]._data
        key = a.dtype
        idx, nbytes, k = open_.get(key, ([], 0, 0))
        idx.append(i)
        nbytes += a.nbytes
        if nbytes >= limits[min(k, len(limits) - 1)]:
            done.append(idx)
            open_[key] = ([], 0, k + 1)
        else:
            open_[key] = (idx, nbytes, k)
    done.extend(idx for idx, _, _ in open_.values() if idx)
    # order buckets by when their first parameter becomes ready (position in ``order``)
    pos = {i: n for n, i in enumerate(order)}
    done.sort(key=lambda idx: pos[idx[0]])
    return done


class Reducer:
    """Averages the gradients of ``params`` across ``comm`` during backward (see the module docstring)."""

    def __init__(self, params, names, comm, bucket_bytes_cap, first_bucket_bytes_cap, find_unused_parameters,
                 gradient_as_bucket_view, static_graph=False, timeout=None):
        MPI = _mpi.mpi()
        self._MPI = MPI
        self.params = params
        self.names = names
        self.comm = comm
        self.world_size = comm.Get_size()
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.timeout = timeout
        order = list(reversed(range(len(params))))
        limits = [first_bucket_bytes_cap, bucket_bytes_cap]
        self.buckets = []
        self.slot = [None] * len(params)   # parameter index -> (bucket, offset, numel)
        for b, idx in enumerate(assign_buckets(params, order, limits)):
            numel = sum(params[i]._data.size for i in idx)
            bucket = _Bucket(b, params[idx[0]]._data.dtype, idx, numel)
            off = 0
            for i in idx:
                n = params[i]._data.size
                self.slot[i] = (bucket, off, n)
                off += n
            self.buckets.append(bucket)
        self._views = [None] * len(params)  # gradient_as_bucket_view: the .grad tensors viewing the buckets
        self._inflight = []
        self._ready = [False] * len(params)
        self._n_pending = len(params)
        self._next_bucket = 0
        self._expect = False         # a synchronised forward ran: hooks must reduce
        self._fired = False          # some hook of this iteration has run
        self._unused = ()            # indices to mark ready at the first hook (find_unused_parameters)
        self._local_used = None
        self._static_unused = None
        self.num_iterations = 0
        self.use_progress_thread = _want_progress_thread(comm)
        self._waiter = None
        ref = weakref.ref(self)
        self._hooks = []
        for i, p in enumerate(params):
            hook = _make_hook(ref, i)
            p.register_hook(hook)
            self._hooks.append(hook)

    # -- around forward --------------------------------------------------------------------------
    def prepare_for_forward(self):
        """Called by a synchronised forward: the previous reduction must have finished."""
        if self._expect and self._fired:
            missing = [i for i, r in enumerate(self._ready) if not r]
            raise RuntimeError(_unfinished_message(missing, self.names, self.comm.Get_rank()))
        self._reset()
        for i, p in enumerate(self.params):  # our hook must run after any the user added later
            hooks = p._hooks
            if hooks is not None and hooks[-1] is not self._hooks[i] and self._hooks[i] in hooks:
                hooks.remove(self._hooks[i])
                hooks.append(self._hooks[i])
        if self.gradient_as_bucket_view:
            self._attach_views()

    def prepare_for_backward(self, outputs):
        """After a synchronised forward: expect hooks; find the parameters the graph does not reach."""
        self._expect = True
        if not self.find_unused_parameters and not self.static_graph:
            return
        if self.static_graph and self._static_unused is not None:
            unused = self._static_unused
        else:
            used = _reachable_leaves(outputs)
            unused = tuple(i for i, p in enumerate(self.params) if id(p) not in used)
            if self.static_graph:
                self._static_unused = unused
        self._unused = unused

    def _reset(self):
        self._expect = False
        self._fired = False
        self._unused = ()
        self._ready = [False] * len(self.params)
        self._n_pending = len(self.params)
        self._next_bucket = 0
        self._inflight = []
        for b in self.buckets:
            b.pending = len(b.members)
            b.req = None

    def _attach_views(self):
        """gradient_as_bucket_view: make each ``.grad`` a view of its bucket slot again."""
        for i, p in enumerate(self.params):
            g = p._grad
            v = self._views[i]
            if g is None or g is v:
                continue
            bucket, off, n = self.slot[i]
            view = bucket.flat[off:off + n].reshape(p._data.shape)
            np.copyto(view, g._data, casting="unsafe")
            t = _wrap(view)
            self._views[i] = t
            p._grad = t

    # -- during backward -------------------------------------------------------------------------
    def hook(self, i, grad):
        if not self._expect:
            return None
        if self._ready[i]:
            if i in self._unused:
                raise RuntimeError(
                    f"DistributedDataParallel(find_unused_parameters=True) treated parameter '{self.names[i]}' "
                    f"(index {i}) as unused because it is not reachable from the tensors it found in forward's "
                    "output, yet it received a gradient: return the output tensors from forward directly or "
                    "inside tuples, lists or dicts.")
            raise RuntimeError(
                f"Expected to mark a variable ready only once. Parameter '{self.names[i]}' (index {i}) "
                "received a gradient twice in one synchronised backward pass (backward called twice after one "
                "forward, e.g. with retain_graph=True, or reentrant checkpointing): run forward again, or "
                "accumulate without synchronisation inside DistributedDataParallel.no_sync().")
        if not self._fired:
            self._fired = True
            if self.find_unused_parameters:
                self._local_used = np.ones(len(self.params), dtype=np.int32)
            for j in self._unused:
                if not self._ready[j]:
                    self._mark_unused(j)
        p = self.params[i]
        bucket, off, n = self.slot[i]
        view = bucket.flat[off:off + n].reshape(p._data.shape)
        g = grad
        if g._data.shape != p._data.shape:
            from ...autograd.engine import _sum_to_shape
            g = _sum_to_shape(g, p._data.shape, p._grad_accumulator(), 0)
        old = p._grad
        if old is None:
            np.copyto(view, g._data, casting="unsafe")
        else:
            np.add(old._data, g._data, out=view, casting="unsafe")
            if old is self._views[i]:
                # the engine would accumulate into the bucket after this hook: give it a fresh .grad
                # (replaced by the bucket view again at the end of backward)
                p._grad = None
        self._mark_ready(i)
        if self._n_pending == 0:
            return self._finalize(i)
        if self._inflight:
            self._progress()
        return None

    def _mark_unused(self, j):
        bucket, off, n = self.slot[j]
        bucket.flat[off:off + n] = 0
        self._local_used[j] = 0
        self._mark_ready(j)

    def _mark_ready(self, i):
        self._ready[i] = True
        self._n_pending -= 1
        bucket = self.slot[i][0]
        bucket.pending -= 1
        if bucket.pending == 0:
            self._launch_ready_buckets()

    def _launch_ready_buckets(self):
        MPI = self._MPI
        buckets = self.buckets
        while self._next_bucket < len(buckets) and buckets[self._next_bucket].pending == 0:
            b = buckets[self._next_bucket]
            b.req = self.comm.Iallreduce(MPI.IN_PLACE, b.flat, MPI.SUM)
            if self.use_progress_thread:
                if self._waiter is None:
                    self._waiter = _Waiter()
                self._waiter.submit(b.req)
            else:
                self._inflight.append(b.req)
            self._next_bucket += 1

    def _progress(self):
        """Let MPI move the in-flight reductions forward (MPICH progresses inside MPI calls)."""
        if self._MPI.Request.Testall(self._inflight):
            self._inflight = []

    def _finalize(self, current):
        """All buckets launched: wait, average, write ``.grad``; returns the current parameter's gradient."""
        MPI = self._MPI
        self._fired = False
        self._expect = False
        if self._waiter is not None:
            self._waiter.wait_all(self.timeout)
        else:
            for b in self.buckets:
                wait_request(b.req, self.timeout, "DistributedDataParallel gradient all-reduce")
        self._inflight = []
        used = None
        if self._local_used is not None:
            used = self._local_used
            self.comm.Allreduce(MPI.IN_PLACE, used, MPI.MAX)
            self._local_used = None
        size = self.world_size
        result = None
        for i, p in enumerate(self.params):
            if used is not None and not used[i]:
                continue   # unused on every rank: .grad is left as it is, as in torch
            bucket, off, n = self.slot[i]
            view = bucket.flat[off:off + n].reshape(p._data.shape)
            if self.gradient_as_bucket_view:
                np.divide(view, size, out=view, casting="unsafe")
                t = self._views[i]
                if t is None:
                    t = self._views[i] = _wrap(view)
                else:
                    t._vc[0] += 1
                if i == current:
                    p._grad = None
                    result = t
                else:
                    p._grad = t
                continue
            g = p._grad
            if i == current:
                p._grad = None
                result = _wrap(np.divide(view, size).astype(view.dtype, copy=False))
            elif g is not None and not g._rg and g._data.shape == view.shape and g._data.flags.writeable:
                np.divide(view, size, out=g._data, casting="unsafe")
                g._vc[0] += 1
            else:
                p._grad = _wrap(np.divide(view, size).astype(view.dtype, copy=False))
        self._ready = [False] * len(self.params)
        self._n_pending = len(self.params)
        self._next_bucket = 0
        for b in self.buckets:
            b.pending = len(b.members)
            b.req = None
        self.num_iterations += 1
        return result

    def remove_hooks(self):
        for p, h in zip(self.params, self._hooks):
            if p._hooks is not None and h in p._hooks:
                p._hooks.remove(h)
        self._hooks = []
        if self._waiter is not None:
            self._waiter.stop()
            self._waiter = None

    def __del__(self):
        # the DDP wrapper is gone: unhook the parameters, which may be wrapped again later
        if getattr(self, "_hooks", None):
            self.remove_hooks()
        waiter = getattr(self, "_waiter", None)
        if waiter is not None:
            waiter.stop()


class _Waiter:
    """A daemon thread that waits on submitted MPI requests one after the other.

    While it sits in ``MPI_Wait`` (without the GIL), MPI's progress engine moves the reductions forward
    concurrently with the main thread's backward computation. Needs ``MPI_THREAD_MULTIPLE``, mpi4py's
    default thread level.
    """

    def __init__(self):
        self._queue = queue.SimpleQueue()
        self._cv = threading.Condition()
        self._submitted = 0
        self._done = 0
        self._error = None
        self._thread = threading.Thread(target=self._run, name="ndgrad-ddp-progress", daemon=True)
        self._thread.start()

    def submit(self, req):
        self._submitted += 1
        self._queue.put(req)

    def _run(self):
        while True:
            req = self._queue.get()
            if req is None:
                return
            try:
                req.Wait()
            except BaseException as err:  # noqa: BLE001  (re-raised in the main thread)
                self._error = err
            with self._cv:
                self._done += 1
                self._cv.notify_all()

    def wait_all(self, timeout):
        """Block until every submitted request has completed."""
        seconds = None if timeout is None else timeout.total_seconds()
        with self._cv:
            ok = self._cv.wait_for(lambda: self._done >= self._submitted, seconds)
        if not ok:
            raise RuntimeError(f"ndgrad.distributed: DistributedDataParallel gradient all-reduce timed out after "
                               f"{seconds:g} s: another rank has not joined it (it may have crashed)")
        if self._error is not None:
            err, self._error = self._error, None
            raise err

    def stop(self):
        self._queue.put(None)


def _want_progress_thread(comm):
    """Use a progress thread when this node has at least one core per rank to spare for it."""
    MPI = _mpi.mpi()
    local = comm.Split_type(MPI.COMM_TYPE_SHARED)   # collective: every rank runs it, whatever it decides
    try:
        ranks_here = local.Get_size()
    finally:
        local.Free()
    flag = os.environ.get("NDGRAD_DDP_PROGRESS_THREAD", "").strip().lower()
    if MPI.Query_thread() < MPI.THREAD_MULTIPLE:   # e.g. mpi4py.rc.thread_level = "funneled"
        if flag in ("1", "true", "yes", "on"):
            import warnings
            warnings.warn("NDGRAD_DDP_PROGRESS_THREAD=1 ignored: MPI was initialised without "
                          "MPI_THREAD_MULTIPLE (mpi4py.rc.thread_level)", RuntimeWarning, stacklevel=4)
        return False
    if flag in ("1", "true", "yes", "on"):
        return True
    if flag in ("0", "false", "no", "off"):
        return False
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return cores >= 2 * ranks_here


def _make_hook(ref, i):
    def ddp_grad_hook(grad):
        reducer = ref()
        if reducer is None or not reducer._expect:
            return None
        return reducer.hook(i, grad)
    return ddp_grad_hook


def _find_tensors(obj):
    """Every Tensor inside ``obj`` (nested lists, tuples, dicts), as torch's ``_find_tensors``."""
    out = []
    stack = [obj]
    while stack:
        o = stack.pop()
        if isinstance(o, Tensor):
            out.append(o)
        elif isinstance(o, (list, tuple)):
            stack.extend(o)
        elif isinstance(o, dict):
            stack.extend(o.values())
    return out


def _reachable_leaves(outputs):
    """ids of the leaf tensors whose AccumulateGrad nodes are reachable from the outputs' graphs."""
    used = set()
    seen = set()
    stack = []
    for t in _find_tensors(outputs):
        if t.grad_fn is not None:
            stack.append(t.grad_fn)
        elif t._rg:
            used.add(id(t))
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if type(node) is AccumulateGrad:
            used.add(id(node.variable))
            continue
        for nxt, _ in node.next_functions:
            if nxt is not None and id(nxt) not in seen:
                stack.append(nxt)
    return used


def _unfinished_message(missing, names, rank):
    listed = ", ".join(f"{names[i]} (index {i})" for i in missing[:20])
    more = f" and {len(missing) - 20} more" if len(missing) > 20 else ""
    return (
        "Expected to have finished reduction in the prior iteration before starting a new one. This error "
        "indicates that your module has parameters that were not used in producing loss. You can enable unused "
        "parameter detection by passing the keyword argument `find_unused_parameters=True` to "
        "`torch.nn.parallel.DistributedDataParallel`, and by making sure all `forward` function outputs "
        "participate in calculating loss. If you already have done the above, then the distributed data "
        "parallel module wasn't able to locate the output tensors in the return value of your module's "
        "`forward` function. Please include the loss function and the structure of the return value of "
        "`forward` of your module when reporting this issue (e.g. list, dict, iterable).\n"
        f"Parameters which did not receive grad for rank {rank}: {listed}{more}")
