"""What a user checks after freezing a backbone: per-module shapes and parameter counts, and
freezing/unfreezing by name pattern.

    >>> ndgrad.nn.utils.freeze(model, except_=("fc",))
    FreezeCounts(trainable=5130, frozen=11176512)
    >>> print(ndgrad.nn.utils.summary(model, (1, 3, 224, 224)))
"""
import fnmatch
from typing import NamedTuple

__all__ = ["summary", "ModelSummary", "freeze", "unfreeze", "FreezeCounts"]


class FreezeCounts(NamedTuple):
    trainable: int
    frozen: int


def _counts(model):
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return FreezeCounts(trainable, frozen)


def _matches(name, patterns):
    """A parameter matches a pattern when the pattern equals the name, names one of its modules
    (``fc`` matches ``fc.weight``, ``layer4`` matches ``layer4.1.conv2.weight``) or is a glob."""
    for pat in patterns:
        if name == pat or name.startswith(pat + ".") or fnmatch.fnmatchcase(name, pat):
            return True
    return False


def _as_patterns(p):
    if p is None:
        return ()
    return (p,) if isinstance(p, str) else tuple(p)


def freeze(model, only=None, except_=None):
    """Set ``requires_grad=False`` on parameters (all, or those matching ``only``), leaving those
    matching ``except_`` trainable. Returns ``FreezeCounts(trainable, frozen)`` for the whole model."""
    only, keep = _as_patterns(only), _as_patterns(except_)
    for name, p in model.named_parameters():
        if only and not _matches(name, only):
            continue
        p.requires_grad_(_matches(name, keep))
    return _counts(model)


def unfreeze(model, only=None, except_=None):
    """Set ``requires_grad=True`` on parameters (all, or those matching ``only``), except those
    matching ``except_``. Returns ``FreezeCounts(trainable, frozen)``."""
    only, keep_frozen = _as_patterns(only), _as_patterns(except_)
    for name, p in model.named_parameters():
        if only and not _matches(name, only):
            continue
        if not _matches(name, keep_frozen):
            p.requires_grad_(True)
    return _counts(model)


class ModelSummary:
    """Rows ``(name, type, output_shape, params, trainable)`` per module (parameter counts include
    submodules), plus totals."""

    def __init__(self, rows, trainable, frozen, input_size):
        self.rows, self.trainable, self.frozen, self.input_size = rows, trainable, frozen, input_size

    @property
    def total(self):
        return self.trainable + self.frozen

    def __str__(self):
        w_name = max([len("module")] + [len(r[0]) for r in self.rows])
        w_type = max([len("type")] + [len(r[1]) for r in self.rows])
        head = f"{'module':<{w_name}}  {'type':<{w_type}}  {'output shape':<22}{'params':>12}{'trainable':>12}"
        lines = [head, "-" * len(head)]
        for name, typ, shape, params, trainable in self.rows:
            lines.append(f"{name:<{w_name}}  {typ:<{w_type}}  {str(shape):<22}{params:>12,}{trainable:>12,}")
        lines.append("-" * len(head))
        lines.append(f"input size {list(self.input_size)}")
        lines.append(f"total parameters     {self.total:>14,}")
        lines.append(f"trainable parameters {self.trainable:>14,}")
        lines.append(f"frozen parameters    {self.frozen:>14,}")
        return "\n".join(lines)

    __repr__ = __str__


def summary(model, input_size=None, input_data=None, depth=None, dtype=None):
    """Run one forward pass (without grad) and tabulate every submodule's output shape and its own
    parameter counts (trainable and total), like torchinfo's summary."""
    import ndgrad
    if input_data is None:
        if input_size is None:
            raise ValueError("summary() needs input_size (e.g. (1, 3, 224, 224)) or input_data")
        input_data = ndgrad.zeros(*input_size, dtype=dtype)
    shapes = {}
    handles = []
    for name, mod in model.named_modules():
        if depth is not None and name and name.count(".") >= depth:
            continue

        def hook(m, inp, out, _name=name):
            t = out[0] if isinstance(out, (tuple, list)) and out else out
            shapes[_name] = list(t.shape) if hasattr(t, "shape") else type(out).__name__
        handles.append(mod.register_forward_hook(hook))
    was_training = model.training
    try:
        model.eval()
        with ndgrad.no_grad():
            model(input_data)
    finally:
        for h in handles:
            h.remove()
        model.train(was_training)
    rows = []
    for name, mod in model.named_modules():
        if name not in shapes:
            continue
        ps = list(mod.parameters())  # recursive: a block's row counts everything inside it
        rows.append((name or "(model)", type(mod).__name__, shapes[name], sum(p.numel() for p in ps),
                     sum(p.numel() for p in ps if p.requires_grad)))
    counts = _counts(model)
    return ModelSummary(rows, counts.trainable, counts.frozen, tuple(input_data.shape))
