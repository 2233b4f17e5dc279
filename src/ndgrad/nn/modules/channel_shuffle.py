"""ChannelShuffle: regroup channels (ShuffleNet), as torch.nn.ChannelShuffle, and its functional
form ``channel_shuffle`` (exported as ``F.channel_shuffle``).

The channels of an ``(N, C, *)`` input, seen as ``groups`` groups of ``C // groups``, are
interleaved: ``(N, g, C/g, *) -> (N, C/g, g, *) -> (N, C, *)``. One recorded op
(``ChannelShuffleBackward0``) whose backward is the inverse shuffle (``C // groups`` groups), itself
recorded, so higher derivatives work.

Example:
    >>> nn.ChannelShuffle(2)(ndgrad.arange(4.).view(1, 4, 1)).flatten()
    tensor([0., 2., 1., 3.])
"""
import numbers

import numpy as np

from ...ops._core import Node, wrap, edge, mode, attach
from .module import Module

__all__ = ["ChannelShuffle"]  # channel_shuffle is exported by nn.functional (misc.py)


class ChannelShuffleBackward0(Node):
    __slots__ = ("groups",)

    def backward(self, grad):
        c = grad.shape[1]
        return _shuffle(grad, c // self.groups) if c else grad


def _shuffle(input, groups):
    d = input._data
    n, c = d.shape[0], d.shape[1]
    rest = d.shape[2:]
    data = np.ascontiguousarray(d.reshape((n, groups, c // groups) + rest).swapaxes(1, 2)).reshape(d.shape)
    out = wrap(data)
    if mode.enabled and input._rg:
        node = ChannelShuffleBackward0(edge(input))
        node.groups = groups
        attach(out, node)
    return out


def channel_shuffle(input, groups):
    """Interleave the ``groups`` groups of channels of an ``(N, C, *)`` input (at least 3 dims).

    Example:
        >>> channel_shuffle(ndgrad.arange(6.).view(1, 6, 1), 3).flatten()
        tensor([0., 2., 4., 1., 3., 5.])
    """
    if isinstance(groups, bool) or not isinstance(groups, numbers.Integral):
        raise TypeError(f"channel_shuffle(): argument 'groups' (position 2) must be int, not "
                        f"{type(groups).__name__}")
    groups = int(groups)
    if input.dim() <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes "
                           f"{list(input.shape)}")
    if groups <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{groups}")
    c = input.shape[1]
    if c % groups:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {c} channels and {groups} groups.")
    return _shuffle(input, groups)


class ChannelShuffle(Module):
    """Divide the channels of ``(N, C, *)`` into ``groups`` groups and interleave them.

    Args:
        groups: number of groups (must divide C).

    Example:
        >>> nn.ChannelShuffle(2)(ndgrad.randn(1, 4, 2, 2)).shape
        torch.Size([1, 4, 2, 2])
    """

    __constants__ = ["groups"]

    def __init__(self, groups):
        super().__init__()
        self.groups = groups

    def forward(self, input):
        return channel_shuffle(input, self.groups)

    def extra_repr(self):
        return f"groups={self.groups}"


native_channel_shuffle = channel_shuffle   # torch's name for the same kernel
