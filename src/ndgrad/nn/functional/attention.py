"""Attention: scaled_dot_product_attention and multi_head_attention_forward (torch's math path).

``scaled_dot_product_attention`` is softmax(Q Kᵀ · scale + bias) V over the last two dimensions,
batch dimensions broadcasting. Boolean masks say where to attend (True = attend, torch's SDPA
convention), float masks are added to the scores. Rows in which every key is masked give zeros (and
zero gradients), not NaN, as torch's ``_safe_softmax`` does; that is the one fused op here
(``SafeSoftmaxBackward0``, whose backward is softmax's own differentiable backward op).

``multi_head_attention_forward`` follows torch's functional line by line: the packed or separate
input projections, ``bias_k``/``bias_v``, ``add_zero_attn``, merged key-padding and attention masks
(True = *ignore* here, MultiheadAttention's convention), and with ``need_weights`` the explicit
(optionally head-averaged) attention weights.

Example:
    >>> q = k = v = ndgrad.randn(2, 4, 10, 16)          # (N, heads, L, E)
    >>> F.scaled_dot_product_attention(q, k, v, is_causal=True).shape
    torch.Size([2, 4, 10, 16])
"""
import math
import warnings

import numpy as np

from ... import _dtype
from ...ops._core import Node, Tensor, wrap, edge, mode, attach
from ...ops.arith import cpp_name
from ...ops.joining import cat, repeat_interleave
from ...ops.linalg import matmul, bmm, baddbmm
from ...ops.softmax import softmax, softmax_backward_data
from .dropout import dropout
from .linear import linear
from .vision import pad

__all__ = ["scaled_dot_product_attention", "multi_head_attention_forward"]

_NEG_INF = float("-inf")


# == scaled dot-product attention =================================================================
class SafeSoftmaxBackward0(Node):
    """softmax over the last dim, rows that are entirely -inf giving 0 (torch's _safe_softmax)."""

    __slots__ = ()

    def backward(self, grad):
        return softmax_backward_data(grad, self.saved[0], -1)


def _safe_softmax(x):
    d = x._data
    m = d.max(axis=-1, keepdims=True) if d.size else np.zeros(d.shape[:-1] + (1,), d.dtype)
    dead = np.isneginf(m)
    any_dead = dead.any()
    if any_dead:
        m[dead] = 0  # exp(-inf - 0) = 0 everywhere in the row
    e = d - m
    np.exp(e, out=e)
    s = e.sum(axis=-1, keepdims=True)
    if any_dead:
        s[dead] = 1  # 0 / 1 = 0 instead of 0 / 0
    e /= s
    out = wrap(e)
    if mode.enabled and x._rg:
        node = SafeSoftmaxBackward0(edge(x))
        node.save_output(out)
        attach(out, node)
    return out


def _check_sdpa(query, key, value, attn_mask, is_causal):
    qd, kd, vd = query._data, key._data, value._data
    if not (qd.dtype == kd.dtype == vd.dtype):
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{cpp_name(qd.dtype)} key.dtype: {cpp_name(kd.dtype)} and value.dtype: "
                           f"{cpp_name(vd.dtype)} instead.")
    if qd.ndim < 2 or kd.ndim < 2 or vd.ndim < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                           f"{qd.ndim} key.dim: {kd.ndim} and value.dim: {vd.ndim} instead.")
    if attn_mask is not None:
        md = attn_mask._data.dtype
        if not (md == np.bool_ or md == np.float32 or md == qd.dtype):
            raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                               f"attn_mask.dtype: {cpp_name(md)} and  query.dtype: {cpp_name(qd.dtype)} instead.")
        if is_causal:
            raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when "
                               "is_causal=True")


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(Q Kᵀ · scale + mask) V.

    Args:
        query: (..., L, E).
        key: (..., S, E).
        value: (..., S, Ev).
        attn_mask: bool (True = take part in attention) or float (added to the scores), broadcastable
            to (..., L, S).
        dropout_p: dropout probability on the attention weights (always applied when > 0, as torch).
        is_causal: mask out keys after each query (top-left aligned lower triangle).
        scale: the score factor, 1/√E by default.
        enable_gqa: grouped-query attention: key/value heads (dim -3) are repeated to the query's.

    Returns:
        (..., L, Ev).

    Example:
        >>> q, k, v = ndgrad.randn(8, 5, 16), ndgrad.randn(8, 7, 16), ndgrad.randn(8, 7, 32)
        >>> F.scaled_dot_product_attention(q, k, v).shape
        torch.Size([8, 5, 32])
    """
    _check_sdpa(query, key, value, attn_mask, is_causal)
    L, S, E = query._data.shape[-2], key._data.shape[-2], query._data.shape[-1]
    scale_factor = 1.0 / math.sqrt(E) if scale is None else float(scale)
    if enable_gqa:
        hq, hk, hv = (_dim_size(t, -3) for t in (query, key, value))
        if hq % hk or hq % hv:
            raise RuntimeError("Number of heads in key and value must divide the number of heads in ")  # torch's words
        if hk != hq:
            key = repeat_interleave(key, hq // hk, -3)
        if hv != hq:
            value = repeat_interleave(value, hq // hv, -3)
    q = query * scale_factor if scale_factor != 1.0 else query
    scores = matmul(q, key.transpose(-2, -1))
    bias = None
    if is_causal:
        bias = np.where(np.tri(L, S, dtype=bool), 0.0, _NEG_INF).astype(scores._data.dtype)
    elif attn_mask is not None:
        md = attn_mask._data
        if md.dtype == np.bool_:
            bias = np.where(md, 0.0, _NEG_INF).astype(scores._data.dtype)
        else:
            _check_inplace_broadcast(scores._data.shape, md.shape)
            scores = scores + attn_mask
    if bias is not None:
        _check_inplace_broadcast(scores._data.shape, bias.shape)
        scores = scores + wrap(bias)
    attn = _safe_softmax(scores)
    if dropout_p > 0.0:
        attn = dropout(attn, dropout_p, True)
    return matmul(attn, value)


def _dim_size(t, dim):
    shape = t._data.shape
    if not -len(shape) <= dim < len(shape):
        raise IndexError(f"Dimension out of range (expected to be in range of [{-len(shape)}, {len(shape) - 1}], "
                         f"but got {dim})")
    return shape[dim]


def _check_inplace_broadcast(shape, mask_shape):
    """torch adds the mask in place into the scores: the mask must broadcast *to* their shape."""
    try:
        full = np.broadcast_shapes(shape, mask_shape)
    except ValueError:
        n = max(len(shape), len(mask_shape))
        a, b = (1,) * (n - len(shape)) + tuple(shape), (1,) * (n - len(mask_shape)) + tuple(mask_shape)
        for i in range(n - 1, -1, -1):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                raise RuntimeError(f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                                   f"non-singleton dimension {i}") from None
        raise
    if full != tuple(shape):
        raise RuntimeError(f"output with shape {list(shape)} doesn't match the broadcast shape {list(full)}")


# == multi-head attention ===========================================================================
def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads):
    """torch's checks; returns whether the input is batched (3-D query)."""
    if query.dim() == 3:
        if key.dim() != 3 or value.dim() != 3:
            raise AssertionError("For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 2:
            raise AssertionError("For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None and attn_mask.dim() not in (2, 3):
            raise AssertionError("For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.dim()}-D tensor instead")
        return True
    if query.dim() == 2:
        if key.dim() != 2 or value.dim() != 2:
            raise AssertionError("For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.dim()}-D and {value.dim()}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.dim() != 1:
            raise AssertionError("For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D "
                                 f"but found {key_padding_mask.dim()}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.dim() not in (2, 3):
                raise AssertionError("For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.dim()}-D tensor instead")
            if attn_mask.dim() == 3:
                expected_shape = (num_heads, query.shape[0], key.shape[0])
                if tuple(attn_mask.shape) != expected_shape:
                    raise AssertionError(f"Expected `attn_mask` shape to be {expected_shape} but got "
                                         f"{attn_mask.shape}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.dim()}-D query "
                         "tensor")


def _canonical_mask(mask, mask_name, other_type, other_name, target_type, check_other=True):
    """A bool mask (True = ignore) becomes a float mask of ``target_type`` with -inf where True."""
    if mask is None:
        return None
    md = mask._data.dtype
    is_float = md.kind == "f"
    if md != np.bool_ and not is_float:
        raise AssertionError(f"only bool and floating types of {mask_name} are supported")
    if check_other and other_type is not None and mask.dtype != other_type:
        warnings.warn(f"Support for mismatched {mask_name} and {other_name} is deprecated. Use same type for both "
                      "instead.", stacklevel=3)
    if not is_float:
        mask = wrap(np.where(mask._data, _NEG_INF, 0.0).astype(_dtype.to_dtype(target_type).np))
    return mask


def _none_or_dtype(input):
    if input is None:
        return None
    if isinstance(input, Tensor):
        return input.dtype
    raise RuntimeError("input to _none_or_dtype() must be None or torch.Tensor")


def _in_projection_packed(q, k, v, w, b=None):
    """Project with the packed (3E, E) weight: one product for self-attention, two for shared k/v."""
    E = q.size(-1)
    if k is v:
        if q is k:
            return linear(q, w, b).chunk(3, -1)
        w_q, w_kv = w.split([E, E * 2])
        b_q, b_kv = (None, None) if b is None else b.split([E, E * 2])
        k_proj, v_proj = linear(k, w_kv, b_kv).chunk(2, -1)
        return linear(q, w_q, b_q), k_proj, v_proj
    w_q, w_k, w_v = w.chunk(3)
    b_q, b_k, b_v = (None, None, None) if b is None else b.chunk(3)
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def _in_projection(q, k, v, w_q, w_k, w_v, b_q=None, b_k=None, b_v=None):
    Eq, Ek, Ev = q.size(-1), k.size(-1), v.size(-1)
    for name, w, shape in (("query", w_q, (Eq, Eq)), ("key", w_k, (Eq, Ek)), ("value", w_v, (Eq, Ev))):
        if tuple(w.shape) != shape:
            raise AssertionError(f"expecting {name} weights shape of {shape}, but got {w.shape}")
    for name, b in (("query", b_q), ("key", b_k), ("value", b_v)):
        if b is not None and tuple(b.shape) != (Eq,):
            raise AssertionError(f"expecting {name} bias shape of {(Eq,)}, but got {b.shape}")
    return linear(q, w_q, b_q), linear(k, w_k, b_k), linear(v, w_v, b_v)


def multi_head_attention_forward(query, key, value, embed_dim_to_check, num_heads, in_proj_weight, in_proj_bias,
                                 bias_k, bias_v, add_zero_attn, dropout_p, out_proj_weight, out_proj_bias,
                                 training=True, key_padding_mask=None, need_weights=True, attn_mask=None,
                                 use_separate_proj_weight=False, q_proj_weight=None, k_proj_weight=None,
                                 v_proj_weight=None, static_k=None, static_v=None, average_attn_weights=True,
                                 is_causal=False):
    """The computation of :class:`~ndgrad.nn.MultiheadAttention` (torch's signature and semantics).

    Shapes (batch second): query (L, N, E), key (S, N, E_k), value (S, N, E_v); unbatched inputs drop N.
    ``key_padding_mask`` (N, S) and ``attn_mask`` (L, S) or (N*num_heads, L, S): bool (True = ignore)
    or float (added). Returns ``(attn_output (L, N, E), attn_weights)`` where the weights are
    (N, L, S) averaged over heads, (N, num_heads, L, S) otherwise, or None without ``need_weights``.
    """
    is_batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not is_batched:
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    src_len = key.shape[0]
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", _none_or_dtype(attn_mask), "attn_mask",
                                       query.dtype)
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the hint is trusted: SDPA builds the causal mask itself
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", None, "", query.dtype, check_other=False)
        if key_padding_mask is not None:
            is_causal = False
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {key.shape[:2]} do not match value's "
                                 f"{value.shape[:2]}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {key.shape} does not match value shape {value.shape}")

    # input projections
    if not use_separate_proj_weight:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        q, k, v = _in_projection_packed(query, key, value, in_proj_weight, in_proj_bias)
    else:
        for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
            if w is None:
                raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")
        b_q, b_k, b_v = (None, None, None) if in_proj_bias is None else in_proj_bias.chunk(3)
        q, k, v = _in_projection(query, key, value, q_proj_weight, k_proj_weight, v_proj_weight, b_q, b_k, b_v)

    # attention mask
    if attn_mask is not None:
        if attn_mask.dim() == 2:
            if tuple(attn_mask.shape) != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.dim() == 3:
            if tuple(attn_mask.shape) != (bsz * num_heads, tgt_len, src_len):
                raise RuntimeError(f"The shape of the 3D attn_mask is {attn_mask.shape}, but should be "
                                   f"{(bsz * num_heads, tgt_len, src_len)}.")
        else:
            raise RuntimeError(f"attn_mask's dimension {attn_mask.dim()} is not supported")

    # bias_k / bias_v: one extra learned key and value
    if bias_k is not None and bias_v is not None:
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k = cat([k, bias_k.repeat(1, bsz, 1)])
        v = cat([v, bias_v.repeat(1, bsz, 1)])
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    # (len, N, E) -> (N * heads, len, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = _heads(k, static_k, bsz, num_heads, head_dim, "k")
    v = _heads(v, static_v, bsz, num_heads, head_dim, "v")

    if add_zero_attn:
        zero_attn_shape = (bsz * num_heads, 1, head_dim)
        k = cat([k, wrap(np.zeros(zero_attn_shape, dtype=k._data.dtype))], 1)
        v = cat([v, wrap(np.zeros(zero_attn_shape, dtype=v._data.dtype))], 1)
        if attn_mask is not None:
            attn_mask = pad(attn_mask, (0, 1))
        if key_padding_mask is not None:
            key_padding_mask = pad(key_padding_mask, (0, 1))

    src_len = k.size(1)
    if key_padding_mask is not None:
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        key_padding_mask = (key_padding_mask.view(bsz, 1, 1, src_len).expand(-1, num_heads, -1, -1)
                            .reshape(bsz * num_heads, 1, src_len))
        attn_mask = key_padding_mask if attn_mask is None else attn_mask + key_padding_mask

    if not training:
        dropout_p = 0.0

    if need_weights:
        E = q.shape[-1]
        q_scaled = q * math.sqrt(1.0 / float(E))
        if attn_mask is not None:
            weights = baddbmm(attn_mask, q_scaled, k.transpose(-2, -1))
        else:
            weights = bmm(q_scaled, k.transpose(-2, -1))
        weights = softmax(weights, dim=-1)
        if dropout_p > 0.0:
            weights = dropout(weights, p=dropout_p)
        attn_output = bmm(weights, v)
        attn_output = attn_output.transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        attn_output = linear(attn_output, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
        weights = weights.view(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not is_batched:
            attn_output = attn_output.squeeze(1)
            weights = weights.squeeze(0)
        return attn_output, weights

    if attn_mask is not None:
        if attn_mask.size(0) == 1 and attn_mask.dim() == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.view(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    attn_output = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    attn_output = attn_output.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    attn_output = linear(attn_output, out_proj_weight, out_proj_bias).view(tgt_len, bsz, -1)
    if not is_batched:
        attn_output = attn_output.squeeze(1)
    return attn_output, None


def _heads(x, static, bsz, num_heads, head_dim, name):
    """(len, N, E) -> (N * heads, len, head_dim), or the given static keys/values."""
    if static is None:
        return x.reshape(x.shape[0], bsz * num_heads, head_dim).transpose(0, 1)
    if static.size(0) != bsz * num_heads:
        raise AssertionError(f"expecting static_{name}.size(0) of {bsz * num_heads}, but got {static.size(0)}")
    if static.size(2) != head_dim:
        raise AssertionError(f"expecting static_{name}.size(2) of {head_dim}, but got {static.size(2)}")
    return static
