"""Tensor: a NumPy array plus the autograd state torch attaches to it.

The class is thin on purpose: math lives in ``ndgrad.ops`` (each op module attaches its methods and
operators to ``Tensor`` when it is imported), and the backward pass lives in ``ndgrad.autograd``.
What is here: the data, autograd bookkeeping (``requires_grad``, ``grad``, ``grad_fn``, the version
counter shared with views), conversion, and the Python protocols.

Hot-path layout: the attributes every op reads or writes (``_data``, ``_rg``, ``grad_fn``, ``_vc``)
are slots; rarely used ones (``_grad``, ``_base``, hooks, ...) live in the instance ``__dict__``
with class-level defaults, so ``_wrap`` sets only four attributes.
"""
import builtins as _builtins
import weakref

import numpy as np

from . import _dtype
from .autograd import grad_mode as _gm
from .autograd.node import AccumulateGrad, RemovableHandle

_new = object.__new__


class Size(tuple):
    """torch.Size: a tuple of ints that prints as ``torch.Size([2, 3])``.

    Example:
        >>> ndgrad.zeros(2, 3).shape
        torch.Size([2, 3])
    """

    __slots__ = ()

    def __new__(cls, sizes=()):
        out = []
        for i, s in enumerate(sizes):
            if isinstance(s, _builtins.bool) or not hasattr(s, "__index__"):
                raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is '{type(s).__name__}')")
            out.append(s.__index__())
        return tuple.__new__(cls, out)

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def __reduce__(self):
        return (Size, (tuple(self),))

    def numel(self):
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) to torch.Size")
        return _size(tuple.__add__(self, other))

    def __radd__(self, other):
        if not isinstance(other, tuple):
            return NotImplemented
        return _size(tuple.__add__(other, self))

    def __mul__(self, n):
        return _size(tuple.__mul__(self, n))

    __rmul__ = __mul__


def _size(shape):
    """A Size from a tuple of Python ints, without re-validating (the hot path of ``.shape``)."""
    return tuple.__new__(Size, shape)


class device:
    """torch.device; ndgrad computes on the CPU only (``device("cpu")``)."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if isinstance(type, str) and ":" in type:
            type, idx = type.split(":", 1)
            index = int(idx)
        if type not in ("cpu", "cuda", "mps", "meta"):
            raise RuntimeError(f"Expected one of cpu, cuda, mps, meta device type at start of device string: {type}")
        self.type = type
        self.index = index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # like torch, a device never equals a string: ``device("cpu") == "cpu"`` is False
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")


class layout:
    """torch.layout: ndgrad tensors are always dense and strided (``torch.strided``)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_layout_by_name, (self.name,))


def _layout_by_name(name):
    return strided


strided = layout("strided")


def check_device(dev):
    """ndgrad runs on the CPU; asking for another device fails clearly instead of silently."""
    if dev is None:
        return
    d = dev if isinstance(dev, device) else device(dev)
    if d.type != "cpu":
        raise RuntimeError(
            f"ndgrad computes on the CPU only; device '{d}' is not available "
            "(use device='cpu' or leave device unset)")


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    Example:
        >>> a = ndgrad.tensor([2., 3.], requires_grad=True)
        >>> (a * a).sum().backward()
        >>> a.grad
        tensor([4., 6.])
    """

    __slots__ = ("_data", "_rg", "grad_fn", "_vc", "__dict__", "__weakref__")

    # Defaults for rarely set attributes (kept in the instance __dict__ when set).
    _grad = None
    _out_nr = 0          # which output of grad_fn this tensor is
    _base = None         # the tensor this one is a view of
    _view_fn = None      # rebuilds this view from _base (used for in-place ops on views)
    _hooks = None        # gradient hooks of a leaf
    _acc = None          # weak reference to this leaf's AccumulateGrad node
    _post_acc_hooks = None  # register_post_accumulate_grad_hook: fn(tensor) after .grad is accumulated
    __array_ufunc__ = None  # NumPy defers to Tensor's reflected operators (np.float32(2) * t)
    __array_priority__ = 1000

    def __init__(self, *args, **kwargs):
        # Legacy constructor ``ndgrad.Tensor([1, 2])`` / ``ndgrad.Tensor(2, 3)``: float32 data.
        if len(args) == 1 and not isinstance(args[0], int):
            data = np.array(_to_numpy_nested(args[0]), dtype=_dtype.default.np)
        else:
            data = np.empty(tuple(args) or (0,), dtype=_dtype.default.np)
        self._data = data
        self._rg = False
        self.grad_fn = None
        self._vc = [0]

    # -- autograd state -----------------------------------------------------------------------
    @property
    def requires_grad(self):
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value):
        value = _builtins.bool(value)
        if self.grad_fn is not None:  # torch refuses both directions on a non-leaf here
            raise RuntimeError(_leaf_flag_error(value))
        if value and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._rg = value

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place and return ``self`` (only floating/complex tensors)."""
        if self.grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(_leaf_flag_error(False))
            return self
        if requires_grad and self._data.dtype.kind not in "fc":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._rg = _builtins.bool(requires_grad)
        return self

    @property
    def is_leaf(self):
        return self.grad_fn is None

    @property
    def grad(self):
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a tensor of "
                    f"size '{list(self._data.shape)}'. Please ensure that the gradient and the tensor are "
                    "the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_C_TYPE_NAMES[value._data.dtype]}' to a "
                    f"tensor with grad_dtype '{_dtype.SCALAR_NAMES[self._data.dtype]}'. The gradient must match the "
                    "tensor's grad_dtype (defaults to the tensor's dtype).")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def _version(self):
        return self._vc[0]

    @property
    def output_nr(self):
        return self._out_nr

    def _grad_accumulator(self):
        """The AccumulateGrad node of this leaf, created on first use and shared while alive."""
        ref = self._acc
        node = ref() if ref is not None else None
        if node is None:
            node = AccumulateGrad(self)
            if self._hooks is not None:
                node._pre_hooks, node._has_hooks = {0: self._hooks}, True
            self._acc = weakref.ref(node)
        return node

    def detach(self):
        """A new tensor sharing this one's data (and version counter), outside the graph."""
        t = _new(Tensor)
        t._data = self._data
        t._rg = False
        t.grad_fn = None
        t._vc = self._vc
        return t

    def detach_(self):
        """Detach this tensor from the graph in place (not allowed on views, as in torch)."""
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using DistributedDataParallel "
                "(DDP) for training, and gradient_as_bucket_view is set as True, gradients are views of DDP "
                "buckets, and hence detach_() cannot be called on these gradients. To fix this error, please "
                "refer to the Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self.grad_fn = None
        self._rg = False
        if self._out_nr:
            self._out_nr = 0
        return self

    def retain_grad(self):
        if self.grad_fn is None:
            if not self._rg:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        fn = self.grad_fn
        if fn._retained is None:
            fn._retained = {}
        fn._retained[self._out_nr] = weakref.ref(self)
        fn._has_hooks = True

    @property
    def retains_grad(self):
        fn = self.grad_fn
        return fn is not None and fn._retained is not None and self._out_nr in fn._retained

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is None:
            if self._hooks is None:
                self._hooks = []
                ref = self._acc
                node = ref() if ref is not None else None
                if node is not None:
                    node._pre_hooks, node._has_hooks = {0: self._hooks}, True
            self._hooks.append(hook)
            return RemovableHandle(self._hooks, hook)
        fn = self.grad_fn
        if fn._pre_hooks is None:
            fn._pre_hooks = {}
        fn._pre_hooks.setdefault(self._out_nr, []).append(hook)
        fn._has_hooks = True
        return RemovableHandle(fn._pre_hooks, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call ``hook(self)`` after a backward pass has accumulated into this leaf's ``.grad``."""
        if not self._rg:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = []
        self._post_acc_hooks.append(hook)
        return RemovableHandle(self._post_acc_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. the graph leaves (see ``autograd.backward``)."""
        from .autograd import backward
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # -- metadata -------------------------------------------------------------------------------
    @property
    def data(self):
        # Unlike detach(), ``.data`` gets its own version counter: in-place changes through it are
        # invisible to autograd's modified-tensor check (the documented difference in torch).
        t = self.detach()
        t._vc = [0]
        return t

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    @property
    def shape(self):
        return _size(self._data.shape)

    def size(self, dim=None):
        if dim is None:
            return _size(self._data.shape)
        return self._data.shape[_dim_of(dim, self._data.ndim)]

    @property
    def dtype(self):
        return _dtype._FROM_NP[self._data.dtype]

    @property
    def device(self):
        return CPU

    @property
    def is_cuda(self):
        return False

    @property
    def layout(self):
        return strided

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        return self._data.ndim

    ndimension = dim

    def numel(self):
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    @property
    def itemsize(self):
        return self._data.itemsize

    @property
    def nbytes(self):
        return self._data.size * self._data.itemsize

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def is_signed(self):
        return self._data.dtype.kind in "fci"

    def is_inference(self):
        return False   # ndgrad's inference_mode makes ordinary tensors (see autograd/grad_mode.py)

    def is_conj(self):
        return False   # no lazy conjugate bit: conj() of a complex tensor computes its values

    def is_neg(self):
        return False   # no lazy negative bit either

    def is_same_size(self, other):
        return self._data.shape == other._data.shape

    is_cpu = True
    is_meta = False
    is_sparse = False
    is_quantized = False
    is_nested = False

    # CPU-only: pinned and shared memory are no-ops, as on a CPU build of torch without an accelerator
    def is_pinned(self, device=None):
        return False

    def pin_memory(self, device=None):
        raise RuntimeError("Cannot access accelerator device when none is available.")

    def share_memory_(self):
        return self

    def is_shared(self):
        return False

    def dim_order(self, *, ambiguity_check=False):
        """Dims from outermost to innermost in memory (stable, like torch's)."""
        strides = self.stride()
        return tuple(sorted(range(len(strides)), key=lambda i: -strides[i]))

    # -- resize and Python-callable maps: data-only operations, refused on tensors requiring grad --
    def resize_(self, *sizes, memory_format=None):
        """Change the shape in place; kept elements are the leading ones in memory, new ones are
        uninitialised (zeros here)."""
        if self._rg:
            raise RuntimeError("cannot resize variables that require grad")
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list, Size)):
            sizes = sizes[0]
        sizes = tuple(_builtins.int(s) for s in sizes)
        if any(s < 0 for s in sizes):
            raise RuntimeError(f"Trying to create tensor with negative dimension {min(sizes)}: {list(sizes)}")
        d = self._data
        if sizes == d.shape:
            return self
        n = 1
        for s in sizes:
            n *= s
        flat = np.ascontiguousarray(d).reshape(-1)
        if n <= flat.size:
            new = flat[:n]   # shrinking a contiguous tensor keeps its storage, as torch's
        else:
            new = np.zeros(n, dtype=d.dtype)
            new[:flat.size] = flat
        self._data = new.reshape(sizes)
        return self

    def resize_as_(self, other, memory_format=None):
        return self.resize_(other._data.shape)

    def _map_elements(self, name, fn, *others):
        if self._rg:
            raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() instead.")
        d = self._data
        arrays = [np.broadcast_to(o._data, d.shape) for o in others]
        out = np.empty(d.shape, dtype=d.dtype)
        for idx in np.ndindex(d.shape):
            out[idx] = fn(d[idx].item(), *(a[idx].item() for a in arrays))
        d[...] = out
        self._bump_version()
        return self

    def apply_(self, callable):
        """Replace each element ``v`` with ``callable(v)`` (Python numbers; slow, CPU only as in torch)."""
        return self._map_elements("apply_", callable)

    def map_(self, tensor, callable):
        return self._map_elements("map_", callable, tensor)

    def map2_(self, x, y, callable):
        return self._map_elements("map2_", callable, x, y)

    def new(self, *args, **kwargs):
        """Legacy constructor in this tensor's dtype: ``t.new(2, 3)`` (uninitialised), ``t.new([1, 2])``."""
        from .ops.creation import tensor, empty
        if len(args) == 1 and not isinstance(args[0], (_builtins.int, Size)):
            data = args[0]
            if isinstance(data, Tensor):
                if data._data.dtype != self._data.dtype:
                    raise TypeError(f"expected {self.type()} (got {data.type()})")
                return data.detach()
            return tensor(data, dtype=self.dtype)
        return empty(*args, dtype=self.dtype) if args else empty(0, dtype=self.dtype)

    def is_complex(self):
        return self._data.dtype.kind == "c"

    def stride(self, dim=None):
        item = self._data.itemsize
        strides = tuple(s // item for s in self._data.strides)
        if dim is None:
            return strides
        return strides[_dim_of(dim, self._data.ndim)]

    def storage_offset(self):
        base = self._data
        while isinstance(base.base, np.ndarray):
            base = base.base
        return (self._data.__array_interface__["data"][0] - base.__array_interface__["data"][0]) // self._data.itemsize

    def data_ptr(self):
        return self._data.__array_interface__["data"][0]

    def untyped_storage(self):
        raise NotImplementedError("ndgrad tensors expose their data through .numpy(), not storages")

    def is_contiguous(self, memory_format=None):
        return self._data.flags.c_contiguous

    def get_device(self):
        return -1

    # -- conversion -----------------------------------------------------------------------------
    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        return self._data.tolist()

    def numpy(self, *, force=False):
        if self._rg and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        if self._rg:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if dtype is not None and np.dtype(dtype) != self._data.dtype:
            if copy is False:  # NumPy 2 protocol: a needed copy cannot be avoided
                raise ValueError("Unable to avoid copy while creating an array as requested.")
            return self._data.astype(dtype)
        return self._data.copy() if copy else self._data

    def cpu(self):
        return self

    def cuda(self, *args, **kwargs):
        check_device("cuda")

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        # torch iterates over ``unbind(0)``: the items are views with grad_fn UnbindBackward0.
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def _scalar_value(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

    def __bool__(self):
        n = self._data.size
        if n != 1:
            raise RuntimeError(f"Boolean value of Tensor with {'no values' if n == 0 else 'more than one value'} "
                               "is ambiguous")
        return _builtins.bool(self._data.reshape(()).item())

    def __float__(self):
        return _builtins.float(self._scalar_value())

    def __int__(self):
        return _builtins.int(self._scalar_value())

    def __complex__(self):
        return _builtins.complex(self._scalar_value())

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()).item())

    def __hash__(self):
        return id(self)

    def __repr__(self):
        from ._tensor_str import tensor_repr
        return tensor_repr(self)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:
            return format(self._data.item(), spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    def __reduce_ex__(self, proto):
        return (_rebuild, (self._data, self._rg))

    def __deepcopy__(self, memo):
        if not self.is_leaf:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) support the "
                               "deepcopy protocol at the moment.")
        t = type(self).__new__(type(self))
        Tensor.__init__(t)
        t._data = self._data.copy()
        t._rg = self._rg
        t.__dict__.update({k: v for k, v in self.__dict__.items() if k not in ("_acc", "_hooks", "_grad")})
        if self._grad is not None:
            t._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = t
        return t

    # -- in-place helpers shared by every in-place op -------------------------------------------
    def _check_inplace(self):
        """torch refuses in-place ops on leaves that require grad while grad mode is on."""
        if self._rg and _gm._mode.enabled:
            if self.grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
            base = self._base
            if base is not None and base.grad_fn is None and base._rg:
                raise RuntimeError(
                    "a view of a leaf Variable that requires grad is being used in an in-place operation.")

    def _bump_version(self):
        """Count an in-place modification, and remember where it happened: the version counter is
        shared with every view, so the saved-tensor check can name the file and line whichever
        alias was modified."""
        vc = self._vc
        vc[0] += 1
        if len(vc) == 1:
            vc.append(_caller_site())
        else:
            vc[1] = _caller_site()

    @property
    def T(self):
        ndim = self._data.ndim
        if ndim == 2:
            return self.t()
        import warnings
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated "
                      "and it will throw an error in a future release. Consider `x.mT` to transpose batches of "
                      "matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a "
                      "tensor.", UserWarning, stacklevel=2)
        return self.permute(*range(ndim - 1, -1, -1)) if ndim > 2 else self

    @property
    def mT(self):
        if self._data.ndim == 0:
            import warnings
            warnings.warn("Tensor.mT is deprecated on 0-D tensors. This function is the identity in these cases.",
                          UserWarning, stacklevel=2)
            return self
        if self._data.ndim < 2:
            raise RuntimeError(f"tensor.mT is only supported on matrices or batches of matrices. Got {self._data.ndim}-D tensor.")
        return self.transpose(-2, -1)

    @property
    def H(self):
        return self.T.conj() if self.is_complex() else self.T

    @property
    def mH(self):
        return self.mT.conj() if self.is_complex() else self.mT

    @property
    def real(self):
        if not self.is_complex():
            return self
        from .ops.construction import view_as_real   # a view, differentiable, as torch's
        return view_as_real(self).select(-1, 0)

    @property
    def imag(self):
        if not self.is_complex():
            raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
        from .ops.construction import view_as_real
        return view_as_real(self).select(-1, 1)

    def type(self, dtype=None, non_blocking=False):
        """Without an argument, the legacy type name (``'torch.FloatTensor'``); with a dtype or such
        a name, the tensor converted to it."""
        if dtype is None:
            return "torch." + _TYPE_NAMES.get(self.dtype.name, self.dtype.name)
        if isinstance(dtype, str):
            name = dtype[6:] if dtype.startswith("torch.") else dtype
            for k, v in _TYPE_NAMES.items():
                if v == name:
                    dtype = _dtype._BY_NAME[k]
                    break
            else:
                raise ValueError(f"invalid type: '{dtype}'")
        return self.to(dtype)

    def stft(self, *args, **kwargs):
        from .ops.signal import stft
        return stft(self, *args, **kwargs)

    def istft(self, *args, **kwargs):
        from .ops.signal import istft
        return istft(self, *args, **kwargs)


_TYPE_NAMES = {"float32": "FloatTensor", "float64": "DoubleTensor", "float16": "HalfTensor",
               "int64": "LongTensor", "int32": "IntTensor", "int16": "ShortTensor", "int8": "CharTensor",
               "uint8": "ByteTensor", "bool": "BoolTensor", "complex64": "ComplexFloatTensor",
               "complex128": "ComplexDoubleTensor"}


def _rebuild(data, requires_grad):
    t = _wrap(data)
    t._rg = requires_grad
    return t


def _caller_site():
    """File and line of the user code that called into ndgrad (for error messages)."""
    import sys
    f = sys._getframe(1)
    pkg = __file__.rsplit("/", 1)[0]
    while f is not None and f.f_code.co_filename.startswith(pkg):
        f = f.f_back
    return f"{f.f_code.co_filename}:{f.f_lineno}" if f is not None else "<unknown>"


def _wrap(data):
    """A new tensor that does not require grad around a NumPy array (no copy)."""
    t = _new(Tensor)
    t._data = data
    t._rg = False
    t.grad_fn = None
    t._vc = [0]
    return t


def _leaf_flag_error(requires_grad):
    msg = "you can only change requires_grad flags of leaf variables."
    if not requires_grad:
        msg += (" If you want to use a computed variable in a subgraph that doesn't require "
                "differentiation use var_no_grad = var.detach().")
    return msg


# torch's C type names for dtypes, in the assigned-grad error.
_C_TYPE_NAMES = {np.dtype(k): v for k, v in [
    ("float16", "c10::Half"), ("float32", "float"), ("float64", "double"), ("int8", "signed char"),
    ("int16", "short int"), ("int32", "int"), ("int64", "long int"), ("uint8", "unsigned char"),
    ("uint16", "unsigned short"), ("uint32", "unsigned int"), ("uint64", "unsigned long"), ("bool", "bool"),
    ("complex64", "c10::complex<float>"), ("complex128", "c10::complex<double>")]}


def _dim_of(dim, ndim):
    """``size(dim)`` / ``stride(dim)``: like ``_wrap_dim`` but a 0-d tensor has no dimension at all."""
    if ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    return _wrap_dim(dim, ndim)


def _wrap_dim(dim, ndim, what="dim"):
    """Normalise a possibly negative dimension, with torch's IndexError when out of range."""
    n = ndim if ndim > 0 else 1
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim + n if dim < 0 else dim


def _to_numpy_nested(data):
    """Turn nested lists/tuples that may contain tensors into something ``np.array`` accepts."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_to_numpy_nested(x) for x in data]
    return data
