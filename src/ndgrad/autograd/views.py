"""In-place operations on views: keeping the base tensor's graph right.

A view shares its base's storage. When an in-place op writes through a view, the *base*'s value
changes too, so the base's history must change: like torch, the base gets a ``CopySlices`` node
whose backward sends the gradient of the modified region to the in-place op's result and the rest
to the base's previous history. The view then becomes ``view_fn(new base)``, so its own grad_fn is
a fresh view node on top of ``CopySlices``.

Views remember how to rebuild themselves from their base as a chain of ``(function, args)`` steps
(``Tensor._view_fn``), recorded by view ops while grad mode is on.

A view whose base is modified in place *after* the view was taken (``v = y[0]; y.add_(y)``) would
otherwise keep a grad_fn that reads the base's old history. Like torch, such a view notices the
change through the version counter it shares with its base and regenerates its grad_fn as an
``AsStridedBackward0`` on top of the base's current history, the first time it is asked for it.
Only views that took part in autograd when they were made (grad mode on, input requiring grad)
are watched: they become ``ViewTensor`` (a ``Tensor`` whose ``grad_fn`` is a property), so plain
tensors keep their fast slot.
"""
import numpy as np

from .._tensor import Tensor
from . import grad_mode
from .node import Node

_GRAD_FN_SLOT = Tensor.__dict__["grad_fn"]     # the slot behind Tensor.grad_fn


def apply_view_fn(steps, t):
    for fn, args in steps:
        t = fn(t, *args)
    return t


def record_view(out, base_tensor, fn, args):
    """Called by view ops: remember ``out`` as ``fn(base_tensor, *args)`` relative to the root base.
    ``out`` must already share ``base_tensor``'s version counter."""
    root = base_tensor._base
    if root is None:
        out._base = base_tensor
        out._view_fn = ((fn, args),)
    else:
        out._base = root
        out._view_fn = base_tensor._view_fn + ((fn, args),) if base_tensor._view_fn is not None else None
    if base_tensor._rg and grad_mode._mode.enabled:
        out.__class__ = ViewTensor
        out._view_version = out._vc[0]
    return out


class ViewTensor(Tensor):
    """A view taking part in autograd: its grad_fn is regenerated when its storage was modified in
    place since the grad_fn was made (the shared version counter moved on)."""

    __slots__ = ()
    _view_version = None

    @property
    def grad_fn(self):
        if self._vc[0] != self._view_version:
            _regenerate(self)
        return _GRAD_FN_SLOT.__get__(self)

    @grad_fn.setter
    def grad_fn(self, fn):
        _GRAD_FN_SLOT.__set__(self, fn)


# Printed and pickled as what it is to the user: a Tensor.
ViewTensor.__name__ = ViewTensor.__qualname__ = "Tensor"
ViewTensor.__module__ = Tensor.__module__


def _regenerate(view):
    """Rebuild ``view``'s grad_fn from its base's current history (torch's AsStridedBackward0)."""
    view._view_version = view._vc[0]
    base = view._base
    if base is None or not base._rg:
        return
    for fn, args in view._view_fn or ():
        if getattr(fn, "multi_output_view", False):
            name, k = args
            raise RuntimeError(
                f"Output {k} of {name} is a view and its base or another view of its base has been modified "
                "inplace. This view is the output of a function that returns multiple views. Such functions do "
                "not allow the output views to be modified inplace. You should replace the inplace operation by "
                "an out-of-place one.")
    bd, vd = base._data, view._data
    size = bd.itemsize
    if vd.itemsize != size or any(st % size for st in vd.strides + bd.strides):
        return   # a reinterpreting view (view(dtype)): its element geometry is not the base's
    from ..ops._core import edge
    node = AsStridedBackward0(edge(base))
    node.base_geometry = (bd.shape, tuple(st // size for st in bd.strides), 0)
    offset = vd.__array_interface__["data"][0] - bd.__array_interface__["data"][0]
    node.view_geometry = (vd.shape, tuple(st // size for st in vd.strides), offset // size)
    node.dtype = bd.dtype
    _GRAD_FN_SLOT.__set__(view, node)
    view._rg = True
    if view._out_nr:
        view._out_nr = 0


def _positions(shape, strides, offset):
    """Element offsets (from a common origin) of every element of a strided layout, shaped ``shape``."""
    pos = np.array(offset, dtype=np.int64)
    for n, st in zip(shape, strides):
        pos = pos[..., None] + np.arange(n, dtype=np.int64) * st
    return pos


class AsStridedBackward0(Node):
    """A view regenerated after its base was modified in place: the gradient of the view is
    scattered (summed where elements alias) into the base's memory layout, then read back in the
    base's shape."""

    __slots__ = ("base_geometry", "view_geometry", "dtype")

    def backward(self, grad):
        from .._tensor import _wrap
        pb = _positions(*self.base_geometry)
        pv = _positions(*self.view_geometry)
        lo = min(pb.min(initial=0), pv.min(initial=0))
        pb, pv = pb - lo, pv - lo
        extent = int(max(pb.max(initial=0), pv.max(initial=0))) + 1
        if grad_mode._mode.enabled:          # create_graph: the same with differentiable ops
            from ..ops.creation import zeros
            flat = zeros(extent, dtype=grad.dtype)
            flat = flat.index_add(0, _wrap(pv.reshape(-1)), grad.reshape(-1))
            return flat[_wrap(pb)]
        g = grad._data.reshape(-1)
        if np.iscomplexobj(g):
            flat = (np.bincount(pv.reshape(-1), g.real, extent)
                    + 1j * np.bincount(pv.reshape(-1), g.imag, extent))
        else:
            flat = np.bincount(pv.reshape(-1), g, extent)
        return _wrap(flat[pb].astype(self.dtype, copy=False))


class CopySlices(Node):
    """Backward of 'write ``result`` into the region ``view_fn`` selects of the base'."""

    __slots__ = ("steps", "mask")

    def backward(self, grad):
        from .._tensor import _wrap
        grad_base = None
        if self.next_functions[0][0] is not None:
            mask = self.mask
            if mask.dtype.kind == "c":  # separate masks for the real and imaginary parts (view_as_real writes)
                from ..ops.creation import complex as _complex
                grad_base = _complex(grad.real * _wrap(mask.real), grad.imag * _wrap(mask.imag))
            else:
                grad_base = grad * _wrap(mask)
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
    complex_base = base._data.dtype.kind == "c"
    # same memory layout as the base, so replaying the view gives a view; a complex base starts at
    # 1+1j: its real and imaginary parts are separate masks (a write through view_as_real may cover
    # only one of them)
    mask = np.full_like(base._data, 1 + 1j if complex_base else 1)
    with grad_mode.no_grad():
        region = apply_view_fn(steps, _wrap(mask))
    region._data[...] = 0  # a NumPy view of ``mask``: zero where the view writes
    if complex_base and np.array_equal(mask.real, mask.imag):
        mask = mask.real.copy(order="K")  # both parts alike (the usual case): one real mask
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
