"""Reuters newswires: 11,228 news items as word-index sequences in 46 topics.

Example::

    >>> (x_train, y_train), _ = kcore.datasets.reuters.load_data(num_words=10000)  # doctest: +SKIP
"""

from __future__ import annotations

import json

import numpy as np

from kcore.datasets._common import KERAS_DATASETS, check_test_split
from kcore.datasets._safe_pickle import load_npz
from kcore.datasets._sequences import limit_vocabulary, reindex, remove_long_seq
from kcore.utils.file_utils import get_file

_LABELS = (
    "cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing",
    "money-supply", "coffee", "sugar", "trade", "reserves", "ship", "cotton", "carcass",
    "crude", "nat-gas", "cpi", "money-fx", "interest", "gnp", "meal-feed", "alum",
    "oilseed", "gold", "tin", "strategic-metal", "livestock", "retail", "ipi",
    "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
    "dlr", "gas", "silver", "wpi", "hog", "lead",
)  # fmt: skip


def load_data(
    path="reuters.npz",
    num_words=None,
    skip_top=0,
    maxlen=None,
    test_split=0.2,
    seed=113,
    start_char=1,
    oov_char=2,
    index_from=3,
):
    """Load the Reuters newswires, downloading them into kcore's cache once.

    The sequences are encoded as in :func:`kcore.datasets.imdb.load_data`.

    Args:
        path: the file's name in the cache.
        num_words: keep the ``num_words`` most frequent words.
        skip_top: also drop the ``skip_top`` most frequent words.
        maxlen: drop items of ``maxlen`` words or more.
        test_split: the fraction kept for the test set.
        seed: the seed of the shuffle.
        start_char: the index that starts every item (``None``: none).
        oov_char: the index of dropped words (``None``: remove them).
        index_from: the offset added to every word index.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: object arrays of lists of ints and
        int topic labels 0-45 (names: :func:`get_label_names`).

    Example::

        >>> (x_train, y_train), (x_test, y_test) = load_data(num_words=10000)  # doctest: +SKIP
    """
    check_test_split(test_split)
    path = get_file(
        path,
        origin=f"{KERAS_DATASETS}reuters.npz",
        file_hash="d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916",
    )
    arrays = load_npz(path)
    xs, labels = arrays["x"], arrays["y"]
    order = np.arange(len(xs))
    np.random.RandomState(seed).shuffle(order)
    xs, labels = xs[order], labels[order]
    xs = reindex(xs, start_char, index_from)
    if maxlen:
        xs, labels = remove_long_seq(maxlen, xs, labels)
    xs = limit_vocabulary(xs, num_words, skip_top, oov_char)
    cut = int(len(xs) * (1 - test_split))
    x_train, y_train = np.array(xs[:cut], dtype="object"), np.array(labels[:cut])
    x_test, y_test = np.array(xs[cut:], dtype="object"), np.array(labels[cut:])
    return (x_train, y_train), (x_test, y_test)


def get_word_index(path="reuters_word_index.json"):
    """The dict of word to index of the Reuters dataset (before ``index_from``).

    Example::

        >>> get_word_index()["the"]   # doctest: +SKIP
        1
    """
    path = get_file(
        path,
        origin=f"{KERAS_DATASETS}reuters_word_index.json",
        file_hash="4d44cc38712099c9e383dc6e5f11a921",
    )
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def get_label_names():
    """The 46 topic names, in label order.

    Example::

        >>> get_label_names()[3]
        'earn'
    """
    return _LABELS
