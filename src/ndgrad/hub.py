"""ndgrad.hub: torch.hub's checkpoint download helpers (``load_state_dict_from_url`` ...), which
live with the vision weights in ``ndgrad.vision.hub``."""
from .vision.hub import *  # noqa: F401,F403
from .vision.hub import __all__  # noqa: F401
