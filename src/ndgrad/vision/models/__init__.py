"""Image classification models with torchvision's names, state_dict keys and pretrained weights.

    >>> from ndgrad.vision import models
    >>> models.list_models()
    ['mobilenet_v2', 'resnet101', 'resnet152', 'resnet18', 'resnet34', 'resnet50', 'vgg11', 'vgg11_bn', 'vgg16',
     'vgg16_bn']
    >>> model = models.get_model("resnet18", weights="DEFAULT")
"""
from ._api import (Weights, WeightsEnum, get_model, get_model_builder, get_model_weights,  # noqa: F401
                   get_weight, list_models)
from .resnet import *  # noqa: F401,F403
from .vgg import *  # noqa: F401,F403
from .mobilenetv2 import *  # noqa: F401,F403
from . import resnet, vgg, mobilenetv2  # noqa: F401
