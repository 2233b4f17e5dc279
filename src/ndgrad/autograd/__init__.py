"""ndgrad.autograd: reverse-mode automatic differentiation (torch.autograd's API)."""
from . import grad_mode
from .grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled
from .node import Node
from .api import backward, grad

__all__ = ["backward", "grad", "no_grad", "enable_grad", "set_grad_enabled", "inference_mode",
           "is_grad_enabled", "Node", "Function", "gradcheck", "gradgradcheck", "detect_anomaly",
           "set_detect_anomaly", "functional", "graph"]


def __getattr__(name):
    # Heavier pieces load on first use, keeping ``import ndgrad`` fast.
    if name in ("Function", "once_differentiable", "FunctionCtx"):
        from . import function
        return getattr(function, name)
    if name in ("gradcheck", "gradgradcheck"):
        from . import gradcheck as _gc
        return getattr(_gc, name)
    if name in ("detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled"):
        from . import anomaly
        return getattr(anomaly, name)
    if name == "functional":
        import importlib
        return importlib.import_module(".functional", __name__)
    raise AttributeError(f"module 'ndgrad.autograd' has no attribute '{name}'")
