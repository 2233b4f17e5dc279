"""Matrix products: matmul (``@``), mm, bmm, mv, dot, vdot, outer, addmm/addmv/addbmm/baddbmm,
einsum, tensordot, inner, kron.

matmul is on the hot path of every model, so each rank combination goes straight to ``np.matmul``
on the tensors' data: no copies (BLAS reads transposed views as they are), and a batched operand
times a matrix is folded into one large matrix product when the batched operand is contiguous.

Backward formulas are matrix products again. The recorded products take "transposed" flags
(``op(a) @ op(b)``) instead of building transpose views, which keeps the backward pass short; they
are themselves recorded ops, so gradients of gradients work. Node names follow torch's top-level
node for each case: ``DotBackward0``, ``MvBackward0``, ``MmBackward0``, ``BmmBackward0``,
``SqueezeBackward4`` (vector @ matrix) and ``UnsafeViewBackward0`` (batched matmul).
"""
import numpy as np

from ._core import Node, Tensor, wrap, edge, record, mode, cj
from .arith import tname, cpp_name, not_implemented_for, _out
from ._einsum import einsum  # noqa: F401  (einsum lives in its own module; exported from here)

__all__ = ["matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm", "addmv", "addbmm",
           "baddbmm", "einsum", "tensordot", "kron"]

_matmul = np.matmul


def _shape_str(shape):
    return "x".join(str(s) for s in shape)


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _need_tensor(fn, x, pos, name):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _needs(a, b):
    return mode.enabled and (a._rg or b._rg)


# -- the recorded primitives ---------------------------------------------------------------------------
class MmBackward0(Node):
    """C = op(A) @ op(B) for matrices, op = transpose where the flag is set."""

    __slots__ = ("ta", "tb")

    def backward(self, grad):
        a, b = self.saved
        if grad._data.dtype.kind == "c":  # complex: products with the conjugated operands
            a, b = a.conj(), b.conj()
        (fa, _), (fb, _) = self.next_functions
        ta, tb = self.ta, self.tb
        ga = gb = None
        if fa is not None:
            ga = _mm(b, grad, tb, True) if ta else _mm(grad, b, False, not tb)
        if fb is not None:
            gb = _mm(grad, a, True, ta) if tb else _mm(a, grad, not ta, False)
        return ga, gb


def _mm(a, b, ta=False, tb=False):
    """Differentiable ``op(a) @ op(b)`` of two matrices."""
    ad, bd = a._data, b._data
    out = wrap(_matmul(ad.T if ta else ad, bd.T if tb else bd))
    if mode.enabled and (a._rg or b._rg):
        node = MmBackward0(edge(a), edge(b))
        node.ta = ta
        node.tb = tb
        node.save(a, b)
        out.grad_fn = node
        out._rg = True
    return out


class UnsafeViewBackward0(Node):
    """C = op(A) @ op(B) with batch dimensions (broadcast), op = transpose of the last two axes."""

    __slots__ = ("ta", "tb")

    def backward(self, grad):
        a, b = self.saved
        if grad._data.dtype.kind == "c":  # complex: products with the conjugated operands
            a, b = a.conj(), b.conj()
        (fa, _), (fb, _) = self.next_functions
        ta, tb = self.ta, self.tb
        ga = gb = None
        if fa is not None:
            ga = _bmm_t(b, grad, tb, True, type(self)) if ta else _bmm_t(grad, b, False, not tb, type(self))
        if fb is not None:
            if not tb and not ta and b._data.ndim == 2 and a._data.ndim > 2:
                # b was shared by the whole batch: one product over the flattened batch
                rows = _prod(a._data.shape[:-1])
                gb = _mm(a.reshape(rows, a._data.shape[-1]), grad.reshape(rows, grad._data.shape[-1]), True, False)
            else:
                gb = _bmm_t(grad, a, True, ta, type(self)) if tb else _bmm_t(a, grad, not ta, False, type(self))
        return ga, gb


class BmmBackward0(UnsafeViewBackward0):
    __slots__ = ()


def _swap(d):
    return d.swapaxes(-1, -2) if d.ndim >= 2 else d


def _bmm_t(a, b, ta=False, tb=False, node_cls=UnsafeViewBackward0):
    """Differentiable ``op(a) @ op(b)`` for operands of at least 2 dimensions (batch dims broadcast)."""
    ad, bd = a._data, b._data
    x = _swap(ad) if ta else ad
    y = _swap(bd) if tb else bd
    if x.ndim > 2 and y.ndim == 2 and x.flags.c_contiguous:
        # fold the batch into the rows: one BLAS call instead of one per matrix
        data = _matmul(x.reshape(_prod(x.shape[:-1]), x.shape[-1]), y).reshape(x.shape[:-1] + (y.shape[-1],))
    else:
        data = _matmul(x, y)
    out = wrap(data)
    if mode.enabled and (a._rg or b._rg):
        node = node_cls(edge(a), edge(b))
        node.ta = ta
        node.tb = tb
        node.save(a, b)
        record(node, out, a, b)
    return out


class MvBackward0(Node):
    """y = op(A) @ v."""

    __slots__ = ("ta",)

    def backward(self, grad):
        a, v = self.saved
        if grad._data.dtype.kind == "c":
            a, v = a.conj(), v.conj()
        (fa, _), (fv, _) = self.next_functions
        ga = gv = None
        if fa is not None:
            ga = v.unsqueeze(1) * grad if self.ta else grad.unsqueeze(1) * v
        if fv is not None:
            gv = _mv(a, grad, not self.ta)
        return ga, gv


def _mv(a, v, ta=False):
    ad = a._data
    out = wrap(_matmul(ad.T if ta else ad, v._data))
    if mode.enabled and (a._rg or v._rg):
        node = MvBackward0(edge(a), edge(v))
        node.ta = ta
        node.save(a, v)
        out.grad_fn = node
        out._rg = True
    return out


class SqueezeBackward4(Node):
    """y = v @ B (vector times matrix; torch records unsqueeze, mm, squeeze: this is the last)."""

    __slots__ = ()

    def backward(self, grad):
        v, b = self.saved
        if grad._data.dtype.kind == "c":
            v, b = v.conj(), b.conj()
        (fv, _), (fb, _) = self.next_functions
        return (_mv(b, grad) if fv is not None else None,
                v.unsqueeze(1) * grad if fb is not None else None)


class DotBackward0(Node):
    __slots__ = ()

    def backward(self, grad):
        a, b = self.saved
        if grad._data.dtype.kind == "c":
            a, b = a.conj(), b.conj()
        (fa, _), (fb, _) = self.next_functions
        return (grad * b if fa is not None else None, grad * a if fb is not None else None)


class VdotBackward0(Node):
    """out = sum(conj(a) * b): antiholomorphic in a, so a's gradient is b * conj(grad)."""

    __slots__ = ()

    def backward(self, grad):
        a, b = self.saved
        (fa, _), (fb, _) = self.next_functions
        return (b * cj(grad) if fa is not None else None, grad * a if fb is not None else None)


def _dot(a, b, node_cls=DotBackward0):
    out = wrap(np.asarray(_matmul(a._data, b._data)))
    if _needs(a, b):
        node = node_cls(edge(a), edge(b))
        node.save(a, b)
        out.grad_fn = node
        out._rg = True
    return out


class _MatVecBatched(UnsafeViewBackward0):
    """Batched matmul where one side is a vector (treated as a 1-row / 1-column matrix)."""

    __slots__ = ("va", "vb")

    def backward(self, grad):
        a, b = self.saved
        (fa, _), (fb, _) = self.next_functions
        va, vb = self.va, self.vb
        if grad._data.dtype.kind == "c":
            a, b = a.conj(), b.conj()
        ad = a._data
        ga = gb = None
        if vb and ad.ndim > 2:
            # (..., n, k) @ (k,): grad_a is an outer product, grad_b one product over the batch
            if fa is not None:
                ga = grad.unsqueeze(-1) * b
            if fb is not None:
                rows = _prod(ad.shape[:-1])
                gb = _mv(a.reshape(rows, ad.shape[-1]), grad.reshape(rows), True)
            return ga, gb
        g = grad.unsqueeze(-2) if va else grad.unsqueeze(-1)
        if fa is not None:
            bb = b.unsqueeze(-1) if vb else b
            ga = _bmm_t(g, bb, False, True)
            if va:
                ga = ga.squeeze(-2)
        if fb is not None:
            aa = a.unsqueeze(0) if va else a
            gb = _bmm_t(aa, g, True, False)
            if vb:
                gb = gb.squeeze(-1)
        return ga, gb


_MatVecBatched.__name__ = "UnsafeViewBackward0"


# -- checks with torch's messages --------------------------------------------------------------------------
def _check_kernel(dt, kernel):
    if dt == np.bool_:
        raise not_implemented_for(kernel, dt)


def _broadcast_batch(sa, sb):
    """Broadcast two batch shapes, with torch's message when they don't."""
    n = max(len(sa), len(sb))
    sa = (1,) * (n - len(sa)) + tuple(sa)
    sb = (1,) * (n - len(sb)) + tuple(sb)
    out = []
    for i in range(n - 1, -1, -1):
        x, y = sa[i], sb[i]
        if x != y and x != 1 and y != 1:
            raise RuntimeError(f"The size of tensor a ({x}) must match the size of tensor b ({y}) at "
                               f"non-singleton dimension {i}")
        out.append(y if x == 1 else x)
    return tuple(out[::-1])


# -- public ops ---------------------------------------------------------------------------------------------
def matmul(input, other, *, out=None):
    """Matrix product with torch's rank rules: 1-d x 1-d is a dot product, 2-d x 1-d a matrix-vector
    product, 1-d x 2-d a vector-matrix product, and batched operands broadcast their batch dims.

    Example:
        >>> a = ndgrad.ones(2, 3); b = ndgrad.ones(3)
        >>> (a @ b).shape
        torch.Size([2])
    """
    if input.__class__ is not Tensor or other.__class__ is not Tensor:
        _need_tensor("matmul", input, 1, "input")
        _need_tensor("matmul", other, 2, "other")
    ad, bd = input._data, other._data
    na, nb = ad.ndim, bd.ndim
    if na == 2 and nb == 2 and ad.dtype is bd.dtype and ad.dtype.kind in "fc" and ad.shape[1] == bd.shape[0]:
        # the common case (a linear layer without bias, an attention score): straight to BLAS
        r = wrap(_matmul(ad, bd))
        if mode.enabled and (input._rg or other._rg):
            node = MmBackward0(edge(input), edge(other))
            node.ta = node.tb = False
            node.save(input, other)
            r.grad_fn = node
            r._rg = True
        return r if out is None else _out(r, out)
    if na == 0 or nb == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {na}D and {nb}D")
    if na == 1 and nb == 1:
        r = dot(input, other)
    elif na == 2 and nb == 1:
        r = mv(input, other)
    elif na == 1 and nb == 2:
        r = _vm(input, other)
    elif na == 2 and nb == 2:
        r = mm(input, other)
    else:
        r = _matmul_batched(input, other)
    return r if out is None else _out(r, out)


def _vm(v, m):
    vd, md = v._data, m._data
    if vd.dtype != md.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {cpp_name(vd.dtype)} != "
                           f"{cpp_name(md.dtype)}")
    _check_kernel(vd.dtype, "addmm_impl_cpu_")
    if vd.shape[0] != md.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied (1x{vd.shape[0]} and "
                           f"{_shape_str(md.shape)})")
    r = wrap(_matmul(vd, md))
    if _needs(v, m):
        node = SqueezeBackward4(edge(v), edge(m))
        node.save(v, m)
        r.grad_fn = node
        r._rg = True
    return r


def _matmul_batched(a, b):
    ad, bd = a._data, b._data
    na, nb = ad.ndim, bd.ndim
    if nb == 1:  # (..., n, k) @ (k,)
        if ad.dtype != bd.dtype:
            raise RuntimeError(f"addmv input tensors must have the same dtype, but got {tname(bd.dtype)}, "
                               f"{tname(ad.dtype)}, and {tname(bd.dtype)}")
        _check_kernel(ad.dtype, "addmv_impl_cpu")
        k = ad.shape[-1]
        rows = _prod(ad.shape[:-1])
        if bd.shape[0] != k:
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{k}), vec ({bd.shape[0]})")
        if ad.flags.c_contiguous:
            data = _matmul(ad.reshape(rows, k), bd).reshape(ad.shape[:-1])
        else:
            data = _matmul(ad, bd)
        va, vb = False, True
    elif nb == 2:  # (..., n, k) @ (k, m): one product over the flattened batch
        if ad.dtype != bd.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {cpp_name(ad.dtype)} != "
                               f"{cpp_name(bd.dtype)}")
        _check_kernel(ad.dtype, "addmm_impl_cpu_")
        k = ad.shape[-1]
        rows = _prod(ad.shape[:-1])
        if bd.shape[0] != k:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{k} and {_shape_str(bd.shape)})")
        out = _bmm_t(a, b)
        return out
    else:
        if ad.dtype != bd.dtype:
            raise RuntimeError(f"expected scalar type {tname(ad.dtype)} but found {tname(bd.dtype)}")
        _check_kernel(ad.dtype, "bmm")
        batch = _broadcast_batch(ad.shape[:-2] if na > 1 else (), bd.shape[:-2])
        nbatch = _prod(batch)
        ka = ad.shape[-1]
        kb = bd.shape[-2]
        if ka != kb:
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{nbatch}, {ka}] "
                               f"but got: [{nbatch}, {kb}].")
        if na > 1:
            return _bmm_t(a, b)
        data = _matmul(ad, bd)
        va, vb = True, False
    out = wrap(data)
    if _needs(a, b):
        node = _MatVecBatched(edge(a), edge(b))
        node.ta = node.tb = False
        node.va, node.vb = va, vb
        node.save(a, b)
        record(node, out, a, b)
    return out


def mm(input, mat2, *, out=None):
    """Product of two matrices."""
    _need_tensor("mm", input, 1, "input")
    _need_tensor("mm", mat2, 2, "mat2")
    ad, bd = input._data, mat2._data
    if ad.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if bd.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if ad.dtype != bd.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {cpp_name(ad.dtype)} != "
                           f"{cpp_name(bd.dtype)}")
    _check_kernel(ad.dtype, "addmm_impl_cpu_")
    if ad.shape[1] != bd.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(ad.shape)} and "
                           f"{_shape_str(bd.shape)})")
    r = _mm(input, mat2)
    return r if out is None else _out(r, out)


def _check_bmm(b1, b2, what1="batch1", what2="batch2"):
    d1, d2 = b1._data, b2._data
    if d1.ndim != 3:
        raise RuntimeError(f"{what1} must be a 3D tensor")
    if d2.ndim != 3:
        raise RuntimeError(f"{what2} must be a 3D tensor")
    if d1.dtype != d2.dtype:
        raise RuntimeError(f"expected scalar type {tname(d1.dtype)} but found {tname(d2.dtype)}")
    if d2.shape[0] != d1.shape[0] or d2.shape[1] != d1.shape[2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{d1.shape[0]}, "
                           f"{d1.shape[2]}] but got: [{d2.shape[0]}, {d2.shape[1]}].")
    _check_kernel(d1.dtype, "bmm")


def bmm(input, mat2, *, out=None):
    """Batched product of two 3-d tensors of matrices (no broadcasting; see ``matmul``)."""
    _need_tensor("bmm", input, 1, "input")
    _need_tensor("bmm", mat2, 2, "mat2")
    _check_bmm(input, mat2)
    r = _bmm_t(input, mat2, node_cls=BmmBackward0)
    return r if out is None else _out(r, out)


def mv(input, vec, *, out=None):
    """Matrix-vector product."""
    _need_tensor("mv", input, 1, "input")
    _need_tensor("mv", vec, 2, "vec")
    ad, vd = input._data, vec._data
    if ad.ndim != 2 or vd.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {ad.ndim}, {vd.ndim}")
    if ad.dtype != vd.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {tname(vd.dtype)}, "
                           f"{tname(ad.dtype)}, and {tname(vd.dtype)}")
    _check_kernel(ad.dtype, "addmv_impl_cpu")
    if ad.shape[1] != vd.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({ad.shape[0]}), mat ({_shape_str(ad.shape)}), "
                           f"vec ({vd.shape[0]})")
    r = _mv(input, vec)
    return r if out is None else _out(r, out)


def _check_dot(a, b, what="dot"):
    ad, bd = a._data, b._data
    if ad.ndim != 1 or bd.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {ad.ndim}D and {bd.ndim}D tensors")
    if ad.dtype != bd.dtype:
        raise RuntimeError(f"{what} : expected both vectors to have same dtype, but found {tname(ad.dtype)} and "
                           f"{tname(bd.dtype)}")
    if ad.shape[0] != bd.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{ad.shape[0]}] and src [{bd.shape[0]}] to "
                           f"have the same number of elements, but got {ad.shape[0]} and {bd.shape[0]} elements "
                           "respectively")
    _check_kernel(ad.dtype, what)


def dot(input, tensor, *, out=None):
    """Inner product of two 1-d tensors."""
    _need_tensor("dot", input, 1, "input")
    _need_tensor("dot", tensor, 2, "tensor")
    _check_dot(input, tensor)
    r = _dot(input, tensor)
    return r if out is None else _out(r, out)


def vdot(input, other, *, out=None):
    """Inner product of two 1-d tensors, conjugating the first (same as ``dot`` for real tensors)."""
    _need_tensor("vdot", input, 1, "input")
    _need_tensor("vdot", other, 2, "other")
    _check_dot(input, other, "vdot")
    if input._data.dtype.kind == "c":
        r = wrap(np.asarray(np.vdot(input._data, other._data)))
        if _needs(input, other):
            node = VdotBackward0(edge(input), edge(other))
            node.save(input, other)
            r.grad_fn = node
            r._rg = True
    else:
        r = _dot(input, other, VdotBackward0)
    return r if out is None else _out(r, out)


def outer(input, vec2, *, out=None):
    """Outer product of two 1-d tensors (``input[:, None] * vec2``, as torch computes it)."""
    _need_tensor("outer", input, 1, "input")
    _need_tensor("outer", vec2, 2, "vec2")
    if input._data.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input._data.ndim}-D")
    if vec2._data.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {vec2._data.ndim}-D")
    r = input.reshape(-1, 1) * vec2
    return r if out is None else _out(r, out)


ger = outer


def inner(input, other, *, out=None):
    """Sum over the last dimension of both tensors (a product with a 0-d tensor is elementwise)."""
    _need_tensor("inner", input, 1, "input")
    _need_tensor("inner", other, 2, "other")
    ad, bd = input._data, other._data
    if ad.ndim == 0 or bd.ndim == 0:
        r = input * other
    else:
        if ad.shape[-1] != bd.shape[-1]:
            raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                               f"{list(ad.shape)} and {list(bd.shape)}")
        r = tensordot(input, other, dims=([-1], [-1]))
    return r if out is None else _out(r, out)


# -- products with an added term -----------------------------------------------------------------------------
def _scaled_sum(prod, input_d, beta, alpha, dt):
    """beta * input + alpha * prod, computed in place in the fresh ``prod``."""
    if alpha != 1:
        prod *= np.asarray(alpha, dtype=dt) if dt.kind in "fc" else int(alpha)
    if beta == 0:  # input is ignored entirely (NaN in it does not propagate), as in torch
        return prod
    if beta == 1:
        prod += input_d
    else:
        prod += input_d * (np.asarray(beta, dtype=dt) if dt.kind in "fc" else int(beta))
    return prod


def _check_expand(input_shape, target):
    try:
        if np.broadcast_shapes(tuple(input_shape), tuple(target)) == tuple(target):
            return
    except ValueError:
        pass
    n = len(target)
    s = (1,) * (n - len(input_shape)) + tuple(input_shape) if len(input_shape) <= n else tuple(input_shape)
    for i in range(len(s) - 1, -1, -1):
        if i < n and s[i] != 1 and s[i] != target[i]:
            raise RuntimeError(f"The expanded size of the tensor ({target[i]}) must match the existing size "
                               f"({s[i]}) at non-singleton dimension {i}.  Target sizes: {list(target)}.  Tensor "
                               f"sizes: {list(input_shape)}")
    raise RuntimeError(f"The expanded size of the tensor must match the existing size. Target sizes: {list(target)}."
                       f"  Tensor sizes: {list(input_shape)}")


class AddmmBackward0(Node):
    """out = beta * input + alpha * (mat1 @ mat2)."""

    __slots__ = ("alpha", "beta")

    def backward(self, grad):
        m1, m2 = self.saved
        (fi, _), (f1, _), (f2, _) = self.next_functions
        alpha, beta = self.alpha, self.beta
        if grad._data.dtype.kind == "c":
            m1, m2, alpha, beta = m1.conj(), m2.conj(), cj(alpha), cj(beta)
        gi = g1 = g2 = None
        if fi is not None:
            gi = grad if beta == 1 else grad * beta
        if f1 is not None:
            g1 = _mm(grad, m2, False, True)
            if alpha != 1:
                g1 = g1 * alpha
        if f2 is not None:
            g2 = _mm(m1, grad, True, False)
            if alpha != 1:
                g2 = g2 * alpha
        return gi, g1, g2


def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat1 @ mat2); ``input`` broadcasts to the product's shape.

    Example:
        >>> ndgrad.addmm(ndgrad.zeros(3), ndgrad.ones(2, 4), ndgrad.ones(4, 3)).shape
        torch.Size([2, 3])
    """
    for pos, (t, name) in enumerate(((input, "input"), (mat1, "mat1"), (mat2, "mat2")), 1):
        _need_tensor("addmm", t, pos, name)
    d1, d2, di = mat1._data, mat2._data, input._data
    if d1.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {d1.ndim}-D tensor")
    if d2.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {d2.ndim}-D tensor")
    if di.dtype != d2.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {tname(di.dtype)} and "
                           f"{tname(d2.dtype)}")
    if d1.dtype != d2.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {cpp_name(d1.dtype)} != "
                           f"{cpp_name(d2.dtype)}")
    _check_kernel(d1.dtype, "addmm_impl_cpu_")
    if d1.shape[1] != d2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_shape_str(d1.shape)} and "
                           f"{_shape_str(d2.shape)})")
    target = (d1.shape[0], d2.shape[1])
    if di.shape != target:
        _check_expand(di.shape, target)
    r = wrap(_scaled_sum(_matmul(d1, d2), di, beta, alpha, d1.dtype))
    if mode.enabled and (input._rg or mat1._rg or mat2._rg):
        node = AddmmBackward0(edge(input), edge(mat1), edge(mat2))
        node.alpha, node.beta = alpha, beta
        node.save(mat1, mat2)
        record(node, r, input, mat1, mat2)
    return r if out is None else _out(r, out)


class AddmvBackward0(Node):
    __slots__ = ("alpha", "beta")

    def backward(self, grad):
        m, v = self.saved
        (fi, _), (fm, _), (fv, _) = self.next_functions
        alpha, beta = self.alpha, self.beta
        if grad._data.dtype.kind == "c":
            m, v, alpha, beta = m.conj(), v.conj(), cj(alpha), cj(beta)
        g = grad if alpha == 1 else grad * alpha
        gi = (grad if beta == 1 else grad * beta) if fi is not None else None
        return gi, g.unsqueeze(1) * v if fm is not None else None, _mv(m, g, True) if fv is not None else None


def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * (mat @ vec)."""
    for pos, (t, name) in enumerate(((input, "input"), (mat, "mat"), (vec, "vec")), 1):
        _need_tensor("addmv", t, pos, name)
    md, vd, di = mat._data, vec._data, input._data
    if md.ndim != 2 or vd.ndim != 1 or di.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {di.ndim}, {md.ndim}, {vd.ndim}")
    if not (md.dtype == vd.dtype == di.dtype):
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {tname(di.dtype)}, "
                           f"{tname(md.dtype)}, and {tname(vd.dtype)}")
    _check_kernel(md.dtype, "addmv_impl_cpu")
    if md.shape[1] != vd.shape[0] or (di.ndim == 1 and di.shape[0] not in (1, md.shape[0])):
        raise RuntimeError(f"size mismatch, got input ({di.shape[0] if di.ndim else 1}), mat "
                           f"({_shape_str(md.shape)}), vec ({vd.shape[0]})")
    r = wrap(_scaled_sum(_matmul(md, vd), di, beta, alpha, md.dtype))
    if mode.enabled and (input._rg or mat._rg or vec._rg):
        node = AddmvBackward0(edge(input), edge(mat), edge(vec))
        node.alpha, node.beta = alpha, beta
        node.save(mat, vec)
        record(node, r, input, mat, vec)
    return r if out is None else _out(r, out)


class BaddbmmBackward0(Node):
    __slots__ = ("alpha", "beta")

    def backward(self, grad):
        b1, b2 = self.saved
        (fi, _), (f1, _), (f2, _) = self.next_functions
        alpha, beta = self.alpha, self.beta
        if grad._data.dtype.kind == "c":
            b1, b2, alpha, beta = b1.conj(), b2.conj(), cj(alpha), cj(beta)
        g = grad if alpha == 1 else grad * alpha
        return ((grad if beta == 1 else grad * beta) if fi is not None else None,
                _bmm_t(g, b2, False, True, BmmBackward0) if f1 is not None else None,
                _bmm_t(b1, g, True, False, BmmBackward0) if f2 is not None else None)


class AddbmmBackward0(BaddbmmBackward0):
    """out = beta * input + alpha * sum_b batch1[b] @ batch2[b] (grad broadcasts over the batch)."""

    __slots__ = ()


def _baddbmm_like(name, input, batch1, batch2, beta, alpha, reduce_batch, node_cls):
    for pos, (t, nm) in enumerate(((input, "input"), (batch1, "batch1"), (batch2, "batch2")), 1):
        _need_tensor(name, t, pos, nm)
    _check_bmm(batch1, batch2)
    d1, d2, di = batch1._data, batch2._data, input._data
    if di.dtype != d1.dtype:
        raise RuntimeError(f"expected scalar type {tname(d1.dtype)} but found {tname(di.dtype)}")
    prod = _matmul(d1, d2)
    if reduce_batch:
        prod = prod.sum(axis=0)
    if di.shape != prod.shape:
        _check_expand(di.shape, prod.shape)
    r = wrap(_scaled_sum(prod, di, beta, alpha, d1.dtype))
    if mode.enabled and (input._rg or batch1._rg or batch2._rg):
        node = node_cls(edge(input), edge(batch1), edge(batch2))
        node.alpha, node.beta = alpha, beta
        node.save(batch1, batch2)
        record(node, r, input, batch1, batch2)
    return r


def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * bmm(batch1, batch2)."""
    r = _baddbmm_like("baddbmm", input, batch1, batch2, beta, alpha, False, BaddbmmBackward0)
    return r if out is None else _out(r, out)


def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """beta * input + alpha * sum over the batch of batch1[b] @ batch2[b]."""
    r = _baddbmm_like("addbmm", input, batch1, batch2, beta, alpha, True, AddbmmBackward0)
    return r if out is None else _out(r, out)


# -- tensordot, kron ------------------------------------------------------------------------------------------
def tensordot(a, b, dims=2, out=None):
    """Contract ``dims`` (an int: the last dims of ``a`` with the first of ``b``; or two lists of
    dimensions) by a single matrix product (permute, reshape, mm, reshape: all differentiable)."""
    _need_tensor("tensordot", a, 1, "a")
    _need_tensor("tensordot", b, 2, "b")
    ad, bd = a._data, b._data
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, int):
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(ad.ndim, bd.ndim):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        da = list(range(-dims, 0))
        db = list(range(dims))
    else:
        da, db = dims
        da = [da] if isinstance(da, int) else list(da)
        db = [db] if isinstance(db, int) else list(db)
        if len(da) != len(db):
            raise RuntimeError("both dimension lists should have same length")
    ca = [d % ad.ndim if ad.ndim else d for d in da]
    cb = [d % bd.ndim if bd.ndim else d for d in db]
    for x, y, i, j in zip(da, db, ca, cb):
        if ad.shape[i] != bd.shape[j]:
            raise RuntimeError(f"contracted dimensions need to match, but first has size {ad.shape[i]} in dim {x} "
                               f"and second has size {bd.shape[j]} in dim {y}")
    if ad.dtype != bd.dtype:
        raise RuntimeError(f"expected scalar type {tname(ad.dtype)} but found {tname(bd.dtype)}")
    fa = [i for i in range(ad.ndim) if i not in ca]
    fb = [i for i in range(bd.ndim) if i not in cb]
    ka = _prod(ad.shape[i] for i in ca)
    pa = fa + ca
    pb = cb + fb
    at = a.permute(*pa) if pa != list(range(ad.ndim)) else a
    bt = b.permute(*pb) if pb != list(range(bd.ndim)) else b
    m = _prod(ad.shape[i] for i in fa)
    n = _prod(bd.shape[i] for i in fb)
    r = mm(at.reshape(m, ka), bt.reshape(ka, n)).reshape(tuple(ad.shape[i] for i in fa) +
                                                         tuple(bd.shape[i] for i in fb))
    return r if out is None else _out(r, out)


def kron(input, other, *, out=None):
    """Kronecker product: block (i, j) of the result is input[i, j] * other (any number of dims)."""
    _need_tensor("kron", input, 1, "input")
    _need_tensor("kron", other, 2, "other")
    sa, sb = input._data.shape, other._data.shape
    n = max(len(sa), len(sb))
    sa = (1,) * (n - len(sa)) + sa
    sb = (1,) * (n - len(sb)) + sb
    a = input.reshape(tuple(x for s in sa for x in (s, 1)))
    b = other.reshape(tuple(x for s in sb for x in (1, s)))
    r = (a * b).reshape(tuple(x * y for x, y in zip(sa, sb)))
    return r if out is None else _out(r, out)


# -- methods and operators ---------------------------------------------------------------------------------------
def _rmatmul(self, other):
    if isinstance(other, Tensor):
        return matmul(other, self)
    if isinstance(other, np.ndarray):
        return matmul(wrap(other), self)
    return NotImplemented


def _matmul_op(self, other):
    if isinstance(other, Tensor):
        return matmul(self, other)
    if isinstance(other, np.ndarray):
        return matmul(self, wrap(other))
    return NotImplemented


def _inplace_addmm(fn):
    def method(self, *args, **kwargs):
        from ._core import inplace
        return inplace(self, fn, *args, **kwargs)
    method.__name__ = fn.__name__ + "_"
    return method


Tensor.__matmul__ = _matmul_op
Tensor.__rmatmul__ = _rmatmul
for _name in ("matmul", "mm", "bmm", "mv", "dot", "vdot", "inner", "outer", "ger", "addmm", "addmv", "addbmm",
              "baddbmm", "kron"):
    setattr(Tensor, _name, globals()[_name])
for _fn in (addmm, addmv, addbmm, baddbmm):
    setattr(Tensor, _fn.__name__ + "_", _inplace_addmm(_fn))
