"""torch.autograd.functional: jacobian, hessian, vjp, jvp, hvp, vhp.

All are built on reverse mode (``autograd.grad``): a Jacobian row per output element, a JVP via the
"double vjp" trick (differentiate u -> J^T u with respect to u), a Hessian as the Jacobian of the
gradient. ``vectorize`` and ``strategy`` are accepted for signature compatibility; ndgrad always
loops over output elements (there is no vmap).
"""
import numpy as np

from .api import grad as _grad
from . import grad_mode as _gm

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(x, what, fn_name):
    from .._tensor import Tensor
    is_tuple = isinstance(x, tuple)
    if not is_tuple:
        x = (x,)
    for i, t in enumerate(x):
        if not isinstance(t, Tensor):
            raise TypeError(f"The {what} given to {fn_name} must be either a Tensor or a tuple of Tensors but "
                            f"the value at index {i} has type {type(t).__name__}.")
    return is_tuple, x


def _prepare_inputs(inputs, create_graph):
    """Fresh leaves (or graph-connected aliases under create_graph) that require grad."""
    res = []
    for t in inputs:
        if create_graph and t.requires_grad:
            res.append(t.view_as(t))
        else:
            res.append(t.detach().requires_grad_(True))
    return tuple(res)


def _zeros_like(t):
    from .._tensor import _wrap
    return _wrap(np.zeros_like(t._data))


def _grads(outputs, inputs, grad_outputs, create_graph, strict, fn_name):
    outs = [o for o in outputs]
    gos = list(grad_outputs)
    pairs = [(o, g) for o, g in zip(outs, gos) if o.requires_grad]
    if not pairs:
        if strict:
            raise RuntimeError(f"The output of the user-provided function is independent of input 0. This is "
                               f"not allowed in strict mode.")
        return tuple(_zeros_like(i) for i in inputs)
    gs = _grad([p[0] for p in pairs], list(inputs), [p[1] for p in pairs], create_graph=create_graph,
               retain_graph=True, allow_unused=True)
    res = []
    for i, g in enumerate(gs):
        if g is None:
            if strict:
                raise RuntimeError(f"The output of the user-provided function is independent of input {i}. This "
                                   "is not allowed in strict mode.")
            g = _zeros_like(inputs[i])
        res.append(g)
    return tuple(res)


def _finish(x, is_tuple, create_graph):
    x = tuple(t if create_graph else t.detach() for t in x)
    return x if is_tuple else x[0]


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    """Returns ``(func(inputs), v^T J)``."""
    is_in_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
    with _gm.enable_grad():
        inputs = _prepare_inputs(inputs, create_graph)
        outputs = func(*inputs)
        is_out_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "vjp")
        if v is None:
            if len(outputs) != 1 or outputs[0].numel() != 1:
                raise RuntimeError("The vector v can only be None if the user-provided function returns a single "
                                   "Tensor with a single element.")
            from .._tensor import _wrap
            v = (_wrap(np.ones_like(outputs[0]._data)),)
        else:
            _, v = _as_tuple(v, "v", "vjp")
        grads = _grads(outputs, inputs, v, create_graph, strict, "vjp")
    return _finish(outputs, is_out_tuple, create_graph), _finish(grads, is_in_tuple, create_graph)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    """Returns ``(func(inputs), J v)``, computed with the double-vjp trick."""
    from .._tensor import _wrap
    is_in_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
    if v is None:
        if len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided function is a "
                               "single Tensor with a single element.")
        v = (_wrap(np.ones_like(inputs[0]._data)),)
    else:
        _, v = _as_tuple(v, "v", "jvp")
    with _gm.enable_grad():
        inputs = _prepare_inputs(inputs, create_graph)
        outputs = func(*inputs)
        is_out_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jvp")
        us = tuple(_wrap(np.zeros_like(o._data)).requires_grad_(True) for o in outputs)
        g = _grads(outputs, inputs, us, True, strict, "jvp")
        # J v = d/du <J^T u, v>
        pairs = [(gi, vi) for gi, vi in zip(g, v) if gi.requires_grad]
        if pairs:
            res = _grad([p[0] for p in pairs], list(us), [p[1] for p in pairs], create_graph=create_graph,
                        retain_graph=True, allow_unused=True)
            res = tuple(r if r is not None else _zeros_like(o) for r, o in zip(res, outputs))
        else:
            res = tuple(_zeros_like(o) for o in outputs)
    return _finish(outputs, is_out_tuple, create_graph), _finish(res, is_out_tuple, create_graph)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """Jacobian of ``func`` at ``inputs``: shape ``output.shape + input.shape`` (nested tuples when
    there are several outputs/inputs, as in torch)."""
    from ..ops.shape import reshape
    from ..ops.joining import stack
    is_in_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    with _gm.enable_grad():
        inputs = _prepare_inputs(inputs, create_graph)
        outputs = func(*inputs)
        is_out_tuple, outputs = _as_tuple(outputs, "outputs of the user-provided function", "jacobian")
        result = []
        for oi, o in enumerate(outputs):
            rows = [[] for _ in inputs]
            flat = reshape(o, (-1,))
            for k in range(flat.shape[0]):
                if o.requires_grad:
                    gs = _grad([flat[k]], list(inputs), None, create_graph=create_graph, retain_graph=True,
                               allow_unused=True)
                else:
                    gs = (None,) * len(inputs)
                for i, g in enumerate(gs):
                    if g is None:
                        if strict:
                            raise RuntimeError(f"Output {oi} of the user-provided "
                                               f"function is independent of input {i}. This is not allowed in "
                                               "strict mode.")
                        g = _zeros_like(inputs[i])
                    rows[i].append(g)
            per_input = []
            for i, inp in enumerate(inputs):
                if rows[i]:
                    j = stack(rows[i], 0)
                else:
                    j = _wrap_zeros((0,) + tuple(inp.shape), inp)
                per_input.append(reshape(j, tuple(o.shape) + tuple(inp.shape)))
            result.append(tuple(per_input))
    result = [tuple(t if create_graph else t.detach() for t in r) for r in result]
    if is_out_tuple:
        return tuple(r if is_in_tuple else r[0] for r in result)
    return result[0] if is_in_tuple else result[0][0]


def _wrap_zeros(shape, like):
    from .._tensor import _wrap
    return _wrap(np.zeros(shape, dtype=like._data.dtype))


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """Hessian of a scalar function: the Jacobian of its gradient."""
    is_in_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")

    def grad_fn(*xs):
        out = func(*xs)
        _, out_t = _as_tuple(out, "outputs of the user-provided function", "hessian")
        if len(out_t) != 1 or out_t[0].numel() != 1:
            raise RuntimeError("The function given to hessian should return a single Tensor with a single element")
        gs = _grads(out_t, xs, (_ones(out_t[0]),), True, strict, "hessian")
        return gs

    res = jacobian(grad_fn, inputs, create_graph=create_graph, strict=strict)
    # grad_fn returns one gradient per input, so ``res[i][j]`` is d(grad_i)/d(input_j)
    return res if is_in_tuple else res[0][0]


def _ones(t):
    from .._tensor import _wrap
    return _wrap(np.ones_like(t._data))


def vhp(func, inputs, v=None, create_graph=False, strict=False):
    """Returns ``(func(inputs), v^T H)``."""
    is_in_tuple, inputs = _as_tuple(inputs, "inputs", "vhp")
    if v is None:
        if len(inputs) != 1 or inputs[0].numel() != 1:
            raise RuntimeError("The vector v can only be None if the input to the user-provided function is a "
                               "single Tensor with a single element.")
        v = tuple(_ones(i) for i in inputs)
    else:
        _, v = _as_tuple(v, "v", "vhp")
    with _gm.enable_grad():
        xs = _prepare_inputs(inputs, create_graph)
        out = func(*xs)
        _, out_t = _as_tuple(out, "outputs of the user-provided function", "vhp")
        if len(out_t) != 1 or out_t[0].numel() != 1:
            raise RuntimeError("The function given to vhp should return a single Tensor with a single element")
        g = _grads(out_t, xs, (_ones(out_t[0]),), True, strict, "vhp")
        pairs = [(gi, vi) for gi, vi in zip(g, v) if gi.requires_grad]
        if pairs:
            res = _grad([p[0] for p in pairs], list(xs), [p[1] for p in pairs], create_graph=create_graph,
                        retain_graph=True, allow_unused=True)
            res = tuple(r if r is not None else _zeros_like(x) for r, x in zip(res, xs))
        else:
            res = tuple(_zeros_like(x) for x in xs)
    return _finish(out_t, False, create_graph), _finish(res, is_in_tuple, create_graph)


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    """Returns ``(func(inputs), H v)``; H is symmetric for twice-differentiable functions, so this is
    the same product as ``vhp`` (torch computes it the same way up to the transpose)."""
    return vhp(func, inputs, v, create_graph, strict)
