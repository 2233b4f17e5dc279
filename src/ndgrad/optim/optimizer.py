"""Optimizer: the base class every optimizer shares (torch.optim.Optimizer's API and layout).

An optimizer holds ``param_groups`` (a list of dicts: ``'params'`` plus every hyperparameter, the
defaults filled in) and ``state`` (a dict keyed by parameter, holding buffers such as
``exp_avg`` and a ``step`` counter stored as a 0-d tensor like torch 2). ``state_dict()`` packs
both in torch's layout, with parameters replaced by their position::

    {'state': {0: {'step': tensor(3.), 'exp_avg': tensor(...), ...}, ...},
     'param_groups': [{'lr': 0.001, ..., 'params': [0, 1]}]}

Subclasses implement ``step`` by doing the update math directly on the NumPy arrays behind the
parameters (``p._data``) with in-place ufuncs, writing temporaries into reusable work arrays
(``self._tmp``), and bumping each parameter's version counter once per update. That keeps an
optimizer step close to the cost of the arithmetic itself. torch's ``foreach``, ``fused``,
``capturable`` and ``differentiable`` flags are accepted (and stored in the groups, so state dicts
match torch's) but select no special path.
"""
import copy
import functools
import itertools
import warnings
from collections import OrderedDict, defaultdict

import numpy as np

from .. import _dtype
from .._tensor import Tensor, _wrap
from ..autograd import grad_mode as _gm

__all__ = ["Optimizer", "required", "register_optimizer_step_pre_hook",
           "register_optimizer_step_post_hook"]


class _RequiredParameter:
    """Singleton marking a hyperparameter without default (torch.optim.optimizer.required)."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()

_global_pre_hooks = OrderedDict()
_global_post_hooks = OrderedDict()


class _RemovableHandle:
    """Returned by the ``register_*_hook`` methods; ``handle.remove()`` unregisters the hook."""

    _next_id = 0

    def __init__(self, hooks_dict):
        self.hooks_dict = hooks_dict
        self.id = _RemovableHandle._next_id
        _RemovableHandle._next_id += 1

    def remove(self):
        self.hooks_dict.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _register(hooks, hook, prepend=False):
    handle = _RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    return handle


def register_optimizer_step_pre_hook(hook):
    """Register ``hook(optimizer, args, kwargs)`` to run before every optimizer's ``step``."""
    return _register(_global_pre_hooks, hook)


def register_optimizer_step_post_hook(hook):
    """Register ``hook(optimizer, args, kwargs)`` to run after every optimizer's ``step``."""
    return _register(_global_post_hooks, hook)


def _typename(obj):
    """torch.typename: ``torch.FloatTensor`` for tensors, ``int``, ``numpy.ndarray`` otherwise."""
    if isinstance(obj, Tensor):
        return obj.type()
    cls = obj if isinstance(obj, type) else type(obj)
    module = cls.__module__ or ""
    return cls.__qualname__ if module in ("", "builtins") else f"{module}.{cls.__qualname__}"


def _with_step_hooks(step):
    """Wrap a subclass's ``step`` so registered pre/post hooks run around it (as torch does)."""

    @functools.wraps(step)
    def wrapper(self, *args, **kwargs):
        if self._in_step:  # a subclass's step calling super().step(): the hooks already ran
            return step(self, *args, **kwargs)
        self._opt_called = True  # lets LR schedulers warn when they are stepped first
        self._in_step = True
        try:
            if self._optimizer_step_pre_hooks or _global_pre_hooks:
                for hook in itertools.chain(list(_global_pre_hooks.values()),
                                            list(self._optimizer_step_pre_hooks.values())):
                    result = hook(self, args, kwargs)
                    if result is not None:
                        if not (isinstance(result, tuple) and len(result) == 2):
                            raise RuntimeError(f"{step} must return None or a tuple of (new_args, new_kwargs), "
                                               f"but got {result}.")
                        args, kwargs = result
            out = step(self, *args, **kwargs)
            if self._optimizer_step_post_hooks or _global_post_hooks:
                for hook in itertools.chain(list(self._optimizer_step_post_hooks.values()),
                                            list(_global_post_hooks.values())):
                    hook(self, args, kwargs)
        finally:
            self._in_step = False
        return out

    wrapper._hooked = True
    return wrapper


def _real(a):
    """A complex array seen as real pairs (torch's view_as_real), so updates act per component."""
    return a.view(a.real.dtype) if a.dtype.kind == "c" else a


def _scalar_tensor(value=0.0):
    """A 0-d float tensor for scalar state such as ``step`` (float64 iff that is the default dtype,
    float32 otherwise, like torch's ``_get_scalar_dtype``)."""
    return _wrap(np.array(value, dtype=np.float64 if _dtype.default.np == np.float64 else np.float32))


def _zeros_state(p):
    """A state buffer of zeros shaped like parameter ``p``."""
    return _wrap(np.zeros_like(p._data))


def _grad_for_update(d, g, maximize, weight_decay):
    """The gradient an update uses: ``-g`` when maximizing, plus ``weight_decay * param``.

    Returns ``g`` itself when nothing changes, otherwise a new array (``p.grad`` is never modified).
    """
    if maximize:
        g = np.negative(g)
        if weight_decay != 0:
            g += d * weight_decay
        return g
    if weight_decay != 0:
        out = d * weight_decay
        out += g
        return out
    return g


class Optimizer:
    """Base class for all optimizers.

    Args:
        params (iterable): tensors to optimize, ``(name, tensor)`` pairs, or dicts defining
            parameter groups (each with a ``'params'`` entry and optional hyperparameters).
        defaults (dict): default hyperparameters, used where a group does not specify them.

    Example:
        >>> opt = ndgrad.optim.SGD([{'params': [w]}, {'params': [b], 'lr': 0.1}], lr=0.01)
        >>> loss = (w * x + b).sum(); loss.backward(); opt.step(); opt.zero_grad()
    """

    _scalar_state = ("step",)  # state entries kept as 0-d tensors
    # Default keys that loading fills into groups saved without them (None: all). torch's LBFGS and
    # Adafactor fill fewer, so their groups do not gain the ``differentiable`` flag that loading
    # adds to ``defaults``.
    _filled_group_defaults = None
    _in_step = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        step = cls.__dict__.get("step")
        if step is not None and not getattr(step, "_hooked", False):
            cls.step = _with_step_hooks(step)

    def __init__(self, params, defaults):
        self.defaults = defaults
        self._init_hooks()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or "
                            f"dicts, but got {_typename(params)}")
        self.state = defaultdict(dict)
        self.param_groups = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def _init_hooks(self):
        self._optimizer_step_pre_hooks = OrderedDict()
        self._optimizer_step_post_hooks = OrderedDict()
        self._optimizer_state_dict_pre_hooks = OrderedDict()
        self._optimizer_state_dict_post_hooks = OrderedDict()
        self._optimizer_load_state_dict_pre_hooks = OrderedDict()
        self._optimizer_load_state_dict_post_hooks = OrderedDict()
        self._work = {}

    # -- pickling / copying: only the data torch keeps -------------------------------------------
    def __getstate__(self):
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state):
        self.__dict__.update(state)
        for name in ("_optimizer_step_pre_hooks", "_optimizer_step_post_hooks",
                     "_optimizer_state_dict_pre_hooks", "_optimizer_state_dict_post_hooks",
                     "_optimizer_load_state_dict_pre_hooks", "_optimizer_load_state_dict_post_hooks"):
            if name not in self.__dict__:
                setattr(self, name, OrderedDict())
        self.__dict__.setdefault("_work", {})
        self.defaults.setdefault("differentiable", False)
        # Checkpoints from older versions: missing flags take the defaults, and counters saved as
        # Python numbers become 0-d tensors (torch 2 stores them as tensors).
        filled = self._filled_group_defaults
        for group in self.param_groups:
            for k, v in self.defaults.items():
                if v is not required and (filled is None or k in filled):
                    group.setdefault(k, v)
        for s in self.state.values():
            if isinstance(s, dict):
                for key in self._scalar_state:
                    if key in s and not isinstance(s[key], Tensor):
                        s[key] = _scalar_tensor(float(s[key]))

    def __repr__(self):
        s = self.__class__.__name__ + " ("
        for i, group in enumerate(self.param_groups):
            s += f"\nParameter Group {i}\n"
            for key in sorted(group.keys()):
                if key != "params":
                    s += f"    {key}: {group[key]}\n"
        return s + ")"

    # -- parameter groups ---------------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group of parameters (a dict with ``'params'`` and optional hyperparameters).

        Useful when fine-tuning: unfreeze layers and hand them to the optimizer as training goes on.
        Missing hyperparameters take the optimizer's defaults.
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the "
                            "ordering of tensors in sets will change between runs. Please use a list instead.")
        else:
            param_group["params"] = list(params)

        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names

        for param in tensors:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is " + _typename(param))
            if not self.defaults.get("differentiable", None) and not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")

        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)

        if len(tensors) != len(set(tensors)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this "
                          "will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                          "information", stacklevel=3)

        seen = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {which} to the optimizer")
        if not seen.isdisjoint(tensors):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    # -- gradients and steps ------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Reset the gradients of all optimized tensors (to None by default, else to zeros in place)."""
        for group in self.param_groups:
            for p in group["params"]:
                g = p._grad
                if g is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if g.grad_fn is not None:
                        g.detach_()
                    else:
                        g.requires_grad_(False)
                    g._data.fill(0)
                    g._vc[0] += 1

    def step(self, closure=None):
        """Perform one optimization step (implemented by each optimizer)."""
        raise NotImplementedError

    @staticmethod
    def _closure_loss(closure):
        """Run ``closure`` (which re-evaluates the model and returns the loss) with grad enabled."""
        if closure is None:
            return None
        with _gm.enable_grad():
            return closure()

    def _updates(self, group, weight_decay=None, stateful=True):
        """The parameters of ``group`` that have a gradient, as ``(state, data, direction)``.

        ``state`` is the parameter's state (``_init_state(state, p, group)`` fills it the first
        time; None when not ``stateful``); ``data`` its array, to update in place; ``direction``
        the gradient to follow: negated when the group maximizes, plus ``weight_decay * data``
        (the group's own weight decay unless given: pass 0 for decoupled decay). Once the loop
        body is done with a parameter, its version counter moves on, as after any in-place op.
        """
        maximize = group.get("maximize", False)
        wd = group.get("weight_decay", 0) if weight_decay is None else weight_decay
        states = self.state
        for p in group["params"]:
            grad = p._grad
            if grad is None:
                continue
            state = None
            if stateful:
                state = states[p]
                if not state:
                    self._init_state(state, p, group)
            d = p._data
            yield state, d, _grad_for_update(d, grad._data, maximize, wd)
            p._vc[0] += 1

    def _init_state(self, state, p, group):
        """Fill the state of a parameter seen for the first time (optimizers that keep state)."""
        raise NotImplementedError(f"{type(self).__name__} keeps no per-parameter state")

    def _tmp(self, a, k=0):
        """Work array ``k`` shaped like ``a``: one flat buffer per dtype, reused for every parameter,
        so the update math allocates nothing after the first step."""
        n = a.size
        key = (a.dtype, k)
        buf = self._work.get(key)
        if buf is None or buf.size < n:
            buf = self._work[key] = np.empty(n, a.dtype)
        return buf[:n].reshape(a.shape)

    # -- hooks --------------------------------------------------------------------------------
    def register_step_pre_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs before ``step``; it may return new (args, kwargs)."""
        return _register(self._optimizer_step_pre_hooks, hook)

    def register_step_post_hook(self, hook):
        """``hook(optimizer, args, kwargs)`` runs after ``step``."""
        return _register(self._optimizer_step_post_hooks, hook)

    def register_state_dict_pre_hook(self, hook, prepend=False):
        return _register(self._optimizer_state_dict_pre_hooks, hook, prepend)

    def register_state_dict_post_hook(self, hook, prepend=False):
        return _register(self._optimizer_state_dict_post_hooks, hook, prepend)

    def register_load_state_dict_pre_hook(self, hook, prepend=False):
        return _register(self._optimizer_load_state_dict_pre_hooks, hook, prepend)

    def register_load_state_dict_post_hook(self, hook, prepend=False):
        return _register(self._optimizer_load_state_dict_post_hooks, hook, prepend)

    # -- state dicts --------------------------------------------------------------------------
    def state_dict(self):
        """The optimizer's state in torch's layout: parameters replaced by their index.

        ``{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}``. The state
        tensors are the live buffers (not copies), as in torch.
        """
        for hook in self._optimizer_state_dict_pre_hooks.values():
            hook(self)
        mapping = {}
        start = 0

        def pack_group(group):
            nonlocal start
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                mapping.setdefault(id(p), i)
            packed["params"] = [mapping[id(p)] for p in group["params"]]
            start += len(packed["params"])
            return packed

        param_groups = [pack_group(g) for g in self.param_groups]
        packed_state = {(mapping[id(k)] if isinstance(k, Tensor) else k): v for k, v in self.state.items()}
        state_dict = {"state": packed_state, "param_groups": param_groups}
        for hook in self._optimizer_state_dict_post_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        return state_dict

    def load_state_dict(self, state_dict):
        """Load a state dict made by ``state_dict()`` (of ndgrad or, via ``ndgrad.load``, torch).

        Parameters are matched by position. State tensors are copied, cast to their parameter's
        dtype (``step`` counters keep theirs). Call it after creating LR schedulers: it restores
        the saved learning rates.
        """
        state_dict = dict(state_dict)
        for hook in self._optimizer_load_state_dict_pre_hooks.values():
            result = hook(self, state_dict)
            if result is not None:
                state_dict = result
        groups = self.param_groups
        saved_groups = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size "
                             "of optimizer's group")
        id_map = dict(zip(itertools.chain.from_iterable(g["params"] for g in saved_groups),
                          itertools.chain.from_iterable(g["params"] for g in groups)))

        def cast(param, value, key=None):
            if isinstance(value, Tensor):
                data = value._data
                if key != "step" and param.is_floating_point() and data.dtype.kind in "fc":
                    data = data.astype(param._data.dtype, copy=False)
                return _wrap(np.array(data, copy=True))
            if isinstance(value, dict):
                return {k: cast(param, v, k) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return type(value)(cast(param, v) for v in value)
            return value

        state = defaultdict(dict)
        for k, v in state_dict["state"].items():
            if k in id_map:
                param = id_map[k]
                state[param] = cast(param, v)
            else:
                state[k] = v

        def update_group(group, new_group):
            new_group["params"] = group["params"]
            if "param_names" in group and "param_names" not in new_group:
                new_group["param_names"] = group["param_names"]
            return new_group

        param_groups = [update_group(g, ng) for g, ng in zip(groups, saved_groups)]
        self.__setstate__({"state": state, "param_groups": param_groups})
        for hook in self._optimizer_load_state_dict_post_hooks.values():
            hook(self)


def check_adam_args(lr, betas, eps, weight_decay):
    """torch's validation, shared by the Adam family (Adam, AdamW, Adamax, NAdam, RAdam)."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")
