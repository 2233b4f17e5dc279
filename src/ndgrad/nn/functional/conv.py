"""Convolutions: conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d.

Argument checking (with torch's messages) happens here; the arithmetic is the ``conv_apply``
primitive in ``ndgrad.ops.conv`` (GEMMs over strided views; see that module); the 3-D forms are
compositions of the 2-D primitive (see ``volumetric``).

Example:
    >>> x = ndgrad.randn(8, 3, 32, 32)
    >>> w = ndgrad.randn(16, 3, 3, 3, requires_grad=True)
    >>> F.conv2d(x, w, padding=1).shape
    torch.Size([8, 16, 32, 32])
"""
import warnings

from ...ops.conv import ConvParams, conv_apply
from ...ops import conv as _conv_ops
from .volumetric import conv3d_apply, conv_transpose3d_apply

__all__ = ["conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"]


def _int(v, fn, name):
    if isinstance(v, bool) or not isinstance(v, int):
        if hasattr(v, "__index__") and not isinstance(v, float):
            return int(v)
        raise TypeError(f"{fn}() received an invalid combination of arguments - got {name}={type(v).__name__}, "
                        f"but expected an int or a tuple of ints")
    return v


def _tuple(v, nd, name, fn):
    """An int or a sequence of ints, expanded to the function's ``nd`` (torch's argument parser)."""
    if isinstance(v, (tuple, list)):
        vals = [_int(x, fn, name) for x in v]
        return tuple(vals * nd) if len(vals) == 1 else tuple(vals)
    return (_int(v, fn, name),) * nd


def _check_len(vals, wnd, name):
    if len(vals) != wnd:
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {wnd} values to match the "
            f"convolution dimensions, but got {name}={list(vals)}")


def _shape(t):
    return list(t.shape)


def _check_dtypes(input, weight, bias):
    if input.dtype != weight.dtype:
        raise RuntimeError(
            f"Input type ({input.type()}) and weight type ({weight.type()}) should be the same or input "
            "should be a MKLDNN tensor and weight is a dense tensor")
    if bias is not None and bias.dtype != input.dtype:
        raise RuntimeError(f"Input type ({input.dtype.name}) and bias type ({bias.dtype.name}) should be the same")


def _conv(input, weight, bias, stride, padding, dilation, groups, nd, transposed=False, output_padding=0):
    fn = ("conv_transpose" if transposed else "conv") + f"{nd}d"
    if input.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {fn}, but got "
                           f"input of size: {_shape(input)}")
    if weight.dim() < 3:
        raise RuntimeError("weight should have at least three dimensions")
    wnd = weight.dim() - 2
    stride = _tuple(stride, nd, "stride", fn)
    dilation = _tuple(dilation, nd, "dilation", fn)
    groups = _int(groups, fn, "groups")
    same = False
    if isinstance(padding, str):
        if padding == "valid":
            padding = 0
        elif padding == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            same = True
            padding = 0
        else:
            raise RuntimeError(f"Invalid padding string: '{padding}'")
    padding = _tuple(padding, nd, "padding", fn)
    output_padding = _tuple(output_padding, nd, "output_padding", fn)
    _check_len(stride, wnd, "stride")
    _check_len(padding, wnd, "padding")
    _check_len(dilation, wnd, "dilation")
    if transposed:
        _check_len(output_padding, wnd, "output_padding")
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    unbatched = input.dim() == nd + 1
    if unbatched:
        input = input.unsqueeze(0)
    _check_dtypes(input, weight, bias)
    ws = _shape(weight)
    xs = _shape(input)
    if transposed:
        if ws[0] % groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                               f"but got weight of size [{ws}] instead")
        if xs[1] != ws[0]:
            raise RuntimeError(f"Given transposed=1, weight of size {ws}, expected input{xs} to have {ws[0]} "
                               f"channels, but got {xs[1]} channels instead")
        out_ch = ws[1] * groups
        for op, s, d in zip(output_padding, stride, dilation):
            if op >= s and op >= d:
                names = {1: ("width",), 2: ("height", "width"), 3: ("depth", "height", "width")}[nd]
                ops = " ".join(f"output_padding_{n}: {v}" for n, v in zip(names, output_padding))
                ss = " ".join(f"stride_{n}: {v}" for n, v in zip(names, stride))
                ds = " ".join(f"dilation_{n}: {v}" for n, v in zip(names, dilation))
                raise RuntimeError(f"output padding must be smaller than either stride or dilation, but got {ops} "
                                   f"{ss} {ds}")
        if bias is not None and (bias.dim() != 1 or bias.shape[0] != out_ch):
            raise RuntimeError(f"Given transposed=1, weight of size {ws}, expected bias to be 1-dimensional with "
                               f"{out_ch} elements, but got bias of size {_shape(bias)} instead")
        for k, (n, s, p, d, op) in enumerate(zip(xs[2:], stride, padding, dilation, output_padding)):
            if (n - 1) * s - 2 * p + d * (ws[2 + k] - 1) + op + 1 <= 0:
                raise RuntimeError(
                    f"Given input size per channel: ({' x '.join(map(str, xs[2:]))}). Calculated output size "
                    "per channel is non-positive. Output size is too small")
    else:
        if ws[0] % groups:
            raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, "
                               f"but got weight of size [{ws}] instead")
        if xs[1] != ws[1] * groups:
            raise RuntimeError(f"Given groups={groups}, weight of size {ws}, expected input{xs} to have "
                               f"{ws[1] * groups} channels, but got {xs[1]} channels instead")
        if bias is not None and (bias.dim() != 1 or bias.shape[0] != ws[0]):
            raise RuntimeError(f"Given weight of size {ws}, expected bias to be 1-dimensional with {ws[0]} "
                               f"elements, but got bias of size {_shape(bias)} instead")
        if same:
            # torch pads symmetrically when it can, and pads the input explicitly (extra on the right)
            # when the total padding d*(k-1) is odd.
            total = [d * (k - 1) for d, k in zip(dilation, ws[2:])]
            padding = tuple(t // 2 for t in total)
            extra = [t - 2 * p for t, p in zip(total, padding)]
            if any(extra):
                warnings.warn("Using padding='same' with even kernel lengths and odd dilation may require a "
                              "zero-padded copy of the input be created")
                pad = []
                for e in reversed(extra):
                    pad += [0, e]
                input = _conv_ops.constant_pad_nd(input, pad)
                xs = _shape(input)
        padded = [n + 2 * p for n, p in zip(xs[2:], padding)]
        kernel = [d * (k - 1) + 1 for d, k in zip(dilation, ws[2:])]
        if any(k > n for k, n in zip(kernel, padded)):
            raise RuntimeError(
                f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
                f"({' x '.join(map(str, kernel))}). Kernel size can't be greater than actual input size")
    if nd == 3:
        if transposed:
            out = conv_transpose3d_apply(input, weight, bias, stride, padding, output_padding, groups, dilation)
        else:
            out = conv3d_apply(input, weight, bias, stride, padding, dilation, groups)
        return out.squeeze(0) if unbatched else out
    if nd == 1:
        P = ConvParams((1, stride[0]), (0, padding[0]), (1, dilation[0]), transposed, (0, output_padding[0]),
                       groups, 1)
    else:
        P = ConvParams(stride, padding, dilation, transposed, output_padding, groups, 2)
    out = conv_apply(input, weight, bias, P)
    return out.squeeze(0) if unbatched else out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation over ``(N, C, L)`` (or unbatched ``(C, L)``) inputs.

    Example:
        >>> F.conv1d(ndgrad.randn(2, 4, 10), ndgrad.randn(6, 4, 3), padding="same").shape
        torch.Size([2, 6, 10])
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation over ``(N, C, H, W)`` (or unbatched ``(C, H, W)``) inputs.

    ``padding`` is an int, a pair, ``"valid"`` or ``"same"``; ``groups`` splits the channels.

    Example:
        >>> F.conv2d(ndgrad.randn(1, 3, 8, 8), ndgrad.randn(4, 3, 3, 3), stride=2).shape
        torch.Size([1, 4, 3, 3])
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def _no_str_padding(padding, fn):
    if isinstance(padding, str):
        raise TypeError(f"{fn}(): argument 'padding' must be tuple of ints, not str")


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """1-D transposed convolution (the gradient of conv1d w.r.t. its input).

    Example:
        >>> F.conv_transpose1d(ndgrad.randn(2, 4, 5), ndgrad.randn(4, 3, 3), stride=2).shape
        torch.Size([2, 3, 11])
    """
    _no_str_padding(padding, "conv_transpose1d")
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, True, output_padding)


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """2-D transposed convolution; ``weight`` is ``(C_in, C_out/groups, kh, kw)``.

    Example:
        >>> F.conv_transpose2d(ndgrad.randn(1, 4, 5, 5), ndgrad.randn(4, 2, 3, 3), stride=2,
        ...                    output_padding=1).shape
        torch.Size([1, 2, 12, 12])
    """
    _no_str_padding(padding, "conv_transpose2d")
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, True, output_padding)



def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """3-D cross-correlation over ``(N, C, D, H, W)`` (or unbatched ``(C, D, H, W)``) inputs.

    Example:
        >>> F.conv3d(ndgrad.randn(1, 2, 5, 6, 7), ndgrad.randn(4, 2, 3, 3, 3), padding=1).shape
        torch.Size([1, 4, 5, 6, 7])
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3)


def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """3-D transposed convolution; ``weight`` is ``(C_in, C_out/groups, kd, kh, kw)``.

    Example:
        >>> F.conv_transpose3d(ndgrad.randn(1, 4, 3, 3, 3), ndgrad.randn(4, 2, 3, 3, 3), stride=2).shape
        torch.Size([1, 2, 7, 7, 7])
    """
    _no_str_padding(padding, "conv_transpose3d")
    return _conv(input, weight, bias, stride, padding, dilation, groups, 3, True, output_padding)
