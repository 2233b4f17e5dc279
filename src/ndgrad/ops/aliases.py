"""torch's top-level names that are other names for ops ndgrad already has, plus the process-wide
settings torch exposes at its top level.

- ``torch.X_(t, ...)`` for every in-place ``Tensor.X_``: the method itself (``_INPLACE``).
- ``torch.selu``, ``torch.kl_div``, ... : nn.functional's ops under their ATen names and argument
  orders (losses take ``reduction`` as ATen's int: 0 none, 1 mean, 2 sum; omitted, it is 0 as in torch
  2.x's top-level bindings, which return the unreduced loss). nn.functional is imported
  on the first call, so ``import ndgrad`` stays fast.
- ``torch.view_copy``, ``torch.t_copy``, ... : the view op, its result copied out of the input's storage;
  the node is the view's, named ``<ViewNode>_copy`` as torch names it.
- settings: threads, determinism, default device, matmul precision, anomaly mode, ``compile``.

ndgrad computes on the CPU with NumPy: it is deterministic, has no lazy conj/neg bits, no inference
tensors, no pinned or shared memory; the getters answer accordingly.
"""
import numpy as np

from .._tensor import Tensor
from ._core import wrap, edge, record, needs_grad, Node, wrap_dim

# -- torch.X_(tensor, ...) = Tensor.X_ ---------------------------------------------------------
_INPLACE = """abs_ absolute_ acos_ acosh_ addmv_ arccos_ arccosh_ arcsin_ arcsinh_ arctan_ arctanh_ as_strided_
asin_ asinh_ atan_ atanh_ ceil_ clamp_ clamp_max_ clamp_min_ clip_ conj_physical_ cos_ cosh_ deg2rad_ detach_ erf_
erfc_ exp2_ exp_ expm1_ fill_ fix_ floor_ frac_ gcd_ i0_ lcm_ ldexp_ log10_ log1p_ log2_ log_ logit_ nan_to_num_ neg_
negative_ rad2deg_ reciprocal_ relu_ resize_as_ round_ rsqrt_ sigmoid_ sin_ sinc_ sinh_ sqrt_ square_ tan_ tanh_
trunc_ xlogy_ zero_""".split()
# torch functions that are a Tensor method (or property) of the same name
_METHODS = """is_conj is_neg is_inference is_signed is_same_size conj_physical split_with_sizes unsafe_split
unsafe_split_with_sizes unsafe_chunk""".split()

__all__ = []
_g = globals()
for _name in _INPLACE + _METHODS:
    if hasattr(Tensor, _name):
        _g[_name] = getattr(Tensor, _name)
        __all__.append(_name)


def real(input):
    return input.real


def imag(input):
    return input.imag


def detach(input):
    return input.detach()


def fill(input, value):
    """A new tensor of ``input``'s shape and dtype filled with ``value`` (a number or 0-d tensor)."""
    from .convert import _fill_value
    return _fill_value(input, value, FillBackward0)


def _fill_node():
    from .convert import FillBackward2
    return type("FillBackward0", (FillBackward2,), {"__slots__": ()})


FillBackward0 = _fill_node()


def typename(obj):
    if isinstance(obj, Tensor):
        return obj.type()
    module = getattr(type(obj), "__module__", "") or ""
    name = type(obj).__qualname__
    if module in ("", "builtins"):
        return name
    return f"{module}.{name}".replace("ndgrad.", "torch.") if module.startswith("ndgrad") else f"{module}.{name}"


def matrix_rank(input, tol=None, symmetric=False, *, out=None):
    raise RuntimeError("This function was deprecated since version 1.9 and is now removed.\nPlease use the "
                       "`torch.linalg.matrix_rank` function instead. The parameter 'symmetric' was renamed in "
                       "`torch.linalg.matrix_rank()` to 'hermitian'.")


def frobenius_norm(input, dim=(-2, -1), keepdim=False, *, out=None):
    """Deprecated in torch: ``linalg.vector_norm(input, 2, dim, keepdim)``."""
    from ..linalg import vector_norm
    return vector_norm(input, 2, dim, keepdim)


def nuclear_norm(input, dim=None, keepdim=False, *, out=None):
    """Deprecated in torch: ``linalg.matrix_norm(input, 'nuc', dim, keepdim)``."""
    from ..linalg import matrix_norm
    if isinstance(dim, bool):
        dim, keepdim = None, dim
    return matrix_norm(input, "nuc", (-2, -1) if dim is None else dim, keepdim)


__all__ += ["real", "imag", "detach", "fill", "typename", "matrix_rank", "frobenius_norm", "nuclear_norm"]


# -- nn.functional under torch's top-level (ATen) names -------------------------------------------
_REDUCTIONS = {0: "none", 1: "mean", 2: "sum"}


def _functional(name, call=None):
    """A top-level function forwarding to ``nn.functional.<name>`` (imported on first call)."""
    def fn(*args, **kwargs):
        from ..nn import functional as F
        target = getattr(F, name)
        return target(*args, **kwargs) if call is None else call(target, *args, **kwargs)
    fn.__name__ = fn.__qualname__ = name
    return fn


def _reduction(r):
    return _REDUCTIONS.get(r, r) if isinstance(r, int) else r


def _inplace_call(f, input, *args):
    return f(input, *args, inplace=True)


_FUNCTIONAL = {
    "selu": None, "celu": None, "prelu": None, "threshold": None, "hardshrink": None, "rrelu": None,
    "bilinear": None, "cosine_similarity": None, "pairwise_distance": None, "pdist": None, "rms_norm": None,
    "dropout": None, "alpha_dropout": None, "feature_alpha_dropout": None,
    "celu_": None, "selu_": None, "threshold_": None, "rrelu_": None,
}
for _name in list(_FUNCTIONAL):
    _g[_name] = _functional(_name)
# in-place dropout variants: the functional op with inplace=True
for _name in ("dropout", "alpha_dropout", "feature_alpha_dropout"):
    _g[_name + "_"] = _functional(_name, _inplace_call)
    _g[_name + "_"].__name__ = _name + "_"
    _FUNCTIONAL[_name + "_"] = None


def _loss(name, n_inputs, defaults):
    """ATen's loss signature: ``n_inputs`` tensors, then ``defaults`` (name -> default) positionally."""
    keys = list(defaults)

    def call(f, *args, **kwargs):
        vals = dict(defaults)
        vals.update(zip(keys, args[n_inputs:]))
        vals.update(kwargs)
        if "reduction" in vals:
            vals["reduction"] = _reduction(vals["reduction"])
        if name == "kl_div":   # ATen's 'mean' is the plain elementwise mean, without F's batchmean warning
            import warnings
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return f(*args[:n_inputs], **vals)
        return f(*args[:n_inputs], **vals)
    return _functional(name, call)


_LOSSES = {
    "cosine_embedding_loss": (3, {"margin": 0.0, "reduction": 0}),
    "margin_ranking_loss": (3, {"margin": 0.0, "reduction": 0}),
    "hinge_embedding_loss": (2, {"margin": 1.0, "reduction": 0}),
    "kl_div": (2, {"reduction": 0, "log_target": False}),
    "triplet_margin_loss": (3, {"margin": 1.0, "p": 2, "eps": 1e-6, "swap": False, "reduction": 0}),
    "poisson_nll_loss": (2, {"log_input": True, "full": False, "eps": 1e-8, "reduction": 0}),
    "binary_cross_entropy_with_logits": (2, {"weight": None, "pos_weight": None, "reduction": 0}),
    "ctc_loss": (4, {"blank": 0, "reduction": 0, "zero_infinity": False}),
}
for _name, (_n, _defaults) in _LOSSES.items():
    _g[_name] = _loss(_name, _n, _defaults)


def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False):
    """ATen's order (weight first); ``padding_idx=-1`` means none."""
    from ..nn import functional as F
    return F.embedding(indices, weight, None if padding_idx < 0 else padding_idx,
                       scale_grad_by_freq=scale_grad_by_freq, sparse=sparse)


def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    from ..nn import functional as F
    return F.max_pool1d(input, kernel_size, stride if stride not in ((), []) else None, padding, dilation,
                        ceil_mode, return_indices=True)


__all__ += list(_FUNCTIONAL) + list(_LOSSES) + ["embedding", "max_pool1d_with_indices"]


def _prelu_method(self, weight):
    return _g["prelu"](self, weight)


def _hardshrink_method(self, lambd=0.5):
    return _g["hardshrink"](self, lambd)


Tensor.prelu = _prelu_method
Tensor.hardshrink = _hardshrink_method


# -- *_copy: a view op's result copied out (the view's node renamed <Node>_copy) -----------------
_COPY_NODES = {}


def _copy_node_class(cls):
    c = _COPY_NODES.get(cls)
    if c is None:
        c = _COPY_NODES[cls] = type(cls.__name__ + "_copy", (cls,), {"__slots__": ()})
    return c


def _copy_variant(view_fn, name):
    def fn(input, *args, **kwargs):
        r = view_fn(input, *args, **kwargs)
        outs = r if isinstance(r, (tuple, list)) else (r,)
        copies = []
        node = outs[0].grad_fn if outs else None
        if node is not None:
            node.__class__ = _copy_node_class(type(node))
        for o in outs:
            c = wrap(np.array(o._data, copy=True))
            if node is not None:
                c.grad_fn, c._rg = node, True
                if o._out_nr:
                    c._out_nr = o._out_nr
            copies.append(c)
        return tuple(copies) if isinstance(r, (tuple, list)) else copies[0]
    fn.__name__ = fn.__qualname__ = name
    return fn


def _slice(input, dim=0, start=None, end=None, step=1):
    from .shape import index_basic, SliceBackward0
    dim = wrap_dim(dim, input.dim())
    return index_basic(input, (slice(None),) * dim + (slice(start, end, step),), SliceBackward0)


def _alias(input):
    from .shape import index_basic, AliasBackward0
    return index_basic(input, (), AliasBackward0)


def _view_ops():
    from . import shape, joining, construction
    T = Tensor
    return {
        "view_copy": T.view, "permute_copy": T.permute, "transpose_copy": shape.transpose,
        "expand_copy": lambda input, size, implicit=False: shape.expand(input, size), "select_copy": shape.select,
        "slice_copy": _slice, "squeeze_copy": shape.squeeze, "unsqueeze_copy": shape.unsqueeze,
        "diagonal_copy": joining.diagonal, "t_copy": shape.t, "unbind_copy": joining.unbind,
        "split_copy": joining.split, "split_with_sizes_copy": joining.split_with_sizes,
        "as_strided_copy": construction.as_strided, "view_as_real_copy": construction.view_as_real,
        "view_as_complex_copy": construction.view_as_complex, "alias_copy": _alias, "unfold_copy": T.unfold,
    }


for _name, _fn in _view_ops().items():
    _g[_name] = _copy_variant(_fn, _name)
    __all__.append(_name)


def detach_copy(input):
    return wrap(input._data.copy())


class AsStridedScatterBackward0(Node):
    __slots__ = ("geometry", "src_shape")

    def backward(self, grad):
        size, stride, offset = self.geometry
        gi = gs = None
        if self.next_functions[0][0] is not None:
            gi = as_strided_scatter(grad, grad.new_zeros(self.src_shape), size, stride, offset)
        if self.next_functions[1][0] is not None:
            gs = grad.contiguous().as_strided(size, stride, offset).clone()
        return gi, gs


def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of ``input`` (laid out contiguously) with ``src`` written into its ``as_strided`` view."""
    from .construction import _strided_view
    size = tuple(int(s) for s in size)
    stride = tuple(int(s) for s in stride)
    offset = 0 if storage_offset is None else int(storage_offset)
    base = np.array(input._data, order="C", copy=True)
    view = _strided_view(base, size, stride, offset)
    if tuple(src._data.shape) != size:
        raise RuntimeError(f"expected src to have a size equal to the slice of self. src size = "
                           f"{list(src._data.shape)}, slice size = {list(size)}")
    np.copyto(view, src._data, casting="unsafe")
    out = wrap(base)
    if needs_grad(input, src):
        node = AsStridedScatterBackward0(edge(input), edge(src))
        node.geometry, node.src_shape = (size, stride, offset), src._data.shape
        record(node, out, input, src)
    return out


__all__ += ["detach_copy", "as_strided_scatter"]
Tensor.as_strided_scatter = as_strided_scatter


# -- creation helpers ---------------------------------------------------------------------------
def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None, requires_grad=False,
                   pin_memory=False):
    """An uninitialised tensor of ``size`` whose memory order is ``physical_layout`` (outer to inner)."""
    from .creation import empty
    size = tuple(size)
    perm = tuple(physical_layout)
    if sorted(perm) != list(range(len(size))):
        raise RuntimeError(f"Number of dimensions in size does not match the length of the physical_layout; "
                           f"i.e. len(size) = {len(size)} is not equal to len(physical_layout) = {len(perm)}")
    phys = empty(*(size[p] for p in perm), dtype=dtype, device=device)
    inv = [perm.index(i) for i in range(len(perm))]
    return phys.permute(*inv).detach().requires_grad_(requires_grad)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A tensor sharing memory with a Python buffer (bytes, bytearray, array, memoryview)."""
    from .._dtype import to_dtype
    np_dt = to_dtype(dtype).np
    n = len(memoryview(buffer).cast("B"))
    if n == 0 or (count <= 0 and (n - offset) < np_dt.itemsize):
        raise ValueError(f"both buffer length ({n}) and count ({count}) must not be 0")
    if offset < 0 or offset >= n:
        raise ValueError(f"offset ({offset} bytes) must be non-negative and no greater than buffer length "
                         f"({n} bytes) minus 1")
    if count <= 0 and (n - offset) % np_dt.itemsize:
        raise ValueError(f"buffer length ({n - offset} bytes) after offset ({offset} bytes) must be a multiple of "
                         f"element size ({np_dt.itemsize})")
    data = np.frombuffer(buffer, dtype=np_dt, count=count, offset=offset)
    t = wrap(data)
    return t.requires_grad_(requires_grad) if requires_grad else t


def from_dlpack(ext_tensor):
    """A tensor sharing memory with any object implementing ``__dlpack__`` (NumPy's DLPack import)."""
    if isinstance(ext_tensor, Tensor):
        return ext_tensor.detach()
    if not hasattr(ext_tensor, "__dlpack__"):   # a capsule from to_dlpack: NumPy wants an exporter object
        ext_tensor = _Capsule(ext_tensor)
    return wrap(np.from_dlpack(ext_tensor))


class _Capsule:
    __slots__ = ("capsule",)

    def __init__(self, capsule):
        self.capsule = capsule

    def __dlpack__(self, *args, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        return (1, 0)   # kDLCPU


def to_dlpack(tensor):
    """A DLPack capsule of the tensor's memory (NumPy's ``__dlpack__``)."""
    return tensor._data.__dlpack__()


def _tensor_dlpack(self, *args, **kwargs):
    return self._data.__dlpack__(*args, **kwargs)


def _tensor_dlpack_device(self):
    return self._data.__dlpack_device__()


Tensor.__dlpack__ = _tensor_dlpack
Tensor.__dlpack_device__ = _tensor_dlpack_device

__all__ += ["empty_permuted", "frombuffer", "from_dlpack", "to_dlpack"]


# -- process-wide settings ----------------------------------------------------------------------
_settings = {"interop_threads": None, "deterministic": False, "deterministic_warn_only": False,
             "matmul_precision": "highest", "warn_always": False, "default_device": None}


def get_num_threads():
    """Size of ndgrad's worker pool for pooling/normalisation kernels (ops/pool.py)."""
    from . import pool
    return pool._THREADS


def set_num_threads(n):
    """Resize ndgrad's worker pool, and NumPy's BLAS pool when ``threadpoolctl`` is installed
    (otherwise BLAS keeps the size set by OMP_NUM_THREADS / OPENBLAS_NUM_THREADS at start-up)."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError(f"set_num_threads(): argument 'int' must be int, not {type(n).__name__}")
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    from . import pool
    with pool._pool_lock:
        old, pool._pool = pool._pool, None
        pool._THREADS = n
    if old is not None:
        old.shutdown(wait=False)
    try:
        import threadpoolctl
    except ImportError:
        return
    threadpoolctl.threadpool_limits(n, user_api="blas")


def get_num_interop_threads():
    n = _settings["interop_threads"]
    return get_num_threads() if n is None else n


def set_num_interop_threads(n):
    if n <= 0:
        raise RuntimeError("Expected positive number of threads")
    if _settings["interop_threads"] is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work has started or "
                           "set_num_interop_threads called")
    _settings["interop_threads"] = int(n)


def use_deterministic_algorithms(mode, *, warn_only=False):
    """Recorded only: every ndgrad op is deterministic."""
    _settings["deterministic"] = bool(mode)
    _settings["deterministic_warn_only"] = bool(warn_only)


def are_deterministic_algorithms_enabled():
    return _settings["deterministic"]


def is_deterministic_algorithms_warn_only_enabled():
    return _settings["deterministic_warn_only"]


_DEBUG_MODES = {"default": 0, "warn": 1, "error": 2}


def set_deterministic_debug_mode(debug_mode):
    if isinstance(debug_mode, str):
        if debug_mode not in _DEBUG_MODES:
            raise RuntimeError(f"invalid value of debug_mode, expected one of `default`, `warn`, `error`, but got "
                               f"{debug_mode}")
        debug_mode = _DEBUG_MODES[debug_mode]
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode not in (0, 1, 2):
        raise RuntimeError(f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode():
    if not _settings["deterministic"]:
        return 0
    return 1 if _settings["deterministic_warn_only"] else 2


def set_float32_matmul_precision(precision):
    """Recorded only (NumPy's float32 matmul is always full precision)."""
    if precision not in ("highest", "high", "medium"):
        import warnings
        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.")
        return
    _settings["matmul_precision"] = precision


def get_float32_matmul_precision():
    return _settings["matmul_precision"]


def set_warn_always(b):
    _settings["warn_always"] = bool(b)


def is_warn_always_enabled():
    return _settings["warn_always"]


def set_flush_denormal(mode):
    """Not supported (NumPy has no switch for it): returns False, like torch on such CPUs."""
    return False


def set_default_device(device):
    """Only the CPU: ``None``/``'cpu'`` are accepted; anything else raises as torch does without it."""
    if device is not None:
        from .._tensor import device as _device
        d = _device(device) if not isinstance(device, _device) else device
        if d.type != "cpu":
            if d.type == "cuda":
                raise AssertionError("Torch not compiled with CUDA enabled")
            raise RuntimeError(f"ndgrad only supports the CPU device, got '{d}'")
    _settings["default_device"] = device


def get_default_device():
    from .._tensor import device as _device
    return _device("cpu")


def is_anomaly_enabled():
    from ..autograd import anomaly
    return anomaly.is_anomaly_enabled()


def is_anomaly_check_nan_enabled():
    from ..autograd import anomaly
    return anomaly.is_anomaly_check_nan_enabled()


def set_anomaly_enabled(enabled, check_nan=True):
    from ..autograd import anomaly
    anomaly.set_detect_anomaly(enabled, check_nan)


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None,
            disable=False):
    """No compiler here: returns ``model`` unchanged (usable as ``@compile`` and ``@compile(...)``)."""
    if model is None:
        return lambda m: m
    return model


# autocast: never enabled on ndgrad; the getters answer torch's CPU defaults
def is_autocast_enabled(device_type=None):
    return False


def is_autocast_cpu_enabled():
    return False


def is_autocast_cache_enabled():
    return True


def get_autocast_dtype(device_type):
    from .._dtype import bfloat16, float16
    return bfloat16 if device_type == "cpu" else float16


def get_autocast_cpu_dtype():
    from .._dtype import bfloat16
    return bfloat16


__all__ += ["get_num_threads", "set_num_threads", "get_num_interop_threads", "set_num_interop_threads",
            "use_deterministic_algorithms", "are_deterministic_algorithms_enabled",
            "is_deterministic_algorithms_warn_only_enabled", "set_deterministic_debug_mode",
            "get_deterministic_debug_mode", "set_float32_matmul_precision", "get_float32_matmul_precision",
            "set_warn_always", "is_warn_always_enabled", "set_flush_denormal", "set_default_device",
            "get_default_device", "is_anomaly_enabled", "is_anomaly_check_nan_enabled", "set_anomaly_enabled",
            "compile", "is_autocast_enabled", "is_autocast_cpu_enabled", "is_autocast_cache_enabled",
            "get_autocast_dtype", "get_autocast_cpu_dtype"]
