"""ndgrad.nn: modules, parameters, functional ops and initialisation (torch.nn's API)."""
from .parameter import Parameter, Buffer, UninitializedParameter, UninitializedBuffer  # noqa: F401
from .modules import *  # noqa: F401,F403
from . import functional, init, utils, parallel  # noqa: F401
from .parallel import DataParallel  # noqa: F401
