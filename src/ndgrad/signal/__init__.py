"""``ndgrad.signal``: torch.signal's namespace (``windows``)."""
from . import windows  # noqa: F401

__all__ = ["windows"]
