"""``ndgrad.fft``: discrete Fourier transforms with torch.fft's API, computed by ``numpy.fft``.

Every public transform is built, as torch's are, from three differentiable primitives:

* ``_fft_c2c(x, dims, normalization, forward)``: complex -> complex (``FftC2CBackward0``);
* ``_fft_r2c(x, dims, normalization, onesided)``: real -> complex, always a forward transform;
  ``onesided`` keeps only the non-redundant half of the last transformed dim (``FftR2CBackward0``);
* ``_fft_c2r(x, dims, normalization, last_dim_size)``: one-sided Hermitian complex -> real, always
  an inverse transform (``FftC2RBackward0``).

``normalization`` is the scaling the primitive applies: none, ``1/sqrt(n)`` or ``1/n`` where ``n`` is
the number of points of the transformed signal. The public ``norm`` argument picks it according to the
direction ("backward" scales only the inverse, "forward" only the forward, "ortho" both by sqrt).

Gradients use torch's convention for complex numbers (the gradient of a real loss ``L`` with respect
to ``z`` is ``dL/dRe z + i dL/dIm z``): every primitive is linear, so its backward is the adjoint map,
written with these same primitives (so double backward works):

* c2c: the opposite-direction c2c with the same (unscaled-by-direction) normalization;
* r2c: zero-fill the dropped half, inverse c2c, keep the real part;
* c2r: r2c of the gradient, with the bins whose mirror image was dropped by the one-sided layout
  counted twice.

Inputs are resized first (zero padding or cropping to ``n``/``s``) by ordinary differentiable ops, and
integer inputs are promoted to the default float dtype. NumPy keeps single precision for single
precision inputs; results are cast to complex64/float32 regardless, as torch returns them.
"""
import operator

import numpy as np

from . import _dtype
from ._dtype import torch_type_name
from .ops._core import Node, Tensor, wrap, edge, attach, mode, to_tensor
from .ops.convert import _to_dtype

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2", "irfft2", "rfftn",
           "irfftn", "hfft", "ihfft", "hfft2", "ihfft2", "hfftn", "ihfftn", "fftfreq", "rfftfreq", "fftshift",
           "ifftshift"]

# the scaling a primitive applies
_NONE, _BY_ROOT_N, _BY_N = 0, 1, 2

_COMPLEX_OF = {np.dtype(np.float32): np.dtype(np.complex64), np.dtype(np.float64): np.dtype(np.complex128)}
_REAL_OF = {v: k for k, v in _COMPLEX_OF.items()}


# ==== argument handling ==========================================================================
def _normalization(norm, forward):
    """The scaling of a transform in direction ``forward`` for the public ``norm`` argument."""
    if norm is None or norm == "backward":
        return _NONE if forward else _BY_N
    if norm == "forward":
        return _BY_N if forward else _NONE
    if norm == "ortho":
        return _BY_ROOT_N
    raise RuntimeError(f'Invalid normalization mode: "{norm}"')


def _np_norm(normalization, forward):
    """numpy.fft's ``norm`` string that applies ``normalization`` to a transform in that direction."""
    if normalization == _BY_ROOT_N:
        return "ortho"
    if forward:
        return "backward" if normalization == _NONE else "forward"
    return "forward" if normalization == _NONE else "backward"


def _wrap_fft_dim(dim, ndim):
    """Wrap a possibly negative dim; unlike most ops, a 0-d tensor has no dim to transform."""
    dim = operator.index(dim)
    if ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    if not -ndim <= dim < ndim:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-ndim}, {ndim - 1}], "
                         f"but got {dim})")
    return dim + ndim if dim < 0 else dim


def _check_int(fname, argname, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"fft_{fname}(): argument '{argname}' must be int, not {type(value).__name__}")
    return int(value)


def _check_points(n):
    if n < 1:
        raise RuntimeError(f"Invalid number of data points ({n}) specified")


def _as_list(v):
    if v is None:
        return None
    if isinstance(v, (tuple, list)):
        return [operator.index(e) for e in v]
    if isinstance(v, Tensor):
        return [int(e) for e in v._data.reshape(-1)]
    return [operator.index(v)]


def _shape_and_dims(x, s, dim):
    """torch's canonical (signal sizes, dims) for the n-dimensional transforms."""
    ndim = x._data.ndim
    shape = list(x._data.shape)
    s, dim = _as_list(s), _as_list(dim)
    if dim is not None:
        dims = [_wrap_fft_dim(d, ndim) for d in dim]
        if len(set(dims)) != len(dims):
            raise RuntimeError("FFT dims must be unique")
    if s is not None:
        if dim is not None:
            if len(s) != len(dims):
                raise RuntimeError("When given, dim and shape arguments must have the same length")
        else:
            if len(s) > ndim:
                raise RuntimeError(f"Got shape with {len(s)} values but input tensor only has {ndim} dimensions.")
            dims = list(range(ndim - len(s), ndim))
        sizes = [shape[d] if n == -1 else n for n, d in zip(s, dims)]
    else:
        if dim is None:
            dims = list(range(ndim))
        sizes = [shape[d] for d in dims]
    for n in sizes:
        _check_points(n)
    return sizes, dims


def _c2r_shape_and_dims(fname, x, s, dim):
    """Like ``_shape_and_dims`` for a complex-to-real transform: also the real output's last size;
    the last signal size becomes the one-sided length ``last // 2 + 1``."""
    sizes, dims = _shape_and_dims(x, s, dim)
    if not dims:
        raise RuntimeError(f"{fname} must transform at least one axis")
    s = _as_list(s)
    if s is not None and s[-1] != -1:
        last = s[-1]
    else:
        last = 2 * (x._data.shape[dims[-1]] - 1)
    _check_points(last)
    sizes[-1] = last // 2 + 1
    return sizes, dims, last


def _promote(x, require_complex=False):
    """Integers and bool become the default float dtype; complex is made when required."""
    x = to_tensor(x)
    dt = x._data.dtype
    if dt.kind in "biu":
        x = wrap(x._data.astype(_dtype.default.np))
        dt = x._data.dtype
    if dt.kind == "f" and dt not in _COMPLEX_OF or dt.kind not in "fc":
        raise RuntimeError(f"Unsupported dtype {torch_type_name(dt)}")
    if require_complex and dt.kind == "f":
        x = _to_dtype(x, _COMPLEX_OF[dt])      # recorded as ToCopyBackward0, as torch
    return x


def _resize(x, dims, sizes):
    """Crop (a slice view) or zero-pad ``x`` along ``dims`` to ``sizes``, as torch does first."""
    from .ops.joining import narrow
    from .ops.conv import constant_pad_nd
    shape = x._data.shape
    for d, n in zip(dims, sizes):
        if n < shape[d]:
            x = narrow(x, d, 0, n)
    shape = x._data.shape
    if any(n > shape[d] for d, n in zip(dims, sizes)):
        ndim = len(shape)
        pad = [0] * (2 * ndim)
        for d, n in zip(dims, sizes):
            if n > shape[d]:
                pad[2 * (ndim - 1 - d) + 1] = n - shape[d]
        while pad and pad[-1] == 0 and pad[-2] == 0:
            del pad[-2:]
        x = constant_pad_nd(x, pad)
    return x


def _conj(x):
    from .ops.unary import conj
    return conj(x)


class ConjPhysicalBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        return _conj_physical(grad)


def _conj_physical(x):
    out = wrap(np.conj(x._data))
    if x._rg and mode.enabled:
        attach(out, ConjPhysicalBackward0(edge(x)))
    return out


# ==== the three primitives =======================================================================
class FftC2CBackward0(Node):
    __slots__ = ("dim", "normalization", "forward")

    def backward(self, grad):
        return _fft_c2c(grad, self.dim, self.normalization, not self.forward)


class FftR2CBackward0(Node):
    __slots__ = ("dim", "normalization", "onesided", "last_dim_size")

    def backward(self, grad):
        from .ops.conv import constant_pad_nd
        if self.onesided:
            last = self.dim[-1]
            missing = self.last_dim_size - grad._data.shape[last]
            if missing > 0:
                ndim = grad._data.ndim
                pad = [0] * (2 * (ndim - last))
                pad[-1] = missing
                grad = constant_pad_nd(grad, pad)
        return _fft_c2c(grad, self.dim, self.normalization, False).real


class FftC2RBackward0(Node):
    __slots__ = ("dim", "normalization")

    def backward(self, grad):
        g = _fft_r2c(grad, self.dim, self.normalization, True)
        last = self.dim[-1]
        n_full, n_half = grad._data.shape[last], g._data.shape[last]
        twice = n_full - n_half  # bins 1..twice stand for themselves and their dropped mirror image
        if twice > 0:
            w = np.ones(n_half, dtype=_REAL_OF[g._data.dtype])
            w[1:1 + twice] = 2
            w = w.reshape((n_half,) + (1,) * (g._data.ndim - 1 - last))
            g = g * wrap(w)
        return g


def _fft_c2c(x, dims, normalization, forward):
    d = x._data
    dims = tuple(dims)
    if dims:
        fn = np.fft.fftn if forward else np.fft.ifftn
        data = fn(d, axes=dims, norm=_np_norm(normalization, forward)).astype(d.dtype, copy=False)
    else:
        data = d.copy()
    out = wrap(data)
    if x._rg and mode.enabled:
        node = FftC2CBackward0(edge(x))
        node.dim, node.normalization, node.forward = dims, normalization, forward
        attach(out, node)
    return out


def _fft_r2c(x, dims, normalization, onesided):
    d = x._data
    dims = tuple(dims)
    cdt = _COMPLEX_OF[d.dtype]
    norm = _np_norm(normalization, True)
    data = (np.fft.rfftn if onesided else np.fft.fftn)(d, axes=dims, norm=norm).astype(cdt, copy=False)
    out = wrap(data)
    if x._rg and mode.enabled:
        node = FftR2CBackward0(edge(x))
        node.dim, node.normalization, node.onesided = dims, normalization, onesided
        node.last_dim_size = d.shape[dims[-1]]
        attach(out, node)
    return out


def _fft_c2r(x, dims, normalization, last_dim_size):
    d = x._data
    dims = tuple(dims)
    sizes = [d.shape[k] for k in dims[:-1]] + [last_dim_size]
    data = np.fft.irfftn(d, s=sizes, axes=dims, norm=_np_norm(normalization, False))
    out = wrap(data.astype(_REAL_OF[d.dtype], copy=False))
    if x._rg and mode.enabled:
        node = FftC2RBackward0(edge(x))
        node.dim, node.normalization = dims, normalization
        attach(out, node)
    return out


# ==== out= =======================================================================================
_PRIMITIVE = {"FftC2CBackward0": "_fft_c2c", "FftR2CBackward0": "_fft_r2c", "FftC2RBackward0": "_fft_c2r",
              "ConjBackward0": "_fft_r2c"}


def _write_out(fname, result, out):
    if out is None:
        return result
    complex_result = result._data.dtype.kind == "c"
    odt = out._data.dtype
    if complex_result and odt.kind != "c":
        raise RuntimeError(f"{fname} expects a complex output tensor, but got {torch_type_name(odt)}")
    if not complex_result and odt.kind != "f":
        raise RuntimeError(f"{fname} expects a floating point output tensor, but got {torch_type_name(odt)}")
    if mode.enabled and (result._rg or out._rg):
        prim = _PRIMITIVE.get(type(result.grad_fn).__name__, "_fft_c2c")
        raise RuntimeError(f"{prim}(): functions with out=... arguments don't support automatic "
                           "differentiation, but one of the arguments requires grad.")
    if out._data.shape != result._data.shape:
        out._data = np.empty(result._data.shape, dtype=odt)
    np.copyto(out._data, result._data, casting="unsafe")
    out._vc[0] += 1
    return out


# ==== one-dimensional transforms =================================================================
def _one_dim(fname, input, n, dim):
    dim = _check_int(fname, "dim", dim)
    dim = _wrap_fft_dim(dim, to_tensor(input)._data.ndim)
    if n is not None:
        n = _check_int(fname, "n", n)
    return n, dim


def _c2c_1d(fname, input, n, dim, norm, forward, out):
    n, dim = _one_dim(fname, input, n, dim)
    x = _promote(input)
    n = x._data.shape[dim] if n is None else n
    _check_points(n)
    x = _resize(x, [dim], [n])
    normalization = _normalization(norm, forward)
    if x._data.dtype.kind == "c":
        r = _fft_c2c(x, [dim], normalization, forward)
    else:
        r = _fft_r2c(x, [dim], normalization, False)
        if not forward:   # ifft of a real signal: the conjugate of its forward transform
            r = _conj(r)
    return _write_out(fname, r, out)


def _real_input_check(fname, input):
    input = to_tensor(input)
    if input._data.dtype.kind == "c":
        raise RuntimeError(f"{fname} expects a real input tensor, but got {torch_type_name(input._data.dtype)}")
    return input


def _r2c_1d(fname, input, n, dim, norm, forward, out):
    input = _real_input_check(fname, input)
    n, dim = _one_dim(fname, input, n, dim)
    x = _promote(input)
    n = x._data.shape[dim] if n is None else n
    _check_points(n)
    x = _resize(x, [dim], [n])
    r = _fft_r2c(x, [dim], _normalization(norm, forward), True)
    if not forward:
        r = _conj(r)
    return _write_out(fname, r, out)


def _c2r_1d(fname, input, n, dim, norm, forward, out):
    n, dim = _one_dim(fname, input, n, dim)
    x = _promote(input, require_complex=True)
    n = 2 * (x._data.shape[dim] - 1) if n is None else n
    _check_points(n)
    x = _resize(x, [dim], [n // 2 + 1])
    if forward:   # hfft: the Hermitian signal's forward transform is the inverse one of its conjugate
        x = _conj(x)
    r = _fft_c2r(x, [dim], _normalization(norm, forward), n)
    return _write_out(fname, r, out)


def fft(input, n=None, dim=-1, norm=None, *, out=None):
    """One-dimensional discrete Fourier transform of ``input`` along ``dim``."""
    return _c2c_1d("fft", input, n, dim, norm, True, out)


def ifft(input, n=None, dim=-1, norm=None, *, out=None):
    """One-dimensional inverse discrete Fourier transform."""
    return _c2c_1d("ifft", input, n, dim, norm, False, out)


def rfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Fourier transform of a real signal: the ``n // 2 + 1`` non-redundant frequencies."""
    return _r2c_1d("rfft", input, n, dim, norm, True, out)


def irfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Inverse of ``rfft``: a real signal of length ``n`` (default ``2 * (input.size(dim) - 1)``)."""
    return _c2r_1d("irfft", input, n, dim, norm, False, out)


def hfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Fourier transform of a Hermitian-symmetric signal given by its one-sided half: real output."""
    return _c2r_1d("hfft", input, n, dim, norm, True, out)


def ihfft(input, n=None, dim=-1, norm=None, *, out=None):
    """Inverse of ``hfft``: the one-sided inverse transform of a real signal."""
    return _r2c_1d("ihfft", input, n, dim, norm, False, out)


# ==== n-dimensional transforms ===================================================================
def _c2c_nd(fname, input, s, dim, norm, forward, out):
    x = to_tensor(input)
    sizes, dims = _shape_and_dims(x, s, dim)
    x = _promote(x, require_complex=True)
    x = _resize(x, dims, sizes)
    r = _fft_c2c(x, dims, _normalization(norm, forward), forward)
    return _write_out(fname, r, out)


def _rfftn(input, s, dim, norm, out):
    x = to_tensor(input)
    if x._data.dtype.kind == "c":
        raise RuntimeError(f"rfftn expects a real-valued input tensor, but got {torch_type_name(x._data.dtype)}")
    sizes, dims = _shape_and_dims(x, s, dim)
    if not dims:
        raise RuntimeError("rfftn must transform at least one axis")
    x = _promote(x)
    x = _resize(x, dims, sizes)
    r = _fft_r2c(x, dims, _normalization(norm, True), True)
    return _write_out("rfftn", r, out)


def _irfftn(input, s, dim, norm, out):
    x = to_tensor(input)
    sizes, dims, last = _c2r_shape_and_dims("irfftn", x, s, dim)
    x = _promote(x, require_complex=True)
    x = _resize(x, dims, sizes)
    r = _fft_c2r(x, dims, _normalization(norm, False), last)
    return _write_out("irfftn", r, out)


def _hfftn(input, s, dim, norm, out):
    x = to_tensor(input)
    sizes, dims, last = _c2r_shape_and_dims("hfftn", x, s, dim)
    x = _promote(x, require_complex=True)
    x = _resize(x, dims, sizes)
    normalization = _normalization(norm, True)
    if len(dims) > 1:   # the leading dims: a plain forward transform (conj(F x) = unscaled F^-1 conj(x))
        x = _fft_c2c(x, dims[:-1], normalization, True)
    r = _fft_c2r(_conj(x), dims[-1:], normalization, last)
    return _write_out("hfftn", r, out)


def _ihfftn(input, s, dim, norm, out):
    x = to_tensor(input)
    if x._data.dtype.kind == "c":
        raise RuntimeError(f"Only supports floating-point dtypes, but found: {torch_type_name(x._data.dtype)}")
    sizes, dims = _shape_and_dims(x, s, dim)
    if not dims:
        raise RuntimeError("ihfftn must transform at least one axis")
    x = _promote(x)
    x = _resize(x, dims, sizes)
    normalization = _normalization(norm, False)
    r = _fft_r2c(x, dims[-1:], normalization, True)
    if len(dims) == 1:
        r = _conj(r)
    else:
        r = _fft_c2c(_conj_physical(r), dims[:-1], normalization, False)
    return _write_out("ihfftn", r, out)


def fftn(input, s=None, dim=None, norm=None, *, out=None):
    """N-dimensional discrete Fourier transform (all dims by default)."""
    return _c2c_nd("fftn", input, s, dim, norm, True, out)


def ifftn(input, s=None, dim=None, norm=None, *, out=None):
    """N-dimensional inverse discrete Fourier transform."""
    return _c2c_nd("ifftn", input, s, dim, norm, False, out)


def fft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Two-dimensional discrete Fourier transform (``fftn`` over the last two dims by default)."""
    return _c2c_nd("fftn", input, s, dim, norm, True, out)


def ifft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    """Two-dimensional inverse discrete Fourier transform."""
    return _c2c_nd("ifftn", input, s, dim, norm, False, out)


def rfftn(input, s=None, dim=None, norm=None, *, out=None):
    """N-dimensional transform of a real signal, one-sided in the last transformed dim."""
    return _rfftn(input, s, dim, norm, out)


def rfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _rfftn(input, s, dim, norm, out)


def irfftn(input, s=None, dim=None, norm=None, *, out=None):
    """Inverse of ``rfftn``: a real signal (last size ``2 * (input.size(dim[-1]) - 1)`` by default)."""
    return _irfftn(input, s, dim, norm, out)


def irfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _irfftn(input, s, dim, norm, out)


def hfftn(input, s=None, dim=None, norm=None, *, out=None):
    """N-dimensional transform of a Hermitian-symmetric signal given by its one-sided half."""
    return _hfftn(input, s, dim, norm, out)


def hfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _hfftn(input, s, dim, norm, out)


def ihfftn(input, s=None, dim=None, norm=None, *, out=None):
    """Inverse of ``hfftn``: one-sided N-dimensional inverse transform of a real signal."""
    return _ihfftn(input, s, dim, norm, out)


def ihfft2(input, s=None, dim=(-2, -1), norm=None, *, out=None):
    return _ihfftn(input, s, dim, norm, out)


# ==== frequencies and shifts =====================================================================
def _freq(fname, count, n, d, out, dtype, requires_grad):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"fft_{fname}(): argument 'n' (position 1) must be int, not {type(n).__name__}")
    n = int(n)
    count = count(n)
    if dtype is None:
        np_dt = out._data.dtype if out is not None else _dtype.default.np
    else:
        np_dt = _dtype.to_dtype(dtype).np
    if np_dt.kind == "c":
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{torch_type_name(np_dt)}'")
    if np_dt.kind != "f":
        raise RuntimeError(f"{fname} requires a floating point or complex dtype")
    if count < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {count}: [{count}]")
    k = np.arange(count, dtype=np.float64)
    if fname == "fftfreq":
        k[(n + 1) // 2:] -= n
    d = float(d.item() if isinstance(d, Tensor) else d)
    with np.errstate(all="ignore"):
        scale = np.float64(1.0) / (np.float64(n) * d)
        data = (k.astype(np_dt) * np.asarray(scale).astype(np_dt)).astype(np_dt, copy=False)
    r = wrap(data)
    if out is not None:
        if out._data.shape != data.shape:
            out._data = np.empty(data.shape, dtype=out._data.dtype)
        np.copyto(out._data, data, casting="unsafe")
        out._vc[0] += 1
        r = out
    if requires_grad:
        r.requires_grad_(True)
    return r


def fftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The sample frequencies of an ``n``-point transform with sample spacing ``d``:
    ``[0, 1, ..., ceil(n/2) - 1, -floor(n/2), ..., -1] / (d * n)``."""
    return _freq("fftfreq", lambda m: m, n, d, out, dtype, requires_grad)


def rfftfreq(n, d=1.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False):
    """The non-negative sample frequencies of ``rfft``: ``[0, 1, ..., n // 2] / (d * n)``."""
    return _freq("rfftfreq", lambda m: m // 2 + 1, n, d, out, dtype, requires_grad)


def _shift(input, dim, inverse):
    from .ops.joining import roll
    x = to_tensor(input)
    ndim = x._data.ndim
    dims = list(range(ndim)) if dim is None else [_wrap_fft_dim(k, ndim) for k in _as_list(dim)]
    if not dims:
        raise RuntimeError("`shifts` required")
    shape = x._data.shape
    shifts = [(shape[k] + 1) // 2 if inverse else shape[k] // 2 for k in dims]
    return roll(x, shifts, dims)


def fftshift(input, dim=None):
    """Move the zero-frequency term to the centre (a roll by ``size // 2`` along ``dim``, all dims by
    default)."""
    return _shift(input, dim, False)


def ifftshift(input, dim=None):
    """Inverse of ``fftshift`` (a roll by ``(size + 1) // 2``)."""
    return _shift(input, dim, True)

