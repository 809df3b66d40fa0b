"""Keras 3's losses: the functions (``mean_squared_error``...) and the :class:`Loss`
classes that wrap them (``MeanSquaredError``...).

A function takes ``(y_true, y_pred)`` and returns the loss of each sample, reduced
over the last axis (or the axis named); a class adds reduction, sample weights and
masks (see :class:`kcore.losses.loss.Loss`).

Example::

    >>> float(MeanSquaredError()([[0.0, 1.0]], [[1.0, 1.0]]))
    0.5
    >>> ops.convert_to_numpy(mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]])).tolist()
    [0.5]
"""

from __future__ import annotations

import math
import warnings
from typing import Any

from kcore import ops, tree
from kcore.config import epsilon as _epsilon
from kcore.dtypes import is_int_dtype
from kcore.losses.loss import Loss, set_mask, squeeze_or_expand_to_same_rank

__all__ = [
    "BinaryCrossentropy",
    "BinaryFocalCrossentropy",
    "CTC",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "CategoricalGeneralizedCrossEntropy",
    "CategoricalHinge",
    "Circle",
    "CosineSimilarity",
    "Dice",
    "Hinge",
    "Huber",
    "KLDivergence",
    "LogCosh",
    "LossFunctionWrapper",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "Tversky",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_generalized_cross_entropy",
    "categorical_hinge",
    "circle",
    "cosine_similarity",
    "ctc",
    "dice",
    "hinge",
    "huber",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "poisson",
    "sparse_categorical_crossentropy",
    "squared_hinge",
    "tversky",
]


# ------------------------------------------------------------------------- helpers
def _pair(y_true: Any, y_pred: Any, same_rank: bool = True) -> tuple[Any, Any]:
    """Both as tensors, ``y_true`` in ``y_pred``'s dtype, optionally of one rank."""
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    if y_true.dtype != y_pred.dtype:
        y_true = ops.cast(y_true, y_pred.dtype)
    if same_rank:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred


def _check_int_axis(axis: Any, loss: str) -> None:
    if isinstance(axis, bool) or not isinstance(axis, int):
        raise ValueError(
            f"{loss}: `axis` must be an int. Received: axis={axis!r} of type {type(axis).__name__}"
        )


def _warn_single_class(y_pred: Any, loss: str) -> None:
    if y_pred.shape and y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss {loss}, expected y_pred.shape to be (batch_size, num_classes) with "
            f"num_classes > 1. Received: y_pred.shape={tuple(y_pred.shape)}. Consider "
            "using 'binary_crossentropy' if you only have 2 classes.",
            SyntaxWarning,
            stacklevel=3,
        )


def _smooth_categorical(y_true: Any, label_smoothing: float, dtype: Any) -> Any:
    num_classes = ops.cast(ops.shape(y_true)[-1], dtype)
    return y_true * (1.0 - label_smoothing) + label_smoothing / num_classes


def _hinge_labels(y_true: Any) -> Any:
    # Labels in {0, 1} become {-1, 1}; other labels (already -1/1) are kept.
    is_binary = ops.all(ops.logical_or(ops.equal(y_true, 0), ops.equal(y_true, 1)))
    return ops.where(is_binary, 2.0 * y_true - 1.0, y_true)


# ------------------------------------------------------------------ regression losses
def mean_squared_error(y_true: Any, y_pred: Any) -> Any:
    """Mean of ``square(y_true - y_pred)`` over the last axis.

    Example::

        >>> mean_squared_error([[0.0, 1.0]], [[1.0, 1.0]])   # tensor [0.5]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.mean(ops.square(y_true - y_pred), axis=-1)


def mean_absolute_error(y_true: Any, y_pred: Any) -> Any:
    """Mean of ``abs(y_true - y_pred)`` over the last axis.

    Example::

        >>> mean_absolute_error([[0.0, 1.0]], [[1.0, 3.0]])   # tensor [1.5]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return ops.mean(ops.abs(y_true - y_pred), axis=-1)


def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> Any:
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)))`` over the last
    axis.

    Example::

        >>> mean_absolute_percentage_error([[2.0, 4.0]], [[1.0, 4.0]])   # tensor [25.]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    eps = ops.convert_to_tensor(_epsilon(), dtype=y_pred.dtype)
    diff = ops.abs((y_true - y_pred) / ops.maximum(ops.abs(y_true), eps))
    return 100.0 * ops.mean(diff, axis=-1)


def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> Any:
    """Mean of ``square(log(y_pred + 1) - log(y_true + 1))`` over the last axis, with
    values below ``epsilon`` raised to ``epsilon`` first.

    Example::

        >>> mean_squared_logarithmic_error([[0.0]], [[math.e - 1]])   # tensor [1.]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    eps = ops.convert_to_tensor(_epsilon(), dtype=y_pred.dtype)
    first = ops.log(ops.maximum(y_pred, eps) + 1.0)
    second = ops.log(ops.maximum(y_true, eps) + 1.0)
    return ops.mean(ops.square(first - second), axis=-1)


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> Any:
    """The negated cosine similarity of ``y_true`` and ``y_pred`` along ``axis``: -1
    for vectors pointing the same way, 0 for orthogonal ones, 1 for opposite ones.

    Example::

        >>> cosine_similarity([[0.0, 1.0]], [[0.0, 2.0]])   # tensor [-1.]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y_pred = ops.normalize(y_pred, axis=axis)
    y_true = ops.normalize(y_true, axis=axis)
    return -ops.sum(y_true * y_pred, axis=axis)


def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> Any:
    """Huber loss, averaged over the last axis: ``0.5 * e**2`` where ``|e| <= delta``,
    ``delta * |e| - 0.5 * delta**2`` elsewhere (``e = y_pred - y_true``).

    Example::

        >>> huber([[0.0, 0.0]], [[0.5, 3.0]])   # tensor [1.3125]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    delta = ops.convert_to_tensor(delta, dtype=y_pred.dtype)
    error = y_pred - y_true
    abs_error = ops.abs(error)
    half = ops.convert_to_tensor(0.5, dtype=y_pred.dtype)
    quadratic = half * ops.square(error)
    linear = delta * abs_error - half * ops.square(delta)
    return ops.mean(ops.where(abs_error <= delta, quadratic, linear), axis=-1)


def log_cosh(y_true: Any, y_pred: Any) -> Any:
    """Mean of ``log(cosh(y_pred - y_true))`` over the last axis, computed stably as
    ``x + softplus(-2x) - log(2)``.

    Example::

        >>> log_cosh([[0.0]], [[1.0]])   # tensor [0.4337808]
    """
    y_true, y_pred = _pair(y_true, y_pred)
    log2 = ops.convert_to_tensor(math.log(2.0), dtype=y_pred.dtype)
    x = y_pred - y_true
    return ops.mean(x + ops.softplus(x * -2.0) - log2, axis=-1)


# --------------------------------------------------------------- probabilistic losses
def kl_divergence(y_true: Any, y_pred: Any) -> Any:
    """Kullback-Leibler divergence ``sum(y_true * log(y_true / y_pred))`` over the last
    axis, both clipped to ``[epsilon, 1]``.

    Example::

        >>> kl_divergence([[0.5, 0.5]], [[0.25, 0.75]])   # tensor [0.1438]
    """
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    y_true = ops.clip(y_true, _epsilon(), 1.0)
    y_pred = ops.clip(y_pred, _epsilon(), 1.0)
    return ops.sum(y_true * ops.log(y_true / y_pred), axis=-1)


def poisson(y_true: Any, y_pred: Any) -> Any:
    """Poisson loss ``mean(y_pred - y_true * log(y_pred + epsilon))`` over the last axis.

    Example::

        >>> poisson([[1.0]], [[1.0]])   # tensor [1.]
    """
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    eps = ops.convert_to_tensor(_epsilon(), dtype=y_pred.dtype)
    return ops.mean(y_pred - y_true * ops.log(y_pred + eps), axis=-1)


def categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis=-1
) -> Any:
    """Cross-entropy between one-hot (or soft) labels ``y_true`` and predicted class
    probabilities ``y_pred`` (logits when ``from_logits``) along ``axis``.
    ``label_smoothing`` in ``[0, 1]`` mixes the labels with the uniform distribution.

    Example::

        >>> categorical_crossentropy([[0.0, 1.0]], [[0.2, 0.8]])   # tensor [0.2231]
    """
    _check_int_axis(axis, "categorical_crossentropy")
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    _warn_single_class(y_pred, "categorical_crossentropy")
    if label_smoothing:
        y_true = _smooth_categorical(y_true, label_smoothing, y_pred.dtype)
    return ops.categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)


def categorical_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Any:
    """Focal cross-entropy for one-hot labels: each class's cross-entropy term is
    scaled by ``alpha * (1 - p)**gamma``, down-weighting well-classified examples.

    Example::

        >>> categorical_focal_crossentropy([[0.0, 1.0]], [[0.2, 0.8]])   # tensor [0.00223]
    """
    _check_int_axis(axis, "categorical_focal_crossentropy")
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    _warn_single_class(y_pred, "categorical_focal_crossentropy")
    if label_smoothing:
        y_true = _smooth_categorical(y_true, label_smoothing, y_pred.dtype)
    if from_logits:
        y_pred = ops.softmax(y_pred, axis=axis)
    eps = _epsilon()
    output = y_pred / ops.sum(y_pred, axis=axis, keepdims=True)
    output = ops.clip(output, eps, 1.0 - eps)
    cross_entropy = -y_true * ops.log(output)
    weight = alpha * ops.power(1.0 - output, gamma)
    return ops.sum(weight * cross_entropy, axis=axis)


def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, ignore_class: int | None = None, axis=-1
) -> Any:
    """Cross-entropy between integer class labels ``y_true`` and predicted class
    probabilities ``y_pred`` (logits when ``from_logits``) along ``axis``. Entries whose
    label is ``ignore_class`` give 0 and are masked out of the reduction.

    Example::

        >>> sparse_categorical_crossentropy([1], [[0.2, 0.8]])   # tensor [0.2231]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.convert_to_tensor(y_true)
    if len(y_true.shape) == len(y_pred.shape) and y_true.shape[axis] == 1:
        y_true = ops.squeeze(y_true, axis=axis)
    if not is_int_dtype(y_true.dtype):  # Loss.__call__ hands labels over as floats
        y_true = ops.cast(y_true, "int32")
    if ignore_class is None:
        return ops.sparse_categorical_crossentropy(
            y_true, y_pred, from_logits=from_logits, axis=axis
        )
    rank = len(y_pred.shape)
    if not -rank <= axis < rank:
        raise ValueError(
            f"sparse_categorical_crossentropy: axis={axis} is out of range for y_pred of "
            f"rank {rank} (shape {tuple(y_pred.shape)})"
        )
    valid = ops.not_equal(y_true, ignore_class)
    y_true = ops.where(valid, y_true, ops.zeros_like(y_true))
    y_pred = ops.where(ops.expand_dims(valid, axis), y_pred, ops.zeros_like(y_pred))
    values = ops.sparse_categorical_crossentropy(y_true, y_pred, from_logits=from_logits, axis=axis)
    if len(valid.shape) != len(values.shape):
        valid = ops.reshape(valid, ops.shape(values))
    values = ops.where(valid, values, ops.zeros_like(values))
    set_mask(values, valid)
    return values


def binary_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis=-1
) -> Any:
    """Binary cross-entropy between labels in ``[0, 1]`` and predicted probabilities
    ``y_pred`` (logits when ``from_logits``), averaged over ``axis``.
    ``label_smoothing`` pulls the labels towards 0.5.

    Example::

        >>> binary_crossentropy([[0.0, 1.0]], [[0.4, 0.6]])   # tensor [0.5108]
    """
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return ops.mean(ops.binary_crossentropy(y_true, y_pred, from_logits=from_logits), axis=axis)


def binary_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> Any:
    """Binary focal cross-entropy: binary cross-entropy scaled by ``(1 - p_t)**gamma``
    (``p_t`` the probability given to the true label), and by ``alpha`` for positives
    and ``1 - alpha`` for negatives when ``apply_class_balancing``; averaged over ``axis``.

    Example::

        >>> binary_focal_crossentropy([[0.0, 1.0]], [[0.4, 0.6]])   # tensor [0.0817]
    """
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        y_pred = ops.sigmoid(y_pred)
    bce = ops.binary_crossentropy(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1.0 - y_true) * (1.0 - y_pred)
    focal = ops.power(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal = (y_true * alpha + (1.0 - y_true) * (1.0 - alpha)) * focal
    return ops.mean(focal, axis=axis)


def categorical_generalized_cross_entropy(y_true: Any, y_pred: Any, q: float) -> Any:
    """Generalized cross-entropy ``(1 - p**q) / q`` for integer labels ``y_true``
    (``p`` the predicted probability of the true class), robust to noisy labels;
    ``q`` in ``(0, 1)``: towards 0 it approaches cross-entropy, at 1 mean absolute error.

    Example::

        >>> categorical_generalized_cross_entropy([1], [[0.36, 0.64]], q=0.5)   # tensor [0.4]
    """
    y_pred = ops.convert_to_tensor(y_pred)
    labels = ops.cast(y_true, "int32")
    one_hot = ops.one_hot(labels, y_pred.shape[-1], dtype=y_pred.dtype)
    p = ops.sum(y_pred * one_hot, axis=-1)
    return (1.0 - ops.power(p, q)) / q


# ---------------------------------------------------------------------- hinge losses
def hinge(y_true: Any, y_pred: Any) -> Any:
    """Hinge loss ``mean(maximum(1 - y_true * y_pred, 0))`` over the last axis; labels
    may be -1/1 or 0/1 (converted to -1/1).

    Example::

        >>> hinge([[0.0, 1.0]], [[-0.5, 0.5]])   # tensor [0.5]
    """
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    y_true = _hinge_labels(y_true)
    return ops.mean(ops.maximum(1.0 - y_true * y_pred, 0.0), axis=-1)


def squared_hinge(y_true: Any, y_pred: Any) -> Any:
    """Squared hinge loss ``mean(square(maximum(1 - y_true * y_pred, 0)))`` over the last
    axis; labels may be -1/1 or 0/1.

    Example::

        >>> squared_hinge([[0.0, 1.0]], [[-0.5, 0.5]])   # tensor [0.25]
    """
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    y_true = _hinge_labels(y_true)
    return ops.mean(ops.square(ops.maximum(1.0 - y_true * y_pred, 0.0)), axis=-1)


def categorical_hinge(y_true: Any, y_pred: Any) -> Any:
    """Categorical hinge loss ``maximum(neg - pos + 1, 0)`` with one-hot labels:
    ``pos`` the score of the true class, ``neg`` the highest score of the others.

    Example::

        >>> categorical_hinge([[0.0, 1.0]], [[0.3, 0.8]])   # tensor [0.5]
    """
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    pos = ops.sum(y_true * y_pred, axis=-1)
    neg = ops.max((1.0 - y_true) * y_pred, axis=-1)
    return ops.maximum(neg - pos + 1.0, ops.zeros_like(pos))


# ------------------------------------------------------------------ sequence, segments
def ctc(y_true: Any, y_pred: Any) -> Any:
    """Connectionist temporal classification loss, one value per sequence: ``y_true``
    integer labels ``(batch, max_label_length)`` padded with 0 (the blank class),
    ``y_pred`` logits ``(batch, max_time, num_classes)``.

    Example::

        >>> ctc([[1, 2]], kcore.random.normal((1, 5, 4))).shape
        (1,)
    """
    y_true = ops.convert_to_tensor(y_true)
    y_pred = ops.convert_to_tensor(y_pred)
    if len(y_true.shape) != 2:
        raise ValueError(
            "ctc: targets `y_true` are expected to be a tensor of shape "
            f"(batch_size, max_length) of integer labels. Received: y_true.shape="
            f"{tuple(y_true.shape)}"
        )
    if len(y_pred.shape) != 3:
        raise ValueError(
            "ctc: logits `y_pred` are expected to be a tensor of shape "
            f"(batch_size, max_length, num_classes). Received: y_pred.shape="
            f"{tuple(y_pred.shape)}"
        )
    y_true = ops.cast(y_true, "int32")
    batch, steps = y_pred.shape[0], y_pred.shape[1]
    if isinstance(batch, int) and isinstance(steps, int):
        input_length = ops.full((batch,), steps, dtype="int32")
    else:  # dynamic sizes inside a traced function
        input_length = ops.sum(ops.ones_like(y_pred[:, :, 0], dtype="int32"), axis=1)
    label_length = ops.cast(ops.sum(ops.cast(ops.not_equal(y_true, 0), "int32"), axis=-1), "int32")
    return ops.ctc_loss(y_true, y_pred, label_length, input_length, mask_index=0)


def dice(y_true: Any, y_pred: Any, axis: Any = None) -> Any:
    """Dice loss ``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))``, the
    sums over ``axis`` (everything when ``None``).

    Example::

        >>> dice([[1.0, 0.0]], [[1.0, 1.0]])   # tensor 0.3333
    """
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    intersection = ops.sum(y_true * y_pred, axis=axis)
    total = ops.sum(y_true, axis=axis) + ops.sum(y_pred, axis=axis) + _epsilon()
    return 1.0 - ops.divide(2.0 * intersection, total)


def tversky(y_true: Any, y_pred: Any, alpha: float = 0.5, beta: float = 0.5, axis=None) -> Any:
    """Tversky loss ``1 - TP / (TP + alpha * FP + beta * FN)``, the counts summed over
    ``axis`` (everything when ``None``); ``alpha = beta = 0.5`` is the Dice loss.

    Example::

        >>> tversky([[1.0, 0.0]], [[1.0, 1.0]])   # tensor 0.3333
    """
    y_true, y_pred = _pair(y_true, y_pred, same_rank=False)
    intersection = ops.sum(y_true * y_pred, axis=axis)
    false_pos = ops.sum((1.0 - y_pred) * y_true, axis=axis)
    false_neg = ops.sum(y_pred * (1.0 - y_true), axis=axis)
    denominator = intersection + false_pos * alpha + false_neg * beta + _epsilon()
    return 1.0 - ops.divide(intersection, denominator)


def _positive_negative_masks(labels: Any, ref_labels: Any, remove_diagonal: bool) -> tuple:
    if len(labels.shape) == 1:
        labels = ops.reshape(labels, (-1, 1))
    if len(ref_labels.shape) == 1:
        ref_labels = ops.reshape(ref_labels, (-1, 1))
    positive = ops.equal(labels, ops.transpose(ref_labels, (1, 0)))
    negative = ops.logical_not(positive)
    if remove_diagonal:
        positive = ops.logical_and(positive, ops.logical_not(_identity_like(positive)))
    return positive, negative


def _identity_like(matrix: Any) -> Any:
    rows, cols = matrix.shape
    if isinstance(rows, int) and isinstance(cols, int):
        return ops.eye(rows, cols, dtype="bool")
    # A dynamic batch size (inside a traced function): number rows and columns.
    ones = ops.ones_like(matrix, dtype="int32")
    row_index = ops.cumsum(ones, axis=0)
    col_index = ops.cumsum(ones, axis=1)
    return ops.equal(row_index, col_index)


def circle(
    y_true: Any,
    y_pred: Any,
    ref_labels: Any = None,
    ref_embeddings: Any = None,
    remove_diagonal: bool = True,
    gamma: float = 80,
    margin: float = 0.4,
) -> Any:
    """Circle loss (Sun et al., 2020) for metric learning: ``y_true`` integer labels
    ``(batch,)``, ``y_pred`` L2-normalized embeddings ``(batch, dim)``, compared with
    ``ref_embeddings``/``ref_labels`` (default: the batch itself). Pairs of one label
    are pulled together, pairs of different labels pushed apart; ``gamma`` scales the
    similarities and ``margin`` sets the decision margin. Samples with no loss are masked.

    Example::

        >>> circle([0, 0, 1], ops.normalize(kcore.random.normal((3, 4)))).shape
        (3,)
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, "int32")
    ref_embeddings = y_pred if ref_embeddings is None else ops.convert_to_tensor(ref_embeddings)
    ref_labels = y_true if ref_labels is None else ops.cast(ref_labels, "int32")
    distances = ops.maximum(1.0 - ops.matmul(y_pred, ops.transpose(ref_embeddings, (1, 0))), 0.0)
    positive, negative = _positive_negative_masks(y_true, ref_labels, remove_diagonal)
    zero = ops.zeros_like(distances)
    pos_weights = ops.maximum(ops.where(positive, margin + distances, zero), 0.0)
    neg_weights = ops.maximum(ops.where(negative, 1.0 + margin - distances, zero), 0.0)
    pos_scaled = -gamma * pos_weights * (margin - distances)
    neg_scaled = gamma * neg_weights * ((1.0 - margin) - distances)
    minus_inf = ops.full_like(distances, float("-inf"))
    pos_loss = ops.logsumexp(ops.where(positive, pos_scaled, minus_inf), axis=1)
    neg_loss = ops.logsumexp(ops.where(negative, neg_scaled, minus_inf), axis=1)
    values = ops.softplus(pos_loss + neg_loss)
    set_mask(values, values > 0)
    return values


# ------------------------------------------------------------------- the Loss classes
def _is_structure(x: Any) -> bool:
    return isinstance(x, list | tuple | dict)


class LossFunctionWrapper(Loss):
    """A :class:`Loss` around a loss function ``fn(y_true, y_pred, **kwargs)``.

    Example::

        >>> loss = LossFunctionWrapper(huber, delta=2.0, reduction="sum")
        >>> float(loss([[0.0]], [[3.0]]))
        4.0
    """

    #: Keras 3 writes this class's configs under its private module; so does kcore.
    _keras_module = "keras.src.losses.losses"

    def __init__(
        self,
        fn: Any,
        reduction: Any = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ):
        if not callable(fn):
            raise TypeError(
                f"LossFunctionWrapper expects a callable `fn(y_true, y_pred)`. Received: "
                f"fn={fn!r} of type {type(fn).__name__}"
            )
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def call(self, y_true: Any, y_pred: Any) -> Any:
        if _is_structure(y_true) or _is_structure(y_pred):
            pairs = tree.map_structure(squeeze_or_expand_to_same_rank, y_true, y_pred)
            y_true = tree.map_structure_up_to(y_true, lambda pair: pair[0], pairs)
            y_pred = tree.map_structure_up_to(y_pred, lambda pair: pair[1], pairs)
        else:
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        from kcore.saving.serialization import serialize_keras_object

        config = super().get_config()
        config["fn"] = serialize_keras_object(self.fn)
        config.update(serialize_keras_object(self._fn_kwargs))
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        if "fn" in config:
            from kcore.saving.serialization import deserialize_keras_object

            config = deserialize_keras_object(config)
        return cls(**config)

    def __repr__(self) -> str:
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"


class _FunctionLoss(LossFunctionWrapper):
    """A built-in loss class: its config is its constructor arguments, not ``fn``."""

    #: constructor arguments (besides name and reduction) written to the config
    _config_keys: tuple[str, ...] = ()

    def get_config(self) -> dict[str, Any]:
        config = Loss.get_config(self)
        config.update({key: getattr(self, key) for key in self._config_keys})
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        return cls(**config)

    def __repr__(self) -> str:
        return Loss.__repr__(self)


class MeanSquaredError(_FunctionLoss):
    """Mean of the squares of the errors: ``mean(square(y_true - y_pred))``.

    Example::

        >>> float(MeanSquaredError()([[0.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 0.0]]))
        0.5
    """

    def __init__(
        self, reduction: Any = "sum_over_batch_size", name="mean_squared_error", dtype=None
    ):
        super().__init__(mean_squared_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsoluteError(_FunctionLoss):
    """Mean of the absolute errors: ``mean(abs(y_true - y_pred))``.

    Example::

        >>> float(MeanAbsoluteError()([[0.0, 1.0]], [[1.0, 1.0]]))
        0.5
    """

    def __init__(
        self, reduction: Any = "sum_over_batch_size", name="mean_absolute_error", dtype=None
    ):
        super().__init__(mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


class MeanAbsolutePercentageError(_FunctionLoss):
    """Mean absolute percentage error: ``100 * mean(abs((y_true - y_pred) / y_true))``.

    Example::

        >>> float(MeanAbsolutePercentageError()([[2.0, 4.0]], [[1.0, 4.0]]))
        25.0
    """

    def __init__(
        self,
        reduction: Any = "sum_over_batch_size",
        name="mean_absolute_percentage_error",
        dtype=None,
    ):
        super().__init__(
            mean_absolute_percentage_error, name=name, reduction=reduction, dtype=dtype
        )


class MeanSquaredLogarithmicError(_FunctionLoss):
    """Mean squared logarithmic error: ``mean(square(log(y_true + 1) - log(y_pred + 1)))``.

    Example::

        >>> round(float(MeanSquaredLogarithmicError()([[0.0]], [[math.e - 1]])), 4)
        1.0
    """

    def __init__(
        self,
        reduction: Any = "sum_over_batch_size",
        name="mean_squared_logarithmic_error",
        dtype=None,
    ):
        super().__init__(
            mean_squared_logarithmic_error, name=name, reduction=reduction, dtype=dtype
        )


class CosineSimilarity(_FunctionLoss):
    """Negated cosine similarity along ``axis`` (-1: same direction, 1: opposite).

    Example::

        >>> float(CosineSimilarity()([[0.0, 1.0]], [[0.0, 3.0]]))
        -1.0
    """

    _config_keys = ("axis",)

    def __init__(
        self,
        axis: int = -1,
        reduction: Any = "sum_over_batch_size",
        name="cosine_similarity",
        dtype=None,
    ):
        super().__init__(cosine_similarity, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis


class Huber(_FunctionLoss):
    """Huber loss: quadratic for errors up to ``delta``, linear beyond.

    Example::

        >>> float(Huber()([[0.0, 0.0]], [[0.5, 3.0]]))
        1.3125
    """

    _config_keys = ("delta",)

    def __init__(
        self,
        delta: float = 1.0,
        reduction: Any = "sum_over_batch_size",
        name="huber_loss",
        dtype=None,
    ):
        super().__init__(huber, name=name, reduction=reduction, dtype=dtype, delta=delta)
        self.delta = delta


class LogCosh(_FunctionLoss):
    """Mean of ``log(cosh(y_pred - y_true))``.

    Example::

        >>> round(float(LogCosh()([[0.0]], [[1.0]])), 4)
        0.4338
    """

    def __init__(self, reduction: Any = "sum_over_batch_size", name="log_cosh", dtype=None):
        super().__init__(log_cosh, name=name, reduction=reduction, dtype=dtype)


class Hinge(_FunctionLoss):
    """Hinge loss ``maximum(1 - y_true * y_pred, 0)``; labels -1/1 or 0/1.

    Example::

        >>> float(Hinge()([[0.0, 1.0]], [[-0.5, 0.5]]))
        0.5
    """

    def __init__(self, reduction: Any = "sum_over_batch_size", name="hinge", dtype=None):
        super().__init__(hinge, name=name, reduction=reduction, dtype=dtype)


class SquaredHinge(_FunctionLoss):
    """Squared hinge loss ``square(maximum(1 - y_true * y_pred, 0))``; labels -1/1 or 0/1.

    Example::

        >>> float(SquaredHinge()([[0.0, 1.0]], [[-0.5, 0.5]]))
        0.25
    """

    def __init__(self, reduction: Any = "sum_over_batch_size", name="squared_hinge", dtype=None):
        super().__init__(squared_hinge, name=name, reduction=reduction, dtype=dtype)


class CategoricalHinge(_FunctionLoss):
    """Categorical hinge loss ``maximum(neg - pos + 1, 0)`` with one-hot labels.

    Example::

        >>> float(CategoricalHinge()([[0.0, 1.0]], [[0.3, 0.8]]))
        0.5
    """

    def __init__(
        self, reduction: Any = "sum_over_batch_size", name="categorical_hinge", dtype=None
    ):
        super().__init__(categorical_hinge, name=name, reduction=reduction, dtype=dtype)


class KLDivergence(_FunctionLoss):
    """Kullback-Leibler divergence ``y_true * log(y_true / y_pred)``.

    Example::

        >>> round(float(KLDivergence()([[0.5, 0.5]], [[0.25, 0.75]])), 4)
        0.1438
    """

    def __init__(self, reduction: Any = "sum_over_batch_size", name="kl_divergence", dtype=None):
        super().__init__(kl_divergence, name=name, reduction=reduction, dtype=dtype)


class Poisson(_FunctionLoss):
    """Poisson loss ``y_pred - y_true * log(y_pred)``.

    Example::

        >>> round(float(Poisson()([[1.0]], [[1.0]])), 4)
        1.0
    """

    def __init__(self, reduction: Any = "sum_over_batch_size", name="poisson", dtype=None):
        super().__init__(poisson, name=name, reduction=reduction, dtype=dtype)


class BinaryCrossentropy(_FunctionLoss):
    """Binary cross-entropy for labels in ``[0, 1]`` and predicted probabilities (or
    logits with ``from_logits=True``); ``label_smoothing`` pulls labels towards 0.5.

    Example::

        >>> round(float(BinaryCrossentropy()([[0.0, 1.0]], [[0.4, 0.6]])), 4)
        0.5108
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = "sum_over_batch_size",
        name="binary_crossentropy",
        dtype=None,
    ):
        super().__init__(
            binary_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class BinaryFocalCrossentropy(_FunctionLoss):
    """Binary focal cross-entropy (Lin et al., 2017): cross-entropy scaled by
    ``(1 - p_t)**gamma``, and by ``alpha``/``1 - alpha`` with ``apply_class_balancing``.

    Example::

        >>> round(float(BinaryFocalCrossentropy(gamma=0.0)([[0.0, 1.0]], [[0.4, 0.6]])), 4)
        0.5108
    """

    _config_keys = (
        "from_logits",
        "label_smoothing",
        "axis",
        "apply_class_balancing",
        "alpha",
        "gamma",
    )

    def __init__(
        self,
        apply_class_balancing: bool = False,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = "sum_over_batch_size",
        name="binary_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            binary_focal_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            apply_class_balancing=apply_class_balancing,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.apply_class_balancing = apply_class_balancing
        self.alpha = alpha
        self.gamma = gamma


class CategoricalCrossentropy(_FunctionLoss):
    """Cross-entropy for one-hot labels and predicted class probabilities (or logits
    with ``from_logits=True``); ``label_smoothing`` mixes labels with the uniform
    distribution.

    Example::

        >>> round(float(CategoricalCrossentropy()([[0.0, 1.0]], [[0.2, 0.8]])), 4)
        0.2231
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = "sum_over_batch_size",
        name="categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            categorical_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis


class CategoricalFocalCrossentropy(_FunctionLoss):
    """Categorical focal cross-entropy: each class term scaled by ``alpha * (1 - p)**gamma``.

    Example::

        >>> round(float(CategoricalFocalCrossentropy()([[0.0, 1.0]], [[0.2, 0.8]])), 5)
        0.00223
    """

    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(
        self,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: Any = "sum_over_batch_size",
        name="categorical_focal_crossentropy",
        dtype=None,
    ):
        super().__init__(
            categorical_focal_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            alpha=alpha,
            gamma=gamma,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self.alpha = alpha
        self.gamma = gamma


class SparseCategoricalCrossentropy(_FunctionLoss):
    """Cross-entropy for integer labels and predicted class probabilities (or logits
    with ``from_logits=True``); labels equal to ``ignore_class`` are masked out.

    Example::

        >>> round(float(SparseCategoricalCrossentropy()([1], [[0.2, 0.8]])), 4)
        0.2231
    """

    _config_keys = ("from_logits", "ignore_class", "axis")

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction: Any = "sum_over_batch_size",
        axis: int = -1,
        name="sparse_categorical_crossentropy",
        dtype=None,
    ):
        super().__init__(
            sparse_categorical_crossentropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis


class CTC(_FunctionLoss):
    """Connectionist temporal classification loss (see :func:`ctc`).

    Example::

        >>> CTC()([[1, 2]], kcore.random.normal((1, 5, 4))).shape
        ()
    """

    def __init__(self, reduction: Any = "sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)


class Dice(_FunctionLoss):
    """Dice loss ``1 - 2 * |y_true * y_pred| / (|y_true| + |y_pred|)`` over ``axis``.

    Example::

        >>> round(float(Dice()([[1.0, 0.0]], [[1.0, 1.0]])), 4)
        0.3333
    """

    _config_keys = ("axis",)

    def __init__(self, reduction: Any = "sum_over_batch_size", name="dice", axis=None, dtype=None):
        super().__init__(dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis


class Tversky(_FunctionLoss):
    """Tversky loss ``1 - TP / (TP + alpha * FP + beta * FN)`` over ``axis``.

    Example::

        >>> round(float(Tversky(alpha=1.0, beta=0.0)([[1.0, 0.0]], [[1.0, 1.0]])), 4)
        0.0
    """

    _config_keys = ("alpha", "beta", "axis")

    def __init__(
        self,
        alpha: float = 0.5,
        beta: float = 0.5,
        reduction: Any = "sum_over_batch_size",
        name="tversky",
        axis=None,
        dtype=None,
    ):
        super().__init__(
            tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha, beta=beta, axis=axis
        )
        self.alpha = alpha
        self.beta = beta
        self.axis = axis


class Circle(_FunctionLoss):
    """Circle loss for metric learning (see :func:`circle`); ``y_true`` integer labels,
    ``y_pred`` normalized embeddings.

    Example::

        >>> Circle()([0, 0, 1], ops.normalize(kcore.random.normal((3, 4)))).shape
        ()
    """

    _config_keys = ("gamma", "margin", "remove_diagonal")

    def __init__(
        self,
        gamma: float = 80.0,
        margin: float = 0.4,
        remove_diagonal: bool = True,
        reduction: Any = "sum_over_batch_size",
        name="circle",
        dtype=None,
    ):
        super().__init__(
            circle,
            name=name,
            reduction=reduction,
            dtype=dtype,
            gamma=gamma,
            margin=margin,
            remove_diagonal=remove_diagonal,
        )
        self.gamma = gamma
        self.margin = margin
        self.remove_diagonal = remove_diagonal


class CategoricalGeneralizedCrossEntropy(_FunctionLoss):
    """Generalized cross-entropy (Zhang & Sabuncu, 2018) for integer labels, robust to
    label noise; ``q`` in ``(0, 1)``.

    Example::

        >>> round(float(CategoricalGeneralizedCrossEntropy()([1], [[0.36, 0.64]])), 4)
        0.4
    """

    _config_keys = ("q",)

    def __init__(
        self,
        q: float = 0.5,
        reduction: Any = "sum_over_batch_size",
        name="categorical_generalized_cross_entropy",
        dtype=None,
    ):
        if isinstance(q, bool) or not isinstance(q, int | float) or not 0 < q < 1:
            raise ValueError(
                "CategoricalGeneralizedCrossEntropy: q must be a number in the open "
                f"interval (0, 1). Received: q={q!r}"
            )
        super().__init__(
            categorical_generalized_cross_entropy,
            name=name,
            reduction=reduction,
            dtype=dtype,
            q=q,
        )
        self.q = q
