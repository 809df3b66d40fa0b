"""Helpers on training batches, shared by the data adapters and the trainer: packing and
unpacking ``(x, y, sample_weight)``, the ``validation_split`` of ``fit`` and turning
``class_weight`` into sample weights.

Example::

    >>> x, y, sw = unpack_x_y_sample_weight((np.zeros((2, 3)), np.ones(2)))
    >>> sw is None
    True
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kcore import config, tree
from kcore.trainers.data_adapters import array_conversion


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """Unpack a batch into ``(x, y, sample_weight)``, ``None`` for what it lacks.

    ``data`` is ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` (a list is
    read as a tuple). Use it in an overridden ``train_step``/``test_step``/``predict_step``.

    Example::

        >>> x, y, sample_weight = unpack_x_y_sample_weight((np.ones((2, 1)), np.zeros(2)))
        >>> y.shape, sample_weight
        ((2,), None)
    """
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return (data, None, None)
    if len(data) == 1:
        return (data[0], None, None)
    if len(data) == 2:
        return (data[0], data[1], None)
    if len(data) == 3:
        return (data[0], data[1], data[2])
    raise ValueError(
        "Expected data in the format `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`; "
        f"received a tuple of {len(data)} elements: {str(data)[:200]}. Pack several inputs "
        "or targets in a list or dict inside `x` or `y`."
    )


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """Pack ``x``, ``y`` and ``sample_weight`` in the tuple format ``fit`` uses.

    A single ``x`` that is not a list or tuple is returned as it is (nothing is
    ambiguous then); a list or tuple ``x`` alone becomes ``(x,)``.

    Example::

        >>> data = pack_x_y_sample_weight(np.ones((2, 1)), np.zeros(2))
        >>> isinstance(data, tuple), len(data)
        (True, 2)
    """
    if y is None:
        if not isinstance(x, (tuple, list)):
            return x
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def train_validation_split(arrays: Any, validation_split: float) -> tuple[Any, Any]:
    """Split ``arrays`` (a structure of arrays, e.g. ``(x, y, sample_weight)``) into
    ``(train_arrays, validation_arrays)``: the last ``validation_split`` fraction of the
    samples becomes validation data, in order, without shuffling (as in Keras).

    ``None`` leaves stay ``None`` in both parts. Tensors are sliced as they are (a torch
    tensor stays a torch tensor); lists of numbers become NumPy arrays. Inputs that
    cannot be sliced (a generator, a dataset) get an error.

    Example::

        >>> (x_train, y_train), (x_val, y_val) = train_validation_split(
        ...     (np.arange(10), np.arange(10)), validation_split=0.2)
        >>> x_train.tolist(), x_val.tolist()
        ([0, 1, 2, 3, 4, 5, 6, 7], [8, 9])
    """
    if not 0.0 < validation_split < 1.0:
        raise ValueError(
            "Expected `validation_split` to be a float strictly between 0 and 1, "
            f"received {validation_split!r}."
        )
    arrays = array_conversion.numbers_to_arrays(arrays)
    leaves = tree.flatten(arrays)
    unsplittable = sorted(
        {
            type(t).__name__
            for t in leaves
            if t is not None and not array_conversion.is_array_like(t)
        }
    )
    if unsplittable:
        raise ValueError(
            "`validation_split` is only supported for arrays and tensors (NumPy, pandas, "
            f"jax, torch, TensorFlow); received inputs of type {', '.join(unsplittable)}. "
            "Pass `validation_data` instead, or split the dataset yourself."
        )
    present = [t for t in leaves if t is not None]
    if not present:
        return arrays, arrays
    num_samples = int(present[0].shape[0])
    split_at = int(math.floor(num_samples * (1.0 - validation_split)))
    if split_at == 0 or split_at == num_samples:
        raise ValueError(
            f"Training data contains {num_samples} samples, which is not enough to split "
            f"into a training and a validation set with `validation_split={validation_split}`"
            f" (the split would leave {split_at} training samples). Provide more data or "
            "another `validation_split`."
        )

    def cut(t: Any, start: int, stop: int) -> Any:
        if t is None:
            return None
        if array_conversion.is_pandas_frame(t) or array_conversion.is_pandas_series(t):
            return t.iloc[start:stop]
        if not hasattr(t, "__getitem__"):  # a tensor without slicing (OpenVINO's)
            t = array_conversion.to_numpy(t)
        return t[start:stop]

    train = tree.map_structure(lambda t: cut(t, 0, split_at), arrays)
    validation = tree.map_structure(lambda t: cut(t, split_at, num_samples), arrays)
    return train, validation


def class_weight_to_sample_weights(y: Any, class_weight: dict) -> np.ndarray:
    """One weight per sample of ``y``, looked up in ``class_weight`` (class index to
    weight; classes it does not name weigh 1.0), as a ``floatx`` NumPy array.

    ``y`` holds class indices ``(n,)`` or ``(n, 1)`` (rounded to integers), or one-hot
    / probability rows ``(n, classes)`` (the argmax is the class).

    Example::

        >>> class_weight_to_sample_weights(np.array([0, 1, 1, 2]), {1: 5.0}).tolist()
        [1.0, 5.0, 5.0, 1.0]
    """
    if not isinstance(class_weight, dict):
        raise ValueError(
            "Expected `class_weight` to be a dict mapping class indices to weights, "
            f"received {type(class_weight).__name__}: {class_weight!r}."
        )
    labels = array_conversion.to_numpy(y)
    if labels.ndim == 0:
        raise ValueError(
            "Expected `y` with one label per sample to apply `class_weight`; received a "
            f"scalar {labels!r}."
        )
    if labels.ndim > 1:
        labels = np.argmax(labels, axis=-1) if labels.shape[-1] != 1 else labels[..., 0]
    classes = np.round(labels).astype("int64").reshape(labels.shape[0], -1)[:, 0]
    weights = np.ones(classes.shape[0], dtype=config.floatx())
    for cls, weight in class_weight.items():
        weights[classes == int(cls)] = weight
    return weights


def add_class_weights(batch: Any, class_weight: dict) -> tuple[Any, Any, Any]:
    """``(x, y, sample_weight)`` for a batch ``(x, y)``, the sample weights computed from
    ``class_weight``; an error when the batch already has sample weights, has no
    targets, or has several outputs.

    Example::

        >>> x, y, sw = add_class_weights((np.zeros((2, 1)), np.array([0, 1])), {0: 2.0})
        >>> sw.tolist()
        [2.0, 1.0]
    """
    x, y, sample_weight = unpack_x_y_sample_weight(batch)
    if sample_weight is not None:
        raise ValueError(
            "You cannot use `class_weight` and `sample_weight` at the same time: the batch "
            "already carries sample weights. Drop one of them."
        )
    if y is None:
        raise ValueError(
            "`class_weight` needs targets: expected batches `(x, y)`, received batches "
            "with inputs only."
        )
    if tree.is_nested(y):
        raise ValueError(
            "`class_weight` is only supported for models with a single output; received "
            f"targets with structure {type(y).__name__} of {len(tree.flatten(y))} arrays. "
            "Pass per-output `sample_weight` instead."
        )
    return (x, y, class_weight_to_sample_weights(y, class_weight))
