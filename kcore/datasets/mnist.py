"""MNIST: 70,000 28x28 grayscale images of handwritten digits (Keras's copy).

Example::

    >>> (x_train, y_train), (x_test, y_test) = kcore.datasets.mnist.load_data()  # doctest: +SKIP
    >>> x_train.shape                                                          # doctest: +SKIP
    (60000, 28, 28)
"""

from __future__ import annotations

import numpy as np

from kcore.datasets._common import KERAS_DATASETS
from kcore.utils.file_utils import get_file


def load_data(path="mnist.npz"):
    """Load MNIST, downloading it into kcore's cache (``~/.kcore/datasets``) once.

    Args:
        path: the file's name in the cache.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape
        ``(60000, 28, 28)`` / ``(10000, 28, 28)`` and uint8 labels 0-9.

    License: Yann LeCun and Corinna Cortes hold the copyright of MNIST, a derivative
    of NIST's datasets, made available under CC BY-SA 3.0.

    Example::

        >>> (x_train, y_train), _ = load_data()   # doctest: +SKIP
    """
    path = get_file(
        fname=path,
        origin=f"{KERAS_DATASETS}mnist.npz",
        file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    )
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])
