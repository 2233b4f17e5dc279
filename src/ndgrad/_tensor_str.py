"""(being written) torch-style printing."""
def tensor_repr(t):
    s = "tensor(" + repr(t._data.tolist()) + ")"
    if t.grad_fn is not None:
        s = s[:-1] + f", grad_fn=<{t.grad_fn.name()}>)"
    elif t._rg:
        s = s[:-1] + ", requires_grad=True)"
    return s
