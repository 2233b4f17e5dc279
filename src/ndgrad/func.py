"""torch.func: composable function transforms (grad, vjp, jvp, jacrev, jacfwd, hessian, vmap) and
``functional_call``, on top of ndgrad's reverse-mode autograd.

How the transforms work here (torch uses functorch "levels"; ndgrad has a single tape):

* ``grad`` / ``vjp`` / ``jacrev`` give each differentiated input a fresh identity on the tape (a new
  leaf, or, when the input already takes part in an outer differentiation, a graph-connected alias),
  run the function under ``enable_grad`` and call ``autograd.grad``. When the result may be
  differentiated again (an input or a captured tensor requires grad outside the transform), the
  gradient graph is kept (``create_graph=True``); otherwise results come back detached, as torch's
  do. Nesting (``grad(grad(f))``, ``jacfwd(jacrev(f))``, ``vmap(grad(f))``) therefore composes.
* ``jvp`` uses the double-vjp trick; ``jacfwd`` computes the same Jacobian as ``jacrev`` (rows by
  reverse mode), so the results are identical.
* ``vmap`` LOOPS: it calls ``func`` once per batch element (slices taken with ``select``) and stacks
  the results along ``out_dims``. Semantics of ``in_dims``/``out_dims`` (ints, None, nested tuples,
  dicts) follow torch; ``randomness='different'`` is what a loop naturally does, ``'same'`` replays
  the RNG state for every element, ``'error'`` cannot detect random ops and behaves as 'different'.
  ``chunk_size`` is accepted and ignored.

Inputs and outputs may be pytrees of tuples, lists and dicts with tensor leaves.
"""
import numpy as np

from .autograd import grad_mode as _gm
from .autograd.api import grad as _autograd_grad
from .autograd.node import AccumulateGrad
from ._tensor import Tensor, _wrap

__all__ = ["functional_call", "grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap",
           "stack_module_state", "linearize", "functionalize", "replace_all_batch_norm_modules_"]


# -- pytrees -------------------------------------------------------------------------------------
class _Spec:
    """Structure of a pytree: ``kind`` is 'leaf', 'tuple', 'list' or 'dict'."""
    __slots__ = ("kind", "typ", "keys", "children")

    def __init__(self, kind, typ=None, keys=None, children=()):
        self.kind, self.typ, self.keys, self.children = kind, typ, keys, children

    def num_leaves(self):
        return 1 if self.kind == "leaf" else sum(c.num_leaves() for c in self.children)

    def __eq__(self, other):
        return (isinstance(other, _Spec) and self.kind == other.kind and self.typ == other.typ
                and self.keys == other.keys and list(self.children) == list(other.children))

    def __repr__(self):
        if self.kind == "leaf":
            return "*"
        if self.kind == "dict":
            return "{" + ", ".join(f"{k!r}: {c!r}" for k, c in zip(self.keys, self.children)) + "}"
        inner = ", ".join(repr(c) for c in self.children)
        return f"({inner}{',' if len(self.children) == 1 else ''})" if self.kind == "tuple" else f"[{inner}]"


def _flatten(tree):
    leaves = []

    def rec(x):
        if isinstance(x, tuple) and not hasattr(x, "_fields"):
            return _Spec("tuple", tuple, None, tuple(rec(c) for c in x))
        if isinstance(x, tuple):  # namedtuple
            return _Spec("tuple", type(x), None, tuple(rec(c) for c in x))
        if isinstance(x, list):
            return _Spec("list", list, None, tuple(rec(c) for c in x))
        if isinstance(x, dict):
            keys = tuple(x.keys())
            return _Spec("dict", type(x), keys, tuple(rec(x[k]) for k in keys))
        leaves.append(x)
        return _Spec("leaf")
    spec = rec(tree)
    return leaves, spec


def _unflatten(leaves, spec):
    it = iter(leaves)

    def rec(s):
        if s.kind == "leaf":
            return next(it)
        vals = [rec(c) for c in s.children]
        if s.kind == "dict":
            return s.typ(zip(s.keys, vals))
        if s.kind == "tuple":
            return s.typ(*vals) if s.typ is not tuple else tuple(vals)
        return list(vals)
    return rec(spec)


def _broadcast_prefix(prefix, spec):
    """Flatten ``prefix`` (a tree whose leaves apply to whole subtrees of ``spec``) to one value per
    leaf of ``spec``; None when the structures do not match."""
    out = []

    def rec(p, s):
        if not isinstance(p, (tuple, list, dict)):
            out.extend([p] * s.num_leaves())
            return True
        if s.kind == "leaf":
            return False
        if isinstance(p, dict):
            if s.kind != "dict" or set(p.keys()) != set(s.keys):
                return False
            return all(rec(p[k], c) for k, c in zip(s.keys, s.children))
        if (isinstance(p, tuple) and s.kind != "tuple") or (isinstance(p, list) and s.kind != "list"):
            return False
        if len(p) != len(s.children):
            return False
        return all(rec(pi, c) for pi, c in zip(p, s.children))
    return out if rec(prefix, spec) else None


# -- argnums ---------------------------------------------------------------------------------------
def _wrap_argnum(argnum, n):
    if not isinstance(argnum, int):
        raise RuntimeError(f"argnum must be int, got: {type(argnum)}")
    if 0 <= argnum < n:
        return argnum
    if -n <= argnum < 0:
        return argnum + n
    raise RuntimeError(f"Got argnum={argnum}, but only {n} positional inputs")


def _normalize_argnums(argnums, n):
    if not isinstance(argnums, (int, tuple)):
        raise RuntimeError(f"argnums must be int or Tuple[int, ...], got: {type(argnums)}")
    if isinstance(argnums, int):
        return _wrap_argnum(argnums, n)
    argnums = tuple(_wrap_argnum(a, n) for a in argnums)
    if len(argnums) == 0:
        raise RuntimeError("argnums must be non-empty")
    if len(set(argnums)) != len(argnums):
        raise RuntimeError(f"argnums elements must be unique, got {argnums}")
    return argnums


def _slice_args(args, argnums):
    if argnums is None:
        return tuple(args)
    return args[argnums] if isinstance(argnums, int) else tuple(args[i] for i in argnums)


def _replace_args(args, new, argnums):
    if argnums is None:
        return tuple(new)
    if isinstance(argnums, int):
        return tuple(new if i == argnums else a for i, a in enumerate(args))
    return tuple(new[argnums.index(i)] if i in argnums else a for i, a in enumerate(args))


# -- one differentiation "level" -------------------------------------------------------------------
def _zeros_like(t):
    return _wrap(np.zeros_like(t._data))


def _reaches_other_leaves(outputs, fresh):
    """Does the graph of ``outputs`` reach a leaf requiring grad other than the fresh inputs? (then
    the caller is differentiating through a captured tensor and the graph must be kept)."""
    fresh_ids = {id(t) for t in fresh}
    stack, seen = [], set()
    for o in outputs:
        if not isinstance(o, Tensor):
            continue
        if o.grad_fn is None:
            if o.requires_grad and id(o) not in fresh_ids:
                return True
        else:
            stack.append(o.grad_fn)
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if type(node) is AccumulateGrad:
            if id(node.variable) not in fresh_ids:
                return True
            continue
        for nxt, _ in node.next_functions:
            if nxt is not None and id(nxt) not in seen:
                stack.append(nxt)
    return False


class _Level:
    """Runs ``func`` on fresh differentiable copies of the selected arguments."""

    def __init__(self, func, args, kwargs, argnums, has_aux, api, aux_msg):
        self.outer_enabled = _gm.is_grad_enabled()
        with _gm.enable_grad():
            diff = _slice_args(args, argnums)
            flat, self.in_spec = _flatten(diff)
            fresh = []
            aliased = False
            for t in flat:
                if not isinstance(t, Tensor):
                    raise ValueError(f"Thing passed to transform API must be Tensor, got {type(t)}")
                if self.outer_enabled and t.requires_grad:
                    fresh.append(t.view_as(t))
                    aliased = True
                else:
                    fresh.append(t.detach().requires_grad_(True))
            self.fresh = fresh
            out = func(*_replace_args(args, _unflatten(fresh, self.in_spec), argnums), **kwargs)
            self.aux = None
            if has_aux:
                if not (isinstance(out, tuple) and len(out) == 2):
                    raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) "
                                       "if has_aux is True")
                out, self.aux = out
        self.out = out
        self.flat_out, self.out_spec = _flatten(out)
        self.keep = self.outer_enabled and (aliased or _reaches_other_leaves(self.flat_out, fresh) or
                                            (has_aux and _reaches_other_leaves(_flatten(self.aux)[0], fresh)))

    def grads(self, outputs, cotangents, retain_graph=True, create_graph=None):
        """Gradients of ``outputs`` (weighted by ``cotangents``) w.r.t. the fresh inputs, one per input
        (zeros for inputs the outputs do not depend on)."""
        if create_graph is None:
            create_graph = self.keep
        pairs = [(o, c) for o, c in zip(outputs, cotangents) if o.requires_grad]
        with _gm.enable_grad():
            if pairs:
                gs = _autograd_grad([p[0] for p in pairs], self.fresh, [p[1] for p in pairs],
                                    retain_graph=retain_graph or create_graph, create_graph=create_graph,
                                    allow_unused=True)
            else:
                gs = [None] * len(self.fresh)
        res = [g if g is not None else _zeros_like(f) for g, f in zip(gs, self.fresh)]
        return res if create_graph else [g.detach() for g in res]

    def finish(self, tree):
        """Detach a result tree unless it must stay differentiable for an outer transform."""
        if self.keep:
            return tree
        leaves, spec = _flatten(tree)
        return _unflatten([x.detach() if isinstance(x, Tensor) else x for x in leaves], spec)


def _ones_like(t):
    return _wrap(np.ones_like(t._data))


# -- grad ------------------------------------------------------------------------------------------
def _grad_and_value(func, argnums, has_aux, args, kwargs):
    argnums = _normalize_argnums(argnums, len(args))
    lvl = _Level(func, args, kwargs, argnums, has_aux, "grad_and_value(f)(*args)", None)
    out = lvl.out
    if not isinstance(out, Tensor):
        raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got {type(out)}")
    if out.dim() != 0:
        raise RuntimeError(f"grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got tensor "
                           f"with {out.dim()} dims. Maybe you wanted to use the vjp or jacrev APIs instead?")
    gs = lvl.grads([out], [_ones_like(out)], retain_graph=lvl.keep)
    g = _unflatten(gs, lvl.in_spec)
    value = lvl.finish(out)
    if has_aux:
        return g, (value, lvl.finish(lvl.aux))
    return g, value


def grad_and_value(func, argnums=0, has_aux=False):
    """Like :func:`grad` but returns ``(gradient, value)`` (``(gradient, (value, aux))`` with has_aux)."""
    def wrapper(*args, **kwargs):
        return _grad_and_value(func, argnums, has_aux, args, kwargs)
    wrapper.__name__ = getattr(func, "__name__", "grad_and_value")
    return wrapper


def grad(func, argnums=0, has_aux=False):
    """``grad(f)(x)`` is the gradient of the scalar ``f(x)`` w.r.t. ``x`` (or the arguments chosen by
    ``argnums``; a pytree of gradients for a pytree argument).

    Example:
        >>> ndgrad.func.grad(lambda x: (x ** 2).sum())(ndgrad.tensor([1., 2.]))
        tensor([2., 4.])
    """
    def wrapper(*args, **kwargs):
        g, value = _grad_and_value(func, argnums, has_aux, args, kwargs)
        return (g, value[1]) if has_aux else g
    wrapper.__name__ = getattr(func, "__name__", "grad")
    return wrapper


# -- vjp / jvp -------------------------------------------------------------------------------------
def _check_tensor_outputs(flat, api):
    if len(flat) < 1 or (len(flat) == 1 and flat[0] is None):
        raise RuntimeError(f"{api}: Expected f to be a function that has non-empty output (got output = {flat})")
    for o in flat:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got unsupported type "
                               f"{type(o)}")


def vjp(func, *primals, has_aux=False):
    """Returns ``(func(*primals), vjp_fn)``; ``vjp_fn(cotangents)`` is the tuple of vector-Jacobian
    products, one per primal (``(output, vjp_fn, aux)`` with has_aux)."""
    lvl = _Level(func, primals, {}, None, has_aux, "vjp(f, *primals)", None)
    _check_tensor_outputs(lvl.flat_out, "vjp(f, *primals)")
    for o in lvl.flat_out:
        if not (o.is_floating_point() or o.is_complex()):
            raise RuntimeError("vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got "
                               f"Tensor with dtype {o.dtype}")

    def vjp_fn(cotangents, retain_graph=True, create_graph=None):
        flat_ct, ct_spec = _flatten(cotangents)
        if ct_spec != lvl.out_spec:
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of "
                               f"outputs to the function. cotangents: {ct_spec}, primal output: {lvl.out_spec}")
        if create_graph is None:
            create_graph = lvl.keep or (_gm.is_grad_enabled() and any(c.requires_grad for c in flat_ct))
        return _unflatten(lvl.grads(lvl.flat_out, flat_ct, retain_graph, create_graph), lvl.in_spec)

    out = lvl.finish(lvl.out)
    if has_aux:
        return out, vjp_fn, lvl.finish(lvl.aux)
    return out, vjp_fn


def _jvp_impl(func, primals, tangents, strict, has_aux):
    api = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{api}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals).")
    flat_p, p_spec = _flatten(primals)
    flat_t, t_spec = _flatten(tangents)
    if p_spec != t_spec:
        raise RuntimeError(f"{api}: Expected primals and tangents to have the same python structure. For "
                           "example, if primals is a tuple of 3 tensors, tangents also must be. Got primals with "
                           f"structure {p_spec} and tangents with structure {t_spec}")
    for name, flat in (("primals", flat_p), ("tangents", flat_t)):
        if not flat:
            raise RuntimeError(f"{api}: Expected {name} to contain at least one Tensor.")
        for x in flat:
            if not isinstance(x, Tensor):
                raise RuntimeError(f"{api}: Expected {name} to only contain Tensors, got {type(x)}")
    for p, t in zip(flat_p, flat_t):
        if tuple(p.shape) != tuple(t.shape):
            raise RuntimeError(f"{api}: Expected primals and tangents to have the same shape, got "
                               f"{tuple(p.shape)} and {tuple(t.shape)}")
    lvl = _Level(func, primals, {}, None, has_aux, api, None)
    for o in lvl.flat_out:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: expected f(*args) to return only tensors, got unsupported type {type(o)}")
    keep = lvl.keep or (lvl.outer_enabled and any(t.requires_grad for t in flat_t))
    with _gm.enable_grad():
        us = [_zeros_like(o).requires_grad_(True) for o in lvl.flat_out]
        pairs = [(o, u) for o, u in zip(lvl.flat_out, us) if o.requires_grad]
        if pairs:
            gs = _autograd_grad([p[0] for p in pairs], lvl.fresh, [p[1] for p in pairs], retain_graph=True,
                                create_graph=True, allow_unused=True)
        else:
            gs = [None] * len(lvl.fresh)
        gpairs = [(g, t) for g, t in zip(gs, flat_t) if g is not None and g.requires_grad]
        if gpairs:
            res = _autograd_grad([p[0] for p in gpairs], us, [p[1] for p in gpairs], retain_graph=keep,
                                 create_graph=keep, allow_unused=True)
        else:
            res = [None] * len(us)
    if strict and all(r is None for r in res):
        raise RuntimeError("jvp(f, primals, tangents, strict=True): The output of f is independent of the inputs. "
                           "This is not allowed with strict=True.")
    res = [r if r is not None else _zeros_like(o) for r, o in zip(res, lvl.flat_out)]
    if not keep:
        res = [r.detach() for r in res]
    out = lvl.finish(lvl.out)
    tang = _unflatten(res, lvl.out_spec)
    if has_aux:
        return out, tang, lvl.finish(lvl.aux)
    return out, tang


def jvp(func, primals, tangents, *, strict=False, has_aux=False):
    """Returns ``(func(*primals), J @ tangents)`` (computed as the derivative of a vjp w.r.t. its
    cotangent, so the numbers equal forward mode's)."""
    return _jvp_impl(func, primals, tangents, strict, has_aux)


def linearize(func, *primals):
    """Returns ``(func(*primals), jvp_fn)`` with ``jvp_fn(*tangents)`` the JVP at ``primals``."""
    out = func(*primals)

    def jvp_fn(*tangents):
        return _jvp_impl(func, primals, tangents, False, False)[1]
    return out, jvp_fn


# -- Jacobians -------------------------------------------------------------------------------------
def _jacobian(func, argnums, has_aux, args, kwargs, api):
    argnums = _normalize_argnums(argnums, len(args))
    for x in _flatten(args)[0]:
        if isinstance(x, Tensor) and x.is_complex():
            raise RuntimeError(f"{api}: Expected all inputs to be real but received complex tensor")
    lvl = _Level(func, args, kwargs, argnums, has_aux, f"{api}(f, ...)(*args)", None)
    _check_tensor_outputs(lvl.flat_out, f"{api}(f, ...)(*args)")
    flat_in = lvl.fresh
    per_output = []
    for oi, o in enumerate(lvl.flat_out):
        n = o.numel()
        rows = [[] for _ in flat_in]
        base = np.zeros(n, dtype=o._data.dtype)
        for k in range(n):
            e = base.copy()
            e[k] = 1
            ct = _wrap(e.reshape(o._data.shape))
            gs = lvl.grads([o], [ct], retain_graph=True)
            for i, g in enumerate(gs):
                rows[i].append(g)
        jacs = []
        from .ops.joining import stack
        for i, inp in enumerate(flat_in):
            shape = tuple(o.shape) + tuple(inp.shape)
            if rows[i]:
                j = stack(rows[i], 0).reshape(shape)
            else:
                j = _wrap(np.zeros(shape, dtype=inp._data.dtype))
            jacs.append(j)
        per_output.append(_unflatten(jacs, lvl.in_spec))
    res = _unflatten(per_output, lvl.out_spec)
    if has_aux:
        return res, lvl.finish(lvl.aux)
    return res


def jacrev(func, argnums=0, *, has_aux=False, chunk_size=None, _preallocate_and_copy=False):
    """Jacobian of ``func`` w.r.t. the ``argnums`` arguments by reverse mode: for an output of shape
    ``O`` and input of shape ``I`` the result has shape ``O + I`` (pytrees: output structure outside,
    input structure inside).

    Example:
        >>> ndgrad.func.jacrev(ndgrad.sin)(ndgrad.zeros(2))
        tensor([[1., 0.],
                [0., 1.]])
    """
    if chunk_size is not None and chunk_size <= 0:
        raise ValueError("jacrev: `chunk_size` should be greater than 0.")

    def wrapper(*args, **kwargs):
        return _jacobian(func, argnums, has_aux, args, kwargs, "jacrev")
    wrapper.__name__ = getattr(func, "__name__", "jacrev")
    return wrapper


def jacfwd(func, argnums=0, has_aux=False, *, randomness="error"):
    """Jacobian of ``func`` (same layout and numbers as :func:`jacrev`; ndgrad computes it by reverse
    mode as well)."""
    _check_randomness(randomness)

    def wrapper(*args, **kwargs):
        return _jacobian(func, argnums, has_aux, args, kwargs, "jacfwd")
    wrapper.__name__ = getattr(func, "__name__", "jacfwd")
    return wrapper


def hessian(func, argnums=0):
    """Hessian of a scalar ``func``: ``jacfwd(jacrev(func, argnums), argnums)``."""
    return jacfwd(jacrev(func, argnums), argnums)


# -- vmap ------------------------------------------------------------------------------------------
def _check_randomness(randomness):
    if randomness not in ("error", "different", "same"):
        raise RuntimeError(f"Only allowed values for randomness are 'error', 'different', or 'same'. Got "
                           f"{randomness}")


def _fname(func):
    return getattr(func, "__name__", repr(func))


def vmap(func, in_dims=0, out_dims=0, randomness="error", *, chunk_size=None):
    """Vectorise ``func`` over a batch dimension: ``vmap(f)(x)[i] == f(x[i])``.

    ndgrad LOOPS over the batch (one ``func`` call per element) and stacks the outputs, so the results
    and gradients are those of torch's vmap but there is no speed-up. ``in_dims`` / ``out_dims``:
    an int, None (not batched) or a (nested) tuple / dict matching the inputs / outputs.

    Example:
        >>> ndgrad.func.vmap(ndgrad.dot)(ndgrad.ones(3, 2), ndgrad.ones(3, 2))
        tensor([2., 2., 2.])
    """
    _check_randomness(randomness)
    if chunk_size is not None and (not isinstance(chunk_size, int) or chunk_size <= 0):
        raise ValueError(f"vmap: chunk_size should be None or greater than 0. (got {chunk_size})")

    def wrapped(*args, **kwargs):
        name = _fname(func)
        if not isinstance(in_dims, (int, tuple)) or isinstance(in_dims, bool):
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int or a "
                             f"(potentially nested) tuple matching the structure of inputs, got: {type(in_dims)}.")
        if len(args) == 0:
            raise ValueError(f"vmap({name})(<inputs>): got no inputs. Maybe you forgot to add inputs, or you are "
                             "trying to vmap over a function with no inputs. The latter is unsupported.")
        flat_args, spec = _flatten(args)
        flat_dims = _broadcast_prefix(in_dims, spec)
        if flat_dims is None:
            raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible with the "
                             f"structure of `inputs`. in_dims has structure {_flatten(in_dims)[1]} but inputs has "
                             f"structure {spec}.")
        sizes = []
        dims = []
        for a, d in zip(flat_args, flat_dims):
            if d is None:
                dims.append(None)
                continue
            if not isinstance(d, int) or isinstance(d, bool):
                raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input but "
                                 "in_dim must be either an integer dimension or None.")
            if not isinstance(a, Tensor):
                raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for an input but "
                                 f"the input is of type {type(a)}. We cannot vmap over non-Tensor arguments, please "
                                 "use None as the respective in_dim")
            nd = a.dim()
            if not -nd <= d < nd:
                raise ValueError(f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some input, "
                                 f"but that input is a Tensor of dimensionality {nd} so expected in_dim to satisfy "
                                 f"-{nd} <= in_dim < {nd}.")
            d = d % nd
            dims.append(d)
            sizes.append(a.shape[d])
        if not sizes:
            raise ValueError("vmap: Expected at least one Tensor to vmap over")
        if any(s != sizes[0] for s in sizes):
            raise ValueError("vmap: Expected all tensors to have the same size in the mapped dimension, got sizes "
                             f"{sizes} for the mapped dimension")
        batch = sizes[0]
        rng_state = None
        if randomness == "same":
            from . import get_rng_state
            rng_state = get_rng_state()
        results = []
        for b in range(batch):
            if rng_state is not None:
                from . import set_rng_state
                set_rng_state(rng_state)
            leaves = [a if d is None else a.select(d, b) for a, d in zip(flat_args, dims)]
            results.append(func(*_unflatten(leaves, spec), **kwargs))
        return _stack_outputs(results, out_dims, name)
    wrapped.__name__ = _fname(func)
    return wrapped


def _stack_outputs(results, out_dims, name):
    from .ops.joining import stack
    flats = [_flatten(r) for r in results]
    out_spec = flats[0][1]
    if not isinstance(out_dims, (int, tuple, list, dict)) and out_dims is not None:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims}): `out_dims` must be an int, None or a python "
                         "collection of ints representing where in the outputs the vmapped dimension should appear.")
    flat_od = _broadcast_prefix(out_dims, out_spec)
    if flat_od is None:
        raise ValueError(f"vmap({name}, ..., out_dims={out_dims})(<inputs>): out_dims is not compatible with the "
                         f"structure of `outputs`. out_dims has structure {_flatten(out_dims)[1]} but outputs has "
                         f"structure {out_spec}.")
    out = []
    for i, od in enumerate(flat_od):
        items = [f[0][i] for f in flats]
        if od is None:
            out.append(items[0])
            continue
        if not isinstance(items[0], Tensor):
            raise ValueError(f"vmap({name}, ...): `{name}` must only return Tensors, got type {type(items[0])}. "
                             "Did you mean to set out_dims= to None for output?")
        out.append(stack(items, od))
    return _unflatten(out, out_spec)


# -- modules ---------------------------------------------------------------------------------------
def functional_call(module, parameter_and_buffer_dicts, args=None, kwargs=None, *, tie_weights=True, strict=False):
    """Call ``module(*args, **kwargs)`` with its parameters and buffers replaced by the given tensors
    (dotted names as in ``state_dict``; a dict or a sequence of dicts with disjoint keys).

    Example:
        >>> m = nn.Linear(3, 1)
        >>> params = {k: v.detach() for k, v in m.named_parameters()}
        >>> ndgrad.func.functional_call(m, params, (ndgrad.ones(2, 3),)).shape
        torch.Size([2, 1])
    """
    from .nn.utils.stateless import _functional_call
    if isinstance(parameter_and_buffer_dicts, dict):
        pb = parameter_and_buffer_dicts
    elif isinstance(parameter_and_buffer_dicts, (list, tuple)):
        if not all(isinstance(d, dict) for d in parameter_and_buffer_dicts):
            raise ValueError("Expected all elements of parameter_and_buffer_dicts to be dictionaries")
        counts = {}
        for d in parameter_and_buffer_dicts:
            for k in d:
                counts[k] = counts.get(k, 0) + 1
        repeated = [k for k, n in counts.items() if n > 1]
        if repeated:
            raise ValueError(f"{repeated} appeared in multiple dictionaries; behavior of functional call is "
                             "ambiguous")
        pb = {k: v for d in parameter_and_buffer_dicts for k, v in d.items()}
    else:
        raise ValueError("Expected parameter_and_buffer_dicts to be a dict, or a list/tuple of dicts, but got "
                         f"{type(parameter_and_buffer_dicts)}")
    return _functional_call(module, pb, args, kwargs, tie_weights=tie_weights, strict=strict)


def stack_module_state(models):
    """``(params, buffers)``: each a dict name -> the models' tensors stacked along a new dim 0 (stacked
    parameters are fresh leaves requiring grad), for ``vmap`` over ``functional_call``."""
    models = list(models)
    if len(models) == 0:
        raise RuntimeError("stack_module_state: Expected at least one model, got 0.")
    if not (all(m.training for m in models) or all(not m.training for m in models)):
        raise RuntimeError("stack_module_state: Expected all models to have the same training/eval mode.")
    if not all(type(m) is type(models[0]) for m in models):
        raise RuntimeError("stack_module_state: Expected all models to be of the same class.")

    def stacked(tensors, name):
        from .ops.joining import stack
        all_rg = all(t.requires_grad for t in tensors)
        if not all_rg and any(t.requires_grad for t in tensors):
            raise RuntimeError(f"Expected {name} from each model to have the same .requires_grad")
        with _gm.no_grad():
            res = stack(list(tensors))
        return res.requires_grad_() if all_rg else res

    all_params = [dict(m.named_parameters()) for m in models]
    all_buffers = [dict(m.named_buffers()) for m in models]
    params = {k: stacked([p[k] for p in all_params], k) for k in all_params[0]}
    buffers = {k: stacked([b[k] for b in all_buffers], k) for k in all_buffers[0]}
    return params, buffers


def functionalize(func, *, remove="mutations"):
    """Eager ndgrad has no separate functional form of a program: returns ``func`` unchanged in effect."""
    if remove not in ("mutations", "mutations_and_views"):
        raise RuntimeError(f"functionalize(f, remove='mutations'): received invalid argument for remove={remove}. "
                           "Valid options are:\n     remove='mutations': all inplace and out= operators will be "
                           "removed from the program, and replaced with their out-of-place equivalents.\n     "
                           "remove='mutations_and_views': In addition to the above, all aliasing operators {view} "
                           "will be replaced with their non-aliasing counterparts, {view}_copy.\n")

    def wrapped(*args, **kwargs):
        return func(*args, **kwargs)
    wrapped.__name__ = _fname(func)
    return wrapped


def replace_all_batch_norm_modules_(root):
    """In place: make every batch norm of ``root`` stop tracking running statistics."""
    for m in root.modules():
        if hasattr(m, "track_running_stats") and "running_mean" in m._buffers:
            m.running_mean = None
            m.running_var = None
            m.num_batches_tracked = None
            m.track_running_stats = False
    return root
