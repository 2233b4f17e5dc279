"""Grad mode: whether operations record the autograd graph.

The flag lives in one small object read by every op on its hot path (``_mode.enabled``), so it is a
slot attribute, not a thread-local: ndgrad runs user code on one thread (DataLoader worker threads
never build graphs).
"""
import functools

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]


class _Mode:
    __slots__ = ("enabled", "inference", "anomaly", "anomaly_check_nan", "tracer", "slow", "record_stack")

    def __init__(self):
        self.enabled = True
        self.inference = False
        self.anomaly = False
        self.anomaly_check_nan = True
        self.tracer = None          # an autograd.trace recorder while one is active
        self.slow = False           # anomaly or tracing: the engine takes its instrumented path
        self.record_stack = False   # nodes remember the forward stack that created them

    def refresh(self):
        """Recompute the derived flags after anomaly/tracer changed."""
        self.slow = self.anomaly or self.tracer is not None
        self.record_stack = self.slow


_mode = _Mode()


def is_grad_enabled():
    """True when operations on tensors that require grad record the graph."""
    return _mode.enabled


def is_inference_mode_enabled():
    return _mode.inference


class _DecoratorContextManager:
    """Base for grad-mode switches usable as ``with no_grad():`` and as ``@no_grad()``."""

    def __call__(self, func):
        if isinstance(func, type):
            raise TypeError(f"{type(self).__name__} cannot decorate a class; decorate its methods")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_DecoratorContextManager):
    """Context manager / decorator that disables graph recording (``with ndgrad.no_grad(): ...``)."""

    def __init__(self, orig_func=None):
        self._prev = None
        if orig_func is not None:  # used bare as @no_grad
            self._wrapped = self(orig_func)

    def __new__(cls, orig_func=None):
        if orig_func is not None and callable(orig_func):
            return _DecoratorContextManager.__call__(super().__new__(cls), orig_func)
        return super().__new__(cls)

    def __enter__(self):
        self._prev = _mode.enabled
        _mode.enabled = False

    def __exit__(self, *exc):
        _mode.enabled = self._prev
        return False


class enable_grad(no_grad):
    """Re-enable graph recording inside a ``no_grad`` region."""

    def __enter__(self):
        self._prev = _mode.enabled
        _mode.enabled = True


class set_grad_enabled(_DecoratorContextManager):
    """``set_grad_enabled(False)`` switches recording off immediately, and restores it on exit when
    used as a context manager."""

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'mode' must be bool, not {type(mode).__name__}")
        self._prev = _mode.enabled
        self.mode = mode
        _mode.enabled = mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _mode.enabled = self._prev
        return False

    def clone(self):
        return set_grad_enabled(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad`` (ndgrad has no separate inference tensors); ``inference_mode(False)`` is a
    no-op region, as in torch."""

    def __new__(cls, mode=True):
        if callable(mode) and not isinstance(mode, bool):
            return _DecoratorContextManager.__call__(super().__new__(cls), mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        self.mode = mode if isinstance(mode, bool) else True
        self._prev = None

    def __enter__(self):
        self._prev = (_mode.enabled, _mode.inference)
        if self.mode:
            _mode.enabled = False
            _mode.inference = True

    def __exit__(self, *exc):
        _mode.enabled, _mode.inference = self._prev
        return False

    def clone(self):
        return inference_mode(self.mode)
