"""ndgrad.utils.checkpoint (torch.utils.checkpoint): trade compute for memory.

``checkpoint(fn, *args)`` runs ``fn`` without keeping the tensors its backward would need and
recomputes it during backward. Two variants, as torch:

* ``use_reentrant=True`` (torch's default when the argument is left out, with its warning): an
  ``autograd.Function`` whose forward runs ``fn`` under ``no_grad`` and whose backward reruns it with
  grad enabled on detached inputs and backpropagates through that recomputation. Gradients reach the
  tensor arguments through the Function and the parameters ``fn`` uses through the inner backward.
* ``use_reentrant=False``: ``fn`` runs with grad enabled under saved-tensor hooks that drop every
  saved tensor; the first time backward unpacks one, ``fn`` is recomputed once and the recomputed
  tensors are handed out in the same order. The graph is the ordinary one, so parameters get their
  gradients even when no argument requires grad.

With ``preserve_rng_state`` (default) the default generator's state at forward time is restored for
the recomputation (inside ``fork_rng``, so the stream outside is not changed): dropout masks match.
"""
import warnings

from ..autograd import grad_mode as _gm
from ..autograd.function import Function
from ..autograd.graph import saved_tensors_hooks

__all__ = ["checkpoint", "checkpoint_sequential"]


def noop_context_fn():
    import contextlib
    return contextlib.nullcontext(), contextlib.nullcontext()


def _rng_state():
    from ..ops.random import get_rng_state
    return get_rng_state()


def _detach_args(args):
    from .._tensor import Tensor
    out = []
    for a in args:
        if isinstance(a, Tensor):
            d = a.detach()
            d.requires_grad_(a.requires_grad)
            out.append(d)
        else:
            out.append(a)
    return out


class CheckpointFunction(Function):
    @staticmethod
    def forward(ctx, run_function, preserve_rng_state, *args):
        from .._tensor import Tensor
        ctx.run_function = run_function
        ctx.preserve_rng_state = preserve_rng_state
        if preserve_rng_state:
            ctx.fwd_rng_state = _rng_state()
        ctx.inputs = []
        ctx.tensor_indices = []
        tensors = []
        for i, a in enumerate(args):
            if isinstance(a, Tensor):
                tensors.append(a)
                ctx.tensor_indices.append(i)
                ctx.inputs.append(None)
            else:
                ctx.inputs.append(a)
        ctx.save_for_backward(*tensors)
        with _gm.no_grad():
            return run_function(*args)

    @staticmethod
    def backward(ctx, *grads):
        from .._tensor import Tensor
        from ..autograd.api import backward as _backward
        from ..random import fork_rng, set_rng_state
        inputs = list(ctx.inputs)
        for i, t in zip(ctx.tensor_indices, ctx.saved_tensors):
            inputs[i] = t
        detached = _detach_args(inputs)
        with fork_rng(enabled=ctx.preserve_rng_state):
            if ctx.preserve_rng_state:
                set_rng_state(ctx.fwd_rng_state)
            with _gm.enable_grad():
                outputs = ctx.run_function(*detached)
        if isinstance(outputs, Tensor):
            outputs = (outputs,)
        outs, out_grads = [], []
        for o, g in zip(outputs, grads):
            if isinstance(o, Tensor) and o.requires_grad:
                outs.append(o)
                out_grads.append(g)
        if not outs:
            raise RuntimeError("none of output has requires_grad=True, this checkpoint() is not necessary")
        _backward(outs, out_grads)
        return (None, None) + tuple(d.grad if isinstance(d, Tensor) else None for d in detached)


class _Recompute:
    """Shared by the saved-tensor hooks of one non-reentrant checkpoint call."""

    def __init__(self, fn, args, kwargs, preserve_rng_state):
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.preserve = preserve_rng_state
        self.rng = _rng_state() if preserve_rng_state else None
        self.count = 0
        self.values = None

    def pack(self, tensor):
        k = self.count
        self.count += 1
        return k

    def unpack(self, k):
        if self.values is None:
            self._recompute()
        if k >= len(self.values):
            raise RuntimeError("torch.utils.checkpoint: Recomputed values have different metadata than during "
                               "the forward pass: fewer tensors were saved by the recomputation.")
        return self.values[k]

    def _recompute(self):
        from ..random import fork_rng, set_rng_state
        captured = []

        def keep(t):
            captured.append(t)
            return t

        with fork_rng(enabled=self.preserve):
            if self.preserve:
                set_rng_state(self.rng)
            with _gm.enable_grad(), saved_tensors_hooks(keep, lambda t: t):
                self.fn(*_detach_args(self.args), **self.kwargs)
        self.values = captured


def checkpoint(function, *args, use_reentrant=None, context_fn=noop_context_fn, determinism_check="default",
               debug=False, preserve_rng_state=True, **kwargs):
    """Run ``function(*args, **kwargs)`` without keeping its intermediate tensors; recompute them in
    backward. Returns what ``function`` returns."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. Starting in "
            "PyTorch 2.9, calling checkpoint without use_reentrant will raise an exception. use_reentrant=False "
            "is recommended, but if you need to preserve the current default behavior, you can pass "
            "use_reentrant=True. Refer to docs for more details on the differences between the two variants.",
            stacklevel=2)
        use_reentrant = True
    if determinism_check not in ("default", "none"):
        raise ValueError(f"determinism_check should be one of ['default', 'none'], but got {determinism_check}")
    if use_reentrant:
        if context_fn is not noop_context_fn or debug:
            raise ValueError("Passing `context_fn` or `debug` is only supported when use_reentrant=False.")
        if kwargs:
            raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))
        return _reentrant(function, preserve_rng_state, args)
    if context_fn is not noop_context_fn:
        raise NotImplementedError("ndgrad.utils.checkpoint: context_fn is not supported")
    rec = _Recompute(function, args, kwargs, preserve_rng_state)
    with saved_tensors_hooks(rec.pack, rec.unpack):
        return function(*args, **kwargs)


def _reentrant(function, preserve_rng_state, args):
    from .._tensor import Tensor
    if _gm.is_grad_enabled() and not any(isinstance(a, Tensor) and a.requires_grad for a in args):
        warnings.warn("None of the inputs have requires_grad=True. Gradients will be None", stacklevel=3)
    return CheckpointFunction.apply(function, preserve_rng_state, *args)


def checkpoint_sequential(functions, segments, input, use_reentrant=None, **kwargs):
    """Split ``functions`` (an ``nn.Sequential`` or a list of modules) into ``segments`` chunks and
    checkpoint every chunk but the last, which runs normally."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be passed "
            "explicitly. In version 2.9 we will raise an exception if use_reentrant is not passed. "
            "use_reentrant=False is recommended, but if you need to preserve the current default behavior, "
            "you can pass use_reentrant=True. Refer to docs for more details on the differences between the "
            "two variants.", stacklevel=2)
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(kwargs))

    def run(start, end, fns):
        def forward(x):
            for j in range(start, end + 1):
                x = fns[j](x)
            return x
        return forward

    from ..nn import Sequential
    if isinstance(functions, Sequential):
        functions = list(functions.children())
    size = len(functions) // segments
    end = -1
    for start in range(0, size * (segments - 1), size):
        end = start + size - 1
        input = checkpoint(run(start, end, functions), input, use_reentrant=use_reentrant,
                           preserve_rng_state=preserve)
    return run(end + 1, len(functions) - 1, functions)(input)
