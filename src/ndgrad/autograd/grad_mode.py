"""Grad mode: whether operations record the autograd graph.

The flag lives in one small object read by every op on its hot path (``_mode.enabled``), so it is a
slot attribute, not a thread-local: ndgrad runs user code on one thread (DataLoader worker threads
never build graphs).
"""
import functools
import inspect
import sys
import warnings

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
           "is_inference_mode_enabled"]


class _Mode:
    __slots__ = ("enabled", "inference", "inference_grad", "anomaly", "anomaly_check_nan", "tracer", "slow", "record_stack")

    def __init__(self):
        self.enabled = True
        self.inference = False
        self.inference_grad = False  # what is_grad_enabled() reports inside inference mode (never records)
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
    """True when grad mode is on (outside inference mode: operations on tensors that require grad
    record the graph)."""
    return _mode.inference_grad if _mode.inference else _mode.enabled


def _set_grad(flag):
    """Switch grad mode; inside inference mode the switch is only reported, never records (torch)."""
    if _mode.inference:
        _mode.inference_grad = flag
    else:
        _mode.enabled = flag


def is_inference_mode_enabled():
    return _mode.inference


class _DecoratorContextManager:
    """Base for grad-mode switches usable as ``with no_grad():``, ``@no_grad()`` and ``@no_grad``.

    A decorated function runs inside a fresh copy of the context on every call; a decorated
    generator function switches the mode only while its body runs (not while the caller consumes
    the values), as in torch.
    """

    def __call__(self, func):
        if isinstance(func, type):
            warnings.warn("Decorating classes is deprecated and will be disabled in future versions. You should "
                          "only decorate functions or methods. To preserve the current behavior of class "
                          "decoration, you can directly decorate the `__init__` method and nothing else.",
                          FutureWarning, stacklevel=2)
            return lambda *args, **kwargs: self._wrap(func)(*args, **kwargs)
        return self._wrap(func)

    def _wrap(self, func):
        if inspect.isgeneratorfunction(func):
            @functools.wraps(func)
            def generator_wrapper(*args, **kwargs):
                gen = func(*args, **kwargs)
                try:
                    with self.clone():
                        request = gen.send(None)
                    while True:
                        try:
                            response = yield request
                        except GeneratorExit:
                            with self.clone():
                                gen.close()
                            raise
                        except BaseException:  # noqa: BLE001 - forwarded into the generator
                            with self.clone():
                                request = gen.throw(*sys.exc_info())
                        else:
                            with self.clone():
                                request = gen.send(response)
                except StopIteration as e:
                    return e.value
            return generator_wrapper

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)
        return wrapper

    def clone(self):
        return type(self)()


def _bare_decorator(cls, func, *args):
    """``@no_grad`` without parentheses: a properly initialised instance decorates ``func``."""
    inst = object.__new__(cls)
    inst.__init__(*args)
    return inst(func)


class no_grad(_DecoratorContextManager):
    """Context manager / decorator that disables graph recording.

    Example:
        >>> x = ndgrad.tensor([1.], requires_grad=True)
        >>> with ndgrad.no_grad():
        ...     y = x * 2
        >>> y.requires_grad
        False
    """

    def __new__(cls, orig_func=None):
        if orig_func is not None and callable(orig_func):  # used bare: @no_grad
            return _bare_decorator(cls, orig_func)
        return super().__new__(cls)

    def __init__(self, orig_func=None):
        self._prev = None

    def __enter__(self):
        self._prev = (_mode.enabled, _mode.inference_grad)
        _set_grad(False)

    def __exit__(self, *exc):
        _mode.enabled, _mode.inference_grad = self._prev
        return False


class enable_grad(no_grad):
    """Re-enable graph recording inside a ``no_grad`` region (also a decorator)."""

    def __enter__(self):
        self._prev = (_mode.enabled, _mode.inference_grad)
        _set_grad(True)


class set_grad_enabled(_DecoratorContextManager):
    """``set_grad_enabled(False)`` switches recording off immediately (a plain call is enough); used
    as a context manager it restores the previous mode on exit, and as a decorator it applies only
    while the function runs.

    Example:
        >>> with ndgrad.set_grad_enabled(False):
        ...     ndgrad.is_grad_enabled()
        False
    """

    def __init__(self, mode):
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, not "
                            f"{type(mode).__name__}")
        self._prev = (_mode.enabled, _mode.inference_grad)
        self.mode = mode
        _set_grad(mode)

    def __call__(self, func):
        _mode.enabled, _mode.inference_grad = self._prev  # as a decorator: only inside the function
        return super().__call__(func)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _mode.enabled, _mode.inference_grad = self._prev
        return False

    def clone(self):
        return set_grad_enabled(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad`` (ndgrad has no separate inference tensors). ``inference_mode(False)``
    switches inference mode off and grad mode on for its region, as in torch.

    Example:
        >>> with ndgrad.inference_mode():
        ...     ndgrad.is_inference_mode_enabled(), ndgrad.is_grad_enabled()
        (True, False)
    """

    def __new__(cls, mode=True):
        if callable(mode) and not isinstance(mode, bool):  # used bare: @inference_mode
            return _bare_decorator(cls, mode)
        return super().__new__(cls)

    def __init__(self, mode=True):
        if not isinstance(mode, bool):
            raise TypeError(f"inference_mode(): argument 'mode' must be bool, not {type(mode).__name__}")
        self.mode = mode
        self._prev = None

    def __enter__(self):
        self._prev = (_mode.enabled, _mode.inference, _mode.inference_grad)
        _mode.enabled = not self.mode
        _mode.inference = self.mode
        _mode.inference_grad = False

    def __exit__(self, *exc):
        _mode.enabled, _mode.inference, _mode.inference_grad = self._prev
        return False

    def clone(self):
        return inference_mode(self.mode)
