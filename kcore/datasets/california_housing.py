"""California housing prices: 20,640 districts, 8 attributes, a median house value.

Example::

    >>> (x_train, y_train), _ = california_housing.load_data("small")  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np

from kcore.datasets._common import KERAS_DATASETS, check_test_split, shuffle_split
from kcore.utils.file_utils import get_file


def load_data(version="large", path="california_housing.npz", test_split=0.2, seed=113):
    """Load the California housing data, downloading it into kcore's cache once.

    Args:
        version: ``"large"`` (all 20,640 districts) or ``"small"`` (the first 600).
        path: the file's name in the cache.
        test_split: the fraction kept for the test set.
        seed: the seed of the shuffle before splitting.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: float arrays ``(n, 8)`` and median
        house values in dollars ``(n,)``.

    Example::

        >>> (x_train, y_train), (x_test, y_test) = load_data(version="small")  # doctest: +SKIP
    """
    check_test_split(test_split)
    if version not in ("large", "small"):
        raise ValueError(f"version must be 'large' or 'small', received {version!r}")
    path = get_file(
        path,
        origin=f"{KERAS_DATASETS}california_housing.npz",
        file_hash="1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f",
    )
    with np.load(path, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    if version == "small":
        x, y = x[:600], y[:600]
    return shuffle_split(x, y, test_split, seed)
