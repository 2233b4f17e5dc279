"""Convolution layers (Conv1d/2d/3d, ConvTranspose1d/2d/3d) and Fold/Unfold, with
torch's constructor arguments, initialisation, ``state_dict`` keys and ``repr``.

Example:
    >>> conv = nn.Conv2d(3, 64, 7, stride=2, padding=3, bias=False)
    >>> conv
    Conv2d(3, 64, kernel_size=(7, 7), stride=(2, 2), padding=(3, 3), bias=False)
    >>> conv(ndgrad.randn(1, 3, 224, 224)).shape
    torch.Size([1, 64, 112, 112])
"""
import math

from ...ops.creation import empty
from .. import functional as F
from .. import init
from ...autograd import grad_mode as _gm
from ..parameter import Parameter, UninitializedParameter
from .lazy import LazyModuleMixin
from .module import Module

__all__ = ["Conv1d", "Conv2d", "Conv3d", "ConvTranspose1d", "ConvTranspose2d", "ConvTranspose3d", "Fold",
           "Unfold", "LazyConv1d", "LazyConv2d", "LazyConv3d", "LazyConvTranspose1d", "LazyConvTranspose2d",
           "LazyConvTranspose3d"]


def _ntuple(n):
    def parse(x):
        if isinstance(x, (tuple, list)):
            return tuple(x)
        return (x,) * n
    return parse


_single, _pair, _triple = _ntuple(1), _ntuple(2), _ntuple(3)


def _reverse_repeat_tuple(t, n):
    return tuple(x for x in reversed(t) for _ in range(n))


class _ConvNd(Module):
    __constants__ = ["stride", "padding", "dilation", "groups", "padding_mode", "output_padding", "in_channels",
                     "out_channels", "kernel_size"]

    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device=None, dtype=None):
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        valid_padding_strings = {"same", "valid"}
        if isinstance(padding, str):
            if padding not in valid_padding_strings:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {valid_padding_strings}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        valid_padding_modes = {"zeros", "reflect", "replicate", "circular"}
        if padding_mode not in valid_padding_modes:
            raise ValueError(f"padding_mode must be one of {valid_padding_modes}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = kernel_size
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.transposed = transposed
        self.output_padding = output_padding
        self.groups = groups
        self.padding_mode = padding_mode
        # the padding F.pad needs for a non-"zeros" padding_mode (last dim first)
        if isinstance(self.padding, str):
            self._reversed_padding_repeated_twice = [0, 0] * len(kernel_size)
            if padding == "same":
                for d, k, i in zip(dilation, kernel_size, range(len(kernel_size) - 1, -1, -1)):
                    total = d * (k - 1)
                    left = total // 2
                    self._reversed_padding_repeated_twice[2 * i] = left
                    self._reversed_padding_repeated_twice[2 * i + 1] = total - left
        else:
            self._reversed_padding_repeated_twice = _reverse_repeat_tuple(self.padding, 2)
        if transposed:
            shape = (in_channels, out_channels // groups, *kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *kernel_size)
        self.weight = Parameter(empty(shape, device=device, dtype=dtype))
        if bias:
            self.bias = Parameter(empty(out_channels, device=device, dtype=dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        # kaiming_uniform_(a=sqrt(5)): U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weight and the bias
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        s = "{in_channels}, {out_channels}, kernel_size={kernel_size}, stride={stride}"
        if self.padding != (0,) * len(self.padding):
            s += ", padding={padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += ", dilation={dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += ", output_padding={output_padding}"
        if self.groups != 1:
            s += ", groups={groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += ", padding_mode={padding_mode}"
        return s.format(**self.__dict__)

    def __setstate__(self, state):
        super().__setstate__(state)
        if not hasattr(self, "padding_mode"):
            self.padding_mode = "zeros"


class _ConvForward(_ConvNd):
    """Conv1d, Conv2d and Conv3d: the same constructor and forward over ``_dims`` spatial dims."""

    _dims = 0

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1,
                 bias=True, padding_mode="zeros", device=None, dtype=None):
        tup = _ntuple(self._dims)
        padding_ = padding if isinstance(padding, str) else tup(padding)
        super().__init__(in_channels, out_channels, tup(kernel_size), tup(stride), padding_, tup(dilation), False,
                         tup(0), groups, bias, padding_mode, device, dtype)

    def _conv_forward(self, input, weight, bias):
        conv = getattr(F, f"conv{self._dims}d")
        if self.padding_mode != "zeros":
            return conv(F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode), weight, bias,
                        self.stride, (0,) * self._dims, self.dilation, self.groups)
        return conv(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_ConvForward):
    """1-D convolution over ``(N, C_in, L)``; weight ``(C_out, C_in/groups, k)``.

    Example:
        >>> nn.Conv1d(16, 33, 3, stride=2)(ndgrad.randn(20, 16, 50)).shape
        torch.Size([20, 33, 24])
    """

    _dims = 1


class Conv2d(_ConvForward):
    """2-D convolution over ``(N, C_in, H, W)``; weight ``(C_out, C_in/groups, kh, kw)``.

    ``padding`` is an int, a pair, ``"valid"`` or ``"same"``; ``padding_mode`` is ``"zeros"``,
    ``"reflect"``, ``"replicate"`` or ``"circular"``.

    Example:
        >>> nn.Conv2d(16, 33, (3, 5), stride=(2, 1), padding=(4, 2))(ndgrad.randn(2, 16, 50, 100)).shape
        torch.Size([2, 33, 28, 100])
    """

    _dims = 2


class Conv3d(_ConvForward):
    """3-D convolution over ``(N, C_in, D, H, W)``; weight ``(C_out, C_in/groups, kd, kh, kw)``.

    Example:
        >>> nn.Conv3d(4, 8, 3, stride=2, padding=1)(ndgrad.randn(2, 4, 5, 6, 7)).shape
        torch.Size([2, 8, 3, 3, 4])
    """

    _dims = 3


class _ConvTransposeNd(_ConvNd):
    def __init__(self, in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                 output_padding, groups, bias, padding_mode, device=None, dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {self.__class__.__name__}')
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, dilation, transposed,
                         output_padding, groups, bias, padding_mode, device, dtype)

    def _output_padding(self, input, output_size, stride, padding, kernel_size, num_spatial_dims, dilation=None):
        if output_size is None:
            return _single(self.output_padding)
        has_batch_dim = input.dim() == num_spatial_dims + 2
        num_non_spatial_dims = 2 if has_batch_dim else 1
        output_size = list(output_size)
        if len(output_size) == num_non_spatial_dims + num_spatial_dims:
            output_size = output_size[num_non_spatial_dims:]
        if len(output_size) != num_spatial_dims:
            raise ValueError(f"ConvTranspose{num_spatial_dims}D: for {input.dim()}D input, output_size must have "
                             f"{num_spatial_dims} or {num_non_spatial_dims + num_spatial_dims} elements (got "
                             f"{len(output_size)})")
        min_sizes, max_sizes = [], []
        for d in range(num_spatial_dims):
            dim_size = ((input.size(d + num_non_spatial_dims) - 1) * stride[d] - 2 * padding[d]
                        + (dilation[d] if dilation is not None else 1) * (kernel_size[d] - 1) + 1)
            min_sizes.append(dim_size)
            max_sizes.append(min_sizes[d] + stride[d] - 1)
        for i, size in enumerate(output_size):
            if size < min_sizes[i] or size > max_sizes[i]:
                raise ValueError(f"requested an output size of {output_size}, but valid sizes range from {min_sizes} "
                                 f"to {max_sizes} (for an input of {input.size()[2:]})")
        return [output_size[d] - min_sizes[d] for d in range(num_spatial_dims)]


class _ConvTransposeForward(_ConvTransposeNd):
    """ConvTranspose1d/2d/3d: the same constructor and forward over ``_dims`` spatial dims."""

    _dims = 0

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1,
                 bias=True, dilation=1, padding_mode="zeros", device=None, dtype=None):
        tup = _ntuple(self._dims)
        super().__init__(in_channels, out_channels, tup(kernel_size), tup(stride), tup(padding), tup(dilation), True,
                         tup(output_padding), groups, bias, padding_mode, device, dtype)

    def forward(self, input, output_size=None):
        nd = self._dims
        if self.padding_mode != "zeros":
            raise ValueError(f"Only `zeros` padding mode is supported for ConvTranspose{nd}d")
        output_padding = self._output_padding(input, output_size, self.stride, self.padding, self.kernel_size, nd,
                                              self.dilation)
        return getattr(F, f"conv_transpose{nd}d")(input, self.weight, self.bias, self.stride, self.padding,
                                                  output_padding, self.groups, self.dilation)


class ConvTranspose1d(_ConvTransposeForward):
    """1-D transposed convolution; weight ``(C_in, C_out/groups, k)``.

    Example:
        >>> nn.ConvTranspose1d(16, 8, 3, stride=2)(ndgrad.randn(2, 16, 10)).shape
        torch.Size([2, 8, 21])
    """

    _dims = 1


class ConvTranspose2d(_ConvTransposeForward):
    """2-D transposed convolution; weight ``(C_in, C_out/groups, kh, kw)``. ``forward`` takes an
    optional ``output_size`` that picks the output padding.

    Example:
        >>> up = nn.ConvTranspose2d(16, 16, 3, stride=2, padding=1)
        >>> up(ndgrad.randn(1, 16, 6, 6), output_size=[1, 16, 12, 12]).shape
        torch.Size([1, 16, 12, 12])
    """

    _dims = 2


class ConvTranspose3d(_ConvTransposeForward):
    """3-D transposed convolution; weight ``(C_in, C_out/groups, kd, kh, kw)``. ``forward`` takes
    an optional ``output_size``.

    Example:
        >>> nn.ConvTranspose3d(4, 2, 3, stride=2)(ndgrad.randn(1, 4, 3, 3, 3)).shape
        torch.Size([1, 2, 7, 7, 7])
    """

    _dims = 3


class Fold(Module):
    """Combine sliding blocks ``(N, C*kh*kw, L)`` into ``(N, C, *output_size)``, summing overlaps.

    Example:
        >>> nn.Fold(output_size=(4, 5), kernel_size=(2, 2))(ndgrad.randn(1, 12, 12)).shape
        torch.Size([1, 3, 4, 5])
    """

    __constants__ = ["output_size", "kernel_size", "dilation", "padding", "stride"]

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size = output_size
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return ("output_size={output_size}, kernel_size={kernel_size}, dilation={dilation}, padding={padding}, "
                "stride={stride}".format(**self.__dict__))


class Unfold(Module):
    """Extract sliding blocks: ``(N, C, H, W) -> (N, C*kh*kw, L)``.

    Example:
        >>> nn.Unfold(kernel_size=(2, 3))(ndgrad.randn(2, 5, 3, 4)).shape
        torch.Size([2, 30, 4])
    """

    __constants__ = ["kernel_size", "dilation", "padding", "stride"]

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size = kernel_size
        self.dilation = dilation
        self.padding = padding
        self.stride = stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self):
        return "kernel_size={kernel_size}, dilation={dilation}, padding={padding}, stride={stride}".format(
            **self.__dict__)


class _LazyConvMixin(LazyModuleMixin):
    """Convolutions whose ``in_channels`` comes from the first input (``input.shape[1]``, or
    ``shape[0]`` unbatched); built with 0 channels and placeholder ``weight``/``bias``."""

    def _lazy_setup(self, out_channels, bias, device, dtype):
        kw = {"device": device, "dtype": dtype}
        self.weight = UninitializedParameter(**kw)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(**kw)

    def reset_parameters(self):
        if not self.has_uninitialized_params() and self.in_channels != 0:
            super().reset_parameters()

    def _get_in_channels(self, input):
        spatial = len(self.kernel_size)
        if input.dim() not in (spatial + 1, spatial + 2):
            raise RuntimeError(f"Expected {spatial + 1}D (unbatched) or {spatial + 2}D (batched) input to "
                               f"{self.__class__.__name__}, but got input of size: {input.shape}")
        return input.shape[1] if input.dim() == spatial + 2 else input.shape[0]

    def initialize_parameters(self, input, *args, **kwargs):
        if self.has_uninitialized_params():
            self.in_channels = self._get_in_channels(input)
            if self.in_channels % self.groups != 0:
                raise ValueError("in_channels must be divisible by groups")
            if self.transposed:
                shape = (self.in_channels, self.out_channels // self.groups, *self.kernel_size)
            else:
                shape = (self.out_channels, self.in_channels // self.groups, *self.kernel_size)
            with _gm.no_grad():
                self.weight.materialize(shape)
                if self.bias is not None:
                    self.bias.materialize((self.out_channels,))
            self.reset_parameters()


def _lazy_conv(base):
    def __init__(self, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
                 padding_mode="zeros", device=None, dtype=None):
        _LazyConvMixin.__init__(self, 0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode,
                      device, dtype)
        self._lazy_setup(out_channels, bias, device, dtype)

    name = f"Lazy{base.__name__}"
    doc = (f":class:`{base.__name__}` whose ``in_channels`` is inferred from the first input; it then becomes a "
           f"plain ``{base.__name__}``.")
    return type(name, (_LazyConvMixin, base), {"__init__": __init__, "cls_to_become": base, "__doc__": doc,
                                               "__module__": __name__, "__qualname__": name})


def _lazy_conv_transpose(base):
    def __init__(self, out_channels, kernel_size, stride=1, padding=0, output_padding=0, groups=1, bias=True,
                 dilation=1, padding_mode="zeros", device=None, dtype=None):
        _LazyConvMixin.__init__(self, 0, 0, kernel_size, stride, padding, output_padding, groups, False, dilation,
                      padding_mode, device, dtype)
        self._lazy_setup(out_channels, bias, device, dtype)

    name = f"Lazy{base.__name__}"
    doc = (f":class:`{base.__name__}` whose ``in_channels`` is inferred from the first input; it then becomes a "
           f"plain ``{base.__name__}``.")
    return type(name, (_LazyConvMixin, base), {"__init__": __init__, "cls_to_become": base, "__doc__": doc,
                                               "__module__": __name__, "__qualname__": name})


LazyConv1d = _lazy_conv(Conv1d)
LazyConv2d = _lazy_conv(Conv2d)
LazyConv3d = _lazy_conv(Conv3d)
LazyConvTranspose1d = _lazy_conv_transpose(ConvTranspose1d)
LazyConvTranspose2d = _lazy_conv_transpose(ConvTranspose2d)
LazyConvTranspose3d = _lazy_conv_transpose(ConvTranspose3d)
