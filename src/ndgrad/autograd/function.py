"""Custom differentiable functions: ``autograd.Function`` with ``forward``/``backward``.

``MyFn.apply(*args)`` runs ``forward`` with grad mode off, then records one graph node whose
``backward`` calls the user's ``backward(ctx, *grads)``. The node *is* the ``ctx`` (as in torch),
so ``ctx.save_for_backward`` goes through the same version-checked saving as built-in ops, and the
node's class is named ``<MyFn>Backward`` like torch's.
"""
import functools

from . import grad_mode as _gm
from .node import Node

__all__ = ["Function", "FunctionCtx", "once_differentiable", "BackwardCFunction"]


class FunctionCtx:
    """The ``ctx`` API (mixed into every custom function's node)."""

    def save_for_backward(self, *tensors):
        from .._tensor import Tensor
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError("save_for_backward can only save variables, but argument "
                                f"{tensors.index(t)} is of type {type(t).__name__}")
        self.save(*[t for t in tensors])
        self._saved_layout = len(tensors)

    @property
    def saved_tensors(self):
        self._unpack()
        return tuple(self.saved)

    def mark_dirty(self, *tensors):
        self._dirty = set(id(t) for t in tensors)

    def mark_non_differentiable(self, *tensors):
        self._non_diff = set(id(t) for t in tensors)

    def set_materialize_grads(self, value):
        self.materialize_grads = bool(value)

    def save(self, *items):
        Node.save(self, *items)


class BackwardCFunction(FunctionCtx, Node):
    """Base class of the nodes created for custom Functions."""

    materialize_grads = True
    _fn_cls = None
    _dirty = ()
    _non_diff = ()

    def __init__(self, *edges):
        Node.__init__(self, *edges)

    def backward(self, grads):
        if self.num_outputs == 1:
            grads = (grads,)
        result = self._fn_cls.backward(self, *grads)
        if not isinstance(result, tuple):
            result = (result,)
        n = len(self.next_functions)
        if len(result) > n:
            if any(r is not None for r in result[n:]):
                raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                                   f"(expected {n}, got {len(result)})")
            result = result[:n]
        if len(result) < n:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                               f"(expected {n}, got {len(result)})")
        from .._tensor import Tensor
        out = []
        for i, (g, (fn, _)) in enumerate(zip(result, self.next_functions)):
            if g is not None and not isinstance(g, Tensor):
                raise TypeError(f"function {self.name()} returned a gradient different than None at "
                                f"position {i + 1}, but the corresponding forward input was not a Variable")
            out.append(g if fn is not None else None)
        return tuple(out)


class _FunctionMeta(type):
    """Give every Function subclass its own node class named ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_fn_cls": cls})


class Function(metaclass=_FunctionMeta):
    """Base class for custom autograd operations.

    Example:
        >>> class Exp(Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         y = x.exp()
        ...         ctx.save_for_backward(y)
        ...         return y
        ...     @staticmethod
        ...     def backward(ctx, grad):
        ...         (y,) = ctx.saved_tensors
        ...         return grad * y
        >>> Exp.apply(ndgrad.tensor([0.5], requires_grad=True))
    """

    generate_vmap_rule = False

    def __init__(self, *args, **kwargs):
        import warnings
        warnings.warn(f"{type(self).__name__} should not be instantiated. Methods on autograd functions are all "
                      "static, so you should invoke them on the class itself.", DeprecationWarning)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. Please use "
                           "new-style autograd function with static forward method.")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError("You must implement either the backward or vjp method for your custom "
                                  "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @staticmethod
    def setup_context(ctx, inputs, output):
        return _NOT_OVERRIDDEN

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor
        from ..ops._core import edge, NOEDGE
        needs = _gm._mode.enabled and any(isinstance(a, Tensor) and a._rg for a in args)
        ctx = cls._backward_cls(*[edge(a) if isinstance(a, Tensor) and needs else NOEDGE for a in args])
        with _gm.no_grad():
            if _overrides_setup(cls):
                output = cls.forward(*args, **kwargs)
            else:
                output = cls.forward(ctx, *args, **kwargs)
        if _overrides_setup(cls):
            cls.setup_context(ctx, args, output)
        is_tuple = isinstance(output, tuple)
        outputs = output if is_tuple else (output,)
        if not needs:
            return output
        input_ids = {id(a): a for a in args if isinstance(a, Tensor)}
        wrapped = []
        tensor_outs = [o for o in outputs if isinstance(o, Tensor)]
        ctx.num_outputs = len(tensor_outs)
        ctx.output_meta = [(o._data.shape, o._data.dtype) for o in tensor_outs]
        k = 0
        for o in outputs:
            if not isinstance(o, Tensor):
                wrapped.append(o)
                continue
            dirty = id(o) in ctx._dirty
            if id(o) in input_ids and not dirty:
                o = o.detach()  # an input returned as is: a new alias sharing data and version counter
            if dirty:
                if o.grad_fn is None and o._rg:
                    raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
                o._vc[0] += 1  # torch counts mark_dirty as a modification of its own
            if id(o) in ctx._non_diff or o._data.dtype.kind not in "fc":
                wrapped.append(o)
            else:
                if o._rg and o.grad_fn is not None and not dirty:
                    o = o.detach()
                o.grad_fn = ctx
                o._rg = True
                if k:
                    o._out_nr = k
                wrapped.append(o)
            k += 1
        return tuple(wrapped) if is_tuple else wrapped[0]


_NOT_OVERRIDDEN = object()


def _overrides_setup(cls):
    for klass in cls.__mro__:
        if "setup_context" in klass.__dict__:
            return klass is not Function
    return False


def once_differentiable(fn):
    """Mark a custom backward as not differentiable: it runs without recording a graph, and
    differentiating its result raises a clear error instead of silently giving zeros."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with _gm.no_grad():
            outputs = fn(ctx, *args)
        if not _gm.is_grad_enabled():
            return outputs
        from .._tensor import Tensor
        if not any(isinstance(a, Tensor) and a._rg for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        err_node = _OnceDifferentiableError(*[(None, 0)])
        res = []
        for o in outs:
            if isinstance(o, Tensor) and o._data.dtype.kind in "fc":
                o = o.detach()
                o.grad_fn = err_node
                o._rg = True
            res.append(o)
        return res[0] if single else tuple(res)
    return wrapper


class _OnceDifferentiableError(Node):
    def backward(self, grad):
        raise RuntimeError("trying to differentiate twice a function that was marked with @once_differentiable")


_OnceDifferentiableError.__name__ = "DelayedError"
