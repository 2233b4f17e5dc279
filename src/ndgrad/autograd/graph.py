"""torch.autograd.graph: hooks on saved tensors and the graph's ``Node`` type.

``saved_tensors_hooks(pack, unpack)``: while the context is active, every tensor an operation saves
for backward is passed to ``pack`` at once, and ``unpack(packed)`` gives it back each time backward
needs it. ``save_on_cpu`` is the pair that moves saved tensors to (pinned) CPU memory: on ndgrad
everything is already on the CPU, so it keeps a copy. Nested contexts: the innermost pair applies.
"""
from .node import Node, _hook_stack

__all__ = ["saved_tensors_hooks", "save_on_cpu", "disable_saved_tensors_hooks", "register_multi_grad_hook",
           "Node"]

_disabled_message = [None]  # the message of an active disable_saved_tensors_hooks


class saved_tensors_hooks:  # noqa: N801  (torch's name)
    """Context manager: ``pack_hook(tensor) -> anything`` at save time, ``unpack_hook(that) -> Tensor``
    at backward time (it must return a tensor with the original's content)."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        if _disabled_message[0] is not None:
            raise RuntimeError(_disabled_message[0])
        _hook_stack.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        _hook_stack.pop()


class save_on_cpu(saved_tensors_hooks):  # noqa: N801
    """Saved tensors are kept as CPU copies (``pin_memory`` is accepted; ndgrad has no device memory)."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        def pack(tensor):
            return (tensor.device, tensor.clone())

        def unpack(packed):
            device, tensor = packed
            return tensor.to(device)

        super().__init__(pack, unpack)


class disable_saved_tensors_hooks:  # noqa: N801
    """Inside this context, entering ``saved_tensors_hooks`` raises ``RuntimeError(error_message)``."""

    def __init__(self, error_message):
        self.error_message = error_message

    def __enter__(self):
        self._prev = _disabled_message[0]
        _disabled_message[0] = self.error_message
        return self

    def __exit__(self, *exc):
        _disabled_message[0] = self._prev

    def __call__(self, fn):
        import functools

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__(self.error_message):
                return fn(*args, **kwargs)
        return wrapper


def register_multi_grad_hook(tensors, fn, *, mode="all"):
    """Not available: ndgrad's engine has no end-of-pass callback to know when all gradients are in."""
    raise NotImplementedError("ndgrad.autograd.graph.register_multi_grad_hook is not implemented; register a "
                              "hook on each tensor with Tensor.register_hook instead")
