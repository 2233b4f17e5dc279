"""torch.nn.utils.stateless: call a module with some of its parameters/buffers replaced.

``functional_call(module, {"fc.weight": w}, (x,))`` runs ``module(x)`` with ``fc.weight`` swapped
for ``w`` (any tensor, not necessarily a Parameter) and puts the original back afterwards, so
gradients flow to ``w`` and not to the module's own parameter. ``torch.func.functional_call`` is
the same function (this module's version is deprecated in torch and warns).
"""
import contextlib
import warnings

from ..._tensor import Tensor

__all__ = ["functional_call"]

_MISSING = object()


def _untie_named_tensors_map(module, parameters_and_buffers):
    """Give every name tied to a given name (same tensor object) the given value as well."""
    all_named = {}
    all_named.update(module.named_parameters(remove_duplicate=False))
    all_named.update(module.named_buffers(remove_duplicate=False))
    by_tensor = {}
    for name, t in all_named.items():
        by_tensor.setdefault(id(t), set()).add(name)
    tied = {}
    for names in by_tensor.values():
        if len(names) > 1:
            for n in names:
                tied[n] = names
    given = [n for n in parameters_and_buffers if n in tied]
    for n in given:
        names = tied[n]
        present = names.intersection(given)
        if len(present) > 1 and len({id(parameters_and_buffers[k]) for k in present}) != 1:
            raise ValueError(f"functional_call got multiple values for keys {sorted(names)}, which are tied. "
                             "Consider using tie_weights=False")
    out = dict(parameters_and_buffers)
    for n in given:
        for k in tied[n]:
            out[k] = parameters_and_buffers[n]
    return out


def _swap_tensor(module, name, tensor):
    """Put ``tensor`` at ``module.<name>`` (``_MISSING`` deletes it); returns what was there."""
    from ..modules.module import Module
    if not isinstance(module, Module):
        raise TypeError(f"{module} is not an instance of torch.nn.Module")
    if tensor is not _MISSING and tensor is not None and not isinstance(tensor, Tensor):
        raise TypeError(f"{tensor} is not an instance of torch.Tensor")
    if name == "":
        raise KeyError('tensor name can\'t be empty string ""')
    for reg in (module._parameters, module._buffers):
        if name in reg:
            orig = reg[name]
            if tensor is _MISSING:
                del reg[name]
            else:
                reg[name] = tensor
            return orig
    orig = getattr(module, name) if hasattr(module, name) else _MISSING
    if orig is not _MISSING and orig is not None and not isinstance(orig, Tensor):
        raise TypeError(f"attribute `{name}`: {orig} is not an instance of torch.Tensor")
    if tensor is _MISSING:
        if orig is not _MISSING:
            delattr(module, name)
    else:
        setattr(module, name, tensor)
    return orig


def _split(module, name):
    prefix, _, attr = name.rpartition(".")
    return module.get_submodule(prefix), attr


@contextlib.contextmanager
def _reparametrize_module(module, parameters_and_buffers, tie_weights=False, strict=False):
    values = _untie_named_tensors_map(module, parameters_and_buffers) if tie_weights \
        else parameters_and_buffers
    if strict:
        expected = set(n for n, _ in module.named_parameters(remove_duplicate=False))
        expected.update(n for n, _ in module.named_buffers(remove_duplicate=False))
        unexpected = sorted(set(values) - expected)
        missing = sorted(expected - set(values))
        msgs = []
        if unexpected:
            msgs.append(f"Unexpected key(s): {', '.join(map(repr, unexpected))}.")
        if missing:
            msgs.append(f"Missing key(s): {', '.join(map(repr, missing))}.")
        if msgs:
            raise RuntimeError("Error(s) in reparametrizing for {}:\n\t{}".format(module._get_name(),
                                                                                  "\n\t".join(msgs)))
    originals = {}
    try:
        for name, value in values.items():
            mod, attr = _split(module, name)
            originals[name] = _swap_tensor(mod, attr, value)
        yield
    finally:
        current = {}
        for name, orig in originals.items():
            mod, attr = _split(module, name)
            current[name] = _swap_tensor(mod, attr, orig)
        # a module that reassigned one of the swapped tensors in place of the given one: report it back
        for k in parameters_and_buffers:
            if k in current and current[k] is not _MISSING:
                parameters_and_buffers[k] = current[k]


def _functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    if type(module).__name__ == "DataParallel":
        raise RuntimeError("The stateless API can't be used with nn.DataParallel module")
    if kwargs is None:
        kwargs = {}
    if args is None:
        args = ()
    elif not isinstance(args, tuple):
        args = (args,)
    with _reparametrize_module(module, parameters_and_buffers, tie_weights=tie_weights, strict=strict):
        return module(*args, **kwargs)


def functional_call(module, parameters_and_buffers, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Deprecated alias of ``ndgrad.func.functional_call`` (one dict of replacements).

    Example:
        >>> m = nn.Linear(2, 1)
        >>> w = ndgrad.ones(1, 2, requires_grad=True)
        >>> out = nn.utils.stateless.functional_call(m, {"weight": w}, (ndgrad.ones(1, 2),))
    """
    warnings.warn("`torch.nn.utils.stateless.functional_call` is deprecated as of PyTorch 2.0 and will be "
                  "removed in a future version of PyTorch. Please use `torch.func.functional_call` instead "
                  "which is a drop-in replacement.", FutureWarning, stacklevel=2)
    return _functional_call(module, parameters_and_buffers, args, kwargs, tie_weights=tie_weights, strict=strict)
