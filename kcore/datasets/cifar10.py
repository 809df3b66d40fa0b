"""CIFAR-10: 60,000 32x32 color images in 10 classes.

Example::

    >>> (x_train, y_train), _ = kcore.datasets.cifar10.load_data()  # doctest: +SKIP
    >>> x_train.shape                                              # doctest: +SKIP
    (50000, 32, 32, 3)
"""

from __future__ import annotations

import os

import numpy as np

from kcore.datasets._cifar import load_batch, to_data_format
from kcore.utils.file_utils import get_file


def load_data():
    """Load CIFAR-10, downloading and extracting it into kcore's cache once.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(50000, 32, 32, 3)`` /
        ``(10000, 32, 32, 3)`` (channels first when ``image_data_format`` is
        ``"channels_first"``) and uint8 labels of shape ``(n, 1)`` (0 airplane,
        1 automobile, 2 bird, 3 cat, 4 deer, 5 dog, 6 frog, 7 horse, 8 ship, 9 truck).

    Example::

        >>> (x_train, y_train), (x_test, y_test) = load_data()   # doctest: +SKIP
    """
    path = get_file(
        fname="cifar-10-batches-py-target",
        origin="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
        extract=True,
        file_hash="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
    )
    path = os.path.join(path, "cifar-10-batches-py")
    x_train = np.empty((50000, 3, 32, 32), dtype="uint8")
    y_train = np.empty((50000,), dtype="uint8")
    for i in range(1, 6):
        data, labels = load_batch(os.path.join(path, f"data_batch_{i}"))
        x_train[(i - 1) * 10000 : i * 10000] = data
        y_train[(i - 1) * 10000 : i * 10000] = labels
    x_test, y_test = load_batch(os.path.join(path, "test_batch"))
    y_train = y_train.reshape(-1, 1)
    y_test = np.asarray(y_test, dtype="uint8").reshape(-1, 1)
    x_train, x_test = to_data_format(x_train, x_test.astype("uint8"))
    return (x_train, y_train), (x_test, y_test)
