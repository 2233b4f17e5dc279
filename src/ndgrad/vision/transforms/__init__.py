"""Image transforms with torchvision's names and semantics, for PIL images and tensors.

Pillow is optional: it is imported only when a PIL image is given (``ToTensor`` of a PIL image,
resizing one ...); tensor images need NumPy only.

Example:
    >>> from ndgrad.vision import transforms as T
    >>> train_tf = T.Compose([T.RandomResizedCrop(224), T.RandomHorizontalFlip(), T.ToTensor(),
    ...                       T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
"""
from .transforms import *  # noqa: F401,F403
from .functional import InterpolationMode  # noqa: F401
from . import functional  # noqa: F401
