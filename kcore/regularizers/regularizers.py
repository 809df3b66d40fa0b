"""Weight regularizers: penalties added to the loss."""

from __future__ import annotations

import math
from typing import Any

from kcore import ops


def validate_float_arg(value: Any, name: str) -> float:
    """``value`` as a float if it is a finite, non-negative Python number; else
    ``ValueError`` naming ``name``.

    Example::

        >>> validate_float_arg(1, "l1")
        1.0
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or math.isinf(value)
        or math.isnan(value)
        or value < 0
    ):
        raise ValueError(
            f"Invalid value for argument {name}: expected a non-negative float. "
            f"Received: {name}={value!r}"
        )
    return float(value)


class Regularizer:
    """Base class of regularizers: ``regularizer(x)`` returns the penalty of weight
    ``x`` (a scalar). A subclass implements ``__call__`` and ``get_config``.

    Example::

        >>> class SumPenalty(Regularizer):
        ...     def __call__(self, x):
        ...         return 0.1 * kcore.ops.sum(x)
        ...     def get_config(self):
        ...         return {}
    """

    _keras_module = "keras"  # where Keras 3 exports it (its configs say so)

    def __init__(self) -> None:
        pass

    def __call__(self, x: Any) -> Any:
        return 0.0

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        """The regularizer :meth:`get_config` describes."""
        return cls(**config)

    def get_config(self) -> dict[str, Any]:
        """The constructor arguments (subclasses must implement it)."""
        raise NotImplementedError(f"{self} does not implement get_config()")


class L1L2(Regularizer):
    """``l1 * sum(abs(x)) + l2 * sum(square(x))``.

    Args:
        l1: the L1 factor (``None`` means 0).
        l2: the L2 factor (``None`` means 0).

    Example::

        >>> penalty = L1L2(l1=0.01, l2=0.001)(kcore.ops.ones((2, 2)))   # 0.044
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1 = validate_float_arg(0.0 if l1 is None else l1, name="l1")
        self.l2 = validate_float_arg(0.0 if l2 is None else l2, name="l2")

    def __call__(self, x: Any) -> Any:
        penalty = ops.convert_to_tensor(0.0, dtype=x.dtype)
        if self.l1:
            penalty = penalty + ops.cast(self.l1, x.dtype) * ops.sum(ops.absolute(x))
        if self.l2:
            penalty = penalty + ops.cast(self.l2, x.dtype) * ops.sum(ops.square(x))
        return penalty

    def get_config(self) -> dict[str, Any]:
        return {"l1": self.l1, "l2": self.l2}


class L1(Regularizer):
    """``l1 * sum(abs(x))``.

    Args:
        l1: the factor (``None`` means 0.01).

    Example::

        >>> penalty = L1(0.1)(kcore.ops.ones((2, 2)))   # 0.4
    """

    def __init__(self, l1: float = 0.01) -> None:
        self.l1 = validate_float_arg(0.01 if l1 is None else l1, name="l1")

    def __call__(self, x: Any) -> Any:
        return ops.cast(self.l1, x.dtype) * ops.sum(ops.absolute(x))

    def get_config(self) -> dict[str, Any]:
        return {"l1": float(self.l1)}


class L2(Regularizer):
    """``l2 * sum(square(x))``.

    Args:
        l2: the factor (``None`` means 0.01).

    Example::

        >>> penalty = L2(0.1)(kcore.ops.ones((2, 2)))   # 0.4
    """

    def __init__(self, l2: float = 0.01) -> None:
        self.l2 = validate_float_arg(0.01 if l2 is None else l2, name="l2")

    def __call__(self, x: Any) -> Any:
        return ops.cast(self.l2, x.dtype) * ops.sum(ops.square(x))

    def get_config(self) -> dict[str, Any]:
        return {"l2": self.l2}


class OrthogonalRegularizer(Regularizer):
    """Pushes the rows (or columns) of a 2-D weight towards being orthogonal: ``factor``
    times the mean absolute cosine similarity between distinct rows (columns).

    Args:
        factor: the factor.
        mode: ``"rows"`` or ``"columns"``.

    Example::

        >>> penalty = OrthogonalRegularizer(factor=0.1)(kcore.ops.eye(3))   # 0.0
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        self.factor = validate_float_arg(factor, name="factor")
        if mode not in ("rows", "columns"):
            raise ValueError(
                'Invalid value for argument `mode`. Expected one of {"rows", "columns"}. '
                f"Received: mode={mode!r}"
            )
        self.mode = mode

    def __call__(self, inputs: Any) -> Any:
        if len(inputs.shape) != 2:
            raise ValueError(
                "Inputs to OrthogonalRegularizer must have rank 2. "
                f"Received: inputs.shape={tuple(inputs.shape)}"
            )
        if self.mode == "rows":
            unit = ops.normalize(inputs, axis=1)
            product = ops.matmul(unit, ops.transpose(unit))
            size = inputs.shape[0]
        else:
            unit = ops.normalize(inputs, axis=0)
            product = ops.matmul(ops.transpose(unit), unit)
            size = inputs.shape[1]
        off_diagonal = product * (1.0 - ops.eye(size, dtype=unit.dtype))
        pairs = size * (size - 1.0) / 2.0
        return self.factor * 0.5 * ops.sum(ops.absolute(off_diagonal)) / pairs

    def get_config(self) -> dict[str, Any]:
        return {"factor": float(self.factor), "mode": self.mode}
