"""DistributedDataParallel: one model replica per process, gradients averaged across processes.

Each process (started by ``mpiexec``) runs forward and backward on its own shard of the batch; during
backward the gradients are averaged across processes in buckets with non-blocking MPI all-reduces
that overlap the rest of the backward pass (see ``_reducer.py``), so after ``loss.backward()`` every
replica holds the same ``.grad`` and the optimizer steps keep the replicas identical.
"""
import warnings
from contextlib import contextmanager

import numpy as np

from ...autograd import grad_mode as _gm
from ...distributed import distributed_c10d as _c10d
from ..modules.module import Module
from ._reducer import DEFAULT_FIRST_BUCKET_BYTES, Reducer

__all__ = ["DistributedDataParallel"]

_MB = 1024 * 1024
_DEFAULT_BUCKET_CAP_MB = 25


class DistributedDataParallel(Module):
    """Data parallelism across processes: wrap the model once per process after ``init_process_group``.

    At construction, checks that every rank has the same parameters (names, shapes, dtypes), then
    broadcasts parameters and buffers from rank 0. ``forward`` calls the wrapped module (after
    broadcasting its buffers from rank 0, with ``broadcast_buffers``); ``backward`` averages gradients
    across ranks. ``state_dict`` keys carry a ``module.`` prefix, as torch's; save
    ``ddp.module.state_dict()`` for a checkpoint that loads into the plain model.

    Args:
        module (Module): the model (the same on every rank).
        device_ids, output_device: must be None (ndgrad computes on the CPU).
        dim (int): kept for torch's signature (inputs are not scattered: each rank gets its own batch).
        broadcast_buffers (bool): deprecated alias of ``forward_sync_buffers`` (as in torch 2.13).
        init_sync (bool): verify and broadcast parameters at construction (default True).
        process_group: the group to average over (default: the default group).
        bucket_cap_mb (float): bucket size in MiB (default 25; the first bucket is 1 MiB by default).
        find_unused_parameters (bool): traverse the graph after each forward and treat parameters that do
            not contribute to the output as having zero gradient (otherwise they make the next
            iteration fail with torch's "Expected to have finished reduction" error).
        gradient_as_bucket_view (bool): ``.grad`` tensors are views of the communication buckets
            (saves one copy of the gradients).
        static_graph (bool): the set of used parameters is the same every iteration (found once).
        forward_sync_buffers (bool): broadcast buffers from rank 0 before each synchronised forward.

    Example:
        >>> dist.init_process_group("mpi")
        >>> model = nn.parallel.DistributedDataParallel(Net())
        >>> loss_fn(model(x_shard), y_shard).backward()   # .grad averaged over ranks
        >>> optimizer.step()
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=None, init_sync=True,
                 process_group=None, bucket_cap_mb=None, find_unused_parameters=False, check_reduction=False,
                 gradient_as_bucket_view=False, static_graph=False, delay_all_reduce_named_params=None,
                 param_to_hook_all_reduce=None, mixed_precision=None, device_mesh=None,
                 skip_all_reduce_unused_params=False, bucket_cap_mb_list=None, batched_grad_copy=False,
                 forward_sync_buffers=None):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(f"DistributedDataParallel: module must be an nn.Module, got {type(module).__name__}")
        for name, value in (("delay_all_reduce_named_params", delay_all_reduce_named_params),
                            ("param_to_hook_all_reduce", param_to_hook_all_reduce),
                            ("mixed_precision", mixed_precision), ("device_mesh", device_mesh),
                            ("bucket_cap_mb_list", bucket_cap_mb_list)):
            if value is not None:
                raise NotImplementedError(f"DistributedDataParallel: {name} is not supported by ndgrad")
        pg = process_group if process_group is not None else _c10d._default_group()
        if not isinstance(pg, _c10d.ProcessGroup):
            raise ValueError("DistributedDataParallel: process_group must be a ProcessGroup this rank belongs to "
                             f"(got {pg!r}); construct DDP only on the group's members")
        ignore = set(getattr(module, "_ddp_params_and_buffers_to_ignore", ()))
        self.parameters_to_ignore = ignore
        named = [(n, p) for n, p in module.named_parameters() if n not in ignore]
        if not any(p.requires_grad for _, p in named):
            raise RuntimeError("DistributedDataParallel is not needed when a module doesn't have any parameter "
                               "that requires a gradient.")
        if device_ids is not None and len(device_ids) > 1:
            raise ValueError("device_ids can only be None or contain a single element.")
        if device_ids or output_device is not None:
            raise ValueError(
                "DistributedDataParallel device_ids and output_device arguments only work with "
                "single-device/multiple-device GPU modules or CPU modules, but got device_ids "
                f"{device_ids}, output_device {output_device}, and module parameters {{device(type='cpu')}}.")
        if check_reduction:
            warnings.warn("The `check_reduction` argument in `DistributedDataParallel` module is deprecated. "
                          "Please avoid using it.", FutureWarning, stacklevel=2)
        if broadcast_buffers is not None:
            if forward_sync_buffers is not None:
                warnings.warn("Both `broadcast_buffers` and `forward_sync_buffers` were specified. "
                              "`broadcast_buffers` is deprecated and its value is ignored when "
                              "`forward_sync_buffers` is provided.", FutureWarning, stacklevel=2)
            else:
                warnings.warn("`broadcast_buffers` is deprecated. Use `forward_sync_buffers` instead. IMPORTANT: "
                              "unlike `broadcast_buffers=False`, `forward_sync_buffers=False` still syncs buffers "
                              "at init.", FutureWarning, stacklevel=2)
        if forward_sync_buffers is not None:
            self.forward_sync_buffers = bool(forward_sync_buffers)
            init_sync_buffers = True
        else:
            self.forward_sync_buffers = True if broadcast_buffers is None else bool(broadcast_buffers)
            init_sync_buffers = self.forward_sync_buffers
        self.broadcast_buffers = self.forward_sync_buffers
        self.module = module
        self.process_group = pg
        self.device_ids = None
        self.output_device = None
        self.device = named[0][1].device
        self.dim = dim
        self.find_unused_parameters = find_unused_parameters
        self.gradient_as_bucket_view = gradient_as_bucket_view
        self.static_graph = static_graph
        self.require_backward_grad_sync = True
        self.require_forward_param_sync = True
        cap_mb = _DEFAULT_BUCKET_CAP_MB if bucket_cap_mb is None else bucket_cap_mb
        self.bucket_bytes_cap = int(cap_mb * _MB)
        first_cap = DEFAULT_FIRST_BUCKET_BYTES if bucket_cap_mb is None else self.bucket_bytes_cap
        # a private duplicate of the group's communicator: DDP's non-blocking reductions, in flight
        # during backward, never interleave with the user's own collectives on the group
        self._comm = pg._comm.Dup()
        _c10d._register_comm(self._comm)

        memo = set()
        params, names = [], []
        for n, p in named:
            if p.requires_grad and id(p) not in memo:
                memo.add(id(p))
                params.append(p)
                names.append(n)
        self._buffers_to_sync = [(n, b) for n, b in module.named_buffers() if n not in ignore]
        if init_sync:
            self._verify_same_model(named)
            self._broadcast([p for _, p in named] + ([b for _, b in self._buffers_to_sync] if init_sync_buffers
                                                       else []), bump=True)
        self.reducer = Reducer(params, names, self._comm, self.bucket_bytes_cap, first_cap, find_unused_parameters,
                               gradient_as_bucket_view, static_graph, pg._timeout)

    # -- construction-time checks and broadcasts ----------------------------------------------------
    def _verify_same_model(self, named):
        """Every rank must hold the same parameters: compare names, shapes and dtypes (on all ranks, so
        every rank raises the same error instead of some of them hanging in the broadcast)."""
        meta = [(n, tuple(p._data.shape), p._data.dtype.str) for n, p in named]
        meta += [("buffer " + n, tuple(b._data.shape), b._data.dtype.str) for n, b in self._buffers_to_sync]
        everyone = self._comm.allgather(meta)
        ref = everyone[0]
        for rank, theirs in enumerate(everyone[1:], start=1):
            for k, (a, b) in enumerate(zip(ref, theirs)):
                if a != b:
                    what = "buffer" if a[0].startswith("buffer ") else "parameter"
                    name = a[0][7:] if what == "buffer" else a[0]
                    raise RuntimeError(
                        f"DistributedDataParallel expects the same model on every rank, but {what} '{name}' "
                        f"(index {k}) has shape {list(a[1])} and dtype {_dt(a[2])} on rank 0, while rank {rank} "
                        f"has {_describe(b)} at that position. Build the same model (same architecture and "
                        "arguments) on every rank before wrapping it.")
            if len(ref) != len(theirs):
                raise RuntimeError(
                    f"DistributedDataParallel expects the same model on every rank, but rank 0 has {len(ref)} "
                    f"parameters and buffers while rank {rank} has {len(theirs)}.")

    def _broadcast(self, tensors, bump):
        """Broadcast tensors from rank 0, coalesced into one flat buffer per dtype."""
        if self._comm.Get_size() == 1 or not tensors:
            return
        me = self._comm.Get_rank()
        by_dtype = {}
        for t in tensors:
            by_dtype.setdefault(t._data.dtype.str, []).append(t)
        for group in by_dtype.values():
            flat = np.concatenate([t._data.reshape(-1) for t in group]) if me == 0 else \
                np.empty(sum(t._data.size for t in group), dtype=group[0]._data.dtype)
            self._comm.Bcast(flat, 0)
            if me == 0:
                continue
            off = 0
            for t in group:
                n = t._data.size
                np.copyto(t._data, flat[off:off + n].reshape(t._data.shape))
                off += n
                if bump:
                    t._vc[0] += 1

    # -- forward -------------------------------------------------------------------------------------
    def forward(self, *inputs, **kwargs):
        sync = _gm.is_grad_enabled() and self.require_backward_grad_sync
        if sync:
            self.reducer.prepare_for_forward()
        if self.require_forward_param_sync and self.forward_sync_buffers and self._buffers_to_sync:
            self._sync_buffers()
        output = self.module(*inputs, **kwargs)
        if sync:
            self.require_forward_param_sync = True
            self.reducer.prepare_for_backward(output)
        else:
            self.require_forward_param_sync = False
        return output

    def _sync_buffers(self):
        # buffers may have been reassigned (e.g. ``bn.running_mean = ...``): look them up again; the
        # version counters are left alone, as torch does
        self._buffers_to_sync = [(n, b) for n, b in self.module.named_buffers() if n not in self.parameters_to_ignore]
        self._broadcast([b for _, b in self._buffers_to_sync], bump=False)

    @contextmanager
    def no_sync(self):
        """Accumulate gradients locally, without communication, for the forward/backward passes run
        inside; the first synchronised backward after it averages the accumulated gradients.

        Example:
            >>> with ddp.no_sync():
            ...     ddp(x1).sum().backward()     # local accumulation only
            >>> ddp(x2).sum().backward()         # averages the sum of both steps' gradients
        """
        old = self.require_backward_grad_sync
        self.require_backward_grad_sync = False
        try:
            yield
        finally:
            self.require_backward_grad_sync = old

    def register_comm_hook(self, state, hook):
        raise NotImplementedError("DistributedDataParallel.register_comm_hook is not supported by ndgrad")

    def join(self, *args, **kwargs):
        raise NotImplementedError("DistributedDataParallel.join (uneven inputs) is not supported by ndgrad: give "
                                  "every rank the same number of batches (DistributedSampler does)")

    def _get_ddp_logging_data(self):
        return {"world_size": self._comm.Get_size(), "bucket_cap_bytes": self.bucket_bytes_cap,
                "num_buckets": len(self.reducer.buckets), "find_unused_parameters": self.find_unused_parameters,
                "gradient_as_bucket_view": self.gradient_as_bucket_view, "static_graph": self.static_graph,
                "num_iterations": self.reducer.num_iterations}


def _dt(code):
    from ..._dtype import _FROM_NP
    d = _FROM_NP.get(np.dtype(code))
    return repr(d) if d is not None else np.dtype(code).name


def _describe(entry):
    name, shape, code = entry
    what = f"buffer '{name[7:]}'" if name.startswith("buffer ") else f"parameter '{name}'"
    return f"{what} with shape {list(shape)} and dtype {_dt(code)}"

