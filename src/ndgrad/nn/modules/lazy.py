"""LazyModuleMixin: the machinery of torch's lazy modules (LazyLinear, LazyConv*, LazyBatchNorm*,
LazyInstanceNorm*): parameters and buffers stay uninitialized placeholders until the first forward."""
import itertools

from ...autograd import grad_mode as _gm
from ..parameter import is_lazy

__all__ = []  # torch.nn does not export it either (torch.nn.modules.lazy.LazyModuleMixin)


class LazyModuleMixin:
    """Mixin of modules whose parameters are :class:`UninitializedParameter` (and buffers
    :class:`UninitializedBuffer`) until the first forward: a forward pre-hook calls
    ``initialize_parameters(*args, **kwargs)`` with the first input, then the hooks are removed and
    the module's class becomes ``cls_to_become`` (e.g. LazyLinear -> Linear). ``load_state_dict``
    materialises uninitialized entries from the shapes in the checkpoint; ``state_dict`` holds the
    uninitialized placeholders themselves."""

    cls_to_become = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._load_hook = self._register_load_state_dict_pre_hook(self._lazy_load_hook)
        self._initialize_hook = self.register_forward_pre_hook(self._infer_parameters, with_kwargs=True)

    def _save_to_state_dict(self, destination, prefix, keep_vars):
        for name, param in self._parameters.items():
            if param is not None:
                destination[prefix + name] = param if (keep_vars or is_lazy(param)) else param.detach()
        for name, buf in self._buffers.items():
            if buf is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buf if (keep_vars or is_lazy(buf)) else buf.detach()

    def _lazy_load_hook(self, state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys,
                        error_msgs):
        for name, param in itertools.chain(self._parameters.items(), self._buffers.items()):
            key = prefix + name
            if param is not None and key in state_dict and is_lazy(param):
                value = state_dict[key]
                if not is_lazy(value):
                    with _gm.no_grad():
                        param.materialize(tuple(value.shape))

    def initialize_parameters(self, *args, **kwargs):
        """Give the uninitialized parameters their shapes from the first input (subclasses)."""
        raise NotImplementedError(f"initialize_parameters is not implemented for {self.__class__.__name__}")

    def has_uninitialized_params(self):
        """Whether a parameter or buffer of this module is still uninitialized."""
        return any(is_lazy(t) for t in itertools.chain(self._parameters.values(), self._buffers.values()))

    def _infer_parameters(self, module, args, kwargs=None):
        module.initialize_parameters(*args, **(kwargs or {}))
        if module.has_uninitialized_params():
            raise RuntimeError(f"module {self._get_name()} has not been fully initialized")
        module._initialize_hook.remove()
        module._load_hook.remove()
        delattr(module, "_initialize_hook")
        delattr(module, "_load_hook")
        if module.cls_to_become is not None:
            module.__class__ = module.cls_to_become

    def _replicate_for_data_parallel(self):
        raise RuntimeError("Modules with uninitialized parameters can't be used with `DataParallel`. Run a dummy "
                           "forward pass to correctly initialize the modules")
