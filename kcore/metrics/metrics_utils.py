"""Helpers the metrics share: rank alignment, masks, sample-wise reduction, threshold
parsing, confusion-matrix accumulation.

Example::

    >>> from kcore import ops
    >>> a, b = squeeze_or_expand_to_same_rank(ops.ones((4, 1)), ops.ones((4,)))
    >>> tuple(a.shape), tuple(b.shape)
    ((4, 1), (4, 1))
"""

from __future__ import annotations

import enum
from typing import Any

import numpy as np

from kcore import ops
from kcore.losses.loss import apply_mask as _loss_apply_mask
from kcore.losses.loss import get_mask, squeeze_or_expand_to_same_rank

__all__ = [
    "NEG_INF",
    "AUCCurve",
    "AUCSummationMethod",
    "ConfusionMatrix",
    "apply_mask",
    "confusion_matrix",
    "filter_top_k",
    "get_mask",
    "is_evenly_distributed_thresholds",
    "parse_init_thresholds",
    "reduce_to_samplewise_values",
    "squeeze_or_expand_to_same_rank",
    "update_confusion_matrix_variables",
]

#: The score that a prediction outside the top k gets (below any threshold).
NEG_INF = -1e10


def apply_mask(sample_weight: Any, mask: Any, dtype: str) -> Any:
    """``sample_weight`` with masked-out entries set to 0 (the mask itself as weights
    when there are none); unchanged when ``mask`` is ``None``.

    Example::

        >>> w = apply_mask(None, ops.convert_to_tensor([True, False]), "float32")
        >>> ops.convert_to_numpy(w).tolist()
        [1.0, 0.0]
    """
    return _loss_apply_mask(sample_weight, mask, dtype, reduction="sum")


def reduce_to_samplewise_values(
    values: Any, sample_weight: Any, reduce_fn: Any, dtype: str
) -> tuple[Any, Any]:
    """Reduce ``values`` to one value per sample (over every axis after the first, and
    over those axes ``sample_weight`` lacks), weighted by ``sample_weight``. Returns
    ``(values, sample_weight)``, the weights reduced the same way.

    Example::

        >>> v, w = reduce_to_samplewise_values(ops.ones((2, 3)), None, ops.sum, "float32")
        >>> ops.convert_to_numpy(v).tolist()
        [3.0, 3.0]
    """
    mask = get_mask(values)
    values = ops.cast(ops.convert_to_tensor(values), dtype)
    if sample_weight is not None:
        sample_weight = ops.cast(ops.convert_to_tensor(sample_weight), dtype)
        if mask is not None:
            sample_weight = apply_mask(sample_weight, mask, dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_rank, value_rank = len(sample_weight.shape), len(values.shape)
        if value_rank > weight_rank:
            values = reduce_fn(values, axis=tuple(range(weight_rank, value_rank)))
        sample_weight = ops.broadcast_to(sample_weight, ops.shape(values))
        values = values * sample_weight
        if weight_rank > 1:
            sample_weight = reduce_fn(sample_weight, axis=tuple(range(1, weight_rank)))
    if len(values.shape) > 1:
        values = reduce_fn(values, axis=tuple(range(1, len(values.shape))))
    return values, sample_weight


# ------------------------------------------------------------------- thresholds
def _to_list(x: Any) -> list:
    if isinstance(x, list | tuple):
        return list(x)
    if isinstance(x, np.ndarray):
        return x.tolist()
    return [x]


def parse_init_thresholds(thresholds: Any, default_threshold: float = 0.5) -> list[float]:
    """The thresholds as a list (``default_threshold`` when ``None``); each must be in
    [0, 1].

    Example::

        >>> parse_init_thresholds(None)
        [0.5]
    """
    if thresholds is None:
        return [default_threshold]
    thresholds = _to_list(thresholds)
    invalid = [t for t in thresholds if t is None or t < 0 or t > 1]
    if invalid:
        raise ValueError(
            f"Threshold values must be in [0, 1]. Received: {invalid} in thresholds={thresholds}"
        )
    return [float(t) for t in thresholds]


def is_evenly_distributed_thresholds(thresholds: Any) -> bool:
    """Whether ``thresholds`` are ``i / (n - 1)`` for ``i`` in ``0..n-1`` (``n >= 3``):
    then counts are made by bucketing each prediction once instead of comparing it
    with every threshold.

    Example::

        >>> is_evenly_distributed_thresholds([0.0, 0.5, 1.0])
        True
    """
    thresholds = np.asarray(thresholds, dtype="float64")
    n = len(thresholds)
    if n < 3:
        return False
    from kcore import config

    even = np.arange(n, dtype="float32") / (n - 1)
    return bool(np.allclose(thresholds, even, atol=config.epsilon()))


class ConfusionMatrix(enum.Enum):
    """The four counts of a binary confusion matrix, as keys of the variables to update."""

    TRUE_POSITIVES = "tp"
    FALSE_POSITIVES = "fp"
    TRUE_NEGATIVES = "tn"
    FALSE_NEGATIVES = "fn"


class AUCCurve(enum.Enum):
    """The curve :class:`~kcore.metrics.AUC` integrates: ``ROC``, ``PR`` or ``PRGAIN``."""

    ROC = "ROC"
    PR = "PR"
    PRGAIN = "PRGAIN"

    @staticmethod
    def from_str(key: str) -> AUCCurve:
        """``"roc"``/``"ROC"``, ``"pr"``/``"PR"``, ``"prgain"``/``"PRGAIN"``.

        Example::

            >>> AUCCurve.from_str("pr")
            <AUCCurve.PR: 'PR'>
        """
        found = {"roc": AUCCurve.ROC, "pr": AUCCurve.PR, "prgain": AUCCurve.PRGAIN}.get(
            str(key).lower() if key in ("roc", "ROC", "pr", "PR", "prgain", "PRGAIN") else ""
        )
        if found is None:
            raise ValueError(
                f'Invalid AUC curve value: "{key}". Expected values are ["PR", "ROC", "PRGAIN"]'
            )
        return found


class AUCSummationMethod(enum.Enum):
    """How :class:`~kcore.metrics.AUC` sums the area: ``interpolation`` (trapezoids),
    ``majoring`` (upper rectangles) or ``minoring`` (lower rectangles)."""

    INTERPOLATION = "interpolation"
    MAJORING = "majoring"
    MINORING = "minoring"

    @staticmethod
    def from_str(key: str) -> AUCSummationMethod:
        """``"interpolation"``, ``"majoring"`` or ``"minoring"`` (also capitalized).

        Example::

            >>> AUCSummationMethod.from_str("Majoring")
            <AUCSummationMethod.MAJORING: 'majoring'>
        """
        for method in AUCSummationMethod:
            if key in (method.value, method.value.capitalize()):
                return method
        raise ValueError(
            f'Invalid AUC summation method value: "{key}". Expected values are '
            '["interpolation", "majoring", "minoring"]'
        )


def filter_top_k(x: Any, k: int) -> Any:
    """``x`` with every entry outside the top ``k`` of its last axis set to
    :data:`NEG_INF`.

    Example::

        >>> ops.convert_to_numpy(filter_top_k(ops.array([[0.1, 0.5, 0.3]]), 1)).tolist()
        [[-10000000000.0, 0.5, -10000000000.0]]
    """
    _, indices = ops.top_k(x, k)
    in_top = ops.sum(ops.one_hot(indices, x.shape[-1], dtype=x.dtype), axis=-2)
    return x * in_top + NEG_INF * (1 - in_top)


def _bucketed_counts(
    labels: Any, weights: Any, y_pred: Any, num_thresholds: int, multi_label: bool
) -> tuple[Any, Any]:
    """True and false positive counts at evenly spaced thresholds ``i / (n - 1)``.

    A prediction ``p`` exceeds exactly the thresholds below bucket ``ceil(p * (n - 1))``;
    its weight is summed into that bucket, and a reversed cumulative sum gives, per
    threshold, the weight of predictions above it: O(batch + n) instead of
    O(batch * n).
    """
    dtype = y_pred.dtype
    # Bucket b >= 1 counts for thresholds 0..b-1; bucket 0 (p == 0) counts for none.
    buckets = ops.cast(ops.ceil(y_pred * (num_thresholds - 1)), "int32")
    true_w = labels * weights
    false_w = (1 - labels) * weights
    if multi_label:
        num_labels = y_pred.shape[-1]
        offsets = ops.arange(num_labels, dtype="int32") * num_thresholds
        ids = ops.reshape(buckets + offsets, (-1,))
        segments = num_thresholds * num_labels
        tp = ops.segment_sum(ops.reshape(true_w, (-1,)), ids, num_segments=segments)
        fp = ops.segment_sum(ops.reshape(false_w, (-1,)), ids, num_segments=segments)
        # (labels, buckets) -> counts above each threshold, as (thresholds, labels).
        tp = ops.transpose(ops.reshape(tp, (num_labels, num_thresholds)))
        fp = ops.transpose(ops.reshape(fp, (num_labels, num_thresholds)))
        axis = 0
    else:
        ids = ops.reshape(buckets, (-1,))
        tp = ops.segment_sum(ops.reshape(true_w, (-1,)), ids, num_segments=num_thresholds)
        fp = ops.segment_sum(ops.reshape(false_w, (-1,)), ids, num_segments=num_thresholds)
        axis = 0
    # above[t] = sum of buckets b > t.
    tp = ops.flip(ops.cumsum(ops.flip(tp, axis=axis), axis=axis), axis=axis)
    fp = ops.flip(ops.cumsum(ops.flip(fp, axis=axis), axis=axis), axis=axis)
    zero = ops.zeros_like(tp[:1])
    tp = ops.cast(ops.concatenate([tp[1:], zero], axis=0), dtype)
    fp = ops.cast(ops.concatenate([fp[1:], zero], axis=0), dtype)
    return tp, fp


def update_confusion_matrix_variables(
    variables_to_update: dict,
    y_true: Any,
    y_pred: Any,
    thresholds: Any,
    top_k: int | None = None,
    class_id: int | None = None,
    sample_weight: Any = None,
    multi_label: bool = False,
    label_weights: Any = None,
    thresholds_distributed_evenly: bool = False,
) -> None:
    """Add this batch's (weighted) true/false positive/negative counts at each
    threshold to the variables in ``variables_to_update`` (keyed by
    :class:`ConfusionMatrix`).

    A prediction is positive at threshold ``t`` when it is ``> t``. Without
    ``multi_label`` every entry of ``y_pred`` is one binary decision and each variable
    has shape ``(num_thresholds,)``; with it, the last axis holds labels counted
    separately and variables have shape ``(num_thresholds, num_labels)``. ``top_k``
    keeps only the k highest predictions per sample; ``class_id`` looks at one class.

    Example::

        >>> update_confusion_matrix_variables(
        ...     {ConfusionMatrix.TRUE_POSITIVES: tp_variable}, [0, 1, 1], [0.2, 0.8, 0.4],
        ...     thresholds=[0.5])   # tp_variable += [1.0]
    """
    if multi_label and label_weights is not None:
        raise ValueError(
            "update_confusion_matrix_variables: label_weights with multi_label=True "
            "must be applied by the caller (to the per-label result), not here"
        )
    if not variables_to_update:
        return
    invalid = [key for key in variables_to_update if not isinstance(key, ConfusionMatrix)]
    if invalid:
        raise ValueError(
            f"Invalid keys: {invalid}. Valid variable key options are: {list(ConfusionMatrix)}"
        )
    dtype = next(iter(variables_to_update.values())).dtype
    y_true = ops.cast(ops.convert_to_tensor(y_true), dtype)
    y_pred = ops.cast(ops.convert_to_tensor(y_pred), dtype)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = ops.expand_dims(
            ops.cast(ops.convert_to_tensor(sample_weight), dtype), axis=-1
        )
        _, sample_weight = squeeze_or_expand_to_same_rank(
            y_true, sample_weight, expand_rank_1=False
        )
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if len(y_pred.shape) == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape "
                f"(num_samples, num_classes); received shape {tuple(y_pred.shape)}"
            )
        y_true = y_true[..., class_id : class_id + 1]
        y_pred = y_pred[..., class_id : class_id + 1]

    labels = ops.cast(ops.not_equal(y_true, 0), dtype)
    weights = ops.ones_like(y_pred)
    if sample_weight is not None:
        weights = weights * ops.broadcast_to(sample_weight, ops.shape(y_pred))
    if label_weights is not None:
        label_weights = ops.cast(ops.convert_to_tensor(label_weights), dtype)
        weights = weights * ops.broadcast_to(label_weights, ops.shape(y_pred))
    if multi_label:
        if len(y_pred.shape) > 2:
            y_pred = ops.reshape(y_pred, (-1, y_pred.shape[-1]))
            labels = ops.reshape(labels, (-1, labels.shape[-1]))
            weights = ops.reshape(weights, (-1, weights.shape[-1]))
        elif len(y_pred.shape) == 1:
            y_pred, labels, weights = (ops.expand_dims(t, -1) for t in (y_pred, labels, weights))
    else:
        y_pred, labels, weights = (ops.reshape(t, (-1,)) for t in (y_pred, labels, weights))

    thresholds = _to_list(thresholds)
    n = len(thresholds)
    if thresholds_distributed_evenly:
        # Thresholds i / (n - 1), the outer ones maybe pushed out by epsilon (AUC): a
        # prediction is then above the first and below the last whatever its value.
        widened = thresholds[0] < 0.0 or thresholds[-1] > 1.0
        clipped = ops.clip(y_pred, 0.0, 1.0)
        tp, fp = _bucketed_counts(labels, weights, clipped, n, multi_label)
        if widened:
            # Predictions at exactly 0 exceed the widened first threshold (-epsilon).
            at_zero = ops.cast(ops.less_equal(clipped, 0.0), dtype)
            first_tp = ops.sum(labels * weights * at_zero, axis=0)
            first_fp = ops.sum((1 - labels) * weights * at_zero, axis=0)
            bump = ops.cast(ops.equal(ops.arange(n), 0), dtype)
            if multi_label:
                bump = ops.expand_dims(bump, -1)
            tp = tp + bump * first_tp
            fp = fp + bump * first_fp
    else:
        t = ops.convert_to_tensor(np.asarray(thresholds, dtype="float64"), dtype=dtype)
        t = ops.reshape(t, (n,) + (1,) * len(y_pred.shape))
        above = ops.cast(ops.greater(ops.expand_dims(y_pred, 0), t), dtype)
        tp = ops.sum(above * (labels * weights), axis=1)
        fp = ops.sum(above * ((1 - labels) * weights), axis=1)
    need_totals = (
        ConfusionMatrix.TRUE_NEGATIVES in variables_to_update
        or ConfusionMatrix.FALSE_NEGATIVES in variables_to_update
    )
    updates = {ConfusionMatrix.TRUE_POSITIVES: tp, ConfusionMatrix.FALSE_POSITIVES: fp}
    if need_totals:
        updates[ConfusionMatrix.FALSE_NEGATIVES] = ops.sum(labels * weights, axis=0) - tp
        updates[ConfusionMatrix.TRUE_NEGATIVES] = ops.sum((1 - labels) * weights, axis=0) - fp
    for key, variable in variables_to_update.items():
        variable.assign(variable.value + ops.cast(updates[key], variable.dtype))


def confusion_matrix(
    labels: Any, predictions: Any, num_classes: int, weights: Any = None, dtype: str = "int32"
) -> Any:
    """The ``(num_classes, num_classes)`` confusion matrix: entry ``[i, j]`` sums the
    weights of samples with label ``i`` predicted as ``j``.

    Example::

        >>> ops.convert_to_numpy(confusion_matrix([0, 1, 1], [0, 1, 0], 2)).tolist()
        [[1, 0], [1, 1]]
    """
    labels = ops.reshape(ops.cast(ops.convert_to_tensor(labels), "int32"), (-1,))
    predictions = ops.reshape(ops.cast(ops.convert_to_tensor(predictions), "int32"), (-1,))
    num_classes = int(num_classes)
    if weights is None:
        values = ops.ones_like(labels, dtype=dtype)
    else:
        values = ops.broadcast_to(
            ops.cast(ops.reshape(ops.convert_to_tensor(weights), (-1,)), dtype),
            ops.shape(labels),
        )
    flat = ops.segment_sum(values, labels * num_classes + predictions, num_segments=num_classes**2)
    return ops.reshape(flat, (num_classes, num_classes))
