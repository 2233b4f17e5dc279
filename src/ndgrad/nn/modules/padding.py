"""Padding layers: constant, zero, reflection, replication and circular padding in 1, 2 and 3 dims
(``padding`` is an int or a tuple ``(left, right[, top, bottom[, front, back]])``).

Example:
    >>> nn.ReflectionPad2d(2)
    ReflectionPad2d((2, 2, 2, 2))
    >>> nn.ZeroPad2d((1, 1, 2, 0))(ndgrad.ones(1, 1, 2, 2)).shape
    torch.Size([1, 1, 4, 4])
"""
from .. import functional as F
from .module import Module

__all__ = ["ConstantPad1d", "ConstantPad2d", "ConstantPad3d", "ZeroPad1d", "ZeroPad2d", "ZeroPad3d",
           "ReflectionPad1d", "ReflectionPad2d", "ReflectionPad3d", "ReplicationPad1d", "ReplicationPad2d",
           "ReplicationPad3d", "CircularPad1d", "CircularPad2d", "CircularPad3d"]


def _ntuple(n):
    def parse(x):
        if isinstance(x, (tuple, list)):
            return tuple(x)
        return (x,) * n
    return parse


_pair, _quadruple, _sextuple = _ntuple(2), _ntuple(4), _ntuple(6)


class _ConstantPadNd(Module):
    __constants__ = ["padding", "value"]

    def __init__(self, value):
        super().__init__()
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pad the last dim with ``value``.

    Example:
        >>> nn.ConstantPad1d(2, 3.5)(ndgrad.zeros(1, 2, 2)).shape
        torch.Size([1, 2, 6])
    """

    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _pair(padding)


class ConstantPad2d(_ConstantPadNd):
    """Pad the last two dims with ``value``.

    Example:
        >>> nn.ConstantPad2d((3, 0, 2, 1), 3.5)(ndgrad.zeros(1, 2, 2)).shape
        torch.Size([1, 5, 5])
    """

    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _quadruple(padding)


class ConstantPad3d(_ConstantPadNd):
    """Pad the last three dims with ``value``.

    Example:
        >>> nn.ConstantPad3d(1, 0.)(ndgrad.zeros(1, 2, 2, 2)).shape
        torch.Size([1, 4, 4, 4])
    """

    def __init__(self, padding, value):
        super().__init__(value)
        self.padding = _sextuple(padding)


class ZeroPad1d(ConstantPad1d):
    """Zero-pad the last dim.

    Example:
        >>> nn.ZeroPad1d(2)(ndgrad.ones(1, 1, 2))
        tensor([[[0., 0., 1., 1., 0., 0.]]])
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Zero-pad the last two dims.

    Example:
        >>> nn.ZeroPad2d(1)(ndgrad.ones(1, 1, 2, 2)).shape
        torch.Size([1, 1, 4, 4])
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Zero-pad the last three dims.

    Example:
        >>> nn.ZeroPad3d(1)(ndgrad.ones(1, 1, 2, 2, 2)).shape
        torch.Size([1, 1, 4, 4, 4])
    """

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class _ModePadNd(Module):
    __constants__ = ["padding"]
    _mode = ""

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self):
        return f"{self.padding}"


def _mode_pad(name, mode, parse, doc):
    def __init__(self, padding):
        Module.__init__(self)
        self.padding = parse(padding)
    return type(name, (_ModePadNd,), {"__init__": __init__, "_mode": mode, "__doc__": doc,
                                      "__module__": __name__})


ReflectionPad1d = _mode_pad("ReflectionPad1d", "reflect", _pair, """Pad the last dim with its reflection.

    Example:
        >>> nn.ReflectionPad1d(2)(ndgrad.arange(4.).view(1, 1, 4))
        tensor([[[2., 1., 0., 1., 2., 3., 2., 1.]]])
    """)
ReflectionPad2d = _mode_pad("ReflectionPad2d", "reflect", _quadruple, "Pad the last two dims with their reflection.")
ReflectionPad3d = _mode_pad("ReflectionPad3d", "reflect", _sextuple, "Pad the last three dims with their reflection.")
ReplicationPad1d = _mode_pad("ReplicationPad1d", "replicate", _pair, """Pad the last dim by repeating its edges.

    Example:
        >>> nn.ReplicationPad1d(2)(ndgrad.arange(4.).view(1, 1, 4))
        tensor([[[0., 0., 0., 1., 2., 3., 3., 3.]]])
    """)
ReplicationPad2d = _mode_pad("ReplicationPad2d", "replicate", _quadruple, "Pad the last two dims by repeating edges.")
ReplicationPad3d = _mode_pad("ReplicationPad3d", "replicate", _sextuple, "Pad the last three dims by repeating edges.")
CircularPad1d = _mode_pad("CircularPad1d", "circular", _pair, """Pad the last dim by wrapping around.

    Example:
        >>> nn.CircularPad1d(2)(ndgrad.arange(4.).view(1, 1, 4))
        tensor([[[2., 3., 0., 1., 2., 3., 0., 1.]]])
    """)
CircularPad2d = _mode_pad("CircularPad2d", "circular", _quadruple, "Pad the last two dims by wrapping around.")
CircularPad3d = _mode_pad("CircularPad3d", "circular", _sextuple, "Pad the last three dims by wrapping around.")
