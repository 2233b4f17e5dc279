"""ndgrad.vision: torchvision's role for ndgrad (``models``, ``transforms``, ``datasets``, ``hub``).

Subpackages load on first use, so ``import ndgrad.vision`` is cheap and Pillow stays optional
(only the PIL paths of ``transforms`` and the image datasets import it).

Example:
    >>> import ndgrad as torch
    >>> model = torch.vision.models.resnet18(weights="DEFAULT")
"""
import importlib as _importlib

__all__ = ["models", "transforms", "datasets", "hub", "ops"]


def __getattr__(name):
    if name in __all__:
        return _importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'ndgrad.vision' has no attribute '{name}'")


def __dir__():
    return sorted(list(globals()) + __all__)
