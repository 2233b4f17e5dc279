"""Small helpers shared by the model definitions (torchvision.models._utils)."""
from ._api import _ovewrite_named_param, handle_legacy_interface  # noqa: F401  (torchvision's home for them)

__all__ = ["_make_divisible"]


def _make_divisible(v, divisor, min_value=None):
    """Round a channel count ``v`` to the nearest multiple of ``divisor`` (at least ``min_value``).

    Never rounds down by more than 10%: MobileNet's width multiplier relies on this
    (from the original TensorFlow implementation, as in torchvision).

    Example:
        >>> _make_divisible(32 * 0.75, 8)
        24
    """
    if min_value is None:
        min_value = divisor
    new_v = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if new_v < 0.9 * v:
        new_v += divisor
    return new_v


def _norm_types():
    """The normalisation classes the models initialise to weight 1, bias 0 (BatchNorm2d, GroupNorm)."""
    from ... import nn
    return tuple(c for c in (getattr(nn, "BatchNorm2d", None), getattr(nn, "GroupNorm", None)) if c is not None)
