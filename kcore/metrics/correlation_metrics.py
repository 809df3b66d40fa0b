"""Correlation metrics: Pearson's and the concordance correlation coefficient, per
sample along an axis, averaged over all samples seen.

Example::

    >>> m = PearsonCorrelation()
    >>> m.update_state([[1.0, 2.0, 3.0]], [[2.0, 4.0, 6.0]])
    >>> round(float(m.result()), 4)
    1.0
"""

from __future__ import annotations

from typing import Any

from kcore import ops
from kcore.metrics.metrics_utils import squeeze_or_expand_to_same_rank
from kcore.metrics.reduction_metrics import MeanMetricWrapper


def _pair(y_true: Any, y_pred: Any) -> tuple[Any, Any]:
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true, dtype=y_pred.dtype)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


def pearson_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> Any:
    """Pearson's correlation coefficient of ``y_true`` and ``y_pred`` along ``axis``, in
    [-1, 1].

    Example::

        >>> ops.convert_to_numpy(pearson_correlation([[1.0, 2.0, 3.0]], [[3.0, 2.0, 1.0]])).round(4)
        array([-1.], dtype=float32)
    """
    y_true, y_pred = _pair(y_true, y_pred)
    centered_true = y_true - ops.mean(y_true, axis=axis, keepdims=True)
    centered_pred = y_pred - ops.mean(y_pred, axis=axis, keepdims=True)
    centered_true = centered_true / ops.std(centered_true, axis=axis, keepdims=True)
    centered_pred = centered_pred / ops.std(centered_pred, axis=axis, keepdims=True)
    return ops.mean(centered_true * centered_pred, axis=axis)


def concordance_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> Any:
    """Lin's concordance correlation coefficient of ``y_true`` and ``y_pred`` along
    ``axis``: agreement in both correlation and scale, in [-1, 1].

    Computed as Keras 3 computes it (its covariance term centers ``y_true`` on the
    mean of ``y_pred``), so results agree with Keras.

    Example::

        >>> ops.convert_to_numpy(concordance_correlation([[1.0, 2.0]], [[1.0, 2.0]])).round(4)
        array([1.], dtype=float32)
    """
    from kcore.config import epsilon

    y_true, y_pred = _pair(y_true, y_pred)
    true_mean = ops.mean(y_true, axis=axis, keepdims=True)
    pred_mean = ops.mean(y_pred, axis=axis, keepdims=True)
    true_var = ops.var(y_true - true_mean, axis=axis, keepdims=True)
    pred_var = ops.var(y_pred - pred_mean, axis=axis, keepdims=True)
    covariance = (y_true - pred_mean) * (y_pred - pred_mean)
    norm = true_var + pred_var + ops.square(true_mean - pred_mean)
    return ops.mean(2 * covariance / (norm + epsilon()), axis=axis)


class PearsonCorrelation(MeanMetricWrapper):
    """The mean over samples of Pearson's correlation along ``axis``.

    Args:
        name: the metric's name.
        dtype: the dtype of the result.
        axis: the axis along which each sample's values are correlated.

    Example::

        >>> m = PearsonCorrelation()
        >>> m.update_state([[1.0, 2.0, 3.0]], [[3.0, 2.0, 1.0]])
        >>> round(float(m.result()), 4)
        -1.0
    """

    def __init__(self, name: str = "pearson_correlation", dtype: Any = None, axis: int = -1):
        super().__init__(fn=pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


class ConcordanceCorrelation(MeanMetricWrapper):
    """The mean over samples of the concordance correlation coefficient along ``axis``.

    Args:
        name: the metric's name.
        dtype: the dtype of the result.
        axis: the axis along which each sample's values are compared.

    Example::

        >>> m = ConcordanceCorrelation()
        >>> m.update_state([[1.0, 2.0]], [[1.0, 2.0]])
        >>> round(float(m.result()), 4)
        1.0
    """

    def __init__(self, name: str = "concordance_correlation", dtype: Any = None, axis: int = -1):
        super().__init__(fn=concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}
