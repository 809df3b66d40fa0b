"""The 8x8 handwritten digits: 1,797 images in 10 classes, shipped inside kcore.

No download: the data (45 KB) is the file ``digits.npz`` next to this module, so it
works offline. It is the UCI "Optical Recognition of Handwritten Digits" test set
(E. Alpaydin and C. Kaynak, 1998; CC BY 4.0), as scikit-learn ships it
(``sklearn/datasets/data/digits.csv.gz``, BSD-3-Clause); see ``README.md`` here.
Each pixel counts the "on" pixels of a 4x4 block of a 32x32 bitmap: 0 to 16.

Example::

    >>> (x_train, y_train), (x_test, y_test) = kcore.datasets.digits.load_data()
    >>> x_train.shape, x_test.shape
    ((1437, 8, 8), (360, 8, 8))
"""

from __future__ import annotations

import os

import numpy as np

from kcore.datasets._common import check_test_split, shuffle_split

DATA_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "digits.npz")


def load_data(test_split=0.2, seed=113):
    """Load the 8x8 digits from the copy shipped with kcore.

    The samples are shuffled with ``seed`` (NumPy's RandomState, like Keras's
    loaders) and the last ``test_split`` fraction is the test set.

    Args:
        test_split: the fraction kept for the test set, in ``[0, 1)``.
        seed: the seed of the shuffle.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape ``(n, 8, 8)``
        with values 0-16, and uint8 labels 0-9.

    Example::

        >>> (x_train, y_train), _ = load_data(test_split=0.5)
        >>> int(x_train.max()), sorted(set(y_train.tolist())) == list(range(10))
        (16, True)
    """
    check_test_split(test_split)
    if not os.path.exists(DATA_FILE):
        raise FileNotFoundError(
            f"the digits data file {DATA_FILE} is missing from this kcore installation; "
            "reinstall kcore (the file is package data)"
        )
    with np.load(DATA_FILE, allow_pickle=False) as f:
        x, y = f["x"], f["y"]
    return shuffle_split(x, y, test_split, seed)
