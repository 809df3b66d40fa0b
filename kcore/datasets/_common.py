"""Shared by the dataset loaders: the download location and the train/test split.

Example::

    >>> (x_tr, y_tr), (x_te, y_te) = shuffle_split(np.arange(10), np.arange(10), 0.2, 113)
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Where Keras's dataset files are served from.
KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def check_test_split(test_split: Any) -> None:
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split must be a fraction in [0, 1), received {test_split}")


def shuffle_split(x: np.ndarray, y: np.ndarray, test_split: float, seed: int) -> tuple:
    """Shuffle ``x`` and ``y`` together with ``seed`` (NumPy's RandomState, as Keras
    does) and cut off the last ``test_split`` fraction as the test set."""
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    cut = int(len(x) * (1 - test_split))
    return (np.array(x[:cut]), np.array(y[:cut])), (np.array(x[cut:]), np.array(y[cut:]))
