"""Shared by the IMDB and Reuters loaders: word-index sequences, re-indexed and cut.

Example::

    >>> reindex([[5, 9]], start_char=1, index_from=3)
    [[1, 8, 12]]
"""

from __future__ import annotations

from typing import Any


def reindex(sequences: Any, start_char: Any, index_from: int) -> list[list[int]]:
    """Shift word indices by ``index_from`` and prepend ``start_char`` (when not None)."""
    if start_char is not None:
        return [[start_char] + [w + index_from for w in s] for s in sequences]
    if index_from:
        return [[w + index_from for w in s] for s in sequences]
    return [list(s) for s in sequences]


def remove_long_seq(maxlen: int, seq: list, label: Any) -> tuple[list, list]:
    """Drop the sequences longer than ``maxlen`` (and their labels)."""
    kept = [(s, y) for s, y in zip(seq, label, strict=True) if len(s) < maxlen]
    return [s for s, _ in kept], [y for _, y in kept]


def limit_vocabulary(sequences: list, num_words: Any, skip_top: int, oov_char: Any) -> list:
    """Replace (or drop, when ``oov_char`` is None) words outside ``[skip_top, num_words)``."""
    if not num_words:
        num_words = max(max(s) for s in sequences if s)
    if oov_char is not None:
        return [[w if skip_top <= w < num_words else oov_char for w in s] for s in sequences]
    return [[w for w in s if skip_top <= w < num_words] for s in sequences]
