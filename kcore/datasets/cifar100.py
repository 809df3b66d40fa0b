"""CIFAR-100: 60,000 32x32 color images in 100 fine (20 coarse) classes.

Example::

    >>> (x_train, y_train), _ = kcore.datasets.cifar100.load_data("coarse")  # doctest: +SKIP
"""

from __future__ import annotations

import os

import numpy as np

from kcore.datasets._cifar import load_batch, to_data_format
from kcore.utils.file_utils import get_file


def load_data(label_mode="fine"):
    """Load CIFAR-100, downloading and extracting it into kcore's cache once.

    Args:
        label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 superclasses).

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(50000, 32, 32, 3)`` /
        ``(10000, 32, 32, 3)`` and int labels of shape ``(n, 1)``.

    Example::

        >>> (x_train, y_train), (x_test, y_test) = load_data()   # doctest: +SKIP
    """
    if label_mode not in ("fine", "coarse"):
        raise ValueError(f"label_mode must be 'fine' or 'coarse', received {label_mode!r}")
    path = get_file(
        fname="cifar-100-python-target",
        origin="https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz",
        extract=True,
        file_hash="85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7",
    )
    path = os.path.join(path, "cifar-100-python")
    x_train, y_train = load_batch(os.path.join(path, "train"), label_key=f"{label_mode}_labels")
    x_test, y_test = load_batch(os.path.join(path, "test"), label_key=f"{label_mode}_labels")
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    x_train, x_test = to_data_format(x_train, x_test)
    return (x_train, y_train), (x_test, y_test)
