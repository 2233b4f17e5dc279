"""gradcheck / gradgradcheck: compare analytical gradients with central finite differences.

Every input that requires grad is perturbed element by element (float64 is expected, as in torch);
each output's Jacobian column from finite differences is compared with the one autograd gives
through vector-Jacobian products. Failures name the output, the input and the worst element.
"""
import numpy as np

from .api import grad as _grad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _diff_inputs(inputs):
    from .._tensor import Tensor
    return [(i, t) for i, t in enumerate(inputs) if isinstance(t, Tensor) and t.requires_grad]


def _outputs(func, inputs):
    from .._tensor import Tensor
    return [o for o in _as_tuple(func(*inputs)) if isinstance(o, Tensor)]


def _numerical_jacobians(func, inputs, eps):
    """J[o][k] for output o and differentiable input k, shape (out.numel(), in.numel())."""
    from .grad_mode import no_grad
    diff = _diff_inputs(inputs)
    with no_grad():
        outs = _outputs(func, inputs)
        jac = [[np.zeros((o.numel(), t.numel()), dtype=np.float64) for _, t in diff] for o in outs]
        for k, (_, t) in enumerate(diff):
            flat = t._data.reshape(-1) if t._data.flags.c_contiguous else None
            if flat is None:
                raise GradcheckError(f"gradcheck expects contiguous inputs; input {k} is not contiguous")
            for j in range(flat.size):
                orig = flat[j]
                flat[j] = orig + eps
                plus = [o._data.astype(np.float64).ravel().copy() for o in _outputs(func, inputs)]
                flat[j] = orig - eps
                minus = [o._data.astype(np.float64).ravel().copy() for o in _outputs(func, inputs)]
                flat[j] = orig
                for oi in range(len(outs)):
                    jac[oi][k][:, j] = (plus[oi] - minus[oi]) / (2 * eps)
    return jac


def _analytical_jacobians(func, inputs, create_graph=False):
    from .._tensor import _wrap
    diff = _diff_inputs(inputs)
    outs = _outputs(func, inputs)
    jac = [[np.zeros((o.numel(), t.numel()), dtype=np.float64) for _, t in diff] for o in outs]
    for oi, o in enumerate(outs):
        if not o.requires_grad:
            continue
        for r in range(o.numel()):
            v = np.zeros(o._data.size, dtype=o._data.dtype)
            v[r] = 1
            gs = _grad([o], [t for _, t in diff], [_wrap(v.reshape(o._data.shape))], retain_graph=True,
                       allow_unused=True)
            for k, g in enumerate(gs):
                if g is not None:
                    jac[oi][k][r, :] = g._data.astype(np.float64).ravel()
    return jac


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True, nondet_tol=0.0,
              check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
              check_batched_forward_grad=False, check_forward_ad=False, check_backward_ad=True,
              fast_mode=False, masked=None):
    """True if ``func``'s analytical gradients match finite differences for all ``inputs``."""
    inputs = _as_tuple(inputs)
    diff = _diff_inputs(inputs)
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but none of the "
                         "them have requires_grad=True.")
    for i, t in diff:
        if t._data.dtype != np.float64:
            import warnings
            warnings.warn(f"Input #{i} requires gradient and is not a double precision floating point. "
                          "This check will likely fail if all the inputs are not of double precision floating "
                          "point.")
    num = _numerical_jacobians(func, inputs, eps)
    ana = _analytical_jacobians(func, inputs)
    for oi, (n_row, a_row) in enumerate(zip(num, ana)):
        for k, (n, a) in enumerate(zip(n_row, a_row)):
            if n.size == 0:
                continue
            bad = np.abs(a - n) > atol + rtol * np.abs(n)
            if bad.any():
                idx = np.unravel_index(np.argmax(np.abs(a - n) - rtol * np.abs(n)), n.shape)
                msg = (f"Jacobian mismatch for output {oi} with respect to input {diff[k][0]},\n"
                       f"numerical:{n}\nanalytical:{a}\n"
                       f"worst element: output index {idx[0]}, input index {idx[1]}: numerical "
                       f"{n[idx]:.6g} vs analytical {a[idx]:.6g}\n")
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3, gen_non_contig_grad_outputs=False,
                  raise_exception=True, nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
                  check_batched_grad=False, check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """gradcheck applied to the function ``inputs -> grad(func(inputs), inputs, grad_outputs)``."""
    from .._tensor import _wrap
    inputs = _as_tuple(inputs)
    outs = _outputs(func, inputs)
    if grad_outputs is None:
        rng = np.random.default_rng(0)
        grad_outputs = tuple(_wrap(rng.standard_normal(o._data.shape)).to(o.dtype).requires_grad_(True)
                             for o in outs)
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff_idx = [i for i, _ in _diff_inputs(inputs)]

    def first_grads(*args):
        ins, gos = args[:n_in], args[n_in:]
        os_ = [o for o in _outputs(func, ins) if o.requires_grad]
        gs = _grad(os_, [ins[i] for i in diff_idx], list(gos[:len(os_)]), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(first_grads, tuple(inputs) + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
