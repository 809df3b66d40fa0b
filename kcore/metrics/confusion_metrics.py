"""Metrics read off binary confusion matrices at one or more thresholds: the four counts,
``Precision``, ``Recall``, the at-sensitivity/at-recall family and ``AUC``.

Example::

    >>> m = Precision()
    >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
    >>> round(float(m.result()), 4)      # 2 true positives of 3 predicted positives
    0.6667
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kcore import ops
from kcore.metrics import metrics_utils
from kcore.metrics.metric import Metric
from kcore.metrics.metrics_utils import AUCCurve, AUCSummationMethod, ConfusionMatrix

_ALL_COUNTS = (
    ("true_positives", ConfusionMatrix.TRUE_POSITIVES),
    ("false_positives", ConfusionMatrix.FALSE_POSITIVES),
    ("true_negatives", ConfusionMatrix.TRUE_NEGATIVES),
    ("false_negatives", ConfusionMatrix.FALSE_NEGATIVES),
)


def _ratio(numerator: Any, other: Any) -> Any:
    """``numerator / (numerator + other)``, 0 where both are 0."""
    return ops.divide_no_nan(numerator, numerator + other)


class _ConfusionMatrixConditionCount(Metric):
    """One count of the confusion matrix (weighted) at each threshold."""

    def __init__(
        self,
        confusion_matrix_cond: ConfusionMatrix,
        thresholds: Any = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self._confusion_matrix_cond = confusion_matrix_cond
        self.init_thresholds = thresholds
        self.thresholds = metrics_utils.parse_init_thresholds(thresholds, default_threshold=0.5)
        self._thresholds_distributed_evenly = metrics_utils.is_evenly_distributed_thresholds(
            self.thresholds
        )
        self.accumulator = self.add_variable(
            shape=(len(self.thresholds),), initializer="zeros", name="accumulator"
        )

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add this batch's count at each threshold (``y_pred > threshold`` is positive)."""
        metrics_utils.update_confusion_matrix_variables(
            {self._confusion_matrix_cond: self.accumulator},
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
        )

    def result(self) -> Any:
        value = self.accumulator.value
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


class TruePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of true positives: label 1, prediction above the threshold.

    Args:
        thresholds: a float or list of floats in [0, 1]; a prediction above one is
            positive (default 0.5). With a list, the result has one count per threshold.
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = TruePositives()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> float(m.result())
        2.0
    """

    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None):
        super().__init__(ConfusionMatrix.TRUE_POSITIVES, thresholds, name=name, dtype=dtype)


class FalsePositives(_ConfusionMatrixConditionCount):
    """The (weighted) number of false positives: label 0, prediction above the threshold.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = FalsePositives()
        >>> m.update_state([0, 1, 0, 0], [0, 0, 1, 1])
        >>> float(m.result())
        2.0
    """

    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None):
        super().__init__(ConfusionMatrix.FALSE_POSITIVES, thresholds, name=name, dtype=dtype)


class TrueNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of true negatives: label 0, prediction at most the threshold.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = TrueNegatives()
        >>> m.update_state([0, 1, 0, 0], [1, 1, 0, 0])
        >>> float(m.result())
        2.0
    """

    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None):
        super().__init__(ConfusionMatrix.TRUE_NEGATIVES, thresholds, name=name, dtype=dtype)


class FalseNegatives(_ConfusionMatrixConditionCount):
    """The (weighted) number of false negatives: label 1, prediction at most the threshold.

    Args:
        thresholds: a float or list of floats in [0, 1] (default 0.5).
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = FalseNegatives()
        >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
        >>> float(m.result())
        2.0
    """

    def __init__(self, thresholds: Any = None, name: str | None = None, dtype: Any = None):
        super().__init__(ConfusionMatrix.FALSE_NEGATIVES, thresholds, name=name, dtype=dtype)


class _PrecisionRecallBase(Metric):
    """Precision and Recall: true positives and one other count, per threshold."""

    _other: tuple[str, ConfusionMatrix]

    def __init__(
        self,
        thresholds: Any = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        # With top_k, a prediction outside the top k is NEG_INF: any kept one counts.
        default = 0.5 if top_k is None else metrics_utils.NEG_INF
        self.thresholds = metrics_utils.parse_init_thresholds(thresholds, default_threshold=default)
        self._thresholds_distributed_evenly = metrics_utils.is_evenly_distributed_thresholds(
            self.thresholds
        )
        shape = (len(self.thresholds),)
        self.true_positives = self.add_variable(shape, "zeros", name="true_positives")
        other_name, _ = self._other
        setattr(self, other_name, self.add_variable(shape, "zeros", name=other_name))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add this batch's counts: ``y_true`` binary labels, ``y_pred`` scores in [0, 1]."""
        other_name, other_key = self._other
        metrics_utils.update_confusion_matrix_variables(
            {
                ConfusionMatrix.TRUE_POSITIVES: self.true_positives,
                other_key: getattr(self, other_name),
            },
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )

    def result(self) -> Any:
        value = _ratio(self.true_positives.value, getattr(self, self._other[0]).value)
        return value[0] if len(self.thresholds) == 1 else value

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "thresholds": self.init_thresholds,
            "top_k": self.top_k,
            "class_id": self.class_id,
        }


class Precision(_PrecisionRecallBase):
    """Precision: ``true_positives / (true_positives + false_positives)``.

    Args:
        thresholds: a float or list of floats in [0, 1]; a prediction above one is
            positive (default 0.5, or any kept prediction with ``top_k``). With a list,
            the result has one precision per threshold.
        top_k: count only the ``k`` highest predictions of each sample as positives.
        class_id: compute the precision of this class only (``y_pred`` of rank 2).
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = Precision(top_k=2)
        >>> m.update_state([0, 0, 1, 1], [1, 1, 1, 1])   # ties: the first two kept
        >>> float(m.result())
        0.0
    """

    _other = ("false_positives", ConfusionMatrix.FALSE_POSITIVES)


class Recall(_PrecisionRecallBase):
    """Recall: ``true_positives / (true_positives + false_negatives)``.

    Args:
        thresholds: a float or list of floats in [0, 1]; a prediction above one is
            positive (default 0.5, or any kept prediction with ``top_k``).
        top_k: count only the ``k`` highest predictions of each sample as positives.
        class_id: compute the recall of this class only (``y_pred`` of rank 2).
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = Recall()
        >>> m.update_state([0, 1, 1, 1], [1, 0, 1, 1])
        >>> round(float(m.result()), 4)
        0.6667
    """

    _other = ("false_negatives", ConfusionMatrix.FALSE_NEGATIVES)


class SensitivitySpecificityBase(Metric):
    """The base of the metrics that maximize one rate subject to a bound on another, over
    ``num_thresholds`` evenly spaced thresholds in [0, 1]."""

    def __init__(
        self,
        value: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if num_thresholds <= 0:
            raise ValueError(
                "Argument `num_thresholds` must be an integer > 0. "
                f"Received: num_thresholds={num_thresholds}"
            )
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            self.thresholds = [i / (num_thresholds - 1) for i in range(num_thresholds)]
            self._thresholds_distributed_evenly = True
        shape = (len(self.thresholds),)
        for attribute, _ in _ALL_COUNTS:
            setattr(self, attribute, self.add_variable(shape, "zeros", name=attribute))

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add this batch's four counts at every threshold."""
        metrics_utils.update_confusion_matrix_variables(
            {key: getattr(self, attribute) for attribute, key in _ALL_COUNTS},
            y_true,
            y_pred,
            thresholds=self.thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )

    def _rates(self) -> dict[str, Any]:
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        return {
            "sensitivity": _ratio(tp, fn),  # = recall
            "specificity": _ratio(tn, fp),
            "precision": _ratio(tp, fp),
        }

    def _find_max_under_constraint(self, constrained: Any, dependent: Any) -> Any:
        """The largest ``dependent`` at a threshold where ``constrained >= value`` (0 if
        none)."""
        feasible = ops.greater_equal(constrained, self.value)
        return ops.max(ops.where(feasible, dependent, ops.zeros_like(dependent)))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "class_id": self.class_id}


def _check_rate(name: str, value: float) -> None:
    if value < 0 or value > 1:
        raise ValueError(f"Argument `{name}` must be in the range [0, 1]. Received: {name}={value}")


class SensitivityAtSpecificity(SensitivitySpecificityBase):
    """The best sensitivity (recall) over the thresholds where the specificity is at
    least ``specificity``.

    Args:
        specificity: a float in [0, 1], the least specificity allowed.
        num_thresholds: how many evenly spaced thresholds in [0, 1] to try (default 200).
        class_id: compute the metric for this class only (``y_pred`` of rank 2).
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = SensitivityAtSpecificity(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> float(m.result())
        0.5
    """

    def __init__(
        self,
        specificity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        _check_rate("specificity", specificity)
        self.specificity = specificity
        self.num_thresholds = num_thresholds
        super().__init__(specificity, num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> Any:
        rates = self._rates()
        return self._find_max_under_constraint(rates["specificity"], rates["sensitivity"])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "specificity": self.specificity,
        }


class SpecificityAtSensitivity(SensitivitySpecificityBase):
    """The best specificity over the thresholds where the sensitivity (recall) is at
    least ``sensitivity``.

    Args:
        sensitivity: a float in [0, 1], the least sensitivity allowed.
        num_thresholds: how many evenly spaced thresholds in [0, 1] to try (default 200).
        class_id: compute the metric for this class only (``y_pred`` of rank 2).
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = SpecificityAtSensitivity(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> round(float(m.result()), 4)
        0.6667
    """

    def __init__(
        self,
        sensitivity: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        _check_rate("sensitivity", sensitivity)
        self.sensitivity = sensitivity
        self.num_thresholds = num_thresholds
        super().__init__(sensitivity, num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> Any:
        rates = self._rates()
        return self._find_max_under_constraint(rates["sensitivity"], rates["specificity"])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "sensitivity": self.sensitivity,
        }


class PrecisionAtRecall(SensitivitySpecificityBase):
    """The best precision over the thresholds where the recall is at least ``recall``.

    Args:
        recall: a float in [0, 1], the least recall allowed.
        num_thresholds: how many evenly spaced thresholds in [0, 1] to try (default 200).
        class_id: compute the metric for this class only (``y_pred`` of rank 2).
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = PrecisionAtRecall(0.5)
        >>> m.update_state([0, 0, 0, 1, 1], [0, 0.3, 0.8, 0.3, 0.8])
        >>> float(m.result())
        0.5
    """

    def __init__(
        self,
        recall: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        _check_rate("recall", recall)
        self.recall = recall
        self.num_thresholds = num_thresholds
        super().__init__(recall, num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> Any:
        rates = self._rates()
        return self._find_max_under_constraint(rates["sensitivity"], rates["precision"])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "recall": self.recall,
        }


class RecallAtPrecision(SensitivitySpecificityBase):
    """The best recall over the thresholds where the precision is at least ``precision``.

    Args:
        precision: a float in [0, 1], the least precision allowed.
        num_thresholds: how many evenly spaced thresholds in [0, 1] to try (default 200).
        class_id: compute the metric for this class only (``y_pred`` of rank 2).
        name: the metric's name.
        dtype: the dtype of the result.

    Example::

        >>> m = RecallAtPrecision(0.8)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> float(m.result())
        0.5
    """

    def __init__(
        self,
        precision: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        _check_rate("precision", precision)
        self.precision = precision
        self.num_thresholds = num_thresholds
        super().__init__(precision, num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> Any:
        rates = self._rates()
        return self._find_max_under_constraint(rates["precision"], rates["sensitivity"])

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "precision": self.precision,
        }


class AUC(Metric):
    """The area under the ROC or precision-recall curve, approximated by a Riemann sum
    over ``num_thresholds`` thresholds.

    Args:
        num_thresholds: how many thresholds (> 1), evenly spaced in [0, 1] with the
            outer two just beyond it; ignored when ``thresholds`` is given.
        curve: ``"ROC"``, ``"PR"`` or ``"PRGAIN"``.
        summation_method: ``"interpolation"`` (trapezoids; for PR, the interpolation of
            Davis & Goadrich 2006), ``"minoring"`` or ``"majoring"``.
        name: the metric's name.
        dtype: the dtype of the result.
        thresholds: explicit thresholds in [0, 1] (-epsilon and 1+epsilon are added).
        multi_label: whether the last axis holds independent labels: one curve per
            label, averaged (weighted by ``label_weights``); otherwise every entry is
            one binary decision on a single curve.
        num_labels: the number of labels with ``multi_label`` (else found on the first
            update).
        label_weights: per-label weights, for the average with ``multi_label``, or for
            the counts otherwise.
        from_logits: whether predictions are logits (passed through a sigmoid first).

    Example::

        >>> m = AUC(num_thresholds=3)
        >>> m.update_state([0, 0, 1, 1], [0, 0.5, 0.3, 0.9])
        >>> float(m.result())
        0.75
    """

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: Any = None,
        thresholds: Any = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Any = None,
        from_logits: bool = False,
    ) -> None:
        from kcore import config

        self.curve = curve if isinstance(curve, AUCCurve) else AUCCurve.from_str(curve)
        self.summation_method = (
            summation_method
            if isinstance(summation_method, AUCSummationMethod)
            else AUCSummationMethod.from_str(summation_method)
        )
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            inner = sorted(metrics_utils.parse_init_thresholds(thresholds))
            self.num_thresholds = len(inner) + 2
            self._thresholds_distributed_evenly = metrics_utils.is_evenly_distributed_thresholds(
                [0.0, *inner, 1.0]
            )
        else:
            if num_thresholds <= 1:
                raise ValueError(
                    "Argument `num_thresholds` must be an integer > 1. "
                    f"Received: num_thresholds={num_thresholds}"
                )
            self.num_thresholds = num_thresholds
            inner = [(i + 1) / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        # Just beyond [0, 1], so predictions of exactly 0 and 1 fall inside.
        epsilon = config.epsilon()
        self._thresholds = np.array([0.0 - epsilon, *inner, 1.0 + epsilon])
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.multi_label = multi_label
        self.num_labels = num_labels
        if isinstance(label_weights, dict):  # a tensor as Keras 3 serializes it
            label_weights = label_weights.get("config", {}).get("value")
        self.label_weights = (
            None if label_weights is None else ops.array(label_weights, dtype=self.dtype)
        )
        self._from_logits = from_logits
        self._built = False
        if multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError(
                    "AUC: `num_labels` is needed only when `multi_label` is True; "
                    f"received num_labels={num_labels} with multi_label=False"
                )
            self._build(None)

    @property
    def thresholds(self) -> list[float]:
        """The thresholds, including the two outer ones."""
        return [float(t) for t in self._thresholds]

    def _build(self, shape: Any) -> None:
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(
                    "AUC: `y_pred` must have rank 2 when `multi_label=True`; received "
                    f"rank {len(shape)} (shape {tuple(shape)})"
                )
            self._num_labels = shape[1]
            variable_shape = (self.num_thresholds, self._num_labels)
        else:
            variable_shape = (self.num_thresholds,)
        self._build_input_shape = shape
        for attribute, _ in _ALL_COUNTS:
            setattr(self, attribute, self.add_variable(variable_shape, "zeros", name=attribute))
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add this batch's four counts at every threshold."""
        y_pred = ops.convert_to_tensor(y_pred)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:
            y_pred = ops.sigmoid(y_pred)
        metrics_utils.update_confusion_matrix_variables(
            {key: getattr(self, attribute) for attribute, key in _ALL_COUNTS},
            y_true,
            y_pred,
            self._thresholds,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
        )

    def _average_over_labels(self, per_threshold: Any) -> Any:
        if not self.multi_label:
            return ops.sum(per_threshold)
        by_label = ops.sum(per_threshold, axis=0)
        if self.label_weights is None:
            return ops.mean(by_label)
        return ops.divide_no_nan(
            ops.sum(by_label * self.label_weights), ops.sum(self.label_weights)
        )

    def interpolate_pr_auc(self) -> Any:
        """The PR-AUC with precision interpolated between thresholds (Davis & Goadrich
        2006): within each interval, precision follows ``tp / (tp + fp)`` as ``tp`` and
        ``tp + fp`` change linearly, which integrates in closed form.

        Example::

            >>> float(AUC(curve="PR").interpolate_pr_auc())
            0.0
        """
        tp = self.true_positives.value
        fp = self.false_positives.value
        fn = self.false_negatives.value
        positives = tp + fp
        d_tp = tp[:-1] - tp[1:]
        d_p = positives[:-1] - positives[1:]
        slope = ops.divide_no_nan(d_tp, ops.maximum(d_p, 0))
        intercept = tp[1:] - slope * positives[1:]
        both_positive = ops.logical_and(positives[:-1] > 0, positives[1:] > 0)
        p_ratio = ops.where(
            both_positive,
            ops.divide_no_nan(positives[:-1], ops.maximum(positives[1:], 0)),
            ops.ones_like(positives[1:]),
        )
        increments = ops.divide_no_nan(
            slope * (d_tp + intercept * ops.log(p_ratio)),
            ops.maximum(tp[1:] + fn[1:], 0),
        )
        return self._average_over_labels(increments)

    def result(self) -> Any:
        if self.curve == AUCCurve.PR and self.summation_method == AUCSummationMethod.INTERPOLATION:
            return self.interpolate_pr_auc()
        tp = self.true_positives.value
        fp = self.false_positives.value
        tn = self.true_negatives.value
        fn = self.false_negatives.value
        recall = _ratio(tp, fn)
        if self.curve == AUCCurve.ROC:
            x, y = _ratio(fp, tn), recall
        elif self.curve == AUCCurve.PR:
            x, y = recall, _ratio(tp, fp)
        else:  # PRGAIN: gains relative to a classifier that always says "positive"
            scale = ops.divide_no_nan(tp + fn, tn + fp)
            no_tp = ops.equal(tp, 0.0)
            recall_gain = 1.0 - scale * ops.divide_no_nan(fn, tp)
            precision_gain = 1.0 - scale * ops.divide_no_nan(fp, tp)
            x = ops.maximum(ops.where(no_tp, ops.zeros_like(tp), recall_gain), 0.0)
            y = ops.where(no_tp, ops.ones_like(tp), precision_gain)
        if self.summation_method == AUCSummationMethod.INTERPOLATION:
            heights = (y[:-1] + y[1:]) / 2.0
        elif self.summation_method == AUCSummationMethod.MINORING:
            heights = ops.minimum(y[:-1], y[1:])
        else:
            heights = ops.maximum(y[:-1], y[1:])
        return self._average_over_labels((x[:-1] - x[1:]) * heights)

    def reset_state(self) -> None:
        if self._built:
            super().reset_state()

    def get_config(self) -> dict[str, Any]:
        label_weights = self.label_weights
        if label_weights is not None:
            label_weights = ops.convert_to_numpy(label_weights).tolist()
        config = {
            **super().get_config(),
            "num_thresholds": self.num_thresholds,
            "curve": self.curve.value,
            "summation_method": self.summation_method.value,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": label_weights,
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return config
