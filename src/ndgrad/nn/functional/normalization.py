"""Normalisation: batch_norm, instance_norm, layer_norm, group_norm (argument checks with torch's
messages; the fused kernels are in ``ndgrad.ops.norm``).

Example:
    >>> x = ndgrad.randn(8, 4, 5, 5)
    >>> rm, rv = ndgrad.zeros(4), ndgrad.ones(4)
    >>> y = F.batch_norm(x, rm, rv, training=True)   # updates rm, rv in place
    >>> y.shape
    torch.Size([8, 4, 5, 5])
"""
import numpy as np

from ...ops import norm as _norm
from ...ops._core import wrap
from ...autograd.function import Function, once_differentiable
from .vision import pad

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm", "local_response_norm"]


def _verify_batch_size(size):
    prod = size[0]
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {size}")


def _verify_spatial_size(size):
    prod = 1
    for s in size[2:]:
        prod *= s
    if prod == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {size}")


def _check_vec(t, name, c):
    if t is not None and t.numel() != c:
        raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalise each channel (dim 1) with batch statistics (``training``) or the running ones.

    When training with running statistics, they are updated in place:
    ``running = (1 - momentum) * running + momentum * batch`` (unbiased batch variance).

    Example:
        >>> F.batch_norm(ndgrad.randn(4, 3), None, None, training=True).shape
        torch.Size([4, 3])
    """
    if training:
        _verify_batch_size(input.size())
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    elif eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    if input.dim() < 2:
        raise RuntimeError(f"batch_norm: Expected input to have at least 2 dimensions, but got {input.dim()}")
    c = input.shape[1]
    if not training and (running_mean is None or running_var is None):
        raise RuntimeError(f"running_{'mean' if running_mean is None else 'var'} must be defined in evaluation mode")
    _check_vec(running_mean, "running_mean", c)
    _check_vec(running_var, "running_var", c)
    _check_vec(weight, "weight", c)
    _check_vec(bias, "bias", c)
    return _norm.batch_norm_apply(input, running_mean, running_var, weight, bias, training, momentum, eps)


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalise each channel of each sample separately (batch norm on a ``(1, N*C, ...)`` view,
    as torch computes it; running statistics are averaged over the batch).

    Example:
        >>> F.instance_norm(ndgrad.randn(2, 3, 5)).shape
        torch.Size([2, 3, 5])
    """
    if use_input_stats:
        _verify_spatial_size(input.size())
    shape = input.shape
    n, c = shape[0], shape[1]
    x = input.reshape((1, n * c) + tuple(shape[2:]))
    w = weight.unsqueeze(0).expand(n, c).reshape(n * c) if weight is not None else None
    b = bias.unsqueeze(0).expand(n, c).reshape(n * c) if bias is not None else None
    rm = rv = None
    if running_mean is not None:
        rm = wrap(np.tile(running_mean._data, n))
    if running_var is not None:
        rv = wrap(np.tile(running_var._data, n))
    out = batch_norm(x, rm, rv, w, b, use_input_stats, momentum, eps) if use_input_stats or rm is None else \
        batch_norm(x, rm, rv, w, b, False, momentum, eps)
    if use_input_stats:
        if running_mean is not None:
            running_mean._data[...] = rm._data.reshape(n, c).mean(axis=0)
        if running_var is not None:
            running_var._data[...] = rv._data.reshape(n, c).mean(axis=0)
    return out.view(shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalise over the trailing ``normalized_shape`` dims, then scale/shift elementwise.

    Example:
        >>> F.layer_norm(ndgrad.randn(2, 5, 8), (8,)).shape
        torch.Size([2, 5, 8])
    """
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    ns = [int(s) for s in normalized_shape]
    shape = list(input.shape)
    k = len(ns)
    if k == 0 or k > len(shape) or shape[len(shape) - k:] != ns:
        raise RuntimeError(f"Given normalized_shape={ns}, expected input with shape [*, {', '.join(map(str, ns))}], "
                           f"but got input of size{shape}")
    for t, name in ((weight, "weight"), (bias, "bias")):
        if t is not None and list(t.shape) != ns:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {ns}")
    return _norm.layer_norm_apply(input, tuple(ns), weight, bias, eps)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalise over groups of channels (and all spatial positions) per sample.

    Example:
        >>> F.group_norm(ndgrad.randn(2, 6, 4, 4), 3).shape
        torch.Size([2, 6, 4, 4])
    """
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    shape = list(input.shape)
    c = shape[1]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {shape} and num_groups={num_groups}")
    _verify_batch_size([shape[0] * c // num_groups, num_groups] + shape[2:])
    for t, name in ((weight, "weight"), (bias, "bias")):
        if t is not None and (t.dim() != 1 or t.numel() != c):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, but "
                               f"got {name} of shape {list(t.shape)} and input of shape {shape}")
    return _norm.group_norm_apply(input, num_groups, weight, bias, eps)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """``x / sqrt(mean(x**2 over the trailing dims) + eps) * weight`` (``eps=None``: machine epsilon).

    Example:
        >>> F.rms_norm(ndgrad.ones(2, 4), (4,))
        tensor([[1., 1., 1., 1.],
                [1., 1., 1., 1.]])
    """
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    ns = [int(s) for s in normalized_shape]
    shape = list(input.shape)
    k = len(ns)
    if k == 0 or k > len(shape) or shape[len(shape) - k:] != ns:
        raise RuntimeError(f"Given normalized_shape={ns}, expected input with shape [*, {', '.join(map(str, ns))}], "
                           f"but got input of size{shape}")
    if weight is not None and list(weight.shape) != ns:
        raise RuntimeError(f"Expected weight to be of same shape as normalized_shape, but got weight of shape "
                           f"{list(weight.shape)} and normalized_shape = {ns}")
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    dims = tuple(range(-k, 0))
    y = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return y * weight if weight is not None else y


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """Local response normalisation across channels (dim 1) of an ``(N, C, *)`` input:
    ``x_c / (k + alpha / size * sum(x_j**2 for j in [c - size//2, c + (size-1)//2]))**beta``,
    channels outside ``[0, C)`` counting as zeros. Built from differentiable ops (pad, slices, pow).

    Example:
        >>> F.local_response_norm(ndgrad.ones(1, 3, 2), 2).shape
        torch.Size([1, 3, 2])
    """
    dim = input.dim()
    if dim < 3:
        # torch's message carries the indentation of its source line break
        raise ValueError(f"Expected 3D or higher dimensionality{' ' * 26}input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    if size <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {size} kW: 1")
    c = input.shape[1]
    squares = pad(input * input, [0, 0] * (dim - 2) + [size // 2, (size - 1) // 2])
    window = squares[:, 0:c]
    for i in range(1, size):
        window = window + squares[:, i:i + c]
    div = ((window / size) * alpha + k).pow(beta)
    return input / div


class CrossMapLRN2d(Function):
    """torch's legacy cross-channel LRN (``nn.CrossMapLRN2d``), with its own forward window and
    hand-written backward reproduced as they are (they differ slightly from
    :func:`local_response_norm`: channel 0 stays in the sum of the later channels, and the
    backward's window is shifted). Not twice differentiable."""

    @staticmethod
    def forward(ctx, input, size, alpha=1e-4, beta=0.75, k=1):
        if input.dim() != 4:
            raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
        x = input._data
        channels = x.shape[1]
        sq = x * x
        reach = int((size - 1) / 2 + 1)
        scale = np.empty_like(x)
        running = sq[:, :min(reach, channels)].sum(axis=1)
        scale[:, 0] = running
        for c in range(1, channels):
            if c < channels - reach + 1:
                running = running + sq[:, c + reach - 1]
            if c > reach:
                running = running - sq[:, c - reach]
            scale[:, c] = running
        scale = scale * (alpha / size) + k
        out = np.power(scale, -beta) * x
        ctx.size, ctx.alpha, ctx.beta, ctx.k = size, alpha, beta, k
        ctx.scale = scale
        output = wrap(out.astype(x.dtype, copy=False))
        ctx.save_for_backward(input, output)
        return output

    @staticmethod
    @once_differentiable
    def backward(ctx, grad_output):
        input, output = ctx.saved_tensors
        x, y, g = input._data, output._data, grad_output._data
        size, scale = ctx.size, ctx.scale
        channels = x.shape[1]
        shift = int(size - (size - 1) / 2)
        rows = channels + size - 1
        if shift + channels > rows:
            raise RuntimeError(f"start ({shift}) + length ({channels}) exceeds dimension size ({rows}).")
        grad = np.power(scale, -ctx.beta) * g
        ratio = np.zeros((x.shape[0], rows) + x.shape[2:], dtype=x.dtype)
        ratio[:, shift:shift + channels] = g * y / scale
        # accum[c] = sum(ratio[c : c + size])
        accum = np.zeros_like(x)
        for c in range(channels):
            accum[:, c] = ratio[:, c:c + size].sum(axis=1)
        grad = grad - (2 * ctx.alpha * ctx.beta / size) * x * accum
        return wrap(grad.astype(x.dtype, copy=False)), None, None, None, None
