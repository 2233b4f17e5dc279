"""Stochastic Weight Averaging and EMA of weights (torch.optim.swa_utils's API and numbers).

* ``AveragedModel`` keeps a copy of a model whose parameters (and optionally buffers) are a running
  average of the model's: equal weights (SWA) by default, or any ``avg_fn`` / ``multi_avg_fn``,
  e.g. ``get_ema_multi_avg_fn(0.999)`` for an exponential moving average.
* ``SWALR`` anneals each group's lr to a constant ``swa_lr``.
* ``update_bn`` recomputes BatchNorm running statistics with one pass over a loader.

Example:
    >>> swa_model = AveragedModel(model)
    >>> swa_sched = SWALR(opt, swa_lr=0.05)
    >>> for epoch in range(100):
    ...     train_one_epoch(model, opt)
    ...     if epoch >= 75:
    ...         swa_model.update_parameters(model); swa_sched.step()
    >>> update_bn(loader, swa_model)
"""
import itertools
import math
import warnings
from copy import deepcopy

from .. import _dtype
from .._tensor import Tensor
from ..autograd import grad_mode as _gm
from ..nn.modules.module import Module
from ..nn.modules.normalization import _BatchNorm
from ..ops.creation import tensor as _tensor
from ._lr_base import LRScheduler, _format_param

__all__ = ["AveragedModel", "update_bn", "SWALR", "get_ema_multi_avg_fn", "get_swa_multi_avg_fn",
           "get_ema_avg_fn", "get_swa_avg_fn"]


def _is_float_or_complex(t):
    return t.is_floating_point() or t.is_complex()


def _check_decay(decay):
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def get_ema_multi_avg_fn(decay=0.999):
    """An in-place EMA update over lists of tensors: ``ema ← decay·ema + (1 - decay)·current``.

    For use as ``AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.999))``. Floating tensors
    are updated with ``lerp_`` (weight ``1 - decay``), others with the plain formula.
    """
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _):
        with _gm.no_grad():
            if _is_float_or_complex(ema_param_list[0]):
                for p_ema, p_model in zip(ema_param_list, current_param_list):
                    p_ema.lerp_(p_model, 1 - decay)
            else:
                for p_ema, p_model in zip(ema_param_list, current_param_list):
                    p_ema.copy_(p_ema * decay + p_model * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn():
    """An in-place equal-weight running average over lists of tensors:
    ``avg ← avg + (current - avg) / (n + 1)`` with ``n`` the number of models averaged so far."""

    def swa_update(averaged_param_list, current_param_list, num_averaged):
        with _gm.no_grad():
            if _is_float_or_complex(averaged_param_list[0]):
                weight = 1 / (num_averaged + 1)  # a 0-d float32 tensor when n is a tensor, as in torch
                for p_avg, p_model in zip(averaged_param_list, current_param_list):
                    p_avg.lerp_(p_model, weight)
            else:
                for p_avg, p_model in zip(averaged_param_list, current_param_list):
                    diff = p_model - p_avg
                    if isinstance(num_averaged, Tensor):
                        p_avg.addcdiv_(diff, num_averaged + 1)
                    else:
                        p_avg.add_(diff, alpha=1.0 / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay=0.999):
    """An EMA of one tensor: returns ``decay·ema + (1 - decay)·current`` (for ``avg_fn``)."""
    _check_decay(decay)

    def ema_update(ema_param, current_param, num_averaged):
        with _gm.no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn():
    """An equal-weight running average of one tensor: returns ``avg + (current - avg) / (n + 1)``."""

    def swa_update(averaged_param, current_param, num_averaged):
        with _gm.no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


def _group_by_dtype(averaged, current):
    """Pairs of lists grouped by the averaged tensors' (device, dtype), in order of first appearance."""
    groups = {}
    for a, c in zip(averaged, current):
        lists = groups.setdefault((str(a.device), a.dtype), ([], []))
        lists[0].append(a)
        lists[1].append(c)
    return list(groups.values())


class AveragedModel(Module):
    r"""A copy of ``model`` whose parameters are a running average of ``model``'s (SWA or EMA).

    ``update_parameters(model)`` copies the model's parameters the first time and averages them in
    afterwards; ``n_averaged`` (an int64 buffer, saved in ``state_dict``) counts the calls. The copy
    is stored as the submodule ``module``, so state-dict keys read ``module.<name>`` plus
    ``n_averaged``.

    Args:
        model (nn.Module): the model to average (deep-copied).
        device (optional): where to keep the averaged copy.
        avg_fn (callable, optional): ``avg_fn(averaged, current, num_averaged) -> new averaged``,
            applied per tensor.
        multi_avg_fn (callable, optional): ``multi_avg_fn(averaged_list, current_list, num_averaged)``,
            updating the averaged tensors in place. With neither, an equal-weight average (SWA).
        use_buffers (bool): average the buffers as well (default: False, in which case the buffers
            are copied from ``model`` at every update).

    Raises:
        AssertionError: when both ``avg_fn`` and ``multi_avg_fn`` are given.

    Example:
        >>> ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(0.99), use_buffers=True)
        >>> for x, y in loader:
        ...     train_step(model, x, y); ema.update_parameters(model)
    """

    def __init__(self, model, device=None, avg_fn=None, multi_avg_fn=None, use_buffers=False):
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        self.register_buffer("n_averaged", _tensor(0, dtype=_dtype.int64, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        """Run the averaged copy."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model):
        """Average ``model``'s current parameters (and buffers, with ``use_buffers``) into this copy."""
        if self.use_buffers:
            own = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
        else:
            own = self.parameters()
            theirs = model.parameters()
        with _gm.no_grad():
            averaged, current = [], []
            first = bool(self.n_averaged == 0)
            for p_avg, p_model in zip(own, theirs):
                src = p_model.detach().to(p_avg.device)
                averaged.append(p_avg.detach())
                current.append(src)
                if first:
                    p_avg.detach().copy_(src)
            if self.n_averaged > 0:
                if self.multi_avg_fn is not None or self.avg_fn is None:
                    for avg_list, cur_list in _group_by_dtype(averaged, current):
                        n = self.n_averaged.to(avg_list[0].device)
                        if self.multi_avg_fn is not None:
                            self.multi_avg_fn(avg_list, cur_list, n)
                        else:  # on the CPU torch averages tensor by tensor with get_swa_avg_fn
                            fn = get_swa_avg_fn()
                            for p_avg, p_model in zip(avg_list, cur_list):
                                p_avg.copy_(fn(p_avg, p_model, n))
                else:
                    for p_avg, p_model in zip(averaged, current):
                        n = self.n_averaged.to(p_avg.device)
                        p_avg.detach().copy_(self.avg_fn(p_avg.detach(), p_model, n))
            if not self.use_buffers:
                # buffers are not averaged: keep them equal to the model's
                for b_avg, b_model in zip(self.module.buffers(), model.buffers(), strict=True):
                    b_avg.detach().copy_(b_model.detach().to(b_avg.device))
            self.n_averaged += 1


def update_bn(loader, model, device=None):
    r"""Recompute the BatchNorm running statistics of ``model`` with one pass over ``loader``.

    Every BatchNorm layer's running mean/var are reset and re-estimated as a cumulative average
    over the batches (``momentum=None`` during the pass); afterwards the momenta and the model's
    training mode are restored. Runs without gradient tracking.

    Args:
        loader (iterable): batches, each a tensor or a list/tuple whose first element is the input.
        model (nn.Module): the model whose BatchNorm statistics to update.
        device (optional): move each input there before the forward pass.

    Example:
        >>> update_bn(train_loader, swa_model)
    """
    with _gm.no_grad():
        momenta = {}
        for module in model.modules():
            if isinstance(module, _BatchNorm):
                module.reset_running_stats()
                momenta[module] = module.momentum
        if not momenta:
            return
        was_training = model.training
        model.train()
        for module in momenta:
            module.momentum = None
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
        for module, momentum in momenta.items():
            module.momentum = momentum
        model.train(was_training)


class SWALR(LRScheduler):
    r"""Anneal each group's learning rate to ``swa_lr`` over ``anneal_epochs`` epochs, then hold it.

    At step ``t`` (counted from construction) the lr is
    ``swa_lr·α(t) + lr₀·(1 - α(t))`` with ``α(t) = f(min(1, t / anneal_epochs))`` and ``f`` the
    cosine ``(1 - cos(π x)) / 2`` or the identity (``"linear"``). ``lr₀`` is recovered from the
    current lr at every step (chainable form), so other schedulers can run before SWALR takes over.

    Args:
        optimizer (Optimizer): the wrapped optimizer.
        swa_lr (float or list): target lr, for all groups or one per group (stored as
            ``group['swa_lr']``).
        anneal_epochs (int): epochs of annealing (default: 10); 0 switches at once.
        anneal_strategy (str): ``"cos"`` or ``"linear"`` (default: ``"cos"``).
        last_epoch (int): index of the last epoch (default: -1).

    Example:
        >>> sched = SWALR(opt, swa_lr=0.05, anneal_epochs=5, anneal_strategy="linear")
        >>> for epoch in range(20):
        ...     train(...); sched.step()
    """

    def __init__(self, optimizer, swa_lr, anneal_epochs=10, anneal_strategy="cos", last_epoch=-1):
        swa_lrs = _format_param("swa_lr", optimizer, swa_lr)
        for value, group in zip(swa_lrs, optimizer.param_groups):
            group["swa_lr"] = value
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t):
        return t

    @staticmethod
    def _cosine_anneal(t):
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        # invert lr = swa_lr·α + lr₀·(1 - α) for lr₀
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def _set_anneal_func(self, anneal_strategy):
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def get_lr(self):
        """The lrs for the current step (call ``get_last_lr()`` to read the last ones)."""
        if not self._get_lr_called_within_step:
            warnings.warn("To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                          UserWarning, stacklevel=2)
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / span)))
        start_lrs = [self._get_initial_lr(group["lr"], group["swa_lr"], prev_alpha)
                     for group in self.optimizer.param_groups]
        alpha = self.anneal_func(max(0, min(1, step / span)))
        return [group["swa_lr"] * alpha + lr * (1 - alpha)
                for group, lr in zip(self.optimizer.param_groups, start_lrs)]

    def state_dict(self):
        """Everything but the optimizer and the anneal function (restored from the strategy)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func")}

    def load_state_dict(self, state_dict):
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
