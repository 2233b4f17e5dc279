"""Dropout in its variants: elementwise, channel-wise (1d/2d/3d) and alpha dropout (for SELU nets).

In training, each element (or each whole channel) is zeroed with probability ``p`` and the rest are
scaled by 1/(1-p), so the expected value is unchanged; outside training the input is returned as
is. The result is ``input * mask`` (torch's ``MulBackward0``), the mask a constant.

Example:
    >>> y = F.dropout(ndgrad.ones(4, 4), p=0.5)   # entries are 0. or 2.
"""
import math
import warnings

import numpy as np

from ...ops._core import wrap
from ...ops.creation import _rng

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]

_SELU_ALPHA_PRIME = 1.7580993408473766  # -scale * alpha of SELU


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _noise_shape(input, feature):
    """Elementwise noise (feature None), or one draw per channel: ``feature`` is the channel axis
    (1 for batched inputs, 0 for unbatched ones)."""
    shape = input._data.shape
    if feature is None:
        return shape
    if len(shape) < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return shape[:feature + 1] + (1,) * (len(shape) - feature - 1)


def _dropout_impl(input, p, train, feature, alpha, inplace):
    if p == 0 or not train or input.numel() == 0:
        return input
    dt = input._data.dtype
    if p == 1:
        zero = wrap(np.zeros((), dtype=dt))
        return input.mul_(zero) if inplace else input * zero
    keep = _rng(None).random(_noise_shape(input, feature)) >= p
    if not alpha:
        mask = wrap((keep * (1.0 / (1.0 - p))).astype(dt))
        return input.mul_(mask) if inplace else input * mask
    a = 1.0 / math.sqrt((_SELU_ALPHA_PRIME ** 2 * p + 1) * (1 - p))
    b = wrap(((keep - 1.0) * (_SELU_ALPHA_PRIME * a) + _SELU_ALPHA_PRIME * a * p).astype(dt))
    mask = wrap((keep * a).astype(dt))
    if inplace:
        return input.mul_(mask).add_(b)
    return input * mask + b


def dropout(input, p=0.5, training=True, inplace=False):
    """Zero each element with probability ``p`` (training only) and scale the rest by 1/(1-p)."""
    _check_p(p)
    return _dropout_impl(input, p, training, None, False, inplace)


def dropout1d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, L) or (C, L) inputs."""
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {inp_dim}D input. Note that dropout1d exists to "
            "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional "
            "batch dimension (i.e. 2D or 3D inputs).")
    return _feature(input, p, training, inplace, batched=inp_dim == 3)


def dropout2d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, H, W) inputs (a 3-d input is read as (N, C, L), as torch does)."""
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {inp_dim}-D input to dropout2d, which is deprecated and will result in an error "
            "in a future release. To retain the behavior and silence this warning, please use dropout instead. Note "
            "that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if inp_dim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will change "
            "in a future release to interpret the input as one without a batch dimension, i.e. shape (C, H, W). To "
            "maintain the 1D channel-wise dropout behavior, please switch to using dropout1d instead.", stacklevel=2)
    return _dropout_impl(input, p, training, 1, False, inplace)


def dropout3d(input, p=0.5, training=True, inplace=False):
    """Zero whole channels of (N, C, D, H, W) or (C, D, H, W) inputs."""
    _check_p(p)
    inp_dim = input.dim()
    if inp_dim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {inp_dim}-D input to dropout3d, which is deprecated and will result in an error "
            "in a future release. To retain the behavior and silence this warning, please use dropout instead. Note "
            "that dropout3d exists to provide channel-wise dropout on inputs with 3 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    return _feature(input, p, training, inplace, batched=inp_dim == 5)


def _feature(input, p, training, inplace, batched):
    return _dropout_impl(input, p, training, 1 if batched else 0, False, inplace)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's self-normalising mean and variance (dropped values become -λα)."""
    _check_p(p)
    return _dropout_impl(input, p, training, None, True, inplace)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Channel-wise alpha dropout."""
    _check_p(p)
    return _dropout_impl(input, p, training, 1, True, inplace)
