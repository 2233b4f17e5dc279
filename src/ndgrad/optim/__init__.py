"""ndgrad.optim: optimizers and learning-rate schedulers (torch.optim's API).

Example:
    >>> opt = ndgrad.optim.Adam(model.parameters(), lr=1e-3)
    >>> sched = ndgrad.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)
    >>> for epoch in range(30):
    ...     for x, y in loader:
    ...         opt.zero_grad(); loss_fn(model(x), y).backward(); opt.step()
    ...     sched.step()
"""
from .optimizer import Optimizer  # noqa: F401
from .sgd import SGD  # noqa: F401
from .adam import Adam  # noqa: F401
from .adamw import AdamW  # noqa: F401
from .rmsprop import RMSprop  # noqa: F401
from .adagrad import Adagrad  # noqa: F401
from .adamax import Adamax  # noqa: F401
from .nadam import NAdam  # noqa: F401
from .radam import RAdam  # noqa: F401
from .adadelta import Adadelta  # noqa: F401
from .rprop import Rprop  # noqa: F401
from .asgd import ASGD  # noqa: F401
from .lbfgs import LBFGS  # noqa: F401
from .adafactor import Adafactor  # noqa: F401
from .muon import Muon  # noqa: F401
from . import lr_scheduler  # noqa: F401
from . import swa_utils  # noqa: F401

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adamax", "NAdam", "RAdam", "Adadelta",
           "Rprop", "ASGD", "LBFGS", "Adafactor", "Muon", "lr_scheduler", "swa_utils"]
