"""Window functions and the short-time Fourier transform, with torch's API and numbers.

* ``hann_window``, ``hamming_window``, ``blackman_window``, ``bartlett_window``, ``kaiser_window``:
  computed step by step in the requested dtype (single precision rounding included), so that the values
  match torch's to the last few ulps. ``periodic=True`` evaluates the symmetric window of length
  ``N + 1`` and drops its last point.
* ``stft``: optional centre padding (``F.pad`` with ``pad_mode``), the window zero-padded to ``n_fft`` in
  the middle, frames cut by a strided view of the signal, multiplied by the window and transformed by
  ``ndgrad.fft``'s differentiable primitives (real -> one-sided complex, or complex -> complex).
* ``istft``: inverse transform of every frame, windowing, overlap-add (``index_add``) and division by the
  overlap-added squared window (torch's NOLA check fails when it nearly vanishes).

Everything is made from differentiable ops, so gradients reach both the signal and the window.
"""
import math
import operator
import warnings

import numpy as np

from .. import _dtype
from .._tensor import _C_TYPE_NAMES, strided
from ._core import to_tensor

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window", "stft",
           "istft"]

_MISSING = object()
_KW_SIG = ("*, torch.dtype dtype = None, torch.layout layout = None, torch.device device = None, "
           "bool pin_memory = False, bool requires_grad = False)")


# ==== window functions ===========================================================================
def _invalid_combination(fname, extra_sigs, given):
    sigs = ["int window_length, ", "int window_length, bool periodic, "] + extra_sigs
    got = ", ".join(given)
    lines = "".join(f" * ({s}{_KW_SIG}\n" for s in sigs)
    return TypeError(f"{fname}() received an invalid combination of arguments - got ({got}), but expected one "
                     f"of:\n{lines}")


def _type_name(v):
    return "int" if isinstance(v, (int, np.integer)) and not isinstance(v, bool) else type(v).__name__


def _parse_window_args(fname, window_length, periodic, floats, extra_sigs, dtype, layout):
    """Check the argument types as torch's parser does; return (length, periodic, floats)."""
    if isinstance(window_length, bool) or not isinstance(window_length, (int, np.integer)):
        raise TypeError(f"{fname}(): argument 'window_length' (position 1) must be int, not "
                        f"{type(window_length).__name__}")
    given = ["int"]
    ok = True
    if periodic is not _MISSING:
        given.append(type(periodic).__name__)
        ok = isinstance(periodic, (bool, np.bool_))
    # the float arguments only exist positionally after periodic, each after the previous one
    seen_missing = periodic is _MISSING
    for v in floats:
        if v is _MISSING:
            seen_missing = True
            continue
        given.append(_type_name(v) if not isinstance(v, float) else "float")
        if seen_missing or isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            ok = False
    if dtype is not None and not isinstance(dtype, _dtype.dtype):
        given.append(f"dtype={type(dtype).__name__}")
        ok = False
    if not ok:
        raise _invalid_combination(fname, extra_sigs, given)
    return (int(window_length), True if periodic is _MISSING else bool(periodic),
            [None if v is _MISSING else float(v) for v in floats])


def _options_repr(np_dt, layout):
    lay = "Strided (default)" if layout is None else "Strided"
    return (f"TensorOptions(dtype={_C_TYPE_NAMES.get(np_dt, str(np_dt))}, device=cpu, layout={lay}, "
            "requires_grad=false (default), pinned_memory=false, memory_format=(nullopt))")


def _window_dtype(fname, window_length, dtype, layout, device):
    from .._tensor import check_device
    check_device(device)
    np_dt = _dtype.default.np if dtype is None else dtype.np
    if layout is not None and layout is not strided:
        raise RuntimeError(f"{fname} is not implemented for sparse types, got: {_options_repr(np_dt, layout)}")
    if np_dt.kind not in "fc":
        raise RuntimeError(f"{fname} expects floating point dtypes, got: {_options_repr(np_dt, layout)}")
    if window_length < 0:
        raise RuntimeError(f"{fname} requires non-negative window_length, got window_length={window_length}")
    return np_dt


def _finish(data, requires_grad):
    from .._tensor import _wrap
    t = _wrap(data)
    if requires_grad:
        t._rg = True
    return t


def _make_window(fname, window_length, periodic, dtype, layout, device, requires_grad, body):
    """Shared skeleton: checks, the trivial lengths 0 and 1, then ``body(n, calc, fdt)`` where ``n`` is
    the symmetric length, ``calc`` the dtype arithmetic runs in and every value is rounded to ``fdt``."""
    np_dt = _window_dtype(fname, window_length, dtype, layout, device)
    if window_length == 0:
        return _finish(np.empty(0, dtype=np_dt), requires_grad)
    if window_length == 1:
        return _finish(np.ones(1, dtype=np_dt), requires_grad)
    if np_dt.kind == "c":
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{_dtype.SCALAR_NAMES[np_dt]}'")
    n = window_length + 1 if periodic else window_length
    calc = np.dtype(np.float32) if np_dt == np.float16 else np_dt   # half arithmetic runs in float
    w = np.asarray(body(n, calc, np_dt), dtype=np_dt)
    if periodic:
        w = w[:-1].copy()
    return _finish(w, requires_grad)


def _op(fdt):
    """``r(x)``: round an intermediate result to the dtype torch stores it in."""
    return lambda x: np.asarray(x).astype(fdt).astype(np.float32 if fdt == np.float16 else fdt)


def _arange(n, calc, fdt):
    return np.arange(n, dtype=np.float64).astype(fdt).astype(calc)


def _scalar(v, calc):
    return calc.type(v)


def _cosine_body(alpha, beta):
    def body(n, calc, fdt):
        r = _op(fdt)
        w = r(_arange(n, calc, fdt) * _scalar(2 * math.pi / (n - 1), calc))
        w = r(np.cos(w))
        w = r(w * _scalar(-beta, calc))
        return r(w + _scalar(alpha, calc))
    return body


def hann_window(window_length, periodic=_MISSING, *, dtype=None, layout=None, device=None, requires_grad=False,
                pin_memory=False):
    """Hann window: ``0.5 - 0.5 cos(2 pi n / (N - 1))``."""
    L, periodic, _ = _parse_window_args("hann_window", window_length, periodic, [], [], dtype, layout)
    return _make_window("hann_window", L, periodic, dtype, layout, device, requires_grad, _cosine_body(0.5, 0.5))


def hamming_window(window_length, periodic=_MISSING, alpha=_MISSING, beta=_MISSING, *, dtype=None, layout=None,
                   device=None, requires_grad=False, pin_memory=False):
    """Generalised Hamming window: ``alpha - beta cos(2 pi n / (N - 1))`` (0.54 and 0.46 by default)."""
    extra = ["int window_length, bool periodic, float alpha, ", "int window_length, bool periodic, float alpha, "
             "float beta, "]
    L, periodic, (a, b) = _parse_window_args("hamming_window", window_length, periodic, [alpha, beta], extra, dtype,
                                             layout)
    a = 0.54 if a is None else a
    b = 0.46 if b is None else b
    return _make_window("hamming_window", L, periodic, dtype, layout, device, requires_grad, _cosine_body(a, b))


def blackman_window(window_length, periodic=_MISSING, *, dtype=None, layout=None, device=None, requires_grad=False,
                    pin_memory=False):
    """Blackman window: ``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``."""
    L, periodic, _ = _parse_window_args("blackman_window", window_length, periodic, [], [], dtype, layout)

    def body(n, calc, fdt):
        r = _op(fdt)
        x = r(_arange(n, calc, fdt) * _scalar(math.pi / (n - 1), calc))
        a = r(r(np.cos(r(x * _scalar(4, calc)))) * _scalar(0.08, calc))
        b = r(r(np.cos(r(x * _scalar(2, calc)))) * _scalar(0.5, calc))
        return r(r(a - b) + _scalar(0.42, calc))
    return _make_window("blackman_window", L, periodic, dtype, layout, device, requires_grad, body)


def bartlett_window(window_length, periodic=_MISSING, *, dtype=None, layout=None, device=None, requires_grad=False,
                    pin_memory=False):
    """Bartlett (triangular) window: ``1 - |2 n / (N - 1) - 1|``."""
    L, periodic, _ = _parse_window_args("bartlett_window", window_length, periodic, [], [], dtype, layout)

    def body(n, calc, fdt):
        r = _op(fdt)
        w = r(_arange(n, calc, fdt) * _scalar(2.0 / (n - 1), calc))
        half = ((n - 1) >> 1) + 1
        w[half:] = r(r(w[half:] * _scalar(-1, calc)) + _scalar(2, calc))
        return w
    return _make_window("bartlett_window", L, periodic, dtype, layout, device, requires_grad, body)


def kaiser_window(window_length, periodic=_MISSING, beta=_MISSING, *, dtype=None, layout=None, device=None,
                  requires_grad=False, pin_memory=False):
    """Kaiser window: ``I0(beta sqrt(1 - ((n - a) / a)^2)) / I0(beta)`` with ``a = (N - 1) / 2``
    (``beta`` = 12 by default)."""
    extra = ["int window_length, bool periodic, float beta, "]
    L, periodic, (b,) = _parse_window_args("kaiser_window", window_length, periodic, [beta], extra, dtype, layout)
    b = 12.0 if b is None else b

    def body(n, calc, fdt):
        k = _arange(n, calc, fdt).astype(np.float64)
        a = (n - 1) / 2.0
        if calc != np.float64:   # torch rounds alpha and beta to the arithmetic dtype
            a, bb = float(np.float32(a)), float(np.float32(b))
        else:
            bb = b
        arg = bb * np.sqrt(np.abs(1 - ((k - a) / a) ** 2))
        return np.i0(arg) / np.i0(bb)
    return _make_window("kaiser_window", L, periodic, dtype, layout, device, requires_grad, body)


# ==== stft / istft helpers =======================================================================
_LEGACY = {np.dtype(k): v for k, v in [("float16", "Half"), ("float32", "Float"), ("float64", "Double"),
                                        ("int8", "Char"), ("int16", "Short"), ("int32", "Int"), ("int64", "Long"),
                                        ("uint8", "Byte"), ("bool", "Bool")]}


def _type_repr(t):
    dt = t._data.dtype
    if dt.kind == "c":
        return f"CPU{_dtype.torch_type_name(dt)}Type"
    return f"torch.{_LEGACY.get(dt, str(dt))}Tensor"


def _sizes(t):
    return "[" + ", ".join(str(s) for s in t._data.shape) + "]"


def _opt(v):
    return "None" if v is None else str(int(v))


def _window_repr(window):
    return "None" if window is None else f"{_type_repr(window)}{{{_sizes(window)}}}"


def _index(fname, name, v):
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{fname}(): argument '{name}' must be int, not {type(v).__name__}")
    return operator.index(v)


def _overlap_add(frames, hop, total):
    """(B, n_frames, n) frames summed into (B, total) signals, frame k starting at ``k * hop``."""
    from .scatter_gather import index_add
    from .creation import zeros
    b, n_frames, n = frames.shape
    idx = (np.arange(n_frames)[:, None] * hop + np.arange(n)[None, :]).reshape(-1)
    from .._tensor import _wrap
    out = zeros(b, total, dtype=frames.dtype)
    return index_add(out, 1, _wrap(idx.astype(np.int64)), frames.reshape(b, n_frames * n))


def _centre_window(window, win_length, n_fft, np_dt):
    """The window (ones when None) zero-padded on both sides to ``n_fft`` points; None when no window
    multiplication is needed."""
    from .conv import constant_pad_nd
    from .creation import ones
    if win_length == n_fft:
        return window
    left = (n_fft - win_length) // 2
    w = window if window is not None else ones(win_length, dtype=_dtype.from_numpy_dtype(np_dt))
    return constant_pad_nd(w, [left, n_fft - win_length - left])


def _check_fft_dtype(np_dt):
    if np_dt not in (np.float32, np.float64, np.complex64, np.complex128):
        raise RuntimeError(f"MKL FFT doesn't support tensors of type: {_dtype.torch_type_name(np_dt)}")


# ==== stft =======================================================================================
def stft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, pad_mode="reflect",
         normalized=False, onesided=None, return_complex=None, align_to_window=None):
    """Short-time Fourier transform of a 1-D signal or a batch of them (2-D).

    Returns ``(B?, N, T)`` complex (or ``(B?, N, T, 2)`` real with ``return_complex=False``) where ``N``
    is ``n_fft // 2 + 1`` when onesided (the default for real signals and windows) or ``n_fft``, and
    ``T`` the number of frames.
    """
    from ..nn.functional.vision import pad as _pad
    input = to_tensor(input)
    n_fft = _index("stft", "n_fft", n_fft)
    hop_length = _index("stft", "hop_length", hop_length)
    win_length = _index("stft", "win_length", win_length)
    if center and align_to_window is not None:
        raise RuntimeError("stft align_to_window should only be set when center = false")
    if center:
        sd = input.dim()
        extended = [1] * (3 - sd) + list(input.shape)
        p = int(n_fft // 2)
        input = _pad(input.view(extended), [p, p], pad_mode)
        input = input.view(input.shape[-sd:])
    return _stft(input, n_fft, hop_length, win_length, window, normalized, onesided, return_complex,
                 align_to_window)


def _stft(input, n_fft, hop_length, win_length, window, normalized, onesided, return_complex, align_to_window):
    from .construction import as_strided, view_as_real
    from .conv import constant_pad_nd
    from .. import fft as _fft
    if window is not None:
        window = to_tensor(window)
    else:
        warnings.warn("A window was not provided. A rectangular window will be applied,which is known to cause "
                      "spectral leakage. Other windows such as torch.hann_window or torch.hamming_window are "
                      "recommended to reduce spectral leakage.To suppress this warning and use a rectangular window, "
                      "explicitly set `window=torch.ones(n_fft, device=<device>)`.", UserWarning, stacklevel=3)
    hop = n_fft >> 2 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    complex_in = input._data.dtype.kind == "c" or (window is not None and window._data.dtype.kind == "c")
    rc = complex_in if return_complex is None else bool(return_complex)
    if not rc:
        if return_complex is None:
            raise RuntimeError("stft requires the return_complex parameter be given for real inputs, and will "
                               "further require that return_complex=True in a future PyTorch release.")
        warnings.warn("stft with return_complex=False is deprecated. In a future pytorch release, stft will "
                      "return complex tensors for all inputs, and return_complex=False will raise an error.\n"
                      "Note: you can still call torch.view_as_real on the complex output to recover the old "
                      "return format.", UserWarning, stacklevel=3)
    prefix = (f"stft({_type_repr(input)}{_sizes(input)}, n_fft={n_fft}, hop_length={hop}, win_length={win}, "
              f"window={_window_repr(window)}, normalized={int(bool(normalized))}, onesided={_opt(onesided)}, "
              f"return_complex={int(rc)}, align_to_window={_opt(align_to_window)}) : ")
    ndim = input.dim()
    if ndim not in (1, 2):
        raise RuntimeError(prefix + "expected a 1D or 2D tensor")
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(prefix + "expected a tensor of floating point or complex values")
    length = input._data.shape[-1]
    if n_fft <= 0 or n_fft > length:
        raise RuntimeError(prefix + f"expected 0 < n_fft < {length}, but got n_fft={n_fft}")
    if hop <= 0:
        raise RuntimeError(prefix + f"expected hop_length > 0, but got hop_length={hop}")
    if win <= 0 or win > n_fft:
        raise RuntimeError(prefix + f"expected 0 < win_length <= n_fft, but got win_length={win}")
    if window is not None and (window.dim() != 1 or window._data.shape[0] != win):
        raise RuntimeError(prefix + f"expected a 1D window tensor of size equal to win_length={win}, but got "
                                    f"window with size {_sizes(window)}")
    x = input.unsqueeze(0) if ndim == 1 else input
    w = _centre_window(window, win, n_fft, input._data.dtype if input._data.dtype.kind == "f" else
                       _dtype.default.np)
    if align_to_window and win < n_fft:
        left = (n_fft - win) // 2      # frames start where their window starts
        x = constant_pad_nd(x, [left, n_fft - win - left])
        length = x._data.shape[-1]
    if any(s < 0 for s in x._data.strides):
        x = x.contiguous()
    n_frames = 1 + (length - n_fft) // hop
    s0, s1 = x.stride()
    frames = as_strided(x, (x.shape[0], n_frames, n_fft), (s0, hop * s1, s1))
    if w is not None:
        frames = frames * w
    _check_fft_dtype(frames._data.dtype)
    complex_fft = frames._data.dtype.kind == "c"
    one = (not complex_fft) if onesided is None else bool(onesided)
    norm = _fft._BY_ROOT_N if normalized else _fft._NONE
    if complex_fft:
        if one:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        out = _fft._fft_c2c(frames, [2], norm, True)
    else:
        out = _fft._fft_r2c(frames, [2], norm, one)
    out = out.transpose(1, 2)
    if ndim == 1:
        out = out.squeeze(0)
    return out if rc else view_as_real(out)


# ==== istft ======================================================================================
def istft(input, n_fft, hop_length=None, win_length=None, window=None, center=True, normalized=False,
          onesided=None, length=None, return_complex=False):
    """Inverse of ``stft``: overlap-add of the inverse transforms of the frames, divided by the overlap-added
    squared window. ``input`` is complex ``(B?, N, T)``; the result is ``(B?, length)``."""
    from .conv import constant_pad_nd
    from .joining import narrow
    from .. import fft as _fft
    from .._tensor import _dim_of
    input = to_tensor(input)
    n_fft = _index("istft", "n_fft", n_fft)
    hop_length = _index("istft", "hop_length", hop_length)
    win_length = _index("istft", "win_length", win_length)
    length = _index("istft", "length", length)
    if window is not None:
        window = to_tensor(window)
    else:
        warnings.warn("A window was not provided. A rectangular window will be applied.Please provide the same "
                      "window used by stft to make the inversion lossless.To suppress this warning and use a "
                      "rectangular window, explicitly set `window=torch.ones(n_fft, device=<device>)`.",
                      UserWarning, stacklevel=2)
    hop = n_fft >> 2 if hop_length is None else hop_length
    win = n_fft if win_length is None else win_length
    if input._data.dtype.kind != "c":
        raise RuntimeError("istft requires a complex-valued input tensor matching the output from stft with "
                           "return_complex=True.")
    real_ndim = input.dim() + 1
    n_frames = input._data.shape[_dim_of(-2, real_ndim)]
    fft_size = input._data.shape[_dim_of(-3, real_ndim)]
    expected_len = n_fft + hop * (n_frames - 1)
    prefix = (f"istft({_type_repr(input)}{_sizes(input)}, n_fft={n_fft}, hop_length={hop}, win_length={win}, "
              f"window={_window_repr(window)}, center={int(bool(center))}, normalized={int(bool(normalized))}, "
              f"onesided={_opt(onesided)}, length={'None' if length is None else length}, "
              f"return_complex={int(bool(return_complex))}) ")
    if input._data.size == 0:
        raise RuntimeError(prefix + ": input tensor cannot be empty.")
    if real_ndim not in (3, 4):
        raise RuntimeError(prefix + f": expected a tensor with 3 or 4 dimensions, but got {real_ndim}")
    one = (fft_size != n_fft) if onesided is None else bool(onesided)
    if one:
        if n_fft // 2 + 1 != fft_size:
            raise RuntimeError(prefix + ": expected the frequency dimension (3rd to the last) of the input tensor "
                                        f"to match n_fft / 2 + 1 when onesided=True, but got {fft_size}")
    elif n_fft != fft_size:
        raise RuntimeError(prefix + ": expected the frequency dimension (3rd to the last) of the input tensor to "
                                    f"match n_fft when onesided=False, but got {fft_size}")
    if not 0 < hop <= win:
        raise RuntimeError(prefix + ": expected 0 < hop_length <= win_length")
    if not 0 < win <= n_fft:
        raise RuntimeError(prefix + ": expected 0 < win_length <= n_fft")
    if window is not None and (window.dim() != 1 or window._data.shape[0] != win):
        raise RuntimeError(prefix + ": Invalid window shape. window has to be 1D and length of `win_length`")
    real_dt = _fft._REAL_OF[input._data.dtype]
    from .creation import ones
    w = window if window is not None else ones(win, dtype=_dtype.from_numpy_dtype(real_dt))
    w = _centre_window(w, win, n_fft, real_dt)
    x = input.unsqueeze(0) if real_ndim == 3 else input
    x = x.transpose(1, 2)                         # (B, n_frames, fft_size)
    norm = _fft._BY_ROOT_N if normalized else _fft._BY_N
    if return_complex:
        if one:
            raise RuntimeError("Cannot have onesided output if window or input is complex")
        frames = _fft._fft_c2c(x, [2], norm, False)
    else:
        if window is not None and window._data.dtype.kind == "c":
            raise RuntimeError("Complex windows are incompatible with return_complex=False")
        if not one:
            x = narrow(x, -1, 0, n_fft // 2 + 1)
        frames = _fft._fft_c2r(x, [2], norm, n_fft)
    frames = frames * w.view(1, 1, n_fft)
    y = _overlap_add(frames, hop, expected_len)
    w2 = (w * w).view(1, 1, n_fft).expand(1, n_frames, n_fft)
    envelope = _overlap_add(w2, hop, expected_len)
    start = n_fft // 2 if center else 0
    if length is not None:
        end = start + length
    else:
        end = -(n_fft // 2) if center else expected_len
    y = y[:, start:end]
    envelope = envelope[:, start:end]
    if envelope._data.size == 0:
        raise RuntimeError("min(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                           "reduction dim with the 'dim' argument.")
    if np.abs(envelope._data).min() < 1e-11:
        raise RuntimeError(prefix + "window overlap add min: 1\n[ CPUBoolType{} ]")
    y = y / envelope
    if real_ndim == 3:
        y = y.squeeze(0)
    if end > expected_len:
        warnings.warn("The length of signal is shorter than the length parameter. Result is being padded with "
                      "zeros in the tail. Please check your center and hop_length settings.", UserWarning,
                      stacklevel=2)
        y = constant_pad_nd(y, [0, end - expected_len])
    return y

