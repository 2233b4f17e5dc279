"""ndgrad.autograd: reverse-mode automatic differentiation (torch.autograd's API)."""
from . import grad_mode
from .grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled
from .node import Node
from .api import backward, grad

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "Node", "Function", "gradcheck", "gradgradcheck", "detect_anomaly",
           "set_detect_anomaly", "functional", "trace", "saved_memory"]


_LAZY = {"Function": ".function", "once_differentiable": ".function", "FunctionCtx": ".function",
         "gradcheck": "._gradcheck", "gradgradcheck": "._gradcheck", "GradcheckError": "._gradcheck",
         "detect_anomaly": ".anomaly", "set_detect_anomaly": ".anomaly", "is_anomaly_enabled": ".anomaly",
         "is_anomaly_check_nan_enabled": ".anomaly", "trace": ".backward_trace", "saved_memory": ".inspect_graph"}


def __getattr__(name):
    # Heavier pieces load on first use, keeping ``import ndgrad`` fast.
    import importlib
    home = _LAZY.get(name)
    if home is not None:
        return getattr(importlib.import_module(home, __name__), name)
    if name in ("functional", "graph", "forward_ad"):
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'ndgrad.autograd' has no attribute '{name}'")
