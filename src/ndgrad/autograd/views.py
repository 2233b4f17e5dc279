"""In-place operations on views: keeping the base tensor's graph right.

A view shares its base's storage. When an in-place op writes through a view, the *base*'s value
changes too, so the base's history must change: like torch, the base gets a ``CopySlices`` node
whose backward sends the gradient of the modified region to the in-place op's result and the rest
to the base's previous history. The view then becomes ``view_fn(new base)``, so its own grad_fn is
a fresh view node on top of ``CopySlices``.

Views remember how to rebuild themselves from their base as a chain of ``(function, args)`` steps
(``Tensor._view_fn``), recorded by view ops while grad mode is on.
"""
import numpy as np

from .node import Node


def apply_view_fn(steps, t):
    for fn, args in steps:
        t = fn(t, *args)
    return t


def record_view(out, base_tensor, fn, args):
    """Called by view ops: remember ``out`` as ``fn(base_tensor, *args)`` relative to the root base."""
    root = base_tensor._base
    if root is None:
        out._base = base_tensor
        out._view_fn = ((fn, args),)
    else:
        out._base = root
        out._view_fn = base_tensor._view_fn + ((fn, args),) if base_tensor._view_fn is not None else None
    return out


class CopySlices(Node):
    """Backward of 'write ``result`` into the region ``view_fn`` selects of the base'."""

    __slots__ = ("steps", "mask")

    def backward(self, grad):
        from .._tensor import _wrap
        grad_base = grad * _wrap(self.mask) if self.next_functions[0][0] is not None else None
        grad_result = apply_view_fn(self.steps, grad) if self.next_functions[1][0] is not None else None
        return grad_base, grad_result


def rebase_after_inplace(view, result):
    """``view`` was just overwritten with ``result``'s value (which carries the in-place op's node)."""
    from .._tensor import _wrap
    from ..ops._core import edge
    base = view._base
    if base is None or view._view_fn is None:
        view.grad_fn = result.grad_fn
        view._rg = result._rg
        if result._out_nr or view._out_nr:
            view._out_nr = result._out_nr
        return
    if base.grad_fn is None and base._rg:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
    steps = view._view_fn
    mask = np.ones_like(base._data)  # same memory layout as the base, so replaying the view gives a view
    from . import grad_mode
    with grad_mode.no_grad():
        region = apply_view_fn(steps, _wrap(mask))
    region._data[...] = 0  # a NumPy view of ``mask``: zero where the view writes
    node = CopySlices(edge(base), edge(result))
    node.steps = steps
    node.mask = mask
    base.grad_fn = node
    base._rg = True
    if base._out_nr:
        base._out_nr = 0  # the base is now output 0 of CopySlices
    # The view's history is now "the view of the new base".
    fresh = apply_view_fn(steps, base)
    view.grad_fn = fresh.grad_fn
    view._rg = True
    if fresh._out_nr or view._out_nr:
        view._out_nr = fresh._out_nr
