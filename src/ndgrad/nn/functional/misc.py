"""Utilities of torch.nn.functional: embedding, one_hot, normalize, distances and similarities.

``embedding`` is one op (torch's ``EmbeddingBackward0``): rows are gathered in the forward, and the
backward scatters gradients back with ``np.add.at`` (repeated indices accumulate), leaving the
``padding_idx`` row at zero. The scatter is itself a recorded op whose adjoint is the gather, so
second derivatives work.
"""
import numpy as np

from ... import _dtype
from ...ops._core import Node, Tensor, wrap, edge, mode, attach, wrap_dim
from ...ops.compare import where
from ..modules.channel_shuffle import channel_shuffle

__all__ = ["embedding", "embedding_bag", "one_hot", "normalize", "cosine_similarity", "pairwise_distance", "pdist",
           "channel_shuffle"]

_SCALAR_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                 "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


# -- embedding ---------------------------------------------------------------------------------------
class EmbeddingBackward0(Node):
    __slots__ = ("indices", "num_weights", "padding_idx", "scale")

    def backward(self, grad):
        return _embedding_backward(grad, self.indices, self.num_weights, self.padding_idx, self.scale)


class EmbeddingDenseBackwardBackward0(Node):
    """The scatter's adjoint: gather the rows again (padding row and frequency scaling included)."""

    __slots__ = ("indices", "padding_idx", "scale")

    def backward(self, gg):
        return _gather_rows(gg, self.indices, self.padding_idx, self.scale, scaled=True)


def _row_factor(indices, padding_idx, scale):
    """Per-lookup multiplier: 0 at padding_idx, 1/count(index) with scale_grad_by_freq, else None."""
    f = None
    if scale is not None:
        f = 1.0 / scale[indices]
    if padding_idx is not None and padding_idx >= 0:
        pad = indices == padding_idx
        if pad.any():
            f = np.where(pad, 0.0, 1.0 if f is None else f)
    return f


def _gather_rows(weight, indices, padding_idx=None, scale=None, scaled=False):
    """weight[indices]; its backward scatters the gradient with the padding/frequency factor. With
    ``scaled`` the factor also applies to the rows gathered (the adjoint of that scatter)."""
    wd = weight._data
    data = wd[indices]
    if scaled and (padding_idx is not None or scale is not None):
        f = _row_factor(indices, padding_idx, scale)
        if f is not None:
            data = data * f[..., None].astype(wd.dtype)
    out = wrap(data)
    if mode.enabled and weight._rg:
        node = EmbeddingBackward0(edge(weight))
        node.indices = indices
        node.num_weights = wd.shape[0]
        node.padding_idx = padding_idx
        node.scale = scale
        attach(out, node)
    return out


def _embedding_backward(grad, indices, num_weights, padding_idx, scale):
    gd = grad._data
    dim = gd.shape[-1]
    flat_idx = indices.reshape(-1)
    g2 = gd.reshape(-1, dim)
    f = _row_factor(flat_idx, padding_idx, scale)
    if f is not None:
        g2 = g2 * f[:, None].astype(gd.dtype)
    out_np = np.zeros((num_weights, dim), dtype=gd.dtype)
    np.add.at(out_np, flat_idx, g2)
    out = wrap(out_np)
    if mode.enabled and grad._rg:
        node = EmbeddingDenseBackwardBackward0(edge(grad))
        node.indices = indices
        node.padding_idx = padding_idx
        node.scale = scale
        attach(out, node)
        node._in_meta = [(gd.shape, None)]
    return out


def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False,
              sparse=False):
    """Look up rows of ``weight`` (num_embeddings, embedding_dim) at the integer ``input`` indices.

    ``padding_idx``: that row gets no gradient. ``max_norm``: rows looked up are first renormalised
    in place to norm at most ``max_norm``. ``scale_grad_by_freq``: gradients are divided by how
    often each index occurs in the batch.

    Example:
        >>> w = ndgrad.arange(6.).reshape(3, 2)
        >>> F.embedding(ndgrad.tensor([2, 0]), w)
        tensor([[4., 5.],
                [0., 1.]])
    """
    if sparse:
        raise NotImplementedError("ndgrad has no sparse tensors: use sparse=False (dense gradients)")
    n = weight._data.shape[0]
    if padding_idx is not None:
        if padding_idx > 0:
            if padding_idx >= n:
                raise AssertionError("Padding_idx must be within num_embeddings")
        elif padding_idx < 0:
            if padding_idx < -n:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = n + padding_idx
    idx = input._data if isinstance(input, Tensor) else np.asarray(input)
    if idx.dtype.kind not in "iu":
        name = input.type() if isinstance(input, Tensor) else str(idx.dtype)
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {name} instead (while checking arguments for embedding)")
    if weight._data.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if max_norm is not None:
        _embedding_renorm_(weight, idx, max_norm, norm_type)
    scale = None
    if scale_grad_by_freq:
        scale = np.bincount(idx.reshape(-1), minlength=n).astype(np.float64)
    return _gather_rows(weight, idx, padding_idx, scale)


def _embedding_renorm_(weight, idx, max_norm, norm_type):
    """Rescale (in place, without recording) the rows used so that their norm is at most max_norm."""
    wd = weight._data
    rows = np.unique(idx.reshape(-1))
    sub = wd[rows].astype(np.float64)
    if norm_type == float("inf"):
        norms = np.abs(sub).max(axis=1)
    else:
        norms = (np.abs(sub) ** norm_type).sum(axis=1) ** (1.0 / norm_type)
    over = norms > max_norm
    if over.any():
        scale = max_norm / (norms[over] + 1e-7)
        wd[rows[over]] = (sub[over] * scale[:, None]).astype(wd.dtype)
        weight._vc[0] += 1


def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type=2, scale_grad_by_freq=False, mode="mean",
                  sparse=False, per_sample_weights=None, include_last_offset=False, padding_idx=None):
    """Sum, mean or max of bags of embeddings.

    ``input`` (B, N): B bags of N indices; or 1-d with ``offsets`` (start of each bag).
    ``padding_idx`` entries are left out of their bag (and of its mean's count).
    """
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    idx = input._data
    if idx.ndim == 2:
        if offsets is not None:
            raise ValueError("if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed "
                             f"length sequences. However, found offsets of type {type(offsets)}")
        n_bags, n = idx.shape
        starts = np.arange(0, n_bags * n, n)
        flat = idx.reshape(-1)
    elif idx.ndim == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        starts = offsets._data.astype(np.int64)
        if include_last_offset:
            starts = starts[:-1]
        flat = idx
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {idx.ndim}")
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    n_bags = len(starts)
    length = flat.shape[0]
    bag_of = np.searchsorted(starts, np.arange(length), side="right") - 1
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight._data.shape[0]
    valid = np.ones(length, dtype=bool) if padding_idx is None else flat != padding_idx
    valid &= bag_of >= 0
    rows = embedding(wrap(flat), weight, None, max_norm, norm_type, scale_grad_by_freq)
    if per_sample_weights is not None:
        rows = rows * per_sample_weights.reshape(-1, 1)
    dt = weight._data.dtype
    if mode in ("sum", "mean"):
        m = np.zeros((n_bags, length), dtype=dt)
        m[bag_of[valid], np.nonzero(valid)[0]] = 1
        if mode == "mean":
            counts = m.sum(axis=1, keepdims=True)
            m = np.divide(m, counts, out=np.zeros_like(m), where=counts > 0)
        from .linear import _mm
        return _mm(wrap(m), rows)
    # max: per bag and dimension, pick the position holding the largest value
    rd = rows._data
    pick = np.zeros((n_bags, length, rd.shape[1]), dtype=dt)
    for b in range(n_bags):
        pos = np.nonzero(valid & (bag_of == b))[0]
        if pos.size:
            best = pos[rd[pos].argmax(axis=0)]
            pick[b, best, np.arange(rd.shape[1])] = 1
    return (rows.unsqueeze(0) * wrap(pick)).sum(1)


# -- one_hot ---------------------------------------------------------------------------------------
def one_hot(tensor, num_classes=-1):
    """(*,) integer class indices -> (*, num_classes) int64 tensor of zeros with a one per index."""
    d = tensor._data
    if d.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if num_classes == -1:
        if d.size == 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(d.max()) + 1
    if d.size:
        if d.min() < 0:
            raise RuntimeError("Class values must be non-negative.")
        if d.max() >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    out = np.zeros(d.shape + (num_classes,), dtype=np.int64)
    np.put_along_axis(out, d[..., None], 1, axis=-1)
    return wrap(out)


# -- norms, distances, similarities ------------------------------------------------------------------
class NormBackward1(Node):
    """d||x||_p: x |x|^(p-2) / ||x||^(p-1) (sign(x) for p=1), zero where the norm is zero."""

    __slots__ = ("p", "dim", "keepdim")

    def backward(self, grad):
        x, norm = self.saved
        p, dim = self.p, self.dim
        if not self.keepdim:
            grad = grad.unsqueeze(dim)
            norm = norm.unsqueeze(dim)
        if p == 1:
            return grad * x.sign()
        if p == 2:
            scaled = x / norm
        elif p == float("inf"):
            scaled = (x.abs() == norm).to(x.dtype) * x.sign()
            scaled = scaled / scaled.abs().sum(dim, keepdim=True)
        else:
            scaled = x * x.abs() ** (p - 2) / norm ** (p - 1)
        return grad * where(norm == 0, 0.0, scaled)


def _vector_norm(x, p, dim, keepdim=False):
    """||x||_p over one dim as a recorded op with torch's backward (zero gradient at a zero norm)."""
    d = x._data
    if d.dtype.kind == "c":  # real norms of complex values: the general implementation
        from ...linalg import vector_norm
        return vector_norm(x, p, dim, keepdim)
    dim = wrap_dim(dim, d.ndim)
    a = np.abs(d)
    if p == 2:
        data = np.sqrt((d * d).sum(axis=dim, keepdims=keepdim))
    elif p == 1:
        data = a.sum(axis=dim, keepdims=keepdim)
    elif p == float("inf"):
        data = a.max(axis=dim, keepdims=keepdim) if d.shape[dim] else np.zeros(())
    elif p == 0:
        data = (a != 0).sum(axis=dim, keepdims=keepdim).astype(d.dtype)
    else:
        data = (a ** p).sum(axis=dim, keepdims=keepdim) ** (1.0 / p)
    out = wrap(np.asarray(data, dtype=d.dtype))
    if mode.enabled and x._rg and p != 0:
        node = NormBackward1(edge(x))
        node.p, node.dim, node.keepdim = p, dim, keepdim
        node.save_output(out, x)
        attach(out, node)
    return out


def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input / max(||input||_p, eps) along ``dim``."""
    denom = _vector_norm(input, p, dim, keepdim=True).clamp_min(eps)
    result = input / denom
    if out is not None:
        out.copy_(result)
        return out
    return result


def _clamped_min_no_grad(t, eps):
    """max(t, eps) in value, but with t's gradient (torch clamps the norms under no_grad)."""
    d = t._data
    low = d < eps
    if not low.any():
        return t
    return t + wrap(np.where(low, np.asarray(eps, d.dtype) - d, 0).astype(d.dtype))


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    """Σ x1·x2 / (max(||x1||, eps) · max(||x2||, eps)) along ``dim`` (inputs broadcast)."""
    if x1._data.dtype != x2._data.dtype and x1.is_floating_point() and x2.is_floating_point():
        dt = _dtype.result_np_dtype((x1._data, x2._data))
        x1, x2 = x1.to(dt), x2.to(dt)
    if not x1.is_floating_point():
        x1 = x1.to(_dtype.default.value)
    if not x2.is_floating_point():
        x2 = x2.to(_dtype.default.value)
    shape = np.broadcast_shapes(x1._data.shape, x2._data.shape)
    if tuple(x1.shape) != shape:
        x1 = x1.expand(*shape)
    if tuple(x2.shape) != shape:
        x2 = x2.expand(*shape)
    n1 = _clamped_min_no_grad(_vector_norm(x1, 2, dim, keepdim=True), eps)
    n2 = _clamped_min_no_grad(_vector_norm(x2, 2, dim, keepdim=True), eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    """||x1 - x2 + eps||_p over the last dimension."""
    out_dim = max(x1.dim(), x2.dim())
    diff = x1 - x2 + eps
    if out_dim == 0:
        return diff.abs() if p != 0 else (diff != 0).to(diff.dtype)
    return _vector_norm(diff, p, -1, keepdim)


def pdist(input, p=2):
    """Distances between all pairs of rows of an (N, M) input: the upper triangle, row by row."""
    if input.dim() != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {input.dim()}D")
    n = input.shape[0]
    i, j = np.triu_indices(n, 1)
    rows_i = _gather_rows_plain(input, i)
    rows_j = _gather_rows_plain(input, j)
    return _vector_norm(rows_i - rows_j, p, -1)


def _gather_rows_plain(t, idx):
    return _gather_rows(t, idx)
