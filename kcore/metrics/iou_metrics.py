"""Intersection-over-union metrics for segmentation: ``IoU``, ``BinaryIoU``,
``MeanIoU``, ``OneHotIoU`` and ``OneHotMeanIoU``, all read off one accumulated
confusion matrix.

For class ``c``: ``IoU = TP / (TP + FP + FN)``, from the confusion matrix's diagonal
entry, column sum and row sum.

Example::

    >>> m = MeanIoU(num_classes=2)
    >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
    >>> round(float(m.result()), 4)       # (1/3 + 1/3) / 2
    0.3333
"""

from __future__ import annotations

import warnings
from typing import Any

from kcore import ops
from kcore.metrics.metric import Metric
from kcore.metrics.metrics_utils import confusion_matrix


class _IoUBase(Metric):
    """Accumulates the ``(num_classes, num_classes)`` confusion matrix (rows: labels,
    columns: predictions); samples with a label or prediction outside
    ``[0, num_classes)``, or labelled ``ignore_class``, are left out."""

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        # Counts are integers unless a float dtype is asked for.
        super().__init__(name=name, dtype=dtype or "int32")
        self._direction = "up"
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(
            (num_classes, num_classes), "zeros", dtype=self.dtype, name="total_confusion_matrix"
        )

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add this batch to the confusion matrix (class ids, or one-hot/scores along
        ``axis`` when not sparse)."""
        if not self.sparse_y_true:
            y_true = ops.argmax(y_true, axis=self.axis)
        if not self.sparse_y_pred:
            y_pred = ops.argmax(y_pred, axis=self.axis)
        y_true = ops.reshape(ops.convert_to_tensor(y_true, dtype=self.dtype), (-1,))
        y_pred = ops.reshape(ops.convert_to_tensor(y_pred, dtype=self.dtype), (-1,))
        if sample_weight is None:
            sample_weight = ops.ones_like(y_true)
        else:
            if "float" in str(getattr(sample_weight, "dtype", "")) and "int" in self.dtype:
                warnings.warn(
                    f"{type(self).__name__}: float sample weights are cast to the metric's "
                    f"dtype {self.dtype}, which may truncate them; pass integer weights "
                    "or a float dtype",
                    stacklevel=2,
                )
            sample_weight = ops.convert_to_tensor(sample_weight, dtype=self.dtype)
            sample_weight = ops.broadcast_to(
                ops.reshape(sample_weight, (-1,))
                if len(sample_weight.shape) > 1
                else sample_weight,
                ops.shape(y_true),
            )
        in_range = ops.logical_and(
            ops.logical_and(y_true >= 0, y_true < self.num_classes),
            ops.logical_and(y_pred >= 0, y_pred < self.num_classes),
        )
        if self.ignore_class is not None:
            in_range = ops.logical_and(in_range, ops.not_equal(y_true, self.ignore_class))
        zeros = ops.zeros_like(y_true)
        y_true = ops.where(in_range, y_true, zeros)
        y_pred = ops.where(in_range, y_pred, zeros)
        sample_weight = ops.where(in_range, sample_weight, ops.zeros_like(sample_weight))
        current = confusion_matrix(
            y_true, y_pred, self.num_classes, weights=sample_weight, dtype=self.dtype
        )
        self.total_cm.assign(self.total_cm.value + current)

    def reset_state(self) -> None:
        self.total_cm.assign(ops.zeros(self.total_cm.shape, dtype=self.total_cm.dtype))


class IoU(_IoUBase):
    """The IoU of the classes ``target_class_ids``, averaged over those that occur.

    Args:
        num_classes: the number of classes (the confusion matrix is
            ``num_classes x num_classes``).
        target_class_ids: the class ids whose IoU is averaged.
        name: the metric's name.
        dtype: the dtype of the confusion matrix (default int32).
        ignore_class: a label left out of the matrix (e.g. a "void" class).
        sparse_y_true: whether labels are class ids (else one-hot along ``axis``).
        sparse_y_pred: whether predictions are class ids (else scores along ``axis``).
        axis: the class axis of non-sparse inputs.

    Example::

        >>> m = IoU(num_classes=2, target_class_ids=[0])
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1])
        >>> round(float(m.result()), 4)
        0.3333
    """

    def __init__(
        self,
        num_classes: int,
        target_class_ids: Any,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )
        if max(target_class_ids) >= num_classes:
            raise ValueError(
                f"Target class id {max(target_class_ids)} is out of range, which is "
                f"[0, {num_classes}); pass target_class_ids below num_classes"
            )
        self.target_class_ids = list(target_class_ids)

    def result(self) -> Any:
        """The mean IoU over the target classes whose union is not empty."""
        from kcore.config import epsilon

        cm = ops.cast(self.total_cm.value, "float32")
        true_positives = ops.diagonal(cm)
        union = ops.sum(cm, axis=0) + ops.sum(cm, axis=1) - true_positives
        ids = ops.convert_to_tensor(self.target_class_ids, dtype="int32")
        true_positives = ops.take(true_positives, ids)
        union = ops.take(union, ids)
        present = union > 1e-9
        iou = ops.where(present, true_positives / (union + epsilon()), ops.zeros_like(union))
        count = ops.sum(ops.cast(present, "float32"))
        return ops.sum(iou, axis=self.axis) / (count + epsilon())

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class BinaryIoU(IoU):
    """The IoU of binary segmentation: predictions ``>= threshold`` are class 1.

    Args:
        target_class_ids: which of the classes 0 and 1 to average (default both).
        threshold: the score from which a prediction is class 1.
        name: the metric's name.
        dtype: the dtype of the confusion matrix.

    Example::

        >>> m = BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
        >>> m.update_state([0, 1, 0, 1], [0.1, 0.2, 0.4, 0.7])
        >>> round(float(m.result()), 4)
        0.3333
    """

    def __init__(
        self,
        target_class_ids: Any = (0, 1),
        threshold: float = 0.5,
        name: str | None = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add this batch, thresholding the scores ``y_pred`` into classes 0 and 1."""
        y_pred = ops.convert_to_tensor(y_pred, dtype="float32")
        y_pred = ops.cast(y_pred >= self.threshold, self.dtype)
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {
            "target_class_ids": self.target_class_ids,
            "threshold": self.threshold,
            "name": self.name,
            "dtype": self.dtype,
        }


class MeanIoU(IoU):
    """The IoU averaged over all ``num_classes`` classes (those that occur).

    Args:
        num_classes: the number of classes.
        name: the metric's name.
        dtype: the dtype of the confusion matrix (default int32).
        ignore_class: a label left out of the matrix.
        sparse_y_true: whether labels are class ids (else one-hot along ``axis``).
        sparse_y_pred: whether predictions are class ids (else scores along ``axis``).
        axis: the class axis of non-sparse inputs.

    Example::

        >>> m = MeanIoU(num_classes=2)
        >>> m.update_state([0, 0, 1, 1], [0, 1, 0, 1], sample_weight=[0.3, 0.3, 0.3, 0.1])
    """

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            target_class_ids=list(range(num_classes)),
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "num_classes": self.num_classes,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class OneHotIoU(IoU):
    """:class:`IoU` for one-hot labels (and, by default, per-class scores).

    Args:
        num_classes: the number of classes.
        target_class_ids: the class ids whose IoU is averaged.
        name: the metric's name.
        dtype: the dtype of the confusion matrix.
        ignore_class: a label left out of the matrix.
        sparse_y_pred: whether predictions are class ids (default: scores along ``axis``).
        axis: the class axis.

    Example::

        >>> m = OneHotIoU(num_classes=3, target_class_ids=[0, 2])
        >>> m.update_state([[0, 0, 1], [1, 0, 0]], [[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]])
        >>> round(float(m.result()), 4)
        1.0
    """

    def __init__(
        self,
        num_classes: int,
        target_class_ids: Any,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            target_class_ids=target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


class OneHotMeanIoU(MeanIoU):
    """:class:`MeanIoU` for one-hot labels (and, by default, per-class scores).

    Args:
        num_classes: the number of classes.
        name: the metric's name.
        dtype: the dtype of the confusion matrix.
        ignore_class: a label left out of the matrix.
        sparse_y_pred: whether predictions are class ids (default: scores along ``axis``).
        axis: the class axis.

    Example::

        >>> m = OneHotMeanIoU(num_classes=3)
        >>> m.update_state([[0, 0, 1], [1, 0, 0]], [[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]])
        >>> round(float(m.result()), 4)
        1.0
    """

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ) -> None:
        super().__init__(
            num_classes=num_classes,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "num_classes": self.num_classes,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }
