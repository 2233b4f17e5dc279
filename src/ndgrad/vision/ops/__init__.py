"""Building blocks shared by the vision models (torchvision.ops): ``Conv2dNormActivation``."""
from .misc import Conv2dNormActivation, ConvNormActivation  # noqa: F401

__all__ = ["Conv2dNormActivation"]
