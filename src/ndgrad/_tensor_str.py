"""Tensor printing, character for character the same as torch's ``repr`` / ``str``.

The algorithm is torch's (``torch/_tensor_str.py``), working on the NumPy array directly:

* one ``_Formatter`` per tensor (two for complex: real and imaginary parts) looks at every finite,
  non-zero value of the (summarised) data and picks a mode: *int mode* when all of them are whole
  numbers (``2.``), *scientific* when the largest/smallest ratio exceeds 1000, the largest exceeds
  1e8 or the smallest is below 1e-4, else fixed point with ``precision`` decimals; every element is
  then right-aligned to the widest one;
* tensors with more than ``threshold`` elements are summarised: ``edgeitems`` rows/values at each
  end of every dimension, with ``...`` between;
* 1-d rows wrap at ``linewidth``; dimension ``d`` blocks are separated by ``d - 1`` newlines;
* suffixes (``dtype=``, ``size=``, ``requires_grad=True``, ``grad_fn=<...>``) follow, wrapped onto
  a new line when they would pass ``linewidth``.

Values are formatted from Python floats (``tolist``), as torch does through ``Tensor.item``, so a
float32 ``0.1`` prints ``0.1000`` from its exact double value, the same way in both libraries.
"""
import contextlib
import dataclasses
import math

import numpy as np

from . import _dtype

__all__ = ["set_printoptions", "get_printoptions", "printoptions"]


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: object = None


PRINT_OPTS = _PrinterOptions()


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None,
                     sci_mode=None):
    """Set how tensors print (torch.set_printoptions).

    Args:
        precision: digits after the decimal point for floating values (default 4).
        threshold: element count above which a tensor is summarised with ``...`` (default 1000).
        edgeitems: values kept at each end of a summarised dimension (default 3).
        linewidth: characters per line before wrapping (default 80).
        profile: ``"default"``, ``"short"`` or ``"full"``: a preset the other arguments refine.
        sci_mode: ``True``/``False`` force or forbid scientific notation; ``None`` (the default,
            and what every call without it resets to) chooses automatically.

    Example:
        >>> ndgrad.set_printoptions(precision=2)
        >>> ndgrad.tensor([1.12345])
        tensor([1.12])
        >>> ndgrad.set_printoptions(profile="default")
    """
    if profile is not None:
        if profile == "default":
            PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 4, 1000, 3, 80
        elif profile == "short":
            PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = 2, 1000, 2, 80
        elif profile == "full":
            PRINT_OPTS.precision, PRINT_OPTS.threshold, PRINT_OPTS.edgeitems, PRINT_OPTS.linewidth = \
                4, math.inf, 3, 80
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode  # as in torch: a call without sci_mode resets it to automatic


def get_printoptions():
    """The current print options as a dict that ``set_printoptions(**opts)`` accepts."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Temporarily change the print options (``with ndgrad.printoptions(precision=2): ...``)."""
    old = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old)


class _Formatter:
    """Chooses int / fixed / scientific mode and the column width from the values to print."""

    def __init__(self, data):
        self.floating_dtype = data.dtype.kind == "f"
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1
        flat = data.reshape(-1)
        if not self.floating_dtype:
            for value in flat.tolist():
                self.max_width = max(self.max_width, len(f"{value}"))
            return
        nonzero_finite = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero_finite.size == 0:
            return  # no valid number: int mode, width 1
        finite_abs = np.abs(nonzero_finite).astype(np.float64)  # float16 would overflow at 1e8
        fmin, fmax = float(finite_abs.min()), float(finite_abs.max())
        if np.any(nonzero_finite != np.ceil(nonzero_finite)):
            self.int_mode = False
        p = PRINT_OPTS.precision
        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = fmax / fmin > 1000.0 or fmax > 1.0e8 or fmin < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode
        values = nonzero_finite.tolist()
        if self.sci_mode:
            spec, extra = f"{{:.{p}e}}", 0
        elif self.int_mode:
            spec, extra = "{:.0f}", 1  # room for the trailing "." that marks a floating tensor
        else:
            spec, extra = f"{{:.{p}f}}", 0
        for value in values:
            self.max_width = max(self.max_width, len(spec.format(value)) + extra)

    def width(self):
        return self.max_width

    def format(self, value):
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{{:{self.max_width}.{PRINT_OPTS.precision}e}}".format(value)
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{{:.{PRINT_OPTS.precision}f}}".format(value)
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


def _complex_str(val, formatter1, formatter2):
    real_str = formatter1.format(val.real)
    imag_str = (formatter2.format(val.imag) + "j").lstrip()
    if imag_str[0] == "+" or imag_str[0] == "-":  # negative numbers, +0.0, -0.0
        return real_str + imag_str
    return real_str + "+" + imag_str


def _vector_str(data, indent, summarize, formatter1, formatter2=None):
    element_length = formatter1.width() + 2  # ", " between elements
    if formatter2 is not None:
        element_length += formatter2.width() + 1  # the imaginary part and its "j"
    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))

    def fmt(val):
        if formatter2 is not None:
            return _complex_str(val, formatter1, formatter2)
        return formatter1.format(val)

    edge = PRINT_OPTS.edgeitems
    if summarize and not edge:
        items = ["..."]
    elif summarize and data.shape[0] > 2 * edge:
        items = ([fmt(v) for v in data[:edge].tolist()] + [" ..."] +
                 [fmt(v) for v in data[-edge:].tolist()])
    else:
        items = [fmt(v) for v in data.tolist()]
    lines = [", ".join(items[i:i + elements_per_line]) for i in range(0, len(items), elements_per_line)]
    return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(data, indent, summarize, formatter1, formatter2=None):
    dim = data.ndim
    if dim == 0:
        value = data.item()
        if formatter2 is not None:
            return _complex_str(value, formatter1, formatter2)
        return formatter1.format(value)
    if dim == 1:
        return _vector_str(data, indent, summarize, formatter1, formatter2)
    edge = PRINT_OPTS.edgeitems
    n = data.shape[0]
    if summarize and n > 2 * edge:
        rows = list(range(edge)) + [None] + list(range(n - edge, n))
    else:
        rows = range(n)
    slices = ["..." if i is None else
              _tensor_str_with_formatter(data[i], indent + 1, summarize, formatter1, formatter2)
              for i in rows]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _summarized_data(data):
    """The values a summarised print shows (the formatter's width depends only on those)."""
    dim = data.ndim
    edge = PRINT_OPTS.edgeitems
    if dim == 0:
        return data
    if dim == 1:
        if data.shape[0] > 2 * edge:
            return np.concatenate((data[:edge], data[-edge:]))  # [-0:] is everything, as in torch
        return data
    if not edge:
        return np.empty((0,) * dim, dtype=data.dtype)
    n = data.shape[0]
    rows = list(range(edge)) + list(range(n - edge, n)) if n > 2 * edge else range(n)
    return np.stack([_summarized_data(data[i]) for i in rows])


def _tensor_str(data, indent):
    if data.size == 0:
        return "[]"
    summarize = data.size > PRINT_OPTS.threshold
    if data.dtype.kind == "c":
        shown = _summarized_data(data) if summarize else data
        real_formatter = _Formatter(np.ascontiguousarray(shown.real))
        imag_formatter = _Formatter(np.ascontiguousarray(shown.imag))
        return _tensor_str_with_formatter(data, indent, summarize, real_formatter, imag_formatter)
    formatter = _Formatter(_summarized_data(data) if summarize else data)
    return _tensor_str_with_formatter(data, indent, summarize, formatter)


def _add_suffixes(tensor_str, suffixes, indent, force_newline=False):
    parts = [tensor_str]
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix)
        if force_newline or last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
            force_newline = False
        else:
            parts.append(", " + suffix)
            last_line_len += suffix_len + 2
    parts.append(")")
    return "".join(parts)


def _is_plain(t):
    """torch prints ``tensor(`` for Tensor and Parameter, ``ClassName(`` for other subclasses."""
    cls = type(t)
    return cls.__name__ in ("Tensor", "Parameter") and cls.__module__.startswith("ndgrad")


def tensor_repr(t, *, tensor_contents=None):
    """``repr(t)`` exactly as torch writes it."""
    prefix = "tensor(" if _is_plain(t) else f"{type(t).__name__}("
    indent = len(prefix)
    suffixes = []
    data = t._data
    dt = _dtype._FROM_NP[data.dtype]
    default = _dtype.default.value
    has_default_dtype = dt is default or dt is default.to_complex() or dt is _dtype.int64 or dt is _dtype.bool
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append("size=" + str(tuple(data.shape)))
        # no element shows whether an empty tensor is integral: every non-default dtype is printed
        if dt is not default:
            suffixes.append("dtype=" + repr(dt))
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(data.shape)))
        if not has_default_dtype:
            suffixes.append("dtype=" + repr(dt))
        tensor_str = _tensor_str(data, indent)
    if tensor_contents is not None:
        tensor_str = tensor_contents
    fn = t.grad_fn
    if fn is not None:
        suffixes.append(f"grad_fn=<{fn.name()}>")
    elif t._rg:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + tensor_str, suffixes, indent)
