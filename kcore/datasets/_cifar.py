"""Reading the CIFAR-10/100 Python batch files (pickled dicts, read safely).

Example::

    >>> data, labels = load_batch("cifar-10-batches-py/test_batch")   # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np

from kcore.datasets._safe_pickle import load_pickle


def load_batch(fpath, label_key="labels"):
    """``(data, labels)`` of one batch file: uint8 images ``(n, 3, 32, 32)`` and a list
    of int labels."""
    with open(fpath, "rb") as handle:
        batch = load_pickle(handle, encoding="bytes")
    batch = {(k.decode("utf8") if isinstance(k, bytes) else k): v for k, v in batch.items()}
    data = np.asarray(batch["data"]).reshape(-1, 3, 32, 32)
    return data, batch[label_key]


def to_data_format(x_train: np.ndarray, x_test: np.ndarray) -> tuple:
    from kcore import config

    if config.image_data_format() == "channels_last":
        return x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    return x_train, x_test
