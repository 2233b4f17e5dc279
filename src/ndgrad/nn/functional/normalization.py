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

__all__ = ["batch_norm", "instance_norm", "layer_norm", "group_norm", "rms_norm"]


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
