"""``to_categorical`` and ``normalize``: one-hot labels and Lp-normalized arrays.

Example::

    >>> kcore.utils.to_categorical([0, 2], num_classes=3)
    array([[1., 0., 0.],
           [0., 0., 1.]])
"""

from __future__ import annotations

from typing import Any

import numpy as np


def _is_backend_tensor(x: Any) -> bool:
    if isinstance(x, np.ndarray | list | tuple | int | float | np.generic):
        return False
    from kcore import ops

    return bool(ops.is_tensor(x))


def to_categorical(x, num_classes=None):
    """One-hot encode integer class labels.

    A trailing axis of size 1 is dropped first (labels of shape ``(n, 1)`` give
    ``(n, num_classes)``). NumPy input (or a list) gives a NumPy ``float64`` array, as
    in Keras; a backend tensor gives a backend tensor (through ``ops.one_hot``).

    Args:
        x: integer labels in ``[0, num_classes)``.
        num_classes: the number of classes; default ``max(x) + 1``.

    Example::

        >>> to_categorical([[1], [0]])
        array([[0., 1.],
               [1., 0.]])
    """
    if _is_backend_tensor(x):
        from kcore import ops

        shape = tuple(ops.shape(x))
        if len(shape) > 1 and shape[-1] == 1:
            x = ops.reshape(x, shape[:-1])
        if num_classes is None:
            num_classes = int(ops.convert_to_numpy(ops.max(x))) + 1
        return ops.one_hot(x, num_classes)
    labels = np.asarray(x)
    if labels.dtype.kind == "f":
        if not np.all(labels == np.round(labels)):
            raise ValueError(
                "to_categorical expects integer class labels, received non-integer "
                f"values such as {labels[labels != np.round(labels)].flat[0]}"
            )
    elif labels.dtype.kind not in "iub":
        raise ValueError(
            "to_categorical expects integer class labels, received an array of dtype "
            f"{labels.dtype}"
        )
    labels = labels.astype("int64")
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    labels = labels.reshape(-1)
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(
            f"to_categorical expects labels in [0, {num_classes}) for num_classes="
            f"{num_classes}, received labels from {labels.min()} to {labels.max()}"
        )
    categorical = np.zeros((labels.size, num_classes))
    categorical[np.arange(labels.size), labels] = 1
    return categorical.reshape(shape + (num_classes,))


def normalize(x, axis=-1, order=2):
    """Scale ``x`` to unit Lp norm along ``axis`` (rows of norm 0 are left at 0).

    NumPy input gives a NumPy array; a backend tensor gives a backend tensor.

    Args:
        x: the array to normalize.
        axis: the axis along which to take the norm.
        order: the norm's order (2 for L2, 1 for L1...).

    Example::

        >>> normalize(np.array([[3.0, 4.0]]))
        array([[0.6, 0.8]])
    """
    if _is_backend_tensor(x):
        from kcore import ops

        if order == 2:
            return ops.normalize(x, axis=axis, order=2)
        norm = ops.norm(x, ord=order, axis=axis, keepdims=True)
        norm = ops.where(ops.equal(norm, 0), ops.ones_like(norm), norm)
        return ops.divide(x, norm)
    x = np.asarray(x)
    if x.dtype.kind in "iub":
        x = x.astype("float64")
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)
