"""Boston housing prices: 506 samples of 13 attributes and a median home value.

Example::

    >>> (x_train, y_train), _ = kcore.datasets.boston_housing.load_data()  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np

from kcore.datasets._common import KERAS_DATASETS, check_test_split, shuffle_split
from kcore.utils.file_utils import get_file


def load_data(path="boston_housing.npz", test_split=0.2, seed=113):
    """Load the Boston housing data, downloading it into kcore's cache once.

    Args:
        path: the file's name in the cache.
        test_split: the fraction kept for the test set.
        seed: the seed of the shuffle before splitting.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float arrays ``(n, 13)`` and the
        median values in k$ ``(n,)``.

    Example::

        >>> (x_train, y_train), (x_test, y_test) = load_data()   # doctest: +SKIP
    """
    check_test_split(test_split)
    path = get_file(
        path,
        origin=f"{KERAS_DATASETS}boston_housing.npz",
        file_hash="f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5",
    )
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    return shuffle_split(x, y, test_split, seed)
