"""Fashion-MNIST: 70,000 28x28 grayscale images of 10 kinds of clothing.

Example::

    >>> (x_train, y_train), _ = kcore.datasets.fashion_mnist.load_data()  # doctest: +SKIP
"""

from __future__ import annotations

import gzip
import os

import numpy as np

from kcore.datasets._common import KERAS_DATASETS
from kcore.utils.file_utils import get_file

_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)


def load_data():
    """Load Fashion-MNIST, downloading its four files into kcore's cache once.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images ``(60000, 28, 28)`` /
        ``(10000, 28, 28)`` and uint8 labels 0-9 (0 T-shirt/top, 1 trouser, 2 pullover,
        3 dress, 4 coat, 5 sandal, 6 shirt, 7 sneaker, 8 bag, 9 ankle boot).

    License: Zalando SE holds the copyright; Fashion-MNIST is under the MIT license.

    Example::

        >>> (x_train, y_train), (x_test, y_test) = load_data()   # doctest: +SKIP
    """
    folder = os.path.join("datasets", "fashion-mnist")
    paths = [get_file(name, origin=KERAS_DATASETS + name, cache_subdir=folder) for name in _FILES]
    with gzip.open(paths[0], "rb") as f:
        y_train = np.frombuffer(f.read(), np.uint8, offset=8)
    with gzip.open(paths[1], "rb") as f:
        x_train = np.frombuffer(f.read(), np.uint8, offset=16).reshape(len(y_train), 28, 28)
    with gzip.open(paths[2], "rb") as f:
        y_test = np.frombuffer(f.read(), np.uint8, offset=8)
    with gzip.open(paths[3], "rb") as f:
        x_test = np.frombuffer(f.read(), np.uint8, offset=16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
