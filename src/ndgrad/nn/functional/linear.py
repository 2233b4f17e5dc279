"""linear, bilinear and the matrix-product primitive they share.

``linear`` is the MLP hot path, so its 2-d case is one fused node (torch's ``AddmmBackward0``:
``bias + input @ weight.T``) instead of transpose + matmul + add. Its backward uses ``_mm``, a
matrix product that takes "transposed" flags instead of building transpose views, and is itself a
recorded op, so gradients of gradients work.
"""
import math
import warnings

import numpy as np

from ...ops._core import Node, Tensor, wrap, edge, mode
from ...ops.linalg import MmBackward0, _mm  # the differentiable matrix product shared with ndgrad.mm

__all__ = ["linear", "bilinear", "linear_cross_entropy"]

_MATMUL = np.matmul


_SCALAR_NAMES = {np.dtype(np.float32): "Float", np.dtype(np.float64): "Double", np.dtype(np.float16): "Half",
                 np.dtype(np.int64): "Long", np.dtype(np.int32): "Int", np.dtype(np.int16): "Short",
                 np.dtype(np.int8): "Char", np.dtype(np.uint8): "Byte", np.dtype(np.bool_): "Bool",
                 np.dtype(np.complex64): "ComplexFloat", np.dtype(np.complex128): "ComplexDouble"}


def _sname(dt):
    return _SCALAR_NAMES.get(dt, str(dt))


class AddmmBackward0(Node):
    """out = bias + input @ weight.T for a 2-d input (F.linear); edges: (bias, input, weight)."""

    __slots__ = ()

    def backward(self, grad):
        x, w = self.saved
        if grad._data.dtype.kind == "c":  # complex: products with the conjugated operands
            x, w = x.conj(), w.conj()
        (fb, _), (fx, _), (fw, _) = self.next_functions
        return (grad.sum(0) if fb is not None else None,
                _mm(grad, w) if fx is not None else None,
                _mm(grad, x, True, False) if fw is not None else None)


def _check(input, weight, bias):
    if not isinstance(input, Tensor):
        raise TypeError(f"linear(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    if not isinstance(weight, Tensor):
        raise TypeError(f"linear(): argument 'weight' (position 2) must be Tensor, not {type(weight).__name__}")
    xd, wd = input._data, weight._data
    if wd.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {wd.ndim}-D tensor")
    if xd.ndim == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are 0D and 2D")
    if bias is not None and bias._data.dtype != wd.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_sname(bias._data.dtype)} and "
                           f"{_sname(wd.dtype)}")
    if xd.dtype != wd.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_sname(xd.dtype)} and "
                           f"{_sname(wd.dtype)}")
    if xd.shape[-1] != wd.shape[1]:
        rows = int(np.prod(xd.shape[:-1], dtype=np.int64))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{xd.shape[-1]} and "
                           f"{wd.shape[1]}x{wd.shape[0]})")
    if bias is not None and bias._data.ndim and bias._data.shape[-1] not in (1, wd.shape[0]):
        rows = int(np.prod(xd.shape[:-1], dtype=np.int64))
        raise RuntimeError(
            f"The expanded size of the tensor ({wd.shape[0]}) must match the existing size "
            f"({bias._data.shape[-1]}) at non-singleton dimension 1.  Target sizes: [{rows}, {wd.shape[0]}].  "
            f"Tensor sizes: {list(bias._data.shape)}")


def linear(input, weight, bias=None):
    """y = input @ weight.T + bias, for input of shape (*, in_features).

    Args:
        input: (*, in_features).
        weight: (out_features, in_features).
        bias: (out_features,) or None.

    Example:
        >>> F.linear(ndgrad.ones(2, 3), ndgrad.ones(4, 3)).shape
        torch.Size([2, 4])
    """
    try:
        xd, wd = input._data, weight._data
        bd = None if bias is None else bias._data
    except AttributeError:
        xd = wd = bd = None
    if xd is not None and xd.ndim == 2 and wd.ndim == 2 and xd.shape[1] == wd.shape[1] and xd.dtype == wd.dtype \
            and (bd is None or (bd.ndim == 1 and bd.shape[0] == wd.shape[0] and bd.dtype == wd.dtype)):
        return _linear2d(input, weight, bias)
    return _linear_general(input, weight, bias)


def _linear2d(input, weight, bias):
    """The hot path: 2-d input with matching dtypes and shapes, one node."""
    data = _MATMUL(input._data, weight._data.T)
    if bias is not None:
        data += bias._data
        out = wrap(data)
        if mode.enabled and (input._rg or weight._rg or bias._rg):
            node = AddmmBackward0(edge(bias), edge(input), edge(weight))
            node.save(input, weight)
            out.grad_fn = node
            out._rg = True
        return out
    out = wrap(data)
    if mode.enabled and (input._rg or weight._rg):
        node = MmBackward0(edge(input), edge(weight))
        node.ta = False
        node.tb = True
        node.save(input, weight)
        out.grad_fn = node
        out._rg = True
    return out


def _linear_general(input, weight, bias):
    """Everything but the 2-d fast path: validation, N-d / 1-d inputs (flattened to 2-d)."""
    _check(input, weight, bias)
    xd = input._data
    n_out = weight._data.shape[0]
    if bias is not None and bias._data.ndim == 1 and bias._data.shape[0] != n_out:  # a (1,) bias broadcasts
        bias = bias.expand(n_out)
    if xd.ndim == 2 and (bias is None or bias._data.ndim == 1):
        return _linear2d(input, weight, bias)
    lead = xd.shape[:-1]
    x2 = input.reshape(-1, xd.shape[-1])
    if bias is not None and bias._data.ndim != 1:
        return _linear2d(x2, weight, None).reshape(*lead, n_out) + bias
    return _linear2d(x2, weight, bias).reshape(*lead, n_out)


def bilinear(input1, input2, weight, bias=None):
    """y = x1ᵀ A x2 + b for each of the leading positions: x1 (*, in1), x2 (*, in2), A (out, in1, in2).

    Example:
        >>> F.bilinear(ndgrad.ones(5, 2), ndgrad.ones(5, 3), ndgrad.ones(4, 2, 3)).shape
        torch.Size([5, 4])
    """
    d1, d2, wd = input1._data, input2._data, weight._data
    if wd.ndim != 3:
        raise RuntimeError(f"bilinear(): weight must be 3-dimensional, but got {wd.ndim}-D")
    if d1.shape[:-1] != d2.shape[:-1]:
        raise RuntimeError(f"bilinear(): input batch dimensions do not match: got {list(d1.shape[:-1])} and "
                           f"{list(d2.shape[:-1])}")
    if d1.shape[-1] != wd.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {d1.shape[-1]} but expected "
                           f"{wd.shape[1]}")
    if d2.shape[-1] != wd.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {d2.shape[-1]} but expected "
                           f"{wd.shape[2]}")
    if bias is not None and bias._data.shape[-1:] != (wd.shape[0],):
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {bias._data.shape[-1]} but "
                           f"expected {wd.shape[0]}")
    out_f, in1, in2 = wd.shape
    lead = d1.shape[:-1]
    x1 = input1.reshape(-1, in1)
    x2 = input2.reshape(-1, in2)
    # (N, in1) @ (in1, out*in2) -> (N, out, in2), then contract in2 with x2
    w2 = weight.permute(1, 0, 2).reshape(in1, out_f * in2)
    t = _mm(x1, w2).reshape(-1, out_f, in2)
    y = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(*lead, out_f)


def linear_cross_entropy(input, linear_weight, target, *, linear_bias=None, weight=None, reduction="mean",
                         ignore_index=None, label_smoothing=0.0, options=None):
    """Cross entropy of the logits ``linear(input, linear_weight, linear_bias)`` against ``target``.

    ``linear_weight`` is ``(C, *out_features, in_features)`` (K-dimensional loss when ``out_features``
    is not empty; the logits are then ``(N, C, *out_features)``); ``input`` is ``(in_features,)`` or
    ``(N, in_features)``. ``ignore_index=None`` means -100 for class-index targets. ``options``
    (torch's chunking configuration) does not change the result: ndgrad always computes the full
    logits.

    Example:
        >>> x, w = ndgrad.randn(4, 5), ndgrad.randn(3, 5)
        >>> F.linear_cross_entropy(x, w, ndgrad.tensor([0, 2, 1, 1])).shape
        torch.Size([])
    """
    from .loss import cross_entropy
    if input.dim() < 1 or input.dim() > 2:
        raise RuntimeError(f"expected input with dimensionality 1 or 2, got {input.dim()}")
    if linear_weight.dim() < 2:
        raise RuntimeError(f"expected linear_weight with dimensionality at least 2, got {linear_weight.dim()}")
    batch = tuple(input.shape[:-1])
    in_features = input.shape[-1]
    if in_features != linear_weight.shape[-1]:
        raise RuntimeError("expected equal input and linear_weight last dimensions (in_features), "
                           f"got {input.shape[-1]} and {linear_weight.shape[-1]}, respectively")
    num_classes = linear_weight.shape[0]
    out_features = tuple(linear_weight.shape[1:-1])
    if linear_bias is not None and tuple(linear_bias.shape) != (num_classes, *out_features):
        raise RuntimeError(f"expected linear_bias shape {(num_classes, *out_features)}, got "
                           f"{tuple(linear_bias.shape)}")
    if out_features and not batch:
        raise RuntimeError(f"K-dimensional loss defined by linear_weight shape {tuple(linear_weight.shape)} "
                           f"requires batched input, (N, {in_features}), got unbatched input with shape "
                           f"{tuple(input.shape)}")
    logits_shape = (*batch, num_classes, *out_features)
    probabilities = tuple(target.shape) == logits_shape
    if probabilities and ignore_index is not None:
        raise RuntimeError("ignore_index cannot be specified when target contains probabilities")
    ignore_index = -100 if ignore_index is None else ignore_index
    int64 = target._data.dtype == np.int64
    if options is not None and (out_features or reduction not in {"mean", "sum", "none"}
                                or label_smoothing != 0.0 or not int64):
        warnings.warn(
            "linear_cross_entropy: ``options`` ignored; chunked path needs reduction in {'mean','sum','none'}, "
            "label_smoothing == 0, target.dtype == int64, out_features == (). Got "
            f"reduction={reduction!r}, label_smoothing={label_smoothing}, target.dtype={target.dtype}, "
            f"out_features={out_features}, tracing=False, linear_bias.shape="
            f"{tuple(linear_bias.shape) if linear_bias is not None else None}.", stacklevel=2)
    if out_features:
        flat = math.prod(out_features, start=num_classes)
        linear_weight = linear_weight.reshape((flat, in_features))
        if linear_bias is not None:
            linear_bias = linear_bias.reshape(flat)
    logits = linear(input, linear_weight, linear_bias).reshape(logits_shape)
    return cross_entropy(logits, target, weight=weight, reduction=reduction, ignore_index=ignore_index,
                         label_smoothing=label_smoothing)
