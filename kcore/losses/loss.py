"""The :class:`Loss` base class and the reduction, masking and rank helpers losses share.

A loss turns ``(y_true, y_pred)`` into per-sample values (:meth:`Loss.call`), then
weights them by ``sample_weight`` and any mask carried by ``y_pred`` and reduces them
to one number as its ``reduction`` says. Everything is written against ``kcore.ops``.

Example::

    >>> from kcore import ops
    >>> class MeanSquared(Loss):
    ...     def call(self, y_true, y_pred):
    ...         return ops.mean(ops.square(y_pred - y_true), axis=-1)
    >>> float(MeanSquared()([[0.0, 1.0]], [[1.0, 1.0]]))
    0.5
"""

from __future__ import annotations

import weakref
from typing import Any

from kcore import ops, tree

#: Every value ``reduction`` may take (``None`` and ``"none"`` keep the values as they are).
REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


def standardize_reduction(reduction: Any) -> Any:
    """``reduction`` itself when it is one of :data:`REDUCTIONS`; else ``ValueError``.

    Example::

        >>> standardize_reduction("sum")
        'sum'
    """
    if reduction not in REDUCTIONS:
        raise ValueError(
            "Invalid value for argument `reduction`: expected one of "
            f"{list(REDUCTIONS)}. Received: reduction={reduction!r}"
        )
    return reduction


# --------------------------------------------------------------------------- masks
# Masks ride on tensors as a ``_keras_mask`` attribute, as in Keras. A tensor type
# that takes no attributes (a NumPy array) keeps its mask in this table instead, keyed
# by the tensor's id and dropped when the tensor is collected.
_masks_by_id: dict[int, Any] = {}


def _forget_mask(key: int) -> None:
    _masks_by_id.pop(key, None)


def set_mask(x: Any, mask: Any) -> None:
    """Attach ``mask`` (a boolean tensor, or ``None`` to clear) to tensor ``x``.

    Example::

        >>> values = kcore.ops.convert_to_tensor([1.0, 2.0])
        >>> set_mask(values, kcore.ops.convert_to_tensor([True, False]))
        >>> get_mask(values) is not None
        True
    """
    try:
        x._keras_mask = mask
        return
    except (AttributeError, TypeError):
        pass
    key = id(x)
    if mask is None:
        _masks_by_id.pop(key, None)
        return
    try:
        weakref.finalize(x, _forget_mask, key)
    except TypeError:  # neither attributes nor weak references: the mask cannot ride
        return
    _masks_by_id[key] = mask


def get_mask(x: Any) -> Any:
    """The mask attached to ``x`` by :func:`set_mask` or a masking layer, or ``None``.

    Example::

        >>> get_mask(kcore.ops.convert_to_tensor([1.0])) is None
        True
    """
    mask = getattr(x, "_keras_mask", None)
    if mask is None and _masks_by_id:
        mask = _masks_by_id.get(id(x))
    return mask


# ---------------------------------------------------------------------- rank helpers
def squeeze_or_expand_to_same_rank(x1: Any, x2: Any, expand_rank_1: bool = True) -> tuple:
    """``(x1, x2)`` brought to the same rank when their ranks differ by one and the
    longer one ends in a dimension of 1: that dimension is squeezed, or, when the
    shorter one has rank 1 and ``expand_rank_1`` is true, the shorter one is expanded.

    Example::

        >>> a, b = squeeze_or_expand_to_same_rank(ops.ones((4, 1)), ops.ones((4,)))
        >>> tuple(a.shape), tuple(b.shape)
        ((4, 1), (4, 1))
    """
    rank1, rank2 = len(x1.shape), len(x2.shape)
    if rank1 == rank2:
        return x1, x2
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        if rank2 == 1 and expand_rank_1:
            x2 = ops.expand_dims(x2, axis=-1)
        else:
            x1 = ops.squeeze(x1, axis=-1)
    elif rank2 == rank1 + 1 and x2.shape[-1] == 1:
        if rank1 == 1 and expand_rank_1:
            x1 = ops.expand_dims(x1, axis=-1)
        else:
            x2 = ops.squeeze(x2, axis=-1)
    return x1, x2


def _element_count(x: Any, dtype: str) -> Any:
    # A static shape gives a Python int (no op in the step); a dynamic one (a None
    # batch dimension inside a traced function) gives a tensor of ``dtype``.
    count = 1
    for dim in x.shape:
        if not isinstance(dim, int):
            return ops.sum(ops.ones_like(x, dtype=dtype))
        count *= dim
    return count


# ------------------------------------------------------------------------ reductions
def reduce_values(values: Any, sample_weight: Any = None, reduction: Any = "sum_over_batch_size"):
    """``values`` reduced as ``reduction`` says: ``"sum"`` sums them;
    ``"sum_over_batch_size"`` and ``"mean"`` divide the sum by their count;
    ``"mean_with_sample_weight"`` divides it by the sum of ``sample_weight`` (by the
    count when there is none); ``None``/``"none"`` return them unreduced, as do scalars.
    A zero divisor gives 0, not NaN.

    Example::

        >>> float(reduce_values(ops.convert_to_tensor([1.0, 3.0]), reduction="mean"))
        2.0
    """
    shape = tuple(values.shape)
    if reduction is None or reduction == "none" or shape == () or shape == (0,):
        return values
    loss = ops.sum(values)
    if reduction == "sum":
        return loss
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = ops.cast(ops.sum(sample_weight), loss.dtype)
    else:
        divisor = _element_count(values, loss.dtype)
        if isinstance(divisor, int):  # static and known positive: one multiply
            return loss * (1.0 / divisor) if divisor else loss
    return ops.divide_no_nan(loss, divisor)


def apply_mask(sample_weight: Any, mask: Any, dtype: str, reduction: Any) -> Any:
    """``sample_weight`` with ``mask`` folded in (masked entries get weight 0).

    For ``"sum_over_batch_size"`` and ``"mean"`` the kept entries are scaled by
    ``total / kept`` so that dividing by the full count averages over the kept entries
    only.

    Example::

        >>> w = apply_mask(None, ops.convert_to_tensor([True, False]), "float32", "sum")
        >>> ops.convert_to_numpy(w).tolist()
        [1.0, 0.0]
    """
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        total = ops.convert_to_tensor(_element_count(mask, dtype), dtype=dtype)
        kept = ops.sum(ops.cast(mask, dtype))  # may be 0: divide_no_nan
        scale = ops.divide_no_nan(total, kept)
        float_mask = ops.where(ops.cast(mask, "bool"), scale, ops.zeros((), dtype=dtype))
    else:
        float_mask = ops.cast(mask, dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = ops.cast(sample_weight, dtype)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


def reduce_weighted_values(
    values: Any,
    sample_weight: Any = None,
    mask: Any = None,
    reduction: Any = "sum_over_batch_size",
    dtype: Any = None,
) -> Any:
    """Per-sample ``values`` weighted by ``sample_weight`` and ``mask``, then reduced
    (see :func:`reduce_values`). ``sample_weight`` is brought to the rank of ``values``
    by :func:`squeeze_or_expand_to_same_rank` and broadcast against them.

    Example::

        >>> v = ops.convert_to_tensor([1.0, 3.0])
        >>> float(reduce_weighted_values(v, sample_weight=[1.0, 0.0], reduction="sum"))
        1.0
    """
    reduction = standardize_reduction(reduction)
    values = ops.convert_to_tensor(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype=values.dtype)
    if mask is not None:
        mask = ops.convert_to_tensor(mask)
    sample_weight = apply_mask(sample_weight, mask, dtype=values.dtype, reduction=reduction)
    if sample_weight is not None:
        sample_weight = ops.cast(sample_weight, values.dtype)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def _to_tensors(x: Any, dtype: str) -> Any:
    # The common case, one tensor, skips the tree walk (this runs in every train step).
    # Nested lists of plain numbers are one array-like value, not a structure of scalars.
    if isinstance(x, dict) or (isinstance(x, list | tuple) and not _numbers_only(x)):
        return tree.map_structure(lambda t: ops.convert_to_tensor(t, dtype=dtype), x)
    return ops.convert_to_tensor(x, dtype=dtype)


def _numbers_only(x: Any) -> bool:
    if isinstance(x, list | tuple):
        return all(_numbers_only(item) for item in x)
    return isinstance(x, int | float)


def _combine_masks(first: Any, second: Any) -> Any:
    if first is None:
        return second
    if second is None:
        return first
    return ops.logical_and(ops.cast(first, "bool"), ops.cast(second, "bool"))


# ---------------------------------------------------------------------------- Loss
class Loss:
    """Base class of losses: subclass it and implement ``call(y_true, y_pred)``, which
    returns the loss of each sample (any shape, usually ``(batch,)``).

    Calling a loss, ``loss(y_true, y_pred, sample_weight=None)``, converts both inputs
    to the loss's ``dtype``, runs :meth:`call`, weights the values by ``sample_weight``
    and by the mask of ``y_pred`` (and of the values ``call`` returns), and reduces them.

    Args:
        name: the loss's name (default: the class name in snake case, made unique).
        reduction: ``"sum_over_batch_size"`` (default: the sum divided by the number of
            values), ``"sum"``, ``"mean"`` (as ``"sum_over_batch_size"``),
            ``"mean_with_sample_weight"`` (the sum divided by the sum of the weights),
            or ``"none"``/``None`` (no reduction).
        dtype: the dtype computations run in: a dtype name or a
            :class:`kcore.dtype_policies.DTypePolicy` (its ``compute_dtype`` is used);
            default :func:`kcore.config.floatx`.

    Example::

        >>> class MeanAbsolute(Loss):
        ...     def call(self, y_true, y_pred):
        ...         return kcore.ops.mean(kcore.ops.abs(y_pred - y_true), axis=-1)
        >>> float(MeanAbsolute(reduction="sum")([[0.0], [1.0]], [[1.0], [3.0]]))
        3.0
    """

    _keras_module = "keras.losses"

    def __init__(self, name: str | None = None, reduction: Any = "sum_over_batch_size", dtype=None):
        if name is None:
            from kcore.layers.layer import snake_case, unique_name

            name = unique_name(snake_case(type(self).__name__))
        self.name = name
        self.reduction = standardize_reduction(reduction)
        from kcore import dtype_policies
        from kcore.config import floatx

        self._dtype_policy = dtype_policies.get(dtype or floatx())
        self._dtype = self._dtype_policy.compute_dtype

    @property
    def dtype(self) -> str:
        """The dtype the loss computes in."""
        return self._dtype

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        in_mask = get_mask(y_pred)
        dtype = self._dtype
        y_pred = _to_tensors(y_pred, dtype)
        y_true = _to_tensors(y_true, dtype)
        values = self.call(y_true, y_pred)
        mask = _combine_masks(in_mask, get_mask(values))
        return reduce_weighted_values(
            values, sample_weight=sample_weight, mask=mask, reduction=self.reduction, dtype=dtype
        )

    def call(self, y_true: Any, y_pred: Any) -> Any:
        """The loss of each sample; subclasses implement it.

        Example::

            >>> class Zero(Loss):
            ...     def call(self, y_true, y_pred):
            ...         return kcore.ops.zeros_like(y_pred)
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement call(y_true, y_pred) returning the "
            "loss of each sample; Loss itself is a base class"
        )

    def get_config(self) -> dict[str, Any]:
        """``{"name": ..., "reduction": ...}`` plus a subclass's own arguments.

        Example::

            >>> Loss(name="l").get_config()
            {'name': 'l', 'reduction': 'sum_over_batch_size'}
        """
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """The loss a :meth:`get_config` dict describes.

        Example::

            >>> Loss.from_config({"name": "l", "reduction": "sum"}).reduction
            'sum'
        """
        return cls(**config)

    def _obj_type(self) -> str:
        return "Loss"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"
