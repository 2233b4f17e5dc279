"""The backward pass: an iterative walk of the recorded graph with the chain rule.

1. Discover every node reachable from the roots and count, for each, how many edges feed it
   (its dependencies). No recursion, so a chain of 100,000 ops is fine.
2. If only some inputs are wanted (``inputs=`` / ``autograd.grad``), keep only the nodes that lie on
   a path to one of them: nothing upstream of a frozen or unwanted tensor is computed.
3. Run nodes from a max-heap on creation order (torch's order: a node always runs after every node
   created later that feeds it), summing incoming gradients per (node, output) in a buffer.
4. Reduce each returned gradient to its input's shape and dtype (broadcasting is undone here, in
   one place, so formulas stay pure), run hooks, accumulate into leaves, free saved tensors.
"""
import heapq
import sys

import numpy as np

from . import grad_mode as _gm
from .node import AccumulateGrad, _FREED


def _wrap(data):
    # bound on first use: _tensor imports this package, so a module-level import would be circular
    global _wrap
    from .._tensor import _wrap
    return _wrap(data)


def _sum_to_shape(grad, shape, node, index):
    """Sum a broadcast gradient back to ``shape``: leading axes first, then size-1 axes."""
    gshape = grad.shape
    if gshape == shape:
        return grad
    lead = len(gshape) - len(shape)
    if lead < 0:
        return _shape_error(node, index, gshape, shape)
    axes = list(range(lead))
    for i, n in enumerate(shape):
        g = gshape[lead + i]
        if n == 1 and g != 1:
            axes.append(lead + i)
        elif n != g:
            return _shape_error(node, index, gshape, shape)
    if axes:
        grad = grad.sum(dim=tuple(axes), keepdim=False)
    if tuple(grad.shape) != shape:
        grad = grad.reshape(shape)
    return grad


def _shape_error(node, index, gshape, shape):
    raise RuntimeError(
        f"Function {node.name()} returned an invalid gradient at index {index} - got "
        f"{list(gshape)} but expected shape compatible with {list(shape)}")


def _fix_grads(node, grads):
    """Bring each gradient to its input's shape and dtype as recorded by the op (``_in_meta``)."""
    meta = node._in_meta
    out = list(grads)
    for i, (shape, np_dtype) in enumerate(meta):
        g = out[i]
        if g is None or shape is None:
            continue
        if tuple(g.shape) != shape:
            g = _sum_to_shape(g, shape, node, i)
        if np_dtype is not None and g._data.dtype != np_dtype:
            if g._data.dtype.kind == "c" and np_dtype.kind != "c":
                g = g.real  # a real input of a complex result: the real part (no cast warning), as torch
            g = g.to(np_dtype)
        out[i] = g
    return out


# References to a leaf's incoming gradient when nothing but the engine holds it: the ready list in
# run_backward, the arguments of _run_leaf and _accumulate, and getrefcount's own argument.
_ONLY_ENGINE_REFS = 4


def _sole_owner(data):
    """Whether ``data`` is the only handle on its memory: no other array references it, and if it
    is a reshaped view (a backward formula's ``out.reshape(shape)``), its base is referenced by
    nothing but this view and spans exactly the same elements."""
    if sys.getrefcount(data) > 4:      # the caller's local, grad._data, this argument, getrefcount's
        return False
    base = data.base
    if base is None:
        return True
    return (type(base) is np.ndarray and base.base is None and base.size == data.size
            and sys.getrefcount(base) <= 3)   # data.base, the local name, getrefcount's argument


def _accumulate(leaf, grad, create_graph):
    """Add ``grad`` into ``leaf.grad`` (a new tensor the first time; in place afterwards)."""
    old = leaf._grad
    if create_graph:
        leaf._grad = grad if old is None else old + grad
        return
    data = grad._data
    if old is None:
        if (data.dtype == leaf._data.dtype and data.flags.c_contiguous and _sole_owner(data)
                and sys.getrefcount(grad) <= _ONLY_ENGINE_REFS):
            # Only the engine holds this freshly computed array (torch's "steal the gradient"):
            # take it as is instead of copying.
            leaf._grad = _wrap(data)
        else:
            # Own a contiguous copy with the leaf's dtype: the gradient may be shared (``a + b``
            # hands one object to both leaves; a hook or the caller may keep it), and later
            # accumulation writes into ``.grad`` in place.
            leaf._grad = _wrap(np.array(data, dtype=leaf._data.dtype, copy=True, order="C"))
    elif old._rg:
        leaf._grad = old + grad.detach()
    else:
        np.add(old._data, data, out=old._data, casting="unsafe")
        old._vc[0] += 1


def _zeros_for(node, k):
    """A zero gradient for output k of a multi-output node that received none."""
    shape, dt = node.output_meta[k]
    return _wrap(np.zeros(shape, dtype=dt))


def _key(node, nr):
    """Buffer key of output ``nr`` of ``node`` (the node itself for output 0: no tuple to build)."""
    return node if nr == 0 else (node, nr)


def run_backward(roots, root_grads, retain_graph, create_graph, inputs=None, accumulate=True,
                 allow_unused=False):
    """Backpropagate ``root_grads`` from the ``roots`` tensors.

    With ``accumulate`` the leaves' ``.grad`` are updated (``Tensor.backward``); otherwise the
    gradients reaching ``inputs`` are returned in order (``autograd.grad``).
    """
    buffers = {}
    deps = {}
    for t, g in zip(roots, root_grads):
        fn = t.grad_fn
        if fn is None:
            if not t._rg:
                raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
            fn = t._grad_accumulator()
        key = _key(fn, t._out_nr)
        buffers[key] = buffers[key] + g if key in buffers else g
        if fn not in deps:
            deps[fn] = 0

    # 1. discovery with dependency counts
    stack = list(deps)
    while stack:
        node = stack.pop()
        for nxt, _ in node.next_functions:
            if nxt is not None:
                if nxt in deps:
                    deps[nxt] += 1
                else:
                    deps[nxt] = 1
                    stack.append(nxt)

    # 2. restrict to paths that reach the wanted inputs
    captures = None
    needed = None
    results = None
    if inputs is not None:
        captures = {}
        targets = []
        for i, t in enumerate(inputs):
            fn = t.grad_fn
            key = _key(fn, t._out_nr) if fn is not None else t._grad_accumulator()
            captures.setdefault(key, []).append(i)
            targets.append(fn if fn is not None else key)
        needed = _nodes_reaching(deps, targets)
        results = [None] * len(inputs)

    heap = [(-fn._seq, fn) for fn, count in deps.items() if count == 0]
    heapq.heapify(heap)
    pop, push = heapq.heappop, heapq.heappush
    mode = _gm._mode
    prev_enabled = mode.enabled
    mode.enabled = create_graph
    node = None  # the next node to run when it is the only one ready (skips the heap on chains)
    try:
        while node is not None or heap:
            if node is None:
                node = pop(heap)[1]
            n_out = node.num_outputs
            if n_out == 1:
                grads_out = [buffers.pop(node, None)]
            else:
                grads_out = [buffers.pop(_key(node, k), None) for k in range(n_out)]
            grads_in = None
            if needed is None or node in needed:
                # like torch, autograd.grad captures a non-leaf input's gradient before that tensor's
                # hooks run, and a leaf's after its hooks
                leaf = type(node) is AccumulateGrad
                if captures is not None and not leaf:
                    for k, g in enumerate(grads_out):
                        for i in captures.get(_key(node, k), ()):
                            results[i] = g
                if node._has_hooks:
                    grads_out = _run_tensor_hooks(node, grads_out)
                if captures is not None and leaf:
                    for i in captures.get(node, ()):
                        results[i] = grads_out[0]
                if grads_out[0] is None and (n_out == 1 or all(g is None for g in grads_out)):
                    pass
                elif type(node) is AccumulateGrad:
                    if accumulate and (captures is None or node in captures):
                        if mode.tracer is not None:
                            mode.tracer.leaf(node, grads_out[0], _run_leaf, create_graph)
                        else:
                            _run_leaf(node, grads_out[0], create_graph)
                elif n_out == 1 and node._in_meta is None and not node._has_hooks and not mode.slow:
                    # the common case, inlined: one output, no shape/dtype fix-up, no hooks
                    saved = node.saved
                    if saved and (node._versions is not None or saved is _FREED or node._out_idx >= 0):
                        node._unpack()
                    grads_in = node.backward(grads_out[0])
                    if type(grads_in) is not tuple:
                        grads_in = _as_grad_tuple(node, grads_in)
                    elif len(grads_in) != len(node.next_functions):
                        _wrong_count(node, grads_in)
                    if not retain_graph and saved:
                        node.saved = _FREED
                elif mode.tracer is not None:
                    grads_in = mode.tracer.node(node, grads_out, _run_node, retain_graph)
                else:
                    grads_in = _run_node(node, grads_out, retain_graph)
            if grads_in is None and not retain_graph and node.saved and (needed is None or node in needed):
                node.release()  # a pruned node keeps its buffers for a later backward, as in torch
            ready = None
            for idx, (nxt, nr) in enumerate(node.next_functions):
                if nxt is None:
                    continue
                if grads_in is not None:
                    g = grads_in[idx]
                    if g is not None:
                        key = nxt if nr == 0 else (nxt, nr)
                        prev = buffers.get(key)
                        buffers[key] = g if prev is None else prev + g
                d = deps[nxt] - 1
                deps[nxt] = d
                if d == 0:
                    if ready is not None:
                        push(heap, (-ready._seq, ready))
                    ready = nxt
            g = grads_in = None  # drop our references: a leaf may then take its gradient without a copy
            node = None
            if ready is not None:
                if heap and -heap[0][0] > ready._seq:
                    push(heap, (-ready._seq, ready))
                else:
                    node = ready
    finally:
        mode.enabled = prev_enabled

    if results is not None:
        for i, r in enumerate(results):
            if r is None and not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior.")
            if r is not None and not create_graph and r._rg:
                results[i] = _wrap(r._data)
    return results


def _nodes_reaching(deps, targets):
    """Nodes from which some target node is reachable (targets included)."""
    parents = {}
    for node in deps:
        for nxt, _ in node.next_functions:
            if nxt is not None:
                parents.setdefault(nxt, []).append(node)
    needed = set(t for t in targets if t in deps)
    stack = list(needed)
    while stack:
        n = stack.pop()
        for p in parents.get(n, ()):
            if p not in needed:
                needed.add(p)
                stack.append(p)
    return needed


def _run_tensor_hooks(node, grads_out):
    """Hooks registered with ``Tensor.register_hook`` and ``retain_grad`` on this node's outputs."""
    pre = node._pre_hooks
    if pre is None and node._retained is None and node._node_prehooks is None:
        return grads_out
    if pre:
        for k, hooks in pre.items():
            g = grads_out[k]
            if g is None:
                continue
            for h in list(hooks):
                r = h(g)
                if r is not None:
                    g = r
            grads_out[k] = g
    if node._retained:
        for k, ref in node._retained.items():
            t = ref()
            g = grads_out[k]
            if t is not None and g is not None:
                if t._grad is None or _gm._mode.enabled:
                    t._grad = g if _gm._mode.enabled else g.detach().clone()
                else:
                    t._grad = t._grad + g
    if node._node_prehooks:
        for h in node._node_prehooks:
            r = h(tuple(grads_out))
            if r is not None:
                grads_out = list(r)
    return grads_out


def _run_leaf(node, grad, create_graph):
    if grad is None:
        return
    leaf = node.variable
    if tuple(grad.shape) != tuple(leaf._data.shape):
        grad = _sum_to_shape(grad, tuple(leaf._data.shape), node, 0)
    _accumulate(leaf, grad, create_graph)
    if leaf._post_acc_hooks is not None:  # Tensor.register_post_accumulate_grad_hook
        for hook in list(leaf._post_acc_hooks):
            hook(leaf)


def _as_grad_tuple(node, result):
    result = tuple(result) if type(result) is list else (result,)
    if len(result) != len(node.next_functions):
        _wrong_count(node, result)
    return result


def _wrong_count(node, result):
    raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients (expected "
                       f"{len(node.next_functions)}, got {len(result)})")


def _run_node(node, grads_out, retain_graph):
    saved = node.saved
    if saved:
        if node._versions is not None or saved is _FREED or node._out_idx >= 0:
            node._unpack()
    if node.num_outputs == 1:
        result = node.backward(grads_out[0])
    else:
        if node.materialize_grads:
            for k, g in enumerate(grads_out):
                if g is None:
                    grads_out[k] = _zeros_for(node, k)
        result = node.backward(grads_out)
    if type(result) is not tuple:
        result = tuple(result) if type(result) is list else (result,)
    if len(result) != len(node.next_functions):
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients (expected "
            f"{len(node.next_functions)}, got {len(result)})")
    if node._in_meta is not None:
        result = _fix_grads(node, result)
    if node._hooks:
        for h in node._hooks:
            r = h(tuple(result), tuple(grads_out))
            if r is not None:
                result = list(r)
    if _gm._mode.anomaly:
        from .anomaly import check_node_output  # noqa: PLC0415  (debug path only)
        check_node_output(node, result)
    if not retain_graph and node.saved:
        node.release()
    return result
