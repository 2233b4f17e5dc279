"""ndgrad.amp (torch.amp): ``autocast`` and ``GradScaler``.

ndgrad computes in NumPy dtypes and has no bfloat16 kernels, so ``autocast`` is accepted (as a
context manager or decorator) but does not change any dtype; it says so once per use when enabled
with a lower-precision dtype. ``GradScaler`` implements loss scaling exactly as torch's CPU scaler:
``scale`` multiplies by the scale, ``unscale_`` divides gradients and looks for inf/nan, ``step``
skips the optimizer step when one was found, ``update`` backs off or grows the scale. Disabled, every
method is a no-op (``step`` just calls ``optimizer.step()``).
"""
import functools
import math
import warnings

import numpy as np

__all__ = ["autocast", "GradScaler", "custom_fwd", "custom_bwd", "is_autocast_available"]

_state = {"enabled": False, "dtype": None}


def is_autocast_available(device_type):
    return device_type == "cpu"


class autocast:  # noqa: N801  (torch's name)
    """``with ndgrad.autocast("cpu"):`` / ``@ndgrad.autocast("cpu")``: accepted, dtypes unchanged."""

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        from . import _dtype
        self.device = device_type
        self.fast_dtype = _dtype.bfloat16 if dtype is None else dtype
        self._enabled = bool(enabled)
        self._cache_enabled = True if cache_enabled is None else cache_enabled
        if self._enabled:
            if self.fast_dtype not in (_dtype.bfloat16, _dtype.float16, _dtype.float32):
                warnings.warn("In CPU autocast, but the target dtype is not supported. Disabling autocast.\n"
                              "CPU Autocast only supports dtypes of torch.bfloat16, torch.float16 currently.",
                              stacklevel=2)
                self._enabled = False
            elif self.fast_dtype != _dtype.float32:
                warnings.warn(f"ndgrad autocast: operations keep their dtypes (no {self.fast_dtype} kernels on "
                              "NumPy); the autocast region runs in full precision.", stacklevel=2)

    def __enter__(self):
        self._prev = dict(_state)
        _state["enabled"] = self._enabled
        _state["dtype"] = self.fast_dtype
        return self

    def __exit__(self, *exc):
        _state.update(self._prev)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self:
                return func(*args, **kwargs)
        return wrapper


def custom_fwd(fwd=None, *, device_type="cpu", cast_inputs=None):
    """Decorator for a custom Function's forward (autocast does nothing on ndgrad: returned as is)."""
    if fwd is None:
        return lambda f: f
    return fwd


def custom_bwd(bwd=None, *, device_type="cpu"):
    if bwd is None:
        return lambda f: f
    return bwd


_READY, _UNSCALED, _STEPPED = 0, 1, 2


class GradScaler:
    """Dynamic loss scaling (torch.amp.GradScaler).

    Example:
        >>> scaler = ndgrad.amp.GradScaler("cpu")
        >>> scaler.scale(loss).backward(); scaler.step(opt); scaler.update()
    """

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self._device = device
        self._enabled = enabled
        if device == "cuda" and enabled:
            warnings.warn("torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                          stacklevel=2)
            self._enabled = False
        if self._enabled:
            if not growth_factor > 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if not backoff_factor < 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
        self._init_scale = init_scale
        self._scale = None           # float32 scalar tensor, created lazily as torch
        self._growth_factor = growth_factor
        self._backoff_factor = backoff_factor
        self._growth_interval = growth_interval
        self._init_growth_tracker = 0
        self._growth_tracker = None
        self._per_optimizer_states = {}

    # -- scaling ----------------------------------------------------------------------------------
    def _lazy_init(self):
        from .ops.creation import full
        from . import _dtype
        self._scale = full((), self._init_scale, dtype=_dtype.float32)
        self._growth_tracker = self._init_growth_tracker

    def _state_for(self, optimizer):
        return self._per_optimizer_states.setdefault(id(optimizer), {"stage": _READY, "found_inf": None})

    def scale(self, outputs):
        """Multiply ``outputs`` (a tensor or nested lists/tuples of tensors) by the scale."""
        if not self._enabled:
            return outputs
        from ._tensor import Tensor
        if self._scale is None:
            self._lazy_init()
        if isinstance(outputs, Tensor):
            return outputs * self._scale
        if isinstance(outputs, (list, tuple)):
            scaled = [self.scale(o) for o in outputs]
            return type(outputs)(scaled) if isinstance(outputs, list) else tuple(scaled)
        raise ValueError("outputs must be a Tensor or an iterable of Tensors")

    def unscale_(self, optimizer):
        """Divide the optimizer's gradients by the scale in place and record whether any is inf/nan."""
        if not self._enabled:
            return
        st = self._state_for(optimizer)
        if st["stage"] == _UNSCALED:
            raise RuntimeError("unscale_() has already been called on this optimizer since the last update().")
        if st["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        if self._scale is None:
            raise AssertionError("Attempted unscale_ but _scale is None.  This may indicate your script did not "
                                 "use scaler.scale(loss or outputs) earlier in the iteration.")
        inv = np.float32(np.float64(1.0) / np.float64(self._scale._data))
        found = False
        for group in optimizer.param_groups:
            for p in group["params"]:
                g = p.grad
                if g is None:
                    continue
                d = g._data
                if not np.isfinite(d).all():
                    found = True
                np.multiply(d, inv, out=d, casting="unsafe")
                g._vc[0] += 1
        st["found_inf"] = found
        st["stage"] = _UNSCALED

    def step(self, optimizer, *args, **kwargs):
        """Unscale (unless done already) and run ``optimizer.step`` unless a gradient was inf/nan."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        st = self._state_for(optimizer)
        if st["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if st["stage"] == _READY:
            self.unscale_(optimizer)
        result = None
        if not st["found_inf"]:
            result = optimizer.step(*args, **kwargs)
        st["stage"] = _STEPPED
        return result

    def update(self, new_scale=None):
        """Back off the scale if any stepped optimizer saw inf/nan, else grow it every
        ``growth_interval`` clean steps; or set it to ``new_scale``."""
        if not self._enabled:
            return
        if self._scale is None:
            raise AssertionError("Attempted update but _scale is None.  This may indicate your script did not "
                                 "use scaler.scale(loss or outputs) earlier in the iteration.")
        from ._tensor import Tensor
        if new_scale is not None:
            value = float(new_scale.item()) if isinstance(new_scale, Tensor) else float(new_scale)
            self._scale._data[...] = np.float32(value)
        else:
            infs = [s["found_inf"] for s in self._per_optimizer_states.values() if s["found_inf"] is not None]
            if not infs:
                raise AssertionError("No inf checks were recorded prior to update.")
            scale = self._scale._data
            if any(infs):
                scale[...] = scale * np.float32(self._backoff_factor)
                self._growth_tracker = 0
            else:
                tracker = self._growth_tracker + 1
                if tracker == self._growth_interval:
                    grown = scale * np.float32(self._growth_factor)
                    if math.isfinite(float(grown)):
                        scale[...] = grown
                    tracker = 0
                self._growth_tracker = tracker
        self._per_optimizer_states = {}

    # -- accessors ----------------------------------------------------------------------------------
    def get_scale(self):
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale.item())

    def get_growth_factor(self):
        return self._growth_factor

    def set_growth_factor(self, new_factor):
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        return self._backoff_factor

    def set_backoff_factor(self, new_factor):
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        return self._growth_interval

    def set_growth_interval(self, new_interval):
        self._growth_interval = new_interval

    def _get_growth_tracker(self):
        if not self._enabled:
            return 0
        return self._init_growth_tracker if self._growth_tracker is None else self._growth_tracker

    def is_enabled(self):
        return self._enabled

    def state_dict(self):
        if not self._enabled:
            return {}
        return {"scale": self.get_scale(), "growth_factor": self._growth_factor,
                "backoff_factor": self._backoff_factor, "growth_interval": self._growth_interval,
                "_growth_tracker": self._get_growth_tracker()}

    def load_state_dict(self, state_dict):
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError("The source state dict is empty, possibly because it was saved from a disabled "
                               "instance of GradScaler.")
        self._init_scale = state_dict["scale"]
        if self._scale is not None:
            self._scale._data[...] = np.float32(state_dict["scale"])
        self._growth_factor = state_dict["growth_factor"]
        self._backoff_factor = state_dict["backoff_factor"]
        self._growth_interval = state_dict["growth_interval"]
        self._init_growth_tracker = state_dict["_growth_tracker"]
        if self._growth_tracker is not None:
            self._growth_tracker = state_dict["_growth_tracker"]
