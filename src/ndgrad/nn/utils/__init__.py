"""ndgrad.nn.utils: gradient clipping, parameter/vector conversion, weight norm (torch.nn.utils), and
ndgrad's own model inspection: summary, freeze, unfreeze."""
import importlib as _importlib

from .clip_grad import clip_grad_norm, clip_grad_norm_, clip_grad_value_, get_total_norm, clip_grads_with_norm_  # noqa: F401
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
from .weight_norm import weight_norm, remove_weight_norm, skip_init  # noqa: F401
from .inspect import summary, freeze, unfreeze  # noqa: F401
from .spectral_norm import spectral_norm, remove_spectral_norm  # noqa: F401
from . import clip_grad, convert_parameters  # noqa: F401


def __getattr__(name):
    # submodules other topics add (``nn.utils.rnn`` ...) load on first use
    try:
        return _importlib.import_module(f".{name}", __name__)
    except ModuleNotFoundError:
        raise AttributeError(f"module 'ndgrad.nn.utils' has no attribute '{name}'") from None
