"""ndgrad.utils: helpers in torch.utils' places (``ndgrad.utils.data`` ...).

Submodules load on first access, so modules added here later need no edit of this file.
"""
import importlib as _importlib


def __getattr__(name):
    if name.startswith("_"):
        raise AttributeError(f"module 'ndgrad.utils' has no attribute '{name}'")
    try:
        return _importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"module 'ndgrad.utils' has no attribute '{name}'") from None
