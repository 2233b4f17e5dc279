"""Helpers shared by the distribution families (parameter broadcasting, probs <-> logits)."""
import numbers

import numpy as np

import ndgrad as _nd

__all__ = ["broadcast_all", "probs_to_logits", "logits_to_probs", "clamp_probs", "lazy_property",
           "euler_constant", "sum_rightmost"]

euler_constant = 0.57721566490153286060


def broadcast_all(*values):
    """Turn numbers into tensors (dtype of the tensor arguments, else the default) and broadcast all."""
    tensors = [v for v in values if isinstance(v, _nd.Tensor)]
    for v in values:
        if not isinstance(v, (_nd.Tensor, numbers.Number)):
            raise ValueError("Input arguments must all be instances of numbers.Number, torch.Tensor or "
                             "objects implementing __torch_function__.")
    dtype = tensors[0].dtype if tensors else _nd.get_default_dtype()
    conv = [v if isinstance(v, _nd.Tensor) else _nd.tensor(v, dtype=dtype) for v in values]
    return tuple(_nd.broadcast_tensors(*conv))


def _finfo(dtype):
    return np.finfo(np.dtype(str(dtype).replace("torch.", "")))


def clamp_probs(probs):
    eps = float(_finfo(probs.dtype).eps)
    return probs.clamp(min=eps, max=1 - eps)


def probs_to_logits(probs, is_binary=False):
    p = clamp_probs(probs)
    if is_binary:
        return _nd.log(p) - _nd.log1p(-p)
    return _nd.log(p)


def logits_to_probs(logits, is_binary=False):
    if is_binary:
        return _nd.sigmoid(logits)
    return _nd.softmax(logits, dim=-1)


def sum_rightmost(value, dim):
    """Sum out the ``dim`` right-most dimensions of ``value``."""
    if dim == 0:
        return value
    return value.reshape(tuple(value.shape[:value.dim() - dim]) + (-1,)).sum(-1)


class lazy_property:
    """Computed on first access and cached in the instance's ``__dict__``."""

    def __init__(self, fn):
        self.wrapped = fn
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        with _nd.enable_grad():
            value = self.wrapped(instance)
        instance.__dict__[self.wrapped.__name__] = value
        return value


def finfo(dtype):
    return _finfo(dtype)
