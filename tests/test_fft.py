"""ndgrad.fft against torch.fft: values, output dtypes, every norm mode, n/s padding and cropping,
dims, the recorded graph (FftR2C/FftC2C/FftC2R nodes), first and second order gradients for real and
complex inputs, out=, fftfreq/rfftfreq, fftshift/ifftshift and the error messages.

Losses only use ops whose complex gradients are settled: ``view_as_real``, ``abs``, sums and real
arithmetic with fixed real weights."""
import re

import numpy as np
import pytest
import torch

import ndgrad

LIBS = (ndgrad, torch)
ALL = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn", "irfftn",
       "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn"]
REAL_ONLY = {"rfft", "rfft2", "rfftn", "ihfft", "ihfft2", "ihfftn"}
NORMS = [None, "backward", "forward", "ortho"]


def N(t):
    if isinstance(t, torch.Tensor):
        return t.detach().resolve_conj().numpy()
    return t.detach().numpy()


def data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype.startswith("complex"):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    if dtype.startswith("int"):
        return rng.integers(-5, 6, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def make(lib, arr, requires_grad=False):
    t = lib.tensor(arr)
    return t.requires_grad_(True) if requires_grad else t


def tol(dtype):
    return dict(rtol=2e-4, atol=2e-4) if dtype in ("float32", "complex64", "int64") else dict(rtol=1e-10, atol=1e-10)


def assert_same(n, t, **kw):
    assert tuple(n.shape) == tuple(t.shape), (tuple(n.shape), tuple(t.shape))
    assert str(n.dtype) == str(t.dtype), (n.dtype, t.dtype)
    np.testing.assert_allclose(N(n), N(t), **kw)


def chain(t):
    """grad_fn names along the first edges, down to (excluding) the leaf's accumulator."""
    names, fn = [], t.grad_fn
    while fn is not None:
        name = fn.name()
        if "AccumulateGrad" in name:
            break
        names.append(name)
        nxt = [f for f, _ in fn.next_functions if f is not None]
        fn = nxt[0] if nxt else None
    return names


def weighted_loss(lib, out, seed=3):
    """A real scalar, linear in the output, with fixed random real weights."""
    if out.is_complex():
        out = out.resolve_conj()
        w = data(tuple(out.shape) + (2,), "float64", seed)
        ri = lib.view_as_real(out)
        return (ri * lib.tensor(w, dtype=ri.dtype)).sum()
    w = data(tuple(out.shape), "float64", seed)
    return (out * lib.tensor(w, dtype=out.dtype)).sum()


def _error_of(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 - the exception is what is compared
        return e
    return None


def check_error(fn):
    te, ne = _error_of(fn, torch), _error_of(fn, ndgrad)
    assert te is not None, "torch did not raise"
    assert ne is not None, f"ndgrad did not raise; torch raised {type(te).__name__}: {te}"
    assert type(ne) is type(te), f"ndgrad raised {type(ne).__name__}: {ne}; torch {type(te).__name__}: {te}"
    assert str(ne).strip() == str(te).strip(), f"\nndgrad: {ne}\ntorch:  {te}"


# ==== values and dtypes ===========================================================================
def _with_dtypes(items, dtypes, name_of=lambda item: item):
    """(item, dtype) pairs; transforms of real input only get no complex dtypes (their errors for
    complex input are tested separately)."""
    return [(item, dt) for item in items for dt in dtypes
            if not (name_of(item) in REAL_ONLY and dt.startswith("complex"))]


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("name,dtype", _with_dtypes(ALL, ["float64", "float32", "complex128", "complex64", "int64"]))
def test_values_dtypes_norms(name, norm, dtype):
    arr = data((3, 4, 5), dtype)
    n = getattr(ndgrad.fft, name)(make(ndgrad, arr), norm=norm)
    t = getattr(torch.fft, name)(make(torch, arr), norm=norm)
    assert_same(n, t, **tol(dtype))


def test_integer_input_follows_default_dtype():
    arr = np.arange(6)
    old = ndgrad.get_default_dtype()
    ndgrad.set_default_dtype(ndgrad.float64)
    torch.set_default_dtype(torch.float64)
    try:
        for name in ("fft", "rfft", "irfft", "hfftn"):
            assert_same(getattr(ndgrad.fft, name)(ndgrad.tensor(arr)), getattr(torch.fft, name)(torch.tensor(arr)),
                        rtol=1e-10, atol=1e-12)
    finally:
        ndgrad.set_default_dtype(old)
        torch.set_default_dtype(torch.float32)
    assert ndgrad.fft.fft(ndgrad.tensor([True, False])).dtype == ndgrad.complex64


# ==== sizes, dims, graph and first order gradients ===============================================
CASES = [
    ("fft", dict(n=8)), ("fft", dict(n=3)), ("fft", dict(dim=0)), ("fft", dict(dim=-2, norm="ortho")),
    ("ifft", dict(n=7, dim=1)), ("ifft", dict(n=2, norm="forward")),
    ("rfft", dict(n=9)), ("rfft", dict(n=4)), ("rfft", dict(dim=0, norm="ortho")),
    ("irfft", dict()), ("irfft", dict(n=7)), ("irfft", dict(n=12)), ("irfft", dict(n=3)), ("irfft", dict(n=1)),
    ("irfft", dict(dim=0, norm="forward")), ("irfft", dict(dim=1, n=5, norm="ortho")),
    ("hfft", dict()), ("hfft", dict(n=5)), ("hfft", dict(n=10, norm="ortho")), ("hfft", dict(dim=1, norm="forward")),
    ("ihfft", dict()), ("ihfft", dict(n=7, dim=1)), ("ihfft", dict(n=2, norm="forward")),
    ("fftn", dict()), ("fftn", dict(s=(5, 6))), ("fftn", dict(s=(2, 3, 4))), ("fftn", dict(dim=(0, 2))),
    ("fftn", dict(s=(-1, 7))), ("fftn", dict(s=(3,))), ("fftn", dict(dim=1)), ("fftn", dict(s=3, norm="ortho")),
    ("fftn", dict(dim=())),
    ("ifftn", dict(s=(4, 4), norm="ortho")), ("ifftn", dict(dim=(-1, 0), norm="forward")), ("ifftn", dict()),
    ("fft2", dict()), ("fft2", dict(s=(6, 3))), ("ifft2", dict(dim=(0, 1))), ("ifft2", dict(s=(2, 9), norm="ortho")),
    ("rfftn", dict()), ("rfftn", dict(s=(3, 8))), ("rfftn", dict(dim=(2, 0))),
    ("rfftn", dict(s=(4, 4, 4), norm="forward")),
    ("rfft2", dict()), ("rfft2", dict(s=(5, 5), norm="ortho")), ("rfft2", dict(dim=(0, 2))),
    ("irfftn", dict()), ("irfftn", dict(s=(3, 9))), ("irfftn", dict(dim=(0, 1))), ("irfftn", dict(s=(-1, 5))),
    ("irfftn", dict(s=(4, -1), norm="ortho")), ("irfftn", dict(s=(2, 3, 6), norm="forward")),
    ("irfft2", dict()), ("irfft2", dict(s=(2, 6))), ("irfft2", dict(dim=(0, 2), norm="ortho")),
    ("hfftn", dict()), ("hfftn", dict(dim=(0,))), ("hfftn", dict(s=(2, 3, 6), norm="ortho")),
    ("hfftn", dict(dim=(2, 0))),
    ("hfft2", dict()), ("hfft2", dict(s=(4, 7), norm="forward")),
    ("ihfftn", dict()), ("ihfftn", dict(dim=(0,))), ("ihfftn", dict(dim=(2, 0), norm="ortho")),
    ("ihfftn", dict(s=(2, 3, 7))),
    ("ihfft2", dict()), ("ihfft2", dict(s=(3, 7), norm="forward")),
]


def _case_id(case):
    name, kw = case
    return name + "-" + ",".join(f"{k}={v}" for k, v in kw.items())


@pytest.mark.parametrize("case,dtype", _with_dtypes(CASES, ["float64", "complex128", "float32", "complex64"],
                                                     lambda c: c[0]),
                         ids=lambda v: _case_id(v) if isinstance(v, tuple) else v)
def test_sizes_graph_and_gradients(case, dtype):
    name, kw = case
    arr = data((3, 4, 5), dtype, seed=1)
    res = {}
    for lib in LIBS:
        x = make(lib, arr, requires_grad=True)
        out = getattr(lib.fft, name)(x, **kw)
        (g,) = lib.autograd.grad(weighted_loss(lib, out), x)
        res[lib] = (out, g)
    (n_out, n_g), (t_out, t_g) = res[ndgrad], res[torch]
    assert_same(n_out, t_out, **tol(dtype))
    assert chain(n_out) == chain(t_out)
    assert_same(n_g, t_g, **tol(dtype))


@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fftn", "rfftn", "irfftn", "hfftn",
                                  "ihfftn"])
def test_gradient_through_abs(name):
    """A non-linear loss: |out| weighted (abs has its own complex gradient)."""
    dtype = "float64" if name in REAL_ONLY else "complex128"
    arr = data((4, 6), dtype, seed=2)
    grads = []
    for lib in LIBS:
        x = make(lib, arr, requires_grad=True)
        out = getattr(lib.fft, name)(x, norm="ortho")
        w = lib.tensor(data(tuple(out.shape), "float64", 5))
        (out.abs() * w).sum().backward()
        grads.append(x.grad)
    assert_same(*grads)


# ==== second order ================================================================================
SECOND = [("fft", dict(n=7)), ("ifft", dict(norm="ortho")), ("rfft", dict(n=5)), ("irfft", dict(n=9)),
          ("hfft", dict(norm="forward")), ("ihfft", dict()), ("fftn", dict(s=(3, 5))), ("rfftn", dict()),
          ("irfftn", dict(s=(4, 6))), ("hfftn", dict(norm="ortho")), ("ihfftn", dict()), ("fft", dict())]


@pytest.mark.parametrize("case,kind", _with_dtypes(SECOND, ["float64", "complex128"], lambda c: c[0]),
                         ids=lambda v: _case_id(v) if isinstance(v, tuple) else v)
def test_double_backward(case, kind):
    """Differentiate the backward pass with respect to the incoming gradient (create_graph=True)."""
    name, kw = case
    arr = data((3, 6), kind, seed=4)
    res = []
    for lib in LIBS:
        x = make(lib, arr, requires_grad=True)
        out = getattr(lib.fft, name)(x, **kw)
        v = make(lib, data(tuple(out.shape), "complex128" if out.is_complex() else "float64", 6),
                 requires_grad=True)
        (g,) = lib.autograd.grad(out, x, v, create_graph=True)
        (gv,) = lib.autograd.grad(weighted_loss(lib, g, seed=8), v)
        res.append((g, gv))
    assert_same(res[0][0], res[1][0])
    assert_same(res[0][1], res[1][1])


@pytest.mark.parametrize("name", ["fft", "rfft", "irfft", "hfftn"])
def test_double_backward_nonlinear(name):
    """Second derivative of a loss with |out|^2: the Hessian-vector product flows through the fft
    nodes recorded during the first backward."""
    dtype = "float64" if name in REAL_ONLY else "complex128"
    arr = data((5,) if name != "hfftn" else (3, 4), dtype, seed=9)
    res = []
    for lib in LIBS:
        x = make(lib, arr, requires_grad=True)
        out = getattr(lib.fft, name)(x)
        w = lib.tensor(data(tuple(out.shape), "float64", 10))
        a = out.abs()
        (g,) = lib.autograd.grad((a * a * w).sum(), x, create_graph=True)
        (h,) = lib.autograd.grad(weighted_loss(lib, g, seed=11), x)
        res.append((g, h))
    assert_same(res[0][0], res[1][0])
    assert_same(res[0][1], res[1][1])


# ==== out= ========================================================================================
def test_out_argument():
    arr = data((3, 4), "float64")
    for dt in ("complex128", "complex64"):
        outs = [lib.empty(0, dtype=getattr(lib, dt)) for lib in LIBS]
        rs = [lib.fft.fft(make(lib, arr), out=o) for lib, o in zip(LIBS, outs)]
        assert rs[0] is outs[0]
        assert_same(outs[0], outs[1], rtol=1e-5, atol=1e-5)
    outs = [lib.empty(0, dtype=lib.float32) for lib in LIBS]
    for lib, o in zip(LIBS, outs):
        lib.fft.irfft(make(lib, data((3, 4), "complex128")), out=o)
    assert_same(outs[0], outs[1], rtol=1e-5, atol=1e-5)
    outs = [lib.empty(0, dtype=lib.complex128) for lib in LIBS]
    for lib, o in zip(LIBS, outs):
        lib.fft.ifft(make(lib, arr), out=o)
    assert_same(outs[0], outs[1])


@pytest.mark.parametrize("call", [
    lambda lib: lib.fft.fft(lib.ones(3, 4, dtype=lib.float64), out=lib.empty(0, dtype=lib.float64)),
    lambda lib: lib.fft.rfft(lib.ones(4), out=lib.empty(0)),
    lambda lib: lib.fft.fft2(lib.ones(3, 4), out=lib.empty(0)),
    lambda lib: lib.fft.ihfft(lib.ones(4), out=lib.empty(0)),
    lambda lib: lib.fft.irfft(lib.ones(4, dtype=lib.complex64), out=lib.empty(0, dtype=lib.complex64)),
    lambda lib: lib.fft.hfft(lib.ones(4, dtype=lib.complex128), out=lib.empty(0, dtype=lib.complex128)),
    lambda lib: lib.fft.fft(lib.ones(4, dtype=lib.complex128, requires_grad=True),
                            out=lib.empty(0, dtype=lib.complex128)),
    lambda lib: lib.fft.irfft(lib.ones(4, dtype=lib.complex128, requires_grad=True),
                              out=lib.empty(0, dtype=lib.float64)),
    lambda lib: lib.fft.rfft(lib.ones(4, requires_grad=True), out=lib.empty(0, dtype=lib.complex64)),
])
def test_out_errors(call):
    check_error(call)


# ==== fftfreq / rfftfreq ==========================================================================
@pytest.mark.parametrize("fname", ["fftfreq", "rfftfreq"])
@pytest.mark.parametrize("n", [0, 1, 2, 5, 8])
@pytest.mark.parametrize("d", [1.0, 0.5, 3, 0.1])
@pytest.mark.parametrize("dtype", [None, "float64", "float32", "float16"])
def test_freqs(fname, n, d, dtype):
    kw = {} if dtype is None else dict(dtype=getattr(ndgrad, dtype))
    r = getattr(ndgrad.fft, fname)(n, d, **kw)
    kw = {} if dtype is None else dict(dtype=getattr(torch, dtype))
    t = getattr(torch.fft, fname)(n, d, **kw)
    assert_same(r, t, rtol=1e-6 if dtype != "float16" else 1e-3, atol=0)


def test_freqs_extras():
    for fname in ("fftfreq", "rfftfreq"):
        r = getattr(ndgrad.fft, fname)(6, d=0.25, requires_grad=True)
        t = getattr(torch.fft, fname)(6, d=0.25, requires_grad=True)
        assert r.requires_grad and r.is_leaf
        assert_same(r, t)
        assert_same(getattr(ndgrad.fft, fname)(5, 0), getattr(torch.fft, fname)(5, 0))   # inf / nan
        o = ndgrad.empty(1, dtype=ndgrad.float64)
        assert getattr(ndgrad.fft, fname)(4, out=o) is o
        assert_same(o, getattr(torch.fft, fname)(4, dtype=torch.float64))
    assert_same(ndgrad.fft.fftfreq(4, ndgrad.tensor(2.0)), torch.fft.fftfreq(4, torch.tensor(2.0)))


@pytest.mark.parametrize("call", [
    lambda lib: lib.fft.fftfreq(5, dtype=lib.int64),
    lambda lib: lib.fft.rfftfreq(5, dtype=lib.bool),
    lambda lib: lib.fft.fftfreq(5, dtype=lib.complex64),
    lambda lib: lib.fft.fftfreq(-1),
    lambda lib: lib.fft.fftfreq(4.0),
])
def test_freq_errors(call):
    check_error(call)


# ==== fftshift / ifftshift ========================================================================
@pytest.mark.parametrize("fname", ["fftshift", "ifftshift"])
@pytest.mark.parametrize("dim", [None, 0, 1, -1, (0,), (1, 0), [-1, -2]])
@pytest.mark.parametrize("dtype", ["int64", "float64", "complex64"])
def test_shifts(fname, dim, dtype):
    arr = data((5, 6), dtype)
    n = getattr(ndgrad.fft, fname)(make(ndgrad, arr), dim=dim)
    t = getattr(torch.fft, fname)(make(torch, arr), dim=dim)
    assert_same(n, t)


@pytest.mark.parametrize("fname", ["fftshift", "ifftshift"])
def test_shift_gradient_and_roundtrip(fname):
    arr = data((3, 5, 4), "float64")
    grads = []
    for lib in LIBS:
        x = make(lib, arr, requires_grad=True)
        out = getattr(lib.fft, fname)(x, dim=(0, 1))
        assert out.grad_fn.name() == "RollBackward0"
        weighted_loss(lib, out).backward()
        grads.append(x.grad)
    assert_same(*grads)
    x = make(ndgrad, arr)
    back = ndgrad.fft.ifftshift(ndgrad.fft.fftshift(x))
    np.testing.assert_array_equal(back.numpy(), arr)


# ==== errors ======================================================================================
X = lambda lib: make(lib, data((4, 6), "float64"))  # noqa: E731
Z = lambda lib: make(lib, data((4, 6), "complex128"))  # noqa: E731

ERRORS = [
    lambda lib: lib.fft.rfft(Z(lib)),
    lambda lib: lib.fft.rfft(Z(lib).to(lib.complex64)),
    lambda lib: lib.fft.ihfft(Z(lib)),
    lambda lib: lib.fft.rfft2(Z(lib)),
    lambda lib: lib.fft.rfftn(Z(lib)),
    lambda lib: lib.fft.ihfft2(Z(lib)),
    lambda lib: lib.fft.ihfftn(Z(lib)),
    lambda lib: lib.fft.fft(X(lib), n=0),
    lambda lib: lib.fft.fft(X(lib), n=-1),
    lambda lib: lib.fft.ifft(X(lib), dim=2),
    lambda lib: lib.fft.rfft(X(lib), dim=-3),
    lambda lib: lib.fft.fft(X(lib), norm="bad"),
    lambda lib: lib.fft.fft(X(lib), n=0, norm="bad"),
    lambda lib: lib.fft.fftn(X(lib), s=(1, 2, 3)),
    lambda lib: lib.fft.fftn(X(lib), s=(2, 2), dim=(0,)),
    lambda lib: lib.fft.fft2(X(lib), s=(3,)),
    lambda lib: lib.fft.fftn(X(lib), dim=(0, 0)),
    lambda lib: lib.fft.fftn(X(lib), dim=(1, -1)),
    lambda lib: lib.fft.fftn(X(lib), s=(0, 2)),
    lambda lib: lib.fft.fftn(X(lib), s=(-2, -1)),
    lambda lib: lib.fft.fft(X(lib).to(lib.float16)),
    lambda lib: lib.fft.irfft(Z(lib), n=0),
    lambda lib: lib.fft.irfft(Z(lib)[:, :1]),
    lambda lib: lib.fft.hfft(X(lib), n=0),
    lambda lib: lib.fft.fft(lib.tensor(3.0)),
    lambda lib: lib.fft.fft(lib.zeros(0)),
    lambda lib: lib.fft.fft2(lib.ones(3)),
    lambda lib: lib.fft.irfft2(Z(lib)[0]),
    lambda lib: lib.fft.rfftn(X(lib), dim=()),
    lambda lib: lib.fft.irfftn(Z(lib), dim=()),
    lambda lib: lib.fft.hfft2(Z(lib), dim=()),
    lambda lib: lib.fft.ihfftn(X(lib), dim=()),
    lambda lib: lib.fft.fft(X(lib), n=4.0),
    lambda lib: lib.fft.fftshift(X(lib), dim=5),
    lambda lib: lib.fft.fftshift(lib.tensor(2.0)),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors(k):
    check_error(ERRORS[k])


def test_module_surface():
    for name in ALL + ["fftfreq", "rfftfreq", "fftshift", "ifftshift"]:
        assert callable(getattr(ndgrad.fft, name))
    with open(ndgrad.fft.__file__) as f:
        src = f.read()
    assert not re.search(r"^\s*(import torch|from torch)", src, re.M)
