"""ndgrad.nn.functional: the functional forms of every layer, loss and utility."""
from .activation import *  # noqa: F401,F403
from .linear import *  # noqa: F401,F403
from .dropout import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .margin_loss import *  # noqa: F401,F403
from .conv import *  # noqa: F401,F403
from .pooling import *  # noqa: F401,F403
from .volumetric import *  # noqa: F401,F403
from .normalization import *  # noqa: F401,F403
from .vision import *  # noqa: F401,F403
from .attention import *  # noqa: F401,F403
from .misc import *  # noqa: F401,F403
