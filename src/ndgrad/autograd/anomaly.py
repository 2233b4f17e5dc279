"""Anomaly detection: find the backward node that produced NaN, and the forward line behind it.

While enabled, every node records the stack of the forward call that created it (a cost paid only
in this debugging mode), and the engine checks each node's gradients for NaN.
"""
import warnings

import numpy as np

from . import grad_mode as _gm

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled"]


def is_anomaly_enabled():
    return _gm._mode.anomaly


def is_anomaly_check_nan_enabled():
    return _gm._mode.anomaly_check_nan


def _forward_site(node):
    trace = node._trace
    if not trace:
        return ("(the forward stack was not recorded: the graph was built before anomaly detection "
                "was enabled)")
    import os
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frames = trace.rstrip().split("\n  File ")
    user = [f for f in frames if pkg not in f.split("\n", 1)[0]]
    return "  File " + "\n  File ".join(f.lstrip().removeprefix("File ") for f in user[-6:])


def check_node_output(node, grads):
    """Raise if ``node`` returned NaN gradients (called by the engine in anomaly mode)."""
    if not (_gm._mode.anomaly and _gm._mode.anomaly_check_nan):
        return
    for i, g in enumerate(grads):
        if g is not None and g._data.dtype.kind in "fc" and np.isnan(g._data).any():
            raise RuntimeError(
                f"Function '{node.name()}' returned nan values in its {i}th output.\n"
                f"Error detected in {node.name()}. Traceback of forward call that caused the error:\n"
                f"{_forward_site(node)}")


class detect_anomaly:
    """Context manager that enables anomaly detection (``with autograd.detect_anomaly(): ...``)."""

    def __init__(self, check_nan=True):
        self.check_nan = check_nan
        self._prev = None
        warnings.warn("Anomaly Detection has been enabled. This mode will increase the runtime and should "
                      "only be enabled for debugging.", stacklevel=2)

    def __enter__(self):
        self._prev = (_gm._mode.anomaly, _gm._mode.anomaly_check_nan)
        _gm._mode.anomaly = True
        _gm._mode.anomaly_check_nan = self.check_nan
        _gm._mode.refresh()

    def __exit__(self, *exc):
        _gm._mode.anomaly, _gm._mode.anomaly_check_nan = self._prev
        _gm._mode.refresh()
        return False

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with detect_anomaly(self.check_nan):
                return fn(*args, **kwargs)
        return wrapper


class set_detect_anomaly:
    """Turn anomaly detection on or off (immediately; restored on exit when used with ``with``)."""

    def __init__(self, mode, check_nan=True):
        self._prev = (_gm._mode.anomaly, _gm._mode.anomaly_check_nan)
        _gm._mode.anomaly = bool(mode)
        _gm._mode.anomaly_check_nan = check_nan
        _gm._mode.refresh()

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _gm._mode.anomaly, _gm._mode.anomaly_check_nan = self._prev
        _gm._mode.refresh()
        return False
