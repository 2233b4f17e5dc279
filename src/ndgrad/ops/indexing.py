"""Indexing: ``x[...]``, ``x[...] = v``, index_put, masks (masked_fill/select/scatter), nonzero.

``x[key]`` follows torch's decomposition: ints, slices, None and Ellipsis form one NumPy *basic*
index, a view (node named after the last step torch would take: SelectBackward0, SliceBackward0,
UnsqueezeBackward0, AliasBackward0); index tensors, lists, arrays and bool masks then index that
view (*advanced* indexing, a copy, IndexBackward0). The backward of advanced indexing is
``index_put`` with ``accumulate=True`` (repeated indices add up), itself differentiable.

``x[key] = v`` is an in-place op: a basic target is a view written with ``copy_``/``fill_`` (the
base's history becomes CopySlices, see ``autograd/views.py``); an advanced one is ``index_put_``.

Indexing along one dim by an index tensor (gather/scatter, index_select/add/copy/fill, take) is in
scatter_gather.py.
"""
import warnings

import numpy as np

from .._tensor import _to_numpy_nested
from ._core import Node, Tensor, wrap, edge, record, attach, mode, needs_grad, inplace, NOEDGE
from ..autograd.views import apply_view_fn
from .shape import (index_basic, SelectBackward0, SliceBackward0, AliasBackward0, UnsqueezeIndexBackward,
                    legacy_type_name, broadcast_shape_of, expand)

__all__ = ["index_put", "index_put_", "masked_fill", "masked_select", "masked_scatter", "nonzero",
           "argwhere"]

ndarray = np.ndarray
_FULL = slice(None)
_TRUE_IDX = np.zeros(1, dtype=np.int64)
_FALSE_IDX = np.zeros(0, dtype=np.int64)
_ZERO_DIM_INT = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to "
                 "convert a 0-dim tensor to a number")
_SCALAR_NAME = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool", "complex64": "ComplexFloat",
                "complex128": "ComplexDouble"}
_C_NAME = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int", "int32": "int",
           "int16": "short int", "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
           "complex64": "c10::complex<float>", "complex128": "c10::complex<double>"}


def _sname(np_dtype):
    return _SCALAR_NAME.get(np.dtype(np_dtype).name, str(np_dtype))


# == parsing an index ===========================================================================
def _bad_index(k):
    if isinstance(k, str):
        raise TypeError("new(): invalid data type 'str'")
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                     f"indices (got {type(k).__name__})")


def _convert(k):
    """One index element as int, slice, None, Ellipsis, bool, or an int / bool ndarray."""
    c = k.__class__
    if c is int or c is slice or k is None or k is Ellipsis or c is bool:
        return k
    if isinstance(k, Tensor):
        a = k._data
    elif isinstance(k, ndarray):
        a = k
    elif isinstance(k, np.bool_):
        return bool(k)
    elif isinstance(k, (int, np.integer)):
        return int(k)
    elif isinstance(k, (list, tuple)):
        a = np.asarray(_to_numpy_nested(k))
        if a.size == 0:
            a = a.astype(np.int64)
        elif a.dtype.kind not in "biuf":
            _bad_index(k)
    else:
        _bad_index(k)
    kind = a.dtype.kind
    if a.dtype == np.uint8:
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead.",
                      UserWarning, stacklevel=4)
        a = a.astype(bool)
        kind = "b"
    if kind == "b":
        return bool(a) if a.ndim == 0 else a
    if kind in "iu":
        return int(a) if a.ndim == 0 and not isinstance(k, (list, tuple)) else a
    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")


def _as_items(key):
    """The index as a tuple of converted elements (a short list is a tuple, as in torch)."""
    if key.__class__ is tuple:
        return tuple(_convert(k) for k in key)
    if key.__class__ is list and len(key) < 32:
        for k in key:
            if isinstance(k, (Tensor, list, tuple, ndarray, slice)) or k is None or k is Ellipsis:
                return tuple(_convert(k) for k in key)
    return (_convert(key),)


def _parse(shape, items):
    """Split converted index ``items`` into torch's two stages.

    Returns ``(basic, last, adv, plain)``: ``basic`` a NumPy basic-index tuple (ints, slices, None),
    ``last`` the node class of torch's last basic step, ``adv`` None or ``[(dim, array), ...]``
    advanced indices into the basic result, ``plain`` True when the basic index selects everything.
    """
    ndim = len(shape)
    spec = 0
    for k in items:
        c = k.__class__
        if c is int or c is slice:
            spec += 1
        elif c is ndarray:
            spec += k.ndim if k.dtype.kind == "b" else 1
    if spec > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    basic = []
    adv = None
    dim = rdim = 0
    last = AliasBackward0
    plain = True
    ellipsis = False
    for i, k in enumerate(items):
        c = k.__class__
        if c is int:
            size = shape[dim]
            if k < -size or k >= size:  # torch names the position in the index as the dimension
                raise IndexError(f"index {k} is out of bounds for dimension {i} with size {size}")
            basic.append(k if k >= 0 else k + size)
            dim += 1
            last = SelectBackward0
            plain = False
        elif c is slice:
            size = shape[dim]
            s = _norm_slice(k, size)
            basic.append(s)
            # torch skips a slice only if it is written as full: start None/0, stop None/>= size, step 1
            if s.step != 1 or (k.start is not None and k.start != 0) or (k.stop is not None and k.stop < size):
                last = SliceBackward0
                plain = False
            dim += 1
            rdim += 1
        elif k is None:
            basic.append(None)
            rdim += 1
            last = UnsqueezeIndexBackward
            plain = False
        elif k is Ellipsis:
            n = 0 if ellipsis else ndim - spec
            ellipsis = True
            basic.extend([_FULL] * n)
            dim += n
            rdim += n
        elif c is bool:
            basic.append(None)
            plain = False
            last = UnsqueezeIndexBackward
            if adv is None:
                adv = []
            adv.append((rdim, _TRUE_IDX if k else _FALSE_IDX))
            rdim += 1
        else:
            if adv is None:
                adv = []
            adv.append((rdim, k))
            n = k.ndim if k.dtype.kind == "b" else 1
            basic.extend([_FULL] * n)
            dim += n
            rdim += n
    return tuple(basic), last, adv, plain


def _norm_slice(k, size):
    step = k.step
    if step is not None and step.__class__ is not int:
        step = step.__index__()
    if step is not None and step < 0:
        raise ValueError("step must be greater than zero")
    start, stop, step = k.indices(size)  # ValueError "slice step cannot be zero" as in torch
    if stop < start:
        stop = start
    return slice(start, stop, step)


def _adv_key(vshape, adv):
    """The NumPy advanced key for ``adv`` over a tensor of shape ``vshape``, checked like torch:
    mask shapes first, then that the indices broadcast, then bounds (only if anything is read)."""
    key = []
    pos = 0
    for p, a in adv:
        if p > pos:
            key.extend([_FULL] * (p - pos))
        if a.dtype.kind == "b":
            for j in range(a.ndim):
                if a.shape[j] != vshape[p + j]:
                    raise IndexError(f"The shape of the mask {list(a.shape)} at index {j} does not match the shape "
                                     f"of the indexed tensor {list(vshape)} at index {p + j}")
            pos = p + a.ndim
        else:
            pos = p + 1
        key.append(a)
    if len(adv) > 1:
        shapes = [(int(np.count_nonzero(a)),) if a.dtype.kind == "b" else a.shape for _, a in adv]
        try:
            np.broadcast_shapes(*shapes)
        except ValueError:
            raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes "
                             + ", ".join(str(list(s)) for s in shapes)) from None
    ntensor = 0
    for p, a in adv:
        if a.dtype.kind == "b":
            ntensor += a.ndim
            continue
        size = vshape[p]
        if a.size and (a.min() < -size or a.max() >= size):
            key = tuple(key)
            if _size_of(_adv_result_shape(vshape, key)) == 0:
                return key  # nothing is read: torch does not look at the indices
            bad = a[(a < -size) | (a >= size)].flat[0]
            raise IndexError(f"index {bad} is out of bounds for dimension {ntensor} with size {size}")
        ntensor += 1
    return tuple(key)


def _size_of(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _adv_result_shape(shape, key):
    """Shape of ``array[key]`` for an advanced ``key`` (full slices and index arrays), not computed."""
    parts = []
    shapes = []
    where = []
    dim = 0
    for k in key:
        if k.__class__ is slice:
            parts.append((shape[dim],))
            dim += 1
        else:
            if k.dtype.kind == "b":
                shapes.append((int(np.count_nonzero(k)),))
                dim += k.ndim
            else:
                shapes.append(k.shape)
                dim += 1
            where.append(len(parts))
            parts.append(None)
    b = np.broadcast_shapes(*shapes)
    if where[-1] - where[0] == len(where) - 1:
        out = parts[:where[0]] + [b] + parts[where[-1] + 1:]
    else:
        out = [b] + [p for p in parts if p is not None]
    res = ()
    for p in out:
        res += p
    return res + tuple(shape[dim:])


def _only_masks(key):
    for k in key:
        if k.__class__ is not slice and k.dtype.kind != "b":
            return False
    return True


def _single_mask(key):
    arrays = [k for k in key if k.__class__ is not slice]
    return len(arrays) == 1 and arrays[0].dtype.kind == "b"


# == getitem ====================================================================================
class IndexBackward0(Node):
    __slots__ = ("shape", "key")

    def backward(self, grad):
        zeros = wrap(np.zeros(self.shape, dtype=grad._data.dtype))
        return _index_put_op(zeros, self.key, grad, True)


def index_adv(input, key):
    """``input[key]`` for a checked advanced NumPy ``key`` (a copy)."""
    d = input._data
    try:
        data = d[key]
    except IndexError:  # out-of-range indices selecting nothing (an empty result): torch allows it
        data = np.empty(_adv_result_shape(d.shape, key), dtype=d.dtype)
    out = wrap(data)
    if input._rg and mode.enabled:
        node = IndexBackward0(edge(input))
        node.shape = d.shape
        node.key = key
        attach(out, node)
    return out


def __getitem__(self, key):
    kc = key.__class__
    if kc is int:  # fast path: x[i]
        d = self._data
        if not d.ndim:
            raise IndexError(_ZERO_DIM_INT)
        size = d.shape[0]
        if key < -size or key >= size:
            raise IndexError(f"index {key} is out of bounds for dimension 0 with size {size}")
        return index_basic(self, (key if key >= 0 else key + size,), SelectBackward0)
    if kc is slice:  # fast path: x[a:b:c]
        d = self._data
        if not d.ndim:
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
        return index_basic(self, (_norm_slice(key, d.shape[0]),), SliceBackward0)
    if kc is Tensor:  # fast path: x[index_tensor] with a 1-d or n-d integer index
        a = key._data
        d = self._data
        if a.ndim and d.ndim and a.dtype.kind in "iu" and a.dtype != np.uint8:
            size = d.shape[0]
            if a.size and (a.min() < -size or a.max() >= size):
                bad = a[(a < -size) | (a >= size)].flat[0]
                raise IndexError(f"index {bad} is out of bounds for dimension 0 with size {size}")
            return index_adv(self, (a,))
    basic, last, adv, plain = _parse(self._data.shape, _as_items(key))
    if adv is None:
        return index_basic(self, basic, last)
    v = self if plain else index_basic(self, basic, last)
    return index_adv(v, _adv_key(v._data.shape, adv))


# == setitem ====================================================================================
def _value_type_error(value, self):
    t = type(value)
    name = t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"
    raise TypeError(f"can't assign a {name} to a {legacy_type_name(self._data.dtype)}")


def _strip_leading_ones(shape):
    i = 0
    while i < len(shape) and shape[i] == 1:
        i += 1
    return shape[i:]


def _check_value_shape(vshape, tshape, np_dtype):
    """Basic setitem: the (stripped) value must expand to the target, with torch's expand errors."""
    if vshape == tshape:
        return
    try:
        if np.broadcast_shapes(vshape, tshape) == tuple(tshape):
            return
    except ValueError:
        pass
    expand(wrap(np.empty(vshape, dtype=np_dtype)), tshape)
    raise RuntimeError(f"The expanded size of the tensor must match: value {list(vshape)}, target {list(tshape)}")


def _check_adv_value(vshape, rshape):
    if vshape == rshape:
        return
    try:
        if np.broadcast_shapes(vshape, rshape) == tuple(rshape):
            return
    except ValueError:
        pass
    raise RuntimeError(f"shape mismatch: value tensor of shape {list(vshape)} cannot be broadcast to indexing result "
                       f"of shape {list(rshape)}")


def _check_writable(target):
    for st, sh in zip(target.strides, target.shape):
        if st == 0 and sh > 1:
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                               "single memory location. Please clone() the tensor before performing the operation.")


def _check_scalar_fits(value, np_dtype):
    if isinstance(value, complex) and np_dtype.kind != "c":
        raise RuntimeError(f"value cannot be converted to type {_C_NAME.get(np_dtype.name, np_dtype.name)} without "
                           "overflow")


def __setitem__(self, key, value):
    vc = value.__class__
    kc = key.__class__
    if (kc is int or kc is slice) and (vc is float or vc is int) and not (self._rg and mode.enabled):
        # fast path: x[i] = number / x[a:b] = number into a float tensor, without autograd
        d = self._data
        if d.ndim and d.dtype.kind in "fc" and d.dtype.itemsize >= 4 and 0 not in d.strides and d.flags.writeable:
            if kc is int:
                size = d.shape[0]
                if key < -size or key >= size:
                    raise IndexError(f"index {key} is out of bounds for dimension 0 with size {size}")
            else:
                key = _norm_slice(key, d.shape[0])
            d[key] = value
            self._bump_version()
            return
    if vc is float or vc is int or vc is bool or vc is complex:
        vt = False
    elif isinstance(value, Tensor):
        vt = True
    elif isinstance(value, (np.number, np.bool_)):
        value = value.item()
        vt = False
    else:
        _value_type_error(value, self)
    d = self._data
    if kc is int or kc is slice:
        if not d.ndim:
            raise IndexError("slice() cannot be applied to a 0-dim tensor." if kc is slice else _ZERO_DIM_INT)
        items = (key,)
    elif key is False or (kc is np.bool_ and not key):
        return  # x[False] = v selects nothing: torch returns before writing (no version bump)
    else:
        items = _as_items(key)
    basic, last, adv, plain = _parse(d.shape, items)
    if kc is slice:
        plain = False  # x[a:b] = v always writes through a slice view in torch (CopySlices)
    if not vt:
        _check_scalar_fits(value, d.dtype)
    if not (mode.enabled and (self._rg or (vt and value._rg))):
        _setitem_data(self, d, basic, adv, plain, value, vt)
        self._bump_version()
        return
    if adv is None:
        target = self if plain else index_basic(self, basic, last)
        if vt:
            vshape = _strip_leading_ones(value._data.shape)
            _check_value_shape(vshape, target._data.shape, value._data.dtype)
            if vshape != value._data.shape:
                value = value.reshape(vshape)
            target.copy_(value)
        else:
            target.fill_(value)
    else:
        target = self if plain else index_basic(self, basic, last)
        k2 = _adv_key(target._data.shape, adv)
        if vt:
            value = _adv_value(target._data, k2, value)
        inplace(target, _index_put_op, k2, value, False, False)
    if target is not self and self._base is not None and self._view_fn is not None:
        _refresh_view(self)


def _refresh_view(view):
    """``view`` was written through one of its own views, which rebased the root: rebuild the
    view's history from the root, as torch regenerates it."""
    fresh = apply_view_fn(view._view_fn, view._base)
    view.grad_fn = fresh.grad_fn
    view._rg = fresh._rg
    if fresh._out_nr or view._out_nr:
        view._out_nr = fresh._out_nr


def _adv_value(dst, key, value):
    """Check an advanced setitem's tensor value (dtype, shape) and strip its leading 1-dims."""
    vd = value._data
    if vd.dtype != dst.dtype and not (vd.size == 1 and _single_mask(key)):
        raise RuntimeError(f"Index put requires the source and destination dtypes match, got {_sname(dst.dtype)} "
                           f"for the destination and {_sname(vd.dtype)} for the source.")
    vshape = _strip_leading_ones(vd.shape)
    _check_adv_value(vshape, _adv_result_shape(dst.shape, key))
    return value.reshape(vshape) if vshape != vd.shape else value


def _setitem_data(self, d, basic, adv, plain, value, vt):
    """setitem without autograd: write straight into the storage."""
    if adv is None:
        target = d if plain else d[basic]
        if target.__class__ is not ndarray:
            target = d[basic + (Ellipsis,)]
        _check_writable(target)
        if vt:
            vd = value._data
            vshape = _strip_leading_ones(vd.shape)
            _check_value_shape(vshape, target.shape, vd.dtype)
            np.copyto(target, vd.reshape(vshape), casting="unsafe")
        else:
            target[...] = value
        return
    v = d if plain else d[basic]
    k2 = _adv_key(v.shape, adv)
    if vt:
        vd = _adv_value(v, k2, value)._data
        if _size_of(_adv_result_shape(v.shape, k2)):
            v[k2] = vd
    elif _size_of(_adv_result_shape(v.shape, k2)):
        v[k2] = value


# == index_put ==================================================================================
class IndexPutBackward0(Node):
    __slots__ = ("key", "accumulate")

    def backward(self, grad):
        (fs, _), (fv, _) = self.next_functions
        gs = gv = None
        if fs is not None:
            gs = grad if self.accumulate else _index_put_op(grad, self.key, 0, False)
        if fv is not None:
            gv = index_adv(grad, self.key)
        return gs, gv


def _index_put_op(input, key, values, accumulate, check_dtype=True):
    """``input`` with ``values`` put (or added) at the advanced ``key``: a new tensor."""
    d = input._data
    vt = isinstance(values, Tensor)
    if vt:
        vd = values._data
        if vd.dtype != d.dtype:
            if check_dtype and not (vd.size == 1 and not accumulate and _single_mask(key)):
                raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                                   f"{_sname(d.dtype)} for the destination and {_sname(vd.dtype)} for the source.")
            vd = vd.astype(d.dtype)
        if check_dtype:
            _check_adv_value(vd.shape, _adv_result_shape(d.shape, key))
    else:
        vd = values
    out = d.copy()
    if vt and vd.size == 0 or _size_of(_adv_result_shape(d.shape, key)) == 0:
        pass  # nothing to put (and the indices may be out of range, which torch then ignores)
    elif accumulate:
        if _only_masks(key):
            out[key] += vd
        else:
            np.add.at(out, key, vd)
    else:
        out[key] = vd
    r = wrap(out)
    if mode.enabled and (input._rg or (vt and values._rg)):
        node = IndexPutBackward0(edge(input), edge(values) if vt else NOEDGE)
        node.key = key
        node.accumulate = accumulate
        record(node, r, input, values if vt else None)
    return r


def _index_put_key(input, indices):
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' must be tuple of Tensors, not {type(indices).__name__}")
    adv = []
    dim = 0
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
        a = t._data
        if a.dtype == np.uint8:
            a = a.astype(bool)
        if a.dtype.kind == "b":
            if a.ndim == 0:
                a = a.reshape(1)
            adv.append((dim, a))
            dim += a.ndim
        elif a.dtype.kind in "iu":
            adv.append((dim, a))
            dim += 1
        else:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
    n = input._data.ndim
    if dim > n:
        raise IndexError(f"too many indices for tensor of dimension {n} (got {dim})")
    return _adv_key(input._data.shape, adv) if adv else ()


def index_put(input, indices, values, accumulate=False):
    """A copy of ``input`` with ``values`` at ``indices`` (a tuple of index tensors); with
    ``accumulate=True`` repeated indices add up."""
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}")
    key = _index_put_key(input, indices)
    if not key:
        return input.clone() if not accumulate else input + values
    return _index_put_op(input, key, values, accumulate)


def index_put_(input, indices, values, accumulate=False):
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put_(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}")
    key = _index_put_key(input, indices)
    if not needs_grad(input, values):
        r = _index_put_op(input, key, values, accumulate) if key else None  # validates
        if r is not None:
            np.copyto(input._data, r._data)
            input._bump_version()
        return input
    return inplace(input, _index_put_op, key, values, accumulate)


# == masks ======================================================================================
def _mask_arg(mask, what):
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError(f"{what} only supports boolean masks, but got mask with dtype "
                           f"{_C_NAME.get(m.dtype.name, m.dtype.name)}")
    return m


class MaskedFillBackward0(Node):
    __slots__ = ("mask",)

    def backward(self, grad):
        return masked_fill(grad, self.mask, 0)


class MaskedFillBackward1(Node):
    __slots__ = ("mask",)

    def backward(self, grad):
        from .compare import where
        (fs, _), (fv, _) = self.next_functions
        return (masked_fill(grad, self.mask, 0) if fs is not None else None,
                where(self.mask, grad, grad * 0).sum() if fv is not None else None)


def _fill_value(value, d, what):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(f"{what} only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value._data.ndim} dimension(s).")
        return value._data.astype(d.dtype)
    _check_scalar_fits(value, d.dtype)
    return np.asarray(value).astype(d.dtype) if not isinstance(value, (float, int, bool)) else \
        np.asarray(value, dtype=d.dtype) if d.dtype.kind != "b" else np.asarray(bool(value))


def masked_fill(input, mask, value):
    """``input`` with ``value`` (a number or a 0-d tensor) where ``mask`` is True (broadcast)."""
    d = input._data
    m = _mask_arg(mask, "masked_fill_")
    v = _fill_value(value, d, "masked_fill_")
    if m.shape != d.shape:
        broadcast_shape_of([m.shape, d.shape])  # torch's error for incompatible shapes
    out = wrap(np.where(m, v, d))
    vt = isinstance(value, Tensor)
    if needs_grad(input, value if vt else None):
        node = MaskedFillBackward1(edge(input), edge(value)) if vt else MaskedFillBackward0(edge(input))
        node.mask = mask
        if vt:
            record(node, out, input, value)
        else:
            record(node, out, input)
    return out


def _masked_fill_inplace(self, mask, value):
    vt = isinstance(value, Tensor)
    if not needs_grad(self, value if vt else None):
        d = self._data
        m = _mask_arg(mask, "masked_fill_")
        v = _fill_value(value, d, "masked_fill_")
        _check_inplace_shape(d.shape, m.shape)
        np.copyto(d, v, where=m)
        self._bump_version()
        return self
    return inplace(self, masked_fill, mask, value)


def _check_inplace_shape(shape, other):
    if other != shape:
        try:
            b = np.broadcast_shapes(shape, other)
        except ValueError:
            b = None
        if b != tuple(shape):
            raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape "
                               f"{list(b) if b is not None else list(other)}")


class MaskedSelectBackward0(Node):
    __slots__ = ("mask", "shape")

    def backward(self, grad):
        zeros = wrap(np.zeros(self.shape, dtype=grad._data.dtype))
        return masked_scatter(zeros, self.mask, grad)


def masked_select(input, mask):
    """The elements of ``input`` where ``mask`` is True, as a 1-d tensor (both broadcast)."""
    d = input._data
    m = mask._data
    if m.dtype != np.bool_:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    if m.shape != d.shape:
        shape = broadcast_shape_of([m.shape, d.shape])
        db, mb = np.broadcast_to(d, shape), np.broadcast_to(m, shape)
    else:
        shape, db, mb = d.shape, d, m
    out = wrap(db[mb])
    if input._rg and mode.enabled:
        node = MaskedSelectBackward0(edge(input))
        node.mask = mask if m.shape == shape else wrap(mb)
        node.shape = shape
        record(node, out, input)
    return out


class MaskedScatterBackward0(Node):
    __slots__ = ("mask", "src_shape")

    def backward(self, grad):
        (fs, _), (fv, _) = self.next_functions
        gs = gv = None
        if fs is not None:
            gs = masked_fill(grad, self.mask, 0)
        if fv is not None:
            sel = masked_select(grad, self.mask)
            n = 1
            for s in self.src_shape:
                n *= s
            k = sel._data.shape[0]
            if k < n:
                from .joining import cat
                sel = cat([sel, wrap(np.zeros(n - k, dtype=grad._data.dtype))])
            gv = sel.reshape(self.src_shape)
        return gs, gv


def masked_scatter(input, mask, source):
    """``input`` with the elements where ``mask`` is True taken in order from ``source``."""
    d = input._data
    m = mask._data
    s = source._data
    if m.dtype != np.bool_:
        raise RuntimeError(f"masked_scatter_ only supports boolean masks, but got mask with dtype {_sname(m.dtype)}")
    if s.dtype != d.dtype:
        raise RuntimeError(f"masked_scatter: expected self and source to have same dtypes but got"
                           f"{_sname(d.dtype)} and {_sname(s.dtype)}")
    shape = broadcast_shape_of([m.shape, d.shape]) if m.shape != d.shape else d.shape
    mb = np.broadcast_to(m, shape)
    count = int(np.count_nonzero(mb))
    if s.size < count:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    out = np.array(np.broadcast_to(d, shape))
    out[mb] = s.reshape(-1)[:count]
    r = wrap(out)
    if needs_grad(input, source):
        node = MaskedScatterBackward0(edge(input), edge(source))
        node.mask = mask
        node.src_shape = s.shape
        record(node, r, input, source)
    return r


# == nonzero / argwhere =========================================================================
def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the non-zero elements: an (n, ndim) int64 tensor, or a tuple of 1-d tensors."""
    d = input._data
    if as_tuple:
        return tuple(wrap(i.astype(np.int64, copy=False)) for i in np.nonzero(d.reshape(1) if d.ndim == 0 else d))
    r = wrap(np.argwhere(d).astype(np.int64, copy=False))
    if out is not None:
        out._data = r._data
        out._bump_version()
        return out
    return r


def argwhere(input):
    return nonzero(input)


# == in-place variants and Tensor methods =======================================================
def _inplace_fn(fn):
    def method(self, *args, **kwargs):
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + "_"
    return method


def _attach():
    for name in __all__:
        if name not in ("argwhere", "index_put_"):
            setattr(Tensor, name, globals()[name])
    Tensor.argwhere = argwhere
    Tensor.index_put_ = index_put_
    Tensor.__getitem__ = __getitem__
    Tensor.__setitem__ = __setitem__
    Tensor.masked_fill_ = _masked_fill_inplace
    Tensor.masked_scatter_ = _inplace_fn(masked_scatter)


_attach()
