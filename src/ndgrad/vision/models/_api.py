"""Pretrained-weight descriptions and the model registry (torchvision.models._api).

A model builder (``resnet18``) takes ``weights=``: a member of its ``WeightsEnum``
(``ResNet18_Weights.IMAGENET1K_V1``, or the alias ``.DEFAULT``), the member's name as a string
(``"IMAGENET1K_V1"``, ``"DEFAULT"``, ``"ResNet18_Weights.IMAGENET1K_V1"``), a path to a local
checkpoint file (an ndgrad extension), or None for random initialisation.

Each member carries the checkpoint URL, the preprocessing preset (``weights.transforms()``) and
``meta`` (number of parameters, category names, accuracy): the same facts torchvision publishes,
so the same files load into the same architectures.

Example:
    >>> from ndgrad.vision.models import resnet18, ResNet18_Weights
    >>> weights = ResNet18_Weights.DEFAULT
    >>> model = resnet18(weights=weights).eval()
    >>> preprocess = weights.transforms()
    >>> weights.meta["categories"][model(preprocess(img).unsqueeze(0)).argmax()]
"""
import fnmatch
import functools
import os
import sys
import warnings
from dataclasses import dataclass
from enum import Enum
from functools import partial
from typing import Any, Callable, Dict

__all__ = ["WeightsEnum", "Weights", "get_model", "get_model_builder", "get_model_weights", "get_weight",
           "list_models", "register_model"]


@dataclass
class Weights:
    """The facts about one set of pretrained weights.

    Args:
        url: where the checkpoint is published; its file name ends in ``-<sha256 prefix>.pth``.
        transforms: a callable (usually a ``functools.partial`` of a preset class) that builds the
            preprocessing the weights were evaluated with; call it: ``weights.transforms()``.
        meta: ``num_params``, ``categories``, ``min_size``, ``recipe``, ``_metrics`` and more.
    """

    url: str
    transforms: Callable
    meta: Dict[str, Any]

    def __eq__(self, other):
        # A custom equality (as torchvision's) so that copies of a member compare equal although
        # ``partial`` objects compare by identity.
        if not isinstance(other, Weights):
            return NotImplemented
        if self.url != other.url or self.meta != other.meta:
            return False
        if isinstance(self.transforms, partial) and isinstance(other.transforms, partial):
            return (self.transforms.func == other.transforms.func and self.transforms.args == other.transforms.args
                    and self.transforms.keywords == other.transforms.keywords)
        return self.transforms == other.transforms


class WeightsEnum(Enum):
    """The parent class of every model's weight enum (``ResNet18_Weights`` ...).

    Members are ``Weights`` values; ``DEFAULT`` is an alias of the recommended member.
    """

    @classmethod
    def verify(cls, obj):
        """Return the member that ``obj`` names (a member, its name, ``"Cls.NAME"``) or None.

        A string that names no member but is a path to an existing file is returned unchanged:
        the builders load such a file as a local checkpoint.
        """
        if obj is None:
            return None
        if isinstance(obj, (str, os.PathLike)) and not isinstance(obj, cls):
            if isinstance(obj, str):
                name = obj.replace(cls.__name__ + ".", "")
                if name in cls.__members__:
                    return cls[name]
            if _is_local_checkpoint(obj):
                return os.fspath(obj)
            if isinstance(obj, str):
                raise KeyError(f"{obj!r} is neither a member of {cls.__name__} (one of "
                               f"{', '.join(cls.__members__)}) nor an existing checkpoint file")
            raise FileNotFoundError(f"no checkpoint file at {os.fspath(obj)!r}")
        if not isinstance(obj, cls):
            raise TypeError(f"Invalid Weight class provided; expected {cls.__name__} but received "
                            f"{obj.__class__.__name__}.")
        return obj

    def get_state_dict(self, *args, **kwargs):
        """Load the checkpoint: from the caches if present, else downloaded (``hub.load_state_dict_from_url``)."""
        from ..hub import load_state_dict_from_url
        return load_state_dict_from_url(self.url, *args, **kwargs)

    def __repr__(self):
        return f"{self.__class__.__name__}.{self._name_}"

    @property
    def url(self):
        return self.value.url

    @property
    def transforms(self):
        return self.value.transforms

    @property
    def meta(self):
        return self.value.meta


def _is_local_checkpoint(obj):
    return isinstance(obj, (str, os.PathLike)) and os.path.isfile(os.fspath(obj))


def _load_weights(model, weights, progress):
    """Load ``weights`` (a WeightsEnum member or a local path) into ``model`` with strict keys."""
    if isinstance(weights, WeightsEnum):
        state_dict = weights.get_state_dict(progress=progress, check_hash=True)
    else:
        from ..hub import load_local_state_dict
        state_dict = load_local_state_dict(weights)
    model.load_state_dict(state_dict)
    return model


def _ovewrite_named_param(kwargs, param, new_value):
    # (torchvision's spelling of the name, kept so code written against it reads the same)
    if param in kwargs:
        if kwargs[param] != new_value:
            raise ValueError(f"The parameter '{param}' expected value {new_value} but got {kwargs[param]} instead.")
    else:
        kwargs[param] = new_value


def _num_classes_from(weights, kwargs):
    """Set ``num_classes`` from the weights' categories (a mismatch is a ValueError, as torchvision)."""
    if isinstance(weights, WeightsEnum) and weights.meta.get("categories") is not None:
        _ovewrite_named_param(kwargs, "num_classes", len(weights.meta["categories"]))


def handle_legacy_interface(weights_param, pretrained_param, default):
    """Accept the pre-0.13 ``pretrained=True/False`` argument with torchvision's warnings.

    ``default`` is the member ``pretrained=True`` means (torchvision keeps ``IMAGENET1K_V1`` for
    backward compatibility, not ``DEFAULT``).
    """
    def outer(builder):
        @functools.wraps(builder)
        def inner(*args, **kwargs):
            if args:
                # torchvision's builders are keyword-only; positional use is deprecated there and
                # maps to (weights, progress) in order.
                names = ("weights", "progress")[:len(args)]
                if len(args) > 2:
                    raise TypeError(f"{builder.__name__}() takes at most 2 positional arguments "
                                    f"but {len(args)} were given")
                quoted = " and ".join(f"'{n}'" for n in names)
                warnings.warn(f"Using {quoted} as positional parameter(s) is deprecated since 0.13 and may be "
                              "removed in the future. Please use keyword parameter(s) instead.")
                for k, v in zip(names, args):
                    if k in kwargs:
                        raise TypeError(f"{builder.__name__}() got multiple values for argument '{k}'")
                    kwargs[k] = v
            sentinel = object()
            weights_arg = kwargs.get(weights_param, sentinel)
            if ((weights_param not in kwargs and pretrained_param not in kwargs)
                    or isinstance(weights_arg, (WeightsEnum, str, os.PathLike)) or weights_arg is None):
                if pretrained_param in kwargs:
                    raise ValueError(f"pass either '{weights_param}' or '{pretrained_param}', not both")
                return builder(**kwargs)
            # A bool given as ``weights`` (positionally, as in pre-0.13 code) is the old ``pretrained``.
            pretrained_positional = weights_arg is not sentinel
            if pretrained_positional:
                pretrained_arg = kwargs.pop(weights_param)
                kwargs.pop(pretrained_param, None)
            else:
                pretrained_arg = kwargs.pop(pretrained_param)
            default_weights_arg = default if pretrained_arg else None
            if not pretrained_positional:
                warnings.warn(f"The parameter '{pretrained_param}' is deprecated since 0.13 and may be removed in "
                              f"the future, please use '{weights_param}' instead.")
            msg = (f"Arguments other than a weight enum or `None` for '{weights_param}' are deprecated since 0.13 and "
                   f"may be removed in the future. "
                   f"The current behavior is equivalent to passing `{weights_param}={default_weights_arg}`.")
            if pretrained_arg:
                msg = (f"{msg} You can also use `{weights_param}={type(default_weights_arg).__name__}.DEFAULT` "
                       f"to get the most up-to-date weights.")
            warnings.warn(msg)
            kwargs[weights_param] = default_weights_arg
            return builder(**kwargs)
        inner._weights_enum = type(default)
        return inner
    return outer


BUILTIN_MODELS = {}


def register_model(name=None):
    """Decorator that records a builder under ``name`` (default: its function name)."""
    def wrapper(fn):
        key = name if name is not None else fn.__name__
        if key in BUILTIN_MODELS:
            raise ValueError(f"An entry is already registered under the name '{key}'.")
        BUILTIN_MODELS[key] = fn
        return fn
    return wrapper


def list_models(module=None, include=None, exclude=None):
    """Sorted names of the registered models, optionally from one module and filtered by patterns.

    Args:
        module: a module (``ndgrad.vision.models``) whose builders to list; None lists all.
        include: Unix shell-style pattern(s) a name must match (``"resnet*"``).
        exclude: pattern(s) that remove names.

    Example:
        >>> list_models(include="vgg*")
        ['vgg11', 'vgg11_bn', 'vgg16', 'vgg16_bn']
    """
    all_models = {k for k, v in BUILTIN_MODELS.items()
                  if module is None or v.__module__.rsplit(".", 1)[0] == module.__name__
                  or v.__module__ == module.__name__}
    if include:
        models = set()
        for pattern in [include] if isinstance(include, str) else include:
            models |= set(fnmatch.filter(all_models, pattern))
    else:
        models = all_models
    if exclude:
        for pattern in [exclude] if isinstance(exclude, str) else exclude:
            models -= set(fnmatch.filter(all_models, pattern))
    return sorted(models)


def get_model_builder(name):
    """The builder function registered under ``name`` (case-insensitive)."""
    name = name.lower()
    try:
        return BUILTIN_MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name}") from None


def get_model(name, **config):
    """Build the model registered under ``name``: ``get_model("resnet18", weights="DEFAULT")``."""
    return get_model_builder(name)(**config)


def get_model_weights(name):
    """The weights enum class of a model builder (or of its registered name)."""
    model = get_model_builder(name) if isinstance(name, str) else name
    weights_enum = getattr(model, "_weights_enum", None)
    if weights_enum is None:
        raise ValueError(f"The model {getattr(model, '__name__', model)} doesn't have a weights enum.")
    return weights_enum


def get_weight(name):
    """The weights member named ``"ResNet50_Weights.IMAGENET1K_V2"``."""
    try:
        enum_name, value_name = name.split(".")
    except ValueError:
        raise ValueError(f"Invalid weight name provided: '{name}'.") from None
    models = sys.modules[__name__.rsplit(".", 1)[0]]
    weights_enum = getattr(models, enum_name, None)
    if not (isinstance(weights_enum, type) and issubclass(weights_enum, WeightsEnum)):
        raise ValueError(f"The weight enum '{enum_name}' for the specific method couldn't be retrieved.")
    return weights_enum[value_name]
