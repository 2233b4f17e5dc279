"""Module hook machinery: removable handles, hooks registered for every module, and the
identity node that lets full backward hooks see the gradients of a module's inputs and outputs.
"""
from collections import OrderedDict

from ..._tensor import Tensor, _wrap
from ...autograd import grad_mode as _gm
from ...autograd.node import Node

class RemovableHandle:
    """Returned by the ``register_*_hook`` methods; ``handle.remove()`` unregisters the hook."""

    next_id = 0

    def __init__(self, hooks_dict, *, extra_dict=None):
        self.hooks_dict_ref = hooks_dict
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        if extra_dict is None:
            extra_dict = ()
        elif isinstance(extra_dict, dict):
            extra_dict = (extra_dict,)
        self.extra_dict_ref = tuple(extra_dict)

    def remove(self):
        self.hooks_dict_ref.pop(self.id, None)
        for d in self.extra_dict_ref:
            d.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


# Hooks registered for every module (torch.nn.modules.module.register_module_forward_hook ...).
_global_forward_pre_hooks = OrderedDict()
_global_forward_hooks = OrderedDict()
_global_forward_hooks_always_called = {}
_global_backward_pre_hooks = OrderedDict()
_global_backward_hooks = OrderedDict()
_global_any = [False]  # a single flag read by Module.__call__'s fast path


def register_module_forward_pre_hook(hook):
    """Register a forward pre-hook run before every module's forward (all modules)."""
    handle = RemovableHandle(_global_forward_pre_hooks)
    _global_forward_pre_hooks[handle.id] = hook
    _global_any[0] = True
    return handle


def register_module_forward_hook(hook, *, always_call=False):
    """Register a forward hook run after every module's forward (all modules)."""
    handle = RemovableHandle(_global_forward_hooks, extra_dict=_global_forward_hooks_always_called)
    _global_forward_hooks[handle.id] = hook
    if always_call:
        _global_forward_hooks_always_called[handle.id] = True
    _global_any[0] = True
    return handle


def register_module_full_backward_pre_hook(hook):
    handle = RemovableHandle(_global_backward_pre_hooks)
    _global_backward_pre_hooks[handle.id] = hook
    _global_any[0] = True
    return handle


def register_module_full_backward_hook(hook):
    handle = RemovableHandle(_global_backward_hooks)
    _global_backward_hooks[handle.id] = hook
    _global_any[0] = True
    return handle


# -- full backward hooks ---------------------------------------------------------------------------
class BackwardHookFunctionBackward(Node):
    """Identity on a module's tensor inputs or outputs; its pre-hook sees their gradients."""

    __slots__ = ()
    materialize_grads = False  # an output that got no gradient passes None on

    def backward(self, grads):
        return tuple(grads) if self.num_outputs > 1 else grads


def _identity_node(tensors):
    """Pass ``tensors`` (those that require grad) through one multi-output identity node."""
    from ...ops._core import edge
    node = BackwardHookFunctionBackward(*[edge(t) for t in tensors])
    node.num_outputs = len(tensors)
    node.output_meta = [(t._data.shape, t._data.dtype) for t in tensors]
    outs = []
    for k, t in enumerate(tensors):
        o = _wrap(t._data)
        o._vc = t._vc
        o.grad_fn = node
        o._rg = True
        if k:
            o._out_nr = k
        outs.append(o)
    return node, outs


class _BackwardHook:
    """torch.utils.hooks.BackwardHook: wires module full backward (pre-)hooks into the graph."""

    def __init__(self, module, user_hooks, user_pre_hooks):
        self.module = module
        self.user_hooks = user_hooks
        self.user_pre_hooks = user_pre_hooks
        self.grad_outputs = None
        self.n_outputs = -1
        self.output_tensors_index = None
        self.n_inputs = -1
        self.input_tensors_index = None

    @staticmethod
    def _pack_with_none(indices, values, size):
        res = [None] * size
        for idx, val in zip(indices, values):
            res[idx] = val
        return tuple(res)

    def _apply(self, args, fn_on_grads):
        is_tuple = isinstance(args, tuple)
        items = args if is_tuple else (args,)
        idx = [i for i, a in enumerate(items) if isinstance(a, Tensor) and a._rg and _gm._mode.enabled]
        if not idx:
            return args, None, len(items)
        node, outs = _identity_node([items[i] for i in idx])
        node.register_prehook(fn_on_grads)
        new = list(items)
        for i, o in zip(idx, outs):
            new[i] = o
        return (tuple(new) if is_tuple else new[0]), idx, len(items)

    def setup_input_hook(self, args):
        def hook(grads):
            if not self.user_hooks:
                return None
            grad_input = self._pack_with_none(self.input_tensors_index, grads, self.n_inputs)
            for h in self.user_hooks:
                res = h(self.module, grad_input, self.grad_outputs)
                if res is None:
                    continue
                if len(res) != len(grad_input):
                    raise RuntimeError("Backward hook returned an invalid number of grad_input, got "
                                       f"{len(res)}, but expected {len(grad_input)}")
                grad_input = res
            self.grad_outputs = None
            return tuple(grad_input[i] for i in self.input_tensors_index)

        new_args, idx, n = self._apply(args, hook)
        self.input_tensors_index = idx
        self.n_inputs = n
        return new_args

    def setup_output_hook(self, result):
        def hook(grads):
            self.grad_outputs = self._pack_with_none(self.output_tensors_index, grads, self.n_outputs)
            for h in self.user_pre_hooks:
                res = h(self.module, self.grad_outputs)
                if res is None:
                    continue
                if len(res) != len(self.grad_outputs):
                    raise RuntimeError("Backward pre hook returned an invalid number of grad_output, got "
                                       f"{len(res)}, but expected {len(self.grad_outputs)}")
                self.grad_outputs = tuple(res)
            if self.input_tensors_index is None:  # no input requires grad: call the hooks now
                grad_inputs = (None,) * self.n_inputs
                for h in self.user_hooks:
                    res = h(self.module, grad_inputs, self.grad_outputs)
                    if res is not None and not (isinstance(res, tuple) and all(r is None for r in res)):
                        raise RuntimeError("Backward hook for Modules where no input requires gradient should "
                                           "always return None or None for all gradients.")
                out = tuple(self.grad_outputs[i] for i in self.output_tensors_index)
                self.grad_outputs = None
                return out
            return tuple(self.grad_outputs[i] for i in self.output_tensors_index)

        new_result, idx, n = self._apply(result, hook)
        self.output_tensors_index = idx
        self.n_outputs = n
        return new_result
