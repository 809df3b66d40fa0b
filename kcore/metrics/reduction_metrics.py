"""Metrics that reduce values over all batches: ``Sum``, ``Mean`` and
``MeanMetricWrapper`` (the mean of a per-sample function of ``y_true`` and ``y_pred``).

Example::

    >>> m = Sum()
    >>> m.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
    >>> float(m.result())
    4.0
"""

from __future__ import annotations

from typing import Any

from kcore import ops
from kcore.metrics import metrics_utils
from kcore.metrics.metric import Metric


class Sum(Metric):
    """The (weighted) sum of the values seen.

    Args:
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = Sum()
        >>> m.update_state([1.0, 3.0, 5.0, 7.0])
        >>> float(m.result())
        16.0
    """

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="total"
        )

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Add the (weighted) sum of ``values``."""
        values, _ = metrics_utils.reduce_to_samplewise_values(
            values, sample_weight, ops.sum, self.dtype
        )
        self.total.assign(self.total.value + ops.sum(values))

    def result(self) -> Any:
        return ops.cast(self.total.value, self.dtype)


class Mean(Metric):
    """The (weighted) mean of the values seen: ``total / count``.

    Values of rank above 1 are first averaged to one value per sample; with
    ``sample_weight``, each sample's value counts with its weight.

    Args:
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = Mean()
        >>> m.update_state([1.0, 3.0, 5.0, 7.0], sample_weight=[1, 1, 0, 0])
        >>> float(m.result())
        2.0
    """

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="total"
        )
        self.count = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="count"
        )

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Fold ``values`` (weighted by ``sample_weight``) into the mean."""
        values, sample_weight = metrics_utils.reduce_to_samplewise_values(
            values, sample_weight, ops.mean, self.dtype
        )
        self.total.assign(self.total.value + ops.sum(values))
        if sample_weight is not None:
            count = ops.sum(sample_weight)
        elif len(values.shape) == 0:
            count = 1.0
        elif values.shape[0] is not None:
            count = float(values.shape[0])
        else:  # a batch size only known when the traced function runs
            count = ops.sum(ops.ones_like(values))
        self.count.assign(self.count.value + ops.cast(count, self.dtype))

    def result(self) -> Any:
        return ops.divide_no_nan(self.total.value, ops.cast(self.count.value, self.dtype))


def _is_loss_function(fn: Any) -> bool:
    module = getattr(fn, "__module__", None) or type(fn).__module__
    return module.startswith("kcore.losses")


class MeanMetricWrapper(Mean):
    """The mean of ``fn(y_true, y_pred, **kwargs)`` over all samples seen.

    A mask on ``y_pred`` (``y_pred._keras_mask``) zeroes the weight of masked entries.

    Args:
        fn: the per-sample function, ``fn(y_true, y_pred, **kwargs)``.
        name: the metric's name.
        dtype: the dtype of the result.
        **kwargs: keyword arguments passed on to ``fn``.

    Example::

        >>> def squared_error(y_true, y_pred):
        ...     return (y_true - y_pred) ** 2
        >>> m = MeanMetricWrapper(fn=squared_error)
        >>> float(m(kcore.ops.array([1.0, 2.0]), kcore.ops.array([2.0, 2.0])))
        0.5
    """

    def __init__(self, fn: Any, name: str | None = None, dtype: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if _is_loss_function(fn):
            self._direction = "down"

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Fold ``fn(y_true, y_pred)`` (weighted by ``sample_weight``) into the mean."""
        mask = metrics_utils.get_mask(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        sample_weight = metrics_utils.apply_mask(sample_weight, mask, self.dtype)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict[str, Any]:
        from kcore.saving.serialization import serialize_keras_object

        config = {**super().get_config(), "fn": serialize_keras_object(self._fn)}
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MeanMetricWrapper:
        if "fn" in config:
            from kcore.saving.serialization import deserialize_keras_object

            config = deserialize_keras_object(config)
        return cls(**config)
