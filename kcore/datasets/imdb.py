"""IMDB: 50,000 movie reviews as word-index sequences, labelled positive or negative.

Example::

    >>> (x_train, y_train), _ = kcore.datasets.imdb.load_data(num_words=10000)  # doctest: +SKIP
"""

from __future__ import annotations

import json

import numpy as np

from kcore.datasets._common import KERAS_DATASETS
from kcore.datasets._safe_pickle import load_npz
from kcore.datasets._sequences import limit_vocabulary, reindex, remove_long_seq
from kcore.utils.file_utils import get_file


def load_data(
    path="imdb.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
    **kwargs,
):
    """Load the IMDB reviews, downloading them into kcore's cache once.

    Words are indexed by frequency (index 1 the most frequent); indices are shifted
    by ``index_from``, 0 is padding, ``start_char`` starts a review and ``oov_char``
    stands for a word cut by ``num_words`` or ``skip_top``.

    Args:
        path: the file's name in the cache.
        num_words: keep the ``num_words`` most frequent words.
        skip_top: also drop the ``skip_top`` most frequent words.
        maxlen: drop reviews of ``maxlen`` words or more.
        seed: the seed of the shuffle.
        start_char: the index that starts every review (``None``: none).
        oov_char: the index of dropped words (``None``: remove them).
        index_from: the offset added to every word index.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: object arrays of lists of ints and
        int labels (1 positive), 25,000 reviews each.

    Example::

        >>> (x_train, y_train), (x_test, y_test) = load_data(num_words=5000)  # doctest: +SKIP
    """
    if kwargs:
        raise TypeError(f"imdb.load_data: unexpected keyword arguments {sorted(kwargs)}")
    path = get_file(
        fname=path,
        origin=f"{KERAS_DATASETS}imdb.npz",
        file_hash="69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f",
    )
    arrays = load_npz(path)
    x_train, labels_train = arrays["x_train"], arrays["y_train"]
    x_test, labels_test = arrays["x_test"], arrays["y_test"]
    rng = np.random.RandomState(seed)
    order = np.arange(len(x_train))
    rng.shuffle(order)
    x_train, labels_train = x_train[order], labels_train[order]
    order = np.arange(len(x_test))
    rng.shuffle(order)
    x_test, labels_test = x_test[order], labels_test[order]
    x_train = reindex(x_train, start_char, index_from)
    x_test = reindex(x_test, start_char, index_from)
    if maxlen:
        x_train, labels_train = remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(
                f"imdb.load_data: no review is shorter than maxlen={maxlen}; raise maxlen"
            )
    sequences = limit_vocabulary(x_train + x_test, num_words, skip_top, oov_char)
    labels = np.concatenate([labels_train, labels_test])
    cut = len(x_train)
    x_train = np.array(sequences[:cut], dtype="object")
    x_test = np.array(sequences[cut:], dtype="object")
    return (x_train, labels[:cut]), (x_test, labels[cut:])


def get_word_index(path="imdb_word_index.json"):
    """The dict of word to index of the IMDB dataset (before ``index_from`` is added).

    Example::

        >>> index = get_word_index()   # doctest: +SKIP
        >>> index["the"]               # doctest: +SKIP
        1
    """
    path = get_file(
        fname=path,
        origin=f"{KERAS_DATASETS}imdb_word_index.json",
        file_hash="bfafd718b763782e994055a2d397834f",
    )
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)
