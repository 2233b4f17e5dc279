"""LBFGS: limited-memory BFGS, a quasi-Newton method that re-evaluates the model through a closure.

The parameters are handled as one flat vector (their gradients concatenated). The search direction
comes from the two-loop recursion over the last ``history_size`` pairs (s, y) of parameter and
gradient changes; the step length is either ``lr`` (times a first-step scale) or chosen by a
line search satisfying the strong Wolfe conditions.

Scalars follow torch's types: values that torch computes as 0-d tensors (dot products, the step
length after the first step's scaling, ``H_diag``, ``ro``) are NumPy scalars here, so Python's
arithmetic and ``min``/``max`` give them the same kinds and dtypes, and they are stored in the state
as 0-d tensors; those that torch keeps as Python numbers stay Python numbers.
"""
import numpy as np

from .._tensor import Tensor, _wrap
from .optimizer import Optimizer, _real

__all__ = ["LBFGS"]


def _from_state(v):
    """A state value as the step works on it: tensors as arrays (0-d ones as NumPy scalars)."""
    if isinstance(v, Tensor):
        return v._data[()] if v._data.ndim == 0 else v._data
    if isinstance(v, list):
        return [_from_state(x) for x in v]
    return v


def _to_state(v):
    """The inverse of ``_from_state``: arrays and NumPy scalars become tensors."""
    if isinstance(v, (np.ndarray, np.generic)):
        return _wrap(np.asarray(v))
    if isinstance(v, list):
        return [_to_state(x) for x in v]
    return v


def _cubic_interpolate(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to
    ``bounds`` (default: the interval between x1 and x2); the middle of the bounds when the cubic
    has no real minimizer."""
    lo, hi = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if not d2_square >= 0:
        return (lo + hi) / 2.0
    d2 = np.sqrt(d2_square)
    if x1 <= x2:  # written from the farther point, as minFunc's polyinterp does
        min_pos = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        min_pos = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(min_pos, lo), hi)


def _strong_wolfe(obj_func, x, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """Line search along ``d`` from the parameters ``x`` (loss ``f``, gradient ``g``, slope ``gtd``)
    for a step ``t`` meeting the strong Wolfe conditions: sufficient decrease (Armijo, c1) and a
    slope shrunk to at most c2 of the initial one. First brackets an acceptable step by growing
    ``t`` (cubic extrapolation), then zooms into the bracket. ``max_ls`` bounds the evaluations.

    Returns ``(loss, flat_grad, t, evaluations)`` at the best point found.
    """
    d_norm = np.abs(d).max()
    f_new, g_new = obj_func(x, t, d)
    evals = 1
    gtd_new = g_new.dot(d)

    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            # too far (not enough decrease, or worse than the last trial): the step lies between
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:  # both conditions hold: accept t
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:  # the slope turned: a minimum lies between the last two trials
            bracket, bracket_f = [t_prev, t], [f_prev, f_new]
            bracket_g, bracket_gtd = [g_prev, g_new], [gtd_prev, gtd_new]
            break
        # still descending: extrapolate, at least 1% further and at most 10 times t
        t_next = _cubic_interpolate(t_prev, f_prev, gtd_prev, t, f_new, gtd_new,
                                    bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = t, f_new, g_new, gtd_new
        t = t_next
        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

    if ls_iter == max_ls:  # out of evaluations while extrapolating: bracket from the start
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    # zoom: shrink the bracket, keeping at low_pos the trial with the smaller loss
    insuf_progress = False
    low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_interpolate(bracket[0], bracket_f[0], bracket_gtd[0],
                               bracket[1], bracket_f[1], bracket_gtd[1])
        # A trial within 10% of the bracket's ends makes little progress. The first time that is
        # tolerated (if strictly inside); then, or when t hits an end, t moves 10% inside.
        lo, hi = min(bracket), max(bracket)
        eps = 0.1 * (hi - lo)
        if min(hi - t, t - lo) < eps:
            if insuf_progress or t >= hi or t <= lo:
                t = hi - eps if abs(t - hi) < abs(t - lo) else lo + eps
                insuf_progress = False
            else:
                insuf_progress = True
        else:
            insuf_progress = False

        f_new, g_new = obj_func(x, t, d)
        evals += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1

        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low_pos]:
            # no sufficient decrease, or no better than the low end: t becomes the high end
            bracket[high_pos], bracket_f[high_pos] = t, f_new
            bracket_g[high_pos], bracket_gtd[high_pos] = g_new, gtd_new
            low_pos, high_pos = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high_pos] - bracket[low_pos]) >= 0:
                # the slope points away from the high end: the old low end becomes the high end
                bracket[high_pos], bracket_f[high_pos] = bracket[low_pos], bracket_f[low_pos]
                bracket_g[high_pos], bracket_gtd[high_pos] = bracket_g[low_pos], bracket_gtd[low_pos]
            bracket[low_pos], bracket_f[low_pos] = t, f_new
            bracket_g[low_pos], bracket_gtd[low_pos] = g_new, gtd_new

    return bracket_f[low_pos], bracket_g[low_pos], bracket[low_pos], evals


class LBFGS(Optimizer):
    r"""L-BFGS, torch.optim.LBFGS (after minFunc).

    Each ``step(closure)`` runs up to ``max_iter`` iterations (and ``max_eval`` closure calls):

        direction   d = -H g, H the inverse-Hessian estimate from the last ``history_size`` pairs
                    s = t d, y = Δg (two-loop recursion, initial scale ys / yy); d = -g at first
        step length t = min(1, 1/‖g‖₁) lr on the very first iteration, lr afterwards, or the
                    result of the strong Wolfe line search when ``line_search_fn="strong_wolfe"``
        update      θ ← θ + t d

    and stops early when max|g| ≤ tolerance_grad, when the slope g·d or the change of the
    parameters or of the loss falls under tolerance_change. The closure must clear the gradients,
    compute the loss, call ``backward()`` and return the loss; ``step`` returns the first loss.

    Only one parameter group is supported. The state (kept under the first parameter, as torch
    does) holds ``func_evals`` and ``n_iter`` (totals over all steps), ``d``, ``t``, ``old_dirs``
    (y), ``old_stps`` (s), ``ro`` (1/ys), ``H_diag``, ``prev_flat_grad``, ``prev_loss`` and ``al``.

    Args:
        params: iterable of tensors (a single group; complex ones count as pairs of reals).
        lr (float): learning rate (default: 1).
        max_iter (int): iterations per ``step`` (default: 20).
        max_eval (int): closure evaluations per ``step`` (default: max_iter * 5 // 4).
        tolerance_grad (float): stop when the largest gradient entry is at most this (default: 1e-7).
        tolerance_change (float): stop when the slope, the step or the loss change is under this
            (default: 1e-9).
        history_size (int): number of (s, y) pairs kept (default: 100).
        line_search_fn (str): ``"strong_wolfe"`` or None (default: None).

    Example:
        >>> opt = ndgrad.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")
        >>> def closure():
        ...     opt.zero_grad(); loss = loss_fn(model(x), y); loss.backward(); return loss
        >>> opt.step(closure)
    """

    # torch's LBFGS fills no flags into loaded groups
    _filled_group_defaults = ()

    def __init__(self, params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
                 history_size=100, line_search_fn=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = {"lr": lr, "max_iter": max_iter, "max_eval": max_eval, "tolerance_grad": tolerance_grad,
                    "tolerance_change": tolerance_change, "history_size": history_size,
                    "line_search_fn": line_search_fn}
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    @property
    def _params(self):
        return self.param_groups[0]["params"]

    # -- the parameters as one flat vector -------------------------------------------------------
    def _gather_flat_grad(self):
        views = []
        for p in self._params:
            if p._grad is None:
                views.append(np.zeros(_real(p._data).size, _real(p._data).dtype))
            else:
                views.append(_real(p._grad._data.reshape(-1)))
        return np.concatenate(views)

    def _add_grad(self, step_size, update):
        """θ ← θ + step_size · update, ``update`` being flat."""
        step_size = float(step_size)  # a scalar with an array: the array's dtype decides, as torch
        offset = 0
        for p in self._params:
            data = _real(p._data)
            n = data.size
            data += np.multiply(update[offset:offset + n].reshape(data.shape), step_size, out=self._tmp(data))
            offset += n
            p._vc[0] += 1

    def _clone_param(self):
        return [p._data.copy() for p in self._params]

    def _set_param(self, params_data):
        for p, data in zip(self._params, params_data):
            np.copyto(p._data, data)
            p._vc[0] += 1

    def _directional_evaluate(self, closure, x, t, d):
        """Loss and flat gradient at x + t d; the parameters are put back to x afterwards."""
        self._add_grad(t, d)
        loss = float(self._closure_loss(closure))
        flat_grad = self._gather_flat_grad()
        self._set_param(x)
        return loss, flat_grad

    def step(self, closure):
        """Run up to ``max_iter`` L-BFGS iterations; ``closure`` (required) clears the gradients,
        recomputes the loss, calls ``backward()`` and returns the loss. Returns the initial loss."""
        if len(self.param_groups) != 1:
            raise AssertionError(f"Expected exactly one param_group, but got {len(self.param_groups)}")
        group = self.param_groups[0]
        lr = group["lr"]
        lr = lr.item() if isinstance(lr, Tensor) else lr
        max_iter, max_eval = group["max_iter"], group["max_eval"]
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)

        orig_loss = self._closure_loss(closure)
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._gather_flat_grad()
        opt_cond = np.abs(flat_grad).max() <= tolerance_grad
        if opt_cond:  # already optimal
            return orig_loss

        d, t = _from_state(state.get("d")), _from_state(state.get("t"))
        old_dirs, old_stps = _from_state(state.get("old_dirs")), _from_state(state.get("old_stps"))
        ro, H_diag = _from_state(state.get("ro")), _from_state(state.get("H_diag"))
        prev_flat_grad, prev_loss = _from_state(state.get("prev_flat_grad")), state.get("prev_loss")
        al = _from_state(state.get("al"))

        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1

            # -- direction ------------------------------------------------------------------
            if state["n_iter"] == 1:
                d = np.negative(flat_grad)
                old_dirs, old_stps, ro = [], [], []
                H_diag = 1
            else:
                y = np.subtract(flat_grad, prev_flat_grad)
                s = np.multiply(d, float(t))
                ys = y.dot(s)
                if ys > 1e-10:  # keep the pair only where the curvature is positive
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)  # scale of the initial inverse Hessian
                num_old = len(old_dirs)
                if al is None:
                    al = [None] * history_size
                    state["al"] = None  # the key's place in the state follows torch's
                # two-loop recursion, in a single buffer: d = -H g
                q = np.negative(flat_grad)
                for i in range(num_old - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q -= np.multiply(old_dirs[i], float(al[i]), out=self._tmp(q))
                d = r = np.multiply(q, float(H_diag))
                for i in range(num_old):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r += np.multiply(old_stps[i], float(al[i] - be_i), out=self._tmp(r))

            if prev_flat_grad is None:
                prev_flat_grad = flat_grad.copy()
            else:
                np.copyto(prev_flat_grad, flat_grad)
            prev_loss = loss

            # -- step length ----------------------------------------------------------------
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:  # not a descent direction (any more)
                break

            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                x_init = self._clone_param()

                def obj_func(x, t, d):
                    return self._directional_evaluate(closure, x, t, d)

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(obj_func, x_init, t, d, loss, flat_grad, gtd,
                                                                  max_ls=max_eval - current_evals)
                self._add_grad(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_grad(t, d)
                if n_iter != max_iter:
                    # the last iteration skips the evaluation: the next step starts with one
                    loss = float(self._closure_loss(closure))
                    flat_grad = self._gather_flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals

            # -- stopping tests -------------------------------------------------------------
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(np.multiply(d, float(t))).max() <= tolerance_change:  # the parameters stall
                break
            if abs(loss - prev_loss) < tolerance_change:  # the loss stalls
                break

        if al is not None:
            state["al"] = _to_state(al)
        state["d"] = _to_state(d)
        state["t"] = _to_state(t)
        state["old_dirs"] = _to_state(old_dirs)
        state["old_stps"] = _to_state(old_stps)
        state["ro"] = _to_state(ro)
        state["H_diag"] = _to_state(H_diag)
        state["prev_flat_grad"] = _to_state(prev_flat_grad)
        state["prev_loss"] = prev_loss
        return orig_loss
