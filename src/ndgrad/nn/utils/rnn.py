"""Variable-length sequences for the recurrent layers (torch.nn.utils.rnn): ``PackedSequence`` and
the functions that pack, pad and unpack.

A packed batch stores the time steps one after the other, each holding only the sequences still
running at that step: with the batch sorted by decreasing length, step ``t`` is the first
``batch_sizes[t]`` sequences. ``sorted_indices`` / ``unsorted_indices`` remember the sort when the
caller's batch was not already in that order (``enforce_sorted=False``).

Everything here is written with differentiable ndgrad ops, so gradients flow from a packed output
back to the padded input.

Example:
    >>> from ndgrad.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
    >>> x = ndgrad.randn(5, 3, 8)                       # (T, B, features), lengths 5, 3 and 2
    >>> packed = pack_padded_sequence(x, [5, 3, 2])
    >>> out, h = nn.GRU(8, 16)(packed)
    >>> padded, lengths = pad_packed_sequence(out)      # (5, 3, 16), tensor([5, 3, 2])
"""
from collections import namedtuple

import numpy as np

from ..._tensor import Tensor
from ...ops.creation import full, tensor
from ...ops.joining import cat, stack

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "unpad_sequence",
           "pack_sequence", "unpack_sequence", "invert_permutation"]


class PackedSequence(namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """A batch of variable-length sequences packed time step by time step (see the module doc).
    Build it with :func:`pack_padded_sequence` or :func:`pack_sequence`, not directly."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            raise RuntimeError("PackedSequence needs batch_sizes: use pack_padded_sequence or pack_sequence")
        return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)

    def _with_data(self, data):
        if data is self.data:
            return self
        return type(self)(data, self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs):
        return self._with_data(self.data.to(*args, **kwargs))

    def float(self):
        return self._with_data(self.data.float())

    def double(self):
        return self._with_data(self.data.double())

    def cpu(self, *args, **kwargs):
        return self

    @property
    def is_cuda(self):
        return False

    def is_pinned(self):
        return False


def invert_permutation(permutation):
    """The permutation that undoes ``permutation`` (None stays None)."""
    if permutation is None:
        return None
    p = np.asarray(permutation._data)
    inv = np.empty_like(p)
    inv[p] = np.arange(p.size, dtype=p.dtype)
    return tensor(inv)


def _lengths_list(lengths):
    if isinstance(lengths, Tensor):
        if lengths.dim() != 1:
            raise RuntimeError(f"'lengths' argument should be a 1D tensor, but got a {lengths.dim()}D tensor")
        return [int(v) for v in lengths._data.tolist()]
    return [int(v) for v in lengths]


def _batch_sizes(sorted_lengths):
    """Sequences still running at each time step, for lengths in decreasing order."""
    lengths = np.asarray(sorted_lengths, dtype=np.int64)
    steps = np.arange(int(lengths[0]) if lengths.size else 0)
    return (lengths[None, :] > steps[:, None]).sum(1)


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch ``input`` (T, B, *) ((B, T, *) with ``batch_first``) whose sequences have
    the given ``lengths``. With ``enforce_sorted`` the lengths must already decrease; otherwise the
    batch is sorted here and the permutation kept in the result."""
    lens = _lengths_list(lengths)
    if enforce_sorted:
        if any(a < b for a, b in zip(lens, lens[1:])):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass "
                "`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this requirement "
                "if you do not need ONNX exportability.")
        sorted_indices = None
        order = list(range(len(lens)))
    else:
        order = sorted(range(len(lens)), key=lambda i: -lens[i])   # stable, as torch's sort
        sorted_indices = tensor(order)
    if any(n <= 0 for n in lens):
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' "
                           "that is <= 0")
    x = input.transpose(0, 1) if batch_first else input
    if len(lens) != x.shape[1]:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {len(lens)} (batch_size="
                           f"{x.shape[1]})")
    if sorted_indices is not None:
        x = x.index_select(1, sorted_indices)
    sizes = _batch_sizes([lens[i] for i in order])
    if len(sizes) > x.shape[0]:
        raise RuntimeError(f"Expected sequence length to be at most the padded length {x.shape[0]}, but got "
                           f"{len(sizes)}")
    data = cat([x[t, :int(n)] for t, n in enumerate(sizes)], 0)
    return PackedSequence(data, tensor(sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo :func:`pack_padded_sequence`: returns ``(padded, lengths)``, ``padded`` (T, B, *)
    ((B, T, *) with ``batch_first``) in the caller's original batch order, filled with
    ``padding_value`` after each sequence's end; ``total_length`` pads T further."""
    data, sizes = sequence.data, [int(v) for v in sequence.batch_sizes._data.tolist()]
    max_batch = sizes[0] if sizes else 0
    n_steps = len(sizes)
    if total_length is not None:
        if total_length < n_steps:
            raise ValueError(f"Expected total_length to be at least the length of the longest sequence in input, "
                             f"but got total_length={total_length} and max sequence length being {n_steps}")
    else:
        total_length = n_steps
    feature = tuple(data.shape[1:])
    steps, start = [], 0
    for n in sizes:
        piece = data[start:start + n]
        if n < max_batch:
            piece = cat([piece, full((max_batch - n,) + feature, padding_value, dtype=data.dtype)], 0)
        steps.append(piece)
        start += n
    if total_length > n_steps:
        steps += [full((max_batch,) + feature, padding_value, dtype=data.dtype)] * (total_length - n_steps)
    padded = stack(steps, 0)
    lengths = np.asarray([sum(1 for n in sizes if n > b) for b in range(max_batch)], dtype=np.int64)
    if sequence.unsorted_indices is not None:
        padded = padded.index_select(1, sequence.unsorted_indices)
        lengths = lengths[np.asarray(sequence.unsorted_indices._data)]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, tensor(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack tensors of shapes (L_i, *) into (L_max, B, *) ((B, L_max, *) with ``batch_first``),
    padding each on the ``padding_side`` ("right" or "left") with ``padding_value``."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    longest = max(s.shape[0] for s in sequences)
    rows = []
    for s in sequences:
        missing = longest - s.shape[0]
        if missing:
            pad = full((missing,) + tuple(s.shape[1:]), padding_value, dtype=s.dtype)
            s = cat([s, pad] if padding_side == "right" else [pad, s], 0)
        rows.append(s)
    return stack(rows, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into its sequences, ``lengths[i]`` steps each."""
    x = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [x[i, :n] for i, n in enumerate(_lengths_list(lengths))]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of tensors (L_i, *) (decreasing lengths unless ``enforce_sorted=False``)."""
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """The list of sequences a PackedSequence holds, in the original batch order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
