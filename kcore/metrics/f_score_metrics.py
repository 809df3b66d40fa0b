"""F-scores: ``FBetaScore`` and ``F1Score``, the weighted harmonic mean of precision and
recall, per class or averaged.

Example::

    >>> m = F1Score(threshold=0.5)
    >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
    ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
    >>> [round(float(v), 4) for v in kcore.ops.convert_to_numpy(m.result())]
    [0.5, 0.8, 0.6667]
"""

from __future__ import annotations

from typing import Any

from kcore import ops
from kcore.metrics.metric import Metric

_AVERAGES = (None, "micro", "macro", "weighted")


class FBetaScore(Metric):
    """The F-beta score: ``(1 + beta**2) * precision * recall / (beta**2 * precision +
    recall)``, for multi-class or multi-label data of shape ``(batch, classes)``.

    Args:
        average: ``None`` (one score per class), ``"micro"`` (counts pooled over
            classes), ``"macro"`` (the unweighted mean of the per-class scores) or
            ``"weighted"`` (their mean weighted by each class's number of true labels).
        beta: a float > 0: how much more recall weighs than precision.
        threshold: a float in (0, 1]: predictions above it are positive. ``None``: the
            highest prediction of each sample is positive (when not zero).
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = FBetaScore(beta=2.0, threshold=0.5)
        >>> m.update_state([[1, 1, 1], [1, 0, 0], [1, 1, 0]],
        ...                [[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]])
        >>> [round(float(v), 4) for v in kcore.ops.convert_to_numpy(m.result())]
        [0.3846, 0.9091, 0.8333]
    """

    def __init__(
        self,
        average: str | None = None,
        beta: float = 1.0,
        threshold: float | None = None,
        name: str = "fbeta_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if average not in _AVERAGES:
            raise ValueError(
                "Invalid `average` argument value. Expected one of: "
                f"{{None, 'micro', 'macro', 'weighted'}}. Received: average={average!r}"
            )
        if not isinstance(beta, float):
            raise ValueError(
                "Invalid `beta` argument value. It should be a Python float. "
                f"Received: beta={beta!r} of type '{type(beta).__name__}'"
            )
        if beta <= 0.0:
            raise ValueError(
                f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}"
            )
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(
                    "Invalid `threshold` argument value. It should be a Python float. "
                    f"Received: threshold={threshold!r} of type '{type(threshold).__name__}'"
                )
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(
                    "Invalid `threshold` argument value. It should verify "
                    f"0 < threshold <= 1. Received: threshold={threshold}"
                )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        # micro pools the counts of all classes; the others keep one count per class.
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                f"{type(self).__name__} expects 2D inputs with shape (batch_size, "
                f"output_dim). Received input shapes: y_pred.shape={y_pred_shape} and "
                f"y_true.shape={y_true_shape}."
            )
        if y_pred_shape[-1] is None or y_true_shape[-1] is None:
            raise ValueError(
                f"{type(self).__name__} expects 2D inputs with shape (batch_size, "
                "output_dim), with output_dim fully defined (not None). Received input "
                f"shapes: y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}."
            )
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        for name in (
            "true_positives",
            "false_positives",
            "false_negatives",
            "intermediate_weights",
        ):
            setattr(self, name, self.add_variable(shape, "zeros", dtype=self.dtype, name=name))
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add this batch's per-class counts (weighted by ``sample_weight``, one weight per
        sample)."""
        y_true = ops.convert_to_tensor(y_true, dtype=self.dtype)
        y_pred = ops.convert_to_tensor(y_pred, dtype=self.dtype)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        if self.threshold is None:
            top = ops.max(y_pred, axis=-1, keepdims=True)
            # The highest score of each sample is the prediction, unless it is ~0.
            positive = ops.logical_and(y_pred >= top, ops.abs(y_pred) > 1e-9)
        else:
            positive = y_pred > self.threshold
        y_pred = ops.cast(positive, self.dtype)
        weights = None
        if sample_weight is not None:
            weights = ops.expand_dims(ops.convert_to_tensor(sample_weight, dtype=self.dtype), 1)

        def weighted_sum(values: Any) -> Any:
            if weights is not None:
                values = values * weights
            return ops.sum(values, axis=self.axis)

        self.true_positives.assign(self.true_positives.value + weighted_sum(y_pred * y_true))
        self.false_positives.assign(
            self.false_positives.value + weighted_sum(y_pred * (1 - y_true))
        )
        self.false_negatives.assign(
            self.false_negatives.value + weighted_sum((1 - y_pred) * y_true)
        )
        self.intermediate_weights.assign(self.intermediate_weights.value + weighted_sum(y_true))

    def result(self) -> Any:
        from kcore.config import epsilon

        eps = epsilon()
        tp = self.true_positives.value
        precision = tp / (tp + self.false_positives.value + eps)
        recall = tp / (tp + self.false_negatives.value + eps)
        beta2 = self.beta**2
        score = (1 + beta2) * (precision * recall) / (beta2 * precision + recall + eps)
        if self.average == "weighted":
            support = self.intermediate_weights.value
            return ops.sum(score * (support / (ops.sum(support) + eps)))
        if self.average is not None:  # micro (a scalar already) and macro
            return ops.mean(score)
        return score

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "average": self.average,
            "beta": self.beta,
            "threshold": self.threshold,
        }


class F1Score(FBetaScore):
    """The F1 score: the harmonic mean of precision and recall (``FBetaScore`` with
    ``beta=1``).

    Args:
        average: ``None``, ``"micro"``, ``"macro"`` or ``"weighted"`` (see
            :class:`FBetaScore`).
        threshold: a float in (0, 1] above which predictions are positive, or ``None``
            (the highest prediction of each sample).
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = F1Score(average="micro", threshold=0.5)
        >>> m.update_state([[1, 0], [0, 1]], [[0.9, 0.2], [0.6, 0.7]])
        >>> round(float(m.result()), 4)
        0.8
    """

    def __init__(
        self,
        average: str | None = None,
        threshold: float | None = None,
        name: str = "f1_score",
        dtype: Any = None,
    ) -> None:
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["beta"]
        return config
