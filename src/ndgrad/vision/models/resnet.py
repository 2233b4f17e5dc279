"""ResNet-18/34/50/101/152 ("Deep Residual Learning for Image Recognition", He et al. 2015).

Module names, parameter shapes and state_dict keys are torchvision's, so torchvision's checkpoints
(and any fine-tuned ``resnet*`` state_dict written by ``torch.save``) load with ``strict=True``.
As in torchvision (ResNet "V1.5"), the stride of a Bottleneck is on its 3x3 convolution.

Example:
    >>> from ndgrad.vision.models import resnet18
    >>> model = resnet18(weights="DEFAULT")          # ImageNet weights (cache or download)
    >>> model.fc = nn.Linear(model.fc.in_features, 10)  # transfer learning: a new head
"""
from functools import partial

from ... import nn
from ..transforms._presets import ImageClassification
from ._api import Weights, WeightsEnum, _load_weights, _num_classes_from, handle_legacy_interface, register_model
from ._meta import _IMAGENET_CATEGORIES
from ._utils import _norm_types

__all__ = ["ResNet", "BasicBlock", "Bottleneck", "ResNet18_Weights", "ResNet34_Weights", "ResNet50_Weights",
           "ResNet101_Weights", "ResNet152_Weights", "resnet18", "resnet34", "resnet50", "resnet101", "resnet152"]


def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1):
    """3x3 convolution with padding, no bias (a BatchNorm follows)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups,
                     bias=False, dilation=dilation)


def conv1x1(in_planes, out_planes, stride=1):
    """1x1 convolution, no bias."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions with a skip connection (ResNet-18/34)."""

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        # Both self.conv1 and self.downsample downsample the input when stride != 1
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class Bottleneck(nn.Module):
    """1x1 (reduce) -> 3x3 (strided, grouped) -> 1x1 (expand x4) with a skip connection (ResNet-50+)."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        # Both self.conv2 and self.downsample downsample the input when stride != 1
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    """torchvision's ResNet: stem (7x7/2 conv, BN, ReLU, 3x3/2 max pool), four stages, pool, ``fc``.

    Args:
        block: ``BasicBlock`` or ``Bottleneck``.
        layers: blocks per stage, e.g. ``[2, 2, 2, 2]`` for ResNet-18.
        num_classes: outputs of ``fc`` (default 1000).
        zero_init_residual: start each residual branch's last BatchNorm at weight 0, so every block
            begins as an identity (+0.2~0.3% accuracy, https://arxiv.org/abs/1706.02677).
        groups, width_per_group: ResNeXt / wide ResNet parameters of the Bottleneck.
        replace_stride_with_dilation: three bools, for stages 2-4: dilate instead of striding.
        norm_layer: normalisation constructor (default ``nn.BatchNorm2d``).
    """

    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1, width_per_group=64,
                 replace_stride_with_dilation=None, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        self._norm_layer = norm_layer

        self.inplanes = 64
        self.dilation = 1
        if replace_stride_with_dilation is None:
            # each element says whether to replace the stage's 2x2 stride by a dilated convolution
            replace_stride_with_dilation = [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError("replace_stride_with_dilation should be None or a 3-element tuple, "
                             f"got {replace_stride_with_dilation}")
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2, dilate=replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2, dilate=replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2, dilate=replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, _norm_types()):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)

        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck) and m.bn3.weight is not None:
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        norm_layer = self._norm_layer
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride),
                norm_layer(planes * block.expansion),
            )

        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width, previous_dilation,
                        norm_layer)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups, base_width=self.base_width,
                                dilation=self.dilation, norm_layer=norm_layer))
        return nn.Sequential(*layers)

    def _forward_impl(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        x = self.avgpool(x)
        x = x.flatten(1)
        return self.fc(x)

    def forward(self, x):
        return self._forward_impl(x)


def _resnet(block, layers, weights, progress, **kwargs):
    _num_classes_from(weights, kwargs)
    model = ResNet(block, layers, **kwargs)
    if weights is not None:
        _load_weights(model, weights, progress)
    return model


_COMMON_META = {
    "min_size": (1, 1),
    "categories": _IMAGENET_CATEGORIES,
}
_V1_RECIPE = "https://github.com/pytorch/vision/tree/main/references/classification#resnet"
_V1_DOCS = "These weights reproduce closely the results of the paper using a simple training recipe."
_V2_DOCS = ("These weights improve upon the results of the original paper by using TorchVision's "
            "`new training recipe <https://pytorch.org/blog/how-to-train-state-of-the-art-models-using-torchvision-"
            "latest-primitives/>`_.")


def _v1(file, num_params, acc1, acc5, ops, file_size):
    return Weights(
        url=f"https://download.pytorch.org/models/{file}",
        transforms=partial(ImageClassification, crop_size=224),
        meta={**_COMMON_META, "num_params": num_params, "recipe": _V1_RECIPE,
              "_metrics": {"ImageNet-1K": {"acc@1": acc1, "acc@5": acc5}},
              "_ops": ops, "_file_size": file_size, "_docs": _V1_DOCS},
    )


def _v2(file, num_params, acc1, acc5, ops, file_size, recipe):
    return Weights(
        url=f"https://download.pytorch.org/models/{file}",
        transforms=partial(ImageClassification, crop_size=224, resize_size=232),
        meta={**_COMMON_META, "num_params": num_params, "recipe": recipe,
              "_metrics": {"ImageNet-1K": {"acc@1": acc1, "acc@5": acc5}},
              "_ops": ops, "_file_size": file_size, "_docs": _V2_DOCS},
    )


class ResNet18_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("resnet18-f37072fd.pth", 11689512, 69.758, 89.078, 1.814, 44.661)
    DEFAULT = IMAGENET1K_V1


class ResNet34_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("resnet34-b627a593.pth", 21797672, 73.314, 91.420, 3.664, 83.275)
    DEFAULT = IMAGENET1K_V1


class ResNet50_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("resnet50-0676ba61.pth", 25557032, 76.130, 92.862, 4.089, 97.781)
    IMAGENET1K_V2 = _v2("resnet50-11ad3fa6.pth", 25557032, 80.858, 95.434, 4.089, 97.79,
                        "https://github.com/pytorch/vision/issues/3995#issuecomment-1013906621")
    DEFAULT = IMAGENET1K_V2


class ResNet101_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("resnet101-63fe2227.pth", 44549160, 77.374, 93.546, 7.801, 170.511)
    IMAGENET1K_V2 = _v2("resnet101-cd907fc2.pth", 44549160, 81.886, 95.780, 7.801, 170.53,
                        "https://github.com/pytorch/vision/issues/3995#new-recipe")
    DEFAULT = IMAGENET1K_V2


class ResNet152_Weights(WeightsEnum):
    IMAGENET1K_V1 = _v1("resnet152-394f9c45.pth", 60192808, 78.312, 94.046, 11.514, 230.434)
    IMAGENET1K_V2 = _v2("resnet152-f82ba261.pth", 60192808, 82.284, 96.002, 11.514, 230.474,
                        "https://github.com/pytorch/vision/issues/3995#new-recipe")
    DEFAULT = IMAGENET1K_V2


_BUILDER_DOC = """{title} from `Deep Residual Learning for Image Recognition <https://arxiv.org/abs/1512.03385>`__.

    Args:
        weights: a ``{enum}`` member, its name (``"DEFAULT"``, ``"IMAGENET1K_V1"``), a path to a
            local checkpoint file, or None (random initialisation, the default).
        progress: show a download progress bar on stderr.
        **kwargs: passed to ``ResNet`` (``num_classes``, ``zero_init_residual``, ``norm_layer`` ...).

    Example:
        >>> model = {name}(weights={enum}.DEFAULT).eval()
    """


@register_model()
@handle_legacy_interface("weights", "pretrained", ResNet18_Weights.IMAGENET1K_V1)
def resnet18(*, weights=None, progress=True, **kwargs):
    weights = ResNet18_Weights.verify(weights)
    return _resnet(BasicBlock, [2, 2, 2, 2], weights, progress, **kwargs)


@register_model()
@handle_legacy_interface("weights", "pretrained", ResNet34_Weights.IMAGENET1K_V1)
def resnet34(*, weights=None, progress=True, **kwargs):
    weights = ResNet34_Weights.verify(weights)
    return _resnet(BasicBlock, [3, 4, 6, 3], weights, progress, **kwargs)


@register_model()
@handle_legacy_interface("weights", "pretrained", ResNet50_Weights.IMAGENET1K_V1)
def resnet50(*, weights=None, progress=True, **kwargs):
    weights = ResNet50_Weights.verify(weights)
    return _resnet(Bottleneck, [3, 4, 6, 3], weights, progress, **kwargs)


@register_model()
@handle_legacy_interface("weights", "pretrained", ResNet101_Weights.IMAGENET1K_V1)
def resnet101(*, weights=None, progress=True, **kwargs):
    weights = ResNet101_Weights.verify(weights)
    return _resnet(Bottleneck, [3, 4, 23, 3], weights, progress, **kwargs)


@register_model()
@handle_legacy_interface("weights", "pretrained", ResNet152_Weights.IMAGENET1K_V1)
def resnet152(*, weights=None, progress=True, **kwargs):
    weights = ResNet152_Weights.verify(weights)
    return _resnet(Bottleneck, [3, 8, 36, 3], weights, progress, **kwargs)


for _fn, _title, _enum in ((resnet18, "ResNet-18", "ResNet18_Weights"), (resnet34, "ResNet-34", "ResNet34_Weights"),
                           (resnet50, "ResNet-50", "ResNet50_Weights"), (resnet101, "ResNet-101", "ResNet101_Weights"),
                           (resnet152, "ResNet-152", "ResNet152_Weights")):
    _fn.__doc__ = _BUILDER_DOC.format(title=_title, enum=_enum, name=_fn.__name__)
del _fn, _title, _enum
