"""The accuracy family: how often predictions match labels, as per-sample functions and
as mean metrics over all batches.

Example::

    >>> m = BinaryAccuracy()
    >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
    >>> float(m.result())
    0.75
"""

from __future__ import annotations

from typing import Any

from kcore import ops
from kcore.config import floatx
from kcore.metrics.metrics_utils import squeeze_or_expand_to_same_rank
from kcore.metrics.reduction_metrics import MeanMetricWrapper


def _matches(a: Any, b: Any) -> Any:
    return ops.cast(ops.equal(a, b), floatx())


def accuracy(y_true: Any, y_pred: Any) -> Any:
    """1.0 where ``y_pred`` equals ``y_true`` exactly, else 0.0.

    Example::

        >>> ops.convert_to_numpy(accuracy([1, 2, 3], [1, 2, 4])).tolist()
        [1.0, 1.0, 0.0]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return _matches(y_true, y_pred)


def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> Any:
    """1.0 where ``y_pred > threshold`` agrees with the binary label ``y_true``.

    Example::

        >>> ops.convert_to_numpy(binary_accuracy([[1], [0]], [[0.7], [0.6]])).tolist()
        [[1.0], [0.0]]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = ops.cast(ops.greater(y_pred, threshold), y_true.dtype)
    return _matches(y_true, y_pred)


def categorical_accuracy(y_true: Any, y_pred: Any) -> Any:
    """1.0 where the arg max of ``y_pred`` is the arg max of the one-hot ``y_true``.

    Example::

        >>> ops.convert_to_numpy(
        ...     categorical_accuracy([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        ... ).tolist()
        [0.0, 1.0]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
    true_class = ops.argmax(y_true, axis=-1)
    if len(true_class.shape) == len(y_pred.shape):  # y_true was (batch, ..., 1, 1)
        true_class = ops.squeeze(true_class, -1)
    return _matches(true_class, ops.argmax(y_pred, axis=-1))


def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> Any:
    """1.0 where the arg max of ``y_pred`` is the integer label ``y_true``.

    ``y_true`` has ``y_pred``'s shape without its class axis (or with a trailing axis
    of size 1).

    Example::

        >>> ops.convert_to_numpy(
        ...     sparse_categorical_accuracy([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        ... ).tolist()
        [0.0, 1.0]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[-1] == 1:
        y_true = ops.squeeze(y_true, -1)
    predicted = ops.cast(ops.argmax(y_pred, axis=-1), y_true.dtype)
    matches = _matches(y_true, predicted)
    if len(matches.shape) > 1 and matches.shape[-1] == 1:
        matches = ops.squeeze(matches, -1)
    return matches


def _in_top_k(labels: Any, y_pred: Any, k: int) -> Any:
    """``in_top_k`` over any leading axes: ``labels`` of shape ``batch``, ``y_pred`` of
    shape ``batch + (classes,)``; result of shape ``batch``."""
    batch_shape = ops.shape(labels)
    if len(y_pred.shape) > 2:
        y_pred = ops.reshape(y_pred, (-1, y_pred.shape[-1]))
    if len(labels.shape) > 1:
        labels = ops.reshape(labels, (-1,))
    matches = ops.cast(ops.in_top_k(ops.cast(labels, "int32"), y_pred, k), floatx())
    return ops.reshape(matches, batch_shape) if len(batch_shape) > 1 else matches


def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> Any:
    """1.0 where the one-hot ``y_true``'s class is among the ``k`` highest ``y_pred``.

    Example::

        >>> ops.convert_to_numpy(top_k_categorical_accuracy(
        ...     [[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=1)).tolist()
        [0.0, 1.0]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
    return _in_top_k(ops.argmax(y_true, axis=-1), y_pred, k)


def sparse_top_k_categorical_accuracy(
    y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False
) -> Any:
    """1.0 where the integer label ``y_true`` is among the ``k`` highest ``y_pred``.

    With ``from_sorted_ids=True``, ``y_pred`` holds class ids sorted by score (highest
    first) instead of scores, and a hit is ``y_true`` among its first ``k`` ids.

    Example::

        >>> ops.convert_to_numpy(sparse_top_k_categorical_accuracy(
        ...     [2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]], k=2)).tolist()
        [1.0, 1.0]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype if from_sorted_ids else "int32")
    if not from_sorted_ids:
        return _in_top_k(y_true, y_pred, k)
    batch_shape = ops.shape(y_true)
    if len(y_pred.shape) > 2:
        y_pred = ops.reshape(y_pred, (-1, y_pred.shape[-1]))
    labels = ops.reshape(y_true, (-1, 1))
    # A label listed twice among the first k still counts once.
    hits = ops.any(ops.equal(labels, y_pred[:, :k]), axis=1)
    matches = ops.cast(hits, floatx())
    return ops.reshape(matches, batch_shape) if len(batch_shape) > 1 else matches


class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly.

    Args:
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = Accuracy()
        >>> m.update_state([[1], [2], [3], [4]], [[0], [2], [3], [4]])
        >>> float(m.result())
        0.75
    """

    def __init__(self, name: str = "accuracy", dtype: Any = None) -> None:
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches the binary labels.

    Args:
        name: the metric's name.
        dtype: the dtype of the result.
        threshold: the score above which a prediction is 1.

    Example::

        >>> m = BinaryAccuracy()
        >>> m.update_state([[1], [1], [0], [0]], [[0.98], [1], [0], [0.6]])
        >>> float(m.result())
        0.75
    """

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


class CategoricalAccuracy(MeanMetricWrapper):
    """How often the arg max of the predictions is the one-hot label's class.

    Args:
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = CategoricalAccuracy()
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often the arg max of the predictions is the integer label.

    Args:
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = SparseCategoricalAccuracy()
        >>> m.update_state([[2], [1]], [[0.1, 0.6, 0.3], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None) -> None:
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the ``k`` highest predictions.

    Args:
        k: how many of the highest predictions count as a hit.
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = TopKCategoricalAccuracy(k=1)
        >>> m.update_state([[0, 0, 1], [0, 1, 0]], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer label is among the ``k`` highest predictions.

    Args:
        k: how many of the highest predictions count as a hit.
        name: the metric's name.
        dtype: the dtype of the result.
        from_sorted_ids: whether ``y_pred`` holds class ids sorted by score rather
            than scores.

    Example::

        >>> m = SparseTopKCategoricalAccuracy(k=1)
        >>> m.update_state([2, 1], [[0.1, 0.9, 0.8], [0.05, 0.95, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(
        self,
        k: int = 5,
        name: str = "sparse_top_k_categorical_accuracy",
        dtype: Any = None,
        from_sorted_ids: bool = False,
    ) -> None:
        super().__init__(
            fn=sparse_top_k_categorical_accuracy,
            name=name,
            dtype=dtype,
            k=k,
            from_sorted_ids=from_sorted_ids,
        )
        self.k = k
        self.from_sorted_ids = from_sorted_ids
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        config = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
