"""einsum: Einstein summation over tensors, with a differentiable backward.

The equation is validated with torch's messages and normalised (spaces removed, ``...`` replaced by
spare letters, the implicit output made explicit) before NumPy's einsum runs it. The gradient of
operand i is an einsum of the output gradient with the other operands, expanded along subscripts
only operand i has and put on the diagonal for repeated subscripts; since that is einsum again, it
is differentiable to any order. Exported as ``ndgrad.einsum`` through ``ops/linalg.py``.
"""
import numpy as np

from ._core import Node, Tensor, wrap, edge, record, mode, ndarray
from .arith import tname, not_implemented_for

__all__ = ["einsum"]

# -- einsum ----------------------------------------------------------------------------------------------------
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


class EinsumBackward0(Node):
    """Gradient of operand i: einsum of the output gradient with the other operands (then expanded
    along subscripts only operand i has, and put on the diagonal for repeated subscripts)."""

    __slots__ = ("terms", "out_term", "sizes")

    def backward(self, grad):
        ops = self.saved
        if grad._data.dtype.kind == "c":  # complex: the other operands enter conjugated
            ops = [o.conj() for o in ops]
        terms, out_term = self.terms, self.out_term
        grads = []
        for i, term in enumerate(terms):
            if self.next_functions[i][0] is None:
                grads.append(None)
                continue
            others = [t for j, t in enumerate(terms) if j != i]
            elsewhere = set(out_term).union(*others) if others else set(out_term)
            uniq = "".join(dict.fromkeys(term))
            kept = "".join(c for c in uniq if c in elsewhere)
            spec = ",".join([out_term] + others) + "->" + kept
            g = _einsum_normalized(spec, [grad] + [o for j, o in enumerate(ops) if j != i])
            if kept != uniq:  # subscripts summed inside operand i only: the gradient is constant along them
                for pos, c in enumerate(uniq):
                    if c not in elsewhere:
                        g = g.unsqueeze(pos)
                g = g.expand(tuple(self.sizes[c] for c in uniq))
            if uniq != term:  # repeated subscripts (a diagonal): embed with identity matrices
                g = _embed_diagonal(g, uniq, term, self.sizes)
            grads.append(g)
        return tuple(grads)


def _embed_diagonal(g, uniq, term, sizes):
    used = set(_LETTERS) - set(uniq) - set(term)
    fresh = iter(sorted(used))
    new_term = []
    seen = set()
    deltas = []
    for c in term:
        if c in seen:
            f = next(fresh)
            new_term.append(f)
            deltas.append(c + f)
        else:
            seen.add(c)
            new_term.append(c)
    eyes = [wrap(np.eye(sizes[d[0]], dtype=g._data.dtype)) for d in deltas]
    spec = ",".join([uniq] + deltas) + "->" + "".join(new_term)
    return _einsum_normalized(spec, [g] + eyes)


def _einsum_normalized(spec, operands):
    """einsum of a validated equation without ellipsis (used by the forward and the backward)."""
    datas = [t._data for t in operands]
    lhs, out_term = spec.split("->")
    terms = lhs.split(",")
    sizes = {}
    for term, d in zip(terms, datas):
        for c, s in zip(term, d.shape):
            if s != 1 or c not in sizes:
                sizes[c] = s
    work = 1
    for s in sizes.values():
        work *= s
    # NumPy's unoptimised einsum loops over every subscript combination; past a few thousand the
    # optimised path (BLAS through tensordot) wins despite its planning cost
    data = np.einsum(spec, *datas, optimize="greedy" if work > 4096 else False)
    if data.__class__ is not ndarray:
        data = np.asarray(data)
    out = wrap(data)
    if mode.enabled and any(t._rg for t in operands):
        node = EinsumBackward0(*[edge(t) for t in operands])
        node.terms = terms
        node.out_term = out_term
        node.sizes = sizes
        node.save(*operands)
        record(node, out, *operands)
    return out


def _sublist_to_str(sub):
    parts = []
    for s in sub:
        if s is Ellipsis:
            parts.append("...")
        else:
            if not isinstance(s, int) or not 0 <= s < 52:
                raise RuntimeError(f"einsum(): expected subscript to be in range [0, 52) but got {s}")
            parts.append(_LETTERS[s])  # torch: 0..25 -> A..Z, 26..51 -> a..z
    return "".join(parts)


def _parse_einsum_args(args):
    if not args:
        raise ValueError("einsum(): must specify the equation string and at least one operand, or at least one "
                         "operand and its subscripts list")
    if isinstance(args[0], str):
        eq = args[0]
        ops = list(args[1:])
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = list(ops[0])
        return eq, ops
    # sublist format: op0, sub0, op1, sub1, ..., [out_sub]
    ops, subs = [], []
    rest = list(args)
    while len(rest) >= 2:
        ops.append(rest.pop(0))
        subs.append(_sublist_to_str(rest.pop(0)))
    eq = ",".join(subs)
    if rest:
        eq += "->" + _sublist_to_str(rest[0])
    return eq, ops


def einsum(*args):
    """Einstein summation: ``einsum("ij,jk->ik", a, b)``; operands as varargs or one list; the
    sublist form ``einsum(a, [0, 1], b, [1, 2], [0, 2])``; ``...`` broadcasts leading dimensions.

    Example:
        >>> a = ndgrad.ones(2, 3); b = ndgrad.ones(3, 4)
        >>> ndgrad.einsum("ij,jk->ik", a, b).shape
        torch.Size([2, 4])
    """
    equation, operands = _parse_einsum_args(args)
    for k, op in enumerate(operands):
        if not isinstance(op, Tensor):
            raise TypeError(f"einsum(): operands must be Tensors, got {type(op).__name__} for operand {k}")
    eq = equation.replace(" ", "")
    if "->" in eq:
        lhs, rhs = eq.split("->", 1)
    else:
        lhs, rhs = eq, None
    terms = lhs.split(",")
    if len(terms) > len(operands):
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < len(operands):
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    if not operands:
        raise ValueError("einsum(): must provide at least one operand")
    dt = operands[0]._data.dtype
    for op in operands[1:]:
        if op._data.dtype != dt:
            raise RuntimeError(f"expected scalar type {tname(dt)} but found {tname(op._data.dtype)}")
    # parse each term into letters and the ellipsis position
    pos = 0
    parsed = []
    for k, term in enumerate(terms):
        letters = []
        ell = -1
        i = 0
        while i < len(term):
            c = term[i]
            if c == ".":
                if term[i:i + 3] != "..." or ell >= 0:
                    raise RuntimeError("einsum(): found '.' for operand " f"{k} that is not part of any ellipsis")
                ell = len(letters)
                i += 3
                continue
            if c not in _LETTERS:
                raise RuntimeError(f"einsum(): invalid subscript given at index {pos + i} in the equation string, "
                                   "subscripts must be in [a-zA-Z]")
            letters.append(c)
            i += 1
        pos += len(term) + 1
        nd = operands[k]._data.ndim
        if ell < 0 and len(letters) != nd:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(letters)}) does not match "
                               f"the number of dimensions ({nd}) for operand {k} and no ellipsis was given")
        if ell >= 0 and len(letters) > nd:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({len(letters)}) is more than the "
                               f"number of dimensions ({nd}) for operand {k}")
        parsed.append((letters, ell))
    used = set(c for letters, _ in parsed for c in letters)
    if rhs is not None:
        used |= set(c for c in rhs if c in _LETTERS)
    n_ell = max([operands[k]._data.ndim - len(l) for k, (l, e) in enumerate(parsed) if e >= 0] or [0])
    spare = [c for c in _LETTERS if c not in used]
    ell_letters = spare[:n_ell]
    norm_terms = []
    for k, (letters, ell) in enumerate(parsed):
        if ell >= 0:
            e = operands[k]._data.ndim - len(letters)
            letters = letters[:ell] + ell_letters[n_ell - e:] + letters[ell:]
        norm_terms.append("".join(letters))
    # sizes: equal, or 1 (broadcast)
    sizes = {}
    for k, term in enumerate(norm_terms):
        shape = operands[k]._data.shape
        local = {}
        for c, s in zip(term, shape):
            if c in local and local[c] != s:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't match, "
                                   f"{s} != {local[c]}")
            local[c] = s
            if c in ell_letters:
                prev = sizes.get(c, 1)
                if s != 1 and prev != 1 and s != prev:
                    raise RuntimeError(f"einsum(): dimension {ell_letters.index(c)} covered by ellipsis in operand "
                                       f"{k}has size {s} which does not broadcast with previously seen ellipsis with "
                                       f"size {prev} for the respective dimension")
            elif c in sizes and s != 1 and sizes[c] != 1 and sizes[c] != s:
                raise RuntimeError(f"einsum(): subscript {c} has size {s} for operand {k} which does not broadcast "
                                   f"with previously seen size {sizes[c]}")
            if s != 1 or c not in sizes:
                sizes[c] = s
    # output subscripts
    if rhs is None:
        counts = {}
        for term in norm_terms:
            for c in term:
                if c not in ell_letters:
                    counts[c] = counts.get(c, 0) + 1
        out_term = "".join(ell_letters) + "".join(c for c in _LETTERS if counts.get(c) == 1)
    else:
        out = []
        i = 0
        seen_ell = False
        while i < len(rhs):
            c = rhs[i]
            if c == ".":
                if rhs[i:i + 3] != "..." or seen_ell:
                    raise RuntimeError("einsum(): found '.' for output that is not part of any ellipsis (...)")
                out.extend(ell_letters)
                seen_ell = True
                i += 3
                continue
            if c not in _LETTERS:
                raise RuntimeError(f"einsum(): invalid subscript given at index {len(lhs) + 2 + i} in the equation "
                                   "string, subscripts must be in [a-zA-Z]")
            if c in out:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            if c not in sizes:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                                   "operand")
            out.append(c)
            i += 1
        out_term = "".join(out)
    if dt == np.bool_:
        raise not_implemented_for("bmm", dt)
    return _einsum_normalized(",".join(norm_terms) + "->" + out_term, operands)
