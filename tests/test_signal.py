"""ndgrad's window functions, stft and istft against torch: values, dtypes, gradients with respect to the
signal and the window, warnings and error messages."""
import warnings

import numpy as np
import pytest
import torch

import ndgrad

LIBS = (ndgrad, torch)
WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


def N(t):
    return t.detach().resolve_conj().numpy() if isinstance(t, torch.Tensor) else t.detach().numpy()


def data(shape, dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    if dtype.startswith("complex"):
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


def both(fn):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(ndgrad), fn(torch)


def close(a, b, tol):
    assert tuple(a.shape) == tuple(b.shape)
    assert str(a.dtype) == str(b.dtype)
    np.testing.assert_allclose(N(a), N(b), rtol=tol, atol=tol)


def raises_like(fn, exc=RuntimeError):
    msgs = []
    for lib in LIBS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(exc) as info:
                fn(lib)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]


# ==== windows ====================================================================================
@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("dtype,tol", [("float32", 1e-6), ("float64", 1e-12)])
def test_window_values(name, dtype, tol):
    for L in list(range(0, 34)) + [64, 100, 257]:
        for periodic in (True, False):
            a, b = both(lambda lib: getattr(lib, name)(L, periodic, dtype=getattr(lib, dtype)))
            close(a, b, tol)
    a, b = both(lambda lib: getattr(lib, name)(10))
    close(a, b, 1e-6)
    assert a.dtype == ndgrad.float32


@pytest.mark.parametrize("name", WINDOWS)
def test_window_half_and_default_dtype(name):
    for L in (0, 1, 2, 7, 16):
        a, b = both(lambda lib: getattr(lib, name)(L, dtype=lib.float16))
        close(a, b, 4e-3)
    ndgrad.set_default_dtype(ndgrad.float64)
    try:
        assert ndgrad.hann_window(4).dtype == ndgrad.float64 if name == "hann_window" else True
        assert getattr(ndgrad, name)(5).dtype == ndgrad.float64
    finally:
        ndgrad.set_default_dtype(ndgrad.float32)


def test_window_parameters():
    for args in [(12, True, 0.3), (12, False, 0.3, 0.2), (9, True, 1.0, 1.0)]:
        a, b = both(lambda lib: lib.hamming_window(*args))
        close(a, b, 1e-6)
    for beta in (0.0, 2, 5.5, 20.0):
        for periodic in (True, False):
            a, b = both(lambda lib: lib.kaiser_window(11, periodic, beta, dtype=lib.float64))
            close(a, b, 1e-12)
    a, b = both(lambda lib: lib.kaiser_window(11, True, beta=3.0))
    close(a, b, 1e-6)
    w = ndgrad.hann_window(5, requires_grad=True)
    assert w.requires_grad and w.is_leaf
    assert not ndgrad.hann_window(5).requires_grad


@pytest.mark.parametrize("name", WINDOWS)
def test_window_errors(name):
    raises_like(lambda lib: getattr(lib, name)(-1))
    raises_like(lambda lib: getattr(lib, name)(-3, dtype=lib.int64))
    raises_like(lambda lib: getattr(lib, name)(3, dtype=lib.int64))
    raises_like(lambda lib: getattr(lib, name)(3, dtype=lib.bool))
    raises_like(lambda lib: getattr(lib, name)(3, dtype=lib.int32, layout=lib.strided))
    raises_like(lambda lib: getattr(lib, name)(3, dtype=lib.complex64), NotImplementedError)
    raises_like(lambda lib: getattr(lib, name)(3.0), TypeError)
    raises_like(lambda lib: getattr(lib, name)(True), TypeError)
    raises_like(lambda lib: getattr(lib, name)(3, 1), TypeError)
    for L in (0, 1):
        a, b = both(lambda lib: getattr(lib, name)(L, dtype=lib.complex64))
        close(a, b, 0)


def test_window_keyword_without_periodic_is_an_error():
    raises_like(lambda lib: lib.hamming_window(5, 0.3), TypeError)
    with pytest.raises(TypeError):
        ndgrad.hamming_window(5, alpha=0.3)
    with pytest.raises(TypeError):
        ndgrad.kaiser_window(5, beta=0.3)


# ==== stft =======================================================================================
STFT_CASES = [
    dict(n_fft=16),
    dict(n_fft=16, hop_length=3),
    dict(n_fft=16, hop_length=5, win_length=10),
    dict(n_fft=15, win_length=9, hop_length=2, center=False),
    dict(n_fft=16, pad_mode="constant", normalized=True),
    dict(n_fft=12, pad_mode="replicate", onesided=False),
    dict(n_fft=12, pad_mode="circular", hop_length=7),
    dict(n_fft=32, hop_length=8, normalized=True, onesided=True),
    dict(n_fft=16, win_length=8, hop_length=4, center=False, align_to_window=True),
    dict(n_fft=16, win_length=9, hop_length=3, center=False, align_to_window=False),
    dict(n_fft=64, center=False),
]


def _window(lib, kind, n, dtype="float32"):
    if kind is None:
        return None
    if kind == "hann":
        return lib.hann_window(n, dtype=getattr(lib, dtype))
    return lib.tensor(data(n, dtype, seed=5))


@pytest.mark.parametrize("case", STFT_CASES)
@pytest.mark.parametrize("window", [None, "hann", "random"])
@pytest.mark.parametrize("shape", [(64,), (3, 70)])
def test_stft_values(case, window, shape):
    x = data(shape)
    wl = case.get("win_length", case["n_fft"])
    a, b = both(lambda lib: lib.stft(lib.tensor(x), window=_window(lib, window, wl), return_complex=True, **case))
    close(a, b, 2e-5)
    a, b = both(lambda lib: lib.stft(lib.tensor(x), window=_window(lib, window, wl), return_complex=False, **case))
    close(a, b, 2e-5)


@pytest.mark.parametrize("xdt,wdt", [("float64", "float64"), ("float32", "float64"), ("float64", "float32"),
                                     ("complex64", "float32"), ("float32", "complex64"),
                                     ("complex128", "complex128")])
def test_stft_dtypes(xdt, wdt):
    x = data((2, 40), xdt)
    w = data(16, wdt, seed=3)
    a, b = both(lambda lib: lib.stft(lib.tensor(x), 16, window=lib.tensor(w), return_complex=True,
                                     onesided=False if "complex" in xdt + wdt else None))
    close(a, b, 1e-5)
    a, b = both(lambda lib: lib.tensor(x).stft(16, 4, window=lib.tensor(w), return_complex=True, onesided=False))
    close(a, b, 1e-5)


def test_stft_complex_input_defaults_to_complex():
    x = data(50, "complex64")
    a, b = both(lambda lib: lib.stft(lib.tensor(x), 8, window=lib.hann_window(8)))
    close(a, b, 1e-5)


@pytest.mark.parametrize("case", [dict(n_fft=16), dict(n_fft=16, hop_length=5, win_length=12, normalized=True),
                                  dict(n_fft=10, center=False, hop_length=3, onesided=False),
                                  dict(n_fft=16, win_length=8, center=False, align_to_window=True)])
@pytest.mark.parametrize("shape", [(48,), (2, 41)])
def test_stft_gradients(case, shape):
    x = data(shape, "float64")
    wl = case.get("win_length", case["n_fft"])
    w = data(wl, "float64", seed=2)

    def run(lib):
        xt, wt = lib.tensor(x, requires_grad=True), lib.tensor(w, requires_grad=True)
        out = lib.stft(xt, window=wt, return_complex=True, **case)
        weights = lib.tensor(data(tuple(out.shape) + (2,), "float64", seed=9))
        loss = (lib.view_as_real(out) * weights).sum() + out.abs().sum()
        loss.backward()
        return xt.grad, wt.grad
    (gx, gw), (tx, tw) = both(run)
    close(gx, tx, 1e-9)
    close(gw, tw, 1e-9)


def test_stft_warnings():
    x = ndgrad.tensor(data(40))
    with pytest.warns(UserWarning, match="A window was not provided"):
        ndgrad.stft(x, 8, return_complex=True)
    with pytest.warns(UserWarning, match="return_complex=False is deprecated"):
        ndgrad.stft(x, 8, window=ndgrad.ones(8), return_complex=False)


def test_stft_errors():
    x = data(100)
    raises_like(lambda lib: lib.stft(lib.tensor(x), 16))
    raises_like(lambda lib: lib.stft(lib.tensor(x), 200, return_complex=True))
    raises_like(lambda lib: lib.stft(lib.tensor(x), 200, center=False, return_complex=True))
    raises_like(lambda lib: lib.stft(lib.tensor(x), 0, return_complex=True))
    raises_like(lambda lib: lib.stft(lib.tensor(x), 16, hop_length=0, return_complex=True))
    raises_like(lambda lib: lib.stft(lib.tensor(x), 16, hop_length=-1, win_length=20, return_complex=True))
    raises_like(lambda lib: lib.stft(lib.tensor(x), 16, win_length=20, return_complex=True))
    raises_like(lambda lib: lib.stft(lib.tensor(x), 16, win_length=0, return_complex=True))
    raises_like(lambda lib: lib.stft(lib.tensor(x), 16, window=lib.ones(10), return_complex=True))
    raises_like(lambda lib: lib.stft(lib.tensor(x), 16, window=lib.ones(2, 8), win_length=8, return_complex=True))
    raises_like(lambda lib: lib.stft(lib.tensor(x).reshape(2, 1, 50), 16, return_complex=True))
    raises_like(lambda lib: lib.stft(lib.tensor(x).reshape(2, 1, 50), 16, center=False, return_complex=True))
    raises_like(lambda lib: lib.stft(lib.tensor(x).to(lib.int32), 16, center=False, return_complex=True))
    raises_like(lambda lib: lib.stft(lib.tensor(x), 16, onesided=True, return_complex=True,
                                     window=lib.ones(16, dtype=lib.complex64)))
    raises_like(lambda lib: lib.stft(lib.tensor(x).to(lib.complex64), 16, onesided=True))
    raises_like(lambda lib: lib.stft(lib.tensor(x).to(lib.complex128), 16, center=False, return_complex=True,
                                     window=lib.ones(3, dtype=lib.complex128)))
    raises_like(lambda lib: lib.stft(lib.tensor(x), 16, pad_mode="foo", return_complex=True), NotImplementedError)
    raises_like(lambda lib: lib.stft(lib.tensor(x), 16, align_to_window=True, return_complex=True))
    raises_like(lambda lib: lib.stft(lib.tensor(x[:5]), 16, return_complex=True))


# ==== istft ======================================================================================
ISTFT_CASES = [
    dict(n_fft=16),
    dict(n_fft=16, hop_length=3),
    dict(n_fft=16, hop_length=5, win_length=12),
    dict(n_fft=15, hop_length=2, center=False),
    dict(n_fft=16, normalized=True),
    dict(n_fft=12, onesided=False),
    dict(n_fft=32, hop_length=8, normalized=True, onesided=True),
]


@pytest.mark.parametrize("case", ISTFT_CASES)
@pytest.mark.parametrize("window", ["hann", "random"])
@pytest.mark.parametrize("shape", [(64,), (3, 70)])
def test_istft_values_and_round_trip(case, window, shape):
    x = data(shape, "float64")
    wl = case.get("win_length", case["n_fft"])
    center = case.get("center", True)
    if not center and window == "hann":
        window = "random"            # a Hann window vanishes at the ends: NOLA fails without centring

    def run(lib):
        w = _window(lib, window, wl, "float64")
        spec = lib.stft(lib.tensor(x), window=w, return_complex=True, **case)
        return spec, lib.istft(spec, window=w, length=shape[-1] if center else None, **case)
    (sa, a), (sb, b) = both(run)
    close(a, b, 1e-10)
    if center:
        np.testing.assert_allclose(N(a), x, atol=1e-10)
    else:
        n = a.shape[-1]
        np.testing.assert_allclose(N(a), x[..., :n], atol=1e-10)


@pytest.mark.parametrize("length", [None, 50, 64, 90])
def test_istft_length_and_float32(length):
    x = data((2, 64))

    def run(lib):
        w = lib.hann_window(16)
        spec = lib.stft(lib.tensor(x), 16, window=w, return_complex=True)
        return lib.istft(spec, 16, window=w, length=length)
    a, b = both(run)
    close(a, b, 1e-5)


def test_istft_return_complex_and_method():
    x = data((2, 40), "complex64")

    def run(lib):
        w = lib.hann_window(8)
        spec = lib.stft(lib.tensor(x), 8, window=w, return_complex=True)
        return lib.istft(spec, 8, window=w, return_complex=True), spec.istft(8, 2, window=w, return_complex=True)
    (a1, a2), (b1, b2) = both(run)
    close(a1, b1, 1e-5)
    close(a2, b2, 1e-5)


@pytest.mark.parametrize("case", [dict(n_fft=16), dict(n_fft=16, hop_length=5, win_length=12, normalized=True),
                                  dict(n_fft=10, onesided=False, hop_length=3, length=40),
                                  dict(n_fft=10, center=False, hop_length=2)])
def test_istft_gradients(case):
    wl = case.get("win_length", case["n_fft"])
    nf = case["n_fft"] // 2 + 1 if case.get("onesided", True) else case["n_fft"]
    spec = data((2, nf, 9), "complex128")
    w = np.abs(data(wl, "float64", seed=2)) + 0.5

    def run(lib):
        st, wt = lib.tensor(spec, requires_grad=True), lib.tensor(w, requires_grad=True)
        out = lib.istft(st, window=wt, **case)
        weights = lib.tensor(data(tuple(out.shape), "float64", seed=9))
        (out * weights).sum().backward()
        return out, st.grad, wt.grad
    (a, ga, gwa), (b, gb, gwb) = both(run)
    close(a, b, 1e-10)
    close(ga, gb, 1e-9)
    close(gwa, gwb, 1e-9)


def test_istft_warnings():
    spec = ndgrad.stft(ndgrad.tensor(data(40)), 8, window=ndgrad.hann_window(8), return_complex=True)
    with pytest.warns(UserWarning, match="A window was not provided"):
        ndgrad.istft(spec, 8)
    with pytest.warns(UserWarning, match="shorter than the length parameter"):
        out = ndgrad.istft(spec, 8, window=ndgrad.hann_window(8), length=60)
    assert out.shape == (60,)


def test_istft_errors():
    x = data(100)

    def spec(lib, **kw):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return lib.stft(lib.tensor(x), 16, return_complex=True, **kw)
    raises_like(lambda lib: lib.istft(spec(lib).real, 16))
    raises_like(lambda lib: lib.istft(spec(lib), 16, hop_length=20))
    raises_like(lambda lib: lib.istft(spec(lib), 16, hop_length=0))
    raises_like(lambda lib: lib.istft(spec(lib), 16, win_length=20))
    raises_like(lambda lib: lib.istft(spec(lib), 16, win_length=0))
    raises_like(lambda lib: lib.istft(spec(lib), 16, window=lib.ones(3)))
    raises_like(lambda lib: lib.istft(spec(lib), 20))
    raises_like(lambda lib: lib.istft(spec(lib), 16, onesided=False))
    raises_like(lambda lib: lib.istft(spec(lib), 16, return_complex=True))
    raises_like(lambda lib: lib.istft(spec(lib)[:, :0], 16))
    raises_like(lambda lib: lib.istft(spec(lib)[0], 16), IndexError)
    raises_like(lambda lib: lib.istft(spec(lib)[None, None], 16))
    raises_like(lambda lib: lib.istft(spec(lib), 16, window=lib.zeros(16)))
    raises_like(lambda lib: lib.istft(spec(lib), 16, hop_length=16, window=lib.hann_window(16)))
    raises_like(lambda lib: lib.istft(spec(lib), 16, center=False, window=lib.hann_window(16)))
    raises_like(lambda lib: lib.istft(spec(lib), 16, window=lib.ones(16, dtype=lib.complex64)))
    raises_like(lambda lib: lib.istft(spec(lib, onesided=False), 16, window=lib.ones(16, dtype=lib.complex64),
                                      return_complex=True, onesided=True))


@pytest.mark.parametrize("center", [True, False])
def test_stft_non_contiguous_input_and_method(center):
    x = data((50, 3))

    def run(lib):
        xt = lib.tensor(x, requires_grad=True)
        out = xt.t().stft(12, 3, window=lib.hann_window(12), center=center, return_complex=True)
        out.abs().sum().backward()
        return out, xt.grad
    (a, ga), (b, gb) = both(run)
    close(a, b, 2e-5)
    close(ga, gb, 2e-5)
    a, b = both(lambda lib: lib.stft(lib.tensor(x)[::2, 0], 8, window=lib.hann_window(8), center=center,
                                     return_complex=True))
    close(a, b, 2e-5)


# ==== ndgrad.signal.windows ======================================================================
SIGNAL_WINDOWS = ["bartlett", "blackman", "cosine", "exponential", "gaussian", "general_cosine", "general_hamming",
                  "hamming", "hann", "kaiser", "nuttall"]


@pytest.mark.parametrize("name", SIGNAL_WINDOWS)
@pytest.mark.parametrize("dtype,tol", [("float32", 1e-6), ("float64", 1e-12)])
def test_signal_windows_values(name, dtype, tol):
    import torch.signal.windows  # noqa: F401
    kw = dict(a=[0.5, 0.3, 0.2]) if name == "general_cosine" else {}
    for M in (0, 1, 2, 3, 8, 17, 64):
        for sym in (True, False):
            a, b = both(lambda lib: getattr(lib.signal.windows, name)(M, sym=sym, dtype=getattr(lib, dtype), **kw))
            close(a, b, tol)


def test_signal_windows_parameters_and_errors():
    import torch.signal.windows  # noqa: F401
    for fn in [lambda lib: lib.signal.windows.exponential(9, center=2.0, tau=3.0, sym=False),
               lambda lib: lib.signal.windows.gaussian(9, std=2.5), lambda lib: lib.signal.windows.kaiser(9, beta=4.0),
               lambda lib: lib.signal.windows.general_hamming(9, alpha=0.6, sym=False)]:
        a, b = both(fn)
        close(a, b, 1e-6)
    for fn in [lambda lib: lib.signal.windows.cosine(-1), lambda lib: lib.signal.windows.gaussian(3, std=0),
               lambda lib: lib.signal.windows.exponential(3, center=1.0), lambda lib: lib.signal.windows.kaiser(3, beta=-1.0),
               lambda lib: lib.signal.windows.exponential(3, tau=-1), lambda lib: lib.signal.windows.general_cosine(3, a=[]),
               lambda lib: lib.signal.windows.hann(3, dtype=lib.float16)]:
        raises_like(fn, ValueError)
    raises_like(lambda lib: lib.signal.windows.general_cosine(3, a=3), TypeError)
