"""Regression metrics: mean errors over all batches (``MeanSquaredError``,
``MeanAbsoluteError``, ``MeanAbsolutePercentageError``, ``MeanSquaredLogarithmicError``,
``RootMeanSquaredError``, ``LogCoshError``), ``CosineSimilarity`` and ``R2Score``.

Example::

    >>> m = MeanSquaredError()
    >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
    >>> float(m.result())
    0.25
"""

from __future__ import annotations

import warnings
from typing import Any

from kcore import ops
from kcore.losses.losses import (
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
)
from kcore.metrics.metric import Metric
from kcore.metrics.metrics_utils import squeeze_or_expand_to_same_rank
from kcore.metrics.reduction_metrics import Mean, MeanMetricWrapper


class _ErrorMetric(MeanMetricWrapper):
    """A mean over samples of a loss function, to be minimized; configured by name and
    dtype only."""

    _error_fn: Any

    def __init__(self, name: str, dtype: Any = None) -> None:
        super().__init__(type(self)._error_fn, name=name, dtype=dtype)
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


class MeanSquaredError(_ErrorMetric):
    """The mean squared error between ``y_true`` and ``y_pred``.

    Args:
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = MeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> float(m.result())
        0.25
    """

    _error_fn = staticmethod(mean_squared_error)

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class MeanAbsoluteError(_ErrorMetric):
    """The mean absolute error between ``y_true`` and ``y_pred``.

    Args:
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = MeanAbsoluteError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> float(m.result())
        0.25
    """

    _error_fn = staticmethod(mean_absolute_error)

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class MeanAbsolutePercentageError(_ErrorMetric):
    """The mean of ``100 * |y_true - y_pred| / |y_true|``.

    Args:
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = MeanAbsolutePercentageError()
        >>> m.update_state([[2.0, 4.0]], [[1.0, 4.0]])
        >>> float(m.result())
        25.0
    """

    _error_fn = staticmethod(mean_absolute_percentage_error)

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class MeanSquaredLogarithmicError(_ErrorMetric):
    """The mean of ``(log(1 + y_true) - log(1 + y_pred)) ** 2``.

    Args:
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = MeanSquaredLogarithmicError()
        >>> m.update_state([[0.0, 1.0]], [[0.0, 1.0]])
        >>> float(m.result())
        0.0
    """

    _error_fn = staticmethod(mean_squared_logarithmic_error)

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class LogCoshError(_ErrorMetric):
    """The mean of ``log(cosh(y_pred - y_true))``.

    Args:
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = LogCoshError()
        >>> m.update_state([[0.0, 1.0]], [[0.0, 1.0]])
        >>> float(m.result())
        0.0
    """

    _error_fn = staticmethod(log_cosh)

    def __init__(self, name: str = "logcosh", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)


class RootMeanSquaredError(Mean):
    """The square root of the mean squared error over all entries seen.

    Args:
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = RootMeanSquaredError()
        >>> m.update_state([[0, 1], [0, 0]], [[1, 1], [0, 0]])
        >>> float(m.result())
        0.5
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Fold the squared errors of this batch into the mean."""
        y_true = ops.convert_to_tensor(y_true, self.dtype)
        y_pred = ops.convert_to_tensor(y_pred, self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(ops.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self) -> Any:
        return ops.sqrt(super().result())


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Any:
    """The cosine similarity of ``y_true`` and ``y_pred`` along ``axis`` (1: same
    direction, 0: orthogonal, -1: opposite).

    Example::

        >>> ops.convert_to_numpy(cosine_similarity([[0.0, 1.0]], [[0.0, 2.0]])).tolist()
        [1.0]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return ops.sum(ops.normalize(y_true, axis=axis) * ops.normalize(y_pred, axis=axis), axis=axis)


class CosineSimilarity(MeanMetricWrapper):
    """The mean cosine similarity between labels and predictions.

    Args:
        name: the metric's name.
        dtype: the dtype of the result.
        axis: the axis along which vectors are compared.

    Example::

        >>> m = CosineSimilarity(axis=1)
        >>> m.update_state([[0.0, 1.0], [1.0, 1.0]], [[1.0, 0.0], [1.0, 1.0]])
        >>> round(float(m.result()), 4)
        0.5
    """

    def __init__(self, name: str = "cosine_similarity", dtype: Any = None, axis: int = -1):
        super().__init__(cosine_similarity, name, dtype=dtype, axis=axis)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


_CLASS_AGGREGATIONS = (None, "uniform_average", "variance_weighted_average")


class R2Score(Metric):
    """The coefficient of determination: ``1 - SS_residual / SS_total`` per output,
    from inputs of shape ``(batch, outputs)``.

    Args:
        class_aggregation: ``"uniform_average"`` (the mean over outputs),
            ``"variance_weighted_average"`` (weighted by each output's variance) or
            ``None`` (one score per output).
        num_regressors: the number of independent regressors, for the adjusted R2
            (0: the plain R2).
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = R2Score()
        >>> m.update_state([[1], [4], [3]], [[2], [4], [4]])
        >>> round(float(m.result()), 4)
        0.5714
    """

    def __init__(
        self,
        class_aggregation: str | None = "uniform_average",
        num_regressors: int = 0,
        name: str = "r2_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if class_aggregation not in _CLASS_AGGREGATIONS:
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected one of "
                f"{_CLASS_AGGREGATIONS}. Received: class_aggregation={class_aggregation!r}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected a value >= 0. "
                f"Received: num_regressors={num_regressors}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable((), "zeros", name="num_samples")
        self._built = False

    def _build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim). Received "
                f"input shapes: y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}."
            )
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim), with "
                "output_dim fully defined (not None). Received input shapes: "
                f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}."
            )
        shape = (y_pred_shape[-1],)
        self.squared_sum = self.add_variable(shape, "zeros", name="squared_sum")
        self.sum = self.add_variable(shape, "zeros", name="sum")
        self.total_mse = self.add_variable(shape, "zeros", name="residual")
        self.count = self.add_variable(shape, "zeros", name="count")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add this batch's sums (weighted by ``sample_weight``, per sample or per entry)."""
        y_true = ops.convert_to_tensor(y_true, dtype=self.dtype)
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        if sample_weight is None:
            sample_weight = ops.ones_like(y_true)
        else:
            sample_weight = ops.convert_to_tensor(sample_weight, dtype=self.dtype)
            if len(sample_weight.shape) == 1:
                sample_weight = ops.expand_dims(sample_weight, axis=1)
            sample_weight = ops.broadcast_to(sample_weight, ops.shape(y_true))
        weighted = y_true * sample_weight
        self.sum.assign(self.sum.value + ops.sum(weighted, axis=0))
        self.squared_sum.assign(self.squared_sum.value + ops.sum(y_true * weighted, axis=0))
        self.total_mse.assign(
            self.total_mse.value + ops.sum(ops.square(y_true - y_pred) * sample_weight, axis=0)
        )
        self.count.assign(self.count.value + ops.sum(sample_weight, axis=0))
        # Counted from the tensor: its size may be unknown until a traced function runs.
        size = ops.sum(ops.ones_like(y_true, dtype=self.num_samples.dtype))
        self.num_samples.assign(self.num_samples.value + size)

    def result(self) -> Any:
        mean = self.sum.value / self.count.value
        total = self.squared_sum.value - self.sum.value * mean
        raw_scores = 1 - (self.total_mse.value / total)
        raw_scores = ops.where(ops.isinf(raw_scores), ops.zeros_like(raw_scores), raw_scores)
        if self.class_aggregation == "uniform_average":
            score = ops.mean(raw_scores)
        elif self.class_aggregation == "variance_weighted_average":
            score = ops.sum(total * raw_scores) / ops.sum(total)
        else:
            score = raw_scores
        if self.num_regressors == 0:
            return score
        # Adjusted R2; with too few samples for the regressors it falls back to R2.
        n = self.num_samples.value
        p = float(self.num_regressors)
        if not _is_traced(n):
            if p > float(n) - 1:
                warnings.warn(
                    "More independent predictors than datapoints in adjusted R2 score. "
                    "Falling back to standard R2 score.",
                    stacklevel=2,
                )
            elif p == float(n) - 1:
                warnings.warn(
                    "Division by zero in Adjusted R2 score. Falling back to standard R2 score.",
                    stacklevel=2,
                )
        adjusted = 1.0 - (1.0 - score) * (n - 1.0) / ops.maximum(n - p - 1.0, 1.0)
        return ops.where(n - 1.0 > p, adjusted, score)

    def reset_state(self) -> None:
        for variable in self.variables:
            variable.assign(ops.zeros(variable.shape, dtype=variable.dtype))

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "class_aggregation": self.class_aggregation,
            "num_regressors": self.num_regressors,
        }


def _is_traced(value: Any) -> bool:
    """Whether ``value`` has no concrete value now (inside jax.jit or tf.function)."""
    try:
        float(ops.convert_to_numpy(value))
    except Exception:
        return True
    return False
