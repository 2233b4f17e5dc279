"""VGG-11/16 with and without BatchNorm ("Very Deep Convolutional Networks", Simonyan & Zisserman 2014).

``features`` (convolutions, numbered as torchvision numbers them: ``features.0`` is the first
conv, ``features.1`` its BatchNorm or ReLU ...), ``avgpool`` (adaptive, 7x7) and ``classifier``
(``Linear`` at indices 0, 3 and 6), so torchvision's checkpoints load with ``strict=True``.

Example:
    >>> model = vgg16(weights="DEFAULT")
    >>> model.classifier[6] = nn.Linear(4096, 10)   # a new head for transfer learning
"""
from functools import partial

from ... import nn
from ..transforms._presets import ImageClassification
from ._api import Weights, WeightsEnum, _load_weights, _ovewrite_named_param, handle_legacy_interface, register_model
from ._meta import _IMAGENET_CATEGORIES

__all__ = ["VGG", "VGG11_Weights", "VGG11_BN_Weights", "VGG16_Weights", "VGG16_BN_Weights", "vgg11", "vgg11_bn",
           "vgg16", "vgg16_bn", "make_layers", "cfgs"]


class VGG(nn.Module):
    """``features`` -> ``AdaptiveAvgPool2d((7, 7))`` -> flatten -> ``classifier`` (3 Linear layers).

    Args:
        features: the convolutional part (``make_layers(cfgs["A"])`` for VGG-11).
        num_classes: outputs of the last Linear (default 1000).
        init_weights: torchvision's initialisation (Kaiming-normal fan_out convs, N(0, 0.01) Linear).
        dropout: dropout probability in the classifier (default 0.5).
    """

    def __init__(self, features, num_classes=1000, init_weights=True, dropout=0.5):
        super().__init__()
        self.features = features
        self.avgpool = nn.AdaptiveAvgPool2d((7, 7))
        self.classifier = nn.Sequential(
            nn.Linear(512 * 7 * 7, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, 4096),
            nn.ReLU(True),
            nn.Dropout(p=dropout),
            nn.Linear(4096, num_classes),
        )
        if init_weights:
            for m in self.modules():
                if isinstance(m, nn.Conv2d):
                    nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                    if m.bias is not None:
                        nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.BatchNorm2d):
                    nn.init.constant_(m.weight, 1)
                    nn.init.constant_(m.bias, 0)
                elif isinstance(m, nn.Linear):
                    nn.init.normal_(m.weight, 0, 0.01)
                    nn.init.constant_(m.bias, 0)

    def forward(self, x):
        x = self.features(x)
        x = self.avgpool(x)
        x = x.flatten(1)
        return self.classifier(x)


def make_layers(cfg, batch_norm=False):
    """The ``features`` Sequential: an int is a 3x3 conv (+BN) + ReLU with that many channels, "M" a 2x2 max pool."""
    layers = []
    in_channels = 3
    for v in cfg:
        if v == "M":
            layers += [nn.MaxPool2d(kernel_size=2, stride=2)]
        else:
            conv2d = nn.Conv2d(in_channels, v, kernel_size=3, padding=1)
            if batch_norm:
                layers += [conv2d, nn.BatchNorm2d(v), nn.ReLU(inplace=True)]
            else:
                layers += [conv2d, nn.ReLU(inplace=True)]
            in_channels = v
    return nn.Sequential(*layers)


cfgs = {
    "A": [64, "M", 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "B": [64, 64, "M", 128, 128, "M", 256, 256, "M", 512, 512, "M", 512, 512, "M"],
    "D": [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"],
    "E": [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M", 512, 512, 512, 512, "M", 512, 512, 512, 512, "M"],
}


def _vgg(cfg, batch_norm, weights, progress, **kwargs):
    if weights is not None:
        kwargs["init_weights"] = False
        if isinstance(weights, WeightsEnum) and weights.meta["categories"] is not None:
            _ovewrite_named_param(kwargs, "num_classes", len(weights.meta["categories"]))
    model = VGG(make_layers(cfgs[cfg], batch_norm=batch_norm), **kwargs)
    if weights is not None:
        _load_weights(model, weights, progress)
    return model


_COMMON_META = {
    "min_size": (32, 32),
    "categories": _IMAGENET_CATEGORIES,
    "recipe": "https://github.com/pytorch/vision/tree/main/references/classification#alexnet-and-vgg",
    "_docs": "These weights were trained from scratch by using a simplified training recipe.",
}


def _weights(file, num_params, acc1, acc5, ops, file_size):
    return Weights(
        url=f"https://download.pytorch.org/models/{file}",
        transforms=partial(ImageClassification, crop_size=224),
        meta={**_COMMON_META, "num_params": num_params,
              "_metrics": {"ImageNet-1K": {"acc@1": acc1, "acc@5": acc5}}, "_ops": ops, "_file_size": file_size},
    )


class VGG11_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg11-8a719046.pth", 132863336, 69.020, 88.628, 7.609, 506.84)
    DEFAULT = IMAGENET1K_V1


class VGG11_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg11_bn-6002323d.pth", 132868840, 70.370, 89.810, 7.609, 506.881)
    DEFAULT = IMAGENET1K_V1


class VGG16_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg16-397923af.pth", 138357544, 71.592, 90.382, 15.47, 527.796)
    # Weights ported from https://github.com/amdegroot/ssd.pytorch/: only ``features`` holds
    # trained values (the classifier is NaN), for feature extraction; inputs are 0..255 images
    # minus the mean, hence std 1/255 in the preset.
    IMAGENET1K_FEATURES = Weights(
        url="https://download.pytorch.org/models/vgg16_features-amdegroot-88682ab5.pth",
        transforms=partial(ImageClassification, crop_size=224, mean=(0.48235, 0.45882, 0.40784),
                           std=(1.0 / 255.0, 1.0 / 255.0, 1.0 / 255.0)),
        meta={**_COMMON_META, "num_params": 138357544, "categories": None,
              "recipe": "https://github.com/amdegroot/ssd.pytorch#training-ssd",
              "_metrics": {"ImageNet-1K": {"acc@1": float("nan"), "acc@5": float("nan")}},
              "_ops": 15.47, "_file_size": 527.802,
              "_docs": ("These weights can't be used for classification because they are missing values in the "
                        "`classifier` module. Only the `features` module has valid values and can be used for "
                        "feature extraction. The weights were trained using the original input standardization "
                        "method as described in the paper.")},
    )
    DEFAULT = IMAGENET1K_V1


class VGG16_BN_Weights(WeightsEnum):
    IMAGENET1K_V1 = _weights("vgg16_bn-6c64b313.pth", 138365992, 73.360, 91.516, 15.47, 527.866)
    DEFAULT = IMAGENET1K_V1


@register_model()
@handle_legacy_interface("weights", "pretrained", VGG11_Weights.IMAGENET1K_V1)
def vgg11(*, weights=None, progress=True, **kwargs):
    """VGG-11 (configuration "A") from `Very Deep Convolutional Networks <https://arxiv.org/abs/1409.1556>`__.

    Args:
        weights: a ``VGG11_Weights`` member or its name, a local checkpoint path, or None.
        progress: show a download progress bar on stderr.
        **kwargs: passed to ``VGG`` (``num_classes``, ``dropout``, ``init_weights``).
    """
    weights = VGG11_Weights.verify(weights)
    return _vgg("A", False, weights, progress, **kwargs)


@register_model()
@handle_legacy_interface("weights", "pretrained", VGG11_BN_Weights.IMAGENET1K_V1)
def vgg11_bn(*, weights=None, progress=True, **kwargs):
    """VGG-11 with BatchNorm after every convolution; arguments as ``vgg11`` (``VGG11_BN_Weights``)."""
    weights = VGG11_BN_Weights.verify(weights)
    return _vgg("A", True, weights, progress, **kwargs)


@register_model()
@handle_legacy_interface("weights", "pretrained", VGG16_Weights.IMAGENET1K_V1)
def vgg16(*, weights=None, progress=True, **kwargs):
    """VGG-16 (configuration "D"); arguments as ``vgg11`` (``VGG16_Weights``, incl. ``IMAGENET1K_FEATURES``)."""
    weights = VGG16_Weights.verify(weights)
    return _vgg("D", False, weights, progress, **kwargs)


@register_model()
@handle_legacy_interface("weights", "pretrained", VGG16_BN_Weights.IMAGENET1K_V1)
def vgg16_bn(*, weights=None, progress=True, **kwargs):
    """VGG-16 with BatchNorm after every convolution; arguments as ``vgg11`` (``VGG16_BN_Weights``)."""
    weights = VGG16_BN_Weights.verify(weights)
    return _vgg("D", True, weights, progress, **kwargs)
