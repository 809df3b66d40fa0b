"""``pad_sequences``: a list of variable-length sequences as one padded NumPy array.

Example::

    >>> kcore.utils.pad_sequences([[1, 2, 3], [4]], maxlen=2)
    array([[2, 3],
           [0, 4]], dtype=int32)
"""

from __future__ import annotations

import numpy as np


def pad_sequences(
    sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0
):
    """Pad (or truncate) every sequence to the same length.

    Args:
        sequences: a list of sequences (lists or arrays; the items may themselves be
            arrays, which become trailing axes).
        maxlen: the output length; default the longest sequence's length.
        dtype: the output dtype (``object`` or a string dtype for string items).
        padding: ``"pre"`` or ``"post"``: where the padding goes.
        truncating: ``"pre"`` or ``"post"``: which end of a longer sequence is dropped.
        value: the padding value.

    Returns:
        A NumPy array of shape ``(len(sequences), maxlen) + item_shape``.

    Example::

        >>> pad_sequences([[1, 2, 3], [4]], padding="post", value=-1)
        array([[ 1,  2,  3],
               [ 4, -1, -1]], dtype=int32)
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError(
            f"pad_sequences expects a list of sequences, received {type(sequences).__name__}"
        )
    for name, option in (("padding", padding), ("truncating", truncating)):
        if option not in ("pre", "post"):
            raise ValueError(f"pad_sequences: {name} must be 'pre' or 'post', received {option!r}")
    lengths = []
    item_shape = None
    for index, sequence in enumerate(sequences):
        try:
            lengths.append(len(sequence))
        except TypeError:
            raise ValueError(
                f"pad_sequences expects every item to be a sequence; item {index} is "
                f"{sequence!r} of type {type(sequence).__name__}"
            ) from None
        if item_shape is None and len(sequence):
            item_shape = np.asarray(sequence).shape[1:]
    item_shape = item_shape if item_shape is not None else ()
    if maxlen is None:
        maxlen = max(lengths, default=0)
    is_text = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.object_)
    if isinstance(value, str) and dtype is not object and not is_text:
        raise ValueError(
            f"pad_sequences: dtype {dtype!r} cannot hold the padding value {value!r}; "
            "pass dtype=object or a string dtype for string items"
        )
    out = np.full((len(sequences), maxlen) + tuple(item_shape), value, dtype=dtype)
    for index, sequence in enumerate(sequences):
        if not len(sequence) or not maxlen:
            continue
        kept = sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen]
        kept = np.asarray(kept, dtype=dtype)
        if kept.shape[1:] != tuple(item_shape):
            raise ValueError(
                f"pad_sequences: item {index} has elements of shape {kept.shape[1:]}, "
                f"expected {tuple(item_shape)} like the first non-empty sequence"
            )
        if padding == "post":
            out[index, : len(kept)] = kept
        else:
            out[index, maxlen - len(kept) :] = kept
    return out
