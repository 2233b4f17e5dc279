"""``backward`` and ``grad``: argument checking (with torch's messages) and the call into the engine."""
import numpy as np

from .engine import run_backward


def _tensors(x, what):
    """A list of tensors from a tensor or a sequence of tensors."""
    from .._tensor import Tensor
    if isinstance(x, Tensor):
        return [x]
    if isinstance(x, (list, tuple)):
        for t in x:
            if not isinstance(t, Tensor):
                if what == "inputs":
                    raise RuntimeError(f"all inputs have to be Tensors or GradientEdges, but got {type(t).__name__}")
                raise TypeError(f"{what} must be Tensors, got {type(t).__name__}")
        return list(x)
    if what == "inputs":
        raise RuntimeError(f"all inputs have to be Tensors or GradientEdges, but got {type(x).__name__}")
    raise TypeError(f"{what} must be a Tensor or a sequence of Tensors, got {type(x).__name__}")


def _grad_list(grads, n):
    """``grad_tensors`` / ``grad_outputs`` as a list with one entry per output."""
    if grads is None:
        return [None] * n
    if not isinstance(grads, (list, tuple)):
        grads = [grads]
    if len(grads) != n:
        raise RuntimeError(f"got {n} tensors and {len(grads)} gradients")
    return list(grads)


def _make_grads(outputs, grad_outputs):
    """One gradient per output: the given one (checked, cast to the output's dtype) or an implicit 1."""
    from .._tensor import Tensor, _wrap, _size
    out = []
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if not t._rg:
                out.append(None)
                continue
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if t._data.dtype.kind not in "f":
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got "
                                   f"{t.dtype}")
            out.append(_wrap(np.ones(t._data.shape, dtype=t._data.dtype)))
            continue
        if not isinstance(g, Tensor):
            raise TypeError(f"gradients can be either Tensors or None, but got {type(g).__name__}")
        gd, td = g._data, t._data
        if gd.shape != td.shape:
            raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of {_size(gd.shape)!r} and "
                               f"output[{i}] has a shape of {_size(td.shape)!r}.")
        if gd.dtype != td.dtype:
            if (gd.dtype.kind == "c") != (td.dtype.kind == "c"):
                raise RuntimeError(
                    "For complex Tensors, both grad_output and output are required to have the same dtype. "
                    f"Mismatch in dtype: grad_output[{i}] has a dtype of {g.dtype} and output[{i}] has a "
                    f"dtype of {t.dtype}.")
            g = g.to(t.dtype)  # torch casts the gradient to the output's dtype
        out.append(g)
    return out


def _check_outputs(outputs):
    for i, t in enumerate(outputs):
        if not t._rg:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None,
             inputs=None):
    """Accumulate into the leaves' ``.grad`` the gradients of ``tensors`` (weighted by
    ``grad_tensors``). With ``inputs``, only those tensors receive gradients.

    Example:
        >>> a = ndgrad.tensor([1., 2.], requires_grad=True)
        >>> ndgrad.autograd.backward([(a * a).sum()])
        >>> a.grad
        tensor([2., 4.])
    """
    tensors = _tensors(tensors, "tensors")
    if grad_tensors is None:
        grad_tensors = grad_variables
    grad_tensors = _grad_list(grad_tensors, len(tensors))
    _check_outputs(tensors)
    grads = _make_grads(tensors, grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        inputs = _tensors(inputs, "inputs")
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        for t in inputs:
            if not t._rg:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    if create_graph:
        import warnings
        warnings.warn(
            "Using backward() with create_graph=True will create a reference cycle between the parameter and "
            "its gradient which can cause a memory leak. We recommend using autograd.grad when creating the "
            "graph to avoid this. If you have to use this function, make sure to reset the .grad fields of "
            "your parameters to None after use to break the cycle and avoid the leak.", UserWarning, stacklevel=3)
    pairs = [(t, g) for t, g in zip(tensors, grads) if g is not None]
    run_backward([p[0] for p in pairs], [p[1] for p in pairs], retain_graph, create_graph, inputs=inputs,
                 accumulate=True, allow_unused=True)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, only_inputs=True,
         allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """Return the gradients of ``outputs`` w.r.t. ``inputs`` (without touching ``.grad``).

    Example:
        >>> x = ndgrad.tensor([2.], requires_grad=True)
        >>> ndgrad.autograd.grad(x ** 3, x, create_graph=True)
        (tensor([12.], grad_fn=<MulBackward0>),)
    """
    if is_grads_batched:
        raise NotImplementedError("ndgrad.autograd.grad does not support is_grads_batched=True (vmap)")
    outputs = _tensors(outputs, "outputs")
    inputs = _tensors(inputs, "inputs")
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    grad_outputs = _grad_list(grad_outputs, len(outputs))
    _check_outputs(outputs)
    for t in inputs:
        if not t._rg:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if allow_unused is None:
        allow_unused = materialize_grads
    elif materialize_grads and not allow_unused:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads=True, "
                         "but got: allow_unused=False.")
    grads = _make_grads(outputs, grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    pairs = [(t, g) for t, g in zip(outputs, grads) if g is not None]
    res = run_backward([p[0] for p in pairs], [p[1] for p in pairs], retain_graph, create_graph,
                       inputs=inputs, accumulate=False, allow_unused=True)
    if not allow_unused:
        for i, r in enumerate(res):
            if r is None:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior.")
    if materialize_grads:
        from .._tensor import _wrap
        res = [r if r is not None else _wrap(np.zeros_like(t._data)) for r, t in zip(res, inputs)]
    return tuple(res)
