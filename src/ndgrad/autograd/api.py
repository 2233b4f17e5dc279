"""``backward`` and ``grad``: argument checking and the call into the engine."""
import numpy as np

from .engine import run_backward


def _tensors(x, what):
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        for t in x:
            if not isinstance(t, Tensor):
                raise TypeError(f"{what} must be Tensors, got {type(t).__name__}")
        return list(x)
    raise TypeError(f"{what} must be a Tensor or a sequence of Tensors, got {type(x).__name__}")


def _make_grads(outputs, grad_outputs, is_grads_batched=False):
    from .._tensor import Tensor, _wrap
    out = []
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if not t._rg:
                out.append(None)
                continue
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if t._data.dtype.kind not in "fc":
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                   f"{t.dtype}")
            out.append(_wrap(np.ones(t._data.shape, dtype=t._data.dtype)))
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"gradient must be a Tensor or None, got {type(g).__name__}")
        if g._data.shape != t._data.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(g.shape)} and "
                               f"output[{i}] has a shape of {tuple(t.shape)}.")
        if g._data.dtype.kind != t._data.dtype.kind and not (g._data.dtype.kind in "fc" and t._data.dtype.kind in "fc"):
            raise RuntimeError(f"For complex Tensors, both grad_output and output are required to have the same "
                               f"dtype. Mismatch in dtype: grad_output[{i}] has a dtype of {g.dtype} and "
                               f"output[{i}] has a dtype of {t.dtype}.")
        out.append(g)
    return out


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate into the leaves' ``.grad`` the gradients of ``tensors`` (weighted by
    ``grad_tensors``). With ``inputs``, only those tensors receive gradients."""
    tensors = _tensors(tensors, "tensors")
    if grad_tensors is None:
        grad_tensors = grad_variables
    if grad_tensors is None:
        grad_tensors = [None] * len(tensors)
    elif not isinstance(grad_tensors, (list, tuple)):
        grad_tensors = [grad_tensors]
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"got {len(grad_tensors)} gradients for {len(tensors)} tensors")
    for t in tensors:
        if not t._rg:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    grads = _make_grads(tensors, grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _tensors(inputs, "inputs")
        if not inputs:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        for t in inputs:
            if not t._rg:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
    pairs = [(t, g) for t, g in zip(tensors, grads) if g is not None]
    run_backward([p[0] for p in pairs], [p[1] for p in pairs], retain_graph, create_graph, inputs=inputs,
                 accumulate=True, allow_unused=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return the gradients of ``outputs`` w.r.t. ``inputs`` (without touching ``.grad``)."""
    outputs = _tensors(outputs, "outputs")
    single = not isinstance(inputs, (list, tuple))
    inputs = _tensors(inputs, "inputs")
    if grad_outputs is None:
        grad_outputs = [None] * len(outputs)
    elif not isinstance(grad_outputs, (list, tuple)):
        grad_outputs = [grad_outputs]
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"grad requires one grad_output per output: got {len(grad_outputs)} for "
                           f"{len(outputs)} outputs")
    for t in outputs:
        if not t._rg:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    for t in inputs:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _make_grads(outputs, grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    pairs = [(t, g) for t, g in zip(outputs, grads) if g is not None]
    res = run_backward([p[0] for p in pairs], [p[1] for p in pairs], retain_graph, create_graph,
                       inputs=inputs, accumulate=False, allow_unused=allow_unused)
    if materialize_grads:
        from .._tensor import _wrap
        res = [r if r is not None else _wrap(np.zeros_like(t._data)) for r, t in zip(res, inputs)]
    return tuple(res)
