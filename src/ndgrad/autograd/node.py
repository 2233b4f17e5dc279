"""Graph nodes: the ``grad_fn`` objects that the forward pass records.

A node is created by an op when one of its inputs requires grad. It holds

* ``next_functions``: one ``(node, output_nr)`` edge per differentiable input (``(None, 0)`` when
  that input needs no gradient), exactly as torch exposes it;
* ``saved``: the tensors (or small values) its backward formula needs, with the version each
  tensor had when it was saved, so backward can detect a later in-place modification;
* ``backward(grad)``: the formula, written with ndgrad's own ops so that it is itself
  differentiable (``create_graph=True``). It returns one gradient per input, of the *output's*
  broadcast shape if convenient: the engine reduces it to the input's shape (see ``_in_meta``).

Class names follow torch (``MulBackward0``), because users print and compare them.
Rarely used attributes (hooks, anomaly trace, metadata) live in the instance ``__dict__`` with class
defaults, so creating a node on the hot path only sets the few slots it needs.
"""
import itertools

import numpy as np

from . import grad_mode as _gm

_FREED = object()  # marks saved tensors released after backward
_PLAIN = {float, int, bool, complex, type(None), np.ndarray, tuple, list, str}  # saved values without versions
_seq = itertools.count()
_mode = _gm._mode
# Active saved-tensor hooks ``[(pack_hook, unpack_hook), ...]`` (autograd.graph.saved_tensors_hooks; the
# innermost pair applies). The list object never changes, so ``if _hook_stack`` is the only hot-path cost.
_hook_stack = []
_PACKED = object()  # ``_versions`` of a node whose tensors went through a pack hook (forces ``_unpack``)


class Node:
    __slots__ = ("next_functions", "saved", "_versions", "_seq", "_in_meta", "_out_idx", "__dict__", "__weakref__")
    # ``_versions`` is only read when ``saved`` is non-empty, so nodes that save nothing skip it.

    # Class defaults for rarely set attributes (instances override them in __dict__).
    _pre_hooks = None      # {output_nr: [fn(grad) -> grad | None]} from Tensor.register_hook
    _retained = None       # {output_nr: weakref to tensor} from Tensor.retain_grad
    _hooks = None          # [fn(grad_inputs, grad_outputs)] from Node.register_hook
    _node_prehooks = None  # [fn(grad_outputs)] from Node.register_prehook
    _trace = None          # forward stack recorded in anomaly mode
    _has_hooks = False     # any of the hook containers above is set (one check on the hot path)
    num_outputs = 1
    materialize_grads = True  # multi-output nodes get zeros for outputs that received no gradient

    def __init__(self, *edges):
        self.next_functions = edges
        self.saved = ()
        self._in_meta = None
        self._out_idx = -1  # index in ``saved`` of this node's own output, if saved
        self._seq = next(_seq)
        if _mode.record_stack:
            import traceback
            self._trace = "".join(traceback.format_stack()[:-2])

    # -- recording --------------------------------------------------------------------------
    def save(self, *items):
        """Save tensors (or plain values) for backward, remembering each tensor's version."""
        if _hook_stack:
            return _save_packed(self, items)
        self.saved = items
        versions = [None if x.__class__ in _PLAIN else x._vc[0] for x in items]
        # None when nothing saved is a tensor, so backward skips the version check entirely
        self._versions = versions if versions.count(None) != len(versions) else None

    def save_output(self, out, *others):
        """Save ``others`` plus this node's own output without a reference cycle: the output is
        kept as a detached alias and re-attached to this node when backward builds a graph."""
        alias = out.detach()  # shares data and version counter
        self.save(*others, alias)
        self._out_idx = len(others)

    # -- running ----------------------------------------------------------------------------
    def backward(self, grad):  # pragma: no cover - every op overrides it
        raise NotImplementedError(f"{type(self).__name__} has no backward formula")

    def _unpack(self):
        """Check saved tensors were not modified in place since they were saved."""
        saved = self.saved
        if saved is _FREED:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors "
                "after they have already been freed). Saved intermediate values of the graph are freed "
                "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
                "backward through the graph a second time or if you need to access saved tensors after "
                "calling backward.")
        versions = self._versions
        if versions is _PACKED:
            saved = _unpack_packed(self)
        elif versions is not None:
            i = 0
            for x, v in zip(saved, versions):
                if v is not None and x._vc[0] != v:
                    _raise_modified(self, i, x, v)
                i += 1
        if self._out_idx >= 0 and _gm._mode.enabled:
            out = saved[self._out_idx]
            if out.grad_fn is None:  # re-attach the output so double backward flows through it
                out.grad_fn = self
                out._rg = True

    def release(self):
        if self.saved:
            self.saved = _FREED

    # -- torch's public Node API ------------------------------------------------------------
    def name(self):
        return type(self).__name__

    @property
    def needs_input_grad(self):
        return tuple(fn is not None for fn, _ in self.next_functions)

    @property
    def metadata(self):
        md = self.__dict__.get("_metadata")
        if md is None:
            md = self.__dict__["_metadata"] = {}
        return md

    def register_hook(self, fn):
        """``fn(grad_inputs, grad_outputs)`` runs after this node; may return new grad_inputs."""
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(fn)
        self._has_hooks = True
        return RemovableHandle(self._hooks, fn)

    def register_prehook(self, fn):
        """``fn(grad_outputs)`` runs before this node; may return new grad_outputs."""
        if self._node_prehooks is None:
            self._node_prehooks = []
        self._node_prehooks.append(fn)
        self._has_hooks = True
        return RemovableHandle(self._node_prehooks, fn)

    def __call__(self, *grads):
        """Run the formula directly (as torch allows ``y.grad_fn(g)``)."""
        self._unpack()
        return self.backward(grads[0] if self.num_outputs == 1 else grads)

    def __repr__(self):
        return f"<{self.name()} object at {hex(id(self))}>"


class _Packed:
    """A saved tensor as a pack hook returned it, with the hook that restores it."""

    __slots__ = ("value", "unpack")

    def __init__(self, value, unpack):
        self.value = value
        self.unpack = unpack


def _save_packed(node, items):
    """``Node.save`` while saved-tensor hooks are active: each tensor goes through the innermost
    pack hook now; ``_unpack`` calls the unpack hook every time backward needs the tensors. As in
    torch, no version check is made for tensors saved through hooks (the hooks own the value)."""
    from .._tensor import Tensor
    pack, unpack = _hook_stack[-1]
    active = _hook_stack[:]
    _hook_stack.clear()  # ops run by the pack hook itself save normally (no recursion)
    try:
        packed = tuple(_Packed(pack(x), unpack) if isinstance(x, Tensor) else x for x in items)
    finally:
        _hook_stack[:] = active
    node.__dict__["_packed"] = packed
    node.saved = packed
    node._versions = _PACKED


class _LazyUnpacked(tuple):
    """``saved`` of a custom Function's node under hooks: the unpack hooks run each time
    ``ctx.saved_tensors`` iterates it (once per access, as torch), not when the engine checks it."""

    __slots__ = ()

    def __iter__(self):
        return iter(_unpacked(tuple.__iter__(self)))


def _unpack_packed(node):
    packed = node.__dict__["_packed"]
    if getattr(type(node), "_fn_cls", None) is not None:  # autograd.Function node: unpack on access
        node.saved = _LazyUnpacked(packed)
        return node.saved
    node.saved = out = _unpacked(packed)
    return out


def _unpacked(packed):
    from .._tensor import Tensor
    out = []
    for p in packed:
        if p.__class__ is _Packed:
            t = p.unpack(p.value)
            if not isinstance(t, Tensor):
                raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but got result of type "
                                f"{type(t).__name__}")
            p = t
        out.append(p)
    return tuple(out)


def _raise_modified(node, index, tensor, expected):
    """torch's message for a saved tensor modified in place, plus where the modification happened."""
    d = tensor._data
    names = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor", "int64": "LongTensor",
             "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor", "uint8": "ByteTensor",
             "bool": "BoolTensor"}
    kind = f"[torch.{names.get(d.dtype.name, d.dtype.name)} {list(d.shape)}]"
    producer = node if index == node._out_idx else tensor.grad_fn
    # In-place ops replaced the tensor's grad_fn after it was saved; each took the old history as its
    # first input, so walk back to the node that existed when ``node`` saved the tensor.
    while producer is not None and producer is not node and producer._seq > node._seq and producer.next_functions:
        producer = producer.next_functions[0][0]
    which = f", which is output {tensor._out_nr if producer is tensor.grad_fn else 0} of {producer.name()}," \
        if producer is not None else ""
    vc = tensor._vc
    where = f" The in-place modification happened at {vc[1]}." if len(vc) > 1 else ""
    raise RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: {kind}{which} is at version {vc[0]}; expected version {expected} instead.{where} "
        f"(The tensor was saved by {node.name()}.) Hint: clone the tensor before modifying it in place, "
        "or compute the modification out of place.")


class AccumulateGrad(Node):
    """The node at a leaf that requires grad: its 'backward' accumulates into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        Node.__init__(self)
        self.variable = variable

    def release(self):  # nothing saved; the leaf must stay reachable for later backward calls
        pass


class RemovableHandle:
    """Returned by ``register_hook``; ``handle.remove()`` unregisters the hook."""

    __slots__ = ("_container", "_fn")

    def __init__(self, container, fn):
        self._container = container
        self._fn = fn

    def remove(self):
        c = self._container
        if isinstance(c, dict):
            for lst in c.values():
                if self._fn in lst:
                    lst.remove(self._fn)
        elif self._fn in c:
            c.remove(self._fn)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()
