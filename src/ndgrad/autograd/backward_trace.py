"""Trace the backward pass: what each node received and produced, how long it took, where it came
from.

    with ndgrad.autograd.trace() as t:
        loss = model(x)          # optional: nodes created inside also remember their source line
        loss.backward()
    t.summary()                  # top nodes by time and by saved memory
    t.first_nonfinite()          # the first node whose gradient became NaN/Inf

Nodes created while a trace is active remember the forward line that created them; nodes created
before it show "(created before tracing started)".
"""
import time

import numpy as np

from . import grad_mode as _gm
from .inspect_graph import saved_bytes, _human

__all__ = ["trace", "TraceRecord"]


def _stats(grads):
    """(shape, dtype, L2 norm, finite) for each gradient tensor (None stays None)."""
    out = []
    for g in grads:
        if g is None:
            out.append(None)
            continue
        d = g._data
        finite = bool(np.isfinite(d).all()) if d.dtype.kind in "fc" else True
        norm = float(np.sqrt(np.sum(np.abs(d.astype(np.float64)) ** 2))) if d.size else 0.0
        out.append((tuple(d.shape), d.dtype.name, norm, finite))
    return out


def _source_line(node):
    stack = node._trace
    if not stack:
        return "(created before tracing started)"
    import os
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    frames = [f for f in stack.rstrip().split("\n  File ") if pkg not in f.split("\n", 1)[0]]
    if not frames:
        return "(inside ndgrad)"
    last = frames[-1].strip().removeprefix("File ")
    head, _, code = last.partition("\n")
    return f"{head.strip()}: {code.strip()}" if code else head.strip()


class TraceRecord:
    """One executed node: ``name``, ``grad_in`` (gradients it received, per output),
    ``grad_out`` (gradients it produced, per input), ``seconds``, ``saved_bytes``, ``source``."""

    __slots__ = ("index", "name", "grad_in", "grad_out", "seconds", "saved_bytes", "source")

    def __init__(self, index, name, grad_in, grad_out, seconds, saved, source):
        self.index, self.name = index, name
        self.grad_in, self.grad_out = grad_in, grad_out
        self.seconds, self.saved_bytes, self.source = seconds, saved, source

    @property
    def nonfinite(self):
        return any(s is not None and not s[3] for s in self.grad_out)

    def __repr__(self):
        return f"<TraceRecord #{self.index} {self.name} {self.seconds * 1e6:.0f} us>"


class trace:
    """Context manager recording every node the backward pass runs (see module docstring)."""

    def __init__(self):
        self.records = []
        self._prev = None

    def __enter__(self):
        mode = _gm._mode
        self._prev = mode.tracer
        mode.tracer = self
        mode.refresh()
        return self

    def __exit__(self, *exc):
        mode = _gm._mode
        mode.tracer = self._prev
        mode.refresh()
        return False

    # -- called by the engine --------------------------------------------------------------------
    def node(self, node, grads_out, run, retain_graph):
        saved = saved_bytes(node)
        grad_in = _stats(grads_out)
        start = time.perf_counter()
        result = run(node, grads_out, retain_graph)
        seconds = time.perf_counter() - start
        self.records.append(TraceRecord(len(self.records), node.name(), grad_in, _stats(result), seconds, saved,
                                        _source_line(node)))
        return result

    def leaf(self, node, grad, run, create_graph):
        start = time.perf_counter()
        run(node, grad, create_graph)
        seconds = time.perf_counter() - start
        v = node.variable
        self.records.append(TraceRecord(len(self.records), node.name(), _stats([grad]), _stats([grad]), seconds, 0,
                                        f"leaf of shape {list(v.shape)}"))

    # -- reading ---------------------------------------------------------------------------------
    def first_nonfinite(self):
        """The first record (in execution order) whose produced gradient holds NaN or Inf, or None."""
        for r in self.records:
            if r.nonfinite:
                return r
        return None

    @property
    def total_seconds(self):
        return sum(r.seconds for r in self.records)

    def table(self, top=10):
        """The summary as text."""
        def fmt_grads(stats):
            parts = []
            for s in stats:
                if s is None:
                    parts.append("-")
                else:
                    parts.append(f"{list(s[0])} {s[1]} |{s[2]:.3g}|" + ("" if s[3] else " NONFINITE"))
            return ", ".join(parts)

        lines = [f"backward trace: {len(self.records)} nodes, {self.total_seconds * 1e3:.2f} ms"]
        lines.append(f"{'#':>4}  {'node':<28}{'time':>10}  {'saved':>10}  gradient produced")
        by_time = sorted(self.records, key=lambda r: -r.seconds)[:top]
        lines.append(f"-- top {len(by_time)} by time")
        for r in by_time:
            lines.append(f"{r.index:>4}  {r.name:<28}{r.seconds * 1e3:>8.3f}ms  {_human(r.saved_bytes):>10}  "
                         f"{fmt_grads(r.grad_out)}")
        by_mem = sorted((r for r in self.records if r.saved_bytes), key=lambda r: -r.saved_bytes)[:top]
        if by_mem:
            lines.append(f"-- top {len(by_mem)} by saved memory")
            for r in by_mem:
                lines.append(f"{r.index:>4}  {r.name:<28}{r.seconds * 1e3:>8.3f}ms  {_human(r.saved_bytes):>10}  "
                             f"{r.source}")
        bad = self.first_nonfinite()
        if bad is not None:
            lines.append(f"first non-finite gradient: #{bad.index} {bad.name} (created at {bad.source})")
        return "\n".join(lines)

    def summary(self, top=10):
        """Print the table of top nodes by time and by saved memory."""
        print(self.table(top))
