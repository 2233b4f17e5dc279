"""Convolution + normalisation + activation blocks (torchvision.ops.misc).

The block is a ``Sequential`` so its children are numbered ``0`` (conv), ``1`` (norm), ``2``
(activation): the names torchvision's checkpoints use (``features.0.0.weight``,
``features.0.1.running_mean`` in MobileNetV2).
"""
from ... import nn

__all__ = ["ConvNormActivation", "Conv2dNormActivation"]


_DEFAULT = object()


def _ntuple(x, n):
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,) * n


class ConvNormActivation(nn.Sequential):
    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=_DEFAULT, activation_layer=_DEFAULT, dilation=1, inplace=True, bias=None,
                 conv_layer=None):
        # torchvision's defaults are nn.BatchNorm2d and nn.ReLU; None means "no layer", hence a
        # sentinel for "not given".
        if norm_layer is _DEFAULT:
            norm_layer = nn.BatchNorm2d
        if activation_layer is _DEFAULT:
            activation_layer = nn.ReLU
        if conv_layer is None:
            conv_layer = nn.Conv2d
        if padding is None:
            # "same" padding for odd kernels
            if isinstance(kernel_size, int) and isinstance(dilation, int):
                padding = (kernel_size - 1) // 2 * dilation
            else:
                nd = len(kernel_size) if isinstance(kernel_size, (tuple, list)) else len(dilation)
                kernel_size = _ntuple(kernel_size, nd)
                dilation = _ntuple(dilation, nd)
                padding = tuple((kernel_size[i] - 1) // 2 * dilation[i] for i in range(nd))
        if bias is None:
            bias = norm_layer is None
        layers = [conv_layer(in_channels, out_channels, kernel_size, stride, padding, dilation=dilation,
                             groups=groups, bias=bias)]
        if norm_layer is not None:
            layers.append(norm_layer(out_channels))
        if activation_layer is not None:
            params = {} if inplace is None else {"inplace": inplace}
            layers.append(activation_layer(**params))
        super().__init__(*layers)
        self.out_channels = out_channels


class Conv2dNormActivation(ConvNormActivation):
    """``Conv2d`` -> ``norm_layer`` -> ``activation_layer`` as one ``Sequential``.

    Args:
        in_channels, out_channels, kernel_size (3), stride (1): the convolution's.
        padding: None gives ``(kernel_size - 1) // 2 * dilation`` ("same" for odd kernels).
        groups, dilation: the convolution's.
        norm_layer: a constructor taking the channel count (default ``nn.BatchNorm2d``); None for none.
        activation_layer: a constructor (default ``nn.ReLU``); None for none.
        inplace: passed to the activation (None: not passed).
        bias: the convolution's bias; None means "only when there is no norm layer".

    Example:
        >>> block = Conv2dNormActivation(3, 32, stride=2, activation_layer=nn.ReLU6)
        >>> [k for k in block.state_dict()][:2]
        ['0.weight', '1.weight']
    """

    def __init__(self, in_channels, out_channels, kernel_size=3, stride=1, padding=None, groups=1,
                 norm_layer=_DEFAULT, activation_layer=_DEFAULT, dilation=1, inplace=True, bias=None):
        super().__init__(in_channels, out_channels, kernel_size, stride, padding, groups, norm_layer,
                         activation_layer, dilation, inplace, bias, nn.Conv2d)
