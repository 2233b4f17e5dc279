"""Grad mode switches (no_grad, enable_grad, set_grad_enabled, inference_mode) as context managers
and decorators, compared with torch."""
import warnings

import pytest
import torch

import ndgrad

LIBS = (ndgrad, torch)


@pytest.fixture(autouse=True)
def _grad_mode_restored():
    yield
    assert ndgrad.is_grad_enabled() and not ndgrad.is_inference_mode_enabled()


def trace(lib):
    """Run a fixed script of grad-mode switches; return what it observed."""
    a = lib.tensor([1.], requires_grad=True)
    seen = []
    rec = lambda tag: seen.append((tag, lib.is_grad_enabled(), (a * 2).requires_grad))  # noqa: E731
    rec("start")
    with lib.no_grad() as ctx:
        seen.append(("ctx", ctx))
        rec("no_grad")
        with lib.enable_grad() as c2:
            seen.append(("ctx2", c2))
            rec("enable_grad")
            with lib.no_grad():
                rec("nested no_grad")
            rec("back to enable")
        rec("back to no_grad")
        with lib.set_grad_enabled(True):
            rec("set True inside no_grad")
        rec("restored False")
    rec("end")
    with lib.set_grad_enabled(False):
        rec("set False")
    rec("after set False")
    lib.set_grad_enabled(False)
    rec("plain call False")
    lib.set_grad_enabled(True)
    rec("plain call True")
    with lib.inference_mode():
        seen.append(("inf", lib.is_inference_mode_enabled()))
        rec("inference")
        with lib.inference_mode(False):
            seen.append(("inf off", lib.is_inference_mode_enabled()))
            rec("inference False")
        with lib.enable_grad():
            rec("enable inside inference")
    with lib.no_grad():
        with lib.inference_mode(False):
            rec("inference False inside no_grad")
    with lib.inference_mode(mode=False):
        rec("inference False alone")
    seen.append(("inf end", lib.is_inference_mode_enabled()))
    rec("end2")
    return seen


def test_context_managers_match_torch():
    assert trace(ndgrad) == trace(torch)


def test_exceptions_restore_the_mode():
    for lib in LIBS:
        for cm in (lambda: lib.no_grad(), lambda: lib.enable_grad(), lambda: lib.set_grad_enabled(False),
                   lambda: lib.inference_mode()):
            with pytest.raises(ValueError):
                with cm():
                    raise ValueError
            assert lib.is_grad_enabled() and not lib.is_inference_mode_enabled()
        with lib.no_grad():
            with pytest.raises(KeyError):
                with lib.enable_grad():
                    raise KeyError
            assert not lib.is_grad_enabled()


def decorated(lib):
    a = lib.tensor([1.], requires_grad=True)
    out = []

    @lib.no_grad()
    def f(x):
        """doc of f"""
        return (x * 2).requires_grad, lib.is_grad_enabled()

    @lib.no_grad
    def f_bare(x):
        return (x * 2).requires_grad

    @lib.enable_grad()
    def g(x):
        return (x * 2).requires_grad

    @lib.set_grad_enabled(False)
    def h(x):
        return (x * 2).requires_grad
    out.append(("set_grad_enabled as decorator leaves the mode alone", lib.is_grad_enabled()))

    @lib.inference_mode()
    def i(x):
        return (x * 2).requires_grad, lib.is_inference_mode_enabled()

    @lib.inference_mode
    def i_bare(x):
        return (x * 2).requires_grad

    @lib.inference_mode(False)
    def i_off(x):
        return (x * 2).requires_grad

    class M:
        @lib.no_grad()
        def method(self, x):
            return (x * 2).requires_grad

    out.append(f(a) + (f.__name__, f.__doc__))
    out.append(f_bare(a))
    with lib.no_grad():
        out.append(g(a))
        out.append(i_off(a))
    out.append(h(a))
    out.append(i(a))
    out.append(i_bare(a))
    out.append(M().method(a))
    out.append(lib.is_grad_enabled())
    return out


def test_decorators_match_torch():
    assert decorated(ndgrad) == decorated(torch)


def generator_trace(lib):
    a = lib.tensor([1.], requires_grad=True)

    @lib.no_grad()
    def gen(n):
        for i in range(n):
            got = yield (a * i).requires_grad, lib.is_grad_enabled()
            if got is not None:
                yield ("sent", got, lib.is_grad_enabled())
        return "done"

    seen = []
    for item in gen(3):
        seen.append(item + (lib.is_grad_enabled(),))  # the caller keeps its own mode
    g = gen(2)
    seen.append(next(g))
    seen.append(g.send("x"))
    g.close()
    seen.append(lib.is_grad_enabled())
    return seen


def test_generator_functions_are_decorated_like_torch():
    assert generator_trace(ndgrad) == generator_trace(torch)


def test_set_grad_enabled_argument_check():
    for lib in LIBS:
        with pytest.raises(TypeError, match="must be bool, not int"):
            lib.set_grad_enabled(1)
    assert ndgrad.is_grad_enabled()


def test_decorating_a_class_warns_like_torch():
    for lib in LIBS:
        class C:
            def __init__(self):
                self.enabled = lib.is_grad_enabled()
        with pytest.warns(FutureWarning, match="Decorating classes is deprecated"):
            wrapped = lib.no_grad()(C)
        assert wrapped().enabled is False


def test_tensors_created_or_modified_in_no_grad():
    out = []
    for lib in LIBS:
        a = lib.tensor([1., 2.], requires_grad=True)
        with lib.no_grad():
            b = a * 2
            c = lib.zeros(2, requires_grad=True)
            a.mul_(2)  # in-place on a leaf is allowed without grad mode
            d = a.clone()
            d.add_(1)
        out.append((b.requires_grad, b.grad_fn, b.is_leaf, c.requires_grad, a.tolist(), a._version,
                    a.requires_grad, d.requires_grad))
        (a * 3).sum().backward()
        out.append(a.grad.tolist())
    assert out[:2] == out[2:]


def test_aliases_in_autograd_namespace():
    assert ndgrad.autograd.no_grad is ndgrad.no_grad
    assert ndgrad.autograd.enable_grad is ndgrad.enable_grad
    assert ndgrad.autograd.set_grad_enabled is ndgrad.set_grad_enabled
    assert ndgrad.autograd.inference_mode is ndgrad.inference_mode
    assert ndgrad.autograd.is_grad_enabled is ndgrad.is_grad_enabled
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with ndgrad.no_grad():
            pass
