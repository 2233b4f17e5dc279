"""The machinery every op shares: operand conversion, dtype promotion, recording a node.

An op is written as

    class ExpBackward0(Node):
        def backward(self, grad):
            (result,) = self.saved
            return grad * result

    def exp(input):
        return unary(input, np.exp, ExpBackward0, save="output")

or, for ops that need more control, with ``wrap`` / ``record`` directly:

    out = wrap(np_result)
    if needs_grad(a, b):
        node = record(MyBackward0(edge(a), edge(b)), out, a, b)
        node.save(a, b)

``record`` marks ``out`` as produced by ``node`` and notes the inputs' shapes and dtypes when they
differ from the output's, so the engine can reduce broadcast gradients centrally.
"""
import numbers

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap, _wrap_dim, _to_numpy_nested
from ..autograd import grad_mode as _gm
from ..autograd.node import Node, _hook_stack

__all__ = ["Tensor", "Node", "wrap", "edge", "record", "needs_grad", "unary", "binary", "operands",
           "as_tensor_like", "NOEDGE", "ndarray", "wrap_dim", "mode", "dims_arg", "to_tensor",
           "inplace", "attach", "cj"]

ndarray = np.ndarray
mode = _gm._mode
wrap = _wrap
wrap_dim = _wrap_dim
NOEDGE = (None, 0)
_Real = (int, float, bool)


def edge(t):
    """The graph edge an op records for input ``t``: its grad_fn, its leaf accumulator, or none."""
    if t.__class__ is not Tensor and not isinstance(t, Tensor):
        return NOEDGE
    fn = t.grad_fn
    if fn is not None:
        return (fn, t._out_nr)
    if t._rg:
        return (t._grad_accumulator(), 0)
    return NOEDGE


def needs_grad(*tensors):
    """True when grad mode is on and some input requires grad (otherwise nothing is recorded)."""
    if not mode.enabled:
        return False
    for t in tensors:
        if isinstance(t, Tensor) and t._rg:
            return True
    return False


def record(node, out, *inputs):
    """Make ``node`` the grad_fn of ``out``; note input shapes/dtypes that differ from the output's."""
    out.grad_fn = node
    out._rg = True
    od = out._data
    meta = None
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor):
            d = t._data
            if d.shape != od.shape or d.dtype != od.dtype:
                if meta is None:
                    meta = [(None, None)] * len(inputs)
                meta[i] = (d.shape, d.dtype if d.dtype != od.dtype else None)
    if meta is not None:
        node._in_meta = meta
    return node


def attach(out, node):
    """Mark ``out`` as output of ``node`` when no shape/dtype bookkeeping is needed."""
    out.grad_fn = node
    out._rg = True
    return out


def cj(x):
    """Complex conjugate of a saved operand (tensor or Python number); real ones come back as is.

    Backward formulas of complex ops use it: torch's convention is ``grad_in = grad * conj(df/dz)``.
    """
    if x.__class__ is complex:
        return x.conjugate()
    if isinstance(x, Tensor) and x._data.dtype.kind == "c":
        return x.conj()
    if isinstance(x, np.ndarray) and x.dtype.kind == "c":
        return np.conj(x)
    return x


def _as_scalar(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, numbers.Number):
        return x
    raise TypeError(f"expected a Tensor or a number, got {type(x).__name__}")


def to_tensor(x):
    """Tensor as is; a NumPy array, list or number becomes a (non-grad) tensor torch-style."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return _wrap(x)
    from .creation import tensor
    return tensor(x)


def operands(x, y):
    """Convert a binary op's operands and apply torch's type promotion.

    Returns ``(a, b, ad, bd)``: ``a``/``b`` are the Tensors (or None for a Python number) and
    ``ad``/``bd`` the NumPy data (or the Python number) already cast to the result dtype. A Python
    int outside an integer tensor's range wraps around to its dtype, as torch casts it (``uint8 +
    300`` adds 44, ``uint8 == 300`` compares with 44).
    """
    xt = isinstance(x, Tensor)
    yt = isinstance(y, Tensor)
    if xt and yt:
        xd, yd = x._data, y._data
        if xd.dtype != yd.dtype:
            dt = _dtype.result_np_dtype((xd, yd))
            xd = xd.astype(dt, copy=False)
            yd = yd.astype(dt, copy=False)
        return x, y, xd, yd
    if xt:
        if isinstance(y, np.ndarray):
            return operands(x, _wrap(y))
        yd = _as_scalar(y)
        if yd.__class__ is int:
            yd = _int_in_range(yd, x._data.dtype)
        return x, None, _cast_for_scalar(x._data, yd), yd
    if yt:
        if isinstance(x, np.ndarray):
            return operands(_wrap(x), y)
        xd = _as_scalar(x)
        if xd.__class__ is int:
            xd = _int_in_range(xd, y._data.dtype)
        return None, y, xd, _cast_for_scalar(y._data, xd)
    raise TypeError(f"expected at least one Tensor operand, got {type(x).__name__} and {type(y).__name__}")


_INT_RANGES = {np.dtype(t): (int(np.iinfo(t).min), int(np.iinfo(t).max))
               for t in ("int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64")}


def _int_in_range(s, dtype):
    """``s`` (a Python int) as an integer tensor of ``dtype`` sees it: wrapped into its range."""
    bounds = _INT_RANGES.get(dtype)
    if bounds is None or bounds[0] <= s <= bounds[1]:
        return s
    if not -(1 << 63) <= s < (1 << 64):
        raise OverflowError("int too big to convert")
    return np.array(s & ((1 << 64) - 1), dtype=np.uint64).astype(dtype).item()


def _cast_for_scalar(d, s):
    """A tensor combined with a Python number: the number only matters if its category is higher."""
    k = d.dtype.kind
    if k == "f":
        if isinstance(s, complex):
            return d.astype(np.result_type(d.dtype, np.complex64))
        return d
    if isinstance(s, bool) or k == "c":
        return d
    if isinstance(s, float):
        return d.astype(_dtype.default.np)
    if isinstance(s, complex):
        return d.astype(_dtype.default.value.to_complex().np)
    if k == "b":  # bool tensor with an int
        return d.astype(np.int64)
    return d


def as_tensor_like(x, like):
    """A Python number or array as a tensor of ``like``'s dtype (for where/clamp bounds ...)."""
    if isinstance(x, Tensor):
        return x
    return _wrap(np.asarray(x, dtype=like._data.dtype))


def unary(input, fn, node_cls=None, save=None, **node_attrs):
    """An elementwise op of one tensor. ``save`` is "input", "output", "both" or None."""
    data = fn(input._data)
    if data.__class__ is not ndarray:
        data = np.asarray(data)
    out = _wrap(data)
    if node_cls is not None and input._rg and mode.enabled:
        node = node_cls(edge(input))
        if save is not None:
            if save == "output":
                node.save_output(out)
            elif save == "input":
                node.save(input)
            else:  # "both": (input, output)
                node.save_output(out, input)
        if node_attrs:
            for k, v in node_attrs.items():
                setattr(node, k, v)
        out.grad_fn = node
        out._rg = True
        if data.dtype != input._data.dtype:
            node._in_meta = [(None, input._data.dtype)]
    return out


def binary(x, y, fn, node_cls, save=(True, True)):
    """An elementwise op of two operands (tensors or numbers) with broadcasting and promotion.

    ``save`` says whether (first, second) operand is saved for the formula; a number is saved as
    itself. The node gets edges for both operands ((None, 0) for a number), like torch's.
    """
    # Fast path: same-dtype tensors, or a float tensor with a Python float (no promotion needed).
    yc = y.__class__
    if x.__class__ is Tensor and (yc is Tensor and x._data.dtype is y._data.dtype or
                                  yc is float and x._data.dtype.kind == "f"):
        a, ad = x, x._data
        if yc is Tensor:
            b, bd = y, y._data
        else:
            b, bd = None, y
        promoted = False
    else:
        a, b, ad, bd = operands(x, y)
        promoted = True
    try:
        data = fn(ad, bd)
    except ValueError as e:
        raise _broadcast_error(ad, bd, e) from None
    if data.__class__ is not ndarray:
        data = np.asarray(data)
    out = _wrap(data)
    if mode.enabled and ((a is not None and a._rg) or (b is not None and b._rg)):
        node = node_cls(edge(a) if a is not None else NOEDGE, edge(b) if b is not None else NOEDGE)
        sa, sb = save
        if sa and sb:
            if a is not None and b is not None and not _hook_stack:  # inline Node.save (no saved-tensor hooks)
                node.saved = (a, b)
                node._versions = [a._vc[0], b._vc[0]]
            else:
                node.save(a if a is not None else ad, b if b is not None else bd)
        elif sa:
            node.save(a if a is not None else ad)
        elif sb:
            node.save(b if b is not None else bd)
        out.grad_fn = node
        out._rg = True
        shape = data.shape
        if promoted or ad.shape != shape or (b is not None and bd.shape != shape):
            record(node, out, a, b)
    return out


def _broadcast_error(ad, bd, err):
    """torch's RuntimeError for operands whose shapes don't broadcast (NumPy raises ValueError)."""
    sa, sb = np.shape(ad), np.shape(bd)
    for i in range(1, min(len(sa), len(sb)) + 1):
        if sa[-i] != sb[-i] and sa[-i] != 1 and sb[-i] != 1:
            return RuntimeError(f"The size of tensor a ({sa[-i]}) must match the size of tensor b ({sb[-i]}) at "
                                f"non-singleton dimension {max(len(sa), len(sb)) - i}")
    return RuntimeError(str(err))


def dims_arg(dim, ndim):
    """Normalise ``dim`` (int, tuple or list) into a sorted tuple of non-negative axes."""
    if isinstance(dim, (list, tuple)):
        axes = [_wrap_dim(d, ndim) for d in dim]
        for a in axes:
            if axes.count(a) > 1:
                raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
        return tuple(sorted(axes))
    return (_wrap_dim(dim, ndim),)


def inplace(self, op, *args, **kwargs):
    """Run ``op(self, *args)`` and write the result into ``self`` (the ``x.op_()`` variants).

    Without grad, the result is copied into ``self``'s storage (views see it). With grad, the op
    runs on a snapshot of ``self`` so that its node keeps the pre-modification value, and ``self``
    takes over the result's grad_fn; the version counter is bumped so nodes that saved the old
    ``self`` will refuse to run.
    """
    d = self._data
    if 0 in d.strides and any(st == 0 and n > 1 for st, n in zip(d.strides, d.shape)):
        raise RuntimeError(
            "unsupported operation: more than one element of the written-to tensor refers to a single memory "
            "location. Please clone() the tensor before performing the operation.")
    if not needs_grad(self, *args, *kwargs.values()):
        with _gm.no_grad():
            r = op(self, *args, **kwargs)
        _copy_into(self, r._data)
        self._bump_version()
        return self
    self._check_inplace()
    snapshot = self.detach()
    snapshot._data = self._data.copy()
    snapshot._vc = [self._vc[0]]  # an independent copy: the in-place write must not invalidate it
    snapshot.grad_fn, snapshot._rg = self.grad_fn, self._rg
    if self._out_nr:
        snapshot._out_nr = self._out_nr
    r = op(snapshot, *args, **kwargs)
    _copy_into(self, r._data)
    from ..autograd.views import rebase_after_inplace
    rebase_after_inplace(self, r)
    self._bump_version()
    return self


def _copy_into(self, data):
    dst = self._data
    if data.dtype != dst.dtype and not np.can_cast(data.dtype, dst.dtype, "same_kind"):
        raise RuntimeError(
            f"result type {_dtype.torch_type_name(data.dtype)} can't be cast to the desired "
            f"output type {_dtype.torch_type_name(dst.dtype)}")
    if data.shape != dst.shape:
        try:
            np.broadcast_shapes(data.shape, dst.shape)
            if np.broadcast_shapes(data.shape, dst.shape) != dst.shape:
                raise ValueError
        except ValueError:
            raise RuntimeError(
                f"output with shape {list(dst.shape)} doesn't match the broadcast shape "
                f"{list(np.broadcast_shapes(data.shape, dst.shape)) if _broadcastable(data.shape, dst.shape) else list(data.shape)}") from None
    np.copyto(dst, data, casting="unsafe")


def _broadcastable(a, b):
    try:
        np.broadcast_shapes(a, b)
        return True
    except ValueError:
        return False


def nested_to_numpy(data):
    return _to_numpy_nested(data)
