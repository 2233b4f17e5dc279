"""Reading a recorded graph: walk it, and account for the memory its nodes hold.

``walk(output)`` lists every node reachable from ``output.grad_fn`` through ``next_functions``
(iteratively, each node once, in a deterministic order) with its edges; the visualiser and
``saved_memory`` are built on it.
"""
import numpy as np

from .node import AccumulateGrad, _FREED

__all__ = ["walk", "saved_bytes", "saved_memory", "SavedMemory"]


def _roots(outputs):
    from .._tensor import Tensor
    if isinstance(outputs, Tensor):
        outputs = [outputs]
    roots = []
    for t in outputs:
        fn = t.grad_fn
        if fn is None and t.requires_grad:
            fn = t._grad_accumulator()
        if fn is not None:
            roots.append(fn)
    return roots


def walk(outputs):
    """Nodes reachable from ``outputs`` (tensor or list) and the edges ``(input_node, node)``.

    The node order is a depth-first pre-order from the roots; edges follow ``next_functions``.
    """
    roots = _roots(outputs)
    order, edges, seen = [], [], set()
    stack = list(reversed(roots))
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        order.append(node)
        for nxt, _ in reversed(node.next_functions):
            if nxt is not None:
                if id(nxt) not in seen:
                    stack.append(nxt)
    for node in order:
        for nxt, _ in node.next_functions:
            if nxt is not None:
                edges.append((nxt, node))
    return order, edges


def saved_bytes(node):
    """Bytes of the arrays a node holds for its backward formula (each array counted once)."""
    saved = node.saved
    if not saved or saved is _FREED:
        return 0
    total, seen = 0, set()
    for x in saved:
        data = getattr(x, "_data", x if isinstance(x, np.ndarray) else None)
        if isinstance(data, np.ndarray) and id(data) not in seen:
            seen.add(id(data))
            total += data.nbytes
    return total


class SavedMemory:
    """Result of ``saved_memory``: ``total`` bytes and ``per_node`` ``[(node_name, bytes), ...]``."""

    def __init__(self, per_node):
        self.per_node = per_node
        self.total = sum(b for _, b in per_node)

    def __int__(self):
        return self.total

    def top(self, k=10):
        return sorted(self.per_node, key=lambda item: -item[1])[:k]

    def __repr__(self):
        lines = [f"saved tensors: {_human(self.total)} in {sum(1 for _, b in self.per_node if b)} of "
                 f"{len(self.per_node)} nodes"]
        for name, b in self.top(5):
            if b:
                lines.append(f"  {name:<28} {_human(b)}")
        return "\n".join(lines)


def saved_memory(output):
    """Bytes held by saved tensors in the graph behind ``output``, per node and in total.

    Before ``backward()`` this is what the backward pass will need; after a backward without
    ``retain_graph`` the saved tensors are freed and the total is zero.

    Example:
        >>> m = ndgrad.autograd.saved_memory(loss)
        >>> m.total, m.top(3)
    """
    order, _ = walk(output)
    return SavedMemory([(n.name(), saved_bytes(n)) for n in order if type(n) is not AccumulateGrad])


def _human(n):
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"
